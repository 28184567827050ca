"""The mail page of the window: H-ui-mail's `MailWorkspace` in the frame.

The workspace (app/ui/widgets/mail_workspace.py) assembles and wires the panes; this page gives
the frame what it needs from it: the message actions for the Message menu and the toolbar,
Find (Ctrl+F belongs to the window's Find action), the splitter's remembered positions, and the
composer's requests (issue 11). Must run on the Qt thread.
"""

from __future__ import annotations

import asyncio
import contextlib

from PySide6.QtCore import QByteArray, QSettings, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QVBoxLayout, QWidget

from app.services import sync_supervisor
from app.ui.collector import relax_collector
from app.ui.context import UiContext
from app.ui.widgets.mail_workspace import MailWorkspace


class MailPage(QWidget):
    """Folders, messages and the open message.

    Signals:
        compose_requested(object): a `ComposeRequest` for the composer (issue 11).
    """

    compose_requested = Signal(object)

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mailPage")
        self.setAccessibleName(self.tr("Mail"))
        self.workspace = MailWorkspace(ctx, self)
        # In the window, Ctrl+F is the Find action of the Edit menu (one owner per shortcut).
        self.workspace.find_shortcut.setEnabled(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.workspace)
        # No focus proxy: Tab goes through the workspace's own order (search, filters, folders,
        # messages, text); a proxy sent it straight to the list (tests/ui/test_accessibility.py).
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.workspace.message_actions.compose_requested.connect(self.compose_requested)

    @classmethod
    async def build(cls, ctx: UiContext, parent: QWidget | None = None) -> MailPage:
        """Build the page, letting the loop run before and after (never from a constructor)."""
        await asyncio.sleep(0)
        page = cls(ctx, parent)
        await asyncio.sleep(0)
        return page

    async def first_screen(self) -> None:
        """Until the folder tree is filled and the folder it chose shows its first page.

        Called right after `build`. With no folder to choose (an account never synced) it ends
        with the tree; the caller sets the time limit (a slow archive).
        """
        # The window is built: its heap is frozen before a sync allocates (app/ui/collector),
        # and the sync's worker processes will run below it (bench/ui_load_bench.py).
        relax_collector()
        sync_supervisor.yield_cpu_to_caller()
        model = self.workspace.messages.model
        folders = self.workspace.folders
        if model.source is not None and not model.loading and model.rowCount() > 0:
            return
        loaded: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        chosen: list[int] = []

        def on_loaded(_rows: int) -> None:
            if not loaded.done():
                loaded.set_result(None)

        def on_selected(_account_id: int, folder_id: int) -> None:
            chosen.append(folder_id)

        def on_refreshed() -> None:
            if not chosen and model.source is None:
                on_loaded(0)  # no folder to show yet (an account never synced)

        model.source_loaded.connect(on_loaded)
        folders.folder_selected.connect(on_selected)
        folders.refreshed.connect(on_refreshed)
        try:
            await loaded
        finally:
            with contextlib.suppress(RuntimeError):  # the page was closed meanwhile
                model.source_loaded.disconnect(on_loaded)
                folders.folder_selected.disconnect(on_selected)
                folders.refreshed.disconnect(on_refreshed)

    @property
    def folder_pane(self) -> QWidget:
        """The folder pane (`FolderPane`)."""
        return self.workspace.folders

    def actions(self) -> list[QAction]:
        """The message actions, for the frame's Message menu and toolbar."""
        return list(self.workspace.message_actions.actions)

    def focus_search(self) -> None:
        """Put the cursor in the search field."""
        self.workspace.search.focus_field()

    # -- remembered layout -----------------------------------------------------------------------

    def save_state(self, state: QSettings) -> None:
        """Remember the splitter's positions (sizes only)."""
        state.setValue("mail/splitter", self.workspace.splitter.saveState())

    def restore_state(self, state: QSettings) -> None:
        """Put the splitter back where it was."""
        saved = state.value("mail/splitter")
        if isinstance(saved, QByteArray) and self.workspace.splitter.restoreState(saved):
            return
        # First time: folder names in full ("Boîte de réception"), the rest shared.
        width = max(self.width(), 1100)
        folders = max(260, width // 6)
        messages = max(420, (width - folders) * 2 // 5)
        self.workspace.splitter.setSizes([folders, messages, width - folders - messages])
