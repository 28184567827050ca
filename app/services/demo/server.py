"""The demo mailbox's servers: IMAP (pymap, maildir) and SMTP submission (aiosmtpd), in-process.

Both listen on 127.0.0.1 only, on ephemeral ports, in one daemon thread running its own asyncio
loop (never the caller's loop: under the window that loop is Qt's). Pure Python, so the demo
works on Windows too. Security as an MSSanté operator offers it: STARTTLS on both (TLS 1.2+,
the four MSSanté TLS 1.2 suites), no authentication before STARTTLS (not even from loopback),
and only the demo credentials are accepted.

The mailbox lives in the profile's demo folder as a maildir, so what the user does (flags,
moves, sent mail) is still there at the next launch and UIDVALIDITY stays stable. The data is
fictional (shipped with Pli), which is why it may be kept unencrypted there.

Mail submitted over SMTP is delivered into the mailbox for the demo address (Pli's hidden copy
of what it sends, or mail written to oneself); mail to anyone else never leaves the process:
a patient (``<INS>@patient.mssante.fr``) answers a few seconds later through `responder`.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
import shutil
import ssl
import threading
import time
import weakref
from argparse import Namespace
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from email.parser import BytesHeaderParser
from email.policy import compat32
from pathlib import Path
from typing import Any

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword
from proxyprotocol.reader import ProxyProtocolReader
from proxyprotocol.sock import SocketInfo
from pymap.backend.maildir import Config as MaildirConfig
from pymap.backend.maildir import FilterSet
from pymap.backend.maildir import Session as MaildirSession
from pymap.backend.maildir.layout import MaildirLayout
from pymap.backend.maildir.mailbox import MailboxSet, Maildir
from pymap.concurrent import Subsystem
from pymap.config import BackendCapability
from pymap.context import connection_exit
from pymap.exceptions import AuthorizationFailure, InvalidAuth, NotSupportedError
from pymap.imap import IMAPConnection
from pymap.imap.state import ConnectionState
from pymap.interfaces.login import IdentityInterface, LoginInterface
from pymap.interfaces.session import SessionInterface
from pymap.interfaces.token import TokensInterface
from pymap.parsing.command.auth import CommandMailboxArg
from pymap.parsing.commands import Commands
from pymap.parsing.message import AppendMessage
from pymap.parsing.response import CommandResponse, ResponseOk, UntaggedResponse
from pymap.parsing.specials import FetchRequirement
from pymap.parsing.specials.flag import Flag
from pymap.selected import SelectedMailbox
from pymap.token import AllTokens
from pymap.user import UserMetadata
from pysasl.creds.server import ServerCredentials
from pysasl.hashing import Cleartext

from app.config.settings import MSSANTE_TLS12_CIPHERS

log = logging.getLogger(__name__)

LOOPBACK = "127.0.0.1"
#: The folders of the demo mailbox and their RFC 6154 special use.
SPECIAL_USE = {"Sent": b"Sent", "Drafts": b"Drafts", "Trash": b"Trash", "Archives": b"Archive"}
_MAIL_DIR = "mail"
_SEEDED = "seeded"
#: The demo mailbox's storage quota (RFC 9208), in KiB.
QUOTA_KIB = 1024 * 1024
_COLON = "!"  # maildir info separator: ':' is not allowed in Windows file names


@dataclass(frozen=True)
class SeedMessage:
    """A message to put in the mailbox when it is created."""

    folder: str
    raw: bytes
    when: datetime
    flags: tuple[str, ...] = ()  # IMAP system flags: "\\Seen", "\\Flagged", "\\Answered"…


@dataclass(frozen=True)
class Submission:
    """A message submitted over SMTP by the demo account."""

    mail_from: str
    recipients: tuple[str, ...]
    raw: bytes


#: Called on the server's loop for every submission; may deliver later with `DemoServer.deliver`.
Responder = Callable[["DemoServer", Submission], Awaitable[None]]


class DemoServer:
    """IMAP + SMTP for one demo mailbox, on a private thread and loop."""

    def __init__(
        self,
        folder: Path,
        *,
        address: str,
        password: str,
        cert_file: Path,
        key_file: Path,
        responder: Responder | None = None,
    ) -> None:
        self._folder = folder
        self._address = address
        self._password = password
        self._cert_file = cert_file
        self._key_file = key_file
        self._responder = responder
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._mailboxes: MailboxSet | None = None
        self.imap_port = 0
        self.smtp_port = 0

    @property
    def address(self) -> str:
        """The demo mailbox's address (its login too)."""
        return self._address

    @property
    def running(self) -> bool:
        """Serving."""
        return self._thread is not None and self._thread.is_alive() and self._ready.is_set()

    @staticmethod
    def seeded(folder: Path) -> bool:
        """Whether the mailbox in `folder` was filled already (it is filled once)."""
        return (folder / _SEEDED).exists()

    @property
    def mail_dir(self) -> Path:
        """The maildir root of the mailbox."""
        return self._folder / _MAIL_DIR

    # -- life cycle (blocking: call from a worker thread) ------------------------------------

    def start(self, seed: Callable[[], Sequence[SeedMessage]] | None = None) -> None:
        """Start both servers; `seed` fills a mailbox created now. Returns when they listen."""
        if self._thread is not None and self._thread.is_alive():
            return
        started = time.perf_counter()
        self._ready.clear()
        self._error = None
        thread = threading.Thread(target=self._run, args=(seed,), name="demo-server", daemon=True)
        self._thread = thread
        thread.start()
        ready = self._ready.wait(timeout=30)
        error = self._failure()
        if error is not None or not ready:
            self.stop()
            raise RuntimeError("the demo server did not start") from error
        log.debug(
            "demo server listening (IMAP %d, SMTP %d) in %.3f s",
            self.imap_port,
            self.smtp_port,
            time.perf_counter() - started,
        )

    def _failure(self) -> BaseException | None:
        return self._error

    def stop(self) -> None:
        """Stop serving (connections are closed) and end the thread."""
        thread, loop, stop = self._thread, self._loop, self._stop
        if thread is None:
            return
        if loop is not None and stop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop ended on its own
                loop.call_soon_threadsafe(stop.set)
        thread.join(timeout=10)
        self._thread = None
        self._loop = None
        self._ready.clear()

    # -- mailbox access from other threads (tests, the service) -------------------------------

    def deliver(
        self,
        raw: bytes,
        folder: str = "INBOX",
        flags: Iterable[str] = (),
        when: datetime | None = None,
    ) -> None:
        """Put a message in a folder (blocking; from any thread but the server's)."""
        self._call(self._append(folder, raw, tuple(flags), when))

    def folder_flags(self, folder: str) -> dict[str, frozenset[str]]:
        """Message-ID → IMAP flags of the messages of a folder, as the server has them."""
        flags: dict[str, frozenset[str]] = self._call(self._flags_of(folder))
        return flags

    def _call(self, work: Awaitable[Any]) -> Any:
        loop = self._loop
        if loop is None or not self.running:
            raise RuntimeError("the demo server is not running")
        return asyncio.run_coroutine_threadsafe(work, loop).result(timeout=30)  # type: ignore[arg-type]

    def later(self, delay: float, work: Callable[[], Awaitable[None]]) -> None:
        """Run `work` after `delay` seconds (dropped if the server stops).

        Call on the server's loop (the responder does).
        """

        async def run() -> None:
            await asyncio.sleep(delay)
            try:
                await work()
            except Exception:  # a failed automatic answer must not stop the server
                log.exception("demo: a delayed delivery failed")

        task = asyncio.ensure_future(run())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def append(
        self, folder: str, raw: bytes, flags: tuple[str, ...] = (), when: datetime | None = None
    ) -> None:
        """Deliver a message (on the server's loop)."""
        await self._append(folder, raw, flags, when)

    # -- the thread ----------------------------------------------------------------------------

    def _run(self, seed: Callable[[], Sequence[SeedMessage]] | None) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            loop.run_until_complete(self._serve(seed))
        except BaseException as error:  # reported to `start`, which raises
            self._error = error
            self._ready.set()
            log.debug("demo server stopped on an error", exc_info=True)
        finally:
            try:
                loop.run_until_complete(loop.shutdown_asyncgens())
            finally:
                loop.close()
                self._ready.clear()

    async def _serve(self, seed: Callable[[], Sequence[SeedMessage]] | None) -> None:
        self._stop = asyncio.Event()
        context = _server_context(self._cert_file, self._key_file)
        config = _config(self.mail_dir, context)
        config.apply_context()
        seeding = seed is not None and not self.seeded(self._folder)
        if seeding:
            # A first start killed while seeding left part of the mailbox: start it afresh.
            shutil.rmtree(self.mail_dir, ignore_errors=True)
        _clear_stale_locks(self.mail_dir)
        self._mailboxes = _mailbox_set(self.mail_dir)
        if seed is not None and seeding:
            await self._seed(seed())
            (self._folder / _SEEDED).write_text("1\n", encoding="ascii")
        else:
            await self._ensure_folders()
        login = _DemoLogin(config, self._address, self._password, self._mailboxes)
        imap_handler = _ImapServer(login, config)
        reader = ProxyProtocolReader(config.proxy_protocol)
        loop = asyncio.get_running_loop()
        handler = _SmtpHandler(self)
        smtp_sessions: weakref.WeakSet[Any] = weakref.WeakSet()

        def smtp_session() -> Any:
            session = SMTP(
                handler,
                hostname="demo.pli.invalid",
                ident="Pli demo",
                tls_context=context,
                require_starttls=True,
                auth_required=True,
                auth_require_tls=True,
                authenticator=self._smtp_authenticator,
                data_size_limit=25 * 1024 * 1024,
                enable_SMTPUTF8=True,
                loop=loop,
            )
            smtp_sessions.add(session)
            return session

        imap = await asyncio.start_server(reader.get_callback(imap_handler), host=LOOPBACK, port=0)
        smtp = await loop.create_server(smtp_session, host=LOOPBACK, port=0)
        try:
            self.imap_port = int(imap.sockets[0].getsockname()[1])
            self.smtp_port = int(smtp.sockets[0].getsockname()[1])
            self._ready.set()
            await self._stop.wait()
        finally:
            imap.close()
            smtp.close()
            for session in list(smtp_sessions):
                for transport in (session.transport, session._original_transport):
                    if transport is not None and not transport.is_closing():
                        transport.abort()
            await imap_handler.close_all()
            await _cancel_all()

    def _smtp_authenticator(
        self, _server: Any, _session: Any, _envelope: Any, mechanism: str, data: Any
    ) -> Any:
        if mechanism not in ("PLAIN", "LOGIN") or not isinstance(data, LoginPassword):
            return AuthResult(success=False, handled=False)
        good = _same(data.login, self._address.encode("utf-8")) & _same(
            data.password, self._password.encode("utf-8")
        )
        return AuthResult(success=good, handled=False)

    async def submitted(self, submission: Submission) -> None:
        """What the SMTP handler calls for each accepted message (on the server's loop)."""
        own = self._address.lower()
        if any(r.lower() == own for r in submission.recipients):
            await self._append("INBOX", _with_received(submission.raw), (), None)
        if self._responder is not None:
            try:
                await self._responder(self, submission)
            except Exception:
                log.exception("demo: the responder failed")

    # -- mailbox --------------------------------------------------------------------------------

    async def _ensure_folders(self) -> None:
        mailboxes = self._mailboxes
        assert mailboxes is not None
        for name in SPECIAL_USE:
            with contextlib.suppress(KeyError):  # exists
                await mailboxes.add_mailbox(name)

    async def _seed(self, messages: Sequence[SeedMessage]) -> None:
        await self._ensure_folders()
        for message in sorted(messages, key=lambda m: m.when):
            await self._append(message.folder, message.raw, message.flags, message.when)

    async def _append(
        self, folder: str, raw: bytes, flags: tuple[str, ...], when: datetime | None
    ) -> None:
        mailboxes = self._mailboxes
        assert mailboxes is not None
        try:
            mailbox = await mailboxes.get_mailbox(folder)
        except KeyError:
            await mailboxes.add_mailbox(folder)
            mailbox = await mailboxes.get_mailbox(folder)
        message = AppendMessage(
            raw,
            when=(when or datetime.now(UTC)).astimezone(),
            flag_set=frozenset(Flag(f.encode("ascii")) for f in flags),
        )
        await mailbox.append(message, recent=True)

    async def _flags_of(self, folder: str) -> dict[str, frozenset[str]]:
        mailboxes = self._mailboxes
        assert mailboxes is not None
        mailbox = await mailboxes.get_mailbox(folder)
        out: dict[str, frozenset[str]] = {}
        parser = BytesHeaderParser(policy=compat32)
        async for message in mailbox.messages():
            loaded = await message.load_content(FetchRequirement.CONTENT)
            header = parser.parsebytes(bytes(loaded))
            flags = frozenset(str(f) for f in message.permanent_flags)
            out[str(header.get("Message-ID", "")).strip()] = flags
        return out


