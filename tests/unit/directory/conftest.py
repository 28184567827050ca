"""A small directory built once per module: hand-written lines the tests query, and a few
thousand generated ones around them (accents, apostrophes, duplicates, malformed lines)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.directory.database import DirectoryDatabase
from app.directory.importer import import_extraction
from app.domain.directory import ImportReport
from tests.support.directory_extraction import (
    GeneratedExtraction,
    person_line,
    structure_line,
    write_extraction,
)

EXTRACTION_NAME = "Extraction_Correspondance_MSSante_202405140316.txt"

#: Lines the tests look for (the generator never makes these names or addresses).
KNOWN = [
    person_line(
        address="helene.dalembert@medecin.mssante.fr",
        family="D'ALEMBERT",
        given="Hélène",
        rpps="10009999991",
        speciality=("SM04", "Cardiologie et maladies vasculaires"),
        organisation="CABINET DU PARC",
        town="Lyon 3",
        postcode="69003",
        department="69",
    ),
    # The same person's second box, at a hospital.
    person_line(
        address="h.dalembert@chu-zeugma.mssante.fr",
        family="D'ALEMBERT",
        given="Hélène",
        rpps="10009999991",
        speciality=("SM04", "Cardiologie et maladies vasculaires"),
        organisation="CHU ZEUGMA",
        service="Cardiologie",
        town="Lyon 3",
        postcode="69003",
        department="69",
    ),
    # The same address again, for another situation (a second speciality): merged.
    person_line(
        address="helene.dalembert@medecin.mssante.fr",
        family="D'ALEMBERT",
        given="Hélène",
        rpps="10009999991",
        speciality=("SM53", "Pneumologie"),
        organisation="CLINIQUE XENOPHON",
        town="Lyon 3",
        postcode="69003",
        department="69",
    ),
    person_line(
        address="jean-francois.le-goff@masseur-kinesitherapeute.mssante.fr",
        family="LE GOFF",
        given="Jean-François",
        rpps="10009999992",
        profession=("70", "Masseur-kinésithérapeute"),
        town="Ajaccio",
        postcode="20000",
        department="2A",
    ),
    person_line(
        address="zoe.legoffic@infirmier.mssante.fr",
        family="LEGOFFIC",
        given="Zoé",
        rpps="10009999993",
        profession=("60", "Infirmier"),
        town="Bastia",
        postcode="20200",
        department="",  # empty: derived from the postcode (2B)
    ),
    person_line(
        address="noel.zyx@orthophoniste.mssante.fr",
        family="ZYX",
        given="Noël",
        adeli="919999999",
        profession=("91", "Orthophoniste"),
        town="Nîmes",
        postcode="30000",
        department="30",
    ),
    person_line(
        address="cabinet.zyx@orthophoniste.mssante.fr",
        family="ZYX",
        given="Noël",
        adeli="919999999",
        mailbox_type="CAB",
        profession=("91", "Orthophoniste"),
        town="Nîmes",
        postcode="30000",
        department="30",
    ),
    structure_line(
        address="secretariat.cardio@chu-zeugma.mssante.fr",
        organisation="CHU ZEUGMA",
        service="Secrétariat de cardiologie",
        town="Lyon 3",
        postcode="69003",
    ),
    structure_line(
        address="resultats@labo-ypsilon.mssante.fr",
        organisation="LABORATOIRE YPSILON",
        service="Résultats",
        town="Nîmes",
        postcode="30000",
        mailbox_type="APP",
    ),
    # Another ZYX, to check exact-surname ranking against a prefix (ZYXABC).
    person_line(
        address="adele.zyxabc@medecin.mssante.fr",
        family="ZYXABC",
        given="Adèle",
        rpps="10009999994",
        town="Nîmes",
        postcode="30000",
        department="30",
    ),
]


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> GeneratedExtraction:
    """An extraction file: the known lines first, 3,000 generated lines, BOM, CRLF, 12 broken."""
    folder = tmp_path_factory.mktemp("extraction")
    return write_extraction(
        folder / EXTRACTION_NAME,
        3000,
        seed=11,
        bom=True,
        crlf=True,
        malformed=12,
        blank_lines=3,
        extra=KNOWN,
    )


@pytest.fixture(scope="session")
def big_extraction(tmp_path_factory: pytest.TempPathFactory) -> GeneratedExtraction:
    """40,000 generated lines (long enough to cancel an import midway)."""
    folder = tmp_path_factory.mktemp("big")
    return write_extraction(folder / EXTRACTION_NAME, 40_000, seed=4)


@pytest.fixture(scope="module")
def imported(
    generated: GeneratedExtraction, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, ImportReport]:
    """The directory database built from `generated`, and the import's report."""
    db_path = tmp_path_factory.mktemp("profile") / "directory.db"
    report = import_extraction(db_path, generated.path)
    return db_path, report


@pytest.fixture
def database(imported: tuple[Path, ImportReport]) -> Iterator[DirectoryDatabase]:
    """A connection to the module's directory."""
    db = DirectoryDatabase.open(imported[0])
    yield db
    db.close()
