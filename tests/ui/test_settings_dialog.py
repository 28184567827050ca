"""The settings dialog: changes saved atomically and applied to the running services; the
directory key in the archive only; templates; a mailbox's identity edited and removed; the
archive key's passphrase changed and moved to a keyring."""

from __future__ import annotations

import json
from collections.abc import Iterator

import keyring
import pytest
from PySide6.QtCore import QSettings  # noqa: TID251
from PySide6.QtWidgets import QApplication  # noqa: TID251

from app.config.settings import Settings
from app.config.templates import load_templates
from app.domain.account import AccountConfig, Endpoint, Security
from app.services.container import Services
from app.services.keys_service import passphrase_strength
from app.services.settings_service import SettingsService
from app.services.unlock import check_passphrase, profile_protection
from app.ui.settings.keys_dialog import ChangePassphraseDialog, MoveToKeyringDialog
from app.ui.settings.settings_dialog import NOTIFY_KEY, SettingsDialog
from tests.ui.conftest import TEST_PASSPHRASE, UiLoop
from tests.unit.credentials.test_data_keys import MemoryKeyring


@pytest.fixture
def no_quit(qapp: QApplication) -> None:
    qapp.setQuitOnLastWindowClosed(False)


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


def _config(address: str) -> AccountConfig:
    return AccountConfig(
        name="cabinet",
        address=address,
        imap=Endpoint("127.0.0.1", 1, Security.STARTTLS),
        smtp=Endpoint("127.0.0.1", 1, Security.STARTTLS),
    )


def test_settings_changed_are_saved_and_applied_without_restart(
    ui: UiLoop, ui_services: Services, tmp_path, no_quit: None
) -> None:
    state = QSettings(str(tmp_path / "window.ini"), QSettings.Format.IniFormat)

    async def scenario() -> None:
        await ui_services.accounts.add(_config("dr.martin@cabinet-test.mssante.fr"), password="x")
        dialog = SettingsDialog(ui_services, ui.errors, state)
        await dialog.load()
        dialog.show()
        assert dialog.account_list.count() == 1
        assert dialog.lock_minutes.maximum() == 120  # spec §6: at most 2 hours
        dialog.lock_minutes.setValue(15)
        dialog.revocation.setCurrentIndex(dialog.revocation.findData("require"))
        dialog.tls13.setChecked(False)
        dialog.notify.setChecked(False)
        dialog.api_key.setText("cle-api-de-test-123")
        dialog.directory_url.setText("https://annuaire.test.invalid/fhir")
        delays: list[int] = []
        dialog.lock_delay_changed.connect(delays.append)
        dialog.apply_button.click()
        await ui.until(lambda: delays == [15])
        # applied: the running services use the new settings at their next connection
        assert ui_services.settings.tls.revocation == "require"
        assert ui_services.accounts.settings.tls.allow_tls13 is False
        assert ui_services.accounts.settings.lock_after_minutes == 15
        assert ui_services.directory.api_key_configured
        # saved: the settings file, never the key
        text = ui_services.paths.settings_file.read_text("utf-8")
        saved = Settings.from_json(text)
        assert saved.tls.revocation == "require" and saved.lock_after_minutes == 15
        assert saved.directory.fhir_base_url == "https://annuaire.test.invalid/fhir"
        assert "cle-api-de-test-123" not in text
        assert await SettingsService(ui_services).directory_api_key() == "cle-api-de-test-123"
        assert state.value(NOTIFY_KEY, True, bool) is False
        # the lock delay is capped whatever is typed
        applied = await SettingsService(ui_services).apply(saved.evolve(lock_after_minutes=999))
        assert applied.lock_after_minutes == 120
        assert json.loads(ui_services.paths.settings_file.read_text())["lock_after_minutes"] == 120

    ui.run(scenario())


