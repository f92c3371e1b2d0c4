"""Bulk actions on a folder of the tree (INSPECTOR.md item 3): delete its keys or set a
TTL on them.  The bar shows the exact count first (the dry run: the index's live count
of the folder as filtered), the user confirms, then the job runs in time-budgeted slices
on the Qt loop (the embedded server shares it): first a snapshot of the folder's keys,
then UNLINK in batches / PEXPIRE per key, each a real command through
``keyedit.run_key_command`` (embedded: the inspector's private context, propagated to
AOF/replicas like any write; remote: the source's connection).  Everything written
reaches the tree through the ordinary change feed.
"""
from __future__ import annotations

import time

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import (QComboBox, QFrame, QHBoxLayout, QLabel, QLineEdit,
                               QPushButton, QVBoxLayout)

from .keyedit import UNITS, parse_duration_ms, run_key_command
from .nsindex import Folder
from .panelkit import StatusLine

SLICE_S = 0.010             # work per Qt turn
UNLINK_BATCH = 256          # keys per UNLINK
SCAN_FOUND = " (remote: the keys the SCAN found)"


def where(prefix: bytes) -> str:
    """A tree folder in words ('under app:*'; the root: every key shown)."""
    return "under " + prefix.decode("utf-8", "backslashreplace") + "*" if prefix \
        else "in the tree"


class BulkJob(QObject):
    """Snapshot the keys below a folder, then act on them a slice at a time."""
    progress = Signal(int, int)          # done, total (total -1 while snapshotting)
    finished = Signal(bool, str)         # ok, summary
    touched = Signal(int, list)          # db, keys just written (remote: no change feed)

    def __init__(self, source, db: int, folder: Folder, action: str, ttl_ms: int = 0,
                 parent=None):
        super().__init__(parent)
        self.source, self.db, self.action, self.ttl_ms = source, db, action, ttl_ms
        self.prefix = folder.prefix
        self._stack = [folder]
        self.keys: list[bytes] = []
        self.pos = 0
        self.affected = 0
        self.running = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._step)

    def start(self):
        self.running = True
        self._timer.start(0)

    def cancel(self):
        if self.running:
            self.running = False
            self._timer.stop()
            self.finished.emit(False, f"Stopped: {self._summary()}")

    def _summary(self) -> str:
        done = self.pos
        if self.action == "delete":
            gone = done - self.affected
            return (f"deleted {self.affected:,} keys {where(self.prefix)}" +
                    (f" ({gone:,} were already gone)" if gone else ""))
        missing = done - self.affected
        return (f"set a TTL on {self.affected:,} keys {where(self.prefix)}" +
                (f" ({missing:,} were gone)" if missing else ""))

    def _step(self):
        if not self.running:
            return
        deadline = time.perf_counter() + SLICE_S
        # the snapshot: one folder at a time, each copied whole within a slice (the index
        # changes between slices, never during one)
        while self._stack:
            f = self._stack.pop()
            self.keys.extend(f.leaves)
            self._stack.extend(f.folders.values())
            if time.perf_counter() > deadline:
                self.progress.emit(len(self.keys), -1)
                self._timer.start(0)
                return
        keys, src, db = self.keys, self.source, self.db
        while self.pos < len(keys):
            if self.action == "delete":
                batch = keys[self.pos:self.pos + UNLINK_BATCH]
                ok, reply = run_key_command(src, db, b"UNLINK", *batch)
            else:
                batch = keys[self.pos:self.pos + 1]
                ok, reply = run_key_command(src, db, b"PEXPIRE", batch[0],
                                            b"%d" % self.ttl_ms)
            if not ok:
                self.running = False
                self.finished.emit(False, f"{reply} (after {self._summary()})")
                return
            self.pos += len(batch)
            self.affected += int(reply)
            self.touched.emit(db, batch)
            if time.perf_counter() > deadline:
                break
        self.progress.emit(self.pos, len(keys))
        if self.pos < len(keys):
            self._timer.start(0)
            return
        self.running = False
        text = self._summary()
        self.finished.emit(True, text[0].upper() + text[1:])


