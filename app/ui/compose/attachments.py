"""The composer's documents: one row per file with its real type and size, and a size gauge.

Files come from "Joindre…" or are dropped from the desktop; each is judged on its bytes by the
engine (`ComposeSupport.inspect`) before it is listed: a refused or hostile file never enters
the list, the reason is said in French. Towards a patient, a TIFF or RTF is offered as PDF
(checked by default); towards professionals, a PDF may go as an IHE_XDM document. Must run on
the Qt thread.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QByteArray, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QIcon, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.documents import DocumentKind
from app.services.compose_support import InspectedFile
from app.ui.compose.texts import kind_label
from app.ui.i18n import format_size

_KIND_COLOURS = {
    DocumentKind.PDF: ("PDF", "#c5221f"),
    DocumentKind.JPEG: ("JPG", "#1a73e8"),
    DocumentKind.PNG: ("PNG", "#1a73e8"),
    DocumentKind.TIFF: ("TIFF", "#7b1fa2"),
    DocumentKind.RTF: ("RTF", "#0b7a5b"),
    DocumentKind.ZIP: ("XDM", "#8a5a00"),
    DocumentKind.XML: ("CDA", "#8a5a00"),
}


def kind_icon(kind: DocumentKind, size: int = 36) -> QIcon:
    """A page with the real type written on it (SVG: crisp, no emoji font needed)."""
    label, colour = _KIND_COLOURS.get(kind, ("?", "#5f6368"))
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 40">'
        '<path d="M3 1h19l8 8v30H3z" fill="#ffffff" stroke="#80868b" stroke-width="1.5"/>'
        '<path d="M22 1v8h8" fill="none" stroke="#80868b" stroke-width="1.5"/>'
        f'<rect x="0" y="22" width="28" height="12" rx="2" fill="{colour}"/>'
        f'<text x="14" y="31.5" font-family="DejaVu Sans, sans-serif" font-size="8.5" '
        f'font-weight="bold" fill="#ffffff" text-anchor="middle">{label}</text></svg>'
    )
    renderer = QSvgRenderer(QByteArray(svg.encode("utf-8")))
    pixmap = QPixmap(QSize(size * 4 // 5, size))
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    renderer.render(painter, QRectF(0, 0, size * 4 / 5, size))
    painter.end()
    return QIcon(pixmap)


@dataclass
class AttachedFile:
    """A listed document: the file, and what the user chose for it.

    Attributes:
        original: the file as given.
        as_pdf: send its PDF version (TIFF/RTF towards a patient).
        converted: that PDF version, once made.
        xdm: send it as an IHE_XDM document (a PDF to professionals).
    """

    original: InspectedFile
    as_pdf: bool = False
    converted: InspectedFile | None = None
    xdm: bool = False

    @property
    def effective(self) -> InspectedFile:
        """What will be sent."""
        if self.as_pdf and self.converted is not None:
            return self.converted
        return self.original


class AttachmentRow(QWidget):
    """One document: icon, name, real type and size, its options and a remove button.

    Signals:
        remove_requested, pdf_toggled(bool), xdm_toggled(bool).
    """

    remove_requested = Signal()
    pdf_toggled = Signal(bool)
    xdm_toggled = Signal(bool)

    def __init__(self, attached: AttachedFile, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.attached = attached
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 3, 6, 3)
        layout.setSpacing(8)
        self.icon = QLabel(self)
        layout.addWidget(self.icon)
        texts = QVBoxLayout()
        texts.setSpacing(0)
        self.name = QLabel(self)
        self.name.setTextFormat(Qt.TextFormat.PlainText)
        self.details = QLabel(self)
        self.details.setStyleSheet("color: #5f6368;")
        texts.addWidget(self.name)
        texts.addWidget(self.details)
        layout.addLayout(texts, 1)
        self.pdf = QCheckBox(self.tr("Send as PDF"), self)
        self.pdf.setToolTip(
            self.tr(
                "The patient cannot open this type in Mon espace santé: Pli converts it to PDF."
            )
        )
        self.pdf.toggled.connect(self.pdf_toggled)
        self.xdm = QCheckBox(self.tr("Send as IHE_XDM"), self)
        self.xdm.setToolTip(self.tr("Send this PDF as a CDA document in an IHE_XDM package."))
        self.xdm.toggled.connect(self.xdm_toggled)
        self.remove = QToolButton(self)
        self.remove.setText("×")
        self.remove.setAutoRaise(True)
        self.remove.clicked.connect(self.remove_requested)
        layout.addWidget(self.pdf)
        layout.addWidget(self.xdm)
        layout.addWidget(self.remove)
        self.refresh(to_patient=False)

    def refresh(self, *, to_patient: bool) -> None:
        """Show the file as it will be sent and the options that apply."""
        file = self.attached.effective
        self.icon.setPixmap(kind_icon(file.kind).pixmap(QSize(29, 36)))
        self.name.setText(file.name)
        details = f"{kind_label(file.kind.value)} · {format_size(file.size)}"
        if file is not self.attached.original:
            details += " · " + self.tr("converted from %1").replace(
                "%1", kind_label(self.attached.original.kind.value)
            )
        self.details.setText(details)
        self.pdf.setVisible(to_patient and self.attached.original.convertible)
        self.pdf.blockSignals(True)
        self.pdf.setChecked(self.attached.as_pdf)
        self.pdf.blockSignals(False)
        self.xdm.setVisible(not to_patient and file.kind is DocumentKind.PDF)
        self.xdm.blockSignals(True)
        self.xdm.setChecked(self.attached.xdm)
        self.xdm.blockSignals(False)
        self.remove.setAccessibleName(self.tr("Remove %1").replace("%1", file.name))
        self.remove.setToolTip(self.tr("Remove this document"))
        self.setAccessibleName(f"{file.name}, {details}")
        self.pdf.setAccessibleName(self.tr("Send %1 as PDF").replace("%1", file.name))
        self.xdm.setAccessibleName(self.tr("Send %1 as IHE_XDM").replace("%1", file.name))


class AttachmentList(QWidget):
    """The documents of a message and the size gauge.

    Signals:
        changed: a document was added, removed or changed option.
        pdf_requested(object): an `AttachedFile` whose PDF version is needed.
        xdm_requested(object): an `AttachedFile` to send as IHE_XDM (the composer asks how).
    """

    changed = Signal()
    pdf_requested = Signal(object)
    xdm_requested = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._files: list[AttachedFile] = []
        self._rows: list[AttachmentRow] = []
        self._to_patient = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        self.list = QListWidget(self)
        self.list.setAccessibleName(self.tr("Documents"))
        self.list.hide()  # shown with the first document
        self.list.setSelectionMode(QListWidget.SelectionMode.NoSelection)
        self.list.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        layout.addWidget(self.list)
        self.hint = QLabel(
            self.tr("Drop documents here from the desktop, or use “Attach…” (Ctrl+Maj+A)."), self
        )
        self.hint.setStyleSheet("color: #5f6368;")
        layout.addWidget(self.hint)
        gauge_line = QHBoxLayout()
        self.gauge = QProgressBar(self)
        self.gauge.setTextVisible(False)
        self.gauge.setMaximumHeight(8)
        self.gauge.setAccessibleName(self.tr("Size of the message"))
        self.gauge_text = QLabel(self)
        self.gauge_text.setStyleSheet("color: #5f6368;")
        gauge_line.addWidget(self.gauge, 1)
        gauge_line.addWidget(self.gauge_text)
        layout.addLayout(gauge_line)
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #a11b1b;")
        self.message.setAccessibleName(self.tr("Refused document"))
        self.message.hide()
        layout.addWidget(self.message)
        self.set_limit(0, 10 * 1024 * 1024)

    def files(self) -> list[AttachedFile]:
        """The listed documents."""
        return list(self._files)

    def rows(self) -> list[AttachmentRow]:
        """The rows (tests)."""
        return list(self._rows)

    def add(self, file: InspectedFile) -> bool:
        """List a judged file, or say why it is refused (returns False then)."""
        verdict = file.verdict(self._to_patient)
        if not verdict.accepted:
            from app.ui.compose.texts import describe

            params = dict(verdict.params)
            params.setdefault("name", file.name)
            params.setdefault("kind", file.kind.value)
            self.show_refusal(describe(verdict.code or "attachment.refused", params))
            return False
        attached = AttachedFile(file)
        if self._to_patient and file.convertible:
            attached.as_pdf = True
        self._files.append(attached)
        row = AttachmentRow(attached, self.list)
        row.remove_requested.connect(lambda a=attached: self.remove(a))
        row.pdf_toggled.connect(lambda on, a=attached: self._on_row_pdf_toggled(a, on))
        row.xdm_toggled.connect(lambda on, a=attached: self._on_row_xdm_toggled(a, on))
        item = QListWidgetItem(self.list)
        self.list.setItemWidget(item, row)
        self._rows.append(row)
        row.refresh(to_patient=self._to_patient)
        item.setSizeHint(QSize(100, max(46, row.sizeHint().height())))
        self._fit()
        self.message.hide()
        if attached.as_pdf:
            self.pdf_requested.emit(attached)
        self.changed.emit()
        return True

    def _fit(self) -> None:
        """As tall as its rows (three at most, then it scrolls); hidden when empty."""
        rows = [self.list.item(i).sizeHint().height() for i in range(min(3, self.list.count()))]
        self.list.setFixedHeight(sum(rows) + 2 * self.list.frameWidth() + 2)
        self.list.setVisible(bool(rows))
        self.hint.setVisible(not rows)

    def show_refusal(self, text: str) -> None:
        """Say why a file was not attached."""
        self.message.setText(text)
        self.message.show()

    def remove(self, attached: AttachedFile) -> None:
        """Take a document off the list."""
        if attached not in self._files:
            return
        index = self._files.index(attached)
        self._files.pop(index)
        self._rows.pop(index)
        self.list.takeItem(index)
        self._fit()
        self.changed.emit()

    def set_to_patient(self, to_patient: bool) -> None:
        """The recipients changed: patients get PDF offers, professionals XDM ones."""
        if to_patient == self._to_patient:
            return
        self._to_patient = to_patient
        for attached, row in zip(self._files, self._rows, strict=True):
            if to_patient and attached.original.convertible and not attached.as_pdf:
                attached.as_pdf = True
                self.pdf_requested.emit(attached)
            if to_patient:
                attached.xdm = False
            row.refresh(to_patient=to_patient)
        self.changed.emit()

    def refresh(self) -> None:
        """Show every row again (a conversion finished)."""
        for row in self._rows:
            row.refresh(to_patient=self._to_patient)

    def set_limit(self, total: int, limit: int) -> None:
        """Show `total` bytes against `limit` (25 Mo towards patients, the operator's limit)."""
        self.gauge.setRange(0, 1000)
        self.gauge.setValue(min(1000, int(1000 * total / limit)) if limit else 0)
        over = total > limit
        colour = "#c5221f" if over else ("#e37400" if total > 0.8 * limit else "#1a73e8")
        self.gauge.setStyleSheet(
            "QProgressBar { border: 1px solid #dadce0; border-radius: 3px;"
            " background: #f1f3f4; }"
            f" QProgressBar::chunk {{ background: {colour}; border-radius: 3px; }}"
        )
        text = (
            self.tr("%1 of %2").replace("%1", format_size(total)).replace("%2", format_size(limit))
        )
        self.gauge_text.setText(text)
        self.gauge.setAccessibleDescription(text)

    def total_size(self) -> int:
        """Bytes of the documents as they will be sent."""
        return sum(a.effective.size for a in self._files)

    def set_files(self, files: Sequence[InspectedFile]) -> None:
        """Replace the list (opening a draft)."""
        for attached in list(self._files):
            self.remove(attached)
        for file in files:
            self.add(file)

    def _on_row_pdf_toggled(self, attached: AttachedFile, on: bool) -> None:
        attached.as_pdf = on
        if on and attached.converted is None:
            self.pdf_requested.emit(attached)
        self.refresh()
        self.changed.emit()

    def _on_row_xdm_toggled(self, attached: AttachedFile, on: bool) -> None:
        if on:
            for other in self._files:
                other.xdm = False
            self.xdm_requested.emit(attached)
        else:
            attached.xdm = False
        self.refresh()
        self.changed.emit()
