"""The sorted-set group: ZADD and friends, ranges by rank/score/lex, set algebra, pops
(blocking too), ZRANDMEMBER, ZSCAN.  Encodings listpack/skiplist (engine.types.zset).

Replies carry scores as floats: RESP2 bulk strings printed %.17g, RESP3 doubles.  With
WITHSCORES, RESP2 gets a flat array and RESP3 [member, score] pairs, as Redis 7.0 does.
"""
import re

from engine import blocking
from engine.blocking import parse_timeout
from engine.commands import KS, Acl, Flag, KeySpec, command
from engine.errors import NOT_FLOAT, NOT_INTEGER, SYNTAX, WRONGTYPE, RedisError
from engine.parsing import LLONG_MAX, to_int
from engine.replies import NULL_ARRAY
from engine.types.set import Set
from engine.types.zset import ENTRIES, MAX, MIN, VALUE, ZSet

from .hash import (check_repeat, parse_cursor, random_count, read_lookup, scan_members,
                   scan_options)

Z = {Acl.SORTEDSET}
G = "sorted_set"
RO = [KeySpec(1, flags={KS.RO})]
RO_ACCESS = [KeySpec(1, flags={KS.RO, KS.ACCESS})]
RW_DELETE = [KeySpec(1, flags={KS.RW, KS.DELETE})]
POP_KEYS = [KeySpec(1, flags={KS.RW, KS.ACCESS, KS.DELETE})]
NUMKEYS_RO = [KeySpec(1, numkeys_at=0, flags={KS.RO, KS.ACCESS})]
STORE_KEYS = [KeySpec(1, flags={KS.OW, KS.UPDATE}),
              KeySpec(2, numkeys_at=0, flags={KS.RO, KS.ACCESS})]

XX_NX = RedisError("ERR XX and NX options at the same time are not compatible")
GT_LT_NX = RedisError("ERR GT, LT, and/or NX options at the same time are not compatible")
INCR_PAIR = RedisError("ERR INCR option supports a single increment-element pair")
NAN_SCORE = RedisError("ERR resulting score is not a number (NaN)")
LIMIT_RANK = RedisError("ERR syntax error, LIMIT is only supported in combination with "
                        "either BYSCORE or BYLEX")
WITHSCORES_LEX = RedisError("ERR syntax error, WITHSCORES not supported in combination "
                            "with BYLEX")
NOT_FLOAT_RANGE = RedisError("ERR min or max is not a float")
NOT_LEX_RANGE = RedisError("ERR min or max not valid string range item")
WEIGHT_NOT_FLOAT = RedisError("ERR weight value is not a float")
LIMIT_NEGATIVE = RedisError("ERR LIMIT can't be negative")
NOT_POSITIVE = RedisError("ERR value is out of range, must be positive")
NUMKEYS = RedisError("ERR numkeys should be greater than 0")
COUNT_POSITIVE = RedisError("ERR count should be greater than 0")
OUT_OF_RANGE = RedisError("ERR value is out of range")

LONG_HALF = LLONG_MAX // 2


# ---------------------------------------------------------------- argument parsing
_WS = b" \t\n\v\f\r"
_HEX = re.compile(rb"[+-]?0[xX](?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)"
                  rb"(?:[pP][+-]?[0-9]+)?")


def _hex(b: bytes):
    """strtod's hexadecimal floats ("0x1p3"), which float() does not read."""
    if _HEX.fullmatch(b) is None:
        return None
    try:
        return float.fromhex(b.decode())
    except OverflowError:
        return None


def parse_score(b: bytes, error: RedisError = NOT_FLOAT) -> float:
    """getDoubleFromObject: strtod over the whole string; no spaces around it, no NaN,
    no overflow to +-inf, no underflow to 0 ("inf" spelled out is fine)."""
    if b.isdigit() and len(b) < 300:       # the common case: a plain integer
        return float(b)
    try:
        v = float(b)
    except ValueError:
        v = _hex(b)
        if v is None:
            raise error from None
        return v
    if v != v or b[0] in _WS or b[-1] in _WS or b"_" in b:
        raise error
    if v - v != 0.0:                       # +-inf: only when spelled out, not by overflow
        if b"n" not in b and b"N" not in b:
            raise error
    elif v == 0.0 and b.split(b"e")[0].split(b"E")[0].strip(b"+-.0"):
        raise error                        # a nonzero mantissa underflowed (ERANGE)
    return v


def parse_bound(b: bytes):
    """zslParseRange item: "(" for exclusive, then strtod (leading spaces allowed, an
    empty string is 0, nothing may follow the number).  Returns (value, exclusive)."""
    ex = b[:1] == b"("
    s = b[1:] if ex else b
    if s and s[-1] not in _WS and b"_" not in s and b"\0" not in s:
        try:                               # float() skips leading spaces, as strtod
            v = float(s)
        except ValueError:
            v = _hex(s.lstrip(_WS))
            if v is None:
                raise NOT_FLOAT_RANGE from None
        if v != v:
            raise NOT_FLOAT_RANGE
        return v, ex
    nul = s.find(b"\0")                   # strtod stops at a NUL
    if nul >= 0:
        s = s[:nul]
    if not s:
        return 0.0, ex
    t = s.lstrip(_WS)
    if not t or t[-1] in _WS or b"_" in t:
        raise NOT_FLOAT_RANGE
    return parse_bound(t)[0], ex


def parse_lex(b: bytes):
    """zslParseLexRangeItem: "-", "+", "[member" or "(member"."""
    c0 = b[:1]
    if c0 == b"[":
        return (b[1:], False)
    if c0 == b"(":
        return (b[1:], True)
    if c0 == b"-" and (len(b) == 1 or b[1] == 0):
        return MIN
    if c0 == b"+" and (len(b) == 1 or b[1] == 0):
        return MAX
    raise NOT_LEX_RANGE


