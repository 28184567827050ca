"""Reading mailboxes and people from FHIR resources shaped like the Annuaire Santé's."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.directory.fhir_mapping import entries_from_resources, mss_mailboxes
from app.directory.rate_limit import TokenBucket
from app.domain.directory import EntryKind, MailboxType, ResultSource
from tests.support.directory_fhir_server import (
    mss_telecom,
    organization,
    practitioner,
    role,
    sample_directory,
)

SAMPLE = Path(__file__).parent / "data" / "fhir_organization_telecom_mss_example.json"


def test_the_published_organization_example() -> None:
    resource = json.loads(SAMPLE.read_text(encoding="utf-8"))
    resource["id"] = "house"
    (box,) = mss_mailboxes(resource, MailboxType.ORG)
    assert box.address == "secretariat.drhouse@aura.mssante.fr"
    assert box.type is MailboxType.ORG
    assert box.description == "DR HOUSE Secrétariat"
    assert box.digitization is True
    (entry,) = entries_from_resources([(resource, True)])
    assert entry.kind is EntryKind.STRUCTURE
    assert entry.source is ResultSource.ONLINE
    assert entry.mailboxes[0].organisation == "CENTRE DE SANTE DR HOUSE"


def test_plain_email_addresses_are_not_mailboxes() -> None:
    resource = organization("o", name="X", city="Y", postcode="75001")
    assert mss_mailboxes(resource, MailboxType.ORG) == []
    only_metadata = {"telecom": [mss_telecom("a@b.mssante.fr", "PER", email_type=False)]}
    assert [b.address for b in mss_mailboxes(only_metadata, MailboxType.PER)] == ["a@b.mssante.fr"]


def test_a_practitioner_with_its_roles_and_their_organisations() -> None:
    resources = [(r, r["resourceType"] == "Practitioner") for r in sample_directory()]
    entries = entries_from_resources(resources)
    by_key = {e.key: e for e in entries}
    martin = by_key["810001234567"]
    assert martin.kind is EntryKind.PERSON
    assert (martin.family, martin.given, martin.civility) == ("MARTIN", "Hélène", "DR")
    assert (martin.identifier_type, martin.identifier) == ("RPPS", "10001234567")
    assert martin.profession == "Médecin"  # from the code: the sample sends no display
    assert martin.speciality == "Cardiologie et maladies vasculaires"
    assert [(m.address, m.organisation) for m in martin.mailboxes] == [
        ("helene.martin@medecin.mssante.fr", ""),
        ("helene.martin@chu-lyon.mssante.fr", "CHU DE LYON"),
    ]
    assert by_key["810007654321"].profession == "Infirmier"
    assert by_key["810007654321"].mailboxes[0].town == "VILLEURBANNE"
    assert "810000000001" not in by_key  # no MSSanté box: not an entry


def test_structures_give_one_entry_per_box() -> None:
    resources = [(r, r["resourceType"] == "Organization") for r in sample_directory()]
    entries = entries_from_resources(resources)
    assert [(e.mailboxes[0].address, e.mailboxes[0].type) for e in entries] == [
        ("cardiologie@chu-lyon.mssante.fr", MailboxType.ORG),
        ("labo@chu-lyon.mssante.fr", MailboxType.APP),
        ("secretariat.drhouse@aura.mssante.fr", MailboxType.ORG),
    ]
    assert entries[0].display_name == "Cardiologie — CHU DE LYON"


def test_a_role_found_alone_brings_its_practitioner() -> None:
    person = practitioner("p", rpps="10000000009", family="X", given="Y")
    found = role("r", "p", "o", [mss_telecom("y.x@ch.mssante.fr", "PER")])
    entries = entries_from_resources([(found, True), (person, False)])
    assert [e.key for e in entries] == ["810000000009"]


def test_the_token_bucket_spaces_calls() -> None:
    now = [0.0]
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        now[0] += seconds

    bucket = TokenBucket(17.0, clock=lambda: now[0], sleep=sleep)
    stamps = []
    for _ in range(35):
        bucket.acquire()
        stamps.append(now[0])
    # Never more than 17 calls in any second (the first is free: the bucket starts full).
    for i, start in enumerate(stamps):
        assert sum(1 for t in stamps[i:] if t < start + 1.0) <= 17
    assert stamps[-1] == pytest.approx(34 / 17)
    now[0] += 10  # idle: the bucket refills to its capacity only
    bucket.acquire()
    before = len(waits)
    bucket.acquire()
    assert len(waits) == before + 1


def test_a_bucket_with_a_burst() -> None:
    now = [0.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds

    bucket = TokenBucket(10.0, capacity=5, clock=lambda: now[0], sleep=sleep)
    assert [bucket.acquire() for _ in range(5)] == [0.0] * 5
    assert bucket.acquire() == pytest.approx(0.1)
    with pytest.raises(ValueError):
        TokenBucket(0)
