"""Sending through a real Postfix 3.7 (tests/servers/postfix.py), end to end with `pli`: Postfix
queues what it accepts and delivers it a moment later by LMTP, so the hidden self-copy (Pli's
evidence that the message left) reaches the inbox after Pli has filed the message in Sent;
a connection dropped in the middle of the data or before the answer never sends a message
twice. The refusals (#4, #5, #6) run on both servers in test_sending_failures.py."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.test_oidc import add_oauth_account, browser_flow
from tests.integration.test_sending import body_file, make_user, server_raw
from tests.servers.fixtures import PostfixRoute
from tests.servers.postfix import CuttingProxy
from tests.support.cli import Pli

pytestmark = pytest.mark.integration


@pytest.fixture
def proxy(postfix_route: PostfixRoute) -> Iterator[CuttingProxy]:
    """A relay to Postfix's submission port that can drop a connection in the middle."""
    postfix = postfix_route.postfix
    relay = CuttingProxy((postfix.host, postfix.submission_port))
    yield relay
    relay.close()


def _message_ids(account, folder: str) -> list[str]:
    """Message-IDs in ``folder`` ("Sent": the server's own name for it, e.g. INBOX.Sent)."""
    return [m.message_id for m in account.dovecot.messages(account.address, account.folder(folder))]


def _short_grace(pli: Pli, seconds: int = 2) -> None:
    """An uncertain submission not found after ``seconds`` is sent again (default 120 s)."""
    pli.profile.mkdir(parents=True, exist_ok=True)
    (pli.profile / "settings.json").write_text(
        f'{{"sending": {{"uncertain_grace_seconds": {seconds}}}}}'
    )


def _send(pli: Pli, to: str, tmp_path: Path, text: str, *extra: str):
    return pli(
        "send",
        "--to",
        to,
        "--subject",
        "Compte rendu",
        "--body-file",
        body_file(tmp_path, text),
        *extra,
    )


@pytest.mark.parametrize("security", ["starttls", "tls"])
def test_a_message_through_postfix_arrives_by_lmtp_and_is_filed_once(
    tmp_path: Path, postfix_route: PostfixRoute, security: str
) -> None:
    postfix, make_account = postfix_route.postfix, postfix_route.make_account
    a_account, b_account = make_account(), make_account()
    a = Pli(tmp_path / "a")
    a.add_account("a", a_account, security=security)
    sent = _send(a, b_account.address, tmp_path, "Cher confrère,\nci-joint.", "--json")
    assert sent.code == 0, sent
    outcome = sent.json()
    assert outcome["state"] == "filed"
    message_id = outcome["message_id"]
    b_account.dovecot.wait_for_messages(b_account.address, "INBOX", 1, 20)
    received = server_raw(b_account, "INBOX", message_id)
    # It went through Postfix (authenticated, over TLS).
    assert "(Postfix) with ESMTPSA" in " ".join(received.get_all("Received", []))
    assert received.get_body(("plain",)).get_content().startswith("Cher confrère")
    # Postfix may deliver the hidden copy after Pli has filed: it must not stay in the inbox
    # (taken out at once, or by the next sync when it came late).
    postfix.wait_queue_empty()
    assert _message_ids(a_account, "Sent") == [message_id]
    a("sync").ok()
    assert _message_ids(a_account, "INBOX") == []
    listed = a("list", "--json").ok().json()["messages"]
    assert [m["folder"] for m in listed] == [a_account.folder("Sent")]
    (entry,) = a("outbox", "--json").json()["entries"]
    assert entry["state"] == "filed"
    b = Pli(tmp_path / "b")
    b.add_account("b", b_account)
    b("sync").ok()
    (got,) = b("list", "--json").ok().json()["messages"]
    assert got["folder"] == "INBOX"


