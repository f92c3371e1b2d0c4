"""Configuration: maxmemory and the eviction policy by point-and-click, a searchable typed
editor for every parameter (CONFIG GET *), and CONFIG REWRITE.

Types come from keyscope's table of Redis 7.0 parameters (bool -> checkbox, enum -> combo,
numbers checked before sending); the server has the last word: a CONFIG SET error is
shown inline, on the row and under the table, and the row keeps the server's value.
"""
from __future__ import annotations

import re

from PySide6.QtCore import (QAbstractTableModel, QModelIndex, QSortFilterProxyModel, Qt,
                            Signal)
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QFormLayout, QGroupBox,
                               QHBoxLayout, QHeaderView, QLabel, QLineEdit, QPushButton,
                               QStyledItemDelegate, QTableView, QVBoxLayout, QWidget)

from .panelkit import NOT_AVAILABLE, Poller, StatusLine, human_bytes, run_action
from .roles import (CHECK_STATE, DISPLAY, EDIT, EDITABLE, ENABLED_SELECTABLE, FOREGROUND,
                    HORIZONTAL, NO_FLAGS, TOOLTIP, USER_CHECKABLE)
from .safety import confirm_destructive
from .source import InspectorSource, keyspace_fields

INTERVAL_MS = 2000

POLICIES = {
    "noeviction": "Nothing is evicted: once memory is full, writes that need memory are "
                  "refused with an OOM error (reads and deletes still work).",
    "allkeys-lru": "Evict the least recently used keys, among all keys.",
    "allkeys-lfu": "Evict the least frequently used keys, among all keys.",
    "allkeys-random": "Evict random keys, among all keys.",
    "volatile-lru": "Evict the least recently used keys among keys with a TTL; with none "
                    "left, writes get OOM errors as with noeviction.",
    "volatile-lfu": "Evict the least frequently used keys among keys with a TTL.",
    "volatile-random": "Evict random keys among keys with a TTL.",
    "volatile-ttl": "Evict the keys with a TTL that expire soonest.",
}
UNITS = (("bytes", 1, ""), ("KB", 1024, "kb"), ("MB", 1024 ** 2, "mb"),
         ("GB", 1024 ** 3, "gb"))

_INT = re.compile(r"[+-]?\d+\Z")
_MEM = re.compile(r"\d*(b|k|kb|m|mb|g|gb)?\Z", re.I)
ERROR_COLOR = QColor("#d0413b")
READ_ONLY_COLOR = QColor("#8a8a8a")          # mid grey: legible on light and dark


def param_spec(name: str):
    """keyscope's record of a Redis 7.0 parameter (kind, range, choices), or None."""
    try:
        from engine.config import BY_NAME, canonical
    except ImportError:
        return None
    n = canonical(name)
    return BY_NAME.get(n) if n else None


def kind_of(name: str) -> str:
    p = param_spec(name)
    return p.kind if p is not None else "str"


def describe(name: str) -> str:
    p = param_spec(name)
    if p is None:
        return "string"
    if p.kind == "bool":
        text = "yes / no"
    elif p.kind == "enum":
        text = " | ".join(p.choices)
    elif p.kind == "int":
        text = f"integer {p.lo}..{p.hi}" if p.hi < 2 ** 62 else f"integer ≥ {p.lo}"
    elif p.kind == "mem":
        text = "bytes (or 100mb, 1gb ...)" + (", or N%" if p.percent else "")
    elif p.kind == "special":
        text = "list"
    else:
        text = "string"
    return text + ("  (read-only)" if p.immutable else "")


def check_value(name: str, text: str) -> str | None:
    """A client-side check for obvious mistakes; None when the text may be sent."""
    p = param_spec(name)
    if p is None:
        return None
    if p.kind == "int" and not _INT.match(text.strip()):
        return f"'{text}' is not an integer"
    if p.kind == "mem" and not (_MEM.match(text) or (p.percent and re.match(r"\d+%\Z", text))):
        return f"'{text}' is not a memory size (e.g. 1048576, 100mb, 2gb)"
    if p.kind == "enum" and text not in p.choices:
        return f"'{text}' is not one of {', '.join(p.choices)}"
    if p.kind == "bool" and text not in ("yes", "no"):
        return f"'{text}' is not yes or no"
    return None


