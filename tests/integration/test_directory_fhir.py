"""The online directory against a loopback FHIR server shaped like the Annuaire Santé's API.

Paging, the key header, 401/429/5xx, timeouts, the rate limit, foreign links; then the
service: online results of the same type as offline ones, the cache, the automatic fallback.
Nothing here ever leaves 127.0.0.1.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.config.settings import DirectorySettings
from app.directory.fhir_client import FhirClient
from app.directory.rate_limit import TokenBucket
from app.domain.directory import DirectoryQuery, EntryKind, MailboxType, ResultSource
from app.domain.errors import DirectoryError
from app.services.directory_service import DirectoryService
from tests.support.directory_extraction import person_line, write_extraction
from tests.support.directory_fhir_server import FhirServer, many_practitioners, sample_directory

pytestmark = pytest.mark.integration

KEY = "cle-de-test-ne-pas-journaliser"


@pytest.fixture
def server() -> Iterator[FhirServer]:
    with FhirServer(api_key=KEY, resources=sample_directory()) as running:
        yield running


def _client(
    server: FhirServer, *, rate: float = 1000.0, timeout: float = 5.0
) -> tuple[FhirClient, list[float]]:
    waits: list[float] = []
    client = FhirClient(
        server.base_url,
        KEY,
        limiter=TokenBucket(rate),
        timeout=timeout,
        sleep=waits.append,  # 429 pauses are recorded, not slept
    )
    return client, waits


def _service(tmp_path: Path, server: FhirServer, **settings: object) -> DirectoryService:
    config = DirectorySettings(fhir_base_url=server.base_url, **settings)  # type: ignore[arg-type]
    return DirectoryService(tmp_path / "directory.db", config, api_key=KEY)


def test_search_sends_the_key_and_reads_matches_and_includes(server: FhirServer) -> None:
    client, _ = _client(server)
    found = client.search(
        "Practitioner", [("family", "martin"), ("_revinclude", "PractitionerRole:practitioner")]
    )
    kinds = sorted((r["resourceType"], match) for r, match in found)
    assert kinds == [
        ("Practitioner", True),
        ("Practitioner", True),
        ("Practitioner", True),
        ("PractitionerRole", False),
        ("PractitionerRole", False),
    ]
    (seen,) = server.requests
    assert seen.headers["esante-api-key"] == KEY  # header names are case-insensitive
    assert seen.headers["accept"].startswith("application/fhir+json")
    assert seen.params["_count"] == ["50"]


def test_paging_follows_next_links_up_to_the_limits(server: FhirServer) -> None:
    server.resources.extend(many_practitioners(120))
    client, _ = _client(server)
    found = client.search("Practitioner", [("family", "dupont")], max_matches=500)
    assert len(found) == 120
    assert len(server.requests) == 3
    assert server.requests[1].params["_getpagesoffset"] == ["50"]
    found = client.search("Practitioner", [("family", "dupont")], max_matches=60)
    assert len(found) == 100  # two pages: the second reached the limit
    found = client.search("Practitioner", [("family", "dupont")], max_pages=1)
    assert len(found) == 50


def test_the_rate_limit_spaces_requests(server: FhirServer) -> None:
    server.resources.extend(many_practitioners(200))
    client, _ = _client(server, rate=5.0)
    client.search("Practitioner", [("family", "dupont")], max_matches=1000)
    stamps = [r.at for r in server.requests]
    assert len(stamps) == 4
    gaps = [b - a for a, b in itertools.pairwise(stamps)]
    assert min(gaps) >= 0.19  # 5 per second at most (a lower bound: never flaky)


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (401, "directory.online.unauthorized"),
        (403, "directory.online.unauthorized"),
        (500, "directory.online.server_error"),
        (400, "directory.online.refused"),
        (302, "directory.online.refused"),
    ],
)
def test_http_errors_become_known_errors(server: FhirServer, status: int, code: str) -> None:
    client, _ = _client(server)
    server.fail_next(status)
    with pytest.raises(DirectoryError) as caught:
        client.search("Practitioner", [("family", "martin")])
    assert caught.value.code == code
    if "status" in caught.value.params:
        assert caught.value.params["status"] == status
    assert len(server.requests) == 1  # not retried


def test_a_wrong_key_is_refused_by_the_server(server: FhirServer) -> None:
    client = FhirClient(server.base_url, "mauvaise-cle", limiter=TokenBucket(1000.0))
    with pytest.raises(DirectoryError) as caught:
        client.search("Practitioner", [("family", "martin")])
    assert caught.value.code == "directory.online.unauthorized"


def test_429_waits_as_told_then_retries(server: FhirServer) -> None:
    client, waits = _client(server)
    server.fail_next(429, times=2, retry_after="3")
    found = client.search("Practitioner", [("family", "martin")])
    assert found
    assert waits == [3.0, 3.0]
    assert len(server.requests) == 3


def test_429_that_lasts_is_reported(server: FhirServer) -> None:
    client, waits = _client(server)
    server.fail_next(429, times=3, retry_after="120")
    with pytest.raises(DirectoryError) as caught:
        client.search("Practitioner", [("family", "martin")])
    assert caught.value.code == "directory.online.rate_limited"
    assert waits == [10.0, 10.0]  # Retry-After capped


def test_a_transient_gateway_error_is_retried_once(server: FhirServer) -> None:
    client, _ = _client(server)
    server.fail_next(503)
    assert client.search("Practitioner", [("family", "martin")])
    server.fail_next(502, times=2)
    with pytest.raises(DirectoryError) as caught:
        client.search("Practitioner", [("family", "martin")])
    assert caught.value.code == "directory.online.server_error"
    assert caught.value.params["status"] == 502


def test_a_server_that_does_not_answer_times_out(server: FhirServer) -> None:
    client, _ = _client(server, timeout=0.3)
    server.fail_next(200, stall=1.5)
    with pytest.raises(DirectoryError) as caught:
        client.search("Practitioner", [("family", "martin")])
    assert caught.value.code == "directory.online.timeout"


def test_an_unreachable_server(server: FhirServer) -> None:
    url = server.base_url
    server.__exit__(None, None, None)
    client = FhirClient(url, KEY, limiter=TokenBucket(1000.0), timeout=2)
    with pytest.raises(DirectoryError) as caught:
        client.search("Practitioner", [("family", "martin")])
    assert caught.value.code == "directory.online.unreachable"


def test_the_key_never_follows_a_link_to_another_server(server: FhirServer) -> None:
    server.resources.extend(many_practitioners(60))
    with FhirServer(api_key=KEY) as other:
        server.next_base = other.base_url.rsplit("/fhir/v2", 1)[0]
        client, _ = _client(server)
        with pytest.raises(DirectoryError) as caught:
            client.search("Practitioner", [("family", "dupont")])
        assert caught.value.code == "directory.online.foreign_link"
        assert other.requests == []


def test_the_key_is_only_sent_over_https() -> None:
    with pytest.raises(DirectoryError) as caught:
        FhirClient("http://annuaire.example.org/fhir/v2", KEY, limiter=TokenBucket(1.0))
    assert caught.value.code == "directory.online.insecure_url"
    with pytest.raises(DirectoryError) as caught:
        FhirClient("https://annuaire.example.org/fhir/v2", "", limiter=TokenBucket(1.0))
    assert caught.value.code == "directory.online.no_api_key"


async def test_online_results_have_the_offline_shape_and_are_cached(
    tmp_path: Path, server: FhirServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with _service(tmp_path, server) as service:
        result = await service.search(DirectoryQuery(family="martin"), online=True)
        assert result.source is ResultSource.ONLINE
        by_key = {e.key: e for e in result.entries}
        assert set(by_key) == {"810001234567", "810007654321"}  # MARTINOT has no box
        martin = by_key["810001234567"]
        assert martin.kind is EntryKind.PERSON
        assert martin.source is ResultSource.ONLINE
        assert [(m.address, m.type, m.organisation) for m in martin.mailboxes] == [
            ("helene.martin@medecin.mssante.fr", MailboxType.PER, ""),
            ("helene.martin@chu-lyon.mssante.fr", MailboxType.PER, "CHU DE LYON"),
        ]
        calls = len(server.requests)
        assert server.searches("Organization")  # the roles' structures were fetched
        again = await service.search(DirectoryQuery(family="martin"), online=True)
        assert again.entries == result.entries
        assert len(server.requests) == calls  # from the cache
        info = await service.info()
        assert info.online_cache_entries == 1
    assert KEY not in caplog.text


async def test_criteria_the_api_cannot_apply_are_applied_to_its_answers(
    tmp_path: Path, server: FhirServer
) -> None:
    async with _service(tmp_path, server) as service:
        nurses = await service.search(
            DirectoryQuery(family="martin", profession="infirmier"), online=True
        )
        assert [e.key for e in nurses.entries] == ["810007654321"]
        cardio = await service.search(DirectoryQuery(text="martin cardio"), online=True)
        assert [e.key for e in cardio.entries] == ["810001234567"]
        before = len(server.requests)
        structures = await service.search(
            DirectoryQuery(city="lyon", types=frozenset({MailboxType.ORG})), online=True
        )
        assert [e.mailboxes[0].address for e in structures.entries] == [
            "cardiologie@chu-lyon.mssante.fr"
        ]
        (asked,) = server.requests[before:]  # structures only: no Practitioner search
        assert asked.path.endswith("/Organization")
        assert asked.params["address-city"] == ["lyon"]
        assert asked.params["mailbox-mss:contains"] == ["@"]
        by_box = await service.search("paul.martinez@aura", online=True)
        assert [e.key for e in by_box.entries] == ["810007654321"]
        # The box is on his PractitionerRole (the structure's), found by that search.
        (role_search,) = server.searches("PractitionerRole")
        assert role_search.params["mailbox-mss:contains"] == ["paul.martinez@aura"]
        assert by_box.entries[0].mailboxes[0].organisation == "CENTRE DE SANTE DR HOUSE"


async def test_automatic_mode_uses_the_api_when_offline_has_no_answer(
    tmp_path: Path, server: FhirServer
) -> None:
    extraction = tmp_path / "Extraction_Correspondance_MSSante_209901010000.txt"
    write_extraction(
        extraction,
        200,
        extra=[person_line(address="solo@medecin.mssante.fr", family="SOLOZ", given="Ana")],
    )
    async with _service(tmp_path, server, max_age_days=100_000) as service:
        await service.import_file(extraction)
        offline = await service.search("soloz")
        assert offline.source is ResultSource.OFFLINE
        assert server.requests == []  # a fresh directory with an answer: no online call
        found = await service.search("martin cardio")
        assert found.source is ResultSource.ONLINE
        assert [e.key for e in found.entries] == ["810001234567"]
        server.fail_next(500, times=5)
        failed = await service.search("helene martin")  # not cached: asked, failing
        assert failed.source is ResultSource.OFFLINE
        assert failed.online_error == "directory.online.server_error"
        with pytest.raises(DirectoryError):
            await service.search("helene martin", online=True)


async def test_a_stale_directory_is_completed_online(tmp_path: Path, server: FhirServer) -> None:
    extraction = tmp_path / "Extraction_Correspondance_MSSante_202001010000.txt"
    write_extraction(
        extraction,
        100,
        extra=[person_line(address="old.martin@medecin.mssante.fr", family="MARTIN", given="Old")],
    )
    async with _service(tmp_path, server, max_age_days=14) as service:
        await service.import_file(extraction)
        result = await service.search(DirectoryQuery(family="martin"))
        assert result.stale
        assert result.source is ResultSource.MIXED
        addresses = [a for e in result.entries for a in e.addresses]
        assert addresses.index("helene.martin@medecin.mssante.fr") < addresses.index(
            "old.martin@medecin.mssante.fr"
        )
        assert (await service.search(DirectoryQuery(family="martin"), online=False)).source is (
            ResultSource.OFFLINE
        )


async def test_without_a_directory_the_api_answers(tmp_path: Path, server: FhirServer) -> None:
    async with _service(tmp_path, server) as service:
        result = await service.search("martin")
        assert result.source is ResultSource.ONLINE
        assert {e.key for e in result.entries} == {"810001234567", "810007654321"}
        server.fail_next(401)
        with pytest.raises(DirectoryError) as caught:
            await service.search("martinez paul")
        assert caught.value.code == "directory.online.unauthorized"
