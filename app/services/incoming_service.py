"""What incoming messages mean beyond being archived.

After each sync, newly archived messages are examined once:
- a patient's message creates or completes the patient's record (name and first name from
  the ``From`` of Mon espace santé, spec §5) and, arriving after the conversation was closed,
  is flagged (spec §4);
- an end of exchange sent from another client (``X-MSS-MES: FIN``/``[FIN]`` in Sent) closes
  the conversation here too;
- read receipts (MDN), delivery reports (DSN) and Mon espace santé's bounces update the status
  of the message they are about (submitted → delivered → read, or failed), the bounces with a
  plain French explanation on the patient's conversation.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import partial

from app.domain.addresses import MailAddress
from app.domain.compose import is_end_of_exchange
from app.domain.receipts import (
    MessageStatus,
    classify_patient_bounce,
    parse_dsn,
    parse_mdn,
)
from app.services.event_bus import EventBus
from app.services.executors import SerialExecutor
from app.services.outbox_service import publish_examined
from app.services.store_gateway import StoreGateway
from app.store.archive import Archive
from app.store.repositories.messages import ExamineRow

log = logging.getLogger(__name__)

REPORT_TYPES = ("message/delivery-status", "message/disposition-notification")


@dataclass
class ExamineReport:
    """What an examination pass found."""

    examined: int = 0
    patients: int = 0
    receipts: int = 0
    delivery_reports: int = 0
    bounces: int = 0
    late_messages: int = 0
    #: (original Message-ID, new status) of every recipient status a report changed.
    status_changes: list[tuple[str, str]] = field(default_factory=list)
    #: (account id, INS) of every patient conversation that changed.
    conversations: list[tuple[int, str]] = field(default_factory=list)


@dataclass(frozen=True)
class _Finding:
    pk: int
    statuses: tuple[tuple[str, str, MessageStatus, str | None], ...]  # orig id, rcpt, status
    bounce: tuple[str, str | None, str, str] | None  # ins, orig id, code, explanation
    receipt: bool
    dsn: bool


class IncomingService:
    """Examines newly archived messages."""

    def __init__(self, store: StoreGateway, events: EventBus | None = None) -> None:
        self._store = store
        self._events = events
        self._worker = SerialExecutor("incoming")

    async def examine(self) -> ExamineReport:
        """Examine every archived message not examined yet (idempotent, resumable)."""
        report = ExamineReport()
        while True:
            rows = await self._store.read(lambda a: a.messages.to_examine(200))
            if not rows:
                return report
            findings = []
            for row in rows:
                if _looks_like_report(row):
                    raw = await self._store.read(partial(_raw, pk=row.pk))
                    if raw is not None:
                        findings.append(await self._worker.run(_read_report, row, raw))
            before = len(report.status_changes), len(report.conversations)
            await self._store.write(partial(_apply, rows=rows, findings=findings, report=report))
            if self._events is not None:
                await publish_examined(
                    self._store,
                    self._events,
                    report.status_changes[before[0] :],
                    report.conversations[before[1] :],
                )

    async def aclose(self) -> None:
        """Stop the worker thread."""
        self._worker.shutdown(wait=False)


def _raw(archive: Archive, pk: int) -> bytes | None:
    return archive.messages.raw(pk)


def _looks_like_report(row: ExamineRow) -> bool:
    if any(t in REPORT_TYPES for t in row.content_types):
        return True
    subject = row.subject.lower()
    return row.sender is not None and (
        row.sender.startswith(("mailer-daemon@", "postmaster@"))
        or "non distribu" in subject
        or "undeliver" in subject
    )


def _read_report(row: ExamineRow, raw: bytes) -> _Finding:
    """Runs on the worker thread: parse a report (never raises on hostile input)."""
    statuses: list[tuple[str, str, MessageStatus, str | None]] = []
    bounce = None
    receipt = dsn = False
    mdn = parse_mdn(raw)
    if mdn is not None and mdn.original_message_id and mdn.status is not None:
        reader = mdn.final_recipient or (mdn.sender or "")
        statuses.append((mdn.original_message_id, reader, mdn.status, mdn.error or None))
        receipt = True
    report = parse_dsn(raw) if mdn is None else None
    if report is not None and report.original_message_id:
        dsn = True
        for recipient in report.recipients:
            status = recipient.message_status
            if status is not None:
                statuses.append(
                    (
                        report.original_message_id,
                        recipient.original_recipient or recipient.final_recipient,
                        status,
                        recipient.diagnostic or None,
                    )
                )
    patient_bounce = classify_patient_bounce(raw) if mdn is None else None
    if patient_bounce is not None and patient_bounce.ins is not None:
        bounce = (
            patient_bounce.ins.value,
            patient_bounce.original_message_id,
            patient_bounce.code,
            patient_bounce.explanation,
        )
        if patient_bounce.original_message_id and patient_bounce.patient is not None:
            statuses.append(
                (
                    patient_bounce.original_message_id,
                    str(patient_bounce.patient),
                    MessageStatus.FAILED,
                    patient_bounce.explanation,
                )
            )
    return _Finding(row.pk, tuple(statuses), bounce, receipt, dsn)


def _apply(
    archive: Archive, rows: list[ExamineRow], findings: list[_Finding], report: ExamineReport
) -> None:
    by_pk = {f.pk: f for f in findings}
    for row in rows:
        report.examined += 1
        own = row.account_address.lower()
        finding = by_pk.get(row.pk)
        if finding is not None:
            for original, about, status, detail in finding.statuses:
                if about.lower() == own:
                    continue  # the report about our own hidden copy
                previous = archive.delivery.status(original, about)
                merged = archive.delivery.report(
                    original, about, status, detail=detail, report_ref=row.message_id
                )
                if merged != previous:
                    report.status_changes.append((original, merged.value))
            report.receipts += int(finding.receipt)
            report.delivery_reports += int(finding.dsn)
            if finding.bounce is not None:
                ins, bounced_id, code, explanation = finding.bounce
                archive.patients.add_event(
                    ins,
                    "bounce",
                    account_id=row.account_id,
                    message_ref=bounced_id or row.message_id,
                    detail=f"{code}: {explanation}",
                    ts=row.internal_date,
                )
                report.bounces += 1
                report.conversations.append((row.account_id, ins))
            continue
        if row.patient_ins is None:
            continue
        sender = MailAddress.try_parse(row.sender or "")
        from_patient = (
            sender is not None
            and sender.patient_ins is not None
            and (sender.patient_ins.value == row.patient_ins)
        )
        if from_patient:
            family, given = _names(row.sender_name)
            archive.patients.learn_from_mail(row.patient_ins, family, given)
            report.patients += 1
            report.conversations.append((row.account_id, row.patient_ins))
            closed = archive.patients.closed_since(row.patient_ins)
            if closed is not None and row.internal_date >= closed.ts:
                archive.patients.add_event(
                    row.patient_ins,
                    "late_message",
                    account_id=row.account_id,
                    message_ref=row.message_id,
                    detail="message du patient reçu après la fin de l'échange",
                    ts=row.internal_date,
                )
                report.late_messages += 1
        elif (
            sender is not None
            and sender.key == own
            and is_end_of_exchange(row.subject, row.headers)
        ):
            # Closed from another client (webmail): the conversation is closed here too.
            archive.patients.add_event(
                row.patient_ins,
                "closed",
                account_id=row.account_id,
                message_ref=row.message_id,
                ts=row.internal_date,
            )
            report.conversations.append((row.account_id, row.patient_ins))
    archive.messages.mark_examined(row.pk for row in rows)


def _names(display: str) -> tuple[str, str]:
    """NOM and prénom from a display name (Mon espace santé writes both, spec §5)."""
    words = display.replace('"', " ").split()
    family = [w for w in words if w.isupper() and any(c.isalpha() for c in w)]
    given = [w for w in words if w not in family]
    if not family and len(words) >= 2:
        family, given = words[-1:], words[:-1]
    return " ".join(family).upper(), " ".join(given)
