"""Typed events the services publish on the event loop (the window turns them into signals).

One vocabulary for every change a front end shows: a window subscribes once and never polls.
Events carry identifiers, counts and codes, never message content (no subjects, bodies,
addresses or file names): they may be logged and they feed notifications.

Every event is keyed by the account's archive id (``account_id``; 0 for profile-wide events
such as the directory's) and carries the account's name for display. Fields are keyword-only
so that the vocabulary can grow without breaking publishers.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

#: ``account_id`` of events that belong to no account (the directory, the profile).
PROFILE_WIDE = 0


class Cause(enum.Enum):
    """Who caused a change to messages."""

    SERVER = "server"  # seen on the server by sync or IDLE (another client, new mail, purge)
    USER = "user"  # a user action in this process (flag, move, delete, send)
    UNDO = "undo"  # a replayed user action refused by the server and undone locally
    OTHER_PROCESS = "other_process"  # a `pli` command forwarded to, or run beside, this process


class ConnectionState(enum.Enum):
    """An account's link with its servers, as a window shows it."""

    ONLINE = "online"
    OFFLINE = "offline"  # unreachable: what is archived still works, changes wait
    RECONNECTING = "reconnecting"  # lost; retrying with backoff
    SESSION_ENDED = "session_ended"  # the login must be renewed (ECO.1.2.6)


@dataclass(frozen=True, kw_only=True)
class Event:
    """Base of all events."""

    account_id: int
    account: str = ""


# -- sync ------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class SyncStarted(Event):
    """A synchronisation of the account began."""


@dataclass(frozen=True, kw_only=True)
class FoldersListed(Event):
    """The folder list is known (folders may have been added, renamed or removed)."""

    count: int


@dataclass(frozen=True, kw_only=True)
class HeadersProgress(Event):
    """Envelopes stored for a folder (`done` of `total` missing ones)."""

    folder: str
    done: int
    total: int


@dataclass(frozen=True, kw_only=True)
class MailboxListed(Event):
    """Every folder's message list is complete: the mailbox is usable."""

    new_messages: int
    elapsed: float


@dataclass(frozen=True, kw_only=True)
class BodiesProgress(Event):
    """Bodies and attachments archived (`done` of `total`, `bytes` so far)."""

    done: int
    total: int
    bytes: int


@dataclass(frozen=True, kw_only=True)
class ArchiveComplete(Event):
    """Every body and attachment of the account is in the archive."""

    elapsed: float


@dataclass(frozen=True, kw_only=True)
class SyncFinished(Event):
    """A synchronisation pass ended well (counts over every folder)."""

    added: int = 0
    gone: int = 0
    flags_changed: int = 0


@dataclass(frozen=True, kw_only=True)
class SyncFailed(Event):
    """The synchronisation stopped on an error (`code` of a KnownError)."""

    code: str


@dataclass(frozen=True, kw_only=True)
class DocumentsIndexed(Event):
    """Text of attached documents indexed for search (`remaining` still to do)."""

    documents: int
    remaining: int = 0


# -- messages --------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class MessagesChanged(Event):
    """Messages of one folder were added, changed or removed in the archive.

    ``added``/``changed``/``removed`` are archive message ids; ``gone`` counts messages marked
    "gone from the server" (they stay in the archive). ``folder_id`` is None when the change
    spans folders (a resync after UIDVALIDITY changed, say): reload everything shown.
    """

    folder_id: int | None
    folder: str | None
    cause: Cause = Cause.SERVER
    added: tuple[int, ...] = ()
    changed: tuple[int, ...] = ()
    removed: tuple[int, ...] = ()
    gone: tuple[int, ...] = ()


@dataclass(frozen=True, kw_only=True)
class NewMail(Event):
    """New mail arrived in a folder (pushed by IDLE or found by sync): `count` messages."""

    folder: str
    folder_id: int | None = None
    count: int = 1
    from_patients: int = 0  # how many come from patients (a notification says "un patient")


