"""HL7 CDA R2 documents: reading their header and body, writing a level-1 document.

Reading: the header facts that identify the document and its versions (``id``, ``setId``,
``versionNumber``), its type, title and patient; the body either as the embedded file of a
level-1 document (``nonXMLBody/text``, base64) or, for a structured document, its narrative
rendered as readable text (sections, paragraphs, lists, tables).

Writing: a PDF wrapped as a CI-SIS CDA R2 level-1 document (IHE XDS-SD), which is how a PDF
travels in an ``IHE_XDM.zip`` (spec §3).

Parsing uses defusedxml with DTDs forbidden (no entity expansion, no external fetch).
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from xml.etree.ElementTree import Element
from xml.sax.saxutils import escape, quoteattr

import defusedxml.ElementTree as DefusedET

from app.documents.xmltext import attr, el, render, xml_safe
from app.domain.documents import (
    CdaIdentity,
    CdaInfo,
    CodedValue,
    DocumentAuthor,
    OutgoingDocument,
    PatientId,
    PatientIdentity,
    PersonName,
    parse_hl7_date,
)
from app.domain.errors import DocumentError

HL7_NS = "urn:hl7-org:v3"
_N = f"{{{HL7_NS}}}"
#: Largest CDA Pli parses (a level-1 document carries its PDF, base64: a third bigger).
MAX_CDA_BYTES = 100 * 1024 * 1024
#: Longest narrative rendered (characters); the rest is cut.
MAX_NARRATIVE_CHARS = 1_000_000
_MAX_DEPTH = 64

#: Template ids of a CI-SIS level-1 document: HL7 France, CI-SIS, IHE XDS-SD (CDA R2 N1).
LEVEL1_TEMPLATE_IDS = (
    "2.16.840.1.113883.2.8.2.1",
    "1.2.250.1.213.1.1.1.1",
    "1.3.6.1.4.1.19376.1.2.20",
)
_GENDER = {"M": "M", "F": "F"}


@dataclass(frozen=True)
class CdaDocument:
    """A parsed CDA: its facts and, for level 1, the embedded file.

    Attributes:
        info: header facts, body level, narrative.
        embedded: the decoded ``nonXMLBody`` content (usually a PDF), None otherwise.
        problems: codes of what was wrong but not fatal (``cda.embedded_undecodable``).
    """

    info: CdaInfo
    embedded: bytes | None = field(default=None, repr=False)
    problems: tuple[str, ...] = ()


def parse_cda(data: bytes) -> CdaDocument:
    """Read a CDA R2 document.

    Blocking, CPU-bound.

    Raises:
        DocumentError: ``cda.malformed`` (not well-formed XML, a DTD, or not a
            ``ClinicalDocument``), ``cda.too_large``.
    """
    if len(data) > MAX_CDA_BYTES:
        raise DocumentError("cda.too_large", limit=MAX_CDA_BYTES)
    try:
        root = DefusedET.fromstring(data, forbid_dtd=True)
    except Exception:  # noqa: BLE001 - ParseError, DTDForbidden, EntitiesForbidden…
        raise DocumentError("cda.malformed") from None
    if root.tag != f"{_N}ClinicalDocument":
        raise DocumentError("cda.malformed")
    identity = CdaIdentity(
        document_id=_ii(root.find(f"{_N}id")),
        set_id=_ii(root.find(f"{_N}setId")),
        version=_int(attr(root.find(f"{_N}versionNumber"), "value")),
    )
    code_el = root.find(f"{_N}code")
    code = (
        CodedValue(attr(code_el, "code"), attr(code_el, "codeSystem"), attr(code_el, "displayName"))
        if code_el is not None and attr(code_el, "code")
        else None
    )
    role = root.find(f"{_N}recordTarget/{_N}patientRole")
    patient_ids: list[PatientId] = []
    name = PersonName()
    birth = None
    if role is not None:
        for pid in role.findall(f"{_N}id"):
            root_oid, extension = attr(pid, "root"), attr(pid, "extension")
            if root_oid and extension:
                patient_ids.append(PatientId.of(extension, root_oid, "NH"))
        patient = role.find(f"{_N}patient")
        if patient is not None:
            name = _name(patient.find(f"{_N}name"))
            birth = parse_hl7_date(attr(patient.find(f"{_N}birthTime"), "value"))
    body = root.find(f"{_N}component/{_N}nonXMLBody")
    embedded: bytes | None = None
    problems: list[str] = []
    media_type = ""
    narrative = ""
    level = 3
    if body is not None:
        level = 1
        text_el = body.find(f"{_N}text")
        media_type = attr(text_el, "mediaType")
        if text_el is not None and attr(text_el, "representation").upper() == "B64":
            payload = re.sub(r"\s+", "", text_el.text or "")
            try:
                embedded = base64.b64decode(payload, validate=True)
            except (binascii.Error, ValueError):
                problems.append("cda.embedded_undecodable")
        elif text_el is not None:
            narrative = (text_el.text or "").strip()[:MAX_NARRATIVE_CHARS]
    else:
        structured = root.find(f"{_N}component/{_N}structuredBody")
        if structured is not None:
            narrative = render_narrative(structured)
    info = CdaInfo(
        identity=identity,
        code=code,
        title=el(root.find(f"{_N}title")),
        effective_time=attr(root.find(f"{_N}effectiveTime"), "value"),
        patient_ids=tuple(patient_ids),
        patient_name=name,
        birth_date=birth,
        level=level,
        media_type=media_type,
        narrative=narrative,
    )
    return CdaDocument(info, embedded, tuple(problems))


def render_narrative(structured_body: Element) -> str:
    """A structured body's sections as readable text: titles underlined, blocks as lines."""
    lines: list[str] = []
    for section in structured_body.findall(f"{_N}component/{_N}section"):
        _render_section(section, lines, depth=0)
    text = "\n".join(lines).strip("\n")
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text[:MAX_NARRATIVE_CHARS]


