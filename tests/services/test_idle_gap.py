"""Mail that arrives between a pass's look at INBOX and the start of IDLE is taken at once.

IDLE announces what happens from its start on (RFC 2177): a message delivered after the pass
synced INBOX but before IDLE began was left for the next full pass, five minutes later. Found
on Cyrus, where the tests' delivery (an IMAP APPEND) is slower and fell in that gap; the gap is
the same on every server. On Dovecot and on Cyrus in both namespace layouts.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from app.domain.events import NewMail, SyncFinished
from app.services.event_bus import EventBus
from tests.services.support import EventLog, add_account, off_loop, open_test_services
from tests.support.mail import message

pytestmark = pytest.mark.integration


async def test_mail_delivered_before_idle_starts_is_not_left_for_the_next_pass(
    tmp_path: Path, imap_account: Any
) -> None:
    server, address = imap_account.server, imap_account.address
    bus = EventBus(strict=True)
    services = await open_test_services(tmp_path / "profile", bus)
    log = EventLog(bus)
    delivered: list[int] = []

    def deliver_in_the_gap(_event: SyncFinished) -> None:
        # Called as the first pass ends, before the worker enters IDLE: the message lands in
        # the gap. (A blocking delivery on the loop, on purpose: nothing else may run first.)
        if not delivered:
            delivered.append(server.deliver(address, message(subject="Dans l'intervalle")[0]))

    keep = bus.subscribe(SyncFinished, deliver_in_the_gap)
    try:
        # Not an empty INBOX: arrivals in a folder's first listing are not "new mail".
        await off_loop(server.deliver, address, message(subject="Avant")[0])
        account = await add_account(services, imap_account)
        await services.supervisor.start([account])
        await log.wait_for(SyncFinished)
        assert delivered
        # Not five minutes later at the next full pass: within seconds.
        new_mail = await log.wait_for(NewMail, lambda e: e.folder == "INBOX", within=15)
        assert new_mail.count == 1
        await services.supervisor.stop()
    finally:
        keep()
        await services.aclose()
