"""The stream group: XADD, XRANGE, XREAD (blocking), XTRIM, XDEL, XSETID and consumer
groups (XGROUP, XREADGROUP, XACK, XPENDING, XCLAIM, XAUTOCLAIM, XINFO), as Redis 7.0.15's
t_stream.c behaves: argument errors in the same order, the same reply shapes (entries are
[id, [field, value, ...]]; XREAD/XREADGROUP answer a map in RESP3), 7.0's entries-read /
lag arithmetic, and the same propagation: XADD with its generated ID and ``~`` trimming
rewritten as ``=`` to the resulting length/first ID, XREADGROUP/XCLAIM/XAUTOCLAIM as one
XCLAIM ... FORCE JUSTID LASTID per entry (plus XGROUP SETID / CREATECONSUMER after NOACK
reads), several of them wrapped in MULTI/EXEC by the engine (``Client.also_propagate``).

Only XADD, XDEL, XTRIM and XGROUP CREATE MKSTREAM signal a modified key (WATCH, client
tracking, blocked readers), as in Redis; the other consumer-group writes only count as
dirty and send their keyspace notification (``_notify``).
"""
import os
import re
from bisect import bisect_left, bisect_right

from engine.blocking import NOT_SERVED, block, parse_timeout
from engine.commands import KS, Acl, Flag, KeySpec, command, container
from engine.errors import NOT_INTEGER, SYNTAX, WRONGTYPE, RedisError, WrongArity
from engine.memory import refresh
from engine.parsing import LLONG_MAX, to_int
from engine.replies import NULL_ARRAY, OK, Status
from engine.types.stream import INVALID, M64, MAX_ID, Consumer, Group, Nack, Stream, fmt_id

S = {Acl.STREAM}
G = "stream"
RW_UPDATE = [KeySpec(1, flags={KS.RW, KS.UPDATE})]
RW_DELETE = [KeySpec(1, flags={KS.RW, KS.DELETE})]
RO_ACCESS = [KeySpec(1, flags={KS.RO, KS.ACCESS})]

INVALID_ID = RedisError("ERR Invalid stream ID specified as stream command argument")
ID_ZERO = RedisError("ERR The ID specified in XADD must be greater than 0-0")
ID_SMALL = RedisError("ERR The ID specified in XADD is equal or smaller than the target "
                      "stream top item")
EXHAUSTED = RedisError("ERR The stream has exhausted the last possible ID, unable to add "
                       "more items")
TOO_LARGE = RedisError("ERR Elements are too large to be stored")
BAD_START = RedisError("ERR invalid start ID for the interval")
BAD_END = RedisError("ERR invalid end ID for the interval")
MAXLEN_MINID = RedisError("ERR syntax error, MAXLEN and MINID options at the same time are "
                          "not compatible")
MAXLEN_NEG = RedisError("ERR The MAXLEN argument must be >= 0.")
LIMIT_NEG = RedisError("ERR The LIMIT argument must be >= 0.")
LIMIT_NO_STRATEGY = RedisError("ERR syntax error, LIMIT cannot be used without specifying a "
                               "trimming strategy")
XTRIM_NO_STRATEGY = RedisError("ERR syntax error, XTRIM must be called with a trimming "
                               "strategy")
LIMIT_NO_TILDE = RedisError("ERR syntax error, LIMIT cannot be used without the special ~ "
                            "option")
UNBALANCED = RedisError("ERR Unbalanced XREAD list of streams: for each stream key an ID or "
                        "'$' must be specified.")
GROUP_ONLY = RedisError("ERR The GROUP option is only supported by XREADGROUP. You called "
                        "XREAD instead.")
NOACK_ONLY = RedisError("ERR The NOACK option is only supported by XREADGROUP. You called "
                        "XREAD instead.")
MISSING_GROUP = RedisError("ERR Missing GROUP option for XREADGROUP")
DOLLAR_GROUP = RedisError(
    "ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history "
    "of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ "
    "ID would just return an empty result set.")
GT_ONLY = RedisError("ERR The > ID can be specified only when calling XREADGROUP using the "
                     "GROUP <group> <consumer> option.")
KEY_REQUIRED = RedisError(
    "ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want "
    "to use the MKSTREAM option to create an empty stream automatically.")
BUSYGROUP = RedisError("BUSYGROUP Consumer Group name already exists")
ENTRIESREAD_NEG = RedisError("ERR value for ENTRIESREAD must be positive or -1")
NO_SUCH_KEY = RedisError("ERR no such key")
ENTRIES_ADDED_NEG = RedisError("ERR entries_added must be positive")
SETID_SMALL = RedisError("ERR The ID specified in XSETID is smaller than the target stream "
                         "top item")
SETID_ADDED = RedisError("ERR The entries_added specified in XSETID is smaller than the "
                         "target stream length")
SETID_MAXDEL = RedisError("ERR The ID specified in XSETID is smaller than the provided "
                          "max_deleted_entry_id")
MINIDLE_XCLAIM = RedisError("ERR Invalid min-idle-time argument for XCLAIM")
MINIDLE_XAUTOCLAIM = RedisError("ERR Invalid min-idle-time argument for XAUTOCLAIM")
COUNT_POSITIVE = RedisError("ERR COUNT must be > 0")
UNBLOCKED_DELETED = RedisError("UNBLOCKED the stream key no longer exists")
NOGROUP_BLOCKED = RedisError("NOGROUP the consumer group this client was blocked on no "
                             "longer exists")

AUTOCLAIM_MEMORY = RedisError("ERR Insufficient memory, failed allocating transient "
                              "memory, COUNT too high.")

XREAD_BLOCKED_DEFAULT_COUNT = 1000
_AUTOCLAIM_MAX_COUNT = LLONG_MAX // 16     # LONG_MAX / max(sizeof(streamID), 10)


def _physical_memory() -> int:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return 1 << 40


def _s(b: bytes) -> str:
    return b.decode("utf-8", "surrogateescape")


def _nogroup_key(key: bytes, group: bytes) -> RedisError:
    return RedisError(f"NOGROUP No such key '{_s(key)}' or consumer group '{_s(group)}'")


def _nogroup_name(group: bytes, key: bytes) -> RedisError:
    return RedisError(f"NOGROUP No such consumer group '{_s(group)}' for key name "
                      f"'{_s(key)}'")


def _sub_syntax(c, container_name: str) -> RedisError:
    """addReplySubcommandSyntaxError: names the subcommand as the client typed it."""
    sub = _s(c.argv[1])[:128]
    return RedisError(f"ERR unknown subcommand or wrong number of arguments for '{sub}'. "
                      f"Try {container_name} HELP.")


# ---------------------------------------------------------------- stream IDs
_STRTOULL = re.compile(rb"[ \t\n\v\f\r]*([+-]?)([0-9]+)")


def _ull(s: bytes):
    """Redis's string2ull: string2ll (negative refused), else strtoull (leading spaces,
    a sign -- a negative value wraps --, leading zeros), or None."""
    if s.isdigit():
        v = int(s)
        return v if v <= M64 else None
    v = to_int(s)
    if v is not None:
        return v if v >= 0 else None
    m = _STRTOULL.fullmatch(s)
    if m is None:
        return None
    v = int(m.group(2))
    if v > M64:
        return None
    return (-v) & M64 if m.group(1) == b"-" else v


