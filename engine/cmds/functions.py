"""FUNCTION LOAD/DELETE/FLUSH/LIST/DUMP/RESTORE/STATS/KILL/HELP, FCALL, FCALL_RO."""
from engine.commands import KS, Acl, Flag, KeySpec, command, container
from engine.errors import RedisError, WrongArity
from engine.glob import glob_match
from engine.persist import rdbio
from engine.replies import OK, Status
from .scripting import WORST, split_keys

SCR = {Acl.SCRIPTING}
container("FUNCTION", group="scripting", since="7.0.0",
          summary="A container for function commands")


def functions(engine):
    f = engine.functions
    if f is None:
        from engine.lua.functions import Functions
        f = engine.functions = Functions(engine)
    return f


def _fcall(c, name, numkeys, rest, read_only):
    keys, args = split_keys(numkeys, rest)
    return functions(c.engine).call(c, name, keys, args, read_only)


_FCALL_FLAGS = {Flag.NOSCRIPT, Flag.SKIP_MONITOR, Flag.MAY_REPLICATE, Flag.NO_MANDATORY_KEYS,
                Flag.STALE}


@command("FCALL", arity=-3, group="scripting", since="7.0.0", flags=_FCALL_FLAGS, acl=SCR,
         keys=[KeySpec(2, numkeys_at=0, flags={KS.RW, KS.ACCESS, KS.UPDATE},
                       notes=WORST + "RW and UPDATE")],
         summary="Invoke a function", complexity="Depends on the function that is executed.")
def cmd_fcall(c, function, numkeys, *rest):
    """FCALL function numkeys [key [key ...]] [arg [arg ...]]"""
    return _fcall(c, function, numkeys, rest, False)


@command("FCALL_RO", arity=-3, group="scripting", since="7.0.0",
         flags=(_FCALL_FLAGS - {Flag.MAY_REPLICATE}) | {Flag.READONLY}, acl=SCR,
         keys=[KeySpec(2, numkeys_at=0, flags={KS.RO, KS.ACCESS},
                       notes=WORST + "RO and ACCESS")],
         summary="Invoke a read-only function",
         complexity="Depends on the function that is executed.")
def cmd_fcall_ro(c, function, numkeys, *rest):
    """FCALL_RO function numkeys [key [key ...]] [arg [arg ...]]"""
    return _fcall(c, function, numkeys, rest, True)


@command("FUNCTION LOAD", arity=-3, group="scripting", since="7.0.0",
         flags={Flag.WRITE, Flag.DENYOOM, Flag.NOSCRIPT}, acl=SCR,
         summary="Create a function with the given arguments (name, code, description)",
         complexity="O(1) (considering compilation time is redundant)",
         tips=["request_policy:all_shards", "response_policy:all_succeeded"])
def cmd_function_load(c, *args):
    """FUNCTION LOAD [REPLACE] function-code"""
    replace = False
    if len(args) == 2:
        if args[0].lower() != b"replace":
            raise RedisError(f"ERR Unknown option given: {args[0].decode('utf-8', 'replace')}")
        replace = True
    elif len(args) != 1:
        raise WrongArity("function|load")
    name = functions(c.engine).load(args[-1], replace)
    c.engine.dirty += 1
    return name


@command("FUNCTION DELETE", arity=3, group="scripting", since="7.0.0",
         flags={Flag.WRITE, Flag.NOSCRIPT}, acl=SCR, summary="Delete a function by name",
         complexity="O(1)",
         tips=["request_policy:all_shards", "response_policy:all_succeeded"])
def cmd_function_delete(c, library):
    """FUNCTION DELETE library-name"""
    functions(c.engine).delete(library)
    c.engine.dirty += 1
    return OK


@command("FUNCTION FLUSH", arity=-2, group="scripting", since="7.0.0",
         flags={Flag.WRITE, Flag.NOSCRIPT}, acl=SCR,
         summary="Deleting all functions",
         complexity="O(N) where N is the number of functions deleted",
         tips=["request_policy:all_shards", "response_policy:all_succeeded"])
