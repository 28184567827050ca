"""Sync, local changes and the supervisor, through one container and one loop, events asserted.

Real Dovecot on loopback (and Cyrus in both namespace layouts for sync, changes, quota and
IDLE push: ``imap_account``), real SQLCipher profile; the event bus is strict (a failing
subscriber fails the test).
"""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from app.domain.account import AccountConfig, AuthMethod, Endpoint, OidcSettings, Security
from app.domain.errors import AuthError
from app.domain.events import (
    PROFILE_WIDE,
    ArchiveComplete,
    Cause,
    ConnectionChanged,
    ConnectionState,
    DocumentsIndexed,
    FolderCountsChanged,
    MessagesChanged,
    NewMail,
    OperationFailed,
    OperationQueued,
    OperationReplayed,
    PendingOperationsChanged,
    QuotaChanged,
    SyncFinished,
)
from app.domain.message import Flag
from app.services.account_service import Account
from app.services.archive_service import SearchFilters
from app.services.container import Services
from app.services.event_bus import EventBus
from tests.services.support import (
    EventLog,
    add_account,
    no_imap_threads,
    off_loop,
    open_test_services,
    threads_ended,
)
from tests.support.mail import message, tiny_pdf

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("loop_never_blocked")]

PATIENT = "Marie DUPONT <279035121518989@patient.mssante.fr>"


async def _inbox(services: Services, account: Account) -> dict[str, Any]:
    """subject -> summary of the account's INBOX."""
    folder = await services.archive.folder_id(account, "INBOX")
    found = await services.archive.messages(
        SearchFilters(account_id=account.id, folder_id=folder, limit=-1)
    )
    return {m.subject: m for m in found}


async def _server_flags(mail: Any, folder: str = "INBOX") -> dict[str | None, tuple[str, ...]]:
    found = await off_loop(mail.server.messages, mail.address, folder)
    return {m.message_id: m.flags for m in found}


