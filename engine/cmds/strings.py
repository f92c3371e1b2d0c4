"""The string group: GET, SET and friends; int/embstr/raw encodings.

Values are ``bytes`` as stored by SET-like commands, or a ``bytearray`` once APPEND or
SETRANGE changed them in place (amortised O(1) appends, OBJECT ENCODING "raw").  Replies
never hand out the live bytearray: readers copy it to ``bytes``.
"""
from engine.commands import KS, Acl, Flag, KeySpec, command
from engine.errors import (INCR_NAN, NOT_FLOAT, NOT_INTEGER, OVERFLOW, STRING_TOO_LONG,
                           SYNTAX, WRONGTYPE, RedisError, WrongArity, invalid_expire)
from engine.parsing import LLONG_MAX, LLONG_MIN, to_int
from engine.memory import str_cost, str_value, uncharge
from engine.replies import OK
from engine.types.string import ld_add, ld_format, ld_parse

STR = {Acl.STRING}
_W = {Flag.WRITE, Flag.DENYOOM}
_WF = {Flag.WRITE, Flag.DENYOOM, Flag.FAST}
_RW_UPD = [KeySpec(1, flags={KS.RW, KS.ACCESS, KS.UPDATE})]
_OW_UPD = [KeySpec(1, flags={KS.OW, KS.UPDATE})]
_OW_INS = [KeySpec(1, flags={KS.OW, KS.INSERT})]
_RO = [KeySpec(1, flags={KS.RO, KS.ACCESS})]

_EX, _PX, _EXAT, _PXAT = b"ex", b"px", b"exat", b"pxat"
_UNITS = {_EX: _EX, _PX: _PX, _EXAT: _EXAT, _PXAT: _PXAT}
_SECONDS_MAX = LLONG_MAX // 1000

DECR_OVERFLOW = RedisError("ERR decrement would overflow")
OFFSET_RANGE = RedisError("ERR offset is out of range")
LCS_WRONGTYPE = RedisError("ERR The specified keys must contain string values")
LCS_LEN_AND_IDX = RedisError(
    "ERR If you want both the length and indexes, please just use IDX.")
LCS_TOO_BIG = RedisError(
    "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len")


# ---------------------------------------------------------------- helpers
def _read(c, key):
    """A string for a read command, counting keyspace hits/misses as lookupKeyRead does
    (a key of another type is a hit, then WRONGTYPE)."""
    v = c.db.get(key)
    st = c.engine.stats
    if v is None:
        st.keyspace_misses += 1
        return None
    st.keyspace_hits += 1
    cls = v.__class__
    if cls is bytes or cls is bytearray:
        return v
    raise WRONGTYPE


def _expire_at(c, unit: bytes, arg: bytes, name: str) -> int:
    """getExpireMillisecondsOrReply: the absolute expire time in ms."""
    n = to_int(arg)
    if n is None:
        raise NOT_INTEGER
    if n <= 0 or (n > _SECONDS_MAX and (unit is _EX or unit is _EXAT)):
        raise invalid_expire(name)
    if unit is _EX or unit is _EXAT:
        n *= 1000
    if unit is _EX or unit is _PX:
        n += c.engine.now_ms
        if n > LLONG_MAX:                       # C would wrap negative
            raise invalid_expire(name)
    return n


def _set_opts(opts, for_set: bool):
    """parseExtendedStringArgumentsOrReply for SET (NX XX GET KEEPTTL EX PX EXAT PXAT)
    and GETEX (EX PX EXAT PXAT PERSIST).  Syntax only: values are checked later.
    Returns (nx, xx, get, keepttl, persist, unit, when_arg)."""
    nx = xx = get = keepttl = persist = False
    unit = when = None
    i, n = 0, len(opts)
    while i < n:
        o = opts[i].lower()
        u = _UNITS.get(o)
        if u is not None:
            if keepttl or persist or (unit is not None and unit is not u) or i + 1 >= n:
                raise SYNTAX
            unit = u
            i += 1
            when = opts[i]
        elif for_set:
            if o == b"nx" and not xx:
                nx = True
            elif o == b"xx" and not nx:
                xx = True
            elif o == b"get":
                get = True
            elif o == b"keepttl" and unit is None:
                keepttl = True
            else:
                raise SYNTAX
        elif o == b"persist" and unit is None:
            persist = True
        else:
            raise SYNTAX
        i += 1
    return nx, xx, get, keepttl, persist, unit, when


def _copy(v):
    return v if v.__class__ is bytes else bytes(v)


