"""The outbox's state machine: submission, reconciliation and filing of queued messages.

A message goes: queued (in the encrypted archive, before anything leaves) → submitting
(committed before talking to the server) → submitted (committed as soon as the server
accepted it) → filed (a copy in Sent). Nothing is lost at any point, and nothing is submitted
twice: a message found `submitting` or `uncertain` after a crash or a dropped connection is
first looked for by Message-ID. To make that search conclusive, the sender's own mailbox is an
envelope recipient of every submission (a hidden copy, never in the headers): its arrival is
the server's own evidence that the message was accepted. Pli then files the copy in Sent by
IMAP APPEND (unless the account says the server does it) and removes the hidden copy from the
inbox. A server that queues (Postfix) may deliver the hidden copy after the filing: for an hour
after it, a flush takes such a late copy out of the inbox (the sync has just archived it).

Every state change is a compare-and-set in the archive (a state changes only from the state it
was read in), and a flush reads each entry again just before acting on it: two flushes, in this
process or in two processes on the same profile, never submit the same message twice. Filing
is taken for a while (a lease in ``updated_at``) by the flush that does it.

A flush also holds, while it runs, an OS lock of its own on the account's outbox (``exclusive``,
given by the container: `app.services.instance.exclusive`), which the OS frees when its process
dies, however it dies. Another flush of the same account finds it taken and leaves everything
to it (reported as busy); a flush that has it knows no live flush is at work on the account,
so a filing lease it finds was left by a killed one and is taken over at once, instead of the
user waiting for the lease to run out.

A server may accept a message for some recipients and refuse others only for now (a 4xx at
RCPT): the message goes on (submitted, filed) for those accepted, and the others wait in the
entry's refusal records (``pending``, with the server's words), tried again alone when due
(`retry_delay`, `retry_exhausted` in `app.domain.outbox`), or at once when the user asks
(``flush(retry_now=True)``). A new try is claimed in the archive before it starts; its hidden
copy (the inbox is emptied of earlier ones first) is the evidence looked for when a try was
never recorded (crash, lost answer), so a waiting recipient never gets the message twice.

Composing and queueing live in `compose_service`, drafts in `draft_service`, read receipts and
the end of an exchange in `receipt_service`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.parser import BytesHeaderParser
from email.utils import getaddresses
from functools import partial
from typing import Any, TypeVar

from app.config.settings import Settings
from app.domain.addresses import MailAddress
from app.domain.delivery import MessageStatus
from app.domain.errors import (
    AuthError,
    KnownError,
    NetworkError,
    NotFoundError,
    ServerError,
    StoreError,
)
from app.domain.events import (
    DeliveryStatusChanged,
    OutboxChanged,
    OutboxCounts,
    PatientConversationChanged,
)
from app.domain.mailbox import FolderRole
from app.domain.message import Flag
from app.domain.outbox import OutboxState, retry_delay, retry_exhausted
from app.services.account_service import Account, AccountService
from app.services.event_bus import EventBus
from app.services.executors import SerialExecutor
from app.services.imap_connection import ConnectionPool, ImapConnection
from app.services.store_gateway import StoreGateway
from app.store.archive import Archive
from app.store.repositories.sending import OutboxEntry
from app.transport.imap_session import ImapSession
from app.transport.smtp_submitter import (
    DsnRequest,
    RecipientRefusal,
    SmtpSubmitter,
    SubmissionUncertainError,
)

log = logging.getLogger(__name__)

T = TypeVar("T")

#: How long a flush keeps the filing of a submitted message to itself (seconds). Another
#: flush leaves the message alone meanwhile; a flush killed while filing gives it up then.
FILING_LEASE_SECONDS = 30

#: How long after filing a message its hidden copy is still looked for in the inbox. A server
#: that queues (Postfix) delivers the copy a moment after it accepted the message, possibly
#: after Pli filed it: the copy is then taken out of the inbox by a later flush (the sync
#: archives it just before flushing), so it never stays there as mail from oneself.
LATE_COPY_WINDOW_SECONDS = 3600

_SUBMISSION_ENDED = (OutboxState.SUBMITTING, OutboxState.UNCERTAIN)

#: Opens a named section that one flush at a time holds across the profile's processes,
#: raising `StoreError` ``profile.busy`` at once when another holds it.
Exclusive = Callable[[str], contextlib.AbstractAsyncContextManager[None]]


@dataclass
class FlushReport:
    """What a flush of the outbox did."""

    submitted: int = 0
    filed: int = 0
    failed: int = 0
    reconciled: int = 0
    unconfirmed: int = 0  # sent or not: still looked for before sending again
    busy: int = 0  # being moved by another flush (this process or another one)
    offline: str | None = None  # error code when the server could not be reached
    #: The error behind `offline` (a refused login is an `AuthError`, with the host).
    offline_error: KnownError | None = None
    not_filed: str | None = None  # sent, but the copy in Sent could not be made (code)
    not_filed_error: KnownError | None = None  # the error behind `not_filed` (host, reason)
    late_copies: int = 0  # hidden copies delivered after the filing, taken out of the inbox
    #: Recipients refused "for now" at an earlier submission that accepted them this time.
    retried: int = 0
    #: Recipients refused "for now" that still wait (tried again later) after this flush.
    deferred: int = 0
    #: Recipients refused "for now" for too long (or for good at a new try): failed now.
    expired: int = 0


@dataclass(frozen=True)
class OutboxItem:
    """An outbox entry and the status of each of its recipients (what a list shows)."""

    entry: OutboxEntry
    statuses: dict[str, tuple[str, str | None]]  # recipient → (status, detail)


class OutboxService:
    """Keeps the outbox moving: submits, reconciles and files what waits; publishes changes.

    Publishes `OutboxChanged` for every state change and `OutboxCounts` after a flush that
    changed something (and whenever `publish_counts` is called, e.g. after queueing).
    """

    def __init__(
        self,
        store: StoreGateway,
        accounts: AccountService,
        events: EventBus,
        settings: Settings,
        *,
        connections: ConnectionPool | None = None,
        exclusive: Exclusive | None = None,
    ) -> None:
        self._store = store
        self._accounts = accounts
        self._events = events
        self._settings = settings
        self._connections = connections
        self._exclusive = exclusive
        self._locks: dict[int, asyncio.Lock] = {}

    def apply_settings(self, settings: Settings) -> None:
        """Use `settings` from the next operation on (the settings screen applied them)."""
        self._settings = settings

    @property
    def settings(self) -> Settings:
        """The settings in force."""
        return self._settings

    # -- reading ----------------------------------------------------------------------------

    async def entries(self, account: Account | None = None) -> list[OutboxEntry]:
        """Recent outbox entries, newest first."""
        return await self._store.query(
            lambda a: a.outbox.all(account_id=account.id if account else None)
        )

    async def overview(self, account: Account | None = None) -> list[OutboxItem]:
        """Recent entries, newest first, each with its recipients' status (one read)."""

        def work(a: Archive) -> list[OutboxItem]:
            entries = a.outbox.all(account_id=account.id if account else None)
            return [OutboxItem(e, _with_pending(e, a.delivery.of(e.message_id))) for e in entries]

        return await self._store.query(work)

    async def entry(self, entry_id: int) -> OutboxEntry:
        """One entry.

        Raises:
            NotFoundError: ``outbox.not_found``.
        """
        return await self._store.read(lambda a: a.outbox.get(entry_id))

    async def statuses(self, message_id: str) -> dict[str, tuple[str, str | None]]:
        """Recipient → (status, detail) of a sent message.

        A recipient the server refused only for now, tried again later, is ``pending`` with
        the server's words (`PENDING_STATUS`).
        """

        def work(a: Archive) -> dict[str, tuple[str, str | None]]:
            found = a.outbox.written([message_id]).get(message_id)
            entry = a.outbox.find(found[0]) if found else None
            statuses = a.delivery.of(message_id)
            return _with_pending(entry, statuses) if entry is not None else statuses

        return await self._store.read(work)

    async def counts(self, account: Account) -> tuple[int, int]:
        """(waiting to leave, failed) messages of the account."""
        return await self._store.read(lambda a: a.outbox.counts(account.id))

    # -- events -----------------------------------------------------------------------------

    def changed(
        self, account: Account, entry_id: int, state: OutboxState, code: str | None
    ) -> None:
        """Publish an entry's new state (loop thread)."""
        self._events.publish(
            OutboxChanged(
                account_id=account.id,
                account=account.name,
                outbox_id=entry_id,
                state=state.value,
                code=code,
            )
        )

    async def publish_counts(self, account: Account) -> None:
        """Publish what the account's outbox holds now."""
        waiting, failed = await self.counts(account)
        self._events.publish(
            OutboxCounts(
                account_id=account.id, account=account.name, waiting=waiting, failed=failed
            )
        )

    # -- the flush --------------------------------------------------------------------------

    async def flush(self, account: Account, *, retry_now: bool = False) -> FlushReport:
        """Move every pending entry of the account as far as it can go, in order.

        Recipients a server refused only for now are tried again when their time has come
        (with backoff, see `app.domain.outbox.retry_delay`), or at once with `retry_now` (the
        user asked to send what waits). Never raises for the server being unreachable:
        `FlushReport.offline` says it, and the entries wait, queued, for the next flush.
        """
        lock = self._locks.setdefault(account.id, asyncio.Lock())
        async with lock, contextlib.AsyncExitStack() as section:
            report = FlushReport()
            ids = await self._store.read(lambda a: a.outbox.pending(account.id))
            late = await self._store.read(lambda a: _late_hidden_copies(a, account))
            retries = await self._store.read(
                lambda a: a.outbox.due_retries(account.id, int(time.time()), every=retry_now)
            )
            if not ids and not late and not retries:
                return report
            alone = False
            if self._exclusive is not None:
                try:
                    await section.enter_async_context(self._exclusive(f"outbox-{account.id}"))
                except StoreError as error:
                    if error.code != "profile.busy":
                        raise
                    report.busy = len(ids)  # another process's flush is at work on them
                    log.info("outbox of account %d: flushed by another process", account.id)
                    return report
                alone = True
            if self._connections is not None:
                # The process's persistent connection: logged in once, not at every flush.
                imap, owned = await self._connections.get(account, "outbox"), False
            else:
                imap, owned = ImapConnection(self._accounts, account, "outbox"), True
            run = _FlushRun(self, account, report, imap, owned=owned, alone=alone)
            try:
                for entry_id in ids:
                    await run.advance(entry_id)
                for entry_id in retries:
                    await run.retry(entry_id, force=retry_now)
                for entry in late:
                    await run.remove_late_copy(entry)
            except (NetworkError, AuthError, ServerError) as error:
                if not _waits(error):
                    raise
                report.offline = error.code
                report.offline_error = error
                log.info("outbox waits: %s", error.code)
            finally:
                await run.close()
                if run.changes:
                    await self.publish_counts(account)
            log.info(
                "outbox of account %d: %d submitted, %d filed, %d failed, %d reconciled, "
                "%d unconfirmed, %d busy elsewhere",
                account.id,
                report.submitted,
                report.filed,
                report.failed,
                report.reconciled,
                report.unconfirmed,
                report.busy,
            )
            return report

    async def aclose(self) -> None:
        """Nothing to stop: each flush closes what it opened.

        The submission session is closed after each flush, and so is the IMAP session when the
        flush opened its own; the pool's connections are closed with the pool.
        """


