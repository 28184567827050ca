"""Documents: what an attachment is, whose it is, and the names MSSanté gives them.

Pure value objects and string rules shared by the document adapter (`app.documents`), the
archive and the sending side. No I/O here: parsing files is `app.documents`' job.

Spec references: §3 (subject ``XDM/1.0/DDM+…``, headers ``X-MSS-CODECDA``/``X-MSS-INS``, the
PDF rendering name), §5 (accepted types, hidden subject prefix, XDM patient identifiers,
duplicates and versions by CDA ``id``/``setId``/``versionNumber``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import StrEnum

from app.domain.addresses import Ins

# ---------------------------------------------------------------------------------------------
# Kinds of content


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


# ---------------------------------------------------------------------------------------------
# PDFs and images


@dataclass(frozen=True)
class PdfInfo:
    """What a PDF is, found without rendering it.

    Attributes:
        pages: page count, None when unknown (encrypted or broken).
        title: the document information title, if any.
        author: the document information author, if any.
        encrypted: the file uses PDF encryption (maybe only an owner password).
        needs_password: it cannot be opened without a password the user must type.
        broken: the structure could not be read.
        truncated: the file ends before its end marker (an incomplete download or copy).
        problem: the code explaining why it cannot be read (``pdf.*``), None when readable.
        active_content: what may run or hide inside: ``javascript``, ``launch``,
            ``embedded_files``, ``rich_media``, ``open_action``, ``additional_actions``,
            ``xfa``, ``submit_form``, ``import_data``, ``remote_goto``.
        version: the header version (``1.7``), when present.
    """

    pages: int | None
    title: str | None = None
    author: str | None = None
    encrypted: bool = False
    needs_password: bool = False
    broken: bool = False
    truncated: bool = False
    problem: str | None = None
    active_content: tuple[str, ...] = ()
    version: str | None = None

    @property
    def readable(self) -> bool:
        """Pages can be shown and text extracted."""
        return not self.broken and not self.needs_password

    @property
    def has_active_content(self) -> bool:
        """Something in the file may run or hide another file."""
        return bool(self.active_content)


@dataclass(frozen=True)
class PdfText:
    """One bounded run of text extraction; call again from `next_page` to continue.

    Attributes:
        text: the text of pages ``start_page .. next_page - 1``, pages separated by form feeds.
        start_page: first page read by this run (0-based).
        next_page: where a later run goes on, None when the document is done (or cannot be
            read).
        page_count: pages in the document (0 when unreadable).
        stop: why this run stopped: ``done``, ``max_pages``, ``max_chars``, ``time_budget``,
            ``unreadable``, ``password``.
    """

    text: str
    start_page: int
    next_page: int | None
    page_count: int
    stop: str

    @property
    def complete(self) -> bool:
        """Nothing left to read (or nothing can be read)."""
        return self.next_page is None


@dataclass(frozen=True)
class ImageInfo:
    """An image's header facts (read without decoding the pixels)."""

    kind: DocumentKind
    width: int
    height: int
    frames: int
    mode: str


# ---------------------------------------------------------------------------------------------
# Patients and coded values (IHE XDS / HL7)

#: OIDs of the patient identifier domains seen in ``patientId`` (spec §5).
INS_NIR_OID = "1.2.250.1.213.1.4.8"
INS_NIA_OID = "1.2.250.1.213.1.4.9"
INS_TEST_OID = "1.2.250.1.213.1.4.10"
INS_DEMO_OID = "1.2.250.1.213.1.4.11"


class PatientIdKind(StrEnum):
    """Which identifier domain a patient id belongs to."""

    INS_NIR = "ins_nir"
    INS_NIA = "ins_nia"
    TEST = "test"
    DEMO = "demo"
    OTHER = "other"


OID_KINDS: Mapping[str, PatientIdKind] = {
    INS_NIR_OID: PatientIdKind.INS_NIR,
    INS_NIA_OID: PatientIdKind.INS_NIA,
    INS_TEST_OID: PatientIdKind.TEST,
    INS_DEMO_OID: PatientIdKind.DEMO,
}
KIND_OIDS: Mapping[PatientIdKind, str] = {kind: oid for oid, kind in OID_KINDS.items()}


