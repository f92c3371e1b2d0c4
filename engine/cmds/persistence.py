"""RDB persistence commands: SAVE, BGSAVE, DUMP, RESTORE, and DEBUG RELOAD / DIGEST /
DIGEST-VALUE / OBJECT (plugged into DEBUG, which lives in engine.cmds.server).
LASTSAVE stays in engine.cmds.server (it reads engine.lastsave, kept by the state)."""
from __future__ import annotations



from engine.commands import KS, Acl, Flag, KeySpec, command
from engine.errors import NO_SUCH_KEY, NOT_INTEGER, SYNTAX, RedisError
from engine.parsing import to_int
from engine.persist import digest
from engine.persist.rdb_read import load_payload
from engine.persist.rdb_write import dump_payload, encode_value
from engine.persist.rdbio import RdbError
from engine.persist.state import rdb_state
from engine.replies import OK, Status
from engine.types import encoding_of

from .server import DEBUG_HELP, DEBUG_SUBCOMMANDS

_ADMIN = {Flag.ADMIN, Flag.NOSCRIPT, Flag.NO_ASYNC_LOADING}
ERR = RedisError("ERR")
BUSYKEY = RedisError("BUSYKEY Target key name already exists.")
BAD_PAYLOAD = RedisError("ERR DUMP payload version or checksum are wrong")
BAD_FORMAT = RedisError("ERR Bad data format")
BGSAVE_RUNNING = RedisError("ERR Background save already in progress")


@command("SAVE", arity=1, group="server", flags=_ADMIN | {Flag.NO_MULTI},
         summary="Synchronously save the dataset to disk",
         complexity="O(N) where N is the total number of keys in all databases")
def cmd_save(c):
    """SAVE"""
    st = rdb_state(c.engine)
    if st.snapshot is not None:
        raise BGSAVE_RUNNING
    if not st.save():
        raise ERR
    return OK


@command("BGSAVE", arity=-1, group="server", flags=_ADMIN,
         summary="Asynchronously save the dataset to disk", complexity="O(1)",
         history=[("3.2.2", "Added the `SCHEDULE` option.")])
def cmd_bgsave(c, *opts):
    """BGSAVE [SCHEDULE]"""
    schedule = False
    if opts:
        if len(opts) == 1 and opts[0].lower() == b"schedule":
            schedule = True
        else:
            raise SYNTAX
    st = rdb_state(c.engine)
    if st.snapshot is not None:
        raise BGSAVE_RUNNING
    if st.aof_rewriting():                      # hasActiveChildProcess: an AOF rewrite
        if schedule:
            st.bgsave_scheduled = True
            return Status(b"Background saving scheduled")
        raise RedisError("ERR Another child process is active (AOF?): can't BGSAVE right "
                         "now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever "
                         "possible.")
    if c.engine.exec_buffer is not None:        # inside EXEC: after it (Redis's in_exec)
        st.bgsave_scheduled = True
        return Status(b"Background saving scheduled")
    # (no other child process exists here: SCHEDULE changes nothing outside EXEC)
    if not st.bgsave():
        raise ERR
    return Status(b"Background saving started")


# ------------------------------------------------------------------ DUMP / RESTORE
@command("DUMP", arity=2, group="generic", since="2.6.0", flags={Flag.READONLY},
         acl={Acl.KEYSPACE}, keys=[KeySpec(1, flags={KS.RO, KS.ACCESS})],
         tips=["nondeterministic_output"],
         summary="Return a serialized version of the value stored at the specified key.",
         complexity="O(1) to access the key and additional O(N*M) to serialize it, where N "
                    "is the number of Redis objects composing the value and M their average "
                    "size. For small string values the time complexity is thus O(1)+O(1*M) "
                    "where M is small, so simply O(1).")
def cmd_dump(c, key):
    """DUMP key"""
    v = c.db.get(key)
    if v is None:
        return None
    return dump_payload(v, c.engine.config)


