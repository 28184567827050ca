"""Favourites and recent correspondents, for the front ends and the directory's ranking."""

from __future__ import annotations

import time

from app.domain.addresses import MailAddress
from app.domain.contacts import RECENT_DAYS, Contact, boost_weights, merge
from app.domain.errors import ValidationError
from app.services.store_gateway import StoreGateway
from app.store.archive import Archive


class ContactService:
    """The user's correspondents, kept in the encrypted archive."""

    def __init__(self, store: StoreGateway) -> None:
        self._store = store

    async def list(self, *, favourites_only: bool = False) -> list[Contact]:
        """Favourites, then recent correspondents (last `RECENT_DAYS` days), most recent first."""
        since = int(time.time()) - RECENT_DAYS * 86_400

        def work(a: Archive) -> list[Contact]:
            return merge(a.contacts.saved(), a.contacts.sent_to(since))

        contacts = await self._store.query(work)
        if favourites_only:
            return [c for c in contacts if c.favourite]
        return [c for c in contacts if c.favourite or (c.last_used or 0) >= since]

    async def set_favourite(self, address: str, favourite: bool, name: str = "") -> Contact:
        """Mark (or unmark) an address as a favourite; returns the correspondent.

        Raises:
            ValidationError: ``address.invalid`` and the other address codes.
        """
        parsed = MailAddress.parse(address)
        key = str(parsed).lower()
        if parsed.is_patient_domain:
            raise ValidationError("contact.patient", address=key)

        def work(a: Archive) -> None:
            a.contacts.set_favourite(key, favourite, name.strip())
            a.audit.add(
                account_id=None,
                actor="local",
                action="contact.favourite" if favourite else "contact.unfavourite",
                target=key,
            )

        await self._store.write(work)
        found = [c for c in await self.list() if c.address == key]
        return found[0] if found else Contact(key, name.strip() or None, favourite, None, 0)

    async def boost(self) -> dict[str, float]:
        """Address → ranking weight, for `DirectoryService.search`."""
        return boost_weights(await self.list(), time.time())
