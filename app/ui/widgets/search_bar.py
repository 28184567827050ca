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


class _FilterWidgets:
    """The filter row's widgets (made by `SearchBar._filters`)."""

    account: QComboBox
    folder: QComboBox
    correspondent: QLineEdit
    patient: QLineEdit
    attachment: QCheckBox
    since_on: QCheckBox
    since: QDateEdit
    until_on: QCheckBox
    until: QDateEdit
    reset_button: QToolButton

    def __init__(self, row: QWidget) -> None:
        self.row = row


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
        self._row: _FilterWidgets | None = None

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

        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.setSpacing(6)
        top.addWidget(self.field, 1)
        top.addWidget(self.filters_button)

        self.status = QLabel(self)
        self.status.setObjectName("searchStatus")
        self.status.setStyleSheet("color: #a50e0e;")
        self.status.hide()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.setSpacing(2)
        layout.addLayout(top)
        self._layout = layout
        layout.addWidget(self.status)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self._on_timer_timeout)
        self.field.textEdited.connect(self._on_changed)
        self.field.returnPressed.connect(self._on_field_return_pressed)
        self.field.textChanged.connect(self._on_field_text_changed)
        self.filters_button.toggled.connect(self._on_filters_button_toggled)
        # Ctrl+F is the window's Find action (it calls `focus_field`); Ctrl+K is ours.
        self.shortcut = QShortcut(QKeySequence("Ctrl+K"), self)
        self.shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
        self.shortcut.activated.connect(self.focus_field)
        ctx.signals.accounts_changed.connect(self._on_engine_accounts_changed)
        QTimer.singleShot(0, self.refresh_accounts)

    def _filters(self) -> _FilterWidgets:
        """The filter row, built the first time it is needed (most searches use none)."""
        if self._row is not None:
            return self._row
        w = _FilterWidgets(QWidget(self))
        w.row.setObjectName("searchFilterRow")
        w.row.hide()
        w.account = QComboBox(w.row)
        w.account.setAccessibleName(self.tr("Mailbox"))
        w.folder = QComboBox(w.row)
        w.folder.setAccessibleName(self.tr("Folder"))
        w.correspondent = QLineEdit(w.row)
        w.correspondent.setPlaceholderText(self.tr("Correspondent's address"))
        w.correspondent.setAccessibleName(self.tr("Correspondent"))
        w.patient = QLineEdit(w.row)
        w.patient.setPlaceholderText(self.tr("Patient's INS"))
        w.patient.setAccessibleName(self.tr("Patient (INS)"))
        w.patient.setMaximumWidth(170)
        w.attachment = QCheckBox(self.tr("With attachment"), w.row)
        w.attachment.setAccessibleName(self.tr("Only messages with an attachment"))
        w.since_on = QCheckBox(self.tr("From"), w.row)
        w.since_on.setAccessibleName(self.tr("Limit from a date"))
        w.since = self._date_edit(w.row, self.tr("Start date"), QDate.currentDate().addMonths(-1))
        w.until_on = QCheckBox(self.tr("to"), w.row)
        w.until_on.setAccessibleName(self.tr("Limit to a date"))
        w.until = self._date_edit(w.row, self.tr("End date"), QDate.currentDate())
        w.reset_button = QToolButton(w.row)
        w.reset_button.setText(self.tr("Reset"))
        w.reset_button.setAccessibleName(self.tr("Reset the filters"))
        w.reset_button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

        row = QHBoxLayout(w.row)
        row.setContentsMargins(0, 4, 0, 0)
        row.setSpacing(6)
        for widget in (w.account, w.folder, w.correspondent, w.patient):
            row.addWidget(widget, 1 if widget is w.correspondent else 0)
        row.addWidget(w.attachment)
        row.addWidget(w.since_on)
        row.addWidget(w.since)
        row.addWidget(w.until_on)
        row.addWidget(w.until)
        row.addWidget(w.reset_button)
        w.account.currentIndexChanged.connect(self._on_account_changed)
        w.folder.currentIndexChanged.connect(self._on_changed)
        w.correspondent.textEdited.connect(self._on_changed)
        w.patient.textEdited.connect(self._on_changed)
        w.attachment.toggled.connect(self._on_changed)
        for box, edit in ((w.since_on, w.since), (w.until_on, w.until)):
            box.toggled.connect(edit.setEnabled)
            box.toggled.connect(self._on_changed)
            edit.dateChanged.connect(self._on_changed)
            edit.setEnabled(False)
        w.reset_button.clicked.connect(self.reset_filters)
        w.account.addItem(self.tr("All mailboxes"), None)
        w.folder.addItem(self.tr("All folders"), None)
        w.folder.setEnabled(False)
        self._row = w
        self._layout.insertWidget(1, w.row)
        # Made after the panes: put the filters right after the Filters button for Tab.
        after: QWidget = self.filters_button
        control: QWidget
        for control in (
            w.account,
            w.folder,
            w.correspondent,
            w.patient,
            w.attachment,
            w.since_on,
            w.since,
            w.until_on,
            w.until,
            w.reset_button,
        ):
            QWidget.setTabOrder(after, control)
            after = control
        self._fill_accounts()
        return w

    def _date_edit(self, parent: QWidget, accessible: str, date: QDate) -> QDateEdit:
        edit = QDateEdit(date, parent)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("dd/MM/yyyy")
        edit.setAccessibleName(accessible)
        return edit

    # -- public ----------------------------------------------------------------------------------

    @property
    def active(self) -> bool:
        """A search is shown."""
        return self._active

    # The filter widgets (built on first use).

    @property
    def filter_row(self) -> QWidget:
        """The row of filters (hidden until the Filters button shows it)."""
        return self._filters().row

    @property
    def account(self) -> QComboBox:
        """Filter: the mailbox."""
        return self._filters().account

    @property
    def folder(self) -> QComboBox:
        """Filter: the folder of the chosen mailbox."""
        return self._filters().folder

    @property
    def correspondent(self) -> QLineEdit:
        """Filter: a correspondent's address."""
        return self._filters().correspondent

    @property
    def patient(self) -> QLineEdit:
        """Filter: a patient's INS."""
        return self._filters().patient

    @property
    def attachment(self) -> QCheckBox:
        """Filter: only messages with an attachment."""
        return self._filters().attachment

    @property
    def since_on(self) -> QCheckBox:
        """Filter: from a date (on/off)."""
        return self._filters().since_on

    @property
    def since(self) -> QDateEdit:
        """Filter: the start date."""
        return self._filters().since

    @property
    def until_on(self) -> QCheckBox:
        """Filter: to a date (on/off)."""
        return self._filters().until_on

    @property
    def until(self) -> QDateEdit:
        """Filter: the end date."""
        return self._filters().until

    @property
    def reset_button(self) -> QToolButton:
        """Filters back to everything."""
        return self._filters().reset_button

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
        if self._row is None:
            return SearchFilters()
        w = self._row
        filters = SearchFilters(
            account_id=w.account.currentData(),
            folder_id=w.folder.currentData() if w.folder.isEnabled() else None,
            has_attachments=True if w.attachment.isChecked() else None,
        )
        correspondent = w.correspondent.text().strip().lower()
        if correspondent:
            filters = replace(filters, correspondent=correspondent)
        patient = w.patient.text().strip().replace(" ", "")
        if patient:
            try:
                filters = replace(filters, patient_ins=Ins.parse(patient).value)
            except KnownError:
                self._problem(self.tr("This INS is not valid (15 characters, key checked)."))
                return None
        if w.since_on.isChecked():
            filters = replace(filters, since=_epoch(w.since.date()))
        if w.until_on.isChecked():
            filters = replace(filters, until=_epoch(w.until.date().addDays(1)))
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
        w = self._row
        return w is not None and bool(
            w.account.currentData() is not None
            or w.correspondent.text().strip()
            or w.patient.text().strip()
            or w.attachment.isChecked()
            or w.since_on.isChecked()
            or w.until_on.isChecked()
        )

    def _reset_filter_widgets(self) -> None:
        w = self._row
        if w is None:
            return
        widgets = (
            w.account,
            w.folder,
            w.correspondent,
            w.patient,
            w.attachment,
            w.since_on,
            w.until_on,
        )
        blocked = [widget.blockSignals(True) for widget in widgets]
        w.account.setCurrentIndex(0)
        w.folder.setCurrentIndex(0)
        w.folder.setEnabled(False)
        w.correspondent.clear()
        w.patient.clear()
        w.attachment.setChecked(False)
        w.since_on.setChecked(False)
        w.until_on.setChecked(False)
        w.since.setEnabled(False)
        w.until.setEnabled(False)
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
        self._filters().row.setVisible(shown)
        self.filters_button.setAccessibleName(
            self.tr("Hide the search filters") if shown else self.tr("Show the search filters")
        )
        if shown:
            self._filters().account.setFocus(Qt.FocusReason.OtherFocusReason)

    def _on_account_changed(self, _index: int) -> None:
        self._ctx.runner.run(self, self._load_folders())
        self._on_changed()

    def _on_engine_accounts_changed(self, _event: object) -> None:
        self.refresh_accounts()

    async def _load_accounts(self) -> None:
        self._accounts = await self._ctx.services.accounts.list()
        self._fill_accounts()

    def _fill_accounts(self) -> None:
        w = self._row
        if w is None:
            return
        current = w.account.currentData()
        w.account.blockSignals(True)
        w.account.clear()
        w.account.addItem(self.tr("All mailboxes"), None)
        for account in self._accounts:
            w.account.addItem(account.name, account.id)
        found = w.account.findData(current)
        w.account.setCurrentIndex(max(0, found))
        w.account.blockSignals(False)

    async def _load_folders(self) -> None:
        w = self._filters()
        account_id = w.account.currentData()
        account = next((a for a in self._accounts if a.id == account_id), None)
        w.folder.blockSignals(True)
        w.folder.clear()
        w.folder.addItem(self.tr("All folders"), None)
        w.folder.setEnabled(account is not None)
        w.folder.blockSignals(False)
        if account is None:
            return
        statuses = await self._ctx.services.archive.folders(account)
        if w.account.currentData() != account_id:
            return
        w.folder.blockSignals(True)
        for status in statuses:
            w.folder.addItem(
                role_label(status.role) or " › ".join(status.path or (status.name,)), status.id
            )
        w.folder.blockSignals(False)

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
