"""Text folding for the directory: case and accents ignored, separators squashed.

The full-text index (FTS5 ``unicode61 remove_diacritics 2``) folds what it indexes; these
helpers fold what we compute ourselves (sort keys, squashed surnames) and the user's query,
so both sides agree. Folding itself is the domain's one rule (`app.domain.text.fold`).
"""

from __future__ import annotations

import re
from functools import lru_cache

from app.domain.text import fold

__all__ = ["fold", "squash", "tokens"]

_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_TOKEN = re.compile(r"[^\W_]+")


@lru_cache(maxsize=131072)
def squash(text: str) -> str:
    """Folded, with every separator removed: ``"D'ALEMBERT-Le Rond"`` → ``"dalembertlerond"``.

    Lets ``dalembert`` find ``D'ALEMBERT`` and ``legoff`` find ``LE GOFF``.
    """
    return _NON_ALNUM.sub("", fold(text))


def tokens(text: str) -> list[str]:
    """The folded words of `text`, split as the full-text index splits them."""
    return _TOKEN.findall(fold(text))
