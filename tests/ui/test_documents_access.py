"""Accessibility of issue 12's screens: every control of the document preview (PDF, XDM),
the directory page (results and filters shown) and the correspondent's card has a French
name and is reached by the keyboard (the audit of tests/ui/test_accessibility.py)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QApplication, QMainWindow  # noqa: TID251 - window tests

from app.domain.documents import DocumentKind, PatientIdKind
from app.services.container import Services
from app.ui.context import UiContext
from app.ui.directory.card import CorrespondentCard
from app.ui.directory.panel import DirectoryPanel
from app.ui.documents.preview import DocumentPreview
from tests.support.directory_extraction import person_line, write_extraction
from tests.ui.conftest import UiLoop
from tests.ui.test_accessibility import audit  # the same audit as every other screen
from tests.unit.documents import docfactories as make


def test_preview_directory_and_card_are_named_in_french_and_reached_by_tab(
    ui: UiLoop,
    ui_services: Services,
    french: None,
    tmp_path: Path,
) -> None:
    from dataclasses import replace

    from app.documents.xdm_writer import build_xdm

    pdf = make.text_pdf(3)
    package = build_xdm(
        make.text_pdf(1),
        patient=replace(make.patient(), id_kind=PatientIdKind.TEST),
        document=make.outgoing(),
    ).zip_bytes
    extraction = write_extraction(
        tmp_path / "Extraction_Correspondance_MSSante_202611280316.txt",
        500,
        extra=[
            person_line(
                address="p.lefort@medecin.mssante.fr",
                family="LEFORT",
                given="Paul",
                rpps="10001234567",
                town="Metz",
                postcode="57000",
            )
        ],
    )

    async def scenario() -> None:
        ctx = UiContext.create(ui_services, ui.errors)
        problems: list[str] = []

        window = QMainWindow()
        preview = DocumentPreview(ctx, window)
        window.setCentralWidget(preview)
        window.resize(1100, 760)
        window.show()
        assert await preview.show_data("cr.pdf", pdf, DocumentKind.PDF) == "pdf"
        window.activateWindow()
        await ui.until(lambda: QApplication.activeWindow() is window)
        found, count = await audit(window, "PDF preview")
        problems += found
        assert count > 8
        assert await preview.show_data("IHE_XDM.zip", package, DocumentKind.ZIP) == "xdm"
        await ui.until(lambda: preview.xdm.pdf.page_count == 1)
        found, _count = await audit(window, "XDM preview")
        problems += found
        window.close()

        page = QMainWindow()
        panel = DirectoryPanel(ctx, page)
        page.setCentralWidget(panel)
        page.resize(1100, 760)
        page.show()
        await panel.import_file(extraction.path)
        panel.filters_button.setChecked(True)
        panel.field.setText("lefort metz")
        await ui.until(lambda: panel.results.count() > 0)
        found, count = await audit(page, "Directory")
        problems += found
        assert count > 12

        card = CorrespondentCard(ctx, "p.lefort@medecin.mssante.fr", "Paul LEFORT")
        card.show()
        await card.load()
        found, _count = await audit(card, "Card")
        problems += found
        card.close()
        page.close()
        assert not problems, "\n".join(problems)

    ui.run(scenario(), timeout=120)
