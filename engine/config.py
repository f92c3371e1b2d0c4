"""Configuration parameters: one table, Redis 7.0's names, defaults, types and errors.

Every Redis 7.0 parameter is known (a stock redis.conf loads, CONFIG GET * lists them);
``EFFECTIVE`` names the ones keyscope acts on, the rest are stored and reported only.
Values are kept parsed (bool, int, str, tuple); ``render`` gives CONFIG GET's text.
Types, ranges, choices and error texts were taken from redis-server 7.0.15 itself
(CONFIG SET of wrong values on every parameter).
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Any, Callable

from .glob import glob_match
from .parsing import to_int

INT_MIN, INT_MAX, UINT_MAX = -2**31, 2**31 - 1, 2**32 - 1
LLONG_MAX, ULLONG_MAX = 2**63 - 1, 2**64 - 1


class ConfigError(Exception):
    """A value a parameter refuses; the text is Redis's reason (after ' - ')."""


@dataclass
class Param:
    name: str
    kind: str                 # bool | int | mem | enum | str | special
    default: Any
    lo: int = 0
    hi: int = LLONG_MAX
    choices: tuple = ()
    immutable: bool = False
    protected: bool = False
    parse: Callable | None = None      # special: text -> value (raises ConfigError)
    render: Callable | None = None     # special: value -> text
    multi_arg: bool = False            # config file: takes several tokens (save, bind, ...)
    hidden: bool = False               # CONFIG GET only by exact name (test knobs)
    sensitive: bool = False            # redacted in SLOWLOG/MONITOR
    clamp: tuple | None = None         # (lo, hi) Redis silently applies after the check
    percent: bool = False              # memory or "N%" (stored negative, as Redis does)
    null_empty: bool = False           # an empty string is "unset": CONFIG REWRITE drops it


# ------------------------------------------------------------------ value parsers
def parse_memory(text: str) -> int:
    """Redis's memtoull: digits then b, k, kb, m, mb, g, gb (any case); the number may
    be empty (= 0); overflow wraps to 64 bits as the C code does."""
    if text.startswith("-"):
        raise ConfigError("argument must be a memory value")
    i = 0
    while i < len(text) and "0" <= text[i] <= "9":
        i += 1
    mul = _UNITS.get(text[i:].lower())
    if mul is None or i >= 128:
        raise ConfigError("argument must be a memory value")
    num = min(int(text[:i]), ULLONG_MAX) if i else 0
    return num * mul & ULLONG_MAX


_UNITS = {"": 1, "b": 1, "k": 1000, "kb": 1024, "m": 1000**2, "mb": 1024**2,
          "g": 1000**3, "gb": 1024**3}
_STRTOLL = re.compile(r"[ \t\n\r\f\v]*[+-]?[0-9]+\Z")


def _strtoll(text: str) -> int | None:
    """C strtoll with a full-match check (leading blanks and '+' are accepted)."""
    return int(text) if _STRTOLL.match(text) else None


def _parse_save(text: str):
    parts = text.split(" ") if text else []
    if len(parts) % 2:
        raise ConfigError("Invalid save parameters")
    out = []
    for i in range(0, len(parts), 2):
        secs, changes = _strtoll(parts[i]), _strtoll(parts[i + 1])
        if secs is None or changes is None or secs < 1 or changes < 0:
            raise ConfigError("Invalid save parameters")
        out.append((secs, changes))
    return tuple(out)


def _render_save(v) -> str:
    return " ".join(f"{s} {c}" for s, c in v)


COBL_CLASSES = {"normal": "normal", "slave": "slave", "replica": "slave", "pubsub": "pubsub"}
COBL_DEFAULT = {"normal": (0, 0, 0), "slave": (268435456, 67108864, 60),
                "pubsub": (33554432, 8388608, 60)}


def _parse_cobl(text: str, current=None):
    parts = text.split(" ") if text else []
    if len(parts) % 4:
        raise ConfigError("Wrong number of arguments in buffer limit configuration.")
    out = dict(current or COBL_DEFAULT)
    for i in range(0, len(parts), 4):
        cls = COBL_CLASSES.get(parts[i].lower())
        if cls is None:
            raise ConfigError("Invalid client class specified in buffer limit configuration.")
        try:
            hard, soft = parse_memory(parts[i + 1]), parse_memory(parts[i + 2])
        except ConfigError:
            hard = soft = None
        secs = _strtoll(parts[i + 3])
        if hard is None or secs is None or secs < 0:
            raise ConfigError("Error in hard, soft or soft_seconds setting in buffer limit "
                              "configuration.")
        out[cls] = (hard, soft, secs)
    return out


