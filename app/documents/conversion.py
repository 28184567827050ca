"""Before sending to a patient: TIFF and RTF become PDF (spec §5).

Patients view PDF, JPEG and PNG in place in Mon espace santé; a TIFF (often a multi-page
scan or fax) or an RTF letter is offered a conversion to PDF before it is sent.
"""

from __future__ import annotations

from app.documents.images import tiff_to_pdf
from app.documents.rtf import rtf_to_pdf
from app.documents.sniffing import detect_kind
from app.domain.documents import DocumentKind, sanitize_filename
from app.domain.errors import DocumentError


def to_patient_pdf(data: bytes, name: str) -> tuple[bytes, str]:
    """The PDF version of a TIFF or RTF attachment, and its name (``lettre.rtf`` → ``lettre.pdf``).

    Blocking, CPU-bound.

    Raises:
        DocumentError: ``attachment.no_conversion`` for any other kind, or the converters'
            codes (``image.*``, ``rtf.*``).
    """
    kind = detect_kind(data)
    stem = sanitize_filename(name).rpartition(".")[0] or sanitize_filename(name)
    title = stem
    if kind is DocumentKind.TIFF:
        return tiff_to_pdf(data, title=title), f"{stem}.pdf"
    if kind is DocumentKind.RTF:
        return rtf_to_pdf(data, title=""), f"{stem}.pdf"
    raise DocumentError("attachment.no_conversion", name=name, kind=kind.value)
