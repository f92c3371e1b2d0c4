"""Python's cyclic garbage collector runs on the GUI thread only.

A collection runs in whatever thread happens to allocate when a threshold is crossed.
If that is a worker (a decoder, a remote probe, a transfer target, a test's client) and
the garbage holds Qt objects, their C++ destructors run off the GUI thread: "Timers
cannot be stopped from another thread", then a segfault.  So automatic collection is
off and a timer on the GUI thread does the same work: every tick it collects the
generations whose thresholds (gc.get_threshold(), which treepager.GcHold still tunes)
have been crossed, as the interpreter would have.
"""
from __future__ import annotations

import gc
import time

from PySide6.QtCore import QObject, QTimer

TICK_MS = 50


class MainThreadGC(QObject):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.timer = QTimer(self)
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self.tick)
        self.next_full = 0.0

    def start(self):
        gc.disable()
        self.timer.start()

    def stop(self):
        self.timer.stop()
        gc.enable()

    def tick(self):
        t0, t1, t2 = gc.get_threshold()
        c0, c1, c2 = gc.get_count()
        if c0 <= t0:
            return
        now = time.monotonic()
        if c2 > t2 and now >= self.next_full:
            # a full pass walks every tracked object (a big keyspace has millions): the
            # interpreter's own guard is not reachable from Python, so cap its share of
            # time instead, at ~2%
            gc.collect(2)
            self.next_full = now + max(1.0, 50 * (time.monotonic() - now))
        else:
            gc.collect(1 if c1 > t1 else 0)


_installed: MainThreadGC | None = None


def install(app) -> MainThreadGC:
    """Once per process, on the GUI thread (``app``: the QApplication)."""
    global _installed
    if _installed is None:
        _installed = MainThreadGC(app)
        _installed.start()
    return _installed