def _render_cobl(v) -> str:
    return " ".join(f"{c} {h} {s} {t}" for c, (h, s, t) in v.items())


def _parse_words(text: str):
    return tuple(text.split())


def _render_words(v) -> str:
    return " ".join(v)


NOTIFY_ALL = "g$lshzxetd"


def _parse_notify(text: str) -> str:
    for ch in text:
        if ch not in "Ag$lshzxeKEtmdn":
            raise ConfigError("Invalid event class character. Use 'Ag$lshzxeKEtmdn'.")
    return text


def _render_notify(v: str) -> str:
    """Redis's keyspaceEventsFlagsToString: A for the full set (which then hides n)."""
    flags = set(v)
    if "A" in flags or set(NOTIFY_ALL) <= flags:
        out = "A"
    else:
        out = "".join(c for c in NOTIFY_ALL + "n" if c in flags)
    return out + "".join(c for c in "KEm" if c in flags)


def _parse_oom_values(text: str):
    parts = text.split(" ") if text else []
    if len(parts) != 3:
        raise ConfigError("wrong number of arguments")
    out = []
    for p in parts:
        v = _strtoll(p)
        if v is None or not -2000 <= v <= 2000:
            raise ConfigError("Invalid oom-score-adj-values, elements must be between "
                              "-2000 and 2000.")
        out.append(v)
    return tuple(out)


def _render_ints(v) -> str:
    return " ".join(str(x) for x in v)


def _parse_percentiles(text: str):
    out = []
    for p in (text.split(" ") if text else []):
        try:
            v = float(p)
        except ValueError:
            raise ConfigError("Invalid latency-tracking-info-percentiles parameters") from None
        if not 0.0 <= v <= 100.0:
            raise ConfigError("latency-tracking-info-percentiles parameters should sit "
                              "between [0.0,100.0]")
        out.append(v)
    return tuple(out)


def _fmt_percentile(x: float) -> str:
    s = "%f" % x
    return s.rstrip("0").rstrip(".") if "." in s else s


def _render_percentiles(v) -> str:
    return " ".join(_fmt_percentile(x) for x in v)


_TITLE_VARS = {"title", "listen-addr", "server-mode", "port", "tls-port", "unixsocket",
               "config-file"}


def _parse_title_template(text: str) -> str:
    """Redis's validateProcTitleTemplate: known {variables}, {{ }} escapes, not empty."""
    i, n, out = 0, len(text), []
    while i < n:
        ch = text[i]
        if ch in "{}" and i + 1 < n and text[i + 1] == ch:
            out.append(ch)
            i += 2
        elif ch == "{":
            j = text.find("}", i)
            if j < 0 or text[i + 1:j] not in _TITLE_VARS:
                raise ConfigError("template format is invalid or contains unknown variables")
            out.append("x")
            i = j + 1
        elif ch == "}":
            raise ConfigError("template format is invalid or contains unknown variables")
        else:
            out.append(ch)
            i += 1
    if not "".join(out).strip():
        raise ConfigError("template format is invalid or contains unknown variables")
    return text


def _render_dir(v) -> str:
    try:
        return os.getcwd()       # Redis reports the working directory it chdir'ed to
    except OSError:
        return v


