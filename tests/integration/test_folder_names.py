"""Folders named as a user names them (issue 14 #8): special-use roles and names without the
personal namespace's prefix, on a server whose folders live under ``INBOX.`` with ``.`` as
separator (the layout of Cyrus and Courier), wherever a folder is named."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest

from tests.servers.fixtures import _new_account
from tests.support.cli import Pli
from tests.support.mail import message

pytestmark = pytest.mark.integration

REPORTS = "Comptes rendus — été"


@pytest.fixture(params=["dovecot", "cyrus"])
def inbox_prefixed(request: pytest.FixtureRequest, oidc_provider, smtp_server):
    """An account on Dovecot configured with Cyrus's layout, and on Cyrus itself."""
    if request.param == "cyrus":
        # Cyrus 3.6 with altnamespace: no, unixhierarchysep: no (no "." in a login there).
        server = request.getfixturevalue("cyrus")
        local = f"names-{secrets.token_hex(4)}"
        return _new_account(server, oidc_provider, smtp_server, local, None, None)
    server = request.getfixturevalue("dovecot_factory")(
        separator=".",
        prefix="INBOX.",
        special_folders={
            "Drafts": "\\Drafts",
            "Sent": "\\Sent",
            "Trash": "\\Trash",
            "Junk": "\\Junk",
            "Archive": "\\Archive",
        },
    )
    return _new_account(server, oidc_provider, smtp_server, None, None, None)


def test_roles_and_names_without_the_prefix_are_accepted(tmp_path: Path, inbox_prefixed) -> None:
    account, dove = inbox_prefixed, inbox_prefixed.dovecot
    dove.create_folder(account.address, f"INBOX.{REPORTS}")
    dove.deliver(account.address, message(subject="À classer")[0])
    dove.deliver(account.address, message(subject="Compte rendu")[0])
    dove.deliver(account.address, message(subject="Envoyé")[0], folder="INBOX.Sent")
    pli = Pli(tmp_path / "profile")
    pli.add_account("cab", account)
    pli("sync").ok()
    names = {f["name"] for f in pli("folders", "--json").ok().json()["folders"]}
    assert {"INBOX", "INBOX.Sent", "INBOX.Archive", f"INBOX.{REPORTS}"} <= names

    sent = pli("list", "--account", "cab", "--folder", "Sent", "--json").ok().json()
    assert [m["subject"] for m in sent["messages"]] == ["Envoyé"]
    inbox = {m["subject"]: m["id"] for m in pli("list", "--json").ok().json()["messages"]}

    pli("move", str(inbox["À classer"]), "--to", "Archive").ok()
    pli("move", str(inbox["Compte rendu"]), "--to", REPORTS).ok()
    assert [m.message_id for m in dove.messages(account.address, "INBOX.Archive")] != []
    assert len(dove.messages(account.address, f"INBOX.{REPORTS}")) == 1
    assert dove.messages(account.address, "INBOX") == []
    archived = pli("list", "--account", "cab", "--folder", "archive", "--json").ok().json()
    assert [m["subject"] for m in archived["messages"]] == ["À classer"]
    assert archived["messages"][0]["folder"] == "INBOX.Archive"
    # The next sync finds everything where it is: nothing twice, nothing lost.
    pli("sync").ok()
    assert len(pli("list", "--json").ok().json()["messages"]) == 3
    unknown = pli("list", "--account", "cab", "--folder", "Nulle part")
    assert unknown.code == 4
