"""Refreshing the directory from a download: plain or zipped, dated by its name, atomic."""

from __future__ import annotations

import zipfile
from datetime import datetime
from pathlib import Path

import pytest

from app.config.settings import DirectorySettings
from app.domain.directory import ImportProgress
from app.domain.errors import DirectoryError
from app.services.directory_service import DirectoryService
from tests.servers.http_files import HttpFileServer
from tests.support.directory_extraction import GeneratedExtraction, person_line, write_extraction

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def extraction(tmp_path_factory: pytest.TempPathFactory) -> GeneratedExtraction:
    folder = tmp_path_factory.mktemp("refresh")
    return write_extraction(
        folder / "Extraction_Correspondance_MSSante_202406010203.txt",
        2000,
        seed=21,
        extra=[person_line(address="refresh.me@medecin.mssante.fr", family="REFRESHME", given="A")],
    )


def _service(tmp_path: Path, url: str = "https://invalid.example/x") -> DirectoryService:
    return DirectoryService(
        tmp_path / "profile" / "directory.db", DirectorySettings(extraction_url=url, timeout=5)
    )


async def test_refresh_from_a_plain_file(
    tmp_path: Path, http_files: HttpFileServer, extraction: GeneratedExtraction
) -> None:
    url = http_files.set(
        "/dir-plain/Extraction_Correspondance_MSSante_202406010203.txt",
        extraction.path.read_bytes(),
    )
    progress: list[ImportProgress] = []
    async with _service(tmp_path, url) as service:
        report = await service.refresh(on_progress=progress.append)  # the configured address
        assert report.generated_at == datetime(2024, 6, 1, 2, 3)
        assert report.source_name == "Extraction_Correspondance_MSSante_202406010203.txt"
        assert report.mailboxes == extraction.mailboxes
        downloads = [p for p in progress if p.phase == "download"]
        assert downloads[-1].done == downloads[-1].total == extraction.path.stat().st_size
        found = await service.search("refreshme")
        assert [e.addresses for e in found.entries] == [("refresh.me@medecin.mssante.fr",)]
        info = await service.info()
        assert info.report == report
    leftovers = [p.name for p in (tmp_path / "profile").iterdir() if p.name != "directory.db"]
    assert leftovers == []  # the download was removed


async def test_refresh_from_the_agency_zip_dated_by_its_member(
    tmp_path: Path, http_files: HttpFileServer, extraction: GeneratedExtraction
) -> None:
    archive = tmp_path / "download.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.write(extraction.path, "Extraction_Correspondance_MSSante_202407080910.txt")
    url = http_files.set("/dir-zip/Extraction_Correspondance_MSSante", archive.read_bytes())
    async with _service(tmp_path) as service:
        report = await service.refresh(url)  # --url overrides the setting
        assert report.generated_at == datetime(2024, 7, 8, 9, 10)
        assert report.mailboxes == extraction.mailboxes


async def test_a_failed_download_keeps_the_directory(
    tmp_path: Path, http_files: HttpFileServer, extraction: GeneratedExtraction
) -> None:
    async with _service(tmp_path) as service:
        await service.import_file(extraction.path)
        with pytest.raises(DirectoryError) as caught:
            await service.refresh(http_files.url("/dir-missing/nothing.zip"))
        assert caught.value.code == "directory.download.http"
        assert caught.value.params["status"] == 404
        http_files.set("/dir-bad/Extraction_Correspondance_MSSante_202501010000.txt", b"a|b\n1|2\n")
        with pytest.raises(DirectoryError) as caught:
            await service.refresh(
                http_files.url("/dir-bad/Extraction_Correspondance_MSSante_202501010000.txt")
            )
        assert caught.value.code == "directory.import.bad_header"
        found = await service.search("refreshme")
        assert found.entries
    leftovers = [p.name for p in (tmp_path / "profile").iterdir() if p.name != "directory.db"]
    assert leftovers == []


async def test_only_https_is_used_beyond_loopback(tmp_path: Path) -> None:
    async with _service(tmp_path) as service:
        for url in (
            "http://annuaire.example.org/x.zip",
            "ftp://example.org/x",
            "file:///etc/passwd",
        ):
            with pytest.raises(DirectoryError) as caught:
                await service.refresh(url)
            assert caught.value.code == "directory.download.insecure_url"


async def test_an_unreachable_server(tmp_path: Path, http_files: HttpFileServer) -> None:
    url = http_files.set("/dir-off/x.txt", b"x")
    http_files.set_enabled(False)
    try:
        async with _service(tmp_path) as service:
            with pytest.raises(DirectoryError) as caught:
                await service.refresh(url)
        assert caught.value.code == "directory.download.unreachable"
    finally:
        http_files.set_enabled(True)
