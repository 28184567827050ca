"""The outbox's state machine in the archive: compare-and-set transitions and the filing lease,
on a real SQLCipher file with two connections (as two processes would have)."""

from __future__ import annotations

import secrets
import time
from pathlib import Path

import pytest

from app.domain.outbox import PENDING_STATES, WAITING_STATES, OutboxState, allowed
from app.store.archive import Archive
from app.store.database import transaction

KEY = secrets.token_hex(32)


@pytest.fixture
def archives(tmp_path: Path):
    first = Archive.open(tmp_path / "archive.db", KEY)
    second = Archive.open(tmp_path / "archive.db", KEY)
    with transaction(first.conn):
        first.conn.execute(
            "INSERT INTO accounts (id, name, address, config, created_at) VALUES"
            " (1, 'a', 'a@x.fr', '{}', 0)"
        )
    yield first, second
    second.close()
    first.close()


def _queue(archive: Archive, n: int = 1) -> int:
    with transaction(archive.conn):
        return archive.outbox.add(
            account_id=1,
            message_id=f"<m{n}@x.fr>",
            kind="message",
            raw=b"Subject: x\r\n\r\nx\r\n",
            envelope_from="a@x.fr",
            recipients=("b@x.fr",),
            dsn=None,
            subject="x",
            patient_ins=None,
            reply_to_pk=None,
            issues=[],
        )


def test_the_stored_values_are_the_archive_s_own() -> None:
    assert [s.value for s in OutboxState] == [
        "queued",
        "submitting",
        "uncertain",
        "submitted",
        "filed",
        "failed",
    ]
    assert OutboxState.QUEUED.pending and OutboxState.QUEUED.waiting
    assert OutboxState.SUBMITTED.pending and not OutboxState.SUBMITTED.waiting
    assert not OutboxState.FILED.pending and not OutboxState.FAILED.pending
    assert set(WAITING_STATES) < set(PENDING_STATES)
    # Nothing leaves a final state; nothing goes back to queued once accepted.
    assert not any(allowed(OutboxState.FILED, s) for s in OutboxState)
    assert not any(allowed(OutboxState.FAILED, s) for s in OutboxState)
    assert not allowed(OutboxState.SUBMITTED, OutboxState.QUEUED)


def test_a_state_changes_only_from_the_state_it_was_read_in(archives) -> None:
    first, second = archives
    entry_id = _queue(first)
    # Both read it queued; only one moves it to submitting.
    assert first.outbox.get(entry_id).state is OutboxState.QUEUED
    assert second.outbox.get(entry_id).state is OutboxState.QUEUED
    with transaction(first.conn):
        assert first.outbox.transition(entry_id, OutboxState.QUEUED, OutboxState.SUBMITTING)
    with transaction(second.conn):
        assert not second.outbox.transition(entry_id, OutboxState.QUEUED, OutboxState.SUBMITTING)
    entry = second.outbox.get(entry_id)
    assert (entry.state, entry.attempts) == (OutboxState.SUBMITTING, 1)
    # A transition outside the machine is a bug, refused before reaching the archive.
    with pytest.raises(ValueError, match="filed"), transaction(first.conn):
        first.outbox.transition(entry_id, OutboxState.FILED, OutboxState.QUEUED)
    # Uncertain keeps the attempt's time (the grace period counts from it) and the first code.
    attempt = entry.updated_at
    with transaction(second.conn):
        assert second.outbox.transition(
            entry_id, OutboxState.SUBMITTING, OutboxState.UNCERTAIN, last_error="network.lost"
        )
    # The flush that made the submission still records the server's answer.
    with transaction(first.conn):
        assert first.outbox.transition(
            entry_id, (OutboxState.SUBMITTING, OutboxState.UNCERTAIN), OutboxState.SUBMITTED
        )
    entry = first.outbox.get(entry_id)
    assert entry.state is OutboxState.SUBMITTED and entry.updated_at >= attempt
    assert entry.last_error == "network.lost"
    assert first.outbox.counts(1) == (0, 0)
    assert first.outbox.pending(1) == [entry_id]


def test_filing_is_taken_by_one_flush_for_a_while(archives) -> None:
    first, second = archives
    entry_id = _queue(first)
    with transaction(first.conn):
        first.outbox.transition(entry_id, OutboxState.QUEUED, OutboxState.SUBMITTING)
        first.outbox.transition(entry_id, OutboxState.SUBMITTING, OutboxState.SUBMITTED)
    now = int(time.time())
    with transaction(first.conn):
        assert first.outbox.claim_filing(entry_id, now=now, lease=30)
    with transaction(second.conn):
        assert not second.outbox.claim_filing(entry_id, now=now + 29, lease=30)
    # A flush killed while filing gives it up when the lease ends.
    with transaction(second.conn):
        assert second.outbox.claim_filing(entry_id, now=now + 31, lease=30)
    # A failed filing gives it back at once, with why.
    with transaction(second.conn):
        second.outbox.release_filing(entry_id, "server.over_quota")
    with transaction(first.conn):
        assert first.outbox.claim_filing(entry_id, now=int(time.time()), lease=30)
        assert first.outbox.transition(entry_id, OutboxState.SUBMITTED, OutboxState.FILED)
    assert second.outbox.get(entry_id).last_error == "server.over_quota"
    assert second.outbox.pending(1) == []


def test_counts_say_what_waits_and_what_failed(archives) -> None:
    first, _second = archives
    ids = [_queue(first, n) for n in range(4)]
    with transaction(first.conn):
        first.outbox.transition(ids[0], OutboxState.QUEUED, OutboxState.SUBMITTING)
        first.outbox.transition(ids[0], OutboxState.SUBMITTING, OutboxState.FAILED)
        first.outbox.transition(ids[1], OutboxState.QUEUED, OutboxState.SUBMITTING)
    assert first.outbox.counts(1) == (3, 1)
    assert first.outbox.written(["<m1@x.fr>", "<nope@x.fr>"]) == {"<m1@x.fr>": (ids[1], 1)}
