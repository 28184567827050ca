"""The patients page on the demo: a message's status going from sent to read live, earlier
messages loaded on demand from the keyboard, every control named and reachable.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt  # noqa: TID251 - window tests
from PySide6.QtGui import QAccessible  # noqa: TID251 - window tests
from PySide6.QtTest import QTest  # noqa: TID251 - window tests
from PySide6.QtWidgets import QAbstractButton, QAbstractItemView, QLineEdit  # noqa: TID251

from app.domain.errors import NetworkError
from app.services.compose_service import Outgoing
from app.services.container import Services
from app.ui.patients import patients_page as patients_module
from app.ui.patients.conversation_model import EARLIER, ITEM_ROLE, KIND_ROLE, MESSAGE
from tests.ui.conftest import UiLoop
from tests.ui.test_patients_demo import (
    GARNIER,
    _rows,
    demo_page,
)

pytestmark = pytest.mark.integration


def test_status_goes_from_sent_to_read_live(
    ui: UiLoop,
    ui_services: Services,
    french: None,
) -> None:
    async def scenario() -> None:
        try:
            page = await demo_page(ui, ui_services)
            page.show_patient(GARNIER)
            await ui.until(lambda: page.ins == GARNIER)
            await page.task
            account = (await ui_services.accounts.list())[0]
            outgoing = Outgoing(
                to=(f"{GARNIER}@patient.mssante.fr",),
                subject="Vos résultats",
                text="Bonjour Madame,\n\nVos résultats sont normaux.\n",
                accept_warnings=True,
            )
            outcome = await ui_services.compose.send(account, outgoing)
            assert outcome.message_id
            # Sent: in the conversation once the copy in Sent is archived, status "Envoyé".
            await ui_services.supervisor.run_once([account])

            def mine() -> object:
                for row in _rows(page):
                    if row.kind == MESSAGE and row.item.message_id == outcome.message_id:
                        return row.item
                return None

            await ui.until(lambda: mine() is not None, within=15)
            # The demo patient reads it and her read receipt comes back (a few seconds).
            for _ in range(30):
                await ui_services.supervisor.run_once([account])
                item = mine()
                if item is not None and "read" in {s for s, _d in item.statuses.values()}:
                    break
                await ui.settle(1.0)
            item = mine()
            assert item is not None
            assert {s for s, _d in item.statuses.values()} == {"read"}
            model = page.conversation
            sentence = model.index(model.row_of(item.id)).data(Qt.ItemDataRole.AccessibleTextRole)
            assert sentence.startswith("Envoyé par vous") and ", Lu" in sentence
        finally:
            page.hide()
            await ui_services.demo.stop()

    ui.run(scenario(), timeout=150)


def test_earlier_messages_on_demand_and_keyboard(
    ui: UiLoop,
    ui_services: Services,
    french: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(patients_module, "FIRST_PAGE", 1)

    async def scenario() -> None:
        try:
            page = await demo_page(ui, ui_services)
            # Every control has a French accessible name; the lists and buttons take focus.
            for widget in page.findChildren(QAbstractButton) + page.findChildren(QLineEdit):
                if isinstance(widget.parent(), QLineEdit):
                    continue  # the field's own clear button (Qt names it for readers)
                assert widget.accessibleName(), widget.objectName() or widget.text()
            for view in page.findChildren(QAbstractItemView):
                assert view.accessibleName()
                assert view.focusPolicy() & Qt.FocusPolicy.TabFocus
            # Ctrl+K then typing filters; Enter goes to the list; the first match opens.
            page.activateWindow()
            QTest.keyClick(page, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
            assert page.search.hasFocus() or page.focusWidget() is page.search
            QTest.keyClicks(page.search, "garnier")
            assert page.proxy.rowCount() == 1
            QTest.keyClick(page.search, Qt.Key.Key_Return)
            page.patients.setCurrentIndex(page.proxy.index(0, 0))
            await ui.until(lambda: page.ins == GARNIER)
            await page.task
            # Only the last message is read in full; the first row offers the earlier ones.
            model = page.conversation
            assert model.index(0).data(KIND_ROLE) == EARLIER
            assert model.index(0).data() == "Afficher les 2 messages précédents"
            shown = [r for r in _rows(page) if r.kind == MESSAGE]
            assert len(shown) == 1
            # Enter on that row reads them.
            page.view.setFocus()
            page.view.setCurrentIndex(model.index(0))
            QTest.keyClick(page.view, Qt.Key.Key_Return)
            await ui.until(lambda: len([r for r in _rows(page) if r.kind == MESSAGE]) == 3)
            assert all(model.index(r).data(KIND_ROLE) != EARLIER for r in range(model.rowCount()))
            # The chosen message is a message: Ouvrir, and Entrée, open it in a reading pane.
            current = page.view.currentIndex().data(ITEM_ROLE)
            assert current.kind == MESSAGE
            assert page.open_button.isEnabled()
            view = QAccessible.queryAccessibleInterface(page.view)
            assert view is not None and view.text(QAccessible.Text.Name) == (
                "Conversation avec le patient"
            )
        finally:
            page.hide()
            await ui_services.demo.stop()

    ui.run(scenario(), timeout=120)


def test_a_message_written_offline_shows_waiting_then_sent(
    ui: UiLoop,
    ui_services: Services,
    french: None,
) -> None:
    async def scenario() -> None:
        try:
            page = await demo_page(ui, ui_services)
            page.show_patient(GARNIER)
            await ui.until(lambda: page.ins == GARNIER)
            await page.task
            account = (await ui_services.accounts.list())[0]
            await ui_services.demo.stop()  # the server goes away
            outgoing = Outgoing(
                to=(f"{GARNIER}@patient.mssante.fr",),
                subject="Rendez-vous",
                text="Bonjour Madame,\n\nPassez au cabinet jeudi.\n",
                accept_warnings=True,
            )
            outcome = await ui_services.compose.send(account, outgoing)
            assert outcome.message_id

            def mine() -> object:
                for row in _rows(page):
                    if row.kind == MESSAGE and row.item.message_id == outcome.message_id:
                        return row.item
                return None

            # In the conversation at once, from the outbox, saying it waits.
            await ui.until(lambda: mine() is not None, within=10)
            item = mine()
            assert item.pending_state == "queued" and item.id < 0  # type: ignore[attr-defined]
            assert item.text.startswith("Bonjour Madame")  # type: ignore[attr-defined]
            model = page.conversation
            sentence = model.index(model.row_of(item.id)).data(  # type: ignore[attr-defined]
                Qt.ItemDataRole.AccessibleTextRole
            )
            assert "En attente d'envoi (boîte d'envoi)" in sentence
            page.view.setCurrentIndex(model.index(model.row_of(item.id)))  # type: ignore[attr-defined]
            assert not page.open_button.isEnabled()  # nothing archived to open yet
            # The server is back: sent, archived from Sent, the same bubble now archived.
            account = await ui_services.demo.start()  # back, perhaps on another port
            for _attempt in range(3):  # the running supervisor retries the same way
                try:
                    await ui_services.supervisor.run_once([account])
                    break
                except NetworkError:
                    await ui.settle(0.5)  # the connection of before the stop is replaced
            entries = await ui_services.outbox.entries(account)
            sent = next(e for e in entries if e.message_id == outcome.message_id)
            assert sent.state.value in ("submitted", "filed")
            await ui_services.supervisor.run_once([account])  # its copy in Sent comes back
            await ui.until(lambda: mine() is not None and mine().pending_state is None, within=15)  # type: ignore[attr-defined]
            assert mine().id > 0  # type: ignore[attr-defined]
            assert (
                len(
                    [
                        r
                        for r in _rows(page)
                        if r.kind == MESSAGE and r.item.message_id == outcome.message_id
                    ]
                )
                == 1
            )
        finally:
            page.hide()
            await ui_services.demo.stop()

    ui.run(scenario(), timeout=150)
