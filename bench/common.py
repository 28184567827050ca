"""What the benchmarks share: the test servers, seeding, measured processes, the peers.

The servers are the test suite's own (tests/servers: `TestPki`, `DovecotServer`); nothing here
starts Dovecot by itself. Every measured program runs as a separate process whose peak memory
is read from the kernel while it runs (its ``VmHWM``; see `run_measured`).
"""

from __future__ import annotations

import os
import platform
import re
import shutil
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.corpus import OWNER_LOCAL, Corpus
from tests.servers.dovecot import DovecotServer
from tests.servers.pki import MSSANTE_TLS12_CIPHERS, TestPki

REPO = Path(__file__).resolve().parents[1]
WORK = REPO / "bench" / "work"
PASSPHRASE = "phrase de passe du banc d'essai"
MAILBOX_PASSWORD = "MotDePasseBanc2025"  # the test Dovecot's user, on loopback only
_MAILDIR_SEQ = re.compile(r"Q(\d+)\.")


# -- numbers ------------------------------------------------------------------------------------


def median(values: Sequence[float]) -> float:
    """The median (NaN when empty)."""
    return statistics.median(values) if values else float("nan")


def spread(values: Sequence[float]) -> str:
    """``min-max`` of the runs, for the tables."""
    if not values:
        return "-"
    return f"{fmt_s(min(values))}–{fmt_s(max(values))}"


def fmt_s(seconds: float) -> str:
    """Seconds for a table: 3 significant digits, ms below one second."""
    if seconds != seconds:  # NaN
        return "-"
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms" if seconds >= 0.01 else f"{seconds * 1000:.1f} ms"
    return f"{seconds:.1f} s" if seconds < 100 else f"{seconds:.0f} s"


def fmt_mb(size: float) -> str:
    """Bytes as MB."""
    return f"{size / 1e6:.0f} MB"


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100), linear interpolation."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * q / 100
    low = int(k)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


# -- the machine --------------------------------------------------------------------------------


def _version(cmd: Sequence[str]) -> str:
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=10)
    except OSError:
        return "not installed"
    return (out.stdout or out.stderr).strip().splitlines()[0] if (out.stdout or out.stderr) else "?"


def machine() -> dict[str, str]:
    """What the numbers were measured on."""
    import psutil  # type: ignore[import-untyped]
    import sqlcipher3

    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    conn = sqlcipher3.connect(":memory:")
    try:
        cipher = conn.execute("PRAGMA cipher_version").fetchone()
        sqlite = conn.execute("SELECT sqlite_version()").fetchone()[0]
    finally:
        conn.close()
    load = os.getloadavg()
    return {
        "cpu": f"{os.cpu_count()} cores ({cpu})",
        "ram": f"{psutil.virtual_memory().total / 2**30:.0f} GiB",
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "openssl": ssl.OPENSSL_VERSION,
        "sqlcipher": f"SQLCipher {cipher[0] if cipher else '?'} (SQLite {sqlite})",
        "dovecot": _version(["dovecot", "--version"]),
        "isync": _version(["mbsync", "--version"]),
        "load": f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f}",
    }


def machine_lines(info: dict[str, str]) -> list[str]:
    """The machine as Markdown bullet lines."""
    return [
        f"- Machine: {info['cpu']}, {info['ram']} RAM, {info['os']} (shared with other "
        f"developers; load average at start {info['load']})",
        f"- Python {info['python']}, {info['openssl']}, {info['sqlcipher']}",
        f"- Dovecot {info['dovecot']}, {info['isync']}",
    ]


# -- servers ------------------------------------------------------------------------------------


