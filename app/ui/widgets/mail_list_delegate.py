"""How a message row is drawn: two lines (sender and date; subject and markers).

Painting reads only the row's cached texts and summary: no query, no layout object per row,
so a list of any length scrolls at the speed of the visible rows.

Must run on the Qt thread.
"""

from __future__ import annotations

from PySide6.QtCore import (
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QRectF,
    QSize,
    Qt,
)
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette, QPen
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from app.domain.message import Flag, MessageSummary
from app.ui.html import highlight_spans
from app.ui.models.message_list_model import MessageListModel, RowText
from app.ui.widgets.mail_icons import paint_icon

translate = QCoreApplication.translate
ModelIndex = QModelIndex | QPersistentModelIndex

PAD_X, PAD_Y, GAP, ICON = 10, 7, 4, 14
UNREAD_COLUMN = 14
PATIENT_BG = QColor("#e3f4ec")
PATIENT_FG = QColor("#0b6149")
HIGHLIGHT_BG = QColor("#ffe58a")
GONE_FG = QColor("#8a5a00")


class MessageRowDelegate(QStyledItemDelegate):
    """Paints `MessageListModel` rows on two lines."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._patient_label = translate("MessageRowDelegate", "Patient")
        self._gone_label = translate("MessageRowDelegate", "Deleted from the server")

    def sizeHint(self, option: QStyleOptionViewItem, index: ModelIndex) -> QSize:  # noqa: N802
        """Two lines of text and their padding."""
        metrics = QFontMetrics(option.font)
        return QSize(200, metrics.height() * 2 + PAD_Y * 2 + GAP)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: ModelIndex) -> None:
        """Draw the row (selection and focus from the style, text by hand)."""
        summary: MessageSummary | None = index.data(MessageListModel.SummaryRole)
        text: RowText | None = index.data(MessageListModel.RowTextRole)
        if summary is None or text is None:
            return
        terms: list[str] = index.data(MessageListModel.TermsRole) or []
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        widget: QWidget | None = option.widget  # None when painted outside a view
        style = widget.style() if widget is not None else None
        # Background, selection and focus frame as the platform draws them.
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, option.widget)
        rect: QRect = option.rect
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        palette: QPalette = option.palette
        fg = palette.color(
            QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        )
        dim = QColor(fg)
        if not selected:
            dim = palette.color(QPalette.ColorRole.PlaceholderText)
        unread = not summary.flags & Flag.SEEN
        base: QFont = QFont(option.font)
        bold = QFont(base)
        bold.setBold(True)
        small = QFont(base)
        small.setPointSizeF(max(7.0, base.pointSizeF() * 0.88))
        line_h = QFontMetrics(base).height()
        top1 = rect.top() + PAD_Y
        top2 = top1 + line_h + GAP
        left = rect.left() + PAD_X + UNREAD_COLUMN
        right = rect.right() - PAD_X

        if unread:
            paint_icon(
                painter,
                "unread",
                QRectF(rect.left() + PAD_X - 3, top1 + (line_h - 12) / 2, 12, 12),
                "#ffffff" if selected else None,
            )

        # Line 1, right: the date.
        painter.setFont(bold if unread else base)
        date_w = QFontMetrics(painter.font()).horizontalAdvance(text.date)
        painter.setPen(QPen(fg if unread or selected else dim))
        painter.drawText(
            QRect(right - date_w, top1, date_w, line_h),
            int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
            text.date,
        )
        x = left
        limit1 = right - date_w - 12
        # Line 1, left: a patient writing: the patient badge, then their name and INS.
        # A professional writing about a patient: their name, then the badge and the INS.
        pill_w = self._pill_width(small) if text.patient else 0
        if text.patient_sender:
            x = self._paint_patient(painter, small, x, top1, line_h)
        painter.setFont(bold if unread else base)
        painter.setPen(QPen(fg))
        ins_text = f"INS {text.ins}" if text.ins else ""
        ins_w = QFontMetrics(small).horizontalAdvance(ins_text) if ins_text else 0
        room = max(0, limit1 - x)
        after = 0 if text.patient_sender or not text.patient else pill_w + 8
        # A patient writing: their name whole (up to 220 px) before their INS (narrow, the INS
        # stays in the sentence and the reading pane). A professional writing about a patient:
        # the INS is what names the patient on this line, the sender's name gives way first.
        name_w = 90  # as before: 100 px with the gap
        if text.patient_sender:
            name_w = min(QFontMetrics(painter.font()).horizontalAdvance(text.sender), 220)
        if ins_text and room < ins_w + after + 10 + name_w:
            ins_text, ins_w = "", 0
        if after and room < after + 120:
            after = 0  # too narrow for the badge as well: the sentence still says it
        sender_metrics = QFontMetrics(painter.font())
        sender = sender_metrics.elidedText(
            text.sender,
            Qt.TextElideMode.ElideRight,
            room - after - (ins_w + 10 if ins_text else 0),
        )
        sender_w = sender_metrics.horizontalAdvance(sender)
        painter.drawText(
            QRect(x, top1, sender_w + 2, line_h),
            int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
            sender,
        )
        x += sender_w + 10
        if after:
            x = self._paint_patient(painter, small, x, top1, line_h)
        if ins_text:
            painter.setFont(small)
            painter.setPen(QPen(fg if selected else PATIENT_FG))
            painter.drawText(
                QRect(x, top1, ins_w + 2, line_h),
                int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                ins_text,
            )
        # Line 2, right: the markers.
        icons = []
        if summary.has_attachments:
            icons.append("attachment")
        if summary.flags & Flag.ANSWERED:
            icons.append("answered")
        if summary.flags & Flag.FLAGGED:
            icons.append("flag")
        if summary.gone_from_server:
            icons.append("gone")
        mx = right
        light = "#ffffff" if selected else None
        for name in reversed(icons):
            mx -= ICON
            paint_icon(
                painter,
                name,
                QRectF(mx, top2 + (line_h - ICON) / 2, ICON, ICON),
                light if name != "flag" else None,
            )
            mx -= 4
        if summary.gone_from_server and mx - left > 260:
            painter.setFont(small)
            painter.setPen(QPen(fg if selected else GONE_FG))
            label_w = QFontMetrics(small).horizontalAdvance(self._gone_label)
            mx -= label_w + 2
            painter.drawText(
                QRect(mx, top2, label_w + 2, line_h),
                int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                self._gone_label,
            )
            mx -= 6
        # Line 2, left: the subject, search words highlighted.
        painter.setFont(bold if unread else base)
        painter.setPen(QPen(fg if unread or selected else dim))
        self._paint_subject(
            painter,
            text.subject,
            terms,
            x=left,
            top=top2,
            height=line_h,
            width=max(0, mx - left - 8),
            fg=fg if unread or selected else dim,
        )
        painter.restore()

    def _pill_width(self, font: QFont) -> int:
        return ICON + 4 + QFontMetrics(font).horizontalAdvance(self._patient_label) + 12

    def _paint_patient(
        self,
        painter: QPainter,
        font: QFont,
        x: int,
        top: int,
        height: int,
    ) -> int:
        """The green patient pill (an icon and the word); returns the next x."""
        metrics = QFontMetrics(font)
        label_w = metrics.horizontalAdvance(self._patient_label)
        pill_w = self._pill_width(font)
        pill = QRectF(x, top + 1, pill_w, height - 2)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(PATIENT_BG)
        painter.drawRoundedRect(pill, (height - 2) / 2, (height - 2) / 2)
        paint_icon(painter, "patient", QRectF(x + 6, top + (height - 12) / 2, 12, 12))
        painter.setFont(font)
        painter.setPen(QPen(PATIENT_FG))
        painter.drawText(
            QRectF(x + 6 + ICON + 2, top, label_w + 4, height),
            int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
            self._patient_label,
        )
        x = int(pill.right()) + 8
        return x

    def _paint_subject(
        self,
        painter: QPainter,
        subject: str,
        terms: list[str],
        *,
        x: int,
        top: int,
        height: int,
        width: int,
        fg: QColor,
    ) -> None:
        metrics = QFontMetrics(painter.font())
        shown = metrics.elidedText(subject, Qt.TextElideMode.ElideRight, width)
        spans = highlight_spans(shown, terms) if terms else []
        at = 0
        cursor = x
        for start, end in [*spans, (len(shown), len(shown))]:
            before = shown[at:start]
            if before:
                painter.setPen(QPen(fg))
                w = metrics.horizontalAdvance(before)
                painter.drawText(
                    QRect(cursor, top, w + 1, height),
                    int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                    before,
                )
                cursor += w
            word = shown[start:end]
            if word:
                w = metrics.horizontalAdvance(word)
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(HIGHLIGHT_BG)
                painter.drawRoundedRect(QRectF(cursor - 1, top + 1, w + 2, height - 2), 3, 3)
                painter.setPen(QPen(QColor("#000000")))
                painter.drawText(
                    QRect(cursor, top, w + 1, height),
                    int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                    word,
                )
                cursor += w
            at = end
