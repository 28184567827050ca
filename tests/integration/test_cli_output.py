"""What `pli` prints when things go wrong or stop short (issue 14 #10): a closed pipe ends
quietly, an error is one line (the sentence, then the code in brackets), a search cut at its
limit says so."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.integration.test_sending import body_file, make_user
from tests.support.cli import REPO, Pli
from tests.support.mail import message

pytestmark = pytest.mark.integration


def test_a_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    pli = Pli(tmp_path / "profile")
    process = subprocess.Popen(
        [sys.executable, "-m", "app", "--profile", str(pli.profile), "account", "list"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=pli.env(),
        cwd=REPO,
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # the reader is gone before anything is printed (`| head`)
    with process.stderr:
        err = process.stderr.read().decode()
    assert process.wait(timeout=60) == 141
    assert err == ""


def test_a_refusal_is_one_line_with_its_code_in_brackets(tmp_path: Path, mail_account) -> None:
    a = make_user(tmp_path, mail_account, "cab")
    (a.profile / "settings.json").write_text('{"sending": {"patient_limit_bytes": 2000}}')
    big = a(
        "send",
        "--to",
        "279035121518989@patient.mssante.fr",
        "--subject",
        "x",
        "--body-file",
        body_file(tmp_path, "x" * 5000),
        "--patient-name",
        "L",
        "--patient-given",
        "E",
    )
    assert big.code == 3
    errors = [line for line in big.err.splitlines() if line.startswith("pli: error:")]
    (line,) = errors
    assert "is larger than" in line and line.endswith("[size.too_large]")
    # No line holds a raw code alone after the sentence.
    assert not any(line.rstrip().endswith(": size.too_large") for line in big.err.splitlines())


def test_a_search_cut_at_its_limit_says_so(tmp_path: Path, mail_account) -> None:
    for n in range(4):
        mail_account.dovecot.deliver(
            mail_account.address, message(subject=f"Bilan sanguin {n}", body="glycémie")[0]
        )
    a = make_user(tmp_path, mail_account, "cab")
    a("sync").ok()
    cut = a("search", "glycémie", "--limit", "3", "--json").ok()
    assert len(cut.json()["messages"]) == 3
    assert cut.json()["truncated"] is True
    assert "only the first 3 results" in cut.err
    whole = a("search", "glycémie", "--limit", "10", "--json").ok()
    assert len(whole.json()["messages"]) == 4
    assert whole.json()["truncated"] is False
    assert "only the first" not in whole.err
