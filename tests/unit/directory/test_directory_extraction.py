"""Reading the national extraction: columns by name or position, BOM, CRLF, broken lines."""

from __future__ import annotations

import zipfile
from datetime import datetime
from pathlib import Path

import pytest

from app.directory.extraction import (
    ExtractionReader,
    department_of,
    generation_date,
    open_extraction,
)
from app.directory.schema import ROW_FIELDS
from app.domain.errors import DirectoryError, NotFoundError
from tests.support.directory_extraction import HEADER, person_line, structure_line

DATA = Path(__file__).parent / "data"
SAMPLE_HEADER = DATA / "Extraction_Correspondance_MSSante_HEADER_ONLY.txt"
F = {name: i for i, name in enumerate(ROW_FIELDS)}


def _read(path: Path) -> tuple[list[tuple[object, ...]], ExtractionReader]:
    with open_extraction(path) as source:
        reader = ExtractionReader(source)
        rows = list(reader.rows())
    return rows, reader


def _write(
    path: Path,
    lines: list[list[str]],
    *,
    header: list[str] | None = None,
    end: bytes = b"\n",
    bom: bool = False,
) -> Path:
    data = b"\xef\xbb\xbf" if bom else b""
    if header is not None:
        data += "|".join(header).encode() + end
    data += b"".join("|".join(line).encode() + end for line in lines)
    path.write_bytes(data)
    return path


LINE = person_line(
    address="Anais.Le-Bihan@medecin.mssante.fr",
    family="LE BIHAN",
    given="Anaïs",
    rpps="10001112223",
    speciality=("SM26", "Qualifié en Médecine Générale"),
    organisation="CABINET DES LILAS",
    town="Brest",
    postcode="29200",
    department="29",
)


def test_the_published_header_is_recognised_column_by_column(tmp_path: Path) -> None:
    header = SAMPLE_HEADER.read_bytes().decode("utf-8").strip().split("|")
    assert header == list(HEADER)  # the generator writes the real header
    rows, reader = _read(_write(tmp_path / "x.txt", [LINE], header=header))
    assert reader.stats.header_found
    (row,) = rows
    assert row[F["address"]] == "Anais.Le-Bihan@medecin.mssante.fr"
    assert row[F["type"]] == "PER"
    assert row[F["person_key"]] == "810001112223"
    assert row[F["id_type"]] == "RPPS"
    assert row[F["family"]] == "LE BIHAN"
    assert row[F["given"]] == "Anaïs"
    assert row[F["family_key"]] == "lebihan"
    assert row[F["speciality"]] == "Qualifié en Médecine Générale"
    assert row[F["town"]] == "BREST"
    assert row[F["postcode"]] == "29200"
    assert row[F["department"]] == "29"
    assert row[F["street"]] == "3 R DE LA PAIX"
    assert row[F["digitization"]] == 1


@pytest.mark.parametrize(
    ("bom", "end"), [(False, b"\n"), (True, b"\n"), (True, b"\r\n"), (False, b"\r\n")]
)
def test_bom_and_line_ends_do_not_matter(tmp_path: Path, bom: bool, end: bytes) -> None:
    rows, reader = _read(
        _write(tmp_path / "x.txt", [LINE, LINE], header=list(HEADER), end=end, bom=bom)
    )
    assert reader.stats.header_found
    assert [r[F["address"]] for r in rows] == [LINE[1]] * 2
    assert rows[0][F["country"]] == "France"  # no stray \r in the last column


def test_columns_are_matched_by_name_whatever_their_order(tmp_path: Path) -> None:
    order = list(reversed(range(len(HEADER))))
    header = [HEADER[i] for i in order]
    line = [LINE[i] for i in order]
    rows, _ = _read(_write(tmp_path / "x.txt", [line], header=header))
    assert rows[0][F["address"]] == LINE[1]
    assert rows[0][F["family"]] == "LE BIHAN"
    assert rows[0][F["town"]] == "BREST"


def test_header_names_ignore_case_accents_and_spacing(tmp_path: Path) -> None:
    header = [h.upper().replace("É", "E") + "  " for h in HEADER]
    rows, reader = _read(_write(tmp_path / "x.txt", [LINE], header=header))
    assert reader.stats.header_found
    assert rows[0][F["given"]] == "Anaïs"


def test_an_unknown_column_name_falls_back_to_its_position(tmp_path: Path) -> None:
    header = list(HEADER)
    header[9] = "Nom d'exercice (nouveau libellé)"  # renamed by the agency
    rows, _ = _read(_write(tmp_path / "x.txt", [LINE], header=header))
    assert rows[0][F["family"]] == "LE BIHAN"


def test_a_file_without_header_is_read_by_position(tmp_path: Path) -> None:
    rows, reader = _read(_write(tmp_path / "x.txt", [LINE, LINE]))
    assert not reader.stats.header_found
    assert len(rows) == 2
    assert rows[0][F["family"]] == "LE BIHAN"


def test_a_trailing_separator_on_every_line_is_tolerated(tmp_path: Path) -> None:
    header = [*HEADER, ""]
    rows, reader = _read(_write(tmp_path / "x.txt", [[*LINE, ""]], header=header))
    assert len(rows) == 1
    assert reader.stats.malformed == 0
    assert rows[0][F["country"]] == "France"


def test_another_file_is_refused_by_its_header(tmp_path: Path) -> None:
    rpps = DATA / "PS_LibreAcces_Personne_activite_SAMPLE.txt"
    copy = tmp_path / "PS_LibreAcces.txt"
    copy.write_bytes(rpps.read_bytes())
    with pytest.raises(DirectoryError) as caught:
        _read(copy)
    assert caught.value.code == "directory.import.bad_header"


