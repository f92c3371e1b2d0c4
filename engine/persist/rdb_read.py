"""RDB reading: every value type Redis 7.0 loads (the encodings it writes and the older
ones it still converts: ziplist, zipmap, quicklist v1, plain LIST/SET/ZSET/HASH), whole
files, and DUMP payloads.  Values are built through the types' own constructors so that
OBJECT ENCODING reports what Redis reports after loading."""
from __future__ import annotations

import struct

from engine.types.hash import Hash
from engine.types.list import List
from engine.types.set import Set
from engine.types.zset import ZSet

from . import rdbio
from .listpack import intset_decode, lp_decode, ziplist_decode, zipmap_decode
from .rdbio import RdbError, Reader

_unpack_d = struct.Struct("<d").unpack
_unpack_q = struct.Struct("<q").unpack
_unpack_i = struct.Struct("<i").unpack


class EmptyKey(RdbError):
    """A value with no elements: Redis skips such keys when loading a file."""


def _score(b: bytes) -> float:
    """zzlStrtod: a listpack/ziplist score string."""
    try:
        return float(b)
    except ValueError:
        raise RdbError(f"bad zset score {b[:40]!r}") from None


def _pairs(items: list) -> list:
    if len(items) % 2:
        raise RdbError("odd number of elements in a pair encoding")
    return list(zip(items[0::2], items[1::2]))


def _hash(pairs: list, cfg) -> Hash:
    if not pairs:
        raise EmptyKey("empty hash")
    h = Hash.from_pairs(pairs, cfg)
    if len(h) != len(pairs):
        raise RdbError("duplicate hash fields")
    return h


def _set(members: list, cfg) -> Set:
    if not members:
        raise EmptyKey("empty set")
    s = Set.build(members, cfg)
    if len(s) != len(members):
        raise RdbError("duplicate set members")
    return s


def _zset(pairs: list, cfg, listpack: bool = False) -> ZSet:
    """pairs of (member, score)."""
    if not pairs:
        raise EmptyKey("empty zset")
    scores = {}
    for m, s in pairs:
        if s != s:
            raise RdbError("zset score is NaN")
        scores[m] = s
    if len(scores) != len(pairs):
        raise RdbError("duplicate zset members")
    if listpack:        # a listpack is kept unless it has too many entries (rdbLoadObject)
        big = len(scores) > cfg["zset-max-listpack-entries"]
        z = ZSet.from_scores(scores, cfg)
        if z.big != big:
            z = ZSet(big)
            for m, s in pairs:
                z.insert(m, s)
        return z
    return ZSet.from_scores(scores, cfg)


def _old_score(r: Reader) -> float:
    """RDB_TYPE_ZSET's string score: 253 nan, 254 +inf, 255 -inf, else length + text."""
    n = r.byte()
    if n == 253:
        return float("nan")
    if n == 254:
        return float("inf")
    if n == 255:
        return float("-inf")
    return _score(r.read(n))


