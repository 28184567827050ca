"""A broken session that a task drops is closed even when that task is cancelled meanwhile.

Dropping a session queues its close on the connection's thread. When the dropping task was
cancelled before the thread took that close up (the supervisor stopping a body pass whose
session broke with the server, in a window that stays open), the close never ran and the
socket stayed open until garbage collection (a ResourceWarning; one socket per occurrence in
a long-running window). On Dovecot and on Cyrus in both namespace layouts.
"""

from __future__ import annotations

import asyncio
import gc
import threading
import time
import warnings
import weakref
from typing import Any

import pytest

from app.domain.errors import NetworkError
from app.services.container import Services
from app.transport.imap_session import ImapSession
from tests.services.support import add_account, off_loop

pytestmark = pytest.mark.integration


async def test_a_session_dropped_by_a_cancelled_task_is_closed_all_the_same(
    services: Services, imap_account_factory: Any
) -> None:
    mail = await off_loop(imap_account_factory)
    server, address = mail.server, mail.address
    account = await add_account(services, mail)
    connection = await services.sync.connection(account)
    dropped = weakref.ref(await connection.session())
    started, broke, release = threading.Event(), threading.Event(), threading.Event()

    def break_then_hold(session: ImapSession) -> None:
        started.set()
        try:
            for _ in range(100):  # until the server's end (BYE, end of stream) is here
                if session.server_spoke():
                    break
                time.sleep(0.05)
            session.noop()  # meets the server's end: the session is broken
        finally:
            broke.set()
            release.wait(10)  # the connection's thread stays busy

    holding = asyncio.create_task(connection.call(break_then_hold))
    await off_loop(started.wait, 10)
    await off_loop(server.kick, address)
    await off_loop(broke.wait, 10)
    session = dropped()
    assert session is not None and not session.usable
    del session
    # The next user finds the session broken and drops it: its close waits for the thread.
    # That user is cancelled meanwhile, before the thread is free.
    replacing = asyncio.create_task(connection.call(lambda s: s.noop()))
    for _ in range(5):
        await asyncio.sleep(0)
    replacing.cancel()
    with pytest.raises(asyncio.CancelledError):
        await replacing
    release.set()
    with pytest.raises(NetworkError):
        await holding

    # The connection goes on (a new session); the dropped one's socket was closed: letting
    # go of the last references does not find it open.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        del holding, replacing
        await connection.call(lambda s: s.noop())
        gc.collect()
    assert dropped() is None  # collected: had its socket been left open, it would have warned
    unclosed = [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)]
    assert unclosed == []
