"""The AOF base in command form (``aof-use-rdb-preamble no``), as Redis 7.0's
rewriteAppendOnlyFileRio writes it: FUNCTION LOAD per library, SELECT per non-empty
database, then per key SET / RPUSH / SADD / ZADD / HMSET (at most 64 items a command) or
the XADD / XSETID / XGROUP / XCLAIM sequence of a stream, and PEXPIREAT for a TTL.

It runs in the same slices, with the same pre-write guard, as the RDB snapshot: only the
framing and the per-key record differ."""
from __future__ import annotations

import time

from engine.types.hash import Hash
from engine.types.list import List
from engine.types.set import Set
from engine.types.zset import ZSet

from .snapshot import Snapshot

try:
    from engine.types.stream import M64, Stream
except ImportError:                      # pragma: no cover
    Stream = None
    M64 = (1 << 64) - 1

ITEMS_PER_CMD = 64                       # AOF_REWRITE_ITEMS_PER_CMD


def bulk(b: bytes) -> bytes:
    return b"$%d\r\n%s\r\n" % (len(b), b)


def command(*argv: bytes) -> bytes:
    """One command in RESP multibulk form (catAppendOnlyGenericCommand)."""
    return b"*%d\r\n" % len(argv) + b"".join(b"$%d\r\n%s\r\n" % (len(a), a) for a in argv)


def _batched(out: list, name: bytes, key: bytes, items: list, width: int):
    """Variadic commands of at most 64 items (``width`` arguments per item)."""
    head = bulk(name) + bulk(key)
    n = len(items) // width
    for i in range(0, n, ITEMS_PER_CMD):
        chunk = items[i * width:(i + ITEMS_PER_CMD) * width]
        out.append(b"*%d\r\n" % (2 + len(chunk)))
        out.append(head)
        out.append(b"".join([b"$%d\r\n%s\r\n" % (len(x), x) for x in chunk]))


def _id(i: int) -> bytes:
    return b"%d-%d" % (i >> 64, i & M64)


def value_commands(key: bytes, v, when) -> bytes:
    """The commands that rebuild one key (and its TTL)."""
    cls = v.__class__
    out: list = []
    if cls is bytes or cls is bytearray:
        out.append(b"*3\r\n$3\r\nSET\r\n" + bulk(key) + bulk(bytes(v)))
    elif cls is List:
        _batched(out, b"RPUSH", key, list(v), 1)
    elif cls is Set:
        _batched(out, b"SADD", key, list(v), 1)
    elif cls is ZSet:
        items = []
        for s, m in v.order:
            items.append(b"%.17g" % s)
            items.append(m)
        _batched(out, b"ZADD", key, items, 2)
    elif cls is Hash:
        items = []
        for f, x in v.items():
            items.append(f)
            items.append(x)
        _batched(out, b"HMSET", key, items, 2)
    elif Stream is not None and cls is Stream:
        _stream(out, key, v)
    else:
        raise TypeError(f"cannot rewrite {cls.__name__}")
    if when is not None:
        out.append(b"*3\r\n$9\r\nPEXPIREAT\r\n" + bulk(key) + bulk(b"%d" % when))
    return b"".join(out)


def _stream(out: list, key: bytes, s):
    """rewriteStreamObject."""
    if s.length:
        for i, fv in s.iter_from(0):
            out.append(command(b"XADD", key, _id(i), *fv))
    else:                                # XADD MAXLEN 0 makes an empty stream
        out.append(command(b"XADD", key, b"MAXLEN", b"0", b"0-1", b"x", b"y"))
    out.append(command(b"XSETID", key, _id(s.last_id), b"ENTRIESADDED",
                       b"%d" % s.entries_added, b"MAXDELETEDID", _id(s.max_deleted)))
    for g in s.sorted_groups():
        out.append(command(b"XGROUP", b"CREATE", key, g.name, _id(g.last_id),
                           b"ENTRIESREAD", b"%d" % g.entries_read))
        for cons in g.sorted_consumers():
            if not cons.pel:
                out.append(command(b"XGROUP", b"CREATECONSUMER", key, g.name, cons.name))
                continue
            for i in cons.pel.ids_from():
                nack = cons.pel[i]
                out.append(command(b"XCLAIM", key, g.name, cons.name, b"0", _id(i),
                                   b"TIME", b"%d" % nack.time, b"RETRYCOUNT",
                                   b"%d" % nack.count, b"JUSTID", b"FORCE"))


class AofSnapshot(Snapshot):
    """A Snapshot that writes the command form instead of RDB records."""

    def __init__(self, engine, path: str, tmp: str, aof_base: bool = True):
        super().__init__(engine, path, tmp, aof_base)
        self.checksum = False
        self.crc = 0
        self.hints = True          # no inlined RDB string path in the slices

    def _header(self, aof_base: bool) -> bytes:
        out = []
        if self.engine.config["aof-timestamp-enabled"]:
            out.append(b"#TS:%d\r\n" % int(time.time()))
        f = self.engine.functions
        if f is not None:
            for lib in f.libraries.values():
                out.append(b"*3\r\n$8\r\nFUNCTION\r\n$4\r\nLOAD\r\n" + bulk(lib.code))
        return b"".join(out)

    def _db_header(self, ci: int, size: int, expires: int) -> bytes:
        return b"*2\r\n$6\r\nSELECT\r\n" + bulk(b"%d" % ci)

    def _tail(self) -> bytes:
        return b""

    def _record(self, ci: int, key: bytes, v) -> bytes:
        return value_commands(key, v, self.copies[ci][1].get(key))