def _long(b: bytes) -> int:
    v = to_int(b)
    if v is None:
        raise NOT_INTEGER
    return v


# ---------------------------------------------------------------- shared helpers
def _write_lookup(c, key):
    z = c.db.get(key)
    if z is not None and z.__class__ is not ZSet:
        raise WRONGTYPE
    return z


def _emptied(c, key, z):
    """An emptied sorted set deletes its key."""
    if not z.scores:
        c.db.delete(key)
        c.written(key, b"del", dirty=0)


def _pairs(c, keys, withscores: bool) -> list:
    """Reply for (score, member) keys: members, or members with scores (flat in RESP2,
    [member, score] pairs in RESP3)."""
    if not withscores:
        return [m for _, m in keys]
    if c.resp == 2:
        out = []
        for s, m in keys:
            out.append(m)
            out.append(s)
        return out
    return [[m, s] for s, m in keys]


def _store(c, dst: bytes, scores: dict, event: bytes) -> int:
    """Write a set-operation result (an empty one deletes the destination)."""
    db = c.db
    if not scores:
        if db.delete(dst):
            c.written(dst, b"del")
        return 0
    db.set(dst, ZSet.from_scores(scores, c.engine.config.values))
    c.written(dst, event)
    return len(scores)


# ---------------------------------------------------------------- ZADD / ZINCRBY
_ZADD_FLAGS = {b"nx": 1, b"xx": 2, b"ch": 4, b"incr": 8, b"gt": 16, b"lt": 32}


def _zadd(c, key, args, flags: int):
    """zaddGenericCommand: options, then score-member pairs; all scores are parsed
    before anything changes."""
    n = len(args)
    i = 0
    while i < n:
        f = _ZADD_FLAGS.get(args[i].lower())
        if f is None:
            break
        flags |= f
        i += 1
    elements = n - i
    if elements % 2 or not elements:
        raise SYNTAX
    nx, xx, ch = flags & 1, flags & 2, flags & 4
    incr, gt, lt = flags & 8, flags & 16, flags & 32
    if nx and xx:
        raise XX_NX
    if (gt and nx) or (lt and nx) or (gt and lt):
        raise GT_LT_NX
    if incr and elements > 2:
        raise INCR_PAIR
    scores = [parse_score(args[j]) for j in range(i, n, 2)]
    db = c.db
    z = db.get(key)
    if z is None:
        if xx:
            return None if incr else 0
        z = ZSet.new_for(args[i + 1], c.engine.config.values)
        db.set(key, z)
    elif z.__class__ is not ZSet:
        raise WRONGTYPE
    sd = z.scores
    added = updated = processed = 0
    score = 0.0
    cfg = None
    for j in range(len(scores)):
        score = scores[j]
        m = args[i + 1 + 2 * j]
        cur = sd.get(m)
        if cur is None:
            if xx:
                continue
            if not z.big:
                if cfg is None:
                    cfg = c.engine.config.values
                if len(sd) >= cfg[ENTRIES] or len(m) > cfg[VALUE]:
                    z.big = True
            z.insert(m, score)
            added += 1
            processed += 1
            continue
        if nx:
            continue
        if incr:
            score += cur
            if score != score:
                raise NAN_SCORE
        if (lt and score >= cur) or (gt and score <= cur):
            continue
        processed += 1
        if score != cur:
            z.update(m, cur, score)
            updated += 1
    if added or updated:
        c.written(key, b"zincr" if incr else b"zadd", dirty=added + updated)
    if incr:
        return score if processed else None
    return added + updated if ch else added


@command("ZADD", arity=-4, group=G, since="1.2.0",
         flags={Flag.WRITE, Flag.DENYOOM, Flag.FAST}, acl=Z,
         keys=[KeySpec(1, flags={KS.RW, KS.UPDATE})],
         summary="Add one or more members to a sorted set, or update its score if it "
                 "already exists",
         complexity="O(log(N)) for each item added, where N is the number of elements in "
                    "the sorted set.",
         history=(("2.4.0", "Accepts multiple elements."),
                  ("3.0.2", "Added the `XX`, `NX`, `CH` and `INCR` options."),
                  ("6.2.0", "Added the `GT` and `LT` options.")))
def cmd_zadd(c, key, *args):
    """ZADD key [NX | XX] [GT | LT] [CH] [INCR] score member [score member ...]"""
    if len(args) != 2:
        return _zadd(c, key, args, 0)
    # the hot path: one pair, no options (ZSet.insert/update inlined)
    sb, m = args
    try:
        score = parse_score(sb)
    except RedisError:
        return _zadd(c, key, args, 0)     # an option word (syntax error) or a bad float
    db = c.db
    z = db.get(key)
    if z is None:
        z = ZSet.new_for(m, c.engine.config.values)
        db.set(key, z)
        z.insert(m, score)
        c.written(key, b"zadd")
        return 1
    if z.__class__ is not ZSet:
        raise WRONGTYPE
    sd = z.scores
    cur = sd.get(m)
    if cur is None:
        if not z.big:
            cfg = c.engine.config.values
            if len(sd) >= cfg[ENTRIES] or len(m) > cfg[VALUE]:
                z.big = True
            elif score == 0:
                score = 0.0               # a listpack keeps 0 as an integer: no -0
        sd[m] = score
        z.order.add(score, m)
        c.written(key, b"zadd")
        return 1
    if cur != score:
        z.update(m, cur, score)
        c.written(key, b"zadd")
    return 0


@command("ZINCRBY", arity=4, group=G, since="1.2.0",
         flags={Flag.WRITE, Flag.DENYOOM, Flag.FAST}, acl=Z,
         keys=[KeySpec(1, flags={KS.RW, KS.ACCESS, KS.UPDATE})],
         summary="Increment the score of a member in a sorted set",
         complexity="O(log(N)) where N is the number of elements in the sorted set.")