def _render_section(section: Element, lines: list[str], depth: int) -> None:
    if depth > _MAX_DEPTH:
        return
    title = el(section.find(f"{_N}title"))
    if title:
        lines.append("")
        lines.append(title)
        lines.append(("=" if depth == 0 else "-") * min(len(title), 80))
    text = section.find(f"{_N}text")
    if text is not None:
        lines.extend(render(text, HL7_NS))
    for sub in section.findall(f"{_N}component/{_N}section"):
        _render_section(sub, lines, depth + 1)


def build_level1(
    pdf: bytes,
    *,
    patient: PatientIdentity,
    document: OutgoingDocument,
    author: DocumentAuthor,
    document_id: str,
    set_id: str,
    created: datetime,
    version: int = 1,
) -> bytes:
    """A CI-SIS CDA R2 level-1 document embedding `pdf` (IHE XDS-SD structure).

    Pure (no I/O). `document_id` and `set_id` are OIDs (``2.25.<uuid>`` does).
    """
    stamp = created.astimezone(UTC).strftime("%Y%m%d%H%M%S+0000")
    pid = patient.patient_id
    gender = _GENDER.get(patient.sex.upper(), "UN")
    out: list[str] = ['<?xml version="1.0" encoding="UTF-8"?>']
    out.append(
        f'<ClinicalDocument xmlns="{HL7_NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
    )
    out.append('  <realmCode code="FR"/>')
    out.append('  <typeId root="2.16.840.1.113883.1.3" extension="POCD_HD000040"/>')
    out.extend(f"  <templateId root={_q(t)}/>" for t in LEVEL1_TEMPLATE_IDS)
    out.append(f"  <id root={_q(document_id)}/>")
    out.append(f"  <code {_coded(document.type_code, document.type_label)}/>")
    out.append(f"  <title>{_x(document.title)}</title>")
    out.append(f"  <effectiveTime value={_q(stamp)}/>")
    out.append(f"  <confidentialityCode {_coded(document.confidentiality)}/>")
    out.append('  <languageCode code="fr-FR"/>')
    out.append(f"  <setId root={_q(set_id)}/>")
    out.append(f'  <versionNumber value="{int(version)}"/>')
    out.append("  <recordTarget>")
    out.append("    <patientRole>")
    out.append(f"      <id root={_q(pid.oid)} extension={_q(pid.value)}/>")
    out.append("      <patient>")
    out.append("        <name>")
    out.append(f'          <family qualifier="BR">{_x(patient.family.upper())}</family>')
    out.append(f"          <given>{_x(patient.given)}</given>")
    out.append("        </name>")
    out.append(
        f'        <administrativeGenderCode code="{gender}" codeSystem="2.16.840.1.113883.5.1"/>'
    )
    if patient.birth_date is not None:
        out.append(f'        <birthTime value="{patient.birth_date.strftime("%Y%m%d")}"/>')
    else:
        out.append('        <birthTime nullFlavor="UNK"/>')
    out.append("      </patient>")
    out.append("    </patientRole>")
    out.append("  </recordTarget>")
    out.append("  <author>")
    out.append(f"    <time value={_q(stamp)}/>")
    out.append("    <assignedAuthor>")
    out.extend(f"      {line}" for line in _author_lines(author))
    out.append("    </assignedAuthor>")
    out.append("  </author>")
    out.append("  <custodian>")
    out.append("    <assignedCustodian>")
    out.append("      <representedCustodianOrganization>")
    out.append('        <id nullFlavor="UNK"/>')
    if author.institution:
        out.append(f"        <name>{_x(author.institution)}</name>")
    out.append("      </representedCustodianOrganization>")
    out.append("    </assignedCustodian>")
    out.append("  </custodian>")
    if document.act_date is not None:
        out.append("  <documentationOf>")
        out.append("    <serviceEvent>")
        out.append("      <effectiveTime>")
        out.append(f'        <low value="{document.act_date.strftime("%Y%m%d")}"/>')
        out.append("      </effectiveTime>")
        out.append("    </serviceEvent>")
        out.append("  </documentationOf>")
    out.append("  <component>")
    out.append("    <nonXMLBody>")
    encoded = base64.encodebytes(pdf).decode("ascii")
    out.append(f'      <text mediaType="application/pdf" representation="B64">\n{encoded}</text>')
    out.append("    </nonXMLBody>")
    out.append("  </component>")
    out.append("</ClinicalDocument>")
    return ("\n".join(out) + "\n").encode("utf-8")


