"""Fixtures that run a test on every IMAP server of the suite (loaded by tests/conftest.py).

* ``cyrus`` and ``cyrus_unixsep`` (session): :class:`~tests.servers.cyrus.CyrusServer` in its
  two namespace layouts (``INBOX.`` with ``.``; top level with ``/``), started on first use;
* ``imap_server`` (parametrised over :data:`IMAP_SERVERS`): the session's Dovecot or one of
  the Cyrus instances, so an existing test runs on each without being copied;
* ``cyrus_smtp_server`` and ``cyrus_unixsep_smtp_server`` (session): the suite's SMTP
  submission server (tests/servers/smtp.py) with the users of a Cyrus instance, delivering
  into it by LMTP;
* ``imap_account_factory`` / ``imap_account``: a fresh :class:`MailAccount` on ``imap_server``
  (``account.server`` is the server holding it, ``account.folder("Patients/Lefevre")`` the
  folder's full name in its layout), with the SMTP server delivering into that server.

Cyrus is unpacked from Debian's packages by ``tools/install-system-deps``. When it is missing
the Cyrus cases fail with that instruction on CI (``CI`` set); on a developer's machine they
are skipped with the same reason.
"""

from __future__ import annotations

import itertools
import os
import secrets
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.servers._util import INSTALL_HINT
from tests.servers.cyrus import CYRUS_ROOT, CyrusServer, cyrus_available
from tests.servers.dovecot import DovecotServer
from tests.servers.fixtures import MailAccount, _new_account, _start
from tests.servers.oidc_provider import OidcProvider
from tests.servers.pki import TestPki
from tests.servers.smtp import SmtpServer

#: The IMAP servers a parametrised test runs on: Dovecot 2.3, Cyrus 3.6 with every folder
#: under ``INBOX.`` (``altnamespace: no``, ``unixhierarchysep: no``), and Cyrus with folders at
#: the top level separated by ``/`` (``altnamespace: yes``, ``unixhierarchysep: yes``).
IMAP_SERVERS = ("dovecot", "cyrus", "cyrus-unixsep")

_counter = itertools.count(1)


def require_cyrus() -> None:
    """Fail (on CI) or skip (elsewhere) with instructions when Cyrus is not unpacked."""
    if cyrus_available():
        return
    reason = f"Cyrus IMAP is missing (no master under {CYRUS_ROOT}): {INSTALL_HINT}"
    if os.environ.get("CI"):
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


def _cyrus(pki: TestPki, layout: str) -> Iterator[CyrusServer]:
    require_cyrus()
    server = CyrusServer(cert=pki.server, ca_file=pki.ca_bundle, layout=layout)
    _start(server, f"Cyrus IMAP server ({layout})")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def cyrus(pki: TestPki) -> Iterator[CyrusServer]:
    """Cyrus IMAP 3.6, every folder under ``INBOX.`` with ``.`` (IMAP, IMAPS, LMTP)."""
    yield from _cyrus(pki, "inbox")


@pytest.fixture(scope="session")
def cyrus_unixsep(pki: TestPki) -> Iterator[CyrusServer]:
    """Cyrus IMAP 3.6, folders at the top level with ``/`` (IMAP, IMAPS, LMTP)."""
    yield from _cyrus(pki, "unixsep")


@pytest.fixture
def cyrus_factory(pki: TestPki) -> Iterator[Callable[..., CyrusServer]]:
    """``make(**CyrusServer kwargs) -> started CyrusServer`` (stopped after the test)."""
    require_cyrus()
    started: list[CyrusServer] = []

    def make(**kwargs: Any) -> CyrusServer:
        kwargs.setdefault("cert", pki.server)
        kwargs.setdefault("ca_file", pki.ca_bundle)
        server = CyrusServer(**kwargs)
        _start(server, "Cyrus IMAP server")
        started.append(server)
        return server

    yield make
    for server in started:
        server.stop()


def _smtp_into(server: CyrusServer, pki: TestPki, provider: OidcProvider) -> Iterator[SmtpServer]:
    smtp = SmtpServer(
        pki.server,
        check_password=server.check_password,
        has_mailbox=server.has_user,
        lmtp=("127.0.0.1", server.lmtp_port),
        introspect=provider.introspect,
        local_domains=[server.domain],
    )
    _start(smtp, "SMTP server (into Cyrus)")
    yield smtp
    smtp.stop()


@pytest.fixture(scope="session")
def cyrus_smtp_server(
    pki: TestPki, cyrus: CyrusServer, oidc_provider: OidcProvider
) -> Iterator[SmtpServer]:
    """The suite's SMTP submission server with the users of ``cyrus``, delivering into it."""
    yield from _smtp_into(cyrus, pki, oidc_provider)


@pytest.fixture(scope="session")
def cyrus_unixsep_smtp_server(
    pki: TestPki, cyrus_unixsep: CyrusServer, oidc_provider: OidcProvider
) -> Iterator[SmtpServer]:
    """Like ``cyrus_smtp_server``, for ``cyrus_unixsep``."""
    yield from _smtp_into(cyrus_unixsep, pki, oidc_provider)


@pytest.fixture(params=IMAP_SERVERS)
def imap_server(request: pytest.FixtureRequest) -> DovecotServer | CyrusServer:
    """Each IMAP server in turn (test ids ``[dovecot]``, ``[cyrus]``, ``[cyrus-unixsep]``)."""
    name = request.param.replace("-", "_")
    server: DovecotServer | CyrusServer = request.getfixturevalue(name)
    return server


@pytest.fixture
def imap_server_name(imap_server: DovecotServer | CyrusServer) -> str:
    """``"dovecot"``, ``"cyrus"`` or ``"cyrus-unixsep"``: which server this case runs on."""
    if isinstance(imap_server, CyrusServer):
        return "cyrus" if imap_server.layout == "inbox" else "cyrus-unixsep"
    return "dovecot"


@pytest.fixture
def imap_account_factory(
    request: pytest.FixtureRequest,
    imap_server: DovecotServer | CyrusServer,
    imap_server_name: str,
    oidc_provider: OidcProvider,
) -> Iterator[Callable[..., MailAccount]]:
    """``make(local=None, *, password=None, quota_bytes=None) -> MailAccount`` on imap_server.

    The SMTP fields name a submission server whose users and deliveries are imap_server's:
    ``smtp_server`` for Dovecot, ``cyrus_smtp_server`` / ``cyrus_unixsep_smtp_server`` for
    Cyrus (its faults and records are cleared around the test, as ``smtp_server``'s are).
    """
    smtp_name = "smtp_server"
    if imap_server_name != "dovecot":
        smtp_name = imap_server_name.replace("-", "_") + "_smtp_server"
    smtp: SmtpServer = request.getfixturevalue(smtp_name)
    smtp.clear()

    def make(
        local: str | None = None, *, password: str | None = None, quota_bytes: int | None = None
    ) -> MailAccount:
        # No "." in a local part: it is the hierarchy separator of Cyrus's "inbox" layout.
        local = local or f"user{next(_counter)}-{secrets.token_hex(3)}"
        # The session Dovecot and both Cyrus instances share _new_account (duck typing).
        return _new_account(
            imap_server,  # type: ignore[arg-type]
            oidc_provider,
            smtp,
            local,
            password,
            quota_bytes,
        )

    yield make
    smtp.reset_faults()


@pytest.fixture
def imap_account(imap_account_factory: Callable[..., MailAccount]) -> MailAccount:
    """A fresh mailbox on each IMAP server in turn."""
    return imap_account_factory()
