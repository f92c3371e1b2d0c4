"""INFO [section ...]: Redis 7.0's sections, fields and order.

A field keyscope cannot make true is left out, never faked (build ids, allocator
internals).  Another module may replace or extend a section:
``engine.info_sections[name] = fn(engine) -> list[(field, value)]`` (persistence,
replication and MEMORY accounting register theirs there).
"""
from __future__ import annotations

import os
import platform
import resource
import struct
import sys
import time

from engine.commands import Acl, Flag, command
from engine.replies import Verbatim

DEFAULT = ("server", "clients", "memory", "persistence", "stats", "replication", "cpu",
           "modules", "errorstats", "cluster", "keyspace")
ALL = ("server", "clients", "memory", "persistence", "stats", "replication", "cpu",
       "modules", "commandstats", "errorstats", "latencystats", "cluster", "keyspace")
TITLES = {"cpu": "CPU"}

_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
_SAMPLES = 16            # STATS_METRIC_SAMPLES
_SAMPLE_MS = 100         # run_with_period(100) in serverCron


def bytes_to_human(n: int) -> str:
    """Redis's bytesToHuman: B, then K/M/G/T/P with two decimals."""
    if n < 1024:
        return f"{n}B"
    for unit, div in (("K", 1024), ("M", 1024**2), ("G", 1024**3), ("T", 1024**4),
                      ("P", 1024**5)):
        if n < div * 1024 or unit == "P":
            return "%.2f%s" % (n / div, unit)
    return f"{n}B"


def rss_bytes() -> int | None:
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * _PAGE
    except (OSError, ValueError, IndexError):
        return None


def _total_system_memory() -> int | None:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return None


# ------------------------------------------------------------------ instantaneous metrics
class _Metrics:
    """Redis's trackInstantaneousMetric: every 100 ms, the rate since the previous
    sample; INFO shows the mean of the last 16."""
    __slots__ = ("last_ms", "last", "samples", "idx")

    def __init__(self):
        self.last_ms = 0
        self.last = (0, 0, 0)
        self.samples = [[0.0] * _SAMPLES for _ in range(3)]
        self.idx = 0


def sample_metrics(engine):
    """Called from the engine cron (hz times a second); samples every 100 ms."""
    m = getattr(engine, "_info_metrics", None)
    if m is None:
        m = engine._info_metrics = _Metrics()
    now = engine.now_ms
    if now - m.last_ms < _SAMPLE_MS:
        return
    st = engine.stats
    cur = (st.commands, st.net_input_bytes, st.net_output_bytes)
    if m.last_ms:
        dt = now - m.last_ms
        for i in range(3):
            m.samples[i][m.idx] = (cur[i] - m.last[i]) * 1000 / dt if dt > 0 else 0.0
        m.idx = (m.idx + 1) % _SAMPLES
    m.last_ms, m.last = now, cur


def _instant(engine, i: int) -> float:
    m = getattr(engine, "_info_metrics", None)
    return sum(m.samples[i]) / _SAMPLES if m is not None else 0.0


