"""First run to daily use (issue 13): the account wizard, the session banner's login, settings.

`install_setup(controller)` wires them into the running window once the services are open;
`add_account(controller)` runs the wizard for "Add a mailbox" and the welcome page.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.ui.async_bridge import run_dialog

if TYPE_CHECKING:
    from app.ui.application import PliApplication


async def add_account(controller: PliApplication) -> bool:
    """Run the wizard; on Finish, open the mail page and start the account's first sync."""
    services = controller.services
    if services is None:
        return False
    from app.ui.wizard.account_wizard import AccountWizard

    wizard = AccountWizard(services, controller.errors, controller.window)
    accepted = await run_dialog(wizard) == AccountWizard.DialogCode.Accepted
    account = wizard.account
    wizard.deleteLater()
    if not accepted or account is None:
        return False
    await controller._open_mail()
    await services.supervisor.start([account])  # headers first, progress in the status bar
    return True


async def install_setup(controller: PliApplication) -> None:
    """Settings (Edit menu, Ctrl+,), the session banner's "Log in again", the directory key."""
    from app.services.settings_service import SettingsService
    from app.ui.settings import install_settings
    from app.ui.wizard.session import SessionRelogin

    install_settings(controller)
    relogin = SessionRelogin(controller)  # parented to the controller: lives as long
    relogin.setObjectName("sessionRelogin")
    if controller.services is not None:
        await SettingsService(controller.services).load_directory_api_key()
