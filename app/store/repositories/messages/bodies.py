"""Message bodies: which are still to fetch, archiving them, reading them, compaction.

Bodies live in encrypted segment files (`app.store.blobs`) referenced by `message_bodies`
rows (archives from before schema 3 keep theirs inline in the row). Blocking: the store's
thread only (the read thread may call `raw`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.domain.errors import StoreError, ValidationError
from app.domain.message import FetchedBody, Structure
from app.store.blobs import BlobRef, BlobStore, PreparedBody, prepare
from app.store.database import BUSY_TIMEOUT_MS, Connection, classified, transaction
from app.store.repositories.messages.rows import (
    BODY_ARCHIVED,
    MAX_INDEXED_TEXT,
    BodyTask,
    TextRow,
    structure_to_json,
)
from app.store.repositories.messages.text_index import TextIndex

if TYPE_CHECKING:  # the spool's cipher (cryptography) is not loaded by a read (start-up time)
    from app.store.spool import SpooledBody

_BODY_ROW = "SELECT raw, segment, offset, length, blob_key FROM message_bodies WHERE message_id = ?"


class BodyArchive:
    """`message_bodies`, `attachments` rows of fetched messages, and the segment files."""

    def __init__(self, conn: Connection, blobs: BlobStore | None, text: TextIndex) -> None:
        self._conn = conn
        self._blobs = blobs
        self._text = text

    def missing_bodies(self, account_id: int, limit: int = 100_000) -> list[BodyTask]:
        """Messages on the server whose body is not archived yet, newest first."""
        rows = self._conn.execute(
            "SELECT m.id, f.name, m.uidvalidity, m.uid, m.size FROM messages m"
            " JOIN folders f ON f.id = m.folder_id WHERE m.account_id = ? AND m.body_state = 0"
            " AND m.uid IS NOT NULL AND m.gone_at IS NULL ORDER BY m.sort_key DESC LIMIT ?",
            (account_id, limit),
        ).fetchall()
        names: dict[str, str] = {}  # one string per folder, not one per task
        return [BodyTask(r[0], names.setdefault(r[1], r[1]), r[2], r[3], r[4]) for r in rows]

    def count_missing_bodies(self, account_id: int) -> int:
        """How many bodies are still to fetch."""
        row = self._conn.execute(
            "SELECT count(*) FROM messages WHERE account_id = ? AND body_state = 0"
            " AND uid IS NOT NULL AND gone_at IS NULL",
            (account_id,),
        ).fetchone()
        return int(row[0])

    def _archived(
        self, pk: int, row: Any, structure: Structure, body_texts: Sequence[tuple[Any, str]]
    ) -> TextRow:
        """A message's body is archived: its attachments, state and structure; its text row.

        Returns the full-text row (`row`'s first three columns, the body's text, the
        attachments' names) for the caller's batched ``TextIndex.replace``.
        """
        attachments = structure.attachments
        self._conn.executemany(
            "INSERT OR IGNORE INTO attachments (message_id, part, filename, content_type,"
            " size) VALUES (?, ?, ?, ?, ?)",
            [(pk, a.part, a.filename, a.content_type, a.size) for a in attachments],
        )
        self._conn.execute(
            "UPDATE messages SET body_state = ?, structure = ?, has_attachments = ? WHERE id = ?",
            (BODY_ARCHIVED, structure_to_json(structure), int(bool(attachments)), pk),
        )
        text = "\n".join(t for _, t in body_texts)[:MAX_INDEXED_TEXT]
        names = " ".join(a.filename for a in attachments if a.filename)
        return (row[0], row[1] or "", row[2] or "", text, names)

    def store_bodies(self, items: Sequence[tuple[int, FetchedBody | PreparedBody]]) -> int:
        """Archive fetched messages and index their text; returns the bytes stored.

        Bodies are best prepared (sealed, hashed) on the fetching threads (`prepare`); raw
        `FetchedBody` values are prepared here. Call it in a write transaction
        (``BEGIN IMMEDIATE``, as `Archive.write` and `StoreGateway.write` open): the
        archive's write lock is what keeps two processes from appending to a segment at once.
        """
        if self._blobs is not None and not self._conn.in_transaction:
            # Segment appends are serialised between processes by the archive's write lock
            # (see `compact`): they must run in a write transaction (`Archive.write`).
            raise RuntimeError("store_bodies must run in a write transaction")
        stored = 0
        rows = {}
        for pk, _item in items:
            row = self._conn.execute(
                "SELECT m.sort_key, t.subject, t.people FROM messages m"
                " LEFT JOIN message_text t ON t.sort_key = m.sort_key WHERE m.id = ?",
                (pk,),
            ).fetchone()
            if row is not None:  # else deleted by the user meanwhile
                rows[pk] = row
        kept = [
            (pk, item if isinstance(item, PreparedBody) else prepare(item))
            for pk, item in items
            if pk in rows
        ]
        # The records are on disk (synced) before the rows that point at them are committed.
        refs = (
            self._blobs.append_sealed([prepared.sealed for _, prepared in kept])
            if self._blobs
            else []
        )
        texts: list[TextRow] = []
        for index, (pk, prepared) in enumerate(kept):
            row = rows[pk]
            body = prepared.body
            if self._blobs is not None:
                ref = refs[index]
                self._conn.execute(
                    "INSERT OR REPLACE INTO message_bodies (message_id, segment, offset, length,"
                    " blob_key, sha256) VALUES (?, ?, ?, ?, ?, ?)",
                    (pk, ref.segment, ref.offset, ref.length, ref.key, prepared.sha256),
                )
            else:
                self._conn.execute(
                    "INSERT OR REPLACE INTO message_bodies (message_id, raw, sha256)"
                    " VALUES (?, ?, ?)",
                    (pk, body.raw, prepared.sha256),
                )
            texts.append(self._archived(pk, row, body.structure, body.texts))
            stored += len(body.raw)
        self._text.replace(texts)
        return stored

    def spool_folder(self, *, clean_older_than: float) -> Path | None:
        """Where body workers write spool files (None without segment files).

        Spools older than `clean_older_than` seconds (left by a crash) are removed first.
        """
        if self._blobs is None:
            return None
        self._blobs.clean_incoming(older_than=clean_older_than)
        return self._blobs.incoming

    def store_spooled(self, spool: Path, items: Sequence[tuple[int, SpooledBody]]) -> int:
        """Archive bodies a worker wrote to `spool` (`app.store.spool`); returns the bytes.

        The spool becomes a segment (`BlobStore.adopt`) and the rows pointing into it are
        written in the caller's write transaction, as `store_bodies` does for appends.
        """
        if self._blobs is None:
            raise ValidationError("store.blobs_unavailable")
        if not self._conn.in_transaction:
            raise RuntimeError("store_spooled must run in a write transaction")
        rows = {}
        for pk, _body in items:
            row = self._conn.execute(
                "SELECT m.sort_key, t.subject, t.people FROM messages m"
                " LEFT JOIN message_text t ON t.sort_key = m.sort_key WHERE m.id = ?",
                (pk,),
            ).fetchone()
            if row is not None:  # else deleted by the user meanwhile
                rows[pk] = row
        if not rows:
            spool.unlink(missing_ok=True)
            return 0
        segment = self._blobs.adopt(spool)
        texts: list[TextRow] = []
        stored = 0
        for pk, body in items:
            row = rows.get(pk)
            if row is None:
                continue  # its record stays in the segment, unreferenced, until compaction
            self._conn.execute(
                "INSERT OR REPLACE INTO message_bodies (message_id, segment, offset, length,"
                " blob_key, sha256) VALUES (?, ?, ?, ?, ?, ?)",
                (pk, segment, body.offset, body.length, body.key, body.sha256),
            )
            texts.append(self._archived(pk, row, body.structure, body.texts))
            stored += body.size
        self._text.replace(texts)
        return stored

    def raw(self, pk: int) -> bytes | None:
        """The archived message bytes, or None when not archived yet.

        Raises:
            StoreError: ``store.blob_missing``/``store.blob_damaged`` (segment file lost or
                altered).
        """
        row = self._conn.execute(_BODY_ROW, (pk,)).fetchone()
        if row is None:
            return None
        if row[0] is not None:
            return bytes(row[0])
        try:
            return self._read(row)
        except StoreError as error:
            if error.code != "store.blob_missing":
                raise
            # Compaction (in this process or another) may have moved the record between our
            # reading its row and opening its segment: the row then points elsewhere.
            again = self._conn.execute(_BODY_ROW, (pk,)).fetchone()
            if again is None or tuple(again[1:]) == tuple(row[1:]):
                raise
            return self._read(again)

    def _read(self, row: Any) -> bytes:
        if self._blobs is None:
            raise ValidationError("store.blobs_unavailable")
        return self._blobs.read(BlobRef(row[1], row[2], row[3], bytes(row[4])))

    def compact(self, *, threshold: float = 0.5, reader_wait_ms: int = BUSY_TIMEOUT_MS) -> int:
        """Rewrite segment files whose live records are under `threshold` of their size.

        Deleted messages' records stay in their segment (their keys are gone) until then.
        Returns the bytes reclaimed. Call it outside any transaction: it runs its own.

        Safe against other processes on the same profile (issue 9). The lock is the archive's
        own write lock: the whole compaction (choosing segments, copying their live records
        to a fresh segment, pointing the rows there) runs in one ``BEGIN IMMEDIATE``
        transaction. Every segment append happens inside a write transaction too
        (`store_bodies`), so no process appends while compaction works, two compactions never
        overlap, and the lock is released by SQLite itself if a process dies. A lock file
        would be a second lock every writer must also take, and one a crash can leave behind.
        While compaction holds the lock, other writers wait (busy timeout), then fail with
        ``store.busy``; so does compaction when another process keeps writing.

        Readers are never blocked (WAL), so they are handled after the commit: a reader whose
        snapshot predates it may still hold a row pointing into an old segment. The old files
        are removed only once ``wal_checkpoint(FULL)`` says every reader is on the new
        snapshot (it waits up to `reader_wait_ms`); otherwise they are left, unreferenced, for
        the next compaction to remove. A reader that read a row just before the commit and
        opens the segment just after reads the row again (`raw`).

        Crash-safe: records are copied and synced, the rows updated and committed, and only
        then are the old files removed.

        Raises:
            StoreError: ``store.busy`` when another connection keeps the write lock, and the
                other classified environment errors.
        """
        if self._blobs is None:
            return 0
        blobs = self._blobs
        with transaction(self._conn):
            emptied = self._move_live_records(blobs, threshold)
        if not emptied:
            return 0
        with classified():
            usual = int(self._conn.execute("PRAGMA busy_timeout").fetchone()[0])
            self._conn.execute(f"PRAGMA busy_timeout = {int(reader_wait_ms)}")
            try:
                busy = self._conn.execute("PRAGMA wal_checkpoint(FULL)").fetchone()[0]
            finally:
                self._conn.execute(f"PRAGMA busy_timeout = {usual}")
            if busy:
                return 0  # a reader may still see the old rows: the next compaction removes them
            reclaimed = 0
            for segment, freed in emptied.items():
                blobs.remove(segment)
                reclaimed += freed
        return reclaimed

    def _move_live_records(self, blobs: BlobStore, threshold: float) -> dict[int, int]:
        """Copy the live records of sparse segments to a new one; {old segment: bytes freed}.

        Runs inside compaction's write transaction (see `compact`).
        """
        live = dict(
            self._conn.execute(
                "SELECT segment, sum(length) FROM message_bodies WHERE segment IS NOT NULL"
                " GROUP BY segment"
            ).fetchall()
        )
        emptied: dict[int, int] = {}
        fresh = False
        for segment in blobs.segments()[:-1]:  # never the one being appended to
            size = blobs.size(segment)
            if size == 0 or live.get(segment, 0) >= threshold * size:
                continue
            records = self._conn.execute(
                "SELECT message_id, offset, length, blob_key FROM message_bodies"
                " WHERE segment = ? ORDER BY offset",
                (segment,),
            ).fetchall()
            moved = [blobs.read_sealed(BlobRef(segment, r[1], r[2], bytes(r[3]))) for r in records]
            refs = []
            if moved:
                if not fresh:  # the survivors of every sparse segment share new files
                    blobs.start_new_segment()
                    fresh = True
                refs = blobs.append_sealed(moved)
            self._conn.executemany(
                "UPDATE message_bodies SET segment = ?, offset = ?, length = ?,"
                " blob_key = ? WHERE message_id = ?",
                [
                    (ref.segment, ref.offset, ref.length, ref.key, record[0])
                    for record, ref in zip(records, refs, strict=True)
                ],
            )
            emptied[segment] = size - sum(ref.length for ref in refs)
        return emptied
