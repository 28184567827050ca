"""Small SVG icons of the mail screens (no emoji font on these machines: notes/UI.md).

Must run on the Qt thread (QIcon, QPixmap).
"""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QByteArray, QRectF, QSize, Qt
from PySide6.QtGui import QIcon, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

_SVG = {
    # A paperclip.
    "attachment": (
        '<path d="M10.5 4.5v6.2a2.5 2.5 0 0 1-5 0V3.8a1.6 1.6 0 0 1 3.2 0v6.6a.7.7 0 0 1-1.4 0'
        'V4.5" fill="none" stroke="{c}" stroke-width="1.3" stroke-linecap="round"/>'
    ),
    # A flag on its pole.
    "flag": (
        '<path d="M3.5 14V2.5" stroke="{c}" stroke-width="1.4" stroke-linecap="round"/>'
        '<path d="M4 2.8h8.5l-2 3 2 3H4z" fill="{c}"/>'
    ),
    # A flag outline (not followed).
    "flag-off": (
        '<path d="M3.5 14V2.5" stroke="{c}" stroke-width="1.4" stroke-linecap="round"/>'
        '<path d="M4 2.8h8.5l-2 3 2 3H4z" fill="none" stroke="{c}" stroke-width="1.2"/>'
    ),
    # A person (patient).
    "patient": (
        '<circle cx="8" cy="5" r="2.8" fill="{c}"/>'
        '<path d="M2.5 14.5c0-3.2 2.5-5.2 5.5-5.2s5.5 2 5.5 5.2z" fill="{c}"/>'
    ),
    # A cloud struck through: no longer on the server.
    "gone": (
        '<path d="M4.5 12.5h7a2.8 2.8 0 0 0 .3-5.6A3.8 3.8 0 0 0 4.6 6 3.2 3.2 0 0 0 4.5 12.5z"'
        ' fill="none" stroke="{c}" stroke-width="1.2"/>'
        '<path d="M2.5 2.5l11 11" stroke="{c}" stroke-width="1.3" stroke-linecap="round"/>'
    ),
    # A filled dot: unread.
    "unread": '<circle cx="8" cy="8" r="3.5" fill="{c}"/>',
    # A curved arrow: answered.
    "answered": (
        '<path d="M6.5 4 2.5 8l4 4" fill="none" stroke="{c}" stroke-width="1.4"'
        ' stroke-linejoin="round"/><path d="M3 8h6.5a4 4 0 0 1 4 4v1" fill="none"'
        ' stroke="{c}" stroke-width="1.4"/>'
    ),
    # Two curved arrows: reply to all.
    "reply-all": (
        '<path d="M7.5 4 3.5 8l4 4" fill="none" stroke="{c}" stroke-width="1.4"'
        ' stroke-linejoin="round"/><path d="M4.5 4 .8 8l3.7 4" fill="none" stroke="{c}"'
        ' stroke-width="1.2" stroke-linejoin="round"/><path d="M4 8h6a4 4 0 0 1 4 4v1"'
        ' fill="none" stroke="{c}" stroke-width="1.4"/>'
    ),
    # A straight arrow: forward.
    "forward": (
        '<path d="M9.5 4l4 4-4 4" fill="none" stroke="{c}" stroke-width="1.4"'
        ' stroke-linejoin="round"/><path d="M13 8H6.5a4 4 0 0 0-4 4v1" fill="none"'
        ' stroke="{c}" stroke-width="1.4"/>'
    ),
    # An open envelope: read.
    "read": (
        '<path d="M2 6.5 8 2.5l6 4V14H2z" fill="none" stroke="{c}" stroke-width="1.2"'
        ' stroke-linejoin="round"/><path d="M2.3 6.8 8 10.5l5.7-3.7" fill="none"'
        ' stroke="{c}" stroke-width="1.2"/>'
    ),
    # A closed envelope with a dot: unread.
    "unread-mail": (
        '<rect x="1.8" y="4" width="12.4" height="9" rx="1" fill="none" stroke="{c}"'
        ' stroke-width="1.2"/><path d="M2.2 4.6 8 9l5.8-4.4" fill="none" stroke="{c}"'
        ' stroke-width="1.2"/><circle cx="13" cy="4" r="2.4" fill="#1a73e8"/>'
    ),
    # A folder with an arrow: move.
    "move": (
        '<path d="M1.8 4h4.4l1.4 1.5h6.6V13H1.8z" fill="none" stroke="{c}"'
        ' stroke-width="1.2" stroke-linejoin="round"/><path d="M6 9.3h5M9.3 7.5l1.8 1.8'
        '-1.8 1.8" fill="none" stroke="{c}" stroke-width="1.2"/>'
    ),
    # A bin: delete.
    "delete": (
        '<path d="M3 4.5h10M6.3 4.5V3h3.4v1.5M4.3 4.5l.7 9h6l.7-9" fill="none"'
        ' stroke="{c}" stroke-width="1.2" stroke-linejoin="round"/>'
        '<path d="M7 7v4.5M9 7v4.5" stroke="{c}" stroke-width="1.1"/>'
    ),
    # A magnifying glass.
    "search": (
        '<circle cx="6.8" cy="6.8" r="4.3" fill="none" stroke="{c}" stroke-width="1.5"/>'
        '<path d="M10 10l4 4" stroke="{c}" stroke-width="1.6" stroke-linecap="round"/>'
    ),
    # A funnel (filters).
    "filter": '<path d="M2 3h12l-4.6 5.4V13l-2.8 1.2V8.4z" fill="none" stroke="{c}"'
    ' stroke-width="1.3" stroke-linejoin="round"/>',
    # A shield with a line: blocked remote content.
    "blocked": (
        '<path d="M8 1.8 13.5 4v4c0 3.2-2.3 5.4-5.5 6.4C4.8 13.4 2.5 11.2 2.5 8V4z"'
        ' fill="none" stroke="{c}" stroke-width="1.3"/><path d="M5.5 8h5" stroke="{c}"'
        ' stroke-width="1.4" stroke-linecap="round"/>'
    ),
    # A document.
    "document": (
        '<path d="M4 1.8h5.2L12.5 5v9.2H4z" fill="none" stroke="{c}" stroke-width="1.2"'
        ' stroke-linejoin="round"/><path d="M9 2v3.3h3.3" fill="none" stroke="{c}"'
        ' stroke-width="1.1"/>'
    ),
}

