"""Errors shown in plain French with what to do; crash reports without health data.

The only place where the window turns error codes into sentences (STYLE.md §7). The engine
raises `KnownError` subclasses carrying codes; `ErrorPresenter.describe` maps a code to a title
and an advice (English source strings, French through Qt's translator), first by the exact code,
then by its family (the part before the first dot, or the error class's ``family``). Anything
that is not a `KnownError` is a bug: a crash report is written in the profile's ``logs`` folder
(exception type and code locations only: no message, no local variables, no health data) and
the user sees a French dialog. A traceback never reaches the window.
"""

from __future__ import annotations

import asyncio
import logging
import platform
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from app.domain.errors import KnownError
from app.ui.i18n import QT_TRANSLATE_NOOP

log = logging.getLogger(__name__)

_CONTEXT = "ErrorPresenter"


# fmt: off
#: Exact codes: (title, what to do). English source; French in resources/i18n/frame_fr.ts.
_CODES: dict[str, tuple[str, str]] = {
    # Network
    "network.unreachable": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "The server cannot be reached"),
        QT_TRANSLATE_NOOP("ErrorPresenter", "Check the Internet connection. Your archived messages remain available; messages being sent will leave when the network is back.")),  # noqa: E501
    "network.unknown_host": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "Unknown server name"),
        QT_TRANSLATE_NOOP("ErrorPresenter", "Check the server name in the account settings, and the Internet connection.")),  # noqa: E501
    "network.refused": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "The server refused the connection"),
        QT_TRANSLATE_NOOP("ErrorPresenter", "Check the port number in the account settings. If it is right, the server may be down: try again later.")),  # noqa: E501
    "network.timeout": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "The server did not answer in time"),
        QT_TRANSLATE_NOOP("ErrorPresenter", "The network or the server is slow. Pli will try again by itself.")),  # noqa: E501
    "network.connection_lost": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "The connection was lost"),
        QT_TRANSLATE_NOOP("ErrorPresenter", "Pli reconnects by itself. Your archived messages remain available.")),  # noqa: E501
    "network.server_busy": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "The server is busy"),
        QT_TRANSLATE_NOOP("ErrorPresenter", "The message waits in the outbox and will be tried again automatically.")),  # noqa: E501
    "network.outcome_unknown": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "The message may have been sent"),
        QT_TRANSLATE_NOOP("ErrorPresenter", "The connection was lost just after the message left. Look in the Sent folder before sending it again.")),  # noqa: E501
    # TLS (spec §2)
    "tls.expired": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "The server's certificate has expired"),
        QT_TRANSLATE_NOOP("ErrorPresenter", "For your security Pli refused the connection. Contact your messaging operator.")),  # noqa: E501
    "tls.not_yet_valid": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "The server's certificate is not valid yet"),
        QT_TRANSLATE_NOOP("ErrorPresenter", "Check the date and time of this computer.")),
    "tls.self_signed": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "Certificate refused"),
        QT_TRANSLATE_NOOP("ErrorPresenter", "The server presented a certificate that no health authority vouches for. For your security the connection was refused. Contact your messaging operator.")),  # noqa: E501
    "tls.untrusted": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "Certificate refused"),
        QT_TRANSLATE_NOOP("ErrorPresenter", "The server presented a certificate that no health authority vouches for. For your security the connection was refused. Contact your messaging operator.")),  # noqa: E501
    "tls.wrong_host": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "Certificate refused"),
        QT_TRANSLATE_NOOP("ErrorPresenter", "The certificate belongs to another server. Check the server name in the account settings.")),  # noqa: E501
    "tls.revoked": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "The server's certificate has been revoked"),
        QT_TRANSLATE_NOOP("ErrorPresenter", "For your security Pli refused the connection. Contact your messaging operator.")),  # noqa: E501
    "tls.client_certificate_refused": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "Your certificate was refused"),
        QT_TRANSLATE_NOOP("ErrorPresenter", "The server did not accept the establishment certificate. Check that it is still valid and that it is the right one for this mailbox.")),  # noqa: E501
    "tls.starttls_unavailable": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "No secure connection offered"),
        QT_TRANSLATE_NOOP("ErrorPresenter", "The server does not offer encryption on this port: nothing was sent. Check the port and security settings of the account.")),  # noqa: E501
    "tls.not_tls": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "No secure connection offered"),
        QT_TRANSLATE_NOOP("ErrorPresenter", "The server does not offer encryption on this port: nothing was sent. Check the port and security settings of the account.")),  # noqa: E501
    # Login
    "auth.bad_credentials": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "Login refused"),
        QT_TRANSLATE_NOOP("ErrorPresenter", "Check the user name and the password of the account, then try again.")),  # noqa: E501
    "auth.session_ended": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "Your session has ended"),
        QT_TRANSLATE_NOOP("ErrorPresenter", "Log in again to receive and send messages. Your archived messages remain available.")),  # noqa: E501
    "auth.login_required": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "Login needed"),
        QT_TRANSLATE_NOOP("ErrorPresenter", "Log in to this mailbox to receive and send messages.")),  # noqa: E501
    "auth.password_missing": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "No password for this mailbox"),
        QT_TRANSLATE_NOOP("ErrorPresenter", "Enter the password in the account settings.")),
    "auth.login_denied": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "Login refused"),
        QT_TRANSLATE_NOOP("ErrorPresenter", "The login was refused on your phone, card reader or browser. Try again if this was a mistake.")),  # noqa: E501
    "auth.login_expired": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "The login took too long"),
        QT_TRANSLATE_NOOP("ErrorPresenter", "Try again and confirm the login within the time allowed.")),  # noqa: E501
    # The server
    "server.over_quota": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "The mailbox is full"),
        QT_TRANSLATE_NOOP("ErrorPresenter", "Delete messages you no longer need on the server; they stay in Pli's archive.")),  # noqa: E501
    "server.message_too_large": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "The message is too large"),
        QT_TRANSLATE_NOOP("ErrorPresenter", "Remove or compress attachments, then send it again. Nothing was sent.")),  # noqa: E501
    "server.recipients_refused": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "Recipients refused"),
        QT_TRANSLATE_NOOP("ErrorPresenter", "The server refused every recipient. Check the addresses in the health directory. Nothing was sent.")),  # noqa: E501
    "server.temporary_failure": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "The server cannot take the message now"),
        QT_TRANSLATE_NOOP("ErrorPresenter", "Nothing was sent. The message waits in the outbox and will be tried again.")),  # noqa: E501
    "size.too_large": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "The message is too large"),
        QT_TRANSLATE_NOOP("ErrorPresenter", "Messages are limited to 25 MB towards patients and to the operator's limit otherwise. Remove or compress attachments.")),  # noqa: E501
    "address.malformed": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "Invalid address"),
        QT_TRANSLATE_NOOP("ErrorPresenter", "Check the address: it must look like name@domain.mssante.fr.")),  # noqa: E501
    # The archive
    "store.wrong_passphrase": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "Wrong passphrase"),
        QT_TRANSLATE_NOOP("ErrorPresenter", "Type the passphrase again, paying attention to capital letters.")),  # noqa: E501
    "store.passphrase_mismatch": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "The two passphrases differ"),
        QT_TRANSLATE_NOOP("ErrorPresenter", "Type the same passphrase twice.")),
    "store.passphrase_too_short": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "Passphrase too short"),
        QT_TRANSLATE_NOOP("ErrorPresenter", "Choose a longer passphrase: several words are easier to remember.")),  # noqa: E501
    "store.passphrase_required": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "The archive is locked"),
        QT_TRANSLATE_NOOP("ErrorPresenter", "Pli needs the archive's passphrase to open your messages.")),  # noqa: E501
    "store.no_keyring": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "No passphrase chosen"),
        QT_TRANSLATE_NOOP("ErrorPresenter", "This computer has no system keyring: choose a passphrase to protect the archive.")),  # noqa: E501
    "store.busy": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "The archive is in use"),
        QT_TRANSLATE_NOOP("ErrorPresenter", "Another Pli window or command is using this profile. Close it, then try again.")),  # noqa: E501
    "profile.busy": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "Pli is already open"),
        QT_TRANSLATE_NOOP("ErrorPresenter", "Another Pli is using this profile. Close it, then start Pli again.")),  # noqa: E501
    "store.disk_full": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "The disk is full"),
        QT_TRANSLATE_NOOP("ErrorPresenter", "Nothing was lost. Free some space on the disk, then try again.")),  # noqa: E501
    "store.newer_schema": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "This archive comes from a newer Pli"),
        QT_TRANSLATE_NOOP("ErrorPresenter", "Install the latest version of Pli to open it.")),
    "store.wrong_key_or_damaged": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "The archive cannot be decrypted"),
        QT_TRANSLATE_NOOP("ErrorPresenter", "The key is wrong or the file is damaged. Restore a backup, or contact your support.")),  # noqa: E501
    "store.keyring_failed": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "The system keyring failed"),
        QT_TRANSLATE_NOOP("ErrorPresenter", "Unlock your session's keyring, then start Pli again.")),  # noqa: E501
    "store.keyring_missing_key": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "The archive key is missing"),
        QT_TRANSLATE_NOOP("ErrorPresenter", "The system keyring no longer holds Pli's key. Restore it, or contact your support.")),  # noqa: E501
    # Accounts
    "account.exists": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "This mailbox already exists"),
        QT_TRANSLATE_NOOP("ErrorPresenter", "Choose another name for the account.")),
    "account.password_required": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "Password needed"),
        QT_TRANSLATE_NOOP("ErrorPresenter", "Enter the mailbox's password.")),
    "account.retired": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "This mailbox is an archive"),
        QT_TRANSLATE_NOOP("ErrorPresenter", "The mailbox was removed and its archive kept: its messages can be read and searched, but not changed, and nothing is sent from it.")),  # noqa: E501
    "endpoint.malformed": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "Invalid server"),
        QT_TRANSLATE_NOOP("ErrorPresenter", "Write the server as name:port, for example imap.example.mssante.fr:993.")),  # noqa: E501
    "bounce.patient.messaging_closed": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "Not delivered to the patient"),
        QT_TRANSLATE_NOOP("ErrorPresenter", "The patient's Mon espace santé messaging is closed. Reach the patient another way.")),  # noqa: E501
    "bounce.patient.patient_unknown": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "Not delivered to the patient"),
        QT_TRANSLATE_NOOP("ErrorPresenter", "No patient has this address in Mon espace santé. Check the patient's INS.")),  # noqa: E501
    "bounce.patient.invalid_address": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "Not delivered to the patient"),
        QT_TRANSLATE_NOOP("ErrorPresenter", "The patient's address is not valid. Check the patient's INS.")),  # noqa: E501
    "bounce.patient.too_large": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "Not delivered to the patient"),
        QT_TRANSLATE_NOOP("ErrorPresenter", "Mon espace santé accepts 25 MB at most. Send smaller or fewer attachments.")),  # noqa: E501
    "message.not_archived_yet": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "This message is still being downloaded"),
        QT_TRANSLATE_NOOP("ErrorPresenter", "Its content will be available in a moment.")),
}

