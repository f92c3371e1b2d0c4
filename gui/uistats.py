"""``KEYSCOPE_UI_STATS=path``: how the UI keeps up, for benchmarks/app_bench.py.

Opt-in (the app installs it only when the variable is set).  Every 250 ms one JSON line
of counters is appended to ``path``: overview samples, paint events of the window's
widgets, change-feed emissions, keys in the tree, asyncio iterations of the Qt loop.
Nothing here runs per request: the paint counter is an event filter on the window's
widgets only (socket and timer events go to other objects), the rest are counters the
app keeps anyway.
"""
from __future__ import annotations

import asyncio
import json
import time

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QWidget

INTERVAL_MS = 250


class UiStats(QObject):
    def __init__(self, window, path: str, interval_ms: int = INTERVAL_MS):
        super().__init__(window)
        self.window = window
        self.paints = 0
        self.changes = 0                    # keysChanged emissions (tree, key view)
        self.extra: dict = {}               # anything a driver wants in the lines
        window.source.keysChanged.connect(self._changed)
        self.watch(window)
        self.file = open(path, "a", buffering=1, encoding="utf-8")
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.write)
        self.timer.start()

    def watch(self, root: QWidget):
        """Count the paint events of ``root`` and the widgets it holds now."""
        for w in (root, *root.findChildren(QWidget)):
            w.installEventFilter(self)

    def eventFilter(self, obj, event):
        if event.type() == QEvent.Paint:
            self.paints += 1
        return False

    def _changed(self, db, keys):
        self.changes += 1

    def snapshot(self) -> dict:
        w = self.window
        loop = asyncio.get_event_loop()
        tab = w.tabs.tabText(w.tabs.currentIndex())
        key = getattr(w.keyview, "key", None)
        return {"t": time.time(), "overview_samples": w.overview.samples,
                "paints": self.paints, "changes": self.changes,
                "tree_keys": len(w.tree.model.ns), "loop_ticks": getattr(loop, "ticks", None),
                "tab": tab, "key": key.decode("utf-8", "replace") if key else None,
                **self.extra}

    def write(self):
        self.file.write(json.dumps(self.snapshot()) + "\n")


def install(window, path: str) -> UiStats:
    window.ui_stats = UiStats(window, path)
    return window.ui_stats
