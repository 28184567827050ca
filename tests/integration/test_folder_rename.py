"""A folder renamed on the server (issue 14 #7): its messages are recognised in the new name
(same Message-ID, size and arrival date) instead of being archived twice, and none is lost.
On Dovecot and on Cyrus in both namespace layouts."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.cli import Pli
from tests.support.mail import message

pytestmark = pytest.mark.integration


def test_a_renamed_folder_keeps_its_archive_entries(
    tmp_path: Path, imap_account, imap_server_name: str
) -> None:
    server, address = imap_account.server, imap_account.address
    patients, followed = imap_account.folder("Patients"), imap_account.folder("Patients suivis")
    server.create_folder(address, patients)
    for n in range(3):
        server.deliver(address, message(subject=f"Dossier {n}")[0], folder=patients)
    # A message without Message-ID is recognised by its arrival date and size.
    server.deliver(
        address, b"From: a@b.example\r\nSubject: Sans identifiant\r\n\r\nx\r\n", patients
    )
    pli = Pli(tmp_path / "profile")
    pli.add_account("cab", imap_account)
    pli("sync").ok()
    before = {m["subject"]: m for m in pli("list", "--json").ok().json()["messages"]}
    assert len(before) == 4
    pli("flag", str(before["Dossier 0"]["id"]), "--set", "flagged").ok()

    # Whatever UIDVALIDITY the renamed folder has (Cyrus 3.6 keeps it, and its MAILBOXID),
    # the old name is gone and the new one is unknown to Pli.
    server.rename_folder(address, patients, followed)
    server.deliver(address, message(subject="Nouveau")[0], folder=followed)
    report = pli("sync", "--json").ok().json()["accounts"][0]
    renamed = [f for f in report["folders"] if f["folder"] == followed][0]
    assert renamed["new"] == 1
    by_id = pli("audit", "--action", "sync.folder_renamed", "--json").ok().json()["entries"]
    if imap_server_name == "dovecot":
        # No OBJECTID here: the messages are recognised by their content.
        assert renamed["rebound"] == 4 and by_id == []
    else:
        # Cyrus offers OBJECTID and keeps the folder's MAILBOXID and UIDVALIDITY on RENAME:
        # Pli follows the folder by its id, and its messages keep their UIDs (nothing to
        # rebind), or else recognises them by their content.
        assert (renamed["rebound"] == 0 and len(by_id) == 1) or renamed["rebound"] == 4

    after = {m["subject"]: m for m in pli("list", "--json").ok().json()["messages"]}
    assert len(after) == 5  # nothing twice, nothing lost
    for subject, entry in before.items():
        assert after[subject]["id"] == entry["id"]  # the same archive entry, body and all
        assert after[subject]["folder"] == followed
        assert not after[subject]["gone_from_server"]
    assert after["Dossier 0"]["flags"] == ["flagged"]
    # It follows the new UIDs: a change reaches the right message on the server.
    pli("flag", str(after["Dossier 1"]["id"]), "--set", "flagged").ok()
    flagged = [m for m in server.messages(address, followed) if "\\Flagged" in m.flags]
    assert len(flagged) == 2
    assert pli("sync", "--json").ok().json()["accounts"][0]["new"] == 0
