"""Connected clients (CLIENT LIST; embedded: read from ``engine.clients`` in place) with
kill-after-confirmation, and where to connect (the embedded port's redis-cli line).

Rows are merged by client id: new connections appended, closed ones removed, changed
fields updated in place.
"""
from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (QAbstractItemView, QHBoxLayout, QHeaderView, QLabel,
                               QLineEdit, QMessageBox, QPushButton, QTableView, QToolButton,
                               QVBoxLayout, QWidget)

from .panelkit import Poller, StatusLine, confirm, human_bytes, run_action
from .roles import ALIGNMENT, ALIGN_RIGHT, DISPLAY, HORIZONTAL, TOOLTIP, USER
from .source import INSPECTOR_NAME, InspectorSource

INTERVAL_MS = 1000
SORT_ROLE = USER
# (header, CLIENT LIST field, numeric)
COLUMNS = (("id", "id", True), ("name", "name", False), ("address", "addr", False),
           ("age (s)", "age", True), ("idle (s)", "idle", True), ("db", "db", True),
           ("last command", "cmd", False), ("flags", "flags", False),
           ("memory", "tot-mem", True), ("resp", "resp", True), ("user", "user", False))


def cli_line(host: str, port: int) -> str:
    return f"redis-cli -p {port}" if host in ("127.0.0.1", "localhost") else \
        f"redis-cli -h {host} -p {port}"


class ClientsModel(QAbstractTableModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: list[dict[str, str]] = []

    def rowCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=DISPLAY):
        if role == DISPLAY and orientation == HORIZONTAL:
            return COLUMNS[section][0]
        return None

    def data(self, index, role=DISPLAY):
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        _head, field, numeric = COLUMNS[index.column()]
        v = row.get(field, "")
        if role == DISPLAY:
            if field == "tot-mem" and v.isdigit():
                return human_bytes(int(v))
            return v
        if role == SORT_ROLE:
            if numeric:
                try:
                    return int(v)
                except ValueError:
                    return -1
            return v
        if role == ALIGNMENT and numeric:
            return ALIGN_RIGHT
        if role == TOOLTIP:
            return " ".join(f"{k}={x}" for k, x in row.items())
        return None

    def client_id(self, row: int) -> int:
        return int(self.rows[row]["id"])

    def load(self, clients: list[dict[str, str]]):
        fresh = {c.get("id"): c for c in clients if c.get("id")}
        for i in range(len(self.rows) - 1, -1, -1):
            if self.rows[i]["id"] not in fresh:
                self.beginRemoveRows(QModelIndex(), i, i)
                del self.rows[i]
                self.endRemoveRows()
        known = {}
        for i, row in enumerate(self.rows):
            known[row["id"]] = i
            new = fresh[row["id"]]
            if new != row:
                self.rows[i] = new
                self.dataChanged.emit(self.index(i, 0), self.index(i, len(COLUMNS) - 1))
        added = [c for cid, c in fresh.items() if cid not in known]
        if added:
            n = len(self.rows)
            self.beginInsertRows(QModelIndex(), n, n + len(added) - 1)
            self.rows.extend(added)
            self.endInsertRows()


