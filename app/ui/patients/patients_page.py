"""The patients page: the patients, and one patient's whole conversation read like a chat.

Left, the patients (most recent activity first, unread and "waiting for your answer"
markers, the closed state), filtered by name or INS. Right, the patient's conversation across
every folder and both directions, the closed banner, "Répondre", "Clore l'échange", and what
can be done with the chosen message: open it, file its documents, see its thread.

Live: the engine's events (patients, outbox and delivery status, messages) refresh what is
shown, gathered over a short moment; nothing polls. Must run on the Qt thread.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QHideEvent, QKeyEvent, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.services.compose_service import SendOutcome, SendVerdict
from app.services.conversation_service import (
    FIRST_PAGE,
    ConversationPage,
    ConversationService,
    PatientRow,
)
from app.ui.context import UiContext
from app.ui.models.formatting import format_ins, format_spoken_date
from app.ui.patients.conversation_delegate import ConversationDelegate
from app.ui.patients.conversation_model import (
    EARLIER,
    ITEM_ROLE,
    KIND_ROLE,
    MESSAGE,
    ConversationModel,
    Row,
)
from app.ui.patients.patient_list_delegate import PatientRowDelegate
from app.ui.patients.patient_list_model import (
    INS_ROLE,
    PatientFilterModel,
    PatientListModel,
    patient_name,
)
from app.ui.widgets.message_actions import ComposeRequest
from app.ui.widgets.page_refresh import PageRefresh

log = logging.getLogger(__name__)

#: Earlier messages read at a time when "Afficher les messages précédents" is chosen.
EARLIER_PAGE = 40
#: Events are gathered this long before the page reads again (a sync publishes many).
REFRESH_DELAY_MS = 150


class ConversationView(QListView):
    """The conversation's list: Enter opens the chosen message (or loads earlier ones).

    Signals:
        open_requested(QModelIndex): Enter or a double click on a row.
    """

    open_requested = Signal(QModelIndex)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setUniformItemSizes(False)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSpacing(0)
        self.doubleClicked.connect(self.open_requested)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        """Enter opens the chosen row."""
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.open_requested.emit(self.currentIndex())
            return
        super().keyPressEvent(event)


class PatientsPage(QWidget):
    """Patients and their conversations.

    Signals:
        compose_requested(object): a `ComposeRequest` (a reply in the patient's conversation).
        patient_shown(object): the INS of the conversation now shown (None when none).
    """

    compose_requested = Signal(object)
    patient_shown = Signal(object)

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.service = ConversationService(ctx.services.store)
        self.setObjectName("patientsPage")
        self.setAccessibleName(self.tr("Patients"))
        self._ins: str | None = None
        self._row: PatientRow | None = None
        self._generation = 0
        self._task: asyncio.Task[None] | None = None
        self._list_task: asyncio.Task[None] | None = None
        self.filing_root: Path | None = None  # where "Classer" files documents (asked once)

        # -- the patients ---------------------------------------------------------------------
        self.search = QLineEdit(self)
        self.search.setObjectName("patientSearch")
        self.search.setPlaceholderText(self.tr("Search by name or INS"))
        self.search.setAccessibleName(self.tr("Search a patient by name or INS"))
        self.search.setClearButtonEnabled(True)
        self.model = PatientListModel(self)
        self.proxy = PatientFilterModel(self)
        self.proxy.setSourceModel(self.model)
        self.patients = QListView(self)
        self.patients.setObjectName("patientList")
        self.patients.setAccessibleName(self.tr("Patients"))
        self.patients.setModel(self.proxy)
        self.patients.setItemDelegate(PatientRowDelegate(self.patients))
        self.patients.setUniformItemSizes(True)
        self.patients.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.empty = QLabel(
            self.tr("No patient yet: patients appear here with their first message."), self
        )
        self.empty.setWordWrap(True)
        self.empty.setStyleSheet("color: palette(placeholder-text); padding: 12px;")
        self.empty.hide()
        self.search.textChanged.connect(self.proxy.set_text)
        self.search.returnPressed.connect(self.patients.setFocus)
        self.patients.selectionModel().currentChanged.connect(self._on_patients_current_changed)
        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(8, 8, 0, 8)
        left_layout.addWidget(self.search)
        left_layout.addWidget(self.patients, 1)
        left_layout.addWidget(self.empty)

        # -- the conversation -----------------------------------------------------------------
        self.title = QLabel(self)
        self.title.setObjectName("patientTitle")
        self.title.setStyleSheet("font-size: 15pt; font-weight: 600;")
        self.identity = QLabel(self)
        self.identity.setObjectName("patientIdentity")
        self.identity.setStyleSheet("color: palette(placeholder-text);")
        self.identity.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.reply_button = QPushButton(self.tr("&Reply"), self)
        self.reply_button.setObjectName("patientReply")
        self.reply_button.setAccessibleName(self.tr("Reply to the patient"))
        self.reply_button.setToolTip(
            self.tr("Write to the patient in this conversation (reopens an ended exchange)")
        )
        self.end_button = QPushButton(self.tr("&End the exchange…"), self)
        self.end_button.setObjectName("patientEndExchange")
        self.end_button.setAccessibleName(self.tr("End the exchange with the patient"))
        self.reply_button.clicked.connect(self._on_reply_clicked)
        self.end_button.clicked.connect(self._on_end_clicked)
        self.banner = QLabel(self)
        self.banner.setObjectName("patientClosedBanner")
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet(
            "background: #fde8e6; color: #7a1a14; border: 1px solid #f3b7b1;"
            " border-radius: 4px; padding: 6px 8px;"
        )
        self.banner.hide()
        self.conversation = ConversationModel(self)
        self.delegate = ConversationDelegate(self)
        self.view = ConversationView(self)
        self.view.setObjectName("patientConversation")
        self.view.setAccessibleName(self.tr("Conversation with the patient"))
        self.view.setModel(self.conversation)
        self.view.setItemDelegate(self.delegate)
        self.view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # Always there: a scroll bar appearing would change the width and lay out every row
        # a second time (measured: a third of the time to open a long conversation).
        self.view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self.view.open_requested.connect(self._on_view_open_requested)
        self.view.selectionModel().currentChanged.connect(self._on_view_current_changed)
        self.conversation.modelAboutToBeReset.connect(self.delegate.clear_cache)
        self.open_button = QPushButton(self.tr("&Open"), self)
        self.open_button.setAccessibleName(self.tr("Open the chosen message"))
        self.file_button = QPushButton(self.tr("&File the documents…"), self)
        self.file_button.setAccessibleName(
            self.tr("File the chosen message's documents in the patient's folder")
        )
        self.thread_button = QPushButton(self.tr("See the &thread"), self)
        self.thread_button.setAccessibleName(self.tr("See the chosen message's thread"))
        self.open_button.clicked.connect(self._on_open_clicked)
        self.file_button.clicked.connect(self._on_file_clicked)
        self.thread_button.clicked.connect(self._on_thread_clicked)
        self.placeholder = QLabel(self.tr("Choose a patient to read the conversation."), self)
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setStyleSheet("color: palette(placeholder-text);")

        right = QWidget(self)
        column = QVBoxLayout(right)
        column.setContentsMargins(8, 8, 8, 8)
        column.setSpacing(6)
        head = QHBoxLayout()
        names = QVBoxLayout()
        names.setSpacing(0)
        names.addWidget(self.title)
        names.addWidget(self.identity)
        head.addLayout(names, 1)
        head.addWidget(self.reply_button, 0, Qt.AlignmentFlag.AlignTop)
        head.addWidget(self.end_button, 0, Qt.AlignmentFlag.AlignTop)
        column.addLayout(head)
        column.addWidget(self.banner)
        column.addWidget(self.view, 1)
        column.addWidget(self.placeholder, 1)
        actions = QHBoxLayout()
        actions.addWidget(self.open_button)
        actions.addWidget(self.file_button)
        actions.addWidget(self.thread_button)
        actions.addStretch(1)
        column.addLayout(actions)
        self._conversation_widgets = [
            self.title,
            self.identity,
            self.reply_button,
            self.end_button,
            self.view,
            self.open_button,
            self.file_button,
            self.thread_button,
        ]

        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(left)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([300, 900])
        self.splitter.setChildrenCollapsible(False)
        left.setMinimumWidth(240)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)
        self.setFocusProxy(self.search)
        QShortcut(QKeySequence("Ctrl+K"), self, self.search.setFocus)
        self._show_conversation(False)
        self._update_actions()

        # -- live updates ---------------------------------------------------------------------
        self._refresh = PageRefresh(
            self,
            REFRESH_DELAY_MS,
            self.reload,
            lambda: self._list_task is not None and not self._list_task.done(),
        )
        signals = ctx.signals
        signals.patients_changed.connect(self._on_engine_changed)
        signals.outbox_changed.connect(self._on_engine_changed)
        signals.messages_changed.connect(self._on_engine_changed)

    # -- loading ---------------------------------------------------------------------------------

    def reload(self) -> asyncio.Task[None]:
        """Read the patients list (and the open conversation) again."""
        self._list_task = self._ctx.runner.run(self, self._reload())
        return self._list_task

    async def _reload(self) -> None:
        rows = await self.service.patients()
        current = self._ins
        self.model.set_rows(rows)
        self.empty.setVisible(not rows)
        if current is not None:
            row = self.model.row_of(current)
            if row is not None:
                self._select_source_row(row)
                await self._load(current, keep=True)
        elif rows and self.patients.currentIndex().row() < 0:
            self._select_source_row(0)

    def _select_source_row(self, row: int) -> None:
        index = self.proxy.mapFromSource(self.model.index(row))
        if index.isValid():
            self.patients.selectionModel().setCurrentIndex(
                index, QItemSelectionModel.SelectionFlag.ClearAndSelect
            )

    def show_patient(self, ins: str) -> asyncio.Task[None] | None:
        """Open a patient's conversation (selects the patient in the list)."""
        row = self.model.row_of(ins)
        if row is not None:
            self._select_source_row(row)
        return self._task

    @property
    def ins(self) -> str | None:
        """The patient whose conversation is shown."""
        return self._ins

    @property
    def task(self) -> asyncio.Task[None] | None:
        """The conversation's last load (tests wait for it)."""
        return self._task

    def _on_patients_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        ins = current.data(INS_ROLE) if current.isValid() else None
        if not isinstance(ins, str):
            return
        if ins == self._ins and self._task is not None:
            return
        self._task = self._ctx.runner.run(self, self._load(ins, keep=False))

    async def _load(self, ins: str, *, keep: bool) -> None:
        self._generation += 1
        generation = self._generation
        loaded = len(self.conversation.items) if keep and ins == self._ins else 0
        page = await self.service.open(ins, max(loaded, FIRST_PAGE))
        if generation != self._generation:
            return
        self._fill(ins, page, keep=keep)

    def _fill(self, ins: str, page: ConversationPage, *, keep: bool) -> None:
        chosen = self.view.currentIndex().data(ITEM_ROLE) if keep else None
        at_bottom = (
            not keep
            or self.view.verticalScrollBar().value() >= self.view.verticalScrollBar().maximum() - 4
        )
        self._ins = ins
        self._row = page.row
        self.conversation.patient_name = patient_name(page.row)
        self.conversation.set_conversation(page.ids, page.items, page.events)
        self._fill_header(page.row)
        self._show_conversation(True)
        if isinstance(chosen, Row) and chosen.item is not None:
            found = self.conversation.row_of(chosen.item.id)
            if found is not None:
                self.view.setCurrentIndex(self.conversation.index(found))
        if at_bottom:
            self.view.scrollToBottom()
        self._update_actions()
        self.patient_shown.emit(ins)

    def _fill_header(self, row: PatientRow) -> None:
        patient = row.patient
        self.title.setText(patient_name(row))
        self.title.setAccessibleName(self.tr("Patient: %1").replace("%1", patient_name(row)))
        parts = [self.tr("INS %1").replace("%1", format_ins(patient.ins))]
        if patient.birth_date:
            parts.append(self.tr("born on %1").replace("%1", _french_date(patient.birth_date)))
        parts.append(f"{patient.ins}@patient.mssante.fr")
        self.identity.setText("  ·  ".join(parts))
        self.identity.setAccessibleName(self.identity.text())
        if row.closed_at is not None:
            text = self.tr(
                "Exchange ended %1. The patient sees a banner in Mon espace santé and can no "
                "longer answer your earlier messages. Writing to them again reopens the "
                "conversation."
            ).replace("%1", format_spoken_date(row.closed_at))
            self.banner.setText(text)
            self.banner.setAccessibleName(text)
            self.banner.show()
        else:
            self.banner.hide()
        self.end_button.setEnabled(row.closed_at is None and row.messages > 0)

    def _show_conversation(self, shown: bool) -> None:
        for widget in self._conversation_widgets:
            widget.setVisible(shown)
        if not shown:
            self.banner.hide()
        self.placeholder.setVisible(not shown)

    # -- live updates ----------------------------------------------------------------------------

    def _on_engine_changed(self, _event: object) -> None:
        self._refresh.request()

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802 - Qt override
        """A read waiting to start waits for the page to show again."""
        super().hideEvent(event)
        self._refresh.page_hidden()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        """Read again what changed while the page was hidden."""
        super().showEvent(event)
        self._refresh.page_shown()

    # -- the chosen message ----------------------------------------------------------------------

    def current_item_row(self) -> Row | None:
        """The chosen message row."""
        row = self.view.currentIndex().data(ITEM_ROLE)
        return row if isinstance(row, Row) and row.item is not None else None

    def _on_view_current_changed(self, _current: QModelIndex, _previous: QModelIndex) -> None:
        self._update_actions()

    def _update_actions(self) -> None:
        row = self.current_item_row()
        archived = row is not None and row.item is not None and row.item.id > 0
        self.open_button.setEnabled(archived)
        self.file_button.setEnabled(archived and bool(row and row.item and row.item.documents))
        self.thread_button.setEnabled(archived)

    def _on_view_open_requested(self, index: QModelIndex) -> None:
        kind = index.data(KIND_ROLE)
        if kind == EARLIER:
            self.load_earlier()
        elif kind == MESSAGE:
            self._on_open_clicked()

    def load_earlier(self) -> asyncio.Task[None] | None:
        """Read the previous messages of the conversation (on demand)."""
        ids = self.conversation.earlier_ids[-EARLIER_PAGE:]
        if not ids or self._ins is None:
            return None
        self._task = self._ctx.runner.run(self, self._load_earlier(self._ins, ids))
        return self._task

    async def _load_earlier(self, ins: str, ids: list[int]) -> None:
        items = await self.service.items(ins, ids)
        if ins != self._ins:
            return
        self.conversation.add_earlier(items)
        first = self.conversation.row_of(items[0].id) if items else None
        if first is not None:
            self.view.setCurrentIndex(self.conversation.index(first))
            self.view.scrollTo(self.conversation.index(first))

    def _on_open_clicked(self) -> None:
        row = self.current_item_row()
        if row is None or row.item is None or row.item.id < 0:
            return  # not archived yet: still in the outbox
        from app.ui.patients.thread_dialog import open_message

        open_message(self._ctx, row.item.id, self)

    def _on_thread_clicked(self) -> None:
        row = self.current_item_row()
        if row is None or row.item is None or row.item.id < 0:
            return
        from app.ui.patients.thread_dialog import ThreadDialog

        dialog = ThreadDialog(self._ctx, row.item.id, self)
        dialog.open()

    def _on_file_clicked(self) -> None:
        row = self.current_item_row()
        if row is None or row.item is None or row.item.id < 0:
            return
        root = self.filing_root
        if root is None:
            chosen = QFileDialog.getExistingDirectory(
                self, self.tr("Where to file the patients' documents")
            )
            if not chosen:
                return
            root = self.filing_root = Path(chosen)
        self._ctx.runner.run(
            self,
            self._ctx.services.documents.export(row.item.id, root),
            on_success=self._on_filed,
        )

    def _on_filed(self, written: object) -> None:
        count = len(written) if isinstance(written, list) else 0
        text = self.tr("%n document(s) filed in the patient's folder.", "", count)
        self._notify(text)

    last_notice = ""

    def _notify(self, text: str) -> None:
        """A short message in the window's status bar (and kept for tests)."""
        self.last_notice = text
        window = self.window()
        if isinstance(window, QMainWindow):
            window.statusBar().showMessage(text, 8000)

    # -- writing and ending ----------------------------------------------------------------------

    def _last_message_id(self) -> int | None:
        items = self.conversation.items
        talk = [i for i in items if i.direction != "notice" and i.id > 0]
        return talk[-1].id if talk else None

    def _on_reply_clicked(self) -> None:
        message_id = self._last_message_id()
        if message_id is None:
            return
        self.compose_requested.emit(ComposeRequest("reply", message_id))

    def confirm_end(self) -> bool:
        """Ask before ending the exchange, saying what the patient will see."""
        name = patient_name(self._row) if self._row else ""
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle(self.tr("End the exchange"))
        box.setText(self.tr("End the exchange with %1?").replace("%1", name))
        box.setInformativeText(
            self.tr(
                "Pli sends them a message marked [FIN]. In Mon espace santé the patient then "
                "sees a banner saying that you ended the exchange, and can no longer answer "
                "your earlier messages. A new message from you reopens the conversation."
            )
        )
        end = box.addButton(self.tr("End the exchange"), QMessageBox.ButtonRole.AcceptRole)
        box.addButton(self.tr("Cancel"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(end)
        box.setAccessibleName(box.windowTitle())
        box.exec()
        return box.clickedButton() is end

    def _on_end_clicked(self) -> None:
        if self._ins is None or self._row is None or not self.confirm_end():
            return
        self.end_exchange()

    def end_exchange(self) -> asyncio.Task[SendOutcome] | None:
        """End the exchange now (no question: `confirm_end` asked it)."""
        ins = self._ins
        if ins is None:
            return None
        account_name = next(
            (i.account for i in reversed(self.conversation.items) if i.direction != "notice"),
            None,
        )
        self.end_button.setEnabled(False)

        async def work() -> SendOutcome:
            services = self._ctx.services
            account = await services.accounts.get(account_name)
            return await services.receipts.end_exchange(account, ins)

        return self._ctx.runner.run(
            self, work(), on_success=self._on_ended, on_failure=self._on_end_failed
        )

    def _on_ended(self, outcome: SendOutcome) -> None:
        if outcome.verdict is SendVerdict.SENT:
            self._notify(self.tr("The exchange is ended."))
        elif outcome.verdict is SendVerdict.REFUSED:
            self._notify(self.tr("The server refused the end of the exchange: see the outbox."))
        else:
            self._notify(
                self.tr(
                    "The end of the exchange waits in the outbox: it leaves as soon as the server "
                    "can be reached."
                )
            )
        self.reload()

    def _on_end_failed(self, error: BaseException) -> None:
        self.end_button.setEnabled(True)
        self._ctx.errors.report(error, self)


def _french_date(iso: str) -> str:
    """``1985-06-14`` → ``14/06/1985``."""
    parts = iso.split("-")
    return "/".join(reversed(parts)) if len(parts) == 3 else iso
