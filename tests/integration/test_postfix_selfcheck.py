"""The test Postfix behaves as configured (tests/servers/postfix.py), checked with stdlib
clients only: TLS before any login, a wrong password refused, unknown users and other domains
refused at RCPT, SIZE and DSN announced, delivery by LMTP, nothing listening on port 25, and
the fault proxy really cuts."""

from __future__ import annotations

import smtplib
import socket
import ssl

import pytest

from tests.servers.fixtures import PostfixRoute
from tests.servers.postfix import POSTFIX_DEFAULT_SIZE_LIMIT, CuttingProxy

pytestmark = pytest.mark.integration

RAW = b"Subject: essai\r\nMessage-ID: <selfcheck-%d@pli.test>\r\n\r\nBonjour.\r\n"


def _context(account) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(account.ca_bundle))


def test_postfix_refuses_what_it_must_and_delivers_the_rest(postfix_route: PostfixRoute) -> None:
    postfix = postfix_route.postfix
    alice, bob = postfix_route.make_account(), postfix_route.make_account()
    with smtplib.SMTP(postfix.host, postfix.submission_port, timeout=10) as smtp:
        smtp.ehlo()
        assert not smtp.has_extn("auth")  # no login before TLS
        code, _ = smtp.mail(alice.address)
        assert code == 530  # encryption required
        smtp.rset()
        smtp.starttls(context=_context(alice))
        smtp.ehlo()
        assert smtp.esmtp_features["size"] == str(POSTFIX_DEFAULT_SIZE_LIMIT)
        assert smtp.has_extn("dsn")
        assert set(smtp.esmtp_features["auth"].split()) == {"PLAIN", "LOGIN"}
        with pytest.raises(smtplib.SMTPAuthenticationError) as refused:
            smtp.login(alice.address, "pas le bon")
        assert refused.value.smtp_code == 535
        smtp.login(alice.address, alice.password)
        assert smtp.mail(alice.address, ["SIZE=100"])[0] == 250
        unknown = "personne-inconnue@" + alice.address.split("@")[1]
        code, text = smtp.rcpt(unknown)
        assert (code, b"User unknown" in text) == (550, True)
        code, text = smtp.rcpt("quelqu.un@example.org")  # never relayed
        assert code == 550
        assert smtp.rcpt(bob.address, ["NOTIFY=NEVER"])[0] == 250
        assert smtp.data(RAW % 1)[0] == 250
    bob.dovecot.wait_for_messages(bob.address, "INBOX", 1, 20)
    (info,) = bob.dovecot.messages(bob.address)
    assert info.message_id == "<selfcheck-1@pli.test>"
    postfix.wait_queue_empty()
    # Implicit TLS too.
    with smtplib.SMTP_SSL(
        postfix.host, postfix.smtps_port, context=_context(alice), timeout=10
    ) as smtps:
        smtps.login(alice.address, alice.password)
    # Nothing on port 25 from the test instances.
    assert f"{postfix.host}:25 " not in (postfix.config_dir / "master.cf").read_text()


def test_the_cutting_proxy_cuts_where_told(postfix_route: PostfixRoute) -> None:
    postfix = postfix_route.postfix
    alice, bob = postfix_route.make_account(), postfix_route.make_account()
    proxy = CuttingProxy((postfix.host, postfix.submission_port))
    try:
        proxy.cut_after(20_000)
        smtp = smtplib.SMTP(proxy.host, proxy.port, timeout=10)
        smtp.starttls(context=_context(alice))
        smtp.login(alice.address, alice.password)
        with pytest.raises((smtplib.SMTPServerDisconnected, OSError)):
            smtp.sendmail(alice.address, [bob.address], RAW % 2 + b"x" * 200_000 + b"\r\n")
        smtp.close()
        assert proxy.cuts == 1
        postfix.wait_queue_empty()
        assert bob.dovecot.messages(bob.address) == []
    finally:
        proxy.close()
    with pytest.raises(OSError):
        socket.create_connection((proxy.host, proxy.port), timeout=1).close()
