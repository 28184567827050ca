"""The `pli` argument parser and dispatcher.

Each area registers its subcommands (`register(subparsers)`) and sets ``handler`` to an async
function ``(ctx, args) -> int``. Known errors become a one-line English message on stderr and
a documented exit code (`app.cli.exit_codes`); anything else is reported as a bug.

When another process holds the profile (the window, ``pli sync --watch``), the command is
forwarded to it and runs there (`app.cli.forward`); `command_runner` is that process's side.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import logging
import os
import sys
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Protocol, cast

from app import __version__
from app.cli import forward
from app.cli.context import CliContext, HoldRequest
from app.cli.exit_codes import ExitCode, exit_code_for
from app.cli.output import Output
from app.domain.errors import KnownError
from app.services.instance import CommandRunner, ForwardedCommand

if TYPE_CHECKING:
    from app.services.container import Services
    from app.services.directory_service import DirectoryService

log = logging.getLogger(__name__)

Handler = Callable[[CliContext, argparse.Namespace], Awaitable[int]]


def _describe(error: KnownError) -> str:
    """The error's English line; the messages' table loads only when one is shown."""
    from app.cli.messages import describe

    return describe(error)


class _Registrar(Protocol):
    def register(self, subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
        """Add this area's subcommands."""


#: Command areas (modules of `app.cli`) and the commands each registers, in the order
#: `pli --help` lists them. `pli list` imports the archive's area alone, not the sending or
#: document machinery (start-up time, issue 15); tests/unit/cli/test_command_areas.py checks
#: these lists against the areas' own registrations.
AREA_COMMANDS: dict[str, tuple[str, ...]] = {
    "accounts": ("account",),
    "archive": (
        "sync",
        "list",
        "search",
        "show",
        "thread",
        "folders",
        "quota",
        "audit",
        "flag",
        "move",
        "delete",
    ),
    "sending": (
        "send",
        "draft",
        "outbox",
        "end-exchange",
        "patients",
        "patient",
        "templates",
        "receipts",
    ),
    "documents": ("attachments", "export", "xdm"),
    "directory": ("directory",),
    "contacts": ("contacts",),
}
AREA_NAMES: tuple[str, ...] = tuple(AREA_COMMANDS)
#: The area registering each command.
COMMAND_AREAS: dict[str, str] = {c: a for a, cs in AREA_COMMANDS.items() for c in cs}

#: Options before the command that take a value (`--profile DIR` or `--profile=DIR`).
_VALUE_OPTIONS = ("--profile", "--passphrase-file", "--wait")


def areas(names: Sequence[str] = AREA_NAMES) -> tuple[_Registrar, ...]:
    """The command areas' modules, imported now."""
    return tuple(cast(_Registrar, importlib.import_module(f"app.cli.{n}")) for n in names)


