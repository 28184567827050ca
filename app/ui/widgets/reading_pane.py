"""The reading pane: headers, the sender's identity, the body (sanitised), the attachments.

The message's bytes are parsed and its HTML sanitised on a worker thread (`app.ui.html`);
the browser shows the result and loads nothing by itself: only the message's own inline
images (``cid:``) and ``data:`` images, never a remote address; no script runs (QTextBrowser
has no script engine). Opening a message marks it read (done at once, replayed by the engine).

Must run on the Qt thread.
"""

from __future__ import annotations

import asyncio
import base64
import html
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QSize, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import (
    QDesktopServices,
    QFocusEvent,
    QFont,
    QFontMetrics,
    QImage,
    QResizeEvent,
    QTextDocument,
)
from PySide6.QtWidgets import (
    QBoxLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QSizePolicy,
    QStackedWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.domain.compose import is_end_of_exchange
from app.domain.errors import KnownError, NotFoundError
from app.domain.events import ArchiveComplete, BodiesProgress
from app.domain.message import Flag, MessageDetail, Person
from app.domain.mime import decode_words, parse_headers
from app.domain.receipts import BounceReason, classify_patient_bounce
from app.ui.context import UiContext
from app.ui.html import (
    InlineImage,
    MessageBody,
    body_from_raw,
    highlight_html,
    text_to_html,
)
from app.ui.models.formatting import format_full_date, format_size
from app.ui.models.message_list_model import row_text
from app.ui.widgets.mail_icons import icon

log = logging.getLogger(__name__)
translate = QCoreApplication.translate

#: Characters of plain text shown at most (a 5 MB text part would hold the window).
MAX_TEXT_SHOWN = 300_000
#: Characters of HTML laid out at most; beyond, the text version is shown instead.
MAX_HTML_SHOWN = 1_000_000


@dataclass(frozen=True)
class Prepared:
    """A message made ready to show, off the Qt thread."""

    body: MessageBody
    end_of_exchange: bool
    bounce: BounceReason | None
    report: bool  # a delivery or read report (multipart/report)


def prepare(raw: bytes | None, fallback_text: str) -> Prepared:
    """Parse, sanitise and classify a message. Blocking: run it on a worker thread."""
    if raw is None:
        return Prepared(MessageBody(html=None, text=fallback_text), False, None, False)
    body = body_from_raw(raw, fallback_text=fallback_text)
    headers = parse_headers(_header_block(raw))
    bounce = classify_patient_bounce(raw)
    content_type = headers.get("content-type", "").lower()
    return Prepared(
        body=body,
        end_of_exchange=is_end_of_exchange(decode_words(headers.get("subject", "")), headers),
        bounce=bounce.reason if bounce is not None else None,
        report="multipart/report" in content_type,
    )


def _header_block(raw: bytes) -> bytes:
    """The header fields of a message (up to the first empty line)."""
    ends = [i for i in (raw.find(b"\r\n\r\n"), raw.find(b"\n\n")) if i >= 0]
    return raw[: min(ends)] if ends else raw[:65536]


class SafeTextBrowser(QTextBrowser):
    """A QTextBrowser that loads only the message's inline and ``data:`` images.

    Links are never followed by the browser itself: `link_activated` is emitted and the pane
    asks before handing an ``http(s):``/``mailto:`` link to the system.

    Signals:
        link_activated(QUrl): the user clicked or pressed Enter on a link.
    """

    link_activated = Signal(QUrl)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.images: dict[str, InlineImage] = {}
        self.refused: list[str] = []  # what was asked for and refused (tests, diagnostics)
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        # Tab goes through the links, then on to the next control (never a keyboard trap).
        self.setTabChangesFocus(True)
        self.setSearchPaths([])
        self.anchorClicked.connect(self.link_activated.emit)

    def loadResource(self, kind: int, url: QUrl | str) -> Any:  # noqa: N802
        """Only ``cid:`` parts of this message and ``data:image`` URLs; nothing else, ever."""
        url = QUrl(url) if isinstance(url, str) else url
        scheme = url.scheme().lower()
        if kind == QTextDocument.ResourceType.ImageResource.value or kind == int(
            QTextDocument.ResourceType.ImageResource.value
        ):
            if scheme == "cid":
                image = self.images.get(url.path() or url.toString()[4:])
                if image is not None:
                    loaded = QImage.fromData(image.data)
                    if not loaded.isNull():
                        return loaded
            elif scheme == "data":
                decoded = _data_image(url.toString())
                if decoded is not None:
                    return decoded
        self.refused.append(scheme)
        return None


def _data_image(text: str) -> QImage | None:
    match = re.match(r"^data:image/[a-z+.-]+;base64,(.*)$", text, re.I | re.S)
    if not match:
        return None
    try:
        data = base64.b64decode(match.group(1), validate=False)
    except ValueError:
        return None
    image = QImage.fromData(data)
    return None if image.isNull() else image


class ReadingPane(QWidget):
    """One message, opened.

    Signals:
        message_shown(object): the message now shown (its id), None when cleared.
    """

    message_shown = Signal(object)

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._message_id: int | None = None
        self._generation = 0
        self._terms: list[str] = []
        self._detail: MessageDetail | None = None
        self._task: asyncio.Task[None] | None = None
        self._reading = False
        self._closed: dict[str, int | None] | None = None  # patient INS -> exchange closed at
        self.mark_read = True
        self._sender: Person | None = None

        self.subject = self._label("readingSubject", self.tr("Subject"), selectable=True)
        self.subject.setStyleSheet("font-size: 15pt; font-weight: 600;")
        self.subject.setWordWrap(True)
        self.from_label = self._label("readingFrom", self.tr("From"), selectable=True)
        self.from_label.setTextFormat(Qt.TextFormat.RichText)  # built from escaped text only
        self.from_label.setWordWrap(True)
        self.identity = self._label("readingIdentity", self.tr("Sender's identity"))
        self.identity.setStyleSheet("color: palette(placeholder-text);")
        # A long identity (a hospital's full name) wraps instead of being cut at the pane's edge.
        self.identity.setWordWrap(True)
        self.patient = self._label("readingPatient", self.tr("Patient"))
        self.patient.setStyleSheet(
            "background: #e3f4ec; color: #0b6149; border-radius: 9px; padding: 1px 8px;"
        )
        self.patient.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.recipients = self._label("readingTo", self.tr("To"), selectable=True)
        self.copies = self._label("readingCc", self.tr("Copy"), selectable=True)
        self.date = self._label("readingDate", self.tr("Date"))
        self.date.setStyleSheet("color: palette(placeholder-text);")
        for label in (self.recipients, self.copies):
            label.setWordWrap(True)
        self.banner = self._label("readingBanner", self.tr("Notice"))
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet(
            "background: #fff4d6; color: #4d3800; border: 1px solid #f0d58a;"
            " border-radius: 4px; padding: 6px 8px;"
        )
        self.banner.hide()

        self.browser = SafeTextBrowser(self)
        self.browser.setObjectName("readingBody")
        self.browser.setAccessibleName(self.tr("Message text"))
        self.browser.setFrameShape(QFrame.Shape.NoFrame)
        self.browser.link_activated.connect(self._on_browser_link_activated)
        self.browser.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextBrowserInteraction
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )

        self.attachments = QListWidget(self)
        self.attachments.setObjectName("readingAttachments")
        self.attachments.setAccessibleName(self.tr("Attachments"))
        self.attachments.setFlow(QListWidget.Flow.LeftToRight)
        self.attachments.setWrapping(True)
        self.attachments.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Maximum)
        self.attachments.setMaximumHeight(64)
        self.attachments.setSpacing(2)
        # A name longer than the pane is shortened in its middle (the start of the name, the
        # kind and the size stay; the tooltip and the accessible text say it all), never cut by
        # a horizontal scroll bar.
        self.attachments.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.attachments.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.attachments.installEventFilter(self)
        self.attachments.hide()

        header = QWidget(self)
        header.setObjectName("readingHeader")
        grid = QGridLayout(header)
        grid.setContentsMargins(12, 10, 12, 6)
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(3)
        grid.addWidget(self.subject, 0, 0, 1, 3)
        # The sender and the date side by side, the date under the sender when the pane is too
        # narrow for both on one line (_arrange_sender_line).
        who = self._who = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        who.setSpacing(12)
        who.addWidget(self.from_label, 1)
        who.addWidget(self.date, 0, Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignRight)
        grid.addLayout(who, 1, 0, 1, 3)
        about = QHBoxLayout()
        about.setSpacing(8)
        about.addWidget(self.patient, 0, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        about.addWidget(self.identity, 1)
        about.addStretch(0)
        grid.addLayout(about, 2, 0, 1, 3)
        self._to_caption = self._caption(self.tr("To:"))
        self._cc_caption = self._caption(self.tr("Cc:"))
        grid.addWidget(self._to_caption, 3, 0, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(self.recipients, 3, 1, 1, 2)
        grid.addWidget(self._cc_caption, 4, 0, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(self.copies, 4, 1, 1, 2)
        grid.setColumnStretch(2, 1)

        content = self._content = QWidget(self)
        column = QVBoxLayout(content)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(4)
        column.addWidget(header)
        banner_box = QHBoxLayout()
        banner_box.setContentsMargins(12, 0, 12, 0)
        banner_box.addWidget(self.banner)
        column.addLayout(banner_box)
        #: Where other screens put a widget under the header (issue 11: the read-receipt offer,
        #: app/ui/receipts.py); empty by default.
        self.extras = QVBoxLayout()
        self.extras.setContentsMargins(0, 0, 0, 0)
        column.addLayout(self.extras)
        line = QFrame(content)
        line.setFrameShape(QFrame.Shape.HLine)
        line.setFrameShadow(QFrame.Shadow.Sunken)
        column.addWidget(line)
        column.addWidget(self.browser, 1)
        attachments_box = QHBoxLayout()
        attachments_box.setContentsMargins(8, 0, 8, 6)
        attachments_box.addWidget(self.attachments)
        column.addLayout(attachments_box)

        self.placeholder = QLabel(self.tr("Choose a message to read it."), self)
        self.placeholder.setObjectName("readingPlaceholder")
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setStyleSheet("color: palette(placeholder-text);")
        self._stack = QStackedWidget(self)
        self._stack.addWidget(self.placeholder)
        self._stack.addWidget(content)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._stack)
        self.setAccessibleName(self.tr("Reading pane"))
        ctx.signals.messages_changed.connect(self._on_engine_messages_changed)
        ctx.signals.sync_progress.connect(self._on_engine_sync_progress)
        ctx.signals.patients_changed.connect(self._on_engine_patients_changed)
        self._body_check = QTimer(self)
        self._body_check.setSingleShot(True)
        self._body_check.setInterval(400)  # bodies come in bursts: look once per burst
        self._body_check.timeout.connect(self._on_body_check_timeout)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        """Place the date again: beside the sender or under it."""
        super().resizeEvent(event)
        self._arrange_sender_line()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        """Fit the attachments' rows to the list's width when it changes."""
        if watched is self.attachments and event.type() in (QEvent.Type.Resize, QEvent.Type.Show):
            self._fit_attachments()
        return super().eventFilter(watched, event)

    def _fit_attachments(self) -> None:
        """Each row as wide as its text, at most as wide as the list (then elided)."""
        room = self.attachments.width() - 2 * self.attachments.frameWidth() - 12
        if room < 80:
            return
        metrics = self.attachments.fontMetrics()
        extra = max(self.attachments.iconSize().width(), 16) + 16  # the icon and padding
        for row in range(self.attachments.count()):
            item = self.attachments.item(row)
            natural = metrics.horizontalAdvance(item.text()) + extra
            item.setSizeHint(QSize(min(natural, room), metrics.height() + 6))

    def _arrange_sender_line(self) -> None:
        """The date beside the sender when both fit on one line, else under it, on the left."""
        available = self.width() - 24  # the header's side margins
        sender = self._sender
        one_line = 0
        if sender is not None:
            bold = QFont(self.from_label.font())
            bold.setBold(True)
            one_line = QFontMetrics(bold).horizontalAdvance(sender.name or sender.address)
            if sender.name:
                plain = QFontMetrics(self.from_label.font())
                one_line += plain.horizontalAdvance(f"  <{sender.address}>")
            html_text = _person_html(sender, break_line=one_line > available)
            if self.from_label.text() != html_text:
                self.from_label.setText(html_text)
        wide = one_line + 12 + self.date.sizeHint().width() <= available
        direction = QBoxLayout.Direction.LeftToRight if wide else QBoxLayout.Direction.TopToBottom
        if self._who.direction() != direction:
            self._who.setDirection(direction)
            self._who.setSpacing(12 if wide else 0)
            side = Qt.AlignmentFlag.AlignRight if wide else Qt.AlignmentFlag.AlignLeft
            self._who.setAlignment(self.date, Qt.AlignmentFlag.AlignTop | side)

    def _label(self, name: str, accessible: str, *, selectable: bool = False) -> QLabel:
        label = QLabel(self)
        label.setObjectName(name)
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setAccessibleDescription(accessible)
        if selectable:
            label.setTextInteractionFlags(
                Qt.TextInteractionFlag.TextSelectableByMouse
                | Qt.TextInteractionFlag.TextSelectableByKeyboard
            )
        return label

    def _caption(self, text: str) -> QLabel:
        label = QLabel(text, self)
        label.setStyleSheet("color: palette(placeholder-text);")
        return label

    def focusInEvent(self, event: QFocusEvent) -> None:  # noqa: N802
        """Focus given to the pane goes to its main control.

        Not a focus proxy: a proxy makes the pane a stop of the Tab chain, and the pane sits
        after its own children in that chain (a Tab loop through the pane's controls).
        """
        super().focusInEvent(event)
        self.browser.setFocus(event.reason())

    # -- public API ------------------------------------------------------------------------------

    @property
    def message_id(self) -> int | None:
        """The message shown."""
        return self._message_id

    @property
    def detail(self) -> MessageDetail | None:
        """What is shown of it."""
        return self._detail

    def set_terms(self, terms: Sequence[str]) -> None:
        """Search words to highlight in the next messages shown."""
        self._terms = list(terms)

    def show_message(self, message_id: int | None) -> asyncio.Task[None] | None:
        """Show a message (a slot); None clears the pane. The task ends when it is shown."""
        self._generation += 1
        previous = self._task
        if previous is not None and not previous.done() and self._reading:
            previous.cancel()  # still reading the last one (arrow held down): never mind it
        if message_id is None:
            self._clear()
            return None
        self._task = self._ctx.runner.run(self, self._show(message_id, self._generation))
        return self._task

    def _clear(self) -> None:
        self._message_id = None
        self._detail = None
        self.browser.images = {}
        self.browser.clear()
        self._stack.setCurrentWidget(self.placeholder)
        self.message_shown.emit(None)

    async def _show(self, message_id: int, generation: int) -> None:
        services = self._ctx.services
        self._reading = True  # only reads until the message is shown: safe to cancel
        try:
            detail = await services.archive.detail(message_id)
            if generation != self._generation:
                return
            raw = await services.archive.raw(message_id) if detail.summary.archived else None
            if generation != self._generation:
                return
            prepared = await asyncio.to_thread(prepare, raw, detail.body_text)
        except NotFoundError:
            if generation == self._generation:
                self._clear()  # deleted meanwhile (by sync, another window, a command)
            return
        finally:
            if generation == self._generation:
                self._reading = False
        if generation != self._generation:
            return
        self._message_id = message_id
        self._detail = detail
        self._fill_headers(detail)
        self._fill_body(prepared)
        self._fill_attachments_declared(detail)
        self._stack.setCurrentWidget(self._content)
        self._set_banner(detail, prepared, closed_at=None)
        self.message_shown.emit(message_id)
        # Best effort, each on its own: the message is readable meanwhile.
        if self.mark_read and not detail.summary.flags & Flag.SEEN:
            await services.operations.set_flags([message_id], Flag.SEEN, Flag.NONE)
        if generation != self._generation:
            return
        await self._fill_attachments_inspected(message_id, generation)
        await self._fill_identity(detail, generation)
        closed_at = await self._closed_at(detail)
        if generation == self._generation and closed_at is not None:
            self._set_banner(detail, prepared, closed_at=closed_at)

    # -- filling ---------------------------------------------------------------------------------

    def _fill_headers(self, detail: MessageDetail) -> None:
        summary = detail.summary
        text = row_text(summary)
        self.subject.setText(text.subject)
        self.subject.setAccessibleName(self.tr("Subject: %1").replace("%1", text.subject))
        sender = _person(summary.sender) if summary.sender else text.sender
        self.from_label.setText(_person_html(summary.sender) if summary.sender else "")
        self.from_label.setAccessibleName(self.tr("From: %1").replace("%1", sender))
        if text.patient:
            patient = self.tr("Patient")
            if text.ins:
                patient = self.tr("Patient · INS %1").replace("%1", text.ins)
            self.patient.setText(patient)
            self.patient.setAccessibleName(patient)
            self.patient.show()
        else:
            self.patient.hide()
        self.identity.hide()
        when = format_full_date(summary.sent_date or summary.internal_date)
        self.date.setText(when)
        self.date.setAccessibleName(self.tr("Date: %1").replace("%1", when))
        self._sender = summary.sender
        self._arrange_sender_line()
        to = ", ".join(_person(p) for p in detail.to)
        cc = ", ".join(_person(p) for p in detail.cc)
        self.recipients.setText(to)
        self.recipients.setAccessibleName(self.tr("To: %1").replace("%1", to))
        self.copies.setText(cc)
        self.copies.setAccessibleName(self.tr("Cc: %1").replace("%1", cc))
        for widget in (self.recipients, self._to_caption):
            widget.setVisible(bool(to))
        for widget in (self.copies, self._cc_caption):
            widget.setVisible(bool(cc))

    def _fill_body(self, prepared: Prepared) -> None:
        body = prepared.body
        self.browser.images = dict(body.images)
        self.browser.refused = []
        if body.html is not None and len(body.html) <= MAX_HTML_SHOWN:
            markup = highlight_html(body.html, self._terms) if self._terms else body.html
        else:
            text = body.text
            if len(text) > MAX_TEXT_SHOWN:
                text = text[:MAX_TEXT_SHOWN] + "\n\n" + self.tr("[Text shortened for display.]")
            markup = text_to_html(text, self._terms)
        self.browser.setHtml(markup)
        self.browser.verticalScrollBar().setValue(0)

    def _fill_attachments_declared(self, detail: MessageDetail) -> None:
        self.attachments.clear()
        for attachment in detail.attachments:
            name = attachment.filename or self.tr("(unnamed)")
            self._add_attachment(name, _declared_kind(attachment.content_type), attachment.size)
        self.attachments.setVisible(bool(detail.attachments))

    async def _fill_attachments_inspected(self, message_id: int, generation: int) -> None:
        """The real type of each file (sniffed from its content), once archived."""
        if self._detail is None or not self._detail.attachments:
            return
        if not self._detail.summary.archived:
            return
        try:
            infos = await self._ctx.services.documents.attachments(message_id)
        except KnownError as error:
            log.info("attachments not inspected: %s", error.code)
            return
        if generation != self._generation:
            return
        self.attachments.clear()
        for info in infos:
            kind = _kind_label(info.kind.value)
            if info.xdm is not None:
                kind = self.tr("IHE XDM package, %n document(s)", "", len(info.xdm.documents))
            if not info.verdict.accepted:
                kind = self.tr("%1, not accepted by MSSanté").replace("%1", kind)
            self._add_attachment(info.name, kind, info.size, info)
        self.attachments.setVisible(bool(infos))

    def _add_attachment(self, name: str, kind: str, size: int, info: object = None) -> None:
        text = f"{name}  —  {kind}, {format_size(size)}"
        item = QListWidgetItem(icon("document"), text)
        # The inspected `AttachmentInfo` (issue 12: the preview opens it from here).
        item.setData(Qt.ItemDataRole.UserRole, info)
        item.setData(Qt.ItemDataRole.AccessibleTextRole, text)
        item.setToolTip(text)
        self.attachments.addItem(item)
        self._fit_attachments()

    async def _fill_identity(self, detail: MessageDetail, generation: int) -> None:
        """The sender as the health directory knows them (best effort, off the loop)."""
        sender = detail.summary.sender
        if sender is None or row_text(detail.summary).patient_sender:
            return
        try:
            entry = await self._ctx.services.directory.lookup(sender.address)
        except KnownError as error:
            log.info("directory lookup failed: %s", error.code)
            return
        if entry is None or generation != self._generation:
            return
        parts = []
        name = " ".join(p for p in (_civility(entry.civility), entry.display_name) if p)
        if name:
            parts.append(name)
        job = ", ".join(p for p in (entry.profession, entry.speciality) if p)
        if job:
            parts.append(job)
        box = next((m for m in entry.mailboxes if m.address == sender.address.lower()), None)
        box = box or (entry.mailboxes[0] if entry.mailboxes else None)
        if box is not None and box.organisation and box.organisation not in " ".join(parts):
            parts.append(box.organisation)  # once: a structure's name often already holds it
        if entry.identifier_type and entry.identifier:
            parts.append(f"{entry.identifier_type} {entry.identifier}")
        if not parts:
            return
        text = self.tr("Directory: %1").replace("%1", " — ".join(parts))
        self.identity.setText(text)
        self.identity.setAccessibleName(text)
        self.identity.show()

    async def _closed_at(self, detail: MessageDetail) -> int | None:
        """When the exchange with this message's patient was closed, if it was."""
        ins = detail.summary.patient_ins
        if not ins:
            return None
        if self._closed is None:  # read once, again after a conversation changed
            try:
                patients = await self._ctx.services.patients.list()
            except KnownError as error:
                log.info("patients not read: %s", error.code)
                return None
            self._closed = {p.patient.ins: p.closed_at for p in patients}
        return self._closed.get(ins)

    def _on_engine_patients_changed(self, _event: object) -> None:
        self._closed = None

    def _set_banner(self, detail: MessageDetail, prepared: Prepared, closed_at: int | None) -> None:
        lines = []
        if detail.summary.gone_from_server:
            lines.append(
                self.tr("Deleted from the server, kept here: this copy stays in your archive.")
            )
        if prepared.end_of_exchange:
            lines.append(self.tr("This message ends the exchange with the patient."))
        elif closed_at is not None:
            lines.append(
                self.tr("The exchange with this patient was closed on %1.").replace(
                    "%1", format_full_date(closed_at)
                )
            )
        if prepared.bounce is not None:
            lines.append(_bounce_text(prepared.bounce))
        elif prepared.report:
            lines.append(self.tr("Delivery or read report about a message you sent."))
        if prepared.body.blocked:
            lines.append(
                self.tr(
                    "%n remote image(s) not loaded: Pli never fetches content from the Internet.",
                    "",
                    prepared.body.blocked,
                )
            )
        if not detail.summary.archived:
            lines.append(self.tr("The body is not archived yet; it will appear after the sync."))
        text = "\n".join(lines)
        self.banner.setText(text)
        self.banner.setAccessibleName(text)
        self.banner.setVisible(bool(lines))

    # -- events ----------------------------------------------------------------------------------

    def _on_engine_messages_changed(self, event: Any) -> None:
        if self._message_id is None:
            return
        if self._message_id in getattr(event, "removed", ()):
            self.show_message(None)
            return

    def _on_engine_sync_progress(self, event: object) -> None:
        # Bodies are archived after the headers (first sync): the one shown may have come.
        detail = self._detail
        if (
            isinstance(event, BodiesProgress | ArchiveComplete)
            and detail is not None
            and not detail.summary.archived
        ):
            self._body_check.start()

    def _on_body_check_timeout(self) -> None:
        detail = self._detail
        if self._message_id is not None and detail is not None and not detail.summary.archived:
            self.show_message(self._message_id)

    def _on_browser_link_activated(self, url: QUrl) -> None:
        scheme = url.scheme().lower()
        if scheme not in ("http", "https", "mailto"):
            return
        box = QMessageBox(
            QMessageBox.Icon.Question,
            self.tr("Open the link?"),
            self.tr("Open this address in your browser?\n\n%1").replace(
                "%1", url.toDisplayString()
            ),
            QMessageBox.StandardButton.Open | QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.button(QMessageBox.StandardButton.Open).setText(self.tr("Open"))
        box.button(QMessageBox.StandardButton.Cancel).setText(self.tr("Cancel"))
        box.accepted.connect(lambda: QDesktopServices.openUrl(url))
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()


def _person(person: Person) -> str:
    if person.name and person.name.lower() != person.address.lower():
        return f"{person.name} <{person.address}>"
    return person.address


def _civility(code: str) -> str:
    """The directory's civility code as written before a name (``DR`` → ``Dr``)."""
    written = {"DR": "Dr", "PR": "Pr", "M": "M.", "MME": "Mme", "MLLE": "Mme"}
    return written.get(code.strip().upper(), code.strip().capitalize())


def _person_html(person: Person, break_line: bool = False) -> str:
    """The name in bold and the address beside it (both escaped: no markup from the mail).

    ``break_line`` puts the address under the name (a pane too narrow for both on one line:
    the line then breaks between them, never inside the address).
    """
    address = html.escape(person.address)
    if person.name and person.name.lower() != person.address.lower():
        gap = "<br>" if break_line else "&nbsp; "
        return f"<b>{html.escape(person.name)}</b>{gap}&lt;{address}&gt;"
    return f"<b>{address}</b>"


def _kind_label(kind: str) -> str:
    labels = {
        "pdf": translate("ReadingPane", "PDF document"),
        "jpeg": translate("ReadingPane", "JPEG image"),
        "png": translate("ReadingPane", "PNG image"),
        "tiff": translate("ReadingPane", "TIFF image"),
        "rtf": translate("ReadingPane", "RTF document"),
        "zip": translate("ReadingPane", "ZIP archive"),
        "xml": translate("ReadingPane", "XML document"),
        "gif": translate("ReadingPane", "GIF image"),
        "bmp": translate("ReadingPane", "BMP image"),
        "webp": translate("ReadingPane", "WebP image"),
        "ole": translate("ReadingPane", "old Office document"),
        "office": translate("ReadingPane", "Office document"),
        "executable": translate("ReadingPane", "program (dangerous)"),
        "html": translate("ReadingPane", "web page"),
        "text": translate("ReadingPane", "text"),
        "empty": translate("ReadingPane", "empty file"),
        "other": translate("ReadingPane", "unknown type"),
    }
    return labels.get(kind, kind)


def _declared_kind(content_type: str) -> str:
    """The sender's declared type, before the content is inspected."""
    short = {
        "application/pdf": "pdf",
        "image/jpeg": "jpeg",
        "image/png": "png",
        "image/tiff": "tiff",
        "application/zip": "zip",
        "text/plain": "text",
        "text/xml": "xml",
        "application/xml": "xml",
        "application/rtf": "rtf",
        "text/rtf": "rtf",
    }.get(content_type)
    return _kind_label(short) if short else content_type


def _bounce_text(reason: BounceReason) -> str:
    texts = {
        BounceReason.MESSAGING_CLOSED: translate(
            "ReadingPane",
            "Not delivered: this patient's Mon espace santé messaging is closed. "
            "Reach them another way.",
        ),
        BounceReason.PATIENT_UNKNOWN: translate(
            "ReadingPane",
            "Not delivered: Mon espace santé does not know this patient. Check the INS.",
        ),
        BounceReason.INVALID_ADDRESS: translate(
            "ReadingPane", "Not delivered: the patient's address is not valid. Check the INS."
        ),
        BounceReason.TOO_LARGE: translate(
            "ReadingPane", "Not delivered: the message was too large for Mon espace santé."
        ),
        BounceReason.OTHER: translate(
            "ReadingPane", "Not delivered to the patient (Mon espace santé refused it)."
        ),
    }
    return texts[reason]
