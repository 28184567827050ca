"""Abbreviations of French health structures, matched both ways in directory searches.

``CHU Pointe-à-Pitre`` finds *Centre hospitalier universitaire de Pointe-à-Pitre* and
``centre hospitalier universitaire nantes`` finds *CHU de Nantes*. The default table is here;
users extend it with a JSON object of abbreviation → full name(s) (`load_abbreviations`).

Full names are compared by their significant words (``de``, ``la``, ``pour``… left out), each
cut to a stem (a final ``s`` then a final ``e`` dropped; a name of one word is kept whole) and
matched as a word prefix, so plurals and feminine forms match (*spécialisé*/*spécialisée*,
*âgées*/*âgés*).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from app.directory.text import tokens

log = logging.getLogger(__name__)

#: The usual abbreviations of French health and medico-social structures.
DEFAULT_ABBREVIATIONS: Mapping[str, tuple[str, ...]] = {
    "ars": ("agence régionale de santé",),
    "camsp": ("centre d'action médico-sociale précoce",),
    "cds": ("centre de santé",),
    "ch": ("centre hospitalier",),
    "chd": ("centre hospitalier départemental",),
    "chi": ("centre hospitalier intercommunal",),
    "chr": ("centre hospitalier régional",),
    "chru": ("centre hospitalier régional universitaire",),
    "chs": ("centre hospitalier spécialisé",),
    "chu": ("centre hospitalier universitaire",),
    "clcc": ("centre de lutte contre le cancer",),
    "cmp": ("centre médico-psychologique",),
    "cmpp": ("centre médico-psycho-pédagogique",),
    "cms": ("centre médico-social", "centre municipal de santé"),
    "cpam": ("caisse primaire d'assurance maladie",),
    "cpts": ("communauté professionnelle territoriale de santé",),
    "csapa": ("centre de soins d'accompagnement et de prévention en addictologie",),
    "dac": ("dispositif d'appui à la coordination",),
    "ehpad": ("établissement d'hébergement pour personnes âgées dépendantes",),
    "epsm": ("établissement public de santé mentale",),
    "esat": (
        "établissement et service d'aide par le travail",
        "établissement et service d'accompagnement par le travail",
    ),
    "fam": ("foyer d'accueil médicalisé",),
    "gcs": ("groupement de coopération sanitaire",),
    "ght": ("groupement hospitalier de territoire",),
    "had": ("hospitalisation à domicile",),
    "ime": ("institut médico-éducatif",),
    "lbm": ("laboratoire de biologie médicale",),
    "mas": ("maison d'accueil spécialisée",),
    "mdph": ("maison départementale des personnes handicapées",),
    "msp": (
        "maison de santé pluriprofessionnelle",
        "maison de santé pluri-professionnelle",
        "maison de santé pluridisciplinaire",
    ),
    "pmi": ("protection maternelle et infantile",),
    "samsah": ("service d'accompagnement médico-social pour adultes handicapés",),
    "samu": ("service d'aide médicale urgente",),
    "sessad": ("service d'éducation spéciale et de soins à domicile",),
    "smr": ("soins médicaux et de réadaptation",),
    "smur": ("service mobile d'urgence et de réanimation",),
    "ssiad": ("service de soins infirmiers à domicile",),
    "ssr": ("soins de suite et de réadaptation",),
    "st": ("saint",),
    "ste": ("sainte",),
    "usld": ("unité de soins de longue durée",),
}

#: Words a full name may leave out or spell otherwise: not compared.
STOP_WORDS: frozenset[str] = frozenset(
    {"a", "au", "aux", "d", "de", "des", "du", "en", "et", "l", "la", "le", "les", "pour", "par"}
)


def stem(word: str) -> str:
    """A folded word cut to what its plural and feminine forms share."""
    if len(word) > 3 and word.endswith("s"):
        word = word[:-1]
    if len(word) > 4 and word.endswith("e"):
        word = word[:-1]
    return word


def significant_stems(full_name: str) -> tuple[str, ...]:
    """The stems of the words of `full_name` that matter, in order, without repeats.

    A name of one word is kept whole: ``ste`` is *sainte*, not every *saint*.
    """
    words = [w for w in tokens(full_name) if w not in STOP_WORDS]
    if len(words) == 1:
        return (words[0],)
    return tuple(dict.fromkeys(stem(w) for w in words))


@dataclass(frozen=True)
class Abbreviations:
    """A table of abbreviations (folded, one word) and the full names they stand for."""

    table: Mapping[str, tuple[str, ...]]

    @classmethod
    def default(cls) -> Abbreviations:
        """The built-in table."""
        return _DEFAULT

    def extended(self, extra: Mapping[str, Iterable[str]]) -> Abbreviations:
        """This table with `extra`'s entries added (a known abbreviation gains the names)."""
        merged = {k: list(v) for k, v in self.table.items()}
        for key, names in extra.items():
            folded = "".join(tokens(key))
            if not folded:
                continue
            known = merged.setdefault(folded, [])
            known.extend(n for n in names if n not in known)
        return Abbreviations({k: tuple(v) for k, v in merged.items()})

    @cached_property
    def expansions(self) -> Mapping[str, tuple[tuple[str, ...], ...]]:
        """Abbreviation → the significant stems of each full name (empty ones left out)."""
        out: dict[str, tuple[tuple[str, ...], ...]] = {}
        for key, names in self.table.items():
            stems = tuple(dict.fromkeys(s for s in map(significant_stems, names) if s))
            if stems:
                out[key] = stems
        return out

    @cached_property
    def by_stems(self) -> tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]:
        """(stems of a full name, the abbreviations standing for it), longest names first."""
        found: dict[tuple[str, ...], list[str]] = {}
        for key, names in self.expansions.items():
            for stems in names:
                found.setdefault(stems, []).append(key)
        ordered = sorted(found.items(), key=lambda item: (-len(item[0]), item[0]))
        return tuple((stems, tuple(keys)) for stems, keys in ordered)


_DEFAULT = Abbreviations(DEFAULT_ABBREVIATIONS)


def load_abbreviations(path: Path, base: Abbreviations | None = None) -> Abbreviations:
    """`base` (the default table) extended with a user's JSON file, when it exists.

    The file holds one object: ``{"CHT": ["centre hospitalier de territoire"], "CSI":
    "centre de soins infirmiers"}`` (a string or a list of strings per abbreviation). A file
    that is not such an object is ignored with a warning: searches still work.
    """
    table = base or Abbreviations.default()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return table
    except (OSError, ValueError) as error:
        log.warning("Abbreviations file ignored: %s", type(error).__name__)
        return table
    extra: dict[str, list[str]] = {}
    for key, value in data.items() if isinstance(data, dict) else ():
        names = [value] if isinstance(value, str) else value
        if isinstance(names, list) and all(isinstance(n, str) for n in names):
            extra[key] = names
    if not isinstance(data, dict) or len(extra) != len(data):
        log.warning("Abbreviations file: entries that are not text ignored")
    return table.extended(extra)
