"""Message lists paged by key (arrival date, id), never OFFSET, while sync adds rows.

Real SQLCipher archives in tmp_path; the query plans are read from SQLite itself.
"""

from __future__ import annotations

import itertools
import secrets
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.domain.message import EnvelopeRecord, MessageSummary, PageKey, Person, Structure
from app.store.archive import Archive
from app.store.repositories.messages import SORT_SHIFT, SearchFilters

BASE = 1_700_000_000
_uids = itertools.count(1)


def _record(date: int, subject: str = "Compte rendu") -> EnvelopeRecord:
    uid = next(_uids)
    return EnvelopeRecord(
        uid=uid,
        flags=0,
        keywords=(),
        internal_date=date,
        size=1000,
        modseq=None,
        message_id=f"<m{uid}@paging.example>",
        in_reply_to=None,
        references=(),
        subject=f"{subject} {uid}",
        sender=Person("Dr A", "a@hopital.mssante.fr"),
        to=(),
        cc=(),
        reply_to=(),
        sent_date=None,
        structure=Structure(),
    )


@pytest.fixture
def archive(tmp_path: Path) -> Iterator[Archive]:
    opened = Archive.open(tmp_path / "archive.db", secrets.token_hex(32))
    with opened.write():
        opened.conn.execute(
            "INSERT INTO accounts (id, name, address, config, created_at) VALUES"
            " (1, 'a', 'a@x.fr', '{}', 0)"
        )
        opened.conn.execute(
            "INSERT INTO folders (id, account_id, name) VALUES (1, 1, 'INBOX'), (2, 1, 'Sent')"
        )
    try:
        yield opened
    finally:
        opened.close()


def _add(archive: Archive, dates: list[int], folder: int = 1, subject: str = "Compte") -> None:
    with archive.write() as a:
        a.messages.insert_envelopes(1, folder, 1, [_record(d, subject) for d in dates])


def _order(m: MessageSummary) -> tuple[int, int]:
    return (m.internal_date, m.id)


