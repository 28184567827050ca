"""Locking the window after inactivity (spec §6: at most 2 h; setting ``lock_after_minutes``).

`InactivityWatch` watches the user's input on the whole application; after the delay the
window shows `LockScreen` instead of its content until the user unlocks: a gesture (click or
Enter) when the data key lives in the system keyring, the passphrase otherwise (checked by the
credentials layer through `app.services.unlock`). Must run on the Qt thread.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut, QWindow
from PySide6.QtWidgets import (
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.ui.icons import icon

#: Never longer than this (spec §6), whatever the settings say.
MAX_LOCK_MINUTES = 120
DEFAULT_LOCK_MINUTES = 15

_ACTIVITY = {
    QEvent.Type.KeyPress,
    QEvent.Type.MouseButtonPress,
    QEvent.Type.MouseMove,
    QEvent.Type.Wheel,
    QEvent.Type.TouchBegin,
}


def lock_delay_minutes(setting: int | None) -> int:
    """The delay to use: the setting within 1 min … 2 h (the default when unset)."""
    if setting is None or setting <= 0:
        return DEFAULT_LOCK_MINUTES
    return min(setting, MAX_LOCK_MINUTES)


class InactivityWatch(QObject):
    """Emits `idle` after `minutes` without keyboard, mouse or touch input in watched windows.

    The input is seen on the windows' QWindow (where the platform delivers it), not through an
    application-wide filter: a Python filter on the application would run for every event of
    every widget and made the window several times slower to build (measured).

    Signals:
        idle: the delay passed without input.
    """

    idle = Signal()

    def __init__(self, minutes: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.idle)
        self.set_delay_ms(lock_delay_minutes(minutes) * 60_000)
        self._windows: list[QWindow] = []

    def set_delay_ms(self, ms: int) -> None:
        """Change the delay (tests use milliseconds)."""
        self._timer.setInterval(ms)
        if self._timer.isActive():
            self._timer.start()

    @property
    def delay_ms(self) -> int:
        """The current delay."""
        return self._timer.interval()

    def watch(self, widget: QWidget) -> None:
        """Count input in this top-level window (the main window, a composer window…)."""
        widget.winId()  # creates the native window (and its QWindow) if not shown yet
        handle: QWindow | None = widget.windowHandle()
        if handle is not None and handle not in self._windows:
            handle.installEventFilter(self)
            self._windows.append(handle)
            handle.destroyed.connect(lambda _obj=None, h=handle: self._forget(h))

    def _forget(self, handle: QWindow) -> None:
        if handle in self._windows:
            self._windows.remove(handle)

    def start(self) -> None:
        """Start counting."""
        self._timer.start()

    def pause(self) -> None:
        """Stop counting (while locked)."""
        self._timer.stop()

    def resume(self) -> None:
        """Count again from zero (after unlocking)."""
        self._timer.start()

    def stop(self) -> None:
        """Stop watching."""
        self._timer.stop()
        for handle in self._windows:
            handle.removeEventFilter(self)
        self._windows = []

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        """Any input restarts the countdown (unless paused)."""
        if event.type() in _ACTIVITY and self._timer.isActive():
            self._timer.start()
        return False


class LockScreen(QWidget):
    """What the window shows while locked: nothing of the mail, a way to unlock.

    Signals:
        unlock_requested(str): the user asks to unlock (the passphrase, or "" for a keyring
            profile).
    """

    unlock_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("lockScreen")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setAccessibleName(self.tr("Pli is locked"))
        layout = QVBoxLayout(self)
        layout.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.setSpacing(14)
        badge = QLabel(self)
        badge.setPixmap(icon("lock").pixmap(56, 56))
        badge.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.title = QLabel(self.tr("Pli is locked"), self)
        self.title.setObjectName("lockTitle")
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.explanation = QLabel(self)
        self.explanation.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.explanation.setWordWrap(True)
        self.explanation.setFixedWidth(460)
        self.passphrase = QLineEdit(self)
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.setPlaceholderText(self.tr("Passphrase"))
        self.passphrase.setAccessibleName(self.tr("Passphrase"))
        self.passphrase.setFixedWidth(320)
        self.error = QLabel(self)
        self.error.setObjectName("lockError")
        self.error.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.error.hide()
        self.button = QPushButton(self.tr("&Unlock"), self)
        self.button.setObjectName("primaryButton")
        self.button.setAccessibleName(self.tr("Unlock"))
        self.button.setDefault(True)
        self.button.setAutoDefault(True)
        self.button.setMinimumWidth(160)
        self.button.clicked.connect(self._on_unlock_clicked)
        # Enter unlocks a keyring profile (and submits the passphrase otherwise).
        for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(self._on_unlock_clicked)
        for widget in (badge, self.title, self.explanation):
            layout.addWidget(widget, 0, Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.passphrase, 0, Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.error, 0, Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.button, 0, Qt.AlignmentFlag.AlignCenter)
        self.set_mode(needs_passphrase=False, minutes=DEFAULT_LOCK_MINUTES)

    def set_mode(self, *, needs_passphrase: bool, minutes: int) -> None:
        """Keyring profile (a gesture unlocks) or passphrase profile."""
        self._needs_passphrase = needs_passphrase
        self.passphrase.setVisible(needs_passphrase)
        if needs_passphrase:
            text = self.tr(
                "The window was hidden after %n minute(s) without use. "
                "Type the archive's passphrase to show it again.",
                "",
                minutes,
            )
        else:
            text = self.tr(
                "The window was hidden after %n minute(s) without use. "
                "Press Enter or click Unlock to show it again.",
                "",
                minutes,
            )
        self.explanation.setText(text)
        self.explanation.setAccessibleName(text)
        # A wrapped label in a centred layout needs its height from its fixed width.
        self.explanation.setMinimumHeight(self.explanation.heightForWidth(460))

    def reset(self) -> None:
        """Clear what was typed and any error; focus the right control."""
        self.passphrase.clear()
        self.error.hide()
        self.button.setEnabled(True)
        if self._needs_passphrase:
            self.passphrase.setFocus()
        else:
            self.button.setFocus()

    def show_wrong_passphrase(self) -> None:
        """The passphrase did not unlock."""
        self.error.setText(self.tr("Wrong passphrase. Try again."))
        self.error.setAccessibleName(self.error.text())
        self.error.show()
        self.button.setEnabled(True)
        self.passphrase.selectAll()
        self.passphrase.setFocus()

    def _on_unlock_clicked(self) -> None:
        if self._needs_passphrase and not self.passphrase.text():
            self.passphrase.setFocus()
            return
        self.button.setEnabled(False)
        self.unlock_requested.emit(self.passphrase.text() if self._needs_passphrase else "")
