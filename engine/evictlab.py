"""Eviction and expiry lab: what the maxmemory policy would evict next, what-if dry runs,
eviction events by namespace, the upcoming-expiry histogram.  Pure: no Qt, no I/O.

Nothing here evicts, expires or moves the engine's state.  The candidate selection is
engine.eviction's own code (Evictor._pick_pool, _populate, _sample, _pick_random: sample
``maxmemory-samples`` keys per database from the same key lists, score them into the
same 16-entry pool, take the best one that still exists; the random policies rotate
over the databases the same way), run on copies and views:

- randomness: a ``random.Random`` cloned from ``engine.rng``'s state (getstate/setstate).
  The lab draws nothing from the engine's generator, and as long as nothing else draws
  from it first (SPOP, RANDOMKEY, SRANDMEMBER, an LFU counter increment, ...) it sees
  exactly the samples the server's next eviction run will see;
- the eviction pool, the random policies' database cursor and the sampling key lists are
  copied (the lists copy-on-write: an overlay of the slots sampling swap-removes);
- keys the simulation "evicts" go into a per-database set and read as deleted, and under
  LFU the access-table slot they shared reads as zeroed, as ``Database.pop`` leaves it.

So for the current policy the candidates are the keys the next uninterrupted eviction
run takes, in order.  A run cut short by ``maxmemory-eviction-tenacity``'s time budget
re-measures used_memory when it resumes and may stop a few keys earlier.  A what-if
policy starts from an empty pool, as ``CONFIG SET maxmemory-policy`` leaves it.
"""
from __future__ import annotations

import random
import time
from itertools import filterfalse
from types import SimpleNamespace

from . import memory
from .eviction import POLICIES, Evictor
from .keyspace import Database

NO_NS = None                            # the namespace of a key without the delimiter


def namespace(key: bytes, delim: bytes) -> bytes | None:
    """The top-level namespace: the key up to the first delimiter (None: no delimiter)."""
    i = key.find(delim) if delim else -1
    return key[:i] if i >= 0 else NO_NS


def key_bytes(db, key: bytes, v) -> int:
    """What evicting the key frees in the engine's model (Evictor.perform's measure)."""
    try:
        return memory.charged(db, key, v)
    except AttributeError:                 # a container the model has not charged yet
        return 0


# ---------------------------------------------------------------------- the copies
class _KeyList:
    """Copy-on-write view of one of the evictor's sampling lists: what Evictor._sample
    does to a list (index, swap-remove a ghost: ``keys[i] = keys[-1]; keys.pop()``, len)
    lands in an overlay, the list itself is never written."""
    __slots__ = ("base", "over", "n")

    def __init__(self, base: list):
        self.base, self.over, self.n = base, {}, len(base)

    def __len__(self):
        return self.n

    def __getitem__(self, i: int):
        if i < 0:
            i += self.n
        o = self.over.get(i)
        return self.base[i] if o is None else o

    def __setitem__(self, i: int, key):
        self.over[i] = key

    def pop(self):
        self.n -= 1


class _Minus:
    """A database's data or expires dict without the keys the simulation evicted: what
    the evictor reads of it (in, len, iteration, [] for volatile-ttl)."""
    __slots__ = ("d", "gone", "ngone")

    def __init__(self, d, gone: set):
        self.d, self.gone, self.ngone = d, gone, 0     # ngone: how many of gone are in d

    def __contains__(self, key):
        return key in self.d and key not in self.gone

    def __len__(self):
        return len(self.d) - self.ngone

    def __iter__(self):
        gone = self.gone
        return filterfalse(gone.__contains__, self.d) if gone else iter(self.d)

    def __getitem__(self, key):
        return self.d[key]


