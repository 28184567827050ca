"""The folder pane: every account (PER, CAB, ORG side by side) and its folders, unread counts.

Updated from the engine's events (folder lists, counts, messages changed, accounts added or
removed): never polled.

Must run on the Qt thread.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable

from PySide6.QtCore import QModelIndex, QTimer, Signal
from PySide6.QtGui import QFocusEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTreeView, QVBoxLayout, QWidget

from app.domain import events as ev
from app.services.account_service import Account
from app.ui.context import UiContext
from app.ui.models.folder_model import AccountRow, FolderRow, FolderTreeModel, NodeKind

log = logging.getLogger(__name__)


class FolderPane(QWidget):
    """Accounts and folders; choosing a folder shows its messages.

    Signals:
        folder_selected(int, int): the account id and folder id chosen.
        refreshed(): every account's folders were read again (`refresh`) and are shown.
    """

    folder_selected = Signal(int, int)
    refreshed = Signal()

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._accounts: dict[int, Account] = {}
        self._dirty_accounts: set[int] = set()
        self._reload_list = False
        self._selected: tuple[int, int] | None = None
        self._busy: asyncio.Task[None] | None = None

        self.model = FolderTreeModel(self)
        self.view = QTreeView(self)
        self.view.setObjectName("folderTree")
        self.view.setModel(self.model)
        self.view.setHeaderHidden(True)
        self.view.setRootIsDecorated(True)
        self.view.setUniformRowHeights(True)
        self.view.setIndentation(14)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setAccessibleName(self.tr("Mailboxes and folders"))
        self.view.setAccessibleDescription(
            self.tr("Arrow keys choose a folder; its messages are shown beside.")
        )
        header = self.view.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)

        self.view.selectionModel().currentChanged.connect(self._on_view_current_changed)
        self.model.rowsInserted.connect(self._on_model_rows_inserted)
        ctx.signals.folder_counts_changed.connect(self._on_engine_folder_counts)
        ctx.signals.messages_changed.connect(self._on_engine_messages_changed)
        ctx.signals.accounts_changed.connect(self._on_engine_accounts_changed)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(150)  # counts of a burst of changes recomputed once
        self._timer.timeout.connect(self._on_timer_timeout)
        # Started once the loop runs (never a task from a constructor: qasync issue 121).
        QTimer.singleShot(0, self.refresh)

    def focusInEvent(self, event: QFocusEvent) -> None:  # noqa: N802
        """Focus given to the pane goes to its main control.

        Not a focus proxy: a proxy makes the pane a stop of the Tab chain, and the pane sits
        after its own children in that chain (a Tab loop through the pane's controls).
        """
        super().focusInEvent(event)
        self.view.setFocus(event.reason())

    # -- loading -------------------------------------------------------------------------------

    def refresh(self) -> asyncio.Task[None]:
        """Read every account and its folders again (merged in place)."""
        return self._ctx.runner.run(self, self._load_all())

    async def _load_all(self) -> None:
        accounts = await self._ctx.services.accounts.list()
        self._accounts = {a.id: a for a in accounts}
        self.model.keep_accounts(list(self._accounts))
        for account in accounts:
            await self._load_account(account)
        if self._selected is None:
            self._select_first_inbox()
        self.refreshed.emit()

    async def _load_account(self, account: Account) -> None:
        statuses = await self._ctx.services.archive.folders(account)
        rows = []
        for status in statuses:
            folder_id = status.id
            rows.append(
                FolderRow(
                    id=int(folder_id),
                    name=status.name,
                    role=status.role,
                    messages=status.messages,
                    unread=status.unread,
                    on_server=status.on_server,
                    gone=status.gone,
                    path=status.path,
                )
            )
        self.model.set_account(self._account_row(account), rows)
        self.view.expand(self.model.account_index(account.id))

    def _account_row(self, account: Account) -> AccountRow:
        demo = account.config.demo or self._ctx.services.demo.is_demo(account)
        return AccountRow(
            id=account.id,
            name=account.name,
            address=account.address,
            box_type=str(account.config.box_type.value),
            demo=demo,
            retired=account.config.retired,
        )

    # -- selection -------------------------------------------------------------------------------

    def select_folder(self, folder_id: int) -> bool:
        """Put the cursor on a folder (emits `folder_selected`); False when not shown."""
        index = self.model.folder_index(folder_id)
        if not index.isValid():
            return False
        self.view.setCurrentIndex(index)
        return True

    def folder_label(self, folder_id: int) -> str:
        """The name a user sees for a folder (``Boîte de réception``…)."""
        folder = self.model.folder(folder_id)
        return self.model.folder_label(folder) if folder is not None else ""

    def account(self, account_id: int) -> Account | None:
        """An account shown in the pane."""
        return self._accounts.get(account_id)

    def _select_first_inbox(self) -> None:
        for account in self.model.accounts():
            for folder in self.model.folders(account.id):
                if folder.role == "inbox":
                    self.select_folder(folder.id)
                    return

    def _on_view_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid():
            return
        kind = current.data(FolderTreeModel.KindRole)
        if kind != NodeKind.FOLDER:
            return
        account_id = int(current.data(FolderTreeModel.AccountIdRole))
        folder_id = int(current.data(FolderTreeModel.FolderIdRole))
        if self._selected == (account_id, folder_id):
            return
        self._selected = (account_id, folder_id)
        self.folder_selected.emit(account_id, folder_id)

    def _on_model_rows_inserted(self, parent: QModelIndex, _first: int, _last: int) -> None:
        if not parent.isValid():  # a new account: show its folders
            QTimer.singleShot(0, self._expand_accounts)

    def _expand_accounts(self) -> None:
        for account in self.model.accounts():
            self.view.expand(self.model.account_index(account.id))

    # -- live updates ----------------------------------------------------------------------------

    def _on_engine_folder_counts(self, event: ev.Event) -> None:
        if isinstance(event, ev.FolderCountsChanged) and self.model.update_counts(
            event.folder_id, messages=event.messages, unread=event.unread
        ):
            return
        self._mark(event.account_id)

    def _on_engine_messages_changed(self, event: ev.MessagesChanged) -> None:
        # Flags changed by the user or another client: unread counts follow.
        self._mark(event.account_id)

    def _on_engine_accounts_changed(self, event: ev.Event) -> None:
        if isinstance(event, ev.AccountRemoved):
            self._accounts.pop(event.account_id, None)
            self.model.remove_account(event.account_id)
            return
        self._reload_list = True
        self._timer.start()

    def _mark(self, account_ids: int | Iterable[int]) -> None:
        ids = {account_ids} if isinstance(account_ids, int) else set(account_ids)
        self._dirty_accounts |= ids
        self._timer.start()

    def _on_timer_timeout(self) -> None:
        self._busy = self._ctx.runner.run(self, self._apply_dirty())

    async def _apply_dirty(self) -> None:
        if self._reload_list:
            self._reload_list = False
            self._dirty_accounts.clear()
            await self._load_all()
            return
        dirty, self._dirty_accounts = self._dirty_accounts, set()
        for account_id in dirty:
            account = self._accounts.get(account_id)
            if account is None:
                self._reload_list = True
                continue
            await self._load_account(account)
        if self._reload_list:
            self._timer.start()

    async def wait_idle(self) -> None:
        """Until pending updates are applied (tests)."""
        while self._timer.isActive() or not _done(self._busy):  # noqa: ASYNC110 - Qt state
            await asyncio.sleep(0.02)


def _done(task: asyncio.Task[None] | None) -> bool:
    return task is None or task.done()
