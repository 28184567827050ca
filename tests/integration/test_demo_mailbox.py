"""The demo mailbox end to end: Pli's real services over the demo's own IMAP and SMTP servers.

Nothing is mocked: `services.demo.start()` starts pymap and aiosmtpd on 127.0.0.1, the account
talks to them through Pli's transport with STARTTLS, the demo CA and the revocation check in
``require`` mode (the demo's CRL is pre-seeded in the profile's CRL cache).
"""

from __future__ import annotations

import asyncio
import imaplib
import logging
import ssl
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from app.config.paths import AppPaths
from app.config.settings import Settings, TlsSettings
from app.domain.account import Security
from app.domain.documents import DocumentKind
from app.domain.errors import NotFoundError, ServerError
from app.domain.events import NewMail
from app.domain.message import Flag
from app.services.account_service import Account
from app.services.compose_service import Outgoing
from app.services.container import Services
from app.services.demo.pki import crl_cache_path
from app.services.profile import open_services
from app.store.repositories.messages import SearchFilters

pytestmark = pytest.mark.integration

ROUSSEL = "285067512304562"
LEROUX = "148013307802185"
COLIN = "152078304006621"
GARNIER = "291011305508762"


async def open_profile(root: Path) -> Services:
    async def passphrase(_new: bool) -> str:
        return "phrase de passe de la démo"

    settings = Settings(tls=TlsSettings(revocation="require"))
    return await open_services(AppPaths.at(root), settings, passphrase, prefer_passphrase=True)


@pytest.fixture
async def services(tmp_path: Path) -> AsyncIterator[Services]:
    opened = await open_profile(tmp_path / "profile")
    try:
        yield opened
    finally:
        await opened.aclose()


async def synced(services: Services, account: Account) -> None:
    await services.sync.sync(account)
    await services.incoming.examine()


async def all_messages(services: Services, account: Account) -> list:
    return await services.archive.messages(SearchFilters(account_id=account.id, limit=-1))


async def test_the_demo_inbox_as_pli_reads_it(services: Services, caplog) -> None:
    caplog.set_level(logging.DEBUG, logger="app.services.demo")
    account = await services.demo.start()

    # A clearly labelled demo account, on loopback, trusting the demo CA only.
    assert services.demo.running
    assert services.demo.is_demo(account) and account.config.demo
    assert account.name == "Démo"
    assert account.address == "marie.martin@demo.mssante.fr"
    assert account.config.imap.host == account.config.smtp.host == "127.0.0.1"
    assert account.config.imap.security is Security.STARTTLS
    assert account.config.smtp.security is Security.STARTTLS
    assert account.config.ca_file == str(services.paths.root / "demo" / "ca.pem")
    assert any("demo server listening" in r.getMessage() for r in caplog.records)

    await synced(services, account)
    folders = {f.name: f for f in await services.archive.folders(account)}
    assert {f.role for f in folders.values()} >= {"inbox", "sent", "drafts", "trash", "archive"}
    assert folders["INBOX"].messages >= 10 and folders["INBOX"].unread >= 5
    assert folders["Sent"].messages >= 5 and folders["Archives"].messages >= 2
    # A quota gauge: what the mailbox uses against the demo's 1 GiB (RFC 9208).
    quota = await services.sync.quota(account)
    assert quota is not None
    used, limit = quota
    assert limit == 1024 * 1024 and 20 < used < 1024

    messages = await all_messages(services, account)
    assert all(m.archived for m in messages)
    inbox = [m for m in messages if m.folder == "INBOX"]
    from_patients = {
        m.patient_ins
        for m in inbox
        if m.sender is not None and m.sender.address.endswith("@patient.mssante.fr")
    }
    assert {ROUSSEL, GARNIER, "172046925401286", "201029201203412"} <= from_patients
    # Overnight: the patients' messages are of the last day, and nothing is in the future.
    now = time.time()
    assert all(m.internal_date <= now + 60 for m in messages)
    assert any(now - m.internal_date < 36 * 3600 for m in inbox if m.patient_ins == ROUSSEL)

    # Patients are known by name, from their own messages.
    patients = {p.patient.ins: p for p in await services.patients.list()}
    assert patients[ROUSSEL].patient.family_name == "ROUSSEL"
    assert patients[ROUSSEL].patient.given_name == "Camille"

    # Colleagues' reports with real PDFs, and the hospital's IHE_XDM.zip beside its PDF.
    echo = next(m for m in inbox if m.subject.startswith("CR échocardiographie"))
    kinds = [a.kind for a in await services.documents.attachments(echo.id)]
    assert kinds == [DocumentKind.PDF]
    xdm = next(m for m in inbox if "passage aux urgences" in m.subject)
    attachments = await services.documents.attachments(xdm.id)
    names = sorted(a.name for a in attachments)
    assert "IHE_XDM.zip" in names
    package = next(a for a in attachments if a.name == "IHE_XDM.zip")
    assert package.xdm is not None and package.problem is None
    assert any(a.kind is DocumentKind.PDF for a in attachments)

    # Words inside the attached PDFs are found by the search.
    await services.documents.index_attachments()
    # (TAPSE is only in the cardiologist's PDF, not in any message's text.)
    found = await services.archive.search("tapse", SearchFilters(account_id=account.id))
    assert [m.id for m in found] == [echo.id]

    # A closed exchange, a bounce explained on the patient's conversation, a thread.
    assert patients[LEROUX].closed_at is not None
    colin = await services.patients.conversation(COLIN)
    bounces = [e for e in colin.events if e.kind == "bounce"]
    assert len(bounces) == 1 and "messaging_closed" in (bounces[0].detail or "")
    garnier = next(m for m in inbox if m.patient_ins == GARNIER and m.subject.startswith("Re:"))
    assert garnier.thread_id is not None
    thread = await services.archive.thread(garnier.thread_id)
    assert {m.folder for m in thread} == {"INBOX", "Sent"} and len(thread) >= 3


