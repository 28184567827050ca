"""A small blocking HTTP client (stdlib) with timeouts, for CRLs and OpenID Connect.

Plain ``http://`` is accepted only towards loopback addresses (tests, the loopback redirect
of a desktop login) and for CRLs, which are signed objects published over HTTP by design.
"""

from __future__ import annotations

import json
import ssl
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

from app.domain.errors import NetworkError, ValidationError
from app.domain.urls import is_secure_url

USER_AGENT = "Pli/0.1 (MSSante client)"
MAX_BODY = 20 * 1024 * 1024


@dataclass(frozen=True)
class HttpResponse:
    """Status, headers (lower-case names) and body."""

    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        """The body parsed as JSON.

        Raises:
            NetworkError: ``http.bad_json``.
        """
        try:
            return json.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as error:
            raise NetworkError("http.bad_json", status=self.status) from error


def require_secure_url(url: str) -> None:
    """HTTPS, or HTTP towards loopback only.

    Raises:
        ValidationError: ``http.insecure_url``.
    """
    if not is_secure_url(url):
        raise ValidationError("http.insecure_url", url=url)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def request(
    method: str,
    url: str,
    *,
    data: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 15.0,
    context: ssl.SSLContext | None = None,
    follow_redirects: bool = True,
) -> HttpResponse:
    """Perform one request; HTTP error statuses are returned, not raised.

    Raises:
        NetworkError: ``network.unreachable``, ``network.timeout``, ``http.too_large``.
    """
    req = urllib.request.Request(url, data=data, method=method)  # noqa: S310 - schemes checked by callers
    req.add_header("User-Agent", USER_AGENT)
    for name, value in (headers or {}).items():
        req.add_header(name, value)
    handlers: list[urllib.request.BaseHandler] = [urllib.request.HTTPSHandler(context=context)]
    if not follow_redirects:
        handlers.append(_NoRedirect())
    opener = urllib.request.build_opener(*handlers)
    try:
        with opener.open(req, timeout=timeout) as response:
            body = response.read(MAX_BODY + 1)
            status = response.status
            resp_headers = {k.lower(): v for k, v in response.headers.items()}
    except urllib.error.HTTPError as error:
        # HTTPError.fp is None when the server sent no body, despite its annotation.
        body = error.read(MAX_BODY + 1) if getattr(error, "fp", None) is not None else b""
        status = error.code
        resp_headers = {k.lower(): v for k, v in (error.headers or {}).items()}
    except TimeoutError as error:
        raise NetworkError("network.timeout", host=_host(url)) from error
    except urllib.error.URLError as error:
        if isinstance(error.reason, TimeoutError):
            raise NetworkError("network.timeout", host=_host(url)) from error
        raise NetworkError("network.unreachable", host=_host(url)) from error
    except OSError as error:
        raise NetworkError("network.unreachable", host=_host(url)) from error
    if len(body) > MAX_BODY:
        raise NetworkError("http.too_large", host=_host(url))
    return HttpResponse(status, resp_headers, body)


def post_form(
    url: str,
    fields: dict[str, str],
    *,
    headers: dict[str, str] | None = None,
    timeout: float = 15.0,
    context: ssl.SSLContext | None = None,
) -> HttpResponse:
    """POST ``application/x-www-form-urlencoded``."""
    all_headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Accept": "application/json",
    }
    all_headers.update(headers or {})
    body = urllib.parse.urlencode(fields).encode("ascii")
    return request("POST", url, data=body, headers=all_headers, timeout=timeout, context=context)


def _host(url: str) -> str:
    return urllib.parse.urlsplit(url).hostname or url
