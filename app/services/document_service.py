"""Documents of archived messages: listing, export per patient, text for the full-text index.

The document code (app.documents) is blocking and CPU-bound; it runs on a worker thread of
its own so the event loop (the window) never waits on a PDF.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial
from pathlib import Path
from typing import Any

from app.documents.attachments import (
    AttachmentPayload,
    attachments_with_payloads,
    extract_attachment,
    list_attachments,
)
from app.documents.filing import PatientRef, plan_export, write_export
from app.documents.pdf import ExtractionLimits, extract_text
from app.documents.rtf import rtf_text
from app.documents.xdm_reader import read_xdm_lenient, refusing_problems
from app.domain.addresses import MailAddress
from app.domain.documents import (
    AttachmentInfo,
    DocumentKind,
    ExportedFile,
    PersonName,
    Problem,
    XdmPackage,
)
from app.domain.errors import DocumentError, KnownError, ValidationError
from app.services.executors import SerialExecutor
from app.services.store_gateway import StoreGateway
from app.store.archive import Archive

log = logging.getLogger(__name__)

#: Bounds of the text taken from one PDF for the index (the first pages of a long report say
#: what it is; the whole of a 400-page file would cost seconds per message).
INDEX_LIMITS = ExtractionLimits(max_pages=50, max_chars=100_000, time_budget=2.0)
#: Characters of attachment text kept per message in the index.
MAX_ATTACHMENT_TEXT = 300_000

STATE_TO_INSPECT, STATE_INDEXED, STATE_NOT_INDEXABLE = 0, 1, 2


@dataclass(frozen=True)
class XdmInspection:
    """An ``IHE_XDM.zip`` read for display (issue 12).

    Attributes:
        package: the package as read and checked.
        doubts: what to flag beside the patient's identity (an INS whose key does not check,
            a test identity, an unknown type code…): shown, never a reason to hide.
        refusals: the errors that make the package untrustworthy (a document missing, a hash
            that does not match…); doubts are not among them in lenient mode.
    """

    package: XdmPackage
    doubts: tuple[Problem, ...]
    refusals: tuple[Problem, ...]


@dataclass(frozen=True)
class IndexReport:
    """What a pass of attachment indexing did."""

    messages: int
    documents: int
    remaining: int


class DocumentService:
    """Front ends' access to the documents of archived messages."""

    def __init__(self, store: StoreGateway) -> None:
        self._store = store
        self._worker = SerialExecutor("documents")

    async def _raw(self, message_id: int) -> bytes:
        raw = await self._store.read(lambda a: a.messages.raw(message_id))
        if raw is None:
            raise ValidationError("message.not_archived_yet", id=message_id)
        return raw

    async def attachments(self, message_id: int) -> list[AttachmentInfo]:
        """The attachments of a message, typed from their content and inspected."""
        raw = await self._raw(message_id)
        return await self._worker.run(list_attachments, raw)

    async def export(self, message_id: int, root: Path) -> list[ExportedFile]:
        """File a message's documents under `root`, one folder per patient, never overwriting.

        Every written file is recorded in the audit trail (spec §6).
        """
        raw = await self._raw(message_id)
        summary = await self._store.read(lambda a: a.messages.summary(message_id))
        patient = None
        if summary.patient_ins:
            name = PersonName()
            if (
                summary.sender
                and MailAddress.try_parse(summary.sender.address)
                and (summary.sender.address.split("@")[0].upper() == summary.patient_ins)
            ):
                name = _split_name(summary.sender.name)
            patient = PatientRef(name=name, ins=summary.patient_ins)
        when = datetime.fromtimestamp(summary.sent_date or summary.internal_date).date()
        plan = await self._worker.run(_plan, raw, when, patient)
        try:
            written = await self._worker.run(write_export, plan, root)
        except KnownError as error:
            await self._audit_export(message_id, [], f"error:{error.code}")
            raise
        await self._audit_export(message_id, written, "ok")
        return written

    async def _audit_export(
        self, message_id: int, written: Sequence[ExportedFile], outcome: str
    ) -> None:
        def work(a: Archive) -> None:
            summary = a.messages.summary(message_id)
            account = a.accounts.get(summary.account)
            if not written:
                a.audit.add(
                    account_id=account.id,
                    actor="local",
                    action="document.export",
                    target=str(message_id),
                    outcome=outcome if outcome != "ok" else "ok:nothing",
                )
            for item in written:
                a.audit.add(
                    account_id=account.id,
                    actor="local",
                    action="document.export",
                    target=str(message_id),
                    request=f"part {item.part_id}",
                    outcome=outcome,
                    detail=f"{item.path} ({item.size} bytes, sha256 {item.sha256[:16]}…)",
                )

        await self._store.write(work)

    async def attachment(self, message_id: int, part_id: str) -> AttachmentPayload:
        """One attachment's bytes (the part id `attachments` gave), for preview.

        Raises:
            NotFoundError: ``attachment.not_found``.
            ValidationError: ``message.not_archived_yet``.
        """
        raw = await self._raw(message_id)
        return await self._worker.run(extract_attachment, raw, part_id)

    async def inspect_xdm(self, data: bytes, *, lenient: bool = True) -> XdmInspection:
        """Read a package for display: doubtful ones are returned with their doubts.

        Raises:
            DocumentError: ``zip.*`` for an unsafe zip (nothing of it can be shown).
        """

        def work() -> XdmInspection:
            package, doubts = read_xdm_lenient(data)
            return XdmInspection(package, doubts, refusing_problems(package, lenient=lenient))

        return await self._worker.run(work)

    async def rtf_text(self, data: bytes) -> str:
        """The text of an RTF letter, for display.

        Raises:
            DocumentError: ``rtf.unreadable``, ``rtf.too_large``.
        """
        return await self._worker.run(rtf_text, data)

    async def save_copy(
        self, message_id: int, part_id: str, path: Path, *, purpose: str = "save_as"
    ) -> ExportedFile:
        """Write one attachment, in clear, where the user asked (audited, spec §6).

        `purpose` is ``save_as`` ("Enregistrer sous…", the user chose the path and agreed to
        replace it) or ``open_external`` (a private temporary copy handed to another program).

        Raises:
            DocumentError: ``export.failed``.
        """
        payload = await self.attachment(message_id, part_id)

        def write() -> ExportedFile:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(payload.data)
                if purpose == "open_external":
                    path.chmod(0o600)
            except OSError as error:
                raise DocumentError(
                    "export.failed", reason=error.strerror or type(error).__name__
                ) from None
            return ExportedFile(
                path=str(path),
                size=len(payload.data),
                sha256=hashlib.sha256(payload.data).hexdigest(),
                part_id=part_id,
                renamed=False,
            )

        try:
            written = await self._worker.run(write)
        except KnownError as error:
            await self._audit_copy(message_id, None, purpose, f"error:{error.code}")
            raise
        await self._audit_copy(message_id, written, purpose, "ok")
        return written

    async def _audit_copy(
        self, message_id: int, written: ExportedFile | None, purpose: str, outcome: str
    ) -> None:
        def work(a: Archive) -> None:
            summary = a.messages.summary(message_id)
            account = a.accounts.get(summary.account)
            a.audit.add(
                account_id=account.id,
                actor="local",
                action=f"document.{purpose}",
                target=str(message_id),
                request=f"part {written.part_id}" if written else None,
                outcome=outcome,
                detail=(
                    f"{written.path} ({written.size} bytes, sha256 {written.sha256[:16]}…)"
                    if written
                    else None
                ),
            )

        await self._store.write(work)

    async def index_attachments(self, *, limit: int | None = None) -> IndexReport:
        """Index the text of attachments (PDF text, XDM documents) of archived messages.

        Resumable and idempotent: each message is marked done in the same transaction as its
        text. Returns what was done and how many messages still wait.
        """
        pending = await self._store.read(lambda a: a.messages.attachments_to_index(limit))
        messages = documents = 0
        for message_pk, sort_key in pending:
            raw = await self._store.read(partial(_raw_of, pk=message_pk))
            if raw is None:
                continue
            text, states = await self._worker.run(_index_one, raw)
            documents += sum(1 for s in states.values() if s[0] == STATE_INDEXED)
            await self._store.write(
                partial(_save, pk=message_pk, sort_key=sort_key, text=text, states=states)
            )
            messages += 1
        remaining = await self._store.read(lambda a: len(a.messages.attachments_to_index()))
        log.info(
            "attachments indexed: %d messages, %d documents, %d waiting",
            messages,
            documents,
            remaining,
        )
        return IndexReport(messages=messages, documents=documents, remaining=remaining)

    async def aclose(self) -> None:
        """Stop the worker thread."""
        self._worker.shutdown(wait=False)


