"""Long prefixes (``cardio*``) answered through the terms they match, with FTS5's exact results.

`expand_prefixes` reads the terms from the full-text index's own pages; whatever it does, a
search must find exactly what FTS5's prefix query finds, in the same order, on an index of many
segments, some of them being merged (their leading pages already consumed).
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.store.archive import Archive
from app.store.repositories.messages import SORT_SHIFT, to_fts_query
from app.store.repositories.messages.text_index import expand_prefixes

WORDS = [
    "cardio",
    "cardiologie",
    "cardiologue",
    "cardiologique",
    "cardiopathie",
    "cardiaque",
    "carte",
    "carnet",
    "ordonnance",
    "ordonner",
    "ordre",
    "creatinine",
    "creatin",
    "creation",
    "bisoprolol",
    "patient",
    "patiente",
    "patientele",
    "hypertension",
    "hypertrophie",
    "insuffisance",
    "renale",
    "renal",
    "rein",
    "robert",
    "roberta",
    "zebre",
    "a1c",
    "hba1c",
    "2024",
    "20240101",
]
PREFIXES = (
    "cardio",
    "cardiol",
    "ordon",
    "creat",
    "patient",
    "hypert",
    "robe",
    "a1c",
    "2024",
    "zzzz",
)


@pytest.fixture
def archive(tmp_path: Path) -> Iterator[Archive]:
    opened = Archive.open(tmp_path / "archive.db", secrets.token_hex(32))
    try:
        yield opened
    finally:
        opened.close()


def _fill(archive: Archive, count: int, per_transaction: int) -> None:
    rng = random.Random(15)
    conn = archive.conn
    # Small automerge steps: segments stay many, and merges are left half done.
    conn.execute("INSERT INTO message_fts (message_fts, rank) VALUES ('automerge', 2)")
    conn.execute("INSERT INTO message_fts (message_fts, rank) VALUES ('pgsz', 200)")
    for start in range(0, count, per_transaction):
        rows = []
        for i in range(start, min(count, start + per_transaction)):
            body = " ".join(rng.choice(WORDS) for _ in range(12))
            rows.append(((1_700_000_000 + i) << SORT_SHIFT, "Sujet", "Dr A", body, ""))
        with archive.write():
            archive.messages.text.add(rows)


def _rowids(archive: Archive, query: str) -> list[int]:
    return [
        int(r[0])
        for r in archive.conn.execute(
            "SELECT rowid FROM message_fts WHERE message_fts MATCH ? ORDER BY rowid DESC",
            (query,),
        )
    ]


def test_expanded_prefixes_find_exactly_what_fts5_finds(archive: Archive) -> None:
    _fill(archive, 3000, 37)
    structure_pages = archive.conn.execute("SELECT count(*) FROM message_fts_data").fetchone()[0]
    assert structure_pages > 50  # many pages, many segments
    rewritten = 0
    for prefix in PREFIXES:
        for typed in (f"{prefix}*", f"{prefix}* ordonnance", f"bisoprolol {prefix}*"):
            native = to_fts_query(typed)
            expanded = expand_prefixes(archive.conn, native)
            rewritten += expanded != native
            assert _rowids(archive, expanded) == _rowids(archive, native), typed
    assert rewritten >= 20  # the rewrite did happen (short or unknown prefixes stay as typed)


def test_prefixes_kept_as_typed(archive: Archive) -> None:
    _fill(archive, 200, 50)
    for typed in ('"car"*', '"zzzz"*', '"créat"*', '"cardio"', '"cardio" "ordonnance"'):
        assert expand_prefixes(archive.conn, typed) == typed
    assert expand_prefixes(archive.conn, '"cardio"*') == (
        '("cardio" OR "cardiologie" OR "cardiologique" OR "cardiologue" OR "cardiopathie")'
    )
