"""Server overview: live charts (ops/s, hit ratio, network in/out, expired/evicted keys per
second, clients, keys, memory), event markers (saves, AOF rewrites, config changes) and the
server's facts.

Sampled at 1-4 Hz (user's choice) from the source into numpy ring buffers; each series is
one pyqtgraph curve created once and updated with ``setData`` (no re-plotting).  Ranges
move in steps (``Chart.set_ranges``: a window of 10 s, 30 s, 1 ... 20 min, a round top)
and the axes are cached as pixmaps: pyqtgraph rebuilds an axis whenever its range
changes, and with the grid on every curve update repainted the axes, most of a sample's
cost (the embedded server shares this thread).  Rates are
counter differences over the real time between two samples; a counter that went back
(CONFIG RESETSTAT) reads as 0 for that interval, and an interval without lookups has no
hit ratio (a gap in the curve, not a made-up 0 or 100).
"""
from __future__ import annotations

import time

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (QComboBox, QFormLayout, QGraphicsItem, QGridLayout, QGroupBox,
                               QHBoxLayout, QLabel, QVBoxLayout, QWidget)

from . import theme
from .source import InspectorSource

HISTORY = 1200                # samples kept (5 minutes at 4 Hz, 20 at 1 Hz)
INTERVAL_MS = 500
RATES = (("1 Hz", 1000), ("2 Hz", 500), ("4 Hz", 250))
MAX_MARKERS = 40              # event lines kept on the charts
REMOTE_CONFIG_EVERY_S = 5.0   # remote: CONFIG GET * at most this often (it costs a reply)

WINDOWS_S = (10, 30, 60, 120, 300, 600, 1200)   # the charts' time spans: smallest that fits

pg.setConfigOptions(antialias=True, background="w", foreground="#333")

# curve name -> (chart, legend, color); charts in grid order
CHARTS = (("ops", "Commands per second", "ops/s"),
          ("hits", "Keyspace hit ratio", "%"),
          ("net", "Network", "KB/s"),
          ("keyevents", "Keys expired / evicted per second", "keys/s"),
          ("clients", "Connected clients", ""),
          ("keys", "Keys (all databases)", ""),
          ("rss", "Memory", "MB"))
CURVES = (("ops", "ops", "", "#1f77b4"),
          ("hits", "hits", "", "#17becf"),
          ("net_in", "net", "in", "#2ca02c"),
          ("net_out", "net", "out", "#ff7f0e"),
          ("expired", "keyevents", "expired", "#8c564b"),
          ("evicted", "keyevents", "evicted", "#d62728"),
          ("clients", "clients", "", "#2ca02c"),
          ("keys", "keys", "", "#9467bd"),
          ("rss", "rss", "RSS", "#d62728"),
          ("used", "rss", "used_memory", "#1f77b4"))
NOW_LABELS = (("ops", "ops/s"), ("hits", "hit ratio"), ("net_in", "network in"),
              ("net_out", "network out"), ("expired", "expired/s"), ("evicted", "evicted/s"),
              ("clients", "clients"), ("keys", "keys"), ("rss", "RSS"))


class Ring:
    """A fixed-size numpy ring buffer; ``view()`` returns the samples in time order."""

    def __init__(self, n: int):
        self.buf = np.zeros(n)
        self.n = n
        self.i = 0
        self.full = False

    def push(self, v: float):
        self.buf[self.i] = v
        self.i = (self.i + 1) % self.n
        if self.i == 0:
            self.full = True

    def view(self) -> np.ndarray:
        if not self.full:
            return self.buf[:self.i]
        return np.concatenate((self.buf[self.i:], self.buf[:self.i]))

    def __len__(self):
        return self.n if self.full else self.i


