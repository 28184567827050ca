"""The directory page: find a colleague or a structure in the Annuaire Santé and write to them.

Search as you type (offline directory, debounced) with the engine's filters; each result
shows the person or structure with every mailbox, its type and its structure; "Écrire",
"Ajouter aux favoris", "Copier l'adresse". With nothing typed, favourites and recent
correspondents are listed. The directory's date and "Mettre à jour" (the national extraction
file, or a download from the configured address) with a progress bar, "Annuler" and the
counts at the end. Online search (FHIR) only when asked and configured, and shown as such.
Must run on the Qt thread.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QDate, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMenu,
    QProgressBar,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.contacts import Contact, boost_weights
from app.domain.directory import (
    DirectoryEntry,
    DirectoryQuery,
    EntryKind,
    ImportReport,
    MailboxType,
    ResultSource,
)
from app.domain.errors import KnownError
from app.domain.events import DirectoryChanged
from app.ui.async_bridge import run_dialog
from app.ui.context import UiContext
from app.ui.i18n import FRENCH, format_number

log = logging.getLogger(__name__)

#: Milliseconds after the last key press before searching.
DEBOUNCE_MS = 150
#: Civilities as written in French (the extraction writes DR, M, MME, PR).
CIVILITIES = {"DR": "Dr", "M": "M.", "MME": "Mme", "MLLE": "Mlle", "PR": "Pr"}
#: Columns of the filters' grid.
FILTER_COLUMNS = 3
#: Results shown at most.
LIMIT = 50


class DirectoryPanel(QWidget):
    """The Annuaire Santé in the window.

    Signals:
        compose_requested(str, str): "Écrire" (address, name).
        searched(int): a search ended; how many entries are shown.
        import_finished(object): the `ImportReport` of an update (None when cancelled/failed).
    """

    compose_requested = Signal(str, str)
    searched = Signal(int)
    import_finished = Signal(object)

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("directoryPanel")
        self.setAccessibleName(self.tr("Health directory"))
        self._ctx = ctx
        self._generation = 0
        self._search_task: asyncio.Task[None] | None = None
        self._import_task: asyncio.Task[ImportReport] | None = None
        self._favourites: set[str] = set()
        self._contacts: list[Contact] | None = None
        self.source: ResultSource | None = None

        self.info = QLabel(self)
        self.info.setObjectName("directoryInfo")
        self.info.setWordWrap(True)
        self.update_button = QToolButton(self)
        self.update_button.setText(self.tr("&Update"))
        self.update_button.setAccessibleName(self.tr("Update the directory"))
        self.update_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        # Room for the menu's arrow, drawn in the corner over the text otherwise.
        self.update_button.setStyleSheet("QToolButton { padding: 3px 16px 3px 8px; }")
        menu = QMenu(self.update_button)
        self.import_action = menu.addAction(self.tr("Import an extraction file…"))
        self.download_action = menu.addAction(self.tr("Download from the configured address"))
        self.update_button.setMenu(menu)
        self.progress = QProgressBar(self)
        self.progress.setAccessibleName(self.tr("Directory update"))
        self.progress.hide()
        self.cancel_button = QPushButton(self.tr("Cancel"), self)
        self.cancel_button.setAccessibleName(self.tr("Cancel the update"))
        self.cancel_button.hide()

        self.field = QLineEdit(self)
        self.field.setObjectName("directorySearch")
        self.field.setPlaceholderText(
            self.tr("Name, structure, town, profession, RPPS… (e.g. CHU Pointe-à-Pitre)")
        )
        self.field.setAccessibleName(self.tr("Search the directory"))
        self.field.setClearButtonEnabled(True)
        self.filters_button = QToolButton(self)
        self.filters_button.setText(self.tr("&Filters"))
        self.filters_button.setCheckable(True)
        self.filters_button.setAccessibleName(self.tr("Show the filters"))
        self.online = QCheckBox(self.tr("Also search &online (Annuaire Santé)"), self)
        self.online.setAccessibleName(self.tr("Also search online"))

        self.filters = QWidget(self)
        form = QGridLayout(self.filters)
        form.setContentsMargins(0, 0, 0, 0)
        form.setHorizontalSpacing(8)
        form.setVerticalSpacing(4)
        self.filter_fields: dict[str, QLineEdit] = {}
        position = 0
        for key, label in (
            ("family", self.tr("Name")),
            ("given", self.tr("Given name")),
            ("profession", self.tr("Profession")),
            ("speciality", self.tr("Speciality")),
            ("organisation", self.tr("Structure")),
            ("city", self.tr("Town")),
            ("postcode", self.tr("Postcode")),
            ("department", self.tr("Department")),
            ("identifier", self.tr("RPPS or ADELI")),
        ):
            edit = QLineEdit(self.filters)
            edit.setAccessibleName(label)
            edit.textChanged.connect(self._schedule)
            caption = QLabel(label + " :", self.filters)
            caption.setBuddy(edit)
            row, column = divmod(position, FILTER_COLUMNS)
            form.addWidget(caption, row, column * 2)
            form.addWidget(edit, row, column * 2 + 1)
            position += 1
            self.filter_fields[key] = edit
        self.type_box = QComboBox(self.filters)
        self.type_box.setAccessibleName(self.tr("Mailbox type"))
        self.type_box.addItem(self.tr("All types"), None)
        for kind, label in (
            (MailboxType.PER, self.tr("Personal (PER)")),
            (MailboxType.ORG, self.tr("Organisation (ORG)")),
            (MailboxType.CAB, self.tr("Practice (CAB)")),
            (MailboxType.APP, self.tr("Software (APP)")),
        ):
            self.type_box.addItem(label, kind.value)
        self.type_box.currentIndexChanged.connect(self._schedule)
        caption = QLabel(self.tr("Mailbox type") + " :", self.filters)
        caption.setBuddy(self.type_box)
        row, column = divmod(position, FILTER_COLUMNS)
        form.addWidget(caption, row, column * 2)
        form.addWidget(self.type_box, row, column * 2 + 1)
        for column in range(FILTER_COLUMNS):
            form.setColumnStretch(column * 2 + 1, 1)
        self.filters.hide()

        self.heading = QLabel(self)
        self.heading.setObjectName("directoryHeading")
        self.heading.setStyleSheet("color: palette(placeholder-text);")
        self.results = QListWidget(self)
        self.results.setObjectName("directoryResults")
        self.results.setAccessibleName(self.tr("Directory results"))
        self.results.setWordWrap(True)
        self.results.setAlternatingRowColors(True)
        self.results.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.results.setSpacing(2)
        self.write_button = QPushButton(self.tr("&Write"), self)
        self.write_button.setAccessibleName(self.tr("Write to this mailbox"))
        self.favourite_button = QPushButton(self.tr("Add to &favourites"), self)
        self.copy_button = QPushButton(self.tr("&Copy the address"), self)
        self.copy_button.setAccessibleName(self.tr("Copy the address"))
        self.card_button = QPushButton(self.tr("Correspondent's c&ard"), self)
        self.card_button.setAccessibleName(self.tr("Correspondent's card"))

        top = QHBoxLayout()
        top.addWidget(self.info, 1)
        top.addWidget(self.progress)
        top.addWidget(self.cancel_button)
        top.addWidget(self.update_button)
        search = QHBoxLayout()
        search.addWidget(self.field, 1)
        search.addWidget(self.filters_button)
        search.addWidget(self.online)
        actions = QHBoxLayout()
        actions.addWidget(self.write_button)
        actions.addWidget(self.favourite_button)
        actions.addWidget(self.copy_button)
        actions.addWidget(self.card_button)
        actions.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 10)
        layout.addLayout(top)
        layout.addLayout(search)
        layout.addWidget(self.filters)
        layout.addWidget(self.heading)
        layout.addWidget(self.results, 1)
        layout.addLayout(actions)
        self.setFocusProxy(self.field)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self._on_timer_timeout)
        self.field.textChanged.connect(self._schedule)
        self.field.returnPressed.connect(self._on_field_return_pressed)
        self.filters_button.toggled.connect(self.filters.setVisible)
        self.results.currentItemChanged.connect(self._update_actions)
        self.results.itemActivated.connect(lambda _item: self.write())
        self.write_button.clicked.connect(self.write)
        self.favourite_button.clicked.connect(self._on_favourite_button_clicked)
        self.copy_button.clicked.connect(self.copy_address)
        self.card_button.clicked.connect(self.open_card)
        self.import_action.triggered.connect(self._on_import_action_triggered)
        self.download_action.triggered.connect(self._on_download_action_triggered)
        self.cancel_button.clicked.connect(self.cancel_import)
        copy = QShortcut(QKeySequence(QKeySequence.StandardKey.Copy), self.results)
        copy.setContext(Qt.ShortcutContext.WidgetShortcut)
        copy.activated.connect(self.copy_address)
        ctx.signals.directory_changed.connect(self._on_engine_directory_changed)
        self._update_actions()

    # -- start ---------------------------------------------------------------------------------

    async def refresh(self) -> None:
        """Read the directory's state and show favourites and recent correspondents."""
        await self.refresh_info()
        await self.search_now()

    async def refresh_info(self) -> None:
        """The directory's date and size, and whether online search is possible."""
        info = await self._ctx.services.directory.info()
        if info.present and info.report is not None:
            report = info.report
            when = report.generated_at or report.imported_at
            date = FRENCH.toString(QDate(when.year, when.month, when.day), "d MMMM yyyy")
            text = self.tr("National directory of %1: %2 mailboxes.").replace("%1", date)
            text = text.replace("%2", format_number(report.mailboxes))
            if info.stale:
                text += " " + self.tr("It is old: update it.")
        else:
            text = self.tr("The national directory is not imported yet: use Update.")
        self.info.setText(text)
        self.info.setAccessibleName(text)
        self.online.setEnabled(info.api_key_configured)
        if not info.api_key_configured:
            self.online.setChecked(False)
            self.online.setToolTip(self.tr("Online search needs an Annuaire Santé API key."))

    # -- searching -----------------------------------------------------------------------------

    def query(self) -> DirectoryQuery:
        """What the fields ask for."""
        values = {key: edit.text().strip() for key, edit in self.filter_fields.items()}
        kind = self.type_box.currentData()
        types = frozenset({MailboxType(kind)}) if isinstance(kind, str) else frozenset()
        return DirectoryQuery(text=self.field.text().strip(), types=types, **values)

    def _schedule(self, *_args: object) -> None:
        self._timer.start()

    def _on_timer_timeout(self) -> None:
        self._search_task = self._ctx.runner.run(self, self.search_now())

    def _on_field_return_pressed(self) -> None:
        self._timer.stop()
        online = True if self.online.isChecked() else None
        self._search_task = self._ctx.runner.run(self, self.search_now(online=online))

    async def search_now(self, *, online: bool | None = False) -> None:
        """Search with what is typed (favourites and recent when nothing is)."""
        self._generation += 1
        generation = self._generation
        services = self._ctx.services
        query = self.query()
        if query.is_empty or self._contacts is None:
            # Read once, then again only when the list of correspondents is shown or a
            # favourite changes: a keystroke costs one directory search, nothing more.
            self._contacts = await services.contacts.list()
            self._favourites = {c.address for c in self._contacts if c.favourite}
        if query.is_empty:
            if generation == self._generation:
                self._show_contacts(self._contacts)
            return
        boost = boost_weights(self._contacts, time.time())
        try:
            result = await services.directory.search(query, boost=boost, limit=LIMIT, online=online)
        except KnownError as error:
            if generation == self._generation:
                self.results.clear()
                text = self._ctx.errors.describe(error).title
                self.heading.setText(text)
                self.heading.setAccessibleName(text)
                self._update_actions()
                self.searched.emit(0)
            return
        if generation != self._generation:
            return
        self.source = result.source
        self._show_entries(list(result.entries), result.source, result.truncated)

    def _show_contacts(self, contacts: list[Contact]) -> None:
        self.results.clear()
        for contact in contacts:
            star = self.tr("Favourite") if contact.favourite else self.tr("Recent")
            text = f"{contact.name or contact.address}\n{contact.address} · {star}"
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, (contact.address, contact.name or ""))
            item.setData(Qt.ItemDataRole.AccessibleTextRole, text.replace("\n", ", "))
            self.results.addItem(item)
        heading = (
            self.tr("Favourites and recent correspondents")
            if contacts
            else self.tr("Type a name, a structure or a town to search the directory.")
        )
        self.heading.setText(heading)
        self.heading.setAccessibleName(heading)
        if contacts:
            self.results.setCurrentRow(0)
        self._update_actions()
        self.searched.emit(len(contacts))

    def _show_entries(
        self, entries: list[DirectoryEntry], source: ResultSource, more: bool
    ) -> None:
        self.results.clear()
        for entry in entries:
            item = QListWidgetItem(self.entry_text(entry))
            first = entry.mailboxes[0].address if entry.mailboxes else ""
            item.setData(Qt.ItemDataRole.UserRole, (first, entry.display_name))
            item.setData(Qt.ItemDataRole.UserRole + 1, entry)
            item.setData(Qt.ItemDataRole.AccessibleTextRole, item.text().replace("\n", ", "))
            self.results.addItem(item)
        count = len(entries)
        heading = self.tr("%n result(s)", "", count)
        if more:
            heading = self.tr("%n first result(s): refine the search", "", count)
        if source is ResultSource.ONLINE:
            heading += " · " + self.tr("from the online directory (Annuaire Santé)")
        elif source is ResultSource.MIXED:
            heading += " · " + self.tr("offline directory and online directory")
        self.heading.setText(heading)
        self.heading.setAccessibleName(heading)
        if entries:
            self.results.setCurrentRow(0)
        self._update_actions()
        self.searched.emit(count)

    def entry_text(self, entry: DirectoryEntry) -> str:
        """Several lines: who, what they do, then every mailbox with its type and structure."""
        lines = []
        if entry.kind is EntryKind.PERSON:
            civility = CIVILITIES.get(entry.civility.upper(), entry.civility)
            name = " ".join(p for p in (civility, entry.given, entry.family) if p)
            job = ", ".join(p for p in (entry.profession, entry.speciality) if p)
            ident = f"{entry.identifier_type} {entry.identifier}" if entry.identifier else ""
            lines.append(" · ".join(p for p in (name, job, ident) if p))
        else:
            lines.append(entry.display_name)
        for box in entry.mailboxes:
            kind = box.type.value if box.type is not None else "?"
            parts = (
                (box.town,)
                if entry.kind is EntryKind.STRUCTURE
                else (
                    box.service,
                    box.organisation,
                    box.town,
                )
            )
            where = ", ".join(dict.fromkeys(p for p in parts if p))
            star = " ★" if box.address in self._favourites else ""
            lines.append(f"    {box.address} ({kind}){star}" + (f" — {where}" if where else ""))
        if entry.source is ResultSource.ONLINE:
            lines.append("    " + self.tr("(online directory)"))
        return "\n".join(lines)

    # -- actions -------------------------------------------------------------------------------

    def current_address(self) -> tuple[str, str] | None:
        """(address, name) of the selected result."""
        item: QListWidgetItem | None = self.results.currentItem()
        value = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        if isinstance(value, tuple) and value and value[0]:
            return str(value[0]), str(value[1])
        return None

    def _update_actions(self, *_args: object) -> None:
        chosen = self.current_address()
        for button in (
            self.write_button,
            self.favourite_button,
            self.copy_button,
            self.card_button,
        ):
            button.setEnabled(chosen is not None)
        favourite = chosen is not None and chosen[0] in self._favourites
        text = self.tr("Remove from &favourites") if favourite else self.tr("Add to &favourites")
        self.favourite_button.setText(text)
        self.favourite_button.setAccessibleName(text.replace("&", ""))

    def write(self) -> None:
        """Write a new message to the selected mailbox ("Écrire")."""
        chosen = self.current_address()
        if chosen is not None:
            self.compose_requested.emit(*chosen)

    def copy_address(self) -> None:
        """Put the selected address on the clipboard."""
        chosen = self.current_address()
        if chosen is not None:
            QGuiApplication.clipboard().setText(chosen[0])
            self.heading.setText(self.tr("Address copied: %1").replace("%1", chosen[0]))

    def open_card(self) -> QWidget | None:
        """The selected correspondent's card (directory data, last messages exchanged)."""
        chosen = self.current_address()
        if chosen is None:
            return None
        from app.ui.directory.card import CorrespondentCard

        card = CorrespondentCard(self._ctx, chosen[0], chosen[1], self.window())
        card.compose_requested.connect(self.compose_requested)
        card.show()
        self._ctx.runner.run(card, card.load())
        return card

    async def toggle_favourite(self) -> bool:
        """Add the selected mailbox to the favourites, or remove it; returns the new state."""
        chosen = self.current_address()
        if chosen is None:
            return False
        address, name = chosen
        favourite = address not in self._favourites
        await self._ctx.services.contacts.set_favourite(address, favourite, name)
        self._contacts = None  # read again at the next search
        if favourite:
            self._favourites.add(address)
        else:
            self._favourites.discard(address)
        item: QListWidgetItem | None = self.results.currentItem()
        entry = item.data(Qt.ItemDataRole.UserRole + 1) if item is not None else None
        if item is not None and isinstance(entry, DirectoryEntry):
            item.setText(self.entry_text(entry))
        self._update_actions()
        return favourite

    def _on_favourite_button_clicked(self) -> None:
        self._ctx.runner.run(self, self.toggle_favourite())

    # -- updating ------------------------------------------------------------------------------

    async def import_file(self, path: Path) -> ImportReport | None:
        """Import a national extraction (progress shown, cancellable); None when cancelled."""
        return await self._run_import(self._ctx.services.directory.import_file(path))

    async def download(self) -> ImportReport | None:
        """Download the extraction from the configured address and import it."""
        return await self._run_import(self._ctx.services.directory.refresh())

    async def _run_import(self, work: Coroutine[Any, Any, ImportReport]) -> ImportReport | None:
        self.progress.setRange(0, 0)
        self.progress.show()
        self.cancel_button.show()
        self.update_button.setEnabled(False)
        self.info.setText(self.tr("Updating the directory…"))
        task: asyncio.Task[ImportReport] = asyncio.ensure_future(work)
        self._import_task = task
        report: ImportReport | None = None
        try:
            report = await task
        except asyncio.CancelledError:
            text = self.tr("Update cancelled: the directory is unchanged.")
            self.info.setText(text)
            self.info.setAccessibleName(text)
            if not task.cancelled():
                raise
        except KnownError as error:
            text = self._ctx.errors.describe(error).title
            self.info.setText(text)
            self.info.setAccessibleName(text)
        finally:
            self._import_task = None
            self.progress.hide()
            self.cancel_button.hide()
            self.update_button.setEnabled(True)
        if report is not None:
            await self.refresh_info()
            text = self.tr("Directory updated: %1 mailboxes, %2 professionals.")
            text = text.replace("%1", format_number(report.mailboxes))
            text = text.replace("%2", format_number(report.persons))
            if report.malformed:
                text += " " + self.tr("%n line(s) ignored (malformed).", "", report.malformed)
            text = self.info.text() + "\n" + text
            self.info.setText(text)
            self.info.setAccessibleName(text)
        self.import_finished.emit(report)
        return report

    def cancel_import(self) -> None:
        """Stop the running update (the previous directory stays as it was)."""
        if self._import_task is not None:
            self._import_task.cancel()

    def _on_engine_directory_changed(self, event: object) -> None:
        if isinstance(event, DirectoryChanged) and self._import_task is None:
            # Updated elsewhere (`pli directory refresh` forwarded to the window…).
            self._ctx.runner.run(self, self.refresh_info())
            return
        total = getattr(event, "total_bytes", None)
        if isinstance(total, int) and self.progress.isVisible():
            done = int(getattr(event, "bytes_read", 0))
            if total > 0:
                self.progress.setRange(0, 1000)
                self.progress.setValue(min(1000, int(done * 1000 / total)))
            lines = int(getattr(event, "lines", 0))
            self.progress.setFormat(self.tr("%1 lines read").replace("%1", format_number(lines)))

    async def _choose_file(self) -> Path | None:
        dialog = QFileDialog(self, self.tr("National directory extraction"))
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.setNameFilter(self.tr("Directory extraction (*.txt *.zip)"))
        accepted = await run_dialog(dialog) == QFileDialog.DialogCode.Accepted
        chosen = dialog.selectedFiles()
        dialog.deleteLater()
        return Path(chosen[0]) if accepted and chosen else None

    def _on_import_action_triggered(self) -> None:
        async def work() -> None:
            path = await self._choose_file()
            if path is not None:
                await self.import_file(path)

        self._ctx.runner.run(self, work())

    def _on_download_action_triggered(self) -> None:
        self._ctx.runner.run(self, self.download())


async def write_to(window: QMainWindow, ctx: UiContext, address: str, name: str = "") -> object:
    """Open the composer (issue 11) with `address` as its recipient ("Écrire")."""
    from app.ui.compose import install_composer

    manager = install_composer(window, ctx)
    opener = getattr(manager, "new_message_to", None)
    if callable(opener):
        return await opener([address])
    composer = await manager.new_message()
    composer.to_field.add_address(address, name)
    return composer


def install_directory(window: QMainWindow, ctx: UiContext) -> DirectoryPanel:
    """Add the directory page to the window (idempotent). Must run with the loop running."""
    existing = getattr(window, "_directory_panel", None)
    if isinstance(existing, DirectoryPanel):
        return existing
    panel = DirectoryPanel(ctx, window)
    window._directory_panel = panel  # type: ignore[attr-defined]
    add_page = getattr(window, "add_page", None)
    if callable(add_page):
        title = QCoreApplication.translate("DirectoryPanel", "Directory")
        add_page("directory", panel, title, "directory", "Ctrl+3")
    panel.compose_requested.connect(
        lambda address, name: ctx.runner.run(panel, write_to(window, ctx, address, name))
    )
    ctx.runner.run(panel, panel.refresh())
    return panel
