"""A patient's conversation as rows of a list: date separators, messages, notices.

Only the last messages are read in full when a conversation opens; an "earlier messages" row
at the top loads the previous ones on demand (`ConversationService.items`). The view draws
every row with `ConversationDelegate` (no widget per message). Must run on the Qt thread.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QCoreApplication,
    QDateTime,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)

from app.domain.delivery import MessageStatus
from app.services.conversation_service import ConversationItem, PatientEvent
from app.ui.models.formatting import LOCALE, format_size, format_spoken_date, format_time

translate = QCoreApplication.translate

KIND_ROLE = Qt.ItemDataRole.UserRole + 1
ITEM_ROLE = Qt.ItemDataRole.UserRole + 2
ID_ROLE = Qt.ItemDataRole.UserRole + 3

Index = QModelIndex | QPersistentModelIndex

#: Kinds of rows.
EARLIER = "earlier"
DAY = "day"
MESSAGE = "message"
EVENT = "event"


@dataclass(frozen=True)
class Row:
    """One row: its kind, its text, and the message for a message row."""

    kind: str
    text: str
    item: ConversationItem | None = None
    tone: str = ""  # events: "closed", "reopened", "objection"


def bounce_text(reason: str | None) -> str:
    """A non-delivery report explained in plain French (spec §5)."""
    texts = {
        "messaging_closed": translate(
            "Conversation",
            "Not delivered: this patient's Mon espace santé messaging is closed (turned off, "
            "objected to, or not activated yet). Contact them another way.",
        ),
        "patient_unknown": translate(
            "Conversation",
            "Not delivered: no patient has this address in Mon espace santé. Check the "
            "patient's INS (qualified identity) before writing again.",
        ),
        "invalid_address": translate(
            "Conversation",
            "Not delivered: the patient's address is not valid. A patient's address is "
            "<INS>@patient.mssante.fr, from their qualified INS.",
        ),
        "too_large": translate(
            "Conversation",
            "Not delivered: too large for Mon espace santé (25 MB in all, attachments "
            "included). Send the documents in several messages or make them smaller.",
        ),
    }
    return texts.get(
        reason or "",
        translate("Conversation", "Not delivered: Mon espace santé returned the message."),
    )


def status_of(item: ConversationItem) -> tuple[str, str]:
    """(tone, text) of a sent message's status: sent → delivered → read, or failed."""
    if item.pending_state in ("queued", "submitting", "uncertain"):
        return "waiting", translate("Conversation", "Waiting to leave (outbox)")
    if item.pending_state == "failed":
        return "failed", translate("Conversation", "Refused by the server")
    if item.bounce is not None:
        return "failed", translate("Conversation", "Not delivered")
    values = [s for s, _d in item.statuses.values()]
    if any(v == MessageStatus.FAILED.value for v in values):
        return "failed", translate("Conversation", "Failed")
    if values and all(v == MessageStatus.READ.value for v in values):
        return "read", translate("Conversation", "Read")
    arrived = (MessageStatus.READ.value, MessageStatus.DELIVERED.value)
    if values and all(v in arrived for v in values):
        return "delivered", translate("Conversation", "Delivered")
    return "sent", translate("Conversation", "Sent")


def failure_detail(item: ConversationItem) -> str:
    """Why a sent message failed, in French (the bounce, or the server's refusal)."""
    if item.pending_state == "failed":
        return translate("Conversation", "See the outbox to retry it.")
    if item.bounce is not None:
        return bounce_text(item.bounce)
    failed = [d for s, d in item.statuses.values() if s == MessageStatus.FAILED.value]
    if failed:
        return translate(
            "Conversation", "The server refused the message for this patient (%1)."
        ).replace("%1", (failed[0] or "").strip()[:120])
    return ""


def kind_label(content_type: str, name: str, kind: str = "") -> str:
    """A document's type in words (``PDF``, ``Image JPEG``…): the real one when inspected."""
    real = {
        "pdf": "PDF",
        "jpeg": translate("Conversation", "Image %1").replace("%1", "JPEG"),
        "png": translate("Conversation", "Image %1").replace("%1", "PNG"),
        "tiff": translate("Conversation", "Image %1").replace("%1", "TIFF"),
        "rtf": "RTF",
        "xml": "XML",
    }
    if kind in real:
        return real[kind]
    if kind == "zip" and "xdm" in name.lower():
        return translate("Conversation", "IHE XDM package")
    if kind and kind not in ("unknown", "zip"):
        return translate("Conversation", "%1 (not accepted by MSSanté)").replace("%1", kind.upper())
    lowered = content_type.lower()
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if "pdf" in lowered or ext == "pdf":
        return "PDF"
    if ext == "zip" and "xdm" in name.lower():
        return translate("Conversation", "IHE XDM package")
    if lowered.startswith("image/"):
        return translate("Conversation", "Image %1").replace("%1", lowered[6:].upper())
    if "rtf" in lowered or ext == "rtf":
        return "RTF"
    return ext.upper() or translate("Conversation", "File")


def document_line(name: str, content_type: str, size: int, kind: str = "") -> str:
    """``CR_echo.pdf — PDF, 120,6 ko``."""
    shown = name or translate("Conversation", "(unnamed)")
    return f"{shown} — {kind_label(content_type, name, kind)}, {format_size(size)}"


