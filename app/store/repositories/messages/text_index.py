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
