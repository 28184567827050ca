"""The body worker process: fetches bodies over its own IMAP connection into spool files.

Run by `app.services.body_workers` in a separate (spawned) process, so that reading TLS,
finding the MIME structure, hashing and encrypting gigabytes never hold the GIL of the process
that stores the rows (or draws the window). Blocking code, no asyncio: this module is imported
alone in the worker.

Conversation over its pipe (pickled values): the parent sends a `WorkerSetup` (the server,
TLS policy and login: the secret travels in memory only), the worker logs in and answers
`WorkerReady` (or `WorkerFailed`); then for each `BodyJob` it answers `JobDone` or `JobFailed`;
``None`` ends it. A network failure is retried once on a new connection before the job is
reported failed. The worker exits by itself when its parent dies (its parent's sentinel), so a
killed sync never leaves workers behind.

What it writes: one spool file per job (`app.store.spool`), complete when `JobDone` is sent
(not synced: the parent's store thread syncs it when it adopts it, so this process never waits
for the disk), and removed when the job fails. It never touches the database.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from app.domain import errors as domain_errors
from app.domain import mime
from app.domain.account import Endpoint
from app.domain.errors import KnownError, NetworkError
from app.store.spool import SpooledBody, SpoolWriter, digest
from app.transport.body_stream import LiteralBuffer, stream_bodies
from app.transport.imap_session import Credentials, ImapSession
from app.transport.revocation import RevocationChecker, RevocationMode
from app.transport.tls import TlsPolicy, make_context

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WorkerSetup:
    """How a worker reaches and logs in to the server, and where it writes."""

    endpoint: Endpoint
    policy: TlsPolicy
    revocation: RevocationMode
    crl_cache: Path | None
    trust_store: Path
    credentials: Credentials = field(repr=False)
    connect_timeout: float
    read_timeout: float
    incoming: Path


@dataclass(frozen=True)
class BodyJob:
    """Bodies of one folder to fetch into one spool file."""

    number: int
    folder: str
    uidvalidity: int
    uids: tuple[int, ...]
    spool: str  # file name in the setup's `incoming` folder


@dataclass(frozen=True)
class WorkerReady:
    """Logged in."""

    pid: int


@dataclass(frozen=True)
class JobDone:
    """A job's bodies are in its spool file, synced (`spool` None: nothing was written)."""

    number: int
    spool: str | None
    bodies: tuple[SpooledBody, ...]
    bytes: int


@dataclass(frozen=True)
class JobFailed:
    """A job (or the login, `number` None) failed with a known error."""

    number: int | None
    kind: str  # the KnownError subclass
    code: str
    params: dict[str, Any]

    def error(self) -> KnownError:
        """The error, rebuilt on the parent's side."""
        cls = getattr(domain_errors, self.kind, None)
        if not (isinstance(cls, type) and issubclass(cls, KnownError)):
            cls = KnownError
        return cls(self.code, **self.params)

    @classmethod
    def of(cls, number: int | None, error: KnownError) -> JobFailed:
        """The message for `error`."""
        return cls(number, type(error).__name__, error.code, dict(error.params))


def serve(conn: Connection) -> None:
    """The worker's whole life (the process's target)."""
    _exit_with_parent()
    setup: WorkerSetup = conn.recv()
    session: ImapSession | None = None
    try:
        try:
            session = _open(setup)
        except KnownError as error:
            conn.send(JobFailed.of(None, error))
            return
        conn.send(WorkerReady(os.getpid()))
        buffer = LiteralBuffer()
        while True:
            job: BodyJob | None = conn.recv()
            if job is None:
                return
            for attempt in (1, 2):
                try:
                    if session is None or not session.usable:
                        _close(session)
                        session = _open(setup)
                    conn.send(_run(session, job, setup.incoming, buffer))
                    break
                except NetworkError as error:
                    _close(session)
                    session = None
                    if attempt == 2:
                        conn.send(JobFailed.of(job.number, error))
                except KnownError as error:
                    conn.send(JobFailed.of(job.number, error))
                    break
    except (EOFError, BrokenPipeError, ConnectionResetError):
        return  # the parent went away
    finally:
        _close(session)


def _open(setup: WorkerSetup) -> ImapSession:
    session = ImapSession(
        setup.endpoint,
        make_context(setup.policy),
        RevocationChecker(setup.revocation, setup.crl_cache, setup.trust_store),
        connect_timeout=setup.connect_timeout,
        read_timeout=setup.read_timeout,
    )
    session.connect()
    try:
        session.authenticate(setup.credentials)
    except BaseException:
        session.close()
        raise
    return session


def _close(session: ImapSession | None) -> None:
    if session is not None:
        with contextlib.suppress(Exception):
            session.close()


def _run(session: ImapSession, job: BodyJob, incoming: Path, buffer: LiteralBuffer) -> JobDone:
    """Fetch a job's bodies into its spool; the spool is removed unless the job succeeds."""
    # The folder is selected once per worker (workers live one pass, after the listing):
    # re-selecting a large folder for every job made the server reload it each time.
    selected = session.select(job.folder, readonly=True, reuse=True)
    if selected.state.uidvalidity != job.uidvalidity:
        return JobDone(job.number, None, (), 0)
    writer = SpoolWriter(incoming / job.spool)
    bodies: list[SpooledBody] = []
    total = 0

    def take(uid: int, data: bytearray, size: int) -> None:
        nonlocal total
        scanned = mime.scan(data, size)  # type: ignore[arg-type] # bytes-like is what it needs
        with memoryview(data)[:size] as raw:
            sha = digest(raw)
            offset, length, key = writer.add(raw)
        bodies.append(
            SpooledBody(uid, offset, length, key, sha, size, scanned.structure, scanned.texts)
        )
        total += size

    try:
        stream_bodies(session, job.uids, take, buffer)
        if not bodies:
            writer.abort()
            return JobDone(job.number, None, (), 0)
        writer.close(sync=False)  # synced by the parent's store thread when adopted
    except BaseException:
        writer.abort()
        raise
    return JobDone(job.number, job.spool, tuple(bodies), total)


def _exit_with_parent() -> None:
    """End this process as soon as its parent is gone (killed included)."""
    import multiprocessing
    from multiprocessing.connection import wait

    parent = multiprocessing.parent_process()
    if parent is None:  # pragma: no cover - always started by a parent
        return
    sentinel = parent.sentinel

    def watch() -> None:
        wait([sentinel])
        os._exit(3)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()
