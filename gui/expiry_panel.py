"""Expiry timeline (embedded engine only).

- Upcoming expirations, exact: every key with a TTL in every database bucketed by when
  it expires (overdue / next minute / 10 min / hour / day / later), per top-level
  namespace, and a per-minute chart of the next hour.  A pass walks the expires dicts in
  slices on a timer (engine.evictlab.ExpiryHistogram), never the whole keyspace in one
  loop iteration; passes repeat while the panel is visible.
- Expire-cycle telemetry: expirations by the active cycle and on access (lazy), their
  rates, the cycle's time-cap hits and CPU time, and the stale share: keys whose time
  has passed but that are still in memory, counted exactly by the pass (Redis's
  expired_stale_perc is an estimate from its sampling; ours is reported beside it).

Remote: the panel says these views need the embedded engine and shows what INFO gives
(expired_keys, expired_stale_perc, expired_time_cap_reached_count, keys/expires/avg_ttl
per database).
"""
from __future__ import annotations

import time

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (QFormLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit,
                               QPushButton, QSplitter, QVBoxLayout, QWidget)

from .memory_panel import RowsModel, _int, _ns, table
from .panelkit import NOT_AVAILABLE, Poller
from .source import InspectorSource, keyspace_fields

try:                                        # light/dark charts where the app has themes
    from . import theme
except ImportError:                         # pragma: no cover
    theme = None

TELEMETRY_MS = 1000
WALK_TICK_MS = 25
WALK_BUDGET_S = 0.008
PASS_PAUSE_MS = 2000
ALL = "(all databases)"


class TimelineChart(pg.PlotWidget):
    """Keys expiring per minute over the next hour (one bar item, heights updated)."""

    def __init__(self):
        super().__init__()
        self.setTitle("keys expiring per minute, next hour")
        self.setMenuEnabled(False)
        self.setMouseEnabled(x=False, y=False)
        self.hideButtons()
        self.showGrid(x=False, y=True, alpha=0.2)
        self.setLabel("bottom", "minutes from now")
        for side in ("bottom", "left"):
            self.getAxis(side).enableAutoSIPrefix(False)
        self.bars = pg.BarGraphItem(x=np.arange(60) + 0.5, height=np.zeros(60), width=0.8,
                                    brush="#1f77b4")
        self.addItem(self.bars)
        self.setXRange(0, 60, padding=0.01)
        self.setMinimumHeight(140)
        if theme is not None and hasattr(theme, "follow"):
            theme.follow(self)

    def show_minutes(self, minutes):
        self.bars.setOpts(height=np.asarray(minutes, dtype=float))


