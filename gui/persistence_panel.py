"""Persistence: RDB and AOF status from INFO persistence, SAVE / BGSAVE / BGREWRITEAOF,
``appendonly`` / ``appendfsync`` / ``save`` editors, and one gauge per save point
(changes since the last save against the rule, time since the last save against its
seconds).

A field INFO does not report reads "not available"; a command the server refuses (or
does not have yet) shows its error text here, never a traceback.
"""
from __future__ import annotations

import time

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QCheckBox, QComboBox, QFormLayout, QGridLayout, QGroupBox,
                               QHBoxLayout, QLabel, QProgressBar, QPushButton, QScrollArea,
                               QVBoxLayout, QWidget)

from .panelkit import (NOT_AVAILABLE, ConfigField, Poller, StatusLine, human_bytes,
                       run_action, when)
from .source import InspectorSource

INTERVAL_MS = 1000
BUSY_INTERVAL_MS = 200          # while a save or rewrite runs: a smooth progress bar
CONFIGS = ("save", "appendonly", "appendfsync", "dir", "dbfilename", "appenddirname",
           "appendfilename")
FSYNC_HELP = {
    "always": "fsync after every write: the safest, the slowest",
    "everysec": "fsync once a second: at most about a second of writes lost (default)",
    "no": "let the OS flush when it wants: fastest, the most at risk",
}


def parse_save_rules(text: str | None) -> list[tuple[int, int]]:
    parts = (text or "").split()
    try:
        return [(int(parts[i]), int(parts[i + 1])) for i in range(0, len(parts) - 1, 2)]
    except ValueError:
        return []


def _int(info: dict, name: str) -> int | None:
    try:
        return int(info[name])
    except (KeyError, ValueError):
        return None


class SaveGauge(QWidget):
    """One save point: 'after S seconds if at least N changes'."""

    def __init__(self, seconds: int, changes: int, parent=None):
        super().__init__(parent)
        self.seconds, self.changes = seconds, changes
        self.title = QLabel(f"after {seconds:,} s if ≥ {changes:,} change"
                            f"{'s' if changes != 1 else ''}")
        self.changes_bar = QProgressBar()
        self.changes_bar.setRange(0, max(changes, 1))
        self.time_bar = QProgressBar()
        self.time_bar.setRange(0, max(seconds, 1))
        self.state = QLabel()
        lay = QGridLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.title, 0, 0)
        lay.addWidget(self.changes_bar, 0, 1)
        lay.addWidget(self.time_bar, 0, 2)
        lay.addWidget(self.state, 0, 3)
        lay.setColumnStretch(1, 1)
        lay.setColumnStretch(2, 1)

    def update_from(self, changes: int | None, since_save: float | None):
        if changes is None or since_save is None:
            for bar in (self.changes_bar, self.time_bar):
                bar.setValue(0)
                bar.setFormat(NOT_AVAILABLE)
            self.state.setText(NOT_AVAILABLE)
            return
        self.changes_bar.setValue(min(changes, self.changes_bar.maximum()))
        self.changes_bar.setFormat(f"{changes:,} / {self.changes:,} changes")
        elapsed = int(since_save)
        self.time_bar.setValue(min(elapsed, self.time_bar.maximum()))
        self.time_bar.setFormat(f"{elapsed:,} s / {self.seconds:,} s")
        enough = changes >= self.changes
        late = since_save > self.seconds
        if enough and late:
            self.state.setText("due: saves at the next check")
        elif enough:
            self.state.setText(f"saves in {self.seconds - elapsed:,} s")
        elif late:
            self.state.setText(f"needs {self.changes - changes:,} more change"
                               f"{'s' if self.changes - changes != 1 else ''}")
        else:
            self.state.setText("waiting")