async def test_one_container_serves_sync_and_local_changes_with_events(
    services: Services, events: EventLog, imap_account_factory: Any
) -> None:
    mail_account = await off_loop(imap_account_factory, quota_bytes=2_000_000)
    server, address = mail_account.server, mail_account.address
    biology = mail_account.folder("Biologie")  # INBOX.Biologie on Cyrus's "inbox" layout
    for subject in ("Un", "Deux", "Trois"):
        await off_loop(server.deliver, address, message(subject=subject)[0])
    account = await add_account(services, mail_account)

    # First sync: every message added, with its archive id; not "new mail" (first listing).
    [report] = await services.supervisor.run_once([account])
    assert report.added == 3
    inbox = await _inbox(services, account)
    inbox_id = await services.archive.folder_id(account, "INBOX")
    ids = {m.id for m in inbox.values()}
    [listed] = events.of(MessagesChanged, lambda e: e.folder_id == inbox_id)
    assert listed.cause is Cause.SERVER
    assert set(listed.added) == ids
    assert events.of(NewMail) == []
    counts = events.of(FolderCountsChanged, lambda e: e.folder_id == inbox_id)[-1]
    assert (counts.messages, counts.unread) == (3, 3)
    finished = events.of(SyncFinished)[-1]
    assert (finished.account_id, finished.added) == (account.id, 3)
    assert events.of(ConnectionChanged)[-1].state is ConnectionState.ONLINE
    assert services.supervisor.state(account.id) is ConnectionState.ONLINE

    # A local flag change: published at once with its id, then replayed.
    events.clear()
    one = inbox["Un"]
    await services.operations.set_flags([one.id], Flag.SEEN, Flag.NONE)
    [changed] = events.of(MessagesChanged)
    assert (changed.cause, changed.folder_id, changed.changed) == (Cause.USER, inbox_id, (one.id,))
    [queued] = events.of(OperationQueued)
    assert (queued.kind, queued.message_ids) == ("flags", (one.id,))
    assert events.of(PendingOperationsChanged)[-1].pending == 1
    counts = events.of(FolderCountsChanged)[-1]
    assert (counts.folder_id, counts.messages, counts.unread) == (inbox_id, 3, 2)
    assert await services.supervisor.replay_now(account)
    [replayed] = events.of(OperationReplayed)
    assert replayed.operation_id == queued.operation_id
    assert events.of(PendingOperationsChanged)[-1].pending == 0
    seen = {mid for mid, flags in (await _server_flags(mail_account)).items() if "\\Seen" in flags}
    assert len(seen) == 1

    # Changes on the server: a flag set elsewhere, new mail from a patient.
    events.clear()
    two = inbox["Deux"]
    assert two.uid is not None
    await off_loop(server.add_flags, address, "INBOX", [two.uid], ["\\Flagged"])
    raw = message(subject="Du patient", sender=PATIENT, pdf=tiny_pdf("Glycemie"))[0]
    await off_loop(server.deliver, address, raw)
    await services.supervisor.run_once([account])
    [from_server] = events.of(MessagesChanged, lambda e: e.folder_id == inbox_id)
    new_id = (await _inbox(services, account))["Du patient"].id
    assert from_server.cause is Cause.SERVER
    assert from_server.added == (new_id,)
    assert from_server.changed == (two.id,)
    [new_mail] = events.of(NewMail)
    assert (new_mail.folder_id, new_mail.count, new_mail.from_patients) == (inbox_id, 1, 1)
    counts = events.of(FolderCountsChanged, lambda e: e.folder_id == inbox_id)[-1]
    assert (counts.messages, counts.unread) == (4, 3)
    [indexed] = events.of(DocumentsIndexed)
    assert (indexed.account_id, indexed.documents, indexed.remaining) == (PROFILE_WIDE, 1, 0)

    # Move and delete: both folders told, with ids, at once.
    await off_loop(server.create_folder, address, biology)
    await services.supervisor.run_once([account])
    biology_id = await services.archive.folder_id(account, biology)
    events.clear()
    await services.operations.move([two.id], biology)
    await services.operations.delete([inbox["Trois"].id])
    moved_out, moved_in, deleted = events.of(MessagesChanged)
    assert (moved_out.folder_id, moved_out.removed, moved_out.cause) == (
        inbox_id,
        (two.id,),
        Cause.USER,
    )
    assert (moved_in.folder_id, moved_in.added) == (biology_id, (two.id,))
    assert (deleted.folder_id, deleted.removed) == (inbox_id, (inbox["Trois"].id,))
    assert [e.pending for e in events.of(PendingOperationsChanged)] == [1, 2]
    assert await services.supervisor.replay_now(account)
    assert [e.kind for e in events.of(OperationReplayed)] == ["move", "expunge"]
    assert len(await off_loop(server.messages, address, biology)) == 1

    # Refused by the server (the folder was deleted there): undone locally, and told.
    await off_loop(server.delete_folder, address, biology)
    events.clear()
    await services.operations.move([one.id], biology)
    assert await services.supervisor.replay_now(account)  # reachable: refused, not offline
    [failed] = events.of(OperationFailed)
    assert (failed.kind, failed.message_ids) == ("move", (one.id,))
    assert failed.code.startswith("server.")
    undone = events.of(MessagesChanged, lambda e: e.cause is Cause.UNDO)
    assert {(e.folder_id, e.added, e.removed) for e in undone} == {
        (inbox_id, (one.id,), ()),
        (biology_id, (), (one.id,)),
    }
    assert (await _inbox(services, account))["Un"].folder == "INBOX"

    # Quota.
    quota = await services.sync.quota(account)
    assert quota is not None
    told = events.of(QuotaChanged)[-1]
    assert (told.account_id, told.used_kib, told.limit_kib) == (account.id, *quota)
    assert told.limit_kib in (1953, 1954, 2000)


