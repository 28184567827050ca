"""Serial executors: one thread per connection, awaited from the event loop.

Each IMAP session and the archive's SQLite connection live on their own single thread
(imapclient is not thread-safe; SQLite's check_same_thread stays honest). Services await
their work with `SerialExecutor.run`; the event loop (the GUI thread under qasync) never
blocks on network or disk.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


class SerialExecutor:
    """A single worker thread; calls run one after another, in submission order."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)
        self._closed = False

    async def run(self, fn: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
        """Run `fn` on this executor's thread and await its result.

        Cancelling the awaiting task does not stop the call already running: socket timeouts
        bound every blocking call (STYLE.md §3).
        """
        if self._closed:
            raise RuntimeError(f"executor {self.name} is closed")
        loop = asyncio.get_running_loop()
        context = contextvars.copy_context()
        call = functools.partial(context.run, fn, *args, **kwargs)
        return await loop.run_in_executor(self._pool, call)

    @property
    def closed(self) -> bool:
        """Whether `shutdown` was called."""
        return self._closed

    def shutdown(self, *, wait: bool = True) -> None:
        """Stop accepting work; optionally wait for the running call."""
        self._closed = True
        self._pool.shutdown(wait=wait, cancel_futures=True)
