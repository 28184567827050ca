"""`pli account remove NAME --keep-archive`: the mailbox goes, its archive stays readable and
searchable offline, and `pli sync` says "archive only" instead of connecting (issue 13 §3)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from app.domain.errors import ValidationError
from app.services.outbox_actions import OutboxActionService
from tests.support.cli import Pli, open_profile
from tests.support.mail import message

pytestmark = pytest.mark.integration


@pytest.fixture
def pli(tmp_path: Path) -> Pli:
    return Pli(tmp_path / "profile")


def test_remove_keeping_the_archive(pli: Pli, mail_account) -> None:
    dove = mail_account.dovecot
    dove.deliver(mail_account.address, message(subject="Compte rendu opératoire")[0])
    dove.deliver(mail_account.address, message(subject="Rendez-vous de contrôle")[0])
    pli.add_account("cab", mail_account)
    pli("sync").ok()

    removed = pli("account", "remove", "cab", "--keep-archive", "--yes").ok()
    assert "archive is kept" in removed.out
    [listed] = pli("account", "list", "--json").ok().json()["accounts"]
    assert (listed["name"], listed["archive_only"], listed["messages"]) == ("cab", True, 2)

    # Readable and searchable, offline.
    messages = pli("list", "--account", "cab", "--json").ok().json()["messages"]
    assert {m["subject"] for m in messages} == {
        "Compte rendu opératoire",
        "Rendez-vous de contrôle",
    }
    found = pli("search", "operatoire", "--json").ok().json()["messages"]
    assert [m["subject"] for m in found] == ["Compte rendu opératoire"]
    first = next(m for m in messages if m["subject"] == "Compte rendu opératoire")
    assert "Compte rendu" in pli("show", str(first["id"]), "--json").ok().json()["subject"]

    # `pli sync` says so instead of failing, and connects to nothing.
    synced = pli("sync").ok()
    assert "cab: archive only" in synced.out
    assert pli("sync", "--json").ok().json()["archive_only"] == ["cab"]
    assert pli("sync", "cab").ok().out.startswith("cab: archive only")

    # Local changes are refused, in plain words.
    refused = pli("flag", str(first["id"]), "--set", "flagged")
    assert refused.code != 0
    assert "removed and its archive kept" in refused.err

    audit = pli("audit", "--json").ok().json()["entries"]
    actions = [e["action"] for e in audit]
    assert "account.retire" in actions
    assert "session.login" not in actions[actions.index("account.retire") :]


def test_messages_waiting_to_leave_a_retired_mailbox_are_marked_failed_not_left_waiting(
    pli: Pli, mail_account, tmp_path: Path
) -> None:
    pli.add_account("cab", mail_account)
    good = f"{mail_account.smtp_host}:{mail_account.smtp_port}"
    pli("account", "set", "cab", "--smtp", "127.0.0.1:9").ok()  # the server is unreachable
    body = tmp_path / "body.txt"
    body.write_text("Bonjour,\nvos résultats sont normaux.\n", encoding="utf-8")
    queued = pli(
        "send", "--to", mail_account.address, "--subject", "Résultats", "--body-file", str(body)
    )
    assert queued.code == 75, queued.err
    pli("account", "set", "cab", "--smtp", good).ok()

    removed = pli("account", "remove", "cab", "--keep-archive", "--yes").ok()
    assert "1 message(s) waiting in its outbox will not be sent" in removed.out
    [entry] = pli("outbox", "--json").ok().json()["entries"]
    assert (entry["state"], entry["last_error"]) == ("failed", "account.retired")
    # The window's "Réessayer" is refused in plain words; a flush sends nothing.
    with pytest.raises(ValidationError) as refused:
        asyncio.run(retry(pli.profile, entry["id"]))
    assert refused.value.code == "account.retired"
    assert pli("outbox", "--flush").code == 0
    assert mail_account.dovecot.messages(mail_account.address) == []
    actions = [e["action"] for e in pli("audit", "--json").ok().json()["entries"]]
    assert "session.login" not in actions[actions.index("account.retire") :]


async def retry(profile: Path, entry_id: int) -> None:
    services = await open_profile(profile)
    try:
        actions = OutboxActionService(services.store, services.accounts, services.outbox)
        await actions.retry(entry_id)
    finally:
        await services.aclose()
