"""One SMTP submission connection (RFC 6409): the only module that talks SMTP.

Blocking, and not thread-safe: an `SmtpSubmitter` is owned by one thread (its service's serial
executor). Every socket call has a timeout: ``connect_timeout`` for the TCP connection, the
TLS handshake and the greeting, ``read_timeout`` for each command, ``data_timeout`` for the
answer to the end of the message data (RFC 5321 §4.5.3.2.6 allows the server 10 minutes).

Security (spec §2, ECO.1.0.2): STARTTLS on 587 (refused outright when the server does not
offer it: never plaintext, never a silent downgrade) or implicit TLS on 465; the TLS policy
of `app.transport.tls`; the server certificate's revocation checked (`RevocationChecker`)
after the handshake and before any credential. Authentication: SASL PLAIN (LOGIN when PLAIN is
not offered) with a password, XOAUTH2 with a Pro Santé Connect access token (ECO.1.2.1),
EXTERNAL with the client certificate of the TLS context (applicative boxes).

Submission (`submit`): SIZE (RFC 1870) checked before anything is sent; DSN (RFC 3461) on
request when the server offers it (``RET``/``ENVID`` on MAIL, ``NOTIFY``/``ORCPT`` on each
RCPT); recipients refused one by one are reported while the others still receive the
message; nothing is sent when no recipient is accepted.

What the caller must know about failures: every `KnownError` raised by `submit` means the
message was certainly **not** accepted, except `SubmissionUncertainError`
(``network.outcome_unknown``, ``maybe_sent`` True): the whole message went out but the
server's answer never came. The server may have accepted it, so the caller must look for the
Message-ID (in Sent, or wait for a report) before sending it again.
"""

from __future__ import annotations

import logging
import re
import smtplib
import socket
import ssl
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from app.domain.account import AuthMethod, Endpoint, Security
from app.domain.addresses import MailAddress
from app.domain.errors import AuthError, KnownError, NetworkError, ServerError, TlsError
from app.domain.errors import ValidationError as DomainValidationError
from app.transport.imap_session import Credentials
from app.transport.revocation import RevocationChecker, RevocationResult
from app.transport.tls import classify_ssl_error, peer_chain_der

log = logging.getLogger(__name__)

R = TypeVar("R")

#: RFC 3461 §4.4: ENVID is at most 100 characters (xtext-encoded).
ENVID_MAX = 100
_NOTIFY_VALUES = frozenset({"SUCCESS", "FAILURE", "DELAY"})
_EOL_RE = re.compile(rb"\r\n|\r|\n")
_DOT_RE = re.compile(rb"^\.", re.MULTILINE)
_ENHANCED_RE = re.compile(r"^([245]\.\d{1,3}\.\d{1,3})\b")
_BARE_ADDRESS_RE = re.compile(r"^[^\s<>@]+@[^\s<>@]+$")


@dataclass(frozen=True)
class DsnRequest:
    """Delivery status notifications asked for a message (RFC 3461, ECO.2.3.1).

    Attributes:
        notify: when to report, per recipient: ``SUCCESS``, ``FAILURE``, ``DELAY`` (or
            ``("NEVER",)``).
        ret: ``HDRS`` (only the headers come back: no health data travels again) or ``FULL``.
        envid: an identifier of ours, returned in every report (``Original-Envelope-Id``) to
            match it to the outbox entry; printable ASCII.
    """

    notify: tuple[str, ...] = ("SUCCESS", "FAILURE")
    ret: str = "HDRS"
    envid: str | None = None


@dataclass(frozen=True)
class RecipientRefusal:
    """A recipient the server refused at RCPT.

    Attributes:
        address: the recipient (health data: never log).
        code: the SMTP reply code (550, 450…).
        text: the server's text (``5.1.1 <…>: Recipient address rejected: User unknown``).
    """

    address: str
    code: int
    text: str

    @property
    def temporary(self) -> bool:
        """A 4xx refusal: the same recipient may be tried again later."""
        return 400 <= self.code < 500

    @property
    def status(self) -> str:
        """The enhanced status code (RFC 3463) when the server gave one, else ``""``."""
        match = _ENHANCED_RE.match(self.text)
        return match.group(1) if match else ""


