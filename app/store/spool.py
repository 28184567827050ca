"""Spool files: whole body segments written by a worker process, adopted by the store later.

A first sync's worker processes (`app.services.body_worker`) each fetch bodies over their
own connection and write them here, sealed exactly as `app.store.blobs` seals a record
(AES-256-GCM under a fresh random key per record; the record is nonce + ciphertext + tag), into
a spool file of their own in ``blobs/incoming/``. Only small metadata goes back to the main
process: where each record is, its key, its hash, its structure and text. The store then adopts
the finished file as a segment (`BlobStore.adopt`) in the transaction that commits the rows.

Why a file of its own rather than appending to the current segment: appends to segments are
serialised by the archive's write lock (compaction relies on it), which a worker does not
hold; a spool is never seen by compaction nor appended to by anyone else, so the worker writes
it without any lock, and it becomes part of the archive atomically, by a rename.

Writes bypass the page cache where the system allows it (``O_DIRECT`` on Linux; elsewhere, and
on file systems that refuse it, ordinary writes): on the benchmark machine, writing 343 MB cost
0.6 CPU seconds in the kernel through the page cache and 0.03 s direct (docs/benchmarks.md,
"Sync"). The file is written in 4 KiB-aligned blocks from an aligned buffer; its end is padded
with zeros to the block size (dead bytes, never referenced).

Blocking, one writer per file; nothing here is shared between threads.
"""

from __future__ import annotations

import contextlib
import hashlib
import mmap
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from app.domain.message import Structure
from app.store.blobs import NONCE_SIZE, RECORD_AAD, SPOOL_SUFFIX
from app.store.database import classify_os

ALIGN = 4096
BUFFER = 4 * 1024 * 1024
_CHUNK = 1024 * 1024  # plaintext encrypted per call (the buffer always has room for it)
_TAG = 16


@dataclass(frozen=True)
class SpooledBody:
    """One message written to a spool: what the store needs to reference and index it."""

    uid: int
    offset: int
    length: int
    key: bytes
    sha256: bytes
    size: int  # bytes of the message
    structure: Structure
    texts: tuple[tuple[str, str], ...]


class SpoolWriter:
    """Appends sealed records to one new spool file (created exclusively)."""

    def __init__(self, path: Path, *, direct: bool = True) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
        self._direct = False
        try:
            if direct and hasattr(os, "O_DIRECT"):
                try:
                    self._fd = os.open(path, flags | os.O_DIRECT, 0o600)
                    self._direct = True
                except OSError:  # file systems without direct I/O (tmpfs): buffered writes
                    self._fd = os.open(path, flags, 0o600)
            else:
                self._fd = os.open(path, flags, 0o600)
        except OSError as error:
            raise classify_os(error) from error
        self._buffer = mmap.mmap(-1, BUFFER)  # page-aligned, as direct I/O requires
        self._view = memoryview(self._buffer)
        self._fill = 0
        self._flushed = 0
        self._closed = False

    @property
    def position(self) -> int:
        """Where the next record starts in the file."""
        return self._flushed + self._fill

    def add(self, data: bytes | bytearray | memoryview) -> tuple[int, int, bytes]:
        """Seal and append one record; (offset, length, key). Not durable before `close`."""
        key = secrets.token_bytes(32)
        nonce = secrets.token_bytes(NONCE_SIZE)
        offset = self.position
        self._put(nonce)
        encryptor = Cipher(algorithms.AES(key), modes.GCM(nonce)).encryptor()
        encryptor.authenticate_additional_data(RECORD_AAD)
        view = memoryview(data)
        for start in range(0, len(view), _CHUNK):
            chunk = view[start : start + _CHUNK]
            self._room(len(chunk) + 15)
            self._fill += encryptor.update_into(chunk, self._view[self._fill :])
        encryptor.finalize()
        self._put(encryptor.tag)
        return offset, self.position - offset, key

    def close(self, *, sync: bool = True) -> int:
        """Write what is buffered, pad to the block size, sync; returns the file's size.

        `sync` False: not synced here; whoever adopts the spool syncs it first
        (`BlobStore.adopt`), so that the writer never waits for the disk.
        """
        try:
            if self._direct and self._fill % ALIGN:
                pad = ALIGN - self._fill % ALIGN
                self._view[self._fill : self._fill + pad] = bytes(pad)
                self._fill += pad
            self._flush(everything=True)
            if sync:
                os.fsync(self._fd)
        except OSError as error:
            raise classify_os(error) from error
        finally:
            self._release()
        return self._flushed

    def abort(self) -> None:
        """Close and remove the file (a failed batch)."""
        self._release()
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()

    def _release(self) -> None:
        if self._closed:
            return
        self._closed = True
        os.close(self._fd)
        self._view.release()
        self._buffer.close()

    def _put(self, data: bytes) -> None:
        self._room(len(data))
        self._view[self._fill : self._fill + len(data)] = data
        self._fill += len(data)

    def _room(self, size: int) -> None:
        if self._fill + size > BUFFER:
            try:
                self._flush(everything=False)
            except OSError as error:
                raise classify_os(error) from error

    def _flush(self, *, everything: bool) -> None:
        """Write the buffer's whole blocks (`everything`: all of it), keep the rest."""
        size = self._fill if everything or not self._direct else self._fill - self._fill % ALIGN
        done = 0
        while done < size:
            done += os.write(self._fd, self._view[done:size])
        rest = self._fill - size
        if rest:
            self._buffer.move(0, size, rest)
        self._fill = rest
        self._flushed += size


def spool_name(token: str) -> str:
    """The file name of a spool (`token`: unique per batch)."""
    return f"{token}{SPOOL_SUFFIX}"


def digest(data: bytes | bytearray | memoryview) -> bytes:
    """The SHA-256 of a message, as `message_bodies.sha256` keeps it."""
    return hashlib.sha256(data).digest()