class _SmtpHandler:
    """aiosmtpd handler: accept every recipient of an authenticated sender, then hand over."""

    def __init__(self, server: DemoServer) -> None:
        self._server = server

    async def handle_DATA(self, _server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        if not session.authenticated:
            return "530 5.7.0 Authentication required"
        raw = envelope.original_content or b""
        if isinstance(raw, str):
            raw = raw.encode("utf-8")
        submission = Submission(
            mail_from=str(envelope.mail_from or ""),
            recipients=tuple(str(r) for r in envelope.rcpt_tos),
            raw=bytes(raw),
        )
        await self._server.submitted(submission)
        return "250 2.0.0 Message accepted for delivery"


# -- pymap plumbing ---------------------------------------------------------------------------


class _DemoConfig(MaildirConfig):
    """pymap's maildir configuration, with SPECIAL-USE and no host-name lookup."""

    @property
    def backend_capability(self) -> BackendCapability:
        return BackendCapability(
            idle=True, object_id=True, multi_append=True, custom=[b"SPECIAL-USE", b"QUOTA"]
        )

    @property
    def greeting(self) -> bytes:
        return b"Pli demo IMAP server ready"

    @property
    def commands(self) -> Commands:
        commands = Commands()
        commands.register(_GetQuotaRootCommand)
        return commands


class _GetQuotaRootCommand(CommandMailboxArg):
    """``GETQUOTAROOT`` (RFC 9208): one quota root for the whole mailbox."""

    command = b"GETQUOTAROOT"


def _config(mail_dir: Path, context: ssl.SSLContext) -> _DemoConfig:
    args = Namespace(debug=False, passlib_cfg=None, proxy_protocol=None, inherited_sockets=None)
    return _DemoConfig(
        args,
        host=LOOPBACK,
        port=0,
        ssl_context=context,
        tls_enabled=True,
        hash_context=Cleartext(),
        subsystem=Subsystem.for_asyncio(),
        cpu_subsystem=Subsystem.for_asyncio(),
        reject_dnsbl=False,
        invalid_user_sleep=0.5,
        base_dir=str(mail_dir),
        layout="++",
        colon=_COLON,
    )


class _Maildir(Maildir):
    """pymap's maildir with a portable info separator in every folder.

    pymap sets the separator on the inbox only, and its UID list always names files with
    ``:``; after a MOVE it records the file's real name, which then no longer maps to the
    message's key when the separator is another character. Both are corrected here.
    """

    colon = _COLON

    def move_message(self, key: str, dest: Maildir, dest_subdir: str) -> str:
        name = super().move_message(key, dest, dest_subdir)
        return name.replace(self.colon, ":", 1)


def _mailbox_set(mail_dir: Path) -> MailboxSet:
    mail_dir.parent.mkdir(parents=True, exist_ok=True)
    layout = MaildirLayout.get(str(mail_dir), "++", _Maildir)
    maildir = _Maildir(str(mail_dir), create=not mail_dir.exists())
    return MailboxSet(maildir, layout)


def _clear_stale_locks(mail_dir: Path) -> None:
    """Lock files left by a process that ended abruptly would block the mailbox for minutes."""
    if mail_dir.exists():
        for lock in mail_dir.rglob("*.lock"):
            lock.unlink(missing_ok=True)


class _DemoSession(MaildirSession):
    """The maildir session, with special-use attributes on the well-known folders."""

    async def list_mailboxes(
        self,
        ref_name: str,
        filter_: str,
        subscribed: bool = False,
        selected: SelectedMailbox | None = None,
    ) -> tuple[Iterable[tuple[str, str | None, Sequence[bytes]]], SelectedMailbox | None]:
        rows, updates = await super().list_mailboxes(ref_name, filter_, subscribed, selected)
        out = []
        for name, delimiter, attributes in rows:
            special = SPECIAL_USE.get(name)
            out.append((name, delimiter, [*attributes, special] if special else attributes))
        return out, updates


class _DemoIdentity:
    """The one user of the demo server."""

    def __init__(self, config: _DemoConfig, name: str, mailboxes: MailboxSet) -> None:
        self._config = config
        self._name = name
        self._mailboxes = mailboxes
        self._filters = FilterSet(config.base_dir)

    @property
    def name(self) -> str:
        return self._name

    @property
    def roles(self) -> frozenset[str]:
        return frozenset()

    def new_session(self) -> AbstractAsyncContextManager[SessionInterface]:
        return self._session()

    @asynccontextmanager
    async def _session(self) -> AsyncIterator[SessionInterface]:
        yield _DemoSession(self._name, self._config, self._mailboxes, self._filters)

    async def new_token(self, *, expiration: datetime | None = None) -> str | None:
        return None

    async def get(self) -> UserMetadata:
        raise NotSupportedError()

    async def set(self, metadata: UserMetadata) -> int | None:
        raise NotSupportedError()

    async def delete(self) -> None:
        raise NotSupportedError()


class _DemoLogin:
    """Accepts the demo credentials, and nothing else."""

    def __init__(
        self, config: _DemoConfig, user: str, password: str, mailboxes: MailboxSet
    ) -> None:
        self._config = config
        self._user = user
        self._password = password
        self._mailboxes = mailboxes
        self._tokens = AllTokens(config)

    @property
    def tokens(self) -> TokensInterface:
        return self._tokens

    async def authenticate(self, credentials: ServerCredentials) -> IdentityInterface:
        metadata = UserMetadata(self._config, self._user, password=self._password)
        if not credentials.verify(metadata):
            await asyncio.sleep(self._config.invalid_user_sleep)
            raise InvalidAuth()
        return _DemoIdentity(self._config, self._user, self._mailboxes)

    async def authorize(self, authenticated: IdentityInterface, authzid: str) -> IdentityInterface:
        if authzid and authzid != authenticated.name:
            raise AuthorizationFailure()
        return authenticated


class _TlsFirstState(ConnectionState):
    """No login before STARTTLS, even from loopback (pymap allows it from localhost).

    Also answers GETQUOTAROOT: the storage the maildir uses against a 1 GiB quota.
    """

    async def do_greeting(self) -> CommandResponse:
        return ResponseOk(b"*", self.config.greeting, self.capability)

    async def do_getquotaroot(
        self, cmd: _GetQuotaRootCommand
    ) -> tuple[CommandResponse, SelectedMailbox | None]:
        config = self.config
        assert isinstance(config, _DemoConfig)
        used = _size_kib(Path(config.base_dir))
        response = ResponseOk(cmd.tag, b"GETQUOTAROOT completed.")
        name = cmd.mailbox.replace("\\", "\\\\").replace('"', '\\"').encode("utf-8")
        response.add_untagged(UntaggedResponse(b'QUOTAROOT "%b" ""' % name))
        response.add_untagged(UntaggedResponse(b'QUOTA "" (STORAGE %d %d)' % (used, QUOTA_KIB)))
        return response, None


def _size_kib(root: Path) -> int:
    total = 0
    for path in root.rglob("*"):
        if path.parent.name in ("cur", "new"):
            with contextlib.suppress(OSError):
                total += path.stat().st_size
    return (total + 1023) // 1024


class _ImapServer:
    """pymap's `IMAPServer`, with the TLS-first connection state."""

    def __init__(self, login: LoginInterface, config: _DemoConfig) -> None:
        self._login = login
        self._config = config
        self._tasks: set[asyncio.Task[Any]] = set()
        self._writers: set[asyncio.StreamWriter] = set()

    async def __call__(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, sock_info: SocketInfo
    ) -> None:
        conn = IMAPConnection(self._config.commands, self._config, reader, writer, sock_info)
        state = _TlsFirstState(self._login, self._config)
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        self._writers.add(writer)
        try:
            async with AsyncExitStack() as stack:
                connection_exit.set(stack)
                stack.callback(conn.close)
                await conn.run(state)
        except (ConnectionError, EOFError, asyncio.CancelledError):
            pass
        except Exception:  # a client's protocol error must not stop the server
            log.debug("demo IMAP connection ended on an error", exc_info=True)
        finally:
            if task is not None:
                self._tasks.discard(task)
            self._writers.discard(writer)

    async def close_all(self) -> None:
        """End every client connection (at once: the loop is about to close)."""
        for writer in list(self._writers):
            writer.transport.abort()
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def _cancel_all() -> None:
    """Cancel what is left on the loop (delayed answers, connection handlers) and wait."""
    current = asyncio.current_task()
    tasks = [t for t in asyncio.all_tasks() if t is not current and not t.done()]
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


def _server_context(cert_file: Path, key_file: Path) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.set_ciphers(":".join(MSSANTE_TLS12_CIPHERS))
    context.options |= ssl.OP_NO_COMPRESSION | ssl.OP_NO_RENEGOTIATION
    context.load_cert_chain(str(cert_file), str(key_file))
    return context


def _same(given: bytes, expected: bytes) -> bool:
    return hmac.compare_digest(given, expected)


def _with_received(raw: bytes) -> bytes:
    stamp = datetime.now(UTC).strftime("%a, %d %b %Y %H:%M:%S +0000")
    return f"Received: by demo.pli.invalid (Pli demo); {stamp}\r\n".encode("ascii") + raw


class _DropDeprecationNotice(logging.Filter):
    """aiosmtpd logs "Session.login_data is deprecated" at WARNING on every AUTH it handles."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "login_data is deprecated" not in record.getMessage()


logging.getLogger("mail.log").addFilter(_DropDeprecationNotice())
# aiosmtpd logs every command line (addresses included) at INFO and pymap every protocol line
# at DEBUG: the demo's data is fictional, but the rule is that no address reaches the logs.
logging.getLogger("mail.log").setLevel(logging.WARNING)
logging.getLogger("pymap").setLevel(logging.WARNING)