def cmd_zincrby(c, key, increment, member):
    """ZINCRBY key increment member"""
    return _zadd(c, key, (increment, member), 8)


# ---------------------------------------------------------------- simple reads
@command("ZCARD", arity=2, group=G, since="1.2.0", flags={Flag.READONLY, Flag.FAST},
         acl=Z, keys=RO, summary="Get the number of members in a sorted set",
         complexity="O(1)")
def cmd_zcard(c, key):
    """ZCARD key"""
    z = read_lookup(c, key, ZSet)
    return 0 if z is None else len(z.scores)


@command("ZSCORE", arity=3, group=G, since="1.2.0", flags={Flag.READONLY, Flag.FAST},
         acl=Z, keys=RO_ACCESS,
         summary="Get the score associated with the given member in a sorted set",
         complexity="O(1)")
def cmd_zscore(c, key, member):
    """ZSCORE key member"""
    z = read_lookup(c, key, ZSet)
    return None if z is None else z.scores.get(member)


@command("ZMSCORE", arity=-3, group=G, since="6.2.0", flags={Flag.READONLY, Flag.FAST},
         acl=Z, keys=RO_ACCESS,
         summary="Get the score associated with the given members in a sorted set",
         complexity="O(N) where N is the number of members being requested.")
def cmd_zmscore(c, key, *members):
    """ZMSCORE key member [member ...]"""
    z = read_lookup(c, key, ZSet)
    if z is None:
        return [None] * len(members)
    get = z.scores.get
    return [get(m) for m in members]


def _rank(c, key, member, rev: bool):
    z = read_lookup(c, key, ZSet)
    if z is None:
        return None
    s = z.scores.get(member)
    if s is None:
        return None
    r = z.order.rank(s, member)
    return len(z.scores) - 1 - r if rev else r


@command("ZRANK", arity=3, group=G, since="2.0.0", flags={Flag.READONLY, Flag.FAST},
         acl=Z, keys=RO_ACCESS, summary="Determine the index of a member in a sorted set",
         complexity="O(log(N))")
def cmd_zrank(c, key, member):
    """ZRANK key member"""
    return _rank(c, key, member, False)


@command("ZREVRANK", arity=3, group=G, since="2.0.0", flags={Flag.READONLY, Flag.FAST},
         acl=Z, keys=RO_ACCESS,
         summary="Determine the index of a member in a sorted set, with scores ordered "
                 "from high to low", complexity="O(log(N))")
def cmd_zrevrank(c, key, member):
    """ZREVRANK key member"""
    return _rank(c, key, member, True)


@command("ZCOUNT", arity=4, group=G, since="2.0.0", flags={Flag.READONLY, Flag.FAST},
         acl=Z, keys=RO_ACCESS,
         summary="Count the members in a sorted set with scores within the given values",
         complexity="O(log(N)) with N being the number of elements in the sorted set.")
def cmd_zcount(c, key, min_, max_):
    """ZCOUNT key min max"""
    lo, lo_ex = parse_bound(min_)
    hi, hi_ex = parse_bound(max_)
    z = read_lookup(c, key, ZSet)
    if z is None:
        return 0
    start, stop = z.range_by_score(lo, lo_ex, hi, hi_ex)
    return stop - start


@command("ZLEXCOUNT", arity=4, group=G, since="2.8.9", flags={Flag.READONLY, Flag.FAST},
         acl=Z, keys=RO_ACCESS,
         summary="Count the number of members in a sorted set between a given "
                 "lexicographical range",
         complexity="O(log(N)) with N being the number of elements in the sorted set.")
def cmd_zlexcount(c, key, min_, max_):
    """ZLEXCOUNT key min max"""
    lo, hi = parse_lex(min_), parse_lex(max_)
    z = read_lookup(c, key, ZSet)
    if z is None:
        return 0
    start, stop = z.range_by_lex(lo, hi)
    return stop - start


# ---------------------------------------------------------------- ranges
RANK, SCORE, LEX = 0, 1, 2


def _range_keys(z, rangetype, a, b, rev, offset, limit):
    """The (score, member) keys a parsed range selects, in reply order."""
    o = z.order
    n = o.n
    if rangetype == RANK:
        start, end = a, b
        if start < 0:
            start += n
        if end < 0:
            end += n
        if start < 0:
            start = 0
        if start > end or start >= n:
            return []
        if end >= n:
            end = n - 1
        if rev:
            keys = o.slice(n - 1 - end, n - start)
            keys.reverse()
            return keys
        return o.slice(start, end + 1)
    if rangetype == SCORE:
        lo, hi = z.range_by_score(a[0], a[1], b[0], b[1])
    else:
        lo, hi = z.range_by_lex(a, b, rev)
    if offset < 0 or (offset > 0 and offset >= n):
        return []
    if not rev:
        lo += offset
        if limit >= 0:
            hi = min(hi, lo + limit)
        return o.slice(lo, hi)
    hi -= offset
    if limit >= 0:
        lo = max(lo, hi - limit)
    keys = o.slice(lo, hi)
    keys.reverse()
    return keys


