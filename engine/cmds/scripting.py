"""EVAL, EVALSHA, EVAL_RO, EVALSHA_RO and SCRIPT LOAD/EXISTS/FLUSH/KILL/DEBUG."""
import errno
import os
import weakref

from engine.commands import KS, Acl, Flag, KeySpec, command, container
from engine.errors import RedisError
from engine.parsing import to_int
from engine.replies import OK

SCR = {Acl.SCRIPTING}
_EVAL_FLAGS = {Flag.NOSCRIPT, Flag.SKIP_MONITOR, Flag.MAY_REPLICATE, Flag.NO_MANDATORY_KEYS,
               Flag.STALE}
_KEYS = [KeySpec(2, numkeys_at=0, flags={KS.RW, KS.ACCESS, KS.UPDATE})]
# EVAL's and FCALL's key specs carry this note in Redis (EVALSHA's do not)
WORST = "We cannot tell how the keys will be used so we assume the worst, "
NOSCRIPT = RedisError("NOSCRIPT No matching script. Please use EVAL.")
# Clients that asked for SCRIPT DEBUG YES/SYNC.  There is no Lua debugger (LDB): their next
# EVAL gets the reply Redis gives when it cannot start a debugging session (its fork failed)
# and debugging is off again, as after Redis's failed ldbStartSession.
_DEBUGGING = weakref.WeakKeyDictionary()
_NO_LDB = RedisError("ERR Fork() failed: can't run EVAL in debugging mode: "
                     + os.strerror(errno.ENOSYS))


def lua(engine):
    """The engine's Lua runtime, created on first use (importing lupa costs ~50 ms)."""
    rt = engine.lua
    if rt is None:
        from engine.lua.runtime import LuaRuntime
        rt = engine.lua = LuaRuntime(engine)
    return rt


def split_keys(numkeys: bytes, rest):
    n = to_int(numkeys)
    if n is None:
        raise RedisError("ERR value is not an integer or out of range")
    if n > len(rest):
        raise RedisError("ERR Number of keys can't be greater than number of args")
    if n < 0:
        raise RedisError("ERR Number of keys can't be negative")
    return rest[:n], rest[n:]


def _eval(c, body, numkeys, rest, read_only):
    if _DEBUGGING and _DEBUGGING.pop(c, None) is not None:
        raise _NO_LDB
    keys, args = split_keys(numkeys, rest)
    rt = lua(c.engine)
    sha, fn, flags = rt.compile(body)
    return rt.run(c, fn, sha, keys, args, read_only=read_only, flags=flags)


def _evalsha(c, sha, numkeys, rest, read_only):
    if len(sha) != 40:
        raise NOSCRIPT
    if _DEBUGGING and c in _DEBUGGING:
        raise RedisError("ERR Please use EVAL instead of EVALSHA for debugging")
    keys, args = split_keys(numkeys, rest)
    rt = lua(c.engine)
    sha = sha.lower()
    fn = rt.scripts.get(sha)
    if fn is None:
        raise NOSCRIPT
    _, _, flags = rt.compile(rt.bodies[sha])
    return rt.run(c, fn, sha, keys, args, read_only=read_only, flags=flags)


@command("EVAL", arity=-3, group="scripting", since="2.6.0", flags=_EVAL_FLAGS, acl=SCR,
         keys=[KeySpec(2, numkeys_at=0, flags={KS.RW, KS.ACCESS, KS.UPDATE},
                       notes=WORST + "RW and UPDATE")],
         summary="Execute a Lua script server side",
         complexity="Depends on the script that is executed.")
def cmd_eval(c, script, numkeys, *rest):
    """EVAL script numkeys [key [key ...]] [arg [arg ...]]"""
    return _eval(c, script, numkeys, rest, False)


@command("EVAL_RO", arity=-3, group="scripting", since="7.0.0",
         flags=(_EVAL_FLAGS - {Flag.MAY_REPLICATE}) | {Flag.READONLY}, acl=SCR,
         keys=[KeySpec(2, numkeys_at=0, flags={KS.RO, KS.ACCESS},
                       notes=WORST + "RO and ACCESS")],
         summary="Execute a read-only Lua script server side",
         complexity="Depends on the script that is executed.")
def cmd_eval_ro(c, script, numkeys, *rest):
    """EVAL_RO script numkeys [key [key ...]] [arg [arg ...]]"""
    return _eval(c, script, numkeys, rest, True)


@command("EVALSHA", arity=-3, group="scripting", since="2.6.0", flags=_EVAL_FLAGS, acl=SCR,
         keys=_KEYS, summary="Execute a Lua script server side",
         complexity="Depends on the script that is executed.")
def cmd_evalsha(c, sha1, numkeys, *rest):
    """EVALSHA sha1 numkeys [key [key ...]] [arg [arg ...]]"""
    return _evalsha(c, sha1, numkeys, rest, False)


@command("EVALSHA_RO", arity=-3, group="scripting", since="7.0.0",
         flags=(_EVAL_FLAGS - {Flag.MAY_REPLICATE}) | {Flag.READONLY}, acl=SCR,
         keys=[KeySpec(2, numkeys_at=0, flags={KS.RO, KS.ACCESS})],
         summary="Execute a read-only Lua script server side",
         complexity="Depends on the script that is executed.")
