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
_UNPLANNED = object()


class HotKeys:
    def __init__(self, engine):
        self.engine = engine
        self.enabled = False
        self.window_ms = 60_000
        self.max_keys = 1_000_000
        self.plans: dict = {}          # spec -> (position, is_write) or None (generic)
        self.history: deque = deque()  # (start_ms, reads, writes) of past slices
        self.start = 0
        self.next_rotate = 0           # when the current slice ends (ms)
        self.reads: list = []          # per database: key -> count in the current slice
        self.writes: list = []
        self.dropped = 0
        self.tracked = 0               # distinct keys counted in the current slice
        cfg = engine.config
        for name in ("keyscope-hotkeys", "keyscope-hotkeys-window",
                     "keyscope-hotkeys-max-keys"):
            cfg.on_change(name, self._on_config)
        self._on_config(None)

    def _on_config(self, _value):
        cfg = self.engine.config
        on = cfg["keyscope-hotkeys"]
        window_ms = max(1, cfg["keyscope-hotkeys-window"]) * 1000
        if window_ms != self.window_ms:     # the current slice ends by the new length
            self.window_ms = window_ms
            self.next_rotate = min(self.next_rotate, self.start + window_ms // SLICES)
        self.max_keys = cfg["keyscope-hotkeys-max-keys"]
        if on != self.enabled:
            self.enabled = on
            self.reset()
        self.engine.update_gate()

    def _fresh(self) -> list:
        return [{} for _ in self.engine.dbs]

    def reset(self):
        self.history.clear()
        self.reads = self._fresh()
        self.writes = self._fresh()
        self.tracked = 0
        self.dropped = 0
        self.start = self.engine.now_ms
        self.next_rotate = self.start + self.window_ms // SLICES

    # ------------------------------------------------------------------ counting
    def _plan(self, spec):
        """How to find the keys of a command, decided once per command: a fixed
        position (most commands), a plain range (MGET, DEL, MSET...), or the generic
        key-spec walk (keywords, key counts, commands that decide their keys)."""
        ks = [k for k in spec.keys if KS.NOT_KEY not in k.flags]
        plan = None
        if (not ks and spec.getkeys is None) or spec.group == "scripting":
            plan = ()        # no keys (a script's are counted by the commands it runs)
        elif len(ks) == 1 and spec.getkeys is None and ks[0].is_index_range \
                and not ks[0].unknown and (ks[0].last >= 0 or not ks[0].limit):
            k = ks[0]
            write = KS.RO not in k.flags
            if k.last == 0:
                plan = (k.begin, write)
            else:
                plan = (k.begin, write, k.last, k.step)
        self.plans[spec] = plan
        return plan

    def count(self, c, spec, argv, _wrote=None):
        """Count the keys of a command that ran (the dispatcher's gate_post when hot
        keys are the only thing it has to do)."""
        now = self.engine.now_ms
        if now >= self.next_rotate:
            self._rotate(now)
        plan = self.plans.get(spec, _UNPLANNED)
        if plan is _UNPLANNED:
            plan = self._plan(spec)
        dbid = c.db.id
        if plan is not None:
            if not plan:
                return
            pos = plan[0]
            n = len(argv)
            if pos >= n:
                return
            d = (self.writes if plan[1] else self.reads)[dbid]
            if len(plan) == 2:
                k = argv[pos]
                v = d.get(k)
                if v is not None:
                    d[k] = v + 1
                elif self.tracked < self.max_keys:
                    d[k] = 1
                    self.tracked += 1
                else:
                    self.dropped += 1
                return
            last, step = plan[2], plan[3]
            end = pos + last if last >= 0 else n + last
            for i in range(pos, min(end, n - 1) + 1, step):
                self._add(d, argv[i])
            return
        reads, writes = self.reads[dbid], self.writes[dbid]
        for pos, flags in spec.key_positions_flags(argv):
            if pos < len(argv):
                self._add(reads if KS.RO in flags else writes, argv[pos])

    def _add(self, d: dict, k):
        n = d.get(k)
        if n is not None:
            d[k] = n + 1
        elif self.tracked < self.max_keys:
            d[k] = 1
            self.tracked += 1
        else:
            self.dropped += 1

    def _rotate(self, now: int):
        if any(self.reads) or any(self.writes):
            self.history.append((self.start, self.reads, self.writes))
        self.reads = self._fresh()
        self.writes = self._fresh()
        self.tracked = 0
        self.start = now
        self.next_rotate = now + self.window_ms // SLICES
        horizon = now - self.window_ms
        h = self.history
        while h and h[0][0] < horizon:
            h.popleft()

    # ------------------------------------------------------------------ reading
    def totals(self) -> dict:
        """(dbid, key) -> [reads, writes] over the window."""
        now = self.engine.now_ms
        if now >= self.next_rotate:
            self._rotate(now)
        out: dict = {}
        for _, reads, writes in list(self.history) + [(self.start, self.reads, self.writes)]:
            for col, per_db in ((0, reads), (1, writes)):
                for dbid, d in enumerate(per_db):
                    for key, n in d.items():
                        k = (dbid, key)
                        v = out.get(k)
                        if v is None:
                            v = out[k] = [0, 0]
                        v[col] += n
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