def cmd_function_flush(c, *mode):
    """FUNCTION FLUSH [ASYNC | SYNC]"""
    if len(mode) > 1 or (mode and mode[0].lower() not in (b"async", b"sync")):
        raise RedisError("ERR FUNCTION FLUSH only supports SYNC|ASYNC option")
    if c.engine.functions is not None:
        c.engine.functions.flush()
    c.engine.dirty += 1
    return OK


@command("FUNCTION LIST", arity=-2, group="scripting", since="7.0.0",
         flags={Flag.NOSCRIPT}, acl=SCR,
         summary="List information about all the functions",
         complexity="O(N) where N is the number of functions",
         tips=["nondeterministic_output_order"])
def cmd_function_list(c, *opts):
    """FUNCTION LIST [LIBRARYNAME library-name-pattern] [WITHCODE]"""
    pattern, withcode, i = None, False, 0
    while i < len(opts):
        o = opts[i].lower()
        if o == b"withcode" and not withcode:
            withcode = True
        elif o == b"libraryname" and pattern is None and i + 1 < len(opts):
            pattern = opts[i + 1]
            i += 1
        elif o == b"libraryname" and pattern is None:
            raise RedisError("ERR library name argument was not given")
        else:
            raise RedisError(f"ERR Unknown argument {opts[i].decode('utf-8', 'replace')}")
        i += 1
    out = []
    for lib in functions(c.engine).libraries.values():
        if pattern is not None and not glob_match(pattern, lib.name):
            continue
        entry = {b"library_name": lib.name, b"engine": b"LUA", b"functions": [
            {b"name": f.name, b"description": f.description,
             b"flags": {Status(x) for x in f.flags}}
            for f in lib.functions.values()]}
        if withcode:
            entry[b"library_code"] = lib.code
        out.append(entry)
    return out


@command("FUNCTION DUMP", arity=2, group="scripting", since="7.0.0", flags={Flag.NOSCRIPT},
         acl=SCR, summary="Dump all functions into a serialized binary payload",
         complexity="O(N) where N is the number of functions")
def cmd_function_dump(c):
    """FUNCTION DUMP"""
    body = b"".join(bytes([rdbio.OPCODE_FUNCTION2]) + rdbio.enc_string(lib.code)
                    for lib in functions(c.engine).libraries.values())
    return rdbio.dump_footer(body)


@command("FUNCTION RESTORE", arity=-3, group="scripting", since="7.0.0",
         flags={Flag.WRITE, Flag.DENYOOM, Flag.NOSCRIPT}, acl=SCR,
         summary="Restore all the functions on the given payload",
         complexity="O(N) where N is the number of functions on the payload",
         tips=["request_policy:all_shards", "response_policy:all_succeeded"])
def cmd_function_restore(c, payload, *policy):
    """FUNCTION RESTORE serialized-value [FLUSH | APPEND | REPLACE]"""
    if len(policy) > 1:
        raise WrongArity("function|restore")
    mode = policy[0].lower() if policy else b"append"
    if mode not in (b"flush", b"append", b"replace"):
        raise RedisError("ERR Wrong restore policy given, value should be either FLUSH, "
                         "APPEND or REPLACE.")
    body = rdbio.check_dump_footer(payload)
    if body is None:
        raise RedisError("ERR DUMP payload version or checksum are wrong")
    codes = []
    r = rdbio.Reader(body)
    try:
        while r.pos < len(body):
            if r.byte() != rdbio.OPCODE_FUNCTION2:
                raise RedisError("ERR given type is not a function")
            codes.append(r.string())
    except rdbio.RdbError:
        raise RedisError("ERR DUMP payload version or checksum are wrong") from None
    fs = functions(c.engine)
    saved = (dict(fs.libraries), dict(fs.functions))
    try:
        if mode == b"flush":
            fs.libraries.clear()
            fs.functions.clear()
        for code in codes:
            from engine.lua.functions import parse_metadata
            name, _ = parse_metadata(code)
            if name in fs.libraries and mode == b"append":
                raise RedisError(f"ERR Library {name.decode('utf-8', 'replace')} already "
                                 f"exists")
            fs.load(code, replace=(mode == b"replace"))
    except RedisError:
        fs.libraries, fs.functions = saved
        raise
    c.engine.dirty += 1
    return OK


