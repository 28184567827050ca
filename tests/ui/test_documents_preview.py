"""Previews of received documents in the window: PDF, multi-page TIFF, XDM (and doubtful),
broken, encrypted and hostile files explained in French, "Classer" on the demo mailbox.

Real services on a temporary profile, the demo mailbox's real messages; every scenario runs on
the test's qasync loop, which fails the test when a callback holds it over 100 ms.
"""

from __future__ import annotations

import asyncio
import io
import time
import zipfile
from dataclasses import replace
from pathlib import Path

from pypdf import PdfReader, PdfWriter
from PySide6.QtCore import QObject, QUrl, Slot  # noqa: TID251 - window tests
from PySide6.QtGui import QDesktopServices  # noqa: TID251 - window tests
from PySide6.QtPrintSupport import QPrinter  # noqa: TID251 - window tests
from PySide6.QtWidgets import QMessageBox, QWidget  # noqa: TID251 - window tests

from app.documents.attachments import list_attachments
from app.documents.xdm_writer import build_xdm
from app.domain.addresses import Ins
from app.domain.documents import LOINC_OID, CodedValue, DocumentKind, PatientIdKind
from app.services.archive_service import SearchFilters
from app.services.container import Services
from app.ui.context import UiContext
from app.ui.documents.preview import DocumentPreview
from tests.ui.conftest import UiLoop
from tests.unit.documents import docfactories as make

ROOT = Path(__file__).resolve().parents[2]


class UrlCatcher(QObject):
    """Stands in for the system's file opener (QDesktopServices.setUrlHandler)."""

    def __init__(self, seen: list[str]) -> None:
        super().__init__()
        self.seen = seen

    @Slot(QUrl)
    def catch(self, url: QUrl) -> None:
        self.seen.append(url.toLocalFile())


def _message_box(parent: QWidget) -> QMessageBox | None:
    boxes = [b for b in parent.findChildren(QMessageBox) if b.isVisible()]
    return boxes[0] if boxes else None


def many_pages_pdf(pages: int) -> bytes:
    """A PDF of `pages` pages (one text page repeated: pypdf, half a second for 2,500)."""
    source = PdfReader(io.BytesIO(make.text_pdf(1, marker="marqueur")))
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_page(source.pages[0])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def doubtful_xdm() -> bytes:
    """A package whose INS key does not check and whose type code is unknown."""
    patient = replace(make.patient(), ins=Ins("279035121518980"))  # key 80 instead of 89
    document = replace(make.outgoing(), type_code=CodedValue("99999-1", LOINC_OID))
    return build_xdm(make.text_pdf(2), patient=patient, document=document).zip_bytes


