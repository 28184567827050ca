"""Recipients refused only for now (4xx at RCPT) while others are accepted: the message leaves
for the others at once, and the waiting ones are tried again later, alone, with the same
message (RFC 5321 §4.5.4.1); nobody gets it twice, Sent holds one copy.

Through `pli` against the suite's SMTP server (which delivers into Dovecot, where the copies
are counted per recipient).
"""

from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path

import pytest

from app.domain.outbox import RETRY_LIFETIME_SECONDS
from app.store.database import transaction
from tests.support.archive_dump import open_archive
from tests.support.cli import PASSPHRASE, Pli

pytestmark = pytest.mark.integration

LOOKUP = "4.3.0 <{}>: Temporary lookup failure"


def _user(tmp_path: Path, account) -> Pli:
    pli = Pli(tmp_path / "a")
    pli.add_account("a", account)
    return pli


def _body(tmp_path: Path) -> str:
    path = tmp_path / "body.txt"
    path.write_text("Compte rendu de consultation.\n", encoding="utf-8")
    return str(path)


def _copies(account, message_id: str, folder: str = "INBOX") -> int:
    return sum(
        1 for m in account.dovecot.messages(account.address, folder) if m.message_id == message_id
    )


def _rcpts(smtp_server, message_id: str) -> Counter[str]:
    """Accepted envelope recipients of every transaction of the message, counted."""
    return Counter(
        r.lower() for t in smtp_server.transactions_with_message_id(message_id) for r in t.rcpt_tos
    )


def test_a_recipient_refused_for_now_gets_the_message_later_and_only_once(
    tmp_path: Path, mail_account_factory, smtp_server
) -> None:
    a_account, b_account, c_account = (mail_account_factory() for _ in range(3))
    a = _user(tmp_path, a_account)
    smtp_server.reject_recipient(c_account.address, 451, LOOKUP.format(c_account.address))
    sent = a(
        "send",
        "--to",
        b_account.address,
        c_account.address,
        "--subject",
        "Deux",
        "--body-file",
        _body(tmp_path),
    )
    assert sent.code == 0, sent.err
    assert "not accepted for now" in sent.out and "Temporary lookup failure" in sent.out
    (entry,) = a("outbox", "--json").ok().json()["entries"]
    message_id = entry["message_id"]
    # Left for b at once, filed in Sent once; c waits with the server's words (not failed).
    assert entry["state"] == "filed"
    assert entry["status"][b_account.address]["status"] == "submitted"
    waiting = entry["status"][c_account.address]
    assert waiting["status"] == "pending"
    assert waiting["detail"].startswith("451 4.3.0") and "Temporary lookup" in waiting["detail"]
    table = a("outbox").ok().out
    assert "waiting (the server answered: 451 4.3.0" in table
    assert _copies(b_account, message_id) == 1 and _copies(c_account, message_id) == 0
    assert _copies(a_account, message_id, "Sent") == 1
    assert _copies(a_account, message_id) == 0  # the hidden copy left the inbox

    # The server is still refusing: an explicit flush tries again, c still waits (exit 75,
    # said), with when it is tried next.
    flushed = a("outbox", "--flush")
    assert flushed.code == 75, flushed
    assert "1 recipient(s) not accepted for now" in flushed.err
    (entry,) = a("outbox", "--json").ok().json()["entries"]
    assert entry["status"][c_account.address]["status"] == "pending"
    assert [r["attempts"] for r in entry["refused"]] == [2]
    (later,) = entry["waiting"]
    assert later["address"] == c_account.address and later["attempts"] == 2
    assert later["next_try"] > later["since"] and "Temporary lookup failure" in later["reason"]

    # The server recovered; the automatic flush of a sync does not try before the time comes
    # (backoff: minutes, not seconds) …
    smtp_server.reset_faults()
    a("sync").ok()
    assert _copies(c_account, message_id) == 0
    # … and does once it has come: to c alone, the same message.
    _age_waiting(a, 3600)
    a("sync").ok()
    assert _copies(c_account, message_id) == 1
    assert _copies(b_account, message_id) == 1
    assert _rcpts(smtp_server, message_id) == Counter(
        {b_account.address.lower(): 1, c_account.address.lower(): 1, a_account.address.lower(): 2}
    )
    (entry,) = a("outbox", "--json").ok().json()["entries"]
    assert entry["state"] == "filed" and entry["refused"] == []
    assert {r: s["status"] for r, s in entry["status"].items()} == {
        b_account.address.lower(): "submitted",
        c_account.address.lower(): "submitted",
    }
    # One copy in Sent, none left in the inbox (this try's hidden copy was taken out too).
    a("sync").ok()
    assert _copies(a_account, message_id, "Sent") == 1
    assert _copies(a_account, message_id) == 0
    # Nothing more to do: another flush sends nothing.
    a("outbox", "--flush").ok()
    assert _copies(c_account, message_id) == 1 and _copies(b_account, message_id) == 1


