"""`pli sync|list|show|search|audit`: the archive."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the archive commands."""
    subparsers.add_parser("sync", help="bring the local archive in step with the server")
