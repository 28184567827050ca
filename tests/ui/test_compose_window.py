"""The composer against real services on a temporary profile (no mail server needed here).

Completion from the directory, favourites and patients; chips from a pasted list; flags on
invalid, Apicrypt and untrusted addresses; the checks blocking "Envoyer"; documents judged on
their bytes (PDF, TIFF offered as PDF to a patient, a hostile file refused with its reason);
templates filled from the patient and the account; drafts saved as one types.
"""

from __future__ import annotations

import asyncio
import email
from email.policy import default as default_policy
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl  # noqa: TID251 - window tests
from PySide6.QtGui import QDropEvent, QKeySequence  # noqa: TID251 - window tests
from PySide6.QtTest import QTest  # noqa: TID251 - window tests
from PySide6.QtWidgets import (  # noqa: TID251 - window tests
    QApplication,
    QMainWindow,
    QMessageBox,
)

from app.domain.account import AccountConfig, BoxType, Endpoint, Identity, Security
from app.domain.documents import DocumentKind
from app.services.account_service import Account
from app.services.container import Services
from app.ui.compose.composer import ComposerWindow
from app.ui.compose.manager import ComposerManager, install_composer
from app.ui.compose.patient_picker import PatientChoice, PatientPickerDialog
from app.ui.compose.recipients import ChipState
from app.ui.context import UiContext
from tests.support.directory_extraction import person_line, write_extraction
from tests.support.mail import tiny_pdf
from tests.ui.conftest import UiLoop
from tests.unit.documents.docfactories import tiff

WHITELIST = b"""<?xml version="1.0" encoding="UTF-8"?>
<ListeBlancheMSSante xmlns="https://listeblanche.mssante.fr/schema">
  <DateDeGeneration>2026-11-30</DateDeGeneration>
  <ListeDomaines>
    <Domaine><Nom>medecin.mssante.fr</Nom></Domaine>
    <Domaine><Nom>patient.mssante.fr</Nom></Domaine>
    <Domaine><Nom>ch-exemple.mssante.fr</Nom></Domaine>
  </ListeDomaines>
</ListeBlancheMSSante>
"""


def ins_with_key(first13: str) -> str:
    """A valid INS: 13 digits and their key (97 - number mod 97)."""
    return f"{first13}{97 - int(first13) % 97:02d}"


PATIENT_INS = ins_with_key("2840575123456")
PATIENT = f"{PATIENT_INS}@patient.mssante.fr"
BAD_INS = PATIENT_INS[:-2] + ("00" if PATIENT_INS[-2:] != "00" else "01")


@pytest.fixture(autouse=True)
def _no_quit(no_quit_on_last_window: None) -> None:
    """As in the application: closing the last composer does not end the program."""


async def offline_account(services: Services) -> Account:
    """An account whose servers are never reached here (checks and drafts are local)."""
    config = AccountConfig(
        name="cabinet",
        address="marie.martin@medecin.mssante.fr",
        imap=Endpoint("127.0.0.1", 9, Security.STARTTLS),
        smtp=Endpoint("127.0.0.1", 9, Security.STARTTLS),
        box_type=BoxType.PER,
        identity=Identity("Dr", "Marie", "Martin", "Cabinet Médical"),
    )
    return await services.accounts.add(config, password="x")


async def with_directory(services: Services, tmp_path: Path) -> None:
    extraction = tmp_path / "Extraction_Correspondance_MSSante_202611300316.txt"
    write_extraction(
        extraction,
        300,
        extra=[
            person_line(
                address="paul.lefebvre@medecin.mssante.fr",
                family="LEFEBVRE",
                given="Paul",
                rpps="10001234567",
                profession=("10", "Médecin"),
                speciality=("SM04", "Cardiologie"),
                organisation="Cabinet de cardiologie",
                town="Lyon",
                postcode="69003",
            )
        ],
    )
    await services.directory.import_file(extraction)
    whitelist = tmp_path / "listeblanchemssante.xml"
    whitelist.write_bytes(WHITELIST)
    await services.directory.import_whitelist(whitelist)


