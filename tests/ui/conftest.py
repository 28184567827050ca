"""Window tests: offscreen Qt, one qasync loop per test, real services on a temporary profile.

How to write a window test (notes/UI.md, "Testing the window"): never spin Qt alone
(`qtbot.waitUntil` breaks slots that await threads). Write the scenario as a coroutine and run
it on the test's loop::

    def test_something(ui, ui_services):
        async def scenario():
            window = ...
            await ui.until(lambda: window.isVisible())
        ui.run(scenario())

The `ui` fixture fails the test when a callback holds the loop more than 100 ms (a frozen
window; ``PLI_UI_SLOW_MS`` raises the threshold on an overloaded machine), when an exception
escapes a task or a slot, and when the error presenter had to report a bug (unless the test
sets ``ui.allow_bugs = True``).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

# Before anything imports Qt: no display needed, one 1920x1080 screen (the offscreen default,
# 800x800, is smaller than the window's minimum size).
os.environ["QT_QPA_PLATFORM"] = "offscreen:configfile=" + str(
    Path(tempfile.gettempdir()) / f"pli-offscreen-{os.getuid()}.json"
)
os.environ.setdefault("QT_API", "pyside6")

import asyncio
import gc
import sys
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from typing import Any, TypeVar

import pytest
from PySide6.QtWidgets import QApplication, QDialog, QMainWindow  # noqa: TID251

import qasync  # noqa: TID251  # isort: skip  # after PySide6 (notes/UI.md)

from app.config.paths import AppPaths
from app.config.settings import Settings
from app.services.container import Services
from app.services.profile import open_services
from app.ui import async_bridge
from app.ui.async_bridge import SlowCallbackWatch
from app.ui.error_presenter import ErrorPresenter
from app.ui.i18n import install_translators
from tests.support.loop_watch import slow_callback_threshold

I18N = Path(__file__).resolve().parents[2] / "resources" / "i18n"

T = TypeVar("T")

# Read when the session's QApplication is created (after this module is imported).
Path(os.environ["QT_QPA_PLATFORM"].split("configfile=", 1)[1]).write_text(
    '{"screens": [{"name": "pli", "x": 0, "y": 0, "width": 1920, "height": 1080, '
    '"logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]}',
    encoding="utf-8",
)

#: The passphrase of every test profile (no real keyring is ever touched).
TEST_PASSPHRASE = "correct horse battery staple"


def _slow_threshold() -> float:
    """100 ms, stretched by CPU contention on an overloaded machine (tests/support/loop_watch)."""
    return slow_callback_threshold()


class UiLoop:
    """The test's qasync loop and what it saw.

    Attributes:
        loop: the qasync `QEventLoop` (current asyncio loop for the test).
        errors: the test's `ErrorPresenter` (non-interactive: records what it would show).
        allow_bugs: set True in a test that provokes a bug on purpose.
    """

    def __init__(self, loop: qasync.QEventLoop, errors: ErrorPresenter) -> None:
        self.loop = loop
        self.errors = errors
        self.allow_bugs = False
        self.unhandled: list[dict[str, Any]] = []

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = 30.0) -> T:
        """Run a scenario to its end on the loop (with a timeout that fails the test)."""
        return self.loop.run_until_complete(asyncio.wait_for(coro, timeout))

    async def until(
        self, condition: Callable[[], object], within: float = 10.0, step: float = 0.02
    ) -> None:
        """Poll `condition` with ``await asyncio.sleep`` until it holds (the loop keeps running)."""
        deadline = self.loop.time() + within
        while not condition():
            if self.loop.time() > deadline:
                pytest.fail(f"condition not met within {within} s")
            await asyncio.sleep(step)

    async def settle(self, seconds: float = 0.05) -> None:
        """Let queued callbacks and signals run."""
        await asyncio.sleep(seconds)


@pytest.fixture
def ui_errors(qapp: QApplication, tmp_path: Path) -> Iterator[ErrorPresenter]:
    """A non-interactive presenter writing crash reports under the test's folder."""
    presenter = ErrorPresenter(tmp_path / "logs", interactive=False)
    async_bridge.set_error_sink(presenter)
    yield presenter
    async_bridge.set_error_sink(None)


