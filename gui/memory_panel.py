"""Memory: used_memory / RSS / dataset / overhead over time, memory by type and by
top-level namespace, the biggest keys by bytes and by elements, MEMORY DOCTOR.

- The chart samples INFO memory at 1 Hz while the panel is visible (numpy rings, one
  pyqtgraph curve per series updated with ``setData``).
- The breakdown is a walk over the keyspace in bounded slices on a timer (a few ms per
  tick, never the whole keyspace at once).  Embedded: each key's modelled bytes straight
  from the engine's accounting (``engine.memory.charged``), exact, no commands run.
  Remote: SCAN + TYPE + MEMORY USAGE on at most ``REMOTE_SAMPLE`` keys per pass, and the
  panel says so with the sample size.
- The tables update by diff (rows inserted/removed at the end, ``dataChanged`` for the
  rest): never a model reset.
"""
from __future__ import annotations

import heapq
import time

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QSortFilterProxyModel, Qt, QTimer
from PySide6.QtWidgets import (QAbstractItemView, QGridLayout, QGroupBox, QHBoxLayout,
                               QHeaderView, QLabel, QLineEdit, QPlainTextEdit, QPushButton,
                               QSplitter, QTableView, QVBoxLayout, QWidget)

from .overview import Chart, Ring, nice_top, window_for
from .panelkit import NOT_AVAILABLE, Poller, RowsTableModel, StatusLine, human_bytes, text
from .roles import ALIGNMENT, ALIGN_RIGHT, DISPLAY, TOOLTIP, USER
from .source import LENGTH_CMDS, InspectorSource, keyspace_fields

CHART_MS = 1000             # chart sampling (1 Hz, while visible)
HISTORY = 600               # chart points kept (10 minutes at 1 Hz)
WALK_TICK_MS = 25           # breakdown walk: one slice per tick ...
WALK_BUDGET_S = 0.008       # ... of at most this much work
WALK_PAUSE_MS = 5000        # between two complete passes
DOCTOR_MS = 10_000
TOP = 20
REMOTE_SAMPLE = 2000        # keys per remote pass (MEMORY USAGE each)
SORT_ROLE = USER
NO_NS = "(no delimiter)"
SERIES = (("used_memory", "used_memory", "#1f77b4"),
          ("RSS", "used_memory_rss", "#d62728"),
          ("dataset", "used_memory_dataset", "#2ca02c"),
          ("overhead", "used_memory_overhead", "#ff7f0e"))


# ---------------------------------------------------------------------- table model
class RowsModel(RowsTableModel):
    """A flat table of tuples; ``formats[i]`` renders column i (None: str), ``numeric``
    columns sort by value and align right.  Updated by diff (``set_rows``)."""

    def __init__(self, columns, formats=None, numeric=(), parent=None):
        super().__init__(columns, parent)
        self.formats = formats or {}
        self.numeric = set(numeric)

    def data(self, index, role=DISPLAY):
        if not index.isValid():
            return None
        v = self.rows[index.row()][index.column()]
        col = index.column()
        if role == DISPLAY:
            f = self.formats.get(col)
            return f(v) if f is not None else text(v)
        if role == SORT_ROLE:
            return v if col in self.numeric and v is not None else text(v)
        if role == TOOLTIP:
            return text(v)
        if role == ALIGNMENT and col in self.numeric:
            return ALIGN_RIGHT
        return None


def table(model: QAbstractTableModel, sortable: bool = True, sort_column: int = 0,
          order=Qt.AscendingOrder, stretch: int | None = None) -> QTableView:
    view = QTableView()
    if sortable:
        proxy = QSortFilterProxyModel(view)
        proxy.setSourceModel(model)
        proxy.setSortRole(SORT_ROLE)
        view.setModel(proxy)
        view.setSortingEnabled(True)
        view.sortByColumn(sort_column, order)
    else:
        view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectRows)
    view.setEditTriggers(QAbstractItemView.NoEditTriggers)
    view.setAlternatingRowColors(True)
    h = view.verticalHeader()
    h.setSectionResizeMode(QHeaderView.Fixed)
    h.setDefaultSectionSize(view.fontMetrics().height() + 6)
    h.hide()
    hh = view.horizontalHeader()
    hh.setDefaultSectionSize(80)
    hh.setStretchLastSection(True)
    cols = getattr(model, "columns", ())
    for i, name in enumerate(cols):
        if name in ("#", "db"):
            hh.resizeSection(i, 36)
        elif name == "type" and i:
            hh.resizeSection(i, 56)
    if stretch is not None:                 # the key (or name) gets the room
        hh.resizeSection(stretch, 140)
    return view


