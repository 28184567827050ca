"""The archive's key: strength guidance, changing the passphrase, moving it to the keyring.

`StrengthMeter` shows how strong a passphrase is and what would make it stronger, in French;
`attach_strength_meter` adds it to the passphrase dialog shown when an archive is created.
`ChangePassphraseDialog` re-wraps the key under a new passphrase; `MoveToKeyringDialog` hands
the key to the OS keyring when one appeared. Must run on the Qt thread.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from app.domain.errors import KnownError
from app.services.keys_service import (
    change_passphrase,
    move_to_keyring,
    passphrase_strength,
)
from app.ui.async_bridge import ui_slot

if TYPE_CHECKING:
    from app.config.paths import AppPaths
    from app.ui.error_presenter import ErrorPresenter


class StrengthMeter(QWidget):
    """A bar and a sentence saying how strong the passphrase is and how to improve it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        self.bar = QProgressBar(self)
        self.bar.setRange(0, 4)
        self.bar.setTextVisible(False)
        self.bar.setMaximumHeight(8)
        self.bar.setAccessibleName(self.tr("Passphrase strength"))
        self.text = QLabel(self)
        self.text.setWordWrap(True)
        self.text.setObjectName("hint")
        layout.addWidget(self.bar)
        layout.addWidget(self.text)
        self.update_for("")

    def update_for(self, passphrase: str) -> None:
        """Show the strength of `passphrase`."""
        strength = passphrase_strength(passphrase)
        self.bar.setValue(strength.score)
        levels = (
            self.tr("Too short"),
            self.tr("Weak"),
            self.tr("Fair"),
            self.tr("Good"),
            self.tr("Strong"),
        )
        advice = {
            "too_short": self.tr("At least 8 characters."),
            "common": self.tr("Avoid common words and passwords."),
            "repeated": self.tr("Avoid repeated characters."),
            "one_kind": self.tr("Mix letters, digits and signs."),
            "add_words": self.tr("Several unrelated words make a passphrase easy to remember."),
        }
        parts = [levels[strength.score] + "."]
        parts += [advice[h] for h in strength.hints if h in advice][:2]
        sentence = " ".join(parts)
        self.text.setText(sentence)
        self.bar.setAccessibleDescription(sentence)
        self.bar.setProperty("level", strength.score)


def attach_strength_meter(dialog: QWidget) -> StrengthMeter | None:
    """Add a strength meter under the passphrase field of a dialog creating an archive.

    The dialog must have a ``passphrase`` QLineEdit (the frame's `PassphraseDialog` does).
    """
    field = getattr(dialog, "passphrase", None)
    layout = dialog.layout()
    if not isinstance(field, QLineEdit) or layout is None:
        return None
    meter = StrengthMeter(dialog)
    index = layout.count() - 1  # above the buttons
    if isinstance(layout, QVBoxLayout):
        layout.insertWidget(max(0, index - 1), meter)
    else:
        layout.addWidget(meter)
    field.textChanged.connect(meter.update_for)
    return meter


class _KeyDialog(QDialog):
    def __init__(
        self, paths: AppPaths, errors: ErrorPresenter, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.paths = paths
        self.errors = errors
        self.setMinimumWidth(520)
        self.layout_ = QVBoxLayout(self)
        self.layout_.setSpacing(10)
        self.form = QFormLayout()
        self.error = QLabel(self)
        self.error.setObjectName("formError")
        self.error.setWordWrap(True)
        self.error.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        cancel = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setText(self.tr("&Cancel"))
        cancel.setAccessibleName(self.tr("Cancel"))
        self.buttons.accepted.connect(self._on_ok)
        self.buttons.rejected.connect(self.reject)
        self.busy = False

    def _finish_layout(self) -> None:
        self.layout_.addLayout(self.form)
        self.layout_.addWidget(self.error)
        self.layout_.addWidget(self.buttons)

    def _secret(self, text: str, name: str) -> QLineEdit:
        edit = QLineEdit(self)
        edit.setEchoMode(QLineEdit.EchoMode.Password)
        edit.setAccessibleName(name)
        label = QLabel(text, self)
        label.setBuddy(edit)
        self.form.addRow(label, edit)
        return edit

    def show_error(self, text: str) -> None:
        """Say what went wrong, in the dialog."""
        self.error.setText(text)
        self.error.setAccessibleName(text)
        self.error.show()

    def _describe(self, error: KnownError) -> str:
        described = self.errors.describe(error)
        return f"{described.title}. {described.advice}"

    @ui_slot()
    async def _on_ok(self) -> None:
        if self.busy:
            return
        self.busy = True
        self.buttons.setEnabled(False)
        try:
            if await self.run():
                self.accept()
        except KnownError as error:
            self.show_error(self._describe(error))
        finally:
            self.busy = False
            self.buttons.setEnabled(True)

    async def run(self) -> bool:
        raise NotImplementedError


class ChangePassphraseDialog(_KeyDialog):
    """Old passphrase, new one twice, with strength guidance."""

    def __init__(
        self, paths: AppPaths, errors: ErrorPresenter, parent: QWidget | None = None
    ) -> None:
        super().__init__(paths, errors, parent)
        self.setWindowTitle(self.tr("Change the archive passphrase"))
        self.setAccessibleName(self.windowTitle())
        intro = QLabel(
            self.tr(
                "The passphrase protects the key of your archive. Your messages are not "
                "encrypted again: only the key's protection changes."
            ),
            self,
        )
        intro.setWordWrap(True)
        self.layout_.addWidget(intro)
        self.old = self._secret(self.tr("&Current passphrase:"), self.tr("Current passphrase"))
        self.new = self._secret(self.tr("&New passphrase:"), self.tr("New passphrase"))
        self.again = self._secret(self.tr("&Again:"), self.tr("New passphrase again"))
        self.meter = StrengthMeter(self)
        self.form.addRow("", self.meter)
        self.new.textChanged.connect(self.meter.update_for)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(self.tr("C&hange"))
        ok.setAccessibleName(self.tr("Change"))
        self._finish_layout()

    async def run(self) -> bool:
        """Check the form, then re-wrap the key."""
        if self.new.text() != self.again.text():
            self.show_error(self.tr("The two new passphrases differ."))
            return False
        if not passphrase_strength(self.new.text()).acceptable:
            self.show_error(self.tr("The new passphrase needs at least 8 characters."))
            return False
        await change_passphrase(self.paths, self.old.text(), self.new.text())
        return True


class MoveToKeyringDialog(_KeyDialog):
    """Hand the key to the system's keyring (no passphrase at start afterwards)."""

    def __init__(
        self, paths: AppPaths, errors: ErrorPresenter, parent: QWidget | None = None
    ) -> None:
        super().__init__(paths, errors, parent)
        self.setWindowTitle(self.tr("Keep the key in the system keyring"))
        self.setAccessibleName(self.windowTitle())
        intro = QLabel(
            self.tr(
                "This computer now has a secure keyring. Pli can keep your archive's key "
                "there: you will no longer type the passphrase when Pli starts, and your "
                "session password protects the archive instead. Type the passphrase once "
                "more to confirm."
            ),
            self,
        )
        intro.setWordWrap(True)
        self.layout_.addWidget(intro)
        self.passphrase = self._secret(self.tr("&Passphrase:"), self.tr("Passphrase"))
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(self.tr("&Move the key"))
        ok.setAccessibleName(self.tr("Move the key"))
        self._finish_layout()

    async def run(self) -> bool:
        """Move the key."""
        await move_to_keyring(self.paths, self.passphrase.text())
        return True
