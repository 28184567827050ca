"""Leaving IMAP IDLE properly (issue 14 #1, #2): DONE is sent and its completion read before
LOGOUT or any other command, on every path out of IDLE; a BYE or the end of the stream during
IDLE is seen at once."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.domain.account import AuthMethod, Endpoint, Security
from app.domain.errors import NetworkError
from app.transport.imap_session import Credentials, ImapSession
from app.transport.revocation import RevocationChecker, RevocationMode
from app.transport.tls import TlsPolicy, make_context
from tests.servers.pki import TestPki
from tests.support.mail import message

pytestmark = pytest.mark.integration


@pytest.fixture
def idling(tmp_path: Path, pki: TestPki, mail_account) -> Iterator[ImapSession]:
    session = ImapSession(
        Endpoint(mail_account.imap_host, mail_account.imap_port, Security.STARTTLS),
        make_context(TlsPolicy(ca_file=pki.ca_bundle)),
        RevocationChecker(RevocationMode.PREFER, tmp_path / "crl", pki.ca_bundle, timeout=5),
        connect_timeout=5,
        read_timeout=20,
    )
    session.connect()
    session.authenticate(
        Credentials(AuthMethod.PASSWORD, mail_account.address, mail_account.password)
    )
    session.select("INBOX", readonly=True)
    session.idle_start()
    yield session
    session.close()


def _sessions_log(mail_account) -> list[str]:
    return [
        line
        for line in mail_account.dovecot.log_text().splitlines()
        if mail_account.address in line and "imap(" in line
    ]


def test_closing_during_idle_says_done_then_logs_out(idling: ImapSession, mail_account) -> None:
    started = time.monotonic()
    idling.close()
    assert time.monotonic() - started < 5
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and not any(
        "Logged out" in line or "Disconnected" in line for line in _sessions_log(mail_account)
    ):
        time.sleep(0.1)
    ends = [
        line
        for line in _sessions_log(mail_account)
        if "Logged out" in line or "Disconnected" in line
    ]
    assert ends, _sessions_log(mail_account)
    assert all("Logged out" in line for line in ends), ends  # a clean LOGOUT, after DONE


def test_a_command_during_idle_leaves_idle_first(idling: ImapSession, mail_account) -> None:
    mail_account.dovecot.deliver(mail_account.address, message(subject="Pendant")[0])
    idling.select("INBOX", readonly=True)  # refused with BAD while still in IDLE
    assert len(idling.search_all_uids()) == 1
    idling.idle_start()  # and IDLE starts again after
    idling.idle_wait(0.2)
    idling.idle_stop()
    assert idling.usable


def test_a_bye_during_idle_is_seen_at_once(idling: ImapSession, mail_account) -> None:
    mail_account.dovecot.kick(mail_account.address)
    started = time.monotonic()

    def wait_until_lost() -> None:
        for _ in range(10):
            idling.idle_wait(1.0)

    with pytest.raises(NetworkError) as caught:
        wait_until_lost()
    assert caught.value.code == "network.connection_lost"
    assert time.monotonic() - started < 3
    assert not idling.usable
