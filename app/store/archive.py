"""The open archive: one SQLCipher connection and its repositories.

Blocking and thread-bound: create, use and close it on its executor's thread only (the store's
serial executor for the writer, the read thread for a reader).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from app.store.blobs import BlobStore
from app.store.database import (
    Connection,
    open_archive,
    open_reader,
    read_transaction,
    transaction,
)
from app.store.repositories.accounts import AccountRepository, SecretRepository
from app.store.repositories.folders import FolderRepository
from app.store.repositories.journal import AuditRepository, PendingOpRepository
from app.store.repositories.messages import MessageRepository
from app.store.repositories.sending import (
    ContactRepository,
    DeliveryStatusRepository,
    DraftRepository,
    OutboxRepository,
    PatientRepository,
)

T = TypeVar("T")


class Archive:
    """Repositories over one connection."""

    def __init__(
        self, conn: Connection, blobs: BlobStore | None = None, *, writer: bool = True
    ) -> None:
        self.conn = conn
        self.writer = writer
        self.accounts = AccountRepository(conn)
        self.secrets = SecretRepository(conn)
        self.folders = FolderRepository(conn)
        self.messages = MessageRepository(conn, blobs)
        self.pending = PendingOpRepository(conn)
        self.audit = AuditRepository(conn)
        self.outbox = OutboxRepository(conn)
        self.drafts = DraftRepository(conn)
        self.patients = PatientRepository(conn)
        self.delivery = DeliveryStatusRepository(conn)
        self.contacts = ContactRepository(conn)

    @classmethod
    def open(
        cls,
        path: Path,
        key_hex: str,
        backups_dir: Path | None = None,
        blobs_dir: Path | None = None,
    ) -> Archive:
        """Open (create, migrate) the archive file with the raw data key.

        Message bodies go to encrypted segment files in `blobs_dir` (default: ``blobs``
        beside the archive file).
        """
        folder = blobs_dir if blobs_dir is not None else path.parent / "blobs"
        return cls(open_archive(path, key_hex, backups_dir=backups_dir), BlobStore(folder))

    @classmethod
    def open_reader(cls, path: Path, key_hex: str, blobs_dir: Path | None = None) -> Archive:
        """A read-only view of an archive already opened (and migrated) by `open`.

        Its own connection (same key and pragmas, ``query_only``) and its own `BlobStore`
        over the same folder, for a thread of its own: reads never queue behind writes.
        """
        folder = blobs_dir if blobs_dir is not None else path.parent / "blobs"
        return cls(open_reader(path, key_hex), BlobStore(folder), writer=False)

    def in_snapshot(self, work: Callable[[Archive], T]) -> T:
        """Run `work` in one read transaction: every statement sees the same committed state."""
        with read_transaction(self.conn):
            return work(self)

    @contextmanager
    def write(self) -> Iterator[Archive]:
        """A write transaction over every repository."""
        with transaction(self.conn):
            yield self

    def in_transaction(self, work: Callable[[Archive], T]) -> T:
        """Run `work` in one write transaction and return its result."""
        with transaction(self.conn):
            return work(self)

    def close(self) -> None:
        """Checkpoint the WAL (the writer) and close."""
        try:
            if self.writer:
                self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            self.conn.close()
