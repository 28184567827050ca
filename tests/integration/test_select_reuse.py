"""`ImapSession.select(reuse=True)` and `search_all_uids` on large folders.

Re-selecting a large folder for every batch of bodies made the server reload it each time
(bench/scale_bench.py); `reuse` returns the last SELECT's result instead, only for the folder
selected now, in the same mode.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.domain.account import AuthMethod, Endpoint, Security
from app.domain.errors import KnownError
from app.transport import imap_session
from app.transport.imap_session import Credentials, ImapSession
from app.transport.revocation import RevocationChecker, RevocationMode
from app.transport.tls import TlsPolicy, make_context
from tests.servers.pki import TestPki
from tests.support.mail import message

pytestmark = pytest.mark.integration


@pytest.fixture
def session(tmp_path: Path, pki: TestPki, imap_account) -> Iterator[ImapSession]:
    opened = ImapSession(
        Endpoint(imap_account.imap_host, imap_account.imap_port, Security.STARTTLS),
        make_context(TlsPolicy(ca_file=pki.ca_bundle)),
        RevocationChecker(RevocationMode.PREFER, tmp_path / "crl", pki.ca_bundle, timeout=5),
        connect_timeout=5,
        read_timeout=20,
    )
    opened.connect()
    opened.authenticate(
        Credentials(AuthMethod.PASSWORD, imap_account.address, imap_account.password)
    )
    yield opened
    opened.close()


def test_reuse_returns_the_selection_a_fresh_select_sees_new_mail(
    session: ImapSession, imap_account
) -> None:
    first = session.select("INBOX", readonly=True)
    imap_account.server.deliver(imap_account.address, message(subject="Arrivé entre deux")[0])
    assert session.select("INBOX", readonly=True, reuse=True) is first
    fresh = session.select("INBOX", readonly=True)
    assert fresh is not first
    assert fresh.state.exists == (first.state.exists or 0) + 1
    assert fresh.state.uidvalidity == first.state.uidvalidity
    # Another mode, or after another folder: selected again.
    writable = session.select("INBOX", readonly=False, reuse=True)
    assert writable is not fresh
    assert not writable.read_only
    other = next(
        (f.name for f in session.list_folders() if f.selectable and f.name.upper() != "INBOX"),
        None,
    )
    if other is None:  # a server with no other folder for this user: create one
        other = "INBOX" + (session.list_folders()[0].delimiter or "/") + "Classement"
        session.create_folder(other)
    session.select(other, readonly=True)
    assert session.selected == other
    again = session.select("INBOX", readonly=True, reuse=True)
    assert again is not fresh
    assert again.state.exists == fresh.state.exists
    assert session.selected == "INBOX"


def test_a_failed_select_is_never_reused(session: ImapSession) -> None:
    selected = session.select("INBOX", readonly=True)
    with pytest.raises(KnownError):
        session.select("Dossier qui n'existe pas", readonly=True)
    # The failed SELECT left no folder selected on the server: INBOX is selected again.
    assert session.select("INBOX", readonly=True, reuse=True) is not selected


def test_a_large_folder_is_searched_by_uid_ranges(
    session: ImapSession, imap_account, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past the threshold, ``UID SEARCH`` goes by ranges (imaplib's 1 MB line limit)."""
    for n in range(7):
        imap_account.server.deliver(imap_account.address, message(subject=f"Lot {n}")[0])
    session.select("INBOX", readonly=True)
    whole = session.search_all_uids()
    assert len(whole) >= 7
    sent: list[object] = []
    search = session._require().search
    monkeypatch.setattr(imap_session, "_SEARCH_ALL_MAX", 2)
    monkeypatch.setattr(imap_session, "_SEARCH_LINE_BYTES", 6)  # 2-3 UIDs a range
    monkeypatch.setattr(
        session._require(), "search", lambda criteria: sent.append(criteria) or search(criteria)
    )
    assert session.search_all_uids() == whole
    assert len(sent) >= 3
    assert all(c != "ALL" for c in sent)
