"""A real SMTP submission server for the tests (aiosmtpd), delivering into Dovecot by LMTP.

Two listeners on 127.0.0.1: STARTTLS (AUTH only after STARTTLS, like port 587) and implicit TLS
(like port 465). AUTH PLAIN and LOGIN check the Dovecot users' passwords; XOAUTH2 checks the
bearer token at the OIDC provider's introspection endpoint (RFC 7662), as a real MSSanté server
does with Pro Santé Connect tokens (MSSANTE.md §2, ECO.1.2.1).

DSN (RFC 3461): aiosmtpd rejects every MAIL/RCPT parameter it does not know with 555 and
upper-cases the parameter string it parses (which would corrupt the case-sensitive ENVID and
ORCPT values). :class:`_PliSMTP` therefore overrides ``smtp_MAIL``/``smtp_RCPT``: it removes
RET/ENVID and NOTIFY/ORCPT from the original-case argument, validates and keeps them, and hands
the rest to aiosmtpd's own parser (SIZE, BODY, SMTPUTF8 stay aiosmtpd's job). "DSN" is added to
the EHLO reply through the ``handle_EHLO`` hook. Delivery status notifications (RFC 3464,
multipart/report; report-type=delivery-status) are generated for real and delivered to the
sender's mailbox by LMTP with a null reverse-path.

Every transaction is recorded (envelope, parameters, data, Message-ID, per-recipient outcome)
so tests can assert "delivered exactly once". Faults can be injected: 421 at connection or at a
command, dropping the connection after DATA without answering, rejecting a recipient, failing a
recipient after acceptance (a bounce).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import email.utils
import json
import logging
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from email.parser import BytesHeaderParser
from email.policy import compat32
from typing import Any

from aiosmtpd.smtp import MISSING, SMTP, AuthResult, Envelope, LoginPassword, Session

from tests.servers._util import LOOPBACK, ServerError, bound_socket
from tests.servers.lmtp import LmtpReply, lmtp_send
from tests.servers.pki import CertFiles


class _DropDeprecationNotice(logging.Filter):
    """aiosmtpd logs "Session.login_data is deprecated" at WARNING on every AUTH it handles."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "login_data is deprecated" not in record.getMessage()


logging.getLogger("mail.log").addFilter(_DropDeprecationNotice())

PATIENT_DOMAIN = "patient.mssante.fr"
AUTOREPLY_TEST_ADDRESS = "reponse.automatique-test@patient.mssante.fr"
DEFAULT_SIZE_LIMIT = 20 * 1024 * 1024

_XTEXT_OK = re.compile(rb"^(?:[\x21-\x2a\x2c-\x3c\x3e-\x7e]|\+[0-9A-F]{2})*$")


def xtext_decode(value: str) -> str:
    """Decode RFC 3461 §4 xtext (``+XX`` hex escapes)."""
    return re.sub(r"\+([0-9A-Fa-f]{2})", lambda m: chr(int(m.group(1), 16)), value)


def xtext_encode(value: str) -> str:
    """Encode as RFC 3461 xtext."""
    return "".join(c if 33 <= ord(c) <= 126 and c not in "+=" else f"+{ord(c):02X}" for c in value)


# ---------------------------------------------------------------------------------------------
@dataclass
class RecipientResult:
    """Outcome of one accepted recipient.

    Attributes:
        status: ``delivered`` (into a Dovecot mailbox), ``relayed`` (another domain: recorded
            only), or ``failed`` (bounced after acceptance).
        mailbox: the Dovecot user it went to (patients map to a test mailbox).
        smtp_status: enhanced status code (``2.0.0``, ``5.2.2``...).
        diagnostic: the reply text from LMTP or the injected failure.
    """

    status: str
    mailbox: str | None = None
    smtp_status: str = "2.0.0"
    diagnostic: str = ""


@dataclass
class SmtpTransaction:
    """One MAIL…DATA transaction as received (recorded even when the connection is dropped).

    Attributes:
        listener: ``starttls`` or ``implicit``.
        tls: TLS was active when DATA was received.
        auth_login: the authenticated identity; auth_mechanism: PLAIN, LOGIN or XOAUTH2.
        mail_from: envelope sender; mail_params: MAIL parameters (SIZE, BODY, RET, ENVID...).
        rcpt_tos: accepted recipients; rcpt_params: per-recipient NOTIFY (list) and ORCPT.
        data: the message as received (before our Received: header).
        message_id: its Message-ID header.
        outcome: ``accepted`` (250 sent) or ``dropped`` (connection closed before replying).
        results: per-recipient outcome; dsns: delivery status notifications generated.
    """

    id: str
    listener: str
    peer: Any
    tls: bool
    tls_version: str | None
    cipher: str | None
    auth_login: str | None
    auth_mechanism: str | None
    mail_from: str
    mail_params: dict[str, str]
    rcpt_tos: list[str]
    rcpt_params: dict[str, dict[str, Any]]
    data: bytes
    message_id: str | None
    received_at: float
    outcome: str = "accepted"
    results: dict[str, RecipientResult] = field(default_factory=dict)
    dsns: list[bytes] = field(default_factory=list)


