"""Helpers of the service tests: an event log, test profiles, accounts, thread checks."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest

from app.config.paths import AppPaths
from app.config.settings import Settings
from app.domain.account import AccountConfig, Endpoint, Security
from app.domain.events import Event
from app.services.account_service import Account
from app.services.container import Services
from app.services.event_bus import EventBus
from app.services.profile import open_services

E = TypeVar("E", bound=Event)
T = TypeVar("T")

#: The passphrase of every profile these tests create.
TEST_PASSPHRASE = "une phrase de passe pour les tests"


class EventLog:
    """Every event published on a bus, in order, and ways to wait for one.

    Subscribes a bound method: the bus holds it weakly, this object keeps it alive.
    """

    def __init__(self, bus: EventBus) -> None:
        self.events: list[Event] = []
        self._changed = asyncio.Event()
        self.unsubscribe = bus.subscribe(Event, self._record)

    def _record(self, event: Event) -> None:
        self.events.append(event)
        self._changed.set()

    def of(self, kind: type[E], where: Callable[[E], bool] | None = None) -> list[E]:
        """The recorded events of `kind` (matching `where`)."""
        return [e for e in self.events if isinstance(e, kind) and (where is None or where(e))]

    def clear(self) -> None:
        """Forget what was recorded so far."""
        self.events.clear()

    async def wait_for(
        self, kind: type[E], where: Callable[[E], bool] | None = None, within: float = 30.0
    ) -> E:
        """The first recorded event of `kind` matching `where`, waiting for it if needed."""

        async def seek() -> E:
            while True:
                found = self.of(kind, where)
                if found:
                    return found[0]
                self._changed.clear()
                await self._changed.wait()

        try:
            return await asyncio.wait_for(seek(), within)
        except TimeoutError:
            seen = sorted({type(e).__name__ for e in self.events})
            pytest.fail(f"no {kind.__name__} within {within} s (seen: {', '.join(seen)})")


async def open_test_services(root: Path, bus: EventBus) -> Services:
    """Open (creating) a profile protected by `TEST_PASSPHRASE`, events on `bus`."""

    async def passphrase(_new: bool) -> str:
        return TEST_PASSPHRASE

    return await open_services(
        AppPaths.at(root), Settings(), passphrase, prefer_passphrase=True, events=bus, eager=True
    )


async def add_account(
    services: Services, mail: Any, name: str = "cab", *, imap_host: str | None = None
) -> Account:
    """Add a password account for a tests.servers mailbox (MailAccount, or user + server)."""
    host = imap_host or mail.imap_host
    config = AccountConfig(
        name=name,
        address=mail.address,
        imap=Endpoint.parse(f"{host}:{mail.imap_port}", Security.STARTTLS, "imap"),
        smtp=Endpoint.parse(
            f"{mail.smtp_host or host}:{mail.smtp_port or 9}", Security.STARTTLS, "smtp"
        ),
        ca_file=str(mail.ca_bundle),
    )
    return await services.accounts.add(config, password=mail.password)


async def off_loop(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a blocking test-server call (doveadm, a restart) without holding the loop."""
    return await asyncio.to_thread(fn, *args, **kwargs)


async def threads_ended(before: set[threading.Thread], within: float = 10.0) -> list[str]:
    """Wait for the threads started since `before` to end (the loop's own pool aside).

    Returns the names of those still alive after `within` seconds.
    """

    def alive() -> list[str]:
        return [
            t.name
            for t in threading.enumerate()
            if t not in before and not t.name.startswith("asyncio_")
        ]

    deadline = asyncio.get_running_loop().time() + within
    while alive() and asyncio.get_running_loop().time() < deadline:  # noqa: ASYNC110
        await asyncio.sleep(0.05)
    return alive()


def imap_threads() -> list[str]:
    """Names of the live threads of IMAP connections."""
    return [t.name for t in threading.enumerate() if t.name.startswith("imap-")]


async def no_imap_threads(within: float = 10.0) -> list[str]:
    """Wait for every IMAP thread to end; returns those still alive after `within`."""
    deadline = asyncio.get_running_loop().time() + within
    while imap_threads() and asyncio.get_running_loop().time() < deadline:  # noqa: ASYNC110
        await asyncio.sleep(0.05)
    return imap_threads()
