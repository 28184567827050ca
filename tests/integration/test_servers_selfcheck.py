"""Proof that the test servers behave like the real ones, using only stdlib clients.

Every other integration test and benchmark trusts these servers (tests/servers/README.md); if
one of them silently accepted plaintext logins, stale tokens or bad certificates, the tests of
Pli built on it could not fail. Each test here therefore checks a refusal as well as the happy
path, and for TLS refusals that the reason is the intended one.
"""

from __future__ import annotations

import base64
import contextlib
import email
import http.client
import http.server
import imaplib
import json
import smtplib
import socket
import ssl
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from tests.servers.dovecot import DovecotServer
from tests.servers.fixtures import MailAccount
from tests.servers.http_files import HttpFileServer
from tests.servers.oidc_provider import (
    CIBA_GRANT,
    OidcClient,
    OidcProvider,
    browser_login,
    pkce_pair,
)
from tests.servers.pki import TestPki
from tests.servers.smtp import SmtpServer
from tests.servers.tls_edge import ClosingServer, SilentServer, TlsEdgeServer, legacy_context

pytestmark = pytest.mark.integration

MSSANTE_SUITES = {
    "ECDHE-RSA-AES256-GCM-SHA384",
    "ECDHE-RSA-AES128-GCM-SHA256",
    "ECDHE-RSA-AES256-SHA384",
    "ECDHE-RSA-AES128-SHA256",
}


# -- small stdlib clients ------------------------------------------------------------------
def imap_starttls(account: MailAccount, ctx: ssl.SSLContext) -> imaplib.IMAP4:
    imap = imaplib.IMAP4(account.imap_host, account.imap_port, timeout=10)
    try:
        imap.starttls(ssl_context=ctx)
    except BaseException:
        imap.shutdown()
        raise
    return imap


def xoauth2(user: str, token: str) -> Callable[..., str]:
    """imaplib/smtplib auth object for XOAUTH2 (empty answer to an error challenge)."""
    initial = f"user={user}\x01auth=Bearer {token}\x01\x01"
    sent = []

    def respond(challenge: bytes | None = None) -> str:
        if sent:
            return ""
        sent.append(True)
        return initial

    return respond


def post_form(
    provider: OidcProvider, url: str, fields: dict[str, str], client: OidcClient
) -> tuple[int, dict[str, Any]]:
    data = dict(fields)
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if client.client_secret:
        basic = f"{client.client_id}:{client.client_secret}".encode()
        headers["Authorization"] = "Basic " + base64.b64encode(basic).decode()
    else:
        data["client_id"] = client.client_id
    req = urllib.request.Request(
        url, data=urllib.parse.urlencode(data).encode(), headers=headers, method="POST"
    )
    try:
        with urllib.request.urlopen(req, context=provider.ssl_context(), timeout=10) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.code, json.loads(exc.read())


def jwt_claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


class LoopbackListener:
    """The application's side of RFC 8252 §7.3: one GET on http://127.0.0.1:<port>/callback."""

    def __init__(self) -> None:
        self.query: dict[str, str] = {}
        self.requests = 0
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                owner.requests += 1
                owner.query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(self.path).query))
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        self.redirect_uri = f"http://127.0.0.1:{self.server.server_address[1]}/callback"
        self.thread = threading.Thread(target=self.server.handle_request, daemon=True)

    def __enter__(self) -> LoopbackListener:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.thread.join(timeout=5)
        self.server.server_close()


def code_flow(
    provider: OidcProvider, account: MailAccount, client: OidcClient | None = None
) -> dict[str, Any]:
    """Authorization code + PKCE (S256) through the browser helper; returns the token response."""
    client = client or provider.public_client
    verifier, challenge = pkce_pair()
    with LoopbackListener() as listener:
        url = provider.authorization_url(
            listener.redirect_uri, client=client, state="st-123", code_challenge=challenge
        )
        browser_login(url, account.address, account.password, ssl_context=provider.ssl_context())
    assert listener.requests == 1
    assert listener.query["state"] == "st-123"
    status, tokens = post_form(
        provider,
        provider.token_endpoint,
        {
            "grant_type": "authorization_code",
            "code": listener.query["code"],
            "redirect_uri": listener.redirect_uri,
            "code_verifier": verifier,
        },
        client,
    )
    assert status == 200, tokens
    return tokens


@pytest.fixture
def ctx(pki: TestPki) -> ssl.SSLContext:
    """A default-secure client context trusting the test PKI."""
    return pki.client_context()


