"""A kept IMAP session that the server closed while it sat unused (Cyrus does so when another
client deletes the folder the session has selected; any server on an operator's kick) is
replaced before it is used again, instead of failing the next pass as a lost connection. On
Dovecot and on Cyrus in both namespace layouts."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from app.services.container import Services
from tests.services.support import add_account, off_loop

pytestmark = pytest.mark.integration


async def _until_closed(server: Any, address: str) -> None:
    """Until the server has no session of `address` left (Cyrus: its imapd ended)."""
    for _ in range(100):
        sessions = getattr(server, "sessions", None)
        if sessions is None or not await off_loop(sessions, address):
            return
        await asyncio.sleep(0.05)


async def test_a_session_the_server_closed_is_replaced_before_it_is_used(
    services: Services, imap_account_factory: Any
) -> None:
    mail = await off_loop(imap_account_factory, quota_bytes=2_000_000)
    server, address = mail.server, mail.address
    account = await add_account(services, mail)
    connection = await services.sync.connection(account)
    assert await services.sync.quota(account) is not None
    first = await connection.session()

    # An operator's kick: Dovecot says BYE, Cyrus's imapd ends without a word.
    await off_loop(server.kick, address)
    await _until_closed(server, address)
    assert await off_loop(first.server_spoke)
    # The next use sees it before sending anything: a new session, no error.
    await connection.call(lambda s: s.noop())
    assert await connection.session() is not first
    assert await services.sync.quota(account) is not None
    assert not await off_loop((await connection.session()).server_spoke)


async def test_cyrus_closes_a_session_whose_folder_was_deleted_elsewhere(
    services: Services, imap_account_factory: Any, imap_server_name: str
) -> None:
    mail = await off_loop(imap_account_factory, quota_bytes=2_000_000)
    server, address = mail.server, mail.address
    folder = mail.folder("Biologie")
    await off_loop(server.create_folder, address, folder)
    account = await add_account(services, mail)
    connection = await services.sync.connection(account)
    await connection.call(lambda s: s.select(folder, readonly=True))

    await off_loop(server.delete_folder, address, folder)
    await asyncio.sleep(0.3)
    # Cyrus ends that session without a word (the next command meets the end of the
    # stream); Dovecot keeps it. Either way the next pass lists the folders without error.
    [report] = await services.supervisor.run_once([account])
    assert folder not in {f.folder for f in report.folders}
    if imap_server_name != "dovecot":
        assert connection.is_open  # a new session