def _zrange(c, key, first, second, opts, rangetype=None, rev=None, dst=None):
    """zrangeGenericCommand for ZRANGE, ZRANGESTORE and the legacy range commands.
    ``rangetype``/``rev`` None means the options may choose (ZRANGE, ZRANGESTORE)."""
    store = dst is not None
    withscores = False
    offset, limit = 0, -1
    i, n = 0, len(opts)
    while i < n:
        o = opts[i].lower()
        if not store and o == b"withscores":
            withscores = True
        elif o == b"limit" and n - i - 1 >= 2:
            offset = _long(opts[i + 1])
            limit = _long(opts[i + 2])
            i += 2
        elif rev is None and o == b"rev":
            rev = True
        elif rangetype is None and o == b"bylex":
            rangetype = LEX
        elif rangetype is None and o == b"byscore":
            rangetype = SCORE
        else:
            raise SYNTAX
        i += 1
    rev = bool(rev)
    if rangetype is None:
        rangetype = RANK
    if limit != -1 and rangetype == RANK:
        raise LIMIT_RANK
    if withscores and rangetype == LEX:
        raise WITHSCORES_LEX
    if rev and rangetype != RANK:
        first, second = second, first
    if rangetype == RANK:
        a, b = _long(first), _long(second)
    elif rangetype == SCORE:
        a, b = parse_bound(first), parse_bound(second)
    else:
        a, b = parse_lex(first), parse_lex(second)
    z = read_lookup(c, key, ZSet)
    if z is None:
        return _store(c, dst, {}, b"zrangestore") if store else []
    keys = _range_keys(z, rangetype, a, b, rev, offset, limit)
    if store:
        if not keys:
            return _store(c, dst, {}, b"zrangestore")
        cfg = c.engine.config.values
        # a rank range knows its length up front: too long means a skiplist at once
        big = rangetype == RANK and len(keys) > cfg[ENTRIES]
        c.db.set(dst, ZSet.from_added(keys, cfg, big))
        c.written(dst, b"zrangestore")
        return len(keys)
    return _pairs(c, keys, withscores)


_RANGE_CX = ("O(log(N)+M) with N being the number of elements in the sorted set and M the "
             "number of elements returned.")
_BY_CX = ("O(log(N)+M) with N being the number of elements in the sorted set and M the "
          "number of elements being returned. If M is constant (e.g. always asking for the "
          "first 10 elements with LIMIT), you can consider it O(log(N)).")


@command("ZRANGE", arity=-4, group=G, since="1.2.0", flags={Flag.READONLY}, acl=Z,
         keys=RO_ACCESS, summary="Return a range of members in a sorted set",
         complexity=_RANGE_CX,
         history=(("6.2.0", "Added the `REV`, `BYSCORE`, `BYLEX` and `LIMIT` options."),))
def cmd_zrange(c, key, start, stop, *opts):
    """ZRANGE key start stop [BYSCORE | BYLEX] [REV] [LIMIT offset count] [WITHSCORES]"""
    return _zrange(c, key, start, stop, opts)


@command("ZRANGESTORE", arity=-5, group=G, since="6.2.0",
         flags={Flag.WRITE, Flag.DENYOOM}, acl=Z,
         keys=[KeySpec(1, flags={KS.OW, KS.UPDATE}), KeySpec(2, flags={KS.RO, KS.ACCESS})],
         summary="Store a range of members from sorted set into another key",
         complexity="O(log(N)+M) with N being the number of elements in the sorted set and "
                    "M the number of elements stored into the destination key.")
def cmd_zrangestore(c, dst, src, start, stop, *opts):
    """ZRANGESTORE dst src min max [BYSCORE | BYLEX] [REV] [LIMIT offset count]"""
    return _zrange(c, src, start, stop, opts, dst=dst)


@command("ZREVRANGE", arity=-4, group=G, since="1.2.0", flags={Flag.READONLY}, acl=Z,
         keys=RO_ACCESS,
         summary="Return a range of members in a sorted set, by index, with scores "
                 "ordered from high to low", complexity=_RANGE_CX, doc_flags=("deprecated",),
         deprecated_since="6.2.0", replaced_by="`ZRANGE` with the `REV` argument")
def cmd_zrevrange(c, key, start, stop, *opts):
    """ZREVRANGE key start stop [WITHSCORES]"""
    return _zrange(c, key, start, stop, opts, RANK, True)


@command("ZRANGEBYSCORE", arity=-4, group=G, since="1.0.5", flags={Flag.READONLY},
         acl=Z, keys=RO_ACCESS,
         summary="Return a range of members in a sorted set, by score", complexity=_BY_CX,
         history=(("2.0.0", "Added the `WITHSCORES` modifier."),), doc_flags=("deprecated",),
         deprecated_since="6.2.0", replaced_by="`ZRANGE` with the `BYSCORE` argument")
def cmd_zrangebyscore(c, key, min_, max_, *opts):
    """ZRANGEBYSCORE key min max [WITHSCORES] [LIMIT offset count]"""
    return _zrange(c, key, min_, max_, opts, SCORE, False)


@command("ZREVRANGEBYSCORE", arity=-4, group=G, since="2.2.0", flags={Flag.READONLY},
         acl=Z, keys=RO_ACCESS,
         summary="Return a range of members in a sorted set, by score, with scores "
                 "ordered from high to low", complexity=_BY_CX,
         history=(("2.1.6", "`min` and `max` can be exclusive."),), doc_flags=("deprecated",),
         deprecated_since="6.2.0",
         replaced_by="`ZRANGE` with the `REV` and `BYSCORE` arguments")
def cmd_zrevrangebyscore(c, key, max_, min_, *opts):
    """ZREVRANGEBYSCORE key max min [WITHSCORES] [LIMIT offset count]"""
    return _zrange(c, key, max_, min_, opts, SCORE, True)


@command("ZRANGEBYLEX", arity=-4, group=G, since="2.8.9", flags={Flag.READONLY},
         acl=Z, keys=RO_ACCESS,
         summary="Return a range of members in a sorted set, by lexicographical range",
         complexity=_BY_CX, doc_flags=("deprecated",), deprecated_since="6.2.0",
         replaced_by="`ZRANGE` with the `BYLEX` argument")
def cmd_zrangebylex(c, key, min_, max_, *opts):
    """ZRANGEBYLEX key min max [LIMIT offset count]"""
    return _zrange(c, key, min_, max_, opts, LEX, False)


