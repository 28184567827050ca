"""Reading MSSanté mailboxes and the people and structures holding them from FHIR resources.

Mailboxes are ``telecom`` entries with ``system = email`` marked as MSSanté by the extension
``…/fr-core-contact-point-email-type`` (code ``MSSANTE``) and/or described by
``…/as-ext-mailbox-mss-metadata`` (sub-extensions ``type`` PER/CAB/ORG/APP, ``description``,
``service``, ``digitization``…). PER and CAB boxes sit on ``Practitioner`` and
``PractitionerRole``, ORG and APP boxes on ``Organization`` (spec §7). Plain e-mail addresses
(a practice's contact address) are not MSSanté boxes and are left out.

The result has the same shape as an offline search: `DirectoryEntry` values.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from app.domain.directory import (
    DirectoryEntry,
    EntryKind,
    Mailbox,
    MailboxType,
    ResultSource,
)

EMAIL_TYPE_EXT = "https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-contact-point-email-type"
MSS_METADATA_EXT = "https://interop.esante.gouv.fr/ig/fhir/annuaire/StructureDefinition/as-ext-mailbox-mss-metadata"
#: Identifier systems and type codes of the Annuaire Santé.
IDNPS_SYSTEM = "urn:oid:1.2.250.1.71.4.2.1"
PROFESSION_SYSTEM_MARK = "TRE_G15-ProfessionSante"
SPECIALITY_SYSTEM_MARKS = ("TRE_R38-SpecialiteOrdinale", "TRE_R39", "TRE_R40", "TRE_R41")

#: Labels of the usual profession codes (TRE_G15), for answers that carry codes only.
PROFESSION_LABELS = {
    "10": "Médecin",
    "21": "Pharmacien",
    "26": "Audioprothésiste",
    "28": "Opticien-Lunetier",
    "40": "Chirurgien-Dentiste",
    "50": "Sage-Femme",
    "60": "Infirmier",
    "69": "Infirmier psychiatrique",
    "70": "Masseur-Kinésithérapeute",
    "80": "Pédicure-Podologue",
    "81": "Orthoprothésiste",
    "91": "Orthophoniste",
    "92": "Orthoptiste",
    "93": "Psychologue",
    "94": "Ergothérapeute",
    "95": "Diététicien",
    "96": "Psychomotricien",
    "98": "Manipulateur ERM",
}


@dataclass
class _Box:
    address: str
    type: MailboxType | None
    description: str = ""
    service: str = ""
    digitization: bool | None = None


@dataclass
class _Org:
    name: str = ""
    street: str = ""
    postcode: str = ""
    town: str = ""
    boxes: list[_Box] = field(default_factory=list)


def mss_mailboxes(resource: dict[str, Any], default: MailboxType) -> list[_Box]:
    """The MSSanté mailboxes among a resource's ``telecom``."""
    boxes = []
    for telecom in _list(resource.get("telecom")):
        value = str(telecom.get("value") or "").strip()
        if telecom.get("system") != "email" or "@" not in value:
            continue
        is_mss = False
        box = _Box(value, None)
        for ext in _list(telecom.get("extension")):
            url = ext.get("url")
            if url == EMAIL_TYPE_EXT:
                code = (ext.get("valueCoding") or {}).get("code")
                is_mss = is_mss or code == "MSSANTE"
            elif url == MSS_METADATA_EXT:
                is_mss = True
                _read_metadata(ext, box)
        if is_mss:
            if box.type is None:
                box.type = default
            boxes.append(box)
    return boxes


def _read_metadata(ext: dict[str, Any], box: _Box) -> None:
    for sub in _list(ext.get("extension")):
        name = sub.get("url")
        if name == "type":
            for coding in _list((sub.get("valueCodeableConcept") or {}).get("coding")):
                box.type = MailboxType.parse(str(coding.get("code") or "")) or box.type
        elif name == "description":
            box.description = str(sub.get("valueString") or "").strip()
        elif name == "service":
            box.service = str(sub.get("valueString") or "").strip()
        elif name == "digitization":
            value = sub.get("valueBoolean")
            box.digitization = value if isinstance(value, bool) else None