# -- IMAP: TLS and login ---------------------------------------------------------------------
def test_starttls_login_with_test_ca(mail_account: MailAccount, ctx: ssl.SSLContext) -> None:
    with imaplib.IMAP4(mail_account.imap_host, mail_account.imap_port, timeout=10) as imap:
        assert "STARTTLS" in imap.capabilities
        assert "LOGINDISABLED" in imap.capabilities
        imap.starttls(ssl_context=ctx)
        tls = imap.sock
        assert isinstance(tls, ssl.SSLSocket)
        assert tls.version() in ("TLSv1.2", "TLSv1.3")
        typ, _ = imap.login(mail_account.address, mail_account.password)
        assert typ == "OK"
        caps = set(imap.capability()[1][0].decode().upper().split())
        wanted = {"IDLE", "CONDSTORE", "QRESYNC", "MOVE", "UIDPLUS", "SPECIAL-USE", "ENABLE"}
        assert wanted | {"LIST-STATUS", "QUOTA"} <= caps
        _typ, folders = imap.list()
        listing = b"\n".join(f for f in folders if isinstance(f, bytes))
        for name, attr in (
            (b"Drafts", b"\\Drafts"),
            (b"Sent", b"\\Sent"),
            (b"Trash", b"\\Trash"),
            (b"Junk", b"\\Junk"),
            (b"Archive", b"\\Archive"),
        ):
            assert attr in listing and name in listing


def test_plaintext_login_refused_before_starttls(mail_account: MailAccount) -> None:
    imap = imaplib.IMAP4(mail_account.imap_host, mail_account.imap_port, timeout=10)
    try:
        with pytest.raises(imaplib.IMAP4.error, match="PRIVACYREQUIRED"):
            imap.login(mail_account.address, mail_account.password)
    finally:
        imap.logout()


def test_implicit_tls_login_and_dovecot_unprivileged(
    mail_account: MailAccount, ctx: ssl.SSLContext, dovecot: DovecotServer
) -> None:
    with imaplib.IMAP4_SSL(
        mail_account.imap_host, mail_account.imaps_port, ssl_context=ctx, timeout=10
    ) as imap:
        assert imap.login(mail_account.address, mail_account.password)[0] == "OK"
    pid = dovecot.master_pid()
    assert pid is not None
    status = Path(f"/proc/{pid}/status").read_text()
    uid = int(next(line for line in status.splitlines() if line.startswith("Uid:")).split()[1])
    assert uid != 0, "the Dovecot instance must never run as root"


def wait_for_log(server: DovecotServer, text: str, timeout: float = 20) -> None:
    # Dovecot writes its log through its own log process: on a busy machine a line can lag.
    deadline = time.monotonic() + timeout
    while text not in server.log_text():
        assert time.monotonic() < deadline, f"{text!r} not in the Dovecot log"
        time.sleep(0.05)


def test_tls_policy_of_dovecot(mail_account: MailAccount, pki: TestPki) -> None:
    # TLS 1.2 is negotiated with one of the four MSSanté suites (ECO.1.1.3)...
    ctx12 = pki.client_context()
    ctx12.maximum_version = ssl.TLSVersion.TLSv1_2
    with imaplib.IMAP4_SSL(
        mail_account.imap_host, mail_account.imaps_port, ssl_context=ctx12, timeout=10
    ) as imap:
        assert isinstance(imap.sock, ssl.SSLSocket)
        cipher = imap.sock.cipher()
        assert cipher is not None and cipher[0] in MSSANTE_SUITES
    # ...a client offering only another TLS 1.2 suite is refused...
    other = pki.client_context()
    other.maximum_version = ssl.TLSVersion.TLSv1_2
    other.set_ciphers("ECDHE-RSA-CHACHA20-POLY1305")
    with pytest.raises(ssl.SSLError, match=r"HANDSHAKE_FAILURE|EOF"):
        imaplib.IMAP4_SSL(
            mail_account.imap_host, mail_account.imaps_port, ssl_context=other, timeout=10
        )
    # Dovecot closes without an alert; its log tells why.
    wait_for_log(mail_account.dovecot, "no shared cipher")
    # ...and so is TLS 1.1 (ssl_min_protocol = TLSv1.2).
    old = legacy_context(
        server=False, version=ssl.TLSVersion.TLSv1_1, ciphers="DEFAULT:@SECLEVEL=0"
    )
    old.load_verify_locations(pki.ca_bundle)
    with pytest.raises(ssl.SSLError, match=r"PROTOCOL_VERSION|EOF"):
        imaplib.IMAP4_SSL(mail_account.imap_host, mail_account.imaps_port, ssl_context=old)
    wait_for_log(mail_account.dovecot, "unsupported protocol")


