"""How far below the window the engine's worker processes run (process priorities, POSIX).

On a two-core PC a first sync's worker processes (bodies, documents' text) keep both cores
busy; at equal priority the window's thread then waits for a core behind them
(bench/ui_load_bench.py). Lowered, they give way as soon as the window has work and take every
idle cycle otherwise. Threads of the window's process are left alone: they share its GIL, and
one lowered while holding it keeps the window waiting all the longer (measured: more stalls
blocked on the GIL). Each worker is lowered as it starts (`lower`), by whoever starts it.
"""

from __future__ import annotations

import os

#: Nice steps below the window's thread for worker processes, once a window shares the
#: process (`yield_cpu_to_caller`).
BACKGROUND_NICE = 10

#: Set by `yield_cpu_to_caller`: how many nice steps below the caller worker processes run.
_background_nice = 0


def yield_cpu_to_caller(nice: int = BACKGROUND_NICE) -> None:
    """Worker processes started from now on run `nice` steps below the caller.

    For a window sharing the process (called on its loop's thread). Unix only; elsewhere
    nothing changes. `pli sync` never calls it: its workers run at its own priority.
    """
    global _background_nice  # process-wide: a window lives in this process
    if hasattr(os, "setpriority") and nice > 0:
        _background_nice = nice


def lower(pid: int | None) -> bool:
    """Lower a worker process just started, if a window asked for it; whether it was."""
    if not _background_nice or pid is None or not hasattr(os, "setpriority"):
        return False
    try:
        base = os.getpriority(os.PRIO_PROCESS, 0)
        os.setpriority(os.PRIO_PROCESS, pid, min(19, base + _background_nice))
    except OSError:  # ended meanwhile, or not allowed: left as it is
        return False
    return True
