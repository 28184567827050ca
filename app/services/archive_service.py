"""Reading the archive: lists, messages, search, folders, the audit trail."""

from __future__ import annotations

from dataclasses import dataclass

from app.domain.message import MessageDetail, MessageSummary
from app.services.account_service import Account
from app.services.store_gateway import StoreGateway
from app.store.archive import Archive
from app.store.repositories.journal import AuditEntry, AuditRepository
from app.store.repositories.messages import SearchFilters

__all__ = ["ArchiveService", "AuditEntry", "FolderStatus", "SearchFilters"]


@dataclass(frozen=True)
class FolderStatus:
    """A folder and what the archive holds of it."""

    name: str
    role: str | None
    on_server: bool
    messages: int
    unread: int
    gone: int


@dataclass(frozen=True)
class AccountStatus:
    """What the archive holds of an account."""

    messages: int
    missing_bodies: int
    gone: int
    pending_operations: int


class ArchiveService:
    """Read access for front ends (every query runs on the store's thread)."""

    def __init__(self, store: StoreGateway) -> None:
        self._store = store

    async def messages(self, filters: SearchFilters) -> list[MessageSummary]:
        """Messages newest first."""
        return await self._store.read(lambda a: a.messages.summaries(filters))

    async def count(self, filters: SearchFilters) -> int:
        """How many messages match."""
        return await self._store.read(lambda a: a.messages.count(filters))

    async def search(self, query: str, filters: SearchFilters) -> list[MessageSummary]:
        """Full-text search, newest first."""
        return await self._store.read(lambda a: a.messages.search(query, filters))

    async def detail(self, message_id: int) -> MessageDetail:
        """One message, opened."""
        return await self._store.read(lambda a: a.messages.detail(message_id))

    async def raw(self, message_id: int) -> bytes | None:
        """The archived RFC 5322 bytes (None before the body is archived)."""
        return await self._store.read(lambda a: a.messages.raw(message_id))

    async def thread(self, thread_id: int) -> list[MessageSummary]:
        """A conversation, oldest first."""
        return await self._store.read(lambda a: a.messages.thread(thread_id))

    async def folder_id(self, account: Account, name: str) -> int:
        """The archive id of a folder."""
        row = await self._store.read(lambda a: a.folders.get(account.id, name))
        return row.id

    async def folders(self, account: Account) -> list[FolderStatus]:
        """Folders with their counts."""

        def work(a: Archive) -> list[FolderStatus]:
            out = []
            for row in a.folders.all(account.id):
                counts = a.messages.counts(folder_id=row.id)
                out.append(
                    FolderStatus(
                        name=row.name,
                        role=row.role.value if row.role else None,
                        on_server=row.on_server,
                        messages=counts["messages"],
                        unread=counts["unread"],
                        gone=counts["gone"],
                    )
                )
            return out

        return await self._store.read(work)

    async def status(self, account: Account) -> AccountStatus:
        """Counts for an account."""

        def work(a: Archive) -> AccountStatus:
            counts = a.messages.counts(account_id=account.id)
            return AccountStatus(
                messages=counts["messages"],
                missing_bodies=a.messages.count_missing_bodies(account.id),
                gone=counts["gone"],
                pending_operations=a.pending.count(account.id),
            )

        return await self._store.read(work)

    async def audit(
        self,
        *,
        since: float | None = None,
        account: Account | None = None,
        action_prefix: str | None = None,
        limit: int | None = None,
    ) -> list[AuditEntry]:
        """Audit trail entries, oldest first."""
        account_id = account.id if account else None
        return await self._store.read(
            lambda a: a.audit.entries(
                since=since, account_id=account_id, action_prefix=action_prefix, limit=limit
            )
        )

    async def compact(self) -> int:
        """Reclaim the space of deleted messages' bodies (bytes reclaimed)."""
        return await self._store.read(lambda a: a.messages.compact())

    @staticmethod
    def audit_csv(entries: list[AuditEntry]) -> str:
        """The trail as CSV (an export the user asked for)."""
        return AuditRepository.to_csv(entries)
