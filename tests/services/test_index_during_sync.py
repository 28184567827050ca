"""Attachments are indexed while the bodies arrive, in worker processes that stop with the app.

Real Dovecot on loopback, real SQLCipher profile, the container's own services, a strict bus
and a watched loop (indexing never holds it).
"""

from __future__ import annotations

import os
from typing import Any

import pytest

from app.domain.events import DocumentsIndexed
from app.services.archive_service import SearchFilters
from app.services.container import Services
from tests.services.support import EventLog, add_account, off_loop
from tests.support.mail import message, tiny_pdf
from tests.unit.documents.docfactories import encrypted_pdf

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("loop_never_blocked")]

WORDS = ["Glycemie", "Hemoglobine", "Creatinine", "Ferritine", "Natremie", "Kaliemie"]


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


async def test_a_sync_indexes_attachments_as_bodies_arrive_in_worker_processes(
    services: Services, events: EventLog, mail_account: Any
) -> None:
    server, address = mail_account.server, mail_account.address
    for word in WORDS:
        raw = message(subject=f"Bilan {word}", pdf=tiny_pdf(word))[0]
        await off_loop(server.deliver, address, raw)
    locked = message(subject="Protege", pdf=encrypted_pdf("secret"))[0]
    await off_loop(server.deliver, address, locked)
    account = await add_account(services, mail_account)
    services.documents.pool_from = 1  # worker processes from the first message waiting

    [report] = await services.supervisor.run_once([account])

    assert report.bodies == len(WORDS) + 1
    assert report.indexed_documents == len(WORDS)  # the encrypted one is skipped, with reason
    assert report.documents_to_index == 0
    [indexed] = events.of(DocumentsIndexed)
    assert indexed.documents == len(WORDS)
    # Indexing started while the bodies were being stored, not after the archive.
    assert services.documents.live_passes >= 1
    everything = SearchFilters(account_id=account.id, limit=-1)
    for word in WORDS:
        found = await services.archive.search(word, everything)
        assert [m.subject for m in found] == [f"Bilan {word}"]
    workers = services.documents.index_workers
    assert workers is not None
    pids = workers.pids()
    assert pids
    assert os.getpid() not in pids

    # A second sync has nothing left to index.
    [again] = await services.supervisor.run_once([account])
    assert again.indexed_documents == 0

    await services.documents.aclose()
    assert workers.pids() == []
    assert all(_gone(pid) for pid in pids)


async def test_a_sync_without_indexing_leaves_attachments_waiting(
    services: Services, mail_account: Any
) -> None:
    raw = message(subject="Bilan", pdf=tiny_pdf("Glycemie"))[0]
    await off_loop(mail_account.server.deliver, mail_account.address, raw)
    account = await add_account(services, mail_account)

    [report] = await services.supervisor.run_once([account], index=False)

    assert report.indexed_documents is None
    assert services.documents.live_passes == 0
    assert services.documents.index_workers is None  # no worker process was started
    found = await services.archive.search("Glycemie", SearchFilters(account_id=account.id))
    assert found == []
    done = await services.documents.index_attachments()
    assert (done.documents, done.remaining) == (1, 0)


async def test_attachments_are_indexed_here_when_no_worker_process_can_start(
    services: Services, mail_account: Any
) -> None:
    from app.services.document_service import DocumentService
    from app.services.index_workers import IndexWorkers

    raw = message(subject="Bilan", pdf=tiny_pdf("Glycemie"))[0]
    await off_loop(mail_account.server.deliver, mail_account.address, raw)
    account = await add_account(services, mail_account)
    await services.supervisor.run_once([account], index=False)
    # 30 MB of address space: a worker cannot even load Python's modules.
    starved = IndexWorkers(1, memory_bytes=30 * 1024 * 1024)
    documents = DocumentService(services.store, index_workers=starved)
    try:
        done = await documents.index_attachments()
    finally:
        await documents.aclose()
    assert (done.documents, done.remaining) == (1, 0)
    assert starved.pids() == []
    found = await services.archive.search("Glycemie", SearchFilters(account_id=account.id))
    assert [m.subject for m in found] == ["Bilan"]


async def test_a_routine_sync_indexes_its_few_documents_in_one_worker_process(
    services: Services, mail_account: Any
) -> None:
    for word in WORDS[:2]:
        raw = message(subject=f"Bilan {word}", pdf=tiny_pdf(word))[0]
        await off_loop(mail_account.server.deliver, mail_account.address, raw)
    account = await add_account(services, mail_account)

    [report] = await services.supervisor.run_once([account])

    assert report.indexed_documents == 2
    workers = services.documents.index_workers
    assert workers is not None
    assert workers.started == 1  # below pool_from: one worker is enough (never this process)
    assert len(workers.pids()) == 1
    found = await services.archive.search(WORDS[1], SearchFilters(account_id=account.id))
    assert [m.subject for m in found] == [f"Bilan {WORDS[1]}"]


async def test_the_background_sync_indexes_while_bodies_arrive(
    services: Services, events: EventLog, mail_account: Any
) -> None:
    for word in WORDS[:4]:
        raw = message(subject=f"Bilan {word}", pdf=tiny_pdf(word))[0]
        await off_loop(mail_account.server.deliver, mail_account.address, raw)
    account = await add_account(services, mail_account)
    services.documents.pool_from = 1

    await services.supervisor.start([account])
    try:
        indexed = await events.wait_for(DocumentsIndexed, within=120)
    finally:
        await services.supervisor.stop()

    assert (indexed.documents, indexed.remaining) == (4, 0)
    assert services.documents.live_passes >= 1
    workers = services.documents.index_workers
    assert workers is not None
    pids = workers.pids()
    found = await services.archive.search(WORDS[3], SearchFilters(account_id=account.id))
    assert [m.subject for m in found] == [f"Bilan {WORDS[3]}"]
    await services.documents.aclose()
    assert all(_gone(pid) for pid in pids)
