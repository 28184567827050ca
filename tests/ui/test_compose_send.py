"""The composer sending through the real outbox, Dovecot and SMTP servers of the suite.

Compose with completion → send → the message is in Sent and in the patient's conversation;
offline: queued, then delivered once when the server is back; a reply keeps the threading
headers (In-Reply-To, References) and a reply to a patient stays in their conversation.
"""

from __future__ import annotations

import asyncio
import email
from dataclasses import replace
from email.policy import default as default_policy

import pytest
from PySide6.QtTest import QTest  # noqa: TID251 - window tests

from app.domain.account import AccountConfig, BoxType, Endpoint, Identity, Security
from app.domain.outbox import OutboxState
from app.services.account_service import Account
from app.services.compose_service import SendOutcome
from app.services.container import Services
from app.ui.compose.manager import ComposerManager
from app.ui.context import UiContext
from tests.servers.fixtures import MailAccount
from tests.support.mail import message
from tests.ui.conftest import UiLoop

pytestmark = pytest.mark.integration


def ins_with_key(first13: str) -> str:
    """A valid INS: 13 digits and their key (97 - number mod 97)."""
    return f"{first13}{97 - int(first13) % 97:02d}"


PATIENT_INS = ins_with_key("1790314123456")
PATIENT = f"{PATIENT_INS}@patient.mssante.fr"


@pytest.fixture(autouse=True)
def _no_quit(no_quit_on_last_window: None) -> None:
    """As in the application: closing the last composer does not end the program."""


async def add_account(
    services: Services, mail: MailAccount, *, smtp_port: int | None = None
) -> Account:
    config = AccountConfig(
        name="cabinet",
        address=mail.address,
        imap=Endpoint(mail.imap_host, mail.imap_port, Security.STARTTLS),
        smtp=Endpoint(mail.smtp_host, smtp_port or mail.smtp_port, Security.STARTTLS),
        box_type=BoxType.CAB,
        ca_file=str(mail.ca_bundle),
        identity=Identity("Dr", "Marie", "Martin", "Cabinet Médical"),
    )
    return await services.accounts.add(config, password=mail.password)


def manager_for(services: Services, ui: UiLoop) -> ComposerManager:
    return ComposerManager(UiContext.create(services, ui.errors))


async def sent_and_followed(manager: ComposerManager, ui: UiLoop) -> list[str]:
    shown: list[str] = []
    manager.outcome_shown.connect(shown.append)
    await ui.until(lambda: bool(shown), within=30)
    return shown


def test_compose_with_completion_send_to_a_patient(
    ui: UiLoop,
    ui_services: Services,
    mail_account_factory,
    smtp_server,
    french: None,
) -> None:
    services = ui_services
    mine, patient_box = mail_account_factory(), mail_account_factory()
    smtp_server.add_patient(PATIENT, patient_box.address)

    async def scenario() -> None:
        account = await add_account(services, mine)
        await services.patients.add(PATIENT_INS, "Lefèvre", "Jean", "1979-03-14")
        manager = manager_for(services, ui)
        shown: list[str] = []
        manager.outcome_shown.connect(shown.append)
        composer = await manager.new_message()
        QTest.keyClicks(composer.to_field.edit, "lefe")
        await ui.until(lambda: composer.to_field.model.rowCount() >= 1)
        index = composer.to_field.model.index(0, 0)
        composer.to_field.completer.activated[type(index)].emit(index)
        assert composer.to_field.addresses() == (PATIENT,)
        assert composer.receipt.isChecked()  # on by default towards a patient
        composer.subject.setText("Vos résultats")
        composer.body.insertPlainText("Bonjour, voici vos résultats.")
        await ui.until(lambda: composer.report is not None and composer.send_button.isEnabled())
        outcome = await composer.send(confirm=lambda warnings: True)
        assert isinstance(outcome, SendOutcome)
        assert not composer.isVisible()
        await ui.until(lambda: bool(shown), within=30)
        assert shown == ["Message envoyé."]
        entry = await services.outbox.entry(outcome.entry_id)
        assert entry.state in (OutboxState.SUBMITTED, OutboxState.FILED)
        # In Sent on the server, once; received by the patient's box with the receipt asked.
        sent = await asyncio.to_thread(mine.dovecot.messages, mine.address, "Sent")
        assert [m.message_id for m in sent] == [outcome.message_id]
        received = await asyncio.to_thread(
            patient_box.dovecot.wait_for_messages, patient_box.address, "INBOX", 1
        )
        raw = await asyncio.to_thread(
            patient_box.dovecot.fetch_raw, patient_box.address, "INBOX", received[0].uid
        )
        parsed = email.message_from_bytes(raw, policy=default_policy)
        assert parsed["Disposition-Notification-To"]
        assert "Dr_Marie_MARTIN_Cabinet Médical" in str(parsed["From"])
        # And in the patient's conversation, after a sync.
        await services.supervisor.run_once([account])
        conversation = await services.patients.conversation(PATIENT_INS)
        assert any(m.subject == "Vos résultats" for m in conversation.messages)
        assert await services.drafts.list() == []  # the draft went with the message

    ui.run(scenario(), timeout=90)


