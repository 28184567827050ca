"""Revocation of server certificates by CRL, with the last valid CRL kept (ECO.1.1.6–1.1.10).

After the TLS handshake (and before any credential is sent) the leaf certificate's CRL
distribution points are read, the CRL is fetched over HTTP (it is signed by the issuing CA, so
the channel need not be secure), its signature and issuer are checked against the issuer
certificate, and the leaf's serial looked up. CRLs are cached in the profile: a fresh one is
fetched when the cached one is past its nextUpdate; if that fails, the last valid one is used
and the caller is told so.

Blocking: network and disk.
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # cryptography's x509 is imported on first use (a connection's check)
    from cryptography import x509

from app.domain.errors import KnownError, TlsError
from app.transport import http

log = logging.getLogger(__name__)


class RevocationMode(StrEnum):
    """What to do when revocation cannot be established."""

    REQUIRE = "require"
    PREFER = "prefer"
    OFF = "off"


class RevocationStatus(StrEnum):
    """Outcome of a check."""

    GOOD = "good"  # a current CRL says the certificate is not revoked
    GOOD_STALE_CRL = "good_stale_crl"  # only the last valid (expired) CRL could be used
    UNKNOWN = "unknown"  # no CRL could be had (prefer mode lets it through)
    NOT_CHECKED = "not_checked"  # mode off, or the certificate names no CRL


@dataclass(frozen=True)
class RevocationResult:
    """The status, and the CRL URL used when any."""

    status: RevocationStatus
    url: str | None = None


class RevocationChecker:
    """Checks leaf certificates against their issuer's CRL, caching CRLs on disk."""

    def __init__(
        self,
        mode: RevocationMode,
        cache_dir: Path | None,
        trust_store: Path,
        *,
        timeout: float = 10.0,
    ) -> None:
        self._mode = mode
        self._cache_dir = cache_dir
        self._timeout = timeout
        self._anchors = _load_pem_bundle(trust_store)

    @property
    def mode(self) -> RevocationMode:
        """The configured mode."""
        return self._mode

    def check(self, chain_der: list[bytes], host: str, port: int) -> RevocationResult:
        """Check the leaf of a verified chain.

        Raises:
            TlsError: ``tls.revoked``; ``tls.revocation_unknown`` in require mode when no CRL
                can be obtained or verified.
        """
        if self._mode is RevocationMode.OFF or not chain_der:
            return RevocationResult(RevocationStatus.NOT_CHECKED)
        from cryptography import x509

        leaf = x509.load_der_x509_certificate(chain_der[0])
        urls = _crl_urls(leaf)
        if not urls:
            if self._mode is RevocationMode.REQUIRE:
                raise TlsError("tls.revocation_unknown", host=host, port=port)
            return RevocationResult(RevocationStatus.NOT_CHECKED)
        issuer = self._issuer_of(leaf, chain_der[1:])
        if issuer is None:
            return self._unknown(host, port, None)
        for url in urls:
            crl, stale = self._crl(url, issuer)
            if crl is None:
                continue
            if crl.get_revoked_certificate_by_serial_number(leaf.serial_number) is not None:
                raise TlsError("tls.revoked", host=host, port=port)
            status = RevocationStatus.GOOD_STALE_CRL if stale else RevocationStatus.GOOD
            if stale:
                log.warning("using the last valid CRL (a fresh one could not be fetched)")
            return RevocationResult(status, url)
        return self._unknown(host, port, urls[0])

    def _unknown(self, host: str, port: int, url: str | None) -> RevocationResult:
        if self._mode is RevocationMode.REQUIRE:
            raise TlsError("tls.revocation_unknown", host=host, port=port)
        log.warning("revocation status unknown: no usable CRL")
        return RevocationResult(RevocationStatus.UNKNOWN, url)

    def _issuer_of(self, leaf: x509.Certificate, presented: list[bytes]) -> x509.Certificate | None:
        from cryptography import x509
        from cryptography.exceptions import InvalidSignature

        candidates = [x509.load_der_x509_certificate(der) for der in presented] + self._anchors
        for candidate in candidates:
            if candidate.subject != leaf.issuer:
                continue
            try:
                leaf.verify_directly_issued_by(candidate)
            except (ValueError, TypeError, InvalidSignature):
                log.debug("a certificate with the issuer's name did not sign the leaf")
                continue
            return candidate
        return None

    def _crl(
        self, url: str, issuer: x509.Certificate
    ) -> tuple[x509.CertificateRevocationList | None, bool]:
        """A valid CRL for `issuer` from `url`: (crl, stale)."""
        cached = self._read_cache(url, issuer)
        now = time.time()
        if cached is not None and _next_update(cached) > now:
            return cached, False
        fresh = self._fetch(url, issuer)
        if fresh is not None:
            self._write_cache(url, fresh)
            return fresh, _next_update(fresh) <= now
        if cached is not None:
            return cached, True
        return None, False

    def _fetch(self, url: str, issuer: x509.Certificate) -> x509.CertificateRevocationList | None:
        try:
            response = http.request("GET", url, timeout=self._timeout)
        except KnownError:
            log.warning("CRL download failed")
            return None
        if response.status != 200:
            log.warning("CRL download answered HTTP %d", response.status)
            return None
        return _parse_and_verify(response.body, issuer)

    def _cache_path(self, url: str) -> Path | None:
        if self._cache_dir is None:
            return None
        return self._cache_dir / (hashlib.sha256(url.encode("utf-8")).hexdigest() + ".crl")

    def _read_cache(
        self, url: str, issuer: x509.Certificate
    ) -> x509.CertificateRevocationList | None:
        path = self._cache_path(url)
        if path is None or not path.exists():
            return None
        try:
            return _parse_and_verify(path.read_bytes(), issuer)
        except OSError:
            return None

    def _write_cache(self, url: str, crl: x509.CertificateRevocationList) -> None:
        path = self._cache_path(url)
        if path is None:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        from cryptography.hazmat.primitives import serialization

        tmp.write_bytes(crl.public_bytes(serialization.Encoding.DER))
        tmp.replace(path)