@dataclass(frozen=True)
class PatientId:
    """A patient identifier as XDS writes it: ``<id>^^^&<OID>&ISO^<type>`` (HL7 CX).

    Attributes:
        value: the identifier (an INS for the four INS domains).
        oid: the assigning authority's OID.
        id_type: the CX type code (``NH`` for the INS).
        kind: the domain, from the OID.
        ins_valid: for the INS domains, whether `value` is a valid INS (key checked).
    """

    value: str
    oid: str
    id_type: str = "NH"
    kind: PatientIdKind = PatientIdKind.OTHER
    ins_valid: bool = False

    @classmethod
    def of(cls, value: str, oid: str, id_type: str = "NH") -> PatientId:
        """Build one, classifying the domain and checking the INS."""
        kind = OID_KINDS.get(oid, PatientIdKind.OTHER)
        valid = kind is not PatientIdKind.OTHER and Ins.is_valid(value)
        return cls(value, oid, id_type, kind, valid)

    @classmethod
    def parse_cx(cls, text: str) -> PatientId | None:
        """Parse ``<id>^^^&<OID>&ISO^<type>``; None when it has no id or no OID."""
        components = text.strip().split("^")
        value = components[0].strip()
        authority = components[3] if len(components) > 3 else ""
        id_type = components[4].strip() if len(components) > 4 else ""
        parts = authority.split("&")
        oid = parts[1].strip() if len(parts) > 1 else ""
        if not value or not oid:
            return None
        return cls.of(value, oid, id_type)

    def cx(self) -> str:
        """The XDS (CX) form."""
        return f"{self.value}^^^&{self.oid}&ISO^{self.id_type}"

    @property
    def is_ins(self) -> bool:
        """A valid INS in one of the INS domains (real, test or demo)."""
        return self.ins_valid

    @property
    def is_test(self) -> bool:
        """From the test or demonstration domain: not a real patient."""
        return self.kind in (PatientIdKind.TEST, PatientIdKind.DEMO)

    @property
    def is_qualified_ins(self) -> bool:
        """A valid INS in a real INS domain (what ``X-MSS-INS: O`` announces, spec §3)."""
        return self.ins_valid and self.kind in (PatientIdKind.INS_NIR, PatientIdKind.INS_NIA)


@dataclass(frozen=True)
class CodedValue:
    """A code from a terminology (``nodeRepresentation`` + ``codingScheme`` + name)."""

    code: str
    scheme: str = ""
    display: str = ""


@dataclass(frozen=True)
class PersonName:
    """A patient's or author's name as documents carry it."""

    family: str = ""
    given: str = ""

    def display(self) -> str:
        """``Prénom NOM``."""
        return " ".join(p for p in (self.given, self.family.upper()) if p)


@dataclass(frozen=True)
class PatientIdentity:
    """Who a document is about, as Pli writes it into a CDA and an XDM package.

    Attributes:
        ins: the patient's INS (validated).
        family: birth name (NOM), written upper case.
        given: first name (prénom).
        birth_date: date of birth, when known.
        sex: ``M``, ``F`` or ``U``.
        id_kind: the identifier domain (real INS-NIR by default; test/demo for tests).
    """

    ins: Ins
    family: str
    given: str
    birth_date: date | None = None
    sex: str = "U"
    id_kind: PatientIdKind = PatientIdKind.INS_NIR

    @property
    def patient_id(self) -> PatientId:
        """The XDS/CDA identifier of this patient."""
        return PatientId.of(self.ins.value, KIND_OIDS[self.id_kind], "NH")


# ---------------------------------------------------------------------------------------------
# CDA documents: identity, versions


@dataclass(frozen=True)
class CdaIdentity:
    """What identifies a CDA document and its versions (spec §5).

    Attributes:
        document_id: the CDA ``id`` (``root`` or ``root^extension``), unique per version.
        set_id: the CDA ``setId``, shared by every version of one document.
        version: the CDA ``versionNumber``.
    """

    document_id: str
    set_id: str = ""
    version: int | None = None


