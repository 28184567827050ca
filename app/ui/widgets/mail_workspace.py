"""The mail screen assembled: search bar over folders | messages | reading pane, wired.

The window frame places one `MailWorkspace` in its central area (or builds its own layout
from the panes and calls `wire`). Folder choice shows the folder, a search replaces the list
until it is cleared, the cursor in the list opens the message (search words highlighted).

Must run on the Qt thread.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QObject, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QSplitter, QVBoxLayout, QWidget

from app.services.archive_service import SearchFilters
from app.ui.context import UiContext
from app.ui.html import search_terms
from app.ui.models.folder_model import FolderTreeModel
from app.ui.widgets.folder_pane import FolderPane
from app.ui.widgets.message_actions import MessageActions
from app.ui.widgets.message_list_pane import MessageListPane
from app.ui.widgets.reading_pane import ReadingPane
from app.ui.widgets.search_bar import SearchBar


class MailWiring(QObject):
    """Connects the mail panes to one another (no layout)."""

    def __init__(
        self,
        folders: FolderPane,
        messages: MessageListPane,
        reading: ReadingPane,
        search: SearchBar,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._folders = folders
        self._messages = messages
        self._reading = reading
        self._search = search
        self._folder: tuple[int, int] | None = None
        folders.folder_selected.connect(self._on_folders_folder_selected)
        folders.model.dataChanged.connect(self._on_folder_data_changed)
        messages.current_changed.connect(self._on_messages_current_changed)
        # Enter on a row: into the message's text (the keyboard's way to read it).
        messages.view.activated.connect(self._on_messages_activated)
        search.search_requested.connect(self._on_search_requested)
        search.search_cleared.connect(self._on_search_cleared)

    def _on_folders_folder_selected(self, account_id: int, folder_id: int) -> None:
        self._folder = (account_id, folder_id)
        if self._search.active:
            self._search.clear()  # choosing a folder leaves the search
        self._reading.set_terms([])
        self._messages.show_folder(account_id, folder_id, self._folders.folder_label(folder_id))

    def _on_folder_data_changed(self, top_left: QModelIndex, *_args: object) -> None:
        # The shown folder renamed on the server: the list's title follows.
        if self._folder is None or self._search.active:
            return
        folder_id = self._folder[1]
        if top_left.data(FolderTreeModel.FolderIdRole) == folder_id:
            self._messages.retitle(self._folders.folder_label(folder_id))

    def _on_messages_current_changed(self, message_id: object) -> None:
        self._reading.show_message(message_id if isinstance(message_id, int) else None)

    def _on_messages_activated(self, _index: object) -> None:
        self._reading.browser.setFocus(Qt.FocusReason.OtherFocusReason)

    def _on_search_requested(self, query: str, filters: SearchFilters) -> None:
        self._reading.set_terms(search_terms(query))
        self._messages.show_search(query, filters)

    def _on_search_cleared(self) -> None:
        self._reading.set_terms([])
        if self._folder is not None:
            account_id, folder_id = self._folder
            self._messages.show_folder(account_id, folder_id, self._folders.folder_label(folder_id))
        else:
            self._messages.clear()


class MailWorkspace(QWidget):
    """Search bar, then folders | messages | reading pane side by side.

    Attributes:
        folders, messages, reading, search: the panes.
        message_actions: the message actions (`.actions` for menus and toolbars;
            `.compose_requested` for the composer).
        splitter: the three-pane splitter (its state is the window's to save).
    """

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mailWorkspace")
        self.search = SearchBar(ctx, self)
        # The panes are made inside the splitter (no second polish when moved into it).
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("mailSplitter")
        self.splitter.setChildrenCollapsible(False)
        self.folders = FolderPane(ctx, self.splitter)
        self.messages = MessageListPane(ctx, self.splitter)
        self.reading = ReadingPane(ctx, self.splitter)
        self.message_actions = MessageActions(ctx, self.messages, self)
        self.wiring = MailWiring(self.folders, self.messages, self.reading, self.search, self)
        for pane, minimum in ((self.folders, 170), (self.messages, 300), (self.reading, 360)):
            pane.setMinimumWidth(minimum)
            self.splitter.addWidget(pane)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setStretchFactor(2, 3)
        self.splitter.setSizes([260, 460, 700])  # as the window's first time: folder names whole
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.search)
        layout.addWidget(self.splitter, 1)
        # Tab order is the order of creation: search, folders, messages, the message's text
        # (its links), its attachments. No setTabOrder: each pane is a compound widget with a
        # focus proxy, and moving its children ahead of it in the chain makes a Tab loop.
        # Standalone (tests, screenshots): Ctrl+F finds; in the window the Find action does.
        self.find_shortcut = QShortcut(QKeySequence("Ctrl+F"), self)
        self.find_shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.find_shortcut.activated.connect(self.search.focus_field)
