"""The demo mailbox's own certificates: a demo CA, a server certificate and a CRL.

Made at the first start, kept in the profile's demo folder, and trusted by the demo account
only (its ``ca_file``): no other account ever sees the demo CA. The key is RSA because the
MSSanté TLS 1.2 suites are ECDHE-RSA (ECO.1.1.3). The server certificate names a CRL
distribution point under the reserved ``.invalid`` domain; its CRL, signed by the demo CA, is
written into the profile's CRL cache under the name the revocation checker looks for, so the
check succeeds even with ``revocation = "require"`` and nothing is ever fetched.

Blocking (key generation, files): run on a worker thread.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

#: Where the server certificate says its CRL is. Never fetched: the CRL is pre-seeded in the
#: profile's CRL cache (see `write_crl`), and `.invalid` can never resolve (RFC 2606).
CRL_URL = "http://crl.pli-demo.invalid/demo-ca.crl"
SERVER_HOSTS = ("127.0.0.1", "localhost")
CA_NAME = "Pli - AC de demonstration (ne pas utiliser hors de la demo)"

_CA_DAYS = 3650
_SERVER_DAYS = 825
_CRL_DAYS = 30
_RENEW_BEFORE = dt.timedelta(days=30)


#: A CA's key usage: signs certificates and CRLs only.
CA_KEY_USAGE = x509.KeyUsage(
    digital_signature=False,
    content_commitment=False,
    key_encipherment=False,
    data_encipherment=False,
    key_agreement=False,
    key_cert_sign=True,
    crl_sign=True,
    encipher_only=False,
    decipher_only=False,
)
#: A TLS leaf's key usage (RSA: signature and key encipherment).
TLS_KEY_USAGE = x509.KeyUsage(
    digital_signature=True,
    content_commitment=False,
    key_encipherment=True,
    data_encipherment=False,
    key_agreement=False,
    key_cert_sign=False,
    crl_sign=False,
    encipher_only=False,
    decipher_only=False,
)


def alt_names(hosts: Iterable[str]) -> list[x509.GeneralName]:
    """Subject alternative names for `hosts`: an IP address entry for an address, else DNS."""
    names: list[x509.GeneralName] = []
    for host in hosts:
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            names.append(x509.DNSName(host))
    return names


def crl_distribution_points(url: str) -> x509.CRLDistributionPoints:
    """The extension naming `url` as where the certificate's CRL is."""
    return x509.CRLDistributionPoints(
        [
            x509.DistributionPoint(
                full_name=[x509.UniformResourceIdentifier(url)],
                relative_name=None,
                reasons=None,
                crl_issuer=None,
            )
        ]
    )


@dataclass(frozen=True)
class DemoPki:
    """The demo's certificate files."""

    ca_file: Path  # the demo CA certificate (PEM): the demo account's trust store
    cert_file: Path  # the server certificate (PEM)
    key_file: Path  # the server key (PEM, clear: it protects fictional data on loopback only)


def ensure_pki(folder: Path, crl_cache_dir: Path) -> DemoPki:
    """Create (or renew when near expiry) the demo CA and server certificate; refresh the CRL."""
    folder.mkdir(parents=True, exist_ok=True)
    ca_cert_path, ca_key_path = folder / "ca.pem", folder / "ca-key.pem"
    cert_path, key_path = folder / "server.pem", folder / "server-key.pem"
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    ca = _load(ca_cert_path, ca_key_path)
    if ca is None or ca[0].not_valid_after_utc - now < _RENEW_BEFORE:
        ca = _make_ca(now)
        _write(ca_cert_path, ca_key_path, *ca)
        cert_path.unlink(missing_ok=True)
    ca_cert, ca_key = ca
    server = _load(cert_path, key_path)
    if server is None or server[0].not_valid_after_utc - now < _RENEW_BEFORE:
        server = _make_server(now, ca_cert, ca_key)
        _write(cert_path, key_path, *server)
    write_crl(crl_cache_dir, ca_cert, ca_key, now)
    return DemoPki(ca_file=ca_cert_path, cert_file=cert_path, key_file=key_path)


def crl_cache_path(crl_cache_dir: Path, url: str = CRL_URL) -> Path:
    """The file `app.transport.revocation.RevocationChecker` reads for `url`'s CRL."""
    return crl_cache_dir / (hashlib.sha256(url.encode("utf-8")).hexdigest() + ".crl")


def write_crl(
    crl_cache_dir: Path, ca_cert: x509.Certificate, ca_key: rsa.RSAPrivateKey, now: dt.datetime
) -> None:
    """An empty CRL of the demo CA, valid for a month, where the revocation checker finds it."""
    crl = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(ca_cert.subject)
        .last_update(now - dt.timedelta(minutes=5))
        .next_update(now + dt.timedelta(days=_CRL_DAYS))
        .add_extension(x509.CRLNumber(int(now.timestamp())), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    crl_cache_dir.mkdir(parents=True, exist_ok=True)
    path = crl_cache_path(crl_cache_dir)
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(crl.public_bytes(serialization.Encoding.DER))
    tmp.replace(path)


def _name(cn: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "FR"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Pli (demonstration)"),
            x509.NameAttribute(NameOID.COMMON_NAME, cn),
        ]
    )


def _make_ca(now: dt.datetime) -> tuple[x509.Certificate, rsa.RSAPrivateKey]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = _name(CA_NAME)
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=_CA_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(CA_KEY_USAGE, critical=True)
        .add_extension(ski, critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski), critical=False
        )
        .sign(key, hashes.SHA256())
    )
    return cert, key


def _make_server(
    now: dt.datetime, ca_cert: x509.Certificate, ca_key: rsa.RSAPrivateKey
) -> tuple[x509.Certificate, rsa.RSAPrivateKey]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca_ski = ca_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name("Serveur de demonstration Pli"))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=_SERVER_DAYS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(TLS_KEY_USAGE, critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectAlternativeName(alt_names(SERVER_HOSTS)), critical=False)
        .add_extension(crl_distribution_points(CRL_URL), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    return cert, key


def _load(cert_path: Path, key_path: Path) -> tuple[x509.Certificate, rsa.RSAPrivateKey] | None:
    try:
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        key = serialization.load_pem_private_key(
            key_path.read_bytes(), password=None, unsafe_skip_rsa_key_validation=True
        )
    except (OSError, ValueError):
        return None
    if not isinstance(key, rsa.RSAPrivateKey):
        return None
    return cert, key


def _write(cert_path: Path, key_path: Path, cert: x509.Certificate, key: rsa.RSAPrivateKey) -> None:
    key_bytes = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    _atomic(key_path, key_bytes, private=True)
    _atomic(cert_path, cert.public_bytes(serialization.Encoding.PEM))


def _atomic(path: Path, data: bytes, *, private: bool = False) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_bytes(data)
    if private and os.name == "posix":
        tmp.chmod(0o600)
    tmp.replace(path)
