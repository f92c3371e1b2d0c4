"""Slowlog and latency events.

Embedded: the entries are read in place from ``engine.slowlog`` / ``engine.latency``, so
looking never adds to the slowlog.  Remote: SLOWLOG GET / LATENCY LATEST, our own
connection's entries filtered out.  The table grows by diff: only entries with a new id are
inserted, entries the server dropped (max-len, RESET) are removed; never a model reset.
"""
from __future__ import annotations

import time

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtWidgets import (QAbstractItemView, QFormLayout, QGroupBox, QHBoxLayout,
                               QHeaderView, QLabel, QLineEdit, QPushButton, QSplitter,
                               QTableView, QVBoxLayout, QWidget)

from .panelkit import ConfigField, Poller, StatusLine, confirm, quoted_args, run_action
from .roles import ALIGNMENT, ALIGN_RIGHT, DISPLAY, HORIZONTAL, TOOLTIP, USER
from .source import InspectorSource, SlowEntry

INTERVAL_MS = 1000
SORT_ROLE = USER


def _clock(ts: int) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(ts))


def fixed_rows(view: QTableView):
    """Uniform row heights: the view never measures rows."""
    h = view.verticalHeader()
    h.setSectionResizeMode(QHeaderView.Fixed)
    h.setDefaultSectionSize(view.fontMetrics().height() + 6)
    h.hide()


class SlowlogModel(QAbstractTableModel):
    COLUMNS = ("id", "time", "duration (µs)", "command", "client", "name")
    NUMERIC = (0, 1, 2)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: list[SlowEntry] = []          # newest first, ids descending
        self.last_id = -1                        # the newest id seen (shown or filtered)

    def rowCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section, orientation, role=DISPLAY):
        if role == DISPLAY and orientation == HORIZONTAL:
            return self.COLUMNS[section]
        return None

    def data(self, index, role=DISPLAY):
        if not index.isValid():
            return None
        e = self.rows[index.row()]
        col = index.column()
        if role == DISPLAY:
            if col == 0:
                return str(e.id)
            if col == 1:
                return _clock(e.time)
            if col == 2:
                return f"{e.duration_us:,}"
            if col == 3:
                return quoted_args(e.args)
            return e.client if col == 4 else e.name
        if role == SORT_ROLE:
            return (e.id, e.time, e.duration_us)[col] if col in self.NUMERIC else \
                self.data(index, DISPLAY)
        if role == TOOLTIP and col == 3:
            return quoted_args(e.args)
        if role == ALIGNMENT and col in self.NUMERIC:
            return ALIGN_RIGHT
        return None

    def merge(self, new: list[SlowEntry], oldest_id: int | None):
        """Drop rows the server no longer holds, then insert the new ones on top."""
        rows = self.rows
        if oldest_id is None:
            keep = 0
        else:
            keep = len(rows)
            while keep and rows[keep - 1].id < oldest_id:
                keep -= 1
        if keep < len(rows):
            self.beginRemoveRows(QModelIndex(), keep, len(rows) - 1)
            del rows[keep:]
            self.endRemoveRows()
        new = [e for e in new if e.id > self.last_id]
        if new:
            self.beginInsertRows(QModelIndex(), 0, len(new) - 1)
            rows[:0] = new
            self.endInsertRows()
            self.last_id = max(self.last_id, new[0].id)


class LatencyModel(QAbstractTableModel):
    """LATENCY LATEST, one row per event; rows are updated in place."""
    COLUMNS = ("event", "last time", "latest (ms)", "max (ms)")

    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: list[tuple[str, int, int, int]] = []

    def rowCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section, orientation, role=DISPLAY):
        if role == DISPLAY and orientation == HORIZONTAL:
            return self.COLUMNS[section]
        return None

    def data(self, index, role=DISPLAY):
        if not index.isValid():
            return None
        name, ts, latest, mx = self.rows[index.row()]
        col = index.column()
        if role == DISPLAY:
            return (name, _clock(ts), str(latest), str(mx))[col]
        if role == SORT_ROLE:
            return (name, ts, latest, mx)[col]
        if role == ALIGNMENT and col >= 2:
            return ALIGN_RIGHT
        return None

    def merge(self, events: list[tuple[str, int, int, int]]):
        fresh = {e[0]: e for e in events}
        for i in range(len(self.rows) - 1, -1, -1):          # removed events
            if self.rows[i][0] not in fresh:
                self.beginRemoveRows(QModelIndex(), i, i)
                del self.rows[i]
                self.endRemoveRows()
        where = {r[0]: i for i, r in enumerate(self.rows)}
        for name, e in fresh.items():
            i = where.get(name)
            if i is None:
                n = len(self.rows)
                self.beginInsertRows(QModelIndex(), n, n)
                self.rows.append(e)
                self.endInsertRows()
            elif self.rows[i] != e:
                self.rows[i] = e
                self.dataChanged.emit(self.index(i, 1), self.index(i, 3))


