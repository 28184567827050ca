"""The full-text index of messages: subject, people, body text, attachment names and text.

`message_text` holds the indexed text (keyed by the message's sort key) and `message_fts` is an
external-content FTS5 table over it, so the index stays consistent only if every change goes
through here. Blocking: the store's thread only (or the read thread, for queries).
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Sequence

from app.domain.errors import ValidationError
from app.store.database import Connection
from app.store.repositories.messages.rows import TextRow


class TextIndex:
    """`message_text` and its FTS5 index."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def add(self, entries: Sequence[TextRow]) -> None:
        """Index messages new to the archive (sort key, subject, people, body, attachments)."""
        self._conn.executemany(
            "INSERT OR REPLACE INTO message_text (sort_key, subject, people, body, attachments)"
            " VALUES (?, ?, ?, ?, ?)",
            entries,
        )
        self._conn.executemany(
            "INSERT INTO message_fts (rowid, subject, people, body, attachments)"
            " VALUES (?, ?, ?, ?, ?)",
            entries,
        )

    def replace(self, entries: Sequence[TextRow]) -> None:
        """Replace the indexed text of messages: (sort key, subject, people, body, attachments).

        The full-text statements run together, after the others: FTS5 writes its pending
        terms out whenever a statement on another table intervenes, which made every body's
        row cost as much as a small index flush.
        """
        if not entries:
            return
        olds = []
        for entry in entries:
            old = self._conn.execute(
                "SELECT subject, people, body, attachments FROM message_text WHERE sort_key = ?",
                (entry[0],),
            ).fetchone()
            if old is not None:
                olds.append((entry[0], *old))
        self._conn.executemany(
            "INSERT OR REPLACE INTO message_text (sort_key, subject, people, body, attachments)"
            " VALUES (?, ?, ?, ?, ?)",
            entries,
        )
        self._conn.executemany(
            "INSERT INTO message_fts (message_fts, rowid, subject, people, body, attachments)"
            " VALUES ('delete', ?, ?, ?, ?, ?)",
            olds,
        )
        self._conn.executemany(
            "INSERT INTO message_fts (rowid, subject, people, body, attachments)"
            " VALUES (?, ?, ?, ?, ?)",
            entries,
        )

    def remove(self, sort_key: int) -> None:
        """Drop a message from the index (it leaves the archive)."""
        old = self._conn.execute(
            "SELECT subject, people, body, attachments FROM message_text WHERE sort_key = ?",
            (sort_key,),
        ).fetchone()
        if old is not None:
            self._conn.execute(
                "INSERT INTO message_fts (message_fts, rowid, subject, people, body, attachments)"
                " VALUES ('delete', ?, ?, ?, ?, ?)",
                (sort_key, *old),
            )
            self._conn.execute("DELETE FROM message_text WHERE sort_key = ?", (sort_key,))

    def set_attachment_text(self, sort_key: int, text: str) -> None:
        """Replace the indexed text of a message's attachments (names and contents)."""
        row = self._conn.execute(
            "SELECT subject, people, body FROM message_text WHERE sort_key = ?", (sort_key,)
        ).fetchone()
        if row is None:
            return
        self.replace([(sort_key, row[0], row[1], row[2], text)])

    def attachments_to_index(self, limit: int | None = None) -> list[tuple[int, int]]:
        """(message id, sort key) of archived messages with attachments not inspected yet."""
        rows = self._conn.execute(
            "SELECT DISTINCT m.id, m.sort_key FROM attachments t JOIN messages m"
            " ON m.id = t.message_id WHERE t.index_state = 0 AND m.body_state = 1"
            " ORDER BY m.sort_key DESC LIMIT ?",
            (limit if limit is not None else -1,),
        ).fetchall()
        return [(int(r[0]), int(r[1])) for r in rows]

    def save_attachment_index(
        self, pk: int, sort_key: int, text: str, states: dict[str, tuple[int, str]]
    ) -> None:
        """Store the inspection of a message's attachments and their text, in the index."""
        self.set_attachment_text(sort_key, text)
        parts = self._conn.execute(
            "SELECT part FROM attachments WHERE message_id = ?", (pk,)
        ).fetchall()
        for (part,) in parts:
            state, info = states.get(part, (2, json.dumps({"missing": True})))
            self._conn.execute(
                "UPDATE attachments SET index_state = ?, info = ? WHERE message_id = ?"
                " AND part = ?",
                (state, info, pk, part),
            )

    def save_attachment_indexes(
        self, items: Sequence[tuple[int, int, str, dict[str, tuple[int, str]]]]
    ) -> None:
        """`save_attachment_index` for several messages (pk, sort key, text, states).

        The inspection rows first, then every full-text row in one go: FTS5 writes its pending
        terms out whenever a statement on another table intervenes.
        """
        entries: list[TextRow] = []
        for pk, sort_key, text, states in items:
            parts = self._conn.execute(
                "SELECT part FROM attachments WHERE message_id = ?", (pk,)
            ).fetchall()
            self._conn.executemany(
                "UPDATE attachments SET index_state = ?, info = ? WHERE message_id = ?"
                " AND part = ?",
                [
                    (*states.get(part, (2, json.dumps({"missing": True}))), pk, part)
                    for (part,) in parts
                ],
            )
            row = self._conn.execute(
                "SELECT subject, people, body FROM message_text WHERE sort_key = ?", (sort_key,)
            ).fetchone()
            if row is not None:
                entries.append((sort_key, row[0], row[1], row[2], text))
        self.replace(entries)


