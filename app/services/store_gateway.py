"""The archive on its own thread: services await repository work through it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from app.services.executors import SerialExecutor
from app.store.archive import Archive

T = TypeVar("T")


class StoreGateway:
    """Owns the archive connection and the one thread allowed to use it."""

    def __init__(self, archive: Archive, executor: SerialExecutor) -> None:
        self._archive = archive
        self._executor = executor

    @classmethod
    async def open(cls, path: Path, key_hex: str, backups_dir: Path) -> StoreGateway:
        """Open the archive on a new store thread."""
        executor = SerialExecutor("store")
        try:
            archive = await executor.run(Archive.open, path, key_hex, backups_dir)
        except BaseException:
            executor.shutdown(wait=False)
            raise
        return cls(archive, executor)

    async def read(self, work: Callable[[Archive], T]) -> T:
        """Run a read on the store thread."""
        return await self._executor.run(work, self._archive)

    async def write(self, work: Callable[[Archive], T]) -> T:
        """Run `work` in one write transaction on the store thread."""
        return await self._executor.run(self._archive.in_transaction, work)

    async def close(self) -> None:
        """Close the archive and stop the thread."""
        try:
            await self._executor.run(self._archive.close)
        finally:
            self._executor.shutdown()
