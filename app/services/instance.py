"""One instance per profile: the lock a long-lived process holds, and the door it keeps open.

A long-lived process (the window, ``pli sync --watch``) *holds* the profile: an OS file lock
on ``instance.lock`` in the profile folder (``fcntl.flock`` on POSIX, ``msvcrt.locking`` on
Windows). The OS releases it when the process ends, however it ends, so a lock is never stale.

While it holds the profile, the process serves commands forwarded by other ``pli`` processes:
a TCP endpoint bound to 127.0.0.1 on an ephemeral port, whose port and a random 256-bit token
are written atomically (0600) in ``instance.json`` beside the lock. ``instance.json`` is only
believed while the lock is held: after a crash it may linger, and the free lock says so.

The protocol is length-prefixed JSON (a 4-byte big-endian length, then a UTF-8 JSON object):

1. client → ``{"hello": 1, "token": "<hex>", "pli": "<version>"}``;
   holder → ``{"ok": true}``, or ``{"refused": "token" | "version" | "protocol"}`` and close;
2. client → ``{"argv": [...], "cwd": "...", "stdin": "<base64>" | null, "encoding": "...",
   "errors": "...", "env": {...}}``;
3. holder → ``{"started": true}`` when the command's turn comes (one at a time), then any
   number of ``{"out": "<base64>"}`` / ``{"err": "<base64>"}``, then ``{"exit": N}``.

The token is compared in constant time; nothing of a request (argv may hold addresses) is
logged above DEBUG, and DEBUG logs only the command's name.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import contextvars
import hmac
import json
import logging
import os
import secrets
import struct
import sys
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app import __version__
from app.config.paths import AppPaths
from app.domain.errors import StoreError

if TYPE_CHECKING:  # the events' vocabulary loads with the services, not with every `pli`
    from app.domain.events import Cause

log = logging.getLogger(__name__)

LOCK_FILE = "instance.lock"
INFO_FILE = "instance.json"
PROTOCOL = 1
LOOPBACK = "127.0.0.1"

#: Largest hello frame (token and version): read before the token is checked.
HELLO_LIMIT = 4 * 1024
#: Largest request (argv, and the standard input a command reads: a body, a password).
REQUEST_LIMIT = 96 * 1024 * 1024
#: Largest frame the holder sends (output is cut in chunks far smaller).
REPLY_LIMIT = 4 * 1024 * 1024
OUTPUT_CHUNK = 64 * 1024

#: How long a forwarded command may run in the holder before it is cancelled.
COMMAND_TIMEOUT = 900.0
#: How long a client waits for its turn behind other forwarded commands.
QUEUE_TIMEOUT = 900.0
#: The hello and the request must arrive within this after connecting.
HANDSHAKE_TIMEOUT = 10.0
#: Even "do not wait" retries this long: a short-lived `pli` probing the lock holds it briefly.
GRACE = 2.0
#: When the holder closes, how long the running forwarded command may still take.
STOP_GRACE = 30.0
POLL = 0.1

#: Standard input is read only this far for a forwarded command.
STDIN_LIMIT = REQUEST_LIMIT - 1024 * 1024

_forwarded: contextvars.ContextVar[bool] = contextvars.ContextVar("pli_forwarded", default=False)


def change_cause() -> Cause:
    """Who causes a change made now: `Cause.OTHER_PROCESS` inside a forwarded command.

    Services publishing a user's change call this instead of writing `Cause.USER`: a command
    passed by another `pli` process then shows as such in the window.
    """
    from app.domain.events import Cause

    return Cause.OTHER_PROCESS if _forwarded.get() else Cause.USER


@contextlib.contextmanager
def acting_for_other_process() -> Iterator[None]:
    """Mark the changes made in this context (and the tasks it starts) as another process's."""
    token = _forwarded.set(True)
    try:
        yield
    finally:
        _forwarded.reset(token)


# -- the OS lock -----------------------------------------------------------------------------


