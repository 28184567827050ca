"""Pytest fixtures for the real test servers (loaded by tests/conftest.py).

Session-scoped servers start once, on first use, and stop at the end of the run:

* ``pki`` — :class:`~tests.servers.pki.TestPki`;
* ``oidc_provider`` — :class:`~tests.servers.oidc_provider.OidcProvider` (HTTPS, test PKI);
* ``dovecot`` — :class:`~tests.servers.dovecot.DovecotServer`, XOAUTH2/OAUTHBEARER checked at
  ``oidc_provider``'s introspection endpoint;
* ``smtp_server`` — :class:`~tests.servers.smtp.SmtpServer` delivering into ``dovecot``;
* ``http_files`` — :class:`~tests.servers.http_files.HttpFileServer`.

Tests stay isolated without restarts: ``mail_account`` / ``mail_account_factory`` create fresh
mailboxes (Dovecot user + OIDC account, unique address and RPPS), and after every test the
SMTP server's injected faults and recorded transactions are cleared and the provider's token
lifetimes restored. Servers with a special configuration come from ``dovecot_factory`` and
``tls_edge_factory`` (function-scoped, stopped after the test).

A missing Dovecot or node is a failure with instructions, never a skip.
"""

from __future__ import annotations

import dataclasses
import itertools
import os
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.servers._util import ServerError
from tests.servers.dovecot import DovecotOAuth2, DovecotServer
from tests.servers.http_files import HttpFileServer
from tests.servers.oidc_provider import (
    RESOURCE_SERVER_ID,
    RESOURCE_SERVER_SECRET,
    OidcAccount,
    OidcProvider,
)
from tests.servers.pki import TestPki
from tests.servers.postfix import PostfixServer
from tests.servers.smtp import SmtpServer
from tests.servers.tls_edge import TlsEdgeServer

_DEBUG = os.environ.get("PLI_TEST_SERVERS_DEBUG") == "1"
_counter = itertools.count(1)


def _start(server: Any, what: str) -> Any:
    try:
        return server.start()
    except ServerError as exc:
        pytest.fail(f"could not start the test {what}: {exc}", pytrace=False)


@dataclass(frozen=True)
class MailAccount:
    """A fresh mailbox on the session servers, with everything a client needs.

    Attributes:
        address: login and mail address; password: its PLAIN/LOGIN password.
        rpps: the account's RPPS number (CIBA login_hint is ``8`` + rpps).
        oidc: the matching provider account (``sub`` == ``address``).
        imap_host, imap_port (STARTTLS), imaps_port (implicit TLS).
        smtp_host, smtp_port (STARTTLS submission), smtps_port (implicit TLS).
        ca_bundle: the test PKI bundle every server chains to.
        dovecot: the server holding the mailbox (deliver, expunge, messages…).
    """

    address: str
    password: str
    rpps: str
    oidc: OidcAccount
    imap_host: str
    imap_port: int
    imaps_port: int
    smtp_host: str
    smtp_port: int
    smtps_port: int
    ca_bundle: Path
    dovecot: DovecotServer

    # Added for the Cyrus cases (tests/servers/imap_fixtures.py): an ``imap_account`` keeps
    # its server in ``dovecot`` whichever it is (DovecotServer or CyrusServer).
    @property
    def server(self) -> DovecotServer:
        """The IMAP server holding the mailbox (Dovecot or Cyrus: same helper methods)."""
        return self.dovecot

    def folder(self, path: str) -> str:
        """The full name of a folder written with ``/`` in the server's layout.

        ``"Patients/Lefevre"`` is ``"INBOX.Patients.Lefevre"`` on a server whose folders live
        under ``INBOX.`` with ``.``; ``"INBOX"`` is always ``"INBOX"``.
        """
        if path.upper() == "INBOX":
            return "INBOX"
        server = self.dovecot
        return server.prefix + path.replace("/", server.separator)


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> TestPki:
    """The test PKI (IGC-Santé-like root and intermediate, server cert for loopback)."""
    return TestPki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="session")
def http_files() -> Iterator[HttpFileServer]:
    """A loopback HTTP server for CRLs and other files (shared: use unique paths)."""
    server = HttpFileServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def oidc_provider(pki: TestPki, tmp_path_factory: pytest.TempPathFactory) -> Iterator[OidcProvider]:
    """node-oidc-provider on HTTPS (PSC-like issuer path, access tokens live 120 s)."""
    provider = OidcProvider(tmp_path_factory.mktemp("oidc"), tls=pki.server, ca_file=pki.ca_bundle)
    _start(provider, "OpenID Connect provider")
    yield provider
    provider.stop()