@dataclass(frozen=True)
class SubmitResult:
    """What the server accepted.

    Attributes:
        accepted: recipients the message was accepted for.
        refused: recipients refused at RCPT (the message left without them).
        dsn_requested: DSN parameters were sent with the transaction.
        dsn_offered: the server announced DSN; when a DSN was asked and this is False, no
            delivery report will come and the front end should say so.
        envid: the ENVID sent, if any.
        size: the size of the message as submitted (bytes).
        reply: the server's answer to the message data (often with its queue id: worth
            keeping in the audit trail, ECO.4.1.2).
    """

    accepted: tuple[str, ...]
    refused: tuple[RecipientRefusal, ...]
    dsn_requested: bool
    dsn_offered: bool
    envid: str | None
    size: int
    reply: str


class SubmissionUncertainError(NetworkError):
    """The message data was sent but the server's answer never came.

    The server may have accepted (and delivered) the message: look for its Message-ID
    before sending it again. Code ``network.outcome_unknown``.
    """

    maybe_sent = True

    def __init__(self, host: str, reason: str) -> None:
        super().__init__("network.outcome_unknown", host=host, reason=reason, maybe_sent=True)


def maybe_sent(error: BaseException) -> bool:
    """True only when `error` leaves open whether the server accepted the message."""
    return isinstance(error, SubmissionUncertainError)


