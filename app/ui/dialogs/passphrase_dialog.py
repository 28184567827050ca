"""Asking for the archive's passphrase when the computer has no system keyring.

Must run on the Qt thread; show it with `app.ui.async_bridge.run_dialog` (no nested loop).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

#: The credentials layer refuses shorter ones (store.passphrase_too_short).
MIN_LENGTH = 8


class PassphraseDialog(QDialog):
    """Asks for the passphrase (to open), or to choose one (twice) for a new archive."""

    def __init__(self, *, new: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.new = new
        self.setWindowTitle(self.tr("Pli - archive passphrase"))
        self.setAccessibleName(self.windowTitle())
        self.setMinimumWidth(460)
        layout = QVBoxLayout(self)
        layout.setSpacing(12)
        intro = QLabel(self)
        intro.setWordWrap(True)
        if new:
            intro.setText(
                self.tr(
                    "This computer has no system keyring. Choose a passphrase to protect your "
                    "archive: Pli will ask for it at each start. Keep it safe: without it the "
                    "archive cannot be opened."
                )
            )
        else:
            intro.setText(self.tr("Type the passphrase that protects your archive."))
        intro.setAccessibleName(intro.text())
        layout.addWidget(intro)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.passphrase = QLineEdit(self)
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.setAccessibleName(self.tr("Passphrase"))
        label = QLabel(self.tr("&Passphrase:"), self)
        label.setBuddy(self.passphrase)
        form.addRow(label, self.passphrase)
        self.confirmation = QLineEdit(self)
        self.confirmation.setEchoMode(QLineEdit.EchoMode.Password)
        self.confirmation.setAccessibleName(self.tr("Passphrase again"))
        if new:
            again = QLabel(self.tr("&Again:"), self)
            again.setBuddy(self.confirmation)
            form.addRow(again, self.confirmation)
        else:
            self.confirmation.hide()
        layout.addLayout(form)
        self.error = QLabel(self)
        self.error.setObjectName("formError")
        self.error.setWordWrap(True)
        self.error.hide()
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(self.tr("&Open") if not new else self.tr("&Create the archive"))
        ok.setAccessibleName(ok.text().replace("&", ""))
        cancel = buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setText(self.tr("&Quit Pli"))
        cancel.setAccessibleName(cancel.text().replace("&", ""))
        buttons.accepted.connect(self._on_accepted)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.passphrase.setFocus(Qt.FocusReason.OtherFocusReason)

    def value(self) -> str:
        """The passphrase typed."""
        return self.passphrase.text()

    def show_error(self, text: str) -> None:
        """Say what is wrong, in the dialog."""
        self.error.setText(text)
        self.error.setAccessibleName(text)
        self.error.show()
        self.passphrase.selectAll()
        self.passphrase.setFocus()

    def _on_accepted(self) -> None:
        text = self.passphrase.text()
        if not text:
            self.show_error(self.tr("Type the passphrase."))
            return
        if self.new:
            if len(text) < MIN_LENGTH:
                self.show_error(
                    self.tr("The passphrase needs at least %n character(s).", "", MIN_LENGTH)
                )
                return
            if text != self.confirmation.text():
                self.show_error(self.tr("The two passphrases differ."))
                return
        self.accept()
