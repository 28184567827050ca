"""The Qt desktop window (PySide6 + qasync). Only this package may import Qt."""

from app.ui.qt_workarounds import make_singletons_immortal

# Before anything imports Qt or paints: PySide6 6.12 over-releases None/True/False on 3.11.
make_singletons_immortal()
