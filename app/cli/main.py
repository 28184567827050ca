"""The `pli` argument parser and dispatcher.

Each area registers its subcommands (`register(subparsers)`) and sets ``handler`` to an async
function ``(ctx, args) -> int``. Known errors become a one-line English message on stderr and
a documented exit code (`app.cli.exit_codes`); anything else is reported as a bug.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol

from app import __version__
from app.cli import accounts, archive, contacts, directory, documents, sending
from app.cli.context import CliContext
from app.cli.exit_codes import ExitCode, exit_code_for
from app.cli.messages import describe
from app.cli.output import Output
from app.domain.errors import KnownError

log = logging.getLogger(__name__)

Handler = Callable[[CliContext, argparse.Namespace], Awaitable[int]]


class _Registrar(Protocol):
    def register(self, subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
        """Add this area's subcommands."""


#: Command areas, in the order `pli --help` lists them.
AREAS: tuple[_Registrar, ...] = (accounts, archive, sending, documents, directory, contacts)


def build_parser() -> argparse.ArgumentParser:
    """The whole `pli` parser."""
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
        "-v", "--verbose", action="count", default=0, help="technical log on stderr (-vv: debug)"
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for area in AREAS:
        area.register(subparsers)
    return parser


ContextFactory = Callable[[argparse.Namespace, Output], CliContext]


def run(argv: Sequence[str] | None, make_context: ContextFactory) -> int:
    """Parse `argv`, run the command, return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        # The desktop window will open here; until then, say what Pli can do.
        parser.print_help()
        return int(ExitCode.OK)
    _configure_logging(args.verbose)
    out = Output(as_json=bool(getattr(args, "json", False)))
    try:
        ctx = make_context(args, out)
    except KnownError as error:
        out.error(describe(error))
        return int(exit_code_for(error))
    handler: Handler = args.handler
    try:
        return asyncio.run(_run_handler(handler, ctx, args))
    except KnownError as error:
        out.error(describe(error))
        return int(exit_code_for(error))
    except KeyboardInterrupt:
        out.error("interrupted")
        return 130
    except Exception:
        log.exception("unexpected error in command %s", args.command)
        out.error("internal error (a bug): run again with -v for details and report it")
        return int(ExitCode.INTERNAL)


async def _run_handler(handler: Handler, ctx: CliContext, args: argparse.Namespace) -> int:
    try:
        return await handler(ctx, args)
    finally:
        await ctx.aclose()


def _configure_logging(verbosity: int) -> None:
    level = logging.WARNING if verbosity == 0 else logging.INFO if verbosity == 1 else logging.DEBUG
    logging.basicConfig(
        level=level,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
