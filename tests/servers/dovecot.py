"""A real, standalone Dovecot 2.3 instance for the tests (IMAP STARTTLS + IMAPS + LMTP).

Never the system service: the instance has its own config file (no ``!include`` of
/etc/dovecot), ``base_dir``, ``state_dir``, ``log_path`` and ``instance_name``, listens on free
loopback ports (IMAP on 127.0.0.2, see DEFAULT_HOST; LMTP on 127.0.0.1) and is stopped by the
pid in its own ``base_dir/master.pid``.

As root the whole instance runs as ``nobody:nogroup`` (Dovecot refuses mail processes as root;
notes/TESTING.md); its folder is then created outside pytest's 0700 tmp folders so that user can
reach it. Helpers act on mailboxes through ``doveadm -c <conf>`` (Dovecot's own tool), except
bulk seeding which writes maildir files directly (Dovecot indexes them at the next sync, exactly
as with any maildir delivery agent).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

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
from tests.servers.lmtp import LmtpReply, lmtp_send
from tests.servers.pki import MSSANTE_TLS12_CIPHERS, CertFiles

DOVECOT = "/usr/sbin/dovecot"
DOVEADM = "/usr/bin/doveadm"
LMTP_BINARY = "/usr/lib/dovecot/lmtp"
DEFAULT_DOMAIN = "hopital-test.mssante.fr"

# Dovecot treats a connection whose remote IP equals its local IP as already secured and then
# allows plaintext LOGIN without TLS (login-common: "localhost connections are always secured").
# Listening on 127.0.0.2 makes clients connect from 127.0.0.1 (the kernel's source address for
# 127/8), so the server behaves as seen across a network: LOGINDISABLED before STARTTLS.
DEFAULT_HOST = "127.0.0.2"
ROOT_PREFIX = "pli-dovecot-"


DEFAULT_SPECIAL_FOLDERS: Mapping[str, str] = {
    "Drafts": "\\Drafts",
    "Sent": "\\Sent",
    "Trash": "\\Trash",
    "Junk": "\\Junk",
    "Archive": "\\Archive",
}

# Dovecot 2.3.19's post-login capabilities with this configuration (imap_quota adds QUOTA).
# Used only to build an ``imap_capability`` override that hides some of them.
_CAPS = (
    "IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE SORT SORT=DISPLAY THREAD=REFERENCES "
    "THREAD=REFS THREAD=ORDEREDSUBJECT MULTIAPPEND URL-PARTIAL CATENATE UNSELECT CHILDREN "
    "NAMESPACE UIDPLUS LIST-EXTENDED I18NLEVEL=1 CONDSTORE QRESYNC ESEARCH ESORT SEARCHRES "
    "WITHIN CONTEXT=SEARCH LIST-STATUS BINARY MOVE SNIPPET=FUZZY PREVIEW=FUZZY PREVIEW "
    "STATUS=SIZE SAVEDATE LITERAL+ NOTIFY SPECIAL-USE QUOTA"
)
DEFAULT_IMAP_CAPABILITIES = tuple(_CAPS.split())

# Maildir flag letters (maildir "info" part, :2,<letters> sorted) for IMAP system flags.
_MAILDIR_FLAGS = {
    "\\Draft": "D",
    "\\Flagged": "F",
    "\\Answered": "R",
    "\\Seen": "S",
    "\\Deleted": "T",
}


@dataclass(frozen=True)
class MailUser:
    """A mailbox on the test server.

    Attributes:
        address: the login and the mail address (``local@domain``).
        password: the password for PLAIN/LOGIN.
    """

    address: str
    password: str

    @property
    def local(self) -> str:
        """The part before the ``@``."""
        return self.address.split("@", 1)[0]

    @property
    def domain(self) -> str:
        """The part after the ``@``."""
        return self.address.split("@", 1)[1]


@dataclass(frozen=True)
class MessageInfo:
    """One message as Dovecot sees it (for assertions)."""

    uid: int
    flags: tuple[str, ...]
    message_id: str | None
    size: int | None = None


@dataclass(frozen=True)
class MailboxStatus:
    """STATUS-like values of one folder."""

    messages: int
    uidnext: int
    uidvalidity: int
    highestmodseq: int
    unseen: int


@dataclass
class DovecotOAuth2:
    """How the ``oauth2`` passdb checks XOAUTH2/OAUTHBEARER tokens (RFC 7662 introspection).

    Attributes:
        introspection_url: the provider's introspection endpoint.
        client_id: the resource-server client Dovecot authenticates as (client_secret_basic).
        client_secret: its secret.
        ca_file: CA bundle to verify an https endpoint with.
        username_attribute: the introspection field compared with the login (``sub``: the
            provider's subjects are mailbox addresses).
    """

    introspection_url: str
    client_id: str
    client_secret: str
    ca_file: Path | None = None
    username_attribute: str = "sub"


@dataclass
class DovecotServer:
    """A standalone Dovecot instance on 127.0.0.1.

    Construct, then :meth:`start` (or use as a context manager); :meth:`stop` kills it by the pid
    in ``base_dir/master.pid``.

    Attributes:
        cert: the server certificate (chain + key) presented on STARTTLS and IMAPS.
        domain: default domain of users created by :meth:`add_user`.
        oauth2: enables the ``oauth2`` passdb (XOAUTH2 and OAUTHBEARER) when set.
        hide_capabilities: post-login capabilities to remove (``imap_capability`` override),
            e.g. ``("CONDSTORE", "QRESYNC")`` for fallback tests.
        capability_override: exact post-login capability list (wins over ``hide_capabilities``).
        separator: hierarchy separator of the INBOX namespace.
        prefix: the personal namespace's prefix (``"INBOX."`` with ``separator="."`` gives
            the layout of Cyrus and Courier, where every folder lives under INBOX); folder
            names given to the helpers below are full names (``"INBOX.Sent"``).
        special_folders: auto-created special-use folders (name -> attribute).
        tls_ciphers: ``ssl_cipher_list`` (TLS 1.2 and below).
        ssl_min_protocol: ``ssl_min_protocol``.
        default_quota_bytes: storage quota for users without their own (0 = unlimited).
        client_ca: when set, asks clients for a certificate chaining to this CA file.
        root: the instance folder (default: a fresh temporary folder).
        verbose_auth: ``auth_verbose``/``auth_debug`` (logs in ``log_path``).
        host: listening address of IMAP and IMAPS (a loopback address, see DEFAULT_HOST).
        imap_port, imaps_port, lmtp_port: filled in by :meth:`start` (LMTP on 127.0.0.1).
    """

    cert: CertFiles
    domain: str = DEFAULT_DOMAIN
    oauth2: DovecotOAuth2 | None = None
    hide_capabilities: Sequence[str] = ()
    capability_override: Sequence[str] | None = None
    separator: str = "/"
    prefix: str = ""
    special_folders: Mapping[str, str] = field(
        default_factory=lambda: dict(DEFAULT_SPECIAL_FOLDERS)
    )
    tls_ciphers: str = MSSANTE_TLS12_CIPHERS
    ssl_min_protocol: str = "TLSv1.2"
    default_quota_bytes: int = 0
    client_ca: Path | None = None
    root: Path | None = None
    verbose_auth: bool = False
    host: str = DEFAULT_HOST
    imap_port: int = 0
    imaps_port: int = 0
    lmtp_port: int = 0

    def __post_init__(self) -> None:
        self.run_as = RunAs.detect()
        self._users: dict[str, tuple[str, int | None]] = {}
        self._lock = threading.RLock()
        self._proc: subprocess.Popen[bytes] | None = None
        self._known_folders: set[tuple[str, str]] = set()
        self._seq = 0
        self._owns_root = self.root is None

    # -- paths -------------------------------------------------------------------------
    @property
    def base_dir(self) -> Path:
        """Dovecot's ``base_dir`` (sockets, master.pid)."""
        return self._root / "run"

    @property
    def config_path(self) -> Path:
        """The generated dovecot.conf."""
        return self._root / "dovecot.conf"

    @property
    def log_path(self) -> Path:
        """Dovecot's log file (errors, auth failures with ``verbose_auth``)."""
        return self._root / "dovecot.log"

    @property
    def passwd_dir(self) -> Path:
        """One passwd-file per user (``users/<address>``), see :meth:`add_user`."""
        return self._root / "users"

    @property
    def _root(self) -> Path:
        if self.root is None:
            raise ServerError("DovecotServer not started")
        return self.root

    def maildir(self, user: str, folder: str = "INBOX") -> Path:
        """The maildir folder of ``user``'s ``folder`` (Maildir++ layout)."""
        local, domain = user.split("@", 1)
        base = self._root / "mail" / domain / local / "Maildir"
        if folder.upper() == "INBOX":
            return base
        if self.prefix and folder.startswith(self.prefix):
            folder = folder[len(self.prefix) :]
        return base / ("." + folder.replace(self.separator, "."))

    # -- lifecycle ---------------------------------------------------------------------
    def start(self, timeout: float = 20) -> DovecotServer:
        """Write the configuration and start the instance; return when all ports answer."""
        require_program(DOVECOT, "Dovecot (package dovecot-imapd)")
        require_program(DOVEADM, "doveadm (package dovecot-core)")
        require_program(LMTP_BINARY, "Dovecot LMTP (package dovecot-lmtpd)")
        if self.root is None:
            sweep_stale_roots()
            # Not under pytest's tmp_path: those folders are 0700 root, unreachable by nobody.
            self.root = Path(tempfile.mkdtemp(prefix=ROOT_PREFIX))
        self.root.mkdir(parents=True, exist_ok=True)
        for sub in ("run", "state", "mail", "index", "control", "home", "tls", "users"):
            (self.root / sub).mkdir(exist_ok=True)
        tls = self.root / "tls"
        shutil.copyfile(self.cert.chain, tls / "server.chain.pem")
        shutil.copyfile(self.cert.key, tls / "server.key.pem")
        if self.client_ca is not None:
            shutil.copyfile(self.client_ca, tls / "client-ca.pem")
        if self.oauth2 is not None and self.oauth2.ca_file is not None:
            shutil.copyfile(self.oauth2.ca_file, tls / "oauth2-ca.pem")
        for address in self._users:
            self._write_user_file(address)
        last_error: Exception | None = None
        for _attempt in range(3):
            self.imap_port = free_port(self.host)
            self.imaps_port = free_port(self.host)
            self.lmtp_port = free_port()
            self._write_config()
            self.run_as.own(self.root)
            try:
                self._spawn(timeout)
                return self
            except ServerError as exc:  # e.g. a port taken between free_port() and bind
                last_error = exc
                self._kill()
        raise ServerError(f"Dovecot did not start: {last_error}")

    def _spawn(self, timeout: float) -> None:
        self.log_path.unlink(missing_ok=True)
        out = (self._root / "dovecot.stderr").open("wb")
        cmd = [*self.run_as.command_prefix(), DOVECOT, "-F", "-c", str(self.config_path)]
        self._proc = subprocess.Popen(
            cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, cwd=self._root
        )
        out.close()

        def ready() -> bool:
            if self._proc is not None and self._proc.poll() is not None:
                raise ServerError(
                    f"dovecot exited with {self._proc.returncode}:\n"
                    f"{tail(self._root / 'dovecot.stderr')}\n{tail(self.log_path)}"
                )
            return (
                port_open(self.imap_port, self.host)
                and port_open(self.imaps_port, self.host)
                and port_open(self.lmtp_port)
            )

        wait_until(ready, timeout, "Dovecot listeners", on_fail=lambda: tail(self.log_path))

    def master_pid(self) -> int | None:
        """The master process id from ``base_dir/master.pid`` (None when not running)."""
        try:
            return int((self.base_dir / "master.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    def _kill(self) -> None:
        if self._proc is None:
            return
        stop_process(self._proc, self.master_pid())
        self._proc = None

    def stop(self) -> None:
        """Stop the instance (SIGTERM to the pid in master.pid) and remove its folder."""
        self._kill()
        if self._owns_root and self.root is not None:
            shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> DovecotServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def reload(self) -> None:
        """Rewrite the configuration and make Dovecot reread it (``doveadm reload``)."""
        self._write_config()
        self.run_as.own(self.config_path)
        self.doveadm("reload")

    def log_text(self) -> str:
        """The whole Dovecot log so far."""
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    # -- configuration -----------------------------------------------------------------
    def _capabilities(self) -> list[str] | None:
        if self.capability_override is not None:
            return list(self.capability_override)
        if self.hide_capabilities:
            hidden = {c.upper() for c in self.hide_capabilities}
            return [c for c in DEFAULT_IMAP_CAPABILITIES if c.upper() not in hidden]
        return None

    def _write_config(self) -> None:
        root = self._root
        ra = self.run_as
        mechanisms = "plain login"
        oauth_passdb = ""
        if self.oauth2 is not None:
            mechanisms += " xoauth2 oauthbearer"
            oauth_conf = root / "dovecot-oauth2.conf.ext"
            url = self.oauth2.introspection_url
            scheme, rest = url.split("://", 1)
            # Dovecot's http-client sends Basic credentials taken from the URL's userinfo.
            from urllib.parse import quote

            client_id = quote(self.oauth2.client_id, safe="")
            creds = f"{client_id}:{quote(self.oauth2.client_secret, safe='')}"
            lines = [
                "introspection_mode = post",
                f"introspection_url = {scheme}://{creds}@{rest}",
                f"username_attribute = {self.oauth2.username_attribute}",
                "active_attribute = active",
                "active_value = true",
                "force_introspection = yes",
                "timeout_msecs = 5000",
            ]
            if self.oauth2.ca_file is not None:
                lines.append(f"tls_ca_cert_file = {root / 'tls' / 'oauth2-ca.pem'}")
            oauth_conf.write_text("\n".join(lines) + "\n")
            oauth_conf.chmod(0o600)
            oauth_passdb = f"""
passdb {{
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = {oauth_conf}
}}
"""
        mailboxes = "\n".join(
            f'  mailbox "{name}" {{\n    special_use = {attr}\n    auto = subscribe\n  }}'
            for name, attr in self.special_folders.items()
        )
        caps = self._capabilities()
        cap_line = f"  imap_capability = {' '.join(caps)}" if caps is not None else ""
        client_ca = ""
        if self.client_ca is not None:
            client_ca = (
                f"ssl_ca = <{root / 'tls' / 'client-ca.pem'}\n"
                "ssl_verify_client_cert = yes\nssl_require_crl = no\n"
            )
        quota_rule = (
            f"*:storage={self.default_quota_bytes}B" if self.default_quota_bytes else "*:storage=0"
        )
        no_chroot = "\n".join(
            f"service {name} {{\n  chroot =\n}}"
            for name in (
                "anvil",
                "ipc",
                "old-stats",
                "aggregator",
                "director",
                "pop3-login",
                "submission-login",
                "imap-urlauth-login",
            )
        )
        mail_location = (
            f"maildir:{root}/mail/%d/%n/Maildir"
            f":INDEX={root}/index/%d/%n:CONTROL={root}/control/%d/%n"
        )
        conf = f"""# Generated by tests/servers/dovecot.py (no /etc/dovecot include).
instance_name = pli-test-{os.getpid()}-{id(self) & 0xFFFF:x}
base_dir = {root}/run
state_dir = {root}/state
log_path = {self.log_path}
info_log_path = {self.log_path}
protocols = imap lmtp
listen = {self.host}, {LOOPBACK}
shutdown_clients = yes
login_greeting = Pli test IMAP ready.

default_login_user = {ra.user}
default_internal_user = {ra.user}
default_internal_group = {ra.group}
first_valid_uid = {ra.uid}
first_valid_gid = {ra.gid}

# ssl=required: no authentication of any kind before TLS (MSSANTE.md §2: never plaintext).
ssl = required
ssl_cert = <{root}/tls/server.chain.pem
ssl_key = <{root}/tls/server.key.pem
ssl_min_protocol = {self.ssl_min_protocol}
ssl_cipher_list = {self.tls_ciphers}
ssl_prefer_server_ciphers = yes
{client_ca}
# No authentication before TLS (MSSANTE.md §2: never plaintext): LOGINDISABLED until STARTTLS.
disable_plaintext_auth = yes
auth_mechanisms = {mechanisms}
auth_username_format = %Lu
auth_verbose = {"yes" if self.verbose_auth else "no"}
auth_debug = {"yes" if self.verbose_auth else "no"}
auth_failure_delay = 0

passdb {{
  driver = passwd-file
  mechanisms = plain login
  args = username_format=%Lu {self.passwd_dir}/%Lu
}}
{oauth_passdb}
userdb {{
  driver = passwd-file
  args = username_format=%Lu {self.passwd_dir}/%Lu
  default_fields = uid={ra.uid} gid={ra.gid} home={root}/home/%d/%n
}}

mail_location = {mail_location}
mail_fsync = never
mail_plugins = $mail_plugins quota
mail_max_userip_connections = 500

namespace inbox {{
  inbox = yes
  separator = {self.separator}
  prefix = {self.prefix}
{mailboxes}
}}

plugin {{
  quota = count:User quota
  quota_vsizes = yes
  quota_rule = {quota_rule}
  quota_grace = 0%
}}

protocol imap {{
  mail_plugins = $mail_plugins imap_quota
{cap_line}
}}

protocol lmtp {{
  postmaster_address = postmaster@{self.domain}
  mail_plugins = $mail_plugins
}}
lmtp_rcpt_check_quota = yes

service imap-login {{
  chroot =
  inet_listener imap {{
    address = {self.host}
    port = {self.imap_port}
  }}
  inet_listener imaps {{
    address = {self.host}
    port = {self.imaps_port}
    ssl = yes
  }}
  service_count = 0
  process_min_avail = 1
  client_limit = 1000
}}

service imap {{
  process_limit = 1000
}}

service lmtp {{
  inet_listener lmtp {{
    address = {LOOPBACK}
    port = {self.lmtp_port}
  }}
}}

service auth {{
  unix_listener auth-userdb {{
    mode = 0666
  }}
}}

# Dovecot's documented way to disable the auth penalty (delays of up to 15 s per IP after
# failed logins): auth cannot reach anvil's penalty socket. Tests fail logins on purpose.
service anvil {{
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}

{no_chroot}
"""
        self.config_path.write_text(conf)

    # -- users -------------------------------------------------------------------------
    def _write_user_file(self, address: str) -> None:
        password, quota = self._users[address]
        extra = f"userdb_quota_rule=*:storage={quota}B" if quota is not None else ""
        # user:password:uid:gid:gecos:home:shell:extra (uid/gid/home come from default_fields)
        line = f"{address}:{{PLAIN}}{password}::::::{extra}\n"
        path = self.passwd_dir / address
        tmp = self.passwd_dir / f".{address}.tmp"
        tmp.write_text(line)
        tmp.chmod(0o644)
        tmp.replace(path)  # atomic: Dovecot never reads a half-written file

    def add_user(
        self,
        local: str,
        password: str | None = None,
        *,
        domain: str | None = None,
        quota_bytes: int | None = None,
    ) -> MailUser:
        """Create a mailbox ``local@domain`` at run time (no restart, no reload).

        Each user has its own passwd-file (``args = users/%Lu``): Dovecot opens a file it has
        not seen on first lookup, whereas it rechecks a known file at most once per second, so
        a single shared file would miss users added within the second of the last login.

        Args:
            local: the part before ``@`` (or a full address, then ``domain`` is ignored).
            password: PLAIN/LOGIN password (default: a random one).
            domain: defaults to :attr:`domain`.
            quota_bytes: storage limit; APPEND beyond it answers ``NO [OVERQUOTA]``.
        """
        address = local if "@" in local else f"{local}@{domain or self.domain}"
        address = address.lower()
        password = password or os.urandom(9).hex()
        if ":" in password or "\n" in password:
            raise ValueError("password cannot contain ':' or newlines (passwd-file format)")
        with self._lock:
            existed = address in self._users
            self._users[address] = (password, quota_bytes)
            if self.root is not None:
                if existed:
                    # Dovecot rechecks a known passwd-file at most once per second
                    # (db-passwd-file.c, last_sync_time): make the change visible.
                    time.sleep(1.05)
                self._write_user_file(address)
                self.run_as.own(self.passwd_dir / address)
        return MailUser(address, password)

    def set_password(self, address: str, password: str) -> None:
        """Change a user's password."""
        with self._lock:
            quota = self._users[address.lower()][1]
        self.add_user(address, password, quota_bytes=quota)

    def set_quota(self, address: str, quota_bytes: int | None) -> None:
        """Change a user's storage quota (None = the server default)."""
        with self._lock:
            password = self._users[address.lower()][0]
        self.add_user(address, password, quota_bytes=quota_bytes)
        self.doveadm("quota", "recalc", "-u", address)

    def has_user(self, address: str) -> bool:
        """True when ``address`` is a mailbox of this server."""
        with self._lock:
            return address.lower() in self._users

    def check_password(self, address: str, password: str) -> bool:
        """True when ``password`` is ``address``'s (the SMTP server authenticates with this)."""
        with self._lock:
            entry = self._users.get(address.lower())
        return entry is not None and entry[0] == password

    @property
    def users(self) -> list[str]:
        """Addresses of all mailboxes."""
        with self._lock:
            return sorted(self._users)

    # -- doveadm -----------------------------------------------------------------------
    def doveadm(
        self, *args: str, input_bytes: bytes | None = None, check: bool = True
    ) -> subprocess.CompletedProcess[bytes]:
        """Run ``doveadm -c <conf> ARGS`` (raises :class:`ServerError` on failure)."""
        proc = subprocess.run(
            [DOVEADM, "-c", str(self.config_path), *args],
            input=input_bytes,
            capture_output=True,
            timeout=120,
            check=False,
        )
        if check and proc.returncode != 0:
            raise ServerError(
                f"doveadm {' '.join(args)} failed ({proc.returncode}): "
                f"{proc.stderr.decode(errors='replace').strip()}"
            )
        return proc

    def _json(self, *args: str) -> list[dict[str, str]]:
        out = self.doveadm("-f", "json", *args).stdout.decode(errors="replace").strip()
        return json.loads(out) if out else []

    # -- folders -----------------------------------------------------------------------
    def create_folder(self, user: str, folder: str, *, subscribe: bool = True) -> None:
        """Create ``folder`` (``doveadm mailbox create``)."""
        args = ["mailbox", "create", "-u", user]
        if subscribe:
            args.append("-s")
        self.doveadm(*args, folder)
        self._known_folders.add((user, folder))

    def delete_folder(self, user: str, folder: str) -> None:
        """Delete ``folder`` and its messages (``doveadm mailbox delete -s``)."""
        self.doveadm("mailbox", "delete", "-s", "-u", user, folder)
        self._known_folders.discard((user, folder))

    def rename_folder(self, user: str, old: str, new: str) -> None:
        """Rename a folder (``doveadm mailbox rename -s``)."""
        self.doveadm("mailbox", "rename", "-s", "-u", user, old, new)
        self._known_folders.discard((user, old))

    def folders(self, user: str) -> list[str]:
        """All folder names of ``user`` (auto-created special-use folders included)."""
        out = self.doveadm("mailbox", "list", "-u", user).stdout.decode()
        return [line for line in out.splitlines() if line]

    def status(self, user: str, folder: str = "INBOX") -> MailboxStatus:
        """Messages, UIDNEXT, UIDVALIDITY, HIGHESTMODSEQ and unseen count of ``folder``."""
        rows = self._json(
            "mailbox",
            "status",
            "-u",
            user,
            "messages uidnext uidvalidity highestmodseq unseen",
            folder,
        )
        row = rows[0]
        return MailboxStatus(
            messages=int(row["messages"]),
            uidnext=int(row["uidnext"]),
            uidvalidity=int(row["uidvalidity"]),
            highestmodseq=int(row["highestmodseq"]),
            unseen=int(row["unseen"]),
        )

    def _ensure_folder(self, user: str, folder: str) -> Path:
        path = self.maildir(user, folder)
        if (user, folder) in self._known_folders and (path / "cur").is_dir():
            return path
        if not (path / "cur").is_dir():
            # STATUS makes Dovecot create the user's maildir and auto (special-use) folders.
            bare = folder[len(self.prefix) :] if folder.startswith(self.prefix) else folder
            if folder.upper() == "INBOX" or bare in self.special_folders:
                self.doveadm("mailbox", "status", "-u", user, "messages", folder)
            else:
                proc = self.doveadm("mailbox", "create", "-s", "-u", user, folder, check=False)
                if proc.returncode != 0 and b"exists" not in proc.stderr:
                    raise ServerError(proc.stderr.decode(errors="replace"))
        if not (path / "cur").is_dir():
            raise ServerError(f"folder {folder!r} of {user} has no maildir at {path}")
        self._known_folders.add((user, folder))
        return path

    # -- messages ----------------------------------------------------------------------
    def _write_maildir_file(
        self, folder_path: Path, raw: bytes, flags: Iterable[str], internal_date: float | None
    ) -> str:
        with self._lock:
            self._seq += 1
            seq = self._seq
        now = time.time()
        base = f"{int(now)}.M{int(now * 1e6) % 1000000}P{os.getpid()}Q{seq}.pli-test"
        vsize = len(raw) + raw.count(b"\n") - raw.count(b"\r\n")
        letters = "".join(sorted(_MAILDIR_FLAGS[f] for f in flags if f in _MAILDIR_FLAGS))
        name = f"{base},S={len(raw)},W={vsize}:2,{letters}"
        tmp = folder_path / "tmp" / name
        with tmp.open("wb") as fh:
            fh.write(raw)
        if internal_date is not None:
            os.utime(tmp, (internal_date, internal_date))
        if os.geteuid() == 0:
            os.chown(tmp, self.run_as.uid, self.run_as.gid)
        tmp.rename(folder_path / "cur" / name)
        # Dovecot's GUID of a maildir message is its file name without the ":2," info part.
        return name.split(":", 1)[0]

    def deliver(
        self,
        user: str,
        raw: bytes,
        folder: str = "INBOX",
        flags: Iterable[str] = (),
        *,
        internal_date: float | None = None,
    ) -> int:
        """Put one message into ``folder`` with ``flags``; return its UID.

        Writes a maildir file (system flags in its name, INTERNALDATE from its mtime) and lets
        Dovecot index it; keywords are then set with ``doveadm flags add``. Not subject to quota
        (use LMTP or IMAP APPEND to test quota).
        """
        flags = tuple(flags)
        path = self._ensure_folder(user, folder)
        base = self._write_maildir_file(path, raw, flags, internal_date)
        rows = self._json("fetch", "-u", user, "uid", "mailbox", folder, "guid", base)
        if len(rows) != 1:
            raise ServerError(f"delivered message not found by guid {base}: {rows}")
        uid = int(rows[0]["uid"])
        keywords = [f for f in flags if not f.startswith("\\")]
        if keywords:
            self.add_flags(user, folder, [uid], keywords)
        return uid

    def deliver_many(
        self,
        user: str,
        folder: str,
        messages: Iterable[bytes],
        *,
        flags: Iterable[str] = (),
        index: bool = True,
    ) -> int:
        """Seed ``folder`` with many messages quickly (maildir files, then one index sync).

        10,000 messages of ~120 kB take seconds: files are written directly and Dovecot
        assigns UIDs in one sync (``doveadm force-resync``) instead of one APPEND each.
        Returns the number of messages written. With ``index=False`` the sync is left to the
        first client that opens the folder (what a real server does after a bulk restore).
        """
        flags = tuple(f for f in flags if f in _MAILDIR_FLAGS)
        path = self._ensure_folder(user, folder)
        count = 0
        for raw in messages:
            self._write_maildir_file(path, raw, flags, None)
            count += 1
        if index:
            self.doveadm("force-resync", "-u", user, folder)
        return count

    def messages(self, user: str, folder: str = "INBOX") -> list[MessageInfo]:
        """UID, flags, Message-ID and size of every message in ``folder`` (UID order)."""
        rows = self._json(
            "fetch", "-u", user, "uid flags size.physical hdr.message-id", "mailbox", folder, "all"
        )
        result = []
        for row in rows:
            mid = row.get("hdr.message-id") or None
            result.append(
                MessageInfo(
                    uid=int(row["uid"]),
                    # \\Recent is per session, not a stored flag.
                    flags=tuple(f for f in row.get("flags", "").split() if f != "\\Recent"),
                    message_id=mid.strip() if mid else None,
                    size=int(row["size.physical"]) if row.get("size.physical") else None,
                )
            )
        return sorted(result, key=lambda m: m.uid)

    def fetch_raw(self, user: str, folder: str, uid: int) -> bytes:
        """The full message with ``uid``, byte for byte as stored."""
        rows = self._json("fetch", "-u", user, "guid", "mailbox", folder, "uid", str(uid))
        if not rows:
            raise ServerError(f"no message uid {uid} in {folder} of {user}")
        # A maildir message's GUID is its file name without the ":2,<flags>" part.
        guid = rows[0]["guid"]
        base = self.maildir(user, folder)
        for sub in ("cur", "new"):
            for path in (base / sub).glob(f"{guid}*"):
                return path.read_bytes()
        raise ServerError(f"file of message uid {uid} ({guid}) not found under {base}")

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

    @staticmethod
    def _uidset(uids: Iterable[int]) -> str:
        return ",".join(str(u) for u in uids)

    def expunge(self, user: str, folder: str, uids: Iterable[int]) -> None:
        """Remove messages by UID behind the clients' backs (an operator purge)."""
        uidset = self._uidset(uids)
        if uidset:
            self.doveadm("expunge", "-u", user, "mailbox", folder, "uid", uidset)

    def set_flags(self, user: str, folder: str, uids: Iterable[int], flags: Iterable[str]) -> None:
        """Replace the flags of messages (``doveadm flags replace``)."""
        self._flags("replace", user, folder, uids, flags)

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
        uidset = self._uidset(uids)
        if not uidset:
            return
        self.doveadm("flags", op, "-u", user, " ".join(flags), "mailbox", folder, "uid", uidset)

    def set_uidvalidity(self, user: str, folder: str, value: int | None = None) -> int:
        """Give ``folder`` a new UIDVALIDITY (what a server restore or migration does).

        The messages stay but every client cache of the folder is invalid (RFC 3501 §2.3.1.1).
        Returns the new value (default: the old one + 1).
        """
        old = self.status(user, folder).uidvalidity
        value = value if value is not None else old + 1
        self.doveadm("mailbox", "update", "-u", user, "--uid-validity", str(value), folder)
        new = self.status(user, folder).uidvalidity
        if new != value:
            raise ServerError(f"UIDVALIDITY of {folder} is {new}, wanted {value}")
        return new

    def kick(self, user: str) -> None:
        """Disconnect every IMAP session of ``user`` (``doveadm kick``)."""
        self.doveadm("kick", user, check=False)

    # -- LMTP ------------------------------------------------------------------------
    def lmtp_deliver(
        self, sender: str, recipients: Sequence[str], raw: bytes
    ) -> dict[str, LmtpReply]:
        """Deliver through Dovecot's LMTP listener; return each recipient's reply."""
        return lmtp_send(LOOPBACK, self.lmtp_port, sender, recipients, raw)


def sweep_stale_roots(max_age_s: float = 600) -> None:
    """Remove instance folders left by killed test runs (their master process is gone).

    A killed pytest takes its Dovecot with it (``setpriv --pdeathsig``) but cannot delete the
    folder. Only folders older than ``max_age_s`` whose ``master.pid`` names no live process
    are removed; a folder whose process cannot be checked is left alone.
    """
    now = time.time()
    for folder in Path(tempfile.gettempdir()).glob(f"{ROOT_PREFIX}*"):
        try:
            if now - folder.stat().st_mtime < max_age_s:
                continue
            pid_file = folder / "run" / "master.pid"
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