@command("ZREVRANGEBYLEX", arity=-4, group=G, since="2.8.9", flags={Flag.READONLY},
         acl=Z, keys=RO_ACCESS,
         summary="Return a range of members in a sorted set, by lexicographical range, "
                 "ordered from higher to lower strings.", complexity=_BY_CX,
         doc_flags=("deprecated",), deprecated_since="6.2.0",
         replaced_by="`ZRANGE` with the `REV` and `BYLEX` arguments")
def cmd_zrevrangebylex(c, key, max_, min_, *opts):
    """ZREVRANGEBYLEX key max min [LIMIT offset count]"""
    return _zrange(c, key, max_, min_, opts, LEX, True)


# ---------------------------------------------------------------- removals
@command("ZREM", arity=-3, group=G, since="1.2.0", flags={Flag.WRITE, Flag.FAST},
         acl=Z, keys=RW_DELETE, summary="Remove one or more members from a sorted set",
         complexity="O(M*log(N)) with N being the number of elements in the sorted set "
                    "and M the number of elements to be removed.",
         history=(("2.4.0", "Accepts multiple elements."),))
def cmd_zrem(c, key, *members):
    """ZREM key member [member ...]"""
    z = _write_lookup(c, key)
    if z is None:
        return 0
    deleted = 0
    for m in members:
        if z.remove(m):
            deleted += 1
            if not z.scores:
                break
    if deleted:
        c.written(key, b"zrem", dirty=deleted)
        _emptied(c, key, z)
    return deleted


def _zremrange(c, key, rangetype, first, second, event):
    if rangetype == RANK:
        a, b = _long(first), _long(second)
    elif rangetype == SCORE:
        a, b = parse_bound(first), parse_bound(second)
    else:
        a, b = parse_lex(first), parse_lex(second)
    z = _write_lookup(c, key)
    if z is None:
        return 0
    n = len(z.scores)
    if rangetype == RANK:
        start, end = a, b
        if start < 0:
            start += n
        if end < 0:
            end += n
        if start < 0:
            start = 0
        if start > end or start >= n:
            return 0
        lo, hi = start, min(end, n - 1) + 1
    elif rangetype == SCORE:
        lo, hi = z.range_by_score(a[0], a[1], b[0], b[1])
    else:
        lo, hi = z.range_by_lex(a, b)
    if lo >= hi:
        return 0
    z.del_range(lo, hi)
    c.written(key, event, dirty=hi - lo)
    _emptied(c, key, z)
    return hi - lo


_REM_CX = ("O(log(N)+M) with N being the number of elements in the sorted set and M the "
           "number of elements removed by the operation.")


@command("ZREMRANGEBYRANK", arity=4, group=G, since="2.0.0", flags={Flag.WRITE}, acl=Z,
         keys=RW_DELETE, summary="Remove all members in a sorted set within the given "
                                 "indexes", complexity=_REM_CX)
def cmd_zremrangebyrank(c, key, start, stop):
    """ZREMRANGEBYRANK key start stop"""
    return _zremrange(c, key, RANK, start, stop, b"zremrangebyrank")


@command("ZREMRANGEBYSCORE", arity=4, group=G, since="1.2.0", flags={Flag.WRITE}, acl=Z,
         keys=RW_DELETE, summary="Remove all members in a sorted set within the given "
                                 "scores", complexity=_REM_CX)
def cmd_zremrangebyscore(c, key, min_, max_):
    """ZREMRANGEBYSCORE key min max"""
    return _zremrange(c, key, SCORE, min_, max_, b"zremrangebyscore")


@command("ZREMRANGEBYLEX", arity=4, group=G, since="2.8.9", flags={Flag.WRITE}, acl=Z,
         keys=RW_DELETE, summary="Remove all members in a sorted set between the given "
                                 "lexicographical range", complexity=_REM_CX)
def cmd_zremrangebylex(c, key, min_, max_):
    """ZREMRANGEBYLEX key min max"""
    return _zremrange(c, key, LEX, min_, max_, b"zremrangebylex")


# ---------------------------------------------------------------- pops
def zpop(c, keys, pop_max: bool, emitkey: bool, count: int, nested: bool,
         nil_when_empty: bool):
    """genericZpopCommand: pop from the first existing key (WRONGTYPE stops the
    search).  ``count`` -1 is the plain single pop; ``emitkey`` puts the key first
    (BZPOP*, ZMPOP), ``nested`` gives [member, score] pairs; with every key missing the
    reply is the null array when ``nil_when_empty``, else an empty array."""
    db = c.db
    z = None
    for key in keys:
        z = db.get(key)
        if z is None:
            continue
        if z.__class__ is not ZSet:
            raise WRONGTYPE
        break
    if z is None:
        return NULL_ARRAY if nil_when_empty else []
    if count == 0:
        return []
    if count == -1:
        count = 1
    n = len(z.scores)
    k = count if count < n else n
    if pop_max:
        popped = z.del_range(n - k, n)
        popped.reverse()
    else:
        popped = z.del_range(0, k)
    c.written(key, b"zpopmax" if pop_max else b"zpopmin", dirty=k)
    _emptied(c, key, z)
    if nested:
        body = [[m, s] for s, m in popped]
        return [key, body] if emitkey else body
    out = [key] if emitkey else []
    for s, m in popped:
        out.append(m)
        out.append(s)
    return out


def _zpop_cmd(c, key, args, pop_max):
    if len(args) > 1:
        raise SYNTAX
    count = -1
    if args:
        count = to_int(args[0])
        if count is None or count < 0:
            raise NOT_POSITIVE
    return zpop(c, (key,), pop_max, False, count, c.resp > 2 and count != -1, False)


_POP_CX = ("O(log(N)*M) with N being the number of elements in the sorted set, and M "
           "being the number of elements popped.")


