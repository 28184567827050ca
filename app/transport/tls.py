"""The TLS policy of MSSanté (spec §2) and the classification of TLS failures.

- TLS 1.2 minimum (ECO.1.1.1); TLS 1.3 allowed unless turned off (not mentioned, (?)).
- TLS 1.2 limited to the four allowed ECDHE-RSA suites (ECO.1.1.3), configurable.
- Server certificates checked against a configurable trust store, the IGC-Santé certificates
  by default (ECO.1.1.5), with host name, validity dates and revocation (ECO.1.1.6–1.1.10,
  see `app.transport.revocation`).
- An optional client certificate (applicative mailboxes), PEM or PKCS#12.
"""

from __future__ import annotations

import os
import secrets
import ssl
import tempfile
from dataclasses import dataclass
from pathlib import Path

from app.config.settings import MSSANTE_TLS12_CIPHERS
from app.domain.errors import TlsError, ValidationError


@dataclass(frozen=True)
class ClientCertificate:
    """A client certificate and its private key, in memory (PEM bytes)."""

    certificate_pem: bytes
    key_pem: bytes
    chain_pem: bytes = b""

    @classmethod
    def load(cls, data: bytes, password: str | None = None) -> ClientCertificate:
        """Read a PEM (certificate + key) or PKCS#12 file's bytes.

        Raises:
            ValidationError: ``client_cert.unreadable``, ``client_cert.wrong_password`` or
                ``client_cert.no_key``.
        """
        # cryptography's x509 is imported here, on use: most commands load no certificate.
        from cryptography import x509
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.serialization import pkcs12

        secret = password.encode("utf-8") if password else None
        if b"-----BEGIN" in data:
            try:
                certs = x509.load_pem_x509_certificates(data)
            except ValueError as error:
                raise ValidationError("client_cert.unreadable") from error
            key_start = data.find(b"-----BEGIN", data.find(b"PRIVATE KEY-----") - 40)
            if b"PRIVATE KEY-----" not in data or key_start < 0:
                raise ValidationError("client_cert.no_key")
            try:
                key = serialization.load_pem_private_key(data[key_start:], password=secret)
            except TypeError as error:  # encrypted key and no password, or the reverse
                raise ValidationError("client_cert.wrong_password") from error
            except ValueError as error:
                raise ValidationError("client_cert.wrong_password") from error
            leaf, chain = certs[0], certs[1:]
        else:
            try:
                p12_key, leaf_or_none, chain = pkcs12.load_key_and_certificates(data, secret)
            except ValueError as error:
                raise ValidationError("client_cert.wrong_password") from error
            if p12_key is None or leaf_or_none is None:
                raise ValidationError("client_cert.no_key")
            key, leaf = p12_key, leaf_or_none
        return cls(
            certificate_pem=leaf.public_bytes(serialization.Encoding.PEM),
            key_pem=key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            ),
            chain_pem=b"".join(c.public_bytes(serialization.Encoding.PEM) for c in chain),
        )


@dataclass(frozen=True)
class TlsPolicy:
    """Everything that decides whether a TLS connection is acceptable."""

    ca_file: Path
    allow_tls13: bool = True
    tls12_ciphers: tuple[str, ...] = MSSANTE_TLS12_CIPHERS
    client_certificate: ClientCertificate | None = None


