"""The asyncio facade: imports off the loop with progress on it, search modes, domain checks."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest

from app.config.settings import DirectorySettings
from app.directory.importer import import_extraction
from app.domain.directory import (
    DirectoryQuery,
    ImportProgress,
    ResultSource,
)
from app.domain.errors import DirectoryError, NotFoundError
from app.domain.events import (
    PROFILE_WIDE,
    DirectoryChanged,
    DirectoryImportProgress,
    Event,
)
from app.services.directory_service import DirectoryService
from app.services.event_bus import EventBus
from tests.support.directory_extraction import GeneratedExtraction, person_line, write_extraction

WHITELIST = b"""<?xml version="1.0" encoding="UTF-8"?>
<ListeBlancheMSSante xmlns="https://listeblanche.mssante.fr/schema">
  <DateDeGeneration>2024-05-14</DateDeGeneration>
  <ListeDomaines>
    <Domaine><Nom>medecin.mssante.fr</Nom></Domaine>
    <Domaine><Nom>patient.mssante.fr</Nom></Domaine>
  </ListeDomaines>
"""  # no closing root tag, as seen in the wild


def _service(tmp_path: Path, bus: EventBus | None = None, **settings: object) -> DirectoryService:
    return DirectoryService(
        tmp_path / "profile" / "directory.db",
        DirectorySettings(**settings),  # type: ignore[arg-type]
        events=bus or EventBus(strict=True),
    )


async def test_import_reports_progress_on_the_loop_thread(
    tmp_path: Path, generated: GeneratedExtraction
) -> None:
    loop_thread = threading.current_thread()
    progress: list[ImportProgress] = []
    events: list[Event] = []

    def on_progress(p: ImportProgress) -> None:
        assert threading.current_thread() is loop_thread
        progress.append(p)

    def on_event(event: Event) -> None:
        assert threading.current_thread() is loop_thread
        events.append(event)

    bus = EventBus(strict=True)
    unsubscribe = bus.subscribe(Event, on_event)  # `on_event` lives as long as the test
    async with _service(tmp_path, bus) as service:
        report = await service.import_file(generated.path, on_progress=on_progress)
        unsubscribe()
        assert report.mailboxes == generated.mailboxes
        assert {p.phase for p in progress} >= {"read", "index", "finish"}
        assert events[-1] == DirectoryChanged(
            account_id=PROFILE_WIDE, what="directory", entries=report.mailboxes
        )
        assert any(isinstance(e, DirectoryImportProgress) for e in events)
        assert max(e.lines for e in events if isinstance(e, DirectoryImportProgress)) > 0
        result = await service.search("dalembert")
        assert result.source is ResultSource.OFFLINE
        assert "810009999991" in [e.key for e in result.entries]
        entry = await service.lookup("helene.dalembert@medecin.mssante.fr")
        assert entry is not None
        info = await service.info()
        assert info.present
        assert info.report == report
        assert info.stale  # generated in 2024, older than 14 days
        assert info.age_days is not None and info.age_days > 14
        assert not info.api_key_configured


async def test_search_modes_without_a_directory_or_a_key(tmp_path: Path) -> None:
    async with _service(tmp_path) as service:
        for online in (None, False):
            with pytest.raises(DirectoryError) as caught:
                await service.search("martin", online=online)
            assert caught.value.code == "directory.not_imported"
        with pytest.raises(DirectoryError) as caught:
            await service.search("martin", online=True)
        assert caught.value.code == "directory.online.no_api_key"
        info = await service.info()
        assert not info.present
        assert info.report is None
        assert await service.lookup("a@b.fr") is None


async def test_a_fresh_directory_never_goes_online(
    tmp_path: Path, generated: GeneratedExtraction
) -> None:
    # Younger than the maximum age: offline answers only, even with no match and a key set
    # (the key points nowhere: any attempt to use it would fail the test).
    async with _service(
        tmp_path, max_age_days=100_000, fhir_base_url="https://0.0.0.0:1"
    ) as service:
        service.set_api_key("une-cle")
        await service.import_file(generated.path)
        found = await service.search(DirectoryQuery(family="dalembert"))
        assert found.source is ResultSource.OFFLINE
        assert found.online_error is None  # the API was not even tried
        assert not found.stale
        assert found.entries


async def test_a_cancelled_import_keeps_the_directory(
    tmp_path: Path, generated: GeneratedExtraction, big_extraction: GeneratedExtraction
) -> None:
    big = big_extraction.path
    async with _service(tmp_path) as service:
        await service.import_file(generated.path)
        started = asyncio.Event()
        task = asyncio.create_task(service.import_file(big, on_progress=lambda p: started.set()))
        await started.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        # The worker thread stops at its next check; later calls queue behind it.
        result = await service.search("dalembert")
        assert "810009999991" in [e.key for e in result.entries]
        info = await service.info()
        assert info.report is not None
        assert info.report.mailboxes == generated.mailboxes
    leftovers = [p.name for p in (tmp_path / "profile").iterdir() if p.name.startswith(".")]
    assert leftovers == []


async def test_domain_checks(tmp_path: Path) -> None:
    xml = tmp_path / "listeblanchemssante.xml"
    xml.write_bytes(WHITELIST)
    async with _service(tmp_path) as service:
        unknown = await service.check_domains(["a@medecin.mssante.fr"])
        assert not unknown.whitelist_loaded
        assert unknown.untrusted == ()
        assert await service.is_trusted_domain("medecin.mssante.fr") is None
        changes: list[DirectoryChanged] = []

        def on_change(event: DirectoryChanged) -> None:
            changes.append(event)

        service.events.subscribe(DirectoryChanged, on_change)  # held while `on_change` lives
        info = await service.import_whitelist(xml)
        assert (info.domains, info.generated_at) == (2, "2024-05-14")
        assert changes == [DirectoryChanged(account_id=PROFILE_WIDE, what="whitelist", entries=2)]
        check = await service.check_domains(
            [
                "Jean.Martin@Medecin.MSSante.fr",
                "279035121518989@patient.mssante.fr",
                "x@sub.medecin.mssante.fr",
                "someone@gmail.com",
                "not an address",
                "someone@gmail.com",
            ]
        )
        assert check.whitelist_loaded
        assert check.trusted == (
            "Jean.Martin@Medecin.MSSante.fr",
            "279035121518989@patient.mssante.fr",
        )
        assert check.untrusted == (
            "x@sub.medecin.mssante.fr",
            "someone@gmail.com",
            "not an address",
        )
        assert await service.is_trusted_domain("MEDECIN.mssante.fr") is True
        assert await service.is_trusted_domain("mssante.fr") is False
        assert (await service.whitelist_info()) == info
        # No extraction yet: the directory file exists for the list, but holds no directory.
        with pytest.raises(DirectoryError) as caught:
            await service.search("martin")
        assert caught.value.code == "directory.not_imported"
        with pytest.raises(NotFoundError):
            await service.import_whitelist(tmp_path / "missing.xml")


async def test_a_closed_service_refuses_work(tmp_path: Path) -> None:
    service = _service(tmp_path)
    await service.aclose()
    await service.aclose()  # twice is fine
    with pytest.raises(RuntimeError):
        await service.info()


async def test_a_directory_replaced_by_another_process_is_reopened(
    tmp_path: Path, generated: GeneratedExtraction
) -> None:
    other = tmp_path / "Extraction_Correspondance_MSSante_202501010000.txt"
    write_extraction(
        other, 30, extra=[person_line(address="new@x.mssante.fr", family="NEWCOMER", given="A")]
    )
    async with _service(tmp_path) as service:
        await service.import_file(generated.path)
        assert (await service.search("newcomer")).entries == ()
        # `pli directory refresh` in another process, while this one keeps its connection.
        import_extraction(tmp_path / "profile" / "directory.db", other)
        found = await service.search("newcomer")
        assert [e.addresses for e in found.entries] == [("new@x.mssante.fr",)]
