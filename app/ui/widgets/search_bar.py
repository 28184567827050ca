"""The search bar: words over the whole archive (attached PDFs included), with filters.

Searches as the user types (after a short pause), Enter searches at once, Échap clears;
Ctrl+K (and the window's Find action, Ctrl+F) puts the cursor in the field. The filters
(account, folder, correspondent, patient, attachment, dates) sit in a compact row shown by
the "Filtres" button.

Must run on the Qt thread.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace

from PySide6.QtCore import QDate, QDateTime, QEvent, QObject, Qt, QTime, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.addresses import Ins
from app.domain.errors import KnownError
from app.services.account_service import Account
from app.services.archive_service import SearchFilters
from app.ui.context import UiContext
from app.ui.models.folder_model import role_label
from app.ui.widgets.mail_icons import icon

#: Pause after the last keystroke before searching (ms).
DEBOUNCE_MS = 250


class SearchBar(QWidget):
    """Search field and filters.

    Signals:
        search_requested(str, object): the words (may be empty when only filters are set)
            and the `SearchFilters`.
        search_cleared(): back to the folder shown before.
    """

    search_requested = Signal(str, object)
    search_cleared = Signal()

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._accounts: list[Account] = []
        self._active = False

        self.field = QLineEdit(self)
        self.field.setObjectName("searchField")
        self.field.setPlaceholderText(self.tr("Search the archive (Ctrl+F)"))
        self.field.setAccessibleName(self.tr("Search"))
        self.field.setAccessibleDescription(
            self.tr(
                "Words of the subject, people, text and attached PDFs. Escape clears the search."
            )
        )
        self.field.setClearButtonEnabled(True)
        self.field.addAction(icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        self.field.installEventFilter(self)

        self.filters_button = QToolButton(self)
        self.filters_button.setObjectName("searchFiltersButton")
        self.filters_button.setText(self.tr("Filters"))
        self.filters_button.setIcon(icon("filter"))
        self.filters_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.filters_button.setCheckable(True)
        self.filters_button.setAccessibleName(self.tr("Show the search filters"))
        self.filters_button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

        self.account = QComboBox(self)
        self.account.setAccessibleName(self.tr("Mailbox"))
        self.folder = QComboBox(self)
        self.folder.setAccessibleName(self.tr("Folder"))
        self.correspondent = QLineEdit(self)
        self.correspondent.setPlaceholderText(self.tr("Correspondent's address"))
        self.correspondent.setAccessibleName(self.tr("Correspondent"))
        self.patient = QLineEdit(self)
        self.patient.setPlaceholderText(self.tr("Patient's INS"))
        self.patient.setAccessibleName(self.tr("Patient (INS)"))
        self.patient.setMaximumWidth(170)
        self.attachment = QCheckBox(self.tr("With attachment"), self)
        self.attachment.setAccessibleName(self.tr("Only messages with an attachment"))
        self.since_on = QCheckBox(self.tr("From"), self)
        self.since_on.setAccessibleName(self.tr("Limit from a date"))
        self.since = self._date_edit(self.tr("Start date"), QDate.currentDate().addMonths(-1))
        self.until_on = QCheckBox(self.tr("to"), self)
        self.until_on.setAccessibleName(self.tr("Limit to a date"))
        self.until = self._date_edit(self.tr("End date"), QDate.currentDate())
        self.reset_button = QToolButton(self)
        self.reset_button.setText(self.tr("Reset"))
        self.reset_button.setAccessibleName(self.tr("Reset the filters"))
        self.reset_button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.setSpacing(6)
        top.addWidget(self.field, 1)
        top.addWidget(self.filters_button)

        self.filter_row = QWidget(self)
        self.filter_row.setObjectName("searchFilterRow")
        row = QHBoxLayout(self.filter_row)
        row.setContentsMargins(0, 4, 0, 0)
        row.setSpacing(6)
        for widget in (self.account, self.folder, self.correspondent, self.patient):
            row.addWidget(widget, 1 if widget is self.correspondent else 0)
        row.addWidget(self.attachment)
        row.addWidget(self.since_on)
        row.addWidget(self.since)
        row.addWidget(self.until_on)
        row.addWidget(self.until)
        row.addWidget(self.reset_button)
        self.filter_row.hide()
        self.status = QLabel(self)
        self.status.setObjectName("searchStatus")
        self.status.setStyleSheet("color: #a50e0e;")
        self.status.hide()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.setSpacing(2)
        layout.addLayout(top)
        layout.addWidget(self.filter_row)
        layout.addWidget(self.status)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self._on_timer_timeout)
        self.field.textEdited.connect(self._on_changed)
        self.field.returnPressed.connect(self._on_field_return_pressed)
        self.field.textChanged.connect(self._on_field_text_changed)
        self.filters_button.toggled.connect(self._on_filters_button_toggled)
        self.account.currentIndexChanged.connect(self._on_account_changed)
        self.folder.currentIndexChanged.connect(self._on_changed)
        self.correspondent.textEdited.connect(self._on_changed)
        self.patient.textEdited.connect(self._on_changed)
        self.attachment.toggled.connect(self._on_changed)
        for box, edit in ((self.since_on, self.since), (self.until_on, self.until)):
            box.toggled.connect(edit.setEnabled)
            box.toggled.connect(self._on_changed)
            edit.dateChanged.connect(self._on_changed)
            edit.setEnabled(False)
        self.reset_button.clicked.connect(self.reset_filters)
        # Ctrl+F is the window's Find action (it calls `focus_field`); Ctrl+K is ours.
        self.shortcut = QShortcut(QKeySequence("Ctrl+K"), self)
        self.shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
        self.shortcut.activated.connect(self.focus_field)
        ctx.signals.accounts_changed.connect(self._on_engine_accounts_changed)
        self.account.addItem(self.tr("All mailboxes"), None)
        self.folder.addItem(self.tr("All folders"), None)
        self.folder.setEnabled(False)
        QTimer.singleShot(0, self.refresh_accounts)

    def _date_edit(self, accessible: str, date: QDate) -> QDateEdit:
        edit = QDateEdit(date, self)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("dd/MM/yyyy")
        edit.setAccessibleName(accessible)
        return edit

    # -- public ----------------------------------------------------------------------------------

    @property
    def active(self) -> bool:
        """A search is shown."""
        return self._active

    def focus_field(self) -> None:
        """Put the cursor in the search field, its text selected (Ctrl+F, Ctrl+K)."""
        self.field.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.field.selectAll()

    def clear(self) -> None:
        """Clear the words and the filters; back to the folder (Échap)."""
        self._timer.stop()
        self.field.clear()
        self._reset_filter_widgets()
        self.status.hide()
        if self._active:
            self._active = False
            self.search_cleared.emit()

    def reset_filters(self) -> None:
        """Filters back to "everything"; searches again if words remain."""
        self._reset_filter_widgets()
        self._on_changed()

    def filters(self) -> SearchFilters | None:
        """The filters as set (None when one of them is not valid, with the reason shown)."""
        filters = SearchFilters(
            account_id=self.account.currentData(),
            folder_id=self.folder.currentData() if self.folder.isEnabled() else None,
            has_attachments=True if self.attachment.isChecked() else None,
        )
        correspondent = self.correspondent.text().strip().lower()
        if correspondent:
            filters = replace(filters, correspondent=correspondent)
        patient = self.patient.text().strip().replace(" ", "")
        if patient:
            try:
                filters = replace(filters, patient_ins=Ins.parse(patient).value)
            except KnownError:
                self._problem(self.tr("This INS is not valid (15 characters, key checked)."))
                return None
        if self.since_on.isChecked():
            filters = replace(filters, since=_epoch(self.since.date()))
        if self.until_on.isChecked():
            filters = replace(filters, until=_epoch(self.until.date().addDays(1)))
        self.status.hide()
        return filters

    def search_now(self) -> None:
        """Search with what is typed and set, without waiting."""
        self._timer.stop()
        self._on_timer_timeout()

    def refresh_accounts(self) -> asyncio.Task[None]:
        """Read the accounts again for the filter."""
        return self._ctx.runner.run(self, self._load_accounts())

    # -- internals -------------------------------------------------------------------------------

    def _filters_set(self) -> bool:
        return bool(
            self.account.currentData() is not None
            or self.correspondent.text().strip()
            or self.patient.text().strip()
            or self.attachment.isChecked()
            or self.since_on.isChecked()
            or self.until_on.isChecked()
        )

    def _reset_filter_widgets(self) -> None:
        widgets = (
            self.account,
            self.folder,
            self.correspondent,
            self.patient,
            self.attachment,
            self.since_on,
            self.until_on,
        )
        blocked = [w.blockSignals(True) for w in widgets]
        self.account.setCurrentIndex(0)
        self.folder.setCurrentIndex(0)
        self.folder.setEnabled(False)
        self.correspondent.clear()
        self.patient.clear()
        self.attachment.setChecked(False)
        self.since_on.setChecked(False)
        self.until_on.setChecked(False)
        self.since.setEnabled(False)
        self.until.setEnabled(False)
        for widget, was in zip(widgets, blocked, strict=True):
            widget.blockSignals(was)

    def _problem(self, text: str) -> None:
        self.status.setText(text)
        self.status.setAccessibleName(text)
        self.status.show()

    def _on_changed(self, *_args: object) -> None:
        self._timer.start()

    def _on_field_return_pressed(self) -> None:
        self.search_now()

    def _on_field_text_changed(self, text: str) -> None:
        if not text and not self._filters_set():  # the clear button
            self._timer.stop()
            if self._active:
                self._active = False
                self.search_cleared.emit()

    def _on_timer_timeout(self) -> None:
        words = self.field.text().strip()
        if not words and not self._filters_set():
            if self._active:
                self._active = False
                self.search_cleared.emit()
            return
        filters = self.filters()
        if filters is None:
            return
        self._active = True
        self.search_requested.emit(words, filters)

    def _on_filters_button_toggled(self, shown: bool) -> None:
        self.filter_row.setVisible(shown)
        self.filters_button.setAccessibleName(
            self.tr("Hide the search filters") if shown else self.tr("Show the search filters")
        )
        if shown:
            self.account.setFocus(Qt.FocusReason.OtherFocusReason)

    def _on_account_changed(self, _index: int) -> None:
        self._ctx.runner.run(self, self._load_folders())
        self._on_changed()

    def _on_engine_accounts_changed(self, _event: object) -> None:
        self.refresh_accounts()

    async def _load_accounts(self) -> None:
        self._accounts = await self._ctx.services.accounts.list()
        current = self.account.currentData()
        self.account.blockSignals(True)
        self.account.clear()
        self.account.addItem(self.tr("All mailboxes"), None)
        for account in self._accounts:
            self.account.addItem(account.name, account.id)
        found = self.account.findData(current)
        self.account.setCurrentIndex(max(0, found))
        self.account.blockSignals(False)

    async def _load_folders(self) -> None:
        account_id = self.account.currentData()
        account = next((a for a in self._accounts if a.id == account_id), None)
        self.folder.blockSignals(True)
        self.folder.clear()
        self.folder.addItem(self.tr("All folders"), None)
        self.folder.setEnabled(account is not None)
        self.folder.blockSignals(False)
        if account is None:
            return
        statuses = await self._ctx.services.archive.folders(account)
        if self.account.currentData() != account_id:
            return
        self.folder.blockSignals(True)
        for status in statuses:
            folder_id = status.id
            self.folder.addItem(role_label(status.role) or status.name, int(folder_id))
        self.folder.blockSignals(False)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        """Échap in the field clears the search."""
        if (
            watched is self.field
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() == Qt.Key.Key_Escape
        ):
            self.clear()
            return True
        return super().eventFilter(watched, event)


def _epoch(date: QDate) -> int:
    return int(QDateTime(date, QTime(0, 0)).toSecsSinceEpoch())
