"""The patients screens in the real window: registered by the application, reached from the
navigation, the receipt offer in the mail page's reading pane, a clean shutdown.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from PySide6.QtCore import Qt  # noqa: TID251 - window tests

from app.config.paths import AppPaths
from app.ui.application import PliApplication
from app.ui.mail_page import MailPage
from app.ui.outbox.outbox_page import OutboxPage
from app.ui.patients.patients_page import PatientsPage
from app.ui.receipts import MessageExtras
from tests.ui.conftest import TEST_PASSPHRASE, UiLoop

pytestmark = pytest.mark.integration


def test_patients_and_outbox_pages_in_the_window(
    ui: UiLoop,
    tmp_path: Path,
    french: None,
) -> None:
    async def scenario() -> None:
        app = PliApplication(
            AppPaths.at(tmp_path / "profile"), ui.errors, passphrase=TEST_PASSPHRASE
        )
        app.window.show()
        run = asyncio.ensure_future(app.run())
        await ui.until(app.started.is_set, within=30)
        window = app.window
        window.welcome.demo.button.click()
        await ui.until(lambda: window.current_page() == "mail", within=60)
        patients = window.page("patients")
        outbox = window.page("outbox")
        assert isinstance(patients, PatientsPage) and isinstance(outbox, OutboxPage)
        names = [
            window.navigation.item(r).data(Qt.ItemDataRole.UserRole)
            for r in range(window.navigation.count())
        ]
        assert names[:2] == ["mail", "patients"] and "outbox" in names
        labels = [window.navigation.item(r).text() for r in range(window.navigation.count())]
        assert "Patients" in labels and "Envoi" in labels
        mail = window.page("mail")
        assert isinstance(mail, MailPage)
        extras = mail.workspace.reading.findChildren(MessageExtras)
        assert len(extras) == 1
        # The demo's patients appear once synced; the page reads them when shown.
        window.show_page("patients")
        await ui.until(lambda: patients.model.rowCount() == 6, within=90)
        await ui.until(lambda: patients.ins is not None, within=10)
        window.show_page("outbox")
        await ui.until(lambda: outbox.task is not None and outbox.task.done(), within=10)
        window.show_page("mail")
        window.close()
        assert await run == 0

    ui.run(scenario(), timeout=180)
