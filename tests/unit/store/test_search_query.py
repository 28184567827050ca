"""What the user types becomes a safe FTS5 query."""

from __future__ import annotations

import sqlite3

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.errors import ValidationError
from app.store.repositories.messages import to_fts_query


def test_words_are_anded_phrases_kept_prefixes_allowed() -> None:
    assert to_fts_query("échographie cardiaque") == '"échographie" "cardiaque"'
    assert to_fts_query('"fraction d\'éjection" cardio*') == '"fraction d\'éjection" "cardio"*'


def test_fts_operators_and_columns_typed_by_the_user_are_plain_words() -> None:
    assert to_fts_query("subject:NEAR(a b) OR NOT") == '"subject:NEAR(a" "b)" "OR" "NOT"'


def test_nothing_to_search_is_refused() -> None:
    with pytest.raises(ValidationError):
        to_fts_query('  " " * ')


@given(st.text(min_size=1, max_size=40))
def test_any_input_gives_a_query_sqlite_accepts(text: str) -> None:
    try:
        query = to_fts_query(text)
    except ValidationError:
        return
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE t USING fts5(a, tokenize='unicode61 remove_diacritics 2')")
    db.execute("INSERT INTO t VALUES ('échographie cardiaque')")
    db.execute("SELECT count(*) FROM t WHERE t MATCH ?", (query,)).fetchone()
