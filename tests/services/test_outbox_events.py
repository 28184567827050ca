"""What the writing services publish: outbox states and counts, delivery status, drafts,
patient conversations and accounts, asserted on a strict bus (a failing subscriber fails).

The services are built in-process on a profile made by `pli`, and talk to the suite's SMTP
server and Dovecot.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

import pytest

from app.domain.events import (
    AccountAdded,
    AccountChanged,
    AccountRemoved,
    DeliveryStatusChanged,
    DraftDeleted,
    DraftSaved,
    Event,
    OutboxChanged,
    OutboxCounts,
    PatientConversationChanged,
)
from app.services.compose_service import Outgoing, SendVerdict
from app.services.container import Services
from app.services.event_bus import EventBus
from tests.support.cli import Pli, open_profile

pytestmark = pytest.mark.integration

E = TypeVar("E", bound=Event)
T = TypeVar("T")

INS = "279035121518989"
PATIENT = f"{INS}@patient.mssante.fr"


class Recorder:
    """Every event published (the bus holds handlers weakly: this object keeps it)."""

    def __init__(self, bus: EventBus) -> None:
        self.events: list[Event] = []
        bus.subscribe(Event, self.on_event)

    def on_event(self, event: Event) -> None:
        self.events.append(event)

    def of(self, kind: type[E]) -> list[E]:
        return [e for e in self.events if isinstance(e, kind)]

    def states(self) -> list[tuple[str, str | None]]:
        return [(e.state, e.code) for e in self.of(OutboxChanged)]


def run(
    profile: Path, scenario: Callable[[Services, Recorder], Awaitable[T]]
) -> tuple[T, Recorder]:
    """Run `scenario` on the profile's services, recording what they publish."""

    async def main() -> tuple[T, Recorder]:
        services = await open_profile(profile)
        recorder = Recorder(services.events)
        try:
            return await scenario(services, recorder), recorder
        finally:
            await services.aclose()

    return asyncio.run(main())


def user(tmp_path: Path, account: Any, name: str = "cab") -> Pli:
    pli = Pli(tmp_path / name)
    pli.add_account(name, account, "--given-name", "Marie", "--family-name", "Martin")
    return pli


def text(to: str, subject: str = "Compte rendu", **more: Any) -> Outgoing:
    return Outgoing(to=(to,), subject=subject, text="Cher confrère,\nci-joint.", **more)


def test_a_message_sent_at_once_goes_through_every_state_then_the_counts(
    tmp_path: Path, mail_account_factory
) -> None:
    a_account, b_account = mail_account_factory(), mail_account_factory()
    pli = user(tmp_path, a_account)

    async def scenario(services: Services, _r: Recorder) -> Any:
        account = await services.accounts.get("cab")
        return account, await services.compose.send(account, text(b_account.address))

    (account, outcome), recorder = run(pli.profile, scenario)
    assert outcome.verdict is SendVerdict.SENT
    assert recorder.states() == [
        ("queued", None),
        ("submitting", None),
        ("submitted", None),
        ("filed", None),
    ]
    changes = recorder.of(OutboxChanged)
    assert {(e.account_id, e.account, e.outbox_id) for e in changes} == {
        (account.id, "cab", outcome.entry_id)
    }
    counts = recorder.of(OutboxCounts)
    assert counts and (counts[-1].waiting, counts[-1].failed) == (0, 0)
    assert recorder.events[-1] == counts[-1]  # the counts come after the changes
    assert not recorder.of(PatientConversationChanged)


