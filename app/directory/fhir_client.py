"""A small client of the Annuaire Santé's FHIR R4 API (spec §7).

``GET [base]/Practitioner|PractitionerRole|Organization?…`` with the key in the
``ESANTE-API-KEY`` header, Bundles of 50 with a ``next`` link, 17 calls per second at most.
Every call goes through the token bucket, has a timeout, and its failure becomes a
`DirectoryError` whose code says what to do (key refused, too many calls, server down…).
The key is never logged, never sent anywhere but the configured base URL's origin: redirects
are refused and ``next`` links must stay on that origin.

Blocking; the directory service runs it on its own network thread.
"""

from __future__ import annotations

import email.utils
import http.client
import json
import logging
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from app import __version__
from app.directory.rate_limit import TokenBucket
from app.directory.urls import require_secure
from app.domain.errors import DirectoryError

log = logging.getLogger(__name__)

API_KEY_HEADER = "ESANTE-API-KEY"
#: A Bundle page is a few hundred kilobytes; refuse anything absurd.
MAX_RESPONSE_BYTES = 16 * 1024 * 1024
#: Statuses worth one more try after a short pause (the gateway's transient failures).
_TRANSIENT = frozenset({502, 503, 504})


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Refuse redirects: urllib would forward the API key header to the new location."""

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: Any,
        code: int,
        msg: str,
        headers: Any,
        newurl: str,
    ) -> urllib.request.Request | None:
        return None


@dataclass(frozen=True)
class FhirPage:
    """One page of a search: the entries' resources, and whether each is a match."""

    resources: tuple[tuple[dict[str, Any], bool], ...]
    next_url: str | None
    total: int | None


