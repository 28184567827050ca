"""Leaving IMAP IDLE properly (issue 14 #1, #2): DONE is sent and its completion read before
LOGOUT or any other command, on every path out of IDLE; a BYE or the end of the stream during
IDLE is seen at once. On Dovecot and on Cyrus (both namespace layouts)."""

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
def idling(tmp_path: Path, pki: TestPki, imap_account) -> Iterator[ImapSession]:
    session = ImapSession(
        Endpoint(imap_account.imap_host, imap_account.imap_port, Security.STARTTLS),
        make_context(TlsPolicy(ca_file=pki.ca_bundle)),
        RevocationChecker(RevocationMode.PREFER, tmp_path / "crl", pki.ca_bundle, timeout=5),
        connect_timeout=5,
        read_timeout=20,
    )
    session.connect()
    session.authenticate(
        Credentials(AuthMethod.PASSWORD, imap_account.address, imap_account.password)
    )
    session.select("INBOX", readonly=True)
    session.idle_start()
    yield session
    session.close()


def _sessions_log(imap_account) -> list[str]:
    return [
        line
        for line in imap_account.server.log_text().splitlines()
        if imap_account.address in line and "imap(" in line
    ]


def test_closing_during_idle_says_done_then_logs_out(
    idling: ImapSession, imap_account, imap_server_name: str
) -> None:
    started = time.monotonic()
    idling.close()
    # Cyrus answers a LOGOUT sent inside IDLE with "BAD Invalid Idle continuation" and then
    # waits for DONE: a close that skipped DONE would wait for the read timeout (20 s) there.
    assert time.monotonic() - started < 5
    if imap_server_name != "dovecot":
        # Cyrus logs only to syslog: the session's imapd has ended, and the time bound above
        # is the proof that DONE came first.
        server = imap_account.server
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and server.sessions(imap_account.address):
            time.sleep(0.1)
        assert server.sessions(imap_account.address) == []
        return
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and not any(
        "Logged out" in line or "Disconnected" in line for line in _sessions_log(imap_account)
    ):
        time.sleep(0.1)
    ends = [
        line
        for line in _sessions_log(imap_account)
        if "Logged out" in line or "Disconnected" in line
    ]
    assert ends, _sessions_log(imap_account)
    assert all("Logged out" in line for line in ends), ends  # a clean LOGOUT, after DONE


def test_a_command_during_idle_leaves_idle_first(idling: ImapSession, imap_account) -> None:
    imap_account.server.deliver(imap_account.address, message(subject="Pendant")[0])
    idling.select("INBOX", readonly=True)  # refused with BAD while still in IDLE
    assert len(idling.search_all_uids()) == 1
    idling.idle_start()  # and IDLE starts again after
    idling.idle_wait(0.2)
    idling.idle_stop()
    assert idling.usable


def test_a_bye_during_idle_is_seen_at_once(idling: ImapSession, imap_account) -> None:
    imap_account.server.kick(imap_account.address)
    started = time.monotonic()

    def wait_until_lost() -> None:
        for _ in range(10):
            idling.idle_wait(1.0)

    with pytest.raises(NetworkError) as caught:
        wait_until_lost()
    assert caught.value.code == "network.connection_lost"
    assert time.monotonic() - started < 3
    assert not idling.usable
