"""Memory accounting: what redis-server 7.0 (jemalloc 5, x86-64) would allocate for our
data, kept incrementally.

Every database keeps ``mem``, the sum over its keys of a modelled *entry cost*: the
dict entry, the key's sds, the value object and everything the value owns, by
encoding.  The total moves only by deltas applied at the points where a value is
stored, replaced or removed (``Database.set/put/delete/pop/_expire/clear``) and where
a command finished writing a key (``Client.written`` -> ``refresh``), so it can never
drift from the sum of what is charged:

* a string's cost is a pure function of (key, value), recomputed from the old value
  when it is replaced;
* a container (Hash, Set, List, ZSet, Stream) carries its last charged cost in its
  ``mem`` slot; ``refresh`` models it again after each write and applies
  ``new - mem``.  The model is O(1): element count times an average element size
  sampled on a few elements and cached in ``msamp`` (resampled when the count doubles
  or halves, and on every 64th refresh anyway);
* a ``bytearray`` (a string edited in place: APPEND, SETRANGE, SETBIT, HLLs) can change
  size without being stored again, so its charged length is remembered in the
  database's small ``rawlen`` dict (these are few: bitmaps, HLLs, appended logs).

What is not per key (dict bucket arrays, expire entries, clients, the startup
baseline) is computed from counts when asked (``used_memory``): O(databases).

``usage`` answers MEMORY USAGE with the same primitives, following Redis's
objectComputeSize (sampling ``samples`` elements of a container, 0 = all).
"""
from __future__ import annotations

from itertools import islice

# ---------------------------------------------------------------- jemalloc size classes


def jemalloc(n: int) -> int:
    """The jemalloc 5 size class of an n-byte request (16-byte quantum, 4 classes per
    doubling above 128: 160, 192, 224, 256, 320, ...)."""
    if n <= 8:
        return 8
    if n <= 128:
        return (n + 15) & ~15
    step = 1 << ((n - 1).bit_length() - 3)
    return (n + step - 1) & ~(step - 1)


def sds_hdr(n: int) -> int:
    """sdsReqType's header size for an n-byte string (sdsnewlen: type 5 below 32)."""
    if n < 32:
        return 1
    if n < 256:
        return 3
    if n < 65536:
        return 5
    if n < 1 << 32:
        return 9
    return 17


def sds_size(n: int) -> int:
    """sdsZmallocSize of an exact-fit sds of n bytes (header + data + NUL)."""
    return jemalloc(sds_hdr(n) + n + 1)


_TAB = 4096
_J = [jemalloc(i) for i in range(_TAB + 64)]
_SDS = [sds_size(i) for i in range(_TAB)]
_EMB = [jemalloc(16 + 3 + i + 1) for i in range(45)]   # embstr: robj + sdshdr8 + data + NUL
_RAWV = [16 + s for s in _SDS]                           # raw: robj + sds

DICT_ENTRY = 24          # sizeof(dictEntry)
DICT_ENTRY_ALLOC = 32    # jemalloc(24)
ROBJ = 16                # sizeof(robj)
DICT = 56                # sizeof(dict) (7.0)
DICT_ALLOC = 64
QUICKLIST = 40           # sizeof(quicklist)
QL_NODE = 40             # sizeof(quicklistNode)
QL_NODE_ALLOC = 48
ZSET = 16                # sizeof(zset): dict* + zskiplist*
ZSKIPLIST = 32           # sizeof(zskiplist)
ZSL_HEADER = jemalloc(24 + 32 * 16)        # the 32-level header node
# E[jemalloc(24 + 16 * level)] for zslRandomLevel's p = 1/4 (capped at 32 levels)
ZSL_NODE_AVG = sum(0.75 * 0.25 ** (lv - 1) * jemalloc(24 + 16 * lv) for lv in range(1, 32))
STREAM = 80              # sizeof(stream)
LP_EMPTY = 7             # listpack header (6) + end byte
QL_NODE_MAX = 8192       # list-max-listpack-size -2: 8 kB listpacks
STREAM_PREALLOC = 4096   # STREAM_LISTPACK_MAX_PRE_ALLOCATE

STARTUP = 876_000        # used_memory_startup of redis-server 7.0.15 (16 databases)
CLIENT_BASE = 24_000     # a connected client: struct, reply buffer, query buffer