def parse_id(b: bytes, missing_seq: int = 0, strict: bool = False) -> int:
    """streamGenericParseIDOrReply: <ms>-<seq>, <ms> (seq = missing_seq), '-' and '+'
    (unless strict).  Arguments are C strings there: a NUL ends them."""
    dash = b.find(b"-")
    if 0 < dash < len(b) - 1:            # the common "<ms>-<seq>"
        ms, seq = b[:dash], b[dash + 1:]
        if ms.isdigit() and seq.isdigit() and len(b) < 128:
            ms, seq = int(ms), int(seq)
            if ms <= M64 and seq <= M64:
                return ms << 64 | seq
    return _parse_id_slow(b, missing_seq, strict, False)[0]


def _parse_id_slow(b: bytes, missing_seq: int, strict: bool, seq_star: bool):
    """(id, seq_given); seq_star accepts XADD's <ms>-* form (seq_given False)."""
    if len(b) > 127:
        raise INVALID_ID
    if 0 in b:
        b = b[:b.index(0)]
    if b == b"-" or b == b"+":
        if strict:
            raise INVALID_ID
        return (0 if b == b"-" else MAX_ID), True
    dash = b.find(b"-")
    if dash < 0:
        ms = _ull(b)
        if ms is None:
            raise INVALID_ID
        return ms << 64 | missing_seq, True
    ms = _ull(b[:dash])
    if ms is None:
        raise INVALID_ID
    rest = b[dash + 1:]
    if seq_star and rest == b"*":
        return ms << 64, False
    seq = _ull(rest)
    if seq is None:
        raise INVALID_ID
    return ms << 64 | seq, True


def _interval(b: bytes, missing_seq: int):
    """streamParseIntervalIDOrReply: (id, exclusive); '(' makes an exclusive bound."""
    if len(b) > 1 and b[0] == 40:
        return _parse_id_slow(b[1:], missing_seq, True, False)[0], True
    return parse_id(b, missing_seq), False


def _start_bound(b: bytes) -> int:
    i, ex = _interval(b, 0)
    if ex:
        if i == MAX_ID:
            raise BAD_START
        i += 1
    return i


def _end_bound(b: bytes) -> int:
    i, ex = _interval(b, M64)
    if ex:
        if i == 0:
            raise BAD_END
        i -= 1
    return i


# ---------------------------------------------------------------- lookups, events
def _read(c, key):
    """lookupKeyRead + checkType: the stream or None (keyspace hits/misses counted)."""
    v = c.db.get(key)
    st = c.engine.stats
    if v is None:
        st.keyspace_misses += 1
        return None
    st.keyspace_hits += 1
    if v.__class__ is not Stream:
        raise WRONGTYPE
    return v


def _write(c, key):
    """lookupKeyWrite + checkType."""
    v = c.db.get(key)
    if v is None or v.__class__ is Stream:
        return v
    raise WRONGTYPE


def _notify(c, key: bytes, event: bytes, dirty: int = 1):
    """A consumer-group change Redis does not signal as a key modification: dirty
    counter and keyspace notification (and the GUI's change feed), but no WATCH, client
    tracking or blocked-reader wake-up."""
    e = c.engine
    e.dirty += dirty
    v = c.db.data.get(key)
    if v is not None:
        refresh(c.db, key, v)               # engine.memory: groups and PELs cost memory
    listeners = e.write_listeners
    if listeners:
        skip = (e.blocking._on_write, e.tracking._on_write)
        for fn in listeners:
            if fn not in skip:
                fn(c.db, key, event, G, c)


def _must_obey(c) -> bool:
    """mustObeyClient: the master link (and AOF loading) may trim without limits."""
    return "M" in c.flags


def _cfg(c):
    v = c.engine.config.values
    return v["stream-node-max-bytes"], v["stream-node-max-entries"]


# ---------------------------------------------------------------- XADD / XTRIM parsing
class _Trim:
    __slots__ = ("strategy", "approx", "maxlen", "minid", "limit", "arg_idx", "nomk",
                 "id", "seq_given", "idpos")

    def __init__(self):
        self.strategy = 0             # 0 none, 1 MAXLEN, 2 MINID
        self.approx = False
        self.maxlen = 0
        self.minid = 0
        self.limit = 0
        self.arg_idx = 0              # index in args of the MAXLEN/MINID value
        self.nomk = False
        self.id = None                # XADD's explicit ID (None: '*')
        self.seq_given = True
        self.idpos = 0


def _parse_trim(c, args, xadd: bool) -> _Trim:
    """streamParseAddOrTrimArgsOrReply; ``args`` start after the key."""
    t = _Trim()
    n = len(args)
    i = 0
    limit_given = False
    while i < n:
        moreargs = n - 1 - i
        opt = args[i]
        if xadd and opt == b"*":
            break
        lo = opt.lower()
        if (lo == b"maxlen" or lo == b"minid") and moreargs:
            if t.strategy:
                raise MAXLEN_MINID
            t.approx = False
            nxt = args[i + 1]
            if moreargs >= 2 and nxt == b"~":
                t.approx = True
                i += 1
            elif moreargs >= 2 and nxt == b"=":
                i += 1
            if lo == b"maxlen":
                v = to_int(args[i + 1])
                if v is None:
                    raise NOT_INTEGER
                if v < 0:
                    raise MAXLEN_NEG
                t.maxlen = v
                t.strategy = 1
            else:
                t.minid = _parse_id_slow(args[i + 1], 0, True, False)[0]
                t.strategy = 2
            i += 1
            t.arg_idx = i
        elif lo == b"limit" and moreargs:
            v = to_int(args[i + 1])
            if v is None:
                raise NOT_INTEGER
            if v < 0:
                raise LIMIT_NEG
            t.limit = v
            limit_given = True
            i += 1
        elif xadd and lo == b"nomkstream":
            t.nomk = True
        elif xadd:
            t.id, t.seq_given = _parse_id_slow(opt, 0, True, True)
            break
        else:
            raise SYNTAX
        i += 1
    t.idpos = i
    if t.limit and not t.strategy:
        raise LIMIT_NO_STRATEGY
    if not xadd and not t.strategy:
        raise XTRIM_NO_STRATEGY
    if _must_obey(c):
        t.limit = 0
    elif limit_given:
        if not t.approx:
            raise LIMIT_NO_TILDE
    elif t.approx:
        limit = 100 * c.engine.config.values["stream-node-max-entries"]
        t.limit = 10000 if limit <= 0 else min(limit, 1000000)
    else:
        t.limit = 0
    return t


def _trim(s: Stream, t: _Trim) -> int:
    return s.trim(t.maxlen if t.strategy == 1 else None, t.minid, t.approx, t.limit)


def _trim_rewrite(s: Stream, t: _Trim, argv: list):
    """streamRewriteApproxSpecifier + streamRewriteTrimArgument: '~' -> '=' and the
    value -> what was kept (length, or first ID with tombstones; the max ID when
    empty), so replicas and AOF trim exactly the same.  argv is the full command."""
    k = t.arg_idx + 2
    argv[k - 1] = b"="
    if t.strategy == 1:
        argv[k] = b"%d" % s.length
    else:
        first = s.first_any_id()
        argv[k] = fmt_id(MAX_ID if first is None else first)


# ---------------------------------------------------------------- XADD
@command("XADD", arity=-5, group=G, since="5.0.0",
         flags={Flag.WRITE, Flag.DENYOOM, Flag.FAST}, acl=S,
         keys=[KeySpec(1, flags={KS.RW, KS.UPDATE},
                       notes="UPDATE instead of INSERT because of the optional trimming "
                             "feature")],
         tips=["nondeterministic_output"],
         summary="Appends a new entry to a stream",
         complexity="O(1) when adding a new entry, O(N) when trimming where N being the "
                    "number of entries evicted.",
         history=[("6.2.0", "Added the `NOMKSTREAM` option, `MINID` trimming strategy and "
                            "the `LIMIT` option."),
                  ("7.0.0", "Added support for the `<ms>-*` explicit ID form.")])