@command("ZPOPMIN", arity=-2, group=G, since="5.0.0", flags={Flag.WRITE, Flag.FAST},
         acl=Z, keys=POP_KEYS,
         summary="Remove and return members with the lowest scores in a sorted set",
         complexity=_POP_CX)
def cmd_zpopmin(c, key, *args):
    """ZPOPMIN key [count]"""
    return _zpop_cmd(c, key, args, False)


@command("ZPOPMAX", arity=-2, group=G, since="5.0.0", flags={Flag.WRITE, Flag.FAST},
         acl=Z, keys=POP_KEYS,
         summary="Remove and return members with the highest scores in a sorted set",
         complexity=_POP_CX)
def cmd_zpopmax(c, key, *args):
    """ZPOPMAX key [count]"""
    return _zpop_cmd(c, key, args, True)


def _zmpop_args(args):
    """numkeys key [key ...] MIN|MAX [COUNT count] -> (keys, pop_max, count)."""
    numkeys = to_int(args[0])
    if numkeys is None or numkeys < 1:
        raise NUMKEYS
    where = numkeys + 1
    if where >= len(args):
        raise SYNTAX
    w = args[where].lower()
    if w == b"min":
        pop_max = False
    elif w == b"max":
        pop_max = True
    else:
        raise SYNTAX
    count = -1
    j = where + 1
    while j < len(args):
        if count == -1 and args[j].lower() == b"count" and j + 1 < len(args):
            j += 1
            count = to_int(args[j])
            if count is None or count < 1:
                raise COUNT_POSITIVE
        else:
            raise SYNTAX
        j += 1
    return args[1:where], pop_max, (1 if count == -1 else count)


_MPOP_CX = ("O(K) + O(M*log(N)) where K is the number of provided keys, N being the number "
            "of elements in the sorted set, and M being the number of elements popped.")


@command("ZMPOP", arity=-4, group=G, since="7.0.0", flags={Flag.WRITE, Flag.MOVABLEKEYS},
         acl=Z, keys=[KeySpec(1, numkeys_at=0, flags={KS.RW, KS.ACCESS, KS.DELETE})],
         summary="Remove and return members with scores in a sorted set",
         complexity=_MPOP_CX)
def cmd_zmpop(c, *args):
    """ZMPOP numkeys key [key ...] MIN | MAX [COUNT count]"""
    keys, pop_max, count = _zmpop_args(args)
    reply = zpop(c, keys, pop_max, True, count, True, True)
    if reply is not NULL_ARRAY:        # replicated as ZPOPMIN/ZPOPMAX key count
        c.rewrite(b"ZPOPMAX" if pop_max else b"ZPOPMIN", reply[0], b"%d" % count)
    return reply


# ---------------------------------------------------------------- blocking pops
def _blocking_pop(c, keys, pop_max, count, nested, deadline):
    """blockingGenericZpopCommand: serve now from the first key with members, else
    block (engine.blocking serves the client when a key gets members; inside MULTI or
    a script it times out at once)."""
    db = c.db
    for key in keys:
        z = db.get(key)
        if z is None:
            continue
        if z.__class__ is not ZSet:
            raise WRONGTYPE
        reply = zpop(c, (key,), pop_max, True, count, nested, True)
        name = b"ZPOPMAX" if pop_max else b"ZPOPMIN"
        if count == -1:
            c.rewrite(name, key)
        else:
            c.rewrite(name, key, b"%d" % count)
        return reply
    return blocking.block_zset(c, keys, pop_max, count, nested, deadline)


_BZPOP_HIST = (("6.0.0", "`timeout` is interpreted as a double instead of an integer."),)


def _bzpop(c, args, pop_max):
    deadline = parse_timeout(c, args[-1])
    return _blocking_pop(c, args[:-1], pop_max, -1, False, deadline)


@command("BZPOPMIN", arity=-3, group=G, since="5.0.0",
         flags={Flag.WRITE, Flag.NOSCRIPT, Flag.BLOCKING, Flag.FAST}, acl=Z,
         keys=[KeySpec(1, last=-2, flags={KS.RW, KS.ACCESS, KS.DELETE})],
         summary="Remove and return the member with the lowest score from one or more "
                 "sorted sets, or block until one is available",
         complexity="O(log(N)) with N being the number of elements in the sorted set.",
         history=_BZPOP_HIST)
def cmd_bzpopmin(c, *args):
    """BZPOPMIN key [key ...] timeout"""
    return _bzpop(c, args, False)


@command("BZPOPMAX", arity=-3, group=G, since="5.0.0",
         flags={Flag.WRITE, Flag.NOSCRIPT, Flag.BLOCKING, Flag.FAST}, acl=Z,
         keys=[KeySpec(1, last=-2, flags={KS.RW, KS.ACCESS, KS.DELETE})],
         summary="Remove and return the member with the highest score from one or more "
                 "sorted sets, or block until one is available",
         complexity="O(log(N)) with N being the number of elements in the sorted set.",
         history=_BZPOP_HIST)
def cmd_bzpopmax(c, *args):
    """BZPOPMAX key [key ...] timeout"""
    return _bzpop(c, args, True)


@command("BZMPOP", arity=-5, group=G, since="7.0.0",
         flags={Flag.WRITE, Flag.BLOCKING, Flag.MOVABLEKEYS}, acl=Z,
         keys=[KeySpec(2, numkeys_at=0, flags={KS.RW, KS.ACCESS, KS.DELETE})],
         summary="Remove and return members with scores in a sorted set or block until "
                 "one is available", complexity=_MPOP_CX)
def cmd_bzmpop(c, timeout, *args):
    """BZMPOP timeout numkeys key [key ...] MIN | MAX [COUNT count]"""
    deadline = parse_timeout(c, timeout)
    keys, pop_max, count = _zmpop_args(args)
    return _blocking_pop(c, keys, pop_max, count, True, deadline)


