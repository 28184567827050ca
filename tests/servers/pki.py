"""A throwaway test PKI modelled on IGC-Santé, built with `cryptography`.

MSSanté servers present certificates from the state health PKI (IGC-Santé), whose roots are not
in public trust stores (MSSANTE.md §2, ECO.1.1.5–1.1.7): Pli pins its own trust store and checks
expiry and revocation. The tests therefore need their own root + intermediate, server
certificates (good and deliberately bad ones), client certificates and CRLs. Keys are RSA because
the allowed MSSanté suites are ECDHE-RSA (ECO.1.1.3).

Everything is written as PEM files into one folder; each object exposes the paths a server or a
client needs. Leaf certificates share one RSA key by default (generation is the slow part and no
test depends on distinct leaf keys); pass ``fresh_key=True`` when a test does.
"""

from __future__ import annotations

import datetime as dt
import ssl
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from app.services.demo.pki import CA_KEY_USAGE, TLS_KEY_USAGE, alt_names, crl_distribution_points

ROOT_CN = "TEST AC RACINE IGC-SANTE ELEMENTAIRE"
INTERMEDIATE_CN = "TEST AC IGC-SANTE ELEMENTAIRE ORGANISATIONS"
ORGANISATION = "TEST AGENCE DU NUMERIQUE EN SANTE"
# 127.0.0.2 is where the Dovecot fixture listens (see tests/servers/dovecot.py for why).
DEFAULT_HOSTS = ("localhost", "127.0.0.1", "127.0.0.2")
DEFAULT_P12_PASSWORD = "pli-test-p12"  # a test secret, never a real one
# The only TLS 1.2 suites MSSanté allows (ECO.1.1.3).
MSSANTE_TLS12_CIPHERS = (
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-RSA-AES256-SHA384:ECDHE-RSA-AES128-SHA256"
)

_PEM = serialization.Encoding.PEM


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def _name(cn: str, *, ou: str | None = "TEST IGC-SANTE", org: str = ORGANISATION) -> x509.Name:
    attrs = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "FR"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, org),
    ]
    if ou:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, ou))
    attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, cn))
    return x509.Name(attrs)


def _new_key(bits: int = 2048) -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def _key_pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        _PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
    )


def _san(hosts: Iterable[str]) -> x509.SubjectAlternativeName:
    return x509.SubjectAlternativeName(alt_names(hosts))


@dataclass(frozen=True)
class CertFiles:
    """One certificate and its key, as files.

    Attributes:
        name: short label (also the file stem).
        cert: the certificate alone (PEM).
        key: its private key (PEM, unencrypted).
        chain: the certificate followed by its issuing CA(s), what a server presents (PEM).
        certificate: the parsed certificate.
        private_key: the key object.
        issuer: the issuing CA (``None`` for a self-signed certificate).
    """

    name: str
    cert: Path
    key: Path
    chain: Path
    certificate: x509.Certificate
    private_key: rsa.RSAPrivateKey = field(repr=False)
    issuer: CertFiles | None = field(default=None, repr=False)

    @property
    def serial(self) -> int:
        """The certificate's serial number (what a CRL lists)."""
        return self.certificate.serial_number

    def server_context(
        self,
        *,
        minimum_version: ssl.TLSVersion = ssl.TLSVersion.TLSv1_2,
        maximum_version: ssl.TLSVersion | None = None,
        ciphers: str | None = None,
    ) -> ssl.SSLContext:
        """An SSL server context presenting this certificate's chain."""
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.minimum_version = minimum_version
        if maximum_version is not None:
            ctx.maximum_version = maximum_version
        if ciphers:
            ctx.set_ciphers(ciphers)
        ctx.load_cert_chain(self.chain, self.key)
        return ctx


@dataclass(frozen=True)
class ClientCertFiles(CertFiles):
    """A client certificate, also as a password-protected PKCS#12 file.

    Attributes:
        p12: PKCS#12 file holding key, certificate and issuing CA.
        p12_password: the password protecting ``p12``.
    """

    p12: Path = Path()
    p12_password: str = DEFAULT_P12_PASSWORD