def test_wrong_password_refused(mail_account: MailAccount, ctx: ssl.SSLContext) -> None:
    with (
        imap_starttls(mail_account, ctx) as imap,
        pytest.raises(imaplib.IMAP4.error, match="AUTHENTICATIONFAILED"),
    ):
        imap.login(mail_account.address, mail_account.password + "x")


# -- OIDC: discovery, code flow, XOAUTH2 -----------------------------------------------------
def test_discovery_at_standard_and_psc_paths(oidc_provider: OidcProvider) -> None:
    standard = oidc_provider.get_json(oidc_provider.discovery_url)
    wallet = oidc_provider.get_json(oidc_provider.wallet_discovery_url)
    assert standard == wallet
    assert wallet["issuer"] == oidc_provider.issuer
    assert oidc_provider.issuer.endswith("/auth/realms/esante-wallet")
    assert wallet["token_endpoint"] == oidc_provider.token_endpoint
    assert "S256" in wallet["code_challenge_methods_supported"]
    assert CIBA_GRANT in wallet["grant_types_supported"]
    assert wallet["backchannel_token_delivery_modes_supported"] == ["poll"]
    assert "eidas1" in wallet["acr_values_supported"]
    assert "scope_all" in wallet["scopes_supported"]


def test_xoauth2_accepted_with_code_flow_token(
    oidc_provider: OidcProvider,
    mail_account: MailAccount,
    ctx: ssl.SSLContext,
) -> None:
    tokens = code_flow(oidc_provider, mail_account)
    assert {"access_token", "refresh_token", "id_token"} <= set(tokens)
    assert jwt_claims(tokens["id_token"])["sub"] == mail_account.address
    with imap_starttls(mail_account, ctx) as imap:
        typ, _ = imap.authenticate("XOAUTH2", xoauth2(mail_account.address, tokens["access_token"]))
        assert typ == "OK"
    # OAUTHBEARER (RFC 7628) goes through the same oauth2 passdb.
    bearer = (
        f"n,a={mail_account.address},\x01host={mail_account.imap_host}\x01"
        f"port={mail_account.imap_port}\x01auth=Bearer {tokens['access_token']}\x01\x01"
    )
    with imap_starttls(mail_account, ctx) as imap:
        assert imap.authenticate("OAUTHBEARER", lambda _challenge: bearer)[0] == "OK"
    with smtplib.SMTP(mail_account.smtp_host, mail_account.smtp_port, timeout=10) as smtp:
        smtp.starttls(context=ctx)
        smtp.ehlo()  # smtplib.auth, unlike login, does not say EHLO by itself
        code, _ = smtp.auth("XOAUTH2", xoauth2(mail_account.address, tokens["access_token"]))
        assert code == 235


def test_confidential_client_code_flow(
    oidc_provider: OidcProvider, mail_account: MailAccount
) -> None:
    tokens = code_flow(oidc_provider, mail_account, oidc_provider.confidential_client)
    assert oidc_provider.introspect(tokens["access_token"])["client_id"] == "pli-confidential"


def test_xoauth2_refused_with_bad_foreign_or_expired_token(
    oidc_provider: OidcProvider,
    mail_account_factory: Callable[..., MailAccount],
    ctx: ssl.SSLContext,
) -> None:
    alice, bob = mail_account_factory(), mail_account_factory()
    tokens = code_flow(oidc_provider, alice)  # lives 120 s: refusals below are not expiry
    for user, token in (
        (alice.address, "not-a-token"),
        (bob.address, tokens["access_token"]),  # a valid token, but for someone else
        (alice.address, tokens["refresh_token"]),  # resource servers only take access tokens
    ):
        with (
            imap_starttls(alice, ctx) as imap,
            pytest.raises(imaplib.IMAP4.error, match="AUTHENTICATIONFAILED"),
        ):
            imap.authenticate("XOAUTH2", xoauth2(user, token))
    with imap_starttls(alice, ctx) as imap:
        auth = imap.authenticate("XOAUTH2", xoauth2(alice.address, tokens["access_token"]))
        assert auth[0] == "OK"
    # A short-lived token, refused once expired (polled, so a loaded machine cannot flake).
    oidc_provider.set_token_ttls(access_token_ttl=1)
    short = code_flow(oidc_provider, alice)["access_token"]
    deadline = time.monotonic() + 10
    while oidc_provider.introspect(short).get("active"):
        assert time.monotonic() < deadline
        time.sleep(0.2)
    with (
        imap_starttls(alice, ctx) as imap,
        pytest.raises(imaplib.IMAP4.error, match="AUTHENTICATIONFAILED"),
    ):
        imap.authenticate("XOAUTH2", xoauth2(alice.address, short))
    with smtplib.SMTP(alice.smtp_host, alice.smtp_port, timeout=10) as smtp:
        smtp.starttls(context=ctx)
        smtp.ehlo()
        with pytest.raises(smtplib.SMTPAuthenticationError) as refused:
            smtp.auth("XOAUTH2", xoauth2(alice.address, short))
        assert refused.value.smtp_code == 535


