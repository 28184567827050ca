"""Small helpers shared by the test servers: free ports, readiness polling, run-as user."""

from __future__ import annotations

import contextlib
import grp
import os
import pwd
import shutil
import socket
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

LOOPBACK = "127.0.0.1"
INSTALL_HINT = "run `tools/install-system-deps` (as root) to install the test servers"


class ServerError(RuntimeError):
    """A test server could not be started or a helper command failed."""


def free_port(host: str = LOOPBACK) -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago (bind to port 0, then release).

    Only for programs that cannot be handed a bound socket (Dovecot): a concurrent run could
    take the port in between, so callers retry their start on "address in use".
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def bound_socket(host: str = LOOPBACK) -> socket.socket:
    """A listening TCP socket on a free port (no race: the caller keeps it)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, 0))
    sock.listen(128)
    return sock


def wait_until(
    predicate: Callable[[], bool],
    timeout: float,
    what: str,
    *,
    interval: float = 0.01,
    on_fail: Callable[[], str] | None = None,
) -> None:
    """Poll ``predicate`` until it is true; raise :class:`ServerError` after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    delay = interval
    while True:
        if predicate():
            return
        if time.monotonic() > deadline:
            detail = on_fail() if on_fail else ""
            raise ServerError(f"timed out after {timeout}s waiting for {what}\n{detail}")
        time.sleep(delay)
        delay = min(delay * 1.5, 0.1)


def port_open(port: int, host: str = LOOPBACK) -> bool:
    """True when something accepts TCP connections on ``host:port``."""
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def require_program(path_or_name: str, what: str) -> str:
    """The program's path, or a clear failure telling how to install it (never a skip)."""
    found = path_or_name if Path(path_or_name).is_absolute() else shutil.which(path_or_name)
    if not found or not os.access(found, os.X_OK):
        raise ServerError(f"{what} is missing ({path_or_name} not found): {INSTALL_HINT}")
    return found


def tail(path: Path, lines: int = 40) -> str:
    """The last lines of a log file (for error messages)."""
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return f"(no log at {path})"
    return "\n".join(text.splitlines()[-lines:])


def orphan_guard() -> list[str]:
    """A command prefix making the server receive SIGTERM if the test process dies.

    ``setpriv --pdeathsig`` sets the parent-death signal after any credential change (a plain
    prctl in the parent would be cleared by the uid switch), so a killed pytest run leaves no
    Dovecot or node process behind. The parent is the thread that spawned the child: start
    servers from a thread that outlives them (pytest fixtures run in the main thread).
    """
    setpriv = require_program("setpriv", "setpriv (util-linux)")
    return [setpriv, "--pdeathsig", "TERM"]


@dataclass(frozen=True)
class RunAs:
    """The unprivileged identity a server process runs under.

    As root, Dovecot refuses to run mail processes as root (notes/TESTING.md): the whole
    instance runs as ``nobody``/``nogroup`` through ``setpriv``. As a normal user, it runs as
    that user and no privilege change happens.
    """

    uid: int
    gid: int
    user: str
    group: str
    via_setpriv: bool

    @classmethod
    def detect(cls) -> RunAs:
        """``nobody:nogroup`` when running as root, else the current user."""
        if os.geteuid() == 0:
            pw = pwd.getpwnam("nobody")
            try:
                gr = grp.getgrnam("nogroup")
            except KeyError:
                gr = grp.getgrgid(pw.pw_gid)
            return cls(pw.pw_uid, gr.gr_gid, pw.pw_name, gr.gr_name, via_setpriv=True)
        pw = pwd.getpwuid(os.getuid())
        gr = grp.getgrgid(os.getgid())
        return cls(pw.pw_uid, gr.gr_gid, pw.pw_name, gr.gr_name, via_setpriv=False)

    def command_prefix(self) -> list[str]:
        """``setpriv …``: drop privileges when root; always die with the test process."""
        if not self.via_setpriv:
            return orphan_guard()
        return [
            *orphan_guard(),
            f"--reuid={self.uid}",
            f"--regid={self.gid}",
            "--clear-groups",
            "--inh-caps=-all",
        ]

    def own(self, *paths: Path) -> None:
        """Give ``paths`` (recursively for folders) to the run user when we are root."""
        if os.geteuid() != 0:
            return
        for path in paths:
            os.chown(path, self.uid, self.gid)
            if path.is_dir():
                for root, dirs, files in os.walk(path):
                    for name in dirs + files:
                        os.chown(Path(root, name), self.uid, self.gid, follow_symlinks=False)


def stop_process(
    proc: subprocess.Popen[bytes], pid: int | None = None, timeout: float = 10
) -> None:
    """SIGTERM ``pid`` (default: the Popen's), wait, then SIGKILL if it lingers."""
    target = pid or proc.pid
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(target, 15)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.kill(target, 9)
            proc.wait(timeout=5)
