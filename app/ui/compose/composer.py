"""The composer: a window per message being written (several may be open at once).

Everything goes through the engine: the checks (`services.compose.check`) run again a moment
after each change and are shown in plain French (a refusal disables "Envoyer", warnings ask for
a confirmation); the draft is saved in the encrypted archive a moment after each change
(`services.drafts.save`), so closing asks nothing and loses nothing; "Envoyer" queues the
message in the outbox (`services.compose.send`), which leaves at once or when the server is
back, never twice. Must run on the Qt thread.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QDate, QDateTime, QEvent, QMimeData, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from app.domain.addresses import MailAddress
from app.domain.checks import CheckReport, Issue
from app.domain.compose import from_display_name, reply_subject
from app.domain.errors import KnownError, ValidationError
from app.services.account_service import Account
from app.services.completion_service import CompletionService
from app.services.compose_service import Outgoing, SendOutcome, XdmRequest
from app.services.compose_support import ComposeSupport
from app.ui.async_bridge import run_dialog, ui_slot
from app.ui.compose.attachments import AttachedFile, AttachmentList
from app.ui.compose.patient_picker import PatientChoice, PatientPickerDialog
from app.ui.compose.recipients import ChipState, RecipientField
from app.ui.compose.texts import describe, describe_issue
from app.ui.context import UiContext
from app.ui.i18n import FRENCH

log = logging.getLogger(__name__)

#: A moment after the last change: the checks run, then the draft is saved.
CHECK_DELAY_MS = 350
SAVE_DELAY_MS = 800

#: LOINC document types offered for IHE_XDM (the most common between professionals).
XDM_TYPES = (
    ("11488-4", "Note de consultation"),
    ("34133-9", "Synthèse d'épisode de soins"),
    ("18842-5", "Lettre de liaison à la sortie"),
    ("11502-2", "Compte rendu de laboratoire"),
    ("11526-1", "Compte rendu d'anatomopathologie"),
    ("18748-4", "Compte rendu d'imagerie"),
    ("57833-6", "Prescription de produits de santé"),
)


def quote_header(when: datetime, who: str) -> str:
    """``Le jeudi 3 décembre 2026 à 7 h 02, X a écrit :`` (French reply style)."""
    moment = QDateTime(when)
    day = FRENCH.toString(moment.date(), "dddd d MMMM yyyy")
    time = FRENCH.toString(moment.time(), "H' h 'mm")
    text = QCoreApplication.translate("ComposerWindow", "On %1 at %2, %3 wrote:")
    return text.replace("%1", day).replace("%2", time).replace("%3", who)


def quoted(text: str) -> str:
    """Each line of `text` prefixed with ``> `` (RFC 3676 style)."""
    return "\n".join(("> " + line) if line else ">" for line in text.rstrip().splitlines())


class XdmDialog(QDialog):
    """How to send a PDF as an IHE_XDM document: its title, type and the date of the act."""

    def __init__(self, file_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Send as IHE_XDM"))
        form = QFormLayout(self)
        form.addRow(QLabel(self.tr("Document: %1").replace("%1", file_name), self))
        self.title = QLineEdit(self)
        self.title.setAccessibleName(self.tr("Title of the document"))
        self.kind = QComboBox(self)
        self.kind.setAccessibleName(self.tr("Type of document"))
        for code, label in XDM_TYPES:
            self.kind.addItem(f"{label} ({code})", code)
        self.act = QDateEdit(QDate.currentDate(), self)
        self.act.setDisplayFormat("dd/MM/yyyy")
        self.act.setCalendarPopup(True)
        self.act.setAccessibleName(self.tr("Date of the act"))
        form.addRow(self.tr("&Title:"), self.title)
        form.addRow(self.tr("T&ype:"), self.kind)
        form.addRow(self.tr("&Date of the act:"), self.act)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.kind.currentIndexChanged.connect(self._on_kind_current_index_changed)
        self._on_kind_current_index_changed(0)

    def _on_kind_current_index_changed(self, index: int) -> None:
        if not self.title.isModified():
            self.title.setText(XDM_TYPES[max(index, 0)][1])

    def request_values(self) -> tuple[str, str, str, str]:
        """(title, LOINC code, its label, act date ISO)."""
        index = max(self.kind.currentIndex(), 0)
        code, label = XDM_TYPES[index]
        return (
            self.title.text().strip() or label,
            code,
            label,
            self.act.date().toString("yyyy-MM-dd"),
        )


class PlaceholderDialog(QDialog):
    """The values of a template that Pli cannot know (a date, a place…), in one form."""

    def __init__(
        self, title: str, fields: list[tuple[str, str]], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        form = QFormLayout(self)
        self.edits: dict[str, QLineEdit] = {}
        for name, label in fields:
            edit = QLineEdit(self)
            edit.setAccessibleName(label)
            form.addRow(label + " :", edit)
            self.edits[name] = edit
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.setMinimumWidth(480)

    def values(self) -> dict[str, str]:
        """What was typed, by placeholder name."""
        return {name: edit.text() for name, edit in self.edits.items()}


class ComposerWindow(QMainWindow):
    """One message being written.

    Signals:
        sent(object): the message was queued (a `SendOutcome`); the window then closes.
        draft_changed(object): the draft's id (int) once it is first saved.
        finished(object): the window closed (its draft id, or None once sent or empty).
        checks_shown(object): the checks were shown (a `CheckReport`, or None on an error).
    """

    sent = Signal(object)
    draft_changed = Signal(object)
    finished = Signal(object)
    checks_shown = Signal(object)

    def __init__(
        self,
        ctx: UiContext,
        completion: CompletionService,
        support: ComposeSupport,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowFlag(Qt.WindowType.Window)
        self.ctx = ctx
        self.completion = completion
        self.support = support
        self.accounts: list[Account] = []
        self.account: Account | None = None
        self.draft_id: int | None = None
        self.reply_to_message: int | None = None
        self.forward_of: int | None = None
        self.patient: PatientChoice | None = None
        self.xdm: tuple[AttachedFile, tuple[str, str, str, str]] | None = None
        self.report: CheckReport | None = None
        self.check_error: KnownError | None = None
        self.receipt_touched = False
        self.sending = False
        self._loading = True
        self._dirty = False
        self._saving: asyncio.Task[int | None] | None = None
        self._checking: asyncio.Task[CheckReport | None] | None = None
        self._closing_done = False
        #: Closed (its C++ side is about to go): loading coroutines stop touching it.
        self.gone = False
        self.setWindowTitle(self.tr("New message"))
        self.setAcceptDrops(True)
        self.resize(980, 760)
        self._build()
        self.check_timer = QTimer(self, singleShot=True, interval=CHECK_DELAY_MS)
        self.check_timer.timeout.connect(self._on_check_timer_timeout)
        self.save_timer = QTimer(self, singleShot=True, interval=SAVE_DELAY_MS)
        self.save_timer.timeout.connect(self._on_save_timer_timeout)

    def is_gone(self) -> bool:
        """Closed: what is still loading must leave it alone."""
        return self.gone

    # -- building ----------------------------------------------------------------------------

    def _build(self) -> None:
        toolbar = QToolBar(self.tr("Message"), self)
        toolbar.setObjectName("composerToolbar")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.addToolBar(toolbar)
        self.send_action = QAction(self.tr("&Send"), self)
        self.send_action.setShortcut(QKeySequence("Ctrl+Return"))
        self.send_action.triggered.connect(self._on_send_action_triggered)
        self.attach_action = QAction(self.tr("&Attach…"), self)
        self.attach_action.setShortcut(QKeySequence("Ctrl+Shift+A"))
        self.attach_action.triggered.connect(self._on_attach_action_triggered)
        self.patient_action = QAction(self.tr("&Patient…"), self)
        self.patient_action.setShortcut(QKeySequence("Ctrl+Shift+P"))
        self.patient_action.triggered.connect(self._on_patient_action_triggered)
        self.save_template_action = QAction(self.tr("Save as &template…"), self)
        self.save_template_action.triggered.connect(self._on_save_template_action_triggered)
        self.close_action = QAction(self.tr("&Close"), self)
        self.close_action.setShortcut(QKeySequence("Ctrl+W"))
        self.close_action.triggered.connect(self.close)
        self.addAction(self.close_action)
        toolbar.addAction(self.attach_action)
        toolbar.addAction(self.patient_action)
        toolbar.addSeparator()
        self.template_box = QComboBox(self)
        self.template_box.setAccessibleName(self.tr("Template"))
        self.template_box.setMinimumWidth(280)
        self.template_box.addItem(self.tr("Use a template…"), None)
        self.template_box.activated.connect(self._on_template_box_activated)
        toolbar.addWidget(self.template_box)
        toolbar.addAction(self.save_template_action)

        central = QWidget(self)
        outer = QVBoxLayout(central)
        outer.setContentsMargins(12, 8, 12, 8)
        outer.setSpacing(6)
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        form.setVerticalSpacing(6)
        account_line = QHBoxLayout()
        self.account_box = QComboBox(central)
        self.account_box.setAccessibleName(self.tr("Sending mailbox"))
        self.account_box.currentIndexChanged.connect(self._on_account_box_current_index_changed)
        self.from_label = QLabel(central)
        self.from_label.setStyleSheet("color: #5f6368;")
        self.from_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        account_line.addWidget(self.account_box, 2)
        account_line.addWidget(self.from_label, 3)
        form.addRow(self._buddy(self.tr("&From:"), self.account_box), account_line)
        self.return_box = QComboBox(central)
        self.return_box.setAccessibleName(self.tr("Replies go to"))
        form.addRow(self.tr("&Replies to:"), self.return_box)
        self.to_field = RecipientField(self.tr("To"), self.completion.suggest, central)
        self.cc_field = RecipientField(self.tr("Cc"), self.completion.suggest, central)
        self.bcc_field = RecipientField(self.tr("Bcc"), self.completion.suggest, central)
        form.addRow(self._buddy(self.tr("&To:"), self.to_field), self.to_field)
        form.addRow(self._buddy(self.tr("C&c:"), self.cc_field), self.cc_field)
        form.addRow(self._buddy(self.tr("&Bcc:"), self.bcc_field), self.bcc_field)
        patient_line = QHBoxLayout()
        self.patient_label = QLabel(self.tr("No patient"), central)
        self.patient_label.setAccessibleName(self.tr("Patient of the message"))
        self.patient_button = QPushButton(self.tr("Choose…"), central)
        self.patient_button.setAccessibleName(self.tr("Choose the patient"))
        self.patient_button.clicked.connect(self._on_patient_action_triggered)
        patient_line.addWidget(self.patient_label, 1)
        patient_line.addWidget(self.patient_button)
        form.addRow(self.tr("Patient:"), patient_line)
        self.subject = QLineEdit(central)
        self.subject.setAccessibleName(self.tr("Subject"))
        form.addRow(self._buddy(self.tr("&Subject:"), self.subject), self.subject)
        outer.addLayout(form)

        self.body = QPlainTextEdit(central)
        self.body.setAccessibleName(self.tr("Text of the message"))
        self.body.setTabChangesFocus(True)
        lower = QWidget(central)
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        self.attachments = AttachmentList(lower)
        lower_layout.addWidget(self.attachments)
        options = QHBoxLayout()
        self.receipt = QCheckBox(self.tr("Ask for a read &receipt"), lower)
        self.dsn = QCheckBox(self.tr("Ask for a &delivery report"), lower)
        options.addWidget(self.receipt)
        options.addWidget(self.dsn)
        options.addStretch(1)
        lower_layout.addLayout(options)
        self.checks = QLabel(lower)
        self.checks.setWordWrap(True)
        self.checks.setTextFormat(Qt.TextFormat.RichText)
        self.checks.setAccessibleName(self.tr("Checks before sending"))
        self.checks.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        lower_layout.addWidget(self.checks)
        outer.addWidget(self.body, 1)
        outer.addWidget(lower)
        bottom = QHBoxLayout()
        self.status = QLabel(central)
        self.status.setStyleSheet("color: #5f6368;")
        self.close_button = QPushButton(self.tr("Close"), central)
        self.close_button.setToolTip(self.tr("The draft is kept: nothing is lost."))
        self.close_button.clicked.connect(self.close)
        self.send_button = QPushButton(self.tr("Send"), central)
        self.send_button.setDefault(True)
        self.send_button.setToolTip(self.tr("Send (Ctrl+Entrée)"))
        self.send_button.clicked.connect(self._on_send_action_triggered)
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.close_button)
        bottom.addWidget(self.send_button)
        outer.addLayout(bottom)
        self.setCentralWidget(central)

        for field in (self.to_field, self.cc_field, self.bcc_field):
            field.changed.connect(self._on_recipients_changed)
        self.subject.textChanged.connect(self._on_content_changed)
        self.body.textChanged.connect(self._on_body_text_changed)
        self.attachments.changed.connect(self._on_content_changed)
        self.attachments.pdf_requested.connect(self._on_attachments_pdf_requested)
        self.attachments.xdm_requested.connect(self._on_attachments_xdm_requested)
        self.receipt.toggled.connect(self._on_receipt_toggled)
        self.return_box.currentIndexChanged.connect(self._on_content_changed)
        self.dsn.toggled.connect(self._on_content_changed)
        self.setTabOrder(self.account_box, self.to_field.edit)
        self.setTabOrder(self.to_field.edit, self.cc_field.edit)
        self.setTabOrder(self.cc_field.edit, self.bcc_field.edit)
        self.setTabOrder(self.bcc_field.edit, self.patient_button)
        self.setTabOrder(self.patient_button, self.subject)
        self.setTabOrder(self.subject, self.body)
        self.setTabOrder(self.body, self.receipt)
        self.setTabOrder(self.receipt, self.dsn)
        self.setTabOrder(self.dsn, self.close_button)
        self.setTabOrder(self.close_button, self.send_button)

    def _buddy(self, text: str, widget: QWidget) -> QLabel:
        label = QLabel(text, self)
        label.setBuddy(widget.focusProxy() or widget)
        return label

    # -- opening -----------------------------------------------------------------------------

    async def prepare(self, account_name: str | None = None) -> None:
        """Load the accounts and templates. Must be awaited before anything is shown."""
        services = self.ctx.services
        # A retired mailbox (archive kept) sends nothing: never offered.
        self.accounts = [a for a in await services.accounts.list() if not a.config.retired]
        self.account_box.blockSignals(True)
        self.account_box.clear()
        for account in self.accounts:
            self.account_box.addItem(f"{account.name} — {account.address}", account.id)
        self.account_box.blockSignals(False)
        chosen = next((a for a in self.accounts if a.name == account_name), None)
        if chosen is None and self.accounts:
            chosen = self.accounts[0]
        self._select_account(chosen)
        try:
            library = await services.compose.templates()
        except KnownError as error:
            log.info("templates unavailable: %s", error.code)
        else:
            for template in sorted(
                (t for t in library.templates.values() if not t.hidden),
                key=lambda t: (t.source.value != "user", t.category, t.title),
            ):
                label = (
                    f"{template.category} — {template.title}"
                    if template.category
                    else (template.title)
                )
                self.template_box.addItem(label, template.id)
        self._loading = False
        self._schedule()

    def _select_account(self, account: Account | None) -> None:
        self.account = account
        if account is None:
            self.from_label.setText(self.tr("No mailbox: add one first."))
            self.send_button.setEnabled(False)
            return
        index = self.account_box.findData(account.id)
        if index >= 0 and index != self.account_box.currentIndex():
            self.account_box.blockSignals(True)
            self.account_box.setCurrentIndex(index)
            self.account_box.blockSignals(False)
        name = from_display_name(account.config.identity, account.config.box_type)
        shown = f"{name} <{account.address}>" if name else account.address
        self.from_label.setText(self.tr("The recipient sees: %1").replace("%1", shown))
        self.from_label.setAccessibleName(self.tr("The recipient sees: %1").replace("%1", shown))
        self.return_box.blockSignals(True)
        self.return_box.clear()
        reply_to = account.config.reply_to
        if reply_to:  # the account's return box first: its setting is the default
            self.return_box.addItem(self.tr("The return box %1").replace("%1", reply_to), None)
            self.return_box.addItem(self.tr("This mailbox (%1)").replace("%1", account.address), "")
        else:
            self.return_box.addItem(
                self.tr("This mailbox (%1)").replace("%1", account.address), None
            )
        for other in self.accounts:  # another box of the user (the practice's ORG box…)
            if other.id != account.id and other.address.lower() != (reply_to or "").lower():
                self.return_box.addItem(
                    self.tr("The mailbox “%1” (%2)")
                    .replace("%1", other.name)
                    .replace("%2", other.address),
                    other.address,
                )
        self.return_box.blockSignals(False)
        self.return_box.setToolTip(
            self.tr(
                "Where the recipients' replies arrive (Reply-To): a patient may then write there."
            )
        )

    async def open_new(self, account_name: str | None = None) -> None:
        """A blank message."""
        await self.prepare(account_name)
        self.to_field.edit.setFocus()

    async def open_draft(self, draft_id: int) -> None:
        """A saved draft, where it was left.

        Raises:
            NotFoundError: ``draft.not_found``.
        """
        saved = await self.ctx.services.drafts.get(draft_id)
        await self.prepare(saved.account)
        self._loading = True
        self.draft_id = draft_id
        out = saved.outgoing
        self.to_field.set_addresses(out.to)
        self.cc_field.set_addresses(out.cc)
        self.bcc_field.set_addresses(out.bcc)
        self.subject.setText(out.subject)
        self.body.setPlainText(out.text)
        self.reply_to_message = out.reply_to_message
        self.forward_of = out.forward_of
        self.dsn.setChecked(out.dsn)
        index = self.return_box.findData(out.reply_to)
        if out.reply_to is not None and index >= 0:
            self.return_box.setCurrentIndex(index)
        if out.read_receipt is not None:
            self.receipt.setChecked(out.read_receipt)
            self.receipt_touched = True
        for name, data in out.attachments:
            self.attachments.add(await self.support.inspect(name, data))
        self._update_recipients_state()
        self._loading = False
        self.setWindowTitle(self.subject.text() or self.tr("New message"))
        self.draft_changed.emit(draft_id)
        self._schedule(save=False)
        self.body.setFocus()

    async def open_reply(self, kind: str, message_id: int) -> None:
        """A reply, a reply to all or a forward of an archived message.

        Replies keep the threading headers (the engine adds In-Reply-To and References from
        the message, ECO.2.2.1/2.2.2) and, towards a patient, stay in their conversation.
        """
        services = self.ctx.services
        detail = await services.archive.detail(message_id)
        summary = detail.summary
        await self.prepare(summary.account)
        self._loading = True
        own = {a.address.lower() for a in self.accounts}
        sender = summary.sender
        when = datetime.fromtimestamp(summary.sent_date or summary.internal_date)
        who = (sender.name or sender.address) if sender else "?"
        if kind == "forward":
            self.forward_of = message_id
            subject = summary.subject
            self.subject.setText(subject if subject.lower().startswith("tr") else f"Tr: {subject}")
            header = [
                self.tr("-------- Forwarded message --------"),
                self.tr("From: %1").replace("%1", f"{who} <{sender.address}>" if sender else who),
                self.tr("Date: %1").replace(
                    "%1", FRENCH.toString(QDateTime(when), "dddd d MMMM yyyy HH:mm")
                ),
                self.tr("Subject: %1").replace("%1", summary.subject),
            ]
            self.body.setPlainText("\n\n" + "\n".join(header) + "\n\n" + detail.body_text)
            for name, data in await self.support.forwarded_files(message_id):
                self.attachments.add(await self.support.inspect(name, data))
        else:
            self.reply_to_message = message_id
            targets = [p.address for p in detail.reply_to] or ([sender.address] if sender else [])
            to = [a for a in targets if a.lower() not in own]
            cc: list[str] = []
            if kind == "reply_all":
                to += [p.address for p in detail.to if p.address.lower() not in own]
                cc = [p.address for p in detail.cc if p.address.lower() not in own]
            self.to_field.set_addresses(list(dict.fromkeys(to)))
            self.cc_field.set_addresses([a for a in dict.fromkeys(cc) if a not in to])
            self.subject.setText(reply_subject(summary.subject))
            self.body.setPlainText(
                "\n\n" + quote_header(when, who) + "\n" + quoted(detail.body_text) + "\n"
            )
        if summary.patient_ins:
            known = await services.patients.list()
            found = next((s for s in known if s.patient.ins == summary.patient_ins), None)
            if found is not None:
                p = found.patient
                self._set_patient(
                    PatientChoice(p.ins, p.family_name, p.given_name, p.birth_date, new=False)
                )
        self._update_recipients_state()
        self._loading = False
        self.setWindowTitle(self.subject.text())
        cursor = self.body.textCursor()
        cursor.movePosition(cursor.MoveOperation.Start)
        self.body.setTextCursor(cursor)
        self.body.setFocus()
        self._schedule()

    # -- what is written ---------------------------------------------------------------------

    def recipients(self) -> tuple[str, ...]:
        """Every recipient, chips and what is still typed."""
        out: list[str] = []
        for field in (self.to_field, self.cc_field, self.bcc_field):
            out += field.addresses()
            if "@" in field.pending_text():
                out.append(field.pending_text())
        return tuple(out)

    def to_patient(self) -> bool:
        """A patient is among the recipients."""
        return any(
            (a := MailAddress.try_parse(r)) is not None and a.is_patient_domain
            for r in self.recipients()
        )

    def outgoing(self, *, accept_warnings: bool = False) -> Outgoing:
        """What is written, as the engine takes it."""

        def field_addresses(field: RecipientField) -> tuple[str, ...]:
            pending = field.pending_text()
            return field.addresses() + ((pending,) if "@" in pending else ())

        files = []
        xdm: XdmRequest | None = None
        for attached in self.attachments.files():
            if self.xdm is not None and attached is self.xdm[0] and self.patient is not None:
                title, code, label, act = self.xdm[1]
                xdm = self.ctx.services.compose.xdm_request(
                    attached.effective.data,
                    patient_ins=self.patient.ins,
                    title=title,
                    type_code=code,
                    type_display=label,
                    act_date=act,
                )
                continue
            files.append((attached.effective.name, attached.effective.data))
        return Outgoing(
            to=field_addresses(self.to_field),
            cc=field_addresses(self.cc_field),
            bcc=field_addresses(self.bcc_field),
            subject="" if xdm is not None else self.subject.text(),
            text=self.body.toPlainText(),
            attachments=tuple(files),
            reply_to_message=self.reply_to_message,
            read_receipt=self.receipt.isChecked(),
            dsn=self.dsn.isChecked(),
            accept_warnings=accept_warnings,
            xdm=xdm,
            reply_to=self.return_box.currentData(),
            forward_of=self.forward_of,
        )

    def is_empty(self) -> bool:
        """Nothing written at all (such a draft is not kept)."""
        return not (
            self.recipients()
            or self.subject.text().strip()
            or self.body.toPlainText().strip()
            or self.attachments.files()
        )

    # -- changes -----------------------------------------------------------------------------

    def _schedule(self, *, save: bool = True, check: bool = True) -> None:
        if self._loading or self.sending:
            return
        if check:
            self.check_timer.start()
        if save:
            self._dirty = True
            self.save_timer.start()

    def _on_body_text_changed(self) -> None:
        # The text changes no check but the size: the message (documents included) is not
        # composed again at every keystroke unless it is near the limit.
        near = self.attachments.total_size() > 0.8 * self._limit()
        self._schedule(check=near or self.report is None)

    def _on_content_changed(self, *_args: object) -> None:
        self._update_gauge()
        self._schedule()

    def _on_recipients_changed(self) -> None:
        self._update_recipients_state()
        self._schedule()
        if self.patient is None or self.patient.address not in self.recipients():
            self.ctx.runner.run(self, self.find_patient())

    async def find_patient(self) -> None:
        """Show the patient of the message when one known patient is among the recipients."""
        patients = {
            a.patient_ins.value
            for a in map(MailAddress.try_parse, self.recipients())
            if a is not None and a.is_patient_domain and a.patient_ins is not None
        }
        if len(patients) != 1:
            if self.patient is not None and not patients and not self.xdm:
                self.patient = None
                self.patient_label.setText(self.tr("No patient"))
            return
        (ins,) = patients
        if self.patient is not None and self.patient.ins == ins:
            return
        known = await self.ctx.services.patients.list()
        found = next((s.patient for s in known if s.patient.ins == ins), None)
        if found is not None and not self.is_gone():
            self._set_patient(
                PatientChoice(
                    found.ins, found.family_name, found.given_name, found.birth_date, new=False
                )
            )

    def _on_receipt_toggled(self, _on: bool) -> None:
        if not self._loading:
            self.receipt_touched = True
        self._schedule()

    def _on_account_box_current_index_changed(self, index: int) -> None:
        account_id = self.account_box.itemData(index)
        self._select_account(next((a for a in self.accounts if a.id == account_id), None))
        self._schedule()

    def _update_recipients_state(self) -> None:
        to_patient = self.to_patient()
        if not self.receipt_touched:
            # Towards patients a read receipt is asked by default (spec §3; the setting).
            self.receipt.blockSignals(True)
            self.receipt.setChecked(
                to_patient and self.ctx.services.settings.sending.read_receipt_to_patients
            )
            self.receipt.blockSignals(False)
        self.attachments.set_to_patient(to_patient)
        self._update_gauge()

    def _limit(self) -> int:
        sending = self.ctx.services.settings.sending
        return sending.patient_limit_bytes if self.to_patient() else sending.operator_limit_bytes

    def _update_gauge(self) -> None:
        self.attachments.set_limit(self.attachments.total_size(), self._limit())

    # -- checks ------------------------------------------------------------------------------

    def _on_check_timer_timeout(self) -> None:
        if self._checking is not None and not self._checking.done():
            self.check_timer.start()  # one check at a time; the next one right after
            return
        self._checking = asyncio.ensure_future(self.run_checks())

    async def run_checks(self) -> CheckReport | None:
        """Ask the engine's checks and show them (also flags the chips)."""
        if self.account is None:
            return None
        outgoing = self.outgoing()
        self.check_error = None
        report: CheckReport | None
        try:
            report = await self.ctx.services.compose.check(self.account, outgoing)
        except KnownError as error:
            report, self.check_error = None, error
        if self.gone:
            return report  # closed meanwhile: nothing left to show
        self.report = report
        self._show_checks()
        self.checks_shown.emit(report)
        return report

    def blocking_reasons(self) -> list[str]:
        """The refusals, in French (empty when the message may leave)."""
        if self.check_error is not None:
            return [describe(self.check_error.code, _str_params(self.check_error.params))]
        if self.report is None:
            return []
        return [describe_issue(i) for i in self.report.errors]

    def warnings(self) -> list[Issue]:
        """The warnings that need a confirmation."""
        if self.report is None:
            return []
        from app.services.compose_service import INFORMATIVE

        return [w for w in self.report.warnings if w.code not in INFORMATIVE]

    def _show_checks(self) -> None:
        all_refusals = self.blocking_reasons()
        # A message just opened is not scolded: "add a recipient" is the button's tooltip.
        quiet = not self.recipients()
        refusals = [] if quiet else all_refusals
        refused_word = _html(self.tr("Refused:"))
        lines = [
            f'<div style="color:#a11b1b"><b>{refused_word}</b> {_html(text)}</div>'
            for text in refusals
        ]
        confirm_word = _html(self.tr("To confirm:"))
        lines += [
            f'<div style="color:#6b4a00"><b>{confirm_word}</b> {_html(describe_issue(w))}</div>'
            for w in (self.report.warnings if self.report is not None and not quiet else ())
        ]
        self.checks.setText("".join(lines))
        self.checks.setVisible(bool(lines))
        plain = "\n".join(
            [*refusals, *(describe_issue(w) for w in (self.report.warnings if self.report else ()))]
        )
        self.checks.setAccessibleDescription(plain)
        blocked = bool(all_refusals) or self.account is None
        self.send_button.setEnabled(not blocked and not self.sending)
        self.send_action.setEnabled(not blocked and not self.sending)
        self.send_button.setToolTip(
            all_refusals[0] if all_refusals else self.tr("Send (Ctrl+Entrée)")
        )
        self._flag_chips()

    def _flag_chips(self) -> None:
        issues = list(self.report.issues) if self.report is not None else []
        flagged: dict[str, tuple[ChipState, str]] = {}
        for issue in issues:
            addresses = [
                a.strip().lower()
                for key in ("address", "value", "addresses")
                for a in issue.params.get(key, "").split(",")
                if "@" in a
            ]
            state = ChipState.INVALID if issue.is_error else ChipState.WARNING
            for address in addresses:
                if flagged.get(address, (None,))[0] is not ChipState.INVALID:
                    flagged[address] = (state, describe_issue(issue))
        for field in (self.to_field, self.cc_field, self.bcc_field):
            for chip in field.chips():
                found = flagged.get(chip.address.lower())
                if found is not None:
                    chip.set_state(*found)
                elif chip.state in (ChipState.WARNING, ChipState.INVALID):
                    from app.ui.compose.recipients import local_state

                    state, code = local_state(chip.address)
                    if not code:
                        chip.set_state(state, "")

    # -- drafts ------------------------------------------------------------------------------

    def _on_save_timer_timeout(self) -> None:
        if self._saving is not None and not self._saving.done():
            self.save_timer.start()
            return
        self._saving = asyncio.ensure_future(self.save_draft())

    async def save_draft(self) -> int | None:
        """Keep what is written in the encrypted archive (nothing when it is all empty)."""
        if self.account is None or self.sending or not self._dirty:
            return self.draft_id
        if self.is_empty() and self.draft_id is None:
            return None
        self._dirty = False
        outgoing = replace(self.outgoing(), xdm=None)
        if self.xdm is not None:  # the PDF stays a plain document in the draft
            outgoing = replace(
                outgoing,
                attachments=(
                    *outgoing.attachments,
                    (self.xdm[0].effective.name, self.xdm[0].effective.data),
                ),
                subject=self.subject.text(),
            )
        first = self.draft_id is None
        try:
            self.draft_id = await self.ctx.services.drafts.save(
                self.account, outgoing, self.draft_id
            )
        except KnownError as error:
            self._dirty = True
            if self.gone:
                return self.draft_id
            self.status.setText(describe(error.code, _str_params(error.params)))
            return self.draft_id
        if self.gone:  # closed meanwhile: the draft is kept, the window is gone
            return self.draft_id
        now = FRENCH.toString(QDateTime.currentDateTime().time(), "HH:mm:ss")
        self.status.setText(self.tr("Draft saved at %1").replace("%1", now))
        if first:
            self.draft_changed.emit(self.draft_id)
        return self.draft_id

    # -- actions -----------------------------------------------------------------------------

    @ui_slot()
    async def _on_attach_action_triggered(self) -> None:
        dialog = QFileDialog(self, self.tr("Attach documents"))
        dialog.setFileMode(QFileDialog.FileMode.ExistingFiles)
        dialog.setNameFilters(
            [
                self.tr("Documents (*.pdf *.jpg *.jpeg *.png *.tif *.tiff *.rtf *.zip *.xml)"),
                self.tr("All files (*)"),
            ]
        )
        accepted = await run_dialog(dialog) == QDialog.DialogCode.Accepted
        paths = dialog.selectedFiles() if accepted else []
        dialog.deleteLater()
        for path in paths:
            await self.attach_path(Path(path))

    async def attach_path(self, path: Path) -> bool:
        """Judge a file on its bytes and list it, or say why not."""
        try:
            file = await self.support.inspect_path(path)
        except KnownError as error:
            self.attachments.show_refusal(
                f"{path.name}\u00a0: {describe(error.code, _str_params(error.params))}"
            )
            return False
        except OSError:
            self.attachments.show_refusal(self.tr("“%1” cannot be read.").replace("%1", path.name))
            return False
        return self.attachments.add(file)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 - Qt override
        """Qt override."""
        if _local_files(event.mimeData()):
            event.acceptProposedAction()

    def dragMoveEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        """Qt override."""
        event.accept()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 - Qt override
        """Qt override."""
        paths = _local_files(event.mimeData())
        if not paths:
            return
        event.acceptProposedAction()
        self._attach_dropped(paths)

    def _attach_dropped(self, paths: list[Path]) -> None:
        async def attach_all() -> None:
            for path in paths:
                await self.attach_path(path)

        self.ctx.runner.run(self, attach_all())

    def _on_attachments_pdf_requested(self, attached: object) -> None:
        assert isinstance(attached, AttachedFile)

        async def convert() -> None:
            try:
                attached.converted = await self.support.to_pdf(attached.original)
            except KnownError as error:
                attached.as_pdf = False
                self.attachments.show_refusal(describe(error.code, _str_params(error.params)))
            self.attachments.refresh()
            self._on_content_changed()

        self.ctx.runner.run(self, convert())

    @ui_slot(object)
    async def _on_attachments_xdm_requested(self, attached: object) -> None:
        assert isinstance(attached, AttachedFile)
        if self.patient is None:
            await self._choose_patient(add_recipient=False)
        if self.patient is None:
            attached.xdm = False
            self.attachments.refresh()
            return
        dialog = XdmDialog(attached.effective.name, self)
        if await run_dialog(dialog) != QDialog.DialogCode.Accepted:
            attached.xdm = False
        else:
            attached.xdm = True
            self.xdm = (attached, dialog.request_values())
            self.subject.setEnabled(False)
            self.subject.setPlaceholderText(
                self.tr("The subject comes from the document (XDM/1.0/DDM+…)")
            )
        if not attached.xdm and self.xdm is not None and self.xdm[0] is attached:
            self.xdm = None
        if self.xdm is None:
            self.subject.setEnabled(True)
            self.subject.setPlaceholderText("")
        dialog.deleteLater()
        self.attachments.refresh()
        self._schedule()

    @ui_slot()
    async def _on_patient_action_triggered(self) -> None:
        await self._choose_patient(add_recipient=True)

    async def _choose_patient(self, *, add_recipient: bool) -> None:
        services = self.ctx.services
        dialog = PatientPickerDialog(await services.patients.list(), self)
        unknown = self.check_error
        if unknown is not None and unknown.code == "patient.unknown":
            dialog.ins.setText(str(unknown.params.get("ins", "")))  # the INS typed as an address
        result = await run_dialog(dialog)
        choice = dialog.choice
        dialog.deleteLater()
        if result != QDialog.DialogCode.Accepted or choice is None:
            return
        if choice.new:
            # Recorded at once: its identity is what the engine needs to write to them.
            await services.patients.add(choice.ins, choice.family, choice.given, choice.birth_date)
            self.completion.invalidate()
        self._set_patient(choice)
        if add_recipient and not self.xdm:
            self.to_field.add_address(choice.address, choice.label())
        self._schedule()

    def _set_patient(self, choice: PatientChoice) -> None:
        self.patient = choice
        text = f"{choice.label()} — INS {choice.ins}"
        if choice.birth_date:
            date = QDate.fromString(choice.birth_date, "yyyy-MM-dd")
            text += " — " + self.tr("born %1").replace("%1", FRENCH.toString(date, "dd/MM/yyyy"))
        self.patient_label.setText(text)
        self.patient_label.setAccessibleName(
            self.tr("Patient of the message: %1").replace("%1", text)
        )

    @ui_slot(int)
    async def _on_template_box_activated(self, index: int) -> None:
        template_id = self.template_box.itemData(index)
        self.template_box.setCurrentIndex(0)
        if template_id:
            await self.apply_template(str(template_id))

    async def apply_template(
        self, template_id: str, values: dict[str, str] | None = None, *, ask: bool = True
    ) -> bool:
        """Fill the subject and text from a template (patient and account values filled in).

        The values Pli cannot know are asked in one form (`values` gives them in tests).
        Returns False when the user gave up or a value is missing.
        """
        if self.account is None:
            return False
        services = self.ctx.services
        given = dict(values or {})
        to = self.recipients()
        if self.patient is not None and not any(self.patient.address == r.lower() for r in to):
            to = (*to, self.patient.address)
        while True:
            try:
                rendered = await services.compose.render_template(
                    self.account, template_id, to=to, values=given
                )
                break
            except ValidationError as error:
                found = error.params.get("missing")
                missing = [str(n) for n in found] if isinstance(found, tuple | list) else []
                if error.code != "template.missing_values" or not ask or not missing:
                    self.status.setText(describe(error.code, _str_params(error.params)))
                    return False
                library = await services.compose.templates()
                template = library.get(template_id)
                dialog = PlaceholderDialog(
                    template.title,
                    [(str(n), template.placeholder(str(n)).label) for n in missing],
                    self,
                )
                accepted = await run_dialog(dialog) == QDialog.DialogCode.Accepted
                given.update(dialog.values())
                dialog.deleteLater()
                if not accepted:
                    return False
                ask = False  # asked once: what is still missing is said in the status
        self.subject.setText(rendered.subject)
        self.body.setPlainText(rendered.text)
        for name, data in rendered.attachments:
            self.attachments.add(await self.support.inspect(name, data))
        self._schedule()
        return True

    @ui_slot()
    async def _on_save_template_action_triggered(self) -> None:
        dialog = QInputDialog(self)
        dialog.setWindowTitle(self.tr("Save as template"))
        dialog.setLabelText(self.tr("Name of the template:"))
        accepted = await run_dialog(dialog) == QDialog.DialogCode.Accepted
        title = dialog.textValue()
        dialog.deleteLater()
        if accepted and title.strip():
            await self.save_as_template(title)

    async def save_as_template(self, title: str) -> None:
        """Keep the subject and text as one of the user's templates."""
        template = await self.support.save_template(
            title, self.subject.text(), self.body.toPlainText(), to_patient=self.to_patient()
        )
        self.template_box.addItem(
            self.tr("My templates — %1").replace("%1", template.title), template.id
        )
        self.status.setText(self.tr("Template “%1” saved.").replace("%1", template.title))

    @ui_slot()
    async def _on_send_action_triggered(self) -> None:
        await self.send()

    async def send(
        self, *, confirm: Callable[[list[Issue]], bool] | None = None
    ) -> SendOutcome | None:
        """Check, ask to confirm the warnings, queue; close on success.

        `confirm` replaces the confirmation dialog (tests); it gets the warnings.
        """
        if self.account is None or self.sending:
            return None
        for field in (self.to_field, self.cc_field, self.bcc_field):
            field.commit_pending()
        self.check_timer.stop()
        report = await self.run_checks()
        if self.blocking_reasons() or report is None:
            return None
        warnings = self.warnings()
        accept = False
        if warnings:
            if confirm is not None:
                accept = confirm(warnings)
            else:
                accept = await self._confirm(warnings)
            if not accept:
                return None
        self.sending = True
        self.send_button.setEnabled(False)
        self.status.setText(self.tr("Sending…"))
        self.save_timer.stop()
        account = self.account
        try:
            outcome = await self.ctx.services.compose.send(
                account, self.outgoing(accept_warnings=accept), flush=False
            )
        except ValidationError as error:
            self.sending = False
            issues = error.params.get("issues")
            if isinstance(issues, tuple | list) and issues:
                self.status.setText(describe_issue(issues[0]))
            else:
                self.status.setText(describe(error.code, _str_params(error.params)))
            self.send_button.setEnabled(True)
            return None
        except KnownError as error:
            self.sending = False
            self.send_button.setEnabled(True)
            self.ctx.errors.report(error, self)
            return None
        if self.draft_id is not None:
            await self.ctx.services.drafts.delete(self.draft_id)
            self.draft_id = None
        self.completion.invalidate()
        self.sent.emit(outcome)
        self.close()
        return outcome

    async def _confirm(self, warnings: list[Issue]) -> bool:
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle(self.tr("Send anyway?"))
        box.setText(self.tr("Please confirm before sending:"))
        box.setInformativeText("\n\n".join(describe_issue(w) for w in warnings))
        send = box.addButton(self.tr("Send anyway"), QMessageBox.ButtonRole.AcceptRole)
        box.addButton(self.tr("Go back"), QMessageBox.ButtonRole.RejectRole)
        await run_dialog(box)
        accepted = box.clickedButton() is send
        box.deleteLater()
        return accepted

    # -- closing -----------------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        """Close at once; what was written is saved (no question asked)."""
        self.check_timer.stop()
        self.save_timer.stop()
        if not self._closing_done and not self.sending and self._dirty and self.account:
            self._closing_done = True
            event.ignore()

            async def save_then_close() -> None:
                try:
                    if self._saving is not None and not self._saving.done():
                        await self._saving
                    await self.save_draft()
                finally:
                    self.close()

            self.hide()
            self.ctx.runner.run(self, save_then_close())
            return
        self.gone = True
        self.finished.emit(None if self.sending else self.draft_id)
        super().closeEvent(event)


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _str_params(params: object) -> dict[str, str]:
    if not isinstance(params, dict):
        return {}
    return {str(k): str(v) for k, v in params.items() if isinstance(v, str | int)}


def _local_files(mime: QMimeData) -> list[Path]:
    if not mime.hasUrls():
        return []
    return [Path(u.toLocalFile()) for u in mime.urls() if u.isLocalFile()]
