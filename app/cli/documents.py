"""`pli xdm inspect|build`: IHE XDM packages from the command line (no archive needed).

`pli attachments ID` and `pli export ID --to DIR` need the archive; they are wired by the
archive's command area on top of `app.documents.attachments.list_attachments`,
`app.documents.filing.plan_export` and `app.documents.filing.write_export`, using the
presenters below (`attachment_json`, `attachment_lines`) so that both speak the same way.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from string import Formatter
from typing import TYPE_CHECKING, Any

from app.cli.context import CliContext
from app.cli.exit_codes import ExitCode
from app.cli.messages import MESSAGES
from app.cli.output import add_json_flag
from app.domain.addresses import Ins
from app.domain.documents import (
    CLASS_CODE_OID,
    LOINC_OID,
    AttachmentInfo,
    CodedValue,
    DocumentAuthor,
    DocumentKind,
    OutgoingDocument,
    PatientId,
    PatientIdentity,
    PatientIdKind,
    PdfInfo,
    PersonName,
    Problem,
    XdmDocument,
    XdmPackage,
    XdsAuthor,
    parse_dtm,
)
from app.domain.errors import DocumentError, NotFoundError, ValidationError

if TYPE_CHECKING:  # the XDM reader and writer load when a command runs (`pli --help` fast)
    from app.documents.xdm_writer import XdmBuild

#: Largest file `pli xdm` reads (a package of a few documents is well under this).
MAX_INPUT_BYTES = 250 * 1024 * 1024

_KIND_LABELS = {
    PatientIdKind.INS_NIR: "INS-NIR",
    PatientIdKind.INS_NIA: "INS-NIA",
    PatientIdKind.TEST: "TEST identity",
    PatientIdKind.DEMO: "DEMO identity",
    PatientIdKind.OTHER: "not an INS",
}
_DOMAINS = {
    "nir": PatientIdKind.INS_NIR,
    "nia": PatientIdKind.INS_NIA,
    "test": PatientIdKind.TEST,
    "demo": PatientIdKind.DEMO,
}


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `pli attachments`, `pli export` and `pli xdm`."""
    attachments = subparsers.add_parser(
        "attachments", help="what a message carries: type checked from content, inspected"
    )
    attachments.add_argument("id", type=int, help="message id (see pli list)")
    add_json_flag(attachments)
    attachments.set_defaults(handler=_attachments)

    export = subparsers.add_parser(
        "export", help="file a message's documents in per-patient folders (standard names)"
    )
    export.add_argument("id", type=int, help="message id (see pli list)")
    export.add_argument("--to", required=True, metavar="DIR", help="root of the patient folders")
    add_json_flag(export)
    export.set_defaults(handler=_export)

    xdm = subparsers.add_parser("xdm", help="read and write IHE XDM packages (IHE_XDM.zip)")
    commands = xdm.add_subparsers(dest="xdm_command", metavar="ACTION")
    commands.required = True

    inspect = commands.add_parser(
        "inspect",
        help="show the patient and documents of an IHE_XDM.zip and check their integrity",
        description="Exit status 10 when the package is unsafe or a document fails its checks "
        "(missing, wrong size or hash, patient mismatch).",
    )
    inspect.add_argument("file", metavar="FILE", help="the IHE_XDM.zip to read")
    inspect.add_argument(
        "--lenient",
        action="store_true",
        help="show a doubtful package (INS key not checking, test identity, unknown type "
        "code) with its doubts and exit 0; still exit 10 on integrity failures",
    )
    add_json_flag(inspect)
    inspect.set_defaults(handler=_inspect)

    build = commands.add_parser(
        "build",
        help="package a PDF for professionals as CDA R2 level 1 in an IHE_XDM.zip",
        description="Writes the package and prints the subject, the X-MSS-CODECDA and "
        "X-MSS-INS headers and the name of the PDF to attach beside it (MSSanté).",
    )
    build.add_argument("--pdf", required=True, metavar="FILE", help="the PDF to send")
    build.add_argument("--patient-ins", required=True, metavar="INS", help="the patient's INS")
    build.add_argument("--patient-name", required=True, metavar="NAME", help="birth name (NOM)")
    build.add_argument("--patient-given", required=True, metavar="GIVEN", help="first name")
    build.add_argument("--patient-birth-date", metavar="YYYY-MM-DD", help="date of birth")
    build.add_argument("--patient-sex", choices=("M", "F", "U"), default="U", help="sex")
    build.add_argument(
        "--ins-domain",
        choices=tuple(_DOMAINS),
        help="identifier domain: nir, nia, or test/demo for test identities "
        "(default: nia for a number starting with 7 or 8, else nir)",
    )
    build.add_argument("--type-code", required=True, metavar="CODE", help="LOINC document type")
    build.add_argument("--type-display", metavar="TEXT", help="the type's libellé")
    build.add_argument("--title", required=True, metavar="TITLE", help="the document's title")
    build.add_argument("--act-date", metavar="YYYY-MM-DD", help="date of the act (default today)")
    build.add_argument("--class-code", default="10", metavar="CODE", help="XDS class code")
    build.add_argument("--file-number", metavar="N", help="patient file number (PDF name)")
    build.add_argument("--author-id", default="", metavar="ID", help="author's national id")
    build.add_argument("--author-name", default="", metavar="NAME", help="author's name")
    build.add_argument("--author-given", default="", metavar="GIVEN", help="author's first name")
    build.add_argument("--author-institution", default="", metavar="TEXT", help="practice")
    build.add_argument("--out", required=True, metavar="FILE", help="where to write the zip")
    build.add_argument("--force", action="store_true", help="replace FILE if it exists")
    add_json_flag(build)
    build.set_defaults(handler=_build)


