"""Per-key memory anatomy in the key view: what Redis 7.0 would allocate for the key, by
component (engine/memory_anatomy.py via ``source.key_anatomy``), how close it is to the
thresholds that change its encoding, a badge when the encoding changed since the view
last saw the key, and what keyscope's own Python objects for the value take.

A collapsible box: the one-line summary (total, nearest threshold, badge) is always
shown, the tables when expanded.  Recomputed on the key view's refresh, at most every
``MIN_INTERVAL_MS`` for the same key, and never more than 1/``MAX_LOOP_SHARE`` of the
time (a key written in a loop must not make the view walk it ten times a second in the
loop the server runs in).
"""
from __future__ import annotations

import time

from PySide6.QtCore import QRectF, Qt, QTimer
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import (QHBoxLayout, QHeaderView, QLabel, QTableView, QToolButton,
                               QVBoxLayout, QWidget)

from .panelkit import RowsTableModel
from .roles import ALIGNMENT, ALIGN_RIGHT, BACKGROUND, DECORATION, DISPLAY, FOREGROUND, TOOLTIP
from .source import InspectorSource, NotAvailable

MIN_INTERVAL_MS = 500
MAX_LOOP_SHARE = 20                  # wait at least 20x what the last computation took
KEEP_SEEN = 2000                     # keys whose last seen encoding is remembered
WARN = QColor(240, 170, 0, 110)      # >= 90% of a threshold: visible on light and dark
FIRED = QColor("#8a8a8a")
KIND_COLORS = {"key": QColor("#5b8def"), "data": QColor("#2e9b4f"),
               "overhead": QColor("#d0813b"), "metadata": QColor("#8a8a8a")}
BADGE_STYLE = ("background: #d0813b; color: white; border-radius: 3px; "
               "padding: 1px 6px; font-weight: bold;")


def _n(b: int) -> str:
    return f"{b:,}"


class AnatomyModel(RowsTableModel):
    """Rows: (component, bytes, share of the total or None, note, kind, counted) --
    ``counted`` False for what MEMORY USAGE leaves out."""
    columns = ("component", "bytes", "share", "note")

    def data(self, index, role=DISPLAY):
        if not index.isValid() or index.row() >= len(self.rows):
            return None
        comp, b, share, note, kind, counted = self.rows[index.row()]
        c = index.column()
        if role == DISPLAY:
            if c == 0:
                return comp if counted else f"+ {comp}"
            if c == 1:
                return _n(b)
            if c == 2:
                return f"{share:.1%}" if share is not None else "not in MEMORY USAGE"
            return note
        if role == TOOLTIP:
            return note or comp
        if role == ALIGNMENT and c in (1, 2):
            return ALIGN_RIGHT
        if role == FOREGROUND and not counted:
            return FIRED
        if role == DECORATION and c == 0 and counted:
            return KIND_COLORS.get(kind)
        return None


class ThresholdModel(RowsTableModel):
    """Rows: engine.memory_anatomy.Threshold items."""
    columns = ("setting", "measures", "current / limit", "share", "converts")

    def data(self, index, role=DISPLAY):
        if not index.isValid() or index.row() >= len(self.rows):
            return None
        t = self.rows[index.row()]
        c = index.column()
        if role == DISPLAY:
            if c == 0:
                return t.setting
            if c == 1:
                return t.what
            if c == 2:
                cur = "not measured" if t.current is None else _n(t.current)
                return f"{cur} / {_n(t.limit)}"
            if c == 3:
                s = t.share
                return "-" if s is None else f"{s:.0%}"
            if not t.change:
                return "nothing (sizes nodes)"
            return f"{t.change} (done)" if t.fired else t.change
        if role == TOOLTIP:
            return t.note or None
        if role == BACKGROUND and t.near:
            return WARN
        if role == FOREGROUND and t.fired:
            return FIRED
        if role == ALIGNMENT and c in (2, 3):
            return ALIGN_RIGHT
        return None


