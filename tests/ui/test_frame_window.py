"""The window: start-up on an empty profile, the welcome page, the demo, lock and unlock."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt  # noqa: TID251
from PySide6.QtTest import QTest  # noqa: TID251

from app.config.paths import AppPaths
from app.ui.application import PliApplication
from app.ui.mail_page import MailPage
from tests.ui.conftest import TEST_PASSPHRASE, UiLoop


def _app(ui: UiLoop, root: Path) -> PliApplication:
    return PliApplication(AppPaths.at(root), ui.errors, passphrase=TEST_PASSPHRASE)


def test_empty_profile_opens_the_welcome_page(ui: UiLoop, tmp_path: Path) -> None:
    async def scenario() -> None:
        began = time.monotonic()
        app = _app(ui, tmp_path / "profile")
        app.window.show()
        await ui.until(lambda: app.window.isVisible())
        shown = time.monotonic() - began
        assert shown < 1.0, f"window visible after {shown:.2f} s"
        assert app.window.current_page() == "loading"
        run = asyncio.ensure_future(app.run())
        await ui.until(app.started.is_set, within=30)
        assert app.window.current_page() == "welcome"
        assert app.window.welcome.demo.button.isEnabled()
        assert app.window.welcome.add.button.isEnabled()
        assert app.window.windowTitle() == "Pli"
        app.window.close()
        assert await run == 0
        assert app.services is None

    ui.run(scenario())


def test_window_remembers_its_geometry(ui: UiLoop, tmp_path: Path) -> None:
    root = tmp_path / "profile"

    async def scenario() -> None:
        app = _app(ui, root)
        app.window.show()
        run = asyncio.ensure_future(app.run())
        await ui.until(app.started.is_set, within=30)
        app.window.resize(1001, 702)
        await ui.settle()
        app.window.close()
        await run
        again = _app(ui, root)
        assert again.window.size().width() == 1001
        assert again.window.size().height() == 702
        again.window.deleteLater()

    ui.run(scenario())
    ini = root / "window.ini"
    assert ini.is_file()
    assert QSettings(str(ini), QSettings.Format.IniFormat).value("window/geometry") is not None


async def _started(ui: UiLoop, root: Path) -> tuple[PliApplication, asyncio.Future[int]]:
    app = _app(ui, root)
    app.window.show()
    run = asyncio.ensure_future(app.run())
    await ui.until(app.started.is_set, within=30)
    return app, run


def test_the_demo_button_opens_the_demo_mailbox_and_its_messages(
    ui: UiLoop, tmp_path: Path
) -> None:
    async def scenario() -> None:
        app, run = await _started(ui, tmp_path / "profile")
        window = app.window
        window.welcome.demo.button.click()
        await ui.until(lambda: window.current_page() == "mail", within=60)
        assert window.demo_banner.isVisible()
        assert window.remove_demo_action.isVisible()
        assert app.services is not None
        accounts = await app.services.accounts.list()
        assert len(accounts) == 1 and app.services.demo.is_demo(accounts[0])

        async def inbox_id() -> int | None:
            folders = await app.services.archive.folders(accounts[0])
            return next((f.id for f in folders if f.role == "inbox" and f.messages), None)

        found: list[int] = []

        async def poll() -> None:
            for _ in range(600):
                folder = await inbox_id()
                if folder is not None:
                    found.append(folder)
                    return
                await asyncio.sleep(0.1)

        await poll()
        assert found, "the demo inbox never filled"
        page = window.page("mail")
        assert isinstance(page, MailPage)
        workspace = page.workspace
        await ui.until(lambda: workspace.folders.select_folder(found[0]), within=20)
        await ui.until(lambda: workspace.messages.model.rowCount() > 0, within=20)
        # Ctrl+F (the Edit menu's Find) puts the cursor in the search field.
        window.find_action.trigger()
        await ui.until(workspace.search.field.hasFocus, within=5)
        # The frame speaks of the connection, never of the messages' content.
        await ui.until(lambda: accounts[0].id in window.status.connections.states(), within=30)
        window.close()
        assert await run == 0

    ui.run(scenario(), timeout=180)


def test_lock_after_inactivity_and_unlock_with_the_passphrase(ui: UiLoop, tmp_path: Path) -> None:
    async def scenario() -> None:
        app, run = await _started(ui, tmp_path / "profile")
        window = app.window
        assert app.protection == "passphrase"
        app.watch.set_delay_ms(400)
        app.watch.resume()
        for _ in range(8):  # typing keeps the window open: input seen on its QWindow
            QTest.keyClick(window.windowHandle(), Qt.Key.Key_Shift)
            await asyncio.sleep(0.1)
        assert not window.locked
        await ui.until(lambda: window.locked, within=10)
        assert window.centralWidget().currentWidget() is window.lock_screen
        assert not window.menuBar().isVisible()
        assert not window.status.isVisible()
        assert window.lock_screen.passphrase.isVisible()
        assert all(not a.isEnabled() for a in window.actions())

        window.lock_screen.passphrase.setText("not the passphrase")
        window.lock_screen.button.click()
        await ui.until(lambda: window.lock_screen.error.isVisible(), within=30)
        assert window.locked

        window.lock_screen.passphrase.setText(TEST_PASSPHRASE)
        window.lock_screen.button.click()
        await ui.until(lambda: not window.locked, within=30)
        assert window.centralWidget().currentWidget() is not window.lock_screen
        assert window.menuBar().isVisible()
        assert window.current_page() == "welcome"
        window.close()
        assert await run == 0

    ui.run(scenario(), timeout=120)


def test_the_lock_delay_is_never_longer_than_two_hours() -> None:
    from app.ui.lock import lock_delay_minutes

    assert lock_delay_minutes(15) == 15
    assert lock_delay_minutes(600) == 120
    assert lock_delay_minutes(0) == 15
    assert lock_delay_minutes(None) == 15


def test_enter_unlocks_a_keyring_profile(qapp: object) -> None:
    from app.ui.lock import LockScreen

    screen = LockScreen()
    screen.set_mode(needs_passphrase=False, minutes=15)
    screen.show()
    asked: list[str] = []
    screen.unlock_requested.connect(asked.append)
    screen.reset()
    QTest.keyClick(screen.button, Qt.Key.Key_Return)
    assert asked == [""]
    assert not screen.passphrase.isVisible()
    screen.deleteLater()


def test_a_new_profile_without_keyring_asks_for_a_passphrase_in_french(
    ui: UiLoop, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtWidgets import QApplication  # noqa: TID251

    from app.ui.dialogs.passphrase_dialog import PassphraseDialog

    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    app = PliApplication(AppPaths.at(tmp_path / "profile"), ui.errors, passphrase=None)

    def dialog() -> PassphraseDialog | None:
        found = [w for w in QApplication.topLevelWidgets() if isinstance(w, PassphraseDialog)]
        return found[0] if found and found[0].isVisible() else None

    async def scenario() -> None:
        app.window.show()
        run = asyncio.ensure_future(app.run())
        await ui.until(lambda: dialog() is not None, within=30)
        box = dialog()
        assert box is not None and box.new
        box.passphrase.setText("short")
        box.confirmation.setText("short")
        box._on_accepted()
        assert box.error.isVisible() and box.isVisible()  # too short: said in the dialog
        box.passphrase.setText(TEST_PASSPHRASE)
        box.confirmation.setText(TEST_PASSPHRASE)
        box._on_accepted()
        await ui.until(app.started.is_set, within=30)
        assert app.window.current_page() == "welcome"
        assert app.protection == "passphrase"
        app.window.close()
        assert await run == 0

    ui.run(scenario(), timeout=90)


def test_new_mail_is_notified_when_the_window_is_not_in_front(ui: UiLoop, tmp_path: Path) -> None:
    from app.domain import events as ev

    async def scenario() -> None:
        app, run = await _started(ui, tmp_path / "profile")
        notified: list[str] = []
        app.tray.notified.connect(lambda _title, text: notified.append(text))
        assert app.services is not None
        app.window.lock(needs_passphrase=True, minutes=15)  # locked: never in front
        app.services.events.publish(
            ev.NewMail(account_id=1, account="cabinet", folder="INBOX", count=2, from_patients=2)
        )
        await ui.settle()
        assert notified == ["2 new message(s) from patients"] or notified == [
            "2 nouveaux messages de patients"
        ]
        app.window.close()
        assert await run == 0

    ui.run(scenario(), timeout=60)


def test_a_wrong_passphrase_at_start_asks_again(
    ui: UiLoop, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtWidgets import QApplication  # noqa: TID251

    from app.ui.dialogs.passphrase_dialog import PassphraseDialog
    from tests.ui.conftest import open_test_services

    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    root = tmp_path / "profile"

    async def create() -> None:
        services = await open_test_services(root)
        await services.aclose()

    ui.run(create())
    app = PliApplication(AppPaths.at(root), ui.errors, passphrase=None)

    def dialog() -> PassphraseDialog | None:
        found = [w for w in QApplication.topLevelWidgets() if isinstance(w, PassphraseDialog)]
        visible = [w for w in found if w.isVisible()]
        return visible[0] if visible else None

    async def scenario() -> None:
        app.window.show()
        run = asyncio.ensure_future(app.run())
        await ui.until(lambda: dialog() is not None, within=30)
        first = dialog()
        assert first is not None and not first.new
        first.passphrase.setText("not the right one")
        first._on_accepted()
        await ui.until(lambda: dialog() is not None and dialog() is not first, within=30)
        second = dialog()
        assert second is not None and second.error.isVisible()  # "Phrase secrète incorrecte"
        second.passphrase.setText(TEST_PASSPHRASE)
        second._on_accepted()
        await ui.until(app.started.is_set, within=30)
        assert app.window.current_page() == "welcome"
        app.window.close()
        assert await run == 0

    ui.run(scenario(), timeout=90)
