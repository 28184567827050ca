"""The settings dialog (Edit → Settings, Ctrl+,): changes apply without a restart.

Sections: mailboxes (identity, return box, removal), security (lock delay ≤ 2 h, TLS options
the engine has), notifications and the filing folder, templates (list, edit, add, with the
placeholders explained), the directory's online source (its API key kept in the encrypted
archive), the demonstration mailbox, the language. Must run on the Qt thread.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractButton,
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.config.templates import load_templates, save_user_template
from app.domain.account import Identity
from app.domain.addresses import MailAddress
from app.domain.compose import from_display_name
from app.domain.errors import KnownError
from app.domain.templates import STANDARD_PLACEHOLDERS, Audience, MessageTemplate
from app.services.settings_service import MAX_LOCK_MINUTES, SettingsService
from app.ui.async_bridge import run_dialog, ui_slot
from app.ui.widgets.forms import add_row

if TYPE_CHECKING:
    from app.services.account_service import Account
    from app.services.container import Services
    from app.ui.error_presenter import ErrorPresenter

#: Window state keys (window.ini) for what is the window's, not the engine's.
NOTIFY_KEY = "notifications/new_mail"
FILING_KEY = "documents/filing_root"  # the same key as app/ui/documents/preview.py

REVOCATION_MODES = ("require", "prefer", "off")


def _hint(text: str, parent: QWidget) -> QLabel:
    label = QLabel(text, parent)
    label.setWordWrap(True)
    label.setObjectName("hint")
    return label


class SettingsDialog(QDialog):
    """Pli's settings.

    Signals:
        applied(object): new `Settings` were saved and handed to the services.
        lock_delay_changed(int): minutes.
        demo_removal_requested(): the user asked to remove the demonstration mailbox.
    """

    applied = Signal(object)
    protection_changed = Signal(str)
    lock_delay_changed = Signal(int)
    demo_removal_requested = Signal()

    def __init__(
        self,
        services: Services,
        errors: ErrorPresenter,
        state: QSettings | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.services = services
        self.errors = errors
        self.state = state
        self.settings_service = SettingsService(services)
        self.accounts: list[Account] = []
        # The removal confirmation while it is shown, and its accept button (for tests).
        self.confirmation: QMessageBox | None = None
        self.confirmation_accept: QAbstractButton | None = None
        self.protection: str | None = None
        self.setWindowTitle(self.tr("Settings"))
        self.setAccessibleName(self.windowTitle())
        self.setMinimumSize(900, 620)
        layout = QVBoxLayout(self)
        self.tabs = QTabWidget(self)
        self.tabs.setAccessibleName(self.tr("Settings sections"))
        layout.addWidget(self.tabs, 1)
        self._build_accounts()
        self._build_security()
        self._build_general()
        self._build_templates()
        self._build_directory()
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        row = QHBoxLayout()
        row.addStretch(1)
        self.apply_button = QPushButton(self.tr("&Apply"), self)
        self.close_button = QPushButton(self.tr("&Close"), self)
        for button in (self.apply_button, self.close_button):
            button.setAccessibleName(button.text().replace("&", ""))
            row.addWidget(button)
        layout.addLayout(row)
        self.apply_button.clicked.connect(self._on_apply)
        self.close_button.clicked.connect(self.accept)
        self.apply_button.setDefault(True)

    # -- building ------------------------------------------------------------------------------

    def _tab(self, title: str) -> tuple[QWidget, QVBoxLayout]:
        page = QWidget(self.tabs)
        layout = QVBoxLayout(page)
        self.tabs.addTab(page, title)
        return page, layout

    def _build_accounts(self) -> None:
        page, layout = self._tab(self.tr("&Mailboxes"))
        body = QHBoxLayout()
        self.account_list = QListWidget(page)
        self.account_list.setAccessibleName(self.tr("Mailboxes"))
        self.account_list.setMaximumWidth(260)
        # A long address is shortened in the middle (its full text in the tooltip), no scroll bar.
        self.account_list.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.account_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.account_list.setWordWrap(False)
        body.addWidget(self.account_list)
        right = QVBoxLayout()
        box = QGroupBox(self.tr("Identity shown to your correspondents"), page)
        form = QFormLayout(box)
        self.title = QLineEdit(box)
        add_row(form, self.tr("T&itle:"), self.title, self.tr("Title"))
        self.given = QLineEdit(box)
        add_row(form, self.tr("&Given name:"), self.given, self.tr("Given name"))
        self.family = QLineEdit(box)
        add_row(form, self.tr("&Family name:"), self.family, self.tr("Family name"))
        self.entity = QLineEdit(box)
        add_row(form, self.tr("&Practice or service:"), self.entity, self.tr("Entity"))
        self.reply_to = QLineEdit(box)
        self.reply_to.setPlaceholderText(self.tr("optional: e.g. the practice's box"))
        add_row(form, self.tr("&Return box:"), self.reply_to, self.tr("Return box"))
        self.preview = QLabel(box)
        self.preview.setWordWrap(True)
        self.preview.setObjectName("fromPreview")
        form.addRow(QLabel(self.tr("Recipients see:"), box), self.preview)
        right.addWidget(box)
        buttons = QHBoxLayout()
        self.save_account_button = QPushButton(self.tr("&Save this mailbox"), page)
        self.retire_account_button = QPushButton(
            self.tr("Remove the mailbox (&keep its archive)…"), page
        )
        self.retire_account_button.setToolTip(
            self.tr(
                "Pli stops using the mailbox and forgets its password, but keeps its "
                "messages here, readable and searchable."
            )
        )
        self.remove_account_button = QPushButton(self.tr("Re&move with its archive…"), page)
        for button in (
            self.save_account_button,
            self.retire_account_button,
            self.remove_account_button,
        ):
            button.setAccessibleName(button.text().replace("&", "").replace("…", ""))
            buttons.addWidget(button)
        buttons.addStretch(1)
        right.addLayout(buttons)
        right.addStretch(1)
        body.addLayout(right, 1)
        layout.addLayout(body)
        self.account_list.currentRowChanged.connect(self._on_account_selected)
        self.save_account_button.clicked.connect(self._on_save_account)
        self.remove_account_button.clicked.connect(self._on_remove_account)
        self.retire_account_button.clicked.connect(self._on_retire_account)
        for edit in (self.title, self.given, self.family, self.entity):
            edit.textChanged.connect(self._update_preview)

    def _build_security(self) -> None:
        page, layout = self._tab(self.tr("&Security"))
        lock = QGroupBox(self.tr("Lock"), page)
        form = QFormLayout(lock)
        self.lock_minutes = QSpinBox(lock)
        self.lock_minutes.setRange(1, MAX_LOCK_MINUTES)
        self.lock_minutes.setSuffix(self.tr(" min"))
        add_row(form, self.tr("&Lock Pli after:"), self.lock_minutes, self.tr("Lock delay"))
        form.addRow(
            _hint(
                self.tr("Without use for this time, Pli hides your messages (at most 2 hours)."),
                lock,
            )
        )
        layout.addWidget(lock)
        tls = QGroupBox(self.tr("Secure connections"), page)
        tform = QFormLayout(tls)
        self.revocation = QComboBox(tls)
        self.revocation.addItem(
            self.tr("Refuse a server whose certificate cannot be checked"), "require"
        )
        self.revocation.addItem(self.tr("Check revocation when possible (recommended)"), "prefer")
        self.revocation.addItem(self.tr("Do not check revocation (diagnosis only)"), "off")
        add_row(tform, self.tr("Certificate &revocation:"), self.revocation, self.tr("Revocation"))
        self.tls13 = QCheckBox(self.tr("Allow TLS 1.3 (TLS 1.2 is always accepted)"), tls)
        self.tls13.setAccessibleName(self.tr("Allow TLS 1.3"))
        tform.addRow(self.tls13)
        tform.addRow(
            _hint(self.tr("These options apply to the next connection to your servers."), tls)
        )
        layout.addWidget(tls)
        keys = QGroupBox(self.tr("Archive key"), page)
        klayout = QVBoxLayout(keys)
        self.protection_label = QLabel(keys)
        self.protection_label.setWordWrap(True)
        klayout.addWidget(self.protection_label)
        krow = QHBoxLayout()
        self.change_passphrase_button = QPushButton(self.tr("Change the &passphrase…"), keys)
        self.move_key_button = QPushButton(self.tr("Keep the key in the system &keyring…"), keys)
        for button in (self.change_passphrase_button, self.move_key_button):
            button.setAccessibleName(button.text().replace("&", "").replace("…", ""))
            krow.addWidget(button)
        krow.addStretch(1)
        klayout.addLayout(krow)
        layout.addWidget(keys)
        self.change_passphrase_button.clicked.connect(self._on_change_passphrase)
        self.move_key_button.clicked.connect(self._on_move_key)
        layout.addStretch(1)

    def _build_general(self) -> None:
        page, layout = self._tab(self.tr("&General"))
        notify = QGroupBox(self.tr("Notifications"), page)
        nlayout = QVBoxLayout(notify)
        self.notify = QCheckBox(self.tr("Tell me when new mail arrives"), notify)
        self.notify.setAccessibleName(self.tr("New mail notifications"))
        self.notify.setChecked(True)  # the window's default (application.py)
        nlayout.addWidget(self.notify)
        nlayout.addWidget(
            _hint(
                self.tr(
                    "A notification only says how many messages arrived, never who sent "
                    "them or what they are about."
                ),
                notify,
            )
        )
        layout.addWidget(notify)
        filing = QGroupBox(self.tr("Filing folder"), page)
        frow = QHBoxLayout(filing)
        self.filing = QLineEdit(filing)
        self.filing.setAccessibleName(self.tr("Filing folder"))
        self.filing.setPlaceholderText(self.tr("asked the first time you file a document"))
        choose = QPushButton(self.tr("C&hoose…"), filing)
        choose.setAccessibleName(self.tr("Choose the filing folder"))
        choose.clicked.connect(self._on_choose_filing)
        frow.addWidget(self.filing, 1)
        frow.addWidget(choose)
        layout.addWidget(filing)
        demo = QGroupBox(self.tr("Demonstration mailbox"), page)
        dlayout = QHBoxLayout(demo)
        self.demo_label = QLabel(demo)
        self.demo_label.setWordWrap(True)
        self.remove_demo_button = QPushButton(self.tr("Remove the &demonstration…"), demo)
        self.remove_demo_button.setAccessibleName(self.tr("Remove the demonstration"))
        self.remove_demo_button.clicked.connect(self.demo_removal_requested)
        dlayout.addWidget(self.demo_label, 1)
        dlayout.addWidget(self.remove_demo_button)
        layout.addWidget(demo)
        language = QGroupBox(self.tr("Language"), page)
        llayout = QHBoxLayout(language)
        self.language = QComboBox(language)
        self.language.addItem(self.tr("French"))
        self.language.setEnabled(False)
        self.language.setAccessibleName(self.tr("Language"))
        llayout.addWidget(self.language)
        llayout.addWidget(_hint(self.tr("Pli is in French only for now."), language), 1)
        layout.addWidget(language)
        layout.addStretch(1)

    def _build_templates(self) -> None:
        page, layout = self._tab(self.tr("&Templates"))
        body = QHBoxLayout()
        left = QVBoxLayout()
        self.template_list = QListWidget(page)
        self.template_list.setAccessibleName(self.tr("Templates"))
        self.template_list.setMaximumWidth(330)
        self.template_list.setMinimumWidth(300)
        self.template_list.setWordWrap(True)
        self.template_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        left.addWidget(self.template_list, 1)
        self.new_template_button = QPushButton(self.tr("&New template"), page)
        self.new_template_button.setAccessibleName(self.tr("New template"))
        left.addWidget(self.new_template_button)
        body.addLayout(left)
        right = QVBoxLayout()
        form = QFormLayout()
        self.template_title = QLineEdit(page)
        add_row(form, self.tr("Tit&le:"), self.template_title, self.tr("Template title"))
        self.template_audience = QComboBox(page)
        self.template_audience.addItem(self.tr("Patients"), Audience.PATIENT)
        self.template_audience.addItem(self.tr("Professionals"), Audience.PROFESSIONAL)
        add_row(form, self.tr("&For:"), self.template_audience, self.tr("Audience"))
        self.template_subject = QLineEdit(page)
        add_row(form, self.tr("S&ubject:"), self.template_subject, self.tr("Subject"))
        right.addLayout(form)
        self.template_body = QPlainTextEdit(page)
        self.template_body.setAccessibleName(self.tr("Template text"))
        right.addWidget(self.template_body, 1)
        names = ", ".join(
            "{{" + n + "}} (" + label.lower() + ")" for n, label in STANDARD_PLACEHOLDERS.items()
        )
        right.addWidget(
            _hint(
                self.tr(
                    "Placeholders between double braces are filled when you use the "
                    "template. Pli fills these itself: %1. Any other name, e.g. "
                    "{{heure_rdv}}, is asked when you use the template."
                ).replace("%1", names),
                page,
            )
        )
        self.save_template_button = QPushButton(self.tr("Save the &template"), page)
        self.save_template_button.setAccessibleName(self.tr("Save the template"))
        right.addWidget(self.save_template_button, 0, Qt.AlignmentFlag.AlignLeft)
        body.addLayout(right, 1)
        layout.addLayout(body)
        self.template_list.currentRowChanged.connect(self._on_template_selected)
        self.new_template_button.clicked.connect(self._on_new_template)
        self.save_template_button.clicked.connect(self._on_save_template)
        self._templates: list[MessageTemplate] = []

    def _build_directory(self) -> None:
        page, layout = self._tab(self.tr("&Directory"))
        box = QGroupBox(self.tr("Online search in the Annuaire Santé"), page)
        form = QFormLayout(box)
        self.directory_url = QLineEdit(box)
        add_row(form, self.tr("&Address:"), self.directory_url, self.tr("Directory address"))
        self.api_key = QLineEdit(box)
        self.api_key.setEchoMode(QLineEdit.EchoMode.Password)
        self.api_key.setPlaceholderText(self.tr("none: offline search only"))
        add_row(form, self.tr("API &key:"), self.api_key, self.tr("API key"))
        form.addRow(
            _hint(
                self.tr(
                    "The key is kept in your encrypted archive, never in a clear file. "
                    "Leave it empty to search the imported directory only."
                ),
                box,
            )
        )
        layout.addWidget(box)
        layout.addStretch(1)

    # -- loading -------------------------------------------------------------------------------

    async def load(self) -> None:
        """Fill every section from the services (call before showing)."""
        settings = self.services.settings
        self.lock_minutes.setValue(min(MAX_LOCK_MINUTES, settings.lock_after_minutes))
        self.revocation.setCurrentIndex(max(0, self.revocation.findData(settings.tls.revocation)))
        self.tls13.setChecked(settings.tls.allow_tls13)
        self.directory_url.setText(settings.directory.fhir_base_url)
        key = await self.settings_service.directory_api_key()
        self.api_key.setText(key or "")
        if self.state is not None:
            self.notify.setChecked(bool(self.state.value(NOTIFY_KEY, True, bool)))
            self.filing.setText(str(self.state.value(FILING_KEY, "") or ""))
        await self._load_accounts()
        await self._load_templates()
        await self._load_protection()

    async def _load_protection(self) -> None:
        from app.services.keys_service import keyring_available
        from app.services.unlock import profile_protection

        protection = await profile_protection(self.services.paths)
        keyring = await keyring_available()
        self.protection = protection
        if protection == "keyring":
            text = self.tr("The key is kept in the system keyring.")
        elif keyring:
            text = self.tr(
                "The key is protected by your passphrase. This computer now has a secure "
                "keyring: Pli can keep the key there."
            )
        else:
            text = self.tr("The key is protected by your passphrase (no system keyring here).")
        self.protection_label.setText(text)
        self.change_passphrase_button.setEnabled(protection == "passphrase")
        self.move_key_button.setEnabled(protection == "passphrase" and keyring)

    @ui_slot()
    async def _on_change_passphrase(self) -> None:
        from app.ui.settings.keys_dialog import ChangePassphraseDialog

        dialog = ChangePassphraseDialog(self.services.paths, self.errors, self)
        accepted = await run_dialog(dialog) == QDialog.DialogCode.Accepted
        dialog.deleteLater()
        if accepted:
            self._say(self.tr("Passphrase changed."))

    @ui_slot()
    async def _on_move_key(self) -> None:
        from app.ui.settings.keys_dialog import MoveToKeyringDialog

        dialog = MoveToKeyringDialog(self.services.paths, self.errors, self)
        accepted = await run_dialog(dialog) == QDialog.DialogCode.Accepted
        dialog.deleteLater()
        if accepted:
            await self._load_protection()
            self.protection_changed.emit("keyring")
            self._say(self.tr("The key is now kept in the system keyring."))

    async def _load_accounts(self) -> None:
        self.accounts = [
            a for a in await self.services.accounts.list() if not self.services.demo.is_demo(a)
        ]
        demo = await self.services.demo.account()
        self.account_list.clear()
        for account in self.accounts:
            shown = (
                self.tr("%1 (archive)").replace("%1", account.address)
                if account.config.retired
                else account.address
            )
            item = QListWidgetItem(shown, self.account_list)
            item.setToolTip(shown)
        has = bool(self.accounts)
        for widget in (
            self.save_account_button,
            self.retire_account_button,
            self.remove_account_button,
        ):
            widget.setEnabled(has)
        if has:
            self.account_list.setCurrentRow(0)
        if demo is not None:
            self.demo_label.setText(
                self.tr("The demonstration mailbox is installed (fictitious messages).")
            )
        else:
            self.demo_label.setText(self.tr("No demonstration mailbox."))
        self.remove_demo_button.setEnabled(demo is not None)

    async def _load_templates(self) -> None:
        folder = self.services.paths.templates_dir
        library = await asyncio.to_thread(load_templates, folder)
        self._templates = sorted(
            (t for t in library.templates.values() if not t.hidden), key=lambda t: t.title
        )
        self.template_list.clear()
        for template in self._templates:
            self.template_list.addItem(template.title)
        if self._templates:
            self.template_list.setCurrentRow(0)

    # -- mailboxes -----------------------------------------------------------------------------

    def _selected_account(self) -> Account | None:
        row = self.account_list.currentRow()
        return self.accounts[row] if 0 <= row < len(self.accounts) else None

    def _on_account_selected(self, _row: int) -> None:
        account = self._selected_account()
        if account is None:
            return
        identity = account.config.identity
        self.title.setText(identity.title)
        self.given.setText(identity.given_name)
        self.family.setText(identity.family_name)
        self.entity.setText(identity.entity)
        self.reply_to.setText(account.config.reply_to or "")
        self._update_preview()
        # An archive only: nothing sent from it any more, nothing left to retire.
        self.save_account_button.setEnabled(not account.config.retired)
        self.retire_account_button.setEnabled(not account.config.retired)

    def _identity(self) -> Identity:
        return Identity(
            title=self.title.text().strip(),
            given_name=self.given.text().strip(),
            family_name=self.family.text().strip(),
            entity=self.entity.text().strip(),
        )

    def _update_preview(self) -> None:
        account = self._selected_account()
        if account is None:
            return
        name = from_display_name(self._identity(), account.config.box_type)
        shown = f"{name} <{account.address}>" if name else account.address
        self.preview.setText(shown)
        self.preview.setAccessibleName(shown)

    @ui_slot()
    async def _on_save_account(self) -> None:
        account = self._selected_account()
        if account is None:
            return
        reply = self.reply_to.text().strip() or None
        try:
            if reply:
                MailAddress.parse(reply)
            config = replace(account.config, identity=self._identity(), reply_to=reply)
            updated = await self.services.accounts.update(account.name, config)
        except KnownError as error:
            self._say(self._describe(error), ok=False)
            return
        self.accounts[self.account_list.currentRow()] = updated
        self._say(self.tr("Mailbox saved."))

    @ui_slot()
    async def _on_remove_account(self) -> None:
        account = self._selected_account()
        if account is None:
            return
        confirmed = await self._confirm(
            self.tr("Remove the mailbox %1 from Pli?").replace("%1", account.address),
            self.tr(
                "Its archived messages, drafts and outbox on this computer are deleted with "
                "it. The messages stay on your operator's server."
            ),
            self.tr("&Remove with its archive"),
        )
        if confirmed:
            await self.remove_account(account)

    @ui_slot()
    async def _on_retire_account(self) -> None:
        account = self._selected_account()
        if account is None or account.config.retired:
            return
        confirmed = await self._confirm(
            self.tr("Remove the mailbox %1 but keep its archive?").replace("%1", account.address),
            self.tr(
                "Pli forgets its password, login session and certificate and never connects "
                "to it again: no new messages, nothing sent from it. Its archived messages, "
                "folders and patients stay on this computer, readable and searchable, marked "
                "as an archive. Messages waiting in its outbox will not be sent."
            ),
            self.tr("Remove and &keep the archive"),
        )
        if confirmed:
            await self.retire_account(account)

    async def _confirm(self, question: str, consequences: str, accept: str) -> bool:
        """Ask before removing; True when the user chose `accept`.

        The message box is `confirmation` while shown (and its accept button
        `confirmation_accept`), for tests.
        """
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle(self.tr("Remove a mailbox"))
        box.setText(question)
        box.setInformativeText(consequences)
        remove = box.addButton(accept, QMessageBox.ButtonRole.AcceptRole)
        remove.setAccessibleName(accept.replace("&", ""))
        cancel = box.addButton(self.tr("&Keep it"), QMessageBox.ButtonRole.RejectRole)
        cancel.setAccessibleName(self.tr("Keep it"))
        box.setDefaultButton(cancel)
        self.confirmation = box
        self.confirmation_accept = remove
        try:
            await run_dialog(box)
            return box.clickedButton() is remove
        finally:
            self.confirmation = None
            box.deleteLater()

    async def remove_account(self, account: Account) -> None:
        """Remove a mailbox and its archive (after the confirmation)."""
        await self.services.accounts.remove(account.name)
        await self._load_accounts()
        self._say(self.tr("Mailbox removed."))

    async def retire_account(self, account: Account) -> None:
        """Remove a mailbox but keep its archive (after the confirmation)."""
        try:
            await self.services.accounts.retire(account.name)
        except KnownError as error:
            self._say(self._describe(error), ok=False)
            return
        row = self.account_list.currentRow()
        await self._load_accounts()
        if 0 <= row < self.account_list.count():
            self.account_list.setCurrentRow(row)
        self._say(self.tr("Mailbox removed; its archive is kept."))

    # -- templates -----------------------------------------------------------------------------

    def _on_template_selected(self, row: int) -> None:
        if not 0 <= row < len(self._templates):
            return
        template = self._templates[row]
        self.template_title.setText(template.title)
        self.template_audience.setCurrentIndex(self.template_audience.findData(template.audience))
        self.template_subject.setText(template.subject)
        self.template_subject.setCursorPosition(0)
        self.template_body.setPlainText(template.body)

    def _on_new_template(self) -> None:
        self.template_list.setCurrentRow(-1)
        self.template_list.clearSelection()
        self.template_title.setText(self.tr("New template"))
        self.template_subject.clear()
        self.template_body.setPlainText("")
        self.template_title.setFocus()
        self.template_title.selectAll()

    @ui_slot()
    async def _on_save_template(self) -> None:
        row = self.template_list.currentRow()
        title = self.template_title.text().strip()
        if not title:
            return
        if 0 <= row < len(self._templates):
            template_id = self._templates[row].id
            base = self._templates[row]
        else:
            template_id = _slug(title)
            base = None
        template = MessageTemplate(
            id=template_id,
            title=title,
            audience=Audience(self.template_audience.currentData()),
            subject=self.template_subject.text(),
            body=self.template_body.toPlainText(),
            category=base.category if base is not None else "",
            description=base.description if base is not None else "",
            placeholders=dict(base.placeholders) if base is not None else {},
        )
        folder = self.services.paths.templates_dir
        try:
            await asyncio.to_thread(save_user_template, folder, template)
        except KnownError as error:
            self._say(self._describe(error), ok=False)
            return
        await self._load_templates()
        for index, known in enumerate(self._templates):
            if known.id == template_id:
                self.template_list.setCurrentRow(index)
        self._say(self.tr("Template saved."))

    # -- general -------------------------------------------------------------------------------

    def _on_choose_filing(self) -> None:
        chosen = QFileDialog.getExistingDirectory(
            self, self.tr("Filing folder"), self.filing.text() or str(Path.home())
        )
        if chosen:
            self.filing.setText(chosen)

    # -- applying ------------------------------------------------------------------------------

    @ui_slot()
    async def _on_apply(self) -> None:
        await self.apply()

    async def apply(self) -> None:
        """Save the general, security and directory settings and apply them at once."""
        current = self.services.settings
        tls = replace(
            current.tls,
            revocation=str(self.revocation.currentData()),
            allow_tls13=self.tls13.isChecked(),
        )
        directory = replace(
            current.directory,
            fhir_base_url=self.directory_url.text().strip() or current.directory.fhir_base_url,
        )
        new = current.evolve(
            tls=tls, directory=directory, lock_after_minutes=self.lock_minutes.value()
        )
        applied = await self.settings_service.apply(new)
        await self.settings_service.set_directory_api_key(self.api_key.text())
        if self.state is not None:
            self.state.setValue(NOTIFY_KEY, self.notify.isChecked())
            filing = self.filing.text().strip()
            if filing:
                self.state.setValue(FILING_KEY, filing)
            self.state.sync()
        self.applied.emit(applied)
        self.lock_delay_changed.emit(applied.lock_after_minutes)
        self._say(self.tr("Settings saved and applied."))

    def _say(self, text: str, *, ok: bool = True) -> None:
        self.status.setText(text)
        self.status.setObjectName("" if ok else "formError")
        self.status.setAccessibleName(text)
        self.status.style().unpolish(self.status)
        self.status.style().polish(self.status)

    def _describe(self, error: BaseException) -> str:
        described = self.errors.describe(error)
        return f"{described.title}. {described.advice}"


def _slug(title: str) -> str:
    """A template id from its title (ASCII, lower case, dashes)."""
    import unicodedata

    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")[:56]
    return f"perso-{slug or 'modele'}"


async def open_settings(
    services: Services, errors: ErrorPresenter, state: QSettings | None, parent: QWidget
) -> SettingsDialog:
    """Build, fill and show the dialog (not modal: the window keeps working)."""
    dialog = SettingsDialog(services, errors, state, parent)
    await dialog.load()
    await run_dialog(dialog)
    return dialog
