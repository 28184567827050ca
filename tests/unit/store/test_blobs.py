"""Encrypted segment files: sealed records, tamper detection, crypto-shredding, compaction."""

from __future__ import annotations

import os
import secrets
import threading
from pathlib import Path
from typing import Any

import pytest
import sqlcipher3

from app.domain.errors import StoreError
from app.domain.message import EnvelopeRecord, FetchedBody, Person, Structure
from app.store import blobs as blobs_module
from app.store.archive import Archive
from app.store.blobs import BlobRef, BlobStore


def test_records_are_sealed_and_read_back(tmp_path: Path) -> None:
    store = BlobStore(tmp_path / "blobs")
    secret = b"Resultat confidentiel de Monsieur Quetzalcoatl" * 50
    ref, other = store.append([secret, b"second"])
    assert store.read(ref) == secret
    assert store.read(other) == b"second"
    data = (tmp_path / "blobs" / "seg-000001.pli").read_bytes()
    assert b"Quetzalcoatl" not in data
    assert (tmp_path / "blobs").stat().st_mode & 0o077 == 0


def test_an_altered_or_moved_record_does_not_open(tmp_path: Path) -> None:
    store = BlobStore(tmp_path / "blobs")
    ref, second = store.append([b"a" * 100, b"b" * 100])
    path = tmp_path / "blobs" / "seg-000001.pli"
    data = bytearray(path.read_bytes())
    data[ref.offset + 20] ^= 1
    path.write_bytes(bytes(data))
    with pytest.raises(StoreError) as damaged:
        store.read(ref)
    assert damaged.value.code == "store.blob_damaged"
    # The right key at the wrong place: refused (the place is authenticated).
    moved = BlobRef(second.segment, second.offset, second.length, ref.key)
    with pytest.raises(StoreError):
        store.read(moved)
    with pytest.raises(StoreError) as missing:
        store.read(BlobRef(7, 0, 10, ref.key))
    assert missing.value.code == "store.blob_missing"


def _record(uid: int) -> EnvelopeRecord:
    return EnvelopeRecord(
        uid=uid,
        flags=0,
        keywords=(),
        internal_date=1_700_000_000 + uid,
        size=1000,
        modseq=None,
        message_id=f"<m{uid}@x>",
        in_reply_to=None,
        references=(),
        subject=f"Message {uid}",
        sender=Person("A", "a@x.fr"),
        to=(),
        cc=(),
        reply_to=(),
        sent_date=None,
        structure=Structure(),
    )