_P = Param
# name, kind, default, lo, hi (int/mem), choices (enum); as redis-server 7.0.15 has them
PARAMS: list[Param] = [
    _P("acl-pubsub-default", "enum", "resetchannels", choices=("allchannels", "resetchannels")),
    _P("aclfile", "str", "", immutable=True),
    _P("acllog-max-len", "int", 128, 0, LLONG_MAX),
    _P("active-defrag-cycle-max", "int", 25, 1, 99),
    _P("active-defrag-cycle-min", "int", 1, 1, 99),
    _P("active-defrag-ignore-bytes", "mem", 104857600, 1, LLONG_MAX),
    _P("active-defrag-max-scan-fields", "int", 1000, 1, LLONG_MAX),
    _P("active-defrag-threshold-lower", "int", 10, 0, 1000),
    _P("active-defrag-threshold-upper", "int", 100, 0, 1000),
    _P("active-expire-effort", "int", 1, 1, 10),
    _P("activedefrag", "bool", False),
    _P("activerehashing", "bool", True),
    _P("always-show-logo", "bool", False, immutable=True),
    _P("aof-disable-auto-gc", "bool", False),
    _P("aof-load-truncated", "bool", True),
    _P("aof-rewrite-incremental-fsync", "bool", True),
    _P("aof-timestamp-enabled", "bool", False),
    _P("aof-use-rdb-preamble", "bool", True),
    _P("aof_rewrite_cpulist", "str", "", immutable=True, null_empty=True),
    _P("appenddirname", "str", "appendonlydir", immutable=True),
    _P("appendfilename", "str", "appendonly.aof", immutable=True),
    _P("appendfsync", "enum", "everysec", choices=("everysec", "always", "no")),
    _P("appendonly", "bool", False),
    _P("auto-aof-rewrite-min-size", "mem", 67108864, 0, LLONG_MAX),
    _P("auto-aof-rewrite-percentage", "int", 100, 0, INT_MAX),
    _P("bgsave_cpulist", "str", "", immutable=True, null_empty=True),
    # Redis compiles in "* -::*"; keyscope listens on loopback unless told otherwise
    _P("bind", "special", ("127.0.0.1", "-::1"), parse=_parse_words, render=_render_words,
       multi_arg=True),
    _P("bind-source-addr", "str", "", null_empty=True),
    _P("bio_cpulist", "str", "", immutable=True, null_empty=True),
    _P("busy-reply-threshold", "int", 5000, 0, LLONG_MAX),
    _P("client-output-buffer-limit", "special", COBL_DEFAULT, parse=_parse_cobl,
       render=_render_cobl, multi_arg=True),
    _P("client-query-buffer-limit", "mem", 1073741824, 1048576, LLONG_MAX),
    _P("cluster-allow-pubsubshard-when-down", "bool", True),
    _P("cluster-allow-reads-when-down", "bool", False),
    _P("cluster-allow-replica-migration", "bool", True),
    _P("cluster-announce-bus-port", "int", 0, 0, 65535),
    _P("cluster-announce-hostname", "str", "", null_empty=True),
    _P("cluster-announce-ip", "str", "", null_empty=True),
    _P("cluster-announce-port", "int", 0, 0, 65535),
    _P("cluster-announce-tls-port", "int", 0, 0, 65535),
    _P("cluster-config-file", "str", "nodes.conf", immutable=True),
    _P("cluster-enabled", "bool", False, immutable=True),
    _P("cluster-link-sendbuf-limit", "mem", 0, 0, ULLONG_MAX),
    _P("cluster-migration-barrier", "int", 1, 0, INT_MAX),
    _P("cluster-node-timeout", "int", 15000, 0, LLONG_MAX),
    _P("cluster-port", "int", 0, 0, 65535, immutable=True),
    _P("cluster-preferred-endpoint-type", "enum", "ip",
       choices=("ip", "hostname", "unknown-endpoint")),
    _P("cluster-replica-no-failover", "bool", False),
    _P("cluster-replica-validity-factor", "int", 10, 0, INT_MAX),
    _P("cluster-require-full-coverage", "bool", True),
    _P("crash-log-enabled", "bool", True),
    _P("crash-memcheck-enabled", "bool", True),
    _P("daemonize", "bool", False, immutable=True),
    _P("databases", "int", 16, 1, INT_MAX, immutable=True),
    _P("dbfilename", "str", "dump.rdb", protected=True),
    _P("dir", "special", ".", protected=True, parse=str, render=_render_dir),
    _P("disable-thp", "bool", True, immutable=True),
    _P("dynamic-hz", "bool", True),
    _P("enable-debug-command", "enum", "no", choices=("no", "yes", "local"), immutable=True),
    _P("enable-module-command", "enum", "no", choices=("no", "yes", "local"), immutable=True),
    _P("enable-protected-configs", "enum", "no", choices=("no", "yes", "local"),
       immutable=True),
    _P("hash-max-listpack-entries", "int", 512, 0, LLONG_MAX),
    _P("hash-max-listpack-value", "mem", 64, 0, LLONG_MAX),
    _P("hll-sparse-max-bytes", "mem", 3000, 0, LLONG_MAX),
    _P("hz", "int", 10, 0, INT_MAX, clamp=(1, 500)),
    _P("ignore-warnings", "str", ""),
    _P("io-threads", "int", 1, 1, 128, immutable=True),
    _P("io-threads-do-reads", "bool", False, immutable=True),
    _P("jemalloc-bg-thread", "bool", True),
    _P("latency-monitor-threshold", "int", 0, 0, LLONG_MAX),
    _P("latency-tracking", "bool", True),
    _P("latency-tracking-info-percentiles", "special", (50.0, 99.0, 99.9),
       parse=_parse_percentiles, render=_render_percentiles, multi_arg=True),
    _P("lazyfree-lazy-eviction", "bool", False),
    _P("lazyfree-lazy-expire", "bool", False),
    _P("lazyfree-lazy-server-del", "bool", False),
    _P("lazyfree-lazy-user-del", "bool", False),
    _P("lazyfree-lazy-user-flush", "bool", False),
    _P("lfu-decay-time", "int", 1, 0, INT_MAX),
    _P("lfu-log-factor", "int", 10, 0, INT_MAX),
    _P("list-compress-depth", "int", 0, 0, INT_MAX),
    _P("list-max-listpack-size", "int", -2, INT_MIN, INT_MAX),
    _P("logfile", "str", "", immutable=True),
    _P("loglevel", "enum", "notice", choices=("debug", "verbose", "notice", "warning")),
    _P("masterauth", "str", "", sensitive=True, null_empty=True),
    _P("masteruser", "str", "", null_empty=True),
    _P("maxclients", "int", 10000, 1, UINT_MAX),
    _P("maxmemory", "mem", 0, 0, ULLONG_MAX),
    _P("maxmemory-clients", "mem", 0, -100, LLONG_MAX, percent=True),
    _P("maxmemory-eviction-tenacity", "int", 10, 0, 100),
    _P("maxmemory-policy", "enum", "noeviction",
       choices=("volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl",
                "allkeys-lru", "allkeys-lfu", "allkeys-random", "noeviction")),
    _P("maxmemory-samples", "int", 5, 1, INT_MAX),
    _P("min-replicas-max-lag", "int", 10, 0, INT_MAX),
    _P("min-replicas-to-write", "int", 0, 0, INT_MAX),
    _P("no-appendfsync-on-rewrite", "bool", False),
    _P("notify-keyspace-events", "special", "", parse=_parse_notify, render=_render_notify),
    _P("oom-score-adj", "enum", "no", choices=("no", "yes", "relative", "absolute")),
    _P("oom-score-adj-values", "special", (0, 200, 800), parse=_parse_oom_values,
       render=_render_ints, multi_arg=True),
    _P("pidfile", "str", "", immutable=True, null_empty=True),
    _P("port", "int", 6379, 0, 65535),
    _P("proc-title-template", "special", "{title} {listen-addr} {server-mode}",
       parse=_parse_title_template, render=str),
    _P("propagation-error-behavior", "enum", "ignore",
       choices=("ignore", "panic", "panic-on-replicas")),
    _P("protected-mode", "bool", True),
    _P("proto-max-bulk-len", "mem", 536870912, 1048576, LLONG_MAX),
    _P("rdb-del-sync-files", "bool", False),
    _P("rdb-save-incremental-fsync", "bool", True),
    _P("rdbchecksum", "bool", True, immutable=True),
    _P("rdbcompression", "bool", True),
    _P("repl-backlog-size", "mem", 1048576, 1, LLONG_MAX, clamp=(16384, LLONG_MAX)),
    _P("repl-backlog-ttl", "int", 3600, 0, LLONG_MAX),
    _P("repl-disable-tcp-nodelay", "bool", False),
    _P("repl-diskless-load", "enum", "disabled", choices=("disabled", "on-empty-db", "swapdb")),
    _P("repl-diskless-sync", "bool", True),
    _P("repl-diskless-sync-delay", "int", 5, 0, INT_MAX),
    _P("repl-diskless-sync-max-replicas", "int", 0, 0, INT_MAX),
    _P("repl-ping-replica-period", "int", 10, 1, INT_MAX),
    _P("repl-timeout", "int", 60, 1, INT_MAX),
    _P("replica-announce-ip", "str", "", null_empty=True),
    _P("replica-announce-port", "int", 0, 0, 65535),
    _P("replica-announced", "bool", True),
    _P("replica-ignore-disk-write-errors", "bool", False),
    _P("replica-ignore-maxmemory", "bool", True),
    _P("replica-lazy-flush", "bool", False),
    _P("replica-priority", "int", 100, 0, INT_MAX),
    _P("replica-read-only", "bool", True),
    _P("replica-serve-stale-data", "bool", True),
    _P("replicaof", "str", "", immutable=True, null_empty=True),
    _P("requirepass", "str", "", sensitive=True, null_empty=True),
    _P("sanitize-dump-payload", "enum", "no", choices=("no", "yes", "clients")),
    _P("save", "special", ((3600, 1), (300, 100), (60, 10000)), parse=_parse_save,
       render=_render_save, multi_arg=True),
    _P("server_cpulist", "str", "", immutable=True, null_empty=True),
    _P("set-max-intset-entries", "int", 512, 0, LLONG_MAX),
    _P("set-proc-title", "bool", True, immutable=True),
    _P("shutdown-on-sigint", "enum", "default",
       choices=("default", "save", "nosave", "now", "force")),
    _P("shutdown-on-sigterm", "enum", "default",
       choices=("default", "save", "nosave", "now", "force")),
    _P("shutdown-timeout", "int", 10, 0, INT_MAX),
    _P("slowlog-log-slower-than", "int", 10000, -1, LLONG_MAX),
    _P("slowlog-max-len", "int", 128, 0, LLONG_MAX),
    _P("socket-mark-id", "int", 0, 0, UINT_MAX, immutable=True),
    _P("stop-writes-on-bgsave-error", "bool", True),
    _P("stream-node-max-bytes", "mem", 4096, 0, LLONG_MAX),
    _P("stream-node-max-entries", "int", 100, 0, LLONG_MAX),
    _P("supervised", "enum", "no", choices=("upstart", "systemd", "auto", "no"),
       immutable=True),
    _P("syslog-enabled", "bool", False, immutable=True),
    _P("syslog-facility", "enum", "local0",
       choices=("user", "local0", "local1", "local2", "local3", "local4", "local5",
                "local6", "local7"), immutable=True),
    _P("syslog-ident", "str", "redis", immutable=True),
    _P("tcp-backlog", "int", 511, 0, INT_MAX, immutable=True),
    _P("tcp-keepalive", "int", 300, 0, INT_MAX),
    _P("timeout", "int", 0, 0, INT_MAX),
    _P("tls-auth-clients", "enum", "yes", choices=("no", "yes", "optional")),
    _P("tls-ca-cert-dir", "str", "", null_empty=True),
    _P("tls-ca-cert-file", "str", "", null_empty=True),
    _P("tls-cert-file", "str", "", null_empty=True),
    _P("tls-ciphers", "str", "", null_empty=True),
    _P("tls-ciphersuites", "str", "", null_empty=True),
    _P("tls-client-cert-file", "str", "", null_empty=True),
    _P("tls-client-key-file", "str", "", null_empty=True),
    _P("tls-client-key-file-pass", "str", "", sensitive=True, null_empty=True),
    _P("tls-cluster", "bool", False),
    _P("tls-dh-params-file", "str", "", null_empty=True),
    _P("tls-key-file", "str", "", null_empty=True),
    _P("tls-key-file-pass", "str", "", sensitive=True, null_empty=True),
    _P("tls-port", "int", 0, 0, 65535),
    _P("tls-prefer-server-ciphers", "bool", False),
    _P("tls-protocols", "str", "", null_empty=True),
    _P("tls-replication", "bool", False),
    _P("tls-session-cache-size", "int", 20480, 0, INT_MAX),
    _P("tls-session-cache-timeout", "int", 300, 0, INT_MAX),
    _P("tls-session-caching", "bool", True),
    _P("tracking-table-max-keys", "int", 1000000, 0, LLONG_MAX),
    _P("unixsocket", "str", "", immutable=True, null_empty=True),
    _P("unixsocketperm", "str", "0", immutable=True),
    _P("zset-max-listpack-entries", "int", 128, 0, LLONG_MAX),
    _P("zset-max-listpack-value", "mem", 64, 0, LLONG_MAX),
    # test knobs Redis answers only by exact name
    _P("key-load-delay", "int", 0, INT_MIN, INT_MAX, hidden=True),
    _P("rdb-key-save-delay", "int", 0, INT_MIN, INT_MAX, hidden=True),
    _P("loading-process-events-interval-bytes", "int", 2097152, 1024, INT_MAX, hidden=True),
    # keyscope's own (engine.hotkeys), also answered only by exact name: CONFIG GET *
    # keeps listing exactly Redis's parameters
    _P("keyscope-hotkeys", "bool", False, hidden=True),
    _P("keyscope-hotkeys-window", "int", 60, 1, 86400, hidden=True),
    _P("keyscope-hotkeys-max-keys", "int", 1000000, 1, LLONG_MAX, hidden=True),
]

