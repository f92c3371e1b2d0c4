"""The engine: databases, configuration, the dispatcher and the cron.

Pure Python, no I/O: netserver feeds it argv lists and encodes what comes back.
Time and randomness are injected so tests can move a fake clock.
"""
from __future__ import annotations

import importlib
import itertools
import pkgutil
import random
import time
from time import perf_counter_ns
from collections import defaultdict
from typing import Callable

from . import cmds
from .client import Client
from .commands import TABLE, CommandSpec, Flag
from .config import Config
from .replies import NO_REPLY, QUEUED
from .errors import NOAUTH, RedisError, WrongArity, unknown_command, unknown_subcommand
from .keyspace import Database
from .observe import Histogram, LatencyMonitor, SlowLog, monitor_line
from .pubsub import PubSub
from .tracking import Tracking
from .blocking import Blocking
from .gate import install as install_gate

for _m in pkgutil.iter_modules(cmds.__path__):      # every command module registers itself
    importlib.import_module(f"{cmds.__name__}.{_m.name}")
from .cmds.info import sample_metrics  # noqa: E402  (INFO's 100 ms rate samples)

VERSION = "0.1.0"
# commands that run immediately even inside MULTI (Redis's processCommand)
MULTI_PASSTHROUGH = frozenset({"exec", "discard", "multi", "watch", "quit", "reset"})
# what a RESP2 client in subscribed mode may run
SUBSCRIBED_OK = frozenset({"subscribe", "psubscribe", "ssubscribe", "unsubscribe",
                           "punsubscribe", "sunsubscribe", "ping", "quit", "reset"})
REDIS_VERSION = "7.0.15"


class Stats:
    __slots__ = ("commands", "connections", "rejected_connections", "expired_keys",
                 "expired_stale_perc", "expire_cycle_time_used", "evicted_keys",
                 "keyspace_hits", "keyspace_misses", "net_input_bytes", "net_output_bytes",
                 "errors", "unexpected_error_replies", "started",
                 "expired_active", "expired_time_cap_reached_count")

    def __init__(self):
        self.reset()
        self.started = time.time()

    def reset(self):
        self.commands = self.connections = self.rejected_connections = 0
        self.expired_keys = self.evicted_keys = self.keyspace_hits = 0
        self.keyspace_misses = self.net_input_bytes = self.net_output_bytes = 0
        self.expired_stale_perc = 0.0
        self.expire_cycle_time_used = 0
        self.expired_active = 0                   # of expired_keys: by the active cycle
        self.expired_time_cap_reached_count = 0   # cycles stopped by their time budget
        self.errors = 0
        self.unexpected_error_replies = 0


class _StderrLog:
    def warning(self, msg):
        import sys
        print(msg, file=sys.stderr)

    notice = verbose = debug = warning


