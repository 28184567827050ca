"""The read-receipt offer in the reading pane (RFC 8098, ECO.3.1.6).

"L'expéditeur demande un accusé de lecture : Envoyer / Ignorer / Toujours pour cet
expéditeur". Nothing is sent without the user's decision, unless the user chose "toujours" for
the sender; when the receipt would go elsewhere than the sender, the user is asked to confirm
(even with "toujours"). The bar also carries "Fil de discussion" and "Fiche annuaire" for the
message shown (professionals' conversations, issue 11 item 6). Must run on the Qt thread.
"""

from __future__ import annotations

import asyncio

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.errors import KnownError
from app.services.compose_service import SendOutcome
from app.services.receipt_offers import ReceiptOfferService, ReceiptRequest
from app.ui.context import UiContext


class ReceiptOffer(QFrame):
    """Offers to return a read receipt for the message shown.

    Signals:
        decided(str): ``sent``, ``ignored`` or ``always`` (tests, the status bar).
    """

    decided = Signal(str)

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.service = ReceiptOfferService(ctx.services.store)
        self.request: ReceiptRequest | None = None
        self._message_id: int | None = None
        self._task: asyncio.Task[None] | None = None
        self.ignored: set[int] = set()
        self.confirm = self._confirm  # replaced by tests (a dialog cannot be clicked offscreen)
        self.setObjectName("receiptOffer")
        self.setAccessibleName(self.tr("Read receipt requested"))
        self.setStyleSheet(
            "#receiptOffer { background: #e8f0fb; border: 1px solid #b9cff0; border-radius: 4px; }"
        )
        self.text = QLabel(self.tr("The sender asks for a read receipt."), self)
        self.text.setWordWrap(True)
        self.send_button = QPushButton(self.tr("&Send"), self)
        self.send_button.setAccessibleName(self.tr("Send the read receipt"))
        self.ignore_button = QPushButton(self.tr("&Ignore"), self)
        self.ignore_button.setAccessibleName(self.tr("Ignore the read receipt request"))
        self.always_button = QPushButton(self.tr("&Always for this sender"), self)
        self.always_button.setAccessibleName(self.tr("Always send read receipts to this sender"))
        self.send_button.clicked.connect(self._on_send_clicked)
        self.ignore_button.clicked.connect(self._on_ignore_clicked)
        self.always_button.clicked.connect(self._on_always_clicked)
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 4, 8, 4)
        row.addWidget(self.text, 1)
        row.addWidget(self.send_button)
        row.addWidget(self.ignore_button)
        row.addWidget(self.always_button)
        self.hide()

    @property
    def task(self) -> asyncio.Task[None] | None:
        """The last check or decision (tests wait for it)."""
        return self._task

    def on_message_shown(self, message_id: object) -> None:
        """Slot for `ReadingPane.message_shown`: look whether a receipt is asked."""
        self.hide()
        self.request = None
        self._message_id = message_id if isinstance(message_id, int) else None
        if self._message_id is None or self._message_id in self.ignored:
            return
        self._task = self._ctx.runner.run(self, self._check(self._message_id))

    async def _check(self, message_id: int) -> None:
        request = await self.service.request(message_id)
        if request is None or message_id != self._message_id:
            return
        self.request = request
        if request.always and not request.needs_confirmation:
            await self._send(request, confirmed=False)
            self.decided.emit("always")
            return
        text = self.tr("The sender asks for a read receipt.")
        if request.needs_confirmation:
            text = self.tr(
                "The sender asks for a read receipt, to be sent to another address: %1."
            ).replace("%1", request.to)
        self.text.setText(text)
        self.text.setAccessibleName(text)
        self.show()

    async def _send(self, request: ReceiptRequest, *, confirmed: bool) -> SendOutcome:
        return await self._ctx.services.receipts.send_receipt(
            request.message_id, confirmed=confirmed
        )

    def _confirm(self, request: ReceiptRequest) -> bool:
        answer = QMessageBox.question(
            self,
            self.tr("Read receipt"),
            self.tr(
                "The receipt would go to %1, which is not the sender's address (%2). Send it "
                "all the same?"
            )
            .replace("%1", request.to)
            .replace("%2", request.sender),
        )
        return answer == QMessageBox.StandardButton.Yes

    def _decide(self, always: bool) -> None:
        request = self.request
        if request is None:
            return
        confirmed = False
        if request.needs_confirmation:
            if not self.confirm(request):
                return
            confirmed = True
        self.hide()

        async def work() -> None:
            if always:
                await self.service.set_always(request.sender, True)
            try:
                await self._send(request, confirmed=confirmed)
            except KnownError as error:
                if error.code != "mdn.already_sent":
                    raise
            self.decided.emit("always" if always else "sent")

        self._task = self._ctx.runner.run(self, work())

    def _on_send_clicked(self) -> None:
        self._decide(always=False)

    def _on_always_clicked(self) -> None:
        self._decide(always=True)

    def _on_ignore_clicked(self) -> None:
        if self._message_id is not None:
            self.ignored.add(self._message_id)
        self.hide()
        self.decided.emit("ignored")


class MessageExtras(QWidget):
    """Under the reading pane's header: the receipt offer, the thread, the directory card."""

    def __init__(self, ctx: UiContext, pane: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._pane = pane  # the reading pane (its `detail` is the message shown)
        self._message_id: int | None = None
        self._sender: str | None = None
        self.offer = ReceiptOffer(ctx, self)
        self.thread_button = QPushButton(self.tr("See the &thread"), self)
        self.thread_button.setAccessibleName(self.tr("See the message's thread"))
        self.card_button = QPushButton(self.tr("Directory &card"), self)
        self.card_button.setAccessibleName(self.tr("The sender's directory card"))
        for button in (self.thread_button, self.card_button):
            button.setFlat(True)
            button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.thread_button.clicked.connect(self._on_thread_clicked)
        self.card_button.clicked.connect(self._on_card_clicked)
        links = QHBoxLayout()
        links.setContentsMargins(0, 0, 0, 0)
        links.addWidget(self.thread_button)
        links.addWidget(self.card_button)
        links.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 0, 12, 0)
        layout.setSpacing(2)
        layout.addLayout(links)
        layout.addWidget(self.offer)
        self.hide()

    def on_message_shown(self, message_id: object) -> None:
        """Slot for `ReadingPane.message_shown`."""
        self._message_id = message_id if isinstance(message_id, int) else None
        self.setVisible(self._message_id is not None)
        detail = getattr(self._pane, "detail", None)
        sender = getattr(getattr(getattr(detail, "summary", None), "sender", None), "address", None)
        self._sender = sender if isinstance(sender, str) and sender else None
        self.card_button.setVisible(
            self._sender is not None and not self._sender.endswith("@patient.mssante.fr")
        )
        self.offer.on_message_shown(message_id)

    def _on_thread_clicked(self) -> None:
        if self._message_id is None:
            return
        from app.ui.patients.thread_dialog import ThreadDialog

        ThreadDialog(self._ctx, self._message_id, self.window()).open()

    def _on_card_clicked(self) -> None:
        if self._sender is None:
            return
        from app.ui.patients.thread_dialog import DirectoryCardDialog

        dialog = DirectoryCardDialog(self._ctx, self._sender, self.window())
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        dialog.start()
