"""Eviction and expiry lab: what the maxmemory policy would evict next, what-if dry runs,
eviction events by namespace, the upcoming-expiry histogram.  Pure: no Qt, no I/O.

Nothing here evicts, expires or moves the engine's state.  The candidate selection is
engine.eviction's, step for step (sample ``maxmemory-samples`` keys per database from
the same key lists, score them into the same 16-entry pool, take the best one that still
exists; the random policies rotate over the databases the same way), run on copies:

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
from bisect import insort
from itertools import filterfalse
from types import SimpleNamespace

from . import memory
from .eviction import EVPOOL_SIZE, POLICIES
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


# ---------------------------------------------------------------------- sampling lists
class _KeyList:
    """Copy-on-write view of one of the evictor's sampling lists ([dict, keys, misses])."""
    __slots__ = ("d", "base", "over", "n", "misses")

    def __init__(self, d, base: list, misses: int):
        self.d, self.base, self.over = d, base, {}
        self.n, self.misses = len(base), misses

    def get(self, i: int):
        o = self.over.get(i)
        return self.base[i] if o is None else o

    def swap_remove(self, i: int):
        self.over[i] = self.get(self.n - 1)
        self.n -= 1


class Candidate(SimpleNamespace):
    """One key the policy would evict: db, key, namespace, idle (s), lfu (counter or
    None), ttl_ms (None: no TTL), bytes."""


