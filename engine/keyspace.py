"""One logical database: the key -> value dict, the expires dict, and an expiry heap.

Values are ``bytes``/``bytearray`` for strings (bytearray = a string that was modified in
place: APPEND, SETRANGE, SETBIT; Redis reports those as ``raw``) or an object of one of
the collection types.  Absolute expire times are integer milliseconds.
"""
from __future__ import annotations

import heapq
from typing import Callable

from .errors import WRONGTYPE

STRING_TYPES = (bytes, bytearray)


class Database:
    __slots__ = ("id", "data", "expires", "_heap", "_clock", "_on_expire",
                 "_scan_snaps", "_scan_seq", "_pool", "_pool_misses", "avg_ttl")

    def __init__(self, dbid: int, clock: Callable[[], int], on_expire: Callable):
        self.id = dbid
        self.data: dict = {}
        self.expires: dict = {}
        # (when_ms, key) min-heap; entries go stale when a key's TTL changes or it is
        # deleted; they are checked against ``expires`` when popped and compacted
        # when they outnumber the live TTLs by 2x.
        self._heap: list = []
        self._clock = clock
        self._on_expire = on_expire          # engine callback(db, key): propagate DEL, notify
        self._scan_snaps: dict = {}           # snapshot id -> list of keys (SCAN cursors)
        self._scan_seq = 0
        self._pool: list = []                 # random sampling pool (RANDOMKEY, eviction)
        self._pool_misses = 0
        self.avg_ttl = 0

    # ----------------------------------------------------------------- lookups
    def __len__(self):
        return len(self.data)

    def get(self, key: bytes):
        """The live value or None; an expired key is deleted on the way (lazy expiry)."""
        v = self.data.get(key)
        if v is not None and self.expires:
            when = self.expires.get(key)
            if when is not None and when <= self._clock():
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
        return self.get(key) is not None

    # ----------------------------------------------------------------- writes
    def set(self, key: bytes, value, keep_ttl: bool = False):
        self.data[key] = value
        if not keep_ttl and self.expires:
            self.expires.pop(key, None)

    def delete(self, key: bytes) -> bool:
        """Delete a live key; False when absent or already expired."""
        if self.get(key) is None:
            return False
        del self.data[key]
        if self.expires:
            self.expires.pop(key, None)
        return True

    def pop(self, key: bytes):
        """Remove and return (value, expire_ms or None) of a live key, or (None, None)."""
        v = self.get(key)
        if v is None:
            return None, None
        del self.data[key]
        return v, self.expires.pop(key, None)

    def clear(self) -> int:
        n = len(self.data)
        self.data = {}
        self.expires = {}
        self._heap = []
        self._scan_snaps.clear()
        self._pool = []
        return n

    # ----------------------------------------------------------------- expiry
    def set_expire(self, key: bytes, when_ms: int):
        self.expires[key] = when_ms
        heapq.heappush(self._heap, (when_ms, key))
        if len(self._heap) > 2 * len(self.expires) + 64:
            self._heap = [(w, k) for k, w in self.expires.items()]
            heapq.heapify(self._heap)

    def get_expire(self, key: bytes):
        """Absolute expire ms of a key or None (caller made sure the key is live)."""
        return self.expires.get(key) if self.expires else None

    def persist(self, key: bytes) -> bool:
        return self.expires.pop(key, None) is not None

    def is_expired(self, key: bytes) -> bool:
        when = self.expires.get(key)
        return when is not None and when <= self._clock()

    def _expire(self, key: bytes):
        del self.data[key]
        del self.expires[key]
        self._on_expire(self, key)

    def active_expire(self, now_ms: int, budget_keys: int) -> tuple[int, int]:
        """Delete up to ``budget_keys`` keys whose time has come, earliest first.
        Returns (expired, examined).  Stale heap entries cost one pop each."""
        heap, expires = self._heap, self.expires
        expired = examined = 0
        while heap and examined < budget_keys:
            when, key = heap[0]
            if when > now_ms:
                break
            heapq.heappop(heap)
            examined += 1
            if expires.get(key) == when:
                self._expire(key)
                expired += 1
        return expired, examined

    def next_expiry(self):
        """Earliest pending expire time (ms) or None; drops stale heap heads."""
        heap, expires = self._heap, self.expires
        while heap:
            when, key = heap[0]
            if expires.get(key) == when:
                return when
            heapq.heappop(heap)
        return None

    # ----------------------------------------------------------------- scanning
    def scan(self, cursor: int, count: int):
        """Redis's SCAN guarantee on a dict that cannot be iterated across writes: cursor 0
        takes a snapshot of the key list (C-speed copy), later cursors page through it,
        skipping keys deleted since.  A key present for the whole scan is returned.
        Returns (next_cursor, keys)."""
        snap_id, offset = cursor >> 32, cursor & 0xFFFFFFFF
        snap = self._scan_snaps.get(snap_id) if cursor else None
        if snap is None:
            self._scan_seq += 1
            snap_id = self._scan_seq
            snap = list(self.data)
            self._scan_snaps[snap_id] = snap
            if len(self._scan_snaps) > 16:     # keep the newest scans alive
                del self._scan_snaps[next(iter(self._scan_snaps))]
            if cursor == 0:
                offset = 0
        end = offset + max(count, 1)
        out = [k for k in snap[offset:end] if k in self.data and not self.is_expired(k)]
        if end >= len(snap):
            self._scan_snaps.pop(snap_id, None)
            return 0, out
        return (snap_id << 32) | end, out

    def random_key(self, rng):
        """A uniformly random live key or None, O(1) amortised through a sampling pool
        that is rebuilt when it has gone stale."""
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
                if self.is_expired(key):
                    self._expire(key)
                    continue
                return key
            self._pool_misses += 1
        return next(iter(data), None)