@command("FUNCTION STATS", arity=2, group="scripting", since="7.0.0",
         flags={Flag.NOSCRIPT, Flag.ALLOW_BUSY}, acl=SCR,
         summary="Return information about the function currently running (name, "
                 "description, duration)", complexity="O(1)",
         tips=["nondeterministic_output",
               "request_policy:all_shards",
               "response_policy:special"])
def cmd_function_stats(c):
    """FUNCTION STATS"""
    fs = functions(c.engine)
    running = None
    rt = fs.rt
    if rt is not None and rt.running is not None:
        import time
        caller, started, _ = rt.running
        running = {b"name": rt.running_name or b"", b"command": list(caller.argv or []),
                   b"duration_ms": int((time.monotonic() - started) * 1000)}
    return {b"running_script": running,
            b"engines": {b"LUA": {b"libraries_count": len(fs.libraries),
                                  b"functions_count": len(fs.functions)}}}


@command("FUNCTION KILL", arity=2, group="scripting", since="7.0.0",
         flags={Flag.NOSCRIPT, Flag.ALLOW_BUSY}, acl=SCR,
         summary="Kill the function currently in execution.", complexity="O(1)",
         tips=["request_policy:all_shards", "response_policy:one_succeeded"])
def cmd_function_kill(c):
    """FUNCTION KILL"""
    fs = c.engine.functions
    rt = fs.rt if fs is not None else None
    if rt is None or rt.running is None:
        raise RedisError("NOTBUSY No scripts in execution right now.")
    if rt.wrote:
        raise RedisError("UNKILLABLE Sorry the script already executed write commands "
                         "against the dataset. You can either wait the script termination "
                         "or kill the server in a hard way using the SHUTDOWN NOSAVE "
                         "command.")
    rt.kill_requested = True
    return OK


@command("FUNCTION HELP", arity=2, group="scripting", since="7.0.0",
         flags={Flag.LOADING, Flag.STALE}, acl=SCR,
         summary="Show helpful text about the different subcommands", complexity="O(1)")
def cmd_function_help(c):
    """FUNCTION HELP"""
    lines = [
        "FUNCTION <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "LOAD [REPLACE] <FUNCTION CODE>",
        "    Create a new library with the given library name and code.",
        "DELETE <LIBRARY NAME>",
        "    Delete the given library.",
        "LIST [LIBRARYNAME PATTERN] [WITHCODE]",
        "    Return general information on all the libraries:",
        "    * Library name",
        "    * The engine used to run the Library",
        "    * Library description",
        "    * Functions list",
        "    * Library code (if WITHCODE is given)",
        "    It also possible to get only function that matches a pattern using LIBRARYNAME "
        "argument.",
        "STATS",
        "    Return information about the current function running:",
        "    * Function name",
        "    * Command used to run the function",
        "    * Duration in MS that the function is running",
        "    If no function is running, return nil",
        "    In addition, returns a list of available engines.",
        "KILL",
        "    Kill the current running function.",
        "FLUSH [ASYNC|SYNC]",
        "    Delete all the libraries.",
        "    When called without the optional mode argument, the behavior is determined by the",
        "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
        "    * ASYNC: Asynchronously flush the libraries.",
        "    * SYNC: Synchronously flush the libraries.",
        "DUMP",
        "    Return a serialized payload representing the current libraries, can be restored "
        "using FUNCTION RESTORE command",
        "RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
        "    Restore the libraries represented by the given payload, it is possible to give a "
        "restore policy to",
        "    control how to handle existing libraries (default APPEND):",
        "    * FLUSH: delete all existing libraries.",
        "    * APPEND: appends the restored libraries to the existing libraries. On collision, "
        "abort.",
        "    * REPLACE: appends the restored libraries to the existing libraries, On "
        "collision, replace the old",
        "      libraries with the new libraries (notice that even on this option there is a "
        "chance of failure",
        "      in case of functions name collision with another library).",
        "HELP",
        "    Prints this help.",
    ]
    return [Status(x.encode()) for x in lines]
