"""Sending failures told as they are (issue 14: #4 login refused, #5 SIZE, #6 every recipient
refused, and a partial refusal), the same outcome for the command line and the window (the
services carry it). Each runs through both submission servers of the suite (`submission`):
Pli's own SMTP server (faults injected) and a real Postfix 3.7 (the refusals are its own:
a wrong submission password, its default SIZE of 10,240,000 bytes, unknown users at RCPT)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.integration.test_sending import body_file, make_user
from tests.servers.fixtures import MailAccount, postfix_cyrus_accounts
from tests.servers.postfix import PostfixServer
from tests.servers.smtp import SmtpServer

pytestmark = pytest.mark.integration


@dataclass
class Submission:
    """One submission server and how a test makes it refuse things."""

    name: str
    make_account: Callable[..., MailAccount]
    smtp: SmtpServer | None = None
    postfix: PostfixServer | None = None

    def refuse_logins(self, account: MailAccount) -> None:
        """Make the server refuse ``account``'s login (535) until `accept_logins`."""
        if self.postfix is not None:
            self.postfix.set_password(account.address, "pas-" + account.password)
        else:
            assert self.smtp is not None
            self.smtp.fail_command("AUTH", "535 5.7.8 Error: authentication failed", count=5)

    def accept_logins(self, account: MailAccount) -> None:
        if self.postfix is not None:
            self.postfix.set_password(account.address, account.password)
        else:
            assert self.smtp is not None
            self.smtp.reset_faults()

    def settle(self) -> None:
        """Wait until what the server accepted has been delivered (Postfix queues first)."""
        if self.postfix is not None:
            self.postfix.wait_queue_empty()

    def wait_delivered(self, account: MailAccount, count: int = 1) -> None:
        account.dovecot.wait_for_messages(account.address, "INBOX", count, 20)


@pytest.fixture(params=["pli-smtp", "postfix", "postfix-cyrus"])
def submission(request: pytest.FixtureRequest) -> Submission:
    """Each test through Pli's SMTP server, through Postfix into Dovecot, and through Postfix
    into Cyrus (the accounts then live on Cyrus)."""
    if request.param == "postfix":
        return Submission(
            "postfix",
            request.getfixturevalue("postfix_account_factory"),
            postfix=request.getfixturevalue("postfix"),
        )
    if request.param == "postfix-cyrus":
        postfix = request.getfixturevalue("postfix_cyrus")
        make = postfix_cyrus_accounts(
            request.getfixturevalue("cyrus"), request.getfixturevalue("oidc_provider"), postfix
        )
        return Submission("postfix-cyrus", make, postfix=postfix)
    return Submission(
        "pli-smtp",
        request.getfixturevalue("mail_account_factory"),
        smtp=request.getfixturevalue("smtp_server"),
    )


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
    tmp_path: Path, submission: Submission
) -> None:
    a_account, b_account = submission.make_account(), submission.make_account()
    a = make_user(tmp_path, a_account, "a")
    submission.refuse_logins(a_account)
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
    submission.accept_logins(a_account)
    a("outbox", "--flush").ok()
    (entry,) = a("outbox", "--json").json()["entries"]
    assert entry["state"] == "filed"
    submission.wait_delivered(b_account)
    submission.settle()
    assert len(b_account.dovecot.messages(b_account.address)) == 1


def test_every_visible_recipient_refused_is_a_failure_not_sent(
    tmp_path: Path, submission: Submission
) -> None:
    a_account = submission.make_account()
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
    submission.settle()
    assert a_account.dovecot.messages(a_account.address, a_account.folder("Sent")) == []
    assert a_account.dovecot.messages(a_account.address, "INBOX") == []
    if submission.smtp is not None:
        transactions = submission.smtp.transactions
        assert all(not tx.data for tx in transactions if tx.auth_login == a_account.address)


