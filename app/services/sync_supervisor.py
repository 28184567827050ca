"""Background synchronisation for a process that lives for hours (the window, `pli sync --watch`).

One worker per account runs the refresh pipeline, then watches INBOX with IMAP IDLE on a
connection of its own (STYLE.md §3.4), looks at every folder every `full_pass_seconds`, and
starts again with an exponential backoff after an error, publishing the account's
`ConnectionChanged` (online, offline with the error's code, reconnecting, session ended).

The refresh pipeline of a pass:
replay pending operations -> folders and message lists (headers first) -> examine what
arrived (`incoming.examine`) -> flush the outbox (`outbox.flush`) -> bodies -> examine the
new bodies -> index attachments -> compact. In the background the bodies and what follows
them run in a task of their own (on the ``bodies`` connection), so that the worker watches
INBOX again at once: new mail shows while a large archive is still downloading.

Connections are persistent, per account and role (``sync`` for passes, ``idle`` for IDLE,
``bodies`` for archiving, ``ops`` for replaying local changes at once), kept alive with NOOP
and reopened when they break. While the supervisor runs, a local change (`OperationQueued`)
is replayed within a moment on the ``ops`` connection. `run_once` is the one-shot pipeline
(`pli sync`).
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
import time
from collections.abc import Callable, Sequence
from typing import Protocol

from app.domain.errors import AuthError, KnownError, NetworkError, NotFoundError, TlsError
from app.domain.events import (
    PROFILE_WIDE,
    AccountChanged,
    AccountRemoved,
    BodiesProgress,
    ConnectionChanged,
    ConnectionState,
    DocumentsIndexed,
    OperationQueued,
    SyncStarted,
)
from app.domain.mailbox import SyncState
from app.services.account_service import Account, AccountService
from app.services.event_bus import EventBus
from app.services.imap_connection import ConnectionPool, ImapConnection
from app.services.mailbox_sync import SyncReport, SyncService
from app.services.operation_queue import OperationQueue
from app.services.priority import yield_cpu_to_caller
from app.services.store_gateway import StoreGateway
from app.transport.imap_session import ImapSession

log = logging.getLogger(__name__)

#: Every folder is looked at this often while running (INBOX is pushed by IDLE at once).
FULL_PASS_SECONDS = 300.0
#: Longest blocking wait of the IDLE thread: the stop flag is looked at this often.
IDLE_CHECK_SECONDS = 2.0
#: IDLE is re-issued before the 29 minutes of RFC 2177.
IDLE_RENEW_SECONDS = 25 * 60
#: Persistent sessions are looked at (NOOP when unused for long) this often.
KEEPALIVE_CHECK_SECONDS = 60.0
#: Backoff after an error: first delay, doubled at each failure up to the last.
FIRST_RETRY_SECONDS = 1.0
MAX_RETRY_SECONDS = 300.0
#: A local change is replayed this long after it was made (changes in a burst go together).
REPLAY_DELAY_SECONDS = 0.2
#: How long `stop` waits for a worker to end on its own before cancelling it.
STOP_GRACE_SECONDS = 15.0
#: Error codes after which only a new login helps (ECO.1.2.6).
SESSION_CODES = frozenset({"auth.session_ended", "auth.login_required"})


# What the supervisor needs from the other services (they are split and grow elsewhere).


class _Flushed(Protocol):
    @property
    def submitted(self) -> int: ...
    @property
    def filed(self) -> int: ...
    @property
    def failed(self) -> int: ...
    @property
    def offline(self) -> str | None: ...


class Outbox(Protocol):
    """What the pipeline asks of the outbox."""

    async def flush(self, account: Account) -> _Flushed:
        """Move the account's queued messages as far as they can go (never raises offline)."""
        ...


class Incoming(Protocol):
    """What the pipeline asks of the examination of incoming messages."""

    async def examine(self) -> object:
        """Examine every archived message not examined yet."""
        ...


class _Indexed(Protocol):
    @property
    def documents(self) -> int: ...
    @property
    def remaining(self) -> int: ...


class Documents(Protocol):
    """What the pipeline asks of the documents service."""

    async def index_attachments(self) -> _Indexed:
        """Index the text of archived attachments."""
        ...

    def index_soon(self) -> None:
        """Bodies were stored: start indexing their attachments in the background."""
        ...


class Compactor(Protocol):
    """What the pipeline asks of the archive."""

    async def compact(self) -> int:
        """Reclaim the space of deleted messages' bodies."""
        ...


