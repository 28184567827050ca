"""Checks before sending: app/domain/checks.py (spec §1, §3)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.domain.account import BoxType, Identity
from app.domain.addresses import MailAddress
from app.domain.checks import (
    OPERATOR_LIMIT_BYTES,
    PATIENT_LIMIT_BYTES,
    CheckReport,
    CheckVerdict,
    Issue,
    Severity,
    check_apicrypt,
    check_draft,
    check_headers,
    check_patients,
    check_recipients,
    check_size,
    check_trust_space,
    error,
    issues_from_problems,
    issues_from_verdicts,
    warning,
)
from app.domain.compose import Attachment, Draft, compose
from app.domain.documents import Problem, Verdict
from app.domain.errors import ValidationError

PATIENT = "279035121518989@patient.mssante.fr"
PATIENT_2 = "146026322000196@patient.mssante.fr"
MB = 1024 * 1024
WHITE_LIST = {"medecin.mssante.fr", "hopital-nord.mssante.fr", "interop-mssante.apicrypt.org"}


def trusted(domain: str) -> bool:
    return domain in WHITE_LIST


def no_list(_domain: str) -> None:
    return None


def addresses(*texts: str) -> list[MailAddress]:
    return [MailAddress.parse(t) for t in texts]


def draft(**changes: object) -> Draft:
    return Draft(
        sender="marie.martin@medecin.mssante.fr",
        identity=Identity(title="Dr", given_name="Marie", family_name="Martin"),
        box_type=BoxType.PER,
        to=(PATIENT,),
        subject="Résultats",
        text="Bonjour",
        x_mss_nil="PLI-TEST",
    ).evolve(**changes)


def codes(issues: list[Issue] | tuple[Issue, ...]) -> list[str]:
    return [i.code for i in issues]


# -- Patients' INS (ECO.2.2.6) --------------------------------------------------------------


def test_a_patient_address_with_a_valid_ins_passes() -> None:
    assert check_patients(addresses(PATIENT, PATIENT_2)) == []


def test_the_patient_domains_test_mailbox_passes() -> None:
    assert check_patients(addresses("reponse.automatique-test@patient.mssante.fr")) == []


@pytest.mark.parametrize(
    ("local", "reason"),
    [
        ("279035121518988", "ins.bad_key"),
        ("27903512151898", "ins.malformed"),
        ("jean", "ins.malformed"),
    ],
)
def test_a_patient_address_without_a_valid_ins_is_an_error(local: str, reason: str) -> None:
    [issue] = check_patients(addresses(f"{local}@patient.mssante.fr"))
    assert issue == Issue(
        "recipient.patient_ins_invalid",
        Severity.ERROR,
        {"address": f"{local}@patient.mssante.fr", "reason": reason},
    )


def test_corsican_ins_keys_are_accepted() -> None:
    # 2A counts as 19 in the key computation (spec §1).
    from app.domain.addresses import ins_key

    first13 = "185092A012345"
    local = f"{first13}{ins_key(first13):02d}"
    assert check_patients(addresses(f"{local}@patient.mssante.fr")) == []


def test_professional_addresses_are_not_checked_for_an_ins() -> None:
    assert check_patients(addresses("jean@hopital-nord.mssante.fr")) == []


# -- Apicrypt (seed 001) ---------------------------------------------------------------------


def test_an_apicrypt_address_is_refused_with_the_mssante_form_offered() -> None:
    [issue] = check_apicrypt(addresses("Jean.Dupont@medecin.apicrypt.org"))
    assert issue.code == "recipient.apicrypt"
    assert issue.is_error
    assert issue.params == {
        "address": "Jean.Dupont@medecin.apicrypt.org",
        "suggestion": "jean.dupont@interop-mssante.apicrypt.org",
    }


def test_the_interop_form_is_not_flagged() -> None:
    assert check_apicrypt(addresses("jean.dupont@interop-mssante.apicrypt.org")) == []


def test_the_suggestion_can_be_applied_to_the_draft() -> None:
    d = draft(to=("Dr Jean Dupont <jean.dupont@medecin.apicrypt.org>",))
    [issue] = check_apicrypt(d.recipient_addresses())
    fixed = d.with_recipient_replaced(issue.params["address"], issue.params["suggestion"])
    assert check_apicrypt(fixed.recipient_addresses()) == []
    assert fixed.to == ("Dr Jean Dupont <jean.dupont@interop-mssante.apicrypt.org>",)


# -- Trust space (spec §1) --------------------------------------------------------------------


def test_domains_in_the_white_list_pass() -> None:
    assert (
        check_trust_space(addresses("a@medecin.mssante.fr", "b@hopital-nord.mssante.fr"), trusted)
        == []
    )


def test_a_domain_outside_the_white_list_is_a_warning_per_domain() -> None:
    issues = check_trust_space(
        addresses("a@gmail.com", "b@gmail.com", "c@clinique.fr", "d@medecin.mssante.fr"), trusted
    )
    assert issues == [
        warning(
            "recipient.untrusted_domain", domain="gmail.com", addresses="a@gmail.com, b@gmail.com"
        ),
        warning("recipient.untrusted_domain", domain="clinique.fr", addresses="c@clinique.fr"),
    ]


def test_the_patient_domain_is_never_looked_up() -> None:
    looked_up: list[str] = []

    def lookup(domain: str) -> bool:
        looked_up.append(domain)
        return False

    assert check_trust_space(addresses(PATIENT), lookup) == []
    assert looked_up == []


def test_without_a_white_list_one_warning_says_nothing_could_be_checked() -> None:
    issues = check_trust_space(addresses("a@medecin.mssante.fr", "b@x.fr", PATIENT), no_list)
    assert issues == [warning("trust_list.missing", domains="medecin.mssante.fr, x.fr")]


# -- Size (spec §3) ---------------------------------------------------------------------------


def test_towards_a_patient_the_limit_is_25_mb() -> None:
    assert check_size(24 * MB, addresses(PATIENT)) == []
    [issue] = check_size(PATIENT_LIMIT_BYTES + 1, addresses(PATIENT))
    assert issue == error(
        "size.too_large",
        size=str(PATIENT_LIMIT_BYTES + 1),
        limit=str(PATIENT_LIMIT_BYTES),
        scope="patient",
    )


def test_towards_professionals_the_operator_limit_applies() -> None:
    assert check_size(OPERATOR_LIMIT_BYTES, addresses("a@medecin.mssante.fr")) == []
    [issue] = check_size(11 * MB, addresses("a@medecin.mssante.fr"))
    assert issue.params["scope"] == "operator"
    assert issue.params["limit"] == str(10 * MB)


def test_the_operator_limit_is_a_parameter() -> None:
    assert check_size(11 * MB, addresses("a@medecin.mssante.fr"), operator_limit=20 * MB) == []
    [issue] = check_size(6 * MB, addresses("a@medecin.mssante.fr"), operator_limit=5 * MB)
    assert issue.params["limit"] == str(5 * MB)


def test_a_message_to_a_patient_and_a_professional_must_fit_both_limits() -> None:
    [issue] = check_size(12 * MB, addresses(PATIENT, "a@medecin.mssante.fr"))
    assert issue.params["scope"] == "both"
    assert issue.params["limit"] == str(10 * MB)


def test_size_counts_the_encoded_message() -> None:
    # 7.7 MB of attachment is over 10 MB once base64-encoded: the composed size is what counts.
    big = draft(
        to=("a@medecin.mssante.fr",),
        attachments=(Attachment("scan.pdf", "application/pdf", b"%PDF" + b"\x00" * 7_700_000),),
    )
    size = compose(big, date=datetime(2026, 1, 1, tzinfo=UTC)).size
    assert size > OPERATOR_LIMIT_BYTES
    report = check_draft(big, size=size, is_trusted_domain=trusted)
    assert codes(report.errors) == ["size.too_large"]


# -- Recipients and headers ----------------------------------------------------------------


def test_malformed_addresses_are_errors_naming_their_field() -> None:
    issues = check_recipients(
        draft(
            sender="moi", to=("ok@medecin.mssante.fr", "pas une adresse"), bcc=("@x",), reply_to="r"
        )
    )
    assert [(i.code, i.params["field"]) for i in issues] == [
        ("address.malformed", "sender"),
        ("address.malformed", "to"),
        ("address.malformed", "bcc"),
        ("address.malformed", "reply_to"),
    ]


def test_no_recipient_is_an_error() -> None:
    assert codes(check_recipients(draft(to=()))) == ["draft.no_recipient"]


def test_missing_product_reference_is_an_error() -> None:
    assert codes(check_headers(draft(x_mss_nil=" "))) == ["draft.x_mss_nil_missing"]


def test_an_xdm_package_without_its_headers_is_a_warning() -> None:
    xdm = Attachment("IHE_XDM.zip", "application/zip", b"PK\x03\x04")
    [issue] = check_headers(draft(attachments=(xdm,), x_mss_ins="O"))
    assert issue == warning("draft.xdm_headers_missing", missing="X-MSS-CODECDA")
    assert check_headers(draft(attachments=(xdm,), x_mss_ins="O", x_mss_codecda="11488-4")) == []


def test_an_empty_subject_is_a_warning() -> None:
    assert codes(check_headers(draft(subject="  "))) == ["draft.no_subject"]


# -- Attachment verdicts and document problems ---------------------------------------------------


def test_attachment_verdicts_become_issues() -> None:
    issues = issues_from_verdicts(
        [
            ("cr.pdf", Verdict.ok()),
            ("scan.tif", Verdict.ok(suggest_pdf=True)),
            (
                "virus.exe",
                Verdict.refused("attachment.type_refused", name="virus.exe", kind="executable"),
            ),
        ]
    )
    assert issues == [
        warning("attachment.pdf_suggested", name="scan.tif"),
        error("attachment.type_refused", name="virus.exe", kind="executable"),
    ]


def test_document_problems_keep_their_severity() -> None:
    issues = issues_from_problems(
        [Problem("xdm.hash_mismatch", "error", {"document": "1"}), Problem("pdf.encrypted")],
        name="IHE_XDM.zip",
    )
    assert [(i.code, i.severity, dict(i.params)) for i in issues] == [
        ("xdm.hash_mismatch", Severity.ERROR, {"document": "1", "name": "IHE_XDM.zip"}),
        ("pdf.encrypted", Severity.WARNING, {"name": "IHE_XDM.zip"}),
    ]


# -- The report: refused, confirm, ok ------------------------------------------------------------


def test_a_clean_draft_is_ok() -> None:
    report = check_draft(draft(), size=10_000, is_trusted_domain=trusted)
    assert report.issues == ()
    assert report.verdict() is CheckVerdict.OK
    assert report.refusal() is None


def test_errors_refuse_and_say_why() -> None:
    report = check_draft(
        draft(to=("279035121518988@patient.mssante.fr", "x@gmail.com")),
        size=10_000,
        is_trusted_domain=trusted,
    )
    assert report.verdict() is CheckVerdict.REFUSED
    refusal = report.refusal()
    assert isinstance(refusal, ValidationError)
    assert refusal.code == "send.refused"
    assert refusal.params["codes"] == "recipient.patient_ins_invalid"
    assert [i.code for i in refusal.params["issues"]] == ["recipient.patient_ins_invalid"]
    # The warning is still reported, for the front end to show with the error.
    assert codes(report.warnings) == ["recipient.untrusted_domain"]


def test_accepting_warnings_is_per_issue() -> None:
    report = check_draft(
        draft(to=("x@gmail.com", "y@clinique.fr")), size=10_000, is_trusted_domain=trusted
    )
    assert report.verdict() is CheckVerdict.CONFIRM
    first, second = report.warnings
    assert report.verdict([first.key]) is CheckVerdict.CONFIRM
    refusal = report.refusal([first.key])
    assert refusal is not None
    assert refusal.code == "send.needs_confirmation"
    assert list(refusal.params["issues"]) == [second]
    assert report.verdict([first.key, second.key]) is CheckVerdict.OK
    assert report.refusal([first.key, second.key]) is None


def test_accepting_a_warning_never_accepts_an_error() -> None:
    report = check_draft(draft(x_mss_nil=""), size=1, is_trusted_domain=trusted)
    assert report.verdict([i.key for i in report.issues]) is CheckVerdict.REFUSED


def test_issue_keys_differ_by_parameters() -> None:
    a = warning("recipient.untrusted_domain", domain="gmail.com")
    b = warning("recipient.untrusted_domain", domain="clinique.fr")
    assert a.key != b.key
    assert a.key == warning("recipient.untrusted_domain", domain="gmail.com").key


def test_apicrypt_addresses_are_not_also_flagged_as_untrusted() -> None:
    report = check_draft(
        draft(to=("jean@medecin.apicrypt.org",)), size=1, is_trusted_domain=trusted
    )
    assert codes(report.issues) == ["recipient.apicrypt"]


def test_extra_issues_join_the_report_once() -> None:
    extra = [warning("attachment.pdf_suggested", name="a.tif")] * 2
    report = check_draft(draft(), size=1, is_trusted_domain=trusted, extra=extra)
    assert codes(report.issues) == ["attachment.pdf_suggested"]


def test_a_draft_that_cannot_be_composed_is_still_checked() -> None:
    report = check_draft(draft(to=("nobody",)), size=None, is_trusted_domain=no_list)
    assert codes(report.errors) == ["address.malformed"]


def test_reports_add_up_and_serialise() -> None:
    report = CheckReport.of([warning("draft.no_subject")]) + CheckReport.of(
        [error("draft.no_recipient")]
    )
    assert report.to_json_dict() == {
        "verdict": "refused",
        "issues": [
            {"code": "draft.no_subject", "severity": "warning", "params": {}},
            {"code": "draft.no_recipient", "severity": "error", "params": {}},
        ],
    }
