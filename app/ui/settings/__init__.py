"""The settings dialog and its menu entry (Edit → Settings…, Ctrl+,)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence

from app.ui.async_bridge import run_dialog, ui_slot

if TYPE_CHECKING:
    from app.ui.application import PliApplication


class SettingsEntry(QObject):
    """The menu action; opens one dialog at a time and applies what it changes."""

    def __init__(self, controller: PliApplication) -> None:
        super().__init__(controller)
        self.controller = controller
        self.dialog: object | None = None
        window = controller.window
        self.action = QAction(self.tr("&Settings…"), window)
        self.action.setShortcut(QKeySequence("Ctrl+,"))
        self.action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.action.setMenuRole(QAction.MenuRole.PreferencesRole)
        self.action.triggered.connect(self._on_triggered)
        window.addAction(self.action)
        window.edit_menu.addSeparator()
        window.edit_menu.addAction(self.action)

    @ui_slot()
    async def _on_triggered(self) -> None:
        controller = self.controller
        services = controller.services
        if services is None or self.dialog is not None:
            return
        from app.ui.settings.settings_dialog import SettingsDialog

        dialog = SettingsDialog(services, controller.errors, controller.state, controller.window)
        self.dialog = dialog
        dialog.lock_delay_changed.connect(self._on_lock_delay_changed)
        dialog.demo_removal_requested.connect(controller.window.remove_demo_requested)
        dialog.protection_changed.connect(self._on_protection_changed)
        try:
            await dialog.load()
            await run_dialog(dialog)
        finally:
            self.dialog = None
            dialog.deleteLater()

    def _on_protection_changed(self, protection: str) -> None:
        self.controller.protection = protection  # the lock screen no longer asks for it

    def _on_lock_delay_changed(self, minutes: int) -> None:
        self.controller.watch.set_delay_ms(int(minutes) * 60_000)


def install_settings(controller: PliApplication) -> SettingsEntry:
    """Add Edit → Settings… (Ctrl+,) to the window."""
    return SettingsEntry(controller)
