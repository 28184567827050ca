"""Importing the national extraction: streamed, deduplicated, atomic (spec §7).

The new directory is built in a temporary file beside the current one and only replaces it
(``os.replace``) once complete and flushed to disk: a failed, cancelled or killed import leaves
the previous directory untouched. Lines are streamed from the file straight into the table
(memory stays bounded whatever the file's size); duplicate addresses are then found through
the address index and merged; last, the alphabetical order and the full-text index are built.

Blocking; runs on the directory's worker thread.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict
from datetime import datetime
from pathlib import Path

from app.directory.extraction import ExtractionReader, generation_date, open_extraction
from app.directory.schema import (
    ADDRESS_INDEX_DDL,
    BASE_DDL,
    FILL_TERMS,
    INDEX_DDL,
    ROW_FIELDS,
    SCHEMA_VERSION,
)
from app.domain.directory import ImportProgress, ImportReport
from app.domain.errors import DirectoryError
from app.domain.text import SPELLED_OUT_LETTERS

log = logging.getLogger(__name__)

#: Temporary files older than this are leftovers of a killed import and are removed.
STALE_TEMP_SECONDS = 6 * 3600
_TEMP_MARK = ".import-"

_INSERT = (
    f"INSERT INTO mailbox ({', '.join(ROW_FIELDS)}) VALUES ({', '.join('?' for _ in ROW_FIELDS)})"
)
_DUPLICATES = "SELECT address FROM mailbox GROUP BY address HAVING count(*) > 1"
_RANK = """
INSERT INTO mailbox_rank (mailbox_id, family_key)
SELECT id, family_key FROM mailbox
ORDER BY family_key = '', family_key, given COLLATE NOCASE, organisation, service, address
"""


def _spelled(expression: str) -> str:
    """`expression` with the letters the tokenizer keeps whole spelled out (``œ`` → ``oe``).

    The index then holds the words `app.domain.text.fold` makes of a query: ``coeur`` and
    ``cœur`` both find *Cœur* and *Coeur*.
    """
    for letter, spelled in SPELLED_OUT_LETTERS.items():
        expression = f"replace({expression}, '{letter}', '{spelled}')"
    return expression


_ORG_TEXT = (
    "m.organisation || ' ' || m.enseigne || ' ' || m.service || ' ' || coalesce(m.org_extra, '')"
)
_FILL_FTS = f"""
INSERT INTO mailbox_fts (rowid, fam, famx, given, prof, spec, org, town, cp, dept, type)
SELECT r.rank, {_spelled("m.family")}, m.family_key, {_spelled("m.given")},
       {_spelled("m.profession")}, {_spelled("m.speciality")}, {_spelled(_ORG_TEXT)},
       {_spelled("m.town")}, m.postcode, m.department, lower(m.type)
