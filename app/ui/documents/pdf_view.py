"""A PDF shown in Pli: pages rendered by QtPdf, zoom, page navigation, search, page text.

QPdfDocument reads the file's structure when it is loaded (about 20 ms for 2,500 pages here)
and renders nothing then; QPdfView renders only the pages on screen, on QtPdf's own render
threads, so a long report opens on its first page at once and the window never waits for a
page. A file QtPdf refuses (damaged, protected by a password) is explained in French instead.
QtPdf runs no script and follows no action of the file. Must run on the Qt thread.
"""

from __future__ import annotations

import asyncio

from PySide6.QtCore import (
    QBuffer,
    QByteArray,
    QIODevice,
    QModelIndex,
    QPointF,
    QRect,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QKeySequence, QPainter, QResizeEvent, QShortcut
from PySide6.QtPdf import QPdfDocument, QPdfDocumentRenderOptions, QPdfSearchModel
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.ui.documents.texts import problem_text

#: Documents up to this many pages scroll continuously; longer ones show one page at a time
#: (QPdfView lays out every page of a continuous view on the Qt thread).
CONTINUOUS_PAGES = 300
#: Resolution pages are rendered at for printing.
PRINT_DPI = 200.0
#: Below this width the toolbar drops its labels (zoom, result count, page count).
NARROW_WIDTH = 600
#: Zoom steps of the + and - buttons (factors of the page's natural size).
ZOOM_STEPS = (0.25, 0.33, 0.5, 0.67, 0.75, 0.9, 1.0, 1.1, 1.25, 1.5, 1.75, 2.0, 2.5, 3.0, 4.0)


def _button(parent: QWidget, text: str, tip: str, name: str) -> QToolButton:
    button = QToolButton(parent)
    button.setText(text)
    button.setToolTip(tip)
    button.setAccessibleName(tip)
    button.setObjectName(name)
    button.setAutoRaise(True)
    return button


class PdfPreview(QWidget):
    """One PDF: its pages, a toolbar (pages, zoom, search) and the page's text on demand.

    Signals:
        loaded(int): the document is ready; its page count.
        failed(str): it cannot be shown; a code (``pdf.password_required``, ``pdf.unreadable``).
    """

    loaded = Signal(int)
    failed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pdfPreview")
        self.setAccessibleName(self.tr("PDF document"))
        self.document = QPdfDocument(self)
        self._buffer: QBuffer | None = None
        self._data: QByteArray | None = None
        self.error_code: str | None = None
        self.search_model = QPdfSearchModel(self)
        self.search_model.setDocument(self.document)
        self._result = -1

        self.view = QPdfView(self)
        self.view.setObjectName("pdfView")
        self.view.setAccessibleName(self.tr("Pages of the document"))
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.SinglePage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.view.setSearchModel(self.search_model)
        self.view.setPageSpacing(8)
        self.view.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.view.setStyleSheet("QPdfView { background: #7a7f86; }")

        bar = QWidget(self)
        bar.setObjectName("pdfToolbar")
        row = QHBoxLayout(bar)
        row.setContentsMargins(6, 3, 6, 3)
        row.setSpacing(4)
        self.previous_button = _button(bar, "◀", self.tr("Previous page"), "pdfPrevious")
        self.next_button = _button(bar, "▶", self.tr("Next page"), "pdfNext")
        self.page_box = QSpinBox(bar)
        self.page_box.setObjectName("pdfPage")
        self.page_box.setAccessibleName(self.tr("Page number"))
        self.page_box.setMinimum(1)
        self.page_box.setKeyboardTracking(False)
        self.page_count_label = QLabel(bar)
        self.zoom_out_button = _button(bar, "−", self.tr("Zoom out"), "pdfZoomOut")
        self.zoom_in_button = _button(bar, "+", self.tr("Zoom in"), "pdfZoomIn")
        self.fit_button = _button(bar, "↔", self.tr("Fit to width"), "pdfFit")
        self.zoom_label = QLabel(bar)
        self.zoom_label.setMinimumWidth(44)
        self.search_field = QLineEdit(bar)
        self.search_field.setObjectName("pdfSearch")
        self.search_field.setPlaceholderText(self.tr("Search"))
        self.search_field.setMinimumWidth(110)
        self.search_field.setAccessibleName(self.tr("Search in the document"))
        self.search_field.setClearButtonEnabled(True)
        self.search_field.setMaximumWidth(260)
        self.search_previous = _button(bar, "↑", self.tr("Previous result"), "pdfSearchPrev")
        self.search_next = _button(bar, "↓", self.tr("Next result"), "pdfSearchNext")
        self.search_label = QLabel(bar)
        self.text_button = _button(bar, self.tr("Text"), self.tr("Show the page's text"), "pdfText")
        self.text_button.setCheckable(True)
        pages: tuple[QWidget, ...] = (
            self.previous_button,
            self.page_box,
            self.page_count_label,
            self.next_button,
        )
        zoom: tuple[QWidget, ...] = (
            self.zoom_out_button,
            self.zoom_label,
            self.zoom_in_button,
            self.fit_button,
        )
        search: tuple[QWidget, ...] = (
            self.search_field,
            self.search_previous,
            self.search_next,
            self.search_label,
            self.text_button,
        )
        for widget in pages:
            row.addWidget(widget)
        row.addSpacing(10)
        for widget in zoom:
            row.addWidget(widget)
        row.addStretch(1)
        for widget in search:
            row.addWidget(widget)

        self.page_text = QPlainTextEdit(self)
        self.page_text.setObjectName("pdfPageText")
        self.page_text.setAccessibleName(self.tr("Text of the page"))
        self.page_text.setReadOnly(True)
        self.page_text.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.page_text.hide()
        self.message = QLabel(self)
        self.message.setObjectName("pdfMessage")
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setStyleSheet("padding: 24px; font-size: 11pt;")
        self.message.hide()

        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(self.view)
        self.splitter.addWidget(self.page_text)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(bar)
        layout.addWidget(self.splitter, 1)
        layout.addWidget(self.message, 1)
        self.toolbar = bar
        self.setFocusProxy(self.view)

        self.document.statusChanged.connect(self._on_document_status_changed)
        self.previous_button.clicked.connect(lambda: self.go_to(self.current_page() - 1))
        self.next_button.clicked.connect(lambda: self.go_to(self.current_page() + 1))
        self.page_box.valueChanged.connect(lambda value: self.go_to(value - 1))
        self.zoom_in_button.clicked.connect(lambda: self.zoom_step(+1))
        self.zoom_out_button.clicked.connect(lambda: self.zoom_step(-1))
        self.fit_button.clicked.connect(self.fit_width)
        self.view.zoomFactorChanged.connect(self._update_zoom_label)
        self.view.zoomModeChanged.connect(self._update_zoom_label)
        self.view.pageNavigator().currentPageChanged.connect(self._on_navigator_page_changed)
        self.search_field.returnPressed.connect(self._on_search_field_return_pressed)
        self.search_field.textChanged.connect(self._on_search_field_text_changed)
        self.search_next.clicked.connect(lambda: self.show_result(self._result + 1))
        self.search_previous.clicked.connect(lambda: self.show_result(self._result - 1))
        # Never touch the model from inside its own signals (QtPdf crashes): a loop turn later.
        self.search_model.rowsInserted.connect(self._schedule_search_label)
        self.search_model.modelReset.connect(self._schedule_search_label)
        self.text_button.toggled.connect(self._on_text_button_toggled)
        for keys, handler in (
            (QKeySequence.StandardKey.ZoomIn, lambda: self.zoom_step(+1)),
            (QKeySequence.StandardKey.ZoomOut, lambda: self.zoom_step(-1)),
            (QKeySequence(Qt.Key.Key_PageDown), lambda: self.go_to(self.current_page() + 1)),
            (QKeySequence(Qt.Key.Key_PageUp), lambda: self.go_to(self.current_page() - 1)),
            (QKeySequence.StandardKey.FindNext, lambda: self.show_result(self._result + 1)),
        ):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(handler)
        self._set_enabled(False)
        self._update_zoom_label()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        """In a narrow pane, keep the controls that matter (no label squeezed over another)."""
        super().resizeEvent(event)
        narrow = self.width() < NARROW_WIDTH
        for widget in (self.zoom_label, self.search_label, self.page_count_label):
            widget.setVisible(not narrow)

    # -- loading -----------------------------------------------------------------------------

    def load_bytes(self, data: bytes) -> None:
        """Show a PDF held in memory (never written to disk). Returns at once.

        The outcome arrives as `loaded` or `failed` (QtPdf reports it by its status). Each
        file gets a fresh QPdfDocument: reusing one while QtPdf's render threads still work on
        the previous file is not safe.
        """
        self.clear()
        document = QPdfDocument(self)
        document.statusChanged.connect(self._on_document_status_changed)
        self._data = QByteArray(data)
        buffer = QBuffer(document)
        buffer.setData(self._data)
        buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self._buffer = buffer
        # QPdfView lays out every page of a multi-page view at once (0.1 s for 2,500 pages):
        # one page at a time until the count is known, continuous pages for short documents.
        self.view.setPageMode(QPdfView.PageMode.SinglePage)
        self._replace_document(document)
        document.load(buffer)

    def _replace_document(self, document: QPdfDocument) -> None:
        old = self.document
        self.document = document
        self.search_model.setDocument(document)
        self.view.setDocument(document)
        if old is not document:
            old.statusChanged.disconnect(self._on_document_status_changed)
            # Let QtPdf's render threads finish with it before it goes.
            QTimer.singleShot(2000, old.deleteLater)

    def clear(self) -> None:
        """Forget the document shown."""
        self.search_field.blockSignals(True)
        self.search_field.clear()
        self.search_field.blockSignals(False)
        self.search_model.setSearchString("")
        self._result = -1
        self.text_button.setChecked(False)
        if self._buffer is not None:
            self._replace_document(QPdfDocument(self))
            self.document.statusChanged.connect(self._on_document_status_changed)
            self._buffer = None
        self._data = None
        self.error_code = None
        self.message.hide()
        self.splitter.show()
        self.page_text.clear()
        self._set_enabled(False)

    @property
    def page_count(self) -> int:
        """Pages of the document (0 when none is loaded)."""
        return int(self.document.pageCount())

    def _on_document_status_changed(self, status: QPdfDocument.Status) -> None:
        if status == QPdfDocument.Status.Ready:
            count = self.page_count
            self.page_box.blockSignals(True)
            self.page_box.setMaximum(max(1, count))
            self.page_box.setValue(1)
            self.page_box.blockSignals(False)
            self.page_count_label.setText(self.tr("of %1").replace("%1", str(count)))
            self.page_count_label.setAccessibleName(self.tr("%n page(s)", "", count))
            self._set_enabled(count > 0)
            if count <= CONTINUOUS_PAGES:
                self.view.setPageMode(QPdfView.PageMode.MultiPage)
            self.view.pageNavigator().jump(0, QPointF(), 0)
            self.loaded.emit(count)
        elif status == QPdfDocument.Status.Error:
            error = self.document.error()
            if error == QPdfDocument.Error.IncorrectPassword:
                code = "pdf.password_required"
            elif error == QPdfDocument.Error.UnsupportedSecurityScheme:
                code = "pdf.encryption_unsupported"
            else:
                code = "pdf.unreadable"
            self.show_problem(code)
            self.failed.emit(code)

    def show_problem(self, code: str) -> None:
        """Explain in French why the document is not shown."""
        self.error_code = code
        self.message.setText(problem_text(code))
        self.message.setAccessibleName(self.message.text())
        self.splitter.hide()
        self.message.show()
        self._set_enabled(False)

    def _set_enabled(self, enabled: bool) -> None:
        for widget in self.toolbar.findChildren(QWidget):
            widget.setEnabled(enabled)

    # -- pages and zoom ----------------------------------------------------------------------

    def current_page(self) -> int:
        """The page shown (0-based)."""
        return int(self.view.pageNavigator().currentPage())

    def go_to(self, page: int) -> None:
        """Show `page` (0-based; out-of-range values are clamped)."""
        if self.page_count == 0:
            return
        page = max(0, min(self.page_count - 1, page))
        self.view.pageNavigator().jump(page, QPointF(), 0)

    def _on_navigator_page_changed(self, page: int) -> None:
        self.page_box.blockSignals(True)
        self.page_box.setValue(page + 1)
        self.page_box.blockSignals(False)
        self.previous_button.setEnabled(page > 0)
        self.next_button.setEnabled(page + 1 < self.page_count)
        if self.page_text.isVisible():
            self._fill_page_text()

    def zoom_step(self, direction: int) -> None:
        """Zoom in (+1) or out (-1) by one step."""
        current = self.view.zoomFactor()
        if self.view.zoomMode() != QPdfView.ZoomMode.Custom:
            current = self._effective_zoom()
        if direction > 0:
            target = next((z for z in ZOOM_STEPS if z > current + 0.01), ZOOM_STEPS[-1])
        else:
            target = next((z for z in reversed(ZOOM_STEPS) if z < current - 0.01), ZOOM_STEPS[0])
        self.view.setZoomMode(QPdfView.ZoomMode.Custom)
        self.view.setZoomFactor(target)

    def fit_width(self) -> None:
        """Pages as wide as the view."""
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)

    def _effective_zoom(self) -> float:
        if self.page_count == 0:
            return 1.0
        size = self.document.pagePointSize(self.current_page())
        width = self.view.viewport().width() - 2 * 6
        dpi = self.logicalDpiX() / 72.0
        return max(0.1, width / max(1.0, size.width() * dpi))

    def _update_zoom_label(self, *_args: object) -> None:
        if self.view.zoomMode() == QPdfView.ZoomMode.FitToWidth:
            text = self.tr("Width")
        else:
            text = f"{round(self.view.zoomFactor() * 100)} %"
        self.zoom_label.setText(text)
        self.zoom_label.setAccessibleName(self.tr("Zoom: %1").replace("%1", text))

    # -- search ------------------------------------------------------------------------------

    def search(self, text: str) -> None:
        """Highlight `text` in the document and go to the first result as it is found."""
        self._result = -1
        self.search_model.setSearchString(text)
        self._update_search_label()

    @property
    def result_count(self) -> int:
        """Results found so far (QtPdf searches page by page, in the background)."""
        return int(self.search_model.rowCount(QModelIndex()))

    def show_result(self, index: int) -> None:
        """Go to a search result (wrapping around)."""
        count = self.result_count
        if count == 0:
            return
        index %= count
        self._result = index
        self.view.setCurrentSearchResultIndex(index)
        link = self.search_model.resultAtIndex(index)
        self.view.pageNavigator().jump(link)
        self._update_search_label()

    def _on_search_field_return_pressed(self) -> None:
        text = self.search_field.text().strip()
        if text and text == self.search_model.searchString():
            self.show_result(self._result + 1)
        else:
            self.search(text)

    def _on_search_field_text_changed(self, text: str) -> None:
        if not text:
            self.search("")

    def _schedule_search_label(self, *_args: object) -> None:
        QTimer.singleShot(0, self, self._update_search_label)

    def _update_search_label(self, *_args: object) -> None:
        if not self.search_model.searchString():
            self.search_label.clear()
            return
        count = self.result_count
        if count and self._result < 0:
            self.show_result(0)
            return
        if count:
            text = (
                self.tr("%1 of %2").replace("%1", str(self._result + 1)).replace("%2", str(count))
            )
        else:
            text = self.tr("No result")
        self.search_label.setText(text)
        self.search_label.setAccessibleName(text)

    # -- the page's text ---------------------------------------------------------------------

    def _on_text_button_toggled(self, shown: bool) -> None:
        self.page_text.setVisible(shown)
        if shown:
            self._fill_page_text()

    def _fill_page_text(self) -> None:
        page = self.current_page()
        text = self.document.getAllText(page).text() if self.page_count else ""
        self.page_text.setPlainText(text or self.tr("(This page has no text: it is an image.)"))

    def page_text_of(self, page: int) -> str:
        """The text of one page (selectable and copiable in the text panel)."""
        return str(self.document.getAllText(page).text())

    # -- printing ----------------------------------------------------------------------------

    async def print_to(self, painter: QPainter, new_page: object) -> int:
        """Render every page onto `painter` (a QPrinter's), one page per loop turn.

        `new_page` is the printer's ``newPage`` method. Returns the pages printed.
        """
        count = self.page_count
        options = QPdfDocumentRenderOptions()
        target = painter.viewport()
        for page in range(count):
            if page and callable(new_page):
                new_page()
            size = self.document.pagePointSize(page)
            # Fit the printable area, but never above PRINT_DPI: a 600-dpi A4 page would be a
            # 130 MB image rendered on the Qt thread.
            scale = min(target.width() / size.width(), target.height() / size.height())
            scale = min(scale, PRINT_DPI / 72.0)
            image = self.document.render(
                page, QSize(int(size.width() * scale), int(size.height() * scale)), options
            )
            fit = min(target.width() / image.width(), target.height() / image.height())
            width, height = int(image.width() * fit), int(image.height() * fit)
            painter.fillRect(0, 0, width, height, Qt.GlobalColor.white)
            painter.drawImage(QRect(0, 0, width, height), image)
            await asyncio.sleep(0)
        return count