class ExpiryPanel(QWidget):
    def __init__(self, source: InspectorSource, parent=None,
                 telemetry_ms: int = TELEMETRY_MS, pass_pause_ms: int = PASS_PAUSE_MS):
        super().__init__(parent)
        self.source = source
        engine = getattr(source, "engine", None)
        self.engine = engine if source.kind == "embedded" and \
            hasattr(engine, "stats") else None
        self.embedded = self.engine is not None
        self.walk = None                    # the ExpiryHistogram pass in progress
        self.last = None                    # the last complete pass
        self.passes = 0
        self.pass_pause_ms = pass_pause_ms
        self.counters: dict = {}            # the latest expire counters
        self.rates: dict = {}               # per second, over the last interval
        self._prev = None                   # (time, counters)
        self.remote_figures: dict = {}

        from engine.evictlab import LABELS
        self.labels = LABELS
        nb = len(LABELS)
        self.hist_model = RowsModel(("namespace",) + LABELS + ("total",),
                                    {i: _int for i in range(1, nb + 2)} | {0: _ns},
                                    tuple(range(1, nb + 2)), self)
        self.hist_view = table(self.hist_model, sort_column=nb + 1,
                               order=Qt.DescendingOrder, stretch=0)
        self.chart = TimelineChart()

        self.delimiter = QLineEdit(":")
        self.delimiter.setMaximumWidth(40)
        self.delimiter.setToolTip("top-level namespace = the key up to the first delimiter")
        self.delimiter.editingFinished.connect(self.rescan)
        self.rescan_button = QPushButton("Rescan now")
        self.rescan_button.clicked.connect(self.rescan)
        self.pass_label = QLabel()
        self.pass_label.setWordWrap(True)
        self.note = QLabel()
        self.note.setWordWrap(True)

        self.tele = {}
        form = QFormLayout()
        for key, label in (("expired", "expired keys (INFO expired_keys)"),
                           ("active", "by the active expire cycle"),
                           ("lazy", "on access (lazy)"),
                           ("stale", "stale: overdue, still in memory (exact)"),
                           ("stale_perc", "INFO expired_stale_perc (Redis's estimate)"),
                           ("time_cap", "cycles stopped by their time cap"),
                           ("cycle", "expire cycle CPU time"),
                           ("volatile", "keys with a TTL")):
            lab = QLabel("")
            lab.setTextInteractionFlags(Qt.TextSelectableByMouse)
            self.tele[key] = lab
            form.addRow(label, lab)
        tele_box = QGroupBox("Expire cycle")
        tele_box.setLayout(form)

        controls = QHBoxLayout()
        controls.addWidget(QLabel("namespace delimiter"))
        controls.addWidget(self.delimiter)
        controls.addWidget(self.rescan_button)
        controls.addWidget(self.pass_label, 1)

        top = QWidget()
        tl = QHBoxLayout(top)
        tl.setContentsMargins(0, 0, 0, 0)
        tl.addWidget(self.chart, 2)
        tl.addWidget(tele_box, 1)
        hist = QGroupBox("Upcoming expirations by namespace (exact)")
        hl = QVBoxLayout(hist)
        hl.addLayout(controls)
        hl.addWidget(self.hist_view, 1)
        split = QSplitter(Qt.Vertical)
        split.addWidget(top)
        split.addWidget(hist)
        split.setStretchFactor(1, 2)
        lay = QVBoxLayout(self)
        lay.addWidget(self.note)
        lay.addWidget(split, 1)

        self.poller = Poller(self, self.sample, telemetry_ms)
        self.walk_timer = QTimer(self)
        self.walk_timer.setInterval(WALK_TICK_MS)
        self.walk_timer.timeout.connect(self.walk_tick)
        self.next_pass = QTimer(self)
        self.next_pass.setSingleShot(True)
        self.next_pass.timeout.connect(self._start_pass)
        if not self.embedded:
            self.note.setText(
                f"The expiry timeline is {NOT_AVAILABLE} for a remote server: an exact "
                f"histogram of upcoming expirations and active/lazy expiration counts need "
                f"the embedded engine (Redis exposes neither). Shown: what INFO reports.")
            for w in (self.delimiter, self.rescan_button, self.hist_view, self.chart):
                w.setEnabled(False)
            self.tele["active"].setText(NOT_AVAILABLE)
            self.tele["lazy"].setText(NOT_AVAILABLE)
            self.tele["stale"].setText(NOT_AVAILABLE)

    # ------------------------------------------------------------------ visibility
    def showEvent(self, event):
        super().showEvent(event)
        self.sample()
        if not self.embedded:
            return
        if self.walk is None and not self.next_pass.isActive():
            self._start_pass()
        elif self.walk is not None:
            self.walk_timer.start()

    def hideEvent(self, event):
        super().hideEvent(event)
        self.walk_timer.stop()
        self.next_pass.stop()               # (showEvent starts the next pass at once)

    # ------------------------------------------------------------------ histogram
    def rescan(self):
        if not self.embedded:
            return
        self.next_pass.stop()
        self._start_pass()

    def _start_pass(self):
        from engine.evictlab import ExpiryHistogram
        self.walk = ExpiryHistogram(self.engine, self.delimiter.text().encode() or b":")
        if self.last is None:
            self.pass_label.setText("walking the keys with a TTL…")
        self.walk_tick()
        if self.walk is not None and self.isVisible():
            self.walk_timer.start()

    def walk_tick(self):
        w = self.walk
        if w is None:
            self.walk_timer.stop()
            return
        if not w.step(time.perf_counter() + WALK_BUDGET_S):
            if self.last is None and w.total_expected:
                self.pass_label.setText(f"walking the keys with a TTL… "
                                        f"{w.keys * 100 // w.total_expected}%")
            return
        self.walk_timer.stop()
        self.walk = None
        self.passes += 1
        self.publish(w)
        if self.isVisible():
            self.next_pass.start(self.pass_pause_ms)

    def publish(self, w):
        self.last = w
        rows = [(ALL, *w.counts, sum(w.counts))] if w.keys else []
        rows += [(ns, *rest) for ns, *rest in w.ns_rows()]
        self.hist_model.set_rows(rows)
        self.chart.show_minutes(w.minutes)
        self.pass_label.setText(
            f"exact: {w.keys:,} keys with a TTL, as of "
            f"{time.strftime('%H:%M:%S', time.localtime(w.now / 1000))} "
            f"({w.slices} slice{'s' if w.slices != 1 else ''}, {w.elapsed * 1000:.1f} ms)")
        self._show_stale()

    def _show_stale(self):
        w = self.last
        if w is None:
            return
        share = w.stale * 100 / w.keys if w.keys else 0.0
        self.tele["stale"].setText(f"{w.stale:,} of {w.keys:,} ({share:.2f}%)")

    # ------------------------------------------------------------------ telemetry
    def sample(self):
        if not self.embedded:
            self._sample_remote()
            return
        from engine.evictlab import expire_counters
        now = time.monotonic()
        n = expire_counters(self.engine)
        prev = self._prev
        if prev is not None and now > prev[0]:
            dt = now - prev[0]
            self.rates = {k: max(0, (n[k] or 0) - (prev[1][k] or 0)) / dt
                          for k in ("expired", "active", "lazy")}
        self._prev = (now, n)
        self.counters = n
        r = self.rates

        def with_rate(key):
            v = n[key]
            if v is None:
                return NOT_AVAILABLE + " (this engine build does not split them)"
            return f"{v:,}" + (f"   ({r[key]:,.1f}/s)" if key in r else "")
        for key in ("expired", "active", "lazy"):
            self.tele[key].setText(with_rate(key))
        self.tele["stale_perc"].setText(f"{n['stale_perc']:.2f}%")
        self.tele["time_cap"].setText(NOT_AVAILABLE if n["time_cap"] is None
                                      else f"{n['time_cap']:,}")
        self.tele["cycle"].setText(f"{n['cycle_us'] / 1000:,.1f} ms in total")
        self.tele["volatile"].setText(f"{n['volatile']:,}")
        self._show_stale()

    def _sample_remote(self):
        try:
            st = self.source.info_section("stats")
            ks = self.source.info_section("keyspace")
        except Exception as e:
            self.tele["expired"].setText(f"INFO {NOT_AVAILABLE}: {e}")
            return
        self.remote_figures = {k: st.get(k) for k in (
            "expired_keys", "expired_stale_perc", "expired_time_cap_reached_count",
            "expire_cycle_cpu_milliseconds")}
        f = self.remote_figures
        self.tele["expired"].setText(f.get("expired_keys") or NOT_AVAILABLE)
        self.tele["stale_perc"].setText(
            f"{f['expired_stale_perc']}%" if f.get("expired_stale_perc") else NOT_AVAILABLE)
        self.tele["time_cap"].setText(f.get("expired_time_cap_reached_count")
                                      or NOT_AVAILABLE)
        ms = f.get("expire_cycle_cpu_milliseconds")
        self.tele["cycle"].setText(f"{ms} ms in total" if ms else NOT_AVAILABLE)
        parts, volatile = [], 0
        for name in sorted(ks, key=lambda s: int(s[2:]) if s[2:].isdigit() else 0):
            try:
                d = keyspace_fields(ks[name])
                volatile += int(d.get("expires", 0))
                parts.append(f"{name}: {int(d['keys']):,} keys, {int(d['expires']):,} "
                             f"with a TTL, avg_ttl {int(d.get('avg_ttl', 0)) / 1000:,.0f} s")
            except (ValueError, KeyError):
                continue
        self.tele["volatile"].setText(f"{volatile:,}")
        self.pass_label.setText("INFO keyspace (avg_ttl is Redis's sampled estimate): " +
                                ("; ".join(parts) if parts else "no keys"))
