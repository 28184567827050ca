"""The outbox, drafts, patients, delivery status and correspondents. Store thread only."""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from app.domain.addresses import PATIENT_DOMAIN
from app.domain.contacts import Contact
from app.domain.delivery import MessageStatus, merge_status
from app.domain.errors import NotFoundError, ValidationError
from app.domain.outbox import PENDING_STATES, WAITING_STATES, OutboxState, allowed
from app.store.database import Connection

#: Columns a transition may record besides the state.
_TRANSITION_FIELDS = frozenset(
    {"last_error", "refused", "dsn_offered", "server_reply", "submitted_at", "filed_at"}
)


@dataclass(frozen=True)
class OutboxEntry:
    """A message written in Pli, and how far it got."""

    id: int
    account_id: int
    message_id: str
    state: OutboxState
    kind: str
    raw: bytes
    envelope_from: str
    recipients: tuple[str, ...]
    dsn: dict[str, Any] | None
    subject: str
    patient_ins: str | None
    reply_to_pk: int | None
    attempts: int
    last_error: str | None
    refused: tuple[dict[str, Any], ...]
    dsn_offered: bool | None
    created_at: int
    submitted_at: int | None
    filed_at: int | None
    updated_at: int
    #: The server's answer to the message data once submitted; before that, the parameters
    #: of the last error as JSON (``{"error": {...}}``, see `outbox_service.entry_error`).
    server_reply: str | None = None


_OUTBOX_COLUMNS = (
    "id, account_id, message_id, state, kind, raw, envelope_from, recipients, dsn, subject,"
    " patient_ins, reply_to_pk, attempts, last_error, refused, dsn_offered, created_at,"
    " submitted_at, filed_at, updated_at, server_reply"
)


def _entry(r: Any) -> OutboxEntry:
    return OutboxEntry(
        id=r[0],
        account_id=r[1],
        message_id=r[2],
        state=OutboxState(r[3]),
        kind=r[4],
        raw=bytes(r[5]),
        envelope_from=r[6],
        recipients=tuple(json.loads(r[7])),
        dsn=json.loads(r[8]) if r[8] else None,
        subject=r[9],
        patient_ins=r[10],
        reply_to_pk=r[11],
        attempts=r[12],
        last_error=r[13],
        refused=tuple(json.loads(r[14])) if r[14] else (),
        dsn_offered=None if r[15] is None else bool(r[15]),
        created_at=r[16],
        submitted_at=r[17],
        filed_at=r[18],
        updated_at=r[19],
        server_reply=r[20],
    )


