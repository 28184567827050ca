"""`OutboxRepository.filed_since`: the recently filed entries a flush looks at for late hidden
copies, without reading the messages themselves (real SQLCipher archive in tmp_path)."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.domain.outbox import OutboxState
from app.store.archive import Archive


@pytest.fixture
def archive(tmp_path: Path) -> Iterator[Archive]:
    opened = Archive.open(tmp_path / "archive.db", secrets.token_hex(32))
    with opened.write():
        opened.conn.execute(
            "INSERT INTO accounts (id, name, address, config, created_at) VALUES"
            " (1, 'a', 'a@x.fr', '{}', 0), (2, 'b', 'b@x.fr', '{}', 0)"
        )
    try:
        yield opened
    finally:
        opened.close()


def _entry(archive: Archive, n: int, *, account_id: int = 1, filed_at: int | None) -> int:
    with archive.write():
        entry_id = archive.outbox.add(
            account_id=account_id,
            message_id=f"<m{n}@x.fr>",
            kind="message",
            raw=b"Subject: x\r\n\r\n" + b"x" * 1000 + b"\r\n",
            envelope_from="a@x.fr",
            recipients=("b@x.fr", "c@x.fr"),
            dsn=None,
            subject="x",
            patient_ins=None,
            reply_to_pk=None,
            issues=[],
        )
        if filed_at is not None:
            outbox = archive.outbox
            outbox.transition(entry_id, OutboxState.QUEUED, OutboxState.SUBMITTING)
            outbox.transition(entry_id, OutboxState.SUBMITTING, OutboxState.SUBMITTED)
            outbox.transition(entry_id, OutboxState.SUBMITTED, OutboxState.FILED, filed_at=filed_at)
    return entry_id


def test_only_the_accounts_entries_filed_since_newest_first(archive: Archive) -> None:
    old = _entry(archive, 1, filed_at=1_000)
    first = _entry(archive, 2, filed_at=5_000)
    second = _entry(archive, 3, filed_at=6_000)
    _entry(archive, 4, filed_at=None)  # still queued
    _entry(archive, 5, account_id=2, filed_at=6_000)  # another account
    found = archive.outbox.filed_since(1, 5_000)
    assert found == [
        (second, "<m3@x.fr>", ("b@x.fr", "c@x.fr")),
        (first, "<m2@x.fr>", ("b@x.fr", "c@x.fr")),
    ]
    assert old not in [f[0] for f in archive.outbox.filed_since(1, 1_001)]
    assert archive.outbox.filed_since(1, 7_000) == []
