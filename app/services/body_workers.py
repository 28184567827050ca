"""Worker processes that fetch bodies, each over its own connection (see `body_worker`).

The asyncio side: `BodyWorkers` starts the processes (``spawn``: the same on Linux, macOS and
Windows, and nothing of the parent's threads or open files is inherited), hands them jobs and
awaits their answers on one thread per worker (a pipe read), so the event loop never blocks.
A worker that dies (killed, crashed) makes its job fail with `WorkerLostError`: the caller decides
whether to try the job again on a new worker.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import threading
from multiprocessing.connection import Connection
from typing import Any

from app.services import priority
from app.services.body_worker import (
    BodyJob,
    JobDone,
    JobFailed,
    WorkerReady,
    WorkerSetup,
    serve,
)
from app.services.executors import SerialExecutor

log = logging.getLogger(__name__)

#: Seconds a worker has to end after being asked to; then it is killed.
STOP_TIMEOUT = 5.0


class WorkerLostError(Exception):
    """The worker process ended without answering (killed, crashed)."""


class BodyWorker:
    """One worker process and the thread that talks to it."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._executor = SerialExecutor(name)
        self._process: Any = None
        self._conn: Connection | None = None
        self.pid: int | None = None

    @property
    def alive(self) -> bool:
        """The process is running."""
        return self._process is not None and self._process.is_alive()

    async def start(self, setup: WorkerSetup) -> None:
        """Start the process and log it in.

        Raises:
            KnownError: the login failed (as the worker reports it).
            WorkerLostError: the process ended before answering.
        """
        ready = await self._executor.run(self._start, setup)
        if isinstance(ready, JobFailed):
            await self.stop(wait=True)
            raise ready.error()
        self.pid = ready.pid

    def _start(self, setup: WorkerSetup) -> WorkerReady | JobFailed:
        context = multiprocessing.get_context("spawn")
        parent, child = context.Pipe(duplex=True)
        process = context.Process(target=serve, args=(child,), name=self.name, daemon=True)
        process.start()
        priority.lower(process.pid)  # below a window sharing this process
        child.close()
        self._process, self._conn = process, parent
        parent.send(setup)
        answer = self._receive()
        assert isinstance(answer, WorkerReady | JobFailed)
        return answer

    async def run(self, job: BodyJob) -> JobDone | JobFailed:
        """Send a job and await its answer.

        Raises:
            WorkerLostError: the process died meanwhile.
        """
        self.send(job)
        return await self.receive()

    def send(self, job: BodyJob) -> None:
        """Queue a job for the worker (a few hundred bytes into its pipe: never waits long).

        Jobs are answered in the order they were sent (`receive`).

        Raises:
            WorkerLostError: the process is gone.
        """
        conn = self._conn
        if conn is None:
            raise WorkerLostError(self.name)
        try:
            conn.send(job)
        except (OSError, ValueError) as error:
            raise WorkerLostError(self.name) from error

    async def receive(self) -> JobDone | JobFailed:
        """The answer to the oldest job sent and not answered yet.

        Raises:
            WorkerLostError: the process died meanwhile.
        """
        answer = await self._executor.run(self._receive)
        assert isinstance(answer, JobDone | JobFailed)
        return answer

    def _receive(self) -> Any:
        conn = self._conn
        if conn is None:
            raise WorkerLostError(self.name)
        try:
            return conn.recv()
        except (EOFError, OSError) as error:
            raise WorkerLostError(self.name) from error

    def kill(self) -> None:
        """End the process now (any thread): a pending `run` then fails with `WorkerLostError`."""
        process = self._process
        if process is not None and process.is_alive():
            process.kill()

    async def stop(self, *, wait: bool = False) -> None:
        """Ask the process to end (it logs out first); killed after `STOP_TIMEOUT`.

        Without `wait` the process is reaped by a thread of its own in the background: the
        pass does not wait for the server's answer to LOGOUT.
        """
        process, conn = self._process, self._conn
        self._process = self._conn = None
        self._executor.shutdown(wait=False)
        if process is None:
            return

        def finish() -> None:
            if conn is not None:
                with contextlib.suppress(OSError, ValueError):
                    conn.send(None)
            process.join(STOP_TIMEOUT)
            if process.is_alive():
                process.kill()
                process.join()
            if conn is not None:
                conn.close()

        if wait:
            await asyncio.to_thread(finish)
        else:
            threading.Thread(target=finish, name=f"{self.name}-stop", daemon=True).start()


async def start_workers(setup: WorkerSetup, count: int, prefix: str) -> list[BodyWorker]:
    """Start `count` workers at once; those that fail are stopped, the first error raised."""
    workers = [BodyWorker(f"{prefix}{i}") for i in range(1, count + 1)]
    outcomes = await asyncio.gather(*(w.start(setup) for w in workers), return_exceptions=True)
    failure = next((o for o in outcomes if isinstance(o, BaseException)), None)
    if failure is not None:
        await asyncio.gather(*(w.stop(wait=True) for w in workers), return_exceptions=True)
        raise failure
    return workers


__all__ = [
    "BodyJob",
    "BodyWorker",
    "JobDone",
    "JobFailed",
    "WorkerLostError",
    "WorkerSetup",
    "start_workers",
]