class SmtpSubmitter:
    """A connection to one SMTP submission server for one account.

    Args:
        endpoint: host, port and security (STARTTLS or implicit TLS).
        context: the TLS context (`app.transport.tls.make_context`), with the client
            certificate for EXTERNAL.
        revocation: checks the server certificate before any credential is sent.
        connect_timeout: seconds for the TCP connection, the TLS handshake and the greeting.
        read_timeout: seconds for each command's answer.
        data_timeout: seconds for the answer to the end of the message data.
    """

    def __init__(
        self,
        endpoint: Endpoint,
        context: ssl.SSLContext,
        revocation: RevocationChecker,
        *,
        connect_timeout: float = 15.0,
        read_timeout: float = 60.0,
        data_timeout: float = 300.0,
    ) -> None:
        self._endpoint = endpoint
        self._context = context
        self._revocation = revocation
        self._connect_timeout = connect_timeout
        self._read_timeout = read_timeout
        self._data_timeout = data_timeout
        self._client: smtplib.SMTP | None = None
        self._broken = False
        self._authenticated = False
        self.revocation_result: RevocationResult | None = None

    # -- state ------------------------------------------------------------------------------

    @property
    def usable(self) -> bool:
        """Connected and not broken by an earlier error."""
        return self._client is not None and not self._broken

    @property
    def authenticated(self) -> bool:
        """`authenticate` succeeded on this connection."""
        return self.usable and self._authenticated

    @property
    def extensions(self) -> frozenset[str]:
        """ESMTP extensions announced after TLS (upper case: ``DSN``, ``SIZE``, ``AUTH``…)."""
        if self._client is None:
            return frozenset()
        return frozenset(k.upper() for k in self._client.esmtp_features)

    @property
    def auth_mechanisms(self) -> frozenset[str]:
        """SASL mechanisms announced after TLS (upper case)."""
        if self._client is None:
            return frozenset()
        return frozenset(self._client.esmtp_features.get("auth", "").upper().split())

    @property
    def dsn_offered(self) -> bool:
        """The server announced DSN (RFC 3461)."""
        return "DSN" in self.extensions

    @property
    def size_limit(self) -> int | None:
        """The server's SIZE limit in bytes (RFC 1870); None when it announced no limit."""
        if self._client is None:
            return None
        value = self._client.esmtp_features.get("size", "").strip()
        return int(value) if value.isdigit() and int(value) > 0 else None

    # -- connection -------------------------------------------------------------------------

    def connect(self) -> None:
        """Open the connection, secure it (implicit TLS or STARTTLS), check revocation.

        Blocking. No credential is sent here.

        Raises:
            NetworkError: ``network.unknown_host``, ``network.refused``, ``network.timeout``,
                ``network.unreachable``, ``network.connection_lost``.
            TlsError: ``tls.starttls_unavailable`` (the server does not offer STARTTLS: no
                plaintext fallback), ``tls.starttls_refused``, or the handshake's reason
                (``tls.expired``, ``tls.untrusted``, ``tls.protocol_refused``,
                ``tls.revoked``…).
            ServerError: ``server.temporary_failure`` (a 4xx greeting such as 421),
                ``server.refused`` (a 5xx greeting, or EHLO refused).
        """
        host, port = self._endpoint.host, self._endpoint.port
        implicit = self._endpoint.security is Security.TLS
        client: smtplib.SMTP
        if implicit:
            client = _ImplicitTlsSmtp(
                local_hostname="localhost", timeout=self._connect_timeout, context=self._context
            )
        else:
            client = smtplib.SMTP(local_hostname="localhost", timeout=self._connect_timeout)
        # smtplib takes the TLS server name (SNI and certificate check) from `_host`, which only
        # its constructor sets; the constructor would also connect, outside our error handling.
        client._host = host  # type: ignore[attr-defined]
        self._client = client
        self._broken = False
        self._authenticated = False
        try:
            code, greeting = self._network(client.connect, host, port)
            if code != 220:
                raise _reply_error(code, _text(greeting), host, default="server.refused")
            self._ehlo()
            if not implicit:
                if not client.has_extn("starttls"):
                    raise TlsError("tls.starttls_unavailable", host=host, port=port)
                try:
                    self._network(client.starttls, context=self._context)
                except smtplib.SMTPResponseException as error:
                    raise TlsError(
                        "tls.starttls_refused", host=host, port=port, detail=_text(error.smtp_error)
                    ) from error
                # RFC 3207 §4.2: forget what was learnt before TLS and ask again.
                self._ehlo()
            sock = client.sock
            if not isinstance(sock, ssl.SSLSocket):  # pragma: no cover - both paths wrap
                raise TlsError("tls.not_tls", host=host, port=port)
            sock.settimeout(self._read_timeout)
            self.revocation_result = self._revocation.check(peer_chain_der(sock), host, port)
        except KnownError:
            self.close()
            raise
        log.debug("SMTP connection ready (dsn=%s, size=%s)", self.dsn_offered, self.size_limit)

    def authenticate(self, credentials: Credentials) -> None:
        """Authenticate over the secured channel.

        Blocking. PLAIN is preferred to LOGIN for a password; XOAUTH2 carries the access token
        (``user=<login>``, ECO.1.2.1); EXTERNAL relies on the TLS client certificate.

        Raises:
            AuthError: ``auth.bad_credentials``, ``auth.method_unavailable``.
            ServerError: ``server.temporary_failure`` (a 4xx answer, e.g. 454).
            NetworkError: the connection dropped or timed out.
        """
        client = self._require()
        host = self._endpoint.host
        offered = self.auth_mechanisms
        if credentials.method is AuthMethod.OAUTH2:
            mechanism = "XOAUTH2"
            initial = f"user={credentials.username}\x01auth=Bearer {credentials.secret}\x01\x01"

            def respond(challenge: bytes | None = None) -> str:
                # The first call gives the initial response; a second one answers the error
                # challenge (RFC 7628 §3.2.2 style) with an empty line so the server ends with
                # its 535.
                return initial if challenge is None else ""

            authobject: Callable[..., str] = respond
        elif credentials.method is AuthMethod.EXTERNAL:
            mechanism = "EXTERNAL"

            def external(challenge: bytes | None = None) -> str:
                # RFC 4422 §A: an empty authorization identity (derived from the certificate).
                return ""

            authobject = external
        else:
            mechanism = "PLAIN" if "PLAIN" in offered else "LOGIN"
            authobject = client.auth_plain if mechanism == "PLAIN" else client.auth_login
        if mechanism not in offered:
            raise AuthError("auth.method_unavailable", method=mechanism, host=host)
        if credentials.method is AuthMethod.PASSWORD:
            # smtplib's PLAIN/LOGIN helpers read these; cleared right after the exchange.
            client.user, client.password = credentials.username, credentials.secret
        try:
            self._network(
                client.auth,
                mechanism,
                authobject,
                initial_response_ok=mechanism != "EXTERNAL",
            )
        except smtplib.SMTPResponseException as error:
            raise _auth_error(error.smtp_code, _text(error.smtp_error), mechanism, host) from error
        finally:
            client.user, client.password = "", ""
        self._authenticated = True
        log.debug("SMTP authenticated (%s)", mechanism)

    def close(self) -> None:
        """Say QUIT if the connection still works; always release the socket."""
        client, self._client = self._client, None
        if client is None:
            return
        try:
            if not self._broken and client.sock is not None:
                client.quit()
        except (smtplib.SMTPException, OSError):
            log.debug("SMTP QUIT failed (connection already gone)")
        finally:
            client.close()

    def __enter__(self) -> SmtpSubmitter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- submission -------------------------------------------------------------------------

    def submit(
        self,
        envelope_from: str,
        recipients: Sequence[str],
        raw: bytes,
        *,
        dsn: DsnRequest | None = None,
        copies: Sequence[str] = (),
    ) -> SubmitResult:
        """Submit one message.

        Blocking. The connection stays usable for another message afterwards (unless an error
        marked it broken, see `usable`).

        Args:
            envelope_from: MAIL FROM (the account's address).
            recipients: RCPT TO addresses (To, Cc and Bcc).
            raw: the message (line ends are made CRLF and leading dots doubled here).
            dsn: delivery reports to ask for; ignored (and said so in the result) when the
                server does not offer DSN.
            copies: envelope recipients among `recipients` that are only copies for the
                sender (the hidden self-copy): when the server accepts none of the others,
                nothing is sent (``server.recipients_refused``), as if none were accepted.

        Returns:
            The accepted and refused recipients and what was asked.

        Raises:
            SubmissionUncertainError: ``network.outcome_unknown``: the data went out, no
                answer came; the message may have been accepted.
            ServerError: certainly not sent: ``server.message_too_large`` (over SIZE, or a
                552), ``server.recipients_refused`` (params ``refused``: every
                `RecipientRefusal`), ``server.sender_refused``, ``server.temporary_failure``
                (any 4xx, e.g. 421 or 451: try later; also when no recipient was accepted and
                one was refused only for now, with ``refused``), ``server.refused`` (other
                5xx).
            AuthError: ``auth.required`` (the server wants authentication first).
            NetworkError: certainly not sent: ``network.connection_lost``,
                ``network.timeout`` before the data was complete.
            ValidationError: ``draft.no_recipient``, ``dsn.bad_request`` (a NOTIFY or RET
                value, or an ENVID too long or not printable ASCII).
        """
        client = self._require()
        host = self._endpoint.host
        if not recipients:
            raise DomainValidationError("draft.no_recipient")
        # Envelope addresses go into command lines: only well-formed addresses (no spaces, no
        # line breaks that would inject commands); "" is the null reverse-path.
        for address in (envelope_from, *recipients):
            if address and not (
                _BARE_ADDRESS_RE.match(address) and MailAddress.try_parse(address) is not None
            ):
                raise DomainValidationError("address.malformed", value=address)
        data = _EOL_RE.sub(b"\r\n", raw)
        if not data.endswith(b"\r\n"):
            data += b"\r\n"
        size = len(data)
        limit = self.size_limit
        if limit is not None and size > limit:
            raise ServerError("server.message_too_large", host=host, size=size, limit=limit)
        use_dsn = dsn is not None and self.dsn_offered
        mail_options: list[str] = []
        if "SIZE" in self.extensions:
            mail_options.append(f"SIZE={size}")
        if not data.isascii() and "8BITMIME" in self.extensions:
            mail_options.append("BODY=8BITMIME")
        envid = None
        if dsn is not None:
            _check_dsn(dsn)
        if use_dsn and dsn is not None:
            mail_options.append(f"RET={dsn.ret.upper()}")
            if dsn.envid:
                envid = dsn.envid
                mail_options.append(f"ENVID={xtext(dsn.envid)}")

        code, text = self._command(client.mail, envelope_from, mail_options)
        if code != 250:
            self._reset()
            raise _mail_error(code, text, host, size, limit)
        accepted: list[str] = []
        refused: list[RecipientRefusal] = []
        for rcpt in recipients:
            rcpt_options: list[str] = []
            if use_dsn and dsn is not None:
                rcpt_options = [
                    f"NOTIFY={','.join(dsn.notify).upper()}",
                    f"ORCPT=rfc822;{xtext(rcpt)}",
                ]
            code, text = self._command(client.rcpt, rcpt, rcpt_options)
            if code in (250, 251):
                accepted.append(rcpt)
            elif code == 421:  # RFC 5321 §3.8: the server is closing the channel
                self._broken = True
                raise ServerError(
                    "server.temporary_failure", host=host, smtp_code=code, detail=text
                )
            else:
                refused.append(RecipientRefusal(rcpt, code, text))
        copy_keys = {c.lower() for c in copies}
        if not [a for a in accepted if a.lower() not in copy_keys]:
            self._reset()
            real = tuple(r for r in refused if r.address.lower() not in copy_keys)
            for_now = [r for r in real if r.temporary]
            if for_now:
                # A 4xx at RCPT (RFC 5321 §4.2.5: Postfix's "451 4.3.0 Temporary lookup
                # failure" when its directory is down, greylisting…) says "not now", not "no":
                # nothing left, and the message may be tried again later.
                raise ServerError(
                    "server.temporary_failure",
                    host=host,
                    smtp_code=for_now[0].code,
                    detail=for_now[0].text,
                    refused=real,
                )
            raise ServerError(
                "server.recipients_refused",
                host=host,
                refused=real,
                count=len(real),
                addresses=", ".join(r.address for r in real),
            )
        code, text = self._command(client.docmd, "DATA")
        if code != 354:
            self._reset()
            raise _data_error(code, text, host, size, limit)
        # Until the last byte is written the server cannot have the terminating dot: a failure
        # while sending means "not sent". After that, only its answer tells.
        self._network(client.send, _DOT_RE.sub(b"..", data) + b".\r\n")
        code, text = self._final_reply(client)
        if code != 250:
            raise _data_error(code, text, host, size, limit)
        log.debug("SMTP message accepted (%d recipients, %d refused)", len(accepted), len(refused))
        return SubmitResult(
            accepted=tuple(accepted),
            refused=tuple(refused),
            dsn_requested=use_dsn,
            dsn_offered=self.dsn_offered,
            envid=envid,
            size=size,
            reply=f"{code} {text}",
        )

    def noop(self) -> bool:
        """Whether the connection still answers (to reuse it for another message)."""
        if not self.usable:
            return False
        try:
            code, _ = self._command(self._require().noop)
        except KnownError:
            return False
        return code == 250

    # -- internals --------------------------------------------------------------------------

    def _require(self) -> smtplib.SMTP:
        if self._client is None or self._broken:
            raise NetworkError("network.not_connected", host=self._endpoint.host)
        return self._client

    def _ehlo(self) -> None:
        client = self._require()
        code, text = self._network(client.ehlo, _ehlo_name(client.sock))
        if code != 250:
            raise _reply_error(code, _text(text), self._endpoint.host, default="server.refused")

    def _final_reply(self, client: smtplib.SMTP) -> tuple[int, str]:
        """The answer to the end of data; no answer means "maybe sent"."""
        host = self._endpoint.host
        sock = client.sock
        try:
            if sock is not None:
                sock.settimeout(self._data_timeout)
            code, text = client.getreply()
        except (smtplib.SMTPServerDisconnected, OSError) as error:
            self._broken = True
            reason = (
                "timeout"
                if isinstance(error.__context__, TimeoutError) or isinstance(error, TimeoutError)
                else "connection_lost"
            )
            log.warning("SMTP connection lost after the message data: outcome unknown")
            raise SubmissionUncertainError(host, reason) from error
        finally:
            if sock is not None and not self._broken:
                sock.settimeout(self._read_timeout)
        if code == 421:
            self._broken = True
        return code, _text(text)

    def _command(self, method: Callable[..., tuple[int, bytes]], *args: object) -> tuple[int, str]:
        code, text = self._network(method, *args)
        if code == 421:
            self._broken = True
        return code, _text(text)

    def _network(self, method: Callable[..., R], *args: object, **kwargs: object) -> R:
        """Run an smtplib call, turning socket and TLS failures into our errors."""
        host, port = self._endpoint.host, self._endpoint.port
        try:
            return method(*args, **kwargs)
        except KnownError:
            raise
        except ssl.SSLError as error:
            self._broken = True
            raise classify_ssl_error(error, host, port) from error
        except smtplib.SMTPNotSupportedError as error:
            raise TlsError("tls.starttls_unavailable", host=host, port=port) from error
        except smtplib.SMTPServerDisconnected as error:
            self._broken = True
            if isinstance(error.__context__, TimeoutError):
                raise NetworkError("network.timeout", host=host, port=port) from error
            raise NetworkError("network.connection_lost", host=host, port=port) from error
        except smtplib.SMTPResponseException:
            # A reply the caller interprets (STARTTLS refused, AUTH refused). smtplib's
            # exceptions are OSErrors: they must not fall into the socket cases below.
            raise
        except smtplib.SMTPException as error:
            raise ServerError(
                "server.protocol_error", host=host, detail=str(error)[:200]
            ) from error
        except TimeoutError as error:
            self._broken = True
            raise NetworkError("network.timeout", host=host, port=port) from error
        except socket.gaierror as error:
            self._broken = True
            raise NetworkError("network.unknown_host", host=host, port=port) from error
        except ConnectionRefusedError as error:
            self._broken = True
            raise NetworkError("network.refused", host=host, port=port) from error
        except (ConnectionResetError, BrokenPipeError, EOFError) as error:
            self._broken = True
            raise NetworkError("network.connection_lost", host=host, port=port) from error
        except OSError as error:
            self._broken = True
            raise NetworkError("network.unreachable", host=host, port=port) from error

    def _reset(self) -> None:
        """RSET after a refused transaction, so the next one starts clean (RFC 5321 §4.1.1.5)."""
        if self._broken or self._client is None:
            return
        try:
            code, _ = self._command(self._client.rset)
        except KnownError:
            return
        if code != 250:
            self._broken = True