def test_offline_send_is_queued_then_delivered_once(
    ui: UiLoop, ui_services: Services, mail_account_factory, french: None
) -> None:
    services = ui_services
    mine, other = mail_account_factory(), mail_account_factory()

    async def scenario() -> None:
        account = await add_account(services, mine, smtp_port=9)  # nothing listens there
        manager = manager_for(services, ui)
        shown: list[str] = []
        manager.outcome_shown.connect(shown.append)
        composer = await manager.new_message()
        composer.to_field.add_text(other.address)
        composer.subject.setText("Hors ligne")
        composer.body.setPlainText("Partira plus tard.")
        outcome = await composer.send(confirm=lambda warnings: True)
        assert outcome is not None
        await ui.until(lambda: bool(shown), within=30)
        assert shown == ["Message en attente\u00a0: il partira dès que le serveur sera joignable."]
        assert (await services.outbox.entry(outcome.entry_id)).state is OutboxState.QUEUED
        # The server is back: one flush sends it, a second sends nothing more.
        back = replace(
            account.config, smtp=Endpoint(mine.smtp_host, mine.smtp_port, Security.STARTTLS)
        )
        account = await services.accounts.update("cabinet", back)
        await services.outbox.flush(account)
        await services.outbox.flush(account)
        received = await asyncio.to_thread(
            other.dovecot.wait_for_messages, other.address, "INBOX", 1
        )
        assert [m.message_id for m in received] == [outcome.message_id]
        assert [
            m.message_id
            for m in await asyncio.to_thread(mine.dovecot.messages, mine.address, "Sent")
        ] == [outcome.message_id]

    ui.run(scenario(), timeout=90)


def test_a_reply_keeps_the_threading_headers_and_the_patient_conversation(
    ui: UiLoop,
    ui_services: Services,
    mail_account_factory,
    smtp_server,
    french: None,
) -> None:
    services = ui_services
    mine, patient_box = mail_account_factory(), mail_account_factory()
    colleague = mail_account_factory()
    smtp_server.add_patient(PATIENT, patient_box.address)
    raw, parent_id = message(
        sender=f"Jean Lefèvre <{PATIENT}>",
        to=mine.address,
        subject="Question sur mon traitement",
        body="Bonjour docteur,\nJe voulais savoir si je dois continuer.\n",
        references=["<premier@test.mssante.fr>"],
        in_reply_to="<premier@test.mssante.fr>",
    )
    mine.dovecot.deliver(mine.address, raw)

    async def scenario() -> None:
        account = await add_account(services, mine)
        await services.patients.add(PATIENT_INS, "Lefèvre", "Jean", "1979-03-14")
        await services.supervisor.run_once([account])
        inbox = await services.archive.folder_id(account, "INBOX")
        from app.store.repositories.messages import SearchFilters

        page = await services.archive.page(SearchFilters(folder_id=inbox))
        parent = page.items[0]
        manager = manager_for(services, ui)
        composer = await manager.reply("reply", parent.id)
        assert composer.to_field.addresses() == (PATIENT,)
        assert composer.subject.text() == "Re: Question sur mon traitement"
        text = composer.body.toPlainText()
        assert "a écrit :" in text and text.startswith("\n\nLe ")
        assert "> Je voulais savoir si je dois continuer." in text
        assert "Jean LEFÈVRE" in composer.patient_label.text()
        composer.body.setPlainText("Oui, continuez.\n\n" + text.strip())
        outcome = await composer.send(confirm=lambda warnings: True)
        assert outcome is not None
        received = await asyncio.to_thread(
            patient_box.dovecot.wait_for_messages, patient_box.address, "INBOX", 1
        )
        got = await asyncio.to_thread(
            patient_box.dovecot.fetch_raw, patient_box.address, "INBOX", received[0].uid
        )
        parsed = email.message_from_bytes(got, policy=default_policy)
        assert parsed["In-Reply-To"] == parent_id
        assert parsed["References"].split() == ["<premier@test.mssante.fr>", parent_id]
        await services.supervisor.run_once([account])
        conversation = await services.patients.conversation(PATIENT_INS)
        subjects = [m.subject for m in conversation.messages]
        assert subjects[-2:] == ["Question sur mon traitement", "Re: Question sur mon traitement"]
        # A forward (to a colleague) stays in the thread too, with the original's documents.
        forward = await manager.reply("forward", parent.id)
        assert forward.subject.text() == "Tr: Question sur mon traitement"
        assert "Message transféré" in forward.body.toPlainText()
        assert "Je voulais savoir" in forward.body.toPlainText()
        forward.to_field.add_text(colleague.address)
        outcome = await forward.send(confirm=lambda warnings: True)
        assert outcome is not None
        await ui.until(lambda: not manager.flushes, within=30)
        entry = await services.outbox.entry(outcome.entry_id)
        parsed = email.message_from_bytes(entry.raw, policy=default_policy)
        assert parsed["In-Reply-To"] == parent_id
        assert parent_id in parsed["References"].split()

    ui.run(scenario(), timeout=90)
