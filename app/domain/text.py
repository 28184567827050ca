"""Text folding for matching: case, accents and ligatures ignored.

One rule for every comparison of what people type with what is stored (directory searches,
keywords of delivery reports), so ``helene`` finds *Hélène*, ``coeur`` finds *Cœur* and
``cœur`` finds *Coeur*.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from functools import lru_cache

#: Letters NFKD does not decompose, spelled out (a full-text index that folds only accents
#: must be given text with these already spelled out to agree with `fold`).
SPELLED_OUT_LETTERS: Mapping[str, str] = {
    "ß": "ss",
    "Œ": "OE",
    "œ": "oe",
    "Æ": "AE",
    "æ": "ae",
    "Ø": "O",
    "ø": "o",
}
_SPELLED_OUT = str.maketrans({**SPELLED_OUT_LETTERS, "’": "'", "‘": "'"})


@lru_cache(maxsize=131072)
def fold(text: str) -> str:
    """Lower case without accents, ligatures spelled out, apostrophes plain.

    ``"Élodie D’ACHÉ Œuvre"`` → ``"elodie d'ache oeuvre"``. Cached: names and towns repeat a
    great deal in the directory.
    """
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text).translate(_SPELLED_OUT)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