def _list(value: object) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        return []
    return [v for v in value if isinstance(v, dict)]


def _ref_id(reference: object, kind: str) -> str:
    if not isinstance(reference, dict):
        return ""
    text = str(reference.get("reference") or "")
    prefix = f"{kind}/"
    return text.split(prefix, 1)[1] if prefix in text else ""


def _organisation(resource: dict[str, Any]) -> _Org:
    org = _Org(name=str(resource.get("name") or "").strip())
    for address in _list(resource.get("address"))[:1]:
        lines = [str(x) for x in address.get("line") or [] if x]
        org.street = " ".join(lines)
        org.postcode = str(address.get("postalCode") or "")
        org.town = str(address.get("city") or "")
    org.boxes = mss_mailboxes(resource, MailboxType.ORG)
    return org


def _codings(resource: dict[str, Any]) -> Iterable[dict[str, Any]]:
    for qualification in _list(resource.get("qualification")):
        yield from _list((qualification.get("code") or {}).get("coding"))
    for code in _list(resource.get("code")):
        yield from _list(code.get("coding"))
    for specialty in _list(resource.get("specialty")):
        yield from _list(specialty.get("coding"))


def _profession_and_speciality(resources: Iterable[dict[str, Any]]) -> tuple[str, str]:
    profession = speciality = ""
    for resource in resources:
        for coding in _codings(resource):
            system = str(coding.get("system") or "")
            code = str(coding.get("code") or "")
            display = str(coding.get("display") or "")
            if not profession and PROFESSION_SYSTEM_MARK in system:
                profession = display or PROFESSION_LABELS.get(code, code)
            elif not speciality and any(m in system for m in SPECIALITY_SYSTEM_MARKS):
                speciality = display or code
    return profession, speciality


def _identifiers(resource: dict[str, Any]) -> tuple[str, str, str]:
    """(identifier type, identifier, national identifier) of a Practitioner."""
    national = rpps = adeli = ""
    for identifier in _list(resource.get("identifier")):
        value = str(identifier.get("value") or "").strip()
        system = str(identifier.get("system") or "")
        codes = {
            str(c.get("code") or "") for c in _list((identifier.get("type") or {}).get("coding"))
        }
        if "IDNPS" in codes or system == IDNPS_SYSTEM:
            national = national or value
        elif "RPPS" in codes or "rpps" in system.lower():
            rpps = rpps or value
        elif "ADELI" in codes or "adeli" in system.lower():
            adeli = adeli or value
    if not rpps and national.startswith("8") and len(national) == 12:
        rpps = national[1:]
    if rpps:
        return "RPPS", rpps, national or f"8{rpps}"
    if adeli:
        return "ADELI", adeli, national or f"0{adeli}"
    return "", "", national


def _name(resource: dict[str, Any]) -> tuple[str, str, str]:
    names = _list(resource.get("name"))
    names.sort(key=lambda n: 0 if n.get("use") == "usual" else 1)
    for name in names:
        family = str(name.get("family") or "").strip()
        given = " ".join(str(g) for g in name.get("given") or [] if g).strip()
        prefix = " ".join(str(p) for p in name.get("prefix") or [] if p).strip()
        if family or given:
            return family, given, prefix
    return "", "", ""