def key_cost(key: bytes) -> int:
    """dict entry + key sds of one key (used_memory)."""
    n = len(key)
    return DICT_ENTRY_ALLOC + (_SDS[n] if n < _TAB else sds_size(n))


def dict_slots(n: int) -> int:
    """Bucket count of a Redis dict holding n entries (_dictExpandIfNeeded: next power
    of two, at least 4); 0 for an empty dict (no table allocated)."""
    if not n:
        return 0
    return max(4, 1 << (n - 1).bit_length())


def buckets(n: int) -> int:
    """Allocated bytes of the bucket array of a dict holding n entries."""
    s = dict_slots(n)
    return jemalloc(8 * s) if s else 0


# ---------------------------------------------------------------- integers (string2ll)
_LLMAX = (1 << 63) - 1


def is_int(v) -> bool:
    """string2ll's accepted texts (what Redis stores as an int / listpack integer):
    optional '-', no leading zeros, at most 20 chars, within 64 bits."""
    n = len(v)
    if n > 20 or not n:
        return False
    if v.isdigit():
        if v[0] == 48:
            return n == 1
        return n < 19 or int(v) <= _LLMAX
    if v[0] == 45 and n > 1 and v[1] != 48 and v[1:].isdigit():
        return n < 20 or int(v) <= _LLMAX + 1
    return False


def lp_int(x: int) -> int:
    """Bytes of an integer listpack entry (encoding + backlen)."""
    if 0 <= x <= 127:
        return 2
    if -4096 <= x <= 4095:
        return 3
    if -32768 <= x <= 32767:
        return 4
    if -8388608 <= x <= 8388607:
        return 5
    if -2147483648 <= x <= 2147483647:
        return 6
    return 10


def _backlen(n: int) -> int:
    if n <= 127:
        return 1
    if n < 16383:
        return 2
    if n < 2097151:
        return 3
    if n < 268435455:
        return 4
    return 5


def lp_entry(b) -> int:
    """Bytes of one listpack entry holding the string b (integers are stored as such)."""
    n = len(b)
    if n <= 20 and is_int(b):
        return lp_int(int(b))
    if n < 64:
        return n + 2
    if n < 4096:
        return n + 2 + _backlen(n + 2)
    return n + 5 + _backlen(n + 5)


def lp_score(s: float) -> int:
    """Bytes of a sorted-set score in a listpack: d2string's text, an integer when the
    score is integral within +-2^52."""
    if s == 0:
        return 2 if str(s)[0] != "-" else 4          # "0" integer, "-0" a 2-char string
    if -4503599627370495 < s < 4503599627370496 and s == int(s):
        return lp_int(int(s))
    if s != s - 1:                                      # finite
        return len(b"%.17g" % s) + 2
    return 5 if s > 0 else 6                            # "inf" / "-inf"


def _sds(n: int) -> int:
    return _SDS[n] if n < _TAB else sds_size(n)


# ---------------------------------------------------------------- strings
def str_value(v) -> int:
    """Allocation of a ``bytes`` value object (used_memory): 0 for Redis's shared
    integers 0..9999, 16 for an int-encoded one, embstr up to 44 bytes, robj + sds
    beyond.  (SET overwriting a string charges the difference of two of these: the
    key's part is the same.)"""
    n = len(v)
    if n > 44:
        return _RAWV[n] if n < _TAB else ROBJ + sds_size(n)
    if n <= 20 and n and (v.isdigit() or v[0] == 45) and is_int(v):
        return 0 if n <= 4 and v[0] != 45 else ROBJ
    return _EMB[n]


def str_cost(key: bytes, v) -> int:
    """Entry cost of a string key (the hot path: table lookups only for short keys)."""
    n = len(key)
    k = DICT_ENTRY_ALLOC + (_SDS[n] if n < _TAB else sds_size(n))
    n = len(v)
    if v.__class__ is bytes:
        if n > 20:
            return k + (_EMB[n] if n <= 44 else ROBJ + (_SDS[n] if n < _TAB else sds_size(n)))
        if is_int(v):
            return k if n <= 4 and v[0] != 45 else k + ROBJ
        return k + _EMB[n]
    return k + ROBJ + (_SDS[n] if n < _TAB else sds_size(n))


