"""AOF commands: BGREWRITEAOF, and DEBUG LOADAOF (plugged into DEBUG, which lives in
engine.cmds.server).  The machinery is engine.persist.aof."""
from __future__ import annotations

from engine.commands import Flag, command
from engine.errors import RedisError
from engine.persist import aof_load
from engine.persist.aof import ON, AofFatal, aof_state
from engine.replies import OK, Status

from .server import DEBUG_HELP, DEBUG_SUBCOMMANDS

_ADMIN = {Flag.ADMIN, Flag.NOSCRIPT, Flag.NO_ASYNC_LOADING}


@command("BGREWRITEAOF", arity=1, group="server", flags=_ADMIN,
         summary="Asynchronously rewrite the append-only file", complexity="O(1)")
def cmd_bgrewriteaof(c):
    """BGREWRITEAOF"""
    st = aof_state(c.engine)
    if st.rewrite is not None:
        raise RedisError("ERR Background append only file rewriting already in progress")
    if st._child_active() or c.engine.exec_buffer is not None:
        st.rewrite_scheduled = True
        st.consecutive_failures = 0       # a manual rewrite is not rate limited
        return Status(b"Background append only file rewriting scheduled")
    if st.rewrite_background():
        return Status(b"Background append only file rewriting started")
    raise RedisError("ERR Can't execute an AOF background rewriting. Please check the server "
                     "logs for more information.")


def debug_loadaof(c, *args):
    """DEBUG LOADAOF: flush the AOF buffer, empty the dataset, load the AOF files."""
    if args:
        raise RedisError("ERR unknown subcommand or wrong number of arguments for 'loadaof'. "
                         "Try DEBUG HELP.")
    e = c.engine
    st = aof_state(e)
    if st.state == ON:
        st.flush(True)
    for db in e.dbs:
        db.clear()
    if e.functions is not None:
        e.functions.flush()
    try:
        st.load_manifest_from_disk()
        st.del_history_files()
        ret = st.load()
    except AofFatal:
        ret = aof_load.FAILED
    if ret not in (aof_load.OK, aof_load.EMPTY):
        # Redis exits here; the dataset is now partial: say so instead
        raise RedisError("ERR Error loading the AOF, check server logs.")
    e.log.warning("Append Only File loaded by DEBUG LOADAOF")
    return OK


DEBUG_SUBCOMMANDS[b"loadaof"] = debug_loadaof
_AT = next((i for i, line in enumerate(DEBUG_HELP) if line.startswith(("SLEEP", "HELP"))),
           len(DEBUG_HELP))
DEBUG_HELP[_AT:_AT] = [
    "LOADAOF",
    "    Flush the AOF buffers on disk and reload the AOF in memory.",
]