class PersistencePanel(QWidget):
    def __init__(self, source: InspectorSource, parent=None, interval_ms: int = INTERVAL_MS):
        super().__init__(parent)
        self.source = source
        self.interval_ms = interval_ms
        self.info: dict[str, str] = {}
        self.config: dict[str, str] = {}
        self.values: dict[str, QLabel] = {}
        self.status = StatusLine()

        # RDB
        rdb = QGroupBox("RDB snapshots")
        rform = QFormLayout(rdb)
        for key, label in (("rdb_last_save_time", "last save"),
                           ("rdb_changes_since_last_save", "changes since last save"),
                           ("rdb_bgsave_in_progress", "background save"),
                           ("rdb_last_bgsave_status", "last background save"),
                           ("rdb_last_bgsave_time_sec", "last background save took"),
                           ("rdb_saves", "saves since start"),
                           ("rdb_file", "file")):
            self.values[key] = QLabel(NOT_AVAILABLE)
            self.values[key].setTextInteractionFlags(Qt.TextSelectableByMouse)
            rform.addRow(label, self.values[key])
        self.save_bar = QProgressBar()
        self.save_bar.setVisible(False)
        rform.addRow("", self.save_bar)
        self.save_button = QPushButton("SAVE")
        self.save_button.setToolTip("Save in the foreground: the server (and this window) "
                                    "wait until the file is written")
        self.bgsave_button = QPushButton("BGSAVE")
        self.bgsave_button.setToolTip("Save in the background: clients keep being served")
        self.save_button.clicked.connect(lambda: self.action(b"SAVE"))
        self.bgsave_button.clicked.connect(lambda: self.action(b"BGSAVE"))
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.bgsave_button)
        buttons.addStretch(1)
        rform.addRow(buttons)
        self.save_field = ConfigField(source, "save", width=260)
        self.save_field.setToolTip('pairs of "<seconds> <changes>", e.g. "3600 1 300 100"; '
                                   'empty: no automatic saves')
        self.save_field.applied.connect(lambda *_: self.refresh())
        rform.addRow("save points", self.save_field)
        self.gauges_box = QWidget()
        self.gauges_lay = QVBoxLayout(self.gauges_box)
        self.gauges_lay.setContentsMargins(0, 0, 0, 0)
        self.gauges: list[SaveGauge] = []
        self.no_rules = QLabel("No save points: the server saves only when asked.")
        self.gauges_lay.addWidget(self.no_rules)
        self._rules_text = None
        rform.addRow("gauges", self.gauges_box)

        # AOF
        aof = QGroupBox("Append-only file")
        aform = QFormLayout(aof)
        self.appendonly = QCheckBox("appendonly (log every write to the AOF)")
        self.appendonly.clicked.connect(self._set_appendonly)
        aform.addRow("enabled", self.appendonly)
        self.fsync = QComboBox()
        self.fsync.addItems(list(FSYNC_HELP))
        for i, name in enumerate(FSYNC_HELP):
            self.fsync.setItemData(i, FSYNC_HELP[name], Qt.ToolTipRole)
        self.fsync.activated.connect(self._set_fsync)
        self.fsync_help = QLabel()
        fs = QHBoxLayout()
        fs.addWidget(self.fsync)
        fs.addWidget(self.fsync_help, 1)
        aform.addRow("appendfsync", fs)
        for key, label in (("aof_rewrite_in_progress", "rewrite"),
                           ("aof_last_bgrewrite_status", "last rewrite"),
                           ("aof_last_write_status", "last write"),
                           ("aof_current_size", "current size"),
                           ("aof_base_size", "base size"),
                           ("aof_rewrites", "rewrites since start"),
                           ("aof_file", "files")):
            self.values[key] = QLabel(NOT_AVAILABLE)
            self.values[key].setTextInteractionFlags(Qt.TextSelectableByMouse)
            aform.addRow(label, self.values[key])
        self.rewrite_bar = QProgressBar()
        self.rewrite_bar.setRange(0, 0)         # Redis reports no rewrite progress
        self.rewrite_bar.setVisible(False)
        aform.addRow("", self.rewrite_bar)
        self.rewrite_button = QPushButton("BGREWRITEAOF")
        self.rewrite_button.setToolTip("Rewrite the append-only file in the background")
        self.rewrite_button.clicked.connect(lambda: self.action(b"BGREWRITEAOF"))
        rb = QHBoxLayout()
        rb.addWidget(self.rewrite_button)
        rb.addStretch(1)
        aform.addRow(rb)
        self.aof_error = StatusLine()
        aform.addRow(self.aof_error)

        mode = ("Exact, read in-process; actions run inside the embedded server without "
                "counting as client commands." if source.kind == "embedded" else
                "From INFO persistence and CONFIG GET.")
        self.note = QLabel(mode)
        self.note.setWordWrap(True)
        inner = QWidget()
        lay = QVBoxLayout(inner)
        lay.addWidget(self.note)
        lay.addWidget(self.status)
        lay.addWidget(rdb)
        lay.addWidget(aof)
        lay.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(inner)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        self.poller = Poller(self, self.refresh, interval_ms)

    # ------------------------------------------------------------------ reading
    def refresh(self):
        try:
            info = self.source.info_section("persistence")
            cfg = self.source.config_get(*CONFIGS)
            cfg["dir"] = self.source.data_dir()
        except Exception as e:
            self.status.show_error(f"Cannot read the persistence state: {e}")
            return
        if not self.status.ok and self.status.text().startswith("Cannot read"):
            self.status.clear_status()
        self.info, self.config = info, cfg
        self._show_rdb(info, cfg)
        self._show_aof(info, cfg)
        busy = info.get("rdb_bgsave_in_progress") == "1" or \
            info.get("aof_rewrite_in_progress") == "1"
        self.poller.set_interval(BUSY_INTERVAL_MS if busy else self.interval_ms)

    def _set(self, key: str, text: str | None):
        self.values[key].setText(NOT_AVAILABLE if text is None else text)

    def _show_rdb(self, info: dict, cfg: dict):
        last = _int(info, "rdb_last_save_time")
        self._set("rdb_last_save_time", when(last) if last else None)
        changes = _int(info, "rdb_changes_since_last_save")
        self._set("rdb_changes_since_last_save", f"{changes:,}" if changes is not None
                  else None)
        running = info.get("rdb_bgsave_in_progress")
        if running is None:
            self._set("rdb_bgsave_in_progress", None)
        elif running == "1":
            cur = _int(info, "rdb_current_bgsave_time_sec")
            since = f" for {cur} s" if cur is not None and cur >= 0 else ""
            self._set("rdb_bgsave_in_progress", "in progress" + since)
        else:
            self._set("rdb_bgsave_in_progress", "idle")
        self._progress(running == "1", info)
        self._set("rdb_last_bgsave_status", info.get("rdb_last_bgsave_status"))
        took = _int(info, "rdb_last_bgsave_time_sec")
        self._set("rdb_last_bgsave_time_sec", None if took is None else
                  ("never ran" if took < 0 else f"{took} s"))
        self._set("rdb_saves", info.get("rdb_saves"))
        d, f = cfg.get("dir"), cfg.get("dbfilename")
        self._set("rdb_file", f"{d.rstrip('/')}/{f}" if d is not None and f is not None
                  else None)
        self.save_field.load(cfg.get("save"))
        self._gauges(cfg.get("save"), changes, last)

    def _progress(self, running: bool, info: dict):
        bar = self.save_bar
        bar.setVisible(running)
        if not running:
            return
        p = None
        try:
            p = self.source.save_progress(info)
        except Exception:
            p = None
        if p is None:
            bar.setRange(0, 0)              # running, extent unknown
        else:
            bar.setRange(0, 1000)
            bar.setValue(int(max(0.0, min(1.0, p)) * 1000))
            done, total = _int(info, "current_save_keys_processed"), \
                _int(info, "current_save_keys_total")
            bar.setFormat(f"%p%  ({done:,} / {total:,} keys)" if done is not None and total
                          else "%p%")

    def _gauges(self, rules_text: str | None, changes: int | None, last: int | None):
        if rules_text != self._rules_text:
            self._rules_text = rules_text
            for g in self.gauges:
                self.gauges_lay.removeWidget(g)
                g.deleteLater()
            self.gauges = [SaveGauge(s, n) for s, n in parse_save_rules(rules_text)]
            for g in self.gauges:
                self.gauges_lay.addWidget(g)
            self.no_rules.setVisible(not self.gauges)
            self.no_rules.setText(f"Save points: {NOT_AVAILABLE}." if rules_text is None
                                  else "No save points: the server saves only when asked.")
        since = time.time() - last if last else None
        for g in self.gauges:
            g.update_from(changes, since)

    def _show_aof(self, info: dict, cfg: dict):
        on = cfg.get("appendonly")
        self.appendonly.setEnabled(on is not None)
        self.appendonly.setChecked(on == "yes")
        fsync = cfg.get("appendfsync")
        self.fsync.setEnabled(fsync is not None)
        if fsync is not None and fsync != self.fsync.currentText():
            self.fsync.setCurrentText(fsync)
        self.fsync_help.setText(FSYNC_HELP.get(fsync or "", NOT_AVAILABLE))
        running = info.get("aof_rewrite_in_progress")
        self._set("aof_rewrite_in_progress", None if running is None else
                  ("in progress" if running == "1" else "idle"))
        self.rewrite_bar.setVisible(running == "1")
        self._set("aof_last_bgrewrite_status", info.get("aof_last_bgrewrite_status"))
        self._set("aof_last_write_status", info.get("aof_last_write_status"))
        for key in ("aof_current_size", "aof_base_size"):
            n = _int(info, key)
            self._set(key, human_bytes(n) if n is not None else
                      (f"{NOT_AVAILABLE} (AOF off)" if on == "no" else None))
        self._set("aof_rewrites", info.get("aof_rewrites"))
        d, dn, fn = cfg.get("dir"), cfg.get("appenddirname"), cfg.get("appendfilename")
        self._set("aof_file", f"{d.rstrip('/')}/{dn}/{fn}.*" if None not in (d, dn, fn)
                  else None)

    # ------------------------------------------------------------------ actions
    def action(self, *argv: bytes):
        ok, msg = run_action(self.source, *argv)
        name = b" ".join(argv).decode()
        self.status.show_result(ok, msg if ok else f"failed: {msg}", name)
        self.refresh()
        return ok

    def _set_appendonly(self, checked: bool):
        ok, msg = run_action(self.source, b"CONFIG", b"SET", b"appendonly",
                             b"yes" if checked else b"no")
        if ok:
            self.aof_error.clear_status()
        else:
            self.aof_error.show_error(f"appendonly: {msg}")
        self.refresh()

    def _set_fsync(self, _index: int):
        value = self.fsync.currentText()
        ok, msg = run_action(self.source, b"CONFIG", b"SET", b"appendfsync", value)
        if ok:
            self.aof_error.clear_status()
        else:
            self.aof_error.show_error(f"appendfsync: {msg}")
        self.refresh()

    def showEvent(self, e):
        super().showEvent(e)
        self.refresh()
