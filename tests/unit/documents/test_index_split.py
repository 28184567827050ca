"""The indexing's fast MIME walk finds what the stdlib parser finds, and indexes the same.

`attachment_jobs` reads part boundaries with bytes.find; `attachments_with_payloads` (the
stdlib ``email`` parser, what the window shows) is the reference: same part ids, names,
declared types and decoded bytes, on messages made by the stdlib itself, in LF and CRLF, and
the archive's own walk (`app.domain.mime.scan`) gives the parts the same numbers.
"""

from __future__ import annotations

import base64
import email
import email.policy
import json

import pytest

from app.documents import indexing
from app.documents.attachments import attachments_with_payloads
from app.documents.indexing import (
    STATE_INDEXED,
    STATE_NOT_INDEXABLE,
    PartJob,
    attachment_jobs,
    decode_body,
    extract_pdf_text,
    index_message,
    index_part,
)
from app.domain.mime import MAX_PARTS, scan
from tests.unit.documents.docfactories import (
    encrypted_pdf,
    javascript_pdf,
    jpeg,
    message,
    text_pdf,
    truncated_pdf,
    zip_of,
)


def _messages() -> list[bytes]:
    pdf = text_pdf(2, marker="hepatique")
    one = message([(pdf, "application/pdf", "attachment", "compte-rendu é.pdf")])
    several = message(
        [
            (pdf, "application/pdf", "attachment", None),
            (jpeg(), "image/jpeg", "inline", "photo.jpg"),
            (b"{\\rtf1 Bonjour}", "text/rtf", "attachment", "lettre.rtf"),
            (zip_of({"a.txt": b"x"}), "application/zip", "attachment", "paquet.zip"),
            (b"hello", "application/octet-stream", "attachment", "=?utf-8?q?r=C3=A9sum=C3=A9?="),
        ]
    )
    return [one, several, one.replace(b"\n", b"\r\n"), several.replace(b"\n", b"\r\n")]


@pytest.mark.parametrize("raw", _messages(), ids=["one", "several", "one-crlf", "several-crlf"])
def test_the_fast_walk_finds_the_attachments_the_stdlib_parser_finds(raw: bytes) -> None:
    reference = [payload for _info, payload in attachments_with_payloads(raw, inspect=False)]
    jobs = attachment_jobs(raw)
    assert [j.part_id for j in jobs] == [p.part_id for p in reference]
    assert [j.declared_type for j in jobs] == [p.declared_type for p in reference]
    assert [decode_body(j.encoding, j.body) for j in jobs] == [p.data for p in reference]
    # The archive's own walk numbers the parts the same way (its attachments table).
    archived = {p.part for p in scan(raw).structure.attachments}
    assert {j.part_id for j in jobs} <= archived


def test_a_message_is_indexed_with_the_text_and_a_state_per_part() -> None:
    raw = _messages()[1]
    text, states = index_message(raw)
    assert "hepatique" in text
    assert "photo.jpg" in text
    pdf_part = attachment_jobs(raw)[0].part_id
    state, info = states[pdf_part]
    assert state == STATE_INDEXED
    summary = json.loads(info)
    assert summary["kind"] == "pdf"
    assert summary["pages"] == 2
    assert summary["stop"] == "done"
    assert all(s == STATE_NOT_INDEXABLE for p, (s, _) in states.items() if p != pdf_part)


def test_pdfium_and_pypdf_find_the_same_words() -> None:
    from app.documents.pdf import extract_text

    data = text_pdf(3, marker="vesiculaire")
    fast = extract_pdf_text(data)
    slow = extract_text(data)
    assert fast.page_count == slow.page_count == 3
    assert fast.stop == "done"
    assert set(fast.text.split()) == set(slow.text.split())


def _pdf_job(data: bytes) -> PartJob:
    return PartJob("2", "application/pdf", "a.pdf", "binary", data)


def test_pdfs_that_cannot_be_read_are_skipped_with_a_reason() -> None:
    encrypted = json.loads(index_part(_pdf_job(encrypted_pdf("secret"))).info)
    assert encrypted["skipped"] == "password"
    truncated = json.loads(index_part(_pdf_job(truncated_pdf())).info)
    assert truncated["skipped"] == "unreadable"
    active = index_part(_pdf_job(javascript_pdf()))
    assert "javascript" in json.loads(active.info)["active_content"]


def test_a_document_over_the_size_cap_is_not_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(indexing, "MAX_INDEXED_BYTES", 1000)
    result = index_part(_pdf_job(text_pdf(1, marker="x" * 2000)))
    assert result.state == STATE_NOT_INDEXABLE
    assert json.loads(result.info) == {"kind": "pdf", "skipped": "too_large"}
    assert result.chunks == ("a.pdf",)


def test_hostile_mime_never_raises() -> None:
    nested = b"Content-Type: multipart/mixed; boundary=a\n\n" + b"--a\n" * 5000
    assert len(attachment_jobs(nested)) <= MAX_PARTS
    no_blank_line = b"Content-Type: application/pdf\n" * 5000
    assert [j.part_id for j in attachment_jobs(no_blank_line)] == ["1"]
    assert attachment_jobs(b"") == []
    assert decode_body("base64", b"not base64 at all!!!") is not None


@pytest.mark.parametrize(
    "body",
    [
        b"",
        base64.encodebytes(bytes(range(256)) * 40),
        base64.encodebytes(b"%PDF-1.4 crlf" * 300).replace(b"\n", b"\r\n"),
        base64.encodebytes(b"no padding!").rstrip(b"=\n"),
        b"QUJD\n!!garbage**\nREVG\n",
        b"QUJD====REVG\n",
        b"Q",
        b"QUJD\nRE",
        b"QU=JD",
        b"QUJDRA==\nQUJD",
    ],
    ids=[
        "empty",
        "lf",
        "crlf",
        "unpadded",
        "garbage",
        "padding-inside",
        "one-char",
        "short-tail",
        "early-padding",
        "data-after-padding",
    ],
)
def test_base64_is_decoded_as_the_stdlib_parser_decodes_it(body: bytes) -> None:
    # The reference: the stdlib decodes the same body with the same transfer encoding.
    part = b"Content-Type: application/octet-stream\nContent-Transfer-Encoding: base64\n\n" + body
    reference = email.message_from_bytes(part, policy=email.policy.default)
    assert decode_body("base64", body) == reference.get_payload(decode=True)