def test_pages_neither_skip_nor_repeat_rows_while_sync_inserts(archive: Archive) -> None:
    # Many messages share an arrival second, so a page often ends inside a second.
    _add(archive, [BASE + (n // 7) for n in range(300)])
    initial = {m.id for m in archive.messages.summaries(SearchFilters(folder_id=1, limit=-1))}
    filters = SearchFilters(folder_id=1)
    seen: list[MessageSummary] = []
    expected_extra: set[int] = set()
    deleted: set[int] = set()
    after: PageKey | None = None
    for turn in itertools.count():
        page = archive.messages.page(filters, after, limit=23)
        seen.extend(page.items)
        if page.next is None:
            break
        after = page.next
        assert after == PageKey(page.items[-1].internal_date, page.items[-1].id)
        # Sync inserts between two pages: newer than the cursor (at the top, not in later
        # pages), in the cursor's own second (a later id: above the cursor too) and older
        # (below the cursor: must appear exactly once further down).
        before = {m.id for m in archive.messages.summaries(SearchFilters(folder_id=1, limit=-1))}
        _add(archive, [BASE + 10_000 + turn, after.date, after.date, after.date - 3, BASE - turn])
        now = {m.id for m in archive.messages.summaries(SearchFilters(folder_id=1, limit=-1))}
        for m in archive.messages.summaries_of(sorted(now - before)):
            if _order(m) < (max(after.date, 0), after.id):
                expected_extra.add(m.id)
        if turn == 3:
            # The cursor line itself is deleted before the next page is asked for.
            with archive.write() as a:
                a.messages.delete_local(after.id)
            deleted.add(after.id)
    ids = [m.id for m in seen]
    assert len(ids) == len(set(ids)), "a row was repeated"
    assert set(ids) == (initial | expected_extra) - (deleted - set(ids))
    assert expected_extra and all(i in set(ids) for i in expected_extra)
    orders = [_order(m) for m in seen]
    assert orders == sorted(orders, reverse=True)


def test_same_second_order_follows_ids(archive: Archive) -> None:
    """The invariant keyset paging rests on: within a second, sort key order is id order."""
    _add(archive, [BASE] * 5 + [BASE + 1] * 3)
    with archive.write() as a:
        a.messages.delete_local(a.messages.summaries(SearchFilters(limit=1))[0].id)
    _add(archive, [BASE + 1, BASE, BASE + 1])
    rows = archive.conn.execute("SELECT internal_date, id, sort_key FROM messages").fetchall()
    by_key = sorted(rows, key=lambda r: r[2])
    assert [(r[0], r[1]) for r in by_key] == sorted((r[0], r[1]) for r in rows)
    assert all(r[2] >> SORT_SHIFT == r[0] for r in rows)


def test_search_pages_follow_the_same_keys(archive: Archive) -> None:
    _add(archive, [BASE + n // 3 for n in range(90)], subject="Radiologie thorax")
    _add(archive, [BASE + n for n in range(40)], subject="Biologie")
    _add(archive, [BASE + n for n in range(30)], folder=2, subject="Radiologie envoi")
    whole = archive.messages.search("radiologie", SearchFilters(folder_id=1, limit=-1))
    assert len(whole) == 90
    paged: list[MessageSummary] = []
    after = None
    while True:
        page = archive.messages.search_page("radiologie", SearchFilters(folder_id=1), after, 17)
        paged.extend(page.items)
        if page.next is None:
            break
        after = page.next
    assert [m.id for m in paged] == [m.id for m in whole]
    last = archive.messages.search_page("radiologie", SearchFilters(folder_id=1), None, 90)
    assert len(last.items) == 90 and last.next is None


def test_summaries_of_keeps_the_order_given_and_leaves_out_deleted(archive: Archive) -> None:
    _add(archive, [BASE + n for n in range(5)])
    ids = [m.id for m in archive.messages.summaries(SearchFilters(limit=-1))]
    with archive.write() as a:
        a.messages.delete_local(ids[2])
    wanted = [ids[4], ids[2], ids[0], ids[4], 999_999]
    assert [m.id for m in archive.messages.summaries_of(wanted)] == [ids[4], ids[0]]


def _big_folder(archive: Archive, count: int) -> None:
    """`count` messages in two folders (nine in ten in INBOX), written by SQL for speed."""
    with archive.write() as a:
        a.conn.execute(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)"
            " INSERT INTO messages (account_id, folder_id, uidvalidity, uid, sort_key, subject,"
            " internal_date, size, added_at, from_addr)"
            " SELECT 1, 1 + (i % 10 = 0), 1, i, (? + i * 60) << ?, 'Sujet ' || i"
            " || CASE WHEN i % 500 = 1 THEN ' scintigraphie' ELSE '' END, ? + i * 60, 1000, 0,"
            " 'a@x.fr' FROM n",
            (count, BASE, SORT_SHIFT, BASE),
        )
        a.conn.execute(
            "INSERT INTO message_text (sort_key, subject) SELECT sort_key, subject FROM messages"
        )
        a.conn.execute("INSERT INTO message_fts (message_fts) VALUES ('rebuild')")


def _plans(archive: Archive, call: object) -> tuple[list[str], float]:
    """The query plan lines of every statement `call` runs, and how long it took."""
    statements: list[str] = []
    archive.conn.set_trace_callback(statements.append)
    try:
        started = time.perf_counter()
        assert callable(call)
        call()
        elapsed = time.perf_counter() - started
    finally:
        archive.conn.set_trace_callback(None)
    lines = []
    for sql in statements:
        if sql.startswith("--") or "'main'." in sql:  # FTS5's own statements
            continue
        lines += [r[3] for r in archive.conn.execute("EXPLAIN QUERY PLAN " + sql)]
    return lines, elapsed


def test_first_pages_of_a_100000_message_folder_use_indexes_not_sorts(archive: Archive) -> None:
    _big_folder(archive, 100_000)
    folder = SearchFilters(folder_id=1)
    first = archive.messages.page(folder, None, 200)
    assert len(first.items) == 200 and first.next is not None
    for call in (
        lambda: archive.messages.page(folder, None, 200),
        lambda: archive.messages.page(folder, first.next, 200),
    ):
        plan, elapsed = _plans(archive, call)
        text = "\n".join(plan)
        assert "TEMP B-TREE" not in text, text
        assert "SCAN m" not in text, text  # the folder index, walked backwards
        assert "messages_by_folder" in text, text
        assert elapsed < 5.0  # generous: the plan is the real check
    # Search newest first: FTS5 hands matches over in rowid (sort key) order and stops at
    # the page's end; no sort of every match, whatever the folder filter.
    for filters in (SearchFilters(), folder):
        plan, elapsed = _plans(
            archive, lambda f=filters: archive.messages.search_page("sujet", f, None, 200)
        )
        text = "\n".join(plan)
        assert "TEMP B-TREE" not in text, text
        assert plan[0].startswith("SCAN x VIRTUAL TABLE"), text
        assert elapsed < 5.0  # generous: the plan is the real check
    rare = archive.messages.search_page("scintigraphie", folder, None, 50)
    assert [m.subject.endswith("scintigraphie") for m in rare.items] == [True] * 50
