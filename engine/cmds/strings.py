"""The string group: GET, SET and friends; int/embstr/raw encodings."""
from engine.commands import KS, Acl, Flag, KeySpec, command
from engine.errors import NOT_INTEGER, SYNTAX, invalid_expire
from engine.parsing import to_int
from engine.replies import OK

STR = {Acl.STRING}
_OPT = {b"nx", b"xx", b"get", b"keepttl", b"ex", b"px", b"exat", b"pxat"}


@command("GET", arity=2, group="string", flags={Flag.READONLY, Flag.FAST}, acl=STR,
         keys=[KeySpec(1, flags={KS.RO, KS.ACCESS})],
         summary="Returns the string value of a key.", complexity="O(1)")
def cmd_get(c, key):
    """GET key"""
    v = c.db.get_str(key)
    if v is None:
        c.engine.stats.keyspace_misses += 1
        return None
    c.engine.stats.keyspace_hits += 1
    return v if v.__class__ is bytes else bytes(v)


@command("SET", arity=-3, group="string", flags={Flag.WRITE, Flag.DENYOOM}, acl=STR,
         keys=[KeySpec(1, flags={KS.RW, KS.ACCESS, KS.UPDATE, KS.VARIABLE_FLAGS})],
         summary="Sets the string value of a key, ignoring its type. The key is created if "
                 "it doesn't exist.", complexity="O(1)")
def cmd_set(c, key, value, *opts):
    """SET key value [NX | XX] [GET] [EX seconds | PX milliseconds |
    EXAT unix-time-seconds | PXAT unix-time-milliseconds | KEEPTTL]"""
    db = c.db
    if not opts:                                   # the hot path
        db.data[key] = value
        if db.expires:
            db.expires.pop(key, None)
        c.written(key, b"set")
        return OK
    nx = xx = get = keepttl = False
    unit = when = None
    i, n = 0, len(opts)
    while i < n:
        o = opts[i].lower()
        if o == b"nx" and not xx:
            nx = True
        elif o == b"xx" and not nx:
            xx = True
        elif o == b"get":
            get = True
        elif o == b"keepttl" and unit is None:
            keepttl = True
        elif o in (b"ex", b"px", b"exat", b"pxat") and unit is None and not keepttl \
                and i + 1 < n:
            unit = o
            i += 1
            when = to_int(opts[i])
            if when is None:
                raise NOT_INTEGER
        else:
            raise SYNTAX
        i += 1
    expire_at = None
    if unit is not None:
        if when <= 0 or (unit in (b"ex", b"exat") and when > (2**63 - 1) // 1000):
            raise invalid_expire("set")
        now = c.engine.now_ms
        expire_at = {b"ex": now + when * 1000, b"px": now + when,
                     b"exat": when * 1000, b"pxat": when}[unit]
        if expire_at > 2**63 - 1:
            raise invalid_expire("set")
    old = db.get_str(key) if get else db.get(key)
    if (nx and old is not None) or (xx and old is None):
        return (bytes(old) if old is not None else None) if get else None
    db.set(key, value, keep_ttl=keepttl)
    c.written(key, b"set")
    if expire_at is not None:
        db.set_expire(key, expire_at)
        c.written(key, b"expire", dirty=0)
        c.rewrite(b"SET", key, value, b"PXAT", b"%d" % expire_at,
                  *([b"GET"] if get else []))
    if get:
        return bytes(old) if old is not None else None
    return OK
