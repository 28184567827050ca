"""Writing ``IHE_XDM.zip``: a PDF sent to professionals as a CDA R2 level-1 document.

IHE ITI TF-1 §16 / TF-3 §4.2 (XDM media, ebRIM 3.0 metadata) with the French CI-SIS codes
(spec §3): the zip holds ``INDEX.HTM``, ``README.TXT``, ``IHE_XDM/SUBSET01/METADATA.XML``
(one ``XDSSubmissionSet`` with one ``XDSDocumentEntry``) and the CDA document
``IHE_XDM/SUBSET01/DOC0001.XML``. The message carrying it gets the subject
``XDM/1.0/DDM+…``, the headers ``X-MSS-CODECDA`` and ``X-MSS-INS``, and the PDF beside it
under its standard name; this module computes all of them so that the sending side only
assembles the message.
"""

from __future__ import annotations

import hashlib
import io
import uuid
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from xml.sax.saxutils import escape, quoteattr

from app import __version__
from app.documents.cda import build_level1
from app.documents.sniffing import detect_kind
from app.documents.xmltext import xml_safe
from app.domain.documents import (
    CodedValue,
    DocumentAuthor,
    DocumentKind,
    OutgoingDocument,
    PatientIdentity,
    pdf_rendering_name,
    x_mss_codecda,
    x_mss_ins,
    xdm_subject,
)
from app.domain.errors import DocumentError

#: ebRIM 3.0 namespaces (OASIS regrep 3.0).
RIM_NS = "urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0"
LCM_NS = "urn:oasis:names:tc:ebxml-regrep:xsd:lcm:3.0"

# XDS identifiers (IHE ITI TF-3 §4.2.5): classification schemes, identification schemes,
# object types. Readers find metadata by these, never by element position.
SUBMISSION_SET_NODE = "urn:uuid:a54d6aa5-d40d-43f9-88c5-b4633d873bdd"
SUBMISSION_SET_UNIQUE_ID = "urn:uuid:96fdda7c-d067-4183-912e-bf5ee74998a8"
SUBMISSION_SET_SOURCE_ID = "urn:uuid:554ac39e-e3fe-47fe-b233-965d2a147832"
SUBMISSION_SET_PATIENT_ID = "urn:uuid:6b5aea1a-874d-4603-a4bc-96a0a7b38446"
SUBMISSION_SET_AUTHOR = "urn:uuid:a7058bb9-b4e4-4307-ba5b-e3f0ab85e12d"
DOCUMENT_ENTRY_TYPE = "urn:uuid:7edca82f-054d-47f2-a032-9b2a5b5186c1"
DOCUMENT_ENTRY_UNIQUE_ID = "urn:uuid:2e82c1f6-a085-4c72-9da3-8640a32e42ab"
DOCUMENT_ENTRY_PATIENT_ID = "urn:uuid:58a6f841-87b3-4a3e-92fd-a8ffeff98427"
DOCUMENT_ENTRY_AUTHOR = "urn:uuid:93606bcf-9494-43ec-9b4e-a7748d1a838d"
DOCUMENT_ENTRY_CLASS_CODE = "urn:uuid:41a5887f-8865-4c09-adf7-e362475b143a"
DOCUMENT_ENTRY_TYPE_CODE = "urn:uuid:f0306f51-975f-434e-a61c-c59651d33983"
DOCUMENT_ENTRY_FORMAT_CODE = "urn:uuid:a09d5840-386c-46f2-b5ad-9c3699a4309d"
DOCUMENT_ENTRY_CONFIDENTIALITY = "urn:uuid:f4f85eac-e6cb-4883-b524-f2705394840f"
DOCUMENT_ENTRY_FACILITY_TYPE = "urn:uuid:f33fb8ac-18af-42cc-ae0e-ed0b0bdb91e1"
DOCUMENT_ENTRY_PRACTICE_SETTING = "urn:uuid:cccf5598-8b07-4b77-a05e-ae952c785ead"
HAS_MEMBER = "urn:oasis:names:tc:ebxml-regrep:AssociationType:HasMember"
APPROVED = "urn:oasis:names:tc:ebxml-regrep:StatusType:Approved"
REGISTRY_PACKAGE_TYPE = "urn:oasis:names:tc:ebxml-regrep:ObjectType:RegistryObject:RegistryPackage"
CLASSIFICATION_TYPE = "urn:oasis:names:tc:ebxml-regrep:ObjectType:RegistryObject:Classification"
EXTERNAL_IDENTIFIER_TYPE = (
    "urn:oasis:names:tc:ebxml-regrep:ObjectType:RegistryObject:ExternalIdentifier"
)

