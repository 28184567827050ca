"""Settings → Mailboxes: "Retirer la boîte (garder l'archive)" beside "Supprimer avec son
archive", each confirmed; the retired mailbox stays in the folder pane as "(archive)", readable,
and the composer no longer offers it (issue 13 §3). Real Dovecot of the suite, French shown."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt  # noqa: TID251 - window tests

from app.domain.account import BoxType
from app.services.container import Services
from app.ui.compose.manager import ComposerManager
from app.ui.context import UiContext
from app.ui.settings.settings_dialog import SettingsDialog
from tests.support.mail import message
from tests.ui.conftest import UiLoop
from tests.ui.test_mail_screens import add_account, sync, workspace

pytestmark = pytest.mark.integration


def test_retire_a_mailbox_keeping_its_archive(
    ui: UiLoop, ui_services: Services, mail_account_factory, french: None, no_quit_on_last_window
) -> None:
    practice, personal = mail_account_factory(), mail_account_factory()
    practice.dovecot.deliver(practice.address, message(subject="Au cabinet")[0])
    personal.dovecot.deliver(personal.address, message(subject="Pour moi")[0])

    async def scenario() -> None:
        cab = await add_account(ui_services, practice, "cabinet", BoxType.CAB)
        per = await add_account(ui_services, personal, "perso", BoxType.PER)
        await sync(ui_services, cab)
        await sync(ui_services, per)
        mail = await workspace(ui, ui_services)
        await mail.folders.refresh()
        await ui.until(lambda: len(mail.folders.model.accounts()) == 2)

        def label() -> str:
            return str(mail.folders.model.account_index(cab.id).data(Qt.ItemDataRole.DisplayRole))

        assert label() == "cabinet"

        dialog = SettingsDialog(ui_services, ui.errors)
        await dialog.load()
        dialog.show()
        assert dialog.retire_account_button.text() == "&Retirer la boîte (garder l'archive)…"
        assert dialog.remove_account_button.text() == "Supprimer a&vec son archive…"
        row = next(i for i, a in enumerate(dialog.accounts) if a.id == cab.id)
        dialog.account_list.setCurrentRow(row)

        # Asked first, saying what happens; "La garder" changes nothing.
        dialog.retire_account_button.click()
        await ui.until(lambda: dialog.confirmation is not None and dialog.confirmation.isVisible())
        box = dialog.confirmation
        assert box is not None
        assert practice.address in box.text()
        assert "mot de passe" in box.informativeText()
        assert "lisibles" in box.informativeText()
        box.reject()
        await ui.until(lambda: dialog.confirmation is None)
        assert not (await ui_services.accounts.get("cabinet")).config.retired

        # Confirmed: retired, its secrets gone, shown as an archive.
        dialog.retire_account_button.click()
        await ui.until(lambda: dialog.confirmation is not None and dialog.confirmation.isVisible())
        assert dialog.confirmation_accept is not None
        assert dialog.confirmation_accept.text() == "Retirer et &garder l'archive"
        dialog.confirmation_accept.click()
        await ui.until(
            lambda: dialog.status.text() == "Boîte retirée\u202f; son archive est gardée."
        )
        assert (await ui_services.accounts.get("cabinet")).config.retired
        assert dialog.account_list.item(row).text() == f"{practice.address} (archive)"
        assert dialog.account_list.currentRow() == row
        assert not dialog.retire_account_button.isEnabled()
        assert dialog.remove_account_button.isEnabled()  # deleting the archive stays possible

        # The folder pane says so, and its messages are still there to read.
        await ui.until(lambda: label() == "cabinet (archive)")
        tooltip = str(mail.folders.model.account_index(cab.id).data(Qt.ItemDataRole.ToolTipRole))
        assert "archive gardée hors ligne" in tooltip
        inbox = next(f for f in mail.folders.model.folders(cab.id) if f.role == "inbox")
        mail.folders.select_folder(inbox.id)
        await ui.until(lambda: mail.messages.folder_id == inbox.id)
        await mail.messages.wait_idle()
        assert mail.messages.model.summary(0).subject == "Au cabinet"

        # The composer offers the other mailbox only.
        manager = ComposerManager(UiContext.create(ui_services, ui.errors))
        composer = await manager.new_message("cabinet")
        offered = [composer.account_box.itemData(i) for i in range(composer.account_box.count())]
        assert offered == [per.id]
        assert composer.account is not None and composer.account.id == per.id
        composer.close()
        dialog.close()

    ui.run(scenario(), timeout=120)
