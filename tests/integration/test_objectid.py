"""Server object ids (RFC 8474 OBJECTID, issue 14 #7): a folder renamed on the server and a
message moved by another client keep their archive entries, recognised by MAILBOXID and
EMAILID on Cyrus 3.6; on Dovecot 2.3 (no OBJECTID) by content, as before.

Real services (one container, a strict event bus) against the suite's Cyrus and Dovecot; the
"other client" is a plain IMAP session of the test server helpers.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from app.domain.events import FolderCountsChanged, FoldersListed, MessagesChanged, NewMail
from app.domain.message import Flag
from app.services.account_service import Account
from app.services.container import Services
from app.services.event_bus import EventBus
from app.store.archive import Archive
from tests.servers.cyrus import CyrusServer
from tests.servers.fixtures import MailAccount, _new_account
from tests.services.support import EventLog, add_account, off_loop, open_test_services
from tests.support.cli import Pli
from tests.support.mail import message

pytestmark = pytest.mark.integration


@pytest.fixture
async def services(tmp_path: Path) -> AsyncIterator[Services]:
    opened = await open_test_services(tmp_path / "profile", EventBus(strict=True))
    try:
        yield opened
    finally:
        await opened.aclose()


@pytest.fixture
def events(services: Services) -> EventLog:
    return EventLog(services.events)


@pytest.fixture(params=["cyrus", "cyrus_unixsep"])
def cyrus_account(request: pytest.FixtureRequest, oidc_provider: Any) -> MailAccount:
    """A fresh mailbox on Cyrus, in each namespace layout."""
    server: CyrusServer = request.getfixturevalue(request.param)
    local = f"oid{secrets.token_hex(4)}"  # no "." (the separator of the INBOX. layout)
    return _new_account(server, oidc_provider, None, local, None, None)  # type: ignore[arg-type]


@pytest.fixture
def one_cyrus_account(cyrus: CyrusServer, oidc_provider: Any) -> MailAccount:
    """A fresh mailbox on Cyrus (folders under INBOX.)."""
    local = f"oid{secrets.token_hex(4)}"
    return _new_account(cyrus, oidc_provider, None, local, None, None)  # type: ignore[arg-type]


def entries(archive: Archive, account: Account) -> dict[str, tuple[int, str, bool, Any]]:
    """Subject -> (archive id, folder, gone from the server, EMAILID) of every entry."""
    rows = archive.conn.execute(
        "SELECT m.subject, m.id, f.name, m.gone_at IS NOT NULL, m.email_id FROM messages m"
        " JOIN folders f ON f.id = m.folder_id WHERE m.account_id = ?",
        (account.id,),
    ).fetchall()
    found: dict[str, tuple[int, str, bool, Any]] = {}
    for subject, pk, folder, gone, email_id in rows:
        assert subject not in found, f"{subject!r} is in the archive twice"
        found[subject] = (int(pk), str(folder), bool(gone), email_id)
    return found


async def read(services: Services, work: Callable[[Archive], Any]) -> Any:
    return await services.store.read(work)


def folder_row(archive: Archive, account: Account, name: str) -> Any:
    return archive.folders.find(account.id, name)


async def test_a_folder_renamed_on_the_server_keeps_its_row_and_entries(
    services: Services, events: EventLog, cyrus_account: MailAccount
) -> None:
    server, address = cyrus_account.server, cyrus_account.address
    old, child = cyrus_account.folder("Patients"), cyrus_account.folder("Patients/Durand")
    new, new_child = cyrus_account.folder("Suivis"), cyrus_account.folder("Suivis/Durand")
    await off_loop(server.create_folder, address, old)
    await off_loop(server.create_folder, address, child)
    for n in range(3):
        await off_loop(server.deliver, address, message(subject=f"Dossier {n}")[0], folder=old)
    await off_loop(server.deliver, address, message(subject="Enfant")[0], folder=child)
    account = await add_account(services, cyrus_account)
    await services.sync.sync(account)
    before = await read(services, lambda a: entries(a, account))
    assert len(before) == 4 and all(e[3] for e in before.values())  # EMAILIDs kept
    old_row = await read(services, lambda a: folder_row(a, account, old))
    assert old_row.mailbox_id  # MAILBOXID kept
    # A local change, replayed before the rename: it must survive it.
    await services.operations.set_flags([before["Dossier 0"][0]], Flag.FLAGGED, Flag.NONE)
    await services.sync.sync(account)

    await off_loop(server.rename_folder, address, old, new)
    await off_loop(server.deliver, address, message(subject="Nouveau")[0], folder=new)
    events.clear()
    report = await services.sync.sync(account)

    renamed = next(f for f in report.folders if f.folder == new)
    assert renamed.renamed_from == old
    assert renamed.added == 1 and renamed.rebound == 0 and not renamed.uidvalidity_reset
    assert next(f for f in report.folders if f.folder == new_child).renamed_from == child
    assert report.gone == 0
    after = await read(services, lambda a: entries(a, account))
    assert len(after) == 5  # nothing twice, nothing lost
    for subject, (pk, folder, _gone, _eid) in before.items():
        assert after[subject][0] == pk  # the same archive entry, body and all
        assert after[subject][1] == (new_child if folder == child else new)
        assert not after[subject][2]
    rows = await read(services, lambda a: {f.name: f for f in a.folders.all(account.id)})
    assert old not in rows and child not in rows  # no folder left behind under the old name
    assert rows[new].id == old_row.id and rows[new].mailbox_id == old_row.mailbox_id

    # The window is told: the folder list (new name), the folder's messages, its counts.
    assert events.of(FoldersListed)
    changed = events.of(MessagesChanged, lambda e: e.folder_id == old_row.id)
    assert changed and changed[-1].folder == new
    counts = events.of(FolderCountsChanged, lambda e: e.folder_id == old_row.id)
    assert counts and counts[-1].folder == new and counts[-1].messages == 4

    assert await read(services, lambda a: a.messages.summary(before["Dossier 0"][0]).flags) & (
        Flag.FLAGGED
    )
    # It follows the folder: a local change reaches the right message on the server.
    await services.operations.set_flags([before["Dossier 1"][0]], Flag.FLAGGED, Flag.NONE)
    again = await services.sync.sync(account)
    assert again.added == 0 and again.gone == 0 and again.replayed == 1
    assert len(await read(services, lambda a: entries(a, account))) == 5
    on_server = await off_loop(server.messages, address, new)
    assert sum(1 for m in on_server if "\\Flagged" in m.flags) == 2


async def move_on_server(server: CyrusServer, address: str, source: str, uid: int, to: str) -> None:
    """Another client moves a message (UID MOVE)."""

    def move() -> None:
        with server.as_user(address) as client:
            client.select_folder(source)
            client.move([uid], to)

    await off_loop(move)


def uid_of(server: CyrusServer, address: str, folder: str, message_id: str) -> int:
    return next(m.uid for m in server.messages(address, folder) if m.message_id == message_id)


async def test_a_message_moved_by_another_client_keeps_its_entry_both_ways(
    services: Services, events: EventLog, one_cyrus_account: MailAccount
) -> None:
    server, address = one_cyrus_account.server, one_cyrus_account.address
    archive_folder = one_cyrus_account.folder("Archive")
    out_raw, out_mid = message(subject="Vers les archives")
    back_raw, back_mid = message(subject="Retour en boite")
    await off_loop(server.deliver, address, out_raw)
    await off_loop(server.deliver, address, message(subject="Reste")[0])
    await off_loop(server.deliver, address, back_raw, folder=archive_folder)
    account = await add_account(services, one_cyrus_account)
    await services.sync.sync(account)
    before = await read(services, lambda a: entries(a, account))
    assert len(before) == 3

    # INBOX -> Archive: INBOX (synced first) sees it gone, Archive then lists it by EMAILID.
    uid = await off_loop(uid_of, server, address, "INBOX", out_mid)
    await move_on_server(server, address, "INBOX", uid, archive_folder)
    events.clear()
    report = await services.sync.sync(account)
    after = await read(services, lambda a: entries(a, account))
    assert len(after) == 3  # nothing twice
    assert after["Vers les archives"][:3] == (before["Vers les archives"][0], archive_folder, False)
    assert (report.added, report.gone) == (0, 0)
    archive_id = await read(services, lambda a: a.folders.find(account.id, archive_folder).id)
    inbox_id = await read(services, lambda a: a.folders.find(account.id, "INBOX").id)
    moved_in = events.of(MessagesChanged, lambda e: e.folder_id == archive_id)
    assert moved_in and before["Vers les archives"][0] in moved_in[-1].added
    inbox_counts = events.of(FolderCountsChanged, lambda e: e.folder_id == inbox_id)
    assert inbox_counts[-1].messages == 1

    # Archive -> INBOX: INBOX (synced first) lists it as a copy, Archive then finds it gone:
    # the older entry takes the copy's place; no new mail is announced.
    uid = await off_loop(uid_of, server, address, archive_folder, back_mid)
    await move_on_server(server, address, archive_folder, uid, "INBOX")
    events.clear()
    report = await services.sync.sync(account)
    after = await read(services, lambda a: entries(a, account))
    assert len(after) == 3
    assert after["Retour en boite"][:3] == (before["Retour en boite"][0], "INBOX", False)
    assert (report.added, report.gone) == (0, 0)
    assert events.of(NewMail) == []
    assert await read(services, lambda a: a.messages.raw(before["Retour en boite"][0]))
    inbox_counts = events.of(FolderCountsChanged, lambda e: e.folder_id == inbox_id)
    assert inbox_counts[-1].messages == 2
    # A local change reaches it in its new place.
    await services.operations.set_flags([before["Retour en boite"][0]], Flag.FLAGGED, Flag.NONE)
    await services.sync.sync(account)
    flagged = [
        m for m in await off_loop(server.messages, address, "INBOX") if m.message_id == back_mid
    ]
    assert "\\Flagged" in flagged[0].flags
    assert (await services.sync.sync(account)).added == 0
    assert len(await read(services, lambda a: entries(a, account))) == 3


async def test_copies_and_identical_messages_are_never_merged_while_listed(
    services: Services, one_cyrus_account: MailAccount
) -> None:
    """Cyrus gives identical messages the same EMAILID (a hash of the content): each copy the
    server lists keeps an entry of its own; a copy gone joins the one still listed."""
    server, address = one_cyrus_account.server, one_cyrus_account.address
    archive_folder = one_cyrus_account.folder("Archive")
    twice = message(subject="Recu deux fois")[0]
    await off_loop(server.deliver, address, twice)
    await off_loop(server.deliver, address, twice)
    kept_raw, kept_mid = message(subject="Copie")
    await off_loop(server.deliver, address, kept_raw)
    account = await add_account(services, one_cyrus_account)
    await services.sync.sync(account)

    def by_subject(a: Archive) -> dict[str, list[tuple[int, str, bool, Any]]]:
        rows = a.conn.execute(
            "SELECT m.subject, m.id, f.name, m.gone_at IS NOT NULL, m.email_id FROM messages m"
            " JOIN folders f ON f.id = m.folder_id WHERE m.account_id = ? ORDER BY m.id",
            (account.id,),
        ).fetchall()
        found: dict[str, list[tuple[int, str, bool, Any]]] = {}
        for subject, *rest in rows:
            found.setdefault(subject, []).append(tuple(rest))  # type: ignore[arg-type]
        return found

    first = await read(services, by_subject)
    twins = first["Recu deux fois"]
    assert len(twins) == 2 and twins[0][3] == twins[1][3]  # same EMAILID, two entries
    original = first["Copie"][0][0]

    def copy() -> None:
        with server.as_user(address) as client:
            client.select_folder("INBOX")
            client.copy([uid_of(server, address, "INBOX", kept_mid)], archive_folder)

    await off_loop(copy)
    await services.sync.sync(account)
    second = await read(services, by_subject)
    assert len(second["Recu deux fois"]) == 2
    copies = second["Copie"]
    assert [(c[1], c[2]) for c in copies] == [("INBOX", False), (archive_folder, False)]
    assert copies[0][0] == original and copies[0][3] == copies[1][3]

    # The INBOX copy deleted elsewhere: the original entry takes the listed copy's place.
    uid = await off_loop(uid_of, server, address, "INBOX", kept_mid)
    await off_loop(server.expunge, address, "INBOX", [uid])
    report = await services.sync.sync(account)
    third = await read(services, by_subject)
    assert [(c[0], c[1], c[2]) for c in third["Copie"]] == [(original, archive_folder, False)]
    assert report.gone == 0
    assert len(third["Recu deux fois"]) == 2
    assert (await services.sync.sync(account)).added == 0


async def test_a_new_uidvalidity_rebinds_by_emailid_renamed_or_not(
    services: Services, one_cyrus_account: MailAccount
) -> None:
    """A folder restored (new UIDVALIDITY, new MAILBOXID), in place then under a new name:
    each entry is found again by its EMAILID, even two messages the content fallback cannot
    tell apart (no Message-ID, same size, same arrival date)."""
    server, address = one_cyrus_account.server, one_cyrus_account.address
    patients, followed = one_cyrus_account.folder("Patients"), one_cyrus_account.folder("Suivis")
    await off_loop(server.create_folder, address, patients)
    when = 1_790_000_000.0
    for letter in "AB":
        raw = f"From: a@b.example\r\nSubject: Sans identifiant {letter}\r\n\r\n{letter}\r\n"
        await off_loop(server.deliver, address, raw.encode(), patients, internal_date=when)
    await off_loop(server.deliver, address, message(subject="Avec identifiant")[0], patients)
    account = await add_account(services, one_cyrus_account)
    await services.sync.sync(account)
    before = await read(services, lambda a: entries(a, account))
    assert len(before) == 3
    # A goes out and back (another client): its UID is now after B's, so the server's order
    # is no longer the archive's, and "first unbound entry of that size and date" is wrong.
    archive_folder = one_cyrus_account.folder("Archive")

    def out_and_back() -> None:
        with server.as_user(address) as client:
            client.select_folder(patients)
            client.move([1], archive_folder)
            client.select_folder(archive_folder)
            client.move(client.search("ALL"), patients)

    await off_loop(out_and_back)
    report = await services.sync.sync(account)
    assert (report.added, report.gone) == (0, 0)
    assert await read(services, lambda a: entries(a, account)) == before

    await off_loop(server.set_uidvalidity, address, patients)
    report = await services.sync.sync(account)
    folder = next(f for f in report.folders if f.folder == patients)
    assert folder.uidvalidity_reset and folder.rebound == 3 and folder.added == 0
    after = await read(services, lambda a: entries(a, account))
    assert {s: e[:3] for s, e in after.items()} == {s: e[:3] for s, e in before.items()}
    await bound_to_the_right_message(services, account, server, address, patients)

    await off_loop(server.rename_folder, address, patients, followed)
    await off_loop(server.set_uidvalidity, address, followed)
    report = await services.sync.sync(account)
    folder = next(f for f in report.folders if f.folder == followed)
    assert folder.rebound == 3 and folder.added == 0 and report.gone == 0
    after = await read(services, lambda a: entries(a, account))
    assert {s: (e[0], e[1], e[2]) for s, e in after.items()} == {
        s: (e[0], followed, False) for s, e in before.items()
    }
    await bound_to_the_right_message(services, account, server, address, followed)
    assert (await services.sync.sync(account)).added == 0


async def bound_to_the_right_message(
    services: Services, account: Account, server: CyrusServer, address: str, folder: str
) -> None:
    """Each entry's UID names, on the server, the message the entry holds."""
    bound = await read(
        services,
        lambda a: a.conn.execute(
            "SELECT m.subject, m.uid FROM messages m JOIN folders f ON f.id = m.folder_id"
            " WHERE f.name = ? AND m.account_id = ?",
            (folder, account.id),
        ).fetchall(),
    )
    assert bound
    for subject, uid in bound:
        raw = await off_loop(server.fetch_raw, address, folder, uid)
        assert f"Subject: {subject}".encode() in raw, (subject, uid)


