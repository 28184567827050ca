"""The window speaks French: Qt translators loaded at start, French formatting (STYLE.md §8).

Source strings are English (``self.tr()``); the French comes from ``resources/i18n/*_fr.qm``
(one file per area: frame, mail, later screens; built by ``tools/i18n.py``) and from Qt's own
``qtbase_fr.qm`` (standard buttons, dialogs), whatever the system locale. Must run on the Qt
thread.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from app.config.resources import resource_path

log = logging.getLogger(__name__)

#: The window's locale, whatever the system's.
FRENCH = QLocale(QLocale.Language.French, QLocale.Country.France)


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:  # noqa: N802 - the name lupdate looks for
    """Mark `text` for translation in `context` (pyside6-lupdate reads the call by name)."""
    return text


def i18n_dir() -> Path:
    """Where the shipped translations are."""
    return resource_path("i18n")


def install_translators(app: QCoreApplication, folder: Path | None = None) -> list[QTranslator]:
    """Load every ``*_fr.qm`` of `folder` and Qt's French; returns them (keep them alive).

    The default locale becomes French (fr_FR) so that QLocale() formats dates and numbers in
    French everywhere.
    """
    QLocale.setDefault(FRENCH)
    loaded: list[QTranslator] = []
    qt_folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    for name in ("qtbase_fr",):
        translator = QTranslator(app)
        if translator.load(name, qt_folder):
            app.installTranslator(translator)
            loaded.append(translator)
        else:
            log.warning("Qt translation %s not found", name)
    source = folder if folder is not None else i18n_dir()
    for qm in sorted(source.glob("*_fr.qm")):
        translator = QTranslator(app)
        if translator.load(str(qm)):
            app.installTranslator(translator)
            loaded.append(translator)
        else:
            log.warning("translation %s could not be loaded", qm.name)
    return loaded


def format_size(size: int) -> str:
    """A size in French units (``1,2 Mo``)."""
    return FRENCH.formattedDataSize(size, 1, QLocale.DataSizeFormat.DataSizeTraditionalFormat)


def format_number(value: int) -> str:
    """A count with French digit grouping (``12 345``)."""
    return FRENCH.toString(value)