def test_documents(ui: UiLoop, ui_services: Services, french: None) -> None:
    big = many_pages_pdf(2500)
    short = make.text_pdf(3, marker="zygomatique")
    doubtful = doubtful_xdm()
    test_patient = replace(make.patient(), id_kind=PatientIdKind.TEST)
    built = build_xdm(make.text_pdf(1), patient=test_patient, document=make.outgoing())
    tiff = make.tiff(3)
    bomb_png = make.png_header_only(60_000, 60_000)
    bomb_info = list_attachments(make.message([(bomb_png, "image/png", "attachment", "x.png")]))[0]
    scripted = make.javascript_pdf()
    scripted_info = list_attachments(
        make.message([(scripted, "application/pdf", "attachment", "script.pdf")])
    )[0]
    encrypted, truncated = make.encrypted_pdf(), make.truncated_pdf()
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("IHE_XDM/SUBSET01/METADATA.XML", b"\0" * (64 * 1024 * 1024))

    async def scenario() -> None:
        ctx = UiContext.create(ui_services, ui.errors)
        preview = DocumentPreview(ctx)
        preview.resize(1000, 700)
        preview.show()

        # A 2,500-page PDF: its first page at once, navigation, zoom, search, page text.
        started = time.perf_counter()
        assert await preview.show_data("long.pdf", big, DocumentKind.PDF) == "pdf"
        assert time.perf_counter() - started < 1.0
        assert preview.pdf.page_count == 2500
        assert preview.pdf.current_page() == 0
        preview.pdf.go_to(1233)
        await ui.settle()
        assert preview.pdf.page_box.value() == 1234
        preview.pdf.zoom_step(+1)
        assert preview.pdf.zoom_label.text().endswith("%")
        preview.pdf.fit_width()
        assert preview.pdf.zoom_label.text() == "Largeur"
        assert "marqueur" in preview.pdf.page_text_of(0)
        preview.pdf.text_button.setChecked(True)
        assert "vésicule" in preview.pdf.page_text.toPlainText()
        assert await preview.show_data("cr.pdf", short, DocumentKind.PDF) == "pdf"
        preview.pdf.search_field.setText("zygomatique")
        preview.pdf.search_field.returnPressed.emit()
        await ui.until(lambda: preview.pdf.result_count >= 3)
        await ui.until(lambda: preview.pdf.search_label.text().startswith("1 sur "))
        preview.pdf.search_next.click()
        await ui.until(lambda: preview.pdf.search_label.text().startswith("2 sur "))

        # A PDF with a script: shown, the script never run, and said so.
        assert (
            await preview.show_data("script.pdf", scripted, DocumentKind.PDF, info=scripted_info)
            == "pdf"
        )
        assert "ne les exécute jamais" in preview.notice.text()
        assert not preview.notice.isHidden()

        # A multi-page TIFF, page by page.
        assert await preview.show_data("fax.tif", tiff, DocumentKind.TIFF) == "image"
        assert preview.image.page_count == 3
        preview.image.go_to(2)
        await ui.until(lambda: preview.image.page == 2)
        assert preview.image.page_box.value() == 3

        # Broken and encrypted PDFs, a hostile zip: plain French, nothing shown, no freeze.
        assert await preview.show_data("x.pdf", encrypted, DocumentKind.PDF) == ("problem")
        assert preview.problem_code == "pdf.password_required"
        assert "mot de passe" in preview.message.text()
        assert await preview.show_data("y.pdf", truncated, DocumentKind.PDF) == ("problem")
        assert preview.problem_code == "pdf.unreadable"
        assert "endommagé" in preview.message.text()
        assert await preview.show_data("IHE_XDM.zip", bomb.getvalue(), DocumentKind.ZIP) == (
            "problem"
        )
        assert preview.problem_code == "zip.ratio"
        assert "bombe" in preview.message.text()
        climbing = make.zip_of({"../../evil.txt": b"x"})
        assert await preview.show_data("IHE_XDM.zip", climbing, DocumentKind.ZIP) == "problem"
        assert preview.problem_code == "zip.unsafe_name"
        assert await preview.show_data("x.png", bomb_png, DocumentKind.PNG, info=bomb_info) == (
            "problem"
        )
        assert preview.problem_code == "image.too_large"
        assert "beaucoup trop grande" in preview.message.text()
        junk_image = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
        assert await preview.show_data("z.png", junk_image, DocumentKind.PNG) == "problem"

        # RTF as text.
        assert await preview.show_data("lettre.rtf", make.RTF_LETTER, DocumentKind.RTF) == "text"
        assert "échographie" in preview.text.toPlainText()

        # A doubtful XDM package: shown, the doubts flagged beside the identity.
        assert await preview.show_data("IHE_XDM.zip", doubtful, DocumentKind.ZIP) == "xdm"
        xdm = preview.xdm
        assert "Figatellix CORSE" in xdm.patient.text()
        assert "279035121518980" in xdm.identity.text()
        assert not xdm.doubts.isHidden()
        assert "n'est pas valide" in xdm.doubts.text()
        assert "type de document inconnu" in xdm.doubts.text()
        assert xdm.documents.count() == 1 and not xdm.single.isHidden()
        await ui.until(lambda: xdm.pdf.page_count == 2)

        # A test identity is flagged too.
        assert await preview.show_data("IHE_XDM.zip", built.zip_bytes, DocumentKind.ZIP) == "xdm"
        assert "Identité de test" in xdm.doubts.text()
        assert "ECHOGRAPHIE" in xdm.single.text()
        assert "imagerie" in xdm.single.text()

    ui.run(scenario(), timeout=60)


