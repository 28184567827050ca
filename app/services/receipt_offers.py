"""Read receipts asked of the user, one message at a time (RFC 8098, ECO.3.1.6).

The reading pane offers to return a receipt when a message asks for one; nothing is sent
without the user's decision, unless the user chose "toujours" for that sender. The senders
chosen are kept in the encrypted archive (an address is health data: never in a clear file).
Sending goes through `ReceiptService.send_receipt` (what `pli receipts --send` does).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from app.domain.errors import NotFoundError
from app.domain.mdn import mdn_request, needs_confirmation
from app.services.store_gateway import StoreGateway
from app.store.archive import Archive

#: Where the "always" senders are kept (the archive's secrets table, profile-wide).
_SCOPE = "global"
_KIND = "mdn.always"


@dataclass(frozen=True)
class ReceiptRequest:
    """A message asks for a read receipt not sent yet.

    Attributes:
        to: where the receipt would go (``Disposition-Notification-To``).
        sender: the message's sender (lower case).
        needs_confirmation: the receipt would go elsewhere than the sender (ask first).
        always: the user chose to return receipts to this sender without being asked.
    """

    message_id: int
    to: str
    sender: str
    needs_confirmation: bool
    always: bool


def _always(archive: Archive) -> set[str]:
    value = archive.secrets.get(_SCOPE, _KIND)
    return set(json.loads(value.decode("utf-8"))) if value else set()


class ReceiptOfferService:
    """Whether to offer a receipt for a message, and the "always" senders (Qt-free)."""

    def __init__(self, store: StoreGateway) -> None:
        self._store = store

    async def request(self, message_id: int) -> ReceiptRequest | None:
        """The receipt a message asks for, if one is still to be decided (None otherwise)."""

        def work(a: Archive) -> ReceiptRequest | None:
            try:
                summary = a.messages.summary(message_id)
                headers = a.messages.headers(message_id)
            except NotFoundError:
                return None
            if "$MDNSent" in summary.keywords:
                return None
            address = mdn_request(headers)
            if address is None:
                return None
            own = {row.config.address.lower() for row in a.accounts.all()}
            sender = summary.sender.address.lower() if summary.sender else ""
            if sender in own:
                return None  # our own message (a copy in Sent): nothing to return
            return ReceiptRequest(
                message_id=message_id,
                to=str(address),
                sender=sender,
                needs_confirmation=needs_confirmation(
                    headers.get("disposition-notification-to"), headers.get("return-path")
                ),
                always=sender in _always(a),
            )

        return await self._store.query(work)

    async def set_always(self, sender: str, always: bool) -> None:
        """Return receipts to this sender without asking (or ask again)."""

        def work(a: Archive) -> None:
            senders = _always(a)
            if always:
                senders.add(sender.lower())
            else:
                senders.discard(sender.lower())
            a.secrets.put(_SCOPE, _KIND, json.dumps(sorted(senders)).encode("utf-8"))

        await self._store.write(work)