def test_a_connection_dropped_in_the_middle_of_the_data_sends_the_message_once_later(
    tmp_path: Path, postfix_route: PostfixRoute, proxy: CuttingProxy
) -> None:
    postfix, make_account = postfix_route.postfix, postfix_route.make_account
    a_account, b_account = make_account(), make_account()
    a = make_user(tmp_path, a_account, "a")
    _short_grace(a)
    a("account", "set", "a", "--smtp", f"{proxy.host}:{proxy.port}").ok()
    proxy.cut_after(60_000)  # well inside the ~300 kB of data, TLS included
    first = _send(a, b_account.address, tmp_path, "Compte rendu détaillé.\n" * 13_000, "--json")
    assert proxy.cuts == 1
    assert first.code == 75, first
    # Queued, or uncertain when the whole message had already gone into the socket's buffer:
    # Pli cannot know then that Postfix did not get its end.
    assert first.json()["state"] in ("queued", "uncertain")
    postfix.wait_queue_empty()
    assert b_account.dovecot.messages(b_account.address) == []  # Postfix kept nothing
    time.sleep(2.5)  # past the grace: not found on the server, so sent again
    a("outbox", "--flush").ok()
    (entry,) = a("outbox", "--json").json()["entries"]
    assert entry["state"] == "filed"
    b_account.dovecot.wait_for_messages(b_account.address, "INBOX", 1, 20)
    postfix.wait_queue_empty()
    a("outbox", "--flush").ok()
    assert proxy.connections == 2
    assert _message_ids(b_account, "INBOX") == [entry["message_id"]]
    assert _message_ids(a_account, "Sent") == [entry["message_id"]]


def test_an_answer_lost_after_the_data_is_looked_for_and_never_sent_twice(
    tmp_path: Path, postfix_route: PostfixRoute, proxy: CuttingProxy
) -> None:
    postfix, make_account = postfix_route.postfix, postfix_route.make_account
    a_account, b_account = make_account(), make_account()
    a = make_user(tmp_path, a_account, "a")
    _short_grace(a)
    a("account", "set", "a", "--smtp", f"{proxy.host}:{proxy.port}").ok()
    proxy.swallow_reply_after(60_000)  # Postfix accepts the ~300 kB message; Pli never hears it
    first = _send(a, b_account.address, tmp_path, "Compte rendu détaillé.\n" * 13_000, "--json")
    assert proxy.cuts == 1
    # Found at once by its hidden copy (then sent: exit 0), or uncertain until it is found.
    state = first.json()["state"]
    assert (first.code, state) in ((0, "filed"), (0, "submitted"), (75, "uncertain")), first
    b_account.dovecot.wait_for_messages(b_account.address, "INBOX", 1, 20)
    postfix.wait_queue_empty()  # the hidden copy has reached A's inbox: the evidence
    time.sleep(2.5)  # past the grace: only finding it keeps it from being sent again
    for _ in range(2):
        a("outbox", "--flush").ok()
    (entry,) = a("outbox", "--json").json()["entries"]
    assert entry["state"] == "filed"
    postfix.wait_queue_empty()
    assert proxy.connections == 1  # found by its Message-ID: never submitted again
    assert _message_ids(b_account, "INBOX") == [entry["message_id"]]
    assert _message_ids(a_account, "Sent") == [entry["message_id"]]
    assert _message_ids(a_account, "INBOX") == []


def test_a_hidden_copy_delivered_after_the_filing_never_stays_in_the_inbox(
    tmp_path: Path, postfix_route: PostfixRoute
) -> None:
    """A busy server delivers a while after it accepted: the hidden copy reaches the inbox
    after Pli filed the message in Sent. It must not stay there as mail from oneself."""
    postfix, make_account = postfix_route.postfix, postfix_route.make_account
    a_account, b_account = make_account(), make_account()
    a = make_user(tmp_path, a_account, "a")
    postfix.hold_mail_from(a_account.address)
    sent = _send(a, b_account.address, tmp_path, "Cher confrère,\nci-joint.", "--json")
    assert sent.code == 0, sent
    message_id = sent.json()["message_id"]
    assert len(postfix.held()) == 1  # accepted, not delivered yet
    assert _message_ids(a_account, "Sent") == [message_id]
    postfix.release_held()
    postfix.wait_queue_empty()
    assert _message_ids(b_account, "INBOX") == [message_id]
    a("sync").ok()
    assert _message_ids(a_account, "INBOX") == []
    listed = a("list", "--json").ok().json()["messages"]
    assert [m["folder"] for m in listed] == [a_account.folder("Sent")]
    (entry,) = a("outbox", "--json").json()["entries"]
    assert entry["state"] == "filed"
    a("sync").ok()
    assert _message_ids(a_account, "Sent") == [message_id]