def _int(v) -> str:
    return "" if v is None else f"{v:,}"


def _ns(ns) -> str:
    """A top-level namespace for display (None: a key without the delimiter)."""
    return NO_NS if ns is None else text(ns)


# ---------------------------------------------------------------------- the walk
def keep_top(heap: list, item: tuple):
    """Keep the ``TOP`` largest items by ``item[0]`` in a min-heap (the first one seen
    wins a tie: callers put a decreasing sequence number second)."""
    if len(heap) < TOP:
        heapq.heappush(heap, item)
    elif item[0] > heap[0][0]:
        heapq.heapreplace(heap, item)


class RemoteKeys:
    """The keys of each non-empty database (INFO keyspace), SCAN page by page, one at a
    time; ``total``: the keys INFO counted."""

    def __init__(self, source):
        self.call = source.call
        ks = source.info_section("keyspace")
        self.dbs = []
        self.total = 0
        for name, v in ks.items():
            if name.startswith("db") and name[2:].isdigit():
                n = int(keyspace_fields(v)["keys"])
                self.dbs.append(int(name[2:]))
                self.total += n
        self.dbs.sort()
        self.cursor = b"0"
        self.pending: list = []

    def next(self) -> tuple[int, bytes] | None:
        """The next (db, key); None once every database is scanned."""
        while not self.pending:
            if not self.dbs:
                return None
            db = self.dbs[0]
            cur, keys = self.call(db, b"SCAN", self.cursor, b"COUNT", b"100")
            self.cursor = cur if isinstance(cur, bytes) else str(cur).encode()
            self.pending = [(db, bytes(k)) for k in keys]
            if self.cursor == b"0":
                self.dbs.pop(0)
        return self.pending.pop()


class Breakdown:
    """What one pass over the keyspace found."""

    def __init__(self, delimiter: str):
        self.delim = delimiter.encode() or b":"
        self.by_type: dict = {}          # type -> [keys, bytes]
        self.by_ns: dict = {}            # namespace -> [keys, bytes]
        self.big_bytes: list = []        # min-heap of (bytes, n, db, key, type, elements)
        self.big_elems: list = []        # min-heap of (elements, n, db, key, type, bytes)
        self.keys = 0
        self.bytes = 0
        self.n = 0

    def add(self, db: int, key: bytes, type_: str, nbytes: int, elements: int):
        self.keys += 1
        self.bytes += nbytes
        t = self.by_type.get(type_)
        if t is None:
            t = self.by_type[type_] = [0, 0]
        t[0] += 1
        t[1] += nbytes
        i = key.find(self.delim)
        ns = key[:i] if i >= 0 else None
        s = self.by_ns.get(ns)
        if s is None:
            s = self.by_ns[ns] = [0, 0]
        s[0] += 1
        s[1] += nbytes
        self.n += 1
        keep_top(self.big_bytes, (nbytes, -self.n, db, key, type_, elements))
        if type_ != "string":           # a string's length is bytes, not elements
            keep_top(self.big_elems, (elements, -self.n, db, key, type_, nbytes))

    def type_rows(self):
        return [(t, k, b) for t, (k, b) in sorted(self.by_type.items(),
                                                  key=lambda x: -x[1][1])]

    def ns_rows(self, limit: int = 200):
        rows = sorted(self.by_ns.items(), key=lambda x: -x[1][1])[:limit]
        return [(_ns(ns), k, b) for ns, (k, b) in rows]

    def bytes_rows(self):
        return [(i + 1, db, key, t, b, e) for i, (b, _, db, key, t, e)
                in enumerate(sorted(self.big_bytes, reverse=True))]

    def elem_rows(self):
        return [(i + 1, db, key, t, e, b) for i, (e, _, db, key, t, b)
                in enumerate(sorted(self.big_elems, reverse=True))]


