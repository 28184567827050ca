"""Pro Santé Connect-style login against a real OpenID Connect provider, then XOAUTH2 on Dovecot.

The provider is node-oidc-provider on 127.0.0.1 (tests/servers/oidc); Dovecot checks the
access tokens at its introspection endpoint. The "system browser" is played by the servers'
browser helper, which ends by requesting Pli's loopback redirect exactly as a browser would.
"""

from __future__ import annotations

import asyncio
import re
import time
from pathlib import Path

import pytest

from app.config.paths import AppPaths
from app.config.settings import Settings
from app.credentials.data_keys import DataKeyManager
from app.domain.events import SessionEnded
from app.services.container import Services
from app.services.event_bus import EventBus
from app.services.store_gateway import StoreGateway
from tests.servers.oidc_provider import browser_login
from tests.support.cli import PASSPHRASE, Pli
from tests.support.mail import message

pytestmark = pytest.mark.integration


@pytest.fixture
def pli(tmp_path: Path) -> Pli:
    return Pli(tmp_path / "profile")


def add_oauth_account(
    pli: Pli, account, provider, *extra: str, confirm: bool = True, confidential: bool = False
) -> None:
    client = provider.confidential_client if confidential else provider.public_client
    if confidential:
        # CIBA clients authenticate (CIBA Core §7.1); PSC's are confidential. The secret is
        # typed by the administrator, never shipped (spec §2).
        secret_file = pli.profile.parent / "client-secret.txt"
        secret_file.write_text(client.client_secret + "\n")
        extra = (
            *extra,
            "--oidc-client-auth",
            "secret",
            "--oidc-client-secret-file",
            str(secret_file),
        )
    args = [
        "account",
        "add",
        "psc",
        "--address",
        account.address,
        "--imap",
        f"{account.imap_host}:{account.imap_port}",
        "--smtp",
        f"{account.smtp_host}:{account.smtp_port}",
        "--ca-file",
        str(account.ca_bundle),
        "--auth",
        "oauth2",
        "--oidc-issuer",
        provider.issuer,
        "--oidc-client-id",
        client.client_id,
        "--oidc-ca-file",
        str(provider.ca_file),
        "--rpps",
        account.rpps,
        *extra,
    ]
    if confirm:
        args.append("--confirm-servers")
    pli(*args).ok()


def browser_flow(pli: Pli, account, provider) -> None:
    """`pli account login --no-browser` in a real process; the test plays the browser."""
    process = pli.popen("account", "login", "psc", "--no-browser")
    assert process.stderr is not None
    url = None
    deadline = time.monotonic() + 20
    while url is None and time.monotonic() < deadline:
        line = process.stderr.readline()
        match = re.search(r"https://\S+", line)
        if match:
            url = match.group(0)
    assert url, "pli did not print the authorization address"
    assert "code_challenge_method=S256" in url
    assert "acr_values=eidas1" in url
    browser_login(url, account.address, account.password, ssl_context=provider.ssl_context())
    out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert "Logged in" in out


def test_browser_login_then_sync_with_xoauth2(pli: Pli, mail_account, oidc_provider) -> None:
    mail_account.dovecot.deliver(mail_account.address, message(subject="Par jeton")[0])
    add_oauth_account(pli, mail_account, oidc_provider)

    refused = pli("sync")
    assert refused.code == 5
    assert "pli account login" in refused.err

    browser_flow(pli, mail_account, oidc_provider)
    listing = pli("sync", "--json").ok().json()["accounts"][0]
    assert listing["new"] == 1
    assert [m["subject"] for m in pli("list", "--json").json()["messages"]] == ["Par jeton"]
    grants = [e for e in oidc_provider.events() if e.get("event") == "grant.success"]
    assert any(e.get("grant_type") == "authorization_code" for e in grants)
    audit = pli("audit", "--json").json()["entries"]
    assert any(e["action"] == "session.login_oidc" for e in audit)
    assert any(e["action"] == "session.login" and "oauth2" in (e["request"] or "") for e in audit)


def test_access_token_is_refreshed_and_session_ends_when_refresh_is_refused(
    pli: Pli, mail_account, oidc_provider
) -> None:
    oidc_provider.set_token_ttls(access_token_ttl=2, refresh_token_ttl=1800)
    add_oauth_account(pli, mail_account, oidc_provider)
    browser_flow(pli, mail_account, oidc_provider)
    time.sleep(2.5)  # the access token is now expired: the next sync must refresh it
    mail_account.dovecot.deliver(mail_account.address, message(subject="Après rafraîchissement")[0])
    pli("sync").ok()
    refreshes = [
        e
        for e in oidc_provider.events()
        if e.get("event") == "grant.success" and e.get("grant_type") == "refresh_token"
    ]
    assert refreshes

    oidc_provider.revoke(mail_account.address)
    ended = pli("sync")
    assert ended.code == 5
    assert "session" in ended.err.lower()
    # The refused refresh token was forgotten: a new login is needed, no retry loop.
    again = pli("sync")
    assert again.code == 5
    assert "pli account login" in again.err
    audit = pli("audit", "--action", "session.end", "--json").json()["entries"]
    assert [e["outcome"] for e in audit] == ["auth.session_ended"]


