"""Accessibility of the frame: every control named in French and reachable by the keyboard;
notifications without health data; `pli` without arguments is the window."""

from __future__ import annotations

from PySide6.QtCore import Qt  # noqa: TID251
from PySide6.QtWidgets import (  # noqa: TID251
    QAbstractButton,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLineEdit,
    QWidget,
)

from app.__main__ import wants_gui
from app.domain import events as ev
from app.ui.dialogs.account_dialog import AccountDialog
from app.ui.dialogs.passphrase_dialog import PassphraseDialog
from app.ui.main_window import MainWindow
from app.ui.tray import PliTray

_INTERACTIVE = (QAbstractButton, QLineEdit, QComboBox, QAbstractSpinBox)


def _problems(root: QWidget) -> list[str]:
    """Interactive controls without an accessible name, or out of the keyboard's reach."""
    problems = []
    for widget in root.findChildren(QWidget):
        if not isinstance(widget, _INTERACTIVE) or not widget.isVisibleTo(root):
            continue
        if type(widget).__name__ == "QToolButton" and widget.objectName().startswith("qt_"):
            continue  # Qt's own (scroll arrows, extension button)
        name = widget.accessibleName() or (
            widget.text().replace("&", "") if isinstance(widget, QAbstractButton) else ""
        )
        if not name.strip():
            problems.append(f"{type(widget).__name__} {widget.objectName()!r} has no name")
        if widget.focusPolicy() == Qt.FocusPolicy.NoFocus and not (
            isinstance(widget, QAbstractButton) and widget.shortcut().toString()
        ):
            tool_action = getattr(widget, "defaultAction", lambda: None)()
            if tool_action is None or not tool_action.shortcut().toString():
                problems.append(f"{type(widget).__name__} {name!r} unreachable by keyboard")
    return problems


def test_welcome_and_lock_screens_are_named_and_reachable(qapp: QApplication, french: None) -> None:
    window = MainWindow()
    window.show_page("welcome")
    window.show()
    assert _problems(window) == []
    assert window.welcome.demo.button.accessibleName() == (
        "Essayer avec une boîte de démonstration"
    )
    window.lock(needs_passphrase=True, minutes=15)
    assert _problems(window.lock_screen) == []
    assert window.lock_screen.passphrase.accessibleName() == "Phrase secrète"
    # Menus: each has a French title with a mnemonic, each entry a text.
    titles = [m.title() for m in (window.file_menu, window.edit_menu, window.view_menu,
                                  window.message_menu, window.help_menu)]  # fmt: skip
    assert titles == ["&Fichier", "É&dition", "&Affichage", "&Message", "Ai&de"]
    window.unlock()
    for action in window.actions():
        assert action.text().strip(), "an action without a text"
    shortcuts = dict(window.shortcut_rows())
    assert shortcuts["Verrouiller Pli"] == "Ctrl+Maj+L"  # Qt says the keys in French
    assert shortcuts["Relever le courrier"] == "F5"
    window.close()
    window.deleteLater()


def test_dialogs_are_named_and_reachable(qapp: QApplication, french: None) -> None:
    for dialog in (PassphraseDialog(new=True), PassphraseDialog(new=False), AccountDialog()):
        dialog.show()
        assert _problems(dialog) == [], type(dialog).__name__
        assert dialog.accessibleName()
        dialog.close()
        dialog.deleteLater()


def test_new_mail_notification_says_sender_type_and_count_only(
    qapp: QApplication, french: None
) -> None:
    tray = PliTray()
    shown: list[tuple[str, str]] = []
    tray.notified.connect(lambda title, text: shown.append((title, text)))
    tray.notify_new_mail(
        ev.NewMail(account_id=1, account="cabinet", folder="INBOX", count=2, from_patients=2)
    )
    tray.notify_new_mail(
        ev.NewMail(account_id=1, account="cabinet", folder="Biologie", count=1, from_patients=0)
    )
    tray.notify_new_mail(
        ev.NewMail(account_id=1, account="cabinet", folder="INBOX", count=3, from_patients=1)
    )
    assert [text for _title, text in shown] == [
        "2 nouveaux messages de patients",
        "1 nouveau message d'un professionnel",
        "1 nouveau message d'un patient et 2 de professionnels",
    ]
    for title, text in shown:
        for leak in ("cabinet", "Biologie", "INBOX", "@"):
            assert leak not in title + text
    tray.deleteLater()


def test_pli_without_arguments_is_the_window() -> None:
    assert wants_gui([])
    assert wants_gui(["--profile", "/tmp/p"])
    assert wants_gui(["--profile=/tmp/p"])
    assert not wants_gui(["sync"])
    assert not wants_gui(["--profile", "/tmp/p", "list"])
    assert not wants_gui(["--help"])
    assert not wants_gui(["--version"])