async def test_a_server_without_objectid_keeps_the_content_fallback(
    services: Services, mail_account: MailAccount
) -> None:
    """Dovecot 2.3 offers no OBJECTID: no ids are asked for or stored; a renamed folder's
    messages are still recognised by their content."""
    dove, address = mail_account.dovecot, mail_account.address
    dove.create_folder(address, "Patients")
    for n in range(2):
        dove.deliver(address, message(subject=f"Dossier {n}")[0], folder="Patients")
    account = await add_account(services, mail_account)
    session = await (await services.sync.connection(account)).session()
    assert not session.has("OBJECTID")
    await services.sync.sync(account)
    before = await read(services, lambda a: entries(a, account))
    dove.rename_folder(address, "Patients", "Suivis")
    report = await services.sync.sync(account)
    folder = next(f for f in report.folders if f.folder == "Suivis")
    assert folder.rebound == 2 and folder.added == 0 and folder.renamed_from is None
    after = await read(services, lambda a: entries(a, account))
    assert {s: (e[0], e[1], e[3]) for s, e in after.items()} == {
        s: (e[0], "Suivis", None) for s, e in before.items()
    }
    assert (
        await read(
            services, lambda a: [f.mailbox_id for f in a.folders.all(account.id) if f.mailbox_id]
        )
        == []
    )


