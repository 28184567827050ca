"""Where a message list gets its pages: a folder (or any filter) or a full-text search.

The archive pages newest first by keyset (`archive.page` / `archive.search_page`, a
`PageKey` cursor): opening a folder costs the same whatever its size, and rows that sync adds
meanwhile neither shift nor repeat the lines shown. Sources are plain asyncio objects (no Qt);
the list model awaits them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from app.domain.message import MessageSummary, PageKey
from app.services.archive_service import ArchiveService, SearchFilters

__all__ = ["ArchiveSource", "Cursor", "MessageSource", "Page"]

#: Where a page starts: the last line of the previous page.
Cursor = PageKey


@dataclass(frozen=True)
class Page:
    """Rows of a list, newest first, and where the next page starts (None: the end)."""

    items: list[MessageSummary]
    next: Cursor | None


class MessageSource(Protocol):
    """A list of messages read page by page."""

    @property
    def filters(self) -> SearchFilters:
        """What the list is narrowed to."""

    @property
    def query(self) -> str | None:
        """The search words (None: not a search)."""

    async def page(self, after: Cursor | None, limit: int) -> Page:
        """The rows after `after` (None: from the newest)."""

    async def summaries(self, ids: Sequence[int]) -> list[MessageSummary]:
        """Fresh rows for these messages (the ones gone from the archive left out)."""


class ArchiveSource:
    """A folder listing or a search over `services.archive`."""

    def __init__(
        self, archive: ArchiveService, filters: SearchFilters, query: str | None = None
    ) -> None:
        self._archive = archive
        self._filters = filters
        self._query = query.strip() if query and query.strip() else None

    @property
    def filters(self) -> SearchFilters:
        """What the list is narrowed to."""
        return self._filters

    @property
    def query(self) -> str | None:
        """The search words (None: not a search)."""
        return self._query

    async def page(self, after: Cursor | None, limit: int) -> Page:
        """Keyset pages, newest first."""
        if self._query is not None:
            found = await self._archive.search_page(
                self._query, self._filters, after=after, limit=limit
            )
        else:
            found = await self._archive.page(self._filters, after=after, limit=limit)
        return Page(list(found.items), found.next)

    async def summaries(self, ids: Sequence[int]) -> list[MessageSummary]:
        """Fresh rows (`archive.summaries` leaves out what no longer exists)."""
        if not ids:
            return []
        return await self._archive.summaries(list(ids))
