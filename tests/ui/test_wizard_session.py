"""Session expiry: a Pro Santé Connect account whose session ended shows the frame's banner
without blocking anything; "Se reconnecter" runs the CIBA login with its code shown, approved
on the provider, and the account goes back online."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication  # noqa: TID251

from app.config.paths import AppPaths
from app.domain import events as ev
from app.domain.account import AccountConfig, AuthMethod, Endpoint, OidcSettings, Security
from app.ui.application import PliApplication
from app.ui.wizard.session import SessionRelogin
from tests.servers.oidc_provider import (
    CONFIDENTIAL_CLIENT_ID,
    CONFIDENTIAL_CLIENT_SECRET,
    OidcProvider,
)
from tests.ui.conftest import TEST_PASSPHRASE, UiLoop, open_test_services

pytestmark = pytest.mark.integration


@pytest.fixture
def no_quit(qapp: QApplication) -> Iterator[None]:
    before = qapp.quitOnLastWindowClosed()
    qapp.setQuitOnLastWindowClosed(False)
    yield
    qapp.setQuitOnLastWindowClosed(before)


def test_session_ended_banner_logs_in_again_with_ciba(
    ui: UiLoop,
    tmp_path: Path,
    mail_account: Any,
    oidc_provider: OidcProvider,
    no_quit: None,
) -> None:
    root = tmp_path / "profile"

    async def add_account() -> int:
        services = await open_test_services(root)
        try:
            account = await services.accounts.add(
                AccountConfig(
                    name="psc",
                    address=mail_account.address,
                    imap=Endpoint(
                        mail_account.imap_host, mail_account.imap_port, Security.STARTTLS
                    ),
                    smtp=Endpoint(
                        mail_account.smtp_host, mail_account.smtp_port, Security.STARTTLS
                    ),
                    ca_file=str(mail_account.ca_bundle),
                    auth=AuthMethod.OAUTH2,
                    servers_confirmed=True,
                    oidc=OidcSettings(
                        issuer=oidc_provider.issuer,
                        client_id=CONFIDENTIAL_CLIENT_ID,
                        client_auth="secret",
                        flow="ciba",
                        rpps=mail_account.rpps,
                        ca_file=str(oidc_provider.ca_file),
                    ),
                ),
                oidc_client_secret=CONFIDENTIAL_CLIENT_SECRET,
            )
            return account.id  # never logged in: the session is over from the start
        finally:
            await services.aclose()

    account_id = ui.run(add_account())

    async def scenario() -> None:
        app = PliApplication(AppPaths.at(root), ui.errors, passphrase=TEST_PASSPHRASE)
        app.window.show()
        run = asyncio.ensure_future(app.run())
        await ui.until(app.started.is_set, within=30)
        window = app.window
        states = window.status.connections.states
        await ui.until(
            lambda: states().get(account_id) is ev.ConnectionState.SESSION_ENDED, within=60
        )
        banner = window.offline_banner
        await ui.until(banner.isVisible)
        assert banner.session_ended and banner.button.isVisible()
        assert window.current_page() == "mail"  # nothing blocks: the archive stays usable
        [relogin] = app.findChildren(SessionRelogin)
        banner.button.click()
        request = await asyncio.to_thread(oidc_provider.wait_for_ciba, 20, mail_account.address)
        await ui.until(lambda: relogin.code_box is not None)
        assert request.binding_message in relogin.code_box.informativeText()
        await asyncio.to_thread(oidc_provider.approve_ciba, request.auth_req_id)
        await ui.until(lambda: relogin.logins == 1, within=30)
        await ui.until(lambda: states().get(account_id) is ev.ConnectionState.ONLINE, within=60)
        await ui.until(lambda: not banner.isVisible(), within=10)
        window.close()
        await run

    ui.run(scenario(), timeout=150)
