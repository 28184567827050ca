"""What can be done to the selected messages: reply, forward, flag, move, delete, mark read.

Every change is done at once in the archive through `services.operations` (the list updates
immediately) and replayed to the server by the engine. Replies and forwards are handed to the
composer through `compose_requested`.

Must run on the Qt thread.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMessageBox,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from app.domain.message import Flag, MessageSummary
from app.services.account_service import Account
from app.ui.async_bridge import run_dialog
from app.ui.context import UiContext
from app.ui.models.folder_model import AccountRow, FolderRow, FolderTreeModel, NodeKind
from app.ui.widgets.mail_icons import icon
from app.ui.widgets.message_list_pane import MessageListPane

log = logging.getLogger(__name__)

ComposeKind = Literal["new", "reply", "reply_all", "forward"]


@dataclass(frozen=True)
class ComposeRequest:
    """What the composer is asked to open: a new message, a reply or a forward of one."""

    kind: ComposeKind
    message_id: int | None = None


class MoveDialog(QDialog):
    """Choose the folder to move messages to (one account's folders)."""

    def __init__(
        self,
        account: AccountRow,
        folders: Sequence[FolderRow],
        current_folder: str | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Move to…"))
        self.setAccessibleName(self.tr("Move to a folder"))
        self.model = FolderTreeModel(self)
        self.model.set_account(account, [f for f in folders if f.name != current_folder])
        self.view = QTreeView(self)
        self.view.setModel(self.model)
        self.view.setHeaderHidden(True)
        self.view.hideColumn(FolderTreeModel.COLUMN_UNREAD)
        self.view.setAccessibleName(self.tr("Destination folder"))
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.expandAll()
        self.view.doubleClicked.connect(self._on_view_double_clicked)
        label = QLabel(self.tr("Move the selected messages to:"), self)
        label.setBuddy(self.view)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(self.tr("Move"))
        ok.setAccessibleName(self.tr("Move"))
        cancel = buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setText(self.tr("Cancel"))
        cancel.setAccessibleName(self.tr("Cancel"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addWidget(self.view, 1)
        layout.addWidget(buttons)
        self.resize(380, 420)
        first = self.model.folders(account.id)
        if first:
            self.view.setCurrentIndex(self.model.folder_index(first[0].id))

    def chosen(self) -> FolderRow | None:
        """The folder under the cursor."""
        index = self.view.currentIndex()
        if not index.isValid() or index.data(FolderTreeModel.KindRole) != NodeKind.FOLDER:
            return None
        return self.model.folder(int(index.data(FolderTreeModel.FolderIdRole)))

    def _on_view_double_clicked(self) -> None:
        if self.chosen() is not None:
            self.accept()


class MessageActions(QObject):
    """The message actions, bound to a message list.

    Signals:
        compose_requested(object): a `ComposeRequest` (reply, reply all, forward).
        done(str): an action finished locally (its name: ``read``, ``move``, ``delete``…).
    """

    compose_requested = Signal(object)
    done = Signal(str)

    def __init__(
        self, ctx: UiContext, list_pane: MessageListPane, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._list = list_pane
        self.reply = self._action(
            self.tr("&Reply"), self.tr("Reply to the sender"), QKeySequence("Ctrl+R")
        )
        self.reply_all = self._action(
            self.tr("Reply to &all"),
            self.tr("Reply to the sender and every recipient"),
            QKeySequence("Ctrl+Shift+R"),
        )
        self.forward = self._action(
            self.tr("&Forward"), self.tr("Forward to someone else"), QKeySequence("Ctrl+L")
        )
        self.mark_read = self._action(
            self.tr("Mark as r&ead"), self.tr("Mark as read"), QKeySequence("Ctrl+U")
        )
        self.mark_unread = self._action(
            self.tr("Mark as &unread"), self.tr("Mark as unread"), QKeySequence("Ctrl+Shift+U")
        )
        self.follow = self._action(
            self.tr("F&ollow up"),
            self.tr("Follow up (flag) or stop following up"),
            QKeySequence("Ctrl+Shift+G"),
        )
        self.move = self._action(
            self.tr("&Move to…"), self.tr("Move to another folder"), QKeySequence("Ctrl+Shift+V")
        )
        self.delete = self._action(
            self.tr("&Delete"),
            self.tr("Delete (to the trash; from the trash, for good)"),
            QKeySequence(QKeySequence.StandardKey.Delete),
        )
        for action, name in (
            (self.reply, "answered"),
            (self.reply_all, "reply-all"),
            (self.forward, "forward"),
            (self.mark_read, "read"),
            (self.mark_unread, "unread-mail"),
            (self.follow, "flag"),
            (self.move, "move"),
            (self.delete, "delete"),
        ):
            action.setIcon(icon(name))
        self.actions: list[QAction] = [
            self.reply,
            self.reply_all,
            self.forward,
            self.mark_read,
            self.mark_unread,
            self.follow,
            self.move,
            self.delete,
        ]
        self.reply.triggered.connect(lambda: self._compose("reply"))
        self.reply_all.triggered.connect(lambda: self._compose("reply_all"))
        self.forward.triggered.connect(lambda: self._compose("forward"))
        self.mark_read.triggered.connect(self._on_mark_read_triggered)
        self.mark_unread.triggered.connect(self._on_mark_unread_triggered)
        self.follow.triggered.connect(self._on_follow_triggered)
        self.move.triggered.connect(self._on_move_triggered)
        self.delete.triggered.connect(self._on_delete_triggered)
        # The shortcuts work wherever the focus is in the list; the list's menu offers them.
        list_pane.view.addActions(self.actions)
        list_pane.view.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        list_pane.current_changed.connect(self._on_list_current_changed)
        list_pane.view.selectionModel().selectionChanged.connect(self._on_list_selection_changed)
        list_pane.model.dataChanged.connect(self._on_list_selection_changed)
        self.update_state()

    def _action(self, text: str, accessible: str, shortcut: QKeySequence) -> QAction:
        action = QAction(text, self)
        action.setShortcut(shortcut)
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.setToolTip(
            f"{accessible} ({shortcut.toString(QKeySequence.SequenceFormat.NativeText)})"
        )
        action.setStatusTip(accessible)
        action.setWhatsThis(accessible)
        # Screen readers announce a menu item by its text without the mnemonic; the accessible
        # name of the toolbar buttons made from the action comes from the text too.
        action.setIconText(text.replace("&", ""))
        return action

    # -- state -----------------------------------------------------------------------------------

    def _selected(self) -> list[MessageSummary]:
        out = []
        for message_id in self._list.selected_ids():
            row = self._list.model.row_of(message_id)
            summary = self._list.model.summary(row) if row is not None else None
            if summary is not None:
                out.append(summary)
        return out

    def update_state(self) -> None:
        """Enable what applies to the selection; the follow action says what it will do."""
        selected = self._selected()
        single = self._list.current_id() is not None
        for action in (self.reply, self.reply_all, self.forward):
            action.setEnabled(single)
        for action in (self.mark_read, self.mark_unread, self.follow, self.move, self.delete):
            action.setEnabled(bool(selected))
        all_flagged = bool(selected) and all(s.flags & Flag.FLAGGED for s in selected)
        self.follow.setText(self.tr("Stop f&ollowing up") if all_flagged else self.tr("F&ollow up"))
        self.follow.setIconText(self.follow.text().replace("&", ""))
        self.mark_read.setEnabled(any(not s.flags & Flag.SEEN for s in selected))
        self.mark_unread.setEnabled(any(s.flags & Flag.SEEN for s in selected))

    def _on_list_current_changed(self, _message_id: object) -> None:
        self.update_state()

    def _on_list_selection_changed(self, *_args: object) -> None:
        self.update_state()

    # -- composing -------------------------------------------------------------------------------

    def _compose(self, kind: ComposeKind) -> None:
        message_id = self._list.current_id()
        if message_id is not None:
            self.compose_requested.emit(ComposeRequest(kind=kind, message_id=message_id))

    # -- flags -----------------------------------------------------------------------------------

    def _on_mark_read_triggered(self) -> None:
        self.set_flags(add=Flag.SEEN)

    def _on_mark_unread_triggered(self) -> None:
        self.set_flags(remove=Flag.SEEN)

    def _on_follow_triggered(self) -> None:
        selected = self._selected()
        if selected and all(s.flags & Flag.FLAGGED for s in selected):
            self.set_flags(remove=Flag.FLAGGED)
        else:
            self.set_flags(add=Flag.FLAGGED)

    def set_flags(
        self, *, add: Flag = Flag.NONE, remove: Flag = Flag.NONE
    ) -> asyncio.Task[None] | None:
        """Change the selected messages' flags (at once; replayed by the engine)."""
        groups = _by_account(self._selected())
        if not groups:
            return None
        name = "read" if Flag.SEEN in add else "unread" if Flag.SEEN in remove else "flag"

        async def run() -> None:
            for ids in groups.values():
                await self._ctx.services.operations.set_flags(ids, add, remove)
            self.done.emit(name)

        return self._ctx.runner.run(self._list, run())

    # -- moving and deleting ---------------------------------------------------------------------

    def _on_move_triggered(self) -> None:
        self._ctx.runner.run(self._list, self._choose_and_move())

    async def _choose_and_move(self) -> None:
        selected = self._selected()
        groups = _by_account(selected)
        if len(groups) != 1:
            if groups:
                box = QMessageBox(
                    QMessageBox.Icon.Information,
                    self.tr("Move to…"),
                    self.tr("Choose messages of one mailbox at a time to move them."),
                    QMessageBox.StandardButton.Ok,
                    self._list,
                )
                await run_dialog(box)
            return
        account = await self._ctx.services.accounts.get(next(iter(groups)))
        folders = await self._folders(account)
        dialog = MoveDialog(
            AccountRow(account.id, account.name, account.address, account.config.box_type.value),
            folders,
            selected[0].folder if len({s.folder for s in selected}) == 1 else None,
            self._list,
        )
        if await run_dialog(dialog) != QDialog.DialogCode.Accepted.value:
            return
        target = dialog.chosen()
        if target is None:
            return
        await self.move_to(target.name)

    async def move_to(self, folder: str) -> None:
        """Move the selected messages to `folder` of their account (at once)."""
        groups = _by_account(self._selected())
        ids = [i for group in groups.values() for i in group]
        if not ids:
            return
        self._list.remove_ids(ids)
        for group in groups.values():
            await self._ctx.services.operations.move(group, folder)
        self.done.emit("move")

    def _on_delete_triggered(self) -> None:
        self._ctx.runner.run(self._list, self.delete_selected())

    async def delete_selected(self, *, confirm: bool = True) -> None:
        """Move to the trash; messages already in the trash are deleted for good (asked first)."""
        selected = self._selected()
        if not selected:
            return
        for account_name, ids in _by_account(selected).items():
            account = await self._ctx.services.accounts.get(account_name)
            folders = await self._folders(account)
            trash = next((f for f in folders if f.role == "trash"), None)
            in_trash = [s.id for s in selected if s.id in ids and trash and s.folder == trash.name]
            to_trash = [i for i in ids if i not in in_trash]
            if to_trash and trash is not None:
                self._list.remove_ids(to_trash)
                await self._ctx.services.operations.move(to_trash, trash.name)
            elif to_trash:  # no trash folder on this server: deleting is for good
                in_trash += to_trash
            if in_trash:
                if confirm and not await self._confirm_delete(len(in_trash)):
                    continue
                self._list.remove_ids(in_trash)
                await self._ctx.services.operations.delete(in_trash)
        self.done.emit("delete")

    async def _confirm_delete(self, count: int) -> bool:
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            self.tr("Delete for good?"),
            self.tr(
                "%n message(s) will be deleted for good, from this computer and from the server.",
                "",
                count,
            ),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            self._list,
        )
        box.button(QMessageBox.StandardButton.Yes).setText(self.tr("Delete for good"))
        box.button(QMessageBox.StandardButton.Cancel).setText(self.tr("Cancel"))
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        return await run_dialog(box) == QMessageBox.StandardButton.Yes.value

    async def _folders(self, account: Account) -> list[FolderRow]:
        rows = []
        for status in await self._ctx.services.archive.folders(account):
            folder_id = status.id
            rows.append(
                FolderRow(
                    int(folder_id),
                    status.name,
                    status.role,
                    status.messages,
                    status.unread,
                    path=status.path,
                )
            )
        return rows


def _by_account(summaries: Sequence[MessageSummary]) -> dict[str, list[int]]:
    """Message ids grouped by account (an operation applies to one account)."""
    groups: dict[str, list[int]] = defaultdict(list)
    for summary in summaries:
        groups[summary.account].append(summary.id)
    return dict(groups)
