"""Typed domain events published on the event loop's thread.

Services publish `app.domain.events` instances; front ends subscribe (the window adapts them
into Qt signals in one place; the command line prints progress). Subscribers are called
synchronously, on the loop thread, and must not block.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from app.domain.events import Event

log = logging.getLogger(__name__)

E = TypeVar("E", bound=Event)
Handler = Callable[[Event], None]


class EventBus:
    """Publish/subscribe by event type (subclasses included)."""

    def __init__(self) -> None:
        self._handlers: list[tuple[type[Event], Handler]] = []

    def subscribe(self, kind: type[E], handler: Callable[[E], None]) -> Callable[[], None]:
        """Call `handler` for every event of `kind`; returns the unsubscribe function."""
        entry = (kind, handler)
        self._handlers.append(entry)  # type: ignore[arg-type]

        def unsubscribe() -> None:
            if entry in self._handlers:
                self._handlers.remove(entry)

        return unsubscribe

    def publish(self, event: Event) -> None:
        """Deliver to every matching subscriber; a failing subscriber is logged, not fatal."""
        for kind, handler in list(self._handlers):
            if isinstance(event, kind):
                try:
                    handler(event)
                except Exception:
                    log.exception("event subscriber failed for %s", type(event).__name__)