def test_identity_return_box_and_removal_of_a_mailbox(
    ui: UiLoop, ui_services: Services, no_quit: None
) -> None:
    async def scenario() -> None:
        await ui_services.accounts.add(_config("dr.martin@cabinet-test.mssante.fr"), password="x")
        dialog = SettingsDialog(ui_services, ui.errors)
        await dialog.load()
        dialog.show()
        dialog.title.setText("Dr")
        dialog.given.setText("Marie")
        dialog.family.setText("Martin")
        dialog.entity.setText("Cabinet")
        assert dialog.preview.text().startswith("Dr_Marie_MARTIN_Cabinet <")
        dialog.reply_to.setText("pas une adresse")
        dialog.save_account_button.click()
        await ui.until(lambda: bool(dialog.status.text()))
        assert (await ui_services.accounts.get("cabinet")).config.reply_to is None
        dialog.reply_to.setText("secretariat@cabinet-test.mssante.fr")
        dialog.save_account_button.click()
        await ui.until(
            lambda: dialog.accounts[0].config.reply_to == "secretariat@cabinet-test.mssante.fr"
        )
        stored = (await ui_services.accounts.get("cabinet")).config
        assert stored.identity.family_name == "Martin"
        await dialog.remove_account(dialog.accounts[0])
        assert await ui_services.accounts.list() == []
        assert dialog.account_list.count() == 0

    ui.run(scenario())


def test_templates_edited_and_added_with_placeholders_explained(
    ui: UiLoop, ui_services: Services, no_quit: None
) -> None:
    async def scenario() -> None:
        dialog = SettingsDialog(ui_services, ui.errors)
        await dialog.load()
        dialog.show()
        shipped = dialog.template_list.count()
        assert shipped >= 10
        dialog.new_template_button.click()
        dialog.template_title.setText("Résultats d'analyse")
        dialog.template_subject.setText("Vos résultats du {{date}}")
        dialog.template_body.setPlainText("Bonjour {{patient_civilite}} {{patient_nom}},")
        dialog.save_template_button.click()
        await ui.until(lambda: dialog.template_list.count() == shipped + 1)
        library = load_templates(ui_services.paths.templates_dir)
        mine = library.get("perso-resultats-d-analyse")
        assert mine.subject == "Vos résultats du {{date}}"
        # an edit of a shipped template becomes the user's own copy
        dialog.template_list.setCurrentRow(0)
        original = dialog._templates[0]
        dialog.template_subject.setText(original.subject + " (modifié)")
        dialog.save_template_button.click()
        await ui.until(lambda: bool(dialog.status.text()))
        await ui.settle(0.2)
        again = load_templates(ui_services.paths.templates_dir).get(original.id)
        assert again.subject.endswith("(modifié)")

    ui.run(scenario())


def test_passphrase_changed_then_key_moved_to_the_keyring(
    ui: UiLoop, ui_services: Services, memory_keyring: MemoryKeyring, no_quit: None
) -> None:
    paths = ui_services.paths

    async def scenario() -> None:
        dialog = ChangePassphraseDialog(paths, ui.errors)
        dialog.show()
        dialog.old.setText("not the passphrase")
        dialog.new.setText("un cheval correct agrafe")
        dialog.again.setText("un cheval correct agrafe")
        assert dialog.meter.bar.value() >= 3
        dialog.buttons.accepted.emit()
        await ui.until(lambda: dialog.error.isVisibleTo(dialog))
        assert await check_passphrase(paths, TEST_PASSPHRASE)
        dialog.old.setText(TEST_PASSPHRASE)
        dialog.buttons.accepted.emit()
        await ui.until(lambda: dialog.result() == ChangePassphraseDialog.DialogCode.Accepted)
        assert await check_passphrase(paths, "un cheval correct agrafe")
        assert not await check_passphrase(paths, TEST_PASSPHRASE)

        move = MoveToKeyringDialog(paths, ui.errors)
        move.show()
        move.passphrase.setText("un cheval correct agrafe")
        move.buttons.accepted.emit()
        await ui.until(lambda: move.result() == MoveToKeyringDialog.DialogCode.Accepted)
        assert await profile_protection(paths) == "keyring"
        assert len(memory_keyring.items) == 1
        assert "wrapped_key" not in paths.profile_file.read_text()

    ui.run(scenario(), timeout=60)


def test_strength_guidance() -> None:
    assert passphrase_strength("abc").score == 0
    assert "common" in passphrase_strength("motdepasse123").hints
    assert passphrase_strength("aaaaaaaaaa").score <= 1
    assert passphrase_strength("lampe verte sous la pluie d'avril").score == 4
