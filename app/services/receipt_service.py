"""Read receipts asked of the user (RFC 8098) and the end of an exchange with a patient.

Both are messages Pli writes for the user: they are composed here and queued through the same
outbox as any other message (`ComposeService.queue`), then sent by `OutboxService.flush`.
"""

from __future__ import annotations

from typing import Any

from app.config.settings import Settings
from app.domain.compose import end_of_exchange, from_display_name, reply_references
from app.domain.errors import ValidationError
from app.domain.mdn import build_mdn, mdn_request, needs_confirmation
from app.domain.message import Flag
from app.services.account_service import Account, AccountService
from app.services.compose_service import ComposeService, SendOutcome
from app.services.store_gateway import StoreGateway
from app.store.archive import Archive
from app.store.repositories.messages import SearchFilters

USER_AGENT = "Pli/0.1"


class ReceiptService:
    """Read receipts to return, and ends of exchange with patients."""

    def __init__(
        self,
        store: StoreGateway,
        accounts: AccountService,
        settings: Settings,
        compose: ComposeService,
    ) -> None:
        self._store = store
        self._accounts = accounts
        self._settings = settings
        self._compose = compose

    def apply_settings(self, settings: Settings) -> None:
        """Use `settings` from the next operation on (the settings screen applied them)."""
        self._settings = settings

    async def end_exchange(
        self, account: Account, ins: str, *, text: str | None = None, flush: bool = True
    ) -> SendOutcome:
        """Close the conversation with a patient: subject ``[FIN]`` and ``X-MSS-MES: FIN``."""
        patient = await self._store.read(lambda a: a.patients.get(ins))
        last = await self._store.read(
            lambda a: [
                m for m in a.messages.summaries(_patient_filter(ins)) if m.account == account.name
            ]
        )
        threading = None
        if last:
            detail = await self._store.read(lambda a: a.messages.detail(last[0].id))
            if detail.message_id:
                threading = reply_references(
                    detail.message_id, detail.references, detail.in_reply_to
                )
        kwargs: dict[str, Any] = {}
        if text:
            kwargs["text"] = text
        draft = end_of_exchange(
            sender=account.address,
            identity=account.config.identity,
            box_type=account.config.box_type,
            patient=f"{patient.given_name} {patient.family_name} <{ins}@patient.mssante.fr>"
            if patient.family_name
            else f"{ins}@patient.mssante.fr",
            x_mss_nil=self._settings.sending.x_mss_nil,
            threading=threading,
            reply_to=account.config.reply_to,
            **kwargs,
        )
        report = await self._compose.report(draft)
        refusal = report.refusal([w.key for w in report.warnings])
        if refusal is not None:
            raise refusal
        composed = await self._compose.compose(draft)
        entry_id = await self._compose.queue(
            account,
            composed,
            draft,
            kind="end_of_exchange",
            dsn=False,
            patient=ins,
            reply_to_pk=None,
            warnings=(),
            new_patients={},
        )
        return await self._compose.after_queue(account, entry_id, composed, (), flush)

    async def receipt_requests(self) -> list[dict[str, Any]]:
        """Archived messages asking for a read receipt not sent yet."""

        def work(a: Archive) -> list[dict[str, Any]]:
            out = []
            for pk, account_name, headers, keywords, flags in a.messages.receipt_candidates():
                dnt = headers.get("disposition-notification-to")
                address = mdn_request(headers)
                if address is None or "$MDNSent" in keywords.split():
                    continue
                out.append(
                    {
                        "id": pk,
                        "account": account_name,
                        "to": str(address),
                        "needs_confirmation": needs_confirmation(dnt, headers.get("return-path")),
                        "read": bool(flags & Flag.SEEN),
                    }
                )
            return out

        return await self._store.read(work)

    async def send_receipt(
        self, message_pk: int, *, confirmed: bool, flush: bool = True
    ) -> SendOutcome:
        """Return a read receipt for an archived message (RFC 8098, ECO.3.1.6).

        Raises:
            ValidationError: ``mdn.not_requested``, ``mdn.already_sent``,
                ``mdn.needs_confirmation`` (the receipt would go elsewhere than the sender).
        """
        raw = await self._store.read(lambda a: a.messages.raw(message_pk))
        summary = await self._store.read(lambda a: a.messages.summary(message_pk))
        if raw is None:
            raise ValidationError("message.not_archived_yet", id=message_pk)
        if "$MDNSent" in summary.keywords:
            raise ValidationError("mdn.already_sent", id=message_pk)
        headers = await self._store.read(lambda a: a.messages.headers(message_pk))
        if headers.get("disposition-notification-to") is None:
            raise ValidationError("mdn.not_requested")
        if not confirmed and needs_confirmation(
            headers.get("disposition-notification-to"), headers.get("return-path")
        ):
            raise ValidationError("mdn.needs_confirmation", id=message_pk)
        account = await self._accounts.get(summary.account)
        composed = await self._compose.build(
            lambda: build_mdn(
                raw,
                sender=account.address,
                user_agent=USER_AGENT,
                x_mss_nil=self._settings.sending.x_mss_nil,
                display_name=from_display_name(account.config.identity, account.config.box_type),
            )
        )

        def work(a: Archive) -> int:
            entry_id = a.outbox.add(
                account_id=account.id,
                message_id=composed.message_id,
                kind="receipt",
                raw=composed.raw,
                envelope_from=composed.envelope_from,
                recipients=composed.envelope_recipients,
                dsn=None,
                subject="",
                patient_ins=summary.patient_ins,
                reply_to_pk=message_pk,
                issues=[],
            )
            # $MDNSent (RFC 3503): never a second receipt, from Pli or another client.
            a.messages.add_keyword(message_pk, "$MDNSent")
            position = a.messages.position(message_pk)
            if position is not None:
                a.pending.add(account.id, "keyword", {"pks": [message_pk], "keyword": "$MDNSent"})
            a.audit.add(
                account_id=account.id,
                actor=account.address,
                action="receipt.queue",
                target=str(message_pk),
            )
            return entry_id

        entry_id = await self._store.write(work)
        return await self._compose.after_queue(account, entry_id, composed, (), flush)


def _patient_filter(ins: str) -> SearchFilters:
    return SearchFilters(patient_ins=ins, limit=1)