class VersionRelation(StrEnum):
    """How a document relates to documents already known."""

    NEW = "new"
    DUPLICATE = "duplicate"  # same CDA id: the very same version again
    NEWER_VERSION = "newer_version"  # same setId, higher versionNumber
    OLDER_VERSION = "older_version"  # same setId, lower versionNumber (superseded)
    SAME_VERSION = "same_version"  # same setId and versionNumber, another id (suspicious)


def classify_version(candidate: CdaIdentity, known: Iterable[CdaIdentity]) -> VersionRelation:
    """How `candidate` relates to `known` documents (duplicates first, then versions)."""
    relation = VersionRelation.NEW
    for other in known:
        if candidate.document_id and candidate.document_id == other.document_id:
            return VersionRelation.DUPLICATE
        if not candidate.set_id or candidate.set_id != other.set_id:
            continue
        mine, theirs = candidate.version, other.version
        if mine is None or theirs is None:
            relation = VersionRelation.SAME_VERSION
        elif mine > theirs:
            if relation is VersionRelation.NEW:
                relation = VersionRelation.NEWER_VERSION
        elif mine < theirs:
            relation = VersionRelation.OLDER_VERSION
        else:
            relation = VersionRelation.SAME_VERSION
    return relation


# ---------------------------------------------------------------------------------------------
# Subjects, headers and standard names (spec §3, §5)

#: The technical subject prefix of a message carrying an XDM package (ECO.2.1.3).
XDM_SUBJECT_PREFIX = "XDM/1.0/DDM+"
_XDM_PREFIX_RE = re.compile(r"XDM/1\.0/DDM\+\s*", re.IGNORECASE)


def xdm_subject(label: str, family: str, given: str, birth_date: date | None) -> str:
    """``XDM/1.0/DDM+<libellé> <NOM> <prénom> <date de naissance>`` (spec §3, ECO.2.1.3).

    The birth date is written ``JJ/MM/AAAA`` as in the CI-SIS examples; it is left out when
    unknown.
    """
    parts = [_one_line(label), _one_line(family).upper(), _one_line(given)]
    if birth_date is not None:
        parts.append(birth_date.strftime("%d/%m/%Y"))
    return XDM_SUBJECT_PREFIX + " ".join(p for p in parts if p)


def display_subject(subject: str) -> str:
    """The subject as shown to people: the ``XDM/1.0/DDM+`` prefix hidden (ECO.3.1.3).

    The prefix may come after reply markers (``RE:``) or a tag an automaton added, so it is
    removed wherever it appears.
    """
    return _XDM_PREFIX_RE.sub("", subject).strip()


def x_mss_codecda(codes: Iterable[str]) -> str:
    """The ``X-MSS-CODECDA`` value: the CDA type codes, comma-separated (ECO.2.4.1)."""
    seen: list[str] = []
    for code in codes:
        clean = _one_line(code)
        if clean and clean not in seen:
            seen.append(clean)
    return ",".join(seen)


def x_mss_ins(qualified_ins: bool) -> str:
    """The ``X-MSS-INS`` value: ``O`` when the CDA holds a qualified INS, else ``N``."""
    return "O" if qualified_ins else "N"


def pdf_rendering_name(
    act_date: date,
    document_type: str,
    family: str,
    given: str,
    file_number: str | None = None,
) -> str:
    """``<AAAAMMJJ>_<type de document>_<NOM>_<prénom>[_<n° dossier>].pdf`` (spec §3).

    Each part is cleaned so the name is a safe file name on every system (no separators,
    no control characters); spaces and apostrophes are kept, as in the CI-SIS example
    ``20220531_CR d'imagerie médicale_CORSE_FIGATELLIX.pdf``.
    """
    parts = [
        act_date.strftime("%Y%m%d"),
        _name_part(document_type),
        _name_part(family).upper(),
        _name_part(given),
    ]
    if file_number:
        parts.append(_name_part(file_number))
    return sanitize_filename("_".join(p for p in parts if p) + ".pdf")


# ---------------------------------------------------------------------------------------------
# File names

#: Longest file name Pli writes (characters, extension included): safe on every file system.
MAX_FILENAME_CHARS = 150
_WINDOWS_RESERVED = frozenset(
    {"CON", "PRN", "AUX", "NUL"}
    | {f"COM{i}" for i in range(1, 10)}
    | {f"LPT{i}" for i in range(1, 10)}
)
_FORBIDDEN_CHARS = re.compile(r'[<>:"/\\|?*]')
_SPACES = re.compile(r"\s+")


