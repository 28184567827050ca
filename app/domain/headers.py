"""Header text: the one rule that turns any string into a safe one-line header value.

Everything Pli writes into a header (subjects, display names, report fields, the XDM subject,
``X-MSS-*`` values) goes through `one_line`, so a line break or a control character a user,
a sender or a directory typed can neither start a new header nor hide text.
"""

from __future__ import annotations

import unicodedata

#: Categories removed: controls (C0, DEL, C1) and lone surrogates (which cannot be encoded).
#: Format characters (joiners, bidirectional marks) are text and stay: a file name, which
#: must not disguise its extension, is cleaned further by `sanitize_filename`.
_DROPPED_CATEGORIES = frozenset({"Cc", "Cs"})


def one_line(text: str | None) -> str:
    r"""`text` as one line of header text.

    Every whitespace character (tab, CR, LF, VT, FF, NEL, U+2028/U+2029, no-break spaces…)
    becomes a space, runs of spaces become one, the ends are trimmed; other control characters
    and lone surrogates are removed.

    >>> one_line("Résultats\r\nBcc: x@evil.fr")
    'Résultats Bcc: x@evil.fr'
    """
    if not text:
        return ""
    if text.isascii() and text.isprintable():
        return " ".join(text.split())
    kept = []
    for ch in text:
        if ch.isspace():
            kept.append(" ")
        elif unicodedata.category(ch) not in _DROPPED_CATEGORIES:
            kept.append(ch)
    return " ".join("".join(kept).split())