class FhirClient:
    """Searches the directory's FHIR API. Blocking; thread-safe (no shared connection).

    Args:
        base_url: e.g. ``https://gateway.api.esante.gouv.fr/fhir/v2``.
        api_key: the ``ESANTE-API-KEY``.
        limiter: shared by every call of this client.
        timeout: seconds for connecting and for each read.
        max_rate_limit_retries: how many times a 429 is retried.
        max_retry_wait: the longest pause honoured from ``Retry-After``.
        sleep: how to wait (tests pass their own).
    """

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        limiter: TokenBucket,
        timeout: float = 15.0,
        max_rate_limit_retries: int = 2,
        max_retry_wait: float = 10.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not api_key:
            raise DirectoryError("directory.online.no_api_key")
        # The key must never travel in clear.
        self.base_url = require_secure(base_url, "directory.online.insecure_url").rstrip("/")
        self._origin = _origin(self.base_url)
        self._api_key = api_key
        self._limiter = limiter
        self._timeout = timeout
        self._max_429 = max_rate_limit_retries
        self._max_wait = max_retry_wait
        self._sleep = sleep
        self._opener = urllib.request.build_opener(_NoRedirect)
        self.calls = 0

    def __repr__(self) -> str:  # never show the key
        return f"FhirClient({self.base_url!r})"

    def search(
        self,
        resource: str,
        params: Sequence[tuple[str, str]],
        *,
        max_matches: int = 100,
        max_pages: int = 4,
    ) -> list[tuple[dict[str, Any], bool]]:
        """Search `resource`, following ``next`` links until `max_matches` or `max_pages`.

        Returns every entry's resource with True for matches, False for included resources.
        """
        query = urllib.parse.urlencode([*params, ("_count", "50")])
        url: str | None = f"{self.base_url}/{resource}?{query}"
        found: list[tuple[dict[str, Any], bool]] = []
        matches = 0
        pages = 0
        while url is not None and pages < max_pages and matches < max_matches:
            page = self.fetch_page(url)
            pages += 1
            found.extend(page.resources)
            matches += sum(1 for _, is_match in page.resources if is_match)
            url = page.next_url
        return found

    def fetch_page(self, url: str) -> FhirPage:
        """One Bundle page."""
        if _origin(url) != self._origin:
            raise DirectoryError("directory.online.foreign_link")
        bundle = self._get_json(url)
        if bundle.get("resourceType") != "Bundle":
            raise DirectoryError("directory.online.bad_response", detail="not a Bundle")
        resources: list[tuple[dict[str, Any], bool]] = []
        for entry in bundle.get("entry") or []:
            if not isinstance(entry, dict) or not isinstance(entry.get("resource"), dict):
                continue
            mode = (entry.get("search") or {}).get("mode", "match")
            resources.append((entry["resource"], mode == "match"))
        next_url = None
        for link in bundle.get("link") or []:
            if isinstance(link, dict) and link.get("relation") == "next" and link.get("url"):
                next_url = str(link["url"])
        total = bundle.get("total")
        return FhirPage(tuple(resources), next_url, total if isinstance(total, int) else None)

    def _get_json(self, url: str) -> dict[str, Any]:
        rate_limited = 0
        transient = 0
        while True:
            self._limiter.acquire()
            self.calls += 1
            # HTTPS (or loopback HTTP) on the base URL's origin, checked: S310 does not apply.
            request = urllib.request.Request(url, method="GET")  # noqa: S310
            request.add_header(API_KEY_HEADER, self._api_key)
            request.add_header("Accept", "application/fhir+json, application/json")
            request.add_header("User-Agent", f"Pli/{__version__}")
            try:
                with self._opener.open(request, timeout=self._timeout) as response:
                    body = response.read(MAX_RESPONSE_BYTES + 1)
            except urllib.error.HTTPError as error:
                status = error.code
                retry_after = error.headers.get("Retry-After") if error.headers else None
                error.close()
                log.debug("directory API answered %d", status)
                if status == 429 and rate_limited < self._max_429:
                    rate_limited += 1
                    self._sleep(min(self._max_wait, _retry_after(retry_after)))
                    continue
                if status in _TRANSIENT and transient < 1:
                    transient += 1
                    self._sleep(1.0)
                    continue
                raise _http_error(status) from None
            except TimeoutError as error:
                raise DirectoryError("directory.online.timeout") from error
            except urllib.error.URLError as error:
                raise _network_error(error.reason) from error
            except (OSError, http.client.HTTPException) as error:  # closed without an answer…
                raise _network_error(error) from error
            if len(body) > MAX_RESPONSE_BYTES:
                raise DirectoryError("directory.online.bad_response", detail="too large")
            try:
                data = json.loads(body)
            except (UnicodeDecodeError, json.JSONDecodeError) as error:
                raise DirectoryError("directory.online.bad_response", detail="not JSON") from error
            if not isinstance(data, dict):
                raise DirectoryError("directory.online.bad_response", detail="not an object")
            return data


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urllib.parse.urlsplit(url)
    port = parts.port or {"https": 443, "http": 80}.get(parts.scheme)
    return (parts.scheme.lower(), (parts.hostname or "").lower(), port)


def _retry_after(value: str | None) -> float:
    """Seconds to wait from a ``Retry-After`` header (seconds or an HTTP date); 1 s if absent."""
    if not value:
        return 1.0
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return 1.0
    return max(0.0, when.timestamp() - time.time())


def _http_error(status: int) -> DirectoryError:
    if status in (401, 403):
        return DirectoryError("directory.online.unauthorized", status=status)
    if status == 429:
        return DirectoryError("directory.online.rate_limited")
    if status >= 500:
        return DirectoryError("directory.online.server_error", status=status)
    return DirectoryError("directory.online.refused", status=status)


def _network_error(reason: object) -> DirectoryError:
    if isinstance(reason, TimeoutError):
        return DirectoryError("directory.online.timeout")
    if isinstance(reason, ssl.SSLError):
        return DirectoryError("directory.online.tls", detail=type(reason).__name__)
    return DirectoryError("directory.online.unreachable", detail=type(reason).__name__)