def day_label(epoch: int) -> str:
    """A date separator: ``Aujourd'hui``, ``Hier``, ``jeudi 3 décembre 2026``."""
    when = QDateTime.fromSecsSinceEpoch(epoch).date()
    days = when.daysTo(QDateTime.currentDateTime().date())
    if days == 0:
        return translate("Conversation", "Today")
    if days == 1:
        return translate("Conversation", "Yesterday")
    return LOCALE.toString(when, "dddd d MMMM yyyy")


def event_text(event: PatientEvent) -> tuple[str, str] | None:
    """(tone, text) of a conversation event shown as a notice row."""
    when = format_spoken_date(event.ts)
    if event.kind == "closed":
        return "closed", translate("Conversation", "Exchange ended %1").replace("%1", when)
    if event.kind == "reopened":
        return "reopened", translate("Conversation", "Conversation reopened %1").replace("%1", when)
    if event.kind == "objection":
        return "objection", translate("Conversation", "The patient objects to messaging")
    return None


def message_sentence(item: ConversationItem, patient: str) -> str:
    """What a screen reader says for a message row."""
    if item.direction == "in":
        who = translate("Conversation", "From %1").replace("%1", item.sender or patient)
    elif item.direction == "notice":
        who = translate("Conversation", "Notice from Mon espace santé")
    else:
        who = translate("Conversation", "Sent by you")
    parts = [who, format_spoken_date(item.date), item.subject, item.text[:300]]
    if item.documents:
        parts.append(translate("Conversation", "%n document(s)", "", len(item.documents)))
        parts.extend(document_line(d.name, d.content_type, d.size, d.kind) for d in item.documents)
    if item.direction == "out":
        parts.append(status_of(item)[1])
        detail = failure_detail(item)
        if detail:
            parts.append(detail)
    if item.end_of_exchange:
        parts.append(translate("Conversation", "end of the exchange"))
    if item.late:
        parts.append(translate("Conversation", "received after the end of the exchange"))
    if item.unread:
        parts.append(translate("Conversation", "unread"))
    return ", ".join(p for p in parts if p)


class ConversationModel(QAbstractListModel):
    """The rows of one conversation, oldest at the top."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[Row] = []
        self._items: list[ConversationItem] = []
        self._events: list[PatientEvent] = []
        self._all_ids: list[int] = []
        self.patient_name = ""

    # -- Qt API ----------------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt API
        """Rows (none under a row)."""
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Text, accessible sentence, kind, and the message for the delegate."""
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return row.text
        if role == Qt.ItemDataRole.AccessibleTextRole:
            if row.item is not None:
                return message_sentence(row.item, self.patient_name)
            return row.text
        if role == KIND_ROLE:
            return row.kind
        if role == ITEM_ROLE:
            return row
        if role == ID_ROLE:
            return row.item.id if row.item is not None else None
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        """Messages and the "earlier" row can be chosen; separators cannot."""
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        kind = self._rows[index.row()].kind
        if kind in (MESSAGE, EARLIER):
            return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        return Qt.ItemFlag.ItemIsEnabled

    # -- content ---------------------------------------------------------------------------------

    @property
    def items(self) -> list[ConversationItem]:
        """The messages loaded, oldest first."""
        return list(self._items)

    @property
    def earlier_ids(self) -> list[int]:
        """Messages of the conversation not loaded yet (oldest first)."""
        loaded = {i.id for i in self._items}
        first = next((n for n, mid in enumerate(self._all_ids) if mid in loaded), None)
        if first is None:
            return list(self._all_ids) if not self._items else []
        return self._all_ids[:first]

    def set_conversation(
        self,
        ids: Sequence[int],
        items: Sequence[ConversationItem],
        events: Sequence[PatientEvent],
    ) -> None:
        """A conversation as it opens (the last messages in full)."""
        self._all_ids = list(ids)
        self._items = list(items)
        self._events = list(events)
        self._rebuild()

    def add_earlier(self, items: Sequence[ConversationItem]) -> None:
        """Earlier messages read on demand, put before the others."""
        known = {i.id for i in self._items}
        self._items = [i for i in items if i.id not in known] + self._items
        self._rebuild()

    def clear(self) -> None:
        """No conversation."""
        self.set_conversation([], [], [])

    def row_of(self, message_id: int) -> int | None:
        """The row of a message."""
        return next(
            (n for n, r in enumerate(self._rows) if r.item is not None and r.item.id == message_id),
            None,
        )

    def _rebuild(self) -> None:
        rows: list[Row] = []
        earlier = len(self.earlier_ids)
        if earlier:
            rows.append(
                Row(
                    EARLIER,
                    translate("Conversation", "Show %n earlier message(s)", "", earlier),
                )
            )
        start = self._items[0].date if self._items and earlier else None
        shown_refs = {i.message_id for i in self._items if i.end_of_exchange}
        timeline: list[tuple[int, int, Row]] = []
        for item in self._items:
            timeline.append((item.date, 1, Row(MESSAGE, item.subject, item)))
        for event in self._events:
            if start is not None and event.ts < start:
                continue
            if event.kind == "closed" and event.message_ref in shown_refs:
                continue  # the [FIN] message says it already
            described = event_text(event)
            if described is not None:
                timeline.append((event.ts, 2, Row(EVENT, described[1], tone=described[0])))
        timeline.sort(key=lambda t: (t[0], t[1]))
        day = None
        for when, _order, row in timeline:
            label = day_label(when)
            if label != day:
                rows.append(Row(DAY, label))
                day = label
            rows.append(row)
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()


def time_text(item: ConversationItem) -> str:
    """The bubble's time."""
    return format_time(item.date)
