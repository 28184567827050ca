"""The offline banner appears when the server stops, saying what still works."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from app.config.paths import AppPaths
from app.domain import events as ev
from app.domain.account import AccountConfig, Endpoint, Security
from app.ui.application import PliApplication
from tests.ui.conftest import TEST_PASSPHRASE, UiLoop, open_test_services

pytestmark = pytest.mark.integration

OFFLINE_TEXT = (
    "Hors ligne\u00a0: vos messages archivés restent consultables\u202f; "
    "les envois attendent le retour du réseau."
)


def test_offline_banner_when_the_server_stops(
    ui: UiLoop,
    tmp_path: Path,
    dovecot_factory: Callable[..., Any],
    pki: Any,
    french: None,
) -> None:
    server = dovecot_factory()
    user = server.add_user("medecin")
    root = tmp_path / "profile"

    async def add_account() -> int:
        services = await open_test_services(root)
        try:
            account = await services.accounts.add(
                AccountConfig(
                    name="cabinet",
                    address=user.address,
                    imap=Endpoint(server.host, server.imap_port, Security.STARTTLS),
                    smtp=Endpoint("127.0.0.1", 9, Security.STARTTLS),
                    ca_file=str(pki.ca_bundle),
                ),
                password=user.password,
            )
            return account.id
        finally:
            await services.aclose()

    account_id = ui.run(add_account())

    async def scenario() -> None:
        app = PliApplication(AppPaths.at(root), ui.errors, passphrase=TEST_PASSPHRASE)
        app.window.show()
        run = asyncio.ensure_future(app.run())
        await ui.until(app.started.is_set, within=30)
        window = app.window
        assert window.current_page() == "mail"  # an account: straight to the mail
        states = window.status.connections.states
        await ui.until(lambda: states().get(account_id) is ev.ConnectionState.ONLINE, 60)
        assert not window.offline_banner.isVisible()

        await asyncio.to_thread(server.stop)
        await ui.until(window.offline_banner.isVisible, within=90)
        assert window.offline_banner.text.text() == OFFLINE_TEXT
        assert window.offline_banner.button.text() == "&Réessayer maintenant"
        assert states()[account_id] is not ev.ConnectionState.ONLINE
        # The status bar says it too, per account, for screen readers as well.
        spoken = window.status.connections.accessible_text(account_id)
        assert spoken.startswith("cabinet\u00a0: ")
        assert spoken != "cabinet\u00a0: connectée"
        window.close()
        assert await run == 0

    ui.run(scenario(), timeout=200)
