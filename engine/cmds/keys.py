"""The generic key commands: DEL, UNLINK, EXISTS, TYPE, RENAME(NX), KEYS, SCAN,
RANDOMKEY, TOUCH, OBJECT, DBSIZE, SWAPDB, MOVE, COPY, WAIT."""
from engine.blocking import block, parse_timeout
from engine.commands import KS, Acl, Flag, KeySpec, command, container
from engine.errors import (DB_INDEX_OUT_OF_RANGE, NO_SUCH_KEY, NOT_INTEGER, SAME_OBJECT,
                           SYNTAX, RedisError, err)
from engine.glob import compile_glob
from engine.parsing import parse_int, to_int
from engine.replies import OK, Status
from engine.types import encoding_of, type_name

KEYSPACE = {Acl.KEYSPACE}
INT_MIN, INT_MAX = -2**31, 2**31 - 1
ULONG_MAX = 2**64 - 1
SHARED_INTEGERS = 10000                     # OBJ_SHARED_INTEGERS
SHARED_REFCOUNT = INT_MAX                   # OBJ_SHARED_REFCOUNT
_ALL = {KS.RO}
_NONE = Status(b"none")
_TYPE_STATUS: dict = {b"string": Status(b"string")}   # type name -> +name (reused)


# ------------------------------------------------------------------ DEL / EXISTS / TYPE
@command("DEL", arity=-2, group="generic", flags={Flag.WRITE}, acl=KEYSPACE,
         keys=[KeySpec(1, last=-1, flags={KS.RM, KS.DELETE})], summary="Delete a key",
         complexity="O(N) where N is the number of keys that will be removed. When a key "
                    "to remove holds a value other than a string, the individual complexity "
                    "for this key is O(M) where M is the number of elements in the list, "
                    "set, sorted set or hash. Removing a single key that holds a string "
                    "value is O(1).",
         tips=["request_policy:multi_shard", "response_policy:agg_sum"])
def cmd_del(c, *keys):
    """DEL key [key ...]"""
    db = c.db
    data = db.data
    n = 0
    for key in keys:
        if key in data and db.delete(key):      # an expired key is expired, not counted
            n += 1
            c.written(key, b"del")
    return n


@command("UNLINK", arity=-2, group="generic", since="4.0.0", flags={Flag.WRITE, Flag.FAST},
         acl=KEYSPACE, keys=[KeySpec(1, last=-1, flags={KS.RM, KS.DELETE})],
         summary="Delete a key asynchronously in another thread. Otherwise it is just as "
                 "DEL, but non blocking.",
         complexity="O(1) for each key removed regardless of its size. Then the command "
                    "does O(N) work in a different thread in order to reclaim memory, where "
                    "N is the number of allocations the deleted objects where composed of.",
         tips=["request_policy:multi_shard", "response_policy:agg_sum"])
def cmd_unlink(c, *keys):
    """UNLINK key [key ...]"""
    return cmd_del(c, *keys)     # freeing is Python's job; nothing is slow to hand off


@command("EXISTS", arity=-2, group="generic", flags={Flag.READONLY, Flag.FAST},
         acl=KEYSPACE, keys=[KeySpec(1, last=-1, flags=_ALL)],
         summary="Determine if a key exists",
         complexity="O(N) where N is the number of keys to check.",
         history=[("3.0.3", "Accepts multiple `key` arguments.")],
         tips=["request_policy:multi_shard", "response_policy:agg_sum"])
def cmd_exists(c, *keys):
    """EXISTS key [key ...]"""
    db = c.db
    data = db.data
    stats = c.engine.stats
    if len(keys) == 1:                  # the common case, kept lean
        key = keys[0]
        if key in data and (not db.expires or db.peek(key) is not None):
            stats.keyspace_hits += 1
            return 1
        stats.keyspace_misses += 1
        return 0
    n = 0
    peek = db.peek
    for key in keys:
        if key in data and peek(key) is not None:
            n += 1
    stats.keyspace_hits += n
    stats.keyspace_misses += len(keys) - n
    return n


@command("TYPE", arity=2, group="generic", flags={Flag.READONLY, Flag.FAST}, acl=KEYSPACE,
         keys=[KeySpec(1, flags=_ALL)], summary="Determine the type stored at key",
         complexity="O(1)")
