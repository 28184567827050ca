"""The singletons' reference counts survive Qt painting (PySide6 6.12 over-release, 3.11)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

PAINT = textwrap.dedent(
    """
    import os, sys
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    {prelude}
    from PySide6.QtGui import QColor, QFont, QGuiApplication, QImage, QPainter
    app = QGuiApplication([])
    image = QImage(64, 64, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    font, colour = QFont(), QColor("red")
    before = sys.getrefcount(None)
    for _ in range(20_000):  # more than None's count at start: aborts without the guard
        painter.setFont(font)
        painter.save()
        painter.restore()
        painter.fillRect(0, 0, 4, 4, colour)
    painter.end()
    print(before - sys.getrefcount(None))
    """
)


def _paint(prelude: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", PAINT.format(prelude=prelude)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_painting_from_python_never_frees_none() -> None:
    done = _paint("import app.ui")
    # 80,000 void calls: far more than None's count at start (the process aborts unguarded).
    assert done.returncode == 0, done.stderr


def test_the_guard_is_what_keeps_the_process_alive() -> None:
    if sys.version_info >= (3, 12):
        return  # immortal singletons: nothing to show
    done = _paint("")
    lost_or_crashed = done.returncode != 0 or int(done.stdout.strip() or 0) > 0
    assert lost_or_crashed, "the binding no longer over-releases None: remove qt_workarounds"
