"""Reading parsed messages (`email.message.Message` trees): text of parts and headers.

Generic helpers for reports and any other message read with the standard library's parser
(``compat32``): header values decoded to one line of text, a part's text whatever its charset,
the readable text of a report (outside the returned original), the original's headers
returned in a report, Message-IDs and dates. Tolerant of what real senders write: undeclared
8-bit text is read as UTF-8, else Windows-1252.

Pure: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from email.header import Header, decode_header
from email.message import Message
from email.parser import HeaderParser
from email.policy import compat32
from email.utils import parsedate_to_datetime

from app.domain.compose import header_value, message_ids
from app.domain.headers import one_line


def decoded(value: object) -> str:
    """A header value as text: RFC 2047 words decoded, raw 8-bit read as UTF-8 (or Latin-1)."""
    if value is None:
        return ""
    try:
        chunks = decode_header(value if isinstance(value, Header) else str(value))
    except (ValueError, LookupError):
        return one_line(str(value))
    out: list[str] = []
    for chunk, charset in chunks:
        if isinstance(chunk, str):
            out.append(chunk)
        else:
            out.append(bytes_text(chunk, charset))
    return one_line("".join(out))


def bytes_text(data: bytes, charset: str | None) -> str:
    """Bytes as text: in `charset` when known, else UTF-8, else Windows-1252."""
    if charset and charset.lower() not in ("unknown-8bit", "x-unknown"):
        try:
            return data.decode(charset, "replace")
        except (LookupError, ValueError):  # unknown name, or one codecs cannot look up (NUL)
            pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", "replace")


def part_text(part: Message) -> str:
    """A leaf part's text, its transfer encoding undone."""
    payload = part.get_payload(decode=True)
    if isinstance(payload, bytes):
        return bytes_text(payload, part.get_content_charset())
    raw = part.get_payload()
    return raw if isinstance(raw, str) else ""


def raw_text(raw: bytes) -> str:
    """A whole message as text with LF line ends (to look for fields anywhere in it)."""
    return bytes_text(raw, None).replace("\r\n", "\n")


def human_text(msg: Message) -> str:
    """The first text part outside any returned message (the report's readable part)."""
    for part in top_leaves(msg):
        if part.get_content_maintype() == "text" and part.get_content_subtype() in (
            "plain",
            "html",
        ):
            text = part_text(part)
            if part.get_content_subtype() == "html":
                text = re.sub(r"<[^>]+>", " ", text)
            return text.replace("\r\n", "\n").strip()
    return ""


def all_text(msg: Message) -> str:
    """Every text part outside a returned original, one after the other."""
    return "\n".join(
        part_text(p)
        for p in top_leaves(msg)
        if p.get_content_maintype() == "text" and p.get_content_subtype() != "rfc822-headers"
    )


def top_leaves(msg: Message) -> Iterable[Message]:
    """Leaf parts, not descending into ``message/*`` parts (the returned original)."""
    if msg.get_content_maintype() == "message":
        return
    if msg.is_multipart():
        payload = msg.get_payload()
        if isinstance(payload, list):
            for sub in payload:
                if isinstance(sub, Message):
                    yield from top_leaves(sub)
        return
    yield msg


def returned_headers(msg: Message) -> Message | None:
    """The original's headers returned in a report (``text/rfc822-headers``, ``message/rfc822``)."""
    for part in msg.walk():
        kind = part.get_content_type()
        if kind in ("text/rfc822-headers", "message/rfc822-headers", "text/rfc822"):
            return HeaderParser(policy=compat32).parsestr(part_text(part))
        if kind in ("message/rfc822", "message/global"):
            payload = part.get_payload()
            if isinstance(payload, list) and payload and isinstance(payload[0], Message):
                inner = payload[0]
                if inner.keys():
                    return inner
    return None


def first_message_id(text: str) -> str | None:
    """The first Message-ID in a header value, normalised; None when there is none."""
    found = message_ids(text)
    return found[0] if found else None


def parse_date(value: str) -> datetime | None:
    """A ``Date`` header value, or None when missing or unreadable."""
    try:
        return parsedate_to_datetime(value) if value else None
    except (TypeError, ValueError, IndexError):
        return None


def header_text(headers: Message | Mapping[str, str], name: str) -> str:
    """A header's decoded one-line text ('' when missing), from a message or a mapping."""
    if isinstance(headers, Message):
        return decoded(headers.get(name))
    return header_value(headers, name) or ""


def header_block(raw: bytes) -> bytes:
    """The header block of a message (everything before the first empty line)."""
    normalised = raw.replace(b"\r\n", b"\n")
    head, _, _ = normalised.partition(b"\n\n")
    return head.replace(b"\n", b"\r\n")


def lf_text(text: str) -> str:
    """Text with LF line ends and a final newline (the serialiser writes CRLF)."""
    body = text.replace("\r\n", "\n").replace("\r", "\n")
    return body if body.endswith("\n") else body + "\n"


def ascii_text(text: str) -> str:
    """Report fields are ASCII (RFC 8098 §3.1.1; addresses are ASCII in MSSanté)."""
    return text.encode("ascii", "replace").decode("ascii")
