"""RTF letters: their text (for the index and for display) and a PDF for patients.

Spec §5: patients cannot view RTF in place; Pli offers to convert it to a PDF before sending.
The conversion keeps the text and its paragraphs (not fonts, tables or pictures): what
matters is that the patient can read the letter, accents included.
"""

from __future__ import annotations

import codecs
import re
from datetime import datetime

from striprtf.striprtf import rtf_to_text as _strip_rtf

from app.documents.textpdf import text_to_pdf
from app.domain.errors import DocumentError

#: RTF larger than this is refused (the text of a letter is a few kilobytes; pictures make
#: the rest, and are dropped anyway).
MAX_RTF_BYTES = 20 * 1024 * 1024
_CODEPAGE = re.compile(rb"\\ansicpg(\d{3,5})")
_MAC = re.compile(rb"^\{\\rtf1?\\mac")


def rtf_text(data: bytes) -> str:
    """The plain text of an RTF document (paragraphs as lines).

    Blocking, CPU-bound.

    Raises:
        DocumentError: ``rtf.unreadable`` (not RTF), ``rtf.too_large``.
    """
    if len(data) > MAX_RTF_BYTES:
        raise DocumentError("rtf.too_large", limit=MAX_RTF_BYTES)
    if not data.lstrip().startswith(b"{\\rtf"):
        raise DocumentError("rtf.unreadable")
    encoding = _encoding(data)
    # RTF is 7-bit with escapes for anything else (\'e9, \u233); raw 8-bit bytes, which some
    # writers emit, are in the declared code page.
    source = data.decode(encoding, errors="replace")
    try:
        # striprtf ships py.typed but leaves this function unannotated.
        text = str(_strip_rtf(source, encoding=encoding, errors="replace"))  # type: ignore[no-untyped-call]
    except (ValueError, LookupError, IndexError, KeyError):
        raise DocumentError("rtf.unreadable") from None
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return "\n".join(lines).strip("\n")


def rtf_to_pdf(data: bytes, *, title: str = "", created: datetime | None = None) -> bytes:
    """A readable PDF of an RTF letter (its text, paragraphs kept, French accents correct).

    Blocking, CPU-bound.

    Raises:
        DocumentError: as `rtf_text`.
    """
    return text_to_pdf(rtf_text(data), title=title, created=created)


def _encoding(data: bytes) -> str:
    match = _CODEPAGE.search(data[:4096])
    if match is not None:
        candidate = f"cp{int(match.group(1))}"
        try:
            codecs.lookup(candidate)
        except LookupError:
            pass
        else:
            return candidate
    if _MAC.match(data[:16]):
        return "mac_roman"
    return "cp1252"