def cmd_evalsha_ro(c, sha1, numkeys, *rest):
    """EVALSHA_RO sha1 numkeys [key [key ...]] [arg [arg ...]]"""
    return _evalsha(c, sha1, numkeys, rest, True)


container("SCRIPT", group="scripting", since="2.6.0",
          summary="A container for Lua scripts management commands")
_SCRIPT_FLAGS = {Flag.NOSCRIPT}


@command("SCRIPT LOAD", arity=3, group="scripting", since="2.6.0",
         flags=_SCRIPT_FLAGS | {Flag.STALE}, acl=SCR,
         summary="Load the specified Lua script into the script cache.",
         complexity="O(N) with N being the length in bytes of the script body.",
         tips=["request_policy:all_nodes", "response_policy:all_succeeded"])
def cmd_script_load(c, script):
    """SCRIPT LOAD script"""
    sha, _, _ = lua(c.engine).compile(script)
    return sha


@command("SCRIPT EXISTS", arity=-3, group="scripting", since="2.6.0",
         flags=_SCRIPT_FLAGS, acl=SCR,
         summary="Check existence of scripts in the script cache.",
         complexity="O(N) with N being the number of scripts to check (so checking a single "
                    "script is an O(1) operation).",
         tips=["request_policy:all_shards", "response_policy:agg_logical_and"])
def cmd_script_exists(c, *shas):
    """SCRIPT EXISTS sha1 [sha1 ...]"""
    rt = c.engine.lua
    return [int(rt is not None and s.lower() in rt.scripts) for s in shas]


@command("SCRIPT FLUSH", arity=-2, group="scripting", since="2.6.0",
         flags=_SCRIPT_FLAGS, acl=SCR,
         summary="Remove all the scripts from the script cache.",
         complexity="O(N) with N being the number of scripts in cache",
         history=[("6.2.0", "Added the `ASYNC` and `SYNC` flushing mode modifiers.")],
         tips=["request_policy:all_nodes", "response_policy:all_succeeded"])
def cmd_script_flush(c, *mode):
    """SCRIPT FLUSH [ASYNC | SYNC]"""
    if len(mode) > 1 or (mode and mode[0].lower() not in (b"async", b"sync")):
        raise RedisError("ERR SCRIPT FLUSH only support SYNC|ASYNC option")
    if c.engine.lua is not None:
        c.engine.lua.flush()
    return OK


@command("SCRIPT KILL", arity=2, group="scripting", since="2.6.0",
         flags=_SCRIPT_FLAGS | {Flag.ALLOW_BUSY}, acl=SCR,
         summary="Kill the script currently in execution.", complexity="O(1)",
         tips=["request_policy:all_shards", "response_policy:one_succeeded"])
def cmd_script_kill(c):
    """SCRIPT KILL"""
    rt = c.engine.lua
    if rt is None or rt.running is None or rt.running[2] != "script":
        raise RedisError("NOTBUSY No scripts in execution right now.")
    if rt.wrote:
        raise RedisError("UNKILLABLE Sorry the script already executed write commands "
                         "against the dataset. You can either wait the script termination "
                         "or kill the server in a hard way using the SHUTDOWN NOSAVE "
                         "command.")
    rt.kill_requested = True
    return OK


@command("SCRIPT DEBUG", arity=3, group="scripting", since="3.2.0", flags=_SCRIPT_FLAGS,
         acl=SCR, summary="Set the debug mode for executed scripts.", complexity="O(1)")
def cmd_script_debug(c, mode):
    """SCRIPT DEBUG <YES | SYNC | NO>"""
    if c.engine.exec_buffer is not None:         # Redis: replies already pending (EXEC)
        raise RedisError("ERR SCRIPT DEBUG must be called outside a pipeline")
    mode = mode.lower()
    if mode == b"no":
        _DEBUGGING.pop(c, None)
    elif mode in (b"yes", b"sync"):
        _DEBUGGING[c] = mode
    else:
        raise RedisError("ERR Use SCRIPT DEBUG YES/SYNC/NO")
    return OK


@command("SCRIPT HELP", arity=2, group="scripting", since="5.0.0",
         flags={Flag.LOADING, Flag.STALE}, acl=SCR,
         summary="Show helpful text about the different subcommands", complexity="O(1)")
def cmd_script_help(c):
    """SCRIPT HELP"""
    from engine.replies import Status
    lines = [
        "SCRIPT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "DEBUG (YES|SYNC|NO)",
        "    Set the debug mode for subsequent scripts executed.",
        "EXISTS <sha1> [<sha1> ...]",
        "    Return information about the existence of the scripts in the script cache.",
        "FLUSH [ASYNC|SYNC]",
        "    Flush the Lua scripts cache. Very dangerous on replicas.",
        "    When called without the optional mode argument, the behavior is determined by the",
        "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
        "    * ASYNC: Asynchronously flush the scripts cache.",
        "    * SYNC: Synchronously flush the scripts cache.",
        "KILL",
        "    Kill the currently executing Lua script.",
        "LOAD <script>",
        "    Load a script into the scripts cache without executing it.",
        "HELP",
        "    Prints this help.",
    ]
    return [Status(x.encode()) for x in lines]