class OsFileLock:
    """An exclusive, non-blocking OS lock on one file, released by the OS with the process.

    POSIX uses ``flock`` (per open file: a second `OsFileLock` on the same file in the same
    process is refused too, which the tests rely on); Windows locks the file's first byte.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        """Whether this object holds the lock."""
        return self._fd is not None

    def try_acquire(self) -> bool:
        """Take the lock if it is free; never blocks."""
        if self._fd is not None:
            return True
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            if sys.platform == "win32":
                import msvcrt

                os.lseek(fd, 0, os.SEEK_SET)
                msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            else:
                import fcntl

                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    def release(self) -> None:
        """Give the lock back (closing the file is enough; unlocking first is tidier)."""
        fd, self._fd = self._fd, None
        if fd is None:
            return
        try:
            if sys.platform == "win32":
                import msvcrt

                os.lseek(fd, 0, os.SEEK_SET)
                msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
            else:
                import fcntl

                fcntl.flock(fd, fcntl.LOCK_UN)
        except OSError:
            log.debug("unlocking %s failed; closing releases it", self.path.name)
        finally:
            os.close(fd)


# -- who holds the profile -------------------------------------------------------------------


@dataclass(frozen=True)
class Holder:
    """The process holding a profile, as its ``instance.json`` describes it.

    `port` and `token` are None while it starts (locked, not serving yet) or when it does not
    serve commands.
    """

    pid: int | None
    port: int | None = None
    token: str | None = field(default=None, repr=False)
    version: str | None = None

    @property
    def serving(self) -> bool:
        """Whether commands can be forwarded to it."""
        return self.port is not None and self.token is not None


def lock_path(paths: AppPaths) -> Path:
    """The profile's lock file."""
    return paths.root / LOCK_FILE


def info_path(paths: AppPaths) -> Path:
    """The profile's ``instance.json`` (pid, port, token of the holder)."""
    return paths.root / INFO_FILE


def probe(paths: AppPaths) -> Holder | None:
    """The profile's holder, or None when the profile is free (blocking, but quick).

    The lock is the truth: a free lock means no holder, whatever ``instance.json`` says.
    """
    if not paths.root.is_dir():
        return None
    lock = OsFileLock(lock_path(paths))
    if lock.try_acquire():
        lock.release()
        return None
    return read_info(paths) or Holder(pid=None)


def read_info(paths: AppPaths) -> Holder | None:
    """What ``instance.json`` says (not checked against the lock), None when absent or bad."""
    try:
        record = json.loads(info_path(paths).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict) or record.get("version") != PROTOCOL:
        return None
    pid, port, token = record.get("pid"), record.get("port"), record.get("token")
    return Holder(
        pid=pid if isinstance(pid, int) else None,
        port=port if isinstance(port, int) and 0 < port < 65536 else None,
        token=token if isinstance(token, str) else None,
        version=str(record.get("pli")) if record.get("pli") else None,
    )


