"""Eviction lab (embedded engine only).

- Next to go: the keys the maxmemory policy evicts next, in order, from the engine's own
  candidate selection run on copies of its state (engine.evictlab: same sampling, same
  16-entry pool, a clone of the engine's random generator), so nothing is evicted and
  the server's own next choice is not disturbed.  With the idle time / LFU counter /
  TTL / bytes the policy looks at.
- What if: a target maxmemory (slider or typed) and a policy: how many keys, how many
  bytes and which namespaces would go to get under it (a sliced dry run; DBSIZE stays).
- Evicted: real evictions by top-level namespace since the panel started, fed by the
  evictor's listeners, and the latest evicted keys.

Remote servers keep no such state reachable over RESP: the panel says so and shows what
INFO gives (evicted_keys, maxmemory, policy, used_memory).
"""
from __future__ import annotations

import time

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (QComboBox, QGridLayout, QGroupBox, QHBoxLayout, QLabel,
                               QLineEdit, QPushButton, QSlider, QSpinBox, QVBoxLayout,
                               QWidget)

from .memory_panel import RowsModel, _int, _ns, table
from .panelkit import NOT_AVAILABLE, Poller, StatusLine, human_bytes
from .source import InspectorSource

INTERVAL_MS = 1000
DRY_TICK_MS = 25                 # dry run: one slice per tick ...
DRY_BUDGET_S = 0.008             # ... of at most this much work
SLIDER_STEPS = 1000
DRY_LIMIT = 1_000_000            # keys a dry run simulates at most (it remembers each)
CURRENT = "current"


def _secs(v) -> str:
    if v is None:
        return ""
    return f"{v:,} s" if v < 3600 else f"{v // 3600} h {v % 3600 // 60} min"


def _ttl(ms) -> str:
    if ms is None:
        return "no TTL"
    if ms < 0:
        return "overdue"
    s = ms / 1000
    return f"{s:.1f} s" if s < 120 else f"{s / 60:.1f} min" if s < 7200 else \
        f"{s / 3600:.1f} h"


def _clock(t) -> str:
    return time.strftime("%H:%M:%S", time.localtime(t)) if t else ""


def _pct(v) -> str:
    return "" if v is None else f"{v:.1f}%"


