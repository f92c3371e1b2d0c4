"""Running the value formatters (gui/formatters.py) off the GUI thread, and a lazy tree
model over what they decode.

The embedded server shares the GUI thread, so a decode (a 16 MB gunzip, a pickle read
opcode by opcode) runs in a worker thread; only the newest request of a worker counts
(browsing keys quickly never queues stale work).  The tree model materialises a node's
children only when the view asks for them, at most CHILD_CAP per node.
"""
from __future__ import annotations

import threading
from itertools import islice

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QObject, Qt, Signal

from . import formatters
from .formatters import Opaque, Pairs
from .roles import DISPLAY, HORIZONTAL, TOOLTIP

CHILD_CAP = 1000                 # children listed per node ("... N more" after them)
_CONTAINERS = (dict, list, tuple)   # what has children (Pairs is a list)


class DecodeWorker(QObject):
    """One background thread at a time; ``submit`` replaces whatever was waiting, and
    ``decoded(tag, result)`` comes back on the GUI thread for the newest request only."""
    decoded = Signal(object, object)         # tag, formatters.Decoded
    _done = Signal(int, object, object)      # from the thread: ticket, tag, result

    def __init__(self, parent=None):
        super().__init__(parent)
        self._lock = threading.Lock()
        self._pending = None
        self._running = False
        self._ticket = 0
        self._done.connect(self._deliver, Qt.QueuedConnection)

    def submit(self, tag, fn, *args):
        with self._lock:
            self._ticket += 1
            self._pending = (self._ticket, tag, fn, args)
            if not self._running:
                self._running = True
                threading.Thread(target=self._run, name="keyscope-decode",
                                 daemon=True).start()

    def cancel(self):
        """Forget the request in flight (its result will not be delivered)."""
        with self._lock:
            self._ticket += 1
            self._pending = None

    def _run(self):
        while True:
            with self._lock:
                job, self._pending = self._pending, None
                if job is None:
                    self._running = False
                    return
            ticket, tag, fn, args = job
            try:
                result = fn(*args)
            except Exception as e:          # the formatters are total; belt and braces
                result = formatters.Decoded(False, "decoder",
                                            f"decoding failed: {type(e).__name__}: {e}")
            try:
                self._done.emit(ticket, tag, result)
            except RuntimeError:            # the widget went away meanwhile
                return

    def _deliver(self, ticket, tag, result):
        if ticket != self._ticket:          # superseded: a newer request is coming
            return
        self.decoded.emit(tag, result)


# ---------------------------------------------------------------------- tree model
def _kind(v) -> str:
    if isinstance(v, Opaque):
        return v.label
    if isinstance(v, (dict, Pairs)):
        return f"object ({len(v):,})"
    if isinstance(v, (list, tuple)):
        return f"array ({len(v):,})"
    if isinstance(v, str):
        return "string"
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, int):
        return "integer"
    if isinstance(v, float):
        return "number"
    if isinstance(v, (bytes, bytearray)):
        return f"bytes ({len(v):,})"
    if v is None:
        return "null"
    return type(v).__name__


def _items(v):
    """(key, child) of a container, the first CHILD_CAP; None for a leaf."""
    if isinstance(v, Opaque):
        b = v.body
        if isinstance(b, _CONTAINERS):
            return _items(b)
        return [("", b)] if b is not None else None
    if isinstance(v, dict):
        return list(islice(v.items(), CHILD_CAP))
    if isinstance(v, Pairs):
        return v[:CHILD_CAP]
    if isinstance(v, (list, tuple)):
        return list(enumerate(v[:CHILD_CAP]))
    return None


def _size(v) -> int:
    if isinstance(v, Opaque):
        b = v.body
        return _size(b) if isinstance(b, _CONTAINERS) else int(b is not None)
    return len(v) if isinstance(v, _CONTAINERS) else 0


class _More:
    """The row standing for the children not listed."""
    def __init__(self, n):
        self.n = n


class _Node:
    __slots__ = ("id", "parent", "row", "key", "value", "kids")

    def __init__(self, nid, parent, row, key, value):
        self.id, self.parent, self.row, self.key, self.value = nid, parent, row, key, value
        self.kids = None


class StructModel(QAbstractItemModel):
    """A decoded structure (JSON, MessagePack, pickle, protobuf, PHP) as a tree:
    key, type, value.  Children are built when first asked for."""
    COLUMNS = ("key", "type", "value")

    def __init__(self, parent=None):
        super().__init__(parent)
        self._nodes: dict[int, _Node] = {}
        self._next = 1
        self.root = self._make(None, 0, "", None)

    def _make(self, parent, row, key, value) -> _Node:
        n = _Node(self._next, parent, row, key, value)
        self._nodes[n.id] = n
        self._next += 1
        return n

    def set_value(self, value):
        """Show a new structure (a user action: a reset is what it is)."""
        self.beginResetModel()
        self._nodes.clear()
        self.root = self._make(None, 0, "", value)
        self.endResetModel()

    def _kids(self, node: _Node) -> list:
        if node.kids is None:
            items = _items(node.value) or []
            total = _size(node.value)
            node.kids = [self._make(node, i, k, v) for i, (k, v) in enumerate(items)]
            if total > CHILD_CAP:
                node.kids.append(self._make(node, CHILD_CAP, "…", _More(total - CHILD_CAP)))
        return node.kids

    def _node(self, index: QModelIndex) -> _Node:
        return self._nodes.get(index.internalId(), self.root) if index.isValid() \
            else self.root

    def index(self, row, column, parent=QModelIndex()):
        if column < 0 or column >= 3 or row < 0 or (parent.isValid() and
                                                    parent.column() != 0):
            return QModelIndex()
        kids = self._kids(self._node(parent))
        if row >= len(kids):
            return QModelIndex()
        return self.createIndex(row, column, kids[row].id)

    def parent(self, index=QModelIndex()):
        if not index.isValid():
            return QModelIndex()
        n = self._nodes.get(index.internalId())
        if n is None or n.parent is None or n.parent is self.root:
            return QModelIndex()
        return self.createIndex(n.parent.row, 0, n.parent.id)

    def rowCount(self, parent=QModelIndex()):
        if parent.isValid() and parent.column() != 0:
            return 0
        return len(self._kids(self._node(parent)))

    def columnCount(self, parent=QModelIndex()):
        return 3

    def hasChildren(self, parent=QModelIndex()):
        if parent.isValid() and parent.column() != 0:
            return False
        n = self._node(parent)
        return n.kids is not None and bool(n.kids) or (n.kids is None and
                                                       _size(n.value) > 0)

    def data(self, index, role=DISPLAY):
        if not index.isValid() or role not in (DISPLAY, TOOLTIP):
            return None
        n = self._nodes.get(index.internalId())
        if n is None:
            return None
        v, col = n.value, index.column()
        if isinstance(v, _More):
            return f"{v.n:,} more not listed" if col == 2 else ("…" if col == 0 else "")
        if col == 0:
            k = n.key
            return k if isinstance(k, str) else formatters.render(k, 200)[0]
        if col == 1:
            return _kind(v)
        if isinstance(v, _CONTAINERS):          # its children show its contents
            return ""
        if isinstance(v, Opaque):
            b = v.body
            return "" if isinstance(b, _CONTAINERS) or b is None \
                else formatters.render(b, 300)[0]
        text, _cut = formatters.render(v, 300 if role == DISPLAY else 4000)
        return text

    def headerData(self, section, orientation, role=DISPLAY):
        if role == DISPLAY and orientation == HORIZONTAL and 0 <= section < 3:
            return self.COLUMNS[section]
        return None
