"""The archive's use of server object ids (RFC 8474) on a real archive file: folders followed
by MAILBOXID, entries by EMAILID, never trusted alone."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.domain.account import AccountConfig, Endpoint, Identity, Security
from app.domain.mailbox import FolderInfo
from app.domain.message import EnvelopeRecord, FetchedBody, Structure
from app.store.archive import Archive


@pytest.fixture
def archive(tmp_path: Path) -> Iterator[Archive]:
    opened = Archive.open(tmp_path / "archive.db", secrets.token_hex(32))
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def account(archive: Archive) -> int:
    with archive.write() as a:
        return a.accounts.add(
            AccountConfig(
                name="cabinet",
                address="marie.martin@medecin.mssante.fr",
                imap=Endpoint("imap.example.org", 143, Security.STARTTLS),
                smtp=Endpoint("smtp.example.org", 587, Security.STARTTLS),
                identity=Identity(given_name="Marie", family_name="Martin"),
            )
        )


def listing(*names: str) -> list[FolderInfo]:
    return [FolderInfo(name=n, delimiter="/", attributes=()) for n in ("INBOX", *names)]


def record(
    uid: int,
    subject: str,
    *,
    email_id: str | None,
    size: int = 1000,
    message_id: str | None = "<m@example.org>",
    date: int = 1_780_000_000,
) -> EnvelopeRecord:
    return EnvelopeRecord(
        uid=uid,
        flags=0,
        keywords=(),
        internal_date=date,
        size=size,
        modseq=None,
        message_id=message_id,
        in_reply_to=None,
        references=(),
        subject=subject,
        sender=None,
        to=(),
        cc=(),
        reply_to=(),
        sent_date=None,
        structure=Structure(),
        email_id=email_id,
    )


def folder_id(archive: Archive, account: int, name: str) -> int:
    row = archive.folders.find(account, name)
    assert row is not None
    return row.id


def where(archive: Archive) -> dict[str, tuple[int, str, int | None, bool]]:
    """Subject -> (id, folder, uid, gone)."""
    return {
        s: (pk, f, uid, bool(gone))
        for s, pk, f, uid, gone in archive.conn.execute(
            "SELECT m.subject, m.id, f.name, m.uid, m.gone_at IS NOT NULL FROM messages m"
            " JOIN folders f ON f.id = m.folder_id"
        )
    }


def test_two_folders_swapping_names_keep_their_rows(archive: Archive, account: int) -> None:
    with archive.write() as a:
        a.folders.record_listing(account, listing("Cardio", "Pneumo"))
        a.folders.save_mailbox_ids(account, {"Cardio": "F1", "Pneumo": "F2"})
    cardio, pneumo = folder_id(archive, account, "Cardio"), folder_id(archive, account, "Pneumo")
    with archive.write() as a:
        renames = a.folders.follow_renames(account, {"Cardio": "F2", "Pneumo": "F1"})
        a.folders.record_listing(account, listing("Cardio", "Pneumo"))
    assert {(r.folder_id, r.old_name, r.new_name) for r in renames} == {
        (cardio, "Cardio", "Pneumo"),
        (pneumo, "Pneumo", "Cardio"),
    }
    assert folder_id(archive, account, "Pneumo") == cardio
    assert archive.folders.by_id(cardio).mailbox_id == "F1"
    # Nothing to do the second time.
    with archive.write() as a:
        assert a.folders.follow_renames(account, {"Cardio": "F2", "Pneumo": "F1"}) == []


def test_a_rename_onto_the_name_of_a_folder_gone_takes_its_entries_along(
    archive: Archive, account: int
) -> None:
    with archive.write() as a:
        a.folders.record_listing(account, listing("Ancien", "Suivis"))
        a.folders.save_mailbox_ids(account, {"Ancien": "F-old", "Suivis": "F-followed"})
        old, followed = (a.folders.find(account, n) for n in ("Ancien", "Suivis"))
        assert old is not None and followed is not None
        a.messages.insert_envelopes(
            account, old.id, 5, [record(1, "Du dossier ancien", email_id="M1")]
        )
        a.messages.insert_envelopes(
            account, followed.id, 9, [record(1, "Du dossier suivi", email_id="M2", size=7)]
        )
    # "Ancien" deleted on the server, then "Suivis" renamed "Ancien".
    with archive.write() as a:
        (rename,) = a.folders.follow_renames(account, {"Ancien": "F-followed"})
        a.folders.record_listing(account, listing("Ancien"))
    assert (rename.folder_id, rename.merged) == (followed.id, 1)
    assert [f.name for f in archive.folders.all(account)] == ["INBOX", "Ancien"]
    found = where(archive)
    assert found["Du dossier suivi"][1:] == ("Ancien", 1, False)
    assert found["Du dossier ancien"][1:] == ("Ancien", None, True)  # kept, marked gone


def test_an_id_the_server_gives_two_folders_is_not_trusted(archive: Archive, account: int) -> None:
    with archive.write() as a:
        a.folders.record_listing(account, listing("Cardio"))
        a.folders.save_mailbox_ids(account, {"Cardio": "F1"})
        assert a.folders.follow_renames(account, {"Un": "F1", "Deux": "F1"}) == []


def test_an_emailid_alone_never_joins_distinct_messages(archive: Archive, account: int) -> None:
    """A faulty server gives one EMAILID to distinct messages: size and Message-ID decide."""
    with archive.write() as a:
        a.folders.record_listing(account, listing("Archives"))
        inbox, kept = folder_id(a, account, "INBOX"), folder_id(a, account, "Archives")
        a.messages.insert_envelopes(
            account,
            inbox,
            1,
            [
                record(1, "Premier", email_id="MSAME", message_id="<a@x>"),
                record(2, "Sans identifiant", email_id="MSAME2", message_id=None),
            ],
        )
        a.messages.mark_gone(inbox, 1, [1, 2])
        outcome = a.messages.insert_envelopes(
            account,
            kept,
            3,
            [
                record(10, "Autre taille", email_id="MSAME", message_id="<a@x>", size=999),
                record(11, "Autre identifiant", email_id="MSAME", message_id="<b@x>"),
                record(12, "Autre date", email_id="MSAME2", message_id=None, date=1),
            ],
        )
    assert (outcome.added, outcome.rebound) == (3, 0)
    # Listed elsewhere as new while the one gone has the same EMAILID: not joined either.
    with archive.write() as a:
        merges = a.messages.merge_moved(account, [where(a)["Premier"][0]])
    assert merges == []
    assert len(where(archive)) == 5


def test_an_entry_gone_is_taken_over_by_its_emailid_and_a_copy_is_not_new(
    archive: Archive, account: int
) -> None:
    with archive.write() as a:
        a.folders.record_listing(account, listing("Archives"))
        inbox, kept = folder_id(a, account, "INBOX"), folder_id(a, account, "Archives")
        a.messages.insert_envelopes(account, inbox, 1, [record(1, "Deplace", email_id="M1")])
        before = where(a)["Deplace"][0]
        # A copy listed elsewhere while the original is still listed: its own entry.
        copy = a.messages.insert_envelopes(account, kept, 3, [record(7, "Copie", email_id="M1")])
        assert copy.added == 1 and copy.known_elsewhere == copy.added_pks
        a.messages.mark_gone(inbox, 1, [1])
        moved = a.messages.insert_envelopes(account, kept, 3, [record(8, "Encore", email_id="M1")])
    assert (moved.added, moved.rebound, moved.moved_in) == (0, 1, ((before, inbox),))
    assert where(archive)["Deplace"] == (before, "Archives", 8, False)


@pytest.mark.parametrize("archived", ["gone entry", "copy"])
def test_joining_a_move_keeps_the_entry_with_the_archived_body(
    archive: Archive, account: int, archived: str
) -> None:
    with archive.write() as a:
        a.folders.record_listing(account, listing("Archives"))
        inbox, kept = folder_id(a, account, "INBOX"), folder_id(a, account, "Archives")
        (old,) = a.messages.insert_envelopes(
            account, kept, 3, [record(4, "Avant", email_id="M1")]
        ).added_pks
        (new,) = a.messages.insert_envelopes(
            account, inbox, 1, [record(9, "Apres", email_id="M1")]
        ).added_pks
        raw = b"Subject: x\r\n\r\nCorps archive\r\n"
        body = FetchedBody(4 if archived == "gone entry" else 9, raw, (("text/plain", "Corps"),))
        a.messages.store_bodies([(old if archived == "gone entry" else new, body)])
        a.messages.mark_gone(kept, 3, [4])
        (merge,) = a.messages.merge_moved(account, [old])
    assert (merge.from_folder, merge.to_folder) == (kept, inbox)
    survivor = old if archived == "gone entry" else new
    assert (merge.kept, merge.kept_moved) == (survivor, archived == "gone entry")
    assert merge.listed_copy == new
    (entry,) = archive.conn.execute(
        "SELECT id, folder_id, uid, gone_at FROM messages WHERE account_id = ?", (account,)
    ).fetchall()
    assert entry == (survivor, inbox, 9, None)
    assert archive.messages.raw(survivor) == raw