def test_browser_login_with_wrong_password_fails(
    oidc_provider: OidcProvider, mail_account: MailAccount
) -> None:
    from tests.servers.oidc_provider import LoginFailedError

    url = oidc_provider.authorization_url(
        "http://127.0.0.1:9/callback", code_challenge=pkce_pair()[1]
    )
    with pytest.raises(LoginFailedError, match="incorrect"):
        browser_login(url, mail_account.address, "wrong", ssl_context=oidc_provider.ssl_context())


# -- OIDC: CIBA and refresh -----------------------------------------------------------------
def _ciba_start(provider: OidcProvider, account: MailAccount, message: str) -> str:
    status, body = post_form(
        provider,
        provider.backchannel_endpoint,
        {
            "login_hint": f"8{account.rpps}",
            "binding_message": message,
            "scope": "openid scope_all",
            "acr_values": "eidas1",
        },
        provider.confidential_client,
    )
    assert status == 200, body
    return str(body["auth_req_id"])


def _ciba_poll(provider: OidcProvider, auth_req_id: str) -> tuple[int, dict[str, Any]]:
    return post_form(
        provider,
        provider.token_endpoint,
        {"grant_type": CIBA_GRANT, "auth_req_id": auth_req_id},
        provider.confidential_client,
    )


def test_ciba_approve_then_token_by_polling(
    oidc_provider: OidcProvider, mail_account: MailAccount, ctx: ssl.SSLContext
) -> None:
    auth_req_id = _ciba_start(oidc_provider, mail_account, "PLI-4F2A")
    status, body = _ciba_poll(oidc_provider, auth_req_id)
    assert (status, body["error"]) == (400, "authorization_pending")
    pending = oidc_provider.wait_for_ciba(sub=mail_account.address)
    assert pending.auth_req_id == auth_req_id
    assert pending.binding_message == "PLI-4F2A" == oidc_provider.last_binding_message()
    assert (pending.scope, pending.acr_values) == ("openid scope_all", "eidas1")
    oidc_provider.approve_ciba(auth_req_id)
    status, tokens = _ciba_poll(oidc_provider, auth_req_id)
    assert status == 200, tokens
    claims = jwt_claims(tokens["id_token"])
    assert (claims["sub"], claims["acr"]) == (mail_account.address, "eidas1")
    with imap_starttls(mail_account, ctx) as imap:
        assert (
            imap.authenticate("XOAUTH2", xoauth2(mail_account.address, tokens["access_token"]))[0]
            == "OK"
        )


def test_ciba_denied(oidc_provider: OidcProvider, mail_account: MailAccount) -> None:
    auth_req_id = _ciba_start(oidc_provider, mail_account, "PLI-0000")
    oidc_provider.wait_for_ciba(sub=mail_account.address)
    oidc_provider.deny_ciba(auth_req_id)
    status, body = _ciba_poll(oidc_provider, auth_req_id)
    assert (status, body["error"]) == (400, "access_denied")


def test_refresh_rotates_then_refused_after_revoke(
    oidc_provider: OidcProvider, mail_account: MailAccount
) -> None:
    client = oidc_provider.public_client
    oidc_provider.set_token_ttls(access_token_ttl=1)  # only the access token gets shorter
    tokens = code_flow(oidc_provider, mail_account)
    time.sleep(1.2)
    assert oidc_provider.introspect(tokens["access_token"]) == {"active": False}
    status, refreshed = post_form(
        oidc_provider,
        oidc_provider.token_endpoint,
        {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]},
        client,
    )
    assert status == 200, refreshed
    assert refreshed["refresh_token"] != tokens["refresh_token"]  # rotation
    assert oidc_provider.revoke(mail_account.address) > 0
    status, body = post_form(
        oidc_provider,
        oidc_provider.token_endpoint,
        {"grant_type": "refresh_token", "refresh_token": refreshed["refresh_token"]},
        client,
    )
    assert (status, body["error"]) == (400, "invalid_grant")
    assert oidc_provider.introspect(refreshed["access_token"]) == {"active": False}


