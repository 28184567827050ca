"""`pli --self-test`: every check passes on this installation, and a broken one is named in
plain words with a failing exit status."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from app.services import self_test

REPO = Path(__file__).resolve().parents[2]


def test_self_test_of_the_source_install_passes() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "app", "--self-test"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    for name in (
        "encrypted archive",
        "trust store",
        "window (Qt)",
        "PDF viewer",
        "French translation",
    ):
        assert any(line.startswith("ok") and name in line for line in lines), done.stdout
    assert lines[-1] == "Everything works."


async def test_a_missing_translation_is_said_in_plain_words(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(self_test, "TRANSLATION_AREAS", ("frame", "klingon"))
    outcomes = await self_test.run_self_test()
    failed = [o for o in outcomes if not o.ok]
    assert [o.name for o in failed] == ["translations"]
    assert failed[0].problem == "French translation missing for: klingon"
    lines = self_test.report_lines(outcomes)
    assert lines[-1] == "1 check(s) failed: Pli may not work correctly here."
