"""Filing a message's documents into per-patient folders, under a root the user chose.

`plan_export` decides everything (which files, which patient folder, which standard names)
without touching the disk; `write_export` writes the plan and never overwrites: when a name
is taken it picks ``name (2).pdf``, ``name (3).pdf``… The caller (the archive) records each
`ExportedFile` in the audit trail (spec §6: every operation on health data leaves a trace).

Folder names: ``NOM_Prénom_<INS>`` when the patient is known, ``NOM_Prénom`` without an INS,
``Patient non identifié`` otherwise. File names: the PDF rendering of an XDM document gets the
standard ``<AAAAMMJJ>_<type>_<NOM>_<prénom>.pdf`` name (spec §3), its CDA the same stem with
``.xml``; other attachments keep their (sanitised) name behind the message date ``AAAAMMJJ_``
unless they already start with a date.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from app.documents.attachments import attachment_payloads
from app.documents.sniffing import verdict_for
from app.documents.xdm_reader import read_xdm
from app.domain.documents import (
    DocumentKind,
    ExportedFile,
    ExportItem,
    ExportPlan,
    ExportSkip,
    PatientId,
    PersonName,
    XdmDocument,
    XdmPackage,
    parse_hl7_date,
    pdf_rendering_name,
    sanitize_filename,
)
from app.domain.errors import DocumentError

UNKNOWN_PATIENT_FOLDER = "Patient non identifié"
_DATED = re.compile(r"^\d{8}_")
_MAX_RENAMES = 10_000


@dataclass(frozen=True)
class PatientRef:
    """Whom a message is about, as the caller knows it (a patient's address, a contact).

    Attributes:
        name: the patient's name.
        ins: the patient's INS (a valid one), when known.
    """

    name: PersonName
    ins: str = ""


def patient_folder_name(name: PersonName | None, ins: str = "") -> str:
    """The folder of one patient: ``NOM_Prénom_<INS>`` (parts left out when unknown)."""
    parts = []
    if name is not None and name.family:
        parts.append(name.family.upper())
    if name is not None and name.given:
        parts.append(name.given)
    if ins:
        parts.append(ins)
    if not parts:
        return UNKNOWN_PATIENT_FOLDER
    # Separators inside a name must not make sanitising keep only its last "component".
    joined = "_".join(re.sub(r"[/\\]", "-", part) for part in parts)
    return sanitize_filename(joined, fallback=UNKNOWN_PATIENT_FOLDER)


def plan_export(
    raw: bytes,
    *,
    message_date: date,
    patient: PatientRef | None = None,
    include_refused: bool = False,
) -> ExportPlan:
    """What exporting one message writes: its documents, per patient, with standard names.

    Blocking, CPU-bound (reads XDM packages), but writes nothing.

    Args:
        raw: the message (RFC 5322 bytes).
        message_date: the message's date (prefix of non-standard names).
        patient: whom the message is about when the caller knows (e.g. a patient's address);
            an XDM package's own patient wins for its documents.
        include_refused: also export attachments the policy refuses (default: skipped).
    """
    items: list[ExportItem] = []
    skipped: list[ExportSkip] = []
    default_folder = (
        patient_folder_name(patient.name, patient.ins) if patient else UNKNOWN_PATIENT_FOLDER
    )
    for payload in attachment_payloads(raw):
        verdict = verdict_for(payload.kind, payload.data, payload.name, payload.declared_type)
        if not verdict.accepted and not include_refused:
            skipped.append(ExportSkip(payload.part_id, payload.name, verdict.code or "refused"))
            continue
        if payload.kind is DocumentKind.ZIP and verdict.accepted:
            try:
                package = read_xdm(payload.data, inspect_pdfs=False)
            except DocumentError as error:
                skipped.append(ExportSkip(payload.part_id, payload.name, error.code))
                continue
            _plan_package(package, payload.part_id, message_date, items, skipped)
            continue
        filename = payload.name
        if not _DATED.match(filename):
            filename = sanitize_filename(f"{message_date.strftime('%Y%m%d')}_{filename}")
        items.append(ExportItem(default_folder, filename, payload.data, payload.part_id))
    return ExportPlan(tuple(items), tuple(skipped))


def _plan_package(
    package: XdmPackage,
    part_id: str,
    message_date: date,
    items: list[ExportItem],
    skipped: list[ExportSkip],
) -> None:
    folder = patient_folder_name(package.patient_name, _ins_of(package.patient_id))
    for number, doc in enumerate(package.documents, 1):
        label = doc.title or f"document {number}"
        if not doc.trusted:
            error = next((p.code for p in doc.problems if p.is_error), "xdm.document_missing")
            skipped.append(ExportSkip(part_id, sanitize_filename(label), error))
            continue
        stem = _standard_stem(doc, package, message_date)
        if doc.pdf is not None:
            items.append(ExportItem(folder, f"{stem}.pdf", doc.pdf, part_id, "xdm_document"))
        if doc.cda is not None and doc.content is not None:
            # The CDA itself, for software that imports structured documents.
            items.append(ExportItem(folder, f"{stem}.xml", doc.content, part_id, "xdm_document"))


def _standard_stem(doc: XdmDocument, package: XdmPackage, message_date: date) -> str:
    act = parse_hl7_date(doc.service_start) or parse_hl7_date(doc.creation_time) or message_date
    type_label = (doc.type_code.display if doc.type_code else "") or doc.title or "document"
    name = package.patient_name
    if doc.cda is not None and not (name.family or name.given):
        name = doc.cda.patient_name
    file_name = pdf_rendering_name(act, type_label, name.family, name.given)
    return file_name.removesuffix(".pdf")


def _ins_of(patient: PatientId | None) -> str:
    return patient.value if patient is not None and patient.ins_valid else ""


def write_export(plan: ExportPlan, root: Path) -> list[ExportedFile]:
    """Write an export plan under `root` (created if needed); never overwrite anything.

    Blocking (disk). Each file is created exclusively; when its name is taken the next free
    ``name (N).ext`` is used. Returns what was written, for the audit trail.

    Raises:
        DocumentError: ``export.failed`` when a folder or file cannot be created.
    """
    written: list[ExportedFile] = []
    try:
        root.mkdir(parents=True, exist_ok=True)
        base = root.resolve(strict=True)
        for item in plan.items:
            folder = base / sanitize_filename(item.folder, fallback=UNKNOWN_PATIENT_FOLDER)
            folder.mkdir(exist_ok=True)
            path, renamed = _create_exclusive(folder, sanitize_filename(item.filename), item.data)
            written.append(
                ExportedFile(
                    path=str(path),
                    size=len(item.data),
                    sha256=hashlib.sha256(item.data).hexdigest(),
                    part_id=item.part_id,
                    renamed=renamed,
                )
            )
    except OSError as error:
        raise DocumentError(
            "export.failed", reason=error.strerror or type(error).__name__
        ) from None
    return written


def _create_exclusive(folder: Path, filename: str, data: bytes) -> tuple[Path, bool]:
    stem, dot, ext = filename.rpartition(".")
    if not dot:
        stem, ext = filename, ""
    suffix = f".{ext}" if ext else ""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    flags |= getattr(os, "O_BINARY", 0)
    for attempt in range(1, _MAX_RENAMES + 1):
        name = filename if attempt == 1 else f"{stem} ({attempt}){suffix}"
        path = folder / name
        try:
            fd = os.open(path, flags, 0o644)
        except FileExistsError:
            continue
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        return path, attempt > 1
    raise FileExistsError(str(folder / filename))
