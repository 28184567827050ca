"""Conversations: joining each new message to its thread (References, In-Reply-To, copies).

A thread is named by the smallest message id it contains. Blocking: the store's thread only.
"""

from __future__ import annotations

from app.domain.message import EnvelopeRecord
from app.store.database import Connection
from app.store.repositories.messages.rows import refs_of


class ThreadJoiner:
    """The `thread_id` column of `messages`, kept by union-find over message references."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def join(self, account_id: int, batch: list[tuple[int, EnvelopeRecord]]) -> None:
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
            wanted.update(refs_of(record))
        known = self._threads_of_message_ids(account_id, wanted)
        existing_threads: set[int] = set()
        for pk, record in batch:
            for related in [*refs_of(record), record.message_id]:
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
