"""Crash safety: kill -9 at random points of a sync, start again, the archive is identical."""

from __future__ import annotations

import random
import time
from pathlib import Path

import pytest

from tests.support.archive_dump import dump
from tests.support.cli import PASSPHRASE, Pli
from tests.support.mail import message, tiny_pdf

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def _seed(account, count: int) -> None:
    rng = random.Random(7)
    padding = "Lorem ipsum cardiologie échographie ordonnance. " * 40
    messages = []
    thread_root = None
    for n in range(count):
        pdf = (
            tiny_pdf(f"Document {n}") + b"%" + rng.randbytes(60_000).hex().encode()
            if n % 3 == 0
            else None
        )
        reply = thread_root if n % 10 == 5 else None
        raw, mid = message(
            subject=f"Compte rendu {n}",
            body=f"Cher confrère, {n}. {padding}",
            pdf=pdf,
            in_reply_to=reply,
            references=[reply] if reply else None,
        )
        if n % 10 == 0:
            thread_root = mid
        messages.append(raw)
    dove = account.dovecot
    dove.deliver_many(account.address, "INBOX", messages[: count // 2])
    dove.create_folder(account.address, "Dossiers")
    dove.deliver_many(account.address, "Dossiers", messages[count // 2 :], flags=["\\Seen"])


def test_kill_9_at_random_points_then_resume_gives_an_identical_archive(
    tmp_path: Path, mail_account
) -> None:
    _seed(mail_account, 600)
    reference = Pli(tmp_path / "reference")
    reference.add_account("cab", mail_account)
    started = time.monotonic()
    reference.run_process("sync", "--quiet").ok()
    duration = time.monotonic() - started

    expected = dump(reference.profile, PASSPHRASE)
    assert expected["fts_hits"] == 600
    total_kills = 0
    for seed in (2026, 7, 1234):
        crashed = Pli(tmp_path / f"crashed-{seed}")
        crashed.add_account("cab", mail_account)
        total_kills += _sync_with_kills(crashed, random.Random(seed), duration)
        crashed.run_process("sync", "--quiet").ok()
        actual = dump(crashed.profile, PASSPHRASE)
        assert actual["counts"] == expected["counts"]
        assert actual["messages"] == expected["messages"]
        assert actual["fts_hits"] == expected["fts_hits"]
        assert actual["folders"] == expected["folders"]
        assert actual["integrity"] == []
    assert total_kills >= 6, "the kills must interrupt syncs in progress to mean anything"


def _sync_with_kills(pli: Pli, rng: random.Random, duration: float) -> int:
    """Start `pli sync`, kill -9 it at a random moment, again, until one run completes."""
    for kills in range(30):
        process = pli.popen("sync", "--quiet")
        # Anywhere from start-up to the end of a whole sync: listing, bodies, commits. The
        # first two kills of a run fall in the first 40 % of a whole sync's time, so that each
        # run interrupts syncs in progress even though a resumed sync has less left to do.
        time.sleep(rng.uniform(0.2, duration * (0.4 if kills < 2 else 0.8)))
        finished = process.poll() is not None
        if not finished:
            process.kill()  # SIGKILL: no cleanup, no flush
        _out, err = process.communicate()
        if finished:
            assert process.returncode == 0, err
            return kills
    pytest.fail("the sync never completed between kills")
