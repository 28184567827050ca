"""The outbox page when a server refused some recipients only for now (451 at RCPT): the
message left for the others, the waiting ones are shown with the server's words, and
« Réessayer » tries them now; nobody gets the message twice."""

from __future__ import annotations

import pytest

from app.services.compose_service import Outgoing, SendVerdict
from app.services.container import Services
from tests.servers.fixtures import MailAccount
from tests.servers.smtp import SmtpServer
from tests.ui.conftest import UiLoop
from tests.ui.test_outbox_page import add_account, outbox_page, shows

pytestmark = pytest.mark.integration


def copies(account: MailAccount, message_id: str) -> int:
    return sum(1 for m in account.dovecot.messages(account.address) if m.message_id == message_id)


def test_recipients_refused_for_now_are_shown_waiting_and_retried(
    ui: UiLoop,
    ui_services: Services,
    mail_account: MailAccount,
    mail_account_factory,
    smtp_server: SmtpServer,
    french: None,
) -> None:
    colleague, other = mail_account_factory(), mail_account_factory()

    async def scenario() -> None:
        account = await add_account(ui_services, mail_account)
        page = await outbox_page(ui, ui_services)
        try:
            smtp_server.reject_recipient(
                other.address, 451, f"4.3.0 <{other.address}>: Temporary lookup failure"
            )
            outgoing = Outgoing(to=(colleague.address, other.address), subject="Deux", text="x")
            outcome = await ui_services.compose.send(account, outgoing)
            assert outcome.verdict is SendVerdict.SENT
            waiting = "Envoyé, en attente pour certains destinataires"
            await ui.until(lambda: shows(page, 0, waiting))
            detail = page.model.index(0, 4).data()
            assert f"{colleague.address}\u00a0: envoyé" in detail
            assert (
                f"{other.address}\u00a0: en attente (le serveur a répondu\u00a0: 451 4.3.0"
                in detail
            )
            assert "Temporary lookup failure" in detail
            assert copies(colleague, outcome.message_id) == 1
            assert copies(other, outcome.message_id) == 0
            page.select_entry(page.model.item(0).entry.id)
            assert page.retry_button.isEnabled()
            # Still refused: said so, still waiting.
            report = await page.retry()
            assert report.deferred == 1 and report.retried == 0
            await ui.until(lambda: "refuse encore certains destinataires" in page.last_notice)
            # The server is back: « Réessayer » sends it to the waiting one only.
            smtp_server.reset_faults()
            page.select_entry(page.model.item(0).entry.id)
            report = await page.retry()
            assert report.retried == 1
            await ui.until(lambda: shows(page, 0, "Envoyé"))
            assert copies(other, outcome.message_id) == 1
            assert copies(colleague, outcome.message_id) == 1
            page.select_entry(page.model.item(0).entry.id)
            assert not page.retry_button.isEnabled()
        finally:
            page.hide()  # a hidden page reads nothing more

    ui.run(scenario(), timeout=90)
