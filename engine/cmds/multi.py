"""Transactions: MULTI, EXEC, DISCARD, WATCH, UNWATCH.

Queueing happens in the dispatcher (engine.execute): inside MULTI every command but
EXEC/DISCARD/MULTI/WATCH/QUIT/RESET is checked (existence, arity, auth) and queued; a
rejected one makes EXEC answer EXECABORT.  Runtime errors inside EXEC do not roll back.
"""
from engine.commands import Acl, Flag, KS, KeySpec, command
from engine.errors import RedisError
from engine.replies import NULL_ARRAY, OK

TX = {Acl.TRANSACTION}
_FLAGS = {Flag.NOSCRIPT, Flag.LOADING, Flag.STALE, Flag.FAST, Flag.ALLOW_BUSY}


def unwatch_all(c):
    watched = c.engine.watched
    for wk in c.watching or ():
        clients = watched.get(wk)
        if clients is not None:
            clients.discard(c)
            if not clients:
                del watched[wk]
    c.watching = None
    c.watch_dirty = False


def discard_transaction(c):
    c.multi = None
    c.multi_failed = False
    unwatch_all(c)


@command("MULTI", arity=1, group="transactions", since="1.2.0", flags=_FLAGS, acl=TX,
         summary="Mark the start of a transaction block", complexity="O(1)")
def cmd_multi(c):
    """MULTI"""
    if c.multi is not None:
        raise RedisError("ERR MULTI calls can not be nested")
    c.multi = []
    c.multi_failed = False
    return OK


@command("DISCARD", arity=1, group="transactions", since="2.0.0", flags=_FLAGS, acl=TX,
         summary="Discard all commands issued after MULTI",
         complexity="O(N), when N is the number of queued commands")
def cmd_discard(c):
    """DISCARD"""
    if c.multi is None:
        raise RedisError("ERR DISCARD without MULTI")
    discard_transaction(c)
    return OK


def _watched_key_expired(c) -> bool:
    """A watched key that was alive at WATCH time and is logically expired now."""
    dbs = c.engine.dbs
    for (dbid, key), was_expired in (c.watching or {}).items():
        if not was_expired and dbs[dbid].is_expired(key):
            return True
    return False


@command("EXEC", arity=1, group="transactions", since="1.2.0",
         flags={Flag.NOSCRIPT, Flag.LOADING, Flag.STALE, Flag.SKIP_SLOWLOG}, acl=TX,
         summary="Execute all commands issued after MULTI",
         complexity="Depends on commands in the transaction")
def cmd_exec(c):
    """EXEC"""
    if c.multi is None:
        raise RedisError("ERR EXEC without MULTI")
    queued = c.multi
    if c.multi_failed:
        discard_transaction(c)
        raise RedisError("EXECABORT Transaction discarded because of previous errors.")
    if c.watch_dirty or _watched_key_expired(c):
        discard_transaction(c)
        return NULL_ARRAY
    discard_transaction(c)        # also unwatches: keys written by EXEC itself don't matter
    engine = c.engine
    outer = engine.exec_buffer
    engine.exec_buffer = [] if outer is None else outer
    replies = []
    try:
        for argv in queued:
            replies.append(engine.execute(c, argv))
    finally:
        buffered = engine.exec_buffer
        engine.exec_buffer = outer
    if outer is None:
        engine.propagate_transaction(buffered)
    c.also_propagate()            # EXEC itself is not propagated: its writes were
    return replies


@command("WATCH", arity=-2, group="transactions", since="2.2.0",
         flags={Flag.NOSCRIPT, Flag.LOADING, Flag.STALE, Flag.FAST, Flag.ALLOW_BUSY}, acl=TX,
         keys=[KeySpec(1, last=-1, flags={KS.RO})],
         summary="Watch the given keys to determine execution of the MULTI/EXEC block",
         complexity="O(1) for every key.")
def cmd_watch(c, *keys):
    """WATCH key [key ...]"""
    if c.multi is not None:
        raise RedisError("ERR WATCH inside MULTI is not allowed")
    if c.watching is None:
        c.watching = {}
    db = c.db
    watched = c.engine.watched
    for key in keys:
        wk = (db.id, key)
        if wk in c.watching:
            continue
        c.watching[wk] = db.is_expired(key)
        watched.setdefault(wk, set()).add(c)
    return OK


@command("UNWATCH", arity=1, group="transactions", since="2.2.0",
         flags={Flag.NOSCRIPT, Flag.LOADING, Flag.STALE, Flag.FAST, Flag.ALLOW_BUSY}, acl=TX,
         summary="Forget about all watched keys", complexity="O(1)")
def cmd_unwatch(c):
    """UNWATCH"""
    unwatch_all(c)
    return OK
