"""One Pli per profile, seen from the command line: forward, wait, or hold.

When a long-lived process holds the profile (the window, ``pli sync --watch``), a short-lived
command is passed to it and runs there, on its services, so the window shows the change at
once; its output, errors and exit status come back here unchanged. Commands that cannot be
passed (a second ``sync --watch``, a login in the browser) wait until the profile is free,
saying so on stderr, for ``--wait`` seconds at most (then exit 12, ``profile.busy``). Without a
holder every command opens the archive itself, as before.

The holder's side borrows the process for the command's duration (one command at a time):
its working folder, its standard streams (``show --raw`` and ``audit --csv`` write to
``sys.stdout``; ``--password-stdin`` and ``--body-file -`` read ``sys.stdin``) and the few
environment variables a command reads.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import enum
import io
import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TextIO

from app.cli.context import CliContext
from app.cli.output import Output
from app.domain.errors import StoreError, ValidationError
from app.services import instance
from app.services.instance import CommandRequest, ForwardedCommand, Holder, HolderUnreachable

#: Default of ``--wait``: how long a command waits for the profile's holder (seconds).
DEFAULT_WAIT = 60.0

#: Environment variables a forwarded command may read (the holder sees the caller's values).
FORWARDED_ENV = ("PLI_CLIENT_CERT_PASSWORD",)

#: Commands that never touch the archive: they run here even when the profile is held.
LOCAL_COMMANDS = frozenset({"directory", "xdm", "templates"})


class Route(enum.Enum):
    """What a command does when another process holds the profile."""

    LOCAL = "local"  # runs here all the same (no archive)
    FORWARD = "forward"  # passed to the holder
    HOLD = "hold"  # becomes the holder: waits for the profile to be free
    WAIT = "wait"  # runs here once the profile is free (cannot be passed)


def route(args: argparse.Namespace) -> Route:
    """Where the parsed command runs when the profile is held."""
    command = args.command
    if command == "sync" and getattr(args, "watch", False):
        return Route.HOLD
    if command == "account" and getattr(args, "account_command", None) == "login":
        return Route.WAIT  # a browser or a phone, minutes long: not through a forwarded command
    if command in LOCAL_COMMANDS:
        return Route.LOCAL
    return Route.FORWARD


def say_waiting(out: Output, pid: int | None) -> None:
    """The line shown while waiting for the profile."""
    out.progress(f"Pli is open on this profile (pid {pid if pid else '?'}); waiting…")


# -- the caller's side -----------------------------------------------------------------------


async def try_forward(
    ctx: CliContext, argv: Sequence[str], args: argparse.Namespace, *, wait: float
) -> int | None:
    """Pass the command to the profile's holder; None when nobody holds it (run it here).

    Waits up to `wait` seconds for a holder that is starting (locked, not serving yet).

    Raises:
        StoreError: ``profile.busy``, ``profile.forward_refused``, ``profile.other_version``,
            ``profile.forward_lost``.
    """
    holder = await asyncio.to_thread(instance.probe, ctx.paths)
    if holder is None:
        return None
    request = await _request(argv, args)
    deadline = time.monotonic() + max(wait, instance.GRACE)
    told = False
    while True:
        if holder.serving:
            try:
                return await instance.forward(
                    holder, request, on_stdout=_write_stdout, on_stderr=_write_stderr
                )
            except HolderUnreachable:
                pass  # starting, ending or killed: look again
            except StoreError as error:
                # A new holder may have taken the lock but not yet written its own token.
                if error.code != "profile.forward_refused" or _same_door(ctx, holder):
                    raise
        if time.monotonic() >= deadline:
            raise StoreError("profile.busy", pid=holder.pid or "?")
        if not told and time.monotonic() + 1.0 < deadline:
            say_waiting(ctx.out, holder.pid)
            told = True
        await asyncio.sleep(instance.POLL * 2)
        found = await asyncio.to_thread(instance.probe, ctx.paths)
        if found is None:
            return None  # the holder ended: the command runs here after all
        holder = found


def _same_door(ctx: CliContext, holder: Holder) -> bool:
    now = instance.read_info(ctx.paths)
    return now is not None and (now.port, now.token) == (holder.port, holder.token)


async def wait_for_no_holder(ctx: CliContext, *, wait: float) -> None:
    """Wait (saying so) until the profile is free; for commands that cannot be passed.

    Raises:
        StoreError: ``profile.busy`` when it is still held after `wait` seconds.
    """
    if await asyncio.to_thread(instance.probe, ctx.paths) is None:
        return
    await instance.wait_until_free(ctx.paths, wait=wait, on_wait=waiting_reporter(ctx.out))


def waiting_reporter(out: Output) -> Callable[[Holder], None]:
    """`on_wait` for `instance.hold_profile`: say once that we wait, and for whom."""

    def report(holder: Holder) -> None:
        say_waiting(out, holder.pid)

    return report


def _stdin_use(args: argparse.Namespace) -> str | None:
    """How the command reads standard input: ``"line"`` (a password), ``"all"`` or None."""
    if getattr(args, "password_stdin", False) or (
        args.command == "account" and getattr(args, "account_command", None) == "password"
    ):
        return "line"
    for value in vars(args).values():
        if value == "-" or (isinstance(value, list) and "-" in value):
            return "all"
    return None


async def _request(argv: Sequence[str], args: argparse.Namespace) -> CommandRequest:
    stdin: bytes | None = None
    use = _stdin_use(args)
    if use is not None:
        stdin = await asyncio.to_thread(_read_stdin, use == "line", instance.STDIN_LIMIT + 1)
        if len(stdin) > instance.STDIN_LIMIT:
            raise ValidationError("profile.stdin_too_large", limit=instance.STDIN_LIMIT)
    stdout = sys.stdout
    return CommandRequest(
        argv=list(argv),
        cwd=str(Path.cwd()),
        stdin=stdin,
        encoding=getattr(stdout, "encoding", None) or "utf-8",
        errors=getattr(stdout, "errors", None) or "strict",
        env={name: os.environ[name] for name in FORWARDED_ENV if name in os.environ},
    )


def _read_stdin(line: bool, limit: int) -> bytes:
    """What the command would have read: a line from a terminal, else everything."""
    stream = sys.stdin
    if stream is None:
        return b""
    if line and stream.isatty():
        return stream.readline(limit).encode("utf-8")
    binary = getattr(stream, "buffer", None)
    if binary is not None:
        data: bytes = binary.read(limit)
        return data
    return stream.read(limit).encode("utf-8")


def _write_stdout(data: bytes) -> None:
    _write_bytes(sys.stdout, data)


def _write_stderr(data: bytes) -> None:
    _write_bytes(sys.stderr, data)


def _write_bytes(stream: TextIO | None, data: bytes) -> None:
    if stream is None:
        return
    stream.flush()
    binary = getattr(stream, "buffer", None)
    if binary is not None:
        binary.write(data)
        binary.flush()
    else:
        stream.write(data.decode(getattr(stream, "encoding", None) or "utf-8", "replace"))
        stream.flush()


# -- the holder's side -----------------------------------------------------------------------


class _Sink(io.BufferedIOBase):
    """Bytes written here go back to the caller (a stdout or stderr frame)."""

    def __init__(self, send: Callable[[bytes], None]) -> None:
        super().__init__()
        self._send = send

    def writable(self) -> bool:
        return True

    name = "<forwarded>"

    def write(self, data: bytes, /) -> int:  # type: ignore[override]
        chunk = bytes(data)
        if chunk:
            self._send(chunk)
        return len(chunk)


def _stream(send: Callable[[bytes], None], command: ForwardedCommand) -> io.TextIOWrapper:
    return io.TextIOWrapper(
        _Sink(send),
        encoding=command.encoding,
        errors=command.errors,
        write_through=True,
    )


class _NoInput(io.BytesIO):
    """Standard input of a forwarded command: what the caller sent, never a terminal."""

    def isatty(self) -> bool:
        return False


@contextlib.contextmanager
def borrowed_process(command: ForwardedCommand) -> Iterator[tuple[TextIO, TextIO]]:
    """Lend the process to a forwarded command: its folder, standard streams, environment.

    Yields the command's stdout and stderr. Forwarded commands run one at a time, so what
    is borrowed is restored before the next one.
    """
    stdout, stderr = _stream(command.stdout, command), _stream(command.stderr, command)
    stdin = io.TextIOWrapper(_NoInput(command.stdin or b""), encoding="utf-8", errors="replace")
    saved_streams = (sys.stdin, sys.stdout, sys.stderr)
    saved_env = {name: os.environ.get(name) for name in FORWARDED_ENV}
    saved_cwd = Path.cwd()
    try:
        os.chdir(command.cwd)
    except OSError:
        os.chdir(saved_cwd)
    for name in FORWARDED_ENV:
        os.environ.pop(name, None)
    os.environ.update({k: v for k, v in command.env.items() if k in FORWARDED_ENV})
    sys.stdin, sys.stdout, sys.stderr = stdin, stdout, stderr
    try:
        yield stdout, stderr
    finally:
        sys.stdin, sys.stdout, sys.stderr = saved_streams
        for name, value in saved_env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        with contextlib.suppress(OSError):
            os.chdir(saved_cwd)
        for stream in (stdout, stderr):
            with contextlib.suppress(ValueError, OSError):
                stream.flush()
