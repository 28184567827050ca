"""Schema upgrades on real archives written by earlier versions (tests/fixtures/db)."""

from __future__ import annotations

import shutil
from pathlib import Path

from app.store.archive import Archive
from app.store.database import schema_version
from app.store.repositories.messages import SearchFilters

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "db"
#: The raw key the fixture archives were written with (test data only).
FIXTURE_KEY = "5a" * 32


def test_a_schema_1_archive_is_backed_up_then_upgraded_with_its_data(tmp_path: Path) -> None:
    path = tmp_path / "archive.db"
    shutil.copy(FIXTURES / "v0001.sqlite", path)
    backups = tmp_path / "backups"
    archive = Archive.open(path, FIXTURE_KEY, backups)
    try:
        version = archive.conn.execute("PRAGMA user_version").fetchone()[0]
        assert version == schema_version() >= 2
        (message,) = archive.messages.summaries(SearchFilters(limit=-1))
        assert message.subject == "Compte rendu ancien"
        assert archive.messages.raw(message.id).endswith(b"Texte archive en schema 1.\r\n")
        assert [m.id for m in archive.messages.search("archive", SearchFilters())] == [1]
        assert archive.accounts.get("cabinet").config.identity.family_name == "Martin"
        # Schema 2's tables are there and usable.
        assert archive.outbox.all() == []
        assert archive.messages.headers(message.id) == {}
    finally:
        archive.close()
    (backup,) = backups.iterdir()
    assert backup.name.startswith("archive-v0001-")
    assert backup.read_bytes() == (FIXTURES / "v0001.sqlite").read_bytes()


def test_opening_again_does_not_migrate_or_back_up_twice(tmp_path: Path) -> None:
    path = tmp_path / "archive.db"
    shutil.copy(FIXTURES / "v0001.sqlite", path)
    backups = tmp_path / "backups"
    Archive.open(path, FIXTURE_KEY, backups).close()
    Archive.open(path, FIXTURE_KEY, backups).close()
    assert len(list(backups.iterdir())) == 1
