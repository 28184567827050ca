"""A message's attachments as inspected, and the plan and result of exporting them."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.domain.documents.kinds import DocumentKind, Verdict
from app.domain.documents.media import ImageInfo, PdfInfo
from app.domain.documents.xdm import XdmPackage


@dataclass(frozen=True)
class AttachmentInfo:
    """One attachment of a message, with the policy's verdict and what inspection found.

    Attributes:
        part_id: the IMAP body section (``"2"``, ``"1.3"``): stable for `extract_attachment`.
        name: the sanitised file name (a name Pli made up when the sender gave none).
        original_name_changed: the sender's name was changed by sanitising (worth a warning).
        declared_type: the Content-Type the sender wrote.
        kind: what the content really is.
        size: decoded size in bytes.
        inline: shown inside the body (``Content-Disposition: inline``) rather than attached.
        verdict: the attachment policy's answer.
        pdf: for PDFs, the inspection.
        image: for images, the header facts.
        xdm: for XDM packages, the package as read.
        problem: why inspection failed (``image.*``, ``xdm.*``), when it did.
    """

    part_id: str
    name: str
    original_name_changed: bool
    declared_type: str
    kind: DocumentKind
    size: int
    inline: bool
    verdict: Verdict
    pdf: PdfInfo | None = None
    image: ImageInfo | None = None
    xdm: XdmPackage | None = None
    problem: str | None = None


@dataclass(frozen=True)
class ExportItem:
    """One file of an export plan.

    Attributes:
        folder: the patient folder name (one path component, already safe).
        filename: the wanted file name (already safe); the writer adds `` (2)`` when taken.
        data: the bytes to write.
        part_id: the attachment it comes from.
        origin: ``attachment`` or ``xdm_document`` (a document unpacked from a package).
    """

    folder: str
    filename: str
    data: bytes = field(repr=False)
    part_id: str
    origin: str = "attachment"


@dataclass(frozen=True)
class ExportSkip:
    """An attachment an export left out, and why (a verdict or problem code)."""

    part_id: str
    name: str
    code: str


@dataclass(frozen=True)
class ExportPlan:
    """What exporting a message will write, decided before anything is written."""

    items: tuple[ExportItem, ...]
    skipped: tuple[ExportSkip, ...] = ()


@dataclass(frozen=True)
class ExportedFile:
    """One file an export wrote (for the audit trail).

    Attributes:
        path: where it was written.
        size: bytes written.
        sha256: hex digest of what was written.
        part_id: the attachment it comes from.
        renamed: the wanted name was taken, so a new one was chosen (nothing overwritten).
    """

    path: str
    size: int
    sha256: str
    part_id: str
    renamed: bool
