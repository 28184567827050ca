"""Changing settings while Pli runs: saved atomically, then handed to the running services.

Settings are a frozen dataclass (STYLE.md §4). The services that keep a copy (accounts: TLS
policy and timeouts at every new connection; outbox, compose, receipts: sending rules;
directory: online source) get the new one at once, so nothing needs a restart. Each of them
reads its copy at the start of each operation, never caches derived state, which is what makes
replacing it safe.

The online directory's API key is a secret: it lives in the encrypted archive (scope
``profile``), never in the clear settings file.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from app.config.settings import Settings

if TYPE_CHECKING:
    from app.services.container import Services
    from app.store.archive import Archive

log = logging.getLogger(__name__)

PROFILE_SCOPE = "profile"
SECRET_DIRECTORY_API_KEY = "directory_api_key"  # noqa: S105 - a secret kind's name
#: Spec §6: the application locks after at most two hours without use.
MAX_LOCK_MINUTES = 120


class SettingsService:
    """Save and apply settings; keep the directory's API key in the archive."""

    def __init__(self, services: Services) -> None:
        self._services = services

    @property
    def current(self) -> Settings:
        """The settings in force."""
        return self._services.settings

    async def apply(self, settings: Settings) -> Settings:
        """Save `settings` (atomically) and hand them to the running services.

        The lock delay is capped to two hours (spec §6). Returns what was applied.
        """
        minutes = max(1, min(MAX_LOCK_MINUTES, int(settings.lock_after_minutes)))
        settings = settings.evolve(lock_after_minutes=minutes)
        await asyncio.to_thread(settings.save, self._services.paths.settings_file)
        services = self._services
        services.settings = settings
        for holder in (services.accounts, services.outbox, services.compose, services.receipts):
            holder.apply_settings(settings)
        services.directory.apply_settings(settings.directory)
        log.info("settings applied")
        return settings

    async def directory_api_key(self) -> str | None:
        """The online directory's API key stored in the archive, if any."""

        def work(archive: Archive) -> bytes | None:
            return archive.secrets.get(PROFILE_SCOPE, SECRET_DIRECTORY_API_KEY)

        value = await self._services.store.read(work)
        return value.decode("utf-8") if value else None

    async def set_directory_api_key(self, key: str | None) -> None:
        """Store (or, with None/empty, forget) the API key, and use it at once."""
        key = (key or "").strip() or None

        def work(archive: Archive) -> None:
            if key is None:
                archive.secrets.delete(PROFILE_SCOPE, SECRET_DIRECTORY_API_KEY)
            else:
                archive.secrets.put(PROFILE_SCOPE, SECRET_DIRECTORY_API_KEY, key.encode())
            archive.audit.add(account_id=None, actor="local", action="settings.directory_api_key")

        await self._services.store.write(work)
        self._services.directory.set_api_key(key)

    async def load_directory_api_key(self) -> None:
        """At start: give the directory the stored API key."""
        key = await self.directory_api_key()
        if key:
            self._services.directory.set_api_key(key)
