"""kill -9 while recipients refused for now are tried again, then resume: each of them gets
every message exactly once, the others keep their single copy, Sent one copy of each, and no
hidden copy is left in the inbox."""

from __future__ import annotations

import random
import time
from pathlib import Path

import pytest

from tests.support.archive_dump import open_archive
from tests.support.cli import PASSPHRASE, Pli

pytestmark = [pytest.mark.integration, pytest.mark.slow]

COUNT = 8


def _refusals(archive) -> list[str]:
    return [r[0] or "" for r in archive.conn.execute("SELECT refused FROM outbox ORDER BY id")]


def test_kill_9_while_retrying_then_resume_delivers_each_waiting_recipient_once(
    tmp_path: Path, mail_account_factory, smtp_server
) -> None:
    a_account, b_account, c_account = (mail_account_factory() for _ in range(3))
    pli = Pli(tmp_path / "crashed")
    pli.add_account("cab", a_account)
    (pli.profile / "settings.json").write_text('{"sending": {"uncertain_grace_seconds": 3}}')
    good = f"{a_account.smtp_host}:{a_account.smtp_port}"
    pli("account", "set", "cab", "--smtp", "127.0.0.1:9").ok()
    body = tmp_path / "body.txt"
    # Large enough that a try takes a while: kills land inside it.
    body.write_text("Compte rendu détaillé de consultation. " * 12_000, encoding="utf-8")
    ids = []
    for n in range(COUNT):
        queued = pli(
            "send",
            "--to",
            b_account.address,
            c_account.address,
            "--subject",
            f"Message {n}",
            "--body-file",
            str(body),
            "--json",
        )
        assert queued.code == 75, queued.err
        ids.append(queued.json()["message_id"])
    pli("account", "set", "cab", "--smtp", good).ok()
    smtp_server.reject_recipient(c_account.address, 451, "4.3.0 Temporary lookup failure")
    assert pli("outbox", "--flush").code == 75  # sent to b; c waits (said, exit 75)
    entries = pli("outbox", "--json").ok().json()["entries"]
    assert {e["status"][c_account.address]["status"] for e in entries} == {"pending"}
    smtp_server.reset_faults()

    rng = random.Random(14)
    kills = 0
    watcher = open_archive(pli.profile, PASSPHRASE)
    try:
        for _attempt in range(8):
            before = _refusals(watcher)
            if all(r in ("", "[]") for r in before):
                break
            process = pli.popen("outbox", "--flush")
            deadline = time.monotonic() + 30
            while _refusals(watcher) == before and process.poll() is None:
                assert time.monotonic() < deadline, "the flush never started"
                time.sleep(0.005)
            time.sleep(rng.uniform(0.0, 0.3))
            finished = process.poll() is not None
            if not finished:
                process.kill()
            process.communicate()
            if finished:
                break
            kills += 1
    finally:
        watcher.close()
    assert kills >= 2, "kills must interrupt the tries to mean anything"
    for _round in range(20):  # unfinished tries are looked for, then made again if not found
        pli.run_process("outbox", "--flush")
        entries = pli("outbox", "--json").ok().json()["entries"]
        if all(e["refused"] == [] for e in entries):
            break
        time.sleep(1)
    assert all(e["refused"] == [] for e in entries), [e["refused"] for e in entries]
    for message_id in ids:
        delivered = [
            t
            for t in smtp_server.transactions_with_message_id(message_id)
            for address, result in t.results.items()
            if address.lower() == c_account.address.lower() and result.status == "delivered"
        ]
        assert len(delivered) == 1, f"{message_id} reached c {len(delivered)} times"
    received = [m.message_id for m in c_account.dovecot.messages(c_account.address)]
    assert sorted(received) == sorted(ids)
    received = [m.message_id for m in b_account.dovecot.messages(b_account.address)]
    assert sorted(received) == sorted(ids)
    pli("sync").ok()
    filed = [m.message_id for m in a_account.dovecot.messages(a_account.address, "Sent")]
    assert sorted(filed) == sorted(ids)
    assert a_account.dovecot.messages(a_account.address, "INBOX") == []
