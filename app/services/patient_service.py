"""Patients and their single conversation (spec §1, §4, §5).

Every message to or from a patient, in every folder, belongs to that patient's conversation
(the archive keys it by INS); closing, reopening, late messages and bounces are events of it.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.domain.addresses import Ins
from app.domain.events import PROFILE_WIDE, PatientConversationChanged
from app.domain.message import MessageSummary
from app.domain.patient import birth_date as checked_birth_date
from app.services.event_bus import EventBus
from app.services.store_gateway import StoreGateway
from app.store.archive import Archive
from app.store.repositories.messages import SearchFilters
from app.store.repositories.sending import Patient, PatientEvent


@dataclass(frozen=True)
class PatientSummary:
    """A patient and the state of the conversation."""

    patient: Patient
    messages: int
    last_message: int | None
    closed_at: int | None
    closed_by_account: int | None


@dataclass(frozen=True)
class Conversation:
    """A patient's whole exchange."""

    summary: PatientSummary
    messages: list[MessageSummary]
    events: list[PatientEvent]
    statuses: dict[str, dict[str, tuple[str, str | None]]]  # Message-ID → recipient → status


class PatientService:
    """Patients for the front ends.

    Publishes `PatientConversationChanged` (profile-wide: a patient's record belongs to no
    account) when a record is created or changed.
    """

    def __init__(self, store: StoreGateway, events: EventBus | None = None) -> None:
        self._store = store
        self._events = events

    def _changed(self, ins: str) -> None:
        if self._events is not None:
            self._events.publish(
                PatientConversationChanged(account_id=PROFILE_WIDE, patient_ins=ins)
            )

    async def add(
        self, ins: str, family: str, given: str, birth_date: str | None = None
    ) -> Patient:
        """Create a patient record by hand (the INS is validated, key included)."""
        value = Ins.parse(ins).value
        born = checked_birth_date(birth_date)

        def work(a: Archive) -> Patient:
            patient = a.patients.add(value, family.strip().upper(), given.strip(), born, "manual")
            a.audit.add(account_id=None, actor="local", action="patient.add", target=value)
            return patient

        patient = await self._store.write(work)
        self._changed(value)
        return patient

    async def update(self, ins: str, **fields: object) -> Patient:
        """Change a patient's record (name, first name, birth date, objection)."""
        value = Ins.parse(ins).value
        if "birth_date" in fields:
            fields["birth_date"] = checked_birth_date(fields["birth_date"])  # type: ignore[arg-type]

        def work(a: Archive) -> Patient:
            a.patients.get(value)
            a.patients.update(value, **fields)
            if fields.get("objection"):
                a.patients.add_event(value, "objection", detail="opposition à la messagerie")
            a.audit.add(
                account_id=None,
                actor="local",
                action="patient.update",
                target=value,
                detail=",".join(sorted(fields)),
            )
            return a.patients.get(value)

        patient = await self._store.write(work)
        self._changed(value)
        return patient

    async def list(self) -> list[PatientSummary]:
        """Every patient, by name, with the state of the conversation."""
        return await self._store.query(lambda a: [_summary(a, p) for p in a.patients.all()])

    async def conversation(self, ins: str) -> Conversation:
        """A patient's record, messages (oldest first) and events."""
        value = Ins.parse(ins).value

        def work(a: Archive) -> Conversation:
            patient = a.patients.get(value)
            messages = a.messages.summaries(SearchFilters(patient_ins=value, limit=-1))
            statuses = {}
            depth: dict[int, int] = {}
            for message in messages:
                detail = a.messages.detail(message.id)
                depth[message.id] = len(detail.references) + bool(detail.in_reply_to)
                if detail.message_id:
                    found = a.delivery.of(detail.message_id)
                    if found:
                        statuses[detail.message_id] = found
            # Oldest first; within the same second a reply comes after what it answers.
            messages.sort(key=lambda m: (m.internal_date, depth[m.id], m.id))
            return Conversation(
                summary=_summary(a, patient),
                messages=messages,
                events=a.patients.events(value),
                statuses=statuses,
            )

        return await self._store.query(work)


def _summary(archive: Archive, patient: Patient) -> PatientSummary:
    count, last = archive.messages.patient_counts(patient.ins)
    closed = archive.patients.closed_since(patient.ins)
    return PatientSummary(
        patient=patient,
        messages=count,
        last_message=last,
        closed_at=closed.ts if closed else None,
        closed_by_account=closed.account_id if closed else None,
    )
