"""`pli account remove NAME --keep-archive`: the mailbox goes, its archive stays readable and
searchable offline, and `pli sync` says "archive only" instead of connecting (issue 13 §3)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.cli import Pli
from tests.support.mail import message

pytestmark = pytest.mark.integration


@pytest.fixture
def pli(tmp_path: Path) -> Pli:
    return Pli(tmp_path / "profile")


def test_remove_keeping_the_archive(pli: Pli, mail_account) -> None:
    dove = mail_account.dovecot
    dove.deliver(mail_account.address, message(subject="Compte rendu opératoire")[0])
    dove.deliver(mail_account.address, message(subject="Rendez-vous de contrôle")[0])
    pli.add_account("cab", mail_account)
    pli("sync").ok()

    removed = pli("account", "remove", "cab", "--keep-archive", "--yes").ok()
    assert "archive is kept" in removed.out
    [listed] = pli("account", "list", "--json").ok().json()["accounts"]
    assert (listed["name"], listed["archive_only"], listed["messages"]) == ("cab", True, 2)

    # Readable and searchable, offline.
    messages = pli("list", "--account", "cab", "--json").ok().json()["messages"]
    assert {m["subject"] for m in messages} == {
        "Compte rendu opératoire",
        "Rendez-vous de contrôle",
    }
    found = pli("search", "operatoire", "--json").ok().json()["messages"]
    assert [m["subject"] for m in found] == ["Compte rendu opératoire"]
    first = next(m for m in messages if m["subject"] == "Compte rendu opératoire")
    assert "Compte rendu" in pli("show", str(first["id"]), "--json").ok().json()["subject"]

    # `pli sync` says so instead of failing, and connects to nothing.
    synced = pli("sync").ok()
    assert "cab: archive only" in synced.out
    assert pli("sync", "--json").ok().json()["archive_only"] == ["cab"]
    assert pli("sync", "cab").ok().out.startswith("cab: archive only")

    # Local changes are refused, in plain words.
    refused = pli("flag", str(first["id"]), "--set", "flagged")
    assert refused.code != 0
    assert "removed and its archive kept" in refused.err

    audit = pli("audit", "--json").ok().json()["entries"]
    actions = [e["action"] for e in audit]
    assert "account.retire" in actions
    assert "session.login" not in actions[actions.index("account.retire") :]
