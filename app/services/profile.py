"""Opening a profile: unlock the data key, open the archive, wire the services."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from app.config.paths import AppPaths
from app.config.settings import Settings
from app.credentials.data_keys import DataKeyManager, keyring_usable
from app.domain.errors import StoreError
from app.services.container import Services
from app.services.event_bus import EventBus
from app.services.store_gateway import StoreGateway

#: Asked for the passphrase; the argument is True when a new one is being chosen.
#: Returns None when none can be had (no terminal, nothing in the environment).
PassphraseProvider = Callable[[bool], Awaitable[str | None]]


async def open_services(
    paths: AppPaths,
    settings: Settings,
    passphrase: PassphraseProvider,
    *,
    prefer_passphrase: bool = False,
) -> Services:
    """Unlock (creating on first use) the profile and return its services.

    On creation the OS keyring keeps the data key when there is one, unless a passphrase was
    given explicitly (`prefer_passphrase`, e.g. ``PLI_PASSPHRASE`` for automation).

    Raises:
        StoreError: ``store.no_keyring``, ``store.passphrase_required``,
            ``store.wrong_passphrase``, ``store.newer_schema``…
    """
    await asyncio.to_thread(paths.ensure)
    keys = DataKeyManager(paths.profile_file)
    if not await asyncio.to_thread(keys.exists):
        chosen: str | None = None
        if prefer_passphrase or not await asyncio.to_thread(keyring_usable):
            chosen = await passphrase(True)
            if chosen is None:
                raise StoreError("store.no_keyring")
        key = await asyncio.to_thread(keys.create, chosen)
    else:
        secret = None
        if await asyncio.to_thread(keys.protection) == "passphrase":
            secret = await passphrase(False)
            if secret is None:
                raise StoreError("store.passphrase_required")
        key = await asyncio.to_thread(keys.unlock, secret)
    store = await StoreGateway.open(paths.archive_db, key.hex, paths.backups_dir)
    return Services.build(paths, settings, store, EventBus())
