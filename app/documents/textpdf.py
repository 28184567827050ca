"""Plain text to a readable A4 PDF (fpdf2), for RTF letters and CDA narratives.

Uses the PDF core font Helvetica in WinAnsi (Windows-1252) encoding, which covers French
completely (é è à ç ô œ Œ Ÿ € « » ’ …) with nothing to embed; characters outside it are
replaced by their closest WinAnsi form (decomposition) or by ``?``.
"""

from __future__ import annotations

import unicodedata
from datetime import datetime

_ENCODING = "windows-1252"
_SUBSTITUTES = {
    "\u202f": " ",  # narrow no-break space, before ; : ! ? in French typography
    "\u2009": " ",
    "\u2007": " ",
    "\u2011": "-",
    "\u2010": "-",
    "\u2212": "-",
    "\u2043": "-",
    "\u2024": ".",
    "\u00ad": "",  # soft hyphen
}
_FONT_SIZE = 11.0
_LINE_HEIGHT = 5.5  # mm
_TITLE_SIZE = 14.0


def text_to_pdf(
    text: str,
    *,
    title: str = "",
    author: str = "",
    created: datetime | None = None,
) -> bytes:
    """Lay `text` out on A4 pages (paragraphs kept, long lines wrapped, pages numbered).

    Blocking, CPU-bound.

    Args:
        text: the text; form feeds start a new page.
        title: shown as a heading on the first page and stored as the PDF title.
        author: stored as the PDF author.
        created: the PDF creation date (fixed by tests for reproducible output).
    """
    # Imported here: fpdf and fontTools take a fifth of a second to import, and only the
    # conversions to PDF need them, not every command.
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.core_fonts_encoding = _ENCODING
    pdf.set_margins(20, 20, 20)
    pdf.set_auto_page_break(auto=True, margin=20)
    pdf.set_creator("Pli")
    if title:
        pdf.set_title(_winansi(title))
    if author:
        pdf.set_author(_winansi(author))
    if created is not None:
        pdf.set_creation_date(created)
    pdf.set_lang("fr-FR")
    pdf.add_page()
    if title:
        pdf.set_font("Helvetica", style="B", size=_TITLE_SIZE)
        pdf.multi_cell(0, 7, _winansi(title), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(3)
    pdf.set_font("Helvetica", size=_FONT_SIZE)
    for index, page in enumerate(text.split("\f")):
        if index:
            pdf.add_page()
        for line in page.splitlines() or [""]:
            pdf.multi_cell(
                0, _LINE_HEIGHT, _winansi(line) or " ", new_x=XPos.LMARGIN, new_y=YPos.NEXT
            )
    return bytes(pdf.output())


def _winansi(text: str) -> str:
    out: list[str] = []
    for ch in text:
        ch = _SUBSTITUTES.get(ch, ch)
        if ch == "\t":
            out.append("    ")
            continue
        if not ch or _encodable(ch):
            out.append(ch)
            continue
        if unicodedata.category(ch)[0] == "C":
            continue
        decomposed = "".join(c for c in unicodedata.normalize("NFKD", ch) if _encodable(c))
        out.append(decomposed or "?")
    return "".join(out)


def _encodable(ch: str) -> bool:
    try:
        ch.encode(_ENCODING)
    except UnicodeEncodeError:
        return False
    return True