class _DbView:
    """A database as the simulated evictor sees it: data and expires minus the simulated
    evictions, LFU counters read under the simulated policy (a switch reinterprets the
    access table's words, as Redis does) with the slots those evictions zeroed (as
    ``Database.pop`` leaves them); the access table itself is the database's."""

    def __init__(self, db, lfu: tuple):
        self.db, self.id = db, db.id
        self.gone: set = set()
        self.zeroed: set = set()
        self.data = self.expires = None
        self.rebind()
        self._reader = SimpleNamespace(_lfu=lfu, lru_clock=db.lru_clock)

    def rebind(self):
        """Follow a dict the database replaced since (FLUSHDB, SWAPDB: both write)."""
        db = self.db
        if self.data is None or self.data.d is not db.data:
            self.data = _Minus(db.data, self.gone)
        if self.expires is None or self.expires.d is not db.expires:
            self.expires = _Minus(db.expires, self.gone)

    # the access table and its clock, as the LRU scoring reads them: the db's own
    _lru = property(lambda self: self.db._lru)
    _lru_mask = property(lambda self: self.db._lru_mask)
    _lru_base = property(lambda self: self.db._lru_base)
    lru_clock = property(lambda self: self.db.lru_clock)

    def lfu_count(self, key) -> int:
        db = self.db
        i = hash(key) & db._lru_mask
        return Database._lfu_value(self._reader, 0 if i in self.zeroed else db._lru[i])


class Candidate(SimpleNamespace):
    """One key the policy would evict: db, key, namespace, idle (s), lfu (counter or
    None), ttl_ms (None: no TTL), bytes."""


class Simulation(Evictor):
    """The evictor's own candidate selection (Evictor._pick_pool, _populate, _sample,
    _pick_random) run on private copies of its state and views of the databases (see
    the module doc).  ``pick()`` answers what the next eviction takes, ``evict()``
    pretends it went."""

    def __init__(self, engine, policy: str | None = None, samples: int | None = None,
                 cache: dict | None = None):
        ev = engine.evictor
        # lists built here for a database the evictor has none for yet, kept by the
        # caller between runs: reused while nothing was written (the same list the
        # evictor would build), so a big idle keyspace is copied once, not every refresh
        self._cache = cache
        self.source = engine
        self.current = policy is None or policy == ev.policy
        self.policy = ev.policy if policy is None else policy
        if self.policy not in POLICIES:
            raise ValueError(f"unknown maxmemory-policy '{self.policy}'")
        cfg = engine.config
        lfu = (cfg["lfu-log-factor"], cfg["lfu-decay-time"], None)
        self.dbs = [_DbView(db, lfu) for db in engine.dbs]
        self._dirty = engine.dirty
        rng = random.Random()
        rng.setstate(engine.rng.getstate())
        # what the evictor's selection reads of its engine
        self.engine = SimpleNamespace(dbs=self.dbs, rng=rng, config={
            "maxmemory-samples": cfg["maxmemory-samples"] if samples is None else samples})
        # CONFIG SET maxmemory-policy clears the pool: a what-if starts from scratch
        self.pool = [list(x) for x in ev.pool] if self.current else []
        self.next_db = ev.next_db
        self._vpools = self._copy(ev._vpools, True)
        self._kpools = self._copy(ev._kpools, False)
        self.lfu = self.policy.endswith("-lfu")
        self.allkeys = self.policy.startswith("allkeys")

    def _copy(self, pools: dict, volatile: bool) -> dict:
        """The evictor's sampling lists, copy-on-write, over the views (a list of a
        dict since replaced stays stale, as for the evictor)."""
        out = {}
        for dbid, (d, keys, misses) in pools.items():
            view = self.dbs[dbid].expires if volatile else self.dbs[dbid].data
            out[dbid] = [view if view.d is d else d, _KeyList(keys), misses]
        return out

    def _keylist(self, db, volatile: bool, d) -> _KeyList:
        """A fresh sampling list, cached while the dataset is unchanged and nothing
        was simulated away."""
        c = self._cache
        if c is None or d.gone:
            return _KeyList(list(d))
        slot = (volatile, db.id)
        hit = c.get(slot)
        dirty = self.source.dirty
        real = d.d
        if hit is not None and hit[0] is real and hit[1] == dirty and \
                len(hit[2]) == len(real):
            return _KeyList(hit[2])
        keys = list(real)
        c[slot] = (real, dirty, keys)
        return _KeyList(keys)

    def pick(self):
        """(db, key) the next eviction takes, or None (noeviction, nothing left)."""
        if self.policy == "noeviction":
            return None
        if self.source.dirty != self._dirty:
            self._dirty = self.source.dirty
            for view in self.dbs:
                view.rebind()
        found = self._pick_random() if self.policy.endswith("-random") else \
            self._pick_pool()
        return None if found is None else (found[0].db, found[1])

    def evict(self, db, key) -> int:
        """Pretend the key was evicted; returns the bytes that frees."""
        view = self.dbs[db.id]
        view.gone.add(key)
        view.data.ngone += 1
        if key in db.expires:
            view.expires.ngone += 1
        if self.lfu:                         # Database.pop zeroes the slot under LFU
            view.zeroed.add(hash(key) & db._lru_mask)
        v = db.data.get(key)
        return 0 if v is None else key_bytes(db, key, v)

    def describe(self, db, key, delim: bytes = b":") -> Candidate:
        """The facts about one candidate (read without touching it)."""
        v = db.data.get(key)
        when = db.expires.get(key) if db.expires else None
        lfu_mode = db._lfu is not None      # what the access table holds now
        return Candidate(
            db=db.id, key=key, namespace=namespace(key, delim),
            idle=None if lfu_mode else db.idle_seconds(key),
            lfu=db.lfu_count(key) if lfu_mode else None,
            ttl_ms=None if when is None else when - int(self.source.clock() * 1000),
            bytes=0 if v is None else key_bytes(db, key, v))