class _FlushRun:
    """One flush: a submission session and an IMAP session opened when first needed."""

    def __init__(
        self,
        service: OutboxService,
        account: Account,
        report: FlushReport,
        imap: ImapConnection,
        *,
        owned: bool,
        alone: bool = False,
    ) -> None:
        self._service = service
        self._store = service._store
        self._accounts = service._accounts
        self._events = service._events
        self._account = account
        self._report = report
        self._smtp_executor = SerialExecutor(f"smtp-{account.id}")
        self._submitter: SmtpSubmitter | None = None
        self._imap = imap
        self._owns_imap = owned
        #: No live flush but this one works on the account (the section is held): a filing
        #: lease found was left by a flush that died.
        self._alone = alone
        self._submitted_once: set[int] = set()
        self.changes = 0

    async def remove_late_copy(self, entry: OutboxEntry) -> None:
        """A filed message's hidden copy that reached the inbox after the filing: remove it.

        Only while the copy in Sent is on the server: a message the user moved from Sent to
        the inbox (in another client) is their only copy, never a hidden one.
        """
        if not await self._find(entry, (await self._sent_folder(),)):
            return
        await self._remove_hidden_copy(entry)
        self._report.late_copies += 1
        log.info("outbox entry %d: its hidden copy came late, taken out of the inbox", entry.id)

    async def advance(self, entry_id: int) -> None:
        """Take one entry as far as it goes, reading it again before every step."""
        while True:
            entry = await self._store.read(lambda a: a.outbox.find(entry_id))
            if entry is None or not entry.state.pending:
                return
            if entry.state in (OutboxState.SUBMITTING, OutboxState.UNCERTAIN):
                go_on = await self._reconcile(entry)
            elif entry.state is OutboxState.QUEUED:
                if entry.id in self._submitted_once:
                    return  # once per flush: an uncertain answer waits for the next one
                self._submitted_once.add(entry.id)
                go_on = await self._submit(entry)
            else:
                go_on = await self._file(entry)
            if not go_on:
                return

    async def _move(
        self,
        entry: OutboxEntry,
        expected: OutboxState | Sequence[OutboxState],
        state: OutboxState,
        audit: dict[str, Any] | None = None,
        also: Callable[[Archive], None] | None = None,
        **fields: Any,
    ) -> bool:
        """Compare-and-set the entry's state; publish the change.

        The audit record and `also` are written in the same transaction. Returns False when
        another flush moved the entry first (it is then left alone).
        """
        account = self._account

        def work(a: Archive) -> bool:
            if not a.outbox.transition(entry.id, expected, state, **fields):
                return False
            if audit is not None:
                a.audit.add(
                    account_id=account.id, actor=account.address, target=entry.message_id, **audit
                )
            if also is not None:
                also(a)
            return True

        moved = await self._store.write(work)
        if moved:
            self.changes += 1
            self._service.changed(account, entry.id, state, fields.get("last_error"))
        else:
            log.info("outbox entry %d moved by another flush", entry.id)
            now = await self._store.read(lambda a: a.outbox.find(entry.id))
            if now is not None and now.state.pending:
                self._report.busy += 1  # still on its way, in the other flush's hands
        return moved

    async def _reconcile(self, entry: OutboxEntry) -> bool:
        """A submission that may or may not have happened: look for the message first.

        Found (our own copy in the inbox, or the server's in Sent): it was sent. Not found: the
        copy may still be on its way, so the entry waits, uncertain, for the grace period
        after the attempt before being sent again.
        """
        found = await self._find(entry, ("INBOX", await self._sent_folder()))
        if found:
            moved = await self._move(
                entry,
                entry.state,
                OutboxState.SUBMITTED,
                audit={
                    "action": "send.reconcile",
                    "request": "UID SEARCH HEADER Message-ID",
                    "detail": "found on the server: not sent again",
                },
                submitted_at=int(time.time()),
            )
            self._report.reconciled += int(moved)
            return moved
        grace = self._service.settings.sending.uncertain_grace_seconds
        if time.time() - entry.updated_at < grace:
            if entry.state is OutboxState.SUBMITTING:
                await self._move(entry, OutboxState.SUBMITTING, OutboxState.UNCERTAIN)
            self._report.unconfirmed += 1
            return False
        return await self._move(
            entry,
            entry.state,
            OutboxState.QUEUED,
            audit={
                "action": "send.reconcile",
                "request": "UID SEARCH HEADER Message-ID",
                "detail": "not found on the server: to be sent",
            },
        )

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

    async def _submit(self, entry: OutboxEntry) -> bool:
        account = self._account
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
        if self._submitter is None:
            try:
                self._submitter = await self._accounts.smtp_submitter(account, self._smtp_executor)
            except (NetworkError, AuthError, ServerError) as error:
                if not _waits(error):
                    raise
                # Still queued (nothing was tried): say why it waits, and keep the reason.
                code, record = error.code, error_record(error)
                await self._store.write(
                    lambda a: a.outbox.record_submission(
                        entry.id, last_error=code, server_reply=record
                    )
                )
                self._service.changed(account, entry.id, OutboxState.QUEUED, error.code)
                raise
        submitter = self._submitter
        # The claim: only the flush that moved it from queued submits it.
        if not await self._move(entry, OutboxState.QUEUED, OutboxState.SUBMITTING):
            return False
        try:
            result = await self._smtp_executor.run(
                partial(
                    submitter.submit,
                    entry.envelope_from,
                    envelope,
                    entry.raw,
                    dsn=dsn,
                    copies=(account.address,) if hidden_copy else (),
                )
            )
        except SubmissionUncertainError as uncertain:
            await self._discard_submitter()
            await self._move(
                entry, _SUBMISSION_ENDED, OutboxState.UNCERTAIN, last_error=uncertain.code
            )
            return True  # looked for at once (it waits out the grace period when not found)
        except (NetworkError, AuthError) as error:
            await self._discard_submitter()
            await self._move(
                entry,
                _SUBMISSION_ENDED,
                OutboxState.QUEUED,
                last_error=error.code,
                server_reply=error_record(error),
            )
            raise
        except ServerError as error:
            if error.code == "server.temporary_failure":
                # The server's words are kept with the entry (the reason it waits).
                await self._move(
                    entry,
                    _SUBMISSION_ENDED,
                    OutboxState.QUEUED,
                    last_error=error.code,
                    server_reply=error_record(error),
                )
                raise NetworkError("network.server_busy") from error
            return await self._fail(entry, error)
        except KnownError as error:
            return await self._fail(entry, error)
        now = int(time.time())
        # Refused for good (5xx): failed. Refused only for now (4xx, RFC 5321 §4.5.4.1): the
        # message left for the others; those wait, pending, and are tried again later alone.
        refused: list[dict[str, Any]] = [
            {"address": r.address, "code": r.code, "text": r.text}
            for r in result.refused
            if (r.address.lower() != own or not hidden_copy) and not r.temporary
        ]
        deferred: list[dict[str, Any]] = [
            _pending_record(r.address, r.code, r.text, since=now, attempts=1, now=now)
            for r in result.refused
            if (r.address.lower() != own or not hidden_copy) and r.temporary
        ]
        accepted = [r for r in result.accepted if r.lower() != own or not hidden_copy]
        answer: dict[str, Any] = {
            "refused": refused + deferred,
            "dsn_offered": int(result.dsn_offered),
            "server_reply": result.reply[:300],
            "submitted_at": now,
            "last_error": None,  # a reason from an earlier attempt no longer holds
        }

        def work(a: Archive) -> bool:
            # Accepted: the state moves from the submission whatever another flush made of it
            # meanwhile (uncertain, or already found on the server and submitted).
            moved = a.outbox.transition(entry.id, _SUBMISSION_ENDED, OutboxState.SUBMITTED)
            a.outbox.record_submission(entry.id, **answer)
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
                _mark_answered(a, account, entry.reply_to_pk)
            a.audit.add(
                account_id=account.id,
                actor=account.address,
                action="send.submit",
                target=entry.message_id,
                request=f"MAIL FROM, RCPT TO x{len(envelope)}, DATA"
                + (" (DSN NOTIFY=SUCCESS,FAILURE)" if result.dsn_requested else ""),
                outcome="ok"
                + (f":{len(refused)} refused" if refused else "")
                + (f":{len(deferred)} refused for now" if deferred else ""),
                detail=result.reply[:200],
            )
            return moved

        moved = await self._store.write(work)
        self._report.submitted += 1
        self._report.deferred += len(deferred)
        self.changes += 1
        if moved:
            self._service.changed(account, entry.id, OutboxState.SUBMITTED, None)
        if refused:
            self._events.publish(
                DeliveryStatusChanged(
                    account_id=account.id,
                    account=account.name,
                    outbox_id=entry.id,
                    status=MessageStatus.FAILED.value,
                    recipients=len(refused),
                )
            )
        if entry.kind == "end_of_exchange" and entry.patient_ins:
            self._events.publish(
                PatientConversationChanged(
                    account_id=account.id, account=account.name, patient_ins=entry.patient_ins
                )
            )
        return moved

    async def _fail(self, entry: OutboxEntry, error: KnownError) -> bool:
        refusals = error.params.get("refused")
        refused = [
            {"address": r.address, "code": r.code, "text": r.text}
            for r in (refusals if isinstance(refusals, tuple) else ())
            if isinstance(r, RecipientRefusal)
        ]

        def statuses(a: Archive) -> None:
            # Each recipient's own reason (every visible recipient was refused).
            for refusal in refused:
                a.delivery.report(
                    entry.message_id,
                    str(refusal["address"]),
                    MessageStatus.FAILED,
                    detail=f"{refusal['code']} {refusal['text']}"[:300],
                )

        await self._move(
            entry,
            _SUBMISSION_ENDED,
            OutboxState.FAILED,
            last_error=error.code,
            server_reply=error_record(error),
            audit={"action": "send.submit", "outcome": f"error:{error.code}"},
            also=statuses if refused else None,
            **({"refused": refused} if refused else {}),
        )
        self._report.failed += 1
        return False

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

    async def _file(self, entry: OutboxEntry) -> bool:
        now = int(time.time())
        claimed = await self._store.write(
            lambda a: a.outbox.claim_filing(
                entry.id, now=now, lease=FILING_LEASE_SECONDS, take_over=self._alone
            )
        )
        if not claimed:
            self._report.busy += 1
            return False
        try:
            await self._file_claimed(entry)
        except Exception:
            # Not filed (offline…): give the filing back at once for the next flush.
            await self._store.write(lambda a: a.outbox.release_filing(entry.id))
            raise
        return False

    async def _file_claimed(self, entry: OutboxEntry) -> None:
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
                self._report.not_filed_error = error
                await self._store.write(lambda a: a.outbox.release_filing(entry.id, code))
                # The hidden copy did its job (the server accepted the message): it must not
                # stay in the inbox as mail from oneself until the copy in Sent is made. The
                # message itself is kept in the outbox, from which the copy is made later.
                await self._remove_hidden_copy(entry)
                return
            appended = True
        await self._remove_hidden_copy(entry)
        moved = await self._move(
            entry,
            OutboxState.SUBMITTED,
            OutboxState.FILED,
            audit={
                "action": "send.file",
                "request": f"APPEND {sent}" if appended else "filed by the server",
            },
            filed_at=int(time.time()),
        )
        self._report.filed += int(moved)

    async def _remove_hidden_copy(self, entry: OutboxEntry) -> None:
        """The hidden copy to our own mailbox did its job: take it out of the inbox."""
        account = self._account
        if account.config.server_files_sent:
            return
        own = MailAddress.parse(account.address).key
        if own in _visible_recipients(entry.raw):
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

    # -- recipients refused for now ------------------------------------------------------

    async def retry(self, entry_id: int, *, force: bool = False) -> None:
        """Try again, alone, the recipients a server refused only for now (when due).

        The entry is filed (its copy in Sent made once, at the first submission); only the
        waiting recipients are in the envelope, with the same message and Message-ID. The try
        is claimed in the archive (committed) before talking to the server: a try found
        claimed later (the flush died, or lost the answer) is looked for on the server before
        anything is sent again, so nobody gets the message twice.
        """
        account = self._account
        entry = await self._store.read(lambda a: a.outbox.find(entry_id))
        if entry is None or entry.state is not OutboxState.FILED:
            return
        records = [dict(r) for r in entry.refused]
        pending = [r for r in records if r.get("pending")]
        if not pending:
            return
        if any(r.get("retrying") for r in pending):
            await self._reconcile_retry(entry)
            return
        now = int(time.time())
        if not force and min(int(r.get("next") or 0) for r in pending) > now:
            return
        if self._submitter is None:
            # Unreachable or refused login: raised as is (the flush reports it), nothing
            # claimed, the recipients wait as they were.
            self._submitter = await self._accounts.smtp_submitter(account, self._smtp_executor)
        submitter = self._submitter
        hidden_copy = self._retry_copy_possible(entry)
        if hidden_copy:
            # The inbox must hold no copy before this try: a copy found there afterwards is
            # then this try's own evidence (the first submission's was taken out at filing).
            await self._remove_hidden_copy(entry)
        claimed = [{**r, "retrying": now} if r.get("pending") else r for r in records]
        if not await self._store.write(
            lambda a: a.outbox.replace_refused(entry.id, entry.refused, claimed)
        ):
            self._report.busy += 1
            return
        addresses = [str(r["address"]) for r in pending]
        envelope = addresses + ([account.address] if hidden_copy else [])
        dsn = None
        if entry.dsn is not None:
            dsn = DsnRequest(tuple(entry.dsn["notify"]), entry.dsn["ret"], entry.dsn["envid"])
        try:
            result = await self._smtp_executor.run(
                partial(
                    submitter.submit,
                    entry.envelope_from,
                    envelope,
                    entry.raw,
                    dsn=dsn,
                    copies=(account.address,) if hidden_copy else (),
                )
            )
        except SubmissionUncertainError:
            # Sent or not: the claim stays, and the next flush looks for this try's copy.
            await self._discard_submitter()
            self._report.unconfirmed += 1
            return
        except (NetworkError, AuthError):
            # Certainly not sent: the claim is given back, the recipients wait as they were.
            await self._discard_submitter()
            await self._store.write(lambda a: a.outbox.replace_refused(entry.id, claimed, records))
            raise
        except KnownError as error:
            if not submitter.usable:
                await self._discard_submitter()
            refusals = error.params.get("refused")
            answers = {
                r.address.lower(): (r.code, r.text)
                for r in (refusals if isinstance(refusals, tuple) else ())
                if isinstance(r, RecipientRefusal)
            }
            code = error.params.get("smtp_code")
            detail = str(error.params.get("detail") or error.code)
            temporary = error.code == "server.temporary_failure"
            fallback = (int(code) if isinstance(code, int) else (451 if temporary else 554), detail)
            await self._record_retry(
                entry,
                claimed,
                accepted=[],
                answers={a.lower(): answers.get(a.lower(), fallback) for a in addresses},
                request=len(envelope),
            )
            return
        answers = {
            r.address.lower(): (r.code, r.text)
            for r in result.refused
            if r.address.lower() in {a.lower() for a in addresses}
        }
        accepted = [a for a in result.accepted if a.lower() in {x.lower() for x in addresses}]
        await self._record_retry(
            entry, claimed, accepted=accepted, answers=answers, request=len(envelope)
        )
        if hidden_copy:
            await self._remove_hidden_copy(entry)

    def _retry_copy_possible(self, entry: OutboxEntry) -> bool:
        """Whether a new try can carry the hidden copy, the evidence looked for after a crash.

        Not when the server files sent mail itself, nor when the user is a real recipient
        (their own copy in the inbox is wanted, and proves nothing about this try).
        """
        account = self._account
        if account.config.server_files_sent:
            return False
        own = MailAddress.parse(account.address).key
        if own in {r.lower() for r in entry.recipients}:
            return False
        return own not in _visible_recipients(entry.raw)

    async def _reconcile_retry(self, entry: OutboxEntry) -> None:
        """A try of recipients refused for now began and was never recorded: did it leave?

        Its hidden copy in the inbox says it did (the recipients it was for count as sent).
        Not found after the grace period: it did not, and the recipients are due again. With
        no possible evidence, they are not sent again (never twice): they fail with the code
        ``network.outcome_unknown`` for the user to decide.
        """
        records = [dict(r) for r in entry.refused]
        claimed = [r for r in records if r.get("pending") and r.get("retrying")]
        addresses = [str(r["address"]) for r in claimed]
        if self._retry_copy_possible(entry):
            if await self._find(entry, ("INBOX",)):
                await self._record_retry(
                    entry, records, accepted=addresses, answers={}, request=0, found=True
                )
                await self._remove_hidden_copy(entry)
                return
            grace = self._service.settings.sending.uncertain_grace_seconds
            began = max(int(r["retrying"]) for r in claimed)
            if time.time() - began < grace:
                self._report.unconfirmed += 1
                return
            released = [
                {k: v for k, v in r.items() if k != "retrying"} | {"next": 0} if r in claimed else r
                for r in records
            ]
            if await self._store.write(
                lambda a: a.outbox.replace_refused(entry.id, entry.refused, released)
            ):
                await self.retry(entry.id, force=True)
            return
        await self._record_retry(
            entry,
            records,
            accepted=[],
            answers={a.lower(): (0, "network.outcome_unknown") for a in addresses},
            request=0,
            unknown=True,
        )

    async def _record_retry(
        self,
        entry: OutboxEntry,
        before: list[dict[str, Any]],
        *,
        accepted: Sequence[str],
        answers: dict[str, tuple[int, str]],
        request: int,
        found: bool = False,
        unknown: bool = False,
    ) -> None:
        """Record a try's outcome for each recipient it was for, in one transaction.

        Accepted: sent (removed from the refusals). Refused for now again: waits, with a
        longer delay, unless it waited too long (then failed, with the server's words).
        Refused for good: failed.
        """
        account = self._account
        now = int(time.time())
        taken = {a.lower() for a in accepted}
        after: list[dict[str, Any]] = []
        sent: list[str] = []
        failed: list[dict[str, Any]] = []
        still = 0
        for record in before:
            address = str(record.get("address", ""))
            key = address.lower()
            if not record.get("pending") or not (record.get("retrying") or key in answers):
                after.append(record)
                continue
            if key in taken:
                sent.append(address)
                continue
            code, text = answers.get(key, (int(record["code"]), str(record["text"])))
            attempts = int(record.get("attempts") or 1) + 1
            since = int(record.get("since") or now)
            if 400 <= code < 500 and not retry_exhausted(since, attempts, now):
                after.append(
                    _pending_record(address, code, text, since=since, attempts=attempts, now=now)
                )
                still += 1
                continue
            final = {"address": address, "code": code, "text": text, "attempts": attempts}
            if 400 <= code < 500:
                final["expired"] = True
            if unknown:
                final["outcome_unknown"] = True
            after.append(final)
            failed.append(final)

        def work(a: Archive) -> bool:
            if not a.outbox.replace_refused(entry.id, before, after):
                return False
            for address in sent:
                a.delivery.report(entry.message_id, address, MessageStatus.SUBMITTED)
            for record in failed:
                a.delivery.report(
                    entry.message_id,
                    str(record["address"]),
                    MessageStatus.FAILED,
                    detail=(
                        str(record["text"])
                        if record.get("outcome_unknown")
                        else f"{record['code']} {record['text']}"
                    )[:300],
                )
            a.audit.add(
                account_id=account.id,
                actor=account.address,
                action="send.retry",
                target=entry.message_id,
                request=(
                    "UID SEARCH HEADER Message-ID"
                    if found or unknown
                    else f"MAIL FROM, RCPT TO x{request}, DATA"
                ),
                outcome=f"sent:{len(sent)} refused for now:{still} failed:{len(failed)}",
            )
            return True

        if not await self._store.write(work):
            self._report.busy += 1
            return
        self.changes += 1
        self._report.retried += len(sent)
        self._report.deferred += still
        self._report.expired += len(failed)
        log.info(
            "outbox entry %d: new try: %d sent, %d still refused for now, %d failed",
            entry.id,
            len(sent),
            still,
            len(failed),
        )
        self._service.changed(account, entry.id, OutboxState.FILED, None)
        for status, count in (
            (MessageStatus.SUBMITTED, len(sent)),
            (MessageStatus.FAILED, len(failed)),
        ):
            if count:
                self._events.publish(
                    DeliveryStatusChanged(
                        account_id=account.id,
                        account=account.name,
                        outbox_id=entry.id,
                        status=status.value,
                        recipients=count,
                    )
                )

    async def _discard_submitter(self) -> None:
        """Forget a broken submission session, releasing its socket (on its own thread)."""
        submitter, self._submitter = self._submitter, None
        if submitter is not None:
            await self._smtp_executor.run(submitter.close)

    async def close(self) -> None:
        await self._discard_submitter()
        self._smtp_executor.shutdown(wait=False)
        if self._owns_imap:
            await self._imap.close()