def cmd_type(c, key):
    """TYPE key"""
    v = c.db.peek(key)
    if v is None:
        c.engine.stats.keyspace_misses += 1
        return _NONE
    c.engine.stats.keyspace_hits += 1
    name = type_name(v)
    s = _TYPE_STATUS.get(name)
    if s is None:
        s = _TYPE_STATUS[name] = Status(name)
    return s


# ------------------------------------------------------------------ RENAME
def _rename(c, src, dst, nx):
    db = c.db
    if db.get(src) is None:
        raise NO_SUCH_KEY
    if src == dst:                      # Redis >= 3.2: a no-op, not an error
        return 0 if nx else OK
    if db.peek(dst) is not None:
        if nx:
            return 0
        db.delete(dst)                  # overwritten silently: no "del" event, as Redis
    value, when = db.pop(src)
    db.set(dst, value)
    if when is not None:
        db.set_expire(dst, when)        # the TTL travels with the value
    c.written(src, b"rename_from")
    c.written(dst, b"rename_to", dirty=0)
    return 1 if nx else OK


_RENAME_KEYS = [KeySpec(1, flags={KS.RW, KS.ACCESS, KS.DELETE})]


@command("RENAME", arity=3, group="generic", flags={Flag.WRITE}, acl=KEYSPACE,
         keys=_RENAME_KEYS + [KeySpec(2, flags={KS.OW, KS.UPDATE})],
         summary="Rename a key", complexity="O(1)")
def cmd_rename(c, key, newkey):
    """RENAME key newkey"""
    return _rename(c, key, newkey, False)


@command("RENAMENX", arity=3, group="generic", flags={Flag.WRITE, Flag.FAST}, acl=KEYSPACE,
         keys=_RENAME_KEYS + [KeySpec(2, flags={KS.OW, KS.INSERT})],
         summary="Rename a key, only if the new key does not exist", complexity="O(1)",
         history=[("3.2.0", "The command no longer returns an error when source and "
                            "destination names are the same.")])
def cmd_renamenx(c, key, newkey):
    """RENAMENX key newkey"""
    return _rename(c, key, newkey, True)


# ------------------------------------------------------------------ KEYS / SCAN
def literal(pattern: bytes):
    """The one key a glob pattern can match (escapes resolved), or None when it has
    wildcards or a class.  A trailing backslash is a literal one, as in stringmatchlen."""
    if b"*" not in pattern and b"?" not in pattern and b"[" not in pattern \
            and b"\\" not in pattern:
        return pattern
    out = bytearray()
    i, n = 0, len(pattern)
    while i < n:
        ch = pattern[i]
        if ch in b"*?[":
            return None
        if ch == 92 and i + 1 < n:          # backslash: the next byte is literal
            i += 1
            ch = pattern[i]
        out.append(ch)
        i += 1
    return bytes(out)


@command("KEYS", arity=2, group="generic", flags={Flag.READONLY},
         acl=KEYSPACE | {Acl.DANGEROUS}, summary="Find all keys matching the given pattern",
         complexity="O(N) with N being the number of keys in the database, under the "
                    "assumption that the key names in the database and the given pattern "
                    "have limited length.",
         tips=["request_policy:all_shards", "nondeterministic_output_order"])
def cmd_keys(c, pattern):
    """KEYS pattern"""
    db = c.db
    data = db.data
    expired = db.is_expired if db.expires else None
    if pattern == b"*":
        if expired is None:
            return list(data)
        return [k for k in data if not expired(k)]
    key = literal(pattern)
    if key is not None:                     # no wildcard: a single lookup
        return [key] if key in data and not (expired and expired(key)) else []
    match = compile_glob(pattern).fullmatch
    if expired is None:
        return [k for k in data if match(k)]
    return [k for k in data if match(k) and not expired(k)]


def parse_cursor(arg: bytes) -> int:
    """Redis's parseScanCursorOrReply: strtoul base 10 (an optional sign, '-n' wraps,
    the empty string is 0), no leading space, nothing after the digits, no overflow."""
    s = arg
    neg = False
    if s[:1] in (b"+", b"-"):
        neg = s[:1] == b"-"
        s = s[1:]
        if not s:
            raise RedisError("ERR invalid cursor")
    if s and not s.isdigit():
        raise RedisError("ERR invalid cursor")
    v = int(s) if s else 0
    if v > ULONG_MAX:
        raise RedisError("ERR invalid cursor")
    return (-v) & ULONG_MAX if neg else v


