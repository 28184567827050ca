"""Server discovery: presets, DNS SRV (RFC 6186) from a real UDP DNS server on loopback, and
autoconfig files from a loopback HTTP server; the token rule on what is found."""

from __future__ import annotations

import socket
import struct
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from app.config.paths import AppPaths
from app.config.settings import Settings
from app.domain.account import AccountConfig, Endpoint, Security
from app.services.account_service import AccountService
from app.services.discovery_service import (
    DiscoveryService,
    config_from_discovery,
    load_presets,
)
from app.services.event_bus import EventBus
from app.transport import discovery as dns
from tests.servers.http_files import HttpFileServer


@dataclass
class LoopbackDns:
    """A tiny authoritative DNS server on 127.0.0.1 (UDP) answering SRV questions.

    `records` maps a query name to ``[(priority, weight, port, target)]``; other names get
    NXDOMAIN. Every question received is kept in `asked`.
    """

    records: dict[str, list[tuple[int, int, int, str]]] = field(default_factory=dict)
    asked: list[str] = field(default_factory=list)
    compress: bool = True

    def __post_init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def address(self) -> tuple[str, int]:
        host, port = self.sock.getsockname()[:2]
        return str(host), int(port)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self.sock.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                data, peer = self.sock.recvfrom(512)
            except TimeoutError:
                continue
            except OSError:
                return
            self.sock.sendto(self.answer(data), peer)

    def answer(self, query: bytes) -> bytes:
        ident = struct.unpack("!H", query[:2])[0]
        offset, labels = 12, []
        while query[offset]:
            length = query[offset]
            labels.append(query[offset + 1 : offset + 1 + length].decode())
            offset += 1 + length
        question = query[12 : offset + 5]
        name = ".".join(labels).lower()
        self.asked.append(name)
        found = self.records.get(name)
        if found is None:
            return struct.pack("!HHHHHH", ident, 0x8183, 1, 0, 0, 0) + question
        body = b""
        for priority, weight, port, target in found:
            rdata = struct.pack("!HHH", priority, weight, port) + dns.encode_name(target)
            owner = b"\xc0\x0c" if self.compress else dns.encode_name(name)
            body += owner + struct.pack("!HHIH", 33, 1, 60, len(rdata)) + rdata
        header = struct.pack("!HHHHHH", ident, 0x8180, 1, len(found), 0, 0)
        return header + question + body


@pytest.fixture
def loopback_dns() -> Iterator[LoopbackDns]:
    server = LoopbackDns()
    yield server
    server.close()


@pytest.fixture
def accounts(tmp_path: Path) -> AccountService:
    # Discovery never touches the archive: an account service without one is enough here.
    return AccountService(None, AppPaths.at(tmp_path), Settings(), EventBus())  # type: ignore[arg-type]


def test_dns_client_reads_srv_records_from_a_loopback_server(loopback_dns: LoopbackDns) -> None:
    loopback_dns.records["_imaps._tcp.cabinet-test.mssante.fr"] = [
        (20, 0, 1993, "backup.cabinet-test.mssante.fr"),
        (10, 5, 993, "imap.cabinet-test.mssante.fr"),
    ]
    records = dns.lookup_srv("_imaps._tcp.cabinet-test.mssante.fr", [loopback_dns.address])
    assert [(r.priority, r.port, r.target) for r in records] == [
        (10, 993, "imap.cabinet-test.mssante.fr"),
        (20, 1993, "backup.cabinet-test.mssante.fr"),
    ]
    assert dns.lookup_srv("_imap._tcp.nothing.fr", [loopback_dns.address]) == []
    loopback_dns.compress = False
    again = dns.lookup_srv("_imaps._tcp.cabinet-test.mssante.fr", [loopback_dns.address])
    assert again[0].target == "imap.cabinet-test.mssante.fr"


def test_dns_client_says_when_no_resolver_answers() -> None:
    silent = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    silent.bind(("127.0.0.1", 0))
    try:
        with pytest.raises(dns.NetworkError) as caught:
            dns.lookup_srv("_imap._tcp.x.fr", [silent.getsockname()[:2]], timeout=0.3)
        assert caught.value.code == "discovery.dns_unreachable"
    finally:
        silent.close()


async def test_discovery_by_srv_inside_the_domain_is_trusted(
    loopback_dns: LoopbackDns, accounts: AccountService
) -> None:
    domain = "cabinet-test.mssante.fr"
    loopback_dns.records[f"_imap._tcp.{domain}"] = [(0, 1, 143, f"imap.{domain}")]
    loopback_dns.records[f"_submission._tcp.{domain}"] = [(0, 1, 587, f"smtp.{domain}")]
    service = DiscoveryService(accounts, [], resolvers=[loopback_dns.address])
    found = await service.discover(f"marie.martin@{domain}")
    assert found.source == "srv"
    assert found.imap == Endpoint(f"imap.{domain}", 143, Security.STARTTLS)
    assert found.smtp == Endpoint(f"smtp.{domain}", 587, Security.STARTTLS)
    assert found.trusted
    assert f"_submission._tcp.{domain}" in loopback_dns.asked


