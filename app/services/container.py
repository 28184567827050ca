"""The unlocked services of one profile, as the composition root wires them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from app.config.paths import AppPaths
from app.config.settings import Settings
from app.services.account_service import AccountService
from app.services.archive_service import ArchiveService
from app.services.compose_service import ComposeService
from app.services.contact_service import ContactService
from app.services.demo import DemoService
from app.services.directory_service import DirectoryService
from app.services.document_service import DocumentService
from app.services.draft_service import DraftService
from app.services.event_bus import EventBus
from app.services.imap_connection import ConnectionPool
from app.services.incoming_service import IncomingService
from app.services.instance import ProfileHold
from app.services.mailbox_sync import SyncService
from app.services.operation_queue import OperationQueue
from app.services.outbox_service import OutboxService
from app.services.patient_service import PatientService
from app.services.receipt_service import ReceiptService
from app.services.store_gateway import StoreGateway
from app.services.sync_supervisor import SyncSupervisor


@dataclass
class Services:
    """Everything a front end uses once the archive is unlocked.

    One instance per process, living as long as it: the persistent IMAP connections
    (`connections`), the one operation queue and the supervisor's background work are shared
    by every front end; `aclose` stops them all.
    """

    paths: AppPaths
    settings: Settings
    events: EventBus
    store: StoreGateway
    accounts: AccountService
    archive: ArchiveService
    sync: SyncService
    operations: OperationQueue
    documents: DocumentService
    outbox: OutboxService
    patients: PatientService
    incoming: IncomingService
    directory: DirectoryService
    contacts: ContactService
    compose: ComposeService
    drafts: DraftService
    receipts: ReceiptService
    demo: DemoService
    connections: ConnectionPool
    supervisor: SyncSupervisor
    #: The profile's lock and forwarding endpoint when this process holds the profile
    #: (`app.services.profile.open_services(hold=True)`); released by `aclose`.
    hold: ProfileHold | None = field(default=None, kw_only=True)

    @classmethod
    def build(
        cls, paths: AppPaths, settings: Settings, store: StoreGateway, events: EventBus
    ) -> Services:
        """Wire the services over an open archive."""
        accounts = AccountService(store, paths, settings, events)
        directory = DirectoryService(paths.directory_db, settings.directory, events=events)
        connections = ConnectionPool(accounts)
        operations = OperationQueue(store, accounts, events)
        sync = SyncService(store, accounts, events, operations=operations, connections=connections)
        archive = ArchiveService(store)
        documents = DocumentService(store)
        incoming = IncomingService(store, events)

        async def trust(domains: Sequence[str]) -> dict[str, bool | None]:
            return {d: await directory.is_trusted_domain(d) for d in domains}

        outbox = OutboxService(store, accounts, events, settings, connections=connections)
        compose = ComposeService(
            store, accounts, events, settings, trust, outbox, paths.templates_dir
        )
        supervisor = SyncSupervisor(
            store=store,
            accounts=accounts,
            events=events,
            sync=sync,
            operations=operations,
            connections=connections,
            incoming=incoming,
            outbox=outbox,
            documents=documents,
            archive=archive,
        )
        return cls(
            paths=paths,
            settings=settings,
            events=events,
            store=store,
            accounts=accounts,
            archive=archive,
            sync=sync,
            operations=operations,
            documents=documents,
            outbox=outbox,
            patients=PatientService(store, events),
            incoming=incoming,
            directory=directory,
            contacts=ContactService(store),
            compose=compose,
            drafts=DraftService(store, accounts, events, compose),
            receipts=ReceiptService(store, accounts, settings, compose),
            demo=DemoService(paths, accounts, store),
            connections=connections,
            supervisor=supervisor,
        )

    async def aclose(self) -> None:
        """Stop background work, close connections and the archive."""
        if self.hold is not None:
            await self.hold.stop_serving()  # no forwarded command starts on closing services
        try:
            try:
                await self.supervisor.stop()
            finally:
                await self.connections.aclose()
                await self.sync.aclose()
            await self.accounts.aclose()
            await self.documents.aclose()
            await self.outbox.aclose()
            await self.compose.aclose()
            await self.incoming.aclose()
            await self.directory.aclose()
            await self.demo.stop()
        finally:
            try:
                await self.store.close()
            finally:
                if self.hold is not None:
                    await self.hold.release()  # last: the next holder finds the archive closed
