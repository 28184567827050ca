"""IHE XDM: what Pli writes it reads back identically; hand-made packages with faults."""

from __future__ import annotations

import base64
import copy
import hashlib
import io
import re
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime
from xml.etree import ElementTree as ET

import docfactories as make
import pytest

from app.documents.cda import parse_cda
from app.documents.xdm_reader import package_headers, read_xdm
from app.documents.xdm_writer import (
    DOCUMENT_ENTRY_AUTHOR,
    DOCUMENT_ENTRY_CLASS_CODE,
    DOCUMENT_ENTRY_CONFIDENTIALITY,
    DOCUMENT_ENTRY_FACILITY_TYPE,
    DOCUMENT_ENTRY_FORMAT_CODE,
    DOCUMENT_ENTRY_PATIENT_ID,
    DOCUMENT_ENTRY_PRACTICE_SETTING,
    DOCUMENT_ENTRY_TYPE,
    DOCUMENT_ENTRY_TYPE_CODE,
    DOCUMENT_ENTRY_UNIQUE_ID,
    HAS_MEMBER,
    LCM_NS,
    RIM_NS,
    SUBMISSION_SET_AUTHOR,
    SUBMISSION_SET_NODE,
    SUBMISSION_SET_PATIENT_ID,
    SUBMISSION_SET_SOURCE_ID,
    SUBMISSION_SET_UNIQUE_ID,
    XdmBuild,
    build_xdm,
)
from app.domain.documents import (
    INS_DEMO_OID,
    INS_NIR_OID,
    INS_TEST_OID,
    PatientIdKind,
    VersionRelation,
)
from app.domain.errors import DocumentError

R = f"{{{RIM_NS}}}"
H = "{urn:hl7-org:v3}"
META = "IHE_XDM/SUBSET01/METADATA.XML"
DOC = "IHE_XDM/SUBSET01/DOC0001.XML"
CREATED = datetime(2024, 2, 20, 9, 30, 15, tzinfo=UTC)


@pytest.fixture(scope="module")
def pdf() -> bytes:
    return make.text_pdf(2, marker="Figatellix")


@pytest.fixture(scope="module")
def built(pdf: bytes) -> XdmBuild:
    return build_xdm(
        pdf,
        patient=make.patient(),
        document=make.outgoing(),
        author=make.author(),
        created=CREATED,
    )


