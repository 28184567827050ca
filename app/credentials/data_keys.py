"""The archive's data key: a random 256-bit key, never derived from a mail password.

The key lives in the OS keyring when one is available. Where none is (a server, a CI
machine, some Linux desktops), it is wrapped under a passphrase (scrypt + AES-256-GCM) in the
profile's `profile.json`; the passphrase comes from the user, ``PLI_PASSPHRASE`` or a file.
Never a plaintext fallback (STYLE.md §4, contrast Vorta's `keyring/db.py`).

Blocking: scrypt takes a fraction of a second; call from a worker thread in the window.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from app.config.paths import TESTING_ENV
from app.config.settings import atomic_write_text
from app.domain.errors import StoreError

log = logging.getLogger(__name__)

KEYRING_SERVICE = "Pli"
PROFILE_VERSION = 1
KEY_BYTES = 32

#: scrypt work factor (OWASP: N=2^17, r=8, p=1). The test suite, which opens hundreds of
#: throwaway profiles, creates them with a lower factor; the factor is stored per profile.
SCRYPT_N = 2**17
SCRYPT_N_TESTING = 2**14

#: Backends that store secrets in clear: refused.
_PLAINTEXT_BACKENDS = ("PlaintextKeyring", "keyrings.alt.file", "Null", "fail.Keyring")


@dataclass(frozen=True)
class DataKey:
    """The raw key (in memory only). `hex` is the form SQLCipher's ``PRAGMA key`` takes."""

    raw: bytes

    @property
    def hex(self) -> str:
        """Hexadecimal form."""
        return self.raw.hex()

    def derive(self, purpose: bytes) -> bytes:
        """A sub-key for another use (e.g. wrapping a temporary file), by HKDF-SHA256."""
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.kdf.hkdf import HKDF

        return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(self.raw)


PassphraseSource = Callable[[bool], str | None]
"""Asked for the passphrase; the argument says whether a new one is being chosen."""


def _keyring() -> ModuleType:
    """The `keyring` package, imported on first use (a passphrase profile never needs it)."""
    import keyring
    import keyring.errors

    return keyring


def keyring_usable() -> bool:
    """Whether an OS keyring that stores secrets safely is available."""
    keyring = _keyring()
    try:
        backend = keyring.get_keyring()
    except Exception:  # noqa: BLE001 - keyring's discovery may fail in many ways; all mean "no"
        return False
    name = f"{type(backend).__module__}.{type(backend).__name__}"
    if any(marker in name for marker in _PLAINTEXT_BACKENDS):
        return False
    priority = getattr(backend, "priority", 0)
    return isinstance(priority, int | float) and priority > 0