def test_offline_then_back_and_a_refusal_carry_their_codes(
    tmp_path: Path, mail_account_factory, smtp_server
) -> None:
    a_account, b_account = mail_account_factory(), mail_account_factory()
    pli = user(tmp_path, a_account)
    pli("account", "set", "cab", "--smtp", "127.0.0.1:9").ok()

    async def offline(services: Services, _r: Recorder) -> Any:
        account = await services.accounts.get("cab")
        return await services.compose.send(account, text(b_account.address))

    outcome, recorder = run(pli.profile, offline)
    assert outcome.verdict is SendVerdict.QUEUED
    # Queued, then still queued, with the reason: the server cannot be reached.
    (queued, waits) = recorder.of(OutboxChanged)
    assert (queued.state, queued.code, waits.state) == ("queued", None, "queued")
    assert waits.code is not None and waits.code.startswith("network.")
    assert (recorder.of(OutboxCounts)[-1].waiting, recorder.of(OutboxCounts)[-1].failed) == (1, 0)

    pli("account", "set", "cab", "--smtp", f"{a_account.smtp_host}:{a_account.smtp_port}").ok()

    async def flush(services: Services, _r: Recorder) -> Any:
        return await services.outbox.flush(await services.accounts.get("cab"))

    report, recorder = run(pli.profile, flush)
    assert report.submitted == 1 and report.filed == 1
    assert recorder.states() == [("submitting", None), ("submitted", None), ("filed", None)]
    assert (recorder.of(OutboxCounts)[-1].waiting, recorder.of(OutboxCounts)[-1].failed) == (0, 0)

    # Refused by the server: failed, with the code; one recipient refused: its status.
    smtp_server.fail_command("MAIL", "550 5.7.1 Sender refused")

    async def refused(services: Services, _r: Recorder) -> Any:
        account = await services.accounts.get("cab")
        return await services.compose.send(account, text(b_account.address, "Refusé"))

    outcome, recorder = run(pli.profile, refused)
    assert outcome.verdict is SendVerdict.REFUSED
    failed = recorder.of(OutboxChanged)[-1]
    assert failed.state == "failed" and failed.code and failed.code.startswith("server.")
    assert recorder.of(OutboxCounts)[-1].failed == 1

    c_account = mail_account_factory()
    smtp_server.reject_recipient(c_account.address)

    async def one_refused(services: Services, _r: Recorder) -> Any:
        account = await services.accounts.get("cab")
        outgoing = Outgoing(
            to=(b_account.address, c_account.address), subject="Deux", text="Bonjour."
        )
        return await services.compose.send(account, outgoing)

    outcome, recorder = run(pli.profile, one_refused)
    assert outcome.verdict is SendVerdict.SENT and len(outcome.refused) == 1
    (status,) = recorder.of(DeliveryStatusChanged)
    assert (status.outbox_id, status.status, status.recipients) == (
        outcome.entry_id,
        "failed",
        1,
    )


def test_drafts_saved_deleted_and_sent_are_announced(tmp_path: Path, mail_account_factory) -> None:
    a_account, b_account = mail_account_factory(), mail_account_factory()
    pli = user(tmp_path, a_account)

    async def scenario(services: Services, recorder: Recorder) -> Any:
        account = await services.accounts.get("cab")
        first = await services.drafts.save(account, text(b_account.address, "Brouillon"))
        again = await services.drafts.save(account, text(b_account.address, "Suite"), first)
        assert again == first
        other = await services.drafts.save(account, text(b_account.address, "Autre"))
        await services.drafts.delete(other)
        await services.drafts.delete(other)  # already gone: nothing more to say
        listed = await services.drafts.list()
        assert [(d.id, d.outgoing.subject) for d in listed] == [(first, "Suite")]
        outcome = await services.drafts.send(first)
        return first, other, outcome

    (first, other, outcome), recorder = run(pli.profile, scenario)
    assert [e.draft_id for e in recorder.of(DraftSaved)] == [first, first, other]
    assert [e.draft_id for e in recorder.of(DraftDeleted)] == [other, first]
    assert all(e.account == "cab" for e in recorder.of(DraftSaved) + recorder.of(DraftDeleted))
    assert outcome.verdict is SendVerdict.SENT
    assert recorder.states()[-1] == ("filed", None)


def test_a_patient_conversation_announces_messages_and_its_end(
    tmp_path: Path, mail_account_factory, smtp_server
) -> None:
    a_account, box = mail_account_factory(), mail_account_factory()
    smtp_server.add_patient(PATIENT, box.address)
    pli = user(tmp_path, a_account)
    pli("patient", "add", INS, "--name", "Lefèvre", "--given", "Jeanne").ok()

    async def scenario(services: Services, recorder: Recorder) -> Any:
        account = await services.accounts.get("cab")
        await services.compose.send(account, text(PATIENT, "Vos résultats"))
        written = len(recorder.of(PatientConversationChanged))
        await services.receipts.end_exchange(account, INS)
        await services.patients.update(INS, birth_date="1979-03-14")
        return account, written

    (account, written), recorder = run(pli.profile, scenario)
    changes = recorder.of(PatientConversationChanged)
    assert written == 1
    # The end of exchange: queued (a message of the conversation), then closed once sent;
    # then the record changed (no account: a patient's record is the profile's).
    assert [e.account_id for e in changes] == [account.id, account.id, account.id, 0]
    assert {e.patient_ins for e in changes} == {INS}
    assert pli("patient", "show", INS, "--json").json()["patient"]["closed"] is True


