"""SQLCipher failures classified where they happen: locks, full disk, damage, files.

A second real connection to the same file plays the other process.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlcipher3

from app.domain.errors import KnownError, StoreError
from app.domain.message import FetchedBody
from app.store import database
from app.store.archive import Archive
from app.store.blobs import BlobStore
from app.store.database import classify, connect, open_archive, open_reader, read_transaction

KEY = "3c" * 32


@pytest.fixture
def path(tmp_path: Path) -> Path:
    archive = Archive.open(tmp_path / "archive.db", KEY)
    with archive.write():
        archive.conn.execute(
            "INSERT INTO accounts (id, name, address, config, created_at) VALUES"
            " (1, 'a', 'a@x.fr', '{}', 0)"
        )
    archive.close()
    return tmp_path / "archive.db"


@pytest.fixture
def other(path: Path) -> Iterator[sqlcipher3.Connection]:
    """Another process's connection to the same archive (its own key setup, no pragmas)."""
    conn = sqlcipher3.connect(str(path), isolation_level=None)
    conn.execute(f"PRAGMA key = \"x'{KEY}'\"")
    conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    try:
        yield conn
    finally:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        conn.close()


def _short_wait(archive: Archive) -> None:
    archive.conn.execute("PRAGMA busy_timeout = 150")


def test_a_write_lock_held_by_another_process_is_store_busy_then_the_archive_works(
    path: Path, other: sqlcipher3.Connection
) -> None:
    archive = Archive.open(path, KEY)
    try:
        _short_wait(archive)
        other.execute("BEGIN IMMEDIATE")
        other.execute("INSERT INTO contacts (address) VALUES ('other@x.fr')")
        with pytest.raises(StoreError) as busy, archive.write():
            archive.conn.execute("INSERT INTO contacts (address) VALUES ('mine@x.fr')")
        assert busy.value.code == "store.busy"
        assert isinstance(busy.value, KnownError)
        # Readers are not blocked by a writer (WAL).
        assert archive.conn.execute("SELECT count(*) FROM accounts").fetchone()[0] == 1
        other.execute("COMMIT")
        with archive.write():
            archive.conn.execute("INSERT INTO contacts (address) VALUES ('mine@x.fr')")
        rows = archive.conn.execute("SELECT address FROM contacts ORDER BY address").fetchall()
        assert rows == [("mine@x.fr",), ("other@x.fr",)]
    finally:
        archive.close()


def test_a_brief_lock_by_another_process_is_waited_for(path: Path) -> None:
    other = sqlcipher3.connect(str(path), isolation_level=None, check_same_thread=False)
    other.execute(f"PRAGMA key = \"x'{KEY}'\"")
    archive = Archive.open(path, KEY)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("INSERT INTO contacts (address) VALUES ('other@x.fr')")
        release = threading.Timer(0.5, lambda: other.execute("COMMIT"))
        release.start()
        started = time.monotonic()
        with archive.write():  # waits for the other process instead of failing
            archive.conn.execute("INSERT INTO contacts (address) VALUES ('mine@x.fr')")
        assert time.monotonic() - started >= 0.4
        release.join()
        assert archive.conn.execute("SELECT count(*) FROM contacts").fetchone()[0] == 2
    finally:
        archive.close()
        other.close()


