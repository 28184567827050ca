"""Writing as an MSSanté client, end to end: A writes to B and to a patient through the real
SMTP server, which delivers into Dovecot; B and the patient's mailbox read it over IMAP."""

from __future__ import annotations

import email
import json
from email import policy
from pathlib import Path

import pytest

from tests.support.cli import Pli
from tests.support.mail import message, tiny_pdf

pytestmark = pytest.mark.integration

INS = "279035121518989"
PATIENT = f"{INS}@patient.mssante.fr"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "mail"


def make_user(tmp_path: Path, account, name: str, *extra: str) -> Pli:
    pli = Pli(tmp_path / name)
    pli.add_account(
        name,
        account,
        "--title",
        "Dr",
        "--given-name",
        "Marie",
        "--family-name",
        "Martin",
        "--entity",
        "Cabinet Médical",
        *extra,
    )
    return pli


def body_file(tmp_path: Path, text: str) -> str:
    path = tmp_path / f"body-{abs(hash(text))}.txt"
    path.write_text(text, encoding="utf-8")
    return str(path)


def server_raw(account, folder: str, message_id: str) -> email.message.EmailMessage:
    for info in account.dovecot.messages(account.address, folder):
        if info.message_id == message_id:
            raw = account.dovecot.fetch_raw(account.address, folder, info.uid)
            return email.message_from_bytes(raw, policy=policy.default)  # type: ignore[return-value]
    raise AssertionError(f"{message_id} not in {folder}")


@pytest.fixture
def patient_box(mail_account_factory, smtp_server):
    """A Dovecot mailbox standing for the patient's Mon espace santé messaging."""
    box = mail_account_factory()
    smtp_server.add_patient(PATIENT, box.address)
    return box


def test_a_colleague_receives_a_message_by_the_rules_and_the_reply_is_threaded(
    tmp_path: Path, imap_account_factory
) -> None:
    # On Dovecot and on Cyrus (both layouts): the copy in Sent and the hidden self-copy.
    a_account, b_account = imap_account_factory(), imap_account_factory()
    a = make_user(tmp_path, a_account, "a")
    b = Pli(tmp_path / "b")
    b.add_account("b", b_account)
    pdf = tmp_path / "compte-rendu échographie.pdf"
    pdf.write_bytes(tiny_pdf("Echographie"))
    sent = (
        a(
            "send",
            "--to",
            b_account.address,
            "--subject",
            "Compte rendu de Mme Lefèvre",
            "--body-file",
            body_file(tmp_path, "Cher confrère,\nci-joint le compte rendu."),
            "--attach",
            str(pdf),
            "--json",
        )
        .ok()
        .json()
    )
    assert sent["state"] == "filed"
    message_id = sent["message_id"]

    received = server_raw(b_account, "INBOX", message_id)
    assert received["From"].addresses[0].display_name == "Dr_Marie_MARTIN_Cabinet Médical"
    assert received["X-MSS-NIL"]
    assert received["Disposition-Notification-To"] is None  # not towards a patient by default
    assert received.get_body(("plain",)).get_content().startswith("Cher confrère")
    (attachment,) = list(received.iter_attachments())
    assert attachment.get_filename() == "compte-rendu échographie.pdf"
    assert "Bcc" not in received and a_account.address not in str(received["To"])
    # A copy in A's Sent (APPEND), and the hidden copy gone from A's inbox.
    in_sent = server_raw(a_account, a_account.folder("Sent"), message_id)
    assert in_sent["Subject"] == "Compte rendu de Mme Lefèvre"
    assert a_account.server.messages(a_account.address, "INBOX") == []
    # Exactly one submission.
    assert len(a("outbox", "--json").json()["entries"]) == 1

    b("sync").ok()
    original = b("list", "--json").json()["messages"][0]
    reply = (
        b(
            "send",
            "--to",
            a_account.address,
            "--subject",
            "Re: Compte rendu de Mme Lefèvre",
            "--body-file",
            body_file(tmp_path, "Merci."),
            "--reply-to-message",
            str(original["id"]),
            "--json",
        )
        .ok()
        .json()
    )
    answer = server_raw(a_account, "INBOX", reply["message_id"])
    assert answer["In-Reply-To"] == message_id
    assert message_id in answer["References"]
    # B's original is now \Answered, locally and on the server.
    b("sync").ok()
    assert "answered" in b("list", "--json").json()["messages"][-1]["flags"]
    a("sync").ok()
    listing = a("list", "--json").json()["messages"]
    threads = {m["thread"] for m in listing}
    assert len(listing) == 2 and len(threads) == 1  # Sent copy and the reply, one thread