@dataclass
class Servers:
    """A test PKI and a Dovecot instance (the test suite's own), with one mailbox."""

    folder: Path
    pki: TestPki = field(init=False)
    dovecot: DovecotServer = field(init=False)
    users: dict[str, str] = field(default_factory=dict)

    def start(self) -> Servers:
        """Create the PKI and start Dovecot."""
        self.pki = TestPki(self.folder / "pki")
        self.dovecot = DovecotServer(cert=self.pki.server).start()
        return self

    def stop(self) -> None:
        """Stop Dovecot (by its own pid file) and remove its folder."""
        self.dovecot.stop()

    def add_user(self, local: str = OWNER_LOCAL) -> str:
        """A mailbox; returns its address."""
        user = self.dovecot.add_user(local, MAILBOX_PASSWORD)
        self.users[user.address] = user.password
        return user.address

    @property
    def host(self) -> str:
        """Where Dovecot listens (127.0.0.2: see tests/servers/README.md)."""
        return self.dovecot.host

    @property
    def ca_bundle(self) -> Path:
        """The trust store the clients load."""
        return self.pki.ca_bundle

    def port(self, security: str) -> int:
        """The IMAP port for ``starttls`` or ``tls``."""
        return self.dovecot.imap_port if security == "starttls" else self.dovecot.imaps_port


def seed(
    servers: Servers,
    user: str,
    corpus: Corpus,
    *,
    by_folder: bool,
    unseen_tail: float = 0.03,
) -> tuple[float, dict[str, int]]:
    """Put the corpus into `user`'s mailbox, arrival dates included; returns (seconds, counts).

    Uses `DovecotServer.deliver_many` (maildir files, then one index sync), then gives each
    file its message's arrival time as mtime, which Dovecot's maildir takes as INTERNALDATE,
    so the archive's dates spread over the corpus's two years. The newest few percent stay
    unread; the rest are seen.
    """
    dovecot = servers.dovecot
    started = time.perf_counter()
    groups = corpus.indices_by_folder() if by_folder else {"INBOX": list(range(corpus.count))}
    counts: dict[str, int] = {}
    for folder, indices in groups.items():
        cut = len(indices) - int(len(indices) * unseen_tail)
        dovecot.deliver_many(
            user, folder, corpus.iter_raw(indices[:cut]), flags=["\\Seen"], index=False
        )
        dovecot.deliver_many(user, folder, corpus.iter_raw(indices[cut:]), index=False)
        files = sorted(
            (p for p in (dovecot.maildir(user, folder) / "cur").iterdir()),
            key=lambda p: int(_MAILDIR_SEQ.search(p.name).group(1)),  # type: ignore[union-attr]
        )
        if len(files) != len(indices):
            raise RuntimeError(f"{folder}: {len(files)} files for {len(indices)} messages")
        for path, index in zip(files, indices, strict=True):
            when = corpus.internal_dates[index]
            os.utime(path, (when, when))
        dovecot.doveadm("force-resync", "-u", user, folder)
        counts[folder] = len(indices)
    return time.perf_counter() - started, counts


# -- measured processes -------------------------------------------------------------------------


@dataclass
class Measured:
    """One process run: exit code, output, wall time and peak resident memory."""

    code: int
    out: str
    err: str
    seconds: float
    max_rss: int  # bytes
    #: CPU seconds (user + system) of the process and of its children it waited for.
    cpu: float = 0.0

    def check(self, what: str) -> Measured:
        """Raise with the output when the process failed."""
        if self.code != 0:
            raise RuntimeError(
                f"{what} failed ({self.code}):\n{self.out[-2000:]}\n{self.err[-4000:]}"
            )
        return self


def run_measured(
    cmd: Sequence[str],
    *,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    stdin: str | None = None,
    timeout: float = 3600,
) -> Measured:
    """Run `cmd`, timing it, with its peak resident memory.

    The peak is the child's ``VmHWM`` (/proc/PID/status), read while it runs: ``wait4``'s
    ``ru_maxrss`` cannot be used, because Python starts children with vfork and the kernel
    then counts this (large) process's resident memory as the child's.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(
            list(cmd),
            stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            env=env,
            cwd=cwd,
        )
        if stdin is not None:
            assert proc.stdin is not None
            proc.stdin.write(stdin.encode())
            proc.stdin.close()
        deadline = started + timeout
        status_file = Path(f"/proc/{proc.pid}/status")
        peak = 0
        polls = 0
        usage = None
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if polls % 5 == 0:
                peak = max(peak, _vm_hwm(status_file))
            polls += 1
            if time.perf_counter() > deadline:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.002)
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Measured(
            code=proc.returncode,
            out=out.read().decode("utf-8", "replace"),
            err=err.read().decode("utf-8", "replace"),
            seconds=seconds,
            max_rss=peak,
            cpu=usage.ru_utime + usage.ru_stime if usage is not None else 0.0,
        )


def _vm_hwm(status_file: Path) -> int:
    """A process's peak resident set size in bytes (0 once it has exited)."""
    try:
        for line in status_file.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