@command("RESTORE", arity=-4, group="generic", since="2.6.0",
         flags={Flag.WRITE, Flag.DENYOOM}, acl={Acl.KEYSPACE, Acl.DANGEROUS},
         keys=[KeySpec(1, flags={KS.OW, KS.UPDATE})],
         history=[("3.0.0", "Added the `REPLACE` modifier."),
                  ("5.0.0", "Added the `ABSTTL` modifier."),
                  ("5.0.0", "Added the `IDLETIME` and `FREQ` options.")],
         summary="Create a key using the provided serialized value, previously obtained "
                 "using DUMP.",
         complexity="O(1) to create the new key and additional O(N*M) to reconstruct the "
                    "serialized value, where N is the number of Redis objects composing the "
                    "value and M their average size. For small string values the time "
                    "complexity is thus O(1)+O(1*M) where M is small, so simply O(1). However "
                    "for sorted set values the complexity is O(N*M*log(N)) because inserting "
                    "values into sorted sets is O(log(N)).")
def cmd_restore(c, key, ttl_arg, payload, *opts):
    """RESTORE key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME seconds] [FREQ frequency]"""
    replace = absttl = False
    idle = freq = -1
    j, n = 0, len(opts)
    while j < n:
        o = opts[j].lower()
        more = n - j - 1
        if o == b"replace":
            replace = True
        elif o == b"absttl":
            absttl = True
        elif o == b"idletime" and more >= 1 and freq == -1:
            idle = to_int(opts[j + 1])
            if idle is None:
                raise NOT_INTEGER
            if idle < 0:
                raise RedisError("ERR Invalid IDLETIME value, must be >= 0")
            j += 1
        elif o == b"freq" and more >= 1 and idle == -1:
            freq = to_int(opts[j + 1])
            if freq is None:
                raise NOT_INTEGER
            if freq < 0 or freq > 255:
                raise RedisError("ERR Invalid FREQ value, must be >= 0 and <= 255")
            j += 1
        else:
            raise SYNTAX
        j += 1
    db = c.db
    if not replace and db.get(key) is not None:
        raise BUSYKEY
    ttl = to_int(ttl_arg)
    if ttl is None:
        raise NOT_INTEGER
    if ttl < 0:
        raise RedisError("ERR Invalid TTL value, must be >= 0")
    e = c.engine
    try:
        v = load_payload(payload, e.config)
    except (RdbError, RedisError):
        raise BAD_FORMAT from None
    if v is None:
        raise BAD_PAYLOAD
    deleted = db.delete(key) if replace else False
    if ttl and not absttl:
        ttl += e.now_ms
    if ttl and ttl < e.now_ms:                     # already expired: only the delete stays
        if deleted:
            c.rewrite(b"DEL", key)
            c.written(key, b"del")
        else:
            c.rewrite(b"PING")                     # nothing to propagate
        return OK
    db.set(key, v)
    if ttl:
        db.set_expire(key, ttl)
        if not absttl:
            c.rewrite(b"RESTORE", key, b"%d" % ttl, payload, *opts, b"ABSTTL")
    c.written(key, b"restore")
    if e.config["maxmemory-policy"].endswith("-lfu"):
        if freq >= 0:
            db.set_freq(key, freq)
    elif idle >= 0:
        db.set_idle(key, idle)
    return OK


# ------------------------------------------------------------------ DEBUG extensions
def debug_reload(c, *opts):
    save = flush = True
    merge = False
    for o in opts:
        lo = o.lower()
        if lo == b"merge":
            merge = True
        elif lo == b"noflush":
            flush = False
        elif lo == b"nosave":
            save = False
        else:
            raise RedisError("ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE "
                             "options.")
    e = c.engine
    st = rdb_state(e)
    if st.snapshot is not None:
        st.run_to_end()
    if save and not st.save():
        raise ERR
    try:
        if merge and not flush:
            ok = _merge_load(e, st.path())
        else:
            ok = st.load_file(st.path(), flush=flush)
    except RdbError as err:
        e.log.warning(f"Error loading the RDB: {err}")
        ok = False
    if not ok:
        raise RedisError("ERR Error trying to load the RDB dump")
    e.log.warning("DB reloaded by DEBUG RELOAD")
    return OK


