"""Unlocking a window locked after inactivity: how the profile is protected, and the check.

The window hides its content after a period without use (spec §6); to show it again, a
keyring profile needs only a gesture, a passphrase profile needs its passphrase, checked here
by the credentials layer (never by the window itself).
"""

from __future__ import annotations

import asyncio

from app.config.paths import AppPaths
from app.credentials.data_keys import DataKeyManager
from app.domain.errors import StoreError


async def profile_protection(paths: AppPaths) -> str | None:
    """``"keyring"``, ``"passphrase"``, or None before the profile exists."""
    return await asyncio.to_thread(DataKeyManager(paths.profile_file).protection)


async def check_passphrase(paths: AppPaths, passphrase: str) -> bool:
    """Whether `passphrase` unlocks the profile's data key (slow on purpose: a KDF runs).

    Raises:
        StoreError: the profile cannot be read (``store.profile_unreadable``…), never for a
            wrong passphrase (that is False).
    """
    manager = DataKeyManager(paths.profile_file)
    try:
        await asyncio.to_thread(manager.unlock, passphrase)
    except StoreError as error:
        if error.code in ("store.wrong_passphrase", "store.passphrase_required"):
            return False
        raise
    return True
