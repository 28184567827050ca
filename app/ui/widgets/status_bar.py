"""The window's status bar: sync progress, outbox, quota, each account's connection.

Fed only by `EngineSignals` (no polling). Shows counts and states, never message content.
Must run on the Qt thread.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from PySide6.QtCore import Qt, QTime, QTimer
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QStatusBar, QWidget

from app.domain import events as ev
from app.ui.event_adapter import EngineSignals
from app.ui.i18n import FRENCH, format_number, format_size
from app.ui.icons import icon

#: A progress line (headers, bodies) changes at most this often: a first sync reports many
#: times a second, and each step of the progress bar repaints the window at once (stalls
#: seen in bench/ui_load_bench.py). The first report of a kind shows at once.
PROGRESS_MS = 250


class SyncStatus(QWidget):
    """What the synchronisation is doing, with counts during the first sync."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        self.label = QLabel(self)
        self.bar = QProgressBar(self)
        self.bar.setFixedWidth(140)
        self.bar.setTextVisible(False)
        self.bar.setMaximumHeight(12)
        self.bar.setAccessibleName(self.tr("Synchronisation progress"))
        self.bar.hide()
        layout.addWidget(self.label)
        layout.addWidget(self.bar)
        self._running: set[int] = set()
        self._last_sync: str | None = None  # "HH:mm" of the last sync that finished
        self._shown_kind: type | None = None  # the progress kind last shown, and when
        self._shown_at = 0.0
        self._pending: tuple[type, str, tuple[int, int]] | None = None
        self._throttle = QTimer(self)
        self._throttle.setSingleShot(True)
        self._throttle.timeout.connect(self._on_throttle_timeout)
        self.setAccessibleName(self.tr("Synchronisation"))

    def on_event(self, event: object) -> None:
        """Update from a sync event (`EngineSignals.sync_progress`)."""
        if isinstance(event, ev.SyncStarted):
            self._running.add(event.account_id)
            self._show(self.tr("Synchronising…"), None)
        elif isinstance(event, ev.HeadersProgress):
            self._progress(
                ev.HeadersProgress,
                self.tr("Downloading message list: %1 of %2")
                .replace("%1", format_number(event.done))
                .replace("%2", format_number(event.total)),
                (event.done, event.total),
            )
        elif isinstance(event, ev.MailboxListed):
            self._show(self.tr("Message list complete; archiving the contents…"), None)
        elif isinstance(event, ev.BodiesProgress):
            self._progress(
                ev.BodiesProgress,
                self.tr("Archiving messages: %1 of %2 (%3)")
                .replace("%1", format_number(event.done))
                .replace("%2", format_number(event.total))
                .replace("%3", format_size(event.bytes)),
                (event.done, event.total),
            )
        elif isinstance(event, ev.DocumentsIndexed) and event.remaining:
            self._show(
                self.tr("Indexing attachments: %n left", "", event.remaining),
                None,
            )
        elif isinstance(event, ev.SyncFinished | ev.ArchiveComplete):
            self._running.discard(event.account_id)
            if not self._running:
                now = self._last_sync = FRENCH.toString(QTime.currentTime(), "HH:mm")
                self._show(self.tr("Up to date (%1)").replace("%1", now), None)
        elif isinstance(event, ev.SyncFailed):
            self._running.discard(event.account_id)
            self._show(self.tr("Synchronisation interrupted; Pli will try again"), None)

    def on_connection(self, event: object) -> None:
        """Offline: "Up to date" no longer holds; say when the archive was last brought up."""
        if not isinstance(event, ev.ConnectionChanged):
            return
        if event.state is not ev.ConnectionState.OFFLINE:
            return
        if self._last_sync is None:
            self._show(self.tr("Offline"), None)
        else:
            self._show(
                self.tr("Offline; last synchronised at %1").replace("%1", self._last_sync), None
            )

    def _progress(self, kind: type, text: str, progress: tuple[int, int]) -> None:
        """A progress report: shown at once, or with the next ones at most every PROGRESS_MS."""
        elapsed = (time.monotonic() - self._shown_at) * 1000
        if kind is self._shown_kind and elapsed < PROGRESS_MS:
            self._pending = (kind, text, progress)
            if not self._throttle.isActive():
                self._throttle.start(max(1, int(PROGRESS_MS - elapsed)))
            return
        self._apply(kind, text, progress)

    def _on_throttle_timeout(self) -> None:
        pending, self._pending = self._pending, None
        if pending is not None:
            self._apply(*pending)

    def _show(self, text: str, progress: tuple[int, int] | None) -> None:
        """Anything but progress: at once, and a progress report still waiting is dropped."""
        self._throttle.stop()
        self._pending = None
        self._apply(None, text, progress)

    def _apply(self, kind: type | None, text: str, progress: tuple[int, int] | None) -> None:
        self._shown_kind = kind
        self._shown_at = time.monotonic()
        self.label.setText(text)
        self.setAccessibleDescription(text)
        if progress is None or progress[1] <= 0:
            self.bar.hide()
            return
        done, total = progress
        self.bar.setRange(0, total)
        self.bar.setValue(min(done, total))
        self.bar.show()