# The parameters the server acts on today (the others are accepted and reported).
EFFECTIVE = {
    "port", "bind", "databases", "requirepass", "hz", "timeout", "maxclients",
    "proto-max-bulk-len", "client-query-buffer-limit", "client-output-buffer-limit",
    "loglevel", "logfile", "dir", "daemonize", "pidfile", "notify-keyspace-events",
}

# Redis 7.0's old names; each is its own entry for CONFIG GET/SET (not a duplicate of
# its target) but CONFIG REWRITE writes the new name.
ALIASES = {
    "hash-max-ziplist-entries": "hash-max-listpack-entries",
    "hash-max-ziplist-value": "hash-max-listpack-value",
    "list-max-ziplist-size": "list-max-listpack-size",
    "zset-max-ziplist-entries": "zset-max-listpack-entries",
    "zset-max-ziplist-value": "zset-max-listpack-value",
    "lua-time-limit": "busy-reply-threshold",
    "slave-announce-ip": "replica-announce-ip",
    "slave-announce-port": "replica-announce-port",
    "slave-ignore-maxmemory": "replica-ignore-maxmemory",
    "slave-lazy-flush": "replica-lazy-flush",
    "slave-priority": "replica-priority",
    "slave-read-only": "replica-read-only",
    "slave-serve-stale-data": "replica-serve-stale-data",
    "min-slaves-max-lag": "min-replicas-max-lag",
    "min-slaves-to-write": "min-replicas-to-write",
    "repl-ping-slave-period": "repl-ping-replica-period",
    "slaveof": "replicaof",
    "cluster-slave-no-failover": "cluster-replica-no-failover",
    "cluster-slave-validity-factor": "cluster-replica-validity-factor",
}