class SlowlogPanel(QWidget):
    def __init__(self, source: InspectorSource, parent=None, interval_ms: int = INTERVAL_MS):
        super().__init__(parent)
        self.source = source
        self.model = SlowlogModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self.proxy.setFilterKeyColumn(-1)
        self.proxy.setFilterCaseSensitivity(Qt.CaseInsensitive)

        # slowlog controls
        self.threshold = ConfigField(source, "slowlog-log-slower-than", suffix="µs")
        self.threshold.setToolTip("commands slower than this are logged; 0 logs every "
                                  "command, -1 turns the slowlog off")
        self.max_len = ConfigField(source, "slowlog-max-len", suffix="entries")
        self.filter = QLineEdit()
        self.filter.setPlaceholderText("filter: command, client or name")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self.proxy.setFilterFixedString)
        self.confirm_box = None
        self.reset_button = QPushButton("Reset slowlog…")
        self.reset_button.setToolTip("SLOWLOG RESET")
        self.reset_button.clicked.connect(self.ask_reset)
        self.count = QLabel()
        self.status = StatusLine()
        form = QFormLayout()
        form.addRow("log slower than", self.threshold)
        form.addRow("keep at most", self.max_len)
        row = QHBoxLayout()
        row.addWidget(self.filter, 1)
        row.addWidget(self.count)
        row.addWidget(self.reset_button)
        self.view = QTableView()
        self.view.setModel(self.proxy)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(0, Qt.DescendingOrder)
        self.view.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.view.setWordWrap(False)
        fixed_rows(self.view)
        head = self.view.horizontalHeader()
        head.setStretchLastSection(False)
        head.setSectionResizeMode(3, QHeaderView.Stretch)
        for col, w in ((0, 60), (1, 150), (2, 100), (4, 140), (5, 120)):
            self.view.setColumnWidth(col, w)
        mode = ("Exact, read in-process: the inspector's own reads never enter the slowlog."
                if source.kind == "embedded" else
                f"From SLOWLOG GET (the newest {getattr(source, 'SLOWLOG_PAGE', 256)} "
                f"entries); the inspector's own commands are filtered out.")
        self.note = QLabel(mode)
        self.note.setWordWrap(True)
        top = QWidget()
        tl = QVBoxLayout(top)
        tl.setContentsMargins(0, 0, 0, 0)
        tl.addWidget(self.note)
        tl.addLayout(form)
        tl.addLayout(row)
        tl.addWidget(self.view, 1)
        tl.addWidget(self.status)

        # latency monitor
        self.latency_model = LatencyModel(self)
        self.latency_threshold = ConfigField(source, "latency-monitor-threshold", suffix="ms")
        self.latency_threshold.setToolTip("events lasting at least this long are recorded; "
                                          "0 turns the latency monitor off")
        self.latency_reset = QPushButton("Reset events…")
        self.latency_reset.setToolTip("LATENCY RESET")
        self.latency_reset.clicked.connect(self.ask_reset_latency)
        self.latency_view = QTableView()
        lproxy = QSortFilterProxyModel(self)
        lproxy.setSourceModel(self.latency_model)
        lproxy.setSortRole(SORT_ROLE)
        self.latency_view.setModel(lproxy)
        self.latency_view.setSortingEnabled(True)
        fixed_rows(self.latency_view)
        self.latency_view.horizontalHeader().setStretchLastSection(True)
        self.latency_note = QLabel()
        box = QGroupBox("Latency monitor (LATENCY LATEST)")
        bl = QVBoxLayout(box)
        lrow = QHBoxLayout()
        lrow.addWidget(QLabel("threshold"))
        lrow.addWidget(self.latency_threshold, 1)
        lrow.addWidget(self.latency_reset)
        bl.addLayout(lrow)
        bl.addWidget(self.latency_view, 1)
        bl.addWidget(self.latency_note)

        split = QSplitter(Qt.Vertical)
        split.addWidget(top)
        split.addWidget(box)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(split)
        self.poller = Poller(self, self.refresh, interval_ms)

    def refresh(self):
        """Read what changed since the last refresh (cheap: new ids only)."""
        src = self.source
        try:
            cfg = src.config_get("slowlog-log-slower-than", "slowlog-max-len",
                                 "latency-monitor-threshold")
            for field in (self.threshold, self.max_len, self.latency_threshold):
                field.load(cfg.get(field.name))
            new, oldest = src.slowlog_since(self.model.last_id)
            self.model.merge(new, oldest)
        except Exception as e:
            self.status.show_error(f"Cannot read the slowlog: {e}")
            return
        if not self.status.ok and self.status.text().startswith("Cannot read"):
            self.status.clear_status()
        self.count.setText(f"{self.model.rowCount()} entries")
        try:
            self.latency_model.merge(src.latency_latest())
            off = cfg.get("latency-monitor-threshold") == "0"
            self.latency_note.setText("The latency monitor is off (threshold 0)." if off
                                      else "")
        except Exception as e:
            self.latency_note.setText(f"Latency events not available: {e}")

    def ask_reset(self):
        confirm(self, "Reset the slowlog",
                f"Delete all {self.model.rowCount()} slowlog entries on the server "
                f"(SLOWLOG RESET)? Other tools reading the slowlog lose them too.",
                self.reset, lambda: self.status.show_ok("Slowlog kept."))

    def ask_reset_latency(self):
        confirm(self, "Reset the latency events",
                "Delete every latency event and its history on the server (LATENCY RESET)?",
                self.reset_latency, lambda: self.status.show_ok("Latency events kept."))

    def reset(self):
        ok, msg = run_action(self.source, b"SLOWLOG", b"RESET")
        self.status.show_result(ok, msg, "SLOWLOG RESET")
        self.refresh()

    def reset_latency(self):
        ok, msg = run_action(self.source, b"LATENCY", b"RESET")
        self.status.show_result(ok, f"{msg} event(s) cleared" if ok else msg, "LATENCY RESET")
        self.refresh()

    def showEvent(self, e):
        super().showEvent(e)
        self.refresh()
