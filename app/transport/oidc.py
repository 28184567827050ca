"""OpenID Connect client for Pro Santé Connect (spec §2): tokens for SASL XOAUTH2.

Two ways for a desktop program, as the agency names them:
- the authorization code flow with PKCE (S256) in the system browser, the code coming back
  to a one-shot HTTP listener on 127.0.0.1 (RFC 8252 §7.3);
- CIBA in poll mode: Pli posts ``login_hint=8<RPPS>`` and a short ``binding_message`` that the
  user sees on the e-CPS app or card reader, then polls the token endpoint.

Access tokens are returned to the caller and never written anywhere (ECO.1.2.5). No client
secret ships with Pli: the client is public, or the administrator types its secret, or the
editor's token broker adds it (its URL replaces the token endpoint).

Blocking: HTTP calls and the loopback listener wait; run on a worker thread.
"""

from __future__ import annotations

import base64
import hashlib
import html
import http.server
import logging
import secrets
import ssl
import threading
import time
import urllib.parse
from dataclasses import dataclass
from typing import Any

from app.domain.account import OidcSettings
from app.domain.errors import AuthError, NetworkError, ValidationError
from app.transport import http as pli_http

log = logging.getLogger(__name__)

CIBA_GRANT = "urn:openid:params:grant-type:ciba"


