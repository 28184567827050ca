"""The Cyrus test server behaves as a Cyrus server does, with stdlib clients only: no login
before TLS, a wrong password refused, both namespace layouts, special-use folders, OBJECTID,
quota refusals worded as Cyrus words them, LMTP refusing unknown mailboxes."""

from __future__ import annotations

import imaplib
import ssl

import pytest

from tests.servers.cyrus import CyrusServer
from tests.support.mail import message

pytestmark = pytest.mark.integration


@pytest.fixture(params=["inbox", "unixsep"])
def server(request: pytest.FixtureRequest) -> CyrusServer:
    name = "cyrus" if request.param == "inbox" else "cyrus_unixsep"
    result: CyrusServer = request.getfixturevalue(name)
    return result


def _tls(pki) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(pki.ca_bundle))


def test_login_needs_tls_and_the_right_password(server: CyrusServer, pki) -> None:
    user = server.add_user(f"self-{server.layout}-login")
    with imaplib.IMAP4(server.host, server.imap_port) as conn:
        assert "LOGINDISABLED" in conn.capabilities and "STARTTLS" in conn.capabilities
        with pytest.raises(imaplib.IMAP4.error):
            conn.login(user.address, user.password)
        conn.starttls(_tls(pki))
        with pytest.raises(imaplib.IMAP4.error, match="authentication failure"):
            conn.login(user.address, user.password + "x")
        assert conn.login(user.address, user.password)[0] == "OK"
        caps = conn.capability()[1][0].split()
        for cap in (b"OBJECTID", b"QRESYNC", b"SPECIAL-USE", b"QUOTA", b"IDLE", b"MOVE"):
            assert cap in caps
    with imaplib.IMAP4_SSL(server.host, server.imaps_port, ssl_context=_tls(pki)) as conn:
        assert conn.login(user.address, user.password)[0] == "OK"


def test_layout_special_use_and_helpers(server: CyrusServer) -> None:
    user = server.add_user(f"self-{server.layout}-layout")
    sep, pre = (".", "INBOX.") if server.layout == "inbox" else ("/", "")
    assert (server.separator, server.prefix) == (sep, pre)
    assert server.folder("Patients/Lefevre") == f"{pre}Patients{sep}Lefevre"
    with server.as_user(user.address) as client:
        listed = {name: flags for flags, _sep, name in client.list_folders()}
        assert client.namespace()[0][0][0] == pre
    for name, use in {"Sent": b"\\Sent", "Drafts": b"\\Drafts", "Trash": b"\\Trash"}.items():
        assert use in {f.title() for f in listed[pre + name]}
    assert use in {f.title() for f in listed[pre + "Archive"]} or b"\\Archive" in {
        f.title() for f in listed[pre + "Archive"]
    }

    folder = server.folder("Comptes rendus — été")
    server.create_folder(user.address, folder)
    raw, mid = message(subject="Suivi")
    uid = server.deliver(user.address, raw, folder, flags=["\\Seen"])
    [info] = server.messages(user.address, folder)
    assert (info.uid, info.message_id, info.flags) == (uid, mid, ("\\Seen",))
    old = server.status(user.address, folder).uidvalidity
    new = server.set_uidvalidity(user.address, folder)
    assert new != old and [m.message_id for m in server.messages(user.address, folder)] == [mid]
    server.expunge(user.address, folder, [m.uid for m in server.messages(user.address, folder)])
    assert server.messages(user.address, folder) == []


def test_quota_and_lmtp(server: CyrusServer) -> None:
    user = server.add_user(f"self-{server.layout}-quota", quota_bytes=4096)
    assert server.quota(user.address) == (0, 4096)
    big = b"Subject: gros\r\n\r\n" + b"x" * 6000 + b"\r\n"
    # Cyrus words it "Over quota", without the [OVERQUOTA] code Dovecot sends (issue 14 #3).
    with pytest.raises(Exception, match="Over quota"):
        server.deliver(user.address, big)
    replies = server.lmtp_deliver(
        "a@b.example", [user.address, f"nobody-here@{server.domain}"], big
    )
    assert replies[user.address].code == 452
    assert replies[f"nobody-here@{server.domain}"].code == 550
    server.set_quota(user.address, None)
    replies = server.lmtp_deliver("a@b.example", [user.address], big)
    assert replies[user.address].code == 250
    assert len(server.wait_for_messages(user.address, "INBOX", 1)) == 1