def test_an_exclusive_lock_held_by_another_process_is_locked_by_other(
    path: Path, other: sqlcipher3.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(database, "BUSY_TIMEOUT_MS", 200)
    other.execute("PRAGMA locking_mode = EXCLUSIVE")
    other.execute("BEGIN EXCLUSIVE")
    other.execute("INSERT INTO contacts (address) VALUES ('other@x.fr')")
    other.execute("COMMIT")  # the exclusive lock stays with the other connection
    for opening in (open_archive, open_reader):
        with pytest.raises(StoreError) as locked:
            opening(path, KEY)
        assert locked.value.code == "store.locked_by_other"
    other.execute("PRAGMA locking_mode = NORMAL")
    other.execute("SELECT count(*) FROM contacts").fetchone()  # the lock goes at next access
    reader = Archive.open_reader(path, KEY)
    try:
        with read_transaction(reader.conn):
            assert reader.conn.execute("SELECT count(*) FROM contacts").fetchone()[0] == 1
    finally:
        reader.close()


def test_a_full_disk_mid_transaction_is_store_disk_full_and_rolled_back(path: Path) -> None:
    archive = Archive.open(path, KEY)
    try:
        pages = archive.conn.execute("PRAGMA page_count").fetchone()[0]
        archive.conn.execute(f"PRAGMA max_page_count = {pages + 2}")
        rows = [(f"p{n}@x.fr", "x" * 2000) for n in range(200)]
        with pytest.raises(StoreError) as full, archive.write():
            archive.conn.executemany(
                "INSERT INTO contacts (address, display_name) VALUES (?, ?)", rows
            )
        assert full.value.code == "store.disk_full"
        assert not archive.conn.in_transaction
        assert archive.conn.execute("SELECT count(*) FROM contacts").fetchone()[0] == 0
    finally:
        archive.close()


def test_a_damaged_or_foreign_file_is_a_known_error(tmp_path: Path, path: Path) -> None:
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(secrets.token_bytes(8192))
    with pytest.raises(StoreError) as damaged:
        open_archive(garbage, KEY)
    assert damaged.value.code == "store.wrong_key_or_damaged"
    with pytest.raises(StoreError) as cannot:
        connect(tmp_path / "missing-dir" / "archive.db", KEY)
    assert cannot.value.code == "store.cannot_open"
    conn = open_archive(tmp_path / "fresh.db", KEY)
    conn.execute("PRAGMA user_version = 1")
    conn.close()
    with pytest.raises(StoreError) as older:
        open_reader(tmp_path / "fresh.db", KEY)
    assert older.value.code == "store.older_schema"


def test_segment_files_that_cannot_be_written_are_known_errors(path: Path, tmp_path: Path) -> None:
    blocked = tmp_path / "blobs"
    blocked.write_bytes(b"")  # a file where the segment folder should be
    archive = Archive(open_archive(path, KEY), BlobStore(blocked))
    try:
        with archive.write():
            archive.conn.execute("INSERT INTO folders (id, account_id, name) VALUES (1, 1, 'I')")
            archive.conn.execute(
                "INSERT INTO messages (id, account_id, folder_id, sort_key, internal_date, size,"
                " added_at) VALUES (1, 1, 1, 1, 0, 10, 0)"
            )
        with pytest.raises(StoreError) as failed, archive.write():
            archive.messages.store_bodies([(1, FetchedBody(1, b"body", ()))])
        assert failed.value.code in ("store.io_error", "store.read_only")
        assert archive.conn.execute("SELECT count(*) FROM message_bodies").fetchone()[0] == 0
    finally:
        archive.close()


@pytest.mark.parametrize(
    ("code", "text", "writing", "expected"),
    [
        (5, "database is locked", True, "store.busy"),
        (5, "database is locked", False, "store.locked_by_other"),
        (6, "database table is locked", True, "store.busy"),
        (11, "database disk image is malformed", True, "store.corrupt"),
        (13, "database or disk is full", True, "store.disk_full"),
        (10 | (13 << 8), "disk I/O error", True, "store.io_error"),
        (8, "attempt to write a readonly database", True, "store.read_only"),
        (26, "file is not a database", False, "store.wrong_key_or_damaged"),
        (None, "database is locked", True, "store.busy"),
    ],
)
def test_result_codes_are_classified(
    code: int | None, text: str, writing: bool, expected: str
) -> None:
    error = sqlcipher3.OperationalError(text)
    if code is not None:
        error.sqlite_errorcode = code  # type: ignore[attr-defined]
    found = classify(error, writing=writing)
    assert found is not None and found.code == expected


def test_bugs_stay_bugs() -> None:
    conn = sqlcipher3.connect(":memory:")
    with pytest.raises(sqlcipher3.Error) as bug:
        conn.execute("SELECT nope FROM nowhere")
    assert classify(bug.value) is None
    conn.execute("CREATE TABLE t (a UNIQUE)")
    conn.execute("INSERT INTO t VALUES (1)")
    with pytest.raises(sqlcipher3.IntegrityError) as constraint:
        conn.execute("INSERT INTO t VALUES (1)")
    assert classify(constraint.value) is None
