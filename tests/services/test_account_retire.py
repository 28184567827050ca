"""A mailbox removed but its archive kept (issue 13 §3): secrets gone, messages kept and
searchable, no connection ever attempted again, local changes refused.

Real Dovecot on loopback (a server of this test's own, stopped in the middle), real SQLCipher
profile, strict event bus.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from app.domain.errors import ValidationError
from app.domain.events import AccountChanged, ConnectionChanged, ConnectionState, SyncFinished
from app.domain.message import Flag
from app.services.archive_service import SearchFilters
from app.services.event_bus import EventBus
from app.services.executors import SerialExecutor
from app.store.archive import Archive
from app.store.repositories.accounts import SecretRepository
from tests.services.support import EventLog, add_account, off_loop, open_test_services
from tests.support.mail import message

pytestmark = [pytest.mark.integration]


def _secret_rows(archive: Archive, account_id: int) -> int:
    scope = SecretRepository.account_scope(account_id)
    row = archive.conn.execute("SELECT COUNT(*) FROM secrets WHERE scope = ?", (scope,)).fetchone()
    return int(row[0])


async def test_a_retired_account_keeps_its_archive_and_never_connects_again(
    tmp_path: Path, dovecot_factory: Any, pki: Any
) -> None:
    server = await off_loop(dovecot_factory)
    user = await off_loop(server.add_user, "dr.retraite")
    mail = SimpleNamespace(
        address=user.address,
        password=user.password,
        imap_host=server.host,
        imap_port=server.imap_port,
        smtp_host="",
        smtp_port=0,
        ca_bundle=pki.ca_bundle,
        dovecot=server,
    )
    for subject in ("Compte rendu glycémie", "Rendez-vous"):
        await off_loop(server.deliver, user.address, message(subject=subject)[0])
    bus = EventBus(strict=True)
    services = await open_test_services(tmp_path / "profile", bus)
    log = EventLog(bus)
    try:
        account = await add_account(services, mail)
        scope = SecretRepository.account_scope(account.id)
        await services.store.write(lambda a: a.secrets.put(scope, "refresh_token", b"jeton"))
        services.supervisor.max_retry_seconds = 2.0
        await services.supervisor.start([account])
        await log.wait_for(SyncFinished, within=30)
        assert services.supervisor.state(account.id) is ConnectionState.ONLINE
        assert await services.store.read(lambda a: _secret_rows(a, account.id)) == 2

        # Retired while the supervisor follows it: its worker ends, its sessions close.
        # A local change not replayed yet (queued as the operation queue does).
        await services.store.write(
            lambda a: a.pending.add(
                account.id, "flags", {"pks": [], "add": 0, "remove": 0, "previous": {}}
            )
        )
        log.clear()
        retired = await services.accounts.retire(account.name)
        assert retired.config.retired
        assert (await services.accounts.get(account.name)).config.retired
        assert [e.account_id for e in log.of(AccountChanged)] == [account.id]
        for _ in range(200):
            if not services.supervisor.running and not services.connections.connections(account.id):
                break
            await asyncio.sleep(0.05)
        assert not services.supervisor.running
        assert services.connections.connections(account.id) == []

        # Its secrets are gone from the archive; the retirement is in the audit trail.
        assert await services.store.read(lambda a: _secret_rows(a, account.id)) == 0
        audit = await services.store.read(lambda a: a.audit.entries(account_id=account.id))
        actions = [e.action for e in audit]
        assert "account.retire" in actions
        # No login after it (a session opening meanwhile is closed unused).
        assert "session.login" not in actions[actions.index("account.retire") :]

        # Messages still listed and searchable, offline.
        listed = await services.archive.messages(SearchFilters(account_id=account.id, limit=-1))
        assert {m.subject for m in listed} == {"Compte rendu glycémie", "Rendez-vous"}
        found = await services.archive.search(
            "glycémie", SearchFilters(account_id=account.id, limit=-1)
        )
        assert [m.subject for m in found] == ["Compte rendu glycémie"]

        # Local changes are refused, nothing queued nor changed.
        one = next(m for m in listed if m.subject == "Rendez-vous")
        for change in (
            services.operations.set_flags([one.id], Flag.SEEN, Flag.NONE),
            services.operations.move([one.id], "Trash"),
            services.operations.delete([one.id]),
        ):
            with pytest.raises(ValidationError) as refused:
                await change
            assert refused.value.code == "account.retired"
        assert await services.operations.pending_count(retired) == 0  # never replayed now
        [still] = await services.archive.summaries([one.id])
        assert not Flag(still.flags) & Flag.SEEN and still.folder == "INBOX"

        # The server stops: nothing of ours notices, because nothing connects any more.
        log.clear()
        await off_loop(server._kill)
        await services.supervisor.start()  # every account: the retired one is skipped
        assert not services.supervisor.running
        assert await services.supervisor.run_once([retired]) == []
        await services.supervisor.sync_now(retired)
        assert await services.supervisor.replay_now(retired)
        executor = SerialExecutor("retired-test")
        try:
            with pytest.raises(ValidationError) as refused:
                await services.accounts.imap_session(retired, executor)
            assert refused.value.code == "account.retired"
        finally:
            executor.shutdown(wait=True)
        await asyncio.sleep(3.0)  # longer than a retry (max_retry_seconds)
        assert log.of(ConnectionChanged, lambda e: e.account_id == account.id) == []
        assert services.connections.connections(account.id) == []
        with pytest.raises(ValidationError) as refused:
            await services.accounts.set_password(account.name, "nouveau")
        assert refused.value.code == "account.retired"
        assert await services.store.read(lambda a: _secret_rows(a, account.id)) == 0
        await services.supervisor.stop()
    finally:
        await services.aclose()
