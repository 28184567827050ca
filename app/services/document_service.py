"""Documents of archived messages: listing, export per patient, text for the full-text index.

The document code (app.documents) is blocking and CPU-bound; it runs on a worker thread of
its own so the event loop (the window) never waits on a PDF. The text of attachments for the
index is extracted in worker processes (`app.services.index_workers`), out of the GIL of the
process that syncs or draws the window, while the bodies arrive (`index_soon`).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.documents.attachments import AttachmentPayload, extract_attachment, list_attachments
from app.documents.filing import PatientRef, plan_export, write_export
from app.documents.indexing import (
    STATE_INDEXED,
    PartJob,
    PartResult,
    attachment_jobs,
    index_part,
    message_text,
)
from app.documents.rtf import rtf_text
from app.documents.xdm_reader import read_xdm_lenient, refusing_problems
from app.domain.addresses import MailAddress
from app.domain.documents import (
    AttachmentInfo,
    ExportedFile,
    PersonName,
    Problem,
    XdmPackage,
)
from app.domain.errors import DocumentError, KnownError, ValidationError
from app.services.executors import SerialExecutor
from app.services.store_gateway import StoreGateway
from app.store.archive import Archive

if TYPE_CHECKING:  # the worker processes (multiprocessing) are imported on first use
    from app.services.index_workers import IndexWorkers

log = logging.getLogger(__name__)

#: Messages read, split and saved together by the indexing (one read, one write transaction).
INDEX_CHUNK = 16
#: Messages waiting before every worker process is used (a worker costs about half a second
#: of CPU to start, a PDF 3 to 5 ms): below, the few documents of a routine sync go to one
#: worker only (never to this process: a hostile PDF needs the worker's budgets).
POOL_FROM = 24
#: Idle worker processes are stopped after this long (they start again when needed).
IDLE_SECONDS = 120.0


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

    def __init__(
        self,
        store: StoreGateway,
        *,
        index_processes: int | None = None,
        index_workers: IndexWorkers | None = None,
    ) -> None:
        """Documents of the archive behind `store`.

        Args:
            store: the archive.
            index_processes: worker processes of the indexing (default: the pool's, 2).
            index_workers: a pool of one's own instead (closed with this service).
        """
        self._store = store
        self._worker = SerialExecutor("documents")
        self._index_processes = index_processes
        self._pool: IndexWorkers | None = index_workers
        self._pool_failed = False  # no worker process could start: indexing in this process
        self._indexing = asyncio.Lock()  # one indexing pass at a time (background or asked)
        self._background: asyncio.Task[None] | None = None
        self._again = False  # more bodies arrived while the background pass ran
        self._unreported = [0, 0]  # messages, documents indexed in the background, not told
        self._closed = False
        self._idle_timer: asyncio.TimerHandle | None = None
        self._releasing: asyncio.Task[None] | None = None
        self._last_pool_use = 0.0
        #: Messages waiting before every worker process is used (`POOL_FROM`; tests change it).
        self.pool_from = POOL_FROM
        #: Background passes started by `index_soon` (bodies arriving), for diagnostics.
        self.live_passes = 0
        #: Unexpected failures of the background indexing (logged; tests look here).
        self.failures: list[BaseException] = []

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
        text. Returns what was done since the last report (the background indexing that ran
        while bodies arrived included) and how many messages still wait.
        """
        async with self._indexing:
            messages, documents = await self._index_pending(limit)
        messages += self._unreported[0]
        documents += self._unreported[1]
        self._unreported = [0, 0]
        remaining = await self._store.read(lambda a: len(a.messages.attachments_to_index()))
        log.info(
            "attachments indexed: %d messages, %d documents, %d waiting",
            messages,
            documents,
            remaining,
        )
        return IndexReport(messages=messages, documents=documents, remaining=remaining)

    def index_soon(self) -> None:
        """Bodies were stored: index their attachments now, in the background.

        Called on the event loop's thread (the sync pipeline calls it on each `BodiesProgress`);
        a call while a pass runs makes it look again when it ends. `index_attachments` waits
        for the running pass and reports what it did.
        """
        if self._closed:
            return
        if self._background is not None and not self._background.done():
            self._again = True
            return
        self.live_passes += 1
        self._background = asyncio.get_running_loop().create_task(
            self._index_in_background(), name="index-attachments"
        )

    async def _index_in_background(self) -> None:
        try:
            while not self._closed:
                self._again = False
                async with self._indexing:
                    messages, documents = await self._index_pending(None)
                self._unreported[0] += messages
                self._unreported[1] += documents
                if not self._again:
                    return
        except KnownError as error:  # the archive is busy or closing: the next pass resumes
            log.warning("background indexing stopped: %s", error.code)
        except Exception as error:
            log.exception("background indexing failed")
            self.failures.append(error)

    async def _index_pending(self, limit: int | None) -> tuple[int, int]:
        """Index the messages waiting (at most `limit`): (messages, documents) done.

        Chunks of messages are read in one go, split here (cheap), their documents indexed by
        the worker processes, and saved in one transaction while the next chunk is indexed.
        With fewer than `pool_from` messages waiting (and fewer workers running), one worker
        process is enough; when no worker process can start, the documents are indexed on the
        documents thread.
        """
        pending = await self._store.query(lambda a: a.messages.attachments_to_index(limit))
        parallel = None if len(pending) >= self.pool_from else max(1, self._pool_running())
        messages = documents = 0
        saving: asyncio.Task[None] | None = None
        try:
            for at in range(0, len(pending), INDEX_CHUNK):
                if self._closed:
                    break
                chunk = pending[at : at + INDEX_CHUNK]
                raws = await self._store.query(partial(_raws_of, pks=[pk for pk, _ in chunk]))
                jobs = await self._worker.run(_jobs_of, [raws.get(pk) for pk, _ in chunk])
                flat = [job for message_jobs in jobs if message_jobs for job in message_jobs]
                indexed = iter(await self._index_all(flat, parallel))
                results = [[next(indexed) for _ in message_jobs or ()] for message_jobs in jobs]
                items: list[tuple[int, int, str, dict[str, tuple[int, str]]]] = []
                for (pk, sort_key), message_jobs, message_results in zip(
                    chunk, jobs, results, strict=True
                ):
                    if message_jobs is None:
                        continue  # not archived (any more)
                    text, states = message_text(message_results)
                    items.append((pk, sort_key, text, states))
                    documents += sum(1 for s in states.values() if s[0] == STATE_INDEXED)
                messages += len(items)
                if saving is not None:
                    await saving
                saving = asyncio.get_running_loop().create_task(
                    self._store.write(partial(_save_batch, items=items))
                )
            if saving is not None:
                await saving
        finally:
            if saving is not None and not saving.done():
                with contextlib.suppress(BaseException):
                    await asyncio.shield(saving)
            if self._pool is not None:
                self._last_pool_use = time.monotonic()
                self._arm_idle_timer()
        return messages, documents

    def _pool_running(self) -> int:
        """How many worker processes run."""
        return len(self._pool.pids()) if self._pool is not None else 0

    def _arm_idle_timer(self) -> None:
        if self._idle_timer is not None:
            self._idle_timer.cancel()
        self._idle_timer = asyncio.get_running_loop().call_later(IDLE_SECONDS, self._idle)

    def _idle(self) -> None:
        self._idle_timer = None
        if self._closed or self._pool is None:
            return
        if self._indexing.locked() or time.monotonic() - self._last_pool_use < IDLE_SECONDS:
            self._arm_idle_timer()
            return
        task = asyncio.get_running_loop().create_task(self._pool.release(), name="index-idle")
        self._releasing = task  # kept: the loop holds tasks weakly

    async def _index_all(self, jobs: list[PartJob], parallel: int | None) -> list[PartResult]:
        """Index `jobs` in (at most `parallel`) worker processes, else on the documents thread."""
        if not jobs:
            return []
        if not self._pool_failed:
            if self._pool is None:
                from app.services.index_workers import IndexWorkers

                if self._index_processes is None:
                    self._pool = IndexWorkers()
                else:
                    self._pool = IndexWorkers(self._index_processes)
            try:
                return await self._pool.run_many(jobs, parallel=parallel)
            except OSError:
                log.warning("index worker processes cannot start: indexing in this process")
                self._pool_failed = True
        return await self._worker.run(_index_here, jobs)

    @property
    def index_workers(self) -> IndexWorkers | None:
        """The indexing's worker processes, once started (tests, diagnostics)."""
        return self._pool

    async def aclose(self) -> None:
        """Stop the background indexing, the worker processes and the worker thread."""
        self._closed = True
        if self._idle_timer is not None:
            self._idle_timer.cancel()
            self._idle_timer = None
        releasing = self._releasing
        if releasing is not None and not releasing.done():
            await releasing
        background = self._background
        if background is not None and not background.done():
            background.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await background
        if self._pool is not None:
            await self._pool.aclose()
        self._worker.shutdown(wait=False)


def _raws_of(archive: Archive, pks: list[int]) -> dict[int, bytes]:
    raws: dict[int, bytes] = {}
    for pk in pks:
        try:
            raw = archive.messages.raw(pk)
        except KnownError as error:  # a lost segment: that message's attachments wait
            log.warning("archived message unreadable for indexing: %s", error.code)
            continue
        if raw is not None:
            raws[pk] = raw
    return raws


def _index_here(jobs: list[PartJob]) -> list[PartResult]:
    return [index_part(job) for job in jobs]


def _jobs_of(raws: list[bytes | None]) -> list[list[PartJob] | None]:
    return [attachment_jobs(raw) if raw is not None else None for raw in raws]


def _save_batch(
    archive: Archive, items: list[tuple[int, int, str, dict[str, tuple[int, str]]]]
) -> None:
    archive.messages.text.save_attachment_indexes(items)


def _split_name(display: str) -> PersonName:
    """Mon espace santé writes the patient's first and last name in From (spec §5)."""
    words = display.split()
    family = [w for w in words if w.isupper() and len(w) > 1]
    given = [w for w in words if w not in family]
    return PersonName(family=" ".join(family), given=" ".join(given))


def _plan(raw: bytes, when: date, patient: PatientRef | None) -> Any:
    return plan_export(raw, message_date=when, patient=patient)
