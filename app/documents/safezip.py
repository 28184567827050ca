"""Unpacking zips that strangers sent, without letting them fill the disk or escape the folder.

Every limit is checked on the central directory before a byte is inflated, and again while
reading (a declared size may lie): total size, size of one entry, compression ratio, number
of entries. Names that are absolute, climb (``..``), carry a drive letter, a NUL or a control
character are refused, as are symbolic links, encrypted entries and duplicate names (which
two unzip programs may resolve differently).
"""

from __future__ import annotations

import io
import os
import stat
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from app.domain.errors import DocumentError


@dataclass(frozen=True)
class ZipLimits:
    """How much a zip may unpack to.

    Attributes:
        max_entries: entries in the central directory.
        max_total_bytes: the sum of the uncompressed sizes.
        max_entry_bytes: one entry's uncompressed size.
        max_ratio: uncompressed / compressed size of an entry (checked above `ratio_floor`).
        ratio_floor: entries smaller than this are not held to the ratio (small XML files
            legitimately compress 50:1).
    """

    max_entries: int = 1000
    max_total_bytes: int = 200 * 1024 * 1024
    max_entry_bytes: int = 100 * 1024 * 1024
    max_ratio: int = 100
    ratio_floor: int = 1024 * 1024


DEFAULT_LIMITS = ZipLimits()
_CHUNK = 64 * 1024


def read_zip(data: bytes, limits: ZipLimits = DEFAULT_LIMITS) -> dict[str, bytes]:
    """Every file of a zip, in memory, by its (checked) name. Folders are left out.

    Blocking, CPU-bound (inflating).

    Raises:
        DocumentError: ``zip.broken``, ``zip.too_many_entries``, ``zip.too_large``,
            ``zip.ratio``, ``zip.unsafe_name``, ``zip.symlink``, ``zip.encrypted``,
            ``zip.duplicate_name``.
    """
    with _open(data) as archive:
        infos = _checked_infos(archive, limits)
        out: dict[str, bytes] = {}
        total = 0
        for info in infos:
            if info.is_dir():
                continue
            chunks: list[bytes] = []
            for chunk in _inflate(archive, info, limits):
                total = _counted(total, len(chunk), limits.max_total_bytes)
                chunks.append(chunk)
            out[_clean_name(info.filename)] = b"".join(chunks)
        return out


def extract_zip(data: bytes, target: Path, limits: ZipLimits = DEFAULT_LIMITS) -> list[Path]:
    """Unpack a zip into `target` (an existing folder chosen by the caller), safely.

    Blocking (disk). Nothing is written when the central directory breaks a rule; each file
    is created exclusively (an existing file or link is never followed nor overwritten) and
    every path is checked to stay inside `target`.

    Returns:
        The files written.

    Raises:
        DocumentError: the `read_zip` codes, and ``zip.target_exists`` when a file of the
            zip is already there.
    """
    root = target.resolve(strict=True)
    written: list[Path] = []
    with _open(data) as archive:
        infos = _checked_infos(archive, limits)
        total = 0
        for info in infos:
            relative = PurePosixPath(_clean_name(info.filename))
            destination = root.joinpath(*relative.parts)
            _ensure_inside(root, destination)
            if info.is_dir():
                _make_dirs(root, destination)
                continue
            _make_dirs(root, destination.parent)
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
            flags |= getattr(os, "O_BINARY", 0)
            try:
                fd = os.open(destination, flags, 0o600)
            except FileExistsError:
                raise DocumentError("zip.target_exists", name=str(relative)) from None
            try:
                with os.fdopen(fd, "wb") as handle:
                    for chunk in _inflate(archive, info, limits):
                        total = _counted(total, len(chunk), limits.max_total_bytes)
                        handle.write(chunk)
            except BaseException:
                destination.unlink(missing_ok=True)
                raise
            written.append(destination)
    return written


def _open(data: bytes) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise DocumentError("zip.broken") from None


def _checked_infos(archive: zipfile.ZipFile, limits: ZipLimits) -> list[zipfile.ZipInfo]:
    infos = archive.infolist()
    if len(infos) > limits.max_entries:
        raise DocumentError("zip.too_many_entries", count=len(infos), limit=limits.max_entries)
    seen: set[str] = set()
    declared_total = 0
    for info in infos:
        name = _clean_name(info.filename)
        key = name.rstrip("/").casefold()
        if key in seen:
            raise DocumentError("zip.duplicate_name", name=name)
        seen.add(key)
        if info.flag_bits & 0x1:
            raise DocumentError("zip.encrypted", name=name)
        mode = info.external_attr >> 16
        if info.create_system == 3 and stat.S_ISLNK(mode):  # 3 = Unix: mode in the high bits
            raise DocumentError("zip.symlink", name=name)
        if info.file_size > limits.max_entry_bytes:
            raise DocumentError("zip.too_large", limit=limits.max_entry_bytes)
        declared_total += info.file_size
        if declared_total > limits.max_total_bytes:
            raise DocumentError("zip.too_large", limit=limits.max_total_bytes)
        if info.file_size > limits.ratio_floor and (
            info.compress_size == 0 or info.file_size / info.compress_size > limits.max_ratio
        ):
            raise DocumentError("zip.ratio", name=name, limit=limits.max_ratio)
    return infos


def _inflate(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: ZipLimits) -> list[bytes]:
    """Read one entry in chunks, never beyond its declared size nor the per-entry limit."""
    chunks: list[bytes] = []
    size = 0
    try:
        with archive.open(info) as stream:
            while True:
                chunk = stream.read(_CHUNK)
                if not chunk:
                    break
                size = _counted(size, len(chunk), min(info.file_size, limits.max_entry_bytes))
                chunks.append(chunk)
    except DocumentError:
        raise
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
        # Bad CRC, truncated data, unknown compression method.
        raise DocumentError("zip.broken") from None
    return chunks


def _counted(total: int, more: int, limit: int) -> int:
    total += more
    if total > limit:
        raise DocumentError("zip.too_large", limit=limit)
    return total


def _clean_name(raw: str) -> str:
    """The entry name if it is safe to use as a relative path, else DocumentError."""
    name = raw.replace("\\", "/")
    if (
        not name
        or name.startswith("/")
        or (len(name) > 1 and name[1] == ":")
        or any(unicodedata.category(ch) in ("Cc", "Cf") for ch in name)
    ):
        raise DocumentError("zip.unsafe_name", name=raw)
    parts = [p for p in name.split("/") if p not in ("", ".")]
    if not parts or any(p == ".." for p in parts):
        raise DocumentError("zip.unsafe_name", name=raw)
    return "/".join(parts) + ("/" if name.endswith("/") else "")


def _ensure_inside(root: Path, path: Path) -> None:
    try:
        path.resolve(strict=False).relative_to(root)
    except ValueError:
        raise DocumentError("zip.unsafe_name", name=str(path)) from None


def _make_dirs(root: Path, folder: Path) -> None:
    """Create `folder` under `root`, refusing to walk through a link planted on the way."""
    current = root
    for part in folder.relative_to(root).parts:
        current = current / part
        if current.is_symlink():
            raise DocumentError("zip.symlink", name=str(current.relative_to(root)))
        if not current.exists():
            current.mkdir(mode=0o700)
        elif not current.is_dir():
            raise DocumentError("zip.target_exists", name=str(current.relative_to(root)))
