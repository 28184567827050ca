"""The garbage collector in the window's process: fewer, shorter passes while sync runs.

Python's cyclic collector runs in whichever thread allocates past its threshold and holds the
GIL for the whole pass, so every thread, the window's included, stops meanwhile. During a
first sync in the window's process, full passes over the start-up heap (modules, widgets,
services: hundreds of thousands of objects that live as long as the process) took up to
0.3-0.9 s (bench/ui_load_bench.py records each pass). Frozen once the mail screen is up,
that heap is never walked again; young passes come less often. Objects frozen and later
dropped in a reference cycle are not reclaimed (the start-up heap lives with the process).
Must run on the Qt thread (it is where the window starts); idempotent.
"""

from __future__ import annotations

import gc

#: Allocations between two young passes (CPython's default is 700): a sync allocates in
#: bursts (a batch of envelopes, a page of rows), most of it freed by reference counting.
YOUNG_THRESHOLD = 20_000
#: Young passes per middle pass, middle passes per full pass (defaults 10 and 10).
OLDER_THRESHOLDS = (20, 20)


def relax_collector() -> None:
    """Freeze what exists now (the start-up heap) and collect less often."""
    gc.freeze()
    young, middle, full = gc.get_threshold()
    gc.set_threshold(
        max(young, YOUNG_THRESHOLD),
        max(middle, OLDER_THRESHOLDS[0]),
        max(full, OLDER_THRESHOLDS[1]),
    )
