"""Server commands: FLUSHDB, FLUSHALL, FUNCTION FLUSH."""
from engine.commands import Acl, Flag, command, container
from engine.errors import SYNTAX
from engine.replies import OK

KEYSPACE = {Acl.KEYSPACE}


def _flush_mode(c, opts):
    if not opts:
        return "async" if c.engine.config["lazyfree-lazy-user-flush"] else "sync"
    if len(opts) > 1:
        raise SYNTAX
    mode = opts[0].lower()
    if mode not in (b"async", b"sync"):
        raise SYNTAX
    return mode.decode()


def flush_db(c, db):
    """Empty one database; watchers of its existing keys fail their EXEC."""
    if c.engine.watched:
        c.engine.touch_all_watched(db)
    n = db.clear()
    c.engine.dirty += n
    return n


@command("FLUSHDB", arity=-1, group="server", flags={Flag.WRITE}, acl=KEYSPACE | {Acl.DANGEROUS},
         summary="Remove all keys from the current database.", complexity="O(N)")
def cmd_flushdb(c, *opts):
    """FLUSHDB [ASYNC | SYNC]"""
    _flush_mode(c, opts)
    flush_db(c, c.db)
    if c.engine.tracking.clients:
        c.engine.tracking.flush()
    return OK


@command("FLUSHALL", arity=-1, group="server", flags={Flag.WRITE},
         acl=KEYSPACE | {Acl.DANGEROUS},
         summary="Remove all keys from all databases.", complexity="O(N)")
def cmd_flushall(c, *opts):
    """FLUSHALL [ASYNC | SYNC]"""
    _flush_mode(c, opts)
    for db in c.engine.dbs:
        flush_db(c, db)
    if c.engine.tracking.clients:
        c.engine.tracking.flush()
    c.engine.dirty += 1
    return OK


container("FUNCTION", group="scripting", since="7.0.0",
          summary="A container for function commands.")


@command("FUNCTION FLUSH", arity=-2, group="scripting", since="7.0.0",
         flags={Flag.WRITE, Flag.NOSCRIPT}, acl={Acl.SCRIPTING},
         summary="Deletes all libraries and functions.", complexity="O(N)")
def cmd_function_flush(c, *opts):
    """FUNCTION FLUSH [ASYNC | SYNC]"""
    _flush_mode(c, opts)
    return OK   # no function libraries exist until scripting lands