# -- SMTP --------------------------------------------------------------------------------------
def _message(sender: str, rcpt: str, mid: str, body: str = "Bonjour") -> bytes:
    return (
        f"From: {sender}\r\nTo: {rcpt}\r\nSubject: selfcheck\r\nMessage-ID: {mid}\r\n"
        f"Date: Sun, 01 Jan 2026 10:00:00 +0100\r\n\r\n{body}\r\n"
    ).encode()


@pytest.fixture
def smtp_a(mail_account: MailAccount, ctx: ssl.SSLContext) -> Iterator[smtplib.SMTP]:
    with smtplib.SMTP(mail_account.smtp_host, mail_account.smtp_port, timeout=10) as smtp:
        smtp.starttls(context=ctx)
        smtp.login(mail_account.address, mail_account.password)
        yield smtp


def test_smtp_auth_requires_starttls(mail_account: MailAccount) -> None:
    with smtplib.SMTP(mail_account.smtp_host, mail_account.smtp_port, timeout=10) as smtp:
        smtp.ehlo()
        assert smtp.has_extn("starttls")
        assert not smtp.has_extn("auth")
        code, _ = smtp.docmd("AUTH", "PLAIN " + base64.b64encode(b"\0a\0b").decode())
        assert code == 530


def test_smtp_send_a_to_b_arrives_in_b_inbox(
    smtp_a: smtplib.SMTP,
    mail_account: MailAccount,
    mail_account_factory: Callable[..., MailAccount],
    smtp_server: SmtpServer,
    ctx: ssl.SSLContext,
) -> None:
    bob = mail_account_factory()
    mid = "<a-to-b.1@pli.test>"
    assert (
        smtp_a.sendmail(
            mail_account.address, [bob.address], _message(mail_account.address, bob.address, mid)
        )
        == {}
    )
    assert len(smtp_server.transactions_with_message_id(mid)) == 1
    tx = smtp_server.transactions_with_message_id(mid)[0]
    assert (tx.auth_login, tx.auth_mechanism, tx.tls) == (mail_account.address, "PLAIN", True)
    # Bob reads it over IMAP: LMTP put it in his INBOX.
    with imap_starttls(bob, ctx) as imap:
        imap.login(bob.address, bob.password)
        imap.select("INBOX")
        _typ, data = imap.uid("FETCH", "1:*", "(BODY.PEEK[HEADER.FIELDS (MESSAGE-ID RECEIVED)])")
        headers = b"".join(part[1] for part in data if isinstance(part, tuple))
        assert mid.encode() in headers and b"Received:" in headers
    with pytest.raises(smtplib.SMTPSenderRefused) as refused:  # not Bob's to send as
        smtp_a.sendmail(bob.address, [mail_account.address], b"Subject: x\r\n\r\nx\r\n")
    assert refused.value.smtp_code == 553


def test_smtp_unknown_local_recipient_550(
    smtp_a: smtplib.SMTP, mail_account: MailAccount, dovecot: DovecotServer
) -> None:
    ghost = f"nobody-here@{dovecot.domain}"
    with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        smtp_a.sendmail(mail_account.address, [ghost], b"Subject: x\r\n\r\nx\r\n")
    code, text = refused.value.recipients[ghost]
    assert code == 550 and text.startswith(b"5.1.1")


