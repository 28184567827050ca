"""Which addresses the directory may be fetched from: HTTPS, or HTTP to loopback (tests)."""

from __future__ import annotations

import ipaddress
import urllib.parse

from app.domain.errors import DirectoryError


def require_secure(url: str, code: str) -> str:
    """Return `url` if it is HTTPS (or HTTP to a loopback address), else raise.

    Raises:
        DirectoryError: with `code` (and the URL as ``url``).
    """
    parts = urllib.parse.urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return url
    if parts.scheme == "http" and parts.hostname and is_loopback(parts.hostname):
        return url
    raise DirectoryError(code, url=url)


def is_loopback(host: str) -> bool:
    """``localhost`` or a loopback IP address."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
