"""Type detection from content, the attachment policy, file-name sanitising, naming rules."""

from __future__ import annotations

import unicodedata
from datetime import date

import docfactories as make
import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.documents.sniffing import check_attachment, detect_kind, is_cda, is_xdm_zip
from app.documents.xdm_writer import build_xdm
from app.domain.documents import (
    MAX_FILENAME_CHARS,
    CdaIdentity,
    DocumentKind,
    VersionRelation,
    classify_version,
    display_subject,
    pdf_rendering_name,
    sanitize_filename,
    x_mss_codecda,
    x_mss_ins,
    xdm_subject,
)

CDA = (
    b'<?xml version="1.0"?>\n'
    b'<ClinicalDocument xmlns="urn:hl7-org:v3"><id root="1"/></ClinicalDocument>'
)


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (make.text_pdf(), DocumentKind.PDF),
        (b"junk before\n" + make.text_pdf(), DocumentKind.PDF),
        (make.jpeg(), DocumentKind.JPEG),
        (make.png(), DocumentKind.PNG),
        (make.tiff(2), DocumentKind.TIFF),
        (make.RTF_LETTER, DocumentKind.RTF),
        (make.zip_of({"a.txt": b"x"}), DocumentKind.ZIP),
        (
            make.zip_of({"[Content_Types].xml": b"<x/>", "word/document.xml": b"<x/>"}),
            DocumentKind.OFFICE,
        ),
        (CDA, DocumentKind.XML),
        ("<?xml version='1.0' encoding='utf-16'?><a/>".encode("utf-16"), DocumentKind.XML),
        (b"<!DOCTYPE html><html><body>x</body></html>", DocumentKind.HTML),
        (b"MZ\x90\x00\x03\x00\x00\x00", DocumentKind.EXECUTABLE),
        (b"\x7fELF\x02\x01\x01", DocumentKind.EXECUTABLE),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, DocumentKind.OLE),
        (b"GIF89a\x01\x00\x01\x00", DocumentKind.GIF),
        (b"Bonjour, voici le compte rendu.\n", DocumentKind.TEXT),
        (bytes(range(256)), DocumentKind.OTHER),
        (b"", DocumentKind.EMPTY),
    ],
)
def test_kind_from_content(data: bytes, kind: DocumentKind) -> None:
    assert detect_kind(data) is kind


@pytest.mark.parametrize(
    ("data", "name", "declared"),
    [
        (make.text_pdf(), "cr.pdf", "application/pdf"),
        (make.text_pdf(), "cr.PDF", "application/octet-stream"),
        (make.text_pdf(), None, None),
        (make.text_pdf(), "compte rendu Dr. Martin", None),  # not an extension
        (make.jpeg(), "photo.jpeg", "image/jpeg"),
        (make.jpeg(), "photo.jpg", "image/pjpeg"),
        (make.png(), "schema.png", "image/png"),
        (make.tiff(2), "fax.tif", "image/tiff"),
        (make.RTF_LETTER, "lettre.rtf", "text/rtf"),
        (CDA, "cda.xml", "text/xml"),
    ],
)
def test_accepted(data: bytes, name: str | None, declared: str | None) -> None:
    verdict = check_attachment(data, name, declared)
    assert verdict.accepted
    assert verdict.code is None


def test_xdm_zip_accepted_and_plain_zip_refused() -> None:
    xdm = build_xdm(make.text_pdf(), patient=make.patient(), document=make.outgoing()).zip_bytes
    assert is_xdm_zip(xdm)
    assert check_attachment(xdm, "IHE_XDM.zip", "application/zip").accepted
    verdict = check_attachment(make.zip_of({"photo.jpg": make.jpeg()}), "photos.zip", None)
    assert (verdict.accepted, verdict.code) == (False, "attachment.zip_not_xdm")


def test_xml_other_than_cda_refused() -> None:
    assert is_cda(CDA)
    verdict = check_attachment(b"<?xml version='1.0'?><facture/>", "facture.xml", None)
    assert verdict.code == "attachment.xml_not_cda"


@pytest.mark.parametrize(
    ("data", "name", "declared", "params"),
    [
        (b"MZ\x90\x00", "resultats.pdf", None, {"declared": "pdf", "kind": "executable"}),
        (make.png(), "cr.pdf", "application/pdf", {"declared": "pdf", "kind": "png"}),
        (make.text_pdf(), "cr.exe", None, {"declared": "exe", "kind": "pdf"}),
        (make.text_pdf(), "cr.pdf", "image/jpeg", {"declared": "image/jpeg", "kind": "pdf"}),
        (make.jpeg(), "scan.png", None, {"declared": "png", "kind": "jpeg"}),
    ],
)
def test_mismatch_refused_with_reason(
    data: bytes, name: str, declared: str | None, params: dict[str, str]
) -> None:
    verdict = check_attachment(data, name, declared)
    assert verdict.code == "attachment.type_mismatch"
    assert {k: verdict.params[k] for k in params} == params
    assert verdict.params["name"] == name


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"MZ\x90\x00", "executable"),
        (b"<html><script>x</script></html>", "html"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64, "ole"),
        (b"GIF89a\x01\x00", "gif"),
    ],
)
def test_refused_kinds(data: bytes, kind: str) -> None:
    verdict = check_attachment(data, None, None)
    assert (verdict.code, verdict.params["kind"]) == ("attachment.type_refused", kind)


