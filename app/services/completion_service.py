"""Recipient completion for the composer: directory, favourites, recent correspondents, patients.

One query, one ranked answer (what a recipient field shows as the user types): favourites and
known patients matching the text first, then recent correspondents, then the offline health
directory (boosted by the same favourites and recent correspondents). The directory is asked
offline only: a keystroke never sends a query to the national API (see
`DirectoryService.search`).

Contacts and patients are read from the archive once and kept in memory (a few thousand rows
at most); `invalidate` drops them when they change (a message sent, a patient added).
"""

from __future__ import annotations

import asyncio
import bisect
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from app.domain.addresses import Ins, MailAddress
from app.domain.contacts import Contact, boost_weights
from app.domain.directory import DirectoryEntry, EntryKind, Mailbox
from app.domain.errors import KnownError
from app.domain.text import fold
from app.services.contact_service import ContactService
from app.services.directory_service import DirectoryService
from app.services.patient_service import PatientService

#: How long the in-memory contacts and patients are trusted without `invalidate`.
CACHE_SECONDS = 60.0

#: Correspondents whose weight ranks the directory's answers too (the heaviest ones). The
#: directory reads every boosted address on each search: with thousands of correspondents
#: that would cost more than the search itself, and the local match already puts every
#: correspondent whose name or address matches first.
DIRECTORY_BOOST_MAX = 200


class SuggestionSource(StrEnum):
    """Where a suggestion comes from (the window shows a marker for each)."""

    FAVOURITE = "favourite"
    PATIENT = "patient"
    RECENT = "recent"
    DIRECTORY = "directory"


@dataclass(frozen=True)
class Suggestion:
    """One line of the completion list.

    Attributes:
        address: the mailbox address (inserted as a chip when chosen).
        name: the person's, structure's or patient's name (may be empty).
        role: the profession (and speciality) from the directory; empty for a patient (the
            window says "Patient") and for a correspondent the directory does not know.
        box_type: the directory's mailbox type (``PER``, ``CAB``, ``ORG``, ``APP``) or "".
        place: the town and structure, from the directory.
        source: favourite, patient, recent correspondent or directory.
        patient_ins: the patient's INS for a patient.
    """

    address: str
    name: str
    role: str
    box_type: str
    place: str
    source: SuggestionSource
    patient_ins: str | None = None


def _words(text: str) -> list[str]:
    return [w for w in fold(text).replace("-", " ").replace("'", " ").split() if w]


def searchable(haystack: str) -> tuple[tuple[str, ...], str]:
    """The folded words of `haystack` (an address split at its dots) and the whole, folded."""
    words = _words(haystack.replace("@", " ").replace(".", " ").replace("_", " "))
    return tuple(words), fold(haystack)


def matches(query_words: Sequence[str], haystack: str | tuple[tuple[str, ...], str]) -> bool:
    """Every query word is the start of a word of `haystack` (or of its address)."""
    words, whole = searchable(haystack) if isinstance(haystack, str) else haystack
    return all(any(w.startswith(q) for w in words) or whole.startswith(q) for q in query_words)


class _WordIndex:
    """Items by the folded words of their text: prefix lookups by bisection, not by scanning.

    With thousands of correspondents a scan per keystroke costs tens of milliseconds; the
    sorted (word, item) list answers the first word of the query in microseconds, and only
    those candidates are matched against the other words.
    """

    def __init__(self, texts: Sequence[str]) -> None:
        self.searchable = [searchable(t) for t in texts]
        pairs = {
            (word, index)
            for index, (words, whole) in enumerate(self.searchable)
            for word in (*words, whole)
        }
        ordered = sorted(pairs)
        self._words = [w for w, _ in ordered]
        self._ids = [i for _, i in ordered]

    def find(self, query: Sequence[str]) -> list[int]:
        """Indexes of the items matching every query word, in their original order."""
        if not query:
            return []
        first = query[0]
        start = bisect.bisect_left(self._words, first)
        candidates: set[int] = set()
        for position in range(start, len(self._words)):
            if not self._words[position].startswith(first):
                break
            candidates.add(self._ids[position])
        rest = query[1:]
        return sorted(i for i in candidates if not rest or matches(rest, self.searchable[i]))


@dataclass(frozen=True)
class _Local:
    """Contacts and patients read from the archive, indexed by their folded words."""

    read_at: float
    contacts: list[Contact]
    contact_index: _WordIndex
    patients: list[Suggestion]
    patient_index: _WordIndex
    boost: dict[str, float]


def _place(box: Mailbox) -> str:
    town = box.town.title() if box.town.isupper() else box.town  # LYON -> Lyon
    parts = [p for p in (town, box.service or box.organisation) if p]
    return " · ".join(dict.fromkeys(parts))


def _role(entry: DirectoryEntry) -> str:
    if entry.kind is EntryKind.STRUCTURE:
        return ""
    parts = [p for p in (entry.profession, entry.speciality) if p]
    return " – ".join(dict.fromkeys(parts))


