"""The one header-text rule (`one_line`) and the one folding rule (`fold`)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.headers import one_line
from app.domain.text import fold


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Résultats\r\nBcc: x@evil.fr", "Résultats Bcc: x@evil.fr"),
        ("  a\t\tb \v c\f", "a b c"),
        ("a\x85b\u2028c\u2029d", "a b c d"),
        ("nul\x00 and bell\x07 dropped\x7f", "nul and bell dropped"),
        ("no\u00a0break", "no break"),
        ("joiner 👩\u200d⚕️ kept", "joiner 👩\u200d⚕️ kept"),
        ("", ""),
        (None, ""),
    ],
)
def test_one_line(raw: str | None, expected: str) -> None:
    assert one_line(raw) == expected


@settings(max_examples=200, deadline=None)
@given(st.text(st.characters(blacklist_categories=("Cs",))))
def test_one_line_never_leaves_a_line_break_or_control(text: str) -> None:
    out = one_line(text)
    assert not any(ch in out for ch in "\r\n\x00\x0b\x0c\x85\u2028\u2029")
    assert out == out.strip()
    assert "  " not in out
    assert one_line(out) == out


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Élodie D’ACHÉ Œuvre", "elodie d'ache oeuvre"),
        ("cœur", "coeur"),
        ("Lætitia", "laetitia"),
        ("Straße", "strasse"),
        ("Søren", "soren"),
        ("Aÿ", "ay"),
        ("ÿ", "y"),
        ("plain ascii", "plain ascii"),
    ],
)
def test_fold(raw: str, expected: str) -> None:
    assert fold(raw) == expected


def test_fold_is_the_same_both_ways() -> None:
    assert fold("Cœur") == fold("coeur") == fold("COEUR")
    assert fold("ÆGIS") == fold("aegis")