def _waits(error: KnownError) -> bool:
    """Whether a failure to reach or open the submission server leaves the outbox waiting.

    Unreachable, logged out, or a server answering "not now" when the session opens (a 4xx
    greeting such as 421, RFC 5321 §3.8): the messages stay queued and go at the next flush.
    """
    return not isinstance(error, ServerError) or error.code == "server.temporary_failure"


async def publish_examined(
    store: StoreGateway,
    events: EventBus,
    statuses: Sequence[tuple[str, str]],
    conversations: Sequence[tuple[int, str]],
) -> None:
    """Announce what the examination of incoming mail changed (loop thread).

    `statuses` are (original Message-ID, new status) pairs from DSNs, MDNs and bounces: those
    about a message Pli wrote become `DeliveryStatusChanged` (one per message and status, with
    how many recipients); `conversations` are (account id, INS) pairs of patients whose
    conversation changed (a message, a bounce, closed from another client).
    """
    if not statuses and not conversations:
        return

    def work(a: Archive) -> tuple[dict[str, tuple[int, int]], dict[int, str]]:
        written = a.outbox.written(m for m, _s in statuses)
        names = {row.id: row.config.name for row in a.accounts.all()}
        return written, names

    written, names = await store.read(work)
    counted: dict[tuple[str, str], int] = {}
    for message_id, status in statuses:
        if message_id in written:
            counted[(message_id, status)] = counted.get((message_id, status), 0) + 1
    for (message_id, status), recipients in counted.items():
        entry_id, account_id = written[message_id]
        events.publish(
            DeliveryStatusChanged(
                account_id=account_id,
                account=names.get(account_id, ""),
                outbox_id=entry_id,
                status=status,
                recipients=recipients,
            )
        )
    for account_id, ins in dict.fromkeys(conversations):
        events.publish(
            PatientConversationChanged(
                account_id=account_id, account=names.get(account_id, ""), patient_ins=ins
            )
        )


