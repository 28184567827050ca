"""Two flushes racing on the same profile submit each queued message exactly once.

Two sets of services (two archive connections, as two processes would have) flush the same
account's outbox at the same moment against the suite's SMTP server, which delivers into
Dovecot; the deliveries are counted there.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from app.config.paths import AppPaths
from app.domain.outbox import OutboxState
from app.services.instance import exclusive
from app.services.outbox_service import FlushReport
from app.store.archive import Archive
from app.store.repositories.sending import OutboxEntry
from tests.support.cli import Pli, open_profile

pytestmark = pytest.mark.integration

COUNT = 6


def queue_offline(pli: Pli, name: str, account, to: str, tmp_path: Path) -> list[str]:
    """Write COUNT messages while the submission server is unreachable: all queued."""
    good = f"{account.smtp_host}:{account.smtp_port}"
    pli("account", "set", name, "--smtp", "127.0.0.1:9").ok()
    body = tmp_path / "body.txt"
    body.write_text("Compte rendu de consultation.\n" * 2000, encoding="utf-8")
    ids = []
    for n in range(COUNT):
        result = pli(
            "send", "--to", to, "--subject", f"Message {n}", "--body-file", str(body), "--json"
        )
        assert result.code == 75, result.err
        ids.append(result.json()["message_id"])
    pli("account", "set", name, "--smtp", good).ok()
    return ids


async def race(profile: Path) -> tuple[list[FlushReport], list[OutboxEntry]]:
    """Two services on one profile flush its account at the same moment."""
    first, second = await open_profile(profile), await open_profile(profile)
    try:
        one = await first.accounts.get("cab")
        two = await second.accounts.get("cab")
        reports = await asyncio.gather(first.outbox.flush(one), second.outbox.flush(two))
        # Whatever one of them left uncertain (the other's submission in flight) is settled.
        await first.outbox.flush(one)
        return list(reports), await first.outbox.entries(one)
    finally:
        await first.aclose()
        await second.aclose()


def test_two_flushes_racing_on_one_profile_submit_each_message_once(
    tmp_path: Path, mail_account_factory, smtp_server
) -> None:
    a_account, b_account = mail_account_factory(), mail_account_factory()
    pli = Pli(tmp_path / "profile")
    pli.add_account("cab", a_account)
    ids = queue_offline(pli, "cab", a_account, b_account.address, tmp_path)

    reports, entries = asyncio.run(race(pli.profile))
    # The second found the first at work (on the account's outbox, or on an entry it had read
    # as waiting) and left it alone.
    assert sum(r.submitted for r in reports) >= COUNT
    assert any(r.busy or r.unconfirmed for r in reports), reports

    assert sorted(e.message_id for e in entries) == sorted(ids)
    assert {e.state for e in entries} == {OutboxState.FILED}
    for message_id in ids:
        delivered = [
            t
            for t in smtp_server.transactions_with_message_id(message_id)
            if any(r.status == "delivered" for r in t.results.values())
        ]
        assert len(delivered) == 1, f"{message_id} delivered {len(delivered)} times"
    received = [m.message_id for m in b_account.dovecot.messages(b_account.address)]
    assert sorted(received) == sorted(ids)
    filed = [m.message_id for m in a_account.dovecot.messages(a_account.address, "Sent")]
    assert sorted(filed) == sorted(ids)
    assert a_account.dovecot.messages(a_account.address, "INBOX") == []


async def flush_with_a_dead_flushs_lease(profile: Path) -> tuple[FlushReport, list[OutboxEntry]]:
    """A flush killed while filing left its lease on every entry; the next flush files them."""
    services = await open_profile(profile)
    try:
        account = await services.accounts.get("cab")
        for entry in await services.outbox.entries(account):
            # The state a flush killed while filing leaves: submitted (the server took it),
            # and the filing leased (what `_file` writes before appending to Sent).
            def killed(a: Archive, e: OutboxEntry = entry) -> bool:
                a.outbox.transition(e.id, OutboxState.QUEUED, OutboxState.SUBMITTING)
                a.outbox.transition(
                    e.id,
                    OutboxState.SUBMITTING,
                    OutboxState.SUBMITTED,
                    submitted_at=int(time.time()),
                )
                # The clock read after the transitions (they stamp updated_at themselves).
                return a.outbox.claim_filing(e.id, now=int(time.time()), lease=30)

            assert await services.store.write(killed)
        report = await services.outbox.flush(account)
        return report, await services.outbox.entries(account)
    finally:
        await services.aclose()


def test_a_lease_left_by_a_killed_flush_does_not_hold_the_next_flush_back(
    tmp_path: Path, mail_account_factory, smtp_server
) -> None:
    a_account, b_account = mail_account_factory(), mail_account_factory()
    pli = Pli(tmp_path / "profile")
    pli.add_account("cab", a_account)
    ids = queue_offline(pli, "cab", a_account, b_account.address, tmp_path)

    report, entries = asyncio.run(flush_with_a_dead_flushs_lease(pli.profile))
    assert (report.filed, report.busy) == (COUNT, 0), report
    assert {e.state for e in entries} == {OutboxState.FILED}
    filed = [m.message_id for m in a_account.dovecot.messages(a_account.address, "Sent")]
    assert sorted(filed) == sorted(ids)


async def flush_while_another_process_flushes(profile: Path) -> FlushReport:
    services = await open_profile(profile)
    try:
        account = await services.accounts.get("cab")
        # What another process's flush holds while it works on the account's outbox.
        async with exclusive(AppPaths.at(profile), f"outbox-{account.id}"):
            return await services.outbox.flush(account)
    finally:
        await services.aclose()


def test_a_flush_leaves_the_outbox_to_another_process_flushing_it(
    tmp_path: Path, mail_account_factory, smtp_server
) -> None:
    a_account, b_account = mail_account_factory(), mail_account_factory()
    pli = Pli(tmp_path / "profile")
    pli.add_account("cab", a_account)
    ids = queue_offline(pli, "cab", a_account, b_account.address, tmp_path)

    report = asyncio.run(flush_while_another_process_flushes(pli.profile))
    assert (report.submitted, report.busy) == (0, COUNT), report
    for message_id in ids:
        assert smtp_server.transactions_with_message_id(message_id) == []
    # Once it is free, the next flush sends them.
    assert pli.run_process("outbox", "--flush").code == 0
    received = [m.message_id for m in b_account.dovecot.messages(b_account.address)]
    assert sorted(received) == sorted(ids)
