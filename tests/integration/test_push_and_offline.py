"""New mail pushed by IMAP IDLE; actions done offline replayed in order once reachable.

On Dovecot and on Cyrus in both namespace layouts (``imap_account``)."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import pytest

from tests.support.cli import Pli
from tests.support.mail import message

pytestmark = pytest.mark.integration


def wait_for(predicate, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError("condition not reached in time")


def subjects(pli: Pli) -> set[str]:
    return {m["subject"] for m in pli("list", "--json").ok().json()["messages"]}


def test_watch_follows_new_mail_pushed_by_idle(tmp_path: Path, imap_account) -> None:
    pli = Pli(tmp_path / "profile")
    pli.add_account("cab", imap_account)
    server = imap_account.server
    server.deliver(imap_account.address, message(subject="Avant")[0])
    process = pli.popen("sync", "--watch", "--interval", "3")
    try:
        assert process.stderr is not None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if "Watching" in process.stderr.readline():
                break
        server.deliver(imap_account.address, message(subject="Poussé par IDLE")[0])
        wait_for(lambda: "Poussé par IDLE" in subjects(pli))
        # Other folders are looked at on the interval.
        biologie = imap_account.folder("Biologie")
        server.create_folder(imap_account.address, biologie)
        server.deliver(
            imap_account.address, message(subject="Dans un autre dossier")[0], folder=biologie
        )
        wait_for(lambda: "Dans un autre dossier" in subjects(pli))
        body = next(
            m for m in pli("list", "--json").json()["messages"] if m["subject"] == "Poussé par IDLE"
        )
        assert body["archived"]
    finally:
        process.send_signal(signal.SIGTERM)
        _out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert "Stopped." in err


def test_actions_done_offline_are_replayed_in_order(tmp_path: Path, imap_account) -> None:
    server = imap_account.server
    for name in ("Un", "Deux", "Trois"):
        server.deliver(imap_account.address, message(subject=name)[0])
    pli = Pli(tmp_path / "profile")
    pli.add_account("cab", imap_account)
    pli("sync").ok()
    ids = {m["subject"]: m["id"] for m in pli("list", "--json").json()["messages"]}

    good = f"{imap_account.imap_host}:{imap_account.imap_port}"
    pli("account", "set", "cab", "--imap", "127.0.0.1:9").ok()  # unreachable from now on
    flagged = pli("flag", str(ids["Un"]), "--set", "read", "--set", "flagged", "--json").ok()
    assert flagged.json()["sent_to_server"] is False
    assert "next sync" in pli("move", str(ids["Deux"]), "--to", "Archive").ok().out
    pli("flag", str(ids["Deux"]), "--set", "answered").ok()  # after the move: same order
    pli("delete", str(ids["Trois"])).ok()
    # Done locally at once.
    local = {m["subject"]: m for m in pli("list", "--json").json()["messages"]}
    assert set(local) == {"Un", "Deux"}
    assert local["Un"]["flags"] == ["seen", "flagged"]
    archive_name = imap_account.folder("Archive")  # INBOX.Archive on Cyrus's "inbox" layout
    assert local["Deux"]["folder"] == archive_name
    offline = pli("sync")
    assert offline.code == 6
    assert pli("account", "list", "--json").json()["accounts"][0]["pending_operations"] == 4
    assert {m.message_id for m in server.messages(imap_account.address)} and len(
        server.messages(imap_account.address)
    ) == 3  # nothing reached the server yet

    pli("account", "set", "cab", "--imap", good).ok()
    report = pli("sync", "--json").ok().json()["accounts"][0]
    assert report["replayed_operations"] == 4
    inbox = server.messages(imap_account.address, "INBOX")
    archive = server.messages(imap_account.address, archive_name)
    assert len(inbox) == 1
    assert set(inbox[0].flags) == {"\\Seen", "\\Flagged"}
    assert len(archive) == 1
    assert "\\Answered" in archive[0].flags
    assert pli("account", "list", "--json").json()["accounts"][0]["pending_operations"] == 0
    # And nothing came back: the deleted one stays deleted, the moved one is not doubled.
    assert sorted(subjects(pli)) == ["Deux", "Un"]
    replays = pli("audit", "--action", "replay.", "--json").json()["entries"]
    assert [e["action"] for e in replays] == [
        "replay.flags",
        "replay.move",
        "replay.flags",
        "replay.expunge",
    ]