def _late_hidden_copies(archive: Archive, account: Account) -> list[OutboxEntry]:
    """Recently filed entries whose hidden copy sits in the archived inbox (it came late)."""
    if account.config.server_files_sent:
        return []
    inbox = archive.folders.find(account.id, "INBOX")
    sent = archive.folders.by_role(account.id, FolderRole.SENT)
    if inbox is None or sent is None:
        return []
    own = MailAddress.parse(account.address).key
    since = int(time.time()) - LATE_COPY_WINDOW_SECONDS
    found = []
    recent = archive.outbox.filed_since(account.id, since)
    # With those whose recipients refused for now were tried again lately (copies, too).
    recent += [r for r in archive.outbox.retried_since(account.id, since) if r not in recent]
    for entry_id, message_id, recipients in recent:
        if own in {r.lower() for r in recipients}:
            continue  # the user is a recipient: no hidden copy was added, that one is wanted
        folders = {c.folder for c in archive.messages.find_by_message_id(account.id, message_id)}
        if inbox.name not in folders or sent.name not in folders:
            continue  # no copy in the inbox, or none left in Sent (then the inbox one is kept)
        entry = archive.outbox.get(entry_id)
        if own in _visible_recipients(entry.raw):
            continue  # the user wrote to themselves: that copy is wanted
        found.append(entry)
    return found


