"""The directory publishes on the profile's bus like every other service."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.domain.events import PROFILE_WIDE, DirectoryChanged, DirectoryImportProgress
from app.services.container import Services
from tests.services.support import EventLog, off_loop
from tests.support.directory_extraction import write_extraction

pytestmark = pytest.mark.usefixtures("loop_never_blocked")

WHITELIST = b"""<?xml version="1.0" encoding="UTF-8"?>
<ListeBlancheMSSante xmlns="https://listeblanche.mssante.fr/schema">
  <DateDeGeneration>2024-05-14</DateDeGeneration>
  <ListeDomaines>
    <Domaine><Nom>medecin.mssante.fr</Nom></Domaine>
  </ListeDomaines>
</ListeBlancheMSSante>
"""


async def test_directory_imports_are_ordinary_events(
    services: Services, events: EventLog, tmp_path: Path
) -> None:
    xml = tmp_path / "listeblanchemssante.xml"
    xml.write_bytes(WHITELIST)
    await services.directory.import_whitelist(xml)
    assert events.of(DirectoryChanged) == [
        DirectoryChanged(account_id=PROFILE_WIDE, what="whitelist", entries=1)
    ]


async def test_a_directory_import_reports_progress_then_the_change(
    services: Services, events: EventLog, tmp_path: Path
) -> None:
    extraction = await off_loop(
        write_extraction, tmp_path / "Extraction_Correspondance_MSSante_202405140100.txt", 2000
    )
    report = await services.directory.import_file(extraction.path)
    progress = events.of(DirectoryImportProgress)
    assert progress
    assert {e.account_id for e in progress} == {PROFILE_WIDE}
    assert max(e.lines for e in progress) > 0
    assert events.events[-1] == DirectoryChanged(
        account_id=PROFILE_WIDE, what="directory", entries=report.mailboxes
    )