async def _open_profile(profile: Path) -> Services:
    paths = AppPaths.at(profile)
    key = await asyncio.to_thread(DataKeyManager(paths.profile_file).unlock, PASSPHRASE)
    store = await StoreGateway.open(paths.archive_db, key.hex, paths.backups_dir)
    return Services.build(paths, Settings.load(paths.settings_file), store, EventBus(strict=True))


async def _refresh_at_once(profile: Path) -> tuple[list[str], list[SessionEnded]]:
    """Two services on one profile (two processes, as far as the archive knows) both need a
    fresh access token at the same moment."""
    first, second = await _open_profile(profile), await _open_profile(profile)
    ended: list[SessionEnded] = []

    def on_session_ended(event: SessionEnded) -> None:  # held weakly: kept alive here
        ended.append(event)

    try:
        for services in (first, second):
            services.events.subscribe(SessionEnded, on_session_ended)
        one, two = await first.accounts.get("psc"), await second.accounts.get("psc")
        tokens = await asyncio.gather(
            first.accounts.access_token(one), second.accounts.access_token(two)
        )
        return list(tokens), ended
    finally:
        await first.aclose()
        await second.aclose()


def _refresh_grants(provider) -> int:
    return sum(
        1
        for e in provider.events()
        if e.get("event") == "grant.success" and e.get("grant_type") == "refresh_token"
    )


def test_two_processes_refreshing_at_once_keep_the_session(
    pli: Pli, mail_account, oidc_provider
) -> None:
    """Rotating refresh tokens: a spent one ends the session, so the second refresher must use
    the token the first one just got, never the one it read before."""
    oidc_provider.set_token_ttls(access_token_ttl=2, refresh_token_ttl=1800)
    add_oauth_account(pli, mail_account, oidc_provider)
    browser_flow(pli, mail_account, oidc_provider)
    time.sleep(2.5)  # expired: both must refresh

    before = _refresh_grants(oidc_provider)
    tokens, ended = asyncio.run(_refresh_at_once(pli.profile))
    assert all(tokens) and not ended
    # One after the other, each with the token then current.
    assert _refresh_grants(oidc_provider) - before == 2
    # The token kept is the live one: the session goes on.
    time.sleep(2.5)
    mail_account.dovecot.deliver(mail_account.address, message(subject="Toujours connecté")[0])
    pli("sync").ok()
    assert pli("audit", "--action", "session.end", "--json").json()["entries"] == []


def test_ciba_login_approved_on_the_phone(pli: Pli, mail_account, oidc_provider) -> None:
    add_oauth_account(pli, mail_account, oidc_provider, confidential=True)
    process = pli.popen("account", "login", "psc", "--ciba")
    request = oidc_provider.wait_for_ciba(timeout=20, sub=mail_account.address)
    assert request.login_hint == f"8{mail_account.rpps}"
    assert request.acr_values == "eidas1"
    assert "scope_all" in request.scope
    oidc_provider.approve_ciba(request.auth_req_id)
    _out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    # What the user compares on the phone is what Pli showed.
    assert request.binding_message and request.binding_message in err
    mail_account.dovecot.deliver(mail_account.address, message(subject="Via CIBA")[0])
    pli("sync").ok()
    assert pli("list", "--json").json()["messages"][0]["subject"] == "Via CIBA"


def test_ciba_login_refused_on_the_phone(pli: Pli, mail_account, oidc_provider) -> None:
    add_oauth_account(pli, mail_account, oidc_provider, confidential=True)
    process = pli.popen("account", "login", "psc", "--ciba")
    request = oidc_provider.wait_for_ciba(timeout=20, sub=mail_account.address)
    oidc_provider.deny_ciba(request.auth_req_id)
    _out, err = process.communicate(timeout=60)
    assert process.returncode == 5
    assert "refused" in err.lower() or "denied" in err.lower()


def test_no_token_is_sent_to_a_hand_typed_server_outside_the_domain(
    pli: Pli, mail_account, oidc_provider
) -> None:
    add_oauth_account(pli, mail_account, oidc_provider, confirm=False)
    browser_flow(pli, mail_account, oidc_provider)
    result = pli("sync")
    assert result.code == 5
    assert mail_account.imap_host in result.err
    assert "confirm" in result.err.lower()
