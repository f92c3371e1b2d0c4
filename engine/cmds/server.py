"""Server commands: FLUSHDB, FLUSHALL, TIME, LASTSAVE, SHUTDOWN, DEBUG."""
import time

from engine.commands import Acl, Flag, command
from engine.errors import SYNTAX, RedisError
from engine.replies import NO_REPLY, OK, Status

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


_FLUSH_HISTORY = [("4.0.0", "Added the `ASYNC` flushing mode modifier."),
                  ("6.2.0", "Added the `SYNC` flushing mode modifier.")]
_ALL_SHARDS = ["request_policy:all_shards", "response_policy:all_succeeded"]


@command("FLUSHDB", arity=-1, group="server", flags={Flag.WRITE}, acl=KEYSPACE | {Acl.DANGEROUS},
         tips=_ALL_SHARDS, history=_FLUSH_HISTORY,
         summary="Remove all keys from the current database",
         complexity="O(N) where N is the number of keys in the selected database")
def cmd_flushdb(c, *opts):
    """FLUSHDB [ASYNC | SYNC]"""
    _flush_mode(c, opts)
    flush_db(c, c.db)
    if c.engine.tracking.clients:
        c.engine.tracking.flush()
    return OK


@command("FLUSHALL", arity=-1, group="server", flags={Flag.WRITE},
         acl=KEYSPACE | {Acl.DANGEROUS}, tips=_ALL_SHARDS, history=_FLUSH_HISTORY,
         summary="Remove all keys from all databases",
         complexity="O(N) where N is the total number of keys in all databases")
def cmd_flushall(c, *opts):
    """FLUSHALL [ASYNC | SYNC]"""
    _flush_mode(c, opts)
    for db in c.engine.dbs:
        flush_db(c, db)
    if c.engine.tracking.clients:
        c.engine.tracking.flush()
    c.engine.dirty += 1
    from engine.persist.state import rdb_state
    rdb_state(c.engine).after_flushall()    # stops a BGSAVE, saves the empty dataset
    return OK


_STALE_FAST = {Flag.LOADING, Flag.STALE, Flag.FAST}


@command("TIME", arity=1, group="server", since="2.6.0", flags=_STALE_FAST,
         tips=["nondeterministic_output"],
         summary="Return the current server time", complexity="O(1)")
def cmd_time(c):
    """TIME"""
    us = int(c.engine.clock() * 1_000_000)
    return [b"%d" % (us // 1_000_000), b"%d" % (us % 1_000_000)]


@command("LASTSAVE", arity=1, group="server", flags=_STALE_FAST,
         acl={Acl.ADMIN, Acl.DANGEROUS}, tips=["nondeterministic_output"],
         summary="Get the UNIX time stamp of the last successful save to disk",
         complexity="O(1)")
def cmd_lastsave(c):
    """LASTSAVE"""
    from engine.cmds.info import lastsave
    return lastsave(c.engine)


@command("SHUTDOWN", arity=-1, group="server",
         flags={Flag.ADMIN, Flag.NOSCRIPT, Flag.LOADING, Flag.STALE, Flag.NO_MULTI,
                Flag.ALLOW_BUSY},
         summary="Synchronously save the dataset to disk and then shut down the server",
         complexity="O(N) when saving, where N is the total number of keys in all "
                    "databases when saving data, otherwise O(1)",
         history=[("7.0.0", "Added the `NOW`, `FORCE` and `ABORT` modifiers.")])
def cmd_shutdown(c, *opts):
    """SHUTDOWN [NOSAVE | SAVE] [NOW] [FORCE] [ABORT]"""
    save = None
    now = force = abort = False
    for o in opts:
        o = o.lower()
        if o == b"nosave":
            if save is True:
                raise SYNTAX
            save = False
        elif o == b"save":
            if save is False:
                raise SYNTAX
            save = True
        elif o == b"now":
            now = True
        elif o == b"force":
            force = True
        elif o == b"abort":
            abort = True
        else:
            raise SYNTAX
    if abort:
        if save is not None or now or force:
            raise SYNTAX
        raise RedisError("ERR No shutdown in progress.")   # ours never waits for replicas
    e = c.engine
    from engine.persist.state import rdb_state
    if not rdb_state(e).prepare_shutdown(save, force):     # the final RDB, as Redis
        raise RedisError("ERR Errors trying to SHUTDOWN. Check logs.")
    # netserver stops accepting, runs the shutdown hooks (saving, when persistence is
    # configured and save is not False) and closes every connection; no reply is sent
    e.shutdown_requested = {"save": save, "now": now, "force": force, "client": c.id}
    return NO_REPLY


# DEBUG: the subcommands keyscope can carry out truthfully
DEBUG_HELP = [
    "DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "LOG <message>",
    "    Write <message> to the server log.",
    "SLEEP <seconds>",
    "    Stop the server for <seconds>. Decimals allowed.",
    "HELP",
    "    Prints this help.",
]
DEBUG_SUBCOMMANDS: dict = {}      # lowercase name -> fn(c, *args), filled by other modules
_DEBUG_DENIED = RedisError(
    "ERR DEBUG command not allowed. If the enable-debug-command option is set to "
    "\"local\", you can run it from a local connection, otherwise you need to set this "
    "option in the configuration file, and then restart the server.")


def protected_action_allowed(c, setting: str) -> bool:
    """Redis's allowProtectedAction: "yes", or "local" from a loopback/unix client."""
    if setting == "yes":
        return True
    if setting == "local":
        host = c.addr.rsplit(":", 1)[0].strip("[]")
        return c.conn_type == "unix" or host in ("127.0.0.1", "::1") \
            or host.startswith("127.")
    return False


def _atof(b: bytes) -> float:
    """C atof: the longest numeric prefix, 0 when there is none."""
    import re
    m = re.match(rb"\s*[+-]?(\d+\.?\d*(e[+-]?\d+)?|\.\d+(e[+-]?\d+)?)", b, re.I)
    return float(m.group(0)) if m else 0.0


@command("DEBUG", arity=-2, group="server",
         flags={Flag.ADMIN, Flag.NOSCRIPT, Flag.LOADING, Flag.STALE}, doc_flags=["syscmd"],
         summary="A container for debugging commands", complexity="Depends on subcommand.")
def cmd_debug(c, sub, *args):
    """DEBUG subcommand [argument ...]"""
    if not protected_action_allowed(c, c.engine.config["enable-debug-command"]):
        raise _DEBUG_DENIED
    name = sub.lower()
    if name == b"help" and not args:
        return [Status(line.encode()) for line in DEBUG_HELP]
    if name == b"sleep" and len(args) == 1:
        time.sleep(max(0.0, _atof(args[0])))     # blocks the whole server, as in Redis
        return OK
    if name == b"log" and len(args) == 1:
        c.engine.log.warning("DEBUG LOG: " + args[0].decode("utf-8", "replace"))
        return OK
    fn = DEBUG_SUBCOMMANDS.get(name)          # RELOAD, DIGEST, ... (engine.cmds.persistence)
    if fn is not None:
        return fn(c, *args)
    raise RedisError("ERR unknown subcommand or wrong number of arguments for '%s'. Try "
                     "DEBUG HELP." % sub.decode("utf-8", "replace"))