class EmbeddedWalk:
    """Every key of every database, in slices: per-key modelled bytes as the engine's
    accounting charges them (exact; no command runs, nothing shows in stats)."""
    sampled = False

    def __init__(self, source, delimiter: str):
        self.engine = source.engine
        self.result = Breakdown(delimiter)
        self.queue = [db for db in self.engine.dbs if db.data]
        self.total = sum(len(db.data) for db in self.queue)
        self.keys: tuple = ()
        self.pos = 0
        self.db = None
        try:
            from engine import memory
            self.charged = memory.charged
            self.model = getattr(memory, "model", None)
        except Exception:              # pragma: no cover (an engine without the model)
            self.charged = None

    @staticmethod
    def available(source) -> str | None:
        try:
            from engine import memory
            memory.charged
        except Exception:
            return "the engine has no per-key memory model in this build"
        return None

    def step(self, deadline: float) -> bool:
        """Work until ``deadline``; True when the pass is complete."""
        from .source import _type_name
        charged, res = self.charged, self.result
        while True:
            if self.pos >= len(self.keys):
                if not self.queue:
                    return True
                self.db = self.queue.pop(0)
                # a C-speed snapshot of the key list: the walk tolerates later writes
                self.keys, self.pos = tuple(self.db.data), 0
                continue
            db, data, dbid = self.db, self.db.data, self.db.id
            chunk = self.keys[self.pos:self.pos + 500]
            self.pos += len(chunk)
            for k in chunk:
                v = data.get(k)
                if v is None:
                    continue
                try:
                    nbytes = charged(db, k, v)
                except AttributeError:       # a container not charged yet
                    nbytes = self.model(k, v) if self.model else 0
                try:
                    n = len(v)
                except TypeError:
                    n = 0
                res.add(dbid, k, _type_name(v), nbytes, n)
            if time.perf_counter() >= deadline:
                return False

    def label(self) -> str:
        return (f"exact: all {self.result.keys:,} keys, modelled bytes as Redis 7.0 "
                f"would allocate them")


class RemoteWalk:
    """SCAN pages of each non-empty database, TYPE + MEMORY USAGE + length per key, at
    most ``limit`` keys per pass (a sample, labelled as one)."""
    sampled = True

    def __init__(self, source, delimiter: str, limit: int = REMOTE_SAMPLE):
        self.source = source
        self.result = Breakdown(delimiter)
        self.limit = limit
        self.keys = RemoteKeys(source)
        self.total = self.keys.total
        self.error = None

    @staticmethod
    def available(source) -> str | None:
        if not source.implements("MEMORY"):
            return "the server has no MEMORY USAGE command"
        return None

    def step(self, deadline: float) -> bool:
        call, res = self.source.call, self.result
        try:
            while res.keys < self.limit:
                item = self.keys.next()
                if item is None:
                    return True
                db, k = item
                t = text(call(db, b"TYPE", k))
                if t == "none":
                    continue
                m = call(db, b"MEMORY", b"USAGE", k)
                cmd = LENGTH_CMDS.get(t)
                n = int(call(db, cmd, k)) if cmd else 0
                res.add(db, k, t, int(m or 0), n)
                if time.perf_counter() >= deadline:
                    return False
        except Exception as e:              # ACL-blocked, dropped connection ...
            self.error = f"{type(e).__name__}: {e}"
            return True
        return True

    def label(self) -> str:
        return (f"sampled: MEMORY USAGE of {self.result.keys:,} of {self.total:,} keys "
                f"(SCAN order; MEMORY USAGE itself samples 5 elements of a container)")


# ---------------------------------------------------------------------- the panel
class MemoryChart(Chart):
    """The overview's chart (stepped ranges, cached axes, theme) with one curve a
    series of ``SERIES``."""

    def __init__(self):
        super().__init__("memory", "MB")
        self.t = Ring(HISTORY)
        self.rings = {}
        for name, field, color in SERIES:
            self.rings[field] = Ring(HISTORY)
            self.add_curve(field, name, color, fill=False)
        self.setMinimumHeight(180)

    def push(self, now: float, values: dict):
        self.t.push(now)
        for field, ring in self.rings.items():
            v = values.get(field)
            ring.push(np.nan if v is None else v / (1024 * 1024))
        t = self.t.view() - now
        top = 0.0
        for field, curve in self.curves.items():
            y = self.rings[field].view()
            ok = ~np.isnan(y)
            curve.setData(t[ok], y[ok])
            if ok.any():
                top = max(top, float(y[ok].max()))
        self.set_ranges(window_for(-t[0]), nice_top(top))


