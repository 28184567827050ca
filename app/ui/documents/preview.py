"""A received document shown in Pli, and what can be done with it.

`DocumentPreview` shows one attachment whatever it is (PDF, image, multi-page TIFF, RTF,
``IHE_XDM.zip``, text) or explains in French why it cannot; its action bar offers "Classer"
(the message's documents into the patient's folder, standard names, never overwriting,
audited), "Enregistrer sous…", "Ouvrir avec l'application par défaut" (after a warning: the
file leaves Pli's encryption), "Imprimer", and "Ouvrir dans une fenêtre". The bytes come from
the services (decrypted from the archive on a worker thread) and are never written to disk
unless the user asks. Must run on the Qt thread.
"""

from __future__ import annotations

import asyncio
import logging
import tempfile
from pathlib import Path

from PySide6.QtCore import QSettings, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QKeySequence, QPainter, QShortcut
from PySide6.QtPdf import QPdfDocument
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain.documents import AttachmentInfo, DocumentKind, ExportedFile
from app.domain.errors import DocumentError, KnownError
from app.ui.async_bridge import run_dialog
from app.ui.context import UiContext
from app.ui.documents.image_view import ImagePreview, decode_page
from app.ui.documents.pdf_view import PdfPreview
from app.ui.documents.texts import problem_text
from app.ui.documents.xdm_view import XdmPreview
from app.ui.i18n import format_size

log = logging.getLogger(__name__)

#: Where the folder root of "Classer" is remembered (a path the user chose; no health data).
FILING_ROOT_KEY = "documents/filing_root"
#: Characters of a text attachment shown at most.
MAX_TEXT_SHOWN = 500_000
_IMAGES = (DocumentKind.JPEG, DocumentKind.PNG, DocumentKind.TIFF)


