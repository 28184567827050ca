"""Reading the archive of messages: lists (paged by key), search, one message, counts.

Blocking: the read thread (`app.services.store_gateway`) or the store's thread.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from app.domain.errors import NotFoundError
from app.domain.message import (
    AttachmentSummary,
    MessageDetail,
    MessagePage,
    MessageSummary,
    PageKey,
)
from app.store.database import Connection
from app.store.repositories.messages.rows import (
    SORT_SHIFT,
    SUMMARY_COLUMNS,
    SUMMARY_FROM,
    ExamineRow,
    SearchFilters,
    people_of,
    structure_from_json,
    summary_of,
)
from app.store.repositories.messages.text_index import expand_prefixes, to_fts_query


def _page(items: list[MessageSummary], limit: int) -> MessagePage:
    if len(items) <= max(limit, 1):
        return MessagePage(items=items, next=None)
    items = items[: max(limit, 1)]
    last = items[-1]
    return MessagePage(items=items, next=PageKey(date=last.internal_date, id=last.id))


class MessageReads:
    """Queries over `messages` and its satellites (no writes)."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

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

    def summaries(self, filters: SearchFilters) -> list[MessageSummary]:
        """Messages newest first, filtered."""
        where, params = self._where(filters)
        rows = self._conn.execute(
            f"SELECT {SUMMARY_COLUMNS} FROM {SUMMARY_FROM} {where}"
            " ORDER BY m.sort_key DESC LIMIT ? OFFSET ?",
            (*params, filters.limit, filters.offset),
        ).fetchall()
        return [summary_of(r) for r in rows]

    def count(self, filters: SearchFilters) -> int:
        """How many messages match the filters."""
        where, params = self._where(filters)
        row = self._conn.execute(f"SELECT count(*) FROM {SUMMARY_FROM} {where}", params).fetchone()
        return int(row[0])

    def search(self, query: str, filters: SearchFilters) -> list[MessageSummary]:
        """Full-text search (subject, people, body, attachment names and text), newest first.

        Raises:
            ValidationError: ``search.empty_query``.
        """
        fts_query = expand_prefixes(self._conn, to_fts_query(query))
        where, params = self._where(filters, sort_key_column="x.rowid")
        condition = where.replace("WHERE", "AND", 1) if where else ""
        rows = self._conn.execute(
            f"SELECT {SUMMARY_COLUMNS} FROM message_fts x CROSS JOIN messages m"
            f" ON m.sort_key = x.rowid JOIN folders f ON f.id = m.folder_id"
            f" JOIN accounts a ON a.id = m.account_id"
            f" WHERE message_fts MATCH ? {condition}"
            f" ORDER BY x.rowid DESC LIMIT ? OFFSET ?",
            (fts_query, *params, filters.limit, filters.offset),
        ).fetchall()
        return [summary_of(r) for r in rows]

    def page(
        self, filters: SearchFilters, after: PageKey | None = None, limit: int = 200
    ) -> MessagePage:
        """A page of messages, newest first, after `after` (keyset paging, never OFFSET).

        `filters.limit` and `filters.offset` are ignored: `limit` and `after` say which rows.
        The order is the sort key's (arrival second, then id: see `_bound`), which the folder
        index (`messages_by_folder`) walks backwards without sorting.
        """
        where, params = self._where(filters)
        clauses = [where.removeprefix("WHERE ")] if where else []
        if after is not None:
            clauses.append("m.sort_key < ?")
            params = (*params, self._bound(after))
        condition = ("WHERE " + " AND ".join(clauses)) if clauses else ""
        rows = self._conn.execute(
            f"SELECT {SUMMARY_COLUMNS} FROM {SUMMARY_FROM} {condition}"
            " ORDER BY m.sort_key DESC LIMIT ?",
            (*params, max(limit, 1) + 1),
        ).fetchall()
        return _page([summary_of(r) for r in rows], limit)

    def search_page(
        self, query: str, filters: SearchFilters, after: PageKey | None = None, limit: int = 200
    ) -> MessagePage:
        """A page of full-text matches, newest first, after `after` (keyset paging).

        The full-text rowid is the sort key, so FTS5 hands matches over newest first and stops
        at the page's end (no sort of every match), the keyset bound being a rowid range.

        Raises:
            ValidationError: ``search.empty_query``.
        """
        fts_query = expand_prefixes(self._conn, to_fts_query(query))
        where, params = self._where(filters, sort_key_column="x.rowid")
        clauses = [where.removeprefix("WHERE ")] if where else []
        if after is not None:
            clauses.append("x.rowid < ?")
            params = (*params, self._bound(after))
        condition = "".join(f" AND {c}" for c in clauses)
        rows = self._conn.execute(
            f"SELECT {SUMMARY_COLUMNS} FROM message_fts x CROSS JOIN messages m"
            " ON m.sort_key = x.rowid JOIN folders f ON f.id = m.folder_id"
            " JOIN accounts a ON a.id = m.account_id"
            f" WHERE message_fts MATCH ?{condition} ORDER BY x.rowid DESC LIMIT ?",
            (fts_query, *params, max(limit, 1) + 1),
        ).fetchall()
        return _page([summary_of(r) for r in rows], limit)

    def _bound(self, after: PageKey) -> int:
        """The sort key below which the rows after `after` are.

        Sort keys are ``max(arrival, 0) << SORT_SHIFT | n`` with n counting within the second
        in insertion order, as ids do (both only grow): within one second, sort key order is id
        order. The bound is the cursor row's own sort key, or, when that row was deleted
        meanwhile, the first key of its second held by a later id (else the next second's).
        """
        second = max(after.date, 0)
        low, high = second << SORT_SHIFT, (second + 1) << SORT_SHIFT
        row = self._conn.execute(
            "SELECT min(sort_key) FROM messages WHERE sort_key >= ? AND sort_key < ? AND id >= ?",
            (low, high, after.id),
        ).fetchone()
        return int(row[0]) if row[0] is not None else high

    def summaries_of(self, pks: Sequence[int]) -> list[MessageSummary]:
        """The list lines of these messages, in the order given (ids not found are left out)."""
        found: dict[int, MessageSummary] = {}
        unique = list(dict.fromkeys(pks))
        for start in range(0, len(unique), 500):
            chunk = unique[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for r in self._conn.execute(
                f"SELECT {SUMMARY_COLUMNS} FROM {SUMMARY_FROM} WHERE m.id IN ({marks})", chunk
            ):
                found[int(r[0])] = summary_of(r)
        return [found[pk] for pk in unique if pk in found]

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
            f"SELECT {SUMMARY_COLUMNS} FROM {SUMMARY_FROM} WHERE m.id = ?", (pk,)
        ).fetchone()
        if row is None:
            raise NotFoundError("message.not_found", id=pk)
        return summary_of(row)

    def attachment_kinds(self, pk: int) -> dict[str, str]:
        """Part → the real type found when the attachment was inspected (``pdf``, ``jpeg``…).

        Only parts inspected by the documents' indexing (`DocumentService.index_attachments`)
        are given; the others keep their declared type.
        """
        found: dict[str, str] = {}
        for part, info in self._conn.execute(
            "SELECT part, info FROM attachments WHERE message_id = ? AND info IS NOT NULL", (pk,)
        ):
            try:
                kind = json.loads(info).get("kind")
            except (ValueError, AttributeError):
                continue
            if isinstance(kind, str) and kind:
                found[part] = kind
        return found

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
            to=people_of(row[3]),
            cc=people_of(row[4]),
            reply_to=people_of(row[5]),
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

    def thread(self, thread_id: int) -> list[MessageSummary]:
        """Every message of a thread, oldest first."""
        rows = self._conn.execute(
            f"SELECT {SUMMARY_COLUMNS} FROM {SUMMARY_FROM} WHERE m.thread_id = ?"
            " ORDER BY m.sort_key",
            (thread_id,),
        ).fetchall()
        return [summary_of(r) for r in rows]

    def find_by_message_id(self, account_id: int, message_id: str) -> list[MessageSummary]:
        """Messages of an account carrying this Message-ID (copies in several folders)."""
        rows = self._conn.execute(
            f"SELECT {SUMMARY_COLUMNS} FROM {SUMMARY_FROM}"
            " WHERE m.account_id = ? AND m.message_id = ? ORDER BY m.sort_key",
            (account_id, message_id),
        ).fetchall()
        return [summary_of(r) for r in rows]
