"""Python side of the test OpenID Connect provider (tests/servers/oidc/provider.mjs).

:class:`OidcProvider` starts node-oidc-provider on a free port of 127.0.0.1 (HTTPS with the test
PKI by default), exposes its issuer and endpoints, and drives its loopback-only test-control API
(accounts, CIBA approval, revocation). :func:`browser_login` plays the user's browser in the
authorization code flow: it follows the authorization URL, posts the login and consent forms and
finally requests the loopback redirect URL, so the application's listener receives the code
exactly as from a real browser (RFC 8252 §7.3).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import http.client
import json
import os
import secrets
import shutil
import ssl
import subprocess
import urllib.parse
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any
from urllib.request import Request

from tests.servers._util import (
    LOOPBACK,
    ServerError,
    orphan_guard,
    stop_process,
    tail,
    wait_until,
)
from tests.servers.pki import CertFiles

OIDC_DIR = Path(__file__).parent / "oidc"
PROVIDER_SCRIPT = OIDC_DIR / "provider.mjs"
INSTALL_OIDC_HINT = "run `tools/install-oidc-provider` (npm ci in tests/servers/oidc)"

# PSC's realm path (MSSANTE.md §2): the issuer has a path, like the real one.
DEFAULT_PATH_PREFIX = "/auth/realms/esante-wallet"

PUBLIC_CLIENT_ID = "pli-desktop"
CONFIDENTIAL_CLIENT_ID = "pli-confidential"
CONFIDENTIAL_CLIENT_SECRET = "pli-confidential-test-secret"  # test secret, loopback only
RESOURCE_SERVER_ID = "mail-resource-server"
RESOURCE_SERVER_SECRET = "mail-resource-server-test-secret"  # test secret, loopback only

# Registered loopback redirect URIs; any port is accepted for native clients (RFC 8252 §7.3).
DEFAULT_REDIRECT_URIS = (
    "http://127.0.0.1/",
    "http://127.0.0.1/callback",
    "http://127.0.0.1/oauth2/callback",
    "http://localhost/callback",
)
CIBA_GRANT = "urn:openid:params:grant-type:ciba"


@dataclass(frozen=True)
class OidcClient:
    """A client registered at the provider."""

    client_id: str
    client_secret: str | None = None
    redirect_uris: tuple[str, ...] = ()


@dataclass(frozen=True)
class OidcAccount:
    """An end-user account: ``sub`` is the mailbox address (Dovecot matches XOAUTH2 user=)."""

    sub: str
    password: str
    rpps: str | None = None

    @property
    def login_hint(self) -> str:
        """The CIBA ``login_hint`` PSC expects: ``8`` + RPPS (MSSANTE.md §2)."""
        if not self.rpps:
            raise ValueError("account has no RPPS")
        return f"8{self.rpps}"


@dataclass(frozen=True)
class CibaRequest:
    """A pending CIBA authentication request as recorded by the provider."""

    auth_req_id: str
    sub: str
    client_id: str
    binding_message: str | None
    login_hint: str | None
    scope: str
    acr_values: str | None


class LoginFailedError(AssertionError):
    """The browser helper did not get through the login (bad password, provider error...)."""


def pkce_pair() -> tuple[str, str]:
    """A fresh PKCE ``(code_verifier, code_challenge)`` for S256 (RFC 7636)."""
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=")
    return verifier, challenge.decode()


@dataclass
class OidcProvider:
    """The node-oidc-provider process.

    Attributes:
        folder: working folder (config, logs, ready file).
        tls: server certificate for HTTPS (None: plain HTTP).
        ca_file: CA bundle clients must trust to reach the provider over HTTPS.
        path_prefix: the issuer's path (PSC-like realm path).
        access_token_ttl: seconds (PSC: about 120).
        refresh_token_ttl: seconds (PSC: about 1800).
        rotate_refresh_tokens: issue a new refresh token at each refresh.
        redirect_uris: loopback redirect URIs registered for the native clients.
    """

    folder: Path
    tls: CertFiles | None = None
    ca_file: Path | None = None
    path_prefix: str = DEFAULT_PATH_PREFIX
    access_token_ttl: int = 120
    refresh_token_ttl: int = 1800
    rotate_refresh_tokens: bool = True
    redirect_uris: Sequence[str] = DEFAULT_REDIRECT_URIS
    ciba_ttl: int = 300
    node: str = "node"
    accounts: dict[str, OidcAccount] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.tls is not None and self.ca_file is None:
            raise ValueError("an HTTPS provider needs ca_file (the bundle clients trust)")
        self.folder = Path(self.folder)
        self._proc: subprocess.Popen[bytes] | None = None
        self._ttls_changed = False
        self.port = 0
        self.issuer = ""
        self.public_client = OidcClient(PUBLIC_CLIENT_ID, None, tuple(self.redirect_uris))
        self.confidential_client = OidcClient(
            CONFIDENTIAL_CLIENT_ID, CONFIDENTIAL_CLIENT_SECRET, tuple(self.redirect_uris)
        )
        self.resource_server = OidcClient(RESOURCE_SERVER_ID, RESOURCE_SERVER_SECRET)

    # -- lifecycle ---------------------------------------------------------------------
    @property
    def log_path(self) -> Path:
        """Provider stdout/stderr."""
        return self.folder / "oidc-provider.log"

    def _config(self) -> dict[str, Any]:
        native = {
            "application_type": "native",
            "redirect_uris": list(self.redirect_uris),
            "response_types": ["code"],
        }
        return {
            "host": LOOPBACK,
            "port": 0,
            "tls": {"cert": str(self.tls.chain), "key": str(self.tls.key)} if self.tls else None,
            "path_prefix": self.path_prefix,
            "ready_file": str(self.folder / "ready.json"),
            "access_token_ttl": self.access_token_ttl,
            "refresh_token_ttl": self.refresh_token_ttl,
            "rotate_refresh_tokens": self.rotate_refresh_tokens,
            "ciba_ttl": self.ciba_ttl,
            "resource_servers": [RESOURCE_SERVER_ID],
            "clients": [
                {
                    **native,
                    "client_id": PUBLIC_CLIENT_ID,
                    "token_endpoint_auth_method": "none",
                    "grant_types": ["authorization_code", "refresh_token"],
                },
                {
                    **native,
                    "client_id": CONFIDENTIAL_CLIENT_ID,
                    "client_secret": CONFIDENTIAL_CLIENT_SECRET,
                    "token_endpoint_auth_method": "client_secret_basic",
                    "grant_types": ["authorization_code", "refresh_token", CIBA_GRANT],
                    "backchannel_token_delivery_mode": "poll",
                },
                {
                    "client_id": RESOURCE_SERVER_ID,
                    "client_secret": RESOURCE_SERVER_SECRET,
                    "token_endpoint_auth_method": "client_secret_basic",
                    "grant_types": [],
                    "response_types": [],
                    "redirect_uris": [],
                },
            ],
            "accounts": [
                {"sub": a.sub, "password": a.password, "rpps": a.rpps}
                for a in self.accounts.values()
            ],
        }

    def start(self, timeout: float = 30) -> OidcProvider:
        """Start the provider and wait until its test API answers."""
        node = shutil.which(self.node)
        if node is None:
            raise ServerError(
                "node is missing: run `tools/install-system-deps` (installs nodejs and npm)"
            )
        if not (OIDC_DIR / "node_modules" / "oidc-provider").is_dir():
            raise ServerError(f"node-oidc-provider is not installed: {INSTALL_OIDC_HINT}")
        self.folder.mkdir(parents=True, exist_ok=True)
        ready = self.folder / "ready.json"
        ready.unlink(missing_ok=True)
        config_path = self.folder / "oidc-config.json"
        config_path.write_text(json.dumps(self._config(), indent=2))
        log = self.log_path.open("wb")
        self._proc = subprocess.Popen(
            [*orphan_guard(), node, str(PROVIDER_SCRIPT), str(config_path)],
            cwd=OIDC_DIR,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "NODE_ENV": "test"},
        )
        log.close()

        def is_ready() -> bool:
            if self._proc is not None and self._proc.poll() is not None:
                raise ServerError(
                    f"oidc provider exited with {self._proc.returncode}:\n{tail(self.log_path)}"
                )
            return ready.exists()

        wait_until(is_ready, timeout, "the OIDC provider", on_fail=lambda: tail(self.log_path))
        info = json.loads(ready.read_text())
        self.port = int(info["port"])
        self.issuer = str(info["issuer"])
        self._test_api("GET", "/test/health")
        return self

    def stop(self) -> None:
        """Stop the node process (SIGTERM by pid)."""
        if self._proc is not None:
            stop_process(self._proc)
            self._proc = None

    def __enter__(self) -> OidcProvider:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- addresses ---------------------------------------------------------------------
    @property
    def origin(self) -> str:
        """``scheme://127.0.0.1:port``."""
        return f"{'https' if self.tls else 'http'}://{LOOPBACK}:{self.port}"

    @property
    def discovery_url(self) -> str:
        """The standard discovery document URL (OpenID Connect Discovery 1.0 §4)."""
        return f"{self.issuer}/.well-known/openid-configuration"

    @property
    def wallet_discovery_url(self) -> str:
        """Pro Santé Connect's discovery path (``…/.well-known/wallet-openid-configuration``)."""
        return f"{self.issuer}/.well-known/wallet-openid-configuration"

    @property
    def authorization_endpoint(self) -> str:
        """``…/auth``."""
        return f"{self.issuer}/auth"

    @property
    def token_endpoint(self) -> str:
        """``…/token``."""
        return f"{self.issuer}/token"

    @property
    def introspection_endpoint(self) -> str:
        """``…/token/introspection`` (RFC 7662)."""
        return f"{self.issuer}/token/introspection"

    @property
    def backchannel_endpoint(self) -> str:
        """``…/backchannel`` (CIBA)."""
        return f"{self.issuer}/backchannel"

    def ssl_context(self) -> ssl.SSLContext | None:
        """A client context trusting the provider (None over plain HTTP)."""
        if self.tls is None:
            return None
        return ssl.create_default_context(cafile=str(self.ca_file) if self.ca_file else None)

    # -- HTTP helpers ------------------------------------------------------------------
    def _connection(self) -> http.client.HTTPConnection:
        if self.tls is not None:
            return http.client.HTTPSConnection(
                LOOPBACK, self.port, timeout=10, context=self.ssl_context()
            )
        return http.client.HTTPConnection(LOOPBACK, self.port, timeout=10)

    def _test_api(self, method: str, path: str, body: Mapping[str, Any] | None = None) -> Any:
        conn = self._connection()
        try:
            payload = json.dumps(body or {}).encode() if method == "POST" else None
            conn.request(method, path, body=payload, headers={"content-type": "application/json"})
            resp = conn.getresponse()
            data = resp.read()
        finally:
            conn.close()
        if resp.status >= 400:
            raise ServerError(f"{method} {path}: {resp.status} {data.decode(errors='replace')}")
        return json.loads(data) if data else None

    def post_form(
        self,
        url: str,
        form: Mapping[str, str],
        *,
        client: OidcClient | None = None,
    ) -> tuple[int, dict[str, Any]]:
        """POST an urlencoded form to a provider endpoint; return (status, JSON body).

        With a confidential ``client``, authenticates with client_secret_basic; with a public
        one, adds ``client_id`` to the form.
        """
        parsed = urllib.parse.urlsplit(url)
        fields = dict(form)
        headers = {"content-type": "application/x-www-form-urlencoded"}
        if client is not None:
            if client.client_secret:
                quoted = (
                    urllib.parse.quote(client.client_id),
                    urllib.parse.quote(client.client_secret),
                )
                creds = ":".join(quoted)
                headers["authorization"] = "Basic " + base64.b64encode(creds.encode()).decode()
            else:
                fields.setdefault("client_id", client.client_id)
        conn = self._connection()
        try:
            path = parsed.path + (f"?{parsed.query}" if parsed.query else "")
            conn.request("POST", path, body=urllib.parse.urlencode(fields), headers=headers)
            resp = conn.getresponse()
            data = resp.read()
        finally:
            conn.close()
        return resp.status, (json.loads(data) if data else {})

    def get_json(self, url: str) -> Any:
        """GET a JSON document from the provider (e.g. a discovery URL)."""
        parsed = urllib.parse.urlsplit(url)
        conn = self._connection()
        try:
            conn.request("GET", parsed.path + (f"?{parsed.query}" if parsed.query else ""))
            resp = conn.getresponse()
            data = resp.read()
        finally:
            conn.close()
        if resp.status != 200:
            raise ServerError(f"GET {url}: {resp.status}")
        return json.loads(data)

    # -- test-control API --------------------------------------------------------------
    def add_account(
        self,
        sub: str,
        password: str | None = None,
        rpps: str | None = None,
        **claims: str,
    ) -> OidcAccount:
        """Create an end user (``sub`` = mailbox address; ``rpps`` for CIBA's login_hint)."""
        account = OidcAccount(sub.lower(), password or secrets.token_hex(8), rpps)
        self.accounts[account.sub] = account
        if self._proc is not None:
            self._test_api(
                "POST",
                "/test/accounts",
                {"sub": account.sub, "password": account.password, "rpps": rpps, **claims},
            )
        return account

    def pending_ciba(self) -> list[CibaRequest]:
        """CIBA requests waiting for the user's approval."""
        return [CibaRequest(**_ciba_fields(r)) for r in self._test_api("GET", "/test/ciba/pending")]

    def wait_for_ciba(self, timeout: float = 10, sub: str | None = None) -> CibaRequest:
        """Wait until a CIBA request (for ``sub`` if given) is pending; return the latest."""
        found: list[CibaRequest] = []

        def any_pending() -> bool:
            found[:] = [r for r in self.pending_ciba() if sub is None or r.sub == sub.lower()]
            return bool(found)

        wait_until(any_pending, timeout, "a pending CIBA request", interval=0.05)
        return found[-1]

    def approve_ciba(
        self, auth_req_id: str | None = None, *, sub: str | None = None
    ) -> CibaRequest:
        """Approve a pending CIBA request (the latest matching one), as the e-CPS app would."""
        body = {"auth_req_id": auth_req_id, "sub": sub}
        return CibaRequest(**_ciba_fields(self._test_api("POST", "/test/ciba/approve", body)))

    def deny_ciba(self, auth_req_id: str | None = None, *, sub: str | None = None) -> CibaRequest:
        """Refuse a pending CIBA request (the poll then answers ``access_denied``)."""
        body = {"auth_req_id": auth_req_id, "sub": sub}
        return CibaRequest(**_ciba_fields(self._test_api("POST", "/test/ciba/deny", body)))

    def last_binding_message(self) -> str | None:
        """The ``binding_message`` of the last CIBA request received."""
        return self._test_api("GET", "/test/ciba/last-binding-message")["binding_message"]  # type: ignore[no-any-return]

    def revoke(self, sub: str) -> int:
        """Drop every grant, session and token of ``sub``: later refreshes are refused."""
        return int(self._test_api("POST", "/test/revoke", {"sub": sub})["revoked"])

    def set_token_ttls(
        self, *, access_token_ttl: int | None = None, refresh_token_ttl: int | None = None
    ) -> None:
        """Change token lifetimes for tokens issued from now on (reset after each test)."""
        self._ttls_changed = True
        ttls = {"access_token_ttl": access_token_ttl, "refresh_token_ttl": refresh_token_ttl}
        self._test_api("POST", "/test/config", {k: v for k, v in ttls.items() if v is not None})

    def reset_test_state(self) -> None:
        """Restore the configured token lifetimes if a test changed them."""
        if self._ttls_changed and self._proc is not None:
            self.set_token_ttls(
                access_token_ttl=self.access_token_ttl, refresh_token_ttl=self.refresh_token_ttl
            )
            self._ttls_changed = False

    def events(self) -> list[dict[str, Any]]:
        """Provider events so far (grant.success with grant_type, grant.error...)."""
        return self._test_api("GET", "/test/events")  # type: ignore[no-any-return]

    # -- flows (for tests of the servers themselves) ----------------------------------
    def introspect(self, token: str) -> dict[str, Any]:
        """Introspect ``token`` as the mail servers do (RFC 7662)."""
        _status, body = self.post_form(
            self.introspection_endpoint, {"token": token}, client=self.resource_server
        )
        return body

    def authorization_url(
        self,
        redirect_uri: str,
        *,
        client: OidcClient | None = None,
        scope: str = "openid scope_all",
        state: str | None = None,
        code_challenge: str | None = None,
        extra: Mapping[str, str] | None = None,
    ) -> str:
        """An authorization request URL (code flow, S256 PKCE when a challenge is given)."""
        client = client or self.public_client
        params = {
            "response_type": "code",
            "client_id": client.client_id,
            "redirect_uri": redirect_uri,
            "scope": scope,
            "state": state or secrets.token_urlsafe(12),
            "acr_values": "eidas1",
        }
        if code_challenge:
            params |= {"code_challenge": code_challenge, "code_challenge_method": "S256"}
        params |= dict(extra or {})
        return f"{self.authorization_endpoint}?{urllib.parse.urlencode(params)}"

    def login_with_code_flow(
        self, account: OidcAccount, *, client: OidcClient | None = None
    ) -> dict[str, Any]:
        """Run a whole code + PKCE flow with :func:`browser_login`; return the token response.

        A helper for tests that need tokens, not for testing the application's own flow.
        """
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        client = client or self.public_client
        received: dict[str, str] = {}

        class Callback(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                query = urllib.parse.urlsplit(self.path).query
                received.update(dict(urllib.parse.parse_qsl(query)))
                self.send_response(200)
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args: object) -> None:
                pass

        with ThreadingHTTPServer((LOOPBACK, 0), Callback) as server:
            thread = threading.Thread(target=server.serve_forever, daemon=True)
            thread.start()
            try:
                redirect_uri = f"http://{LOOPBACK}:{server.server_address[1]}/callback"
                verifier, challenge = pkce_pair()
                url = self.authorization_url(redirect_uri, client=client, code_challenge=challenge)
                browser_login(url, account.sub, account.password, ssl_context=self.ssl_context())
            finally:
                server.shutdown()
        if "code" not in received:
            raise LoginFailedError(f"no code received: {received}")
        status, tokens = self.post_form(
            self.token_endpoint,
            {
                "grant_type": "authorization_code",
                "code": received["code"],
                "redirect_uri": redirect_uri,
                "code_verifier": verifier,
            },
            client=client,
        )
        if status != 200:
            raise LoginFailedError(f"token endpoint answered {status}: {tokens}")
        return tokens


