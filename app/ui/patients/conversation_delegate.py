"""Draws a conversation like a chat, one delegate for every row (never a widget per message).

Bubbles left (the patient) and right (you), notices in the middle, date separators, documents
as cards inside the bubble, each sent message's status.

One delegate paints every row (never a widget per message); sizes are computed by the same
layout code that paints and cached per row and width. Must run on the Qt thread.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette, QPen
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from app.services.conversation_service import ConversationItem
from app.ui.patients.conversation_model import (
    DAY,
    EARLIER,
    EVENT,
    ITEM_ROLE,
    Row,
    document_line,
    failure_detail,
    status_of,
    time_text,
)

Index = QModelIndex | QPersistentModelIndex

MARGIN = 12  # around a bubble, horizontally
PAD = 10  # inside a bubble
GAP = 4  # between lines
MAX_SHARE = 0.72  # a bubble's width at most, of the view's
MAX_WIDTH = 760  # and in pixels: longer lines are hard to read on a wide screen

COLOURS = {
    "in": ("#f1f3f5", "#1f2933"),
    "out": ("#dcebff", "#10243e"),
    "notice": ("#fff4d6", "#4d3800"),
    "late": ("#b3261e", "#ffffff"),
    "end": ("#0b6149", "#ffffff"),
    "card": ("#ffffff", "#1f2933"),
    "failed": ("#b3261e", ""),
    "read": ("#0b6149", ""),
    "delivered": ("#2f5d8a", ""),
    "sent": ("#52606d", ""),
    "waiting": ("#8a5a00", ""),
    "closed": ("#fde8e6", "#7a1a14"),
    "reopened": ("#e3f4ec", "#0b6149"),
    "objection": ("#fde8e6", "#7a1a14"),
}


@dataclass
class _Piece:
    rect: QRect
    text: str
    font: QFont
    colour: str
    flags: int = int(Qt.TextFlag.TextWordWrap)
    box: str = ""  # a filled rounded box behind it (background colour)


@dataclass
class _Layout:
    height: int
    bubble: QRect
    background: str
    pieces: list[_Piece] = field(default_factory=list)


class ConversationDelegate(QStyledItemDelegate):
    """Paints the rows of a `ConversationModel`."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._cache: dict[tuple[str, object, int, int], _Layout] = {}

    def clear_cache(self) -> None:
        """Forget computed layouts (the content changed)."""
        self._cache.clear()

    # -- fonts -----------------------------------------------------------------------------------

    @staticmethod
    def _fonts(given: QFont) -> tuple[QFont, QFont, QFont]:
        base = QFont(given)  # a copy: the option's font dies with the option
        bold = QFont(base)
        bold.setBold(True)
        small = QFont(base)
        small.setPointSizeF(max(7.0, base.pointSizeF() * 0.88))
        return base, bold, small

    # -- layout ----------------------------------------------------------------------------------

    def _layout(self, option: QStyleOptionViewItem, row: Row) -> _Layout:
        width = option.rect.width()
        ident: object = row.item.id if row.item is not None else row.text
        key = (row.kind, ident, width, option.font.pointSize())
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        base, bold, small = self._fonts(option.font)
        if row.kind in (DAY, EARLIER, EVENT):
            layout = self._centred(option, row, base, small)
        else:
            assert row.item is not None
            layout = self._bubble(option, row.item, base, bold, small)
        if len(self._cache) > 4000:
            self._cache.clear()
        self._cache[key] = layout
        return layout

    def _centred(
        self, option: QStyleOptionViewItem, row: Row, base: QFont, small: QFont
    ) -> _Layout:
        font = QFont(small if row.kind == DAY else base)
        metrics = QFontMetrics(font)
        inner = max(60, int(option.rect.width() * 0.8))
        text_rect = metrics.boundingRect(
            QRect(0, 0, inner, 10_000), int(Qt.TextFlag.TextWordWrap), row.text
        )
        w = text_rect.width() + 2 * PAD
        h = text_rect.height() + (8 if row.kind == DAY else 12)
        x = (option.rect.width() - w) // 2
        bubble = QRect(x, 6, w, h)
        background, colour = {
            DAY: ("#e4e7eb", "#3e4c59"),
            EARLIER: ("#ffffff", "#1d4f91"),
        }.get(row.kind, COLOURS.get(row.tone, ("#e4e7eb", "#3e4c59")))
        piece = _Piece(
            bubble.adjusted(PAD, 0, -PAD, 0),
            row.text,
            font,
            colour,
            int(Qt.TextFlag.TextWordWrap) | int(Qt.AlignmentFlag.AlignCenter),
        )
        return _Layout(h + 12, bubble, background, [piece])

    def _bubble(
        self,
        option: QStyleOptionViewItem,
        item: ConversationItem,
        base: QFont,
        bold: QFont,
        small: QFont,
    ) -> _Layout:
        view = QRect(0, 0, option.rect.width(), 0)
        outer = max(200, min(MAX_WIDTH, int(view.width() * MAX_SHARE)))
        inner = outer - 2 * PAD
        wrap = int(Qt.TextFlag.TextWordWrap)
        lines: list[tuple[str, QFont, str, str]] = []  # text, font, colour, box
        background, ink = COLOURS[item.direction]
        if item.end_of_exchange:
            lines.append((self.tr("End of the exchange"), small, COLOURS["end"][1], "end"))
        if item.late:
            lines.append(
                (self.tr("Received after the end of the exchange"), small, "#ffffff", "late")
            )
        if item.subject:
            lines.append((item.subject, bold, ink, ""))
        if item.text:
            lines.append((item.text, base, ink, ""))
        for doc in item.documents:
            lines.append(
                (document_line(doc.name, doc.content_type, doc.size, doc.kind), small, ink, "card")
            )
        footer = time_text(item)
        footer_colour = "#52606d"
        if item.direction == "out":
            tone, words = status_of(item)
            footer = f"{footer} · {words}"
            footer_colour = COLOURS[tone][0]
        detail = failure_detail(item) if item.direction != "in" else ""
        if detail:
            lines.append((detail, small, COLOURS["failed"][0], ""))
        lines.append((footer, small, footer_colour, "footer"))

        measured: list[tuple[QRect, str, QFont, str, str]] = []
        widest = 0
        for text, font, colour, box in lines:
            metrics = QFontMetrics(font)
            pad = 8 if box in ("card", "late", "end") else 0
            rect = metrics.boundingRect(QRect(0, 0, inner - 2 * pad, 100_000), wrap, text)
            rect = QRect(0, 0, rect.width() + 2 * pad, rect.height() + (6 if pad else 0))
            widest = max(widest, rect.width())
            measured.append((rect, text, font, colour, box))
        bubble_w = min(outer, max(widest, 120) + 2 * PAD)
        if item.direction == "in":
            x = view.x() + MARGIN
        elif item.direction == "out":
            x = view.right() - MARGIN - bubble_w
        else:
            x = view.x() + (view.width() - bubble_w) // 2
        y = 4
        pieces = []
        cursor = y + PAD
        for rect, text, font, colour, box in measured:
            align = 0
            w = rect.width()
            if box == "footer":
                w = bubble_w - 2 * PAD
                align = int(Qt.AlignmentFlag.AlignRight)
            elif box == "card":
                w = bubble_w - 2 * PAD
            place = QRect(x + PAD, cursor, w, rect.height())
            fill = COLOURS[box][0] if box in ("card", "late", "end") else ""
            pieces.append(_Piece(place, text, font, colour, wrap | align, fill))
            cursor += rect.height() + GAP
        height = cursor - GAP + PAD - y
        bubble = QRect(x, y, bubble_w, height)
        return _Layout(height + 8, bubble, background, pieces)

    # -- Qt API ----------------------------------------------------------------------------------

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:  # noqa: N802
        """The row's height at the view's width."""
        row = index.data(ITEM_ROLE)
        if not isinstance(row, Row):
            return QSize(0, 0)
        layout = self._layout(option, row)
        return QSize(option.rect.width(), layout.height)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        """Draw the row."""
        row = index.data(ITEM_ROLE)
        if not isinstance(row, Row):
            return
        layout = self._layout(option, row)
        dx, dy = option.rect.x(), option.rect.y()  # laid out from (0, 0)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        bubble = layout.bubble.translated(dx, dy)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        focus = bool(option.state & QStyle.StateFlag.State_HasFocus)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(layout.background))
        painter.drawRoundedRect(bubble, 10, 10)
        if selected or focus:
            highlight = option.palette.color(QPalette.ColorRole.Highlight)
            painter.setPen(QPen(highlight, 2))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(bubble.adjusted(1, 1, -1, -1), 10, 10)
        for piece in layout.pieces:
            rect = piece.rect.translated(dx, dy)
            if piece.box:
                if piece.box == "#ffffff":
                    painter.setPen(QPen(QColor("#cbd2d9"), 1))
                else:
                    painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(QColor(piece.box))
                painter.drawRoundedRect(rect, 6, 6)
                rect = rect.adjusted(8, 3, -8, -3)
            painter.setFont(piece.font)
            painter.setPen(QColor(piece.colour))
            painter.drawText(rect, piece.flags, piece.text)
        painter.restore()
