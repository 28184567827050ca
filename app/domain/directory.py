"""The health directory's value objects (spec §1, §7): mailboxes, entries, queries, reports.

Pure dataclasses shared by the directory adapter, the services and the front ends. Directory
data is public (the Annuaire Santé); what a user *does* with it (favourites, recent
correspondents) is not, and never appears here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class MailboxType(StrEnum):
    """Mailbox types of the directory (spec §1, TRE_R257-TypeBAL)."""

    #: Nominative: one professional (RPPS/ADELI).
    PER = "PER"
    #: A liberal practice.
    CAB = "CAB"
    #: Organisational: a team or a service, several people read it.
    ORG = "ORG"
    #: Applicative: software sends and receives automatically.
    APP = "APP"

    @classmethod
    def parse(cls, text: str) -> MailboxType | None:
        """The type named by `text` (case-insensitive), or None when unknown."""
        try:
            return cls(text.strip().upper())
        except ValueError:
            return None


class EntryKind(StrEnum):
    """What a directory entry describes."""

    #: A professional, with every mailbox attached to their identifier.
    PERSON = "person"
    #: One mailbox of a structure (ORG/APP boxes, or a box without a person).
    STRUCTURE = "structure"


class ResultSource(StrEnum):
    """Where search results came from."""

    OFFLINE = "offline"
    ONLINE = "online"
    MIXED = "mixed"


@dataclass(frozen=True)
class Mailbox:
    """One MSSanté mailbox and the structure it belongs to."""

    address: str
    type: MailboxType | None
    organisation: str = ""
    service: str = ""
    description: str = ""
    street: str = ""
    postcode: str = ""
    town: str = ""
    department: str = ""
    #: Dématérialisation: the box accepts documents instead of paper (None: not said).
    digitization: bool | None = None


@dataclass(frozen=True)
class DirectoryEntry:
    """A search result: a professional with all their mailboxes, or one structure mailbox.

    Attributes:
        key: stable identity of the entry (national identifier, or ``mailbox:<address>``).
        identifier_type: ``RPPS`` or ``ADELI`` (empty for structures).
        identifier: the RPPS (11 digits) or ADELI (9 digits) number.
        national_id: the national identifier (``8`` + RPPS, ``0`` + ADELI).
        mailboxes: every mailbox of the person (or the structure's one box), best match first.
    """

    key: str
    kind: EntryKind
    mailboxes: tuple[Mailbox, ...]
    identifier_type: str = ""
    identifier: str = ""
    national_id: str = ""
    civility: str = ""
    family: str = ""
    given: str = ""
    profession: str = ""
    speciality: str = ""
    source: ResultSource = ResultSource.OFFLINE

    @property
    def display_name(self) -> str:
        """How the entry is named in a list: the person's name, or the structure's box."""
        if self.kind is EntryKind.PERSON:
            return " ".join(part for part in (self.given, self.family) if part)
        first = self.mailboxes[0] if self.mailboxes else None
        if first is None:
            return ""
        parts = [p for p in (first.service or first.description, first.organisation) if p]
        return " — ".join(dict.fromkeys(parts)) or first.address

    @property
    def addresses(self) -> tuple[str, ...]:
        """The entry's mailbox addresses."""
        return tuple(m.address for m in self.mailboxes)


@dataclass(frozen=True)
class DirectoryQuery:
    """What to look for. Every field given must match (AND); text fields match by prefix.

    Matching ignores case and accents. `text` is free text matched against every field
    (names, profession, speciality, organisation, town, postcode, identifiers, address).
    """

    text: str = ""
    family: str = ""
    given: str = ""
    profession: str = ""
    speciality: str = ""
    city: str = ""
    postcode: str = ""
    department: str = ""
    organisation: str = ""
    #: An RPPS or ADELI number (or a national identifier).
    identifier: str = ""
    types: frozenset[MailboxType] = field(default_factory=frozenset)

    @property
    def is_empty(self) -> bool:
        """True when nothing at all is asked."""
        return not any(
            (
                self.text.strip(),
                self.family.strip(),
                self.given.strip(),
                self.profession.strip(),
                self.speciality.strip(),
                self.city.strip(),
                self.postcode.strip(),
                self.department.strip(),
                self.organisation.strip(),
                self.identifier.strip(),
                self.types,
            )
        )


@dataclass(frozen=True)
class SearchResult:
    """Entries found, best first, and where they came from.

    Attributes:
        truncated: more entries matched than were returned.
        stale: the offline directory is older than the configured age.
        online_error: the code of the error that prevented an online lookup in automatic
            mode (the offline answer is then returned alone), or None.
    """

    entries: tuple[DirectoryEntry, ...]
    source: ResultSource
    truncated: bool = False
    stale: bool = False
    online_error: str | None = None


@dataclass(frozen=True)
class ImportProgress:
    """Progress of an import, reported while it runs.

    Attributes:
        phase: ``download``, ``read``, ``index`` or ``finish``.
        rows: lines read so far (``read`` phase).
        done: bytes read or downloaded so far.
        total: total bytes when known, else None.
    """

    phase: str
    rows: int = 0
    done: int = 0
    total: int | None = None

    @property
    def fraction(self) -> float | None:
        """Share done in the current phase (0..1), when the total is known."""
        if not self.total:
            return None
        return min(1.0, self.done / self.total)


@dataclass(frozen=True)
class ImportReport:
    """What an import did.

    Attributes:
        generated_at: the extraction's generation time (from its file name), if known.
        rows: data lines read (header excluded, blank lines excluded).
        malformed: lines refused; `malformed_reasons` counts them by reason
            (``columns``, ``address``, ``type``, ``encoding``) and `malformed_lines` gives the
            first line numbers.
        duplicates: lines whose address was already seen (merged into the first).
        mailboxes: distinct addresses kept.
        persons: distinct professionals among them.
    """

    source_name: str
    generated_at: datetime | None
    imported_at: datetime
    rows: int
    malformed: int
    duplicates: int
    mailboxes: int
    persons: int
    by_type: dict[str, int]
    malformed_reasons: dict[str, int]
    malformed_lines: tuple[int, ...]
    seconds: float


@dataclass(frozen=True)
class WhitelistInfo:
    """The trust space's list of domains (spec §1), as imported."""

    generated_at: str
    imported_at: datetime
    entries: int
    domains: int
    source_name: str


@dataclass(frozen=True)
class DirectoryInfo:
    """State of the local directory.

    Attributes:
        present: an extraction has been imported.
        age_days: days since the extraction was generated (or imported, when its date is
            unknown); None when absent.
        stale: older than the configured maximum age (online answers are then preferred).
    """

    present: bool
    report: ImportReport | None
    age_days: float | None
    stale: bool
    whitelist: WhitelistInfo | None
    online_cache_entries: int
    api_key_configured: bool
    fhir_base_url: str


@dataclass(frozen=True)
class DomainCheck:
    """Which recipients are outside the trust space's list of domains (spec §1).

    Attributes:
        whitelist_loaded: False when no list was imported: nothing can be said then, and
            `untrusted` is empty.
        untrusted: the addresses (as given) whose domain is not on the list, or malformed.
    """

    whitelist_loaded: bool
    trusted: tuple[str, ...]
    untrusted: tuple[str, ...]


def mailbox_to_dict(mailbox: Mailbox) -> dict[str, object]:
    """A mailbox as plain JSON-ready data (stable keys: the CLI's ``--json``, the cache)."""
    return {
        "address": mailbox.address,
        "type": mailbox.type.value if mailbox.type else None,
        "organisation": mailbox.organisation,
        "service": mailbox.service,
        "description": mailbox.description,
        "street": mailbox.street,
        "postcode": mailbox.postcode,
        "town": mailbox.town,
        "department": mailbox.department,
        "digitization": mailbox.digitization,
    }


def entry_to_dict(entry: DirectoryEntry) -> dict[str, object]:
    """An entry as plain JSON-ready data (stable keys)."""
    return {
        "key": entry.key,
        "kind": entry.kind.value,
        "name": entry.display_name,
        "civility": entry.civility,
        "family": entry.family,
        "given": entry.given,
        "identifier_type": entry.identifier_type,
        "identifier": entry.identifier,
        "national_id": entry.national_id,
        "profession": entry.profession,
        "speciality": entry.speciality,
        "source": entry.source.value,
        "mailboxes": [mailbox_to_dict(m) for m in entry.mailboxes],
    }


def entry_from_dict(data: dict[str, Any]) -> DirectoryEntry:
    """Read back `entry_to_dict`'s output."""
    mailboxes = tuple(
        Mailbox(
            address=str(m["address"]),
            type=MailboxType.parse(str(m.get("type") or "")),
            organisation=str(m.get("organisation") or ""),
            service=str(m.get("service") or ""),
            description=str(m.get("description") or ""),
            street=str(m.get("street") or ""),
            postcode=str(m.get("postcode") or ""),
            town=str(m.get("town") or ""),
            department=str(m.get("department") or ""),
            digitization=m.get("digitization") if isinstance(m.get("digitization"), bool) else None,
        )
        for m in data.get("mailboxes") or []
    )
    return DirectoryEntry(
        key=str(data["key"]),
        kind=EntryKind(str(data["kind"])),
        mailboxes=mailboxes,
        identifier_type=str(data.get("identifier_type") or ""),
        identifier=str(data.get("identifier") or ""),
        national_id=str(data.get("national_id") or ""),
        civility=str(data.get("civility") or ""),
        family=str(data.get("family") or ""),
        given=str(data.get("given") or ""),
        profession=str(data.get("profession") or ""),
        speciality=str(data.get("speciality") or ""),
        source=ResultSource(str(data.get("source") or "online")),
    )
