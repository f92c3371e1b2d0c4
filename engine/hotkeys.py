"""Hot keys: exact per-key access counters (reads, writes) over a sliding window.

Beyond Redis (which can only rank keys by their LFU counter under an LFU policy): with
``keyscope-hotkeys yes`` the dispatcher counts, after each command, every key the
command names -- a read for a read-only key spec, a write otherwise -- in the current
time slice.  The window is ``SLICES`` slices of ``keyscope-hotkeys-window / SLICES``
seconds; ``top(n)`` adds up the slices still in the window, so a key's counts are exact
for the last window (to one slice's granularity).  A slice tracks at most
``keyscope-hotkeys-max-keys`` distinct keys; accesses to further new keys in that slice
are not counted (``dropped`` says how many), which bounds the memory.

Off (the default) it costs the dispatcher nothing beyond its single gate check.
The GUI reads ``engine.hotkeys.top(n)`` -> [(dbid, key, reads, writes)].
"""
from __future__ import annotations

from collections import deque
from heapq import nlargest

from .commands import KS

SLICES = 6


class HotKeys:
    def __init__(self, engine):
        self.engine = engine
        self.enabled = False
        self.window_ms = 60_000
        self.max_keys = 1_000_000
        self.plans: dict = {}          # spec -> (position, is_write) or None (generic)
        self.history: deque = deque()  # (start_ms, reads, writes) of past slices
        self.start = 0
        self.reads: dict = {}          # (dbid, key) -> count in the current slice
        self.writes: dict = {}
        self.dropped = 0
        cfg = engine.config
        for name in ("keyscope-hotkeys", "keyscope-hotkeys-window",
                     "keyscope-hotkeys-max-keys"):
            cfg.on_change(name, self._on_config)
        self._on_config(None)

    def _on_config(self, _value):
        cfg = self.engine.config
        on = cfg["keyscope-hotkeys"]
        self.window_ms = max(1, cfg["keyscope-hotkeys-window"]) * 1000
        self.max_keys = cfg["keyscope-hotkeys-max-keys"]
        if on != self.enabled:
            self.enabled = on
            self.reset()
        self.engine.update_gate()

    def reset(self):
        self.history.clear()
        self.reads = {}
        self.writes = {}
        self.dropped = 0
        self.start = self.engine.now_ms

    # ------------------------------------------------------------------ counting
    def _plan(self, spec):
        """Single-key commands (most of them) get a fixed position; others go through
        the key specs each time."""
        ks = [k for k in spec.keys if KS.NOT_KEY not in k.flags]
        plan = None
        if len(ks) == 1 and spec.getkeys is None:
            k = ks[0]
            if k.is_index_range and k.last == 0 and not k.unknown:
                plan = (k.begin, KS.RO not in k.flags)
        self.plans[spec] = plan
        return plan

    def count(self, c, spec, argv):
        now = self.engine.now_ms
        if now - self.start >= self.window_ms // SLICES:
            self._rotate(now)
        try:
            plan = self.plans[spec]
        except KeyError:
            plan = self._plan(spec)
        dbid = c.db.id
        if plan is not None:
            pos, write = plan
            if pos < len(argv):
                self._add(self.writes if write else self.reads, (dbid, argv[pos]))
            return
        if not spec.keys and spec.getkeys is None:
            return
        for pos, flags in spec.key_positions_flags(argv):
            if pos < len(argv):
                self._add(self.reads if KS.RO in flags else self.writes, (dbid, argv[pos]))

    def _add(self, d: dict, k):
        n = d.get(k)
        if n is not None:
            d[k] = n + 1
        elif len(d) < self.max_keys:
            d[k] = 1
        else:
            self.dropped += 1

    def _rotate(self, now: int):
        if self.reads or self.writes:
            self.history.append((self.start, self.reads, self.writes))
        self.reads = {}
        self.writes = {}
        self.start = now
        horizon = now - self.window_ms
        h = self.history
        while h and h[0][0] < horizon:
            h.popleft()

    # ------------------------------------------------------------------ reading
    def totals(self) -> dict:
        """(dbid, key) -> [reads, writes] over the window."""
        now = self.engine.now_ms
        if now - self.start >= self.window_ms // SLICES:
            self._rotate(now)
        out: dict = {}
        for _, reads, writes in list(self.history) + [(self.start, self.reads, self.writes)]:
            for k, n in reads.items():
                v = out.get(k)
                if v is None:
                    out[k] = [n, 0]
                else:
                    v[0] += n
            for k, n in writes.items():
                v = out.get(k)
                if v is None:
                    out[k] = [0, n]
                else:
                    v[1] += n
        return out

    def top(self, n: int = 20, by: str = "total") -> list:
        """The n hottest keys: [(dbid, key, reads, writes)], hottest first; ``by`` is
        "total", "reads" or "writes"."""
        t = self.totals()
        if by == "reads":
            score = lambda kv: kv[1][0]          # noqa: E731
        elif by == "writes":
            score = lambda kv: kv[1][1]          # noqa: E731
        else:
            score = lambda kv: kv[1][0] + kv[1][1]   # noqa: E731
        return [(k[0], k[1], v[0], v[1]) for k, v in nlargest(n, t.items(), key=score)]
