"""Re-reading a page after the engine says its data changed: shortly, and only while it shows.

A burst of events gives one read (a short single-shot timer); a hidden page does no work and
reads again when it shows; a read already on its way is followed by another once it ends.
Must run on the Qt thread.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QWidget


class PageRefresh(QObject):
    """Calls `reload` shortly after `request`, when `page` shows and `busy()` is false.

    The page forwards its ``hideEvent`` and ``showEvent`` (`page_hidden`, `page_shown`).
    """

    def __init__(
        self,
        page: QWidget,
        delay_ms: int,
        reload: Callable[[], object],
        busy: Callable[[], bool],
    ) -> None:
        super().__init__(page)
        self._page = page
        self._reload = reload
        self._busy = busy
        self._stale = False
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(delay_ms)
        self.timer.timeout.connect(self._on_timeout)

    def request(self) -> None:
        """The page's data changed: read again soon, or when the page shows again."""
        if not self._page.isVisible():
            self._stale = True  # read again when shown (a hidden page does no work)
            return
        self.timer.start()

    def page_hidden(self) -> None:
        """From the page's ``hideEvent``: a read waiting to start waits for it to show again."""
        if self.timer.isActive():
            self.timer.stop()
            self._stale = True

    def page_shown(self) -> None:
        """From the page's ``showEvent``: read again what changed while it was hidden."""
        if self._stale:
            self._stale = False
            self.timer.start()

    def _on_timeout(self) -> None:
        if self._busy():
            self.timer.start()  # a read is on its way: read again after it
            return
        self._reload()