def _check_len(c, total: int):
    """checkStringLength: the result may not exceed proto-max-bulk-len."""
    if total > c.engine.config["proto-max-bulk-len"]:
        raise STRING_TOO_LONG


# ---------------------------------------------------------------- GET / SET
@command("GET", arity=2, group="string", flags={Flag.READONLY, Flag.FAST}, acl=STR,
         keys=_RO, summary="Get the value of a key", complexity="O(1)")
def cmd_get(c, key):
    """GET key"""
    v = c.db.get(key)
    if v is None:
        c.engine.stats.keyspace_misses += 1
        return None
    c.engine.stats.keyspace_hits += 1
    cls = v.__class__
    if cls is bytes:
        return v
    if cls is bytearray:
        return bytes(v)
    raise WRONGTYPE


@command("SET", arity=-3, group="string", flags=_W, acl=STR,
         keys=[KeySpec(1, flags={KS.RW, KS.ACCESS, KS.UPDATE, KS.VARIABLE_FLAGS},
                       notes="RW and ACCESS due to the optional `GET` argument")],
         summary="Set the string value of a key", complexity="O(1)",
         history=[("2.6.12", "Added the `EX`, `PX`, `NX` and `XX` options."),
                  ("6.0.0", "Added the `KEEPTTL` option."),
                  ("6.2.0", "Added the `GET`, `EXAT` and `PXAT` option."),
                  ("7.0.0", "Allowed the `NX` and `GET` options to be used together.")])
def cmd_set(c, key, value, *opts):
    """SET key value [NX | XX] [GET] [EX seconds | PX milliseconds |
    EXAT unix-time-seconds | PXAT unix-time-milliseconds | KEEPTTL]"""
    if not opts:                                   # the hot path
        db = c.db
        data = db.data
        old = data.get(key)
        data[key] = value
        if old is None:                            # engine.memory's accounting
            db.mem += str_cost(key, value)
        elif old.__class__ is bytes:
            db.mem += str_value(value) - str_value(old)
        else:
            db.mem += str_cost(key, value) - uncharge(db, key, old)
        if db.expires:
            db.expires.pop(key, None)
        c.written(key, b"set")
        return OK
    nx, xx, get, keepttl, _, unit, when = _set_opts(opts, True)
    return _set(c, "set", key, value, nx, xx, get, keepttl, unit, when, OK, None, opts)


def _set(c, name, key, value, nx, xx, get, keepttl, unit, when, ok_reply, abort_reply,
         opts=()):
    """setGenericCommand: the order of checks is Redis's (expire value, then the GET
    type check, then NX/XX)."""
    expire_at = _expire_at(c, unit, when, name) if unit is not None else None
    db = c.db
    if get:
        old = _read(c, key)
        found = old is not None
        if found:
            old = _copy(old)
    else:
        found = db.get(key) is not None
    if (nx and found) or (xx and not found):
        return old if get else abort_reply
    db.set(key, value, keep_ttl=keepttl)
    c.written(key, b"set")
    if expire_at is not None:
        db.set_expire(key, expire_at)
        c.rewrite(b"SET", key, value, b"PXAT", b"%d" % expire_at)
        c.written(key, b"expire", dirty=0)
    elif get:                                      # propagate without GET
        c.rewrite(b"SET", key, value, *[o for o in opts if o.lower() != b"get"])
    return old if get else ok_reply


@command("SETNX", arity=3, group="string", flags=_WF, acl=STR, keys=_OW_INS,
         summary="Set the value of a key, only if the key does not exist",
         complexity="O(1)")
def cmd_setnx(c, key, value):
    """SETNX key value"""
    db = c.db
    if db.get(key) is not None:
        return 0
    db.put(key, value)
    c.written(key, b"set")
    return 1


@command("SETEX", arity=4, group="string", since="2.0.0", flags=_W, acl=STR, keys=_OW_UPD,
         summary="Set the value and expiration of a key", complexity="O(1)")
def cmd_setex(c, key, seconds, value):
    """SETEX key seconds value"""
    return _set(c, "setex", key, value, False, False, False, False, _EX, seconds, OK, None)


@command("PSETEX", arity=4, group="string", since="2.6.0", flags=_W, acl=STR,
         keys=_OW_UPD,
         summary="Set the value and expiration in milliseconds of a key", complexity="O(1)")
def cmd_psetex(c, key, milliseconds, value):
    """PSETEX key milliseconds value"""
    return _set(c, "psetex", key, value, False, False, False, False, _PX, milliseconds,
                OK, None)


