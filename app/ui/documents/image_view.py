"""Images shown in Pli: JPEG, PNG, and TIFF page by page (faxes and scans).

Pages are decoded on a worker thread (QImage is safe off the Qt thread; QPixmap is not) with
Qt's allocation limit, one page at a time: a 100-page fax never sits decoded in memory.
Must run on the Qt thread.
"""

from __future__ import annotations

import asyncio

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt, Signal
from PySide6.QtGui import QImage, QImageReader, QKeySequence, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.ui.documents.pdf_view import ZOOM_STEPS
from app.ui.documents.texts import problem_text

#: Megabytes Qt may allocate for one decoded page (a 600-dpi A4 colour scan is about 140).
ALLOCATION_LIMIT_MB = 256


def decode_page(data: bytes, page: int) -> tuple[QImage | None, int]:
    """Decode one page of an image; returns (image or None, page count). Blocking."""
    buffer = QBuffer()
    buffer.setData(QByteArray(data))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    reader = QImageReader(buffer)
    try:
        reader.setDecideFormatFromContent(True)
        reader.setAllocationLimit(ALLOCATION_LIMIT_MB)
        reader.setAutoTransform(True)
        count = max(1, reader.imageCount())
        if page and not reader.jumpToImage(page):
            return None, count
        image = reader.read()
        return (None if image.isNull() else image), count
    finally:
        # The reader must go before the device it reads (Qt crashes the other way round).
        del reader
        buffer.close()


