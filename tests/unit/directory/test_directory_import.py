"""Importing the extraction: counts, duplicates merged, atomic replacement, what is kept."""

from __future__ import annotations

import os
import sqlite3
import time
import zipfile
from datetime import datetime
from pathlib import Path

import pytest

from app.directory.database import DirectoryDatabase
from app.directory.importer import STALE_TEMP_SECONDS, import_extraction
from app.directory.search import compile_query
from app.directory.whitelist import WhitelistEntry
from app.domain.directory import DirectoryQuery, ImportReport
from app.domain.errors import DirectoryError
from tests.support.directory_extraction import (
    HEADER,
    GeneratedExtraction,
    person_line,
    write_extraction,
)

NAME = "Extraction_Correspondance_MSSante_202405140316.txt"


def _count(db_path: Path, sql: str) -> int:
    conn = sqlite3.connect(db_path)
    try:
        return int(conn.execute(sql).fetchone()[0])
    finally:
        conn.close()


def _search(db_path: Path, text: str) -> list[str]:
    db = DirectoryDatabase.open(db_path)
    try:
        entries, _ = db.search(compile_query(DirectoryQuery(text=text)), limit=50)
    finally:
        db.close()
    return [a for e in entries for a in e.addresses]


def test_the_report_matches_what_was_written(
    generated: GeneratedExtraction, imported: tuple[Path, ImportReport]
) -> None:
    db_path, report = imported
    assert report.source_name == generated.path.name
    assert report.generated_at == datetime(2024, 5, 14, 3, 16)
    assert report.rows == generated.valid_lines
    assert report.malformed == 12 == sum(generated.malformed.values())
    assert report.malformed_reasons == dict(sorted(generated.malformed.items()))
    assert report.duplicates == generated.duplicate_lines > 0
    assert report.mailboxes == generated.mailboxes
    assert report.persons == len(generated.persons)
    assert report.by_type == dict(sorted(generated.by_type.items()))
    assert _count(db_path, "SELECT count(*) FROM mailbox") == generated.mailboxes
    assert _count(db_path, "SELECT count(DISTINCT lower(address)) FROM mailbox") == (
        generated.mailboxes
    )
    assert _count(db_path, "SELECT count(*) FROM mailbox_rank") == generated.mailboxes


def test_a_repeated_address_keeps_one_row_with_every_speciality(
    database: DirectoryDatabase,
) -> None:
    entry = database.lookup("helene.dalembert@medecin.mssante.fr")
    assert entry is not None
    box = entry.mailboxes[0]
    assert box.organisation == "CABINET DU PARC"  # the first line's structure is shown
    assert entry.speciality == "Cardiologie et maladies vasculaires | Pneumologie"
    # The other line's structure is searchable.
    found = database.search(compile_query(DirectoryQuery(organisation="xenophon")))[0]
    assert [e.key for e in found] == ["810009999991"]


def test_the_report_is_stored_with_the_directory(
    imported: tuple[Path, ImportReport], database: DirectoryDatabase
) -> None:
    assert database.report() == imported[1]


def test_a_zipped_extraction_is_imported_and_dated_by_its_member(
    tmp_path: Path, generated: GeneratedExtraction
) -> None:
    archive = tmp_path / "extraction.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.write(generated.path, "Extraction_Correspondance_MSSante_202501020304.txt")
    report = import_extraction(tmp_path / "directory.db", archive)
    assert report.mailboxes == generated.mailboxes
    assert report.generated_at == datetime(2025, 1, 2, 3, 4)


def test_a_new_import_replaces_the_old_one(tmp_path: Path) -> None:
    db_path = tmp_path / "directory.db"
    first = tmp_path / "first" / NAME
    first.parent.mkdir()
    write_extraction(
        first, 50, extra=[person_line(address="old@x.mssante.fr", family="OLDNAME", given="A")]
    )
    import_extraction(db_path, first)
    assert _search(db_path, "oldname") == ["old@x.mssante.fr"]
    second = tmp_path / "second" / NAME
    second.parent.mkdir()
    write_extraction(
        second,
        50,
        seed=2,
        extra=[person_line(address="new@x.mssante.fr", family="NEWNAME", given="B")],
    )
    import_extraction(db_path, second)
    assert _search(db_path, "oldname") == []
    assert _search(db_path, "newname") == ["new@x.mssante.fr"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["directory.db", "first", "second"]


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"not|an|extraction\n1|2|3\n", "directory.import.bad_header"),
        ("|".join(HEADER).encode() + b"\nPER|no address|x\n", "directory.import.empty"),
        (b"", "directory.import.empty"),
    ],
)
def test_a_failed_import_leaves_the_previous_directory_intact(
    tmp_path: Path, generated: GeneratedExtraction, content: bytes, code: str
) -> None:
    db_path = tmp_path / "directory.db"
    import_extraction(db_path, generated.path)
    before = db_path.read_bytes()
    bad = tmp_path / NAME
    bad.write_bytes(content)
    with pytest.raises(DirectoryError) as caught:
        import_extraction(db_path, bad)
    assert caught.value.code == code
    assert db_path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no leftovers
    assert "helene.dalembert@medecin.mssante.fr" in _search(db_path, "dalembert")