@command("GETSET", arity=3, group="string", flags=_WF, acl=STR, keys=_RW_UPD,
         summary="Set the string value of a key and return its old value", complexity="O(1)",
         deprecated_since="6.2.0",
         doc_flags=["deprecated"],
         replaced_by="`SET` with the `!GET` argument")
def cmd_getset(c, key, value):
    """GETSET key value"""
    old = _read(c, key)
    if old is not None:
        old = _copy(old)
    c.db.set(key, value)
    c.written(key, b"set")
    c.rewrite(b"SET", key, value)
    return old


@command("GETDEL", arity=2, group="string", since="6.2.0", flags={Flag.WRITE, Flag.FAST},
         acl=STR, keys=[KeySpec(1, flags={KS.RW, KS.ACCESS, KS.DELETE})],
         summary="Get the value of a key and delete the key",
         complexity="O(1)")
def cmd_getdel(c, key):
    """GETDEL key"""
    v = _read(c, key)
    if v is None:
        return None
    c.db.delete(key)
    c.rewrite(b"DEL", key)
    c.written(key, b"del")
    return _copy(v)


@command("GETEX", arity=-2, group="string", since="6.2.0", flags={Flag.WRITE, Flag.FAST},
         acl=STR, keys=[KeySpec(1, flags={KS.RW, KS.ACCESS, KS.UPDATE},
                                notes="RW and UPDATE because it changes the TTL")],
         summary="Get the value of a key and optionally set its expiration",
         complexity="O(1)")
def cmd_getex(c, key, *opts):
    """GETEX key [EX seconds | PX milliseconds | EXAT unix-time-seconds |
    PXAT unix-time-milliseconds | PERSIST]"""
    _, _, _, _, persist, unit, when = _set_opts(opts, False) if opts else _NO_OPTS
    v = _read(c, key)
    if v is None:
        return None
    db = c.db
    if unit is not None:
        at = _expire_at(c, unit, when, "getex")
        v = _copy(v)
        if (unit is _EXAT or unit is _PXAT) and at <= c.engine.now_ms:
            db.delete(key)                       # an absolute time already past
            c.rewrite(b"DEL", key)
            c.written(key, b"del")
        else:
            db.set_expire(key, at)
            c.rewrite(b"PEXPIREAT", key, b"%d" % at)
            c.written(key, b"expire")
        return v
    if persist and db.persist(key):
        c.rewrite(b"PERSIST", key)
        c.written(key, b"persist")
    return _copy(v)


_NO_OPTS = (False, False, False, False, False, None, None)


@command("MGET", arity=-2, group="string", flags={Flag.READONLY, Flag.FAST}, acl=STR,
         keys=[KeySpec(1, last=-1, flags={KS.RO, KS.ACCESS})],
         summary="Get the values of all the given keys",
         complexity="O(N) where N is the number of keys to retrieve.",
         tips=["request_policy:multi_shard"])
def cmd_mget(c, *keys):
    """MGET key [key ...]"""
    get = c.db.get
    out = []
    hits = 0
    for k in keys:
        v = get(k)
        if v is None:
            out.append(None)
            continue
        hits += 1
        cls = v.__class__
        out.append(v if cls is bytes else bytes(v) if cls is bytearray else None)
    st = c.engine.stats
    st.keyspace_hits += hits
    st.keyspace_misses += len(keys) - hits
    return out


@command("MSET", arity=-3, group="string", since="1.0.1", flags=_W, acl=STR,
         keys=[KeySpec(1, last=-1, step=2, flags={KS.OW, KS.UPDATE})],
         summary="Set multiple keys to multiple values",
         complexity="O(N) where N is the number of keys to set.",
         tips=["request_policy:multi_shard", "response_policy:all_succeeded"])
def cmd_mset(c, *kv):
    """MSET key value [key value ...]"""
    if len(kv) & 1:
        raise WrongArity("mset")
    _mset(c, kv)
    return OK


def _mset(c, kv):
    db, written = c.db, c.written
    for i in range(0, len(kv), 2):
        key = kv[i]
        db.set(key, kv[i + 1])
        written(key, b"set")


@command("MSETNX", arity=-3, group="string", since="1.0.1", flags=_W, acl=STR,
         keys=[KeySpec(1, last=-1, step=2, flags={KS.OW, KS.INSERT})],
         summary="Set multiple keys to multiple values, only if none of the keys exist",
         complexity="O(N) where N is the number of keys to set.",
         tips=["request_policy:multi_shard", "response_policy:agg_min"])
