"""The trust space's list of domains (spec §1): tolerant parsing, checksum, exact matching."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from app.directory.database import DirectoryDatabase
from app.directory.whitelist import parse_whitelist, read_whitelist
from app.domain.errors import DirectoryError, NotFoundError

NS = "https://listeblanche.mssante.fr/schema"


def _domain(name: str, operator: str = "CN=mss.operateur.fr") -> str:
    return f"""    <Domaine>
      <Nom>{name}</Nom>
      <Description>Domaine de {name}</Description>
      <DNCertificatOperateur>{operator}</DNCertificatOperateur>
      <ResponsableContact><Nom>Jean Dupont</Nom><Mail>rssi@{name}</Mail></ResponsableContact>
      <SupportContact>support@{name}</SupportContact>
      <DateMAJ>2024-05-02T10:00:00</DateMAJ>
    </Domaine>
"""


def _document(
    *domains: str, closing: str = "  </ListeDomaines>\n</ListeBlancheMSSante>\n"
) -> bytes:
    body = "".join(domains)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<ListeBlancheMSSante xmlns="{NS}">\n'
        "  <DateDeGeneration>2024-05-14T03:00:00</DateDeGeneration>\n"
        "  <ListeDomaines>\n"
        f"{body}{closing}"
    ).encode()


LIST = _document(
    _domain("medecin.mssante.fr"),
    _domain("medecin.mssante.fr", "CN=mss2.operateur.fr"),  # same domain, another server
    _domain("CHU-Lyon.MSSante.fr."),
    _domain("patient.mssante.fr"),
)


def test_a_complete_list() -> None:
    parsed = parse_whitelist(LIST)
    assert parsed.generated_at == "2024-05-14T03:00:00"
    assert len(parsed.entries) == 4
    assert parsed.domains == {"medecin.mssante.fr", "chu-lyon.mssante.fr", "patient.mssante.fr"}
    assert not parsed.truncated
    first = parsed.entries[0]
    assert first.description == "Domaine de medecin.mssante.fr"
    assert first.operator_dn == "CN=mss.operateur.fr"
    assert first.responsible == "Jean Dupont rssi@medecin.mssante.fr"
    assert first.support == "support@medecin.mssante.fr"
    assert first.updated == "2024-05-02T10:00:00"


@pytest.mark.parametrize(
    "closing",
    ["  </ListeDomaines>\n", "", "  </ListeDomaines>\n</ListeBlan"],
)
def test_a_list_missing_its_closing_tags_is_accepted(closing: str) -> None:
    parsed = parse_whitelist(_document(_domain("medecin.mssante.fr"), closing=closing))
    assert parsed.truncated
    assert parsed.domains == {"medecin.mssante.fr"}


@pytest.mark.parametrize(
    "data",
    [
        _document(_domain("a.mssante.fr"), closing="    <Domaine>\n      <Nom>b.mss"),
        _document(_domain("a.mssante.fr"), closing="    <Domaine><Nom>b.fr</Nom></Domaine>\n"[:30]),
        b"<ListeBlancheMSSante><ListeDomaines><Domaine><Nom>a.fr</Nom></Domaine></Liste>",
        b"not xml at all",
        b'<?xml version="1.0"?><autre xmlns="urn:x"><Domaine><Nom>a.fr</Nom></Domaine></autre>',
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "a.fr">]>'
        b"<ListeBlancheMSSante><ListeDomaines><Domaine><Nom>&e;</Nom></Domaine>"
        b"</ListeDomaines></ListeBlancheMSSante>",
    ],
)
def test_a_broken_or_hostile_document_is_refused(data: bytes) -> None:
    with pytest.raises(DirectoryError) as caught:
        parse_whitelist(data)
    assert caught.value.code == "directory.whitelist.malformed"


def test_a_list_without_domains_is_refused() -> None:
    with pytest.raises(DirectoryError) as caught:
        parse_whitelist(_document(_domain("not a domain")))
    assert caught.value.code == "directory.whitelist.empty"


def test_checksum_file(tmp_path: Path) -> None:
    xml = tmp_path / "listeblanchemssante.xml"
    xml.write_bytes(LIST)
    good = tmp_path / "checksum"
    good.write_text(f"{hashlib.sha256(LIST).hexdigest().upper()}  listeblanchemssante.xml\n")
    assert len(read_whitelist(xml, good).entries) == 4
    bad = tmp_path / "bad"
    bad.write_text(hashlib.sha256(b"other").hexdigest())
    with pytest.raises(DirectoryError) as caught:
        read_whitelist(xml, bad)
    assert caught.value.code == "directory.whitelist.checksum_mismatch"
    nothing = tmp_path / "nothing"
    nothing.write_text("no hash here")
    with pytest.raises(DirectoryError) as caught:
        read_whitelist(xml, nothing)
    assert caught.value.code == "directory.whitelist.checksum_unreadable"
    with pytest.raises(NotFoundError):
        read_whitelist(tmp_path / "missing.xml")


def test_domains_match_exactly_never_by_suffix(tmp_path: Path) -> None:
    db = DirectoryDatabase.open(tmp_path / "directory.db", create=True)
    try:
        assert db.whitelist_info() is None
        parsed = parse_whitelist(LIST)
        info = db.replace_whitelist(
            parsed.entries, generated_at=parsed.generated_at, source_name="liste.xml"
        )
        assert (info.entries, info.domains) == (4, 3)
        assert db.trusted_domains(
            [
                "medecin.mssante.fr",
                "MEDECIN.MSSANTE.FR.",
                "chu-lyon.mssante.fr",
                "mssante.fr",
                "evil.medecin.mssante.fr",
                "medecin.mssante.fr.evil.com",
                "gmail.com",
            ]
        ) == {"medecin.mssante.fr", "chu-lyon.mssante.fr"}
        # A new list replaces the old one entirely.
        db.replace_whitelist(
            parse_whitelist(_document(_domain("autre.mssante.fr"))).entries,
            generated_at="x",
            source_name="y",
        )
        assert db.trusted_domains(["medecin.mssante.fr", "autre.mssante.fr"]) == {
            "autre.mssante.fr"
        }
    finally:
        db.close()
