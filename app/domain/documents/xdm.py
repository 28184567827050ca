"""XDM packages (``IHE_XDM.zip``) and their documents as read and checked, and HL7 dates."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from app.domain.documents.kinds import Problem
from app.domain.documents.media import PdfInfo
from app.domain.documents.patients import CodedValue, PatientId, PersonName
from app.domain.documents.versions import CdaIdentity, VersionRelation


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
