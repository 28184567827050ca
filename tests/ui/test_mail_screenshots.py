"""Screenshots of the mail screens on the demo mailbox, at 1366×768 and 1920×1080.

Written under the test's folder; with ``PLI_SCREENSHOTS=1`` into docs/screenshots/ as well
(``mail-<screen>-<size>.png``), to be looked at before a screen is called done. The test also
checks what the pictures are of (the demo's folders, rows, a message open), so it can fail.
"""

from __future__ import annotations

import os
from pathlib import Path

from app.services.container import Services
from app.ui.context import UiContext
from app.ui.widgets.mail_workspace import MailWorkspace
from tests.ui.conftest import UiLoop

ROOT = Path(__file__).resolve().parents[2]
SIZES = ((1366, 768), (1920, 1080))


def _save(widget: MailWorkspace, name: str, tmp_path: Path) -> Path:
    target = tmp_path / f"mail-{name}.png"
    assert widget.grab().save(str(target))
    if os.environ.get("PLI_SCREENSHOTS") == "1":
        shots = ROOT / "docs" / "screenshots"
        shots.mkdir(parents=True, exist_ok=True)
        assert widget.grab().save(str(shots / target.name))
    return target


def test_mail_screens_on_the_demo(
    ui: UiLoop, ui_services: Services, french: None, tmp_path: Path
) -> None:
    # Grabbing a 1920×1080 picture holds the loop for a few hundred ms: that is the test's own
    # act, not the window's (tests/ui/test_mail_screens.py keeps the 100 ms rule).
    ui.loop.slow_callback_duration = 5.0

    async def scenario() -> None:
        account = await ui_services.demo.start()
        try:
            await ui_services.supervisor.run_once([account])
            ctx = UiContext.create(ui_services, ui.errors)
            mail = MailWorkspace(ctx)
            mail.reading.mark_read = False
            mail.resize(*SIZES[0])
            await ui.settle(0)
            mail.show()
            await mail.folders.refresh()
            await ui.until(lambda: mail.messages.model.rowCount() > 3)
            await mail.messages.wait_idle()
            await ui.until(lambda: mail.reading.message_id is not None)
            await mail.reading._task
            model = mail.messages.model
            label = mail.folders.model.account_index(account.id).data()
            assert label.startswith("Démonstration")

            patient_row = next(
                (r for r in range(model.rowCount()) if model.text(r).patient_sender), None
            )
            pdf_row = next(
                (r for r in range(model.rowCount()) if model.summary(r).has_attachments), None
            )
            assert patient_row is not None and pdf_row is not None
            for width, height in SIZES:
                size = f"{width}x{height}"
                mail.resize(width, height)
                mail.messages.select_id(model.summary(patient_row).id)
                await ui.until(lambda: mail.reading.message_id == model.summary(patient_row).id)
                await mail.reading._task
                await ui.settle(0.2)
                _save(mail, f"patient-{size}", tmp_path)
                mail.messages.select_id(model.summary(pdf_row).id)
                await ui.until(lambda: mail.reading.message_id == model.summary(pdf_row).id)
                await mail.reading._task
                await ui.until(lambda: mail.reading.attachments.count() > 0)
                await ui.settle(0.3)
                _save(mail, f"report-{size}", tmp_path)
            # A bounce from Mon espace santé: the banner says why, in French.
            mail.resize(*SIZES[0])
            bounce = next(
                r for r in range(model.rowCount()) if "non distribu" in model.summary(r).subject
            )
            mail.messages.select_id(model.summary(bounce).id)
            await ui.until(lambda: mail.reading.message_id == model.summary(bounce).id)
            await mail.reading._task
            assert mail.reading.banner.isVisible()
            assert "Non distribué" in mail.reading.banner.text()
            assert not model.text(bounce).patient  # a robot of the patient domain
            await ui.settle(0.2)
            _save(mail, "bounce-1366x768", tmp_path)
            # The Sent folder: the end of an exchange with a patient.
            sent = next(f for f in mail.folders.model.folders(account.id) if f.role == "sent")
            mail.folders.select_folder(sent.id)
            await ui.until(lambda: mail.messages.folder_id == sent.id)
            await mail.messages.wait_idle()
            end = next(r for r in range(model.rowCount()) if "[FIN]" in model.summary(r).subject)
            mail.messages.select_id(model.summary(end).id)
            await ui.until(lambda: mail.reading.message_id == model.summary(end).id)
            await mail.reading._task
            assert "clôt l'échange" in mail.reading.banner.text()
            await ui.settle(0.2)
            _save(mail, "sent-1366x768", tmp_path)
            # An earlier message of that closed exchange says since when it is closed.
            earlier = next(
                r
                for r in range(model.rowCount())
                if model.summary(r).patient_ins == model.summary(end).patient_ins
                and "[FIN]" not in model.summary(r).subject
            )
            mail.messages.select_id(model.summary(earlier).id)
            await ui.until(lambda: mail.reading.message_id == model.summary(earlier).id)
            await mail.reading._task
            assert "L'échange avec ce patient a été clos le " in mail.reading.banner.text()
            # A search with its filters open and its words highlighted.
            mail.search.filters_button.setChecked(True)
            mail.search.field.setText("résultats")
            mail.search.search_now()
            await ui.until(lambda: mail.messages.query == "résultats")
            await mail.messages.wait_idle()
            if model.rowCount():
                await ui.until(lambda: mail.reading.message_id == model.summary(0).id)
                await mail.reading._task
            for width, height in SIZES:
                mail.resize(width, height)
                await ui.settle(0.3)
                _save(mail, f"search-{width}x{height}", tmp_path)
        finally:
            await ui_services.demo.stop()

    ui.run(scenario(), timeout=180)
