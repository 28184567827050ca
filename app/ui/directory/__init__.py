"""The health directory (Annuaire Santé) in the window (issue 12)."""

from app.ui.directory.panel import DirectoryPanel, install_directory, write_to

__all__ = ["DirectoryPanel", "install_directory", "write_to"]