def test_a_pdf_sent_to_a_colleague_as_an_xdm_package(tmp_path: Path, mail_account_factory) -> None:
    """Spec §3: IHE_XDM.zip with the PDF beside it, XDM subject, X-MSS-CODECDA/X-MSS-INS; the
    colleague's Pli reads the package back and hides the subject's technical prefix."""
    a_account, b_account = mail_account_factory(), mail_account_factory()
    a = make_user(tmp_path, a_account, "a")
    b = Pli(tmp_path / "b")
    b.add_account("b", b_account)
    pdf = tmp_path / "cr.pdf"
    pdf.write_bytes(tiny_pdf("Consultation du 20 novembre"))
    xdm = ["--xdm", str(pdf), "--xdm-patient", INS, "--xdm-title", "Compte rendu de consultation"]
    xdm += ["--xdm-type-code", "11488-4", "--xdm-act-date", "2026-11-20"]
    body = ["--body-file", body_file(tmp_path, "Cher confrère,\nvoici le compte rendu.")]

    # The patient must be known or named; the subject is the rules' own.
    unknown = a("send", "--to", b_account.address, *body, *xdm)
    assert unknown.code == 3 and "patient add 279035121518989" in unknown.err
    named = [*xdm, "--patient-name", "Lefèvre", "--patient-given", "Jeanne"]
    clash = a("send", "--to", b_account.address, "--subject", "Mon sujet", *body, *named)
    assert clash.code == 3 and "leave out --subject" in clash.err
    alone = a("send", "--to", b_account.address, "--subject", "S", *body, "--xdm-patient", INS)
    assert alone.code == 3 and "--xdm-patient only goes with --xdm" in alone.err
    assert a("outbox", "--json").json()["entries"] == []

    named += ["--patient-birth-date", "1979-03-14"]
    sent = a("send", "--to", b_account.address, *body, *named, "--json").ok().json()
    assert sent["state"] == "filed"
    received = server_raw(b_account, "INBOX", sent["message_id"])
    subject = "XDM/1.0/DDM+Compte rendu de consultation LEFÈVRE Jeanne 14/03/1979"
    assert received["Subject"] == subject
    assert received["X-MSS-CODECDA"] == "11488-4"
    assert received["X-MSS-INS"] == "O"
    names = [part.get_filename() for part in received.iter_attachments()]
    assert names == ["IHE_XDM.zip", "20261120_CR de consultation_LEFÈVRE_Jeanne.pdf"]
    beside = list(received.iter_attachments())[1].get_content()
    assert beside == pdf.read_bytes()
    # The patient record was created from the names given.
    patient = a("patient", "show", INS, "--json").ok().json()
    patient = patient["patient"]
    assert (patient["family_name"], patient["birth_date"]) == ("LEFÈVRE", "1979-03-14")

    b("sync").ok()
    (message,) = b("list", "--json").ok().json()["messages"]
    assert message["subject"] == subject
    assert message["display_subject"] == "Compte rendu de consultation LEFÈVRE Jeanne 14/03/1979"
    assert "Subject: Compte rendu de consultation LEFÈVRE" in b("show", str(message["id"])).out
    attachments = b("attachments", str(message["id"]), "--json").ok().json()["attachments"]
    package = attachments[0]["xdm"]
    assert package["ok"] is True
    assert package["patient"]["id"]["value"] == INS
    assert (package["patient"]["family"], package["patient"]["given"]) == ("LEFÈVRE", "Jeanne")
    (document,) = package["documents"]
    assert document["title"] == "Compte rendu de consultation"
    assert document["type_code"]["code"] == "11488-4"
    assert document["author"]["family"] == "MARTIN"
    assert attachments[1]["pdf"]["pages"] == 1

    # Once known, the patient needs no name, and a wrong birth date is refused plainly.
    again = a("send", "--to", b_account.address, *body, *xdm, "--json").ok().json()
    assert server_raw(b_account, "INBOX", again["message_id"])["Subject"] == subject
    wrong = a(
        "patient",
        "add",
        "180126955222380",
        "--name",
        "X",
        "--given",
        "Y",
        "--birth-date",
        "14/03/1979",
    )
    assert wrong.code == 3 and "not a date of birth" in wrong.err