@pytest.fixture
def ui(qapp: QApplication, ui_errors: ErrorPresenter) -> Iterator[UiLoop]:
    """A fresh qasync loop for the test, in debug mode; fails the test on what it catches."""
    gc.collect()  # earlier tests' garbage is not collected during this one's callbacks
    gc.freeze()  # and what survives is not scanned again by this test's collections
    loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(loop)
    async_bridge.enable_debug(loop)
    loop.slow_callback_duration = _slow_threshold()
    watch = SlowCallbackWatch()
    watch.attach()
    helper = UiLoop(loop, ui_errors)

    def handler(_loop: object, context: dict[str, Any]) -> None:
        # A cancelled future nobody awaited any more (shutdown cancels work) is not a failure.
        if not isinstance(context.get("exception"), asyncio.CancelledError):
            helper.unhandled.append(context)

    loop.set_exception_handler(handler)
    try:
        yield helper
    finally:
        try:
            loop.run_until_complete(async_bridge.cancel_all())
            for widget in QApplication.topLevelWidgets():
                widget.close()
                # Windows and dialogs go; menus and popups belong to objects that delete them.
                if isinstance(widget, QMainWindow | QDialog):
                    widget.deleteLater()
            loop.run_until_complete(asyncio.sleep(0.05))
            # Collect this test's Qt objects now, on this loop, rather than at a random moment
            # of a later test (a QObject freed by the garbage collector mid-callback crashes).
            gc.unfreeze()
            gc.collect()
            loop.run_until_complete(asyncio.sleep(0.02))
        finally:
            watch.detach()
            loop.close()
            asyncio.set_event_loop(None)
    problems: list[str] = []
    if watch.slow:
        limit = loop.slow_callback_duration
        problems += [
            f"callback held the loop {s.seconds:.3f} s (limit {limit:.3f} s): {s.what}"
            for s in watch.slow
        ]
    for context in helper.unhandled:
        error = context.get("exception")
        created = context.get("source_traceback") or []
        where = " <- ".join(f"{f.filename}:{f.lineno}" for f in list(created)[-4:][::-1])
        problems.append(f"unhandled in the loop: {context.get('message')} {error!r} {where}")
    bugs = [t for t in ui_errors.history if t.bug]
    if bugs and not helper.allow_bugs:
        problems.append(f"{len(bugs)} bug(s) reported to the error presenter")
    if problems:
        pytest.fail("\n".join(problems))


def open_test_services(root: Path, settings: Settings | None = None) -> Awaitable[Services]:
    """Open (creating) a profile protected by `TEST_PASSPHRASE` (never the system keyring)."""

    async def provider(_new: bool) -> str:
        return TEST_PASSPHRASE

    return open_services(
        AppPaths.at(root), settings or Settings(), provider, prefer_passphrase=True, eager=True
    )


@pytest.fixture
def ui_services(ui: UiLoop, tmp_path: Path) -> Iterator[Services]:
    """Real services on an empty temporary profile; the bus re-raises subscriber errors."""
    services = ui.run(open_test_services(tmp_path / "profile"))
    services.events.strict = True
    try:
        yield services
    finally:
        ui.run(services.aclose())


@pytest.fixture(autouse=True)
def _no_real_excepthook() -> Iterator[None]:
    """A presenter may install its hook in a test: restore the original afterwards."""
    hook = sys.excepthook
    yield
    sys.excepthook = hook


@pytest.fixture
def french(qapp: QApplication) -> Iterator[None]:
    """The window's French translations installed for the test (removed after)."""
    translators = install_translators(qapp, I18N)
    yield
    for translator in translators:
        qapp.removeTranslator(translator)


@pytest.fixture
def no_quit_on_last_window(qapp: QApplication) -> Iterator[None]:
    """As in the application: closing the last window (a composer…) does not end the program."""
    before = qapp.quitOnLastWindowClosed()
    qapp.setQuitOnLastWindowClosed(False)
    yield
    qapp.setQuitOnLastWindowClosed(before)