def raw_cost(key: bytes, n: int) -> int:
    """Entry cost of a bytearray string whose sds has room for n bytes."""
    return key_cost(key) + ROBJ + _sds(n)


def greedy(n: int) -> int:
    """sdsMakeRoomFor's greedy growth: room for twice the new length (+1 MB past 1 MB),
    rounded up to what the allocation can hold.  APPEND, SETRANGE and SETBIT grow
    their strings this way."""
    room = 2 * n if n < 1 << 20 else n + (1 << 20)
    hdr = sds_hdr(room)
    return jemalloc(hdr + room + 1) - hdr - 1


HLL_DENSE = 12304        # a dense HLL is allocated exactly (hllSparseToDense)
HLL_SPARSE_NEW = 20      # a new sparse HLL: header + two XZERO opcodes


def _grown_alloc(v, n: int) -> int:
    if v[:4] == b"HYLL":
        if n == HLL_DENSE:
            return n
        # hllSparseSet doubles the room, from the 20 bytes of a new sparse HLL
        room = HLL_SPARSE_NEW
        while room < n:
            room *= 2
        return room
    return greedy(n)


# ---------------------------------------------------------------- containers
# A container's model is (cost, slope): its entry cost now and the bytes an element
# adds, from a sample of up to _SAMPLE elements.  ``msamp`` keeps (count, cost, slope)
# of the last full model; a write that changes the count by less than half extrapolates
# along the slope (O(1), a few operations), and every _EVERY-th refresh -- or when the
# count has doubled or halved -- models it fully again (O(_SAMPLE)).
_SAMPLE = 8
_EVERY_MASK = 63         # a full model every 64th refresh
_tick = [0]


def _avg(values) -> float:
    return sum(values) / len(values) if values else 0.0


def _model_hash(key, h):
    n = len(h)
    items = list(islice(h.items(), _SAMPLE))
    base = key_cost(key) + ROBJ
    if h.lp:
        avg = _avg([lp_entry(f) + lp_entry(v) for f, v in items])
        return base + jemalloc(LP_EMPTY + int(n * avg)), avg
    avg = _avg([DICT_ENTRY_ALLOC + _sds(len(f)) + _sds(len(v)) for f, v in items])
    return base + DICT_ALLOC + buckets(n) + int(n * avg), avg + 12


def intset_width(members) -> int:
    """Bytes per member of an intset holding ``members`` (the widest one decides)."""
    hi = max((abs(int(m)) for m in members), default=0)
    return 2 if hi < 32768 else 4 if hi < 2147483648 else 8


def _model_set(key, st):
    n = len(st)
    base = key_cost(key) + ROBJ
    if st.intset:
        w = intset_width(st if n <= 4096 else islice(st, 64))
        return base + jemalloc(8 + n * w), w
    avg = _avg([DICT_ENTRY_ALLOC + _sds(len(m)) for m in islice(st, _SAMPLE)])
    return base + DICT_ALLOC + buckets(n) + int(n * avg), avg + 12


def _model_zset(key, z):
    n = len(z)
    items = list(islice(z.scores.items(), _SAMPLE))
    base = key_cost(key) + ROBJ
    if z.big:
        avg = _avg([_sds(len(m)) for m, _ in items]) + DICT_ENTRY_ALLOC + ZSL_NODE_AVG
        return (base + ZSET + ZSKIPLIST + DICT_ALLOC + buckets(n) + ZSL_HEADER
                + int(n * avg)), avg + 12
    avg = _avg([lp_entry(m) + lp_score(sc) for m, sc in items])
    return base + jemalloc(LP_EMPTY + int(n * avg)), avg


def _list_sample(lst) -> list:
    if len(lst) <= _SAMPLE:
        return list(lst)
    half = _SAMPLE // 2
    return list(islice(lst, half)) + list(islice(reversed(lst), half))