# ---------------------------------------------------------------------------------------------
# pli attachments / pli export


async def _attachments(ctx: CliContext, args: argparse.Namespace) -> int:
    services = await ctx.services()
    infos = await services.documents.attachments(args.id)
    ctx.out.result(
        {"message": args.id, "attachments": [attachment_json(i) for i in infos]},
        attachment_lines(infos) if infos else ["No attachment."],
    )
    return int(ExitCode.OK)


async def _export(ctx: CliContext, args: argparse.Namespace) -> int:
    services = await ctx.services()
    root = Path(args.to)
    written = await services.documents.export(args.id, root)
    ctx.out.result(
        {
            "message": args.id,
            "files": [
                {
                    "path": f.path,
                    "size": f.size,
                    "sha256": f.sha256,
                    "part": f.part_id,
                    "renamed": f.renamed,
                }
                for f in written
            ],
        },
        [
            f"{f.path}" + (" (renamed: a file of that name existed)" if f.renamed else "")
            for f in written
        ]
        or ["Nothing to export."],
    )
    return int(ExitCode.OK)


# ---------------------------------------------------------------------------------------------
# pli xdm inspect


async def _inspect(ctx: CliContext, args: argparse.Namespace) -> int:
    from app.documents.xdm_reader import read_xdm, refusing_problems, xdm_doubts

    data = await asyncio.to_thread(_read_input, Path(args.file))
    package = await asyncio.to_thread(read_xdm, data)
    lenient = bool(getattr(args, "lenient", False))
    lines = package_lines(package)
    result = package_json(package)
    if lenient:
        # What a reader should check beside the identity (issue 12), errors or not.
        doubts = xdm_doubts(package)
        result["doubts"] = [_problem_json(p) for p in doubts]
        if doubts:
            lines.append("To check (lenient reading):")
            lines.extend(f"  {problem_text(p)}" for p in doubts)
    ctx.out.result(result, lines)
    refusals = refusing_problems(package, lenient=lenient)
    if refusals:
        errors = len(refusals)
        ctx.out.error(f"the package failed {errors} check(s): see above")
        return int(ExitCode.DOCUMENT)
    return int(ExitCode.OK)


def package_json(package: XdmPackage) -> dict[str, Any]:
    """The stable JSON form of a read package (``pli xdm inspect --json``)."""
    return {
        "patient": {
            "id": _patient_json(package.patient_id),
            "family": package.patient_name.family,
            "given": package.patient_name.given,
            "birth_date": package.birth_date.isoformat() if package.birth_date else None,
        },
        "submission": {
            "unique_id": package.submission_unique_id,
            "source_id": package.source_id,
            "time": package.submission_time,
            "author": _author_json(package.author),
        },
        "documents": [_document_json(n, d) for n, d in enumerate(package.documents, 1)],
        "problems": [_problem_json(p) for p in package.problems],
        "files": list(package.files),
        "ok": not package.has_errors,
    }


