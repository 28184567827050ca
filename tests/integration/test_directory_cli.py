"""`pli directory …` end to end: import, search, info, refresh, list of domains, the online
directory, exit codes and JSON; and a killed import that leaves the directory intact."""

from __future__ import annotations

import hashlib
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.config.paths import AppPaths
from app.config.settings import DirectorySettings, Settings
from tests.servers.http_files import HttpFileServer
from tests.support.cli import Pli
from tests.support.directory_extraction import GeneratedExtraction, person_line, write_extraction
from tests.support.directory_fhir_server import FhirServer, sample_directory

pytestmark = pytest.mark.integration

KEY = "cle-cli-de-test"
WHITELIST = b"""<?xml version="1.0" encoding="UTF-8"?>
<ListeBlancheMSSante xmlns="https://listeblanche.mssante.fr/schema">
  <DateDeGeneration>2024-05-14T03:00:00</DateDeGeneration>
  <ListeDomaines>
    <Domaine><Nom>medecin.mssante.fr</Nom><Description>Ordre</Description></Domaine>
    <Domaine><Nom>medecin.mssante.fr</Nom><Description>second serveur</Description></Domaine>
    <Domaine><Nom>chu-lyon.mssante.fr</Nom></Domaine>
  </ListeDomaines>
"""


@pytest.fixture(scope="module")
def extraction(tmp_path_factory: pytest.TempPathFactory) -> GeneratedExtraction:
    folder = tmp_path_factory.mktemp("cli")
    return write_extraction(
        folder / "Extraction_Correspondance_MSSante_202405140316.txt",
        3000,
        seed=31,
        malformed=3,
        extra=[
            person_line(
                address="anais.lhuillier@medecin.mssante.fr",
                family="L'HUILLIER",
                given="Anaïs",
                rpps="10008888881",
                speciality=("SM54", "Pédiatrie"),
                town="Rennes",
                postcode="35000",
                department="35",
            )
        ],
    )


@pytest.fixture
def pli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Pli:
    monkeypatch.delenv("PLI_ESANTE_API_KEY", raising=False)
    return Pli(tmp_path / "profile")


@pytest.fixture
def fhir() -> Iterator[FhirServer]:
    with FhirServer(api_key=KEY, resources=sample_directory()) as server:
        yield server


def _settings(pli: Pli, **directory: object) -> None:
    paths = AppPaths.at(pli.profile)
    Settings(directory=DirectorySettings(**directory)).save(paths.settings_file)  # type: ignore[arg-type]


def test_import_search_info(pli: Pli, extraction: GeneratedExtraction) -> None:
    done = pli("directory", "import", str(extraction.path)).ok()
    assert f"imported {extraction.mailboxes:,} mailboxes" in done.out
    assert "3 lines refused" in done.out
    assert "reading…" in done.err  # progress on stderr
    report = pli("directory", "import", str(extraction.path), "--json").ok().json()
    assert report["mailboxes"] == extraction.mailboxes
    assert report["malformed"] == 3
    assert report["generated_at"] == "2024-05-14T03:16:00"

    text = pli("directory", "search", "lhuillier").ok().out
    assert "L'HUILLIER Anaïs — Médecin, Pédiatrie — RPPS 10008888881" in text
    assert "PER  anais.lhuillier@medecin.mssante.fr" in text
    found = pli("directory", "search", "l'huil", "--city", "rennes", "--json").ok().json()
    assert found["source"] == "offline"
    (entry,) = found["entries"]
    assert entry["national_id"] == "810008888881"
    assert entry["mailboxes"][0]["address"] == "anais.lhuillier@medecin.mssante.fr"
    assert entry["mailboxes"][0]["type"] == "PER"
    by_rpps = pli("directory", "search", "--rpps", "10008888881", "--json").ok().json()
    assert [e["key"] for e in by_rpps["entries"]] == ["810008888881"]
    fields = (
        pli(
            "directory",
            "search",
            "--name",
            "huillier",
            "--given",
            "anais",
            "--profession",
            "medecin",
            "--speciality",
            "pediatrie",
            "--postcode",
            "35",
            "--department",
            "35",
            "--type",
            "PER",
            "--json",
        )
        .ok()
        .json()
    )
    assert [e["key"] for e in fields["entries"]] == ["810008888881"]
    none = pli("directory", "search", "qwxzyv", "--json").ok().json()
    assert none["entries"] == []
    assert pli("directory", "search", "qwxzyv").ok().out.strip() == "no match"
    org = pli("directory", "search", "--type", "org", "--limit", "3", "--json").ok().json()
    assert len(org["entries"]) == 3
    assert org["truncated"] is True
    assert {e["kind"] for e in org["entries"]} == {"structure"}

    info = pli("directory", "info", "--json").ok().json()
    assert info["present"] is True
    assert info["extraction"]["mailboxes"] == extraction.mailboxes
    assert info["stale"] is True
    assert info["online"] == {
        "api_key_configured": False,
        "base_url": "https://gateway.api.esante.gouv.fr/fhir/v2",
        "cached_answers": 0,
    }
    assert "generated 2024-05-14 03:16" in pli("directory", "info").ok().out


