"""Finding a new mailbox's servers, and checking that Pli can log in to them.

Three sources, in this order (spec §2): the operator presets shipped in ``resources/operators``
(plus the profile's own), DNS SRV records (RFC 6186: ``_imap._tcp``, ``_imaps._tcp``,
``_submission._tcp``), then autoconfig files over HTTPS. Nothing found: the user types the
servers.

The token rule: an access token is only ever sent to a server that belongs to the mailbox's
domain, or that comes from a shipped preset, or that the user explicitly confirmed
(`AccountConfig.servers_confirmed`). `Discovery.trusted` says whether the proposal may be used
without asking; `AccountService.credentials` enforces it again at every login.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.config.resources import resource_path
from app.domain.account import (
    AccountConfig,
    AuthMethod,
    Endpoint,
    OidcSettings,
    Security,
    host_belongs_to_domain,
)
from app.domain.addresses import MailAddress
from app.domain.errors import KnownError, NetworkError
from app.services.account_service import Account, AccountService
from app.services.executors import SerialExecutor
from app.transport import discovery as dns

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class OperatorPreset:
    """One operator's settings (resources/operators/*.json)."""

    id: str
    name: str
    domains: tuple[str, ...]
    imap: Endpoint
    smtp: Endpoint
    auth: tuple[AuthMethod, ...] = (AuthMethod.OAUTH2, AuthMethod.PASSWORD)
    oidc: OidcSettings | None = None
    server_files_sent: bool = False
    verified: bool = False
    fictional: bool = False
    note: str = ""

    def serves(self, domain: str) -> bool:
        """Whether this operator serves `domain` (exact, or ``*.suffix``)."""
        domain = domain.lower().rstrip(".")
        for pattern in self.domains:
            pattern = pattern.lower()
            if pattern.startswith("*."):
                if domain.endswith(pattern[1:]):
                    return True
            elif domain == pattern:
                return True
        return False

    @classmethod
    def from_json_dict(cls, data: dict[str, Any]) -> OperatorPreset:
        """Parse one preset file's content.

        Raises:
            KeyError, ValueError, TypeError: malformed preset.
        """

        def endpoint(raw: dict[str, Any]) -> Endpoint:
            return Endpoint(str(raw["host"]), int(raw["port"]), Security(raw["security"]))

        oidc_raw = data.get("oidc")
        oidc = None
        if oidc_raw:
            oidc = OidcSettings(
                issuer=str(oidc_raw["issuer"]),
                client_id=str(oidc_raw.get("client_id") or ""),
                discovery_url=oidc_raw.get("discovery_url"),
                flow=str(oidc_raw.get("flow") or "browser"),
            )
        return cls(
            id=str(data["id"]),
            name=str(data["name"]),
            domains=tuple(str(d) for d in data["domains"]),
            imap=endpoint(data["imap"]),
            smtp=endpoint(data["smtp"]),
            auth=tuple(AuthMethod(a) for a in data.get("auth") or ("password",)),
            oidc=oidc,
            server_files_sent=bool(data.get("server_files_sent", False)),
            verified=bool(data.get("verified", False)),
            fictional=bool(data.get("fictional", False)),
            note=str(data.get("note") or ""),
        )


def load_presets(folders: Sequence[Path]) -> list[OperatorPreset]:
    """Every preset of `folders`, later folders replacing same-id presets; bad files skipped."""
    by_id: dict[str, OperatorPreset] = {}
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.json")):
            try:
                preset = OperatorPreset.from_json_dict(json.loads(path.read_text("utf-8")))
            except (OSError, ValueError, KeyError, TypeError):
                log.warning("operator preset %s is malformed; skipped", path.name)
                continue
            by_id[preset.id] = preset
    return list(by_id.values())


@dataclass(frozen=True)
class Discovery:
    """What was found for an address.

    Attributes:
        source: "preset", "srv", "autoconfig" or "none" (type the servers).
        trusted: the servers may receive a token without asking the user (shipped preset, or
            every host inside the mailbox's domain).
    """

    source: str
    imap: Endpoint | None = None
    smtp: Endpoint | None = None
    preset: OperatorPreset | None = None
    username: str | None = None
    trusted: bool = False


@dataclass(frozen=True)
class CheckResult:
    """One server's check: ``ok``, or the error code and its parameters."""

    protocol: str  # "IMAP" or "SMTP"
    ok: bool
    error: KnownError | None = None


def servers_trusted(address: str, *endpoints: Endpoint) -> bool:
    """Whether every server belongs to the address's domain (the token rule, spec §2)."""
    domain = MailAddress.parse(address).domain
    return all(host_belongs_to_domain(e.host, domain) for e in endpoints)