class ConfigModel(QAbstractTableModel):
    """Every parameter: name, value, type, last error.  Updated by diff from CONFIG GET *;
    edits go to CONFIG SET."""
    COLUMNS = ("parameter", "value", "type", "message")
    failed = Signal(str, str)          # name, error text
    changed = Signal(str, str)         # name, new value (after a successful SET)

    def __init__(self, source: InspectorSource, parent=None):
        super().__init__(parent)
        self.source = source
        self.names: list[str] = []
        self.values: dict[str, str] = {}
        self.errors: dict[str, str] = {}

    def rowCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else len(self.names)

    def columnCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section, orientation, role=DISPLAY):
        if role == DISPLAY and orientation == HORIZONTAL:
            return self.COLUMNS[section]
        return None

    def row_of(self, name: str) -> int:
        return self.names.index(name)

    def flags(self, index):
        if not index.isValid():
            return NO_FLAGS
        f = ENABLED_SELECTABLE
        if index.column() == 1:
            name = self.names[index.row()]
            p = param_spec(name)
            if p is not None and p.immutable:
                return f
            if p is not None and p.kind == "bool":
                return f | USER_CHECKABLE
            return f | EDITABLE
        return f

    def data(self, index, role=DISPLAY):
        if not index.isValid():
            return None
        name = self.names[index.row()]
        col = index.column()
        if role in (DISPLAY, EDIT):
            if col == 0:
                return name
            if col == 1:
                return self.values.get(name, "")
            if col == 2:
                return describe(name)
            return self.errors.get(name, "")
        if role == CHECK_STATE and col == 1 and kind_of(name) == "bool":
            return Qt.Checked if self.values.get(name) == "yes" else Qt.Unchecked
        if role == TOOLTIP and col in (1, 3) and name in self.errors:
            return self.errors[name]
        if role == FOREGROUND and col == 3 and name in self.errors:
            return QBrush(ERROR_COLOR)
        if role == FOREGROUND and col == 1:
            p = param_spec(name)
            if p is not None and p.immutable:     # set at startup only
                return QBrush(READ_ONLY_COLOR)
        return None

    def setData(self, index, value, role=EDIT):
        if not index.isValid() or index.column() != 1:
            return False
        name = self.names[index.row()]
        if role == CHECK_STATE:
            value = "yes" if Qt.CheckState(value) == Qt.Checked else "no"
        elif role != EDIT:
            return False
        return self.set_value(name, str(value))

    def set_value(self, name: str, text: str) -> bool:
        problem = check_value(name, text)
        if problem is None:
            ok, msg = run_action(self.source, b"CONFIG", b"SET", name, text)
            if not ok:
                problem = f"'{text}' refused: {msg}"
        row = self.row_of(name)
        if problem is not None:
            self.errors[name] = problem
            self.dataChanged.emit(self.index(row, 1), self.index(row, 3))
            self.failed.emit(name, problem)
            return False
        self.errors.pop(name, None)
        try:                                # what the server made of it ("1gb" -> bytes)
            got = self.source.config_get(name).get(name, text)
        except Exception:
            got = text
        self.values[name] = got
        self.dataChanged.emit(self.index(row, 1), self.index(row, 3))
        self.changed.emit(name, got)
        return True

    def load(self, values: dict[str, str]):
        """Merge a CONFIG GET reading: changed values in place, new names inserted in
        order, vanished names removed; never a reset."""
        for i in range(len(self.names) - 1, -1, -1):
            if self.names[i] not in values:
                self.beginRemoveRows(QModelIndex(), i, i)
                self.values.pop(self.names.pop(i), None)
                self.endRemoveRows()
        new = sorted(n for n in values if n not in self.values)
        if new and (not self.names or new[0] > self.names[-1]):
            first = len(self.names)         # the first load: one insertion
            self.beginInsertRows(QModelIndex(), first, first + len(new) - 1)
            self.names.extend(new)
            self.values.update((n, values[n]) for n in new)
            self.endInsertRows()
        else:
            import bisect
            for n in new:
                i = bisect.bisect_left(self.names, n)
                self.beginInsertRows(QModelIndex(), i, i)
                self.names.insert(i, n)
                self.values[n] = values[n]
                self.endInsertRows()
        for i, n in enumerate(self.names):
            if self.values.get(n) != values[n]:
                self.values[n] = values[n]
                self.dataChanged.emit(self.index(i, 1), self.index(i, 1))


