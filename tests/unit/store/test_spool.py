"""Spool files of body workers: sealed like segments, adopted atomically, never half-referenced."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from app.domain.errors import StoreError
from app.store.blobs import BlobRef, BlobStore
from app.store.spool import ALIGN, BUFFER, SpoolWriter

# Sizes around the writer's buffer and block boundaries, and an empty record.
SIZES = [0, 1, ALIGN - 12 - 16, ALIGN, 70_000, BUFFER - 5, BUFFER + 5, 2 * BUFFER + 3, 17]


@pytest.mark.parametrize("direct", [True, False])
def test_records_written_to_a_spool_read_back_once_adopted(tmp_path: Path, direct: bool) -> None:
    store = BlobStore(tmp_path / "blobs")
    records = [os.urandom(size) for size in SIZES]
    records[3] = b"Compte rendu de Monsieur Quetzalcoatl " * 100
    spool = store.incoming / "a.spool"
    writer = SpoolWriter(spool, direct=direct)
    places = [writer.add(record) for record in records]
    size = writer.close()
    assert size == spool.stat().st_size
    assert b"Quetzalcoatl" not in spool.read_bytes()
    assert store.segments() == []  # not a segment before it is adopted

    segment = store.adopt(spool)
    assert store.segments() == [segment]
    assert not spool.exists()
    for record, (offset, length, key) in zip(records, places, strict=True):
        assert store.read(BlobRef(segment, offset, length, key)) == record


def test_adopting_never_replaces_a_segment(tmp_path: Path) -> None:
    store = BlobStore(tmp_path / "blobs")
    (first,) = store.append([b"already archived"])
    # A segment numbered beyond what this store knows (another process, a crash).
    (tmp_path / "blobs" / "seg-000002.pli").write_bytes(b"someone else's")
    writer = SpoolWriter(store.incoming / "b.spool")
    offset, length, key = writer.add(b"new body")
    writer.close()

    segment = store.adopt(store.incoming / "b.spool")
    assert segment == 3
    assert store.read(first) == b"already archived"
    assert (tmp_path / "blobs" / "seg-000002.pli").read_bytes() == b"someone else's"
    assert store.read(BlobRef(segment, offset, length, key)) == b"new body"
    # The next ordinary append goes on after the adopted segment, never into a spool.
    (after,) = store.append([b"later"])
    assert store.read(after) == b"later"


def test_an_aborted_spool_is_removed_and_old_leftovers_are_cleaned(tmp_path: Path) -> None:
    store = BlobStore(tmp_path / "blobs")
    writer = SpoolWriter(store.incoming / "c.spool")
    writer.add(b"x" * 10_000)
    writer.abort()
    assert list(store.incoming.iterdir()) == []

    left = SpoolWriter(store.incoming / "crashed.spool")  # a worker killed before closing
    left.add(b"y" * 10_000)
    recent = SpoolWriter(store.incoming / "running.spool")
    recent.add(b"z")
    old = time.time() - 7200
    os.utime(store.incoming / "crashed.spool", (old, old))
    assert store.clean_incoming(older_than=3600) == 1
    assert [p.name for p in store.incoming.iterdir()] == ["running.spool"]
    left.abort()
    recent.abort()

    # Named after the process whose workers write them: kept while it lives, not after.
    ours = SpoolWriter(store.incoming / f"{os.getpid()}-ab-000001.spool")
    ours.add(b"u")
    gone = SpoolWriter(store.incoming / f"{_dead_pid()}-cd-000001.spool")
    gone.add(b"v")
    assert store.clean_incoming(older_than=3600) == 1
    assert [p.name for p in store.incoming.iterdir()] == [f"{os.getpid()}-ab-000001.spool"]
    ours.abort()
    gone.abort()


def _dead_pid() -> int:
    """A process id no process has (a child that has exited and been reaped)."""
    import subprocess
    import sys

    child = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    return int(child.stdout)


def test_a_spool_name_is_taken_once(tmp_path: Path) -> None:
    store = BlobStore(tmp_path / "blobs")
    first = SpoolWriter(store.incoming / "d.spool")
    with pytest.raises(StoreError, match="io_error"):
        SpoolWriter(store.incoming / "d.spool")
    first.abort()
