"""Sending failures told as they are (issue 14: #4 login refused, #5 SIZE, #6 every recipient
refused), through the real SMTP server: the same outcome for the command line and the window
(the services carry it)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.test_sending import body_file, make_user

pytestmark = pytest.mark.integration


@pytest.fixture
def small_smtp(smtp_server) -> Iterator[int]:
    """The shared SMTP server announcing a small SIZE for this test only."""
    before = smtp_server.size_limit
    smtp_server.size_limit = 20_000
    try:
        yield 20_000
    finally:
        smtp_server.size_limit = before


def _send(pli, to: str, tmp_path: Path, text: str = "x", *extra: str):
    return pli(
        "send",
        "--to",
        to,
        "--subject",
        "Essai",
        "--body-file",
        body_file(tmp_path, text),
        *extra,
    )


def test_a_login_refused_at_submission_is_an_authentication_failure(
    tmp_path: Path, mail_account_factory, smtp_server
) -> None:
    a_account, b_account = mail_account_factory(), mail_account_factory()
    a = make_user(tmp_path, a_account, "a")
    smtp_server.fail_command("AUTH", "535 5.7.8 Error: authentication failed", count=5)
    result = _send(a, b_account.address, tmp_path)
    assert result.code == 5, result
    assert a_account.smtp_host in result.err + result.out
    assert "?" not in result.err
    assert "refused the login" in result.err + result.out
    assert "cannot be reached" not in result.err + result.out
    (entry,) = a("outbox", "--json").json()["entries"]
    assert entry["state"] == "queued"
    assert entry["last_error"] == "auth.bad_credentials"
    assert "refused the login" in entry["reason"]
    assert "refused the login" in a("outbox").out
    synced = a("sync")
    assert synced.code == 0
    assert "the outbox waits" in synced.err and a_account.smtp_host in synced.err
    assert "refused the login" in synced.err
    smtp_server.reset_faults()
    a("outbox", "--flush").ok()
    (entry,) = a("outbox", "--json").json()["entries"]
    assert entry["state"] == "filed"
    assert len(b_account.dovecot.messages(b_account.address)) == 1


def test_every_visible_recipient_refused_is_a_failure_not_sent(
    tmp_path: Path, mail_account_factory, smtp_server
) -> None:
    a_account = mail_account_factory()
    a = make_user(tmp_path, a_account, "a")
    nobody = "personne.inconnue@" + a_account.address.split("@")[1]
    result = _send(a, nobody, tmp_path, "x", "--json")
    assert result.code in (3, 8), result
    outcome = result.json()
    assert outcome["state"] == "failed"
    (refused,) = outcome["refused"]
    assert refused["address"] == nobody and refused["code"] == 550
    assert "User unknown" in refused["text"]
    text = _send(a, nobody, tmp_path, "y")
    assert text.code in (3, 8)
    assert "Sent" not in text.out.split("\n")[0]
    assert nobody in text.out + text.err and "550" in text.out + text.err
    entries = a("outbox", "--json").json()["entries"]
    assert {e["state"] for e in entries} == {"failed"}
    # Not filed in Sent, and the hidden self-copy did not travel alone.
    assert a_account.dovecot.messages(a_account.address, "Sent") == []
    assert a_account.dovecot.messages(a_account.address, "INBOX") == []
    assert all(not tx.data for tx in smtp_server.transactions if tx.auth_login == a_account.address)


def test_a_message_over_the_servers_size_is_explained(
    tmp_path: Path, mail_account_factory, small_smtp
) -> None:
    a_account, b_account = mail_account_factory(), mail_account_factory()
    a = make_user(tmp_path, a_account, "a")
    result = _send(a, b_account.address, tmp_path, "Compte rendu. " * 3_000)
    assert result.code == 8, result
    said = result.out + result.err
    assert "too large for this server (limit 20,000 bytes" in said
    assert "several messages" in said
    (entry,) = a("outbox", "--json").json()["entries"]
    assert entry["state"] == "failed"
    assert entry["last_error"] == "server.message_too_large"
    assert "too large for this server (limit 20,000 bytes" in entry["reason"]
    assert "too large for this server" in a("outbox").out
    assert b_account.dovecot.messages(b_account.address) == []


def test_a_full_mailbox_hides_the_self_copy_at_once_and_says_why(
    tmp_path: Path, mail_account_factory
) -> None:
    # Room for the hidden copy delivered to the inbox, not for a second copy in Sent.
    a_account = mail_account_factory(quota_bytes=45_000)
    b_account = mail_account_factory()
    a = make_user(tmp_path, a_account, "a")
    result = _send(a, b_account.address, tmp_path, "Compte rendu. " * 2_000)
    assert result.code == 0, result
    assert "could not be made" in result.err and "is full" in result.err
    assert "?" not in result.err
    assert "Quota exceeded" in result.err  # the server's own words
    assert len(b_account.dovecot.messages(b_account.address)) == 1
    # The hidden copy is gone from the inbox at once, on the server and in the archive.
    assert a_account.dovecot.messages(a_account.address, "INBOX") == []
    a("sync").ok()
    listed = a("list", "--json").ok().json()
    assert [m for m in listed["messages"] if m.get("folder") == "INBOX"] == []
    # The room the hidden copy took is free again: the next sync files the copy in Sent.
    (entry,) = a("outbox", "--json").json()["entries"]
    assert entry["state"] == "filed"
    assert len(a_account.dovecot.messages(a_account.address, "Sent")) == 1
