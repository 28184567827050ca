"""Draws a patient's row: name, INS, last activity, and its markers.

The markers: unread messages, waiting for your answer, exchange ended, objection. Must run on
the Qt thread.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from app.services.conversation_service import PatientRow
from app.ui.models.formatting import format_ins
from app.ui.patients.patient_list_model import ROW_ROLE, patient_name, short_date

Index = QModelIndex | QPersistentModelIndex


class PatientRowDelegate(QStyledItemDelegate):
    """Two lines per patient and coloured markers."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:  # noqa: N802
        """Two lines of text and a line of markers."""
        height = QFontMetrics(option.font).height()
        return QSize(option.rect.width(), 3 * height + 22)

    def markers(self, row: PatientRow) -> list[tuple[str, str, str]]:
        """(text, background, ink) of each marker."""
        out = []
        if row.unread:
            out.append((self.tr("%n unread", "", row.unread), "#1d4f91", "#ffffff"))
        if row.awaiting_reply:
            out.append((self.tr("Waiting for your answer"), "#fff4d6", "#4d3800"))
        if row.undelivered:
            out.append((self.tr("Not delivered"), "#fde8e6", "#7a1a14"))
        if row.closed_at is not None:
            out.append((self.tr("Exchange ended"), "#e4e7eb", "#3e4c59"))
        if row.patient.objection:
            out.append((self.tr("Objects to messaging"), "#fde8e6", "#7a1a14"))
        return out

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        """Draw the row."""
        row = index.data(ROW_ROLE)
        if not isinstance(row, PatientRow):
            return
        painter.save()
        rect = option.rect.adjusted(10, 6, -10, -6)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        if selected:
            painter.fillRect(option.rect, option.palette.color(QPalette.ColorRole.Highlight))
        ink = option.palette.color(
            QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        )
        grey = ink if selected else QColor("#52606d")
        bold = QFont(option.font)
        bold.setBold(True)
        small = QFont(option.font)
        small.setPointSizeF(max(7.0, option.font.pointSizeF() * 0.88))
        line = QFontMetrics(option.font).height()
        date = short_date(row.last_activity)
        painter.setFont(small)
        painter.setPen(grey)
        date_w = QFontMetrics(small).horizontalAdvance(date) + 4
        painter.drawText(
            QRect(rect.right() - date_w, rect.y(), date_w, line),
            int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
            date,
        )
        painter.setFont(bold if row.unread else option.font)
        painter.setPen(ink)
        name_rect = QRect(rect.x(), rect.y(), rect.width() - date_w - 6, line)
        painter.drawText(
            name_rect,
            int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
            QFontMetrics(painter.font()).elidedText(
                patient_name(row), Qt.TextElideMode.ElideRight, name_rect.width()
            ),
        )
        painter.setFont(small)
        painter.setPen(grey)
        painter.drawText(
            QRect(rect.x(), rect.y() + line + 2, rect.width(), line),
            int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
            self.tr("INS %1").replace("%1", format_ins(row.patient.ins)),
        )
        x = rect.x()
        y = rect.y() + 2 * line + 6
        metrics = QFontMetrics(small)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        for text, background, colour in self.markers(row):
            w = metrics.horizontalAdvance(text) + 12
            if x + w > rect.right():
                break
            pill = QRect(x, y, w, metrics.height() + 2)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(background))
            painter.drawRoundedRect(pill, 7, 7)
            painter.setPen(QColor(colour))
            painter.drawText(pill, int(Qt.AlignmentFlag.AlignCenter), text)
            x += w + 6
        painter.restore()
