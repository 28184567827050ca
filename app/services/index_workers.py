"""Worker processes that index attachments, out of the GIL of the process that syncs or draws.

Text extraction is CPU-bound Python and C (pypdf, PDFium). Run on a thread it would hold the
GIL of the process that archives bodies or draws the window; here each document goes to one
of `processes` child processes (spawn context: the same on Linux, macOS and Windows, and safe
in a process that runs threads), so that indexing uses both cores of a practice PC.

Each document has a budget: `wall_seconds` of wall time (the worker is killed and replaced
when it overruns: a looping or huge PDF never holds the queue), an address-space cap of
`memory_bytes` in the worker on POSIX (RLIMIT_AS: a PDF that asks for more fails there, not
in the parent; Windows has no RLIMIT_AS, where only the wall-time budget and the size and page
caps of `app.documents.indexing` bound a document), and the size and page caps. A document
that goes over is skipped with the reason in its summary (``skipped``: ``timeout``,
``memory``, ``crashed``…) and the queue goes on.

Workers start on first use (the command line never pays for them), idle ones are let go by
`release` (they start again when needed) and all stop with `aclose`. Documents travel
through pipes in memory: never a temporary file.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import queue
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from app.documents.indexing import INDEX_LIMITS, PartJob, PartResult, serve, skipped
from app.documents.pdf import ExtractionLimits
from app.services import priority

log = logging.getLogger(__name__)

#: Worker processes (a practice PC has two cores).
PROCESSES = 2
#: Wall time allowed to one document before its worker is killed (extraction stops itself
#: between pages after `INDEX_LIMITS.time_budget`; this catches a page or a parse that loops).
WALL_SECONDS = 15.0
#: Address space of a worker (POSIX): the interpreter and the libraries take about 100 MB.
MEMORY_BYTES = 1024 * 1024 * 1024
#: How long a new worker may take to start and load its libraries (a busy machine is slow).
START_SECONDS = 120.0
#: How long `aclose` waits for a worker to leave on its own before killing it.
STOP_SECONDS = 2.0


class _Worker:
    """One child process and its pipe; used from one thread at a time."""

    def __init__(self, memory_bytes: int | None, limits: ExtractionLimits) -> None:
        self._memory_bytes = memory_bytes
        self._limits = limits
        self._process: Any = None
        self._conn: Any = None  # the documents' end (send)
        self._results: Any = None  # the results' end (poll, recv)
        self.started = 0  # processes started (a replaced worker counts again)

    def _start(self) -> None:
        context = multiprocessing.get_context("spawn")
        # Two one-way pipes: cheaper than a duplex one (a socket pair) for large documents.
        jobs_in, jobs_out = context.Pipe(duplex=False)
        results_in, results_out = context.Pipe(duplex=False)
        process = context.Process(
            target=serve,
            args=(jobs_in, results_out, self._memory_bytes, self._limits),
            name="pli-index",
            daemon=True,
        )
        process.start()
        priority.lower(process.pid)  # below a window sharing this process
        jobs_in.close()
        results_out.close()
        self._process, self._conn, self._results = process, jobs_out, results_in
        self.started += 1
        try:
            ready = results_in.poll(START_SECONDS) and results_in.recv() == "ready"
        except EOFError:  # the child died while starting
            ready = False
        if not ready:
            raise OSError("index worker did not start")

    @property
    def pid(self) -> int | None:
        """The running child's process id (None when none runs)."""
        return self._process.pid if self._process is not None else None

    def run(self, job: PartJob, wall_seconds: float) -> PartResult:
        """Index one document in the child; blocking (call it on a thread).

        Raises:
            OSError: the worker process could not start.
        """
        if self._process is None or not self._process.is_alive():
            self.stop()
            try:
                self._start()
            except BaseException:
                self.stop(kill=True)
                raise  # OSError: no worker can run here (the caller indexes in its process)
        try:
            self._conn.send(job)
            if self._results.poll(wall_seconds):
                result = self._results.recv()
                if isinstance(result, PartResult):
                    return result
                reason = "failed"
            else:
                reason = "timeout"
        except (EOFError, OSError, ValueError):
            reason = "crashed"
        if reason == "crashed" and self._process is not None:
            # PDFium aborts (SIGABRT) when an allocation fails under the memory cap.
            self._process.join(STOP_SECONDS)
            code = self._process.exitcode
            log.info("index worker ended with code %s on a document: skipped", code)
            self.stop(kill=True)
            return skipped(job, reason, exit_code=code)
        log.info("index worker over its budget (%s) on a document: replaced", reason)
        self.stop(kill=True)
        return skipped(job, reason)

    def kill(self) -> None:
        """Kill the child now (from any thread): its document ends as ``crashed``."""
        process = self._process
        if process is not None:
            with contextlib.suppress(OSError, ValueError, AttributeError):
                process.kill()

    def stop(self, *, kill: bool = False) -> None:
        """End the child: asked to leave (or killed), waited for, its pipe closed."""
        process, conn, results = self._process, self._conn, self._results
        self._process = self._conn = self._results = None
        if process is None:
            return
        if not kill and process.is_alive():
            with contextlib.suppress(OSError, ValueError):
                conn.send(None)
            process.join(STOP_SECONDS)
        if process.is_alive():
            process.kill()
            process.join(STOP_SECONDS)
        for end in (conn, results):
            with contextlib.suppress(OSError):
                end.close()
        with contextlib.suppress(ValueError):
            process.close()