#: IHE XDS-SD format code: a PDF scanned/embedded in a CDA level-1 document.
XDS_SD_PDF_FORMAT = CodedValue(
    "urn:ihe:iti:xds-sd:pdf:2008",
    "1.3.6.1.4.1.19376.1.2.3",
    "Document à corps non structuré en Pdf/A-1",
)
#: Where the submission comes from when the caller says nothing: Pli's own OID under the
#: UUID arc (ISO/IEC 9834-8). An installation declared to the agency should set its own.
DEFAULT_SOURCE_ID = "2.25.193197431766069553208519566093402531870"
SUBSET = "IHE_XDM/SUBSET01"
DOCUMENT_NAME = "DOC0001.XML"
ZIP_NAME = "IHE_XDM.zip"


@dataclass(frozen=True)
class XdmBuild:
    """An XDM package ready to attach, with everything the message needs (spec §3).

    Attributes:
        zip_bytes: ``IHE_XDM.zip``.
        zip_name: its attachment name.
        cda: the CDA level-1 document inside.
        metadata: ``METADATA.XML``.
        document_unique_id: ``XDSDocumentEntry.uniqueId`` (also the CDA ``id``).
        set_id: the CDA ``setId`` (keep it to send a new version later).
        submission_unique_id: ``XDSSubmissionSet.uniqueId``.
        subject: ``XDM/1.0/DDM+<libellé> <NOM> <prénom> <date de naissance>``.
        x_mss_codecda: the ``X-MSS-CODECDA`` header value.
        x_mss_ins: the ``X-MSS-INS`` header value.
        pdf_name: the name of the PDF rendering attached beside the zip.
    """

    zip_bytes: bytes = field(repr=False)
    zip_name: str
    cda: bytes = field(repr=False)
    metadata: bytes = field(repr=False)
    document_unique_id: str
    set_id: str
    submission_unique_id: str
    subject: str
    x_mss_codecda: str
    x_mss_ins: str
    pdf_name: str


def new_oid() -> str:
    """A fresh globally unique OID under the UUID arc ``2.25`` (ISO/IEC 9834-8)."""
    return f"2.25.{uuid.uuid4().int}"


