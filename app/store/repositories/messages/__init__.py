"""The archive of messages, one module per job, behind the `MessageRepository` facade.

- `envelopes`: sync bookkeeping (envelopes listed by the server, UIDs, tombstones, flags);
- `threads`: joining messages into conversations;
- `text_index`: the full-text index and the query syntax;
- `bodies`: bodies still to fetch, archived bodies, segment compaction;
- `local_changes`: flags, moves and deletions made in Pli, Pli's own marks;
- `reads`: lists (paged by key), search, one message, counts;
- `rows`: the row shapes and helpers they share.

Blocking: the store's thread only (the reads also on the read thread).
"""

from __future__ import annotations

from app.store.blobs import BlobStore
from app.store.database import Connection
from app.store.repositories.messages.bodies import BodyArchive
from app.store.repositories.messages.envelopes import EnvelopeSync
from app.store.repositories.messages.local_changes import LocalChanges
from app.store.repositories.messages.reads import MessageReads
from app.store.repositories.messages.rows import (
    SORT_SHIFT,
    BodyTask,
    ExamineRow,
    InsertOutcome,
    Merge,
    SearchFilters,
    ServerPosition,
    structure_from_json,
    structure_to_json,
)
from app.store.repositories.messages.text_index import TextIndex, to_fts_query
from app.store.repositories.messages.threads import ThreadJoiner

__all__ = [
    "SORT_SHIFT",
    "BodyArchive",
    "BodyTask",
    "EnvelopeSync",
    "ExamineRow",
    "InsertOutcome",
    "LocalChanges",
    "Merge",
    "MessageReads",
    "MessageRepository",
    "SearchFilters",
    "ServerPosition",
    "TextIndex",
    "ThreadJoiner",
    "structure_from_json",
    "structure_to_json",
    "to_fts_query",
]


class MessageRepository:
    """The `messages` table and its satellites (the facade over the parts).

    Each part's methods are bound here under the names callers have always used.

    Attributes:
        envelopes: sync bookkeeping.
        threads: conversation joining.
        text: the full-text index.
        bodies: bodies and segment files.
        local: local changes.
        reads: queries.
    """

    def __init__(self, conn: Connection, blobs: BlobStore | None = None) -> None:
        self.text = TextIndex(conn)
        self.threads = ThreadJoiner(conn)
        self.envelopes = EnvelopeSync(conn, self.text, self.threads)
        self.bodies = BodyArchive(conn, blobs, self.text)
        self.local = LocalChanges(conn, self.text)
        self.reads = MessageReads(conn)
        # Sync bookkeeping.
        self.bound_uids = self.envelopes.bound_uids
        self.tombstoned_uids = self.envelopes.tombstoned_uids
        self.forget_tombstones = self.envelopes.forget_tombstones
        self.unbind_folder = self.envelopes.unbind_folder
        self.mark_unbound_gone = self.envelopes.mark_unbound_gone
        self.mark_gone = self.envelopes.mark_gone
        self.insert_envelopes = self.envelopes.insert_envelopes
        self.apply_flags = self.envelopes.apply_flags
        # Server object ids (RFC 8474).
        self.merge_moved = self.envelopes.merge_moved
        self.missing_email_ids = self.envelopes.missing_email_ids
        self.save_object_ids = self.envelopes.save_object_ids
        self.unbound_ids = self.envelopes.unbound_ids
        self.tombstone_folder = self.envelopes.tombstone_folder
        # Full-text index of attachments.
        self.attachments_to_index = self.text.attachments_to_index
        self.save_attachment_index = self.text.save_attachment_index
        # Bodies.
        self.missing_bodies = self.bodies.missing_bodies
        self.count_missing_bodies = self.bodies.count_missing_bodies
        self.store_bodies = self.bodies.store_bodies
        self.raw = self.bodies.raw
        self.compact = self.bodies.compact
        # Local changes.
        self.position = self.local.position
        self.set_flags = self.local.set_flags
        self.restore_flags = self.local.restore_flags
        self.move_local = self.local.move_local
        self.bind = self.local.bind
        self.delete_local = self.local.delete_local
        self.mark_examined = self.local.mark_examined
        self.add_keyword = self.local.add_keyword
        # Reads.
        self.counts = self.reads.counts
        self.summaries = self.reads.summaries
        self.count = self.reads.count
        self.search = self.reads.search
        self.page = self.reads.page
        self.search_page = self.reads.search_page
        self.summaries_of = self.reads.summaries_of
        self.summary = self.reads.summary
        self.detail = self.reads.detail
        self.headers = self.reads.headers
        self.receipt_candidates = self.reads.receipt_candidates
        self.to_examine = self.reads.to_examine
        self.patient_counts = self.reads.patient_counts
        self.thread = self.reads.thread
        self.find_by_message_id = self.reads.find_by_message_id
        self._where = self.reads._where  # bench/search_bench.py builds its own queries
