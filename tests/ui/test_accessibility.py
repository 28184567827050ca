"""Accessibility of every screen: each interactive control has a French name and a keyboard path.

The walk covers the welcome page, the mail page on the demonstration mailbox (a message open,
the search with its filters shown), the lock screen and the dialogs (`app/ui/dialogs`, the move
dialog, the shortcuts list). A control is interactive when a user can act on it (buttons, tool
buttons, check boxes, line edits, combo boxes, spin boxes, item views, the reading pane's text)
or it is an action of a menu or a toolbar.

- Its name is what a screen reader says: `QAccessible.queryAccessibleInterface(w).text(Name)`.
  It must be French: a name equal to an English source string of our translations (or to one of
  Qt's English button words) is the untranslated text.
- Keyboard: Tab is pressed from the first control until the focus comes back, and every
  interactive control must be reached, unless it is a tool button whose action is in a menu
  or has a shortcut. Menus must be opened from the menu bar by a mnemonic (``&``).

Gaps found in other owners' widgets are listed in ``notes/A11Y_GAPS.md`` (outside the repo),
not hidden here: the checks below pass because every control checked passes.
"""

from __future__ import annotations

import asyncio
import re
import xml.etree.ElementTree as ET
from pathlib import Path

from PySide6.QtCore import Qt  # noqa: TID251 - window tests
from PySide6.QtGui import QAccessible, QAction  # noqa: TID251 - window tests
from PySide6.QtTest import QTest  # noqa: TID251 - window tests
from PySide6.QtWidgets import (  # noqa: TID251 - window tests
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QDialog,
    QHeaderView,
    QLineEdit,
    QMenu,
    QScrollBar,
    QTextEdit,
    QToolBar,
    QToolButton,
    QWidget,
)

from app.config.paths import AppPaths
from app.ui.application import PliApplication
from tests.ui.conftest import TEST_PASSPHRASE, UiLoop

I18N = Path(__file__).resolve().parents[2] / "resources" / "i18n"

#: What a user acts on (a QTextEdit: the reading pane's text, read with the keyboard).
INTERACTIVE = (
    QAbstractButton,
    QLineEdit,
    QComboBox,
    QAbstractSpinBox,
    QAbstractItemView,
    QTextEdit,
)
#: Qt's own English words on standard buttons (qtbase_fr translates them when loaded).
QT_ENGLISH = {"OK", "Cancel", "Close", "Yes", "No", "Apply", "Help", "Reset", "Open", "Save"}


#: Controls Tab may not reach (accessible name, or "where/name" -> why), each listed for its owner
#: in notes/A11Y_GAPS.md. Empty: the gaps found first (the mail page's and the reading pane's
#: focus proxies, the shortcuts table keeping Tab) were fixed by their owners.
KNOWN_TAB_GAPS: dict[str, str] = {}


def _plain(text: str) -> str:
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&").strip()


def english_sources() -> set[str]:
    """Every English source string of our translations whose French differs from it."""
    english: set[str] = set()
    for ts in I18N.glob("*_fr.ts"):
        for message in ET.parse(ts).getroot().iter("message"):
            source = message.findtext("source") or ""
            translation = message.find("translation")
            french = "".join(translation.itertext()) if translation is not None else ""
            if source and _plain(source) != _plain(french):
                english.add(_plain(source))
    return english | QT_ENGLISH


ENGLISH = english_sources()


def accessible_name(widget: QWidget) -> str:
    face = QAccessible.queryAccessibleInterface(widget)
    name = face.text(QAccessible.Text.Name) if face is not None else ""
    return _plain(name or widget.accessibleName() or getattr(widget, "text", lambda: "")())


def is_french(name: str) -> bool:
    return bool(name) and name not in ENGLISH and name.rstrip("…").strip() not in ENGLISH


def keyboard_path(action: QAction) -> bool:
    """An action is reachable without Tab when it has a shortcut or sits in a menu."""
    if not action.shortcut().isEmpty():
        return True
    return any(isinstance(o, QMenu) for o in action.associatedObjects())


def interactive_controls(root: QWidget) -> list[QWidget]:
    found = []
    for widget in [root, *root.findChildren(QWidget)]:
        if not isinstance(widget, INTERACTIVE) or isinstance(widget, QScrollBar):
            continue
        if not widget.isVisibleTo(root) or not widget.isEnabled():
            continue
        if isinstance(widget.parent(), QLineEdit | QAbstractSpinBox | QComboBox):
            continue  # a field's own clear button or editor: part of the field
        if isinstance(widget, QHeaderView):
            continue  # a view's header: read and driven through its view
        if widget.objectName() == "qt_toolbar_ext_button":
            continue  # Qt's overflow arrow of a toolbar (its actions are in the menus)
        found.append(widget)
    return found


def describe(widget: QWidget) -> str:
    return f"{type(widget).__name__} {widget.objectName()!r} ({accessible_name(widget)!r})"