def next_candidates(engine, n: int = 20, policy: str | None = None,
                    delim: bytes = b":", cache: dict | None = None) -> list[Candidate]:
    """The next ``n`` keys the policy evicts, in order (nothing is evicted).  ``cache``:
    a dict kept between calls (see Simulation)."""
    sim = Simulation(engine, policy, cache=cache)
    out = []
    while len(out) < n:
        found = sim.pick()
        if found is None:
            break
        db, key = found
        out.append(sim.describe(db, key, delim))
        sim.evict(db, key)
    return out


class DryRun:
    """How many keys (and of which namespaces) the policy evicts to bring used_memory
    under ``target`` bytes: Evictor.perform's loop (evict until the freed bytes reach
    used - target) on a Simulation.  Sliced: call ``step(deadline)`` until it returns
    True.  The result is exact for one uninterrupted run on the state at the start; if
    the server writes meanwhile (``changed``) it is an estimate."""

    KEEP = 50                               # the first keys kept for display

    def __init__(self, engine, target: int, policy: str | None = None,
                 delim: bytes = b":", limit: int | None = None):
        self.engine = engine
        self.sim = Simulation(engine, policy)
        self.delim = delim
        self.target = target
        self.used = memory.used_memory(engine)    # flushes the model's dirty containers
        self.tofree = max(0, self.used - target)
        self.freed = self.keys = 0
        self.by_ns: dict = {}                      # namespace -> [keys, bytes]
        self.first: list = []                      # (db, key, bytes)
        self.limit = limit
        self.done = False
        self.stopped = None                        # why it stopped short, or None
        self._dirty = engine.dirty
        self.started = time.perf_counter()
        self.elapsed = 0.0
        if self.tofree and self.sim.policy == "noeviction":
            self.stopped = "noeviction: nothing is evicted; writes that need memory " \
                           "are refused with OOM"
            self.done = True
        elif not self.tofree:
            self.done = True

    @property
    def changed(self) -> bool:
        return self.engine.dirty != self._dirty

    def step(self, deadline: float) -> bool:
        sim, by_ns, delim = self.sim, self.by_ns, self.delim
        t0 = time.perf_counter()
        while not self.done:
            found = sim.pick()
            if found is None:
                self.stopped = "nothing left to evict under this policy" + \
                    (" (no keys with a TTL)" if not sim.allkeys else "")
                self.done = True
                break
            db, key = found
            b = sim.evict(db, key)
            self.freed += b
            self.keys += 1
            ns = namespace(key, delim)
            s = by_ns.get(ns)
            if s is None:
                s = by_ns[ns] = [0, 0]
            s[0] += 1
            s[1] += b
            if len(self.first) < self.KEEP:
                self.first.append((db.id, key, b))
            if self.freed >= self.tofree:
                self.done = True
            elif self.limit is not None and self.keys >= self.limit:
                self.stopped = f"stopped after {self.limit:,} keys"
                self.done = True
            elif not self.keys % 64 and time.perf_counter() >= deadline:
                break
        self.elapsed += time.perf_counter() - t0
        return self.done

    def ns_rows(self) -> list:
        """(namespace, keys, bytes), most bytes first."""
        return sorted(((ns, k, b) for ns, (k, b) in self.by_ns.items()),
                      key=lambda r: (-r[2], -r[1]))