async def test_a_patient_answers_in_the_same_thread(services: Services) -> None:
    account = await services.demo.start()
    await synced(services, account)
    question = next(
        m
        for m in await all_messages(services, account)
        if m.patient_ins == ROUSSEL and m.folder == "INBOX"
    )
    outcome = await services.compose.send(
        account,
        Outgoing(
            to=(f"{ROUSSEL}@patient.mssante.fr",),
            subject="Re: Fièvre et toux depuis trois jours",
            text="Bonjour Madame ROUSSEL,\n\nJe vous propose un rendez-vous demain à 9 h.\n",
            reply_to_message=question.id,
            accept_warnings=True,
        ),
    )
    assert outcome.state in ("filed", "submitted")
    sent_at = time.monotonic()

    reply = None
    while reply is None and time.monotonic() - sent_at < 12:
        await asyncio.sleep(1.0)
        await synced(services, account)
        for message in await all_messages(services, account):
            if message.folder != "INBOX" or message.patient_ins != ROUSSEL:
                continue
            detail = await services.archive.detail(message.id)
            if detail.in_reply_to == outcome.message_id:
                reply = message
    assert reply is not None, "no answer from the patient within 12 s"
    assert time.monotonic() - sent_at >= 2.5  # "a few seconds later", not at once
    assert reply.sender is not None and reply.sender.address == f"{ROUSSEL}@patient.mssante.fr"
    assert reply.subject.startswith("Re: ")
    assert reply.thread_id == question.thread_id
    # Pli's hidden copy was taken out of the inbox; the message is in Sent.
    mine = [
        m
        for m in await all_messages(services, account)
        if (await services.archive.detail(m.id)).message_id == outcome.message_id
    ]
    assert [m.folder for m in mine] == ["Sent"]
    # The patient's read receipt came first: the message shows as read.
    statuses = await services.outbox.statuses(outcome.message_id)
    assert statuses[f"{ROUSSEL}@patient.mssante.fr"][0] == "read"


