"""What Pli writes: a PDF as a CDA R2 level-1 document in an XDM package (spec §3)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from app.domain.documents.patients import CodedValue, PersonName

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
