"""Finding a mailbox's servers: DNS SRV records (RFC 6186) and autoconfig files (spec §2).

Blocking adapters, no asyncio. The DNS client is a small one of our own over UDP (stdlib
`socket`): one question, one answer, with name compression; it asks the resolvers of
``/etc/resolv.conf`` (or the address given, for tests). The autoconfig reader fetches the
Thunderbird-style ``config-v1.1.xml`` over HTTPS and parses it with defusedxml.

What is found here is only a proposal: the service layer decides whether a token may be sent
to it (the host must belong to the mailbox's domain, or the user must confirm it).
"""

from __future__ import annotations

import logging
import secrets
import socket
import ssl
import struct
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from defusedxml import ElementTree as SafeET

from app.domain.errors import NetworkError

log = logging.getLogger(__name__)

TYPE_SRV = 33
CLASS_IN = 1
DNS_PORT = 53
#: Autoconfig files are small; anything bigger is refused.
MAX_AUTOCONFIG_BYTES = 256 * 1024


@dataclass(frozen=True)
class SrvRecord:
    """One SRV answer (RFC 2782)."""

    priority: int
    weight: int
    port: int
    target: str


@dataclass(frozen=True)
class ServerHint:
    """A server an autoconfig file proposes."""

    protocol: str  # "imap" or "smtp"
    host: str
    port: int
    socket_type: str  # "SSL", "STARTTLS" or "plain" (never used: spec §2)
    username: str
    authentication: str


def system_resolvers(path: Path = Path("/etc/resolv.conf")) -> list[tuple[str, int]]:
    """The name servers of ``resolv.conf`` (Linux); empty when unreadable."""
    try:
        text = path.read_text(encoding="ascii", errors="replace")
    except OSError:
        return []
    found: list[tuple[str, int]] = []
    for line in text.splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[0] == "nameserver":
            found.append((parts[1], DNS_PORT))
    return found


def encode_name(name: str) -> bytes:
    """A domain name in DNS wire format."""
    out = bytearray()
    for label in name.rstrip(".").split("."):
        raw = label.encode("idna") if label else b""
        if not raw or len(raw) > 63:
            raise NetworkError("discovery.bad_name")
        out += bytes([len(raw)]) + raw
    return bytes(out) + b"\x00"


def build_query(name: str, qtype: int = TYPE_SRV, ident: int | None = None) -> bytes:
    """A recursive DNS query for one question."""
    ident = secrets.randbelow(65536) if ident is None else ident
    header = struct.pack("!HHHHHH", ident, 0x0100, 1, 0, 0, 0)
    return header + encode_name(name) + struct.pack("!HH", qtype, CLASS_IN)


def _read_name(data: bytes, offset: int) -> tuple[str, int]:
    """Decode a (possibly compressed) name; returns it and the offset after it."""
    labels: list[str] = []
    end: int | None = None
    jumps = 0
    while True:
        if offset >= len(data):
            raise NetworkError("discovery.bad_answer")
        length = data[offset]
        if length & 0xC0 == 0xC0:
            if offset + 1 >= len(data) or jumps > 20:
                raise NetworkError("discovery.bad_answer")
            pointer = ((length & 0x3F) << 8) | data[offset + 1]
            if end is None:
                end = offset + 2
            offset = pointer
            jumps += 1
            continue
        offset += 1
        if length == 0:
            break
        labels.append(data[offset : offset + length].decode("ascii", errors="replace"))
        offset += length
    return ".".join(labels), (end if end is not None else offset)


def parse_srv_response(data: bytes, ident: int) -> list[SrvRecord]:
    """The SRV records of an answer, sorted by priority then weight (highest first).

    Raises:
        NetworkError: ``discovery.bad_answer`` (truncated, wrong id, server failure).
    """
    if len(data) < 12:
        raise NetworkError("discovery.bad_answer")
    rid, flags, qd, an, _ns, _ar = struct.unpack("!HHHHHH", data[:12])
    if rid != ident or not flags & 0x8000:
        raise NetworkError("discovery.bad_answer")
    rcode = flags & 0x000F
    if rcode == 3:  # NXDOMAIN: no such record
        return []
    if rcode != 0:
        raise NetworkError("discovery.bad_answer")
    offset = 12
    for _ in range(qd):
        _name, offset = _read_name(data, offset)
        offset += 4
    records: list[SrvRecord] = []
    for _ in range(an):
        _name, offset = _read_name(data, offset)
        if offset + 10 > len(data):
            raise NetworkError("discovery.bad_answer")
        rtype, _rclass, _ttl, length = struct.unpack("!HHIH", data[offset : offset + 10])
        offset += 10
        rdata_end = offset + length
        if rtype == TYPE_SRV and length >= 7:
            priority, weight, port = struct.unpack("!HHH", data[offset : offset + 6])
            target, _ = _read_name(data, offset + 6)
            if target not in ("", "."):  # "." means "no such service" (RFC 2782)
                records.append(SrvRecord(priority, weight, port, target.rstrip(".")))
        offset = rdata_end
    records.sort(key=lambda r: (r.priority, -r.weight))
    return records


