"""The directory page on real services: import with progress and cancel, search as typed
(abbreviations, ligatures, structures), favourites, "Écrire" opening the composer."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QMainWindow  # noqa: TID251 - window tests

from app.domain import events as ev
from app.services.container import Services
from app.ui.context import UiContext
from app.ui.directory.panel import DirectoryPanel, write_to
from tests.support.directory_extraction import person_line, structure_line, write_extraction
from tests.ui.conftest import UiLoop

ROOT = Path(__file__).resolve().parents[2]
CHU_PAP = "standard@chu-guadeloupe.mssante.fr"
MSP_AY = "accueil@msp-ay.mssante.fr"
COEUR = "contact@institut-coeur.mssante.fr"
BOEUF = "p.boeuf@medecin.mssante.fr"
LINES = [
    structure_line(
        address=CHU_PAP,
        organisation="CENTRE HOSPITALIER UNIVERSITAIRE DE LA GUADELOUPE",
        service="Standard",
        town="Pointe-à-Pitre",
        postcode="97110",
    ),
    structure_line(
        address=MSP_AY,
        organisation="MAISON DE SANTÉ PLURIPROFESSIONNELLE D'AŸ",
        service="Accueil",
        town="Aÿ-Champagne",
        postcode="51160",
    ),
    structure_line(
        address=COEUR,
        organisation="INSTITUT DU CŒUR ET DES VAISSEAUX",
        service="Consultations",
        town="Lyon",
        postcode="69003",
    ),
    person_line(
        address=BOEUF,
        family="BŒUF",
        given="Pierre",
        rpps="10009988881",
        town="Metz",
        postcode="57000",
        department="57",
    ),
]


def _addresses(panel: DirectoryPanel) -> list[str]:
    return [panel.results.item(i).text() for i in range(panel.results.count())]


def test_directory_panel(ui: UiLoop, ui_services: Services, french: None, tmp_path: Path) -> None:
    small = write_extraction(
        tmp_path / "Extraction_Correspondance_MSSante_202611280316.txt", 1500, extra=LINES
    )
    (tmp_path / "big").mkdir()
    large = write_extraction(
        tmp_path / "big" / "Extraction_Correspondance_MSSante_202611290316.txt", 60_000, seed=9
    )

    async def scenario() -> None:
        ctx = UiContext.create(ui_services, ui.errors)
        window = QMainWindow()
        panel = DirectoryPanel(ctx, window)
        window.setCentralWidget(panel)
        window.resize(1100, 700)
        window.show()
        await panel.refresh()
        assert "pas encore importé" in panel.info.text()

        progress: list[ev.DirectoryImportProgress] = []
        ctx.signals.directory_changed.connect(
            lambda e: progress.append(e) if isinstance(e, ev.DirectoryImportProgress) else None
        )
        report = await panel.import_file(small.path)
        assert report is not None and report.mailboxes == small.mailboxes
        assert progress, "no progress event during the import"
        assert "boîtes" in panel.info.text() and not panel.progress.isVisible()
        await panel.refresh_info()
        assert "28 novembre 2026" in panel.info.text()

        # As typed: abbreviations and ligatures, both ways; a structure by its name.
        for text, address in (
            ("CHU Pointe-à-Pitre", CHU_PAP),
            ("MSP Aÿ", MSP_AY),
            ("msp ay", MSP_AY),
            ("Coeur", COEUR),
            ("cœur lyon", COEUR),
            ("boeuf", BOEUF),
        ):
            panel.field.setText(text)
            await ui.until(lambda a=address: any(a in t for t in _addresses(panel)))
            assert address in panel.results.item(0).text(), text
        panel.field.clear()
        panel.filters_button.setChecked(True)
        panel.filter_fields["organisation"].setText("CHU guadeloupe")
        await ui.until(lambda: any(CHU_PAP in t for t in _addresses(panel)))
        assert "(ORG)" in panel.results.item(0).text()
        panel.filter_fields["organisation"].clear()

        # Favourites come first with nothing typed.
        panel.field.setText("boeuf")
        await ui.until(lambda: any(BOEUF in t for t in _addresses(panel)))
        panel.results.setCurrentRow(0)
        assert await panel.toggle_favourite() is True
        assert panel.favourite_button.accessibleName() == "Retirer des favoris"
        panel.field.clear()
        await ui.until(lambda: panel.heading.text() == "Favoris et correspondants récents")
        assert BOEUF in _addresses(panel)[0]
        assert "Favori" in panel.results.item(0).text()

        # "Écrire": the composer opens with the address (or the request is emitted).
        asked: list[tuple[str, str]] = []
        panel.compose_requested.connect(lambda a, n: asked.append((a, n)))
        panel.results.setCurrentRow(0)
        panel.write_button.click()
        assert asked and asked[0][0] == BOEUF
        composer = await write_to(window, ctx, *asked[0])
        assert BOEUF in composer.to_field.addresses()  # type: ignore[attr-defined]
        composer.close()  # type: ignore[attr-defined]

        # An update cancelled midway leaves the directory as it was.
        task = ctx.runner.run(panel, panel.import_file(large.path))
        await ui.until(lambda: panel.cancel_button.isVisible())
        await ui.until(lambda: len(progress) > 3, within=30)
        panel.cancel_button.click()
        assert await task is None
        assert "annulée" in panel.info.text()
        info = await ui_services.directory.info()
        assert info.report is not None and info.report.mailboxes == small.mailboxes

    ui.loop.slow_callback_duration = max(ui.loop.slow_callback_duration, 0.3)
    ui.run(scenario(), timeout=180)


def test_online_search_is_asked_explicitly_and_shown_as_such(
    ui: UiLoop, french: None, tmp_path: Path
) -> None:
    from app.config.settings import DirectorySettings, Settings
    from tests.support.directory_fhir_server import FhirServer, sample_directory
    from tests.ui.conftest import open_test_services

    with FhirServer(api_key="cle-de-test", resources=sample_directory()) as fhir:
        settings = Settings(directory=DirectorySettings(fhir_base_url=fhir.base_url))

        async def scenario() -> None:
            services = await open_test_services(tmp_path / "profile", settings)
            try:
                ctx = UiContext.create(services, ui.errors)
                panel = DirectoryPanel(ctx)
                panel.show()
                await panel.refresh()
                assert not panel.online.isEnabled()  # no API key: never online
                services.directory.set_api_key("cle-de-test")
                await panel.refresh_info()
                assert panel.online.isEnabled()
                # Typing never asks the API; Enter with "en ligne" checked does.
                panel.field.setText("martin")
                await ui.until(
                    lambda: (
                        "pas encore importé" in panel.heading.text() or panel.heading.text() != ""
                    ),
                    within=10,
                )
                assert fhir.requests == []
                panel.online.setChecked(True)
                panel.field.returnPressed.emit()
                await ui.until(lambda: panel.results.count() > 0, within=20)
                assert fhir.requests, "the online directory was not asked"
                assert "annuaire en ligne" in panel.heading.text()
                texts = [panel.results.item(i).text() for i in range(panel.results.count())]
                assert any("helene.martin@medecin.mssante.fr" in t for t in texts)
                assert any("(annuaire en ligne)" in t for t in texts)
            finally:
                await services.aclose()

        ui.run(scenario(), timeout=60)
