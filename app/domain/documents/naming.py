"""Subjects, MSSanté headers and standard names of documents (spec §3, §5)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

from app.domain.documents.filenames import FORBIDDEN_CHARS, sanitize_filename
from app.domain.headers import one_line

#: The technical subject prefix of a message carrying an XDM package (ECO.2.1.3).
XDM_SUBJECT_PREFIX = "XDM/1.0/DDM+"
_XDM_PREFIX_RE = re.compile(r"XDM/1\.0/DDM\+\s*", re.IGNORECASE)


def xdm_subject(label: str, family: str, given: str, birth_date: date | None) -> str:
    """``XDM/1.0/DDM+<libellé> <NOM> <prénom> <date de naissance>`` (spec §3, ECO.2.1.3).

    The birth date is written ``JJ/MM/AAAA`` as in the CI-SIS examples; it is left out when
    unknown.
    """
    parts = [one_line(label), one_line(family).upper(), one_line(given)]
    if birth_date is not None:
        parts.append(birth_date.strftime("%d/%m/%Y"))
    return XDM_SUBJECT_PREFIX + " ".join(p for p in parts if p)


def display_subject(subject: str) -> str:
    """The subject as shown to people: the ``XDM/1.0/DDM+`` prefix hidden (ECO.3.1.3).

    The prefix may come after reply markers (``RE:``) or a tag an automaton added, so it is
    removed wherever it appears.
    """
    return _XDM_PREFIX_RE.sub("", subject).strip()


def x_mss_codecda(codes: Iterable[str]) -> str:
    """The ``X-MSS-CODECDA`` value: the CDA type codes, comma-separated (ECO.2.4.1)."""
    seen: list[str] = []
    for code in codes:
        clean = one_line(code)
        if clean and clean not in seen:
            seen.append(clean)
    return ",".join(seen)


def x_mss_ins(qualified_ins: bool) -> str:
    """The ``X-MSS-INS`` value: ``O`` when the CDA holds a qualified INS, else ``N``."""
    return "O" if qualified_ins else "N"


def pdf_rendering_name(
    act_date: date,
    document_type: str,
    family: str,
    given: str,
    file_number: str | None = None,
) -> str:
    """``<AAAAMMJJ>_<type de document>_<NOM>_<prénom>[_<n° dossier>].pdf`` (spec §3).

    Each part is cleaned so the name is a safe file name on every system (no separators,
    no control characters); spaces and apostrophes are kept, as in the CI-SIS example
    ``20220531_CR d'imagerie médicale_CORSE_FIGATELLIX.pdf``.
    """
    parts = [
        act_date.strftime("%Y%m%d"),
        _name_part(document_type),
        _name_part(family).upper(),
        _name_part(given),
    ]
    if file_number:
        parts.append(_name_part(file_number))
    return sanitize_filename("_".join(p for p in parts if p) + ".pdf")


def _name_part(text: str) -> str:
    return FORBIDDEN_CHARS.sub("-", one_line(text)).strip(" .")