class StackBar(QWidget):
    """One horizontal bar: the counted parts side by side, coloured by kind (key,
    payload, overhead)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.parts: list = []           # (bytes, kind)
        self.setMinimumHeight(12)
        self.setMaximumHeight(12)

    def set_parts(self, parts: list):
        self.parts = [(b, k) for b, k in parts if b > 0]
        self.update()

    def paintEvent(self, _event):
        total = sum(b for b, _ in self.parts)
        if not total:
            return
        p = QPainter(self)
        w, h = self.width(), self.height()
        x = 0.0
        for b, kind in self.parts:
            dx = w * b / total
            p.fillRect(QRectF(x, 0, dx, h), KIND_COLORS.get(kind, FIRED))
            x += dx
        p.end()


def _table(model) -> QTableView:
    t = QTableView()
    t.setModel(model)
    t.verticalHeader().hide()
    t.verticalHeader().setDefaultSectionSize(20)
    hh = t.horizontalHeader()
    hh.setSectionResizeMode(QHeaderView.ResizeToContents)
    hh.setStretchLastSection(True)
    t.setWordWrap(False)
    return t


class KeyAnatomyView(QWidget):
    def __init__(self, source: InspectorSource, parent=None):
        super().__init__(parent)
        self.source = source
        self.db = 0
        self.key: bytes | None = None
        self.anatomy = None
        self.error = None
        self.badge_text = ""
        self._seen: dict = {}           # (db, key) -> encoding last shown
        self._last = 0.0
        self._cost = 0.0                # seconds the last computation took
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.recompute)

        self.toggle = QToolButton()
        self.toggle.setText("Memory anatomy")
        self.toggle.setCheckable(True)
        self.toggle.setToolButtonStyle(Qt.ToolButtonTextBesideIcon)
        self.toggle.setArrowType(Qt.RightArrow)
        self.toggle.setAutoRaise(True)
        self.toggle.toggled.connect(self._expand)
        self.summary = QLabel("-")
        self.summary.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.badge = QLabel()
        self.badge.setStyleSheet(BADGE_STYLE)
        self.badge.hide()
        head = QHBoxLayout()
        head.setContentsMargins(0, 0, 0, 0)
        head.addWidget(self.toggle)
        head.addWidget(self.summary, 1)
        head.addWidget(self.badge)

        self.body = QWidget()
        self.total_label = QLabel()
        self.total_label.setWordWrap(True)
        self.bar = StackBar()
        self.split_label = QLabel()
        self.parts_model = AnatomyModel(parent=self)
        self.parts_table = _table(self.parts_model)
        self.note_label = QLabel()
        self.note_label.setWordWrap(True)
        self.thresholds_title = QLabel("Encoding thresholds")
        self.thresholds_model = ThresholdModel(parent=self)
        self.thresholds_table = _table(self.thresholds_model)
        self.python_label = QLabel()
        self.python_label.setWordWrap(True)
        self.python_label.setToolTip(
            "keyscope keeps the value as Python objects; this is what they take "
            "(sys.getsizeof of each object once), not what Redis would use")
        b = QVBoxLayout(self.body)
        b.setContentsMargins(18, 0, 0, 0)
        for w in (self.total_label, self.bar, self.split_label, self.parts_table,
                  self.note_label, self.thresholds_title, self.thresholds_table,
                  self.python_label):
            b.addWidget(w)
        self.parts_table.setMinimumHeight(120)
        self.body.hide()
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(head)
        lay.addWidget(self.body)

    # ------------------------------------------------------------------ public
    def show_key(self, db: int, key: bytes | None):
        """The key view shows (or refreshed) ``key``: recompute now for a new key, at
        most every MIN_INTERVAL_MS for the same one."""
        same = (db, key) == (self.db, self.key)
        self.db, self.key = db, key
        if not same:
            self.badge_text = ""
            self._timer.stop()
            self.recompute()
            return
        interval = max(MIN_INTERVAL_MS, MAX_LOOP_SHARE * self._cost * 1000)
        wait = interval - (time.monotonic() - self._last) * 1000
        if wait <= 0:
            self.recompute()
        elif not self._timer.isActive():
            self._timer.start(int(wait) + 1)

    def recompute(self):
        self._timer.stop()
        self._last = t0 = time.monotonic()
        if self.key is None:
            return
        try:
            self._compute()
        finally:
            self._cost = time.monotonic() - t0

    def _compute(self):
        try:
            a = self.source.key_anatomy(self.db, self.key)
            self.error = None
        except NotAvailable as e:
            a, self.error = None, str(e)
        except Exception as e:              # remote went away, a reply we did not expect
            a, self.error = None, f"cannot read the key's memory: {type(e).__name__}: {e}"
        self.anatomy = a
        ident = (self.db, self.key)
        if a is None:
            self._seen.pop(ident, None)
            self.badge_text = ""
        else:
            prev = self._seen.pop(ident, None)
            if prev is not None and a.encoding and prev != a.encoding:
                self.badge_text = f"encoding changed: {prev} -> {a.encoding}"
                self.badge.setToolTip(a.cause or "the threshold that fired is not known")
                if a.cause:
                    self.badge_text += f" ({a.cause})"
            self._seen[ident] = a.encoding
            if len(self._seen) > KEEP_SEEN:
                del self._seen[next(iter(self._seen))]
        self._render()

    # ------------------------------------------------------------------ internals
    def _expand(self, on: bool):
        self.toggle.setArrowType(Qt.DownArrow if on else Qt.RightArrow)
        self.body.setVisible(on)

    def _render(self):
        a = self.anatomy
        self.badge.setText(self.badge_text)
        self.badge.setVisible(bool(self.badge_text))
        if a is None:
            self.summary.setText(self.error or "the key does not exist")
            self.total_label.setText(self.summary.text())
            for w in (self.split_label, self.note_label, self.python_label):
                w.setText("")
            self.bar.set_parts([])
            self.parts_model.set_rows([])
            self.thresholds_model.set_rows([])
            return
        remote = self.source.kind == "remote"
        how = ("remote: MEMORY USAGE, sampled" if remote and a.estimate else
               "remote: MEMORY USAGE" if remote else
               "estimate, sampled" if a.estimate else "exact model")
        total = "not available" if a.total is None else f"{_n(a.total)} bytes"
        near = [t for t in a.thresholds if t.near]
        tail = ""
        if near:
            t = max(near, key=lambda t: t.share)
            tail = f"  ·  {t.setting} {t.share:.0%} ({_n(t.current)}/{_n(t.limit)})"
        self.summary.setText(f"{total} in Redis 7.0 ({how})  ·  {a.encoding or '-'}{tail}")
        self.total_label.setText(
            f"What Redis 7.0 would use: {total} -- MEMORY USAGE's figure ({how}); lines "
            f"marked + are allocated too but MEMORY USAGE does not count them.")
        rows = []
        t = a.total or 0
        for p in a.parts:
            rows.append((p.component, p.bytes, p.bytes / t if t else None, p.note,
                         p.kind, True))
        for p in a.outside:
            rows.append((p.component, p.bytes, None, p.note, p.kind, False))
        self.parts_model.set_rows(rows)
        self.bar.set_parts([(p.bytes, p.kind) for p in a.parts])
        if a.parts and t:
            share = {k: sum(p.bytes for p in a.parts if p.kind == k) / t
                     for k in ("key", "data", "overhead")}
            self.split_label.setText(
                f"key {share['key']:.0%}  ·  payload {share['data']:.0%}  ·  "
                f"overhead {share['overhead']:.0%}")
        else:
            self.split_label.setText("")
        self.note_label.setText(a.note)
        self.note_label.setVisible(bool(a.note))
        self.thresholds_model.set_rows(list(a.thresholds))
        n = len(a.thresholds)
        self.thresholds_title.setText("Encoding thresholds" if n else
                                      "Encoding thresholds: none for this encoding")
        self.thresholds_table.setVisible(bool(n))
        self.thresholds_table.setFixedHeight(   # just its rows: no empty box below
            self.thresholds_table.horizontalHeader().sizeHint().height() + 20 * n + 4)
        self.python_label.setText(self._python_text(a))

    @staticmethod
    def _python_text(a) -> str:
        fp = a.python
        if fp is None:
            return ("keyscope's own Python footprint: not applicable, the value lives in "
                    "the remote server")
        how = (f"first {_n(fp.walked)} of {_n(fp.elements)} {fp.unit} walked, scaled"
               if fp.estimate else "every object walked")
        ratio = f", {fp.bytes / a.total:.1f}x what Redis would use" if a.total else ""
        return (f"keyscope itself holds ~{_n(fp.bytes)} bytes of Python objects for this "
                f"value (sys.getsizeof, {how}{ratio})")
