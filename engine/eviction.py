"""maxmemory and eviction, as Redis 7.0's evict.c.

``performEvictions`` runs before every command while ``maxmemory`` is set (the
dispatcher's gate) and after a write that left the dataset over the limit, so
``used_memory`` never stays above ``maxmemory`` once a write returned (unless the
policy forbids evicting or nothing is left to evict).  The memory figure is the
engine's own model (engine.memory), so "freed" is the model's delta.

Candidates: the approximated LRU / LFU / TTL policies sample ``maxmemory-samples``
keys per database (from the keyspace, or from the keys with a TTL for volatile-*)
into one pool of the 16 best candidates (EVPOOL_SIZE), then evict the best one that
still exists; the random policies take one random key per database in turn.  Idle
time and LFU counters come from the databases' access table (keyspace.py), the same
numbers OBJECT IDLETIME and OBJECT FREQ report.  An evicted key is deleted, counted
(evicted_keys), signalled (WATCH, client tracking, the ``evicted`` keyspace event) and
propagated as DEL.  A run stops after ``maxmemory-eviction-tenacity``'s time budget;
the cron then carries on (Redis's evictionTimeProc).
"""
from __future__ import annotations

import time
from bisect import insort

from . import memory
from .errors import RedisError

OOM = RedisError("OOM command not allowed when used memory > 'maxmemory'.")
EVPOOL_SIZE = 16
EVICT_OK, EVICT_RUNNING, EVICT_FAIL = 0, 1, 2

POLICIES = ("volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl",
            "allkeys-lru", "allkeys-lfu", "allkeys-random", "noeviction")


# commands that may write to databases other than the client's own
_FOREIGN = frozenset({"move", "copy", "swapdb", "flushall", "exec", "eval", "evalsha",
                      "eval_ro", "evalsha_ro", "fcall", "fcall_ro", "debug", "restore",
                      "migrate", "function"})


def _db_bytes(db) -> int:
    """One database's share of used_memory (memory.dataset_memory's terms)."""
    if db.mdirty:
        memory.flush_dirty(db)
    n = len(db.data)
    if not n:
        return 0
    total = db.mem + (8 << (n - 1).bit_length() if n > 4 else 32)
    e = len(db.expires)
    if e:
        total += e * memory.DICT_ENTRY_ALLOC + (8 << (e - 1).bit_length() if e > 4 else 32)
    return total


def time_limit_us(tenacity: int) -> float:
    """evictionTimeLimitUs: 50 us per step up to 10, then +15% per step; 100 = none."""
    if tenacity <= 10:
        return 50.0 * tenacity
    if tenacity < 100:
        return 500.0 * 1.15 ** (tenacity - 10)
    return float("inf")