class OutboxRepository:
    """The `outbox` table."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def add(
        self,
        *,
        account_id: int,
        message_id: str,
        kind: str,
        raw: bytes,
        envelope_from: str,
        recipients: tuple[str, ...],
        dsn: dict[str, Any] | None,
        subject: str,
        patient_ins: str | None,
        reply_to_pk: int | None,
        issues: list[dict[str, Any]],
    ) -> int:
        """Queue a composed message."""
        now = int(time.time())
        cursor = self._conn.execute(
            "INSERT INTO outbox (account_id, message_id, state, kind, raw, envelope_from,"
            " recipients, dsn, subject, patient_ins, reply_to_pk, issues, created_at,"
            " updated_at) VALUES (?, ?, 'queued', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                account_id,
                message_id,
                kind,
                raw,
                envelope_from,
                json.dumps(list(recipients)),
                json.dumps(dsn) if dsn else None,
                subject,
                patient_ins,
                reply_to_pk,
                json.dumps(issues, ensure_ascii=False) if issues else None,
                now,
                now,
            ),
        )
        return int(cursor.lastrowid)

    def get(self, entry_id: int) -> OutboxEntry:
        """One entry.

        Raises:
            NotFoundError: ``outbox.not_found``.
        """
        entry = self.find(entry_id)
        if entry is None:
            raise NotFoundError("outbox.not_found", id=entry_id)
        return entry

    def find(self, entry_id: int) -> OutboxEntry | None:
        """One entry, or None when it is gone (its account was removed)."""
        row = self._conn.execute(
            f"SELECT {_OUTBOX_COLUMNS} FROM outbox WHERE id = ?", (entry_id,)
        ).fetchone()
        return _entry(row) if row else None

    def pending(self, account_id: int) -> list[int]:
        """Ids of the entries not yet filed or failed, oldest first.

        Only ids: a flush reads each entry again just before acting on it, since another
        flush (in this process or another) may have moved it meanwhile.
        """
        marks = ",".join("?" * len(PENDING_STATES))
        rows = self._conn.execute(
            f"SELECT id FROM outbox WHERE account_id = ? AND state IN ({marks}) ORDER BY id",
            (account_id, *PENDING_STATES),
        ).fetchall()
        return [int(r[0]) for r in rows]

    def counts(self, account_id: int) -> tuple[int, int]:
        """(waiting to leave, failed) entries of an account."""
        marks = ",".join("?" * len(WAITING_STATES))
        row = self._conn.execute(
            f"SELECT coalesce(sum(state IN ({marks})), 0), coalesce(sum(state = ?), 0)"
            " FROM outbox WHERE account_id = ?",
            (*WAITING_STATES, OutboxState.FAILED, account_id),
        ).fetchone()
        return int(row[0]), int(row[1])

    def written(self, message_ids: Iterable[str]) -> dict[str, tuple[int, int]]:
        """Message-ID → (entry id, account id) of those Pli wrote, among `message_ids`."""
        found: dict[str, tuple[int, int]] = {}
        wanted = list(dict.fromkeys(message_ids))
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self._conn.execute(
                f"SELECT message_id, id, account_id FROM outbox WHERE message_id IN ({marks})",
                chunk,
            ).fetchall()
            found.update({r[0]: (int(r[1]), int(r[2])) for r in rows})
        return found

    def all(self, *, account_id: int | None = None, limit: int = 200) -> list[OutboxEntry]:
        """Recent entries, newest first."""
        where = "WHERE account_id = ?" if account_id is not None else ""
        params: tuple[Any, ...] = (account_id,) if account_id is not None else ()
        rows = self._conn.execute(
            f"SELECT {_OUTBOX_COLUMNS} FROM outbox {where} ORDER BY id DESC LIMIT ?",
            (*params, limit),
        ).fetchall()
        return [_entry(r) for r in rows]

    def filed_since(self, account_id: int, since: int) -> list[tuple[int, str, tuple[str, ...]]]:
        """Entries of the account filed at or after `since`, newest first.

        Only (id, Message-ID, envelope recipients), without the message itself: cheap enough
        for every flush.
        """
        rows = self._conn.execute(
            "SELECT id, message_id, recipients FROM outbox"
            " WHERE account_id = ? AND state = ? AND filed_at >= ? ORDER BY id DESC",
            (account_id, OutboxState.FILED.value, since),
        ).fetchall()
        return [(int(r[0]), str(r[1]), tuple(json.loads(r[2]))) for r in rows]

    def transition(
        self,
        entry_id: int,
        expected: OutboxState | Iterable[OutboxState],
        state: OutboxState,
        **fields: Any,
    ) -> bool:
        """Move an entry to `state` only if it is still in `expected` (compare-and-set).

        Returns whether it moved: False means another flush (in this process or another)
        changed it since it was read, and the caller must leave it alone. Moving to
        ``uncertain`` keeps ``updated_at`` (the time of the attempt, which the grace period
        counts from); moving to ``submitting`` counts an attempt.
        """
        sources = (expected,) if isinstance(expected, OutboxState) else tuple(expected)
        for source in sources:
            if not allowed(source, state):
                raise ValueError(f"{source} -> {state}")
        sets = ["state = ?"]
        values: list[Any] = [state.value]
        if state is not OutboxState.UNCERTAIN:
            sets.append("updated_at = ?")
            values.append(int(time.time()))
        for name, value in fields.items():
            if name not in _TRANSITION_FIELDS:
                raise ValueError(name)
            if name == "last_error" and state is OutboxState.UNCERTAIN:
                sets.append("last_error = coalesce(?, last_error)")
            else:
                sets.append(f"{name} = ?")
            values.append(json.dumps(value) if name == "refused" else value)
        if state is OutboxState.SUBMITTING:
            sets.append("attempts = attempts + 1")
        marks = ",".join("?" * len(sources))
        cursor = self._conn.execute(
            f"UPDATE outbox SET {', '.join(sets)} WHERE id = ? AND state IN ({marks})",
            (*values, entry_id, *(s.value for s in sources)),
        )
        return bool(cursor.rowcount == 1)

    def record_submission(self, entry_id: int, **fields: Any) -> None:
        """Record what the server answered, whatever the state is now.

        Another flush may have moved the entry on meanwhile, having found the message on the
        server; the first submission time is kept.
        """
        sets, values = [], []
        for name, value in fields.items():
            if name not in _TRANSITION_FIELDS:
                raise ValueError(name)
            sets.append(
                f"{name} = coalesce({name}, ?)" if name == "submitted_at" else f"{name} = ?"
            )
            values.append(json.dumps(value) if name == "refused" else value)
        if sets:
            self._conn.execute(
                f"UPDATE outbox SET {', '.join(sets)} WHERE id = ?", (*values, entry_id)
            )

    def retried_since(self, account_id: int, since: int) -> list[tuple[int, str, tuple[str, ...]]]:
        """Filed entries changed after their filing, at or after `since`, newest first.

        A filed entry changes when its recipients refused for now are tried again: that try's
        hidden copy may come late too. Same rows as `filed_since`.
        """
        rows = self._conn.execute(
            "SELECT id, message_id, recipients FROM outbox"
            " WHERE account_id = ? AND state = ? AND updated_at >= ? AND updated_at > filed_at"
            " ORDER BY id DESC",
            (account_id, OutboxState.FILED.value, since),
        ).fetchall()
        return [(int(r[0]), str(r[1]), tuple(json.loads(r[2]))) for r in rows]

    def due_retries(self, account_id: int, now: int, *, every: bool = False) -> list[int]:
        """Filed entries with recipients refused for now whose new try is due, oldest first.

        Due: its time (``next``) has come, or a try of it was begun and never recorded (a
        flush died, or lost the server's answer), to be looked into. `every` takes every
        entry with recipients waiting, due or not (the user asked to send now).
        """
        rows = self._conn.execute(
            "SELECT id FROM outbox WHERE account_id = ? AND state = ? AND refused IS NOT NULL"
            " AND EXISTS (SELECT 1 FROM json_each(outbox.refused) r"
            " WHERE json_extract(r.value, '$.pending') = 1"
            " AND (? OR coalesce(json_extract(r.value, '$.next'), 0) <= ?"
            " OR json_extract(r.value, '$.retrying') IS NOT NULL))"
            " ORDER BY id",
            (account_id, OutboxState.FILED.value, int(every), now),
        ).fetchall()
        return [int(r[0]) for r in rows]

    def replace_refused(
        self,
        entry_id: int,
        before: Iterable[dict[str, Any]],
        after: Iterable[dict[str, Any]],
    ) -> bool:
        """Replace a filed entry's refusal records if they are still `before` (compare-and-set).

        For the new tries of recipients refused for now: claiming a try, recording its answer.
        Returns whether it changed: False means another flush changed them first.
        """
        cursor = self._conn.execute(
            "UPDATE outbox SET refused = ?, updated_at = ? WHERE id = ? AND state = ?"
            " AND refused = ?",
            (
                json.dumps(list(after)),
                int(time.time()),
                entry_id,
                OutboxState.FILED.value,
                json.dumps(list(before)),
            ),
        )
        return bool(cursor.rowcount == 1)

    def claim_filing(self, entry_id: int, *, now: int, lease: int, take_over: bool = False) -> bool:
        """Take the filing of a submitted entry for `lease` seconds (compare-and-set).

        ``updated_at`` carries the lease: a submitted entry whose ``updated_at`` lies in the
        future is being filed by another flush, which keeps it until then (or files it).
        `take_over` takes it even so (the caller knows that flush is dead). Returns whether
        this caller has it.
        """
        cursor = self._conn.execute(
            "UPDATE outbox SET updated_at = ? WHERE id = ? AND state = ? AND updated_at <= ?",
            (now + lease, entry_id, OutboxState.SUBMITTED.value, now + lease if take_over else now),
        )
        return bool(cursor.rowcount == 1)

    def release_filing(self, entry_id: int, error: str | None = None) -> None:
        """Filing failed (the copy waits for the next flush): give the lease back.

        `error` is recorded as the entry's last error when given.
        """
        self._conn.execute(
            "UPDATE outbox SET last_error = coalesce(?, last_error), updated_at = ?"
            " WHERE id = ? AND state = ?",
            (error, int(time.time()), entry_id, OutboxState.SUBMITTED.value),
        )

    def cancel_queued(self, entry_id: int) -> bool:
        """Take a message out of the outbox before it was ever submitted (compare-and-set).

        Only a ``queued`` entry goes (one never handed to the server); returns whether it did.
        """
        cursor = self._conn.execute(
            "DELETE FROM outbox WHERE id = ? AND state = ?", (entry_id, OutboxState.QUEUED.value)
        )
        return bool(cursor.rowcount == 1)

    def abandon_queued(self, account_id: int, code: str) -> list[int]:
        """The account's messages never handed to a server: ``queued`` → ``failed`` (`code`).

        For a mailbox removed from Pli with its archive kept: nothing will ever send them,
        and they must not wait for ever. Outside the flush's state machine, as
        `requeue_failed`. Returns the ids of the entries that moved.
        """
        rows = self._conn.execute(
            "UPDATE outbox SET state = ?, last_error = ?, updated_at = ?"
            " WHERE account_id = ? AND state = ? RETURNING id",
            (OutboxState.FAILED.value, code, int(time.time()), account_id, OutboxState.QUEUED),
        ).fetchall()
        return sorted(int(r[0]) for r in rows)

    def requeue_failed(self, entry_id: int) -> bool:
        """The user's retry of a refused message: ``failed`` → ``queued`` (compare-and-set).

        Outside the flush's state machine on purpose: only the user decides to send a refused
        message again. Returns whether it moved.
        """
        cursor = self._conn.execute(
            "UPDATE outbox SET state = ?, last_error = NULL, refused = NULL, updated_at = ?"
            " WHERE id = ? AND state = ?",
            (OutboxState.QUEUED.value, int(time.time()), entry_id, OutboxState.FAILED.value),
        )
        return bool(cursor.rowcount == 1)


class DraftRepository:
    """Drafts (JSON), encrypted in the archive."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def save(self, account_id: int, content: dict[str, Any], draft_id: int | None = None) -> int:
        """Create or update a draft; returns its id."""
        now = int(time.time())
        text = json.dumps(content, ensure_ascii=False)
        if draft_id is None:
            cursor = self._conn.execute(
                "INSERT INTO drafts (account_id, content, created_at, updated_at)"
                " VALUES (?, ?, ?, ?)",
                (account_id, text, now, now),
            )
            return int(cursor.lastrowid)
        cursor = self._conn.execute(
            "UPDATE drafts SET content = ?, updated_at = ? WHERE id = ?", (text, now, draft_id)
        )
        if cursor.rowcount == 0:
            raise NotFoundError("draft.not_found", id=draft_id)
        return draft_id

    def get(self, draft_id: int) -> tuple[int, dict[str, Any], int]:
        """(account id, content, updated_at)."""
        row = self._conn.execute(
            "SELECT account_id, content, updated_at FROM drafts WHERE id = ?", (draft_id,)
        ).fetchone()
        if row is None:
            raise NotFoundError("draft.not_found", id=draft_id)
        return row[0], json.loads(row[1]), row[2]

    def all(self) -> list[tuple[int, int, dict[str, Any], int]]:
        """(id, account id, content, updated_at), newest first."""
        rows = self._conn.execute(
            "SELECT id, account_id, content, updated_at FROM drafts ORDER BY updated_at DESC"
        ).fetchall()
        return [(r[0], r[1], json.loads(r[2]), r[3]) for r in rows]

    def delete(self, draft_id: int) -> None:
        """Forget a draft (once sent, or discarded)."""
        self._conn.execute("DELETE FROM drafts WHERE id = ?", (draft_id,))


@dataclass(frozen=True)
class Patient:
    """A patient of Mon espace santé."""

    ins: str
    family_name: str
    given_name: str
    birth_date: str | None
    source: str
    objection: bool


@dataclass(frozen=True)
class PatientEvent:
    """Something that happened in a patient's conversation."""

    ts: int
    kind: str
    account_id: int | None
    message_ref: str | None
    detail: str | None


class PatientRepository:
    """Patients and their conversation events."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def find(self, ins: str) -> Patient | None:
        """A patient by INS."""
        row = self._conn.execute(
            "SELECT ins, family_name, given_name, birth_date, source, objection FROM patients"
            " WHERE ins = ?",
            (ins,),
        ).fetchone()
        return Patient(row[0], row[1], row[2], row[3], row[4], bool(row[5])) if row else None

    def get(self, ins: str) -> Patient:
        """A patient by INS.

        Raises:
            NotFoundError: ``patient.not_found``.
        """
        patient = self.find(ins)
        if patient is None:
            raise NotFoundError("patient.not_found", ins=ins)
        return patient

    def add(
        self, ins: str, family: str, given: str, birth_date: str | None, source: str
    ) -> Patient:
        """Create a patient record.

        Raises:
            ValidationError: ``patient.exists``.
        """
        if self.find(ins) is not None:
            raise ValidationError("patient.exists", ins=ins)
        now = int(time.time())
        self._conn.execute(
            "INSERT INTO patients (ins, family_name, given_name, birth_date, source,"
            " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (ins, family, given, birth_date, source, now, now),
        )
        return self.get(ins)

    def learn_from_mail(self, ins: str, family: str, given: str) -> None:
        """Create the record from a message, or fill a name still unknown (never overwrite)."""
        now = int(time.time())
        self._conn.execute(
            "INSERT INTO patients (ins, family_name, given_name, source, created_at, updated_at)"
            " VALUES (?, ?, ?, 'mail', ?, ?) ON CONFLICT (ins) DO UPDATE SET"
            " family_name = CASE WHEN family_name = '' THEN excluded.family_name"
            " ELSE family_name END,"
            " given_name = CASE WHEN given_name = '' THEN excluded.given_name"
            " ELSE given_name END, updated_at = excluded.updated_at",
            (ins, family, given, now, now),
        )

    def update(self, ins: str, **fields: Any) -> None:
        """Change a patient's name, birth date or objection."""
        allowed = {"family_name", "given_name", "birth_date", "objection"}
        if not fields or set(fields) - allowed:
            raise ValueError(fields)
        sets = ", ".join(f"{k} = ?" for k in fields)
        self._conn.execute(
            f"UPDATE patients SET {sets}, updated_at = ? WHERE ins = ?",
            (*fields.values(), int(time.time()), ins),
        )

    def all(self) -> list[Patient]:
        """Every patient, by name."""
        rows = self._conn.execute(
            "SELECT ins, family_name, given_name, birth_date, source, objection FROM patients"
            " ORDER BY family_name COLLATE NOCASE, given_name COLLATE NOCASE, ins"
        ).fetchall()
        return [Patient(r[0], r[1], r[2], r[3], r[4], bool(r[5])) for r in rows]

    def add_event(
        self,
        ins: str,
        kind: str,
        *,
        account_id: int | None = None,
        message_ref: str | None = None,
        detail: str | None = None,
        ts: int | None = None,
    ) -> None:
        """Record an event of the conversation (idempotent for a given message and kind)."""
        if message_ref is not None:
            exists = self._conn.execute(
                "SELECT 1 FROM patient_events WHERE ins = ? AND kind = ? AND message_ref = ?",
                (ins, kind, message_ref),
            ).fetchone()
            if exists:
                return
        self._conn.execute(
            "INSERT INTO patient_events (ins, ts, kind, account_id, message_ref, detail)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (ins, ts or int(time.time()), kind, account_id, message_ref, detail),
        )

    def events(self, ins: str) -> list[PatientEvent]:
        """A conversation's events, oldest first."""
        rows = self._conn.execute(
            "SELECT ts, kind, account_id, message_ref, detail FROM patient_events WHERE ins = ?"
            " ORDER BY ts, id",
            (ins,),
        ).fetchall()
        return [PatientEvent(*r) for r in rows]

    def closed_since(self, ins: str) -> PatientEvent | None:
        """The closing event when the conversation is closed now (last of closed/reopened)."""
        row = self._conn.execute(
            "SELECT ts, kind, account_id, message_ref, detail FROM patient_events"
            " WHERE ins = ? AND kind IN ('closed', 'reopened') ORDER BY ts DESC, id DESC LIMIT 1",
            (ins,),
        ).fetchone()
        if row is None or row[1] != "closed":
            return None
        return PatientEvent(*row)

    def remove_if_unused(self, ins: str) -> bool:
        """Forget a patient and their events when no archived message is theirs any more.

        For the demo mailbox's fictional patients once the demo is removed; True if removed.
        """
        used = self._conn.execute(
            "SELECT 1 FROM messages WHERE patient_ins = ? LIMIT 1", (ins,)
        ).fetchone()
        if used is not None:
            return False
        self._conn.execute("DELETE FROM patient_events WHERE ins = ?", (ins,))
        deleted = self._conn.execute("DELETE FROM patients WHERE ins = ?", (ins,))
        return int(deleted.rowcount) > 0


class DeliveryStatusRepository:
    """Per-recipient status of sent messages."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def report(
        self,
        message_id: str,
        recipient: str,
        status: MessageStatus,
        *,
        detail: str | None = None,
        report_ref: str | None = None,
    ) -> MessageStatus:
        """Merge a new report (never going backwards); returns the status now."""
        row = self._conn.execute(
            "SELECT status FROM delivery_status WHERE message_id = ? AND recipient = ?",
            (message_id, recipient.lower()),
        ).fetchone()
        current = MessageStatus(row[0]) if row else None
        merged = merge_status(current, status)
        if merged != current or detail:
            self._conn.execute(
                "INSERT INTO delivery_status (message_id, recipient, status, detail,"
                " report_ref, updated_at) VALUES (?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (message_id, recipient) DO UPDATE SET status = excluded.status,"
                " detail = coalesce(excluded.detail, detail),"
                " report_ref = coalesce(excluded.report_ref, report_ref),"
                " updated_at = excluded.updated_at",
                (message_id, recipient.lower(), merged.value, detail, report_ref, int(time.time())),
            )
        return merged

    def status(self, message_id: str, recipient: str) -> MessageStatus | None:
        """One recipient's status now (None before any report)."""
        row = self._conn.execute(
            "SELECT status FROM delivery_status WHERE message_id = ? AND recipient = ?",
            (message_id, recipient.lower()),
        ).fetchone()
        return MessageStatus(row[0]) if row else None

    def of(self, message_id: str) -> dict[str, tuple[str, str | None]]:
        """Recipient → (status, detail)."""
        rows = self._conn.execute(
            "SELECT recipient, status, detail FROM delivery_status WHERE message_id = ?"
            " ORDER BY recipient",
            (message_id,),
        ).fetchall()
        return {r[0]: (r[1], r[2]) for r in rows}


class ContactRepository:
    """Correspondents: favourites and recent ones (health data: here, encrypted)."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def used(self, addresses: list[tuple[str, str]]) -> None:
        """Record that mail was sent to these (address, display name)."""
        now = int(time.time())
        self._conn.executemany(
            "INSERT INTO contacts (address, display_name, last_used, use_count)"
            " VALUES (?, ?, ?, 1) ON CONFLICT (address) DO UPDATE SET"
            " last_used = excluded.last_used, use_count = use_count + 1,"
            " display_name = coalesce(nullif(excluded.display_name, ''), display_name)",
            [(a.lower(), n, now) for a, n in addresses],
        )

    def set_favourite(self, address: str, favourite: bool, name: str = "") -> None:
        """Mark or unmark a favourite."""
        self._conn.execute(
            "INSERT INTO contacts (address, display_name, favourite) VALUES (?, ?, ?)"
            " ON CONFLICT (address) DO UPDATE SET favourite = excluded.favourite,"
            " display_name = coalesce(nullif(excluded.display_name, ''), display_name)",
            (address.lower(), name, int(favourite)),
        )

    def saved(self) -> list[Contact]:
        """The contacts table: favourites and addresses Pli sent to (patients left out)."""
        rows = self._conn.execute(
            "SELECT address, display_name, favourite, last_used, use_count FROM contacts"
            " WHERE address NOT LIKE ?",
            (f"%@{PATIENT_DOMAIN}",),
        ).fetchall()
        return [Contact(r[0], r[1] or None, bool(r[2]), r[3], r[4]) for r in rows]

    def sent_to(self, since: int) -> list[Contact]:
        """Recipients (To, Cc) of the archived Sent folders' messages dated after `since`.

        Mail sent by another client counts too. Patients are left out: they are followed in
        their conversation, not in the directory.
        """
        rows = self._conn.execute(
            "SELECT p.address, max(p.name), max(coalesce(m.sent_date, m.internal_date)), count(*)"
            " FROM folders f JOIN messages m ON m.folder_id = f.id"
            " JOIN message_people p ON p.message_id = m.id"
            " WHERE f.role = 'sent' AND p.role IN ('to', 'cc')"
            " AND coalesce(m.sent_date, m.internal_date) >= ?"
            " AND p.address NOT LIKE ?"
            " GROUP BY p.address",
            (since, f"%@{PATIENT_DOMAIN}"),
        ).fetchall()
        return [Contact(r[0], r[1] or None, False, r[2], r[3]) for r in rows]
