"""SmtpSubmitter against real servers (tests/servers/smtp.py, Dovecot, the OIDC provider).

Over STARTTLS and implicit TLS: password and XOAUTH2 logins, DSN asked and delivered into the
sender's mailbox (and read back with `parse_dsn`), DSN not offered, refused recipients, SIZE,
421, a connection dropped after the data (outcome unknown), TLS refusals before any credential,
no STARTTLS offered (never plaintext).
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.domain.account import AuthMethod, BoxType, Endpoint, Identity, Security
from app.domain.compose import ComposedMessage, Draft, compose
from app.domain.errors import AuthError, KnownError, NetworkError, ServerError, TlsError
from app.domain.receipts import (
    BounceReason,
    MessageStatus,
    build_mdn,
    classify_patient_bounce,
    parse_dsn,
    parse_mdn,
)
from app.transport.imap_session import Credentials
from app.transport.revocation import RevocationChecker, RevocationMode
from app.transport.smtp_submitter import (
    DsnRequest,
    SmtpSubmitter,
    SubmissionUncertainError,
    maybe_sent,
)
from app.transport.tls import ClientCertificate, TlsPolicy, make_context
from tests.servers.dovecot import DovecotServer
from tests.servers.fixtures import MailAccount
from tests.servers.oidc_provider import OidcProvider
from tests.servers.pki import TestPki
from tests.servers.smtp import SmtpServer
from tests.servers.tls_edge import ClosingServer, SilentServer, TlsEdgeServer

pytestmark = pytest.mark.integration

PATIENT = "279035121518989@patient.mssante.fr"
WHEN = datetime(2026, 3, 12, 9, 41, tzinfo=UTC)
SECURITIES = [Security.STARTTLS, Security.TLS]


# -- helpers ------------------------------------------------------------------------------------


@pytest.fixture
def revocation(tmp_path: Path, pki: TestPki) -> RevocationChecker:
    return RevocationChecker(RevocationMode.PREFER, tmp_path / "crl", pki.ca_bundle, timeout=5)


@pytest.fixture
def make_submitter(
    pki: TestPki, revocation: RevocationChecker
) -> Iterator[Callable[..., SmtpSubmitter]]:
    opened: list[SmtpSubmitter] = []

    def make(host: str, port: int, security: Security, **timeouts: float) -> SmtpSubmitter:
        timeouts.setdefault("connect_timeout", 5)
        timeouts.setdefault("read_timeout", 10)
        timeouts.setdefault("data_timeout", 10)
        submitter = SmtpSubmitter(
            Endpoint(host, port, security),
            make_context(TlsPolicy(ca_file=pki.ca_bundle)),
            revocation,
            **timeouts,
        )
        opened.append(submitter)
        return submitter

    yield make
    for submitter in opened:
        submitter.close()


def port_of(server: SmtpServer, security: Security) -> int:
    return server.starttls_port if security is Security.STARTTLS else server.implicit_port


def logged_in(
    make: Callable[..., SmtpSubmitter],
    server: SmtpServer,
    account: MailAccount,
    security: Security = Security.STARTTLS,
) -> SmtpSubmitter:
    submitter = make(server.host, port_of(server, security), security)
    submitter.connect()
    submitter.authenticate(Credentials(AuthMethod.PASSWORD, account.address, account.password))
    return submitter


def message(sender: MailAccount, *to: str, **changes: object) -> ComposedMessage:
    draft = Draft(
        sender=sender.address,
        identity=Identity(title="Dr", given_name="Marie", family_name="Martin", entity="Cabinet"),
        box_type=BoxType.PER,
        to=to,
        subject="Résultats de votre bilan",
        text="Bonjour,\nVoici vos résultats.\n",
        x_mss_nil="PLI-TEST",
    ).evolve(**changes)
    return compose(draft, date=WHEN)


def inbox_ids(dovecot: DovecotServer, account: MailAccount) -> list[str | None]:
    return [m.message_id for m in dovecot.messages(account.address, "INBOX")]


def error_of(call: Callable[[], object]) -> KnownError:
    with pytest.raises(KnownError) as caught:
        call()
    return caught.value


@pytest.fixture(scope="module")
def plain_smtp(pki: TestPki, dovecot: DovecotServer) -> Iterator[SmtpServer]:
    """A submission server without DSN and with a small SIZE limit (64 KiB)."""
    server = SmtpServer(
        pki.server,
        check_password=dovecot.check_password,
        has_mailbox=dovecot.has_user,
        lmtp=("127.0.0.1", dovecot.lmtp_port),
        local_domains=[dovecot.domain],
        dsn=False,
        size_limit=64 * 1024,
    ).start()
    yield server
    server.stop()


# -- logins and delivery -------------------------------------------------------------------------


@pytest.mark.parametrize("security", SECURITIES, ids=["starttls", "implicit"])
def test_password_login_and_delivery(
    security: Security,
    make_submitter: Callable[..., SmtpSubmitter],
    smtp_server: SmtpServer,
    mail_account: MailAccount,
    mail_account_factory: Callable[..., MailAccount],
) -> None:
    bob = mail_account_factory()
    sent = message(mail_account, bob.address)
    submitter = logged_in(make_submitter, smtp_server, mail_account, security)
    assert submitter.revocation_result is not None
    result = submitter.submit(sent.envelope_from, sent.envelope_recipients, sent.raw)

    assert result.accepted == (bob.address,)
    assert result.refused == ()
    assert result.reply.startswith("250")
    assert result.size == sent.size
    [tx] = smtp_server.transactions_with_message_id(sent.message_id)
    assert tx.listener == ("starttls" if security is Security.STARTTLS else "implicit")
    assert tx.tls
    assert tx.tls_version in ("TLSv1.2", "TLSv1.3")
    assert tx.auth_mechanism == "PLAIN"
    assert tx.mail_params["SIZE"] == str(sent.size)
    assert tx.data.replace(b"\r\n", b"\n") == sent.raw.replace(b"\r\n", b"\n")
    assert sent.message_id in inbox_ids(bob.dovecot, bob)


def test_xoauth2_login_with_an_access_token(
    make_submitter: Callable[..., SmtpSubmitter],
    smtp_server: SmtpServer,
    oidc_provider: OidcProvider,
    mail_account: MailAccount,
    mail_account_factory: Callable[..., MailAccount],
) -> None:
    token = oidc_provider.login_with_code_flow(mail_account.oidc)["access_token"]
    bob = mail_account_factory()
    submitter = make_submitter(smtp_server.host, smtp_server.starttls_port, Security.STARTTLS)
    submitter.connect()
    submitter.authenticate(Credentials(AuthMethod.OAUTH2, mail_account.address, token))
    sent = message(mail_account, bob.address)
    submitter.submit(sent.envelope_from, sent.envelope_recipients, sent.raw)
    [tx] = smtp_server.transactions_with_message_id(sent.message_id)
    assert tx.auth_mechanism == "XOAUTH2"
    assert tx.auth_login == mail_account.address


@pytest.mark.parametrize(
    ("method", "secret"),
    [(AuthMethod.PASSWORD, "mauvais-mot-de-passe"), (AuthMethod.OAUTH2, "not-a-token")],
)
def test_refused_credentials(
    method: AuthMethod,
    secret: str,
    make_submitter: Callable[..., SmtpSubmitter],
    smtp_server: SmtpServer,
    mail_account: MailAccount,
) -> None:
    submitter = make_submitter(smtp_server.host, smtp_server.implicit_port, Security.TLS)
    submitter.connect()
    error = error_of(
        lambda: submitter.authenticate(Credentials(method, mail_account.address, secret))
    )
    assert isinstance(error, AuthError)
    assert error.code == "auth.bad_credentials"


def test_external_is_refused_when_the_server_does_not_offer_it(
    make_submitter: Callable[..., SmtpSubmitter], smtp_server: SmtpServer, mail_account: MailAccount
) -> None:
    submitter = make_submitter(smtp_server.host, smtp_server.starttls_port, Security.STARTTLS)
    submitter.connect()
    assert "EXTERNAL" not in submitter.auth_mechanisms
    error = error_of(
        lambda: submitter.authenticate(Credentials(AuthMethod.EXTERNAL, mail_account.address))
    )
    assert error.code == "auth.method_unavailable"
    assert error.params["method"] == "EXTERNAL"


class ExternalAuthServer:
    """Implicit-TLS SMTP greeter offering only AUTH EXTERNAL: accepts a client certificate.

    Models an applicative box authenticating with its IGC-Santé organisation certificate
    (spec §2); aiosmtpd has no EXTERNAL, so this scripted server checks the exchange.
    """

    def __init__(self, pki: TestPki) -> None:
        self.context = pki.server.server_context()
        self.context.verify_mode = ssl.CERT_OPTIONAL
        self.context.load_verify_locations(cafile=str(pki.ca_bundle))
        self.lines: list[str] = []
        self.peer_subject: str | None = None
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen()
        self.port = self._sock.getsockname()[1]
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        try:
            raw, _ = self._sock.accept()
            conn = self.context.wrap_socket(raw, server_side=True)
        except OSError:
            return
        with contextlib.suppress(OSError), conn, conn.makefile("rwb") as stream:
            cert = conn.getpeercert()
            if cert:
                self.peer_subject = str(dict(x[0] for x in cert["subject"]).get("commonName"))

            def say(text: str) -> None:
                stream.write(text.encode() + b"\r\n")
                stream.flush()

            say("220 ext.pli-test ESMTP")
            for raw_line in stream:
                line = raw_line.decode("ascii", "replace").rstrip("\r\n")
                self.lines.append(line)
                command = line.split(" ", 1)[0].upper()
                if command == "EHLO":
                    say("250-ext.pli-test\r\n250 AUTH EXTERNAL")
                elif command == "AUTH":
                    say("334 ")
                    self.lines.append(stream.readline().decode().rstrip("\r\n"))
                    say("235 2.7.0 Authenticated" if cert else "535 5.7.8 No certificate")
                elif command == "QUIT":
                    say("221 2.0.0 Bye")
                    return
                else:
                    say("502 5.5.2 Not implemented")

    def close(self) -> None:
        self._sock.close()
        self._thread.join(timeout=5)


@pytest.mark.parametrize("with_certificate", [True, False], ids=["certificate", "none"])
def test_external_login_with_a_client_certificate(
    with_certificate: bool, pki: TestPki, revocation: RevocationChecker
) -> None:
    server = ExternalAuthServer(pki)
    cert = pki.client_cert("app-box", common_name="BAL APPLICATIVE TEST")
    policy = TlsPolicy(
        ca_file=pki.ca_bundle,
        client_certificate=(
            ClientCertificate.load(cert.cert.read_bytes() + cert.key.read_bytes())
            if with_certificate
            else None
        ),
    )
    submitter = SmtpSubmitter(
        Endpoint("127.0.0.1", server.port, Security.TLS), make_context(policy), revocation
    )
    try:
        submitter.connect()
        credentials = Credentials(AuthMethod.EXTERNAL, "app@hopital.mssante.fr")
        if with_certificate:
            submitter.authenticate(credentials)
            assert submitter.usable
        else:
            error = error_of(lambda: submitter.authenticate(credentials))
            assert error.code == "auth.bad_credentials"
    finally:
        submitter.close()
        server.close()
    # RFC 4954: "AUTH EXTERNAL", then an empty response (the identity is the certificate's).
    assert server.lines[1:3] == ["AUTH EXTERNAL", ""]
    assert server.peer_subject == ("BAL APPLICATIVE TEST" if with_certificate else None)


def test_one_connection_sends_several_messages(
    make_submitter: Callable[..., SmtpSubmitter],
    smtp_server: SmtpServer,
    mail_account: MailAccount,
    mail_account_factory: Callable[..., MailAccount],
) -> None:
    bob = mail_account_factory()
    submitter = logged_in(make_submitter, smtp_server, mail_account)
    first, second = message(mail_account, bob.address), message(mail_account, bob.address)
    for sent in (first, second):
        submitter.submit(sent.envelope_from, sent.envelope_recipients, sent.raw)
        assert submitter.noop()
    ids = inbox_ids(bob.dovecot, bob)
    assert first.message_id in ids
    assert second.message_id in ids


def test_a_message_to_a_patient_arrives_with_the_mssante_headers(
    make_submitter: Callable[..., SmtpSubmitter],
    smtp_server: SmtpServer,
    mail_account: MailAccount,
    mail_account_factory: Callable[..., MailAccount],
) -> None:
    patient_box = mail_account_factory()
    smtp_server.add_patient(PATIENT, patient_box.address)
    sent = message(mail_account, PATIENT, read_receipt=True, reply_to=mail_account.address)
    logged_in(make_submitter, smtp_server, mail_account).submit(
        sent.envelope_from, sent.envelope_recipients, sent.raw
    )
    [info] = patient_box.dovecot.wait_for_messages(patient_box.address, "INBOX", 1)
    raw = patient_box.dovecot.fetch_raw(patient_box.address, "INBOX", info.uid)
    assert info.message_id == sent.message_id
    assert b"X-MSS-NIL: PLI-TEST" in raw
    assert f"Disposition-Notification-To: <{mail_account.address}>".encode() in raw


def test_a_read_receipt_goes_back_to_the_sender(
    make_submitter: Callable[..., SmtpSubmitter],
    smtp_server: SmtpServer,
    mail_account: MailAccount,
    mail_account_factory: Callable[..., MailAccount],
) -> None:
    """The receipt's envelope sender is the reader's own address: accepted by submission."""
    bob = mail_account_factory()
    sent = message(mail_account, bob.address, read_receipt=True)
    logged_in(make_submitter, smtp_server, mail_account).submit(
        sent.envelope_from, sent.envelope_recipients, sent.raw
    )
    [info] = bob.dovecot.wait_for_messages(bob.address, "INBOX", 1)
    original = bob.dovecot.fetch_raw(bob.address, "INBOX", info.uid)
    receipt = build_mdn(original, sender=bob.address, user_agent="Pli test", x_mss_nil="PLI-TEST")
    result = logged_in(make_submitter, smtp_server, bob).submit(
        receipt.envelope_from, receipt.envelope_recipients, receipt.raw
    )
    assert result.accepted == (mail_account.address,)
    mdns = [
        parse_mdn(mail_account.dovecot.fetch_raw(mail_account.address, "INBOX", m.uid))
        for m in mail_account.dovecot.wait_for_messages(mail_account.address, "INBOX", 1)
    ]
    [report] = [r for r in mdns if r is not None]
    assert report.original_message_id == sent.message_id
    assert report.status is MessageStatus.READ


# -- delivery status notifications (RFC 3461) ----------------------------------------------------


@pytest.mark.parametrize("security", SECURITIES, ids=["starttls", "implicit"])
def test_dsn_asked_and_delivered_to_the_sender(
    security: Security,
    make_submitter: Callable[..., SmtpSubmitter],
    smtp_server: SmtpServer,
    mail_account: MailAccount,
    mail_account_factory: Callable[..., MailAccount],
) -> None:
    bob = mail_account_factory()
    sent = message(mail_account, bob.address)
    submitter = logged_in(make_submitter, smtp_server, mail_account, security)
    assert submitter.dsn_offered
    result = submitter.submit(
        sent.envelope_from,
        sent.envelope_recipients,
        sent.raw,
        dsn=DsnRequest(envid="outbox+42 =1"),
    )
    assert result.dsn_requested
    assert result.dsn_offered
    assert result.envid == "outbox+42 =1"
    [tx] = smtp_server.transactions_with_message_id(sent.message_id)
    assert tx.mail_params["RET"] == "HDRS"
    assert tx.mail_params["ENVID"] == "outbox+2B42+20+3D1"  # xtext, RFC 3461 §4
    assert tx.rcpt_params[bob.address]["NOTIFY"] == ["SUCCESS", "FAILURE"]
    assert tx.rcpt_params[bob.address]["ORCPT"] == ("rfc822", bob.address)

    [info] = mail_account.dovecot.wait_for_messages(mail_account.address, "INBOX", 1)
    report = parse_dsn(mail_account.dovecot.fetch_raw(mail_account.address, "INBOX", info.uid))
    assert report is not None
    assert report.original_envelope_id == "outbox+42 =1"
    assert report.original_message_id == sent.message_id
    assert report.statuses() == {bob.address: MessageStatus.DELIVERED}
    assert report.recipients[0].status == "2.0.0"


def test_a_failure_dsn_for_a_patient_reads_as_a_patient_bounce(
    make_submitter: Callable[..., SmtpSubmitter],
    smtp_server: SmtpServer,
    mail_account: MailAccount,
    mail_account_factory: Callable[..., MailAccount],
) -> None:
    smtp_server.add_patient(PATIENT, mail_account_factory().address)
    smtp_server.fail_after_accept(PATIENT, "5.2.1", "550 5.2.1 Messagerie du patient fermee")
    sent = message(mail_account, PATIENT)
    result = logged_in(make_submitter, smtp_server, mail_account).submit(
        sent.envelope_from, sent.envelope_recipients, sent.raw, dsn=DsnRequest(envid="o-7")
    )
    assert result.accepted == (PATIENT,)
    [info] = mail_account.dovecot.wait_for_messages(mail_account.address, "INBOX", 1)
    raw = mail_account.dovecot.fetch_raw(mail_account.address, "INBOX", info.uid)
    report = parse_dsn(raw)
    assert report is not None
    assert report.statuses() == {PATIENT: MessageStatus.FAILED}
    bounce = classify_patient_bounce(raw)
    assert bounce is not None
    assert bounce.reason is BounceReason.MESSAGING_CLOSED
    assert str(bounce.patient) == PATIENT
    assert bounce.original_message_id == sent.message_id


def test_without_dsn_offered_the_message_still_leaves(
    make_submitter: Callable[..., SmtpSubmitter],
    plain_smtp: SmtpServer,
    mail_account: MailAccount,
    mail_account_factory: Callable[..., MailAccount],
) -> None:
    bob = mail_account_factory()
    sent = message(mail_account, bob.address)
    submitter = logged_in(make_submitter, plain_smtp, mail_account)
    assert not submitter.dsn_offered
    result = submitter.submit(
        sent.envelope_from, sent.envelope_recipients, sent.raw, dsn=DsnRequest(envid="o-1")
    )
    assert result.accepted == (bob.address,)
    assert not result.dsn_offered
    assert not result.dsn_requested
    assert result.envid is None
    [tx] = plain_smtp.transactions_with_message_id(sent.message_id)
    assert "RET" not in tx.mail_params
    assert "ENVID" not in tx.mail_params
    assert tx.rcpt_params[bob.address] == {}
    assert sent.message_id in inbox_ids(bob.dovecot, bob)


def test_a_bad_dsn_request_is_refused_before_anything_is_sent(
    make_submitter: Callable[..., SmtpSubmitter], smtp_server: SmtpServer, mail_account: MailAccount
) -> None:
    submitter = logged_in(make_submitter, smtp_server, mail_account)
    sent = message(mail_account, mail_account.address)
    for request in (
        DsnRequest(notify=("NEVER", "SUCCESS")),
        DsnRequest(ret="ALL"),
        DsnRequest(envid="x" * 101),
    ):
        error = error_of(
            lambda r=request: submitter.submit(
                sent.envelope_from, sent.envelope_recipients, sent.raw, dsn=r
            )
        )
        assert error.code == "dsn.bad_request"
    assert smtp_server.transactions == []
    assert submitter.usable


# -- refused recipients ---------------------------------------------------------------------------


def test_a_refused_recipient_is_reported_and_the_others_still_receive(
    make_submitter: Callable[..., SmtpSubmitter],
    smtp_server: SmtpServer,
    mail_account: MailAccount,
    mail_account_factory: Callable[..., MailAccount],
) -> None:
    bob, carol, dave = (mail_account_factory() for _ in range(3))
    smtp_server.reject_recipient(carol.address, 550, "5.7.1 Recipient refused by policy")
    sent = message(mail_account, bob.address, carol.address, dave.address)
    result = logged_in(make_submitter, smtp_server, mail_account).submit(
        sent.envelope_from, sent.envelope_recipients, sent.raw
    )
    assert result.accepted == (bob.address, dave.address)
    [refusal] = result.refused
    assert refusal.address == carol.address
    assert refusal.code == 550
    assert refusal.text == "5.7.1 Recipient refused by policy"
    assert refusal.status == "5.7.1"
    assert not refusal.temporary
    [tx] = smtp_server.transactions_with_message_id(sent.message_id)
    assert tx.rcpt_tos == [bob.address, dave.address]
    assert sent.message_id in inbox_ids(bob.dovecot, bob)
    assert sent.message_id in inbox_ids(dave.dovecot, dave)
    assert inbox_ids(carol.dovecot, carol) == []


def test_no_accepted_recipient_sends_nothing(
    make_submitter: Callable[..., SmtpSubmitter],
    smtp_server: SmtpServer,
    dovecot: DovecotServer,
    mail_account: MailAccount,
    mail_account_factory: Callable[..., MailAccount],
) -> None:
    unknown = f"personne.inconnue@{dovecot.domain}"
    submitter = logged_in(make_submitter, smtp_server, mail_account)
    sent = message(mail_account, unknown)
    error = error_of(
        lambda: submitter.submit(sent.envelope_from, sent.envelope_recipients, sent.raw)
    )
    assert isinstance(error, ServerError)
    assert error.code == "server.recipients_refused"
    assert not maybe_sent(error)
    assert error.params["addresses"] == unknown
    [refusal] = error.params["refused"]  # type: ignore[misc]
    assert refusal.address == unknown
    assert refusal.code == 550
    assert refusal.status == "5.1.1"
    assert smtp_server.transactions == []
    # The transaction was reset: the same connection sends the next message.
    bob = mail_account_factory()
    again = message(mail_account, bob.address)
    assert submitter.submit(again.envelope_from, again.envelope_recipients, again.raw).accepted


@pytest.mark.parametrize(
    ("sender", "recipient"),
    [
        ("{me}", "bob@x.mssante.fr>\r\nRCPT TO:<evil@x.fr"),
        ("{me}> SIZE=1\r\nRSET", "bob@x.mssante.fr"),
        ("{me}", "Bob <bob@x.mssante.fr>"),
        ("{me}", "pas une adresse"),
    ],
)
def test_envelope_addresses_cannot_inject_commands(
    sender: str,
    recipient: str,
    make_submitter: Callable[..., SmtpSubmitter],
    smtp_server: SmtpServer,
    mail_account: MailAccount,
) -> None:
    submitter = logged_in(make_submitter, smtp_server, mail_account)
    sent = message(mail_account, mail_account.address)
    error = error_of(
        lambda: submitter.submit(sender.format(me=mail_account.address), [recipient], sent.raw)
    )
    assert error.code == "address.malformed"
    assert smtp_server.transactions == []
    assert submitter.noop()


def test_a_sender_other_than_the_login_is_refused(
    make_submitter: Callable[..., SmtpSubmitter], smtp_server: SmtpServer, mail_account: MailAccount
) -> None:
    submitter = logged_in(make_submitter, smtp_server, mail_account)
    sent = message(mail_account, mail_account.address)
    error = error_of(
        lambda: submitter.submit("quelquun@ailleurs.mssante.fr", sent.envelope_recipients, sent.raw)
    )
    assert error.code == "server.sender_refused"
    assert error.params["smtp_code"] == 553


# -- size ------------------------------------------------------------------------------------------


def test_a_message_over_the_servers_size_is_refused_before_data(
    make_submitter: Callable[..., SmtpSubmitter],
    plain_smtp: SmtpServer,
    mail_account: MailAccount,
    mail_account_factory: Callable[..., MailAccount],
) -> None:
    plain_smtp.clear()
    bob = mail_account_factory()
    submitter = logged_in(make_submitter, plain_smtp, mail_account)
    assert submitter.size_limit == 64 * 1024
    big = message(mail_account, bob.address, text="Compte rendu détaillé.\n" * 4000)
    assert big.size > 64 * 1024
    error = error_of(lambda: submitter.submit(big.envelope_from, big.envelope_recipients, big.raw))
    assert error.code == "server.message_too_large"
    assert error.params["limit"] == 64 * 1024
    assert error.params["size"] == big.size
    assert plain_smtp.transactions_with_message_id(big.message_id) == []
    assert plain_smtp.transactions == []  # refused before MAIL: nothing reached the server
    small = message(mail_account, bob.address)
    assert submitter.submit(small.envelope_from, small.envelope_recipients, small.raw).accepted


def test_a_552_from_the_server_is_message_too_large(
    make_submitter: Callable[..., SmtpSubmitter],
    smtp_server: SmtpServer,
    mail_account: MailAccount,
    mail_account_factory: Callable[..., MailAccount],
) -> None:
    bob = mail_account_factory()
    submitter = logged_in(make_submitter, smtp_server, mail_account)
    smtp_server.fail_command("DATA", "552 5.3.4 Message too big for this recipient")
    sent = message(mail_account, bob.address)
    error = error_of(
        lambda: submitter.submit(sent.envelope_from, sent.envelope_recipients, sent.raw)
    )
    assert error.code == "server.message_too_large"
    assert error.params["size"] == sent.size
    assert not maybe_sent(error)
    assert submitter.usable  # the transaction was reset, the connection kept


# -- server faults ---------------------------------------------------------------------------


def test_a_421_greeting_is_a_temporary_failure(
    make_submitter: Callable[..., SmtpSubmitter], smtp_server: SmtpServer
) -> None:
    smtp_server.refuse_connections(1)
    submitter = make_submitter(smtp_server.host, smtp_server.starttls_port, Security.STARTTLS)
    error = error_of(submitter.connect)
    assert isinstance(error, ServerError)
    assert error.code == "server.temporary_failure"
    assert error.params["smtp_code"] == 421
    assert not submitter.usable


@pytest.mark.parametrize(
    ("command", "reply"),
    [
        ("MAIL", "421 4.7.0 Too many connections, try again later"),
        ("RCPT", "421 4.3.2 Shutting down"),
        ("DATA", "451 4.3.0 Local error in processing"),
    ],
)
def test_temporary_failures_before_the_data_mean_not_sent(
    command: str,
    reply: str,
    make_submitter: Callable[..., SmtpSubmitter],
    smtp_server: SmtpServer,
    mail_account: MailAccount,
    mail_account_factory: Callable[..., MailAccount],
) -> None:
    bob = mail_account_factory()
    submitter = logged_in(make_submitter, smtp_server, mail_account)
    smtp_server.fail_command(command, reply)
    sent = message(mail_account, bob.address)
    error = error_of(
        lambda: submitter.submit(sent.envelope_from, sent.envelope_recipients, sent.raw)
    )
    assert error.code == "server.temporary_failure"
    assert error.params["smtp_code"] == int(reply[:3])
    assert not maybe_sent(error)
    assert smtp_server.transactions == []
    assert submitter.usable is (not reply.startswith("421"))


def test_a_connection_dropped_after_the_data_leaves_the_outcome_unknown(
    make_submitter: Callable[..., SmtpSubmitter],
    smtp_server: SmtpServer,
    mail_account: MailAccount,
    mail_account_factory: Callable[..., MailAccount],
) -> None:
    bob = mail_account_factory()
    submitter = logged_in(make_submitter, smtp_server, mail_account)
    smtp_server.drop_after_data(1, deliver=True)
    sent = message(mail_account, bob.address)
    with pytest.raises(SubmissionUncertainError) as caught:
        submitter.submit(sent.envelope_from, sent.envelope_recipients, sent.raw)
    error = caught.value
    assert isinstance(error, NetworkError)
    assert error.code == "network.outcome_unknown"
    assert error.maybe_sent
    assert maybe_sent(error)
    assert not submitter.usable
    # It was in fact delivered: exactly why the caller must look before resending.
    assert bob.dovecot.wait_for_messages(bob.address, "INBOX", 1)[0].message_id == sent.message_id
    assert len(smtp_server.transactions_with_message_id(sent.message_id)) == 1


def test_an_unanswered_message_that_was_not_delivered_is_still_uncertain(
    make_submitter: Callable[..., SmtpSubmitter],
    smtp_server: SmtpServer,
    mail_account: MailAccount,
    mail_account_factory: Callable[..., MailAccount],
) -> None:
    bob = mail_account_factory()
    submitter = logged_in(make_submitter, smtp_server, mail_account)
    smtp_server.drop_after_data(1, deliver=False)
    sent = message(mail_account, bob.address)
    error = error_of(
        lambda: submitter.submit(sent.envelope_from, sent.envelope_recipients, sent.raw)
    )
    assert error.code == "network.outcome_unknown"
    assert inbox_ids(bob.dovecot, bob) == []


# -- TLS: refusals before any credential, never plaintext ------------------------------------------

TLS_REFUSALS = {
    "tls11": "tls.protocol_refused",
    "weak_cipher": "tls.cipher_refused",
    "expired": "tls.expired",
    "not_yet_valid": "tls.not_yet_valid",
    "wrong_host": "tls.wrong_host",
    "self_signed": "tls.self_signed",
    "revoked": "tls.revoked",
}


def connect_and_login(submitter: SmtpSubmitter) -> None:
    """What a caller does: connect, then log in (which must never happen on a bad channel)."""
    submitter.connect()
    submitter.authenticate(Credentials(AuthMethod.PASSWORD, "praticien@edge.mssante.fr", "secret"))


@pytest.mark.parametrize("preset", sorted(TLS_REFUSALS))
@pytest.mark.parametrize("implicit", [False, True], ids=["starttls", "implicit"])
def test_refused_channels_say_why_and_send_no_credential(
    preset: str,
    implicit: bool,
    tls_edge_factory: Callable[..., TlsEdgeServer],
    make_submitter: Callable[..., SmtpSubmitter],
) -> None:
    server = tls_edge_factory(preset, protocol="smtp", implicit=implicit)
    submitter = make_submitter(
        server.host, server.port, Security.TLS if implicit else Security.STARTTLS
    )
    error = error_of(lambda: connect_and_login(submitter))
    assert isinstance(error, TlsError)
    assert error.code == TLS_REFUSALS[preset]
    assert "AUTH" not in server.commands_after_tls
    assert not submitter.usable


@pytest.mark.parametrize("implicit", [False, True], ids=["starttls", "implicit"])
def test_an_acceptable_channel_gets_the_login(
    implicit: bool,
    tls_edge_factory: Callable[..., TlsEdgeServer],
    make_submitter: Callable[..., SmtpSubmitter],
) -> None:
    """The control case: the same greeter with a good certificate receives the AUTH."""
    server = tls_edge_factory("good", protocol="smtp", implicit=implicit)
    submitter = make_submitter(
        server.host, server.port, Security.TLS if implicit else Security.STARTTLS
    )
    error = error_of(lambda: connect_and_login(submitter))
    assert error.code == "auth.bad_credentials"  # the edge server refuses every login
    assert "AUTH" in server.commands_after_tls


class PlainSmtpGreeter:
    """A plaintext SMTP server that never offers STARTTLS (or refuses it), recording commands."""

    def __init__(self, *, offer_starttls: bool) -> None:
        self.offer_starttls = offer_starttls
        self.commands: list[str] = []
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen()
        self.port = self._sock.getsockname()[1]
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        try:
            conn, _ = self._sock.accept()
        except OSError:  # closed before any client came
            return
        # suppress() first: it must also cover the flush when the stream closes (broken pipe).
        with contextlib.suppress(OSError), conn, conn.makefile("rwb") as stream:
            stream.write(b"220 plain.pli-test ESMTP\r\n")
            stream.flush()
            for raw in stream:
                line = raw.decode("ascii", "replace").strip()
                command = line.split(" ", 1)[0].upper()
                self.commands.append(command)
                if command == "EHLO":
                    extra = b"250-STARTTLS\r\n" if self.offer_starttls else b""
                    stream.write(b"250-plain.pli-test\r\n" + extra + b"250 AUTH PLAIN LOGIN\r\n")
                elif command == "STARTTLS":
                    stream.write(b"454 4.7.0 TLS not available due to temporary reason\r\n")
                elif command == "QUIT":
                    stream.write(b"221 2.0.0 Bye\r\n")
                    stream.flush()
                    return
                else:
                    stream.write(b"530 5.7.0 Must issue a STARTTLS command first\r\n")
                stream.flush()

    def close(self) -> None:
        self._sock.close()
        self._thread.join(timeout=5)


@pytest.mark.parametrize(
    ("offer", "code"),
    [(False, "tls.starttls_unavailable"), (True, "tls.starttls_refused")],
    ids=["not-offered", "refused"],
)
def test_no_starttls_means_no_connection_never_plaintext(
    offer: bool, code: str, make_submitter: Callable[..., SmtpSubmitter]
) -> None:
    greeter = PlainSmtpGreeter(offer_starttls=offer)
    try:
        submitter = make_submitter("127.0.0.1", greeter.port, Security.STARTTLS)
        error = error_of(lambda: connect_and_login(submitter))
        assert isinstance(error, TlsError)
        assert error.code == code
    finally:
        greeter.close()
    assert "AUTH" not in greeter.commands
    assert "MAIL" not in greeter.commands
    assert greeter.commands[0] == "EHLO"


def test_implicit_tls_against_a_plaintext_server(
    make_submitter: Callable[..., SmtpSubmitter],
) -> None:
    greeter = PlainSmtpGreeter(offer_starttls=True)
    try:
        submitter = make_submitter("127.0.0.1", greeter.port, Security.TLS)
        error = error_of(submitter.connect)
    finally:
        greeter.close()
    assert error.code == "tls.not_tls"
    assert "EHLO" not in greeter.commands  # only a TLS ClientHello ever reached it
    assert "AUTH" not in greeter.commands


# -- network failures ----------------------------------------------------------------------------


def test_a_silent_server_times_out(make_submitter: Callable[..., SmtpSubmitter]) -> None:
    server = SilentServer()
    server.start()
    try:
        submitter = make_submitter(server.host, server.port, Security.STARTTLS, connect_timeout=1)
        error = error_of(submitter.connect)
    finally:
        server.stop()
    assert error.code == "network.timeout"


def test_a_server_closing_at_once_is_a_lost_connection(
    make_submitter: Callable[..., SmtpSubmitter],
) -> None:
    server = ClosingServer()
    server.start()
    try:
        error = error_of(make_submitter(server.host, server.port, Security.TLS).connect)
        assert error.code in ("network.connection_lost", "tls.handshake_failed")
        error = error_of(make_submitter(server.host, server.port, Security.STARTTLS).connect)
        assert error.code == "network.connection_lost"
    finally:
        server.stop()


def test_nobody_listening_is_a_refused_connection(
    make_submitter: Callable[..., SmtpSubmitter],
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    error = error_of(make_submitter("127.0.0.1", port, Security.STARTTLS).connect)
    assert error.code == "network.refused"


def test_submit_without_a_connection(make_submitter: Callable[..., SmtpSubmitter]) -> None:
    error = error_of(
        lambda: make_submitter("127.0.0.1", 1, Security.TLS).submit("a@b.fr", ["c@d.fr"], b"x")
    )
    assert error.code == "network.not_connected"
