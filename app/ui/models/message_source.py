"""Where a message list gets its pages: a folder (or any filter) or a full-text search.

The archive pages newest first by keyset (`archive.page` / `archive.search_page`, a
`PageKey` cursor): opening a folder costs the same whatever its size. Until the store offers
keyset pages, the older offset listing (`archive.messages` / `archive.search`) is used, with
the offset as the cursor. Sources are plain asyncio objects (no Qt); the list model awaits them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

from app.domain.errors import NotFoundError
from app.domain.message import MessageSummary
from app.services.archive_service import ArchiveService, SearchFilters

__all__ = ["ArchiveSource", "Cursor", "MessageSource", "Page"]

#: Where a page starts: the archive's `PageKey` (or an offset with the older listing).
Cursor = Any


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
        keyset = getattr(self._archive, "search_page" if self._query is not None else "page", None)
        if keyset is not None:
            if self._query is not None:
                found = await keyset(self._query, self._filters, after=after, limit=limit)
            else:
                found = await keyset(self._filters, after=after, limit=limit)
            return Page(list(found.items), found.next)
        # Older offset listing (before keyset pages): the cursor is the offset.
        offset = int(after or 0)
        filters = replace(self._filters, limit=limit, offset=offset)
        if self._query is not None:
            items = await self._archive.search(self._query, filters)
        else:
            items = await self._archive.messages(filters)
        return Page(items, offset + len(items) if len(items) >= limit else None)

    async def summaries(self, ids: Sequence[int]) -> list[MessageSummary]:
        """Fresh rows (`archive.summaries` leaves out what no longer exists)."""
        if not ids:
            return []
        batch = getattr(self._archive, "summaries", None)
        if batch is not None:
            found: list[MessageSummary] = await batch(list(ids))
            return found
        out = []
        for message_id in ids:
            try:
                out.append((await self._archive.detail(message_id)).summary)
            except NotFoundError:
                continue
        return out