def cmd_msetnx(c, *kv):
    """MSETNX key value [key value ...]"""
    if len(kv) & 1:
        raise WrongArity("msetnx")
    get = c.db.get
    for i in range(0, len(kv), 2):
        if get(kv[i]) is not None:
            return 0
    _mset(c, kv)
    return 1


# ---------------------------------------------------------------- in-place edits
@command("APPEND", arity=3, group="string", since="2.0.0", flags=_WF, acl=STR,
         keys=[KeySpec(1, flags={KS.RW, KS.INSERT})],
         summary="Append a value to a key",
         complexity="O(1). The amortized time complexity is O(1) assuming the appended "
                    "value is small and the already present value is of any size, since "
                    "the dynamic string library used by Redis will double the free space "
                    "available on every reallocation.")
def cmd_append(c, key, value):
    """APPEND key value"""
    db = c.db
    v = db.get(key)
    if v is None:
        db.put(key, value)                       # a new key is encoded like SET's value
        n = len(value)
    else:
        cls = v.__class__
        if cls is bytearray:
            _check_len(c, len(v) + len(value))
            v += value                           # in place, amortised O(1)
        elif cls is bytes:
            _check_len(c, len(v) + len(value))
            v = bytearray(v)
            v += value
            db.put(key, v)                       # keeps the TTL
        else:
            raise WRONGTYPE
        n = len(v)
    c.written(key, b"append")
    return n


@command("SETRANGE", arity=4, group="string", since="2.2.0", flags=_W, acl=STR,
         keys=[KeySpec(1, flags={KS.RW, KS.UPDATE})],
         summary="Overwrite part of a string at key starting at the specified offset",
         complexity="O(1), not counting the time taken to copy the new string in place. "
                    "Usually, this string is very small so the amortized complexity is "
                    "O(1). Otherwise, complexity is O(M) with M being the length of the "
                    "value argument.")
def cmd_setrange(c, key, offset, value):
    """SETRANGE key offset value"""
    off = to_int(offset)
    if off is None:
        raise NOT_INTEGER
    if off < 0:
        raise OFFSET_RANGE
    db = c.db
    v = db.get(key)
    n = len(value)
    if v is None:
        if not n:
            return 0
        _check_len(c, off + n)
        v = bytearray(off)
        v += value
        db.put(key, v)
        c.written(key, b"setrange")
        return len(v)
    cls = v.__class__
    if cls is not bytearray:
        if cls is not bytes:
            raise WRONGTYPE
        if not n:
            return len(v)
        _check_len(c, off + n)
        v = bytearray(v)
        db.put(key, v)                           # keeps the TTL
    elif not n:
        return len(v)
    else:
        _check_len(c, off + n)
    have = len(v)
    if off > have:
        v += bytes(off - have)                   # zero padding
    v[off:off + n] = value
    c.written(key, b"setrange")
    return len(v)


# ---------------------------------------------------------------- counters
def _incr(c, key, by):
    db = c.db
    v = db.get(key)
    if v is None:
        n = by
    else:
        cls = v.__class__
        if cls is not bytes and cls is not bytearray:
            raise WRONGTYPE
        try:
            n = int(v)
        except ValueError:
            raise NOT_INTEGER from None
        # string2ll accepts exactly the canonical text: no '+', spaces, '_', leading 0s
        if b"%d" % n != v or n > LLONG_MAX or n < LLONG_MIN:
            raise NOT_INTEGER
        n += by
        if n > LLONG_MAX or n < LLONG_MIN:
            raise OVERFLOW
    db.put(key, b"%d" % n)                       # keeps the TTL
    c.written(key, b"incrby")
    return n


@command("INCR", arity=2, group="string", flags=_WF, acl=STR, keys=_RW_UPD,
         summary="Increment the integer value of a key by one", complexity="O(1)")
def cmd_incr(c, key):
    """INCR key"""
    return _incr(c, key, 1)


@command("DECR", arity=2, group="string", flags=_WF, acl=STR, keys=_RW_UPD,
         summary="Decrement the integer value of a key by one", complexity="O(1)")
def cmd_decr(c, key):
    """DECR key"""
    return _incr(c, key, -1)


@command("INCRBY", arity=3, group="string", flags=_WF, acl=STR, keys=_RW_UPD,
         summary="Increment the integer value of a key by the given amount", complexity="O(1)")
def cmd_incrby(c, key, increment):
    """INCRBY key increment"""
    by = to_int(increment)
    if by is None:
        raise NOT_INTEGER
    return _incr(c, key, by)