_TOKEN_RE = re.compile(r'"[^"]*"|\S+')


def to_fts_query(text: str) -> str:
    """A safe FTS5 query from what the user typed.

    Words are ANDed; ``"a phrase"`` is kept; a trailing ``*`` asks for a prefix; FTS5
    operators and column syntax typed by the user are taken as plain words.

    Raises:
        ValidationError: ``search.empty_query``.
    """
    terms: list[str] = []
    # Control characters (NUL included) end an FTS5 string early: they are never words.
    text = "".join(" " if unicodedata.category(ch)[0] == "C" else ch for ch in text)
    for token in _TOKEN_RE.findall(text):
        prefix = token.endswith("*") and not token.startswith('"')
        word = token.strip('"').rstrip("*")
        word = word.replace('"', " ").strip()
        if not any(ch.isalnum() for ch in word):
            continue
        quoted = '"' + word + '"'
        terms.append(quoted + "*" if prefix else quoted)
    if not terms:
        raise ValidationError("search.empty_query")
    return " ".join(terms)


#: Prefixes up to this length have their own FTS5 prefix index (``prefix = '2 3'``).
_INDEXED_PREFIX = 3
#: A longer prefix matching more terms than this is left to FTS5 as it is.
_MAX_EXPANSION = 200
_PREFIX_TERM_RE = re.compile(r'^"([a-z0-9]+)"\*$')
#: The terms `to_fts_query` writes: ``"words"`` or ``"word"*``.
_QUERY_TOKEN_RE = re.compile(r'"[^"]*"\*?')
#: FTS5's key of a leaf page: ``segid << 37 | pgno`` (fts5_index.c, FTS5_SEGMENT_ROWID).
_SEGMENT_SHIFT = 37


def expand_prefixes(conn: Connection, fts_query: str) -> str:
    """`fts_query` with each long prefix (``"cardio"*``) replaced by the terms it matches.

    FTS5 answers a prefix longer than its prefix index (3 characters) by building the merged
    list of every document of every matching term before returning the first row: its cost
    grows with the archive (5 ms at 100,000 messages). The same terms ORed
    (``("cardio" OR "cardiologie" OR …)``) are read lazily, newest first, and stop at the page's
    end. The terms are read from the index's own leaf pages (the pages `message_fts_idx` says
    start with a term in the prefix's range, in each segment), so the rewrite matches exactly
    what the prefix matches. Only plain ASCII prefixes are rewritten (their folding is
    FTS5's: lower case, no diacritics); a prefix matching no term or too many stays as it is.
    """
    if "*" not in fts_query:
        return fts_query

    def rewrite(match: re.Match[str]) -> str:
        prefix = match.group(1)
        if len(prefix) <= _INDEXED_PREFIX:
            return match.group(0)
        terms = _terms_with_prefix(conn, prefix)
        if not terms or len(terms) > _MAX_EXPANSION:
            return match.group(0)
        return "(" + " OR ".join(f'"{t}"' for t in sorted(terms)) + ")"

    tokens = _QUERY_TOKEN_RE.findall(fts_query)
    rewritten = [_PREFIX_TERM_RE.sub(rewrite, t) if t.endswith("*") else t for t in tokens]
    if rewritten == tokens:
        return fts_query
    # FTS5 takes a parenthesised OR beside a phrase only with an explicit AND.
    return " AND ".join(rewritten)