@command("SCAN", arity=-2, group="generic", since="2.8.0", flags={Flag.READONLY},
         acl=KEYSPACE, summary="Incrementally iterate the keys space",
         complexity="O(1) for every call. O(N) for a complete iteration, including enough "
                    "command calls for the cursor to return back to 0. N is the number of "
                    "elements inside the collection.",
         history=[("6.0.0", "Added the `TYPE` subcommand.")],
         tips=["nondeterministic_output", "request_policy:special"])
def cmd_scan(c, cursor, *opts):
    """SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]"""
    cur = parse_cursor(cursor)
    count, pattern, typ = 10, None, None
    i, n = 0, len(opts)
    while i < n:
        o = opts[i].lower()
        if i + 1 >= n:
            raise SYNTAX
        if o == b"count":
            count = parse_int(opts[i + 1])
            if count < 1:
                raise SYNTAX
        elif o == b"match":
            pattern = None if opts[i + 1] == b"*" else opts[i + 1]
        elif o == b"type":
            typ = opts[i + 1].lower()
        else:
            raise SYNTAX
        i += 2
    db = c.db
    nxt, keys = db.scan(cur, count)
    if pattern is not None:
        match = compile_glob(pattern).fullmatch
        keys = [k for k in keys if match(k)]
    if typ is not None:               # a NOTOUCH read per key: counted as a hit
        c.engine.stats.keyspace_hits += len(keys)
        peek = db.peek
        keys = [k for k in keys if (v := peek(k)) is not None and type_name(v) == typ]
    return [b"%d" % nxt, keys]


@command("RANDOMKEY", arity=1, group="generic", flags={Flag.READONLY}, acl=KEYSPACE,
         summary="Return a random key from the keyspace", complexity="O(1)",
         tips=["request_policy:all_shards", "nondeterministic_output"])
def cmd_randomkey(c):
    """RANDOMKEY"""
    return c.db.random_key(c.engine.rng)


@command("TOUCH", arity=-2, group="generic", since="3.2.1",
         flags={Flag.READONLY, Flag.FAST}, acl=KEYSPACE,
         keys=[KeySpec(1, last=-1, flags=_ALL)],
         summary="Alters the last access time of a key(s). Returns the number of existing "
                 "keys specified.",
         complexity="O(N) where N is the number of keys that will be touched.",
         tips=["request_policy:multi_shard", "response_policy:agg_sum"])
def cmd_touch(c, *keys):
    """TOUCH key [key ...]"""
    get = c.db.get                      # a read lookup: updates LRU/LFU
    n = 0
    for key in keys:
        if get(key) is not None:
            n += 1
    stats = c.engine.stats
    stats.keyspace_hits += n
    stats.keyspace_misses += len(keys) - n
    return n


@command("DBSIZE", arity=1, group="server", flags={Flag.READONLY, Flag.FAST}, acl=KEYSPACE,
         summary="Return the number of keys in the selected database", complexity="O(1)",
         tips=["request_policy:all_shards", "response_policy:agg_sum"])
def cmd_dbsize(c):
    """DBSIZE"""
    return len(c.db.data)


# ------------------------------------------------------------------ OBJECT
container("OBJECT", group="generic", since="2.2.3",
          summary="A container for object introspection commands")

_OBJ = dict(group="generic", flags={Flag.READONLY}, acl=KEYSPACE,
            keys=[KeySpec(2, flags=_ALL)], complexity="O(1)")
_LFU_MSG = ("Please note that when switching between policies at runtime LRU and LFU data "
            "will take some time to adjust.")
LFU_NOT_SELECTED = RedisError("ERR An LFU maxmemory policy is not selected, access "
                              "frequency not tracked. " + _LFU_MSG)
LFU_SELECTED = RedisError("ERR An LFU maxmemory policy is selected, idle time not "
                          "tracked. " + _LFU_MSG)


def _lfu_policy(c) -> bool:
    return c.engine.config["maxmemory-policy"].endswith("-lfu")


