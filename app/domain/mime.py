"""Fast reading of messages for the archive: header blocks and MIME structure.

The stdlib `email` parser reads a message line by line (a 500 KB PDF in base64 is seven
thousand lines of Python work); the archive only needs the headers, the list of parts and the
text of the text parts. This module finds part boundaries with `bytes.find` and decodes only
what is shown or indexed. Anything it cannot make sense of is left to the stdlib parser by the
callers (`scan_structure` never raises on hostile input: it returns what it could read).
"""

from __future__ import annotations

import base64
import binascii
import calendar
import contextlib
import datetime
import email.utils
import quopri
import re
import urllib.parse
from dataclasses import dataclass
from html.parser import HTMLParser

from app.domain.message import Part, Person, Structure

MAX_DEPTH = 8
MAX_PARTS = 500
#: Longest header field value kept (characters); the rest of a longer one is dropped.
MAX_HEADER_VALUE = 64 * 1024
#: Deepest nesting of comments or angle brackets left to the standard library's address
#: parser, which recurses on each level: deeper headers are read by a flat scan.
MAX_ADDRESS_NESTING = 32
#: Most addresses read from one header.
MAX_ADDRESSES = 2000

_PARAM_RE = re.compile(
    r';\s*([A-Za-z0-9!#$%&\'*+.^_`|~-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;\s]*)', re.DOTALL
)
_MSGID_RE = re.compile(r"<[^<>\s]+>")


def parse_headers(block: bytes) -> dict[str, str]:
    """Header fields, lower-case names, unfolded; the first occurrence of a name wins.

    Values are decoded as UTF-8 (Latin-1 when that fails), not RFC 2047-decoded.
    """
    text = _text(block)
    fields: dict[str, str] = {}
    name: str | None = None
    value: list[str] = []
    for line in text.replace("\r\n", "\n").split("\n"):
        if line[:1] in (" ", "\t") and name is not None:
            value.append(line.strip())
            continue
        if name is not None and name not in fields:
            fields[name] = " ".join(value).strip()[:MAX_HEADER_VALUE]
        key, sep, rest = line.partition(":")
        if sep and key and " " not in key.strip():
            name, value = key.strip().lower(), [rest.strip()]
        else:
            name, value = None, []
    if name is not None and name not in fields:
        fields[name] = " ".join(value).strip()[:MAX_HEADER_VALUE]
    return fields


_WORD_RE = re.compile(r"=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=")
_BETWEEN_WORDS_RE = re.compile(r"(\?=)\s+(?==\?)")


def decode_words(value: str) -> str:
    """An RFC 2047 header value as text; raw 8-bit text around encoded words is kept."""
    if "=?" not in value:
        return value
    # Whitespace between two encoded words is not part of the text (RFC 2047 §6.2).
    value = _BETWEEN_WORDS_RE.sub(r"\1", value)
    return _WORD_RE.sub(_decode_word, value)


def _decode_word(match: re.Match[str]) -> str:
    charset, encoding, text = match.group(1), match.group(2).upper(), match.group(3)
    charset = charset.split("*", 1)[0]  # RFC 2231 language suffix
    try:
        if encoding == "B":
            data = base64.b64decode(text + "=" * (-len(text) % 4))
        else:
            data = quopri.decodestring(text.replace("_", " ").encode("ascii"), header=True)
        return data.decode(charset, errors="replace")
    except (binascii.Error, LookupError, ValueError, UnicodeEncodeError):
        return match.group(0)


_SIMPLE_ADDRESS_RE = re.compile(
    r'\s*(?:"((?:[^"\\]|\\.)*)"|([^",<>()@;:]*?))\s*<([^<>\s",()]+@[^<>\s",()]+)>\s*$'
    r'|\s*([^<>\s",()]+@[^<>\s",()]+)\s*$'
)


def people(value: str | None) -> tuple[Person, ...]:
    """The addresses of an address header, names decoded, addresses lower-cased.

    The usual forms (``Name <a@b>``, ``"Name" <a@b>``, ``a@b``, comma-separated) are read
    directly; anything else (groups, comments, quoted commas…) by the stdlib parser.
    """
    if not value:
        return ()
    value = value[:MAX_HEADER_VALUE]
    found: list[Person] = []
    if '"' not in value or value.count('"') % 2 == 0:
        items = value.split(",") if '"' not in value else None
        if items is not None:
            for item in items:
                match = _SIMPLE_ADDRESS_RE.match(item)
                if match is None:
                    break
                quoted, plain, bracketed, bare = match.groups()
                address = bracketed or bare
                name = quoted if quoted is not None else (plain or "")
                found.append(Person(decode_words(name.strip()).strip(), address.lower()))
            else:
                return tuple(found)
            found = []
    if _nesting(value) > MAX_ADDRESS_NESTING:
        return _loose_people(value)
    try:
        pairs = email.utils.getaddresses([value])
    except (RecursionError, ValueError, IndexError, LookupError):
        return _loose_people(value)
    for name, address in pairs[:MAX_ADDRESSES]:
        if "@" in address:
            found.append(Person(decode_words(name).strip(), address.strip().lower()))
    return tuple(found)


