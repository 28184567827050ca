"""Work-arounds for defects of the Qt binding that would otherwise crash the window.

PySide6 6.12.0 (abi3 wheels) over-releases the singletons on Python 3.11: every call of a void
``QPainter`` method made from Python (``setFont``, ``setPen``, ``save``, ``fillRect``…) drops
``None``'s reference count by one without having taken it, and ``True``/``False`` lose counts
the same way. On Python 3.11 these objects are ordinary: when a count reaches zero the process
aborts (``Fatal Python error: none_dealloc``), with no traceback and no crash report. The
message list's delegate makes about ten such calls per row and repaint: scrolling or walking
the window with Tab for a few minutes was enough (measured: about 250 counts lost per repaint of
the demo's list, 44,000 to start with).

Python 3.12 made these objects immortal (PEP 683): a lost decrement is harmless there. On
3.11 the same effect is had by raising their counts once, far out of reach, before anything is
painted: 2**40 decrements would take years of continuous repainting. Nothing is allocated; the
counts are only shown larger by `sys.getrefcount`. Remove this module once the pinned PySide6
no longer over-releases (`tests/ui/test_qt_workarounds.py` measures it and says so).
"""

from __future__ import annotations

import ctypes
import sys

#: How far each singleton's count is raised (PEP 683 uses a count of the same order).
HEADROOM = 1 << 40

_applied = False


def needs_immortal_singletons() -> bool:
    """Whether this interpreter frees ``None``/``True``/``False`` when their count reaches 0."""
    return sys.implementation.name == "cpython" and sys.version_info < (3, 12)


def make_singletons_immortal() -> bool:
    """Raise the reference counts of None, True and False once (idempotent).

    Must run before any Qt painting; `app.ui` runs it on import. Returns whether it acted.
    """
    global _applied  # one process-wide, idempotent change
    if _applied or not needs_immortal_singletons():
        return False
    for singleton in (None, True, False):
        # CPython 3.11: ob_refcnt is the first field of every object, at its id().
        count = ctypes.c_ssize_t.from_address(id(singleton))
        count.value += HEADROOM
    _applied = True
    return True