def test_demo_report_xdm_and_filing(
    ui: UiLoop, ui_services: Services, french: None, tmp_path: Path
) -> None:
    async def scenario() -> None:
        account = await ui_services.demo.start()
        await ui_services.supervisor.run_once([account], index=False)
        ctx = UiContext.create(ui_services, ui.errors)
        preview = DocumentPreview(ctx)
        preview.resize(1000, 700)
        preview.show()
        found: dict[str, tuple[int, object]] = {}
        folders = await ui_services.archive.folders(account)
        inbox = next(f for f in folders if f.role == "inbox")
        page = await ui_services.archive.page(SearchFilters(folder_id=inbox.id))
        for summary in page.items:
            if not summary.has_attachments:
                continue
            for info in await ui_services.documents.attachments(summary.id):
                found.setdefault(info.kind.value, (summary.id, info))
        assert "pdf" in found and "zip" in found
        message_id, info = found["pdf"]
        assert await preview.show_attachment(message_id, info) == "pdf"  # type: ignore[arg-type]
        assert preview.pdf.page_count >= 1
        assert preview.save_button.isEnabled() and preview.file_button.isEnabled()

        message_id, info = found["zip"]
        assert await preview.show_attachment(message_id, info) == "xdm"  # type: ignore[arg-type]
        assert "Démonstration" in preview.xdm.identity.text() or preview.xdm.patient.text()
        await ui.until(lambda: preview.xdm.pdf.page_count >= 1)

        # "Classer": the patient's folder, standard names, never overwriting.
        root = tmp_path / "patients"
        written = await preview.file_documents(root)
        assert written
        names = sorted(Path(f.path).name for f in written)
        assert any(n.endswith(".pdf") for n in names)
        folder = Path(written[0].path).parent
        assert folder.parent == root.resolve()
        assert "_" in folder.name  # NOM_Prénom[_INS]
        again = await preview.file_documents(root)
        assert all(f.renamed for f in again)
        assert sum(1 for f in root.rglob("*") if f.is_file()) == 2 * len(written)
        assert {f.sha256 for f in again} == {f.sha256 for f in written}
        assert "renommé" in preview.status.text()

        # Every written file is in the audit trail (spec §6).
        trail = await ui_services.archive.audit(action_prefix="document.")
        exports = [e for e in trail if e.action == "document.export"]
        assert len(exports) == 2 * len(written)
        assert all(e.outcome == "ok" and e.target == str(message_id) for e in exports)

        # "Ouvrir avec l'application par défaut": the warning first; cancelled, nothing leaves.
        opened: list[str] = []
        catcher = UrlCatcher(opened)
        QDesktopServices.setUrlHandler("file", catcher, "catch")
        try:
            asking = asyncio.ensure_future(preview.open_external())
            await ui.until(lambda: _message_box(preview) is not None)
            box = _message_box(preview)
            assert box is not None and "chiffrement" in box.text()
            box.button(QMessageBox.StandardButton.Cancel).click()
            assert await asking is None and not opened
            path = await preview.open_external(confirmed=True)
            assert path is not None and opened == [str(path)]
            assert path.stat().st_mode & 0o077 == 0  # private copy
            trail = await ui_services.archive.audit(action_prefix="document.open_external")
            assert len(trail) == 1 and trail[0].outcome == "ok"
        finally:
            QDesktopServices.unsetUrlHandler("file")

        # "Enregistrer sous…" and the printer (to a PDF file).
        saved = await preview.save_as(tmp_path / "copie.zip")
        assert saved is not None and (tmp_path / "copie.zip").read_bytes()[:2] == b"PK"
        printer = QPrinter()
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(tmp_path / "imprime.pdf"))
        assert await preview.print_to(printer) >= 1
        assert (tmp_path / "imprime.pdf").read_bytes().startswith(b"%PDF")

    ui.loop.slow_callback_duration = max(ui.loop.slow_callback_duration, 0.5)  # printing
    ui.run(scenario(), timeout=120)
