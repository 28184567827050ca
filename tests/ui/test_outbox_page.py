"""The outbox page against the suite's SMTP and Dovecot: waiting while the server refuses
connections, delivered once when it is back; a refusal explained and retried; a cancel.
"""

from __future__ import annotations

import asyncio
import socket

import pytest
from PySide6.QtCore import Qt  # noqa: TID251 - window tests

from app.domain.account import AccountConfig, BoxType, Endpoint, Security
from app.domain.outbox import OutboxState
from app.services.account_service import Account
from app.services.compose_service import Outgoing, SendVerdict
from app.services.container import Services
from app.ui.context import UiContext
from app.ui.outbox.outbox_model import OutboxModel
from app.ui.outbox.outbox_page import OutboxPage
from app.ui.patients import outbox_title
from tests.servers.fixtures import MailAccount
from tests.servers.smtp import SmtpServer
from tests.ui.conftest import UiLoop

pytestmark = pytest.mark.integration


def config_for(mail: MailAccount, smtp_port: int | None = None) -> AccountConfig:
    return AccountConfig(
        name="cabinet",
        address=mail.address,
        imap=Endpoint(mail.imap_host, mail.imap_port, Security.STARTTLS),
        smtp=Endpoint(mail.smtp_host, smtp_port or mail.smtp_port, Security.STARTTLS),
        box_type=BoxType.CAB,
        ca_file=str(mail.ca_bundle),
    )


async def add_account(
    services: Services, mail: MailAccount, smtp_port: int | None = None
) -> Account:
    return await services.accounts.add(config_for(mail, smtp_port), password=mail.password)


