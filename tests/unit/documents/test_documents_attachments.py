"""A message's attachments from raw bytes, and filing them per patient without overwriting."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import docfactories as make
import pytest

from app.documents.attachments import extract_attachment, list_attachments
from app.documents.filing import (
    UNKNOWN_PATIENT_FOLDER,
    PatientRef,
    patient_folder_name,
    plan_export,
    write_export,
)
from app.documents.xdm_writer import build_xdm
from app.domain.documents import DocumentKind, PersonName
from app.domain.errors import DocumentError, NotFoundError


@pytest.fixture(scope="module")
def pdf() -> bytes:
    return make.text_pdf(1, marker="lettre")


@pytest.fixture(scope="module")
def raw(pdf: bytes) -> bytes:
    xdm = build_xdm(make.text_pdf(2), patient=make.patient(), document=make.outgoing()).zip_bytes
    return make.message(
        [
            (pdf, "application/pdf", "attachment", "../../Compte rendu\u202e.pdf"),
            (b"MZ\x90\x00" + b"\0" * 60, "application/pdf", "attachment", "resultats.pdf"),
            (xdm, "application/zip", "attachment", "IHE_XDM.zip"),
            (make.png(), "image/png", "inline", None),
            (make.tiff(3), "image/tiff", "attachment", "fax.tif"),
            (make.javascript_pdf(), "application/octet-stream", "attachment", "piege.pdf"),
        ]
    )


def test_attachments_listed_with_verdicts(raw: bytes, pdf: bytes) -> None:
    infos = list_attachments(raw)
    assert [i.part_id for i in infos] == ["2", "3", "4", "5", "6", "7"]
    letter, disguised, xdm, inline, fax, trap = infos

    assert letter.name == "Compte rendu.pdf"
    assert letter.original_name_changed
    assert (letter.kind, letter.declared_type, letter.size) == (
        DocumentKind.PDF,
        "application/pdf",
        len(pdf),
    )
    assert letter.verdict.accepted
    assert letter.pdf is not None
    assert letter.pdf.pages == 1

    assert disguised.kind is DocumentKind.EXECUTABLE
    assert not disguised.verdict.accepted
    assert disguised.verdict.code == "attachment.type_mismatch"

    assert xdm.verdict.accepted
    assert xdm.xdm is not None
    assert xdm.xdm.patient_id is not None
    assert xdm.xdm.patient_id.value == make.VALID_INS
    assert len(xdm.xdm.documents) == 1
    assert xdm.xdm.documents[0].trusted

    assert inline.inline
    assert inline.name == "piece-jointe-5.png"
    assert inline.image is not None
    assert inline.image.width == 64

    assert fax.image is not None
    assert fax.image.frames == 3

    assert trap.verdict.accepted  # a PDF, declared as octet-stream: fine
    assert trap.pdf is not None
    assert "javascript" in trap.pdf.active_content


def test_quick_listing_skips_inspection(raw: bytes) -> None:
    infos = list_attachments(raw, inspect=False)
    assert len(infos) == 6
    assert all(i.pdf is None and i.xdm is None and i.image is None for i in infos)


def test_extract_one_attachment(raw: bytes, pdf: bytes) -> None:
    payload = extract_attachment(raw, "2")
    assert payload.data == pdf
    assert payload.name == "Compte rendu.pdf"
    with pytest.raises(NotFoundError) as caught:
        extract_attachment(raw, "1")  # the text body is not an attachment
    assert caught.value.code == "attachment.not_found"


def test_single_part_message_is_part_one(pdf: bytes) -> None:
    from email.message import EmailMessage

    msg = EmailMessage()
    msg["Subject"] = "scan"
    msg.set_content(pdf, maintype="application", subtype="pdf", filename="scan.pdf")
    [info] = list_attachments(msg.as_bytes())
    assert (info.part_id, info.name, info.kind) == ("1", "scan.pdf", DocumentKind.PDF)


def test_nested_parts_numbered_like_imap(pdf: bytes) -> None:
    from email.message import EmailMessage

    msg = EmailMessage()
    msg["Subject"] = "x"
    msg.set_content("texte")
    msg.add_alternative("<p>texte</p>", subtype="html")
    msg.add_attachment(pdf, maintype="application", subtype="pdf", filename="a.pdf")
    infos = list_attachments(msg.as_bytes())
    # 1 = multipart/alternative (1.1 text, 1.2 html), 2 = the PDF.
    assert [(i.part_id, i.name) for i in infos] == [("2", "a.pdf")]


def test_folder_names() -> None:
    assert patient_folder_name(PersonName("Corse", "Figatellix"), make.VALID_INS) == (
        f"CORSE_Figatellix_{make.VALID_INS}"
    )
    assert patient_folder_name(PersonName("Corse", ""), "") == "CORSE"
    assert patient_folder_name(None) == UNKNOWN_PATIENT_FOLDER
    hostile = patient_folder_name(PersonName("../../etc", "x/y"))
    assert "/" not in hostile
    assert not hostile.startswith(".")
    assert hostile.endswith("ETC_x-y")


def test_export_plan_and_write(raw: bytes, tmp_path: Path) -> None:
    plan = plan_export(
        raw,
        message_date=date(2024, 2, 20),
        patient=PatientRef(PersonName("Durand", "Paul"), make.OTHER_INS),
    )
    assert [s.code for s in plan.skipped] == ["attachment.type_mismatch"]
    targets = sorted((i.folder, i.filename) for i in plan.items)
    xdm_folder = f"CORSE_Figatellix_{make.VALID_INS}"
    sender_folder = f"DURAND_Paul_{make.OTHER_INS}"
    assert targets == sorted(
        [
            (sender_folder, "20240220_Compte rendu.pdf"),
            (xdm_folder, "20220531_CR d'imagerie médicale_CORSE_Figatellix.pdf"),
            (xdm_folder, "20220531_CR d'imagerie médicale_CORSE_Figatellix.xml"),
            (sender_folder, "20240220_piece-jointe-5.png"),
            (sender_folder, "20240220_fax.tif"),
            (sender_folder, "20240220_piege.pdf"),
        ]
    )
    root = tmp_path / "Dossiers patients"
    written = write_export(plan, root)
    assert len(written) == 6
    assert not any(f.renamed for f in written)
    for item, file in zip(plan.items, written, strict=True):
        path = Path(file.path)
        assert path.read_bytes() == item.data
        assert path.parent == root.resolve() / item.folder
        assert file.size == len(item.data)
        assert len(file.sha256) == 64
    # The XDM's PDF rendering is the embedded PDF itself.
    exported_pdf = root / xdm_folder / "20220531_CR d'imagerie médicale_CORSE_Figatellix.pdf"
    assert exported_pdf.read_bytes() == make.text_pdf(2)

    # A second export never overwrites: every file gets a new name.
    before = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}
    again = write_export(plan, root)
    assert all(f.renamed for f in again)
    assert {Path(f.path).name for f in again} >= {"20240220_Compte rendu (2).pdf"}
    assert all(p.read_bytes() == data for p, data in before.items())
    assert len([p for p in root.rglob("*") if p.is_file()]) == 12


def test_export_without_patient_goes_to_unknown_folder(pdf: bytes, tmp_path: Path) -> None:
    raw = make.message([(pdf, "application/pdf", "attachment", "cr.pdf")])
    plan = plan_export(raw, message_date=date(2024, 1, 2))
    [file] = write_export(plan, tmp_path)
    assert Path(file.path) == tmp_path.resolve() / UNKNOWN_PATIENT_FOLDER / "20240102_cr.pdf"


def test_tampered_xdm_document_not_exported(tmp_path: Path) -> None:
    import io
    import zipfile

    built = build_xdm(make.text_pdf(), patient=make.patient(), document=make.outgoing())
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(built.zip_bytes)) as source,
        zipfile.ZipFile(out, "w") as target,
    ):
        for info in source.infolist():
            data = source.read(info)
            if info.filename.endswith("DOC0001.XML"):
                data = data.replace(b"ECHOGRAPHIE", b"RADIOGRAPHIE")
            target.writestr(info, data)
    raw = make.message([(out.getvalue(), "application/zip", "attachment", "IHE_XDM.zip")])
    plan = plan_export(raw, message_date=date(2024, 1, 2))
    assert plan.items == ()
    assert [s.code for s in plan.skipped] == ["xdm.size_mismatch"]


def test_export_into_a_file_fails_cleanly(pdf: bytes, tmp_path: Path) -> None:
    blocker = tmp_path / "not a folder"
    blocker.write_bytes(b"x")
    plan = plan_export(
        make.message([(pdf, "application/pdf", "attachment", "cr.pdf")]),
        message_date=date(2024, 1, 2),
    )
    with pytest.raises(DocumentError) as caught:
        write_export(plan, blocker)
    assert caught.value.code == "export.failed"


def test_presenters_for_pli_attachments(raw: bytes) -> None:
    import json

    from app.cli.documents import attachment_json, attachment_lines

    infos = list_attachments(raw)
    data = [attachment_json(i) for i in infos]
    json.dumps(data)  # plain JSON types only
    assert data[1]["accepted"] is False
    assert data[1]["refusal"]["code"] == "attachment.type_mismatch"
    assert data[1]["refusal"]["text"] == (
        "'resultats.pdf' is refused: it claims to be pdf but its content is executable"
    )
    assert data[2]["xdm"]["patient"]["id"]["value"] == make.VALID_INS
    lines = attachment_lines(infos)
    assert lines[0].startswith("[2] Compte rendu.pdf (pdf, ")
    assert lines[0].endswith(", 1 page) ok")
    assert any(line.startswith("    Patient: Figatellix CORSE") for line in lines)
    assert lines[-1].endswith("ACTIVE CONTENT: javascript) ok")
