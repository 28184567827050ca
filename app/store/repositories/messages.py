"""The archive of messages: envelopes, bodies, text index, threads, local changes.

Blocking: the store's thread only. Sync writes are idempotent (keyed by folder, UIDVALIDITY
and UID), so replaying any batch after a crash neither loses nor doubles a message.
"""

from __future__ import annotations

import json
import re
import time
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from app.domain.addresses import PATIENT_DOMAIN, MailAddress
from app.domain.errors import NotFoundError, ValidationError
from app.domain.message import (
    AttachmentSummary,
    EnvelopeRecord,
    FetchedBody,
    Flag,
    MessageDetail,
    MessageSummary,
    Part,
    Person,
    Structure,
)
from app.store.blobs import BlobRef, BlobStore, PreparedBody, prepare
from app.store.database import Connection

SORT_SHIFT = 20  # sort_key = internal_date << 20 | sequence within that second
BODY_MISSING, BODY_ARCHIVED, BODY_UNFETCHABLE = 0, 1, 2
MAX_INDEXED_TEXT = 200_000  # characters of body text kept for search per message


@dataclass(frozen=True)
class BodyTask:
    """A message whose body is still to be fetched."""

    message_pk: int
    folder: str
    uidvalidity: int
    uid: int
    size: int


@dataclass(frozen=True)
class ServerPosition:
    """Where a message is on the server (for replaying a local change)."""

    message_pk: int
    folder: str
    uidvalidity: int
    uid: int


@dataclass(frozen=True)
class InsertOutcome:
    """What an envelope batch did."""

    added: int
    rebound: int
    added_pks: tuple[int, ...]


@dataclass(frozen=True)
class ExamineRow:
    """What examining an incoming message needs."""

    pk: int
    account_id: int
    folder_role: str | None
    content_types: tuple[str, ...]
    headers: dict[str, str]
    patient_ins: str | None
    sender: str | None
    sender_name: str
    message_id: str | None
    subject: str
    internal_date: int
    account_address: str


@dataclass(frozen=True)
class SearchFilters:
    """Narrowing a search or a list."""

    account_id: int | None = None
    folder_id: int | None = None
    correspondent: str | None = None  # an address, lower case
    since: int | None = None  # epoch seconds, arrival
    until: int | None = None
    has_attachments: bool | None = None
    patient_ins: str | None = None
    limit: int = 50
    offset: int = 0


_SUMMARY_COLUMNS = (
    "m.id, a.name, f.name, m.uid, m.internal_date, m.sent_date, m.from_name, m.from_addr,"
    " m.subject, m.flags, m.keywords, m.size, m.has_attachments, m.body_state, m.gone_at,"
    " m.thread_id, m.patient_ins"
)
_SUMMARY_FROM = (
    "messages m JOIN folders f ON f.id = m.folder_id JOIN accounts a ON a.id = m.account_id"
)


def _summary(r: Any) -> MessageSummary:
    sender = Person(r[6] or "", r[7]) if r[7] else None
    return MessageSummary(
        id=r[0],
        account=r[1],
        folder=r[2],
        uid=r[3],
        internal_date=r[4],
        sent_date=r[5],
        sender=sender,
        subject=r[8] or "",
        flags=r[9],
        keywords=tuple(k for k in (r[10] or "").split(" ") if k),
        size=r[11],
        has_attachments=bool(r[12]),
        archived=r[13] == BODY_ARCHIVED,
        gone_from_server=r[14] is not None,
        thread_id=r[15],
        patient_ins=r[16],
    )


def structure_to_json(structure: Structure) -> str:
    """Serialise a structure for the `messages.structure` column."""
    return json.dumps(
        [
            [p.part, p.content_type, p.charset, p.encoding, p.size, p.filename, p.disposition]
            for p in structure.parts
        ],
        ensure_ascii=False,
    )


def structure_from_json(text: str | None) -> Structure:
    """Inverse of `structure_to_json`."""
    if not text:
        return Structure()
    return Structure(tuple(Part(*row) for row in json.loads(text)))


def _people_text(record: EnvelopeRecord) -> str:
    people = ([record.sender] if record.sender else []) + list(record.to) + list(record.cc)
    return " ".join(f"{p.name} {p.address}".strip() for p in people)


