"""A message's thread read like a chat, the correspondent's directory card, a message opened.

Professionals' conversations are threaded the same way as a patient's: `ThreadDialog` shows a
message's thread (`ConversationService.thread`, from `services.archive`'s threads) with the
same delegate as the patients page, and "Fiche annuaire" shows who the correspondent is in the
health directory (`services.directory.lookup` by address): name, profession, speciality,
structure, town, every mailbox. Must run on the Qt thread.
"""

from __future__ import annotations

import asyncio

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.directory import DirectoryEntry
from app.services.conversation_service import ConversationItem, ConversationService
from app.ui.context import UiContext
from app.ui.patients.conversation_delegate import ConversationDelegate
from app.ui.patients.conversation_model import ID_ROLE, ConversationModel
from app.ui.patients.patients_page import ConversationView
from app.ui.widgets.reading_pane import ReadingPane


def open_message(ctx: UiContext, message_id: int, parent: QWidget | None = None) -> QDialog:
    """Open one message in a reading pane of its own (a window over the page)."""
    dialog = QDialog(parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.setWindowTitle(dialog.tr("Message"))
    dialog.setAccessibleName(dialog.tr("Message"))
    layout = QVBoxLayout(dialog)
    layout.setContentsMargins(0, 0, 0, 0)
    pane = ReadingPane(ctx, dialog)
    layout.addWidget(pane)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, dialog)
    buttons.rejected.connect(dialog.reject)
    layout.addWidget(buttons)
    dialog.resize(820, 640)
    dialog.pane = pane  # type: ignore[attr-defined]  # tests look at it
    dialog.open()
    pane.show_message(message_id)
    return dialog


def card_lines(entry: DirectoryEntry) -> list[str]:
    """What the directory says of a professional or a structure, one fact a line."""
    lines = [" ".join(p for p in (entry.civility, entry.display_name) if p)]
    job = ", ".join(p for p in (entry.profession, entry.speciality) if p)
    if job:
        lines.append(job)
    if entry.identifier:
        lines.append(f"{entry.identifier_type} {entry.identifier}")
    for box in entry.mailboxes:
        where = ", ".join(
            p for p in (box.organisation, box.service, f"{box.postcode} {box.town}".strip()) if p
        )
        lines.append(f"{box.address}" + (f" — {where}" if where else ""))
    return lines


class DirectoryCardDialog(QDialog):
    """Who a correspondent is in the health directory."""

    def __init__(self, ctx: UiContext, address: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.address = address
        self.setWindowTitle(self.tr("Directory card"))
        self.setAccessibleName(self.tr("Directory card of %1").replace("%1", address))
        self.text = QLabel(self.tr("Looking up %1 in the directory…").replace("%1", address), self)
        self.text.setObjectName("directoryCard")
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.text.setMinimumWidth(420)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addWidget(buttons)
        self.entry: DirectoryEntry | None = None
        self.task: asyncio.Task[DirectoryEntry | None] | None = None

    def start(self) -> None:
        """Look the address up (call once shown)."""
        self.task = self._ctx.runner.run(
            self, self._ctx.services.directory.lookup(self.address), on_success=self._on_found
        )

    def _on_found(self, entry: DirectoryEntry | None) -> None:
        self.entry = entry
        if entry is None:
            text = self.tr(
                "%1 is not in the offline directory (import it from the Directory page)."
            ).replace("%1", self.address)
        else:
            text = "\n".join(card_lines(entry))
        self.text.setText(text)
        self.text.setAccessibleName(text)


class ThreadDialog(QDialog):
    """A message's thread, oldest first, drawn like a patient's conversation."""

    def __init__(self, ctx: UiContext, message_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle(self.tr("Thread"))
        self.setAccessibleName(self.tr("Thread of the message"))
        self.model = ConversationModel(self)
        self.delegate = ConversationDelegate(self)
        self.model.modelAboutToBeReset.connect(self.delegate.clear_cache)
        self.view = ConversationView(self)
        self.view.setAccessibleName(self.tr("Messages of the thread"))
        self.view.setModel(self.model)
        self.view.setItemDelegate(self.delegate)
        self.view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.view.open_requested.connect(self._on_view_open_requested)
        self.card_button = QPushButton(self.tr("&Directory card"), self)
        self.card_button.setAccessibleName(self.tr("Directory card of the correspondent"))
        self.card_button.setEnabled(False)
        self.card_button.clicked.connect(self._on_card_clicked)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(self.card_button)
        row.addStretch(1)
        row.addWidget(buttons)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addLayout(row)
        self.resize(760, 620)
        self.correspondent: str | None = None
        self.task = ctx.runner.run(
            self, ConversationService(ctx.services.store).thread(message_id), self._on_loaded
        )

    def _on_loaded(self, items: list[ConversationItem]) -> None:
        self.model.set_conversation([i.id for i in items], items, [])
        self.view.scrollToBottom()
        theirs = [i for i in items if i.direction != "out"]
        self.correspondent = theirs[-1].sender_address if theirs else None
        self.card_button.setEnabled(bool(self.correspondent))

    def _on_card_clicked(self) -> None:
        if self.correspondent is None:
            return
        dialog = DirectoryCardDialog(self._ctx, self.correspondent, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        dialog.start()

    def _on_view_open_requested(self, index: QModelIndex) -> None:
        message_id = index.data(ID_ROLE)
        if isinstance(message_id, int):
            open_message(self._ctx, message_id, self)