def cmd_xadd(c, key, *args):
    """XADD key [NOMKSTREAM] [MAXLEN|MINID [=|~] threshold [LIMIT count]] *|id field
    value [field value ...]"""
    if args[0] == b"*":                 # the common case: no options, generated ID
        t = None
        idpos = 0
        given = None
    else:
        t = _parse_trim(c, args, True)
        idpos = t.idpos
        given = t.id
    nfv = len(args) - idpos - 1
    if nfv < 2 or nfv & 1:
        raise WrongArity("xadd")
    if given is not None and t.seq_given and given == 0:
        raise ID_ZERO
    db = c.db
    s = db.get(key)
    if s is None:
        if t is not None and t.nomk:
            return None
        s = Stream()
        new = True
    elif s.__class__ is not Stream:
        raise WRONGTYPE
    else:
        new = False
    last = s.last_id
    if last == MAX_ID:
        raise EXHAUSTED
    reply = None
    if given is None:
        ms = c.engine.now_ms
        if ms > last >> 64:
            i = ms << 64
            reply = b"%d-0" % ms
        else:
            i = last + 1
    elif t.seq_given:
        i = given
    elif given >> 64 == last >> 64:
        if last & M64 == M64:         # 7.0.15 leaves errno unset here: the wrong text
            raise TOO_LARGE
        i = last + 1
    else:
        i = given
    if i <= last:
        raise ID_SMALL
    fv = args[idpos + 1:]
    cfg = c.engine.config.values
    s.append(i, fv, cfg["stream-node-max-bytes"], cfg["stream-node-max-entries"])
    if new:
        db.data[key] = s
    if reply is None:
        reply = b"%d-%d" % (i >> 64, i & M64)
    c.written(key, b"xadd")
    rewrite = c.engine.propagators and (given is None or not t.seq_given)
    if t is not None and t.strategy:
        if _trim(s, t):
            c.written(key, b"xtrim", dirty=0)
        if t.approx:
            rewrite = bool(c.engine.propagators)
    if rewrite:
        argv = list(c.argv)
        if t is not None and t.approx:
            _trim_rewrite(s, t, argv)
        if given is None or not t.seq_given:
            argv[idpos + 2] = reply
        c.rewrite(*argv)
    return reply


# ---------------------------------------------------------------- XTRIM / XDEL / XLEN
@command("XTRIM", arity=-4, group=G, since="5.0.0", flags={Flag.WRITE}, acl=S,
         keys=RW_DELETE, tips=["nondeterministic_output"],
         summary="Trims the stream to (approximately if '~' is passed) a certain size",
         complexity="O(N), with N being the number of evicted entries. Constant times are "
                    "very small however, since entries are organized in macro nodes "
                    "containing multiple entries that can be released with a single "
                    "deallocation.",
         history=[("6.2.0", "Added the `MINID` trimming strategy and the `LIMIT` option.")])
def cmd_xtrim(c, key, *args):
    """XTRIM key MAXLEN|MINID [=|~] threshold [LIMIT count]"""
    t = _parse_trim(c, args, False)
    s = _write(c, key)
    if s is None:
        return 0
    deleted = _trim(s, t)
    if deleted:
        c.written(key, b"xtrim", dirty=deleted)
        if t.approx and c.engine.propagators:
            argv = list(c.argv)
            _trim_rewrite(s, t, argv)
            c.rewrite(*argv)
    return deleted


@command("XDEL", arity=-3, group=G, since="5.0.0", flags={Flag.WRITE, Flag.FAST}, acl=S,
         keys=RW_DELETE,
         summary="Removes the specified entries from the stream. Returns the number of "
                 "items actually deleted, that may be different from the number of IDs "
                 "passed in case certain IDs do not exist.",
         complexity="O(1) for each single item to delete in the stream, regardless of the "
                    "stream size.")
def cmd_xdel(c, key, *ids):
    """XDEL key id [id ...]"""
    s = _write(c, key)
    if s is None:
        return 0
    parsed = [parse_id(b, 0, True) for b in ids]
    deleted = 0
    first_entry = False
    for i in parsed:
        if s.delete(i):
            if i == s.first_id:
                first_entry = True
            if i > s.max_deleted:
                s.max_deleted = i
            deleted += 1
    if deleted:
        if not s.length:
            s.first_id = 0
        elif first_entry:
            s.first_id = s.first_valid_id()
        c.written(key, b"xdel", dirty=deleted)
    return deleted


@command("XLEN", arity=2, group=G, since="5.0.0", flags={Flag.READONLY, Flag.FAST}, acl=S,
         keys=[KeySpec(1, flags={KS.RO})], summary="Return the number of entries in a stream",
         complexity="O(1)")
def cmd_xlen(c, key):
    """XLEN key"""
    s = _read(c, key)
    return 0 if s is None else s.length


# ---------------------------------------------------------------- XRANGE / XREVRANGE
def _range(c, key, start_arg, end_arg, opts, rev: bool):
    start = _start_bound(start_arg)
    end = _end_bound(end_arg)
    count = -1
    i, n = 0, len(opts)
    while i < n:
        if opts[i].lower() == b"count" and n - i - 1 >= 1:
            count = to_int(opts[i + 1])
            if count is None:
                raise NOT_INTEGER
            if count < 0:
                count = 0
            i += 2
        else:
            raise SYNTAX
    s = _read(c, key)
    if s is None:
        return []
    if count == 0:
        return NULL_ARRAY
    if count == -1:
        count = 0
    return s.revrange(start, end, count) if rev else s.range(start, end, count)


_RANGE_CX = ("O(N) with N being the number of elements being returned. If N is constant "
             "(e.g. always asking for the first 10 elements with COUNT), you can consider "
             "it O(1).")


@command("XRANGE", arity=-4, group=G, since="5.0.0", flags={Flag.READONLY}, acl=S,
         keys=RO_ACCESS,
         summary="Return a range of elements in a stream, with IDs matching the specified "
                 "IDs interval", complexity=_RANGE_CX,
         history=[("6.2.0", "Added exclusive ranges.")])
def cmd_xrange(c, key, start, end, *opts):
    """XRANGE key start end [COUNT count]"""
    return _range(c, key, start, end, opts, False)


@command("XREVRANGE", arity=-4, group=G, since="5.0.0", flags={Flag.READONLY}, acl=S,
         keys=RO_ACCESS,
         summary="Return a range of elements in a stream, with IDs matching the specified "
                 "IDs interval, in reverse order (from greater to smaller IDs) compared to "
                 "XRANGE",
         complexity=_RANGE_CX.replace("being returned", "returned"),
         history=[("6.2.0", "Added exclusive ranges.")])
def cmd_xrevrange(c, key, end, start, *opts):
    """XREVRANGE key end start [COUNT count]"""
    return _range(c, key, start, end, opts, True)


# ---------------------------------------------------------------- group delivery
def _xclaim_argv(key, groupname, idb: bytes, nack: Nack, g: Group) -> list:
    """streamPropagateXCLAIM: an idempotent XCLAIM recreating the PEL entry."""
    return [b"XCLAIM", key, groupname, nack.consumer.name, b"0", idb, b"TIME",
            b"%d" % nack.time, b"RETRYCOUNT", b"%d" % nack.count, b"FORCE", b"JUSTID",
            b"LASTID", fmt_id(g.last_id)]


