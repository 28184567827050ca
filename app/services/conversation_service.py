"""Patients and their conversation, read for a screen: the list and a chat-like page of it.

`PatientService` (app/services/patient_service.py) gives the whole conversation at once, as
the command line shows it. A window opening a conversation of hundreds of messages needs less:
the order of every message (one query of list lines), and the full content of only the last
ones shown (`ConversationService.open`), the earlier ones read on demand (`items`). Each item
carries what a bubble shows: direction, text, documents, the status of a sent message for each
recipient, a bounce explained, the end of an exchange, a late message after it.

Reads go through the store's read connection (`StoreGateway.query`): they never wait behind
a sync writing bodies.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import default

from app.domain.addresses import PATIENT_DOMAIN
from app.domain.compose import is_end_of_exchange
from app.domain.message import Flag, MessageSummary
from app.services.store_gateway import StoreGateway
from app.store.archive import Archive
from app.store.repositories.messages import SearchFilters
from app.store.repositories.sending import Patient, PatientEvent

__all__ = [
    "ConversationItem",
    "ConversationPage",
    "ConversationService",
    "Document",
    "PatientEvent",
    "PatientRow",
]

_SEEN = int(Flag.SEEN)  # plain ints: enum arithmetic on every line of a long conversation
_ANSWERED = int(Flag.ANSWERED)

#: Characters of a message's text a bubble carries at most (the rest: "Ouvrir").
TEXT_LIMIT = 2000
#: Messages of a conversation read in full when it opens.
FIRST_PAGE = 25


@dataclass(frozen=True)
class PatientRow:
    """A line of the patients list."""

    patient: Patient
    messages: int
    last_activity: int | None
    unread: int  # messages from the patient not read yet
    awaiting_reply: bool  # the last word is the patient's
    closed_at: int | None
    undelivered: bool = False  # your last message to the patient came back (a bounce)


@dataclass(frozen=True)
class Document:
    """A file attached to a message.

    Attributes:
        content_type: as the message declares it.
        kind: what the file really is, from its first bytes (a `DocumentKind` value), once
            the documents' indexing inspected it; empty before.
    """

    name: str
    content_type: str
    size: int
    kind: str = ""


@dataclass(frozen=True)
class ConversationItem:
    """One message of a patient's conversation, ready for a bubble.

    Attributes:
        direction: ``in`` (from the patient), ``out`` (written by the practice) or ``notice``
            (a robot: Mon espace santé's non-delivery report).
        statuses: recipient → (status, detail) of a message the practice sent
            (`app.domain.delivery.MessageStatus` values).
        bounce: the reason code of a non-delivery report (`BounceReason` value) about this
            message (``out``) or carried by it (``notice``).
        late: a patient's message that came after the end of the exchange.
    """

    id: int
    account: str
    folder: str
    date: int
    direction: str
    sender: str
    subject: str
    text: str
    documents: tuple[Document, ...]
    message_id: str | None
    statuses: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    bounce: str | None = None
    late: bool = False
    end_of_exchange: bool = False
    unread: bool = False
    thread_id: int | None = None
    sender_address: str = ""
    #: A message written in Pli not archived yet (its copy in Sent not synced): the outbox
    #: state (`OutboxState` value); None for an archived message. Its id is minus the
    #: outbox entry's.
    pending_state: str | None = None


@dataclass(frozen=True)
class ConversationPage:
    """A conversation as it opens: every message's id in order, the last ones in full."""

    row: PatientRow
    ids: list[int]  # every message, oldest first
    items: list[ConversationItem]  # the last ones, oldest first
    events: list[PatientEvent]


def _direction(summary: MessageSummary, ins: str, own: frozenset[str] = frozenset()) -> str:
    # A plain comparison: addresses are stored lower-cased, and parsing each one again
    # (email.utils) made opening a long conversation several times slower.
    sender = summary.sender.address if summary.sender else ""
    if not ins:  # a thread between professionals: ours or theirs
        return "out" if sender.lower() in own else "in"
    if sender.endswith(f"@{PATIENT_DOMAIN}"):
        return "in" if sender == f"{ins}@{PATIENT_DOMAIN}" else "notice"
    return "out"


def _row(
    archive: Archive, patient: Patient, newest: list[MessageSummary] | None = None
) -> PatientRow:
    if newest is None:
        newest = archive.messages.summaries(SearchFilters(patient_ins=patient.ins, limit=-1))
    unread = sum(
        1
        for m in newest
        if not int(m.flags) & _SEEN
        and _direction(m, patient.ins) == "in"
        and not m.gone_from_server
    )
    talk = [m for m in newest if _direction(m, patient.ins) != "notice"]
    awaiting = bool(talk) and _direction(talk[0], patient.ins) == "in"
    if awaiting and int(talk[0].flags) & _ANSWERED:
        awaiting = False
    closed = archive.patients.closed_since(patient.ins)
    last_out = next((m for m in newest if _direction(m, patient.ins) == "out"), None)
    undelivered = last_out is not None and any(
        e.kind == "bounce" and e.ts >= last_out.internal_date
        for e in archive.patients.events(patient.ins)
    )
    return PatientRow(
        patient=patient,
        messages=len(newest),
        last_activity=newest[0].internal_date if newest else None,
        unread=unread,
        awaiting_reply=awaiting,
        closed_at=closed.ts if closed else None,
        undelivered=undelivered,
    )


def _quote_start(lines: list[str]) -> int:
    """Where the quoted earlier message starts (``Le … a écrit :`` or ``>`` lines)."""
    for i, line in enumerate(lines):
        stripped = line.strip()
        if stripped.startswith(">"):
            return i
        if stripped.endswith(("a écrit :", "a écrit:", "wrote:")) and (
            stripped.startswith(("Le ", "On "))
        ):
            return i
        if stripped in ("-----Original Message-----", "-------- Message original --------"):
            return i
    return len(lines)


def bubble_text(body: str) -> str:
    """A message's own words: the quoted earlier message left out, bounded in length."""
    lines = body.replace("\r\n", "\n").split("\n")
    own = "\n".join(lines[: _quote_start(lines)]).strip()
    if len(own) > TEXT_LIMIT:
        own = own[:TEXT_LIMIT].rstrip() + " …"
    return own


def _items(
    archive: Archive,
    ins: str,
    summaries: Sequence[MessageSummary],
    events: list[PatientEvent],
    own: frozenset[str] = frozenset(),
) -> list[ConversationItem]:
    late = {e.message_ref for e in events if e.kind == "late_message" and e.message_ref}
    closing = {e.message_ref for e in events if e.kind == "closed" and e.message_ref}
    bounced: dict[str, str] = {}
    for e in events:
        if e.kind == "bounce" and e.message_ref:
            # detail: "bounce.patient.<reason>: <explanation>" (IncomingService)
            code = (e.detail or "other").split(":", 1)[0].strip()
            bounced[e.message_ref] = code.rsplit(".", 1)[-1] or "other"
    out = []
    depth: dict[int, int] = {}
    for summary in summaries:
        detail = archive.messages.detail(summary.id)
        kinds = archive.messages.reads.attachment_kinds(summary.id) if detail.attachments else {}
        depth[summary.id] = len(detail.references) + bool(detail.in_reply_to)
        direction = _direction(summary, ins, own)
        mid = detail.message_id
        statuses = archive.delivery.of(mid) if mid and direction == "out" else {}
        ending = bool(mid and mid in closing)
        if not ending and direction == "out" and "[FIN]" in summary.subject:
            ending = is_end_of_exchange(summary.subject, archive.messages.headers(summary.id))
        bounce = bounced.get(mid) if mid else None
        if direction == "notice" and bounce is None:
            bounce = next(
                (v for k, v in bounced.items() if k in (detail.in_reply_to, *detail.references)),
                "other",
            )
        out.append(
            ConversationItem(
                id=summary.id,
                account=summary.account,
                folder=summary.folder,
                date=summary.sent_date or summary.internal_date,
                direction=direction,
                sender=(summary.sender.name or summary.sender.address) if summary.sender else "",
                subject=summary.subject,
                text=bubble_text(detail.body_text),
                documents=tuple(
                    Document(a.filename or "", a.content_type, a.size, kinds.get(a.part, ""))
                    for a in detail.attachments
                ),
                message_id=mid,
                statuses=dict(statuses),
                bounce=bounce,
                late=bool(mid and mid in late),
                end_of_exchange=ending,
                unread=direction == "in" and not int(summary.flags) & _SEEN,
                thread_id=summary.thread_id,
                sender_address=summary.sender.address if summary.sender else "",
            )
        )
    # Oldest first; within the same second a reply comes after what it answers.
    out.sort(key=lambda i: (i.date, depth[i.id], i.id))
    return out


def _plain_text(raw: bytes) -> str:
    """The text of a message Pli composed (its text/plain part)."""
    parsed = BytesParser(policy=default).parsebytes(raw)
    body = parsed.get_body(preferencelist=("plain",))
    if body is None:
        return ""
    try:
        content = body.get_content()
    except (LookupError, ValueError):
        return ""
    return content if isinstance(content, str) else ""


def _pending(archive: Archive, ins: str) -> list[ConversationItem]:
    """Messages to the patient written in Pli and not in the archive yet.

    Still in the outbox, or sent and not synced back from Sent: nothing written is missing
    from the conversation.
    """
    out = []
    names: dict[int, str] | None = None
    for entry in archive.outbox.all(limit=200):
        if entry.patient_ins != ins or entry.kind == "receipt":
            continue
        if archive.messages.find_by_message_id(entry.account_id, entry.message_id):
            continue
        if names is None:
            names = {row.id: row.config.name for row in archive.accounts.all()}
        out.append(
            ConversationItem(
                id=-entry.id,
                account=names.get(entry.account_id, ""),
                folder="",
                date=entry.created_at,
                direction="out",
                sender="",
                subject=entry.subject,
                text=bubble_text(_plain_text(entry.raw)),
                documents=(),
                message_id=entry.message_id,
                statuses=dict(archive.delivery.of(entry.message_id)),
                end_of_exchange=entry.kind == "end_of_exchange",
                pending_state=entry.state.value,
            )
        )
    return out


class ConversationService:
    """Patients and conversations for the window (read-only; Qt-free)."""

    def __init__(self, store: StoreGateway) -> None:
        self._store = store

    async def patients(self) -> list[PatientRow]:
        """Every patient, most recent activity first (patients without messages last)."""

        def work(a: Archive) -> list[PatientRow]:
            rows = [_row(a, p) for p in a.patients.all()]
            rows.sort(key=lambda r: -(r.last_activity or 0))
            return rows

        return await self._store.query(work)

    async def patient(self, ins: str) -> PatientRow:
        """One patient's line.

        Raises:
            NotFoundError: ``patient.not_found``.
        """
        return await self._store.query(lambda a: _row(a, a.patients.get(ins)))

    async def open(self, ins: str, last: int = FIRST_PAGE) -> ConversationPage:
        """A conversation: every message's id in order, the `last` ones in full.

        Raises:
            NotFoundError: ``patient.not_found``.
        """

        def work(a: Archive) -> ConversationPage:
            patient = a.patients.get(ins)
            newest = a.messages.summaries(SearchFilters(patient_ins=ins, limit=-1))
            ordered = sorted(newest, key=lambda m: (m.sent_date or m.internal_date, m.id))
            events = a.patients.events(ins)
            shown = ordered[-last:] if last > 0 else []
            pending = _pending(a, ins)
            items = _items(a, ins, shown, events)
            if pending:
                items = sorted(items + pending, key=lambda i: (i.date, i.pending_state is not None))
            return ConversationPage(
                row=_row(a, patient, newest),
                ids=[m.id for m in ordered] + [p.id for p in pending],
                items=items,
                events=events,
            )

        return await self._store.query(work)

    async def items(self, ins: str, ids: Sequence[int]) -> list[ConversationItem]:
        """Some messages of the conversation in full (the earlier ones, on demand)."""

        def work(a: Archive) -> list[ConversationItem]:
            summaries = a.messages.summaries_of(list(ids))
            return _items(a, ins, summaries, a.patients.events(ins))

        return await self._store.query(work)

    async def thread(self, message_id: int) -> list[ConversationItem]:
        """The conversation a message belongs to (professionals: its thread), oldest first."""

        def work(a: Archive) -> list[ConversationItem]:
            summary = a.messages.summary(message_id)
            found = a.messages.thread(summary.thread_id) if summary.thread_id else [summary]
            own = frozenset(row.config.address.lower() for row in a.accounts.all())
            return _items(a, "", found, [], own)

        return await self._store.query(work)