class SyncSupervisor:
    """Background sync of every account, and the one-shot pipeline of `pli sync`."""

    def __init__(
        self,
        *,
        store: StoreGateway,
        accounts: AccountService,
        events: EventBus,
        sync: SyncService,
        operations: OperationQueue,
        connections: ConnectionPool,
        incoming: Incoming,
        outbox: Outbox,
        documents: Documents,
        archive: Compactor,
        full_pass_seconds: float = FULL_PASS_SECONDS,
        idle_check_seconds: float = IDLE_CHECK_SECONDS,
        max_retry_seconds: float = MAX_RETRY_SECONDS,
    ) -> None:
        self._store = store
        self._accounts = accounts
        self._events = events
        self._sync = sync
        self._operations = operations
        self._connections = connections
        self._incoming = incoming
        self._outbox = outbox
        self._documents = documents
        self._archive = archive
        self.full_pass_seconds = full_pass_seconds
        self.idle_check_seconds = idle_check_seconds
        self.max_retry_seconds = max_retry_seconds
        self._states: dict[int, ConnectionState] = {}
        self._workers: dict[int, _Worker] = {}
        self._replays: dict[int, asyncio.Task[None]] = {}
        self._replay_again: set[int] = set()  # changes made while their account's replay ran
        self._bodies: dict[int, asyncio.Task[None]] = {}  # body passes running apart
        self._bodies_again: set[int] = set()  # listed while their account's body pass ran
        self._index_due: set[int] = set()  # a full pass asked for indexing and compaction
        self._profile_steps = asyncio.Lock()  # examine, index, compact: profile-wide
        self._unsubscribe: list[Callable[[], None]] = []
        self._retiring: set[asyncio.Task[None]] = set()
        #: Unexpected failures of background work (bugs, or a subscriber failing on a strict
        #: bus): logged, and re-raised by `stop` when the bus is strict (tests).
        self.failures: list[BaseException] = []

    # -- the one-shot pipeline --------------------------------------------------------------

    async def run_once(
        self, accounts: Sequence[Account], *, bodies: bool = True, index: bool = True
    ) -> list[SyncReport]:
        """Sync each account, examine, flush each outbox, index, compact (`pli sync`).

        The reports carry the outbox's figures; `indexed_documents` and `documents_to_index`
        are profile-wide (the same in every report).

        Raises:
            KnownError: the first account that failed (nothing after it is done).
        """
        # A retired account is an archive only: never synced, never connected (`pli sync`
        # says so itself).
        accounts = [a for a in accounts if not a.config.retired]
        reports: list[SyncReport] = []
        following = self._follow_bodies() if bodies and index else None
        try:
            for account in accounts:
                try:
                    report = await self._sync.sync(account, bodies=bodies)
                except KnownError as error:
                    self._note_failure(account, error)
                    raise
                self._set_state(account, ConnectionState.ONLINE)
                reports.append(report)
        finally:
            if following is not None:
                following()
        async with self._profile_steps:
            await self._incoming.examine()
        for account, report in zip(accounts, reports, strict=True):
            await self._flush(account, report)
        if bodies and index:
            async with self._profile_steps:
                indexed = await self._documents.index_attachments()
            self._indexed(indexed)
            for report in reports:
                report.indexed_documents = indexed.documents
                report.documents_to_index = indexed.remaining
        async with self._profile_steps:
            await self._archive.compact()
        return reports

    async def _flush(self, account: Account, report: SyncReport) -> None:
        if account.config.retired:
            return
        flushed = await self._outbox.flush(account)
        report.outbox_submitted = flushed.submitted
        report.outbox_filed = flushed.filed
        report.outbox_failed = flushed.failed
        report.outbox_waiting = flushed.offline
        waiting_error = getattr(flushed, "offline_error", None)  # OutboxService's FlushReport
        if isinstance(waiting_error, KnownError):
            report.outbox_waiting_error = waiting_error

    def _follow_bodies(self) -> Callable[[], None]:
        """Index attachments while the bodies arrive (at each `BodiesProgress`), not after.

        Returns the function that stops following.
        """
        return self._events.subscribe(BodiesProgress, self._bodies_stored)

    def _bodies_stored(self, _event: BodiesProgress) -> None:
        self._documents.index_soon()

    def _indexed(self, indexed: _Indexed) -> None:
        if indexed.documents:
            self._events.publish(
                DocumentsIndexed(
                    account_id=PROFILE_WIDE,
                    documents=indexed.documents,
                    remaining=indexed.remaining,
                )
            )

    # -- local changes ----------------------------------------------------------------------

    async def replay_now(self, account: Account) -> bool:
        """Send the account's queued changes now on its ``ops`` connection.

        Returns False when the server is unreachable (the changes stay queued, in order).
        A retired account's changes are never replayed (True: nothing to wait for).
        """
        if await self._accounts.is_retired(account.id):
            return True
        connection = await self._connections.get(account, "ops")
        try:
            await self._operations.replay(account, connection)
        except NetworkError as error:
            self._note_failure(account, error)
            return False
        self._set_state(account, ConnectionState.ONLINE)
        return True

    def _on_operation_queued(self, event: OperationQueued) -> None:
        worker = self._workers.get(event.account_id)
        if worker is None:
            return
        if event.account_id in self._replays:
            self._replay_again.add(event.account_id)  # the running replay may have missed it
            return
        task = asyncio.get_running_loop().create_task(self._replay_soon(worker))
        self._replays[event.account_id] = task

    async def _replay_soon(self, worker: _Worker) -> None:
        account_id = worker.account.id
        try:
            while True:
                self._replay_again.discard(account_id)
                await asyncio.sleep(REPLAY_DELAY_SECONDS)
                if not await self.replay_now(worker.account):
                    worker.wake()  # offline: the worker's backoff takes it from here
                    break
                if account_id not in self._replay_again:
                    break
        except KnownError as error:
            log.info("replay of account %d failed (%s)", worker.account.id, error.code)
        except Exception as error:  # noqa: BLE001 - logged and kept (see `failures`)
            self._unexpected(error, "replay", worker.account)
        finally:
            self._replays.pop(account_id, None)
            self._replay_again.discard(account_id)

    def _unexpected(self, error: BaseException, what: str, account: Account) -> None:
        log.error("account %d: background %s failed", account.id, what, exc_info=error)
        self.failures.append(error)

    # -- running in the background ----------------------------------------------------------

    @property
    def running(self) -> bool:
        """Whether background sync runs (for at least one account)."""
        return bool(self._workers)

    async def start(
        self, accounts: Sequence[Account] | None = None, *, full_pass_seconds: float | None = None
    ) -> None:
        """Sync `accounts` (default: every account) in the background until `stop`.

        Idempotent: accounts already followed are left as they are.
        """
        if full_pass_seconds is not None:
            self.full_pass_seconds = full_pass_seconds
        chosen = list(accounts) if accounts is not None else await self._accounts.list()
        chosen = [a for a in chosen if not a.config.retired]  # archives only: never connect
        if not self._unsubscribe:
            # Bound methods: the bus holds them weakly, the supervisor lives with the services.
            self._unsubscribe = [
                self._events.subscribe(OperationQueued, self._on_operation_queued),
                self._events.subscribe(AccountChanged, self._on_account_changed),
                self._events.subscribe(AccountRemoved, self._on_account_removed),
            ]
        if not self._workers and chosen:
            # What opening a session imports on first use (the revocation checker's x509,
            # built on the loop's thread): here on a worker thread, not in the loop (a
            # 130-200 ms stall at the window's first sync, bench/ui_load_bench.py).
            await asyncio.to_thread(_import_for_sessions)
        for account in chosen:
            if account.id not in self._workers:
                worker = _Worker(self, account)
                self._workers[account.id] = worker
                worker.task = asyncio.get_running_loop().create_task(
                    worker.run(), name=f"sync-{account.id}"
                )

    async def wait(self) -> None:
        """Until every worker ended (after `stop`, or their accounts were removed)."""
        tasks = [w.task for w in self._workers.values() if w.task is not None]
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)

    async def stop(self) -> None:
        """Stop every worker, log out of their sessions and end their threads.

        May be called again after being cancelled (a window closing with a timeout): what
        was not stopped yet is stopped then.
        """
        unsubscribe, self._unsubscribe = self._unsubscribe, []
        for end in unsubscribe:
            end()
        workers = list(self._workers.values())
        others = [*self._replays.values(), *self._bodies.values()]
        for task in others:
            task.cancel()
        for worker in workers:
            worker.stop()
        tasks = [w.task for w in workers if w.task is not None]
        if tasks:
            _done, late = await asyncio.wait(tasks, timeout=STOP_GRACE_SECONDS)
            for task in late:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        await asyncio.gather(*others, *self._retiring, return_exceptions=True)
        for worker in workers:
            if self._workers.get(worker.account.id) is worker:
                del self._workers[worker.account.id]
            await self._connections.close_account(worker.account.id, wait=True)
        if self._events.strict and self.failures:
            failure, self.failures = self.failures[0], []
            raise failure

    def _on_account_changed(self, event: AccountChanged) -> None:
        worker = self._workers.get(event.account_id)
        if worker is not None:
            task = asyncio.get_running_loop().create_task(self._changed(worker))
            self._retiring.add(task)
            task.add_done_callback(self._retiring.discard)

    async def _changed(self, worker: _Worker) -> None:
        """A full pass with the new settings, or the end of a retired account's worker."""
        try:
            retired = await self._accounts.is_retired(worker.account.id)
        except NotFoundError:
            return  # removed meanwhile: `_on_account_removed` ends the worker
        if not retired:
            worker.wake()  # connections reopened
        elif self._workers.get(worker.account.id) is worker:
            self._drop(worker.account.id)

    def _on_account_removed(self, event: AccountRemoved) -> None:
        self._drop(event.account_id)

    def _drop(self, account_id: int) -> None:
        """End an account's worker and log out of its sessions (removed or retired)."""
        worker = self._workers.pop(account_id, None)
        if worker is None:
            return
        worker.stop()
        task = asyncio.get_running_loop().create_task(self._retire(worker))
        self._retiring.add(task)
        task.add_done_callback(self._retiring.discard)

    async def _retire(self, worker: _Worker) -> None:
        """End a removed account's worker and log out of its sessions."""
        bodies = self._bodies.pop(worker.account.id, None)
        if bodies is not None:
            bodies.cancel()
            await asyncio.gather(bodies, return_exceptions=True)
        if worker.task is not None:
            _done, late = await asyncio.wait([worker.task], timeout=STOP_GRACE_SECONDS)
            for task in late:
                task.cancel()
            await asyncio.gather(worker.task, return_exceptions=True)
        await self._connections.close_account(worker.account.id, wait=True)
        self._states.pop(worker.account.id, None)

    async def sync_now(self, account: Account | None = None) -> None:
        """A full pass now (of one account, or all); returns when it ended.

        The next pass of the running workers, or the one-shot pipeline when the supervisor
        does not run.

        Raises:
            KnownError: the pass failed (a running worker then retries with its backoff).
        """
        if self._workers:
            workers = (
                [self._workers[account.id]]
                if account is not None and account.id in self._workers
                else list(self._workers.values())
                if account is None
                else []
            )
            if workers:
                await asyncio.gather(*(w.request_pass() for w in workers))
                return
        accounts = [account] if account is not None else await self._accounts.list()
        await self.run_once(accounts)  # retired accounts skipped

    def state(self, account_id: int) -> ConnectionState:
        """The account's link with its servers, as last seen."""
        return self._states.get(account_id, ConnectionState.OFFLINE)

    # -- one background pass ----------------------------------------------------------------

    async def background_pass(self, account: Account, *, only: Sequence[str] | None) -> None:
        """The refresh pipeline once (`only`: these folders, and no index nor compaction).

        Replay, folders and headers, examine, flush, then SyncFinished; the bodies (then
        examination of them, indexing and compaction) go on in a task of their own.
        """
        full = only is None
        started = time.monotonic()
        report = SyncReport(account.name)
        async with self._sync.lock(account.id):
            self._events.publish(SyncStarted(account_id=account.id, account=account.name))
            try:
                report.replayed = await self._sync.replay(account)
                await self._sync.sync_folders(account, report, only=only)
            except KnownError as error:
                await self._sync.failed(account, error)
                raise
        self._set_state(account, ConnectionState.ONLINE)
        self._sync.listed(account, report, started=started, announce=full)
        async with self._profile_steps:
            await self._incoming.examine()
        await self._flush(account, report)
        self._sync.finished(account, report)
        if full:
            self._index_due.add(account.id)
        self._start_bodies(account)

    def _start_bodies(self, account: Account) -> None:
        """Archive the bodies apart: the worker goes on (IDLE, new mail) meanwhile."""
        if account.id in self._bodies:
            self._bodies_again.add(account.id)  # the running pass listed its work before
            return
        task = asyncio.get_running_loop().create_task(
            self._bodies_pass(account), name=f"bodies-{account.id}"
        )
        self._bodies[account.id] = task

    async def _bodies_pass(self, account: Account) -> None:
        """Bodies (on the ``bodies`` connection), examine them, then index and compact."""
        started = time.monotonic()
        report = SyncReport(account.name)
        following = self._follow_bodies() if account.id in self._index_due else None
        try:
            while True:
                self._bodies_again.discard(account.id)
                stored = report.bodies
                await self._sync.archive_bodies(account, report, started=started, role="bodies")
                if report.bodies > stored:
                    async with self._profile_steps:
                        await self._incoming.examine()
                if account.id not in self._bodies_again:
                    break
            if account.id in self._index_due:
                self._index_due.discard(account.id)
                async with self._profile_steps:
                    indexed = await self._documents.index_attachments()
                    await self._archive.compact()
                self._indexed(indexed)
        except KnownError as error:
            await self._sync.failed(account, error)
            worker = self._workers.get(account.id)
            if self._note_failure(account, error) is not None and worker is not None:
                worker.wake()  # the worker's next pass finds out, and retries with backoff
        except Exception as error:  # noqa: BLE001 - logged and kept (see `failures`)
            self._unexpected(error, "bodies", account)
        finally:
            if following is not None:
                following()
            self._bodies.pop(account.id, None)
            self._bodies_again.discard(account.id)

    # -- connection state -------------------------------------------------------------------

    def _set_state(
        self,
        account: Account,
        state: ConnectionState,
        code: str | None = None,
        retry_in: float | None = None,
    ) -> None:
        previous = self._states.get(account.id)
        self._states[account.id] = state
        if previous is state and state is ConnectionState.ONLINE:
            return
        if previous is state and retry_in is None:
            return
        self._events.publish(
            ConnectionChanged(
                account_id=account.id,
                account=account.name,
                state=state,
                code=code,
                retry_in=retry_in,
            )
        )

    def _note_failure(
        self, account: Account, error: KnownError, retry_in: float | None = None
    ) -> ConnectionState | None:
        """The connection state an error means (None: the link itself is fine)."""
        if isinstance(error, AuthError) and error.code in SESSION_CODES:
            self._set_state(account, ConnectionState.SESSION_ENDED, error.code)
            return ConnectionState.SESSION_ENDED
        if isinstance(error, NetworkError | TlsError | AuthError):
            if isinstance(error, NetworkError):
                self._connections.suspect(account.id)  # the other sessions may be dead too
            self._set_state(account, ConnectionState.OFFLINE, error.code, retry_in)
            return ConnectionState.OFFLINE
        return None

    def _reconnecting(self, account: Account) -> None:
        if self._states.get(account.id) in (
            ConnectionState.OFFLINE,
            ConnectionState.SESSION_ENDED,
        ):
            self._set_state(account, ConnectionState.RECONNECTING)

    async def _reload(self, account: Account) -> Account:
        """The account as stored now (its settings may have changed)."""
        row = await self._store.read(lambda a: a.accounts.by_id(account.id))
        return Account(row.id, row.config)

    async def connection(self, account: Account, role: str) -> ImapConnection:
        """The account's persistent connection for `role`."""
        return await self._connections.get(account, role)


