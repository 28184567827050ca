"""The patients page on the demo mailbox: the list, conversations, the end of an exchange.

The demo (app/services/demo) runs its IMAP and SMTP servers on 127.0.0.1; the page reads the
real archive through the services, and the engine's events reach it as Qt signals.
"""

from __future__ import annotations

from email import message_from_bytes
from pathlib import Path

import pytest
from PySide6.QtCore import Qt  # noqa: TID251 - window tests

from app.services.container import Services
from app.ui.context import UiContext
from app.ui.patients.conversation_model import DAY, ITEM_ROLE, MESSAGE, Row
from app.ui.patients.patients_page import PatientsPage
from tests.ui.conftest import UiLoop

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
LEROUX = "148013307802185"  # exchange ended in the demo
COLIN = "152078304006621"  # messaging closed: the reminder bounced
GARNIER = "291011305508762"  # answered, then thanked
ROUSSEL = "285067512304562"  # wrote last night, waits for an answer


async def demo_page(ui: UiLoop, services: Services) -> PatientsPage:
    account = await services.demo.start()
    await services.supervisor.run_once([account])
    ctx = UiContext.create(services, ui.errors)
    page = PatientsPage(ctx)
    page._ctx_keepalive = ctx  # type: ignore[attr-defined]
    page.resize(1366, 768)
    page.show()
    await page.reload()
    return page


def test_patients_list_and_conversations_on_the_demo(
    ui: UiLoop, ui_services: Services, french: None, qtmodeltester
) -> None:
    async def scenario() -> None:
        try:
            page = await demo_page(ui, ui_services)
            model = page.model
            qtmodeltester.check(model)
            qtmodeltester.check(page.proxy)
            assert model.rowCount() == 6
            order = [model.patient_row(r).patient.ins for r in range(model.rowCount())]
            dates = [model.patient_row(r).last_activity or 0 for r in range(model.rowCount())]
            assert dates == sorted(dates, reverse=True)  # most recent activity first
            roussel = model.patient_row(order.index(ROUSSEL))
            assert roussel.awaiting_reply and roussel.unread == 1
            leroux = model.patient_row(order.index(LEROUX))
            assert leroux.closed_at is not None and not leroux.awaiting_reply
            sentence = model.index(order.index(ROUSSEL)).data(Qt.ItemDataRole.AccessibleTextRole)
            assert "en attente de votre réponse" in sentence
            assert "1 message non lu" in sentence

            # Filter by name (accents ignored) and by INS with spaces.
            page.search.setText("elodie")
            assert page.proxy.rowCount() == 1
            page.search.setText("1 48 01")
            assert page.proxy.rowCount() == 1
            page.search.setText("")
            assert page.proxy.rowCount() == 6

            # Leroux: ended exchange, banner, the [FIN] message flagged.
            page.show_patient(LEROUX)
            await ui.until(lambda: page.ins == LEROUX)
            await page.task
            qtmodeltester.check(page.conversation)
            assert page.banner.isVisible()
            assert "Mon espace santé" in page.banner.text()
            assert not page.end_button.isEnabled()
            shown = [r for r in _rows(page) if r.kind == MESSAGE]
            assert [r.item.direction for r in shown] == ["in", "out", "out"]
            assert shown[-1].item.end_of_exchange
            assert any(r.kind == DAY for r in _rows(page))

            # Colin: the reminder bounced, explained in French on the sent message.
            page.show_patient(COLIN)
            await ui.until(lambda: page.ins == COLIN)
            await page.task
            shown = [r for r in _rows(page) if r.kind == MESSAGE]
            reminder = next(r for r in shown if r.item.direction == "out")
            assert reminder.item.bounce == "messaging_closed"
            sentence = page.conversation.data(
                page.conversation.index(page.conversation.row_of(reminder.item.id)),
                Qt.ItemDataRole.AccessibleTextRole,
            )
            assert "Non distribué" in sentence and "fermée" in sentence
            assert not page.banner.isVisible()
        finally:
            await ui_services.demo.stop()

    ui.run(scenario(), timeout=120)


def _rows(page: PatientsPage) -> list[Row]:
    model = page.conversation
    return [model.index(r).data(ITEM_ROLE) for r in range(model.rowCount())]


def test_end_exchange_banner_and_fin_in_sent(
    ui: UiLoop, ui_services: Services, french: None
) -> None:
    async def scenario() -> None:
        try:
            page = await demo_page(ui, ui_services)
            page.show_patient(ROUSSEL)
            await ui.until(lambda: page.ins == ROUSSEL)
            await page.task
            assert page.end_button.isEnabled() and not page.banner.isVisible()
            outcome = await page.end_exchange()
            assert outcome.message_id
            # The engine's events refresh the page: the banner shows, the list says closed.
            await ui.until(lambda: page.banner.isVisible(), within=15)
            assert "Échange clos" in page.banner.text()
            row = page.model.patient_row(page.model.row_of(ROUSSEL))
            assert row.closed_at is not None
            assert not page.end_button.isEnabled()
            # The copy filed in Sent reaches the archive with the next sync, and the page.
            account = (await ui_services.accounts.list())[0]
            await ui_services.supervisor.run_once([account])

            def last() -> Row:
                return [r for r in _rows(page) if r.kind == MESSAGE][-1]

            # Shown at once from the outbox (negative id), then as the archived copy in Sent.
            await ui.until(lambda: last().item.end_of_exchange and last().item.id > 0, within=15)
            item = last().item
            assert item.direction == "out" and item.folder != "INBOX"
            raw = await ui_services.archive.raw(item.id)
            assert raw is not None
            head = message_from_bytes(raw)
            assert head["X-MSS-MES"] == "FIN"
            assert head["Subject"] == "[FIN]"
            page.hide()  # a hidden page reads nothing more (the services close next)
        finally:
            await ui_services.demo.stop()

    ui.run(scenario(), timeout=120)


def test_undelivered_marker_and_reply(ui: UiLoop, ui_services: Services, french: None) -> None:
    async def scenario() -> None:
        try:
            page = await demo_page(ui, ui_services)
            # Colin's last message bounced: the list says so.
            colin = page.model.patient_row(page.model.row_of(COLIN))
            assert colin.undelivered
            assert not page.model.patient_row(page.model.row_of(GARNIER)).undelivered
            assert "votre dernier message n'a pas été distribué" in page.model.index(
                page.model.row_of(COLIN)
            ).data(Qt.ItemDataRole.AccessibleTextRole)
            # Répondre: a reply to the conversation's last message, for the composer.
            page.show_patient(GARNIER)
            await ui.until(lambda: page.ins == GARNIER)
            await page.task
            requests: list[object] = []
            page.compose_requested.connect(requests.append)
            page.reply_button.click()
            assert len(requests) == 1
            request = requests[0]
            assert request.kind == "reply"  # type: ignore[attr-defined]
            last = [x for x in _rows(page) if x.kind == MESSAGE][-1]
            assert request.message_id == last.item.id  # type: ignore[attr-defined]
            page.hide()
        finally:
            await ui_services.demo.stop()

    ui.run(scenario(), timeout=120)
