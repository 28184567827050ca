"""An IMAP session on its own thread, reopened when it breaks."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from app.domain.errors import NetworkError
from app.services.account_service import Account, AccountService
from app.services.executors import SerialExecutor
from app.transport.imap_session import ImapSession

log = logging.getLogger(__name__)

R = TypeVar("R")


class ImapConnection:
    """One connection of one account (``imap-<account>-<role>`` thread).

    `call` runs a function with the session on the connection's thread. A session broken by
    a network error is dropped; the next call opens a new one (fresh credentials included).
    """

    def __init__(self, accounts: AccountService, account: Account, role: str) -> None:
        self._accounts = accounts
        self._account = account
        self._executor = SerialExecutor(f"imap-{account.id}-{role}")
        self._session: ImapSession | None = None

    async def session(self) -> ImapSession:
        """The open session (opening it if needed)."""
        if self._session is None or not self._session.usable:
            await self._drop()
            self._session = await self._accounts.imap_session(self._account, self._executor)
        return self._session

    async def call(self, work: Callable[[ImapSession], R]) -> R:
        """Run `work(session)` on the connection's thread."""
        session = await self.session()
        try:
            return await self._executor.run(work, session)
        except NetworkError:
            if not session.usable:
                await self._drop()
            raise

    async def _drop(self) -> None:
        session, self._session = self._session, None
        if session is not None:
            await self._executor.run(session.close)

    async def close(self) -> None:
        """Log out and stop the thread."""
        try:
            await self._drop()
        finally:
            self._executor.shutdown(wait=False)
