"""MEMORY USAGE/STATS/DOCTOR/MALLOC-STATS/PURGE/HELP (from engine.memory's model) and
CLIENT PAUSE/UNPAUSE (engine.pause)."""
from engine import memory
from engine.blocking import parse_timeout
from engine.cmds.info import functions_memory, rss_bytes
from engine.commands import Acl, Flag, KS, KeySpec, command, container
from engine.errors import NOT_INTEGER, SYNTAX, RedisError
from engine.parsing import to_int
from engine.pause import ALL, WRITE
from engine.replies import OK, Status, Verbatim

container("MEMORY", group="server", since="4.0.0",
          summary="A container for memory diagnostics commands")
_NONDET = ("nondeterministic_output", "request_policy:all_shards",
           "response_policy:special")


@command("MEMORY USAGE", arity=-3, group="server", since="4.0.0", flags={Flag.READONLY},
         keys=[KeySpec(2, flags={KS.RO})], summary="Estimate the memory usage of a key",
         complexity="O(N) where N is the number of samples.")
def cmd_memory_usage(c, key, *opts):
    """MEMORY USAGE key [SAMPLES count]"""
    samples = 5
    i = 0
    while i < len(opts):
        if opts[i].lower() == b"samples" and i + 1 < len(opts):
            n = to_int(opts[i + 1])
            if n is None:
                raise NOT_INTEGER
            if n < 0:
                raise SYNTAX
            samples = n            # 0: all
            i += 2
        else:
            raise SYNTAX
    v = c.db.data.get(key)         # dictFind: no lazy expiry, as Redis
    if v is None:
        return None
    return memory.usage(c.db, key, v, samples)


_MEMORY_HELP = [
    "MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "DOCTOR",
    "    Return memory problems reports.",
    "MALLOC-STATS",
    "    Return internal statistics report from the memory allocator.",
    "PURGE",
    "    Attempt to purge dirty pages for reclamation by the allocator.",
    "STATS",
    "    Return information about the memory usage of the server.",
    "USAGE <key> [SAMPLES <count>]",
    "    Return memory in bytes used by <key> and its value. Nested values are",
    "    sampled up to <count> times (default: 5, 0 means sample all).",
    "HELP",
    "    Prints this help.",
]


@command("MEMORY HELP", arity=2, group="server", since="4.0.0",
         flags={Flag.LOADING, Flag.STALE},
         summary="Show helpful text about the different subcommands", complexity="O(1)")
def cmd_memory_help(c):
    """MEMORY HELP"""
    return [Status(line.encode()) for line in _MEMORY_HELP]


@command("MEMORY STATS", arity=2, group="server", since="4.0.0", tips=_NONDET,
         summary="Show memory usage details", complexity="O(1)")
def cmd_memory_stats(c):
    """MEMORY STATS"""
    return memory_stats(c.engine)


def overhead(e) -> dict:
    """getMemoryOverheadData over the model: the parts of used_memory that are not
    keys and values, and the derived ratios."""
    used = memory.used_memory(e)
    clients = memory.clients_memory(e)
    scripts = memory.scripts_memory(e)
    dbs = []
    total_keys = 0
    mem_total = memory.STARTUP + clients + scripts
    for db in e.dbs:
        n = len(db.data)
        if not n:
            continue
        total_keys += n
        main, exp = memory.db_overhead(db)
        dbs.append((db.id, main, exp))
        mem_total += main + exp
    net = used - memory.STARTUP if used > memory.STARTUP else 1
    peak = max(e.mem_peak, used)
    return {"used": used, "peak": peak, "clients": clients, "scripts": scripts,
            "dbs": dbs, "overhead": mem_total, "keys": total_keys,
            "dataset": used - mem_total, "dataset_perc": (used - mem_total) * 100 / net,
            "peak_perc": used * 100 / peak, "bytes_per_key": net // total_keys
            if total_keys else 0}


def memory_stats(e) -> dict:
    """MEMORY STATS's map, Redis's names and order.  The allocator's own figures
    (allocator.*, allocator-fragmentation.*, allocator-rss.*, rss-overhead.*) are left
    out: there is no jemalloc to ask; fragmentation is the process RSS over the
    model."""
    o = overhead(e)
    out = {
        b"peak.allocated": o["peak"],
        b"total.allocated": o["used"],
        b"startup.allocated": memory.STARTUP,
        b"replication.backlog": 0,
        b"clients.slaves": 0,
        b"clients.normal": o["clients"],
        b"cluster.links": 0,
        b"aof.buffer": 0,
        b"lua.caches": o["scripts"],
        b"functions.caches": functions_memory(e),
    }
    for dbid, main, exp in o["dbs"]:
        out[b"db.%d" % dbid] = {b"overhead.hashtable.main": main,
                                b"overhead.hashtable.expires": exp,
                                b"overhead.hashtable.slot-to-keys": 0}
    out[b"overhead.total"] = o["overhead"]
    out[b"keys.count"] = o["keys"]
    out[b"keys.bytes-per-key"] = o["bytes_per_key"]
    out[b"dataset.bytes"] = o["dataset"]
    out[b"dataset.percentage"] = float(o["dataset_perc"])
    out[b"peak.percentage"] = float(o["peak_perc"])
    rss = rss_bytes()
    if rss is not None:
        out[b"fragmentation"] = rss / o["used"]
        out[b"fragmentation.bytes"] = rss - o["used"]
    return out


