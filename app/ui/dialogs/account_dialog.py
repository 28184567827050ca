"""Adding an MSSanté mailbox with a password (the full wizard comes with a later issue).

The dialog only gathers and checks the form; the window adds the account through
``services.accounts.add``. Must run on the Qt thread.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.domain.account import AccountConfig, BoxType, Endpoint, Identity, Security
from app.domain.errors import KnownError, ValidationError


class AccountDialog(QDialog):
    """Address, servers, security, password and identity of a new mailbox."""

    def __init__(self, parent: QWidget | None = None, describe: object = None) -> None:
        super().__init__(parent)
        self._describe = describe
        self.setWindowTitle(self.tr("Add my MSSanté mailbox"))
        self.setAccessibleName(self.windowTitle())
        self.setMinimumWidth(560)
        layout = QVBoxLayout(self)
        layout.setSpacing(12)
        intro = QLabel(
            self.tr(
                "Your messaging operator gives these settings (hospital, regional health "
                "agency, or your software vendor)."
            ),
            self,
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)

        box = QGroupBox(self.tr("Mailbox"), self)
        form = QFormLayout(box)
        self.address = self._line(form, self.tr("&Address:"), self.tr("Mailbox address"))
        self.address.setPlaceholderText(self.tr("firstname.lastname@example.mssante.fr"))
        self.name = self._line(form, self.tr("Short &name:"), self.tr("Short name"))
        self.name.setPlaceholderText(self.tr("e.g. practice"))
        self.box_type = QComboBox(box)
        self.box_type.addItem(self.tr("Personal (PER)"), BoxType.PER)
        self.box_type.addItem(self.tr("Practice (CAB)"), BoxType.CAB)
        self.box_type.addItem(self.tr("Organisation (ORG)"), BoxType.ORG)
        self._row(form, self.tr("&Type:"), self.box_type, self.tr("Mailbox type"))
        self.password = self._line(form, self.tr("&Password:"), self.tr("Password"))
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        layout.addWidget(box)

        servers = QGroupBox(self.tr("Servers"), self)
        sform = QFormLayout(servers)
        self.imap = self._line(sform, self.tr("&Incoming (IMAP):"), self.tr("IMAP server"))
        self.imap.setPlaceholderText(self.tr("imap.example.mssante.fr:993"))
        self.smtp = self._line(sform, self.tr("&Outgoing (SMTP):"), self.tr("SMTP server"))
        self.smtp.setPlaceholderText(self.tr("smtp.example.mssante.fr:465"))
        self.security = QComboBox(servers)
        self.security.addItem(self.tr("TLS from the start (ports 993 and 465)"), Security.TLS)
        self.security.addItem(self.tr("STARTTLS (ports 143 and 587)"), Security.STARTTLS)
        self._row(sform, self.tr("&Security:"), self.security, self.tr("Connection security"))
        layout.addWidget(servers)

        who = QGroupBox(self.tr("Identity shown to your correspondents"), self)
        wform = QFormLayout(who)
        self.title = self._line(wform, self.tr("T&itle:"), self.tr("Title"))
        self.title.setPlaceholderText(self.tr("e.g. Dr"))
        self.given = self._line(wform, self.tr("&Given name:"), self.tr("Given name"))
        self.family = self._line(wform, self.tr("&Family name:"), self.tr("Family name"))
        self.entity = self._line(wform, self.tr("&Practice or service:"), self.tr("Entity"))
        layout.addWidget(who)

        self.error = QLabel(self)
        self.error.setObjectName("formError")
        self.error.setWordWrap(True)
        self.error.hide()
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(self.tr("&Add"))
        ok.setAccessibleName(self.tr("Add"))
        cancel = buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setText(self.tr("&Cancel"))
        cancel.setAccessibleName(self.tr("Cancel"))
        buttons.accepted.connect(self._on_accepted)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.result_config: AccountConfig | None = None

    def _line(self, form: QFormLayout, label: str, name: str) -> QLineEdit:
        edit = QLineEdit(self)
        self._row(form, label, edit, name)
        return edit

    def _row(self, form: QFormLayout, label: str, field: QWidget, name: str) -> None:
        text = QLabel(label, self)
        text.setBuddy(field)
        text.setMinimumWidth(170)  # the three groups' labels line up
        field.setAccessibleName(name)
        form.addRow(text, field)

    def config(self) -> AccountConfig:
        """The account described by the form.

        Raises:
            ValidationError: ``address.malformed``, ``endpoint.malformed``,
                ``account.password_required``.
        """
        address = self.address.text().strip()
        security = Security(self.security.currentData())
        name = self.name.text().strip() or address.split("@", 1)[0]
        if not self.password.text():
            raise ValidationError("account.password_required")
        if not self.imap.text().strip() or not self.smtp.text().strip():
            raise ValidationError("endpoint.malformed", value="")
        return AccountConfig(
            name=name,
            address=address,
            imap=Endpoint.parse(self.imap.text(), security, "imap"),
            smtp=Endpoint.parse(self.smtp.text(), security, "smtp"),
            box_type=BoxType(self.box_type.currentData()),
            identity=Identity(
                title=self.title.text().strip(),
                given_name=self.given.text().strip(),
                family_name=self.family.text().strip(),
                entity=self.entity.text().strip(),
            ),
        )

    def _on_accepted(self) -> None:
        try:
            self.result_config = self.config()
        except KnownError as error:
            text = error.code
            describe = self._describe
            if callable(describe):
                described = describe(error)
                text = f"{described.title}. {described.advice}"
            self.error.setText(text)
            self.error.setAccessibleName(text)
            self.error.show()
            return
        self.accept()
