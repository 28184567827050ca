"""Folder names as a user reads them, on every server layout: the server's own delimiter
splits them, and the personal namespace's ``INBOX.`` of Cyrus's classic layout is not a level
(the window's folder tree, its titles and the search bar's folder list read
`FolderStatus.path`). Real Dovecot and Cyrus (both layouts) on loopback, real SQLCipher.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from app.domain.mailbox import display_path
from app.services.event_bus import EventBus
from tests.services.support import add_account, off_loop, open_test_services
from tests.support.mail import message

pytestmark = [pytest.mark.integration]


@pytest.mark.parametrize(
    ("name", "delimiter", "levels"),
    [
        ("INBOX", ".", ("INBOX",)),
        ("INBOX", None, ("INBOX",)),
        ("INBOX.Suivis", ".", ("Suivis",)),
        ("INBOX.Suivis.Durand", ".", ("Suivis", "Durand")),
        ("Suivis/Durand", "/", ("Suivis", "Durand")),
        ("INBOX/Tri", "/", ("INBOX", "Tri")),  # a real subfolder of INBOX on such servers
        ("Comptes rendus — été", None, ("Comptes rendus — été",)),
        ("Archives.2025", "/", ("Archives.2025",)),
    ],
)
def test_display_path(name: str, delimiter: str | None, levels: tuple[str, ...]) -> None:
    assert display_path(name, delimiter) == levels


async def test_folders_read_the_same_on_every_layout(tmp_path: Path, imap_account: Any) -> None:
    server, address = imap_account.server, imap_account.address
    followed, durand = imap_account.folder("Suivis"), imap_account.folder("Suivis/Durand")
    await off_loop(server.create_folder, address, followed)
    await off_loop(server.create_folder, address, durand)
    await off_loop(server.deliver, address, message(subject="Bilan")[0], durand)
    services = await open_test_services(tmp_path / "profile", EventBus(strict=True))
    try:
        account = await add_account(services, imap_account)
        await services.supervisor.run_once([account])
        paths = {f.name: f.path for f in await services.archive.folders(account)}
    finally:
        await services.aclose()
    assert paths["INBOX"] == ("INBOX",)
    assert paths[followed] == ("Suivis",)
    assert paths[durand] == ("Suivis", "Durand")
