"""The composer on the demonstration mailbox: a reply to a patient of the demo leaves through
the demo's own SMTP server and comes back in Sent and in the patient's conversation."""

from __future__ import annotations

import pytest

from app.services.container import Services
from app.store.repositories.messages import SearchFilters
from app.ui.compose.manager import ComposerManager
from app.ui.context import UiContext
from tests.ui.conftest import UiLoop

pytestmark = pytest.mark.integration


@pytest.fixture(autouse=True)
def _no_quit(no_quit_on_last_window: None) -> None:
    """As in the application: closing the last composer does not end the program."""


def test_reply_to_a_demo_patient(ui: UiLoop, ui_services: Services, french: None) -> None:
    services = ui_services

    async def scenario() -> None:
        account = await services.demo.start()
        try:
            await services.supervisor.run_once([account])
            inbox = await services.archive.folder_id(account, "INBOX")
            page = await services.archive.page(SearchFilters(folder_id=inbox))
            parent = next(m for m in page.items if m.patient_ins)
            before = await services.patients.conversation(parent.patient_ins or "")
            manager = ComposerManager(UiContext.create(services, ui.errors))
            shown: list[str] = []
            manager.outcome_shown.connect(shown.append)
            composer = await manager.reply("reply", parent.id)
            assert composer.to_field.chips()[0].state.value == "patient"
            composer.body.setPlainText("Bien reçu, merci.\n\n" + composer.body.toPlainText())
            outcome = await composer.send(confirm=lambda warnings: True)
            assert outcome is not None
            await ui.until(lambda: bool(shown), within=30)
            assert shown == ["Message envoyé."]
            await services.supervisor.run_once([account])
            after = await services.patients.conversation(parent.patient_ins or "")
            assert len(after.messages) == len(before.messages) + 1
            assert after.messages[-1].subject.startswith("Re: ")
        finally:
            await services.demo.stop()

    ui.run(scenario(), timeout=120)