def _lookup(c, key):
    """objectCommandLookup: a read that does not touch but counts hits and misses."""
    v = c.db.peek(key)
    if v is None:
        c.engine.stats.keyspace_misses += 1
    else:
        c.engine.stats.keyspace_hits += 1
    return v


@command("OBJECT ENCODING", arity=3, since="2.2.3",
         summary="Inspect the internal encoding of a Redis object", **_OBJ,
         tips=["nondeterministic_output"])
def cmd_object_encoding(c, key):
    """OBJECT ENCODING key"""
    v = _lookup(c, key)
    return None if v is None else encoding_of(v, c.engine.config)


@command("OBJECT FREQ", arity=3, since="4.0.0",
         summary="Get the logarithmic access frequency counter of a Redis object", **_OBJ,
         tips=["nondeterministic_output"])
def cmd_object_freq(c, key):
    """OBJECT FREQ key"""
    if _lookup(c, key) is None:
        return None
    if not _lfu_policy(c):
        raise LFU_NOT_SELECTED
    return c.db.lfu_count(key)


@command("OBJECT IDLETIME", arity=3, since="2.2.3",
         summary="Get the time since a Redis object was last accessed", **_OBJ,
         tips=["nondeterministic_output"])
def cmd_object_idletime(c, key):
    """OBJECT IDLETIME key"""
    if _lookup(c, key) is None:
        return None
    if _lfu_policy(c):
        raise LFU_SELECTED
    return c.db.idle_seconds(key)


def _shared_integer(c, v) -> bool:
    """SET stores 0..9999 as Redis's shared integer objects, unless maxmemory with an
    LRU/LFU policy needs per-object access data."""
    if v.__class__ is not bytes or len(v) > 5:
        return False
    n = to_int(v)
    if n is None or not 0 <= n < SHARED_INTEGERS:
        return False
    cfg = c.engine.config
    return not cfg["maxmemory"] or not cfg["maxmemory-policy"].endswith(("-lru", "-lfu"))


@command("OBJECT REFCOUNT", arity=3, since="2.2.3",
         summary="Get the number of references to the value of the key", **_OBJ,
         tips=["nondeterministic_output"])
def cmd_object_refcount(c, key):
    """OBJECT REFCOUNT key"""
    v = _lookup(c, key)
    if v is None:
        return None
    return SHARED_REFCOUNT if _shared_integer(c, v) else 1


_OBJECT_HELP = [Status(s) for s in (
    b"OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    b"ENCODING <key>",
    b"    Return the kind of internal representation used in order to store the value",
    b"    associated with a <key>.",
    b"FREQ <key>",
    b"    Return the access frequency index of the <key>. The returned integer is",
    b"    proportional to the logarithm of the recent access frequency of the key.",
    b"IDLETIME <key>",
    b"    Return the idle time of the <key>, that is the approximated number of",
    b"    seconds elapsed since the last access to the key.",
    b"REFCOUNT <key>",
    b"    Return the number of references of the value associated with the specified",
    b"    <key>.",
    b"HELP",
    b"    Prints this help.")]


@command("OBJECT HELP", arity=2, group="generic", since="6.2.0",
         flags={Flag.LOADING, Flag.STALE}, acl=KEYSPACE,
         summary="Show helpful text about the different subcommands", complexity="O(1)")
def cmd_object_help(c):
    """OBJECT HELP"""
    return list(_OBJECT_HELP)


# ------------------------------------------------------------------ databases
INT_RANGE = RedisError("ERR value is out of range, value must between -2147483648 and "
                       "2147483647")


def _db_index(c, arg: bytes):
    """getIntFromObjectOrReply + selectDb: the Database, or Redis's errors."""
    n = to_int(arg)
    if n is None:
        raise NOT_INTEGER
    if not INT_MIN <= n <= INT_MAX:
        raise INT_RANGE
    dbs = c.engine.dbs
    if not 0 <= n < len(dbs):
        raise DB_INDEX_OUT_OF_RANGE
    return dbs[n]


@command("SWAPDB", arity=3, group="server", since="4.0.0", flags={Flag.WRITE, Flag.FAST},
         acl=KEYSPACE | {Acl.DANGEROUS}, summary="Swaps two Redis databases",
         complexity="O(N) where N is the count of clients watching or blocking on keys "
                    "from both databases.")
