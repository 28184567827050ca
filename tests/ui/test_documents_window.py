"""Issue 12 in the real window on the demo mailbox: the preview under a message (PDF, XDM),
the viewer window, the correspondent's card, the directory page; screenshots of the whole
window at 1366×768 and 1920×1080.

Pictures are written under the test's folder, and into docs/screenshots/ with
``PLI_SCREENSHOTS=1`` (``preview-pdf-…``, ``preview-xdm-…``, ``directory-…``).
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from PySide6.QtCore import Qt  # noqa: TID251 - window tests
from PySide6.QtWidgets import QWidget  # noqa: TID251 - window tests

from app.config.paths import AppPaths
from app.domain.documents import AttachmentInfo
from app.services.archive_service import SearchFilters
from app.ui.application import PliApplication
from app.ui.directory.card import CorrespondentCard
from app.ui.directory.panel import DirectoryPanel
from app.ui.documents.reading import ReadingPaneDocuments
from app.ui.documents.viewer_window import DocumentViewerWindow
from app.ui.mail_page import MailPage
from tests.support.directory_extraction import person_line, structure_line, write_extraction
from tests.ui.conftest import TEST_PASSPHRASE, UiLoop

ROOT = Path(__file__).resolve().parents[2]
SIZES = ((1366, 768), (1920, 1080))
CARDIO = "julien.lefort@demo.mssante.fr"
LINES = [
    person_line(
        address=CARDIO,
        family="LEFORT",
        given="Julien",
        rpps="10001234567",
        profession=("10", "Médecin"),
        speciality=("SM04", "Cardiologie et maladies vasculaires"),
        organisation="CABINET DE CARDIOLOGIE DU PARC",
        town="Valbonne",
        postcode="06560",
        department="06",
    ),
    structure_line(
        address="urgences.adultes@ch-valbonne.demo.mssante.fr",
        organisation="CENTRE HOSPITALIER DE VALBONNE",
        service="Urgences adultes",
        town="Valbonne",
        postcode="06560",
    ),
    structure_line(
        address="secretariat.cardiologie@ch-valbonne.demo.mssante.fr",
        organisation="CENTRE HOSPITALIER DE VALBONNE",
        service="Secrétariat de cardiologie",
        town="Valbonne",
        postcode="06560",
    ),
    structure_line(
        address="standard@chu-guadeloupe.mssante.fr",
        organisation="CENTRE HOSPITALIER UNIVERSITAIRE DE LA GUADELOUPE",
        service="Standard",
        town="Pointe-à-Pitre",
        postcode="97110",
    ),
]


def _save(widget: QWidget, name: str, tmp_path: Path) -> Path:
    target = tmp_path / f"{name}.png"
    assert widget.grab().save(str(target))
    if os.environ.get("PLI_SCREENSHOTS") == "1":
        shots = ROOT / "docs" / "screenshots"
        shots.mkdir(parents=True, exist_ok=True)
        assert widget.grab().save(str(shots / target.name))
    return target


def test_documents_and_directory_in_the_window(ui: UiLoop, french: None, tmp_path: Path) -> None:
    # Grabbing a 1920×1080 picture holds the loop for a few hundred ms: the test's own act.
    ui.loop.slow_callback_duration = 5.0
    extraction = write_extraction(
        tmp_path / "Extraction_Correspondance_MSSante_202612010316.txt", 3000, extra=LINES
    )

    async def scenario() -> None:
        app = PliApplication(
            AppPaths.at(tmp_path / "profile"), ui.errors, passphrase=TEST_PASSPHRASE
        )
        window = app.window
        window.resize(*SIZES[0])
        window.show()
        run = asyncio.ensure_future(app.run())
        await ui.until(app.started.is_set, within=30)
        window.welcome.demo.button.click()
        await ui.until(lambda: window.current_page() == "mail", within=60)
        services = app.services
        assert services is not None
        accounts = await services.accounts.list()
        await services.supervisor.run_once(accounts, index=False)
        page = window.page("mail")
        assert isinstance(page, MailPage)
        workspace = page.workspace
        reading = workspace.reading
        documents = getattr(reading, "_documents", None)
        assert isinstance(documents, ReadingPaneDocuments)
        assert documents.filing_action is not None
        assert documents.filing_action in window.file_menu.actions()
        assert documents.filing_action.text() == "Dossier de &classement des documents…"
        directory = window.page("directory")
        assert isinstance(directory, DirectoryPanel)
        await directory.import_file(extraction.path)

        folders = await services.archive.folders(accounts[0])
        inbox = next(f for f in folders if f.role == "inbox")
        listed = await services.archive.page(SearchFilters(folder_id=inbox.id))
        by_subject = {s.subject: s for s in listed.items}
        report = next(s for t, s in by_subject.items() if "échocardiographie" in t)
        package = next(s for t, s in by_subject.items() if "urgences" in t.lower())
        await ui.until(lambda: workspace.folders.select_folder(inbox.id), within=20)
        await ui.until(lambda: workspace.messages.model.rowCount() > 3, within=20)

        async def open_attachment(message_id: int, kind: str) -> None:
            workspace.messages.select_id(message_id)
            await ui.until(lambda: reading.message_id == message_id, within=20)

            def row() -> int | None:
                for i in range(reading.attachments.count()):
                    info = reading.attachments.item(i).data(Qt.ItemDataRole.UserRole)
                    if isinstance(info, AttachmentInfo) and info.kind.value == kind:
                        return i
                return None

            await ui.until(lambda: row() is not None, within=20)
            reading.attachments.setCurrentRow(row())
            await ui.until(lambda: documents.preview.kind == ("xdm" if kind == "zip" else kind))

        # The PDF report under its message; the sender's card.
        await open_attachment(report.id, "pdf")
        assert documents.preview.isVisible() and documents.preview.pdf.page_count >= 1
        card = documents.open_card()
        assert isinstance(card, CorrespondentCard)
        await ui.until(lambda: card.messages.count() > 0 and card.entry is not None, within=20)
        assert "Cardiologie" in card.details.text()
        assert "échocardiographie" in card.messages.item(0).text()
        card.close()
        for width, height in SIZES:
            window.resize(width, height)
            await ui.settle(0.4)
            _save(window, f"preview-pdf-{width}x{height}", tmp_path)

        # The XDM package: its patient and documents, then in the viewer window.
        await open_attachment(package.id, "zip")
        xdm = documents.preview.xdm
        assert "ROUSSEL" in xdm.patient.text()
        assert "285067512304562" in xdm.identity.text()
        assert "Identité de démonstration" in xdm.doubts.text()  # the demo's OID, flagged
        await ui.until(lambda: xdm.pdf.page_count >= 1)
        for width, height in SIZES:
            window.resize(width, height)
            await ui.settle(0.4)
            _save(window, f"preview-xdm-{width}x{height}", tmp_path)
        item = reading.attachments.currentItem()
        reading.attachments.itemActivated.emit(item)
        await ui.until(lambda: bool(documents.viewers))
        viewer = documents.viewers[0]
        assert isinstance(viewer, DocumentViewerWindow)
        await ui.until(lambda: viewer.preview.kind == "xdm")
        assert "IHE_XDM.zip" in viewer.windowTitle()
        viewer.resize(1100, 760)
        await ui.settle(0.3)
        _save(viewer, "preview-viewer-1100x760", tmp_path)
        viewer.close()

        # The directory page with results.
        window.show_page("directory")
        directory.field.setText("CH Valbonne")
        await ui.until(lambda: directory.results.count() >= 2, within=20)
        assert "Urgences adultes" in "\n".join(
            directory.results.item(i).text() for i in range(directory.results.count())
        )
        directory.field.setText("Valbonne")
        await ui.until(
            lambda: any(
                CARDIO in directory.results.item(i).text() for i in range(directory.results.count())
            ),
            within=20,
        )
        directory.filters_button.setChecked(True)
        for width, height in SIZES:
            window.resize(width, height)
            await ui.settle(0.4)
            _save(window, f"directory-{width}x{height}", tmp_path)
        window.close()
        assert await run == 0

    ui.run(scenario(), timeout=300)