_DOCTOR_EMPTY = (
    "Hi Sam, this instance is empty or is using very little memory, my issues detector "
    "can't be used in these conditions. Please, leave for your mission on Earth and fill "
    "it with some data. The new Sam and I will be back to our programming as soon as I "
    "finished rebooting.\n")
_DOCTOR_FINE = ("Hi Sam, I can't find any memory issue in your instance. I can only "
                "account for what occurs on this base.\n")
_DOCTOR_PEAK = (
    " * Peak memory: In the past this instance used more than 150% the memory that is "
    "currently using. The allocator is normally not able to release memory after a peak, "
    "so you can expect to see a big fragmentation ratio, however this is actually "
    "harmless and is only due to the memory peak, and if the Redis instance Resident Set "
    "Size (RSS) is currently bigger than expected, the memory will be used as soon as you "
    "fill the Redis instance with more data. If the memory peak was only occasional and "
    "you want to try to reclaim memory, please try the MEMORY PURGE command, otherwise "
    "the only other option is to shutdown and restart the instance.\n\n")
_DOCTOR_CLIENTS = (
    " * Big client buffers: The clients output buffers in this instance are greater than "
    "200K per client (on average). This may result from different causes, like Pub/Sub "
    "clients subscribed to channels bot not receiving data fast enough, so that data "
    "piles on the Redis instance output buffer, or clients sending commands with large "
    "replies or very large sequences of commands in the same pipeline. Please use the "
    "CLIENT LIST command in order to investigate the issue if it causes problems in your "
    "instance, or to understand better why certain clients are using a big amount of "
    "memory.\n\n")
_DOCTOR_SCRIPTS = (
    " * Many scripts: There seem to be many cached scripts in this instance (more than "
    "1000). This may be because scripts are generated and `EVAL`ed, instead of being "
    "parameterized (with KEYS and ARGV), `SCRIPT LOAD`ed and `EVALSHA`ed. Unless `SCRIPT "
    "FLUSH` is called periodically, the scripts' caches may end up consuming most of your "
    "memory.\n\n")


def doctor_report(e) -> str:
    """getMemoryDoctorReport, over the checks the model can answer (the allocator and
    RSS ones need jemalloc's figures and are not made)."""
    o = overhead(e)
    if o["used"] < 5 * 1024 * 1024:
        return _DOCTOR_EMPTY
    issues = []
    if o["peak"] / o["used"] > 1.5:
        issues.append(_DOCTOR_PEAK)
    nclients = len(e.clients)
    if nclients and o["clients"] / nclients > 1024 * 200:
        issues.append(_DOCTOR_CLIENTS)
    lua = e.lua
    if lua is not None and len(getattr(lua, "scripts", ()) or ()) > 1000:
        issues.append(_DOCTOR_SCRIPTS)
    if not issues:
        return _DOCTOR_FINE
    return ("Sam, I detected a few issues in this Redis instance memory implants:\n\n"
            + "".join(issues) + "I'm here to keep you safe, Sam. I want to help you.\n")


@command("MEMORY DOCTOR", arity=2, group="server", since="4.0.0", tips=_NONDET,
         summary="Outputs memory problems report", complexity="O(1)")
def cmd_memory_doctor(c):
    """MEMORY DOCTOR"""
    return Verbatim(doctor_report(c.engine).encode())


@command("MEMORY MALLOC-STATS", arity=2, group="server", since="4.0.0", tips=_NONDET,
         summary="Show allocator internal stats",
         complexity="Depends on how much memory is allocated, could be slow")
def cmd_memory_malloc_stats(c):
    """MEMORY MALLOC-STATS"""
    return b"Stats not supported for the current allocator"


@command("MEMORY PURGE", arity=2, group="server", since="4.0.0",
         tips=("request_policy:all_shards", "response_policy:all_succeeded"),
         summary="Ask the allocator to release memory",
         complexity="Depends on how much memory is allocated, could be slow")
def cmd_memory_purge(c):
    """MEMORY PURGE"""
    import gc
    gc.collect()
    return OK


# ------------------------------------------------------------------ CLIENT PAUSE
_CLIENT_ADMIN = {Flag.ADMIN, Flag.NOSCRIPT, Flag.LOADING, Flag.STALE}


@command("CLIENT PAUSE", arity=-3, group="connection", since="2.9.50", flags=_CLIENT_ADMIN,
         acl={Acl.CONNECTION}, summary="Stop processing commands from clients for some time",
         complexity="O(1)",
         history=[("6.2.0", "`CLIENT PAUSE WRITE` mode added along with the `mode` "
                            "option.")])
def cmd_client_pause(c, timeout, *mode):
    """CLIENT PAUSE timeout [WRITE | ALL]"""
    if len(mode) > 1:
        sub = c.argv[1].decode("utf-8", "replace")[:128]
        raise RedisError(f"ERR unknown subcommand or wrong number of arguments for '{sub}'. "
                         "Try CLIENT HELP.")
    kind = ALL
    if mode:
        m = mode[0].lower()
        if m == b"write":
            kind = WRITE
        elif m != b"all":
            raise RedisError("ERR CLIENT PAUSE mode must be WRITE or ALL")
    end = parse_timeout(c, timeout, seconds=False)
    c.engine.pause.pause(end, kind)
    return OK


@command("CLIENT UNPAUSE", arity=2, group="connection", since="6.2.0", flags=_CLIENT_ADMIN,
         acl={Acl.CONNECTION}, summary="Resume processing of clients that were paused",
         complexity="O(N) Where N is the number of paused clients")
def cmd_client_unpause(c):
    """CLIENT UNPAUSE"""
    c.engine.pause.unpause()
    return OK
