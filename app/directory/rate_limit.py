"""A token bucket: at most `rate` calls per second, on average and in any burst.

The Annuaire Santé's API allows 17 calls per second per key (spec §7). The bucket holds one
token by default, so calls are spaced by at least 1/rate seconds and no second ever sees more
than `rate` (+1 at its boundary) calls. Thread-safe; blocking.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

_EPSILON = 1e-9


class TokenBucket:
    """Rate limiter. `acquire()` blocks until a call is allowed.

    Args:
        rate: tokens added per second.
        capacity: most tokens held (the largest burst).
        clock: monotonic seconds (tests pass their own).
        sleep: how to wait (tests pass their own).
    """

    def __init__(
        self,
        rate: float,
        capacity: float = 1.0,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if rate <= 0 or capacity < 1:
            raise ValueError("rate must be > 0 and capacity >= 1")
        self.rate = rate
        self.capacity = capacity
        self._clock = clock
        self._sleep = sleep
        self._tokens = capacity
        self._stamp = clock()
        self._lock = threading.Lock()

    def acquire(self) -> float:
        """Take a token, waiting as long as needed; returns the seconds waited."""
        waited = 0.0
        with self._lock:
            while True:
                now = self._clock()
                self._tokens = min(self.capacity, self._tokens + (now - self._stamp) * self.rate)
                self._stamp = now
                # The epsilon absorbs floating-point residue: a wait computed to refill
                # exactly one token must not leave 0.9999999… and loop on ever tinier waits.
                if self._tokens >= 1.0 - _EPSILON:
                    self._tokens = max(0.0, self._tokens - 1.0)
                    return waited
                delay = (1.0 - self._tokens) / self.rate
                self._sleep(delay)
                waited += delay
