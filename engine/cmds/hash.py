"""The hash group: HSET, HGET and friends, HRANDFIELD, HSCAN (listpack/hashtable)."""
from engine.commands import KS, Acl, Flag, KeySpec, command
from engine.errors import (INCR_NAN, NOT_FLOAT, NOT_INTEGER, OVERFLOW, SYNTAX, WRONGTYPE,
                           RedisError, WrongArity)
from engine.glob import compile_glob
from engine.parsing import LLONG_MAX, LLONG_MIN, to_int
from engine.replies import OK
from engine.types.hash import ENTRIES, VALUE, Hash, exact_pool
from engine.types.string import ld_parse

from .strings import incr_float

H = {Acl.HASH}
RO = [KeySpec(1, flags={KS.RO})]
RO_ACCESS = [KeySpec(1, flags={KS.RO, KS.ACCESS})]

HASH_NOT_INTEGER = RedisError("ERR hash value is not an integer")
HASH_NOT_FLOAT = RedisError("ERR hash value is not a float")
INCR_NOT_FINITE = RedisError("ERR value is NaN or Infinity")
OUT_OF_RANGE = RedisError("ERR value is out of range")
INVALID_CURSOR = RedisError("ERR invalid cursor")
COUNT_RANGE = RedisError(
    f"ERR value is out of range, value must between {-LLONG_MAX} and {LLONG_MAX}")


# ---------------------------------------------------------------- shared helpers
def read_lookup(c, key, cls):
    """lookupKeyRead + checkType: the value or None; counts keyspace hits/misses."""
    v = c.db.get(key)
    if v is None:
        c.engine.stats.keyspace_misses += 1
        return None
    c.engine.stats.keyspace_hits += 1
    if v.__class__ is not cls:
        raise WRONGTYPE
    return v


def random_count(arg: bytes) -> int:
    """SRANDMEMBER/HRANDFIELD count: a long in [-LONG_MAX, LONG_MAX]."""
    n = to_int(arg)
    if n is None:
        raise NOT_INTEGER
    if n == LLONG_MIN:
        raise COUNT_RANGE
    return n