# -- helpers ---------------------------------------------------------------------------------


class _ImplicitTlsSmtp(smtplib.SMTP_SSL):
    """`smtplib.SMTP_SSL` that closes its TCP socket when the handshake fails.

    The standard class leaves the unwrapped socket to the garbage collector (a ResourceWarning,
    and a file descriptor held until then) when `wrap_socket` raises.
    """

    def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
        raw = socket.create_connection((host, port), timeout, self.source_address)
        try:
            return self.context.wrap_socket(raw, server_hostname=self._host)  # type: ignore[attr-defined]
        except BaseException:
            raw.close()
            raise


def xtext(value: str) -> str:
    """RFC 3461 §4 xtext: ``+``, ``=`` and characters outside ``!``..``~`` as ``+XX``."""
    return "".join(c if 33 <= ord(c) <= 126 and c not in "+=" else f"+{ord(c):02X}" for c in value)


def _check_dsn(dsn: DsnRequest) -> None:
    notify = {n.upper() for n in dsn.notify}
    valid_notify = notify == {"NEVER"} or (bool(notify) and notify <= _NOTIFY_VALUES)
    envid_ok = dsn.envid is None or (
        dsn.envid.isascii() and dsn.envid.isprintable() and len(xtext(dsn.envid)) <= ENVID_MAX
    )
    if not valid_notify or dsn.ret.upper() not in ("HDRS", "FULL") or not envid_ok:
        raise DomainValidationError("dsn.bad_request")