_PATIENT_SUFFIX = "@" + PATIENT_DOMAIN


def _people_json(people: Sequence[Person]) -> str:
    return json.dumps([[p.name, p.address] for p in people], ensure_ascii=False)


def _refs(record: EnvelopeRecord) -> list[str]:
    refs = list(record.references)
    if record.in_reply_to and record.in_reply_to not in refs:
        refs.append(record.in_reply_to)
    return refs


def _patient_of(record: EnvelopeRecord) -> str | None:
    """The patient a message is from, else the first patient it is addressed to."""
    candidates = ([record.sender] if record.sender else []) + list(record.to) + list(record.cc)
    for person in candidates:
        # Only patient addresses can carry an INS: skip the full parse (the stdlib address
        # parser) for every other one, a third of the store's time when listing a mailbox.
        if not person.address.lower().endswith(_PATIENT_SUFFIX):
            continue
        address = MailAddress.try_parse(person.address)
        if address is not None and address.patient_ins is not None:
            return address.patient_ins.value
    return None


class MessageRepository:
    """The `messages` table and its satellites."""

    def __init__(self, conn: Connection, blobs: BlobStore | None = None) -> None:
        self._conn = conn
        self._blobs = blobs

    # -- sync: envelopes --------------------------------------------------------------------

    def bound_uids(self, folder_id: int, uidvalidity: int) -> set[int]:
        """UIDs of the folder the archive already holds (under this UIDVALIDITY)."""
        rows = self._conn.execute(
            "SELECT uid FROM messages WHERE folder_id = ? AND uidvalidity = ? AND uid IS NOT NULL",
            (folder_id, uidvalidity),
        )
        return {r[0] for r in rows}

    def tombstoned_uids(self, folder_id: int, uidvalidity: int) -> set[int]:
        """UIDs the user deleted in Pli (never fetched again)."""
        rows = self._conn.execute(
            "SELECT uid FROM tombstones WHERE folder_id = ? AND uidvalidity = ?",
            (folder_id, uidvalidity),
        )
        return {r[0] for r in rows}

    def forget_tombstones(self, folder_id: int, uidvalidity: int, uids: Iterable[int]) -> None:
        """Drop tombstones of messages the server no longer has."""
        self._conn.executemany(
            "DELETE FROM tombstones WHERE folder_id = ? AND uidvalidity = ? AND uid = ?",
            [(folder_id, uidvalidity, uid) for uid in uids],
        )

    def unbind_folder(self, folder_id: int) -> int:
        """UIDVALIDITY changed: every message of the folder loses its UID (content kept).

        They are bound again when the server lists them under the new UIDVALIDITY (same
        Message-ID and size), and marked gone from the server if it does not.
        """
        cursor = self._conn.execute(
            "UPDATE messages SET uid = NULL, uidvalidity = NULL WHERE folder_id = ?"
            " AND uid IS NOT NULL",
            (folder_id,),
        )
        self._conn.execute("DELETE FROM tombstones WHERE folder_id = ?", (folder_id,))
        return int(cursor.rowcount)

    def mark_unbound_gone(self, folder_id: int) -> int:
        """After a complete listing: messages still unbound are not on the server any more."""
        cursor = self._conn.execute(
            "UPDATE messages SET gone_at = ? WHERE folder_id = ? AND uid IS NULL"
            " AND gone_at IS NULL",
            (int(time.time()), folder_id),
        )
        return int(cursor.rowcount)

    def mark_gone(self, folder_id: int, uidvalidity: int, uids: Iterable[int]) -> int:
        """The server no longer has these messages (purge): kept, marked gone."""
        now = int(time.time())
        before = self._conn.total_changes
        self._conn.executemany(
            "UPDATE messages SET gone_at = ? WHERE folder_id = ? AND uidvalidity = ? AND uid = ?"
            " AND gone_at IS NULL",
            [(now, folder_id, uidvalidity, uid) for uid in uids],
        )
        return int(self._conn.total_changes - before)

    def insert_envelopes(
        self, account_id: int, folder_id: int, uidvalidity: int, records: Sequence[EnvelopeRecord]
    ) -> InsertOutcome:
        """Add envelopes (idempotent): already held UIDs are skipped, unbound copies rebound.

        Batched: a handful of statements per batch rather than per message, since listing a
        mailbox is what makes it usable (the threads are joined in one pass too).
        """
        tombstones = self.tombstoned_uids(folder_id, uidvalidity)
        held = self._held_uids(folder_id, uidvalidity, [r.uid for r in records])
        todo = [r for r in records if r.uid not in tombstones and r.uid not in held]
        if not todo:
            return InsertOutcome(0, 0, ())
        rebound = 0
        if self._has_unbound(folder_id):
            fresh = []
            for record in todo:
                if self._rebind(folder_id, uidvalidity, record):
                    rebound += 1
                else:
                    fresh.append(record)
            todo = fresh
        if not todo:
            return InsertOutcome(0, rebound, ())
        now = int(time.time())
        keys = self._alloc_sort_keys([r.internal_date for r in todo])
        rows = []
        for record, sort_key in zip(todo, keys, strict=True):
            sender = record.sender
            rows.append(
                (
                    account_id,
                    folder_id,
                    uidvalidity,
                    record.uid,
                    sort_key,
                    record.message_id,
                    record.in_reply_to,
                    " ".join(record.references),
                    record.subject,
                    sender.address if sender else None,
                    sender.name if sender else None,
                    _people_json(record.to),
                    _people_json(record.cc),
                    _people_json(record.reply_to),
                    record.sent_date,
                    record.internal_date,
                    record.size,
                    record.flags,
                    " ".join(record.keywords),
                    record.modseq,
                    int(bool(record.structure.attachments) or record.likely_attachments),
                    structure_to_json(record.structure) if record.structure.parts else None,
                    _patient_of(record),
                    now,
                    json.dumps(record.headers, ensure_ascii=False) if record.headers else None,
                )
            )
        self._conn.executemany(
            "INSERT INTO messages (account_id, folder_id, uidvalidity, uid, sort_key, message_id,"
            " in_reply_to, refs, subject, from_addr, from_name, to_json, cc_json, reply_to,"
            " sent_date, internal_date, size, flags, keywords, modseq, has_attachments,"
            " structure, patient_ins, added_at, headers)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        pk_of = self._pks_by_sort_key(keys)
        pks = [pk_of[k] for k in keys]
        people_rows: list[tuple[int, str, str, str]] = []
        ref_rows: list[tuple[int, str]] = []
        text_rows: list[tuple[int, str, str, str, str]] = []
        for record, pk, sort_key in zip(todo, pks, keys, strict=True):
            people = [("from", record.sender)] if record.sender else []
            people += [("to", p) for p in record.to] + [("cc", p) for p in record.cc]
            people += [("reply_to", p) for p in record.reply_to]
            people_rows.extend((pk, role, p.address, p.name) for role, p in people)
            ref_rows.extend((pk, ref) for ref in _refs(record))
            names = " ".join(a.filename for a in record.structure.attachments if a.filename)
            text_rows.append((sort_key, record.subject, _people_text(record), "", names))
        self._conn.executemany(
            "INSERT INTO message_people (message_id, role, address, name) VALUES (?, ?, ?, ?)",
            people_rows,
        )
        self._conn.executemany("INSERT INTO message_refs (message_id, ref) VALUES (?, ?)", ref_rows)
        self._conn.executemany(
            "INSERT OR REPLACE INTO message_text (sort_key, subject, people, body, attachments)"
            " VALUES (?, ?, ?, ?, ?)",
            text_rows,
        )
        self._conn.executemany(
            "INSERT INTO message_fts (rowid, subject, people, body, attachments)"
            " VALUES (?, ?, ?, ?, ?)",
            text_rows,
        )
        self._thread_batch(account_id, list(zip(pks, todo, strict=True)))
        return InsertOutcome(added=len(pks), rebound=rebound, added_pks=tuple(pks))

    def _held_uids(self, folder_id: int, uidvalidity: int, uids: Sequence[int]) -> set[int]:
        held: set[int] = set()
        for start in range(0, len(uids), 500):
            chunk = uids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            held.update(
                r[0]
                for r in self._conn.execute(
                    f"SELECT uid FROM messages WHERE folder_id = ? AND uidvalidity = ?"
                    f" AND uid IN ({marks})",
                    (folder_id, uidvalidity, *chunk),
                )
            )
        return held

    def _has_unbound(self, folder_id: int) -> bool:
        return (
            self._conn.execute(
                "SELECT 1 FROM messages WHERE folder_id = ? AND uid IS NULL LIMIT 1", (folder_id,)
            ).fetchone()
            is not None
        )

    def _alloc_sort_keys(self, dates: Sequence[int]) -> list[int]:
        """Unique arrival-ordered keys: ``date << 20 | n`` (n counts within the second)."""
        wanted = sorted({max(d, 0) for d in dates})
        last: dict[int, int] = {}
        if wanted:
            low, high = wanted[0] << SORT_SHIFT, (wanted[-1] + 1) << SORT_SHIFT
            for second, key in self._conn.execute(
                "SELECT sort_key >> ?, max(sort_key) FROM messages"
                " WHERE sort_key >= ? AND sort_key < ? GROUP BY sort_key >> ?",
                (SORT_SHIFT, low, high, SORT_SHIFT),
            ):
                last[int(second)] = int(key)
        keys = []
        for date in dates:
            second = max(date, 0)
            key = last.get(second, (second << SORT_SHIFT) - 1) + 1
            if key >= (second + 1) << SORT_SHIFT:  # pragma: no cover - a million a second
                raise ValidationError("store.sort_key_exhausted")
            last[second] = key
            keys.append(key)
        return keys

    def _pks_by_sort_key(self, keys: Sequence[int]) -> dict[int, int]:
        found: dict[int, int] = {}
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            marks = ",".join("?" * len(chunk))
            found.update(
                (int(r[0]), int(r[1]))
                for r in self._conn.execute(
                    f"SELECT sort_key, id FROM messages WHERE sort_key IN ({marks})", chunk
                )
            )
        return found

    def _rebind(self, folder_id: int, uidvalidity: int, record: EnvelopeRecord) -> bool:
        if record.message_id:
            row = self._conn.execute(
                "SELECT id FROM messages WHERE folder_id = ? AND uid IS NULL AND message_id = ?"
                " AND size = ? ORDER BY id LIMIT 1",
                (folder_id, record.message_id, record.size),
            ).fetchone()
        else:
            row = self._conn.execute(
                "SELECT id FROM messages WHERE folder_id = ? AND uid IS NULL"
                " AND message_id IS NULL AND internal_date = ? AND size = ? ORDER BY id LIMIT 1",
                (folder_id, record.internal_date, record.size),
            ).fetchone()
        if row is None:
            return False
        self._conn.execute(
            "UPDATE messages SET uid = ?, uidvalidity = ?, flags = ?, keywords = ?, modseq = ?,"
            " gone_at = NULL WHERE id = ?",
            (
                record.uid,
                uidvalidity,
                record.flags,
                " ".join(record.keywords),
                record.modseq,
                row[0],
            ),
        )
        return True

    def _thread_batch(self, account_id: int, batch: list[tuple[int, EnvelopeRecord]]) -> None:
        """Join threads: parents (References, In-Reply-To), children already held, copies.

        One union-find over the batch and the threads it touches in the archive.
        """
        parent: dict[int, int] = {}

        def find(x: int) -> int:
            root = x
            while parent.get(root, root) != root:
                root = parent[root]
            while parent.get(x, x) != root:
                parent[x], x = root, parent[x]
            return root

        def union(a: int, b: int) -> None:
            ra, rb = find(a), find(b)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)

        # Threads are named by the smallest message id they contain; a new message starts
        # as its own thread.
        ids_in_batch: dict[str, list[int]] = {}
        for pk, record in batch:
            parent.setdefault(pk, pk)
            if record.message_id:
                ids_in_batch.setdefault(record.message_id, []).append(pk)
        wanted = set(ids_in_batch)
        for _pk, record in batch:
            wanted.update(_refs(record))
        known = self._threads_of_message_ids(account_id, wanted)
        existing_threads: set[int] = set()
        for pk, record in batch:
            for related in [*_refs(record), record.message_id]:
                if not related:
                    continue
                for other in ids_in_batch.get(related, ()):
                    union(pk, other)
                for thread in known.get(related, ()):
                    existing_threads.add(thread)
                    parent.setdefault(thread, thread)
                    union(pk, thread)
        # Children already in the archive that name a message of this batch.
        for message_id, pks in ids_in_batch.items():
            for thread in self._threads_referring_to(account_id, message_id):
                existing_threads.add(thread)
                parent.setdefault(thread, thread)
                union(pks[0], thread)
        self._conn.executemany(
            "UPDATE messages SET thread_id = ? WHERE id = ?",
            [(find(pk), pk) for pk, _ in batch],
        )
        merged = [(find(t), t) for t in existing_threads if find(t) != t]
        if merged:
            self._conn.executemany("UPDATE messages SET thread_id = ? WHERE thread_id = ?", merged)

    def _threads_of_message_ids(self, account_id: int, ids: set[str]) -> dict[str, set[int]]:
        found: dict[str, set[int]] = {}
        values = [i for i in ids if i]
        for start in range(0, len(values), 400):
            chunk = values[start : start + 400]
            marks = ",".join("?" * len(chunk))
            for message_id, thread in self._conn.execute(
                f"SELECT message_id, thread_id FROM messages WHERE account_id = ?"
                f" AND message_id IN ({marks}) AND thread_id IS NOT NULL",
                (account_id, *chunk),
            ):
                found.setdefault(message_id, set()).add(int(thread))
        return found

    def _threads_referring_to(self, account_id: int, message_id: str) -> set[int]:
        return {
            int(r[0])
            for r in self._conn.execute(
                "SELECT DISTINCT m.thread_id FROM message_refs r JOIN messages m"
                " ON m.id = r.message_id WHERE r.ref = ? AND m.account_id = ?"
                " AND m.thread_id IS NOT NULL",
                (message_id, account_id),
            )
        }

    def _index_many(self, entries: Sequence[tuple[int, str, str, str, str]]) -> None:
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

    def _unindex(self, sort_key: int) -> None:
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

    # -- sync: flags ------------------------------------------------------------------------

    def apply_flags(
        self,
        folder_id: int,
        uidvalidity: int,
        changes: Iterable[tuple[int, int, tuple[str, ...], int | None]],
    ) -> int:
        """Take the server's flags (uid, flags, keywords, modseq); returns how many changed."""
        before = self._conn.total_changes
        self._conn.executemany(
            "UPDATE messages SET flags = ?, keywords = ?, modseq = coalesce(?, modseq)"
            " WHERE folder_id = ? AND uidvalidity = ? AND uid = ?"
            " AND (flags != ? OR keywords != ?)",
            [
                (flags, " ".join(kw), modseq, folder_id, uidvalidity, uid, flags, " ".join(kw))
                for uid, flags, kw, modseq in changes
            ],
        )
        return int(self._conn.total_changes - before)

    # -- sync: bodies -----------------------------------------------------------------------

    def missing_bodies(self, account_id: int, limit: int = 100_000) -> list[BodyTask]:
        """Messages on the server whose body is not archived yet, newest first."""
        rows = self._conn.execute(
            "SELECT m.id, f.name, m.uidvalidity, m.uid, m.size FROM messages m"
            " JOIN folders f ON f.id = m.folder_id WHERE m.account_id = ? AND m.body_state = 0"
            " AND m.uid IS NOT NULL AND m.gone_at IS NULL ORDER BY m.sort_key DESC LIMIT ?",
            (account_id, limit),
        ).fetchall()
        return [BodyTask(r[0], r[1], r[2], r[3], r[4]) for r in rows]

    def count_missing_bodies(self, account_id: int) -> int:
        """How many bodies are still to fetch."""
        row = self._conn.execute(
            "SELECT count(*) FROM messages WHERE account_id = ? AND body_state = 0"
            " AND uid IS NOT NULL AND gone_at IS NULL",
            (account_id,),
        ).fetchone()
        return int(row[0])

    def store_bodies(self, items: Sequence[tuple[int, FetchedBody | PreparedBody]]) -> int:
        """Archive fetched messages and index their text; returns the bytes stored.

        Bodies are best prepared (sealed, hashed) on the fetching threads (`prepare`); raw
        `FetchedBody` values are prepared here.
        """
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
        texts: list[tuple[int, str, str, str, str]] = []
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
            attachments = body.structure.attachments
            self._conn.executemany(
                "INSERT OR IGNORE INTO attachments (message_id, part, filename, content_type,"
                " size) VALUES (?, ?, ?, ?, ?)",
                [(pk, a.part, a.filename, a.content_type, a.size) for a in attachments],
            )
            text = "\n".join(t for _, t in body.texts)[:MAX_INDEXED_TEXT]
            names = " ".join(a.filename for a in attachments if a.filename)
            texts.append((row[0], row[1] or "", row[2] or "", text, names))
            self._conn.execute(
                "UPDATE messages SET body_state = ?, structure = ?, has_attachments = ?"
                " WHERE id = ?",
                (BODY_ARCHIVED, structure_to_json(body.structure), int(bool(attachments)), pk),
            )
            stored += len(body.raw)
        self._index_many(texts)
        return stored

    def set_attachment_text(self, sort_key: int, text: str) -> None:
        """Replace the indexed text of a message's attachments (names and contents)."""
        row = self._conn.execute(
            "SELECT subject, people, body FROM message_text WHERE sort_key = ?", (sort_key,)
        ).fetchone()
        if row is None:
            return
        self._index_many([(sort_key, row[0], row[1], row[2], text)])

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

    def counts(
        self, *, account_id: int | None = None, folder_id: int | None = None
    ) -> dict[str, int]:
        """messages, unread and gone counts for an account or a folder."""
        column, value = (
            ("folder_id", folder_id) if folder_id is not None else ("account_id", account_id)
        )
        row = self._conn.execute(
            "SELECT count(*), coalesce(sum((flags & 1) = 0), 0),"
            f" coalesce(sum(gone_at IS NOT NULL), 0) FROM messages WHERE {column} = ?",
            (value,),
        ).fetchone()
        return {"messages": int(row[0]), "unread": int(row[1]), "gone": int(row[2])}

    def mark_unfetchable(self, pks: Iterable[int]) -> None:
        """The server could not give these bodies (they stay listed, marked)."""
        self._conn.executemany(
            "UPDATE messages SET body_state = ? WHERE id = ?",
            [(BODY_UNFETCHABLE, pk) for pk in pks],
        )

    # -- reading ----------------------------------------------------------------------------

    def summaries(self, filters: SearchFilters) -> list[MessageSummary]:
        """Messages newest first, filtered."""
        where, params = self._where(filters)
        rows = self._conn.execute(
            f"SELECT {_SUMMARY_COLUMNS} FROM {_SUMMARY_FROM} {where}"
            " ORDER BY m.sort_key DESC LIMIT ? OFFSET ?",
            (*params, filters.limit, filters.offset),
        ).fetchall()
        return [_summary(r) for r in rows]

    def count(self, filters: SearchFilters) -> int:
        """How many messages match the filters."""
        where, params = self._where(filters)
        row = self._conn.execute(f"SELECT count(*) FROM {_SUMMARY_FROM} {where}", params).fetchone()
        return int(row[0])

    def search(self, query: str, filters: SearchFilters) -> list[MessageSummary]:
        """Full-text search (subject, people, body, attachment names and text), newest first.

        Raises:
            ValidationError: ``search.empty_query``.
        """
        fts_query = to_fts_query(query)
        where, params = self._where(filters, sort_key_column="x.rowid")
        condition = where.replace("WHERE", "AND", 1) if where else ""
        rows = self._conn.execute(
            f"SELECT {_SUMMARY_COLUMNS} FROM message_fts x JOIN messages m"
            f" ON m.sort_key = x.rowid JOIN folders f ON f.id = m.folder_id"
            f" JOIN accounts a ON a.id = m.account_id"
            f" WHERE message_fts MATCH ? {condition}"
            f" ORDER BY x.rowid DESC LIMIT ? OFFSET ?",
            (fts_query, *params, filters.limit, filters.offset),
        ).fetchall()
        return [_summary(r) for r in rows]

    def _where(
        self, filters: SearchFilters, *, sort_key_column: str = "m.sort_key"
    ) -> tuple[str, tuple[Any, ...]]:
        clauses: list[str] = []
        params: list[Any] = []
        if filters.account_id is not None:
            clauses.append("m.account_id = ?")
            params.append(filters.account_id)
        if filters.folder_id is not None:
            clauses.append("m.folder_id = ?")
            params.append(filters.folder_id)
        if filters.since is not None:
            clauses.append(f"{sort_key_column} >= ?")
            params.append(max(filters.since, 0) << SORT_SHIFT)
        if filters.until is not None:
            clauses.append(f"{sort_key_column} < ?")
            params.append(max(filters.until, 0) << SORT_SHIFT)
        if filters.has_attachments is not None:
            clauses.append("m.has_attachments = ?")
            params.append(int(filters.has_attachments))
        if filters.correspondent:
            clauses.append("m.id IN (SELECT message_id FROM message_people WHERE address = ?)")
            params.append(filters.correspondent.lower())
        if filters.patient_ins:
            clauses.append("m.patient_ins = ?")
            params.append(filters.patient_ins)
        where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
        return where, tuple(params)

    def summary(self, pk: int) -> MessageSummary:
        """One message's list line.

        Raises:
            NotFoundError: ``message.not_found``.
        """
        row = self._conn.execute(
            f"SELECT {_SUMMARY_COLUMNS} FROM {_SUMMARY_FROM} WHERE m.id = ?", (pk,)
        ).fetchone()
        if row is None:
            raise NotFoundError("message.not_found", id=pk)
        return _summary(row)

    def detail(self, pk: int) -> MessageDetail:
        """Everything about one message."""
        summary = self.summary(pk)
        row = self._conn.execute(
            "SELECT m.message_id, m.in_reply_to, m.refs, m.to_json, m.cc_json, m.reply_to,"
            " m.structure, t.body FROM messages m LEFT JOIN message_text t"
            " ON t.sort_key = m.sort_key WHERE m.id = ?",
            (pk,),
        ).fetchone()
        structure = structure_from_json(row[6])
        return MessageDetail(
            summary=summary,
            message_id=row[0],
            in_reply_to=row[1],
            references=tuple(r for r in (row[2] or "").split(" ") if r),
            to=tuple(Person(n, a) for n, a in json.loads(row[3] or "[]")),
            cc=tuple(Person(n, a) for n, a in json.loads(row[4] or "[]")),
            reply_to=tuple(Person(n, a) for n, a in json.loads(row[5] or "[]")),
            body_text=row[7] or "",
            attachments=tuple(
                AttachmentSummary(p.part, p.filename, p.content_type, p.size)
                for p in structure.attachments
            ),
        )

    def headers(self, pk: int) -> dict[str, str]:
        """The selected headers kept for a message (lower-case names)."""
        row = self._conn.execute("SELECT headers FROM messages WHERE id = ?", (pk,)).fetchone()
        if row is None:
            raise NotFoundError("message.not_found", id=pk)
        return dict(json.loads(row[0])) if row[0] else {}

    def receipt_candidates(self) -> list[tuple[int, str, dict[str, str], str, int]]:
        """(id, account, headers, keywords, flags) of messages asking for a read receipt."""
        rows = self._conn.execute(
            "SELECT m.id, a.name, m.headers, m.keywords, m.flags FROM messages m"
            " JOIN accounts a ON a.id = m.account_id"
            " WHERE m.headers LIKE '%disposition-notification-to%' ORDER BY m.sort_key DESC"
        ).fetchall()
        return [(r[0], r[1], json.loads(r[2]), r[3] or "", r[4]) for r in rows]

    def to_examine(self, limit: int = 500) -> list[ExamineRow]:
        """Archived messages not examined yet (reports, patients, closed conversations)."""
        rows = self._conn.execute(
            "SELECT m.id, m.account_id, f.role, m.structure, m.headers, m.patient_ins,"
            " m.from_addr, m.from_name, m.message_id, m.subject, m.internal_date, a.address"
            " FROM messages m JOIN folders f ON f.id = m.folder_id"
            " JOIN accounts a ON a.id = m.account_id"
            " WHERE m.examined = 0 AND m.body_state = 1 ORDER BY m.id LIMIT ?",
            (limit,),
        ).fetchall()
        return [
            ExamineRow(
                pk=r[0],
                account_id=r[1],
                folder_role=r[2],
                content_types=tuple(p.content_type for p in structure_from_json(r[3]).parts),
                headers=json.loads(r[4]) if r[4] else {},
                patient_ins=r[5],
                sender=r[6],
                sender_name=r[7] or "",
                message_id=r[8],
                subject=r[9] or "",
                internal_date=r[10],
                account_address=r[11],
            )
            for r in rows
        ]

    def patient_counts(self, ins: str) -> tuple[int, int | None]:
        """(messages, last arrival) of a patient's conversation."""
        row = self._conn.execute(
            "SELECT count(*), max(internal_date) FROM messages WHERE patient_ins = ?", (ins,)
        ).fetchone()
        return int(row[0]), row[1]

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

    def raw(self, pk: int) -> bytes | None:
        """The archived message bytes, or None when not archived yet.

        Raises:
            StoreError: ``store.blob_missing``/``store.blob_damaged`` (segment file lost or
                altered).
        """
        row = self._conn.execute(
            "SELECT raw, segment, offset, length, blob_key FROM message_bodies"
            " WHERE message_id = ?",
            (pk,),
        ).fetchone()
        if row is None:
            return None
        if row[0] is not None:
            return bytes(row[0])
        if self._blobs is None:
            raise ValidationError("store.blobs_unavailable")
        return self._blobs.read(BlobRef(row[1], row[2], row[3], bytes(row[4])))

    def compact(self, *, threshold: float = 0.5) -> int:
        """Rewrite segment files whose live records are under `threshold` of their size.

        Deleted messages' records stay in their segment (their keys are gone) until then.
        Returns the bytes reclaimed. Crash-safe: records are copied and synced, the rows
        updated and committed, and only then is the old file removed.
        """
        if self._blobs is None:
            return 0
        blobs = self._blobs
        live = dict(
            self._conn.execute(
                "SELECT segment, sum(length) FROM message_bodies WHERE segment IS NOT NULL"
                " GROUP BY segment"
            ).fetchall()
        )
        segments = blobs.segments()
        reclaimed = 0
        for segment in segments[:-1]:  # never the one being appended to
            size = blobs.size(segment)
            if size == 0 or live.get(segment, 0) >= threshold * size:
                continue
            records = self._conn.execute(
                "SELECT message_id, offset, length, blob_key FROM message_bodies"
                " WHERE segment = ? ORDER BY offset",
                (segment,),
            ).fetchall()
            moved = [blobs.read_sealed(BlobRef(segment, r[1], r[2], bytes(r[3]))) for r in records]
            blobs.start_new_segment()
            refs = blobs.append_sealed(moved)
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                for record, ref in zip(records, refs, strict=True):
                    self._conn.execute(
                        "UPDATE message_bodies SET segment = ?, offset = ?, length = ?,"
                        " blob_key = ? WHERE message_id = ?",
                        (ref.segment, ref.offset, ref.length, ref.key, record[0]),
                    )
                self._conn.execute("COMMIT")
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            blobs.remove(segment)
            reclaimed += size - sum(ref.length for ref in refs)
        return reclaimed

    def thread(self, thread_id: int) -> list[MessageSummary]:
        """Every message of a thread, oldest first."""
        rows = self._conn.execute(
            f"SELECT {_SUMMARY_COLUMNS} FROM {_SUMMARY_FROM} WHERE m.thread_id = ?"
            " ORDER BY m.sort_key",
            (thread_id,),
        ).fetchall()
        return [_summary(r) for r in rows]

    def find_by_message_id(self, account_id: int, message_id: str) -> list[MessageSummary]:
        """Messages of an account carrying this Message-ID (copies in several folders)."""
        rows = self._conn.execute(
            f"SELECT {_SUMMARY_COLUMNS} FROM {_SUMMARY_FROM}"
            " WHERE m.account_id = ? AND m.message_id = ? ORDER BY m.sort_key",
            (account_id, message_id),
        ).fetchall()
        return [_summary(r) for r in rows]

    # -- local changes (replayed later) -----------------------------------------------------

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
        self._unindex(sort_key)
        self._conn.execute("DELETE FROM messages WHERE id = ?", (pk,))


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
