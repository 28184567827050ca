"""Banners above the window's content: offline (what still works), session ended, demo.

Must run on the Qt thread.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from app.domain import events as ev
from app.ui.icons import icon


class Banner(QFrame):
    """A calm coloured strip with an icon, a sentence and an optional button.

    Signals:
        action_clicked: the button was pressed.
    """

    action_clicked = Signal()

    def __init__(self, kind: str, icon_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        self.setProperty("kind", kind)
        self.setFrameShape(QFrame.Shape.NoFrame)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 6, 8, 6)
        layout.setSpacing(10)
        self._icon = QLabel(self)
        self._icon.setPixmap(icon(icon_name).pixmap(18, 18))
        self.text = QLabel(self)
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.button = QPushButton(self)
        self.button.hide()
        self.button.clicked.connect(self.action_clicked)
        layout.addWidget(self._icon)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.button)
        self.hide()

    def set_message(self, text: str, action: str | None = None) -> None:
        """The banner's sentence and its button's label (None: no button)."""
        self.text.setText(text)
        self.setAccessibleName(text)
        self.text.setAccessibleName(text)
        if action:
            self.button.setText(action)
            self.button.setAccessibleName(action.replace("&", ""))
            self.button.show()
        else:
            self.button.hide()


class OfflineBanner(Banner):
    """Shown while an account cannot reach its servers; says what still works.

    Signals:
        action_clicked: "Réessayer" (sync now) or "Se reconnecter" (session ended).
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("offline", "offline", parent)
        self._states: dict[int, tuple[str, ev.ConnectionState]] = {}

    @property
    def session_ended(self) -> bool:
        """Whether the banner asks for a new login (rather than waiting for the network)."""
        return any(s is ev.ConnectionState.SESSION_ENDED for _, s in self._states.values())

    def on_event(self, event: object) -> None:
        """Update from `EngineSignals.connection_changed`."""
        if isinstance(event, ev.ConnectionChanged):
            self._states[event.account_id] = (event.account, event.state)
        elif isinstance(event, ev.SessionEnded):
            self._states[event.account_id] = (event.account, ev.ConnectionState.SESSION_ENDED)
        else:
            return
        self._refresh()

    def forget(self, account_id: int) -> None:
        """An account was removed."""
        self._states.pop(account_id, None)
        self._refresh()

    def _refresh(self) -> None:
        down = [
            (name, state)
            for name, state in self._states.values()
            if state is not ev.ConnectionState.ONLINE
        ]
        if not down:
            self.hide()
            return
        if self.session_ended:
            self.set_message(
                self.tr(
                    "Your session has ended: log in again to receive and send messages. "
                    "Your archived messages remain available."
                ),
                self.tr("&Log in again"),
            )
        else:
            text = self.tr(
                "Offline: your archived messages remain available; "
                "messages to send wait for the network to come back."
            )
            if len(down) < len(self._states):
                names = ", ".join(name for name, _ in down if name)
                text = self.tr("%1 (%2)").replace("%1", text).replace("%2", names)
            self.set_message(text, self.tr("&Retry now"))
        self.show()


class DemoBanner(Banner):
    """Says the demonstration mailbox is fictitious; offers to remove it.

    Signals:
        action_clicked: remove the demonstration.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("demo", "demo", parent)
        self.set_message(
            self.tr(
                "Demonstration mailbox: the patients and messages are fictitious and nothing "
                "leaves this computer."
            ),
            self.tr("Re&move the demonstration"),
        )