def package_lines(package: XdmPackage) -> list[str]:
    """The human form of a read package: the patient, one line per document, problems."""
    lines = [f"Patient: {_patient_text(package)}"]
    if package.author is not None or package.submission_time:
        when = _when(package.submission_time)
        who = package.author.display() if package.author is not None else ""
        lines.append("Sent: " + ", ".join(p for p in (when, f"by {who}" if who else "") if p))
    lines.append(f"Documents: {len(package.documents)}")
    for number, doc in enumerate(package.documents, 1):
        lines.append(f"  {number}. {document_line(doc)}")
    problems = package.all_problems
    if problems:
        lines.append("Problems:")
        lines.extend(f"  {problem_text(p)}" for p in problems)
    return lines


def document_line(doc: XdmDocument) -> str:
    """One line for one document: title, type, date, author, format, state (spec §5)."""
    parts = [doc.title or "(untitled)"]
    if doc.type_code is not None:
        label = doc.type_code.display or doc.type_code.code
        parts.append(f"{label} ({doc.type_code.code})" if doc.type_code.display else label)
    when = _when(doc.creation_time)
    if when:
        parts.append(when)
    if doc.author is not None and doc.author.display():
        parts.append(doc.author.display())
    parts.append(_format_text(doc))
    state = "ok" if doc.trusted and not any(p.is_error for p in doc.problems) else "CHECK FAILED"
    if doc.relation.value != "new":
        state += f", {doc.relation.value.replace('_', ' ')}"
    parts.append(state)
    return " | ".join(parts)


def problem_text(problem: Problem) -> str:
    """One line of English for a problem code."""
    prefix = f"document {problem.params['document']}: " if "document" in problem.params else ""
    return f"{problem.severity}: {prefix}{code_text(problem.code, problem.params)}"


def code_text(code: str, params: Any) -> str:
    """English text of any code (errors, problems, verdicts) from `MESSAGES`."""
    template = MESSAGES.get(code)
    if template is None:
        return code
    names = {name for _, name, _, _ in Formatter().parse(template) if name}
    return template.format(**{name: params.get(name, "?") for name in names})


def _format_text(doc: XdmDocument) -> str:
    if doc.pdf is not None:
        origin = "PDF in CDA level 1" if doc.cda is not None else "PDF"
        return f"{origin}, {_pdf_text(doc.pdf_info)}" if doc.pdf_info else origin
    if doc.cda is not None:
        return f"structured CDA (level {doc.cda.level})"
    return doc.mime_type or "unknown format"


def _pdf_text(info: PdfInfo) -> str:
    if not info.readable:
        return code_text(info.problem or "pdf.unreadable", {})
    text = f"{info.pages} page" + ("s" if (info.pages or 0) > 1 else "")
    if info.active_content:
        text += f", ACTIVE CONTENT: {', '.join(info.active_content)}"
    return text


def _patient_text(package: XdmPackage) -> str:
    name = package.patient_name.display() or "(no name)"
    parts = [name]
    if package.birth_date is not None:
        parts.append(f"born {package.birth_date.strftime('%d/%m/%Y')}")
    pid = package.patient_id
    if pid is None:
        parts.append("no patient identifier")
    else:
        valid = "" if pid.ins_valid or pid.kind is PatientIdKind.OTHER else ", INVALID"
        parts.append(f"{pid.value} ({_KIND_LABELS[pid.kind]}{valid})")
    return ", ".join(parts)


def _when(dtm: str) -> str:
    stamp = parse_dtm(dtm)
    return stamp.strftime("%Y-%m-%d %H:%M UTC") if stamp is not None else dtm


def _patient_json(pid: PatientId | None) -> dict[str, Any] | None:
    if pid is None:
        return None
    return {
        "value": pid.value,
        "oid": pid.oid,
        "type": pid.id_type,
        "domain": pid.kind.value,
        "ins_valid": pid.ins_valid,
        "test": pid.is_test,
    }


def _author_json(author: XdsAuthor | None) -> dict[str, Any] | None:
    if author is None:
        return None
    return {
        "id": author.person_id,
        "family": author.name.family,
        "given": author.name.given,
        "institution": author.institution,
    }


def _coded_json(value: CodedValue | None) -> dict[str, str] | None:
    if value is None:
        return None
    return {"code": value.code, "scheme": value.scheme, "display": value.display}


