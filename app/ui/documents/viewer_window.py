"""The separate viewer: one document in a window of its own (several can be open).

The window belongs to the main window (closed and hidden with it, hidden by the lock) and
holds a `DocumentPreview` without the "Ouvrir dans une fenêtre" button. Must run on the Qt
thread.
"""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QMainWindow, QWidget

from app.ui.context import UiContext
from app.ui.documents.preview import DocumentPreview


class DocumentViewerWindow(QMainWindow):
    """A window showing one document (Échap closes it)."""

    def __init__(
        self, ctx: UiContext, parent: QWidget | None = None, *, state: QSettings | None = None
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("documentViewer")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle(self.tr("Document - Pli"))
        self.preview = DocumentPreview(ctx, self, state=state, in_window=True)
        self.setCentralWidget(self.preview)
        inner = self.preview.layout()
        if inner is not None:  # a window of its own: some air around the name and the buttons
            inner.setContentsMargins(6, 8, 6, 6)
        self.setAccessibleName(self.tr("Document viewer"))
        self.resize(980, 760)
        close = QShortcut(QKeySequence(Qt.Key.Key_Escape), self)
        close.activated.connect(self.close)
        self.preview.shown.connect(self._on_preview_shown)

    def _on_preview_shown(self, _what: str) -> None:
        name = self.preview.info.name if self.preview.info is not None else ""
        title = self.tr("%1 - Pli").replace("%1", name) if name else self.tr("Document - Pli")
        self.setWindowTitle(title)