def test_dsn_success_report_arrives(
    smtp_a: smtplib.SMTP,
    mail_account: MailAccount,
    mail_account_factory: Callable[..., MailAccount],
    dovecot: DovecotServer,
) -> None:
    bob = mail_account_factory()
    assert smtp_a.has_extn("dsn")
    mid = "<dsn.1@pli.test>"
    smtp_a.sendmail(
        mail_account.address,
        [bob.address],
        _message(mail_account.address, bob.address, mid),
        mail_options=["RET=HDRS", "ENVID=Pli+2Dtest.42"],
        rcpt_options=["NOTIFY=SUCCESS", f"ORCPT=rfc822;{bob.address}"],
    )
    (report_info,) = dovecot.wait_for_messages(mail_account.address)
    report = email.message_from_bytes(
        dovecot.fetch_raw(mail_account.address, "INBOX", report_info.uid)
    )
    assert report.get_content_type() == "multipart/report"
    assert report.get_param("report-type") == "delivery-status"
    parts = report.get_payload()
    assert isinstance(parts, list)
    status = next(p for p in parts if p.get_content_type() == "message/delivery-status")
    blocks: list[Message] = status.get_payload()
    assert blocks[0]["Original-Envelope-Id"] == "Pli+2Dtest.42"
    assert blocks[1]["Final-Recipient"] == f"rfc822; {bob.address}"
    assert (blocks[1]["Action"], blocks[1]["Status"]) == ("delivered", "2.0.0")
    returned = next(p for p in parts if p.get_content_type() == "text/rfc822-headers")
    assert mid in str(returned.get_payload())
    assert report_info.message_id != mid and report["Auto-Submitted"] == "auto-replied"


def test_dsn_failure_after_acceptance(
    smtp_a: smtplib.SMTP,
    mail_account: MailAccount,
    mail_account_factory: Callable[..., MailAccount],
    smtp_server: SmtpServer,
    dovecot: DovecotServer,
) -> None:
    bob = mail_account_factory()
    smtp_server.fail_after_accept(bob.address, "5.2.2", "552 5.2.2 Mailbox full")
    smtp_a.sendmail(
        mail_account.address,
        [bob.address],
        _message(mail_account.address, bob.address, "<dsn.2@pli.test>"),
        rcpt_options=["NOTIFY=FAILURE"],
    )
    (info,) = dovecot.wait_for_messages(mail_account.address)
    raw = dovecot.fetch_raw(mail_account.address, "INBOX", info.uid)
    assert b"Action: failed" in raw and b"Status: 5.2.2" in raw
    assert dovecot.messages(bob.address) == []


def test_smtp_faults(
    smtp_a: smtplib.SMTP,
    mail_account: MailAccount,
    mail_account_factory: Callable[..., MailAccount],
    smtp_server: SmtpServer,
    dovecot: DovecotServer,
    ctx: ssl.SSLContext,
) -> None:
    bob = mail_account_factory()
    # A chosen recipient is rejected with a chosen reply.
    smtp_server.reject_recipient(bob.address, 452, "4.2.2 Mailbox temporarily full")
    with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        smtp_a.sendmail(mail_account.address, [bob.address], b"Subject: x\r\n\r\nx\r\n")
    assert refused.value.recipients[bob.address][0] == 452
    smtp_server.reset_faults()
    # Connection dropped after DATA: the client gets no answer, the message is delivered once.
    smtp_server.drop_after_data()
    mid = "<dropped.1@pli.test>"
    with pytest.raises(smtplib.SMTPServerDisconnected):
        smtp_a.sendmail(
            mail_account.address, [bob.address], _message(mail_account.address, bob.address, mid)
        )
    assert [t.outcome for t in smtp_server.transactions_with_message_id(mid)] == ["dropped"]
    assert [m.message_id for m in dovecot.messages(bob.address)] == [mid]
    # 421 at connection time.
    smtp_server.refuse_connections()
    with pytest.raises(smtplib.SMTPConnectError) as closed:
        smtplib.SMTP(mail_account.smtp_host, mail_account.smtp_port, timeout=10)
    assert closed.value.smtp_code == 421


def test_smtp_implicit_tls_and_size_limit(
    mail_account: MailAccount, smtp_server: SmtpServer, ctx: ssl.SSLContext
) -> None:
    with smtplib.SMTP_SSL(
        mail_account.smtp_host, mail_account.smtps_port, context=ctx, timeout=10
    ) as smtp:
        smtp.login(mail_account.address, mail_account.password)
        assert int(smtp.esmtp_features["size"]) == smtp_server.size_limit
        code, _ = smtp.mail(mail_account.address, [f"SIZE={smtp_server.size_limit + 1}"])
        assert code == 552