#: Families (the code's first part, or the error class's ``family``): (title, what to do).
_FAMILIES: dict[str, tuple[str, str]] = {
    "network": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "Network problem"),
        QT_TRANSLATE_NOOP("ErrorPresenter", "Check the Internet connection. Your archived messages remain available and Pli will try again.")),  # noqa: E501
    "tls": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "Secure connection refused"),
        QT_TRANSLATE_NOOP("ErrorPresenter", "For your security Pli refused the connection. Contact your messaging operator.")),  # noqa: E501
    "auth": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "Login problem"),
        QT_TRANSLATE_NOOP("ErrorPresenter", "Check the account's login details, then try again.")),
    "oidc": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "Login problem"),
        QT_TRANSLATE_NOOP("ErrorPresenter", "Check the account's login details, then try again.")),
    "client_cert": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "Certificate problem"),
        QT_TRANSLATE_NOOP("ErrorPresenter", "Check the establishment certificate file and its password.")),  # noqa: E501
    "server": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "The server refused"),
        QT_TRANSLATE_NOOP("ErrorPresenter", "Try again later. If it goes on, contact your messaging operator.")),  # noqa: E501
    "http": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "The server refused"),
        QT_TRANSLATE_NOOP("ErrorPresenter", "Try again later. If it goes on, contact your messaging operator.")),  # noqa: E501
    "store": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "Archive problem"),
        QT_TRANSLATE_NOOP("ErrorPresenter", "Close Pli and start it again. If it goes on, contact your support.")),  # noqa: E501
    "profile": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "Profile problem"),
        QT_TRANSLATE_NOOP("ErrorPresenter", "Close Pli and start it again. If it goes on, contact your support.")),  # noqa: E501
    "sync": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "Synchronisation problem"),
        QT_TRANSLATE_NOOP("ErrorPresenter", "Pli will try again by itself. Your archived messages remain available.")),  # noqa: E501
    "account": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "Account problem"),
        QT_TRANSLATE_NOOP("ErrorPresenter", "Check the account's settings.")),
    "endpoint": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "Account problem"),
        QT_TRANSLATE_NOOP("ErrorPresenter", "Check the account's settings.")),
    "address": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "Invalid address"),
        QT_TRANSLATE_NOOP("ErrorPresenter", "Check the address in the health directory.")),
    "recipient": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "Recipient refused"),
        QT_TRANSLATE_NOOP("ErrorPresenter", "Check the address in the health directory.")),
    "trust_list": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "Recipient not checked"),
        QT_TRANSLATE_NOOP("ErrorPresenter", "Import the MSSanté list of domains from the directory screen.")),  # noqa: E501
    "size": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "The message is too large"),
        QT_TRANSLATE_NOOP("ErrorPresenter", "Remove or compress attachments.")),
    "quota": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "The mailbox is full"),
        QT_TRANSLATE_NOOP("ErrorPresenter", "Delete messages you no longer need on the server; they stay in Pli's archive.")),  # noqa: E501
    "send": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "The message was not sent"),
        QT_TRANSLATE_NOOP("ErrorPresenter", "Check the recipients and the attachments, then try again.")),  # noqa: E501
    "draft": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "The message is incomplete"),
        QT_TRANSLATE_NOOP("ErrorPresenter", "Check the recipients, the subject and the attachments.")),  # noqa: E501
    "outbox": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "Outbox problem"),
        QT_TRANSLATE_NOOP("ErrorPresenter", "The message was not found in the outbox. Refresh the view.")),  # noqa: E501
    "attachment": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "Attachment refused"),
        QT_TRANSLATE_NOOP("ErrorPresenter", "Only PDF, JPEG, PNG, TIFF, RTF documents and IHE XDM packages are accepted.")),  # noqa: E501
    "document": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "Document problem"),
        QT_TRANSLATE_NOOP("ErrorPresenter", "The file cannot be read or written. Check it, then try again.")),  # noqa: E501
    "file": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "Document problem"),
        QT_TRANSLATE_NOOP("ErrorPresenter", "The file cannot be read or written. Check it, then try again.")),  # noqa: E501
    "pdf": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "Unreadable PDF"),
        QT_TRANSLATE_NOOP("ErrorPresenter", "The PDF is damaged or protected. Ask the sender for another copy.")),  # noqa: E501
    "zip": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "Package refused"),
        QT_TRANSLATE_NOOP("ErrorPresenter", "The compressed file is damaged or unsafe. Ask the sender for another copy.")),  # noqa: E501
    "xdm": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "IHE XDM package problem"),
        QT_TRANSLATE_NOOP("ErrorPresenter", "The package is incomplete or inconsistent. Ask the sender for another copy.")),  # noqa: E501
    "cda": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "IHE XDM package problem"),
        QT_TRANSLATE_NOOP("ErrorPresenter", "The package is incomplete or inconsistent. Ask the sender for another copy.")),  # noqa: E501
    "image": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "Unreadable image"),
        QT_TRANSLATE_NOOP("ErrorPresenter", "The image is damaged or too large.")),
    "rtf": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "Unreadable document"),
        QT_TRANSLATE_NOOP("ErrorPresenter", "The RTF document cannot be read.")),
    "patient": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "Patient problem"),
        QT_TRANSLATE_NOOP("ErrorPresenter", "Check the patient's identity (name, given name, INS).")),  # noqa: E501
    "ins": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "Invalid INS"),
        QT_TRANSLATE_NOOP("ErrorPresenter", "An INS has 15 characters: 13 digits (or 2A/2B for Corsica) and a 2-digit key.")),  # noqa: E501
    "directory": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "Health directory problem"),
        QT_TRANSLATE_NOOP("ErrorPresenter", "The directory could not be used. The offline directory still answers; try again later.")),  # noqa: E501
    "template": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "Template problem"),
        QT_TRANSLATE_NOOP("ErrorPresenter", "The message template is incomplete. Check it in the settings.")),  # noqa: E501
    "mdn": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "Read receipt not sent"),
        QT_TRANSLATE_NOOP("ErrorPresenter", "Check the message, then try again.")),
    "receipt": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "Read receipt not sent"),
        QT_TRANSLATE_NOOP("ErrorPresenter", "Check the message, then try again.")),
    "dsn": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "The message was not sent"),
        QT_TRANSLATE_NOOP("ErrorPresenter", "Check the recipients and the attachments, then try again.")),  # noqa: E501
    "message": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "Message not available"),
        QT_TRANSLATE_NOOP("ErrorPresenter", "The message may have been moved or deleted. Refresh the view.")),  # noqa: E501
    "folder": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "Folder not available"),
        QT_TRANSLATE_NOOP("ErrorPresenter", "The folder may have been renamed or deleted on the server. Refresh the view.")),  # noqa: E501
    "demo": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "The demonstration mailbox did not start"),
        QT_TRANSLATE_NOOP("ErrorPresenter", "Try again. If it goes on, restart Pli.")),
    "bounce": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "Not delivered"),
        QT_TRANSLATE_NOOP("ErrorPresenter", "The message did not reach its recipient. Check the address, then send it again.")),  # noqa: E501
    "confirmation": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "Confirmation needed"),
        QT_TRANSLATE_NOOP("ErrorPresenter", "Confirm the action to go on.")),
    "contact": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "A patient's address"),
        QT_TRANSLATE_NOOP("ErrorPresenter", "Patients are followed in the patients view, not as contacts.")),  # noqa: E501
    "date": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "Invalid date"),
        QT_TRANSLATE_NOOP("ErrorPresenter", "Check the date, then try again.")),
    "end_of_exchange": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "Not an exchange with a patient"),
        QT_TRANSLATE_NOOP("ErrorPresenter", "Only an exchange with a patient can be ended.")),
    "export": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "The documents were not saved"),
        QT_TRANSLATE_NOOP("ErrorPresenter", "Check the folder chosen and the free space on the disk, then try again.")),  # noqa: E501
    "flag": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "Nothing to change"),
        QT_TRANSLATE_NOOP("ErrorPresenter", "Choose which mark to set or remove.")),
    "message_id": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "Invalid message reference"),
        QT_TRANSLATE_NOOP("ErrorPresenter", "The message is referred to in a way Pli cannot read.")),  # noqa: E501
    "operation": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "A change cannot be sent to the server"),
        QT_TRANSLATE_NOOP("ErrorPresenter", "It was recorded by a newer version of Pli. Install the latest version.")),  # noqa: E501
    "search": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "Nothing to search for"),
        QT_TRANSLATE_NOOP("ErrorPresenter", "Type a word, or choose a filter.")),
    "discovery": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "The servers were not found automatically"),
        QT_TRANSLATE_NOOP("ErrorPresenter", "Type the servers' names as your messaging operator gave them.")),  # noqa: E501
    "validation": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "Invalid value"),
        QT_TRANSLATE_NOOP("ErrorPresenter", "Check what you typed, then try again.")),
    "not_found": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "Not found"),
        QT_TRANSLATE_NOOP("ErrorPresenter", "It may have been moved or deleted. Refresh the view.")),  # noqa: E501
}

