"""The open composers of the window: new messages, replies, forwards, drafts left open.

`install_composer(window, ctx, mail_page)` is the one call the frame makes: it adds "Nouveau
message" (Ctrl+N), opens a composer for each reply/forward the mail panes ask for, and at start
offers the drafts that were open when Pli last stopped (a crash, a power cut). After "Envoyer",
the outbox is flushed in the background and the outcome (sent, or waiting for the network) is
shown in the window's status bar. Must run on the Qt thread.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from PySide6.QtCore import QCoreApplication, QObject, QSettings, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMessageBox, QWidget

from app.domain.errors import KnownError
from app.domain.outbox import OutboxState
from app.services.completion_service import CompletionService
from app.services.compose_service import SendOutcome
from app.services.compose_support import ComposeSupport
from app.ui.async_bridge import run_dialog
from app.ui.compose.composer import ComposerWindow
from app.ui.context import UiContext

log = logging.getLogger(__name__)

#: Where the ids of the drafts being written are kept (ids only: no health data).
OPEN_DRAFTS_KEY = "compose/open_drafts"


class ComposerManager(QObject):
    """Opens composers and follows what becomes of their messages.

    Signals:
        outcome_shown(str): the French sentence shown after a message was queued.
        opened(object): a `ComposerWindow` was opened.
    """

    outcome_shown = Signal(str)
    opened = Signal(object)

    def __init__(
        self, ctx: UiContext, state: QSettings | None = None, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.state = state
        services = ctx.services
        self.completion = CompletionService(
            services.directory, services.contacts, services.patients
        )
        self.support = ComposeSupport(services.archive, services.paths.templates_dir)
        self.composers: list[ComposerWindow] = []
        self.flushes: list[asyncio.Task[None]] = []

    # -- opening -----------------------------------------------------------------------------

    def _window(self) -> ComposerWindow:
        composer = ComposerWindow(self.ctx, self.completion, self.support)
        self.composers.append(composer)
        composer.draft_changed.connect(self._on_composer_draft_changed)
        composer.finished.connect(lambda draft, c=composer: self._on_composer_finished(c, draft))
        composer.sent.connect(self._on_composer_sent)
        return composer

    async def _open(self, loading: Callable[[ComposerWindow], Awaitable[None]]) -> ComposerWindow:
        """Build, show and fill a composer, letting the loop run between the steps.

        A composer closed while it opens is left alone (no error, nothing shown again).
        """
        composer = self._window()
        await asyncio.sleep(0)  # built, then shown, then filled: no callback over 100 ms
        if composer.is_gone():
            return composer
        composer.show()
        await asyncio.sleep(0)
        if composer.is_gone():
            return composer
        try:
            await loading(composer)
        except RuntimeError:
            if not composer.is_gone():
                raise
            log.debug("composer closed while it was opening")
            return composer
        self.opened.emit(composer)
        return composer

    async def new_message(self, account_name: str | None = None) -> ComposerWindow:
        """Open a blank composer."""
        return await self._open(lambda c: c.open_new(account_name))

    async def reply(self, kind: str, message_id: int) -> ComposerWindow:
        """Open a reply, reply to all or forward of an archived message."""
        return await self._open(lambda c: c.open_reply(kind, message_id))

    async def draft(self, draft_id: int) -> ComposerWindow:
        """Reopen a saved draft where it was."""
        for composer in self.composers:
            if composer.draft_id == draft_id:
                composer.raise_()
                composer.activateWindow()
                return composer
        return await self._open(lambda c: c.open_draft(draft_id))

    async def request(self, request: object) -> ComposerWindow | None:
        """Open what a `ComposeRequest` asks for (new, reply, reply_all, forward)."""
        kind = getattr(request, "kind", "new")
        message_id = getattr(request, "message_id", None)
        if kind == "new" or message_id is None:
            return await self.new_message()
        return await self.reply(str(kind), int(message_id))

    def on_compose_requested(self, request: object) -> None:
        """Slot for `MessageActions.compose_requested`."""
        self.ctx.runner.run(self, self.request(request))

    # -- drafts left open --------------------------------------------------------------------

    def _open_ids(self) -> list[int]:
        if self.state is None:
            return []
        raw = self.state.value(OPEN_DRAFTS_KEY, "")
        text = raw if isinstance(raw, str) else ",".join(str(x) for x in (raw or ()))  # type: ignore[attr-defined]
        return [int(x) for x in text.split(",") if x.strip().isdigit()]

    def _set_open_ids(self, ids: list[int]) -> None:
        if self.state is None:
            return
        self.state.setValue(OPEN_DRAFTS_KEY, ",".join(str(i) for i in dict.fromkeys(ids)))
        self.state.sync()

    def _on_composer_draft_changed(self, draft_id: object) -> None:
        if isinstance(draft_id, int):
            self._set_open_ids([*self._open_ids(), draft_id])

    def _on_composer_finished(self, composer: ComposerWindow, draft_id: object) -> None:
        if composer in self.composers:
            self.composers.remove(composer)
        ids = self._open_ids()
        gone = composer.draft_id if composer.draft_id is not None else draft_id
        self._set_open_ids([i for i in ids if i != gone])

    async def drafts_left_open(self) -> list[int]:
        """Drafts that were being written when Pli last stopped (and still exist)."""
        ids = self._open_ids()
        if not ids:
            return []
        existing = {d.id for d in await self.ctx.services.drafts.list()}
        alive = [i for i in ids if i in existing]
        open_now = {c.draft_id for c in self.composers}
        return [i for i in alive if i not in open_now]

    async def offer_left_open(self, parent: QWidget | None = None, *, ask: bool = True) -> int:
        """Offer to reopen the drafts left open; returns how many were reopened."""
        left = await self.drafts_left_open()
        if not left:
            return 0
        if ask:
            box = QMessageBox(parent)
            box.setIcon(QMessageBox.Icon.Question)
            box.setWindowTitle(self.tr("Messages being written"))
            box.setText(
                self.tr(
                    "%n message(s) were being written when Pli stopped. Reopen them?", "", len(left)
                )
            )
            reopen = box.addButton(self.tr("Reopen"), QMessageBox.ButtonRole.AcceptRole)
            box.addButton(self.tr("Later"), QMessageBox.ButtonRole.RejectRole)
            await run_dialog(box)
            chosen = box.clickedButton() is reopen
            box.deleteLater()
            if not chosen:
                return 0
        for draft_id in left:
            try:
                await self.draft(draft_id)
            except KnownError as error:
                log.info("draft not reopened: %s", error.code)
        return len(left)

    # -- after sending -----------------------------------------------------------------------

    def _on_composer_sent(self, outcome: object) -> None:
        if not isinstance(outcome, SendOutcome):
            return
        task = self.ctx.runner.run(self, self._follow(outcome))
        self.flushes.append(task)
        task.add_done_callback(self.flushes.remove)

    async def _follow(self, outcome: SendOutcome) -> None:
        services = self.ctx.services
        try:
            entry = await services.outbox.entry(outcome.entry_id)
            account = next(
                (a for a in await services.accounts.list() if a.id == entry.account_id), None
            )
            if account is not None:
                await services.outbox.flush(account)
                await services.outbox.publish_counts(account)
            entry = await services.outbox.entry(outcome.entry_id)
        except KnownError as error:
            log.info("sending not followed: %s", error.code)
            text = self.tr("The message waits in the outbox.")
        else:
            text = self.describe_state(entry.state)
        self.outcome_shown.emit(text)

    def describe_state(self, state: OutboxState) -> str:
        """Where a queued message stands, in French."""
        if state in (OutboxState.SUBMITTED, OutboxState.FILED):
            return self.tr("Message sent.")
        if state == OutboxState.FAILED:
            return self.tr("The server refused the message: see the outbox.")
        if state == OutboxState.UNCERTAIN:
            return self.tr("The message may have left: Pli checks before sending it again.")
        return self.tr("Message queued: it leaves as soon as the server can be reached.")


def install_composer(
    window: QMainWindow, ctx: UiContext, mail_page: QObject | None = None
) -> ComposerManager:
    """Wire the composer into the main window (idempotent): Ctrl+N, replies, drafts left open.

    Must run on the Qt thread with the loop running.
    """
    existing = getattr(window, "_composer_manager", None)
    if isinstance(existing, ComposerManager):
        manager = existing
    else:
        state_store = getattr(window, "state_store", None)
        state = state_store() if callable(state_store) else None
        manager = ComposerManager(ctx, state if isinstance(state, QSettings) else None, window)
        window._composer_manager = manager  # type: ignore[attr-defined]
        action = QAction(QCoreApplication.translate("ComposerManager", "&New message"), window)
        action.setObjectName("newMessageAction")
        action.setShortcut(QKeySequence("Ctrl+N"))
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(lambda: ctx.runner.run(manager, manager.new_message()))
        window.addAction(action)
        menu = getattr(window, "file_menu", None)
        if menu is not None:
            first = menu.actions()[0] if menu.actions() else None
            menu.insertAction(first, action)
            if first is not None:
                menu.insertSeparator(first)
        manager.new_message_action = action  # type: ignore[attr-defined]
        status = window.statusBar()
        manager.outcome_shown.connect(lambda text: status.showMessage(text, 10_000))
        ctx.runner.run(manager, manager.offer_left_open(window))
    if mail_page is not None and hasattr(mail_page, "compose_requested"):
        mail_page.compose_requested.connect(manager.on_compose_requested)
    return manager
