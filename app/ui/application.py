"""The window's process: show the frame at once, open the profile behind it, run, shut down.

Start-up order (the window is visible within a second): Qt, the bridge and the frame are
imported and shown first; the services (SQLCipher, TLS, IMAP…) are imported on a worker thread,
then the profile is unlocked (system keyring, or the French passphrase dialog), and the first
screen appears: the welcome page on a profile without a mailbox, the mail otherwise, with
background sync started. Closing the window stops sync and closes the services gracefully,
with time limits. Must run on the Qt thread.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib
import logging
import os
import signal
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSettings, QTimer
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDateEdit,
    QListView,
    QMessageBox,
    QTextBrowser,
    QToolButton,
    QTreeView,
)

from app.config.paths import AppPaths
from app.domain import events as ev
from app.domain.errors import KnownError, StoreError
from app.ui import async_bridge
from app.ui.async_bridge import install_event_loop, run_dialog, ui_slot
from app.ui.error_presenter import ErrorPresenter
from app.ui.i18n import install_translators
from app.ui.lock import InactivityWatch, lock_delay_minutes
from app.ui.main_window import MainWindow
from app.ui.theme import apply_theme
from app.ui.tray import PliTray

if TYPE_CHECKING:
    from app.config.settings import Settings
    from app.services.container import Services
    from app.ui.context import UiContext

log = logging.getLogger(__name__)

#: Same variable as the command line's (app/bootstrap.py): automation and screenshots.
PASSPHRASE_ENV = "PLI_PASSPHRASE"  # noqa: S105 - the variable's name, not a secret
#: Loop debug mode (slow callbacks logged) outside the tests.
DEBUG_ENV = "PLI_UI_DEBUG"
#: Time limits of the shutdown (seconds).
STOP_SYNC_SECONDS = 8.0
CLOSE_SERVICES_SECONDS = 10.0
#: At most this long the other screens wait for the mail page's first page (`_open_mail`).
FIRST_SCREEN_SECONDS = 3.0
#: Imported on a worker thread while the window already shows (importing them on the loop
#: would freeze it for a few hundred milliseconds). Module code only: nothing here creates a
#: QObject at import time.
_HEAVY_MODULES = (
    "app.services.profile",
    "app.services.container",
    "app.services.unlock",
    "app.ui.mail_page",
)
#: The other screens' modules, imported on a worker thread once the mail page shows its first
#: page (before, they would only delay it: `_open_mail`).
_LATER_MODULES = (
    "app.ui.compose",
    "app.ui.patients",
    "app.ui.directory",
    "app.ui.documents.reading",
)


class PliApplication(QObject):
    """Owns the window, the tray, the services and the lock for the process's lifetime."""

    def __init__(
        self,
        paths: AppPaths,
        errors: ErrorPresenter,
        *,
        passphrase: str | None = None,
        settings: Settings | None = None,
        prepare: Callable[[], None] | None = None,
        demo_if_empty: bool = False,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.paths = paths
        self._demo_if_empty = demo_if_empty
        self._prepare = prepare
        self.errors = errors
        self._passphrase = passphrase
        self._settings = settings
        self.services: Services | None = None
        self.ctx: UiContext | None = None
        self.protection: str | None = None
        # The process ends when `run` returns (after the shutdown), not when the window closes.
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.setQuitOnLastWindowClosed(False)
        self.state = QSettings(str(paths.root / "window.ini"), QSettings.Format.IniFormat)
        self.window = MainWindow(self.state)
        self.tray = PliTray(self)
        self.watch = InactivityWatch(lock_delay_minutes(None), self)
        self._closed: asyncio.Future[None] | None = None
        self._started = asyncio.Event()
        self._demo_busy = False
        self._stopping = False
        self.window.closed.connect(self._on_window_closed)
        self.window.lock_requested.connect(self.lock_now)
        self.window.sync_requested.connect(self._on_sync_requested)
        self.window.demo_requested.connect(self._on_demo_requested)
        self.window.add_account_requested.connect(self._on_add_account_requested)
        self.window.remove_demo_requested.connect(self._on_remove_demo_requested)
        self.window.lock_screen.unlock_requested.connect(self._on_unlock_requested)
        self.tray.show_requested.connect(self._on_tray_show_requested)
        self.tray.lock_requested.connect(self.lock_now)
        self.tray.sync_requested.connect(self._on_sync_requested)
        self.tray.quit_requested.connect(self.window.close)
        self.watch.idle.connect(self.lock_now)

    # -- running ---------------------------------------------------------------------------------

    @property
    def started(self) -> asyncio.Event:
        """Set once the first screen (welcome or mail) is shown."""
        return self._started

    async def run(self) -> int:
        """The whole life of the window: start, wait for it to close, shut down."""
        self._closed = asyncio.get_running_loop().create_future()
        try:
            await self.start()
        except KnownError as error:
            self.errors.report(error, self.window)
            if error.code in ("store.no_keyring", "store.passphrase_required"):
                await self.shutdown()
                return 1
        if not self._closed.done():
            await self._closed
        await self.shutdown()
        return 0

    async def start(self) -> None:
        """Open the profile behind the shown window and show the first screen.

        Raises:
            KnownError: the profile could not be opened (the error is shown by `run`).
        """
        self.window.loading.set_text(self.tr("Opening your archive…"))
        imports = asyncio.ensure_future(self._import_heavy_modules())
        await self._warm_up_widgets()  # on the Qt thread while the imports run
        await imports
        if self._prepare is not None:  # the composition root's wiring (no Qt: a worker thread)
            await asyncio.to_thread(self._prepare)
        from app.config.settings import Settings
        from app.services.unlock import profile_protection
        from app.ui.context import UiContext

        if self._settings is None:
            self._settings = await asyncio.to_thread(Settings.load, self.paths.settings_file)
        minutes = lock_delay_minutes(self._settings.lock_after_minutes)
        self.watch.set_delay_ms(minutes * 60_000)
        services = await self._open(self._settings)
        self.services = services
        self.protection = await profile_protection(self.paths)
        self.errors.logs_dir = self.paths.root / "logs"
        ctx = UiContext.create(services, self.errors, self)
        self.ctx = ctx
        ctx.signals.new_mail.connect(self._on_engine_new_mail)
        ctx.signals.accounts_changed.connect(self._on_engine_accounts_changed)
        self.window.status.connect_signals(ctx.signals)
        ctx.signals.connection_changed.connect(self.window.offline_banner.on_event)
        from app.ui.wizard import install_setup  # issue 13: wizard, settings, session login

        await install_setup(self)
        self.tray.show()
        self.watch.watch(self.window)
        self.watch.start()
        accounts = await services.accounts.list()
        if not accounts:
            self.window.show_page("welcome")
            if self._demo_if_empty:  # `pli --demo` (the README's launch command)
                await self._on_demo_requested()
        else:
            demo = any(services.demo.is_demo(a) for a in accounts)
            if demo:
                self.window.set_demo(True)  # labelled as a demo before it shows
            await self._open_mail(first=True)
            if demo:  # its server is needed by sync, not by the archive the page shows
                await services.demo.start()
            await services.supervisor.start()
        self._started.set()

    async def _import_heavy_modules(self, names: Sequence[str] = _HEAVY_MODULES) -> None:
        for name in names:
            await asyncio.to_thread(importlib.import_module, name)

    async def _warm_up_widgets(self) -> None:
        """Pay each widget class's first-use cost (style, fonts, enums) in its own small step.

        Building the mail panes cold held the loop about 100 ms; warmed, about 35 ms (measured).
        """
        for kind in (QTreeView, QListView, QTextBrowser, QComboBox, QDateEdit, QToolButton):
            widget = kind(self.window.loading)
            widget.ensurePolished()
            widget.deleteLater()
            await asyncio.sleep(0)

    async def _open(self, settings: Settings) -> Services:
        from app.services.profile import open_services

        given = self._passphrase

        async def provider(new: bool) -> str | None:
            if given:
                return given
            return await self._ask_passphrase(new)

        while True:
            try:
                return await open_services(
                    self.paths, settings, provider, prefer_passphrase=bool(given), hold=True
                )
            except StoreError as error:
                if error.code == "store.wrong_passphrase" and not given:
                    self._retry_text = self.errors.describe(error).title
                    continue
                raise

    _retry_text: str | None = None

    async def _ask_passphrase(self, new: bool) -> str | None:
        from app.ui.dialogs.passphrase_dialog import PassphraseDialog

        dialog = PassphraseDialog(new=new, parent=self.window)
        if new:  # issue 13: strength guidance when the archive is created
            from app.ui.settings.keys_dialog import attach_strength_meter

            attach_strength_meter(dialog)
        if self._retry_text:
            dialog.show_error(self._retry_text)
            self._retry_text = None
        result = await run_dialog(dialog)
        value = dialog.value()
        dialog.deleteLater()
        if result != PassphraseDialog.DialogCode.Accepted:
            return None
        return value

    async def _open_mail(self, *, first: bool = False) -> None:
        """The mail page, then the other screens (patients, outbox, directory, composer).

        `first` (the window's start, accounts already there): the mail page shows as soon as
        its folder tree and first page are there, the other screens are installed after it.
        """
        if self.window.page("mail") is not None or self.ctx is None:
            if self.window.page("mail") is not None:
                self.window.show_page("mail")
            return
        from app.ui.mail_page import MailPage

        # In steps, letting the loop breathe between them: no callback over 100 ms.
        page = await MailPage.build(self.ctx, self.window)
        # The other screens' modules on a worker thread: meanwhile, or at the start after the
        # first page (the imports hold the GIL: they would slow the page down).
        imports = (
            None if first else asyncio.ensure_future(self._import_heavy_modules(_LATER_MODULES))
        )
        await asyncio.sleep(0)
        self.window.add_page("mail", page, self.tr("Mail"), "mail", "Ctrl+1")
        self.window.set_message_actions(page.actions())
        page.restore_state(self.state)
        self.window.add_state_saver(page.save_state)
        # The mail page's folder tree and first page before the other screens are installed:
        # their first loads (patients, contacts, outbox) would queue ahead of them on the
        # archive's threads (1.5 s with 100,000 messages, bench/ui_bench.py).
        try:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(page.first_screen(), FIRST_SCREEN_SECONDS)
            if first:
                self.window.show_page("mail")
                await asyncio.sleep(0)
        finally:
            await (imports or self._import_heavy_modules(_LATER_MODULES))
        from app.ui.compose import install_composer  # issue 11: composer, Ctrl+N, replies

        install_composer(self.window, self.ctx, page)
        await asyncio.sleep(0)
        from app.ui.patients import install_patients  # issue 11: patients, outbox, receipts

        install_patients(self.window, self.ctx)
        await asyncio.sleep(0)
        from app.ui.directory import install_directory  # issue 12: directory, previews, card
        from app.ui.documents.reading import install_documents

        install_directory(self.window, self.ctx)
        await asyncio.sleep(0)
        install_documents(self.window, self.ctx, page)
        await asyncio.sleep(0)
        if not first:
            self.window.show_page("mail")
            await asyncio.sleep(0)

    # -- shutting down -----------------------------------------------------------------------------

    def _on_window_closed(self) -> None:
        if self._closed is not None and not self._closed.done():
            self._closed.set_result(None)

    async def shutdown(self) -> None:
        """Stop sync, close the services (each step with a time limit), hide everything."""
        if self._stopping:
            return
        self._stopping = True
        self.watch.stop()
        self.tray.hide()
        self.window.hide()
        services, self.services = self.services, None
        if self.ctx is not None:
            self.ctx.signals.close()
        # The screens go first (their timers and loads stop), then the work they started:
        # nothing of the window may still reach the services while they close.
        self.window.close_pages()
        await asyncio.sleep(0.01)
        await async_bridge.cancel_all()
        if services is not None:
            try:
                await asyncio.wait_for(services.supervisor.stop(), STOP_SYNC_SECONDS)
            except (TimeoutError, KnownError) as error:
                log.warning("sync did not stop cleanly: %s", type(error).__name__)
            try:
                await asyncio.wait_for(services.aclose(), CLOSE_SERVICES_SECONDS)
            except (TimeoutError, KnownError) as error:
                log.warning("services did not close cleanly: %s", type(error).__name__)
        await async_bridge.cancel_all()

    # -- the lock ----------------------------------------------------------------------------------

    def lock_now(self) -> None:
        """Hide the window's content until the user unlocks."""
        if self.services is None or self.window.locked:
            return
        self.watch.pause()
        minutes = self.watch.delay_ms // 60_000
        self.window.lock(needs_passphrase=self.protection == "passphrase", minutes=minutes)

    @ui_slot(str)
    async def _on_unlock_requested(self, passphrase: str) -> None:
        if self.protection == "passphrase":
            from app.services.unlock import check_passphrase

            if not await check_passphrase(self.paths, passphrase):
                self.window.lock_screen.show_wrong_passphrase()
                return
        self.window.unlock()
        self.watch.resume()

    # -- user requests -----------------------------------------------------------------------------

    @ui_slot()
    async def _on_sync_requested(self) -> None:
        if self.services is not None:
            await self.services.supervisor.sync_now()

    @ui_slot()
    async def _on_demo_requested(self) -> None:
        services = self.services
        if services is None or self._demo_busy:
            return
        self._demo_busy = True
        self.window.welcome.set_busy(self.tr("Preparing the demonstration mailbox…"))
        try:
            account = await services.demo.start()
            self.window.set_demo(True)  # labelled as a demo before it shows
            await self._open_mail()
            await services.supervisor.start([account])
        finally:
            self._demo_busy = False
            self.window.welcome.set_busy(None)

    @ui_slot()
    async def _on_remove_demo_requested(self) -> None:
        services = self.services
        if services is None:
            return
        box = QMessageBox(self.window)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle(self.tr("Pli"))
        box.setText(self.tr("Remove the demonstration mailbox?"))
        box.setInformativeText(self.tr("Its fictitious messages are deleted from this computer."))
        remove = box.addButton(self.tr("&Remove"), QMessageBox.ButtonRole.AcceptRole)
        remove.setAccessibleName(self.tr("Remove"))
        cancel = box.addButton(QMessageBox.StandardButton.Cancel)
        cancel.setAccessibleName(cancel.text().replace("&", ""))
        box.setDefaultButton(cancel)
        await run_dialog(box)
        confirmed = box.clickedButton() is remove
        box.deleteLater()
        if not confirmed:
            return
        demo = await services.demo.account()
        if demo is not None:
            await services.supervisor.stop()
        await services.demo.remove()
        self.window.set_demo(False)
        remaining = await services.accounts.list()
        if remaining:
            await services.supervisor.start(remaining)
        else:
            self.window.show_page("welcome")

    @ui_slot()
    async def _on_add_account_requested(self) -> None:
        from app.ui.wizard import add_account  # issue 13: the account wizard

        await add_account(self)

    def _on_tray_show_requested(self) -> None:
        self.window.showNormal()
        self.window.raise_()
        self.window.activateWindow()

    # -- engine events -----------------------------------------------------------------------------

    def _on_engine_new_mail(self, event: object) -> None:
        if not isinstance(event, ev.NewMail):
            return
        if self.window.isActiveWindow() and not self.window.locked:
            return  # the list shows it already
        if not self.state.value("notifications/new_mail", True, bool):
            return  # turned off in the settings (issue 13)
        self.tray.notify_new_mail(event)

    def _on_engine_accounts_changed(self, event: object) -> None:
        if isinstance(event, ev.AccountRemoved):
            self.window.offline_banner.forget(event.account_id)
            self.window.status.connections.remove_account(event.account_id)


# -- the process ---------------------------------------------------------------------------------


def parse_gui_args(argv: Sequence[str]) -> argparse.Namespace:
    """``--profile DIR`` (tests, screenshots, portable use), ``--demo`` and ``--debug-loop``."""
    parser = argparse.ArgumentParser(prog="pli", add_help=True)
    parser.add_argument("--profile", metavar="DIR", help="profile folder")
    parser.add_argument(
        "--demo", action="store_true", help="open the demo mailbox when there is no account yet"
    )
    parser.add_argument("--debug-loop", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args(list(argv))


def run_gui(argv: Sequence[str], prepare: Callable[[], None] | None = None) -> int:
    """Open the window; returns the exit status when it is closed.

    `prepare` runs on a worker thread once the window shows, before the services open (the
    composition root registers what serves forwarded commands there).
    """
    args = parse_gui_args(argv)
    paths = AppPaths.at(args.profile) if args.profile else AppPaths.default()
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(sys.argv[:1])
    app.setApplicationName("Pli")
    app.setApplicationDisplayName("Pli")
    app.setOrganizationName("Pli")
    app.setDesktopFileName("pli")
    app.setQuitOnLastWindowClosed(False)  # the application ends when `run` returns
    apply_theme(app)
    translators = install_translators(app)
    debug = args.debug_loop or bool(os.environ.get(DEBUG_ENV))
    loop = install_event_loop(app, debug=debug)
    errors = ErrorPresenter(paths.root / "logs")
    async_bridge.set_error_sink(errors)
    errors.install_excepthook()
    loop.set_exception_handler(errors.loop_exception_handler)
    controller = PliApplication(
        paths,
        errors,
        passphrase=os.environ.get(PASSPHRASE_ENV),
        prepare=prepare,
        demo_if_empty=args.demo,
    )
    controller.window.show()
    _close_on_signals(loop, controller.window)
    try:
        with loop:  # type: ignore[attr-defined]  # qasync's loop is a context manager
            status = loop.run_until_complete(controller.run())
    finally:
        errors.uninstall_excepthook()
        del translators
    return int(status)


def _close_on_signals(loop: asyncio.AbstractEventLoop, window: MainWindow) -> None:
    """SIGTERM and Ctrl+C close the window: a graceful shutdown, never death mid-write.

    Sync stops, the archive closes and the profile is released as when the user closes it.
    """

    def request_close(_signum: int, _frame: object) -> None:
        loop.call_soon_threadsafe(window.close)

    for name in ("SIGTERM", "SIGINT"):
        number = getattr(signal, name, None)
        if number is not None:
            signal.signal(number, request_close)
    # Python runs signal handlers between bytecodes: a light timer lets it look while Qt waits.
    ticker = QTimer(window)
    ticker.setInterval(300)
    ticker.timeout.connect(lambda: None)
    ticker.start()


def screenshot(widget: QObject, path: Path) -> bool:
    """Save a picture of a widget (documentation screenshots)."""
    from PySide6.QtWidgets import QWidget

    return isinstance(widget, QWidget) and widget.grab().save(str(path))