# -- Dovecot helpers seen through an IMAP client ---------------------------------------------
def test_expunge_and_uidvalidity_change_are_seen_by_imap(
    mail_account: MailAccount, dovecot: DovecotServer, ctx: ssl.SSLContext
) -> None:
    user = mail_account.address
    uids = [dovecot.deliver(user, _message("x@y.fr", user, f"<m{i}@pli.test>")) for i in range(3)]
    assert uids == [1, 2, 3]
    with imap_starttls(mail_account, ctx) as imap:
        imap.login(user, mail_account.password)
        assert imap.select("INBOX") == ("OK", [b"3"])
        old_validity = int(imap.response("UIDVALIDITY")[1][0])
        dovecot.expunge(user, "INBOX", [2])
        imap.noop()
        assert imap.response("EXPUNGE")[1] == [b"2"]  # sequence number 2 went away
        _typ, data = imap.uid("SEARCH", "ALL")
        assert data == [b"1 3"]
        new_validity = dovecot.set_uidvalidity(user, "INBOX")
        assert new_validity != old_validity
    with imap_starttls(mail_account, ctx) as imap:
        imap.login(user, mail_account.password)
        imap.select("INBOX")
        assert int(imap.response("UIDVALIDITY")[1][0]) == new_validity


def test_flags_folders_and_quota(
    mail_account_factory: Callable[..., MailAccount],
    dovecot: DovecotServer,
    ctx: ssl.SSLContext,
) -> None:
    account = mail_account_factory(quota_bytes=4096)
    user = account.address
    uid = dovecot.deliver(user, b"Subject: a\r\n\r\na\r\n", flags=["\\Seen", "$Forwarded"])
    dovecot.add_flags(user, "INBOX", [uid], ["\\Flagged"])
    dovecot.create_folder(user, "Patients/Dupont")
    dovecot.rename_folder(user, "Patients/Dupont", "Patients/Durand")
    with imap_starttls(account, ctx) as imap:
        imap.login(user, account.password)
        imap.select("INBOX")
        _typ, data = imap.uid("FETCH", str(uid), "(FLAGS)")
        flags = data[0]
        assert isinstance(flags, bytes)
        assert all(f in flags for f in (b"\\Seen", b"$Forwarded", b"\\Flagged"))
        assert b"Patients/Durand" in b" ".join(imap.list()[1])  # type: ignore[arg-type]
        typ, resp = imap.append("INBOX", "", imaplib.Time2Internaldate(time.time()), b"x" * 8192)
        assert typ == "NO" and b"OVERQUOTA" in resp[0]


def test_hidden_capabilities(dovecot_factory: Callable[..., DovecotServer], pki: TestPki) -> None:
    server = dovecot_factory(hide_capabilities=("CONDSTORE", "QRESYNC"))
    user = server.add_user("fallback")
    with imaplib.IMAP4_SSL(
        server.host, server.imaps_port, ssl_context=pki.client_context()
    ) as imap:
        imap.login(user.address, user.password)
        caps = set(imap.capability()[1][0].decode().upper().split())
        assert "CONDSTORE" not in caps and "QRESYNC" not in caps
        assert {"IDLE", "MOVE", "UIDPLUS"} <= caps


def test_deliver_many_indexes_in_one_sync(
    mail_account: MailAccount, dovecot: DovecotServer
) -> None:
    start = time.monotonic()
    count = dovecot.deliver_many(
        mail_account.address,
        "Archive",
        (_message("x@y.fr", mail_account.address, f"<bulk{i}@pli.test>") for i in range(500)),
    )
    elapsed = time.monotonic() - start
    status = dovecot.status(mail_account.address, "Archive")
    assert (count, status.messages, status.uidnext) == (500, 500, 501)
    assert elapsed < 10


# -- TLS edge servers ----------------------------------------------------------------------------
EXPECTED_REFUSALS = {
    "tls11": "PROTOCOL_VERSION|UNSUPPORTED_PROTOCOL",
    "weak_cipher": "HANDSHAKE_FAILURE",
    "expired": "certificate has expired",
    "not_yet_valid": "certificate is not yet valid",
    "wrong_host": "mismatch",
    "self_signed": "self.signed certificate",
    "revoked": "certificate revoked",
}


def _connect(server: TlsEdgeServer, ctx: ssl.SSLContext) -> None:
    """Reach the handshake as a client would, then leave politely."""
    if server.protocol == "imap":
        if server.implicit:
            imaplib.IMAP4_SSL("127.0.0.1", server.port, ssl_context=ctx, timeout=5).logout()
        else:
            imap = imaplib.IMAP4("127.0.0.1", server.port, timeout=5)
            try:
                imap.starttls(ssl_context=ctx)
                imap.logout()
            finally:
                with contextlib.suppress(OSError):
                    imap.shutdown()
            return
    elif server.implicit:
        smtplib.SMTP_SSL("127.0.0.1", server.port, context=ctx, timeout=5).quit()
    else:
        with smtplib.SMTP("127.0.0.1", server.port, timeout=5) as smtp:
            smtp.starttls(context=ctx)
            smtp.ehlo()