def open_composer(services: Services, ui: UiLoop) -> tuple[ComposerManager, UiContext]:
    ctx = UiContext.create(services, ui.errors)
    return ComposerManager(ctx), ctx


def drop(widget: ComposerWindow, paths: list[Path]) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    event = QDropEvent(
        QPoint(50, 50).toPointF(),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    widget.dropEvent(event)


def test_completion_chips_and_flags(
    ui: UiLoop, ui_services: Services, tmp_path: Path, french: None
) -> None:
    services = ui_services

    async def scenario() -> None:
        await offline_account(services)
        await with_directory(services, tmp_path)
        await services.patients.add(PATIENT_INS, "Lefèvre", "Jeanne", "1984-05-12")
        await services.contacts.set_favourite(
            "secretariat@ch-exemple.mssante.fr", True, "Secrétariat cardio"
        )
        manager, _ctx = open_composer(services, ui)
        composer = await manager.new_message()
        field = composer.to_field
        field.edit.setFocus()
        # Two letters of the name: the directory's cardiologist and the patient Lefèvre.
        QTest.keyClicks(field.edit, "lef")
        await ui.until(lambda: field.model.rowCount() >= 2)
        rows = [field.model.item(i).text() for i in range(field.model.rowCount())]
        patient_row = next(r for r in rows if PATIENT in r)
        assert "Jeanne LEFÈVRE" in patient_row and "Patient" in patient_row
        doctor = next(r for r in rows if "paul.lefebvre@medecin.mssante.fr" in r)
        assert "Médecin" in doctor and "PER" in doctor and "Lyon" in doctor
        assert rows.index(patient_row) < rows.index(doctor)  # patients before the directory
        popup = field.completer.popup()
        assert popup is not None and popup.isVisible()
        index = field.model.index(rows.index(doctor), 0)
        field.completer.activated[type(index)].emit(index)
        assert field.addresses() == ("paul.lefebvre@medecin.mssante.fr",)
        assert field.chips()[0].label.text() == "Paul LEFEBVRE"
        # A favourite comes first for its own words.
        field.edit.clear()
        QTest.keyClicks(field.edit, "secr")
        await ui.until(lambda: field.model.rowCount() >= 1)
        assert "secretariat@ch-exemple.mssante.fr" in field.model.item(0).text()
        field.edit.clear()
        # A pasted list becomes chips; invalid and Apicrypt addresses are flagged at once.
        composer.cc_field.edit.setText("")
        composer.cc_field.add_text(
            f"Jeanne <{PATIENT}>; x@unknown-clinic.example.org, pas-une-adresse,"
            " dr.who@medecin.apicrypt.org"
        )
        chips = {c.address: c for c in composer.cc_field.chips()}
        assert set(chips) == {
            PATIENT,
            "x@unknown-clinic.example.org",
            "pas-une-adresse",
            "dr.who@medecin.apicrypt.org",
        }
        assert chips[PATIENT].state is ChipState.PATIENT
        assert chips["pas-une-adresse"].state is ChipState.INVALID
        apicrypt = chips["dr.who@medecin.apicrypt.org"]
        assert apicrypt.state is ChipState.INVALID
        assert "dr.who@interop-mssante.apicrypt.org" in apicrypt.reason
        # One action puts the MSSanté form in its place.
        assert apicrypt.suggestion == "dr.who@interop-mssante.apicrypt.org"
        apicrypt.replace_requested.emit(apicrypt.suggestion)
        replaced = {c.address: c for c in composer.cc_field.chips()}
        assert "dr.who@medecin.apicrypt.org" not in replaced
        assert replaced["dr.who@interop-mssante.apicrypt.org"].state is not ChipState.INVALID
        # The checks come: the unknown domain is outside the trust space (a warning).
        await ui.until(lambda: composer.report is not None or composer.check_error is not None)
        await ui.until(
            lambda: chips["x@unknown-clinic.example.org"].state is ChipState.WARNING, within=5
        )
        assert "confiance" in chips["x@unknown-clinic.example.org"].reason
        assert not composer.send_button.isEnabled()  # the malformed address refuses
        assert "pas-une-adresse" in composer.checks.text()
        composer.close()

    ui.run(scenario())


def test_an_invalid_ins_blocks_sending_with_the_reason(
    ui: UiLoop, ui_services: Services, french: None
) -> None:
    services = ui_services

    async def scenario() -> None:
        await offline_account(services)
        manager, _ctx = open_composer(services, ui)
        composer = await manager.new_message()
        composer.to_field.add_text(f"{BAD_INS}@patient.mssante.fr")
        composer.subject.setText("Résultats")
        composer.body.setPlainText("Bonjour,")
        await ui.until(lambda: composer.blocking_reasons() != [])
        assert not composer.send_button.isEnabled()
        reasons = " ".join(composer.blocking_reasons())
        assert "INS" in reasons and "clé" in reasons
        assert composer.to_field.chips()[0].state is ChipState.INVALID
        # Pressing Ctrl+Entrée anyway sends nothing.
        assert await composer.send() is None
        assert await services.outbox.entries() == []
        composer.close()

    ui.run(scenario())


def test_documents_dropped_are_judged_on_their_bytes(
    ui: UiLoop, ui_services: Services, tmp_path: Path, french: None
) -> None:
    services = ui_services
    pdf = tmp_path / "compte-rendu.pdf"
    pdf.write_bytes(tiny_pdf("Compte rendu"))
    scan = tmp_path / "radio.tif"
    scan.write_bytes(tiff(1))
    hostile = tmp_path / "resultats.pdf"
    hostile.write_bytes(b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200)

    async def scenario() -> None:
        await offline_account(services)
        await services.patients.add(PATIENT_INS, "Lefèvre", "Jeanne", "1984-05-12")
        manager, _ctx = open_composer(services, ui)
        composer = await manager.new_message()
        composer.to_field.add_text(PATIENT)
        drop(composer, [pdf, scan, hostile])
        await ui.until(lambda: len(composer.attachments.files()) == 2, within=15)
        await ui.until(lambda: composer.attachments.message.isVisible())
        reason = composer.attachments.message.text()
        assert "resultats.pdf" in reason and "programme" in reason
        files = composer.attachments.files()
        assert [f.original.kind for f in files] == [DocumentKind.PDF, DocumentKind.TIFF]
        # The TIFF is offered as PDF to the patient, converted, and will leave as PDF.
        scan_file = files[1]
        assert scan_file.as_pdf
        await ui.until(lambda: scan_file.converted is not None, within=15)
        assert scan_file.effective.kind is DocumentKind.PDF
        assert scan_file.effective.name == "radio.pdf"
        row = composer.attachments.rows()[1]
        assert row.pdf.isVisibleTo(composer) and row.pdf.isChecked()
        assert "Document PDF" in row.details.text() or "document PDF" in row.details.text()
        assert "converti" in row.details.text()
        assert "25" in composer.attachments.gauge_text.text()  # towards a patient: 25 Mo
        outgoing = composer.outgoing()
        assert [name for name, _ in outgoing.attachments] == ["compte-rendu.pdf", "radio.pdf"]
        # A professional instead: the PDF may go as IHE_XDM, the gauge is the operator's.
        composer.to_field.set_addresses(["paul.lefebvre@medecin.mssante.fr"])
        await ui.settle()
        assert composer.attachments.rows()[0].xdm.isVisibleTo(composer)
        assert "10" in composer.attachments.gauge_text.text()
        composer.close()

    ui.run(scenario())


def test_template_filled_from_the_patient_and_drafts_saved(
    ui: UiLoop, ui_services: Services, french: None
) -> None:
    services = ui_services

    async def scenario() -> None:
        await offline_account(services)
        await services.patients.add(PATIENT_INS, "Lefèvre", "Jeanne", "1984-05-12")
        manager, _ctx = open_composer(services, ui)
        composer = await manager.new_message()
        assert "Dr_Marie_MARTIN_Cabinet Médical" in composer.from_label.text()
        composer.to_field.add_text(PATIENT)
        # Read receipt on by default towards a patient.
        assert composer.receipt.isChecked()
        assert composer.template_box.findData("compte-rendu") > 0
        assert composer.template_box.findData("fiche-signalement-dac") > 0  # medico-social
        ok = await composer.apply_template(
            "compte-rendu",
            {
                "date_acte": "02/12/2026",
                "type_prise_en_charge": "consultation",
                "telephone": "04 72 00 00 00",
                "patient_civilite": "Madame",
            },
            ask=False,
        )
        assert ok
        text = composer.body.toPlainText()
        assert "LEFÈVRE" in text and "Cabinet Médical" in text and "02/12/2026" in text
        await composer.save_as_template("Mon compte rendu")
        library = await services.compose.templates()
        mine = library.get("mon-compte-rendu")
        assert mine.title == "Mon compte rendu" and "LEFÈVRE" in mine.body
        composer.body.clear()
        QTest.keyClicks(composer.body, "Bonjour Madame,")
        await ui.until(lambda: composer.draft_id is not None, within=5)
        saved = await services.drafts.get(composer.draft_id or 0)
        assert saved.outgoing.to == (PATIENT,)
        assert saved.outgoing.text == "Bonjour Madame,"
        # Closing asks nothing and loses nothing.
        draft_id = composer.draft_id
        QTest.keyClicks(composer.body, " Voici")
        composer.close()
        await ui.until(lambda: not manager.composers, within=5)
        saved = await services.drafts.get(draft_id or 0)
        assert saved.outgoing.text == "Bonjour Madame, Voici"
        reopened = await manager.draft(draft_id or 0)
        assert reopened.body.toPlainText() == "Bonjour Madame, Voici"
        assert reopened.to_field.addresses() == (PATIENT,)
        await ui.until(lambda: "LEFÈVRE" in reopened.patient_label.text())  # the patient shown
        reopened.close()

    ui.run(scenario())


def test_return_box_and_xdm_for_professionals(
    ui: UiLoop, ui_services: Services, tmp_path: Path, french: None
) -> None:
    services = ui_services
    pdf = tmp_path / "echographie.pdf"
    pdf.write_bytes(tiny_pdf("Échographie cardiaque"))

    async def scenario() -> None:
        await offline_account(services)
        practice = AccountConfig(
            name="secretariat",
            address="secretariat@cabinet-martin.mssante.fr",
            imap=Endpoint("127.0.0.1", 9, Security.STARTTLS),
            smtp=Endpoint("127.0.0.1", 9, Security.STARTTLS),
            box_type=BoxType.ORG,
        )
        await services.accounts.add(practice, password="x")
        await services.patients.add(PATIENT_INS, "Lefèvre", "Jeanne", "1984-05-12")
        manager, _ctx = open_composer(services, ui)
        composer = await manager.new_message("cabinet")
        # The return box: the practice's box instead of this one (Reply-To).
        index = composer.return_box.findData("secretariat@cabinet-martin.mssante.fr")
        assert index > 0
        composer.return_box.setCurrentIndex(index)
        composer.to_field.add_text("paul.lefebvre@medecin.mssante.fr")
        assert await composer.attach_path(pdf)
        row = composer.attachments.rows()[0]
        assert row.xdm.isVisibleTo(composer)  # a PDF to a professional
        # As IHE_XDM, about the patient (what the XDM dialog gives).
        attached = composer.attachments.files()[0]
        composer._set_patient(
            PatientChoice(PATIENT_INS, "LEFÈVRE", "Jeanne", "1984-05-12", new=False)
        )
        attached.xdm = True
        composer.xdm = (
            attached,
            ("Compte rendu d'échographie", "18748-4", "CR imagerie", "2026-12-02"),
        )
        composer.body.setPlainText("Cher confrère,")
        report = await composer.run_checks()
        assert report is not None and composer.blocking_reasons() == []
        outcome = await composer.send(confirm=lambda warnings: True)
        assert outcome is not None
        await ui.until(lambda: not manager.flushes, within=20)  # offline: it stays queued
        entry = await services.outbox.entry(outcome.entry_id)
        parsed = email.message_from_bytes(entry.raw, policy=default_policy)
        assert parsed["Reply-To"] == "secretariat@cabinet-martin.mssante.fr"
        assert str(parsed["Subject"]).startswith("XDM/1.0/DDM+")
        names = [p.get_filename() for p in parsed.iter_attachments()]
        assert "IHE_XDM.zip" in names
        assert parsed["X-MSS-CODECDA"]

    ui.run(scenario())


def test_patient_picker_checks_the_ins_key_and_records_a_new_patient(
    ui: UiLoop, ui_services: Services, french: None
) -> None:
    services = ui_services

    async def scenario() -> None:
        await offline_account(services)
        await services.patients.add(PATIENT_INS, "Lefèvre", "Jeanne", "1984-05-12")
        dialog = PatientPickerDialog(await services.patients.list())
        dialog.search.setText("lef")
        assert dialog.list.count() == 1 and PATIENT_INS in dialog.list.item(0).text()
        dialog.search.setText("999")
        assert dialog.list.count() == 0
        new_ins = "1690399123456"
        new_ins += f"{97 - int(new_ins) % 97:02d}"
        dialog.ins.setText(new_ins[:-2] + ("00" if new_ins[-2:] != "00" else "01"))
        dialog.family.setText("Durand")
        dialog.given.setText("Paul")
        dialog.accept()
        assert dialog.result() != dialog.DialogCode.Accepted
        assert "clé" in dialog.problem.text()
        dialog.ins.setText(new_ins)
        dialog.accept()
        assert dialog.choice is not None and dialog.choice.new
        assert (dialog.choice.family, dialog.choice.given) == ("DURAND", "Paul")
        assert dialog.choice.address == f"{new_ins}@patient.mssante.fr"
        dialog.deleteLater()

    ui.run(scenario())


def test_install_composer_new_message_and_reply_from_the_window(
    ui: UiLoop, ui_services: Services, french: None
) -> None:
    services = ui_services

    async def scenario() -> None:
        await offline_account(services)
        window = QMainWindow()
        window.file_menu = window.menuBar().addMenu("Fichier")  # type: ignore[attr-defined]
        ctx = UiContext.create(services, ui.errors)
        manager = install_composer(window, ctx)
        assert install_composer(window, ctx) is manager  # once per window
        action = manager.new_message_action  # type: ignore[attr-defined]
        assert action.shortcut().toString() == "Ctrl+N" and action.text() == "&Nouveau message"
        assert window.file_menu.actions()[0] is action  # type: ignore[attr-defined]
        window.show()
        action.trigger()
        await ui.until(lambda: len(manager.composers) == 1)
        first = manager.composers[0]
        action.trigger()
        await ui.until(lambda: len(manager.composers) == 2)  # several at once
        await ui.until(lambda: not any(c._loading for c in manager.composers))
        assert first.windowTitle() == "Nouveau message"
        for composer in list(manager.composers):
            composer.close()
        await ui.until(lambda: not manager.composers)
        # One closed at once, while it is still being filled: no error, nothing left open.
        action.trigger()
        await ui.until(lambda: len(manager.composers) == 1)
        manager.composers[0].close()
        await ui.until(lambda: not manager.composers)
        await ui.settle(0.3)
        window.close()

    ui.run(scenario())


def test_keyboard_paths_and_french_accessible_names(
    ui: UiLoop, ui_services: Services, tmp_path: Path, french: None
) -> None:
    services = ui_services

    async def scenario() -> None:
        await offline_account(services)
        await services.patients.add(PATIENT_INS, "Lefèvre", "Jeanne", "1984-05-12")
        manager, _ctx = open_composer(services, ui)
        composer = await manager.new_message()
        composer.activateWindow()
        # Completion by the keyboard alone: type, arrow down, Entrée.
        field = composer.to_field
        field.edit.setFocus()
        QTest.keyClicks(field.edit, "jean")
        await ui.until(lambda: field.model.rowCount() >= 1)
        popup = field.completer.popup()
        assert popup is not None
        QTest.keyClick(popup, Qt.Key.Key_Down)
        QTest.keyClick(popup, Qt.Key.Key_Return)
        await ui.settle()
        assert field.addresses() == (PATIENT,)
        # Backspace in the empty field reaches the last chip; Suppr removes it.
        QTest.keyClick(field.edit, Qt.Key.Key_Backspace)
        chip = field.chips()[0]
        assert chip.hasFocus() or QApplication.focusWidget() is chip
        QTest.keyClick(chip, Qt.Key.Key_Delete)
        assert field.addresses() == ()
        # A list pasted with Ctrl+V becomes chips.
        clipboard = QApplication.clipboard()
        clipboard.setText("a.durand@medecin.mssante.fr; Dr B <b.petit@medecin.mssante.fr>\n")
        field.edit.setFocus()
        QTest.keySequence(field.edit, QKeySequence.StandardKey.Paste)
        await ui.settle()
        assert field.addresses() == ("a.durand@medecin.mssante.fr", "b.petit@medecin.mssante.fr")
        assert field.chips()[1].label.text() == "Dr B"
        field.set_addresses([])
        # Every control reachable by Tab has a French accessible name (or a French label).
        english = ("Send", "Close", "Subject", "Text of", "Patient of", "Checks", "To", "Bcc")
        for widget in (
            composer.account_box,
            composer.return_box,
            composer.to_field.edit,
            composer.cc_field.edit,
            composer.bcc_field.edit,
            composer.patient_button,
            composer.subject,
            composer.body,
            composer.receipt,
            composer.dsn,
            composer.close_button,
            composer.send_button,
            composer.template_box,
            composer.checks,
        ):
            name = widget.accessibleName() or getattr(widget, "text", lambda: "")()
            assert name, f"{type(widget).__name__} has no accessible name"
            assert not name.startswith(english), name
        assert composer.body.tabChangesFocus()
        assert composer.send_action.shortcut().toString() == "Ctrl+Return"
        assert composer.attach_action.text() == "&Joindre…"
        composer.close()

    ui.run(scenario())


def test_warnings_need_a_confirmation_before_sending(
    ui: UiLoop, ui_services: Services, tmp_path: Path, french: None
) -> None:
    services = ui_services

    async def scenario() -> None:
        await offline_account(services)
        await with_directory(services, tmp_path)  # the white list knows medecin.mssante.fr
        manager, _ctx = open_composer(services, ui)
        composer = await manager.new_message()
        composer.to_field.add_text("x@clinique-inconnue.example.org")
        composer.subject.setText("Demande d'avis")
        composer.body.setPlainText("Bonjour,")

        def confirmation() -> QMessageBox | None:
            boxes = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox)]
            return next((b for b in boxes if b.isVisible()), None)

        async def answer(label: str) -> None:
            await ui.until(lambda: confirmation() is not None)
            box = confirmation()
            assert box is not None
            assert "hors de l'Espace de confiance" in box.informativeText()
            button = next(b for b in box.buttons() if b.text() == label)
            button.click()

        # "Revenir au message": nothing is queued, the composer stays.
        sending = asyncio.ensure_future(composer.send())
        await answer("Revenir au message")
        assert await sending is None
        assert await services.outbox.entries() == []
        assert composer.isVisible()
        # "Envoyer quand même": queued (offline here), the composer closes.
        sending = asyncio.ensure_future(composer.send())
        await answer("Envoyer quand même")
        outcome = await sending
        assert outcome is not None
        assert [e.id for e in await services.outbox.entries()] == [outcome.entry_id]
        await ui.until(lambda: not manager.flushes, within=20)

    ui.run(scenario())
