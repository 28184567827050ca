"""Reading ``IHE_XDM.zip``: whose documents, which ones, and whether they are intact.

Spec §5: the package is unpacked safely (`app.documents.safezip`), each
``IHE_XDM/<subset>/METADATA.XML`` (ebRIM 3.0) read for the patient (``patientId``
``<INS>^^^&<OID>&ISO^NH``, test and demo OIDs flagged) and the documents (title, type, class,
format, author, creation time), each document's size and SHA-1 checked against its file, CDA
documents opened (the PDF of a level-1 document extracted, the narrative of a structured one
rendered) and duplicates/versions recognised by CDA ``id``/``setId``/``versionNumber``.

A package that cannot be trusted at all (not a zip, a zip bomb, a path that climbs) raises
`DocumentError`; anything else wrong is reported as `Problem` codes so that the user still
sees what can be seen.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from xml.etree.ElementTree import Element

import defusedxml.ElementTree as DefusedET

from app.documents.cda import parse_cda
from app.documents.pdf import inspect_pdf
from app.documents.safezip import DEFAULT_LIMITS, ZipLimits, read_zip
from app.documents.sniffing import detect_kind, is_cda
from app.documents.xdm_writer import (
    DOCUMENT_ENTRY_AUTHOR,
    DOCUMENT_ENTRY_CLASS_CODE,
    DOCUMENT_ENTRY_CONFIDENTIALITY,
    DOCUMENT_ENTRY_FORMAT_CODE,
    DOCUMENT_ENTRY_PATIENT_ID,
    DOCUMENT_ENTRY_TYPE_CODE,
    DOCUMENT_ENTRY_UNIQUE_ID,
    RIM_NS,
    SUBMISSION_SET_AUTHOR,
    SUBMISSION_SET_NODE,
    SUBMISSION_SET_PATIENT_ID,
    SUBMISSION_SET_SOURCE_ID,
    SUBMISSION_SET_UNIQUE_ID,
)
from app.documents.xmltext import attr
from app.domain.documents import (
    CdaIdentity,
    CodedValue,
    DocumentKind,
    PatientId,
    PatientIdKind,
    PersonName,
    Problem,
    VersionRelation,
    XdmDocument,
    XdmPackage,
    XdsAuthor,
    classify_version,
    parse_hl7_date,
    x_mss_codecda,
    x_mss_ins,
    xdm_subject,
)
from app.domain.errors import DocumentError

_R = f"{{{RIM_NS}}}"
_METADATA = re.compile(r"^(?:.*/)?IHE_XDM/([^/]+)/METADATA\.XML$", re.IGNORECASE)
_XDM_FILE = re.compile(r"^(?:.*/)?IHE_XDM/([^/]+)/[^/]+\.XML$", re.IGNORECASE)
_MAX_METADATA_BYTES = 20 * 1024 * 1024


def read_xdm(
    data: bytes, *, limits: ZipLimits = DEFAULT_LIMITS, inspect_pdfs: bool = True
) -> XdmPackage:
    """Unpack (in memory), read and check an ``IHE_XDM.zip``.

    Blocking, CPU-bound.

    Args:
        data: the zip.
        limits: unpacking limits (size, ratio, entries).
        inspect_pdfs: also inspect each document's PDF (page count, active content…).

    Raises:
        DocumentError: the `app.documents.safezip.read_zip` codes (``zip.*``).
    """
    files = read_zip(data, limits)
    names = tuple(sorted(files))
    metadata_names = [n for n in names if _METADATA.match(n)]
    problems: list[Problem] = []
    documents: list[XdmDocument] = []
    set_patient: PatientId | None = None
    submission: dict[str, str] = {}
    set_author: XdsAuthor | None = None
    source_patient: tuple[PersonName, date | None] | None = None
    if not metadata_names:
        problems.append(Problem("xdm.metadata_missing", "error"))
        documents.extend(_documents_without_metadata(files))
    for metadata_name in metadata_names:
        base = posixpath.dirname(metadata_name)
        root = _parse_metadata(files[metadata_name], problems)
        if root is None:
            documents.extend(_documents_without_metadata(files, base))
            continue
        source_patient = source_patient or _source_patient(root)
        package = _submission_set(root)
        if package is not None:
            set_patient = set_patient or _patient(package, SUBMISSION_SET_PATIENT_ID)
            set_author = set_author or _author(package, SUBMISSION_SET_AUTHOR)
            submission.setdefault(
                "unique_id", _external_id(package, SUBMISSION_SET_UNIQUE_ID) or ""
            )
            submission.setdefault(
                "source_id", _external_id(package, SUBMISSION_SET_SOURCE_ID) or ""
            )
            submission.setdefault("time", _slot(package, "submissionTime"))
        else:
            problems.append(Problem("xdm.submission_set_missing", "warning"))
        entries = [e for e in root.iter(f"{_R}ExtrinsicObject")]
        if not entries:
            problems.append(Problem("xdm.no_documents", "error"))
        for entry in entries:
            documents.append(_document(entry, base, files, inspect_pdfs))
    documents = _numbered_checks(documents, set_patient)
    documents = _relate(documents)
    patient = set_patient or next((d.patient_id for d in documents if d.patient_id), None)
    name, birth = source_patient or _cda_patient(documents)
    problems.extend(_patient_problems(patient))
    return XdmPackage(
        patient_id=patient,
        patient_name=name,
        birth_date=birth,
        submission_unique_id=submission.get("unique_id", ""),
        source_id=submission.get("source_id", ""),
        submission_time=submission.get("time", ""),
        author=set_author,
        documents=tuple(documents),
        files=names,
        problems=tuple(problems),
    )


def package_headers(package: XdmPackage) -> tuple[str, str, str]:
    """``(subject, X-MSS-CODECDA, X-MSS-INS)`` for sending an existing package (spec §3).

    For a package made by other software that the user attaches: the subject uses the first
    document's title, the codes are the CDA type codes of its documents, and ``X-MSS-INS`` is
    ``O`` when a CDA holds a qualified INS.
    """
    codes: list[str] = []
    qualified = False
    for doc in package.documents:
        code = doc.cda.code if doc.cda is not None and doc.cda.code else doc.type_code
        if code is not None:
            codes.append(code.code)
        if doc.cda is not None and doc.cda.qualified_ins is not None:
            qualified = True
    title = package.documents[0].title if package.documents else ""
    subject = xdm_subject(
        title, package.patient_name.family, package.patient_name.given, package.birth_date
    )
    return subject, x_mss_codecda(codes), x_mss_ins(qualified)


# ---------------------------------------------------------------------------------------------
# Metadata


def _parse_metadata(data: bytes, problems: list[Problem]) -> Element | None:
    if len(data) > _MAX_METADATA_BYTES:
        problems.append(Problem("xdm.metadata_malformed", "error"))
        return None
    try:
        root = DefusedET.fromstring(data, forbid_dtd=True)
    except Exception:  # noqa: BLE001 - ParseError, DTDForbidden, EntitiesForbidden…
        problems.append(Problem("xdm.metadata_malformed", "error"))
        return None
    if not isinstance(root, Element):
        problems.append(Problem("xdm.metadata_malformed", "error"))
        return None
    return root


def _submission_set(root: Element) -> Element | None:
    packages = list(root.iter(f"{_R}RegistryPackage"))
    for package in packages:
        if _external_id(package, SUBMISSION_SET_UNIQUE_ID) is not None:
            return package
    # The classification may also stand outside the package, pointing at it by id.
    for classification in root.iter(f"{_R}Classification"):
        if attr(classification, "classificationNode") == SUBMISSION_SET_NODE:
            target = attr(classification, "classifiedObject")
            for package in packages:
                if attr(package, "id") == target:
                    return package
    return packages[0] if packages else None


def _slot_values(owner: Element, name: str) -> list[str]:
    for slot in owner.findall(f"{_R}Slot"):
        if attr(slot, "name") == name:
            return [(v.text or "").strip() for v in slot.iter(f"{_R}Value")]
    return []


def _slot(owner: Element, name: str) -> str:
    values = _slot_values(owner, name)
    return values[0] if values else ""


def _localized(owner: Element, tag: str = "Name") -> str:
    node = owner.find(f"{_R}{tag}/{_R}LocalizedString")
    return attr(node, "value")


def _external_id(owner: Element, scheme: str) -> str | None:
    for ext in owner.findall(f"{_R}ExternalIdentifier"):
        if attr(ext, "identificationScheme") == scheme:
            return attr(ext, "value")
    return None


def _classification(owner: Element, scheme: str) -> Element | None:
    for node in owner.findall(f"{_R}Classification"):
        if attr(node, "classificationScheme") == scheme:
            return node
    return None


def _coded(owner: Element, scheme: str) -> CodedValue | None:
    node = _classification(owner, scheme)
    if node is None:
        return None
    return CodedValue(
        attr(node, "nodeRepresentation"), _slot(node, "codingScheme"), _localized(node)
    )


def _author(owner: Element, scheme: str) -> XdsAuthor | None:
    node = _classification(owner, scheme)
    if node is None:
        return None
    person = _slot(node, "authorPerson").split("^")
    institution = _slot(node, "authorInstitution").split("^")[0].strip()
    return XdsAuthor(
        person_id=person[0].strip() if person else "",
        name=PersonName(
            person[1].strip() if len(person) > 1 else "",
            person[2].strip() if len(person) > 2 else "",
        ),
        institution=institution,
    )


def _patient(owner: Element, scheme: str) -> PatientId | None:
    value = _external_id(owner, scheme)
    return PatientId.parse_cx(value) if value else None


# ---------------------------------------------------------------------------------------------
# Documents


def _document(
    entry: Element, base: str, files: Mapping[str, bytes], inspect_pdfs: bool
) -> XdmDocument:
    problems: list[Problem] = []
    uri = _slot(entry, "URI")
    size_text = _slot(entry, "size")
    declared_size = int(size_text) if size_text.isdigit() else None
    doc = XdmDocument(
        entry_id=attr(entry, "id"),
        unique_id=_external_id(entry, DOCUMENT_ENTRY_UNIQUE_ID) or "",
        title=_localized(entry),
        mime_type=attr(entry, "mimeType"),
        type_code=_coded(entry, DOCUMENT_ENTRY_TYPE_CODE),
        class_code=_coded(entry, DOCUMENT_ENTRY_CLASS_CODE),
        format_code=_coded(entry, DOCUMENT_ENTRY_FORMAT_CODE),
        confidentiality=_coded(entry, DOCUMENT_ENTRY_CONFIDENTIALITY),
        author=_author(entry, DOCUMENT_ENTRY_AUTHOR),
        creation_time=_slot(entry, "creationTime"),
        service_start=_slot(entry, "serviceStartTime"),
        size=declared_size,
        hash=_slot(entry, "hash").lower(),
        uri=uri,
        patient_id=_patient(entry, DOCUMENT_ENTRY_PATIENT_ID),
    )
    path = _resolve(base, uri, files, problems)
    if path is None:
        return replace(doc, problems=tuple(problems))
    content = files[path]
    actual_hash = hashlib.sha1(content, usedforsecurity=False).hexdigest()  # XDS: SHA-1
    size_ok = None if declared_size is None else declared_size == len(content)
    hash_ok = None if not doc.hash else doc.hash == actual_hash
    if size_text and declared_size is None:
        problems.append(Problem("xdm.size_malformed", "warning"))
    if size_ok is False:
        problems.append(
            Problem(
                "xdm.size_mismatch",
                "error",
                {"declared": str(declared_size), "actual": str(len(content))},
            )
        )
    if hash_ok is False:
        problems.append(Problem("xdm.hash_mismatch", "error"))
    if not doc.hash:
        problems.append(Problem("xdm.hash_missing", "warning"))
    doc = replace(
        doc,
        path=path,
        found=True,
        size_ok=size_ok,
        hash_ok=hash_ok,
        actual_size=len(content),
        actual_hash=actual_hash,
        content=content,
    )
    return _with_content(doc, content, problems, inspect_pdfs)


def _with_content(
    doc: XdmDocument, content: bytes, problems: list[Problem], inspect_pdfs: bool
) -> XdmDocument:
    kind = detect_kind(content)
    pdf: bytes | None = None
    cda = None
    if kind is DocumentKind.PDF:
        pdf = content
    elif kind is DocumentKind.XML and is_cda(content):
        try:
            parsed = parse_cda(content)
        except DocumentError as error:
            problems.append(Problem("xdm.cda_malformed", "error", {"reason": error.code}))
        else:
            cda = parsed.info
            problems.extend(
                Problem(f"xdm.{code.split('.', 1)[1]}", "error") for code in parsed.problems
            )
            if parsed.embedded is not None:
                if detect_kind(parsed.embedded) is DocumentKind.PDF:
                    pdf = parsed.embedded
                else:
                    problems.append(Problem("xdm.embedded_not_pdf", "warning"))
            if (
                doc.patient_id is not None
                and cda.patient_ids
                and not any(
                    p.value == doc.patient_id.value and p.oid == doc.patient_id.oid
                    for p in cda.patient_ids
                )
            ):
                problems.append(Problem("xdm.cda_patient_mismatch", "error"))
    elif doc.mime_type in ("text/xml", "application/xml") and kind is not DocumentKind.XML:
        problems.append(Problem("xdm.type_mismatch", "warning", {"kind": kind.value}))
    pdf_info = inspect_pdf(pdf) if pdf is not None and inspect_pdfs else None
    title = doc.title or (cda.title if cda is not None else "")
    if not doc.title:
        problems.append(Problem("xdm.title_missing", "warning"))
    return replace(doc, title=title, cda=cda, pdf=pdf, pdf_info=pdf_info, problems=tuple(problems))


def _resolve(
    base: str, uri: str, files: Mapping[str, bytes], problems: list[Problem]
) -> str | None:
    if not uri:
        problems.append(Problem("xdm.uri_missing", "error"))
        return None
    relative = uri.replace("\\", "/")
    joined = posixpath.normpath(posixpath.join(base, relative))
    if relative.startswith("/") or ":" in relative or joined.startswith("../") or joined == "..":
        problems.append(Problem("xdm.uri_unsafe", "error"))
        return None
    if joined in files:
        return joined
    # Media written on Windows often differ in case from the metadata.
    folded = {name.casefold(): name for name in files}
    match = folded.get(joined.casefold())
    if match is None:
        problems.append(Problem("xdm.document_missing", "error"))
    return match


def _documents_without_metadata(
    files: Mapping[str, bytes], base: str | None = None
) -> list[XdmDocument]:
    """CDA files of the package, shown even though the metadata is missing or unreadable."""
    out: list[XdmDocument] = []
    for name in sorted(files):
        match = _XDM_FILE.match(name)
        if match is None or _METADATA.match(name):
            continue
        if base is not None and posixpath.dirname(name) != base:
            continue
        content = files[name]
        doc = XdmDocument(
            entry_id="",
            uri=posixpath.basename(name),
            path=name,
            found=True,
            actual_size=len(content),
            actual_hash=hashlib.sha1(content, usedforsecurity=False).hexdigest(),
            content=content,
        )
        problems = [Problem("xdm.document_unlisted", "warning")]
        doc = _with_content(doc, content, problems, inspect_pdfs=True)
        if doc.cda is not None:
            patient = next(iter(doc.cda.patient_ids), None)
            doc = replace(doc, patient_id=patient, title=doc.title or doc.cda.title)
            doc = replace(
                doc, problems=tuple(p for p in doc.problems if p.code != "xdm.title_missing")
            )
        out.append(doc)
    return out


def _numbered_checks(
    documents: list[XdmDocument], set_patient: PatientId | None
) -> list[XdmDocument]:
    out: list[XdmDocument] = []
    for number, doc in enumerate(documents, 1):
        problems = [replace(p, params={**p.params, "document": str(number)}) for p in doc.problems]
        if doc.entry_id and doc.patient_id is None:
            problems.append(
                Problem("xdm.document_patient_missing", "warning", {"document": str(number)})
            )
        elif (
            set_patient is not None
            and doc.patient_id is not None
            and (doc.patient_id.value, doc.patient_id.oid) != (set_patient.value, set_patient.oid)
        ):
            problems.append(Problem("xdm.patient_mismatch", "error", {"document": str(number)}))
        out.append(replace(doc, problems=tuple(problems)))
    return out


def _relate(documents: list[XdmDocument]) -> list[XdmDocument]:
    """Mark duplicates and versions inside the package (CDA id / setId / versionNumber)."""
    seen: list[CdaIdentity] = []
    out: list[XdmDocument] = []
    for number, doc in enumerate(documents, 1):
        if doc.cda is None or not doc.cda.identity.document_id:
            out.append(doc)
            continue
        relation = classify_version(doc.cda.identity, seen)
        seen.append(doc.cda.identity)
        problems = list(doc.problems)
        if relation is VersionRelation.DUPLICATE:
            problems.append(Problem("xdm.duplicate_document", "warning", {"document": str(number)}))
        elif relation is VersionRelation.SAME_VERSION:
            problems.append(Problem("xdm.version_conflict", "warning", {"document": str(number)}))
        out.append(replace(doc, relation=relation, problems=tuple(problems)))
    return out


def _source_patient(root: Element) -> tuple[PersonName, date | None] | None:
    """The patient's name and birth date from ``sourcePatientInfo`` (PID-5, PID-7)."""
    for entry in root.iter(f"{_R}ExtrinsicObject"):
        info = _slot_values(entry, "sourcePatientInfo")
        name = next((v[6:] for v in info if v.startswith("PID-5|")), "")
        birth = next((v[6:] for v in info if v.startswith("PID-7|")), "")
        if name:
            parts = name.split("^")
            family = parts[0].strip()
            given = parts[1].strip() if len(parts) > 1 else ""
            return PersonName(family, given), parse_hl7_date(birth)
    return None