def _crl_context(pki: TestPki, server: TlsEdgeServer, tmp_path: Path) -> ssl.SSLContext:
    """A client that fetched the CRL named in the certificate's distribution point."""
    assert server.cert is not None
    cdp = server.cert.certificate.extensions.get_extension_for_class(
        x509.CRLDistributionPoints
    ).value
    url = cdp[0].full_name[0].value  # type: ignore[index]
    with urllib.request.urlopen(url, timeout=5) as resp:
        crl = x509.load_der_x509_crl(resp.read())
    path = tmp_path / "fetched.crl.pem"
    path.write_bytes(crl.public_bytes(serialization.Encoding.PEM))
    return pki.client_context(check_crl_file=path, mssante_ciphers=True)


@pytest.mark.parametrize("implicit", [False, True], ids=["starttls", "implicit"])
@pytest.mark.parametrize("protocol", ["imap", "smtp"])
@pytest.mark.parametrize("preset", sorted(EXPECTED_REFUSALS))
def test_tls_edge_refuses_for_the_right_reason(
    preset: str,
    protocol: str,
    implicit: bool,
    tls_edge_factory: Callable[..., TlsEdgeServer],
    pki: TestPki,
    tmp_path: Path,
) -> None:
    server = tls_edge_factory(preset, protocol=protocol, implicit=implicit)
    # The client Pli must be: TLS 1.2 minimum, the four MSSanté suites (ECO.1.1.1, 1.1.3).
    ctx = pki.client_context(mssante_ciphers=True)
    if preset == "revoked":
        # Without revocation checking the certificate is fine: revocation is the only reason.
        _connect(server, ctx)
        ctx = _crl_context(pki, server, tmp_path)
    with pytest.raises(ssl.SSLError, match=EXPECTED_REFUSALS[preset]):
        _connect(server, ctx)
    assert not server.commands_after_tls or preset == "revoked"
    if preset in ("tls11", "weak_cipher"):
        # Control: a client that allows the old protocol / suite does get through, so the
        # refusal above really came from the protocol or suite.
        version = ssl.TLSVersion.TLSv1_1 if preset == "tls11" else ssl.TLSVersion.TLSv1_2
        ciphers = "DEFAULT:@SECLEVEL=0" if preset == "tls11" else "AES256-GCM-SHA384"
        permissive = legacy_context(server=False, version=version, ciphers=ciphers)
        permissive.load_verify_locations(pki.ca_bundle)
        _connect(server, permissive)
        assert server.handshakes[-1].ok


def test_tls_edge_good_control_accepts(
    tls_edge_factory: Callable[..., TlsEdgeServer], pki: TestPki
) -> None:
    server = tls_edge_factory("good", protocol="smtp")
    _connect(server, pki.client_context())
    assert server.handshakes[-1].ok and server.commands_after_tls == ["EHLO", "QUIT"]


def test_silent_and_closing_servers() -> None:
    with SilentServer() as silent:
        start = time.monotonic()
        with pytest.raises((TimeoutError, socket.timeout)):
            imaplib.IMAP4("127.0.0.1", silent.port, timeout=0.5)
        assert 0.4 < time.monotonic() - start < 3
    with ClosingServer() as closing:
        with pytest.raises(imaplib.IMAP4.abort):
            imaplib.IMAP4("127.0.0.1", closing.port, timeout=2)
        with pytest.raises(smtplib.SMTPServerDisconnected):
            smtplib.SMTP("127.0.0.1", closing.port, timeout=2)


def test_http_files_switch_and_log(http_files: HttpFileServer) -> None:
    url = http_files.set("/selfcheck/doc.json", b'{"ok": true}', "application/json")
    with urllib.request.urlopen(url, timeout=5) as resp:
        assert json.loads(resp.read()) == {"ok": True}
    http_files.set_enabled(False)
    try:
        with pytest.raises((urllib.error.URLError, ConnectionError, http.client.HTTPException)):
            urllib.request.urlopen(url, timeout=5)
    finally:
        http_files.set_enabled(True)
    answered = [r.answered for r in http_files.requests_for("/selfcheck/doc.json")]
    assert answered == [True, False]
