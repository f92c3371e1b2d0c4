"""Server overview: live charts (ops/s, clients, keys, memory) and the server's facts.

Sampled at 2 Hz from the source into numpy ring buffers; each chart is one pyqtgraph
curve created once and updated with ``setData`` (no re-plotting).
"""
from __future__ import annotations

import time

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QFormLayout, QGridLayout, QGroupBox, QLabel, QVBoxLayout, QWidget

from .source import InspectorSource

HISTORY = 600                 # samples kept (5 minutes at 2 Hz)
INTERVAL_MS = 500

pg.setConfigOptions(antialias=True, background="w", foreground="#333")


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


class Chart(pg.PlotWidget):
    def __init__(self, title: str, unit: str = "", color: str = "#1f77b4"):
        super().__init__()
        self.setTitle(title)
        self.setMenuEnabled(False)
        self.setMouseEnabled(x=False, y=False)
        self.hideButtons()
        self.showGrid(x=True, y=True, alpha=0.2)
        self.setLabel("bottom", "seconds ago")
        if unit:
            self.setLabel("left", unit)
        self.getPlotItem().setDownsampling(auto=True, mode="peak")
        self.getPlotItem().setClipToView(True)
        self.curve = self.plot(pen=pg.mkPen(color, width=2),
                               fillLevel=0, brush=pg.mkBrush(color + "33"))
        self.setMinimumHeight(140)

    def update_curve(self, t: np.ndarray, y: np.ndarray):
        self.curve.setData(t, y)


class OverviewPanel(QWidget):
    def __init__(self, source: InspectorSource, parent=None, interval_ms: int = INTERVAL_MS):
        super().__init__(parent)
        self.source = source
        self.t = Ring(HISTORY)
        self.series = {name: Ring(HISTORY) for name in ("ops", "clients", "keys", "rss")}
        self.charts = {
            "ops": Chart("Commands per second", "ops/s", "#1f77b4"),
            "clients": Chart("Connected clients", "", "#2ca02c"),
            "keys": Chart("Keys (all databases)", "", "#9467bd"),
            "rss": Chart("Process memory (RSS)", "MB", "#d62728"),
        }
        grid = QGridLayout()
        for n, name in enumerate(("ops", "clients", "keys", "rss")):
            grid.addWidget(self.charts[name], n // 2, n % 2)
        facts = QGroupBox("Server")
        self.form = QFormLayout(facts)
        self.fact_labels: dict[str, QLabel] = {}
        self.now_labels = {name: QLabel("-") for name in ("ops", "clients", "keys", "rss")}
        for name, text in (("ops", "ops/s"), ("clients", "clients"), ("keys", "keys"),
                           ("rss", "RSS")):
            self.form.addRow(text, self.now_labels[name])
        lay = QVBoxLayout(self)
        lay.addWidget(facts)
        lay.addLayout(grid, 1)
        mode = "exact, in-process" if source.kind == "embedded" else \
            "from INFO (our own commands subtracted)"
        self.note = QLabel(f"Sampled every {interval_ms / 1000:g} s, {mode}.")
        lay.addWidget(self.note)
        self._prev = None
        self.samples = 0
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.sample)
        self.timer.start()
        self.sample()

    def _fact(self, name: str, value: str):
        lbl = self.fact_labels.get(name)
        if lbl is None:
            lbl = self.fact_labels[name] = QLabel()
            self.form.addRow(name, lbl)
        lbl.setText(value)

    def sample(self):
        try:
            s = self.source.sample()
        except Exception as e:
            self.note.setText(f"Cannot sample the server: {e}")
            return
        if self._prev is None:
            ops = 0.0
            for k, v in self.source.info().items():
                if k in ("server", "mode", "address", "redis_version",
                         "maxmemory-policy", "tcp_port"):   # (static facts only)
                    self._fact(k, v)
        else:
            dt = max(s.time - self._prev.time, 1e-3)
            ops = max(0.0, (s.commands - self._prev.commands) / dt)
        self._prev = s
        self.samples += 1
        self.t.push(s.time)
        values = {"ops": ops, "clients": s.clients, "keys": s.keys,
                  "rss": (s.rss or 0) / 1048576}
        for name, v in values.items():
            self.series[name].push(v)
        self.now_labels["ops"].setText(f"{ops:,.0f}")
        self.now_labels["clients"].setText(str(s.clients))
        self.now_labels["keys"].setText(f"{s.keys:,}")
        self.now_labels["rss"].setText(f"{values['rss']:.1f} MB" if s.rss else "-")
        if self.isVisible():
            self.redraw()

    def redraw(self):
        t = self.t.view()
        if not len(t):
            return
        x = t - time.time()
        for name, chart in self.charts.items():
            chart.update_curve(x, self.series[name].view())

    def showEvent(self, e):
        super().showEvent(e)
        self.redraw()