def _merge_load(e, path) -> bool:
    """DEBUG RELOAD MERGE NOFLUSH: the file's keys replace existing ones."""
    from engine import Engine
    from engine.persist.rdb_read import load_rdb
    try:
        with open(path, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        return False
    tmp = Engine(e.config, clock=e.clock)
    load_rdb(data, tmp, e.now_ms, checksum=e.config["rdbchecksum"])
    for src, dst in zip(tmp.dbs, e.dbs):
        for k, v in src.data.items():
            dst.put(k, v)                       # accounted (engine.memory)
            dst.expires.pop(k, None)
            when = src.expires.get(k)
            if when is not None:
                dst.set_expire(k, when)
    return True


def debug_digest(c, *args):
    if args:
        raise _debug_usage(c.argv[1])
    return Status(digest.dataset_digest(c.engine).hex().encode())


def debug_digest_value(c, *keys):
    return [Status(digest.key_digest(c.db, k).hex().encode()) for k in keys]


def debug_object(c, *args):
    if len(args) != 1:
        raise _debug_usage(c.argv[1])
    key = args[0]
    db = c.db
    v = db.data.get(key)
    if v is None:
        raise NO_SUCH_KEY
    cfg = c.engine.config
    enc = encoding_of(v, cfg).decode()
    t, body = encode_value(v, cfg, cfg["rdbcompression"])
    extra = ""
    if enc == "quicklist":
        nodes = max(1, _ql_nodes(body))
        fill = cfg["list-max-listpack-size"]
        extra = (f" ql_nodes:{nodes} ql_avg_node:{len(v) / nodes:.2f} ql_listpack_max:{fill}"
                 f" ql_compressed:{int(cfg['list-compress-depth'] != 0)}"
                 f" ql_uncompressed_size:{len(body)}")
    lru = db._lru[hash(key) & db._lru_mask] & 0xFFFFFF
    return Status((f"Value at:0x{id(v):012x} refcount:1 encoding:{enc} serializedlength:"
                   f"{len(body)} lru:{lru} lru_seconds_idle:{db.idle_seconds(key)}{extra}"
                   ).encode())


def _ql_nodes(body: bytes) -> int:
    from engine.persist.rdbio import Reader
    return Reader(body).plain_length()


def _debug_usage(sub: bytes) -> RedisError:
    return RedisError("ERR unknown subcommand or wrong number of arguments for '%s'. Try "
                      "DEBUG HELP." % sub.decode("utf-8", "replace"))


DEBUG_SUBCOMMANDS.update({b"reload": debug_reload, b"digest": debug_digest,
                          b"digest-value": debug_digest_value, b"object": debug_object})
_HELP_AT = DEBUG_HELP.index("HELP") if "HELP" in DEBUG_HELP else len(DEBUG_HELP)
DEBUG_HELP[_HELP_AT:_HELP_AT] = [
    "DIGEST",
    "    Output a hex signature representing the current DB content.",
    "DIGEST-VALUE <key> [<key> ...]",
    "    Output a hex signature of the values of all the specified keys.",
    "OBJECT <key>",
    "    Show low level info about the `key` and associated value.",
    "RELOAD [option ...]",
    "    Save the RDB on disk and reload it back to memory. Available <option> values:",
    "    * MERGE: Merge the content of the RDB file with the current dataset.",
    "    * NOFLUSH: Do not empty the current dataset before loading the RDB file.",
    "    * NOSAVE: Do not save the RDB before reloading it.",
]