def test_errors_and_exit_codes(pli: Pli, tmp_path: Path) -> None:
    missing = pli("directory", "search", "martin")
    assert missing.code == 11
    assert "no directory imported yet" in missing.err
    assert pli("directory", "search").code == 3
    bad_type = pli("directory", "search", "x", "--type", "PERSO")
    assert bad_type.code == 3
    assert "'PERSO' is not a mailbox type" in bad_type.err
    assert pli("directory", "import", str(tmp_path / "nope.txt")).code == 4
    wrong = tmp_path / "wrong.txt"
    wrong.write_text("a|b|c\n1|2|3\n")
    refused = pli("directory", "import", str(wrong))
    assert refused.code == 11
    assert "not an MSSanté extraction" in refused.err
    offline_only = pli("directory", "search", "martin", "--online")
    assert offline_only.code == 11
    assert "PLI_ESANTE_API_KEY" in offline_only.err
    insecure = pli("directory", "refresh", "--url", "http://annuaire.example.org/x.zip")
    assert insecure.code == 11
    assert "HTTPS only" in insecure.err


def test_list_of_domains(pli: Pli, tmp_path: Path) -> None:
    xml = tmp_path / "listeblanchemssante.xml"
    xml.write_bytes(WHITELIST)
    checksum = tmp_path / "checksum"
    checksum.write_text(hashlib.sha256(WHITELIST).hexdigest() + "\n")
    assert pli("directory", "whitelist", "info", "--json").ok().json() == {"imported": False}
    unknown = pli("directory", "whitelist", "check", "a@medecin.mssante.fr")
    assert unknown.code == 1
    assert "no list of domains imported" in unknown.out
    done = (
        pli("directory", "whitelist", "import", str(xml), "--checksum", str(checksum), "--json")
        .ok()
        .json()
    )
    assert (done["domains"], done["entries"]) == (2, 3)
    ok = pli("directory", "whitelist", "check", "a@medecin.mssante.fr", "--json")
    assert ok.code == 0
    assert ok.json()["untrusted"] == []
    mixed = pli("directory", "whitelist", "check", "a@medecin.mssante.fr", "b@gmail.com")
    assert mixed.code == 1
    assert "UNTRUSTED  b@gmail.com" in mixed.out
    checksum.write_text("0" * 64)
    refused = pli("directory", "whitelist", "import", str(xml), "--checksum", str(checksum))
    assert refused.code == 11
    assert "does not match its SHA-256 checksum" in refused.err
    info = pli("directory", "info", "--json").ok().json()
    assert info["present"] is False
    assert info["whitelist"]["domains"] == 2


def test_online_with_a_key_file(pli: Pli, tmp_path: Path, fhir: FhirServer) -> None:
    _settings(pli, fhir_base_url=fhir.base_url)
    key_file = tmp_path / "cle.txt"
    key_file.write_text(KEY + "\n")
    found = (
        pli(
            "directory",
            "search",
            "--name",
            "martin",
            "--online",
            "--api-key-file",
            str(key_file),
            "--json",
        )
        .ok()
        .json()
    )
    assert found["source"] == "online"
    assert {e["key"] for e in found["entries"]} == {"810001234567", "810007654321"}
    assert all(e["source"] == "online" for e in found["entries"])
    wrong = tmp_path / "wrong.txt"
    wrong.write_text("pas-la-bonne")
    refused = pli("directory", "search", "zzz", "--online", "--api-key-file", str(wrong))
    assert refused.code == 11
    assert "refused the API key (HTTP 401)" in refused.err
    assert KEY not in refused.err and "pas-la-bonne" not in refused.err
    empty = tmp_path / "empty.txt"
    empty.write_text("\n")
    assert pli("directory", "info", "--api-key-file", str(empty)).code == 11
    info = pli("directory", "info", "--api-key-file", str(key_file), "--json").ok().json()
    assert info["online"]["api_key_configured"] is True
    assert info["online"]["cached_answers"] == 1


def test_online_with_the_environment(
    pli: Pli, fhir: FhirServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    _settings(pli, fhir_base_url=fhir.base_url)
    monkeypatch.setenv("PLI_ESANTE_API_KEY", KEY)
    # No offline directory: automatic mode asks the API.
    found = pli("directory", "search", "martin", "cardio", "--json").ok().json()
    assert found["source"] == "online"
    assert [e["key"] for e in found["entries"]] == ["810001234567"]
    fhir.fail_next(503, times=2)
    down = pli("directory", "search", "paul", "--online")
    assert down.code == 11
    assert "failing (HTTP 503)" in down.err


def test_refresh(pli: Pli, http_files: HttpFileServer, extraction: GeneratedExtraction) -> None:
    url = http_files.set(
        "/cli-refresh/Extraction_Correspondance_MSSante_202409090909.txt",
        extraction.path.read_bytes(),
    )
    report = pli("directory", "refresh", "--url", url, "--json").ok().json()
    assert report["generated_at"] == "2024-09-09T09:09:00"
    assert report["mailboxes"] == extraction.mailboxes


@pytest.mark.slow
def test_a_killed_import_leaves_the_directory_intact(
    pli: Pli, tmp_path: Path, extraction: GeneratedExtraction
) -> None:
    pli("directory", "import", str(extraction.path)).ok()
    db = AppPaths.at(pli.profile).directory_db
    before = db.read_bytes()
    big = tmp_path / "Extraction_Correspondance_MSSante_202501010000.txt"
    write_extraction(big, 120_000, seed=41)
    with pli.popen("directory", "import", str(big)) as process:
        assert process.stderr is not None
        line = process.stderr.readline()  # the first progress line: reading has begun
        assert line.startswith("reading…"), line
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    assert db.read_bytes() == before
    leftovers = [p for p in db.parent.iterdir() if p.name.startswith(".directory.db.import-")]
    assert leftovers  # the half-built file of the killed import…
    found = pli("directory", "search", "lhuillier", "--json").ok().json()
    assert "810008888881" in [e["key"] for e in found["entries"]]
    # …and does not prevent the next import.
    pli("directory", "import", str(extraction.path)).ok()