def _ql_alloc(n: int, avg: float) -> int:
    """Nodes + listpacks of a quicklist of n entries of avg listpack bytes whose nodes
    fill up to 8 kB (list-max-listpack-size -2), as RPUSH fills them: full nodes and
    a partial last one."""
    per = max(1, int((QL_NODE_MAX - LP_EMPTY) // max(avg, 1.0)))
    full, rest = divmod(n, per)
    total = full * (QL_NODE_ALLOC + jemalloc(LP_EMPTY + int(per * avg)))
    if rest or not full:
        total += QL_NODE_ALLOC + jemalloc(LP_EMPTY + int(rest * avg))
    return total


def _model_list(key, lst):
    n = len(lst)
    avg = _avg([lp_entry(e) for e in _list_sample(lst)])
    per = max(1, int((QL_NODE_MAX - LP_EMPTY) // max(avg, 1.0)))
    return (key_cost(key) + ROBJ + jemalloc(QUICKLIST) + _ql_alloc(n, avg),
            avg + QL_NODE_ALLOC / per)


def _rax_alloc(keys: int) -> int:
    """Allocation of a radix tree of ``keys`` 16-byte stream IDs inserted in order
    (about a leaf and a share of an inner node per key: measured on redis-server)."""
    return 48 + keys * 40


def _model_stream(key, st):
    nodes = st.nodes
    k = len(nodes)
    total = key_cost(key) + ROBJ + jemalloc(STREAM) + _rax_alloc(k)
    if k:
        if k > 1:
            sample = nodes[:min(k - 1, 4)]
            total += int((k - 1) * _avg([jemalloc(x.lp_bytes()) for x in sample]))
        total += max(STREAM_PREALLOC, jemalloc(nodes[-1].lp_bytes()))
    groups = st.groups
    if groups:
        # a pending entry sits in the group's PEL and in its consumer's (two rax keys)
        # and owns a NACK; consumers are counted, not walked (their PELs add up to
        # the group's)
        for g in groups.values():
            pel = len(g.pel)
            total += 128 + 2 * _rax_alloc(pel) + pel * 32 + len(g.consumers) * 160
    n = len(st)
    return total, (total / n if n else 0.0)


_MODELS: dict = {}


def register_types():
    """Bind the container classes to their models (lazy: the types import nothing
    from here)."""
    from .types.hash import Hash
    from .types.list import List
    from .types.set import Set
    from .types.stream import Stream
    from .types.zset import ZSet
    _MODELS.update({Hash: _model_hash, Set: _model_set, ZSet: _model_zset,
                    List: _model_list, Stream: _model_stream})


def model(key: bytes, v) -> int:
    """Model a container value fully now (and remember it for refresh)."""
    if not _MODELS:
        register_types()
    cost, slope = _MODELS[v.__class__](key, v)
    v.msamp = (len(v), cost, int(slope * 16))       # slope in 1/16 bytes: integer math
    return cost


# ---------------------------------------------------------------- the per-db hooks
def charged(db, key: bytes, v) -> int:
    """What the database currently counts for key holding v."""
    cls = v.__class__
    if cls is bytes:
        return str_cost(key, v)
    if cls is bytearray:
        n = db.rawlen.get(key)
        return raw_cost(key, len(v) if n is None else n)
    return v.mem


def charge(db, key: bytes, v, old=None) -> int:
    """Charge v as now stored at key, in place of ``old`` (models a container right
    away); returns the cost.  A bytearray made from a shorter string value grew the
    way Redis's unshare + append does (greedily); else it is an exact fit."""
    cls = v.__class__
    if cls is bytes:
        return str_cost(key, v)
    if cls is bytearray:
        n = len(v)
        if old is not None and old.__class__ is bytes and n > len(old):
            n = _grown_alloc(v, n)
        db.rawlen[key] = n
        return raw_cost(key, n)
    m = v.mem = model(key, v)
    return m


def uncharge(db, key: bytes, v) -> int:
    """Forget key's charge (removed); returns what it was."""
    cls = v.__class__
    if cls is bytes:
        return str_cost(key, v)
    if cls is bytearray:
        n = db.rawlen.pop(key, None)
        return raw_cost(key, len(v) if n is None else n)
    return v.mem


def refresh(db, key: bytes, v):
    """After a write to key (Client.written): re-model a container or an in-place
    edited string and apply the difference.  O(1) for a container (see msamp)."""
    cls = v.__class__
    if cls is bytearray:
        n = len(v)
        old = db.rawlen.get(key)
        if old is None or n > old:         # grown in place past its room
            if old is not None:
                n = _grown_alloc(v, n)
            db.rawlen[key] = n
            db.mem += raw_cost(key, n) - (raw_cost(key, old) if old is not None else 0)
        return
    s = v.msamp
    if s is not None:
        t = _tick[0] = _tick[0] + 1
        if t & _EVERY_MASK:
            n0 = s[0]
            d = len(v) - n0
            if not d:
                return                     # same count: values may have changed size,
            if -(n0 >> 1) <= d <= n0 + 8:  # caught by the periodic full model
                new = s[1] + (d * s[2] >> 4)
                db.mem += new - v.mem
                v.mem = new
                return
    new = model(key, v)
    db.mem += new - v.mem
    v.mem = new


def flush_dirty(db):
    """Re-model the containers and in-place strings written since the last flush
    (Client.written defers it: a key written many times is modelled once).  Whatever
    was deleted or replaced meanwhile was uncharged at its old charge: skipped."""
    md = db.mdirty
    if md:
        get = db.data.get
        for key, v in md.items():
            if get(key) is v:
                refresh(db, key, v)
        md.clear()


def recount(db) -> int:
    """Charge every key of db from scratch (after a bulk load that bypassed the
    accounting); returns the new total."""
    db.rawlen = {}
    db.mdirty.clear()
    total = 0
    for k, v in db.data.items():
        total += charge(db, k, v)
    db.mem = total
    return total


# ---------------------------------------------------------------- totals
def db_overhead(db) -> tuple[int, int]:
    """(main dict, expires dict) overhead as MEMORY STATS reports it: entries and
    bucket arrays (and a robj per key for the main one)."""
    n, e = len(db.data), len(db.expires)
    main = n * DICT_ENTRY + dict_slots(n) * 8 + n * ROBJ
    exp = e * DICT_ENTRY + dict_slots(e) * 8
    return main, exp


def dataset_memory(engine) -> int:
    """Keys and values of every database plus their dicts' bucket arrays and expire
    entries (used_memory without the baseline and clients)."""
    total = 0
    for db in engine.dbs:
        if db.mdirty:
            flush_dirty(db)
        if db.data:
            # bucket arrays: 8 bytes a slot, a power of two >= the count (>= 4)
            n = len(db.data)
            total += db.mem + (8 << (n - 1).bit_length() if n > 4 else 32)
            e = len(db.expires)
            if e:
                total += e * DICT_ENTRY_ALLOC + (8 << (e - 1).bit_length() if e > 4 else 32)
    return total


def clients_memory(engine) -> int:
    """Normal clients, a fixed cost each (client struct, reply buffer, query buffer)."""
    return CLIENT_BASE * len(engine.clients)


def used_memory(engine) -> int:
    """INFO used_memory: startup baseline + clients + dataset (+ the scripts' cache).
    O(databases): the dispatcher asks after writes while maxmemory is set."""
    used = (STARTUP + CLIENT_BASE * len(engine.clients) + dataset_memory(engine)
            + (scripts_memory(engine) if engine.lua is not None else 0))
    if used > engine.mem_peak:
        engine.mem_peak = used
    return used


_scripts_cache = [None, 0, 0]     # (bodies dict, its size when counted, bytes)


def scripts_memory(engine) -> int:
    """The EVAL scripts' cache: a dict entry, the sha and the body per script (counted
    again only when the cache changed size)."""
    lua = engine.lua
    bodies = getattr(lua, "bodies", None) if lua is not None else None
    if not isinstance(bodies, dict) or not bodies:
        return 0
    c = _scripts_cache
    if c[0] is not bodies or c[1] != len(bodies):
        c[0], c[1] = bodies, len(bodies)
        c[2] = sum(DICT_ENTRY_ALLOC + 48 + _sds(len(b)) for b in bodies.values())
    return c[2]


# ---------------------------------------------------------------- MEMORY USAGE
def usage(db, key: bytes, v, samples: int = 5) -> int:
    """MEMORY USAGE: objectComputeSize(value) + the key's sds + sizeof(dictEntry)."""
    return value_usage(db, key, v, samples) + _sds(len(key)) + DICT_ENTRY


def value_usage(db, key: bytes, v, samples: int) -> int:  # noqa: C901
    if samples <= 0:
        samples = 1 << 62
    cls = v.__class__
    if cls is bytes:
        n = len(v)
        if n <= 20 and is_int(v):
            return ROBJ
        if n <= 44:
            return _EMB[n]
        return ROBJ + _sds(n)
    if cls is bytearray:
        n = db.rawlen.get(key)
        return ROBJ + _sds(len(v) if n is None or n < len(v) else n)
    name = v.TYPE_NAME
    if name == b"hash":
        if v.lp:
            return ROBJ + jemalloc(LP_EMPTY + sum(lp_entry(f) + lp_entry(x)
                                                  for f, x in v.items()))
        n = len(v)
        items = list(islice(v.items(), samples))
        ele = sum(_sds(len(f)) + _sds(len(x)) + DICT_ENTRY for f, x in items)
        return ROBJ + DICT + 8 * dict_slots(n) + int(ele / len(items) * n)
    if name == b"set":
        n = len(v)
        if v.intset:
            return ROBJ + jemalloc(8 + n * intset_width(v))
        items = list(islice(v, samples))
        ele = sum(DICT_ENTRY + _sds(len(m)) for m in items)
        return ROBJ + DICT + 8 * dict_slots(n) + (int(ele / len(items) * n) if items else 0)
    if name == b"zset":
        n = len(v)
        if not v.big:
            return ROBJ + jemalloc(LP_EMPTY + sum(lp_entry(m) + lp_score(s)
                                                  for m, s in v.scores.items()))
        items = list(islice(v.items(), samples))      # the skiplist's first nodes
        ele = sum(_sds(len(m)) + DICT_ENTRY + ZSL_NODE_AVG for m, _ in items)
        return (ROBJ + ZSET + ZSKIPLIST + DICT + 8 * dict_slots(n) + ZSL_HEADER
                + (int(ele / len(items) * n) if items else 0))
    if name == b"list":
        return ROBJ + QUICKLIST + _list_usage(v, samples)
    if name == b"stream":
        return _stream_usage(v, samples)
    return ROBJ


def _list_usage(lst, samples: int) -> int:
    """Average over the first ``samples`` quicklist nodes (as RPUSH fills them: up to
    8 kB each) times the node count."""
    n = len(lst)
    sizes = []
    cur = LP_EMPTY
    cnt = 0
    seen = 0
    for e in lst:
        sz = lp_entry(e)
        seen += 1
        if cnt and cur + sz > QL_NODE_MAX:
            sizes.append(cur)
            if len(sizes) >= samples:
                break
            cur, cnt = LP_EMPTY, 0
        cur += sz
        cnt += 1
    else:
        sizes.append(cur)
        seen = n
    node_cost = sum(QL_NODE + jemalloc(x) for x in sizes) / len(sizes)
    if seen >= n:
        nodes = len(sizes)
    else:
        per = (seen - 1) / len(sizes)
        nodes = max(len(sizes), -(-n // max(1, int(per))))
    return int(node_cost * nodes)


def _rax_usage(numele: int, numnodes: int) -> int:
    """streamRadixTreeMemoryUsage (7.0, including its overwritten first line)."""
    return numele * 16 + numnodes * 4 + numnodes * 8 * 30


def _stream_usage(st, samples: int) -> int:
    nodes = st.nodes
    k = len(nodes)
    total = ROBJ + STREAM + _rax_usage(k, st.rax_nodes())
    # allocated sizes (7.0 counts the tail node's preallocation): closed nodes were
    # shrunk to fit, the tail one started at 4 kB
    if k <= samples:
        total += sum(jemalloc(x.lp_bytes()) for x in nodes[:-1])
    else:
        lps = sum(jemalloc(x.lp_bytes()) for x in nodes[:samples]) // samples
        total += lps * (k - 1)
    if k:
        total += max(STREAM_PREALLOC, jemalloc(nodes[-1].lp_bytes()))
    groups = st.groups
    if groups:
        for g in groups.values():
            pel = len(g.pel)
            total += 112 + _rax_usage(pel, _pel_nodes(pel)) + 24 * pel
            for cons in g.consumers.values():
                cp = len(cons.pel)
                total += 48 + len(cons.name) + _rax_usage(cp, _pel_nodes(cp))
    return total


def _pel_nodes(n: int) -> int:
    return n + 1 if n else 1
