"""Answering a `DirectoryQuery` through the FHIR API (spec §7).

The API searches a few fields itself (``family``, ``given``, ``name``, ``identifier``,
``mailbox-mss:contains`` on Practitioner; ``name``, ``address-city``, ``address-postalcode``,
``mailbox-mss:contains`` on Organization); the other criteria (profession, speciality,
department, type) are applied here to what it returns, with the same rules as offline, so both
paths agree. A query the API cannot narrow (a profession alone, a department alone) is not
sent: it would only page through the whole country.

Blocking.
"""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

from app.directory.extraction import department_of
from app.directory.fhir_client import FhirClient
from app.directory.fhir_mapping import entries_from_resources
from app.directory.search import CompiledQuery, row_words
from app.domain.directory import (
    DirectoryEntry,
    DirectoryQuery,
    MailboxType,
    entry_from_dict,
    entry_to_dict,
)

log = logging.getLogger(__name__)

_PERSON_TYPES = frozenset({MailboxType.PER, MailboxType.CAB})
_STRUCTURE_TYPES = frozenset({MailboxType.ORG, MailboxType.APP})
#: Organisations fetched per call when completing PractitionerRoles.
_IDS_PER_CALL = 50


def cache_key(query: DirectoryQuery, base_url: str) -> str:
    """A key for the online cache.

    Hashed: the cache sits in a clear file and a query typed in a recipient field could be
    anything (even a patient's name); the answers themselves are public directory data.
    """
    fields = {
        "base": base_url,
        "text": query.text.strip().lower(),
        "family": query.family.strip().lower(),
        "given": query.given.strip().lower(),
        "profession": query.profession.strip().lower(),
        "speciality": query.speciality.strip().lower(),
        "city": query.city.strip().lower(),
        "postcode": query.postcode.strip(),
        "department": query.department.strip().lower(),
        "organisation": query.organisation.strip().lower(),
        "identifier": query.identifier.strip(),
        "types": sorted(t.value for t in query.types),
    }
    return hashlib.sha256(json.dumps(fields, sort_keys=True).encode()).hexdigest()


def encode_entries(entries: list[DirectoryEntry]) -> str:
    """Entries as JSON text (the cache's payload)."""
    return json.dumps([entry_to_dict(e) for e in entries], ensure_ascii=False)


def decode_entries(payload: str) -> list[DirectoryEntry]:
    """Read back `encode_entries`."""
    data: Any = json.loads(payload)
    return [entry_from_dict(item) for item in data]


def search_online(
    client: FhirClient,
    query: DirectoryQuery,
    compiled: CompiledQuery,
    *,
    limit: int = 50,
) -> list[DirectoryEntry]:
    """Search the API; entries filtered by the whole query. Blocking.

    Raises:
        DirectoryError: ``directory.online.*``.
    """
    types = query.types
    free = " ".join(w for w in query.text.split() if "@" not in w and not w.isdigit())
    address = compiled.address_prefix
    identifier = compiled.identifier
    resources: list[tuple[dict[str, Any], bool]] = []

    if not types or types & _PERSON_TYPES:
        params: list[tuple[str, str]] = []
        if identifier:
            params.append(("identifier", identifier))
        if query.family.strip():
            params.append(("family", query.family.strip()))
        if query.given.strip():
            params.append(("given", query.given.strip()))
        if free and not query.family.strip():
            # The API matches `name` as one string: send the first word (a surname, most
            # often) and let the filter below check the others.
            params.append(("name", free.split()[0]))
        if address:
            params.append(("mailbox-mss:contains", address))
        if params:
            params.append(("_revinclude", "PractitionerRole:practitioner"))
            found = client.search("Practitioner", params, max_matches=limit)
            resources.extend(found)
            resources.extend(_role_organisations(client, found))
        if address:
            # A professional's boxes at a structure sit on PractitionerRole, not Practitioner.
            resources.extend(
                client.search(
                    "PractitionerRole",
                    [
                        ("mailbox-mss:contains", address),
                        ("_include", "PractitionerRole:practitioner"),
                        ("_include", "PractitionerRole:organization"),
                    ],
                    max_matches=limit,
                )
            )

    if not types or types & _STRUCTURE_TYPES:
        params = []
        name = query.organisation.strip() or (free if not query.family.strip() else "")
        if name:
            params.append(("name", name))
        if query.city.strip():
            params.append(("address-city", query.city.strip()))
        if query.postcode.strip():
            params.append(("address-postalcode", query.postcode.strip()))
        if params or address:
            # Only structures with at least one MSSanté box.
            params.append(("mailbox-mss:contains", address or "@"))
            resources.extend(client.search("Organization", params, max_matches=limit))

    entries = entries_from_resources(resources)
    kept = [e for e in entries if _entry_matches(e, compiled)]
    return kept[:limit]


def _role_organisations(
    client: FhirClient, found: list[tuple[dict[str, Any], bool]]
) -> list[tuple[dict[str, Any], bool]]:
    """The Organizations of the PractitionerRoles found (for the boxes' structure names)."""
    have = {str(r.get("id")) for r, _ in found if r.get("resourceType") == "Organization"}
    wanted: list[str] = []
    for resource, _ in found:
        if resource.get("resourceType") != "PractitionerRole":
            continue
        reference = str((resource.get("organization") or {}).get("reference") or "")
        if reference.startswith("Organization/"):
            rid = reference.split("/", 1)[1]
            if rid and rid not in have and rid not in wanted:
                wanted.append(rid)
    included: list[tuple[dict[str, Any], bool]] = []
    for start in range(0, len(wanted), _IDS_PER_CALL):
        ids = ",".join(wanted[start : start + _IDS_PER_CALL])
        page = client.search("Organization", [("_id", ids)], max_matches=_IDS_PER_CALL, max_pages=1)
        included.extend((resource, False) for resource, _ in page)
    return included


def _entry_matches(entry: DirectoryEntry, compiled: CompiledQuery) -> bool:
    """Whether one of the entry's boxes satisfies the query, as an offline row would."""
    for mailbox in entry.mailboxes:
        words = row_words(
            family=entry.family,
            given=entry.given,
            profession=entry.profession,
            speciality=entry.speciality,
            # Online, a structure box's description names its service.
            organisation=" ".join(
                p for p in (mailbox.organisation, mailbox.service, mailbox.description) if p
            ),
            town=mailbox.town,
            postcode=mailbox.postcode,
            department=mailbox.department or department_of(mailbox.postcode),
        )
        kind = mailbox.type.value if mailbox.type else ""
        if compiled.matches(words, kind):
            return True
    return False
