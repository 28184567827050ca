"""What the user may do to a message in the outbox: cancel it before it leaves, retry it.

The flush (`OutboxService.flush`) moves messages by itself; these are the user's decisions:
- cancel a message still ``queued`` (never handed to the server): it is removed, recorded in
  the audit trail; one already being submitted cannot be called back;
- retry a ``failed`` message (refused by the server): it goes back to ``queued`` and leaves at
  the next flush, which is started at once; a message waiting because the server cannot be
  reached is simply flushed now; recipients a server refused only for now (the message left
  for the others) are tried again now.
Both are compare-and-set in the archive: a flush that took the message first wins, and the
message is never sent twice.
"""

from __future__ import annotations

from app.domain.errors import NotFoundError, ValidationError
from app.domain.outbox import OutboxState
from app.services.account_service import Account, AccountService
from app.services.outbox_service import FlushReport, OutboxService
from app.services.store_gateway import StoreGateway
from app.store.archive import Archive


class OutboxActionService:
    """Cancel and retry, for the window's outbox page (Qt-free)."""

    def __init__(
        self, store: StoreGateway, accounts: AccountService, outbox: OutboxService
    ) -> None:
        self._store = store
        self._accounts = accounts
        self._outbox = outbox

    async def _account(self, account_id: int) -> Account:
        for account in await self._accounts.list():
            if account.id == account_id:
                return account
        raise NotFoundError("account.not_found", id=account_id)

    async def cancel(self, entry_id: int) -> None:
        """Remove a message that has not left yet.

        Raises:
            NotFoundError: ``outbox.not_found``.
            ValidationError: ``outbox.already_leaving`` (a flush took it first: it cannot be
                called back).
        """
        entry = await self._outbox.entry(entry_id)
        account = await self._account(entry.account_id)

        def work(a: Archive) -> bool:
            if not a.outbox.cancel_queued(entry_id):
                return False
            a.audit.add(
                account_id=account.id,
                actor=account.address,
                action="send.cancel",
                target=entry.message_id,
                outcome="ok",
            )
            return True

        if not await self._store.write(work):
            raise ValidationError("outbox.already_leaving", id=entry_id)
        self._outbox.changed(account, entry_id, OutboxState.QUEUED, "outbox.cancelled")
        await self._outbox.publish_counts(account)

    async def retry(self, entry_id: int) -> FlushReport:
        """Send a refused message again, or a waiting one now; returns the flush's report.

        Raises:
            NotFoundError: ``outbox.not_found``.
            ValidationError: ``outbox.nothing_to_retry`` (already sent), ``account.retired``
                (its mailbox was removed from Pli, archive kept: nothing is sent from it).
        """
        entry = await self._outbox.entry(entry_id)
        account = await self._account(entry.account_id)
        if account.config.retired:
            raise ValidationError("account.retired", account=account.name)
        if entry.state is OutboxState.FAILED:

            def work(a: Archive) -> bool:
                if not a.outbox.requeue_failed(entry_id):
                    return False
                a.audit.add(
                    account_id=account.id,
                    actor=account.address,
                    action="send.retry",
                    target=entry.message_id,
                    outcome="ok",
                )
                return True

            if await self._store.write(work):
                self._outbox.changed(account, entry_id, OutboxState.QUEUED, None)
                await self._outbox.publish_counts(account)
        elif any(r.get("pending") for r in entry.refused):
            # Sent, with recipients the server refused only for now: they are tried now.
            return await self._outbox.flush(account, retry_now=True)
        elif not entry.state.pending:
            raise ValidationError("outbox.nothing_to_retry", id=entry_id)
        return await self._outbox.flush(account)