def read_value(r: Reader, t: int, cfg):
    """One value of RDB type ``t`` (rdbLoadObject)."""
    if t == rdbio.TYPE_STRING:
        return r.string()
    if t == rdbio.TYPE_LIST_QUICKLIST_2 or t == rdbio.TYPE_LIST_QUICKLIST:
        n = r.plain_length()
        out = List()
        for _ in range(n):
            if t == rdbio.TYPE_LIST_QUICKLIST_2:
                container = r.plain_length()
                if container == 1:                       # PLAIN: one raw element
                    out.append(r.string())
                    continue
                if container != 2:
                    raise RdbError(f"quicklist: unknown container {container}")
                items = lp_decode(r.string())
            else:
                items = ziplist_decode(r.string())
            if not items:
                continue                                 # Redis skips empty nodes
            out.extend(items)
        if not out:
            raise EmptyKey("empty list")
        return out
    if t == rdbio.TYPE_LIST:
        n = r.plain_length()
        out = List(r.string() for _ in range(n))
        if not out:
            raise EmptyKey("empty list")
        return out
    if t == rdbio.TYPE_LIST_ZIPLIST:
        out = List(ziplist_decode(r.string()))
        if not out:
            raise EmptyKey("empty list")
        return out
    if t == rdbio.TYPE_SET:
        n = r.plain_length()
        return _set([r.string() for _ in range(n)], cfg)
    if t == rdbio.TYPE_SET_INTSET:
        return _set(intset_decode(r.string()), cfg)
    if t == rdbio.TYPE_HASH:
        n = r.plain_length()
        return _hash([(r.string(), r.string()) for _ in range(n)], cfg)
    if t == rdbio.TYPE_HASH_LISTPACK:
        return _hash(_pairs(lp_decode(r.string())), cfg)
    if t == rdbio.TYPE_HASH_ZIPLIST:
        return _hash(_pairs(ziplist_decode(r.string())), cfg)
    if t == rdbio.TYPE_HASH_ZIPMAP:
        return _hash(_pairs(zipmap_decode(r.string())), cfg)
    if t == rdbio.TYPE_ZSET_2:
        n = r.plain_length()
        return _zset([(r.string(), _unpack_d(r.read(8))[0]) for _ in range(n)], cfg)
    if t == rdbio.TYPE_ZSET:
        n = r.plain_length()
        return _zset([(r.string(), _old_score(r)) for _ in range(n)], cfg)
    if t == rdbio.TYPE_ZSET_LISTPACK or t == rdbio.TYPE_ZSET_ZIPLIST:
        dec = lp_decode if t == rdbio.TYPE_ZSET_LISTPACK else ziplist_decode
        pairs = [(m, _score(s)) for m, s in _pairs(dec(r.string()))]
        return _zset(pairs, cfg, listpack=True)
    if t == rdbio.TYPE_STREAM_LISTPACKS or t == rdbio.TYPE_STREAM_LISTPACKS_2:
        from .rdb_stream import decode_stream
        return decode_stream(r, t, cfg)
    if t == rdbio.TYPE_MODULE_2 or t == 6:
        raise RdbError("The RDB file contains module data I can't load: no matching module")
    raise RdbError(f"unknown RDB value type {t}")


# ---------------------------------------------------------------- DUMP payloads
def load_payload(payload: bytes, cfg):
    """RESTORE's payload -> value; RdbError when it does not parse completely."""
    if rdbio.check_dump_footer(payload) is None:
        return None
    r = Reader(bytes(payload))        # as Redis's rio: the footer is readable too
    try:
        t = r.byte()
        return read_value(r, t, cfg)
    except (IndexError, ValueError, TypeError, KeyError, OverflowError,
            struct.error) as e:
        raise RdbError(f"corrupt value ({type(e).__name__})") from None


# ---------------------------------------------------------------- files
class LoadResult:
    __slots__ = ("keys_loaded", "keys_expired", "aux", "functions", "end")

    def __init__(self):
        self.keys_loaded = 0
        self.keys_expired = 0
        self.aux: dict = {}
        self.functions = 0
        self.end = 0                # offset after the image (an AOF tail may follow)


