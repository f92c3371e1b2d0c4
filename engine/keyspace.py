"""One logical database: the key -> value dict, the expires dict, an expiry heap and a
compact access-time table (OBJECT IDLETIME / FREQ, LRU/LFU eviction).

Values are ``bytes``/``bytearray`` for strings (bytearray = a string that was modified in
place: APPEND, SETRANGE, SETBIT; Redis reports those as ``raw``) or an object of one of
the collection types.  Absolute expire times are integer milliseconds; a key is expired
once ``now > when`` (Redis's keyIsExpired), so a key whose time is exactly now still lives.

Access tracking.  Redis keeps 24 bits of LRU/LFU state inside every object.  A per-key
dict entry here would cost ~45 bytes per key (and a second copy of the key when the
first access comes from a different argv object) plus a dict write on every GET.
Instead a table of uint32 slots indexed by ``hash(key) & mask`` holds, per slot, the
LRU clock (seconds) of the latest access -- or the LFU word (minutes << 8 | counter)
under an LFU policy, reinterpreted on a policy switch exactly as Redis does.  That is
8-16 bytes per key, one array store per access (bytes cache their hash), and the table
doubles (keeping every slot's value) to stay at >= 2 slots per key.  Keys sharing a slot
(about a third of them) report the most recent access among them, so an idle time is a
lower bound -- a key is never reported colder than it is -- an approximation in the
spirit of Redis's own sampled LRU.
Reads touch in ``get()``; writes touch through ``Client.written`` -> ``touch()``; EXISTS,
TYPE, TTL, OBJECT, SCAN use ``peek()``, which does not touch (LOOKUP_NOTOUCH).
"""
from __future__ import annotations

import heapq
from array import array
from typing import Callable

from .errors import WRONGTYPE
from .memory import charge, str_value, uncharge

STRING_TYPES = (bytes, bytearray)
LFU_INIT_VAL = 5
_LRU_MIN_SLOTS = 1024
_SNAPSHOTS_KEPT = 16


def _replaced(db, key: bytes, old, value) -> int:
    """engine.memory: the change in charged bytes when ``value`` replaces ``old`` (None:
    a new key).  A string over a string only changes by the values (the key's share is
    the same); otherwise uncharge first (it drops a bytearray's rawlen entry), then charge."""
    if old is not None and old.__class__ is bytes and value.__class__ is bytes:
        return str_value(value) - str_value(old)
    was = 0 if old is None else uncharge(db, key, old)
    return charge(db, key, value, old) - was


