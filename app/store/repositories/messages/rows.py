"""What the message repositories share: row shapes, sort keys, the list line's columns.

Pure helpers and value types; no SQL runs here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from app.domain.message import EnvelopeRecord, MessageSummary, Part, Person, Structure

SORT_SHIFT = 20  # sort_key = max(internal_date, 0) << 20 | sequence within that second
BODY_ARCHIVED = 1  # messages.body_state: 0 envelope only, 1 archived
MAX_INDEXED_TEXT = 200_000  # characters of body text kept for search per message
TextRow = tuple[int, str, str, str, str]  # (sort key, subject, people, body, attachments)


@dataclass(frozen=True, slots=True)
class BodyTask:
    """A message whose body is still to be fetched."""

    message_pk: int
    folder: str
    uidvalidity: int
    uid: int
    size: int


@dataclass(frozen=True)
class ServerPosition:
    """Where a message is on the server (for replaying a local change)."""

    message_pk: int
    folder: str
    uidvalidity: int
    uid: int


@dataclass(frozen=True)
class InsertOutcome:
    """What an envelope batch did."""

    added: int
    rebound: int
    added_pks: tuple[int, ...]
    #: Archive entries that came back from another folder (moved or renamed on the server):
    #: (message id, the folder it was in).
    moved_in: tuple[tuple[int, int], ...] = ()
    #: Added messages whose EMAILID the archive already holds elsewhere (a copy, or a move
    #: whose source is not seen yet): not new mail.
    known_elsewhere: tuple[int, ...] = ()


@dataclass(frozen=True)
class Merge:
    """A message found gone from one place and already listed in another (same EMAILID).

    Usually the older archive entry (`kept`, with its body, flags history and marks) takes
    the newer one's place on the server and the newer entry (`dropped`) leaves the archive
    (see `kept_moved`).
    """

    kept: int
    dropped: int
    from_folder: int
    to_folder: int
    #: True: `kept` (the entry found gone) moved from `from_folder` to the copy's place in
    #: `to_folder` and the copy (`dropped`) left. False: the entry found gone had no archived
    #: body and the copy had: the copy (`kept`) stayed, the bare entry (`dropped`) left.
    kept_moved: bool = True

    @property
    def listed_copy(self) -> int:
        """The entry that was listed in `to_folder` (new there in this pass, possibly)."""
        return self.dropped if self.kept_moved else self.kept


@dataclass(frozen=True)
class ExamineRow:
    """What examining an incoming message needs."""

    pk: int
    account_id: int
    folder_role: str | None
    content_types: tuple[str, ...]
    headers: dict[str, str]
    patient_ins: str | None
    sender: str | None
    sender_name: str
    message_id: str | None
    subject: str
    internal_date: int
    account_address: str


@dataclass(frozen=True)
class SearchFilters:
    """Narrowing a search or a list."""

    account_id: int | None = None
    folder_id: int | None = None
    correspondent: str | None = None  # an address, lower case
    since: int | None = None  # epoch seconds, arrival
    until: int | None = None
    has_attachments: bool | None = None
    patient_ins: str | None = None
    limit: int = 50
    offset: int = 0


SUMMARY_COLUMNS = (
    "m.id, a.name, f.name, m.uid, m.internal_date, m.sent_date, m.from_name, m.from_addr,"
    " m.subject, m.flags, m.keywords, m.size, m.has_attachments, m.body_state, m.gone_at,"
    " m.thread_id, m.patient_ins, m.to_json"
)
SUMMARY_FROM = (
    "messages m JOIN folders f ON f.id = m.folder_id JOIN accounts a ON a.id = m.account_id"
)


def summary_of(r: Any) -> MessageSummary:
    """A list line from a row of `SUMMARY_COLUMNS`."""
    sender = Person(r[6] or "", r[7]) if r[7] else None
    return MessageSummary(
        id=r[0],
        account=r[1],
        folder=r[2],
        uid=r[3],
        internal_date=r[4],
        sent_date=r[5],
        sender=sender,
        subject=r[8] or "",
        flags=r[9],
        keywords=tuple(k for k in (r[10] or "").split(" ") if k),
        size=r[11],
        has_attachments=bool(r[12]),
        archived=r[13] == BODY_ARCHIVED,
        gone_from_server=r[14] is not None,
        thread_id=r[15],
        patient_ins=r[16],
        recipients=people_of(r[17]),
    )


def people_of(column: str | None) -> tuple[Person, ...]:
    """The people of a ``to_json``/``cc_json``/``reply_to`` column (``[[name, address], ...]``)."""
    if not column:
        return ()
    try:
        pairs = json.loads(column)
        return tuple(Person(name or "", address) for name, address in pairs if address)
    except (ValueError, TypeError):
        return ()


def structure_to_json(structure: Structure) -> str:
    """Serialise a structure for the `messages.structure` column."""
    return json.dumps(
        [
            [p.part, p.content_type, p.charset, p.encoding, p.size, p.filename, p.disposition]
            for p in structure.parts
        ],
        ensure_ascii=False,
    )


def structure_from_json(text: str | None) -> Structure:
    """Inverse of `structure_to_json`."""
    if not text:
        return Structure()
    return Structure(tuple(Part(*row) for row in json.loads(text)))


def refs_of(record: EnvelopeRecord) -> list[str]:
    """The Message-IDs a message answers (References, then In-Reply-To if not among them)."""
    refs = list(record.references)
    if record.in_reply_to and record.in_reply_to not in refs:
        refs.append(record.in_reply_to)
    return refs