def test_postfixs_own_delivery_reports_update_the_status(
    tmp_path: Path, postfix_route: PostfixRoute
) -> None:
    """Postfix's real RFC 3464 reports: 'delivered' by LMTP for one recipient, and a bounce
    for another whose mailbox refused the message after Postfix had accepted it (full)."""
    postfix, make_account = postfix_route.postfix, postfix_route.make_account
    a_account, b_account = make_account(), make_account()
    full = make_account(quota_bytes=2_000)
    a = make_user(tmp_path, a_account, "a")
    sent = _send(
        a,
        b_account.address,
        tmp_path,
        "Compte rendu détaillé.\n" * 300,
        "--cc",
        full.address,
        "--dsn",
        "--json",
    )
    assert sent.code == 0, sent
    assert sent.json()["refused"] == []  # both accepted at RCPT: the refusal comes later
    postfix.wait_queue_empty()
    b_account.dovecot.wait_for_messages(b_account.address, "INBOX", 1, 20)
    postfix.wait_queue_empty()  # both reports delivered to A's inbox
    a("sync").ok()
    (entry,) = a("outbox", "--json").json()["entries"]
    assert entry["status"][b_account.address]["status"] == "delivered"
    assert entry["status"][full.address]["status"] == "failed"
    assert "quota" in (entry["status"][full.address]["detail"] or "").lower()
    assert full.dovecot.messages(full.address) == []


def test_recipients_refused_for_now_leave_the_message_queued_not_failed(
    tmp_path: Path, postfix_route: PostfixRoute
) -> None:
    """Postfix answers 451 4.3.0 'Temporary lookup failure' at RCPT when its recipient
    directory is down: nothing is wrong with the message, it must wait and leave later."""
    postfix, make_account = postfix_route.postfix, postfix_route.make_account
    a_account, b_account = make_account(), make_account()
    a = make_user(tmp_path, a_account, "a")
    postfix.fail_lookups()
    try:
        result = _send(a, b_account.address, tmp_path, "Cher confrère,\nci-joint.", "--json")
        assert result.code == 75, result
        assert result.json()["state"] == "queued"
        (entry,) = a("outbox", "--json").json()["entries"]
        assert entry["state"] == "queued"
        assert "Temporary lookup failure" in entry["reason"]
        said = a("outbox").out
        assert "Temporary lookup failure" in said and a_account.smtp_host in said
    finally:
        postfix.fail_lookups(False)
    a("outbox", "--flush").ok()
    (entry,) = a("outbox", "--json").json()["entries"]
    assert entry["state"] in ("submitted", "filed")
    postfix.wait_queue_empty()
    assert _message_ids(b_account, "INBOX") == [entry["message_id"]]


def test_a_login_that_fails_for_now_is_not_a_refused_password(
    tmp_path: Path, postfix_route: PostfixRoute
) -> None:
    """Postfix answers 454 4.7.0 'Temporary authentication failure' when its authentication
    back end is down: the password is not wrong, the message waits and leaves later."""
    postfix, make_account = postfix_route.postfix, postfix_route.make_account
    a_account, b_account = make_account(), make_account()
    a = make_user(tmp_path, a_account, "a")
    postfix.break_sasl()
    try:
        result = _send(a, b_account.address, tmp_path, "Cher confrère,\nci-joint.")
        assert result.code == 75, result
        said = result.out + result.err
        assert "refused the login" not in said and "cannot be reached" not in said
        assert a_account.smtp_host in said and "Temporary authentication failure" in said
        (entry,) = a("outbox", "--json").json()["entries"]
        assert entry["state"] == "queued"
        assert entry["last_error"] == "server.temporary_failure"
    finally:
        postfix.break_sasl(False)
    a("outbox", "--flush").ok()
    (entry,) = a("outbox", "--json").json()["entries"]
    assert entry["state"] in ("submitted", "filed")
    postfix.wait_queue_empty()
    assert _message_ids(b_account, "INBOX") == [entry["message_id"]]