def _pdf_json(info: PdfInfo | None) -> dict[str, Any] | None:
    if info is None:
        return None
    return {
        "pages": info.pages,
        "title": info.title,
        "author": info.author,
        "encrypted": info.encrypted,
        "needs_password": info.needs_password,
        "broken": info.broken,
        "truncated": info.truncated,
        "problem": info.problem,
        "active_content": list(info.active_content),
        "version": info.version,
    }


def _problem_json(problem: Problem) -> dict[str, Any]:
    return {
        "code": problem.code,
        "severity": problem.severity,
        "params": dict(problem.params),
        "text": code_text(problem.code, problem.params),
    }


def _document_json(number: int, doc: XdmDocument) -> dict[str, Any]:
    cda = doc.cda
    return {
        "number": number,
        "entry_id": doc.entry_id,
        "unique_id": doc.unique_id,
        "title": doc.title,
        "mime_type": doc.mime_type,
        "type_code": _coded_json(doc.type_code),
        "class_code": _coded_json(doc.class_code),
        "format_code": _coded_json(doc.format_code),
        "confidentiality": _coded_json(doc.confidentiality),
        "author": _author_json(doc.author),
        "creation_time": doc.creation_time,
        "service_start": doc.service_start,
        "uri": doc.uri,
        "path": doc.path,
        "patient_id": _patient_json(doc.patient_id),
        "size": doc.size,
        "hash": doc.hash,
        "found": doc.found,
        "size_ok": doc.size_ok,
        "hash_ok": doc.hash_ok,
        "actual_size": doc.actual_size,
        "actual_hash": doc.actual_hash,
        "cda": None
        if cda is None
        else {
            "id": cda.identity.document_id,
            "set_id": cda.identity.set_id,
            "version": cda.identity.version,
            "code": _coded_json(cda.code),
            "title": cda.title,
            "effective_time": cda.effective_time,
            "level": cda.level,
            "media_type": cda.media_type,
            "patient_ids": [_patient_json(p) for p in cda.patient_ids],
            "narrative": cda.narrative,
        },
        "pdf": _pdf_json(doc.pdf_info),
        "has_pdf": doc.pdf is not None,
        "relation": doc.relation.value,
        "problems": [_problem_json(p) for p in doc.problems],
        "ok": doc.trusted and not any(p.is_error for p in doc.problems),
    }


# ---------------------------------------------------------------------------------------------
# Attachments (presenters for `pli attachments`, wired by the archive's command area)


def attachment_json(info: AttachmentInfo) -> dict[str, Any]:
    """The stable JSON form of one attachment (``pli attachments ID --json``)."""
    return {
        "part": info.part_id,
        "name": info.name,
        "name_changed": info.original_name_changed,
        "declared_type": info.declared_type,
        "detected_type": info.kind.value,
        "size": info.size,
        "inline": info.inline,
        "accepted": info.verdict.accepted,
        "refusal": None
        if info.verdict.accepted
        else {
            "code": info.verdict.code,
            "text": code_text(info.verdict.code or "", info.verdict.params),
        },
        "pdf": _pdf_json(info.pdf),
        "image": None
        if info.image is None
        else {
            "format": info.image.kind.value,
            "width": info.image.width,
            "height": info.image.height,
            "frames": info.image.frames,
        },
        "xdm": package_json(info.xdm) if info.xdm is not None else None,
        "problem": info.problem,
    }


def attachment_lines(infos: Iterable[AttachmentInfo]) -> list[str]:
    """One line per attachment (then an XDM package's documents, indented)."""
    lines: list[str] = []
    for info in infos:
        verdict = (
            "ok"
            if info.verdict.accepted
            else f"REFUSED: {code_text(info.verdict.code or '', info.verdict.params)}"
        )
        detail = ""
        if info.pdf is not None:
            detail = f", {_pdf_text(info.pdf)}"
        elif info.image is not None:
            detail = f", {info.image.width}x{info.image.height}, {info.image.frames} frame(s)"
        elif info.problem:
            detail = f", {code_text(info.problem, {})}"
        lines.append(
            f"[{info.part_id}] {info.name} ({info.kind.value}, {info.size} bytes{detail}) {verdict}"
        )
        if info.xdm is not None:
            lines.extend(f"    {line}" for line in package_lines(info.xdm))
    return lines


# ---------------------------------------------------------------------------------------------
# pli xdm build


