"""Choose the patient of a message: a known one by INS or name, or a new one with their identity.

A new patient needs what the engine requires (spec §3): an INS whose key checks, the family
name, the given name and the birth date. Must run on the Qt thread.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain.addresses import Ins
from app.domain.text import fold
from app.services.patient_service import PatientSummary
from app.ui.i18n import FRENCH


@dataclass(frozen=True)
class PatientChoice:
    """The patient chosen: their INS and identity; `new` when Pli does not know them yet."""

    ins: str
    family: str
    given: str
    birth_date: str | None
    new: bool

    @property
    def address(self) -> str:
        """Their Mon espace santé address."""
        return str(Ins.parse(self.ins).address)

    def label(self) -> str:
        """``Jeanne LEFÈVRE`` (family name upper case)."""
        return f"{self.given} {self.family.upper()}".strip()


def _birth(text: str | None) -> str:
    if not text:
        return ""
    date = QDate.fromString(text, "yyyy-MM-dd")
    return FRENCH.toString(date, "dd/MM/yyyy") if date.isValid() else text


class PatientPickerDialog(QDialog):
    """Pick a known patient (search by INS or name) or enter a new one."""

    def __init__(self, patients: Sequence[PatientSummary], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Patient of the message"))
        self.setAccessibleName(self.tr("Patient of the message"))
        self._patients = list(patients)
        layout = QVBoxLayout(self)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText(self.tr("Search by name or INS"))
        self.search.setAccessibleName(self.tr("Search a known patient"))
        self.search.textChanged.connect(self._on_search_text_changed)
        layout.addWidget(self.search)
        self.list = QListWidget(self)
        self.list.setAccessibleName(self.tr("Known patients"))
        self.list.itemDoubleClicked.connect(lambda _item: self.accept())
        layout.addWidget(self.list, 1)
        box = QGroupBox(self.tr("Or a new patient"), self)
        form = QFormLayout(box)
        self.ins = QLineEdit(box)
        self.ins.setPlaceholderText(self.tr("15 digits"))
        self.ins.setAccessibleName(self.tr("INS"))
        self.family = QLineEdit(box)
        self.family.setAccessibleName(self.tr("Family name"))
        self.given = QLineEdit(box)
        self.given.setAccessibleName(self.tr("Given name"))
        self.birth = QDateEdit(box)
        self.birth.setDisplayFormat("dd/MM/yyyy")
        self.birth.setCalendarPopup(True)
        self.birth.setMaximumDate(QDate.currentDate())
        self.birth.setDate(QDate(1970, 1, 1))
        self.birth.setAccessibleName(self.tr("Birth date"))
        form.addRow(self.tr("&INS:"), self.ins)
        form.addRow(self.tr("&Family name:"), self.family)
        form.addRow(self.tr("&Given name:"), self.given)
        form.addRow(self.tr("&Birth date:"), self.birth)
        layout.addWidget(box)
        self.problem = QLabel(self)
        self.problem.setStyleSheet("color: #a11b1b;")
        self.problem.setWordWrap(True)
        layout.addWidget(self.problem)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        for edit in (self.ins, self.family, self.given):
            edit.textEdited.connect(self._on_new_edited)
        self.resize(520, 520)
        self._fill("")
        self.choice: PatientChoice | None = None

    def _fill(self, text: str) -> None:
        self.list.clear()
        words = fold(text).split()
        digits = "".join(c for c in text if c.isdigit())
        for summary in self._patients:
            p = summary.patient
            name = f"{p.given_name} {p.family_name}"
            if words and not digits and not all(w in fold(name) for w in words):
                continue
            if digits and digits not in p.ins:
                continue
            born = _birth(p.birth_date)
            label = f"{p.given_name} {p.family_name.upper()} — INS {p.ins}"
            if born:
                label += " — " + self.tr("born %1").replace("%1", born)
            item = QListWidgetItem(label, self.list)
            item.setData(Qt.ItemDataRole.UserRole, p.ins)
        if self.list.count():
            self.list.setCurrentRow(0)

    def _on_search_text_changed(self, text: str) -> None:
        self._fill(text)

    def _on_new_edited(self, _text: str) -> None:
        self.list.clearSelection()
        self.list.setCurrentRow(-1)

    def new_patient(self) -> PatientChoice | str:
        """The new patient typed, or the code of what is wrong with it."""
        ins = "".join(self.ins.text().split())
        if not Ins.is_valid(ins):
            return "ins.bad_key" if len(ins) == 15 and ins.isdigit() else "ins.malformed"
        family, given = self.family.text().strip(), self.given.text().strip()
        if not family or not given:
            return "patient.name_missing"
        return PatientChoice(
            ins=ins,
            family=family.upper(),
            given=given,
            birth_date=self.birth.date().toString("yyyy-MM-dd"),
            new=True,
        )

    def accept(self) -> None:
        """Keep the selected known patient, or a new one whose identity checks."""
        if self.ins.text().strip():
            found = self.new_patient()
            if isinstance(found, str):
                self.problem.setText(
                    {
                        "ins.bad_key": self.tr("The INS key (last two digits) is wrong."),
                        "ins.malformed": self.tr("An INS has 15 digits."),
                        "patient.name_missing": self.tr(
                            "Give the patient's family name and given name."
                        ),
                    }[found]
                )
                return
            known = next((s for s in self._patients if s.patient.ins == found.ins), None)
            self.choice = found if known is None else self._known(known)
        else:
            item: QListWidgetItem | None = self.list.currentItem()
            if item is None:
                self.problem.setText(self.tr("Choose a patient or enter a new one."))
                return
            ins = item.data(Qt.ItemDataRole.UserRole)
            summary = next(s for s in self._patients if s.patient.ins == ins)
            self.choice = self._known(summary)
        super().accept()

    @staticmethod
    def _known(summary: PatientSummary) -> PatientChoice:
        p = summary.patient
        return PatientChoice(p.ins, p.family_name, p.given_name, p.birth_date, new=False)
