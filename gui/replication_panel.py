"""Replication: role, link to the master, each replica's offset and lag, the backlog.

Everything shown is what INFO replication reports.  The embedded keyscope server does not
run replication links yet, and the panel says so instead of showing a master with no
replicas as if that were a choice.
"""
from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtWidgets import (QFormLayout, QGroupBox, QHeaderView, QLabel, QTableView,
                               QVBoxLayout, QWidget)

from .panelkit import NOT_AVAILABLE, Poller, StatusLine
from .roles import ALIGNMENT, ALIGN_RIGHT, DISPLAY, HORIZONTAL
from .source import InspectorSource

INTERVAL_MS = 1000
STANDALONE = "standalone (replication not implemented in keyscope yet)"
LABELS = {
    "role": "role", "connected_slaves": "connected replicas",
    "master_host": "master host", "master_port": "master port",
    "master_link_status": "link to master", "master_last_io_seconds_ago":
    "last I/O with master (s ago)", "master_sync_in_progress": "full sync in progress",
    "slave_repl_offset": "replica offset", "slave_read_only": "read-only",
    "master_link_down_since_seconds": "link down for (s)",
    "master_repl_offset": "replication offset", "repl_backlog_active": "backlog active",
    "repl_backlog_size": "backlog size (bytes)",
    "repl_backlog_first_byte_offset": "backlog first byte offset",
    "repl_backlog_histlen": "backlog bytes held", "master_replid": "replication id",
    "master_failover_state": "failover state",
}


def parse_replica(value: str) -> dict[str, str]:
    """``ip=...,port=...,state=online,offset=...,lag=...``"""
    out = {}
    for part in value.split(","):
        k, sep, v = part.partition("=")
        if sep:
            out[k] = v
    return out


class ReplicasModel(QAbstractTableModel):
    COLUMNS = ("replica", "state", "offset", "behind (bytes)", "lag (s)")

    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: list[dict[str, str]] = []
        self.master_offset: int | None = None

    def rowCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section, orientation, role=DISPLAY):
        if role == DISPLAY and orientation == HORIZONTAL:
            return self.COLUMNS[section]
        return None

    def data(self, index, role=DISPLAY):
        if not index.isValid() or role not in (DISPLAY, ALIGNMENT):
            return None
        r = self.rows[index.row()]
        col = index.column()
        if role == ALIGNMENT:
            return ALIGN_RIGHT if col >= 2 else None
        if col == 0:
            return f"{r.get('ip', '?')}:{r.get('port', '?')}"
        if col == 1:
            return r.get("state", NOT_AVAILABLE)
        if col == 2:
            return r.get("offset", NOT_AVAILABLE)
        if col == 3:
            try:
                return str(max(0, self.master_offset - int(r["offset"])))
            except (KeyError, TypeError, ValueError):
                return NOT_AVAILABLE
        return r.get("lag", NOT_AVAILABLE)

    @staticmethod
    def _key(r: dict) -> str:
        return f"{r.get('ip')}:{r.get('port')}"

    def load(self, replicas: list[dict[str, str]], master_offset: int | None):
        self.master_offset = master_offset
        fresh = {self._key(r): r for r in replicas}
        for i in range(len(self.rows) - 1, -1, -1):
            if self._key(self.rows[i]) not in fresh:
                self.beginRemoveRows(QModelIndex(), i, i)
                del self.rows[i]
                self.endRemoveRows()
        known = {self._key(r): i for i, r in enumerate(self.rows)}
        for key, r in fresh.items():
            i = known.get(key)
            if i is None:
                n = len(self.rows)
                self.beginInsertRows(QModelIndex(), n, n)
                self.rows.append(r)
                self.endInsertRows()
            else:
                self.rows[i] = r
        if self.rows:                   # offsets move with every write: one signal
            self.dataChanged.emit(self.index(0, 1),
                                  self.index(len(self.rows) - 1, len(self.COLUMNS) - 1))


class ReplicationPanel(QWidget):
    def __init__(self, source: InspectorSource, parent=None, interval_ms: int = INTERVAL_MS):
        super().__init__(parent)
        self.source = source
        self.headline = QLabel()
        self.headline.setWordWrap(True)
        self.headline.setTextFormat(Qt.RichText)
        self.fields: dict[str, QLabel] = {}
        self.form_box = QGroupBox("INFO replication")
        self.form = QFormLayout(self.form_box)
        self.model = ReplicasModel(self)
        self.view = QTableView()
        self.view.setModel(self.model)
        vh = self.view.verticalHeader()
        vh.setSectionResizeMode(QHeaderView.Fixed)
        vh.hide()
        self.view.horizontalHeader().setStretchLastSection(True)
        self.replicas_box = QGroupBox("Replicas")
        QVBoxLayout(self.replicas_box).addWidget(self.view)
        self.status = StatusLine()
        lay = QVBoxLayout(self)
        lay.addWidget(self.headline)
        lay.addWidget(self.form_box)
        lay.addWidget(self.replicas_box, 1)
        lay.addWidget(self.status)
        lay.addStretch(0)
        self.standalone = source.kind == "embedded" and not source.implements("REPLICAOF")
        if self.standalone:
            self.headline.setText(
                f"<h3>{STANDALONE}</h3><p>This embedded server runs alone: it follows no "
                f"master and accepts no replicas. The panel will show the role, each "
                f"replica's offset and lag and the backlog once keyscope replicates.</p>")
            self.form_box.hide()
            self.replicas_box.hide()
            self.poller = None
        else:
            self.poller = Poller(self, self.refresh, interval_ms)

    def _field(self, name: str, value: str):
        lbl = self.fields.get(name)
        if lbl is None:
            lbl = self.fields[name] = QLabel()
            lbl.setTextInteractionFlags(Qt.TextSelectableByMouse)
            self.form.addRow(LABELS.get(name, name), lbl)
        lbl.setText(value)

    def refresh(self):
        if self.standalone:
            return
        try:
            info = self.source.info_section("replication")
        except Exception as e:
            self.status.show_error(f"Cannot read INFO replication: {e}")
            return
        self.status.clear_status()
        if not info:
            self.headline.setText(f"<h3>Replication: {NOT_AVAILABLE}</h3>"
                                  "<p>The server reports no replication section.</p>")
            return
        replicas = []
        for name, value in info.items():
            if name.startswith("slave") and name[5:].isdigit():
                replicas.append(parse_replica(value))
            else:
                self._field(name, value)
        for name, lbl in self.fields.items():         # a field the server stopped reporting
            if name not in info:
                lbl.setText(NOT_AVAILABLE)
        try:
            offset = int(info["master_repl_offset"])
        except (KeyError, ValueError):
            offset = None
        self.model.load(replicas, offset)
        role = info.get("role", NOT_AVAILABLE)
        if role == "slave":
            where = f"{info.get('master_host', '?')}:{info.get('master_port', '?')}"
            link = info.get("master_link_status", NOT_AVAILABLE)
            self.headline.setText(f"<h3>replica of {where} (link {link})</h3>")
        else:
            n = info.get("connected_slaves", NOT_AVAILABLE)
            self.headline.setText(f"<h3>{role}, {n} connected replica"
                                  f"{'' if n == '1' else 's'}</h3>")
        self.replicas_box.setVisible(role != "slave" or bool(replicas))

    def showEvent(self, e):
        super().showEvent(e)
        self.refresh()