def command_word(argv: Sequence[str]) -> str | None:
    """The command `argv` names when it can be told without parsing, else None.

    None for anything unusual (an option abbreviated or unknown, ``--help``, no command):
    the whole parser then decides, exactly as before.
    """
    i = 0
    while i < len(argv):
        word = argv[i]
        if not word.startswith("-"):
            return word if word in COMMAND_AREAS else None
        name, eq, _ = word.partition("=")
        if name in _VALUE_OPTIONS:
            i += 1 if eq else 2
        elif word == "--verbose" or (len(word) > 1 and set(word[1:]) == {"v"}):
            i += 1
        else:
            return None
    return None


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The `pli` parser: with `command`, only the area that registers it (faster to load)."""
    parser = argparse.ArgumentParser(
        prog="pli",
        description="Pli: secure health messaging (MSSanté) from the command line.",
    )
    parser.add_argument("--version", action="version", version=f"pli {__version__}")
    parser.add_argument(
        "--profile",
        metavar="DIR",
        help="use DIR as the data folder instead of the platform's default",
    )
    parser.add_argument(
        "--passphrase-file",
        metavar="FILE",
        help="read the archive passphrase from FILE (when no OS keyring is used)",
    )
    parser.add_argument(
        "--wait",
        type=float,
        default=forward.DEFAULT_WAIT,
        metavar="SECONDS",
        help="when Pli is open on this profile and the command cannot be passed to it, wait "
        f"this long for it to close (default {forward.DEFAULT_WAIT:.0f}; then exit 12)",
    )
    parser.add_argument(
        "-v", "--verbose", action="count", default=0, help="technical log on stderr (-vv: debug)"
    )
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="check this installation (encrypted archive, trust store, window, PDF, "
        "translations) without touching your data, then exit (1 when something failed)",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    names = (COMMAND_AREAS[command],) if command in COMMAND_AREAS else AREA_NAMES
    for area in areas(names):
        area.register(subparsers)
    return parser


ContextFactory = Callable[[argparse.Namespace, Output], CliContext]


def run(argv: Sequence[str] | None, make_context: ContextFactory) -> int:
    """Parse `argv`, run the command, return the exit code."""
    words = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(command_word(words))
    args = parser.parse_args(words)
    if args.self_test:
        return _self_test()
    if args.command is None:
        # The desktop window will open here; until then, say what Pli can do.
        parser.print_help()
        return int(ExitCode.OK)
    _configure_logging(args.verbose)
    out = Output(as_json=bool(getattr(args, "json", False)))
    try:
        ctx = make_context(args, out)
    except KnownError as error:
        out.error(_describe(error))
        return int(exit_code_for(error))
    try:
        return asyncio.run(_dispatch(words, args, ctx))
    except KnownError as error:
        out.error(_describe(error))
        return int(exit_code_for(error))
    except KeyboardInterrupt:
        out.error("interrupted")
        return 130
    except BrokenPipeError:
        # The reader went away (`pli … | head`): stop quietly, as command-line tools do.
        _silence_stdout()
        return CLOSED_PIPE
    except Exception:
        log.exception("unexpected error in command %s", args.command)
        out.error("internal error (a bug): run again with -v for details and report it")
        return int(ExitCode.INTERNAL)


#: Exit status when the output's reader went away: as a tool killed by SIGPIPE (128 + 13).
CLOSED_PIPE = 141


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so the interpreter's last flush finds no closed pipe."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, sys.stdout.fileno())
        finally:
            os.close(devnull)
    except (OSError, ValueError):  # no real file descriptor (tests capture stdout)
        pass


def _self_test() -> int:
    """`pli --self-test`: each check on one line, in plain words; 1 when one failed."""
    from app.services.self_test import report_lines, run_self_test

    outcomes = asyncio.run(run_self_test())
    for line in report_lines(outcomes):
        sys.stdout.write(line + "\n")
    return int(ExitCode.OK) if all(o.ok for o in outcomes) else 1


async def _dispatch(argv: list[str], args: argparse.Namespace, ctx: CliContext) -> int:
    """Forward to the profile's holder, wait for it, hold the profile, or run here."""
    wait = max(0.0, float(args.wait))
    kind = forward.route(args)
    if kind is forward.Route.FORWARD:
        code = await forward.try_forward(ctx, argv, args, wait=wait)
        if code is not None:
            return code
    elif kind is forward.Route.HOLD:
        out = ctx.out
        ctx.hold = HoldRequest(wait=wait, on_wait=lambda pid: forward.say_waiting(out, pid))
    elif kind is forward.Route.WAIT:
        await forward.wait_for_no_holder(ctx, wait=wait)
    return await execute(args, ctx)


async def execute(args: argparse.Namespace, ctx: CliContext) -> int:
    """Run the parsed command's handler; known errors become a line and an exit code."""
    handler: Handler = args.handler
    try:
        return await handler(ctx, args)
    except KnownError as error:
        ctx.out.error(_describe(error))
        return int(exit_code_for(error))
    finally:
        await ctx.aclose()


def command_runner(services: Services) -> CommandRunner:
    """What runs the commands other `pli` processes forward to this one, on `services`.

    The same parser and handlers as here; the command's output goes back to its caller.
    """

    async def run_forwarded(command: ForwardedCommand) -> int:
        with forward.borrowed_process(command) as (stdout, stderr):
            out = Output(as_json=False, stdout=stdout, stderr=stderr)
            try:
                args = build_parser(command_word(command.argv)).parse_args(command.argv)
            except SystemExit as exit_:  # argparse said why on the (borrowed) stderr
                return exit_.code if isinstance(exit_.code, int) else int(ExitCode.USAGE)
            if args.command is None or forward.route(args) is not forward.Route.FORWARD:
                out.error("this command cannot be passed to the Pli holding this profile")
                return int(ExitCode.USAGE)
            out.as_json = bool(getattr(args, "json", False))

            async def given(_hold: HoldRequest | None) -> Services:
                return services

            def open_directory() -> DirectoryService:
                from app.services.directory_service import API_KEY_ENV, DirectoryService

                return DirectoryService(
                    services.paths.directory_db,
                    services.settings.directory,
                    api_key=os.environ.get(API_KEY_ENV),
                )

            ctx = CliContext(
                paths=services.paths,
                settings=services.settings,
                out=out,
                open_services=given,
                open_directory=open_directory,
                owns_services=False,
            )
            try:
                return await execute(args, ctx)
            except Exception:
                log.exception("unexpected error in forwarded command %s", args.command)
                out.error("internal error (a bug): run again with -v for details and report it")
                return int(ExitCode.INTERNAL)

    return run_forwarded


def _configure_logging(verbosity: int) -> None:
    level = logging.WARNING if verbosity == 0 else logging.INFO if verbosity == 1 else logging.DEBUG
    logging.basicConfig(
        level=level,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
