"""The health directory for front ends: offline search, online fallback, imports (spec §1, §7).

Asyncio facade over the blocking `app.directory` adapter. The directory database is used on
one worker thread (one SQLite connection, always on that thread); calls to the FHIR API and
downloads run on a second one, so a slow network never delays an offline search. Progress and
changes are published on the profile's event bus, on the event loop's thread, as ordinary
events (`DirectoryImportProgress`, `DirectoryChanged`, keyed by `PROFILE_WIDE`); the window
adapts them into Qt signals. A command line may also pass an `on_progress` callback to an
import, to print the phase of the import.

The directory is public data (its own clear file). Favourites and recent correspondents are
not: the encrypted archive keeps them and passes them to `search` as a ``boost``.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from app.config.settings import DirectorySettings
from app.directory.rate_limit import TokenBucket
from app.directory.search import compile_query
from app.domain.addresses import MailAddress
from app.domain.directory import (
    DirectoryEntry,
    DirectoryInfo,
    DirectoryQuery,
    DomainCheck,
    ImportProgress,
    ImportReport,
    ResultSource,
    SearchResult,
    WhitelistInfo,
)
from app.domain.errors import DirectoryError
from app.services.event_bus import EventBus
from app.services.executors import SerialExecutor

if TYPE_CHECKING:  # the database, download, import and online modules load on first use
    from app.directory.database import DirectoryDatabase

log = logging.getLogger(__name__)

T = TypeVar("T")
#: Where the command line finds the online directory's API key (until the archive stores it).
API_KEY_ENV = "PLI_ESANTE_API_KEY"


class DirectoryService:
    """Search the Annuaire Santé offline, and online through its FHIR API.

    Args:
        db_path: the directory's database file (`AppPaths.directory_db`).
        settings: the directory settings (API base URL, maximum age, rate, cache…).
        api_key: the ``ESANTE-API-KEY`` of the online directory, if any (never logged).
        events: the profile's event bus (a private one when None: nobody listens).
    """

    def __init__(
        self,
        db_path: Path,
        settings: DirectorySettings,
        *,
        api_key: str | None = None,
        events: EventBus | None = None,
    ) -> None:
        self._db_path = db_path
        self._settings = settings
        self._api_key = api_key or None
        self._db: DirectoryDatabase | None = None
        self._db_identity: tuple[int, int] | None = None
        self._db_thread = SerialExecutor("directory-db")
        self._net_thread = SerialExecutor("directory-net")
        self._limiter = TokenBucket(settings.requests_per_second)
        self._events = events if events is not None else EventBus()
        self._closed = False

    # ------------------------------------------------------------------ configuration

    def apply_settings(self, settings: DirectorySettings) -> None:
        """Use `settings` from the next operation on (the settings screen applied them)."""
        self._settings = settings

    def set_api_key(self, api_key: str | None) -> None:
        """Use another API key for the online directory (None: online lookups disabled)."""
        self._api_key = api_key or None

    @property
    def api_key_configured(self) -> bool:
        """An API key is set: online lookups are possible."""
        return self._api_key is not None

    @property
    def events(self) -> EventBus:
        """The bus the directory publishes on."""
        return self._events

    # ------------------------------------------------------------------ imports

    async def import_file(
        self, path: Path, *, on_progress: Callable[[ImportProgress], None] | None = None
    ) -> ImportReport:
        """Import an extraction (``.txt``, or the agency's zip) replacing the directory.

        Atomic: on any failure or cancellation the previous directory stays as it was.

        Raises:
            DirectoryError: ``directory.import.*``.
            NotFoundError: ``directory.import.file_not_found``.
        """
        report = await self._run_import(path, None, on_progress)
        self._changed("directory", report.mailboxes)
        return report

    async def refresh(
        self,
        url: str | None = None,
        *,
        on_progress: Callable[[ImportProgress], None] | None = None,
    ) -> ImportReport:
        """Download the extraction (the agency's, or `url`) and import it.

        Raises:
            DirectoryError: ``directory.download.*``, ``directory.import.*``.
        """
        from app.directory.download import check_url, download

        source = check_url(url or self._settings.extraction_url)
        loop = asyncio.get_running_loop()
        stop = threading.Event()
        progress = self._progress_sink(loop, on_progress)
        folder = self._db_path.parent
        fetched = await self._in_thread(
            self._net_thread,
            lambda: download(
                source,
                folder,
                timeout=self._settings.timeout,
                on_progress=progress,
                should_stop=stop.is_set,
            ),
            stop,
        )
        try:
            report = await self._run_import(fetched.path, fetched.name, on_progress)
        finally:
            fetched.path.unlink(missing_ok=True)
        self._changed("directory", report.mailboxes)
        return report

    async def _run_import(
        self,
        path: Path,
        source_name: str | None,
        on_progress: Callable[[ImportProgress], None] | None,
    ) -> ImportReport:
        loop = asyncio.get_running_loop()
        stop = threading.Event()
        progress = self._progress_sink(loop, on_progress)

        def job() -> ImportReport:
            # The file is about to be replaced: close our connection to it first (Windows
            # refuses to replace an open file; elsewhere we would keep reading the old one).
            self._close_db()
            from app.directory.importer import import_extraction

            return import_extraction(
                self._db_path,
                path,
                source_name=source_name,
                on_progress=progress,
                should_stop=stop.is_set,
            )

        return await self._in_thread(self._db_thread, job, stop)

    # ------------------------------------------------------------------ state

    async def info(self) -> DirectoryInfo:
        """What the local directory holds, how old it is, whether online lookups are set up."""

        def job() -> DirectoryInfo:
            db = self._existing_database()
            report = db.report() if db is not None else None
            whitelist = db.whitelist_info() if db is not None else None
            cached = db.cache_count() if db is not None else 0
            age = _age_days(report)
            return DirectoryInfo(
                present=report is not None,
                report=report,
                age_days=age,
                stale=age is not None and age > self._settings.max_age_days,
                whitelist=whitelist,
                online_cache_entries=cached,
                api_key_configured=self.api_key_configured,
                fhir_base_url=self._settings.fhir_base_url,
            )

        return await self._on_db(job)

    # ------------------------------------------------------------------ search

    async def search(
        self,
        query: DirectoryQuery | str,
        *,
        boost: Mapping[str, float] | None = None,
        limit: int = 50,
        online: bool | None = None,
    ) -> SearchResult:
        """Find professionals and structures, best first.

        Args:
            query: a `DirectoryQuery`, or free text (as typed in a recipient field).
            boost: address → weight (> 0) of favourites and recent correspondents, from the
                archive: those rank right after exact surname matches, highest first.
            limit: most entries returned.
            online: True asks the FHIR API only; False the offline directory only; None (the
                default) answers offline and asks the API too when the offline directory has
                no answer, is missing or is older than the configured age (and an API key is
                set). The window should use None only for an explicit search, not on every
                keystroke: the API is a remote service and a query is sent to it.

        Raises:
            ValidationError: ``directory.query.empty``.
            DirectoryError: ``directory.not_imported`` (offline only, or automatic without an
                API key), ``directory.online.*`` (online only).
        """
        if isinstance(query, str):
            query = DirectoryQuery(text=query)
        compiled = compile_query(query)
        if online is True:
            entries = await self._search_online(query, limit)
            return SearchResult(_ordered(entries, boost), ResultSource.ONLINE)

        def offline() -> tuple[list[DirectoryEntry], bool, bool, bool]:
            """(entries, truncated, stale, present)."""
            db = self._existing_database()
            report = db.report() if db is not None else None
            if db is None or report is None:
                return [], False, False, False
            found, more = db.search(compiled, limit=limit, boost=boost)
            age = _age_days(report)
            return found, more, age is not None and age > self._settings.max_age_days, True

        entries, truncated, stale, present = await self._on_db(offline)
        wants_online = online is None and (not present or stale or not entries)
        if not wants_online or not self.api_key_configured:
            if not present:
                raise DirectoryError("directory.not_imported")
            return SearchResult(tuple(entries), ResultSource.OFFLINE, truncated, stale)
        try:
            found = await self._search_online(query, limit)
        except DirectoryError as error:
            if not present:
                raise
            log.info("online directory unavailable (%s): offline answer only", error.code)
            return SearchResult(
                tuple(entries), ResultSource.OFFLINE, truncated, stale, online_error=error.code
            )
        merged = _merge(found, entries, limit)
        if found and entries:
            source = ResultSource.MIXED
        else:
            source = ResultSource.ONLINE if found else ResultSource.OFFLINE
        return SearchResult(_ordered(merged, boost), source, truncated, stale)

    async def lookup(self, address: str) -> DirectoryEntry | None:
        """Who holds `address` in the offline directory (None when unknown or not imported)."""

        def job() -> DirectoryEntry | None:
            db = self._existing_database()
            return db.lookup(address) if db is not None else None

        return await self._on_db(job)

    async def _search_online(self, query: DirectoryQuery, limit: int) -> list[DirectoryEntry]:
        if self._api_key is None:
            raise DirectoryError("directory.online.no_api_key")
        from app.directory.fhir_client import FhirClient
        from app.directory.online import cache_key, decode_entries, encode_entries, search_online

        key = cache_key(query, self._settings.fhir_base_url)
        ttl = self._settings.online_cache_hours * 3600.0
        cached = await self._on_db(lambda: self._database(create=True).cache_get(key, ttl))
        if cached is not None:
            return decode_entries(cached)[:limit]
        client = FhirClient(
            self._settings.fhir_base_url,
            self._api_key,
            limiter=self._limiter,
            timeout=self._settings.timeout,
        )
        compiled = compile_query(query)
        entries = await self._in_thread(
            self._net_thread, lambda: search_online(client, query, compiled, limit=limit), None
        )
        payload = encode_entries(entries)
        await self._on_db(lambda: self._database(create=True).cache_put(key, payload, ttl))
        return entries

    # ------------------------------------------------------------------ list of domains

    async def import_whitelist(self, path: Path, *, checksum: Path | None = None) -> WhitelistInfo:
        """Import the trust space's list of domains (``listeblanchemssante.xml``), replacing it.

        Raises:
            DirectoryError: ``directory.whitelist.*``.
            NotFoundError: ``directory.whitelist.file_not_found``.
        """
        from app.directory.whitelist import read_whitelist  # defusedxml: here (start-up time)

        def job() -> WhitelistInfo:
            parsed = read_whitelist(path, checksum)
            return self._database(create=True).replace_whitelist(
                parsed.entries, generated_at=parsed.generated_at, source_name=path.name
            )

        info = await self._on_db(job)
        self._changed("whitelist", info.domains)
        return info

    async def whitelist_info(self) -> WhitelistInfo | None:
        """The imported list of domains, or None."""

        def job() -> WhitelistInfo | None:
            db = self._existing_database()
            return db.whitelist_info() if db is not None else None

        return await self._on_db(job)

    async def is_trusted_domain(self, domain: str) -> bool | None:
        """Whether `domain` is on the list (exact match, no suffix); None when no list."""

        def job() -> bool | None:
            db = self._existing_database()
            if db is None or db.whitelist_info() is None:
                return None
            return bool(db.trusted_domains([domain]))

        return await self._on_db(job)

    async def check_domains(self, addresses: Iterable[str]) -> DomainCheck:
        """Split recipients into those inside the trust space's domains and the others.

        The sending side warns before sending to `untrusted` ones (spec §1). A malformed
        address counts as untrusted. Without an imported list nothing can be said
        (`whitelist_loaded` is False).
        """
        given = list(dict.fromkeys(addresses))

        def job() -> DomainCheck:
            db = self._existing_database()
            if db is None or db.whitelist_info() is None:
                return DomainCheck(whitelist_loaded=False, trusted=(), untrusted=())
            parsed = {a: MailAddress.try_parse(a) for a in given}
            trusted_domains = db.trusted_domains(p.domain for p in parsed.values() if p)
            trusted = tuple(a for a, p in parsed.items() if p and p.domain in trusted_domains)
            untrusted = tuple(a for a in given if a not in trusted)
            return DomainCheck(whitelist_loaded=True, trusted=trusted, untrusted=untrusted)

        return await self._on_db(job)

    # ------------------------------------------------------------------ lifecycle

    async def aclose(self) -> None:
        """Close the database and stop the worker threads."""
        if self._closed:
            return
        try:
            await self._on_db(self._close_db)
        finally:
            self._closed = True
            self._db_thread.shutdown(wait=False)
            self._net_thread.shutdown(wait=False)

    async def __aenter__(self) -> DirectoryService:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # ------------------------------------------------------------------ internals

    def _database(self, create: bool) -> DirectoryDatabase:
        """The open database (created empty with `create`). Only on the database thread.

        Raises:
            DirectoryError: ``directory.not_imported``, ``directory.outdated``,
                ``directory.damaged``.
        """
        identity = _file_identity(self._db_path)
        if self._db is not None and identity != self._db_identity:
            # Another process (a `pli directory refresh` while the window is open) replaced
            # the file: this connection still reads the old one.
            self._close_db()
        if self._db is None:
            from app.directory.database import DirectoryDatabase

            self._db = DirectoryDatabase.open(self._db_path, create=create)
            self._db_identity = _file_identity(self._db_path)
        return self._db

    def _existing_database(self) -> DirectoryDatabase | None:
        """The open database, or None when there is none (or an outdated one)."""
        if not self._db_path.exists():
            self._close_db()
            return None
        try:
            return self._database(create=False)
        except DirectoryError as error:
            if error.code in ("directory.not_imported", "directory.outdated"):
                return None
            raise

    def _close_db(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    async def _on_db(self, job: Callable[[], T]) -> T:
        return await self._in_thread(self._db_thread, job, None)

    async def _in_thread(
        self,
        executor: SerialExecutor,
        job: Callable[[], T],
        stop: threading.Event | None,
    ) -> T:
        if self._closed:
            raise RuntimeError("directory service closed")
        try:
            return await executor.run(job)
        except asyncio.CancelledError:
            # The thread cannot be interrupted: ask the job to stop (imports check the flag
            # regularly and remove what they started) and let it end on its own.
            if stop is not None:
                stop.set()
            raise

    def _progress_sink(
        self,
        loop: asyncio.AbstractEventLoop,
        on_progress: Callable[[ImportProgress], None] | None,
    ) -> Callable[[ImportProgress], None]:
        def sink(progress: ImportProgress) -> None:
            loop.call_soon_threadsafe(self._deliver, progress, on_progress)

        return sink

    def _deliver(
        self, progress: ImportProgress, on_progress: Callable[[ImportProgress], None] | None
    ) -> None:
        if on_progress is not None:
            on_progress(progress)
        from app.domain.events import PROFILE_WIDE, DirectoryImportProgress  # start-up time

        self._events.publish(
            DirectoryImportProgress(
                account_id=PROFILE_WIDE,
                lines=progress.rows,
                bytes_read=progress.done,
                total_bytes=progress.total or 0,
            )
        )

    def _changed(self, what: str, entries: int) -> None:
        from app.domain.events import PROFILE_WIDE, DirectoryChanged  # start-up time

        self._events.publish(DirectoryChanged(account_id=PROFILE_WIDE, what=what, entries=entries))


def _file_identity(path: Path) -> tuple[int, int] | None:
    """Which file `path` names now (device, inode); None when there is none."""
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    return (stat.st_dev, stat.st_ino)


def _age_days(report: ImportReport | None) -> float | None:
    if report is None:
        return None
    now = datetime.now().astimezone()
    if report.generated_at is not None:
        generated = report.generated_at
        if generated.tzinfo is None:
            generated = generated.astimezone()  # the agency writes French local time
        return max(0.0, (now - generated).total_seconds() / 86400.0)
    return max(0.0, (now - report.imported_at).total_seconds() / 86400.0)


def _merge(
    online: list[DirectoryEntry], offline: list[DirectoryEntry], limit: int
) -> list[DirectoryEntry]:
    """Online entries first (fresher), then offline ones not already there."""
    seen_keys = {e.key for e in online}
    seen_addresses = {a.lower() for e in online for a in e.addresses}
    merged = list(online)
    for entry in offline:
        if entry.key in seen_keys or any(a.lower() in seen_addresses for a in entry.addresses):
            continue
        merged.append(entry)
    return merged[:limit]


def _ordered(
    entries: Iterable[DirectoryEntry], boost: Mapping[str, float] | None
) -> tuple[DirectoryEntry, ...]:
    """Favourites first, keeping the order otherwise (a stable sort)."""
    if not boost:
        return tuple(entries)
    lowered = {a.lower(): v for a, v in boost.items()}
    return tuple(
        sorted(
            entries,
            key=lambda e: -max((lowered.get(a.lower(), 0.0) for a in e.addresses), default=0.0),
        )
    )
