"""Realistic test messages (French text, attachments, patients, replies)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

_counter = itertools.count(1)


def tiny_pdf(text: str = "Compte rendu") -> bytes:
    """A small, valid one-page PDF showing `text` (ASCII)."""
    content = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(content)).encode() + b" >>\nstream\n" + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
    ).encode()
    return bytes(out)


def message(
    *,
    sender: str = "Dr Paul Durand <paul.durand@medecin.mssante.fr>",
    to: str = "cabinet@test.mssante.fr",
    subject: str | None = None,
    body: str | None = None,
    pdf: bytes | None = None,
    pdf_name: str = "compte-rendu.pdf",
    in_reply_to: str | None = None,
    references: list[str] | None = None,
    message_id: str | None = None,
    date: datetime | None = None,
    headers: dict[str, str] | None = None,
    html: bool = False,
) -> tuple[bytes, str]:
    """An RFC 5322 message and its Message-ID."""
    n = next(_counter)
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject or f"Compte rendu de consultation n°{n} — échographie cardiaque"
    mid = message_id or make_msgid(domain="test.mssante.fr")
    msg["Message-ID"] = mid
    when = date or (datetime(2026, 11, 2, 9, 0, tzinfo=UTC) + timedelta(minutes=n))
    msg["Date"] = format_datetime(when)
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
    if references:
        msg["References"] = " ".join(references)
    for name, value in (headers or {}).items():
        msg[name] = value
    text = body or (
        f"Cher confrère,\n\nJe vous adresse le compte rendu n°{n} de Mme Élodie Lefèvre.\n"
        "Fraction d'éjection préservée, pas de valvulopathie significative.\n\nBien cordialement."
    )
    if html:
        msg.set_content(
            f"<html><body><p>{text}</p><script>x()</script></body></html>", subtype="html"
        )
    else:
        msg.set_content(text)
    if pdf is not None:
        msg.add_attachment(pdf, maintype="application", subtype="pdf", filename=pdf_name)
    return msg.as_bytes(), mid