class EvictionPanel(QWidget):
    def __init__(self, source: InspectorSource, parent=None, interval_ms: int = INTERVAL_MS):
        super().__init__(parent)
        self.source = source
        engine = getattr(source, "engine", None)
        self.engine = engine if source.kind == "embedded" and \
            hasattr(engine, "evictor") else None
        self.embedded = self.engine is not None
        self.dry = None                     # the DryRun in progress
        self.last_dry = None                # the last complete one
        self.cost = 0.0
        self._lists: dict = {}              # sampling lists reused while nothing changed

        self.figures = QLabel()
        self.figures.setWordWrap(True)
        self.figures.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.hide()                    # remote only

        # -- controls shared by the sections
        self.policy = QComboBox()
        self.policy.addItem(CURRENT, None)
        from engine.eviction import POLICIES
        for p in POLICIES:
            self.policy.addItem(p, p)
        self.policy.setToolTip("the policy the candidates and the dry run use "
                               "(a what-if: the server's own setting is not changed)")
        self.policy.activated.connect(self._policy_changed)
        self.count = QSpinBox()
        self.count.setRange(1, 500)
        self.count.setValue(20)
        self.count.valueChanged.connect(lambda _v: self.refresh())
        self.delimiter = QLineEdit(":")
        self.delimiter.setMaximumWidth(40)
        self.delimiter.setToolTip("top-level namespace = the key up to the first delimiter")
        self.delimiter.editingFinished.connect(self._delimiter_changed)

        # -- next to go
        self.cand_model = RowsModel(("#", "db", "key", "namespace", "idle", "LFU", "TTL",
                                     "bytes"),
                                    {3: _ns, 4: _secs, 6: _ttl, 7: human_bytes},
                                    (0, 1, 4, 5, 6, 7), self)
        self.cand_view = table(self.cand_model, stretch=2)
        self.cand_note = QLabel()
        self.cand_note.setWordWrap(True)

        # -- what if
        self.slider = QSlider(Qt.Horizontal)
        self.slider.setRange(0, SLIDER_STEPS)
        self.slider.setToolTip("target maxmemory, as a share of the memory used now")
        self.slider.valueChanged.connect(self._slider_moved)
        self.slider.sliderReleased.connect(self.start_dry_run)
        self.target = QLineEdit()
        self.target.setMaximumWidth(120)
        self.target.setPlaceholderText("e.g. 64mb")
        self.target.setToolTip("a target maxmemory in bytes, or with a unit (kb, mb, gb)")
        self.target.returnPressed.connect(self.start_dry_run)
        self.target_human = QLabel()
        self.dry_button = QPushButton("Dry run")
        self.dry_button.clicked.connect(self.start_dry_run)
        self.dry_status = StatusLine()
        self.dry_model = RowsModel(("namespace", "keys", "bytes", "share of keys"),
                                   {0: _ns, 1: _int, 2: human_bytes, 3: _pct},
                                   (1, 2, 3), self)
        self.dry_view = table(self.dry_model, sort_column=2, order=Qt.DescendingOrder,
                              stretch=0)
        self._target_bytes = None
        self._span = (0, 1)                 # slider 0..SLIDER_STEPS -> bytes

        # -- real evictions
        self.ev_model = RowsModel(("namespace", "evicted keys", "bytes", "last"),
                                  {0: _ns, 1: _int, 2: human_bytes, 3: _clock},
                                  (1, 2, 3), self)
        self.ev_view = table(self.ev_model, sort_column=1, order=Qt.DescendingOrder,
                             stretch=0)
        self.recent_model = RowsModel(("time", "db", "key", "bytes"),
                                      {0: _clock, 3: human_bytes}, (1, 3), self)
        self.recent_view = table(self.recent_model, sortable=False, stretch=2)
        self.ev_note = QLabel()
        self.ev_note.setWordWrap(True)
        self.tally = None
        self._tally_seq = -1

        self._layout()
        self.poller = Poller(self, self.refresh, interval_ms)
        self.interval_ms = interval_ms
        self.dry_timer = QTimer(self)
        self.dry_timer.setInterval(DRY_TICK_MS)
        self.dry_timer.timeout.connect(self._dry_tick)
        if self.embedded:
            self._install_tally()
        else:
            for w in (self.policy, self.count, self.delimiter, self.slider, self.target,
                      self.dry_button):
                w.setEnabled(False)
            self.note.show()
            self.note.setText(
                f"The eviction lab is {NOT_AVAILABLE} for a remote server: which keys the "
                f"policy would evict next, dry runs and evictions by namespace need the "
                f"embedded engine's eviction pool and access table, which Redis does not "
                f"expose. Shown: what INFO reports.")

    def _layout(self):
        row = QHBoxLayout()
        row.addWidget(QLabel("policy"))
        row.addWidget(self.policy)
        row.addWidget(QLabel("show"))
        row.addWidget(self.count)
        row.addWidget(QLabel("namespace delimiter"))
        row.addWidget(self.delimiter)
        row.addStretch(1)

        nxt = QGroupBox("Next to go (nothing is evicted)")
        nl = QVBoxLayout(nxt)
        nl.addWidget(self.cand_note)
        nl.addWidget(self.cand_view, 1)

        what = QGroupBox("What if: get under a maxmemory (dry run)")
        wl = QVBoxLayout(what)
        tr = QHBoxLayout()
        tr.addWidget(self.slider, 1)
        tr.addWidget(self.target)
        tr.addWidget(self.target_human)
        tr.addWidget(self.dry_button)
        wl.addLayout(tr)
        wl.addWidget(self.dry_status)
        wl.addWidget(self.dry_view, 1)

        ev = QGroupBox("Evicted, by namespace (since the inspector started)")
        el = QVBoxLayout(ev)
        el.addWidget(self.ev_note)
        split = QHBoxLayout()
        split.addWidget(self.ev_view, 1)
        split.addWidget(self.recent_view, 1)
        el.addLayout(split, 1)

        grid = QGridLayout()
        grid.addWidget(nxt, 0, 0, 1, 2)
        grid.addWidget(what, 1, 0)
        grid.addWidget(ev, 1, 1)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        grid.setRowStretch(0, 1)
        grid.setRowStretch(1, 1)
        lay = QVBoxLayout(self)
        lay.addWidget(self.figures)
        lay.addWidget(self.note)
        lay.addLayout(row)
        lay.addLayout(grid, 1)

    # ------------------------------------------------------------------ lifecycle
    def _install_tally(self):
        from engine.evictlab import EvictionTally
        self.tally = EvictionTally(self._delim())
        listeners = self.engine.evictor.listeners
        listeners.append(self.tally)
        tally = self.tally
        # the engine outlives the panel: take the listener out with the widget
        self.destroyed.connect(lambda *_: tally in listeners and listeners.remove(tally))

    def close_lab(self):
        """Detach from the engine (the app closing, or a test)."""
        if self.tally is not None and self.embedded:
            lst = self.engine.evictor.listeners
            if self.tally in lst:
                lst.remove(self.tally)
        self.dry_timer.stop()
        self.poller.stop()

    def showEvent(self, event):
        super().showEvent(event)
        self.refresh()
        if self.dry is not None:
            self.dry_timer.start()

    def hideEvent(self, event):
        super().hideEvent(event)
        self.dry_timer.stop()

    def _delim(self) -> bytes:
        return self.delimiter.text().encode() or b":"

    def _policy_name(self) -> str:
        return self._what_if() or (self.engine.evictor.policy if self.embedded else "?")

    def _what_if(self) -> str | None:
        """The policy to simulate (None: the server's own).  Under noeviction, which
        never evicts, "current" shows allkeys-lru as a labelled what-if."""
        p = self.policy.currentData()
        if p is None and self.embedded and self.engine.evictor.policy == "noeviction":
            return "allkeys-lru"
        return p

    def _policy_changed(self, _i):
        self.refresh()
        if self.last_dry is not None or self.dry is not None:
            self.start_dry_run()

    def _delimiter_changed(self):
        if self.tally is not None and self.tally.delim != self._delim():
            self.tally.reset(self._delim())
            self.ev_note.setText("namespace delimiter changed: counting again from now")
        self.refresh()

    # ------------------------------------------------------------------ refresh
    def refresh(self):
        if not self.embedded:
            self._refresh_remote()
            return
        e = self.engine
        from engine import memory
        used = memory.used_memory(e)
        mm = e.evictor.maxmemory
        policy = e.evictor.policy
        limit = f"{human_bytes(mm)} ({used * 100 / mm:.0f}% used)" if mm else "0 (no limit)"
        parts = [f"used_memory {human_bytes(used)}", f"maxmemory {limit}",
                 f"policy {policy}", f"maxmemory-samples {e.config['maxmemory-samples']}",
                 f"evicted_keys {e.stats.evicted_keys:,}"]
        self.figures.setText("   ".join(parts))
        # the slider spans what eviction can free: all the keys .. none of them
        base = used - memory.dataset_memory(e)
        self._span = (base, max(used, mm, base + 1))
        if self._target_bytes is None:          # start at a tenth of the keys' bytes
            self._set_target(mm if mm and mm < used else used - (used - base) // 10)
        self._refresh_candidates(used, mm)
        self._refresh_tally()
        if self.last_dry is None and self.dry is None:     # a first answer, unasked
            self.start_dry_run()

    def _refresh_candidates(self, used: int, mm: int):
        from engine.evictlab import next_candidates
        e = self.engine
        policy = self._what_if()
        name = self._policy_name()
        t0 = time.perf_counter()
        try:
            cands = next_candidates(e, self.count.value(), policy, self._delim(),
                                    self._lists)
        except Exception as ex:                     # a bug of ours: say it, keep serving
            self.cand_note.setText(f"candidates {NOT_AVAILABLE}: {type(ex).__name__}: {ex}")
            return
        self.cost = time.perf_counter() - t0
        # a huge keyspace makes a first sampling list costly: ask less often
        self.poller.set_interval(max(self.interval_ms, int(self.cost * 20_000)))
        self.cand_model.set_rows([(i + 1, c.db, c.key, c.namespace, c.idle, c.lfu,
                                   c.ttl_ms, c.bytes) for i, c in enumerate(cands)])
        if name == "noeviction":
            msg = ("noeviction: nothing is ever evicted; once used_memory reaches "
                   "maxmemory, commands that need memory are refused with OOM. "
                   "Choose a policy above to see what it would take.")
        elif not cands:
            msg = (f"{name}: nothing to evict" +
                   (" (no keys with a TTL)" if name.startswith("volatile") else ""))
        else:
            how = ("one random key per database in turn" if name.endswith("random") else
                   "the engine's own selection: maxmemory-samples keys per database "
                   "scored into the 16-entry eviction pool, best first")
            msg = (f"{name}: {how}. Run on copies of the pool and of the random "
                   f"generator, so these are the keys the next eviction run takes, in "
                   f"order — unless a command draws from the generator first "
                   f"(SPOP, RANDOMKEY, LFU increments).")
            if policy is not None and policy != e.evictor.policy:
                msg += f" What-if: the server's policy is {e.evictor.policy}"
                msg += (", which never evicts (once used_memory reaches maxmemory, "
                        "commands that need memory are refused with OOM)."
                        if e.evictor.policy == "noeviction" else ".")
                lfu_now = e.evictor.policy.endswith("-lfu")
                if name.endswith("-lfu") != lfu_now and not name.endswith(("random", "ttl")):
                    msg += (" The access table holds " +
                            ("LFU counters" if lfu_now else "access times") +
                            " now; right after a switch Redis reads them as the other, "
                            "so the first choices would be arbitrary.")
            if not e.evictor.safe():
                msg += (" Eviction is suspended now (clients are paused, or this is a "
                        "replica that leaves eviction to its master).")
            if not mm:
                msg += " maxmemory is 0: nothing is evicted until a limit is set."
            elif used <= mm:
                msg += f" {human_bytes(mm - used)} left before eviction starts."
        self.cand_note.setText(msg)

    def _refresh_tally(self):
        t = self.tally
        if t is None:
            return
        if t.seq != self._tally_seq:
            self._tally_seq = t.seq
            self.ev_model.set_rows(t.ns_rows())
            self.recent_model.set_rows([(ts, db, k, b) for ts, db, k, b in t.latest(50)])
        self.ev_note.setText(f"{t.keys:,} keys ({human_bytes(t.bytes)}) evicted since the "
                             f"inspector started; INFO evicted_keys "
                             f"{self.engine.stats.evicted_keys:,}")

    def _refresh_remote(self):
        try:
            stats = self.source.info_section("stats")
            mem = self.source.info_section("memory")
        except Exception as e:
            self.figures.setText(f"INFO {NOT_AVAILABLE}: {e}")
            return
        parts = []
        for label, d, name in (("used_memory", mem, "used_memory"),
                               ("maxmemory", mem, "maxmemory"),
                               ("policy", mem, "maxmemory_policy"),
                               ("evicted_keys", stats, "evicted_keys"),
                               ("evicted_clients", stats, "evicted_clients"),
                               ("eviction exceeded time (ms)", stats,
                                "total_eviction_exceeded_time")):
            v = d.get(name)
            if v is None:
                continue
            if name in ("used_memory", "maxmemory") and v.isdigit():
                v = human_bytes(int(v)) if int(v) or name == "used_memory" else "0 (no limit)"
            parts.append(f"{label} {v}")
        self.figures.setText("   ".join(parts) or f"INFO: {NOT_AVAILABLE}")
        self.remote_figures = {"evicted_keys": stats.get("evicted_keys"),
                               "maxmemory_policy": mem.get("maxmemory_policy")}

    # ------------------------------------------------------------------ what if
    def _set_target(self, nbytes: int):
        self._target_bytes = max(0, int(nbytes))
        self.target.setText(str(self._target_bytes))
        self.target_human.setText(human_bytes(self._target_bytes))
        lo, hi = self._span
        pos = round((self._target_bytes - lo) * SLIDER_STEPS / max(1, hi - lo))
        self.slider.blockSignals(True)
        self.slider.setValue(max(0, min(SLIDER_STEPS, pos)))
        self.slider.blockSignals(False)

    def _slider_moved(self, pos: int):
        lo, hi = self._span
        self._target_bytes = lo + (hi - lo) * pos // SLIDER_STEPS
        self.target.setText(str(self._target_bytes))
        self.target_human.setText(human_bytes(self._target_bytes))
        if not self.slider.isSliderDown():          # keyboard / click: run at once
            self.start_dry_run()

    def start_dry_run(self):
        if not self.embedded:
            return
        from engine.config import ConfigError, parse_memory
        raw = self.target.text().strip().replace(" ", "")
        try:
            target = parse_memory(raw) if raw else -1
        except ConfigError:
            target = -1
        if target < 0:
            self.dry_status.show_error(f"'{self.target.text()}' is not a memory size "
                                       f"(bytes, or with kb / mb / gb)")
            return
        self._set_target(target)
        from engine.evictlab import DryRun
        try:
            self.dry = DryRun(self.engine, target, self._what_if(),
                              self._delim(), limit=DRY_LIMIT)
        except Exception as ex:
            self.dry = None
            self.dry_status.show_error(f"dry run failed: {type(ex).__name__}: {ex}")
            return
        self.dry_status.show_ok("dry run…")
        self._dry_tick()
        if self.dry is not None and self.isVisible():
            self.dry_timer.start()

    def _dry_tick(self):
        d = self.dry
        if d is None:
            self.dry_timer.stop()
            return
        done = d.step(time.perf_counter() + DRY_BUDGET_S)
        if not done:
            self.dry_status.show_ok(f"dry run… {d.keys:,} keys, "
                                    f"{d.freed * 100 // max(1, d.tofree)}% of the bytes")
            return
        self.dry_timer.stop()
        self.dry = None
        self.last_dry = d
        self._publish_dry(d)

    def _publish_dry(self, d):
        name = d.sim.policy + ("" if d.sim.current else ", what-if")
        n = max(1, d.keys)
        self.dry_model.set_rows([(ns, k, b, k * 100 / n) for ns, k, b in d.ns_rows()])
        head = (f"to get used_memory {human_bytes(d.used)} under "
                f"{human_bytes(d.target)} ({name}): ")
        if not d.tofree:
            msg = head + "nothing to evict, it already fits"
        elif d.stopped and not d.keys:
            msg = head + d.stopped
        else:
            msg = (head + f"{d.keys:,} keys would go, freeing {human_bytes(d.freed)} "
                   f"of the {human_bytes(d.tofree)} needed")
            if d.stopped:
                msg += f" — {d.stopped}"
        msg += "  (dry run: nothing evicted"
        msg += "; the server wrote meanwhile, so this is an estimate)" if d.changed else ")"
        ok = not (d.stopped and d.tofree and d.freed < d.tofree)
        (self.dry_status.show_ok if ok else self.dry_status.show_error)(msg)