class DocumentPreview(QWidget):
    """One attachment, shown, with its actions.

    Signals:
        shown(str): what is shown now: ``pdf``, ``image``, ``text``, ``xdm`` or ``problem``.
        window_requested(): "Ouvrir dans une fenêtre".
        filed(object): the list of `ExportedFile` "Classer" wrote.
    """

    shown = Signal(str)
    window_requested = Signal()
    filed = Signal(object)

    def __init__(
        self,
        ctx: UiContext,
        parent: QWidget | None = None,
        *,
        state: QSettings | None = None,
        in_window: bool = False,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("documentPreview")
        self.setAccessibleName(self.tr("Document preview"))
        self._ctx = ctx
        self._state = state
        self._generation = 0
        self.message_id: int | None = None
        self.info: AttachmentInfo | None = None
        self.data: bytes | None = None
        self.kind = ""
        self.problem_code: str | None = None
        self._temp: tempfile.TemporaryDirectory[str] | None = None

        self.title = QLabel(self)
        self.title.setObjectName("documentTitle")
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.title.setStyleSheet("font-weight: 600;")
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.file_button = self._action_button(
            self.tr("&File"),
            "documentFile",
            self.tr("File the message's documents in the patient's folder (standard names)"),
        )
        self.save_button = self._action_button(
            self.tr("&Save…"), "documentSave", self.tr("Save as…")
        )
        self.open_button = self._action_button(
            self.tr("&Open with…"), "documentOpen", self.tr("Open with the default application")
        )
        self.print_button = self._action_button(
            self.tr("&Print…"), "documentPrint", self.tr("Print the document")
        )
        self.window_button = self._action_button(
            self.tr("&Window"), "documentWindow", self.tr("Open in a window")
        )
        self.window_button.setVisible(not in_window)
        self.status = QLabel(self)
        self.status.setObjectName("documentStatus")
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setStyleSheet("color: palette(placeholder-text);")
        self.status.hide()
        self.notice = QLabel(self)
        self.notice.setObjectName("documentNotice")
        self.notice.setWordWrap(True)
        self.notice.setStyleSheet(
            "background: #fff4d6; color: #4d3800; border: 1px solid #f0d58a;"
            " border-radius: 4px; padding: 4px 8px;"
        )
        self.notice.hide()

        self.pdf = PdfPreview(self)
        self.image = ImagePreview(self)
        self.text = QPlainTextEdit(self)
        self.text.setObjectName("documentText")
        self.text.setAccessibleName(self.tr("Text of the document"))
        self.text.setReadOnly(True)
        self.xdm = XdmPreview(self)
        self.message = QLabel(self)
        self.message.setObjectName("documentMessage")
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setStyleSheet("padding: 24px; font-size: 11pt;")
        self.loading = QLabel(self.tr("Opening the document…"), self)
        self.loading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stack = QStackedWidget(self)
        for widget in (self.loading, self.pdf, self.image, self.text, self.xdm, self.message):
            self.stack.addWidget(widget)

        bar = QHBoxLayout()
        bar.setContentsMargins(8, 0, 8, 4)
        bar.setSpacing(6)
        for button in (
            self.file_button,
            self.save_button,
            self.open_button,
            self.print_button,
            self.window_button,
        ):
            bar.addWidget(button)
        bar.addStretch(1)
        self.title.setContentsMargins(8, 4, 8, 0)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.title)
        layout.addLayout(bar)
        layout.addWidget(self.notice)
        layout.addWidget(self.status)
        layout.addWidget(self.stack, 1)
        self.setFocusProxy(self.stack)

        self.file_button.clicked.connect(self._on_file_button_clicked)
        self.save_button.clicked.connect(self._on_save_button_clicked)
        self.open_button.clicked.connect(self._on_open_button_clicked)
        self.print_button.clicked.connect(self._on_print_button_clicked)
        self.window_button.clicked.connect(self.window_requested)
        print_shortcut = QShortcut(QKeySequence(QKeySequence.StandardKey.Print), self)
        print_shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        print_shortcut.activated.connect(self._on_print_button_clicked)
        self._set_actions(False)

    def _action_button(self, text: str, name: str, what: str) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(name)
        button.setAccessibleName(what)
        button.setToolTip(what)
        return button

    def _set_actions(self, enabled: bool) -> None:
        has_message = self.message_id is not None
        for button in (self.save_button, self.open_button, self.file_button):
            button.setEnabled(enabled and has_message)
        self.print_button.setEnabled(enabled and self.kind in ("pdf", "image", "text", "xdm"))
        self.window_button.setEnabled(enabled)
        if self.info is not None and not self.info.verdict.accepted:
            self.open_button.setEnabled(False)  # a refused type never goes to another program

    # -- showing ---------------------------------------------------------------------------------

    async def show_attachment(self, message_id: int, info: AttachmentInfo) -> str:
        """Show one attachment of an archived message; returns what is shown (see `shown`)."""
        self._generation += 1
        generation = self._generation
        self.message_id = message_id
        self.info = info
        self.title.setText(f"{info.name} — {format_size(info.size)}")
        self.title.setAccessibleName(self.title.text())
        self.stack.setCurrentWidget(self.loading)
        self.status.hide()
        try:
            payload = await self._ctx.services.documents.attachment(message_id, info.part_id)
        except KnownError as error:
            if generation == self._generation:
                self._show_problem(self._ctx.errors.describe(error).title)
            return "problem"
        if generation != self._generation:
            return "stale"
        return await self.show_data(info.name, payload.data, info.kind, info=info)

    async def show_data(
        self,
        name: str,
        data: bytes,
        kind: DocumentKind,
        *,
        info: AttachmentInfo | None = None,
    ) -> str:
        """Show a document's bytes (`kind` as sniffed from its content)."""
        self._generation += 1
        generation = self._generation
        self.info = info
        self.data = data
        self.problem_code = None
        if info is None:
            self.title.setText(f"{name} — {format_size(len(data))}")
            self.title.setAccessibleName(self.title.text())
        self.notice.hide()
        self.stack.setCurrentWidget(self.loading)
        if info is not None and not info.verdict.accepted and kind is not DocumentKind.ZIP:
            return self._finish(self._show_problem_code("attachment.refused"))
        if not data:
            return self._finish(self._show_problem_code("document.empty"))
        if kind is DocumentKind.PDF:
            if info is not None and info.pdf is not None and info.pdf.active_content:
                self._set_notice(problem_text("pdf.active_content"))
            await self._load_pdf(data)
            if generation != self._generation:
                return "stale"
            if self.pdf.error_code is not None:
                return self._finish(self._show_problem_code(self.pdf.error_code))
            self.stack.setCurrentWidget(self.pdf)
            return self._finish("pdf")
        if kind in _IMAGES:
            if info is not None and info.problem:
                return self._finish(self._show_problem_code(info.problem))
            ok = await self.image.load_bytes(data)
            if generation != self._generation:
                return "stale"
            if not ok:
                return self._finish(self._show_problem_code("image.unreadable"))
            self.stack.setCurrentWidget(self.image)
            return self._finish("image")
        if kind is DocumentKind.RTF:
            try:
                text = await self._ctx.services.documents.rtf_text(data)
            except DocumentError as error:
                return self._finish(self._show_problem_code(error.code))
            if generation != self._generation:
                return "stale"
            return self._finish(self._show_text(text))
        if kind is DocumentKind.ZIP:
            try:
                inspection = await self._ctx.services.documents.inspect_xdm(data)
            except DocumentError as error:
                return self._finish(self._show_problem_code(error.code))
            if generation != self._generation:
                return "stale"
            self.xdm.show_inspection(inspection)
            self.stack.setCurrentWidget(self.xdm)
            return self._finish("xdm")
        if kind is DocumentKind.TEXT:
            return self._finish(self._show_text(data[:MAX_TEXT_SHOWN].decode("utf-8", "replace")))
        return self._finish(self._show_problem_code("kind.unsupported"))

    def _finish(self, what: str) -> str:
        self.kind = what
        self._set_actions(True)
        self.shown.emit(what)
        return what

    def _show_text(self, text: str) -> str:
        self.text.setPlainText(text)
        self.stack.setCurrentWidget(self.text)
        return "text"

    def _show_problem_code(self, code: str) -> str:
        self.problem_code = code
        return self._show_problem(problem_text(code))

    def _show_problem(self, text: str) -> str:
        self.message.setText(text)
        self.message.setAccessibleName(text)
        self.stack.setCurrentWidget(self.message)
        return "problem"

    def _set_notice(self, text: str) -> None:
        self.notice.setText(text)
        self.notice.setAccessibleName(text)
        self.notice.show()

    async def _load_pdf(self, data: bytes) -> None:
        """Load into the PDF view and wait for QtPdf's verdict (it comes by signal)."""
        loop = asyncio.get_running_loop()
        done: asyncio.Future[None] = loop.create_future()

        def finished(*_args: object) -> None:
            if not done.done():
                done.set_result(None)

        self.pdf.loaded.connect(finished)
        self.pdf.failed.connect(finished)
        try:
            self.pdf.load_bytes(data)
            if self.pdf.document.status() == QPdfDocument.Status.Loading:
                await done
        finally:
            self.pdf.loaded.disconnect(finished)
            self.pdf.failed.disconnect(finished)

    def _say(self, text: str) -> None:
        self.status.setText(text)
        self.status.setAccessibleName(text)
        self.status.show()

    # -- "Classer" -----------------------------------------------------------------------------

    @property
    def filing_root(self) -> Path | None:
        """The folder under which patients' folders are made (a setting; None until chosen)."""
        if self._state is None:
            return None
        value = self._state.value(FILING_ROOT_KEY, "")
        return Path(value) if isinstance(value, str) and value else None

    def set_filing_root(self, root: Path) -> None:
        """Remember the filing folder."""
        if self._state is not None:
            self._state.setValue(FILING_ROOT_KEY, str(root))
            self._state.sync()

    async def file_documents(self, root: Path | None = None) -> list[ExportedFile]:
        """File the message's documents under `root` (asked once, then remembered)."""
        if self.message_id is None:
            return []
        root = root or self.filing_root
        if root is None:
            root = await self.ask_folder()
            if root is None:
                return []
            self.set_filing_root(root)
        written = await self._ctx.services.documents.export(self.message_id, root)
        renamed = sum(1 for f in written if f.renamed)
        if not written:
            text = self.tr("Nothing to file: no accepted document in this message.")
        else:
            text = self.tr("%n document(s) filed in %1", "", len(written)).replace(
                "%1", str(Path(written[0].path).parent)
            )
            if renamed:
                text += " " + self.tr(
                    "(%n renamed: a file of that name was already there, nothing was replaced)",
                    "",
                    renamed,
                )
        self._say(text)
        self.filed.emit(written)
        return written

    async def ask_folder(self) -> Path | None:
        """Ask for the folder under which the patients' folders are made."""
        dialog = QFileDialog(self, self.tr("Folder of the patients' documents"))
        if self.filing_root is not None:
            dialog.setDirectory(str(self.filing_root))
        dialog.setFileMode(QFileDialog.FileMode.Directory)
        dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
        accepted = await run_dialog(dialog) == QFileDialog.DialogCode.Accepted
        chosen = dialog.selectedFiles()
        dialog.deleteLater()
        return Path(chosen[0]) if accepted and chosen else None

    def _on_file_button_clicked(self) -> None:
        self._ctx.runner.run(self, self.file_documents())

    # -- "Enregistrer sous…" ------------------------------------------------------------------

    async def save_as(self, path: Path | None = None) -> ExportedFile | None:
        """Write the attachment where the user chooses (the dialog asks before replacing)."""
        if self.message_id is None or self.info is None:
            return None
        if path is None:
            dialog = QFileDialog(self, self.tr("Save the document"))
            dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
            dialog.selectFile(self.info.name)
            accepted = await run_dialog(dialog) == QFileDialog.DialogCode.Accepted
            chosen = dialog.selectedFiles()
            dialog.deleteLater()
            if not accepted or not chosen:
                return None
            path = Path(chosen[0])
        written = await self._ctx.services.documents.save_copy(
            self.message_id, self.info.part_id, path
        )
        self._say(self.tr("Saved in %1 (not encrypted).").replace("%1", written.path))
        return written

    def _on_save_button_clicked(self) -> None:
        self._ctx.runner.run(self, self.save_as())

    # -- "Ouvrir avec l'application par défaut" -------------------------------------------------

    async def confirm_leaving(self) -> bool:
        """Warn that the file leaves Pli's encryption; True when the user goes on."""
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle(self.tr("Open with another application"))
        box.setText(self.tr("The document will leave Pli's encryption."))
        box.setInformativeText(
            self.tr(
                "To open it, Pli writes an unencrypted copy in a private temporary folder of "
                "this computer; the other application may keep its own copies. Go on only on "
                "a computer reserved for your practice."
            )
        )
        go = box.addButton(self.tr("Open anyway"), QMessageBox.ButtonRole.AcceptRole)
        cancel = box.addButton(QMessageBox.StandardButton.Cancel)
        cancel.setAccessibleName(cancel.text().replace("&", ""))
        box.setDefaultButton(cancel)
        await run_dialog(box)
        accepted = box.clickedButton() is go
        box.deleteLater()
        return accepted

    async def open_external(self, *, confirmed: bool | None = None) -> Path | None:
        """Hand a clear copy to the system's default application, after the warning."""
        if self.message_id is None or self.info is None or not self.info.verdict.accepted:
            return None
        if confirmed is None:
            confirmed = await self.confirm_leaving()
        if not confirmed:
            return None
        if self._temp is None:
            temp = tempfile.TemporaryDirectory(prefix="pli-")
            self._temp = temp
            # The clear copies go with the preview (and with Pli: the folder is private).
            self.destroyed.connect(lambda _obj=None, t=temp: t.cleanup())
        path = Path(self._temp.name) / self.info.name
        written = await self._ctx.services.documents.save_copy(
            self.message_id, self.info.part_id, path, purpose="open_external"
        )
        QDesktopServices.openUrl(QUrl.fromLocalFile(written.path))
        return Path(written.path)

    def _on_open_button_clicked(self) -> None:
        self._ctx.runner.run(self, self.open_external())

    # -- "Imprimer" ------------------------------------------------------------------------------

    async def print_to(self, printer: object) -> int:
        """Print what is shown on `printer` (a QPrinter); returns the pages printed."""
        from PySide6.QtPrintSupport import QPrinter

        assert isinstance(printer, QPrinter)
        if self.kind == "text":
            self.text.document().print_(printer)
            return 1
        painter = QPainter()
        if not painter.begin(printer):
            return 0
        try:
            if self.kind == "pdf":
                return await self.pdf.print_to(painter, printer.newPage)
            if self.kind == "xdm":
                return await self.xdm.pdf.print_to(painter, printer.newPage)
            if self.kind == "image":
                pages = 0
                for page in range(self.image.page_count):
                    image, _ = await asyncio.to_thread(decode_page, self.data or b"", page)
                    if image is None:
                        continue
                    if pages:
                        printer.newPage()
                    target = painter.viewport()
                    scaled = image.scaled(
                        target.size(),
                        Qt.AspectRatioMode.KeepAspectRatio,
                        Qt.TransformationMode.SmoothTransformation,
                    )
                    painter.drawImage(0, 0, scaled)
                    pages += 1
                return pages
            return 0
        finally:
            painter.end()

    async def print_document(self) -> int:
        """Ask for a printer, then print."""
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter

        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        dialog = QPrintDialog(printer, self)
        dialog.setWindowTitle(self.tr("Print the document"))
        accepted = await run_dialog(dialog) == QPrintDialog.DialogCode.Accepted
        dialog.deleteLater()
        if not accepted:
            return 0
        pages = await self.print_to(printer)
        self._say(self.tr("%n page(s) sent to the printer.", "", pages))
        return pages

    def _on_print_button_clicked(self) -> None:
        if self.print_button.isEnabled():
            self._ctx.runner.run(self, self.print_document())
