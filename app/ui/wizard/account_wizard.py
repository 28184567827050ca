"""The account wizard: address, servers, identity, login, connection test (issue 13).

Steps: (1) the address; the operator is recognised from its domain (presets), else found by DNS
SRV or autoconfig, else the user types the servers; (2) the servers, editable, with the token
rule's confirmation when they are outside the mailbox's domain; (3) box type, identity (live
preview of the From name recipients see, ECO.2.2.7) and return box; (4) how to log in: Pro
Santé Connect in the browser or CIBA, a password, or a client certificate (APP boxes); (5)
"Test the connection": IMAP and SMTP, each result in plain French.

The account is created in the archive when the user logs in or tests (the Pro Santé Connect
login needs it to keep its refresh token); cancelling the wizard removes it again. Must run on
the Qt thread.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain.account import (
    AccountConfig,
    AuthMethod,
    BoxType,
    Endpoint,
    Identity,
    OidcSettings,
    Security,
)
from app.domain.addresses import MailAddress
from app.domain.compose import from_display_name
from app.domain.errors import KnownError, ValidationError
from app.services.discovery_service import (
    CheckResult,
    Discovery,
    DiscoveryService,
    servers_trusted,
)
from app.ui.async_bridge import ui_slot
from app.ui.widgets.forms import add_row

if TYPE_CHECKING:
    from app.services.account_service import Account
    from app.services.container import Services
    from app.ui.error_presenter import ErrorPresenter

STEPS = ("address", "servers", "identity", "login", "test")


def _label(text: str, parent: QWidget, *, wrap: bool = True, name: str = "") -> QLabel:
    label = QLabel(text, parent)
    label.setWordWrap(wrap)
    if name:
        label.setObjectName(name)
    return label


class AccountWizard(QDialog):
    """Adds one MSSanté mailbox; `account` is set when it was added.

    Args:
        services: the open services.
        errors: the French error texts.
        discovery: where servers are looked for (tests give a loopback resolver).
        open_browser: opens the Pro Santé Connect page (the system browser by default).

    Signals:
        ciba_code_shown(str): the code to compare was shown (tests).
    """

    ciba_code_shown = Signal(str)

    def __init__(
        self,
        services: Services,
        errors: ErrorPresenter,
        parent: QWidget | None = None,
        *,
        discovery: DiscoveryService | None = None,
        open_browser: Callable[[str], object] | None = None,
    ) -> None:
        super().__init__(parent)
        self.services = services
        self.errors = errors
        self.discovery = discovery or DiscoveryService.for_profile(
            services.accounts, services.paths.root
        )
        self._open_browser = open_browser or (lambda url: QDesktopServices.openUrl(QUrl(url)))
        self.account: Account | None = None
        self._secret_key: tuple[object, ...] | None = None
        self.found: Discovery | None = None
        self.results: list[CheckResult] = []
        self.logged_in = False
        self._busy = False
        self.setWindowTitle(self.tr("Add an MSSanté mailbox"))
        self.setAccessibleName(self.windowTitle())
        self.setMinimumSize(640, 560)
        outer = QVBoxLayout(self)
        outer.setSpacing(12)
        self.heading = _label("", self, name="wizardHeading")
        font = self.heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.heading.setFont(font)
        self.step_label = _label("", self, name="wizardStep")
        outer.addWidget(self.step_label)
        outer.addWidget(self.heading)
        self.stack = QStackedWidget(self)
        outer.addWidget(self.stack, 1)
        self._build_address()
        self._build_servers()
        self._build_identity()
        self._build_login()
        self._build_test()
        self.status = _label("", self, name="formError")
        self.status.hide()
        outer.addWidget(self.status)
        buttons = QHBoxLayout()
        self.back_button = QPushButton(self.tr("&Back"), self)
        self.next_button = QPushButton(self.tr("&Next"), self)
        self.finish_button = QPushButton(self.tr("&Finish"), self)
        self.cancel_button = QPushButton(self.tr("Cancel"), self)
        for button in (self.back_button, self.next_button, self.finish_button, self.cancel_button):
            button.setAccessibleName(button.text().replace("&", ""))
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        buttons.addWidget(self.back_button)
        buttons.addWidget(self.next_button)
        buttons.addWidget(self.finish_button)
        outer.addLayout(buttons)
        self.back_button.clicked.connect(self._on_back)
        self.next_button.clicked.connect(self._on_next)
        self.finish_button.clicked.connect(self._on_finish)
        self.cancel_button.clicked.connect(self._on_cancel)
        self.next_button.setDefault(True)
        self._show_step(0)

    # -- pages ---------------------------------------------------------------------------------

    def _page(self) -> tuple[QWidget, QVBoxLayout]:
        page = QWidget(self.stack)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)
        self.stack.addWidget(page)
        return page, layout

    def _build_address(self) -> None:
        page, layout = self._page()
        layout.addWidget(
            _label(
                self.tr(
                    "Enter the address of your MSSanté mailbox. Pli recognises your messaging "
                    "operator from it and fills in the servers."
                ),
                page,
            )
        )
        form = QFormLayout()
        self.address = QLineEdit(page)
        self.address.setPlaceholderText(self.tr("firstname.lastname@example.mssante.fr"))
        add_row(form, self.tr("&Mailbox address:"), self.address, self.tr("Address"))
        layout.addLayout(form)
        self.address_note = _label(
            self.tr(
                "Only the part after the @ is used to find the servers: it is looked up in "
                "Pli's list of operators, then in your domain's public DNS records."
            ),
            page,
            name="hint",
        )
        layout.addWidget(self.address_note)
        layout.addStretch(1)

    def _build_servers(self) -> None:
        page, layout = self._page()
        self.found_label = _label("", page, name="foundLabel")
        layout.addWidget(self.found_label)
        box = QGroupBox(self.tr("Servers"), page)
        form = QFormLayout(box)
        self.imap = QLineEdit(box)
        self.imap.setPlaceholderText(self.tr("imap.example.mssante.fr:143"))
        add_row(form, self.tr("&Incoming (IMAP):"), self.imap, self.tr("IMAP server"))
        self.smtp = QLineEdit(box)
        self.smtp.setPlaceholderText(self.tr("smtp.example.mssante.fr:587"))
        add_row(form, self.tr("&Outgoing (SMTP):"), self.smtp, self.tr("SMTP server"))
        self.security = QComboBox(box)
        self.security.addItem(self.tr("STARTTLS (ports 143 and 587)"), Security.STARTTLS)
        self.security.addItem(self.tr("TLS from the start (ports 993 and 465)"), Security.TLS)
        add_row(form, self.tr("&Security:"), self.security, self.tr("Connection security"))
        self.username = QLineEdit(box)
        self.username.setPlaceholderText(self.tr("the address, unless your operator says so"))
        add_row(form, self.tr("&User name:"), self.username, self.tr("User name"))
        self.ca_file = QLineEdit(box)
        self.ca_file.setPlaceholderText(self.tr("IGC-Santé certificates shipped with Pli"))
        add_row(form, self.tr("&Trust store (PEM):"), self.ca_file, self.tr("Trust store file"))
        layout.addWidget(box)
        self.trust_note = _label(
            self.tr(
                "These servers are outside your mailbox's domain. Pli never sends a Pro Santé "
                "Connect login to them unless you confirm that they are your operator's."
            ),
            page,
            name="hint",
        )
        layout.addWidget(self.trust_note)
        self.confirm_servers = QCheckBox(
            self.tr("These are indeed my messaging operator's servers"), page
        )
        self.confirm_servers.setAccessibleName(self.tr("Confirm the servers"))
        layout.addWidget(self.confirm_servers)
        layout.addStretch(1)
        for edit in (self.imap, self.smtp):
            edit.textChanged.connect(self._update_trust_note)

    def _build_identity(self) -> None:
        page, layout = self._page()
        form = QFormLayout()
        self.box_type = QComboBox(page)
        self.box_type.addItem(self.tr("Personal (PER): your own nominative box"), BoxType.PER)
        self.box_type.addItem(self.tr("Practice (CAB): a practice's shared box"), BoxType.CAB)
        self.box_type.addItem(self.tr("Organisation (ORG): a service or department"), BoxType.ORG)
        self.box_type.addItem(self.tr("Application (APP): software sending alone"), BoxType.APP)
        add_row(form, self.tr("Box &type:"), self.box_type, self.tr("Box type"))
        self.title = QLineEdit(page)
        self.title.setPlaceholderText(self.tr("e.g. Dr"))
        add_row(form, self.tr("T&itle:"), self.title, self.tr("Title"))
        self.given = QLineEdit(page)
        add_row(form, self.tr("&Given name:"), self.given, self.tr("Given name"))
        self.family = QLineEdit(page)
        add_row(form, self.tr("&Family name:"), self.family, self.tr("Family name"))
        self.entity = QLineEdit(page)
        self.entity.setPlaceholderText(self.tr("e.g. Cabinet médical des Tilleuls"))
        add_row(form, self.tr("&Practice or service:"), self.entity, self.tr("Practice or service"))
        self.reply_to = QLineEdit(page)
        self.reply_to.setPlaceholderText(self.tr("optional: e.g. the practice's box"))
        add_row(form, self.tr("&Return box:"), self.reply_to, self.tr("Return box"))
        layout.addLayout(form)
        preview_box = QGroupBox(self.tr("What your correspondents see"), page)
        preview_layout = QVBoxLayout(preview_box)
        self.preview = _label("", preview_box, name="fromPreview")
        preview_layout.addWidget(self.preview)
        self.preview_note = _label("", preview_box, name="hint")
        preview_layout.addWidget(self.preview_note)
        layout.addWidget(preview_box)
        layout.addStretch(1)
        for edit in (self.title, self.given, self.family, self.entity, self.reply_to):
            edit.textChanged.connect(self._update_preview)
        self.box_type.currentIndexChanged.connect(self._update_preview)

    def _build_login(self) -> None:
        page, layout = self._page()
        self.auth_group = QButtonGroup(page)
        self.auth_psc = QRadioButton(
            self.tr("Pro Santé Connect in my browser (e-CPS or CPS card)"), page
        )
        self.auth_ciba = QRadioButton(
            self.tr("Pro Santé Connect with my e-CPS app or card reader (no browser)"), page
        )
        self.auth_password = QRadioButton(self.tr("A password given by my operator"), page)
        self.auth_cert = QRadioButton(
            self.tr("The establishment's certificate (application boxes)"), page
        )
        for index, button in enumerate(
            (self.auth_psc, self.auth_ciba, self.auth_password, self.auth_cert)
        ):
            self.auth_group.addButton(button, index)
            layout.addWidget(button)
        self.auth_password.setChecked(True)
        self.password_box = QGroupBox(self.tr("Password"), page)
        pform = QFormLayout(self.password_box)
        self.password = QLineEdit(self.password_box)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        add_row(pform, self.tr("&Password:"), self.password, self.tr("Password"))
        layout.addWidget(self.password_box)
        self.psc_box = QGroupBox(self.tr("Pro Santé Connect"), page)
        oform = QFormLayout(self.psc_box)
        self.psc_form = oform
        self.rpps = QLineEdit(self.psc_box)
        self.rpps.setPlaceholderText(self.tr("11 digits, on your CPS card"))
        add_row(oform, self.tr("&RPPS number:"), self.rpps, self.tr("RPPS number"))
        self.issuer = QLineEdit(self.psc_box)
        add_row(oform, self.tr("Pro&vider:"), self.issuer, self.tr("Provider address"))
        self.client_id = QLineEdit(self.psc_box)
        add_row(oform, self.tr("&Client id:"), self.client_id, self.tr("Client id"))
        self.oidc_ca = QLineEdit(self.psc_box)
        self.oidc_ca.setPlaceholderText(self.tr("the system's certificate authorities"))
        add_row(oform, self.tr("Provider's &trust store:"), self.oidc_ca, self.tr("Provider trust"))
        layout.addWidget(self.psc_box)
        self.cert_box = QGroupBox(self.tr("Certificate"), page)
        cform = QFormLayout(self.cert_box)
        row = QHBoxLayout()
        self.cert_file = QLineEdit(self.cert_box)
        self.cert_file.setPlaceholderText(self.tr("PEM or PKCS#12 (.p12, .pfx) file"))
        browse = QPushButton(self.tr("Choose…"), self.cert_box)
        browse.setAccessibleName(self.tr("Choose the certificate file"))
        browse.clicked.connect(self._on_browse_certificate)
        row.addWidget(self.cert_file, 1)
        row.addWidget(browse)
        holder = QWidget(self.cert_box)
        holder.setLayout(row)
        row.setContentsMargins(0, 0, 0, 0)
        self.cert_file.setAccessibleName(self.tr("Certificate file"))
        label = QLabel(self.tr("Certificate &file:"), self.cert_box)
        label.setBuddy(self.cert_file)
        cform.addRow(label, holder)
        self.cert_password = QLineEdit(self.cert_box)
        self.cert_password.setEchoMode(QLineEdit.EchoMode.Password)
        add_row(
            cform,
            self.tr("Certificate pass&word:"),
            self.cert_password,
            self.tr("Certificate password"),
        )
        layout.addWidget(self.cert_box)
        layout.addStretch(1)
        self.auth_group.idToggled.connect(self._update_auth_boxes)
        self._update_auth_boxes()

    def _build_test(self) -> None:
        page, layout = self._page()
        layout.addWidget(
            _label(
                self.tr(
                    "Pli now logs in to your servers once, to check everything before the "
                    "first synchronisation. Nothing is sent."
                ),
                page,
            )
        )
        row = QHBoxLayout()
        self.login_button = QPushButton(self.tr("&Log in with Pro Santé Connect"), page)
        self.login_button.setAccessibleName(self.tr("Log in with Pro Santé Connect"))
        self.login_button.clicked.connect(self._on_login)
        self.test_button = QPushButton(self.tr("&Test the connection"), page)
        self.test_button.setAccessibleName(self.tr("Test the connection"))
        self.test_button.clicked.connect(self._on_test)
        row.addWidget(self.login_button)
        row.addWidget(self.test_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.ciba_label = _label("", page, name="cibaCode")
        font = self.ciba_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        self.ciba_label.setFont(font)
        self.ciba_label.hide()
        layout.addWidget(self.ciba_label)
        self.login_state = _label("", page)
        layout.addWidget(self.login_state)
        self.imap_result = _label("", page, name="checkResult")
        self.smtp_result = _label("", page, name="checkResult")
        layout.addWidget(self.imap_result)
        layout.addWidget(self.smtp_result)
        self.after_note = _label(
            self.tr(
                "When you click Finish, Pli downloads your messages in the background, newest "
                "first; you can read them as they arrive."
            ),
            page,
            name="hint",
        )
        layout.addWidget(self.after_note)
        layout.addStretch(1)

    # -- navigation ----------------------------------------------------------------------------

    def current_step(self) -> str:
        """The name of the step shown (``address``, ``servers``, ``identity``, ``login``…)."""
        return STEPS[self.stack.currentIndex()]

    def _show_step(self, index: int) -> None:
        self.stack.setCurrentIndex(index)
        titles = (
            self.tr("Your mailbox"),
            self.tr("Your operator's servers"),
            self.tr("How you appear to your correspondents"),
            self.tr("How you log in"),
            self.tr("Connection test"),
        )
        self.heading.setText(titles[index])
        self.step_label.setText(
            self.tr("Step %1 of %2").replace("%1", str(index + 1)).replace("%2", str(len(STEPS)))
        )
        self.back_button.setEnabled(index > 0)
        last = index == len(STEPS) - 1
        self.next_button.setVisible(not last)
        self.finish_button.setVisible(last)
        self.next_button.setDefault(not last)
        self.finish_button.setDefault(last)
        if STEPS[index] == "test":
            oidc = self._auth() is AuthMethod.OAUTH2
            self.login_button.setVisible(oidc)
            self.login_button.setText(
                self.tr("&Log in with Pro Santé Connect")
                if self.auth_psc.isChecked()
                else self.tr("&Send the request to my e-CPS")
            )
            self.login_button.setAccessibleName(self.login_button.text().replace("&", ""))
        self._set_status(None)
        first = {
            "address": self.address,
            "servers": self.imap,
            "identity": self.box_type,
            "login": self.auth_group.checkedButton(),
            "test": self.test_button,
        }[STEPS[index]]
        if first is not None:
            first.setFocus()

    def _set_status(self, text: str | None) -> None:
        self.status.setVisible(bool(text))
        self.status.setText(text or "")
        self.status.setAccessibleName(text or "")

    def _describe(self, error: BaseException) -> str:
        described = self.errors.describe(error)
        return f"{described.title}. {described.advice}"

    def _on_back(self) -> None:
        if self.stack.currentIndex() > 0 and not self._busy:
            self._show_step(self.stack.currentIndex() - 1)

    @ui_slot()
    async def _on_next(self) -> None:
        if self._busy:
            return
        step = self.current_step()
        try:
            if step == "address":
                await self._discover()
            elif step == "servers":
                self._servers()
            elif step == "identity":
                self._check_identity()
            elif step == "login":
                self._check_login()
        except KnownError as error:
            self._set_status(self._describe(error))
            return
        self._show_step(self.stack.currentIndex() + 1)

    # -- step 1: the address and discovery -----------------------------------------------------

    async def _discover(self) -> None:
        text = self.address.text().strip()
        MailAddress.parse(text)  # ValidationError address.malformed
        self._busy = True
        self._set_status(None)
        self.found_label.setText(self.tr("Looking for your operator…"))
        self.next_button.setEnabled(False)
        self.address.setEnabled(False)
        try:
            found = await self.discovery.discover(text)
        finally:
            self._busy = False
            self.next_button.setEnabled(True)
            self.address.setEnabled(True)
        self.found = found
        self.apply_discovery(found)

    def apply_discovery(self, found: Discovery) -> None:
        """Fill the servers step with what discovery found."""
        preset = found.preset
        if found.source == "preset" and preset is not None:
            text = self.tr("Operator recognised: %1.").replace("%1", preset.name)
            if not preset.verified:
                text += " " + self.tr(
                    "These settings come from Pli's list and have not been confirmed by the "
                    "operator: check them if the test fails."
                )
            if preset.oidc is not None:
                self.issuer.setText(preset.oidc.issuer)
                self.client_id.setText(preset.oidc.client_id)
            if preset.auth and preset.auth[0] is AuthMethod.OAUTH2:
                self.auth_psc.setChecked(True)
        elif found.source == "srv":
            text = self.tr("Servers found in your domain's DNS records (SRV).")
        elif found.source == "autoconfig":
            text = self.tr("Servers found in your domain's configuration file (autoconfig).")
        else:
            text = self.tr(
                "Pli did not find your operator. Enter the servers your operator gave you."
            )
        self.found_label.setText(text)
        if found.imap is not None and found.smtp is not None:
            self.security.setCurrentIndex(self.security.findData(found.imap.security))
            self.imap.setText(str(found.imap))
            self.smtp.setText(str(found.smtp))
        if found.username:
            self.username.setText(found.username)
        self._update_trust_note()

    def _update_trust_note(self) -> None:
        outside = False
        try:
            imap, smtp = self._endpoints()
            outside = not servers_trusted(self.address.text().strip(), imap, smtp)
        except KnownError:
            outside = False
        preset_ok = (
            self.found is not None
            and self.found.source == "preset"
            and self.found.imap is not None
            and self.imap.text().strip() == str(self.found.imap)
            and self.smtp.text().strip() == str(self.found.smtp)
        )
        show = outside and not preset_ok
        self.confirm_servers.setVisible(show)
        self.trust_note.setVisible(show)

    # -- step 2: servers -----------------------------------------------------------------------

    def _endpoints(self) -> tuple[Endpoint, Endpoint]:
        security = Security(self.security.currentData())
        if not self.imap.text().strip() or not self.smtp.text().strip():
            raise ValidationError("endpoint.malformed", value="")
        return (
            Endpoint.parse(self.imap.text(), security, "imap"),
            Endpoint.parse(self.smtp.text(), security, "smtp"),
        )

    def _servers(self) -> tuple[Endpoint, Endpoint]:
        return self._endpoints()

    def _servers_confirmed(self) -> bool:
        imap, smtp = self._endpoints()
        if servers_trusted(self.address.text().strip(), imap, smtp):
            return False  # inside the domain: nothing to confirm
        if self.confirm_servers.isHidden():
            return True  # a shipped preset's servers, unchanged
        return self.confirm_servers.isChecked()

    # -- step 3: identity ----------------------------------------------------------------------

    def identity(self) -> Identity:
        """The identity typed."""
        return Identity(
            title=self.title.text().strip(),
            given_name=self.given.text().strip(),
            family_name=self.family.text().strip(),
            entity=self.entity.text().strip(),
        )

    def _update_preview(self) -> None:
        box = BoxType(self.box_type.currentData())
        name = from_display_name(self.identity(), box)
        address = self.address.text().strip() or self.tr("your address")
        shown = f"{name} <{address}>" if name else address
        self.preview.setText(shown)
        self.preview.setAccessibleName(self.tr("Preview: %1").replace("%1", shown))
        if box in (BoxType.ORG, BoxType.APP):
            note = self.tr("Organisation and application boxes show the entity only.")
        else:
            note = self.tr(
                "The national rule joins title, given name, FAMILY NAME and practice with "
                "underscores; empty parts are left out."
            )
        reply = self.reply_to.text().strip()
        if reply:
            note += " " + self.tr("Patients' replies go to %1.").replace("%1", reply)
        self.preview_note.setText(note)
        app_box = box is BoxType.APP
        self.auth_cert.setEnabled(app_box)
        if not app_box and self.auth_cert.isChecked():
            self.auth_password.setChecked(True)

    def _check_identity(self) -> None:
        reply = self.reply_to.text().strip()
        if reply:
            MailAddress.parse(reply)

    # -- step 4: login -------------------------------------------------------------------------

    def _auth(self) -> AuthMethod:
        if self.auth_psc.isChecked() or self.auth_ciba.isChecked():
            return AuthMethod.OAUTH2
        if self.auth_cert.isChecked():
            return AuthMethod.EXTERNAL
        return AuthMethod.PASSWORD

    def _update_auth_boxes(self, *_args: object) -> None:
        auth = self._auth()
        self.password_box.setVisible(auth is AuthMethod.PASSWORD)
        self.psc_box.setVisible(auth is AuthMethod.OAUTH2)
        self.psc_form.setRowVisible(self.rpps, self.auth_ciba.isChecked())
        self.cert_box.setVisible(auth is AuthMethod.EXTERNAL)

    def _on_browse_certificate(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self,
            self.tr("Choose the certificate"),
            "",
            self.tr("Certificates (*.pem *.p12 *.pfx);;All files (*)"),
        )
        if path:
            self.cert_file.setText(path)

    def _check_login(self) -> None:
        auth = self._auth()
        if auth is AuthMethod.PASSWORD and not self.password.text():
            raise ValidationError("account.password_required")
        if auth is AuthMethod.EXTERNAL and not self.cert_file.text().strip():
            raise ValidationError("account.client_certificate_required")
        if auth is AuthMethod.OAUTH2:
            if not self.issuer.text().strip() or not self.client_id.text().strip():
                raise ValidationError("account.oidc_required")
            if self.auth_ciba.isChecked() and not self.rpps.text().strip().isdigit():
                raise ValidationError("account.rpps_required")
            imap, smtp = self._endpoints()
            if not servers_trusted(self.address.text().strip(), imap, smtp) and (
                not self.confirm_servers.isHidden() and not self.confirm_servers.isChecked()
            ):
                raise ValidationError("auth.server_not_confirmed", host=imap.host)

    def config(self) -> AccountConfig:
        """The account described by the wizard.

        Raises:
            ValidationError: malformed address or servers.
        """
        address = self.address.text().strip()
        imap, smtp = self._endpoints()
        auth = self._auth()
        oidc = None
        if auth is AuthMethod.OAUTH2:
            preset = self.found.preset if self.found is not None else None
            base = preset.oidc if preset is not None and preset.oidc is not None else None
            oidc = OidcSettings(
                issuer=self.issuer.text().strip(),
                client_id=self.client_id.text().strip(),
                discovery_url=base.discovery_url if base is not None else None,
                flow="ciba" if self.auth_ciba.isChecked() else "browser",
                rpps=self.rpps.text().strip() or None,
                ca_file=self.oidc_ca.text().strip() or None,
            )
        preset = self.found.preset if self.found is not None else None
        return AccountConfig(
            name=self.account.name if self.account is not None else address,
            address=address,
            imap=imap,
            smtp=smtp,
            box_type=BoxType(self.box_type.currentData()),
            username=self.username.text().strip() or None,
            auth=auth,
            ca_file=self.ca_file.text().strip() or None,
            oidc=oidc,
            identity=self.identity(),
            reply_to=self.reply_to.text().strip() or None,
            server_files_sent=preset.server_files_sent if preset is not None else False,
            servers_confirmed=self._servers_confirmed(),
        )

    async def _ensure_account(self) -> Account:
        """Create the account (or bring it up to date with the form)."""
        config = self.config()
        accounts = self.services.accounts
        secret_key = (config.auth, self.password.text(), self.cert_file.text())
        if self.account is not None and secret_key != self._secret_key:
            await accounts.remove(self.account.name)  # a new secret: start again cleanly
            self.account = None
            self.logged_in = False
        if self.account is None:
            cert: bytes | None = None
            if config.auth is AuthMethod.EXTERNAL:
                cert = await asyncio.to_thread(_read_bytes, self.cert_file.text().strip())
            self.account = await accounts.add(
                config,
                password=self.password.text() if config.auth is AuthMethod.PASSWORD else None,
                client_certificate=cert,
                client_certificate_password=self.cert_password.text() or None,
            )
            self._secret_key = secret_key
        elif self.account.config != config:
            self.account = await accounts.update(self.account.name, config)
            self.logged_in = False
        return self.account

    # -- step 5: login and test ----------------------------------------------------------------

    @ui_slot()
    async def _on_login(self) -> None:
        if self._busy:
            return
        self._busy = True
        self._set_status(None)
        self.login_button.setEnabled(False)
        try:
            account = await self._ensure_account()
            if self.auth_ciba.isChecked():
                self.login_state.setText(self.tr("Waiting for your approval…"))
                await self.services.accounts.login_ciba(account, None, self._on_ciba_pending)
            else:
                self.login_state.setText(
                    self.tr("Log in in the browser window that opened, then come back here.")
                )
                await self.services.accounts.login_browser(account, self._open_browser)
            self.logged_in = True
            self.login_state.setText(self.tr("Logged in with Pro Santé Connect."))
        except KnownError as error:
            self.login_state.setText("")
            self._set_status(self._describe(error))
        finally:
            self._busy = False
            self.login_button.setEnabled(True)
            self.ciba_label.hide()

    def _on_ciba_pending(self, request: object) -> None:
        code = str(getattr(request, "binding_message", ""))
        self.ciba_label.setText(
            self.tr("Check that your phone or card reader shows: %1").replace("%1", code)
        )
        self.ciba_label.setAccessibleName(self.ciba_label.text())
        self.ciba_label.show()
        self.ciba_code_shown.emit(code)

    @ui_slot()
    async def _on_test(self) -> None:
        if self._busy:
            return
        self._busy = True
        self._set_status(None)
        self.test_button.setEnabled(False)
        self.imap_result.setText(self.tr("Incoming mail (IMAP): testing…"))
        self.smtp_result.setText(self.tr("Outgoing mail (SMTP): testing…"))
        try:
            account = await self._ensure_account()
            self.results = await self.discovery.check(account)
        except KnownError as error:
            self.imap_result.setText("")
            self.smtp_result.setText("")
            self._set_status(self._describe(error))
            return
        finally:
            self._busy = False
            self.test_button.setEnabled(True)
        for result in self.results:
            self._show_result(result)
        if self.test_passed:
            self.finish_button.setFocus()

    def _show_result(self, result: CheckResult) -> None:
        label = self.imap_result if result.protocol == "IMAP" else self.smtp_result
        what = (
            self.tr("Incoming mail (IMAP)")
            if result.protocol == "IMAP"
            else self.tr("Outgoing mail (SMTP)")
        )
        if result.ok:
            text = self.tr("%1: connected ✓").replace("%1", what)
            label.setStyleSheet("color: #1b5e20; font-weight: bold;")
        else:
            assert result.error is not None
            text = self.tr("%1: %2").replace("%1", what).replace("%2", self._describe(result.error))
            label.setStyleSheet("color: #b71c1c;")
        label.setText(text)
        label.setAccessibleName(text)

    @property
    def test_passed(self) -> bool:
        """Whether the last test reached and logged in to both servers."""
        return len(self.results) == 2 and all(r.ok for r in self.results)

    # -- finishing -----------------------------------------------------------------------------

    @ui_slot()
    async def _on_finish(self) -> None:
        if self._busy:
            return
        try:
            await self._ensure_account()
        except KnownError as error:
            self._set_status(self._describe(error))
            return
        self.accept()

    @ui_slot()
    async def _on_cancel(self) -> None:
        await self.discard()
        self.reject()

    async def discard(self) -> None:
        """Remove the account created for the test (the wizard was cancelled)."""
        account, self.account = self.account, None
        if account is not None:
            await self.services.accounts.remove(account.name)

    def reject(self) -> None:
        """Escape and the close button: the account made for the test goes too."""
        if self.account is not None and not self._busy:
            from app.ui.async_bridge import run_operation

            run_operation(self, self.discard())
        super().reject()


def _read_bytes(path: str) -> bytes:
    from pathlib import Path

    return Path(path).read_bytes()
