"""A stream's consumer groups (XINFO GROUPS) and the consumers of the selected group
(XINFO CONSUMERS), through ``source.call``: the same commands embedded and remote.

The tables are refreshed by diff (rows keyed by name): on the key's changes and once a
second while visible, since consumers' idle times grow without any write.
"""
from __future__ import annotations

from PySide6.QtCore import QModelIndex, QTimer
from PySide6.QtWidgets import (QAbstractItemView, QHeaderView, QLabel, QSplitter,
                               QTableView, QVBoxLayout, QWidget)

from .panelkit import RowsTableModel, text
from .roles import ALIGNMENT, ALIGN_RIGHT, DISPLAY, TOOLTIP
from .source import _plain, _rows_pairs

GROUP_COLUMNS = ("group", "consumers", "pending", "last-delivered-id", "entries-read",
                 "lag")
CONSUMER_COLUMNS = ("consumer", "pending", "idle")
REFRESH_MS = 1000


def info_rows(reply) -> list[dict]:
    """XINFO GROUPS / CONSUMERS as dicts whatever the reply shape (RESP2 flat lists
    from a remote, maps in-process)."""
    out = []
    for item in _plain(reply) or []:
        out.append({text(k): v for k, v in _rows_pairs(item)})
    return out


def format_idle(ms) -> str:
    if ms is None:
        return "-"
    ms = int(ms)
    if ms < 1000:
        return f"{ms} ms"
    s = ms / 1000
    if s < 120:
        return f"{s:.1f} s"
    if s < 7200:
        return f"{s / 60:.1f} min"
    return f"{s / 3600:.1f} h"


def _int_or_none(v):
    return None if v is None else int(v)


def group_rows(reply) -> list[tuple]:
    return [(d.get("name", b""), _int_or_none(d.get("consumers")),
             _int_or_none(d.get("pending")), d.get("last-delivered-id"),
             _int_or_none(d.get("entries-read")), _int_or_none(d.get("lag")))
            for d in info_rows(reply)]


def consumer_rows(reply) -> list[tuple]:
    return [(d.get("name", b""), _int_or_none(d.get("pending")),
             _int_or_none(d.get("idle"))) for d in info_rows(reply)]


class KeyedRowsModel(RowsTableModel):
    """Rows keyed by their first cell, kept sorted by it; ``set_rows`` applies a new
    list as removals, changes and insertions by key (a selected row stays selected)."""

    def __init__(self, columns, formats=None, parent=None):
        super().__init__(columns, parent)
        self.formats = formats or {}

    def data(self, index, role=DISPLAY):
        if not index.isValid() or role not in (DISPLAY, TOOLTIP, ALIGNMENT):
            return None
        v = self.rows[index.row()][index.column()]
        if role == ALIGNMENT:
            return ALIGN_RIGHT if isinstance(v, int) else None
        f = self.formats.get(index.column())
        if f is not None:
            return f(v)
        return "-" if v is None else text(v)

    def key_at(self, row: int):
        return self.rows[row][0] if 0 <= row < len(self.rows) else None

    def set_rows(self, rows: list):
        rows = sorted(rows, key=lambda r: bytes(r[0]))
        keep = {r[0] for r in rows}
        for i in range(len(self.rows) - 1, -1, -1):
            if self.rows[i][0] not in keep:
                self.beginRemoveRows(QModelIndex(), i, i)
                del self.rows[i]
                self.endRemoveRows()
        # what is left is a sorted subsequence of ``rows``: walk both
        for i, r in enumerate(rows):
            if i < len(self.rows) and self.rows[i][0] == r[0]:
                if self.rows[i] != r:
                    self.rows[i] = r
                    self.dataChanged.emit(self.index(i, 0),
                                          self.index(i, len(self.columns) - 1))
            else:
                self.beginInsertRows(QModelIndex(), i, i)
                self.rows.insert(i, r)
                self.endInsertRows()


def _table(model) -> QTableView:
    v = QTableView()
    v.setModel(model)
    v.setSelectionBehavior(QAbstractItemView.SelectRows)
    v.setSelectionMode(QAbstractItemView.SingleSelection)
    v.setEditTriggers(QAbstractItemView.NoEditTriggers)
    v.horizontalHeader().setSectionResizeMode(QHeaderView.Interactive)
    v.horizontalHeader().setStretchLastSection(True)
    v.verticalHeader().setVisible(False)
    v.verticalHeader().setDefaultSectionSize(22)
    return v


class StreamGroupsView(QWidget):
    """Consumer groups of one stream, and the consumers of the selected group."""

    def __init__(self, source, parent=None, refresh_ms: int = REFRESH_MS):
        super().__init__(parent)
        self.source = source
        self.db, self.key = 0, None
        self.group: bytes | None = None
        self.groups_model = KeyedRowsModel(GROUP_COLUMNS, parent=self)
        self.consumers_model = KeyedRowsModel(CONSUMER_COLUMNS, {2: format_idle},
                                              parent=self)
        self.groups_table = _table(self.groups_model)
        self.consumers_table = _table(self.consumers_model)
        self.groups_table.selectionModel().currentRowChanged.connect(self._group_chosen)
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.consumers_note = QLabel("Select a group to see its consumers")
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addWidget(self.consumers_note)
        rl.addWidget(self.consumers_table)
        split = QSplitter()
        split.addWidget(self.groups_table)
        split.addWidget(right)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.note)
        lay.addWidget(split, 1)
        self.timer = QTimer(self)
        self.timer.setInterval(refresh_ms)
        self.timer.timeout.connect(lambda: self.isVisible() and self.refresh())

    def load(self, db: int, key: bytes | None):
        """Show the groups of stream ``key`` (None: nothing)."""
        if (db, key) != (self.db, self.key):
            self.db, self.key, self.group = db, key, None
            self.groups_model.set_rows([])
            self.consumers_model.set_rows([])
            self.consumers_note.setText("Select a group to see its consumers")
        if key is None:
            self.timer.stop()
            return
        self.timer.start()
        self.refresh()

    def refresh(self):
        if self.key is None:
            return
        try:
            rows = group_rows(self.source.call(self.db, b"XINFO", b"GROUPS", self.key))
        except Exception as e:              # gone, replaced by another type, no XINFO
            self.note.setText(f"Consumer groups: cannot read them: {e}")
            self.groups_model.set_rows([])
            self.consumers_model.set_rows([])
            return
        self.note.setText(f"Consumer groups: {len(rows)}" if rows else
                          "Consumer groups: none (XGROUP CREATE makes one)")
        self.groups_model.set_rows(rows)
        if self.group is not None and self.group not in {r[0] for r in rows}:
            self.group = None
            self.consumers_note.setText("The group is gone")
        self._load_consumers()

    def select_group(self, name: bytes):
        for i, r in enumerate(self.groups_model.rows):
            if r[0] == name:
                self.groups_table.setCurrentIndex(self.groups_model.index(i, 0))
                return True
        return False

    def _group_chosen(self, current, _previous):
        self.group = self.groups_model.key_at(current.row()) if current.isValid() else None
        self._load_consumers()

    def _load_consumers(self):
        if self.group is None:
            self.consumers_model.set_rows([])
            return
        try:
            rows = consumer_rows(self.source.call(self.db, b"XINFO", b"CONSUMERS",
                                                  self.key, self.group))
        except Exception as e:
            self.consumers_note.setText(f"Consumers: cannot read them: {e}")
            self.consumers_model.set_rows([])
            return
        self.consumers_note.setText(f"Consumers of '{text(self.group)}': {len(rows)}")
        self.consumers_model.set_rows(rows)
