"""IMAP sessions on their own threads, kept open and reopened when they break.

An `ImapConnection` is one session of one account for one role (``sync``, ``idle``, ``ops``,
``outbox``…) on its own ``imap-<account>-<role>`` thread (STYLE.md §3.1). A `ConnectionPool`
keeps one connection per account and role for as long as the process lives, so a window or
`pli sync --watch` logs in once rather than at every pass; a session left unused for a while,
or on which the server spoke between commands (a BYE, the end of the stream), is checked with
NOOP before it is used again, and replaced when it broke.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from typing import TypeVar

from app.domain.errors import NetworkError
from app.services.account_service import Account, AccountService
from app.services.executors import SerialExecutor
from app.transport.imap_session import ImapSession

log = logging.getLogger(__name__)

R = TypeVar("R")

#: A session unused for longer than this is checked with NOOP before its next use.
CHECK_AFTER_SECONDS = 60.0
#: Idle persistent sessions are kept alive with NOOP this often (servers log out after 30 min).
KEEPALIVE_SECONDS = 240.0


class ImapConnection:
    """One connection of one account (``imap-<account>-<role>`` thread).

    `call` runs a function with the session on the connection's thread. A session broken by
    a network error, or whose call was cancelled, is dropped; the next call opens a new one
    (fresh credentials included).
    """

    def __init__(self, accounts: AccountService, account: Account, role: str) -> None:
        self._accounts = accounts
        self.account = account
        self.role = role
        self._executor = SerialExecutor(f"imap-{account.id}-{role}")
        self._session: ImapSession | None = None
        self._abandoned: list[ImapSession] = []  # their call was cancelled: close them next
        self._last_used = 0.0
        self._suspect = False  # another session of the account broke: check this one first
        self._pending_open: asyncio.Future[ImapSession] | None = None
        self._opening = asyncio.Lock()

    @property
    def is_open(self) -> bool:
        """A usable session is open."""
        return self._session is not None and self._session.usable

    @property
    def idle_for(self) -> float:
        """Seconds since the session was last used (0 when none is open)."""
        return time.monotonic() - self._last_used if self._session is not None else 0.0

    async def session(self) -> ImapSession:
        """The open session (opening it if needed, checking it if unused for a while)."""
        async with self._opening:
            await self._close_abandoned()
            if (
                self._session is not None
                and self._session.usable
                and (
                    self._suspect
                    or self.idle_for > CHECK_AFTER_SECONDS
                    or await self._executor.run(self._session.server_spoke)
                )
                and not await self._noop()
            ):
                await self._drop()
            self._suspect = False
            if self._session is None or not self._session.usable:
                await self._drop()
                self._session = await self._open()
            self._last_used = time.monotonic()
            return self._session

    async def call(self, work: Callable[[ImapSession], R], *, retry: bool = False) -> R:
        """Run `work(session)` on the connection's thread.

        With `retry` (for work that changes nothing on the server: LIST, STATUS, quota…), a
        kept session that the server had closed while it sat unused is replaced and the work
        run once more, instead of failing as a lost connection: Cyrus, for one, ends a session
        whose selected folder another client deleted, without a word until the next command.
        """
        for attempt in range(2):
            kept = self._session
            session = await self.session()
            try:
                return await self._executor.run(work, session)
            except NetworkError as error:
                if not session.usable:
                    await self._drop()
                if (
                    retry
                    and attempt == 0
                    and session is kept
                    and not session.usable
                    and error.code == "network.connection_lost"
                ):
                    log.info(
                        "IMAP %s session of account %d was closed by the server; reopening",
                        self.role,
                        self.account.id,
                    )
                    continue
                raise
            except asyncio.CancelledError:
                # The thread still runs the call: this session's state is unknown. Close it
                # after the call (socket timeouts bound it) and open a new one next time.
                self._abandon(session)
                raise
            finally:
                self._last_used = time.monotonic()
        raise AssertionError("unreachable: the second attempt returns or raises")

    async def _open(self) -> ImapSession:
        """A new session; if the wait is cancelled, the session still opening is closed later.

        Connecting cannot be interrupted on its thread: what it opens after a cancellation
        is kept aside and closed (by `close`, or before the next session is used).
        """
        opening = asyncio.ensure_future(self._accounts.imap_session(self.account, self._executor))
        self._pending_open = opening
        try:
            return await asyncio.shield(opening)
        except asyncio.CancelledError:
            opening.add_done_callback(self._keep_to_close)
            raise

    def _keep_to_close(self, opening: asyncio.Future[ImapSession]) -> None:
        if opening.cancelled() or opening.exception() is not None:
            return
        self._abandoned.append(opening.result())

    def suspect(self) -> None:
        """Check the session with NOOP before its next use (the server may have gone)."""
        self._suspect = True

    async def keepalive(self) -> bool:
        """NOOP on an open session unused for `KEEPALIVE_SECONDS`; False when it broke."""
        if self._session is None or self.idle_for < KEEPALIVE_SECONDS:
            return True
        async with self._opening:
            if await self._noop():
                return True
            await self._drop()
            return False

    async def _noop(self) -> bool:
        session = self._session
        if session is None:
            return True
        try:
            await self._executor.run(session.noop)
        except NetworkError:
            log.info("IMAP %s session of account %d lost; reopening", self.role, self.account.id)
            return False
        except asyncio.CancelledError:
            self._abandon(session)
            raise
        self._last_used = time.monotonic()
        return True

    def _abandon(self, session: ImapSession) -> None:
        if self._session is session:
            self._session = None
        self._abandoned.append(session)

    async def _close_abandoned(self) -> None:
        """Close the sessions whose call was cancelled (after that call, on their thread)."""
        while self._abandoned:
            await self._close(self._abandoned.pop())

    async def _drop(self) -> None:
        session, self._session = self._session, None
        if session is not None and not self._executor.closed:
            await self._close(session)

    async def _close(self, session: ImapSession) -> None:
        """Close `session` on the thread; if this wait is cancelled, it is closed later.

        Cancelling the wait also withdraws the close if the thread had not taken it up yet
        (busy with an earlier call): the session is then kept aside with the abandoned ones,
        closed before the next session is used or by `close`, instead of leaving its socket
        open until garbage collection. A close that had begun ends anyway; closing again is
        harmless.
        """
        try:
            await self._executor.run(session.close)
        except asyncio.CancelledError:
            self._abandoned.append(session)
            raise

    async def close(self, *, wait: bool = False) -> None:
        """Log out and stop the thread (`wait`: until the thread has ended)."""
        try:
            if self._pending_open is not None and not self._pending_open.done():
                with contextlib.suppress(Exception):
                    await asyncio.shield(self._pending_open)
                await asyncio.sleep(0)  # let `_keep_to_close` run
            if not self._executor.closed:
                await self._close_abandoned()
                await self._drop()
        finally:
            if wait:
                await asyncio.to_thread(self._executor.shutdown, wait=True)
            else:
                self._executor.shutdown(wait=False)


class ConnectionPool:
    """One persistent `ImapConnection` per account and role, for the process's lifetime."""

    def __init__(self, accounts: AccountService) -> None:
        self._accounts = accounts
        self._connections: dict[tuple[int, str], ImapConnection] = {}
        self._closed = False

    async def get(self, account: Account, role: str) -> ImapConnection:
        """The account's connection for `role` (a new one when the account's settings changed)."""
        if self._closed:
            raise RuntimeError("connection pool closed")
        key = (account.id, role)
        connection = self._connections.get(key)
        if connection is not None and connection.account != account:
            # Servers, login or options changed (`pli account set`): start afresh.
            del self._connections[key]
            await connection.close()
            connection = None
        if connection is None:
            connection = ImapConnection(self._accounts, account, role)
            self._connections[key] = connection
        return connection

    def connections(self, account_id: int | None = None) -> list[ImapConnection]:
        """The open connections (of one account)."""
        return [
            c for (a, _), c in self._connections.items() if account_id is None or a == account_id
        ]

    def suspect(self, account_id: int) -> None:
        """One of the account's sessions broke: check the others before they are used again."""
        for connection in self.connections(account_id):
            connection.suspect()

    async def keepalive(self, account_id: int | None = None) -> None:
        """NOOP on the idle sessions (of one account), dropping the broken ones."""
        for connection in self.connections(account_id):
            if connection.role == "idle":
                continue  # the IDLE loop keeps its own session alive
            try:
                await connection.keepalive()
            except NetworkError:
                continue

    async def close_account(self, account_id: int, *, wait: bool = False) -> None:
        """Log out every connection of an account."""
        for key in [k for k in self._connections if k[0] == account_id]:
            await self._connections.pop(key).close(wait=wait)

    async def aclose(self, *, wait: bool = False) -> None:
        """Log out everything; no connection is opened afterwards."""
        self._closed = True
        connections, self._connections = list(self._connections.values()), {}
        results = await asyncio.gather(
            *(c.close(wait=wait) for c in connections), return_exceptions=True
        )
        for result in results:
            if isinstance(result, BaseException):
                log.debug("closing an IMAP connection failed: %r", result)