@dataclass(frozen=True)
class ProviderMetadata:
    """The endpoints of the provider's discovery document."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    backchannel_authentication_endpoint: str | None = None
    revocation_endpoint: str | None = None
    end_session_endpoint: str | None = None


@dataclass(frozen=True)
class TokenSet:
    """Tokens from the token endpoint. The access token is for memory only."""

    access_token: str
    expires_at: float
    refresh_token: str | None
    scope: str = ""

    def expires_within(self, seconds: float, now: float | None = None) -> bool:
        """Whether the access token expires in less than `seconds`."""
        return self.expires_at - (now if now is not None else time.time()) < seconds


@dataclass(frozen=True)
class AuthorizationRequest:
    """A pending browser login: the URL to open and what checks the answer."""

    url: str
    state: str
    code_verifier: str
    redirect_uri: str


@dataclass(frozen=True)
class CibaRequest:
    """A pending CIBA login (the user approves on the e-CPS app or with the CPS card)."""

    auth_req_id: str
    expires_at: float
    interval: float
    binding_message: str


class OidcClient:
    """Talks to one provider for one client registration."""

    def __init__(
        self,
        settings: OidcSettings,
        *,
        client_secret: str | None = None,
        context: ssl.SSLContext | None = None,
        timeout: float = 15.0,
    ) -> None:
        for url in (settings.issuer, settings.discovery_url, settings.broker_url):
            if url:
                pli_http.require_secure_url(url)
        if settings.client_auth == "secret" and not client_secret:
            raise ValidationError("oidc.secret_missing")
        if settings.client_auth == "broker" and not settings.broker_url:
            raise ValidationError("oidc.broker_missing")
        self._settings = settings
        self._secret = client_secret
        self._context = context
        self._timeout = timeout
        self._metadata: ProviderMetadata | None = None

    # -- discovery --------------------------------------------------------------------------

    def metadata(self) -> ProviderMetadata:
        """The provider's endpoints (fetched once).

        Raises:
            AuthError: ``oidc.discovery_failed`` (unreadable, or issuer mismatch).
        """
        if self._metadata is not None:
            return self._metadata
        url = self._settings.discovery_url or (
            self._settings.issuer.rstrip("/") + "/.well-known/openid-configuration"
        )
        response = pli_http.request(
            "GET",
            url,
            headers={"Accept": "application/json"},
            timeout=self._timeout,
            context=self._context,
        )
        if response.status != 200:
            raise AuthError("oidc.discovery_failed", status=response.status)
        document = response.json()
        if not isinstance(document, dict):
            raise AuthError("oidc.discovery_failed", status=response.status)
        if document.get("issuer", "").rstrip("/") != self._settings.issuer.rstrip("/"):
            raise AuthError("oidc.discovery_failed", status=response.status)
        try:
            metadata = ProviderMetadata(
                issuer=document["issuer"],
                authorization_endpoint=document["authorization_endpoint"],
                token_endpoint=document["token_endpoint"],
                backchannel_authentication_endpoint=document.get(
                    "backchannel_authentication_endpoint"
                ),
                revocation_endpoint=document.get("revocation_endpoint"),
                end_session_endpoint=document.get("end_session_endpoint"),
            )
        except KeyError as error:
            raise AuthError("oidc.discovery_failed", status=response.status) from error
        for url in (metadata.authorization_endpoint, metadata.token_endpoint):
            pli_http.require_secure_url(url)
        self._metadata = metadata
        return metadata

    # -- authorization code + PKCE ---------------------------------------------------------

    def authorization_request(self, redirect_uri: str) -> AuthorizationRequest:
        """Build the URL to open in the system browser."""
        verifier = secrets.token_urlsafe(64)
        challenge = _b64url(hashlib.sha256(verifier.encode("ascii")).digest())
        state = secrets.token_urlsafe(24)
        params = {
            "response_type": "code",
            "client_id": self._settings.client_id,
            "redirect_uri": redirect_uri,
            "scope": self._settings.scope,
            "state": state,
            "nonce": secrets.token_urlsafe(24),
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
        if self._settings.acr_values:
            params["acr_values"] = self._settings.acr_values
        endpoint = self.metadata().authorization_endpoint
        separator = "&" if "?" in endpoint else "?"
        url = endpoint + separator + urllib.parse.urlencode(params)
        return AuthorizationRequest(url, state, verifier, redirect_uri)

    def exchange_code(self, request: AuthorizationRequest, code: str) -> TokenSet:
        """Trade the authorization code for tokens."""
        return self._token(
            {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": request.redirect_uri,
                "code_verifier": request.code_verifier,
            }
        )

    # -- CIBA -------------------------------------------------------------------------------

    def start_ciba(self, rpps: str, binding_message: str) -> CibaRequest:
        """Ask the provider to notify the practitioner (login_hint ``8<RPPS>``).

        Raises:
            AuthError: ``oidc.ciba_unsupported``, ``oidc.ciba_refused``.
        """
        endpoint = self.metadata().backchannel_authentication_endpoint
        if not endpoint:
            raise AuthError("oidc.ciba_unsupported")
        hint = rpps if rpps.startswith("8") and len(rpps) == 12 else f"8{rpps}"
        fields = {
            "scope": self._settings.scope,
            "login_hint": hint,
            "binding_message": binding_message,
        }
        if self._settings.acr_values:
            fields["acr_values"] = self._settings.acr_values
        response = self._post(endpoint, fields)
        body = _json_object(response)
        if response.status != 200 or "auth_req_id" not in body:
            log.warning("CIBA request refused (HTTP %d, %s)", response.status, body.get("error"))
            raise AuthError("oidc.ciba_refused", error=str(body.get("error", response.status)))
        return CibaRequest(
            auth_req_id=str(body["auth_req_id"]),
            expires_at=time.time() + float(body.get("expires_in", 120)),
            interval=float(body.get("interval", 5)),
            binding_message=binding_message,
        )

    def poll_ciba(self, request: CibaRequest) -> TokenSet | None:
        """One poll: tokens once approved, None while pending.

        Raises:
            AuthError: ``auth.login_denied``, ``auth.login_expired``.
        """
        try:
            return self._token({"grant_type": CIBA_GRANT, "auth_req_id": request.auth_req_id})
        except AuthError as error:
            oauth_error = error.params.get("error")
            if oauth_error in ("authorization_pending", "slow_down"):
                return None
            if oauth_error == "access_denied":
                raise AuthError("auth.login_denied") from error
            if oauth_error == "expired_token":
                raise AuthError("auth.login_expired") from error
            raise

    # -- refresh ----------------------------------------------------------------------------

    def refresh(self, refresh_token: str) -> TokenSet:
        """New tokens from a refresh token.

        Raises:
            AuthError: ``auth.session_ended`` when the provider refuses the refresh token
                (ECO.1.2.6): a new login is needed.
        """
        try:
            tokens = self._token({"grant_type": "refresh_token", "refresh_token": refresh_token})
        except AuthError as error:
            if error.params.get("error") in ("invalid_grant", "invalid_token"):
                raise AuthError("auth.session_ended") from error
            raise
        if tokens.refresh_token is None:  # no rotation: the old one stays valid
            tokens = TokenSet(tokens.access_token, tokens.expires_at, refresh_token, tokens.scope)
        return tokens

    def revoke(self, token: str, hint: str = "refresh_token") -> None:
        """Revoke a token at logout, when the provider offers revocation (best effort)."""
        endpoint = self.metadata().revocation_endpoint
        if not endpoint:
            return
        try:
            self._post(endpoint, {"token": token, "token_type_hint": hint})
        except NetworkError:
            log.warning("token revocation failed (network)")

    # -- plumbing ---------------------------------------------------------------------------

    def _token(self, fields: dict[str, str]) -> TokenSet:
        endpoint = self._settings.broker_url or self.metadata().token_endpoint
        response = self._post(endpoint, fields)
        body = _json_object(response)
        if response.status != 200 or "access_token" not in body:
            error = str(body.get("error", "")) or f"http_{response.status}"
            if error not in ("authorization_pending", "slow_down"):
                log.info("token endpoint refused the request (%s)", error)
            raise AuthError("oidc.token_refused", error=error, status=response.status)
        lifetime = float(body.get("expires_in", 120))
        return TokenSet(
            access_token=str(body["access_token"]),
            expires_at=time.time() + lifetime,
            refresh_token=str(body["refresh_token"]) if body.get("refresh_token") else None,
            scope=str(body.get("scope", "")),
        )

    def _post(self, url: str, fields: dict[str, str]) -> pli_http.HttpResponse:
        fields = dict(fields)
        headers: dict[str, str] = {}
        if self._settings.client_auth == "secret" and self._secret:
            pair = (
                f"{urllib.parse.quote(self._settings.client_id, safe='')}:"
                f"{urllib.parse.quote(self._secret, safe='')}"
            )
            headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode()
        else:
            fields["client_id"] = self._settings.client_id
        return pli_http.post_form(
            url, fields, headers=headers, timeout=self._timeout, context=self._context
        )


def _json_object(response: pli_http.HttpResponse) -> dict[str, Any]:
    try:
        body = response.json()
    except NetworkError:
        return {}
    return body if isinstance(body, dict) else {}


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


# -- loopback redirect ----------------------------------------------------------------------

_DONE_PAGE = """<!doctype html><html lang="fr"><head><meta charset="utf-8">
<title>Pli</title></head><body style="font-family:sans-serif;margin:3em">
<h1>{title}</h1><p>{text}</p></body></html>"""


class LoopbackRedirect:
    """A one-shot HTTP listener on 127.0.0.1 receiving the authorization response."""

    def __init__(self, path: str = "/callback") -> None:
        self._path = path
        self._result: dict[str, str] | None = None
        self._done = threading.Event()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                parsed = urllib.parse.urlsplit(self.path)
                if parsed.path != outer._path:
                    self.send_error(404)
                    return
                query = dict(urllib.parse.parse_qsl(parsed.query))
                ok = "code" in query
                page = _DONE_PAGE.format(
                    title="Connexion réussie" if ok else "Connexion refusée",
                    text=html.escape(
                        "Vous pouvez fermer cette fenêtre et revenir à Pli."
                        if ok
                        else "La connexion n'a pas abouti. Revenez à Pli pour réessayer."
                    ),
                ).encode("utf-8")
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(page)))
                self.end_headers()
                self.wfile.write(page)
                if outer._result is None:
                    outer._result = query
                    outer._done.set()

            def log_message(self, format: str, *args: Any) -> None:
                return  # the query holds the authorization code: never logged

        self._server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="oidc-loopback", daemon=True
        )
        self._thread.start()

    @property
    def redirect_uri(self) -> str:
        """``http://127.0.0.1:<port>/callback``."""
        return f"http://127.0.0.1:{self._server.server_address[1]}{self._path}"

    def wait(self, state: str, timeout: float) -> str:
        """The authorization code, once the browser comes back with the right state.

        Raises:
            AuthError: ``auth.login_expired`` (timeout), ``auth.login_denied`` (error answer),
                ``oidc.state_mismatch``.
        """
        try:
            if not self._done.wait(timeout):
                raise AuthError("auth.login_expired")
            result = self._result or {}
        finally:
            self.close()
        if result.get("state") != state:
            raise AuthError("oidc.state_mismatch")
        if "code" not in result:
            raise AuthError("auth.login_denied", error=result.get("error", ""))
        return result["code"]

    def close(self) -> None:
        """Stop listening."""
        self._server.shutdown()
        self._server.server_close()