class Evictor:
    """The engine's eviction state (``engine.evictor``)."""

    def __init__(self, engine):
        self.engine = engine
        self.maxmemory = 0
        self.policy = "noeviction"
        self.pool: list = []          # [score, dbid, key], ascending (best last)
        self.next_db = 0
        self.running = False          # a run stopped on its time budget: cron goes on
        self._vpools: dict = {}       # dbid -> [expires dict, key list, misses]
        self._kpools: dict = {}       # dbid -> [data dict, key list, misses]
        self._ok_at = None            # (dirty, clients) when last found within the limit
        self._contrib = None          # per-db bytes (after_write), None: measure again
        self._total = 0
        self._fixed = memory.STARTUP      # baseline + scripts (measured with the dbs)
        self.exceeded_since = 0.0     # stat_last_eviction_exceeded_time
        self.exceeded_total = 0.0     # stat_total_eviction_exceeded_time (seconds)
        self.listeners: list = []     # (db, key, value) before a key is evicted (inspector)
        cfg = engine.config
        for name in ("maxmemory", "maxmemory-policy"):
            cfg.on_change(name, self._on_config)
        self._on_config(None)

    def _on_config(self, _value):
        cfg = self.engine.config
        old = self.maxmemory
        self.maxmemory = cfg["maxmemory"]
        self._ok_at = None
        if cfg["maxmemory-policy"] != self.policy:
            self.policy = cfg["maxmemory-policy"]
            self.pool = []
        self.engine.update_gate()
        if self.maxmemory and self.maxmemory != old:
            used = memory.used_memory(self.engine)
            if used > self.maxmemory:
                self.engine.log.warning(
                    f"WARNING: the new maxmemory value set via CONFIG SET "
                    f"({self.maxmemory}) is smaller than the current memory usage "
                    f"({used}). This will result in key eviction and/or the inability to "
                    f"accept new write commands depending on the maxmemory-policy.")
            self.perform()

    # ------------------------------------------------------------------ state
    def over(self) -> int:
        """Bytes to free (0 when within the limit or no limit)."""
        mm = self.maxmemory
        if not mm:
            return 0
        used = memory.used_memory(self.engine)
        self._contrib = None
        return used - mm if used > mm else 0

    def after_write(self, db, spec):
        """After a write returned: evict if it left us over the limit.  The common
        case (a command that wrote only its own database) re-measures that database
        alone against cached figures for the others; anything that may reach other
        databases, and every cron tick, measures them all."""
        contrib = self._contrib
        if contrib is None or spec.name in _FOREIGN:
            self.perform(None)
            return
        if db.mdirty:
            memory.flush_dirty(db)
        n = len(db.data)                      # _db_bytes, inlined: once per write
        mem = db.mem + (8 << (n - 1).bit_length() if n > 4 else 32) if n else 0
        x = len(db.expires)
        if x:
            mem += x * 32 + (8 << (x - 1).bit_length() if x > 4 else 32)
        total = self._total = self._total + mem - contrib[db.id]
        contrib[db.id] = mem
        e = self.engine
        nclients = len(e.clients)
        used = self._fixed + memory.CLIENT_BASE * nclients + total
        if used <= self.maxmemory:
            self._ok_at = e.dirty + (nclients << 48)
            e.script_oom = False
            if used > e.mem_peak:
                e.mem_peak = used
            if self.exceeded_since:
                self._metrics(EVICT_OK)
            return
        self.perform(None)

    def _measure(self):
        """Per-database figures for after_write (a full measurement)."""
        e = self.engine
        self._contrib = [_db_bytes(db) for db in e.dbs]
        self._total = sum(self._contrib)
        self._fixed = memory.STARTUP + (memory.scripts_memory(e) if e.lua is not None else 0)

    def safe(self) -> bool:
        """isSafeToPerformEvictions: not while clients are paused (failover safety),
        nor for a replica that ignores maxmemory."""
        e = self.engine
        if e.pause.kind and e.pause.blocks_eviction():
            return False
        # a replica (replication sets engine.masterhost) leaves eviction to its master
        if getattr(e, "masterhost", None) and e.config["replica-ignore-maxmemory"]:
            return False
        return True

    # ------------------------------------------------------------------ performEvictions
    def perform(self, budget_us: float | None = -1.0) -> int:
        """Evict until within maxmemory or the time budget is spent: by default
        maxmemory-eviction-tenacity's (before a command, as Redis); None = no budget
        (after a write, so that used_memory never stays above the limit once a write
        returned: the eviction is proportional to what the write added)."""
        if not self.maxmemory:
            return EVICT_OK
        e = self.engine
        # the model only grows through writes (dirty) and connections: nothing to do
        # when neither moved since the last check found us within the limit
        mark = e.dirty + (len(e.clients) << 48)
        if mark == self._ok_at or not self.safe():
            return EVICT_OK
        tofree = self.over()
        if not tofree:
            self._measure()
            self._ok_at = mark
            e.script_oom = False
            self._metrics(EVICT_OK)
            self.running = False
            return EVICT_OK
        if self.policy == "noeviction":
            self._metrics(EVICT_FAIL)
            return EVICT_FAIL
        if budget_us is None:
            limit = float("inf")
        elif budget_us < 0:
            limit = time_limit_us(e.config["maxmemory-eviction-tenacity"]) / 1e6
        else:
            limit = budget_us / 1e6
        start = time.perf_counter()
        freed = 0
        keys = 0
        result = EVICT_OK
        random_policy = self.policy.endswith("-random")
        pick = self._pick_random if random_policy else self._pick_pool
        evict = self._evict
        lat = e.latency_threshold
        while freed < tofree:
            found = pick()
            if found is None:
                result = EVICT_FAIL
                break
            db, key = found
            before = db.mem
            if lat:
                t0 = time.perf_counter()
                evict(db, key)
                ms = int((time.perf_counter() - t0) * 1000)
                if ms >= lat:
                    e.latency.add("eviction-del", ms)
            else:
                evict(db, key)
            freed += before - db.mem
            keys += 1
            if not keys % 16:
                if time.perf_counter() - start > limit:
                    # the memory may well be fine now: the budget only stops the loop
                    result = EVICT_RUNNING if self.over() else EVICT_OK
                    break
        if result == EVICT_OK:
            self._ok_at = e.dirty + (len(e.clients) << 48)
        self._contrib = None                  # measured again on the next write
        self.running = result == EVICT_RUNNING
        ms = int((time.perf_counter() - start) * 1000)
        if ms and e.latency_threshold and ms >= e.latency_threshold:
            e.latency.add("eviction-cycle", ms)
        self._metrics(result)
        return result

    def _metrics(self, result):
        if result == EVICT_OK:
            if self.exceeded_since:
                self.exceeded_total += time.monotonic() - self.exceeded_since
                self.exceeded_since = 0.0
        elif not self.exceeded_since:
            self.exceeded_since = time.monotonic()

    def _evict(self, db, key: bytes):
        e = self.engine
        if self.listeners:
            v = db.data.get(key)
            for fn in self.listeners:
                fn(db, key, v)
        db.pop(key)
        e.stats.evicted_keys += 1
        if e.watched:
            e.touch_watched(db, key)
        if e.write_listeners:
            for fn in list(e.write_listeners):
                fn(db, key, b"evicted", "e", None)
        if e.propagators or e.exec_buffer is not None:
            e.propagate(db.id, [b"DEL", key])

    # ------------------------------------------------------------------ candidates
    def _pick_random(self):
        dbs = self.engine.dbs
        n = len(dbs)
        volatile = self.policy == "volatile-random"
        rng = self.engine.rng
        for _ in range(n):
            self.next_db = (self.next_db + 1) % n
            db = dbs[self.next_db]
            if volatile:
                if db.expires:
                    key = self._sample(db, True, 1, rng)
                    if key:
                        return db, key[0]
            elif db.data:
                keys = self._sample(db, False, 1, rng)
                if keys:
                    return db, keys[0]
        return None

    def _pick_pool(self):
        pool = self.pool
        dbs = self.engine.dbs
        allkeys = self.policy.startswith("allkeys")
        populate = self._populate
        for _ in range(100):
            found = False
            for db in dbs:
                if db.data if allkeys else db.expires:
                    populate(db)
                    found = True
            if not found or not pool:
                return None
            while pool:
                _, dbid, key = pool.pop()
                db = dbs[dbid]
                if key in (db.data if allkeys else db.expires):
                    return db, key
                # a ghost (deleted since it was sampled): try the next one
        return None

    def _populate(self, db):
        """evictionPoolPopulate: score maxmemory-samples keys of db into the pool (a
        higher score is a better candidate: idle seconds, 255 - LFU counter, or the
        negated expire time)."""
        e = self.engine
        policy = self.policy
        sample = self._sample(db, not policy.startswith("allkeys"),
                              e.config["maxmemory-samples"], e.rng)
        pool = self.pool
        dbid = db.id
        if policy == "volatile-ttl":
            expires = db.expires
            scores = [-expires[k] for k in sample]
        elif policy.endswith("-lfu"):
            scores = [255 - db.lfu_count(k) for k in sample]
        else:                                   # LRU: the access table, as idle_seconds
            lru, mask, base, now = db._lru, db._lru_mask, db._lru_base, db.lru_clock
            scores = [now - (lru[hash(k) & mask] or base) for k in sample]
        for score, key in zip(scores, sample):
            if len(pool) >= EVPOOL_SIZE:
                if score <= pool[0][0]:
                    continue                 # worse than the worst candidate we hold
                del pool[0]
            insort(pool, [score, dbid, key])

    def _sample(self, db, volatile: bool, k: int, rng) -> list:
        """Up to k random live keys of db (with a TTL when ``volatile``), O(1)
        amortised: the dict cannot be sampled directly, so a key list is kept and
        rebuilt when it has gone stale (keys added since are missed until then; keys
        deleted since are dropped when met)."""
        d = db.expires if volatile else db.data
        if not d:
            return []
        pools = self._vpools if volatile else self._kpools
        st = pools.get(db.id)
        if st is None or st[0] is not d or st[2] > len(st[1]) // 2 \
                or len(st[1]) < len(d) // 2:
            st = pools[db.id] = [d, self._keylist(db, volatile, d), 0]
        keys = st[1]
        out = []
        rand = rng.random
        n = len(keys)
        misses = 0
        while n and k and misses < 8:
            i = int(rand() * n)
            key = keys[i]
            if key in d:
                out.append(key)
                k -= 1
            else:                                 # gone: swap-remove
                keys[i] = keys[-1]
                keys.pop()
                n -= 1
                st[2] += 1
                misses += 1
        if not out and d:                         # all stale: rebuild once
            keys = self._keylist(db, volatile, d)
            pools[db.id] = [d, keys, 0]
            out = [keys[int(rand() * len(keys))] for _ in range(min(k, len(keys)))]
        return out

    def _keylist(self, db, volatile: bool, d) -> list:
        """A fresh sampling list of d (the eviction lab's copies override it)."""
        return list(d)

    def cron(self):
        """evictionTimeProc: carry on a run that stopped on its time budget; refresh
        the per-database figures (expiry and blocked clients change them too)."""
        if self.maxmemory:
            self._measure()
        if self.running:               # up to a quarter of the cron period, in runs
            e = self.engine
            end = time.perf_counter() + 0.25 / max(1, e.config["hz"])
            while self.perform() == EVICT_RUNNING and time.perf_counter() < end:
                pass