class ClientsPanel(QWidget):
    def __init__(self, source: InspectorSource, parent=None, interval_ms: int = INTERVAL_MS):
        super().__init__(parent)
        self.source = source
        host, port = source.address()
        if source.kind == "embedded":
            where = f"Embedded server on {host}:{port}. Connect your app or a terminal:"
        else:
            where = (f"Remote server {host}:{port}; the inspector's own connections "
                     f"({INSPECTOR_NAME}) are not listed.")
        self.where = QLabel(where)
        self.cli = QLineEdit(cli_line(host, port))
        self.cli.setReadOnly(True)
        self.cli.setMaximumWidth(260)
        copy = QToolButton()
        copy.setText("Copy")
        copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(self.cli.text()))
        top = QHBoxLayout()
        top.addWidget(self.where)
        top.addWidget(self.cli)
        top.addWidget(copy)
        top.addStretch(1)

        self.model = ClientsModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self.proxy.setFilterKeyColumn(-1)
        self.proxy.setFilterCaseSensitivity(Qt.CaseInsensitive)
        self.filter = QLineEdit()
        self.filter.setPlaceholderText("filter: name, address, command ...")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self.proxy.setFilterFixedString)
        self.count = QLabel()
        self.kill_button = QPushButton("Kill…")
        self.kill_button.setToolTip("CLIENT KILL ID <id>: close the selected connections")
        self.kill_button.setEnabled(False)
        self.kill_button.clicked.connect(self.ask_kill)
        bar = QHBoxLayout()
        bar.addWidget(self.filter, 1)
        bar.addWidget(self.count)
        bar.addWidget(self.kill_button)

        self.view = QTableView()
        self.view.setModel(self.proxy)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(0, Qt.AscendingOrder)
        self.view.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.view.setWordWrap(False)
        vh = self.view.verticalHeader()
        vh.setSectionResizeMode(QHeaderView.Fixed)
        vh.setDefaultSectionSize(self.view.fontMetrics().height() + 6)
        vh.hide()
        self.view.horizontalHeader().setStretchLastSection(True)
        for col, w in enumerate((50, 130, 150, 60, 60, 35, 110, 50, 80, 45, 80)):
            self.view.setColumnWidth(col, w)
        self.view.selectionModel().selectionChanged.connect(
            lambda *_: self.kill_button.setEnabled(bool(self.selected_ids())))
        self.status = StatusLine()
        self.confirm_box: QMessageBox | None = None

        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addLayout(top)
        lay.addLayout(bar)
        lay.addWidget(self.view, 1)
        lay.addWidget(self.status)
        self.poller = Poller(self, self.refresh, interval_ms)

    def refresh(self):
        try:
            clients = self.source.clients()
        except Exception as e:
            self.status.show_error(f"Cannot list the clients: {e}")
            return
        self.model.load(clients)
        self.count.setText(f"{len(clients)} connected")
        self.kill_button.setEnabled(bool(self.selected_ids()))

    def selected_ids(self) -> list[int]:
        rows = {self.proxy.mapToSource(ix).row()
                for ix in self.view.selectionModel().selectedRows()}
        return sorted(self.model.client_id(r) for r in rows if 0 <= r < self.model.rowCount())

    def select_client(self, client_id: int):
        for r in range(self.model.rowCount()):
            if self.model.client_id(r) == client_id:
                self.view.selectRow(self.proxy.mapFromSource(self.model.index(r, 0)).row())
                return True
        return False

    def ask_kill(self):
        ids = self.selected_ids()
        if not ids:
            return
        desc = []
        for r in range(self.model.rowCount()):
            row = self.model.rows[r]
            if int(row["id"]) in ids:
                name = f" “{row['name']}”" if row.get("name") else ""
                desc.append(f"id {row['id']}{name} from {row.get('addr', '?')}")
        confirm(self, "Kill clients",
                f"Close {len(ids)} connection{'s' if len(ids) > 1 else ''}?\n\n"
                + "\n".join(desc), lambda: self.kill(ids),
                lambda: self.status.show_ok("Nothing killed."))

    def kill(self, ids: list[int]) -> bool:
        killed, errors = 0, []
        for cid in ids:
            ok, msg = run_action(self.source, b"CLIENT", b"KILL", b"ID", b"%d" % cid)
            if ok and msg == "0":
                errors.append(f"id {cid}: no such client (it already left)")
            elif ok:
                killed += int(msg) if msg.isdigit() else 1
            else:
                errors.append(f"id {cid}: {msg}")
        if errors:
            self.status.show_error("CLIENT KILL failed: " + "; ".join(errors))
        else:
            self.status.show_ok(f"Killed {killed} client{'s' if killed != 1 else ''}.")
        self.refresh()
        return not errors

    def showEvent(self, e):
        super().showEvent(e)
        self.refresh()