def test_a_recipient_refused_for_good_at_the_new_try_fails_with_the_server_s_words(
    tmp_path: Path, mail_account_factory, smtp_server
) -> None:
    a_account, b_account, c_account = (mail_account_factory() for _ in range(3))
    a = _user(tmp_path, a_account)
    smtp_server.reject_recipient(c_account.address, 451, LOOKUP.format(c_account.address))
    a(
        "send",
        "--to",
        b_account.address,
        c_account.address,
        "--subject",
        "x",
        "--body-file",
        _body(tmp_path),
    ).ok()
    smtp_server.reject_recipient(c_account.address, 550, "5.1.1 <x>: User unknown")
    a("outbox", "--flush").ok()
    (entry,) = a("outbox", "--json").ok().json()["entries"]
    assert entry["status"][c_account.address]["status"] == "failed"
    assert entry["status"][c_account.address]["detail"] == "550 5.1.1 <x>: User unknown"
    assert entry["status"][b_account.address]["status"] == "submitted"
    assert not any(r.get("pending") for r in entry["refused"])
    assert _copies(c_account, entry["message_id"]) == 0
    assert _copies(b_account, entry["message_id"]) == 1


def _send_with_one_waiting(tmp_path: Path, a: Pli, b_account, c_account, smtp_server) -> str:
    smtp_server.reject_recipient(c_account.address, 451, LOOKUP.format(c_account.address))
    sent = a(
        "send",
        "--to",
        b_account.address,
        c_account.address,
        "--subject",
        "Deux",
        "--body-file",
        _body(tmp_path),
        "--json",
    ).ok()
    return str(sent.json()["message_id"])


def _age_waiting(pli: Pli, seconds: int) -> None:
    """Move the waiting recipients' first refusal and next try `seconds` back (the clock is
    not ours)."""
    archive = open_archive(pli.profile, PASSPHRASE)
    try:
        for entry_id, refused in archive.conn.execute(
            "SELECT id, refused FROM outbox WHERE refused IS NOT NULL"
        ).fetchall():
            records = json.loads(refused)
            for record in records:
                if record.get("pending"):
                    record["since"] -= seconds
                    record["next"] -= seconds
            with transaction(archive.conn):
                archive.conn.execute(
                    "UPDATE outbox SET refused = ? WHERE id = ?", (json.dumps(records), entry_id)
                )
    finally:
        archive.close()


def test_a_recipient_refused_for_now_for_too_long_fails_with_the_server_s_words(
    tmp_path: Path, mail_account_factory, smtp_server
) -> None:
    a_account, b_account, c_account = (mail_account_factory() for _ in range(3))
    a = _user(tmp_path, a_account)
    message_id = _send_with_one_waiting(tmp_path, a, b_account, c_account, smtp_server)
    # Still refused after a while: it waits on.
    _age_waiting(a, RETRY_LIFETIME_SECONDS // 2)
    assert a("outbox", "--flush").code == 75
    (entry,) = a("outbox", "--json").ok().json()["entries"]
    assert entry["status"][c_account.address]["status"] == "pending"
    # Still refused past the limit: failed for good, with what the server said.
    _age_waiting(a, RETRY_LIFETIME_SECONDS // 2)
    a("outbox", "--flush").ok()
    (entry,) = a("outbox", "--json").ok().json()["entries"]
    status = entry["status"][c_account.address]
    assert status["status"] == "failed"
    assert status["detail"] == f"451 {LOOKUP.format(c_account.address)}"
    assert [(r["expired"], r["attempts"]) for r in entry["refused"]] == [(True, 3)]
    # Nothing tries it again any more, and b got it once.
    smtp_server.reset_faults()
    a("outbox", "--flush").ok()
    assert _copies(c_account, message_id) == 0
    assert _copies(b_account, message_id) == 1


@pytest.mark.parametrize("delivered", [True, False], ids=["delivered", "not-delivered"])
def test_a_new_try_whose_answer_is_lost_is_looked_for_before_sending_again(
    tmp_path: Path, mail_account_factory, smtp_server, delivered: bool
) -> None:
    a_account, b_account, c_account = (mail_account_factory() for _ in range(3))
    a = _user(tmp_path, a_account)
    (a.profile / "settings.json").write_text('{"sending": {"uncertain_grace_seconds": 600}}')
    message_id = _send_with_one_waiting(tmp_path, a, b_account, c_account, smtp_server)
    smtp_server.reset_faults()
    # The connection drops after the data, before the answer (as when Pli is killed there):
    # the try stays claimed in the archive.
    smtp_server.drop_after_data(deliver=delivered)
    a.run_process("outbox", "--flush")
    (entry,) = a("outbox", "--json").ok().json()["entries"]
    assert [r.get("retrying") is not None for r in entry["refused"]] == [True]
    assert _copies(c_account, message_id) == int(delivered)
    if not delivered:
        # Within the grace period nothing is sent again (its copy may be on its way).
        a("outbox", "--flush")
        assert _copies(c_account, message_id) == 0
        # Past the grace period: certainly not sent, so sent (once).
        (a.profile / "settings.json").write_text('{"sending": {"uncertain_grace_seconds": 1}}')
        time.sleep(1.5)
    for _round in range(3):
        a("outbox", "--flush")
    # Exactly once for c (found on the server, or sent again once it was certainly not),
    # once for b; Sent one copy; no hidden copy left in the inbox.
    assert _copies(c_account, message_id) == 1
    assert _copies(b_account, message_id) == 1
    (entry,) = a("outbox", "--json").ok().json()["entries"]
    assert entry["refused"] == []
    assert entry["status"][c_account.address]["status"] == "submitted"
    a("sync").ok()
    assert _copies(a_account, message_id, "Sent") == 1
    assert _copies(a_account, message_id) == 0
