"""Hot keys.

Embedded: the engine's exact per-key access counters (``engine.hotkeys``): reads and
writes per key over a sliding window, switched on and sized here through CONFIG SET
(``keyscope-hotkeys``, ``keyscope-hotkeys-window``).  Remote: a sample of keys (SCAN)
ranked by ``OBJECT FREQ``, which only exists under an LFU maxmemory policy; the panel
says plainly when the server's policy is not LFU, and that the LFU counter is a
logarithmic, decaying estimate without a read/write split.
"""
from __future__ import annotations

import time

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (QCheckBox, QComboBox, QHBoxLayout, QLabel, QPushButton,
                               QVBoxLayout, QWidget)

from .memory_panel import TOP, RemoteKeys, RowsModel, _int, keep_top, table
from .panelkit import NOT_AVAILABLE, Poller, StatusLine, run_action
from .source import InspectorSource

INTERVAL_MS = 1000
WINDOWS = (("10 s", 10), ("1 min", 60), ("5 min", 300), ("15 min", 900), ("1 h", 3600))
REMOTE_SAMPLE = 2000
REMOTE_BUDGET_S = 0.008


def _slices() -> int:
    try:
        from engine.hotkeys import SLICES
    except ImportError:                     # pragma: no cover
        return 1
    return SLICES


