"""Entry points: `pli` (the window with no arguments, the command line otherwise), `pli-gui`.

The window path imports only Qt and the window's frame before showing it (the services load
behind it): it does not import `app.bootstrap`'s command line first; the composition root's
part (`bootstrap.prepare_gui`) runs on a worker thread while the window already shows.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

#: Options the window accepts on its own (`pli --profile DIR` opens the window on DIR).
_GUI_OPTIONS = {"--profile": 1, "--demo": 0, "--debug-loop": 0}


def wants_gui(argv: Sequence[str]) -> bool:
    """Whether `argv` asks for the window: nothing, or only the window's own options."""
    i = 0
    while i < len(argv):
        name, _, value = argv[i].partition("=")
        if name not in _GUI_OPTIONS:
            return False
        i += 1 if value or _GUI_OPTIONS[name] == 0 else 2
    return i == len(argv)


def _freeze_support() -> None:
    """`multiprocessing.freeze_support()`, which acts only in a frozen (PyInstaller) build.

    Outside one it does nothing: `multiprocessing` (10 ms) is then not imported at all.
    """
    if getattr(sys, "frozen", False):
        import multiprocessing

        multiprocessing.freeze_support()


def main() -> None:
    """Run Pli and exit with its status: the window without arguments, else the command line."""
    _freeze_support()  # first, for the frozen (PyInstaller) build
    argv = sys.argv[1:]
    if wants_gui(argv):
        gui()
        return
    from app import bootstrap

    sys.exit(bootstrap.main(argv))


def gui() -> None:
    """The window (the `pli-gui` entry point: no console window on Windows)."""
    _freeze_support()
    from app.ui.application import run_gui  # Qt and the frame only: the window shows first

    argv = sys.argv[1:]
    sys.exit(run_gui(argv if wants_gui(argv) else [], prepare=_prepare))


def _prepare() -> None:
    """The composition root's part, imported on a worker thread while the window shows."""
    from app import bootstrap

    bootstrap.prepare_gui()


if __name__ == "__main__":
    main()