def test_some_recipients_refused_are_named_and_the_others_served(
    tmp_path: Path, submission: Submission
) -> None:
    a_account, b_account = submission.make_account(), submission.make_account()
    a = make_user(tmp_path, a_account, "a")
    nobody = "personne.inconnue@" + a_account.address.split("@")[1]
    result = _send(a, b_account.address, tmp_path, "x", "--cc", nobody, "--json")
    assert result.code == 0, result
    outcome = result.json()
    assert outcome["state"] == "filed"
    (refused,) = outcome["refused"]
    assert refused["address"] == nobody and refused["code"] == 550
    assert "User unknown" in refused["text"]
    (entry,) = a("outbox", "--json").json()["entries"]
    assert entry["status"][nobody]["status"] == "failed"
    assert entry["status"][b_account.address]["status"] == "submitted"
    submission.wait_delivered(b_account)
    submission.settle()
    assert len(b_account.dovecot.messages(b_account.address)) == 1
    assert len(a_account.dovecot.messages(a_account.address, a_account.folder("Sent"))) == 1


#: A body that passes Pli's own 10 MiB rule (10,485,760 bytes) and is over Postfix's default
#: SIZE (10,240,000) once its lines end in CRLF, as on the wire: 144,000 lines of 70 bytes.
_LINE = ("Compte rendu de consultation, examen clinique sans particularite. " * 2)[:70]
BIG_BODY = (_LINE + "\n") * 144_000


# The SIZE limit is Postfix's whatever it delivers into: not run again through Cyrus.
@pytest.mark.parametrize("submission", ["pli-smtp", "postfix"], indirect=True)
def test_a_message_over_the_servers_size_is_explained(
    tmp_path: Path, submission: Submission, request: pytest.FixtureRequest
) -> None:
    if submission.postfix is not None:
        limit, text = submission.postfix.message_size_limit, BIG_BODY
        assert limit == 10_240_000  # Postfix's own default, below Pli's rule
    else:
        limit, text = request.getfixturevalue("small_smtp"), "Compte rendu. " * 3_000
    a_account, b_account = submission.make_account(), submission.make_account()
    a = make_user(tmp_path, a_account, "a")
    result = _send(a, b_account.address, tmp_path, text)
    assert result.code == 8, result
    said = result.out + result.err
    assert f"too large for this server (limit {limit:,} bytes" in said
    assert "several messages" in said
    (entry,) = a("outbox", "--json").json()["entries"]
    assert entry["state"] == "failed"
    assert entry["last_error"] == "server.message_too_large"
    assert f"too large for this server (limit {limit:,} bytes" in entry["reason"]
    assert "too large for this server" in a("outbox").out
    submission.settle()
    assert b_account.dovecot.messages(b_account.address) == []


def test_a_full_mailbox_hides_the_self_copy_at_once_and_says_why(
    tmp_path: Path, submission: Submission
) -> None:
    # Room for the hidden copy delivered to the inbox, not for a second copy in Sent.
    a_account = submission.make_account(quota_bytes=45_000)
    b_account = submission.make_account()
    a = make_user(tmp_path, a_account, "a")
    result = _send(a, b_account.address, tmp_path, "Compte rendu. " * 2_000)
    assert result.code == 0, result
    assert "could not be made" in result.err and "is full" in result.err
    assert "?" not in result.err
    # The server's own words (Dovecot's, or Cyrus's NO without [OVERQUOTA]).
    assert "Quota exceeded" in result.err or "Over quota" in result.err
    submission.wait_delivered(b_account)
    assert len(b_account.dovecot.messages(b_account.address)) == 1
    # The hidden copy is gone from the inbox at once, on the server and in the archive (through
    # Postfix, which may deliver it after the filing: at the next sync).
    if submission.postfix is not None:
        submission.settle()
        a("sync").ok()
    assert a_account.dovecot.messages(a_account.address, "INBOX") == []
    a("sync").ok()
    listed = a("list", "--json").ok().json()
    assert [m for m in listed["messages"] if m.get("folder") == "INBOX"] == []
    # The room the hidden copy took is free again: the next sync files the copy in Sent.
    (entry,) = a("outbox", "--json").json()["entries"]
    assert entry["state"] == "filed"
    assert len(a_account.dovecot.messages(a_account.address, a_account.folder("Sent"))) == 1
