"""Drafts: what is being written, kept encrypted in the archive (never on the server)."""

from __future__ import annotations

import base64
from dataclasses import dataclass, replace
from typing import Any

from app.domain.errors import NotFoundError, ValidationError
from app.domain.events import DraftDeleted, DraftSaved
from app.services.account_service import Account, AccountService
from app.services.compose_service import ComposeService, Outgoing, SendOutcome
from app.services.event_bus import EventBus
from app.services.store_gateway import StoreGateway
from app.store.archive import Archive


@dataclass(frozen=True)
class SavedDraft:
    """A draft as kept: its id, account and content, and when it was last saved."""

    id: int
    account_id: int
    account: str
    outgoing: Outgoing
    updated_at: int


class DraftService:
    """Saves, lists, sends and deletes drafts; publishes `DraftSaved` and `DraftDeleted`."""

    def __init__(
        self,
        store: StoreGateway,
        accounts: AccountService,
        events: EventBus,
        compose: ComposeService,
    ) -> None:
        self._store = store
        self._accounts = accounts
        self._events = events
        self._compose = compose

    async def save(self, account: Account, outgoing: Outgoing, draft_id: int | None = None) -> int:
        """Keep what is being written (encrypted, local; called as the user types).

        Returns the draft's id (a new one without `draft_id`).

        Raises:
            NotFoundError: ``draft.not_found`` (`draft_id` unknown).
        """
        content = _draft_json(outgoing)
        saved = await self._store.write(lambda a: a.drafts.save(account.id, content, draft_id))
        self._events.publish(
            DraftSaved(account_id=account.id, account=account.name, draft_id=saved)
        )
        return saved

    async def list(self) -> list[SavedDraft]:
        """Every draft, newest first."""

        def work(a: Archive) -> list[SavedDraft]:
            names = {row.id: row.config.name for row in a.accounts.all()}
            return [
                SavedDraft(
                    draft_id,
                    account_id,
                    names.get(account_id, "?"),
                    _draft_from_json(content),
                    updated,
                )
                for draft_id, account_id, content, updated in a.drafts.all()
            ]

        return await self._store.read(work)

    async def get(self, draft_id: int) -> SavedDraft:
        """One draft.

        Raises:
            NotFoundError: ``draft.not_found``.
        """

        def work(a: Archive) -> SavedDraft:
            account_id, content, updated = a.drafts.get(draft_id)
            name = a.accounts.by_id(account_id).config.name
            return SavedDraft(draft_id, account_id, name, _draft_from_json(content), updated)

        return await self._store.read(work)

    async def send(
        self, draft_id: int, *, accept_warnings: bool = False, flush: bool = True
    ) -> SendOutcome:
        """Send a draft from its account; once queued, the draft is deleted (the outbox has it).

        Raises:
            ValidationError: ``draft.no_recipient`` and those of `ComposeService.send`.
        """
        saved = await self.get(draft_id)
        account = await self._accounts.get(saved.account)
        outgoing = saved.outgoing
        if not outgoing.to:
            raise ValidationError("draft.no_recipient")
        if accept_warnings:
            outgoing = replace(outgoing, accept_warnings=True)
        outcome = await self._compose.send(account, outgoing, flush=flush)
        await self.delete(draft_id)
        return outcome

    async def delete(self, draft_id: int) -> None:
        """Forget a draft (discarded, or sent); nothing happens when it is already gone."""

        def work(a: Archive) -> tuple[int, str] | None:
            try:
                account_id, _content, _updated = a.drafts.get(draft_id)
            except NotFoundError:
                return None
            a.drafts.delete(draft_id)
            return account_id, a.accounts.by_id(account_id).config.name

        deleted = await self._store.write(work)
        if deleted is not None:
            account_id, name = deleted
            self._events.publish(
                DraftDeleted(account_id=account_id, account=name, draft_id=draft_id)
            )


def _draft_json(outgoing: Outgoing) -> dict[str, Any]:
    return {
        "to": list(outgoing.to),
        "cc": list(outgoing.cc),
        "bcc": list(outgoing.bcc),
        "subject": outgoing.subject,
        "text": outgoing.text,
        "attachments": [
            [name, base64.b64encode(data).decode("ascii")] for name, data in outgoing.attachments
        ],
        "reply_to_message": outgoing.reply_to_message,
        "read_receipt": outgoing.read_receipt,
        "dsn": outgoing.dsn,
        "reply_to": outgoing.reply_to,
        "forward_of": outgoing.forward_of,
    }


def _draft_from_json(content: dict[str, Any]) -> Outgoing:
    return Outgoing(
        to=tuple(content.get("to", ())),
        cc=tuple(content.get("cc", ())),
        bcc=tuple(content.get("bcc", ())),
        subject=str(content.get("subject", "")),
        text=str(content.get("text", "")),
        attachments=tuple(
            (str(name), base64.b64decode(data)) for name, data in content.get("attachments", ())
        ),
        reply_to_message=content.get("reply_to_message"),
        read_receipt=content.get("read_receipt"),
        dsn=bool(content.get("dsn", False)),
        reply_to=content.get("reply_to"),
        forward_of=content.get("forward_of"),
    )