@command("DECRBY", arity=3, group="string", flags=_WF, acl=STR, keys=_RW_UPD,
         summary="Decrement the integer value of a key by the given number", complexity="O(1)")
def cmd_decrby(c, key, decrement):
    """DECRBY key decrement"""
    by = to_int(decrement)
    if by is None:
        raise NOT_INTEGER
    if by == LLONG_MIN:
        raise DECR_OVERFLOW
    return _incr(c, key, -by)


@command("INCRBYFLOAT", arity=3, group="string", since="2.6.0", flags=_WF, acl=STR,
         keys=_RW_UPD,
         summary="Increment the float value of a key by the given amount", complexity="O(1)")
def cmd_incrbyfloat(c, key, increment):
    """INCRBYFLOAT key increment"""
    db = c.db
    v = db.get(key)
    if v is not None and v.__class__ is not bytes and v.__class__ is not bytearray:
        raise WRONGTYPE
    new = incr_float(v, increment)
    if new is None:
        raise NOT_FLOAT
    if new is INCR_NAN:
        raise INCR_NAN
    db.put(key, new)                             # keeps the TTL
    c.written(key, b"incrbyfloat")
    c.rewrite(b"SET", key, new, b"KEEPTTL")
    return new


def incr_float(old, increment):
    """old + increment with Redis's long double rules, as the text Redis stores:
    None when either is not a valid float, INCR_NAN when the sum is NaN or infinite.
    (HINCRBYFLOAT uses the same arithmetic.)"""
    a = to_int(old) if old is not None else 0
    b = to_int(increment)
    if a is not None and b is not None:          # both integers: exact while < 2**64
        s = a + b
        if -(1 << 64) < s < (1 << 64):
            return b"%d" % s
    a = ld_parse(old) if old is not None else (0, 0)
    b = ld_parse(increment)
    if a is None or b is None:
        return None
    s = ld_add(a, b)
    return INCR_NAN if s is None else ld_format(s)


# ---------------------------------------------------------------- reads
@command("STRLEN", arity=2, group="string", since="2.2.0",
         flags={Flag.READONLY, Flag.FAST}, acl=STR, keys=[KeySpec(1, flags={KS.RO})],
         summary="Get the length of the value stored in a key", complexity="O(1)")
def cmd_strlen(c, key):
    """STRLEN key"""
    v = _read(c, key)
    return 0 if v is None else len(v)


def _getrange(c, key, start, end):
    s = to_int(start)
    e = to_int(end)
    if s is None or e is None:
        raise NOT_INTEGER
    v = _read(c, key)
    if v is None:
        return b""
    n = len(v)
    if s < 0 and e < 0 and s > e:
        return b""
    if s < 0:
        s = max(n + s, 0)
    if e < 0:
        e = max(n + e, 0)
    if e >= n:
        e = n - 1
    if s > e or not n:
        return b""
    return bytes(v[s:e + 1]) if v.__class__ is bytearray else v[s:e + 1]


@command("GETRANGE", arity=4, group="string", since="2.4.0", flags={Flag.READONLY},
         acl=STR, keys=_RO, summary="Get a substring of the string stored at a key",
         complexity="O(N) where N is the length of the returned string. The complexity "
                    "is ultimately determined by the returned length, but because creating "
                    "a substring from an existing string is very cheap, it can be "
                    "considered O(1) for small strings.")
def cmd_getrange(c, key, start, end):
    """GETRANGE key start end"""
    return _getrange(c, key, start, end)


@command("SUBSTR", arity=4, group="string", flags={Flag.READONLY}, acl=STR, keys=_RO,
         summary="Get a substring of the string stored at a key",
         complexity="O(N) where N is the length of the returned string. The complexity "
                    "is ultimately determined by the returned length, but because creating "
                    "a substring from an existing string is very cheap, it can be "
                    "considered O(1) for small strings.",
         deprecated_since="2.0.0",
         doc_flags=["deprecated"],
         replaced_by="`GETRANGE`")
def cmd_substr(c, key, start, end):
    """SUBSTR key start end"""
    return _getrange(c, key, start, end)


# ---------------------------------------------------------------- LCS
@command("LCS", arity=-3, group="string", since="7.0.0", flags={Flag.READONLY}, acl=STR,
         keys=[KeySpec(1, last=1, flags={KS.RO, KS.ACCESS})],
         summary="Find longest common substring",
         complexity="O(N*M) where N and M are the lengths of s1 and s2, respectively")
