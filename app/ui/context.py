"""What every screen of the window is given: the services, their signals, the error presenter."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from PySide6.QtCore import QObject

from app.services.container import Services
from app.ui.async_bridge import run_operation
from app.ui.error_presenter import ErrorPresenter
from app.ui.event_adapter import EngineSignals

T = TypeVar("T")


class OperationRunner:
    """Starts service coroutines for widgets (`run_operation` with the context's presenter)."""

    def __init__(self, errors: ErrorPresenter) -> None:
        self._errors = errors

    def run(
        self,
        parent: QObject | None,
        coro: Awaitable[T],
        on_success: Callable[[T], None] | None = None,
        on_failure: Callable[[BaseException], None] | None = None,
    ) -> asyncio.Task[T]:
        """Run `coro` for `parent` and call back on the Qt thread; see `run_operation`."""
        return run_operation(parent, coro, on_success, on_failure)


@dataclass(frozen=True, eq=False)
class UiContext:
    """The window's view of the engine, given to every pane: ``Pane(ctx, parent=None)``.

    Attributes:
        services: the profile's unlocked services (one container for the whole process).
        signals: the engine's events as Qt signals (never poll the services).
        errors: turns errors into French text and dialogs (`errors.report(error, widget)`).
        runner: starts coroutines for widgets (`runner.run(widget, coro, on_success=…)`).
    """

    services: Services
    signals: EngineSignals
    errors: ErrorPresenter
    runner: OperationRunner

    @classmethod
    def create(
        cls, services: Services, errors: ErrorPresenter, parent: QObject | None = None
    ) -> UiContext:
        """Wire the signals to the services' event bus."""
        return cls(
            services=services,
            signals=EngineSignals(services.events, parent),
            errors=errors,
            runner=OperationRunner(errors),
        )