def sanitize_filename(name: str | None, fallback: str = "piece-jointe") -> str:
    r"""A file name safe to show and to write anywhere, whatever the sender wrote.

    The last path component only (``/`` and ``\`` both count), Unicode NFC, no control or
    format characters (which hides bidirectional overrides such as ``U+202E`` that disguise
    ``fdp.exe`` as ``exe.pdf``), none of ``<>:"/\|?*``, no leading dots (hidden files), no
    trailing dots or spaces, not a reserved Windows device name, at most
    `MAX_FILENAME_CHARS` characters with the extension kept.
    """
    text = unicodedata.normalize("NFC", name or "")
    text = re.split(r"[/\\]", text)[-1]
    text = "".join(
        " " if unicodedata.category(ch) in ("Zl", "Zp") or ch in "\t\r\n" else ch
        for ch in text
        if unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co", "Cn") or ch in "\t\r\n"
    )
    text = _FORBIDDEN_CHARS.sub("_", text)
    text = _SPACES.sub(" ", text).strip().lstrip(".").rstrip(". ").strip()
    if not text:
        return fallback
    stem, dot, ext = text.rpartition(".")
    if not dot or not stem:
        stem, ext = text, ""
    if stem.split(".")[0].strip().upper() in _WINDOWS_RESERVED:
        stem = f"_{stem}"
    if len(ext) > 16:  # not an extension: part of the name
        stem, ext = f"{stem}.{ext}", ""
    suffix = f".{ext}" if ext else ""
    stem = stem[: max(1, MAX_FILENAME_CHARS - len(suffix))].rstrip(". ") or fallback
    return stem + suffix


def filename_extension(name: str) -> str:
    """The lower-case extension of `name` (``""`` when it has none that looks like one)."""
    _, dot, ext = name.rpartition(".")
    if not dot or not re.fullmatch(r"[A-Za-z0-9]{1,5}", ext):
        return ""
    return ext.lower()


def _one_line(text: str) -> str:
    kept = "".join(" " if ch in "\t\r\n" else ch for ch in text)
    kept = "".join(ch for ch in kept if unicodedata.category(ch)[0] != "C")
    return _SPACES.sub(" ", kept).strip()


def _name_part(text: str) -> str:
    return _FORBIDDEN_CHARS.sub("-", _one_line(text)).strip(" .")


# ---------------------------------------------------------------------------------------------
# XDM packages


@dataclass(frozen=True)
class XdsAuthor:
    """An XDS author: a person (XCN) and their institution (XON)."""

    person_id: str = ""
    name: PersonName = field(default_factory=PersonName)
    institution: str = ""

    def display(self) -> str:
        """``Prénom NOM (Institution)`` with whatever is known."""
        who = self.name.display()
        if self.institution:
            return f"{who} ({self.institution})" if who else self.institution
        return who


@dataclass(frozen=True)
class CdaInfo:
    """What Pli reads from a CDA R2 document.

    Attributes:
        identity: id, setId and versionNumber.
        code: the document type (LOINC) of the CDA header.
        title: the CDA title.
        effective_time: the CDA effectiveTime, raw (``20210108111700+0100``).
        patient_ids: the recordTarget ids (root, extension) classified as `PatientId`.
        patient_name: the recordTarget name.
        birth_date: the patient's birthTime, when a full date.
        level: ``1`` for a nonXMLBody (embedded file), ``3`` for a structuredBody.
        media_type: the nonXMLBody media type (``application/pdf``).
        narrative: a structured body's narrative as readable text (sections, lists, tables).
    """

    identity: CdaIdentity
    code: CodedValue | None = None
    title: str = ""
    effective_time: str = ""
    patient_ids: tuple[PatientId, ...] = ()
    patient_name: PersonName = field(default_factory=PersonName)
    birth_date: date | None = None
    level: int = 3
    media_type: str = ""
    narrative: str = ""

    @property
    def qualified_ins(self) -> PatientId | None:
        """The qualified INS among the patient ids, if any (``X-MSS-INS``)."""
        for pid in self.patient_ids:
            if pid.is_qualified_ins:
                return pid
        return None


