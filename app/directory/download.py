"""Downloading the national extraction for a refresh (spec §7).

HTTPS only (plain HTTP is accepted for loopback addresses, which only tests use). The file is
streamed to a temporary file beside the directory (public data), with progress; its published
name (``Extraction_Correspondance_MSSante_<AAAAMMJJhhmm>…``), which carries the generation
date, is read from ``Content-Disposition`` or the final URL. Blocking.
"""

from __future__ import annotations

import http.client
import logging
import os
import re
import ssl
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from email.message import Message
from pathlib import Path
from typing import BinaryIO

from app import __version__
from app.directory.urls import require_secure
from app.domain.directory import ImportProgress
from app.domain.errors import DirectoryError

log = logging.getLogger(__name__)

CHUNK = 256 * 1024
#: The national extraction zipped is about 30 MB, plain about 150 MB.
MAX_BYTES = 2 * 1024 * 1024 * 1024
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]")


@dataclass(frozen=True)
class Download:
    """A downloaded file and the name it was published under."""

    path: Path
    name: str
    size: int


def check_url(url: str) -> str:
    """Refuse anything but HTTPS (or HTTP to a loopback address).

    Raises:
        DirectoryError: ``directory.download.insecure_url``.
    """
    return require_secure(url, "directory.download.insecure_url")


def download(
    url: str,
    folder: Path,
    *,
    timeout: float,
    on_progress: Callable[[ImportProgress], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> Download:
    """Download `url` into a temporary file in `folder`; the caller deletes it.

    Raises:
        DirectoryError: ``directory.download.*`` (nothing is left behind then).
    """
    check_url(url)
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=folder, prefix=".directory-download-", suffix=".part")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            name, size = _fetch(url, out, timeout, on_progress, should_stop)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    log.info("extraction downloaded: %d bytes", size)
    return Download(tmp, name, size)


def _fetch(
    url: str,
    out: BinaryIO,
    timeout: float,
    on_progress: Callable[[ImportProgress], None] | None,
    should_stop: Callable[[], bool] | None,
) -> tuple[str, int]:
    # The scheme was checked (HTTPS, or HTTP to loopback): S310's concern does not apply.
    request = urllib.request.Request(url, headers={"User-Agent": f"Pli/{__version__}"})  # noqa: S310
    try:
        response = urllib.request.urlopen(request, timeout=timeout)  # noqa: S310
    except urllib.error.HTTPError as error:
        error.close()
        raise DirectoryError("directory.download.http", status=error.code) from None
    except TimeoutError as error:
        raise DirectoryError("directory.download.timeout") from error
    except urllib.error.URLError as error:
        raise _network_error(error.reason) from error
    except (OSError, http.client.HTTPException) as error:  # e.g. closed without an answer
        raise _network_error(error) from error
    with response:
        final = response.geturl()
        check_url(final)  # a redirect must not leave HTTPS either
        total = _int(response.headers.get("Content-Length"))
        name = _published_name(response.headers, final)
        done = 0
        while chunk := _read(response):
            done += len(chunk)
            if done > MAX_BYTES:
                raise DirectoryError("directory.download.too_large")
            out.write(chunk)
            if on_progress is not None:
                on_progress(ImportProgress("download", done=done, total=total))
            if should_stop is not None and should_stop():
                raise DirectoryError("directory.import.cancelled")
    if total is not None and done != total:
        raise DirectoryError("directory.download.incomplete")
    return name, done


def _read(response: BinaryIO) -> bytes:
    try:
        return response.read(CHUNK)
    except TimeoutError as error:
        raise DirectoryError("directory.download.timeout") from error
    except (OSError, http.client.HTTPException) as error:
        raise _network_error(error) from error


def _published_name(headers: Message, url: str) -> str:
    name = headers.get_filename() if hasattr(headers, "get_filename") else None
    if not name:
        name = urllib.parse.unquote(Path(urllib.parse.urlsplit(url).path).name)
    return _SAFE_NAME.sub("_", name)[:200] or "extraction"


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _network_error(reason: object) -> DirectoryError:
    if isinstance(reason, TimeoutError):
        return DirectoryError("directory.download.timeout")
    if isinstance(reason, ssl.SSLError):
        return DirectoryError("directory.download.tls", detail=type(reason).__name__)
    return DirectoryError("directory.download.unreachable", detail=type(reason).__name__)