def cmd_swapdb(c, index1, index2):
    """SWAPDB index1 index2"""
    a = to_int(index1)
    if a is None or not INT_MIN <= a <= INT_MAX:
        raise err("invalid first DB index")
    b = to_int(index2)
    if b is None or not INT_MIN <= b <= INT_MAX:
        raise err("invalid second DB index")
    e = c.engine
    n = len(e.dbs)
    if not (0 <= a < n and 0 <= b < n):
        raise DB_INDEX_OUT_OF_RANGE
    if a != b:
        d1, d2 = e.dbs[a], e.dbs[b]
        if e.watched:               # watched keys existing before or after the swap
            e.touch_all_watched(d1)
            e.touch_all_watched(d2)
        d1.swap_with(d2)
        if e.watched:
            e.touch_all_watched(d1)
            e.touch_all_watched(d2)
        if e.blocking.waiting:      # clients blocked on a db id may now be served
            e.blocking.signal_db(d1)
            e.blocking.signal_db(d2)
    e.dirty += 1
    return OK


@command("MOVE", arity=3, group="generic", flags={Flag.WRITE, Flag.FAST}, acl=KEYSPACE,
         keys=[KeySpec(1, flags={KS.RW, KS.ACCESS, KS.UPDATE})],
         summary="Move a key to another database", complexity="O(1)")
def cmd_move(c, key, db):
    """MOVE key db"""
    src = c.db
    dst = _db_index(c, db)
    if dst is src:
        raise SAME_OBJECT
    if src.get(key) is None or dst.peek(key) is not None:
        return 0
    value, when = src.pop(key)
    dst.set(key, value)
    if when is not None:
        dst.set_expire(key, when)
    c.written(key, b"move_from")
    c.written(key, b"move_to", dirty=0, db=dst)
    return 1


def copy_value(v):
    """An independent copy: bytes are immutable (shared, as Redis shares embstr
    duplicates' content anyway), bytearrays and collections are duplicated."""
    if v.__class__ is bytes:
        return v
    if v.__class__ is bytearray:
        return bytearray(v)
    return v.copy()


@command("COPY", arity=-3, group="generic", since="6.2.0",
         flags={Flag.WRITE, Flag.DENYOOM}, acl=KEYSPACE,
         keys=[KeySpec(1, flags={KS.RO, KS.ACCESS}), KeySpec(2, flags={KS.OW, KS.UPDATE})],
         summary="Copy a key",
         complexity="O(N) worst case for collections, where N is the number of nested "
                    "items. O(1) for string values.")
def cmd_copy(c, source, destination, *opts):
    """COPY source destination [DB destination-db] [REPLACE]"""
    src = dst = c.db
    replace = False
    i, n = 0, len(opts)
    while i < n:
        o = opts[i].lower()
        if o == b"replace":
            replace = True
        elif o == b"db" and i + 1 < n:
            dst = _db_index(c, opts[i + 1])
            i += 1
        else:
            raise SYNTAX
        i += 1
    if src is dst and source == destination:
        raise SAME_OBJECT
    v = src.get(source)
    if v is None:
        return 0
    when = src.get_expire(source)
    if dst.peek(destination) is not None:
        if not replace:
            return 0
        dst.delete(destination)
    dst.set(destination, copy_value(v))
    if when is not None:
        dst.set_expire(destination, when)
    c.written(destination, b"copy_to", db=dst)
    return 1


# ------------------------------------------------------------------ WAIT
@command("WAIT", arity=3, group="generic", since="3.0.0", flags={Flag.NOSCRIPT},
         acl={Acl.CONNECTION},
         summary="Wait for the synchronous replication of all the write commands sent in "
                 "the context of the current connection", complexity="O(1)",
         tips=["request_policy:all_shards", "response_policy:agg_min"])
def cmd_wait(c, numreplicas, timeout):
    """WAIT numreplicas timeout"""
    wanted = parse_int(numreplicas)
    deadline = parse_timeout(c, timeout, seconds=False)
    if wanted <= 0:
        return 0                    # no replica acknowledges anything: 0 >= wanted
    # as Redis with too few replicas: block until the timeout (0 = forever; CLIENT
    # UNBLOCK ends it), then reply the acks counted (0); inside MULTI answer at once
    return block(c, (), deadline, None, timeout_reply=0)