@pytest.mark.parametrize("when", ["read", "index"])
def test_a_cancelled_import_leaves_the_previous_directory_intact(
    tmp_path: Path, generated: GeneratedExtraction, big_extraction: GeneratedExtraction, when: str
) -> None:
    db_path = tmp_path / "directory.db"
    import_extraction(db_path, generated.path)
    before = db_path.read_bytes()
    big = big_extraction.path
    phases: list[str] = []
    stop = False

    def progress(p: object) -> None:
        nonlocal stop
        phases.append(p.phase)  # type: ignore[attr-defined]
        stop = stop or p.phase == when  # type: ignore[attr-defined]

    with pytest.raises(DirectoryError) as caught:
        import_extraction(db_path, big, on_progress=progress, should_stop=lambda: stop)
    assert caught.value.code == "directory.import.cancelled"
    assert when in phases
    assert db_path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_the_list_of_domains_and_the_online_cache_survive_an_import(
    tmp_path: Path, generated: GeneratedExtraction
) -> None:
    db_path = tmp_path / "directory.db"
    db = DirectoryDatabase.open(db_path, create=True)
    db.replace_whitelist(
        [WhitelistEntry("medecin.mssante.fr"), WhitelistEntry("chu-zeugma.mssante.fr")],
        generated_at="2024-05-01",
        source_name="listeblanchemssante.xml",
    )
    db.cache_put("k", "[]", 3600)
    db.close()
    import_extraction(db_path, generated.path)
    db = DirectoryDatabase.open(db_path)
    try:
        info = db.whitelist_info()
        assert info is not None
        assert info.domains == 2
        assert info.generated_at == "2024-05-01"
        assert db.cache_get("k", 3600) == "[]"
        assert db.report() is not None
    finally:
        db.close()


def test_leftovers_of_a_killed_import_are_removed_when_old(
    tmp_path: Path, generated: GeneratedExtraction
) -> None:
    db_path = tmp_path / "directory.db"
    old = tmp_path / ".directory.db.import-abc.tmp"
    old.write_bytes(b"half a database")
    old_time = time.time() - STALE_TEMP_SECONDS - 60
    os.utime(old, (old_time, old_time))
    recent = tmp_path / ".directory.db.import-def.tmp"  # perhaps another import, running
    recent.write_bytes(b"in progress")
    import_extraction(db_path, generated.path)
    assert not old.exists()
    assert recent.exists()


def test_a_hot_journal_of_the_old_file_cannot_roll_back_into_the_new_one(
    tmp_path: Path, generated: GeneratedExtraction
) -> None:
    db_path = tmp_path / "directory.db"
    journal = Path(f"{db_path}-journal")
    import_extraction(db_path, generated.path)
    # A write to the old file interrupted midway (a crash) leaves a hot journal beside it.
    conn = sqlite3.connect(db_path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("UPDATE mailbox SET family = 'CRASHED'")
    conn.execute("PRAGMA cache_spill = 1")
    saved = journal.read_bytes()
    conn.execute("ROLLBACK")
    conn.close()
    journal.write_bytes(saved)
    assert len(saved) > 512
    import_extraction(db_path, generated.path)
    assert not journal.exists()
    conn = sqlite3.connect(db_path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()
    assert "helene.dalembert@medecin.mssante.fr" in _search(db_path, "dalembert")


def test_an_outdated_or_missing_directory_reads_as_not_imported(tmp_path: Path) -> None:
    with pytest.raises(DirectoryError) as caught:
        DirectoryDatabase.open(tmp_path / "directory.db")
    assert caught.value.code == "directory.not_imported"
    conn = sqlite3.connect(tmp_path / "old.db")
    conn.execute("CREATE TABLE x (y)")
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    with pytest.raises(DirectoryError) as caught:
        DirectoryDatabase.open(tmp_path / "old.db")
    assert caught.value.code == "directory.outdated"
    db = DirectoryDatabase.open(tmp_path / "old.db", create=True)  # rebuilt empty
    assert db.report() is None
    db.close()


def test_an_import_of_a_large_file_streams(
    tmp_path: Path, big_extraction: GeneratedExtraction
) -> None:
    """A 40,000-line import reports progress as it reads, and ends with every row."""
    made = big_extraction
    seen: list[int] = []
    report = import_extraction(
        tmp_path / "directory.db", made.path, on_progress=lambda p: seen.append(p.rows)
    )
    assert report.mailboxes == made.mailboxes
    assert 16384 in seen and 32768 in seen