def _cda_patient(documents: list[XdmDocument]) -> tuple[PersonName, date | None]:
    for doc in documents:
        if doc.cda is not None and (doc.cda.patient_name.family or doc.cda.patient_name.given):
            return doc.cda.patient_name, doc.cda.birth_date
    return PersonName(), None


def _patient_problems(patient: PatientId | None) -> list[Problem]:
    if patient is None:
        return [Problem("xdm.patient_missing", "error")]
    if patient.kind is PatientIdKind.OTHER:
        return [Problem("xdm.patient_not_ins", "warning", {"oid": patient.oid})]
    out: list[Problem] = []
    if not patient.ins_valid:
        out.append(Problem("xdm.patient_ins_invalid", "error", {"value": patient.value}))
    if patient.kind is PatientIdKind.TEST:
        out.append(Problem("xdm.patient_test_oid", "warning", {"oid": patient.oid}))
    elif patient.kind is PatientIdKind.DEMO:
        out.append(Problem("xdm.patient_demo_oid", "warning", {"oid": patient.oid}))
    return out


# ---------------------------------------------------------------------------------------------
# Doubts: what a reader should see beside the identity, without refusing the package (issue 12)

#: Problems about *whose* documents these are or *what* they are: the package is still shown
#: (lenient reading), each of these flagged beside the patient's identity.
DOUBT_CODES: frozenset[str] = frozenset(
    {
        "xdm.patient_missing",
        "xdm.patient_not_ins",
        "xdm.patient_ins_invalid",
        "xdm.patient_test_oid",
        "xdm.patient_demo_oid",
        "xdm.patient_mismatch",
        "xdm.cda_patient_mismatch",
        "xdm.document_patient_missing",
        "xdm.type_code_unknown",
    }
)
_LOINC = "2.16.840.1.113883.6.1"
_LOINC_CODE = re.compile(r"^\d{1,7}-\d$")