#: The status of a recipient the server refused only for now, tried again later (the
#: server's words as its detail): shown beside `MessageStatus` values, never stored as one.
PENDING_STATUS = "pending"


def _pending_record(
    address: str, code: int, text: str, *, since: int, attempts: int, now: int
) -> dict[str, Any]:
    """The refusal record of a recipient refused for now: when it is tried again."""
    return {
        "address": address,
        "code": code,
        "text": text,
        "pending": True,
        "attempts": attempts,
        "since": since,
        "next": now + retry_delay(attempts),
    }


def _with_pending(
    entry: OutboxEntry, statuses: dict[str, tuple[str, str | None]]
) -> dict[str, tuple[str, str | None]]:
    """`statuses` with the recipients refused for now as `PENDING_STATUS` (server's words)."""
    pending = {
        str(r["address"]).lower(): (PENDING_STATUS, f"{r.get('code')} {r.get('text')}".strip())
        for r in entry.refused
        if r.get("pending")
    }
    if not pending:
        return statuses
    return dict(sorted({**statuses, **pending}.items()))


def _mark_answered(archive: Archive, account: Account, message_pk: int) -> None:
    """The message answered is flagged answered: here at once, on the server by replay."""
    try:
        archive.messages.set_flags(message_pk, Flag.ANSWERED, Flag.NONE)
    except NotFoundError:
        return
    archive.pending.add(
        account.id,
        "flags",
        {"pks": [message_pk], "add": int(Flag.ANSWERED), "remove": 0, "previous": {}},
    )