def _write_info(path: Path, record: dict[str, Any]) -> None:
    """Atomically (temp file, fsync, replace), readable by the user only."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(record, handle)
            handle.flush()
            os.fsync(handle.fileno())
        for attempt in range(10):
            try:
                tmp.replace(path)
                break
            except PermissionError:  # Windows: a reader has it open for a moment
                if attempt == 9:
                    raise
                time.sleep(0.05)
    finally:
        tmp.unlink(missing_ok=True)


# -- holding ---------------------------------------------------------------------------------


@dataclass
class ForwardedCommand:
    """A command another `pli` process passed to the holder.

    `argv` may hold health data (addresses): never log it above DEBUG, and then only its
    first word. `stdout`/`stderr` send bytes back to the caller (call them on the loop thread,
    or from any thread: they hop to the loop when needed).
    """

    argv: list[str]
    cwd: str
    stdin: bytes | None
    encoding: str
    errors: str
    env: dict[str, str]
    stdout: Callable[[bytes], None]
    stderr: Callable[[bytes], None]


#: Runs a forwarded command in the holder and returns its exit status.
CommandRunner = Callable[[ForwardedCommand], Awaitable[int]]


class ProfileHold:
    """This process holds the profile; `serve` opens the door to forwarded commands.

    Built by `hold_profile`. `release` (idempotent) stops serving, removes ``instance.json``
    and gives the lock back; the OS does the same if the process dies first.
    """

    def __init__(self, paths: AppPaths, lock: OsFileLock) -> None:
        self.paths = paths
        self._lock = lock
        self._server: asyncio.Server | None = None
        self._token = ""
        self._runner: CommandRunner | None = None
        self._one_at_a_time = asyncio.Lock()
        self._clients: set[asyncio.Task[None]] = set()
        self._closing = False
        self.command_timeout = COMMAND_TIMEOUT
        self.port: int | None = None

    @property
    def held(self) -> bool:
        """Whether the lock is still held."""
        return self._lock.held

    @property
    def serving(self) -> bool:
        """Whether forwarded commands are accepted."""
        return self._server is not None

    async def serve(
        self, runner: CommandRunner, *, command_timeout: float = COMMAND_TIMEOUT
    ) -> None:
        """Accept forwarded commands on loopback and run each with `runner`, one at a time."""
        if self._server is not None:
            raise RuntimeError("already serving")
        self._runner = runner
        self.command_timeout = command_timeout
        self._token = secrets.token_hex(32)
        self._server = await asyncio.start_server(self._accept, LOOPBACK, 0)
        self.port = int(self._server.sockets[0].getsockname()[1])
        record = {
            "version": PROTOCOL,
            "pid": os.getpid(),
            "port": self.port,
            "token": self._token,
            "pli": __version__,
        }
        await asyncio.to_thread(_write_info, info_path(self.paths), record)
        log.info("profile held by pid %d, serving forwarded commands on loopback", os.getpid())

    async def stop_serving(self, *, grace: float = STOP_GRACE) -> None:
        """Refuse new forwarded commands; give the running one `grace` seconds to end.

        Commands still waiting for their turn are answered ``profile.busy``-style (exit 12)
        without running; one still running after `grace` is cancelled.
        """
        server, self._server = self._server, None
        if server is None:
            return
        self._closing = True
        server.close()
        with contextlib.suppress(OSError):
            await asyncio.to_thread(_write_info, info_path(self.paths), _bare_record())
        if self._clients:
            _done, late = await asyncio.wait(set(self._clients), timeout=grace)
            for task in late:
                task.cancel()
            if late:
                log.warning("a forwarded command was cancelled: this process is closing")
                await asyncio.gather(*late, return_exceptions=True)
        await server.wait_closed()

    async def release(self) -> None:
        """Stop serving, forget ``instance.json`` and give the profile back."""
        await self.stop_serving()
        if self._lock.held:
            with contextlib.suppress(OSError):
                info_path(self.paths).unlink(missing_ok=True)
            self._lock.release()
            log.info("profile released")

    async def aclose(self) -> None:
        """Same as `release`."""
        await self.release()

    # -- one connection ----------------------------------------------------------------------

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._clients.add(task)
        try:
            await self._conversation(reader, writer)
        except (
            ConnectionError,
            asyncio.IncompleteReadError,
            TimeoutError,
            _ProtocolError,
            ValueError,  # bad base64
        ):
            log.debug("forwarding connection ended early")
        finally:
            self._clients.discard(task)
            writer.close()
            with contextlib.suppress(ConnectionError, OSError):
                await writer.wait_closed()

    async def _conversation(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        async with asyncio.timeout(HANDSHAKE_TIMEOUT):
            hello = await read_frame(reader, HELLO_LIMIT)
        refusal = self._check_hello(hello)
        if refusal is not None:
            log.warning("refused a forwarded command (%s)", refusal)
            await _send(writer, {"refused": refusal})
            return
        await _send(writer, {"ok": True})
        async with asyncio.timeout(HANDSHAKE_TIMEOUT * 6):
            request = await read_frame(reader, REQUEST_LIMIT)
        command = self._command(request, writer)
        async with self._one_at_a_time:
            if self._closing:
                command.stderr(
                    f"pli: error: the Pli holding this profile (pid {os.getpid()}) is closing: "
                    "the command did not run; run it again\n".encode(command.encoding, "replace")
                )
                code = TIMEOUT_EXIT
            else:
                await _send(writer, {"started": True})
                code = await self._run_unless_abandoned(command, reader)
        await _send(writer, {"exit": code})

    async def _run_unless_abandoned(
        self, command: ForwardedCommand, reader: asyncio.StreamReader
    ) -> int:
        """Run the command; stop it if its caller goes away (Ctrl+C closes the connection)."""
        run = asyncio.create_task(self._run(command))
        hangup = asyncio.create_task(reader.read(1))
        try:
            await asyncio.wait({run, hangup}, return_when=asyncio.FIRST_COMPLETED)
        except asyncio.CancelledError:
            run.cancel()  # the holder is closing and its grace is over
            raise
        finally:
            hangup.cancel()
        if not run.done():
            log.info("a forwarded command was stopped: its caller went away")
            run.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await run
            return INTERRUPTED_EXIT
        return run.result()

    def _check_hello(self, hello: dict[str, Any]) -> str | None:
        if hello.get("hello") != PROTOCOL:
            return "protocol"
        token = hello.get("token")
        if not isinstance(token, str) or not hmac.compare_digest(
            token.encode("utf-8"), self._token.encode("utf-8")
        ):
            return "token"
        if hello.get("pli") != __version__:
            return "version"
        return None

    def _command(self, request: dict[str, Any], writer: asyncio.StreamWriter) -> ForwardedCommand:
        argv, cwd = request.get("argv"), request.get("cwd")
        if not isinstance(argv, list) or not all(isinstance(a, str) for a in argv):
            raise _ProtocolError
        if not isinstance(cwd, str):
            raise _ProtocolError
        stdin_text = request.get("stdin")
        env = request.get("env") or {}
        if not isinstance(env, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in env.items()
        ):
            raise _ProtocolError
        loop = asyncio.get_running_loop()
        loop_thread = threading.get_ident()

        def sender(kind: str) -> Callable[[bytes], None]:
            def send(data: bytes) -> None:
                for start in range(0, len(data), OUTPUT_CHUNK):
                    chunk = data[start : start + OUTPUT_CHUNK]
                    frame = _frame({kind: base64.b64encode(chunk).decode("ascii")})
                    if threading.get_ident() == loop_thread:
                        _write_quietly(writer, frame)
                    else:
                        loop.call_soon_threadsafe(_write_quietly, writer, frame)

            return send

        return ForwardedCommand(
            argv=list(argv),
            cwd=cwd,
            stdin=base64.b64decode(stdin_text) if isinstance(stdin_text, str) else None,
            encoding=str(request.get("encoding") or "utf-8"),
            errors=str(request.get("errors") or "strict"),
            env=dict(env),
            stdout=sender("out"),
            stderr=sender("err"),
        )

    async def _run(self, command: ForwardedCommand) -> int:
        assert self._runner is not None
        log.debug("running a forwarded command: %s", command.argv[:1])
        try:
            async with asyncio.timeout(self.command_timeout):
                with acting_for_other_process():
                    return await self._runner(command)
        except TimeoutError:
            log.warning("a forwarded command was stopped after %.0f s", self.command_timeout)
            command.stderr(
                f"pli: error: the command was stopped after {self.command_timeout:.0f} s in "
                f"the Pli holding this profile (pid {os.getpid()}); what it did so far is "
                "kept\n".encode(command.encoding, "replace")
            )
            return TIMEOUT_EXIT
        except Exception:
            log.exception("a forwarded command failed unexpectedly")
            command.stderr(b"pli: error: internal error (a bug) in the Pli holding this profile\n")
            return 1


#: Exit status of a forwarded command stopped by the holder's timeout (same as profile.busy).
TIMEOUT_EXIT = 12
#: Exit status of a forwarded command whose caller went away (as after Ctrl+C).
INTERRUPTED_EXIT = 130


def _bare_record() -> dict[str, Any]:
    return {
        "version": PROTOCOL,
        "pid": os.getpid(),
        "port": None,
        "token": None,
        "pli": __version__,
    }


async def hold_profile(
    paths: AppPaths,
    *,
    wait: float = 0.0,
    on_wait: Callable[[Holder], None] | None = None,
) -> ProfileHold:
    """Take the profile's lock, waiting up to `wait` seconds for another holder to end.

    `on_wait` is called once, with the current holder, when waiting begins.

    Raises:
        StoreError: ``profile.busy`` (with ``pid``) when the profile is still held.
    """
    await asyncio.to_thread(paths.ensure)
    lock = OsFileLock(lock_path(paths))
    deadline = time.monotonic() + max(wait, GRACE)
    told = False
    while not await asyncio.to_thread(lock.try_acquire):
        holder = await asyncio.to_thread(read_info, paths) or Holder(pid=None)
        if not told and on_wait is not None and wait > 0:
            on_wait(holder)
            told = True
        if time.monotonic() >= deadline:
            raise StoreError("profile.busy", pid=holder.pid or "?")
        await asyncio.sleep(POLL)
    # What an earlier holder left (killed) is stale: say at once who holds it now.
    try:
        await asyncio.to_thread(_write_info, info_path(paths), _bare_record())
    except OSError:
        lock.release()
        raise
    return ProfileHold(paths, lock)


async def wait_until_free(
    paths: AppPaths, *, wait: float, on_wait: Callable[[Holder], None] | None = None
) -> None:
    """Wait up to `wait` seconds until nobody holds the profile (the lock is not kept).

    Raises:
        StoreError: ``profile.busy`` when it is still held.
    """
    hold = await hold_profile(paths, wait=wait, on_wait=on_wait)
    await hold.release()


# -- critical sections across processes ------------------------------------------------------


@contextlib.asynccontextmanager
async def exclusive(paths: AppPaths, name: str, *, patience: float = 60.0) -> AsyncIterator[None]:
    """A section that one process at a time runs on this profile, whoever holds it.

    For work that two `pli` processes must not do at once even without a holder: rotating
    an OAuth refresh token (read the tokens, refresh, store; the second process then finds
    fresh ones), compacting segment files. Also exclusive between tasks of one process.
    The OS frees it if the process dies. `name` is a plain word (``oidc-refresh-3``).

    Raises:
        StoreError: ``profile.busy`` when the section stays taken for `patience` seconds.
    """
    if not name.replace("-", "").replace("_", "").isalnum():
        raise ValueError("a section name is a plain word")
    folder = paths.root / "locks"
    await asyncio.to_thread(_private_folder, folder)
    lock = OsFileLock(folder / f"{name}.lock")
    deadline = time.monotonic() + patience
    while not await asyncio.to_thread(lock.try_acquire):
        if time.monotonic() >= deadline:
            raise StoreError("profile.busy", pid="?")
        await asyncio.sleep(POLL)
    try:
        yield
    finally:
        lock.release()


def _private_folder(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    if os.name == "posix":
        folder.chmod(0o700)


# -- forwarding (the client side) ------------------------------------------------------------


class HolderUnreachable(Exception):  # noqa: N818 - a condition, not an error to show
    """The holder's port did not answer: it is starting, ending, or gone (probe again)."""


