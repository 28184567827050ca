"""BODYSTRUCTURE as servers send it, parsed into parts (IMAP part numbers, names, types)."""

from __future__ import annotations

from imapclient.response_parser import parse_fetch_response

from app.domain.message import Part
from app.transport.imap_session import decode_part, html_to_text, parse_structure


def structure_of(bodystructure: bytes):
    response = parse_fetch_response(
        [b"1 (UID 7 BODYSTRUCTURE " + bodystructure + b")"], False, True
    )
    return parse_structure(response[7][b"BODYSTRUCTURE"])


def test_single_text_part() -> None:
    s = structure_of(
        b'("text" "plain" ("charset" "utf-8") NIL NIL "quoted-printable" 120 4 NIL NIL NIL NIL)'
    )
    assert s.parts == (Part("1", "text/plain", "utf-8", "quoted-printable", 120, None, None),)
    assert s.text_parts() == s.parts
    assert s.attachments == ()


def test_mixed_with_alternative_and_an_accented_pdf_name() -> None:
    s = structure_of(
        b'((("text" "plain" ("charset" "utf-8") NIL NIL "8bit" 50 2 NIL NIL NIL NIL)'
        b'("text" "html" ("charset" "utf-8") NIL NIL "8bit" 90 3 NIL NIL NIL NIL) "alternative" '
        b'("boundary" "b2") NIL NIL NIL)'
        b'("application" "pdf" ("name" "=?utf-8?q?compte-rendu_=C3=A9cho.pdf?=") NIL NIL '
        b'"base64" 4000 NIL ("attachment" ("filename*" "utf-8\'\'r%C3%A9sultats.pdf")) NIL NIL)'
        b' "mixed" ("boundary" "b1") NIL NIL NIL)'
    )
    assert [p.part for p in s.parts] == ["1.1", "1.2", "2"]
    assert [p.content_type for p in s.text_parts()] == ["text/plain"]
    (pdf,) = s.attachments
    assert pdf.filename == "résultats.pdf"
    assert pdf.disposition == "attachment"


def test_inline_image_without_name_is_still_an_attachment_and_html_only_is_indexed() -> None:
    s = structure_of(
        b'(("text" "html" ("charset" "iso-8859-1") NIL NIL "quoted-printable" 70 2 NIL NIL NIL '
        b'NIL)("image" "png" NIL "<img1>" NIL "base64" 300 NIL ("inline" NIL) NIL NIL) '
        b'"related" ("boundary" "x") NIL NIL NIL)'
    )
    assert [p.content_type for p in s.text_parts()] == ["text/html"]
    assert [p.content_type for p in s.attachments] == ["image/png"]


def test_decoding_transfer_encodings_and_charsets() -> None:
    part = Part("1", "text/plain", "iso-8859-1", "quoted-printable", 0, None, None)
    assert decode_part(b"R=E9sultat =E0 revoir", part) == "Résultat à revoir"
    b64 = Part("1", "text/plain", "utf-8", "base64", 0, None, None)
    assert decode_part(b"w6ljaG9ncmFwaGll", b64) == "échographie"
    unknown = Part("1", "text/plain", "x-unknown", "8bit", 0, None, None)
    assert decode_part("déjà".encode(), unknown) == "déjà"


def test_html_reduced_to_text_without_scripts() -> None:
    assert html_to_text("<p>Bonjour&nbsp;Docteur</p><script>alert(1)</script><p>Fin</p>") == (
        "Bonjour\xa0Docteur\nFin"
    )
