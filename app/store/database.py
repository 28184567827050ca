"""Opening the encrypted archive (SQLCipher), its pragmas, migrations and error classes.

Two connections per process, each used from one thread only: the writer's (`open_archive`, the
store's serial executor in `app.services`) and a reader's (`open_reader`, its own thread), so
that reading for the window never queues behind a long sync write (WAL lets readers run beside
the writer). Both are made by `connect`: one key and pragma setup.
The key is the raw 256-bit data key (``PRAGMA key = "x'…'"``): no key derivation at every
open (notes/PERFORMANCE.md measured ~150 ms for SQLCipher's own KDF).

Blocking: every function here runs on the store's thread.
"""

from __future__ import annotations

import errno
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

#: How long a statement waits for a lock another connection (or process) holds before failing
#: with "database is locked": long enough for a sync group commit, short enough to report.
BUSY_TIMEOUT_MS = 10_000

#: SQLite primary result codes that are the environment's fault, not a bug (qutebrowser's
#: split), and the code the user sees. BUSY is split by `classify` (read or write).
_KNOWN_CODES = {
    3: "store.read_only",  # SQLITE_PERM
    5: "store.busy",  # SQLITE_BUSY: another connection held the lock past the busy timeout
    6: "store.busy",  # SQLITE_LOCKED: a conflicting lock on the same connection's cache
    7: "store.no_memory",  # SQLITE_NOMEM
    8: "store.read_only",  # SQLITE_READONLY
    10: "store.io_error",  # SQLITE_IOERR (and its extended codes)
    11: "store.corrupt",  # SQLITE_CORRUPT
    13: "store.disk_full",  # SQLITE_FULL
    14: "store.cannot_open",  # SQLITE_CANTOPEN
    15: "store.busy",  # SQLITE_PROTOCOL: lock protocol contention (WAL)
    22: "store.disk_full",  # SQLITE_NOLFS: file too large for the file system
    26: "store.wrong_key_or_damaged",  # SQLITE_NOTADB: wrong key, or not an archive
}

#: The same by message, for errors that carry no result code.
_KNOWN_MESSAGES = (
    ("database or disk is full", "store.disk_full"),
    ("disk i/o error", "store.io_error"),
    ("database is locked", "store.busy"),
    ("database table is locked", "store.busy"),
    ("database schema is locked", "store.busy"),
    ("locking protocol", "store.busy"),
    ("unable to open database", "store.cannot_open"),
    ("readonly database", "store.read_only"),
    ("database disk image is malformed", "store.corrupt"),
    ("file is not a database", "store.wrong_key_or_damaged"),
    ("out of memory", "store.no_memory"),
)

_DISK_FULL_ERRNOS = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC), errno.EFBIG}
_READ_ONLY_ERRNOS = {errno.EACCES, errno.EPERM, errno.EROFS}


def classify(error: Exception, *, writing: bool = True) -> StoreError | None:
    """A user-presentable error for SQLite failures caused by the environment, else None.

    A "database is locked" is ``store.busy`` when writing (another connection kept the write
    lock longer than `BUSY_TIMEOUT_MS`: a long sync, another program) and
    ``store.locked_by_other`` when reading: in WAL mode readers never wait for writers, so a
    read that times out means another process holds the file in exclusive mode (or recovers
    it after a crash).
    """
    code = getattr(error, "sqlite_errorcode", None)
    found: str | None = None
    if isinstance(code, int):
        found = _KNOWN_CODES.get(code & 0xFF)
    if found is None:
        text = str(error).lower()
        found = next((known for needle, known in _KNOWN_MESSAGES if needle in text), None)
    if found is None:
        return None
    if found == "store.busy" and not writing:
        return StoreError("store.locked_by_other")
    return StoreError(found)


def classify_os(error: OSError) -> StoreError:
    """The user-presentable error of a failed file operation (segments, backups)."""
    if error.errno in _DISK_FULL_ERRNOS:
        return StoreError("store.disk_full")
    if error.errno in _READ_ONLY_ERRNOS:
        return StoreError("store.read_only")
    return StoreError("store.io_error")


