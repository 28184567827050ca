"""The composition root: the only module that wires every layer together."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from app.cli.context import CliContext, HoldRequest
from app.cli.main import command_runner, run
from app.cli.output import Output
from app.config.paths import AppPaths
from app.config.settings import Settings
from app.domain.errors import StoreError
from app.services.profile import PassphraseProvider, open_services, serve_commands_with

if TYPE_CHECKING:  # imported when a command needs them (start-up time, issue 15)
    from app.services.container import Services
    from app.services.directory_service import DirectoryService
    from app.services.event_bus import EventBus
    from app.services.instance import Holder

PASSPHRASE_ENV = "PLI_PASSPHRASE"  # noqa: S105 - the variable's name, not a secret


def main(argv: Sequence[str]) -> int:
    """Run the command line with `argv` (the window when it is empty); returns the status."""
    if not argv:
        return gui(argv)
    if "--self-test" in argv:  # issue 13: the window's checks join the self-test
        from app.ui.self_check import register_window_checks

        register_window_checks()
    serve_commands_with(command_runner)  # a process holding its profile runs forwarded commands
    return run(argv, _make_cli_context)


def gui(argv: Sequence[str]) -> int:
    """Open the window (``pli`` without arguments, ``pli-gui``); returns the exit status.

    `app.__main__` calls `app.ui.application.run_gui` directly, without importing this module
    first (the command line's imports would delay the window): it passes `prepare_gui`, run on
    a worker thread while the window already shows.
    """
    from app.ui.application import run_gui

    return run_gui(argv, prepare=prepare_gui)


def prepare_gui() -> None:
    """What the window's process needs from the composition root, before its services open.

    The window holds its profile: commands other ``pli`` processes forward to it run through
    the command line's own handlers. No Qt here; safe on a worker thread.
    """
    serve_commands_with(command_runner)
    from app.cli.main import areas
    from app.services.container import import_all

    # Here, off the window's thread: services are then built, and forwarded commands parsed,
    # without importing anything on the event loop's thread.
    import_all()
    areas()


def _make_cli_context(args: argparse.Namespace, out: Output) -> CliContext:
    paths = AppPaths.at(args.profile) if args.profile else AppPaths.default()
    settings = Settings.load(paths.settings_file)
    passphrase_file: str | None = args.passphrase_file

    async def ask(new: bool) -> str | None:
        if passphrase_file:
            try:
                text = await asyncio.to_thread(Path(passphrase_file).read_text, encoding="utf-8")
            except OSError as error:
                raise StoreError("store.passphrase_file_unreadable") from error
            return text.rstrip("\r\n")
        from_env = os.environ.get(PASSPHRASE_ENV)
        if from_env:
            return from_env
        if not sys.stdin.isatty():
            return None
        return await asyncio.to_thread(_prompt, new)

    async def services(hold: HoldRequest | None) -> Services:
        explicit = bool(passphrase_file or os.environ.get(PASSPHRASE_ENV))
        if hold is None:
            return await open_services(paths, settings, ask, prefer_passphrase=explicit)
        return await open_held_services(
            paths,
            settings,
            ask,
            prefer_passphrase=explicit,
            wait=hold.wait,
            on_wait=lambda holder: hold.on_wait(holder.pid),
        )

    def open_directory() -> DirectoryService:
        from app.services.directory_service import API_KEY_ENV, DirectoryService

        return DirectoryService(
            paths.directory_db, settings.directory, api_key=os.environ.get(API_KEY_ENV)
        )

    return CliContext(
        paths=paths,
        settings=settings,
        out=out,
        open_services=services,
        open_directory=open_directory,
    )


async def open_held_services(
    paths: AppPaths,
    settings: Settings,
    passphrase: PassphraseProvider,
    *,
    prefer_passphrase: bool = False,
    wait: float = 0.0,
    on_wait: Callable[[Holder], None] | None = None,
    events: EventBus | None = None,
) -> Services:
    """Services of a long-lived process (the window, ``pli sync --watch``).

    The profile is held (``profile.busy`` if another process holds it after `wait` seconds)
    and the commands other ``pli`` processes forward run on these services, through the
    command line's own handlers. `Services.aclose` gives the profile back.
    """
    return await open_services(
        paths,
        settings,
        passphrase,
        prefer_passphrase=prefer_passphrase,
        hold=True,
        wait=wait,
        on_wait=on_wait,
        serve=command_runner,
        events=events,
    )


def _prompt(new: bool) -> str | None:
    if not new:
        return getpass.getpass("Archive passphrase: ")
    first = getpass.getpass("Choose a passphrase for the archive (no OS keyring found): ")
    second = getpass.getpass("Type it again: ")
    if first != second:
        raise StoreError("store.passphrase_mismatch")
    return first
