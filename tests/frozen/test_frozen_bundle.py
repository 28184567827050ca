"""The PyInstaller bundle (dist/pli) works on its own: `make test-frozen` builds it, then runs
these. Each test runs the frozen executable as a user would, from a copy in another folder."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
import sqlcipher3
from fpdf import FPDF
from frozen_support import ROOT, Runner, project_version

from app.credentials.data_keys import DataKeyManager
from app.store.database import schema_version

pytestmark = pytest.mark.frozen

PASSPHRASE = "correct horse battery staple"
VALID_INS = "279035121518989"  # a valid test INS (key 89), as in tests/unit/documents


def _internal(bundle: Path) -> Path:
    return bundle / "_internal"  # PyInstaller 6 onedir: sys._MEIPASS


def test_version_is_the_project_version(pli: Runner, build_info: dict[str, Any]) -> None:
    result = pli("--version")
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == f"pli {project_version()}\n"
    assert build_info["version"] == project_version()


def test_help_lists_every_command_area(pli: Runner) -> None:
    result = pli("--help")
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.startswith("usage: pli ")
    for command in ("account", "sync", "search", "send", "templates", "xdm", "directory"):
        assert f"    {command}" in result.stdout, command
    # No arguments opens the window (tests/frozen/test_frozen_window.py starts it offscreen).


def test_account_list_creates_an_encrypted_archive(pli: Runner, tmp_path: Path) -> None:
    profile = tmp_path / "profil Hélène"
    result = pli(
        "--profile", str(profile), "account", "list", "--json", env={"PLI_PASSPHRASE": PASSPHRASE}
    )
    assert (result.returncode, result.stderr) == (0, "")
    assert json.loads(result.stdout) == {"accounts": []}

    archive = profile / "archive.db"
    assert archive.read_bytes()[:16] != b"SQLite format 3\x00"  # no clear SQLite header
    with pytest.raises(sqlite3.DatabaseError, match="not a database"):
        sqlite3.connect(archive).execute("SELECT count(*) FROM sqlite_master").fetchone()
    assert json.loads((profile / "profile.json").read_text("utf-8"))["protection"] == "passphrase"

    # The frozen build applied exactly the migrations of this source tree: the engine opens the
    # archive with the key wrapped under the passphrase and finds the current schema version.
    key = DataKeyManager(profile / "profile.json").unlock(PASSPHRASE)
    conn = sqlcipher3.connect(str(archive))
    try:
        conn.execute(f"PRAGMA key = \"x'{key.hex}'\"")
        assert conn.execute("PRAGMA user_version").fetchone()[0] == schema_version()
    finally:
        conn.close()

    again = pli("--profile", str(profile), "account", "list", env={"PLI_PASSPHRASE": PASSPHRASE})
    assert (again.returncode, again.stderr) == (0, "")
    wrong = pli(
        "--profile", str(profile), "account", "list", env={"PLI_PASSPHRASE": "not the passphrase"}
    )
    assert wrong.returncode == 9
    assert wrong.stderr.startswith("pli: error: ")


def test_templates_are_the_shipped_ones(pli: Runner, tmp_path: Path) -> None:
    profile = str(tmp_path / "profile")
    result = pli("--profile", profile, "templates", "--json")
    assert (result.returncode, result.stderr) == (0, "")
    found = {item["id"] for item in json.loads(result.stdout)["templates"]}
    shipped = {path.stem for path in (ROOT / "resources" / "templates").glob("*.json")}
    assert shipped
    assert found == shipped
    one = pli("--profile", profile, "templates", sorted(shipped)[0])
    assert (one.returncode, one.stderr) == (0, "")


def _pdf(pages: int) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_font("Helvetica", size=11)
    for number in range(1, pages + 1):
        pdf.add_page()
        pdf.cell(0, 10, f"Compte rendu, page {number}")
    return bytes(pdf.output())


def test_xdm_build_then_inspect(pli: Runner, tmp_path: Path) -> None:
    pdf = tmp_path / "compte rendu.pdf"
    pdf.write_bytes(_pdf(2))
    package = tmp_path / "IHE_XDM.zip"
    profile = str(tmp_path / "profile")
    built = pli(
        *("--profile", profile, "xdm", "build", "--pdf", str(pdf), "--out", str(package)),
        *("--patient-ins", VALID_INS, "--patient-name", "Corse", "--patient-given", "Figatellix"),
        *("--patient-birth-date", "1988-10-12", "--type-code", "18748-4", "--json"),
        *("--title", "ECHOGRAPHIE ABDOMINALE", "--act-date", "2026-05-31"),
    )
    assert (built.returncode, built.stderr) == (0, "")
    made = json.loads(built.stdout)
    assert made["headers"] == {"X-MSS-CODECDA": "18748-4", "X-MSS-INS": "O"}
    assert package.stat().st_size == made["size"]

    inspected = pli("--profile", profile, "xdm", "inspect", str(package), "--json")
    assert (inspected.returncode, inspected.stderr) == (0, "")
    data = json.loads(inspected.stdout)
    assert data["ok"] is True
    assert data["patient"]["id"]["value"] == VALID_INS
    [document] = data["documents"]
    assert (document["hash_ok"], document["size_ok"], document["pdf"]["pages"]) == (True, True, 2)


def test_trust_anchors_are_the_repository_ones(bundle: Path) -> None:
    for name in ("igc-sante-prod.pem", "igc-sante-test.pem"):
        shipped = _internal(bundle) / "app" / "resources" / "trust" / name
        assert shipped.read_bytes() == (ROOT / "resources" / "trust" / name).read_bytes()
    assert (
        b"-----BEGIN CERTIFICATE-----"
        in (_internal(bundle) / "app" / "resources" / "trust" / "igc-sante-prod.pem").read_bytes()
    )


def test_migrations_are_the_repository_ones(bundle: Path) -> None:
    bundled = _internal(bundle) / "app" / "store" / "migrations"
    source = ROOT / "app" / "store" / "migrations"
    assert sorted(p.name for p in bundled.glob("*.sql")) == sorted(
        p.name for p in source.glob("*.sql")
    )


def _source_modules() -> set[str]:
    names = set()
    for path in (ROOT / "app").rglob("*.py"):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        names.add(".".join(parts))
    return names


def test_every_module_is_frozen_and_no_build_tool(build_info: dict[str, Any]) -> None:
    frozen = set(build_info["modules"])
    assert _source_modules() - frozen == set()
    # keyring discovers its backends through entry points: the Windows one must be there.
    for module in ("keyring.backends.Windows", "keyring.backends.SecretService",
                   "sqlcipher3.dbapi2", "cryptography.hazmat.primitives.ciphers.aead",
                   "pypdf", "PIL.Image", "imapclient", "platformdirs"):  # fmt: skip
        assert module in frozen, module
    for unwanted in ("pytest", "mypy", "PyInstaller", "pip", "setuptools", "tkinter"):
        assert not any(m == unwanted or m.startswith(unwanted + ".") for m in frozen), unwanted


def test_keyring_backends_are_discoverable(bundle: Path) -> None:
    [entry_points] = _internal(bundle).glob("keyring-*.dist-info/entry_points.txt")
    text = entry_points.read_text("utf-8")
    assert "[keyring.backends]" in text
    assert "Windows = keyring.backends.Windows" in text


def test_lgpl_fpdf2_is_replaceable(bundle: Path, build_info: dict[str, Any]) -> None:
    # fpdf2 is LGPL-3.0: shipped as source files a user can swap, not inside the PYZ archive
    # (every command imports it at start, so the other tests prove it loads from there).
    assert (_internal(bundle) / "fpdf" / "fpdf.py").is_file()
    assert not any(m == "fpdf" or m.startswith("fpdf.") for m in build_info["modules"])


def test_licence_texts_are_shipped(bundle: Path) -> None:
    licences = _internal(bundle) / "licences"
    for name in ("Python", "sqlcipher3", "cryptography", "pillow", "pypdf", "fpdf2", "keyring"):
        texts = [path for path in (licences / name).iterdir() if path.stat().st_size > 200]
        assert texts, name
    assert not (licences / "pyinstaller").exists()  # build tools are not shipped
