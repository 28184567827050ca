"""The window when the server renames a folder (issue 14 #7, OBJECTID): on Cyrus, the folder
keeps its place in the tree under its new name, with its messages, on real services."""

from __future__ import annotations

import asyncio
import secrets
from typing import Any

import pytest

from app.services.container import Services
from tests.servers.cyrus import CyrusServer
from tests.servers.fixtures import _new_account
from tests.support.mail import message
from tests.ui.conftest import UiLoop
from tests.ui.test_mail_screens import add_account, opened, sync, workspace

pytestmark = pytest.mark.integration


def test_a_folder_renamed_on_the_server_shows_its_new_name(
    ui: UiLoop,
    ui_services: Services,
    cyrus: CyrusServer,
    oidc_provider: Any,
    cyrus_smtp_server: Any,
    french: None,
) -> None:
    local = f"win{secrets.token_hex(4)}"
    mail = _new_account(cyrus, oidc_provider, cyrus_smtp_server, local, None, None)  # type: ignore[arg-type]
    old, new = cyrus.folder("Patients"), cyrus.folder("Suivis")
    cyrus.create_folder(mail.address, old)
    cyrus.deliver(mail.address, message(subject="Dossier suivi")[0], folder=old)

    async def scenario() -> None:
        account = await add_account(ui_services, mail)
        await sync(ui_services, account)
        window = await workspace(ui, ui_services)
        await opened(ui, window)
        tree = window.folders.model
        (folder,) = [f for f in tree.folders(account.id) if f.name == old]
        window.folders.select_folder(folder.id)
        await ui.until(lambda: window.messages.folder_id == folder.id)
        await window.messages.wait_idle()
        before = window.messages.model.summary(0)
        assert before.subject == "Dossier suivi"

        await asyncio.to_thread(cyrus.rename_folder, mail.address, old, new)
        await sync(ui_services, account)
        await ui.until(lambda: any(f.name == new for f in tree.folders(account.id)), within=20)
        await window.folders.wait_idle()
        names = [f.name for f in tree.folders(account.id)]
        assert old not in names
        (renamed,) = [f for f in tree.folders(account.id) if f.name == new]
        assert renamed.id == folder.id and renamed.messages == 1
        shown = tree.folder_index(folder.id).data()
        assert shown == tree.folder_label(renamed) and "Suivis" in shown
        # The open list is the same folder: its message is still there, the same entry.
        await window.messages.wait_idle()
        assert window.messages.folder_id == folder.id
        assert window.messages.model.summary(0).id == before.id
        title = window.messages.title.text()
        assert title == tree.folder_label(renamed) and "Suivis" in title

    ui.run(scenario(), timeout=120)
