"""Tests of the services themselves: one container and one loop serving many operations.

`services` builds the real `Services` over a temporary profile protected by a passphrase (never
the system keyring), with an `EventBus(strict=True)`: a subscriber that fails fails the test.
`events` records every event published on that bus (tests/services/support.py has the helpers:
accounts for the real test servers of tests/servers, thread checks).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from app.services.container import Services
from app.services.event_bus import EventBus
from tests.services.support import EventLog, open_test_services


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