def cmd_lcs(c, key1, key2, *opts):
    """LCS key1 key2 [LEN] [IDX] [MINMATCHLEN min-match-len] [WITHMATCHLEN]"""
    db, st = c.db, c.engine.stats
    a = db.get(key1)
    b = db.get(key2)
    for v in (a, b):
        if v is None:
            st.keyspace_misses += 1
        else:
            st.keyspace_hits += 1
    if (a is not None and a.__class__ is not bytes and a.__class__ is not bytearray) or \
            (b is not None and b.__class__ is not bytes and b.__class__ is not bytearray):
        raise LCS_WRONGTYPE
    a = b"" if a is None else bytes(a)
    b = b"" if b is None else bytes(b)
    getlen = getidx = withmatchlen = False
    minlen = 0
    i, n = 0, len(opts)
    while i < n:
        o = opts[i].lower()
        if o == b"idx":
            getidx = True
        elif o == b"len":
            getlen = True
        elif o == b"withmatchlen":
            withmatchlen = True
        elif o == b"minmatchlen" and i + 1 < n:
            i += 1
            minlen = to_int(opts[i])
            if minlen is None:
                raise NOT_INTEGER
            minlen = max(minlen, 0)
        else:
            raise SYNTAX
        i += 1
    if getidx and getlen:
        raise LCS_LEN_AND_IDX
    alen, blen = len(a), len(b)
    if (alen + 1) * (blen + 1) * 4 > c.engine.config["proto-max-bulk-len"]:
        raise LCS_TOO_BIG
    if getlen:
        return _lcs_len(a, b)
    return _lcs_walk(a, b, getidx, minlen, withmatchlen)


def _match_masks(b: bytes) -> dict:
    """For each byte value, the bit set of its positions in b (bit j = b[j])."""
    if len(b) < 256:
        masks: dict = {}
        for j, ch in enumerate(b):
            masks[ch] = masks.get(ch, 0) | (1 << j)
        return masks
    rev = b[::-1]                                # int(..., 2) reads the top bit first
    out = {}
    for ch in set(b):
        table = bytes(49 if x == ch else 48 for x in range(256))   # '1' / '0'
        out[ch] = int(rev.translate(table), 2)
    return out


def _lcs_rows(a: bytes, b: bytes, keep: bool):
    """Bit-parallel LCS (Hyyro): after row i, the number of zero bits among the low j
    bits of V is LCS(a[:i], b[:j]).  O(len(a) * len(b) / word) instead of a table."""
    masks = _match_masks(b)
    full = (1 << len(b)) - 1
    v = full
    rows = [v] if keep else None
    get = masks.get
    for ch in a:
        u = v & get(ch, 0)
        v = ((v + u) | (v - u)) & full
        if keep:
            rows.append(v)
    return v, rows


def _lcs_len(a, b):
    v, _ = _lcs_rows(a, b, False)
    return len(b) - v.bit_count()


def _lcs_walk(a, b, getidx, minlen, withmatchlen):
    """Redis's backtrack over the LCS table, same path and same ranges."""
    alen, blen = len(a), len(b)
    _, rows = _lcs_rows(a, b, True)

    def lcs(i, j):
        return j - (rows[i] & ((1 << j) - 1)).bit_count()

    total = lcs(alen, blen)
    idx = total
    result = bytearray(total)
    matches = []
    a_start, a_end, b_start, b_end = alen, 0, 0, 0     # a_start == alen: no range yet
    i, j = alen, blen
    while i > 0 and j > 0:
        emit = False
        if a[i - 1] == b[j - 1]:
            result[idx - 1] = a[i - 1]
            if a_start == alen:
                a_start = a_end = i - 1
                b_start = b_end = j - 1
            elif a_start == i and b_start == j:         # contiguous: extend backward
                a_start -= 1
                b_start -= 1
            else:
                emit = True
            if a_start == 0 or b_start == 0:
                emit = True
            idx -= 1
            i -= 1
            j -= 1
        else:
            if lcs(i - 1, j) > lcs(i, j - 1):
                i -= 1
            else:
                j -= 1
            if a_start != alen:
                emit = True
        if emit:
            mlen = a_end - a_start + 1
            if getidx and (minlen == 0 or mlen >= minlen):
                m = [[a_start, a_end], [b_start, b_end]]
                if withmatchlen:
                    m.append(mlen)
                matches.append(m)
            a_start = alen
    if getidx:
        return {b"matches": matches, b"len": total}
    return bytes(result)
