"""Offline search: every criterion, case and accents, prefixes, ranking, grouping by person."""

from __future__ import annotations

import pytest

from app.directory.database import DirectoryDatabase
from app.directory.search import compile_query
from app.directory.text import fold, squash, tokens
from app.domain.directory import DirectoryEntry, DirectoryQuery, EntryKind, MailboxType
from app.domain.errors import ValidationError

PER = frozenset({MailboxType.PER})


def _find(db: DirectoryDatabase, limit: int = 50, **fields: object) -> list[DirectoryEntry]:
    entries, _ = db.search(compile_query(DirectoryQuery(**fields)), limit=limit)  # type: ignore[arg-type]
    return entries


def _keys(entries: list[DirectoryEntry]) -> list[str]:
    return [e.key for e in entries]


def _addresses(entries: list[DirectoryEntry]) -> set[str]:
    return {a for e in entries for a in e.addresses}


def test_folding() -> None:
    assert fold("Élodie D'ACHÉ Œuvre") == "elodie d'ache oeuvre"
    assert squash("D'ALEMBERT-Le Rond") == "dalembertlerond"
    assert tokens("Jean-François L'Haÿ-les-Roses") == [
        "jean",
        "francois",
        "l",
        "hay",
        "les",
        "roses",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "dalembert",
        "d'alembert",
        "D'ALEMBERT",
        "d alembert",
        "dalem",
        "hélène dalembert",
        "HELENE D'ALEMBERT",
        "helene lyon",
        "cardio dalembert",
        "dalembert 69003",
    ],
)
def test_a_person_is_found_however_the_name_is_typed(
    database: DirectoryDatabase, text: str
) -> None:
    entries = _find(database, text=text)
    assert "810009999991" in _keys(entries), text


def test_a_person_entry_lists_all_their_mailboxes_with_type_and_organisation(
    database: DirectoryDatabase,
) -> None:
    (entry,) = [e for e in _find(database, text="dalembert") if e.key == "810009999991"]
    assert entry.kind is EntryKind.PERSON
    assert entry.identifier_type == "RPPS"
    assert entry.identifier == "10009999991"
    assert entry.national_id == "810009999991"
    assert entry.family == "D'ALEMBERT"
    assert entry.given == "Hélène"
    assert entry.profession == "Médecin"
    boxes = {m.address: m for m in entry.mailboxes}
    assert set(boxes) == {
        "helene.dalembert@medecin.mssante.fr",
        "h.dalembert@chu-zeugma.mssante.fr",
    }
    assert boxes["h.dalembert@chu-zeugma.mssante.fr"].organisation == "CHU ZEUGMA"
    assert boxes["h.dalembert@chu-zeugma.mssante.fr"].service == "Cardiologie"
    assert all(m.type is MailboxType.PER for m in entry.mailboxes)
    assert boxes["helene.dalembert@medecin.mssante.fr"].town == "LYON 3"


def test_a_search_matching_one_box_still_shows_the_others(database: DirectoryDatabase) -> None:
    (entry,) = _find(database, text="zeugma", types=PER)
    assert entry.key == "810009999991"
    assert entry.mailboxes[0].address == "h.dalembert@chu-zeugma.mssante.fr"  # the match first
    assert len(entry.mailboxes) == 2


def test_practice_box_and_adeli(database: DirectoryDatabase) -> None:
    (entry,) = _find(database, family="zyx", given="noel")
    assert entry.identifier_type == "ADELI"
    assert entry.national_id == "0919999999"
    assert [(m.type, m.address) for m in entry.mailboxes] == [
        (MailboxType.PER, "noel.zyx@orthophoniste.mssante.fr"),
        (MailboxType.CAB, "cabinet.zyx@orthophoniste.mssante.fr"),
    ]
    assert _keys(_find(database, text="zyx", types=frozenset({MailboxType.CAB}))) == ["0919999999"]


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"family": "le goff"}, "810009999992"),
        ({"family": "LEGOFF"}, "810009999992"),
        ({"given": "jean-francois", "family": "goff"}, "810009999992"),
        ({"given": "Jean François", "city": "ajaccio"}, "810009999992"),
        ({"profession": "kiné", "department": "2a"}, "810009999992"),
        ({"profession": "masseur kinesitherapeute", "postcode": "200"}, "810009999992"),
        ({"text": "kine ajaccio"}, "810009999992"),
        ({"profession": "infirm", "department": "2B"}, "810009999993"),
        ({"given": "zoe", "city": "BASTIA"}, "810009999993"),
        ({"speciality": "pneumo", "family": "d'alembert"}, "810009999991"),
        ({"speciality": "cardiologie vasculaires", "city": "lyon"}, "810009999991"),
        ({"organisation": "cabinet du parc"}, "810009999991"),
        ({"identifier": "10009999991"}, "810009999991"),
        ({"identifier": "810009999991"}, "810009999991"),
        ({"identifier": "919999999"}, "0919999999"),
        ({"text": "10009999992"}, "810009999992"),
        ({"text": "helene.dalembert@med"}, "810009999991"),
        ({"text": "H.DALEMBERT@CHU-ZEUGMA.MSSANTE.FR"}, "810009999991"),
    ],
)
def test_each_criterion(database: DirectoryDatabase, fields: dict[str, str], expected: str) -> None:
    entries = _find(database, **fields)
    assert expected in _keys(entries), fields
    # Every criterion must hold: an identifier with a wrong town finds nothing.
    assert _find(database, **{**fields, "city": "zzzville"}) == []