@dataclass(frozen=True)
class CommandRequest:
    """What a `pli` process sends to the holder (see the module's protocol)."""

    argv: list[str]
    cwd: str
    stdin: bytes | None = None
    encoding: str = "utf-8"
    errors: str = "strict"
    env: dict[str, str] = field(default_factory=dict)


async def forward(
    holder: Holder,
    request: CommandRequest,
    *,
    on_stdout: Callable[[bytes], None],
    on_stderr: Callable[[bytes], None],
    queue_timeout: float = QUEUE_TIMEOUT,
    run_timeout: float = COMMAND_TIMEOUT + 30.0,
) -> int:
    """Run `request` in the holder; its output goes to the callbacks; returns its exit status.

    Raises:
        HolderUnreachable: nothing answers on the holder's port.
        StoreError: ``profile.forward_refused`` (wrong token), ``profile.other_version``,
            ``profile.forward_lost`` (the holder went away before the command ended),
            ``profile.busy`` (no turn within `queue_timeout`).
    """
    if holder.port is None or holder.token is None:
        raise HolderUnreachable
    try:
        async with asyncio.timeout(HANDSHAKE_TIMEOUT):
            reader, writer = await asyncio.open_connection(LOOPBACK, holder.port)
    except (OSError, TimeoutError) as error:
        raise HolderUnreachable from error
    try:
        return await _converse(
            reader, writer, holder, request, on_stdout, on_stderr, queue_timeout, run_timeout
        )
    finally:
        writer.close()
        with contextlib.suppress(ConnectionError, OSError):
            await writer.wait_closed()