async def test_writing_to_a_closed_patient_mailbox_bounces(services: Services) -> None:
    account = await services.demo.start()
    await synced(services, account)
    outcome = await services.compose.send(
        account,
        Outgoing(
            to=(f"{COLIN}@patient.mssante.fr",),
            subject="Votre vaccin",
            text="Bonjour Monsieur COLIN,\n\nAvez-vous pu vous faire vacciner ?\n",
            accept_warnings=True,
        ),
    )
    bounced = False
    started = time.monotonic()
    while not bounced and time.monotonic() - started < 12:
        await asyncio.sleep(1.0)
        await synced(services, account)
        events = (await services.patients.conversation(COLIN)).events
        bounced = any(e.kind == "bounce" and e.message_ref == outcome.message_id for e in events)
    assert bounced
    statuses = await services.outbox.statuses(outcome.message_id)
    assert statuses[f"{COLIN}@patient.mssante.fr"][0] == "failed"


class _Recorder:
    def __init__(self) -> None:
        self.events: list[NewMail] = []
        self.seen = asyncio.Event()

    def record(self, event: NewMail) -> None:
        self.events.append(event)
        self.seen.set()


async def test_new_mail_is_pushed_by_idle_from_the_demo_server(services: Services) -> None:
    supervisor = getattr(services, "supervisor", None)
    if supervisor is None:
        pytest.skip("the sync supervisor (H-sync) is not in this tree yet")
    account = await services.demo.start()
    recorder = _Recorder()  # the bus holds handlers weakly: keep the object alive here
    arrived = recorder.events
    unsubscribe = services.events.subscribe(NewMail, recorder.record)
    try:
        await supervisor.start([account])
        started = time.monotonic()
        while supervisor.state(account.id).name != "ONLINE":  # the first full pass, then IDLE
            assert time.monotonic() - started < 20, "the demo account never came online"
            await asyncio.sleep(0.2)
        await asyncio.sleep(1.0)
        arrived.clear()
        recorder.seen.clear()
        server = services.demo.server
        assert server is not None
        raw = (
            "From: Sophie BLANC - IDE <sophie.blanc@demo.mssante.fr>\r\n"
            f"To: {account.address}\r\nSubject: Photo de la plaie\r\n"
            "Message-ID: <idle-push@demo.mssante.fr>\r\n\r\nLa photo suit.\r\n"
        ).encode()
        await asyncio.to_thread(server.deliver, raw)
        await asyncio.wait_for(recorder.seen.wait(), 10)
        assert arrived[0].count == 1
    finally:
        unsubscribe()
        await supervisor.stop()


async def test_flags_and_moves_reach_the_demo_server_and_survive_a_restart(
    services: Services,
) -> None:
    account = await services.demo.start()
    await synced(services, account)
    messages = await all_messages(services, account)
    target = next(m for m in messages if m.folder == "INBOX" and m.patient_ins == "201029201203412")
    other = next(m for m in messages if m.folder == "INBOX" and m.subject.startswith("CR écho"))
    target_id = (await services.archive.detail(target.id)).message_id
    other_id = (await services.archive.detail(other.id)).message_id

    await services.operations.set_flags([target.id], Flag.FLAGGED | Flag.SEEN, Flag.NONE)
    await services.operations.move([other.id], "Archives")
    await synced(services, account)  # replays the queued operations first

    server = services.demo.server
    assert server is not None
    inbox = await asyncio.to_thread(server.folder_flags, "INBOX")
    assert {"\\Flagged", "\\Seen"} <= inbox[target_id]
    assert other_id not in inbox
    assert other_id in await asyncio.to_thread(server.folder_flags, "Archives")

    # Next launch: new ports, the same mailbox (same UIDVALIDITY: nothing fetched again).
    before = account.config.imap.port
    await services.demo.stop()
    assert not services.demo.running
    started = time.perf_counter()
    again = await services.demo.start()
    assert time.perf_counter() - started < 0.5
    assert again.id == account.id
    assert again.config.imap.port != before or again.config.smtp.port != account.config.smtp.port
    assert (await services.accounts.get("Démo")).config.imap == again.config.imap
    report = await services.sync.sync(again)
    assert report.added == 0
    assert not any(f.uidvalidity_reset for f in report.folders)
    flags = await asyncio.to_thread(services.demo.server.folder_flags, "INBOX")  # type: ignore[union-attr]
    assert {"\\Flagged", "\\Seen"} <= flags[target_id]