class _Worker:
    """One account's background loop: full pass, IDLE on INBOX, backoff after errors."""

    def __init__(self, supervisor: SyncSupervisor, account: Account) -> None:
        self._sup = supervisor
        self.account = account
        self.task: asyncio.Task[None] | None = None
        self._stop = asyncio.Event()
        self._wake = asyncio.Event()
        self._requested: list[asyncio.Future[None]] = []

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()

    def wake(self) -> None:
        """Do a full pass as soon as possible (and retry now when waiting after an error)."""
        self._wake.set()

    async def request_pass(self) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._requested.append(future)
        self._wake.set()
        await future

    def _take_requests(self) -> list[asyncio.Future[None]]:
        requested, self._requested = self._requested, []
        return requested

    @staticmethod
    def _settle(requested: list[asyncio.Future[None]], error: BaseException | None) -> None:
        for future in requested:
            if future.done():
                continue
            if error is None:
                future.set_result(None)
            else:
                future.set_exception(error)

    async def run(self) -> None:
        """Passes until stopped: a failure waits (backoff) and starts again, never ends it."""
        sup = self._sup
        delay = FIRST_RETRY_SECONDS
        requested: list[asyncio.Future[None]] = []
        try:
            while not self._stop.is_set():
                self._wake.clear()
                requested = self._take_requests()
                try:
                    self.account = await sup._reload(self.account)
                except NotFoundError:
                    return  # the account was removed
                if self.account.config.retired:
                    return  # an archive only now (`_changed` closes its connections)
                try:
                    wait = await self._cycle(requested, delay)
                except Exception as error:  # noqa: BLE001 - logged and kept (see `failures`)
                    self._settle(requested, error)
                    sup._unexpected(error, "sync", self.account)
                    wait = delay
                if wait == 0.0:
                    delay = FIRST_RETRY_SECONDS
                    continue
                await self._sleep(wait if wait > 0 else None)
                delay = min(delay * 2, sup.max_retry_seconds)
        finally:
            for future in requested + self._take_requests():
                future.cancel()

    async def _cycle(self, requested: list[asyncio.Future[None]], delay: float) -> float:
        """One pass then IDLE; how long to wait after (0: none; < 0: until woken)."""
        sup = self._sup
        sup._reconnecting(self.account)
        try:
            await sup.background_pass(self.account, only=None)
            self._settle(requested, None)
            await self._watch()
        except KnownError as error:
            self._settle(requested, error)
            if error.code == "account.retired":
                return -1.0  # retired meanwhile: not a failure; `_changed` ends this worker
            state = sup._note_failure(self.account, error, retry_in=delay)
            if state is ConnectionState.SESSION_ENDED:
                log.warning("account %d: login session ended", self.account.id)
                return -1.0
            log.warning(
                "account %d: sync stopped (%s); retrying in %.0f s",
                self.account.id,
                error.code,
                delay,
            )
            return delay
        return 0.0

    async def _sleep(self, seconds: float | None) -> None:
        """Until `seconds` passed, or a wake-up (`sync_now`, a local change, `stop`)."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout=seconds)

    async def _inbox_moved_since_pass(self, state: SyncState) -> bool:
        """Whether INBOX, as the IDLE session's SELECT found it, differs from the archive's."""
        folders = await self._sup._store.read(lambda a: a.folders.all(self.account.id))
        inbox = next((f for f in folders if f.name.upper() == "INBOX"), None)
        return inbox is not None and not inbox.state.unchanged(state)

    async def _watch(self) -> None:
        """IDLE on INBOX until a full pass is due or asked for; INBOX synced on each push."""
        sup = self._sup
        idle = await sup.connection(self.account, "idle")
        full_at = time.monotonic() + sup.full_pass_seconds
        keepalive_at = time.monotonic() + KEEPALIVE_CHECK_SECONDS
        at_start = await idle.call(_enter_idle)
        renew_at = time.monotonic() + IDLE_RENEW_SECONDS
        idling = True
        try:
            if await self._inbox_moved_since_pass(at_start):
                # IDLE announces what happens from now on (RFC 2177): mail that came between
                # the pass's look at INBOX and this SELECT would wait for the next full pass.
                await sup.background_pass(self.account, only=["INBOX"])
            while not self._stop.is_set() and not self._wake.is_set():
                if time.monotonic() >= full_at:
                    return
                events = await idle.call(lambda s: s.idle_wait(sup.idle_check_seconds))
                if self._stop.is_set():
                    return
                if events:
                    # The server said something about INBOX: take it now. IDLE goes on (what
                    # arrives meanwhile waits on the socket for the next check).
                    await sup.background_pass(self.account, only=["INBOX"])
                now = time.monotonic()
                if now >= renew_at:
                    await idle.call(lambda s: s.idle_stop())
                    idling = False
                    await idle.call(lambda s: s.idle_start())
                    idling = True
                    renew_at = now + IDLE_RENEW_SECONDS
                if now >= keepalive_at:
                    keepalive_at = now + KEEPALIVE_CHECK_SECONDS
                    await sup._connections.keepalive(self.account.id)
        finally:
            if idling and idle.is_open:
                with contextlib.suppress(KnownError):
                    await idle.call(lambda s: s.idle_stop())


def _import_for_sessions() -> None:
    importlib.import_module("cryptography.x509")


def _enter_idle(session: ImapSession) -> SyncState:
    """Select INBOX and start IDLE; INBOX's state as SELECT reported it."""
    state = session.select("INBOX", readonly=True).state
    session.idle_start()
    return state


__all__ = ["FULL_PASS_SECONDS", "SyncSupervisor", "yield_cpu_to_caller"]