@pytest.fixture(scope="session")
def dovecot(pki: TestPki, oidc_provider: OidcProvider) -> Iterator[DovecotServer]:
    """Dovecot (IMAP STARTTLS + IMAPS + LMTP), XOAUTH2 checked by the provider."""
    server = DovecotServer(
        cert=pki.server,
        oauth2=DovecotOAuth2(
            oidc_provider.introspection_endpoint,
            RESOURCE_SERVER_ID,
            RESOURCE_SERVER_SECRET,
            pki.ca_bundle,
        ),
        verbose_auth=_DEBUG,
    )
    _start(server, "Dovecot server")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def smtp_server(
    pki: TestPki, dovecot: DovecotServer, oidc_provider: OidcProvider
) -> Iterator[SmtpServer]:
    """SMTP submission (STARTTLS + implicit TLS) delivering into ``dovecot`` by LMTP."""
    server = SmtpServer(
        pki.server,
        check_password=dovecot.check_password,
        has_mailbox=dovecot.has_user,
        lmtp=("127.0.0.1", dovecot.lmtp_port),
        introspect=oidc_provider.introspect,
        local_domains=[dovecot.domain],
    )
    _start(server, "SMTP server")
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def _reset_shared_servers(request: pytest.FixtureRequest) -> Iterator[None]:
    """Give each test clean shared servers: no faults, no old transactions, default TTLs."""
    names = request.fixturenames
    if "smtp_server" in names:
        request.getfixturevalue("smtp_server").clear()
    yield
    if "smtp_server" in names:
        server: SmtpServer = request.getfixturevalue("smtp_server")
        server.reset_faults()
    if "oidc_provider" in names:
        request.getfixturevalue("oidc_provider").reset_test_state()


def _new_account(
    dovecot: DovecotServer,
    provider: OidcProvider,
    smtp: SmtpServer | None,
    local: str | None,
    password: str | None,
    quota_bytes: int | None,
) -> MailAccount:
    n = next(_counter)
    local = local or f"user{n}.{secrets.token_hex(3)}"
    user = dovecot.add_user(local, password, quota_bytes=quota_bytes)
    rpps = f"1{secrets.randbelow(10**6):06d}{n % 10**4:04d}"
    oidc = provider.add_account(user.address, user.password, rpps=rpps)
    return MailAccount(
        address=user.address,
        password=user.password,
        rpps=rpps,
        oidc=oidc,
        imap_host=dovecot.host,
        imap_port=dovecot.imap_port,
        imaps_port=dovecot.imaps_port,
        smtp_host=smtp.host if smtp else "",
        smtp_port=smtp.starttls_port if smtp else 0,
        smtps_port=smtp.implicit_port if smtp else 0,
        ca_bundle=Path(provider.ca_file) if provider.ca_file else Path(),
        dovecot=dovecot,
    )


@pytest.fixture
def mail_account_factory(
    dovecot: DovecotServer, oidc_provider: OidcProvider, smtp_server: SmtpServer
) -> Callable[..., MailAccount]:
    """``make(local=None, *, password=None, quota_bytes=None) -> MailAccount``."""

    def make(
        local: str | None = None, *, password: str | None = None, quota_bytes: int | None = None
    ) -> MailAccount:
        return _new_account(dovecot, oidc_provider, smtp_server, local, password, quota_bytes)

    return make


@pytest.fixture
def mail_account(mail_account_factory: Callable[..., MailAccount]) -> MailAccount:
    """A fresh mailbox (IMAP, SMTP, OIDC) for this test only."""
    return mail_account_factory()


@pytest.fixture
def dovecot_factory(pki: TestPki) -> Iterator[Callable[..., DovecotServer]]:
    """``make(**DovecotServer kwargs) -> started DovecotServer`` (e.g. hide_capabilities)."""
    started: list[DovecotServer] = []

    def make(**kwargs: Any) -> DovecotServer:
        kwargs.setdefault("cert", pki.server)
        kwargs.setdefault("verbose_auth", _DEBUG)
        server = DovecotServer(**kwargs)
        _start(server, "Dovecot server")
        started.append(server)
        return server

    yield make
    for server in started:
        server.stop()


@pytest.fixture
def tls_edge_factory(
    pki: TestPki, http_files: HttpFileServer
) -> Iterator[Callable[..., TlsEdgeServer]]:
    """``make(preset, *, protocol="imap", implicit=False) -> started TlsEdgeServer``."""
    started: list[TlsEdgeServer] = []

    def make(preset: str, *, protocol: str = "imap", implicit: bool = False) -> TlsEdgeServer:
        server = TlsEdgeServer.preset(
            preset, pki, protocol=protocol, implicit=implicit, crl_server=http_files
        )
        server.start()
        started.append(server)
        return server

    yield make
    for server in started:
        server.stop()


# -- Postfix (tests/servers/postfix.py) --------------------------------------------------------


