"""`pli directory …`: the Annuaire Santé (being built: see issue 5)."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `pli directory`."""
    subparsers.add_parser("directory", help="search the national health directory")