# ------------------------------------------------------------------ sections
def _server(e):
    info = e.server_info
    now = time.time()
    uptime = int(now - e.stats.started)
    cfg = e.config
    hz = cfg["hz"]
    return [
        ("redis_version", _redis_version()),
        ("redis_git_sha1", "00000000"),
        ("redis_git_dirty", 0),
        ("redis_mode", "standalone"),
        ("os", f"{platform.system()} {platform.release()} {platform.machine()}"),
        ("arch_bits", struct.calcsize("P") * 8),
        ("monotonic_clock", "POSIX clock_gettime"),
        ("multiplexing_api", "epoll" if sys.platform.startswith("linux") else "kqueue"),
        ("process_id", info.get("pid", os.getpid())),
        ("process_supervised", cfg["supervised"]),
        ("run_id", e.run_id),
        ("tcp_port", info.get("port", cfg["port"])),
        ("server_time_usec", int(now * 1_000_000)),
        ("uptime_in_seconds", uptime),
        ("uptime_in_days", uptime // 86400),
        ("hz", hz),
        ("configured_hz", hz),
        ("lru_clock", (e.now_ms // 1000) & ((1 << 24) - 1)),
        ("executable", os.path.abspath(sys.argv[0]) if sys.argv and sys.argv[0] else ""),
        ("config_file", getattr(cfg, "config_file", None) or ""),
        ("io_threads_active", 0),
        ("keyscope_version", _keyscope_version()),
    ]


def _redis_version():
    from engine.engine import REDIS_VERSION
    return REDIS_VERSION


def _keyscope_version():
    from engine.engine import VERSION
    return VERSION


def _clients(e):
    clients = e.clients.values()
    return [
        ("connected_clients", sum(1 for c in clients if "S" not in c.flags)),
        ("cluster_connections", 0),
        ("maxclients", e.config["maxclients"]),
        ("blocked_clients", sum(1 for c in clients if c.blocked is not None)),
        ("tracking_clients", e.tracking.clients),
    ]


def used_memory(e) -> int:
    """The engine's memory accounting (engine.memory)."""
    from engine import memory
    return memory.used_memory(e)


def _memory(e):
    """Redis 7.0's memory section over the model (engine.memory).  Allocator figures
    (allocator_*, the Lua VM sizes, mem_allocator) are left out: there is no jemalloc or
    separate Lua heap to ask."""
    from engine.cmds.memory_cmd import overhead
    o = overhead(e)
    used = o["used"]
    rss = rss_bytes()
    cfg = e.config
    peak = o["peak"]
    out = [("used_memory", used), ("used_memory_human", bytes_to_human(used))]
    if rss is not None:
        out += [("used_memory_rss", rss), ("used_memory_rss_human", bytes_to_human(rss))]
    out += [("used_memory_peak", peak), ("used_memory_peak_human", bytes_to_human(peak)),
            ("used_memory_peak_perc", "%.2f%%" % o["peak_perc"]),
            ("used_memory_overhead", o["overhead"]),
            ("used_memory_startup", memory_startup()),
            ("used_memory_dataset", o["dataset"]),
            ("used_memory_dataset_perc", "%.2f%%" % o["dataset_perc"])]
    total = _total_system_memory()
    if total is not None:
        out += [("total_system_memory", total),
                ("total_system_memory_human", bytes_to_human(total))]
    lua = e.lua
    scripts = len(getattr(lua, "scripts", ()) or ()) if lua is not None else 0
    fs = e.functions
    nfuncs = len(getattr(fs, "functions", ()) or ()) if fs is not None else 0
    nlibs = len(getattr(fs, "libraries", ()) or ()) if fs is not None else 0
    mm = cfg["maxmemory"]
    funcs = functions_memory(e)
    out += [("used_memory_scripts_eval", o["scripts"]),
            ("number_of_cached_scripts", scripts),
            ("number_of_functions", nfuncs),
            ("number_of_libraries", nlibs),
            ("used_memory_functions", funcs),
            ("used_memory_scripts", o["scripts"] + funcs),
            ("used_memory_scripts_human", bytes_to_human(o["scripts"] + funcs)),
            ("maxmemory", mm), ("maxmemory_human", bytes_to_human(mm)),
            ("maxmemory_policy", cfg["maxmemory-policy"])]
    if rss is not None:
        out += [("mem_fragmentation_ratio", "%.2f" % (rss / used)),
                ("mem_fragmentation_bytes", rss - used)]
    out += [("mem_not_counted_for_evict", 0),
            ("mem_replication_backlog", 0),
            ("mem_total_replication_buffers", 0),
            ("mem_clients_slaves", 0),
            ("mem_clients_normal", o["clients"]),
            ("mem_cluster_links", 0),
            ("mem_aof_buffer", 0),
            ("active_defrag_running", 0),
            ("lazyfree_pending_objects", 0),
            ("lazyfreed_objects", 0)]
    return out


def functions_memory(e) -> int:
    """functionsMemoryOverhead over a model: the libraries dict and each library's
    code and function entries (200 bytes with none, as Redis reports)."""
    fs = e.functions
    libs = getattr(fs, "libraries", None) if fs is not None else None
    total = 200
    for lib in (libs or {}).values():
        total += 64 + len(getattr(lib, "code", b"") or b"") + \
            96 * len(getattr(lib, "functions", ()) or ())
    return total


def memory_startup() -> int:
    from engine import memory
    return memory.STARTUP


def _persistence(e):
    from engine.persist.aof import aof_info_fields
    from engine.persist.state import rdb_info_fields
    return rdb_info_fields(e) + aof_info_fields(e)     # aof_* ... module_fork_* ...


def lastsave(e) -> int:
    """UNIX time of the last successful save (the start time until one happens)."""
    return int(getattr(e, "lastsave", None) or e.stats.started)


def _stats(e):
    st = e.stats
    ps = e.pubsub
    tr = e.tracking
    out = [
        ("total_connections_received", st.connections),
        ("total_commands_processed", st.commands),
        ("instantaneous_ops_per_sec", int(_instant(e, 0))),
        ("total_net_input_bytes", st.net_input_bytes),
        ("total_net_output_bytes", st.net_output_bytes),
        ("total_net_repl_input_bytes", 0),
        ("total_net_repl_output_bytes", 0),
        ("instantaneous_input_kbps", "%.2f" % (_instant(e, 1) / 1024)),
        ("instantaneous_output_kbps", "%.2f" % (_instant(e, 2) / 1024)),
        ("instantaneous_input_repl_kbps", "0.00"),
        ("instantaneous_output_repl_kbps", "0.00"),
        ("rejected_connections", st.rejected_connections),
        ("sync_full", 0),
        ("sync_partial_ok", 0),
        ("sync_partial_err", 0),
        ("expired_keys", st.expired_keys),
        ("expired_stale_perc", "%.2f" % (st.expired_stale_perc * 100)),
        ("expired_time_cap_reached_count", st.expired_time_cap_reached_count),
        ("expire_cycle_cpu_milliseconds", st.expire_cycle_time_used // 1000),
        ("evicted_keys", st.evicted_keys),
        ("evicted_clients", 0),
        *_eviction_times(e),
        ("keyspace_hits", st.keyspace_hits),
        ("keyspace_misses", st.keyspace_misses),
        ("pubsub_channels", len(ps.channels)),
        ("pubsub_patterns", len(ps.patterns)),
        ("pubsubshard_channels", len(ps.shard_channels)),
        ("latest_fork_usec", 0),
        ("total_forks", 0),
        ("migrate_cached_sockets", 0),
        ("slave_expires_tracked_keys", 0),
        ("active_defrag_hits", 0),
        ("active_defrag_misses", 0),
        ("active_defrag_key_hits", 0),
        ("active_defrag_key_misses", 0),
        ("total_active_defrag_time", 0),
        ("current_active_defrag_time", 0),
        ("tracking_total_keys", len(tr.table)),
        ("tracking_total_items", sum(len(s) for s in tr.table.values())),
        ("tracking_total_prefixes", len(tr.bcast)),
        ("unexpected_error_replies", st.unexpected_error_replies),
        ("total_error_replies", st.errors),
        ("dump_payload_sanitizations", 0),
        ("io_threaded_reads_processed", 0),
        ("io_threaded_writes_processed", 0),
    ]
    return out


def _eviction_times(e):
    """Time spent over maxmemory (ms): in total, and in the current stretch."""
    ev = getattr(e, "evictor", None)
    if ev is None:
        return []
    current = int((time.monotonic() - ev.exceeded_since) * 1000) if ev.exceeded_since else 0
    return [("total_eviction_exceeded_time", int(ev.exceeded_total * 1000) + current),
            ("current_eviction_exceeded_time", current)]


def replid(e) -> str:
    rid = getattr(e, "replid", None)
    if rid is None:
        rid = e.replid = "%040x" % e.rng.getrandbits(160)
    return rid


def _replication(e):
    return [
        ("role", "master"),
        ("connected_slaves", 0),
        ("master_failover_state", "no-failover"),
        ("master_replid", replid(e)),
        ("master_replid2", "0" * 40),
        ("master_repl_offset", 0),
        ("second_repl_offset", -1),
        ("repl_backlog_active", 0),
        ("repl_backlog_size", e.config["repl-backlog-size"]),
        ("repl_backlog_first_byte_offset", 0),
        ("repl_backlog_histlen", 0),
    ]


def _tv(seconds: float) -> str:
    return "%d.%06d" % (int(seconds), int(round((seconds - int(seconds)) * 1e6)) % 1000000)


def _cpu(e):
    me = resource.getrusage(resource.RUSAGE_SELF)
    ch = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = [("used_cpu_sys", _tv(me.ru_stime)), ("used_cpu_user", _tv(me.ru_utime)),
           ("used_cpu_sys_children", _tv(ch.ru_stime)),
           ("used_cpu_user_children", _tv(ch.ru_utime))]
    thread = getattr(resource, "RUSAGE_THREAD", None)
    if thread is not None:
        th = resource.getrusage(thread)
        out += [("used_cpu_sys_main_thread", _tv(th.ru_stime)),
                ("used_cpu_user_main_thread", _tv(th.ru_utime))]
    return out


def _modules(e):
    return []


def _commandstats(e):
    calls = getattr(e, "cmd_calls", {})
    failed = getattr(e, "cmd_failed", {})
    rejected = getattr(e, "cmd_rejected", {})
    usec = getattr(e, "cmd_usec", None)       # per-command time, when the dispatcher keeps it
    out = []
    for spec in list(dict.fromkeys([*calls, *rejected, *failed])):
        n = calls.get(spec, 0)
        fields = [f"calls={n}"]
        if usec is not None:
            u = usec.get(spec, 0)
            fields += [f"usec={u}", "usec_per_call=%.2f" % (u / n if n else 0)]
        fields += [f"rejected_calls={rejected.get(spec, 0)}",
                   f"failed_calls={failed.get(spec, 0)}"]
        out.append((f"cmdstat_{spec.name}", ",".join(fields)))
    return out


def _errorstats(e):
    return [(f"errorstat_{code}", f"count={n}")
            for code, n in getattr(e, "errorstats", {}).items()]


def _latencystats(e):
    """Per-command latency percentiles from the dispatcher's histograms (power-of-two
    microsecond buckets: a percentile is the upper bound of its bucket)."""
    if not e.config["latency-tracking"]:
        return []
    from engine.config import _fmt_percentile
    pcts = e.config["latency-tracking-info-percentiles"]
    out = []
    for spec, hist in list(getattr(e, "cmd_hist", {}).items()):
        if hist.count:
            vals = ",".join("p%s=%.3f" % (_fmt_percentile(p), hist.percentile(p))
                            for p in pcts)
            out.append((f"latency_percentiles_usec_{spec.name}", vals))
    return out


def _cluster(e):
    return [("cluster_enabled", 0)]


def _keyspace(e):
    out = []
    for db in e.dbs:
        keys = len(db.data)
        if keys:
            out.append((f"db{db.id}", f"keys={keys},expires={len(db.expires)},"
                                      f"avg_ttl={getattr(db, 'avg_ttl', 0)}"))
    return out


SECTIONS = {"server": _server, "clients": _clients, "memory": _memory,
            "persistence": _persistence, "stats": _stats, "replication": _replication,
            "cpu": _cpu, "modules": _modules, "commandstats": _commandstats,
            "errorstats": _errorstats, "latencystats": _latencystats, "cluster": _cluster,
            "keyspace": _keyspace}


def wanted_sections(args) -> list[str]:
    """genInfoSectionDict: default, all, everything or named sections, any case;
    unknown names are ignored; the output keeps Redis's section order."""
    if not args:
        names = set(DEFAULT)
    else:
        names = set()
        for a in args:
            a = a.decode("utf-8", "replace").lower()
            if a == "default":
                names.update(DEFAULT)
            elif a in ("all", "everything"):
                names.update(ALL)
            else:
                names.add(a)
    return [s for s in ALL if s in names]


def render_info(e, sections) -> str:
    overrides = getattr(e, "info_sections", {})
    parts = []
    for name in sections:
        fn = overrides.get(name) or SECTIONS[name]
        title = TITLES.get(name, name.capitalize())
        lines = "".join(f"{k}:{v}\r\n" for k, v in fn(e))
        parts.append(f"# {title}\r\n{lines}")
    return "\r\n".join(parts)


@command("INFO", arity=-1, group="server", flags={Flag.LOADING, Flag.STALE},
         acl={Acl.DANGEROUS},
         tips=["nondeterministic_output", "request_policy:all_shards",
               "response_policy:special"],
         summary="Get information and statistics about the server", complexity="O(1)",
         history=[("7.0.0", "Added support for taking multiple section arguments.")])
def cmd_info(c, *sections):
    """INFO [section [section ...]]"""
    return Verbatim(render_info(c.engine, wanted_sections(sections)).encode())