@dataclass(frozen=True)
class XdmDocument:
    """One document of an XDM package, as its metadata describes it and as checked.

    Attributes:
        entry_id: the ebRIM ``ExtrinsicObject`` id.
        unique_id: ``XDSDocumentEntry.uniqueId``.
        title: the entry's name.
        mime_type: declared MIME type.
        type_code, class_code, format_code, confidentiality: XDS codes.
        author: the first author.
        creation_time: XDS creationTime, raw (``YYYYMMDDhhmmss`` UTC).
        service_start: XDS serviceStartTime, raw (date of the act).
        size: declared size; hash: declared SHA-1 (hex).
        uri: the file name in the submission set folder; path: its path in the zip.
        patient_id: ``XDSDocumentEntry.patientId``.
        found, size_ok, hash_ok: checks of the file against the metadata (None: not checked).
        actual_size, actual_hash: what the file really is.
        content: the document file's bytes, when found.
        cda: the CDA header and body facts, for CDA documents.
        pdf: the PDF to show: the document itself or the one embedded in a level-1 CDA.
        pdf_info: what that PDF is.
        relation: how this document relates to the package's other documents.
        problems: what is wrong with this document.
    """

    entry_id: str
    unique_id: str = ""
    title: str = ""
    mime_type: str = ""
    type_code: CodedValue | None = None
    class_code: CodedValue | None = None
    format_code: CodedValue | None = None
    confidentiality: CodedValue | None = None
    author: XdsAuthor | None = None
    creation_time: str = ""
    service_start: str = ""
    size: int | None = None
    hash: str = ""
    uri: str = ""
    path: str = ""
    patient_id: PatientId | None = None
    found: bool = False
    size_ok: bool | None = None
    hash_ok: bool | None = None
    actual_size: int | None = None
    actual_hash: str = ""
    content: bytes | None = field(default=None, repr=False)
    cda: CdaInfo | None = None
    pdf: bytes | None = field(default=None, repr=False)
    pdf_info: PdfInfo | None = None
    relation: VersionRelation = VersionRelation.NEW
    problems: tuple[Problem, ...] = ()

    @property
    def creation_datetime(self) -> datetime | None:
        """`creation_time` as a UTC datetime, when it holds at least a date."""
        return parse_dtm(self.creation_time)

    @property
    def trusted(self) -> bool:
        """Found, and matching its declared size and hash."""
        return self.found and self.size_ok is not False and self.hash_ok is not False


@dataclass(frozen=True)
class XdmPackage:
    """An ``IHE_XDM.zip`` as read and checked.

    Attributes:
        patient_id: the submission set's patient (or the documents' when it has none).
        patient_name: the patient's name (sourcePatientInfo PID-5 or the CDA).
        birth_date: the patient's birth date (PID-7 or the CDA).
        submission_unique_id, source_id, submission_time: ``XDSSubmissionSet`` facts.
        author: the submission set's author.
        documents: one per ``XDSDocumentEntry``.
        files: the names inside the zip.
        problems: what is wrong with the package as a whole.
    """

    patient_id: PatientId | None
    patient_name: PersonName = field(default_factory=PersonName)
    birth_date: date | None = None
    submission_unique_id: str = ""
    source_id: str = ""
    submission_time: str = ""
    author: XdsAuthor | None = None
    documents: tuple[XdmDocument, ...] = ()
    files: tuple[str, ...] = ()
    problems: tuple[Problem, ...] = ()

    @property
    def all_problems(self) -> tuple[Problem, ...]:
        """The package's problems then each document's."""
        out = list(self.problems)
        for doc in self.documents:
            out.extend(doc.problems)
        return tuple(out)

    @property
    def has_errors(self) -> bool:
        """Any problem of severity ``error``."""
        return any(p.is_error for p in self.all_problems)


def parse_dtm(text: str) -> datetime | None:
    """An HL7 DTM (``YYYYMMDD[hh[mm[ss]]]``, UTC in XDS) as a datetime; None if not a date."""
    digits = re.match(r"^(\d{8})(\d{2})?(\d{2})?(\d{2})?", text.strip())
    if digits is None:
        return None
    try:
        return datetime(
            int(digits.group(1)[:4]),
            int(digits.group(1)[4:6]),
            int(digits.group(1)[6:8]),
            int(digits.group(2) or 0),
            int(digits.group(3) or 0),
            int(digits.group(4) or 0),
            tzinfo=UTC,
        )
    except ValueError:
        return None