def _raw_of(archive: Archive, pk: int) -> bytes | None:
    return archive.messages.raw(pk)


def _save(
    archive: Archive, pk: int, sort_key: int, text: str, states: dict[str, tuple[int, str]]
) -> None:
    archive.messages.save_attachment_index(pk, sort_key, text, states)


def _split_name(display: str) -> PersonName:
    """Mon espace santé writes the patient's first and last name in From (spec §5)."""
    words = display.split()
    family = [w for w in words if w.isupper() and len(w) > 1]
    given = [w for w in words if w not in family]
    return PersonName(family=" ".join(family), given=" ".join(given))


def _plan(raw: bytes, when: date, patient: PatientRef | None) -> Any:
    return plan_export(raw, message_date=when, patient=patient)


def _index_one(raw: bytes) -> tuple[str, dict[str, tuple[int, str]]]:
    """Runs on the documents thread: text of a message's documents, and a state per part."""
    chunks: list[str] = []
    states: dict[str, tuple[int, str]] = {}
    for info, payload in attachments_with_payloads(raw, inspect=True):
        summary: dict[str, Any] = {
            "kind": info.kind.value,
            "accepted": info.verdict.accepted,
            "refusal": info.verdict.code,
        }
        state = STATE_NOT_INDEXABLE
        chunks.append(info.name)
        if info.kind is DocumentKind.PDF and info.pdf is not None:
            summary.update(
                pages=info.pdf.pages,
                encrypted=info.pdf.encrypted,
                active_content=list(info.pdf.active_content),
            )
            extracted = extract_text(payload.data, limits=INDEX_LIMITS)
            summary.update(
                indexed_pages=extracted.next_page or extracted.page_count, stop=extracted.stop
            )
            if extracted.text:
                chunks.append(extracted.text)
                state = STATE_INDEXED
        elif info.xdm is not None:
            for document in info.xdm.documents:
                chunks.append(document.title)
                if document.cda is not None and document.cda.narrative:
                    chunks.append(document.cda.narrative)
                    state = STATE_INDEXED
                if document.pdf is not None:
                    extracted = extract_text(document.pdf, limits=INDEX_LIMITS)
                    if extracted.text:
                        chunks.append(extracted.text)
                        state = STATE_INDEXED
            summary["documents"] = len(info.xdm.documents)
        if info.problem:
            summary["problem"] = info.problem
        states[payload.part_id] = (state, json.dumps(summary))
    return "\n".join(c for c in chunks if c)[:MAX_ATTACHMENT_TEXT], states
