"""The mail screen stays responsive while a first sync runs in the same process (issue 15 #5).

A real first sync of a few hundred messages from the suite's Dovecot runs through the sync
supervisor (headers, then bodies on their own connection) while the test searches, opens
messages and types, all through the loop. The `ui` fixture fails the test on any asyncio
callback over the loop-stall limit (tests/support/loop_watch.py); a 10 ms timer's lateness
is held to the same limit, which also covers Qt's own work between callbacks. The benchmark
with 10,000 messages is bench/ui_load_bench.py.
"""

from __future__ import annotations

import asyncio
import os
import random
import time
from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import QCoreApplication, Qt, QTimer  # noqa: TID251 - window tests
from PySide6.QtTest import QTest  # noqa: TID251 - window tests

from app.documents.indexing import INDEX_LIMITS
from app.domain import events as ev
from app.domain.events import ArchiveComplete
from app.domain.message import MessageSummary
from app.services import index_workers, priority, sync_supervisor
from app.services.container import Services
from app.services.event_bus import EventBus
from app.ui.event_adapter import EngineSignals
from app.ui.models.message_list_model import MessageListModel, _sort_key
from app.ui.widgets.status_bar import PROGRESS_MS, SyncStatus
from tests.servers.fixtures import MailAccount
from tests.support.loop_watch import slow_callback_threshold
from tests.support.mail import message
from tests.ui.conftest import UiLoop
from tests.ui.test_mail_screens import add_account, workspace

MESSAGES = 400


class Lateness:
    """The loop's latency: how late a 10 ms timer fires (the longest, while running)."""

    def __init__(self) -> None:
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(10)
        self.timer.timeout.connect(self._tick)
        self.last = time.perf_counter()
        self.worst = 0.0

    def _tick(self) -> None:
        now = time.perf_counter()
        self.worst = max(self.worst, now - self.last - 0.010)
        self.last = now

    def start(self) -> None:
        self.last = time.perf_counter()
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()


@pytest.mark.integration
def test_first_sync_while_the_user_searches_opens_and_types(
    ui: UiLoop, ui_services: Services, mail_account: MailAccount
) -> None:
    dove = mail_account.dovecot
    start = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
    rng = random.Random(15)
    words = ("échographie", "ordonnance", "bilan", "consultation")
    raws = [
        message(
            subject=f"{words[n % 4].capitalize()} n°{n}",
            body=" ".join(rng.choice(words) for _ in range(60)),
            date=start + timedelta(hours=n),
        )[0]
        for n in range(MESSAGES)
    ]
    dove.deliver_many(mail_account.address, "INBOX", raws)
    limit = slow_callback_threshold()
    lateness = Lateness()

    async def scenario() -> None:
        account = await add_account(ui_services, mail_account)
        mail = await workspace(ui, ui_services, page_size=100)
        archived = asyncio.Event()

        class Seen:
            def on_archived(self, _event: object) -> None:
                archived.set()

        seen = Seen()  # held here: the bus keeps its handlers weakly
        unsubscribe = ui_services.events.subscribe(ArchiveComplete, seen.on_archived)
        await mail.folders.refresh()
        lateness.start()
        await ui_services.supervisor.start([account])
        pane, model = mail.messages, mail.messages.model
        # The inbox as soon as it is listed (the user clicks it), then its rows arrive.
        while not model.rowCount():
            if pane.folder_id is None:
                for acc in mail.folders.model.accounts():
                    for folder in mail.folders.model.folders(acc.id):
                        if folder.role == "inbox":
                            mail.folders.select_folder(folder.id)
            await ui.settle(0.02)
        # Search while the sync goes on, then open a few messages, then type.
        field = mail.search.field
        field.setFocus()
        for char in "bilan":
            QTest.keyClick(field, char)
            await ui.settle(0.03)
        QTest.keyClick(field, Qt.Key.Key_Return)
        await ui.until(lambda: pane.query == "bilan" and not model.loading, within=20)
        assert model.rowCount() > 0
        QTest.keyClick(field, Qt.Key.Key_Escape)
        await ui.until(lambda: pane.query is None and not model.loading, within=20)
        for row in (1, 2, 3):
            await ui.until(lambda row=row: model.rowCount() > row, within=20)
            wanted = model.summary(row)
            assert wanted is not None
            pane.view.setCurrentIndex(model.index(row))
            await ui.until(lambda w=wanted: mail.reading.message_id == w.id, within=20)
        field.setFocus()
        for char in "consultation de suivi":
            QTest.keyClick(field, char)
            await ui.settle(0.02)
        await asyncio.wait_for(archived.wait(), 60)
        await ui.until(lambda: not ui_services.supervisor._bodies, within=60)
        lateness.stop()
        unsubscribe()
        await ui_services.supervisor.stop()
        folders = await ui_services.archive.folders(account)
        assert sum(f.messages for f in folders) == MESSAGES
        await pane.wait_idle()
        mail.close()

    ui.run(scenario(), timeout=120)
    # The `ui` fixture fails on a callback over the limit; Qt's own work between callbacks is
    # held to the same limit by the timer.
    assert lateness.worst < limit, f"the loop stalled {lateness.worst:.3f} s (limit {limit:.3f} s)"


