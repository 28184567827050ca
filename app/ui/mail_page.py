"""The mail page of the window: search bar on top, folders | messages | reading pane.

Assembles H-ui-mail's panes (app/ui/widgets) and wires them together; the frame gets the
message actions for its menu and toolbar. Must run on the Qt thread.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from PySide6.QtCore import QByteArray, QSettings, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QSplitter, QVBoxLayout, QWidget

from app.services.archive_service import SearchFilters
from app.ui.context import UiContext
from app.ui.widgets.folder_pane import FolderPane
from app.ui.widgets.message_actions import MessageActions
from app.ui.widgets.message_list_pane import MessageListPane
from app.ui.widgets.reading_pane import ReadingPane
from app.ui.widgets.search_bar import SearchBar


@dataclass
class MailPanes:
    """The mail panes, built before the page that holds them."""

    search_bar: SearchBar
    folder_pane: FolderPane
    list_pane: MessageListPane
    reading_pane: ReadingPane

    @classmethod
    def build(cls, ctx: UiContext) -> MailPanes:
        """All at once (tests; a start-up uses `MailPage.create`)."""
        return cls(SearchBar(ctx), FolderPane(ctx), MessageListPane(ctx), ReadingPane(ctx))


class MailPage(QWidget):
    """Folders, messages and the open message.

    Signals:
        compose_requested(object): a `ComposeRequest` for the composer (issue 11).
    """

    compose_requested = Signal(object)

    def __init__(
        self, ctx: UiContext, parent: QWidget | None = None, panes: MailPanes | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("mailPage")
        self.setAccessibleName(self.tr("Mail"))
        self._ctx = ctx
        self._folder: tuple[int, int] | None = None
        panes = panes or MailPanes.build(ctx)
        self.search_bar = panes.search_bar
        self.folder_pane = panes.folder_pane
        self.list_pane = panes.list_pane
        self.reading_pane = panes.reading_pane
        self.message_actions = MessageActions(ctx, self.list_pane, self)

        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("mailSplitter")
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.folder_pane)
        self.splitter.addWidget(self.list_pane)
        self.splitter.addWidget(self.reading_pane)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setStretchFactor(2, 3)
        self.splitter.setSizes([270, 440, 600])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.search_bar)
        layout.addWidget(self.splitter, 1)
        self.setTabOrder(self.search_bar, self.folder_pane)
        self.setTabOrder(self.folder_pane, self.list_pane)
        self.setTabOrder(self.list_pane, self.reading_pane)

        self.folder_pane.folder_selected.connect(self._on_folder_pane_folder_selected)
        self.list_pane.current_changed.connect(self.reading_pane.show_message)
        self.search_bar.search_requested.connect(self._on_search_bar_search_requested)
        self.search_bar.search_cleared.connect(self._on_search_bar_search_cleared)
        self.message_actions.compose_requested.connect(self.compose_requested)

    @classmethod
    async def build(cls, ctx: UiContext, parent: QWidget | None = None) -> MailPage:
        """Build the page one pane at a time, letting the loop run between them.

        Built at once, the four panes hold the loop near or over the 100 ms limit on a busy
        machine. Must run on the Qt thread, with the loop running.
        """
        search_bar = SearchBar(ctx)
        await asyncio.sleep(0)
        folder_pane = FolderPane(ctx)
        await asyncio.sleep(0)
        list_pane = MessageListPane(ctx)
        await asyncio.sleep(0)
        reading_pane = ReadingPane(ctx)
        await asyncio.sleep(0)
        return cls(ctx, parent, MailPanes(search_bar, folder_pane, list_pane, reading_pane))

    def actions(self) -> list[QAction]:
        """The message actions, for the frame's Message menu and toolbar."""
        return list(self.message_actions.actions)

    def focus_search(self) -> None:
        """Put the cursor in the search field."""
        self.search_bar.focus_field()

    def _on_folder_pane_folder_selected(self, account_id: int, folder_id: int) -> None:
        self._folder = (account_id, folder_id)
        if self.search_bar.active:
            self.search_bar.clear()
        self.list_pane.show_folder(account_id, folder_id, self.folder_pane.folder_label(folder_id))

    def _on_search_bar_search_requested(self, query: str, filters: object) -> None:
        if isinstance(filters, SearchFilters):
            self.reading_pane.set_terms(query.split())
            self.list_pane.show_search(query, filters)

    def _on_search_bar_search_cleared(self) -> None:
        self.reading_pane.set_terms([])
        if self._folder is not None:
            account_id, folder_id = self._folder
            self.list_pane.show_folder(
                account_id, folder_id, self.folder_pane.folder_label(folder_id)
            )

    # -- remembered layout -----------------------------------------------------------------------

    def save_state(self, state: QSettings) -> None:
        """Remember the splitter's positions (sizes only)."""
        state.setValue("mail/splitter", self.splitter.saveState())

    def restore_state(self, state: QSettings) -> None:
        """Put the splitter back where it was."""
        saved = state.value("mail/splitter")
        if isinstance(saved, QByteArray):
            self.splitter.restoreState(saved)
