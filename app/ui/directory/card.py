"""A correspondent's card: who they are in the directory, the last messages exchanged.

Opened from the reading pane ("Fiche du correspondant") or from the directory page. The
directory part is public data; the messages come from the encrypted archive (subjects and
dates only, read on the archive's thread). "Écrire" and the favourite mark are here too.
Must run on the Qt thread.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.directory import DirectoryEntry, EntryKind
from app.domain.errors import KnownError
from app.services.archive_service import SearchFilters
from app.ui.context import UiContext
from app.ui.models.formatting import format_full_date

#: Messages listed on a card.
LAST_MESSAGES = 12


class CorrespondentCard(QDialog):
    """One correspondent.

    Signals:
        compose_requested(str, str): "Écrire" (address, name).
        message_requested(int): a message of the list was activated (its id).
    """

    compose_requested = Signal(str, str)
    message_requested = Signal(int)

    def __init__(
        self, ctx: UiContext, address: str, name: str = "", parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("correspondentCard")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._ctx = ctx
        self.address = address.lower()
        self.name = name
        self.entry: DirectoryEntry | None = None
        self.favourite = False
        self.setWindowTitle(self.tr("Correspondent: %1").replace("%1", name or address))
        self.setAccessibleName(self.windowTitle())

        self.who = QLabel(name or address, self)
        self.who.setObjectName("cardWho")
        self.who.setStyleSheet("font-size: 13pt; font-weight: 600;")
        self.who.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details = QLabel(self.tr("Looking in the directory…"), self)
        self.details.setObjectName("cardDetails")
        self.details.setWordWrap(True)
        self.details.setTextFormat(Qt.TextFormat.PlainText)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        caption = QLabel(self.tr("Last messages exchanged"), self)
        caption.setStyleSheet("font-weight: 600;")
        self.messages = QListWidget(self)
        self.messages.setObjectName("cardMessages")
        self.messages.setAccessibleName(self.tr("Last messages exchanged"))
        caption.setBuddy(self.messages)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.write_button = QPushButton(self.tr("&Write"), self)
        self.write_button.setAccessibleName(self.tr("Write"))
        self.favourite_button = QPushButton(self.tr("Add to &favourites"), self)
        buttons.addButton(self.write_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.favourite_button, QDialogButtonBox.ButtonRole.ActionRole)
        close = buttons.button(QDialogButtonBox.StandardButton.Close)
        close.setAccessibleName(close.text().replace("&", ""))
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.who)
        layout.addWidget(self.details)
        layout.addWidget(caption)
        layout.addWidget(self.messages, 1)
        layout.addWidget(buttons)
        self.resize(620, 520)
        self.write_button.clicked.connect(self._on_write_button_clicked)
        self.favourite_button.clicked.connect(self._on_favourite_button_clicked)
        self.messages.itemActivated.connect(self._on_messages_item_activated)

    async def load(self) -> None:
        """Fill the card (directory, favourite mark, messages), off the Qt thread."""
        services = self._ctx.services
        try:
            self.entry = await services.directory.lookup(self.address)
        except KnownError:
            self.entry = None
        self.details.setText(self._details_text())
        self.details.setAccessibleName(self.details.text())
        contacts = await services.contacts.list()
        self.favourite = any(c.address == self.address and c.favourite for c in contacts)
        self._update_favourite()
        page = await services.archive.page(
            SearchFilters(correspondent=self.address), limit=LAST_MESSAGES
        )
        self.messages.clear()
        untitled = self.tr("(no subject)")
        for summary in page.items:
            when = format_full_date(summary.sent_date or summary.internal_date)
            text = f"{when} — {summary.subject or untitled}"
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, summary.id)
            self.messages.addItem(item)
        if not page.items:
            self.messages.addItem(self.tr("No message exchanged yet."))

    def _details_text(self) -> str:
        entry = self.entry
        if entry is None:
            return self.tr("%1 is not in the directory imported on this computer.").replace(
                "%1", self.address
            )
        lines = []
        if entry.kind is EntryKind.PERSON:
            from app.ui.directory.panel import CIVILITIES

            civility = CIVILITIES.get(entry.civility.upper(), entry.civility)
            name = " ".join(p for p in (civility, entry.given, entry.family) if p)
            self.who.setText(name or self.address)
            job = ", ".join(p for p in (entry.profession, entry.speciality) if p)
            if job:
                lines.append(job)
            if entry.identifier:
                lines.append(f"{entry.identifier_type} {entry.identifier}")
        else:
            self.who.setText(entry.display_name)
        lines.append(self.tr("Mailboxes:"))
        for box in entry.mailboxes:
            kind = box.type.value if box.type is not None else "?"
            where = ", ".join(
                dict.fromkeys(
                    p for p in (box.service, box.organisation, box.postcode, box.town) if p
                )
            )
            lines.append(f"  {box.address} ({kind})" + (f" — {where}" if where else ""))
        return "\n".join(lines)

    def _update_favourite(self) -> None:
        text = (
            self.tr("Remove from &favourites") if self.favourite else self.tr("Add to &favourites")
        )
        self.favourite_button.setText(text)
        self.favourite_button.setAccessibleName(text.replace("&", ""))

    async def toggle_favourite(self) -> bool:
        """Mark or unmark the correspondent as a favourite; returns the new state."""
        name = self.who.text() if self.who.text() != self.address else self.name
        await self._ctx.services.contacts.set_favourite(self.address, not self.favourite, name)
        self.favourite = not self.favourite
        self._update_favourite()
        return self.favourite

    def _on_favourite_button_clicked(self) -> None:
        self._ctx.runner.run(self, self.toggle_favourite())

    def _on_write_button_clicked(self) -> None:
        self.compose_requested.emit(self.address, self.who.text())

    def _on_messages_item_activated(self, item: QListWidgetItem) -> None:
        value = item.data(Qt.ItemDataRole.UserRole)
        if isinstance(value, int):
            self.message_requested.emit(value)