class ConfigDelegate(QStyledItemDelegate):
    """A combo for enums; a line edit for the rest (the model checks the text)."""

    def createEditor(self, parent, option, index):
        model = index.model()
        name = model.index(index.row(), 0).data()
        p = param_spec(name)
        if p is not None and p.kind == "enum":
            combo = QComboBox(parent)
            combo.addItems(list(p.choices))
            return combo
        return super().createEditor(parent, option, index)

    def setEditorData(self, editor, index):
        if isinstance(editor, QComboBox):
            editor.setCurrentText(index.data(EDIT))
            return
        super().setEditorData(editor, index)

    def setModelData(self, editor, model, index):
        if isinstance(editor, QComboBox):
            model.setData(index, editor.currentText(), EDIT)
            return
        super().setModelData(editor, model, index)


def explain_limit(limit: int | None, policy: str | None, used: int | None,
                  volatile: int | None) -> str:
    """In plain words, what this maxmemory and policy pair does to the data, and whether
    the server is already past the limit."""
    if limit is None:
        return ""
    if limit == 0:
        return ("No memory limit: the server takes what it needs until the machine runs "
                "out; the eviction policy has no effect.")
    cap = human_bytes(limit)
    kind = (policy or "").split("-")[-1]
    how = {"lru": "least recently used", "lfu": "least frequently used",
           "random": "random", "ttl": "soonest-to-expire"}.get(kind, "")
    if policy == "noeviction":
        text = (f"Above {cap}, writes that need more memory fail with an OOM error; "
                f"nothing is deleted, reads and deletes keep working.")
    elif (policy or "").startswith("allkeys-"):
        text = (f"Above {cap}, {how} keys (any key) are deleted to make room for each "
                f"write: data can disappear, suitable for a cache.")
    elif (policy or "").startswith("volatile-"):
        ttl = "" if volatile is None else \
            f" (now {volatile:,} key{'' if volatile == 1 else 's'} with a TTL)"
        text = (f"Above {cap}, {how} keys among those with a TTL{ttl} are deleted to make "
                f"room; keys without a TTL are kept, and once no TTL key is left, writes "
                f"fail with OOM errors.")
    else:
        text = f"Above {cap}, the server applies the '{policy}' policy."
    if used is not None and used > limit:
        text += (f" The server already uses {human_bytes(used)}: "
                 + ("writes would fail at once." if policy == "noeviction"
                    else "eviction starts at once."))
    return text


