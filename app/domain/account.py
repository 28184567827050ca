"""Mailbox accounts: servers, security, authentication and the sender's identity."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

from app.domain.addresses import MailAddress
from app.domain.errors import ValidationError


class Security(StrEnum):
    """How the connection is secured. Never plaintext (spec §2, ECO.1.0.1/1.0.2)."""

    STARTTLS = "starttls"
    TLS = "tls"


class BoxType(StrEnum):
    """Mailbox types of the directory (spec §1)."""

    PER = "PER"  # nominative
    CAB = "CAB"  # practice
    ORG = "ORG"  # organisational
    APP = "APP"  # applicative


class AuthMethod(StrEnum):
    """How the account logs in."""

    PASSWORD = "password"  # noqa: S105 - a method name, not a secret (SASL PLAIN/LOGIN)
    OAUTH2 = "oauth2"  # SASL XOAUTH2 with a Pro Santé Connect access token (ECO.1.2.1)
    EXTERNAL = "external"  # SASL EXTERNAL: the client TLS certificate identifies the box


DEFAULT_PORTS = {
    (Security.STARTTLS, "imap"): 143,
    (Security.STARTTLS, "smtp"): 587,
    (Security.TLS, "imap"): 993,
    (Security.TLS, "smtp"): 465,
}


@dataclass(frozen=True)
class Endpoint:
    """A server and how to reach it."""

    host: str
    port: int
    security: Security

    @classmethod
    def parse(cls, text: str, security: Security, protocol: str) -> Endpoint:
        """``host`` or ``host:port`` (``[v6]:port`` for IPv6)."""
        text = text.strip()
        host, port = text, DEFAULT_PORTS[(security, protocol)]
        if text.startswith("["):
            end = text.find("]")
            if end < 0:
                raise ValidationError("endpoint.malformed", value=text)
            host = text[1:end]
            rest = text[end + 1 :]
            if rest.startswith(":"):
                port = _port(rest[1:], text)
        elif text.count(":") == 1:
            host, port_text = text.split(":")
            port = _port(port_text, text)
        if not host:
            raise ValidationError("endpoint.malformed", value=text)
        return cls(host, port, security)

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"


def _port(text: str, whole: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise ValidationError("endpoint.malformed", value=whole)
    return int(text)


@dataclass(frozen=True)
class OidcSettings:
    """The OpenID Connect provider (Pro Santé Connect in production, spec §2).

    No secret ships with Pli: the client is public (PKCE), or its secret is typed by the
    administrator (kept encrypted in the archive), or a token broker run by the editor holds it.
    """

    issuer: str
    client_id: str
    #: Discovery document URL. PSC serves it at a non-standard path
    #: (``…/.well-known/wallet-openid-configuration``); None means the standard path.
    discovery_url: str | None = None
    #: "none" (public client), "secret" (client_secret_basic), "broker" (token_endpoint replaced
    #: by the editor's broker URL, which adds the client's credentials).
    client_auth: str = "none"
    broker_url: str | None = None
    scope: str = "openid scope_all"
    acr_values: str = "eidas1"
    #: "browser" (authorization code + PKCE in the system browser) or "ciba" (poll mode).
    flow: str = "browser"
    #: CIBA login hint: ``8`` + the practitioner's RPPS (spec §2).
    rpps: str | None = None
    #: Trust store for the provider's HTTPS (None: the system's certificate authorities).
    ca_file: str | None = None


@dataclass(frozen=True)
class Identity:
    """Who writes: the From display name is built from it (spec §3, ECO.2.2.7)."""

    title: str = ""
    given_name: str = ""
    family_name: str = ""
    entity: str = ""


@dataclass(frozen=True)
class AccountConfig:
    """Everything about a mailbox account except its secrets."""

    name: str
    address: str
    imap: Endpoint
    smtp: Endpoint
    box_type: BoxType = BoxType.PER
    username: str | None = None
    auth: AuthMethod = AuthMethod.PASSWORD
    #: Trust store (PEM file). None: the IGC-Santé certificates shipped with Pli.
    ca_file: str | None = None
    #: A client TLS certificate is stored (encrypted) with the account.
    client_certificate: bool = False
    oidc: OidcSettings | None = None
    identity: Identity = field(default_factory=Identity)
    #: Return box: the patients' replies go there (spec §3, typically the practice's ORG box).
    reply_to: str | None = None
    #: The submission server files a copy in Sent itself: no IMAP APPEND.
    server_files_sent: bool = False
    #: The user confirmed these hand-typed servers belong to the mailbox's operator, so an
    #: access token may be sent to them (spec §2).
    servers_confirmed: bool = False
    #: Pli's demonstration mailbox (`app.services.demo`): local servers, fictional content.
    demo: bool = False
    #: The mailbox was removed but its archive kept: no secrets, no connection ever again,
    #: its messages readable and searchable offline (`AccountService.retire`).
    retired: bool = False

    def __post_init__(self) -> None:
        MailAddress.parse(self.address)

    @property
    def login(self) -> str:
        """The user name given to the servers (the address unless set)."""
        return self.username or self.address

    def to_json_dict(self) -> dict[str, Any]:
        """Plain JSON-able form (stored in the archive's `accounts.config`)."""
        return asdict(self)

    @classmethod
    def from_json_dict(cls, data: dict[str, Any]) -> AccountConfig:
        """Inverse of `to_json_dict`."""
        values = dict(data)
        values["imap"] = _endpoint(values["imap"])
        values["smtp"] = _endpoint(values["smtp"])
        values["box_type"] = BoxType(values.get("box_type", "PER"))
        values["auth"] = AuthMethod(values.get("auth", "password"))
        oidc = values.get("oidc")
        values["oidc"] = OidcSettings(**oidc) if oidc else None
        values["identity"] = Identity(**values.get("identity") or {})
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in values.items() if k in known})


def _endpoint(data: dict[str, Any]) -> Endpoint:
    return Endpoint(str(data["host"]), int(data["port"]), Security(data["security"]))


def host_belongs_to_domain(host: str, domain: str) -> bool:
    """Whether a server name is inside the mailbox's domain (for sending tokens, spec §2)."""
    host, domain = host.lower().rstrip("."), domain.lower().rstrip(".")
    return host == domain or host.endswith("." + domain)