def _setid_argv(key, groupname, g: Group) -> list:
    """streamPropagateGroupID."""
    return [b"XGROUP", b"SETID", key, groupname, fmt_id(g.last_id), b"ENTRIESREAD",
            b"%d" % g.entries_read]


def _consumer(c, g: Group, name: bytes, key: bytes, now: int) -> tuple:
    """streamLookupConsumer (refreshing seen-time) or streamCreateConsumer (dirty,
    notification).  Returns (consumer, created)."""
    cons = g.consumers.get(name)
    if cons is not None:
        cons.seen = now
        return cons, False
    cons = g.consumers[name] = Consumer(name, now)
    _notify(c, key, b"xgroup-createconsumer")
    return cons, True


def _deliver(s: Stream, g: Group, cons: Consumer, start: int, count: int, noack: bool,
             now: int, props, key, groupname) -> list:
    """streamReplyWithRange with a group: entries from ``start`` up, advancing the
    group's last ID and entries-read, creating (or moving) PEL entries unless NOACK.
    ``props`` (a list, or None when nothing is propagated) collects XCLAIMs.  Walks
    the nodes itself and appends to the PELs inline: this is XREADGROUP's hot loop."""
    out = []
    nodes = s.nodes
    if not nodes:
        return out
    k = bisect_right(s.keys, start) - 1
    if k < 0:
        k = 0
    node = nodes[k]
    ids, vals = node.ids, node.vals
    y = bisect_left(ids, start)
    gpel = g.pel
    cpel = cons.pel
    gorder, corder = gpel.order, cpel.order
    last = g.last_id
    setid = False
    while True:
        if y >= len(ids):
            k += 1
            if k >= len(nodes):
                break
            node = nodes[k]
            ids, vals = node.ids, node.vals
            y = 0
            continue
        fv = vals[y]
        i = ids[y]
        y += 1
        if fv is None:
            continue
        if i > last:
            if g.entries_read != INVALID and not (
                    s.max_deleted and s.range_has_tombstones(i)):
                g.entries_read += 1
            elif s.entries_added:
                g.entries_read = s.estimate_distance(i)
            g.last_id = last = i
            if noack:
                setid = True
        idb = b"%d-%d" % (i >> 64, i & M64)
        out.append((idb, fv))
        if not noack:
            nack = gpel.get(i)
            if nack is None:
                nack = Nack(cons, now)
                if gorder and i <= gorder[-1]:
                    gpel.add(i, nack)
                else:
                    gpel[i] = nack
                    gorder.append(i)
                if corder and i <= corder[-1]:
                    cpel.add(i, nack)
                else:
                    cpel[i] = nack
                    corder.append(i)
            else:                          # delivered before (XGROUP SETID moved back)
                nack.consumer.pel.remove(i)
                nack.consumer = cons
                nack.time = now
                nack.count = 1
                cpel.add(i, nack)
            if props is not None:
                props.append(_xclaim_argv(key, groupname, idb, nack, g))
        if len(out) == count:
            break
    if setid and props is not None:
        props.append(_setid_argv(key, groupname, g))
    return out


def _history(s: Stream, cons: Consumer, start: int, count: int, now: int) -> list:
    """streamReplyWithRangeFromConsumerPEL: the consumer's pending entries from
    ``start``; a pending ID whose entry is gone comes back with a null body."""
    out = []
    pel = cons.pel
    for i in pel.ids_from(start):
        fv = s.get(i)
        idb = b"%d-%d" % (i >> 64, i & M64)
        if fv is None:
            out.append([idb, NULL_ARRAY])
        else:
            out.append([idb, fv])
            nack = pel[i]
            nack.time = now
            nack.count += 1
        if len(out) == count:
            break
    return out


def _propagate_now(c, props: list):
    """Propagate from outside the dispatcher (a blocked reader being served)."""
    if props and c.engine.propagators:
        c.engine.propagate_all(c.db.id, props)


# ---------------------------------------------------------------- XREAD / XREADGROUP
def _xread(c, args, group_cmd: bool):
    """xreadCommand (XREAD and XREADGROUP)."""
    deadline = None
    count = 0
    streams_at = 0
    noack = False
    groupname = consumername = None
    n = len(args)
    i = 0
    while i < n:
        moreargs = n - i - 1
        o = args[i].lower()
        if o == b"block" and moreargs:
            i += 1
            deadline = parse_timeout(c, args[i], seconds=False)
        elif o == b"count" and moreargs:
            i += 1
            count = to_int(args[i])
            if count is None:
                raise NOT_INTEGER
            if count < 0:
                count = 0
        elif o == b"streams" and moreargs:
            streams_at = i + 1
            nk = n - streams_at
            if nk & 1:
                raise UNBALANCED
            nk >>= 1
            break
        elif o == b"group" and moreargs >= 2:
            if not group_cmd:
                raise GROUP_ONLY
            groupname = args[i + 1]
            consumername = args[i + 2]
            i += 2
        elif o == b"noack":
            if not group_cmd:
                raise NOACK_ONLY
            noack = True
        else:
            raise SYNTAX
        i += 1
    if not streams_at:
        raise SYNTAX
    if group_cmd and groupname is None:
        raise MISSING_GROUP
    keys = args[streams_at:streams_at + nk]
    ids = []
    groups = [] if groupname is not None else None
    for k in range(nk):
        key = keys[k]
        s = _read(c, key)
        if groups is not None:
            g = s.groups.get(groupname) if s is not None and s.groups else None
            if g is None:
                raise RedisError(
                    f"NOGROUP No such key '{_s(key)}' or consumer group '{_s(groupname)}' "
                    f"in XREADGROUP with GROUP option")
            groups.append(g)
        a = args[streams_at + nk + k]
        if a == b"$":
            if group_cmd:
                raise DOLLAR_GROUP
            ids.append(s.last_id if s is not None else 0)
        elif a == b">":
            if not group_cmd:
                raise GT_ONLY
            ids.append(MAX_ID)
        else:
            ids.append(parse_id(a, 0, True))
    e = c.engine
    props = [] if groups is not None and e.propagators else None
    if groups is not None:
        c.also_propagate()                 # XREADGROUP is replicated as its effects
    now = e.now_ms
    resp3 = c.resp == 3
    out = {} if resp3 else []
    for k in range(nk):
        key = keys[k]
        s = _read(c, key)
        if s is None:
            continue
        gt = ids[k]
        sync = history = False
        if groups is not None:
            g = groups[k]
            if gt != MAX_ID:
                sync = history = True
            elif s.length and s.last_valid_id() > g.last_id:
                sync = True
                gt = g.last_id
        elif s.length and s.last_valid_id() > gt:
            sync = True
        if not sync:
            continue
        if groups is not None:
            cons, created = _consumer(c, g, consumername, key, now)
            if created and noack and props is not None:
                props.append([b"XGROUP", b"CREATECONSUMER", key, groupname, consumername])
            if history:
                entries = _history(s, cons, gt + 1, count, now)
            else:
                entries = _deliver(s, g, cons, gt + 1, count, noack, now, props, key,
                                   groupname)
            e.dirty += 1
            refresh(c.db, key, s)          # engine.memory: the PELs grew
        else:
            entries = s.range(gt + 1, MAX_ID, count)
        if resp3:
            out[key] = entries
        else:
            out.append([key, entries])
    if props:
        for a in props:
            c.also_propagate(*a)
    if out:
        return out
    if deadline is not None:
        data = (dict(zip(keys, ids)), count or XREAD_BLOCKED_DEFAULT_COUNT, groupname,
                consumername, noack)
        return block(c, keys, deadline, _serve_blocked, NULL_ARRAY, data)
    return NULL_ARRAY