async def test_a_message_moved_out_of_a_folder_restored_meanwhile_is_found_once(
    services: Services, one_cyrus_account: MailAccount
) -> None:
    """A folder gets a new UIDVALIDITY while another client moved one of its messages to the
    inbox (synced first, where it is listed as a copy): the entry left unbound in the folder
    joins the inbox's listing instead of staying behind as gone."""
    server, address = one_cyrus_account.server, one_cyrus_account.address
    patients = one_cyrus_account.folder("Patients")
    await off_loop(server.create_folder, address, patients)
    moving_raw, moving_mid = message(subject="Sorti du dossier")
    await off_loop(server.deliver, address, moving_raw, patients)
    await off_loop(server.deliver, address, message(subject="Reste au dossier")[0], patients)
    account = await add_account(services, one_cyrus_account)
    await services.sync.sync(account)
    before = await read(services, lambda a: entries(a, account))

    uid = await off_loop(uid_of, server, address, patients, moving_mid)
    await move_on_server(server, address, patients, uid, "INBOX")
    await off_loop(server.set_uidvalidity, address, patients)
    report = await services.sync.sync(account)
    after = await read(services, lambda a: entries(a, account))
    assert after["Sorti du dossier"][:3] == (before["Sorti du dossier"][0], "INBOX", False)
    assert after["Reste au dossier"][:3] == (before["Reste au dossier"][0], patients, False)
    assert (report.added, report.gone) == (0, 0)
    await bound_to_the_right_message(services, account, server, address, "INBOX")
    await bound_to_the_right_message(services, account, server, address, patients)