class ImagePreview(QWidget):
    """One image, page by page, with zoom.

    Signals:
        loaded(int): the first page is shown; the page count.
        failed(str): it cannot be shown (``image.unreadable``).
    """

    loaded = Signal(int)
    failed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("imagePreview")
        self.setAccessibleName(self.tr("Image"))
        self._data = b""
        self._image: QImage | None = None
        self._zoom: float | None = None  # None: fit to width
        self._generation = 0
        self._task: asyncio.Future[bool] | None = None
        self.page = 0
        self.page_count = 0
        self.error_code: str | None = None

        bar = QWidget(self)
        row = QHBoxLayout(bar)
        row.setContentsMargins(6, 3, 6, 3)
        self.previous_button = self._button(bar, "◀", self.tr("Previous page"))
        self.next_button = self._button(bar, "▶", self.tr("Next page"))
        self.page_box = QSpinBox(bar)
        self.page_box.setAccessibleName(self.tr("Page number"))
        self.page_box.setMinimum(1)
        self.page_box.setKeyboardTracking(False)
        self.page_count_label = QLabel(bar)
        self.zoom_out_button = self._button(bar, "−", self.tr("Zoom out"))
        self.zoom_in_button = self._button(bar, "+", self.tr("Zoom in"))
        self.fit_button = self._button(bar, "↔", self.tr("Fit to width"))
        for widget in (self.previous_button, self.page_box, self.page_count_label):
            row.addWidget(widget)
        row.addWidget(self.next_button)
        row.addSpacing(10)
        for widget in (self.zoom_out_button, self.zoom_in_button, self.fit_button):
            row.addWidget(widget)
        row.addStretch(1)
        self.toolbar = bar

        self.label = QLabel(self)
        self.label.setObjectName("imagePage")
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.label.setStyleSheet("background: white;")
        self.scroll_area = QScrollArea(self)
        self.scroll_area.setWidget(self.label)
        self.scroll_area.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.scroll_area.setStyleSheet("QScrollArea { background: #7a7f86; }")
        self.scroll_area.setAccessibleName(self.tr("Page of the image"))
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setStyleSheet("padding: 24px; font-size: 11pt;")
        self.message.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(bar)
        layout.addWidget(self.scroll_area, 1)
        layout.addWidget(self.message, 1)
        self.setFocusProxy(self.scroll_area)

        self.previous_button.clicked.connect(lambda: self.go_to(self.page - 1))
        self.next_button.clicked.connect(lambda: self.go_to(self.page + 1))
        self.page_box.valueChanged.connect(lambda value: self.go_to(value - 1))
        self.zoom_in_button.clicked.connect(lambda: self.zoom_step(+1))
        self.zoom_out_button.clicked.connect(lambda: self.zoom_step(-1))
        self.fit_button.clicked.connect(self.fit_width)
        for keys, handler in (
            (QKeySequence(Qt.Key.Key_PageDown), lambda: self.go_to(self.page + 1)),
            (QKeySequence(Qt.Key.Key_PageUp), lambda: self.go_to(self.page - 1)),
            (QKeySequence(QKeySequence.StandardKey.ZoomIn), lambda: self.zoom_step(+1)),
            (QKeySequence(QKeySequence.StandardKey.ZoomOut), lambda: self.zoom_step(-1)),
        ):
            shortcut = QShortcut(keys, self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(handler)

    def _button(self, parent: QWidget, text: str, tip: str | None = None) -> QToolButton:
        button = QToolButton(parent)
        button.setText(text)
        button.setToolTip(tip or text)
        button.setAccessibleName(tip or text)
        button.setAutoRaise(True)
        return button

    async def load_bytes(self, data: bytes) -> bool:
        """Show the first page of an image; False (and a French message) when it cannot."""
        self._data = data
        self.error_code = None
        self.page = 0
        return await self._show_page(0, first=True)

    def go_to(self, page: int) -> None:
        """Show another page (0-based, clamped)."""
        if not self._data or self.page_count == 0:
            return
        page = max(0, min(self.page_count - 1, page))
        if page != self.page:
            self._task = asyncio.ensure_future(self._show_page(page))

    async def _show_page(self, page: int, *, first: bool = False) -> bool:
        self._generation += 1
        generation = self._generation
        image, count = await asyncio.to_thread(decode_page, self._data, page)
        if generation != self._generation:
            return False
        if image is None:
            if first:
                self.show_problem("image.unreadable")
                self.failed.emit("image.unreadable")
            return False
        self.page, self.page_count, self._image = page, count, image
        self.message.hide()
        self.scroll_area.show()
        self.toolbar.setVisible(True)
        self.page_box.blockSignals(True)
        self.page_box.setMaximum(count)
        self.page_box.setValue(page + 1)
        self.page_box.blockSignals(False)
        self.page_count_label.setText(self.tr("of %1").replace("%1", str(count)))
        self.previous_button.setEnabled(page > 0)
        self.next_button.setEnabled(page + 1 < count)
        for widget in (self.previous_button, self.next_button, self.page_box):
            widget.setVisible(count > 1)
        self.page_count_label.setVisible(count > 1)
        self._render()
        if first:
            self.loaded.emit(count)
        return True

    def show_problem(self, code: str) -> None:
        """Explain in French why the image is not shown."""
        self.error_code = code
        self.message.setText(problem_text(code))
        self.message.setAccessibleName(self.message.text())
        self.scroll_area.hide()
        self.toolbar.hide()
        self.message.show()

    def zoom_step(self, direction: int) -> None:
        """Zoom in (+1) or out (-1)."""
        current = self._zoom if self._zoom is not None else self._fit_factor()
        if direction > 0:
            self._zoom = next((z for z in ZOOM_STEPS if z > current + 0.01), ZOOM_STEPS[-1])
        else:
            self._zoom = next((z for z in reversed(ZOOM_STEPS) if z < current - 0.01), 0.1)
        self._render()

    def fit_width(self) -> None:
        """The page as wide as the view."""
        self._zoom = None
        self._render()

    def _fit_factor(self) -> float:
        if self._image is None or self._image.width() == 0:
            return 1.0
        return max(0.05, (self.scroll_area.viewport().width() - 16) / float(self._image.width()))

    def _render(self) -> None:
        if self._image is None:
            return
        factor = self._zoom if self._zoom is not None else self._fit_factor()
        width = max(1, int(self._image.width() * factor))
        scaled = self._image.scaledToWidth(width, Qt.TransformationMode.SmoothTransformation)
        self.label.setPixmap(QPixmap.fromImage(scaled))
        self.label.resize(scaled.size())
        self.label.setAccessibleName(
            self.tr("Page %1 of %2")
            .replace("%1", str(self.page + 1))
            .replace("%2", str(self.page_count))
        )

    def resizeEvent(self, event: object) -> None:  # noqa: N802 - Qt override
        """Keep "fit to width" fitting."""
        super().resizeEvent(event)  # type: ignore[arg-type]
        if self._zoom is None:
            self._render()