class Simulation:
    """The engine's eviction selection on private copies of its state (see the module
    doc).  ``pick()`` answers what the next eviction takes, ``evict()`` pretends it went."""

    def __init__(self, engine, policy: str | None = None, samples: int | None = None,
                 cache: dict | None = None):
        ev = engine.evictor
        # lists built here for a database the evictor has none for yet, kept by the
        # caller between runs: reused while nothing was written (the same list the
        # evictor would build), so a big idle keyspace is copied once, not every refresh
        self._cache = cache
        self.engine = engine
        self.current = policy is None or policy == ev.policy
        self.policy = ev.policy if policy is None else policy
        if self.policy not in POLICIES:
            raise ValueError(f"unknown maxmemory-policy '{self.policy}'")
        self.samples = engine.config["maxmemory-samples"] if samples is None else samples
        self.rng = random.Random()
        self.rng.setstate(engine.rng.getstate())
        # CONFIG SET maxmemory-policy clears the pool: a what-if starts from scratch
        self.pool = [list(x) for x in ev.pool] if self.current else []
        self.next_db = ev.next_db
        self._src = {True: ev._vpools, False: ev._kpools}
        self._lists: dict = {}               # (volatile, dbid) -> _KeyList
        self.gone: dict = {}                 # dbid -> keys evicted by the simulation
        self._gone_exp: dict = {}            # dbid -> how many of those had a TTL
        self._zeroed: dict = {}              # dbid -> LFU slots the evictions zeroed
        self.lfu = self.policy.endswith("-lfu")
        self.allkeys = self.policy.startswith("allkeys")
        # the LFU counters as the databases would read them under this policy (a switch
        # reinterprets the access table's words, as Redis does)
        cfg = engine.config
        self._lfu_reader = {}
        for db in engine.dbs:
            self._lfu_reader[db.id] = SimpleNamespace(
                _lfu=(cfg["lfu-log-factor"], cfg["lfu-decay-time"], None),
                lru_clock=db.lru_clock)

    # -- the databases as the simulation sees them
    def _has(self, db, volatile: bool) -> bool:
        d = db.expires if volatile else db.data
        if not d:
            return False
        g = self.gone.get(db.id)
        if not g:
            return True
        return len(d) > (self._gone_exp.get(db.id, 0) if volatile else len(g))

    def _live(self, db, volatile: bool, key) -> bool:
        return key in (db.expires if volatile else db.data) and \
            key not in self.gone.get(db.id, ())

    def _built(self, db, d, slot) -> list:
        """A fresh sampling list (list(d) minus the simulated evictions), cached while
        the dataset is unchanged and nothing was simulated away."""
        c = self._cache
        if c is None or self.gone.get(db.id):
            return self._fresh(db, d)
        hit = c.get(slot)
        dirty = self.engine.dirty
        if hit is not None and hit[0] is d and hit[1] == dirty and len(hit[2]) == len(d):
            return hit[2]
        keys = list(d)
        c[slot] = (d, dirty, keys)
        return keys

    def _fresh(self, db, d) -> list:
        gone = self.gone.get(db.id)
        return list(filterfalse(gone.__contains__, d)) if gone else list(d)

    def _sample(self, db, volatile: bool, k: int) -> list:
        """Evictor._sample on the copies (same draws, same rebuild rules)."""
        if not self._has(db, volatile):
            return []
        d = db.expires if volatile else db.data
        vlen = len(d) - (self._gone_exp.get(db.id, 0) if volatile
                         else len(self.gone.get(db.id, ())))
        slot = (volatile, db.id)
        st = self._lists.get(slot)
        if st is None:
            src = self._src[volatile].get(db.id)
            if src is not None:
                st = self._lists[slot] = _KeyList(src[0], src[1], src[2])
        if st is None or st.d is not d or st.misses > st.n // 2 or st.n < vlen // 2:
            st = self._lists[slot] = _KeyList(d, self._built(db, d, slot), 0)
        out = []
        rand = self.rng.random
        gone = self.gone.get(db.id, ())
        misses = 0
        while st.n and k and misses < 8:
            i = int(rand() * st.n)
            key = st.get(i)
            if key in d and key not in gone:
                out.append(key)
                k -= 1
            else:
                st.swap_remove(i)
                st.misses += 1
                misses += 1
        if not out and vlen:
            keys = self._fresh(db, d)
            self._lists[slot] = _KeyList(d, keys, 0)
            out = [keys[int(rand() * len(keys))] for _ in range(min(k, len(keys)))]
        return out

    def _lfu_count(self, db, key) -> int:
        z = self._zeroed.get(db.id)
        i = hash(key) & db._lru_mask
        word = 0 if z and i in z else db._lru[i]
        return Database._lfu_value(self._lfu_reader[db.id], word)

    def _populate(self, db):
        """Evictor._populate on the copies."""
        sample = self._sample(db, not self.allkeys, self.samples)
        pool, dbid = self.pool, db.id
        if self.policy == "volatile-ttl":
            expires = db.expires
            scores = [-expires[k] for k in sample]
        elif self.lfu:
            scores = [255 - self._lfu_count(db, k) for k in sample]
        else:
            lru, mask, base, now = db._lru, db._lru_mask, db._lru_base, db.lru_clock
            scores = [now - (lru[hash(k) & mask] or base) for k in sample]
        for score, key in zip(scores, sample):
            if len(pool) >= EVPOOL_SIZE:
                if score <= pool[0][0]:
                    continue
                del pool[0]
            insort(pool, [score, dbid, key])

    # -- Evictor._pick_pool / _pick_random
    def pick(self):
        """(db, key) the next eviction takes, or None (noeviction, nothing left)."""
        if self.policy == "noeviction":
            return None
        if self.policy.endswith("-random"):
            return self._pick_random()
        dbs, pool, volatile = self.engine.dbs, self.pool, not self.allkeys
        for _ in range(100):
            found = False
            for db in dbs:
                if self._has(db, volatile):
                    self._populate(db)
                    found = True
            if not found or not pool:
                return None
            while pool:
                _, dbid, key = pool.pop()
                db = dbs[dbid]
                if self._live(db, volatile, key):
                    return db, key
        return None

    def _pick_random(self):
        dbs = self.engine.dbs
        n = len(dbs)
        volatile = self.policy == "volatile-random"
        for _ in range(n):
            self.next_db = (self.next_db + 1) % n
            db = dbs[self.next_db]
            if self._has(db, volatile):
                keys = self._sample(db, volatile, 1)
                if keys:
                    return db, keys[0]
        return None

    def evict(self, db, key) -> int:
        """Pretend the key was evicted; returns the bytes that frees."""
        v = db.data.get(key)
        self.gone.setdefault(db.id, set()).add(key)
        if key in db.expires:
            self._gone_exp[db.id] = self._gone_exp.get(db.id, 0) + 1
        if self.lfu:                         # Database.pop zeroes the slot under LFU
            self._zeroed.setdefault(db.id, set()).add(hash(key) & db._lru_mask)
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
            ttl_ms=None if when is None else when - int(self.engine.clock() * 1000),
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