def split_memory(n: int) -> tuple[str, int]:
    """A byte count as (number text, unit index) in the largest exact unit."""
    for i in range(len(UNITS) - 1, 0, -1):
        if n and n % UNITS[i][1] == 0:
            return str(n // UNITS[i][1]), i
    return str(n), 0


class ConfigPanel(QWidget):
    def __init__(self, source: InspectorSource, parent=None, interval_ms: int = INTERVAL_MS):
        super().__init__(parent)
        self.source = source

        # maxmemory and policy
        box = QGroupBox("Memory limit and eviction")
        form = QFormLayout(box)
        self.maxmemory = QLineEdit()
        self.maxmemory.setMaximumWidth(140)
        self.maxmemory.setPlaceholderText("0 = no limit")
        self.maxmemory.returnPressed.connect(self.apply_maxmemory)
        self.unit = QComboBox()
        for label, _mul, _suffix in UNITS:
            self.unit.addItem(label)
        self.maxmemory_button = QPushButton("Apply")
        self.maxmemory_button.clicked.connect(self.apply_maxmemory)
        self.usage = QLabel()
        row = QHBoxLayout()
        row.addWidget(self.maxmemory)
        row.addWidget(self.unit)
        row.addWidget(self.maxmemory_button)
        row.addWidget(self.usage, 1)
        form.addRow("maxmemory", row)
        self.maxmemory_error = StatusLine()
        form.addRow("", self.maxmemory_error)
        self.policy = QComboBox()
        for i, (name, text) in enumerate(POLICIES.items()):
            self.policy.addItem(name)
            self.policy.setItemData(i, text, TOOLTIP)
        self.policy.activated.connect(self.apply_policy)
        self.policy.currentTextChanged.connect(
            lambda name: self.policy_help.setText(POLICIES.get(name, "")))
        self.policy_help = QLabel()
        self.policy_help.setWordWrap(True)
        prow = QHBoxLayout()
        prow.addWidget(self.policy)
        prow.addWidget(self.policy_help, 1)
        form.addRow("maxmemory-policy", prow)
        self.policy_error = StatusLine()
        form.addRow("", self.policy_error)
        self.effect = QLabel()
        self.effect.setWordWrap(True)
        self.effect.setToolTip("what the limit and policy above (as typed) do to your data")
        form.addRow("what it changes", self.effect)
        self._used = self._volatile = self._limit = None
        self.confirm_box = None
        self._editing_maxmemory = False     # the user typed since the last apply
        self.maxmemory.textEdited.connect(lambda _t: setattr(self, "_editing_maxmemory",
                                                             True))
        self.unit.activated.connect(lambda _i: setattr(self, "_editing_maxmemory", True))
        self.maxmemory.textChanged.connect(lambda _t: self._explain())
        self.unit.currentIndexChanged.connect(lambda _i: self._explain())
        self.policy.currentIndexChanged.connect(lambda _i: self._explain())

        # all parameters
        self.model = ConfigModel(source, self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterKeyColumn(0)
        self.proxy.setFilterCaseSensitivity(Qt.CaseInsensitive)
        self.search = QLineEdit()
        self.search.setPlaceholderText("search parameters, e.g. maxmemory, listpack, aof")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self.proxy.setFilterFixedString)
        self.view = QTableView()
        self.view.setModel(self.proxy)
        self.view.setItemDelegateForColumn(1, ConfigDelegate(self.view))
        self.view.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.view.setEditTriggers(QAbstractItemView.DoubleClicked |
                                  QAbstractItemView.EditKeyPressed |
                                  QAbstractItemView.SelectedClicked)
        self.view.setWordWrap(False)
        vh = self.view.verticalHeader()
        vh.setSectionResizeMode(QHeaderView.Fixed)
        vh.setDefaultSectionSize(self.view.fontMetrics().height() + 8)
        vh.hide()
        head = self.view.horizontalHeader()
        head.setSectionResizeMode(3, QHeaderView.Stretch)
        for col, w in ((0, 230), (1, 200), (2, 210)):
            self.view.setColumnWidth(col, w)
        self.table_error = StatusLine()
        self.model.failed.connect(lambda n, e: self.table_error.show_error(f"{n}: {e}"))
        self.model.changed.connect(self._on_changed)

        self.rewrite_button = QPushButton("CONFIG REWRITE")
        self.rewrite_button.setToolTip("Write the running configuration back to the config "
                                       "file the server started with")
        self.rewrite_button.clicked.connect(self.rewrite)
        self.status = StatusLine()
        bottom = QHBoxLayout()
        bottom.addWidget(self.rewrite_button)
        bottom.addWidget(self.status, 1)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(box)
        lay.addWidget(self.search)
        lay.addWidget(self.view, 1)
        lay.addWidget(self.table_error)
        lay.addLayout(bottom)
        self.poller = Poller(self, self.refresh, interval_ms)

    # ------------------------------------------------------------------ reading
    def refresh(self):
        try:
            values = self.source.config_get("*")
            mem = self.source.info_section("memory")
            keyspace = self.source.info_section("keyspace")
        except Exception as e:
            self.status.show_error(f"Cannot read the configuration: {e}")
            return
        if not self.status.ok and self.status.text().startswith("Cannot read"):
            self.status.clear_status()
        self.model.load(values)
        try:
            self._volatile = sum(int(keyspace_fields(v)["expires"])
                                 for k, v in keyspace.items() if k.startswith("db"))
        except (KeyError, ValueError):
            self._volatile = None
        self._show_memory(values.get("maxmemory"), values.get("maxmemory-policy"), mem)

    def _show_memory(self, maxmemory: str | None, policy: str | None, mem: dict):
        if maxmemory is None:
            self.maxmemory.setEnabled(False)
            self.maxmemory.setText("")
            self.maxmemory.setPlaceholderText(NOT_AVAILABLE)
        else:
            self.maxmemory.setEnabled(True)
            try:
                number, unit = split_memory(int(maxmemory))
            except ValueError:
                number, unit = maxmemory, 0
            if not self._editing_maxmemory and (number, unit) != (
                    self.maxmemory.text(), self.unit.currentIndex()):
                self.maxmemory.setText(number)
                self.unit.setCurrentIndex(unit)
        used = mem.get("used_memory")
        self._used = int(used) if used is not None and used.isdigit() else None
        self._limit = int(maxmemory) if maxmemory and maxmemory.isdigit() else None
        if used is not None:
            limit = int(maxmemory) if maxmemory and maxmemory.isdigit() else 0
            share = f" ({100 * int(used) / limit:.1f}% of the limit)" if limit else \
                " (no limit)"
            self.usage.setText(f"in use: {human_bytes(int(used))}{share}")
        else:
            self.usage.setText(f"in use: {NOT_AVAILABLE}")
        if policy is not None and policy != self.policy.currentText() and \
                not self.policy.view().isVisible():
            self.policy.setCurrentText(policy)
        self.policy_help.setText(POLICIES.get(self.policy.currentText(), ""))
        self._explain()

    def pending_limit(self) -> int | None:
        """The limit in bytes as typed (not applied yet), None when it is not a number."""
        number = self.maxmemory.text().strip()
        if not number.isdigit():
            return None
        return int(number) * UNITS[self.unit.currentIndex()][1]

    def _explain(self):
        limit = self.pending_limit()
        if limit is None:
            self.effect.setText("" if self.maxmemory.isEnabled() else NOT_AVAILABLE)
            return
        self.effect.setText(explain_limit(limit, self.policy.currentText(), self._used,
                                          self._volatile))

    # ------------------------------------------------------------------ actions
    def apply_maxmemory(self) -> bool:
        number = self.maxmemory.text().strip()
        self._editing_maxmemory = False
        if not number.isdigit():
            self.maxmemory_error.show_error(
                f"'{number}' is not a whole number: maxmemory is set in "
                f"{self.unit.currentText()} (0 = no limit)")
            return False
        value = number + UNITS[self.unit.currentIndex()][2]
        policy, limit = self.policy.currentText(), self.pending_limit()
        if self.evicts_now(limit, policy):
            confirm_destructive(
                self, self.source, "Evict keys now?",
                f"The server uses {human_bytes(self._used)}. With a limit of "
                f"{human_bytes(limit)} and {policy}, it deletes keys "
                f"at once until it fits. Apply maxmemory {value}?",
                lambda: self._set_maxmemory(value),
                lambda: self.maxmemory_error.show_ok("Not applied: nothing changed."))
            return False
        return self._set_maxmemory(value)

    def evicts_now(self, limit: int | None, policy: str) -> bool:
        """Whether this limit and policy would delete keys the moment they apply."""
        if not limit or self._used is None or self._used <= limit:
            return False
        if policy.startswith("volatile-"):
            return bool(self._volatile)
        return policy.startswith("allkeys-")

    def _set_maxmemory(self, value: str) -> bool:
        ok, msg = run_action(self.source, b"CONFIG", b"SET", b"maxmemory", value)
        if ok:
            self.maxmemory_error.clear_status()
        else:
            self.maxmemory_error.show_error(f"'{value}' refused: {msg}")
        self.refresh()
        return ok

    def apply_policy(self, _index: int = 0) -> bool:
        name = self.policy.currentText()
        if self.evicts_now(self._limit, name):
            confirm_destructive(
                self, self.source, "Evict keys now?",
                f"The server uses {human_bytes(self._used)}, more than its limit of "
                f"{human_bytes(self._limit)}: with {name} it deletes keys at once until "
                f"it fits. Switch to {name}?",
                lambda: self._set_policy(name),
                lambda: (self.policy_error.show_ok("Not applied: nothing changed."),
                         self.refresh()))
            return False
        return self._set_policy(name)

    def _set_policy(self, name: str) -> bool:
        ok, msg = run_action(self.source, b"CONFIG", b"SET", b"maxmemory-policy", name)
        if ok:
            self.policy_error.clear_status()
        else:
            self.policy_error.show_error(f"'{name}' refused: {msg}")
        self.refresh()
        return ok

    def _on_changed(self, name: str, value: str):
        self.table_error.clear_status()
        if name in ("maxmemory", "maxmemory-policy"):
            self.refresh()

    def rewrite(self) -> bool:
        ok, msg = run_action(self.source, b"CONFIG", b"REWRITE")
        self.status.show_result(ok, msg if ok else f"failed: {msg}", "CONFIG REWRITE")
        return ok

    def showEvent(self, e):
        super().showEvent(e)
        self.refresh()