def _ehlo_name(sock: socket.socket | None) -> str:
    """An address literal for EHLO (RFC 5321 §4.1.3): the machine's name is not disclosed."""
    try:
        address = sock.getsockname()[0] if sock is not None else "127.0.0.1"
    except OSError:
        address = "127.0.0.1"
    return f"[IPv6:{address}]" if ":" in address else f"[{address}]"


def _text(value: bytes | str) -> str:
    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else value
    return " ".join(text.split())[:300]


def _reply_error(code: int, text: str, host: str, *, default: str) -> KnownError:
    if 400 <= code < 500:
        return ServerError("server.temporary_failure", host=host, smtp_code=code, detail=text)
    return ServerError(default, host=host, smtp_code=code, detail=text)


def _too_large(code: int, text: str, host: str, size: int, limit: int | None) -> KnownError:
    return ServerError(
        "server.message_too_large",
        host=host,
        smtp_code=code,
        detail=text,
        size=size,
        limit=limit if limit is not None else "?",
    )


def _mail_error(code: int, text: str, host: str, size: int, limit: int | None) -> KnownError:
    if code == 552:
        return _too_large(code, text, host, size, limit)
    if code == 530:
        return AuthError("auth.required", host=host)
    if code in (550, 553, 555) or text.startswith("5.7") or text.startswith("5.1.7"):
        return ServerError("server.sender_refused", host=host, smtp_code=code, detail=text)
    return _reply_error(code, text, host, default="server.refused")


def _data_error(code: int, text: str, host: str, size: int, limit: int | None) -> KnownError:
    if code == 552 or text.startswith(("5.3.4", "5.2.3")):
        return _too_large(code, text, host, size, limit)
    return _reply_error(code, text, host, default="server.refused")


def _auth_error(code: int, text: str, mechanism: str, host: str) -> KnownError:
    if 400 <= code < 500:
        return ServerError("server.temporary_failure", host=host, smtp_code=code, detail=text)
    if code == 504:
        return AuthError("auth.method_unavailable", method=mechanism, host=host)
    return AuthError("auth.bad_credentials", method=mechanism, host=host)