@dataclass
class DiscoveryService:
    """Presets, SRV and autoconfig discovery, and the connection check of the wizard.

    Args:
        accounts: the account service (its sessions are the ones the check opens).
        preset_folders: where presets are read (shipped first, then the profile's own).
        resolvers: DNS servers to ask (None: the system's; tests give a loopback one).
        autoconfig_urls: where autoconfig files are looked for (tests: a loopback server).
    """

    accounts: AccountService
    preset_folders: Sequence[Path] = field(default_factory=lambda: [resource_path("operators")])
    resolvers: list[tuple[str, int]] | None = None
    autoconfig_urls: Callable[[str, str], list[str]] = dns.autoconfig_urls
    dns_timeout: float = 3.0
    _presets: list[OperatorPreset] | None = field(default=None, init=False, repr=False)

    @classmethod
    def for_profile(cls, accounts: AccountService, profile_root: Path) -> DiscoveryService:
        """Shipped presets, then the profile's ``operators/`` folder."""
        return cls(accounts, [resource_path("operators"), profile_root / "operators"])

    async def presets(self) -> list[OperatorPreset]:
        """Every preset (read once)."""
        if self._presets is None:
            self._presets = await asyncio.to_thread(load_presets, list(self.preset_folders))
        return self._presets

    async def preset_for(self, address: str) -> OperatorPreset | None:
        """The operator serving the address's domain, if a preset knows it."""
        domain = MailAddress.parse(address).domain
        for preset in await self.presets():
            if preset.serves(domain):
                return preset
        return None

    async def discover(self, address: str) -> Discovery:
        """Presets, then SRV, then autoconfig; ``source="none"`` when nothing is found.

        Raises:
            ValidationError: ``address.malformed``.
        """
        domain = MailAddress.parse(address).domain
        preset = await self.preset_for(address)
        if preset is not None:
            return Discovery("preset", preset.imap, preset.smtp, preset, trusted=True)
        found = await self._srv(domain)
        if found is not None:
            imap, smtp = found
            return Discovery("srv", imap, smtp, trusted=servers_trusted(address, imap, smtp))
        auto = await self._autoconfig(domain, address)
        if auto is not None:
            return auto
        return Discovery("none")

    async def _srv(self, domain: str) -> tuple[Endpoint, Endpoint] | None:
        async def first(service: str) -> dns.SrvRecord | None:
            try:
                records = await asyncio.to_thread(
                    dns.lookup_srv, f"{service}.{domain}", self.resolvers, timeout=self.dns_timeout
                )
            except NetworkError:
                return None
            return records[0] if records else None

        imaps, imap, submission = await asyncio.gather(
            first("_imaps._tcp"), first("_imap._tcp"), first("_submission._tcp")
        )
        if submission is None or (imaps is None and imap is None):
            return None
        # RFC 6186 §3.4: implicit TLS preferred when both are offered at equal priority.
        if imaps is not None and (imap is None or imaps.priority <= imap.priority):
            incoming = Endpoint(imaps.target, imaps.port, Security.TLS)
        else:
            assert imap is not None
            incoming = Endpoint(imap.target, imap.port, Security.STARTTLS)
        smtp_security = Security.TLS if submission.port == 465 else Security.STARTTLS
        return incoming, Endpoint(submission.target, submission.port, smtp_security)

    async def _autoconfig(self, domain: str, address: str) -> Discovery | None:
        for url in self.autoconfig_urls(domain, address):
            try:
                data = await asyncio.to_thread(dns.fetch_autoconfig, url)
            except NetworkError:
                continue
            if data is None:
                continue
            hints = dns.parse_autoconfig(data, address)
            imap = _pick(hints, "imap")
            smtp = _pick(hints, "smtp")
            if imap is None or smtp is None:
                continue
            imap_endpoint, username = imap
            smtp_endpoint, _ = smtp
            return Discovery(
                "autoconfig",
                imap_endpoint,
                smtp_endpoint,
                username=None if username == address else username,
                trusted=servers_trusted(address, imap_endpoint, smtp_endpoint),
            )
        return None

    # -- the connection check --------------------------------------------------------------

    async def check(self, account: Account) -> list[CheckResult]:
        """Log in to the account's IMAP then SMTP server, and log out; one result each.

        Uses the same path as sync and sending (`AccountService.imap_session` /
        `smtp_submitter`): TLS policy, revocation, the token rule, the audit trail.
        """
        results: list[CheckResult] = []
        executor = SerialExecutor("check")
        try:
            for protocol in ("IMAP", "SMTP"):
                try:
                    if protocol == "IMAP":
                        session: Any = await self.accounts.imap_session(account, executor)
                    else:
                        session = await self.accounts.smtp_submitter(account, executor)
                except KnownError as error:
                    results.append(CheckResult(protocol, False, error))
                    continue
                await executor.run(session.close)
                results.append(CheckResult(protocol, True))
        finally:
            executor.shutdown(wait=False)
        return results


def _pick(hints: list[dns.ServerHint], protocol: str) -> tuple[Endpoint, str] | None:
    """The first usable hint for `protocol` (never plaintext: spec §2)."""
    for hint in hints:
        if hint.protocol != protocol:
            continue
        kind = hint.socket_type.upper()
        if kind == "SSL":
            return Endpoint(hint.host, hint.port, Security.TLS), hint.username
        if kind == "STARTTLS":
            return Endpoint(hint.host, hint.port, Security.STARTTLS), hint.username
    return None


def config_from_discovery(
    base: AccountConfig, found: Discovery, *, confirmed: bool = False
) -> AccountConfig:
    """`base` with the servers found (and `servers_confirmed` per the token rule)."""
    from dataclasses import replace

    if found.imap is None or found.smtp is None:
        return base
    trusted = found.trusted or confirmed
    return replace(
        base,
        imap=found.imap,
        smtp=found.smtp,
        username=found.username or base.username,
        servers_confirmed=trusted and not servers_trusted(base.address, found.imap, found.smtp),
    )