def parse_hl7_date(text: str) -> date | None:
    """The date part of an HL7 TS/DTM (``YYYYMMDD…``); None if not a full date."""
    stamp = parse_dtm(text)
    return stamp.date() if stamp is not None else None


# ---------------------------------------------------------------------------------------------
# Attachments of a message, and their export


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


# ---------------------------------------------------------------------------------------------
# What Pli writes: a PDF as a CDA R2 level-1 document in an XDM package (spec §3)

#: LOINC, the terminology of CDA and XDS type codes.
LOINC_OID = "2.16.840.1.113883.6.1"
#: French XDS class codes (JDV_J06-XdsClassCode-CISIS) (?): "10" is "Compte rendu".
CLASS_CODE_OID = "1.2.250.1.213.1.1.4.1"
CONFIDENTIALITY_OID = "2.16.840.1.113883.5.25"
#: French healthcare facility types (TRE_R02-SecteurActivite) and practice settings (?).
FACILITY_TYPE_OID = "1.2.250.1.71.4.2.4"
PRACTICE_SETTING_OID = "1.2.250.1.213.1.1.4.9"
#: The RPPS-based national identifier of health professionals (``8`` + RPPS).
PROFESSIONAL_ID_OID = "1.2.250.1.71.4.2.1"

#: Libellés of common document type codes (LOINC, JDV_J07-XdsTypeCode-CISIS), used for the
#: PDF rendering name when the caller gives none. Unknown codes fall back to the title.
TYPE_CODE_LABELS: Mapping[str, str] = {
    "11488-4": "CR de consultation",
    "11490-0": "Lettre de sortie",
    "11502-2": "CR d'examens biologiques",
    "11526-1": "CR d'anatomie et de cytologie pathologiques",
    "18748-4": "CR d'imagerie médicale",
    "34794-8": "CR de RCP",
    "57833-6": "Prescription de produits de santé",
    "60591-5": "Synthèse médicale",
}


@dataclass(frozen=True)
class DocumentAuthor:
    """Who wrote a document Pli packages (CDA ``author``, XDS ``author``).

    Attributes:
        person_id: the national professional id (``8`` + RPPS), empty when unknown.
        name: the author's name.
        institution: the practice or establishment.
    """

    person_id: str = ""
    name: PersonName = field(default_factory=PersonName)
    institution: str = ""


@dataclass(frozen=True)
class OutgoingDocument:
    """The facts of a document Pli sends as CDA R2 level 1 in ``IHE_XDM.zip``.

    Attributes:
        title: the CDA title and XDS name; also the subject's libellé.
        type_code: the document type (LOINC).
        act_date: the date of the act (PDF name, ``serviceStartTime``); today when unknown.
        class_code: the XDS class (defaults to "Compte rendu") (?).
        confidentiality: the confidentiality code.
        facility_type: the XDS healthcareFacilityTypeCode (?).
        practice_setting: the XDS practiceSettingCode (?).
        file_number: the patient's file number, appended to the PDF name when given.
    """

    title: str
    type_code: CodedValue
    act_date: date | None = None
    class_code: CodedValue = field(
        default_factory=lambda: CodedValue("10", CLASS_CODE_OID, "Compte rendu")
    )
    confidentiality: CodedValue = field(
        default_factory=lambda: CodedValue("N", CONFIDENTIALITY_OID, "Normal")
    )
    facility_type: CodedValue = field(
        default_factory=lambda: CodedValue("SA07", FACILITY_TYPE_OID, "Cabinet individuel")
    )
    practice_setting: CodedValue = field(
        default_factory=lambda: CodedValue("AMBULATOIRE", PRACTICE_SETTING_OID, "Ambulatoire")
    )
    file_number: str | None = None

    @property
    def type_label(self) -> str:
        """The type's libellé: its display name, the known label of its code, or the title."""
        return self.type_code.display or TYPE_CODE_LABELS.get(self.type_code.code) or self.title