def closed_port() -> int:
    """A loopback port nobody listens on (the submission server is down)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def outbox_page(ui: UiLoop, services: Services) -> OutboxPage:
    ctx = UiContext.create(services, ui.errors)
    page = OutboxPage(ctx)
    page._ctx_keepalive = ctx  # type: ignore[attr-defined]
    page.resize(1366, 768)
    page.show()
    await page.reload()
    return page


def check_model(tester, page: OutboxPage) -> None:
    """Qt's model tester on a copy of the page's rows (the tester stays attached to it)."""
    model = OutboxModel(page._describe)
    model.set_items([page.model.item(r) for r in range(page.model.rowCount())])
    tester.check(model)


def shows(page: OutboxPage, waiting: int, first_state: str) -> bool:
    """The page was read again and its most recent row is in `first_state`."""
    model = page.model
    return (
        page.waiting == waiting
        and model.rowCount() > 0
        and model.index(0, 0).data() == first_state
        and page.task is not None
        and page.task.done()
    )


def deliveries(smtp: SmtpServer, message_id: str) -> int:
    return len(smtp.transactions_with_message_id(message_id))


def test_queued_while_down_then_delivered_once(
    ui: UiLoop,
    ui_services: Services,
    mail_account: MailAccount,
    mail_account_factory,
    smtp_server: SmtpServer,
    french: None,
    qtmodeltester,
) -> None:
    colleague = mail_account_factory()

    async def scenario() -> None:
        # The submission server is down (nothing listens on its port): the message waits.
        account = await add_account(ui_services, mail_account, smtp_port=closed_port())
        page = await outbox_page(ui, ui_services)
        try:
            counts: list[tuple[int, int]] = []
            page.counts_changed.connect(lambda w, f: counts.append((w, f)))
            outgoing = Outgoing(to=(colleague.address,), subject="Courrier", text="Bonjour.")
            outcome = await ui_services.compose.send(account, outgoing)
            assert outcome.verdict is SendVerdict.QUEUED
            await ui.until(lambda: shows(page, 1, "En attente d'envoi"))
            check_model(qtmodeltester, page)
            assert page.model.index(0, 0).data() == "En attente d'envoi"
            detail = page.model.index(0, 4).data()
            assert detail.startswith("En attente\u00a0: ")
            assert counts[-1] == (1, 0) and outbox_title(1, 0) == "Envoi (1)"
            assert page.cancel_button.isEnabled() and page.retry_button.isEnabled()
            # "Réessayer" while it is still down: still waiting, said in French.
            await page.retry()
            await ui.until(lambda: "Le message attend" in page.last_notice)
            assert deliveries(smtp_server, outcome.message_id) == 0
            # The server is back: the engine's next pass (what the running supervisor does
            # on its own) sends it, once; the page follows the engine's events.
            account = await ui_services.accounts.update("cabinet", config_for(mail_account))
            await ui_services.supervisor.run_once([account])
            await ui.until(lambda: shows(page, 0, "Envoyé"))
            assert counts[-1] == (0, 0)
            assert deliveries(smtp_server, outcome.message_id) == 1
            # Another flush, another pass, a click on Réessayer: never twice.
            await ui_services.outbox.flush(account)
            await ui_services.supervisor.run_once([account])
            page.select_entry(page.model.item(0).entry.id)
            if page.retry_button.isEnabled():
                page.retry()
                await ui.until(lambda: page.last_notice == "Ce message est déjà parti.")
            assert deliveries(smtp_server, outcome.message_id) == 1
            assert not page.cancel_button.isEnabled()
        finally:
            page.hide()  # a hidden page reads nothing more

    ui.run(scenario(), timeout=90)


def test_refused_explained_retried_and_cancel(
    ui: UiLoop,
    ui_services: Services,
    mail_account: MailAccount,
    mail_account_factory,
    smtp_server: SmtpServer,
    french: None,
) -> None:
    colleague = mail_account_factory()

    async def scenario() -> None:
        account = await add_account(ui_services, mail_account)
        page = await outbox_page(ui, ui_services)
        try:
            smtp_server.fail_command("MAIL", "550 5.7.1 Sender refused")
            outgoing = Outgoing(to=(colleague.address,), subject="Refusé", text="Bonjour.")
            outcome = await ui_services.compose.send(account, outgoing)
            assert outcome.verdict is SendVerdict.REFUSED
            await ui.until(lambda: shows(page, 0, "Échec"))
            assert page.failed == 1
            assert page.model.index(0, 4).data().startswith("Refusé par le serveur\u00a0: ")
            assert page.model.index(0, 0).data(Qt.ItemDataRole.ForegroundRole) is not None
            assert not page.cancel_button.isEnabled() and page.retry_button.isEnabled()
            # Retry: the user's decision sends it again, once.
            report = await page.retry()
            assert report.submitted == 1
            await ui.until(lambda: shows(page, 0, "Envoyé"))
            assert page.failed == 0
            assert deliveries(smtp_server, outcome.message_id) == 1

            # Cancel before submission: it never leaves.
            down = config_for(mail_account, closed_port())
            account = await ui_services.accounts.update("cabinet", down)
            second = await ui_services.compose.send(
                account, Outgoing(to=(colleague.address,), subject="À annuler", text="Bonjour.")
            )
            assert second.verdict is SendVerdict.QUEUED
            await ui.until(lambda: shows(page, 1, "En attente d'envoi"))
            entries = await ui_services.outbox.entries(account)
            queued = next(e for e in entries if e.message_id == second.message_id)
            page.select_entry(queued.id)
            await page.cancel()
            await ui.until(lambda: page.waiting == 0)
            assert page.last_notice == "Le message ne sera pas envoyé."
            account = await ui_services.accounts.update("cabinet", config_for(mail_account))
            await ui_services.outbox.flush(account)
            assert deliveries(smtp_server, second.message_id) == 0
            remaining = [e.message_id for e in await ui_services.outbox.entries(account)]
            assert second.message_id not in remaining
            # A message already sent cannot be cancelled: the store refuses it (compare-and-set).
            sent = next(e for e in await ui_services.outbox.entries(account))
            assert sent.state is not OutboxState.QUEUED
            with pytest.raises(Exception, match=r"outbox\.already_leaving"):
                await page.actions_service.cancel(sent.id)
            await asyncio.sleep(0)
        finally:
            page.hide()  # a hidden page reads nothing more

    ui.run(scenario(), timeout=90)