# -- Pli ----------------------------------------------------------------------------------------


class PliProfile:
    """A fresh Pli profile folder and the `pli` command line on it (separate processes)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def env(self) -> dict[str, str]:
        """The environment of a `pli` process: the passphrase, the repository on the path.

        ``PLI_TESTING`` is not set: the profile is created with the production key
        derivation cost, so a process's start-up is what a user's is.
        """
        env = dict(os.environ)
        env.pop("PLI_TESTING", None)
        env["PLI_PASSPHRASE"] = PASSPHRASE
        env["PYTHONPATH"] = str(REPO)
        return env

    def command(self, *args: str) -> list[str]:
        """The argv of ``pli --profile ROOT …``."""
        return [sys.executable, "-m", "app", "--profile", str(self.root), *args]

    def run(self, *args: str, stdin: str | None = None) -> Measured:
        """Run `pli` and measure it."""
        return run_measured(self.command(*args), env=self.env(), cwd=REPO, stdin=stdin)

    def add_account(self, servers: Servers, address: str, security: str) -> None:
        """``pli account add bench …`` for the Dovecot user (password login)."""
        port = servers.port(security)
        self.run(
            "account",
            "add",
            "bench",
            "--address",
            address,
            "--imap",
            f"{servers.host}:{port}",
            "--smtp",
            f"{servers.host}:{port + 1}",  # never used: sync does not submit
            "--security",
            security,
            "--ca-file",
            str(servers.ca_bundle),
            "--password-stdin",
            stdin=servers.users[address] + "\n",
        ).check("pli account add")

    def remove(self) -> None:
        """Delete the profile folder."""
        shutil.rmtree(self.root, ignore_errors=True)

    def archive_size(self) -> int:
        """Bytes of the archive: the SQLCipher file (and WAL) and the body segment files."""
        files = list(self.root.glob("archive.db*"))
        blobs = self.root / "blobs"
        if blobs.is_dir():
            files += [p for p in blobs.rglob("*") if p.is_file()]
        return sum(p.stat().st_size for p in files)


# -- the floor: a raw IMAP fetch ------------------------------------------------------------------


@dataclass
class RawFetch:
    """What a raw fetch read."""

    seconds: float
    messages: int
    literal_bytes: int
    tls: str


def client_context(ca_file: Path) -> ssl.SSLContext:
    """A TLS client context like Pli's policy (TLS 1.2+, MSSanté suites for 1.2)."""
    ctx = ssl.create_default_context(cafile=str(ca_file))
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.set_ciphers(MSSANTE_TLS12_CIPHERS)
    return ctx