#: Colours of the markers (readable on white and on the selection's blue with a light pen).
COLORS = {
    "attachment": "#5f6368",
    "flag": "#d93025",
    "flag-off": "#5f6368",
    "patient": "#0b7a5b",
    "gone": "#8a5a00",
    "unread": "#1a73e8",
    "answered": "#5f6368",
    "search": "#5f6368",
    "filter": "#5f6368",
    "blocked": "#8a5a00",
    "document": "#5f6368",
    "reply-all": "#5f6368",
    "forward": "#5f6368",
    "read": "#5f6368",
    "unread-mail": "#5f6368",
    "move": "#5f6368",
    "delete": "#5f6368",
}


@cache
def _renderer(name: str, color: str) -> QSvgRenderer:
    body = _SVG[name].replace("{c}", color)
    svg = f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16">{body}</svg>'
    return QSvgRenderer(QByteArray(svg.encode()))


def paint_icon(painter: QPainter, name: str, rect: QRectF, color: str | None = None) -> None:
    """Draw an icon into `rect` (crisp at any scale: the SVG is rendered, not a bitmap)."""
    _renderer(name, color or COLORS[name]).render(painter, rect)


def icon(name: str, color: str | None = None, size: int = 16) -> QIcon:
    """An icon for buttons and actions (rendered at 1x and 2x, once per process)."""
    result = QIcon()
    for scale in (1, 2):
        pixmap = QPixmap(QSize(size * scale, size * scale))
        pixmap.fill(Qt.GlobalColor.transparent)
        pixmap.setDevicePixelRatio(scale)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        paint_icon(painter, name, QRectF(0, 0, size, size), color)
        painter.end()
        result.addPixmap(pixmap)
    return result