async def tab_cycle(window: QWidget, limit: int = 400) -> list[QWidget]:
    """The widgets the Tab key visits, from the first focusable one until it comes back."""
    window.activateWindow()
    first = window.nextInFocusChain()
    while first is not window and not (
        first.isVisible()
        and first.isEnabled()
        and first.focusPolicy() & Qt.FocusPolicy.TabFocus
        and first.window() is window
    ):
        first = first.nextInFocusChain()
    first.setFocus(Qt.FocusReason.TabFocusReason)
    await asyncio.sleep(0)
    visited: list[QWidget] = []
    same = 0
    for _ in range(limit):
        focus = QApplication.focusWidget()
        if focus is None:
            break
        if visited and focus is visited[-1]:
            same += 1  # Tab moving between the links of a text: still the same widget
            if same > 50:
                break
        elif focus in visited:
            break  # back to a widget already visited: the cycle is closed (or a trap)
        else:
            same = 0
            visited.append(focus)
        # A view that moves between its cells with Tab is left with Ctrl+Tab (Qt's rule).
        trap = isinstance(focus, QAbstractItemView) and focus.tabKeyNavigation()
        modifier = Qt.KeyboardModifier.ControlModifier if trap else Qt.KeyboardModifier.NoModifier
        QTest.keyClick(focus, Qt.Key.Key_Tab, modifier)
        await asyncio.sleep(0)  # one key at a time: the test never holds the loop
    return visited


async def audit(root: QWidget, where: str) -> tuple[list[str], int]:
    """Names and keyboard reach of every interactive control under `root`."""
    problems: list[str] = []
    controls = interactive_controls(root)
    reached = await tab_cycle(root.window())
    for widget in controls:
        await asyncio.sleep(0)  # a window has hundreds of widgets: never hold the loop
        name = accessible_name(widget)
        if not name:
            problems.append(f"{where}: {describe(widget)} has no accessible name")
        elif not is_french(name):
            problems.append(f"{where}: {describe(widget)} is named in English")
        if widget in reached or any(widget.isAncestorOf(w) for w in reached):
            continue
        action = widget.defaultAction() if isinstance(widget, QToolButton) else None
        if action is not None and keyboard_path(action):
            continue
        if widget.focusPolicy() == Qt.FocusPolicy.NoFocus:
            problems.append(f"{where}: {describe(widget)} takes no keyboard focus")
        elif name not in KNOWN_TAB_GAPS and f"{where}/{name}" not in KNOWN_TAB_GAPS:
            problems.append(f"{where}: {describe(widget)} is not reached by Tab")
    return problems, len(controls)


def audit_actions(window: QWidget, where: str) -> list[str]:
    """Menus opened by a mnemonic; each menu and toolbar action named in French, reachable."""
    problems: list[str] = []
    menubar = getattr(window, "menuBar", lambda: None)()
    menus: list[QMenu] = []
    if menubar is not None:
        for action in menubar.actions():
            if action.isVisible() and action.menu() is not None:
                if not re.search(r"&[^&]", action.text()):
                    problems.append(f"{where}: menu {action.text()!r} has no mnemonic")
                menus.append(action.menu())
    while menus:
        menu = menus.pop()
        for action in menu.actions():
            if action.isSeparator() or not action.isVisible():
                continue
            if action.menu() is not None:
                menus.append(action.menu())
            if not is_french(_plain(action.text())):
                problems.append(f"{where}: menu action {action.text()!r} not named in French")
    for bar in window.findChildren(QToolBar):
        for action in bar.actions():
            if action.isSeparator() or not action.isVisible():
                continue
            if not is_french(_plain(action.text())):
                problems.append(f"{where}: toolbar action {action.text()!r} not named in French")
            if not keyboard_path(action):
                problems.append(f"{where}: toolbar action {action.text()!r} has no keyboard path")
    return problems


async def started(ui: UiLoop, root: Path) -> tuple[PliApplication, asyncio.Future[int]]:
    # Names and keyboard paths are checked here; the loop's responsiveness is the frame's and
    # the mail tests' matter (and bench/ui_bench.py's): a loaded machine must not fail this one.
    ui.loop.slow_callback_duration = 2.0
    app = PliApplication(AppPaths.at(root), ui.errors, passphrase=TEST_PASSPHRASE)
    app.window.resize(1366, 768)
    app.window.show()
    run = asyncio.ensure_future(app.run())
    await ui.until(app.started.is_set, within=60)
    return app, run