class TestPki:
    """Root CA + intermediate CA writing certificates and CRLs into ``folder``.

    Attributes:
        folder: where every file is written.
        root: the self-signed root CA ("TEST AC RACINE IGC-SANTE ELEMENTAIRE").
        intermediate: the issuing CA ("TEST AC IGC-SANTE ELEMENTAIRE ORGANISATIONS").
        root_ca_file: PEM with the root only (a strict trust anchor).
        ca_bundle: PEM with root and intermediate (what clients load as trust store).
        server: a valid server certificate for localhost and 127.0.0.1.
    """

    __test__ = False  # not a pytest test class despite its name

    def __init__(self, folder: Path, *, key_size: int = 2048) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self._key_size = key_size
        self._leaf_key = _new_key(key_size)
        self._revoked: dict[int, dt.datetime] = {}
        self.root = self._make_ca("root-ca", ROOT_CN, issuer=None)
        self.intermediate = self._make_ca("intermediate-ca", INTERMEDIATE_CN, issuer=self.root)
        self.root_ca_file = self.root.cert
        self.ca_bundle = self.folder / "ca-bundle.pem"
        self.ca_bundle.write_bytes(
            self.root.cert.read_bytes() + self.intermediate.cert.read_bytes()
        )
        self.server = self.server_cert("server")

    # -- CAs -----------------------------------------------------------------------------
    def _make_ca(self, label: str, cn: str, issuer: CertFiles | None) -> CertFiles:
        key = _new_key(self._key_size if issuer else max(self._key_size, 2048))
        subject = _name(cn)
        now = _now()
        builder = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(issuer.certificate.subject if issuer else subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=365))
            .not_valid_after(now + dt.timedelta(days=3650))
            .add_extension(
                x509.BasicConstraints(ca=True, path_length=None if issuer is None else 0),
                critical=True,
            )
            .add_extension(CA_KEY_USAGE, critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        )
        signing_key = issuer.private_key if issuer else key
        if issuer is not None:
            builder = builder.add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.private_key.public_key()),
                critical=False,
            )
        else:
            builder = builder.add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(key.public_key()),
                critical=False,
            )
        cert = builder.sign(signing_key, hashes.SHA256())
        return self._write(label, cert, key, issuer)

    def _write(
        self,
        label: str,
        cert: x509.Certificate,
        key: rsa.RSAPrivateKey,
        issuer: CertFiles | None,
        cls: type[CertFiles] = CertFiles,
        **extra: object,
    ) -> CertFiles:
        cert_path = self.folder / f"{label}.crt.pem"
        key_path = self.folder / f"{label}.key.pem"
        chain_path = self.folder / f"{label}.chain.pem"
        cert_pem = cert.public_bytes(_PEM)
        cert_path.write_bytes(cert_pem)
        key_path.write_bytes(_key_pem(key))
        key_path.chmod(0o600)
        chain = cert_pem
        # A server sends its chain without the root (RFC 8446 §4.4.2 allows omitting it).
        if issuer is not None and issuer.issuer is not None:
            chain += issuer.certificate.public_bytes(_PEM)
        chain_path.write_bytes(chain)
        return cls(
            name=label,
            cert=cert_path,
            key=key_path,
            chain=chain_path,
            certificate=cert,
            private_key=key,
            issuer=issuer,
            **extra,
        )

    # -- leaf certificates -----------------------------------------------------------
    def _leaf(
        self,
        label: str,
        *,
        subject: x509.Name,
        san: Sequence[str] | None,
        eku: x509.ObjectIdentifier,
        not_before: dt.datetime | None,
        not_after: dt.datetime | None,
        crl_url: str | None,
        self_signed: bool,
        fresh_key: bool,
        extra_san: Sequence[x509.GeneralName] = (),
    ) -> tuple[x509.Certificate, rsa.RSAPrivateKey, CertFiles | None]:
        key = _new_key(self._key_size) if fresh_key or self_signed else self._leaf_key
        issuer = None if self_signed else self.intermediate
        now = _now()
        builder = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(subject if issuer is None else issuer.certificate.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(not_before or now - dt.timedelta(days=1))
            .not_valid_after(not_after or now + dt.timedelta(days=365))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(TLS_KEY_USAGE, critical=True)
            .add_extension(x509.ExtendedKeyUsage([eku]), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        )
        signer_public = key.public_key() if issuer is None else issuer.private_key.public_key()
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(signer_public), critical=False
        )
        if san or extra_san:
            general = list(_san(san or ())) + list(extra_san)
            builder = builder.add_extension(x509.SubjectAlternativeName(general), critical=False)
        if crl_url:
            builder = builder.add_extension(crl_distribution_points(crl_url), critical=False)
        cert = builder.sign(key if issuer is None else issuer.private_key, hashes.SHA256())
        return cert, key, issuer

    def server_cert(
        self,
        name: str,
        hosts: Sequence[str] = DEFAULT_HOSTS,
        *,
        crl_url: str | None = None,
        not_before: dt.datetime | None = None,
        not_after: dt.datetime | None = None,
        self_signed: bool = False,
        fresh_key: bool = False,
    ) -> CertFiles:
        """Issue a TLS server certificate (EKU serverAuth) for ``hosts`` (DNS names or IPs).

        Args:
            name: label and file stem.
            hosts: subject alternative names; the first is also the common name.
            crl_url: adds a CRL Distribution Point with this URL.
            not_before: start of validity (default: yesterday).
            not_after: end of validity (default: in a year).
            self_signed: sign with its own key instead of the intermediate CA.
            fresh_key: use a new RSA key instead of the shared leaf key.
        """
        subject = _name(hosts[0] if hosts else name, ou=None, org="TEST OPERATEUR MSSANTE")
        cert, key, issuer = self._leaf(
            name,
            subject=subject,
            san=hosts,
            eku=ExtendedKeyUsageOID.SERVER_AUTH,
            not_before=not_before,
            not_after=not_after,
            crl_url=crl_url,
            self_signed=self_signed,
            fresh_key=fresh_key,
        )
        return self._write(name, cert, key, issuer)

    def client_cert(
        self,
        name: str,
        *,
        common_name: str | None = None,
        email: str | None = None,
        p12_password: str = DEFAULT_P12_PASSWORD,
        crl_url: str | None = None,
        not_after: dt.datetime | None = None,
    ) -> ClientCertFiles:
        """Issue a client certificate (EKU clientAuth), as PEM files and PKCS#12.

        Models an IGC-Santé organisation certificate for an applicative mailbox (MSSANTE.md §2).
        """
        subject = _name(common_name or name, ou=None, org="TEST ETABLISSEMENT DE SANTE")
        extra = [x509.RFC822Name(email)] if email else []
        cert, key, issuer = self._leaf(
            name,
            subject=subject,
            san=None,
            eku=ExtendedKeyUsageOID.CLIENT_AUTH,
            not_before=None,
            not_after=not_after,
            crl_url=crl_url,
            self_signed=False,
            fresh_key=True,
            extra_san=extra,
        )
        p12_path = self.folder / f"{name}.p12"
        assert issuer is not None
        p12_path.write_bytes(
            pkcs12.serialize_key_and_certificates(
                name.encode(),
                key,
                cert,
                [issuer.certificate],
                serialization.BestAvailableEncryption(p12_password.encode()),
            )
        )
        files = self._write(
            name, cert, key, issuer, ClientCertFiles, p12=p12_path, p12_password=p12_password
        )
        assert isinstance(files, ClientCertFiles)
        return files

    # -- deliberately bad server certificates -------------------------------------
    def expired_server_cert(
        self, name: str = "expired", hosts: Sequence[str] = DEFAULT_HOSTS
    ) -> CertFiles:
        """A server certificate whose validity ended yesterday."""
        now = _now()
        return self.server_cert(
            name,
            hosts,
            not_before=now - dt.timedelta(days=60),
            not_after=now - dt.timedelta(days=1),
        )

    def not_yet_valid_server_cert(
        self, name: str = "not-yet-valid", hosts: Sequence[str] = DEFAULT_HOSTS
    ) -> CertFiles:
        """A server certificate valid only from tomorrow."""
        now = _now()
        return self.server_cert(
            name,
            hosts,
            not_before=now + dt.timedelta(days=1),
            not_after=now + dt.timedelta(days=60),
        )

    def wrong_host_server_cert(
        self, name: str = "wrong-host", hosts: Sequence[str] = ("mail.wrong-host.invalid",)
    ) -> CertFiles:
        """A valid server certificate for a host name the test server is not reached by."""
        return self.server_cert(name, hosts)

    def self_signed_server_cert(
        self, name: str = "self-signed", hosts: Sequence[str] = DEFAULT_HOSTS
    ) -> CertFiles:
        """A server certificate signed by its own key (chains to nothing trusted)."""
        return self.server_cert(name, hosts, self_signed=True)

    def revoked_server_cert(
        self, crl_url: str, name: str = "revoked", hosts: Sequence[str] = DEFAULT_HOSTS
    ) -> CertFiles:
        """A server certificate with a CRL Distribution Point, already revoked.

        Serve :meth:`crl_der` (or :meth:`crl_pem`) at ``crl_url`` to make the revocation visible.
        """
        cert = self.server_cert(name, hosts, crl_url=crl_url)
        self.revoke(cert.serial)
        return cert

    # -- revocation ------------------------------------------------------------------
    def revoke(self, serial: int, when: dt.datetime | None = None) -> None:
        """Add ``serial`` to the intermediate CA's CRL (see :meth:`crl_der`)."""
        self._revoked[serial] = when or _now() - dt.timedelta(minutes=1)

    def crl(
        self,
        *,
        issuer: CertFiles | None = None,
        revoked: Iterable[int] | None = None,
        this_update: dt.datetime | None = None,
        next_update: dt.datetime | None = None,
        number: int = 1,
    ) -> x509.CertificateRevocationList:
        """A CRL signed by ``issuer`` (default: the intermediate CA).

        Args:
            issuer: the CA whose CRL this is.
            revoked: serials to list (default: every serial passed to :meth:`revoke`).
            this_update: lastUpdate (default: one hour ago).
            next_update: nextUpdate (default: in 7 days); pass a past date for a stale CRL.
            number: the CRL Number extension (RFC 5280 §5.2.3).
        """
        ca = issuer or self.intermediate
        now = _now()
        builder = (
            x509.CertificateRevocationListBuilder()
            .issuer_name(ca.certificate.subject)
            .last_update(this_update or now - dt.timedelta(hours=1))
            .next_update(next_update or now + dt.timedelta(days=7))
            .add_extension(x509.CRLNumber(number), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.private_key.public_key()),
                critical=False,
            )
        )
        serials = dict(self._revoked)
        if revoked is not None:
            serials = {s: self._revoked.get(s, now - dt.timedelta(minutes=1)) for s in revoked}
        for serial, when in serials.items():
            builder = builder.add_revoked_certificate(
                x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(when).build()
            )
        return builder.sign(ca.private_key, hashes.SHA256())

    def crl_der(self, **kwargs: object) -> bytes:
        """:meth:`crl` encoded as DER (how IGC-Santé publishes CRLs)."""
        return self.crl(**kwargs).public_bytes(serialization.Encoding.DER)  # type: ignore[arg-type]

    def crl_pem(self, **kwargs: object) -> bytes:
        """:meth:`crl` encoded as PEM (what OpenSSL's file lookup loads)."""
        return self.crl(**kwargs).public_bytes(_PEM)  # type: ignore[arg-type]

    def write_crl(self, path: Path | None = None, *, pem: bool = True, **kwargs: object) -> Path:
        """Write :meth:`crl` to ``path`` (default: ``folder/intermediate.crl[.pem]``)."""
        path = path or self.folder / ("intermediate.crl.pem" if pem else "intermediate.crl")
        path.write_bytes(self.crl_pem(**kwargs) if pem else self.crl_der(**kwargs))
        return path

    # -- client side -----------------------------------------------------------------
    def client_context(
        self, *, check_crl_file: Path | None = None, mssante_ciphers: bool = False
    ) -> ssl.SSLContext:
        """A secure stdlib client context trusting this PKI.

        TLS 1.2 is set as minimum explicitly: some Python builds (Debian's) leave
        ``create_default_context()`` at the library minimum. ``mssante_ciphers`` restricts
        TLS 1.2 to the four allowed suites (ECO.1.1.3), as Pli does; some builds' defaults
        include static-RSA suites. ``check_crl_file`` adds a CRL and leaf revocation checking.
        """
        ctx = ssl.create_default_context(cafile=str(self.ca_bundle))
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        if mssante_ciphers:
            ctx.set_ciphers(MSSANTE_TLS12_CIPHERS)
        if check_crl_file is not None:
            ctx.load_verify_locations(cafile=str(check_crl_file))
            ctx.verify_flags |= ssl.VERIFY_CRL_CHECK_LEAF
        return ctx
