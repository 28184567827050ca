"""Recipients refused only for now: the backoff and the limit (pure), and the archive's
compare-and-set on their records and its choice of what is due, on a real SQLCipher file with
two connections (as two processes would have)."""

from __future__ import annotations

import json
import secrets
import time
from itertools import pairwise
from pathlib import Path

import pytest

from app.domain.outbox import (
    RETRY_FIRST_DELAY_SECONDS,
    RETRY_LIFETIME_SECONDS,
    RETRY_MAX_ATTEMPTS,
    RETRY_MAX_DELAY_SECONDS,
    OutboxState,
    retry_delay,
    retry_exhausted,
)
from app.store.archive import Archive
from app.store.database import transaction

KEY = secrets.token_hex(32)


def test_the_delay_doubles_up_to_a_ceiling_and_the_tries_end() -> None:
    delays = [retry_delay(n) for n in range(1, 10)]
    assert delays[0] == RETRY_FIRST_DELAY_SECONDS
    assert all(b == min(2 * a, RETRY_MAX_DELAY_SECONDS) for a, b in pairwise(delays))
    assert retry_delay(100) == RETRY_MAX_DELAY_SECONDS
    # Within the lifetime, tried again (about 24 h, like an MTA's queue); after it, given up.
    assert not retry_exhausted(0, 2, RETRY_LIFETIME_SECONDS - 1)
    assert retry_exhausted(0, 2, RETRY_LIFETIME_SECONDS)
    assert retry_exhausted(0, RETRY_MAX_ATTEMPTS, 10)
    # The attempts the delays allow fit within the lifetime (the limit is not only a count).
    total = sum(retry_delay(n) for n in range(1, RETRY_MAX_ATTEMPTS))
    assert total >= RETRY_LIFETIME_SECONDS * 0.75


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


def _filed(archive: Archive, n: int, refused: list[dict]) -> int:
    with transaction(archive.conn):
        entry_id = archive.outbox.add(
            account_id=1,
            message_id=f"<m{n}@x.fr>",
            kind="message",
            raw=b"Subject: x\r\n\r\nx\r\n",
            envelope_from="a@x.fr",
            recipients=("b@x.fr", "c@x.fr"),
            dsn=None,
            subject="x",
            patient_ins=None,
            reply_to_pk=None,
            issues=[],
        )
        archive.outbox.transition(entry_id, OutboxState.QUEUED, OutboxState.SUBMITTING)
        archive.outbox.transition(entry_id, OutboxState.SUBMITTING, OutboxState.SUBMITTED)
        archive.outbox.record_submission(entry_id, refused=refused)
        archive.outbox.transition(
            entry_id, OutboxState.SUBMITTED, OutboxState.FILED, filed_at=int(time.time())
        )
    return entry_id


def test_only_due_or_unfinished_tries_are_picked_and_claimed_once(archives) -> None:
    first, second = archives
    now = int(time.time())
    waiting = {"address": "c@x.fr", "code": 451, "text": "4.3.0 x", "pending": True}
    due = _filed(first, 1, [{**waiting, "next": now - 1}])
    later = _filed(first, 2, [{**waiting, "next": now + 600}])
    _filed(first, 3, [{"address": "c@x.fr", "code": 550, "text": "5.1.1 x"}])  # for good
    begun = _filed(first, 4, [{**waiting, "next": now + 600, "retrying": now - 5}])
    assert first.outbox.due_retries(1, now) == [due, begun]
    assert first.outbox.due_retries(1, now, every=True) == [due, later, begun]
    # Two flushes read the same records; only one claims the try.
    records = first.outbox.get(due).refused
    claimed = [{**r, "retrying": now} for r in records]
    with transaction(first.conn):
        assert first.outbox.replace_refused(due, records, claimed)
    with transaction(second.conn):
        assert not second.outbox.replace_refused(due, records, claimed)
    assert json.loads(json.dumps(second.outbox.get(due).refused)) == claimed


def test_an_entry_tried_again_after_its_filing_is_looked_at_for_late_copies(archives) -> None:
    first, _second = archives
    now = int(time.time())
    waiting = {"address": "c@x.fr", "code": 451, "text": "4.3.0 x", "pending": True, "next": 0}
    entry_id = _filed(first, 1, [waiting])
    with transaction(first.conn):  # filed a while ago
        first.conn.execute("UPDATE outbox SET filed_at = ?, updated_at = ?", (now - 7200,) * 2)
    assert first.outbox.filed_since(1, now - 3600) == []
    assert first.outbox.retried_since(1, now - 3600) == []
    with transaction(first.conn):  # tried again now: c accepted
        assert first.outbox.replace_refused(entry_id, [waiting], [])
    expected = [(entry_id, "<m1@x.fr>", ("b@x.fr", "c@x.fr"))]
    assert first.outbox.retried_since(1, now - 3600) == expected
    assert first.outbox.filed_since(1, now - 3600) == []