# ---------------------------------------------------------------- set algebra
UNION, INTER, DIFF = 0, 1, 2
SUM, AMIN, AMAX = 0, 1, 2
_AGGREGATES = {b"sum": SUM, b"min": AMIN, b"max": AMAX}


def _items(src):
    """(member, score) pairs of a sorted set's dict or a plain set (score 1)."""
    if src.__class__ is dict:
        return src.items()
    return ((m, 1.0) for m in src)


def _setop(c, op: int, name: str, numkeys: bytes, args, dst=None, card_only=False):
    """zunionInterDiffGenericCommand."""
    setnum = _long(numkeys)
    if setnum < 1:
        raise RedisError(f"ERR at least 1 input key is needed for '{name}' command")
    if setnum > len(args):
        raise SYNTAX
    db = c.db
    srcs = []
    for k in args[:setnum]:
        v = db.get(k)
        if v is None:
            srcs.append(None)
        elif v.__class__ is ZSet:
            srcs.append(v.scores)
        elif v.__class__ is Set:
            srcs.append(v)
        else:
            raise WRONGTYPE
    weights = [1.0] * setnum
    aggregate = SUM
    withscores = False
    limit = 0
    j, n = setnum, len(args)
    while j < n:
        o = args[j].lower()
        left = n - j
        if op != DIFF and not card_only and left >= setnum + 1 and o == b"weights":
            weights = [parse_score(w, WEIGHT_NOT_FLOAT) for w in args[j + 1:j + 1 + setnum]]
            j += setnum + 1
        elif op != DIFF and not card_only and left >= 2 and o == b"aggregate":
            aggregate = _AGGREGATES.get(args[j + 1].lower())
            if aggregate is None:
                raise SYNTAX
            j += 2
        elif dst is None and not card_only and o == b"withscores":
            withscores = True
            j += 1
        elif card_only and left >= 2 and o == b"limit":
            limit = to_int(args[j + 1])
            if limit is None or limit < 0:
                raise LIMIT_NEGATIVE
            j += 2
        else:
            raise SYNTAX
    if op != DIFF:           # smallest input first, as Redis iterates them
        ordered = sorted(range(setnum), key=lambda i: len(srcs[i]) if srcs[i] else 0)
        srcs = [srcs[i] for i in ordered]
        weights = [weights[i] for i in ordered]

    result: dict = {}
    if op == INTER:
        first = srcs[0]
        card = 0
        if first:
            rest = list(zip(srcs[1:], weights[1:]))
            w0 = weights[0]
            for m, s in _items(first):
                score = w0 * s
                if score != score:
                    score = 0.0
                for src, w in rest:
                    if src.__class__ is dict:
                        v = src.get(m)
                        if v is None:
                            break
                    elif m in src:
                        v = 1.0
                    else:
                        break
                    v *= w
                    if aggregate == SUM:
                        score += v
                        if score != score:
                            score = 0.0
                    elif aggregate == AMIN:
                        if v < score:
                            score = v
                    elif v > score:
                        score = v
                else:
                    if card_only:
                        card += 1
                        if limit and card >= limit:
                            break
                    else:
                        result[m] = score
        if card_only:
            return card
    elif op == UNION:
        for src, w in zip(srcs, weights):
            if not src:
                continue
            for m, s in _items(src):
                score = w * s
                if score != score:
                    score = 0.0
                old = result.get(m)
                if old is None:
                    result[m] = score
                elif aggregate == SUM:
                    score += old
                    result[m] = 0.0 if score != score else score
                elif aggregate == AMIN:
                    if score < old:
                        result[m] = score
                elif score > old:
                    result[m] = score
    else:
        first = srcs[0]
        if first:
            others = [s for s in srcs[1:] if s]
            for m, s in _items(first):
                for src in others:
                    if m in src:
                        break
                else:
                    result[m] = s
    if dst is not None:
        event = (b"zunionstore", b"zinterstore", b"zdiffstore")[op]
        return _store(c, dst, result, event)
    keys = sorted(zip(result.values(), result))
    return _pairs(c, keys, withscores)


@command("ZUNION", arity=-3, group=G, since="6.2.0",
         flags={Flag.READONLY, Flag.MOVABLEKEYS}, acl=Z, keys=NUMKEYS_RO,
         summary="Add multiple sorted sets",
         complexity="O(N)+O(M*log(M)) with N being the sum of the sizes of the input "
                    "sorted sets, and M being the number of elements in the resulting "
                    "sorted set.")
def cmd_zunion(c, numkeys, *args):
    """ZUNION numkeys key [key ...] [WEIGHTS weight [weight ...]]
    [AGGREGATE SUM | MIN | MAX] [WITHSCORES]"""
    return _setop(c, UNION, "zunion", numkeys, args)


@command("ZUNIONSTORE", arity=-4, group=G, since="2.0.0",
         flags={Flag.WRITE, Flag.DENYOOM, Flag.MOVABLEKEYS}, acl=Z, keys=STORE_KEYS,
         summary="Add multiple sorted sets and store the resulting sorted set in a new key",
         complexity="O(N)+O(M log(M)) with N being the sum of the sizes of the input "
                    "sorted sets, and M being the number of elements in the resulting "
                    "sorted set.")
def cmd_zunionstore(c, dst, numkeys, *args):
    """ZUNIONSTORE destination numkeys key [key ...] [WEIGHTS weight [weight ...]]
    [AGGREGATE SUM | MIN | MAX]"""
    return _setop(c, UNION, "zunionstore", numkeys, args, dst)


_INTER_CX = ("O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K "
             "being the number of input sorted sets and M being the number of elements in "
             "the resulting sorted set.")