FROM mailbox_rank AS r JOIN mailbox AS m ON m.id = r.mailbox_id
ORDER BY r.rank
"""
# The index is written once and never changed: segments are not merged while loading
# (automerge 0) and the in-memory term buffer is larger than the default 1 MiB (16 MiB: 64 or
# 256 were no faster here, only bigger), so the load leaves a few dozen segments. Merging them
# into one (`optimize`) would cost ~1.3 s of a ~15 s import for queries ~15 % faster (p95
# 2.5 → 3 ms here): not worth it. Older SQLite versions lack `hashsize`: not an error.
_FTS_BULK_CONFIG = (
    "INSERT INTO mailbox_fts(mailbox_fts, rank) VALUES ('automerge', 0)",
    "INSERT INTO mailbox_fts(mailbox_fts, rank) VALUES ('hashsize', 16777216)",
)


def import_extraction(
    db_path: Path,
    source_path: Path,
    *,
    source_name: str | None = None,
    on_progress: Callable[[ImportProgress], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> ImportReport:
    """Import an extraction (plain or zipped) into a new directory replacing `db_path`.

    The list of domains and the online cache of the current directory are carried over.
    Blocking.

    Args:
        db_path: the directory database to replace.
        source_path: the extraction file or the zip holding it.
        source_name: the name the file was published under (its generation date is read
            from it), when `source_path` is a download with another name.
        on_progress: called on this thread as the import advances.
        should_stop: polled regularly; returning True cancels the import.

    Raises:
        DirectoryError: ``directory.import.*`` (nothing is changed then).
        NotFoundError: ``directory.import.file_not_found``.
    """
    started = time.monotonic()
    db_path.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(db_path)
    fd, tmp_name = tempfile.mkstemp(
        dir=db_path.parent, prefix=f".{db_path.name}{_TEMP_MARK}", suffix=".tmp"
    )
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        with open_extraction(source_path) as source:
            name = source_name or source_path.name
            generated = generation_date(name) or generation_date(source.name)
            reader = ExtractionReader(source, on_progress=on_progress, should_stop=should_stop)
            conn = _open_build(tmp, should_stop)
            try:
                conn.execute("BEGIN")
                conn.executemany(_INSERT, reader.rows())
                report = _index(conn, reader, name, generated, started, on_progress)
                conn.execute("COMMIT")
                _carry_over(conn, db_path)
                conn.execute("PRAGMA journal_mode = DELETE")
            except sqlite3.OperationalError as error:
                if should_stop is not None and should_stop():
                    raise DirectoryError("directory.import.cancelled") from error
                raise _write_error(error) from error
            finally:
                conn.close()
        if on_progress is not None:
            on_progress(ImportProgress("finish"))
        _fsync(tmp)
        _settle(db_path)
        try:
            tmp.replace(db_path)
        except PermissionError as error:  # Windows: another program has the file open
            raise DirectoryError("directory.import.in_use") from error
        _fsync_dir(db_path.parent)
    except BaseException:
        for leftover in (tmp, Path(f"{tmp_name}-journal")):
            leftover.unlink(missing_ok=True)
        raise
    log.info(
        "directory imported: %d mailboxes, %d lines refused, %.1f s",
        report.mailboxes,
        report.malformed,
        report.seconds,
    )
    return report


def _open_build(tmp: Path, should_stop: Callable[[], bool] | None) -> sqlite3.Connection:
    conn = sqlite3.connect(tmp, isolation_level=None)
    # A file being built needs no journal nor fsync: on any failure it is deleted.
    for pragma in (
        "journal_mode = OFF",
        "synchronous = OFF",
        "locking_mode = EXCLUSIVE",
        "cache_size = -65536",
        "temp_store = FILE",
    ):
        conn.execute(f"PRAGMA {pragma}")
    conn.executescript(BASE_DDL)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    for statement in _FTS_BULK_CONFIG:
        try:
            conn.execute(statement)
        except sqlite3.OperationalError:
            log.debug("full-text option not supported: %s", statement)
    if should_stop is not None:
        # Long statements (sort, index build) poll for cancellation too.
        conn.set_progress_handler(lambda: 1 if should_stop() else 0, 100_000)
    return conn


def _index(
    conn: sqlite3.Connection,
    reader: ExtractionReader,
    name: str,
    generated: datetime | None,
    started: float,
    on_progress: Callable[[ImportProgress], None] | None,
) -> ImportReport:
    """Merge duplicates, build the order and the indexes, and write the report."""
    stats = reader.stats
    steps: tuple[Callable[[], object], ...] = (
        lambda: conn.execute(ADDRESS_INDEX_DDL),
        lambda: _merge_duplicates(conn),
        lambda: conn.execute(_RANK),
        lambda: conn.execute(_FILL_FTS),
        lambda: [conn.execute(s) for s in INDEX_DDL.split(";") if s.strip()],
        lambda: [conn.execute(s) for s in FILL_TERMS.split(";") if s.strip()],
    )
    for done, step in enumerate(steps):
        if on_progress is not None:
            on_progress(ImportProgress("index", done=done, total=len(steps)))
        step()
    mailboxes = conn.execute("SELECT count(*) FROM mailbox").fetchone()[0]
    if mailboxes == 0:
        raise DirectoryError("directory.import.empty", rows=stats.rows, malformed=stats.malformed)
    persons = conn.execute(
        "SELECT count(DISTINCT person_key) FROM mailbox WHERE person_key IS NOT NULL"
    ).fetchone()[0]
    by_type = dict(conn.execute("SELECT type, count(*) FROM mailbox GROUP BY type ORDER BY type"))
    report = ImportReport(
        source_name=name,
        generated_at=generated,
        imported_at=datetime.now().astimezone(),
        rows=stats.rows,
        malformed=stats.malformed,
        duplicates=stats.rows - mailboxes,
        mailboxes=mailboxes,
        persons=persons,
        by_type=by_type,
        malformed_reasons=dict(sorted(stats.reasons.items())),
        malformed_lines=tuple(stats.malformed_lines),
        seconds=round(time.monotonic() - started, 2),
    )
    conn.execute(
        "INSERT OR REPLACE INTO meta(key, value) VALUES ('extraction.report', ?)",
        (report_to_json(report),),
    )
    return report


def _merge_duplicates(conn: sqlite3.Connection) -> None:
    """Keep one row per address (compared without case), the first line's.

    The extraction lists an address once per situation of its holder (spec §7): the
    specialities of the other lines are added to the kept row's (shown), their structures to
    its `org_extra` (searched).
    """
    addresses = [row[0] for row in conn.execute(_DUPLICATES)]
    for address in addresses:
        rows = conn.execute(
            "SELECT id, speciality, organisation, enseigne, service FROM mailbox"
            " WHERE address = ? ORDER BY id",
            (address,),
        ).fetchall()
        keep_id, speciality, *first_org = rows[0]
        specialities = [speciality] if speciality else []
        seen_org = " ".join(first_org)
        extra: list[str] = []
        for _, other_speciality, *org in rows[1:]:
            if other_speciality and other_speciality not in specialities:
                specialities.append(other_speciality)
            text = " ".join(part for part in org if part)
            if text and text not in seen_org and text not in extra:
                extra.append(text)
        conn.execute(
            "UPDATE mailbox SET speciality = ?, org_extra = ? WHERE id = ?",
            (" | ".join(specialities), " | ".join(extra) or None, keep_id),
        )
        conn.execute("DELETE FROM mailbox WHERE address = ? AND id <> ?", (address, keep_id))


def report_to_json(report: ImportReport) -> str:
    """Serialise an import report for the metadata table."""
    data = asdict(report)
    data["generated_at"] = report.generated_at.isoformat() if report.generated_at else None
    data["imported_at"] = report.imported_at.isoformat()
    data["malformed_lines"] = list(report.malformed_lines)
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


def report_from_json(text: str) -> ImportReport:
    """Read back an import report."""
    data = json.loads(text)
    generated = data.get("generated_at")
    return ImportReport(
        source_name=str(data["source_name"]),
        generated_at=datetime.fromisoformat(generated) if generated else None,
        imported_at=datetime.fromisoformat(data["imported_at"]),
        rows=int(data["rows"]),
        malformed=int(data["malformed"]),
        duplicates=int(data["duplicates"]),
        mailboxes=int(data["mailboxes"]),
        persons=int(data["persons"]),
        by_type={str(k): int(v) for k, v in data["by_type"].items()},
        malformed_reasons={str(k): int(v) for k, v in data["malformed_reasons"].items()},
        malformed_lines=tuple(int(n) for n in data["malformed_lines"]),
        seconds=float(data["seconds"]),
    )


def _carry_over(conn: sqlite3.Connection, old: Path) -> None:
    """Copy the list of domains and the online cache of the current directory, if readable."""
    if not old.exists():
        return
    try:
        conn.execute("ATTACH DATABASE ? AS old", (f"{old.as_uri()}?mode=ro",))
    except sqlite3.Error:
        log.warning("current directory unreadable: its list of domains is not carried over")
        return
    try:
        if conn.execute("PRAGMA old.user_version").fetchone()[0] != SCHEMA_VERSION:
            return
        conn.execute("BEGIN")
        conn.execute("INSERT INTO main.whitelist SELECT * FROM old.whitelist")
        conn.execute("INSERT INTO main.online_cache SELECT * FROM old.online_cache")
        conn.execute(
            "INSERT OR REPLACE INTO main.meta SELECT * FROM old.meta WHERE key LIKE 'whitelist.%'"
        )
        conn.execute("COMMIT")
    except sqlite3.DatabaseError:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        log.warning("current directory unreadable: its list of domains is not carried over")
    finally:
        conn.execute("DETACH DATABASE old")


def _settle(db_path: Path) -> None:
    """Let SQLite roll back a hot journal of the current file before it is replaced.

    Otherwise the journal left by an interrupted write would later be "rolled back" into the
    new file, corrupting it.
    """
    if not Path(f"{db_path}-journal").exists():
        return
    try:
        conn = sqlite3.connect(db_path)
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        pass
    Path(f"{db_path}-journal").unlink(missing_ok=True)


def remove_stale_temporaries(db_path: Path) -> None:
    """Delete what killed imports left beside `db_path` (older than `STALE_TEMP_SECONDS`)."""
    now = time.time()
    for leftover in db_path.parent.glob(f".{db_path.name}{_TEMP_MARK}*"):
        try:
            if now - leftover.stat().st_mtime > STALE_TEMP_SECONDS:
                leftover.unlink()
        except OSError:
            continue


def _write_error(error: sqlite3.OperationalError) -> DirectoryError:
    text = str(error).lower()
    if "full" in text:
        return DirectoryError("directory.import.disk_full")
    return DirectoryError("directory.import.write_failed", reason=str(error))


def _fsync(path: Path) -> None:
    with path.open("rb+") as handle:
        os.fsync(handle.fileno())


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