def test_accounts_added_changed_and_removed_are_announced(
    tmp_path: Path, mail_account_factory
) -> None:
    a_account = mail_account_factory()
    pli = user(tmp_path, a_account)

    async def scenario(services: Services, recorder: Recorder) -> Any:
        account = await services.accounts.get("cab")
        other = await services.accounts.add(
            replace(account.config, name="autre"), password=a_account.password
        )
        await services.accounts.update("autre", replace(other.config, reply_to=None))
        await services.accounts.set_password("autre", a_account.password)
        await services.accounts.remove("autre")
        return other

    other, recorder = run(pli.profile, scenario)
    assert [(type(e), e.account_id, e.account) for e in recorder.events] == [
        (AccountAdded, other.id, "autre"),
        (AccountChanged, other.id, "autre"),
        (AccountChanged, other.id, "autre"),
        (AccountRemoved, other.id, "autre"),
    ]


def test_delivery_reports_and_read_receipts_announce_the_new_status(
    tmp_path: Path, mail_account_factory
) -> None:
    a_account, b_account = mail_account_factory(), mail_account_factory()
    a = user(tmp_path, a_account)
    b = Pli(tmp_path / "b")
    b.add_account("b", b_account)
    body = tmp_path / "body.txt"
    body.write_text("Bonjour.", encoding="utf-8")
    sent = (
        a("send", "--to", b_account.address, "--subject", "Accusés", "--body-file", str(body))
        .ok()
        .out
    )
    assert "Sent" in sent
    (entry,) = a("outbox", "--json").json()["entries"]

    async def examine(services: Services, _r: Recorder) -> Any:
        account = await services.accounts.get("cab")
        await services.sync.sync(account)
        return await services.incoming.examine()

    # Nothing asked, nothing reported: a sync announces no delivery status.
    _report, recorder = run(a.profile, examine)
    assert not recorder.of(DeliveryStatusChanged)

    b("sync").ok()
    b_outgoing = Outgoing(
        to=(a_account.address,), subject="Re: Accusés", text="Merci.", read_receipt=True
    )

    async def answer(services: Services, _r: Recorder) -> Any:
        return await services.compose.send(await services.accounts.get("b"), b_outgoing)

    answered, _recorder = run(b.profile, answer)
    assert answered.verdict is SendVerdict.SENT

    # A's client returns the read receipt B asked for; B's examination announces it.
    a("sync").ok()
    (request,) = a("receipts", "--json").ok().json()["requests"]
    a("receipts", "send", str(request["id"])).ok()

    async def examine_b(services: Services, _r: Recorder) -> Any:
        account = await services.accounts.get("b")
        await services.sync.sync(account)
        return account.id, await services.incoming.examine()

    (b_id, report), recorder = run(b.profile, examine_b)
    assert report.receipts == 1
    (status,) = recorder.of(DeliveryStatusChanged)
    assert (status.outbox_id, status.status, status.recipients) == (answered.entry_id, "read", 1)
    assert (status.account, status.account_id) == ("b", b_id)
    assert entry["state"] == "filed"


def test_a_server_saying_not_now_at_connection_leaves_the_message_waiting(
    tmp_path: Path, mail_account_factory, smtp_server
) -> None:
    a_account, b_account = mail_account_factory(), mail_account_factory()
    pli = user(tmp_path, a_account)
    smtp_server.refuse_connections(1)  # 421 as greeting (RFC 5321 §3.8), then closed

    async def send(services: Services, _r: Recorder) -> Any:
        account = await services.accounts.get("cab")
        return await services.compose.send(account, text(b_account.address, "Plus tard"))

    outcome, recorder = run(pli.profile, send)
    # Not an error for the caller: queued, with the server's reason, sent at the next flush.
    assert outcome.verdict is SendVerdict.QUEUED
    waits = recorder.of(OutboxChanged)[-1]
    assert (waits.state, waits.code) == ("queued", "server.temporary_failure")

    async def flush(services: Services, _r: Recorder) -> Any:
        return await services.outbox.flush(await services.accounts.get("cab"))

    report, _recorder = run(pli.profile, flush)
    assert report.submitted == 1 and report.offline is None
