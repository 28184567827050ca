"""The archive key as the window manages it: passphrase strength, change, move to the keyring.

The data key never changes here (the archive is not re-encrypted): only how it is protected.
Strength guidance returns codes and a score; the window words them in French.
"""

from __future__ import annotations

import asyncio
import math
import re
from dataclasses import dataclass

from app.config.paths import AppPaths
from app.credentials.data_keys import DataKeyManager, keyring_usable

#: The credentials layer refuses shorter passphrases (store.passphrase_too_short).
MIN_LENGTH = 8
_COMMON = {
    "motdepasse",
    "password",
    "azerty",
    "qwerty",
    "123456",
    "soleil",
    "bonjour",
    "doudou",
    "medecin",
    "cabinet",
    "mssante",
    "santé",
}


@dataclass(frozen=True)
class Strength:
    """A passphrase's estimated strength.

    Attributes:
        score: 0 (refused) to 4 (strong).
        bits: rough entropy estimate.
        hints: codes: ``too_short``, ``common``, ``repeated``, ``one_kind``, ``add_words``.
    """

    score: int
    bits: float
    hints: tuple[str, ...]

    @property
    def acceptable(self) -> bool:
        """Long enough for the credentials layer."""
        return "too_short" not in self.hints


def passphrase_strength(text: str) -> Strength:
    """Estimate strength (character classes × length, penalties for the obvious)."""
    hints: list[str] = []
    if len(text) < MIN_LENGTH:
        hints.append("too_short")
    pool = 0
    if re.search(r"[a-zà-ÿ]", text):
        pool += 26
    if re.search(r"[A-ZÀ-Ý]", text):
        pool += 26
    if re.search(r"\d", text):
        pool += 10
    if re.search(r"[^\w]|_", text):
        pool += 20
    bits = len(text) * math.log2(pool) if pool else 0.0
    lowered = text.lower()
    if any(word in lowered for word in _COMMON):
        hints.append("common")
        bits *= 0.5
    if len(set(text)) <= max(2, len(text) // 4):
        hints.append("repeated")
        bits *= 0.4
    kinds = sum(bool(re.search(p, text)) for p in (r"[a-zà-ÿ]", r"[A-ZÀ-Ý]", r"\d", r"[^\w]"))
    if kinds <= 1 and len(text) < 20:
        hints.append("one_kind")
    if len(text.split()) < 3 and bits < 70:
        hints.append("add_words")
    if "too_short" in hints:
        score = 0
    elif bits < 40:
        score = 1
    elif bits < 60:
        score = 2
    elif bits < 80:
        score = 3
    else:
        score = 4
    return Strength(score, round(bits, 1), tuple(hints))


async def keyring_available() -> bool:
    """Whether an OS keyring that stores secrets safely is there now."""
    return await asyncio.to_thread(keyring_usable)


async def change_passphrase(paths: AppPaths, old: str, new: str) -> None:
    """Re-wrap the data key under `new` (scrypt: slow on purpose, on a worker thread).

    Raises:
        StoreError: ``store.wrong_passphrase``, ``store.passphrase_too_short``,
            ``store.not_passphrase_protected``.
    """
    manager = DataKeyManager(paths.profile_file)
    await asyncio.to_thread(manager.change_passphrase, old, new)


async def move_to_keyring(paths: AppPaths, passphrase: str) -> None:
    """Give the data key to the OS keyring; no passphrase is asked at start afterwards.

    Raises:
        StoreError: ``store.wrong_passphrase``, ``store.no_keyring``, ``store.keyring_failed``.
    """
    manager = DataKeyManager(paths.profile_file)
    await asyncio.to_thread(manager.move_to_keyring, passphrase)