BY_NAME: dict[str, Param] = {p.name: p for p in PARAMS}

# What CONFIG SET refuses after a value parsed: Redis's apply step fails for features
# this server cannot provide either (the texts are redis-server's own).
_TLS_FAIL = "Unable to update TLS configuration. Check server logs."
_APPLY_REFUSALS = {
    "activedefrag": (True, "Active defragmentation cannot be enabled: it requires a "
                           "Redis server compiled with a modified Jemalloc like the one "
                           "shipped by default with the Redis source distribution"),
    "tls-cluster": (True, _TLS_FAIL),
    "tls-replication": (True, _TLS_FAIL),
}


def canonical(name: str) -> str | None:
    n = name.lower()
    n = ALIASES.get(n, n)
    return n if n in BY_NAME else None


def parse_value(p: Param, text: str, current=None):
    """Turn CONFIG SET / config-file text into the parameter's value, or ConfigError."""
    kind = p.kind
    if kind == "bool":
        t = text.lower()
        if t not in ("yes", "no"):
            raise ConfigError("argument must be 'yes' or 'no'")
        return t == "yes"
    if kind == "int" or kind == "mem":
        if kind == "mem":
            v = _parse_mem_value(p, text)
        else:
            v = to_int(text.encode("utf-8", "surrogateescape"))
            if v is None:
                raise ConfigError("argument couldn't be parsed into an integer")
        if p.percent and v < 0:
            if v < p.lo:
                raise ConfigError(f"percentage argument must be less or equal to {-p.lo}")
        elif not p.lo <= v <= p.hi:
            raise ConfigError(f"argument must be between {p.lo} and {p.hi} inclusive")
        if p.clamp is not None:
            v = min(max(v, p.clamp[0]), p.clamp[1])
        return v
    if kind == "enum":
        t = text.lower()
        if t not in p.choices:
            raise ConfigError("argument(s) must be one of the following: " + ", ".join(p.choices))
        return t
    if kind == "special":
        if p.parse is _parse_cobl:
            return _parse_cobl(text, current)
        return p.parse(text)
    return text


