"""Against the suite's Dovecot and SMTP: a late patient message flagged live on the patients
page; the read-receipt offer in the reading pane (an MDN only on the user's decision); a
professional's thread and the correspondent's directory card.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt  # noqa: TID251 - window tests
from PySide6.QtWidgets import QApplication, QDialog  # noqa: TID251 - window tests

from app.domain.account import AccountConfig, BoxType, Endpoint, Security
from app.services.account_service import Account
from app.services.container import Services
from app.ui.context import UiContext
from app.ui.patients.conversation_model import ITEM_ROLE, MESSAGE, Row
from app.ui.patients.patients_page import PatientsPage
from app.ui.patients.thread_dialog import DirectoryCardDialog, ThreadDialog
from app.ui.receipts import MessageExtras
from app.ui.widgets.reading_pane import ReadingPane
from tests.servers.fixtures import MailAccount
from tests.servers.smtp import SmtpServer
from tests.support.mail import message, tiny_pdf
from tests.ui.conftest import UiLoop

pytestmark = pytest.mark.integration


def ins_with_key(first13: str) -> str:
    return f"{first13}{97 - int(first13) % 97:02d}"


PATIENT = ins_with_key("2840575123456")


async def add_account(services: Services, mail: MailAccount) -> Account:
    config = AccountConfig(
        name="cabinet",
        address=mail.address,
        imap=Endpoint(mail.imap_host, mail.imap_port, Security.STARTTLS),
        smtp=Endpoint(mail.smtp_host, mail.smtp_port, Security.STARTTLS),
        box_type=BoxType.CAB,
        ca_file=str(mail.ca_bundle),
    )
    return await services.accounts.add(config, password=mail.password)


def test_late_patient_message_flagged_live(
    ui: UiLoop,
    ui_services: Services,
    mail_account: MailAccount,
    french: None,
) -> None:
    dove = mail_account.dovecot
    start = datetime.now(UTC) - timedelta(days=2)
    patient = f"Léa DURAND <{PATIENT}@patient.mssante.fr>"
    question, qid = message(sender=patient, to=mail_account.address, subject="Question", date=start)
    end, _eid = message(
        sender=f"Dr Marie MARTIN <{mail_account.address}>",
        to=patient,
        subject="[FIN]",
        body="Je clôture cet échange.",
        in_reply_to=qid,
        references=[qid],
        date=start + timedelta(hours=2),
        headers={"X-MSS-MES": "FIN"},
    )
    late, _lid = message(
        sender=patient,
        to=mail_account.address,
        subject="Encore une question",
        body="Bonjour, une dernière question.",
        date=start + timedelta(days=1),
    )

    async def scenario() -> None:
        account = await add_account(ui_services, mail_account)
        await asyncio.to_thread(
            dove.deliver, mail_account.address, question, "INBOX", internal_date=start.timestamp()
        )
        await asyncio.to_thread(
            dove.deliver,
            mail_account.address,
            end,
            "Sent",
            ["\\Seen"],
            internal_date=(start + timedelta(hours=2)).timestamp(),
        )
        await ui_services.supervisor.run_once([account])
        ctx = UiContext.create(ui_services, ui.errors)
        page = PatientsPage(ctx)
        page._ctx_keepalive = ctx  # type: ignore[attr-defined]
        page.resize(1366, 768)
        page.show()
        try:
            await page.reload()
            await ui.until(lambda: page.ins == PATIENT)
            await page.task
            assert page.banner.isVisible()
            row = page.model.patient_row(0)
            assert row.closed_at is not None and not row.awaiting_reply
            # The patient writes after the end: the sync's events refresh the page by themselves.
            await asyncio.to_thread(
                dove.deliver,
                mail_account.address,
                late,
                "INBOX",
                internal_date=(start + timedelta(days=1)).timestamp(),
            )
            await ui_services.supervisor.run_once([account])

            def last() -> Row:
                model = page.conversation
                rows = [model.index(r).data(ITEM_ROLE) for r in range(model.rowCount())]
                return [r for r in rows if r.kind == MESSAGE][-1]

            await ui.until(lambda: last().item.late, within=15)
            model = page.conversation
            sentence = model.index(model.row_of(last().item.id)).data(
                Qt.ItemDataRole.AccessibleTextRole
            )
            assert "reçu après la fin de l'échange" in sentence
            row = page.model.patient_row(0)
            assert row.awaiting_reply and row.unread == 2  # the question and the late one
        finally:
            page.hide()

    ui.run(scenario(), timeout=90)


def _mdns(smtp: SmtpServer) -> list[bytes]:
    return [t.data for t in smtp.transactions if b"disposition-notification" in t.data]


def test_receipt_offer_sends_only_on_the_users_decision(
    ui: UiLoop,
    ui_services: Services,
    mail_account: MailAccount,
    mail_account_factory,
    smtp_server: SmtpServer,
    french: None,
    tmp_path: Path,
) -> None:
    colleague = mail_account_factory()
    other = mail_account_factory()
    dove = mail_account.dovecot
    asks = {
        "Disposition-Notification-To": colleague.address,
        "Return-Path": f"<{colleague.address}>",
    }
    first, _ = message(sender=colleague.address, to=mail_account.address, headers=asks)
    second, _ = message(sender=colleague.address, to=mail_account.address, headers=asks)
    elsewhere, _ = message(
        sender=colleague.address,
        to=mail_account.address,
        headers={
            "Disposition-Notification-To": other.address,
            "Return-Path": f"<{colleague.address}>",
        },
    )
    third, _ = message(sender=colleague.address, to=mail_account.address, headers=asks)

    async def scenario() -> None:
        account = await add_account(ui_services, mail_account)
        for raw in (first, second, elsewhere, third):
            await asyncio.to_thread(dove.deliver, mail_account.address, raw, "INBOX")
        await ui_services.supervisor.run_once([account])
        inbox = await ui_services.archive.folder_id(account, "INBOX")
        from app.store.repositories.messages import SearchFilters

        ids = [
            m.id
            for m in sorted(
                await ui_services.archive.messages(SearchFilters(folder_id=inbox, limit=-1)),
                key=lambda m: m.id,
            )
        ]
        assert len(ids) == 4
        ctx = UiContext.create(ui_services, ui.errors)
        pane = ReadingPane(ctx)
        pane.mark_read = False
        pane._ctx_keepalive = ctx  # type: ignore[attr-defined]
        extras = MessageExtras(ctx, pane)
        pane.extras.addWidget(extras)
        pane.message_shown.connect(extras.on_message_shown)
        offer = extras.offer
        decisions: list[str] = []
        offer.decided.connect(decisions.append)
        pane.resize(900, 700)
        pane.show()

        async def show(message_id: int) -> None:
            await pane.show_message(message_id)
            await ui.until(lambda: offer.task is not None and offer.task.done())

        # Offered, not sent; "Ignorer" sends nothing.
        await show(ids[0])
        assert offer.isVisible()
        await ui.settle(0.1)
        assert pane.grab().save(str(tmp_path / "receipt-offer.png"))
        assert offer.text.text() == "L'expéditeur demande un accusé de lecture."
        await ui.settle(0.3)
        assert _mdns(smtp_server) == []
        offer.ignore_button.click()
        assert not offer.isVisible() and decisions == ["ignored"]
        await ui.settle(0.3)
        assert _mdns(smtp_server) == []
        # "Envoyer": one MDN, to the sender.
        await show(ids[1])
        assert offer.isVisible()
        offer.send_button.click()
        await ui.until(lambda: decisions[-1:] == ["sent"])
        assert len(_mdns(smtp_server)) == 1
        # Elsewhere than the sender: asked first; refused, nothing goes.
        await show(ids[2])
        assert offer.request is not None and offer.request.needs_confirmation
        assert other.address in offer.text.text()
        asked: list[str] = []
        offer.confirm = lambda request: asked.append(request.to) is not None and False
        offer.send_button.click()
        await ui.settle(0.3)
        assert asked == [other.address] and len(_mdns(smtp_server)) == 1
        # "Toujours pour cet expéditeur" on the first message: sent, and the next message
        # of the same sender gets its receipt without the offer being shown.
        offer.ignored.clear()
        await show(ids[0])
        offer.always_button.click()
        await ui.until(lambda: decisions[-1:] == ["always"])
        assert len(_mdns(smtp_server)) == 2
        await show(ids[3])
        await ui.until(lambda: len(_mdns(smtp_server)) == 3)
        assert not offer.isVisible()
        # Once sent ($MDNSent), never offered again.
        await show(ids[1])
        assert not offer.isVisible() and offer.request is None
        pane.hide()

    ui.run(scenario(), timeout=90)


def test_thread_and_directory_card(
    ui: UiLoop,
    ui_services: Services,
    mail_account: MailAccount,
    french: None,
    tmp_path: Path,
) -> None:
    from tests.support.directory_extraction import person_line, write_extraction

    extraction = tmp_path / "Extraction_Correspondance_MSSante_20261201.txt"
    write_extraction(
        extraction,
        5,
        extra=[
            person_line(
                address="paul.durand@medecin.mssante.fr",
                family="DURAND",
                given="Paul",
                rpps="10001234567",
                organisation="Clinique du Parc",
            )
        ],
    )
    dove = mail_account.dovecot
    first, fid = message(sender="Dr Paul Durand <paul.durand@medecin.mssante.fr>")
    answer, aid = message(
        sender=f"Dr Marie MARTIN <{mail_account.address}>",
        to="paul.durand@medecin.mssante.fr",
        subject="Re: compte rendu",
        in_reply_to=fid,
        references=[fid],
    )
    again, _ = message(
        sender="Dr Paul Durand <paul.durand@medecin.mssante.fr>",
        subject="Re: compte rendu",
        in_reply_to=aid,
        references=[fid, aid],
    )

    async def scenario() -> None:
        await ui_services.directory.import_file(extraction)
        account = await add_account(ui_services, mail_account)
        await asyncio.to_thread(dove.deliver, mail_account.address, first, "INBOX")
        await asyncio.to_thread(dove.deliver, mail_account.address, answer, "Sent", ["\\Seen"])
        await asyncio.to_thread(dove.deliver, mail_account.address, again, "INBOX")
        await ui_services.supervisor.run_once([account])
        from app.store.repositories.messages import SearchFilters

        inbox = await ui_services.archive.folder_id(account, "INBOX")
        latest = max(
            await ui_services.archive.messages(SearchFilters(folder_id=inbox, limit=-1)),
            key=lambda m: m.id,
        )
        ctx = UiContext.create(ui_services, ui.errors)
        # From the reading pane: "Voir le fil" and "Fiche annuaire" under the header.
        pane = ReadingPane(ctx)
        pane.mark_read = False
        pane._ctx_keepalive = ctx  # type: ignore[attr-defined]
        extras = MessageExtras(ctx, pane)
        pane.extras.addWidget(extras)
        pane.message_shown.connect(extras.on_message_shown)
        pane.show()
        await pane.show_message(latest.id)
        assert extras.isVisible() and extras.card_button.isVisible()
        extras.thread_button.click()
        dialogs = [w for w in QApplication.topLevelWidgets() if isinstance(w, ThreadDialog)]
        assert len(dialogs) == 1
        dialog = dialogs[0]
        await dialog.task
        items = dialog.model.items
        assert [i.direction for i in items] == ["in", "out", "in"]
        assert dialog.correspondent == "paul.durand@medecin.mssante.fr"
        assert dialog.card_button.isEnabled()
        dialog.card_button.click()
        cards = [w for w in dialog.findChildren(DirectoryCardDialog)]
        assert len(cards) == 1
        await cards[0].task
        text = cards[0].text.text()
        assert "Paul DURAND" in text and "RPPS 10001234567" in text
        assert "paul.durand@medecin.mssante.fr" in text and "Clinique du Parc" in text
        # Unknown to the directory: said in French.
        unknown = DirectoryCardDialog(ctx, "inconnu@exemple.mssante.fr")
        unknown.start()
        await unknown.task
        assert "n'est pas dans l'annuaire" in unknown.text.text()
        for widget in (unknown, cards[0], dialog):
            widget.close()
        pane.hide()

    ui.run(scenario(), timeout=90)


def test_document_card_open_and_file(
    ui: UiLoop,
    ui_services: Services,
    mail_account: MailAccount,
    french: None,
    tmp_path: Path,
) -> None:
    dove = mail_account.dovecot
    raw, _mid = message(
        sender=f"Léa DURAND <{PATIENT}@patient.mssante.fr>",
        to=mail_account.address,
        subject="Mon ordonnance",
        body="Bonjour Docteur, voici mon ordonnance.",
        pdf=tiny_pdf(),
        pdf_name="ordonnance.pdf",
    )

    async def scenario() -> None:
        account = await add_account(ui_services, mail_account)
        await asyncio.to_thread(dove.deliver, mail_account.address, raw, "INBOX")
        await ui_services.supervisor.run_once([account])
        ctx = UiContext.create(ui_services, ui.errors)
        page = PatientsPage(ctx)
        page._ctx_keepalive = ctx  # type: ignore[attr-defined]
        page.resize(1366, 768)
        page.show()
        try:
            await page.reload()
            await ui.until(lambda: page.ins == PATIENT)
            await page.task
            model = page.conversation
            rows = [model.index(r).data(ITEM_ROLE) for r in range(model.rowCount())]
            found = next(r for r in rows if r.kind == MESSAGE and r.item.documents)
            index = model.index(model.row_of(found.item.id))
            sentence = index.data(Qt.ItemDataRole.AccessibleTextRole)
            assert "1 document" in sentence and "ordonnance.pdf — PDF, " in sentence
            assert found.item.documents[0].kind == "pdf"  # inspected: its real type
            page.view.setCurrentIndex(index)
            assert page.file_button.isEnabled() and page.open_button.isEnabled()
            # Classer: filed in the patient's folder by the documents service (pli export).
            page.filing_root = tmp_path / "dossiers"
            page.file_button.click()
            await ui.until(lambda: "classé" in page.last_notice, within=15)
            filed = [p for p in page.filing_root.rglob("*.pdf")]
            assert len(filed) == 1 and PATIENT in str(filed[0])
            # Ouvrir: the message in a reading pane of its own.
            page.open_button.click()
            dialogs = [w for w in page.findChildren(QDialog) if hasattr(w, "pane")]
            assert len(dialogs) == 1
            pane = dialogs[0].pane
            await ui.until(lambda: pane.message_id == found.item.id, within=10)
            dialogs[0].close()
        finally:
            page.hide()

    ui.run(scenario(), timeout=90)
