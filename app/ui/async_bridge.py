"""The one bridge between asyncio and Qt (STYLE.md §3.6).

Under qasync the asyncio loop *is* the Qt GUI thread: services run on it unchanged, worker
threads return values to awaiting coroutines and never touch Qt. This module holds:

* `install_event_loop`: the qasync loop installed on the QApplication (debug mode: callbacks
  that hold the loop for more than 100 ms are recorded and logged; the tests fail on them);
* `ui_slot`: an async slot for methods (qasync's `asyncSlot` underneath) whose task is kept
  alive and whose exceptions go to the error presenter, never to `sys.excepthook`;
* `run_operation`: start a coroutine for a widget, then call back on the Qt thread (Anki's
  ``QueryOp``); nothing is called back on a widget that was destroyed meanwhile;
* `run_dialog`: show a dialog without a nested event loop and await its result.

Import order matters: PySide6 is imported before qasync so that qasync picks it (notes/UI.md).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import re
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QApplication, QDialog, QWidget

import qasync  # type: ignore[import-untyped]  # isort: skip  # after PySide6 (notes/UI.md)
import shiboken6  # isort: skip

log = logging.getLogger(__name__)

T = TypeVar("T")

#: A callback on the loop longer than this (seconds) is a frozen window (STYLE.md §3.7).
SLOW_CALLBACK_SECONDS = 0.1


class ErrorSink(Protocol):
    """Where failures of slots and operations go (the `ErrorPresenter`)."""

    def report(self, error: BaseException, parent: QWidget | None = None) -> None:
        """Show `error` to the user (French, no traceback); must run on the Qt thread."""


_error_sink: ErrorSink | None = None
#: Strong references to every running task started here (asyncio keeps only weak ones).
_tasks: set[asyncio.Task[Any]] = set()


def set_error_sink(sink: ErrorSink | None) -> None:
    """Route slot and operation failures to `sink` (the application's `ErrorPresenter`)."""
    global _error_sink  # one presenter per process, set by the application
    _error_sink = sink


def _report(error: BaseException, parent: QWidget | None) -> None:
    if _error_sink is not None:
        _error_sink.report(error, parent)
    else:  # before the application installed its presenter: still never silent
        log.error("unhandled error in the window: %s", type(error).__name__)
        # the traceback's message may carry health data: DEBUG only
        log.debug("unhandled error traceback", exc_info=error)


def running_tasks() -> int:
    """How many tasks started by `ui_slot`/`run_operation` are still running (tests)."""
    return sum(1 for t in _tasks if not t.done())


def _keep(task: asyncio.Task[Any]) -> None:
    _tasks.add(task)
    task.add_done_callback(_tasks.discard)


def _alive(obj: QObject | None) -> bool:
    if obj is None:
        return True
    return bool(shiboken6.isValid(obj))


# -- the loop --------------------------------------------------------------------------------


@dataclass(frozen=True)
class SlowCallback:
    """A callback that held the loop (and so the window) too long."""

    what: str
    seconds: float


class SlowCallbackWatch(logging.Handler):
    """Collects qasync's "Executing … took …" warnings (loop debug mode).

    qasync times every handle it runs when the loop is in debug mode and logs a warning when
    one exceeds ``loop.slow_callback_duration``; this handler turns those warnings into data
    that a test can fail on.
    """

    _PATTERN = re.compile(r"Executing (?P<what>.*) took (?P<seconds>[0-9.]+) seconds")

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.slow: list[SlowCallback] = []

    def emit(self, record: logging.LogRecord) -> None:
        """Record a slow callback (other records are ignored)."""
        match = self._PATTERN.match(record.getMessage())
        if match:
            self.slow.append(SlowCallback(match["what"], float(match["seconds"])))

    def attach(self) -> None:
        """Start watching (qasync's loggers live under ``qasync``)."""
        logging.getLogger("qasync").addHandler(self)

    def detach(self) -> None:
        """Stop watching."""
        logging.getLogger("qasync").removeHandler(self)


def install_event_loop(app: QApplication, *, debug: bool = False) -> asyncio.AbstractEventLoop:
    """Create the qasync loop for `app` and make it the current asyncio loop.

    With `debug`, asyncio's debug mode is on and every callback longer than 100 ms is logged
    by qasync (see `SlowCallbackWatch`). Must run on the Qt thread, before any task starts.
    """
    loop: asyncio.AbstractEventLoop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    if debug:
        enable_debug(loop)
    return loop


def enable_debug(loop: asyncio.AbstractEventLoop) -> None:
    """Turn on the loop's debug mode with the 100 ms slow-callback threshold."""
    loop.set_debug(True)
    loop.slow_callback_duration = SLOW_CALLBACK_SECONDS


# -- slots and operations --------------------------------------------------------------------

_Method = Callable[..., Coroutine[Any, Any, Any]]


def ui_slot(*types: type) -> Callable[[_Method], Callable[..., asyncio.Task[Any]]]:
    """Decorate an ``async def`` *method* to use as a Qt slot.

    The task is kept alive until it ends; an exception (a `KnownError` included) is shown by
    the error presenter with the widget (``self``, when it is one) as parent; cancellation is
    silent. Use on methods only (qasync issue 177). Arguments are the slot's Qt types, as for
    `Slot`.
    """

    def decorate(fn: _Method) -> Callable[..., asyncio.Task[Any]]:
        @functools.wraps(fn)
        async def guarded(*args: Any, **kwargs: Any) -> Any:
            try:
                return await fn(*args, **kwargs)
            except asyncio.CancelledError:
                raise
            except Exception as error:  # noqa: BLE001 - every failure is shown, none escapes
                owner = args[0] if args else None
                parent = owner if isinstance(owner, QWidget) and _alive(owner) else None
                _report(error, parent)
                return None

        slot = qasync.asyncSlot(*types)(guarded)

        @functools.wraps(fn)
        def start(*args: Any, **kwargs: Any) -> asyncio.Task[Any]:
            task: asyncio.Task[Any] = slot(*args, **kwargs)
            _keep(task)
            return task

        return start

    return decorate


def run_operation(
    parent: QObject | None,
    coro: Awaitable[T],
    on_success: Callable[[T], None] | None = None,
    on_failure: Callable[[BaseException], None] | None = None,
) -> asyncio.Task[T]:
    """Run `coro` on the loop for `parent`; call back on the Qt thread when it ends.

    `on_success(result)` or `on_failure(error)` run only while `parent` still exists (a
    closed widget is never called back). Without `on_failure`, errors go to the presenter.
    Cancellation calls neither. Must be called on the Qt thread with the loop running (or
    about to run): never from a widget's constructor (qasync issue 121).
    """
    task: asyncio.Task[T] = asyncio.ensure_future(coro)
    _keep(task)

    def done(finished: asyncio.Task[T]) -> None:
        if finished.cancelled():
            return
        error = finished.exception()
        if not _alive(parent):
            if error is not None:
                log.info("operation of a closed widget failed: %s", type(error).__name__)
            return
        if error is not None:
            if on_failure is not None:
                try:
                    on_failure(error)
                except Exception as nested:  # noqa: BLE001 - a callback's bug is shown too
                    _report(nested, parent if isinstance(parent, QWidget) else None)
            else:
                _report(error, parent if isinstance(parent, QWidget) else None)
            return
        if on_success is not None:
            try:
                on_success(finished.result())
            except Exception as nested:  # noqa: BLE001 - a callback's bug is shown too
                _report(nested, parent if isinstance(parent, QWidget) else None)

    task.add_done_callback(done)
    return task


async def run_dialog(dialog: QDialog) -> int:
    """Show `dialog` window-modal without a nested event loop; return its result code.

    ``QDialog.exec()`` would spin a second loop inside a callback of ours and hold the asyncio
    loop; ``open()`` plus awaiting ``finished`` keeps every other task running.
    """
    loop = asyncio.get_running_loop()
    future: asyncio.Future[int] = loop.create_future()

    def finished(result: int) -> None:
        if not future.done():
            future.set_result(result)

    dialog.finished.connect(finished)
    dialog.open()
    try:
        return await future
    finally:
        with contextlib.suppress(RuntimeError, TypeError):  # the dialog may be gone already
            dialog.finished.disconnect(finished)


async def cancel_all(wait: float = 2.0) -> None:
    """Cancel every task started here and wait for them (shutdown, test teardown)."""
    pending = [t for t in _tasks if not t.done()]
    for task in pending:
        task.cancel()
    if pending:
        await asyncio.wait(pending, timeout=wait)