class HotKeysPanel(QWidget):
    def __init__(self, source: InspectorSource, parent=None, interval_ms: int = INTERVAL_MS):
        super().__init__(parent)
        self.source = source
        self.embedded = source.kind == "embedded"
        self.hk = getattr(getattr(source, "engine", None), "hotkeys", None) \
            if self.embedded else None
        self.interval_ms = interval_ms

        if self.embedded:
            self.model = RowsModel(("#", "db", "key", "reads", "writes", "total"),
                                   {3: _int, 4: _int, 5: _int}, (0, 1, 3, 4, 5), self)
        else:
            self.model = RowsModel(("#", "db", "key", "LFU counter (OBJECT FREQ)"),
                                   {}, (0, 1, 3), self)
        self.view = table(self.model, stretch=2)   # rank order (column #), wide key
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.status = StatusLine()

        self.enable = QCheckBox("count every access (exact, keyscope-hotkeys)")
        self.enable.toggled.connect(self._set_enabled)
        self.window = QComboBox()
        for label, secs in WINDOWS:
            self.window.addItem(label, secs)
        self.window.activated.connect(self._set_window)
        self.rank = QComboBox()
        for label in ("total", "reads", "writes"):
            self.rank.addItem(label)
        self.rank.activated.connect(lambda _i: self.refresh())
        self.resample = QPushButton("Sample again")
        self.resample.clicked.connect(self._start_remote)

        row = QHBoxLayout()
        if self.embedded:
            row.addWidget(self.enable)
            row.addWidget(QLabel("window"))
            row.addWidget(self.window)
            row.addWidget(QLabel("rank by"))
            row.addWidget(self.rank)
        else:
            row.addWidget(self.resample)
        row.addStretch(1)
        lay = QVBoxLayout(self)
        lay.addLayout(row)
        lay.addWidget(self.note)
        lay.addWidget(self.status)
        lay.addWidget(self.view, 1)

        self.cost = 0.0                      # seconds the last top() took
        self.poller = Poller(self, self.refresh, interval_ms)
        # remote: a sliced SCAN + OBJECT FREQ pass
        self._scan = None
        self.remote_timer = QTimer(self)
        self.remote_timer.setInterval(25)
        self.remote_timer.timeout.connect(self._remote_tick)
        self.passes = 0

    def showEvent(self, event):
        super().showEvent(event)
        if self.embedded:
            self.refresh()
        elif self._scan is None and self.passes == 0:
            self._start_remote()
        elif self._scan is not None:
            self.remote_timer.start()

    def hideEvent(self, event):
        super().hideEvent(event)
        self.remote_timer.stop()

    def refresh(self):
        if self.embedded:
            self._refresh_embedded()

    # ------------------------------------------------------------------ embedded
    def _refresh_embedded(self):
        hk = self.hk
        if hk is None or not hasattr(hk, "top"):
            self.note.setText(f"Hot keys are {NOT_AVAILABLE}: this engine build has no "
                              f"access counters.")
            self.enable.setEnabled(False)
            self.window.setEnabled(False)
            self.rank.setEnabled(False)
            return
        self.enable.blockSignals(True)
        self.enable.setChecked(bool(hk.enabled))
        self.enable.blockSignals(False)
        secs = hk.window_ms // 1000
        i = self.window.findData(secs)
        if i < 0:
            self.window.addItem(f"{secs} s", secs)
            i = self.window.count() - 1
        self.window.setCurrentIndex(i)
        self.window.setEnabled(hk.enabled)
        self.rank.setEnabled(hk.enabled)
        if not hk.enabled:
            self.note.setText("Access counting is off (it costs the server a little per "
                              "command). Tick the box to count every read and write per "
                              "key, exactly, over a sliding window.")
            self.model.set_rows([])
            return
        t0 = time.perf_counter()
        top = hk.top(TOP, self.rank.currentText())
        self.cost = time.perf_counter() - t0
        # a huge window of distinct keys makes top() slow: ask less often
        self.poller.set_interval(max(self.interval_ms, int(self.cost * 20_000)))
        self.model.set_rows([(n + 1, db, key, r, w, r + w)
                             for n, (db, key, r, w) in enumerate(top)])
        slice_s = hk.window_ms / 1000 / _slices()
        msg = (f"exact: reads and writes per key over the last {secs:,} s "
               f"(to {slice_s:g} s slices), every client")
        if hk.dropped:
            msg += (f"; {hk.dropped:,} accesses to further keys not counted "
                    f"(keyscope-hotkeys-max-keys {hk.max_keys:,})")
        self.note.setText(msg)

    def _set_enabled(self, on: bool):
        ok, msg = run_action(self.source, b"CONFIG", b"SET", b"keyscope-hotkeys",
                             b"yes" if on else b"no")
        self.status.show_result(ok, msg, "keyscope-hotkeys")
        self.refresh()

    def _set_window(self, _i):
        secs = self.window.currentData()
        ok, msg = run_action(self.source, b"CONFIG", b"SET", b"keyscope-hotkeys-window",
                             str(secs).encode())
        self.status.show_result(ok, msg, "window")
        self.refresh()

    # ------------------------------------------------------------------ remote
    def _start_remote(self):
        self.remote_timer.stop()
        self._scan = None
        try:
            policy = self.source.config_get("maxmemory-policy").get("maxmemory-policy")
        except Exception as e:
            self.note.setText(f"Hot keys {NOT_AVAILABLE}: CONFIG GET maxmemory-policy "
                              f"failed ({e}).")
            return
        if not policy or not policy.endswith("lfu"):
            self.passes += 1
            self.model.set_rows([])
            self.note.setText(
                f"Hot keys {NOT_AVAILABLE} on this server: its maxmemory-policy is "
                f"'{policy}', and OBJECT FREQ needs an LFU policy (allkeys-lfu or "
                f"volatile-lfu). Redis keeps no per-key access counts otherwise.")
            return
        self._scan = {"keys": RemoteKeys(self.source), "heap": [], "seen": 0, "error": None}
        self.note.setText("sampling OBJECT FREQ…")
        if self.isVisible():
            self.remote_timer.start()

    def _remote_tick(self):
        s = self._scan
        if s is None or not self.isVisible():
            self.remote_timer.stop()
            return
        call = self.source.call
        deadline = time.perf_counter() + REMOTE_BUDGET_S
        done = False
        try:
            while time.perf_counter() < deadline:
                if s["seen"] >= REMOTE_SAMPLE:
                    done = True
                    break
                item = s["keys"].next()
                if item is None:
                    done = True
                    break
                db, k = item
                try:
                    f = int(call(db, b"OBJECT", b"FREQ", k))
                except Exception as e:
                    if "no such key" in str(e).lower():
                        continue
                    raise
                s["seen"] += 1
                keep_top(s["heap"], (f, -s["seen"], db, k))
        except Exception as e:
            s["error"] = f"{type(e).__name__}: {e}"
            done = True
        if not done:
            return
        self.remote_timer.stop()
        self._scan = None
        self.passes += 1
        rows = [(i + 1, db, k, f) for i, (f, _n, db, k)
                in enumerate(sorted(s["heap"], reverse=True))]
        self.model.set_rows(rows)
        msg = (f"sampled: OBJECT FREQ of {s['seen']:,} of {s['keys'].total:,} keys "
               f"(SCAN order). The LFU counter is a logarithmic, decaying estimate "
               f"(lfu-log-factor, lfu-decay-time), not a count, and has no read/write split.")
        if s["error"]:
            msg += f" Stopped early: {s['error']}"
        self.note.setText(msg)
