"""The TLS policy of MSSanté (spec §2) at connection time: each refusal with its reason.

The servers are scripted IMAP greeters that really handshake (tests/servers/tls_edge.py):
TLS 1.1 only, a suite outside the four allowed ones, expired, not yet valid, wrong host,
self-signed, revoked. No credential may leave Pli on a refused channel.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from pathlib import Path

import pytest

from tests.servers.tls_edge import TlsEdgeServer
from tests.support.cli import Pli

pytestmark = pytest.mark.integration

EXPECTED = {
    "tls11": "only offers a TLS version older than 1.2",
    "weak_cipher": "offers no allowed TLS cipher suite",
    "expired": "has expired",
    "not_yet_valid": "is not valid yet",
    "wrong_host": "is not for",
    "self_signed": "is self-signed",
    "revoked": "has been revoked",
}


def add(pli: Pli, server: TlsEdgeServer, ca: Path, *, implicit: bool = False) -> None:
    pli(
        "account",
        "add",
        "edge",
        "--address",
        "praticien@edge.mssante.fr",
        "--imap",
        f"{server.host}:{server.port}",
        "--smtp",
        f"{server.host}:1",
        "--security",
        "tls" if implicit else "starttls",
        "--ca-file",
        str(ca),
        "--password-stdin",
        stdin="mot-de-passe\n",
    ).ok()


def settings(pli: Pli, **tls: object) -> None:
    pli.profile.mkdir(parents=True, exist_ok=True)
    (pli.profile / "settings.json").write_text(json.dumps({"tls": tls}))


@pytest.mark.parametrize("preset", sorted(EXPECTED))
@pytest.mark.parametrize("implicit", [False, True], ids=["starttls", "implicit"])
def test_refused_channels_say_why_and_send_nothing(
    preset: str, implicit: bool, tmp_path: Path, pki, tls_edge_factory
) -> None:
    server = tls_edge_factory(preset, implicit=implicit)
    pli = Pli(tmp_path / "profile")
    add(pli, server, pki.ca_bundle, implicit=implicit)
    result = pli("sync")
    assert result.code == 7, result.err
    assert EXPECTED[preset] in result.err
    assert "LOGIN" not in server.commands_after_tls
    assert "AUTHENTICATE" not in server.commands_after_tls
    audit = pli("audit", "--action", "session.login", "--json").ok().json()["entries"]
    assert audit[-1]["outcome"].startswith("error:tls.")


def test_an_acceptable_server_gets_the_login(tmp_path: Path, pki, tls_edge_factory) -> None:
    """The control case: same greeter, good certificate and suite: the login is sent."""
    server = tls_edge_factory("good")
    pli = Pli(tmp_path / "profile")
    add(pli, server, pki.ca_bundle)
    result = pli("sync")
    assert result.code == 5  # the edge server refuses every login: TLS itself was accepted
    assert "LOGIN" in server.commands_after_tls
    record = next(h for h in server.handshakes if h.ok)
    assert record.version in ("TLSv1.2", "TLSv1.3")


def test_tls13_can_be_turned_off_and_then_only_the_four_suites_remain(
    tmp_path: Path, pki, tls_edge_factory
) -> None:
    server = tls_edge_factory("good")
    pli = Pli(tmp_path / "profile")
    settings(pli, allow_tls13=False)
    add(pli, server, pki.ca_bundle)
    pli("sync")
    record = next(h for h in server.handshakes if h.ok)
    assert record.version == "TLSv1.2"
    assert record.cipher in (
        "ECDHE-RSA-AES256-GCM-SHA384",
        "ECDHE-RSA-AES128-GCM-SHA256",
        "ECDHE-RSA-AES256-SHA384",
        "ECDHE-RSA-AES128-SHA256",
    )


def test_the_default_trust_store_is_igc_sante_so_a_test_ca_is_refused(
    tmp_path: Path, tls_edge_factory
) -> None:
    server = tls_edge_factory("good")
    pli = Pli(tmp_path / "profile")
    pli(
        "account",
        "add",
        "edge",
        "--address",
        "praticien@edge.mssante.fr",
        "--imap",
        f"{server.host}:{server.port}",
        "--smtp",
        "127.0.0.1:1",
        "--password-stdin",
        stdin="x\n",
    ).ok()
    result = pli("sync")
    assert result.code == 7
    assert "does not chain to a trusted authority" in result.err


class CrlServer:
    """A server whose certificate names a CRL at a path of its own."""

    def __init__(self, pki, http_files, name: str) -> None:
        self.pki = pki
        self.http = http_files
        self.path = f"/crl/{name}-{secrets.token_hex(4)}.crl"
        self.url = http_files.url(self.path)
        self.cert = pki.server_cert(f"{name}-{secrets.token_hex(3)}", crl_url=self.url)

    def publish(self, **crl_kwargs: object) -> None:
        self.http.set(self.path, self.pki.crl_der(**crl_kwargs), "application/pkix-crl")

    def requests(self) -> int:
        return sum(1 for r in self.http.requests if r.path == self.path)


def edge_with(cert) -> TlsEdgeServer:
    from tests.servers.tls_edge import _modern

    return TlsEdgeServer("imap", _modern(cert), name="crl").start()


def test_revocation_unknown_is_tolerated_by_default_and_refused_when_required(
    tmp_path: Path, pki, http_files
) -> None:
    crl = CrlServer(pki, http_files, "unreachable")  # nothing published: 404
    server = edge_with(crl.cert)
    try:
        lenient = Pli(tmp_path / "lenient")
        add(lenient, server, pki.ca_bundle)
        assert lenient("sync").code == 5  # channel accepted, login refused by the greeter
        strict = Pli(tmp_path / "strict")
        settings(strict, revocation="require")
        add(strict, server, pki.ca_bundle)
        result = strict("sync")
        assert result.code == 7
        assert "could not be checked" in result.err
    finally:
        server.stop()


def test_the_last_valid_crl_is_kept_and_a_new_revocation_is_seen(
    tmp_path: Path, pki, http_files
) -> None:
    crl = CrlServer(pki, http_files, "kept")
    crl.publish(next_update=dt.datetime.now(dt.UTC) + dt.timedelta(days=1))
    server = edge_with(crl.cert)
    try:
        pli = Pli(tmp_path / "profile")
        settings(pli, revocation="require")
        add(pli, server, pki.ca_bundle)
        assert pli("sync").code == 5
        assert crl.requests() == 1
        # The CRL is still valid: no new download, and the server being down does not matter.
        http_files.remove(crl.path)
        assert pli("sync").code == 5
        assert crl.requests() == 1
        assert len(list((pli.profile / "crl").iterdir())) == 1
        # A newer CRL revoking the certificate, once the cached one is past its nextUpdate.
        cache = next((pli.profile / "crl").iterdir())
        cache.write_bytes(
            pki.crl_der(
                next_update=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1),
                this_update=dt.datetime.now(dt.UTC) - dt.timedelta(hours=2),
                revoked=[],
            )
        )
        # Stale cached CRL and the publisher unreachable: the last valid CRL is used.
        assert pli("sync").code == 5
        pki.revoke(crl.cert.serial)
        crl.publish()
        result = pli("sync")
        assert result.code == 7
        assert "has been revoked" in result.err
    finally:
        server.stop()


def test_a_tampered_crl_is_not_believed(tmp_path: Path, pki, http_files) -> None:
    crl = CrlServer(pki, http_files, "tampered")
    # Signed by the root, not by the certificate's issuer: signature check must fail.
    http_files.set(crl.path, pki.crl_der(issuer=pki.root, revoked=[]), "application/pkix-crl")
    server = edge_with(crl.cert)
    try:
        pli = Pli(tmp_path / "profile")
        settings(pli, revocation="require")
        add(pli, server, pki.ca_bundle)
        result = pli("sync")
        assert result.code == 7
        assert "could not be checked" in result.err
    finally:
        server.stop()


def test_plaintext_servers_and_dead_ports_are_reported(tmp_path: Path, pki) -> None:
    from tests.servers.tls_edge import ClosingServer, SilentServer

    closing = ClosingServer().start()
    silent = SilentServer().start()
    try:
        pli = Pli(tmp_path / "closing")
        add(pli, closing, pki.ca_bundle)  # type: ignore[arg-type]
        result = pli("sync")
        assert result.code == 6
        settings_silent = Pli(tmp_path / "silent")
        settings(settings_silent, connect_timeout=1.0, read_timeout=1.0)
        add(settings_silent, silent, pki.ca_bundle)  # type: ignore[arg-type]
        result = settings_silent("sync")
        assert result.code == 6
        assert "did not answer in time" in result.err
    finally:
        closing.stop()
        silent.stop()


def test_a_server_without_starttls_gets_nothing_in_clear(tmp_path: Path, pki) -> None:
    """No silent downgrade: a greeter that does not offer STARTTLS is left at once."""
    import socket
    import threading

    received: list[str] = []
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def serve() -> None:
        conn, _ = listener.accept()
        with conn:
            conn.sendall(b"* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] no TLS here\r\n")
            conn.settimeout(5)
            data = b""
            try:
                while chunk := conn.recv(4096):
                    data += chunk
                    for line in data.split(b"\r\n")[:-1]:
                        received.append(line.decode())
                        tag = line.split(b" ", 1)[0]
                        if b"CAPABILITY" in line.upper():
                            conn.sendall(
                                b"* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n" + tag + b" OK done\r\n"
                            )
                        else:
                            conn.sendall(tag + b" OK whatever\r\n")
                    data = data.split(b"\r\n")[-1]
            except OSError:
                pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        pli = Pli(tmp_path / "profile")
        pli(
            "account",
            "add",
            "plain",
            "--address",
            "praticien@edge.mssante.fr",
            "--imap",
            f"127.0.0.1:{port}",
            "--smtp",
            "127.0.0.1:1",
            "--ca-file",
            str(pki.ca_bundle),
            "--password-stdin",
            stdin="secret-en-clair\n",
        ).ok()
        result = pli("sync")
        assert result.code == 7
        assert "does not offer STARTTLS" in result.err
        thread.join(timeout=5)
        assert not any("LOGIN" in line.upper() or "secret" in line for line in received)
    finally:
        listener.close()


def _client_cert_server(pki) -> TlsEdgeServer:
    import ssl

    from tests.servers.tls_edge import _modern

    context = _modern(pki.server)
    context.verify_mode = ssl.CERT_REQUIRED
    context.load_verify_locations(cafile=str(pki.ca_bundle))
    return TlsEdgeServer("imap", context, name="client-cert").start()


@pytest.mark.parametrize("form", ["pkcs12", "pem"])
def test_client_certificate_for_an_applicative_mailbox(
    form: str, tmp_path: Path, pki, monkeypatch
) -> None:
    server = _client_cert_server(pki)
    cert = pki.client_cert(f"app-box-{form}-{secrets.token_hex(3)}")
    try:
        without = Pli(tmp_path / "without")
        add(without, server, pki.ca_bundle)
        result = without("sync")
        assert result.code in (6, 7)  # the server closes the handshake: no login sent
        assert "LOGIN" not in server.commands_after_tls

        with_cert = Pli(tmp_path / "with")
        if form == "pkcs12":
            monkeypatch.setenv("PLI_CLIENT_CERT_PASSWORD", cert.p12_password)
            source = cert.p12
        else:
            source = tmp_path / "client.pem"
            source.write_bytes(cert.cert.read_bytes() + cert.key.read_bytes())
        with_cert(
            "account",
            "add",
            "app",
            "--address",
            "logiciel@edge.mssante.fr",
            "--imap",
            f"{server.host}:{server.port}",
            "--smtp",
            "127.0.0.1:1",
            "--box-type",
            "APP",
            "--ca-file",
            str(pki.ca_bundle),
            "--client-cert",
            str(source),
            "--password-stdin",
            stdin="x\n",
        ).ok()
        assert with_cert("sync").code == 5  # channel accepted with the certificate
        assert "LOGIN" in server.commands_after_tls
        # The private key is kept inside the encrypted archive only.
        key_marker = cert.key.read_bytes().splitlines()[1]
        for path in with_cert.profile.rglob("*"):
            if path.is_file():
                assert key_marker not in path.read_bytes()
    finally:
        server.stop()


def test_a_wrong_client_certificate_password_is_explained(tmp_path: Path, pki, monkeypatch) -> None:
    cert = pki.client_cert(f"wrong-pw-{secrets.token_hex(3)}")
    monkeypatch.setenv("PLI_CLIENT_CERT_PASSWORD", "pas le bon")
    pli = Pli(tmp_path / "profile")
    result = pli(
        "account",
        "add",
        "app",
        "--address",
        "logiciel@edge.mssante.fr",
        "--imap",
        "127.0.0.1:1",
        "--smtp",
        "127.0.0.1:1",
        "--client-cert",
        str(cert.p12),
        "--password-stdin",
        stdin="x\n",
    )
    assert result.code == 3
    assert "password is wrong" in result.err