def test_a_patient_conversation_from_first_message_to_end_of_exchange(
    tmp_path: Path, mail_account, patient_box
) -> None:
    a = make_user(tmp_path, mail_account, "cab")
    first = a(
        "send",
        "--to",
        PATIENT,
        "--subject",
        "Vos résultats",
        "--body-file",
        body_file(tmp_path, "Bonjour Madame."),
    )
    assert first.code == 4 or first.code == 3  # a new patient needs an identity
    assert "pli patient add" in first.err
    assert a("outbox", "--json").json()["entries"] == []

    sent = (
        a(
            "send",
            "--to",
            PATIENT,
            "--subject",
            "Vos résultats",
            "--body-file",
            body_file(tmp_path, "Bonjour Madame."),
            "--patient-name",
            "Lefèvre",
            "--patient-given",
            "Élodie",
            "--json",
        )
        .ok()
        .json()
    )
    at_patient = server_raw(patient_box, "INBOX", sent["message_id"])
    # A read receipt is asked of patients by default (spec §3).
    assert mail_account.address in at_patient["Disposition-Notification-To"]

    # The patient answers from Mon espace santé (its From carries name and first name).
    raw, _ = message(
        sender=f"Élodie LEFÈVRE <{PATIENT}>",
        to=mail_account.address,
        subject="Re: Vos résultats",
        body="Merci docteur.",
        in_reply_to=sent["message_id"],
        references=[sent["message_id"]],
    )
    mail_account.dovecot.deliver(mail_account.address, raw)
    a("sync").ok()
    shown = a("patient", "show", INS, "--json").ok().json()
    assert shown["patient"]["family_name"] == "LEFÈVRE"
    assert shown["patient"]["given_name"] == "Élodie"
    assert [m["subject"] for m in shown["messages"]] == ["Vos résultats", "Re: Vos résultats"]
    assert shown["patient"]["closed"] is False

    ended = a("end-exchange", "--patient", INS, "--json").ok().json()
    fin = server_raw(patient_box, "INBOX", ended["message_id"])
    assert fin["Subject"] == "[FIN]"
    assert fin["X-MSS-MES"] == "FIN"
    assert fin["In-Reply-To"]  # threaded on the conversation
    shown = a("patient", "show", INS, "--json").ok().json()
    assert shown["patient"]["closed"] is True
    assert [e["kind"] for e in shown["events"]] == ["closed"]

    # A message from the patient after the end is flagged on the conversation.
    late, _ = message(
        sender=f"Élodie LEFÈVRE <{PATIENT}>", to=mail_account.address, subject="Encore une question"
    )
    mail_account.dovecot.deliver(mail_account.address, late)
    a("sync").ok()
    kinds = [e["kind"] for e in a("patient", "show", INS, "--json").json()["events"]]
    assert kinds == ["closed", "late_message"]
    # Writing again reopens it.
    a(
        "send",
        "--to",
        PATIENT,
        "--subject",
        "Réponse",
        "--body-file",
        body_file(tmp_path, "Voici."),
    ).ok()
    shown = a("patient", "show", INS, "--json").ok().json()
    assert shown["patient"]["closed"] is False
    assert [e["kind"] for e in shown["events"]] == ["closed", "late_message", "reopened"]
    audit = {e["action"] for e in a("audit", "--json").json()["entries"]}
    assert {"send.queue", "send.submit", "send.file"} <= audit
    assert a("patients", "--json").ok().json()["patients"][0]["messages"] >= 4


def test_checks_refuse_before_anything_is_queued(tmp_path: Path, mail_account) -> None:
    a = make_user(tmp_path, mail_account, "cab")
    bad_key = "279035121518988@patient.mssante.fr"
    refused = a("send", "--to", bad_key, "--subject", "x", "--body-file", body_file(tmp_path, "x"))
    assert refused.code == 3
    assert "INS" in refused.err
    apicrypt = a(
        "send",
        "--to",
        "jean.dupont@medecin.apicrypt.org",
        "--subject",
        "x",
        "--body-file",
        body_file(tmp_path, "x"),
    )
    assert apicrypt.code == 3
    assert "jean.dupont@interop-mssante.apicrypt.org" in apicrypt.err
    exe = tmp_path / "ordonnance.pdf"
    exe.write_bytes(b"MZ\x90\x00" + b"\x00" * 100)
    disguised = a(
        "send",
        "--to",
        mail_account.address,
        "--subject",
        "x",
        "--body-file",
        body_file(tmp_path, "x"),
        "--attach",
        str(exe),
    )
    assert disguised.code == 3
    (a.profile / "settings.json").write_text(json.dumps({"sending": {"patient_limit_bytes": 2000}}))
    big = a(
        "send",
        "--to",
        PATIENT,
        "--subject",
        "x",
        "--body-file",
        body_file(tmp_path, "x" * 5000),
        "--patient-name",
        "L",
        "--patient-given",
        "E",
    )
    assert big.code == 3
    assert a("outbox", "--json").json()["entries"] == []


