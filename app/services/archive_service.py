"""Reading the archive: lists, messages, search, folders, the audit trail.

Every read runs on the gateway's read thread (`StoreGateway.query`): the window's lists and
messages never wait behind a sync writing bodies.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from app.domain.mailbox import display_path
from app.domain.message import MessageDetail, MessagePage, MessageSummary, PageKey
from app.services.store_gateway import StoreGateway
from app.store.archive import Archive
from app.store.repositories.journal import AuditEntry, AuditRepository
from app.store.repositories.messages import SearchFilters

if TYPE_CHECKING:  # annotations only: reading the archive loads no IMAP/SMTP machinery
    from app.services.account_service import Account

__all__ = [
    "ArchiveService",
    "AuditEntry",
    "FolderStatus",
    "MessagePage",
    "PageKey",
    "SearchFilters",
]


@dataclass(frozen=True)
class FolderStatus:
    """A folder and what the archive holds of it."""

    id: int
    account_id: int
    name: str
    role: str | None
    on_server: bool
    messages: int
    unread: int
    gone: int
    #: The levels a user sees of its name (`app.domain.mailbox.display_path`).
    path: tuple[str, ...] = ()


@dataclass(frozen=True)
class AccountStatus:
    """What the archive holds of an account."""

    messages: int
    missing_bodies: int
    gone: int
    pending_operations: int


class ArchiveService:
    """Read access for front ends (every query runs on the store's read thread)."""

    def __init__(self, store: StoreGateway) -> None:
        self._store = store

    async def page(
        self, filters: SearchFilters, after: PageKey | None = None, limit: int = 200
    ) -> MessagePage:
        """A page of messages, newest first, after the line `after` (keyset, never OFFSET).

        Pass the previous page's `next` to get the following one: rows sync adds meanwhile
        neither shift nor repeat the lines already shown. `filters.limit`/`offset` are ignored.
        """
        return await self._store.query(lambda a: a.messages.page(filters, after, limit))

    async def search_page(
        self,
        query: str,
        filters: SearchFilters,
        after: PageKey | None = None,
        limit: int = 200,
    ) -> MessagePage:
        """A page of full-text matches, newest first, after `after` (as `page`).

        Raises:
            ValidationError: ``search.empty_query``.
        """
        return await self._store.query(
            lambda a: a.messages.search_page(query, filters, after, limit)
        )

    async def summaries(self, ids: Sequence[int]) -> list[MessageSummary]:
        """The list lines of these messages, in the order given (deleted ones left out)."""
        wanted = list(ids)
        return await self._store.query(lambda a: a.messages.summaries_of(wanted))

    async def messages(self, filters: SearchFilters) -> list[MessageSummary]:
        """Messages newest first (`filters.limit`/`offset`; `page` is the keyset form)."""
        return await self._store.query(lambda a: a.messages.summaries(filters))

    async def count(self, filters: SearchFilters) -> int:
        """How many messages match."""
        return await self._store.query(lambda a: a.messages.count(filters))

    async def search(self, query: str, filters: SearchFilters) -> list[MessageSummary]:
        """Full-text search, newest first."""
        return await self._store.query(lambda a: a.messages.search(query, filters))

    async def detail(self, message_id: int) -> MessageDetail:
        """One message, opened."""
        return await self._store.query(lambda a: a.messages.detail(message_id))

    async def raw(self, message_id: int) -> bytes | None:
        """The archived RFC 5322 bytes (None before the body is archived)."""
        return await self._store.query(lambda a: a.messages.raw(message_id))

    async def thread(self, thread_id: int) -> list[MessageSummary]:
        """A conversation, oldest first."""
        return await self._store.query(lambda a: a.messages.thread(thread_id))

    async def folder_id(self, account: Account, name: str) -> int:
        """The archive id of a folder."""
        row = await self._store.query(lambda a: a.folders.get(account.id, name))
        return row.id

    async def folders(self, account: Account) -> list[FolderStatus]:
        """Folders with their counts."""

        def work(a: Archive) -> list[FolderStatus]:
            out = []
            for row in a.folders.all(account.id):
                counts = a.messages.counts(folder_id=row.id)
                out.append(
                    FolderStatus(
                        id=row.id,
                        account_id=account.id,
                        name=row.name,
                        role=row.role.value if row.role else None,
                        on_server=row.on_server,
                        messages=counts["messages"],
                        unread=counts["unread"],
                        gone=counts["gone"],
                        path=display_path(row.name, row.delimiter),
                    )
                )
            return out

        return await self._store.query(work)

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

        return await self._store.query(work)

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
        return await self._store.query(
            lambda a: a.audit.entries(
                since=since, account_id=account_id, action_prefix=action_prefix, limit=limit
            )
        )

    async def compact(self) -> int:
        """Reclaim the space of deleted messages' bodies (bytes reclaimed).

        On the writer's thread (compaction runs its own write transaction: see
        `BodyArchive.compact` for why that makes it safe against other processes).

        Raises:
            StoreError: ``store.busy`` when another process keeps writing.
        """
        return await self._store.read(lambda a: a.messages.compact())

    @staticmethod
    def audit_csv(entries: list[AuditEntry]) -> str:
        """The trail as CSV (an export the user asked for)."""
        return AuditRepository.to_csv(entries)
