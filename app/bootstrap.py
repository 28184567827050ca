"""The composition root: the only module that wires every layer together."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from app.cli.context import CliContext
from app.cli.main import run
from app.cli.output import Output
from app.config.paths import AppPaths
from app.config.settings import Settings
from app.domain.errors import StoreError
from app.services.container import Services
from app.services.directory_service import API_KEY_ENV, DirectoryService
from app.services.profile import open_services

PASSPHRASE_ENV = "PLI_PASSPHRASE"  # noqa: S105 - the variable's name, not a secret


def main(argv: Sequence[str]) -> int:
    """Run the command line with `argv`; returns the exit status."""
    return run(argv, _make_cli_context)


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

    async def services() -> Services:
        explicit = bool(passphrase_file or os.environ.get(PASSPHRASE_ENV))
        return await open_services(paths, settings, ask, prefer_passphrase=explicit)

    def open_directory() -> DirectoryService:
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


def _prompt(new: bool) -> str | None:
    if not new:
        return getpass.getpass("Archive passphrase: ")
    first = getpass.getpass("Choose a passphrase for the archive (no OS keyring found): ")
    second = getpass.getpass("Type it again: ")
    if first != second:
        raise StoreError("store.passphrase_mismatch")
    return first
