"""Schema upgrades on real archives written by earlier versions (tests/fixtures/db)."""

from __future__ import annotations

import shutil
from pathlib import Path

from app.domain.mailbox import FolderInfo
from app.domain.message import EnvelopeRecord, FetchedBody, Structure
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


def test_a_schema_2_archive_is_backed_up_then_upgraded_to_segment_bodies(tmp_path: Path) -> None:
    """Schema 2 -> 3: inline bodies kept readable, new bodies go to segment files."""
    path = tmp_path / "archive.db"
    shutil.copy(FIXTURES / "v0002.sqlite", path)
    backups = tmp_path / "backups"
    archive = Archive.open(path, FIXTURE_KEY, backups)
    try:
        assert archive.conn.execute("PRAGMA user_version").fetchone()[0] == schema_version() >= 3
        listed = archive.messages.summaries(SearchFilters(limit=-1))
        assert [m.subject for m in listed] == [f"Compte rendu schema deux {n}" for n in (3, 2, 1)]
        first, second = listed[2], listed[1]
        assert first.thread_id == second.thread_id == first.id
        assert first.archived and second.archived and not listed[0].archived
        # Bodies written inline by schema 2 are still read from the database row.
        assert archive.messages.raw(first.id) == (
            b"Message-ID: <m1@schema2.example>\r\nSubject: Compte rendu schema deux 1\r\n"
            b"\r\nTexte archive en schema 2, message 1.\r\n"
        )
        assert archive.messages.raw(listed[0].id) is None
        assert {m.id for m in archive.messages.search("schema", SearchFilters())} == {
            first.id,
            second.id,
            listed[0].id,
        }
        assert archive.messages.headers(listed[0].id) == {"x-mss-mes": "1"}
        (queued,) = archive.outbox.all()
        assert queued.subject == "Envoi en attente"
        assert archive.drafts.all()[0][2]["subject"] == "Brouillon schema deux"
        # A body fetched after the upgrade goes to a segment file, beside the inline ones.
        raw = b"Subject: Compte rendu schema deux 3\r\n\r\nArrive apres la migration.\r\n"
        with archive.write() as a:
            a.messages.store_bodies(
                [(listed[0].id, FetchedBody(3, raw, (("text/plain", "Arrive apres"),)))]
            )
        segment, inline = archive.conn.execute(
            "SELECT segment, raw FROM message_bodies WHERE message_id = ?", (listed[0].id,)
        ).fetchone()
        assert segment is not None and inline is None
        assert archive.messages.raw(listed[0].id) == raw
        assert [m.id for m in archive.messages.search("apres", SearchFilters())] == [listed[0].id]
    finally:
        archive.close()
    (backup,) = backups.iterdir()
    assert backup.name.startswith("archive-v0002-")
    assert backup.read_bytes() == (FIXTURES / "v0002.sqlite").read_bytes()


def test_a_schema_3_archive_is_upgraded_with_its_segment_bodies(tmp_path: Path) -> None:
    """Schema 3 -> 4: bodies in segment files still open; folder counts from an index."""
    path = tmp_path / "archive.db"
    shutil.copy(FIXTURES / "v0003.sqlite", path)
    shutil.copytree(FIXTURES / "v0003-blobs", tmp_path / "blobs")
    backups = tmp_path / "backups"
    archive = Archive.open(path, FIXTURE_KEY, backups)
    try:
        assert archive.conn.execute("PRAGMA user_version").fetchone()[0] == schema_version() >= 4
        listed = archive.messages.summaries(SearchFilters(limit=-1))
        assert [m.subject for m in listed] == [f"Compte rendu schema trois {n}" for n in (4, 3, 2)]
        assert archive.messages.raw(listed[1].id) == (
            b"Subject: Compte rendu schema trois 3\r\n\r\nTexte archive en schema 3, message 3.\r\n"
        )
        assert archive.messages.raw(listed[0].id) is None
        assert [m.id for m in archive.messages.search("trois", SearchFilters())] == [
            m.id for m in listed
        ]
        folder = listed[0].folder
        folder_id = archive.folders.get(1, folder).id
        assert archive.messages.counts(folder_id=folder_id) == {
            "messages": 3,
            "unread": 2,
            "gone": 0,
        }
        plan = archive.conn.execute(
            "EXPLAIN QUERY PLAN SELECT count(*), sum((flags & 1) = 0), sum(gone_at IS NOT NULL)"
            " FROM messages WHERE folder_id = ?",
            (folder_id,),
        ).fetchall()
        assert "COVERING INDEX messages_folder_counts" in plan[0][3]
        # Keyset pages on the upgraded archive.
        page = archive.messages.page(SearchFilters(folder_id=folder_id), None, 2)
        assert [m.id for m in page.items] == [m.id for m in listed[:2]]
        assert page.next is not None
    finally:
        archive.close()
    (backup,) = backups.iterdir()
    assert backup.name.startswith("archive-v0003-")
    assert backup.read_bytes() == (FIXTURES / "v0003.sqlite").read_bytes()