class CompletionService:
    """As-you-type recipient suggestions over the directory, contacts and patients."""

    def __init__(
        self, directory: DirectoryService, contacts: ContactService, patients: PatientService
    ) -> None:
        self._directory = directory
        self._contacts = contacts
        self._patients = patients
        self._cache: _Local | None = None
        self._described_cache: dict[str, Suggestion | None] = {}
        self._lock = asyncio.Lock()

    def invalidate(self) -> None:
        """Forget the contacts and patients read (they changed)."""
        self._cache = None
        self._described_cache.clear()

    async def _local(self) -> _Local:
        async with self._lock:
            now = time.monotonic()
            if self._cache is None or now - self._cache.read_at > CACHE_SECONDS:
                contacts = await self._contacts.list()
                summaries = await self._patients.list()
                patients = [
                    Suggestion(
                        address=str(Ins.parse(s.patient.ins).address),
                        name=f"{s.patient.given_name} {s.patient.family_name}".strip(),
                        role="",
                        box_type="",
                        place="",
                        source=SuggestionSource.PATIENT,
                        patient_ins=s.patient.ins,
                    )
                    for s in summaries
                    if Ins.is_valid(s.patient.ins)
                ]
                weights = boost_weights(contacts, time.time())
                heaviest = sorted(weights.items(), key=lambda kv: -kv[1])[:DIRECTORY_BOOST_MAX]
                self._cache = await asyncio.to_thread(
                    lambda: _Local(
                        now,
                        contacts,
                        _WordIndex([f"{c.name or ''} {c.address}" for c in contacts]),
                        patients,
                        _WordIndex([p.name for p in patients]),
                        dict(heaviest),
                    )
                )
            return self._cache

    async def suggest(self, text: str, limit: int = 12) -> list[Suggestion]:
        """The suggestions for what is typed in a recipient field, best first.

        Never raises for a missing directory: the local answers come alone.
        """
        query = _words(text)
        if not query:
            return []
        local = await self._local()
        found: list[Suggestion] = []
        seen: set[str] = set()

        def add(items: Iterable[Suggestion]) -> None:
            for item in items:
                if len(found) >= limit:
                    return
                key = item.address.lower()
                if key not in seen:
                    seen.add(key)
                    found.append(item)

        digits = "".join(c for c in text if c.isdigit())
        local_contacts = [local.contacts[i] for i in local.contact_index.find(query)]
        favourites = [c for c in local_contacts if c.favourite]
        add(self._from_contact(c, SuggestionSource.FAVOURITE) for c in favourites)
        named = [local.patients[i] for i in local.patient_index.find(query)]
        if len(digits) >= 3:
            named += [p for p in local.patients if p.patient_ins and digits in p.patient_ins]
        add(named)
        add(
            self._from_contact(c, SuggestionSource.RECENT)
            for c in local_contacts
            if not c.favourite
        )
        if len(found) < limit and len(fold(text).strip()) >= 2:
            try:
                result = await self._directory.search(
                    text, boost=local.boost, limit=limit, online=False
                )
            except KnownError:
                result = None  # no directory imported (or a bad query): local answers only
            if result is not None:
                add(self._from_entries(result.entries))
        # The directory knows who the favourites and correspondents are: fill their roles.
        return await self._described(found)

    async def _described(self, found: list[Suggestion]) -> list[Suggestion]:
        out: list[Suggestion] = []
        for item in found:
            if item.source in (SuggestionSource.FAVOURITE, SuggestionSource.RECENT) and not (
                item.role or item.place
            ):
                if item.address in self._described_cache:
                    known = self._described_cache[item.address]
                    out.append(known if known is not None else item)
                    continue
                try:
                    entry = await self._directory.lookup(item.address)
                except KnownError:
                    entry = None
                if entry is None:
                    self._described_cache[item.address] = None
                if entry is not None:
                    box = next(
                        (m for m in entry.mailboxes if m.address.lower() == item.address), None
                    )
                    item = Suggestion(
                        address=item.address,
                        name=item.name or entry.display_name,
                        role=_role(entry),
                        box_type=str(box.type) if box and box.type else "",
                        place=_place(box) if box else "",
                        source=item.source,
                    )
                    self._described_cache[item.address] = item
            out.append(item)
        return out

    @staticmethod
    def _from_contact(contact: Contact, source: SuggestionSource) -> Suggestion:
        parsed = MailAddress.try_parse(contact.address)
        ins = parsed.patient_ins.value if parsed and parsed.patient_ins else None
        return Suggestion(
            address=contact.address.lower(),
            name=contact.name or "",
            role="",
            box_type="",
            place="",
            source=SuggestionSource.PATIENT if ins else source,
            patient_ins=ins,
        )

    @staticmethod
    def _from_entries(entries: Iterable[DirectoryEntry]) -> Iterable[Suggestion]:
        for entry in entries:
            for box in entry.mailboxes:
                yield Suggestion(
                    address=box.address.lower(),
                    name=entry.display_name,
                    role=_role(entry),
                    box_type=str(box.type) if box.type else "",
                    place=_place(box),
                    source=SuggestionSource.DIRECTORY,
                )

    async def describe(self, address: str) -> Suggestion | None:
        """Who `address` is, when the patients, contacts or directory know (chips' tooltips)."""
        key = address.strip().lower()
        local = await self._local()
        for patient in local.patients:
            if patient.address == key:
                return patient
        try:
            entry = await self._directory.lookup(key)
        except KnownError:
            entry = None
        if entry is not None:
            return (
                next(iter(self._from_entries([entry])), None)
                if len(entry.mailboxes) == 1
                else (next((s for s in self._from_entries([entry]) if s.address == key), None))
            )
        for contact in local.contacts:
            if contact.address == key:
                return self._from_contact(
                    contact,
                    SuggestionSource.FAVOURITE if contact.favourite else SuggestionSource.RECENT,
                )
        return None

    async def trusted(self, addresses: Iterable[str]) -> dict[str, bool | None]:
        """Domain → in the trust space (True), outside (False), unknown (None: no list)."""
        domains = sorted({a.rsplit("@", 1)[-1].lower() for a in addresses if "@" in a})
        return {d: await self._directory.is_trusted_domain(d) for d in domains}
