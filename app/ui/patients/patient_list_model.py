"""The patients list: one row per patient, most recent activity first, filtered by name or INS.

Rows come from `ConversationService.patients` (read on the store's read connection); the model
only holds them. Must run on the Qt thread.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)

from app.domain.text import fold
from app.services.conversation_service import PatientRow
from app.ui.models.formatting import format_ins, format_list_date, format_spoken_date

translate = QCoreApplication.translate

#: Roles of the model (the delegate and the proxy read them).
ROW_ROLE = Qt.ItemDataRole.UserRole + 1
INS_ROLE = Qt.ItemDataRole.UserRole + 2
SEARCH_ROLE = Qt.ItemDataRole.UserRole + 3

Index = QModelIndex | QPersistentModelIndex


def patient_name(row: PatientRow) -> str:
    """``ROUSSEL Camille`` (the name as Mon espace santé gives it), or the INS."""
    name = " ".join(p for p in (row.patient.family_name, row.patient.given_name) if p)
    return name or format_ins(row.patient.ins)


def row_sentence(row: PatientRow) -> str:
    """What a screen reader says for a row."""
    parts = [patient_name(row), translate("PatientList", "INS %1").replace("%1", row.patient.ins)]
    if row.unread:
        parts.append(translate("PatientList", "%n unread message(s)", "", row.unread))
    if row.awaiting_reply:
        parts.append(translate("PatientList", "waiting for your answer"))
    if row.undelivered:
        parts.append(translate("PatientList", "your last message was not delivered"))
    if row.closed_at is not None:
        parts.append(translate("PatientList", "exchange ended"))
    if row.last_activity:
        parts.append(
            translate("PatientList", "last message %1").replace(
                "%1", format_spoken_date(row.last_activity)
            )
        )
    return ", ".join(parts)


class PatientListModel(QAbstractListModel):
    """Patients, most recent activity first."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[PatientRow] = []

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt API
        """Rows of the list (none under a row)."""
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """The row's text, sentence, and the row itself for the delegate."""
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return patient_name(row)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return row_sentence(row)
        if role == Qt.ItemDataRole.ToolTipRole:
            return row_sentence(row)
        if role == ROW_ROLE:
            return row
        if role == INS_ROLE:
            return row.patient.ins
        if role == SEARCH_ROLE:
            return fold(f"{row.patient.family_name} {row.patient.given_name} {row.patient.ins}")
        return None

    def set_rows(self, rows: Sequence[PatientRow]) -> None:
        """Replace every row (the list is short: a reset is cheap and keeps nothing stale)."""
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def update_row(self, row: PatientRow) -> None:
        """One patient changed: update in place, or insert, keeping the most recent first."""
        for i, old in enumerate(self._rows):
            if old.patient.ins == row.patient.ins:
                self._rows[i] = row
                index = self.index(i)
                self.dataChanged.emit(index, index)
                if self._position(row, skip=i) != i:
                    rows = list(self._rows)
                    rows.sort(key=lambda r: -(r.last_activity or 0))
                    self.set_rows(rows)
                return
        at = self._position(row)
        self.beginInsertRows(QModelIndex(), at, at)
        self._rows.insert(at, row)
        self.endInsertRows()

    def _position(self, row: PatientRow, skip: int = -1) -> int:
        others = [r for i, r in enumerate(self._rows) if i != skip]
        key = -(row.last_activity or 0)
        return next((i for i, r in enumerate(others) if -(r.last_activity or 0) > key), len(others))

    def row_of(self, ins: str) -> int | None:
        """The row of a patient."""
        return next((i for i, r in enumerate(self._rows) if r.patient.ins == ins), None)

    def patient_row(self, row: int) -> PatientRow:
        """A row's data."""
        return self._rows[row]


class PatientFilterModel(QSortFilterProxyModel):
    """Patients whose name, given name or INS holds the words typed (accents ignored)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._words: list[str] = []

    def set_text(self, text: str) -> None:
        """The filter's words (INS spaces ignored: ``2 85 06`` finds ``28506…``)."""
        self.beginFilterChange()
        folded = fold(text)
        digits = folded.replace(" ", "")
        self._words = [digits] if digits.isdigit() else folded.split()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:  # noqa: N802
        """Every word is found in the row's name or INS."""
        if not self._words:
            return True
        model = self.sourceModel()
        key = model.data(model.index(source_row, 0, source_parent), SEARCH_ROLE) or ""
        return all(word in key for word in self._words)


def short_date(epoch: int | None) -> str:
    """The list's date column."""
    return format_list_date(epoch) if epoch else ""