def test_a_schema_4_archive_is_upgraded_to_server_object_ids(tmp_path: Path) -> None:
    """Schema 4 -> 5: folders and messages gain the server's object ids (RFC 8474), empty for
    what was stored before; content matching still recognises a folder renamed since."""
    path = tmp_path / "archive.db"
    shutil.copy(FIXTURES / "v0004.sqlite", path)
    shutil.copytree(FIXTURES / "v0004-blobs", tmp_path / "blobs")
    backups = tmp_path / "backups"
    archive = Archive.open(path, FIXTURE_KEY, backups)
    try:
        assert archive.conn.execute("PRAGMA user_version").fetchone()[0] == schema_version() >= 5
        listed = archive.messages.summaries(SearchFilters(limit=-1))
        assert [m.subject for m in listed] == [f"Compte rendu schema quatre {n}" for n in (3, 2, 1)]
        assert archive.messages.raw(listed[2].id) == (
            b"Subject: Compte rendu schema quatre 1\r\n\r\n"
            b"Texte archive en schema 4, message 1.\r\n"
        )
        patients = archive.folders.get(1, "Patients")
        assert patients.mailbox_id is None and patients.state.uidvalidity == 11
        assert archive.conn.execute(
            "SELECT count(*), count(email_id), count(server_thread_id) FROM messages"
        ).fetchone() == (3, 0, 0)
        assert archive.messages.missing_email_ids(patients.id, 11) == [1, 2, 3]
        # The server's ids are stored for messages archived before (once, then kept).
        with archive.write() as a:
            assert a.messages.save_object_ids(patients.id, 11, {1: ("M1a", "T1"), 2: ("M2b", None)})
            assert not a.messages.save_object_ids(patients.id, 11, {1: ("Mother", None)})
            a.folders.save_mailbox_ids(1, {"Patients": "F-patients"})
        assert archive.messages.missing_email_ids(patients.id, 11) == [3]
        assert archive.folders.get(1, "Patients").mailbox_id == "F-patients"
        plan = archive.conn.execute(
            "EXPLAIN QUERY PLAN SELECT id FROM messages WHERE account_id = 1 AND email_id = 'M1a'"
        ).fetchall()
        assert "messages_by_email_id" in plan[0][3]
        # A folder renamed on the server before the upgrade is still recognised by content.
        records = [
            EnvelopeRecord(
                uid=uid + 100,
                flags=0,
                keywords=(),
                internal_date=1_720_000_000 + uid * 60,
                size=4000 + uid,
                modseq=None,
                message_id=f"<m{uid}@schema4.example>",
                in_reply_to=None,
                references=(),
                subject=f"Compte rendu schema quatre {uid}",
                sender=None,
                to=(),
                cc=(),
                reply_to=(),
                sent_date=None,
                structure=Structure(),
                email_id=f"Mnew{uid}",
            )
            for uid in (1, 2, 3)
        ]
        with archive.write() as a:
            rows = a.folders.record_listing(
                1,
                [
                    FolderInfo(name="INBOX", delimiter="/", attributes=()),
                    FolderInfo(name="Sent", delimiter="/", attributes=("\\Sent",)),
                    FolderInfo(name="Suivis", delimiter="/", attributes=()),
                ],
            )
            suivis = next(r for r in rows if r.name == "Suivis")
            outcome = a.messages.insert_envelopes(1, suivis.id, 12, records)
        assert outcome.added == 0 and outcome.rebound == 3
        assert {m.folder for m in archive.messages.summaries(SearchFilters(limit=-1))} == {"Suivis"}
    finally:
        archive.close()
    (backup,) = backups.iterdir()
    assert backup.name.startswith("archive-v0004-")
    assert backup.read_bytes() == (FIXTURES / "v0004.sqlite").read_bytes()
