"""`pli xdm build|inspect` end to end (in-process through the composition root, and as a
subprocess), and English text for every document code."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import docfactories as make
import pytest

from app import bootstrap
from app.cli.messages import MESSAGES

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def pli(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> object:
    monkeypatch.setenv("PLI_TESTING", "1")
    profile = tmp_path / "profile"

    def run(*args: str) -> tuple[int, str, str]:
        code = bootstrap.main(["--profile", str(profile), *args])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def _build_args(pdf: Path, out: Path, *extra: str) -> list[str]:
    return [
        "xdm",
        "build",
        "--pdf",
        str(pdf),
        "--patient-ins",
        make.VALID_INS,
        "--patient-name",
        "Corse",
        "--patient-given",
        "Figatellix",
        "--patient-birth-date",
        "1988-10-12",
        "--type-code",
        "18748-4",
        "--title",
        "ECHOGRAPHIE ABDOMINOPELVIENNE",
        "--act-date",
        "2022-05-31",
        "--out",
        str(out),
        *extra,
    ]


def test_build_then_inspect(pli: object, tmp_path: Path) -> None:
    run = pli  # type: ignore[assignment]
    pdf = tmp_path / "cr.pdf"
    pdf.write_bytes(make.text_pdf(3))
    out = tmp_path / "IHE_XDM.zip"
    code, stdout, stderr = run(*_build_args(pdf, out, "--author-name", "Martin", "--json"))
    assert (code, stderr) == (0, "")
    built = json.loads(stdout)
    assert built["subject"] == (
        "XDM/1.0/DDM+ECHOGRAPHIE ABDOMINOPELVIENNE CORSE Figatellix 12/10/1988"
    )
    assert built["headers"] == {"X-MSS-CODECDA": "18748-4", "X-MSS-INS": "O"}
    assert built["pdf_name"] == "20220531_CR d'imagerie médicale_CORSE_Figatellix.pdf"
    assert out.stat().st_size == built["size"]

    code, stdout, stderr = run("xdm", "inspect", str(out))
    assert (code, stderr) == (0, "")
    lines = stdout.splitlines()
    assert lines[0] == f"Patient: Figatellix CORSE, born 12/10/1988, {make.VALID_INS} (INS-NIR)"
    assert "Documents: 1" in lines
    [doc_line] = [line for line in lines if line.startswith("  1. ")]
    assert doc_line.startswith("  1. ECHOGRAPHIE ABDOMINOPELVIENNE | CR d'imagerie médicale")
    assert "MARTIN" in doc_line
    assert doc_line.endswith("| PDF in CDA level 1, 3 pages | ok")

    code, stdout, _ = run("xdm", "inspect", str(out), "--json")
    data = json.loads(stdout)
    assert code == 0
    assert data["ok"] is True
    assert data["patient"]["id"]["value"] == make.VALID_INS
    assert data["patient"]["id"]["domain"] == "ins_nir"
    [doc] = data["documents"]
    assert doc["unique_id"] == built["document_unique_id"]
    assert doc["cda"]["set_id"] == built["set_id"]
    assert (doc["hash_ok"], doc["size_ok"], doc["pdf"]["pages"]) == (True, True, 3)
    assert doc["type_code"]["code"] == "18748-4"


def test_build_never_overwrites_without_force(pli: object, tmp_path: Path) -> None:
    run = pli  # type: ignore[assignment]
    pdf = tmp_path / "cr.pdf"
    pdf.write_bytes(make.text_pdf())
    out = tmp_path / "x.zip"
    out.write_bytes(b"precious")
    code, stdout, stderr = run(*_build_args(pdf, out))
    assert code == 10
    assert stdout == ""
    assert stderr == f"pli: error: '{out}' already exists (use --force to replace it)\n"
    assert out.read_bytes() == b"precious"
    code, _, _ = run(*_build_args(pdf, out, "--force"))
    assert code == 0
    assert zipfile.is_zipfile(out)


@pytest.mark.parametrize(
    ("content", "code", "message"),
    [
        (make.encrypted_pdf(), 10, "the PDF is protected by a password"),
        (make.truncated_pdf(), 10, "the PDF is incomplete"),
        (make.png(), 10, "only a PDF can be packaged"),
    ],
)
def test_build_refuses_bad_pdfs(
    pli: object, tmp_path: Path, content: bytes, code: int, message: str
) -> None:
    run = pli  # type: ignore[assignment]
    pdf = tmp_path / "in.pdf"
    pdf.write_bytes(content)
    out = tmp_path / "out.zip"
    result, stdout, stderr = run(*_build_args(pdf, out))
    assert result == code
    assert stdout == ""
    assert stderr.startswith(f"pli: error: {message}")
    assert stderr.count("\n") == 1
    assert not out.exists()


def test_build_validates_the_ins(pli: object, tmp_path: Path) -> None:
    run = pli  # type: ignore[assignment]
    pdf = tmp_path / "in.pdf"
    pdf.write_bytes(make.text_pdf())
    args = _build_args(pdf, tmp_path / "o.zip")
    args[args.index(make.VALID_INS)] = "279035121518980"
    code, _, stderr = run(*args)
    assert code == 3
    assert "control key does not match" in stderr


def test_build_warns_about_active_content(pli: object, tmp_path: Path) -> None:
    run = pli  # type: ignore[assignment]
    pdf = tmp_path / "in.pdf"
    pdf.write_bytes(make.javascript_pdf())
    code, _, stderr = run(*_build_args(pdf, tmp_path / "o.zip"))
    assert code == 0
    assert stderr == "pli: warning: the PDF has active content: javascript\n"


def test_inspect_tampered_package_fails(pli: object, tmp_path: Path) -> None:
    run = pli  # type: ignore[assignment]
    from app.documents.xdm_writer import build_xdm

    built = build_xdm(make.text_pdf(), patient=make.patient(), document=make.outgoing())
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(built.zip_bytes)) as source,
        zipfile.ZipFile(out, "w") as target,
    ):
        for info in source.infolist():
            data = source.read(info)
            if info.filename.endswith("DOC0001.XML"):
                data = data.replace(b"ECHOGRAPHIE", b"ECHOGRAPHIX")  # same size, other hash
            target.writestr(info, data)
    path = tmp_path / "IHE_XDM.zip"
    path.write_bytes(out.getvalue())
    code, stdout, stderr = run("xdm", "inspect", str(path), "--json")
    assert code == 10
    data = json.loads(stdout)
    assert data["ok"] is False
    assert [p["code"] for p in data["documents"][0]["problems"]] == ["xdm.hash_mismatch"]
    assert stderr == "pli: error: the package failed 1 check(s): see above\n"
    code, stdout, _ = run("xdm", "inspect", str(path))
    assert "  error: document 1: the file does not match its SHA-1 hash" in stdout


def test_inspect_refuses_a_zip_bomb(pli: object, tmp_path: Path) -> None:
    run = pli  # type: ignore[assignment]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("IHE_XDM/SUBSET01/DOC0001.XML", b"\0" * (32 * 1024 * 1024))
    path = tmp_path / "bomb.zip"
    path.write_bytes(out.getvalue())
    code, stdout, stderr = run("xdm", "inspect", str(path))
    assert (code, stdout) == (10, "")
    assert "possible zip bomb" in stderr


def test_inspect_missing_file(pli: object, tmp_path: Path) -> None:
    run = pli  # type: ignore[assignment]
    code, _, stderr = run("xdm", "inspect", str(tmp_path / "absent.zip"))
    assert code == 4
    assert stderr == f"pli: error: '{tmp_path / 'absent.zip'}' does not exist\n"


def test_real_command_line(tmp_path: Path) -> None:
    pdf = tmp_path / "cr.pdf"
    pdf.write_bytes(make.text_pdf())
    out = tmp_path / "IHE_XDM.zip"
    env = {**os.environ, "PLI_TESTING": "1"}
    base = [sys.executable, "-m", "app", "--profile", str(tmp_path / "p")]
    built = subprocess.run(
        [*base, *_build_args(pdf, out)], capture_output=True, text=True, env=env, cwd=ROOT
    )
    assert built.returncode == 0, built.stderr
    assert "X-MSS-INS: O" in built.stdout.splitlines()
    inspected = subprocess.run(
        [*base, "xdm", "inspect", str(out), "--json"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
    )
    assert inspected.returncode == 0, inspected.stderr
    assert json.loads(inspected.stdout)["documents"][0]["title"] == "ECHOGRAPHIE ABDOMINOPELVIENNE"


_CODE = re.compile(
    r"""["']((?:attachment|zip|pdf|image|rtf|cda|xdm|export|document)\.[a-z_]+)["']"""
)


def test_every_document_code_has_an_english_text() -> None:
    sources = [*(ROOT / "app" / "documents").glob("*.py"), ROOT / "app" / "cli" / "documents.py"]
    codes: set[str] = set()
    for source in sources:
        codes.update(_CODE.findall(source.read_text(encoding="utf-8")))
    # Codes built from a CDA problem ("cda.embedded_undecodable" -> "xdm.embedded_undecodable").
    codes.add("xdm.embedded_undecodable")
    codes.discard("cda.embedded_undecodable")
    assert len(codes) > 50
    assert sorted(c for c in codes if c not in MESSAGES) == []
