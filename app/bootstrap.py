"""The composition root: the only module that wires every layer together."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from app.cli.context import CliContext
from app.cli.main import run
from app.cli.output import Output
from app.config.paths import AppPaths
from app.config.settings import Settings
from app.services.container import Services
from app.services.directory_service import DirectoryService


def main(argv: Sequence[str]) -> int:
    """Run the command line with `argv`; returns the exit status."""
    return run(argv, _make_cli_context)


def _make_cli_context(args: argparse.Namespace, out: Output) -> CliContext:
    paths = AppPaths.at(args.profile) if args.profile else AppPaths.default()
    settings = Settings.load(paths.settings_file)

    async def open_services() -> Services:
        return Services()

    def open_directory() -> DirectoryService:
        return DirectoryService(paths.directory_db, settings.directory)

    return CliContext(
        paths=paths,
        settings=settings,
        out=out,
        open_services=open_services,
        open_directory=open_directory,
    )