def _loinc_check_digit(number: str) -> int:
    """The LOINC check digit (mod 10, Luhn-like, as LOINC defines it) of the part before ``-``."""
    digits = [int(c) for c in number]
    total = 0
    for index, digit in enumerate(reversed(digits)):
        if index % 2 == 0:
            doubled = digit * 2
            total += doubled // 10 + doubled % 10
        else:
            total += digit
    return (10 - total % 10) % 10


def type_code_known(code: CodedValue | None) -> bool:
    """A document type Pli can name: a LOINC code (well formed, check digit right)."""
    if code is None or not code.code:
        return False
    if code.scheme and code.scheme != _LOINC:
        return False
    if not _LOINC_CODE.match(code.code):
        return False
    number, check = code.code.split("-")
    return _loinc_check_digit(number) == int(check)


def xdm_doubts(package: XdmPackage) -> tuple[Problem, ...]:
    """The package's doubts: identity problems, test identities, unknown document types.

    Pure. Existing problems whose code is in `DOUBT_CODES` are returned as they are, plus an
    ``xdm.type_code_unknown`` warning per document whose type is not a well-formed LOINC code.
    """
    out = [p for p in package.all_problems if p.code in DOUBT_CODES]
    for number, doc in enumerate(package.documents, 1):
        code = doc.cda.code if doc.cda is not None and doc.cda.code else doc.type_code
        if not type_code_known(code):
            params = {"document": str(number), "code": code.code if code is not None else ""}
            out.append(Problem("xdm.type_code_unknown", "warning", params))
    return tuple(out)


def read_xdm_lenient(
    data: bytes, *, limits: ZipLimits = DEFAULT_LIMITS, inspect_pdfs: bool = True
) -> tuple[XdmPackage, tuple[Problem, ...]]:
    """`read_xdm`, and the doubts to flag beside the identity instead of refusing the package.

    Blocking, CPU-bound. A doubtful package (an INS whose key does not check, a test identity,
    an unknown type code) is returned with its doubts; only an unsafe zip still raises.

    Raises:
        DocumentError: the `app.documents.safezip.read_zip` codes (``zip.*``).
    """
    package = read_xdm(data, limits=limits, inspect_pdfs=inspect_pdfs)
    return package, xdm_doubts(package)


def refusing_problems(package: XdmPackage, *, lenient: bool) -> tuple[Problem, ...]:
    """The errors that make a strict reader refuse the package (doubts excepted when lenient)."""
    errors = tuple(p for p in package.all_problems if p.is_error)
    if not lenient:
        return errors
    return tuple(p for p in errors if p.code not in DOUBT_CODES)
