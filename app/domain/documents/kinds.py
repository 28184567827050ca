"""What a file is, and whether the attachment policy accepts it.

The kinds of content, the MIME types and extensions that announce them, and the policy's
verdicts and problems (spec §5).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum


class DocumentKind(StrEnum):
    """What a file really is, judged from its first bytes (never from its name)."""

    PDF = "pdf"
    JPEG = "jpeg"
    PNG = "png"
    TIFF = "tiff"
    RTF = "rtf"
    ZIP = "zip"
    XML = "xml"
    # Recognised so that a refusal can say what the file is; never accepted.
    GIF = "gif"
    BMP = "bmp"
    WEBP = "webp"
    OLE = "ole"  # legacy Microsoft Office (.doc, .xls), also .msg
    OFFICE = "office"  # Office Open XML (.docx, .xlsx…): a zip with [Content_Types].xml
    EXECUTABLE = "executable"
    HTML = "html"
    TEXT = "text"
    EMPTY = "empty"
    OTHER = "other"


#: The kinds a message may carry (spec §5: PDF, JPG, PNG, RTF, TIFF, and the XDM zip/XML).
ACCEPTED_KINDS: frozenset[DocumentKind] = frozenset(
    {
        DocumentKind.PDF,
        DocumentKind.JPEG,
        DocumentKind.PNG,
        DocumentKind.TIFF,
        DocumentKind.RTF,
        DocumentKind.ZIP,
        DocumentKind.XML,
    }
)

#: Kinds a patient can view in place; the others are offered a PDF conversion (spec §5).
PATIENT_VIEWABLE_KINDS: frozenset[DocumentKind] = frozenset(
    {DocumentKind.PDF, DocumentKind.JPEG, DocumentKind.PNG}
)

#: The canonical MIME type of each accepted kind.
MIME_TYPES: Mapping[DocumentKind, str] = {
    DocumentKind.PDF: "application/pdf",
    DocumentKind.JPEG: "image/jpeg",
    DocumentKind.PNG: "image/png",
    DocumentKind.TIFF: "image/tiff",
    DocumentKind.RTF: "application/rtf",
    DocumentKind.ZIP: "application/zip",
    DocumentKind.XML: "text/xml",
}

#: MIME types a sender may declare for each accepted kind (aliases seen in the wild).
DECLARED_MIME_ALIASES: Mapping[str, DocumentKind] = {
    "application/pdf": DocumentKind.PDF,
    "application/x-pdf": DocumentKind.PDF,
    "image/jpeg": DocumentKind.JPEG,
    "image/jpg": DocumentKind.JPEG,
    "image/pjpeg": DocumentKind.JPEG,
    "image/png": DocumentKind.PNG,
    "image/x-png": DocumentKind.PNG,
    "image/tiff": DocumentKind.TIFF,
    "image/tif": DocumentKind.TIFF,
    "image/x-tiff": DocumentKind.TIFF,
    "application/rtf": DocumentKind.RTF,
    "text/rtf": DocumentKind.RTF,
    "application/x-rtf": DocumentKind.RTF,
    "application/zip": DocumentKind.ZIP,
    "application/x-zip-compressed": DocumentKind.ZIP,
    "application/x-zip": DocumentKind.ZIP,
    "text/xml": DocumentKind.XML,
    "application/xml": DocumentKind.XML,
    "application/hl7-v3": DocumentKind.XML,
    "application/hl7-cda+xml": DocumentKind.XML,
    "image/gif": DocumentKind.GIF,
    "image/bmp": DocumentKind.BMP,
    "image/webp": DocumentKind.WEBP,
    "text/html": DocumentKind.HTML,
    "text/plain": DocumentKind.TEXT,
    "application/msword": DocumentKind.OLE,
    "application/vnd.ms-excel": DocumentKind.OLE,
    "application/x-msdownload": DocumentKind.EXECUTABLE,
}

#: MIME types that say nothing about the content (never a mismatch).
NEUTRAL_MIME_TYPES: frozenset[str] = frozenset(
    {"application/octet-stream", "application/unknown", "binary/octet-stream", ""}
)

#: File-name extensions and the kind they announce.
EXTENSION_KINDS: Mapping[str, DocumentKind] = {
    "pdf": DocumentKind.PDF,
    "jpg": DocumentKind.JPEG,
    "jpeg": DocumentKind.JPEG,
    "jpe": DocumentKind.JPEG,
    "jfif": DocumentKind.JPEG,
    "png": DocumentKind.PNG,
    "tif": DocumentKind.TIFF,
    "tiff": DocumentKind.TIFF,
    "rtf": DocumentKind.RTF,
    "zip": DocumentKind.ZIP,
    "xml": DocumentKind.XML,
    "gif": DocumentKind.GIF,
    "bmp": DocumentKind.BMP,
    "webp": DocumentKind.WEBP,
    "doc": DocumentKind.OLE,
    "xls": DocumentKind.OLE,
    "docx": DocumentKind.OFFICE,
    "xlsx": DocumentKind.OFFICE,
    "odt": DocumentKind.OFFICE,
    "exe": DocumentKind.EXECUTABLE,
    "dll": DocumentKind.EXECUTABLE,
    "bat": DocumentKind.EXECUTABLE,
    "cmd": DocumentKind.EXECUTABLE,
    "js": DocumentKind.EXECUTABLE,
    "vbs": DocumentKind.EXECUTABLE,
    "scr": DocumentKind.EXECUTABLE,
    "htm": DocumentKind.HTML,
    "html": DocumentKind.HTML,
    "txt": DocumentKind.TEXT,
    "csv": DocumentKind.TEXT,
}

#: The extension Pli gives each kind when a file has none (or a wrong one is fixed).
DEFAULT_EXTENSIONS: Mapping[DocumentKind, str] = {
    DocumentKind.PDF: "pdf",
    DocumentKind.JPEG: "jpg",
    DocumentKind.PNG: "png",
    DocumentKind.TIFF: "tif",
    DocumentKind.RTF: "rtf",
    DocumentKind.ZIP: "zip",
    DocumentKind.XML: "xml",
}


@dataclass(frozen=True)
class Verdict:
    """The attachment policy's answer for one file.

    Attributes:
        accepted: True when the file may be sent / is of an accepted kind.
        code: why it was refused (``attachment.*``), None when accepted.
        params: what the English/French text needs (may hold the file name: never log).
        suggest_pdf: a TIFF or RTF towards a patient: offer a PDF conversion (spec §5).
    """

    accepted: bool
    code: str | None = None
    params: Mapping[str, str] = field(default_factory=dict)
    suggest_pdf: bool = False

    @classmethod
    def ok(cls, *, suggest_pdf: bool = False) -> Verdict:
        """An accepted file."""
        return cls(True, None, {}, suggest_pdf)

    @classmethod
    def refused(cls, code: str, **params: str) -> Verdict:
        """A refused file, with the reason code."""
        return cls(False, code, dict(params))


@dataclass(frozen=True)
class Problem:
    """Something wrong or worth knowing about a document or package (a code, never a sentence).

    Attributes:
        code: stable identifier (``xdm.hash_mismatch``…); front ends translate it.
        severity: ``"error"`` (the content cannot be trusted) or ``"warning"``.
        params: values the text needs (document number, expected/actual values).
    """

    code: str
    severity: str = "warning"
    params: Mapping[str, str] = field(default_factory=dict)

    @property
    def is_error(self) -> bool:
        """True for problems that make the content untrustworthy."""
        return self.severity == "error"
