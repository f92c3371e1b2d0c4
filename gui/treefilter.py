"""What the keyspace tree shows: a glob plus filters on a key's metadata (type, TTL range,
size), and the schedule that keeps time-dependent TTL filters exact.

A key's metadata is what ``InspectorSource.key_meta`` returns: (type, bytes or None,
absolute expire ms or None, length or None).  A TTL range filter is the only one whose
answer changes with no write: a key 90 s from expiry enters "expiring within 60 s" 30 s
later.  ``TimeSchedule`` holds, per key, the next moment its answer flips (in 100 ms
buckets, one entry per key: a rescheduled key leaves its old bucket), so the tree
re-checks exactly those keys when their time comes.
"""
from __future__ import annotations

import heapq
import re
from dataclasses import dataclass

TYPES = ("string", "hash", "list", "set", "zset", "stream")
# TreeFilter.ttl: ("any",), ("none",) no TTL, ("has",) any TTL, ("within", ms),
# ("between", lo_ms, hi_ms)
BUCKET_MS = 100

_UNITS = {"": 1, "b": 1, "k": 1024, "kb": 1024, "m": 1 << 20, "mb": 1 << 20,
          "g": 1 << 30, "gb": 1 << 30}
_TUNITS = {"": 1000, "ms": 1, "s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000}


def _number(text: str, units: dict, what: str) -> int:
    m = re.fullmatch(r"\s*([0-9]*\.?[0-9]+)\s*([a-zA-Z]*)\s*", text or "")
    if not m:
        raise ValueError(f"'{text.strip()}' is not a {what}" if text.strip()
                         else f"enter a {what}")
    unit = m.group(2).lower()
    if unit not in units:
        raise ValueError(f"unknown unit '{m.group(2)}' (use {', '.join(u for u in units if u)})")
    return int(round(float(m.group(1)) * units[unit]))


def parse_size(text: str) -> int:
    """A byte size typed by the user: 512, 4k, 1.5MB (1024-based)."""
    return _number(text, _UNITS, "size")


def parse_count(text: str) -> int:
    s = (text or "").strip()
    if not s.isdigit():
        raise ValueError(f"'{s}' is not a whole number" if s else "enter a number")
    return int(s)


def parse_ttl(text: str) -> int:
    """A duration in milliseconds: 30 (seconds), 500ms, 90s, 5m, 2h, 1d."""
    return _number(text, _TUNITS, "duration")


@dataclass(frozen=True)
class TreeFilter:
    pattern: bytes | None = None          # glob on the key name
    type: str | None = None               # one of TYPES, None = any
    ttl: tuple = ("any",)
    min_bytes: int | None = None
    min_length: int | None = None

    @property
    def on_meta(self) -> bool:
        """Any filter besides the glob (a key's change can flip it)."""
        return (self.type is not None or self.ttl[0] != "any" or
                self.min_bytes is not None or self.min_length is not None)

    @property
    def timed(self) -> bool:
        """Whether answers change with time alone."""
        return self.ttl[0] in ("within", "between")

    @property
    def needs_length(self) -> bool:
        return self.min_length is not None

    def match(self, meta, now_ms: int) -> bool:
        type_, nbytes, exp, length = meta
        if self.type is not None and type_ != self.type:
            return False
        if self.min_bytes is not None and (nbytes is None or nbytes < self.min_bytes):
            return False
        if self.min_length is not None and (length is None or length < self.min_length):
            return False
        mode = self.ttl[0]
        if mode == "any":
            return True
        if mode == "none":
            return exp is None
        if exp is None:
            return False
        if mode == "has":
            return True
        left = exp - now_ms
        if mode == "within":
            return left <= self.ttl[1]
        return self.ttl[1] <= left <= self.ttl[2]

    def flips_at(self, meta, now_ms: int) -> int | None:
        """When (absolute ms) a timed TTL filter's answer for this key next changes by
        time alone; None: never (until the key is written again)."""
        exp = meta[2]
        if exp is None or not self.timed:
            return None
        if self.ttl[0] == "within":
            at = exp - self.ttl[1]                 # enters then, stays until it expires
            return at if at > now_ms else None
        lo, hi = self.ttl[1], self.ttl[2]
        if exp - now_ms > hi:
            return exp - hi                        # enters
        if exp - now_ms >= lo:
            return exp - lo + 1                    # leaves once less than lo is left
        return None

    def describe(self) -> str:
        parts = []
        if self.pattern:
            parts.append(f"matching {self.pattern.decode('utf-8', 'replace')}")
        if self.type:
            parts.append(f"type {self.type}")
        mode = self.ttl[0]
        if mode == "none":
            parts.append("no TTL")
        elif mode == "has":
            parts.append("with a TTL")
        elif mode == "within":
            parts.append(f"expiring within {_dur(self.ttl[1])}")
        elif mode == "between":
            parts.append(f"TTL {_dur(self.ttl[1])}..{_dur(self.ttl[2])}")
        if self.min_bytes is not None:
            parts.append(f"memory >= {self.min_bytes:,} B")
        if self.min_length is not None:
            parts.append(f"length >= {self.min_length:,}")
        return ", ".join(parts)


def _dur(ms: int) -> str:
    for unit, n in (("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1000)):
        if ms >= n and ms % n == 0:
            return f"{ms // n}{unit}"
    return f"{ms / 1000:g}s" if ms >= 1000 else f"{ms}ms"


class TimeSchedule:
    """Keys to re-check at a given time, in BUCKET_MS buckets; one entry per key."""

    def __init__(self):
        self._heap: list[int] = []               # bucket numbers
        self._buckets: dict[int, set] = {}
        self._at: dict[bytes, int] = {}          # key -> its bucket

    def __len__(self):
        return len(self._at)

    def put(self, key: bytes, at_ms: int | None):
        old = self._at.get(key)
        b = None if at_ms is None else -(-at_ms // BUCKET_MS)     # round up: never early
        if old == b:
            return
        if old is not None:
            s = self._buckets.get(old)
            if s is not None:
                s.discard(key)
            del self._at[key]
        if b is None:
            return
        s = self._buckets.get(b)
        if s is None:
            s = self._buckets[b] = set()
            heapq.heappush(self._heap, b)
        s.add(key)
        self._at[key] = b

    def due(self, now_ms: int) -> list:
        """Keys whose time has come (removed from the schedule)."""
        out = []
        heap, buckets, at = self._heap, self._buckets, self._at
        while heap and heap[0] * BUCKET_MS <= now_ms:
            b = heapq.heappop(heap)
            for key in buckets.pop(b, ()):
                del at[key]
                out.append(key)
        return out

    def next_ms(self) -> int | None:
        while self._heap and not self._buckets.get(self._heap[0]):
            self._buckets.pop(heapq.heappop(self._heap), None)
        return self._heap[0] * BUCKET_MS if self._heap else None

    def clear(self):
        self._heap, self._buckets, self._at = [], {}, {}
