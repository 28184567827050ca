"""What the composer needs besides composing: files judged, converted, forwarded; templates saved.

Every blocking step (reading a file, sniffing, PDF conversion, parsing an archived message,
writing a template) runs on a worker thread; the answers are plain values. Codes, never
sentences: the window words them.
"""

from __future__ import annotations

import asyncio
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from app.config.templates import save_user_template
from app.documents.attachments import attachment_payloads
from app.documents.conversion import to_patient_pdf
from app.documents.sniffing import check_attachment, detect_kind
from app.domain.documents import DocumentKind, Verdict
from app.domain.errors import ValidationError
from app.domain.templates import Audience, MessageTemplate, TemplateSource
from app.services.archive_service import ArchiveService

#: Files larger than this are refused before being read (no message may carry them anyway).
READ_LIMIT_BYTES = 64 * 1024 * 1024

#: The kinds a patient is sent as PDF (patients view PDF, JPEG and PNG in place, spec §5).
PDF_FOR_PATIENTS = frozenset({DocumentKind.TIFF, DocumentKind.RTF})


@dataclass(frozen=True)
class InspectedFile:
    """A file offered as an attachment, with what its bytes really are.

    Attributes:
        name: the file name (as the user's file had it).
        data: its bytes.
        kind: the real type, sniffed from the bytes (never from the name).
        for_professional: the policy's verdict towards professionals.
        for_patient: the verdict towards a patient (TIFF/RTF: a PDF conversion suggested).
    """

    name: str
    data: bytes = field(repr=False)
    kind: DocumentKind
    for_professional: Verdict
    for_patient: Verdict

    @property
    def size(self) -> int:
        """Size in bytes."""
        return len(self.data)

    @property
    def convertible(self) -> bool:
        """A TIFF or RTF: a patient is sent its PDF version (spec §5)."""
        return self.kind in PDF_FOR_PATIENTS

    def verdict(self, to_patient: bool) -> Verdict:
        """The policy's verdict towards a patient or towards professionals."""
        return self.for_patient if to_patient else self.for_professional


def inspect_file(name: str, data: bytes) -> InspectedFile:
    """Judge bytes offered as an attachment: their real type, the policy's verdicts. Blocking."""
    return InspectedFile(
        name=name,
        data=data,
        kind=detect_kind(data),
        for_professional=check_attachment(data, name),
        for_patient=check_attachment(data, name, to_patient=True),
    )


def pdf_version(file: InspectedFile) -> InspectedFile:
    """The PDF version of a TIFF or RTF (for patients, spec §5), judged. Blocking, CPU-bound.

    Raises:
        DocumentError: ``attachment.no_conversion``, ``image.*``, ``rtf.*``.
    """
    data, name = to_patient_pdf(file.data, file.name)
    return inspect_file(name, data)


def _read(path: Path) -> tuple[str, bytes]:
    size = path.stat().st_size
    if size > READ_LIMIT_BYTES:
        raise ValidationError("attachment.too_large", size=str(size), limit=str(READ_LIMIT_BYTES))
    return path.name, path.read_bytes()


def _template_id(title: str) -> str:
    folded = unicodedata.normalize("NFKD", title.casefold())
    ascii_only = "".join(c for c in folded if not unicodedata.combining(c))
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_only).strip("-")[:50] or "modele"
    return slug if slug[0].isalnum() else f"m{slug}"


class ComposeSupport:
    """Attachments, conversions, forwarded files and the user's templates."""

    def __init__(self, archive: ArchiveService, templates_dir: Path) -> None:
        self._archive = archive
        self._templates_dir = templates_dir

    async def inspect_path(self, path: Path) -> InspectedFile:
        """Read and judge a file from the disk.

        Raises:
            ValidationError: ``attachment.too_large`` (beyond any message's size).
            OSError: the file cannot be read (the window says so).
        """
        name, data = await asyncio.to_thread(_read, path)
        return await self.inspect(name, data)

    async def inspect(self, name: str, data: bytes) -> InspectedFile:
        """Judge bytes offered as an attachment (their real type, the policy's verdicts)."""
        return await asyncio.to_thread(inspect_file, name, data)

    async def to_pdf(self, file: InspectedFile) -> InspectedFile:
        """The PDF version of a TIFF or RTF (for patients, spec §5).

        Raises:
            DocumentError: ``attachment.no_conversion``, ``image.*``, ``rtf.*``.
        """
        return await asyncio.to_thread(pdf_version, file)

    async def forwarded_files(self, message_id: int) -> list[tuple[str, bytes]]:
        """The attachments of an archived message, to forward them (none before archiving)."""
        raw = await self._archive.raw(message_id)
        if raw is None:
            return []
        payloads = await asyncio.to_thread(attachment_payloads, raw)
        return [(p.name, p.data) for p in payloads]

    async def save_template(
        self, title: str, subject: str, body: str, *, to_patient: bool
    ) -> MessageTemplate:
        """Save what is written as one of the user's templates (``Enregistrer comme modèle``).

        Raises:
            ValidationError: ``template.invalid``.
        """
        clean = title.strip()
        if not clean:
            raise ValidationError("template.invalid", field="title")
        template = MessageTemplate(
            id=_template_id(clean),
            title=clean,
            audience=Audience.PATIENT if to_patient else Audience.PROFESSIONAL,
            subject=subject,
            body=body.replace("\r\n", "\n"),
            category="Mes modèles",
            source=TemplateSource.USER,
        )
        directory = self._templates_dir

        def write() -> None:
            directory.mkdir(parents=True, exist_ok=True)
            save_user_template(directory, template)

        await asyncio.to_thread(write)
        return template
