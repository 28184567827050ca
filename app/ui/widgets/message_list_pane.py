"""The message list pane: a folder's or a search's messages, updated live by the engine.

Must run on the Qt thread.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QFocusEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QListView,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain.events import AccountRemoved, MessagesChanged
from app.services.archive_service import SearchFilters
from app.ui.context import UiContext
from app.ui.html import search_terms
from app.ui.models.message_list_model import MessageListModel
from app.ui.models.message_source import ArchiveSource
from app.ui.widgets.mail_list_delegate import MessageRowDelegate

log = logging.getLogger(__name__)

#: Rows read and merged at a time when the engine reports many (a first sync: thousands).
APPLY_CHUNK = 500


class MessageListView(QListView):
    """The list itself (arrows, Home/End, Page Up/Down; Delete and the others are actions)."""


class MessageListPane(QWidget):
    """Messages of a folder or of a search, newest first.

    Signals:
        current_changed(object): the message under the cursor (its id), or None.
        shown_changed(): another folder or search is shown (title, count).
    """

    current_changed = Signal(object)
    shown_changed = Signal()

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._account_id: int | None = None
        self._folder_id: int | None = None
        self._folder_name: str | None = None
        self._query: str | None = None
        self._pending_refresh: set[int] = set()
        self._pending_added: set[int] = set()
        self._reload_all = False
        self._last_current: int | None = None
        self._busy: asyncio.Task[None] | None = None
        self._own_known = False

        self.model = MessageListModel(self)
        self.view = MessageListView(self)
        self.view.setObjectName("messageList")
        self.view.setModel(self.model)
        self.view.setItemDelegate(MessageRowDelegate(self.view))
        self.view.setUniformItemSizes(True)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setAccessibleName(self.tr("Messages"))
        self.view.setAccessibleDescription(
            self.tr("Newest first. Arrow keys move between messages.")
        )
        self.view.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

        self._empty = QLabel(self)
        self._empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._empty.setWordWrap(True)
        self._empty.setObjectName("messageListEmpty")
        self._empty.setStyleSheet("color: palette(placeholder-text); padding: 24px;")
        self._stack = QStackedWidget(self)
        self._stack.addWidget(self.view)
        self._stack.addWidget(self._empty)

        self.title = QLabel(self)
        self.title.setObjectName("messageListTitle")
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.title.setStyleSheet("font-weight: 600; padding: 6px 10px 4px 10px;")
        self.title.setAccessibleName(self.tr("Shown list"))

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.title)
        layout.addWidget(self._stack, 1)

        selection = self.view.selectionModel()
        selection.currentChanged.connect(self._on_view_current_changed)
        self.model.rowsInserted.connect(self._update_empty)
        self.model.rowsRemoved.connect(self._update_empty)
        self.model.modelReset.connect(self._update_empty)
        self.model.load_failed.connect(self._on_model_load_failed)
        ctx.signals.messages_changed.connect(self._on_engine_messages_changed)
        ctx.signals.accounts_changed.connect(self._on_engine_accounts_changed)
        self._flush = QTimer(self)
        self._flush.setSingleShot(True)
        self._flush.setInterval(60)  # many events of one sync pass, one query
        self._flush.timeout.connect(self._on_flush_timeout)
        self._show_placeholder(self.tr("Choose a folder."))

    def focusInEvent(self, event: QFocusEvent) -> None:  # noqa: N802
        """Focus given to the pane goes to its main control.

        Not a focus proxy: a proxy makes the pane a stop of the Tab chain, and the pane sits
        after its own children in that chain (a Tab loop through the pane's controls).
        """
        super().focusInEvent(event)
        self.view.setFocus(event.reason())

    # -- what is shown -------------------------------------------------------------------------

    @property
    def folder_id(self) -> int | None:
        """The folder shown (None for a search over several folders)."""
        return self._folder_id

    @property
    def query(self) -> str | None:
        """The search shown (None for a folder)."""
        return self._query

    def show_folder(self, account_id: int, folder_id: int, title: str = "") -> asyncio.Task[int]:
        """Show a folder's messages (a slot); the task ends with the first page's row count."""
        return self._ctx.runner.run(self, self._show_folder(account_id, folder_id, title))

    def show_search(self, query: str, filters: SearchFilters) -> asyncio.Task[int]:
        """Show the messages matching `query` (a slot; words of attached PDFs included)."""
        return self._ctx.runner.run(self, self._show_search(query, filters))

    async def _learn_own_addresses(self, *, again: bool = False) -> None:
        """The user's mailboxes, so that what they sent names its recipients.

        Read once, then again only when the accounts change: the accounts are read on the
        archive's writer thread, behind whatever a sync is writing (a search during a first
        sync waited seconds for it, bench/ui_load_bench.py).
        """
        if self._own_known and not again:
            return
        accounts = await self._ctx.services.accounts.list()
        self._own_known = True
        self.model.set_own_addresses([a.address for a in accounts])

    async def _show_folder(self, account_id: int, folder_id: int, title: str = "") -> int:
        await self._learn_own_addresses()
        self._account_id, self._folder_id, self._query = account_id, folder_id, None
        self._folder_name = None
        filters = SearchFilters(account_id=account_id, folder_id=folder_id)
        self.model.set_source(ArchiveSource(self._ctx.services.archive, filters))
        self._set_title(title)
        self.shown_changed.emit()
        rows = await self.model.load_first()
        if rows:
            self._folder_name = self.model.summary(0).folder  # type: ignore[union-attr]
            self.view.setCurrentIndex(self.model.index(0))
        else:
            self._show_placeholder(self.tr("No message in this folder."))
        self._last_current = None
        self._on_view_current_changed(self.view.currentIndex(), QModelIndex())
        return rows

    async def _show_search(self, query: str, filters: SearchFilters) -> int:
        await self._learn_own_addresses()
        self._query = query.strip() or None
        self._account_id, self._folder_id = filters.account_id, filters.folder_id
        terms = search_terms(query) if self._query else []
        self.model.set_source(
            ArchiveSource(self._ctx.services.archive, filters, self._query), terms
        )
        self._set_title("")
        self.shown_changed.emit()
        rows = await self.model.load_first()
        if self._query is not None:
            self.title.setText(
                self.tr("Search results for “%1”").replace("%1", self._query)
                if rows
                else self.tr("No result for “%1”").replace("%1", self._query)
            )
        if rows:
            self.view.setCurrentIndex(self.model.index(0))
        else:
            self._show_placeholder(
                self.tr("No message matches. Words inside attached PDFs are searched too.")
            )
        self._last_current = None
        self._on_view_current_changed(self.view.currentIndex(), QModelIndex())
        return rows

    def retitle(self, title: str) -> None:
        """The shown folder's name changed (renamed on the server): say the new one."""
        if self._folder_id is not None and self._query is None:
            self._set_title(title)

    def clear(self) -> None:
        """Show nothing (no folder chosen)."""
        self._account_id = self._folder_id = None
        self._query = None
        self.model.set_source(None)
        self._show_placeholder(self.tr("Choose a folder."))
        self.current_changed.emit(None)

    def _set_title(self, title: str) -> None:
        self.title.setText(title)
        self.title.setVisible(bool(title) or self._query is not None)

    # -- selection -----------------------------------------------------------------------------

    def selected_ids(self) -> list[int]:
        """The selected messages, in list order (the current one when none is selected)."""
        rows = sorted(i.row() for i in self.view.selectionModel().selectedRows())
        if not rows and self.view.currentIndex().isValid():
            rows = [self.view.currentIndex().row()]
        out = []
        for row in rows:
            summary = self.model.summary(row)
            if summary is not None:
                out.append(summary.id)
        return out

    def current_id(self) -> int | None:
        """The message under the cursor."""
        summary = self.model.summary(self.view.currentIndex().row())
        return summary.id if summary is not None else None

    def select_id(self, message_id: int) -> bool:
        """Put the cursor on a message (False when not shown)."""
        row = self.model.row_of(message_id)
        if row is None:
            return False
        self.view.setCurrentIndex(self.model.index(row))
        return True

    def remove_ids(self, ids: Sequence[int]) -> None:
        """Take messages off the list at once (deleted or moved away) and keep the focus.

        The cursor goes to the next row after the last removed one (else the one before), so
        that a screen reader's user deleting a message lands on the next message, not nowhere.
        """
        wanted = set(ids)
        rows = [r for r in range(self.model.rowCount()) if self.model.summary(r).id in wanted]  # type: ignore[union-attr]
        if not rows:
            return
        after = next((r for r in range(rows[-1] + 1, self.model.rowCount()) if r not in rows), None)
        if after is None:
            after = next((r for r in range(rows[0] - 1, -1, -1) if r not in rows), None)
        target = self.model.summary(after).id if after is not None else None  # type: ignore[union-attr]
        had_focus = self.view.hasFocus()
        for message_id in wanted:
            self.model.remove_id(message_id)
        if target is not None:
            row = self.model.row_of(target)
            if row is not None:
                index = self.model.index(row)
                self.view.selectionModel().setCurrentIndex(
                    index, QItemSelectionModel.SelectionFlag.ClearAndSelect
                )
                self.view.scrollTo(index)
        if had_focus or target is not None:
            self.view.setFocus(Qt.FocusReason.OtherFocusReason)

    def _on_view_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        summary = self.model.summary(current.row()) if current.isValid() else None
        message_id = summary.id if summary is not None else None
        if message_id != self._last_current:
            self._last_current = message_id
            self.current_changed.emit(message_id)

    # -- live updates --------------------------------------------------------------------------

    def _on_engine_accounts_changed(self, event: object) -> None:
        if isinstance(event, AccountRemoved) and event.account_id == self._account_id:
            self.clear()  # its archive is gone with it
        self._ctx.runner.run(self, self._learn_own_addresses(again=True))

    def _on_engine_messages_changed(self, event: MessagesChanged) -> None:
        if self.model.source is None:
            return
        if event.folder_id is None:
            self._reload_all = True
        else:
            if event.removed:
                self.remove_ids(event.removed)
            shown_folder = self._folder_id is not None and event.folder_id == self._folder_id
            if shown_folder and event.folder:
                self._folder_name = event.folder
            if shown_folder and self._query is None:
                self._pending_added.update(event.added)
            self._pending_refresh.update(
                i for i in (*event.changed, *event.gone) if self.model.row_of(i) is not None
            )
            if self._query is None and not shown_folder:
                # Moved here from the shown folder: it leaves this list.
                self._pending_refresh.update(
                    i for i in event.added if self.model.row_of(i) is not None
                )
        if self._pending_added or self._pending_refresh or self._reload_all:
            self._flush.start()

    def _on_flush_timeout(self) -> None:
        self._busy = self._ctx.runner.run(self, self._apply_pending())

    async def _apply_pending(self) -> None:
        source = self.model.source
        if source is None:
            return
        if self._reload_all:
            self._reload_all = False
            self._pending_added.clear()
            self._pending_refresh.clear()
            await self._reload_keeping_current()
            return
        added, self._pending_added = sorted(self._pending_added), set()
        refresh, self._pending_refresh = sorted(self._pending_refresh), set()
        adding, refreshing = set(added), set(refresh)
        # In chunks: a first sync adds thousands of messages in one event; one query for all
        # of them held the archive's read thread (the user's search and message waited behind
        # it) and their rows the loop (bench/ui_load_bench.py).
        wanted = [*refresh, *(i for i in added if i not in refreshing)]
        for start in range(0, len(wanted), APPLY_CHUNK):
            chunk = wanted[start : start + APPLY_CHUNK]
            fresh = await source.summaries(chunk)
            if self.model.source is not source:
                return
            by_id = {s.id: s for s in fresh}
            # Rows that left the shown folder (moved, deleted) go away.
            leaving = {i for i in chunk if i in refreshing and i not in by_id}
            if self._folder_name is not None and self._query is None:
                leaving.update(
                    s.id for s in fresh if s.id in refreshing and s.folder != self._folder_name
                )
            if leaving:
                self.remove_ids(sorted(leaving))
            self.model.apply_changes(
                added=[by_id[i] for i in chunk if i in adding and i in by_id],
                changed=[
                    by_id[i] for i in chunk if i in refreshing and i in by_id and i not in leaving
                ],
            )

    async def _reload_keeping_current(self) -> None:
        current = self.current_id()
        if self._query is not None:
            source = self.model.source
            if source is not None:
                await self._show_search(self._query, source.filters)
        elif self._account_id is not None and self._folder_id is not None:
            await self._show_folder(self._account_id, self._folder_id, self.title.text())
        if current is not None:
            self.select_id(current)

    def _on_model_load_failed(self, error: object) -> None:
        if isinstance(error, BaseException):
            self._ctx.errors.report(error, self)

    def _update_empty(self) -> None:
        if self.model.rowCount():
            self._stack.setCurrentWidget(self.view)
        elif self.model.source is not None and not self.model.loading:
            text = (
                self.tr("No message matches. Words inside attached PDFs are searched too.")
                if self._query
                else self.tr("No message in this folder.")
            )
            self._show_placeholder(text)

    def _show_placeholder(self, text: str) -> None:
        self._empty.setText(text)
        self._empty.setAccessibleName(text)
        self._stack.setCurrentWidget(self._empty if not self.model.rowCount() else self.view)

    async def wait_idle(self) -> None:
        """Until pending live updates are applied (tests and benchmarks)."""
        busy = self._busy
        while self._flush.isActive() or self.model.loading or not (busy is None or busy.done()):
            await asyncio.sleep(0.02)
            busy = self._busy
