"""Pli's own SVG icons (resources/icons), drawn for Pli: no emoji, no downloads."""

from __future__ import annotations

from functools import cache

from PySide6.QtGui import QIcon

from app.config.resources import resource_path


@cache
def icon(name: str) -> QIcon:
    """The icon ``resources/icons/<name>.svg`` (an empty icon when missing). Qt thread only."""
    path = resource_path("icons", f"{name}.svg")
    return QIcon(str(path)) if path.is_file() else QIcon()
