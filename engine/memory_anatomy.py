"""Per-key memory anatomy: MEMORY USAGE split into the parts redis-server 7.0 allocates
(dict entry, key sds, robj, payload, encoding overhead, per-element overhead), the
allocations MEMORY USAGE leaves out, and how close the key is to the thresholds that
change its encoding.

``anatomy`` mirrors ``engine.memory.usage`` term by term, so its parts add up to
exactly what MEMORY USAGE reports with the same sample count (``memory.usage`` stays
the single source of the total; a test keeps the two from drifting).  Every function
here is pure: it reads a value and the config, changes nothing.

Kept apart from engine/memory.py (the hot accounting path) on purpose: none of this
runs while commands execute, only when someone looks at a key.
"""
from __future__ import annotations

import sys
from collections import deque
from itertools import islice
from typing import NamedTuple

from . import memory as m
from .memory import (DICT, DICT_ENTRY, DICT_ENTRY_ALLOC, LP_EMPTY, QL_NODE, QL_NODE_MAX,
                     QUICKLIST, ROBJ, STREAM, STREAM_PREALLOC, ZSET, ZSKIPLIST,
                     ZSL_HEADER, ZSL_NODE_AVG, _sds, dict_slots, intset_width, is_int,
                     jemalloc, lp_entry, lp_score, sds_hdr)

EXACT_LIMIT = 10_000     # elements counted one by one; beyond, MEMORY USAGE's sampling
SAMPLES = 5              # MEMORY USAGE's default sample count
EMBSTR_LIMIT = 44        # OBJ_ENCODING_EMBSTR_SIZE_LIMIT
NEAR = 0.9               # a threshold this full is "close"


class Part(NamedTuple):
    component: str
    bytes: int
    note: str = ""
    kind: str = "overhead"      # "data" (the user's bytes), "overhead", "metadata"


class Anatomy(NamedTuple):
    type: str
    encoding: str
    parts: list                 # Part items; their bytes add up to ``total``
    total: int                  # == memory.usage(db, key, value, samples)
    samples: int                # 0: every element counted
    estimate: bool              # extrapolated from a sample of the elements
    elements: int | None
    outside: list               # Part items real Redis allocates, MEMORY USAGE omits
    rounding: int = 0           # bytes of Redis's float average folded into a part


class Threshold(NamedTuple):
    setting: str                # config parameter (or a built-in limit)
    what: str                   # what is measured against it
    current: int | None         # None: not measured (too many elements to look at)
    limit: int
    change: str                 # "listpack -> hashtable"; "" for a limit that converts nothing
    fired: bool                 # the key has already converted (one way)
    note: str = ""

    @property
    def share(self) -> float | None:
        if self.current is None or self.limit <= 0:
            return None
        return self.current / self.limit

    @property
    def exceeded(self) -> bool:
        return self.current is not None and self.current > self.limit

    @property
    def near(self) -> bool:
        """Close to converting: a converting threshold at >= 90% not yet fired."""
        s = self.share
        return bool(self.change) and not self.fired and s is not None and s >= NEAR


def _lp_split(b) -> tuple[int, int, int]:
    """(data, encoding bytes, backlen bytes) of one listpack entry (adds up to
    lp_entry(b)); an integer's data is its stored bytes."""
    t = lp_entry(b)
    if len(b) <= 20 and is_int(b):
        return t - 2, 1, 1
    n = len(b)
    enc = 1 if n < 64 else 2 if n < 4096 else 5
    return n, enc, t - n - enc


def _key_parts(key: bytes) -> list:
    n = len(key)
    return [Part("dict entry", DICT_ENTRY,
                 "the keyspace dict's entry: key, value and next pointers"),
            Part("key sds", _sds(n),
                 f"{n} key bytes + {sds_hdr(n)}-byte sds header + NUL, jemalloc "
                 f"class {_sds(n)}", "key"),
            Part("robj header", ROBJ, "type, encoding, refcount, value pointer")]


_LRU = Part("access metadata (LRU/LFU)", 0,
            "kept in the robj header's 24-bit lru field: no extra bytes", "metadata")