_GENERIC = (
    QT_TRANSLATE_NOOP("ErrorPresenter", "The operation failed"),
    QT_TRANSLATE_NOOP("ErrorPresenter", "Try again. If it goes on, contact your support."),
)
_BUG = (
    QT_TRANSLATE_NOOP("ErrorPresenter", "Pli met an unexpected problem"),
    QT_TRANSLATE_NOOP("ErrorPresenter", "A report without any health data was saved on this computer. You can keep working; if it happens again, restart Pli and give the report to your support."),  # noqa: E501
)
# fmt: on


def known_codes() -> set[str]:
    """Every code with its own text (tests compare it with the codes raised in app/)."""
    return set(_CODES)


def known_families() -> set[str]:
    """Every family with a text (the first part of a code)."""
    return set(_FAMILIES)


@dataclass(frozen=True)
class ErrorText:
    """What the user reads: a title and what to do (translated), and the code behind it."""

    code: str
    title: str
    advice: str
    bug: bool = False


def _tr(text: str) -> str:
    return QCoreApplication.translate(_CONTEXT, text)


class ErrorPresenter(QObject):
    """Turns errors into French dialogs; writes crash reports for bugs.

    Args:
        logs_dir: where crash reports go (the profile's ``logs`` folder); None until the
            profile is known (reports then go nowhere, the dialog still shows).
        interactive: False in tests: nothing is shown, `shown` is still emitted.

    Signals:
        shown: an `ErrorText` was presented (tests and the status bar listen).
    """

    shown = Signal(object)

    def __init__(
        self,
        logs_dir: Path | None = None,
        parent: QObject | None = None,
        *,
        interactive: bool = True,
    ) -> None:
        super().__init__(parent)
        self.logs_dir = logs_dir
        self.interactive = interactive
        self.history: list[ErrorText] = []
        self.crash_reports: list[Path] = []
        self._previous_hook: Callable[..., Any] | None = None
        self._boxes: list[QMessageBox] = []

    # -- text ----------------------------------------------------------------------------------

    def describe(self, error: BaseException) -> ErrorText:
        """The French title and advice for `error` (a bug gets the generic bug text)."""
        if isinstance(error, KnownError):
            return self.describe_code(error.code, family=error.family)
        return ErrorText("bug", _tr(_BUG[0]), _tr(_BUG[1]), bug=True)

    def describe_code(self, code: str, *, family: str | None = None) -> ErrorText:
        """The French title and advice for a KnownError `code` (exact, then by family)."""
        entry = _CODES.get(code)
        if entry is None:
            entry = _FAMILIES.get(code.split(".", 1)[0])
        if entry is None and family is not None:
            entry = _FAMILIES.get(family)
        if entry is None:
            entry = _GENERIC
        return ErrorText(code, _tr(entry[0]), _tr(entry[1]))

    # -- presenting ----------------------------------------------------------------------------

    def report(self, error: BaseException, parent: QWidget | None = None) -> None:
        """Show `error` in French (a bug also writes a crash report). Must run on the Qt thread."""
        if isinstance(error, KnownError):
            log.info("error shown: %s", error.code)  # the code only: params may be health data
        else:
            self.save_crash_report(type(error), error, error.__traceback__)
        self.present(self.describe(error), parent)

    def present(self, text: ErrorText, parent: QWidget | None = None) -> None:
        """Show an already described error."""
        self.history.append(text)
        self.shown.emit(text)
        if not self.interactive:
            return
        box = QMessageBox(parent)
        box.setIcon(QMessageBox.Icon.Critical if text.bug else QMessageBox.Icon.Warning)
        box.setWindowTitle(self.tr("Pli"))
        box.setText(text.title)
        box.setInformativeText(text.advice)
        box.setStandardButtons(QMessageBox.StandardButton.Ok)
        box.setAccessibleName(text.title)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.setWindowModality(Qt.WindowModality.WindowModal)
        self._boxes.append(box)
        box.finished.connect(lambda _result, b=box: self._forget(b))
        box.open()

    def _forget(self, box: QMessageBox) -> None:
        if box in self._boxes:
            self._boxes.remove(box)

    # -- bugs ------------------------------------------------------------------------------------

    def install_excepthook(self) -> None:
        """Route uncaught exceptions (Qt slots included) here instead of a traceback on stderr."""
        self._previous_hook = sys.excepthook
        sys.excepthook = self._excepthook

    def uninstall_excepthook(self) -> None:
        """Restore the previous hook (tests)."""
        if self._previous_hook is not None:
            sys.excepthook = self._previous_hook
            self._previous_hook = None

    def _excepthook(
        self, kind: type[BaseException], error: BaseException, tb: TracebackType | None
    ) -> None:
        if issubclass(kind, KeyboardInterrupt):
            if self._previous_hook is not None:
                self._previous_hook(kind, error, tb)
            return
        try:
            if isinstance(error, KnownError):
                self.report(error)
            else:
                self.save_crash_report(kind, error, tb)
                self.present(self.describe(error))
        except Exception:  # the hook itself must never raise
            log.exception("the error hook failed")

    def loop_exception_handler(self, loop: object, context: dict[str, Any]) -> None:
        """The asyncio loop's handler: unhandled task errors become reports, never a traceback."""
        error = context.get("exception")
        if isinstance(error, asyncio.CancelledError):
            # Work cancelled (at shutdown, say) whose future nobody awaited any more: no bug.
            log.debug("event loop: %s (cancelled)", context.get("message", "?"))
        elif isinstance(error, BaseException):
            self._excepthook(type(error), error, error.__traceback__)
        else:  # a message only (e.g. an unclosed transport); no exception to show
            log.warning("event loop: %s", context.get("message", "?"))

    def save_crash_report(
        self, kind: type[BaseException], error: BaseException, tb: TracebackType | None
    ) -> Path | None:
        """Write a crash report without health data; returns its path (None: no profile yet).

        Kept: the exception's type, where it happened (file, line, function of each frame),
        chained causes' types and locations, Pli/Python/Qt versions. Never kept: the
        exception's message or arguments, local variables, source lines.
        """
        lines = [
            "Pli crash report",
            f"time: {datetime.now(UTC).isoformat(timespec='seconds')}",
            f"python: {platform.python_version()} ({platform.system()})",
            f"qt: {_qt_version()}",
            "",
        ]
        seen: set[int] = set()
        current: BaseException | None = error
        current_tb = tb
        current_kind: type[BaseException] = kind
        while current is not None and id(current) not in seen:
            seen.add(id(current))
            lines.append(f"exception: {current_kind.__module__}.{current_kind.__qualname__}")
            for frame in traceback.extract_tb(current_tb):
                lines.append(f"  at {_short_path(frame.filename)}:{frame.lineno} in {frame.name}")
            nxt = current.__cause__ or current.__context__
            if nxt is None:
                break
            lines.append("caused by:")
            current, current_tb, current_kind = nxt, nxt.__traceback__, type(nxt)
        log.error("unexpected error: %s (crash report written)", kind.__qualname__)
        if self.logs_dir is None:
            return None
        try:
            self.logs_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
            stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S-%f")
            path = self.logs_dir / f"crash-{stamp}.txt"
            path.write_text("\n".join(lines) + "\n", encoding="utf-8")
            path.chmod(0o600)
        except OSError:
            log.exception("crash report not written")
            return None
        self.crash_reports.append(path)
        return path


def _short_path(filename: str) -> str:
    """A frame's file relative to the package (no user folder names in the report)."""
    parts = Path(filename).parts
    for anchor in ("app", "site-packages", "lib"):
        if anchor in parts:
            index = len(parts) - 1 - parts[::-1].index(anchor)
            return "/".join(parts[index:])
    return Path(filename).name


def _qt_version() -> str:
    from PySide6 import __version__

    return str(__version__)