def _visible_recipients(raw: bytes) -> set[str]:
    head = BytesHeaderParser().parsebytes(raw)
    found = getaddresses(head.get_all("To", []) + head.get_all("Cc", []))
    return {address.lower() for _, address in found if address}


def error_record(error: KnownError) -> str:
    """An error's plain parameters (host, limit, SMTP code…) as kept with an outbox entry.

    Only scalar parameters are kept (per-recipient refusals have their own column).
    """
    params = {
        name: value
        for name, value in error.params.items()
        if isinstance(value, str | int | float | bool) or value is None
    }
    return json.dumps({"error": params}, ensure_ascii=False)


def entry_error(entry: OutboxEntry) -> KnownError | None:
    """Why an entry waits or failed, with its parameters (None when nothing went wrong).

    The error comes back as a plain `KnownError` with the code and the parameters recorded
    by the flush (front ends turn it into text); entries written before the parameters were
    kept give the code alone.
    """
    if not entry.last_error:
        return None
    params: dict[str, Any] = {}
    if entry.server_reply and entry.server_reply.startswith("{"):
        try:
            recorded = json.loads(entry.server_reply)
        except ValueError:
            recorded = {}
        if isinstance(recorded, dict) and isinstance(recorded.get("error"), dict):
            params = recorded["error"]
    return KnownError(entry.last_error, **params)
