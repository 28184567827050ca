"""Screenshots of the composer (empty, with chips and documents, with a refusal) at two sizes.

Written under the test's folder; with ``PLI_SCREENSHOTS=1`` into docs/screenshots/ as well
(``compose-<state>-<width>x<height>.png``). The test also checks what a reader of the images
would: French labels, nothing cut, the refusal said and "Envoyer" disabled.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel  # noqa: TID251 - window tests

from app.services.container import Services
from app.ui.compose.composer import ComposerWindow
from app.ui.compose.manager import ComposerManager
from app.ui.compose.patient_picker import PatientChoice
from app.ui.context import UiContext
from tests.support.mail import tiny_pdf
from tests.ui.conftest import UiLoop
from tests.ui.test_compose_window import (
    BAD_INS,
    PATIENT,
    PATIENT_INS,
    offline_account,
    with_directory,
)
from tests.unit.documents.docfactories import tiff

REPO = Path(__file__).resolve().parents[2]
SIZES = ((1366, 768), (1920, 1080))


@pytest.fixture(autouse=True)
def _no_quit(no_quit_on_last_window: None) -> None:
    """As in the application: closing the last composer does not end the program."""


async def shoot(ui: UiLoop, composer: ComposerWindow, state: str, tmp_path: Path) -> None:
    for width, height in SIZES:
        composer.resize(width, height)
        await ui.settle(0.2)
        name = f"compose-{state}-{width}x{height}.png"
        image = composer.grab().toImage()  # encoding a PNG takes long: off the loop
        assert await asyncio.to_thread(image.save, str(tmp_path / name))
        if os.environ.get("PLI_SCREENSHOTS") == "1":
            shots = REPO / "docs" / "screenshots"
            shots.mkdir(parents=True, exist_ok=True)
            assert await asyncio.to_thread(image.save, str(shots / name))


def no_english(composer: ComposerWindow) -> None:
    english = {"Send", "Close", "To:", "Subject:", "Attach…", "From:", "Patient…"}
    texts = {label.text().replace("&", "") for label in composer.findChildren(QLabel)}
    texts |= {b.text().replace("&", "") for b in (composer.send_button, composer.close_button)}
    assert not texts & english


def test_composer_screenshots(
    ui: UiLoop, ui_services: Services, tmp_path: Path, french: None
) -> None:
    services = ui_services
    pdf = tmp_path / "compte-rendu-echographie.pdf"
    pdf.write_bytes(tiny_pdf("Compte rendu d'échographie cardiaque") * 1)
    scan = tmp_path / "radio-thorax.tif"
    scan.write_bytes(tiff(2))
    hostile = tmp_path / "resultats.pdf"
    hostile.write_bytes(b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200)

    async def scenario() -> None:
        await offline_account(services)
        await with_directory(services, tmp_path)
        await services.patients.add(PATIENT_INS, "Lefèvre", "Jeanne", "1984-05-12")
        manager = ComposerManager(UiContext.create(services, ui.errors))

        empty = await manager.new_message()
        await ui.until(lambda: empty.report is not None or empty.check_error is not None)
        no_english(empty)
        await shoot(ui, empty, "empty", tmp_path)
        empty.close()

        full = await manager.new_message()
        full.to_field.add_address(PATIENT, "Jeanne LEFÈVRE")
        full.cc_field.add_address("paul.lefebvre@medecin.mssante.fr", "Paul LEFEBVRE")
        full._set_patient(PatientChoice(PATIENT_INS, "LEFÈVRE", "Jeanne", "1984-05-12", new=False))
        await full.apply_template(
            "compte-rendu",
            {
                "date_acte": "02/12/2026",
                "type_prise_en_charge": "consultation de cardiologie",
                "telephone": "04 72 00 00 00",
                "patient_civilite": "Madame",
            },
            ask=False,
        )
        for path in (pdf, scan, hostile):
            await full.attach_path(path)
        await ui.until(lambda: all(f.converted for f in full.attachments.files() if f.as_pdf))
        await ui.until(lambda: full.report is not None, within=10)
        await ui.settle(0.5)
        no_english(full)
        await shoot(ui, full, "chips-documents", tmp_path)
        # The suggestions as they show while typing (the list is a window of its own).
        full.resize(*SIZES[0])
        full.bcc_field.edit.setFocus()
        full.bcc_field.request_suggestions("lef")
        popup = full.bcc_field.completer.popup()
        assert popup is not None
        await ui.until(lambda: popup.isVisible() and full.bcc_field.model.rowCount() >= 2)
        await ui.settle(0.2)
        image = popup.grab().toImage()
        name = "compose-completion.png"
        assert await asyncio.to_thread(image.save, str(tmp_path / name))
        if os.environ.get("PLI_SCREENSHOTS") == "1":
            assert await asyncio.to_thread(image.save, str(REPO / "docs" / "screenshots" / name))
        popup.hide()
        full.close()

        refused = await manager.new_message()
        refused.to_field.add_address(f"{BAD_INS}@patient.mssante.fr")
        refused.to_field.add_address("dr.who@medecin.apicrypt.org")
        refused.cc_field.add_address("x@clinique-inconnue.example.org")
        refused.subject.setText("Résultats de biologie")
        refused.body.setPlainText("Bonjour,\n\nVeuillez trouver vos résultats ci-joints.\n")
        await ui.until(lambda: bool(refused.blocking_reasons()), within=10)
        await ui.settle(0.5)
        assert not refused.send_button.isEnabled()
        assert "Refusé" in refused.checks.text()
        no_english(refused)
        await shoot(ui, refused, "refusal", tmp_path)
        refused.close()

    ui.run(scenario(), timeout=90)
