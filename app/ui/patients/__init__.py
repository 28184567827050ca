"""The patients screens of the window (issue 11): patients page, outbox page, receipt offer.

`install_patients(window, ctx)` registers them in the frame once the services are open: the
"Patients" and "Boîte d'envoi" pages in the navigation (the outbox's waiting count in its
label), and, in the mail page's reading pane, the read-receipt offer with the thread and
directory-card links. Must run on the Qt thread.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QListWidget, QMainWindow, QWidget

from app.ui.context import UiContext
from app.ui.outbox.outbox_page import OutboxPage
from app.ui.patients.patients_page import PatientsPage
from app.ui.receipts import MessageExtras

translate = QCoreApplication.translate


@dataclass
class PatientScreens:
    """What `install_patients` built (kept alive by the window)."""

    patients: PatientsPage
    outbox: OutboxPage
    extras: MessageExtras | None


def outbox_title(waiting: int, failed: int) -> str:
    """The navigation's label of the outbox, with what waits or failed."""
    title = translate("PatientScreens", "Sending")
    if waiting or failed:
        return f"{title} ({waiting + failed})"
    return title


def outbox_tooltip(waiting: int, failed: int) -> str:
    """What the navigation's outbox entry says when pointed at (and to screen readers)."""
    parts = [translate("PatientScreens", "Outbox")]
    if waiting:
        parts.append(translate("PatientScreens", "%n message(s) waiting to leave", "", waiting))
    if failed:
        parts.append(translate("PatientScreens", "%n failed", "", failed))
    return parts[0] + ("\u00a0: " + ", ".join(parts[1:]) if parts[1:] else "")


def install_patients(window: QMainWindow, ctx: UiContext) -> PatientScreens:
    """Add the patients and outbox pages to `window` (a `MainWindow`) and the receipt offer.

    The mail page must be there already for the receipt offer (it is skipped otherwise).
    """
    add_page = getattr(window, "add_page")  # noqa: B009 - MainWindow's API, typed loosely here
    patients = PatientsPage(ctx, window)
    add_page("patients", patients, translate("PatientScreens", "Patients"), "patients", "Ctrl+2")
    outbox = OutboxPage(ctx, window)
    add_page("outbox", outbox, outbox_title(0, 0), "outbox", "Ctrl+4")
    navigation = getattr(window, "navigation", None)

    def on_counts(waiting: int, failed: int) -> None:
        if not isinstance(navigation, QListWidget):
            return
        for row in range(navigation.count()):
            item = navigation.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == "outbox":
                item.setText(outbox_title(waiting, failed))
                tip = outbox_tooltip(waiting, failed)
                item.setToolTip(tip)
                item.setData(Qt.ItemDataRole.AccessibleTextRole, tip)

    outbox.counts_changed.connect(on_counts)
    extras = None
    page = getattr(window, "page", None)
    mail_page = page("mail") if callable(page) else None
    workspace = getattr(mail_page, "workspace", None)
    reading = getattr(workspace, "reading", None)
    if isinstance(reading, QWidget) and hasattr(reading, "extras"):
        extras = MessageExtras(ctx, reading)
        reading.extras.addWidget(extras)
        reading.message_shown.connect(extras.on_message_shown)  # type: ignore[attr-defined]
    if mail_page is not None and hasattr(mail_page, "compose_requested"):
        patients.compose_requested.connect(mail_page.compose_requested)
    patients.reload()
    outbox.reload()
    screens = PatientScreens(patients, outbox, extras)
    window._patient_screens = screens  # type: ignore[attr-defined]  # lives with the window
    return screens