async def _build(ctx: CliContext, args: argparse.Namespace) -> int:
    from app.documents.pdf import inspect_pdf
    from app.documents.sniffing import detect_kind
    from app.documents.xdm_writer import build_xdm, parse_iso_date

    ins = Ins.parse(args.patient_ins)
    domain = (
        _DOMAINS[args.ins_domain]
        if args.ins_domain
        else (PatientIdKind.INS_NIA if ins.value[0] in "78" else PatientIdKind.INS_NIR)
    )
    patient = PatientIdentity(
        ins=ins,
        family=_required(args.patient_name, "--patient-name"),
        given=_required(args.patient_given, "--patient-given"),
        birth_date=parse_iso_date(args.patient_birth_date),
        sex=args.patient_sex,
        id_kind=domain,
    )
    document = OutgoingDocument(
        title=_required(args.title, "--title"),
        type_code=CodedValue(
            _required(args.type_code, "--type-code"), LOINC_OID, args.type_display or ""
        ),
        act_date=parse_iso_date(args.act_date),
        class_code=CodedValue(
            args.class_code, CLASS_CODE_OID, "Compte rendu" if args.class_code == "10" else ""
        ),
        file_number=args.file_number or None,
    )
    author = DocumentAuthor(
        person_id=args.author_id,
        name=PersonName(args.author_name, args.author_given),
        institution=args.author_institution,
    )
    pdf = await asyncio.to_thread(_read_input, Path(args.pdf))
    if detect_kind(pdf) is not DocumentKind.PDF:
        raise DocumentError("xdm.not_pdf")
    info = await asyncio.to_thread(inspect_pdf, pdf)
    if info.problem is not None:
        raise DocumentError(info.problem)
    if info.active_content:
        ctx.out.warn(f"the PDF has active content: {', '.join(info.active_content)}")
    built = await asyncio.to_thread(
        build_xdm, pdf, patient=patient, document=document, author=author
    )
    out = Path(args.out)
    await asyncio.to_thread(_write_output, out, built.zip_bytes, args.force)
    ctx.out.result(_build_json(out, built), _build_lines(out, built))
    return int(ExitCode.OK)


def _build_json(out: Path, built: XdmBuild) -> dict[str, Any]:
    return {
        "file": str(out),
        "size": len(built.zip_bytes),
        "attachment_name": built.zip_name,
        "subject": built.subject,
        "headers": {"X-MSS-CODECDA": built.x_mss_codecda, "X-MSS-INS": built.x_mss_ins},
        "pdf_name": built.pdf_name,
        "document_unique_id": built.document_unique_id,
        "set_id": built.set_id,
        "submission_unique_id": built.submission_unique_id,
    }


def _build_lines(out: Path, built: XdmBuild) -> list[str]:
    return [
        f"Written: {out} ({len(built.zip_bytes)} bytes; attach it as {built.zip_name})",
        f"Subject: {built.subject}",
        f"X-MSS-CODECDA: {built.x_mss_codecda}",
        f"X-MSS-INS: {built.x_mss_ins}",
        f"PDF rendering name: {built.pdf_name}",
        f"Document id: {built.document_unique_id} (set {built.set_id})",
    ]


def _required(value: str | None, option: str) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationError("document.option_empty", option=option)
    return text


def _read_input(path: Path) -> bytes:
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_INPUT_BYTES + 1)
    except FileNotFoundError:
        raise NotFoundError("document.file_not_found", path=str(path)) from None
    except IsADirectoryError:
        raise DocumentError("document.file_unreadable", path=str(path), reason="a folder") from None
    except OSError as error:
        raise DocumentError(
            "document.file_unreadable", path=str(path), reason=error.strerror or ""
        ) from None
    if len(data) > MAX_INPUT_BYTES:
        raise DocumentError("document.file_too_large", path=str(path), limit=MAX_INPUT_BYTES)
    return data


def _write_output(path: Path, data: bytes, force: bool) -> None:
    """Write `data` to `path`: exclusively, or atomically replacing it with `force`."""
    try:
        if not force:
            with path.open("xb") as handle:
                handle.write(data)
            return
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            Path(tmp).replace(path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except FileExistsError:
        raise DocumentError("document.file_exists", path=str(path)) from None
    except OSError as error:
        raise DocumentError(
            "document.file_unwritable", path=str(path), reason=error.strerror or ""
        ) from None
