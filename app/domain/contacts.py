"""Correspondents: the user's favourites and recent correspondents.

What a user *does* with the directory is health data (who writes to whom): these live in
the encrypted archive and reach directory searches only as a ranking boost.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

#: Recent correspondents older than this no longer rank first.
RECENT_DAYS = 365
#: Half-life of a correspondent's recency, in days.
RECENT_HALF_LIFE_DAYS = 30.0
#: Every favourite ranks above every recent correspondent.
FAVOURITE_WEIGHT = 1_000_000.0


@dataclass(frozen=True)
class Contact:
    """A correspondent: favourite, recent, or both.

    Attributes:
        address: lower-case mail address.
        name: display name last seen, if any.
        favourite: marked by the user.
        last_used: last time mail was sent to it (epoch seconds), from Pli's own sending and
            from the archived Sent folders (mail sent by other clients counts too).
        use_count: how many messages were sent to it.
    """

    address: str
    name: str | None
    favourite: bool
    last_used: int | None
    use_count: int


def merge(own: Iterable[Contact], sent: Iterable[Contact]) -> list[Contact]:
    """Merge the contacts table with recipients seen in Sent folders.

    The favourite mark and name come from the contacts table; the last use is the latest of
    both; the count is the higher of both (a message sent by Pli is usually in Sent too).
    Returned favourites first, then most recent first.
    """
    merged: dict[str, Contact] = {c.address: c for c in own}
    for seen in sent:
        known = merged.get(seen.address)
        if known is None:
            merged[seen.address] = seen
            continue
        last = max((t for t in (known.last_used, seen.last_used) if t is not None), default=None)
        merged[seen.address] = Contact(
            address=known.address,
            name=known.name or seen.name,
            favourite=known.favourite,
            last_used=last,
            use_count=max(known.use_count, seen.use_count),
        )
    return sorted(merged.values(), key=lambda c: (not c.favourite, -(c.last_used or 0), c.address))


def boost_weights(contacts: Iterable[Contact], now: float) -> dict[str, float]:
    """Ranking weight of each correspondent for directory searches (address → weight > 0).

    Favourites first; then recent correspondents, by recency (halved every
    `RECENT_HALF_LIFE_DAYS`) and a little by how often they were written to. Correspondents
    not written to for `RECENT_DAYS` get no boost.
    """
    weights: dict[str, float] = {}
    for contact in contacts:
        weight = 0.0
        if contact.last_used is not None:
            age_days = max(0.0, (now - contact.last_used) / 86_400)
            if age_days <= RECENT_DAYS:
                recency = 0.5 ** (age_days / RECENT_HALF_LIFE_DAYS)
                weight = 1_000.0 * recency + min(contact.use_count, 100)
        if contact.favourite:
            weight += FAVOURITE_WEIGHT
        if weight > 0:
            weights[contact.address] = weight
    return weights