def _files(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {i.filename: archive.read(i) for i in archive.infolist() if not i.is_dir()}


def _rezip(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


def _edit_metadata(built: XdmBuild, edit: Callable[[str], str], **extra: bytes) -> bytes:
    files = _files(built.zip_bytes)
    text = files[META].decode("utf-8")
    edited = edit(text)
    assert edited != text, "the edit must change the metadata"
    files[META] = edited.encode("utf-8")
    files.update({name.replace("__", "/"): data for name, data in extra.items()})
    return _rezip(files)


def _codes(package_problems: object) -> set[str]:
    return {p.code for p in package_problems}  # type: ignore[attr-defined]


# ---------------------------------------------------------------------------------------------
# What Pli writes


def test_written_package_reads_back_identically(built: XdmBuild, pdf: bytes) -> None:
    package = read_xdm(built.zip_bytes)
    assert package.all_problems == ()
    assert not package.has_errors
    pid = package.patient_id
    assert pid is not None
    assert (pid.value, pid.oid, pid.id_type, pid.kind) == (
        make.VALID_INS,
        INS_NIR_OID,
        "NH",
        PatientIdKind.INS_NIR,
    )
    assert pid.is_qualified_ins
    assert (package.patient_name.family, package.patient_name.given) == ("CORSE", "Figatellix")
    assert package.birth_date == make.patient().birth_date
    assert package.submission_unique_id == built.submission_unique_id
    assert package.submission_time == "20240220093015"
    assert package.author is not None
    assert package.author.person_id == "810001234567"
    [doc] = package.documents
    assert doc.title == "ECHOGRAPHIE ABDOMINOPELVIENNE"
    assert doc.mime_type == "text/xml"
    assert doc.unique_id == built.document_unique_id
    assert doc.type_code is not None
    assert (doc.type_code.code, doc.type_code.scheme, doc.type_code.display) == (
        "18748-4",
        "2.16.840.1.113883.6.1",
        "CR d'imagerie médicale",
    )
    assert doc.class_code is not None
    assert doc.class_code.code == "10"
    assert doc.format_code is not None
    assert doc.format_code.code == "urn:ihe:iti:xds-sd:pdf:2008"
    assert doc.confidentiality is not None
    assert doc.confidentiality.code == "N"
    assert doc.author is not None
    assert doc.author.display() == "Marie MARTIN (Cabinet de radiologie)"
    assert doc.creation_time == "20240220093015"
    assert doc.creation_datetime == CREATED
    assert doc.service_start == "20220531"
    assert doc.found
    assert doc.size_ok
    assert doc.hash_ok
    assert doc.trusted
    assert doc.size == len(built.cda)
    assert doc.hash == hashlib.sha1(built.cda).hexdigest()
    assert doc.content == built.cda
    assert doc.pdf == pdf  # the embedded PDF, byte for byte
    assert doc.pdf_info is not None
    assert doc.pdf_info.pages == 2
    assert doc.cda is not None
    assert doc.cda.identity.document_id == built.document_unique_id
    assert doc.cda.identity.set_id == built.set_id
    assert doc.cda.identity.version == 1
    assert doc.cda.level == 1
    assert doc.cda.media_type == "application/pdf"
    assert doc.cda.qualified_ins is not None
    assert doc.relation is VersionRelation.NEW
    assert package_headers(package) == (built.subject, built.x_mss_codecda, built.x_mss_ins)


def test_message_facts(built: XdmBuild) -> None:
    assert built.zip_name == "IHE_XDM.zip"
    assert built.subject == (
        "XDM/1.0/DDM+ECHOGRAPHIE ABDOMINOPELVIENNE CORSE Figatellix 12/10/1988"
    )
    assert (built.x_mss_codecda, built.x_mss_ins) == ("18748-4", "O")
    assert built.pdf_name == "20220531_CR d'imagerie médicale_CORSE_Figatellix.pdf"


def test_test_identity_is_not_a_qualified_ins(pdf: bytes) -> None:
    from dataclasses import replace

    patient = replace(make.patient(), id_kind=PatientIdKind.TEST)
    built = build_xdm(pdf, patient=patient, document=make.outgoing())
    assert built.x_mss_ins == "N"
    package = read_xdm(built.zip_bytes)
    assert package.patient_id is not None
    assert package.patient_id.oid == INS_TEST_OID
    assert _codes(package.problems) == {"xdm.patient_test_oid"}
    assert not package.has_errors


def test_package_layout(built: XdmBuild) -> None:
    files = _files(built.zip_bytes)
    assert set(files) == {"INDEX.HTM", "README.TXT", META, DOC}
    index = files["INDEX.HTM"].decode("utf-8")
    for target in re.findall(r'href="([^"]+)"', index):
        assert target in files
    assert "Pli" in files["README.TXT"].decode("utf-8")
    assert make.VALID_INS not in index  # no patient data in the browsable index


def test_metadata_is_ebrim_with_standard_identifiers(built: XdmBuild) -> None:
    root = ET.fromstring(_files(built.zip_bytes)[META])
    assert root.tag == f"{{{LCM_NS}}}SubmitObjectsRequest"
    [object_list] = root.findall(f"{R}RegistryObjectList")
    ids = [e.get("id") for e in object_list.iter() if e.get("id")]
    assert len(ids) == len(set(ids))
    assert all(i.startswith("urn:uuid:") for i in ids)

    [package] = object_list.findall(f"{R}RegistryPackage")
    [entry] = object_list.findall(f"{R}ExtrinsicObject")
    [association] = object_list.findall(f"{R}Association")
    assert entry.get("objectType") == DOCUMENT_ENTRY_TYPE
    assert entry.get("mimeType") == "text/xml"

    def schemes(owner: ET.Element, tag: str, attribute: str) -> dict[str, ET.Element]:
        return {e.get(attribute, ""): e for e in owner.findall(f"{R}{tag}")}

    node = [c for c in package.findall(f"{R}Classification") if c.get("classificationNode")]
    assert [c.get("classificationNode") for c in node] == [SUBMISSION_SET_NODE]
    set_ids = schemes(package, "ExternalIdentifier", "identificationScheme")
    assert set(set_ids) == {
        SUBMISSION_SET_UNIQUE_ID,
        SUBMISSION_SET_SOURCE_ID,
        SUBMISSION_SET_PATIENT_ID,
    }
    assert set_ids[SUBMISSION_SET_UNIQUE_ID].get("value") == built.submission_unique_id
    patient_cx = f"{make.VALID_INS}^^^&{INS_NIR_OID}&ISO^NH"
    assert set_ids[SUBMISSION_SET_PATIENT_ID].get("value") == patient_cx
    assert SUBMISSION_SET_AUTHOR in schemes(package, "Classification", "classificationScheme")

    entry_classes = schemes(entry, "Classification", "classificationScheme")
    assert set(entry_classes) == {
        DOCUMENT_ENTRY_AUTHOR,
        DOCUMENT_ENTRY_CLASS_CODE,
        DOCUMENT_ENTRY_CONFIDENTIALITY,
        DOCUMENT_ENTRY_FORMAT_CODE,
        DOCUMENT_ENTRY_FACILITY_TYPE,
        DOCUMENT_ENTRY_PRACTICE_SETTING,
        DOCUMENT_ENTRY_TYPE_CODE,
    }
    for scheme, classification in entry_classes.items():
        assert classification.get("classifiedObject") == entry.get("id")
        if scheme != DOCUMENT_ENTRY_AUTHOR:
            assert classification.get("nodeRepresentation")
            coding = classification.find(f"{R}Slot[@name='codingScheme']/{R}ValueList/{R}Value")
            assert coding is not None
            assert coding.text
    entry_ids = schemes(entry, "ExternalIdentifier", "identificationScheme")
    assert set(entry_ids) == {DOCUMENT_ENTRY_PATIENT_ID, DOCUMENT_ENTRY_UNIQUE_ID}
    assert entry_ids[DOCUMENT_ENTRY_PATIENT_ID].get("value") == patient_cx
    for ext in [*set_ids.values(), *entry_ids.values()]:
        assert ext.get("registryObject") in (package.get("id"), entry.get("id"))

    slots = {
        s.get("name"): [v.text for v in s.iter(f"{R}Value")] for s in entry.findall(f"{R}Slot")
    }
    assert slots["URI"] == ["DOC0001.XML"]
    assert slots["size"] == [str(len(built.cda))]
    assert slots["hash"] == [hashlib.sha1(built.cda).hexdigest()]
    assert slots["creationTime"] == ["20240220093015"]
    assert slots["sourcePatientId"] == [patient_cx]
    assert slots["sourcePatientInfo"] == [
        "PID-5|CORSE^Figatellix^^^^^L",
        "PID-7|19881012",
        "PID-8|F",
    ]

    assert association.get("associationType") == HAS_MEMBER
    assert (association.get("sourceObject"), association.get("targetObject")) == (
        package.get("id"),
        entry.get("id"),
    )
    status = association.find(f"{R}Slot[@name='SubmissionSetStatus']/{R}ValueList/{R}Value")
    assert status is not None
    assert status.text == "Original"


def test_cda_level1_structure(built: XdmBuild, pdf: bytes) -> None:
    root = ET.fromstring(built.cda)
    assert root.tag == f"{H}ClinicalDocument"
    templates = [t.get("root") for t in root.findall(f"{H}templateId")]
    assert "1.3.6.1.4.1.19376.1.2.20" in templates  # CDA R2 level 1 (XDS-SD)
    patient_id = root.find(f"{H}recordTarget/{H}patientRole/{H}id")
    assert patient_id is not None
    assert (patient_id.get("root"), patient_id.get("extension")) == (INS_NIR_OID, make.VALID_INS)
    text = root.find(f"{H}component/{H}nonXMLBody/{H}text")
    assert text is not None
    assert text.get("mediaType") == "application/pdf"
    assert base64.b64decode("".join((text.text or "").split())) == pdf


def test_only_pdfs_are_packaged() -> None:
    with pytest.raises(DocumentError) as caught:
        build_xdm(make.png(), patient=make.patient(), document=make.outgoing())
    assert caught.value.code == "xdm.not_pdf"


def test_new_version_keeps_the_set(built: XdmBuild, pdf: bytes) -> None:
    v2 = build_xdm(
        pdf, patient=make.patient(), document=make.outgoing(), set_id=built.set_id, version=2
    )
    cda = parse_cda(v2.cda).info.identity
    assert (cda.set_id, cda.version) == (built.set_id, 2)
    assert cda.document_id != built.document_unique_id


# ---------------------------------------------------------------------------------------------
# Hand-made packages with faults


def test_missing_metadata_still_shows_the_document(built: XdmBuild, pdf: bytes) -> None:
    files = _files(built.zip_bytes)
    del files[META]
    package = read_xdm(_rezip(files))
    assert "xdm.metadata_missing" in _codes(package.problems)
    assert package.has_errors
    [doc] = package.documents
    assert doc.pdf == pdf
    assert doc.title == "ECHOGRAPHIE ABDOMINOPELVIENNE"
    assert _codes(doc.problems) == {"xdm.document_unlisted"}
    assert package.patient_id is not None
    assert package.patient_id.value == make.VALID_INS
    assert package.patient_name.family == "CORSE"  # from the CDA


def test_wrong_hash_detected(built: XdmBuild) -> None:
    real = hashlib.sha1(built.cda).hexdigest()
    package = read_xdm(_edit_metadata(built, lambda t: t.replace(real, "0" * 40)))
    [doc] = package.documents
    assert doc.hash_ok is False
    assert not doc.trusted
    assert [p.code for p in doc.problems if p.is_error] == ["xdm.hash_mismatch"]
    assert package.has_errors


def test_altered_document_detected(built: XdmBuild) -> None:
    files = _files(built.zip_bytes)
    files[DOC] = files[DOC].replace(b"ECHOGRAPHIE", b"RADIOGRAPHIE")
    [doc] = read_xdm(_rezip(files)).documents
    assert {p.code for p in doc.problems} >= {"xdm.hash_mismatch", "xdm.size_mismatch"}


def test_wrong_size_detected(built: XdmBuild) -> None:
    size = f"<rim:Value>{len(built.cda)}</rim:Value>"
    package = read_xdm(
        _edit_metadata(built, lambda t: t.replace(size, "<rim:Value>12</rim:Value>"))
    )
    [problem] = [p for p in package.documents[0].problems if p.code == "xdm.size_mismatch"]
    assert problem.params == {"declared": "12", "actual": str(len(built.cda)), "document": "1"}


def test_missing_hash_is_a_warning(built: XdmBuild) -> None:
    real = hashlib.sha1(built.cda).hexdigest()
    package = read_xdm(_edit_metadata(built, lambda t: t.replace(real, "")))
    assert _codes(package.documents[0].problems) == {"xdm.hash_missing"}
    assert not package.has_errors


def test_document_missing(built: XdmBuild) -> None:
    package = read_xdm(_edit_metadata(built, lambda t: t.replace("DOC0001.XML", "DOC0002.XML")))
    [doc] = package.documents
    assert not doc.found
    assert doc.pdf is None
    assert _codes(doc.problems) == {"xdm.document_missing"}


def test_uri_leaving_the_package_ignored(built: XdmBuild) -> None:
    package = read_xdm(
        _edit_metadata(built, lambda t: t.replace("DOC0001.XML", "../../../etc/passwd"))
    )
    assert _codes(package.documents[0].problems) == {"xdm.uri_unsafe"}


def test_uri_case_differences_tolerated(built: XdmBuild) -> None:
    files = _files(built.zip_bytes)
    files["IHE_XDM/SUBSET01/doc0001.xml"] = files.pop(DOC)
    [doc] = read_xdm(_rezip(files)).documents
    assert doc.trusted
    assert doc.path == "IHE_XDM/SUBSET01/doc0001.xml"


@pytest.mark.parametrize(
    "metadata",
    [
        b"not xml at all",
        b"<lcm:SubmitObjectsRequest xmlns:lcm='x'>",
        # Entity expansion (billion laughs) must never be expanded.
        b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
        b"<l>&b;</l>",
    ],
)
def test_malformed_metadata(built: XdmBuild, metadata: bytes) -> None:
    files = _files(built.zip_bytes)
    files[META] = metadata
    package = read_xdm(_rezip(files))
    assert "xdm.metadata_malformed" in _codes(package.problems)
    assert len(package.documents) == 1  # still shown, as unlisted


@pytest.mark.parametrize(
    ("oid", "value", "codes", "errors"),
    [
        (INS_TEST_OID, make.VALID_INS, {"xdm.patient_test_oid"}, False),
        (INS_DEMO_OID, make.VALID_INS, {"xdm.patient_demo_oid"}, False),
        (INS_NIR_OID, "279035121518980", {"xdm.patient_ins_invalid"}, True),
        ("1.2.250.1.71.4.2.7", "IPP12345", {"xdm.patient_not_ins"}, False),
    ],
)
def test_patient_domains_flagged(
    built: XdmBuild, oid: str, value: str, codes: set[str], errors: bool
) -> None:
    cx = f"{make.VALID_INS}^^^&amp;{INS_NIR_OID}&amp;ISO^NH"

    def edit(text: str) -> str:
        return text.replace(cx, f"{value}^^^&amp;{oid}&amp;ISO^NH")

    package = read_xdm(_edit_metadata(built, edit))
    assert package.patient_id is not None
    assert package.patient_id.oid == oid
    assert _codes(package.problems) == codes
    # The CDA inside still names the real INS: a mismatch the reader reports.
    assert _codes(package.documents[0].problems) == {"xdm.cda_patient_mismatch"}
    assert package.has_errors  # because of that mismatch
    assert any(p.is_error for p in package.problems) is errors


def test_patient_missing(built: XdmBuild) -> None:
    def edit(text: str) -> str:
        return re.sub(
            r"<rim:ExternalIdentifier [^>]*(6b5aea1a|58a6f841)[^>]*>.*?</rim:ExternalIdentifier>",
            "",
            text,
            flags=re.S,
        )

    package = read_xdm(_edit_metadata(built, edit))
    assert package.patient_id is None
    assert "xdm.patient_missing" in _codes(package.problems)
    assert "xdm.document_patient_missing" in _codes(package.documents[0].problems)


def test_document_of_another_patient(built: XdmBuild) -> None:
    cx = f"{make.VALID_INS}^^^&amp;{INS_NIR_OID}&amp;ISO^NH"
    other = f"{make.OTHER_INS}^^^&amp;{INS_NIR_OID}&amp;ISO^NH"

    def edit(text: str) -> str:
        # The document entry's patientId is the last occurrence (after the submission set's).
        head, _, tail = text.rpartition(cx)
        return head + other + tail

    [doc] = read_xdm(_edit_metadata(built, edit)).documents
    assert {"xdm.patient_mismatch", "xdm.cda_patient_mismatch"} <= _codes(doc.problems)


def _two_entries(built: XdmBuild, second_cda: bytes) -> bytes:
    """The built package with a second document entry pointing at `second_cda`."""
    files = _files(built.zip_bytes)
    root = ET.fromstring(files[META])
    object_list = root.find(f"{R}RegistryObjectList")
    assert object_list is not None
    first = object_list.find(f"{R}ExtrinsicObject")
    assert first is not None
    second = copy.deepcopy(first)
    second.set("id", "urn:uuid:00000000-0000-4000-8000-000000000002")
    for slot in second.findall(f"{R}Slot"):
        value = slot.find(f"{R}ValueList/{R}Value")
        assert value is not None
        if slot.get("name") == "URI":
            value.text = "DOC0002.XML"
        elif slot.get("name") == "hash":
            value.text = hashlib.sha1(second_cda).hexdigest()
        elif slot.get("name") == "size":
            value.text = str(len(second_cda))
    object_list.append(second)
    files[META] = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    files["IHE_XDM/SUBSET01/DOC0002.XML"] = second_cda
    return _rezip(files)


def test_duplicate_recognised_by_cda_id(built: XdmBuild) -> None:
    package = read_xdm(_two_entries(built, built.cda))
    first, second = package.documents
    assert (first.relation, second.relation) == (VersionRelation.NEW, VersionRelation.DUPLICATE)
    assert "xdm.duplicate_document" in _codes(second.problems)
    assert first.trusted
    assert second.trusted


def test_new_version_recognised_by_set_id(built: XdmBuild, pdf: bytes) -> None:
    v2 = build_xdm(
        pdf, patient=make.patient(), document=make.outgoing(), set_id=built.set_id, version=2
    )
    _first, second = read_xdm(_two_entries(built, v2.cda)).documents
    assert second.relation is VersionRelation.NEWER_VERSION
    assert second.cda is not None
    assert second.cda.identity.version == 2


STRUCTURED_CDA = """<?xml version="1.0" encoding="UTF-8"?>
<ClinicalDocument xmlns="urn:hl7-org:v3">
  <id root="1.2.250.1.999.1" extension="42"/>
  <code code="11488-4" codeSystem="2.16.840.1.113883.6.1" displayName="CR de consultation"/>
  <title>Consultation de cardiologie</title>
  <effectiveTime value="20240220"/>
  <setId root="1.2.250.1.999.2"/>
  <versionNumber value="3"/>
  <recordTarget><patientRole>
    <id root="1.2.250.1.213.1.4.8" extension="279035121518989"/>
    <patient><name><family qualifier="BR">CORSE</family><given>Figatellix</given></name>
    <birthTime value="19881012"/></patient>
  </patientRole></recordTarget>
  <component><structuredBody>
    <component><section>
      <title>Motif</title>
      <text><paragraph>Douleurs <content styleCode="Bold">thoraciques</content>
      à l'effort.</paragraph>
      <paragraph>Première ligne<br/>seconde ligne</paragraph></text>
    </section></component>
    <component><section>
      <title>Traitements</title>
      <text><list><item>Aspirine 75 mg</item><item>Bisoprolol 2,5 mg</item></list>
      <table><thead><tr><th>Examen</th><th>Résultat</th></tr></thead>
      <tbody><tr><td>ECG</td><td>normal</td></tr></tbody></table></text>
      <component><section><title>Allergies</title><text>Aucune connue.</text></section></component>
    </section></component>
  </structuredBody></component>
</ClinicalDocument>
"""


def test_structured_cda_narrative_rendered() -> None:
    cda = parse_cda(STRUCTURED_CDA.encode("utf-8")).info
    assert cda.level == 3
    assert (cda.identity.document_id, cda.identity.set_id, cda.identity.version) == (
        "1.2.250.1.999.1^42",
        "1.2.250.1.999.2",
        3,
    )
    assert cda.code is not None
    assert cda.code.code == "11488-4"
    assert cda.title == "Consultation de cardiologie"
    assert cda.birth_date is not None
    assert cda.birth_date.isoformat() == "1988-10-12"
    assert cda.qualified_ins is not None
    assert cda.narrative.splitlines() == [
        "Motif",
        "=====",
        "Douleurs thoraciques à l'effort.",
        "Première ligne",
        "seconde ligne",
        "",
        "Traitements",
        "===========",
        "• Aspirine 75 mg",
        "• Bisoprolol 2,5 mg",
        "Examen | Résultat",
        "ECG | normal",
        "",
        "Allergies",
        "---------",
        "Aucune connue.",
    ]


@pytest.mark.parametrize(
    "data",
    [
        b"<notcda/>",
        b"garbage",
        b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><ClinicalDocument '
        b'xmlns="urn:hl7-org:v3">&e;</ClinicalDocument>',
    ],
)
def test_bad_cda_refused(data: bytes) -> None:
    with pytest.raises(DocumentError) as caught:
        parse_cda(data)
    assert caught.value.code == "cda.malformed"


def test_broken_embedded_pdf_base64(built: XdmBuild) -> None:
    files = _files(built.zip_bytes)
    cda = re.sub(rb'(representation="B64">\n)(.{20})', rb"\1!!!!", files[DOC], count=1)
    assert cda != files[DOC]
    files[DOC] = cda
    package = read_xdm(_rezip(files))
    [doc] = package.documents
    assert "xdm.embedded_undecodable" in _codes(doc.problems)
    assert doc.pdf is None
