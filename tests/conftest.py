"""Suite-wide test setup.

``PLI_TESTING=1`` for the whole session: ``AppPaths.default()`` then refuses to run, so no test
can touch the real home folder (tests build profiles under ``tmp_path``).

The real test servers (Dovecot, the OpenID Connect provider, the SMTP submission server, TLS
edge servers) come from tests/servers/fixtures.py; see tests/servers/README.md.
"""

from __future__ import annotations

import os

os.environ["PLI_TESTING"] = "1"

# Imported after PLI_TESTING is set, so nothing they import can reach the real home folder.
from tests.servers.fixtures import (
    _reset_shared_servers,
    dovecot,
    dovecot_factory,
    http_files,
    mail_account,
    mail_account_factory,
    oidc_provider,
    pki,
    postfix,
    postfix_account_factory,
    postfix_cyrus,
    postfix_dovecot_auth,
    postfix_route,
    smtp_server,
    tls_edge_factory,
)
from tests.servers.imap_fixtures import (
    cyrus,
    cyrus_factory,
    cyrus_smtp_server,
    cyrus_unixsep,
    cyrus_unixsep_smtp_server,
    imap_account,
    imap_account_factory,
    imap_server,
    imap_server_name,
)

__all__ = [
    "_reset_shared_servers",
    "cyrus",
    "cyrus_factory",
    "cyrus_smtp_server",
    "cyrus_unixsep",
    "cyrus_unixsep_smtp_server",
    "dovecot",
    "dovecot_factory",
    "http_files",
    "imap_account",
    "imap_account_factory",
    "imap_server",
    "imap_server_name",
    "mail_account",
    "mail_account_factory",
    "oidc_provider",
    "pki",
    "postfix",
    "postfix_account_factory",
    "postfix_cyrus",
    "postfix_dovecot_auth",
    "postfix_route",
    "smtp_server",
    "tls_edge_factory",
]
