"""Domain events become Qt signals, in one place (STYLE.md §3.5; Electrum's QtEventListener).

The services publish `app.domain.events` instances on the loop's thread, which under qasync is
the GUI thread; `EngineSignals` subscribes once to every event (the base class) and re-emits it
as `event` and as the signal of its family. No polling anywhere.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal, SignalInstance

from app.domain import events as ev
from app.services.event_bus import EventBus

log = logging.getLogger(__name__)


class EngineSignals(QObject):
    """The engine's events as Qt signals; every signal carries the event object.

    The bus holds its handlers weakly: this object subscribes a bound method, so it must be
    kept alive (the `UiContext` owns it) for as long as events are wanted, and it keeps the bus
    alive in turn. The subscription ends when the object is destroyed.

    Signals:
        event: every domain event.
        messages_changed: `MessagesChanged` (added, changed, removed, gone messages).
        folder_counts_changed: `FolderCountsChanged`, `FoldersListed`.
        new_mail: `NewMail`.
        sync_progress: `SyncStarted`, `HeadersProgress`, `MailboxListed`, `BodiesProgress`,
            `ArchiveComplete`, `SyncFinished`, `SyncFailed`, `DocumentsIndexed`.
        connection_changed: `ConnectionChanged`, `SessionEnded`.
        outbox_changed: `OutboxChanged`, `OutboxCounts`, `DeliveryStatusChanged`.
        accounts_changed: `AccountAdded`, `AccountChanged`, `AccountRemoved`.
        operation_failed: `OperationFailed`.
        operations_changed: `OperationQueued`, `OperationReplayed`, `PendingOperationsChanged`.
        quota_changed: `QuotaChanged`.
        drafts_changed: `DraftSaved`, `DraftDeleted`.
        patients_changed: `PatientConversationChanged`.
        directory_changed: `DirectoryChanged`, `DirectoryImportProgress`.
    """

    # Shadows QObject.event() for Python callers only (the contract's name); Qt's virtual
    # event() still dispatches normally, a Signal is not an override.
    event = Signal(object)  # type: ignore[assignment]
    messages_changed = Signal(object)
    folder_counts_changed = Signal(object)
    new_mail = Signal(object)
    sync_progress = Signal(object)
    connection_changed = Signal(object)
    outbox_changed = Signal(object)
    accounts_changed = Signal(object)
    operation_failed = Signal(object)
    operations_changed = Signal(object)
    quota_changed = Signal(object)
    drafts_changed = Signal(object)
    patients_changed = Signal(object)
    directory_changed = Signal(object)

    def __init__(self, bus: EventBus, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._bus = bus  # strong: the bus must outlive our subscription
        self._thread = threading.get_ident()
        families: list[tuple[SignalInstance, tuple[type[ev.Event], ...]]] = [
            (self.messages_changed, (ev.MessagesChanged,)),
            (self.folder_counts_changed, (ev.FolderCountsChanged, ev.FoldersListed)),
            (self.new_mail, (ev.NewMail,)),
            (
                self.sync_progress,
                (
                    ev.SyncStarted,
                    ev.HeadersProgress,
                    ev.MailboxListed,
                    ev.BodiesProgress,
                    ev.ArchiveComplete,
                    ev.SyncFinished,
                    ev.SyncFailed,
                    ev.DocumentsIndexed,
                ),
            ),
            (self.connection_changed, (ev.ConnectionChanged, ev.SessionEnded)),
            (self.outbox_changed, (ev.OutboxChanged, ev.OutboxCounts, ev.DeliveryStatusChanged)),
            (self.accounts_changed, (ev.AccountAdded, ev.AccountChanged, ev.AccountRemoved)),
            (self.operation_failed, (ev.OperationFailed,)),
            (
                self.operations_changed,
                (ev.OperationQueued, ev.OperationReplayed, ev.PendingOperationsChanged),
            ),
            (self.quota_changed, (ev.QuotaChanged,)),
            (self.drafts_changed, (ev.DraftSaved, ev.DraftDeleted)),
            (self.patients_changed, (ev.PatientConversationChanged,)),
            (self.directory_changed, (ev.DirectoryChanged, ev.DirectoryImportProgress)),
        ]
        self._table: list[tuple[tuple[type[ev.Event], ...], Callable[[object], None]]] = [
            (kinds, signal.emit) for signal, kinds in families
        ]
        self._unsubscribe: Callable[[], None] | None = bus.subscribe(ev.Event, self._on_event)
        self.destroyed.connect(self._unsubscribe)

    @property
    def bus(self) -> EventBus:
        """The event bus this adapter listens to."""
        return self._bus

    def close(self) -> None:
        """Stop receiving events (also done when the object is destroyed)."""
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    def _on_event(self, event: ev.Event) -> None:
        """Must run on the Qt thread (the loop's thread under qasync)."""
        if threading.get_ident() != self._thread:
            # A publisher on a worker thread breaks STYLE.md §3.5; never emit Qt signals there.
            log.error("event %s published off the loop thread", type(event).__name__)
            return
        self.event.emit(event)
        for kinds, emit in self._table:
            if isinstance(event, kinds):
                emit(event)
                break