def _require_root_for_postfix() -> None:
    """Postfix's master runs as root (its daemons drop privileges): fail on CI, else skip."""
    if os.geteuid() == 0:
        return
    reason = "the test Postfix runs as root (its master starts daemons as user postfix)"
    if os.environ.get("CI"):
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def postfix(pki: TestPki, dovecot: DovecotServer) -> Iterator[PostfixServer]:
    """Postfix 3.7 submission (STARTTLS + implicit TLS, SASL) delivering into ``dovecot`` by
    LMTP; unknown users of its domain refused at RCPT; SIZE 10,240,000 (Postfix's default)."""
    _require_root_for_postfix()
    server = PostfixServer(
        pki.server,
        lmtp=("127.0.0.1", dovecot.lmtp_port),
        has_mailbox=dovecot.has_user,
        domains=[dovecot.domain],
    )
    _start(server, "Postfix server")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def postfix_dovecot_auth(pki: TestPki, dovecot: DovecotServer) -> Iterator[PostfixServer]:
    """Postfix like ``postfix``, whose logins are Dovecot's own (``smtpd_sasl_type =
    dovecot``): the IMAP passwords, and XOAUTH2/OAUTHBEARER with Pro Santé Connect tokens
    checked by ``dovecot``'s introspection, as at an operator running Postfix with Dovecot."""
    _require_root_for_postfix()
    server = PostfixServer(
        pki.server,
        lmtp=("127.0.0.1", dovecot.lmtp_port),
        has_mailbox=dovecot.has_user,
        domains=[dovecot.domain],
        dovecot_auth=dovecot.base_dir / "auth-client",
    )
    _start(server, "Postfix server (Dovecot SASL)")
    yield server
    server.stop()


@pytest.fixture
def postfix_account_factory(
    dovecot: DovecotServer, oidc_provider: OidcProvider, postfix: PostfixServer
) -> Callable[..., MailAccount]:
    """``make(local=None, *, password=None, quota_bytes=None) -> MailAccount`` whose SMTP is
    ``postfix`` (same password at submission as at IMAP; ``postfix.set_password`` changes the
    submission one only)."""

    def make(
        local: str | None = None, *, password: str | None = None, quota_bytes: int | None = None
    ) -> MailAccount:
        account = _new_account(dovecot, oidc_provider, None, local, password, quota_bytes)
        postfix.add_user(account.address, account.password)
        return dataclasses.replace(
            account,
            smtp_host=postfix.host,
            smtp_port=postfix.submission_port,
            smtps_port=postfix.smtps_port,
        )

    return make


@dataclass(frozen=True)
class PostfixRoute:
    """Postfix and the IMAP server it delivers into by LMTP, with accounts on that server.

    Attributes:
        name: ``"dovecot"`` or ``"cyrus"`` (the IMAP server behind Postfix).
        postfix: the Postfix instance (submission for the accounts made here).
        make_account: ``make(*, password=None, quota_bytes=None) -> MailAccount`` on the IMAP
            server, whose SMTP fields are Postfix's; ``account.dovecot`` is the IMAP server
            (Dovecot or Cyrus: the same helpers).
    """

    name: str
    postfix: PostfixServer
    make_account: Callable[..., MailAccount]


#: The IMAP servers Postfix delivers into in the parametrised sending tests.
POSTFIX_ROUTES = ("dovecot", "cyrus")


@pytest.fixture(scope="session")
def postfix_cyrus(pki: TestPki, cyrus: Any) -> Iterator[PostfixServer]:
    """Postfix like ``postfix``, delivering by LMTP into the session's Cyrus (``INBOX.``
    layout) and checking recipients against its users.

    Cyrus refuses a recipient over quota for now (``452 4.2.2 Over quota``), which Postfix
    would retry for days: here a message is tried once (``maximal_queue_lifetime = 0``), so
    the bounce that would end those days comes at once.
    """
    _require_root_for_postfix()
    server = PostfixServer(
        pki.server,
        lmtp=("127.0.0.1", cyrus.lmtp_port),
        has_mailbox=cyrus.has_user,
        domains=[cyrus.domain],
        extra_main={"maximal_queue_lifetime": "0", "bounce_queue_lifetime": "0"},
    )
    _start(server, "Postfix server (into Cyrus)")
    yield server
    server.stop()


@pytest.fixture(params=POSTFIX_ROUTES)
def postfix_route(request: pytest.FixtureRequest, oidc_provider: OidcProvider) -> PostfixRoute:
    """Postfix into Dovecot, then Postfix into Cyrus (test ids ``[dovecot]``, ``[cyrus]``)."""
    if request.param == "dovecot":
        return PostfixRoute(
            "dovecot",
            request.getfixturevalue("postfix"),
            request.getfixturevalue("postfix_account_factory"),
        )
    postfix: PostfixServer = request.getfixturevalue("postfix_cyrus")
    make = postfix_cyrus_accounts(request.getfixturevalue("cyrus"), oidc_provider, postfix)
    return PostfixRoute("cyrus", postfix, make)


def postfix_cyrus_accounts(
    cyrus: Any, provider: OidcProvider, postfix: PostfixServer
) -> Callable[..., MailAccount]:
    """``make(*, password=None, quota_bytes=None) -> MailAccount`` on Cyrus, sending through
    ``postfix`` (``postfix_cyrus``)."""

    def make(*, password: str | None = None, quota_bytes: int | None = None) -> MailAccount:
        # No "." in the local part: it is the hierarchy separator of Cyrus's INBOX. layout.
        local = f"pf{next(_counter)}-{secrets.token_hex(3)}"
        account = _new_account(cyrus, provider, None, local, password, quota_bytes)
        postfix.add_user(account.address, account.password)
        return dataclasses.replace(
            account,
            smtp_host=postfix.host,
            smtp_port=postfix.submission_port,
            smtps_port=postfix.smtps_port,
        )

    return make
