"""The keyspace tree: a QAbstractItemModel over the namespace index, and its panel.

Columns: key, type, keys (folders), memory (the bytes the engine charges, summed per
folder), TTL (a key's time left; a folder's share of keys that have one).  What is
listed follows a ``TreeFilter`` (glob, type, TTL range, size): a key that starts or stops
matching, by a write or by time passing (``TimeSchedule``), comes or goes like any other.

Rows of a folder: its sub-folders (sorted), then its keys (sorted).  Nothing is listed
until a view asks (``fetchMore``), one page at a time; what is listed ("exposed") is
always a sorted prefix of the folder's rows, so a change is one ``bisect`` and at most one
``beginInsertRows``/``beginRemoveRows`` per folder level, and count changes are batched
``dataChanged`` on exposed rows.  The model is never reset on a timer: only when the user
switches database / filter / delimiter, or the database was replaced (FLUSHDB, SWAPDB).

The index is built in time-budgeted slices on the Qt loop (the server shares it), from
the source's key batches; the change feed keeps it exact afterwards.
"""
from __future__ import annotations

import time
from bisect import bisect_left
from dataclasses import replace

from PySide6.QtCore import (QAbstractItemModel, QModelIndex, QPersistentModelIndex, QPoint, Qt,
                            QTimer, Signal)
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (QApplication, QComboBox, QHBoxLayout, QHeaderView, QLabel,
                               QLineEdit, QMenu, QStyle, QTreeView, QVBoxLayout, QWidget)

from .bulk import BulkBar
from .filterbar import FilterBar
from .nsindex import UPDATED, Folder, NamespaceIndex
from .roles import (ALIGN_RIGHT, ALIGNMENT, DECORATION, DISPLAY, ENABLED_SELECTABLE, FONT,
                    HORIZONTAL, NO_FLAGS, TOOLTIP, USER)
from .source import InspectorSource
from .treefilter import TimeSchedule, TreeFilter
from .treepager import GcHold, SortedPager, next_sorted

PAGE = 256
BIG_FOLDER = 20_000               # above this, pages come from a sliced sort (SortedPager)
KEY_ROLE = int(USER) + 1          # full key (bytes) of a key row, None for a folder
PREFIX_ROLE = int(USER) + 2       # a folder's prefix (bytes)
_SERVED = frozenset((int(DISPLAY), int(TOOLTIP), int(DECORATION), int(ALIGNMENT), int(FONT),
                     KEY_ROLE, PREFIX_ROLE))
BUILD_SLICE_S = 0.012             # index build work per Qt turn
COL_TYPE, COL_KEYS, COL_MEM, COL_TTL = 1, 2, 3, 4
COLUMN_SAMPLES = {COL_TYPE: ("string", "stream"), COL_KEYS: ("9,999,999",),   # widths
                  COL_MEM: ("999.9 MB",), COL_TTL: ("100% expiring", "23h 59m")}
REMOTE_MEMORY_TIP = ("remote mode is sampled: a key's bytes need MEMORY USAGE, so they "
                     "are shown only for keys opened in the key view, and folders have "
                     "no total")


def decode(b: bytes) -> str:
    return b.decode("utf-8", "backslashreplace")


def _norm_pattern(pattern: bytes | None) -> bytes | None:
    return None if not pattern or pattern == b"*" else pattern


def human(n: int) -> str:
    """Bytes in the column's short form: 812 B, 4.0 KB, 12.3 MB."""
    if n < 1024:
        return f"{n} B"
    for unit in ("KB", "MB", "GB", "TB"):
        n /= 1024
        if n < 1024 or unit == "TB":
            return f"{n:.1f} {unit}"


def share(ttl: int, count: int) -> str:
    """A folder's expiring share: never rounded to 0% or 100% when it is not."""
    if not ttl or not count:
        return ""
    pct = ttl * 100 / count
    pct = 100 if ttl == count else min(99, max(1, round(pct)))
    return f"{pct}% expiring"


def ttl_text(ms: int) -> str:
    """A key's time left, coarse enough for a column: 45s, 12m 5s, 3h 20m, 2d 4h."""
    s = max(0, ms) // 1000
    d, s = divmod(s, 86400)
    h, s = divmod(s, 3600)
    m, s = divmod(s, 60)
    if d:
        return f"{d}d {h}h"
    if h:
        return f"{h}h {m}m"
    if m:
        return f"{m}m {s}s"
    return f"{s}s" if s or ms >= 1000 else f"{max(0, ms)}ms"


class _View:
    """What the model has exposed of one folder: sorted prefixes of its sub-folder names
    and of its keys (keys only once every sub-folder is exposed), the row budget
    fetchMore granted, and for big folders a sorted pager per kind (folders, keys)."""
    __slots__ = ("vf", "vl", "budget", "pagers")

    def __init__(self):
        self.vf: list[bytes] = []
        self.vl: list[bytes] = []
        self.budget = 0
        self.pagers = [None, None]


