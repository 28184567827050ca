"""The tray icon and new-mail notifications (no health data: sender type and count only).

Must run on the Qt thread.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from app.domain import events as ev
from app.ui.icons import icon


class PliTray(QObject):
    """The tray icon with its menu, and the desktop notifications of new mail.

    Notifications say how many messages came and from which kind of sender ("2 nouveaux
    messages de patients"): never a name, an address, a subject or a folder.

    Signals:
        show_requested: "Afficher Pli" (or a click on the icon).
        lock_requested: "Verrouiller".
        sync_requested: "Relever le courrier".
        quit_requested: "Quitter".
        notified(str, str): a notification was shown (title, text) - for tests and logs.
    """

    show_requested = Signal()
    lock_requested = Signal()
    sync_requested = Signal()
    quit_requested = Signal()
    notified = Signal(str, str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.icon = QSystemTrayIcon(icon("pli"), self)
        self.icon.setToolTip(self.tr("Pli - secure health messaging"))
        self.menu = QMenu()  # a QWidget cannot have a QObject parent: deleted with the tray
        self.destroyed.connect(self.menu.deleteLater)
        self.menu.setAccessibleName(self.tr("Pli menu"))
        self.show_action = self._add(self.tr("&Show Pli"), self.show_requested)
        self.sync_action = self._add(self.tr("&Check for new mail"), self.sync_requested)
        self.lock_action = self._add(self.tr("&Lock"), self.lock_requested)
        self.menu.addSeparator()
        self.quit_action = self._add(self.tr("&Quit"), self.quit_requested)
        self.icon.setContextMenu(self.menu)
        self.icon.activated.connect(self._on_icon_activated)
        self.enabled = True  # notifications on

    def _add(self, text: str, signal: object) -> QAction:
        action = QAction(text, self.menu)
        action.triggered.connect(signal)
        self.menu.addAction(action)
        return action

    def show(self) -> None:
        """Show the icon when the desktop has a tray."""
        if QSystemTrayIcon.isSystemTrayAvailable():
            self.icon.show()

    def hide(self) -> None:
        """Remove the icon."""
        self.icon.hide()

    def _on_icon_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (
            QSystemTrayIcon.ActivationReason.Trigger,
            QSystemTrayIcon.ActivationReason.DoubleClick,
        ):
            self.show_requested.emit()

    def notification_text(self, event: ev.NewMail) -> str:
        """The sentence for new mail: counts by sender type only."""
        patients = max(0, min(event.from_patients, event.count))
        others = event.count - patients
        if patients and others:
            return (
                self.tr("%1 and %2")
                .replace("%1", self.tr("%n new message(s) from patients", "", patients))
                .replace("%2", self.tr("%n from professionals", "", others))
            )
        if patients:
            return self.tr("%n new message(s) from patients", "", patients)
        return self.tr("%n new message(s) from professionals", "", others)

    def notify_new_mail(self, event: ev.NewMail) -> None:
        """Tell the user new mail arrived (without any health data)."""
        if not self.enabled or event.count <= 0:
            return
        title = self.tr("Pli")
        text = self.notification_text(event)
        if QSystemTrayIcon.isSystemTrayAvailable() and QSystemTrayIcon.supportsMessages():
            self.icon.showMessage(title, text, icon("pli"), 8000)
        self.notified.emit(title, text)