@dataclass
class _Faults:
    refuse_connections: int = 0
    refuse_reply: str = "421 4.3.2 Service not available, closing transmission channel"
    command_replies: dict[str, list[str]] = field(default_factory=dict)  # CMD -> replies queue
    drop_after_data: int = 0
    drop_deliver: bool = True
    rejected_rcpts: dict[str, str] = field(default_factory=dict)
    failed_after_accept: dict[str, tuple[str, str]] = field(default_factory=dict)


class _PliEnvelope(Envelope):
    def __init__(self) -> None:
        super().__init__()
        self.dsn_ret: str | None = None
        self.dsn_envid: str | None = None
        self.rcpt_dsn: dict[str, dict[str, Any]] = {}
        self.mail_params: dict[str, str] = {}


def _split_address_and_params(arg: str, keyword: str) -> tuple[str, str, list[str]] | None:
    """``"FROM:<a@b> X=1 Y"`` -> (``"FROM:"``, ``"<a@b>"``, [``"X=1"``, ``"Y"``])."""
    if arg[: len(keyword)].upper() != keyword:
        return None
    rest = arg[len(keyword) :].lstrip()
    if rest.startswith("<"):
        end = rest.find(">")
        if end < 0:
            return None
        address, params = rest[: end + 1], rest[end + 1 :]
    else:
        address, _, params = rest.partition(" ")
    return arg[: len(keyword)], address, params.split()