def load_rdb(data: bytes, engine, now_ms: int, checksum: bool = True,
             skip_expired: bool = True) -> LoadResult:
    """Load a whole RDB image into ``engine``'s (empty) databases.  Raises RdbError
    naming the offset on anything malformed; the engine's databases may then hold a
    partial load (the caller refuses to start, as Redis does)."""
    if len(data) < 9 or data[:5] != b"REDIS":
        raise RdbError("Wrong signature trying to load DB from file")
    try:
        ver = int(data[5:9])
    except ValueError:
        raise RdbError("Wrong signature trying to load DB from file") from None
    if ver < 1 or ver > rdbio.RDB_VERSION:
        raise RdbError(f"Can't handle RDB format version {ver}")
    cfg = engine.config
    res = LoadResult()
    r = Reader(data, 9)
    dbs = engine.dbs
    db = dbs[0]
    when = None
    idle = freq = None
    read_value_ = read_value
    string = r.string
    byte = r.byte
    data_len = len(data)
    while True:
        start = pos = r.pos
        # fast path: a string key and value with short raw lengths (most records)
        if pos + 2 < data_len and data[pos] == 0 and data[pos + 1] < 64:
            kend = pos + 2 + data[pos + 1]
            if kend < data_len and data[kend] < 64:
                vend = kend + 1 + data[kend]
                if vend <= data_len:
                    key = data[pos + 2:kend]
                    v = data[kend + 1:vend]
                    r.pos = vend
                    if when is None:
                        if db.data.setdefault(key, v) is not v:
                            raise RdbError(f"Duplicate key '{key[:64].decode('utf-8', 'replace')}'"
                                           f" found in RDB file (record at offset {start})")
                        if idle is not None:
                            db.set_idle(key, idle)
                        elif freq is not None:
                            db.set_freq(key, freq)
                        res.keys_loaded += 1
                        idle = freq = None
                        continue
                    r.pos = pos             # with an expire: the general path below
        try:
            t = byte()
            if t == rdbio.OPCODE_EXPIRETIME_MS:
                when = _unpack_q(r.read(8))[0]
                continue
            if t == rdbio.OPCODE_EXPIRETIME:
                when = _unpack_i(r.read(4))[0] * 1000
                continue
            if t == rdbio.OPCODE_IDLE:
                idle = r.plain_length()
                continue
            if t == rdbio.OPCODE_FREQ:
                freq = byte()
                continue
            if t == rdbio.OPCODE_SELECTDB:
                n = r.plain_length()
                if n >= len(dbs):
                    raise RdbError(f"FATAL: Data file was created with a Redis server "
                                   f"configured to handle more than {len(dbs)} databases. "
                                   f"Exiting")
                db = dbs[n]
                continue
            if t == rdbio.OPCODE_RESIZEDB:
                r.plain_length()
                r.plain_length()
                continue
            if t == rdbio.OPCODE_AUX:
                k = string()
                res.aux[k] = string()
                continue
            if t == rdbio.OPCODE_MODULE_AUX:
                raise RdbError("The RDB file contains AUX module data I can't load: no "
                               "matching module")
            if t == rdbio.OPCODE_FUNCTION2:
                code = string()
                _load_function(engine, code)
                res.functions += 1
                continue
            if t == 246:
                raise RdbError("Pre-release function format not supported.")
            if t == rdbio.OPCODE_EOF:
                break
            key = string()
            try:
                v = read_value_(r, t, cfg)
            except EmptyKey:
                when = idle = freq = None
                continue
        except RdbError as e:
            if not str(e).startswith(("Wrong", "FATAL", "Can't", "The RDB", "Pre-release")) \
                    and "offset" not in str(e):
                raise RdbError(f"{e} (record at offset {start})") from None
            raise
        except (IndexError, ValueError, TypeError, KeyError, OverflowError,
                struct.error) as e:          # damage the checks above did not name
            raise RdbError(f"corrupt value ({type(e).__name__}) in the record at offset "
                           f"{start}") from None
        if when is not None and skip_expired and when < now_ms:
            res.keys_expired += 1
        else:
            if key in db.data:
                raise RdbError(f"Duplicate key '{key[:64].decode('utf-8', 'replace')}' "
                               f"found in RDB file (record at offset {start})")
            db.put(key, v)                   # accounted (engine.memory)
            if when is not None:
                db.set_expire(key, when)
            if idle is not None:
                db.set_idle(key, idle)
            elif freq is not None:
                db.set_freq(key, freq)
            res.keys_loaded += 1
        when = idle = freq = None
    if ver >= 5:
        end = r.pos
        stored = r.read(8) if end + 8 <= len(data) else None
        if stored is None:
            raise RdbError(f"unexpected end of data at offset {end} (wanted the 8-byte "
                           f"checksum)")
        crc = struct.unpack("<Q", stored)[0]
        if checksum and crc:
            expected = rdbio.crc64(memoryview(data)[:end])
            if expected != crc:
                raise RdbError(f"Wrong RDB checksum expected: ({expected:x}) got ({crc:x}). "
                               f"Aborting now.")
    res.end = r.pos
    return res


def _load_function(engine, code: bytes):
    from engine.cmds.functions import functions
    from engine.errors import RedisError
    try:
        functions(engine).load(code)
    except RedisError as e:
        raise RdbError(f"Failed loading library: {e}") from None