def _serve_blocked(c, key, rec):
    """serveClientsBlockedOnStreamKey for one blocked XREAD/XREADGROUP and one key."""
    gts, count, groupname, consumername, noack = rec.data
    s = c.db.get(key)
    if s is None or s.__class__ is not Stream:
        if groupname is None:
            return NOT_SERVED
        _unblock_group_readers(c, key, rec)
        return UNBLOCKED_DELETED
    gt = gts[key]
    g = None
    if groupname is not None:
        g = s.groups.get(groupname) if s.groups else None
        if g is None:
            return NOGROUP_BLOCKED
        gt = g.last_id
    if s.last_id <= gt:
        return NOT_SERVED
    e = c.engine
    now = e.now_ms
    if g is not None:
        props = [] if e.propagators else None
        cons, created = _consumer(c, g, consumername, key, now)
        if created and noack and props is not None:
            props.append([b"XGROUP", b"CREATECONSUMER", key, groupname, consumername])
        entries = _deliver(s, g, cons, gt + 1, count, noack, now, props, key, groupname)
        if props:
            _propagate_now(c, props)
    else:
        entries = s.range(gt + 1, MAX_ID, count)
    return {key: entries} if c.resp == 3 else [[key, entries]]


def _unblock_group_readers(c, key, rec):
    """The key is gone or no longer a stream: every XREADGROUP blocked on it gets the
    error, not only the first one tried (the registry stops at a missing key)."""
    bl = c.engine.blocking
    for other in list(bl.waiting.get((rec.db.id, key), ())):
        if other is not rec and other.serve is _serve_blocked and other.data[2] is not None \
                and other.client.blocked is other:
            bl.unblock(other.client, UNBLOCKED_DELETED)


_XREAD_KEYS = [KeySpec(1, keyword="STREAMS", last=-1, step=1, limit=2,
                       flags={KS.RO, KS.ACCESS})]


@command("XREAD", arity=-4, group=G, since="5.0.0",
         flags={Flag.READONLY, Flag.BLOCKING, Flag.MOVABLEKEYS}, acl=S, keys=_XREAD_KEYS,
         summary="Return never seen elements in multiple streams, with IDs greater than the "
                 "ones reported by the caller for each stream. Can block.",
         complexity="For each stream mentioned: O(N) with N being the number of elements "
                    "being returned, it means that XREAD-ing with a fixed COUNT is O(1). "
                    "Note that when the BLOCK option is used, XADD will pay O(M) time in "
                    "order to serve the M clients blocked on the stream getting new data.")
def cmd_xread(c, *args):
    """XREAD [COUNT count] [BLOCK milliseconds] STREAMS key [key ...] id [id ...]"""
    return _xread(c, args, False)


@command("XREADGROUP", arity=-7, group=G, since="5.0.0",
         flags={Flag.WRITE, Flag.BLOCKING, Flag.MOVABLEKEYS}, acl=S,
         keys=[KeySpec(4, keyword="STREAMS", last=-1, step=1, limit=2,
                       flags={KS.RO, KS.ACCESS})],
         summary="Return new entries from a stream using a consumer group, or access the "
                 "history of the pending entries for a given consumer. Can block.",
         complexity="For each stream mentioned: O(M) with M being the number of elements "
                    "returned. If M is constant (e.g. always asking for the first 10 "
                    "elements with COUNT), you can consider it O(1). On the other side when "
                    "XREADGROUP blocks, XADD will pay the O(N) time in order to serve the N "
                    "clients blocked on the stream getting new data.")
def cmd_xreadgroup(c, *args):
    """XREADGROUP GROUP group consumer [COUNT count] [BLOCK milliseconds] [NOACK] STREAMS
    key [key ...] id [id ...]"""
    n = len(args)
    if (n == 6 or n == 8 and args[3].lower() == b"count") and args[5 if n == 6 else 7] \
            == b">" and args[0].lower() == b"group" and args[n - 3].lower() == b"streams":
        return _readgroup_new(c, args[1], args[2], args[4] if n == 8 else None, args[n - 2])
    return _xread(c, args, True)


def _readgroup_new(c, groupname, consumername, count_arg, key):
    """XREADGROUP GROUP g c [COUNT n] STREAMS key >: what _xread does for this shape
    (same errors, stats, replies and propagation), without its generality."""
    count = 0
    if count_arg is not None:
        count = to_int(count_arg)
        if count is None:
            raise NOT_INTEGER
        if count < 0:
            count = 0
    e = c.engine
    s = c.db.get(key)
    st = e.stats
    if s is None:
        st.keyspace_misses += 1
        g = None
    else:
        if s.__class__ is not Stream:
            st.keyspace_hits += 1
            raise WRONGTYPE
        g = s.groups.get(groupname) if s.groups else None
    if g is None:
        raise RedisError(f"NOGROUP No such key '{_s(key)}' or consumer group "
                         f"'{_s(groupname)}' in XREADGROUP with GROUP option")
    st.keyspace_hits += 2                 # Redis looks the key up twice
    c.also_propagate()
    if not s.length or s.last_valid_id() <= g.last_id:
        return NULL_ARRAY
    now = e.now_ms
    cons = g.consumers.get(consumername)
    if cons is None:
        cons = _consumer(c, g, consumername, key, now)[0]
    else:
        cons.seen = now
    props = [] if e.propagators else None
    entries = _deliver(s, g, cons, g.last_id + 1, count, False, now, props, key, groupname)
    e.dirty += 1
    refresh(c.db, key, s)                 # engine.memory: the PELs grew
    if props:
        for a in props:
            c.also_propagate(*a)
    return {key: entries} if c.resp == 3 else [[key, entries]]


# ---------------------------------------------------------------- XSETID
@command("XSETID", arity=-3, group=G, since="5.0.0",
         flags={Flag.WRITE, Flag.DENYOOM, Flag.FAST}, acl=S, keys=RW_UPDATE,
         summary="An internal command for replicating stream values", complexity="O(1)",
         history=[("7.0.0", "Added the `entries_added` and `max_deleted_entry_id` "
                            "arguments.")])
def cmd_xsetid(c, key, id_arg, *opts):
    """XSETID key last-id [ENTRIESADDED entries-added] [MAXDELETEDID max-deleted-id]"""
    i = _parse_id_slow(id_arg, 0, True, False)[0]
    max_del = 0
    added = -1
    k, n = 0, len(opts)
    while k < n:
        o = opts[k].lower()
        if o == b"entriesadded" and n - 1 - k:
            added = to_int(opts[k + 1])
            if added is None:
                raise NOT_INTEGER
            if added < 0:
                raise ENTRIES_ADDED_NEG
        elif o == b"maxdeletedid" and n - 1 - k:
            max_del = _parse_id_slow(opts[k + 1], 0, True, False)[0]
            if i < max_del:
                raise SETID_MAXDEL
        else:
            raise SYNTAX
        k += 2
    s = _write(c, key)
    if s is None:
        raise NO_SUCH_KEY
    if s.length:
        if i < s.last_valid_id():
            raise SETID_SMALL
        if added != -1 and s.length > added:
            raise SETID_ADDED
    s.last_id = i
    if added != -1:
        s.entries_added = added
    if max_del:
        s.max_deleted = max_del
    _notify(c, key, b"xsetid")
    return OK


# ---------------------------------------------------------------- XGROUP
container("XGROUP", group=G, since="5.0.0",
          summary="A container for consumer groups commands")

