"""The first screens: opening the archive, and the welcome page of a profile with no account.

Must run on the Qt thread.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.ui.icons import icon


class LoadingPage(QWidget):
    """Shown for the fraction of a second the archive takes to open."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.label = QLabel(self.tr("Opening your archive…"), self)
        self.label.setObjectName("pageHint")
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.label)
        self.setAccessibleName(self.label.text())

    def set_text(self, text: str) -> None:
        """What is happening."""
        self.label.setText(text)
        self.setAccessibleName(text)


class _Choice(QFrame):
    """A large button-like card: icon, title, one sentence."""

    def __init__(
        self, icon_name: str, title: str, text: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("choiceCard")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(22, 20, 22, 20)
        layout.setSpacing(10)
        badge = QLabel(self)
        badge.setPixmap(icon(icon_name).pixmap(36, 36))
        self.button = QPushButton(title, self)
        self.button.setObjectName("choiceButton")
        self.button.setAccessibleName(title.replace("&", ""))
        self.button.setAccessibleDescription(text)
        self.button.setMinimumHeight(40)
        body = QLabel(text, self)
        body.setWordWrap(True)
        body.setObjectName("choiceText")
        layout.addWidget(badge)
        layout.addWidget(body, 1)
        layout.addWidget(self.button)
        # Same width for both cards; the row gives them the same height (buttons aligned).
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Preferred)
        self.setFixedWidth(420)  # the longest French button label fits


class WelcomePage(QWidget):
    """A profile with no mailbox yet: try the demonstration, or add one's MSSanté mailbox.

    Signals:
        demo_requested: "Essayer avec une boîte de démonstration".
        add_account_requested: "Ajouter ma boîte MSSanté".
    """

    demo_requested = Signal()
    add_account_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("welcome")
        self.setAccessibleName(self.tr("Welcome"))
        outer = QVBoxLayout(self)
        outer.setAlignment(Qt.AlignmentFlag.AlignCenter)
        outer.setSpacing(18)
        logo = QLabel(self)
        logo.setPixmap(icon("pli").pixmap(72, 72))
        logo.setAlignment(Qt.AlignmentFlag.AlignCenter)
        title = QLabel(self.tr("Welcome to Pli"), self)
        title.setObjectName("welcomeTitle")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        subtitle = QLabel(
            self.tr(
                "Secure health messaging (MSSanté) for your practice: your messages are "
                "archived encrypted on this computer and stay readable without a network."
            ),
            self,
        )
        subtitle.setObjectName("welcomeText")
        subtitle.setWordWrap(True)
        subtitle.setAlignment(Qt.AlignmentFlag.AlignCenter)
        subtitle.setFixedWidth(600)  # a wrapped label needs a width to compute its height
        subtitle.setMinimumHeight(subtitle.heightForWidth(600))
        cards = QHBoxLayout()
        cards.setSpacing(24)
        self.demo = _Choice(
            "demo",
            self.tr("&Try with a demonstration mailbox"),
            self.tr(
                "A general practitioner's mailbox with fictitious patients and colleagues, "
                "running on this computer. Nothing is sent outside."
            ),
            self,
        )
        self.add = _Choice(
            "add",
            self.tr("&Add my MSSanté mailbox"),
            self.tr(
                "Connect the mailbox your operator gave you (personal, practice or "
                "organisation) with its address and password."
            ),
            self,
        )
        self.demo.button.setDefault(True)
        self.demo.button.clicked.connect(self.demo_requested)
        self.add.button.clicked.connect(self.add_account_requested)
        cards.addStretch(1)
        cards.addWidget(self.demo)
        cards.addWidget(self.add)
        cards.addStretch(1)
        self.status = QLabel(self)
        self.status.setObjectName("pageHint")
        self.status.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.status.hide()
        outer.addStretch(2)
        outer.addWidget(logo)
        outer.addWidget(title)
        outer.addWidget(subtitle, 0, Qt.AlignmentFlag.AlignCenter)
        outer.addSpacing(12)
        outer.addLayout(cards)
        outer.addWidget(self.status)
        outer.addStretch(3)
        self.setTabOrder(self.demo.button, self.add.button)

    def set_busy(self, text: str | None) -> None:
        """Say what is going on (the demo starting…) and disable the choices; None: idle."""
        busy = text is not None
        self.demo.button.setEnabled(not busy)
        self.add.button.setEnabled(not busy)
        self.status.setVisible(busy)
        if text is not None:
            self.status.setText(text)
            self.status.setAccessibleName(text)
