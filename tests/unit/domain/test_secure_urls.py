"""The one rule for HTTP addresses: HTTPS, or plain HTTP to this machine only."""

from __future__ import annotations

import pytest

from app.domain.urls import is_secure_url


@pytest.mark.parametrize(
    "url",
    [
        "https://gateway.api.esante.gouv.fr/fhir/v2",
        "https://example.org:8443/x",
        "http://127.0.0.1:8080/extraction.zip",
        "http://127.8.0.1/",
        "http://[::1]:9000/fhir",
        "http://localhost:5000/",
    ],
)
def test_accepted(url: str) -> None:
    assert is_secure_url(url)


@pytest.mark.parametrize(
    "url",
    [
        "http://annuaire.sante.fr/extraction.zip",
        "http://10.0.0.1/",
        "http://localhost.evil.example/",
        "ftp://127.0.0.1/file",
        "file:///etc/passwd",
        "https:///no-host",
        "not a url",
        "",
    ],
)
def test_refused(url: str) -> None:
    assert not is_secure_url(url)