class BulkBar(QFrame):
    """The dry run and confirmation for one bulk action, then its progress and result.
    No modal dialog: no nested event loop while the server shares this thread."""
    done = Signal(bool, str)

    def __init__(self, model, parent=None):
        super().__init__(parent)
        self.model = model
        self.action = None
        self.prefix = b""
        self.db = 0
        self.job: BulkJob | None = None
        self.need_typed = False          # remote: a typed name confirms a delete
        self.setFrameShape(QFrame.StyledPanel)
        self.title = QLabel()
        self.title.setWordWrap(True)
        self.ttl_amount = QLineEdit()
        self.ttl_amount.setPlaceholderText("duration")
        self.ttl_amount.setMaximumWidth(80)
        self.ttl_unit = QComboBox()
        self.ttl_unit.addItems(list(UNITS))
        self.typed = QLineEdit()             # remote: type the folder's name to confirm
        self.go = QPushButton()
        self.cancel = QPushButton("Cancel")
        self.status = StatusLine()
        row = QHBoxLayout()
        row.addWidget(self.ttl_amount)
        row.addWidget(self.ttl_unit)
        row.addWidget(self.typed, 1)
        row.addStretch(1)
        row.addWidget(self.go)
        row.addWidget(self.cancel)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 4, 6, 4)
        lay.addWidget(self.title)
        lay.addLayout(row)
        lay.addWidget(self.status)
        self.go.clicked.connect(self.confirm)
        self.cancel.clicked.connect(self.close_or_stop)
        self.ttl_amount.returnPressed.connect(self.confirm)
        self.typed.textChanged.connect(lambda _t: self.refresh())
        # a bound method: the connection goes with the bar (the model may outlive it)
        model.progress.connect(self._on_model_progress)
        self.hide()

    def _on_model_progress(self, *_a):
        self.refresh()

    # -- the dry run
    def folder(self) -> Folder | None:
        """The folder as it is now (it may have been emptied and made again)."""
        if self.model.db != self.db:
            return None
        return self.model.ns.folder_at(self.prefix)

    def count(self) -> int:
        f = self.folder()
        return f.count if f is not None else 0

    def prepare(self, action: str, prefix: bytes):
        if self.job is not None and self.job.running:
            return
        self.action, self.prefix, self.db = action, prefix, self.model.db
        self.job = None
        self.ttl_amount.setVisible(action == "expire")
        self.ttl_unit.setVisible(action == "expire")
        self.typed.clear()
        self.need_typed = action == "delete" and self.model.source.sampled
        self.typed.setVisible(self.need_typed)
        self.typed.setPlaceholderText(f"type {self._typed_name()} to confirm")
        self.status.setText("")
        self.cancel.setText("Cancel")
        self.show()
        self.refresh()
        if action == "expire":
            self.ttl_amount.setFocus()

    def _typed_name(self) -> str:
        return self.prefix.decode("utf-8", "backslashreplace") if self.prefix else "*"

    def refresh(self):
        if self.isHidden() or self.action is None or (self.job is not None):
            return
        n = self.count()
        place = where(self.prefix)
        flt = self.model.filter.describe()
        scope = f" of db{self.db}" + (f" ({flt})" if flt else "")
        sampled = SCAN_FOUND if self.model.source.sampled else ""
        if self.action == "delete":
            self.title.setText(f"Delete {n:,} keys {place}{scope}?{sampled}")
            self.go.setText(f"Delete {n:,} keys")
        else:
            self.title.setText(f"Set a TTL on {n:,} keys {place}{scope}{sampled}")
            self.go.setText(f"Set TTL on {n:,} keys")
        typed_ok = not self.need_typed or self.typed.text() == self._typed_name()
        self.go.setEnabled(n > 0 and typed_ok)

    # -- the run
    def confirm(self):
        if self.action is None or (self.job is not None and self.job.running):
            return
        f = self.folder()
        if f is None or not f.count:
            self.status.show_error("no keys left there")
            return
        ttl_ms = 0
        if self.action == "expire":
            try:
                ttl_ms = parse_duration_ms(self.ttl_amount.text(), self.ttl_unit.currentText())
            except ValueError as e:
                self.status.show_error(str(e))
                return
        if self.need_typed and self.typed.text() != self._typed_name():
            self.status.show_error(f"type {self._typed_name()} to confirm")
            return
        self.job = BulkJob(self.model.source, self.db, f, self.action, ttl_ms, self)
        self.job.progress.connect(self._on_progress)
        self.job.finished.connect(self._on_finished)
        if self.model.source.sampled:
            self.job.touched.connect(self.model.refresh_keys)
        self.go.setEnabled(False)
        self.cancel.setText("Stop")
        self.status.setStyleSheet("")
        self.status.setText("collecting keys ...")
        self.job.start()

    def close_or_stop(self):
        if self.job is not None and self.job.running:
            self.job.cancel()
            return
        self.job = None
        self.action = None
        self.hide()

    def _on_progress(self, done: int, total: int):
        if total < 0:
            self.status.setText(f"collecting keys ... {done:,}")
        else:
            verb = "deleting" if self.action == "delete" else "setting TTLs"
            self.status.setText(f"{verb}: {done:,} / {total:,}")

    def _on_finished(self, ok: bool, summary: str):
        self.cancel.setText("Close")
        self.status.show_result(ok, summary)
        self.done.emit(ok, summary)