XGROUP_HELP = [
    "XGROUP <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "CREATE <key> <groupname> <id|$> [option]",
    "    Create a new consumer group. Options are:",
    "    * MKSTREAM",
    "      Create the empty stream if it does not exist.",
    "    * ENTRIESREAD entries_read",
    "      Set the group's entries_read counter (internal use).",
    "CREATECONSUMER <key> <groupname> <consumer>",
    "    Create a new consumer in the specified group.",
    "DELCONSUMER <key> <groupname> <consumer>",
    "    Remove the specified consumer.",
    "DESTROY <key> <groupname>",
    "    Remove the specified group.",
    "SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
    "    Set the current group ID and entries_read counter.",
    "HELP",
    "    Prints this help.",
]


def _xgroup(c, sub: bytes, key, groupname, rest):
    """xgroupCommand's shared prologue: options, key and group checks.  Returns
    (stream or None, group or None, mkstream, entries_read)."""
    mkstream = False
    entries_read = INVALID
    create = sub == b"create"
    i, n = 1 if create or sub == b"setid" else len(rest), len(rest)
    while i < n:
        o = rest[i].lower()
        if create and o == b"mkstream":
            mkstream = True
            i += 1
        elif o == b"entriesread" and i + 1 < n:
            entries_read = to_int(rest[i + 1])
            if entries_read is None:
                raise NOT_INTEGER
            if entries_read < 0 and entries_read != INVALID:
                raise ENTRIESREAD_NEG
            i += 2
        else:
            raise _sub_syntax(c, "XGROUP")
    s = _write(c, key)
    g = s.groups.get(groupname) if s is not None and s.groups else None
    if not mkstream:
        if s is None:
            raise KEY_REQUIRED
        if g is None and sub in (b"setid", b"createconsumer", b"delconsumer"):
            raise _nogroup_name(groupname, key)
    return s, g, mkstream, entries_read


_XG_INSERT = [KeySpec(2, flags={KS.RW, KS.INSERT})]


@command("XGROUP CREATE", arity=-5, group=G, since="5.0.0",
         flags={Flag.WRITE, Flag.DENYOOM}, acl=S, keys=_XG_INSERT,
         summary="Create a consumer group.", complexity="O(1)",
         history=[("7.0.0", "Added the `entries_read` named argument.")])
def cmd_xgroup_create(c, key, groupname, id_arg, *opts):
    """XGROUP CREATE key group id|$ [MKSTREAM] [ENTRIESREAD entries-read]"""
    s, g, mkstream, entries_read = _xgroup(c, b"create", key, groupname, (id_arg,) + opts)
    if len(opts) > 3:
        raise _sub_syntax(c, "XGROUP")
    if id_arg == b"$":
        i = s.last_id if s is not None else 0
    else:
        i = _parse_id_slow(id_arg, 0, True, False)[0]
    created_key = False
    if s is None:
        s = Stream()
        c.db.data[key] = s
        created_key = True
    if s.groups is None:
        s.groups = {}
    if groupname in s.groups:
        raise BUSYGROUP
    s.groups[groupname] = Group(groupname, i, entries_read)
    if created_key:
        c.written(key, b"xgroup-create")
    else:
        _notify(c, key, b"xgroup-create")
    return OK


@command("XGROUP SETID", arity=-5, group=G, since="5.0.0", flags={Flag.WRITE}, acl=S,
         keys=[KeySpec(2, flags={KS.RW, KS.UPDATE})],
         summary="Set a consumer group to an arbitrary last delivered ID value.",
         complexity="O(1)",
         history=[("7.0.0", "Added the optional `entries_read` argument.")])
def cmd_xgroup_setid(c, key, groupname, id_arg, *opts):
    """XGROUP SETID key group id|$ [ENTRIESREAD entries-read]"""
    s, g, _, entries_read = _xgroup(c, b"setid", key, groupname, (id_arg,) + opts)
    if len(opts) not in (0, 2):
        raise _sub_syntax(c, "XGROUP")
    i = s.last_id if id_arg == b"$" else _parse_id_slow(id_arg, 0, False, False)[0]
    g.last_id = i
    g.entries_read = entries_read
    _notify(c, key, b"xgroup-setid")
    return OK


@command("XGROUP DESTROY", arity=4, group=G, since="5.0.0", flags={Flag.WRITE}, acl=S,
         keys=[KeySpec(2, flags={KS.RW, KS.DELETE})], summary="Destroy a consumer group.",
         complexity="O(N) where N is the number of entries in the group's pending entries "
                    "list (PEL).")
def cmd_xgroup_destroy(c, key, groupname):
    """XGROUP DESTROY key group"""
    s, g, _, _ = _xgroup(c, b"destroy", key, groupname, ())
    if g is None:
        return 0
    del s.groups[groupname]
    _notify(c, key, b"xgroup-destroy")
    c.engine.blocking.signal_key_as_ready(c.db, key)   # blocked readers get NOGROUP
    return 1


@command("XGROUP CREATECONSUMER", arity=5, group=G, since="6.2.0",
         flags={Flag.WRITE, Flag.DENYOOM}, acl=S, keys=_XG_INSERT,
         summary="Create a consumer in a consumer group.", complexity="O(1)")
def cmd_xgroup_createconsumer(c, key, groupname, consumername):
    """XGROUP CREATECONSUMER key group consumer"""
    s, g, _, _ = _xgroup(c, b"createconsumer", key, groupname, ())
    if consumername in g.consumers:
        return 0
    g.consumers[consumername] = Consumer(consumername, c.engine.now_ms)
    _notify(c, key, b"xgroup-createconsumer")
    return 1


@command("XGROUP DELCONSUMER", arity=5, group=G, since="5.0.0", flags={Flag.WRITE}, acl=S,
         keys=[KeySpec(2, flags={KS.RW, KS.DELETE})],
         summary="Delete a consumer from a consumer group.", complexity="O(1)")
def cmd_xgroup_delconsumer(c, key, groupname, consumername):
    """XGROUP DELCONSUMER key group consumer"""
    s, g, _, _ = _xgroup(c, b"delconsumer", key, groupname, ())
    cons = g.consumers.get(consumername)
    if cons is None:
        return 0
    pending = g.delete_consumer(cons)
    _notify(c, key, b"xgroup-delconsumer")
    return pending


@command("XGROUP HELP", arity=2, group=G, since="5.0.0", flags={Flag.LOADING, Flag.STALE},
         acl=S, summary="Show helpful text about the different subcommands",
         complexity="O(1)")
def cmd_xgroup_help(c):
    """XGROUP HELP"""
    return [Status(line.encode()) for line in XGROUP_HELP]


# ---------------------------------------------------------------- XACK / XPENDING
@command("XACK", arity=-4, group=G, since="5.0.0", flags={Flag.WRITE, Flag.FAST}, acl=S,
         keys=RW_UPDATE,
         summary="Marks a pending message as correctly processed, effectively removing it "
                 "from the pending entries list of the consumer group. Return value of the "
                 "command is the number of messages successfully acknowledged, that is, the "
                 "IDs we were actually able to resolve in the PEL.",
         complexity="O(1) for each message ID processed.")
def cmd_xack(c, key, groupname, *ids):
    """XACK key group id [id ...]"""
    s = _read(c, key)
    g = s.groups.get(groupname) if s is not None and s.groups else None
    if g is None:
        return 0
    parsed = [parse_id(b, 0, True) for b in ids]
    gpel = g.pel
    acked = 0
    for i in parsed:
        nack = gpel.get(i)
        if nack is not None:
            gpel.remove(i)
            nack.consumer.pel.remove(i)
            acked += 1
    c.engine.dirty += acked
    if acked:
        refresh(c.db, key, s)              # engine.memory: the PELs shrank
    return acked


