"""The outbox page ("Boîte d'envoi"): what waits, what failed and why, retry and cancel.

A message written while the server cannot be reached waits here, encrypted in the archive,
and leaves by itself when the server is back (the sync supervisor flushes the outbox). Pli
never sends a message twice: a submission whose answer was lost is looked for on the server
first (`OutboxService`); the page says so. Live from the engine's outbox events; the waiting
count shows in the navigation. Must run on the Qt thread.
"""

from __future__ import annotations

import asyncio

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Signal
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.domain.errors import KnownError
from app.domain.events import OutboxChanged, OutboxCounts
from app.domain.outbox import OutboxState
from app.services.outbox_actions import OutboxActionService
from app.services.outbox_service import FlushReport, OutboxItem
from app.ui.context import UiContext
from app.ui.outbox.outbox_model import ENTRY_ROLE, OutboxModel
from app.ui.widgets.page_refresh import PageRefresh

#: Events are gathered this long before the page reads the outbox again.
REFRESH_DELAY_MS = 150


class OutboxPage(QWidget):
    """The outbox.

    Signals:
        counts_changed(int, int): messages waiting to leave, messages that failed.
    """

    counts_changed = Signal(int, int)

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        services = ctx.services
        self.actions_service = OutboxActionService(
            services.store, services.accounts, services.outbox
        )
        self.setObjectName("outboxPage")
        self.setAccessibleName(self.tr("Outbox"))
        self._task: asyncio.Task[None] | None = None
        self.waiting = 0
        self.failed = 0
        self._account_counts: dict[int, tuple[int, int]] = {}
        self.last_notice = ""

        title = QLabel(self.tr("Outbox"), self)
        title.setStyleSheet("font-size: 15pt; font-weight: 600;")
        self.explanation = QLabel(
            self.tr(
                "What you write is kept encrypted here until the server accepts it. A message "
                "waiting for the server leaves by itself as soon as it can be reached; Pli "
                "checks on the server before sending again, so a message never leaves twice."
            ),
            self,
        )
        self.explanation.setWordWrap(True)
        self.explanation.setStyleSheet("color: palette(placeholder-text);")
        self.summary = QLabel(self)
        self.summary.setObjectName("outboxSummary")
        self.notice = QLabel(self)
        self.notice.setObjectName("outboxNotice")
        self.notice.setWordWrap(True)
        self.notice.setStyleSheet("color: #0b6149;")
        self.model = OutboxModel(self._describe, self)
        self.table = QTableView(self)
        self.table.setObjectName("outboxTable")
        self.table.setAccessibleName(self.tr("Messages of the outbox"))
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        self.table.verticalHeader().hide()
        self.table.setAlternatingRowColors(True)
        self.table.setStyleSheet("QTableView::item { padding: 4px 6px; }")
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        header.resizeSection(1, 340)  # a usual subject on one line
        header.resizeSection(2, 280)
        self.table.selectionModel().currentRowChanged.connect(self._on_table_current_changed)
        self.retry_button = QPushButton(self.tr("&Retry"), self)
        self.retry_button.setObjectName("outboxRetry")
        self.retry_button.setAccessibleName(self.tr("Retry sending the chosen message"))
        self.cancel_button = QPushButton(self.tr("&Cancel the sending…"), self)
        self.cancel_button.setObjectName("outboxCancel")
        self.cancel_button.setAccessibleName(self.tr("Cancel the chosen message before it leaves"))
        self.retry_button.clicked.connect(self._on_retry_clicked)
        self.cancel_button.clicked.connect(self._on_cancel_clicked)
        buttons = QHBoxLayout()
        buttons.addWidget(self.retry_button)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.notice, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 10)
        layout.addWidget(title)
        layout.addWidget(self.explanation)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self.setFocusProxy(self.table)
        self._update_buttons()

        self._refresh = PageRefresh(
            self,
            REFRESH_DELAY_MS,
            self.reload,
            lambda: self._task is not None and not self._task.done(),
        )
        ctx.signals.outbox_changed.connect(self._on_engine_outbox_changed)

    def _describe(self, code: str) -> str:
        title = self._ctx.errors.describe_code(code).title.rstrip(".")
        return title[:1].lower() + title[1:]  # inside a sentence

    # -- loading ---------------------------------------------------------------------------------

    def reload(self) -> asyncio.Task[None]:
        """Read the outbox again."""
        self._task = self._ctx.runner.run(self, self._reload())
        return self._task

    @property
    def task(self) -> asyncio.Task[None] | None:
        """The last read (tests wait for it)."""
        return self._task

    async def _reload(self) -> None:
        items = await self._ctx.services.outbox.overview()
        chosen = self._current()
        self.model.set_items(items)
        waiting = sum(1 for i in items if i.entry.state.waiting)
        failed = sum(1 for i in items if i.entry.state is OutboxState.FAILED)
        self._set_counts(waiting, failed)
        row = self.model.row_of(chosen.entry.id) if chosen is not None else None
        if row is None and items:
            row = 0  # the most recent
        if row is not None:
            self.table.selectionModel().setCurrentIndex(
                self.model.index(row, 0),
                QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows,
            )
        self.table.resizeRowsToContents()
        self._update_buttons()

    def _set_counts(self, waiting: int, failed: int) -> None:
        self.waiting, self.failed = waiting, failed
        parts = [self.tr("%n message(s) waiting to leave", "", waiting)]
        if failed:
            parts.append(self.tr("%n failed", "", failed))
        text = " · ".join(parts)
        self.summary.setText(text)
        self.summary.setAccessibleName(text)
        self.counts_changed.emit(waiting, failed)

    def _on_engine_outbox_changed(self, event: object) -> None:
        # OutboxChanged, OutboxCounts (per account), DeliveryStatusChanged: read it all again.
        if isinstance(event, OutboxChanged):
            if event.code and event.state == OutboxState.QUEUED.value:
                self.model.reasons[event.outbox_id] = event.code
            else:
                self.model.reasons.pop(event.outbox_id, None)
        if isinstance(event, OutboxCounts):
            # Per account; the sum keeps the navigation's count right while hidden.
            self._account_counts[event.account_id] = (event.waiting, event.failed)
            waiting = sum(w for w, _f in self._account_counts.values())
            failed = sum(f for _w, f in self._account_counts.values())
            if (waiting, failed) != (self.waiting, self.failed):
                self._set_counts(waiting, failed)
        self._refresh.request()

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802 - Qt override
        """A read waiting to start waits for the page to show again."""
        super().hideEvent(event)
        self._refresh.page_hidden()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        """Read again what changed while the page was hidden."""
        super().showEvent(event)
        self._refresh.page_shown()

    # -- actions ---------------------------------------------------------------------------------

    def _current(self) -> OutboxItem | None:
        item = self.table.currentIndex().data(ENTRY_ROLE)
        return item if isinstance(item, OutboxItem) else None

    def select_entry(self, entry_id: int) -> None:
        """Choose an entry's row."""
        row = self.model.row_of(entry_id)
        if row is not None:
            self.table.selectionModel().setCurrentIndex(
                self.model.index(row, 0),
                QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows,
            )

    def _on_table_current_changed(self, _current: QModelIndex, _previous: QModelIndex) -> None:
        self._update_buttons()

    def _update_buttons(self) -> None:
        item = self._current()
        state = item.entry.state if item is not None else None
        self.retry_button.setEnabled(
            state is not None
            and (state is OutboxState.FAILED or state.pending or _waits_for_some(item))
        )
        self.cancel_button.setEnabled(state is OutboxState.QUEUED)

    def _on_retry_clicked(self) -> None:
        self.retry()

    def retry(self) -> asyncio.Task[FlushReport] | None:
        """Send the chosen message again (a refused one) or now (a waiting one)."""
        item = self._current()
        if item is None:
            return None
        self.retry_button.setEnabled(False)
        return self._ctx.runner.run(
            self,
            self.actions_service.retry(item.entry.id),
            on_success=self._on_retried,
            on_failure=self._on_action_failed,
        )

    def _on_retried(self, report: FlushReport) -> None:
        if report.offline:
            self._notify(
                self.tr("The server cannot be reached: %1. The message waits.").replace(
                    "%1", self._describe(report.offline)
                )
            )
        elif report.failed:
            self._notify(self.tr("The server refused the message again."))
        elif report.deferred and not report.retried:
            self._notify(
                self.tr("The server still refuses some recipients for now. Pli tries again later.")
            )
        else:
            self._notify(self.tr("Sent."))
        self.reload()

    def _on_cancel_clicked(self) -> None:
        item = self._current()
        if item is None:
            return
        answer = QMessageBox.question(
            self,
            self.tr("Cancel the sending"),
            self.tr(
                "This message has not left yet. Cancel it? It is taken out of the outbox and "
                "will not be sent."
            ),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.cancel()

    def cancel(self) -> asyncio.Task[None] | None:
        """Cancel the chosen message (no question: the button asked it)."""
        item = self._current()
        if item is None:
            return None
        return self._ctx.runner.run(
            self,
            self.actions_service.cancel(item.entry.id),
            on_success=lambda _r: self._on_cancelled(),
            on_failure=self._on_action_failed,
        )

    def _on_cancelled(self) -> None:
        self._notify(self.tr("The message will not be sent."))
        self.reload()

    def _on_action_failed(self, error: BaseException) -> None:
        if isinstance(error, KnownError) and error.code == "outbox.already_leaving":
            self._notify(self.tr("Too late: the message is already leaving."))
            self.reload()
            return
        if isinstance(error, KnownError) and error.code == "outbox.nothing_to_retry":
            self._notify(self.tr("This message has already been sent."))
            self.reload()
            return
        self._ctx.errors.report(error, self)
        self._update_buttons()

    def _notify(self, text: str) -> None:
        self.last_notice = text
        self.notice.setText(text)
        self.notice.setAccessibleName(text)


def _waits_for_some(item: OutboxItem | None) -> bool:
    """Sent, with recipients the server refused only for now (they can be tried now)."""
    return item is not None and any(r.get("pending") for r in item.entry.refused)