def test_welcome_and_lock_screens(ui: UiLoop, tmp_path: Path, french: None) -> None:
    async def scenario() -> None:
        app, run = await started(ui, tmp_path / "profile")
        window = app.window
        assert window.current_page() == "welcome"
        await ui.settle()
        problems, checked = await audit(window, "welcome")
        problems += audit_actions(window, "welcome")
        # The two choices (the navigation appears with the mail); the menus hold the rest.
        assert checked >= 2
        assert accessible_name(window.welcome.demo.button) == (
            "Essayer avec une boîte de démonstration"
        )
        assert accessible_name(window.welcome.add.button) == "Ajouter ma boîte MSSanté"

        app.lock_now()
        await ui.until(lambda: window.locked)
        await ui.settle()
        locked_problems, locked_checked = await audit(window.lock_screen, "lock")
        problems += locked_problems
        assert locked_checked == 2  # the passphrase and the unlock button, nothing of the mail
        assert accessible_name(window.lock_screen.button) == "Déverrouiller"
        assert problems == []
        window.close()
        assert await run == 0

    ui.run(scenario(), timeout=180)


def test_mail_page_on_the_demo_with_a_message_open_and_the_search_filters(
    ui: UiLoop, tmp_path: Path, french: None
) -> None:
    async def scenario() -> None:
        app, run = await started(ui, tmp_path / "profile")
        window = app.window
        window.welcome.demo.button.click()
        await ui.until(lambda: window.current_page() == "mail", within=90)
        page = window.page("mail")
        assert page is not None
        mail = page.workspace  # type: ignore[attr-defined]  # the MailPage's panes
        services = app.services
        assert services is not None
        demo = (await services.accounts.list())[0]
        inbox: list[int] = []

        async def inbox_filled() -> None:
            while not inbox:
                folders = await services.archive.folders(demo)
                inbox.extend(f.id for f in folders if f.role == "inbox" and f.messages > 3)
                await asyncio.sleep(0.2)

        await asyncio.wait_for(inbox_filled(), 120)
        await ui.until(lambda: mail.folders.select_folder(inbox[0]), within=30)
        model = mail.messages.model
        await ui.until(lambda: model.rowCount() > 3, within=60)
        mail.messages.view.setCurrentIndex(model.index(0))
        await ui.until(lambda: mail.reading.message_id is not None, within=30)
        await ui.settle(0.3)
        problems, checked = await audit(window, "mail")
        problems += audit_actions(window, "mail")
        assert checked >= 10

        # A row is a sentence: state, sender (a patient with the INS), subject, date.
        sentences = [
            model.index(r).data(Qt.ItemDataRole.AccessibleTextRole) for r in range(model.rowCount())
        ]
        patient = next(s for s in sentences if ", INS " in s and s.startswith("Non lu. De "))
        assert re.search(
            r"^Non lu\. De [^,]+, patiente?, INS [\d ]+\. Objet\u00a0: .+\. Reçu ", patient
        )
        # The same sentence is what the list's accessible cell gives a screen reader.
        view = QAccessible.queryAccessibleInterface(mail.messages.view)
        cells = [view.child(i) for i in range(view.childCount())]
        names = {c.text(QAccessible.Text.Name) for c in cells if c is not None}
        assert set(sentences[:5]) & names

        # The search with its filters open.
        mail.search.filters_button.setChecked(True)
        mail.search.field.setText("patient")
        await ui.until(lambda: mail.search.filter_row.isVisible())
        await ui.settle(0.5)
        search_problems, search_checked = await audit(mail.search, "search")
        problems += search_problems
        assert search_checked >= 8  # field, filters, account, folder, two names, dates…
        assert problems == []
        window.close()
        assert await run == 0

    ui.run(scenario(), timeout=300)


def test_dialogs(ui: UiLoop, french: None) -> None:
    from app.ui.dialogs.account_dialog import AccountDialog
    from app.ui.dialogs.passphrase_dialog import PassphraseDialog
    from app.ui.main_window import MainWindow
    from app.ui.models.folder_model import AccountRow, FolderRow
    from app.ui.widgets.message_actions import MoveDialog

    async def scenario() -> None:
        account = AccountRow(1, "cabinet", "cabinet@test.mssante.fr", "CAB")
        folders = [FolderRow(1, "INBOX", "inbox", 3, 1), FolderRow(2, "Trash", "trash", 0, 0)]
        window = MainWindow()
        dialogs: list[QDialog] = [
            AccountDialog(window),
            PassphraseDialog(new=True, parent=window),
            PassphraseDialog(new=False, parent=window),
            MoveDialog(account, folders, "INBOX", window),
        ]
        problems: list[str] = []
        for dialog in dialogs:
            dialog.show()
            await ui.settle(0.1)
            where = type(dialog).__name__
            if not is_french(accessible_name(dialog)):
                problems.append(f"{where}: the dialog has no French name")
            found, checked = await audit(dialog, where)
            problems += found
            assert checked >= 2, where
            dialog.close()
        window.show_shortcuts()
        await ui.settle(0.1)
        shortcuts = next(
            d for d in QApplication.topLevelWidgets() if isinstance(d, QDialog) and d.isVisible()
        )
        found, _ = await audit(shortcuts, "shortcuts")
        problems += found
        shortcuts.close()
        window.deleteLater()
        for dialog in dialogs:
            dialog.deleteLater()
        assert problems == []

    ui.run(scenario(), timeout=120)
