"""Real files made by the suite: PDFs, TIFFs, RTF, XDM packages, MIME messages."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from datetime import UTC, date, datetime
from email.message import EmailMessage

from fpdf import FPDF
from fpdf.enums import XPos, YPos
from PIL import Image, ImageDraw
from pypdf import PdfWriter
from pypdf.actions import JavaScript
from pypdf.generic import DictionaryObject, NameObject, TextStringObject

from app.domain.addresses import Ins
from app.domain.documents import (
    LOINC_OID,
    CodedValue,
    DocumentAuthor,
    OutgoingDocument,
    PatientIdentity,
    PersonName,
)

VALID_INS = "279035121518989"
OTHER_INS = "146026322000196"
WORDS = [
    "échographie",
    "abdominale",
    "foie",
    "vésicule",
    "pancréas",
    "rate",
    "reins",
    "aorte",
    "conclusion",
    "examen",
    "normal",
    "patiente",
    "adressée",
    "pour",
    "douleurs",
    "épigastriques",
    "sans",
    "anomalie",
    "décelable",
]


def text_pdf(pages: int = 1, *, title: str = "Compte rendu", marker: str = "") -> bytes:
    """A text PDF (fpdf2): each page holds `marker` + ``page<N>`` and some French words."""
    pdf = FPDF(format="A4")
    pdf.core_fonts_encoding = "windows-1252"
    pdf.set_title(title)
    pdf.set_author("Dr Test")
    pdf.set_creation_date(datetime(2024, 2, 20, 9, 30, tzinfo=UTC))  # reproducible bytes
    pdf.set_font("Helvetica", size=10)
    for number in range(1, pages + 1):
        pdf.add_page()
        pdf.multi_cell(
            0, 5, f"{marker} page{number} zygomatique", new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )
        for line in range(30):
            words = " ".join(WORDS[(line + i) % len(WORDS)] for i in range(12))
            pdf.multi_cell(0, 5, words, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    return bytes(pdf.output())


def _rewritten(source: bytes) -> PdfWriter:
    writer = PdfWriter()
    writer.append(io.BytesIO(source))
    return writer


def _bytes(writer: PdfWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def encrypted_pdf(user_password: str = "secret") -> bytes:
    """A PDF that needs a password to open (AES-256)."""
    writer = _rewritten(text_pdf())
    writer.encrypt(user_password=user_password, owner_password="owner", algorithm="AES-256")
    return _bytes(writer)


def owner_only_pdf() -> bytes:
    """An encrypted PDF with an empty user password (opens without asking)."""
    writer = _rewritten(text_pdf(marker="ouvert"))
    writer.encrypt(user_password="", owner_password="owner", algorithm="AES-128")
    return _bytes(writer)


def javascript_pdf() -> bytes:
    """A PDF that runs JavaScript when opened."""
    writer = _rewritten(text_pdf())
    writer.add_open_action(JavaScript("app.alert('bonjour');"))
    return _bytes(writer)


def embedded_file_pdf() -> bytes:
    """A PDF carrying another file."""
    writer = _rewritten(text_pdf())
    writer.add_attachment("cache.txt", b"contenu cache")
    return _bytes(writer)


def launch_pdf() -> bytes:
    """A PDF whose open action launches a program."""
    writer = _rewritten(text_pdf())
    action = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Action"),
            NameObject("/S"): NameObject("/Launch"),
            NameObject("/F"): TextStringObject("calc.exe"),
        }
    )
    writer.root_object[NameObject("/OpenAction")] = writer._add_object(action)
    return _bytes(writer)


def truncated_pdf() -> bytes:
    """The first half of a PDF (an interrupted download)."""
    data = text_pdf(3)
    return data[: len(data) // 2]


def tiff(pages: int, *, mode: str = "1", size: tuple[int, int] = (400, 560)) -> bytes:
    """A multi-page TIFF, one big digit drawn per page."""
    frames = []
    for number in range(pages):
        image = Image.new(mode, size, 1 if mode == "1" else "white")
        draw = ImageDraw.Draw(image)
        draw.rectangle((20 + number * 5, 20, 200, 200), fill=0 if mode == "1" else "black")
        frames.append(image)
    out = io.BytesIO()
    compression = "group4" if mode == "1" else "tiff_lzw"
    frames[0].save(
        out,
        "TIFF",
        save_all=True,
        append_images=frames[1:],
        compression=compression,
        dpi=(200, 200),
    )
    return out.getvalue()


def png(size: tuple[int, int] = (64, 48)) -> bytes:
    """A small PNG."""
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def jpeg(size: tuple[int, int] = (64, 48)) -> bytes:
    """A small JPEG."""
    out = io.BytesIO()
    Image.new("RGB", size, (30, 30, 200)).save(out, "JPEG")
    return out.getvalue()


def png_header_only(width: int, height: int) -> bytes:
    """A tiny PNG that claims `width` x `height` 1-bit pixels (a decompression bomb's header)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    rows = zlib.compress(b"\x00" * 64)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")
    )


RTF_LETTER = (
    rb"{\rtf1\ansi\ansicpg1252\deff0{\fonttbl{\f0\fswiss Arial;}}"
    rb"{\info{\title Lettre}{\author Dr Test}}"
    rb"\f0\fs22 Ch\'e8re consoeur,\par "
    rb"Je vous adresse Mme Corse pour une \'e9chographie de contr\'f4le \u339?uvre \u8364?.\par "
    rb"\pard L\'e9sion \'e0 surveiller : c\'f4t\'e9 droit, \'ab suivi \'bb.\par "
    rb"Bien confraternellement.\par}"
)


def patient() -> PatientIdentity:
    """The CI-SIS example patient (valid INS)."""
    return PatientIdentity(Ins.parse(VALID_INS), "Corse", "Figatellix", date(1988, 10, 12), "F")


def outgoing(title: str = "ECHOGRAPHIE ABDOMINOPELVIENNE") -> OutgoingDocument:
    """An imaging report, act dated 31 May 2022."""
    return OutgoingDocument(
        title=title, type_code=CodedValue("18748-4", LOINC_OID), act_date=date(2022, 5, 31)
    )


def author() -> DocumentAuthor:
    """A radiologist."""
    return DocumentAuthor("810001234567", PersonName("Martin", "Marie"), "Cabinet de radiologie")


def zip_of(files: dict[str, bytes], *, symlinks: dict[str, str] | None = None) -> bytes:
    """A zip with these files (and Unix symbolic links name -> target)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
        for name, target in (symlinks or {}).items():
            info = zipfile.ZipInfo(name)
            info.create_system = 3
            info.external_attr = 0o120777 << 16
            archive.writestr(info, target)
    return out.getvalue()


def message(
    attachments: list[tuple[bytes, str, str, str | None]], *, subject: str = "Résultats"
) -> bytes:
    """A MIME message: a text body then attachments (data, maintype/subtype, disposition, name)."""
    msg = EmailMessage()
    msg["From"] = "dr.martin@medecin.mssante.fr"
    msg["To"] = "dr.durand@medecin.mssante.fr"
    msg["Subject"] = subject
    msg["Message-ID"] = "<test@pli>"
    msg.set_content("Bonjour,\nci-joint les documents.\n")
    for data, content_type, disposition, name in attachments:
        maintype, subtype = content_type.split("/")
        kwargs: dict[str, str] = {"disposition": disposition}
        if name is not None:
            kwargs["filename"] = name
        msg.add_attachment(data, maintype=maintype, subtype=subtype, **kwargs)
    return msg.as_bytes()
