"""A keyring backend for the start-up benchmark only: the OS keyring's stand-in.

The development machines have no desktop keyring (no Secret Service on D-Bus); a profile
"unlocked by the OS keyring" is measured with this backend, which keeps the benchmark's
throwaway keys in a JSON file named by ``PLI_BENCH_KEYRING_FILE``. Selected with
``PYTHON_KEYRING_BACKEND=bench.bench_keyring.BenchKeyring``; never used by Pli itself.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from keyring.backend import KeyringBackend


class BenchKeyring(KeyringBackend):
    """Secrets in the file named by ``PLI_BENCH_KEYRING_FILE`` (the benchmark's keys only)."""

    priority = 1  # type: ignore[assignment]

    def _file(self) -> Path:
        return Path(os.environ["PLI_BENCH_KEYRING_FILE"])

    def _load(self) -> dict[str, str]:
        path = self._file()
        return json.loads(path.read_text("utf-8")) if path.exists() else {}

    def get_password(self, service: str, username: str) -> str | None:
        """The stored secret."""
        return self._load().get(f"{service}/{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        """Store a secret."""
        data = self._load()
        data[f"{service}/{username}"] = password
        self._file().write_text(json.dumps(data), "utf-8")

    def delete_password(self, service: str, username: str) -> None:
        """Forget a secret."""
        data = self._load()
        data.pop(f"{service}/{username}", None)
        self._file().write_text(json.dumps(data), "utf-8")
