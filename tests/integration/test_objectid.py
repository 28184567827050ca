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

from app.domain.events import FolderCountsChanged, FoldersListed, MessagesChanged
from app.domain.message import Flag
from app.services.account_service import Account
from app.services.container import Services
from app.services.event_bus import EventBus
from app.store.archive import Archive
from tests.servers.cyrus import CyrusServer
from tests.servers.fixtures import MailAccount, _new_account
from tests.services.support import EventLog, add_account, off_loop, open_test_services
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
