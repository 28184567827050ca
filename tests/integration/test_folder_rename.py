"""A folder renamed on the server (issue 14 #7): its messages are recognised in the new name
(same Message-ID, size and arrival date) instead of being archived twice, and none is lost."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.cli import Pli
from tests.support.mail import message

pytestmark = pytest.mark.integration


def test_a_renamed_folder_keeps_its_archive_entries(tmp_path: Path, mail_account) -> None:
    dove, address = mail_account.dovecot, mail_account.address
    dove.create_folder(address, "Patients")
    for n in range(3):
        dove.deliver(address, message(subject=f"Dossier {n}")[0], folder="Patients")
    # A message without Message-ID is recognised by its arrival date and size.
    dove.deliver(
        address, b"From: a@b.example\r\nSubject: Sans identifiant\r\n\r\nx\r\n", "Patients"
    )
    pli = Pli(tmp_path / "profile")
    pli.add_account("cab", mail_account)
    pli("sync").ok()
    before = {m["subject"]: m for m in pli("list", "--json").ok().json()["messages"]}
    assert len(before) == 4
    pli("flag", str(before["Dossier 0"]["id"]), "--set", "flagged").ok()

    dove.rename_folder(address, "Patients", "Patients suivis")
    dove.deliver(address, message(subject="Nouveau")[0], folder="Patients suivis")
    report = pli("sync", "--json").ok().json()["accounts"][0]
    renamed = [f for f in report["folders"] if f["folder"] == "Patients suivis"][0]
    assert renamed["new"] == 1 and renamed["rebound"] == 4

    after = {m["subject"]: m for m in pli("list", "--json").ok().json()["messages"]}
    assert len(after) == 5  # nothing twice, nothing lost
    for subject, entry in before.items():
        assert after[subject]["id"] == entry["id"]  # the same archive entry, body and all
        assert after[subject]["folder"] == "Patients suivis"
        assert not after[subject]["gone_from_server"]
    assert after["Dossier 0"]["flags"] == ["flagged"]
    # It follows the new UIDs: a change reaches the right message on the server.
    pli("flag", str(after["Dossier 1"]["id"]), "--set", "flagged").ok()
    flagged = [m for m in dove.messages(address, "Patients suivis") if "\\Flagged" in m.flags]
    assert len(flagged) == 2
    assert pli("sync", "--json").ok().json()["accounts"][0]["new"] == 0
