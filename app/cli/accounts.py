"""`pli account …`: mailboxes."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `pli account`."""
    subparsers.add_parser("account", help="add and list mailboxes")
