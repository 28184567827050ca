"""Local changes to archived messages: flags, moves, deletions, and the marks Pli sets.

Flags, moves and deletions are replayed to the server later (pending operations); the
"examined" mark and keywords such as ``$MDNSent`` are Pli's own.

Blocking: the store's thread only.
"""

from __future__ import annotations

from collections.abc import Iterable

from app.domain.errors import NotFoundError
from app.domain.message import Flag
from app.store.database import Connection
from app.store.repositories.messages.rows import ServerPosition
from app.store.repositories.messages.text_index import TextIndex


class LocalChanges:
    """Changes made in Pli to the `messages` rows."""

    def __init__(self, conn: Connection, text: TextIndex) -> None:
        self._conn = conn
        self._text = text

    def mark_examined(self, pks: Iterable[int]) -> None:
        """These messages need no more examination."""
        self._conn.executemany(
            "UPDATE messages SET examined = 1 WHERE id = ?", [(pk,) for pk in pks]
        )

    def add_keyword(self, pk: int, keyword: str) -> None:
        """Set a keyword locally (``$MDNSent``…)."""
        row = self._conn.execute("SELECT keywords FROM messages WHERE id = ?", (pk,)).fetchone()
        if row is None:
            raise NotFoundError("message.not_found", id=pk)
        words = set((row[0] or "").split())
        words.add(keyword)
        self._conn.execute(
            "UPDATE messages SET keywords = ? WHERE id = ?", (" ".join(sorted(words)), pk)
        )

    def position(self, pk: int) -> ServerPosition | None:
        """Where the message is on the server, or None if it is not (unbound or gone)."""
        row = self._conn.execute(
            "SELECT m.id, f.name, m.uidvalidity, m.uid FROM messages m"
            " JOIN folders f ON f.id = m.folder_id WHERE m.id = ? AND m.uid IS NOT NULL"
            " AND m.gone_at IS NULL",
            (pk,),
        ).fetchone()
        return ServerPosition(row[0], row[1], row[2], row[3]) if row else None

    def set_flags(self, pk: int, add: Flag, remove: Flag) -> int:
        """Change flags locally; returns the new flags."""
        row = self._conn.execute("SELECT flags FROM messages WHERE id = ?", (pk,)).fetchone()
        if row is None:
            raise NotFoundError("message.not_found", id=pk)
        flags = (Flag(row[0]) | add) & ~remove
        self._conn.execute("UPDATE messages SET flags = ? WHERE id = ?", (int(flags), pk))
        return int(flags)

    def restore_flags(self, pk: int, flags: int) -> None:
        """Put flags back (a replayed change the server refused)."""
        self._conn.execute("UPDATE messages SET flags = ? WHERE id = ?", (flags, pk))

    def move_local(self, pk: int, folder_id: int) -> None:
        """File the message in another folder; it is unbound until the server confirms."""
        self._conn.execute(
            "UPDATE messages SET folder_id = ?, uid = NULL, uidvalidity = NULL WHERE id = ?",
            (folder_id, pk),
        )

    def bind(self, pk: int, folder_id: int, uidvalidity: int, uid: int) -> None:
        """Give a message its server position (COPYUID/APPENDUID said it)."""
        self._conn.execute(
            "UPDATE messages SET folder_id = ?, uidvalidity = ?, uid = ?, gone_at = NULL"
            " WHERE id = ?",
            (folder_id, uidvalidity, uid, pk),
        )

    def delete_local(self, pk: int) -> None:
        """Remove a message from the archive for good (body, text, index, links)."""
        row = self._conn.execute(
            "SELECT folder_id, uidvalidity, uid, sort_key FROM messages WHERE id = ?", (pk,)
        ).fetchone()
        if row is None:
            raise NotFoundError("message.not_found", id=pk)
        folder_id, uidvalidity, uid, sort_key = row
        if uid is not None and uidvalidity is not None:
            self._conn.execute(
                "INSERT OR IGNORE INTO tombstones (folder_id, uidvalidity, uid) VALUES (?, ?, ?)",
                (folder_id, uidvalidity, uid),
            )
        self._text.remove(sort_key)
        self._conn.execute("DELETE FROM messages WHERE id = ?", (pk,))
