"""Search quality: ligatures and special letters, abbreviations of health structures both
ways, punctuation and quotes, structures ranked before the people working there."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.directory.abbreviations import Abbreviations, load_abbreviations, significant_stems
from app.directory.database import DirectoryDatabase
from app.directory.importer import import_extraction
from app.directory.search import compile_query
from app.domain.directory import DirectoryEntry, DirectoryQuery, EntryKind, MailboxType
from tests.support.directory_extraction import person_line, structure_line, write_extraction

EXTRACTION_NAME = "Extraction_Correspondance_MSSante_202405140316.txt"

CHU_PAP = "standard@chu-guadeloupe.mssante.fr"
MSP_AY = "accueil@msp-ay.mssante.fr"
OLIVIERS = "secretariat@selarl-oliviers.mssante.fr"
COEUR = "contact@institut-coeur.mssante.fr"
TILLEULS = "direction@ehpad-tilleuls-zeta.mssante.fr"
CHS = "accueil@chs-xylo.mssante.fr"
CHT = "direction@cht-quorum.mssante.fr"
CH_CHAMP = "accueil@ch-champville.mssante.fr"
CABINET_CHAMP = "chirurgie@cabinet-champville.mssante.fr"
DR_BOEUF = "810009988881"
DR_LAETITIA = "810009988882"
DR_AT_CHU = "810009988883"

LINES = [
    structure_line(
        address=CHU_PAP,
        organisation="CENTRE HOSPITALIER UNIVERSITAIRE DE LA GUADELOUPE",
        service="Standard",
        town="Pointe-à-Pitre",
        postcode="97110",
    ),
    person_line(
        address="jean.wxq@chu-guadeloupe.mssante.fr",
        family="WXQ",
        given="Jean",
        rpps="10009988883",
        organisation="CENTRE HOSPITALIER UNIVERSITAIRE DE LA GUADELOUPE",
        service="Urgences",
        town="Pointe-à-Pitre",
        postcode="97110",
        department="971",
    ),
    structure_line(
        address=MSP_AY,
        organisation="MAISON DE SANTÉ PLURIPROFESSIONNELLE D'AŸ",
        service="Accueil",
        town="Aÿ-Champagne",
        postcode="51160",
    ),
    structure_line(
        address=OLIVIERS,
        organisation='SELARL "LES OLIVIERS"',
        service="Secrétariat",
        town="Nîmes",
        postcode="30000",
    ),
    structure_line(
        address=COEUR,
        organisation="INSTITUT DU CŒUR ET DES VAISSEAUX",
        service="Consultations",
        town="Lyon",
        postcode="69003",
    ),
    structure_line(
        address=TILLEULS,
        organisation="ÉTABLISSEMENT D'HÉBERGEMENT POUR PERSONNES ÂGÉES DÉPENDANTES ZETA",
        service="Direction",
        town="Rennes",
        postcode="35000",
    ),
    structure_line(
        address=CHS,
        organisation="CHS XYLOPHAGE",
        service="Accueil",
        town="Rennes",
        postcode="35000",
    ),
    structure_line(
        address=CHT,
        organisation="CENTRE HOSPITALIER DE TERRITOIRE QUORUM",
        service="Direction",
        town="Rennes",
        postcode="35000",
    ),
    structure_line(
        address=CH_CHAMP,
        organisation="CENTRE HOSPITALIER DE CHAMPVILLE",
        service="Accueil",
        town="Champville",
        postcode="36000",
    ),
    structure_line(
        address=CABINET_CHAMP,
        organisation="CABINET DE CHAMPVILLE",
        service="Chirurgie",
        town="Champville",
        postcode="36000",
    ),
    person_line(
        address="p.boeuf@medecin.mssante.fr",
        family="BŒUF",
        given="Pierre",
        rpps="10009988881",
        town="Metz",
        postcode="57000",
        department="57",
    ),
    person_line(
        address="laetitia.vexquar@medecin.mssante.fr",
        family="VEXQUAR",
        given="Lætitia",
        rpps="10009988882",
        town="Metz",
        postcode="57000",
        department="57",
    ),
]


@pytest.fixture(scope="module")
def db_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("quality")
    extraction = write_extraction(folder / EXTRACTION_NAME, 1500, seed=23, extra=LINES)
    path = folder / "directory.db"
    import_extraction(path, extraction.path)
    return path


@pytest.fixture
def database(db_path: Path) -> Iterator[DirectoryDatabase]:
    db = DirectoryDatabase.open(db_path)
    yield db
    db.close()


def _find(
    db: DirectoryDatabase,
    limit: int = 200,
    abbreviations: Abbreviations | None = None,
    **fields: object,
) -> list[DirectoryEntry]:
    query = compile_query(DirectoryQuery(**fields), abbreviations)  # type: ignore[arg-type]
    return db.search(query, limit=limit)[0]


def _addresses(entries: list[DirectoryEntry]) -> list[str]:
    return [a for e in entries for a in e.addresses]


def _keys(entries: list[DirectoryEntry]) -> list[str]:
    return [e.key for e in entries]


@pytest.mark.parametrize("text", ["coeur lyon", "cœur lyon", "CŒUR", "COEUR vaisseaux"])
def test_ligatures_fold_both_ways_in_structures(database: DirectoryDatabase, text: str) -> None:
    assert COEUR in _addresses(_find(database, text=text)), text


@pytest.mark.parametrize(
    ("fields", "key"),
    [
        ({"text": "boeuf"}, DR_BOEUF),
        ({"text": "bœuf pierre"}, DR_BOEUF),
        ({"family": "BOEUF"}, DR_BOEUF),
        ({"text": "laetitia"}, DR_LAETITIA),
        ({"given": "lætitia", "city": "metz"}, DR_LAETITIA),
    ],
)
def test_ligatures_fold_both_ways_in_names(
    database: DirectoryDatabase, fields: dict[str, str], key: str
) -> None:
    assert key in _keys(_find(database, **fields)), fields


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("CHU Pointe-à-Pitre", CHU_PAP),
        ("chu pointe a pitre", CHU_PAP),
        ("C.H.U. guadeloupe", CHU_PAP),
        ("MSP Aÿ", MSP_AY),
        ("msp ay", MSP_AY),
        ("ehpad zeta", TILLEULS),
        ("EHPAD rennes", TILLEULS),
    ],
)
def test_an_abbreviation_finds_the_full_name(
    database: DirectoryDatabase, text: str, address: str
) -> None:
    assert address in _addresses(_find(database, text=text)), text


@pytest.mark.parametrize(
    ("fields", "address"),
    [
        ({"text": "centre hospitalier spécialisé xylophage"}, CHS),
        ({"text": "centre hospitalier specialise rennes"}, CHS),
        ({"organisation": "centre hospitalier spécialisé"}, CHS),
        ({"text": "maison de santé pluriprofessionnelle aÿ"}, MSP_AY),
        ({"text": "établissement hébergement personnes âgées dépendantes zeta"}, TILLEULS),
        ({"text": "établissement d'hébergement pour personnes âgées dépendantes zeta"}, TILLEULS),
        ({"organisation": "CHU guadeloupe"}, CHU_PAP),
    ],
)
def test_a_full_name_finds_the_abbreviation(
    database: DirectoryDatabase, fields: dict[str, str], address: str
) -> None:
    assert address in _addresses(_find(database, **fields)), fields


def test_an_abbreviation_followed_by_other_words_is_a_whole_word(
    database: DirectoryDatabase,
) -> None:
    found = _addresses(_find(database, text="CH champville"))
    assert found[0] == CH_CHAMP
    assert CABINET_CHAMP not in found  # "ch" is not "Chirurgie" once typed whole
    # Still being typed (the last word): a prefix like any other.
    assert {CH_CHAMP, CABINET_CHAMP} <= set(_addresses(_find(database, text="champville ch")))


def test_the_last_word_may_be_the_beginning_of_a_full_name(database: DirectoryDatabase) -> None:
    assert CHS in _addresses(_find(database, text="xylophage centre hospitalier spéc"))


@pytest.mark.parametrize(
    "text", ['selarl "les oliviers"', "SELARL LES OLIVIERS", "oliviers", '"oliviers"', "les-oliv"]
)
def test_punctuation_and_quotes_are_ignored(database: DirectoryDatabase, text: str) -> None:
    assert OLIVIERS in _addresses(_find(database, text=text)), text


def test_a_structure_searched_by_name_lists_its_own_boxes_before_its_people(
    database: DirectoryDatabase,
) -> None:
    entries = _find(database, text="CHU guadeloupe")
    keys = _keys(entries)
    assert keys.index(f"mailbox:{CHU_PAP}") < keys.index(DR_AT_CHU)
    first = entries[0]
    assert first.kind is EntryKind.STRUCTURE
    assert first.mailboxes[0].type in (MailboxType.ORG, MailboxType.APP)
    # The place typed with the name: still the structure first.
    assert _find(database, text="CHU pointe-à-pitre")[0].key == f"mailbox:{CHU_PAP}"
    assert _find(database, text="chs rennes")[0].key == f"mailbox:{CHS}"
    # Asked for people only, the people are still there.
    people = _find(database, text="CHU guadeloupe", types=frozenset({MailboxType.PER}))
    assert DR_AT_CHU in _keys(people)
    assert all(e.kind is EntryKind.PERSON for e in people)


def test_the_predicate_agrees_with_the_index(database: DirectoryDatabase) -> None:
    # Favourites are matched by the row predicate, not the index: same rules.
    query = compile_query(DirectoryQuery(text="centre hospitalier universitaire guadeloupe"))
    entries, _ = database.search(query, boost={CHU_PAP: 1.0})
    assert _addresses(entries)[0] == CHU_PAP
    query = compile_query(DirectoryQuery(text="bœuf"))
    entries, _ = database.search(query, boost={"p.boeuf@medecin.mssante.fr": 1.0})
    assert _keys(entries)[0] == DR_BOEUF


def test_unknown_words_still_find_nothing(database: DirectoryDatabase) -> None:
    assert _find(database, text="chu qwxzy") == []
    assert _find(database, text="centre hospitalier universitaire qwxzy") == []


def test_users_extend_the_table(database: DirectoryDatabase, tmp_path: Path) -> None:
    assert CHT not in _addresses(_find(database, text="CHT quorum"))
    file = tmp_path / "abbreviations.json"
    file.write_text(json.dumps({"CHT": "centre hospitalier de territoire"}), encoding="utf-8")
    table = load_abbreviations(file)
    assert CHT in _addresses(_find(database, text="CHT quorum", abbreviations=table))
    # The built-in entries are kept.
    assert CHU_PAP in _addresses(_find(database, text="chu guadeloupe", abbreviations=table))


def test_a_broken_user_table_leaves_the_default(tmp_path: Path) -> None:
    missing = load_abbreviations(tmp_path / "none.json")
    assert missing is Abbreviations.default()
    broken = tmp_path / "broken.json"
    broken.write_text("[not an object", encoding="utf-8")
    assert load_abbreviations(broken) is Abbreviations.default()
    partly = tmp_path / "partly.json"
    partly.write_text(json.dumps({"CSI": ["centre de soins infirmiers"], "X": 3}), "utf-8")
    table = load_abbreviations(partly)
    assert table.expansions["csi"] == (("centr", "soin", "infirmier"),)
    assert "x" not in table.expansions


def test_significant_stems() -> None:
    assert significant_stems("Établissement d'hébergement pour personnes âgées dépendantes") == (
        "etablissement",
        "hebergement",
        "personn",
        "agee",
        "dependant",
    )
    assert significant_stems("Sainte") == ("sainte",)
    assert significant_stems("centre hospitalier spécialisé") == (
        "centr",
        "hospitalier",
        "specialis",
    )