class KeyTreeModel(QAbstractItemModel):
    COLUMNS = ("Key", "Type", "Keys", "Memory", "TTL")
    # building, keys indexed so far, keys in the database
    progress = Signal(bool, int, int)

    def __init__(self, source: InspectorSource, db: int = 0, delimiter: bytes = b":",
                 pattern: bytes | None = None, parent=None):
        super().__init__(parent)
        self.source = source
        self.db = db
        self.delimiter = delimiter
        self.filter = TreeFilter(pattern=_norm_pattern(pattern))
        self.ns = NamespaceIndex(delimiter)
        self._builder = None
        self._build_timer = QTimer(self)
        self._build_timer.setSingleShot(True)
        self._build_timer.timeout.connect(self._build_step)
        self._dirty_folders: set[Folder] = set()
        self._dirty_keys: set[bytes] = set()
        self._grown: set[Folder] = set()         # folders whose listing inserts grew
        self.pinned = QPersistentModelIndex()    # the view's current row (never cut)
        self.view_pages = False                  # a panel lists further pages (canFetchMore)
        self._rmeta: dict[bytes, tuple] = {}     # remote: key_meta cache for listed keys
        self._viewed: set[Folder] = set()        # folders with listed rows (TTL countdown)
        self._sched = TimeSchedule()             # timed TTL filters: keys to re-check
        self._sched_timer = QTimer(self)
        self._sched_timer.setSingleShot(True)
        self._sched_timer.timeout.connect(self._on_schedule)
        self._ttl_timer = QTimer(self)           # keys' TTL column counts down
        self._ttl_timer.setInterval(1000)
        self._ttl_timer.timeout.connect(self._tick_ttls)
        self._ttl_timer.start()
        self._editing = False
        self._sorting: list[Folder] = []         # big folders whose pager is sorting
        self._sort_timer = QTimer(self)
        self._sort_timer.setSingleShot(True)
        self._sort_timer.timeout.connect(self._sort_step)
        self._mismatch = None
        self._bold = QFont()
        self._bold.setBold(True)
        self._style = QApplication.style() if QApplication.instance() else None
        self._folder_icon = self._key_icon = None
        source.keysChanged.connect(self._on_keys_changed)
        source.dbReset.connect(self._on_db_reset)
        self._consistency = QTimer(self)
        self._consistency.setInterval(1000)
        self._consistency.timeout.connect(self._check_consistency)
        self._consistency.start()
        self.rebuild()

    # ------------------------------------------------------------------ configuration
    @property
    def pattern(self) -> bytes | None:
        return self.filter.pattern

    def set_db(self, db: int):
        if db != self.db:
            self.db = db
            self.rebuild()

    def set_pattern(self, pattern: bytes | None):
        self.set_filter(replace(self.filter, pattern=_norm_pattern(pattern)))

    def set_filter(self, flt: TreeFilter):
        """Show only keys passing ``flt`` (a user action: one reset, a sliced build)."""
        flt = replace(flt, pattern=_norm_pattern(flt.pattern))
        if flt != self.filter:
            self.filter = flt
            self.rebuild()

    def set_delimiter(self, delimiter: bytes):
        if delimiter and delimiter != self.delimiter:
            self.delimiter = delimiter
            self.rebuild()

    @property
    def building(self) -> bool:
        return self._builder is not None

    @property
    def exact_bytes(self) -> bool:
        """Whether bytes are known for every key (embedded) or only for some (remote)."""
        return not self.source.sampled

    def rebuild(self, prune: bool = False):
        """Start over (user action or database replaced): one model reset, then a sliced
        build.  ``prune`` instead reconciles the current index in place (no reset)."""
        if not prune:
            self.beginResetModel()
            match = None
            if self.filter.pattern is not None:
                from engine.glob import compile_glob
                match = compile_glob(self.filter.pattern).fullmatch
            self.ns = NamespaceIndex(self.delimiter, match)
            self.ns.root.view = _View()      # the top level lists new keys as they come
            self.ns.root.view.budget = PAGE
            self._viewed = {self.ns.root}
            self._dirty_folders.clear()
            self._dirty_keys.clear()
            self._grown.clear()
            self._rmeta.clear()
            self._sched.clear()
            self._sched_timer.stop()
            self.endResetModel()
        if self._builder is None:
            GcHold.acquire()
        self._builder = self._build(prune)
        self._build_timer.start(0)

    # ------------------------------------------------------------------ build
    def _build(self, prune: bool):
        src, db, ns, flt = self.source, self.db, self.ns, self.filter
        total = src.dbsize(db)
        done = 0
        key_meta, lengths = src.key_meta, flt.needs_length
        add, added, put = ns.add, self._added, self._put
        plain = not flt.on_meta
        for batch in src.key_batches(db, 500, pattern=flt.pattern):
            metas = key_meta(db, batch, lengths)
            if plain:                        # the common case, inlined
                for key, m in metas.items():
                    res = add(key, ((m[1] or 0) << 1) | (m[2] is not None))
                    if res:
                        added(*res, key)
                    elif res is UPDATED:         # the feed indexed it first
                        self._dirty_folders.update(ns.updated_path[1:])
            else:
                now = src.now_ms()
                for key, m in metas.items():
                    put(key, m, now)
            done += len(batch)
            yield done, total
        if prune:
            keys = list(ns.keys())
            for i in range(0, len(keys), 2000):
                chunk = keys[i:i + 2000]
                metas = key_meta(db, chunk, lengths)
                for key in chunk:
                    if key not in metas:
                        res = ns.remove(key)
                        if res is not None:
                            self._removed(*res, key)
                yield done, total

    def _build_step(self):
        if self._builder is None:
            return
        deadline = time.perf_counter() + BUILD_SLICE_S
        done = total = 0
        try:
            while time.perf_counter() < deadline:
                done, total = next(self._builder)
        except StopIteration:
            self._builder = None
            GcHold.release()
        except Exception as e:          # a remote that went away: stop, say so
            self._builder = None
            GcHold.release()
            import sys
            print(f"keyscope: index build failed: {e}", file=sys.stderr)
        self._emit_dirty()
        self._arm_schedule()
        if self._builder is not None:
            self.progress.emit(True, done, total)
            self._build_timer.start(0)
        else:
            try:
                total = self.source.dbsize(self.db)
            except Exception:           # a remote that went away (the window says so)
                total = len(self.ns)
            self.progress.emit(False, len(self.ns), total)

    # ------------------------------------------------------------------ change feed
    def _on_keys_changed(self, db: int, keys):
        if db != self.db:
            return
        if self._rmeta:                 # remote only: embedded never caches, skip the loop
            for k in keys:
                self._rmeta.pop(k, None)
        self._apply(keys)
        self._emit_dirty()
        self._arm_schedule()
        if self._builder is None:
            self.progress.emit(False, len(self.ns), self.source.dbsize(self.db))

    def refresh_keys(self, db: int, keys):
        """Bring keys up to date now (remote: what the inspector itself wrote, as there
        is no change feed)."""
        try:
            self._on_keys_changed(db, keys)
        except Exception as e:          # a remote that went away: the tree stays as is
            import sys
            print(f"keyscope: tree refresh failed: {e}", file=sys.stderr)

    def forget(self, key: bytes):
        """Drop a remote key's cached facts (read again when next shown: the key view
        may just have learnt its MEMORY USAGE)."""
        if self._rmeta.pop(key, None) is not None:
            idx = self.index_for_key(key)
            if idx.isValid():
                self._dirty_keys.add(key)
                QTimer.singleShot(0, self._emit_dirty)

    def _on_db_reset(self, db: int):
        if db == self.db:
            self.rebuild()

    def _check_consistency(self):
        """A safety net, not a refresh: if the index disagrees with the database's size
        or byte total (a write that bypassed the feed) the same way twice in a row with
        no changes in flight, reconcile in place, sliced, without a reset."""
        if self._builder is not None or self.filter.pattern is not None or \
                self.filter.on_meta or self.source.kind != "embedded" or \
                self.source.pending_changes(self.db):
            self._mismatch = None
            return
        root = self.ns.root
        state = (len(self.ns), self.source.dbsize(self.db), root.bytes,
                 self.source.db_bytes(self.db))
        if state[0] == state[1] and state[2] == state[3]:
            self._mismatch = None
        elif state == self._mismatch:
            self._mismatch = None
            self.rebuild(prune=True)
        else:
            self._mismatch = state

    def _apply(self, keys):
        """Bring these keys up to date: indexed with their current metadata when they
        exist and pass the filter, else gone.  O(depth) each."""
        src, ns, flt = self.source, self.ns, self.filter
        keys = list(keys)
        metas = src.key_meta(self.db, keys, flt.needs_length)
        if flt.on_meta:
            now, put = src.now_ms(), self._put
            for key in keys:
                m = metas.get(key)
                if m is not None:
                    put(key, m, now)
                else:
                    self._gone(key)
            return
        # no filter on metadata: the feed's hot path, inlined
        add, dirty_keys, dirty_folders = ns.add, self._dirty_keys, self._dirty_folders
        for key in keys:
            m = metas.get(key)
            if m is None:
                self._gone(key)
                continue
            res = add(key, ((m[1] or 0) << 1) | (m[2] is not None))
            if res:
                self._added(*res, key)
            elif res is not None:
                dirty_keys.add(key)              # rewritten: type or TTL may differ
                if res is UPDATED:
                    dirty_folders.update(ns.updated_path[1:])

    def _gone(self, key: bytes):
        if self.filter.timed:
            self._sched.put(key, None)
        res = self.ns.remove(key)
        if res is not None:
            self._removed(*res, key)

    def _put(self, key: bytes, m, now: int):
        """One existing key with its metadata: index it, update it, or drop it when it
        no longer passes the filter."""
        flt = self.filter
        if flt.timed:
            self._sched.put(key, flt.flips_at(m, now))
        if not flt.match(m, now):
            res = self.ns.remove(key)
            if res is not None:
                self._removed(*res, key)
            return
        res = self.ns.add(key, ((m[1] or 0) << 1) | (m[2] is not None))
        if res:
            self._added(*res, key)
        elif res is not None:
            self._dirty_keys.add(key)
            if res is UPDATED:
                self._dirty_folders.update(self.ns.updated_path[1:])

    # ------------------------------------------------------------------ time
    def _arm_schedule(self):
        at = self._sched.next_ms()
        if at is None:
            self._sched_timer.stop()
            return
        wait = at - self.source.now_ms()
        self._sched_timer.start(max(1, min(wait, 60_000)))

    def _on_schedule(self):
        """Keys whose timed TTL filter answer flips now: checked again, exactly."""
        due = self._sched.due(self.source.now_ms())
        if due:
            self._apply(due)
            self._emit_dirty()
            if self._builder is None:
                self.progress.emit(False, len(self.ns), self.source.dbsize(self.db))
        self._arm_schedule()

    def _tick_ttls(self):
        """Listed keys' TTL cells count down: one dataChanged per listed folder holding
        keys with a TTL (the view repaints only what is visible)."""
        by_id = self.ns.by_id
        for f in list(self._viewed):
            if by_id.get(f.id) is not f or f.view is None:
                self._viewed.discard(f)
                continue
            v = f.view
            if f.ttl and v.vl and not self._editing:
                first, last = len(v.vf), len(v.vf) + len(v.vl) - 1
                self.dataChanged.emit(self.createIndex(first, COL_TTL, f.id),
                                      self.createIndex(last, COL_TTL, f.id))

    # ------------------------------------------------------------------ structure edits
    def _folder_index(self, f: Folder) -> QModelIndex:
        p = f.parent
        if p is None:
            return QModelIndex()
        return self.createIndex(bisect_left(p.view.vf, f.name), 0, p.id)

    def _edit_rows(self, insert: bool, f: Folder, row: int, lst: list, pos: int, item=None):
        """Insert/remove one listed row.  Views and testers react to the begin signal by
        querying the model (even fetchMore): ``_editing`` keeps that from listing rows
        while ours is half done."""
        parent = self._folder_index(f)
        self._editing = True
        try:
            if insert:
                self.beginInsertRows(parent, row, row)
                lst.insert(pos, item)
                self.endInsertRows()
                self._grown.add(f)
            else:
                self.beginRemoveRows(parent, row, row)
                del lst[pos]
                self.endRemoveRows()
        finally:
            self._editing = False

    def _added(self, path, created, key):
        n = len(path)
        for k in range(n):
            f = path[k]
            if f.view is None:
                return
            if k + 1 < created:
                self._dirty_folders.add(path[k + 1])
                continue
            v = f.view
            if created < n:                          # a new sub-folder of f
                name = path[created].name
                pos = bisect_left(v.vf, name)
                complete = len(v.vf) == len(f.folders) - 1
                if pos < len(v.vf) or (complete and (v.vl or len(v.vf) < v.budget)):
                    self._edit_rows(True, f, pos, v.vf, pos, name)
                elif v.pagers[0] is not None:
                    v.pagers[0].add_late(name)
            else:                                    # a new key of f
                pos = bisect_left(v.vl, key)
                complete = len(v.vl) == len(f.leaves) - 1
                if len(v.vf) == len(f.folders) and (   # keys are listed after all folders
                        pos < len(v.vl) or (complete and len(v.vf) + len(v.vl) < v.budget)):
                    self._edit_rows(True, f, len(v.vf) + pos, v.vl, pos, key)
                elif v.pagers[1] is not None:
                    v.pagers[1].add_late(key)
            return

    def _removed(self, path, removed, key):
        n = len(path)
        for k in range(n):
            f = path[k]
            if f.view is None:
                return
            if k < removed:
                self._dirty_folders.add(path[k + 1])
                continue
            v = f.view
            if removed == n - 1:                     # the key itself
                pos = bisect_left(v.vl, key)
                if pos < len(v.vl) and v.vl[pos] == key:
                    self._edit_rows(False, f, len(v.vf) + pos, v.vl, pos)
            else:                                    # an emptied sub-folder
                name = path[removed + 1].name
                pos = bisect_left(v.vf, name)
                if pos < len(v.vf) and v.vf[pos] == name:
                    self._edit_rows(False, f, pos, v.vf, pos)
            return

    def _trim_grown(self):
        """New keys sorting inside a listed prefix are inserted, pushing the listing past
        what fetchMore granted: under a stream of new keys it would grow until the whole
        folder is listed, and QTreeView lays out every listed row again after each batch
        of inserts.  A page past its budget, a folder's listing is cut back to the budget
        (one removal at the tail, never up to the current row); fetchMore lists the cut
        rows again when the view scrolls there."""
        by_id = self.ns.by_id
        for f in self._grown:
            v = f.view
            if v is None or by_id.get(f.id) is not f:
                continue
            nf = len(v.vf)
            n = nf + len(v.vl)
            if n <= v.budget + PAGE:
                continue
            keep = v.budget
            row = QModelIndex(self.pinned)      # the current row, or its folder in f
            while row.isValid() and row.internalId() != f.id:
                row = row.parent()
            if row.isValid():
                keep = max(keep, row.row() + 1)
            if keep >= n:
                continue
            self._editing = True
            try:
                self.beginRemoveRows(self._folder_index(f), keep, n - 1)
                cut_l = v.vl[max(0, keep - nf):]
                del v.vl[max(0, keep - nf):]
                cut_f = v.vf[keep:]
                del v.vf[keep:]
                self.endRemoveRows()
            finally:
                self._editing = False
            for kind, cut in ((0, cut_f), (1, cut_l)):
                if v.pagers[kind] is not None:
                    for item in cut:
                        v.pagers[kind].add_late(item)
            for name in cut_f:              # rows below a cut folder went with it
                self._unlist(f.folders.get(name))
        self._grown.clear()

    def _unlist(self, f: Folder | None):
        """Forget what was listed under a folder whose row is gone from the view."""
        if f is None or f.view is None:
            return
        for name in f.view.vf:
            self._unlist(f.folders.get(name))
        f.view = None
        self._viewed.discard(f)

    def _emit_dirty(self):
        if self._grown:
            self._trim_grown()
        by_id = self.ns.by_id
        last = len(self.COLUMNS) - 1
        for f in self._dirty_folders:
            p = f.parent
            if by_id.get(f.id) is not f or p is None or p.view is None:
                continue
            pos = bisect_left(p.view.vf, f.name)
            if pos < len(p.view.vf) and p.view.vf[pos] == f.name:
                self.dataChanged.emit(self.createIndex(pos, COL_KEYS, p.id),
                                      self.createIndex(pos, last, p.id))
        self._dirty_folders.clear()
        for key in self._dirty_keys:
            f = self.ns.folder_of(key)
            if f is None or f.view is None:
                continue
            pos = bisect_left(f.view.vl, key)
            if pos < len(f.view.vl) and f.view.vl[pos] == key:
                row = len(f.view.vf) + pos
                self.dataChanged.emit(self.createIndex(row, 0, f.id),
                                      self.createIndex(row, last, f.id))
        self._dirty_keys.clear()

    # ------------------------------------------------------------------ model API
    def _child_folder(self, parent: QModelIndex) -> Folder | None:
        """The folder a (valid) parent index stands for, None for a key row."""
        if not parent.isValid():
            return self.ns.root
        f = self.ns.by_id.get(parent.internalId())
        if f is None or f.view is None:
            return None
        r = parent.row()
        if r < len(f.view.vf):
            return f.folders.get(f.view.vf[r])
        return None

    def _entry(self, index: QModelIndex):
        """(folder containing the row, sub-folder or None, key or None)."""
        f = self.ns.by_id.get(index.internalId())
        if f is None or f.view is None:
            return None, None, None
        r = index.row()
        v = f.view
        if r < len(v.vf):
            return f, f.folders.get(v.vf[r]), None
        r -= len(v.vf)
        if r < len(v.vl):
            return f, None, v.vl[r]
        return f, None, None

    def index(self, row, column, parent=QModelIndex()):
        if row < 0 or column < 0 or column >= len(self.COLUMNS) or parent.column() > 0:
            return QModelIndex()
        f = self._child_folder(parent)
        if f is None or f.view is None or row >= len(f.view.vf) + len(f.view.vl):
            return QModelIndex()
        return self.createIndex(row, column, f.id)

    def parent(self, index=QModelIndex()):
        if not index.isValid():
            return QModelIndex()
        f = self.ns.by_id.get(index.internalId())
        if f is None or f.parent is None:
            return QModelIndex()
        return self._folder_index(f)

    def rowCount(self, parent=QModelIndex()):
        if parent.column() > 0:
            return 0
        f = self._child_folder(parent)
        if f is None or f.view is None:
            return 0
        return len(f.view.vf) + len(f.view.vl)

    def columnCount(self, parent=QModelIndex()):
        return len(self.COLUMNS)

    def hasChildren(self, parent=QModelIndex()):
        if parent.column() > 0:
            return False
        f = self._child_folder(parent)
        # listed rows count too: mid-removal the index is already empty, the rows not yet
        return f is not None and (f.count > 0 or (f.view is not None and
                                                  bool(f.view.vf or f.view.vl)))

    def canFetchMore(self, parent=QModelIndex()):
        """More rows to list under ``parent``.  With ``view_pages`` set (a panel lists
        further pages itself when it shows the end of a listing), a view is told so only
        for a folder not listed yet: QTreeView fetches once more per expanded folder on
        every relayout, and each insert batch relays out, so under a stream of new keys
        an open folder would otherwise grow a page per batch until all of it is listed."""
        if self.view_pages:
            f = self._child_folder(parent) if parent.column() <= 0 else None
            if f is not None and f.view is not None:
                return False
        return self.more_to_list(parent)

    def more_to_list(self, parent=QModelIndex()) -> bool:
        if parent.column() > 0 or self._editing:
            return False
        f = self._child_folder(parent)
        if f is None:
            return False
        if f.view is None:
            return f.size > 0
        return len(f.view.vf) + len(f.view.vl) < f.size

    def fetchMore(self, parent=QModelIndex()):
        if parent.column() > 0 or self._editing:
            return
        f = self._child_folder(parent)
        if f is None:
            return
        if f.view is None:
            f.view = _View()
            self._viewed.add(f)
        v = f.view
        v.budget = max(v.budget, len(v.vf) + len(v.vl)) + PAGE
        self._fill(f, parent)

    def _take(self, f: Folder, kind: int, after, want: int):
        """Up to ``want`` entries after ``after`` in order; None while a big folder's
        pager is still sorting (the rows come when it is done)."""
        items = f.folders if kind == 0 else f.leaves
        if len(items) <= BIG_FOLDER:
            return next_sorted(items, after, want)
        pager = f.view.pagers[kind]
        if pager is None:
            pager = f.view.pagers[kind] = SortedPager(tuple(items))
        if not pager.ready:
            if f not in self._sorting:
                self._sorting.append(f)
                self._sort_timer.start(0)
            return None
        return pager.take(want, after, items)

    def _fill(self, f: Folder, parent: QModelIndex):
        """List rows of ``f`` up to its budget (folders first, then keys)."""
        v = f.view
        want = v.budget - len(v.vf) - len(v.vl)
        if want <= 0:
            return
        new_f, new_l = [], []
        if len(v.vf) < len(f.folders):
            new_f = self._take(f, 0, v.vf[-1] if v.vf else None, want)
            if new_f is None:
                return
            want -= len(new_f)
        if want > 0 and len(v.vf) + len(new_f) == len(f.folders) and len(v.vl) < len(f.leaves):
            new_l = self._take(f, 1, v.vl[-1] if v.vl else None, want) or []
        if not new_f and not new_l:
            return
        first = len(v.vf) + len(v.vl)
        self._editing = True
        try:
            self.beginInsertRows(parent, first, first + len(new_f) + len(new_l) - 1)
            v.vf.extend(new_f)
            v.vl.extend(new_l)
            self.endInsertRows()
        finally:
            self._editing = False

    def _sort_step(self):
        """Advance big folders' sorts a slice per Qt turn; list their rows when done."""
        deadline = time.perf_counter() + BUILD_SLICE_S
        while self._sorting and time.perf_counter() < deadline:
            f = self._sorting[0]
            if self.ns.by_id.get(f.id) is not f or f.view is None:
                self._sorting.pop(0)
                continue
            pagers = [p for p in f.view.pagers if p is not None and not p.ready]
            if all(p.step(deadline) for p in pagers):
                self._sorting.pop(0)
                self._fill(f, self._folder_index(f))
        if self._sorting:
            self._sort_timer.start(0)

    def flags(self, index):
        return ENABLED_SELECTABLE if index.isValid() else NO_FLAGS

    HEADER_TIPS = {COL_KEYS: "keys in the folder and below (as filtered)",
                   COL_MEM: "what each key adds to used_memory in the engine's model "
                            "(dict entry, key, value), summed per folder; the key view's "
                            "MEMORY USAGE is Redis's own, slightly different estimate",
                   COL_TTL: "a key's time to live; a folder's share of keys with a TTL"}

    def headerData(self, section, orientation, role=DISPLAY):
        if orientation != HORIZONTAL or not 0 <= section < len(self.COLUMNS):
            return None
        if role == DISPLAY:
            return self.COLUMNS[section]
        if role == TOOLTIP:
            if section == COL_MEM and not self.exact_bytes:
                return REMOTE_MEMORY_TIP
            return self.HEADER_TIPS.get(section)
        return None

    def key_meta(self, key: bytes):
        """(type, bytes or None, expire ms or None, length) of a listed key, None when
        gone.  Embedded: read now (O(1)); remote: cached until the key changes."""
        if not self.source.sampled:
            return self.source.key_meta(self.db, (key,)).get(key)
        m = self._rmeta.get(key)
        if m is None:
            try:
                m = self.source.key_meta(self.db, (key,)).get(key) or ("", None, None, None)
            except Exception:
                m = ("?", None, None, None)
            self._rmeta[key] = m
        return m

    def data(self, index, role=DISPLAY):
        # the hot path of every repaint (~8 roles per visible cell; the server shares
        # this thread): roles we do not serve return before any lookup
        if role not in _SERVED or not index.isValid():
            return None
        f, sub, key = self._entry(index)
        if f is None or (sub is None and key is None):
            return None
        col = index.column()
        if role == DISPLAY:
            if sub is not None:
                if col == 0:
                    return decode(sub.name) or '""'
                if col == COL_KEYS:
                    return f"{sub.count:,}"
                if col == COL_MEM:
                    return human(sub.bytes) if self.exact_bytes else ""
                if col == COL_TTL:
                    return share(sub.ttl, sub.count)
                return ""
            if col == 0:
                return decode(key[len(f.prefix):]) or '""'
            if col == COL_KEYS:
                return ""
            if col == COL_MEM and self.exact_bytes:
                meta = f.leaves.get(key)
                return human(meta >> 1) if meta is not None else ""
            m = self.key_meta(key)
            if m is None:
                return ""
            if col == COL_TYPE:
                return m[0]
            if col == COL_MEM:
                return human(m[1]) if m[1] is not None else ""
            if col == COL_TTL:
                return ttl_text(m[2] - self.source.now_ms()) if m[2] is not None else ""
            return ""
        if role == TOOLTIP:
            if col == COL_MEM and not self.exact_bytes:
                return REMOTE_MEMORY_TIP
            if sub is not None:
                if col == COL_MEM:
                    return f"{sub.bytes:,} bytes (what the engine charges for these keys)"
                if col == COL_TTL:
                    return f"{sub.ttl:,} of {sub.count:,} keys have a TTL"
                return f"{decode(sub.prefix)}*  ({sub.count:,} keys)"
            if col == COL_MEM:
                meta = f.leaves.get(key)
                return f"{meta >> 1:,} bytes" if meta is not None else None
            return decode(key)
        if role == DECORATION:
            if col != 0 or self._style is None:
                return None
            if self._folder_icon is None:
                self._folder_icon = self._style.standardIcon(QStyle.SP_DirIcon)
                self._key_icon = self._style.standardIcon(QStyle.SP_FileIcon)
            return self._folder_icon if sub is not None else self._key_icon
        if role == ALIGNMENT:
            return ALIGN_RIGHT if col == COL_KEYS or col == COL_MEM else None
        if role == FONT:
            return self._bold if sub is not None and col == 0 else None
        if role == KEY_ROLE:
            return key
        if role == PREFIX_ROLE:
            return sub.prefix if sub is not None else None
        return None

    def folder_of_index(self, index: QModelIndex) -> Folder | None:
        """The folder a row stands for (None for a key row); the root for an invalid
        index (the whole database as filtered)."""
        if not index.isValid():
            return self.ns.root
        f, sub, key = self._entry(index)
        return sub

    # ------------------------------------------------------------------ helpers
    def index_for_key(self, key: bytes) -> QModelIndex:
        """The row of a key if it is listed (exposed), else invalid."""
        f = self.ns.folder_of(key)
        if f is None or f.view is None:
            return QModelIndex()
        pos = bisect_left(f.view.vl, key)
        if pos < len(f.view.vl) and f.view.vl[pos] == key:
            return self.createIndex(len(f.view.vf) + pos, 0, f.id)
        return QModelIndex()