async def _converse(
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    holder: Holder,
    request: CommandRequest,
    on_stdout: Callable[[bytes], None],
    on_stderr: Callable[[bytes], None],
    queue_timeout: float,
    run_timeout: float,
) -> int:
    assert holder.token is not None
    started = False
    try:
        await _send(writer, {"hello": PROTOCOL, "token": holder.token, "pli": __version__})
        async with asyncio.timeout(HANDSHAKE_TIMEOUT):
            answer = await read_frame(reader, REPLY_LIMIT)
        if "refused" in answer:
            if answer["refused"] == "version":
                raise StoreError("profile.other_version", pid=holder.pid or "?")
            raise StoreError("profile.forward_refused", pid=holder.pid or "?")
        await _send(
            writer,
            {
                "argv": request.argv,
                "cwd": request.cwd,
                "stdin": base64.b64encode(request.stdin).decode("ascii")
                if request.stdin is not None
                else None,
                "encoding": request.encoding,
                "errors": request.errors,
                "env": request.env,
            },
        )
        async with asyncio.timeout(queue_timeout) as limit:
            while True:
                frame = await read_frame(reader, REPLY_LIMIT)
                if frame.get("started"):
                    started = True
                    limit.reschedule(asyncio.get_running_loop().time() + run_timeout)
                elif "out" in frame:
                    on_stdout(base64.b64decode(frame["out"]))
                elif "err" in frame:
                    on_stderr(base64.b64decode(frame["err"]))
                elif "exit" in frame:
                    return int(frame["exit"])
    except TimeoutError as error:
        if not started:
            raise StoreError("profile.busy", pid=holder.pid or "?") from error
        raise StoreError("profile.forward_lost", pid=holder.pid or "?") from error
    except (ConnectionError, asyncio.IncompleteReadError, _ProtocolError, ValueError) as error:
        raise StoreError("profile.forward_lost", pid=holder.pid or "?") from error


# -- frames ----------------------------------------------------------------------------------


class _ProtocolError(Exception):
    """A frame too large or not a JSON object."""


_LENGTH = struct.Struct(">I")


def _frame(message: dict[str, Any]) -> bytes:
    body = json.dumps(message, separators=(",", ":")).encode("utf-8")
    return _LENGTH.pack(len(body)) + body


def _write_quietly(writer: asyncio.StreamWriter, frame: bytes) -> None:
    if not writer.is_closing():
        writer.write(frame)


async def _send(writer: asyncio.StreamWriter, message: dict[str, Any]) -> None:
    writer.write(_frame(message))
    await writer.drain()


async def read_frame(reader: asyncio.StreamReader, limit: int) -> dict[str, Any]:
    """One length-prefixed JSON object, at most `limit` bytes long."""
    (length,) = _LENGTH.unpack(await reader.readexactly(_LENGTH.size))
    if length > limit:
        raise _ProtocolError
    try:
        message = json.loads(await reader.readexactly(length))
    except (UnicodeDecodeError, ValueError) as error:
        raise _ProtocolError from error
    if not isinstance(message, dict):
        raise _ProtocolError
    return message
