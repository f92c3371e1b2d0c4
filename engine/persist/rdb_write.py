"""RDB v10 writing: each value in the encoding Redis 7.0 writes for it, and the file
framing (header, aux fields, FUNCTION2, SELECTDB/RESIZEDB, expire and LRU/LFU hints,
EOF + CRC64).  The same value encoder makes DUMP payloads."""
from __future__ import annotations

import struct
import time

from engine.types.hash import Hash
from engine.types.list import List
from engine.types.set import Set
from engine.types.zset import ZSet

from . import rdbio
from .listpack import intset_encode, lp_build, lp_int, lp_str, str_int
from .rdbio import enc_len, enc_string

try:
    from engine.types.stream import Stream
except ImportError:                      # pragma: no cover - streams not built yet
    Stream = None

_pack_d = struct.Struct("<d").pack
_pack_q = struct.Struct("<q").pack
_OPTIMIZATION_LEVEL = (4096, 8192, 16384, 32768, 65536)
_SIZE_SAFETY_LIMIT = 8192
PACKED_THRESHOLD = 1 << 30                # quicklist: larger elements get a PLAIN node
_LL_HALF = 4611686018427387904.0         # double2ll's safe range: |d| <= LLONG_MAX/2


def score_str(d: float) -> bytes:
    """d2string as Redis 7.0 stores a zset score in a listpack."""
    if d != d:
        return b"nan"
    if d == _INF:
        return b"inf"
    if d == -_INF:
        return b"-inf"
    if -_LL_HALF <= d <= _LL_HALF and d == int(d):
        return b"%d" % int(d)
    return b"%.17g" % d


_INF = float("inf")


# ---------------------------------------------------------------- values
def encode_value(v, cfg, compress: bool = True) -> tuple[int, bytes]:
    """(RDB type byte, serialized value) as rdbSaveObjectType + rdbSaveObject write it."""
    cls = v.__class__
    if cls is bytes or cls is bytearray:
        return rdbio.TYPE_STRING, enc_string(v, compress)
    if cls is List:
        return rdbio.TYPE_LIST_QUICKLIST_2, _quicklist(v, cfg["list-max-listpack-size"],
                                                        compress)
    if cls is Hash:
        if v.lp:
            ents = []
            for f, x in v.items():
                ents.append(lp_str(f))
                ents.append(lp_str(x))
            return rdbio.TYPE_HASH_LISTPACK, enc_string(lp_build(ents), compress)
        parts = [enc_len(len(v))]
        for f, x in v.items():
            parts.append(enc_string(f, compress))
            parts.append(enc_string(x, compress))
        return rdbio.TYPE_HASH, b"".join(parts)
    if cls is Set:
        if v.intset:
            blob = intset_encode(sorted(int(m) for m in v))
            return rdbio.TYPE_SET_INTSET, enc_string(blob, compress)
        parts = [enc_len(len(v))]
        parts += [enc_string(m, compress) for m in v]
        return rdbio.TYPE_SET, b"".join(parts)
    if cls is ZSet:
        if not v.big:
            ents = []
            for s, m in v.order:
                ents.append(lp_str(m))
                ents.append(lp_str(score_str(s)))
            return rdbio.TYPE_ZSET_LISTPACK, enc_string(lp_build(ents), compress)
        parts = [enc_len(len(v))]
        for s, m in reversed(v.order):      # greatest first: loading inserts at the head
            parts.append(enc_string(m, compress))
            parts.append(_pack_d(s))
        return rdbio.TYPE_ZSET_2, b"".join(parts)
    if Stream is not None and cls is Stream:
        from .rdb_stream import encode_stream
        return rdbio.TYPE_STREAM_LISTPACKS_2, encode_stream(v, compress)
    raise TypeError(f"cannot serialize {cls.__name__}")


def _node_limit(fill: int):
    """(size limit or None, count limit) of a quicklist node for list-max-listpack-size."""
    if fill < 0:
        return _OPTIMIZATION_LEVEL[min(-fill, 5) - 1], None
    return None, fill