def _parse_mem_value(p: Param, text: str) -> int:
    if p.percent and len(text) > 1 and text.endswith("%"):
        v = to_int(text[:-1].encode("utf-8", "surrogateescape"))
        if v is not None and v >= 0:
            return -v               # Redis stores a percentage as a negative number
    try:
        v = parse_memory(text)
    except ConfigError:
        if p.percent:
            raise ConfigError("argument must be a memory or percent value") from None
        raise
    if p.hi <= LLONG_MAX and v > LLONG_MAX:
        v -= 1 << 64                # a signed C type: the unsigned parse wraps negative
    return v


def render(p: Param, value) -> str:
    kind = p.kind
    if kind == "bool":
        return "yes" if value else "no"
    if kind == "special":
        return p.render(value)
    if p.percent and value < 0:
        return f"{-value}%"
    return str(value)


# ------------------------------------------------------------------ CONFIG REWRITE
SIGNATURE = "# Generated by CONFIG REWRITE"


def _repr(s: str) -> str:
    """Redis's sdscatrepr: a double-quoted string with C escapes."""
    out = ['"']
    for ch in s.encode("utf-8", "surrogateescape"):
        c = chr(ch)
        if c in '\\"':
            out.append("\\" + c)
        elif c == "\n":
            out.append("\\n")
        elif c == "\r":
            out.append("\\r")
        elif c == "\t":
            out.append("\\t")
        elif c == "\a":
            out.append("\\a")
        elif c == "\b":
            out.append("\\b")
        elif 32 <= ch < 127:
            out.append(c)
        else:
            out.append("\\x%02x" % ch)
    out.append('"')
    return "".join(out)


