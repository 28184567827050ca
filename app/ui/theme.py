"""Pli's look: Fusion with a calm, restrained palette (blue-grey, one teal accent).

Must run on the Qt thread, after the QApplication exists.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication

ACCENT = "#1f6f8b"
TEXT = "#1e2a33"
MUTED = "#5b6b77"
BORDER = "#d5dde3"
SURFACE = "#f6f8fa"
WINDOW = "#ffffff"
DISABLED = "#9aa7b1"

_QSS = f"""
QMainWindow, QDialog {{ background: {WINDOW}; }}
QToolBar#mainToolBar {{
    background: {SURFACE}; border: none; border-bottom: 1px solid {BORDER};
    spacing: 4px; padding: 4px 8px;
}}
QToolBar#mainToolBar QToolButton {{ padding: 4px 8px; border-radius: 4px; color: {TEXT}; }}
QToolBar#mainToolBar QToolButton:hover {{ background: #e6edf2; }}
QToolBar#mainToolBar QToolButton:focus {{ outline: none; border: 1px solid {ACCENT}; }}
QListWidget#navigation {{
    background: {SURFACE}; border: none; border-right: 1px solid {BORDER};
    padding-top: 8px; outline: none;
}}
QListWidget#navigation::item {{
    color: {TEXT}; padding: 8px 4px; margin: 2px 6px; border-radius: 6px;
}}
QListWidget#navigation::item:selected {{ background: #dcebf1; color: {ACCENT}; }}
QListWidget#navigation::item:hover:!selected {{ background: #ebf0f3; }}
QFrame#banner {{ border: none; border-bottom: 1px solid {BORDER}; }}
QFrame#banner[kind="offline"] {{ background: #fdf3e1; }}
QFrame#banner[kind="demo"] {{ background: #e8f2f6; }}
QFrame#banner QLabel {{ color: {TEXT}; }}
QFrame#choiceCard {{
    background: {WINDOW}; border: 1px solid {BORDER}; border-radius: 10px;
}}
QLabel#welcomeTitle {{ font-size: 20pt; font-weight: 600; color: {TEXT}; }}
QLabel#welcomeText {{ color: {MUTED}; font-size: 11pt; }}
QLabel#choiceText {{ color: {MUTED}; }}
QLabel#pageHint {{ color: {MUTED}; font-size: 11pt; }}
QPushButton#choiceButton, QPushButton#primaryButton {{
    background: {ACCENT}; color: white; border: none; border-radius: 6px;
    padding: 8px 14px; font-weight: 600;
}}
QPushButton#choiceButton:hover, QPushButton#primaryButton:hover {{ background: #195d75; }}
QPushButton#choiceButton:focus, QPushButton#primaryButton:focus {{ border: 2px solid #0d3a4a; }}
QPushButton#choiceButton:disabled, QPushButton#primaryButton:disabled {{
    background: #9db8c3;
}}
QLineEdit {{ padding: 4px 6px; border: 1px solid {BORDER}; border-radius: 4px; }}
QLineEdit:focus {{ border: 1px solid {ACCENT}; }}
QTreeView#folderTree {{ border: none; background: {SURFACE}; }}
QListView#messageList {{ border: none; }}
QWidget#lockScreen {{ background: {SURFACE}; }}
QLabel#lockTitle {{ font-size: 18pt; font-weight: 600; color: {TEXT}; }}
QLabel#lockError, QLabel#formError {{ color: #a23b2e; }}
QStatusBar {{ background: {SURFACE}; border-top: 1px solid {BORDER}; color: {MUTED}; }}
QStatusBar::item {{ border: none; }}
QStatusBar QLabel {{ color: {MUTED}; padding: 0 4px; }}
QProgressBar {{
    border: 1px solid {BORDER}; border-radius: 4px; background: {WINDOW};
    text-align: center; color: {TEXT}; font-size: 8pt;
}}
QProgressBar::chunk {{ background: #6ea8bd; border-radius: 3px; }}
QProgressBar[full="true"]::chunk {{ background: #c4613f; }}
QDialogButtonBox {{ dialogbuttonbox-buttons-have-icons: 0; }}
QSplitter::handle {{ background: {BORDER}; }}
QSplitter::handle:horizontal {{ width: 1px; }}
QSplitter::handle:vertical {{ height: 1px; }}
"""


def apply_theme(app: QApplication) -> None:
    """Fusion style, Pli's palette and style sheet, a readable default font."""
    app.setStyle("Fusion")
    palette = QPalette()
    palette.setColor(QPalette.ColorRole.Window, QColor(WINDOW))
    palette.setColor(QPalette.ColorRole.WindowText, QColor(TEXT))
    palette.setColor(QPalette.ColorRole.Base, QColor(WINDOW))
    palette.setColor(QPalette.ColorRole.AlternateBase, QColor(SURFACE))
    palette.setColor(QPalette.ColorRole.Text, QColor(TEXT))
    palette.setColor(QPalette.ColorRole.Button, QColor("#eef2f5"))
    palette.setColor(QPalette.ColorRole.ButtonText, QColor(TEXT))
    palette.setColor(QPalette.ColorRole.Highlight, QColor(ACCENT))
    palette.setColor(QPalette.ColorRole.HighlightedText, QColor("#ffffff"))
    palette.setColor(QPalette.ColorRole.ToolTipBase, QColor("#fdfdfd"))
    palette.setColor(QPalette.ColorRole.ToolTipText, QColor(TEXT))
    palette.setColor(QPalette.ColorRole.PlaceholderText, QColor("#8a98a3"))
    palette.setColor(QPalette.ColorRole.Link, QColor(ACCENT))
    # setColor(role, …) paints every group: without these, a disabled button or field looked
    # exactly like an enabled one ("Précédent" on the wizard's first step).
    disabled = QPalette.ColorGroup.Disabled
    for role in (
        QPalette.ColorRole.WindowText,
        QPalette.ColorRole.Text,
        QPalette.ColorRole.ButtonText,
    ):
        palette.setColor(disabled, role, QColor(DISABLED))
    palette.setColor(disabled, QPalette.ColorRole.Base, QColor(SURFACE))
    palette.setColor(disabled, QPalette.ColorRole.Button, QColor(SURFACE))
    app.setPalette(palette)
    font = QFont(app.font())
    if font.pointSizeF() < 10:
        font.setPointSizeF(10)
    app.setFont(font)
    app.setStyleSheet(_QSS)