@dataclass(frozen=True, kw_only=True)
class FolderCountsChanged(Event):
    """A folder's message or unread count changed."""

    folder_id: int
    folder: str
    messages: int
    unread: int


# -- local changes and their replay ----------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class OperationQueued(Event):
    """A user action was applied locally and waits to be replayed on the server."""

    operation_id: int
    kind: str  # "flags", "keyword", "move", "delete"
    message_ids: tuple[int, ...] = ()


@dataclass(frozen=True, kw_only=True)
class OperationReplayed(Event):
    """A queued action reached the server."""

    operation_id: int
    kind: str


@dataclass(frozen=True, kw_only=True)
class OperationFailed(Event):
    """A replayed user action was refused by the server and undone locally."""

    kind: str
    code: str
    operation_id: int = 0
    message_ids: tuple[int, ...] = ()


@dataclass(frozen=True, kw_only=True)
class PendingOperationsChanged(Event):
    """How many local changes still wait for the server."""

    pending: int


# -- sending ---------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class OutboxChanged(Event):
    """A message written in Pli changed state (`state` is an `OutboxState` value).

    ``code`` says why when it failed or waits (a KnownError code).
    """

    outbox_id: int
    state: str
    code: str | None = None


@dataclass(frozen=True, kw_only=True)
class OutboxCounts(Event):
    """What the account's outbox holds: waiting to leave, and failed."""

    waiting: int
    failed: int


@dataclass(frozen=True, kw_only=True)
class DeliveryStatusChanged(Event):
    """A recipient's status changed (delivered, read, failed) from a DSN or an MDN."""

    outbox_id: int
    status: str
    recipients: int = 1


@dataclass(frozen=True, kw_only=True)
class DraftSaved(Event):
    """A draft was created or updated."""

    draft_id: int


@dataclass(frozen=True, kw_only=True)
class DraftDeleted(Event):
    """A draft was deleted (sent or discarded)."""

    draft_id: int


@dataclass(frozen=True, kw_only=True)
class PatientConversationChanged(Event):
    """A patient's conversation changed (message, closed, reopened, bounce)."""

    patient_ins: str  # an identifier of the archive, not shown in notifications


# -- accounts and connections ----------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class AccountAdded(Event):
    """A mailbox was added."""


@dataclass(frozen=True, kw_only=True)
class AccountChanged(Event):
    """A mailbox's settings (servers, identity, options) changed."""


@dataclass(frozen=True, kw_only=True)
class AccountRemoved(Event):
    """A mailbox was removed (with its archive or not)."""


@dataclass(frozen=True, kw_only=True)
class ConnectionChanged(Event):
    """The account's link with its servers: online, offline, reconnecting, session ended.

    ``code`` is the KnownError code that made it offline (``network.unreachable``,
    ``tls.*``, ``auth.*``), None when online.
    """

    state: ConnectionState
    code: str | None = None
    retry_in: float | None = None  # seconds until the next attempt, when reconnecting


@dataclass(frozen=True, kw_only=True)
class SessionEnded(Event):
    """The login session ended (refresh refused, ECO.1.2.6): a new login is needed."""


@dataclass(frozen=True, kw_only=True)
class QuotaChanged(Event):
    """How full the mailbox is on the server (KiB)."""

    used_kib: int
    limit_kib: int


# -- the directory ---------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class DirectoryImportProgress(Event):
    """A directory import goes on: `lines` read of about `total_bytes` (0: unknown)."""

    lines: int
    bytes_read: int
    total_bytes: int = 0


@dataclass(frozen=True, kw_only=True)
class DirectoryChanged(Event):
    """The directory or the trust space's domain list was replaced."""

    what: str  # "directory" or "whitelist"
    entries: int = 0


# -- bodies stored (for consumers fed while a sync archives) ---------------------------------


@dataclass(frozen=True, kw_only=True)
class BodiesStored(Event):
    """Bodies of these archive messages were just committed (one group of a body pass).

    Published on the loop after each group's transaction, while the pass goes on: what needs
    the bodies (attachment text indexing) can start on them at once.
    """

    message_ids: tuple[int, ...]
