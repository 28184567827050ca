"""Through a real Postfix 3.7: one recipient accepted, another answered ``451 4.3.0 Temporary
lookup failure`` (its directory down for that address alone). The message goes to the first at
once and to the second once the directory is back, with the same Message-ID; each gets it
exactly once, Sent holds one copy, and the hidden copies (delivered late by Postfix's queue)
do not stay in the inbox."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.test_sending import body_file, make_user
from tests.servers.fixtures import PostfixRoute

pytestmark = pytest.mark.integration


def _message_ids(account, folder: str) -> list[str]:
    return [m.message_id for m in account.dovecot.messages(account.address, account.folder(folder))]


def test_a_recipient_refused_for_now_by_postfix_gets_the_message_once_it_recovers(
    tmp_path: Path, postfix_route: PostfixRoute
) -> None:
    postfix, make_account = postfix_route.postfix, postfix_route.make_account
    a_account, b_account, c_account = make_account(), make_account(), make_account()
    a = make_user(tmp_path, a_account, "a")
    postfix.fail_lookup_of(c_account.address)
    try:
        sent = a(
            "send",
            "--to",
            b_account.address,
            c_account.address,
            "--subject",
            "Compte rendu",
            "--body-file",
            body_file(tmp_path, "Cher confrère,\nci-joint."),
            "--json",
        )
        assert sent.code == 0, sent
        message_id = sent.json()["message_id"]
        (entry,) = a("outbox", "--json").ok().json()["entries"]
        assert entry["state"] == "filed"
        waiting = entry["status"][c_account.address]
        assert waiting["status"] == "pending"
        assert waiting["detail"].startswith("451 4.3.0")
        assert "Temporary lookup failure" in waiting["detail"]
        assert "waiting (the server answered: 451 4.3.0" in a("outbox").ok().out
        postfix.wait_queue_empty()
        assert _message_ids(b_account, "INBOX") == [message_id]
        assert _message_ids(c_account, "INBOX") == []
        # Still down: tried again, still waiting.
        assert a("outbox", "--flush").code == 75
        (entry,) = a("outbox", "--json").ok().json()["entries"]
        assert entry["status"][c_account.address]["status"] == "pending"
    finally:
        postfix.fail_lookup_of(c_account.address, False)
    a("outbox", "--flush").ok()
    postfix.wait_queue_empty()
    c_account.dovecot.wait_for_messages(c_account.address, "INBOX", 1, 20)
    assert _message_ids(c_account, "INBOX") == [message_id]
    assert _message_ids(b_account, "INBOX") == [message_id]
    (entry,) = a("outbox", "--json").ok().json()["entries"]
    assert entry["state"] == "filed" and entry["refused"] == []
    assert {s["status"] for s in entry["status"].values()} == {"submitted"}
    # Sent: one copy. The hidden copies Postfix delivered (maybe late) leave the inbox.
    for _sync in range(3):  # a copy delivered after a sync's pass is taken out by the next
        a("sync").ok()
        if not _message_ids(a_account, "INBOX"):
            break
    assert _message_ids(a_account, "Sent") == [message_id]
    assert _message_ids(a_account, "INBOX") == []
    a("outbox", "--flush").ok()
    postfix.wait_queue_empty()
    assert _message_ids(c_account, "INBOX") == [message_id]
    assert _message_ids(b_account, "INBOX") == [message_id]