def _parse_and_verify(
    data: bytes, issuer: x509.Certificate
) -> x509.CertificateRevocationList | None:
    from cryptography import x509

    try:
        crl = (
            x509.load_pem_x509_crl(data)
            if data.lstrip().startswith(b"-----")
            else x509.load_der_x509_crl(data)
        )
    except ValueError:
        log.warning("CRL unreadable")
        return None
    if crl.issuer != issuer.subject or not crl.is_signature_valid(issuer.public_key()):  # type: ignore[arg-type]
        log.warning("CRL signature or issuer does not match")
        return None
    return crl


def _next_update(crl: x509.CertificateRevocationList) -> float:
    next_update = crl.next_update_utc
    return next_update.timestamp() if next_update is not None else 0.0


def _crl_urls(cert: x509.Certificate) -> list[str]:
    from cryptography import x509
    from cryptography.x509.oid import ExtensionOID

    try:
        ext = cert.extensions.get_extension_for_oid(ExtensionOID.CRL_DISTRIBUTION_POINTS)
    except x509.ExtensionNotFound:
        return []
    urls: list[str] = []
    points: x509.CRLDistributionPoints = ext.value  # type: ignore[assignment]
    for point in points:
        for name in point.full_name or []:
            if isinstance(name, x509.UniformResourceIdentifier) and name.value.startswith(
                ("http://", "https://")
            ):
                urls.append(name.value)
    return urls


def _load_pem_bundle(path: Path) -> list[x509.Certificate]:
    from cryptography import x509

    try:
        return x509.load_pem_x509_certificates(path.read_bytes())
    except (OSError, ValueError):
        return []
