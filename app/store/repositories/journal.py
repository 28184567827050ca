"""Pending operations (replayed to the server in order) and the audit trail.

Blocking: the store's thread only.
"""

from __future__ import annotations

import csv
import io
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from app.store.database import Connection


@dataclass(frozen=True)
class PendingOp:
    """A user action done locally and not yet confirmed by the server."""

    id: int
    account_id: int
    kind: str
    payload: dict[str, Any]
    attempts: int


class PendingOpRepository:
    """The `pending_ops` queue (Geary's replay queue)."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def add(self, account_id: int, kind: str, payload: dict[str, Any]) -> int:
        """Queue an operation (inside the caller's transaction, with the local change)."""
        cursor = self._conn.execute(
            "INSERT INTO pending_ops (account_id, kind, payload, created_at) VALUES (?, ?, ?, ?)",
            (account_id, kind, json.dumps(payload), int(time.time())),
        )
        return int(cursor.lastrowid)

    def pending(self, account_id: int) -> list[PendingOp]:
        """Operations still to replay, oldest first."""
        rows = self._conn.execute(
            "SELECT id, account_id, kind, payload, attempts FROM pending_ops"
            " WHERE account_id = ? AND state = 'pending' ORDER BY id",
            (account_id,),
        ).fetchall()
        return [PendingOp(r[0], r[1], r[2], json.loads(r[3]), r[4]) for r in rows]

    def count(self, account_id: int) -> int:
        """How many operations wait."""
        row = self._conn.execute(
            "SELECT count(*) FROM pending_ops WHERE account_id = ? AND state = 'pending'",
            (account_id,),
        ).fetchone()
        return int(row[0])

    def done(self, op_id: int) -> None:
        """The server confirmed: forget it."""
        self._conn.execute("DELETE FROM pending_ops WHERE id = ?", (op_id,))

    def retry_later(self, op_id: int, error: str) -> None:
        """A passing failure (offline): keep it, count the attempt."""
        self._conn.execute(
            "UPDATE pending_ops SET attempts = attempts + 1, last_error = ? WHERE id = ?",
            (error, op_id),
        )

    def failed(self, op_id: int, error: str) -> None:
        """Refused for good (the local change was undone)."""
        self._conn.execute(
            "UPDATE pending_ops SET state = 'failed', attempts = attempts + 1, last_error = ?"
            " WHERE id = ?",
            (error, op_id),
        )


@dataclass(frozen=True)
class AuditEntry:
    """One functional trace line (spec §6, ECO.4.1.1/4.1.2)."""

    id: int
    ts: float
    account: str | None
    actor: str
    action: str
    target: str | None
    request: str | None
    outcome: str
    detail: str | None


AUDIT_FIELDS = (
    "id",
    "time",
    "account",
    "actor",
    "action",
    "target",
    "request",
    "outcome",
    "detail",
)


class AuditRepository:
    """The `audit` table: append-only."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def add(
        self,
        *,
        account_id: int | None,
        actor: str,
        action: str,
        target: str | None = None,
        request: str | None = None,
        outcome: str = "ok",
        detail: str | None = None,
    ) -> None:
        """Record an operation."""
        self._conn.execute(
            "INSERT INTO audit (ts, account_id, actor, action, target, request, outcome, detail)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (time.time(), account_id, actor, action, target, request, outcome, detail),
        )

    def entries(
        self,
        *,
        since: float | None = None,
        account_id: int | None = None,
        action_prefix: str | None = None,
        limit: int | None = None,
    ) -> list[AuditEntry]:
        """Entries, oldest first."""
        return list(
            self.iterate(
                since=since, account_id=account_id, action_prefix=action_prefix, limit=limit
            )
        )

    def iterate(
        self,
        *,
        since: float | None = None,
        account_id: int | None = None,
        action_prefix: str | None = None,
        limit: int | None = None,
    ) -> Iterator[AuditEntry]:
        """Stream entries, oldest first."""
        clauses: list[str] = []
        params: list[Any] = []
        if since is not None:
            clauses.append("u.ts >= ?")
            params.append(since)
        if account_id is not None:
            clauses.append("u.account_id = ?")
            params.append(account_id)
        if action_prefix:
            clauses.append("u.action LIKE ?")
            params.append(action_prefix.replace("%", "") + "%")
        where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
        tail = " LIMIT ?" if limit else ""
        if limit:
            params.append(limit)
        cursor = self._conn.execute(
            "SELECT u.id, u.ts, a.name, u.actor, u.action, u.target, u.request, u.outcome,"
            f" u.detail FROM audit u LEFT JOIN accounts a ON a.id = u.account_id {where}"
            f" ORDER BY u.id{tail}",
            params,
        )
        for r in cursor:
            yield AuditEntry(*r)

    @staticmethod
    def to_csv(entries: list[AuditEntry]) -> str:
        """CSV with a header line (ISO 8601 UTC times)."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(AUDIT_FIELDS)
        for e in entries:
            stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(e.ts))
            writer.writerow(
                [
                    e.id,
                    stamp,
                    e.account or "",
                    e.actor,
                    e.action,
                    e.target or "",
                    e.request or "",
                    e.outcome,
                    e.detail or "",
                ]
            )
        return out.getvalue()
