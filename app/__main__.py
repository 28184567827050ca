"""Entry point of `pli` and of `python -m app`."""

from __future__ import annotations

import multiprocessing
import sys


def main() -> None:
    """Run Pli and exit with its status."""
    multiprocessing.freeze_support()  # first, for the frozen (PyInstaller) build
    from app import bootstrap

    sys.exit(bootstrap.main(sys.argv[1:]))


if __name__ == "__main__":
    main()
