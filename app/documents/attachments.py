"""The attachments of one message (raw RFC 5322 bytes): list, judge, inspect, extract.

Parts are identified by their IMAP body section numbers (RFC 3501 §6.4.5: ``1``, ``2.1``…),
so an id from `list_attachments` can also be fetched alone from the server. Names are
sanitised whatever the sender wrote; the type is detected from the content and judged by the
attachment policy (`app.documents.sniffing`).
"""

from __future__ import annotations

import email
import email.policy
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import Message

from app.documents.images import inspect_image
from app.documents.pdf import inspect_pdf
from app.documents.sniffing import detect_kind, mime_kind, verdict_for
from app.documents.xdm_reader import read_xdm
from app.domain.documents import (
    DEFAULT_EXTENSIONS,
    AttachmentInfo,
    DocumentKind,
    ImageInfo,
    PdfInfo,
    XdmPackage,
    sanitize_filename,
)
from app.domain.errors import DocumentError, NotFoundError

log = logging.getLogger(__name__)

#: Parts that are part of the message's own structure, never attachments.
_STRUCTURAL_TYPES = frozenset(
    {
        "message/rfc822",
        "message/disposition-notification",
        "message/delivery-status",
        "message/global-disposition-notification",
        "message/global-delivery-status",
        "text/rfc822-headers",
        "application/pgp-signature",
        "application/pkcs7-signature",
        "application/x-pkcs7-signature",
    }
)
#: Text parts that are documents rather than body text.
_DOCUMENT_TEXT_TYPES = frozenset({"text/rtf", "text/xml", "text/richtext"})


@dataclass(frozen=True)
class AttachmentPayload:
    """One attachment's bytes and identity (what `extract_attachment` returns)."""

    part_id: str
    name: str
    declared_type: str
    kind: DocumentKind
    data: bytes = field(repr=False)


def list_attachments(raw: bytes, *, inspect: bool = True) -> list[AttachmentInfo]:
    """Every attachment of a message, judged and (optionally) inspected.

    Blocking, CPU-bound (PDF and XDM inspection). Never raises on a hostile attachment: what
    inspection could not do is said in `AttachmentInfo.problem`.

    Args:
        raw: the message as received (RFC 5322 bytes).
        inspect: also inspect PDFs, images and XDM packages (off for a quick count).
    """
    return [info for info, _payload in attachments_with_payloads(raw, inspect=inspect)]


def attachments_with_payloads(
    raw: bytes, *, inspect: bool = True
) -> list[tuple[AttachmentInfo, AttachmentPayload]]:
    """`list_attachments` and each attachment's bytes, from one parse of the message."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    out: list[tuple[AttachmentInfo, AttachmentPayload]] = []
    for part_id, part in _leaves(message):
        payload = _payload_of(part_id, part)
        if payload is None:
            continue
        out.append((_describe(payload, part, inspect), payload))
    return out


def extract_attachment(raw: bytes, part_id: str) -> AttachmentPayload:
    """The decoded bytes of one attachment, by the part id `list_attachments` gave.

    Blocking.

    Raises:
        NotFoundError: ``attachment.not_found`` when the message has no such attachment.
    """
    message = email.message_from_bytes(raw, policy=email.policy.default)
    for pid, part in _leaves(message):
        if pid == part_id:
            payload = _payload_of(pid, part)
            if payload is not None:
                return payload
    raise NotFoundError("attachment.not_found", part=part_id)


def attachment_payloads(raw: bytes) -> list[AttachmentPayload]:
    """Every attachment's bytes, in order (for export)."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    out: list[AttachmentPayload] = []
    for part_id, part in _leaves(message):
        payload = _payload_of(part_id, part)
        if payload is not None:
            out.append(payload)
    return out


def _leaves(message: Message) -> Iterator[tuple[str, Message]]:
    """Non-multipart parts with their IMAP section numbers (RFC 3501 §6.4.5)."""
    if not message.is_multipart():
        yield "1", message
        return
    yield from _children(message, "")


def _children(message: Message, prefix: str) -> Iterator[tuple[str, Message]]:
    payload = message.get_payload()
    if not isinstance(payload, list):
        return
    for index, child in enumerate(payload, 1):
        part_id = f"{prefix}.{index}" if prefix else str(index)
        if not isinstance(child, Message):
            continue
        if child.is_multipart():
            yield from _children(child, part_id)
        else:
            yield part_id, child


def _payload_of(part_id: str, part: Message) -> AttachmentPayload | None:
    content_type = part.get_content_type().lower()
    if content_type in _STRUCTURAL_TYPES:
        return None
    disposition = (part.get_content_disposition() or "").lower()
    raw_name = _filename(part)
    is_attachment = (
        disposition == "attachment"
        or raw_name is not None
        or content_type in _DOCUMENT_TEXT_TYPES
        or part.get_content_maintype() not in ("text", "multipart")
    )
    if not is_attachment:
        return None
    try:
        data = part.get_payload(decode=True)
    except (ValueError, TypeError, LookupError):
        data = b""
    if not isinstance(data, bytes):
        data = b""
    kind = detect_kind(data)
    name = sanitize_filename(raw_name, fallback="")
    if not name:
        ext = DEFAULT_EXTENSIONS.get(kind) or DEFAULT_EXTENSIONS.get(
            mime_kind(content_type) or DocumentKind.OTHER, "bin"
        )
        name = f"piece-jointe-{part_id}.{ext}"
    return AttachmentPayload(part_id, name, content_type, kind, data)


def _filename(part: Message) -> str | None:
    try:
        name = part.get_filename()
    except (ValueError, TypeError, LookupError, IndexError):
        return None
    return str(name) if name else None


def _describe(payload: AttachmentPayload, part: Message, inspect: bool) -> AttachmentInfo:
    raw_name = _filename(part)
    verdict = verdict_for(payload.kind, payload.data, raw_name, payload.declared_type)
    pdf: PdfInfo | None = None
    image: ImageInfo | None = None
    xdm: XdmPackage | None = None
    problem: str | None = None
    if inspect:
        try:
            if payload.kind is DocumentKind.PDF:
                pdf = inspect_pdf(payload.data)
            elif payload.kind in (DocumentKind.JPEG, DocumentKind.PNG, DocumentKind.TIFF):
                image = inspect_image(payload.data)
            elif payload.kind is DocumentKind.ZIP and verdict.accepted:
                xdm = read_xdm(payload.data)
        except DocumentError as error:
            problem = error.code
    return AttachmentInfo(
        part_id=payload.part_id,
        name=payload.name,
        original_name_changed=raw_name is not None and raw_name != payload.name,
        declared_type=payload.declared_type,
        kind=payload.kind,
        size=len(payload.data),
        inline=(part.get_content_disposition() or "").lower() == "inline",
        verdict=verdict,
        pdf=pdf,
        image=image,
        xdm=xdm,
        problem=problem,
    )