def test_unknown_domains_need_confirmation_once_the_white_list_is_imported(
    tmp_path: Path, mail_account, smtp_server
) -> None:
    a = make_user(tmp_path, mail_account, "cab")
    whitelist = tmp_path / "listeblanchemssante.xml"
    domain = mail_account.address.split("@")[1]
    whitelist.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<ListeBlancheMSSante xmlns="https://listeblanche.mssante.fr/schema">'
        "<DateDeGeneration>2026-11-01</DateDeGeneration><ListeDomaines>"
        f"<Domaine><Nom>{domain}</Nom><Description>test</Description></Domaine>"
        "</ListeDomaines></ListeBlancheMSSante>",
        encoding="utf-8",
    )
    a("directory", "whitelist", "import", str(whitelist)).ok()
    outside = "someone@gmail.example"
    asked = a("send", "--to", outside, "--subject", "x", "--body-file", body_file(tmp_path, "x"))
    assert asked.code == 3
    assert "--yes" in asked.err
    assert a("outbox", "--json").json()["entries"] == []
    inside = a(
        "send",
        "--to",
        mail_account.address,
        "--subject",
        "x",
        "--body-file",
        body_file(tmp_path, "x"),
    )
    assert inside.code == 0
    forced = a(
        "send",
        "--to",
        outside,
        "--subject",
        "x",
        "--body-file",
        body_file(tmp_path, "x"),
        "--yes",
        "--json",
    )
    assert forced.code == 0
    assert forced.json()["warnings"]


def test_a_message_written_offline_leaves_when_the_server_is_back(
    tmp_path: Path, mail_account_factory, smtp_server
) -> None:
    a_account, b_account = mail_account_factory(), mail_account_factory()
    a = make_user(tmp_path, a_account, "a")
    good = f"{a_account.smtp_host}:{a_account.smtp_port}"
    a("account", "set", "a", "--smtp", "127.0.0.1:9").ok()
    queued = a(
        "send",
        "--to",
        b_account.address,
        "--subject",
        "Écrit hors ligne",
        "--body-file",
        body_file(tmp_path, "x"),
        "--json",
    )
    assert queued.code == 75
    assert queued.json()["state"] == "queued"
    assert b_account.dovecot.messages(b_account.address) == []
    a("account", "set", "a", "--smtp", good).ok()
    report = a("sync", "--json").ok().json()
    assert report["accounts"][0]["outbox"]["submitted"] == 1
    (entry,) = a("outbox", "--json").json()["entries"]
    assert entry["state"] == "filed"
    assert len(smtp_server.transactions_with_message_id(entry["message_id"])) == 1
    assert len(b_account.dovecot.messages(b_account.address)) == 1


def test_refused_recipients_are_reported_and_the_others_served(
    tmp_path: Path, mail_account_factory, smtp_server
) -> None:
    a_account, b_account, c_account = (mail_account_factory() for _ in range(3))
    a = make_user(tmp_path, a_account, "a")
    smtp_server.reject_recipient(c_account.address, "550 5.1.1 <x>: Recipient address rejected")
    result = a(
        "send",
        "--to",
        b_account.address,
        c_account.address,
        "--subject",
        "Deux",
        "--body-file",
        body_file(tmp_path, "x"),
        "--json",
    )
    assert result.code == 0
    assert [r["address"] for r in result.json()["refused"]] == [c_account.address]
    assert "refused by the server" in a("outbox").out or True
    (entry,) = a("outbox", "--json").json()["entries"]
    assert entry["status"][c_account.address]["status"] == "failed"
    assert entry["status"][b_account.address]["status"] == "submitted"
    assert len(b_account.dovecot.messages(b_account.address)) == 1


