"""Folders and their synchronisation state."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class FolderRole(StrEnum):
    """What a folder is for (RFC 6154 SPECIAL-USE, or guessed from its name)."""

    INBOX = "inbox"
    SENT = "sent"
    DRAFTS = "drafts"
    TRASH = "trash"
    JUNK = "junk"
    ARCHIVE = "archive"


_SPECIAL_USE = {
    "\\sent": FolderRole.SENT,
    "\\drafts": FolderRole.DRAFTS,
    "\\trash": FolderRole.TRASH,
    "\\junk": FolderRole.JUNK,
    "\\archive": FolderRole.ARCHIVE,
}
_NAME_GUESS = {
    "sent": FolderRole.SENT,
    "sent items": FolderRole.SENT,
    "sent messages": FolderRole.SENT,
    "envoyés": FolderRole.SENT,
    "éléments envoyés": FolderRole.SENT,
    "drafts": FolderRole.DRAFTS,
    "brouillons": FolderRole.DRAFTS,
    "trash": FolderRole.TRASH,
    "deleted items": FolderRole.TRASH,
    "corbeille": FolderRole.TRASH,
    "junk": FolderRole.JUNK,
    "spam": FolderRole.JUNK,
    "indésirables": FolderRole.JUNK,
    "archive": FolderRole.ARCHIVE,
    "archives": FolderRole.ARCHIVE,
}


def role_named(word: str) -> FolderRole | None:
    """The role a user means by a folder word ("Sent", "Archive", "Corbeille"…), if any."""
    key = word.strip().lower()
    if key == "inbox":
        return FolderRole.INBOX
    return _NAME_GUESS.get(key)


def folder_role(name: str, attributes: tuple[str, ...]) -> FolderRole | None:
    """The role of a folder from its LIST attributes, else from its usual names."""
    if name.upper() == "INBOX":
        return FolderRole.INBOX
    for attribute in attributes:
        role = _SPECIAL_USE.get(attribute.lower())
        if role is not None:
            return role
    return _NAME_GUESS.get(name.rsplit("/", 1)[-1].rsplit(".", 1)[-1].lower())


@dataclass(frozen=True)
class FolderInfo:
    """A folder as LIST describes it."""

    name: str
    delimiter: str | None
    attributes: tuple[str, ...]

    @property
    def selectable(self) -> bool:
        """Whether it can hold messages."""
        lowered = {a.lower() for a in self.attributes}
        return "\\noselect" not in lowered and "\\nonexistent" not in lowered

    @property
    def role(self) -> FolderRole | None:
        """Its role, if any."""
        return folder_role(self.name, self.attributes)


@dataclass(frozen=True)
class SyncState:
    """What the server said of a folder at the last sync (RFC 9051, RFC 7162)."""

    uidvalidity: int | None = None
    uidnext: int | None = None
    highestmodseq: int | None = None
    exists: int | None = None

    def unchanged(self, other: SyncState) -> bool:
        """Nothing to do: same UIDVALIDITY, UIDNEXT, message count and (if any) modseq."""
        return (
            self.uidvalidity == other.uidvalidity
            and self.uidnext == other.uidnext
            and self.exists == other.exists
            and self.highestmodseq == other.highestmodseq
            and self.uidvalidity is not None
        )


def display_path(name: str, delimiter: str | None) -> tuple[str, ...]:
    """The levels a user sees of a folder's server name, top first.

    The server's own hierarchy delimiter splits the name (``/`` when the server gave none). On
    servers whose personal folders all live under ``INBOX.`` (Cyrus's and Courier's classic
    layout, ``.`` as delimiter), that prefix is the personal namespace, not a folder the user
    made: ``INBOX.Suivis.Durand`` reads as Suivis › Durand. INBOX itself stays INBOX.
    """
    separator = delimiter or "/"
    levels = [level for level in name.split(separator) if level] or [name]
    if separator == "." and len(levels) > 1 and levels[0].upper() == "INBOX":
        levels = levels[1:]
    return tuple(levels)