def make_context(policy: TlsPolicy) -> ssl.SSLContext:
    """An `ssl.SSLContext` enforcing the policy (host name checked, certificate required)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.maximum_version = (
        ssl.TLSVersion.TLSv1_3 if policy.allow_tls13 else ssl.TLSVersion.TLSv1_2
    )
    try:
        # Applies to TLS 1.2 and below; TLS 1.3 suites are all AEAD and keep OpenSSL's defaults.
        context.set_ciphers(":".join(policy.tls12_ciphers))
    except ssl.SSLError as error:
        raise ValidationError("tls.bad_cipher_setting") from error
    context.check_hostname = True
    context.verify_mode = ssl.CERT_REQUIRED
    context.options |= ssl.OP_NO_COMPRESSION | ssl.OP_NO_RENEGOTIATION
    try:
        context.load_verify_locations(cafile=str(policy.ca_file))
    except (OSError, ssl.SSLError) as error:
        raise ValidationError("tls.trust_store_unreadable", path=str(policy.ca_file)) from error
    if policy.client_certificate is not None:
        _load_client_certificate(context, policy.client_certificate)
    return context


def _load_client_certificate(context: ssl.SSLContext, cert: ClientCertificate) -> None:
    """`load_cert_chain` only reads files: write the key encrypted under a one-time password.

    The private key never touches the disk in clear; the temporary file is removed at once.
    """
    from cryptography.hazmat.primitives import serialization

    one_time = secrets.token_urlsafe(32)
    key = serialization.load_pem_private_key(cert.key_pem, password=None)
    encrypted = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(one_time.encode("ascii")),
    )
    fd, name = tempfile.mkstemp(prefix="pli-cc-", suffix=".pem")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(cert.certificate_pem + cert.chain_pem + encrypted)
        context.load_cert_chain(name, password=one_time)
    except ssl.SSLError as error:
        raise ValidationError("client_cert.unreadable") from error
    finally:
        Path(name).unlink(missing_ok=True)


# OpenSSL verification codes (x509_vfy.h) -> our reasons.
_VERIFY_CODES = {
    9: "tls.not_yet_valid",
    10: "tls.expired",
    18: "tls.self_signed",
    19: "tls.untrusted",
    20: "tls.untrusted",
    21: "tls.untrusted",
    23: "tls.revoked",
    62: "tls.wrong_host",
    64: "tls.wrong_host",
}

_PROTOCOL_REASONS = (
    "UNSUPPORTED_PROTOCOL",
    "TLSV1_ALERT_PROTOCOL_VERSION",
    "NO_PROTOCOLS_AVAILABLE",
    "VERSION_TOO_LOW",
    "UNKNOWN_PROTOCOL",
)
_CIPHER_REASONS = (
    "SSLV3_ALERT_HANDSHAKE_FAILURE",
    "NO_SHARED_CIPHER",
    "NO_CIPHERS_AVAILABLE",
    "NO_SUITABLE_SIGNATURE_ALGORITHM",
)


def classify_ssl_error(error: ssl.SSLError, host: str, port: int) -> TlsError:
    """Turn an `ssl` failure into a `TlsError` whose code says why the channel was refused."""
    if isinstance(error, ssl.SSLCertVerificationError):
        code = _VERIFY_CODES.get(error.verify_code or -1, "tls.certificate_refused")
        return TlsError(code, host=host, port=port, detail=error.verify_message or "")
    reason = (getattr(error, "reason", None) or "").upper()
    text = str(error).upper()
    if reason == "WRONG_VERSION_NUMBER" or "WRONG_VERSION_NUMBER" in text:
        return TlsError("tls.not_tls", host=host, port=port)
    if any(r == reason or r in text for r in _PROTOCOL_REASONS):
        return TlsError("tls.protocol_refused", host=host, port=port)
    if any(r == reason or r in text for r in _CIPHER_REASONS):
        return TlsError("tls.cipher_refused", host=host, port=port)
    if "CERTIFICATE_REQUIRED" in text or "BAD_CERTIFICATE" in text:
        return TlsError("tls.client_certificate_refused", host=host, port=port)
    return TlsError("tls.handshake_failed", host=host, port=port, detail=reason or text[:80])


def peer_chain_der(sock: ssl.SSLSocket) -> list[bytes]:
    """The verified chain the server presented, leaf first (DER).

    Python 3.13 exposes it publicly; 3.11 and 3.12 have it on the C object only. When neither
    is available, only the leaf is returned and the issuer is looked up in the trust store.
    """
    public = getattr(sock, "get_verified_chain", None)
    if public is not None:
        return [bytes(c) for c in public()]
    inner = getattr(sock, "_sslobj", None)
    getter = getattr(inner, "get_verified_chain", None)
    if getter is not None:
        chain = getter()
        if chain:
            return [c.public_bytes(ssl._ssl.ENCODING_DER) for c in chain]  # type: ignore[attr-defined]
    leaf = sock.getpeercert(binary_form=True)
    return [leaf] if leaf else []