def test_empty_refused() -> None:
    assert check_attachment(b"", "vide.pdf").code == "attachment.empty"


def test_patients_get_a_pdf_suggestion_for_tiff_and_rtf() -> None:
    assert check_attachment(make.tiff(1), "fax.tif", to_patient=True).suggest_pdf
    assert check_attachment(make.RTF_LETTER, "l.rtf", to_patient=True).suggest_pdf
    assert not check_attachment(make.text_pdf(), "a.pdf", to_patient=True).suggest_pdf
    assert not check_attachment(make.tiff(1), "fax.tif", to_patient=False).suggest_pdf


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\x\\Bureau\\cr.pdf", "cr.pdf"),
        ("résultat\u202efdp.exe", "résultatfdp.exe"),  # bidirectional override removed
        ("cr\x00\x07.pdf", "cr.pdf"),
        ("a\r\nb.pdf", "a b.pdf"),
        ('q<u>e:s"t|i?o*n.pdf', "q_u_e_s_t_i_o_n.pdf"),
        ("...cache.pdf", "cache.pdf"),
        ("fin. . ", "fin"),
        ("CON.pdf", "_CON.pdf"),
        ("", "piece-jointe"),
        ("/", "piece-jointe"),
        ("..", "piece-jointe"),
        ("e\u0301chographie.pdf", "échographie.pdf"),  # NFC
    ],
)
def test_sanitize_filename(raw: str, clean: str) -> None:
    assert sanitize_filename(raw) == clean


def test_sanitize_keeps_extension_when_cutting() -> None:
    name = sanitize_filename("x" * 400 + ".pdf")
    assert len(name) == MAX_FILENAME_CHARS
    assert name.endswith(".pdf")


@given(st.text())
def test_sanitized_names_are_always_safe(raw: str) -> None:
    name = sanitize_filename(raw)
    assert name
    assert len(name) <= MAX_FILENAME_CHARS
    assert not any(ch in name for ch in '/\\<>:"|?*')
    assert not any(unicodedata.category(ch) in ("Cc", "Cf") for ch in name)
    assert name not in (".", "..")
    assert not name.startswith(".")
    assert name == name.strip()


def test_subject_and_headers() -> None:
    subject = xdm_subject(
        "ECHOGRAPHIE ABDOMINOPELVIENNE", "Corse", "FIGATELLIX", date(1988, 10, 12)
    )
    assert subject == "XDM/1.0/DDM+ECHOGRAPHIE ABDOMINOPELVIENNE CORSE FIGATELLIX 12/10/1988"
    assert xdm_subject("CR", "Corse", "Ana", None) == "XDM/1.0/DDM+CR CORSE Ana"
    assert x_mss_codecda(["18748-4", "11502-2", "18748-4", " "]) == "18748-4,11502-2"
    assert (x_mss_ins(True), x_mss_ins(False)) == ("O", "N")


def test_prefix_hidden_from_display() -> None:
    assert display_subject("XDM/1.0/DDM+ECHO CORSE FIGATELLIX 12/10/1988") == (
        "ECHO CORSE FIGATELLIX 12/10/1988"
    )
    sample = "[KO Intégration système !][902] XDM/1.0/DDM+ECHOGRAPHIE CORSE FIGATELLIX 12/10/1988"
    assert display_subject(sample) == (
        "[KO Intégration système !][902] ECHOGRAPHIE CORSE FIGATELLIX 12/10/1988"
    )
    assert display_subject("RE: xdm/1.0/ddm+ CR") == "RE: CR"
    assert display_subject("Résultats") == "Résultats"


def test_pdf_rendering_name() -> None:
    name = pdf_rendering_name(date(2022, 5, 31), "CR d'imagerie médicale", "Corse", "FIGATELLIX")
    assert name == "20220531_CR d'imagerie médicale_CORSE_FIGATELLIX.pdf"
    with_number = pdf_rendering_name(date(2022, 5, 31), "CR/bilan", "Corse", "Ana", "D-42")
    assert with_number == "20220531_CR-bilan_CORSE_Ana_D-42.pdf"


def test_versions_and_duplicates() -> None:
    v1 = CdaIdentity("1.2.3.1", "1.2.3", 1)
    v2 = CdaIdentity("1.2.3.2", "1.2.3", 2)
    other = CdaIdentity("9.9", "9", 1)
    assert classify_version(v1, []) is VersionRelation.NEW
    assert classify_version(v1, [other]) is VersionRelation.NEW
    assert classify_version(v1, [v1]) is VersionRelation.DUPLICATE
    assert classify_version(v2, [v1]) is VersionRelation.NEWER_VERSION
    assert classify_version(v1, [v2]) is VersionRelation.OLDER_VERSION
    assert classify_version(CdaIdentity("x", "1.2.3", 2), [v2]) is VersionRelation.SAME_VERSION
