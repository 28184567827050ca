"""The archive's data key: OS keyring, passphrase wrapping, refusal of plaintext keyrings."""

from __future__ import annotations

import json
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend

from app.credentials.data_keys import DataKeyManager, keyring_usable
from app.domain.errors import StoreError


class MemoryKeyring(KeyringBackend):
    """An in-memory OS keyring for tests (never the user's real one)."""

    priority = 10  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.items: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.items.pop((service, username), None)


class PlaintextKeyring(MemoryKeyring):
    """Named like keyrings.alt's plaintext file backend: must be refused."""


@pytest.fixture
def memory_keyring():
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


def test_passphrase_wraps_a_random_key_and_only_the_passphrase_unwraps_it(tmp_path: Path) -> None:
    keys = DataKeyManager(tmp_path / "profile.json")
    created = keys.create("correct horse battery")
    assert len(created.raw) == 32
    assert keys.protection() == "passphrase"
    assert keys.unlock("correct horse battery") == created
    with pytest.raises(StoreError) as wrong:
        keys.unlock("incorrect horse")
    assert wrong.value.code == "store.wrong_passphrase"
    with pytest.raises(StoreError) as missing:
        keys.unlock(None)
    assert missing.value.code == "store.passphrase_required"
    record = (tmp_path / "profile.json").read_text()
    assert created.hex not in record
    assert "correct horse" not in record
    assert json.loads(record)["wrapped_key"]["kdf"] == "scrypt"


def test_two_profiles_never_share_a_key(tmp_path: Path) -> None:
    a = DataKeyManager(tmp_path / "a.json").create("passphrase one")
    b = DataKeyManager(tmp_path / "b.json").create("passphrase one")
    assert a != b


def test_changing_the_passphrase_keeps_the_same_data_key(tmp_path: Path) -> None:
    keys = DataKeyManager(tmp_path / "profile.json")
    created = keys.create("first passphrase")
    keys.change_passphrase("first passphrase", "second passphrase")
    assert keys.unlock("second passphrase") == created
    with pytest.raises(StoreError):
        keys.unlock("first passphrase")


def test_short_passphrases_are_refused(tmp_path: Path) -> None:
    with pytest.raises(StoreError) as short:
        DataKeyManager(tmp_path / "profile.json").create("court")
    assert short.value.code == "store.passphrase_too_short"
    assert not (tmp_path / "profile.json").exists()


def test_keyring_keeps_the_key_and_the_profile_file_holds_no_secret(
    tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    assert keyring_usable()
    keys = DataKeyManager(tmp_path / "profile.json")
    created = keys.create(None)
    assert keys.protection() == "keyring"
    assert list(memory_keyring.items.values()) == [created.hex]
    assert created.hex not in (tmp_path / "profile.json").read_text()
    assert keys.unlock(None) == created
    memory_keyring.items.clear()
    with pytest.raises(StoreError) as lost:
        keys.unlock(None)
    assert lost.value.code == "store.keyring_missing_key"


def test_no_keyring_and_no_passphrase_is_an_error_never_a_plaintext_fallback(
    tmp_path: Path,
) -> None:
    previous = keyring.get_keyring()
    keyring.set_keyring(PlaintextKeyring())
    try:
        assert not keyring_usable()
        with pytest.raises(StoreError) as refused:
            DataKeyManager(tmp_path / "profile.json").create(None)
        assert refused.value.code == "store.no_keyring"
    finally:
        keyring.set_keyring(previous)
    assert not (tmp_path / "profile.json").exists()