_LOOSE_ADDRESS_RE = re.compile(r"[^\s<>()\[\],;:\"@\\]{1,64}@[^\s<>()\[\],;:\"@\\]{1,255}")


def _nesting(value: str) -> int:
    """How deep comments and angle brackets nest in `value` (a flat scan, never recursive)."""
    depth = deepest = 0
    for char in value:
        if char in "(<":
            depth += 1
            deepest = max(deepest, depth)
        elif char in ")>" and depth:
            depth -= 1
    return deepest


def _loose_people(value: str) -> tuple[Person, ...]:
    """The addresses found in a header the standard parser cannot read safely (no names)."""
    seen: dict[str, Person] = {}
    for match in _LOOSE_ADDRESS_RE.finditer(value):
        address = match.group(0).strip(".").lower()
        if "@" in address and address not in seen:
            seen[address] = Person("", address)
            if len(seen) >= MAX_ADDRESSES:
                break
    return tuple(seen.values())


def message_id(value: str | None) -> str | None:
    """The Message-ID of a header value (angle brackets kept)."""
    if not value:
        return None
    match = _MSGID_RE.search(value)
    return match.group(0) if match else (value.strip() or None)


def message_ids(value: str | None) -> tuple[str, ...]:
    """Every Message-ID in a header value (References)."""
    return tuple(_MSGID_RE.findall(value or ""))


_DATE_RE = re.compile(
    r"\s*(?:[A-Za-z]{3},\s*)?(\d{1,2})\s+([A-Za-z]{3})\s+(\d{4})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?"
    r"\s+([+-])(\d{2})(\d{2})\s*(?:\([^()]*\)\s*)?$"
)
_MONTHS = {
    m: i
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}


def date_epoch(value: str | None) -> int | None:
    """A Date header as epoch seconds, None when unreadable.

    The usual RFC 5322 form (``Mon, 2 Nov 2026 10:00:00 +0100``) is read directly, about ten
    times faster than the stdlib; anything else (obsolete zones, two-digit years…) by it.
    """
    if not value:
        return None
    match = _DATE_RE.match(value)
    if match is not None:
        day, month, year, hours, minutes, seconds, sign, zh, zm = match.groups()
        number = _MONTHS.get(month.lower())
        unknown_zone = sign == "-" and zh == "00" and zm == "00"  # -0000: no zone known
        if (
            number is not None
            and not unknown_zone
            and int(hours) < 24
            and int(minutes) < 60
            and int(seconds or 0) < 60
        ):
            with contextlib.suppress(ValueError):
                moment = calendar.timegm(
                    (int(year), number, int(day), int(hours), int(minutes), int(seconds or 0))
                )
                datetime.date(int(year), number, int(day))  # 31 Feb is not a date
                offset = int(zh) * 3600 + int(zm) * 60
                return moment - offset if sign == "+" else moment + offset
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if parsed.tzinfo is None:
        return None
    return int(parsed.timestamp())


def content_kind(value: str | None) -> str:
    """``type/subtype`` (lower case) of a Content-Type value, without its parameters."""
    if not value:
        return "text/plain"
    main = value.partition(";")[0].strip().lower() or "text/plain"
    return main if "/" in main else "application/octet-stream"


def content_type(value: str | None) -> tuple[str, dict[str, str]]:
    """``type/subtype`` (lower case) and parameters (RFC 2231 continuations joined)."""
    if not value:
        return "text/plain", {}
    return content_kind(value), _params(";" + value.partition(";")[2])


def _disposition(value: str | None) -> tuple[str | None, dict[str, str]]:
    """``attachment``/``inline`` (lower case) and parameters, or (None, {}) when absent."""
    if not value:
        return None, {}
    kind, _, rest = value.partition(";")
    return (kind.strip().lower() or None), _params(";" + rest)


def _params(text: str) -> dict[str, str]:
    raw: dict[str, str] = {}
    for key, value in _PARAM_RE.findall(text):
        if value.startswith('"'):
            value = re.sub(r"\\(.)", r"\1", value[1:-1])
        raw[key.lower()] = value
    params: dict[str, str] = {}
    continued: dict[str, list[tuple[int, str, bool]]] = {}
    for key, value in raw.items():
        match = re.fullmatch(r"(.+?)\*(\d+)(\*?)", key)
        if match:
            continued.setdefault(match.group(1), []).append(
                (int(match.group(2)), value, bool(match.group(3)))
            )
        elif key.endswith("*"):
            params[key[:-1]] = _rfc2231(value)
        else:
            params.setdefault(key, value)
    for key, pieces in continued.items():
        pieces.sort()
        if pieces[0][2]:
            charset, _, rest = pieces[0][1].partition("'")
            _lang, _, first = rest.partition("'")
            joined = first + "".join(p for _, p, _ in pieces[1:])
            params[key] = _unquote(joined, charset or "utf-8")
        else:
            params[key] = "".join(p for _, p, _ in pieces)
    return params


