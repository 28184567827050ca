"""Composition by the MSSanté rules (spec §3, §4): app/domain/compose.py."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.account import BoxType, Identity
from app.domain.compose import (
    END_OF_EXCHANGE_SUBJECT,
    Attachment,
    Draft,
    ReplyThreading,
    compose,
    end_of_exchange,
    from_display_name,
    is_end_of_exchange,
    message_ids,
    new_message_id,
    normalize_message_id,
    reply_references,
    reply_subject,
)
from app.domain.errors import ValidationError

PATIENT = "279035121518989@patient.mssante.fr"
SENDER = "marie.martin@medecin.mssante.fr"
MARIE = Identity(title="Dr", given_name="Marie", family_name="Martin", entity="Cabinet Médical")
WHEN = datetime(2026, 3, 12, 9, 41, 5, tzinfo=timezone(timedelta(hours=1)))


def draft(**changes: object) -> Draft:
    base = Draft(
        sender=SENDER,
        identity=MARIE,
        box_type=BoxType.PER,
        to=(f"Élodie Lefèvre <{PATIENT}>",),
        subject="Résultats de votre bilan",
        text="Bonjour Madame,\nVoici vos résultats : glycémie à jeun 0,92 g/l.\n",
        x_mss_nil="PLI-TEST-NIL",
    )
    return base.evolve(**changes)


def text_of(part: EmailMessage) -> str:
    """A text part's content with the wire's CRLF line ends made LF."""
    content = part.get_content()
    assert isinstance(content, str)
    return content.replace("\r\n", "\n")


def parsed(raw: bytes) -> EmailMessage:
    msg = message_from_bytes(raw, policy=policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


# -- From display name (ECO.2.2.7) ----------------------------------------------------------


def test_display_name_of_a_nominative_box_is_title_given_family_entity() -> None:
    assert from_display_name(MARIE, BoxType.PER) == "Dr_Marie_MARTIN_Cabinet Médical"


def test_display_name_of_a_practice_box_follows_the_nominative_rule() -> None:
    assert from_display_name(MARIE, BoxType.CAB) == "Dr_Marie_MARTIN_Cabinet Médical"


def test_family_name_is_upper_cased_with_its_accents() -> None:
    who = Identity(title="Pr", given_name="Élodie", family_name="Lefèvre-Noël", entity="CHU")
    assert from_display_name(who, BoxType.PER) == "Pr_Élodie_LEFÈVRE-NOËL_CHU"


@pytest.mark.parametrize(
    ("identity", "expected"),
    [
        (
            Identity(given_name="Marie", family_name="Martin", entity="Cabinet"),
            "Marie_MARTIN_Cabinet",
        ),
        (Identity(title="Dr", given_name="Marie", family_name="Martin"), "Dr_Marie_MARTIN"),
        (Identity(title="Dr", family_name="Martin", entity="Cabinet"), "Dr_MARTIN_Cabinet"),
        (Identity(title="  ", given_name=" Marie ", family_name="Martin"), "Marie_MARTIN"),
        (Identity(), ""),
    ],
)
def test_empty_parts_are_left_out_with_their_separator(identity: Identity, expected: str) -> None:
    assert from_display_name(identity, BoxType.PER) == expected


def test_line_breaks_in_identity_parts_never_reach_the_header() -> None:
    who = Identity(title="Dr", given_name="Jean\nPierre", family_name="Du\r\nPont", entity="A\tB")
    assert from_display_name(who, BoxType.PER) == "Dr_Jean Pierre_DU PONT_A B"


@pytest.mark.parametrize("box", [BoxType.ORG, BoxType.APP])
def test_organisational_and_applicative_boxes_show_the_entity_only(box: BoxType) -> None:
    who = Identity(
        title="Dr",
        given_name="Marie",
        family_name="Martin",
        entity="Hôpital A – Service Cardiologie",
    )
    assert from_display_name(who, box) == "Hôpital A – Service Cardiologie"


def test_from_header_carries_the_display_name_and_the_address() -> None:
    msg = parsed(compose(draft(), date=WHEN).raw)
    sender = msg["From"].addresses[0]
    assert sender.display_name == "Dr_Marie_MARTIN_Cabinet Médical"
    assert sender.addr_spec == SENDER


def test_a_box_without_any_name_sends_the_bare_address() -> None:
    msg = parsed(compose(draft(identity=Identity()), date=WHEN).raw)
    assert msg["From"].addresses[0].display_name == ""
    assert str(msg["From"]) == SENDER


# -- Message-ID, date, envelope ------------------------------------------------------------


def test_every_message_gets_a_message_id_at_the_senders_domain() -> None:
    first = compose(draft(), date=WHEN)
    second = compose(draft(), date=WHEN)
    assert re.fullmatch(r"<[0-9a-f]{32}@medecin\.mssante\.fr>", first.message_id)
    assert first.message_id != second.message_id
    assert parsed(first.raw)["Message-ID"] == first.message_id


def test_a_fixed_message_id_is_kept_so_an_outbox_resends_the_same_message() -> None:
    composed = compose(draft(), message_id="abc123@medecin.mssante.fr", date=WHEN)
    assert composed.message_id == "<abc123@medecin.mssante.fr>"
    assert parsed(composed.raw)["Message-ID"] == "<abc123@medecin.mssante.fr>"


def test_new_message_id_lower_cases_the_domain() -> None:
    assert new_message_id("Medecin.MSSante.fr").endswith("@medecin.mssante.fr>")


def test_date_header_is_the_given_date() -> None:
    composed = compose(draft(), date=WHEN)
    assert parsed(composed.raw)["Date"].datetime == WHEN
    assert composed.date == WHEN


def test_a_naive_date_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        compose(draft(), date=datetime(2026, 3, 12, 9, 0))
    assert caught.value.code == "draft.naive_date"


def test_default_date_is_now_with_a_timezone() -> None:
    composed = compose(draft())
    assert composed.date.tzinfo is not None
    assert abs(composed.date - datetime.now(UTC)) < timedelta(minutes=1)


def test_bcc_is_in_the_envelope_and_never_in_the_headers() -> None:
    composed = compose(
        draft(
            cc=("Secrétariat <secretariat@cabinet.mssante.fr>",),
            bcc=("archive@cabinet.mssante.fr",),
        ),
        date=WHEN,
    )
    assert composed.envelope_recipients == (
        PATIENT,
        "secretariat@cabinet.mssante.fr",
        "archive@cabinet.mssante.fr",
    )
    assert composed.envelope_from == SENDER
    msg = parsed(composed.raw)
    assert msg["Bcc"] is None
    assert b"archive@cabinet" not in composed.raw
    assert msg["Cc"].addresses[0].display_name == "Secrétariat"


def test_a_recipient_given_twice_is_sent_once() -> None:
    composed = compose(
        draft(
            to=(PATIENT,), cc=(PATIENT.upper().replace("PATIENT.MSSANTE.FR", "patient.mssante.fr"),)
        ),
        date=WHEN,
    )
    assert composed.envelope_recipients == (PATIENT,)


def test_size_is_the_raw_length() -> None:
    composed = compose(draft(), date=WHEN)
    assert composed.size == len(composed.raw)


# -- Structure and encodings -----------------------------------------------------------------


def test_raw_is_seven_bit_with_crlf_line_ends() -> None:
    raw = compose(
        draft(attachments=(Attachment("Ordonnance été.pdf", "application/pdf", b"%PDF\xff"),)),
        date=WHEN,
    ).raw
    assert raw.isascii()
    assert b"\n" not in raw.replace(b"\r\n", b"")


def test_text_only_body_is_text_plain_in_utf8() -> None:
    msg = parsed(compose(draft(), date=WHEN).raw)
    assert msg.get_content_type() == "text/plain"
    assert msg.get_content_charset() == "utf-8"
    assert text_of(msg) == "Bonjour Madame,\nVoici vos résultats : glycémie à jeun 0,92 g/l.\n"


def test_html_alternative_makes_multipart_alternative() -> None:
    msg = parsed(compose(draft(html="<p>Bonjour <b>Madame</b></p>"), date=WHEN).raw)
    assert msg.get_content_type() == "multipart/alternative"
    kinds = [p.get_content_type() for p in msg.iter_parts()]
    assert kinds == ["text/plain", "text/html"]
    assert all(p.get_content_charset() == "utf-8" for p in msg.iter_parts())


def test_attachments_make_multipart_mixed_and_keep_their_bytes() -> None:
    pdf = b"%PDF-1.4\n" + bytes(range(256)) * 4
    msg = parsed(
        compose(
            draft(
                html="<p>Bonjour</p>",
                attachments=(
                    Attachment("ordonnance.pdf", "application/pdf", pdf),
                    Attachment("photo.jpg", "image/jpeg", b"\xff\xd8\xff\xe0jpeg"),
                ),
            ),
            date=WHEN,
        ).raw
    )
    assert msg.get_content_type() == "multipart/mixed"
    parts = list(msg.iter_parts())
    assert parts[0].get_content_type() == "multipart/alternative"
    assert [p.get_filename() for p in parts[1:]] == ["ordonnance.pdf", "photo.jpg"]
    assert parts[1].get_content_type() == "application/pdf"
    assert parts[1].get_content() == pdf
    assert parts[2].get_content_type() == "image/jpeg"


def test_every_text_part_is_utf8() -> None:
    msg = parsed(
        compose(
            draft(html="<p>é</p>", attachments=(Attachment("a.pdf", "application/pdf", b"%PDF"),)),
            date=WHEN,
        ).raw
    )
    texts = [p for p in msg.walk() if p.get_content_maintype() == "text"]
    assert len(texts) == 2
    assert all(p.get_content_charset() == "utf-8" for p in texts)


def test_accented_file_names_are_written_the_rfc_2231_way() -> None:
    composed = compose(
        draft(
            attachments=(Attachment("Compte rendu échographie.pdf", "application/pdf", b"%PDF"),)
        ),
        date=WHEN,
    )
    assert b"filename*=utf-8''Compte%20rendu%20%C3%A9chographie.pdf" in composed.raw
    part = list(parsed(composed.raw).iter_attachments())[0]
    assert part.get_filename() == "Compte rendu échographie.pdf"
    assert part.get_param("name") == "Compte rendu échographie.pdf"


def test_file_names_lose_their_path_and_control_characters() -> None:
    composed = compose(
        draft(attachments=(Attachment("../../etc/cr\u202efdp.exe", "application/pdf", b"%PDF"),)),
        date=WHEN,
    )
    part = list(parsed(composed.raw).iter_attachments())[0]
    assert part.get_filename() == "crfdp.exe"


@pytest.mark.parametrize(
    "declared", ["", "nonsense", "multipart/mixed", "text/plain\r\nBcc: x@evil.fr"]
)
def test_an_unusable_content_type_becomes_octet_stream(declared: str) -> None:
    composed = compose(draft(attachments=(Attachment("x.bin", declared, b"data"),)), date=WHEN)
    part = list(parsed(composed.raw).iter_attachments())[0]
    assert part.get_content_type() == "application/octet-stream"


def test_no_mime_version_on_inner_parts() -> None:
    raw = compose(
        draft(html="<p>x</p>", attachments=(Attachment("a.pdf", "application/pdf", b"%PDF"),)),
        date=WHEN,
    ).raw
    assert raw.count(b"MIME-Version:") == 1


def test_subject_is_one_line_and_decodes_back() -> None:
    msg = parsed(compose(draft(subject="Résultats\r\nBcc: x@evil.fr"), date=WHEN).raw)
    assert msg["Subject"] == "Résultats Bcc: x@evil.fr"
    assert msg["Bcc"] is None


@settings(max_examples=60, deadline=None)
@given(
    subject=st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=120),
    body=st.text(
        st.characters(blacklist_categories=("Cs",), blacklist_characters="\r"), max_size=400
    ),
)
def test_subject_and_body_survive_composition(subject: str, body: str) -> None:
    composed = compose(draft(subject=subject, text=body), date=WHEN)
    assert composed.raw.isascii()
    msg = parsed(composed.raw)
    assert str(msg["Subject"]) == " ".join(subject.split())
    expected = body if body.endswith("\n") else body + "\n"
    assert text_of(msg) == expected


# -- MSSanté headers, receipts, return box ------------------------------------------------


def test_x_mss_nil_is_on_every_message() -> None:
    assert parsed(compose(draft(), date=WHEN).raw)["X-MSS-NIL"] == "PLI-TEST-NIL"


@pytest.mark.parametrize("value", ["", "   "])
def test_a_message_without_product_reference_is_refused(value: str) -> None:
    with pytest.raises(ValidationError) as caught:
        compose(draft(x_mss_nil=value), date=WHEN)
    assert caught.value.code == "draft.x_mss_nil_missing"


def test_optional_mssante_headers_are_written_when_set() -> None:
    msg = parsed(
        compose(
            draft(x_mss_codecda="11488-4,34794-8", x_mss_ins="O", x_mss_mes="FIN"), date=WHEN
        ).raw
    )
    assert msg["X-MSS-CODECDA"] == "11488-4,34794-8"
    assert msg["X-MSS-INS"] == "O"
    assert msg["X-MSS-MES"] == "FIN"


def test_optional_mssante_headers_are_absent_when_not_set() -> None:
    msg = parsed(compose(draft(), date=WHEN).raw)
    assert msg["X-MSS-CODECDA"] is None
    assert msg["X-MSS-INS"] is None
    assert msg["X-MSS-MES"] is None


@pytest.mark.parametrize("value", ["O\r\nBcc: x@evil.fr", "é", "x" * 901])
def test_technical_header_values_must_be_one_line_of_ascii(value: str) -> None:
    with pytest.raises(ValidationError) as caught:
        compose(draft(x_mss_ins=value), date=WHEN)
    assert caught.value.code == "draft.header_invalid"
    assert caught.value.params["header"] == "X-MSS-INS"


def test_read_receipt_asks_for_it_at_the_own_address() -> None:
    msg = parsed(compose(draft(read_receipt=True), date=WHEN).raw)
    assert msg["Disposition-Notification-To"] == f"<{SENDER}>"


def test_no_receipt_header_unless_asked() -> None:
    assert parsed(compose(draft(), date=WHEN).raw)["Disposition-Notification-To"] is None


def test_return_box_becomes_reply_to() -> None:
    msg = parsed(compose(draft(reply_to="secretariat@cabinet.mssante.fr"), date=WHEN).raw)
    assert msg["Reply-To"].addresses[0].addr_spec == "secretariat@cabinet.mssante.fr"
    assert parsed(compose(draft(), date=WHEN).raw)["Reply-To"] is None


# -- Refusals ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "changes",
    [
        {"sender": "not an address"},
        {"to": ("nobody",)},
        {"cc": ("a@b@c.fr",)},
        {"bcc": ("x@",)},
        {"reply_to": "nowhere"},
    ],
)
def test_malformed_addresses_are_refused(changes: dict[str, object]) -> None:
    with pytest.raises(ValidationError) as caught:
        compose(draft(**changes), date=WHEN)
    assert caught.value.code == "address.malformed"


def test_a_message_without_recipient_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        compose(draft(to=()), date=WHEN)
    assert caught.value.code == "draft.no_recipient"


def test_bcc_alone_is_enough() -> None:
    composed = compose(draft(to=(), bcc=(PATIENT,)), date=WHEN)
    assert composed.envelope_recipients == (PATIENT,)
    assert parsed(composed.raw)["To"] is None


# -- Replies (RFC 5322 §3.6.4, ECO.2.2.2) ------------------------------------------------------


def test_reply_references_append_the_parent_to_its_references() -> None:
    threading = reply_references("<c@x.fr>", "<a@x.fr>\r\n <b@x.fr>", "<b@x.fr>")
    assert threading == ReplyThreading("<c@x.fr>", ("<a@x.fr>", "<b@x.fr>", "<c@x.fr>"))


def test_reply_references_use_in_reply_to_when_the_parent_has_no_references() -> None:
    assert reply_references("<c@x.fr>", None, "<b@x.fr>").references == ("<b@x.fr>", "<c@x.fr>")


def test_reply_references_ignore_an_ambiguous_in_reply_to() -> None:
    threading = reply_references("<c@x.fr>", "", "<a@x.fr> <b@x.fr>")
    assert threading.references == ("<c@x.fr>",)


def test_reply_references_of_a_first_message() -> None:
    assert reply_references("c@x.fr") == ReplyThreading("<c@x.fr>", ("<c@x.fr>",))


def test_reply_references_keep_each_identifier_once() -> None:
    threading = reply_references("<b@x.fr>", ["<a@x.fr> <b@x.fr>", "<a@x.fr>"])
    assert threading.references == ("<a@x.fr>", "<b@x.fr>")


def test_reply_references_refuse_an_empty_parent() -> None:
    with pytest.raises(ValidationError) as caught:
        reply_references("<>")
    assert caught.value.code == "message_id.malformed"


def test_threading_headers_are_written() -> None:
    threading = reply_references("<c@x.fr>", "<a@x.fr> <b@x.fr>")
    msg = parsed(
        compose(
            draft(in_reply_to=threading.in_reply_to, references=threading.references), date=WHEN
        ).raw
    )
    assert msg["In-Reply-To"] == "<c@x.fr>"
    assert message_ids(str(msg["References"])) == ("<a@x.fr>", "<b@x.fr>", "<c@x.fr>")


def test_message_ids_clean_spaces_inside_brackets() -> None:
    assert message_ids("<199509192301.23456 > junk < a@b >") == ("<199509192301.23456>", "<a@b>")
    assert normalize_message_id(" abc@x ") == "<abc@x>"


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("Résultats", "Re: Résultats"),
        ("Re: Résultats", "Re: Résultats"),
        ("RE : Re: re:Résultats", "Re: Résultats"),
        ("Re[2]: Résultats", "Re: Résultats"),
        ("Réf. : Résultats", "Re: Résultats"),
        ("AW: Résultats", "Re: Résultats"),
        ("Regarding the plan", "Re: Regarding the plan"),
        ("", "Re:"),
    ],
)
def test_reply_subject_never_doubles_the_prefix(subject: str, expected: str) -> None:
    assert reply_subject(subject) == expected


# -- End of exchange (spec §4, ECO.2.2.8) ----------------------------------------------------


def test_end_of_exchange_sends_both_signals() -> None:
    fin = end_of_exchange(
        sender=SENDER,
        identity=MARIE,
        box_type=BoxType.PER,
        patient=PATIENT,
        x_mss_nil="PLI-TEST-NIL",
        threading=ReplyThreading("<c@x.fr>", ("<a@x.fr>", "<c@x.fr>")),
    )
    assert fin.subject == "[FIN]" == END_OF_EXCHANGE_SUBJECT
    assert fin.x_mss_mes == "FIN"
    assert fin.to == (PATIENT,)
    msg = parsed(compose(fin, date=WHEN).raw)
    assert msg["Subject"] == "[FIN]"
    assert msg["X-MSS-MES"] == "FIN"
    assert msg["In-Reply-To"] == "<c@x.fr>"
    assert "terminé" in text_of(msg)
    assert is_end_of_exchange(str(msg["Subject"]), msg)


def test_end_of_exchange_only_towards_a_patient() -> None:
    with pytest.raises(ValidationError) as caught:
        end_of_exchange(
            sender=SENDER,
            identity=MARIE,
            box_type=BoxType.PER,
            patient="confrere@hopital.mssante.fr",
            x_mss_nil="X",
        )
    assert caught.value.code == "end_of_exchange.not_patient"


@pytest.mark.parametrize(
    ("subject", "headers", "expected"),
    [
        ("Résultats", {"X-MSS-MES": "FIN"}, True),
        ("Résultats", {"x-mss-mes": " fin "}, True),
        ("[FIN]", {}, True),
        ("  [FIN] ", {}, True),
        ("[fin]", {}, False),
        ("FIN", {}, False),
        ("[FIN] suite", {}, False),
        ("Re: [FIN]", {}, False),
        (None, {"X-MSS-MES": "AUTRE"}, False),
    ],
)
def test_is_end_of_exchange(subject: str | None, headers: dict[str, str], expected: bool) -> None:
    assert is_end_of_exchange(subject, headers) is expected


# -- Draft helpers -----------------------------------------------------------------------------


def test_recipient_replaced_everywhere_keeping_the_display_name() -> None:
    d = draft(
        to=("Dr Paul Durand <paul.durand@cabinet.apicrypt.org>",),
        bcc=("PAUL.DURAND@cabinet.apicrypt.org",),
    )
    swapped = d.with_recipient_replaced(
        "paul.durand@cabinet.apicrypt.org", "paul.durand@interop-mssante.apicrypt.org"
    )
    assert swapped.to == ("Dr Paul Durand <paul.durand@interop-mssante.apicrypt.org>",)
    assert swapped.bcc == ("paul.durand@interop-mssante.apicrypt.org",)
    assert d.to[0].endswith("cabinet.apicrypt.org>")  # the original draft is untouched


def test_recipient_addresses_skip_malformed_and_duplicates() -> None:
    d = draft(to=(PATIENT, "garbage"), cc=(PATIENT,), bcc=("a@b.mssante.fr",))
    assert [str(a) for a in d.recipient_addresses()] == [PATIENT, "a@b.mssante.fr"]