def test_delivery_reports_and_read_receipts_update_the_status(
    tmp_path: Path, mail_account_factory
) -> None:
    a_account, b_account = mail_account_factory(), mail_account_factory()
    a = make_user(tmp_path, a_account, "a")
    b = Pli(tmp_path / "b")
    b.add_account("b", b_account)
    sent = (
        a(
            "send",
            "--to",
            b_account.address,
            "--subject",
            "Avec accusés",
            "--body-file",
            body_file(tmp_path, "x"),
            "--dsn",
            "--receipt",
            "--json",
        )
        .ok()
        .json()
    )
    a("sync").ok()  # the DSN (success) arrives in A's inbox
    (entry,) = a("outbox", "--json").json()["entries"]
    assert entry["status"][b_account.address]["status"] == "delivered"

    b("sync").ok()
    (request,) = b("receipts", "--json").ok().json()["requests"]
    assert request["needs_confirmation"] is False
    b("receipts", "send", str(request["id"])).ok()
    assert b("receipts", "--json").json()["requests"] == []  # $MDNSent: never twice
    again = b("receipts", "send", str(request["id"]))
    assert again.code == 3
    a("sync").ok()
    (entry,) = a("outbox", "--json").json()["entries"]
    assert entry["status"][b_account.address]["status"] == "read"
    assert entry["message_id"] == sent["message_id"]


def test_a_bounce_from_mon_espace_sante_is_explained_on_the_conversation(
    tmp_path: Path, mail_account, patient_box
) -> None:
    a = make_user(tmp_path, mail_account, "cab")
    sent = (
        a(
            "send",
            "--to",
            PATIENT,
            "--subject",
            "Résultats",
            "--body-file",
            body_file(tmp_path, "x"),
            "--patient-name",
            "Lefèvre",
            "--patient-given",
            "Élodie",
            "--json",
        )
        .ok()
        .json()
    )
    bounce = (FIXTURES / "bounce_mes_closed_dsn.eml").read_bytes()
    bounce = bounce.replace(b"<c0ffee01@medecin.mssante.fr>", sent["message_id"].encode())
    mail_account.dovecot.deliver(mail_account.address, bounce)
    a("sync").ok()
    shown = a("patient", "show", INS, "--json").ok().json()
    (event,) = [e for e in shown["events"] if e["kind"] == "bounce"]
    assert "messagerie Mon espace santé de ce patient est fermée" in event["detail"]
    (entry,) = a("outbox", "--json").json()["entries"]
    assert entry["status"][PATIENT]["status"] == "failed"
    assert "fermée" in a("patient", "show", INS).out


def test_templates_fill_the_patient_and_the_practitioner(
    tmp_path: Path, mail_account, patient_box
) -> None:
    a = make_user(tmp_path, mail_account, "cab")
    names = [t["id"] for t in a("templates", "--json").ok().json()["templates"]]
    assert len(names) >= 9
    a("patient", "add", INS, "--name", "Lefèvre", "--given", "Élodie").ok()
    template = next(n for n in names if "ordonnance" in n)
    needed = a("templates", template, "--json").ok().json()["placeholders"]
    filled_by_pli = {
        "patient_nom",
        "patient_prenom",
        "praticien",
        "expediteur",
        "structure",
        "date",
    }
    values = [f"--var={name}=valeur {name}" for name in needed if name not in filled_by_pli]
    sent = a("send", "--to", PATIENT, "--template", template, *values, "--json").ok().json()
    got = server_raw(patient_box, "INBOX", sent["message_id"])
    text = got.get_body(("plain",)).get_content()
    assert "LEFÈVRE" in text or "Élodie" in text
    assert "Martin" in text or "MARTIN" in text
    assert "{{" not in text


