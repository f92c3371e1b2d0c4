"""What the server knows about its own speed: SLOWLOG, the latency monitor, per-command
latency histograms (INFO latencystats, LATENCY HISTOGRAM) and MONITOR feeds."""
from __future__ import annotations

import time
from collections import deque

from .replies import Status

SLOWLOG_MAX_ARGC = 32
SLOWLOG_MAX_STRING = 128
LATENCY_HISTORY = 160


class SlowLog:
    def __init__(self):
        self.entries: deque = deque()
        self.next_id = 0

    def add(self, c, argv, duration_us: int, max_len: int):
        args = []
        for i, a in enumerate(argv):
            if i == SLOWLOG_MAX_ARGC - 1 and len(argv) > SLOWLOG_MAX_ARGC:
                args.append(b"... (%d more arguments)" % (len(argv) - SLOWLOG_MAX_ARGC + 1))
                break
            if len(a) > SLOWLOG_MAX_STRING:
                a = a[:SLOWLOG_MAX_STRING] + b"... (%d more bytes)" % (len(a) - SLOWLOG_MAX_STRING)
            args.append(bytes(a))
        self.entries.appendleft([self.next_id, int(time.time()), duration_us, args,
                                 c.addr.encode(), bytes(c.name)])
        self.next_id += 1
        while len(self.entries) > max_len:
            self.entries.pop()


class LatencyMonitor:
    """Events (command, fast-command, expire-cycle, ...) whose duration passed
    latency-monitor-threshold: a per-second history of the worst sample, and all-time max."""

    def __init__(self):
        self.events: dict[str, dict] = {}

    def add(self, event: str, ms: int):
        now = int(time.time())
        ev = self.events.get(event)
        if ev is None:
            ev = self.events[event] = {"history": deque(maxlen=LATENCY_HISTORY), "max": 0}
        hist = ev["history"]
        if hist and hist[-1][0] == now:
            if ms > hist[-1][1]:
                hist[-1] = (now, ms)
        else:
            hist.append((now, ms))
        ev["max"] = max(ev["max"], ms)

    def reset(self, names=None) -> int:
        if not names:
            n = len(self.events)
            self.events.clear()
            return n
        n = 0
        for name in names:
            if self.events.pop(name, None) is not None:
                n += 1
        return n


class Histogram:
    """Power-of-two microsecond buckets: bucket i counts durations in [2^(i-1), 2^i)."""
    __slots__ = ("buckets", "count")

    def __init__(self):
        self.buckets = [0] * 40
        self.count = 0

    def add(self, us: int):
        self.buckets[us.bit_length()] += 1
        self.count += 1

    def percentile(self, p: float) -> float:
        target = self.count * p / 100.0
        seen = 0
        for i, n in enumerate(self.buckets):
            seen += n
            if n and seen >= target:
                return float(1 << i) if i else 1.0
        return 0.0

    def cumulative(self) -> dict:
        out, seen = {}, 0
        for i, n in enumerate(self.buckets):
            if n:
                seen += n
                out[1 << i if i else 1] = seen
        return out


_REPR = {0x5C: b"\\\\", 0x22: b'\\"', 0x0A: b"\\n", 0x0D: b"\\r", 0x09: b"\\t",
         0x07: b"\\a", 0x08: b"\\b"}


def quote(arg: bytes) -> bytes:
    """sdscatrepr: a quoted, escaped argument as MONITOR prints it."""
    out = bytearray(b'"')
    for ch in arg:
        esc = _REPR.get(ch)
        if esc is not None:
            out += esc
        elif 32 <= ch < 127:
            out.append(ch)
        else:
            out += b"\\x%02x" % ch
    out += b'"'
    return bytes(out)


def monitor_line(c, argv, dbid: int) -> Status:
    now = time.time()
    origin = b"lua" if c.is_script else c.addr.encode()
    if argv and argv[0].lower() == b"auth":
        argv = [argv[0], b"(redacted)"] if len(argv) == 2 else [argv[0], b"(redacted)",
                                                                 b"(redacted)"]
    return Status(b"%d.%06d [%d %s] %s" % (int(now), int(now * 1_000_000) % 1_000_000, dbid,
                                           origin, b" ".join(quote(a) for a in argv)))
