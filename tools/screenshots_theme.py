"""pytest plugin loaded by tools/screenshots.py: the screens' screenshot tests wear Pli's theme.

The window applies ``app.ui.theme.apply_theme`` at start-up (palette, style sheet, font); the
tests build their screens on pytest-qt's bare QApplication. Loaded with ``-p`` only for the
screenshot run, so that every picture of docs/screenshots/ looks like the application.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtGui import QCursor  # noqa: TID251 - a window tool
from PySide6.QtWidgets import QApplication  # noqa: TID251 - a window tool

from app.ui.theme import apply_theme


@pytest.fixture(autouse=True)
def _pli_theme(qapp: QApplication) -> Iterator[None]:
    style_sheet, palette, font = qapp.styleSheet(), qapp.palette(), qapp.font()
    apply_theme(qapp)
    QCursor.setPos(1919, 1079)  # not over a window's first button (a hover frame otherwise)
    yield
    qapp.setStyleSheet(style_sheet)
    qapp.setPalette(palette)
    qapp.setFont(font)
