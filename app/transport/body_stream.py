"""Whole messages streamed from ``UID FETCH (UID BODY.PEEK[])`` into one reusable buffer.

`ImapSession.fetch_bodies` returns a list of new byte strings per batch, through imaplib's
reader. A first sync moves the whole mailbox (gigabytes) through here, so this reader keeps
the CPU cost per byte near the raw TLS floor instead: each literal is read straight into a
buffer reused from message to message (no allocation, no copy per message), handed to a
callback (the buffer and the message's length), and forgotten: the callback must not keep it.

Responses are read with the session's own buffered reader, so the session stays usable for
the next command. Blocking; on the session's thread.
"""

from __future__ import annotations

import imaplib
import itertools
import re
from collections.abc import Callable, Sequence
from typing import Any

from app.transport.imap_session import ImapSession, _uid_set

_LITERAL_RE = re.compile(rb"\{(\d+)\}\r?\n$")
_UID_RE = re.compile(rb"\bUID (\d+)")
_MAX_LINE = 1024 * 1024
_TAG = b"PLIB"  # imaplib never sees these responses: its own tags do not matter here
_tags = itertools.count(1)

#: sink(uid, buffer, length): the message is ``buffer[:length]``, valid during the call only.
Sink = Callable[[int, bytearray, int], None]


class LiteralBuffer:
    """A growing buffer that holds one message at a time."""

    def __init__(self, size: int = 4 * 1024 * 1024) -> None:
        self._data = bytearray(size)

    @property
    def data(self) -> bytearray:
        """The buffer (longer than the message it holds)."""
        return self._data

    def view(self, size: int) -> memoryview:
        """A writable view of the first `size` bytes (the buffer grows when needed)."""
        if size > len(self._data):
            self._data = bytearray(max(size, 2 * len(self._data)))
        return memoryview(self._data)[:size]


def stream_bodies(
    session: ImapSession, uids: Sequence[int], sink: Sink, buffer: LiteralBuffer
) -> int:
    """Fetch whole messages of the selected folder; `sink(uid, raw)` for each; how many.

    Raises:
        NetworkError: the connection dropped or timed out (the session is then unusable).
        ServerError: the server refused the command.
    """
    if not uids:
        return 0
    return session._call(_stream, session, _uid_set(list(uids)), sink, buffer)


def _stream(session: ImapSession, uid_set: str, sink: Sink, buffer: LiteralBuffer) -> int:
    imap: Any = session._require()._imap
    reader = imap.file
    tag = _TAG + str(next(_tags)).encode()
    imap.send(tag + b" UID FETCH " + uid_set.encode("ascii") + b" (UID BODY.PEEK[])\r\n")
    count = 0
    while True:
        line = _line(reader)
        if line.startswith(tag + b" "):
            status = line[len(tag) + 1 :].split(b" ", 1)[0].upper()
            if status != b"OK":
                raise _refusal(line[len(tag) + 1 :])
            return count
        if not line.startswith(b"* "):
            continue
        meta = bytearray()
        body: int | None = None
        while True:
            match = _LITERAL_RE.search(line)
            if match is None:
                meta += line
                break
            meta += line[: match.start()]
            size = int(match.group(1))
            if body is None:  # the only literal we asked for is the body
                with buffer.view(size) as view:
                    _read_into(reader, view)
                body = size
            else:  # pragma: no cover - not asked for: read and dropped
                _read_into(reader, memoryview(bytearray(size)))
            line = _line(reader)
        if body is None or b" FETCH " not in meta[:40]:
            continue  # EXPUNGE, FLAGS updates, a body given as NIL
        found = _UID_RE.search(meta)
        if found is None:
            continue
        sink(int(found.group(1)), buffer.data, body)
        count += 1


def _line(reader: Any) -> bytes:
    line: bytes = reader.readline(_MAX_LINE)
    if not line:
        raise EOFError("the server closed the connection")
    if not line.endswith(b"\n"):
        raise EOFError("response line too long")
    return line


def _read_into(reader: Any, view: memoryview) -> None:
    done = 0
    while done < len(view):
        got = reader.readinto(view[done:])
        if not got:
            raise EOFError("the server closed the connection in a literal")
        done += got


def _refusal(text: bytes) -> Exception:
    # Mapped to our `ServerError` by the session's `_call`, as imaplib's own refusals are.
    return imaplib.IMAP4.error(text.decode("utf-8", "replace").strip())
