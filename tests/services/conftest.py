"""Tests of the services themselves: one container and one loop serving many operations.

`services` builds the real `Services` over a temporary profile protected by a passphrase (never
the system keyring), with an `EventBus(strict=True)`: a subscriber that fails fails the test.
`events` records every event published on that bus (tests/services/support.py has the helpers:
accounts for the real test servers of tests/servers, thread checks).
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from app.services.container import Services
from app.services.event_bus import EventBus
from tests.services.support import EventLog, open_test_services
from tests.support.loop_watch import slow_callback_threshold


@pytest.fixture
async def services(tmp_path: Path) -> AsyncIterator[Services]:
    """Real services over an empty temporary profile; the bus re-raises subscriber errors."""
    opened = await open_test_services(tmp_path / "profile", EventBus(strict=True))
    try:
        yield opened
    finally:
        await opened.aclose()


@pytest.fixture
def events(services: Services) -> EventLog:
    """Everything `services` publish, from now on."""
    return EventLog(services.events)


@pytest.fixture
async def loop_never_blocked(caplog: pytest.LogCaptureFixture) -> AsyncIterator[None]:
    """The loop runs in debug mode; a callback holding it too long fails the test (STYLE §3.7).

    Opt in with ``pytest.mark.usefixtures("loop_never_blocked")`` (test code must then run
    blocking calls off the loop too). The threshold is 100 ms, stretched on an overloaded
    machine (tests/support/loop_watch.py). Garbage is collected before and after, so that a
    socket or file left open (a ResourceWarning, an error under ``filterwarnings = error``) is
    reported for the test that left it.
    """
    gc.collect()  # what earlier tests left is collected now, not in the measured test
    loop = asyncio.get_running_loop()
    loop.set_debug(True)
    loop.slow_callback_duration = slow_callback_threshold()
    yield
    gc.collect()  # an unclosed socket or file of this test is reported for this test
    slow = [
        r.getMessage()
        for r in caplog.get_records("call")
        if r.name == "asyncio" and r.getMessage().startswith("Executing")
    ]
    if slow:
        pytest.fail("the event loop was held:\n" + "\n".join(slow))