async def _wait_idle(services: Services, account: Account) -> None:
    """Until the account's IDLE session is open (then a moment for IDLE itself)."""
    for _ in range(400):
        if any(
            c.role == "idle" and c.is_open for c in services.connections.connections(account.id)
        ):
            await asyncio.sleep(0.5)
            return
        await asyncio.sleep(0.05)
    pytest.fail("the IDLE session never opened")


async def test_supervisor_pushes_new_mail_replays_changes_and_stops_clean(
    tmp_path: Path, imap_account: Any
) -> None:
    threads = set(threading.enumerate())
    bus = EventBus(strict=True)
    services = await open_test_services(tmp_path / "profile", bus)
    log = EventLog(bus)
    try:
        mail_account = imap_account
        server, address = mail_account.server, mail_account.address
        await off_loop(server.deliver, address, message(subject="Avant")[0])
        account = await add_account(services, mail_account)
        before = asyncio.all_tasks()

        await services.supervisor.start([account])
        await log.wait_for(SyncFinished)
        assert services.supervisor.running
        assert services.supervisor.state(account.id) is ConnectionState.ONLINE
        online = log.of(ConnectionChanged)
        assert [e.state for e in online] == [ConnectionState.ONLINE]
        await _wait_idle(services, account)

        # Pushed by IDLE: no pass is due for five minutes. The body follows, apart.
        await log.wait_for(ArchiveComplete)
        log.clear()
        await off_loop(server.deliver, address, message(subject="Poussé", sender=PATIENT)[0])
        new_mail = await log.wait_for(NewMail, within=20)
        assert (new_mail.folder, new_mail.count, new_mail.from_patients) == ("INBOX", 1, 1)
        pushed = (await _inbox(services, account))["Poussé"]
        assert log.of(MessagesChanged, lambda e: pushed.id in e.added)
        await log.wait_for(ArchiveComplete, within=20)
        assert (await _inbox(services, account))["Poussé"].archived
        assert log.of(ConnectionChanged) == []  # the push did not cost the connection

        # A local change is replayed by itself, on the "ops" connection.
        await services.operations.set_flags([pushed.id], Flag.FLAGGED, Flag.NONE)
        await log.wait_for(OperationReplayed, within=10)
        flagged = [f for f in (await _server_flags(mail_account)).values() if "\\Flagged" in f]
        assert len(flagged) == 1
        assert any(
            c.role == "ops" and c.is_open for c in services.connections.connections(account.id)
        )

        await services.supervisor.stop()
        assert not services.supervisor.running
        assert await no_imap_threads() == []
        current = asyncio.current_task()
        left = {t for t in asyncio.all_tasks() if not t.done()} - before - {current}
        assert left == set()
    finally:
        await services.aclose()
    # Closing ends every thread the services started (store, IMAP, workers).
    assert await threads_ended(threads) == []


def _restart_same_ports(server: Any) -> None:
    """Start a stopped test Dovecot (or Cyrus) again on its former ports, with its mail."""
    server._write_config()
    server.run_as.own(server.root)
    server._spawn(20)


