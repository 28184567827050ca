"""The fast message reader: header blocks, MIME structure, text of the text parts."""

from __future__ import annotations

import datetime
import email.utils
from email.message import EmailMessage

from hypothesis import given
from hypothesis import strategies as st

from app.domain import mime
from app.domain.message import Part
from app.transport.imap_session import _header_record, _internaldate


def crlf(data: bytes) -> bytes:
    return data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def test_headers_are_unfolded_and_decoded() -> None:
    block = (
        b"Subject: =?utf-8?q?R=C3=A9sultats?= de\r\n biologie\r\n"
        b"From: =?iso-8859-1?q?=C9lodie?= LEF\xc3\x88VRE <279035121518989@patient.mssante.fr>\r\n"
        b'To: a@x.fr, "Dr B" <B@Y.FR>\r\n'
        b"References: <a@1>\r\n <b@2>\r\n"
        b"Date: Mon, 2 Nov 2026 10:00:00 +0100\r\n"
    )
    fields = mime.parse_headers(block)
    assert mime.decode_words(fields["subject"]) == "Résultats de biologie"
    (sender,) = mime.people(fields["from"])
    assert sender.name == "Élodie LEFÈVRE"
    assert [p.address for p in mime.people(fields["to"])] == ["a@x.fr", "b@y.fr"]
    assert mime.message_ids(fields["references"]) == ("<a@1>", "<b@2>")
    assert mime.date_epoch(fields["date"]) == 1793610000


def test_the_structure_of_a_nested_message_with_accented_file_names() -> None:
    msg = EmailMessage()
    msg["Subject"] = "x"
    msg.set_content("texte brut é")
    msg.add_alternative("<p>texte <b>html</b></p>", subtype="html")
    msg.add_attachment(
        b"%PDF-1.4 ...", maintype="application", subtype="pdf", filename="résultats été.pdf"
    )
    msg.add_attachment(
        b"\x89PNG...", maintype="image", subtype="png", filename="a.png", disposition="inline"
    )
    scanned = mime.scan(crlf(msg.as_bytes()))
    parts = scanned.structure.parts
    assert [p.part for p in parts] == ["1.1", "1.2", "2", "3"]
    assert [p.content_type for p in parts] == [
        "text/plain",
        "text/html",
        "application/pdf",
        "image/png",
    ]
    assert parts[2].filename == "résultats été.pdf"
    assert [p.filename for p in scanned.structure.attachments] == ["résultats été.pdf", "a.png"]
    assert scanned.texts == (("text/plain", "texte brut é\r\n"),)


def test_html_only_messages_are_indexed_as_text_without_scripts() -> None:
    msg = EmailMessage()
    msg.set_content(
        "<p>Bonjour&nbsp;Docteur</p><script>alert(1)</script><p>Fin</p>", subtype="html"
    )
    (text,) = mime.scan(msg.as_bytes()).texts
    assert text == ("text/html", "Bonjour\xa0Docteur\nFin")


def test_transfer_encodings_and_charsets() -> None:
    qp = Part("1", "text/plain", "iso-8859-1", "quoted-printable", 0, None, None)
    assert mime.decode_text(b"R=E9sultat =E0 revoir", qp) == "Résultat à revoir"
    b64 = Part("1", "text/plain", "utf-8", "base64", 0, None, None)
    assert mime.decode_text(b"w6ljaG9ncmFwaGll", b64) == "échographie"
    unknown = Part("1", "text/plain", "x-unknown", "8bit", 0, None, None)
    assert mime.decode_text("déjà".encode(), unknown) == "déjà"


def test_rfc2231_continuations() -> None:
    kind, params = mime.content_type("application/pdf; name*0*=utf-8''r%C3%A9sul; name*1*=tats.pdf")
    assert kind == "application/pdf"
    assert params["name"] == "résultats.pdf"


def _stdlib_epoch(value: str) -> int | None:
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return int(parsed.timestamp()) if parsed.tzinfo is not None else None


@given(
    st.datetimes(min_value=datetime.datetime(1970, 1, 2), max_value=datetime.datetime(2200, 1, 1)),
    st.integers(min_value=-14 * 60, max_value=14 * 60),
    st.booleans(),
    st.booleans(),
)
def test_dates_read_like_the_stdlib(
    moment: datetime.datetime, offset_minutes: int, weekday: bool, seconds: bool
) -> None:
    zone = datetime.timezone(datetime.timedelta(minutes=offset_minutes))
    value = email.utils.format_datetime(moment.replace(tzinfo=zone))
    if not weekday:
        value = value.split(", ", 1)[1]
    if not seconds:
        value = value[: value.rindex(":")] + value[value.rindex(" ") :]
    assert mime.date_epoch(value) == _stdlib_epoch(value)


def test_unusual_dates_fall_back_to_the_stdlib() -> None:
    cases = [
        "Mon, 2 Nov 2026 10:00:00 -0000",  # zone unknown: no date
        "Mon, 2 Nov 2026 10:00:00 +0000",
        "Sun, 31 Feb 2026 10:00:00 +0100",  # not a date
        "2 Nov 2026 23:59:60 +0100",  # leap second
        "2 Nov 26 10:00:00 +0100",  # two-digit year
        "Mon, 2 Nov 2026 10:00:00 CET",
        "Mon, 2 Nov 2026 10:00:00 GMT",
        "Mon, 2 Nov 2026 10:00:00 +0100 (CET)",
        "Mon,  2 Nov 2026  10:00 +0100",
        "lundi 2 novembre 2026",
        "",
    ]
    for value in cases:
        assert mime.date_epoch(value) == (_stdlib_epoch(value) if value else None), value
    assert mime.date_epoch("Mon, 2 Nov 2026 10:00:00 +0100") == 1793610000


def test_the_kind_of_a_content_type() -> None:
    assert mime.content_kind('Multipart/Mixed; boundary="x;y"') == "multipart/mixed"
    assert mime.content_kind("pdf") == "application/octet-stream"
    assert mime.content_kind(None) == mime.content_kind(" ; charset=utf-8") == "text/plain"


@given(st.binary(max_size=3000))
def test_hostile_bytes_never_break_the_reader(data: bytes) -> None:
    scanned = mime.scan(b"Content-Type: multipart/mixed; boundary=x\r\n\r\n" + data)
    assert isinstance(scanned.structure.parts, tuple)
    mime.parse_headers(data)


def test_a_fetch_response_becomes_an_envelope_record() -> None:
    meta = (
        b'7 (UID 42 FLAGS (\\Seen $MDNSent) INTERNALDATE " 2-Nov-2026 10:00:00 +0100" '
        b"RFC822.SIZE 1234 MODSEQ (99) BODY[HEADER] {10})"
    )
    header = (
        b"From: Dr Paul Durand <paul.durand@medecin.mssante.fr>\r\n"
        b"Subject: Bilan\r\nMessage-ID: <m1@x>\r\nIn-Reply-To: <p@x>\r\n"
        b"X-MSS-MES: FIN\r\nContent-Type: multipart/mixed; boundary=z\r\n\r\n"
    )
    record = _header_record(42, meta, header)
    assert record.uid == 42
    assert record.size == 1234
    assert record.modseq == 99
    assert record.keywords == ("$MDNSent",)
    assert record.internal_date == 1793610000
    assert record.subject == "Bilan"
    assert record.sender is not None and record.sender.address == "paul.durand@medecin.mssante.fr"
    assert record.in_reply_to == "<p@x>"
    assert record.headers["x-mss-mes"] == "FIN"
    assert record.likely_attachments
    assert _internaldate(b'INTERNALDATE "bad date"') == 0