def format_bytes(v: int) -> str:
    """rewriteConfigFormatMemory: the largest exact unit (gb, mb, kb) or plain bytes."""
    for unit, mul in (("gb", 1024**3), ("mb", 1024**2), ("kb", 1024)):
        if v and v % mul == 0:
            return f"{v // mul}{unit}"
    return str(v)


def rewrite_lines(p: Param, value) -> tuple[list[str], bool]:
    """The lines CONFIG REWRITE writes for p, and whether they must be written even
    when the file does not mention p (force: value differs from the default)."""
    name, kind = p.name, p.kind
    force = value != p.default
    if kind == "bool":
        return [f"{name} {'yes' if value else 'no'}"], force
    if kind == "int" or kind == "enum":
        return [f"{name} {value}"], force
    if kind == "mem":
        text = f"{-value}%" if p.percent and value < 0 else format_bytes(value)
        return [f"{name} {text}"], force
    if kind == "str":
        if p.null_empty and value == "":
            return [], False
        return [f"{name} {_repr(value)}"], force
    if name == "save":
        if not value:
            return ['save ""'], True
        return [f"save {s} {c}" for s, c in value], True
    if name == "dir":
        return [f"dir {_repr(_render_dir(value))}"], True
    if name == "client-output-buffer-limit":
        lines = []
        for cls, (h, s, t) in value.items():
            if (h, s, t) != COBL_DEFAULT[cls]:
                lines.append(f"{name} {cls} {format_bytes(h)} {format_bytes(s)} {t}")
        return lines, bool(lines)
    if name == "notify-keyspace-events":
        return [f"{name} {_repr(_render_notify(value))}"], bool(value)
    if name == "proc-title-template":
        return [f"{name} {_repr(value)}"], force
    if name == "latency-tracking-info-percentiles":
        return [f"{name} {_render_percentiles(value)}"], True    # 7.0 always writes it
    return [f"{name} {render(p, value)}"], force


