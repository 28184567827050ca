"""Bodies fetched by worker processes (app/services/body_worker*.py): losses and resumption.

Real Dovecot on loopback, real SQLCipher profile, real worker processes (spawned). Jobs are
made small here so that a pass has many of them, and a worker can be lost in the middle.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import random
import signal
from pathlib import Path
from typing import Any

import pytest

from app.domain.events import ArchiveComplete, BodiesProgress, BodiesStored
from app.services import mailbox_sync
from app.services.archive_service import SearchFilters
from app.services.container import Services
from tests.services.support import EventLog, add_account, off_loop
from tests.support.mail import message, tiny_pdf

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("loop_never_blocked")]

COUNT = 120


@pytest.fixture(autouse=True)
def small_jobs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Many small jobs: a loss falls in the middle of a pass, not at its end."""
    monkeypatch.setattr(mailbox_sync, "WORKER_MIN_BYTES", 1024 * 1024)
    monkeypatch.setattr(mailbox_sync, "WORKER_JOB_BYTES", 400 * 1024)
    monkeypatch.setattr(mailbox_sync, "WORKER_SMALL_JOB_BYTES", 200 * 1024)
    monkeypatch.setattr(mailbox_sync, "WORKER_GROUP_JOBS", 1)


def _messages() -> dict[str, bytes]:
    """COUNT messages of ~60 KB (a PDF in every third); subject -> bytes."""
    rng = random.Random(15)
    made: dict[str, bytes] = {}
    for n in range(COUNT):
        if n % 3 == 0:
            pdf = tiny_pdf(f"Document {n}") + b"%" + rng.randbytes(30_000).hex().encode()
            body = f"Cher confrère, patient {n}. " + "échographie " * 200
            raw, _ = message(subject=f"Compte rendu {n}", body=body, pdf=pdf)
        else:
            raw, _ = message(subject=f"Compte rendu {n}", body="Texte. " * 9000)
        made[f"Compte rendu {n}"] = raw
    return made


async def _seed(mail: Any) -> dict[str, bytes]:
    """Deliver `_messages()` to the INBOX (off the loop); subject -> bytes delivered."""
    delivered = await off_loop(_messages)
    await off_loop(mail.dovecot.deliver_many, mail.address, "INBOX", list(delivered.values()))
    return delivered


async def _check_archive(services: Services, account: Any, delivered: dict[str, bytes]) -> None:
    """Every message archived, its bytes exactly those delivered; no spool left behind."""
    found = await services.archive.messages(SearchFilters(account_id=account.id, limit=-1))
    assert len(found) == COUNT
    for summary in found:
        raw = await services.archive.raw(summary.id)
        assert raw is not None, summary.subject
        same = await off_loop(lambda r=raw: r.replace(b"\r\n", b"\n"))
        assert same == delivered[summary.subject]
    hits = await services.archive.search(
        "echographie", SearchFilters(account_id=account.id, limit=-1)
    )
    assert len(hits) == (COUNT + 2) // 3


def _incoming(services: Services) -> Path:
    return services.paths.archive_db.parent / "blobs" / "incoming"


def _workers() -> list[Any]:
    return [p for p in multiprocessing.active_children() if p.name.startswith("bodies-")]


async def test_a_worker_killed_mid_pass_is_replaced_and_nothing_is_lost(
    services: Services, events: EventLog, mail_account: Any
) -> None:
    delivered = await _seed(mail_account)
    account = await add_account(services, mail_account)
    killed: list[int] = []

    def kill_one(_event: BodiesProgress) -> None:
        if killed:
            return
        alive = _workers()
        assert alive, "the bodies must be fetched by worker processes"
        os.kill(alive[0].pid, signal.SIGKILL)
        killed.append(alive[0].pid)

    unsubscribe = services.events.subscribe(BodiesProgress, kill_one)
    try:
        report = await services.sync.sync(account)
    finally:
        unsubscribe()
    assert killed
    assert report.missing_bodies == 0
    assert report.bodies == COUNT
    await events.wait_for(ArchiveComplete)
    stored = [pk for e in events.of(BodiesStored) for pk in e.message_ids]
    assert len(stored) == len(set(stored)) == COUNT  # each message stored once
    await _check_archive(services, account, delivered)
    assert [p.name for p in _incoming(services).iterdir()] == []


async def test_worker_connections_dropped_mid_pass_are_reopened(
    services: Services, mail_account: Any
) -> None:
    delivered = await _seed(mail_account)
    account = await add_account(services, mail_account)
    kicks: list[asyncio.Task[None]] = []

    def kick(_event: BodiesProgress) -> None:
        if not kicks:
            # Every session of the user, the workers' included (doveadm kick).
            kicks.append(
                asyncio.ensure_future(off_loop(mail_account.dovecot.kick, account.address))
            )

    unsubscribe = services.events.subscribe(BodiesProgress, kick)
    try:
        report = await services.sync.sync(account)
    finally:
        unsubscribe()
    assert kicks
    await kicks[0]
    log = await off_loop(mail_account.dovecot.log_text)
    # The sync's own connection and two workers, then the workers' new connections.
    assert log.count(f"Login: user=<{account.address}>") >= 4
    assert report.missing_bodies == 0
    await _check_archive(services, account, delivered)
    assert [p.name for p in _incoming(services).iterdir()] == []
