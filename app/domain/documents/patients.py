"""Patients and coded values as IHE XDS and HL7 write them (spec §5).

Identifier domains and the INS, coded values, people's names.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from app.domain.addresses import Ins

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
