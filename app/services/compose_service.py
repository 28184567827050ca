"""Composing by the MSSanté rules: templates, checks, XDM packages, and queueing.

What the user writes (`Outgoing`) is checked (patient INS and name, size, attachment types,
trust-space domains, Apicrypt…), composed (Message-ID, threading, UTF-8, From name,
``X-MSS-NIL``, return box, receipt towards patients) and queued in the encrypted outbox before
anything leaves; `OutboxService.flush` then sends it. The window and the command line share
this path: templates are rendered with the account's identity and the patient's record here,
XDM requests are built here, and `SendOutcome.verdict` says where a message stands.
"""

from __future__ import annotations

import asyncio
import enum
import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from email.utils import parseaddr
from functools import partial
from pathlib import Path
from typing import Any

from app.config.settings import Settings
from app.config.templates import TemplateLibrary, load_templates
from app.documents.pdf import inspect_pdf
from app.documents.sniffing import detect_kind
from app.documents.xdm_reader import package_headers, read_xdm
from app.documents.xdm_writer import XdmBuild, build_xdm, parse_iso_date
from app.domain.addresses import Ins, MailAddress
from app.domain.checks import CheckReport, Issue, check_draft, issues_from_verdicts, warning
from app.domain.compose import (
    Attachment,
    ComposedMessage,
    Draft,
    compose,
    reply_references,
)
from app.domain.documents import (
    LOINC_OID,
    MIME_TYPES,
    CodedValue,
    DocumentAuthor,
    DocumentKind,
    OutgoingDocument,
    PatientIdentity,
    PatientIdKind,
    PersonName,
)
from app.domain.errors import DocumentError, KnownError, ValidationError
from app.domain.events import PatientConversationChanged
from app.domain.outbox import OutboxState
from app.domain.patient import birth_date as checked_birth_date
from app.domain.templates import render, standard_values
from app.services.account_service import Account, AccountService
from app.services.compose_support import inspect_file, pdf_version
from app.services.event_bus import EventBus
from app.services.executors import SerialExecutor
from app.services.outbox_service import OutboxService, entry_error
from app.services.store_gateway import StoreGateway
from app.store.archive import Archive
from app.store.repositories.sending import Patient

log = logging.getLogger(__name__)

#: Warnings that inform without needing the user's confirmation.
INFORMATIVE = frozenset({"trust_list.missing"})

TrustLookup = Callable[[Sequence[str]], Awaitable[dict[str, bool | None]]]


class SendVerdict(enum.Enum):
    """Where a message stands after `send`, as a front end tells the user."""

    SENT = "sent"  # the server accepted it (and it is filed, or will be)
    REFUSED = "refused"  # the server refused it: see the outbox
    UNCERTAIN = "uncertain"  # the server's answer was lost: looked for before sending again
    QUEUED = "queued"  # the server is unreachable: it leaves at the next flush


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
    #: The return box for this message (spec §3, Reply-To): None uses the account's setting,
    #: "" sends none (replies come to the sending box), an address chooses another box.
    reply_to: str | None = None
    #: The archived message this one forwards: threaded like a reply (In-Reply-To,
    #: References), without marking the original as answered.
    forward_of: int | None = None


@dataclass(frozen=True)
class SendOutcome:
    """Where a message stands after `send`."""

    entry_id: int
    message_id: str
    state: OutboxState
    refused: tuple[dict[str, Any], ...] = ()
    dsn_requested: bool = False
    dsn_offered: bool | None = None
    warnings: tuple[Issue, ...] = ()
    offline_reason: str | None = None
    not_filed: str | None = None
    #: Why the message waits or failed, with its parameters (host, limit…): the flush's
    #: error when the server could not be used, else the entry's recorded reason.
    error: KnownError | None = None
    #: The error behind `not_filed` (the server's reason, its host).
    not_filed_error: KnownError | None = None

    @property
    def verdict(self) -> SendVerdict:
        """Sent, refused, uncertain or queued."""
        if self.state in (OutboxState.SUBMITTED, OutboxState.FILED):
            return SendVerdict.SENT
        if self.state == OutboxState.FAILED:
            return SendVerdict.REFUSED
        if self.state == OutboxState.UNCERTAIN:
            return SendVerdict.UNCERTAIN
        return SendVerdict.QUEUED

    @property
    def dsn_unavailable(self) -> bool:
        """Delivery reports were asked for but the server offers none: none will come."""
        return self.dsn_requested and self.dsn_offered is False

    def to_json_dict(self) -> dict[str, Any]:
        """The outcome as JSON (``pli send --json``)."""
        return {
            "outbox_id": self.entry_id,
            "message_id": self.message_id,
            "state": str(self.state),
            "refused": list(self.refused),
            "dsn_requested": self.dsn_requested,
            "dsn_offered": self.dsn_offered,
            "warnings": [w.to_json_dict() for w in self.warnings],
        }


