"""The store gateway under load: reads beside long writes, locks as known errors, pages.

Real SQLCipher archives in tmp_path, the gateway's real threads; a second raw connection plays
another process on the same profile.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import sqlcipher3

from app.domain.account import AccountConfig, Endpoint, Security
from app.domain.errors import StoreError
from app.domain.message import EnvelopeRecord, PageKey, Person, Structure
from app.services.account_service import Account
from app.services.archive_service import ArchiveService, SearchFilters
from app.services.store_gateway import StoreGateway
from app.store import database
from app.store.archive import Archive

KEY = "4d" * 32
BASE = 1_700_000_000


def _record(uid: int, date: int) -> EnvelopeRecord:
    return EnvelopeRecord(
        uid=uid,
        flags=0,
        keywords=(),
        internal_date=date,
        size=1000,
        modseq=None,
        message_id=f"<g{uid}@gateway.example>",
        in_reply_to=None,
        references=(),
        subject=f"Compte rendu {uid}",
        sender=Person("Dr A", "a@hopital.mssante.fr"),
        to=(),
        cc=(),
        reply_to=(),
        sent_date=None,
        structure=Structure(),
    )


def _setup(a: Archive) -> None:
    a.conn.execute(
        "INSERT INTO accounts (id, name, address, config, created_at) VALUES"
        " (1, 'cabinet', 'a@x.fr', '{}', 0)"
    )
    a.conn.execute("INSERT INTO folders (id, account_id, name) VALUES (1, 1, 'INBOX')")
    a.messages.insert_envelopes(1, 1, 1, [_record(u, BASE + u // 2) for u in range(1, 101)])


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[StoreGateway]:
    gateway = await StoreGateway.open(tmp_path / "archive.db", KEY, tmp_path / "backups")
    try:
        await gateway.write(_setup)
        yield gateway
    finally:
        await gateway.close()


def _count_contacts(a: Archive) -> int:
    return int(a.conn.execute("SELECT count(*) FROM contacts").fetchone()[0])


async def test_a_read_completes_while_a_long_write_transaction_is_open(
    store: StoreGateway,
) -> None:
    entered, release = threading.Event(), threading.Event()

    def long_write(a: Archive) -> None:
        a.conn.execute("INSERT INTO contacts (address) VALUES ('late@x.fr')")
        entered.set()
        release.wait(20)  # a sync group commit holding the write transaction

    writing = asyncio.ensure_future(store.write(long_write))
    try:
        assert await asyncio.to_thread(entered.wait, 10)
        started = time.monotonic()
        # On the writer's thread this would queue until `release`: the read thread does not.
        seen = await asyncio.wait_for(store.query(_count_contacts), 5)
        page = await asyncio.wait_for(
            ArchiveService(store).page(SearchFilters(folder_id=1), None, 10), 5
        )
        elapsed = time.monotonic() - started
        assert not writing.done()
        assert seen == 0  # the uncommitted row is not visible
        assert len(page.items) == 10
        assert elapsed < 4.0
    finally:
        release.set()
        await writing
    # Once committed, the reader sees it at its next query.
    assert await store.query(_count_contacts) == 1


async def test_the_read_connection_sees_each_committed_write(store: StoreGateway) -> None:
    archive = ArchiveService(store)
    for n in range(3):
        await store.write(
            lambda a, n=n: a.conn.execute(
                "INSERT INTO contacts (address) VALUES (?)", (f"c{n}@x.fr",)
            )
        )
        assert await store.query(_count_contacts) == n + 1
    ids = [m.id for m in (await archive.page(SearchFilters(folder_id=1), None, 5)).items]
    await store.write(lambda a: a.messages.delete_local(ids[0]))
    assert [m.id for m in await archive.summaries(ids)] == ids[1:]


async def test_the_reader_cannot_write(store: StoreGateway) -> None:
    with pytest.raises(StoreError) as refused:
        await store.query(lambda a: a.conn.execute("DELETE FROM contacts"))
    assert refused.value.code == "store.read_only"


async def test_archive_pages_and_folder_statuses_through_the_gateway(
    store: StoreGateway,
) -> None:
    archive = ArchiveService(store)
    after: PageKey | None = None
    ids: list[int] = []
    while True:
        page = await archive.page(SearchFilters(folder_id=1), after, 30)
        ids += [m.id for m in page.items]
        if page.next is None:
            break
        after = page.next
    assert len(ids) == len(set(ids)) == 100
    found = await archive.search_page("rendu", SearchFilters(folder_id=1), None, 40)
    assert [m.id for m in found.items] == ids[:40] and found.next is not None
    account = Account(
        1,
        AccountConfig(
            name="cabinet",
            address="a@medecin.mssante.fr",
            imap=Endpoint("imap.example.org", 993, Security.TLS),
            smtp=Endpoint("smtp.example.org", 465, Security.TLS),
        ),
    )
    (inbox,) = await archive.folders(account)
    assert (inbox.id, inbox.account_id, inbox.name, inbox.messages) == (1, 1, "INBOX", 100)


async def test_another_process_holding_the_write_lock_is_store_busy(
    store: StoreGateway, tmp_path: Path
) -> None:
    await store.read(lambda a: a.conn.execute("PRAGMA busy_timeout = 200"))
    other = sqlcipher3.connect(str(tmp_path / "archive.db"), isolation_level=None)
    try:
        other.execute(f"PRAGMA key = \"x'{KEY}'\"")
        other.execute("BEGIN IMMEDIATE")
        with pytest.raises(StoreError) as busy:
            await store.write(
                lambda a: a.conn.execute("INSERT INTO contacts (address) VALUES ('x@x.fr')")
            )
        assert busy.value.code == "store.busy"
        # Reads go on meanwhile.
        assert len((await ArchiveService(store).page(SearchFilters(), None, 5)).items) == 5
        other.execute("ROLLBACK")
        await store.write(
            lambda a: a.conn.execute("INSERT INTO contacts (address) VALUES ('x@x.fr')")
        )
    finally:
        other.close()


async def test_an_archive_locked_by_another_process_does_not_open(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "archive.db"
    first = await StoreGateway.open(path, KEY, tmp_path / "backups")
    await first.close()
    monkeypatch.setattr(database, "BUSY_TIMEOUT_MS", 200)
    other = sqlcipher3.connect(str(path), isolation_level=None)
    try:
        other.execute(f"PRAGMA key = \"x'{KEY}'\"")
        other.execute("PRAGMA locking_mode = EXCLUSIVE")
        other.execute("BEGIN EXCLUSIVE")
        other.execute("INSERT INTO contacts (address) VALUES ('other@x.fr')")
        other.execute("COMMIT")
        before = threading.active_count()
        with pytest.raises(StoreError) as locked:
            await StoreGateway.open(path, KEY, tmp_path / "backups")
        assert locked.value.code == "store.locked_by_other"
        await asyncio.sleep(0.1)
        assert threading.active_count() <= before  # no store thread left behind
    finally:
        other.close()
