"""The unlocked services of one profile, as the composition root wires them.

Each service is built on first use (`functools.cached_property`), its module imported then:
a command that lists messages never loads the sending, directory or document machinery
(issue 15, start-up). Building a service has no side effect beyond the object itself, so the
order in which a front end first touches them does not matter.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from functools import cached_property, partial
from typing import TYPE_CHECKING

if TYPE_CHECKING:
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


#: Every service's module (and the archive's), in the order `import_all` loads them.
_MODULES = (
    "app.credentials.data_keys",
    "app.services.store_gateway",
    "app.services.account_service",
    "app.services.archive_service",
    "app.services.compose_service",
    "app.services.contact_service",
    "app.services.demo",
    "app.services.directory_service",
    "app.services.document_service",
    "app.services.draft_service",
    "app.services.imap_connection",
    "app.services.incoming_service",
    "app.services.mailbox_sync",
    "app.services.operation_queue",
    "app.services.outbox_service",
    "app.services.patient_service",
    "app.services.receipt_service",
    "app.services.sync_supervisor",
)


def import_all() -> None:
    """Import every service's module now (blocking, no Qt: for a worker thread).

    The window calls this while it shows (`app.bootstrap.prepare_gui`), so that building a
    service later on the event loop's thread imports nothing; a command line process does
    not, and loads only what its command touches.
    """
    for name in _MODULES:
        importlib.import_module(name)


class Services:
    """Everything a front end uses once the archive is unlocked.

    One instance per process, living as long as it: the persistent IMAP connections
    (`connections`), the one operation queue and the supervisor's background work are shared
    by every front end; `aclose` stops them all (those that were built).
    """

    def __init__(
        self,
        paths: AppPaths,
        settings: Settings,
        store: StoreGateway,
        events: EventBus,
        *,
        hold: ProfileHold | None = None,
    ) -> None:
        self.paths = paths
        self.settings = settings
        self.store = store
        self.events = events
        #: The profile's lock and forwarding endpoint when this process holds the profile
        #: (`app.services.profile.open_services(hold=True)`); released by `aclose`.
        self.hold = hold

    @classmethod
    def build(
        cls, paths: AppPaths, settings: Settings, store: StoreGateway, events: EventBus
    ) -> Services:
        """Wire the services over an open archive (each one is built on first use)."""
        return cls(paths, settings, store, events)

    def built(self, name: str) -> bool:
        """Whether the service `name` has been built (used by `aclose`; handy in tests)."""
        return name in self.__dict__

    @cached_property
    def accounts(self) -> AccountService:
        """Accounts, their credentials and servers."""
        from app.services.account_service import AccountService

        return AccountService(self.store, self.paths, self.settings, self.events)

    @cached_property
    def directory(self) -> DirectoryService:
        """The national directory (offline copy, online search)."""
        from app.services.directory_service import DirectoryService

        return DirectoryService(
            self.paths.directory_db, self.settings.directory, events=self.events
        )

    @cached_property
    def connections(self) -> ConnectionPool:
        """The persistent IMAP connections, per account and role."""
        from app.services.imap_connection import ConnectionPool

        return ConnectionPool(self.accounts)

    @cached_property
    def operations(self) -> OperationQueue:
        """Local changes applied at once, replayed on the server."""
        from app.services.operation_queue import OperationQueue

        return OperationQueue(self.store, self.accounts, self.events)

    @cached_property
    def sync(self) -> SyncService:
        """One pass of synchronisation."""
        from app.services.mailbox_sync import SyncService

        return SyncService(
            self.store,
            self.accounts,
            self.events,
            operations=self.operations,
            connections=self.connections,
        )

    @cached_property
    def archive(self) -> ArchiveService:
        """Reading the archive: lists, search, messages."""
        from app.services.archive_service import ArchiveService

        return ArchiveService(self.store)

    @cached_property
    def documents(self) -> DocumentService:
        """Attachments: reading, text index, export."""
        from app.services.document_service import DocumentService

        return DocumentService(self.store)

    @cached_property
    def incoming(self) -> IncomingService:
        """Receipts and notices arriving."""
        from app.services.incoming_service import IncomingService

        return IncomingService(self.store, self.events)

    @cached_property
    def outbox(self) -> OutboxService:
        """Sending."""
        from app.services.instance import exclusive
        from app.services.outbox_service import OutboxService

        return OutboxService(
            self.store,
            self.accounts,
            self.events,
            self.settings,
            connections=self.connections,
            exclusive=partial(exclusive, self.paths, patience=0.0),
        )

    @cached_property
    def compose(self) -> ComposeService:
        """Composing messages."""
        from app.services.compose_service import ComposeService

        directory = self.directory

        async def trust(domains: Sequence[str]) -> dict[str, bool | None]:
            return {d: await directory.is_trusted_domain(d) for d in domains}

        return ComposeService(
            self.store,
            self.accounts,
            self.events,
            self.settings,
            trust,
            self.outbox,
            self.paths.templates_dir,
        )

    @cached_property
    def supervisor(self) -> SyncSupervisor:
        """Background sync per account."""
        from app.services.sync_supervisor import SyncSupervisor

        return SyncSupervisor(
            store=self.store,
            accounts=self.accounts,
            events=self.events,
            sync=self.sync,
            operations=self.operations,
            connections=self.connections,
            incoming=self.incoming,
            outbox=self.outbox,
            documents=self.documents,
            archive=self.archive,
        )

    @cached_property
    def patients(self) -> PatientService:
        """Patients and their conversations."""
        from app.services.patient_service import PatientService

        return PatientService(self.store, self.events)

    @cached_property
    def contacts(self) -> ContactService:
        """Contacts."""
        from app.services.contact_service import ContactService

        return ContactService(self.store)

    @cached_property
    def drafts(self) -> DraftService:
        """Drafts."""
        from app.services.draft_service import DraftService

        return DraftService(self.store, self.accounts, self.events, self.compose)

    @cached_property
    def receipts(self) -> ReceiptService:
        """Receipts to send."""
        from app.services.receipt_service import ReceiptService

        return ReceiptService(self.store, self.accounts, self.settings, self.compose)

    @cached_property
    def demo(self) -> DemoService:
        """The demonstration mailbox."""
        from app.services.demo import DemoService

        return DemoService(self.paths, self.accounts, self.store)

    async def aclose(self) -> None:
        """Stop background work, close connections and the archive (the services built)."""
        if self.hold is not None:
            await self.hold.stop_serving()  # no forwarded command starts on closing services
        built = self.built
        try:
            try:
                if built("supervisor"):
                    await self.supervisor.stop()
            finally:
                if built("connections"):
                    await self.connections.aclose()
                if built("sync"):
                    await self.sync.aclose()
            if built("accounts"):
                await self.accounts.aclose()
            if built("documents"):
                await self.documents.aclose()
            if built("outbox"):
                await self.outbox.aclose()
            if built("compose"):
                await self.compose.aclose()
            if built("incoming"):
                await self.incoming.aclose()
            if built("directory"):
                await self.directory.aclose()
            if built("demo"):
                await self.demo.stop()
        finally:
            try:
                await self.store.close()
            finally:
                if self.hold is not None:
                    await self.hold.release()  # last: the next holder finds the archive closed
