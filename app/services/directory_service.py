"""The health directory, for front ends (being built: see issue 5)."""

from __future__ import annotations

from pathlib import Path

from app.config.settings import DirectorySettings


class DirectoryService:
    """Search the Annuaire Santé offline, and online through its FHIR API."""

    def __init__(self, db_path: Path, settings: DirectorySettings) -> None:
        self._db_path = db_path
        self._settings = settings