class DataKeyManager:
    """Creates and unlocks the data key of one profile."""

    def __init__(self, profile_file: Path) -> None:
        self._profile_file = profile_file

    def exists(self) -> bool:
        """Whether the profile has been initialised."""
        return self._profile_file.exists()

    def protection(self) -> str | None:
        """``"keyring"`` or ``"passphrase"``, or None before initialisation."""
        if not self.exists():
            return None
        return str(self._read()["protection"])

    def create(self, passphrase: str | None) -> DataKey:
        """Make a new random data key and protect it.

        With a passphrase, the key is wrapped under it; without one, the OS keyring keeps it.

        Raises:
            StoreError: ``store.exists``, or ``store.no_keyring`` when neither is possible.
        """
        if self.exists():
            raise StoreError("store.exists")
        key = DataKey(secrets.token_bytes(KEY_BYTES))
        import uuid  # here: `uuid` imports `platform` (start-up time, issue 15)

        profile_id = str(uuid.uuid4())
        record: dict[str, Any] = {"version": PROFILE_VERSION, "profile_id": profile_id}
        if passphrase is not None:
            _check_passphrase_strength(passphrase)
            record["protection"] = "passphrase"
            record["wrapped_key"] = _wrap(key, passphrase)
        elif keyring_usable():
            keyring = _keyring()
            try:
                keyring.set_password(KEYRING_SERVICE, profile_id, key.hex)
            except keyring.errors.KeyringError as error:
                raise StoreError("store.keyring_failed") from error
            record["protection"] = "keyring"
        else:
            raise StoreError("store.no_keyring")
        self._profile_file.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(self._profile_file, json.dumps(record, indent=2))
        log.info("profile created, key protected by %s", record["protection"])
        return key

    def unlock(self, passphrase: str | None) -> DataKey:
        """Recover the data key.

        Raises:
            StoreError: ``store.not_initialised``, ``store.passphrase_required``,
                ``store.wrong_passphrase``, ``store.keyring_missing_key``.
        """
        if not self.exists():
            raise StoreError("store.not_initialised")
        record = self._read()
        if record["protection"] == "keyring":
            keyring = _keyring()
            try:
                stored = keyring.get_password(KEYRING_SERVICE, record["profile_id"])
            except keyring.errors.KeyringError as error:
                raise StoreError("store.keyring_failed") from error
            if stored is None:
                raise StoreError("store.keyring_missing_key")
            return DataKey(bytes.fromhex(stored))
        if passphrase is None:
            raise StoreError("store.passphrase_required")
        return _unwrap(record["wrapped_key"], passphrase)

    def change_passphrase(self, old: str, new: str) -> None:
        """Re-wrap the same data key under a new passphrase (the archive is not re-encrypted)."""
        record = self._read()
        if record["protection"] != "passphrase":
            raise StoreError("store.not_passphrase_protected")
        _check_passphrase_strength(new)
        key = _unwrap(record["wrapped_key"], old)
        record["wrapped_key"] = _wrap(key, new)
        atomic_write_text(self._profile_file, json.dumps(record, indent=2))

    def move_to_keyring(self, passphrase: str) -> None:
        """Hand a passphrase-wrapped key to the OS keyring (one appeared); the wrap goes.

        The key itself does not change (the archive is not re-encrypted). The keyring entry
        is written and read back before the profile file stops holding the wrapped copy.

        Raises:
            StoreError: ``store.not_passphrase_protected``, ``store.wrong_passphrase``,
                ``store.no_keyring``, ``store.keyring_failed``.
        """
        record = self._read()
        if record["protection"] != "passphrase":
            raise StoreError("store.not_passphrase_protected")
        key = _unwrap(record["wrapped_key"], passphrase)
        if not keyring_usable():
            raise StoreError("store.no_keyring")
        keyring = _keyring()
        try:
            keyring.set_password(KEYRING_SERVICE, record["profile_id"], key.hex)
            stored = keyring.get_password(KEYRING_SERVICE, record["profile_id"])
        except keyring.errors.KeyringError as error:
            raise StoreError("store.keyring_failed") from error
        if stored != key.hex:
            raise StoreError("store.keyring_failed")
        record["protection"] = "keyring"
        del record["wrapped_key"]
        atomic_write_text(self._profile_file, json.dumps(record, indent=2))
        log.info("profile key moved to the keyring")

    def _read(self) -> dict[str, Any]:
        try:
            record = json.loads(self._profile_file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise StoreError("store.profile_unreadable") from error
        if not isinstance(record, dict) or record.get("version") != PROFILE_VERSION:
            raise StoreError("store.profile_unreadable")
        return record


def _check_passphrase_strength(passphrase: str) -> None:
    if len(passphrase) < 8:
        raise StoreError("store.passphrase_too_short", minimum=8)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _wrap(key: DataKey, passphrase: str) -> dict[str, Any]:
    # cryptography's modules load with a passphrase only: a keyring profile never needs them.
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

    salt = secrets.token_bytes(16)
    n = SCRYPT_N_TESTING if os.environ.get(TESTING_ENV) else SCRYPT_N
    kek = Scrypt(salt=salt, length=32, n=n, r=8, p=1).derive(passphrase.encode("utf-8"))
    nonce = secrets.token_bytes(12)
    sealed = AESGCM(kek).encrypt(nonce, key.raw, b"pli-data-key-v1")
    return {
        "kdf": "scrypt",
        "n": n,
        "r": 8,
        "p": 1,
        "salt": _b64(salt),
        "cipher": "AES-256-GCM",
        "nonce": _b64(nonce),
        "sealed": _b64(sealed),
    }


def _unwrap(wrapped: dict[str, Any], passphrase: str) -> DataKey:
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

    try:
        salt = base64.b64decode(wrapped["salt"])
        nonce = base64.b64decode(wrapped["nonce"])
        sealed = base64.b64decode(wrapped["sealed"])
        kdf = Scrypt(salt=salt, length=32, n=int(wrapped["n"]), r=int(wrapped["r"]), p=1)
    except (KeyError, ValueError, TypeError) as error:
        raise StoreError("store.profile_unreadable") from error
    kek = kdf.derive(passphrase.encode("utf-8"))
    try:
        raw = AESGCM(kek).decrypt(nonce, sealed, b"pli-data-key-v1")
    except InvalidTag as error:
        raise StoreError("store.wrong_passphrase") from error
    return DataKey(raw)