def _terms_with_prefix(conn: Connection, prefix: str) -> set[str] | None:
    """Terms of the main index starting with `prefix` (ASCII), or None if unreadable."""
    low = b"0" + prefix.encode()
    high = low[:-1] + bytes([low[-1] + 1])
    terms: set[str] = set()
    segid = -1
    while True:
        # Each segment in turn (the idx table's key is (segid, term): no scan of it).
        found = conn.execute(
            "SELECT segid FROM message_fts_idx WHERE segid > ? ORDER BY segid LIMIT 1", (segid,)
        ).fetchone()
        if found is None:
            return terms
        segid = int(found[0])
        # The page holding `low`'s place (the last starting at or before it), then every
        # page starting with a term before `high`. The idx table keeps
        # ``pgno << 1 | has-doclist-index`` (fts5_index.c).
        first = conn.execute(
            "SELECT pgno FROM message_fts_idx WHERE segid = ? AND term <= ?"
            " ORDER BY term DESC LIMIT 1",
            (segid, low),
        ).fetchone()
        pages = [
            int(r[0]) >> 1
            for r in conn.execute(
                "SELECT pgno FROM message_fts_idx WHERE segid = ? AND term > ? AND term < ?",
                (segid, low, high),
            )
        ]
        if first is not None:
            pages.insert(0, int(first[0]) >> 1)
        base = int(segid) << _SEGMENT_SHIFT
        # A segment being merged loses its leading pages as the merge consumes them (their
        # terms are in the merge's output segment by then): the pages before its first
        # remaining one are skipped; any other page missing means a format this code does
        # not know, and the prefix is left to FTS5.
        kept = conn.execute(
            "SELECT min(id) FROM message_fts_data WHERE id > ? AND id < ?",
            (base, base + (1 << _SEGMENT_SHIFT)),
        ).fetchone()[0]
        for pgno in pages:
            row = conn.execute(
                "SELECT block FROM message_fts_data WHERE id = ?", (base + pgno,)
            ).fetchone()
            if row is None:
                if kept is not None and base + pgno < int(kept):
                    continue
                return None
            for term in _leaf_terms(bytes(row[0])):
                if term.startswith(low):
                    try:
                        terms.add(term[1:].decode("utf-8"))
                    except UnicodeDecodeError:
                        return None


def _varint(data: bytes, offset: int) -> tuple[int, int]:
    """SQLite's varint at `offset`: (value, next offset)."""
    value = 0
    for i in range(8):
        byte = data[offset + i]
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            return value, offset + i + 1
    return (value << 8) | data[offset + 8], offset + 9


def _leaf_terms(page: bytes) -> list[bytes]:
    """The terms starting on an FTS5 leaf page (its footer lists their offsets)."""
    if len(page) < 4:
        return []
    footer = int.from_bytes(page[2:4], "big")
    terms: list[bytes] = []
    position = footer
    offset = 0
    term = b""
    while position < len(page):
        delta, position = _varint(page, position)
        offset += delta
        if not terms:
            keep = 0
            size, cursor = _varint(page, offset)
        else:
            keep, cursor = _varint(page, offset)
            size, cursor = _varint(page, cursor)
        term = term[:keep] + page[cursor : cursor + size]
        terms.append(term)
    return terms