def test_pli_sync_says_which_folder_the_server_renamed(
    tmp_path: Path, cyrus: CyrusServer, oidc_provider: Any, cyrus_smtp_server: Any
) -> None:
    local = f"oid{secrets.token_hex(4)}"
    account = _new_account(cyrus, oidc_provider, cyrus_smtp_server, local, None, None)  # type: ignore[arg-type]
    server, address = cyrus, account.address
    old, new = cyrus.folder("Patients"), cyrus.folder("Suivis")
    server.create_folder(address, old)
    server.deliver(address, message(subject="Dossier")[0], folder=old)
    pli = Pli(tmp_path / "profile")
    pli.add_account("cab", account)
    pli("sync").ok()
    server.rename_folder(address, old, new)
    report = pli("sync", "--json").ok().json()["accounts"][0]
    (renamed,) = [f for f in report["folders"] if f["folder"] == new]
    assert renamed["renamed_from"] == old and (renamed["new"], renamed["rebound"]) == (0, 0)
    assert all(f["renamed_from"] is None for f in report["folders"] if f["folder"] != new)
    assert (report["new"], report["gone_from_server"]) == (0, 0)
    server.rename_folder(address, new, old)
    said = pli("sync").ok().out
    assert f"{old}: renamed on the server (was {new}), archive kept" in said
    (listed,) = pli("list", "--json").ok().json()["messages"]
    assert listed["folder"] == old and not listed["gone_from_server"]


