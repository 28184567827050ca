"""Opening the encrypted archive (SQLCipher), its pragmas, migrations and error classes.

One connection, used from one thread only (the store's serial executor in `app.services`).
The key is the raw 256-bit data key (``PRAGMA key = "x'…'"``): no key derivation at every
open (notes/PERFORMANCE.md measured ~150 ms for SQLCipher's own KDF).

Blocking: every function here runs on the store's thread.
"""

from __future__ import annotations

import logging
import re
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any

import sqlcipher3

from app.domain.errors import StoreError

log = logging.getLogger(__name__)

Connection = Any  # sqlcipher3.dbapi2.Connection (untyped library)

_MIGRATION_RE = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")

#: SQLite result codes that are the environment's fault, not a bug (qutebrowser's split).
_KNOWN_MESSAGES = (
    ("database or disk is full", "store.disk_full"),
    ("disk i/o error", "store.io_error"),
    ("database is locked", "store.busy"),
    ("unable to open database", "store.cannot_open"),
    ("readonly database", "store.read_only"),
    ("file is not a database", "store.wrong_key_or_damaged"),
)


def classify(error: Exception) -> StoreError | None:
    """A user-presentable error for SQLite failures caused by the environment, else None."""
    text = str(error).lower()
    for needle, code in _KNOWN_MESSAGES:
        if needle in text:
            return StoreError(code)
    return None


def migrations() -> list[tuple[int, str, str]]:
    """The numbered migration scripts: (version, name, SQL), in order."""
    folder = resources.files("app.store").joinpath("migrations")
    found: list[tuple[int, str, str]] = []
    for entry in folder.iterdir():
        match = _MIGRATION_RE.match(entry.name)
        if match:
            found.append((int(match.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    found.sort()
    for expected, (version, name, _) in enumerate(found, start=1):
        if version != expected:
            raise RuntimeError(f"migration numbering gap at {name}")
    return found


def schema_version() -> int:
    """The schema version this build writes."""
    return len(migrations())


def open_archive(path: Path, key_hex: str, *, backups_dir: Path | None = None) -> Connection:
    """Open (creating if needed) and migrate the archive.

    Raises:
        StoreError: ``store.wrong_key_or_damaged``, ``store.newer_schema`` and the classified
            environment errors.
    """
    existed = path.exists()
    try:
        conn = sqlcipher3.connect(str(path), isolation_level=None, check_same_thread=True)
    except sqlcipher3.Error as error:
        raise classify(error) or StoreError("store.cannot_open") from error
    try:
        _key(conn, key_hex)
        version = conn.execute("PRAGMA user_version").fetchone()[0]
    except sqlcipher3.DatabaseError as error:
        conn.close()
        raise StoreError("store.wrong_key_or_damaged") from error
    target = schema_version()
    if version > target:
        conn.close()
        raise StoreError("store.newer_schema", found=version, supported=target)
    if version < target and existed and version > 0 and backups_dir is not None:
        # Copy the file exactly as the older version left it, before anything writes to it.
        conn.close()
        backup(path, backups_dir, version)
        conn = sqlcipher3.connect(str(path), isolation_level=None, check_same_thread=True)
        _key(conn, key_hex)
    _pragmas(conn)
    if version < target:
        _migrate(conn, version)
    return conn


def _key(conn: Connection, key_hex: str) -> None:
    if not re.fullmatch(r"[0-9a-f]{64}", key_hex):
        raise ValueError("data key must be 64 lower-case hexadecimal digits")
    conn.execute(f"PRAGMA key = \"x'{key_hex}'\"")
    # Any read fails with "file is not a database" when the key is wrong.
    conn.execute("SELECT count(*) FROM sqlite_master").fetchone()


def _pragmas(conn: Connection) -> None:
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA foreign_keys = ON")
    # Temporary tables and sort spills stay in memory: SQLCipher does not encrypt temp files.
    conn.execute("PRAGMA temp_store = MEMORY")
    conn.execute("PRAGMA cache_size = -32000")  # 32 MB page cache
    conn.execute("PRAGMA busy_timeout = 5000")


def _migrate(conn: Connection, current: int) -> None:
    for version, name, sql in migrations():
        if version <= current:
            continue
        log.info("applying archive migration %s", name)
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in _split_sql(sql):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {version}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise


def _split_sql(script: str) -> Iterator[str]:
    """Statements of a migration script (executescript would commit on its own)."""
    buffer: list[str] = []
    for line in script.splitlines():
        stripped = line.strip()
        if not buffer and (not stripped or stripped.startswith("--")):
            continue
        buffer.append(line)
        candidate = "\n".join(buffer)
        if stripped.endswith(";") and sqlcipher3.complete_statement(candidate):
            yield candidate
            buffer = []
    if "".join(buffer).strip():
        yield "\n".join(buffer)


def backup(path: Path, backups_dir: Path, version: int) -> Path:
    """Copy the archive (closed, checkpointed) before migrating it (Vorta's lesson)."""
    backups_dir.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = backups_dir / f"{path.stem}-v{version:04d}-{stamp}{path.suffix}"
    shutil.copy2(path, target)
    wal = path.with_name(path.name + "-wal")
    if wal.exists():
        shutil.copy2(wal, target.with_name(target.name + "-wal"))
    log.info("archive backed up before migration (schema %d)", version)
    return target


@contextmanager
def transaction(conn: Connection, *, immediate: bool = True) -> Iterator[Connection]:
    """A write transaction: committed on success, rolled back on any error."""
    conn.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
