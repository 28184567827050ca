"""Documents: what an attachment is, whose it is, and the names MSSanté gives them.

Pure value objects and string rules shared by the document adapter (`app.documents`), the
archive and the sending side. No I/O here: parsing files is `app.documents`' job. One module
per job; this package re-exports their public names, each module imported when one of
its names is first used (PEP 562), so that importing one module of the package (the command
line's `app.domain.documents.naming`) does not import the others:

- `kinds`: kinds of content, MIME types and extensions, the policy's verdicts and problems;
- `media`: what a PDF or an image is;
- `patients`: patient identifiers (INS), coded values, names;
- `versions`: CDA identity and versions (duplicates, newer, older);
- `naming`: subjects, ``X-MSS-*`` headers and the PDF rendering name;
- `filenames`: safe file names;
- `xdm`: XDM packages and HL7 dates;
- `attachments`: a message's attachments and their export;
- `outgoing`: the facts of a document Pli packages itself.

Spec references: §3 (subject ``XDM/1.0/DDM+…``, headers ``X-MSS-CODECDA``/``X-MSS-INS``, the
PDF rendering name), §5 (accepted types, hidden subject prefix, XDM patient identifiers,
duplicates and versions by CDA ``id``/``setId``/``versionNumber``).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from app.domain.documents.attachments import (
        AttachmentInfo,
        ExportedFile,
        ExportItem,
        ExportPlan,
        ExportSkip,
    )
    from app.domain.documents.filenames import (
        MAX_FILENAME_CHARS,
        filename_extension,
        sanitize_filename,
    )
    from app.domain.documents.kinds import (
        ACCEPTED_KINDS,
        DECLARED_MIME_ALIASES,
        DEFAULT_EXTENSIONS,
        EXTENSION_KINDS,
        MIME_TYPES,
        NEUTRAL_MIME_TYPES,
        PATIENT_VIEWABLE_KINDS,
        DocumentKind,
        Problem,
        Verdict,
    )
    from app.domain.documents.media import (
        ImageInfo,
        PdfInfo,
        PdfText,
    )
    from app.domain.documents.naming import (
        XDM_SUBJECT_PREFIX,
        display_subject,
        pdf_rendering_name,
        x_mss_codecda,
        x_mss_ins,
        xdm_subject,
    )
    from app.domain.documents.outgoing import (
        CLASS_CODE_OID,
        CONFIDENTIALITY_OID,
        FACILITY_TYPE_OID,
        LOINC_OID,
        PRACTICE_SETTING_OID,
        PROFESSIONAL_ID_OID,
        TYPE_CODE_LABELS,
        DocumentAuthor,
        OutgoingDocument,
    )
    from app.domain.documents.patients import (
        INS_DEMO_OID,
        INS_NIA_OID,
        INS_NIR_OID,
        INS_TEST_OID,
        KIND_OIDS,
        OID_KINDS,
        CodedValue,
        PatientId,
        PatientIdentity,
        PatientIdKind,
        PersonName,
    )
    from app.domain.documents.versions import (
        CdaIdentity,
        VersionRelation,
        classify_version,
    )
    from app.domain.documents.xdm import (
        CdaInfo,
        XdmDocument,
        XdmPackage,
        XdsAuthor,
        parse_dtm,
        parse_hl7_date,
    )
__all__ = [
    "ACCEPTED_KINDS",
    "CLASS_CODE_OID",
    "CONFIDENTIALITY_OID",
    "DECLARED_MIME_ALIASES",
    "DEFAULT_EXTENSIONS",
    "EXTENSION_KINDS",
    "FACILITY_TYPE_OID",
    "INS_DEMO_OID",
    "INS_NIA_OID",
    "INS_NIR_OID",
    "INS_TEST_OID",
    "KIND_OIDS",
    "LOINC_OID",
    "MAX_FILENAME_CHARS",
    "MIME_TYPES",
    "NEUTRAL_MIME_TYPES",
    "OID_KINDS",
    "PATIENT_VIEWABLE_KINDS",
    "PRACTICE_SETTING_OID",
    "PROFESSIONAL_ID_OID",
    "TYPE_CODE_LABELS",
    "XDM_SUBJECT_PREFIX",
    "AttachmentInfo",
    "CdaIdentity",
    "CdaInfo",
    "CodedValue",
    "DocumentAuthor",
    "DocumentKind",
    "ExportItem",
    "ExportPlan",
    "ExportSkip",
    "ExportedFile",
    "ImageInfo",
    "OutgoingDocument",
    "PatientId",
    "PatientIdKind",
    "PatientIdentity",
    "PdfInfo",
    "PdfText",
    "PersonName",
    "Problem",
    "Verdict",
    "VersionRelation",
    "XdmDocument",
    "XdmPackage",
    "XdsAuthor",
    "classify_version",
    "display_subject",
    "filename_extension",
    "parse_dtm",
    "parse_hl7_date",
    "pdf_rendering_name",
    "sanitize_filename",
    "x_mss_codecda",
    "x_mss_ins",
    "xdm_subject",
]

#: The module of this package that defines each public name.
_HOMES: dict[str, str] = {
    "ACCEPTED_KINDS": "kinds",
    "CLASS_CODE_OID": "outgoing",
    "CONFIDENTIALITY_OID": "outgoing",
    "DECLARED_MIME_ALIASES": "kinds",
    "DEFAULT_EXTENSIONS": "kinds",
    "EXTENSION_KINDS": "kinds",
    "FACILITY_TYPE_OID": "outgoing",
    "INS_DEMO_OID": "patients",
    "INS_NIA_OID": "patients",
    "INS_NIR_OID": "patients",
    "INS_TEST_OID": "patients",
    "KIND_OIDS": "patients",
    "LOINC_OID": "outgoing",
    "MAX_FILENAME_CHARS": "filenames",
    "MIME_TYPES": "kinds",
    "NEUTRAL_MIME_TYPES": "kinds",
    "OID_KINDS": "patients",
    "PATIENT_VIEWABLE_KINDS": "kinds",
    "PRACTICE_SETTING_OID": "outgoing",
    "PROFESSIONAL_ID_OID": "outgoing",
    "TYPE_CODE_LABELS": "outgoing",
    "XDM_SUBJECT_PREFIX": "naming",
    "AttachmentInfo": "attachments",
    "CdaIdentity": "versions",
    "CdaInfo": "xdm",
    "CodedValue": "patients",
    "DocumentAuthor": "outgoing",
    "DocumentKind": "kinds",
    "ExportItem": "attachments",
    "ExportPlan": "attachments",
    "ExportSkip": "attachments",
    "ExportedFile": "attachments",
    "ImageInfo": "media",
    "OutgoingDocument": "outgoing",
    "PatientId": "patients",
    "PatientIdKind": "patients",
    "PatientIdentity": "patients",
    "PdfInfo": "media",
    "PdfText": "media",
    "PersonName": "patients",
    "Problem": "kinds",
    "Verdict": "kinds",
    "VersionRelation": "versions",
    "XdmDocument": "xdm",
    "XdmPackage": "xdm",
    "XdsAuthor": "xdm",
    "classify_version": "versions",
    "display_subject": "naming",
    "filename_extension": "filenames",
    "parse_dtm": "xdm",
    "parse_hl7_date": "xdm",
    "pdf_rendering_name": "naming",
    "sanitize_filename": "filenames",
    "x_mss_codecda": "naming",
    "x_mss_ins": "naming",
    "xdm_subject": "naming",
}

if not TYPE_CHECKING:  # for the type checker, the names are the imports above

    def __getattr__(name: str) -> Any:
        """A public name, its module imported on first use."""
        home = _HOMES.get(name)
        if home is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
        globals()[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted(set(globals()) | set(__all__))