class MemoryPanel(QWidget):
    def __init__(self, source: InspectorSource, parent=None, chart_ms: int = CHART_MS,
                 walk_pause_ms: int = WALK_PAUSE_MS):
        super().__init__(parent)
        self.source = source
        self.walk_cls = EmbeddedWalk if source.kind == "embedded" else RemoteWalk
        self.walk = None
        self.last = None                    # the last complete Breakdown
        self.walk_pause_ms = walk_pause_ms
        self.passes = 0

        self.chart = MemoryChart()
        self.figures = QLabel()
        self.figures.setTextInteractionFlags(Qt.TextSelectableByMouse)

        self.type_model = RowsModel(("type", "keys", "bytes"),
                                    {1: _int, 2: human_bytes}, (1, 2), self)
        self.ns_model = RowsModel(("namespace", "keys", "bytes"),
                                  {1: _int, 2: human_bytes}, (1, 2), self)
        self.bytes_model = RowsModel(("#", "db", "key", "type", "bytes", "length"),
                                     {4: human_bytes, 5: _int}, (0, 1, 4, 5), self)
        self.elems_model = RowsModel(("#", "db", "key", "type", "elements", "bytes"),
                                     {4: _int, 5: human_bytes}, (0, 1, 4, 5), self)

        self.delimiter = QLineEdit(":")
        self.delimiter.setMaximumWidth(40)
        self.delimiter.setToolTip("top-level namespace = the key up to the first delimiter")
        self.delimiter.editingFinished.connect(self.rescan)
        self.delimiter_error = StatusLine()
        self.rescan_button = QPushButton("Rescan now")
        self.rescan_button.clicked.connect(self.rescan)
        self.walk_label = QLabel()
        self.walk_label.setWordWrap(True)

        self.doctor = QPlainTextEdit()
        self.doctor.setReadOnly(True)
        self.doctor.setMaximumHeight(110)
        doctor_button = QPushButton("Ask MEMORY DOCTOR")
        doctor_button.clicked.connect(self.refresh_doctor)

        top = QWidget()
        tl = QVBoxLayout(top)
        tl.setContentsMargins(0, 0, 0, 0)
        tl.addWidget(self.chart, 1)
        tl.addWidget(self.figures)

        grid = QWidget()
        g = QGridLayout(grid)
        g.setContentsMargins(0, 0, 0, 0)
        for i, (title, model, col, wide) in enumerate((
                ("By type", self.type_model, 2, 0),
                ("By top-level namespace", self.ns_model, 2, 0),
                (f"Big keys by bytes (top {TOP})", self.bytes_model, 4, 2),
                (f"Big containers by elements (top {TOP})", self.elems_model, 4, 2))):
            box = QGroupBox(title)
            bl = QVBoxLayout(box)
            bl.addWidget(table(model, sort_column=col, order=Qt.DescendingOrder,
                               stretch=wide))
            g.addWidget(box, i // 2, i % 2)
        self.views = grid
        controls = QHBoxLayout()
        controls.addWidget(QLabel("namespace delimiter"))
        controls.addWidget(self.delimiter)
        controls.addWidget(self.delimiter_error)
        controls.addWidget(self.rescan_button)
        controls.addWidget(self.walk_label, 1)

        bottom = QWidget()
        bl = QVBoxLayout(bottom)
        bl.setContentsMargins(0, 0, 0, 0)
        bl.addLayout(controls)
        bl.addWidget(grid, 1)
        doc_row = QHBoxLayout()
        doc_row.addWidget(QLabel("<b>MEMORY DOCTOR</b>"))
        doc_row.addStretch(1)
        doc_row.addWidget(doctor_button)
        bl.addLayout(doc_row)
        bl.addWidget(self.doctor)

        split = QSplitter(Qt.Vertical)
        split.addWidget(top)
        split.addWidget(bottom)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 2)
        lay = QVBoxLayout(self)
        lay.addWidget(split)

        self.chart_poller = Poller(self, self.sample_chart, chart_ms)
        self.doctor_poller = Poller(self, self.refresh_doctor, DOCTOR_MS)
        self.walk_timer = QTimer(self)
        self.walk_timer.setInterval(WALK_TICK_MS)
        self.walk_timer.timeout.connect(self.walk_tick)
        self.next_pass = QTimer(self)
        self.next_pass.setSingleShot(True)
        self.next_pass.timeout.connect(self._start_walk)
        self._doctor_done = False

    # -- visibility: all work stops while hidden
    def showEvent(self, event):
        super().showEvent(event)
        self.sample_chart()
        if not self._doctor_done:
            self.refresh_doctor()
        if self.walk is None and not self.next_pass.isActive():
            self._start_walk()
        elif self.walk is not None:
            self.walk_timer.start()

    def hideEvent(self, event):
        super().hideEvent(event)
        self.walk_timer.stop()
        self.next_pass.stop()               # (showEvent starts the next pass at once)

    # -- chart
    def sample_chart(self):
        try:
            i = self.source.info_section("memory")
        except Exception as e:
            self.figures.setText(f"memory figures {NOT_AVAILABLE}: {e}")
            return
        vals = {}
        for _, field, _c in SERIES:
            try:
                vals[field] = int(i[field])
            except (KeyError, ValueError):
                vals[field] = None
        self.chart.push(time.time(), vals)
        parts = [f"{name}: {human_bytes(vals[field])}" for name, field, _c in SERIES]
        if "used_memory_peak" in i:
            parts.append(f"peak: {human_bytes(int(i['used_memory_peak']))}")
        if i.get("maxmemory", "0") not in ("0", ""):
            parts.append(f"maxmemory: {human_bytes(int(i['maxmemory']))} "
                         f"({i.get('maxmemory_policy', '?')})")
        self.figures.setText("   ".join(parts))

    # -- doctor
    def refresh_doctor(self):
        self._doctor_done = True
        try:
            reply = self.source.call(0, b"MEMORY", b"DOCTOR")
            self.doctor.setPlainText(text(reply))
        except Exception as e:
            self.doctor.setPlainText(f"MEMORY DOCTOR {NOT_AVAILABLE}: {e}")

    # -- breakdown walk
    def rescan(self):
        if not self.delimiter.text():
            self.delimiter.setText(":")
            self.delimiter_error.show_error("an empty delimiter has no namespaces: "
                                            "back to ':'")
        elif self.delimiter_error.text():
            self.delimiter_error.clear_status()
        self.next_pass.stop()
        self._start_walk()

    def _start_walk(self):
        why = self.walk_cls.available(self.source)
        if why:
            self.walk = None
            self.walk_label.setText(f"memory breakdown {NOT_AVAILABLE}: {why}")
            return
        try:
            self.walk = self.walk_cls(self.source, self.delimiter.text())
        except Exception as e:
            self.walk = None
            self.walk_label.setText(f"memory breakdown {NOT_AVAILABLE}: {e}")
            return
        if self.last is None:
            self.walk_label.setText("walking the keyspace…")
        if self.isVisible():
            self.walk_timer.start()

    def walk_tick(self):
        w = self.walk
        if w is None or not self.isVisible():
            self.walk_timer.stop()
            return
        done = w.step(time.perf_counter() + WALK_BUDGET_S)
        if not done:
            if self.last is None and w.total:
                self.walk_label.setText(f"walking the keyspace… "
                                        f"{w.result.keys * 100 // max(1, w.total)}%")
            return
        self.walk_timer.stop()
        self.walk = None
        self.passes += 1
        self.publish(w)
        self.next_pass.start(self.walk_pause_ms)

    def publish(self, w):
        r = w.result
        self.last = r
        self.type_model.set_rows(r.type_rows())
        self.ns_model.set_rows(r.ns_rows())
        self.bytes_model.set_rows(r.bytes_rows())
        self.elems_model.set_rows(r.elem_rows())
        msg = f"{w.label()}; {human_bytes(r.bytes)} in keys; at {time.strftime('%H:%M:%S')}"
        if getattr(w, "error", None):
            msg += f" — stopped early: {w.error}"
        self.walk_label.setText(msg)