@pytest.mark.parametrize("kind", ["dovecot", "cyrus"])
async def test_connection_state_follows_the_server(
    tmp_path: Path, request: pytest.FixtureRequest, pki: Any, kind: str
) -> None:
    # One Cyrus layout is enough here: what differs is how the server ends the sessions when
    # it stops (Cyrus's master signals its imapd children, which close without a BYE when
    # signalled, where Dovecot says BYE first).
    factory = request.getfixturevalue(f"{kind}_factory")
    server = await off_loop(factory)
    user = await off_loop(server.add_user, "dr-coupure")
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
    await off_loop(server.deliver, user.address, message(subject="Avant la coupure")[0])
    bus = EventBus(strict=True)
    services = await open_test_services(tmp_path / "profile", bus)
    log = EventLog(bus)
    try:
        account = await add_account(services, mail)
        services.supervisor.max_retry_seconds = 2.0
        await services.supervisor.start([account])
        await log.wait_for(ConnectionChanged, lambda e: e.state is ConnectionState.ONLINE)
        await _wait_idle(services, account)

        await off_loop(server._kill)  # Dovecot stops: the IDLE session breaks
        offline = await log.wait_for(
            ConnectionChanged, lambda e: e.state is ConnectionState.OFFLINE, within=30
        )
        assert offline.code is not None and offline.code.startswith("network.")
        assert offline.retry_in is not None
        assert services.supervisor.state(account.id) in (
            ConnectionState.OFFLINE,
            ConnectionState.RECONNECTING,
        )

        log.clear()
        await off_loop(_restart_same_ports, server)
        await off_loop(server.deliver, user.address, message(subject="Après la coupure")[0])
        await log.wait_for(
            ConnectionChanged, lambda e: e.state is ConnectionState.ONLINE, within=30
        )
        states = [e.state for e in log.of(ConnectionChanged)]
        assert ConnectionState.RECONNECTING in states
        await log.wait_for(SyncFinished, within=30)
        # The message delivered after the restart comes with the pass after reconnecting or,
        # if that pass ran before it landed (Cyrus's delivery is an IMAP APPEND), by IDLE.
        await log.wait_for(NewMail, lambda e: e.folder == "INBOX", within=30)
        assert "Après la coupure" in await _inbox(services, account)
        assert services.supervisor.state(account.id) is ConnectionState.ONLINE
        await services.supervisor.stop()
    finally:
        await services.aclose()
    assert await no_imap_threads() == []


def _never_logged_in() -> AccountConfig:
    """An OpenID Connect account never logged in: no token can be had, nothing is sent."""
    return AccountConfig(
        name="psc",
        address="dr.jeton@hopital-test.mssante.fr",
        imap=Endpoint.parse("127.0.0.1:9", Security.STARTTLS, "imap"),
        smtp=Endpoint.parse("127.0.0.1:9", Security.STARTTLS, "smtp"),
        auth=AuthMethod.OAUTH2,
        oidc=OidcSettings(issuer="https://127.0.0.1:9/auth", client_id="pli"),
        servers_confirmed=True,
    )


async def test_a_login_to_renew_ends_the_session_until_asked_again(
    services: Services, events: EventLog
) -> None:
    account = await services.accounts.add(_never_logged_in())
    await services.supervisor.start([account])
    ended = await events.wait_for(ConnectionChanged)
    assert (ended.state, ended.code) == (ConnectionState.SESSION_ENDED, "auth.login_required")
    assert services.supervisor.state(account.id) is ConnectionState.SESSION_ENDED
    # No retry on its own: only when asked (after a new login).
    await asyncio.sleep(1.5)
    assert len(events.of(ConnectionChanged)) == 1
    with pytest.raises(AuthError) as caught:
        await services.supervisor.sync_now(account)
    assert caught.value.code == "auth.login_required"
    assert [e.state for e in events.of(ConnectionChanged)] == [
        ConnectionState.SESSION_ENDED,
        ConnectionState.RECONNECTING,
        ConnectionState.SESSION_ENDED,
    ]
    # Removing the account ends its worker.
    await services.accounts.remove("psc")
    for _ in range(200):
        if not services.supervisor.running:
            break
        await asyncio.sleep(0.05)
    assert not services.supervisor.running
    await services.supervisor.stop()
    assert await no_imap_threads() == []


class _SubscriberError(Exception):
    pass


async def test_a_subscriber_failing_in_background_work_fails_the_strict_stop(
    services: Services,
) -> None:
    account = await services.accounts.add(_never_logged_in())
    calls: list[ConnectionChanged] = []

    def failing(event: ConnectionChanged) -> None:
        calls.append(event)
        raise _SubscriberError

    keep = services.events.subscribe(ConnectionChanged, failing)
    await services.supervisor.start([account])
    for _ in range(200):
        if services.supervisor.failures:
            break
        await asyncio.sleep(0.05)
    assert calls
    with pytest.raises(_SubscriberError):
        await services.supervisor.stop()
    keep()