class Engine:
    def __init__(self, config: Config | None = None, clock: Callable[[], float] = time.time,
                 rng: random.Random | None = None):
        self.config = config or Config()
        self.clock = clock
        self.rng = rng or random.Random()
        self.now_ms = int(clock() * 1000)
        self.dbs = [Database(i, self._now, self._expired)
                    for i in range(self.config["databases"])]
        self.clients: dict[int, Client] = {}
        self._ids = itertools.count(1)
        self.stats = Stats()
        self.dirty = 0
        self.write_listeners: list[Callable] = []     # (db, key, event, kind, client)
        self.expire_listeners: list[Callable] = []    # (db, key): DEL propagation, notify
        self.propagators: list[Callable] = []         # (dbid, argv): AOF, replicas
        self.shutdown_requested = None                # set by SHUTDOWN: dict of options
        self.run_id = "%040x" % self.rng.getrandbits(160)
        self.server_info: dict = {}                   # filled by netserver (port, pid...)
        self.log = _StderrLog()                       # netserver installs its Log
        self.watched: dict = {}                       # (dbid, key) -> set of clients (WATCH)
        self.exec_buffer: list | None = None          # propagation collected during EXEC
        self.pubsub = PubSub(self)
        self.tracking = Tracking(self)
        self.blocking = Blocking(self)                # BLPOP & co (engine.blocking)
        self.ready_keys = self.blocking.ready         # keys blocked clients may take
        self.lua = None                               # LuaRuntime, created on first EVAL
        self.functions = None                         # Functions, created on first use
        self.busy_poll = None                         # netserver: serve others while busy
        self.snapshot_guard = None                    # engine.persist: before each write
        self.reply_hold = None                        # engine.persist.aof: replies wait for the AOF write
        self.config.on_change("requirepass", self._on_requirepass)
        # INFO commandstats / errorstats (CONFIG RESETSTAT clears them)
        self.cmd_calls: defaultdict = defaultdict(int)     # spec -> calls
        self.cmd_failed: defaultdict = defaultdict(int)    # spec -> error replies
        self.cmd_rejected: defaultdict = defaultdict(int)  # spec -> refused before running
        self.errorstats: defaultdict = defaultdict(int)    # "ERR", "WRONGTYPE" -> count
        self.cmd_usec: defaultdict = defaultdict(int)      # spec -> total microseconds
        self.cmd_hist: dict = {}                           # spec -> Histogram (latencystats)
        self.slowlog = SlowLog()
        self.latency = LatencyMonitor()
        self.monitors: list = []                           # clients in MONITOR mode
        self.slowlog_threshold = self.config["slowlog-log-slower-than"]
        self.latency_threshold = self.config["latency-monitor-threshold"]
        self.config.on_change("slowlog-log-slower-than",
                              lambda v: setattr(self, "slowlog_threshold", v))
        self.config.on_change("latency-monitor-threshold",
                              lambda v: setattr(self, "latency_threshold", v))
        for name in ("maxmemory-policy", "lfu-log-factor", "lfu-decay-time"):
            self.config.on_change(name, self._on_lfu_config)
        self._on_lfu_config(None)
        self._expire_db = 0                           # where the next expire cycle starts
        self.mem_peak = 0                             # engine.memory: used_memory_peak
        install_gate(self)                            # engine.gate: maxmemory, pause, hot keys

    # ------------------------------------------------------------------ time
    def _now(self) -> int:
        return self.now_ms

    def update_time(self):
        self.now_ms = int(self.clock() * 1000)

    def next_client_id(self) -> int:
        return next(self._ids)

    # ------------------------------------------------------------------ clients
    def connect(self, **kw) -> Client:
        c = Client(self, **kw)
        self.clients[c.id] = c
        self.stats.connections += 1
        return c

    def disconnect(self, c: Client):
        self.clients.pop(c.id, None)
        if c.channels or c.patterns or c.shard_channels:
            self.pubsub.drop_client(c)
        if c.tracking is not None:
            self.tracking.disable(c)
        if c in self.monitors:
            self.monitors.remove(c)
        if c.watching:
            from .cmds.multi import unwatch_all
            unwatch_all(c)
        if c.blocked is not None:
            self.blocking.drop(c)

    def _on_requirepass(self, value):
        if not value:
            for c in self.clients.values():
                c.authenticated = True

    # ------------------------------------------------------------------ dispatch
    def execute(self, c: Client, argv: list) -> object:
        """Run one command through the policy gauntlet; returns a reply value."""
        spec = TABLE.get(argv[0].lower())
        if spec is None:
            return self._reject(c, unknown_command(argv))
        n = len(argv)
        if spec.subcommands and (n > 1 or spec.fn is None):   # CONFIG GET, COMMAND INFO
            if n < 2:
                return self._reject(c, WrongArity(spec.name), spec)
            sub = spec.subcommands.get(argv[1].lower())
            if sub is None:
                return self._reject(c, unknown_subcommand(spec.name, argv[1]))
            spec = sub
            args = argv[2:]
        else:
            args = argv[1:]
        arity = spec.arity
        if (n != arity) if arity > 0 else (n < -arity):
            return self._reject(c, WrongArity(spec.name), spec)
        if not c.authenticated and not spec.no_auth:
            return self._reject(c, NOAUTH, spec)
        if self.gate_pre is not None:       # OOM / eviction, CLIENT PAUSE (engine.gate)
            refused = self.gate_pre(c, spec, argv)
            if refused is not None:
                return refused if refused is NO_REPLY else self._reject(c, refused, spec)
        if (c.channels or c.patterns or c.shard_channels) and c.resp == 2 \
                and spec.name not in SUBSCRIBED_OK:
            return self._reject(c, RedisError(
                f"ERR Can't execute '{spec.name}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / "
                f"PING / QUIT / RESET are allowed in this context"), spec)
        if c.multi is not None and spec.name not in MULTI_PASSTHROUGH:
            if Flag.NO_MULTI in spec.flags:
                return self._reject(c, RedisError("ERR Command not allowed inside a transaction"),
                                    spec)
            c.multi.append(argv)
            return QUEUED
        c.cmd = spec
        c.argv = argv
        dirty = self.dirty
        if self.monitors and not spec.skip_monitor:
            self.feed_monitors(c, argv)
        t0 = perf_counter_ns()
        try:
            if self.snapshot_guard is not None and (Flag.WRITE in spec.flags
                                                    or spec.name == "ping"):
                # BGSAVE point-in-time / MISCONF (Redis refuses PING with MISCONF too)
                self.snapshot_guard(c, spec, argv)
            reply = spec.fn(c, *args)
        except RedisError as e:
            self.stats.errors += 1
            self.cmd_failed[spec] += 1
            self.errorstats[e.code] += 1
            reply = e
        except Exception as e:              # a bug of ours: log it, keep the client
            self.stats.errors += 1
            self.cmd_failed[spec] += 1
            self.errorstats["ERR"] += 1
            self.log_exception(f"command '{spec.name}' failed")
            reply = RedisError(f"ERR internal error in '{spec.name}': "
                               f"{type(e).__name__}, see the server log")
        self.stats.commands += 1                      # counted after running, as Redis
        self.cmd_calls[spec] += 1                     # does (RESETSTAT counts itself)
        us = (perf_counter_ns() - t0) // 1000
        self.cmd_usec[spec] += us
        hist = self.cmd_hist.get(spec)
        if hist is None:
            hist = self.cmd_hist[spec] = Histogram()
        hist.buckets[us.bit_length()] += 1            # Histogram.add, inlined: hot path
        hist.count += 1
        if us >= self.slowlog_threshold >= 0 and not spec.skip_slowlog:
            self.slowlog.add(c, argv, us, self.config["slowlog-max-len"])
        if self.latency_threshold and us >= self.latency_threshold * 1000:
            self.latency.add("fast-command" if spec.fast else "command", us // 1000)
        if self.dirty != dirty and self.propagators:
            if c.propagate_also is None:
                self.propagate(c.db.id, c.propagate_argv or argv)
            else:
                self.propagate_all(c.db.id, c.propagate_also)
        c.propagate_argv = c.propagate_also = None
        if self.gate_post is not None:      # hot keys, eviction after a write
            self.gate_post(c, spec, argv, self.dirty != dirty)
        if c.tracking is not None:
            self.tracking.after_command(c, spec, argv)
        c.last_cmd = spec
        if self.ready_keys:                 # serve clients blocked on written keys
            self.blocking.handle_ready_keys()
        return reply

    def feed_monitors(self, c, argv):
        """MONITOR: every command as received, before it runs (Redis feeds EVAL before the
        commands the script calls)."""
        line = monitor_line(c, argv, c.db.id)
        for m in list(self.monitors):
            if m is not c:
                m.push(line)

    def log_exception(self, what: str):
        """Write a traceback to the server log (netserver replaces ``self.log``)."""
        import traceback
        self.log.warning(what + "\n" + traceback.format_exc())

    def _reject(self, c: Client, e: RedisError, spec: CommandSpec | None = None) -> RedisError:
        self.stats.errors += 1
        self.errorstats[e.code] += 1
        if spec is not None:
            self.cmd_rejected[spec] += 1
        if c.multi is not None:
            c.multi_failed = True       # EXEC will answer EXECABORT
        return e

    def propagate(self, dbid: int, argv: list):
        """Send a write, in its deterministic form, to AOF/replicas (inside EXEC they are
        collected and wrapped in MULTI/EXEC)."""
        if self.exec_buffer is not None:
            self.exec_buffer.append((dbid, argv))
            return
        for fn in self.propagators:
            fn(dbid, argv)

    def running_script(self):
        """(caller client, "script"|"function") of the Lua code running now, or
        (None, "script")."""
        for rt in (self.lua, self.functions.rt if self.functions else None):
            if rt is not None and rt.running is not None:
                return rt.running[0], rt.running[2]
        return None, "script"

    def propagate_all(self, dbid: int, argvs: list):
        """The commands one command is replicated as (Client.also_propagate): several
        are wrapped in MULTI/EXEC, unless already inside a transaction."""
        if len(argvs) > 1 and self.exec_buffer is None:
            self.propagate_transaction([(dbid, a) for a in argvs])
        else:
            for a in argvs:
                self.propagate(dbid, a)

    def propagate_transaction(self, buffered: list):
        """The writes of an EXEC or a script, atomically: wrapped in MULTI/EXEC when there
        are several (one command is atomic by itself, as Redis 7.0 propagates it)."""
        if not buffered:
            return
        if len(buffered) == 1:
            self.propagate(*buffered[0])
            return
        self.propagate(buffered[0][0], [b"MULTI"])
        for dbid, argv in buffered:
            self.propagate(dbid, argv)
        self.propagate(buffered[-1][0], [b"EXEC"])

    # ------------------------------------------------------------------ WATCH
    def touch_watched(self, db: Database, key: bytes):
        """A write to a watched key fails the watchers' next EXEC."""
        clients = self.watched.get((db.id, key))
        if clients:
            for w in clients:
                w.watch_dirty = True

    def touch_all_watched(self, db: Database, only_existing: bool = True):
        """FLUSHDB/FLUSHALL/SWAPDB: every watched key of db that exists (or existed)."""
        for (dbid, key), clients in self.watched.items():
            if dbid == db.id and (not only_existing or key in db.data):
                for w in clients:
                    w.watch_dirty = True

    # ------------------------------------------------------------------ expiry
    def _expired(self, db: Database, key: bytes):
        self.stats.expired_keys += 1
        if self.watched:                # signalModifiedKey: watchers that saw it alive
            wk = (db.id, key)
            for w in self.watched.get(wk, ()):
                if not w.watching.get(wk):
                    w.watch_dirty = True
        for fn in self.expire_listeners:
            fn(db, key)
        if self.propagators:            # Redis's propagateDeletion: UNLINK when lazy
            argv = [b"UNLINK" if self.config["lazyfree-lazy-expire"] else b"DEL", key]
            for fn in self.propagators:
                fn(db.id, argv)

    def active_expire_cycle(self, budget_us: int | None = None) -> int:
        """Redis's slow cycle: runs on the hz cron within 25% of the cron period
        (scaled by active-expire-effort), in batches of 20 (+5 per effort step), so a
        tick never walks a whole keyspace.  The starting db rotates so one busy db
        cannot starve the others.  Returns the keys expired."""
        self.update_time()
        hz = max(1, self.config["hz"])
        effort = self.config["active-expire-effort"] - 1
        batch = 20 + 5 * effort
        if budget_us is None:
            budget_us = (25 + 2 * effort) * 1_000_000 // hz // 100
        start = time.perf_counter()
        deadline = start + budget_us / 1e6
        total = sampled = 0
        dbs, n = self.dbs, len(self.dbs)
        for i in range(n):
            db = dbs[(self._expire_db + i) % n]
            if not db.expiry_pending():
                continue
            while True:
                expired, examined = db.active_expire(self.now_ms, batch)
                total += expired
                sampled += examined
                if examined < batch or time.perf_counter() > deadline:
                    break
            if time.perf_counter() > deadline:
                self._expire_db = (self._expire_db + i + 1) % n   # next db goes first
                self.stats.expired_time_cap_reached_count += 1
                break
        self.stats.expire_cycle_time_used += int((time.perf_counter() - start) * 1e6)
        self.stats.expired_active += total
        st = self.stats                 # Redis's running average of the stale share
        st.expired_stale_perc = (total / sampled if sampled else 0.0) * 0.05 \
            + st.expired_stale_perc * 0.95
        return total

    def cron(self):
        """Called hz times a second by the server loop."""
        if self.pause.kind:                           # a CLIENT PAUSE whose time is up
            self.update_time()
            self.pause.cron()
        if not self.pause.kind:                       # keys do not expire during a pause
            self.active_expire_cycle()
        self.evictor.cron()                           # an eviction run cut short goes on
        sample_metrics(self)                          # INFO instantaneous_* rates
        now_s = self.now_ms // 1000                   # Redis's cron-cached LRU clock
        for db in self.dbs:
            db.tick(now_s)
        if self.blocking.heap:
            self.blocking_timeouts(self.now_ms)

    def blocking_timeouts(self, now_ms: int) -> int:
        """Time out blocked clients whose deadline passed (cron and an exact timer)."""
        return self.blocking.timeouts(now_ms)

    def _on_lfu_config(self, _value):
        """Under an LFU maxmemory policy the databases count access frequency."""
        cfg = self.config
        lfu = None
        if cfg["maxmemory-policy"].endswith("-lfu"):
            lfu = (cfg["lfu-log-factor"], cfg["lfu-decay-time"], self.rng)
        for db in self.dbs:
            db.configure_lfu(lfu)

    # ------------------------------------------------------------------ helpers
    def all_specs(self) -> list[CommandSpec]:
        return list(TABLE.values())