class KeyTreePanel(QWidget):
    """Database selector, glob filter, delimiter, filters on type / TTL / size, the
    tree with a folder context menu (bulk delete / TTL), the bulk bar and a status line."""
    keySelected = Signal(int, bytes)          # db, key

    def __init__(self, source: InspectorSource, parent=None):
        super().__init__(parent)
        self.source = source
        self.db_combo = QComboBox()
        for i in range(source.databases()):
            self.db_combo.addItem(f"db{i}", i)
        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText("filter (glob, e.g. user:*)")
        self.filter_edit.setClearButtonEnabled(True)
        self.delim_edit = QLineEdit(":")
        self.delim_edit.setMaximumWidth(36)
        self.delim_edit.setToolTip("namespace delimiter")
        self.filters = FilterBar(remote=source.sampled)
        self.status = QLabel()
        self.model = KeyTreeModel(source, 0)
        self.view = QTreeView()
        self.view.setUniformRowHeights(True)
        self.view.setModel(self.model)
        self.view.setAlternatingRowColors(True)
        self.view.setContextMenuPolicy(Qt.CustomContextMenu)
        hdr = self.view.header()
        hdr.setStretchLastSection(False)
        hdr.setSectionResizeMode(0, QHeaderView.Stretch)
        # fixed widths from the font, not ResizeToContents: that re-measures every listed
        # row on each dataChanged (the change feed, the TTL countdown), in the thread the
        # server shares
        fm = self.view.fontMetrics()
        pad = 2 * self.view.style().pixelMetric(QStyle.PM_FocusFrameHMargin) + 16
        for col, widest in COLUMN_SAMPLES.items():
            hdr.setSectionResizeMode(col, QHeaderView.Interactive)
            hdr.resizeSection(col, max(hdr.sectionSizeHint(col),
                                       max(fm.horizontalAdvance(t) for t in widest) + pad))
        # further pages are listed when the end of a listing is on screen (not on every
        # relayout, see KeyTreeModel.canFetchMore)
        self.model.view_pages = True
        self._paging = QTimer(self)
        self._paging.setSingleShot(True)
        self._paging.timeout.connect(self._list_visible_ends)
        bar = self.view.verticalScrollBar()
        for sig in (bar.valueChanged, bar.rangeChanged, self.view.expanded):
            sig.connect(lambda *_: self._paging.start(0))
        self.bulk = BulkBar(self.model)
        self.menu: QMenu | None = None

        top = QHBoxLayout()
        top.addWidget(self.db_combo)
        top.addWidget(self.filter_edit, 1)
        top.addWidget(QLabel("delim"))
        top.addWidget(self.delim_edit)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addLayout(top)
        lay.addWidget(self.filters)
        lay.addWidget(self.filters.error)
        lay.addWidget(self.view, 1)
        lay.addWidget(self.bulk)
        lay.addWidget(self.status)
        self.filters.error.hide()

        self.db_combo.currentIndexChanged.connect(self._on_db)
        self.filter_edit.editingFinished.connect(self._apply_filter)
        self.filters.changed.connect(self._apply_filter)
        self.delim_edit.editingFinished.connect(
            lambda: self.model.set_delimiter(self.delim_edit.text().encode()))
        self.view.selectionModel().currentChanged.connect(self._on_current)
        self.view.customContextMenuRequested.connect(self._context_menu)
        self.model.progress.connect(self._on_progress)

    def _on_db(self, i: int):
        self.bulk.close_or_stop()
        self.model.set_db(self.db_combo.itemData(i))

    def _apply_filter(self):
        self.model.set_filter(TreeFilter(pattern=self.filter_edit.text().encode() or None,
                                         **self.filters.values()))

    def _context_menu(self, pos):
        """On a folder (or the blank area: every key shown): bulk actions, with the
        exact count in the label.  ``popup``, not ``exec``: no nested event loop."""
        idx = self.view.indexAt(pos)
        f = self.model.folder_of_index(idx.siblingAtColumn(0) if idx.isValid() else idx)
        menu = QMenu(self)
        if f is not None and f.count:
            prefix, n = f.prefix, f.count
            menu.addAction(f"Delete {n:,} keys…", lambda: self.bulk.prepare("delete", prefix))
            menu.addAction(f"Set TTL on {n:,} keys…",
                           lambda: self.bulk.prepare("expire", prefix))
        if self.source.read_only:           # (gui/safety.py) the inspector writes nothing
            from .safety import READ_ONLY_TIP
            menu.setToolTipsVisible(True)
            for a in menu.actions():
                a.setEnabled(False)
                a.setToolTip(READ_ONLY_TIP)
        from .transfer import add_tree_actions      # export / copy / import (gui/transfer.py)
        add_tree_actions(self, menu, f, idx.siblingAtColumn(0).data(KEY_ROLE)
                         if idx.isValid() else None)
        self.menu = menu
        menu.popup(self.view.viewport().mapToGlobal(pos))

    def reveal(self, key: bytes) -> bool:
        """Expand the folders down to a key and select it (paging as needed)."""
        m = self.model
        f, parent = m.ns.root, QModelIndex()
        for seg in key.split(m.delimiter)[:-1]:
            sub = f.folders.get(seg)
            if sub is None:
                return False
            while (f.view is None or seg not in f.view.vf) and m.more_to_list(parent):
                m.fetchMore(parent)
            if f.view is None or seg not in f.view.vf:
                return False
            parent = m.index(bisect_left(f.view.vf, seg), 0, parent)
            self.view.expand(parent)
            f = sub
        while not m.index_for_key(key).isValid() and m.more_to_list(parent):
            m.fetchMore(parent)
        idx = m.index_for_key(key)
        if not idx.isValid():
            return False
        self.view.setCurrentIndex(idx)
        self.view.scrollTo(idx)
        return True

    def _list_visible_ends(self):
        """List the next page of every folder whose last listed row is on screen."""
        view, m = self.view, self.model
        height = view.viewport().height()
        idx = view.indexAt(QPoint(1, 1))
        while idx.isValid() and view.visualRect(idx).top() < height:
            parent = idx.parent()
            n = m.rowCount(parent)
            if idx.row() == n - 1 and m.more_to_list(parent):
                m.fetchMore(parent)
                if m.rowCount(parent) > n:  # (a big folder still sorting lists later)
                    self._paging.start(0)   # what the new rows leave on screen, next
                return
            idx = view.indexBelow(idx)

    def _on_current(self, cur: QModelIndex, prev: QModelIndex):
        self.model.pinned = QPersistentModelIndex(cur.siblingAtColumn(0)) if cur.isValid() \
            else QPersistentModelIndex()
        key = cur.siblingAtColumn(0).data(KEY_ROLE) if cur.isValid() else None
        if key is not None:
            self.keySelected.emit(self.model.db, bytes(key))
            if self.source.sampled:
                self.model.forget(bytes(key))

    def _on_progress(self, building: bool, done: int, total: int):
        m = self.model
        sampled = " (SCAN, sampled)" if self.source.sampled else ""
        if building:
            self.status.setText(f"indexing db{m.db}: {done:,} / {total:,} keys{sampled}")
            return
        shown = m.filter.describe()
        root = m.ns.root
        facts = [human(root.bytes)] if m.exact_bytes else []
        if root.ttl:
            facts.append(share(root.ttl, root.count))
        self.status.setText(f"{done:,} keys{' ' + shown if shown else ''} in db{m.db}"
                            f"{sampled}" + "".join(" · " + x for x in facts))