def _summary(message_id: int, date: int) -> MessageSummary:
    return MessageSummary(
        id=message_id,
        account="cabinet",
        folder="INBOX",
        uid=message_id,
        internal_date=date,
        sent_date=None,
        sender=None,
        subject="Compte rendu",
        flags=0,
        keywords=(),
        size=100,
        has_attachments=False,
        archived=False,
        gone_from_server=False,
        thread_id=None,
        patient_ins=None,
    )


@pytest.mark.parametrize("at_end", [True, False])
def test_many_rows_added_at_once_merge_in_order_with_few_signals(
    qapp: QCoreApplication, at_end: bool
) -> None:
    """What a first sync's one big `MessagesChanged` does to a shown list: one merge."""
    rng = random.Random(5)
    shown = sorted((_summary(i, rng.randrange(1000)) for i in range(30)), key=_sort_key)
    added = [_summary(100 + i, rng.randrange(1000)) for i in range(3000)]
    model = MessageListModel()
    model._rows = list(shown)
    model._keys = [_sort_key(s) for s in shown]
    model._key_of = {s.id: _sort_key(s) for s in shown}
    model._at_end = at_end
    signals: list[tuple[int, int]] = []
    model.rowsInserted.connect(lambda _parent, first, last: signals.append((first, last)))

    model.apply_changes(added=added)

    keys = [_sort_key(s) for s in (*shown, *added)]
    last_shown = max(_sort_key(s) for s in shown)
    expected = sorted(k for k in keys if at_end or k <= last_shown)
    assert [_sort_key(model.summary(r)) for r in range(model.rowCount())] == expected  # type: ignore[arg-type]
    assert len(signals) <= len(shown) + 1  # one per gap between shown rows, not per row
    assert sum(last - first + 1 for first, last in signals) == model.rowCount() - len(shown)
    assert model.row_of(added[0].id) is not None or not at_end


def test_worker_processes_run_below_the_window() -> None:
    """`yield_cpu_to_caller`: worker processes started after it run below the window's thread
    (each lowered as it starts: no task polls for them, none outlives a closing window)."""
    if not hasattr(os, "setpriority"):
        pytest.skip("no process priorities here")
    own = os.getpriority(os.PRIO_PROCESS, 0)
    before = priority._background_nice
    worker = index_workers._Worker(None, INDEX_LIMITS)
    try:
        sync_supervisor.yield_cpu_to_caller(5)  # what the window's mail page does
        worker._start()
        assert worker.pid is not None
        # At least 5 below (the index worker also lowers itself a little, for `pli sync`).
        assert os.getpriority(os.PRIO_PROCESS, worker.pid) >= min(19, own + 5)
        assert os.getpriority(os.PRIO_PROCESS, 0) == own  # the window's thread
    finally:
        worker.stop(kill=True)
        priority._background_nice = before


def test_sync_progress_in_the_status_bar_is_throttled(ui: UiLoop) -> None:
    """Reports in a burst: the first shows at once, the last within PROGRESS_MS, none after."""
    bus = EventBus(strict=True)
    signals = EngineSignals(bus)
    status = SyncStatus()
    signals.sync_progress.connect(status.on_event)
    status.show()
    changes: list[int] = []

    async def scenario() -> None:
        bus.publish(ev.SyncStarted(account_id=1, account="cabinet"))
        began = time.monotonic()
        for done in range(1, 201):
            bus.publish(
                ev.BodiesProgress(account_id=1, account="cabinet", done=done, total=200, bytes=0)
            )
            changes.append(status.bar.value())
        burst = time.monotonic() - began
        assert changes[0] == 1  # the first at once
        # Then at most one change per PROGRESS_MS (none at all in a burst shorter than that).
        assert len(set(changes)) <= 1 + int(burst * 1000 / PROGRESS_MS)
        await ui.until(lambda: status.bar.value() == 200, within=2)
        bus.publish(ev.BodiesProgress(account_id=1, account="cabinet", done=5, total=9, bytes=0))
        bus.publish(ev.ArchiveComplete(account_id=1, account="cabinet", elapsed=1.0))
        await ui.settle(PROGRESS_MS / 1000 + 0.1)
        assert not status.bar.isVisible()  # the report left waiting was dropped, not shown late

    ui.run(scenario())
    status.close()