def anatomy(db, key: bytes, v, config=None, samples: int | None = None) -> Anatomy:
    """The parts of MEMORY USAGE for ``key`` holding ``v`` in ``db``.  ``samples``:
    None = every element up to EXACT_LIMIT elements, MEMORY USAGE's default sample of
    5 beyond (marked estimate); 0 = every element; n = MEMORY USAGE SAMPLES n."""
    try:
        n_el = len(v)
    except TypeError:
        n_el = None
    if samples is None:
        samples = 0 if n_el is None or n_el <= EXACT_LIMIT or \
            v.__class__ in (bytes, bytearray) else SAMPLES
    total = m.usage(db, key, v, samples)
    every = 1 << 62 if samples <= 0 else samples
    parts = _key_parts(key)
    cls = v.__class__
    estimate = False
    if cls is bytes or cls is bytearray:
        tname, enc, body = "string", None, _string_parts(db, key, v)
    else:
        tname = v.TYPE_NAME.decode()
        body, estimate = _BODY[tname](v, every)
        enc = None
    if enc is None:
        from .types import encoding_of
        enc = encoding_of(v, config if config is not None else {}).decode()
    parts += body
    parts.append(_LRU)
    rounding = total - sum(p.bytes for p in parts)
    if rounding:
        # Redis averages element sizes in floating point and truncates: fold the
        # difference into the biggest per-element part
        i = max(range(3, len(parts)), key=lambda j: parts[j].bytes)
        p = parts[i]
        parts[i] = p._replace(bytes=p.bytes + rounding)
    return Anatomy(tname, enc, parts, total, samples, estimate,
                   n_el if tname != "string" else None,
                   _outside(db, key, v, body), rounding)


# ---------------------------------------------------------------- strings
def _string_parts(db, key, v) -> list:
    n = len(v)
    if v.__class__ is bytes:
        if n <= 20 and is_int(v):
            return [Part("value", 0, "int encoding: the 64-bit integer is stored in the "
                         "robj's pointer field (0..9999 use shared objects)", "data")]
        if n <= EMBSTR_LIMIT:
            used = ROBJ + 3 + n + 1
            return [Part("value bytes", n, "embstr: robj and sds in one allocation",
                         "data"),
                    Part("sds header + NUL", 4, "sdshdr8 (3 bytes) and the terminator"),
                    Part("jemalloc rounding", jemalloc(used) - used,
                         f"{used} bytes requested, size class {jemalloc(used)}")]
        room = n
    else:
        r = db.rawlen.get(key) if db is not None else None
        room = n if r is None or r < n else r
    h = sds_hdr(room)
    parts = [Part("value bytes", n, "raw: an sds of its own", "data")]
    if room > n:
        parts.append(Part("free room", room - n,
                          "grown greedily by APPEND/SETRANGE/SETBIT (sdsMakeRoomFor)"))
    parts += [Part("sds header + NUL", h + 1, f"sdshdr ({h} bytes) and the terminator"),
              Part("jemalloc rounding", _sds(room) - h - room - 1,
                   f"{h + room + 1} bytes requested, size class {_sds(room)}")]
    return parts


# ---------------------------------------------------------------- listpacks
def _listpack(pairs, first: str, second: str, second_sizes=None) -> list:
    """Parts of a listpack of (a, b) pairs; ``second_sizes`` sizes the b entries when
    they are not strings (zset scores)."""
    da = db_ = enc = back = 0
    for a, b in pairs:
        x, y, z = _lp_split(a)
        da += x
        enc += y
        back += z
        if second_sizes is None:
            x, y, z = _lp_split(b)
        else:
            x, y, z = second_sizes(b) - 2, 1, 1
        db_ += x
        enc += y
        back += z
    used = LP_EMPTY + da + db_ + enc + back
    return [Part("listpack header + end", LP_EMPTY, "total bytes (4), count (2), end byte"),
            Part(first, da, "integers count at their stored size", "data"),
            Part(second, db_, "", "data"),
            Part("entry encoding bytes", enc, "type and length prefix of every entry"),
            Part("entry backlen bytes", back, "every entry's length again, for reverse walks"),
            Part("jemalloc rounding", jemalloc(used) - used,
                 f"{used} bytes requested, size class {jemalloc(used)}")]


# ---------------------------------------------------------------- dicts
def _dict_head(n: int) -> list:
    s = dict_slots(n)
    return [Part("dict struct", DICT, "sizeof(dict); jemalloc allocates 64"),
            Part("bucket array", 8 * s, f"{s:,} slots x 8 bytes (next power of two >= "
                 f"{n:,} elements)")]