# ---------------------------------------------------------------------- eviction events
class EvictionTally:
    """Evicted keys by top-level namespace, fed by ``engine.evictor.listeners`` (called
    with (db, key, value) just before an evicted key goes).  Keeps counts, bytes, the
    time of the latest eviction per namespace, and the latest ``recent`` keys."""

    def __init__(self, delim: bytes = b":", recent: int = 200, clock=time.time):
        self.delim = delim
        self.clock = clock
        self.by_ns: dict = {}              # namespace -> [keys, bytes, last unix time]
        self.keys = self.bytes = 0
        self.recent_max = recent
        self.recent: list = []             # (unix time, db, key, bytes), newest last
        self.seq = 0                       # bumps on every event (cheap change check)

    def __call__(self, db, key: bytes, value):
        b = 0 if value is None else key_bytes(db, key, value)
        now = self.clock()
        ns = namespace(key, self.delim)
        s = self.by_ns.get(ns)
        if s is None:
            s = self.by_ns[ns] = [0, 0, now]
        s[0] += 1
        s[1] += b
        s[2] = now
        self.keys += 1
        self.bytes += b
        self.seq += 1
        r = self.recent
        r.append((now, db.id, key, b))
        if len(r) > self.recent_max * 2:    # trimmed in bulk: amortised O(1)
            del r[:-self.recent_max]

    def ns_rows(self) -> list:
        """(namespace, keys, bytes, last unix time), most keys first."""
        return sorted(((ns, k, b, t) for ns, (k, b, t) in self.by_ns.items()),
                      key=lambda r: (-r[1], -r[2]))

    def latest(self, n: int = 50) -> list:
        return self.recent[-n:][::-1]

    def reset(self, delim: bytes | None = None):
        if delim is not None:
            self.delim = delim
        self.by_ns.clear()
        self.recent.clear()
        self.keys = self.bytes = 0
        self.seq += 1


# ---------------------------------------------------------------------- expiry
# upper bounds (ms from now, inclusive) of the upcoming-expiry buckets
BUCKETS = ((60_000, "≤ 1 min"), (600_000, "1–10 min"), (3_600_000, "10 min–1 h"),
           (86_400_000, "1 h–1 day"), (None, "> 1 day"))
OVERDUE = "overdue"                         # time passed, not reclaimed yet (stale)
LABELS = (OVERDUE,) + tuple(label for _, label in BUCKETS)


