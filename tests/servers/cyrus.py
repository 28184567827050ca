"""A real, standalone Cyrus IMAP 3.6 instance for the tests (IMAP STARTTLS + IMAPS + LMTP).

Debian's Cyrus packages conflict with Dovecot's (both provide ``imap-server``), so Cyrus is not
installed: ``tools/install-system-deps`` unpacks Debian's ``cyrus-common`` and ``cyrus-imapd``
into ``/opt/pli-cyrus`` (``dpkg-deb -x``; override with ``PLI_CYRUS_ROOT``) and installs their
runtime libraries and ``sasl2-bin`` (``saslpasswd2``) normally. The instance has its own
``imapd.conf`` and ``cyrus.conf`` in a temporary folder, listens on free loopback ports (IMAP and
IMAPS on 127.0.0.2 as Dovecot does, LMTP on 127.0.0.1) and is stopped by its master's pid.

Two namespace layouts, the two that operators run (``layout=``):

* ``"inbox"``: ``altnamespace: no``, ``unixhierarchysep: no``: every folder lives under
  ``INBOX.`` with ``.`` as separator (``INBOX.Sent``, ``INBOX.Patients.Lefevre``);
* ``"unixsep"``: ``altnamespace: yes``, ``unixhierarchysep: yes``: folders at the top level
  with ``/`` (``Sent``, ``Patients/Lefevre``), as Dovecot's default layout shows them.

Helpers take full folder names as the user sees them; :meth:`CyrusServer.folder` turns a path
written with ``/`` (``"Patients/Lefevre"``) into this layout's name. Passwords are real (a
sasldb written with ``saslpasswd2 -f``): a wrong password is refused. Mailbox helpers talk IMAP
as the user through the admin's proxy authorisation (PLAIN with an authzid), so they see exactly
what a client sees, quota included; administration (quota, users) is done over IMAP as the
admin, as ``cyradm`` would.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import signal
import ssl
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from imapclient import IMAPClient  # type: ignore[import-untyped]

from tests.servers._util import (
    LOOPBACK,
    RunAs,
    ServerError,
    free_port,
    port_open,
    require_program,
    stop_process,
    tail,
    wait_until,
)
from tests.servers.dovecot import MailboxStatus, MailUser, MessageInfo
from tests.servers.lmtp import LmtpReply, lmtp_send
from tests.servers.pki import MSSANTE_TLS12_CIPHERS, CertFiles

CYRUS_ROOT = Path(os.environ.get("PLI_CYRUS_ROOT", "/opt/pli-cyrus"))
CYRUS_BIN = CYRUS_ROOT / "usr/lib/cyrus/bin"
CYRUS_LIB = CYRUS_ROOT / "usr/lib/x86_64-linux-gnu"
MASTER = CYRUS_BIN / "master"
SASLPASSWD2 = "/usr/sbin/saslpasswd2"
DEFAULT_DOMAIN = "hopital-test.mssante.fr"
DEFAULT_HOST = "127.0.0.2"  # see dovecot.DEFAULT_HOST: clients then come from 127.0.0.1
ROOT_PREFIX = "pli-cyrus-"


def _root_base() -> Path:
    """Where instance folders go: memory (/dev/shm) when there is one, else the temp folder.

    Cyrus syncs its files to disk at every change (creating a user's six folders takes 0.5 s
    on a busy disk, 0.13 s in memory); the tests' mail is small.
    """
    shm = Path("/dev/shm")
    if shm.is_dir() and os.access(shm, os.W_OK | os.X_OK):
        return shm
    return Path(tempfile.gettempdir())


SERVERNAME = "imap.pli-cyrus.test"
ADMIN = "cyrusadmin"

LAYOUTS = ("inbox", "unixsep")

DEFAULT_SPECIAL_FOLDERS: Mapping[str, str] = {
    "Drafts": "\\Drafts",
    "Sent": "\\Sent",
    "Trash": "\\Trash",
    "Junk": "\\Junk",
    "Archive": "\\Archive",
}

_APPENDUID = re.compile(rb"\[APPENDUID (\d+) (\d+)\]", re.IGNORECASE)


def cyrus_available() -> bool:
    """True when the unpacked Cyrus and ``saslpasswd2`` are present."""
    return os.access(MASTER, os.X_OK) and os.access(SASLPASSWD2, os.X_OK)


@dataclass
class CyrusServer:
    """A standalone Cyrus IMAP instance on loopback.

    Construct, then :meth:`start` (or use as a context manager); :meth:`stop` ends the master
    (which ends its children) and removes the folder.

    Attributes:
        cert: the server certificate (chain + key) presented on STARTTLS and IMAPS.
        ca_file: the CA bundle the helpers' own connections verify the server with.
        layout: ``"inbox"`` (``INBOX.`` prefix, ``.``) or ``"unixsep"`` (top level, ``/``).
        domain: default domain of users created by :meth:`add_user`.
        special_folders: special-use folders created with each user's INBOX (name -> use).
        tls_ciphers: ``tls_ciphers`` (TLS 1.2); TLS 1.2 and 1.3 only.
        default_quota_bytes: storage quota of new users (0 = unlimited).
        idle_poll_s: ``imapidlepoll`` (idled pushes changes at once; this is the fallback).
        root: the instance folder (default: a fresh temporary folder).
        host: IMAP and IMAPS listening address (LMTP listens on 127.0.0.1).
        imap_port, imaps_port, lmtp_port: filled in by :meth:`start`.
    """

    cert: CertFiles
    ca_file: Path | None = None
    layout: str = "inbox"
    domain: str = DEFAULT_DOMAIN
    special_folders: Mapping[str, str] = field(
        default_factory=lambda: dict(DEFAULT_SPECIAL_FOLDERS)
    )
    tls_ciphers: str = MSSANTE_TLS12_CIPHERS
    default_quota_bytes: int = 0
    idle_poll_s: int = 1
    root: Path | None = None
    host: str = DEFAULT_HOST
    imap_port: int = 0
    imaps_port: int = 0
    lmtp_port: int = 0

    def __post_init__(self) -> None:
        if self.layout not in LAYOUTS:
            raise ValueError(f"layout must be one of {LAYOUTS}, not {self.layout!r}")
        self.run_as = RunAs.detect()
        self._users: dict[str, tuple[str, int | None]] = {}
        self._lock = threading.RLock()
        self._proc: subprocess.Popen[bytes] | None = None
        self._owns_root = self.root is None
        self.admin_password = secrets.token_hex(12)

    # -- names ---------------------------------------------------------------------------
    @property
    def separator(self) -> str:
        """The hierarchy separator clients see."""
        return "." if self.layout == "inbox" else "/"

    @property
    def prefix(self) -> str:
        """The personal namespace's prefix (``"INBOX."`` or ``""``)."""
        return "INBOX." if self.layout == "inbox" else ""

    def folder(self, path: str) -> str:
        """The full name of a folder written with ``/`` (``"Patients/Lefevre"``), in this layout.

        ``"INBOX"`` stays ``"INBOX"``; ``"Sent"`` becomes ``"INBOX.Sent"`` in the ``inbox``
        layout.
        """
        if path.upper() == "INBOX":
            return "INBOX"
        return self.prefix + path.replace("/", self.separator)

    def _mailbox_of(self, address: str) -> str:
        """The admin's name of ``address``'s INBOX (``user.alice@domain``)."""
        local, domain = address.split("@", 1)
        return f"user{self.separator}{local}@{domain}"

    # -- paths ---------------------------------------------------------------------------
    @property
    def _root(self) -> Path:
        if self.root is None:
            raise ServerError("CyrusServer not started")
        return self.root

    @property
    def config_path(self) -> Path:
        """The generated imapd.conf."""
        return self._root / "imapd.conf"

    @property
    def cyrus_conf_path(self) -> Path:
        """The generated cyrus.conf (the master's services)."""
        return self._root / "cyrus.conf"

    @property
    def sasldb_path(self) -> Path:
        """The sasldb holding every user's password (written with ``saslpasswd2 -f``)."""
        return self._root / "sasldb2"

    @property
    def pid_path(self) -> Path:
        """The master's pid file."""
        return self._root / "master.pid"

    @property
    def log_path(self) -> Path:
        """The master's stdout and stderr (Cyrus itself logs to syslog)."""
        return self._root / "master.log"

    def _env(self) -> dict[str, str]:
        env = dict(os.environ)
        env["LD_LIBRARY_PATH"] = str(CYRUS_LIB)
        env["CYRUS_USER"] = self.run_as.user
        env["CYRUS_GROUP"] = self.run_as.group
        return env

    # -- lifecycle -----------------------------------------------------------------------
    def start(self, timeout: float = 30) -> CyrusServer:
        """Write the configuration, start the master; return when IMAP, IMAPS and LMTP answer."""
        require_program(
            str(MASTER), f"Cyrus IMAP (Debian's cyrus-imapd unpacked into {CYRUS_ROOT})"
        )
        require_program(SASLPASSWD2, "saslpasswd2 (package sasl2-bin)")
        if self.root is None:
            sweep_stale_roots()
            # Not under pytest's tmp_path (0700 root, unreachable by nobody): in memory.
            self.root = Path(tempfile.mkdtemp(prefix=ROOT_PREFIX, dir=_root_base()))
        root = self.root
        root.mkdir(parents=True, exist_ok=True)
        for sub in ("lib", "spool", "tls", "tmp", "lib/socket", "lib/proc", "lib/db"):
            (root / sub).mkdir(exist_ok=True)
        shutil.copyfile(self.cert.chain, root / "tls" / "server.chain.pem")
        shutil.copyfile(self.cert.key, root / "tls" / "server.key.pem")
        (root / "tls" / "server.key.pem").chmod(0o600)
        self._saslpasswd(ADMIN, SERVERNAME, self.admin_password)
        last_error: Exception | None = None
        for _attempt in range(3):
            self.imap_port = free_port(self.host)
            self.imaps_port = free_port(self.host)
            self.lmtp_port = free_port()
            self._write_config()
            self.run_as.own(root)
            try:
                self._spawn(timeout)
                break
            except ServerError as exc:  # e.g. a port taken between free_port() and bind
                last_error = exc
                self._kill()
        else:
            raise ServerError(f"Cyrus did not start: {last_error}")
        with self._lock:
            pending = list(self._users.items())
        for address, (password, quota) in pending:
            self._create_user(address, password, quota)
        return self

    def _spawn(self, timeout: float) -> None:
        out = self.log_path.open("wb")
        cmd = [
            *self.run_as.command_prefix(),
            str(MASTER),
            "-C",
            str(self.config_path),
            "-M",
            str(self.cyrus_conf_path),
            "-p",
            str(self.pid_path),
            "-D",
        ]
        self._proc = subprocess.Popen(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=self._root,
            env=self._env(),
            # Cyrus's master ends by signalling its whole process group: in pytest's group that
            # would stop every other test server (and other Cyrus instances) with it.
            start_new_session=True,
        )
        out.close()

        def ready() -> bool:
            if self._proc is not None and self._proc.poll() is not None:
                raise ServerError(
                    f"Cyrus master exited with {self._proc.returncode}:\n{tail(self.log_path)}"
                )
            return (
                port_open(self.imap_port, self.host)
                and port_open(self.imaps_port, self.host)
                and port_open(self.lmtp_port)
            )

        wait_until(ready, timeout, "Cyrus listeners", on_fail=lambda: tail(self.log_path))
        # The listeners accept before imapd can serve: wait for a real greeting.
        wait_until(self._greets, timeout, "Cyrus IMAP greeting", on_fail=self.log_text)

    def _greets(self) -> bool:
        try:
            with self._admin():
                return True
        except (OSError, ServerError, IMAPClient.Error):
            return False

    def master_pid(self) -> int | None:
        """The master's pid (None when not running)."""
        try:
            return int(self.pid_path.read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    def _kill(self) -> None:
        if self._proc is None:
            return
        stop_process(self._proc, self._proc.pid)
        self._proc = None

    def kill(self) -> None:
        """SIGKILL the master and its services at once (a crashed server); see :meth:`restart`."""
        if self._proc is None:
            return
        if self._proc.poll() is None:
            # The master leads its own process group (start_new_session): all of it dies.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self._proc.pid, signal.SIGKILL)
            self._proc.wait(timeout=10)
        self._proc = None

    def restart(self, timeout: float = 30) -> None:
        """Start a stopped or killed instance again on the same ports, with its mail and users.

        Start it from a thread that outlives it (see ``_util.orphan_guard``).
        """
        self._kill()
        self._write_config()
        self.run_as.own(self._root)
        self._spawn(timeout)

    def stop(self) -> None:
        """Stop the instance (SIGTERM to the master) and remove its folder."""
        self._kill()
        if self._owns_root and self.root is not None:
            shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> CyrusServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def log_text(self) -> str:
        """The master's own output so far (Cyrus's service logs go to syslog)."""
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    # -- configuration -------------------------------------------------------------------
    def _write_config(self) -> None:
        root = self._root
        unix = self.layout == "unixsep"
        folders = " | ".join(self.special_folders)
        lines = [
            f"configdirectory: {root / 'lib'}",
            f"partition-default: {root / 'spool'}",
            "defaultpartition: default",
            f"servername: {SERVERNAME}",
            f"temp_path: {root / 'tmp'}",
            f"sievedir: {root / 'lib' / 'sieve'}",
            f"cyrus_user: {self.run_as.user}",
            f"cyrus_group: {self.run_as.group}",
            "syslog_prefix: pli-cyrus",
            f"altnamespace: {'yes' if unix else 'no'}",
            f"unixhierarchysep: {'yes' if unix else 'no'}",
            "virtdomains: userid",
            f"admins: {ADMIN}",
            # The admin may act as any user (PLAIN with an authzid): the helpers below.
            f"proxyservers: {ADMIN}",
            # Passwords: a sasldb written by saslpasswd2; no login before TLS.
            "sasl_pwcheck_method: auxprop",
            "sasl_auxprop_plugin: sasldb",
            f"sasl_sasldb_path: {self.sasldb_path}",
            "sasl_mech_list: PLAIN LOGIN",
            "allowplaintext: no",
            # A refused login answers at once (Cyrus waits 3 s by default), as in dovecot.py.
            "failedloginpause: 0",
            # TLS as MSSanté asks: 1.2 with the four ECDHE-RSA suites, or 1.3.
            f"tls_server_cert: {root / 'tls' / 'server.chain.pem'}",
            f"tls_server_key: {root / 'tls' / 'server.key.pem'}",
            "tls_versions: tls1_2 tls1_3",
            f"tls_ciphers: {self.tls_ciphers}",
            "tls_prefer_server_ciphers: 1",
            # Each user's INBOX and special-use folders are created at first login.
            f"autocreate_quota: {max(0, self.default_quota_bytes // 1024)}",
            f"autocreate_inbox_folders: {folders}",
            f"autocreate_subscribe_folders: {folders}",
            "autocreate_post: no",
            *(
                f"xlist-{use.strip(chr(92)).lower()}: {name}"
                for name, use in self.special_folders.items()
            ),
            "specialusealways: yes",
            # Tests deliver the same message more than once on purpose.
            "duplicatesuppression: no",
            "lmtp_strict_quota: yes",
            "delete_mode: immediate",
            f"imapidlepoll: {self.idle_poll_s}",
            f"idlesocket: {root / 'lib' / 'socket' / 'idle'}",
            f"lmtpsocket: {root / 'lib' / 'socket' / 'lmtp'}",
            f"notifysocket: {root / 'lib' / 'socket' / 'notify'}",
        ]
        self.config_path.write_text("\n".join(lines) + "\n")
        # Every command gets -C: the START and EVENTS commands do not inherit the master's.
        b = CYRUS_BIN
        c = f"-C {self.config_path}"
        self.cyrus_conf_path.write_text(
            "START {\n"
            f'  recover cmd="{b}/ctl_cyrusdb {c} -r"\n'
            "}\n"
            "SERVICES {\n"
            f'  imap cmd="{b}/imapd {c}" listen="{self.host}:{self.imap_port}" prefork=1\n'
            f'  imaps cmd="{b}/imapd {c} -s" listen="{self.host}:{self.imaps_port}" prefork=1\n'
            # -a: LMTP over TCP is pre-authorised (loopback only), as an MTA's delivery is.
            f'  lmtp cmd="{b}/lmtpd {c} -a" listen="{LOOPBACK}:{self.lmtp_port}" prefork=0\n'
            "}\n"
            "EVENTS {\n"
            f'  checkpoint cmd="{b}/ctl_cyrusdb {c} -c" period=30\n'
            "}\n"
            "DAEMON {\n"
            f'  idled cmd="{b}/idled {c}"\n'
            "}\n"
        )

    def _saslpasswd(self, user: str, realm: str, password: str) -> None:
        proc = subprocess.run(
            [SASLPASSWD2, "-p", "-c", "-f", str(self.sasldb_path), "-u", realm, user],
            input=password.encode(),
            capture_output=True,
            timeout=30,
            check=False,
        )
        if proc.returncode != 0:
            raise ServerError(f"saslpasswd2 failed: {proc.stderr.decode(errors='replace')}")
        self.run_as.own(self.sasldb_path)

    # -- IMAP connections ----------------------------------------------------------------
    def _ssl_context(self) -> ssl.SSLContext:
        if self.ca_file is not None:
            return ssl.create_default_context(cafile=str(self.ca_file))
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        return ctx

    @contextlib.contextmanager
    def _connect(self, authzid: str | None = None) -> Iterator[IMAPClient]:
        client = IMAPClient(
            self.host, self.imaps_port, ssl=True, ssl_context=self._ssl_context(), timeout=30
        )
        try:
            client.plain_login(ADMIN, self.admin_password, authzid)
            yield client
        finally:
            with contextlib.suppress(Exception):
                client.logout()
            with contextlib.suppress(Exception):
                client.shutdown()

    def _admin(self) -> contextlib.AbstractContextManager[IMAPClient]:
        return self._connect(None)

    def as_user(self, address: str) -> contextlib.AbstractContextManager[IMAPClient]:
        """An IMAP connection (IMAPClient) logged in as ``address`` (the admin's proxy login)."""
        return self._connect(address.lower())

    def admin_command(self, command: str, *args: str, untagged: str | None = None) -> list[bytes]:
        """Run one IMAP command as the admin (what ``cyradm`` does).

        Returns the untagged responses named ``untagged`` (default: the command's name), e.g.
        ``admin_command("GETQUOTA", '"user.alice@domain"', untagged="QUOTA")``.
        """
        with self._admin() as client:
            imap = client._imap
            typ, data = imap._simple_command(command, *args)
            if typ != "OK":
                raise ServerError(f"{command} {' '.join(args)}: {typ} {data}")
            _typ, lines = imap._untagged_response(typ, data, untagged or command)
            return [d for d in lines if isinstance(d, bytes)]

    # -- users ---------------------------------------------------------------------------
    def add_user(
        self,
        local: str,
        password: str | None = None,
        *,
        domain: str | None = None,
        quota_bytes: int | None = None,
    ) -> MailUser:
        """Create a mailbox (sasldb password, INBOX and special-use folders, quota).

        In the ``inbox`` layout a login cannot hold a ``.`` (it is the separator): use ``-``.
        """
        address = local if "@" in local else f"{local}@{domain or self.domain}"
        address = address.lower()
        if self.layout == "inbox" and "." in address.split("@", 1)[0]:
            raise ValueError("with unixhierarchysep: no, a Cyrus login cannot contain '.'")
        password = password or secrets.token_hex(9)
        with self._lock:
            self._users[address] = (password, quota_bytes)
        if self.root is not None and self._proc is not None:
            self._create_user(address, password, quota_bytes)
        return MailUser(address, password)

    def _create_user(self, address: str, password: str, quota_bytes: int | None) -> None:
        local, domain = address.split("@", 1)
        self._saslpasswd(local, domain, password)
        # The first login creates the INBOX and the special-use folders (autocreate).
        with self.as_user(address) as client:
            client.select_folder("INBOX")
        if quota_bytes is not None:
            self.set_quota(address, quota_bytes)

    def set_password(self, address: str, password: str) -> None:
        """Change a user's password."""
        address = address.lower()
        with self._lock:
            quota = self._users[address][1]
            self._users[address] = (password, quota)
        local, domain = address.split("@", 1)
        self._saslpasswd(local, domain, password)

    def set_quota(self, address: str, quota_bytes: int | None) -> None:
        """Set the user's storage quota (rounded up to KiB, Cyrus's unit; None = unlimited)."""
        address = address.lower()
        with self._lock:
            if address in self._users:
                self._users[address] = (self._users[address][0], quota_bytes)
        root = self._quote(self._mailbox_of(address))
        limit = "()" if quota_bytes is None else f"(STORAGE {max(1, -(-quota_bytes // 1024))})"
        self.admin_command("SETQUOTA", root, limit)

    def quota(self, address: str) -> tuple[int, int] | None:
        """(used, limit) in bytes of the user's storage quota, or None without one."""
        lines = self.admin_command(
            "GETQUOTA", self._quote(self._mailbox_of(address)), untagged="QUOTA"
        )
        for line in lines:
            m = re.search(rb"STORAGE (\d+) (\d+)", line)
            if m:
                return int(m.group(1)) * 1024, int(m.group(2)) * 1024
        return None

    def has_user(self, address: str) -> bool:
        """True when ``address`` is a mailbox of this server."""
        with self._lock:
            return address.lower() in self._users

    def check_password(self, address: str, password: str) -> bool:
        """True when ``password`` is ``address``'s."""
        with self._lock:
            entry = self._users.get(address.lower())
        return entry is not None and entry[0] == password

    @property
    def users(self) -> list[str]:
        """Addresses of all mailboxes."""
        with self._lock:
            return sorted(self._users)

    @staticmethod
    def _quote(name: str) -> str:
        return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'

    # -- folders -------------------------------------------------------------------------
    def create_folder(self, user: str, folder: str, *, subscribe: bool = True) -> None:
        """Create ``folder`` (a full name in this layout) as the user."""
        with self.as_user(user) as client:
            client.create_folder(folder)
            if subscribe:
                client.subscribe_folder(folder)

    def delete_folder(self, user: str, folder: str) -> None:
        """Delete ``folder`` and its messages."""
        with self.as_user(user) as client:
            with contextlib.suppress(IMAPClient.Error):
                client.unsubscribe_folder(folder)
            client.delete_folder(folder)

    def rename_folder(self, user: str, old: str, new: str) -> None:
        """Rename a folder (RENAME as the user; subscriptions follow)."""
        with self.as_user(user) as client:
            client.rename_folder(old, new)
            with contextlib.suppress(IMAPClient.Error):
                client.unsubscribe_folder(old)
            client.subscribe_folder(new)

    def folders(self, user: str) -> list[str]:
        """All folder names of ``user``."""
        with self.as_user(user) as client:
            return [name for _flags, _sep, name in client.list_folders()]

    def status(self, user: str, folder: str = "INBOX") -> MailboxStatus:
        """Messages, UIDNEXT, UIDVALIDITY, HIGHESTMODSEQ and unseen count of ``folder``."""
        with self.as_user(user) as client:
            st = client.folder_status(
                folder, [b"MESSAGES", b"UIDNEXT", b"UIDVALIDITY", b"HIGHESTMODSEQ", b"UNSEEN"]
            )
        return MailboxStatus(
            messages=int(st[b"MESSAGES"]),
            uidnext=int(st[b"UIDNEXT"]),
            uidvalidity=int(st[b"UIDVALIDITY"]),
            highestmodseq=int(st[b"HIGHESTMODSEQ"]),
            unseen=int(st[b"UNSEEN"]),
        )

    # -- messages ------------------------------------------------------------------------
    @staticmethod
    def _append(
        client: IMAPClient,
        folder: str,
        raw: bytes,
        flags: Sequence[str],
        internal_date: float | None,
    ) -> int:
        when = datetime.fromtimestamp(internal_date, UTC) if internal_date is not None else None
        answer = client.append(folder, raw, flags=tuple(flags), msg_time=when)
        m = _APPENDUID.search(answer if isinstance(answer, bytes) else str(answer).encode())
        if m is None:
            raise ServerError(f"APPEND to {folder} gave no APPENDUID: {answer!r}")
        return int(m.group(2))

    def deliver(
        self,
        user: str,
        raw: bytes,
        folder: str = "INBOX",
        flags: Iterable[str] = (),
        *,
        internal_date: float | None = None,
    ) -> int:
        """APPEND one message to ``folder`` as the user; return its UID.

        Unlike Dovecot's helper this is subject to the user's quota (Cyrus counts APPEND).
        """
        with self.as_user(user) as client:
            return self._append(client, folder, raw, tuple(flags), internal_date)

    def deliver_many(
        self,
        user: str,
        folder: str,
        messages: Iterable[bytes],
        *,
        flags: Iterable[str] = (),
        index: bool = True,
    ) -> int:
        """APPEND many messages on one connection; return how many. ``index`` is ignored."""
        del index
        flags = tuple(flags)
        count = 0
        with self.as_user(user) as client:
            for raw in messages:
                self._append(client, folder, raw, flags, None)
                count += 1
        return count

    def messages(self, user: str, folder: str = "INBOX") -> list[MessageInfo]:
        """UID, flags, Message-ID and size of every message in ``folder`` (UID order)."""
        with self.as_user(user) as client:
            client.select_folder(folder, readonly=True)
            uids = client.search("ALL")
            if not uids:
                return []
            rows = client.fetch(
                uids, ["FLAGS", "RFC822.SIZE", "BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)]"]
            )
        result = []
        for uid, row in rows.items():
            header = row.get(b"BODY[HEADER.FIELDS (MESSAGE-ID)]", b"") or b""
            mid = None
            text = header.decode(errors="replace")
            m = re.search(r"(?im)^message-id:\s*(.*(?:\r?\n[ \t].*)*)", text)
            if m:
                mid = " ".join(m.group(1).split()) or None
            flags = tuple(
                (f.decode() if isinstance(f, bytes) else str(f))
                for f in row.get(b"FLAGS", ())
                if f not in (b"\\Recent", "\\Recent")
            )
            result.append(
                MessageInfo(uid=int(uid), flags=flags, message_id=mid, size=row.get(b"RFC822.SIZE"))
            )
        return sorted(result, key=lambda m: m.uid)

    def fetch_raw(self, user: str, folder: str, uid: int) -> bytes:
        """The full message with ``uid``, as the server serves it."""
        with self.as_user(user) as client:
            client.select_folder(folder, readonly=True)
            rows = client.fetch([uid], ["BODY.PEEK[]"])
        if uid not in rows:
            raise ServerError(f"no message uid {uid} in {folder} of {user}")
        return bytes(rows[uid][b"BODY[]"])

    def wait_for_messages(
        self, user: str, folder: str = "INBOX", count: int = 1, timeout: float = 10
    ) -> list[MessageInfo]:
        """Poll until ``folder`` holds at least ``count`` messages; return them."""
        found: list[MessageInfo] = []

        def enough() -> bool:
            nonlocal found
            found = self.messages(user, folder)
            return len(found) >= count

        wait_until(enough, timeout, f"{count} message(s) in {folder} of {user}", interval=0.05)
        return found

    def expunge(self, user: str, folder: str, uids: Iterable[int]) -> None:
        """Remove messages by UID (another client's \\Deleted + UID EXPUNGE)."""
        uids = list(uids)
        if not uids:
            return
        with self.as_user(user) as client:
            client.select_folder(folder)
            client.add_flags(uids, [b"\\Deleted"], silent=True)
            client.uid_expunge(uids)

    def set_flags(self, user: str, folder: str, uids: Iterable[int], flags: Iterable[str]) -> None:
        """Replace the flags of messages."""
        self._flags("set", user, folder, uids, flags)

    def add_flags(self, user: str, folder: str, uids: Iterable[int], flags: Iterable[str]) -> None:
        """Add flags (system flags like ``\\Seen`` or keywords)."""
        self._flags("add", user, folder, uids, flags)

    def remove_flags(
        self, user: str, folder: str, uids: Iterable[int], flags: Iterable[str]
    ) -> None:
        """Remove flags."""
        self._flags("remove", user, folder, uids, flags)

    def _flags(
        self, op: str, user: str, folder: str, uids: Iterable[int], flags: Iterable[str]
    ) -> None:
        uids = list(uids)
        if not uids:
            return
        with self.as_user(user) as client:
            client.select_folder(folder)
            getattr(client, f"{op}_flags")(uids, [f.encode() for f in flags], silent=True)

    def set_uidvalidity(self, user: str, folder: str, value: int | None = None) -> int:
        """Give ``folder`` a new UIDVALIDITY, as a restore does: the messages stay, UIDs change.

        Cyrus has no command to set it, so the folder is rebuilt as a restore would: its
        messages (flags and arrival dates kept) are appended to a new folder that then takes
        its place. ``value`` cannot be chosen (Cyrus assigns it); the new value is returned.
        Not for INBOX (Cyrus removes an INBOX only with its user).
        """
        del value
        if folder.upper() == "INBOX":
            # Cyrus deletes a user's INBOX only with the whole user (and RENAME INBOX keeps it).
            raise ServerError("Cyrus cannot give INBOX a new UIDVALIDITY: use another folder")
        old = self.status(user, folder).uidvalidity
        with self.as_user(user) as client:
            client.select_folder(folder, readonly=True)
            uids = client.search("ALL")
            rows = client.fetch(uids, ["FLAGS", "INTERNALDATE", "BODY.PEEK[]"]) if uids else {}
            client.close_folder()
            # Cyrus's UIDVALIDITY is the creation time in seconds: the copy must be younger.
            time.sleep(max(0.0, old + 1 - time.time()))
            sibling = folder + "-pli-restore"
            client.create_folder(sibling)
            for uid in sorted(rows):
                flags = tuple(f for f in rows[uid][b"FLAGS"] if f != b"\\Recent")
                client.append(
                    sibling,
                    bytes(rows[uid][b"BODY[]"]),
                    flags=flags,
                    msg_time=rows[uid][b"INTERNALDATE"],
                )
            client.delete_folder(folder)
            client.rename_folder(sibling, folder)
        new = self.status(user, folder).uidvalidity
        if new == old:
            raise ServerError(f"UIDVALIDITY of {folder} did not change ({new})")
        return new

    # -- sessions ------------------------------------------------------------------------
    def sessions(self, user: str | None = None) -> list[int]:
        """Pids of the imapd processes serving ``user`` (all logged-in sessions by default).

        Read from ``configdirectory/proc/<pid>``, where each imapd writes who it serves.
        """
        pids = []
        proc_dir = self._root / "lib" / "proc"
        for entry in proc_dir.glob("*"):
            try:
                text = entry.read_text(errors="replace")
                pid = int(entry.name)
            except (OSError, ValueError):
                continue
            fields = text.split("\t")
            who = fields[2].strip().lower() if len(fields) > 2 else ""
            if who and (user is None or who == user.lower()):
                pids.append(pid)
        return pids

    def kick(self, user: str, sig: int = signal.SIGTERM) -> int:
        """End every IMAP session of ``user`` (signals its imapd processes); return how many."""
        pids = self.sessions(user)
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, sig)
        return len(pids)

    # -- LMTP ----------------------------------------------------------------------------
    def lmtp_deliver(
        self, sender: str, recipients: Sequence[str], raw: bytes
    ) -> dict[str, LmtpReply]:
        """Deliver through Cyrus's LMTP listener; return each recipient's reply."""
        return lmtp_send(LOOPBACK, self.lmtp_port, sender, recipients, raw)


def sweep_stale_roots(max_age_s: float = 600) -> None:
    """Remove instance folders left by killed test runs (their master process is gone)."""
    now = time.time()
    for folder in _root_base().glob(f"{ROOT_PREFIX}*"):
        try:
            if now - folder.stat().st_mtime < max_age_s:
                continue
            pid_file = folder / "master.pid"
            if pid_file.exists():
                pid = int(pid_file.read_text().split()[0])
                try:
                    os.kill(pid, 0)
                    continue  # still running
                except ProcessLookupError:
                    pass
        except (OSError, ValueError, IndexError):
            continue
        shutil.rmtree(folder, ignore_errors=True)
