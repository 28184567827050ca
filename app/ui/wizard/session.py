"""When a Pro Santé Connect session ends: the banner's "Log in again" runs the login.

The frame's offline banner (app/ui/widgets/banners.py) already says the session ended, without
blocking anything; this module gives its button the login (system browser, or CIBA with the
code to compare shown in a small non-modal window). Queued mail waits in the outbox and leaves
once the login is back (the supervisor reconnects on AccountChanged). Must run on the Qt thread.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QLabel, QMessageBox

from app.domain import events as ev
from app.domain.account import AuthMethod
from app.domain.errors import KnownError
from app.ui.async_bridge import ui_slot

if TYPE_CHECKING:
    from app.services.account_service import Account
    from app.ui.application import PliApplication


class SessionRelogin(QObject):
    """Runs the Pro Santé Connect login again for the accounts whose session ended."""

    def __init__(self, controller: PliApplication) -> None:
        super().__init__(controller)
        self.controller = controller
        self.busy = False
        self.code_box: QMessageBox | None = None
        self.logins = 0
        controller.window.offline_banner.action_clicked.connect(self._on_banner_action)

    @ui_slot()
    async def _on_banner_action(self) -> None:
        banner = self.controller.window.offline_banner
        services = self.controller.services
        if not banner.session_ended or services is None or self.busy:
            return  # "Retry now": the frame's own sync request handles it
        self.busy = True
        banner.button.setEnabled(False)
        try:
            for account in await services.accounts.list():
                state = services.supervisor.state(account.id)
                if state is not ev.ConnectionState.SESSION_ENDED:
                    continue
                if account.config.auth is not AuthMethod.OAUTH2:
                    continue
                await self.login(account)
        except KnownError as error:
            self.controller.errors.report(error, self.controller.window)
        finally:
            self.busy = False
            banner.button.setEnabled(True)
            if self.code_box is not None:
                self.code_box.close()
                self.code_box.deleteLater()
                self.code_box = None

    async def login(self, account: Account) -> None:
        """One login (browser or CIBA per the account's settings)."""
        services = self.controller.services
        assert services is not None
        oidc = account.config.oidc
        if oidc is not None and oidc.flow == "ciba":
            await services.accounts.login_ciba(account, None, self._show_code)
        else:
            await services.accounts.login_browser(
                account, lambda url: QDesktopServices.openUrl(QUrl(url))
            )
        self.logins += 1
        await services.supervisor.start([account])

    def _show_code(self, request: object) -> None:
        code = str(getattr(request, "binding_message", ""))
        box = QMessageBox(self.controller.window)
        box.setWindowModality(Qt.WindowModality.NonModal)
        box.setIcon(QMessageBox.Icon.Information)
        box.setWindowTitle(self.tr("Log in again"))
        box.setText(self.tr("Approve the login on your e-CPS app or card reader."))
        box.setInformativeText(self.tr("Check that it shows this code: %1").replace("%1", code))
        box.setStandardButtons(QMessageBox.StandardButton.NoButton)
        for label in box.findChildren(QLabel):
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box.show()
        self.code_box = box