def lookup_srv(
    name: str,
    resolvers: list[tuple[str, int]] | None = None,
    *,
    timeout: float = 3.0,
) -> list[SrvRecord]:
    """Ask the resolvers for `name`'s SRV records (the first that answers wins).

    Raises:
        NetworkError: ``discovery.dns_unreachable`` when no resolver answered.
    """
    servers = resolvers if resolvers is not None else system_resolvers()
    for host, port in servers:
        ident = secrets.randbelow(65536)
        query = build_query(name, TYPE_SRV, ident)
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        with socket.socket(family, socket.SOCK_DGRAM) as sock:
            sock.settimeout(timeout)
            try:
                sock.sendto(query, (host, port))
                while True:
                    data, _peer = sock.recvfrom(4096)
                    try:
                        return parse_srv_response(data, ident)
                    except NetworkError:
                        if len(data) >= 2 and struct.unpack("!H", data[:2])[0] != ident:
                            continue  # someone else's answer: keep waiting
                        raise
            except OSError:
                log.info("DNS resolver did not answer")
                continue
    raise NetworkError("discovery.dns_unreachable")


def autoconfig_urls(domain: str, address: str) -> list[str]:
    """Where autoconfig files are looked for (HTTPS only: the answer decides where we log in)."""
    query = urllib.parse.quote(address, safe="@")
    return [
        f"https://autoconfig.{domain}/mail/config-v1.1.xml?emailaddress={query}",
        f"https://{domain}/.well-known/autoconfig/mail/config-v1.1.xml",
    ]


def fetch_autoconfig(
    url: str, *, context: ssl.SSLContext | None = None, timeout: float = 5.0
) -> bytes | None:
    """The file at `url`, or None when there is none (404, unreachable, too big)."""
    if not url.startswith(("https://", "http://127.0.0.1", "http://localhost")):
        raise NetworkError("discovery.insecure_url")
    request = urllib.request.Request(url, headers={"User-Agent": "Pli"})  # noqa: S310
    try:
        with urllib.request.urlopen(  # noqa: S310 - scheme checked above
            request, timeout=timeout, context=context
        ) as response:
            data: bytes = response.read(MAX_AUTOCONFIG_BYTES + 1)
    except (urllib.error.URLError, OSError, ValueError):
        return None
    if len(data) > MAX_AUTOCONFIG_BYTES:
        return None
    return data


def parse_autoconfig(data: bytes, address: str) -> list[ServerHint]:
    """The incoming and outgoing servers of a ``config-v1.1.xml`` (placeholders filled)."""
    try:
        root = SafeET.fromstring(data)
    except Exception:  # noqa: BLE001 - any malformed or hostile XML means "no proposal"
        return []
    local, _, domain = address.partition("@")
    hints: list[ServerHint] = []
    for tag, protocol, wanted in (
        ("incomingServer", "imap", "imap"),
        ("outgoingServer", "smtp", "smtp"),
    ):
        for node in root.iter(tag):
            if (node.get("type") or "").lower() != wanted:
                continue
            host = (node.findtext("hostname") or "").strip()
            port_text = (node.findtext("port") or "").strip()
            if not host or not port_text.isdigit():
                continue
            username = (node.findtext("username") or "%EMAILADDRESS%").strip()
            username = (
                username.replace("%EMAILADDRESS%", address)
                .replace("%EMAILLOCALPART%", local)
                .replace("%EMAILDOMAIN%", domain)
            )
            hints.append(
                ServerHint(
                    protocol=protocol,
                    host=host.replace("%EMAILDOMAIN%", domain),
                    port=int(port_text),
                    socket_type=(node.findtext("socketType") or "").strip(),
                    username=username,
                    authentication=(node.findtext("authentication") or "").strip(),
                )
            )
    return hints
