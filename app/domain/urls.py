"""Which addresses Pli may talk HTTP to: HTTPS, or plain HTTP to this machine only (tests)."""

from __future__ import annotations

import ipaddress
import urllib.parse


def is_secure_url(url: str) -> bool:
    """HTTPS to a host, or HTTP to ``localhost`` or a loopback IP address."""
    parts = urllib.parse.urlsplit(url)
    if not parts.hostname:
        return False
    if parts.scheme == "https":
        return True
    return parts.scheme == "http" and _is_loopback(parts.hostname)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