class _PliSMTP(SMTP):
    """aiosmtpd's SMTP with DSN parameters, XOAUTH2 and fault injection."""

    def __init__(self, owner: SmtpServer, listener: str, **kwargs: Any) -> None:
        self.owner = owner
        self.listener = listener
        require_auth = kwargs.pop("auth_required")
        super().__init__(owner._handler, **kwargs)
        # Set after construction: aiosmtpd warns (a UserWarning, an error under pytest) when
        # auth_required is combined with auth_require_tls=False, which is exactly right for the
        # implicit-TLS listener where every byte is already encrypted.
        self._auth_required = require_auth
        self._pending_mail_dsn: dict[str, str] = {}
        self._pending_rcpt_dsn: dict[str, Any] = {}

    def _create_envelope(self) -> Envelope:
        return _PliEnvelope()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.owner._connections.add(self)
        super().connection_made(transport)

    def connection_lost(self, error: Exception | None) -> None:
        self.owner._connections.discard(self)
        super().connection_lost(error)

    def abort_connection(self) -> None:
        for transport in (self.transport, self._original_transport):
            if transport is not None and not transport.is_closing():
                transport.abort()  # type: ignore[attr-defined]

    @property
    def is_tls(self) -> bool:
        transport = self.transport
        return transport is not None and transport.get_extra_info("ssl_object") is not None

    # -- faults ----------------------------------------------------------------------
    async def _handle_client(self) -> None:
        reply = self.owner._take_connection_refusal()
        if reply is not None:
            await self.push(reply)
            assert self.transport is not None
            self.transport.close()
            return
        await super()._handle_client()

    async def _command_fault(self, command: str) -> bool:
        reply = self.owner._take_command_fault(command)
        if reply is None:
            return False
        await self.push(reply)
        if reply.startswith("421"):
            # RFC 5321 §3.8: after 421 the server closes the channel.
            assert self.transport is not None
            self.transport.close()
        return True

    async def smtp_EHLO(self, hostname: str) -> None:
        if await self._command_fault("EHLO"):
            return
        await super().smtp_EHLO(hostname)

    async def smtp_AUTH(self, arg: str) -> None:
        if await self._command_fault("AUTH"):
            return
        await super().smtp_AUTH(arg)

    async def smtp_DATA(self, arg: str) -> None:
        if await self._command_fault("DATA"):
            return
        await super().smtp_DATA(arg)

    # -- MAIL / RCPT with DSN parameters (RFC 3461 §4) ---------------------------------
    async def smtp_MAIL(self, arg: str | None) -> None:
        if await self._command_fault("MAIL"):
            return
        self._pending_mail_dsn = {}
        if arg and self.owner.dsn and self.session is not None and self.session.extended_smtp:
            split = _split_address_and_params(arg, "FROM:")
            if split is not None:
                prefix, address, params = split
                kept = []
                for param in params:
                    key, _, value = param.partition("=")
                    ukey = key.upper()
                    if ukey == "RET":
                        if value.upper() not in ("FULL", "HDRS") or "RET" in self._pending_mail_dsn:
                            await self.push("501 5.5.4 Invalid RET parameter")
                            return
                        self._pending_mail_dsn["RET"] = value.upper()
                    elif ukey == "ENVID":
                        raw = value.encode("ascii", "replace")
                        if not value or len(value) > 100 or not _XTEXT_OK.match(raw):
                            await self.push("501 5.5.4 Invalid ENVID parameter")
                            return
                        self._pending_mail_dsn["ENVID"] = value
                    else:
                        kept.append(param)
                arg = " ".join([prefix + address, *kept])
        await super().smtp_MAIL(arg)

    async def smtp_RCPT(self, arg: str | None) -> None:
        if await self._command_fault("RCPT"):
            return
        self._pending_rcpt_dsn = {}
        if arg and self.owner.dsn and self.session is not None and self.session.extended_smtp:
            split = _split_address_and_params(arg, "TO:")
            if split is not None:
                prefix, address, params = split
                kept = []
                for param in params:
                    key, _, value = param.partition("=")
                    ukey = key.upper()
                    if ukey == "NOTIFY":
                        items = [v.upper() for v in value.split(",") if v]
                        valid = items == ["NEVER"] or (
                            items and set(items) <= {"SUCCESS", "FAILURE", "DELAY"}
                        )
                        if not valid:
                            await self.push("501 5.5.4 Invalid NOTIFY parameter")
                            return
                        self._pending_rcpt_dsn["NOTIFY"] = items
                    elif ukey == "ORCPT":
                        addr_type, sep, xtext = value.partition(";")
                        if (
                            not sep
                            or not xtext
                            or not _XTEXT_OK.match(xtext.encode("ascii", "replace"))
                        ):
                            await self.push("501 5.5.4 Invalid ORCPT parameter")
                            return
                        self._pending_rcpt_dsn["ORCPT"] = (addr_type, xtext_decode(xtext))
                    else:
                        kept.append(param)
                arg = " ".join([prefix + address, *kept])
        await super().smtp_RCPT(arg)

    # -- XOAUTH2 (Google's SASL profile, used by MSSanté with PSC tokens) ------------------
    async def auth_XOAUTH2(self, _server: SMTP, args: list[str]) -> AuthResult:
        if len(args) == 1:
            blob = await self.challenge_auth("", encode_to_b64=False)
            if blob is MISSING:
                return AuthResult(success=False, handled=True)
            assert isinstance(blob, bytes)
            raw = blob
        else:
            try:
                raw = base64.b64decode(args[1], validate=True)
            except binascii.Error:
                await self.push("501 5.5.2 Can't decode base64")
                return AuthResult(success=False, handled=True)
        fields = dict(
            part.split("=", 1)
            for part in raw.decode("utf-8", "replace").split("\x01")
            if "=" in part
        )
        user = fields.get("user", "")
        auth = fields.get("auth", "")
        token = auth[7:] if auth[:7].lower() == "bearer " else ""
        ok = False
        if user and token and self.owner.introspect is not None:
            loop = asyncio.get_running_loop()
            info = await loop.run_in_executor(None, self.owner._introspect_quietly, token)
            subject = str(info.get("sub") or info.get("email") or "")
            ok = bool(info.get("active")) and subject.lower() == user.lower()
        if not ok:
            # RFC 7628-style error challenge, then the client answers with an empty line.
            error = json.dumps({"status": "401", "schemes": "bearer", "scope": "openid"})
            reply = await self.challenge_auth(error)
            if reply is MISSING:
                return AuthResult(success=False, handled=True)
            return AuthResult(
                success=False, handled=False, message="535 5.7.8 Authentication credentials invalid"
            )
        assert self.session is not None
        self.session._pli_mechanism = "XOAUTH2"  # type: ignore[attr-defined]
        return AuthResult(success=True, auth_data=LoginPassword(user.encode(), b""))


