"""An ``IHE_XDM.zip`` shown as what it is: a patient and their documents, not a zip.

The patient (name, INS, birth date) comes first, with every doubt flagged beside the
identity (an INS whose key does not check, a test identity, an unknown type code): a doubtful
package is shown, never hidden. Then one line per document (title, type, date, author, state);
the selected document's embedded PDF is previewed, and the CDA's human-readable part is shown
as text. Spec §5. Must run on the Qt thread.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain.documents import PatientIdKind, Problem, XdmDocument, parse_dtm
from app.services.document_service import XdmInspection
from app.ui.documents.pdf_view import PdfPreview
from app.ui.documents.texts import problem_text
from app.ui.i18n import FRENCH

_DOUBT_STYLE = (
    "background: #fff4d6; color: #4d3800; border: 1px solid #f0d58a; border-radius: 4px;"
    " padding: 6px 8px;"
)
_ERROR_STYLE = (
    "background: #fde8e8; color: #7a1010; border: 1px solid #f3b3b3; border-radius: 4px;"
    " padding: 6px 8px;"
)


def _date_text(value: date | None) -> str:
    return (
        FRENCH.toString(QDate(value.year, value.month, value.day), "d MMMM yyyy") if value else ""
    )


class XdmPreview(QWidget):
    """The patient and the documents of one XDM package.

    Signals:
        document_selected(int): the document (0-based) now previewed.
    """

    document_selected = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("xdmPreview")
        self.setAccessibleName(self.tr("IHE XDM package"))
        self.inspection: XdmInspection | None = None

        self.patient = QLabel(self)
        self.patient.setObjectName("xdmPatient")
        self.patient.setTextFormat(Qt.TextFormat.PlainText)
        self.patient.setStyleSheet("font-size: 13pt; font-weight: 600;")
        self.patient.setWordWrap(True)
        self.patient.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.identity = QLabel(self)
        self.identity.setObjectName("xdmIdentity")
        self.identity.setTextFormat(Qt.TextFormat.PlainText)
        self.identity.setWordWrap(True)
        self.identity.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.doubts = QLabel(self)
        self.doubts.setObjectName("xdmDoubts")
        self.doubts.setTextFormat(Qt.TextFormat.PlainText)
        self.doubts.setWordWrap(True)
        self.doubts.setStyleSheet(_DOUBT_STYLE)
        self.doubts.hide()
        self.problems = QLabel(self)
        self.problems.setObjectName("xdmProblems")
        self.problems.setTextFormat(Qt.TextFormat.PlainText)
        self.problems.setWordWrap(True)
        self.problems.setStyleSheet(_ERROR_STYLE)
        self.problems.hide()

        self.single = QLabel(self)
        self.single.setObjectName("xdmSingleDocument")
        self.single.setTextFormat(Qt.TextFormat.PlainText)
        self.single.setWordWrap(True)
        self.single.hide()
        self.documents = QListWidget(self)
        self.documents.setObjectName("xdmDocuments")
        self.documents.setAccessibleName(self.tr("Documents of the package"))
        self.documents.setWordWrap(True)
        self.documents.setAlternatingRowColors(True)
        self.documents.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.documents.setMaximumHeight(72)
        self.pdf = PdfPreview(self)
        self.narrative = QPlainTextEdit(self)
        self.narrative.setObjectName("xdmNarrative")
        self.narrative.setAccessibleName(self.tr("Readable text of the document (CDA)"))
        self.narrative.setReadOnly(True)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("xdmTabs")
        self.tabs.setAccessibleName(self.tr("Document"))
        self.tabs.addTab(self.pdf, self.tr("PDF document"))
        self.tabs.addTab(self.narrative, self.tr("Readable text (CDA)"))

        header = QFrame()
        header.setObjectName("xdmHeader")
        column = QVBoxLayout(header)
        column.setContentsMargins(12, 4, 12, 4)
        column.setSpacing(4)
        column.addWidget(self.patient)
        column.addWidget(self.identity)
        column.addWidget(self.doubts)
        column.addWidget(self.problems)
        column.addWidget(self.single)
        # The identity scrolls rather than being squeezed in a short pane (never overlapping
        # lines); the list sits above the document, which keeps the whole width.
        self.header_area = QScrollArea(self)
        self.header_area.setObjectName("xdmHeaderArea")
        self.header_area.setWidgetResizable(True)
        self.header_area.setFrameShape(QFrame.Shape.NoFrame)
        self.header_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.header_area.setWidget(header)
        self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.splitter.addWidget(self.header_area)
        self.splitter.addWidget(self.documents)
        self.splitter.addWidget(self.tabs)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 0)
        self.splitter.setStretchFactor(2, 1)
        self.splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.splitter, 1)
        self._header = header
        self.documents.currentRowChanged.connect(self._on_documents_current_row_changed)
        self.setFocusProxy(self.documents)

    # -- filling -------------------------------------------------------------------------------

    def show_inspection(self, inspection: XdmInspection) -> None:
        """Show a package as read (doubts flagged beside the identity)."""
        self.inspection = inspection
        package = inspection.package
        name = package.patient_name.display() or self.tr("Patient not named")
        self.patient.setText(self.tr("Patient: %1").replace("%1", name))
        self.patient.setAccessibleName(self.patient.text())
        parts = []
        pid = package.patient_id
        if pid is not None:
            if pid.kind in (PatientIdKind.INS_NIR, PatientIdKind.INS_NIA):
                label = self.tr("INS %1") if pid.ins_valid else self.tr("INS %1 (not valid)")
            elif pid.kind is PatientIdKind.TEST:
                label = self.tr("Test identifier %1")
            elif pid.kind is PatientIdKind.DEMO:
                label = self.tr("Demonstration identifier %1")
            else:
                label = self.tr("Identifier %1 (not an INS)")
            parts.append(label.replace("%1", pid.value))
        else:
            parts.append(self.tr("No patient identifier"))
        if package.birth_date is not None:
            parts.append(self.tr("born on %1").replace("%1", _date_text(package.birth_date)))
        self.identity.setText(" · ".join(parts))
        self.identity.setAccessibleName(self.identity.text())
        self._set_box(self.doubts, self.tr("To check:"), inspection.doubts)
        doubt_codes = {p.code for p in inspection.doubts}
        others = [p for p in package.all_problems if p.is_error and p.code not in doubt_codes]
        self._set_box(self.problems, self.tr("Problems:"), tuple(others))
        self.documents.clear()
        for number, doc in enumerate(package.documents, 1):
            item = QListWidgetItem(self._document_text(number, doc))
            item.setData(Qt.ItemDataRole.AccessibleTextRole, item.text().replace("\n", ", "))
            self.documents.addItem(item)
        # One document (the usual case): its line in the header, the list hidden, more room
        # for the document itself.
        single = len(package.documents) == 1
        self.documents.setVisible(not single)
        self.single.setVisible(single)
        if single:
            text = self._document_text(1, package.documents[0], author=False)
            text = text.replace("\n", " · ")
            self.single.setText(self.tr("Document: %1").replace("%1", text))
            self.single.setAccessibleName(self.single.text())
        if package.documents:
            self.documents.setCurrentRow(0)
        else:
            self.pdf.clear()
            self.narrative.setPlainText(self.tr("The package holds no readable document."))
        self._share_height()

    def _share_height(self) -> None:
        """The identity gets what it needs up to 45 % of the height, the document the rest."""
        total = max(1, self.splitter.height())
        wanted = self._header.heightForWidth(max(200, self.header_area.viewport().width()))
        wanted = wanted if wanted > 0 else self._header.sizeHint().height()
        header = min(wanted + 4, int(total * 0.45))
        listed = 0 if self.documents.isHidden() else min(72, total // 5)
        self.splitter.setSizes([header, listed, max(1, total - header - listed)])

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        """Share the height again when the pane changes size."""
        super().resizeEvent(event)
        if self.inspection is not None:
            self._share_height()

    def _set_box(self, box: QLabel, title: str, problems: tuple[Problem, ...]) -> None:
        lines = list(dict.fromkeys(problem_text(p.code, p.params) for p in problems))
        if not lines:
            box.hide()
            return
        text = title + "\n" + "\n".join(f"• {line}" for line in lines)
        box.setText(text)
        box.setAccessibleName(text)
        box.show()

    def _document_text(self, number: int, doc: XdmDocument, *, author: bool = True) -> str:
        title = doc.title or self.tr("Document %1").replace("%1", str(number))
        details = []
        code = doc.cda.code if doc.cda is not None and doc.cda.code else doc.type_code
        if code is not None:
            details.append(code.display or code.code)
        when = parse_dtm(doc.service_start) or doc.creation_datetime
        if when is not None:
            details.append(FRENCH.toString(QDate(when.year, when.month, when.day), "dd/MM/yyyy"))
        if author and doc.author is not None and doc.author.display():
            details.append(doc.author.display())
        if not doc.trusted or any(p.is_error for p in doc.problems):
            details.append(self.tr("to check"))
        return title + ("\n" + " · ".join(details) if details else "")

    def _on_documents_current_row_changed(self, row: int) -> None:
        if self.inspection is None or not 0 <= row < len(self.inspection.package.documents):
            return
        doc = self.inspection.package.documents[row]
        if doc.pdf is not None:
            self.pdf.load_bytes(doc.pdf)
            self.tabs.setTabEnabled(0, True)
        else:
            self.pdf.clear()
            self.tabs.setTabEnabled(0, False)
        narrative = doc.cda.narrative if doc.cda is not None else ""
        if narrative:
            self.narrative.setPlainText(narrative)
        elif doc.cda is not None and doc.cda.level == 1:
            self.narrative.setPlainText(
                self.tr("This document is a PDF wrapped in a CDA: see the PDF tab.")
            )
        else:
            self.narrative.setPlainText(self.tr("No readable text in this document."))
        self.tabs.setCurrentIndex(0 if doc.pdf is not None else 1)
        self.document_selected.emit(row)