@dataclass(frozen=True)
class RenderedMessage:
    """A template filled in for one message: subject, text and the template's files."""

    subject: str
    text: str
    attachments: tuple[tuple[str, bytes], ...] = ()


def new_patient_for(
    recipients: Iterable[str], family: str | None, given: str | None, birth_date: str | None
) -> dict[str, NewPatient]:
    """The new patient named for a message's recipients (INS → identity), if any is named.

    Raises:
        ValidationError: ``send.patient_identity_ambiguous`` (a name given without exactly one
            patient among the recipients, or half a name), ``patient.bad_birth_date``.
    """
    if not (family or given):
        return {}
    patients = [
        a.patient_ins.value
        for a in map(MailAddress.try_parse, recipients)
        if a is not None and a.patient_ins is not None
    ]
    if len(patients) != 1 or not (family and given):
        raise ValidationError("send.patient_identity_ambiguous")
    return {patients[0]: NewPatient(family, given, birth_date)}


def has_xdm_package(attachments: Iterable[tuple[str, bytes]]) -> bool:
    """An IHE_XDM.zip is attached: its subject can come from its metadata."""
    return any(name.lower() == "ihe_xdm.zip" for name, _data in attachments)


class ComposeService:
    """Composes, checks and queues messages; renders templates; builds XDM packages.

    Publishes `OutboxChanged` (queued) and `OutboxCounts` when a message is queued, and
    `PatientConversationChanged` when it is written to a patient.
    """

    def __init__(
        self,
        store: StoreGateway,
        accounts: AccountService,
        events: EventBus,
        settings: Settings,
        trust: TrustLookup,
        outbox: OutboxService,
        templates_dir: Path | None = None,
    ) -> None:
        self._store = store
        self._accounts = accounts
        self._events = events
        self._settings = settings
        self._trust = trust
        self._outbox = outbox
        self._templates_dir = templates_dir
        self._worker = SerialExecutor("compose")

    def apply_settings(self, settings: Settings) -> None:
        """Use `settings` from the next operation on (the settings screen applied them)."""
        self._settings = settings

    # -- templates and XDM requests ---------------------------------------------------------

    async def templates(self) -> TemplateLibrary:
        """Pli's templates merged with the user's own (blocking disk reads off the loop)."""
        return await asyncio.to_thread(load_templates, self._templates_dir)

    async def render_template(
        self,
        account: Account,
        template_id: str,
        *,
        to: Sequence[str],
        values: Mapping[str, str] | None = None,
        patient: NewPatient | None = None,
        today: date | None = None,
    ) -> RenderedMessage:
        """Fill a template with the account's identity and the patient's record.

        The patient is the one patient among `to`, when there is exactly one: their record
        when Pli knows them, else `patient` (the name the user typed). `values` add to or
        override the standard values.

        Raises:
            NotFoundError: ``template.not_found``, ``template.attachment_missing``.
            ValidationError: ``template.*`` (a value missing…).
        """
        library = await self.templates()
        template = library.get(template_id)
        family = given = ""
        birth: date | None = None
        patients = [
            a.patient_ins.value
            for a in map(MailAddress.try_parse, to)
            if a is not None and a.patient_ins is not None
        ]
        if len(patients) == 1:
            known = await self._store.read(partial(_find_patient, ins=patients[0]))
            if known is not None:
                family, given = known.family_name, known.given_name
                if known.birth_date:
                    birth = date.fromisoformat(known.birth_date)
            elif patient is not None:
                family, given = patient.family, patient.given
        filled = standard_values(
            account.config.identity,
            today or date.today(),
            patient_family=family,
            patient_given=given,
            patient_birth_date=birth,
        )
        filled.update(values or {})
        rendered = render(template, filled)
        files = []
        for name in rendered.attachments:
            path = await asyncio.to_thread(library.attachment_path, template.id, name)
            files.append((path.name, await asyncio.to_thread(path.read_bytes)))
        return RenderedMessage(rendered.subject, rendered.body, tuple(files))

    @staticmethod
    def xdm_request(
        pdf: bytes,
        *,
        patient_ins: str,
        title: str,
        type_code: str,
        type_display: str = "",
        act_date: str | None = None,
        file_number: str | None = None,
        patient: NewPatient | None = None,
    ) -> XdmRequest:
        """A PDF to send as a CDA document (`XdmRequest`) from what a form or options give.

        Raises:
            DocumentError: ``xdm.bad_date``.
        """
        document = OutgoingDocument(
            title=title.strip(),
            type_code=CodedValue(type_code.strip(), LOINC_OID, type_display or ""),
            act_date=parse_iso_date(act_date),
            file_number=file_number or None,
        )
        return XdmRequest(pdf=pdf, patient_ins=patient_ins, document=document, patient=patient)

    # -- composing and queueing -------------------------------------------------------------

    async def send(
        self, account: Account, outgoing: Outgoing, *, flush: bool = True
    ) -> SendOutcome:
        """Check, queue and (when reachable) submit a message.

        Raises:
            ValidationError: ``send.refused`` (nothing queued, the reasons in ``issues``),
                ``send.needs_confirmation`` (warnings not accepted), ``patient.unknown``,
                ``account.retired`` (an archive only sends nothing).
        """
        if account.config.retired:
            raise ValidationError("account.retired", account=account.name)
        draft, report, patient, new_patients = await self._prepare(account, outgoing)
        accepted = (
            [w.key for w in report.warnings]
            if outgoing.accept_warnings
            else [w.key for w in report.warnings if w.code in INFORMATIVE]
        )
        refusal = report.refusal(accepted)
        if refusal is not None:
            raise refusal
        composed = await self.compose(draft)
        entry_id = await self.queue(
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
        return await self.after_queue(account, entry_id, composed, report.warnings, flush)

    async def compose(self, draft: Draft) -> ComposedMessage:
        """The message as it will be submitted (on the composition thread)."""
        return await self._worker.run(compose, draft)

    async def build(self, work: Callable[[], ComposedMessage]) -> ComposedMessage:
        """Run another composition (a read receipt…) on the composition thread."""
        return await self._worker.run(work)

    async def after_queue(
        self,
        account: Account,
        entry_id: int,
        composed: ComposedMessage,
        warnings: Iterable[Issue],
        flush: bool,
    ) -> SendOutcome:
        """Announce a queued message, flush when asked, and say where it stands."""
        self._outbox.changed(account, entry_id, OutboxState.QUEUED, None)
        offline = not_filed = None
        error: KnownError | None = None
        not_filed_error: KnownError | None = None
        if flush:
            report = await self._outbox.flush(account)
            offline, not_filed = report.offline, report.not_filed
            error = report.offline_error
            not_filed_error = report.not_filed_error
        await self._outbox.publish_counts(account)
        entry = await self._outbox.entry(entry_id)
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
            error=error or entry_error(entry),
            not_filed_error=not_filed_error,
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
        for offered_name, offered_data in files:
            # The composer's path: what the window showed is what is checked here.
            file = await self._worker.run(inspect_file, offered_name, offered_data)
            if outgoing.convert_to_pdf and to_patient and file.convertible:
                file = await self._worker.run(pdf_version, file)
            name, data, kind, verdict = file.name, file.data, file.kind, file.verdict(to_patient)
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
        if parent_pk is None:
            parent_pk = outgoing.forward_of  # a forward stays in the thread too
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
            reply_to=(
                config.reply_to if outgoing.reply_to is None else (outgoing.reply_to or None)
            ),
            read_receipt=receipt,
            x_mss_nil=self._settings.sending.x_mss_nil,
            x_mss_codecda=codecda,
            x_mss_ins=x_ins,
        )
        report = await self.report(draft, extra)
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

    async def report(self, draft: Draft, extra: Iterable[Issue] = ()) -> CheckReport:
        """The checks of a composed draft (size, domains, the rules), `extra` issues added."""
        size: int | None
        try:
            size = (await self.compose(draft)).size
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

    async def queue(
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
        """Store a composed message in the outbox (patients created, conversation reopened).

        Publishes `PatientConversationChanged` when written to a patient.
        """
        if account.config.retired:
            raise ValidationError("account.retired", account=account.name)
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

        entry_id = await self._store.write(work)
        if patient is not None:
            self._events.publish(
                PatientConversationChanged(
                    account_id=account.id, account=account.name, patient_ins=patient
                )
            )
        return entry_id

    async def aclose(self) -> None:
        """Stop the composition thread."""
        self._worker.shutdown(wait=False)


def _find_patient(archive: Archive, ins: str) -> Patient | None:
    return archive.patients.find(ins)