def test_structure_boxes(database: DirectoryDatabase) -> None:
    org = frozenset({MailboxType.ORG})
    entries = _find(database, organisation="zeugma", types=org)
    assert _addresses(entries) == {"secretariat.cardio@chu-zeugma.mssante.fr"}
    (entry,) = entries
    assert entry.kind is EntryKind.STRUCTURE
    assert entry.display_name == "Secrétariat de cardiologie — CHU ZEUGMA"
    assert entry.mailboxes[0].type is MailboxType.ORG
    app = _find(database, text="ypsilon resultats")
    assert [m.type for e in app for m in e.mailboxes] == [MailboxType.APP]
    both = _keys(_find(database, text="zeugma cardiologie"))
    # The words name the structure's box (CHU ZEUGMA, secrétariat de cardiologie): its own
    # box before the people working there (issue 12: structures searched by name).
    assert both.index("mailbox:secretariat.cardio@chu-zeugma.mssante.fr") < both.index(
        "810009999991"
    )


def test_type_filter_accepts_several(database: DirectoryDatabase) -> None:
    kinds = frozenset({MailboxType.ORG, MailboxType.APP})
    found = _find(database, text="zeugma ypsilon", types=kinds) + _find(
        database, organisation="ypsilon", types=kinds
    )
    assert {m.type for e in found for m in e.mailboxes} <= kinds
    assert _find(database, organisation="ypsilon", types=PER) == []


def test_as_you_type_every_prefix_finds_the_person(database: DirectoryDatabase) -> None:
    name = "legoffic"
    for n in range(2, len(name) + 1):
        assert "810009999993" in _keys(_find(database, text=name[:n], limit=200)), name[:n]


def test_exact_surname_first_then_prefixes(database: DirectoryDatabase) -> None:
    keys = _keys(_find(database, text="zyx"))
    assert keys.index("0919999999") < keys.index("810009999994")  # ZYX before ZYXABC
    keys = _keys(_find(database, text="legoff"))
    assert keys[0] == "810009999992"  # LE GOFF (squashed: exact) before LEGOFFIC
    assert "810009999993" in keys


def test_favourites_and_recent_correspondents_come_right_after_exact_surnames(
    database: DirectoryDatabase,
) -> None:
    query = compile_query(DirectoryQuery(text="zyx"))
    plain, _ = database.search(query)
    assert _keys(plain)[:2] == ["0919999999", "810009999994"]
    boosted, _ = database.search(query, boost={"Adele.ZyxAbc@medecin.mssante.fr": 5.0})
    # The exact surname still leads; the favourite comes next, ahead of other prefixes.
    assert _keys(boosted)[:2] == ["0919999999", "810009999994"]
    # Nobody is named "orthophoniste": the favourite leads; without it, ZYX comes late.
    query = compile_query(DirectoryQuery(text="orthophoniste"))
    plain, _ = database.search(query, limit=200)
    boosted, _ = database.search(
        query, limit=200, boost={"cabinet.zyx@orthophoniste.mssante.fr": 1.0}
    )
    assert _keys(boosted)[0] == "0919999999"
    assert _keys(plain)[0] != "0919999999"


def test_a_higher_boost_ranks_higher(database: DirectoryDatabase) -> None:
    query = compile_query(DirectoryQuery(text="nimes"))
    boost = {"noel.zyx@orthophoniste.mssante.fr": 1.0, "adele.zyxabc@medecin.mssante.fr": 3.0}
    entries, _ = database.search(query, limit=5, boost=boost)
    assert _keys(entries)[:2] == ["810009999994", "0919999999"]


def test_limit_and_truncation(database: DirectoryDatabase) -> None:
    entries, truncated = database.search(compile_query(DirectoryQuery(text="m")), limit=5)
    assert len(entries) == 5
    assert truncated
    entries, truncated = database.search(compile_query(DirectoryQuery(family="zyxabc")))
    assert len(entries) == 1
    assert not truncated


def test_alphabetical_within_a_tier(database: DirectoryDatabase) -> None:
    entries = _find(database, profession="orthophoniste", limit=30)
    names = [squash(e.family) for e in entries if e.family]
    assert names == sorted(names)


def test_unknown_words_find_nothing(database: DirectoryDatabase) -> None:
    assert _find(database, text="qwxzy") == []
    assert _find(database, text="dalembert qwxzy") == []
    assert _find(database, identifier="12345678901") == []
    assert _find(database, text="nobody@nowhere.example") == []


def test_an_empty_query_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        compile_query(DirectoryQuery(text="  "))
    assert caught.value.code == "directory.query.empty"


def test_query_characters_cannot_break_the_expression(database: DirectoryDatabase) -> None:
    for text in ['"', "NEAR(", "a OR b", "*", "-x", "{fam}:x", "^", "' OR 1=1 --", "%_\\"]:
        _find(database, text=text)  # no error: every word is quoted


def test_lookup_by_address(database: DirectoryDatabase) -> None:
    entry = database.lookup("H.Dalembert@CHU-Zeugma.mssante.fr")
    assert entry is not None
    assert entry.key == "810009999991"
    assert len(entry.mailboxes) == 2
    assert database.lookup("unknown@nowhere.fr") is None