async def test_a_local_change_waiting_when_the_server_renames_the_folder_reaches_it(
    services: Services, one_cyrus_account: MailAccount
) -> None:
    server, address = one_cyrus_account.server, one_cyrus_account.address
    old, new = one_cyrus_account.folder("Patients"), one_cyrus_account.folder("Suivis")
    await off_loop(server.create_folder, address, old)
    raw, mid = message(subject="A marquer")
    await off_loop(server.deliver, address, raw, old)
    account = await add_account(services, one_cyrus_account)
    await services.sync.sync(account)
    (pk, _folder, _gone, _eid) = (await read(services, lambda a: entries(a, account)))["A marquer"]
    # Flagged here while another client renames the folder; replayed by the next pass.
    await services.operations.set_flags([pk], Flag.FLAGGED, Flag.NONE)
    await off_loop(server.rename_folder, address, old, new)
    report = await services.sync.sync(account)
    assert report.replayed == 1
    assert next(f for f in report.folders if f.folder == new).renamed_from == old
    (on_server,) = await off_loop(server.messages, address, new)
    assert on_server.message_id == mid and "\\Flagged" in on_server.flags
    assert (await read(services, lambda a: entries(a, account)))["A marquer"][:3] == (
        pk,
        new,
        False,
    )


async def test_a_move_waiting_when_the_server_renames_its_folders_still_happens(
    services: Services, one_cyrus_account: MailAccount
) -> None:
    """Moved here from a folder, then both folders renamed by another client before the move
    is replayed: it happens between the folders under their new names, nothing twice."""
    server, address = one_cyrus_account.server, one_cyrus_account.address
    old, new = one_cyrus_account.folder("Patients"), one_cyrus_account.folder("Suivis")
    box, renamed_box = one_cyrus_account.folder("Classer"), one_cyrus_account.folder("Classes")
    await off_loop(server.create_folder, address, old)
    await off_loop(server.create_folder, address, box)
    raw, mid = message(subject="A classer")
    await off_loop(server.deliver, address, raw, old)
    account = await add_account(services, one_cyrus_account)
    await services.sync.sync(account)
    (pk, *_rest) = (await read(services, lambda a: entries(a, account)))["A classer"]
    await services.operations.move([pk], box)
    await off_loop(server.rename_folder, address, old, new)
    await off_loop(server.rename_folder, address, box, renamed_box)
    report = await services.sync.sync(account)
    assert report.replayed == 1 and (report.added, report.gone) == (0, 0)
    assert [m.message_id for m in await off_loop(server.messages, address, renamed_box)] == [mid]
    assert await off_loop(server.messages, address, new) == []
    after = await read(services, lambda a: entries(a, account))
    assert after["A classer"][:3] == (pk, renamed_box, False)
    assert len(after) == 1
    await bound_to_the_right_message(services, account, server, address, renamed_box)


async def test_a_deletion_waiting_when_the_server_renames_the_folder_still_happens(
    services: Services, one_cyrus_account: MailAccount
) -> None:
    server, address = one_cyrus_account.server, one_cyrus_account.address
    old, new = one_cyrus_account.folder("Patients"), one_cyrus_account.folder("Suivis")
    await off_loop(server.create_folder, address, old)
    await off_loop(server.deliver, address, message(subject="A supprimer")[0], old)
    kept_raw, kept_mid = message(subject="A garder")
    await off_loop(server.deliver, address, kept_raw, old)
    account = await add_account(services, one_cyrus_account)
    await services.sync.sync(account)
    (pk, *_rest) = (await read(services, lambda a: entries(a, account)))["A supprimer"]
    await services.operations.delete([pk])
    await off_loop(server.rename_folder, address, old, new)
    report = await services.sync.sync(account)
    assert report.replayed == 1 and (report.added, report.gone) == (0, 0)
    assert [m.message_id for m in await off_loop(server.messages, address, new)] == [kept_mid]
    assert set(await read(services, lambda a: entries(a, account))) == {"A garder"}