class _Handler:
    """aiosmtpd hooks, bound to one :class:`SmtpServer`."""

    def __init__(self, owner: SmtpServer) -> None:
        self.owner = owner

    async def handle_EHLO(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        hostname: str,
        responses: list[str],
    ) -> list[str]:
        session.host_name = hostname
        if self.owner.dsn:
            responses.insert(len(responses) - 1, "250-DSN")
        return responses

    async def handle_MAIL(
        self,
        server: _PliSMTP,
        session: Session,
        envelope: _PliEnvelope,
        address: str,
        options: list[str],
    ) -> str:
        login = _login_of(session)
        if self.owner.enforce_sender and login and address.lower() != login.lower():
            return f"553 5.7.1 <{address}>: Sender address rejected: not owned by user {login}"
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        envelope.mail_params = {k: v for k, _, v in (o.partition("=") for o in options)} | dict(
            server._pending_mail_dsn
        )
        envelope.dsn_ret = server._pending_mail_dsn.get("RET")
        envelope.dsn_envid = server._pending_mail_dsn.get("ENVID")
        return "250 2.1.0 Ok"

    async def handle_RCPT(
        self,
        server: _PliSMTP,
        session: Session,
        envelope: _PliEnvelope,
        address: str,
        options: list[str],
    ) -> str:
        owner = self.owner
        rejected = owner._rejection_for(address)
        if rejected is not None:
            return rejected
        kind, _mailbox = owner.route(address)
        if kind == "unknown":
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        if kind == "external" and not owner.accept_external:
            return f"554 5.7.1 <{address}>: Relay access denied"
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(options)
        envelope.rcpt_dsn[address] = dict(server._pending_rcpt_dsn)
        return "250 2.1.5 Ok"

    async def handle_DATA(
        self, server: _PliSMTP, session: Session, envelope: _PliEnvelope
    ) -> str | None:
        owner = self.owner
        data = envelope.original_content or b""
        tx = SmtpTransaction(
            id=uuid.uuid4().hex[:12].upper(),
            listener=server.listener,
            peer=session.peer,
            tls=server.is_tls,
            tls_version=_ssl_info(server, "version"),
            cipher=_ssl_info(server, "cipher"),
            auth_login=_login_of(session),
            auth_mechanism=getattr(session, "_pli_mechanism", None),
            mail_from=envelope.mail_from or "",
            mail_params=dict(envelope.mail_params),
            rcpt_tos=list(envelope.rcpt_tos),
            rcpt_params={r: dict(p) for r, p in envelope.rcpt_dsn.items()},
            data=data,
            message_id=_message_id(data),
            received_at=time.time(),
        )
        drop = owner._take_drop()
        if drop is not None:
            tx.outcome = "dropped"
        owner._record(tx)
        if drop is None or drop:
            loop = asyncio.get_running_loop()
            await loop.run_in_executor(None, owner._deliver, tx, envelope)
        if drop is not None:
            # The server got (and maybe delivered) the message but the client never hears
            # back: the classic cause of duplicates when a client resends blindly.
            server.abort_connection()
            return "250 2.0.0 Ok (never sent: connection dropped)"
        return f"250 2.0.0 Ok: queued as {tx.id}"


def _login_of(session: Session) -> str | None:
    data: object = session.auth_data
    if isinstance(data, LoginPassword):
        return data.login.decode("utf-8", "replace")
    return None


def _ssl_info(server: _PliSMTP, what: str) -> str | None:
    transport = server.transport
    obj = transport.get_extra_info("ssl_object") if transport is not None else None
    if obj is None:
        return None
    if what == "version":
        return str(obj.version())
    cipher = obj.cipher()
    return str(cipher[0]) if cipher else None


def _message_id(data: bytes) -> str | None:
    headers = BytesHeaderParser(policy=compat32).parsebytes(data)
    value = headers.get("Message-ID")
    return str(value).strip() if value else None