def _rfc2231(value: str) -> str:
    charset, _, rest = value.partition("'")
    _lang, _, text = rest.partition("'")
    if not text:
        return _unquote(value, "utf-8")
    return _unquote(text, charset or "utf-8")


def _unquote(text: str, charset: str) -> str:
    try:
        return urllib.parse.unquote(text, encoding=charset, errors="strict")
    except (UnicodeDecodeError, LookupError):
        return urllib.parse.unquote(text, encoding="latin-1")


def _text(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


@dataclass(frozen=True)
class Scanned:
    """What the archive keeps of a message's body."""

    structure: Structure
    texts: tuple[tuple[str, str], ...]  # (content type, decoded text) of the body's text


def scan(raw: bytes, length: int | None = None) -> Scanned:
    """The parts of a message and the decoded text of its text parts. Never raises.

    `length`: the message is ``raw[:length]`` (a reused buffer, `app.transport.body_stream`).
    """
    leaves: list[tuple[Part, int, int]] = []
    with contextlib.suppress(ValueError, IndexError, LookupError, RecursionError):
        _walk(raw, 0, len(raw) if length is None else length, "", leaves, 0)
    structure = Structure(tuple(p for p, _, _ in leaves))
    wanted = {p.part for p in structure.text_parts()}
    texts = tuple(
        (part.content_type, decode_text(raw[start:end], part))
        for part, start, end in leaves
        if part.part in wanted
    )
    return Scanned(structure, texts)


def _header_end(raw: bytes, start: int, end: int) -> tuple[int, int]:
    """(end of the header block, start of the body) within raw[start:end]."""
    crlf = raw.find(b"\r\n\r\n", start, end)
    lf = raw.find(b"\n\n", start, crlf if crlf >= 0 else end)
    if lf >= 0:
        return lf, lf + 2
    if crlf >= 0:
        return crlf, crlf + 4
    return end, end


def _walk(
    raw: bytes, start: int, end: int, prefix: str, out: list[tuple[Part, int, int]], depth: int
) -> None:
    """Leaves of raw[start:end], as (part, body start, body end): no body is copied."""
    head_end, body_start = _header_end(raw, start, end)
    fields = parse_headers(raw[start:head_end])
    kind, params = content_type(fields.get("content-type"))
    boundary = params.get("boundary")
    if kind.startswith("multipart/") and boundary and depth < MAX_DEPTH:
        children = _split_multipart(raw, body_start, end, boundary.encode("latin-1"))
        for index, (child_start, child_end) in enumerate(children, 1):
            if len(out) >= MAX_PARTS:
                return
            number = f"{prefix}.{index}" if prefix else str(index)
            _walk(raw, child_start, child_end, number, out, depth + 1)
        return
    disposition, disp_params = _disposition(fields.get("content-disposition"))
    filename = disp_params.get("filename") or params.get("name")
    part = Part(
        part=prefix or "1",
        content_type=kind,
        charset=params.get("charset"),
        encoding=fields.get("content-transfer-encoding", "7bit").strip().lower() or "7bit",
        size=end - body_start,
        filename=decode_words(filename) if filename else None,
        disposition=disposition,
    )
    out.append((part, body_start, end))


def _split_multipart(raw: bytes, start: int, end: int, boundary: bytes) -> list[tuple[int, int]]:
    """(start, end) of each body part between the boundary delimiters (RFC 2046 §5.1.1)."""
    delimiter = b"--" + boundary
    parts: list[tuple[int, int]] = []
    at = raw.find(delimiter, start, end)
    while at >= 0:
        after = at + len(delimiter)
        if raw[after : after + 2] == b"--":
            break  # the close delimiter
        line_end = raw.find(b"\n", after, end)
        if line_end < 0:
            break
        content_start = line_end + 1
        nxt = raw.find(b"\n" + delimiter, content_start, end)
        if nxt < 0:
            parts.append((content_start, end))
            break
        content_end = nxt - 1 if nxt > content_start and raw[nxt - 1 : nxt] == b"\r" else nxt
        parts.append((content_start, content_end))
        at = nxt + 1
    return parts


def decode_text(data: bytes, part: Part) -> str:
    """A text part's content: transfer encoding and charset decoded, HTML reduced to text."""
    if part.encoding == "base64":
        try:
            data = base64.b64decode(data, validate=False)
        except (binascii.Error, ValueError):
            data = b""
    elif part.encoding == "quoted-printable":
        data = quopri.decodestring(data)
    charset = (part.charset or "utf-8").lower()
    try:
        text = data.decode(charset, errors="replace")
    except LookupError:
        text = data.decode("utf-8", errors="replace")
    if part.content_type == "text/html":
        return html_to_text(text)
    return text


class _TextOfHtml(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        elif tag in ("br", "p", "div", "li", "tr"):
            self.chunks.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.chunks.append(data)


def html_to_text(html: str) -> str:
    """Readable text of an HTML part (scripts and styles dropped)."""
    parser = _TextOfHtml()
    parser.feed(html)
    parser.close()
    return re.sub(r"\n\s*\n+", "\n\n", "".join(parser.chunks)).strip()