def _scaled(raw: list, sampled: int, n: int) -> tuple[list, bool]:
    """Per-element parts summed over ``sampled`` elements, scaled to ``n``."""
    if sampled >= n:
        return raw, False
    f = n / sampled
    return [p._replace(bytes=int(p.bytes * f),
                       note=(p.note + "; " if p.note else "") +
                       f"extrapolated from {sampled} of {n:,}") for p in raw], True


def _sds_parts(strings, label: str) -> tuple[Part, int]:
    data = over = 0
    for s in strings:
        k = len(s)
        data += k
        over += _sds(k) - k
    return Part(label, data, "", "data"), over


def _hash(v, every):
    n = len(v)
    if v.lp:
        return _listpack(v.items(), "field bytes", "value bytes"), False
    items = list(islice(v.items(), every))
    pf, of = _sds_parts((f for f, _ in items), "field bytes")
    pv, ov = _sds_parts((x for _, x in items), "value bytes")
    raw = [Part("dict entries", DICT_ENTRY * len(items), "24 bytes per field (jemalloc: 32)"),
           pf, pv, Part("sds headers + NUL + rounding", of + ov,
                        "two sds per field: header, terminator, jemalloc size class")]
    raw, est = _scaled(raw, len(items), n)
    return _dict_head(n) + raw, est


def _set(v, every):
    n = len(v)
    if v.intset:
        w = intset_width(v)
        used = 8 + n * w
        return [Part("intset header", 8, "encoding (4) and length (4)"),
                Part("integers", n * w, f"{n:,} x {w} bytes (int{8 * w}: the widest "
                     f"member decides)", "data"),
                Part("jemalloc rounding", jemalloc(used) - used,
                     f"{used} bytes requested, size class {jemalloc(used)}")], False
    items = list(islice(v, every))
    pm, om = _sds_parts(items, "member bytes")
    raw = [Part("dict entries", DICT_ENTRY * len(items),
                "24 bytes per member (jemalloc: 32)"), pm,
           Part("sds headers + NUL + rounding", om,
                "one sds per member: header, terminator, jemalloc size class")]
    raw, est = _scaled(raw, len(items), n)
    return _dict_head(n) + raw, est


def _zset(v, every):
    n = len(v)
    if not v.big:
        return _listpack(v.scores.items(), "member bytes", "score bytes", lp_score), False
    items = list(islice(v.items(), every))
    pm, om = _sds_parts((x for x, _ in items), "member bytes")
    k = len(items)
    raw = [Part("dict entries", DICT_ENTRY * k, "member -> score, 24 bytes each"),
           Part("skiplist nodes", int(ZSL_NODE_AVG * k),
                f"score, backward pointer and ~1.33 levels on average: "
                f"{ZSL_NODE_AVG:.1f} bytes a node"), pm,
           Part("sds headers + NUL + rounding", om,
                "one sds per member: header, terminator, jemalloc size class")]
    raw, est = _scaled(raw, k, n)
    head = [Part("zset struct", ZSET, "dict and skiplist pointers"),
            Part("skiplist struct", ZSKIPLIST, "header, tail, length, level"),
            Part("skiplist header node", ZSL_HEADER, "32 levels, allocated up front")]
    return head + _dict_head(n) + raw, est