def repeat_limit(c) -> int:
    """The most elements a negative-count SRANDMEMBER/HRANDFIELD will build.  Redis
    7.0 builds any count up to LONG_MAX (a -10^9 count makes a multi-GB reply); we
    refuse counts whose reply could not be built in bounded time and memory: one
    element per 128 bytes of proto-max-bulk-len (4M elements by default)."""
    return max(1024, c.engine.config.values["proto-max-bulk-len"] // 128)


def check_repeat(c, count: int):
    limit = repeat_limit(c)
    if count > limit:
        raise RedisError(f"ERR value is out of range, value must between {-limit} "
                         f"and {LLONG_MAX}")


def parse_cursor(arg: bytes) -> int:
    """Redis's parseScanCursorOrReply: strtoul base 10 (sign allowed, wraps), no
    leading space, nothing after the digits, an empty string is 0."""
    if not arg:
        return 0
    neg = arg[0] == 45
    digits = arg[1:] if arg[0] in (43, 45) else arg
    if not digits.isdigit():
        raise INVALID_CURSOR
    v = int(digits)
    if v > 0xFFFFFFFFFFFFFFFF:
        raise INVALID_CURSOR
    return (-v) & 0xFFFFFFFFFFFFFFFF if neg else v


def scan_options(opts):
    """COUNT n / MATCH pattern (no TYPE for HSCAN/SSCAN/ZSCAN); returns (count, regex
    or None)."""
    count, pattern = 10, None
    i, n = 0, len(opts)
    while i < n:
        o = opts[i].lower()
        if o == b"count" and n - i >= 2:
            count = to_int(opts[i + 1])
            if count is None:
                raise NOT_INTEGER
            if count < 1:
                raise SYNTAX
        elif o == b"match" and n - i >= 2:
            pattern = opts[i + 1]
        else:
            raise SYNTAX
        i += 2
    if pattern is None or pattern == b"*":
        return count, None
    return count, compile_glob(pattern)


# Snapshot cursors for hashtable-encoded collections (see Database.scan): cursor 0 takes
# a copy of the member list, later cursors page through it and skip members deleted
# since, so a member present for the whole scan is returned.  The cursor is
# (snapshot id << 32) | offset.  A snapshot holds its collection until the scan ends or
# it is one of the oldest when more than _SNAP_MAX scans are in flight.
_SNAPS: dict = {}
_SNAP_MAX = 64
_snap_seq = 0


def scan_members(coll, cursor: int, count: int):
    """(next cursor, members) for one call over a dict/set subclass."""
    global _snap_seq
    snap_id, offset = cursor >> 32, cursor & 0xFFFFFFFF
    entry = _SNAPS.get(snap_id) if cursor else None
    if entry is None or entry[0] is not coll:
        if not cursor and count >= len(coll):
            return 0, list(coll)
        _snap_seq = _snap_seq % 0xFFFFFFFF + 1
        snap_id = _snap_seq
        entry = _SNAPS[snap_id] = (coll, list(coll))
        if len(_SNAPS) > _SNAP_MAX:
            del _SNAPS[next(iter(_SNAPS))]
    snap = entry[1]
    end = offset + count
    out = [m for m in snap[offset:end] if m in coll]
    if end >= len(snap):
        _SNAPS.pop(snap_id, None)
        return 0, out
    return (snap_id << 32) | end, out


def _hash_write(c, key) -> Hash:
    """lookupKeyWrite, creating an empty listpack hash when missing."""
    db = c.db
    h = db.get(key)
    if h is None:
        h = db.data[key] = Hash()
    elif h.__class__ is not Hash:
        raise WRONGTYPE
    return h


def _deleted_fields(c, key, h, deleted: int, event: bytes):
    """After removing fields: notify, and delete the key when the hash is empty."""
    if deleted:
        c.written(key, event, dirty=deleted)
        if not h:
            c.db.delete(key)
            c.written(key, b"del", dirty=0)


# ---------------------------------------------------------------- writes
@command("HSET", arity=-4, group="hash", since="2.0.0",
         flags={Flag.WRITE, Flag.DENYOOM, Flag.FAST}, acl=H,
         keys=[KeySpec(1, flags={KS.RW, KS.UPDATE})],
         summary="Set the string value of a hash field",
         complexity="O(1) for each field/value pair added, so O(N) to add N field/value "
                    "pairs when the command is called with multiple field/value pairs.",
         history=[("4.0.0", "Accepts multiple `field` and `value` arguments.")])
def cmd_hset(c, key, *fv):
    """HSET key field value [field value ...]"""
    n = len(fv)
    if n & 1:
        raise WrongArity("hset")
    db = c.db
    h = db.get(key)
    if h is None:
        h = db.data[key] = Hash()
    elif h.__class__ is not Hash:
        raise WRONGTYPE
    before = len(h)
    if n == 2:                                  # the common case, kept flat
        f, v = fv
        if h.lp:
            cfg = c.engine.config.values
            limit = cfg[VALUE]
            if len(f) > limit or len(v) > limit:
                h.lp = False
            h[f] = v
            if len(h) > cfg[ENTRIES]:
                h.lp = False
        else:
            h[f] = v
        if len(h) == before:
            c.written(key, b"hset")
            return 0
        h.pool = None
        c.written(key, b"hset")
        return 1
    if h.lp:
        cfg = c.engine.config.values
        limit = cfg[VALUE]
        for a in fv:
            if len(a) > limit:
                h.lp = False
                break
        h.update(zip(fv[::2], fv[1::2]))
        if len(h) > cfg[ENTRIES]:
            h.lp = False
    else:
        h.update(zip(fv[::2], fv[1::2]))
    created = len(h) - before
    if created:
        h.pool = None
    c.written(key, b"hset", dirty=n >> 1)
    return created


@command("HMSET", arity=-4, group="hash", since="2.0.0",
         flags={Flag.WRITE, Flag.DENYOOM, Flag.FAST}, acl=H,
         keys=[KeySpec(1, flags={KS.RW, KS.UPDATE})],
         summary="Set multiple hash fields to multiple values",
         complexity="O(N) where N is the number of fields being set.",
         deprecated_since="4.0.0",
         doc_flags=["deprecated"],
         replaced_by="`HSET` with multiple field-value pairs")
def cmd_hmset(c, key, *fv):
    """HMSET key field value [field value ...]"""
    if len(fv) & 1:
        raise WrongArity("hmset")
    cmd_hset(c, key, *fv)
    return OK


@command("HSETNX", arity=4, group="hash", since="2.0.0",
         flags={Flag.WRITE, Flag.DENYOOM, Flag.FAST}, acl=H,
         keys=[KeySpec(1, flags={KS.RW, KS.INSERT})],
         summary="Set the value of a hash field, only if the field does not exist",
         complexity="O(1)")
def cmd_hsetnx(c, key, field, value):
    """HSETNX key field value"""
    h = _hash_write(c, key)
    if field in h:
        return 0
    h.put(field, value, c.engine.config.values)
    c.written(key, b"hset")
    return 1


@command("HDEL", arity=-3, group="hash", since="2.0.0",
         flags={Flag.WRITE, Flag.FAST}, acl=H,
         keys=[KeySpec(1, flags={KS.RW, KS.DELETE})],
         summary="Delete one or more hash fields",
         complexity="O(N) where N is the number of fields to be removed.",
         history=[("2.4.0", "Accepts multiple `field` arguments.")])
def cmd_hdel(c, key, *fields):
    """HDEL key field [field ...]"""
    h = c.db.get(key)
    if h is None:
        return 0
    if h.__class__ is not Hash:
        raise WRONGTYPE
    deleted = 0
    pop = h.pop
    for f in fields:
        if pop(f, None) is not None:
            deleted += 1
            if not h:
                break
    _deleted_fields(c, key, h, deleted, b"hdel")
    return deleted


@command("HINCRBY", arity=4, group="hash", since="2.0.0",
         flags={Flag.WRITE, Flag.DENYOOM, Flag.FAST}, acl=H,
         keys=[KeySpec(1, flags={KS.RW, KS.ACCESS, KS.UPDATE})],
         summary="Increment the integer value of a hash field by the given number",
         complexity="O(1)")
def cmd_hincrby(c, key, field, increment):
    """HINCRBY key field increment"""
    incr = to_int(increment)
    if incr is None:
        raise NOT_INTEGER
    h = _hash_write(c, key)
    old = h.get(field)
    if old is None:
        value = 0
    else:
        value = to_int(old)
        if value is None:
            raise HASH_NOT_INTEGER
    value += incr
    if not LLONG_MIN <= value <= LLONG_MAX:
        raise OVERFLOW
    h.put(field, b"%d" % value, c.engine.config.values)
    c.written(key, b"hincrby")
    return value


@command("HINCRBYFLOAT", arity=4, group="hash", since="2.6.0",
         flags={Flag.WRITE, Flag.DENYOOM, Flag.FAST}, acl=H,
         keys=[KeySpec(1, flags={KS.RW, KS.ACCESS, KS.UPDATE})],
         summary="Increment the float value of a hash field by the given amount",
         complexity="O(1)")
def cmd_hincrbyfloat(c, key, field, increment):
    """HINCRBYFLOAT key field increment"""
    incr = ld_parse(increment)
    if incr is None:
        raise NOT_FLOAT
    if incr.__class__ is float:                 # +/-inf
        raise INCR_NOT_FINITE
    h = _hash_write(c, key)
    # Redis's long double sum, printed as INCRBYFLOAT prints it
    new = incr_float(h.get(field), increment)
    if new is None:
        raise HASH_NOT_FLOAT
    if new is INCR_NAN:
        raise INCR_NAN
    h.put(field, new, c.engine.config.values)
    c.written(key, b"hincrbyfloat")
    # replicas and the AOF get the result, not the float arithmetic (as Redis does)
    c.rewrite(b"HSET", key, field, new)
    return new


# ---------------------------------------------------------------- reads
@command("HGET", arity=3, group="hash", since="2.0.0",
         flags={Flag.READONLY, Flag.FAST}, acl=H, keys=RO_ACCESS,
         summary="Get the value of a hash field", complexity="O(1)")
def cmd_hget(c, key, field):
    """HGET key field"""
    h = c.db.get(key)
    if h is None:
        c.engine.stats.keyspace_misses += 1
        return None
    c.engine.stats.keyspace_hits += 1
    if h.__class__ is not Hash:
        raise WRONGTYPE
    return h.get(field)


@command("HMGET", arity=-3, group="hash", since="2.0.0",
         flags={Flag.READONLY, Flag.FAST}, acl=H, keys=RO_ACCESS,
         summary="Get the values of all the given hash fields",
         complexity="O(N) where N is the number of fields being requested.")
def cmd_hmget(c, key, *fields):
    """HMGET key field [field ...]"""
    h = read_lookup(c, key, Hash)
    if h is None:
        return [None] * len(fields)
    get = h.get
    return [get(f) for f in fields]


@command("HEXISTS", arity=3, group="hash", since="2.0.0",
         flags={Flag.READONLY, Flag.FAST}, acl=H, keys=RO,
         summary="Determine if a hash field exists", complexity="O(1)")
def cmd_hexists(c, key, field):
    """HEXISTS key field"""
    h = read_lookup(c, key, Hash)
    return 1 if h is not None and field in h else 0


@command("HLEN", arity=2, group="hash", since="2.0.0",
         flags={Flag.READONLY, Flag.FAST}, acl=H, keys=RO,
         summary="Get the number of fields in a hash", complexity="O(1)")
def cmd_hlen(c, key):
    """HLEN key"""
    h = read_lookup(c, key, Hash)
    return 0 if h is None else len(h)


@command("HSTRLEN", arity=3, group="hash", since="3.2.0",
         flags={Flag.READONLY, Flag.FAST}, acl=H, keys=RO,
         summary="Get the length of the value of a hash field", complexity="O(1)")
def cmd_hstrlen(c, key, field):
    """HSTRLEN key field"""
    h = read_lookup(c, key, Hash)
    if h is None:
        return 0
    v = h.get(field)
    return 0 if v is None else len(v)


@command("HGETALL", arity=2, group="hash", since="2.0.0",
         flags={Flag.READONLY}, acl=H, keys=RO_ACCESS,
         summary="Get all the fields and values in a hash",
         complexity="O(N) where N is the size of the hash.",
         tips=["nondeterministic_output_order"])
def cmd_hgetall(c, key):
    """HGETALL key"""
    h = read_lookup(c, key, Hash)
    return {} if h is None else dict(h)


@command("HKEYS", arity=2, group="hash", since="2.0.0",
         flags={Flag.READONLY}, acl=H, keys=RO_ACCESS,
         summary="Get all the fields in a hash",
         complexity="O(N) where N is the size of the hash.",
         tips=["nondeterministic_output_order"])
def cmd_hkeys(c, key):
    """HKEYS key"""
    h = read_lookup(c, key, Hash)
    return [] if h is None else list(h)


@command("HVALS", arity=2, group="hash", since="2.0.0",
         flags={Flag.READONLY}, acl=H, keys=RO_ACCESS,
         summary="Get all the values in a hash",
         complexity="O(N) where N is the size of the hash.",
         tips=["nondeterministic_output_order"])
def cmd_hvals(c, key):
    """HVALS key"""
    h = read_lookup(c, key, Hash)
    return [] if h is None else list(h.values())


@command("HRANDFIELD", arity=-2, group="hash", since="6.2.0",
         flags={Flag.READONLY}, acl=H, keys=RO_ACCESS,
         summary="Get one or multiple random fields from a hash",
         complexity="O(N) where N is the number of fields returned",
         tips=["nondeterministic_output"])
def cmd_hrandfield(c, key, *args):
    """HRANDFIELD key [count [WITHVALUES]]"""
    if not args:
        h = read_lookup(c, key, Hash)
        return None if h is None else h.random_field(c.engine.rng)
    n = random_count(args[0])
    if len(args) > 2 or (len(args) == 2 and args[1].lower() != b"withvalues"):
        raise SYNTAX
    withvalues = len(args) == 2
    if withvalues and not -(LLONG_MAX // 2) <= n <= LLONG_MAX // 2:
        raise OUT_OF_RANGE
    h = read_lookup(c, key, Hash)
    if h is None or n == 0:
        return []
    rng = c.engine.rng
    if n < 0 or n == 1:                 # with repetitions, in random order
        count = -n if n < 0 else 1
        check_repeat(c, count)
        fields = rng.choices(exact_pool(h), k=count)
    elif n >= len(h):                   # the whole hash, in its order
        if not withvalues:
            return list(h)
        fields = h
    else:                               # n distinct fields
        fields = rng.sample(exact_pool(h), n)
    if not withvalues:
        return fields
    if c.resp == 3:
        return [[f, h[f]] for f in fields]
    out = []
    for f in fields:
        out.append(f)
        out.append(h[f])
    return out


@command("HSCAN", arity=-3, group="hash", since="2.8.0",
         flags={Flag.READONLY}, acl=H, keys=RO_ACCESS,
         summary="Incrementally iterate hash fields and associated values",
         complexity="O(1) for every call. O(N) for a complete iteration, including enough "
                    "command calls for the cursor to return back to 0. N is the number "
                    "of elements inside the collection..",
         tips=["nondeterministic_output"])
def cmd_hscan(c, key, cursor, *opts):
    """HSCAN key cursor [MATCH pattern] [COUNT count]"""
    cur = parse_cursor(cursor)
    h = read_lookup(c, key, Hash)
    if h is None:
        return [b"0", []]
    count, rx = scan_options(opts)
    if h.lp:            # a listpack is returned whole, whatever the cursor (as Redis)
        nxt, fields = 0, h
    else:
        nxt, fields = scan_members(h, cur, count)
    out = []
    for f in fields:
        if rx is None or rx.fullmatch(f) is not None:
            out.append(f)
            out.append(h[f])
    return [b"%d" % nxt, out]