@command("XPENDING", arity=-3, group=G, since="5.0.0", flags={Flag.READONLY}, acl=S,
         keys=RO_ACCESS, tips=["nondeterministic_output"],
         summary="Return information and entries from a stream consumer group pending "
                 "entries list, that are messages fetched but never acknowledged.",
         complexity="O(N) with N being the number of elements returned, so asking for a "
                    "small fixed number of entries per call is O(1). O(M), where M is the "
                    "total number of entries scanned when used with the IDLE filter. When "
                    "the command returns just the summary and the list of consumers is "
                    "small, it runs in O(1) time; otherwise, an additional O(N) time for "
                    "iterating every consumer.",
         history=[("6.2.0", "Added the `IDLE` option and exclusive range intervals.")])
def cmd_xpending(c, key, groupname, *opts):
    """XPENDING key group [[IDLE min-idle-time] start end count [consumer]]"""
    argc = len(opts) + 3
    if argc != 3 and (argc < 6 or argc > 9):
        raise SYNTAX
    minidle = 0
    consumername = None
    if argc >= 6:
        k = 0
        if opts[0].lower() == b"idle":
            minidle = to_int(opts[1])
            if minidle is None:
                raise NOT_INTEGER
            if argc < 8:
                raise SYNTAX
            k = 2
        count = to_int(opts[k + 2])
        if count is None:
            raise NOT_INTEGER
        if count < 0:
            count = 0
        start = _start_bound(opts[k])
        end = _end_bound(opts[k + 1])
        if k + 3 < len(opts):
            consumername = opts[k + 3]
    s = _read(c, key)
    g = s.groups.get(groupname) if s is not None and s.groups else None
    if g is None:
        raise _nogroup_key(key, groupname)
    pel = g.pel
    if argc == 3:
        if not pel:
            return [0, None, None, NULL_ARRAY]
        return [len(pel), fmt_id(pel.first()), fmt_id(pel.last()),
                [[cons.name, b"%d" % len(cons.pel)] for cons in g.sorted_consumers()
                 if cons.pel]]
    if consumername is not None:
        cons = g.consumers.get(consumername)
        if cons is None:
            return []
        pel = cons.pel
    now = c.engine.now_ms
    out = []
    if not count:
        return out
    for i in pel.ids_from(start, end):
        nack = pel[i]
        idle = now - nack.time
        if minidle and idle < minidle:
            continue
        out.append([fmt_id(i), nack.consumer.name, idle if idle > 0 else 0, nack.count])
        if len(out) == count:
            break
    return out


# ---------------------------------------------------------------- XCLAIM / XAUTOCLAIM
def _option_int(b: bytes, err: RedisError) -> int:
    v = to_int(b)
    if v is None:
        raise err
    return v


@command("XCLAIM", arity=-6, group=G, since="5.0.0", flags={Flag.WRITE, Flag.FAST}, acl=S,
         keys=RW_UPDATE, tips=["nondeterministic_output"],
         summary="Changes (or acquires) ownership of a message in a consumer group, as if "
                 "the message was delivered to the specified consumer.",
         complexity="O(log N) with N being the number of messages in the PEL of the "
                    "consumer group.")
def cmd_xclaim(c, key, groupname, consumername, minidle_arg, *rest):
    """XCLAIM key group consumer min-idle-time id [id ...] [IDLE ms] [TIME unix-time-ms]
    [RETRYCOUNT count] [FORCE] [JUSTID] [LASTID lastid]"""
    s = _read(c, key)
    g = s.groups.get(groupname) if s is not None and s.groups else None
    if g is None:
        raise _nogroup_key(key, groupname)
    minidle = _option_int(minidle_arg, MINIDLE_XCLAIM)
    if minidle < 0:
        minidle = 0
    ids = []
    j, n = 0, len(rest)
    while j < n:                        # IDs until the first argument that is not one
        try:
            ids.append(_parse_id_slow(rest[j], 0, True, False)[0])
        except RedisError:
            break
        j += 1
    e = c.engine
    now = e.now_ms
    force = justid = False
    deliverytime = retrycount = -1
    last_id = 0
    while j < n:
        o = rest[j].lower()
        more = n - 1 - j
        if o == b"force":
            force = True
        elif o == b"justid":
            justid = True
        elif o == b"idle" and more:
            j += 1
            deliverytime = now - _option_int(
                rest[j], RedisError("ERR Invalid IDLE option argument for XCLAIM"))
        elif o == b"time" and more:
            j += 1
            deliverytime = _option_int(
                rest[j], RedisError("ERR Invalid TIME option argument for XCLAIM"))
        elif o == b"retrycount" and more:
            j += 1
            retrycount = _option_int(
                rest[j], RedisError("ERR Invalid RETRYCOUNT option argument for XCLAIM"))
        elif o == b"lastid" and more:
            j += 1
            last_id = _parse_id_slow(rest[j], 0, True, False)[0]
        else:
            raise RedisError(f"ERR Unrecognized XCLAIM option '{_s(rest[j])}'")
        j += 1
    c.also_propagate()                  # replicated as its effects
    props = [] if e.propagators else None
    setid = False
    if last_id > g.last_id:
        g.last_id = last_id
        setid = True
    if deliverytime != -1:
        if deliverytime < 0 or deliverytime > now:
            deliverytime = now
    else:
        deliverytime = now
    gpel = g.pel
    cons = None
    out = []
    for i in ids:
        nack = gpel.get(i)
        fv = s.get(i)
        if fv is None:                   # the entry is gone: drop it from the PEL
            if nack is not None:
                if props is not None:
                    props.append(_xclaim_argv(key, groupname, fmt_id(i), nack, g))
                setid = False
                e.dirty += 1
                gpel.remove(i)
                nack.consumer.pel.remove(i)
            continue
        if force and nack is None:
            nack = Nack(None, now)
            gpel.add(i, nack)
        if nack is None:
            continue
        if nack.consumer is not None and minidle and now - nack.time < minidle:
            continue
        if cons is None:
            cons = _consumer(c, g, consumername, key, now)[0]
        if nack.consumer is not cons and nack.consumer is not None:
            nack.consumer.pel.remove(i)
        nack.time = deliverytime
        if retrycount >= 0:
            nack.count = retrycount
        elif not justid:
            nack.count += 1
        if nack.consumer is not cons:
            cons.pel.add(i, nack)
            nack.consumer = cons
        idb = fmt_id(i)
        out.append(idb if justid else [idb, fv])
        if props is not None:
            props.append(_xclaim_argv(key, groupname, idb, nack, g))
        setid = False
        e.dirty += 1
    if setid:
        if props is not None:
            props.append(_setid_argv(key, groupname, g))
        e.dirty += 1
    if props:
        for a in props:
            c.also_propagate(*a)
    return out


@command("XAUTOCLAIM", arity=-6, group=G, since="6.2.0", flags={Flag.WRITE, Flag.FAST},
         acl=S, keys=RW_DELETE, tips=["nondeterministic_output"],
         summary="Changes (or acquires) ownership of messages in a consumer group, as if "
                 "the messages were delivered to the specified consumer.",
         complexity="O(1) if COUNT is small.",
         history=[("7.0.0", "Added an element to the reply array, containing deleted "
                            "entries the command cleared from the PEL")])