@command("ZINTER", arity=-3, group=G, since="6.2.0",
         flags={Flag.READONLY, Flag.MOVABLEKEYS}, acl=Z, keys=NUMKEYS_RO,
         summary="Intersect multiple sorted sets", complexity=_INTER_CX)
def cmd_zinter(c, numkeys, *args):
    """ZINTER numkeys key [key ...] [WEIGHTS weight [weight ...]]
    [AGGREGATE SUM | MIN | MAX] [WITHSCORES]"""
    return _setop(c, INTER, "zinter", numkeys, args)


@command("ZINTERSTORE", arity=-4, group=G, since="2.0.0",
         flags={Flag.WRITE, Flag.DENYOOM, Flag.MOVABLEKEYS}, acl=Z, keys=STORE_KEYS,
         summary="Intersect multiple sorted sets and store the resulting sorted set in a "
                 "new key", complexity=_INTER_CX)
def cmd_zinterstore(c, dst, numkeys, *args):
    """ZINTERSTORE destination numkeys key [key ...] [WEIGHTS weight [weight ...]]
    [AGGREGATE SUM | MIN | MAX]"""
    return _setop(c, INTER, "zinterstore", numkeys, args, dst)


@command("ZINTERCARD", arity=-3, group=G, since="7.0.0",
         flags={Flag.READONLY, Flag.MOVABLEKEYS}, acl=Z, keys=NUMKEYS_RO,
         summary="Intersect multiple sorted sets and return the cardinality of the result",
         complexity="O(N*K) worst case with N being the smallest input sorted set, K being "
                    "the number of input sorted sets.")
def cmd_zintercard(c, numkeys, *args):
    """ZINTERCARD numkeys key [key ...] [LIMIT limit]"""
    return _setop(c, INTER, "zintercard", numkeys, args, card_only=True)


_DIFF_CX = ("O(L + (N-K)log(N)) worst case where L is the total number of elements in all "
            "the sets, N is the size of the first set, and K is the size of the result set.")


@command("ZDIFF", arity=-3, group=G, since="6.2.0",
         flags={Flag.READONLY, Flag.MOVABLEKEYS}, acl=Z, keys=NUMKEYS_RO,
         summary="Subtract multiple sorted sets", complexity=_DIFF_CX)
def cmd_zdiff(c, numkeys, *args):
    """ZDIFF numkeys key [key ...] [WITHSCORES]"""
    return _setop(c, DIFF, "zdiff", numkeys, args)


@command("ZDIFFSTORE", arity=-4, group=G, since="6.2.0",
         flags={Flag.WRITE, Flag.DENYOOM, Flag.MOVABLEKEYS}, acl=Z, keys=STORE_KEYS,
         summary="Subtract multiple sorted sets and store the resulting sorted set in a "
                 "new key", complexity=_DIFF_CX)
def cmd_zdiffstore(c, dst, numkeys, *args):
    """ZDIFFSTORE destination numkeys key [key ...]"""
    return _setop(c, DIFF, "zdiffstore", numkeys, args, dst)


# ---------------------------------------------------------------- random, scan
@command("ZRANDMEMBER", arity=-2, group=G, since="6.2.0", flags={Flag.READONLY}, acl=Z,
         keys=RO_ACCESS, tips=["nondeterministic_output"],
         summary="Get one or multiple random elements from a sorted set",
         complexity="O(N) where N is the number of elements returned")
def cmd_zrandmember(c, key, *args):
    """ZRANDMEMBER key [count [WITHSCORES]]"""
    rng = c.engine.rng
    if not args:
        z = read_lookup(c, key, ZSet)
        if z is None:
            return None
        return z.order[rng.randrange(len(z.scores))][1]
    count = random_count(args[0])
    withscores = False
    if len(args) > 2 or (len(args) == 2 and args[1].lower() != b"withscores"):
        raise SYNTAX
    if len(args) == 2:
        withscores = True
        if count < -LONG_HALF or count > LONG_HALF:
            raise OUT_OF_RANGE
    z = read_lookup(c, key, ZSet)
    if z is None or count == 0:
        return []
    o = z.order
    size = o.n
    if count < 0:                       # repeats allowed, random order
        check_repeat(c, -count)
        randrange = rng.randrange
        if not z.big:
            keys = list(o)
            keys = [keys[randrange(size)] for _ in range(-count)]
        else:
            keys = [o[randrange(size)] for _ in range(-count)]
    elif count >= size:                 # the whole set, from the top (Redis's zuiNext)
        keys = list(reversed(o))
    elif count * 8 > size:
        keys = rng.sample(list(o), count)
    else:
        keys = [o[i] for i in rng.sample(range(size), count)]
    return _pairs(c, keys, withscores)


@command("ZSCAN", arity=-3, group=G, since="2.8.0", flags={Flag.READONLY}, acl=Z,
         keys=RO_ACCESS, tips=["nondeterministic_output"],
         summary="Incrementally iterate sorted sets elements and associated scores",
         complexity="O(1) for every call. O(N) for a complete iteration, including enough "
                    "command calls for the cursor to return back to 0. N is the number of "
                    "elements inside the collection..")
def cmd_zscan(c, key, cursor, *opts):
    """ZSCAN key cursor [MATCH pattern] [COUNT count]"""
    cur = parse_cursor(cursor)
    z = read_lookup(c, key, ZSet)
    if z is None:
        return [b"0", []]
    count, rx = scan_options(opts)
    sd = z.scores
    if not z.big:           # a listpack is returned whole, whatever the cursor (as Redis)
        nxt, members = 0, [m for _, m in z.order]
    else:
        nxt, members = scan_members(sd, cur, count)
    out = []
    fmt = z.scan_score
    for m in members:
        if rx is None or rx.fullmatch(m) is not None:
            out.append(m)
            out.append(fmt(sd[m]))
    return [b"%d" % nxt, out]