async def test_srv_pointing_outside_the_domain_needs_confirmation(
    loopback_dns: LoopbackDns, accounts: AccountService
) -> None:
    domain = "cabinet-test.mssante.fr"
    loopback_dns.records[f"_imaps._tcp.{domain}"] = [(0, 1, 993, "mail.elsewhere.example")]
    loopback_dns.records[f"_submission._tcp.{domain}"] = [(0, 1, 465, "mail.elsewhere.example")]
    service = DiscoveryService(accounts, [], resolvers=[loopback_dns.address])
    found = await service.discover(f"a@{domain}")
    assert found.source == "srv" and not found.trusted
    assert found.imap == Endpoint("mail.elsewhere.example", 993, Security.TLS)
    assert found.smtp is not None and found.smtp.security is Security.TLS
    base = AccountConfig(
        name="a",
        address=f"a@{domain}",
        imap=Endpoint("x", 1, Security.TLS),
        smtp=Endpoint("x", 1, Security.TLS),
    )
    assert not config_from_discovery(base, found).servers_confirmed
    assert config_from_discovery(base, found, confirmed=True).servers_confirmed


SHIPPED = Path(__file__).resolve().parents[2] / "resources" / "operators"

AUTOCONFIG = b"""<?xml version="1.0"?>
<clientConfig version="1.1"><emailProvider id="x">
 <incomingServer type="pop3"><hostname>pop.%EMAILDOMAIN%</hostname><port>995</port>
  <socketType>SSL</socketType></incomingServer>
 <incomingServer type="imap"><hostname>imap.%EMAILDOMAIN%</hostname><port>143</port>
  <socketType>plain</socketType><username>%EMAILADDRESS%</username></incomingServer>
 <incomingServer type="imap"><hostname>imap.%EMAILDOMAIN%</hostname><port>993</port>
  <socketType>SSL</socketType><username>%EMAILLOCALPART%</username></incomingServer>
 <outgoingServer type="smtp"><hostname>smtp.%EMAILDOMAIN%</hostname><port>587</port>
  <socketType>STARTTLS</socketType></outgoingServer>
</emailProvider></clientConfig>"""


async def test_autoconfig_from_a_loopback_http_server(
    loopback_dns: LoopbackDns, accounts: AccountService, http_files: HttpFileServer
) -> None:
    domain = "auto-test.mssante.fr"
    path = f"/{domain}/config-v1.1.xml"
    http_files.set(path, AUTOCONFIG, "text/xml")
    service = DiscoveryService(
        accounts,
        [],
        resolvers=[loopback_dns.address],
        autoconfig_urls=lambda d, _a: [http_files.url(f"/{d}/missing.xml"), http_files.url(path)],
    )
    found = await service.discover(f"jean.dupont@{domain}")
    assert found.source == "autoconfig"
    # plaintext IMAP on 143 is never proposed (spec §2): the SSL one is
    assert found.imap == Endpoint(f"imap.{domain}", 993, Security.TLS)
    assert found.smtp == Endpoint(f"smtp.{domain}", 587, Security.STARTTLS)
    assert found.username == "jean.dupont"
    assert found.trusted
    assert http_files.requests_for(path)


async def test_nothing_found_means_manual_servers(
    loopback_dns: LoopbackDns, accounts: AccountService
) -> None:
    service = DiscoveryService(
        accounts, [], resolvers=[loopback_dns.address], autoconfig_urls=lambda _d, _a: []
    )
    found = await service.discover("x@inconnu-test.fr")
    assert found.source == "none" and found.imap is None


async def test_shipped_presets_recognise_an_operator_from_the_domain(
    accounts: AccountService, tmp_path: Path
) -> None:
    shipped = load_presets([SHIPPED])
    assert {p.id for p in shipped} >= {"mailiz", "ght-exemple", "editeur-exemple"}
    assert all(not p.verified for p in shipped)  # nothing claims to be checked
    own = tmp_path / "operators"
    own.mkdir()
    (own / "mine.json").write_text(
        '{"id": "ght-exemple", "name": "Mon GHT", "domains": ["*.ght-exemple.mssante.fr"],'
        ' "imap": {"host": "imap.mon-ght.fr", "port": 993, "security": "tls"},'
        ' "smtp": {"host": "smtp.mon-ght.fr", "port": 465, "security": "tls"},'
        ' "auth": ["password"]}',
        encoding="utf-8",
    )
    (own / "broken.json").write_text("{", encoding="utf-8")
    service = DiscoveryService.for_profile(accounts, tmp_path)
    mailiz = await service.discover("marie.martin@medecin.mssante.fr")
    assert mailiz.source == "preset" and mailiz.preset is not None
    assert mailiz.preset.id == "mailiz" and mailiz.trusted
    mine = await service.discover("a@chu.ght-exemple.mssante.fr")
    assert mine.preset is not None and mine.preset.name == "Mon GHT"
    assert mine.imap == Endpoint("imap.mon-ght.fr", 993, Security.TLS)