class IndexWorkers:
    """A pool of indexing processes, awaited from the event loop."""

    def __init__(
        self,
        processes: int = PROCESSES,
        *,
        wall_seconds: float = WALL_SECONDS,
        memory_bytes: int | None = MEMORY_BYTES,
        limits: ExtractionLimits = INDEX_LIMITS,
    ) -> None:
        self.wall_seconds = wall_seconds
        self._workers = [_Worker(memory_bytes, limits) for _ in range(max(1, processes))]
        self._free: asyncio.Queue[_Worker] | None = None
        self._busy: set[_Worker] = set()
        self._threads: ThreadPoolExecutor | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._closed = False

    @property
    def processes(self) -> int:
        """How many documents can be indexed at once."""
        return len(self._workers)

    def pids(self) -> list[int]:
        """Process ids of the running workers (tests, diagnostics)."""
        return [pid for pid in (w.pid for w in self._workers) if pid is not None]

    @property
    def started(self) -> int:
        """Worker processes started so far (replacements included)."""
        return sum(w.started for w in self._workers)

    async def run(self, job: PartJob) -> PartResult:
        """Index one document in a worker process (started on first use).

        Raises:
            RuntimeError: the pool is closed.
            OSError: no worker process could start.
        """
        [result] = await self.run_many([job])
        return result

    async def run_many(
        self, jobs: Sequence[PartJob], *, parallel: int | None = None
    ) -> list[PartResult]:
        """Index documents on up to `parallel` (all) workers at once; results in the jobs' order.

        Each worker takes the next document as soon as it is done with one, on one thread
        per worker for the whole list (not a thread hop per document).

        Raises:
            RuntimeError: the pool is closed.
            OSError: no worker process could start.
        """
        self._check_open()
        if not jobs:
            return []
        if self._free is None:
            self._loop = asyncio.get_running_loop()
            # Last in, first out: a worker just used is taken again before one never started.
            self._free = asyncio.LifoQueue()
            for worker in self._workers:
                self._free.put_nowait(worker)
            self._threads = ThreadPoolExecutor(
                max_workers=len(self._workers), thread_name_prefix="index-workers"
            )
        todo: queue.SimpleQueue[tuple[int, PartJob]] = queue.SimpleQueue()
        for number, job in enumerate(jobs):
            todo.put((number, job))
        results: list[PartResult | None] = [None] * len(jobs)
        try:
            await asyncio.gather(
                *(
                    self._drain(todo, results)
                    for _ in range(min(len(jobs), parallel or len(self._workers)))
                )
            )
        finally:
            while not todo.empty():  # cancelled or failed: the threads stop after their document
                with contextlib.suppress(queue.Empty):
                    todo.get_nowait()
        self._check_open()
        done = [r for r in results if r is not None]
        if len(done) != len(jobs):
            raise RuntimeError("index workers stopped before the end of the documents")
        return done

    async def _drain(
        self, todo: queue.SimpleQueue[tuple[int, PartJob]], results: list[PartResult | None]
    ) -> None:
        assert self._free is not None
        worker = await self._free.get()
        if self._closed:  # closed while waiting for a worker
            self._free.put_nowait(worker)
        self._check_open()
        self._busy.add(worker)
        assert self._threads is not None
        assert self._loop is not None
        # The worker goes back to the pool from its thread, when its last document is done: a
        # cancelled caller never hands out a worker that is still busy.
        await self._loop.run_in_executor(self._threads, self._run, worker, todo, results)

    def _check_open(self) -> None:
        if self._closed:
            raise RuntimeError("index workers are closed")

    def _run(
        self,
        worker: _Worker,
        todo: queue.SimpleQueue[tuple[int, PartJob]],
        results: list[PartResult | None],
    ) -> None:
        try:
            while not self._closed:
                try:
                    number, job = todo.get_nowait()
                except queue.Empty:
                    return
                results[number] = worker.run(job, self.wall_seconds)
        finally:
            if self._loop is not None and self._free is not None:
                with contextlib.suppress(RuntimeError):  # the loop is closed: nobody waits
                    self._loop.call_soon_threadsafe(self._give_back, worker)

    def _give_back(self, worker: _Worker) -> None:
        self._busy.discard(worker)
        if self._free is not None:
            self._free.put_nowait(worker)

    async def release(self) -> None:
        """Stop the processes of the idle workers (each starts again when next needed)."""
        if self._free is None or self._closed:
            return
        idle: list[_Worker] = []
        while not self._free.empty():
            idle.append(self._free.get_nowait())
        try:
            for worker in idle:
                await asyncio.to_thread(worker.stop)
        finally:
            for worker in idle:
                self._free.put_nowait(worker)

    async def aclose(self) -> None:
        """Stop every worker process (a busy one is killed) and the threads that wait on them."""
        self._closed = True
        threads = self._threads
        if threads is None:
            return
        for worker in list(self._busy):
            worker.kill()
        await asyncio.to_thread(threads.shutdown, True)  # busy documents end (killed) first
        for worker in self._workers:
            await asyncio.to_thread(worker.stop)