def _author_lines(author: DocumentAuthor) -> Iterator[str]:
    if author.person_id:
        yield f'<id root="1.2.250.1.71.4.2.1" extension={_q(author.person_id)}/>'
    else:
        yield '<id nullFlavor="UNK"/>'
    if author.name.family or author.name.given:
        yield "<assignedPerson>"
        yield "  <name>"
        if author.name.given:
            yield f"    <given>{_x(author.name.given)}</given>"
        if author.name.family:
            yield f"    <family>{_x(author.name.family.upper())}</family>"
        yield "  </name>"
        yield "</assignedPerson>"
    if author.institution:
        yield "<representedOrganization>"
        yield f"  <name>{_x(author.institution)}</name>"
        yield "</representedOrganization>"


def _coded(value: CodedValue, display: str = "") -> str:
    shown = value.display or display
    text = f"code={_q(value.code)} codeSystem={_q(value.scheme)}"
    return f"{text} displayName={_q(shown)}" if shown else text


def _ii(element: Element | None) -> str:
    """An HL7 II as one string: ``root`` or ``root^extension``."""
    root, extension = attr(element, "root"), attr(element, "extension")
    if not root:
        return ""
    return f"{root}^{extension}" if extension else root


def _name(element: Element | None) -> PersonName:
    if element is None:
        return PersonName()
    families = element.findall(f"{_N}family")
    # Prefer the birth name (qualifier BR), as the INS rules do.
    family = next((f for f in families if attr(f, "qualifier") == "BR"), None)
    family = family if family is not None else (families[0] if families else None)
    givens = element.findall(f"{_N}given")
    given = next((g for g in givens if attr(g, "qualifier") in ("", "BR")), None)
    given = given if given is not None else (givens[0] if givens else None)
    return PersonName(el(family), el(given))


def _int(text: str) -> int | None:
    try:
        return int(text)
    except ValueError:
        return None


def _x(text: str) -> str:
    return escape(xml_safe(text))


def _q(text: str) -> str:
    return quoteattr(xml_safe(text))
