"""Screenshots of every wizard step, the settings and the passphrase dialogs, over the window,
at 1366x768 and 1920x1080.

Written under the test's folder; with ``PLI_SCREENSHOTS=1`` into docs/screenshots/ as well
(``wizard-<step>-<size>.png``, ``settings-<tab>-<size>.png``, ``unlock-<dialog>-<size>.png``).
The test also checks what a reader of the images would: French labels, no text cut.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint  # noqa: TID251 - window tests
from PySide6.QtGui import QPainter, QPixmap  # noqa: TID251
from PySide6.QtWidgets import (  # noqa: TID251
    QAbstractButton,
    QApplication,
    QDialog,
    QLabel,
)

from app.services.container import Services
from app.ui.dialogs.passphrase_dialog import PassphraseDialog
from app.ui.main_window import MainWindow
from app.ui.settings.keys_dialog import ChangePassphraseDialog, attach_strength_meter
from app.ui.settings.settings_dialog import SettingsDialog
from tests.services.test_discovery_dns import LoopbackDns
from tests.ui.conftest import UiLoop
from tests.ui.test_wizard_account import make_wizard, publish_srv

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
SIZES = ((1366, 768), (1920, 1080))


@pytest.fixture(autouse=True)
def _no_quit(no_quit_on_last_window: None) -> None:
    """As in the application: closing the last composer does not end the program."""


@pytest.fixture
def loopback_dns() -> Iterator[LoopbackDns]:
    server = LoopbackDns()
    yield server
    server.close()


def readable(dialog: QDialog) -> None:
    """French, and no visible label or button cut."""
    english = {"Next", "Back", "Finish", "Cancel", "Settings", "Servers", "Password"}
    for widget in dialog.findChildren(QLabel) + dialog.findChildren(QAbstractButton):
        if not widget.isVisibleTo(dialog):
            continue
        text = widget.text().replace("&", "")
        assert text not in english, text
        if isinstance(widget, QAbstractButton) and text:
            assert widget.width() >= widget.sizeHint().width() - 2, text
        if isinstance(widget, QLabel) and text and not widget.wordWrap():
            assert widget.width() >= widget.sizeHint().width() - 2, text


async def shoot(ui: UiLoop, window: MainWindow, dialog: QDialog, name: str, tmp_path: Path) -> None:
    for width, height in SIZES:
        window.resize(width, height)
        await ui.settle(0.15)
        dialog.adjustSize()
        dialog.resize(max(dialog.width(), dialog.minimumWidth()), dialog.height())
        await ui.settle(0.1)
        readable(dialog)
        backdrop = window.grab()
        shot = QPixmap(backdrop)
        painter = QPainter(shot)
        painter.fillRect(shot.rect(), QApplication.palette().shadow().color().lighter(100))
        painter.setOpacity(0.35)
        painter.drawPixmap(0, 0, backdrop)
        painter.setOpacity(1.0)
        front = dialog.grab()
        painter.drawPixmap(
            QPoint((width - front.width()) // 2, max(0, (height - front.height()) // 2)), front
        )
        painter.end()
        image = shot.toImage()
        file = f"{name}-{width}x{height}.png"
        assert await asyncio.to_thread(image.save, str(tmp_path / file))
        if os.environ.get("PLI_SCREENSHOTS") == "1":
            shots = REPO / "docs" / "screenshots"
            shots.mkdir(parents=True, exist_ok=True)
            assert await asyncio.to_thread(image.save, str(shots / file))


def test_wizard_screenshots(
    ui: UiLoop,
    ui_services: Services,
    mail_account,
    loopback_dns: LoopbackDns,
    tmp_path: Path,
    french: None,
) -> None:
    publish_srv(loopback_dns, mail_account)

    async def scenario() -> None:
        window = MainWindow()
        window.show()
        window.show_page("welcome")
        wizard = make_wizard(ui_services, ui, loopback_dns)
        wizard.setParent(window, wizard.windowFlags())
        wizard.show()
        wizard.address.setText(mail_account.address)
        await shoot(ui, window, wizard, "wizard-1-address", tmp_path)
        wizard.next_button.click()
        await ui.until(lambda: wizard.current_step() == "servers")
        wizard.ca_file.setText(str(mail_account.ca_bundle))
        await shoot(ui, window, wizard, "wizard-2-servers", tmp_path)
        wizard.next_button.click()
        await ui.until(lambda: wizard.current_step() == "identity")
        wizard.title.setText("Dr")
        wizard.given.setText("Marie")
        wizard.family.setText("Martin")
        wizard.entity.setText("Cabinet médical des Tilleuls")
        wizard.reply_to.setText("cabinet.tilleuls@hopital-test.mssante.fr")
        await shoot(ui, window, wizard, "wizard-3-identity", tmp_path)
        wizard.next_button.click()
        await ui.until(lambda: wizard.current_step() == "login")
        wizard.auth_psc.setChecked(True)
        await shoot(ui, window, wizard, "wizard-4-login-psc", tmp_path)
        wizard.auth_password.setChecked(True)
        wizard.password.setText("not-the-password")
        await shoot(ui, window, wizard, "wizard-4-login-password", tmp_path)
        wizard.next_button.click()
        await ui.until(lambda: wizard.current_step() == "test")
        wizard.test_button.click()
        await ui.until(lambda: len(wizard.results) == 2, within=30)
        await shoot(ui, window, wizard, "wizard-5-test-refused", tmp_path)
        wizard.results = []
        wizard.password.setText(mail_account.password)
        wizard.test_button.click()
        await ui.until(lambda: len(wizard.results) == 2, within=30)
        assert wizard.test_passed
        await shoot(ui, window, wizard, "wizard-5-test-ok", tmp_path)
        wizard.finish_button.click()
        await ui.until(lambda: not wizard.isVisible())

        settings = SettingsDialog(ui_services, ui.errors, None, window)
        await settings.load()
        settings.show()
        for index, name in enumerate(
            ("mailboxes", "security", "general", "templates", "directory")
        ):
            settings.tabs.setCurrentIndex(index)
            await shoot(ui, window, settings, f"settings-{name}", tmp_path)
        settings.close()

        new = PassphraseDialog(new=True, parent=window)
        meter = attach_strength_meter(new)
        assert meter is not None
        new.show()
        new.passphrase.setText("tilleul")
        await shoot(ui, window, new, "unlock-new-short", tmp_path)
        new.passphrase.setText("lampe verte sous la pluie d'avril")
        await shoot(ui, window, new, "unlock-new-strong", tmp_path)
        new.close()
        opening = PassphraseDialog(new=False, parent=window)
        opening.show()
        await shoot(ui, window, opening, "unlock-open", tmp_path)
        opening.close()
        change = ChangePassphraseDialog(ui_services.paths, ui.errors, window)
        change.show()
        change.new.setText("cabinet2024")
        await shoot(ui, window, change, "unlock-change", tmp_path)
        change.close()

    ui.run(scenario(), timeout=120)
