"""Documents in the reading pane: the preview under the message, the viewer, the card.

`install_documents(window, ctx, mail_page)` is the one call the frame makes. In H-ui-mail's
reading pane it adds, with public Qt calls only (the pane itself is unchanged but for each
attachment row carrying its `AttachmentInfo`):

* a preview under the message's text (a splitter), shown when an attachment row is selected
  (mouse or keyboard), hidden when another message opens;
* the separate viewer window on double-click or Enter on a row, or "Ouvrir dans une fenêtre";
* the correspondent's card (directory data, last messages exchanged, favourite, "Écrire")
  with Ctrl+I in the pane (the pane already carries H-patients' "Fiche annuaire" link, so no
  second button is placed unless `place_card_button()` is called).

Must run on the Qt thread.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QCoreApplication, QObject, QSettings, Qt
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QBoxLayout,
    QListWidgetItem,
    QMainWindow,
    QMenu,
    QSplitter,
    QToolButton,
    QWidget,
)

from app.domain.documents import AttachmentInfo
from app.ui.context import UiContext
from app.ui.documents.preview import DocumentPreview
from app.ui.documents.viewer_window import DocumentViewerWindow

log = logging.getLogger(__name__)


class ReadingPaneDocuments(QObject):
    """What issue 12 adds to one reading pane (see the module docstring)."""

    def __init__(
        self,
        pane: QWidget,
        ctx: UiContext,
        window: QMainWindow | None = None,
        state: QSettings | None = None,
    ) -> None:
        super().__init__(pane)
        self.pane = pane
        self.ctx = ctx
        self.window = window
        self.state = state
        self.viewers: list[DocumentViewerWindow] = []
        self.filing_action: QAction | None = None
        browser: QWidget = pane.browser  # type: ignore[attr-defined]
        self.attachments = pane.attachments  # type: ignore[attr-defined]
        self.preview = DocumentPreview(ctx, state=state)
        self.preview.setMinimumHeight(160)
        self.preview.hide()
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setObjectName("readingDocumentSplitter")
        self.splitter.setChildrenCollapsible(False)
        host = browser.parentWidget()
        layout = host.layout() if host is not None else None
        if layout is not None:
            layout.replaceWidget(browser, self.splitter)
            if isinstance(layout, QBoxLayout):
                index = layout.indexOf(self.splitter)
                if index >= 0:
                    layout.setStretch(index, 1)
        self.splitter.addWidget(browser)
        self.splitter.addWidget(self.preview)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 2)

        self.card_button = QToolButton()
        self.card_button.setObjectName("readingCardButton")
        self.card_button.setText(self.tr("Correspondent's card"))
        self.card_button.setToolTip(self.tr("Directory data and last messages (Ctrl+I)"))
        self.card_button.setAccessibleName(self.tr("Correspondent's card"))
        self.card_button.setAutoRaise(True)
        self.card_button.hide()
        # The reading pane already shows H-patients' "Fiche annuaire" link: the richer card
        # (last messages, favourite, Écrire) is reached with Ctrl+I rather than a second
        # button beside it; `place_card_button()` puts one there when wanted.
        shortcut = QShortcut(QKeySequence("Ctrl+I"), pane)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(self.open_card)

        self.attachments.currentItemChanged.connect(self._on_attachments_current_item_changed)
        self.attachments.itemActivated.connect(self._on_attachments_item_activated)
        self.preview.window_requested.connect(self._on_preview_window_requested)
        self.card_button.clicked.connect(self.open_card)
        message_shown = getattr(pane, "message_shown", None)
        if message_shown is not None:
            message_shown.connect(self._on_pane_message_shown)

    def place_card_button(self) -> None:
        """Show a "Correspondent's card" button beside the sender's identity."""
        identity = getattr(self.pane, "identity", None)
        if not isinstance(identity, QWidget):
            return
        header = identity.parentWidget()
        grid = header.layout() if header is not None else None
        if grid is None:
            return
        for index in range(grid.count()):
            item = grid.itemAt(index)
            inner = item.layout() if item is not None else None
            if isinstance(inner, QBoxLayout) and inner.indexOf(identity) >= 0:
                inner.insertWidget(inner.indexOf(identity) + 1, self.card_button)
                return

    # -- the preview ---------------------------------------------------------------------------

    def _message_id(self) -> int | None:
        value = getattr(self.pane, "message_id", None)
        return value if isinstance(value, int) else None

    @staticmethod
    def _info(item: QListWidgetItem | None) -> AttachmentInfo | None:
        value = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        return value if isinstance(value, AttachmentInfo) else None

    def _on_attachments_current_item_changed(
        self, current: QListWidgetItem | None, _previous: QListWidgetItem | None
    ) -> None:
        info = self._info(current)
        message_id = self._message_id()
        if info is None or message_id is None:
            return
        if not self.preview.isVisible():
            self.preview.show()
            # The document needs the room: the message's text keeps a few lines above it.
            total = max(1, self.splitter.height())
            body = max(60, total // 6)
            self.splitter.setSizes([body, total - body])
        self.ctx.runner.run(self.preview, self.preview.show_attachment(message_id, info))

    def _on_attachments_item_activated(self, item: QListWidgetItem) -> None:
        info = self._info(item)
        message_id = self._message_id()
        if info is not None and message_id is not None:
            self.open_viewer(message_id, info)

    def _on_preview_window_requested(self) -> None:
        message_id = self.preview.message_id
        if self.preview.info is not None and message_id is not None:
            self.open_viewer(message_id, self.preview.info)

    def open_viewer(self, message_id: int, info: AttachmentInfo) -> DocumentViewerWindow:
        """The document in a window of its own."""
        viewer = DocumentViewerWindow(self.ctx, self.window, state=self.state)
        self.viewers.append(viewer)
        viewer.destroyed.connect(lambda _obj=None, v=viewer: self._forget(v))
        viewer.show()
        self.ctx.runner.run(viewer, viewer.preview.show_attachment(message_id, info))
        return viewer

    def _forget(self, viewer: DocumentViewerWindow) -> None:
        if viewer in self.viewers:
            self.viewers.remove(viewer)

    def _on_pane_message_shown(self, message_id: object) -> None:
        self.preview.hide()
        detail = getattr(self.pane, "detail", None)
        summary = getattr(detail, "summary", None)
        sender = getattr(summary, "sender", None)
        if self.card_button.parent() is not None:
            self.card_button.setVisible(message_id is not None and sender is not None)

    # -- the filing folder ---------------------------------------------------------------------

    def choose_filing_root(self) -> None:
        """Let the user choose where "Classer" puts the patients' folders."""

        async def work() -> None:
            root = await self.preview.ask_folder()
            if root is not None:
                self.preview.set_filing_root(root)

        self.ctx.runner.run(self.preview, work())

    # -- the card ------------------------------------------------------------------------------

    def open_card(self) -> QWidget | None:
        """The sender's card (directory data, last messages exchanged)."""
        detail = getattr(self.pane, "detail", None)
        sender = getattr(getattr(detail, "summary", None), "sender", None)
        if sender is None:
            return None
        from app.ui.directory.card import CorrespondentCard
        from app.ui.directory.panel import write_to

        card = CorrespondentCard(self.ctx, sender.address, sender.name or "", self.window)
        if self.window is not None:
            window = self.window
            card.compose_requested.connect(
                lambda address, name: self.ctx.runner.run(
                    card, write_to(window, self.ctx, address, name)
                )
            )
        card.show()
        self.ctx.runner.run(card, card.load())
        return card


def install_documents(
    window: QMainWindow, ctx: UiContext, mail_page: QObject | None
) -> ReadingPaneDocuments | None:
    """Add the document preview, the viewer and the correspondent's card to the mail page.

    Idempotent. Must run on the Qt thread.
    """
    workspace = getattr(mail_page, "workspace", None)
    pane = getattr(workspace, "reading", None)
    if not isinstance(pane, QWidget):
        log.info("no reading pane: document preview not installed")
        return None
    existing = getattr(pane, "_documents", None)
    if isinstance(existing, ReadingPaneDocuments):
        return existing
    store = getattr(window, "state_store", None)
    state = store if isinstance(store, QSettings) else None
    documents = ReadingPaneDocuments(pane, ctx, window, state)
    pane._documents = documents  # type: ignore[attr-defined]
    menu = getattr(window, "file_menu", None)
    if isinstance(menu, QMenu):
        # "Classer" asks for the folder once; this changes it later (a setting of the window).
        text = QCoreApplication.translate("ReadingPaneDocuments", "Folder for &filed documents…")
        action = QAction(text, window)
        action.setObjectName("filingFolderAction")
        action.triggered.connect(documents.choose_filing_root)
        separator = next((a for a in menu.actions() if a.isSeparator()), None)
        if separator is not None:
            menu.insertAction(separator, action)
        else:
            menu.addAction(action)
        documents.filing_action = action
    return documents