@contextmanager
def classified(*, writing: bool = True) -> Iterator[None]:
    """Turn environment failures raised inside into `StoreError` (the rest stays a bug).

    Wraps every path into the archive: opening and migrating, the gateway's reads and writes,
    transactions, segment files. `KnownError`s raised inside pass through unchanged.
    """
    try:
        yield
    except sqlcipher3.Error as error:
        known = classify(error, writing=writing)
        if known is None:
            raise
        raise known from error
    except (TimeoutError, ConnectionError):
        raise  # OSError subclasses, but never the archive's files
    except OSError as error:
        raise classify_os(error) from error


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
    """Open (creating if needed) and migrate the archive: the writer's connection.

    Raises:
        StoreError: ``store.wrong_key_or_damaged``, ``store.newer_schema`` and the classified
            environment errors (``store.locked_by_other`` when another process holds the file).
    """
    existed = path.exists()
    conn = connect(path, key_hex)
    with _closing_on_error(conn), classified(writing=False):
        version = conn.execute("PRAGMA user_version").fetchone()[0]
    target = schema_version()
    if version > target:
        conn.close()
        raise StoreError("store.newer_schema", found=version, supported=target)
    if version < target and existed and version > 0 and backups_dir is not None:
        # Copy the file exactly as the older version left it, before anything writes to it.
        conn.close()
        with classified():
            backup(path, backups_dir, version)
        conn = connect(path, key_hex)
    with _closing_on_error(conn), classified():
        conn.execute("PRAGMA journal_mode = WAL")
        if version < target:
            _migrate(conn, version)
    return conn


def open_reader(path: Path, key_hex: str) -> Connection:
    """A second connection for reads only, beside the writer's (WAL: readers never wait).

    Same key and pragmas as the writer's (`connect`), plus ``query_only``. Each statement
    in autocommit mode reads the latest committed state. The archive must already be open
    (created and migrated) by `open_archive`.

    Raises:
        StoreError: as `open_archive`; ``store.newer_schema`` or ``store.older_schema`` when
            the file is not at this build's schema.
    """
    conn = connect(path, key_hex)
    with _closing_on_error(conn), classified(writing=False):
        conn.execute("PRAGMA query_only = ON")
        version = conn.execute("PRAGMA user_version").fetchone()[0]
    target = schema_version()
    if version != target:
        conn.close()
        raise StoreError(
            "store.newer_schema" if version > target else "store.older_schema",
            found=version,
            supported=target,
        )
    return conn


def connect(path: Path, key_hex: str) -> Connection:
    """Connect and key the archive, then set the per-connection pragmas (writer and reader).

    The one code path every connection to the archive takes. Nothing is written to the file
    here (the journal mode is the writer's business, after any backup).

    Raises:
        StoreError: ``store.wrong_key_or_damaged`` and the classified environment errors.
    """
    if not re.fullmatch(r"[0-9a-f]{64}", key_hex):
        raise ValueError("data key must be 64 lower-case hexadecimal digits")
    try:
        conn = sqlcipher3.connect(str(path), isolation_level=None, check_same_thread=True)
    except sqlcipher3.Error as error:
        raise classify(error) or StoreError("store.cannot_open") from error
    try:
        # First, so that even the key check waits for a lock another process holds briefly.
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute(f"PRAGMA key = \"x'{key_hex}'\"")
        # Any read fails with "file is not a database" when the key is wrong.
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlcipher3.Error as error:
        conn.close()
        known = classify(error, writing=False)
        if known is None or known.code in ("store.corrupt", "store.read_only"):
            known = StoreError("store.wrong_key_or_damaged")
        raise known from error
    with _closing_on_error(conn), classified(writing=False):
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        # Temporary tables and sort spills stay in memory: SQLCipher does not encrypt temp files.
        conn.execute("PRAGMA temp_store = MEMORY")
        conn.execute("PRAGMA cache_size = -32000")  # 32 MB page cache
    return conn


@contextmanager
def _closing_on_error(conn: Connection) -> Iterator[None]:
    try:
        yield
    except BaseException:
        conn.close()
        raise


def _migrate(conn: Connection, current: int) -> None:
    for version, name, sql in migrations():
        if version <= current:
            continue
        log.info("applying archive migration %s", name)
        with transaction(conn):
            for statement in _split_sql(sql):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {version}")


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
    """A write transaction: committed on success, rolled back on any error.

    Environment failures (lock held past the busy timeout, disk full…) come out as
    `StoreError` (see `classified`).
    """
    with classified():
        conn.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")
        try:
            yield conn
        except BaseException:
            _rollback(conn)
            raise
        try:
            conn.execute("COMMIT")
        except BaseException:
            _rollback(conn)
            raise


@contextmanager
def read_transaction(conn: Connection) -> Iterator[Connection]:
    """A read transaction: one consistent snapshot for several statements, then released.

    Environment failures come out as `StoreError` (``store.locked_by_other`` for a lock).
    """
    with classified(writing=False):
        conn.execute("BEGIN")
        try:
            yield conn
        finally:
            _rollback(conn)


def _rollback(conn: Connection) -> None:
    """Roll back what is still open, keeping the error that caused it.

    SQLite rolls back by itself after some failures (SQLITE_FULL, SQLITE_IOERR…): a second
    ROLLBACK would then fail with "no transaction is active" and hide the real cause.
    """
    if not conn.in_transaction:
        return
    try:
        conn.execute("ROLLBACK")
    except sqlcipher3.Error:
        log.warning("rollback failed after an error", exc_info=True)
