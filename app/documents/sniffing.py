"""What a file really is (from its first bytes), and whether Pli accepts it.

Spec §5: patients may send PDF, JPG, PNG, RTF, TIFF; professionals exchange the same plus the
IHE XDM package (``IHE_XDM.zip``) and CDA XML. The type is judged from the content, never from
the name or the declared MIME type; when those disagree with the content the file is refused
with a reason (a disguised file is how malware travels by mail).
"""

from __future__ import annotations

import io
import re
import zipfile

from app.domain.documents import (
    ACCEPTED_KINDS,
    DECLARED_MIME_ALIASES,
    EXTENSION_KINDS,
    NEUTRAL_MIME_TYPES,
    PATIENT_VIEWABLE_KINDS,
    DocumentKind,
    Verdict,
    filename_extension,
)

_HEAD = 4096
_PDF_HEADER_WINDOW = 1024  # PDF 32000-1 §7.5.2: readers accept junk before the header
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_CDA_ROOT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?ClinicalDocument[\s>/]")
_XML_START = re.compile(rb"^\s*(<\?xml|<!--|<[A-Za-z_])")
_HTML_START = re.compile(rb"^\s*(<!doctype\s+html|<html|<head|<body|<script)", re.IGNORECASE)
_XDM_METADATA = re.compile(r"(^|/)IHE_XDM/[^/]+/METADATA\.XML$", re.IGNORECASE)


def detect_kind(data: bytes) -> DocumentKind:
    """The kind of `data`, from its magic bytes.

    Cheap: reads at most the first few kilobytes (and a zip's central directory).
    """
    if not data:
        return DocumentKind.EMPTY
    head = data[:_HEAD]
    if head.startswith(b"\xff\xd8\xff"):
        return DocumentKind.JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return DocumentKind.PNG
    if head[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
        return DocumentKind.TIFF
    if b"%PDF-" in head[:_PDF_HEADER_WINDOW]:
        return DocumentKind.PDF
    if head.startswith(b"{\\rtf"):
        return DocumentKind.RTF
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _zip_kind(data)
    if head.startswith((b"GIF87a", b"GIF89a")):
        return DocumentKind.GIF
    if head.startswith(b"BM") and len(head) > 14:
        return DocumentKind.BMP
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return DocumentKind.WEBP
    if head.startswith(_OLE_MAGIC):
        return DocumentKind.OLE
    if head.startswith(
        (b"MZ", b"\x7fELF", b"#!", b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf", b"\xcf\xfa\xed\xfe")
    ):
        return DocumentKind.EXECUTABLE
    text = _text_head(head)
    if text is None:
        return DocumentKind.OTHER
    if _HTML_START.match(text):
        return DocumentKind.HTML
    if _XML_START.match(text):
        return DocumentKind.XML
    return DocumentKind.TEXT


def is_cda(data: bytes) -> bool:
    """An XML document whose root is an HL7 CDA ``ClinicalDocument`` (cheap prefix check)."""
    text = _text_head(data[:8192])
    return text is not None and _CDA_ROOT.search(text) is not None


def is_xdm_zip(data: bytes) -> bool:
    """A zip holding ``IHE_XDM/<subset>/METADATA.XML`` (IHE ITI TF-1 §16: XDM media)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return any(_XDM_METADATA.search(name) for name in archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return False


def mime_kind(declared_type: str | None) -> DocumentKind | None:
    """The kind a declared MIME type announces; None when it says nothing (octet-stream)."""
    mime = (declared_type or "").split(";")[0].strip().lower()
    if mime in NEUTRAL_MIME_TYPES:
        return None
    return DECLARED_MIME_ALIASES.get(mime, DocumentKind.OTHER)


def extension_kind(name: str | None) -> DocumentKind | None:
    """The kind a file name's extension announces; None when it has no extension."""
    ext = filename_extension(name or "")
    if not ext:
        return None
    return EXTENSION_KINDS.get(ext, DocumentKind.OTHER)


def check_attachment(
    data: bytes,
    name: str | None,
    declared_type: str | None = None,
    *,
    to_patient: bool = False,
) -> Verdict:
    """Apply the attachment policy to one file (sending, and as a warning when receiving).

    Args:
        data: the file's bytes.
        name: its file name (as the sender wrote it: only its extension is used).
        declared_type: the MIME type declared in the message, if any.
        to_patient: the message goes to a patient: TIFF and RTF get a PDF conversion
            suggestion (spec §5: patients view PDF/JPG/PNG in place).

    Returns:
        The verdict; refused codes: ``attachment.empty``, ``attachment.type_refused``,
        ``attachment.type_mismatch``, ``attachment.zip_not_xdm``, ``attachment.xml_not_cda``.
    """
    kind = detect_kind(data)
    return verdict_for(kind, data, name, declared_type, to_patient=to_patient)


def verdict_for(
    kind: DocumentKind,
    data: bytes,
    name: str | None,
    declared_type: str | None,
    *,
    to_patient: bool = False,
) -> Verdict:
    """`check_attachment` for a kind already detected."""
    shown = name or ""
    if kind is DocumentKind.EMPTY:
        return Verdict.refused("attachment.empty", name=shown)
    by_ext = extension_kind(name)
    if by_ext is not None and not _compatible(by_ext, kind):
        return Verdict.refused(
            "attachment.type_mismatch",
            name=shown,
            declared=filename_extension(shown),
            kind=kind.value,
        )
    by_mime = mime_kind(declared_type)
    if by_mime is not None and not _compatible(by_mime, kind):
        return Verdict.refused(
            "attachment.type_mismatch",
            name=shown,
            declared=(declared_type or "").split(";")[0].strip().lower(),
            kind=kind.value,
        )
    # After the mismatch checks: "resultats.pdf" that is a program says more than "a program".
    if kind not in ACCEPTED_KINDS:
        return Verdict.refused("attachment.type_refused", name=shown, kind=kind.value)
    if kind is DocumentKind.ZIP and not is_xdm_zip(data):
        return Verdict.refused("attachment.zip_not_xdm", name=shown)
    if kind is DocumentKind.XML and not is_cda(data):
        return Verdict.refused("attachment.xml_not_cda", name=shown)
    return Verdict.ok(suggest_pdf=to_patient and kind not in PATIENT_VIEWABLE_KINDS)


def _compatible(announced: DocumentKind, actual: DocumentKind) -> bool:
    return announced is actual


def _zip_kind(data: bytes) -> DocumentKind:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return DocumentKind.ZIP  # a damaged zip is still a zip; the XDM reader will say why
    if "[Content_Types].xml" in names or "mimetype" in names:
        return DocumentKind.OFFICE
    return DocumentKind.ZIP


def _text_head(head: bytes) -> bytes | None:
    """The head as ASCII-compatible bytes when it looks like text, else None."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            decoded = head[: len(head) // 2 * 2].decode("utf-16", errors="ignore")
        except UnicodeDecodeError:
            return None
        return decoded.lstrip("\ufeff").encode("utf-8", errors="ignore")
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    if b"\x00" in head:
        return None
    sample = head[:1024]
    controls = sum(1 for b in sample if b < 9 or 13 < b < 32)
    if controls > len(sample) // 20:
        return None
    return head
