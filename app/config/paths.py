"""Where Pli keeps its files.

`AppPaths` is computed, never created at import time. A profile folder (``pli --profile DIR``)
replaces the platform's data folder; the test suite always passes one, and refuses to run
against the real home folder (see `AppPaths.default`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "Pli"
APP_AUTHOR = "Pli"

#: Set by the test suite: any attempt to use the platform's real data folder is then a bug.
TESTING_ENV = "PLI_TESTING"


class RealHomeInTestsError(RuntimeError):
    """A test tried to use the user's real data folder (qutebrowser's standarddir guard)."""


@dataclass(frozen=True)
class AppPaths:
    """The folders and files of one profile."""

    root: Path

    @classmethod
    def default(cls) -> AppPaths:
        """The platform's per-user data folder (LOCALAPPDATA, ~/.local/share)."""
        if os.environ.get(TESTING_ENV):
            raise RealHomeInTestsError("tests must pass an explicit profile folder")
        return cls(Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR, roaming=False)))

    @classmethod
    def at(cls, root: str | os.PathLike[str]) -> AppPaths:
        """A profile in an explicit folder (``--profile``, tests, portable mode)."""
        return cls(Path(root).expanduser().resolve())

    @property
    def profile_file(self) -> Path:
        """Clear metadata of the profile: how the data key is protected. Holds no secret."""
        return self.root / "profile.json"

    @property
    def archive_db(self) -> Path:
        """The encrypted archive (SQLCipher)."""
        return self.root / "archive.db"

    @property
    def blobs_dir(self) -> Path:
        """The archive's encrypted segment files (message bodies)."""
        return self.root / "blobs"

    @property
    def backups_dir(self) -> Path:
        """Copies of the archive taken before a migration."""
        return self.root / "backups"

    @property
    def directory_db(self) -> Path:
        """The health directory: public data, its own clear SQLite file (outside the archive)."""
        return self.root / "directory.db"

    @property
    def directory_abbreviations_file(self) -> Path:
        """The user's own abbreviations of health structures, for directory searches (JSON)."""
        return self.root / "directory-abbreviations.json"

    @property
    def crl_cache_dir(self) -> Path:
        """Last valid certificate revocation lists (public data)."""
        return self.root / "crl"

    @property
    def settings_file(self) -> Path:
        """User settings (no secrets, no health data)."""
        return self.root / "settings.json"

    @property
    def log_dir(self) -> Path:
        """Technical logs (never health data at INFO or above)."""
        return self.root / "logs"

    @property
    def templates_dir(self) -> Path:
        """The user's own message templates (added or edited)."""
        return self.root / "templates"

    def ensure(self) -> None:
        """Create the profile folder, private to the user (0700)."""
        for folder in (
            self.root,
            self.blobs_dir,
            self.backups_dir,
            self.crl_cache_dir,
            self.log_dir,
        ):
            folder.mkdir(parents=True, exist_ok=True)
            if os.name == "posix":
                folder.chmod(0o700)
