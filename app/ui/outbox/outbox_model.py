"""The outbox as a table: what waits, what was sent and how far it got, what failed and why.

Rows come from `OutboxService.overview` (each entry with its recipients' status). Must run on
the Qt thread.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QColor

from app.domain.delivery import MessageStatus
from app.domain.documents.naming import display_subject
from app.domain.outbox import OutboxState
from app.services.outbox_service import PENDING_STATUS, OutboxItem
from app.ui.models.formatting import format_list_date

translate = QCoreApplication.translate

ENTRY_ROLE = Qt.ItemDataRole.UserRole + 1
Index = QModelIndex | QPersistentModelIndex

#: Columns of the table.
COLUMNS = ("state", "subject", "recipients", "date", "detail")


def state_text(item: OutboxItem) -> str:
    """Where the message stands, in French words."""
    entry = item.entry
    state = entry.state
    if state is OutboxState.QUEUED:
        return translate("Outbox", "Waiting to leave")
    if state is OutboxState.SUBMITTING:
        return translate("Outbox", "Being sent")
    if state is OutboxState.UNCERTAIN:
        return translate("Outbox", "Being checked")
    if state is OutboxState.FAILED:
        return translate("Outbox", "Failed")
    values = [s for s, _d in item.statuses.values()]
    if PENDING_STATUS in values:
        # Refused only for now by the server for some: tried again by itself later.
        return translate("Outbox", "Sent, waiting for some recipients")
    if values and any(v == MessageStatus.FAILED.value for v in values):
        return translate("Outbox", "Sent, not delivered to everyone")
    if values and all(v == MessageStatus.READ.value for v in values):
        return translate("Outbox", "Read")
    if values and all(
        v in (MessageStatus.READ.value, MessageStatus.DELIVERED.value) for v in values
    ):
        return translate("Outbox", "Delivered")
    return translate("Outbox", "Sent")


def kind_text(kind: str) -> str:
    """What kind of message Pli wrote."""
    if kind == "end_of_exchange":
        return translate("Outbox", "End of the exchange")
    if kind == "receipt":
        return translate("Outbox", "Read receipt")
    return ""


def detail_text(item: OutboxItem, describe: Callable[[str], str], reason: str | None = None) -> str:
    """Why it waits or failed, in plain French; or what each recipient's status is.

    `reason` is the code of the last attempt's outcome when the archive has none (the
    engine says it in `OutboxChanged` when the server could not be reached).
    """
    entry = item.entry
    state = entry.state
    if state is OutboxState.QUEUED:
        code = entry.last_error or reason
        if code:
            waits = translate("Outbox", "Waits: %1. It leaves by itself when the server is back.")
            return waits.replace("%1", describe(code))
        return translate("Outbox", "It leaves at the next connection to the server.")
    if state in (OutboxState.SUBMITTING, OutboxState.UNCERTAIN):
        return translate(
            "Outbox",
            "The server's answer was lost: Pli looks for the message on the server before "
            "sending it again, so that it never leaves twice.",
        )
    if state is OutboxState.FAILED:
        reason = describe(entry.last_error) if entry.last_error else ""
        refused = "; ".join(
            f"{r.get('address', '')} ({r.get('code', '')} {r.get('text', '')})".strip()
            for r in entry.refused
        )
        text = translate("Outbox", "Refused by the server: %1").replace("%1", reason or refused)
        return text
    parts = []
    for recipient, (status, detail) in item.statuses.items():
        word = {
            MessageStatus.SUBMITTED.value: translate("Outbox", "sent"),
            MessageStatus.DELIVERED.value: translate("Outbox", "delivered"),
            MessageStatus.READ.value: translate("Outbox", "read"),
            MessageStatus.FAILED.value: translate("Outbox", "not delivered"),
        }.get(status, status)
        if status == PENDING_STATUS:
            # Refused for now (a 4xx): the server's own words, tried again by itself later.
            word = translate("Outbox", "waiting (the server answered: %1)").replace(
                "%1", (detail or "?")[:120]
            )
        line = f"{recipient}\u00a0: {word}"
        if status == MessageStatus.FAILED.value and detail:
            line += f" ({detail[:80]})"
        parts.append(line)
    if state is OutboxState.SUBMITTED:
        parts.append(translate("Outbox", "copy in Sent still to be made"))
    return "; ".join(parts)


class OutboxModel(QAbstractTableModel):
    """Outbox entries, newest first."""

    def __init__(self, describe: Callable[[str], str], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._items: list[OutboxItem] = []
        self._describe = describe
        #: Entry id → code of its last attempt's outcome (from `OutboxChanged`).
        self.reasons: dict[int, str] = {}

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt API
        """Entries."""
        return 0 if parent.isValid() else len(self._items)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt API
        """State, subject, recipients, date, detail."""
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(  # noqa: N802 - Qt API
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        """Column titles."""
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        if not 0 <= section < len(COLUMNS):
            return None
        return (
            translate("Outbox", "State"),
            translate("Outbox", "Subject"),
            translate("Outbox", "To"),
            translate("Outbox", "Written"),
            translate("Outbox", "Details"),
        )[section]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Cell text; the row's sentence for screen readers."""
        if not index.isValid() or not 0 <= index.row() < len(self._items):
            return None
        if not 0 <= index.column() < len(COLUMNS):
            return None
        item = self._items[index.row()]
        column = COLUMNS[index.column()]
        if role == ENTRY_ROLE:
            return item
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self._cell(item, column)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return ", ".join(t for t in (self._cell(item, c) for c in COLUMNS) if t)
        if role == Qt.ItemDataRole.ForegroundRole and column == "state":
            if item.entry.state is OutboxState.FAILED:
                return QColor("#b3261e")
            if item.entry.state.waiting:
                return QColor("#8a5a00")
        return None

    def _cell(self, item: OutboxItem, column: str) -> str:
        entry = item.entry
        if column == "state":
            return state_text(item)
        if column == "subject":
            kind = kind_text(entry.kind)
            subject = display_subject(entry.subject) if entry.subject else ""
            return f"{kind} — {subject}" if kind and subject else (kind or subject)
        if column == "recipients":
            return ", ".join(entry.recipients)
        if column == "date":
            return format_list_date(entry.created_at)
        return detail_text(item, self._describe, self.reasons.get(entry.id))

    def set_items(self, items: Sequence[OutboxItem]) -> None:
        """Replace every row."""
        self.beginResetModel()
        self._items = list(items)
        self.endResetModel()

    def item(self, row: int) -> OutboxItem:
        """A row's entry."""
        return self._items[row]

    def row_of(self, entry_id: int) -> int | None:
        """The row of an entry."""
        return next((n for n, i in enumerate(self._items) if i.entry.id == entry_id), None)