def window_for(age: float) -> float:
    """The time span shown for samples reaching ``age`` seconds back (a step, so the
    x axis is rebuilt only when the history crosses one)."""
    for w in WINDOWS_S:
        if age <= w:
            return float(w)
    return float(-(-age // 600) * 600)


def nice_top(v: float) -> float:
    """A round upper bound with a little headroom: 1, 2, 2.5, 5 times a power of ten."""
    if not v > 0 or not np.isfinite(v):
        return 1.0
    v *= 1.05
    p = 10.0 ** np.floor(np.log10(v))
    for m in (1, 2, 2.5, 5, 10):
        if v <= m * p:
            return float(m * p)
    return float(10 * p)


def steady_axes(plot: pg.PlotWidget):
    """Manual ranges (set by the caller in steps) and axes drawn from a pixmap cache."""
    plot.disableAutoRange()
    for side in ("bottom", "left"):
        ax = plot.getAxis(side)
        ax.enableAutoSIPrefix(False)
        ax.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)


class Chart(pg.PlotWidget):
    def __init__(self, title: str, unit: str = ""):
        super().__init__()
        self.setTitle(title)
        self.setMenuEnabled(False)
        self.setMouseEnabled(x=False, y=False)
        self.hideButtons()
        self.showGrid(x=True, y=True, alpha=0.2)
        self.setLabel("bottom", "seconds ago")
        if unit:
            self.setLabel("left", unit)
        steady_axes(self)
        self.fixed_y = None             # a fixed y range (the hit ratio's 0-100 %)
        self._ranges = (None, None)
        self.getPlotItem().setDownsampling(auto=True, mode="peak")
        self.getPlotItem().setClipToView(True)
        self.curves: dict[str, pg.PlotDataItem] = {}
        self.curve = None               # the first curve
        self.setMinimumHeight(110)
        theme.follow(self)              # background and axes follow light/dark

    def add_curve(self, name: str, legend: str, color: str, fill: bool) -> pg.PlotDataItem:
        if legend and self.getPlotItem().legend is None:
            self.addLegend(offset=(5, 5))
        kw = {"fillLevel": 0, "brush": pg.mkBrush(color + "33")} if fill else {}
        c = self.plot(pen=pg.mkPen(color, width=2), name=legend or None, **kw)
        self.curves[name] = c
        if self.curve is None:
            self.curve = c
        return c

    def update_curve(self, t: np.ndarray, y: np.ndarray, name: str | None = None):
        (self.curve if name is None else self.curves[name]).setData(t, y)

    def set_ranges(self, window: float, top: float):
        """Set the ranges, only when they differ: the x axis spans ``window`` seconds up
        to now, the y axis 0 .. ``top`` (``fixed_y`` when set), a sliver below 0 so a
        zero line stays visible."""
        ranges = (window, self.fixed_y or (-0.02 * top, top))
        if ranges != self._ranges:
            self._ranges = ranges
            self.setRange(xRange=(-window, 0), yRange=ranges[1], padding=0)


def _delta(now: dict, prev: dict, name: str) -> float:
    try:
        return float(max(0, int(now[name]) - int(prev[name])))
    except (KeyError, TypeError, ValueError):
        return np.nan                   # the source does not report it


def _rate(now: dict, prev: dict, name: str, dt: float) -> float:
    return _delta(now, prev, name) / dt


def _counters(s) -> dict:
    """The sample's counters under one set of names (embedded and INFO spellings)."""
    x = s.extra or {}
    return {"hits": x.get("keyspace_hits"), "misses": x.get("keyspace_misses"),
            "net_in": x.get("total_net_input_bytes", x.get("net_input_bytes")),
            "net_out": x.get("total_net_output_bytes", x.get("net_output_bytes")),
            "expired": x.get("expired_keys"), "evicted": x.get("evicted_keys")}


class EventWatch:
    """Turns successive readings of INFO persistence and CONFIG GET * into events:
    "BGSAVE started", "RDB saved", "RDB save failed", "AOF rewrite", "config name=value"."""

    def __init__(self):
        self.persist: dict | None = None
        self.config: dict | None = None

    def check(self, persist: dict | None, config: dict | None) -> list[str]:
        out = []
        p0 = self.persist
        if persist and p0:
            def grew(name):
                try:
                    return int(persist[name]) > int(p0[name])
                except (KeyError, ValueError):
                    return False
            if persist.get("rdb_bgsave_in_progress") == "1" and \
                    p0.get("rdb_bgsave_in_progress") != "1":
                out.append("BGSAVE started")
            if grew("rdb_saves"):
                out.append("RDB saved")
            elif grew("rdb_last_save_time"):
                out.append("RDB saved")
            if persist.get("rdb_last_bgsave_status") == "err" and \
                    p0.get("rdb_last_bgsave_status") != "err":
                out.append("RDB save failed")
            if grew("aof_rewrites"):
                out.append("AOF rewritten")
        if persist:
            self.persist = persist
        if config is not None:
            if self.config is not None:
                changed = [n for n, v in config.items() if self.config.get(n) != v]
                for n in sorted(changed)[:3]:
                    v = config[n]
                    out.append(f"config {n}={v[:30] + '…' if len(v) > 30 else v}")
                if len(changed) > 3:
                    out.append(f"config: {len(changed) - 3} more changed")
            self.config = config
        return out


class OverviewPanel(QWidget):
    def __init__(self, source: InspectorSource, parent=None, interval_ms: int = INTERVAL_MS):
        super().__init__(parent)
        self.source = source
        self.embedded = source.kind == "embedded"
        self.t = Ring(HISTORY)
        self.series = {name: Ring(HISTORY) for name, *_ in CURVES}
        self.charts = {name: Chart(title, unit) for name, title, unit in CHARTS}
        for name, chart, legend, color in CURVES:
            self.charts[chart].add_curve(name, legend, color,
                                         fill=not legend and name != "hits")
        self.charts["hits"].fixed_y = (-2.0, 102.0)
        grid = QGridLayout()
        for n, (name, *_r) in enumerate(CHARTS):
            span = 2 if n == len(CHARTS) - 1 and len(CHARTS) % 2 else 1
            grid.addWidget(self.charts[name], n // 2, n % 2, 1, span)

        facts = QGroupBox("Server")
        self.form = QFormLayout(facts)
        self.fact_labels: dict[str, QLabel] = {}
        now_box = QGroupBox("Now")
        now_form = QGridLayout(now_box)
        self.now_labels = {name: QLabel("-") for name, _ in NOW_LABELS}
        for i, (name, text) in enumerate(NOW_LABELS):
            now_form.addWidget(QLabel(text), i % 5, 2 * (i // 5))
            now_form.addWidget(self.now_labels[name], i % 5, 2 * (i // 5) + 1)
        self.rate = QComboBox()
        for label, ms in RATES:
            self.rate.addItem(label, ms)
        self.rate.setToolTip("how often the server is sampled")
        self.events_label = QLabel("Events: none yet")
        self.events_label.setWordWrap(True)
        self.events_label.setToolTip("saves, AOF rewrites and config changes, also marked "
                                     "on the charts with a dashed line")
        top = QHBoxLayout()
        top.addWidget(facts, 1)
        top.addWidget(now_box, 1)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addLayout(grid, 1)
        bottom = QHBoxLayout()
        self.note = QLabel()
        self.note.setWordWrap(True)
        bottom.addWidget(QLabel("sample"))
        bottom.addWidget(self.rate)
        bottom.addWidget(self.note, 1)
        lay.addWidget(self.events_label)
        lay.addLayout(bottom)

        self._prev = None
        self.samples = 0
        self.watch = EventWatch()
        self.events: list[tuple[float, str]] = []     # (unix time, text), oldest first
        self.markers: list[tuple[float, list]] = []   # (unix time, one line per chart)
        self._config_at = 0.0
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.sample)
        self.set_interval(interval_ms)
        i = self.rate.findData(interval_ms)
        if i >= 0:
            self.rate.setCurrentIndex(i)
        self.rate.currentIndexChanged.connect(
            lambda i: self.set_interval(self.rate.itemData(i)))
        self.timer.start()
        self.sample()

    def set_interval(self, ms: int):
        self.timer.setInterval(ms)
        mode = "exact, in-process" if self.embedded else \
            ("from INFO (our own commands subtracted from ops/s; network and hit ratio "
             "include the inspector's own INFO and key reads)")
        self.note.setText(f"every {ms / 1000:g} s, {mode}.")

    def _fact(self, name: str, value: str):
        lbl = self.fact_labels.get(name)
        if lbl is None:
            lbl = self.fact_labels[name] = QLabel()
            self.form.addRow(name, lbl)
        lbl.setText(value)

    # ------------------------------------------------------------------ sampling
    def sample(self):
        try:
            s = self.source.sample()
        except Exception as e:
            self.note.setText(f"Cannot sample the server: {e}")
            return
        if self.note.text().startswith("Cannot sample"):    # the server is back
            self.set_interval(self.timer.interval())
        cur = _counters(s)
        if self._prev is None:
            try:
                for k, v in self.source.info().items():
                    if k in ("server", "mode", "address", "redis_version",
                             "maxmemory-policy", "tcp_port"):   # (static facts only)
                        self._fact(k, v)
            except Exception as e:
                self._fact("server", f"not available: {e}")
            values = dict.fromkeys(("ops", "hits", "net_in", "net_out", "expired",
                                    "evicted"), np.nan)
        else:
            ps, pc = self._prev
            dt = max(s.time - ps.time, 1e-3)
            hits, misses = _delta(cur, pc, "hits"), _delta(cur, pc, "misses")
            lookups = hits + misses
            values = {"ops": max(0.0, (s.commands - ps.commands) / dt),
                      "hits": 100.0 * hits / lookups if lookups > 0 else np.nan,
                      "net_in": _rate(cur, pc, "net_in", dt) / 1024,
                      "net_out": _rate(cur, pc, "net_out", dt) / 1024,
                      "expired": _rate(cur, pc, "expired", dt),
                      "evicted": _rate(cur, pc, "evicted", dt)}
        self._prev = (s, cur)
        self.samples += 1
        self.t.push(s.time)
        values.update(clients=s.clients, keys=s.keys,
                      rss=(s.rss / 1048576) if s.rss else np.nan,
                      used=(s.used_memory / 1048576) if s.used_memory else np.nan)
        for name, v in values.items():
            self.series[name].push(v)
        self._show_now(values, s)
        self._check_events(s)
        if self.isVisible():
            self.redraw()

    def _show_now(self, v: dict, s):
        def fmt(x, spec, unit=""):
            return "-" if x is None or np.isnan(x) else f"{x:{spec}}{unit}"
        lbl = self.now_labels
        lbl["ops"].setText(fmt(v["ops"], ",.0f"))
        lbl["hits"].setText("-" if self.samples < 2 else
                            fmt(v["hits"], ".1f", " %") if not np.isnan(v["hits"]) else
                            "- (no lookups)")
        lbl["net_in"].setText(fmt(v["net_in"], ",.1f", " KB/s"))
        lbl["net_out"].setText(fmt(v["net_out"], ",.1f", " KB/s"))
        lbl["expired"].setText(fmt(v["expired"], ",.1f"))
        lbl["evicted"].setText(fmt(v["evicted"], ",.1f"))
        lbl["clients"].setText(str(s.clients))
        lbl["keys"].setText(f"{s.keys:,}")
        lbl["rss"].setText(f"{v['rss']:.1f} MB" if s.rss else "-")

    # ------------------------------------------------------------------ events
    def _check_events(self, s):
        x = s.extra or {}
        try:
            persist = x if "rdb_saves" in x else self.source.info_section("persistence")
        except Exception:
            persist = None
        config = None
        if self.embedded or s.time - self._config_at >= REMOTE_CONFIG_EVERY_S:
            try:
                config = self.source.config_get("*")
                self._config_at = s.time
            except Exception:
                config = None
        for text in self.watch.check(persist, config):
            self.add_event(s.time, text)

    def add_event(self, when: float, text: str):
        self.events.append((when, text))
        del self.events[:-MAX_MARKERS]
        lines = []
        for name, chart in self.charts.items():       # mid grey: legible in both themes
            line = pg.InfiniteLine(pos=when - time.time(), angle=90,
                                   pen=pg.mkPen("#8a8a8a", width=1, style=Qt.DashLine),
                                   label=text if name == "ops" else None,
                                   labelOpts={"position": 0.85, "color": "#8a8a8a"})
            chart.addItem(line)
            lines.append((chart, line))
        self.markers.append((when, lines))
        while len(self.markers) > MAX_MARKERS:
            _, old = self.markers.pop(0)
            for chart, line in old:
                chart.removeItem(line)
        recent = self.events[-4:]
        self.events_label.setText("Events: " + "; ".join(
            f"{time.strftime('%H:%M:%S', time.localtime(t))} {e}"
            for t, e in reversed(recent)))

    # ------------------------------------------------------------------ drawing
    def redraw(self):
        t = self.t.view()
        if not len(t):
            return
        now = time.time()
        x = t - now
        window = window_for(-x[0])
        tops = dict.fromkeys(self.charts, 0.0)
        for name, chart, _legend, _c in CURVES:
            y = self.series[name].view()
            self.charts[chart].update_curve(x, y, name)
            if len(y) and not np.isnan(y).all():
                tops[chart] = max(tops[chart], float(np.nanmax(y)))
        for name, chart in self.charts.items():
            chart.set_ranges(window, nice_top(tops[name]))
        for when, lines in self.markers:
            for _chart, line in lines:
                line.setValue(when - now)

    def showEvent(self, e):
        super().showEvent(e)
        self.redraw()
