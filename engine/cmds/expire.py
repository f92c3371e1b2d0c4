"""Expiry commands: EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT (NX | XX | GT | LT), TTL, PTTL,
EXPIRETIME, PEXPIRETIME, PERSIST.  Relative forms propagate as PEXPIREAT <abs ms>; a time
already past deletes the key and propagates DEL (UNLINK under lazyfree-lazy-expire)."""
from engine.commands import KS, Acl, Flag, KeySpec, command
from engine.errors import NOT_INTEGER, RedisError, invalid_expire
from engine.parsing import to_int

KEYSPACE = {Acl.KEYSPACE}
LLONG_MAX = 2**63 - 1
SEC_MAX = LLONG_MAX // 1000            # C's LLONG_MAX / 1000
SEC_MIN = -(2**63 // 1000)             # C's LLONG_MIN / 1000 truncates toward zero
NX, XX, GT, LT = 1, 2, 4, 8
_FLAGS = {b"nx": NX, b"xx": XX, b"gt": GT, b"lt": LT}
NX_CONFLICT = RedisError("ERR NX and XX, GT or LT options at the same time are not "
                         "compatible")
GT_LT_CONFLICT = RedisError("ERR GT and LT options at the same time are not compatible")


def _parse_flags(opts) -> int:
    flags = 0
    for o in opts:
        f = _FLAGS.get(o.lower())
        if f is None:
            raise RedisError("ERR Unsupported option " + o.decode("utf-8", "replace"))
        flags |= f
    if flags & NX and flags & (XX | GT | LT):
        raise NX_CONFLICT
    if flags & GT and flags & LT:
        raise GT_LT_CONFLICT
    return flags


def _expire(c, name: str, key: bytes, param: bytes, opts, relative: bool, seconds: bool):
    """expireGenericCommand: options, then the number, overflow checks, then the key."""
    flags = _parse_flags(opts) if opts else 0
    when = to_int(param)
    if when is None:
        raise NOT_INTEGER
    if seconds:
        if when > SEC_MAX or when < SEC_MIN:
            raise invalid_expire(name)
        when *= 1000
    now = c.engine.now_ms
    if relative:
        if when > LLONG_MAX - now:
            raise invalid_expire(name)
        when += now
    db = c.db
    if db.get(key) is None:
        return 0
    if flags:
        cur = db.get_expire(key)
        if flags & NX and cur is not None:
            return 0
        if flags & XX and cur is None:
            return 0
        if flags & GT and (cur is None or when <= cur):      # no TTL counts as infinite
            return 0
        if flags & LT and cur is not None and when >= cur:
            return 0
    if when <= now:                         # already past: delete now, propagate DEL
        db.delete(key)
        c.rewrite(b"UNLINK" if c.engine.config["lazyfree-lazy-expire"] else b"DEL", key)
        c.written(key, b"del")
        return 1
    db.set_expire(key, when)
    if relative or seconds:                 # PEXPIREAT as received is already absolute
        c.rewrite(b"PEXPIREAT", key, b"%d" % when, *opts)
    c.written(key, b"expire")
    return 1


_W = dict(group="generic", flags={Flag.WRITE, Flag.FAST}, acl=KEYSPACE,
          keys=[KeySpec(1, flags={KS.RW, KS.UPDATE})], complexity="O(1)")


@command("EXPIRE", arity=-3, summary="Set a key's time to live in seconds", **_W,
         history=[("7.0.0", "Added options: `NX`, `XX`, `GT` and `LT`.")])
def cmd_expire(c, key, seconds, *opts):
    """EXPIRE key seconds [NX | XX | GT | LT]"""
    return _expire(c, "expire", key, seconds, opts, True, True)


@command("PEXPIRE", arity=-3, since="2.6.0",
         summary="Set a key's time to live in milliseconds", **_W,
         history=[("7.0.0", "Added options: `NX`, `XX`, `GT` and `LT`.")])
def cmd_pexpire(c, key, milliseconds, *opts):
    """PEXPIRE key milliseconds [NX | XX | GT | LT]"""
    return _expire(c, "pexpire", key, milliseconds, opts, True, False)


@command("EXPIREAT", arity=-3, since="1.2.0",
         summary="Set the expiration for a key as a UNIX timestamp", **_W,
         history=[("7.0.0", "Added options: `NX`, `XX`, `GT` and `LT`.")])
def cmd_expireat(c, key, unix_time_seconds, *opts):
    """EXPIREAT key unix-time-seconds [NX | XX | GT | LT]"""
    return _expire(c, "expireat", key, unix_time_seconds, opts, False, True)


@command("PEXPIREAT", arity=-3, since="2.6.0",
         summary="Set the expiration for a key as a UNIX timestamp specified in "
                 "milliseconds", **_W,
         history=[("7.0.0", "Added options: `NX`, `XX`, `GT` and `LT`.")])
def cmd_pexpireat(c, key, unix_time_milliseconds, *opts):
    """PEXPIREAT key unix-time-milliseconds [NX | XX | GT | LT]"""
    return _expire(c, "pexpireat", key, unix_time_milliseconds, opts, False, False)


# ------------------------------------------------------------------ TTL and friends
def _ttl(c, key: bytes, ms: bool, absolute: bool) -> int:
    db = c.db
    if db.peek(key) is None:
        c.engine.stats.keyspace_misses += 1
        return -2
    c.engine.stats.keyspace_hits += 1
    when = db.get_expire(key)
    if when is None:
        return -1
    ttl = when if absolute else when - c.engine.now_ms
    if ttl < 0:
        ttl = 0
    return ttl if ms else (ttl + 500) // 1000


_R = dict(group="generic", flags={Flag.READONLY, Flag.FAST}, acl=KEYSPACE,
          keys=[KeySpec(1, flags={KS.RO, KS.ACCESS})], complexity="O(1)")


@command("TTL", arity=2, summary="Get the time to live for a key in seconds", **_R,
         history=[("2.8.0", "Added the -2 reply.")],
         tips=["nondeterministic_output"])
def cmd_ttl(c, key):
    """TTL key"""
    return _ttl(c, key, False, False)


@command("PTTL", arity=2, since="2.6.0",
         summary="Get the time to live for a key in milliseconds", **_R,
         history=[("2.8.0", "Added the -2 reply.")],
         tips=["nondeterministic_output"])
def cmd_pttl(c, key):
    """PTTL key"""
    return _ttl(c, key, True, False)


@command("EXPIRETIME", arity=2, since="7.0.0",
         summary="Get the expiration Unix timestamp for a key", **_R)
def cmd_expiretime(c, key):
    """EXPIRETIME key"""
    return _ttl(c, key, False, True)


@command("PEXPIRETIME", arity=2, since="7.0.0",
         summary="Get the expiration Unix timestamp for a key in milliseconds", **_R)
def cmd_pexpiretime(c, key):
    """PEXPIRETIME key"""
    return _ttl(c, key, True, True)


@command("PERSIST", arity=2, group="generic", since="2.2.0", flags={Flag.WRITE, Flag.FAST},
         acl=KEYSPACE, keys=[KeySpec(1, flags={KS.RW, KS.UPDATE})],
         summary="Remove the expiration from a key", complexity="O(1)")
def cmd_persist(c, key):
    """PERSIST key"""
    db = c.db
    if db.get(key) is None or not db.persist(key):
        return 0
    c.written(key, b"persist")
    return 1
