"""Typed domain events published on the event loop's thread.

Services publish `app.domain.events` instances; front ends subscribe (the window adapts them
into Qt signals in one place; the command line prints progress). Subscribers are called
synchronously, on the loop thread, and must not block.

Handlers are held weakly: a bound method's subscription ends when its object is collected
(a closed window never receives events), and a plain function lives as long as the
subscription's owner keeps it. A failing subscriber is logged and the remaining ones still run;
in strict mode (the tests) the first failure is re-raised after every subscriber ran, so a
broken subscriber fails the test that caused it.
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:  # the vocabulary loads with its first publisher (start-up time, issue 15)
    from app.domain.events import Event

log = logging.getLogger(__name__)

E = TypeVar("E", bound="Event")
Handler = Callable[["Event"], None]


class _Subscription:
    __slots__ = ("_ref", "kind")

    def __init__(self, kind: type[Event], handler: Callable[[Any], None]) -> None:
        self.kind = kind
        self._ref: Callable[[], Callable[[Any], None] | None]
        if hasattr(handler, "__self__") and hasattr(handler, "__func__"):
            self._ref = weakref.WeakMethod(handler)
        else:
            self._ref = weakref.ref(handler)

    def handler(self) -> Callable[[Any], None] | None:
        return self._ref()


class EventBus:
    """Publish/subscribe by event type (subclasses included), with weak handlers.

    Args:
        strict: re-raise a subscriber's failure from `publish` (tests); otherwise it is logged.
    """

    def __init__(self, *, strict: bool = False) -> None:
        self._subscriptions: list[_Subscription] = []
        self.strict = strict

    def subscribe(self, kind: type[E], handler: Callable[[E], None]) -> Callable[[], None]:
        """Call `handler` for every event of `kind`; returns the unsubscribe function.

        The bus keeps only a weak reference: keep the handler (or its object) alive for as long
        as events are wanted. A bound method is dropped with its object.
        """
        entry = _Subscription(kind, handler)
        self._subscriptions.append(entry)

        def unsubscribe() -> None:
            if entry in self._subscriptions:
                self._subscriptions.remove(entry)

        return unsubscribe

    def publish(self, event: Event) -> None:
        """Deliver to every matching live subscriber, in subscription order.

        Must run on the event loop's thread.
        """
        failure: BaseException | None = None
        dead = False
        for entry in list(self._subscriptions):
            handler = entry.handler()
            if handler is None:
                dead = True
                continue
            if not isinstance(event, entry.kind):
                continue
            try:
                handler(event)
            except Exception as error:
                log.exception("event subscriber failed for %s", type(event).__name__)
                if failure is None:
                    failure = error
        if dead:
            self._subscriptions = [s for s in self._subscriptions if s.handler() is not None]
        if failure is not None and self.strict:
            raise failure

    def subscriber_count(self) -> int:
        """How many live subscriptions there are (for tests and diagnostics)."""
        return sum(1 for s in self._subscriptions if s.handler() is not None)