def entries_from_resources(
    resources: Iterable[tuple[dict[str, Any], bool]],
) -> list[DirectoryEntry]:
    """Entries from the resources of one or more searches (matches and included ones).

    Each matching Practitioner gives one person entry with its own boxes and those of its
    PractitionerRoles (with the role's Organization when it was included); each matching
    Organization gives one structure entry per ORG/APP box. Entries without a box are left out.
    """
    by_key: dict[tuple[str, str], dict[str, Any]] = {}
    matched: list[tuple[str, str]] = []
    for resource, is_match in resources:
        kind = str(resource.get("resourceType") or "")
        key = (kind, str(resource.get("id") or ""))
        by_key.setdefault(key, resource)
        if is_match and key not in matched:
            matched.append(key)
    roles_of: dict[str, list[dict[str, Any]]] = {}
    for (kind, _), resource in by_key.items():
        if kind == "PractitionerRole":
            practitioner = _ref_id(resource.get("practitioner"), "Practitioner")
            if practitioner:
                roles_of.setdefault(practitioner, []).append(resource)
    orgs = {
        rid: _organisation(resource)
        for (kind, rid), resource in by_key.items()
        if kind == "Organization"
    }

    entries: list[DirectoryEntry] = []
    for kind, rid in matched:
        resource = by_key[(kind, rid)]
        if kind == "Practitioner":
            entry = _person(resource, roles_of.get(rid, []), orgs)
            if entry is not None:
                entries.append(entry)
        elif kind == "Organization":
            entries.extend(_structure_entries(orgs[rid]))
        elif kind == "PractitionerRole":
            practitioner = _ref_id(resource.get("practitioner"), "Practitioner")
            if ("Practitioner", practitioner) not in matched and practitioner:
                target = by_key.get(("Practitioner", practitioner), {"id": practitioner})
                entry = _person(target, roles_of.get(practitioner, [resource]), orgs)
                if entry is not None:
                    entries.append(entry)
    return _dedupe(entries)


def _person(
    practitioner: dict[str, Any],
    roles: list[dict[str, Any]],
    orgs: dict[str, _Org],
) -> DirectoryEntry | None:
    mailboxes: list[Mailbox] = [
        _mailbox(box, _Org()) for box in mss_mailboxes(practitioner, MailboxType.PER)
    ]
    for role in roles:
        org = orgs.get(_ref_id(role.get("organization"), "Organization"), _Org())
        mailboxes.extend(_mailbox(box, org) for box in mss_mailboxes(role, MailboxType.PER))
    unique = list({m.address.lower(): m for m in reversed(mailboxes)}.values())[::-1]
    if not unique:
        return None
    id_type, identifier, national = _identifiers(practitioner)
    family, given, civility = _name(practitioner)
    if not family and not given:
        for role in roles:
            family, given, civility = _name(role)
            if family or given:
                break
    profession, speciality = _profession_and_speciality([practitioner, *roles])
    key = national or f"fhir:Practitioner/{practitioner.get('id', '')}"
    return DirectoryEntry(
        key=key,
        kind=EntryKind.PERSON,
        mailboxes=tuple(unique),
        identifier_type=id_type,
        identifier=identifier,
        national_id=national,
        civility=civility,
        family=family,
        given=given,
        profession=profession,
        speciality=speciality,
        source=ResultSource.ONLINE,
    )


def _structure_entries(org: _Org) -> list[DirectoryEntry]:
    return [
        DirectoryEntry(
            key=f"mailbox:{box.address.lower()}",
            kind=EntryKind.STRUCTURE,
            mailboxes=(_mailbox(box, org),),
            source=ResultSource.ONLINE,
        )
        for box in org.boxes
    ]


def _mailbox(box: _Box, org: _Org) -> Mailbox:
    return Mailbox(
        address=box.address,
        type=box.type,
        organisation=org.name,
        service=box.service,
        description=box.description,
        street=org.street,
        postcode=org.postcode,
        town=org.town,
        digitization=box.digitization,
    )


def _dedupe(entries: list[DirectoryEntry]) -> list[DirectoryEntry]:
    seen: set[str] = set()
    out = []
    for entry in entries:
        if entry.key not in seen:
            seen.add(entry.key)
            out.append(entry)
    return out
