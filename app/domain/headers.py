"""Header text: the one rule that turns any string into a safe one-line header value.

Everything Pli writes into a header (subjects, display names, report fields, the XDM subject,
``X-MSS-*`` values) goes through `one_line`, so a line break or a control character a user,
a sender or a directory typed can neither start a new header nor hide text.
"""

from __future__ import annotations

import unicodedata

#: Format characters kept: joiners are part of emoji sequences and of some scripts' spelling.
_KEPT_FORMAT = frozenset("\u200c\u200d")
#: Categories removed: controls, surrogates, and format characters (bidirectional overrides
#: such as U+202E, which can disguise text, zero-width spaces, soft hyphens).
_DROPPED_CATEGORIES = frozenset({"Cc", "Cs", "Cf"})


def one_line(text: str | None) -> str:
    r"""`text` as one line of header text.

    Every whitespace character (tab, CR, LF, VT, FF, NEL, U+2028/U+2029, no-break spaces…)
    becomes a space, runs of spaces become one, the ends are trimmed; control, surrogate and
    format characters are removed (but the zero-width joiners ZWJ/ZWNJ are kept).

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
        elif ch in _KEPT_FORMAT or unicodedata.category(ch) not in _DROPPED_CATEGORIES:
            kept.append(ch)
    return " ".join("".join(kept).split())