def test_deleted_bodies_are_reclaimed_and_the_others_survive(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(blobs_module, "SEGMENT_LIMIT", 40_000)  # several small segments
    archive = Archive.open(tmp_path / "archive.db", secrets.token_hex(32))
    try:
        conn = archive.conn
        with archive.write():
            conn.execute(
                "INSERT INTO accounts (id, name, address, config, created_at) VALUES"
                " (1, 'a', 'a@x.fr', '{}', 0)"
            )
            conn.execute("INSERT INTO folders (id, account_id, name) VALUES (1, 1, 'INBOX')")
            archive.messages.insert_envelopes(1, 1, 1, [_record(u) for u in range(1, 41)])
        pks = [r[0] for r in conn.execute("SELECT id FROM messages ORDER BY uid")]
        bodies = {pk: secrets.token_bytes(4_000) for pk in pks}
        for start in range(0, 40, 5):
            with archive.write():
                archive.messages.store_bodies(
                    [
                        (pk, FetchedBody(uid=0, raw=bodies[pk], texts=()))
                        for pk in pks[start : start + 5]
                    ]
                )
        blob_dir = tmp_path / "blobs"
        before = sum(p.stat().st_size for p in blob_dir.iterdir())
        assert len(list(blob_dir.iterdir())) > 2
        with archive.write():
            for pk in pks[:30]:
                archive.messages.delete_local(pk)
        reclaimed = archive.messages.compact()
        after = sum(p.stat().st_size for p in blob_dir.iterdir())
        assert reclaimed > 0
        assert after < before
        for pk in pks[30:]:
            assert archive.messages.raw(pk) == bodies[pk]
        assert archive.messages.compact() == 0  # nothing left to reclaim
    finally:
        archive.close()


def test_records_survive_partial_writes() -> None:
    """A pipe takes at most its buffer per call: every byte still arrives, in order."""
    nonce, body = os.urandom(12), os.urandom(300_000)
    read_fd, write_fd = os.pipe()
    received = bytearray()

    def drain() -> None:
        while chunk := os.read(read_fd, 7_000):
            received.extend(chunk)

    reader = threading.Thread(target=drain)
    reader.start()
    try:
        blobs_module._write_all(write_fd, nonce, b"", body)
    finally:
        os.close(write_fd)
        reader.join()
        os.close(read_fd)
    assert bytes(received) == nonce + body


def _archive_with_sparse_segments(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[Archive, list[int], dict[int, bytes]]:
    """An archive whose first segments are mostly deleted records (compaction has work)."""
    monkeypatch.setattr(blobs_module, "SEGMENT_LIMIT", 40_000)
    archive = Archive.open(tmp_path / "archive.db", KEY)
    conn = archive.conn
    with archive.write():
        conn.execute(
            "INSERT INTO accounts (id, name, address, config, created_at) VALUES"
            " (1, 'a', 'a@x.fr', '{}', 0)"
        )
        conn.execute("INSERT INTO folders (id, account_id, name) VALUES (1, 1, 'INBOX')")
        archive.messages.insert_envelopes(1, 1, 1, [_record(u) for u in range(1, 41)])
    pks = [r[0] for r in conn.execute("SELECT id FROM messages ORDER BY uid")]
    bodies = {pk: secrets.token_bytes(4_000) for pk in pks}
    for start in range(0, 40, 5):
        with archive.write():
            archive.messages.store_bodies(
                [
                    (pk, FetchedBody(uid=0, raw=bodies[pk], texts=()))
                    for pk in pks[start : start + 5]
                ]
            )
    # Four in five deleted in the first segments: sparse, but with live records to move.
    doomed = [pk for n, pk in enumerate(pks[:30]) if n % 5]
    with archive.write():
        for pk in doomed:
            archive.messages.delete_local(pk)
    return archive, [pk for pk in pks if pk not in doomed], bodies


KEY = "7e" * 32


def _other_process(path: Path) -> Any:
    conn = sqlcipher3.connect(str(path), isolation_level=None)
    conn.execute(f"PRAGMA key = \"x'{KEY}'\"")
    return conn


def test_compaction_waits_for_another_process_writing_and_then_fails_cleanly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Compaction takes the archive's write lock: never beside another process's writes."""
    archive, kept, bodies = _archive_with_sparse_segments(tmp_path, monkeypatch)
    other = _other_process(tmp_path / "archive.db")
    try:
        files = sorted(p.name for p in (tmp_path / "blobs").iterdir())
        archive.conn.execute("PRAGMA busy_timeout = 200")
        other.execute("BEGIN IMMEDIATE")  # another process in the middle of a sync write
        with pytest.raises(StoreError) as busy:
            archive.messages.compact()
        assert busy.value.code == "store.busy"
        assert sorted(p.name for p in (tmp_path / "blobs").iterdir()) == files
        assert not archive.conn.in_transaction
        other.execute("ROLLBACK")
        assert archive.messages.compact() > 0
        assert len(list((tmp_path / "blobs").iterdir())) < len(files)  # survivors together
        for pk in kept:
            assert archive.messages.raw(pk) == bodies[pk]
    finally:
        other.close()
        archive.close()


def test_compaction_keeps_old_segments_while_a_reader_may_still_point_into_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive, kept, bodies = _archive_with_sparse_segments(tmp_path, monkeypatch)
    reader = Archive.open_reader(tmp_path / "archive.db", KEY)
    try:
        before = sorted(p.name for p in (tmp_path / "blobs").iterdir())
        reader.conn.execute("BEGIN")  # another reader, in the middle of reading a body
        old_row = reader.conn.execute(
            "SELECT segment FROM message_bodies WHERE message_id = ?", (kept[0],)
        ).fetchone()
        assert archive.messages.compact(reader_wait_ms=100) == 0
        # The rows moved, but the old files stay for the reader's snapshot.
        assert (
            archive.conn.execute(
                "SELECT segment FROM message_bodies WHERE message_id = ?", (kept[0],)
            ).fetchone()
            != old_row
        )
        assert sorted(p.name for p in (tmp_path / "blobs").iterdir())[: len(before)] == before
        assert reader.messages.raw(kept[0]) == bodies[kept[0]]  # its snapshot's place
        reader.conn.execute("COMMIT")
        # Once readers moved on, the next compaction removes the emptied files.
        assert archive.messages.compact(reader_wait_ms=100) > 0
        assert (tmp_path / "blobs" / before[0]).exists() is False
        for pk in kept:
            assert archive.messages.raw(pk) == bodies[pk]
            assert reader.messages.raw(pk) == bodies[pk]
    finally:
        reader.close()
        archive.close()
