"""Encrypted segment files for message bodies (the archive's bulk).

Messages are appended to segment files (``blobs/seg-000001.pli``, up to `SEGMENT_LIMIT`
bytes each), each record sealed with AES-256-GCM under a random key of its own. The key and the
record's place live in the SQLCipher database, so:

- the segment files hold nothing readable without the database (and its data key);
- deleting the database row destroys the only copy of the record's key (crypto-shredding), and
  `compact` later reclaims the space;
- writing a body costs one AES-GCM pass and one sequential write, instead of SQLCipher's page
  encryption, page authentication and the write-ahead log's double write
  (notes/PERFORMANCE.md: the body path is where a full sync spends its time).

Crash safety: records are written and the segment synced *before* the database transaction that
references them commits. A crash in between leaves unreferenced bytes (reclaimed by `compact`),
never a row pointing at missing data. Blocking; appends on the store's thread only, reads on
the store's or the read thread (each with its own `BlobStore`).

Worker processes of a first sync write whole segments of their own instead
(`app.store.spool`): a spool file in ``blobs/incoming/``, written and synced by the worker
outside any lock, becomes a segment only when the store adopts it (`BlobStore.adopt`) inside
the write transaction that commits the rows pointing into it. Nobody appends to a spool but its
writer, and compaction and other appenders never see it before it is adopted and complete.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from app.domain.errors import StoreError
from app.domain.message import FetchedBody
from app.store.database import classify_os

SEGMENT_LIMIT = 256 * 1024 * 1024
_NONCE = 12
_SUFFIX = ".pli"
#: Spool files of worker processes, not segments yet (`app.store.spool`).
INCOMING = "incoming"
SPOOL_SUFFIX = ".spool"


@dataclass(frozen=True)
class BlobRef:
    """Where a record is and the key that opens it."""

    segment: int
    offset: int
    length: int
    key: bytes


class BlobStore:
    """Append-only encrypted segments in one folder."""

    def __init__(self, folder: Path) -> None:
        self._folder = folder
        self._current: int | None = None
        self._handle: object | None = None

    def _path(self, segment: int) -> Path:
        return self._folder / f"seg-{segment:06d}{_SUFFIX}"

    @property
    def folder(self) -> Path:
        """The folder of the segment files."""
        return self._folder

    @property
    def incoming(self) -> Path:
        """Where worker processes write spool files before they are adopted."""
        return self._folder / INCOMING

    def adopt(self, spool: Path) -> int:
        """Make a finished, synced spool file the next segment; returns its number.

        Call it inside the write transaction that commits the rows pointing into it (the
        archive's write lock serialises segment numbering between processes, as for
        `append_sealed`). The spool gets a new name (a hard link, then the old name removed),
        never overwriting a segment, and the folder is synced before returning: once the
        transaction commits, the segment is there after a crash. A crash before the commit
        leaves an unreferenced segment, which `compact` reclaims.
        """
        try:
            _sync_file(spool)  # its writer may have left that to us
            existing = self.segments()
            number = max(existing[-1] if existing else 0, self._current or 0) + 1
            while True:
                target = self._path(number)
                try:
                    # A hard link never replaces an existing name (nor, on Windows, does a
                    # rename: the fallback where links are not offered).
                    if hasattr(os, "link"):
                        target.hardlink_to(spool)
                        spool.unlink()
                    else:  # pragma: no cover - platforms without hard links
                        spool.rename(target)
                except FileExistsError:
                    number += 1
                    continue
                break
            _sync_folder(self._folder)
        except OSError as error:
            raise classify_os(error) from error
        return number

    def clean_incoming(self, *, older_than: float) -> int:
        """Remove spool files left by a crash; how many.

        A spool is named after the process whose workers write it (``<pid>-…``): it is left
        over when that process is gone (POSIX), or, whatever its name, when it has not been
        written to for `older_than` seconds.
        """
        removed = 0
        folder = self.incoming
        if not folder.exists():
            return 0
        now = time.time()
        for path in folder.iterdir():
            if not path.name.endswith(SPOOL_SUFFIX):
                continue
            owner, _, _ = path.name.partition("-")
            try:
                if (owner.isdigit() and not _process_alive(int(owner))) or (
                    now - path.stat().st_mtime > older_than
                ):
                    path.unlink()
                    removed += 1
            except FileNotFoundError:
                continue
        return removed

    def segments(self) -> list[int]:
        """Numbers of the segment files present."""
        if not self._folder.exists():
            return []
        found = []
        for path in self._folder.iterdir():
            name = path.name
            if name.startswith("seg-") and name.endswith(_SUFFIX):
                try:
                    found.append(int(name[4 : -len(_SUFFIX)]))
                except ValueError:
                    continue
        return sorted(found)

    def _open_segment(self, size_needed: int) -> tuple[int, int]:
        """(segment, file descriptor) with room for `size_needed` more bytes."""
        self._folder.mkdir(parents=True, exist_ok=True)
        if os.name == "posix":
            self._folder.chmod(0o700)
        if self._current is None:
            existing = self.segments()
            self._current = existing[-1] if existing else 1
        path = self._path(self._current)
        if (
            path.exists()
            and path.stat().st_size + size_needed > SEGMENT_LIMIT
            and (path.stat().st_size > 0)
        ):
            self._current += 1
            path = self._path(self._current)
        flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND | getattr(os, "O_BINARY", 0)
        return self._current, os.open(path, flags, 0o600)

    def append(self, items: list[bytes]) -> list[BlobRef]:
        """Seal and append records; synced to disk before returning (see the module text)."""
        return self.append_sealed([seal(data) for data in items])

    def append_sealed(self, items: list[Sealed]) -> list[BlobRef]:
        """Append records sealed beforehand (by `seal`, on any thread); synced on return."""
        if not items:
            return []
        total = sum(len(i) for i in items)
        try:
            segment, fd = self._open_segment(total)
        except OSError as error:
            raise classify_os(error) from error
        refs: list[BlobRef] = []
        try:
            offset = os.fstat(fd).st_size  # after any half-written record of a crash
            for item in items:
                _write_all(fd, item.nonce, item.ciphertext)
                refs.append(BlobRef(segment, offset, len(item), item.key))
                offset += len(item)
            os.fsync(fd)
        except OSError as error:
            raise classify_os(error) from error
        finally:
            os.close(fd)
        return refs

    def read(self, ref: BlobRef) -> bytes:
        """Open one record.

        Raises:
            StoreError: ``store.blob_missing`` (segment gone or short), ``store.blob_damaged``
                (authentication failed: altered or wrong key).
        """
        try:
            with self._path(ref.segment).open("rb") as handle:
                handle.seek(ref.offset)
                sealed = handle.read(ref.length)
        except OSError as error:
            raise StoreError("store.blob_missing") from error
        if len(sealed) != ref.length:
            raise StoreError("store.blob_missing")
        from cryptography.exceptions import InvalidTag  # loaded on first use (start-up time)
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        try:
            return AESGCM(ref.key).decrypt(sealed[:_NONCE], sealed[_NONCE:], _AAD)
        except InvalidTag as error:
            raise StoreError("store.blob_damaged") from error

    def read_sealed(self, ref: BlobRef) -> Sealed:
        """A record as stored (still sealed), to move it during compaction."""
        try:
            with self._path(ref.segment).open("rb") as handle:
                handle.seek(ref.offset)
                data = handle.read(ref.length)
        except OSError as error:
            raise StoreError("store.blob_missing") from error
        if len(data) != ref.length:
            raise StoreError("store.blob_missing")
        return Sealed(ref.key, data[:_NONCE], data[_NONCE:])

    def size(self, segment: int) -> int:
        """Bytes in a segment file."""
        try:
            return self._path(segment).stat().st_size
        except FileNotFoundError:
            return 0

    def remove(self, segment: int) -> None:
        """Delete a segment file (after compaction moved its live records)."""
        self._path(segment).unlink(missing_ok=True)
        if self._current == segment:
            self._current = None

    def start_new_segment(self) -> None:
        """The next append goes to a fresh segment (compaction writes into its own)."""
        existing = self.segments()
        self._current = (existing[-1] + 1) if existing else 1


@dataclass(frozen=True)
class Sealed:
    """A record sealed under its own key, ready to be appended."""

    key: bytes
    nonce: bytes
    ciphertext: bytes  # ciphertext + tag; the record is nonce + ciphertext

    def __len__(self) -> int:
        return len(self.nonce) + len(self.ciphertext)


#: Every record has a key of its own, so a record moved or swapped within the files does not
#: open with the key of the row that points there: the place needs no binding of its own.
_AAD = b"pli-blob-v1"
#: The same, for writers of records outside this module (`app.store.spool`).
RECORD_AAD = _AAD
NONCE_SIZE = _NONCE


@dataclass(frozen=True)
class PreparedBody:
    """A fetched message made ready for the store: sealed and hashed, off the store thread."""

    body: FetchedBody
    sealed: Sealed
    sha256: bytes


def prepare(body: FetchedBody) -> PreparedBody:
    """Seal and hash a fetched message (CPU only: call it on the fetching thread)."""
    return PreparedBody(body, seal(body.raw), hashlib.sha256(body.raw).digest())


def seal(data: bytes) -> Sealed:
    """Encrypt one record under a fresh random key (CPU only: any thread may call it)."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM  # loaded on first use

    key = secrets.token_bytes(32)
    nonce = secrets.token_bytes(_NONCE)
    return Sealed(key, nonce, AESGCM(key).encrypt(nonce, data, _AAD))


def _process_alive(pid: int) -> bool:
    """Whether a process runs under `pid` (POSIX; elsewhere always True: age decides)."""
    if os.name != "posix":
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _sync_file(path: Path) -> None:
    """Make a file's data durable (written by another process, possibly not synced)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _sync_folder(folder: Path) -> None:
    """Make a folder's entries durable (POSIX; Windows has no directory handles to sync)."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_all(fd: int, *chunks: bytes) -> None:
    """Write the chunks in order, whatever the kernel takes at each call (no joined copy)."""
    views = [memoryview(c) for c in chunks if c]
    while views:
        written = os.writev(fd, views)
        while views and written >= len(views[0]):
            written -= len(views[0])
            views.pop(0)
        if views and written:
            views[0] = views[0][written:]