def bucket_of(delta_ms: int) -> int:
    """Index into LABELS for an expire time ``delta_ms`` from now (a key whose time is
    exactly now still lives: Redis expires once now > when)."""
    if delta_ms < 0:
        return 0
    for i, (hi, _) in enumerate(BUCKETS):
        if hi is None or delta_ms <= hi:
            return i + 1
    return len(LABELS) - 1                   # pragma: no cover


class ExpiryHistogram:
    """Every key with a TTL in every database, bucketed by when it expires, per top-level
    namespace, plus a per-minute timeline of the next hour.  A pass walks the databases'
    expires dicts in slices (``step(deadline)``) over a key snapshot taken per database
    (one C-speed copy), so it is exact for the keys present at each snapshot, relative to
    ``now`` at the start of the pass."""

    SLICE = 2000

    def __init__(self, engine, delim: bytes = b":", now_ms: int | None = None):
        self.engine = engine
        self.delim = delim
        self.now = int(engine.clock() * 1000) if now_ms is None else now_ms
        self.queue = [db for db in engine.dbs if db.expires]
        self.total_expected = sum(len(db.expires) for db in self.queue)
        self.counts = [0] * len(LABELS)
        self.by_ns: dict = {}               # namespace -> list of counts (LABELS order)
        self.by_db: dict = {}               # dbid -> list of counts
        self.minutes = [0] * 60             # next hour, keys expiring per minute
        self.keys = 0                       # keys counted
        self.slices = 0
        self._db = None
        self._snap: tuple = ()
        self._pos = 0
        self.started = time.perf_counter()
        self.elapsed = 0.0

    @property
    def stale(self) -> int:
        return self.counts[0]

    def step(self, deadline: float) -> bool:
        t0 = time.perf_counter()
        now, delim, counts, by_ns, minutes = self.now, self.delim, self.counts, \
            self.by_ns, self.minutes
        nb = len(LABELS)
        while True:
            if self._pos >= len(self._snap):
                if not self.queue:
                    self._snap, self._db = (), None
                    self.elapsed += time.perf_counter() - t0
                    return True
                self._db = self.queue.pop(0)
                self._snap, self._pos = tuple(self._db.expires), 0
                self.by_db.setdefault(self._db.id, [0] * nb)
                continue
            db = self._db
            expires = db.expires
            dbc = self.by_db[db.id]
            chunk = self._snap[self._pos:self._pos + self.SLICE]
            self._pos += len(chunk)
            self.slices += 1
            for k in chunk:
                when = expires.get(k)
                if when is None:
                    continue                 # deleted or persisted since the snapshot
                delta = when - now
                b = bucket_of(delta)
                counts[b] += 1
                dbc[b] += 1
                i = k.find(delim) if delim else -1
                ns = k[:i] if i >= 0 else NO_NS
                c = by_ns.get(ns)
                if c is None:
                    c = by_ns[ns] = [0] * nb
                c[b] += 1
                if 0 <= delta < 3_600_000:
                    minutes[delta // 60_000] += 1
                self.keys += 1
            if time.perf_counter() >= deadline:
                self.elapsed += time.perf_counter() - t0
                return False

    def ns_rows(self, limit: int = 500) -> list:
        """(namespace, *counts, total), most keys first."""
        rows = sorted(self.by_ns.items(), key=lambda x: -sum(x[1]))[:limit]
        return [(ns, *c, sum(c)) for ns, c in rows]


def expire_counters(engine) -> dict:
    """The expire cycle's counters as the engine keeps them: expirations in total, by the
    active cycle, and on access (lazy: the rest), the cycle's time-cap hits and CPU."""
    st = engine.stats
    total = st.expired_keys
    active = getattr(st, "expired_active", None)
    return {"expired": total,
            "active": active,
            "lazy": None if active is None else max(0, total - active),
            "time_cap": getattr(st, "expired_time_cap_reached_count", None),
            "cycle_us": st.expire_cycle_time_used,
            "stale_perc": st.expired_stale_perc * 100,
            "volatile": sum(len(db.expires) for db in engine.dbs)}