def _quicklist(lst, fill: int, compress: bool) -> bytes:
    """QUICKLIST_2: nodes filled as RPUSH fills them in Redis 7.0
    (_quicklistNodeAllowInsert), each a listpack, PLAIN nodes for huge elements."""
    size_limit, count_limit = _node_limit(fill)
    nodes = []                      # (container, blob)
    ents: list = []
    lp_bytes = 7
    for e in lst:
        sz = len(e)
        if sz >= PACKED_THRESHOLD:
            if ents:
                nodes.append((2, lp_build(ents)))
                ents, lp_bytes = [], 7
            nodes.append((1, bytes(e)))
            continue
        if ents:
            over = (1 if sz < 254 else 5) + (1 if sz < 64 else 2 if sz < 16384 else 5)
            new_sz = lp_bytes + sz + over
            if size_limit is not None:
                ok = new_sz <= size_limit
            else:
                ok = new_sz <= _SIZE_SAFETY_LIMIT and len(ents) < count_limit
            if not ok:
                nodes.append((2, lp_build(ents)))
                ents, lp_bytes = [], 7
        ent = lp_str(e)
        ents.append(ent)
        lp_bytes += len(ent)
    if ents:
        nodes.append((2, lp_build(ents)))
    parts = [enc_len(len(nodes))]
    for container, blob in nodes:
        parts.append(enc_len(container))
        parts.append(enc_string(blob, compress))
    return b"".join(parts)


def dump_payload(v, cfg) -> bytes:
    """DUMP: type byte + value + RDB version + CRC64."""
    t, body = encode_value(v, cfg, cfg["rdbcompression"])
    return rdbio.dump_footer(bytes((t,)) + body)


# ---------------------------------------------------------------- file framing
def aux(name: bytes, value) -> bytes:
    v = value if isinstance(value, bytes) else b"%d" % value
    return bytes((rdbio.OPCODE_AUX,)) + enc_string(name, False) + enc_string(v, False)


def file_header(used_mem: int, aof_base: bool = False, now: float | None = None) -> bytes:
    """REDIS0010 + the aux fields rdbSaveInfoAuxFields writes (no replication info: the
    instance is in no replication chain)."""
    now = time.time() if now is None else now
    from engine import REDIS_VERSION
    return (b"REDIS%04d" % rdbio.RDB_VERSION
            + aux(b"redis-ver", REDIS_VERSION.encode()) + aux(b"redis-bits", 64)
            + aux(b"ctime", int(now)) + aux(b"used-mem", used_mem)
            + aux(b"aof-base", int(aof_base)))


def functions_section(engine, compress: bool) -> bytes:
    f = engine.functions
    if f is None:
        return b""
    return b"".join(bytes((rdbio.OPCODE_FUNCTION2,)) + enc_string(lib.code, compress)
                    for lib in f.libraries.values())


def db_header(dbid: int, size: int, expires: int) -> bytes:
    return (bytes((rdbio.OPCODE_SELECTDB,)) + enc_len(dbid)
            + bytes((rdbio.OPCODE_RESIZEDB,)) + enc_len(size) + enc_len(expires))


_EXPIRE = bytes((rdbio.OPCODE_EXPIRETIME_MS,))
_IDLE = bytes((rdbio.OPCODE_IDLE,))
_FREQ = bytes((rdbio.OPCODE_FREQ,))


def key_record(key: bytes, v, when, cfg, compress: bool, hint: bytes = b"") -> bytes:
    """One key as rdbSaveKeyValuePair writes it; ``hint`` = an IDLE/FREQ opcode."""
    t, body = encode_value(v, cfg, compress)
    head = _EXPIRE + _pack_q(when) if when is not None else b""
    return head + hint + bytes((t,)) + enc_string(key, compress) + body


def access_hint(engine, db, key: bytes) -> bytes:
    """IDLE under an LRU maxmemory policy, FREQ under an LFU one, as Redis saves them."""
    policy = engine.config["maxmemory-policy"]
    if policy.endswith("-lru"):
        return _IDLE + enc_len(db.idle_seconds(key))
    if policy.endswith("-lfu"):
        return _FREQ + bytes((db.lfu_count(key),))
    return b""


def eof(crc_so_far: int, checksum: bool) -> bytes:
    """EOF opcode + the CRC64 of everything before it (0 with rdbchecksum no)."""
    tail = bytes((rdbio.OPCODE_EOF,))
    crc = rdbio.crc64(tail, crc_so_far) if checksum else 0
    return tail + struct.pack("<Q", crc)


def str_is_int(s) -> bool:
    return str_int(s) is not None


__all__ = ["encode_value", "dump_payload", "file_header", "functions_section", "db_header",
           "key_record", "access_hint", "eof", "score_str", "lp_int"]