def test_broken_lines_are_counted_by_reason_never_fatal(tmp_path: Path) -> None:
    good = "|".join(LINE).encode()
    lines = [
        "|".join(HEADER).encode(),
        good,
        "|".join(LINE[:20]).encode(),  # columns
        "|".join([*LINE[:10], "EXTRA", *LINE[10:]]).encode(),  # columns
        "|".join(["PER", "", *LINE[2:]]).encode(),  # address
        "|".join(["PER", "no-at-sign.mssante.fr", *LINE[2:]]).encode(),  # address
        "|".join(["PER", "a@b@c.fr", *LINE[2:]]).encode(),  # address
        "|".join(["XYZ", *LINE[1:]]).encode(),  # type
        "|".join(LINE)
        .replace("Anaïs", "Ana\udce9s")
        .encode("utf-8", "surrogateescape"),  # encoding
        b"",
        b"   ",
        good,
    ]
    path = tmp_path / "x.txt"
    path.write_bytes(b"\n".join(lines) + b"\n")
    rows, reader = _read(path)
    assert len(rows) == 2
    stats = reader.stats
    assert stats.rows == 2
    assert stats.malformed == 7
    assert stats.reasons == {"columns": 2, "address": 3, "type": 1, "encoding": 1}
    assert stats.malformed_lines == [3, 4, 5, 6, 7, 8, 9]
    assert stats.blank == 2


def test_lower_case_types_and_spaces_around_values_are_accepted(tmp_path: Path) -> None:
    line = list(LINE)
    line[0] = " per "
    line[1] = "  " + LINE[1] + " "
    rows, reader = _read(_write(tmp_path / "x.txt", [line], header=list(HEADER)))
    assert reader.stats.malformed == 0
    assert rows[0][F["type"]] == "PER"
    assert rows[0][F["address"]] == LINE[1]


def test_adeli_and_structures(tmp_path: Path) -> None:
    adeli = person_line(address="a@b.mssante.fr", family="X", given="Y", adeli="919999999")
    org = structure_line(
        address="accueil@ch.mssante.fr",
        organisation="CH",
        service="Accueil",
        town="Gap",
        postcode="05000",
    )
    rows, _ = _read(_write(tmp_path / "x.txt", [adeli, org], header=list(HEADER)))
    assert rows[0][F["id_type"]] == "ADELI"
    assert rows[0][F["person_key"]] == "0919999999"
    assert rows[1][F["person_key"]] is None
    assert rows[1][F["type"]] == "ORG"


def test_zip_of_the_agency_is_read_from_its_extraction_member(tmp_path: Path) -> None:
    text = _write(tmp_path / "plain.txt", [LINE], header=list(HEADER)).read_bytes()
    archive = tmp_path / "download.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("LISEZMOI.txt", "notice")
        z.writestr("Extraction_Correspondance_MSSante_202401020304.txt", text)
    with open_extraction(archive) as source:
        assert source.name == "Extraction_Correspondance_MSSante_202401020304.txt"
        assert source.size == len(text)
        rows = list(ExtractionReader(source).rows())
    assert len(rows) == 1


def test_zip_problems_are_known_errors(tmp_path: Path) -> None:
    empty = tmp_path / "empty.zip"
    with zipfile.ZipFile(empty, "w") as z:
        z.writestr("a.csv", "x")
        z.writestr("b.csv", "y")
    with pytest.raises(DirectoryError) as caught, open_extraction(empty):
        pass
    assert caught.value.code == "directory.import.zip_without_extraction"
    broken = tmp_path / "broken.zip"
    broken.write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    with pytest.raises(DirectoryError) as caught, open_extraction(broken):
        pass
    assert caught.value.code == "directory.import.bad_zip"
    with pytest.raises(NotFoundError) as missing, open_extraction(tmp_path / "nope.txt"):
        pass
    assert missing.value.code == "directory.import.file_not_found"


def test_progress_and_cancellation(tmp_path: Path) -> None:
    path = _write(tmp_path / "x.txt", [LINE] * 40_000, header=list(HEADER))
    seen = []
    with open_extraction(path) as source:
        reader = ExtractionReader(source, on_progress=seen.append)
        assert sum(1 for _ in reader.rows()) == 40_000
    assert [p.rows for p in seen[:2]] == [16384, 32768]
    assert seen[-1].done == seen[-1].total == path.stat().st_size
    with open_extraction(path) as source:
        reader = ExtractionReader(source, should_stop=lambda: True)
        with pytest.raises(DirectoryError) as caught:
            list(reader.rows())
    assert caught.value.code == "directory.import.cancelled"


def test_generation_date_comes_from_the_file_name() -> None:
    assert generation_date("Extraction_Correspondance_MSSante_202405140316.txt") == datetime(
        2024, 5, 14, 3, 16
    )
    assert generation_date("x/Extraction_Correspondance_MSSante_20240514.zip") == datetime(
        2024, 5, 14
    )
    assert generation_date("Extraction_Correspondance_MSSante_202413990000.txt") is None
    assert generation_date("annuaire.txt") is None


@pytest.mark.parametrize(
    ("postcode", "department"),
    [
        ("69003", "69"),
        ("01000", "01"),
        ("20000", "2A"),
        ("20167", "2A"),
        ("20200", "2B"),
        ("97411", "974"),
        ("98800", "988"),
        ("", ""),
        ("ABCDE", ""),
        ("750", ""),
    ],
)
def test_department_from_postcode(postcode: str, department: str) -> None:
    assert department_of(postcode) == department
