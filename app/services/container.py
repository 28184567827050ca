"""The unlocked services of one profile, as the composition root wires them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field


@dataclass
class Services:
    """Everything a front end uses once the archive is unlocked."""

    _closers: list[Callable[[], Awaitable[None]]] = field(default_factory=list)

    async def aclose(self) -> None:
        """Stop background work and close connections and the archive, newest first."""
        while self._closers:
            closer = self._closers.pop()
            await closer()
