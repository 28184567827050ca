"""Which addresses the directory may be fetched from: HTTPS, or HTTP to loopback (tests)."""

from __future__ import annotations

from app.domain.errors import DirectoryError
from app.domain.urls import is_secure_url


def require_secure(url: str, code: str) -> str:
    """Return `url` if it is HTTPS (or HTTP to a loopback address), else raise.

    Raises:
        DirectoryError: with `code` (and the URL as ``url``).
    """
    if is_secure_url(url):
        return url
    raise DirectoryError(code, url=url)