class Database:
    __slots__ = ("id", "data", "expires", "_heap", "_old_heap", "_old_pos", "_clock",
                 "_on_expire", "_unexpired", "_scan_snaps", "_scan_seq", "_pool",
                 "_pool_misses", "avg_ttl", "_avg_pos", "lru_clock", "_lru", "_lru_mask",
                 "_lru_base", "_lfu", "mem", "rawlen", "mdirty", "hold_expire")

    def __init__(self, dbid: int, clock: Callable[[], int], on_expire: Callable):
        self.id = dbid
        self.data: dict = {}
        self.expires: dict = {}
        # (when_ms, key) min-heap.  Invariant: every key in ``expires`` has an entry with
        # when <= expires[key].  A TTL that grows pushes nothing (the old entry, when
        # popped, re-schedules the key); entries of deleted/persisted keys go stale and
        # are dropped when popped, or by a compaction sliced over cron ticks.
        self._heap: list = []
        self._old_heap = None                 # heap being compacted into _heap, or None
        self._old_pos = 0
        self._clock = clock
        self._on_expire = on_expire          # engine callback(db, key): propagate DEL, notify
        self._unexpired = None                # (key, when) whose TTL set() just dropped
        self._scan_snaps: dict = {}           # snapshot id -> list of keys (SCAN cursors)
        self._scan_seq = 0
        self._pool: list = []                 # random sampling pool (RANDOMKEY, eviction)
        self._pool_misses = 0
        self.avg_ttl = 0                      # INFO keyspace: running estimate (ms)
        self._avg_pos = 0
        self.lru_clock = clock() // 1000      # seconds; the engine's cron advances it
        self._lru_base = self.lru_clock
        self._lru = array("I", bytes(4 * _LRU_MIN_SLOTS))
        self._lru_mask = _LRU_MIN_SLOTS - 1
        self._lfu = None                      # (log_factor, decay_minutes, rng) under LFU
        self.mem = 0                          # engine.memory: modelled bytes of the keys
        self.rawlen: dict = {}                # engine.memory: charged length of bytearrays
        self.mdirty: dict = {}                # engine.memory: written containers to re-model
        self.hold_expire = False              # CLIENT PAUSE: expired keys stay (read as gone)

    # ----------------------------------------------------------------- lookups
    def __len__(self):
        return len(self.data)

    def get(self, key: bytes):
        """The live value or None; an expired key is deleted on the way (lazy expiry).
        Counts as an access (LRU/LFU)."""
        v = self.data.get(key)
        if v is None:
            return None
        if self.expires:
            when = self.expires.get(key)
            if when is not None and when < self._clock():
                self._expire(key)
                return None
        if self._lfu is None:
            self._lru[hash(key) & self._lru_mask] = self.lru_clock
        else:
            self._lfu_access(key)
        return v

    def peek(self, key: bytes):
        """Like get() (lazy expiry included) without counting an access: EXISTS, TYPE,
        TTL, OBJECT, SCAN's TYPE filter (Redis's LOOKUP_NOTOUCH)."""
        v = self.data.get(key)
        if v is not None and self.expires:
            when = self.expires.get(key)
            if when is not None and when < self._clock():
                self._expire(key)
                return None
        return v

    def get_str(self, key: bytes):
        """A string value or None; WRONGTYPE for another type."""
        v = self.get(key)
        if v is None or v.__class__ is bytes or v.__class__ is bytearray:
            return v
        raise WRONGTYPE

    def get_typed(self, key: bytes, cls):
        v = self.get(key)
        if v is None or v.__class__ is cls:
            return v
        raise WRONGTYPE

    def get_or_create(self, key: bytes, cls, *args):
        v = self.get(key)
        if v is None:
            v = cls(*args)
            self.data[key] = v
            return v
        if v.__class__ is not cls:
            raise WRONGTYPE
        return v

    def exists(self, key: bytes) -> bool:
        return self.peek(key) is not None

    # ----------------------------------------------------------------- writes
    def set(self, key: bytes, value, keep_ttl: bool = False):
        data = self.data
        old = data.get(key)
        data[key] = value
        self.mem += _replaced(self, key, old, value)
        if not keep_ttl and self.expires:
            when = self.expires.pop(key, None)
            if when is not None:       # SET k v EX n refreshing a TTL: see set_expire
                self._unexpired = (key, when)

    def put(self, key: bytes, value):
        """Store value at key keeping its TTL (the accounted ``data[key] = value``)."""
        data = self.data
        old = data.get(key)
        data[key] = value
        self.mem += _replaced(self, key, old, value)

    def delete(self, key: bytes) -> bool:
        """Delete a live key; False when absent or already expired."""
        v = self.peek(key)
        if v is None:
            return False
        del self.data[key]
        self.mem -= uncharge(self, key, v)
        if self.expires:
            self.expires.pop(key, None)
        if self._lfu is not None:
            self._lru[hash(key) & self._lru_mask] = 0
        return True

    def pop(self, key: bytes):
        """Remove and return (value, expire_ms or None) of a live key, or (None, None)."""
        v = self.peek(key)
        if v is None:
            return None, None
        del self.data[key]
        self.mem -= uncharge(self, key, v)
        if self._lfu is not None:
            self._lru[hash(key) & self._lru_mask] = 0
        return v, (self.expires.pop(key, None) if self.expires else None)

    def clear(self) -> int:
        n = len(self.data)
        self.data = {}
        self.mem = 0
        self.rawlen = {}
        self.mdirty = {}
        self.expires = {}
        self._heap = []
        self._old_heap = None
        self._unexpired = None
        self._scan_snaps.clear()
        self._pool = []
        self.avg_ttl = 0
        self._lru = array("I", bytes(4 * _LRU_MIN_SLOTS))
        self._lru_mask = _LRU_MIN_SLOTS - 1
        self._lru_base = self.lru_clock
        return n

    _SWAPPED = ("data", "expires", "_heap", "_old_heap", "_old_pos", "_unexpired",
                "_scan_snaps", "_scan_seq", "_pool", "_pool_misses", "avg_ttl", "_lru",
                "_lru_mask", "_lru_base", "mem", "rawlen", "mdirty")

    def swap_with(self, other: "Database"):
        """SWAPDB: exchange contents; ids (what clients selected) stay where they are."""
        for name in self._SWAPPED:
            a, b = getattr(self, name), getattr(other, name)
            setattr(self, name, b)
            setattr(other, name, a)

    # ----------------------------------------------------------------- expiry
    def set_expire(self, key: bytes, when_ms: int):
        expires = self.expires
        old = expires.get(key)
        if old is None:
            u = self._unexpired
            # set() dropped this key's TTL and nothing was popped since (pops clear the
            # note): the entry that covered the old TTL is still in the heap
            if u is not None and u[0] == key:
                old = u[1]
        self._unexpired = None
        expires[key] = when_ms
        if old is None or when_ms < old:
            heapq.heappush(self._heap, (when_ms, key))

    def get_expire(self, key: bytes):
        """Absolute expire ms of a key or None (caller made sure the key is live)."""
        return self.expires.get(key) if self.expires else None

    def persist(self, key: bytes) -> bool:
        return self.expires.pop(key, None) is not None

    def is_expired(self, key: bytes) -> bool:
        when = self.expires.get(key)
        return when is not None and when < self._clock()

    def _expire(self, key: bytes):
        if self.hold_expire:                    # clients paused: it stays, reads as gone
            return
        v = self.data.pop(key, None)
        if v is not None:
            self.mem -= uncharge(self, key, v)
        self.expires.pop(key, None)
        if self._lfu is not None:
            self._lru[hash(key) & self._lru_mask] = 0
        self._on_expire(self, key)

    def expiry_pending(self) -> bool:
        """Anything for the active expire cycle: volatile keys or heap entries to drop."""
        return bool(self.expires or self._heap or self._old_heap)

    def active_expire(self, now_ms: int, budget_keys: int) -> tuple[int, int]:
        """Delete up to ``budget_keys`` keys whose time has come, earliest first.
        Returns (expired, examined); examined == budget_keys means "call me again".
        Stale heap entries cost one pop each; a compaction in progress takes a slice."""
        self._unexpired = None                  # popping may remove a witness entry
        if self._old_heap is not None:
            self._compact_step(budget_keys * 8)
            examined = budget_keys          # keep the engine's loop going while compacting
        elif len(self._heap) > 2 * len(self.expires) + 1024:
            self._old_heap, self._old_pos, self._heap = self._heap, 0, []
            return 0, budget_keys
        else:
            examined = 0
        heap, expires = self._heap, self.expires
        expired = n = 0
        while heap and n < budget_keys:
            when, key = heap[0]
            if when >= now_ms:
                break
            heapq.heappop(heap)
            n += 1
            cur = expires.get(key)
            if cur is None or cur < when:
                continue                    # stale (or an earlier entry already served)
            if cur == when:
                self._expire(key)
                expired += 1
            else:                           # the TTL grew since: re-schedule
                heapq.heappush(heap, (cur, key))
        if n < budget_keys and not examined:
            self._sample_ttl(now_ms)        # once per tick: this db is done
        return expired, max(n, examined)

    def _sample_ttl(self, now_ms: int):
        """Redis's avg_ttl: a 2%-weighted running average of sampled TTLs (ms), sampled
        from the heap with a fixed stride (deterministic, O(16))."""
        heap, expires = self._heap, self.expires
        if not expires:
            self.avg_ttl = 0
            return
        n = len(heap)
        total = count = 0
        pos = self._avg_pos
        for _ in range(min(n, 16)):
            pos = (pos + 7919) % n
            when, key = heap[pos]
            cur = expires.get(key)
            if cur is not None and cur >= when and cur > now_ms:
                total += cur - now_ms
                count += 1
        self._avg_pos = pos
        if count:
            avg = total // count
            if not self.avg_ttl:
                self.avg_ttl = avg
            self.avg_ttl = (self.avg_ttl // 50) * 49 + avg // 50

    def _compact_step(self, n: int):
        """Move up to n live entries of the old heap into the new one, dropping stale
        ones.  The old heap is only read here, so a cursor over it is stable."""
        old, i = self._old_heap, self._old_pos
        end = min(len(old), i + n)
        expires, heap, push = self.expires, self._heap, heapq.heappush
        for j in range(i, end):
            entry = old[j]
            cur = expires.get(entry[1])
            if cur is not None and entry[0] <= cur:
                push(heap, entry)
        if end >= len(old):
            self._old_heap = None
        else:
            self._old_pos = end

    def next_expiry(self):
        """Earliest pending expire time (ms) or None; drops stale heap heads.  (During a
        compaction the old heap's remainder is scanned: rare, O(n).)"""
        heap, expires = self._heap, self.expires
        self._unexpired = None                  # popping may remove a witness entry
        best = None
        while heap:
            when, key = heap[0]
            cur = expires.get(key)
            if cur is not None and cur >= when:
                best = when
                break
            heapq.heappop(heap)
        old = self._old_heap
        if old is not None:
            for when, key in old[self._old_pos:]:
                cur = expires.get(key)
                if cur is not None and cur >= when and (best is None or when < best):
                    best = when
        return best

    # ----------------------------------------------------------------- access tracking
    def touch(self, key: bytes):
        """A write created or replaced ``key`` (called by Client.written)."""
        if len(self.data) > len(self._lru) >> 1:
            self._grow()
        if self._lfu is None:
            self._lru[hash(key) & self._lru_mask] = self.lru_clock
        elif key in self.data:
            i = hash(key) & self._lru_mask
            if not self._lru[i]:               # a new object starts at LFU_INIT_VAL
                self._lru[i] = ((self.lru_clock // 60) & 0xFFFF) << 8 | LFU_INIT_VAL

    def _lfu_access(self, key: bytes):
        """Redis's updateLFU: decay by elapsed periods, then a logarithmic increment."""
        log_factor, _, rng = self._lfu
        i = hash(key) & self._lru_mask
        counter = self._lfu_value(self._lru[i])
        if counter < 255:
            base = counter - LFU_INIT_VAL
            if base < 0:
                base = 0
            if rng.random() < 1.0 / (base * log_factor + 1):
                counter += 1
        self._lru[i] = ((self.lru_clock // 60) & 0xFFFF) << 8 | counter

    def _lfu_value(self, word: int) -> int:
        """Redis's LFUDecrAndReturn on a slot word (0 = never set: a fresh object)."""
        if not word:
            return LFU_INIT_VAL
        decay = self._lfu[1] if self._lfu is not None else 1
        counter = word & 255
        if decay:
            now = (self.lru_clock // 60) & 0xFFFF
            ldt = (word >> 8) & 0xFFFF        # 24 bits like Redis's o->lru
            elapsed = now - ldt if now >= ldt else 65535 - ldt + now
            periods = elapsed // decay
            if periods:
                counter = 0 if periods > counter else counter - periods
        return counter

    def idle_seconds(self, key: bytes) -> int:
        """OBJECT IDLETIME: LRU clock now minus the key's last access (1 s resolution)."""
        t = self._lru[hash(key) & self._lru_mask] or self._lru_base
        return max(0, self.lru_clock - t)

    def lfu_count(self, key: bytes) -> int:
        """OBJECT FREQ: the key's decayed logarithmic access counter."""
        return self._lfu_value(self._lru[hash(key) & self._lru_mask])

    def set_idle(self, key: bytes, seconds: int):
        """RESTORE ... IDLETIME / loading an RDB LRU hint."""
        if len(self.data) > len(self._lru) >> 1:      # loaders write ``data`` directly
            self._grow()
        self._lru[hash(key) & self._lru_mask] = max(1, self.lru_clock - max(0, seconds))

    def set_freq(self, key: bytes, freq: int):
        """RESTORE ... FREQ / loading an RDB LFU hint."""
        if len(self.data) > len(self._lru) >> 1:
            self._grow()
        self._lru[hash(key) & self._lru_mask] = \
            ((self.lru_clock // 60) & 0xFFFF) << 8 | min(255, max(0, freq))

    def configure_lfu(self, lfu):
        """(log_factor, decay_minutes, rng) under an LFU maxmemory policy, else None."""
        self._lfu = lfu

    def tick(self, now_s: int):
        """Cron: advance the LRU clock (Redis's cron-cached LRU_CLOCK, 1 s resolution);
        size the access table for keys added without a write touch (loaders)."""
        self.lru_clock = now_s
        if len(self.data) > len(self._lru) >> 1:
            self._grow()

    def _grow(self):
        """Keep at least two slots per key.  Doubling keeps every slot's value:
        hash & (2n - 1) is slot i or i + n."""
        lru = self._lru
        while len(self.data) > len(lru) >> 1:
            lru = lru + lru
        self._lru = lru
        self._lru_mask = len(lru) - 1

    # ----------------------------------------------------------------- scanning
    def scan(self, cursor: int, count: int):
        """Redis's SCAN guarantee on a dict that cannot be iterated across writes: cursor 0
        takes a snapshot of the key list (C-speed copy), later cursors page through it,
        skipping keys deleted since.  A key present for the whole scan is returned.  A
        cursor whose snapshot is gone (evicted by newer scans, FLUSHDB, or never issued)
        restarts on a fresh snapshot: repeats are allowed by SCAN, misses are not.
        Returns (next_cursor, keys)."""
        snaps = self._scan_snaps
        snap_id, offset = cursor >> 32, cursor & 0xFFFFFFFF
        snap = snaps.pop(snap_id, None) if cursor else None
        if snap is None:
            self._scan_seq = self._scan_seq % 0x7FFFFFFF + 1
            snap_id = self._scan_seq
            snap = list(self.data)
            offset = 0
        end = offset + max(count, 1)
        data, out = self.data, []
        expires = self.expires
        for k in snap[offset:end]:
            if k in data:
                if expires and self.is_expired(k):
                    self._expire(k)
                else:
                    out.append(k)
        if end >= len(snap):
            return 0, out
        snaps[snap_id] = snap                    # re-inserted: most recently used last
        if len(snaps) > _SNAPSHOTS_KEPT:
            del snaps[next(iter(snaps))]
        return (snap_id << 32) | end, out

    def random_key(self, rng):
        """A uniformly random live key or None, O(1) amortised through a sampling pool
        that is rebuilt when it has gone stale.  Expired keys met on the way are deleted
        (as Redis's dbRandomKey does on a master)."""
        data = self.data
        for _ in range(100):
            if not data:
                return None
            pool = self._pool
            if not pool or self._pool_misses > len(pool) // 2 or len(pool) < len(data) // 2:
                pool = self._pool = list(data)
                self._pool_misses = 0
            key = pool[rng.randrange(len(pool))]
            if key in data:
                if self.expires and self.is_expired(key):
                    self._expire(key)
                    continue
                return key
            self._pool_misses += 1
        for key in list(data):                   # nearly everything is expired: walk once
            if key in data and not self.is_expired(key):
                return key
            self.peek(key)
        return None
