"""Messages as the archive knows them: flags, people, envelopes, body structure."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntFlag


class Flag(IntFlag):
    """System flags (RFC 9051 §2.3.2), stored as a bitmask."""

    NONE = 0
    SEEN = 1
    ANSWERED = 2
    FLAGGED = 4
    DELETED = 8
    DRAFT = 16

    @classmethod
    def from_imap(cls, names: tuple[str, ...] | list[str]) -> tuple[Flag, tuple[str, ...]]:
        """Split IMAP flag names into system flags and keywords (``$MDNSent``…)."""
        flags = cls.NONE
        keywords: list[str] = []
        for name in names:
            system = _IMAP_NAMES.get(name.lower())
            if system is not None:
                flags |= system
            elif not name.startswith("\\"):
                keywords.append(name)
        return flags, tuple(sorted(keywords))

    def imap_names(self) -> tuple[str, ...]:
        """IMAP names of the system flags set."""
        return tuple(name for flag, name in _FLAG_NAMES if flag in self)

    def labels(self) -> list[str]:
        """Stable lower-case names (JSON output)."""
        return [name.lstrip("\\").lower() for name in self.imap_names()]


_FLAG_NAMES: tuple[tuple[Flag, str], ...] = (
    (Flag.SEEN, "\\Seen"),
    (Flag.ANSWERED, "\\Answered"),
    (Flag.FLAGGED, "\\Flagged"),
    (Flag.DELETED, "\\Deleted"),
    (Flag.DRAFT, "\\Draft"),
)
_IMAP_NAMES = {name.lower(): flag for flag, name in _FLAG_NAMES}

#: User-facing flag names accepted by the command line, and the flag they mean.
FLAG_WORDS: dict[str, Flag] = {
    "read": Flag.SEEN,
    "seen": Flag.SEEN,
    "answered": Flag.ANSWERED,
    "flagged": Flag.FLAGGED,
    "deleted": Flag.DELETED,
    "draft": Flag.DRAFT,
}


@dataclass(frozen=True)
class Person:
    """A name and an address as written in a header (address lower-cased)."""

    name: str
    address: str


@dataclass(frozen=True)
class Part:
    """One leaf of a message's MIME structure (from IMAP BODYSTRUCTURE)."""

    part: str  # IMAP part number, "1", "2.1"…
    content_type: str  # lower case "type/subtype"
    charset: str | None
    encoding: str  # content-transfer-encoding, lower case
    size: int
    filename: str | None
    disposition: str | None  # "attachment", "inline" or None

    @property
    def is_attachment(self) -> bool:
        """A file the sender attached, rather than the text of the message."""
        if self.disposition == "attachment":
            return True
        if self.filename:
            return True
        return not (
            self.content_type.startswith("text/") or self.content_type.startswith("multipart/")
        )

    @property
    def is_body_text(self) -> bool:
        """Readable text of the message itself."""
        return not self.is_attachment and self.content_type in ("text/plain", "text/html")


@dataclass(frozen=True)
class Structure:
    """The leaves of a message's MIME tree, in order."""

    parts: tuple[Part, ...] = ()

    @property
    def attachments(self) -> tuple[Part, ...]:
        """Attached files."""
        return tuple(p for p in self.parts if p.is_attachment)

    def text_parts(self) -> tuple[Part, ...]:
        """The parts whose text is indexed: plain text when there is any, else HTML."""
        plain = tuple(p for p in self.parts if p.is_body_text and p.content_type == "text/plain")
        if plain:
            return plain
        return tuple(p for p in self.parts if p.is_body_text)


#: Key, among an envelope's kept headers, of the reason its header could not be read: the
#: message is archived as it came, listed without its parsed fields (issue 14).
UNREADABLE_HEADER = "x-pli-unreadable"


@dataclass(frozen=True)
class EnvelopeRecord:
    """What the server tells of a message before its body: enough to list and thread it."""

    uid: int
    flags: int
    keywords: tuple[str, ...]
    internal_date: int
    size: int
    modseq: int | None
    message_id: str | None
    in_reply_to: str | None
    references: tuple[str, ...]
    subject: str
    sender: Person | None
    to: tuple[Person, ...]
    cc: tuple[Person, ...]
    reply_to: tuple[Person, ...]
    sent_date: int | None
    structure: Structure
    #: Selected extra headers, lower-case names (x-mss-mes, disposition-notification-to…).
    headers: dict[str, str] = field(default_factory=dict)
    #: The top-level Content-Type suggests attached files (the structure, read with the
    #: body, says for sure).
    likely_attachments: bool = False
    #: The server's EMAILID and THREADID (RFC 8474 OBJECTID), when it offers them.
    email_id: str | None = None
    server_thread_id: str | None = None


@dataclass(frozen=True)
class FetchedBody:
    """A message's bytes and the decoded text of its text parts."""

    uid: int
    raw: bytes
    texts: tuple[tuple[str, str], ...]  # (content_type, decoded text)
    structure: Structure = field(default_factory=Structure)


@dataclass(frozen=True)
class MessageSummary:
    """One line of a message list."""

    id: int
    account: str
    folder: str
    uid: int | None
    internal_date: int
    sent_date: int | None
    sender: Person | None
    subject: str
    flags: int
    keywords: tuple[str, ...]
    size: int
    has_attachments: bool
    archived: bool  # body and attachments are in the archive
    gone_from_server: bool
    thread_id: int | None
    patient_ins: str | None
    #: The To recipients, for lists of what the user sent (a Sent folder shows "À : …").
    recipients: tuple[Person, ...] = ()


@dataclass(frozen=True)
class AttachmentSummary:
    """An attached file as listed from the message structure."""

    part: str
    filename: str | None
    content_type: str
    size: int


@dataclass(frozen=True)
class MessageDetail:
    """Everything shown when a message is opened."""

    summary: MessageSummary
    message_id: str | None
    in_reply_to: str | None
    references: tuple[str, ...]
    to: tuple[Person, ...]
    cc: tuple[Person, ...]
    reply_to: tuple[Person, ...]
    body_text: str
    attachments: tuple[AttachmentSummary, ...]


@dataclass(frozen=True)
class PageKey:
    """Where a message list page ends: the last line's arrival date and id (keyset paging).

    The next page holds what comes after this line in the list's order (newest first, by
    arrival, then by id), so rows are neither skipped nor repeated while sync adds others.
    """

    date: int
    id: int


@dataclass(frozen=True)
class MessagePage:
    """One page of a message list, newest first; `next` is None on the last page."""

    items: list[MessageSummary]
    next: PageKey | None