def _ciba_fields(record: Mapping[str, Any]) -> dict[str, Any]:
    names = (
        "auth_req_id",
        "sub",
        "client_id",
        "binding_message",
        "login_hint",
        "scope",
        "acr_values",
    )
    return {n: record.get(n) for n in names}


# ---------------------------------------------------------------------------------------------
class _FormParser(HTMLParser):
    """Collects the forms of a page: action, method and input fields."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []
        self.error: str | None = None
        self._in_error = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append(
                {
                    "id": a.get("id", ""),
                    "action": a.get("action", ""),
                    "method": a.get("method", "get"),
                    "fields": {},
                }
            )
        elif tag == "input" and self.forms and a.get("name"):
            self.forms[-1]["fields"][a["name"]] = a.get("value", "")
        elif a.get("id") in ("login-error", "error"):
            self._in_error = True

    def handle_data(self, data: str) -> None:
        if self._in_error:
            self.error = (self.error or "") + data

    def handle_endtag(self, tag: str) -> None:
        if tag in ("p", "pre"):
            self._in_error = False


class _Browser:
    """A minimal browser: cookies, redirects, form posts (http.client, no JavaScript)."""

    def __init__(self, ssl_context: ssl.SSLContext | None, timeout: float) -> None:
        self.jar = CookieJar()
        self.ssl_context = ssl_context
        self.timeout = timeout

    def request(self, method: str, url: str, body: bytes | None = None) -> tuple[int, str, bytes]:
        parts = urllib.parse.urlsplit(url)
        req = Request(url, data=body, method=method)
        self.jar.add_cookie_header(req)
        headers = {k: v for k, v in req.header_items()}
        headers["User-Agent"] = "Pli-test-browser/1.0"
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn: http.client.HTTPConnection
        if parts.scheme == "https":
            conn = http.client.HTTPSConnection(
                parts.hostname or "",
                parts.port or 443,
                timeout=self.timeout,
                context=self.ssl_context,
            )
        else:
            conn = http.client.HTTPConnection(
                parts.hostname or "", parts.port or 80, timeout=self.timeout
            )
        try:
            conn.request(
                method, parts.path + (f"?{parts.query}" if parts.query else ""), body, headers
            )
            resp = conn.getresponse()
            data = resp.read()

            class _Resp:  # what CookieJar.extract_cookies needs
                def info(self) -> Any:
                    return resp.msg

            self.jar.extract_cookies(_Resp(), req)  # type: ignore[arg-type]
            return resp.status, resp.getheader("location") or "", data
        finally:
            conn.close()


def browser_login(
    authorize_url: str,
    login: str,
    password: str,
    *,
    ssl_context: ssl.SSLContext | None = None,
    consent: bool = True,
    timeout: float = 10,
    max_steps: int = 20,
) -> str:
    """Play the system browser through the provider's login and consent pages.

    Follows redirects from ``authorize_url``, posts the login form (``login``/``password``) and
    the consent form (or the abort form when ``consent`` is False), and finally requests the
    loopback redirect URL, so the application's listener sees a real browser request.

    Returns:
        The redirect URL that was requested (carrying ``code``/``state`` or ``error``).

    Raises:
        LoginFailedError: wrong password, provider error page, or no redirect to the client.
    """
    browser = _Browser(ssl_context, timeout)
    provider_origin = urllib.parse.urlsplit(authorize_url)[:2]
    method, url, body = "GET", authorize_url, None
    for _ in range(max_steps):
        if urllib.parse.urlsplit(url)[:2] != provider_origin:
            # Leaving the provider: this is the client's redirect URI (loopback listener).
            with contextlib.suppress(OSError):
                browser.request("GET", url)
            return url
        status, location, data = browser.request(method, url, body)
        if status in (301, 302, 303, 307, 308):
            url = urllib.parse.urljoin(url, location)
            method, body = "GET", None
            continue
        page = _FormParser()
        page.feed(data.decode("utf-8", "replace"))
        if status != 200:
            raise LoginFailedError(
                f"provider answered {status} at {url}: {page.error or data[:300]!r}"
            )
        forms = {f["id"]: f for f in page.forms}
        if "login" in forms:
            if method == "POST" and page.error:
                raise LoginFailedError(f"login refused: {page.error.strip()}")
            form = forms["login"]
            fields = dict(form["fields"]) | {"login": login, "password": password}
        elif "consent" in forms:
            form = forms["consent"] if consent else forms["abort"]
            fields = dict(form["fields"])
        else:
            raise LoginFailedError(f"unexpected page at {url}: {page.error or data[:300]!r}")
        url = urllib.parse.urljoin(url, form["action"])
        method, body = "POST", urllib.parse.urlencode(fields).encode()
    raise LoginFailedError("too many steps without reaching the redirect URI")
