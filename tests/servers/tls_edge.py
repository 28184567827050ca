"""Scripted IMAP/SMTP greeters for TLS refusals a real server cannot easily be made to produce.

Each server speaks just enough protocol to reach the handshake: the IMAP greeter answers
CAPABILITY (with STARTTLS) and STARTTLS, the SMTP greeter answers EHLO (with STARTTLS) and
STARTTLS; both then handshake with the given :class:`ssl.SSLContext`. In implicit mode the
handshake comes first (IMAPS 993 / submissions 465 style). After a successful handshake they
answer CAPABILITY/EHLO and refuse every login, so a client that wrongly accepted the handshake is
seen trying to authenticate (recorded in :attr:`TlsEdgeServer.commands_after_tls`).

Presets (MSSANTE.md §2: TLS 1.2 minimum, four ECDHE-RSA suites, IGC-Santé chain with expiry and
revocation checks):

* ``tls11`` — TLS 1.1 only (OpenSSL 3 needs ``@SECLEVEL=0`` for it);
* ``weak_cipher`` — TLS 1.2 with AES256-GCM-SHA384, an RSA key-exchange suite outside the list;
* ``expired``, ``not_yet_valid``, ``wrong_host``, ``self_signed`` — bad certificates;
* ``revoked`` — certificate with a CRL Distribution Point served by :class:`HttpFileServer`,
  listing its serial;
* ``good`` — a valid control server.

Also :class:`SilentServer` (accepts TCP, never says anything: timeout tests) and
:class:`ClosingServer` (closes every connection at once).
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import threading
import warnings
from collections.abc import Callable
from dataclasses import dataclass

from tests.servers._util import LOOPBACK, bound_socket
from tests.servers.http_files import HttpFileServer
from tests.servers.pki import MSSANTE_TLS12_CIPHERS, CertFiles, TestPki

PRESETS = (
    "good",
    "tls11",
    "weak_cipher",
    "expired",
    "not_yet_valid",
    "wrong_host",
    "self_signed",
    "revoked",
)


def legacy_context(
    *, server: bool, version: ssl.TLSVersion, ciphers: str, cert: CertFiles | None = None
) -> ssl.SSLContext:
    """An SSL context pinned to one (possibly deprecated) protocol version and cipher string.

    Python warns (DeprecationWarning) when TLS 1.0/1.1 are selected; tests run with warnings as
    errors, and here the old protocol is the point.
    """
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER if server else ssl.PROTOCOL_TLS_CLIENT)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        ctx.minimum_version = version
        ctx.maximum_version = version
    ctx.set_ciphers(ciphers)
    if cert is not None:
        ctx.load_cert_chain(cert.chain, cert.key)
    return ctx


@dataclass
class HandshakeRecord:
    """What happened on one connection."""

    ok: bool
    error: str | None = None
    version: str | None = None
    cipher: str | None = None


class _ThreadedServer:
    """Accept loop in a thread; one thread per connection; everything closed on stop."""

    def __init__(self) -> None:
        self._sock: socket.socket | None = None
        self._threads: list[threading.Thread] = []
        self._clients: list[socket.socket] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self.connections = 0
        self.port = 0
        self.host = LOOPBACK

    def start(self) -> _ThreadedServer:
        self._sock = bound_socket()
        self._sock.settimeout(0.1)
        self.port = self._sock.getsockname()[1]
        thread = threading.Thread(target=self._accept_loop, daemon=True, name=type(self).__name__)
        thread.start()
        self._threads.append(thread)
        return self

    def _accept_loop(self) -> None:
        assert self._sock is not None
        while not self._stopping.is_set():
            try:
                client, _addr = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with self._lock:
                self.connections += 1
                self._clients.append(client)
            thread = threading.Thread(target=self._serve_safely, args=(client,), daemon=True)
            thread.start()
            with self._lock:
                self._threads.append(thread)

    def _serve_safely(self, client: socket.socket) -> None:
        opened = [client]
        try:
            client.settimeout(30)
            self.serve(client, opened)
        except OSError:
            pass
        finally:
            for sock in reversed(opened):
                with contextlib.suppress(OSError):
                    sock.close()

    def serve(self, client: socket.socket, opened: list[socket.socket]) -> None:
        """Talk to one client; sockets appended to ``opened`` are closed afterwards."""
        raise NotImplementedError

    def stop(self) -> None:
        self._stopping.set()
        if self._sock is not None:
            self._sock.close()
        with self._lock:
            clients, threads = list(self._clients), list(self._threads)
        for client in clients:
            with contextlib.suppress(OSError):
                client.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                client.close()
        for thread in threads:
            thread.join(timeout=5)

    def __enter__(self) -> _ThreadedServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class SilentServer(_ThreadedServer):
    """Accepts TCP connections and never sends a byte (until stopped)."""

    def serve(self, client: socket.socket, opened: list[socket.socket]) -> None:
        self._stopping.wait()


class ClosingServer(_ThreadedServer):
    """Accepts TCP connections and closes them immediately."""

    def serve(self, client: socket.socket, opened: list[socket.socket]) -> None:
        return


class TlsEdgeServer(_ThreadedServer):
    """A minimal IMAP or SMTP greeter that handshakes with a chosen SSL context.

    Args:
        protocol: ``imap`` or ``smtp``.
        context: the server-side SSL context (certificate, versions, ciphers).
        implicit: handshake right after accept (IMAPS/submissions) instead of STARTTLS.
        name: label for error messages.
    """

    def __init__(
        self, protocol: str, context: ssl.SSLContext, *, implicit: bool = False, name: str = ""
    ) -> None:
        super().__init__()
        if protocol not in ("imap", "smtp"):
            raise ValueError(protocol)
        self.protocol = protocol
        self.context = context
        self.implicit = implicit
        self.name = name
        self.handshakes: list[HandshakeRecord] = []
        self.commands_after_tls: list[str] = []
        self.cert: CertFiles | None = None
        self.crl_url: str | None = None

    # -- line I/O ------------------------------------------------------------------------
    @staticmethod
    def _send(sock: socket.socket, text: str) -> None:
        sock.sendall(text.encode() + b"\r\n")

    @staticmethod
    def _readline(sock: socket.socket) -> str | None:
        data = bytearray()
        while not data.endswith(b"\n"):
            chunk = sock.recv(1)
            if not chunk:
                return None
            data += chunk
            if len(data) > 8192:
                return None
        return data.decode("utf-8", "replace").rstrip("\r\n")

    def _handshake(self, sock: socket.socket, opened: list[socket.socket]) -> ssl.SSLSocket | None:
        try:
            tls = self.context.wrap_socket(sock, server_side=True)
            opened.append(tls)
        except (ssl.SSLError, OSError) as exc:
            with self._lock:
                self.handshakes.append(HandshakeRecord(False, f"{type(exc).__name__}: {exc}"))
            return None
        cipher = tls.cipher()
        with self._lock:
            self.handshakes.append(
                HandshakeRecord(True, None, tls.version(), cipher[0] if cipher else None)
            )
        return tls

    # -- protocols -----------------------------------------------------------------------
    def serve(self, client: socket.socket, opened: list[socket.socket]) -> None:
        sock: socket.socket = client
        if self.implicit:
            tls = self._handshake(client, opened)
            if tls is None:
                return
            sock = tls
        if self.protocol == "imap":
            self._imap(sock, opened, tls_active=self.implicit)
        else:
            self._smtp(sock, opened, tls_active=self.implicit)

    def _imap(self, sock: socket.socket, opened: list[socket.socket], *, tls_active: bool) -> None:
        def caps(active: bool) -> str:
            return "IMAP4rev1 AUTH=PLAIN" if active else "IMAP4rev1 STARTTLS LOGINDISABLED"

        self._send(sock, f"* OK [CAPABILITY {caps(tls_active)}] Pli TLS edge server ready")
        while (line := self._readline(sock)) is not None:
            tag, _, rest = line.partition(" ")
            command = rest.split(" ", 1)[0].upper()
            if tls_active:
                with self._lock:
                    self.commands_after_tls.append(command)
            if command == "CAPABILITY":
                self._send(sock, f"* CAPABILITY {caps(tls_active)}")
                self._send(sock, f"{tag} OK CAPABILITY completed")
            elif command == "STARTTLS" and not tls_active:
                self._send(sock, f"{tag} OK Begin TLS negotiation now")
                tls = self._handshake(sock, opened)
                if tls is None:
                    return
                sock, tls_active = tls, True
            elif command == "NOOP":
                self._send(sock, f"{tag} OK NOOP completed")
            elif command == "LOGOUT":
                self._send(sock, "* BYE Logging out")
                self._send(sock, f"{tag} OK LOGOUT completed")
                return
            elif command in ("LOGIN", "AUTHENTICATE"):
                self._send(sock, f"{tag} NO [AUTHENTICATIONFAILED] TLS edge server refuses logins")
            else:
                self._send(sock, f"{tag} BAD Unsupported command")

    def _smtp(self, sock: socket.socket, opened: list[socket.socket], *, tls_active: bool) -> None:
        self._send(sock, "220 edge.pli-test ESMTP Pli TLS edge server")
        while (line := self._readline(sock)) is not None:
            command = line.split(" ", 1)[0].upper()
            if tls_active:
                with self._lock:
                    self.commands_after_tls.append(command)
            if command in ("EHLO", "HELO"):
                if tls_active:
                    self._send(sock, "250-edge.pli-test\r\n250-AUTH PLAIN LOGIN\r\n250 8BITMIME")
                else:
                    self._send(sock, "250-edge.pli-test\r\n250-STARTTLS\r\n250 8BITMIME")
            elif command == "STARTTLS" and not tls_active:
                self._send(sock, "220 2.0.0 Ready to start TLS")
                tls = self._handshake(sock, opened)
                if tls is None:
                    return
                sock, tls_active = tls, True
            elif command == "NOOP":
                self._send(sock, "250 2.0.0 Ok")
            elif command == "QUIT":
                self._send(sock, "221 2.0.0 Bye")
                return
            elif command == "AUTH":
                self._send(sock, "535 5.7.8 TLS edge server refuses logins")
            else:
                self._send(sock, "502 5.5.2 Command not implemented")

    # -- presets -------------------------------------------------------------------------
    @classmethod
    def preset(
        cls,
        name: str,
        pki: TestPki,
        *,
        protocol: str = "imap",
        implicit: bool = False,
        crl_server: HttpFileServer | None = None,
    ) -> TlsEdgeServer:
        """A server for one of :data:`PRESETS` (not started).

        ``revoked`` needs a started ``crl_server``: the CRL (DER at ``/crl/<name>.crl`` and PEM
        at ``/crl/<name>.crl.pem``) is published there and its URL put in the certificate.
        """
        makers: dict[str, Callable[[], tuple[ssl.SSLContext, CertFiles]]] = {
            "good": lambda: (_modern(pki.server), pki.server),
            "tls11": lambda: _tls11(pki.server),
            "weak_cipher": lambda: _weak(pki.server),
            "expired": lambda: _cert(pki.expired_server_cert()),
            "not_yet_valid": lambda: _cert(pki.not_yet_valid_server_cert()),
            "wrong_host": lambda: _cert(pki.wrong_host_server_cert()),
            "self_signed": lambda: _cert(pki.self_signed_server_cert()),
        }
        crl_url = None
        if name == "revoked":
            if crl_server is None:
                raise ValueError("the revoked preset needs a started HttpFileServer")
            crl_url = crl_server.url("/crl/intermediate.crl")
            cert = pki.revoked_server_cert(crl_url)
            crl_server.set("/crl/intermediate.crl", pki.crl_der(), "application/pkix-crl")
            crl_server.set("/crl/intermediate.crl.pem", pki.crl_pem(), "application/x-pem-file")
            context = _modern(cert)
        elif name in makers:
            context, cert = makers[name]()
        else:
            raise ValueError(f"unknown preset {name!r}; known: {PRESETS}")
        server = cls(protocol, context, implicit=implicit, name=name)
        server.cert = cert
        server.crl_url = crl_url
        return server


def _modern(cert: CertFiles) -> ssl.SSLContext:
    return cert.server_context(ciphers=MSSANTE_TLS12_CIPHERS)


def _cert(cert: CertFiles) -> tuple[ssl.SSLContext, CertFiles]:
    return _modern(cert), cert


def _tls11(cert: CertFiles) -> tuple[ssl.SSLContext, CertFiles]:
    # OpenSSL 3 refuses TLS 1.1 at the default security level (SHA-1 based PRF/signatures).
    ctx = legacy_context(
        server=True, version=ssl.TLSVersion.TLSv1_1, ciphers="DEFAULT:@SECLEVEL=0", cert=cert
    )
    return ctx, cert


def _weak(cert: CertFiles) -> tuple[ssl.SSLContext, CertFiles]:
    # Static RSA key exchange (no forward secrecy): not one of the four ECDHE-RSA suites.
    ctx = legacy_context(
        server=True, version=ssl.TLSVersion.TLSv1_2, ciphers="AES256-GCM-SHA384", cert=cert
    )
    return ctx, cert
