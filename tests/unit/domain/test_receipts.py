"""Read receipts, delivery reports and patient bounces (spec §5): app/domain/delivery.py,
mdn.py, reports.py and bounces.py, and their names gathered in app/domain/receipts.py."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain import receipts
from app.domain.bounces import BOUNCE_EXPLANATIONS, BounceReason, classify_patient_bounce
from app.domain.delivery import MessageStatus, merge_status, status_from_dsn_action
from app.domain.errors import ValidationError
from app.domain.mdn import Disposition, build_mdn, mdn_request, needs_confirmation
from app.domain.reports import parse_dsn, parse_mdn

FIXTURES = Path(__file__).parents[2] / "fixtures" / "mail"
P1 = "279035121518989@patient.mssante.fr"
P2 = "146026322000196@patient.mssante.fr"
ME = "paul.durand@hopital-nord.mssante.fr"
WHEN = datetime(2026, 3, 12, 11, 0, tzinfo=UTC)

ORIGINAL = (
    b"Return-Path: <marie.martin@medecin.mssante.fr>\r\n"
    b"Original-Recipient: rfc822;paul.durand@hopital-nord.mssante.fr\r\n"
    b"From: Dr_Marie_MARTIN <marie.martin@medecin.mssante.fr>\r\n"
    b"To: paul.durand@hopital-nord.mssante.fr\r\n"
    b"Subject: =?utf-8?q?R=C3=A9sultats_de_Mme_Lef=C3=A8vre?=\r\n"
    b"Date: Thu, 12 Mar 2026 09:41:05 +0100\r\n"
    b"Message-ID: <c0ffee30@medecin.mssante.fr>\r\n"
    b"References: <c0ffee29@medecin.mssante.fr>\r\n"
    b"Disposition-Notification-To: Dr Marie Martin <marie.martin@medecin.mssante.fr>\r\n"
    b"MIME-Version: 1.0\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n"
    b"\r\n"
    b"Glyc\xc3\xa9mie \xc3\xa0 jeun 0,92 g/l: this body must never go back in a receipt.\r\n"
)


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def parsed(raw: bytes) -> EmailMessage:
    msg = message_from_bytes(raw, policy=policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


# -- Status vocabulary --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("current", "reported", "expected"),
    [
        (None, None, MessageStatus.SUBMITTED),
        (None, MessageStatus.DELIVERED, MessageStatus.DELIVERED),
        (MessageStatus.SUBMITTED, MessageStatus.DELIVERED, MessageStatus.DELIVERED),
        (MessageStatus.DELIVERED, MessageStatus.SUBMITTED, MessageStatus.DELIVERED),
        (MessageStatus.DELIVERED, MessageStatus.READ, MessageStatus.READ),
        (MessageStatus.READ, MessageStatus.DELIVERED, MessageStatus.READ),
        (MessageStatus.DELIVERED, MessageStatus.FAILED, MessageStatus.FAILED),
        (MessageStatus.FAILED, MessageStatus.DELIVERED, MessageStatus.FAILED),
        (MessageStatus.FAILED, MessageStatus.READ, MessageStatus.READ),
        (MessageStatus.READ, MessageStatus.FAILED, MessageStatus.READ),
        (MessageStatus.DELIVERED, None, MessageStatus.DELIVERED),
    ],
)
def test_merge_status_never_goes_backwards(
    current: MessageStatus | None, reported: MessageStatus | None, expected: MessageStatus
) -> None:
    assert merge_status(current, reported) is expected


def test_reports_in_any_order_give_the_same_status() -> None:
    reports = [MessageStatus.DELIVERED, MessageStatus.READ, None, MessageStatus.FAILED]
    outcomes = set()
    for order in itertools.permutations(reports):
        status = MessageStatus.SUBMITTED
        for report in order:
            status = merge_status(status, report)
        outcomes.add(status)
    assert outcomes == {MessageStatus.READ}


@pytest.mark.parametrize(
    ("action", "expected"),
    [
        ("delivered", MessageStatus.DELIVERED),
        ("Relayed", MessageStatus.DELIVERED),
        ("expanded", MessageStatus.DELIVERED),
        ("FAILED", MessageStatus.FAILED),
        ("delayed", None),
        ("bogus", None),
    ],
)
def test_dsn_actions_as_statuses(action: str, expected: MessageStatus | None) -> None:
    assert status_from_dsn_action(action) is expected


# -- Dispositions ---------------------------------------------------------------------------


def test_disposition_of_the_ci_sis_example() -> None:
    disposition = Disposition.parse(
        "automatic-action/MDN-sent-automatically; processed/Error: 902^Identifiant de patient "
        "inconnu^messageErrorCondition| E^Error^errorSeverity"
    )
    assert disposition.action_mode == "automatic-action"
    assert disposition.sending_mode == "MDN-sent-automatically"
    assert disposition.type == "processed"
    assert disposition.modifiers == ("error",)
    assert disposition.detail.startswith("902^Identifiant de patient inconnu")
    assert disposition.status is MessageStatus.FAILED


@pytest.mark.parametrize(
    ("text", "kind", "status"),
    [
        ("manual-action/MDN-sent-manually; displayed", "displayed", MessageStatus.READ),
        ("Manual-Action/mdn-sent-manually;Displayed", "displayed", MessageStatus.READ),
        (
            "automatic-action/MDN-sent-automatically; processed",
            "processed",
            MessageStatus.DELIVERED,
        ),
        ("manual-action/MDN-sent-manually; deleted", "deleted", MessageStatus.DELIVERED),
        ("displayed", "displayed", MessageStatus.READ),
        ("manual-action/MDN-sent-manually; displayed/failed", "displayed", MessageStatus.FAILED),
    ],
)
def test_dispositions_are_read_tolerantly(text: str, kind: str, status: MessageStatus) -> None:
    disposition = Disposition.parse(text)
    assert disposition.type == kind
    assert disposition.status is status


def test_disposition_text_round_trips() -> None:
    for disposition in (
        Disposition.displayed(),
        Disposition.displayed(automatic=True),
        Disposition.deleted(),
        Disposition.processed(),
        Disposition.processed(error="902^Identifiant inconnu"),
    ):
        assert Disposition.parse(str(disposition)) == disposition
    assert str(Disposition.displayed()) == "manual-action/MDN-sent-manually; displayed"


# -- Asking for a receipt ----------------------------------------------------------------------


def test_mdn_request_reads_the_address() -> None:
    headers = parsed(ORIGINAL)
    assert str(mdn_request(headers)) == "marie.martin@medecin.mssante.fr"
    assert str(mdn_request({"disposition-notification-to": "<a@b.fr>"})) == "a@b.fr"


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Disposition-Notification-To": "pas une adresse"},
        {
            "Disposition-Notification-To": "a@b.fr",
            "Content-Type": "multipart/report; report-type=disposition-notification",
        },
    ],
)
def test_no_receipt_is_asked(headers: dict[str, str]) -> None:
    assert mdn_request(headers) is None


def test_a_report_is_never_answered_with_a_receipt() -> None:
    assert mdn_request(parsed(fixture("bounce_mes_closed_dsn.eml"))) is None


@pytest.mark.parametrize(
    ("dnt", "return_path", "ask"),
    [
        ("Dr Martin <marie.martin@medecin.mssante.fr>", "<marie.martin@medecin.mssante.fr>", False),
        ("marie.martin@MEDECIN.mssante.fr", "<marie.martin@medecin.mssante.fr>", False),
        ("Marie.Martin@medecin.mssante.fr", "<marie.martin@medecin.mssante.fr>", True),
        ("secretariat@medecin.mssante.fr", "<marie.martin@medecin.mssante.fr>", True),
        ("marie.martin@medecin.mssante.fr", None, True),
        ("marie.martin@medecin.mssante.fr", "<>", True),
        (
            "a@medecin.mssante.fr, marie.martin@medecin.mssante.fr",
            "<marie.martin@medecin.mssante.fr>",
            True,
        ),
        (None, "<marie.martin@medecin.mssante.fr>", True),
    ],
)
def test_the_user_is_asked_when_the_receipt_goes_elsewhere(
    dnt: str | None, return_path: str | None, ask: bool
) -> None:
    assert needs_confirmation(dnt, return_path) is ask


# -- Building a receipt (RFC 8098) ---------------------------------------------------------------


def receipt(**kwargs: object) -> bytes:
    args: dict[str, object] = {
        "sender": ME,
        "user_agent": "Pli 0.1.0",
        "x_mss_nil": "PLI-TEST",
        "display_name": "Dr_Paul_DURAND_Hôpital Nord",
        "date": WHEN,
    }
    args.update(kwargs)
    original = args.pop("original", ORIGINAL)
    assert isinstance(original, bytes)
    return build_mdn(original, **args).raw  # type: ignore[arg-type]


def test_receipt_structure() -> None:
    msg = parsed(receipt())
    assert msg.get_content_type() == "multipart/report"
    assert msg.get_param("report-type") == "disposition-notification"
    parts = list(msg.iter_parts())
    assert [p.get_content_type() for p in parts] == [
        "text/plain",
        "message/disposition-notification",
        "text/rfc822-headers",
    ]
    assert parts[0].get_content_charset() == "utf-8"


def test_receipt_fields() -> None:
    raw = receipt()
    fields = raw.split(b"Content-Type: message/disposition-notification")[1].split(b"--")[0]
    lines = [line for line in fields.decode().split("\r\n") if line]
    assert lines == [
        "Reporting-UA: hopital-nord.mssante.fr; Pli 0.1.0",
        "Original-Recipient: rfc822;paul.durand@hopital-nord.mssante.fr",
        "Final-Recipient: rfc822;paul.durand@hopital-nord.mssante.fr",
        "Original-Message-ID: <c0ffee30@medecin.mssante.fr>",
        "Disposition: manual-action/MDN-sent-manually; displayed",
    ]


def test_original_recipient_is_only_copied_from_the_mta() -> None:
    original = ORIGINAL.replace(
        b"Original-Recipient: rfc822;paul.durand@hopital-nord.mssante.fr\r\n", b""
    )
    assert b"Original-Recipient" not in receipt(original=original)


def test_receipt_headers() -> None:
    built = build_mdn(ORIGINAL, sender=ME, user_agent="Pli 0.1.0", x_mss_nil="PLI-TEST", date=WHEN)
    msg = parsed(built.raw)
    assert msg["To"] == "marie.martin@medecin.mssante.fr"
    assert msg["Subject"] == "Accusé de lecture : Résultats de Mme Lefèvre"
    assert msg["In-Reply-To"] == "<c0ffee30@medecin.mssante.fr>"
    assert msg["References"] == "<c0ffee29@medecin.mssante.fr> <c0ffee30@medecin.mssante.fr>"
    assert msg["X-MSS-NIL"] == "PLI-TEST"
    assert msg["Message-ID"] == built.message_id
    assert built.message_id.endswith("@hopital-nord.mssante.fr>")
    assert msg["Auto-Submitted"] is None  # sent by the user
    assert built.envelope_recipients == ("marie.martin@medecin.mssante.fr",)
    assert built.envelope_from == ME
    assert built.raw.isascii()


def test_receipt_returns_the_headers_never_the_content() -> None:
    raw = receipt()
    assert b"never go back" not in raw
    returned = list(parsed(raw).iter_parts())[2].get_content()
    assert "Message-ID: <c0ffee30@medecin.mssante.fr>" in returned


def test_human_part_is_french_and_names_the_message() -> None:
    text = list(parsed(receipt()).iter_parts())[0].get_content()
    assert "accusé de lecture" in text
    assert "12/03/2026 à 09:41" in text
    assert "« Résultats de Mme Lefèvre »" in text
    assert "ne garantit pas" in text


def test_automatic_error_receipt() -> None:
    raw = receipt(disposition=Disposition.processed(error="902^Identifiant de patient inconnu"))
    msg = parsed(raw)
    assert msg["Auto-Submitted"] == "auto-replied"
    assert msg["Subject"].startswith("Accusé de réception : ")
    assert b"Error: 902^Identifiant de patient inconnu" in raw
    text = list(msg.iter_parts())[0].get_content()
    assert "n'a pas pu être traité : 902^Identifiant de patient inconnu." in text


def test_a_given_human_text_is_used() -> None:
    text = list(parsed(receipt(human_text="Lu.")).iter_parts())[0].get_content()
    assert text.strip() == "Lu."


def test_receipt_round_trips_through_the_parser() -> None:
    report = parse_mdn(receipt())
    assert report is not None
    assert report.original_message_id == "<c0ffee30@medecin.mssante.fr>"
    assert report.final_recipient == ME
    assert report.original_recipient == ME
    assert report.disposition == Disposition.displayed()
    assert report.status is MessageStatus.READ
    assert report.original_subject == "Résultats de Mme Lefèvre"
    assert report.reporting_ua == "hopital-nord.mssante.fr; Pli 0.1.0"


def test_no_receipt_for_a_message_that_asked_none() -> None:
    original = ORIGINAL.replace(
        b"Disposition-Notification-To: Dr Marie Martin <marie.martin@medecin.mssante.fr>\r\n", b""
    )
    with pytest.raises(ValidationError) as caught:
        receipt(original=original)
    assert caught.value.code == "mdn.not_requested"


def test_no_receipt_without_product_reference() -> None:
    with pytest.raises(ValidationError) as caught:
        receipt(x_mss_nil="")
    assert caught.value.code == "draft.x_mss_nil_missing"


def test_receipt_from_the_header_block_only() -> None:
    head = ORIGINAL.split(b"\r\n\r\n")[0]
    report = parse_mdn(receipt(original=head))
    assert report is not None
    assert report.original_message_id == "<c0ffee30@medecin.mssante.fr>"


# -- Reading receipts ---------------------------------------------------------------------------


def test_the_ci_sis_example_is_read_despite_its_typos() -> None:
    report = parse_mdn(fixture("mdn_ci-sis_integration_ko.eml"))
    assert report is not None
    assert report.message_id == "<199509200019.12345>"
    assert report.original_message_id == "<199509192301.23456>"  # space removed
    assert report.final_recipient == "serviceY_auto@chb.mssante.fr"
    assert report.original_recipient == "serviceY_auto@chb.mssante.fr"
    assert report.disposition is not None
    assert report.disposition.action_mode == "automatic-action"
    assert report.disposition.type == "processed"
    assert report.error.startswith("902^Identifiant de patient inconnu")
    assert report.status is MessageStatus.FAILED
    assert report.subject.startswith("[KO Intégration système !][902] XDM/1.0/DDM+")
    assert report.human_text.startswith("Le document n’a pas pu être intégré.")


def test_a_thunderbird_receipt_is_read() -> None:
    report = parse_mdn(fixture("mdn_thunderbird_displayed.eml"))
    assert report is not None
    assert report.original_message_id == "<c0ffee20@medecin.mssante.fr>"
    assert report.final_recipient == ME
    assert report.status is MessageStatus.READ
    assert report.reporting_ua == "hopital-nord.mssante.fr; Thunderbird 115.8.0"
    assert report.original_subject == "Résultats de votre bilan"
    assert "accusé de réception" in report.human_text
    assert report.subject.startswith("Accusé de réception (affiché)")


def test_receipt_fields_found_when_the_mime_structure_is_broken() -> None:
    raw = (
        b"From: a@b.fr\r\nSubject: Lu\r\nContent-Type: multipart/report; "
        b"report-type=disposition-notification; boundary=WRONG\r\n\r\n"
        b"--XYZ\r\nContent-Type: message/disposition-notification\r\n\r\n"
        b"Final-Recipient: rfc822; a@b.fr\r\nOriginal-Message-ID: <x@y>\r\n"
        b"Disposition: manual-action/MDN-sent-manually; displayed\r\n--XYZ--\r\n"
    )
    report = parse_mdn(raw)
    assert report is not None
    assert report.original_message_id == "<x@y>"
    assert report.status is MessageStatus.READ


@pytest.mark.parametrize(
    "name", ["bounce_mes_closed_dsn.eml", "dsn_patient_relayed.eml", "bounce_mes_unknown_plain.eml"]
)
def test_other_messages_are_not_receipts(name: str) -> None:
    assert parse_mdn(fixture(name)) is None


def test_an_ordinary_message_is_not_a_receipt() -> None:
    assert parse_mdn(ORIGINAL) is None


# -- Reading delivery reports (RFC 3464) -----------------------------------------------------


def test_a_failure_dsn() -> None:
    report = parse_dsn(fixture("bounce_mes_closed_dsn.eml"))
    assert report is not None
    assert report.reporting_mta == "mx1.patient.mssante.fr"
    assert report.original_envelope_id == "pli-0c3f9a"
    assert report.original_message_id == "<c0ffee01@medecin.mssante.fr>"
    assert report.original_subject == "Résultats de votre bilan"
    [recipient] = report.recipients
    assert recipient.final_recipient == P1
    assert recipient.original_recipient == P1
    assert recipient.action == "failed"
    assert recipient.status == "5.2.1"
    assert recipient.diagnostic == "550 5.2.1 Messagerie fermee"
    assert report.failed == report.recipients
    assert report.statuses() == {P1: MessageStatus.FAILED}
    assert "messagerie de ce patient est fermée" in report.human_text


def test_a_success_dsn_with_an_xtext_envelope_id() -> None:
    report = parse_dsn(fixture("dsn_patient_relayed.eml"))
    assert report is not None
    assert report.original_envelope_id == "pli-abc"
    [recipient] = report.recipients
    assert recipient.action == "relayed"
    assert recipient.remote_mta == "mx1.patient.mssante.fr"
    assert report.failed == ()
    assert report.statuses() == {P1: MessageStatus.DELIVERED}


def test_a_dsn_returning_the_whole_original() -> None:
    report = parse_dsn(fixture("bounce_mes_too_large_postfix.eml"))
    assert report is not None
    assert report.original_message_id == "<c0ffee04@medecin.mssante.fr>"
    assert report.recipients[0].diagnostic == "552 5.3.4 Message size exceeds fixed limit"


def test_a_sloppy_dsn_keeps_every_recipient() -> None:
    report = parse_dsn(fixture("bounce_mes_opposition_sloppy.eml"))
    assert report is not None
    assert [(r.final_recipient, r.action, r.status) for r in report.recipients] == [
        ("secretariat@cabinet.mssante.fr", "delivered", "2.0.0"),
        (P2, "failed", "5.7.1"),
    ]
    assert report.original_message_id == "<c0ffee09@medecin.mssante.fr>"
    assert report.statuses() == {
        "secretariat@cabinet.mssante.fr": MessageStatus.DELIVERED,
        P2: MessageStatus.FAILED,
    }


def test_a_dsn_with_fields_in_one_block() -> None:
    raw = (
        b"From: MAILER-DAEMON@x.fr\r\nSubject: Undelivered\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/report; report-type=delivery-status; boundary="b"\r\n\r\n'
        b"--b\r\nContent-Type: text/plain\r\n\r\nFailed.\r\n"
        b"--b\r\nContent-Type: message/delivery-status\r\n"
        b"Reporting-MTA: dns; x.fr\r\nOriginal-Message-ID: <m@x.fr>\r\n"
        b"Final-Recipient: rfc822; a@x.fr\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        b"--b--\r\n"
    )
    report = parse_dsn(raw)
    assert report is not None
    assert report.reporting_mta == "x.fr"
    assert report.original_message_id == "<m@x.fr>"
    assert [(r.final_recipient, r.action, r.status) for r in report.recipients] == [
        ("a@x.fr", "failed", "5.1.1")
    ]


@pytest.mark.parametrize("name", ["mdn_ci-sis_integration_ko.eml", "bounce_mes_unknown_plain.eml"])
def test_other_messages_are_not_dsns(name: str) -> None:
    assert parse_dsn(fixture(name)) is None


# -- Bounces from Mon espace santé (spec §5) ----------------------------------------------------


@pytest.mark.parametrize(
    ("name", "reason", "patient", "original_id"),
    [
        (
            "bounce_mes_closed_dsn.eml",
            BounceReason.MESSAGING_CLOSED,
            P1,
            "<c0ffee01@medecin.mssante.fr>",
        ),
        ("bounce_mes_closed_variant_latin1.eml", BounceReason.MESSAGING_CLOSED, P1, None),
        (
            "bounce_mes_opposition_sloppy.eml",
            BounceReason.MESSAGING_CLOSED,
            P2,
            "<c0ffee09@medecin.mssante.fr>",
        ),
        ("bounce_mes_unknown_plain.eml", BounceReason.PATIENT_UNKNOWN, P2, None),
        (
            "bounce_mes_status_only.eml",
            BounceReason.PATIENT_UNKNOWN,
            P1,
            "<c0ffee10@medecin.mssante.fr>",
        ),
        (
            "bounce_mes_invalid_address_plain.eml",
            BounceReason.INVALID_ADDRESS,
            "27903512151898@patient.mssante.fr",
            None,
        ),
        (
            "bounce_mes_too_large_postfix.eml",
            BounceReason.TOO_LARGE,
            P1,
            "<c0ffee04@medecin.mssante.fr>",
        ),
        ("bounce_mes_other_dsn.eml", BounceReason.OTHER, P2, "<c0ffee06@medecin.mssante.fr>"),
    ],
)
def test_patient_bounces_are_classified(
    name: str, reason: BounceReason, patient: str, original_id: str | None
) -> None:
    bounce = classify_patient_bounce(fixture(name))
    assert bounce is not None
    assert bounce.reason is reason
    assert str(bounce.patient) == patient
    assert bounce.original_message_id == original_id
    assert bounce.code == f"bounce.patient.{reason.value}"
    assert bounce.explanation == BOUNCE_EXPLANATIONS[reason]


def test_a_bounce_knows_the_patients_ins() -> None:
    bounce = classify_patient_bounce(fixture("bounce_mes_closed_dsn.eml"))
    assert bounce is not None
    assert str(bounce.ins) == "279035121518989"
    assert bounce.status == "5.2.1"
    assert bounce.diagnostic == "550 5.2.1 Messagerie fermee"
    invalid = classify_patient_bounce(fixture("bounce_mes_invalid_address_plain.eml"))
    assert invalid is not None
    assert invalid.ins is None


def test_the_quoted_original_does_not_decide_the_reason() -> None:
    # The original below "--- Message d'origine ---" says "trop volumineux": still unknown.
    raw = fixture("bounce_mes_unknown_plain.eml")
    assert b"trop volumineux" in raw.replace(b"=\r\n", b"")
    bounce = classify_patient_bounce(raw)
    assert bounce is not None
    assert bounce.reason is BounceReason.PATIENT_UNKNOWN


@pytest.mark.parametrize(
    "name",
    [
        "bounce_pro_user_unknown.eml",
        "dsn_patient_relayed.eml",
        "mdn_ci-sis_integration_ko.eml",
        "mdn_thunderbird_displayed.eml",
    ],
)
def test_other_reports_are_not_patient_bounces(name: str) -> None:
    assert classify_patient_bounce(fixture(name)) is None


def test_a_patients_ordinary_message_is_not_a_bounce() -> None:
    raw = (
        f"From: Élodie Lefèvre <{P1}>\r\nTo: {ME}\r\nSubject: Re: Résultats\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        "Mon message précédent n'a pas été distribué ? Adresse invalide ?\r\n"
    ).encode()
    assert classify_patient_bounce(raw) is None


@pytest.mark.parametrize(
    ("wording", "reason"),
    [
        ("Le patient a fermé sa messagerie.", BounceReason.MESSAGING_CLOSED),
        ("Messagerie désactivée par l’usager.", BounceReason.MESSAGING_CLOSED),
        ("Le patient n'a pas activé son profil Mon espace santé.", BounceReason.MESSAGING_CLOSED),
        ("Aucun patient ne correspond à cette adresse.", BounceReason.PATIENT_UNKNOWN),
        ("Destinataire inconnu.", BounceReason.PATIENT_UNKNOWN),
        ("L'adresse du destinataire est incorrecte.", BounceReason.INVALID_ADDRESS),
        ("Le message dépasse la taille maximale autorisée (25 Mo).", BounceReason.TOO_LARGE),
        ("Message trop volumineux.", BounceReason.TOO_LARGE),
        ("Service momentanément indisponible.", BounceReason.OTHER),
    ],
)
def test_french_wording_variants(wording: str, reason: BounceReason) -> None:
    raw = (
        "From: =?utf-8?q?Mon_espace_sant=C3=A9?= <ne-pas-repondre@patient.mssante.fr>\r\n"
        "To: marie.martin@medecin.mssante.fr\r\n"
        "Subject: =?utf-8?q?Message_non_distribu=C3=A9?=\r\n"
        "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        f"Votre message à {P1} n'a pas été distribué.\r\n{wording}\r\n"
    ).encode()
    bounce = classify_patient_bounce(raw)
    assert bounce is not None
    assert bounce.reason is reason
    assert str(bounce.patient) == P1


def test_a_bounce_from_the_patient_domain_without_an_address_is_still_a_patient_bounce() -> None:
    raw = (
        b"From: MAILER-DAEMON@patient.mssante.fr\r\n"
        b"Subject: Undelivered Mail Returned to Sender\r\n"
        b"Content-Type: text/plain\r\n\r\nMailbox disabled.\r\n"
    )
    bounce = classify_patient_bounce(raw)
    assert bounce is not None
    assert bounce.patient is None
    assert bounce.reason is BounceReason.MESSAGING_CLOSED


def test_every_reason_has_a_french_explanation() -> None:
    assert set(BOUNCE_EXPLANATIONS) == set(BounceReason)
    for text in BOUNCE_EXPLANATIONS.values():
        assert text.startswith("Le message n'a pas été distribué")


# -- Tolerance: never crash on what arrives -------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000))
def test_parsers_never_raise_on_arbitrary_bytes(raw: bytes) -> None:
    parse_mdn(raw)
    parse_dsn(raw)
    classify_patient_bounce(raw)


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_parsers_never_raise_on_damaged_reports(data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(sorted(p.name for p in FIXTURES.glob("*.eml"))))
    raw = bytearray(fixture(name))
    for _ in range(data.draw(st.integers(1, 8))):
        at = data.draw(st.integers(0, len(raw) - 1))
        raw[at] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(0, len(raw)))
    damaged = bytes(raw[:cut])
    parse_mdn(damaged)
    parse_dsn(damaged)
    classify_patient_bounce(damaged)


def test_the_reason_is_found_in_the_body_alone() -> None:
    raw = fixture("bounce_mes_invalid_address_plain.eml").replace(
        b"Subject: =?iso-8859-1?q?Message_non_distribu=E9_:_adresse_invalide?=",
        b"Subject: =?iso-8859-1?q?Message_non_distribu=E9?=",
    )
    assert b"adresse_invalide" not in raw
    bounce = classify_patient_bounce(raw)
    assert bounce is not None
    assert bounce.reason is BounceReason.INVALID_ADDRESS


def test_the_receipts_module_gathers_every_public_name_of_the_split_modules() -> None:
    from app.domain import bounces, delivery, mdn, reports

    for module in (bounces, delivery, mdn, reports):
        for name in dir(module):
            value = getattr(module, name)
            if name.startswith("_") or getattr(value, "__module__", None) != module.__name__:
                continue
            if callable(value):
                assert getattr(receipts, name) is value, name


def test_a_charset_name_with_a_nul_byte_is_read_as_utf8_not_an_error() -> None:
    # Found by test_parsers_never_raise_on_damaged_reports: codecs refuse such a name with
    # ValueError, not LookupError.
    from app.domain.mime_parts import bytes_text

    assert bytes_text("clôturée".encode(), "utf\x008") == "clôturée"
