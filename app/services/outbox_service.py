"""Writing: composition by the MSSanté rules, checks, the durable outbox, submission, filing.

A message goes: composed and checked → queued (in the encrypted archive, before anything
leaves) → submitting (committed before talking to the server) → submitted (committed as soon
as the server accepted it) → filed (a copy in Sent). Nothing is lost at any point, and nothing
is submitted twice: a message found `submitting` or `uncertain` after a crash or a dropped
connection is first looked for by Message-ID. To make that search conclusive, the sender's own
mailbox is an envelope recipient of every submission (a hidden copy, never in the headers):
its arrival is the server's own evidence that the message was accepted. Pli then files the
copy in Sent by IMAP APPEND (unless the account says the server does it) and removes the
hidden copy from the inbox.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from email.utils import parseaddr
from functools import partial
from typing import Any

from app.config.settings import Settings
from app.documents.conversion import to_patient_pdf
from app.documents.pdf import inspect_pdf
from app.documents.sniffing import check_attachment, detect_kind
from app.documents.xdm_reader import package_headers, read_xdm
from app.documents.xdm_writer import XdmBuild, build_xdm
from app.domain.addresses import Ins, MailAddress
from app.domain.checks import CheckReport, Issue, check_draft, issues_from_verdicts, warning
from app.domain.compose import (
    Attachment,
    ComposedMessage,
    Draft,
    compose,
    end_of_exchange,
    from_display_name,
    reply_references,
)
from app.domain.documents import (
    MIME_TYPES,
    DocumentAuthor,
    DocumentKind,
    OutgoingDocument,
    PatientIdentity,
    PatientIdKind,
    PersonName,
)
from app.domain.errors import (
    AuthError,
    DocumentError,
    KnownError,
    NetworkError,
    NotFoundError,
    ServerError,
    ValidationError,
)
from app.domain.mailbox import FolderRole
from app.domain.message import Flag
from app.domain.patient import birth_date as checked_birth_date
from app.domain.receipts import MessageStatus, build_mdn, mdn_request, needs_confirmation
from app.services.account_service import Account, AccountService
from app.services.event_bus import EventBus
from app.services.executors import SerialExecutor
from app.services.imap_connection import ImapConnection
from app.services.store_gateway import StoreGateway
from app.store.archive import Archive
from app.store.repositories.messages import SearchFilters
from app.store.repositories.sending import OutboxEntry, Patient
from app.transport.imap_session import ImapSession
from app.transport.smtp_submitter import DsnRequest, SmtpSubmitter, SubmissionUncertainError

log = logging.getLogger(__name__)

USER_AGENT = "Pli/0.1"
#: Warnings that inform without needing the user's confirmation.
INFORMATIVE = frozenset({"trust_list.missing"})

TrustLookup = Callable[[Sequence[str]], Awaitable[dict[str, bool | None]]]


@dataclass(frozen=True)
class NewPatient:
    """The identity of a patient written to for the first time (spec §3: INS and name).

    Raises:
        ValidationError: ``patient.bad_birth_date``.
    """

    family: str
    given: str
    birth_date: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "birth_date", checked_birth_date(self.birth_date))


@dataclass(frozen=True)
class XdmRequest:
    """A PDF to send to professionals as a CDA R2 level-1 document in ``IHE_XDM.zip``.

    The message then carries the package and, beside it, the PDF under its standard name;
    its subject is ``XDM/1.0/DDM+<libellé> <NOM> <prénom> <date de naissance>`` and it gets
    the ``X-MSS-CODECDA`` and ``X-MSS-INS`` headers (spec §3).

    Attributes:
        pdf: the PDF.
        patient_ins: whom the document is about (a known patient, or one named in `patient`).
        document: title, LOINC type, act date…
        patient: the patient's name when Pli does not know them yet (the record is created).
    """

    pdf: bytes = field(repr=False)
    patient_ins: str
    document: OutgoingDocument
    patient: NewPatient | None = None


@dataclass(frozen=True)
class Outgoing:
    """What the user asked to send.

    With `xdm`, the subject is left empty: the rules set it.
    """

    to: tuple[str, ...]
    subject: str
    text: str
    cc: tuple[str, ...] = ()
    bcc: tuple[str, ...] = ()
    attachments: tuple[tuple[str, bytes], ...] = ()
    reply_to_message: int | None = None
    read_receipt: bool | None = None  # None: the setting (on towards patients)
    dsn: bool = False
    convert_to_pdf: bool = False
    accept_warnings: bool = False
    new_patients: dict[str, NewPatient] = field(default_factory=dict)
    x_mss_codecda: str | None = None
    x_mss_ins: str | None = None
    xdm: XdmRequest | None = None


@dataclass(frozen=True)
class SendOutcome:
    """Where a message stands after `send`."""

    entry_id: int
    message_id: str
    state: str
    refused: tuple[dict[str, Any], ...] = ()
    dsn_requested: bool = False
    dsn_offered: bool | None = None
    warnings: tuple[Issue, ...] = ()
    offline_reason: str | None = None
    not_filed: str | None = None


@dataclass
class FlushReport:
    """What a flush of the outbox did."""

    submitted: int = 0
    filed: int = 0
    failed: int = 0
    reconciled: int = 0
    unconfirmed: int = 0  # sent or not: still looked for before sending again
    offline: str | None = None  # error code when the server could not be reached
    not_filed: str | None = None  # sent, but the copy in Sent could not be made (code)


class OutboxService:
    """Composes, checks, queues and sends messages; keeps the outbox moving."""

    def __init__(
        self,
        store: StoreGateway,
        accounts: AccountService,
        events: EventBus,
        settings: Settings,
        trust: TrustLookup,
    ) -> None:
        self._store = store
        self._accounts = accounts
        self._events = events
        self._settings = settings
        self._trust = trust
        self._worker = SerialExecutor("compose")
        self._locks: dict[int, asyncio.Lock] = {}

    # -- composing and queueing -------------------------------------------------------------

    async def send(
        self, account: Account, outgoing: Outgoing, *, flush: bool = True
    ) -> SendOutcome:
        """Check, queue and (when reachable) submit a message.

        Raises:
            ValidationError: ``send.refused`` (nothing queued, the reasons in ``issues``),
                ``send.needs_confirmation`` (warnings not accepted), ``patient.unknown``.
        """
        draft, report, patient, new_patients = await self._prepare(account, outgoing)
        accepted = (
            [w.key for w in report.warnings]
            if outgoing.accept_warnings
            else [w.key for w in report.warnings if w.code in INFORMATIVE]
        )
        refusal = report.refusal(accepted)
        if refusal is not None:
            raise refusal
        composed = await self._worker.run(compose, draft)
        entry_id = await self._queue(
            account,
            composed,
            draft,
            kind="end_of_exchange" if draft.x_mss_mes == "FIN" else "message",
            dsn=outgoing.dsn,
            patient=patient,
            reply_to_pk=outgoing.reply_to_message,
            warnings=report.warnings,
            new_patients=new_patients,
        )
        return await self._after_queue(account, entry_id, composed, report.warnings, flush)

    async def _after_queue(
        self,
        account: Account,
        entry_id: int,
        composed: ComposedMessage,
        warnings: Iterable[Issue],
        flush: bool,
    ) -> SendOutcome:
        offline = not_filed = None
        if flush:
            report = await self.flush(account)
            offline, not_filed = report.offline, report.not_filed
        entry = await self._store.read(lambda a: a.outbox.get(entry_id))
        return SendOutcome(
            entry_id=entry_id,
            message_id=composed.message_id,
            state=entry.state,
            refused=entry.refused,
            dsn_requested=entry.dsn is not None,
            dsn_offered=entry.dsn_offered,
            warnings=tuple(warnings),
            offline_reason=offline,
            not_filed=not_filed,
        )

    async def check(self, account: Account, outgoing: Outgoing) -> CheckReport:
        """The checks alone (what the window shows before the user presses Send)."""
        _draft, report, _patient, _new = await self._prepare(account, outgoing)
        return report

    async def _prepare(
        self, account: Account, outgoing: Outgoing
    ) -> tuple[Draft, CheckReport, str | None, dict[str, NewPatient]]:
        """(draft, checks, the patient written to, patients to create on queueing)."""
        config = account.config
        recipients = [MailAddress.try_parse(r) for r in outgoing.to + outgoing.cc + outgoing.bcc]
        patients = [a.patient_ins.value for a in recipients if a and a.patient_ins]
        to_patient = any(a is not None and a.is_patient_domain for a in recipients)
        extra: list[Issue] = []
        await self._require_patients(patients, outgoing.new_patients)
        new_patients = dict(outgoing.new_patients)

        attachments: list[Attachment] = []
        verdicts = []
        codecda, x_ins = outgoing.x_mss_codecda, outgoing.x_mss_ins
        subject = outgoing.subject
        files = list(outgoing.attachments)
        if outgoing.xdm is not None:
            if subject.strip():
                raise ValidationError("xdm.subject_given")
            built, new_patient = await self._build_xdm(account, outgoing.xdm)
            if new_patient is not None:
                new_patients.setdefault(outgoing.xdm.patient_ins, new_patient)
            files[:0] = [(built.zip_name, built.zip_bytes), (built.pdf_name, outgoing.xdm.pdf)]
            subject, codecda, x_ins = built.subject, built.x_mss_codecda, built.x_mss_ins
        for name, data in files:
            kind = detect_kind(data)
            if (
                outgoing.convert_to_pdf
                and to_patient
                and kind in (DocumentKind.TIFF, DocumentKind.RTF)
            ):
                data, name = await self._worker.run(to_patient_pdf, data, name)
                kind = DocumentKind.PDF
            verdict = await self._worker.run(
                check_attachment, data, name, None, to_patient=to_patient
            )
            verdicts.append((name, verdict))
            if kind is DocumentKind.ZIP and verdict.accepted and (codecda is None or x_ins is None):
                try:
                    package = await self._worker.run(read_xdm, data)
                except DocumentError as error:
                    extra.append(warning(error.code, name=name))
                else:
                    found_subject, found_codes, found_ins = package_headers(package)
                    codecda = codecda or found_codes
                    x_ins = x_ins or found_ins
                    subject = subject if subject.strip() else found_subject
            attachments.append(
                Attachment(name, MIME_TYPES.get(kind, "application/octet-stream"), data)
            )
        extra.extend(issues_from_verdicts(verdicts))

        threading_in_reply_to: str | None = None
        references: tuple[str, ...] = ()
        parent_pk = outgoing.reply_to_message
        if parent_pk is not None:
            parent = await self._store.read(lambda a: a.messages.detail(parent_pk))
            if parent.message_id:
                threads = reply_references(parent.message_id, parent.references, parent.in_reply_to)
                threading_in_reply_to, references = threads.in_reply_to, threads.references

        receipt = outgoing.read_receipt
        if receipt is None:
            receipt = bool(patients) and self._settings.sending.read_receipt_to_patients
        draft = Draft(
            sender=config.address,
            identity=config.identity,
            box_type=config.box_type,
            to=outgoing.to,
            cc=outgoing.cc,
            bcc=outgoing.bcc,
            subject=subject,
            text=outgoing.text,
            attachments=tuple(attachments),
            in_reply_to=threading_in_reply_to,
            references=tuple(references),
            reply_to=config.reply_to,
            read_receipt=receipt,
            x_mss_nil=self._settings.sending.x_mss_nil,
            x_mss_codecda=codecda,
            x_mss_ins=x_ins,
        )
        report = await self._report(draft, extra)
        return draft, report, patients[0] if patients else None, new_patients

    async def _build_xdm(
        self, account: Account, request: XdmRequest
    ) -> tuple[XdmBuild, NewPatient | None]:
        """Package the PDF for `request`'s patient; the author is the account's identity.

        Returns the package and, when the patient is new, the record to create.

        Raises:
            ValidationError: ``patient.unknown`` (an unknown patient without a name).
            DocumentError: ``xdm.not_pdf``, ``pdf.*`` (encrypted, broken…).
        """
        ins = Ins.parse(request.patient_ins)
        known = await self._store.read(partial(_find_patient, ins=ins.value))
        new: NewPatient | None = None
        if known is not None:
            family, given, born = known.family_name, known.given_name, known.birth_date
        elif request.patient is not None:
            new = request.patient
            family, given, born = new.family, new.given, new.birth_date
        else:
            raise ValidationError("patient.unknown", ins=ins.value)
        if detect_kind(request.pdf) is not DocumentKind.PDF:
            raise DocumentError("xdm.not_pdf")
        info = await self._worker.run(inspect_pdf, request.pdf)
        if info.problem is not None:
            raise DocumentError(info.problem)
        identity = account.config.identity
        patient = PatientIdentity(
            ins=ins,
            family=family,
            given=given,
            birth_date=date.fromisoformat(born) if born else None,
            id_kind=PatientIdKind.INS_NIA if ins.value[0] in "78" else PatientIdKind.INS_NIR,
        )
        oidc = account.config.oidc
        author = DocumentAuthor(
            person_id=f"8{oidc.rpps}" if oidc is not None and oidc.rpps else "",
            name=PersonName(identity.family_name, identity.given_name),
            institution=identity.entity,
        )
        built = await self._worker.run(
            build_xdm, request.pdf, patient=patient, document=request.document, author=author
        )
        return built, new

    async def _report(self, draft: Draft, extra: Iterable[Issue]) -> CheckReport:
        size: int | None
        try:
            size = (await self._worker.run(compose, draft)).size
        except ValidationError:
            size = None  # the address issues are in the report
        domains = sorted({a.domain for a in draft.recipient_addresses()})
        trusted = await self._trust(domains)
        sending = self._settings.sending
        return check_draft(
            draft,
            size=size,
            is_trusted_domain=lambda domain: trusted.get(domain),
            operator_limit=sending.operator_limit_bytes,
            patient_limit=sending.patient_limit_bytes,
            extra=extra,
        )

    async def _require_patients(self, patients: list[str], new: dict[str, NewPatient]) -> None:
        for ins in patients:
            known = await self._store.read(partial(_find_patient, ins=ins))
            if known is None and ins not in new:
                raise ValidationError("patient.unknown", ins=ins)

    async def _queue(
        self,
        account: Account,
        composed: ComposedMessage,
        draft: Draft,
        *,
        kind: str,
        dsn: bool,
        patient: str | None,
        reply_to_pk: int | None,
        warnings: Iterable[Issue],
        new_patients: dict[str, NewPatient],
    ) -> int:
        recipients = list(composed.envelope_recipients)
        people = [parseaddr(r) for r in draft.all_recipients]

        def work(a: Archive) -> int:
            for ins, identity in new_patients.items():
                if a.patients.find(ins) is None:
                    a.patients.add(
                        ins, identity.family.upper(), identity.given, identity.birth_date, "manual"
                    )
            entry_id = a.outbox.add(
                account_id=account.id,
                message_id=composed.message_id,
                kind=kind,
                raw=composed.raw,
                envelope_from=composed.envelope_from,
                recipients=tuple(recipients),
                dsn={
                    "notify": ["SUCCESS", "FAILURE"],
                    "ret": "HDRS",
                    "envid": composed.message_id.strip("<>")[:90],
                }
                if dsn
                else None,
                subject=draft.subject,
                patient_ins=patient,
                reply_to_pk=reply_to_pk,
                issues=[w.to_json_dict() for w in warnings],
            )
            a.contacts.used([(addr, name) for name, addr in people if addr])
            if patient is not None and kind != "end_of_exchange":
                closed = a.patients.closed_since(patient)
                if closed is not None:
                    # Writing again reopens the conversation (spec §4).
                    a.patients.add_event(
                        patient, "reopened", account_id=account.id, message_ref=composed.message_id
                    )
            a.audit.add(
                account_id=account.id,
                actor=account.address,
                action="send.queue",
                target=composed.message_id,
                detail=f"{kind}, {len(recipients)} recipient(s), {composed.size} bytes",
            )
            return entry_id

        return await self._store.write(work)

    # -- drafts -----------------------------------------------------------------------------

    async def save_draft(
        self, account: Account, outgoing: Outgoing, draft_id: int | None = None
    ) -> int:
        """Keep what is being written (encrypted, local; called as the user types)."""
        content = _draft_json(outgoing)
        return await self._store.write(lambda a: a.drafts.save(account.id, content, draft_id))

    async def drafts(self) -> list[tuple[int, str, Outgoing, int]]:
        """(id, account name, draft, updated_at), newest first."""

        def work(a: Archive) -> list[tuple[int, str, Outgoing, int]]:
            names = {row.id: row.config.name for row in a.accounts.all()}
            return [
                (draft_id, names.get(account_id, "?"), _draft_from_json(content), updated)
                for draft_id, account_id, content, updated in a.drafts.all()
            ]

        return await self._store.read(work)

    async def draft(self, draft_id: int) -> tuple[str, Outgoing]:
        """(account name, draft)."""

        def work(a: Archive) -> tuple[str, Outgoing]:
            account_id, content, _updated = a.drafts.get(draft_id)
            return a.accounts.by_id(account_id).config.name, _draft_from_json(content)

        return await self._store.read(work)

    async def delete_draft(self, draft_id: int) -> None:
        """Forget a draft."""
        await self._store.write(lambda a: a.drafts.delete(draft_id))

    # -- end of exchange and receipts --------------------------------------------------------

    async def end_exchange(
        self, account: Account, ins: str, *, text: str | None = None, flush: bool = True
    ) -> SendOutcome:
        """Close the conversation with a patient: subject ``[FIN]`` and ``X-MSS-MES: FIN``."""
        patient = await self._store.read(lambda a: a.patients.get(ins))
        last = await self._store.read(
            lambda a: [
                m for m in a.messages.summaries(_patient_filter(ins)) if m.account == account.name
            ]
        )
        threading = None
        if last:
            detail = await self._store.read(lambda a: a.messages.detail(last[0].id))
            if detail.message_id:
                threading = reply_references(
                    detail.message_id, detail.references, detail.in_reply_to
                )
        kwargs: dict[str, Any] = {}
        if text:
            kwargs["text"] = text
        draft = end_of_exchange(
            sender=account.address,
            identity=account.config.identity,
            box_type=account.config.box_type,
            patient=f"{patient.given_name} {patient.family_name} <{ins}@patient.mssante.fr>"
            if patient.family_name
            else f"{ins}@patient.mssante.fr",
            x_mss_nil=self._settings.sending.x_mss_nil,
            threading=threading,
            reply_to=account.config.reply_to,
            **kwargs,
        )
        report = await self._report(draft, ())
        refusal = report.refusal([w.key for w in report.warnings])
        if refusal is not None:
            raise refusal
        composed = await self._worker.run(compose, draft)
        entry_id = await self._queue(
            account,
            composed,
            draft,
            kind="end_of_exchange",
            dsn=False,
            patient=ins,
            reply_to_pk=None,
            warnings=(),
            new_patients={},
        )
        return await self._after_queue(account, entry_id, composed, (), flush)

    async def receipt_requests(self) -> list[dict[str, Any]]:
        """Archived messages asking for a read receipt not sent yet."""

        def work(a: Archive) -> list[dict[str, Any]]:
            out = []
            for pk, account_name, headers, keywords, flags in a.messages.receipt_candidates():
                dnt = headers.get("disposition-notification-to")
                address = mdn_request(headers)
                if address is None or "$MDNSent" in keywords.split():
                    continue
                out.append(
                    {
                        "id": pk,
                        "account": account_name,
                        "to": str(address),
                        "needs_confirmation": needs_confirmation(dnt, headers.get("return-path")),
                        "read": bool(flags & Flag.SEEN),
                    }
                )
            return out

        return await self._store.read(work)

    async def send_receipt(
        self, message_pk: int, *, confirmed: bool, flush: bool = True
    ) -> SendOutcome:
        """Return a read receipt for an archived message (RFC 8098, ECO.3.1.6).

        Raises:
            ValidationError: ``mdn.not_requested``, ``mdn.already_sent``,
                ``mdn.needs_confirmation`` (the receipt would go elsewhere than the sender).
        """
        raw = await self._store.read(lambda a: a.messages.raw(message_pk))
        summary = await self._store.read(lambda a: a.messages.summary(message_pk))
        if raw is None:
            raise ValidationError("message.not_archived_yet", id=message_pk)
        if "$MDNSent" in summary.keywords:
            raise ValidationError("mdn.already_sent", id=message_pk)
        headers = await self._store.read(lambda a: a.messages.headers(message_pk))
        if headers.get("disposition-notification-to") is None:
            raise ValidationError("mdn.not_requested")
        if not confirmed and needs_confirmation(
            headers.get("disposition-notification-to"), headers.get("return-path")
        ):
            raise ValidationError("mdn.needs_confirmation", id=message_pk)
        account = await self._accounts.get(summary.account)
        composed = await self._worker.run(
            lambda: build_mdn(
                raw,
                sender=account.address,
                user_agent=USER_AGENT,
                x_mss_nil=self._settings.sending.x_mss_nil,
                display_name=from_display_name(account.config.identity, account.config.box_type),
            )
        )

        def work(a: Archive) -> int:
            entry_id = a.outbox.add(
                account_id=account.id,
                message_id=composed.message_id,
                kind="receipt",
                raw=composed.raw,
                envelope_from=composed.envelope_from,
                recipients=composed.envelope_recipients,
                dsn=None,
                subject="",
                patient_ins=summary.patient_ins,
                reply_to_pk=message_pk,
                issues=[],
            )
            # $MDNSent (RFC 3503): never a second receipt, from Pli or another client.
            a.messages.add_keyword(message_pk, "$MDNSent")
            position = a.messages.position(message_pk)
            if position is not None:
                a.pending.add(account.id, "keyword", {"pks": [message_pk], "keyword": "$MDNSent"})
            a.audit.add(
                account_id=account.id,
                actor=account.address,
                action="receipt.queue",
                target=str(message_pk),
            )
            return entry_id

        entry_id = await self._store.write(work)
        return await self._after_queue(account, entry_id, composed, (), flush)

    # -- the outbox -------------------------------------------------------------------------

    async def entries(self, account: Account | None = None) -> list[OutboxEntry]:
        """Recent outbox entries, newest first."""
        return await self._store.read(
            lambda a: a.outbox.all(account_id=account.id if account else None)
        )

    async def statuses(self, message_id: str) -> dict[str, tuple[str, str | None]]:
        """Recipient → (status, detail) of a sent message."""
        return await self._store.read(lambda a: a.delivery.of(message_id))

    async def flush(self, account: Account) -> FlushReport:
        """Move every pending entry of the account as far as it can go, in order.

        Never raises for the server being unreachable: `FlushReport.offline` says it, and the
        entries wait, queued, for the next flush.
        """
        lock = self._locks.setdefault(account.id, asyncio.Lock())
        async with lock:
            report = FlushReport()
            entries = await self._store.read(lambda a: a.outbox.pending(account.id))
            if not entries:
                return report
            run = _FlushRun(self, account, report)
            try:
                for entry in entries:
                    await run.advance(entry)
            except (NetworkError, AuthError) as error:
                report.offline = error.code
                log.info("outbox waits: %s", error.code)
            finally:
                await run.close()
            log.info(
                "outbox of account %d: %d submitted, %d filed, %d failed, %d reconciled, "
                "%d unconfirmed",
                account.id,
                report.submitted,
                report.filed,
                report.failed,
                report.reconciled,
                report.unconfirmed,
            )
            return report

    async def aclose(self) -> None:
        """Stop the composition thread."""
        self._worker.shutdown(wait=False)


class _FlushRun:
    """One flush: a submission session and an IMAP session opened when first needed."""

    def __init__(self, service: OutboxService, account: Account, report: FlushReport) -> None:
        self._service = service
        self._store = service._store
        self._accounts = service._accounts
        self._account = account
        self._report = report
        self._smtp_executor = SerialExecutor(f"smtp-{account.id}")
        self._submitter: SmtpSubmitter | None = None
        self._imap = ImapConnection(service._accounts, account, "outbox")

    async def advance(self, entry: OutboxEntry) -> None:
        state = entry.state
        if state in ("submitting", "uncertain"):
            state = await self._reconcile(entry)
        if state == "queued":
            state = await self._submit(entry)
        if state == "submitted":
            await self._file(entry)

    async def _set(
        self, entry: OutboxEntry, state: str, audit: dict[str, Any] | None = None, **fields: Any
    ) -> None:
        account = self._account

        def work(a: Archive) -> None:
            a.outbox.set_state(entry.id, state, **fields)
            if audit is not None:
                a.audit.add(
                    account_id=account.id, actor=account.address, target=entry.message_id, **audit
                )

        await self._store.write(work)

    async def _reconcile(self, entry: OutboxEntry) -> str:
        """A submission that may or may not have happened: look for the message first.

        Found (our own copy in the inbox, or the server's in Sent): it was sent. Not found: the
        copy may still be on its way, so the entry waits, uncertain, for the grace period
        after the attempt before being sent again.
        """
        found = await self._find(entry, ("INBOX", await self._sent_folder()))
        if found:
            await self._set(
                entry,
                "submitted",
                submitted_at=int(time.time()),
                audit={
                    "action": "send.reconcile",
                    "request": "UID SEARCH HEADER Message-ID",
                    "detail": "found on the server: not sent again",
                },
            )
            self._report.reconciled += 1
            return "submitted"
        grace = self._service._settings.sending.uncertain_grace_seconds
        if time.time() - entry.updated_at < grace:
            await self._store.write(lambda a: a.outbox.mark_uncertain(entry.id))
            self._report.unconfirmed += 1
            return "uncertain"
        await self._set(
            entry,
            "queued",
            audit={
                "action": "send.reconcile",
                "request": "UID SEARCH HEADER Message-ID",
                "detail": "not found on the server: to be sent",
            },
        )
        return "queued"

    async def _find(self, entry: OutboxEntry, folders: Sequence[str]) -> bool:
        message_id = entry.message_id

        def search(session: ImapSession) -> bool:
            for folder in folders:
                try:
                    session.select(folder, readonly=True)
                except NotFoundError:
                    continue
                if session.search_header("Message-ID", message_id):
                    return True
            return False

        return await self._imap.call(search)

    async def _submit(self, entry: OutboxEntry) -> str:
        account = self._account
        if self._submitter is None:
            self._submitter = await self._accounts.smtp_submitter(account, self._smtp_executor)
        submitter = self._submitter
        envelope = list(entry.recipients)
        own = MailAddress.parse(account.address).key
        hidden_copy = not account.config.server_files_sent and own not in {
            r.lower() for r in envelope
        }
        if hidden_copy:
            envelope.append(account.address)
        dsn = None
        if entry.dsn is not None:
            dsn = DsnRequest(tuple(entry.dsn["notify"]), entry.dsn["ret"], entry.dsn["envid"])
        await self._set(entry, "submitting")
        try:
            result = await self._smtp_executor.run(
                submitter.submit, entry.envelope_from, envelope, entry.raw, dsn=dsn
            )
        except SubmissionUncertainError as uncertain:
            self._submitter = None
            code = uncertain.code
            await self._store.write(lambda a: a.outbox.mark_uncertain(entry.id, code))
            refreshed = await self._store.read(lambda a: a.outbox.get(entry.id))
            return await self._reconcile(refreshed)
        except (NetworkError, AuthError) as error:
            self._submitter = None
            await self._set(entry, "queued", last_error=error.code)
            raise
        except ServerError as error:
            if error.code == "server.temporary_failure":
                await self._set(entry, "queued", last_error=error.code)
                raise NetworkError("network.server_busy") from error
            return await self._fail(entry, error)
        except KnownError as error:
            return await self._fail(entry, error)
        refused: list[dict[str, Any]] = [
            {"address": r.address, "code": r.code, "text": r.text}
            for r in result.refused
            if r.address.lower() != own or not hidden_copy
        ]
        accepted = [r for r in result.accepted if r.lower() != own or not hidden_copy]
        now = int(time.time())

        def work(a: Archive) -> None:
            a.outbox.set_state(
                entry.id,
                "submitted",
                refused=refused,
                dsn_offered=int(result.dsn_offered),
                server_reply=result.reply[:300],
                submitted_at=now,
            )
            for recipient in accepted:
                a.delivery.report(entry.message_id, recipient, MessageStatus.SUBMITTED)
            for refusal in refused:
                a.delivery.report(
                    entry.message_id,
                    str(refusal["address"]),
                    MessageStatus.FAILED,
                    detail=f"{refusal['code']} {refusal['text']}"[:300],
                )
            if entry.kind == "end_of_exchange" and entry.patient_ins:
                a.patients.add_event(
                    entry.patient_ins,
                    "closed",
                    account_id=account.id,
                    message_ref=entry.message_id,
                    ts=now,
                )
            if entry.reply_to_pk is not None and entry.kind == "message":
                try:
                    a.messages.set_flags(entry.reply_to_pk, Flag.ANSWERED, Flag.NONE)
                    a.pending.add(
                        account.id,
                        "flags",
                        {
                            "pks": [entry.reply_to_pk],
                            "add": int(Flag.ANSWERED),
                            "remove": 0,
                            "previous": {},
                        },
                    )
                except NotFoundError:
                    pass
            a.audit.add(
                account_id=account.id,
                actor=account.address,
                action="send.submit",
                target=entry.message_id,
                request=f"MAIL FROM, RCPT TO x{len(envelope)}, DATA"
                + (" (DSN NOTIFY=SUCCESS,FAILURE)" if result.dsn_requested else ""),
                outcome="ok" if not refused else f"ok:{len(refused)} refused",
                detail=result.reply[:200],
            )

        await self._store.write(work)
        self._report.submitted += 1
        return "submitted"

    async def _fail(self, entry: OutboxEntry, error: KnownError) -> str:
        await self._set(
            entry,
            "failed",
            last_error=error.code,
            audit={"action": "send.submit", "outcome": f"error:{error.code}"},
        )
        self._report.failed += 1
        return "failed"

    async def _sent_folder(self) -> str:
        account = self._account
        row = await self._store.read(lambda a: a.folders.by_role(account.id, FolderRole.SENT))
        if row is not None and row.on_server:
            return row.name

        def discover(session: ImapSession) -> str:
            for info in session.list_folders():
                if info.role is FolderRole.SENT:
                    return info.name
            session.create_folder("Sent")
            return "Sent"

        return await self._imap.call(discover)

    async def _file(self, entry: OutboxEntry) -> None:
        account = self._account
        sent = await self._sent_folder()
        appended = False
        if not account.config.server_files_sent and not await self._find(entry, (sent,)):
            when = datetime.fromtimestamp(entry.submitted_at or time.time(), tz=UTC)
            try:
                await self._imap.call(lambda s: s.append(sent, entry.raw, Flag.SEEN, when))
            except ServerError as error:
                # Sent all the same; the copy waits (e.g. the mailbox is full, spec §5) and is
                # tried again at the next flush. The message itself stays in the outbox.
                code = error.code
                self._report.not_filed = code
                await self._store.write(lambda a: a.outbox.note_error(entry.id, code))
                return
            appended = True
        await self._remove_hidden_copy(entry)
        await self._set(
            entry,
            "filed",
            filed_at=int(time.time()),
            audit={
                "action": "send.file",
                "request": f"APPEND {sent}" if appended else "filed by the server",
            },
        )
        self._report.filed += 1

    async def _remove_hidden_copy(self, entry: OutboxEntry) -> None:
        """The hidden copy to our own mailbox did its job: take it out of the inbox."""
        account = self._account
        if account.config.server_files_sent:
            return
        own = MailAddress.parse(account.address).key
        visible = _visible_recipients(entry.raw)
        if own in visible:
            return  # the user wrote to themselves: that copy is wanted
        message_id = entry.message_id

        def expunge(session: ImapSession) -> list[int]:
            session.select("INBOX", readonly=False)
            uids = session.search_header("Message-ID", message_id)
            if uids:
                session.expunge(uids)
            return uids

        await self._imap.call(expunge)

        def forget(a: Archive) -> None:
            inbox = a.folders.find(account.id, "INBOX")
            for summary in a.messages.find_by_message_id(account.id, message_id):
                if inbox is not None and summary.folder == inbox.name:
                    a.messages.delete_local(summary.id)

        await self._store.write(forget)

    async def close(self) -> None:
        if self._submitter is not None:
            await self._smtp_executor.run(self._submitter.close)
        self._smtp_executor.shutdown(wait=False)
        await self._imap.close()


def _visible_recipients(raw: bytes) -> set[str]:
    from email.parser import BytesHeaderParser
    from email.utils import getaddresses

    head = BytesHeaderParser().parsebytes(raw)
    found = getaddresses(head.get_all("To", []) + head.get_all("Cc", []))
    return {address.lower() for _, address in found if address}


def _draft_json(outgoing: Outgoing) -> dict[str, Any]:
    import base64

    return {
        "to": list(outgoing.to),
        "cc": list(outgoing.cc),
        "bcc": list(outgoing.bcc),
        "subject": outgoing.subject,
        "text": outgoing.text,
        "attachments": [
            [name, base64.b64encode(data).decode("ascii")] for name, data in outgoing.attachments
        ],
        "reply_to_message": outgoing.reply_to_message,
        "read_receipt": outgoing.read_receipt,
        "dsn": outgoing.dsn,
    }


def _draft_from_json(content: dict[str, Any]) -> Outgoing:
    import base64

    return Outgoing(
        to=tuple(content.get("to", ())),
        cc=tuple(content.get("cc", ())),
        bcc=tuple(content.get("bcc", ())),
        subject=str(content.get("subject", "")),
        text=str(content.get("text", "")),
        attachments=tuple(
            (str(name), base64.b64decode(data)) for name, data in content.get("attachments", ())
        ),
        reply_to_message=content.get("reply_to_message"),
        read_receipt=content.get("read_receipt"),
        dsn=bool(content.get("dsn", False)),
    )


def _find_patient(archive: Archive, ins: str) -> Patient | None:
    return archive.patients.find(ins)


def _patient_filter(ins: str) -> SearchFilters:
    return SearchFilters(patient_ins=ins, limit=1)
