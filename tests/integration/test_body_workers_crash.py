"""`pli sync` killed while its body workers run: no worker outlives it, nothing half-adopted.

The workers watch their parent (its sentinel) and exit when it dies; a spool they were writing
is never referenced (it is adopted as a segment only in the transaction that commits its rows),
and the next sync removes nothing it needs and fetches only what is missing.
"""

from __future__ import annotations

import json
import os
import random
import signal
import time
from pathlib import Path

import pytest

from tests.support.archive_dump import dump
from tests.support.cli import PASSPHRASE, Pli
from tests.support.mail import message, tiny_pdf

pytestmark = [pytest.mark.integration, pytest.mark.slow]

COUNT = 600  # a first sync of at least 500 messages starts its workers while it lists


def _seed(account) -> None:
    rng = random.Random(3)
    messages = []
    for n in range(COUNT):
        pdf = tiny_pdf(f"Document {n}") + b"%" + rng.randbytes(40_000).hex().encode()
        raw, _ = message(
            subject=f"Compte rendu {n}",
            body=f"Cher confrère, {n}. " + "Lorem ipsum cardiologie. " * 60,
            pdf=pdf if n % 2 == 0 else None,
        )
        messages.append(raw)
    account.dovecot.deliver_many(account.address, "INBOX", messages)


def _children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            found |= {int(c) for c in (task / "children").read_text().split()}
        except OSError:
            continue
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads /proc (Linux)")
def test_workers_end_with_a_killed_sync_and_the_resumed_sync_completes(
    tmp_path: Path, mail_account
) -> None:
    _seed(mail_account)
    pli = Pli(tmp_path / "profile")
    pli.add_account("cab", mail_account)
    incoming = pli.profile / "blobs" / "incoming"
    process = pli.popen("sync", "--quiet")
    workers: set[int] = set()
    deadline = time.monotonic() + 120
    # Killed once bodies are being written by the workers (a spool exists).
    while time.monotonic() < deadline and process.poll() is None:
        workers |= _children(process.pid)
        if incoming.exists() and any(incoming.iterdir()):
            break
        time.sleep(0.02)
    assert process.poll() is None, "the sync ended before its workers wrote anything"
    workers |= _children(process.pid)
    os.kill(process.pid, signal.SIGKILL)
    process.communicate()
    assert workers, "the bodies must be fetched by worker processes"
    deadline = time.monotonic() + 20
    while any(_alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(w) for w in workers), "a body worker outlived its sync"

    report = json.loads(pli.run_process("sync", "--json", "--no-index").ok().out)["accounts"][0]
    assert report["missing_bodies"] == 0
    # What the killed sync committed is kept (often nothing: it was killed at its first job).
    assert 0 < report["bodies_archived"] <= COUNT
    archive = dump(pli.profile, PASSPHRASE)
    assert archive["counts"]["messages"] == COUNT
    assert archive["counts"]["message_bodies"] == COUNT
    assert archive["integrity"] == []
    # Every archived body reads back (dump opened each); no spool of ours is left.
    assert all(m[12] is not None for m in archive["messages"])
    assert not incoming.exists() or list(incoming.iterdir()) == []