def test_a_flush_sends_what_waited_over_one_connection_each_once(
    tmp_path: Path, postfix_route: PostfixRoute, proxy: CuttingProxy
) -> None:
    postfix, make_account = postfix_route.postfix, postfix_route.make_account
    a_account, b_account = make_account(), make_account()
    a = make_user(tmp_path, a_account, "a")
    a("account", "set", "a", "--smtp", "127.0.0.1:9").ok()  # nothing listens: offline
    for n in range(3):
        queued = _send(a, b_account.address, tmp_path, f"Compte rendu {n}.", "--json")
        assert queued.code == 75, queued
    a("account", "set", "a", "--smtp", f"{proxy.host}:{proxy.port}").ok()
    a("outbox", "--flush").ok()
    assert proxy.connections == 1  # one submission session for the three
    postfix.wait_queue_empty()
    entries = a("outbox", "--json").json()["entries"]
    assert {e["state"] for e in entries} <= {"submitted", "filed"}
    ids = sorted(e["message_id"] for e in entries)
    assert len(ids) == 3
    assert sorted(_message_ids(b_account, "INBOX")) == ids
    a("sync").ok()
    assert sorted(_message_ids(a_account, "Sent")) == ids
    assert _message_ids(a_account, "INBOX") == []


def test_a_pro_sante_connect_login_sends_through_postfix_with_xoauth2(
    tmp_path: Path, mail_account_factory, oidc_provider, postfix_dovecot_auth
) -> None:
    """Postfix with Dovecot's SASL, which checks the access token at the provider: the
    message leaves with XOAUTH2 (ECO.1.2.1), never with a password."""
    postfix = postfix_dovecot_auth
    b_account = mail_account_factory()
    a_account = dataclasses.replace(
        mail_account_factory(),
        smtp_host=postfix.host,
        smtp_port=postfix.submission_port,
        smtps_port=postfix.smtps_port,
    )
    a = Pli(tmp_path / "a")
    add_oauth_account(a, a_account, oidc_provider)
    browser_flow(a, a_account, oidc_provider)
    sent = _send(a, b_account.address, tmp_path, "Cher confrère,\nci-joint.", "--json")
    assert sent.code == 0, sent
    message_id = sent.json()["message_id"]
    postfix.wait_queue_empty()
    assert _message_ids(b_account, "INBOX") == [message_id]
    log = postfix.log_text()
    assert f"sasl_method=XOAUTH2, sasl_username={a_account.address}" in log
    for mechanism in ("PLAIN", "LOGIN"):
        assert f"sasl_method={mechanism}, sasl_username={a_account.address}" not in log
    # The session revoked at the provider: Postfix (Dovecot) refuses the token, the refresh is
    # refused too: log in again, nothing lost.
    oidc_provider.revoke(a_account.address)
    ended = _send(a, b_account.address, tmp_path, "Deuxième envoi.")
    assert ended.code == 5, ended
    assert "pli account login" in ended.err + ended.out
    entries = a("outbox", "--json").json()["entries"]
    waiting = [e for e in entries if e["message_id"] != message_id]
    assert [e["state"] for e in waiting] == ["queued"]
    postfix.wait_queue_empty()
    assert _message_ids(b_account, "INBOX") == [message_id]


def test_a_sent_message_the_user_moves_to_the_inbox_is_never_taken_for_the_hidden_copy(
    tmp_path: Path, postfix_route: PostfixRoute
) -> None:
    """The late-copy clean-up removes an inbox copy only while the copy in Sent is there: a
    message moved from Sent to the inbox (in another client) is the user's only copy."""
    postfix, make_account = postfix_route.postfix, postfix_route.make_account
    a_account, b_account = make_account(), make_account()
    a = make_user(tmp_path, a_account, "a")
    sent = _send(a, b_account.address, tmp_path, "Cher confrère,\nci-joint.", "--json")
    assert sent.code == 0, sent
    message_id = sent.json()["message_id"]
    postfix.wait_queue_empty()
    a("sync").ok()
    assert _message_ids(a_account, "INBOX") == []
    server, sent_folder = a_account.dovecot, a_account.folder("Sent")
    (info,) = server.messages(a_account.address, sent_folder)
    raw = server.fetch_raw(a_account.address, sent_folder, info.uid)
    server.deliver(a_account.address, raw, "INBOX")  # moved by the user in another client
    server.expunge(a_account.address, sent_folder, [info.uid])
    for _ in range(2):
        a("sync").ok()
    assert _message_ids(a_account, "INBOX") == [message_id]
    assert _message_ids(a_account, "Sent") == []
    # Still in the archive's inbox (the archive may keep the Sent copy as it was).
    listed = a("list", "--json").ok().json()["messages"]
    assert "INBOX" in [m["folder"] for m in listed]