def raw_fetch(
    servers: Servers,
    address: str,
    *,
    security: str,
    items: str = "BODY.PEEK[]",
    folders: Iterable[str] = ("INBOX",),
) -> RawFetch:
    """Log in and ``UID FETCH 1:* (items)`` every folder over TLS, reading and discarding.

    A stdlib socket and a buffered reader: no parsing beyond finding the literals, no
    storage. This is the floor any client pays for the same bytes over the same TLS.
    """
    host, port = servers.host, servers.port(security)
    ctx = client_context(servers.ca_bundle)
    started = time.perf_counter()
    sock = socket.create_connection((host, port), timeout=60)
    if security == "tls":
        tls = ctx.wrap_socket(sock, server_hostname=host)
    else:
        plain = sock.makefile("rb")
        plain.readline()  # greeting
        sock.sendall(b"s STARTTLS\r\n")
        while not plain.readline().startswith(b"s "):
            pass
        tls = ctx.wrap_socket(sock, server_hostname=host)
    reader = tls.makefile("rb", buffering=1 << 20)
    messages = 0
    literal = 0
    tag = 0

    def command(text: str) -> None:
        nonlocal messages, literal, tag
        tag += 1
        mark = f"t{tag} ".encode()
        tls.sendall(mark + text.encode() + b"\r\n")
        while True:
            line = reader.readline()
            if not line:
                raise ConnectionError("server closed the connection")
            if line.startswith(mark):
                if not line[len(mark) :].startswith(b"OK"):
                    raise RuntimeError(line.decode(errors="replace"))
                return
            if b" FETCH " in line[:40] and line.startswith(b"* "):
                messages += 1
            while line.endswith(b"}\r\n"):
                size = int(line[line.rindex(b"{") + 1 : -3])
                remaining = size
                while remaining:
                    chunk = reader.read(min(remaining, 1 << 20))
                    if not chunk:
                        raise ConnectionError("server closed the connection")
                    remaining -= len(chunk)
                literal += size
                line = reader.readline()

    if security == "tls":
        reader.readline()  # greeting
    command(f'LOGIN "{address}" "{servers.users[address]}"')
    for folder in folders:
        command(f'EXAMINE "{folder}"')
        command(f"UID FETCH 1:* ({items})")
    command("LOGOUT")
    seconds = time.perf_counter() - started
    version, cipher = tls.version() or "?", (tls.cipher() or ("?",))[0]
    tls.close()
    return RawFetch(seconds, messages, literal, f"{version} {cipher}")


# -- the peer: mbsync -------------------------------------------------------------------------


def mbsync_config(
    servers: Servers,
    address: str,
    maildir: Path,
    *,
    security: str,
    fsync: bool,
    folders: Sequence[str] = ("INBOX",),
) -> str:
    """An isync 1.4 configuration pulling `folders` into a fresh Maildir."""
    maildir.mkdir(parents=True, exist_ok=True)
    trust = maildir.parent / "trust.pem"
    trust.write_bytes(servers.ca_bundle.read_bytes() + servers.pki.server.cert.read_bytes())
    patterns = " ".join(f'"{f}"' for f in folders)
    return "\n".join(
        [
            f"FSync {'yes' if fsync else 'no'}",
            "",
            "IMAPAccount bench",
            f"Host {servers.host}",
            f"Port {servers.port(security)}",
            f"User {address}",
            f'Pass "{servers.users[address]}"',
            f"SSLType {'IMAPS' if security == 'tls' else 'STARTTLS'}",
            "SSLVersions TLSv1.2 TLSv1.3",
            # The test CA, plus the server's own certificate: isync checks host names against
            # DNS names only, and Dovecot listens on 127.0.0.2 (tests/servers/README.md); a
            # certificate listed here is trusted as such, without the name check.
            f"CertificateFile {trust}",
            "SystemCertificates no",
            "",
            "IMAPStore remote",
            "Account bench",
            "",
            "MaildirStore local",
            f"Path {maildir}/",
            f"Inbox {maildir}/INBOX",
            "SubFolders Verbatim",
            "",
            "Channel bench",
            "Far :remote:",
            "Near :local:",
            f"Patterns {patterns}",
            "Create Near",
            "Sync Pull",
            "SyncState *",
            "",
        ]
    )


def run_mbsync(
    servers: Servers,
    address: str,
    folder: Path,
    *,
    security: str,
    fsync: bool,
    folders: Sequence[str] = ("INBOX",),
) -> Measured:
    """A full mbsync pull into a fresh Maildir under `folder` (removed afterwards)."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    config = folder / "mbsyncrc"
    config.write_text(
        mbsync_config(
            servers, address, folder / "Maildir", security=security, fsync=fsync, folders=folders
        )
    )
    config.chmod(0o600)
    try:
        return run_measured(["mbsync", "-c", str(config), "-q", "bench"]).check("mbsync")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def count_files(folder: Path) -> int:
    """Files under `folder` (a Maildir's messages)."""
    return sum(len(files) for _, _, files in os.walk(folder))


def as_json_safe(value: Any) -> Any:
    """Dataclasses and paths into JSON-friendly values (for the raw results file)."""
    if hasattr(value, "__dataclass_fields__"):
        return {k: as_json_safe(getattr(value, k)) for k in value.__dataclass_fields__}
    if isinstance(value, dict):
        return {str(k): as_json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [as_json_safe(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    return value
