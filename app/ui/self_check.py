"""The window's part of `pli --self-test`: Qt offscreen, a PDF page rendered, French loaded.

Registered by the composition root (`register_window_checks`) before the command line runs,
so the command line itself never imports Qt. Runs on the calling (main) thread, offscreen:
no display is needed and nothing is shown.
"""

from __future__ import annotations

import os

from app.services.self_test import CheckOutcome, register_check


def register_window_checks() -> None:
    """Add the window's checks to the self-test."""
    register_check(check_qt)
    register_check(check_pdf)
    register_check(check_translations)


def _application() -> object:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        app = QApplication(["pli-self-test"])
    return app


def check_qt() -> CheckOutcome:
    """A window drawn offscreen."""
    try:
        _application()
        from PySide6.QtWidgets import QLabel

        label = QLabel("Pli – réception")
        label.resize(200, 40)
        image = label.grab().toImage()
        label.deleteLater()
    except Exception as error:  # noqa: BLE001 - reported in plain words
        return CheckOutcome("window (Qt)", False, f"Qt could not start: {error}")
    if image.isNull() or image.width() != 200:
        return CheckOutcome("window (Qt)", False, "Qt started but could not draw a window")
    return CheckOutcome("window (Qt)", True)


def check_pdf() -> CheckOutcome:
    """The first page of a shipped PDF rendered by QtPdf."""
    name = "PDF viewer"
    try:
        _application()
        from PySide6.QtCore import QSize
        from PySide6.QtPdf import QPdfDocument

        from app.config.resources import resource_path

        pdfs = sorted(resource_path("demo").glob("*.pdf"))
        if not pdfs:
            return CheckOutcome(name, False, "no sample PDF shipped to test with")
        document = QPdfDocument()
        document.load(str(pdfs[0]))
        if document.status() != QPdfDocument.Status.Ready or document.pageCount() < 1:
            return CheckOutcome(name, False, "QtPdf could not open a sample PDF")
        image = document.render(0, QSize(400, 560))
        text = document.getAllText(0).text()
        document.close()
    except ImportError as error:
        return CheckOutcome(name, False, f"the PDF module is missing ({error.name})")
    if image.isNull():
        return CheckOutcome(name, False, "QtPdf opened the PDF but could not draw its page")
    if not text.strip():
        return CheckOutcome(name, False, "QtPdf drew the page but could not read its text")
    return CheckOutcome(name, True)


def check_translations() -> CheckOutcome:
    """The French translations load and translate."""
    name = "French translation"
    app = _application()
    from PySide6.QtCore import QCoreApplication

    from app.ui.i18n import install_translators

    assert isinstance(app, QCoreApplication)
    translators = install_translators(app)
    try:
        samples = {
            ("AccountWizard", "&Next"): "&Suivant",
            ("SettingsDialog", "Settings"): "Paramètres",
        }
        wrong = [
            source
            for (context, source), french in samples.items()
            if QCoreApplication.translate(context, source) != french
        ]
    finally:
        for translator in translators:
            app.removeTranslator(translator)
    if len(translators) < 2:
        return CheckOutcome(name, False, "the French translation files could not be loaded")
    if wrong:
        return CheckOutcome(name, False, "some screens would show in English: " + ", ".join(wrong))
    return CheckOutcome(name, True)
