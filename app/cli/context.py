"""What a command handler receives: paths, settings, output, and lazy access to the services."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from app.cli.output import Output
from app.config.paths import AppPaths
from app.config.settings import Settings

if TYPE_CHECKING:
    from app.services.container import Services
    from app.services.directory_service import DirectoryService


@dataclass(frozen=True)
class HoldRequest:
    """This invocation holds the profile (``pli sync --watch``) and serves forwarded commands.

    `wait`: seconds to wait for another holder to end; `on_wait(pid)` is told once when
    waiting begins.
    """

    wait: float
    on_wait: Callable[[int | None], None]


@dataclass
class CliContext:
    """Per-invocation context, built by the composition root (`app.bootstrap`).

    `services()` unlocks the archive on first use (OS keyring, ``PLI_PASSPHRASE`` or
    ``--passphrase-file``); `directory()` never needs it: the directory is public data.

    A command forwarded to the process holding the profile runs with that process's services
    (`owns_services` False: they stay open when the command ends).
    """

    paths: AppPaths
    settings: Settings
    out: Output
    open_services: Callable[[HoldRequest | None], Awaitable[Services]]
    open_directory: Callable[[], DirectoryService]
    hold: HoldRequest | None = None
    owns_services: bool = True
    _services: Services | None = field(default=None, init=False)

    async def services(self) -> Services:
        """The unlocked services (archive, accounts, sync…), opened once per invocation."""
        if self._services is None:
            self._services = await self.open_services(self.hold)
        return self._services

    def has_archive(self) -> bool:
        """Whether this profile has an archive (its data key exists), without unlocking it."""
        return self.paths.profile_file.exists()

    def directory(self) -> DirectoryService:
        """The health directory service (no unlock needed)."""
        return self.open_directory()

    async def aclose(self) -> None:
        """Close whatever was opened."""
        services, self._services = self._services, None
        if services is not None and self.owns_services:
            await services.aclose()