async def test_only_the_demo_credentials_and_only_after_starttls(services: Services) -> None:
    await services.demo.start()
    server = services.demo.server
    assert server is not None
    ca = services.paths.root / "demo" / "ca.pem"

    def probe() -> tuple[bytes, str, str]:
        imap = imaplib.IMAP4("127.0.0.1", server.imap_port)
        try:
            before = imap.capabilities
            try:
                imap.login(server.address, "pas le bon mot de passe")
                plain = "accepted"
            except imaplib.IMAP4.error:
                plain = "refused"
            imap.starttls(ssl.create_default_context(cafile=str(ca)))
            try:
                imap.login(server.address, "pas le bon mot de passe")
                wrong = "accepted"
            except imaplib.IMAP4.error:
                wrong = "refused"
            return b" ".join(x.encode() for x in before), plain, wrong
        finally:
            imap.shutdown()

    capabilities, plain, wrong = await asyncio.to_thread(probe)
    assert b"LOGINDISABLED" in capabilities and b"STARTTLS" in capabilities
    assert plain == "refused" and wrong == "refused"


async def test_remove_takes_away_the_account_its_archive_and_the_demo_folder(
    services: Services,
) -> None:
    account = await services.demo.start()
    await synced(services, account)
    assert ROUSSEL in {p.patient.ins for p in await services.patients.list()}
    folder = services.paths.root / "demo"
    assert (folder / "mail").is_dir()
    assert crl_cache_path(services.paths.crl_cache_dir).exists()

    await services.demo.remove()

    assert not services.demo.running
    assert not folder.exists()
    assert not crl_cache_path(services.paths.crl_cache_dir).exists()
    assert await services.demo.account() is None
    with pytest.raises(NotFoundError):
        await services.accounts.get(account.name)
    assert await services.archive.messages(SearchFilters(account_id=account.id, limit=-1)) == []
    # Its fictional patients leave the patient list with it.
    assert {p.patient.ins for p in await services.patients.list()} & {ROUSSEL, LEROUX} == set()
    # And it can be opened again, fresh.
    again = await services.demo.start()
    assert services.demo.is_demo(again)


async def test_the_next_launch_resumes_the_demo(tmp_path: Path) -> None:
    first = await open_profile(tmp_path / "profile")
    try:
        assert await first.demo.resume() is None  # no demo account: nothing started
        assert not first.demo.running
        account = await first.demo.start()
        await synced(first, account)
        count = len(await all_messages(first, account))
    finally:
        await first.aclose()
    assert not first.demo.running  # closing the services stopped the servers

    second = await open_profile(tmp_path / "profile")
    try:
        resumed = await second.demo.resume()
        assert resumed is not None and resumed.id == account.id and second.demo.running
        report = await second.sync.sync(resumed)
        assert report.added == 0
        assert len(await all_messages(second, resumed)) == count
    finally:
        await second.aclose()


async def test_starting_and_removing_the_demo_never_blocks_the_loop(
    services: Services, caplog
) -> None:
    """The window's loop must never wait: the servers, keys and content are made off it."""
    loop = asyncio.get_running_loop()
    loop.set_debug(True)
    loop.slow_callback_duration = 0.1
    caplog.set_level(logging.WARNING, logger="asyncio")
    try:
        await services.demo.start()  # first start: keys, seeding, account
        await services.demo.stop()
        await services.demo.start()
        await services.demo.remove()
    finally:
        loop.set_debug(False)
    slow = [r.getMessage() for r in caplog.records if "Executing" in r.getMessage()]
    assert slow == []


async def test_a_demo_that_cannot_start_says_so_with_a_code(services: Services) -> None:
    (services.paths.root / "demo").write_text("not a folder", encoding="utf-8")
    with pytest.raises(ServerError) as raised:
        await services.demo.start()
    assert raised.value.code == "demo.start_failed"
    assert not services.demo.running
    assert await services.demo.account() is None
