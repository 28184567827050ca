"""Crash safety of the outbox: kill -9 at random points of sending, resume: every message is
delivered exactly once, filed once in Sent, and no hidden copy is left in the inbox."""

from __future__ import annotations

import random
import time
from pathlib import Path

import pytest

from tests.support.archive_dump import open_archive
from tests.support.cli import PASSPHRASE, Pli

pytestmark = [pytest.mark.integration, pytest.mark.slow]

COUNT = 12


def queue_messages(pli: Pli, name: str, account, to: str, tmp_path: Path) -> list[str]:
    """Write COUNT messages while the submission server is unreachable: all queued."""
    good = f"{account.smtp_host}:{account.smtp_port}"
    pli("account", "set", name, "--smtp", "127.0.0.1:9").ok()
    body = tmp_path / "body.txt"
    # Large enough that submitting and filing take a while: kills land inside that work.
    body.write_text("Compte rendu détaillé de consultation. " * 12_000, encoding="utf-8")
    ids = []
    for n in range(COUNT):
        result = pli(
            "send", "--to", to, "--subject", f"Message {n}", "--body-file", str(body), "--json"
        )
        assert result.code == 75, result.err
        ids.append(result.json()["message_id"])
    pli("account", "set", name, "--smtp", good).ok()
    return ids


def _states(archive) -> list[str]:
    return [r[0] for r in archive.conn.execute("SELECT state FROM outbox ORDER BY id")]


def test_kill_9_while_sending_then_resume_delivers_each_message_once(
    tmp_path: Path, mail_account_factory, smtp_server
) -> None:
    a_account, b_account = mail_account_factory(), mail_account_factory()
    pli = Pli(tmp_path / "crashed")
    pli.add_account("cab", a_account)
    # Unconfirmed submissions are looked for this long before being sent again (the default
    # of two minutes would only slow the test down).
    (pli.profile / "settings.json").write_text('{"sending": {"uncertain_grace_seconds": 3}}')
    ids = queue_messages(pli, "cab", a_account, b_account.address, tmp_path)
    rng = random.Random(42)
    kills = 0
    progress = []
    watcher = open_archive(pli.profile, PASSPHRASE)
    try:
        for _attempt in range(8):  # kill -9 while sending, then let it finish
            before = _states(watcher)
            if set(before) == {"filed"}:
                break
            process = pli.popen("outbox", "--flush")
            # Wait for the run to start working (a state changes), then kill it a random
            # moment later: inside a submission, between submission and filing, in a filing.
            deadline = time.monotonic() + 30
            while _states(watcher) == before and process.poll() is None:
                assert time.monotonic() < deadline, "the flush never started"
                time.sleep(0.005)
            time.sleep(rng.uniform(0.0, 0.4))
            finished = process.poll() is not None
            if not finished:
                process.kill()
            _out, err = process.communicate()
            if finished:
                assert process.returncode == 0, err
                break
            kills += 1
            progress.append(_states(watcher))
    finally:
        watcher.close()
    assert kills >= 3, f"kills must interrupt sending to mean anything: {progress}"
    for _round in range(20):  # uncertain ones are looked for, then sent if not found
        done = pli.run_process("outbox", "--flush")
        if done.code == 0:
            break
        assert done.code == 75, done.err
        time.sleep(1)

    entries = pli("outbox", "--json").ok().json()["entries"]
    assert sorted(e["message_id"] for e in entries) == sorted(ids)
    assert {e["state"] for e in entries} == {"filed"}
    audit = pli("audit", "--json").json()["entries"]
    for message_id in ids:
        # A transaction whose client was killed before the server finished it is recorded
        # but never delivered: what counts is delivery.
        transactions = [
            t
            for t in smtp_server.transactions_with_message_id(message_id)
            if any(r.status == "delivered" for r in t.results.values())
        ]
        history = [
            (e["time"], e["action"], e["outcome"], e["detail"])
            for e in audit
            if e["target"] == message_id
        ]
        assert len(transactions) == 1, (
            f"{message_id} delivered {len(transactions)} times: {history} {progress}"
        )
    received = [m.message_id for m in b_account.dovecot.messages(b_account.address)]
    assert sorted(received) == sorted(ids)
    filed = [m.message_id for m in a_account.dovecot.messages(a_account.address, "Sent")]
    assert sorted(filed) == sorted(ids)
    assert a_account.dovecot.messages(a_account.address, "INBOX") == []
