"""The encrypted archive file: key, migrations, refusal of newer schemas, error classes."""

from __future__ import annotations

import secrets
import sqlite3
from pathlib import Path

import pytest

from app.domain.errors import StoreError
from app.store.database import classify, open_archive, schema_version


def key() -> str:
    return secrets.token_hex(32)


def test_a_new_archive_is_created_at_the_current_schema_and_is_not_sqlite_in_clear(
    tmp_path: Path,
) -> None:
    path = tmp_path / "archive.db"
    conn = open_archive(path, key())
    assert conn.execute("PRAGMA user_version").fetchone()[0] == schema_version()
    conn.execute("INSERT INTO contacts (address) VALUES ('secret.patient@example.org')")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    data = path.read_bytes()
    assert not data.startswith(b"SQLite format 3")
    assert b"secret.patient" not in data
    with pytest.raises(sqlite3.DatabaseError):
        sqlite3.connect(path).execute("SELECT * FROM sqlite_master").fetchall()


def test_the_wrong_key_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "archive.db"
    open_archive(path, key()).close()
    with pytest.raises(StoreError) as wrong:
        open_archive(path, key())
    assert wrong.value.code == "store.wrong_key_or_damaged"


def test_an_archive_from_a_newer_pli_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "archive.db"
    k = key()
    conn = open_archive(path, k)
    conn.execute(f"PRAGMA user_version = {schema_version() + 1}")
    conn.close()
    before = path.read_bytes()
    with pytest.raises(StoreError) as newer:
        open_archive(path, k)
    assert newer.value.code == "store.newer_schema"
    assert newer.value.params["found"] == schema_version() + 1
    assert path.read_bytes() == before


def test_environment_failures_are_known_errors_and_bugs_are_not() -> None:
    full = classify(sqlite3.OperationalError("database or disk is full"))
    assert full is not None
    assert full.code == "store.disk_full"
    assert classify(sqlite3.OperationalError("no such column: nope")) is None
