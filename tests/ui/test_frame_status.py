"""The status bar and banners follow the engine's events: first-sync counts, outbox, quota,
connections; the offline banner says what still works."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication  # noqa: TID251

from app.domain import events as ev
from app.services.event_bus import EventBus
from app.ui.event_adapter import EngineSignals
from app.ui.main_window import MainWindow


def test_status_bar_follows_sync_outbox_quota_and_connections(
    qapp: QApplication, french: None
) -> None:
    bus = EventBus(strict=True)
    signals = EngineSignals(bus)
    window = MainWindow()
    window.status.connect_signals(signals)
    signals.connection_changed.connect(window.offline_banner.on_event)
    window.show()
    status = window.status

    bus.publish(ev.SyncStarted(account_id=1, account="cabinet"))
    bus.publish(ev.HeadersProgress(account_id=1, account="cabinet", folder="INBOX", done=1200,
                                   total=5000))  # fmt: skip
    assert status.sync.label.text() == "Liste des messages\u00a0: 1\u202f200 sur 5\u202f000"
    assert status.sync.bar.isVisible() and status.sync.bar.value() == 1200
    bus.publish(ev.BodiesProgress(account_id=1, account="cabinet", done=10, total=40,
                                  bytes=3 * 1024 * 1024))  # fmt: skip
    assert status.sync.label.text().startswith("Archivage des messages\u00a0: 10 sur 40 (3")
    bus.publish(ev.SyncFinished(account_id=1, account="cabinet", added=5))
    assert status.sync.label.text().startswith("À jour (")
    assert not status.sync.bar.isVisible()

    bus.publish(ev.OutboxCounts(account_id=1, account="cabinet", waiting=2, failed=1))
    assert status.outbox.text() == "2 messages en attente d'envoi · 1 non envoyé"
    bus.publish(ev.OutboxCounts(account_id=1, account="cabinet", waiting=0, failed=0))
    assert not status.outbox.isVisible()

    bus.publish(ev.QuotaChanged(account_id=1, account="cabinet", used_kib=950_000,
                                limit_kib=1_000_000))  # fmt: skip
    assert status.quota.isVisible() and status.quota.value() == 95
    assert status.quota.property("full") is True
    assert "cabinet" in status.quota.toolTip()

    bus.publish(ev.ConnectionChanged(account_id=1, account="cabinet",
                                     state=ev.ConnectionState.ONLINE))  # fmt: skip
    bus.publish(ev.ConnectionChanged(account_id=2, account="ORG urgences",
                                     state=ev.ConnectionState.ONLINE))  # fmt: skip
    assert not window.offline_banner.isVisible()
    bus.publish(ev.ConnectionChanged(account_id=2, account="ORG urgences",
                                     state=ev.ConnectionState.OFFLINE,
                                     code="network.unreachable"))  # fmt: skip
    assert window.offline_banner.isVisible()
    assert window.offline_banner.text.text() == (
        "Hors ligne\u00a0: vos messages archivés restent consultables\u202f; "
        "les envois attendent le retour du réseau. (ORG urgences)"
    )
    assert status.connections.accessible_text(2) == "ORG urgences\u00a0: hors ligne"
    assert status.connections.accessible_text(1) == "cabinet\u00a0: connectée"
    bus.publish(ev.SessionEnded(account_id=1, account="cabinet"))
    assert window.offline_banner.session_ended
    assert window.offline_banner.button.text() == "Se &reconnecter"
    signals.close()
    window.deleteLater()


def test_offline_status_no_longer_says_up_to_date(qapp: QApplication, french: None) -> None:
    bus = EventBus(strict=True)
    signals = EngineSignals(bus)
    window = MainWindow()
    window.status.connect_signals(signals)
    label = window.status.sync.label

    bus.publish(ev.ConnectionChanged(account_id=1, account="cabinet",
                                     state=ev.ConnectionState.OFFLINE))  # fmt: skip
    assert label.text() == "Hors ligne"
    bus.publish(ev.SyncFinished(account_id=1, account="cabinet", added=0))
    assert label.text().startswith("À jour (")
    last = label.text().removeprefix("À jour (").removesuffix(")")
    bus.publish(ev.ConnectionChanged(account_id=1, account="cabinet",
                                     state=ev.ConnectionState.OFFLINE))  # fmt: skip
    assert label.text() == f"Hors ligne\u202f; dernière synchronisation à {last}"
    window.close()