class OutboxStatus(QLabel):
    """How many messages wait to leave, and how many failed (hidden when none)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._counts: dict[int, tuple[int, int]] = {}
        self.setAccessibleName(self.tr("Outbox"))
        self.hide()

    def on_event(self, event: object) -> None:
        """Update from `EngineSignals.outbox_changed`."""
        if not isinstance(event, ev.OutboxCounts):
            return
        self._counts[event.account_id] = (event.waiting, event.failed)
        waiting = sum(w for w, _ in self._counts.values())
        failed = sum(f for _, f in self._counts.values())
        parts = []
        if waiting:
            parts.append(self.tr("%n message(s) waiting to be sent", "", waiting))
        if failed:
            parts.append(self.tr("%n not sent", "", failed))
        self.setText(" · ".join(parts))
        self.setAccessibleDescription(self.text())
        self.setVisible(bool(parts))


class QuotaGauge(QProgressBar):
    """How full the fullest mailbox is on its server (hidden until a quota is known)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._quotas: dict[int, tuple[str, int, int]] = {}
        self.setFixedWidth(120)
        self.setMaximumHeight(16)
        self.setRange(0, 100)
        self.setAccessibleName(self.tr("Mailbox space used"))
        self.hide()

    def on_event(self, event: object) -> None:
        """Update from `EngineSignals.quota_changed`."""
        if not isinstance(event, ev.QuotaChanged) or event.limit_kib <= 0:
            return
        self._quotas[event.account_id] = (event.account, event.used_kib, event.limit_kib)
        name, used, limit = max(self._quotas.values(), key=lambda q: q[1] / q[2])
        percent = min(100, round(100 * used / limit))
        self.setValue(percent)
        self.setFormat(self.tr("Space %p%"))
        detail = (
            self.tr("%1: %2 used of %3")
            .replace("%1", name)
            .replace("%2", format_size(used * 1024))
            .replace("%3", format_size(limit * 1024))
        )
        self.setToolTip(detail)
        self.setAccessibleDescription(detail)
        self.setProperty("full", percent >= 90)
        self.style().unpolish(self)
        self.style().polish(self)
        self.show()


@dataclass
class _Link:
    name: str
    state: ev.ConnectionState
    label: QLabel


class ConnectionStatus(QWidget):
    """One indicator per account: connected, offline, reconnecting, session ended."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(10)
        self._links: dict[int, _Link] = {}
        self.setAccessibleName(self.tr("Connections"))

    def states(self) -> dict[int, ev.ConnectionState]:
        """Each account's last known state."""
        return {account: link.state for account, link in self._links.items()}

    def set_account(self, account_id: int, name: str, state: ev.ConnectionState) -> None:
        """Show (or update) an account's state."""
        link = self._links.get(account_id)
        if link is None:
            label = QLabel(self)
            label.setTextFormat(Qt.TextFormat.RichText)
            self._layout.addWidget(label)
            link = _Link(name, state, label)
            self._links[account_id] = link
        link.state = state
        link.name = name or link.name
        colour, text = self._describe(state)
        link.label.setText(f'<span style="color:{colour}">&#9679;</span> {_escape(link.name)}')
        link.label.setToolTip(text)
        link.label.setAccessibleName(f"{link.name}\u00a0: {text}")

    def accessible_text(self, account_id: int) -> str:
        """What a screen reader says of an account's connection ("" when unknown)."""
        link = self._links.get(account_id)
        return link.label.accessibleName() if link is not None else ""

    def remove_account(self, account_id: int) -> None:
        """Stop showing an account."""
        link = self._links.pop(account_id, None)
        if link is not None:
            link.label.deleteLater()

    def on_event(self, event: object) -> None:
        """Update from `EngineSignals.connection_changed`."""
        if isinstance(event, ev.ConnectionChanged):
            self.set_account(event.account_id, event.account, event.state)
        elif isinstance(event, ev.SessionEnded):
            self.set_account(event.account_id, event.account, ev.ConnectionState.SESSION_ENDED)

    def _describe(self, state: ev.ConnectionState) -> tuple[str, str]:
        if state is ev.ConnectionState.ONLINE:
            return "#2e8b57", self.tr("connected")
        if state is ev.ConnectionState.RECONNECTING:
            return "#c98a1b", self.tr("reconnecting")
        if state is ev.ConnectionState.SESSION_ENDED:
            return "#c98a1b", self.tr("session ended, log in again")
        return "#b0483a", self.tr("offline")


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class PliStatusBar(QStatusBar):
    """The status bar, wired to the engine's signals."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizeGripEnabled(True)
        self.sync = SyncStatus(self)
        self.outbox = OutboxStatus(self)
        self.quota = QuotaGauge(self)
        self.connections = ConnectionStatus(self)
        self.outbox_icon = QLabel(self)
        self.outbox_icon.setPixmap(icon("outbox").pixmap(14, 14))
        self.outbox_icon.hide()
        self.addWidget(self.sync, 1)
        self.addPermanentWidget(self.outbox_icon)
        self.addPermanentWidget(self.outbox)
        self.addPermanentWidget(self.quota)
        self.addPermanentWidget(self.connections)
        self.setAccessibleName(self.tr("Status bar"))

    def connect_signals(self, signals: EngineSignals) -> None:
        """Listen to the engine."""
        signals.sync_progress.connect(self.sync.on_event)
        signals.connection_changed.connect(self.sync.on_connection)
        signals.outbox_changed.connect(self.outbox.on_event)
        signals.outbox_changed.connect(
            lambda _e: self.outbox_icon.setVisible(self.outbox.isVisible())
        )
        signals.quota_changed.connect(self.quota.on_event)
        signals.connection_changed.connect(self.connections.on_event)