def build_xdm(
    pdf: bytes,
    *,
    patient: PatientIdentity,
    document: OutgoingDocument,
    author: DocumentAuthor | None = None,
    created: datetime | None = None,
    source_id: str = DEFAULT_SOURCE_ID,
    set_id: str | None = None,
    version: int = 1,
) -> XdmBuild:
    """Package `pdf` for professionals: CDA R2 level 1 in an ``IHE_XDM.zip`` (spec §3).

    Pure apart from reading the clock and drawing random ids. `pdf` is checked to be a PDF.
    To send a new version of a document sent before, pass its `set_id` and a higher
    `version`.

    Raises:
        DocumentError: ``xdm.not_pdf`` when `pdf` is not a PDF.
    """
    if detect_kind(pdf) is not DocumentKind.PDF:
        raise DocumentError("xdm.not_pdf")
    created = (created or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    author = author or DocumentAuthor()
    document_id = new_oid()
    set_id = set_id or new_oid()
    submission_id = new_oid()
    cda = build_level1(
        pdf,
        patient=patient,
        document=document,
        author=author,
        document_id=document_id,
        set_id=set_id,
        created=created,
        version=version,
    )
    metadata = _metadata(
        cda,
        patient=patient,
        document=document,
        author=author,
        created=created,
        document_unique_id=document_id,
        submission_unique_id=submission_id,
        source_id=source_id,
    )
    act = document.act_date or created.date()
    pdf_name = pdf_rendering_name(
        act, document.type_label, patient.family, patient.given, document.file_number
    )
    files = {
        "INDEX.HTM": _index_htm(document, created).encode("utf-8"),
        "README.TXT": _readme(created).encode("utf-8"),
        f"{SUBSET}/METADATA.XML": metadata,
        f"{SUBSET}/{DOCUMENT_NAME}": cda,
    }
    return XdmBuild(
        zip_bytes=_zip(files, created),
        zip_name=ZIP_NAME,
        cda=cda,
        metadata=metadata,
        document_unique_id=document_id,
        set_id=set_id,
        submission_unique_id=submission_id,
        subject=xdm_subject(document.title, patient.family, patient.given, patient.birth_date),
        x_mss_codecda=x_mss_codecda([document.type_code.code]),
        x_mss_ins=x_mss_ins(patient.patient_id.is_qualified_ins),
        pdf_name=pdf_name,
    )


def _zip(files: dict[str, bytes], created: datetime) -> bytes:
    buffer = io.BytesIO()
    stamp = created.timetuple()[:6]
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for folder in ("IHE_XDM/", f"{SUBSET}/"):
            info = zipfile.ZipInfo(folder, date_time=stamp)
            info.external_attr = 0o40755 << 16
            archive.writestr(info, b"")
        for name, data in files.items():
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o100644 << 16
            archive.writestr(info, data)
    return buffer.getvalue()


def _metadata(
    cda: bytes,
    *,
    patient: PatientIdentity,
    document: OutgoingDocument,
    author: DocumentAuthor,
    created: datetime,
    document_unique_id: str,
    submission_unique_id: str,
    source_id: str,
) -> bytes:
    stamp = created.strftime("%Y%m%d%H%M%S")
    pid = patient.patient_id.cx()
    submission = f"urn:uuid:{uuid.uuid4()}"
    entry = f"urn:uuid:{uuid.uuid4()}"
    w = _Writer()
    w.line('<?xml version="1.0" encoding="UTF-8"?>')
    w.open("lcm:SubmitObjectsRequest", {"xmlns:lcm": LCM_NS, "xmlns:rim": RIM_NS})
    w.open("rim:RegistryObjectList")

    # XDSSubmissionSet
    w.open(
        "rim:RegistryPackage",
        {"id": submission, "objectType": REGISTRY_PACKAGE_TYPE, "status": APPROVED},
    )
    w.slot("submissionTime", [stamp])
    w.name(document.title)
    w.author(submission, SUBMISSION_SET_AUTHOR, author)
    w.empty(
        "rim:Classification",
        {
            "id": _uuid(),
            "objectType": CLASSIFICATION_TYPE,
            "classificationNode": SUBMISSION_SET_NODE,
            "classifiedObject": submission,
        },
    )
    w.external_id(submission, SUBMISSION_SET_PATIENT_ID, pid, "XDSSubmissionSet.patientId")
    w.external_id(submission, SUBMISSION_SET_SOURCE_ID, source_id, "XDSSubmissionSet.sourceId")
    w.external_id(
        submission, SUBMISSION_SET_UNIQUE_ID, submission_unique_id, "XDSSubmissionSet.uniqueId"
    )
    w.close("rim:RegistryPackage")

    # XDSDocumentEntry
    w.open(
        "rim:ExtrinsicObject",
        {
            "id": entry,
            "mimeType": "text/xml",
            "objectType": DOCUMENT_ENTRY_TYPE,
            "status": APPROVED,
        },
    )
    w.slot("creationTime", [stamp])
    w.slot("hash", [hashlib.sha1(cda, usedforsecurity=False).hexdigest()])  # XDS: SHA-1
    w.slot("size", [str(len(cda))])
    w.slot("URI", [DOCUMENT_NAME])
    w.slot("languageCode", ["fr-FR"])
    if document.act_date is not None:
        w.slot("serviceStartTime", [document.act_date.strftime("%Y%m%d")])
    w.slot("sourcePatientId", [pid])
    info = [f"PID-5|{patient.family.upper()}^{patient.given}^^^^^L"]
    if patient.birth_date is not None:
        info.append(f"PID-7|{patient.birth_date.strftime('%Y%m%d')}")
    info.append(f"PID-8|{patient.sex.upper() if patient.sex.upper() in ('M', 'F') else 'U'}")
    w.slot("sourcePatientInfo", info)
    w.name(document.title)
    w.author(entry, DOCUMENT_ENTRY_AUTHOR, author)
    w.coded(entry, DOCUMENT_ENTRY_CLASS_CODE, document.class_code)
    w.coded(entry, DOCUMENT_ENTRY_CONFIDENTIALITY, document.confidentiality)
    w.coded(entry, DOCUMENT_ENTRY_FORMAT_CODE, XDS_SD_PDF_FORMAT)
    w.coded(entry, DOCUMENT_ENTRY_FACILITY_TYPE, document.facility_type)
    w.coded(entry, DOCUMENT_ENTRY_PRACTICE_SETTING, document.practice_setting)
    type_code = document.type_code
    if not type_code.display:
        type_code = CodedValue(type_code.code, type_code.scheme, document.type_label)
    w.coded(entry, DOCUMENT_ENTRY_TYPE_CODE, type_code)
    w.external_id(entry, DOCUMENT_ENTRY_PATIENT_ID, pid, "XDSDocumentEntry.patientId")
    w.external_id(entry, DOCUMENT_ENTRY_UNIQUE_ID, document_unique_id, "XDSDocumentEntry.uniqueId")
    w.close("rim:ExtrinsicObject")

    w.open(
        "rim:Association",
        {
            "id": _uuid(),
            "associationType": HAS_MEMBER,
            "sourceObject": submission,
            "targetObject": entry,
        },
    )
    w.slot("SubmissionSetStatus", ["Original"])
    w.close("rim:Association")
    w.close("rim:RegistryObjectList")
    w.close("lcm:SubmitObjectsRequest")
    return w.bytes()


def _uuid() -> str:
    return f"urn:uuid:{uuid.uuid4()}"


class _Writer:
    """An indenting XML writer for the fixed ebRIM shapes (values escaped, controls dropped)."""

    def __init__(self) -> None:
        self._lines: list[str] = []
        self._depth = 0

    def line(self, text: str) -> None:
        self._lines.append("  " * self._depth + text)

    def open(self, tag: str, attrs: dict[str, str] | None = None) -> None:
        self.line(f"<{tag}{_attrs(attrs)}>")
        self._depth += 1

    def close(self, tag: str) -> None:
        self._depth -= 1
        self.line(f"</{tag}>")

    def empty(self, tag: str, attrs: dict[str, str]) -> None:
        self.line(f"<{tag}{_attrs(attrs)}/>")

    def slot(self, name: str, values: list[str]) -> None:
        self.open("rim:Slot", {"name": name})
        self.open("rim:ValueList")
        for value in values:
            self.line(f"<rim:Value>{escape(xml_safe(value))}</rim:Value>")
        self.close("rim:ValueList")
        self.close("rim:Slot")

    def name(self, text: str) -> None:
        self.open("rim:Name")
        self.empty("rim:LocalizedString", {"xml:lang": "fr-FR", "charset": "UTF-8", "value": text})
        self.close("rim:Name")

    def coded(self, owner: str, scheme: str, value: CodedValue) -> None:
        self.open(
            "rim:Classification",
            {
                "id": _uuid(),
                "objectType": CLASSIFICATION_TYPE,
                "classificationScheme": scheme,
                "classifiedObject": owner,
                "nodeRepresentation": value.code,
            },
        )
        self.slot("codingScheme", [value.scheme])
        self.name(value.display or value.code)
        self.close("rim:Classification")

    def author(self, owner: str, scheme: str, author: DocumentAuthor) -> None:
        self.open(
            "rim:Classification",
            {
                "id": _uuid(),
                "objectType": CLASSIFICATION_TYPE,
                "classificationScheme": scheme,
                "classifiedObject": owner,
                "nodeRepresentation": "",
            },
        )
        person = (
            f"{_hl7(author.person_id)}^{_hl7(author.name.family.upper())}"
            f"^{_hl7(author.name.given)}^^^^^^&1.2.250.1.71.4.2.1&ISO^D^^^IDNPS"
            if author.person_id
            else f"^{_hl7(author.name.family.upper())}^{_hl7(author.name.given)}"
        )
        if person.strip("^"):
            self.slot("authorPerson", [person])
        if author.institution:
            self.slot("authorInstitution", [_hl7(author.institution)])
        self.close("rim:Classification")

    def external_id(self, owner: str, scheme: str, value: str, label: str) -> None:
        self.open(
            "rim:ExternalIdentifier",
            {
                "id": _uuid(),
                "objectType": EXTERNAL_IDENTIFIER_TYPE,
                "identificationScheme": scheme,
                "registryObject": owner,
                "value": value,
            },
        )
        self.name(label)
        self.close("rim:ExternalIdentifier")

    def bytes(self) -> bytes:
        return ("\n".join(self._lines) + "\n").encode("utf-8")


def _attrs(attrs: dict[str, str] | None) -> str:
    if not attrs:
        return ""
    return "".join(f" {key}={quoteattr(xml_safe(value))}" for key, value in attrs.items())


def _hl7(text: str) -> str:
    """A value safe inside an HL7 v2 composite (no component/subcomponent separators)."""
    for separator in "^&~|\\":
        text = text.replace(separator, " ")
    return text.strip()


def _index_htm(document: OutgoingDocument, created: datetime) -> str:
    # IHE ITI TF-1 §16.1.1: INDEX.HTM lists the content for a person with a browser. The
    # patient's name is not repeated here: the package may be opened on shared machines.
    title = escape(xml_safe(document.title))
    return (
        "<!DOCTYPE html>\n"
        '<html lang="fr">\n<head><meta charset="utf-8"><title>IHE XDM</title></head>\n'
        "<body>\n<h1>Documents de santé (IHE XDM)</h1>\n"
        f"<p>Créé le {created.strftime('%d/%m/%Y à %H:%M')} UTC par Pli {escape(__version__)}."
        "</p>\n"
        f'<ul>\n<li><a href="{SUBSET}/{DOCUMENT_NAME}">{title}</a> (CDA R2, PDF inclus)</li>\n'
        f'<li><a href="{SUBSET}/METADATA.XML">Métadonnées XDS (ebRIM 3.0)</a></li>\n</ul>\n'
        '<p><a href="README.TXT">README.TXT</a></p>\n'
        "</body>\n</html>\n"
    )


def _readme(created: datetime) -> str:
    # IHE ITI TF-1 §16.1.1: README.TXT names the application that created the media.
    return (
        "IHE XDM - Portable Media\r\n"
        "\r\n"
        f"Application : Pli {__version__} (messagerie sécurisée de santé MSSanté)\r\n"
        f"Date de création : {created.strftime('%Y-%m-%d %H:%M:%S')} UTC\r\n"
        "\r\n"
        f"Contenu : {SUBSET}/METADATA.XML (métadonnées XDS, ebRIM 3.0) et le document\r\n"
        f"{SUBSET}/{DOCUMENT_NAME} (CDA R2 niveau 1, PDF inclus).\r\n"
        "Ouvrez INDEX.HTM dans un navigateur pour la liste des documents.\r\n"
    )


def parse_iso_date(text: str | None) -> date | None:
    """``AAAA-MM-JJ`` as a date (command line and forms); None for empty input.

    Raises:
        DocumentError: ``xdm.bad_date`` when not a valid date.
    """
    if not text:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise DocumentError("xdm.bad_date", value=text) from None