class Config:
    """The live configuration of one server; ``on_change`` hooks apply side effects."""

    def __init__(self):
        self.values: dict[str, Any] = {p.name: p.default for p in PARAMS}
        self.hooks: dict[str, list[Callable]] = {}
        self.config_file: str | None = None      # the file the server started with

    def __getitem__(self, name: str):
        return self.values[name]

    def on_change(self, name: str, fn: Callable):
        """fn(value) runs after CONFIG SET changed name; raising ConfigError undoes it."""
        self.hooks.setdefault(name, []).append(fn)

    def set(self, name: str, text: str, *, startup: bool = False):
        """Parse and store one value (raises ConfigError); runs its hooks."""
        if startup:
            p = BY_NAME[canonical(name)]
            value = parse_value(p, text, self.values[p.name])
            self.values[p.name] = value
            return value
        self.set_many([(name, text)])
        return self.values[canonical(name)]

    def set_many(self, pairs: list[tuple[str, str]]):
        """CONFIG SET's all-or-nothing: parse and store every value, then run the hooks
        once each; any failure restores every old value (and re-runs the hooks that
        had run).  Raises ConfigError with ``.param`` = the name Redis's error names."""
        params = [BY_NAME[canonical(n)] for n, _ in pairs]
        old = {p.name: self.values[p.name] for p in params}
        changed: list[Param] = []
        try:
            for (given, text), p in zip(pairs, params):
                try:
                    value = parse_value(p, text, self.values[p.name])
                    refusal = _APPLY_REFUSALS.get(p.name)
                    if refusal is not None and value == refusal[0]:
                        raise ConfigError(refusal[1])
                    if p.name == "tls-port" and value:
                        raise ConfigError(_TLS_FAIL)
                except ConfigError as e:
                    e.param = given.lower()
                    raise
                if value != self.values[p.name]:
                    self.values[p.name] = value
                    if p not in changed:
                        changed.append(p)
            ran: list[Param] = []
            for p in changed:
                try:
                    for fn in self.hooks.get(p.name, ()):
                        fn(self.values[p.name])
                except ConfigError as e:
                    e.param = p.name
                    self.values.update(old)
                    for q in ran:
                        for fn in self.hooks.get(q.name, ()):
                            try:
                                fn(self.values[q.name])
                            except ConfigError:
                                pass
                    raise
                ran.append(p)
        except ConfigError:
            self.values.update(old)
            raise

    def get_matching(self, pattern: str) -> dict[str, str]:
        """CONFIG GET: every parameter (and alias) whose name matches the glob (Redis's
        nocase stringmatch); a name without * ? [ is looked up as given."""
        return self.get_many([pattern])

    def get_many(self, patterns) -> dict[str, str]:
        out: dict[str, str] = {}
        seen: set[str] = set()
        for pattern in patterns:
            if not any(ch in pattern for ch in "*?["):
                name = canonical(pattern)
                if name is not None and pattern.lower() not in seen:
                    seen.add(pattern.lower())
                    out[pattern] = render(BY_NAME[name], self.values[name])
                continue
            pat = pattern.encode("utf-8", "surrogateescape")
            for p in PARAMS:
                if not p.hidden and p.name not in seen and \
                        glob_match(pat, p.name.encode(), nocase=True):
                    seen.add(p.name)
                    out[p.name] = render(p, self.values[p.name])
            for alias, target in ALIASES.items():
                if alias not in seen and glob_match(pat, alias.encode(), nocase=True):
                    seen.add(alias)
                    out[alias] = render(BY_NAME[target], self.values[target])
        return out

    # ------------------------------------------------------------------ rewrite
    def rewrite(self, path: str, extra: list[tuple[str, list[str], bool]] = ()):
        """CONFIG REWRITE: keep the file's comments, blank lines, and lines Redis keeps
        (include, rename-command, user, loadmodule); replace each parameter's lines in
        place; blank the leftovers; append what differs from the defaults after the
        signature.  ``extra`` adds (option, lines, force) entries (ACL users).
        Raises OSError."""
        try:
            with open(path, encoding="utf-8", errors="surrogateescape") as f:
                content = f.read()
        except FileNotFoundError:
            content = None
        lines: list[str] = []
        where: dict[str, list[int]] = {}
        needs_signature = True
        from netserver.resp import split_args   # the config file tokenizer
        for raw in (content.split("\n") if content is not None else []):
            line = raw.strip(" \t\r\n")
            if not line or line.startswith("#"):
                if line == SIGNATURE:
                    needs_signature = False
                lines.append(line)
                continue
            argv = split_args(line.encode("utf-8", "surrogateescape"))
            opt = argv[0].decode("utf-8", "surrogateescape").lower() if argv else ""
            if not argv or (canonical(opt) is None and opt not in _KEPT_DIRECTIVES):
                lines.append("# ??? " + line)        # unparsable or unknown: kept, disarmed
                continue
            if opt in ALIASES:
                opt = ALIASES[opt]
            where.setdefault(opt, []).append(len(lines))
            lines.append(line)

        processed: set[str] = set()

        def put(option: str, new_lines: list[str], force: bool):
            nonlocal needs_signature
            processed.add(option)
            for text in new_lines:
                slots = where.get(option)
                if slots:
                    lines[slots.pop(0)] = text
                elif force:
                    if needs_signature:
                        lines.append(SIGNATURE)
                        needs_signature = False
                    lines.append(text)

        for p in PARAMS:
            if p.hidden:
                continue
            new_lines, force = rewrite_lines(p, self.values[p.name])
            put(p.name, new_lines, force)
        for option, new_lines, force in extra:
            put(option, new_lines, force)
        for option, slots in where.items():       # leftover lines of rewritten options
            if option in processed:
                for i in slots:
                    lines[i] = ""
        out, was_empty = [], False
        for line in lines:
            if not line:
                if was_empty:
                    continue
                was_empty = True
            else:
                was_empty = False
            out.append(line + "\n")
        tmp = f"{path}.tmp-{os.getpid()}"
        try:
            with open(tmp, "w", encoding="utf-8", errors="surrogateescape") as f:
                f.write("".join(out))
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)


_KEPT_DIRECTIVES = {"include", "rename-command", "user", "loadmodule", "sentinel"}
