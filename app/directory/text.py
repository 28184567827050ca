"""Text folding for the directory: case and accents ignored, separators squashed.

The full-text index (FTS5 ``unicode61 remove_diacritics 2``) folds what it indexes; these
helpers fold what we compute ourselves (sort keys, squashed surnames) and the user's query,
so both sides agree.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_TOKEN = re.compile(r"[^\W_]+")


@lru_cache(maxsize=131072)
def fold(text: str) -> str:
    """Lower case without accents: ``"Élodie D'Aché"`` → ``"elodie d'ache"``.

    Cached: names and towns repeat a great deal in the extraction.
    """
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    # Letters NFKD does not decompose.
    stripped = stripped.replace("ß", "ss").replace("Œ", "OE").replace("œ", "oe")
    stripped = stripped.replace("Æ", "AE").replace("æ", "ae").replace("Ø", "O").replace("ø", "o")
    return stripped.lower()


@lru_cache(maxsize=131072)
def squash(text: str) -> str:
    """Folded, with every separator removed: ``"D'ALEMBERT-Le Rond"`` → ``"dalembertlerond"``.

    Lets ``dalembert`` find ``D'ALEMBERT`` and ``legoff`` find ``LE GOFF``.
    """
    return _NON_ALNUM.sub("", fold(text))


def tokens(text: str) -> list[str]:
    """The folded words of `text`, split as the full-text index splits them."""
    return _TOKEN.findall(fold(text))
