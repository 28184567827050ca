"""Screenshots of the whole window on the demo: a patient conversation open, one closed, the
outbox (``PLI_SCREENSHOTS=1`` writes them to docs/screenshots/).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication  # noqa: TID251 - window tests
from PySide6.QtWidgets import QWidget  # noqa: TID251 - window tests

from app.services.compose_service import Outgoing
from app.services.container import Services
from app.ui.context import UiContext
from app.ui.mail_page import MailPage
from app.ui.main_window import MainWindow
from app.ui.patients import install_patients
from tests.ui.conftest import UiLoop

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
SIZES = ((1366, 768), (1920, 1080))
GARNIER = "291011305508762"
LEROUX = "148013307802185"
COLIN = "152078304006621"


def _save(widget: QWidget, name: str, tmp_path: Path) -> Path:
    target = tmp_path / name
    image = widget.grab()
    assert image.save(str(target))
    if os.environ.get("PLI_SCREENSHOTS") == "1":
        shots = ROOT / "docs" / "screenshots"
        shots.mkdir(parents=True, exist_ok=True)
        assert image.save(str(shots / name))
    return target


def test_patient_and_outbox_screens_on_the_demo(
    ui: UiLoop, ui_services: Services, french: None, tmp_path: Path
) -> None:
    ui.loop.slow_callback_duration = 5.0  # grabbing a picture is the test's act

    async def scenario() -> None:
        account = await ui_services.demo.start()
        try:
            await ui_services.supervisor.run_once([account])
            ctx = UiContext.create(ui_services, ui.errors)
            window = MainWindow()
            window._ctx_keepalive = ctx  # type: ignore[attr-defined]
            page = await MailPage.build(ctx, window)
            # The title the application gives it (app/ui/application.py), in its context.
            mail_title = QCoreApplication.translate("PliApplication", "Mail")
            window.add_page("mail", page, mail_title, "mail", "Ctrl+1")
            screens = install_patients(window, ctx)
            window.show_page("patients")
            window.resize(*SIZES[0])
            window.show()
            patients = screens.patients
            await screens.patients.reload()
            await screens.outbox.reload()
            for width, height in SIZES:
                window.resize(width, height)
                patients.show_patient(GARNIER)
                await ui.until(lambda: patients.ins == GARNIER)
                await patients.task
                await ui.settle(0.3)
                _save(window, f"patients-open-{width}x{height}.png", tmp_path)
                patients.show_patient(LEROUX)
                await ui.until(lambda: patients.ins == LEROUX)
                await patients.task
                await ui.settle(0.3)
                _save(window, f"patients-closed-{width}x{height}.png", tmp_path)
            window.resize(*SIZES[0])
            patients.show_patient(COLIN)
            await ui.until(lambda: patients.ins == COLIN)
            await patients.task
            await ui.settle(0.3)
            _save(window, "patients-bounce-1366x768.png", tmp_path)
            # The outbox: a message sent, then one waiting for a server that cannot be reached.
            sent = Outgoing(
                to=(f"{GARNIER}@patient.mssante.fr",),
                subject="Vos résultats",
                text="Bonjour Madame,\n\nVos résultats sont normaux.\n",
                accept_warnings=True,
            )
            await ui_services.compose.send(account, sent)
            await ui_services.demo.stop()
            waiting = Outgoing(
                to=("secretariat.cardiologie@demo.mssante.fr",),
                subject="Demande de rendez-vous pour M. FABRE",
                text="Bonjour,\n\nPourriez-vous proposer un rendez-vous ?\n",
                accept_warnings=True,
            )
            await ui_services.compose.send(account, waiting)
            await ui.until(lambda: screens.outbox.waiting >= 1, within=10)
            window.show_page("outbox")
            for width, height in SIZES:
                window.resize(width, height)
                await ui.settle(0.3)
                _save(window, f"outbox-{width}x{height}.png", tmp_path)
            patients.hide()
        finally:
            await ui_services.demo.stop()

    ui.run(scenario(), timeout=180)