def _list(v, every):
    """Mirrors memory._list_usage: nodes filled up to 8 kB as RPUSH fills them; the
    first ``every`` nodes are looked at, their average times the node count."""
    n = len(v)
    nodes = []                  # per node: [bytes, data, enc, backlen, entries]
    cur = [LP_EMPTY, 0, 0, 0, 0]
    seen = 0
    for e in v:
        d, en, bk = _lp_split(e)
        sz = d + en + bk
        seen += 1
        if cur[4] and cur[0] + sz > QL_NODE_MAX:
            nodes.append(cur)
            if len(nodes) >= every:
                break
            cur = [LP_EMPTY, 0, 0, 0, 0]
        cur[0] += sz
        cur[1] += d
        cur[2] += en
        cur[3] += bk
        cur[4] += 1
    else:
        nodes.append(cur)
        seen = n
    k = len(nodes)
    if seen >= n:
        count = k
    else:
        per = (seen - 1) / k
        count = max(k, -(-n // max(1, int(per))))
    alloc = sum(jemalloc(x[0]) for x in nodes)
    raw = [Part("quicklist nodes", QL_NODE * k, f"{count:,} nodes x 40 bytes "
                f"(list-max-listpack-size -2: up to 8 kB listpacks)"),
           Part("listpack headers + ends", LP_EMPTY * k, "7 bytes per node"),
           Part("element bytes", sum(x[1] for x in nodes),
                "integers count at their stored size", "data"),
           Part("entry encoding bytes", sum(x[2] for x in nodes),
                "type and length prefix of every entry"),
           Part("entry backlen bytes", sum(x[3] for x in nodes),
                "every entry's length again, for reverse walks"),
           Part("jemalloc rounding", alloc - sum(x[0] for x in nodes),
                "each node's listpack rounded to its size class")]
    est = count != k
    if est:
        f = count / k
        raw = [p._replace(bytes=int(p.bytes * f),
                          note=p.note + f"; extrapolated from {k} of {count:,} nodes")
               for p in raw]
    return [Part("quicklist struct", QUICKLIST, "head, tail, counts, fill, compress")] \
        + raw, est


def _stream(v, every):
    nodes = v.nodes
    k = len(nodes)
    rn = v.rax_nodes()
    rax = m._rax_usage(k, rn)
    parts = [Part("stream struct", STREAM, "rax pointer, length, IDs, groups pointer"),
             Part("radix tree of nodes", rax,
                  f"{k:,} node IDs, {rn:,} tree nodes (Redis 7.0's estimate)")]
    est = False
    if k > 1:
        if k <= every:
            closed = sum(jemalloc(x.lp_bytes()) for x in nodes[:-1])
            note = f"{k - 1:,} full nodes, shrunk to fit"
        else:
            closed = sum(jemalloc(x.lp_bytes()) for x in nodes[:every]) // every * (k - 1)
            note = f"{k - 1:,} full nodes, extrapolated from {every}"
            est = True
        parts.append(Part("entry listpacks", closed, note, "data"))
    if k:
        used = nodes[-1].lp_bytes()
        alloc = max(STREAM_PREALLOC, jemalloc(used))
        parts += [Part("tail node entries", used, "the node new entries go to", "data"),
                  Part("tail node free room", alloc - used,
                       "preallocated 4 kB (STREAM_LISTPACK_MAX_PRE_ALLOCATE) or rounding")]
    groups = v.groups
    if groups:
        gs = pel = cons = 0
        ncons = 0
        for g in groups.values():
            p = len(g.pel)
            gs += 112
            pel += m._rax_usage(p, m._pel_nodes(p)) + 24 * p
            for c in g.consumers.values():
                cp = len(c.pel)
                ncons += 1
                cons += 48 + len(c.name) + m._rax_usage(cp, m._pel_nodes(cp))
        parts += [Part("consumer groups", gs, f"{len(groups)} x 112 bytes"),
                  Part("pending entries", pel, "group PEL radix trees + 24-byte NACKs"),
                  Part("consumers", cons, f"{ncons} consumer(s): struct, name, own PEL")]
    return parts, est


_BODY = {"hash": _hash, "set": _set, "zset": _zset, "list": _list, "stream": _stream}


# ---------------------------------------------------------------- outside MEMORY USAGE
def _outside(db, key, v, body) -> list:
    out = [Part("dict entry rounding", DICT_ENTRY_ALLOC - DICT_ENTRY,
                "jemalloc gives the 24-byte entry 32 bytes")]
    if db is not None and db.data:
        n = len(db.data)
        s = dict_slots(n)
        out.append(Part("keyspace bucket share", round(8 * s / n),
                        f"{s:,} slots x 8 bytes shared by {n:,} keys"))
        if db.expires and key in db.expires:
            e = len(db.expires)
            es = dict_slots(e)
            out.append(Part("expire entry", DICT_ENTRY_ALLOC + round(8 * es / e),
                            "a dictEntry in the expires dict (key sds shared, deadline "
                            "in the entry) + its bucket share"))
    for p in body:
        if p.component == "dict entries":
            k = p.bytes // DICT_ENTRY
            out.append(Part("element dict entry rounding", k * 8,
                            f"{k:,} entries x 8: jemalloc gives each 32 bytes"))
        elif p.component == "dict struct":
            out.append(Part("dict struct rounding", 8, "56 bytes allocated as 64"))
    return out


# ---------------------------------------------------------------- thresholds
def _node_limit(size: int) -> tuple[int, str]:
    """list-max-listpack-size as (limit, unit): negative = bytes per node."""
    if size < 0:
        return 4096 << (min(-size, 5) - 1), "bytes"
    return size, "entries"


def thresholds(v, config, cap: int = EXACT_LIMIT) -> list:
    """How close ``v`` is to the limits that change its encoding (config values read
    now; Redis checks them at write time).  Longest-element checks look at up to
    ``cap`` elements; ``current`` is None beyond."""
    cls = v.__class__
    if cls is bytes or cls is bytearray:
        n = len(v)
        if cls is bytes and n <= 20 and is_int(v):
            return []
        fired = cls is bytearray or n > EMBSTR_LIMIT
        note = "modified in place: always raw" if cls is bytearray and n <= EMBSTR_LIMIT \
            else ""
        return [Threshold("embstr limit (built in)", "length (bytes)", n, EMBSTR_LIMIT,
                          "embstr -> raw", fired, note)]
    name = v.TYPE_NAME
    n = len(v)
    if name == b"hash":
        longest = max((max(len(f), len(x)) for f, x in v.items()), default=0) \
            if n <= cap else None
        return [Threshold("hash-max-listpack-entries", "fields", n,
                          config["hash-max-listpack-entries"], "listpack -> hashtable",
                          not v.lp),
                Threshold("hash-max-listpack-value", "longest field or value (bytes)",
                          longest, config["hash-max-listpack-value"],
                          "listpack -> hashtable", not v.lp)]
    if name == b"set":
        if v.intset:
            note = "any member that is not an integer converts it at once"
        elif n <= cap:
            bad = sum(1 for x in v if not is_int(x))
            note = f"{bad:,} members are not integers" if bad else ""
        else:
            note = ""
        return [Threshold("set-max-intset-entries", "members", n,
                          config["set-max-intset-entries"], "intset -> hashtable",
                          not v.intset, note)]
    if name == b"zset":
        longest = max((len(x) for x in v.scores), default=0) if n <= cap else None
        return [Threshold("zset-max-listpack-entries", "members", n,
                          config["zset-max-listpack-entries"], "listpack -> skiplist",
                          v.big),
                Threshold("zset-max-listpack-value", "longest member (bytes)", longest,
                          config["zset-max-listpack-value"], "listpack -> skiplist",
                          v.big)]
    if name == b"list":
        limit, unit = _node_limit(config["list-max-listpack-size"])
        if unit == "entries":
            cur = min(n, limit)
        elif n <= cap:
            cur = 0                         # the tail node's fill, as RPUSH fills them
            for e in v:
                sz = lp_entry(e)
                cur = LP_EMPTY + sz if cur and cur + sz > limit else (cur or LP_EMPTY) + sz
        else:
            cur = None
        return [Threshold("list-max-listpack-size", f"tail node fill ({unit})", cur,
                          limit, "", False, "sizes quicklist nodes: a full node starts "
                          "a new one (7.0 lists are always quicklists)")]
    if name == b"stream":
        tail = v.nodes[-1] if v.nodes else None
        return [Threshold("stream-node-max-entries", "tail node entries",
                          len(tail.ids) if tail else 0, config["stream-node-max-entries"],
                          "", False, "a full node starts a new one"),
                Threshold("stream-node-max-bytes", "tail node bytes",
                          tail.lp_bytes() if tail else 0, config["stream-node-max-bytes"],
                          "", False, "a full node starts a new one")]
    return []


def conversion_cause(v, config) -> str:
    """Which threshold explains a converted encoding (for "listpack -> hashtable"
    badges): the limit exceeded now, else what can have fired earlier."""
    return cause_of(thresholds(v, config))


def cause_of(ts: list) -> str:
    """conversion_cause over a list of thresholds ("" when none has fired)."""
    ts = [t for t in ts if t.change and t.fired]
    for t in ts:
        if t.exceeded:
            return f"{t.setting}: {t.what} {t.current:,} > {t.limit:,}"
    for t in ts:
        if t.note:
            return f"{t.setting}: {t.note}"
    if ts:
        return (f"{' or '.join(t.setting for t in ts)} was exceeded by an earlier write "
                f"(the conversion is one way)")
    return ""


def thresholds_from_counts(type_: str, encoding: str | None, length: int | None,
                           config: dict) -> list:
    """What a remote server lets us say without reading the value: its element count
    (a string's length) against each limit from CONFIG GET (``config``: name -> int;
    missing names are skipped); element sizes are not measured (``current`` None)."""
    enc = encoding or ""
    out = []

    def add(setting, what, current, change, fired, note=""):
        if setting in config:
            out.append(Threshold(setting, what, current, config[setting], change, fired,
                                 note))
    if type_ == "string":
        if enc != "int":
            out.append(Threshold("embstr limit (built in)", "length (bytes)", length,
                                 EMBSTR_LIMIT, "embstr -> raw", enc == "raw"))
    elif type_ in ("hash", "zset"):
        big = "hashtable" if type_ == "hash" else "skiplist"
        change = f"listpack -> {big}"
        what = "fields" if type_ == "hash" else "members"
        longest = "longest field or value (bytes)" if type_ == "hash" else \
            "longest member (bytes)"
        add(f"{type_}-max-listpack-entries", what, length, change, enc == big)
        add(f"{type_}-max-listpack-value", longest, None, change, enc == big,
            "element sizes are not measured remotely")
    elif type_ == "set":
        add("set-max-intset-entries", "members", length, "intset -> hashtable",
            enc != "intset", "any member that is not an integer converts it at once")
        add("set-max-listpack-entries", "members", length, "listpack -> hashtable",
            enc == "hashtable")
    elif type_ == "list":
        add("list-max-listpack-size", "node size", None, "", False,
            "sizes quicklist nodes; node fill is not measured remotely")
    elif type_ == "stream":
        add("stream-node-max-entries", "tail node entries", None, "", False,
            "not measured remotely")
        add("stream-node-max-bytes", "tail node bytes", None, "", False,
            "not measured remotely")
    return out


# ---------------------------------------------------------------- our own footprint
class Footprint(NamedTuple):
    bytes: int
    walked: int                 # elements looked at
    elements: int
    estimate: bool              # scaled from the first ``walked`` elements
    unit: str = "elements"      # what ``walked``/``elements`` count


def _shallow_extra(v) -> int:
    """Internal structures of our own container classes (not their elements)."""
    name = getattr(v, "TYPE_NAME", None)
    size = sys.getsizeof
    if name == b"zset":
        o = v.order
        return (size(v.scores) + size(o) + size(o.mxs) + size(o.mxm)
                + sum(map(size, o.fls)) + sum(map(size, o.mls)))
    if name == b"stream":
        return size(v.nodes) + size(v.keys)
    return 0


def _deep(o, seen: set, size=sys.getsizeof) -> int:
    """Deep getsizeof of one element (each object once)."""
    total = 0
    stack = [o]
    while stack:
        x = stack.pop()
        i = id(x)
        if i in seen:
            continue
        seen.add(i)
        total += size(x)
        if isinstance(x, dict):
            stack.extend(x.keys())
            stack.extend(x.values())
        elif isinstance(x, (list, tuple, set, frozenset, deque)):
            stack.extend(x)
        else:
            for s in getattr(type(x), "__slots__", ()):
                y = getattr(x, s, None)
                if y is not None:
                    stack.append(y)
    return total


def python_footprint(v, cap: int = 2000) -> Footprint:
    """What keyscope's own Python objects for this value take (sys.getsizeof, each
    object once): the container and its internals, plus the first ``cap`` elements,
    scaled to all of them.  Small ints and other shared objects count once."""
    size = sys.getsizeof
    cls = v.__class__
    if cls is bytes or cls is bytearray:
        return Footprint(size(v), 1, 1, False)
    name = v.TYPE_NAME
    seen = {id(v)}
    base = size(v) + _shallow_extra(v)
    partial = False
    if name == b"hash":
        items, n = v.items(), len(v)
    elif name == b"zset":
        items, n = v.scores.items(), len(v)
    elif name == b"stream":
        items, n = v.nodes, len(v.nodes)
        if v.groups:
            if sum(len(g.pel) for g in v.groups.values()) <= cap:
                base += _deep(v.groups, seen)
            else:
                partial = True              # consumer groups left out: too many pending
    else:
        items, n = v, len(v)
    el = walked = 0
    pairs = name in (b"hash", b"zset")
    for x in islice(items, cap):
        # a pair's tuple is made by items(): walk what the container really holds
        el += _deep(x[0], seen) + _deep(x[1], seen) if pairs else _deep(x, seen)
        walked += 1
    if walked and walked < n:
        el = int(el * n / walked)
    return Footprint(base + el, walked, n, partial or walked < n,
                     "nodes" if name == b"stream" else "elements")
