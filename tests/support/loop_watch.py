"""How long a callback may hold the event loop in the tests (STYLE.md §3.7: 100 ms).

asyncio and qasync time callbacks in wall time. On a machine whose two cores are shared by
more runnable work than they can serve (Dovecot, the SMTP server and the test itself, or
several runs at once), a callback needing 40 ms of CPU can take 120 ms of wall time. The limit
is therefore 100 ms stretched by the 1-minute load per core when that exceeds 1, so that what
fails is a callback too long for the CPU it actually got; on a quiet machine, as in CI, it is
100 ms. ``PLI_SLOW_MS`` sets a fixed limit instead.
"""

from __future__ import annotations

import os

#: The house rule: no callback holds the loop longer than this on a quiet machine.
LIMIT_SECONDS = 0.1


def slow_callback_threshold() -> float:
    """The limit in seconds for this run (see the module's docstring)."""
    fixed = os.environ.get("PLI_SLOW_MS") or os.environ.get("PLI_UI_SLOW_MS")
    if fixed:
        return float(fixed) / 1000
    contention = os.getloadavg()[0] / (os.cpu_count() or 1)
    return LIMIT_SECONDS * max(1.0, contention)
