"""Typed events the services publish on the event loop (the window turns them into signals).

Events carry identifiers and counts, never message content.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Event:
    """Base of all events."""

    account: str


@dataclass(frozen=True)
class SyncStarted(Event):
    """A synchronisation of the account began."""


@dataclass(frozen=True)
class FoldersListed(Event):
    """The folder list is known."""

    count: int


@dataclass(frozen=True)
class HeadersProgress(Event):
    """Envelopes stored for a folder (`done` of `total` missing ones)."""

    folder: str
    done: int
    total: int


@dataclass(frozen=True)
class MailboxListed(Event):
    """Every folder's message list is complete: the mailbox is usable."""

    new_messages: int
    elapsed: float


@dataclass(frozen=True)
class BodiesProgress(Event):
    """Bodies and attachments archived (`done` of `total`, `bytes` so far)."""

    done: int
    total: int
    bytes: int


@dataclass(frozen=True)
class ArchiveComplete(Event):
    """Every body and attachment of the account is in the archive."""

    elapsed: float


@dataclass(frozen=True)
class MessagesChanged(Event):
    """Messages were added, changed or removed locally (ids of the archive)."""

    folder: str | None
    added: int = 0
    changed: int = 0
    gone: int = 0


@dataclass(frozen=True)
class NewMail(Event):
    """The server pushed new mail (IDLE)."""

    folder: str


@dataclass(frozen=True)
class SyncFailed(Event):
    """The synchronisation stopped on an error (`code` of a KnownError)."""

    code: str


@dataclass(frozen=True)
class ConnectionChanged(Event):
    """Online/offline state of the account."""

    online: bool


@dataclass(frozen=True)
class SessionEnded(Event):
    """The login session ended (refresh refused, ECO.1.2.6): a new login is needed."""


@dataclass(frozen=True)
class OperationFailed(Event):
    """A replayed user action was refused by the server and undone locally."""

    kind: str
    code: str