def cmd_xautoclaim(c, key, groupname, consumername, minidle_arg, start_arg, *opts):
    """XAUTOCLAIM key group consumer min-idle-time start [COUNT count] [JUSTID]"""
    minidle = _option_int(minidle_arg, MINIDLE_XAUTOCLAIM)
    if minidle < 0:
        minidle = 0
    start = _start_bound(start_arg)
    count = 100
    justid = False
    j, n = 0, len(opts)
    while j < n:
        o = opts[j].lower()
        if o == b"count" and n - 1 - j:
            count = to_int(opts[j + 1])
            if count is None or count < 1 or count > _AUTOCLAIM_MAX_COUNT:
                raise COUNT_POSITIVE
            j += 1
        elif o == b"justid":
            justid = True
        else:
            raise SYNTAX
        j += 1
    s = _read(c, key)
    g = s.groups.get(groupname) if s is not None and s.groups else None
    if g is None:
        raise _nogroup_key(key, groupname)
    if count * 16 > _physical_memory():          # Redis's ztrymalloc of the deleted IDs
        raise AUTOCLAIM_MEMORY
    e = c.engine
    c.also_propagate()
    props = [] if e.propagators else None
    now = e.now_ms
    gpel = g.pel
    cons = None
    attempts = count * 10
    claimed = []
    deleted = []
    it = gpel.ids_from(start)
    exhausted = False
    while True:
        a = attempts
        attempts -= 1
        if not a or not count:
            break
        i = next(it, None)
        if i is None:
            exhausted = True
            break
        nack = gpel[i]
        fv = s.get(i)
        if fv is None:
            if props is not None:
                props.append(_xclaim_argv(key, groupname, fmt_id(i), nack, g))
            e.dirty += 1
            gpel.remove(i)
            nack.consumer.pel.remove(i)
            deleted.append(fmt_id(i))
            count -= 1
            continue
        if minidle and now - nack.time < minidle:
            continue
        if cons is None:
            cons = _consumer(c, g, consumername, key, now)[0]
        if nack.consumer is not cons:
            nack.consumer.pel.remove(i)
        nack.time = now
        if not justid:
            nack.count += 1
        if nack.consumer is not cons:
            cons.pel.add(i, nack)
            nack.consumer = cons
        idb = fmt_id(i)
        claimed.append(idb if justid else [idb, fv])
        count -= 1
        if props is not None:
            props.append(_xclaim_argv(key, groupname, idb, nack, g))
        e.dirty += 1
    nxt = None if exhausted else next(it, None)
    if props:
        for a in props:
            c.also_propagate(*a)
    return [fmt_id(nxt or 0), claimed, deleted]


# ---------------------------------------------------------------- XINFO
container("XINFO", group=G, since="5.0.0",
          summary="A container for stream introspection commands")

XINFO_HELP = [
    "XINFO <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "CONSUMERS <key> <groupname>",
    "    Show consumers of <groupname>.",
    "GROUPS <key>",
    "    Show the stream consumer groups.",
    "STREAM <key> [FULL [COUNT <count>]",
    "    Show information about the stream.",
    "HELP",
    "    Prints this help.",
]

_XI_KEYS = [KeySpec(2, flags={KS.RO, KS.ACCESS})]


def _info_read(c, key) -> Stream:
    s = _read(c, key)
    if s is None:
        raise NO_SUCH_KEY
    return s


def _entries_read(g: Group):
    return None if g.entries_read == INVALID else g.entries_read


@command("XINFO CONSUMERS", arity=4, group=G, since="5.0.0", flags={Flag.READONLY},
         acl=S, keys=_XI_KEYS, tips=["nondeterministic_output"],
         summary="List the consumers in a consumer group", complexity="O(1)")
def cmd_xinfo_consumers(c, key, groupname):
    """XINFO CONSUMERS key group"""
    s = _info_read(c, key)
    g = s.groups.get(groupname) if s.groups else None
    if g is None:
        raise _nogroup_name(groupname, key)
    now = c.engine.now_ms
    out = []
    for cons in g.sorted_consumers():
        idle = now - cons.seen
        out.append({b"name": cons.name, b"pending": len(cons.pel),
                    b"idle": idle if idle > 0 else 0})
    return out


@command("XINFO GROUPS", arity=3, group=G, since="5.0.0", flags={Flag.READONLY}, acl=S,
         keys=_XI_KEYS, summary="List the consumer groups of a stream", complexity="O(1)",
         history=[("7.0.0", "Added the `entries-read` and `lag` fields")])
def cmd_xinfo_groups(c, key):
    """XINFO GROUPS key"""
    s = _info_read(c, key)
    return [{b"name": g.name, b"consumers": len(g.consumers), b"pending": len(g.pel),
             b"last-delivered-id": fmt_id(g.last_id), b"entries-read": _entries_read(g),
             b"lag": s.lag(g)} for g in s.sorted_groups()]


@command("XINFO STREAM", arity=-3, group=G, since="5.0.0", flags={Flag.READONLY}, acl=S,
         keys=_XI_KEYS, summary="Get information about a stream", complexity="O(1)",
         history=[("6.0.0", "Added the `FULL` modifier."),
                  ("7.0.0", "Added the `max-deleted-entry-id`, `entries-added`, "
                            "`recorded-first-entry-id`, `entries-read` and `lag` fields")])
def cmd_xinfo_stream(c, key, *opts):
    """XINFO STREAM key [FULL [COUNT count]]"""
    s = _info_read(c, key)
    full = bool(opts)
    count = 10
    if opts:
        if len(opts) not in (1, 3) or opts[0].lower() != b"full":
            raise _sub_syntax(c, "XINFO")
        if len(opts) == 3:
            if opts[1].lower() != b"count":
                raise _sub_syntax(c, "XINFO")
            count = to_int(opts[2])
            if count is None:
                raise NOT_INTEGER
            if count < 0:
                count = 10
    out = {b"length": s.length, b"radix-tree-keys": len(s.keys),
           b"radix-tree-nodes": s.rax_nodes(), b"last-generated-id": fmt_id(s.last_id),
           b"max-deleted-entry-id": fmt_id(s.max_deleted),
           b"entries-added": s.entries_added,
           b"recorded-first-entry-id": fmt_id(s.first_id)}
    if not full:
        out[b"groups"] = len(s.groups) if s.groups else 0
        first = s.range(0, MAX_ID, 1)
        last = s.revrange(0, MAX_ID, 1)
        out[b"first-entry"] = first[0] if first else None
        out[b"last-entry"] = last[0] if last else None
        return out
    out[b"entries"] = s.range(0, MAX_ID, count)
    groups = []
    for g in s.sorted_groups():
        pending = []
        for i in g.pel.ids_from():
            if count and len(pending) >= count:
                break
            nack = g.pel[i]
            pending.append([fmt_id(i), nack.consumer.name, nack.time, nack.count])
        consumers = []
        for cons in g.sorted_consumers():
            cp = []
            for i in cons.pel.ids_from():
                if count and len(cp) >= count:
                    break
                nack = cons.pel[i]
                cp.append([fmt_id(i), nack.time, nack.count])
            consumers.append({b"name": cons.name, b"seen-time": cons.seen,
                              b"pel-count": len(cons.pel), b"pending": cp})
        groups.append({b"name": g.name, b"last-delivered-id": fmt_id(g.last_id),
                       b"entries-read": _entries_read(g), b"lag": s.lag(g),
                       b"pel-count": len(g.pel), b"pending": pending,
                       b"consumers": consumers})
    out[b"groups"] = groups
    return out


@command("XINFO HELP", arity=2, group=G, since="5.0.0", flags={Flag.LOADING, Flag.STALE},
         acl=S, summary="Show helpful text about the different subcommands",
         complexity="O(1)")
def cmd_xinfo_help(c):
    """XINFO HELP"""
    return [Status(line.encode()) for line in XINFO_HELP]
