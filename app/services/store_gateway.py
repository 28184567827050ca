"""The archive on its threads: services await repository work through it.

Writes (and reads that must follow them in order) run on the store's single writer thread;
the window's reads run on a read thread with a connection of their own, so a long sync write
(a group commit of bodies) never holds them up: in WAL mode readers do not wait for the writer.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from app.services.executors import SerialExecutor
from app.store.archive import Archive
from app.store.database import classified

T = TypeVar("T")


class StoreGateway:
    """Owns the archive's connections and the thread each one is used on."""

    def __init__(
        self,
        archive: Archive,
        executor: SerialExecutor,
        reader: Archive | None = None,
        read_executor: SerialExecutor | None = None,
    ) -> None:
        self._archive = archive
        self._executor = executor
        self._reader = reader
        self._read_executor = read_executor

    @classmethod
    async def open(cls, path: Path, key_hex: str, backups_dir: Path) -> StoreGateway:
        """Open (create, migrate) the archive on a new store thread, and its reader.

        Raises:
            StoreError: the archive cannot be opened (see `app.store.database`).
        """
        executor = SerialExecutor("store")
        read_executor = SerialExecutor("store-read")
        try:
            with classified():
                archive = await executor.run(Archive.open, path, key_hex, backups_dir)
        except BaseException:
            executor.shutdown(wait=False)
            read_executor.shutdown(wait=False)
            raise
        try:
            with classified(writing=False):
                reader = await read_executor.run(Archive.open_reader, path, key_hex)
        except BaseException:
            read_executor.shutdown(wait=False)
            try:
                await executor.run(archive.close)
            finally:
                executor.shutdown()
            raise
        return cls(archive, executor, reader, read_executor)

    async def read(self, work: Callable[[Archive], T]) -> T:
        """Run `work` on the writer's thread, in order with the writes (no transaction)."""
        with classified(writing=False):
            return await self._executor.run(work, self._archive)

    async def write(self, work: Callable[[Archive], T]) -> T:
        """Run `work` in one write transaction on the writer's thread."""
        with classified():
            return await self._executor.run(self._archive.in_transaction, work)

    async def query(self, work: Callable[[Archive], T]) -> T:
        """Run read-only `work` on the read thread, in one snapshot of the committed state.

        Never waits for the writer's thread (a sync writing bodies): what the window shows.
        `work` must not write (the reader's connection is ``query_only``). Falls back to the
        writer's thread when the gateway was built without a reader.
        """
        if self._reader is None or self._read_executor is None:
            return await self.read(lambda a: a.in_snapshot(work))
        with classified(writing=False):
            return await self._read_executor.run(self._reader.in_snapshot, work)

    async def close(self) -> None:
        """Close the reader, then the archive (checkpointing it), and stop the threads."""
        with classified():
            try:
                if self._reader is not None and self._read_executor is not None:
                    try:
                        await self._read_executor.run(self._reader.close)
                    finally:
                        self._read_executor.shutdown()
            finally:
                try:
                    await self._executor.run(self._archive.close)
                finally:
                    self._executor.shutdown()