# ---------------------------------------------------------------------------------------------
class SmtpServer:
    """The SMTP submission server (two TLS listeners) delivering into a Dovecot by LMTP.

    Args:
        cert: server certificate (chain + key).
        check_password: ``(login, password) -> bool`` for PLAIN/LOGIN (e.g. a
            :class:`~tests.servers.dovecot.DovecotServer`'s ``check_password``).
        has_mailbox: ``address -> bool``: local users (RCPT of others in local domains: 550).
        lmtp: ``(host, port)`` of Dovecot's LMTP listener (None: record only, no delivery).
        introspect: ``token -> introspection dict`` for XOAUTH2 (None: XOAUTH2 always fails).
        local_domains: domains whose mailboxes live in that Dovecot.
        patients: patient address (in ``patient.mssante.fr``) -> mailbox receiving its mail.
        dsn: advertise DSN and honour RET/ENVID/NOTIFY/ORCPT.
        size_limit: SIZE limit in bytes.
        enforce_sender: MAIL FROM must be the authenticated login (553 otherwise).
        accept_external: accept (and only record) recipients in other domains.
        autoreply: answer mail to ``reponse.automatique-test@patient.mssante.fr`` with an
            automatic reply delivered to the sender (the real test mailbox does this).
        hostname: the name in the greeting and in generated headers.
    """

    def __init__(
        self,
        cert: CertFiles,
        *,
        check_password: Callable[[str, str], bool] | None = None,
        has_mailbox: Callable[[str], bool] | None = None,
        lmtp: tuple[str, int] | None = None,
        introspect: Callable[[str], Mapping[str, Any]] | None = None,
        local_domains: Iterable[str] = (),
        patients: Mapping[str, str] | None = None,
        dsn: bool = True,
        size_limit: int = DEFAULT_SIZE_LIMIT,
        enforce_sender: bool = True,
        accept_external: bool = True,
        autoreply: bool = True,
        hostname: str = "smtp.pli-test.mssante.fr",
    ) -> None:
        self.cert = cert
        self.check_password = check_password or (lambda _login, _password: False)
        self.has_mailbox = has_mailbox or (lambda _address: False)
        self.lmtp = lmtp
        self.introspect = introspect
        self.local_domains = {d.lower() for d in local_domains}
        self.patients = {k.lower(): v for k, v in (patients or {}).items()}
        self.dsn = dsn
        self.size_limit = size_limit
        self.enforce_sender = enforce_sender
        self.accept_external = accept_external
        self.autoreply = autoreply
        self.hostname = hostname
        self.host = LOOPBACK
        self.starttls_port = 0
        self.implicit_port = 0
        self._handler = _Handler(self)
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._transactions: list[SmtpTransaction] = []
        self._faults = _Faults()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._servers: list[asyncio.AbstractServer] = []
        self._connections: set[_PliSMTP] = set()
        self.auth_failures = 0

    # -- lifecycle ---------------------------------------------------------------------
    def _authenticator(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
    ) -> AuthResult:
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        login = auth_data.login.decode("utf-8", "replace")
        password = auth_data.password.decode("utf-8", "replace")
        if self.check_password(login, password):
            session._pli_mechanism = mechanism  # type: ignore[attr-defined]
            return AuthResult(success=True, auth_data=auth_data)
        with self._lock:
            self.auth_failures += 1
        return AuthResult(success=False, handled=False)

    def _introspect_quietly(self, token: str) -> Mapping[str, Any]:
        assert self.introspect is not None
        try:
            return self.introspect(token)
        except Exception:
            return {"active": False}

    def _factory(self, listener: str) -> Callable[[], _PliSMTP]:
        context = self.cert.server_context()

        def make() -> _PliSMTP:
            common: dict[str, Any] = {
                "data_size_limit": self.size_limit,
                "hostname": self.hostname,
                "ident": "Pli test ESMTP",
                "authenticator": self._authenticator,
                "auth_required": True,
                "enable_SMTPUTF8": True,
                "loop": self._loop,
                "timeout": 120,
            }
            if listener == "starttls":
                return _PliSMTP(
                    self,
                    listener,
                    tls_context=context,
                    require_starttls=True,
                    auth_require_tls=True,
                    **common,
                )
            return _PliSMTP(self, listener, auth_require_tls=False, **common)

        return make

    def start(self, timeout: float = 10) -> SmtpServer:
        """Start both listeners in a background thread with its own event loop."""
        sock_starttls, sock_implicit = bound_socket(), bound_socket()
        self.starttls_port = sock_starttls.getsockname()[1]
        self.implicit_port = sock_implicit.getsockname()[1]
        ready = threading.Event()
        errors: list[BaseException] = []
        implicit_ctx = self.cert.server_context()

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            asyncio.set_event_loop(loop)
            try:
                self._servers = [
                    loop.run_until_complete(
                        loop.create_server(self._factory("starttls"), sock=sock_starttls)
                    ),
                    loop.run_until_complete(
                        loop.create_server(
                            self._factory("implicit"), sock=sock_implicit, ssl=implicit_ctx
                        )
                    ),
                ]
            except BaseException as exc:
                errors.append(exc)
                ready.set()
                return
            ready.set()
            try:
                loop.run_forever()
            finally:
                for server in self._servers:
                    server.close()
                pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
                for task in pending:
                    task.cancel()
                loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
                loop.run_until_complete(loop.shutdown_asyncgens())
                loop.run_until_complete(loop.shutdown_default_executor())
                loop.close()

        self._thread = threading.Thread(target=run, name="pli-test-smtp", daemon=True)
        self._thread.start()
        if not ready.wait(timeout) or errors:
            raise ServerError(f"SMTP server did not start: {errors}")
        return self

    async def _shutdown(self) -> None:
        for server in self._servers:
            server.close()
        for protocol in list(self._connections):
            protocol.abort_connection()
        for _ in range(50):
            if not self._connections:
                break
            await asyncio.sleep(0.01)
        for server in self._servers:
            await server.wait_closed()

    def stop(self) -> None:
        """Close the listeners and every connection; join the thread."""
        if self._loop is not None and self._thread is not None:
            with contextlib.suppress(Exception):
                asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop).result(10)
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=10)
        self._thread = None
        self._loop = None

    def __enter__(self) -> SmtpServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- routing -----------------------------------------------------------------------
    def add_patient(self, address: str, mailbox: str) -> None:
        """Deliver mail for patient ``address`` (``…@patient.mssante.fr``) into ``mailbox``."""
        with self._lock:
            self.patients[address.lower()] = mailbox

    def route(self, address: str) -> tuple[str, str | None]:
        """``(kind, mailbox)``: ``local``, ``patient``, ``autoreply``, ``external``, ``unknown``."""
        addr = address.lower()
        domain = addr.rpartition("@")[2]
        with self._lock:
            patient = self.patients.get(addr)
        if patient is not None:
            return "patient", patient
        if self.autoreply and addr == AUTOREPLY_TEST_ADDRESS:
            return "autoreply", None
        if domain == PATIENT_DOMAIN:
            return "unknown", None
        if domain in self.local_domains:
            return ("local", addr) if self.has_mailbox(addr) else ("unknown", None)
        return "external", None

    # -- fault injection ---------------------------------------------------------------
    def refuse_connections(
        self,
        count: int = 1,
        reply: str = "421 4.3.2 Service not available, closing transmission channel",
    ) -> None:
        """The next ``count`` connections get ``reply`` as greeting and are closed."""
        with self._lock:
            self._faults.refuse_connections = count
            self._faults.refuse_reply = reply

    def fail_command(self, command: str, reply: str, count: int = 1) -> None:
        """Answer the next ``count`` ``command`` (EHLO, AUTH, MAIL, RCPT, DATA) with ``reply``.

        A 421 reply also closes the connection (RFC 5321 §3.8).
        """
        with self._lock:
            self._faults.command_replies.setdefault(command.upper(), []).extend([reply] * count)

    def drop_after_data(self, count: int = 1, *, deliver: bool = True) -> None:
        """Close the next ``count`` connections after the message data, before replying.

        With ``deliver`` the message is delivered first: the client cannot know it was.
        """
        with self._lock:
            self._faults.drop_after_data = count
            self._faults.drop_deliver = deliver

    def reject_recipient(
        self, address: str, code: int = 550, text: str = "5.1.1 Recipient address rejected"
    ) -> None:
        """Answer RCPT TO:<address> with ``code text`` (until :meth:`reset_faults`)."""
        with self._lock:
            self._faults.rejected_rcpts[address.lower()] = f"{code} {text}"

    def fail_after_accept(
        self, address: str, status: str = "5.2.2", diagnostic: str = "552 5.2.2 Mailbox full"
    ) -> None:
        """Accept ``address`` at RCPT but bounce it after DATA (a failure DSN when asked)."""
        with self._lock:
            self._faults.failed_after_accept[address.lower()] = (status, diagnostic)

    def reset_faults(self) -> None:
        """Remove every injected fault."""
        with self._lock:
            self._faults = _Faults()

    def _take_connection_refusal(self) -> str | None:
        with self._lock:
            if self._faults.refuse_connections > 0:
                self._faults.refuse_connections -= 1
                return self._faults.refuse_reply
        return None

    def _take_command_fault(self, command: str) -> str | None:
        with self._lock:
            queue = self._faults.command_replies.get(command)
            return queue.pop(0) if queue else None

    def _take_drop(self) -> bool | None:
        with self._lock:
            if self._faults.drop_after_data > 0:
                self._faults.drop_after_data -= 1
                return self._faults.drop_deliver
        return None

    def _rejection_for(self, address: str) -> str | None:
        with self._lock:
            return self._faults.rejected_rcpts.get(address.lower())

    # -- records -----------------------------------------------------------------------
    def _record(self, tx: SmtpTransaction) -> None:
        with self._changed:
            self._transactions.append(tx)
            self._changed.notify_all()

    @property
    def transactions(self) -> list[SmtpTransaction]:
        """Every transaction received so far (oldest first)."""
        with self._lock:
            return list(self._transactions)

    def transactions_with_message_id(self, message_id: str) -> list[SmtpTransaction]:
        """Transactions carrying ``message_id`` (assert "delivered exactly once" with len)."""
        return [t for t in self.transactions if t.message_id == message_id]

    def clear(self) -> None:
        """Forget recorded transactions."""
        with self._lock:
            self._transactions.clear()

    def wait_for_transactions(self, count: int, timeout: float = 10) -> list[SmtpTransaction]:
        """Block until at least ``count`` transactions were received; return them all."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while len(self._transactions) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise ServerError(
                        f"{len(self._transactions)} SMTP transaction(s) after {timeout}s, "
                        f"expected {count}"
                    )
                self._changed.wait(left)
            return list(self._transactions)

    # -- delivery (runs in the loop's executor) ----------------------------------------
    def _received_header(self, tx: SmtpTransaction) -> bytes:
        peer_ip = tx.peer[0] if isinstance(tx.peer, tuple) else str(tx.peer)
        proto = "ESMTPSA" if tx.auth_login else "ESMTPS"
        tls = f" (using {tx.tls_version} with cipher {tx.cipher})" if tx.tls else ""
        return (
            f"Received: from [{peer_ip}] by {self.hostname}{tls}\r\n"
            f"\twith {proto} id {tx.id}; {email.utils.formatdate()}\r\n"
        ).encode()

    def _deliver(self, tx: SmtpTransaction, envelope: _PliEnvelope) -> None:
        data = self._received_header(tx) + tx.data
        lmtp_targets: dict[str, str] = {}  # LMTP recipient -> original recipient
        for rcpt in tx.rcpt_tos:
            with self._lock:
                failure = self._faults.failed_after_accept.get(rcpt.lower())
            if failure is not None:
                tx.results[rcpt] = RecipientResult("failed", None, failure[0], failure[1])
                continue
            kind, mailbox = self.route(rcpt)
            if kind in ("local", "patient") and mailbox and self.lmtp is not None:
                lmtp_targets.setdefault(mailbox, rcpt)
                tx.results[rcpt] = RecipientResult("delivered", mailbox)
            elif kind == "autoreply":
                tx.results[rcpt] = RecipientResult("delivered", None, "2.0.0", "auto-reply")
            else:
                tx.results[rcpt] = RecipientResult(
                    "relayed", None, "2.0.0", "recorded, not delivered"
                )
        if lmtp_targets and self.lmtp is not None:
            try:
                replies = lmtp_send(
                    self.lmtp[0], self.lmtp[1], tx.mail_from, list(lmtp_targets), data
                )
            except OSError as exc:
                replies = {m: LmtpReply(451, f"4.3.0 LMTP failed: {exc}") for m in lmtp_targets}
            for mailbox, rcpt in lmtp_targets.items():
                reply = replies[mailbox]
                if not reply.ok:
                    status = _enhanced(reply)
                    tx.results[rcpt] = RecipientResult(
                        "failed", mailbox, status, f"{reply.code} {reply.text}"
                    )
            # Several original recipients mapped to one mailbox share its outcome.
            for rcpt in tx.rcpt_tos:
                result = tx.results[rcpt]
                if result.status == "delivered" and result.mailbox in lmtp_targets:
                    first = lmtp_targets[result.mailbox]
                    tx.results[rcpt] = tx.results[first]
        if any(self.route(r)[0] == "autoreply" for r in tx.rcpt_tos):
            self._send_autoreply(tx)
        self._send_dsns(tx, envelope)
        with self._changed:
            self._changed.notify_all()

    def _deliver_to_sender(self, tx: SmtpTransaction, message: bytes) -> None:
        kind, mailbox = self.route(tx.mail_from)
        if kind in ("local", "patient") and mailbox and self.lmtp is not None:
            with contextlib.suppress(OSError):
                lmtp_send(self.lmtp[0], self.lmtp[1], "", [mailbox], message)

    def _send_dsns(self, tx: SmtpTransaction, envelope: _PliEnvelope) -> None:
        successes, failures = [], []
        for rcpt in tx.rcpt_tos:
            notify = tx.rcpt_params.get(rcpt, {}).get("NOTIFY")
            result = tx.results[rcpt]
            # RFC 3461 §4.1: without NOTIFY, failures are reported and successes are not.
            wanted = set(notify) if notify else {"FAILURE"}
            if result.status == "failed" and "FAILURE" in wanted:
                failures.append(rcpt)
            elif result.status in ("delivered", "relayed") and "SUCCESS" in wanted:
                successes.append(rcpt)
        for rcpts, failed in ((successes, False), (failures, True)):
            if rcpts and tx.mail_from:
                dsn = self.build_dsn(tx, rcpts, failed=failed, ret=envelope.dsn_ret)
                tx.dsns.append(dsn)
                self._deliver_to_sender(tx, dsn)

    def build_dsn(
        self, tx: SmtpTransaction, rcpts: list[str], *, failed: bool, ret: str | None
    ) -> bytes:
        """A delivery status notification (RFC 3464) about ``rcpts`` of ``tx``."""
        boundary = f"=_pli-dsn-{uuid.uuid4().hex}"
        now = email.utils.formatdate()
        subject = (
            "Undelivered Mail Returned to Sender" if failed else "Successful Mail Delivery Report"
        )
        human = (
            "Your message could not be delivered to the following recipients:\r\n"
            if failed
            else "Your message was successfully delivered to the following recipients:\r\n"
        ) + "".join(f"  <{r}>\r\n" for r in rcpts)
        per_message = [f"Reporting-MTA: dns; {self.hostname}"]
        envid = tx.mail_params.get("ENVID")
        if envid:
            per_message.append(f"Original-Envelope-Id: {envid}")
        per_message.append(f"Arrival-Date: {email.utils.formatdate(tx.received_at)}")
        blocks = ["\r\n".join(per_message)]
        for rcpt in rcpts:
            result = tx.results[rcpt]
            lines = [f"Final-Recipient: rfc822; {rcpt}"]
            orcpt = tx.rcpt_params.get(rcpt, {}).get("ORCPT")
            if orcpt:
                lines.append(f"Original-Recipient: {orcpt[0]}; {orcpt[1]}")
            action = (
                "failed" if failed else ("relayed" if result.status == "relayed" else "delivered")
            )
            lines += [f"Action: {action}", f"Status: {result.smtp_status}"]
            if failed:
                lines.append(f"Diagnostic-Code: smtp; {result.diagnostic}")
            lines.append(f"Last-Attempt-Date: {now}")
            blocks.append("\r\n".join(lines))
        status_part = "\r\n\r\n".join(blocks) + "\r\n"
        original = tx.data
        if ret == "FULL" and failed:
            third = b"Content-Type: message/rfc822\r\n\r\n" + original
        else:
            # Headers only: RET=HDRS, or the default for success reports.
            head = original.split(b"\r\n\r\n", 1)[0] if b"\r\n\r\n" in original else original
            third = b"Content-Type: text/rfc822-headers\r\n\r\n" + head + b"\r\n"
        message_id = f"<{uuid.uuid4().hex}@{self.hostname}>"
        header = (
            f"From: Mail Delivery System <MAILER-DAEMON@{self.hostname}>\r\n"
            f"To: <{tx.mail_from}>\r\n"
            f"Subject: {subject}\r\n"
            f"Date: {now}\r\n"
            f"Message-ID: {message_id}\r\n"
            "Auto-Submitted: auto-replied\r\n"
            "MIME-Version: 1.0\r\n"
            "Content-Type: multipart/report; report-type=delivery-status;\r\n"
            f'\tboundary="{boundary}"\r\n'
            "\r\n"
        )
        body = (
            (
                f"--{boundary}\r\n"
                "Content-Type: text/plain; charset=us-ascii\r\n\r\n"
                f"{human}\r\n"
                f"--{boundary}\r\n"
                "Content-Type: message/delivery-status\r\n\r\n"
                f"{status_part}\r\n"
                f"--{boundary}\r\n"
            ).encode()
            + third
            + f"\r\n--{boundary}--\r\n".encode()
        )
        return header.encode() + body

    def _send_autoreply(self, tx: SmtpTransaction) -> None:
        headers = BytesHeaderParser(policy=compat32).parsebytes(tx.data)
        subject = headers.get("Subject", "")
        reply = (
            f"From: <{AUTOREPLY_TEST_ADDRESS}>\r\n"
            f"To: <{tx.mail_from}>\r\n"
            f"Subject: Re: {subject}\r\n"
            f"Date: {email.utils.formatdate()}\r\n"
            f"Message-ID: <{uuid.uuid4().hex}@patient.mssante.fr>\r\n"
            + (
                f"In-Reply-To: {tx.message_id}\r\nReferences: {tx.message_id}\r\n"
                if tx.message_id
                else ""
            )
            + "Auto-Submitted: auto-replied\r\n"
            "MIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n"
            "Content-Transfer-Encoding: 8bit\r\n\r\n"
            "Ceci est une réponse automatique de la boîte de test.\r\n"
        ).encode()
        self._deliver_to_sender(tx, reply)


def _enhanced(reply: LmtpReply) -> str:
    match = re.match(r"([245]\.\d{1,3}\.\d{1,3})", reply.text)
    if match:
        return match.group(1)
    return "5.0.0" if reply.code >= 500 else "4.0.0"