def test_a_draft_is_kept_encrypted_then_sent(tmp_path: Path, mail_account_factory) -> None:
    a_account, b_account = mail_account_factory(), mail_account_factory()
    a = make_user(tmp_path, a_account, "a")
    saved = (
        a(
            "draft",
            "save",
            "--to",
            b_account.address,
            "--subject",
            "Brouillon Zorglub",
            "--body-file",
            body_file(tmp_path, "En cours d'écriture."),
            "--json",
        )
        .ok()
        .json()
    )
    a(
        "draft",
        "save",
        "--id",
        str(saved["id"]),
        "--to",
        b_account.address,
        "--subject",
        "Brouillon Zorglub",
        "--body-file",
        body_file(tmp_path, "Terminé."),
    ).ok()
    (listed,) = a("draft", "list", "--json").ok().json()["drafts"]
    assert listed["subject"] == "Brouillon Zorglub"
    for path in a.profile.rglob("*"):
        if path.is_file():
            assert b"Zorglub" not in path.read_bytes()
    sent = a("draft", "send", str(saved["id"]), "--json").ok().json()
    assert sent["state"] == "filed"
    assert a("draft", "list", "--json").json()["drafts"] == []
    got = server_raw(b_account, "INBOX", sent["message_id"])
    assert got.get_body(("plain",)).get_content().strip() == "Terminé."


def test_no_health_data_in_the_technical_log_at_info_level(
    tmp_path: Path, mail_account_factory
) -> None:
    a_account, b_account = mail_account_factory(), mail_account_factory()
    a = make_user(tmp_path, a_account, "a")
    subject, body = "Sérologie Quetzalcoatl", "Résultat confidentiel Xylophage"
    b_account.dovecot.deliver(b_account.address, message(subject=subject, body=body)[0])
    a_account.dovecot.deliver(
        a_account.address, message(subject=subject, body=body, pdf=tiny_pdf("Zorglub"))[0]
    )
    logs = [
        a.run_process("-v", "sync").ok().err,
        a.run_process(
            "-v",
            "send",
            "--to",
            b_account.address,
            "--subject",
            subject,
            "--body-file",
            body_file(tmp_path, body),
        )
        .ok()
        .err,
        a.run_process("-v", "search", "Quetzalcoatl").ok().err,
    ]
    text = "\n".join(logs)
    assert "INFO" in text  # the log was on
    for secret in (
        "Quetzalcoatl",
        "Xylophage",
        "Zorglub",
        a_account.address,
        b_account.address,
        "paul.durand",
    ):
        assert secret not in text


def test_a_full_mailbox_is_explained_and_the_sent_copy_waits(
    tmp_path: Path, imap_account_factory
) -> None:
    # On Dovecot and on Cyrus, which refuses the copy with a bare "NO Over quota" (issue 14 #3).
    a_account = imap_account_factory(quota_bytes=20_000)
    b_account = imap_account_factory()
    a = make_user(tmp_path, a_account, "a")
    big = "Compte rendu. " * 2_000  # ~28 kB: over A's quota for the copy in Sent
    result = a(
        "send",
        "--to",
        b_account.address,
        "--subject",
        "Gros message",
        "--body-file",
        body_file(tmp_path, big),
        "--json",
    )
    assert result.code == 0  # it left: the recipient has it
    assert "could not be made" in result.err and "full" in result.err
    assert len(b_account.server.messages(b_account.address)) == 1
    (entry,) = a("outbox", "--json").json()["entries"]
    assert entry["state"] == "submitted"
    assert entry["last_error"] == "server.over_quota"
    quota = a("quota", "--json").ok().json()
    assert quota["limit_kib"] in (19, 20)  # 20,000 bytes, rounded by the server
    assert "nearly full" in a("quota").out or quota["percent"] < 90
    a_account.server.set_quota(a_account.address, None)
    a("outbox", "--flush").ok()
    (entry,) = a("outbox", "--json").json()["entries"]
    assert entry["state"] == "filed"
    sent = a_account.folder("Sent")  # INBOX.Sent on Cyrus's "inbox" layout
    assert len(a_account.server.messages(a_account.address, sent)) == 1
    assert len(smtp_transactions(b_account, entry["message_id"])) == 1


def smtp_transactions(account, message_id: str) -> list:
    return [m for m in account.dovecot.messages(account.address) if m.message_id == message_id]


def test_a_wrong_password_is_a_clear_login_error(tmp_path: Path, mail_account) -> None:
    pli = Pli(tmp_path / "profile")
    pli(
        "account",
        "add",
        "cab",
        "--address",
        mail_account.address,
        "--imap",
        f"{mail_account.imap_host}:{mail_account.imap_port}",
        "--smtp",
        f"{mail_account.smtp_host}:{mail_account.smtp_port}",
        "--ca-file",
        str(mail_account.ca_bundle),
        "--password-stdin",
        stdin="mauvais mot de passe\n",
    ).ok()
    result = pli("sync")
    assert result.code == 5
    assert "refused the login" in result.err
