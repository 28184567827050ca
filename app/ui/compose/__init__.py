"""The composer (issue 11): writing by the MSSanté rules, in its own windows."""

from app.ui.compose.manager import ComposerManager, install_composer

__all__ = ["ComposerManager", "install_composer"]
