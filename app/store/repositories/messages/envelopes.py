"""Sync bookkeeping: envelopes listed by the server, UIDs, tombstones, server flags.

Sync writes are idempotent (keyed by folder, UIDVALIDITY and UID), so replaying any batch after
a crash neither loses nor doubles a message. Blocking: the store's thread only.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Sequence

from app.domain.addresses import PATIENT_DOMAIN, MailAddress
from app.domain.errors import ValidationError
from app.domain.message import EnvelopeRecord, Person
from app.store.database import Connection
from app.store.repositories.messages.rows import (
    BODY_ARCHIVED,
    SORT_SHIFT,
    InsertOutcome,
    Merge,
    TextRow,
    refs_of,
    structure_to_json,
)
from app.store.repositories.messages.text_index import TextIndex
from app.store.repositories.messages.threads import ThreadJoiner

_PATIENT_SUFFIX = "@" + PATIENT_DOMAIN


def _people_text(record: EnvelopeRecord) -> str:
    people = ([record.sender] if record.sender else []) + list(record.to) + list(record.cc)
    return " ".join(f"{p.name} {p.address}".strip() for p in people)


def _people_json(people: Sequence[Person]) -> str:
    return json.dumps([[p.name, p.address] for p in people], ensure_ascii=False)


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


class EnvelopeSync:
    """What sync records of a folder: envelopes, UID bindings, tombstones, server flags."""

    def __init__(self, conn: Connection, text: TextIndex, threads: ThreadJoiner) -> None:
        self._conn = conn
        self._text = text
        self._threads = threads

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

    def tombstone_folder(self, account_id: int, uidvalidity: int, uid: int) -> str | None:
        """The folder's name now of the one tombstone with this UIDVALIDITY and UID, if one."""
        rows = self._conn.execute(
            "SELECT f.name FROM tombstones t JOIN folders f ON f.id = t.folder_id"
            " WHERE f.account_id = ? AND t.uidvalidity = ? AND t.uid = ?",
            (account_id, uidvalidity, uid),
        ).fetchall()
        return str(rows[0][0]) if len(rows) == 1 else None

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

    def unbound_ids(self, folder_id: int) -> list[int]:
        """Archive ids of the folder's entries without a UID and not marked gone yet."""
        return [
            int(r[0])
            for r in self._conn.execute(
                "SELECT id FROM messages WHERE folder_id = ? AND uid IS NULL AND gone_at IS NULL",
                (folder_id,),
            )
        ]

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
        moved_in: list[tuple[int, int]] = []
        # EMAILIDs (RFC 8474) the archive holds already: none on a first listing, so no
        # look-up per message there.
        elsewhere = self._held_email_ids(account_id, [r.email_id for r in todo if r.email_id])
        if elsewhere:
            # The server's EMAILID first: a message whose archive entry is unbound here, gone
            # from another folder or left in a folder gone from the server moved here; it
            # keeps its entry.
            fresh = []
            for record in todo:
                taken = (
                    self._take_by_email_id(account_id, folder_id, uidvalidity, record)
                    if record.email_id in elsewhere
                    else None
                )
                if taken is None:
                    fresh.append(record)
                    continue
                rebound += 1
                if taken[1] != folder_id:
                    moved_in.append(taken)
            todo = fresh
        if todo and self._has_unbound(folder_id):
            fresh = []
            for record in todo:
                if self._rebind(folder_id, uidvalidity, record):
                    rebound += 1
                else:
                    fresh.append(record)
            todo = fresh
        if todo and self._has_orphans(account_id):
            # A folder renamed on the server: its messages come back under another name (and
            # a new UIDVALIDITY). Recognised by content, they keep their archive entry.
            fresh = []
            for record in todo:
                taken = self._adopt(account_id, folder_id, uidvalidity, record)
                if taken is None:
                    fresh.append(record)
                    continue
                rebound += 1
                moved_in.append(taken)
            todo = fresh
        if not todo:
            return InsertOutcome(0, rebound, (), moved_in=tuple(moved_in))
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
                    record.email_id,
                    record.server_thread_id,
                )
            )
        self._conn.executemany(
            "INSERT INTO messages (account_id, folder_id, uidvalidity, uid, sort_key, message_id,"
            " in_reply_to, refs, subject, from_addr, from_name, to_json, cc_json, reply_to,"
            " sent_date, internal_date, size, flags, keywords, modseq, has_attachments,"
            " structure, patient_ins, added_at, headers, email_id, server_thread_id)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
            " ?, ?)",
            rows,
        )
        pk_of = self._pks_by_sort_key(keys)
        pks = [pk_of[k] for k in keys]
        people_rows: list[tuple[int, str, str, str]] = []
        ref_rows: list[tuple[int, str]] = []
        text_rows: list[TextRow] = []
        for record, pk, sort_key in zip(todo, pks, keys, strict=True):
            people = [("from", record.sender)] if record.sender else []
            people += [("to", p) for p in record.to] + [("cc", p) for p in record.cc]
            people += [("reply_to", p) for p in record.reply_to]
            people_rows.extend((pk, role, p.address, p.name) for role, p in people)
            ref_rows.extend((pk, ref) for ref in refs_of(record))
            names = " ".join(a.filename for a in record.structure.attachments if a.filename)
            text_rows.append((sort_key, record.subject, _people_text(record), "", names))
        self._conn.executemany(
            "INSERT INTO message_people (message_id, role, address, name) VALUES (?, ?, ?, ?)",
            people_rows,
        )
        self._conn.executemany("INSERT INTO message_refs (message_id, ref) VALUES (?, ?)", ref_rows)
        self._text.add(text_rows)
        self._threads.join(account_id, list(zip(pks, todo, strict=True)))
        return InsertOutcome(
            added=len(pks),
            rebound=rebound,
            added_pks=tuple(pks),
            moved_in=tuple(moved_in),
            known_elsewhere=tuple(
                pk for pk, record in zip(pks, todo, strict=True) if record.email_id in elsewhere
            ),
        )

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

    def _has_orphans(self, account_id: int) -> bool:
        """Whether the account has messages in folders no longer on the server."""
        return (
            self._conn.execute(
                "SELECT 1 FROM messages m JOIN folders f ON f.id = m.folder_id"
                " WHERE f.account_id = ? AND f.on_server = 0 LIMIT 1",
                (account_id,),
            ).fetchone()
            is not None
        )

    def _adopt(
        self, account_id: int, folder_id: int, uidvalidity: int, record: EnvelopeRecord
    ) -> tuple[int, int] | None:
        """Take over the archived copy of `record` left in a folder gone from the server.

        The same message is recognised by its content as the server describes it: Message-ID,
        size and arrival date (arrival date and size without a Message-ID); a message that
        matches nothing stays where it is (kept, never lost), and the record is added anew.
        Returns (the entry's id, the folder it was in), None when none matched.
        """
        if record.message_id:
            row = self._conn.execute(
                "SELECT m.id, m.folder_id FROM messages m JOIN folders f ON f.id = m.folder_id"
                " WHERE f.account_id = ? AND f.on_server = 0 AND m.message_id = ?"
                " AND m.size = ? AND m.internal_date = ? ORDER BY m.id LIMIT 1",
                (account_id, record.message_id, record.size, record.internal_date),
            ).fetchone()
        else:
            row = self._conn.execute(
                "SELECT m.id, m.folder_id FROM messages m JOIN folders f ON f.id = m.folder_id"
                " WHERE f.account_id = ? AND f.on_server = 0 AND m.message_id IS NULL"
                " AND m.size = ? AND m.internal_date = ? ORDER BY m.id LIMIT 1",
                (account_id, record.size, record.internal_date),
            ).fetchone()
        if row is None:
            return None
        self._bind_to(int(row[0]), folder_id, uidvalidity, record)
        return int(row[0]), int(row[1])

    def _take_by_email_id(
        self, account_id: int, folder_id: int, uidvalidity: int, record: EnvelopeRecord
    ) -> tuple[int, int] | None:
        """Take over the archive entry with `record`'s EMAILID, if it moved here.

        Candidates: an entry unbound in this folder (UIDVALIDITY changed, a move made in Pli),
        one gone from any folder of the account, one left in a folder gone from the server.
        An entry still listed elsewhere is not taken (a copy, or a move whose source is not
        seen yet: `merge_moved` joins them once the source says it is gone). The EMAILID is
        never trusted alone (a faulty server may give one to distinct messages): the size
        and the Message-ID must match too, and the arrival date without a Message-ID.
        Returns (the entry's id, the folder it was in), None when none matched.
        """
        if not record.email_id:
            return None
        row = self._conn.execute(
            "SELECT m.id, m.folder_id FROM messages m JOIN folders f ON f.id = m.folder_id"
            " WHERE m.account_id = ? AND m.email_id = ? AND m.size = ? AND m.message_id IS ?"
            " AND (m.message_id IS NOT NULL OR m.internal_date = ?)"
            " AND ((m.folder_id = ? AND m.uid IS NULL) OR m.gone_at IS NOT NULL"
            " OR f.on_server = 0)"
            " ORDER BY (m.folder_id = ? AND m.uid IS NULL) DESC, m.id LIMIT 1",
            (
                account_id,
                record.email_id,
                record.size,
                record.message_id,
                record.internal_date,
                folder_id,
                folder_id,
            ),
        ).fetchone()
        if row is None:
            return None
        self._bind_to(int(row[0]), folder_id, uidvalidity, record)
        return int(row[0]), int(row[1])

    def _bind_to(self, pk: int, folder_id: int, uidvalidity: int, record: EnvelopeRecord) -> None:
        """Give an archive entry the server position and state `record` describes."""
        self._conn.execute(
            "UPDATE messages SET folder_id = ?, uid = ?, uidvalidity = ?, flags = ?,"
            " keywords = ?, modseq = ?, gone_at = NULL, email_id = coalesce(?, email_id),"
            " server_thread_id = coalesce(?, server_thread_id) WHERE id = ?",
            (
                folder_id,
                record.uid,
                uidvalidity,
                record.flags,
                " ".join(record.keywords),
                record.modseq,
                record.email_id,
                record.server_thread_id,
                pk,
            ),
        )

    def _held_email_ids(self, account_id: int, email_ids: Sequence[str | None]) -> set[str]:
        """Which of these EMAILIDs the archive already holds for the account."""
        wanted = sorted({e for e in email_ids if e})
        held: set[str] = set()
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            held.update(
                str(r[0])
                for r in self._conn.execute(
                    f"SELECT DISTINCT email_id FROM messages WHERE account_id = ?"
                    f" AND email_id IN ({marks})",
                    (account_id, *chunk),
                )
            )
        return held

    def merge_moved(self, account_id: int, gone_pks: Iterable[int]) -> list[Merge]:
        """Join entries found gone with the copy of them already listed elsewhere (EMAILID).

        A message moved by another client from a folder synced after its destination is
        first listed anew in the destination, then found gone from its source. The older
        entry (body, flags history, Pli's marks) takes the newer one's place on the server
        and the newer one leaves the archive: one entry, nothing lost. Only when the older
        entry has no archived body and the newer one has, the newer one stays and the bare
        older one leaves. The copy must be newer, listed, and match by EMAILID, size and
        Message-ID (and arrival date without a Message-ID).
        """
        merges: list[Merge] = []
        for pk in self._with_email_id(gone_pks):
            gone = self._conn.execute(
                "SELECT folder_id, email_id, size, message_id, internal_date, thread_id,"
                " body_state, sort_key"
                " FROM messages WHERE id = ? AND account_id = ? AND gone_at IS NOT NULL"
                " AND email_id IS NOT NULL",
                (pk, account_id),
            ).fetchone()
            if gone is None:
                continue
            source, email_id, size, message_id, internal_date, thread_id, body, gone_key = gone
            twin = self._conn.execute(
                "SELECT m.id, m.folder_id, m.uidvalidity, m.uid, m.flags, m.keywords, m.modseq,"
                " m.server_thread_id, m.sort_key, m.body_state, m.thread_id FROM messages m"
                " JOIN folders f ON f.id = m.folder_id"
                " WHERE m.account_id = ? AND m.email_id = ? AND m.id > ? AND m.uid IS NOT NULL"
                " AND m.gone_at IS NULL AND f.on_server = 1 AND m.size = ?"
                " AND m.message_id IS ? AND (m.message_id IS NOT NULL OR m.internal_date = ?)"
                " ORDER BY m.id DESC LIMIT 1",
                (account_id, email_id, pk, size, message_id, internal_date),
            ).fetchone()
            if twin is None:
                continue
            (copy, target, uidvalidity, uid, flags, keywords, modseq, server_thread, key) = twin[:9]
            if body != BODY_ARCHIVED and twin[9] == BODY_ARCHIVED:
                # The copy holds the archived body: it stays, the bare entry leaves.
                self._drop(pk, int(gone_key), replaced_by_thread=twin[10])
                merges.append(
                    Merge(
                        kept=int(copy),
                        dropped=pk,
                        from_folder=int(source),
                        to_folder=int(target),
                        kept_moved=False,
                    )
                )
                continue
            dropped = int(copy)
            self._text.remove(int(key))
            self._conn.execute("DELETE FROM messages WHERE id = ?", (dropped,))
            if thread_id is not None:
                self._conn.execute(
                    "UPDATE messages SET thread_id = ? WHERE thread_id = ?", (thread_id, dropped)
                )
            self._conn.execute(
                "UPDATE messages SET folder_id = ?, uidvalidity = ?, uid = ?, flags = ?,"
                " keywords = ?, modseq = ?, gone_at = NULL,"
                " server_thread_id = coalesce(?, server_thread_id) WHERE id = ?",
                (target, uidvalidity, uid, flags, keywords, modseq, server_thread, pk),
            )
            merges.append(
                Merge(kept=pk, dropped=dropped, from_folder=int(source), to_folder=int(target))
            )
        return merges

    def _with_email_id(self, pks: Iterable[int]) -> list[int]:
        """Those of `pks` stored with an EMAILID (none from a server without OBJECTID)."""
        wanted = list(pks)
        found: list[int] = []
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            found.extend(
                int(r[0])
                for r in self._conn.execute(
                    f"SELECT id FROM messages WHERE id IN ({marks}) AND email_id IS NOT NULL",
                    chunk,
                )
            )
        return sorted(found)

    def _drop(self, pk: int, sort_key: int, *, replaced_by_thread: int | None) -> None:
        """Remove an entry joined with another (no tombstone: the server still has it)."""
        self._text.remove(sort_key)
        self._conn.execute("DELETE FROM messages WHERE id = ?", (pk,))
        if replaced_by_thread is not None:
            self._conn.execute(
                "UPDATE messages SET thread_id = ? WHERE thread_id = ?", (replaced_by_thread, pk)
            )

    def missing_email_ids(self, folder_id: int, uidvalidity: int) -> list[int]:
        """UIDs of the folder's listed entries stored without an EMAILID (before schema 5)."""
        return [
            int(r[0])
            for r in self._conn.execute(
                "SELECT uid FROM messages WHERE folder_id = ? AND uidvalidity = ?"
                " AND uid IS NOT NULL AND email_id IS NULL",
                (folder_id, uidvalidity),
            )
        ]

    def save_object_ids(
        self, folder_id: int, uidvalidity: int, ids: dict[int, tuple[str, str | None]]
    ) -> int:
        """Store the EMAILID and THREADID the server gives messages already archived."""
        before = self._conn.total_changes
        self._conn.executemany(
            "UPDATE messages SET email_id = ?, server_thread_id = coalesce(?, server_thread_id)"
            " WHERE folder_id = ? AND uidvalidity = ? AND uid = ? AND email_id IS NULL",
            [
                (email_id, thread, folder_id, uidvalidity, uid)
                for uid, (email_id, thread) in ids.items()
            ],
        )
        return int(self._conn.total_changes - before)

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
        self._bind_to(int(row[0]), folder_id, uidvalidity, record)
        return True

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
