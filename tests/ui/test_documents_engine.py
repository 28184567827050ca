"""The engine side of issue 12's previews: lenient XDM reading (doubts instead of a refusal),
XML in the encoding its declaration names, and `pli xdm inspect --lenient`."""

from __future__ import annotations

import io
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest

from app import bootstrap
from app.documents.xdm_reader import (
    read_xdm,
    read_xdm_lenient,
    refusing_problems,
    type_code_known,
)
from app.documents.xdm_writer import build_xdm
from app.domain.addresses import Ins
from app.domain.documents import LOINC_OID, CodedValue, PatientIdKind
from tests.unit.documents import docfactories as make

BAD_KEY_INS = "279035121518980"  # the CI-SIS example INS with a wrong key (80, not 89)


def _doubtful(**changes: object) -> bytes:
    patient = replace(make.patient(), **changes)  # type: ignore[arg-type]
    document = replace(make.outgoing(), type_code=CodedValue("99999-1", LOINC_OID))
    return build_xdm(make.text_pdf(1), patient=patient, document=document).zip_bytes


def _codes(problems: object) -> set[str]:
    return {p.code for p in problems}  # type: ignore[attr-defined]


def test_a_doubtful_package_is_read_with_its_doubts() -> None:
    package, doubts = read_xdm_lenient(_doubtful(ins=Ins(BAD_KEY_INS)))
    assert package.patient_id is not None and package.patient_id.value == BAD_KEY_INS
    assert package.documents and package.documents[0].pdf is not None
    assert _codes(doubts) == {"xdm.patient_ins_invalid", "xdm.type_code_unknown"}
    # Strict: refused (the CLI's exit 10); lenient: nothing but doubts.
    assert _codes(refusing_problems(package, lenient=False)) == {"xdm.patient_ins_invalid"}
    assert refusing_problems(package, lenient=True) == ()


def test_a_test_identity_is_a_doubt_not_a_refusal() -> None:
    built = build_xdm(
        make.text_pdf(1),
        patient=replace(make.patient(), id_kind=PatientIdKind.TEST),
        document=make.outgoing(),
    )
    package, doubts = read_xdm_lenient(built.zip_bytes)
    assert _codes(doubts) == {"xdm.patient_test_oid"}
    assert refusing_problems(package, lenient=True) == ()


def test_an_altered_document_is_still_refused_in_lenient_mode() -> None:
    built = build_xdm(make.text_pdf(1), patient=make.patient(), document=make.outgoing())
    files = {}
    with zipfile.ZipFile(io.BytesIO(built.zip_bytes)) as archive:
        for name in archive.namelist():
            files[name] = archive.read(name)
    doc = next(n for n in files if n.upper().endswith("DOC0001.XML"))
    files[doc] = files[doc].replace(b"ECHOGRAPHIE", b"RADIOGRAPHIE")
    package = read_xdm(make.zip_of(files))
    assert "xdm.hash_mismatch" in _codes(refusing_problems(package, lenient=True))


@pytest.mark.parametrize(
    ("code", "known"),
    [("18748-4", True), ("11488-4", True), ("99999-1", False), ("18748-5", False), ("", False)],
)
def test_type_codes_are_checked_by_their_loinc_check_digit(code: str, known: bool) -> None:
    assert type_code_known(CodedValue(code, LOINC_OID)) is known


@pytest.mark.parametrize("encoding", ["ISO-8859-1", "windows-1252", "UTF-16"])
def test_xml_is_read_in_the_encoding_its_declaration_names(encoding: str) -> None:
    built = build_xdm(
        make.text_pdf(1),
        patient=replace(make.patient(), family="Lévêque", given="Hélène"),
        document=make.outgoing(),
    )
    files = {}
    with zipfile.ZipFile(io.BytesIO(built.zip_bytes)) as archive:
        for name in archive.namelist():
            files[name] = archive.read(name)
    for name in list(files):
        if name.upper().endswith(".XML"):
            text = files[name].decode("utf-8")
            text = text.replace('encoding="UTF-8"', f'encoding="{encoding}"', 1)
            text = text.replace("encoding='UTF-8'", f"encoding='{encoding}'", 1)
            if not text.startswith("<?xml"):
                text = f'<?xml version="1.0" encoding="{encoding}"?>\n' + text
            files[name] = text.encode("utf-16" if encoding == "UTF-16" else encoding)
    package, _doubts = read_xdm_lenient(make.zip_of(files))
    assert package.patient_name.family.upper() == "LÉVÊQUE"
    assert package.patient_name.given == "Hélène"
    assert package.documents[0].cda is not None


def test_pli_xdm_inspect_lenient(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PLI_TESTING", "1")
    package = tmp_path / "IHE_XDM.zip"
    package.write_bytes(_doubtful(ins=Ins(BAD_KEY_INS)))
    profile = ["--profile", str(tmp_path / "profile")]
    assert bootstrap.main([*profile, "xdm", "inspect", str(package)]) == 10
    out, _err = capsys.readouterr()
    assert BAD_KEY_INS in out
    assert bootstrap.main([*profile, "xdm", "inspect", "--lenient", str(package)]) == 0
    out, _err = capsys.readouterr()
    assert BAD_KEY_INS in out
    assert "To check (lenient reading):" in out
    assert "'99999-1' is not a known LOINC code" in out
