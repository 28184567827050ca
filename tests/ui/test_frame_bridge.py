"""The asyncio/Qt bridge: slots, operations, events as signals, the slow-callback guard."""

from __future__ import annotations

import asyncio
import logging
import time

from PySide6.QtCore import Signal  # noqa: TID251
from PySide6.QtWidgets import QApplication, QWidget  # noqa: TID251

import qasync  # noqa: TID251  # isort: skip

from app.domain import events as ev
from app.domain.errors import NetworkError
from app.services.event_bus import EventBus
from app.ui import async_bridge
from app.ui.async_bridge import SlowCallbackWatch, run_operation, ui_slot
from app.ui.event_adapter import EngineSignals
from tests.ui.conftest import UiLoop


class _Widget(QWidget):
    clicked = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.done: list[str] = []
        self.clicked.connect(self._on_clicked)

    @ui_slot()
    async def _on_clicked(self) -> None:
        await asyncio.to_thread(time.sleep, 0.01)
        self.done.append("thread")
        raise NetworkError("network.unreachable", host="imap.example")


def test_ui_slot_runs_on_the_loop_and_routes_errors_to_the_presenter(ui: UiLoop) -> None:
    async def scenario() -> None:
        widget = _Widget()
        widget.clicked.emit()
        await ui.until(lambda: widget.done and ui.errors.history)
        assert ui.errors.history[-1].code == "network.unreachable"
        assert ui.errors.history[-1].title
        assert async_bridge.running_tasks() == 0

    ui.run(scenario())


def test_run_operation_calls_back_only_a_living_widget(ui: UiLoop) -> None:
    async def value() -> int:
        await asyncio.sleep(0.01)
        return 42

    async def scenario() -> None:
        widget = QWidget()
        got: list[int] = []
        run_operation(widget, value(), on_success=got.append)
        await ui.until(lambda: got)
        assert got == [42]

        gone = QWidget()
        late: list[int] = []
        run_operation(gone, value(), on_success=late.append)
        gone.deleteLater()
        await asyncio.sleep(0.1)
        assert late == []

        failures: list[BaseException] = []
        run_operation(widget, _fail(), on_failure=failures.append)
        await ui.until(lambda: failures)
        assert isinstance(failures[0], NetworkError)
        assert ui.errors.history == []  # handled by on_failure, not presented

    ui.run(scenario())


async def _fail() -> None:
    raise NetworkError("network.timeout")


def test_engine_events_arrive_as_qt_signals_without_polling(ui: UiLoop) -> None:
    bus = EventBus(strict=True)
    signals = EngineSignals(bus)
    seen: dict[str, list[object]] = {"all": [], "new": [], "sync": [], "conn": []}
    signals.event.connect(seen["all"].append)
    signals.new_mail.connect(seen["new"].append)
    signals.sync_progress.connect(seen["sync"].append)
    signals.connection_changed.connect(seen["conn"].append)

    bus.publish(ev.NewMail(account_id=1, folder="INBOX", count=2, from_patients=2))
    bus.publish(ev.HeadersProgress(account_id=1, folder="INBOX", done=10, total=20))
    bus.publish(
        ev.ConnectionChanged(
            account_id=1, state=ev.ConnectionState.OFFLINE, code="network.unreachable"
        )
    )
    assert len(seen["all"]) == 3
    assert [type(e) for e in seen["new"]] == [ev.NewMail]
    assert [type(e) for e in seen["sync"]] == [ev.HeadersProgress]
    assert [type(e) for e in seen["conn"]] == [ev.ConnectionChanged]
    assert bus.subscriber_count() == 1
    signals.close()
    assert bus.subscriber_count() == 0


def test_a_callback_holding_the_loop_is_caught(qapp: QApplication) -> None:
    # A loop of its own: the `ui` fixture would (rightly) fail this test.
    loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(loop)
    async_bridge.enable_debug(loop)
    watch = SlowCallbackWatch()
    watch.attach()
    logging.getLogger("qasync").propagate = False
    try:

        async def scenario() -> None:
            loop.call_soon(time.sleep, 0.15)
            await asyncio.sleep(0.05)

        loop.run_until_complete(scenario())
    finally:
        logging.getLogger("qasync").propagate = True
        watch.detach()
        loop.close()
        asyncio.set_event_loop(None)
    assert watch.slow, "a 150 ms callback must be reported"
    assert watch.slow[0].seconds >= 0.1
