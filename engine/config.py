"""Configuration parameters: one table, Redis 7.0's names, defaults, types and errors.

Every Redis 7.0 parameter is known (a stock redis.conf loads, CONFIG GET * lists them);
``EFFECTIVE`` names the ones keyscope acts on, the rest are stored and reported only.
Values are kept parsed (bool, int, str, tuple); ``render`` gives CONFIG GET's text.
"""
from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from typing import Any, Callable

INT_MAX = 2**31 - 1
LLONG_MAX = 2**63 - 1


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


def parse_memory(text: str) -> int:
    """Redis's memtoll: 1k=1000, 1kb=1024, 1m, 1mb, 1g, 1gb; case-insensitive."""
    t = text.strip().lower()
    units = {"": 1, "b": 1, "k": 1000, "kb": 1024, "m": 1000**2, "mb": 1024**2,
             "g": 1000**3, "gb": 1024**3}
    i = len(t)
    while i and not t[i - 1].isdigit():
        i -= 1
    num, unit = t[:i], t[i:]
    if unit not in units or not num or not (num.isdigit() or (num[0] == "-" and num[1:].isdigit())):
        raise ConfigError("argument must be a memory value")
    return int(num) * units[unit]


def _parse_save(text: str):
    parts = text.split()
    if len(parts) % 2:
        raise ConfigError("Invalid save parameters")
    out = []
    for i in range(0, len(parts), 2):
        try:
            secs, changes = int(parts[i]), int(parts[i + 1])
        except ValueError:
            raise ConfigError("Invalid save parameters") from None
        if secs < 1 or changes < 0:
            raise ConfigError("Invalid save parameters")
        out.append((secs, changes))
    return tuple(out)


def _render_save(v) -> str:
    return " ".join(f"{s} {c}" for s, c in v)


COBL_CLASSES = {"normal": "normal", "slave": "slave", "replica": "slave", "pubsub": "pubsub"}


def _parse_cobl(text: str, current=None):
    parts = text.split()
    if not parts or len(parts) % 4:
        raise ConfigError("Wrong number of arguments in buffer limit configuration.")
    out = dict(current or _parse_cobl_default())
    for i in range(0, len(parts), 4):
        cls = COBL_CLASSES.get(parts[i].lower())
        if cls is None:
            raise ConfigError("Invalid client class specified in buffer limit configuration.")
        try:
            hard, soft = parse_memory(parts[i + 1]), parse_memory(parts[i + 2])
            secs = int(parts[i + 3])
        except (ConfigError, ValueError):
            raise ConfigError("Error in hard, soft or soft_seconds setting in buffer limit "
                              "configuration.") from None
        if hard < 0 or soft < 0 or secs < 0:
            raise ConfigError("Error in hard, soft or soft_seconds setting in buffer limit "
                              "configuration.")
        out[cls] = (hard, soft, secs)
    return out


def _parse_cobl_default():
    return {"normal": (0, 0, 0), "slave": (268435456, 67108864, 60),
            "pubsub": (33554432, 8388608, 60)}


def _render_cobl(v) -> str:
    return " ".join(f"{c} {h} {s} {t}" for c, (h, s, t) in v.items())


def _parse_words(text: str):
    return tuple(text.split())


def _render_words(v) -> str:
    return " ".join(v)


def _parse_notify(text: str) -> str:
    for ch in text:
        if ch not in "gxe$lshzAKEtmdn":
            raise ConfigError("Invalid event class character. Use 'Ag$lshzxeKEtmdn'.")
    return text


def _render_notify(v: str) -> str:
    """Redis prints the flags in its canonical order, A for the full set."""
    flags = set(v)
    out = ""
    if set("g$lshzxetd") <= flags or "A" in flags:
        out += "A"
    else:
        out += "".join(c for c in "g$lshzxetd" if c in flags)
    out += "".join(c for c in "KEmn" if c in flags)
    return out


_P = Param
PARAMS: list[Param] = [
    _P("port", "int", 6379, 0, 65535),
    _P("bind", "special", ("127.0.0.1", "-::1"), parse=_parse_words, render=_render_words,
       multi_arg=True),
    _P("databases", "int", 16, 1, INT_MAX, immutable=True),
    _P("requirepass", "str", ""),
    _P("hz", "int", 10, 0, INT_MAX),
    _P("dynamic-hz", "bool", True),
    _P("timeout", "int", 0, 0, INT_MAX),
    _P("tcp-keepalive", "int", 300, 0, INT_MAX),
    _P("tcp-backlog", "int", 511, 0, INT_MAX, immutable=True),
    _P("maxclients", "int", 10000, 1, INT_MAX),
    _P("proto-max-bulk-len", "mem", 512 * 1024 * 1024, 1024 * 1024, LLONG_MAX),
    _P("client-query-buffer-limit", "mem", 1024 * 1024 * 1024, 1024 * 1024, LLONG_MAX),
    _P("client-output-buffer-limit", "special", _parse_cobl_default(), parse=_parse_cobl,
       render=_render_cobl, multi_arg=True),
    _P("loglevel", "enum", "notice", choices=("debug", "verbose", "notice", "warning")),
    _P("logfile", "str", "", immutable=True),
    _P("daemonize", "bool", False, immutable=True),
    _P("pidfile", "str", "", immutable=True),
    _P("dir", "str", ".", protected=True),
    _P("dbfilename", "str", "dump.rdb", protected=True),
    _P("save", "special", ((3600, 1), (300, 100), (60, 10000)), parse=_parse_save,
       render=_render_save, multi_arg=True),
    _P("appendonly", "bool", False),
    _P("appendfsync", "enum", "everysec", choices=("everysec", "always", "no")),
    _P("appendfilename", "str", "appendonly.aof", immutable=True),
    _P("appenddirname", "str", "appendonlydir", immutable=True),
    _P("maxmemory", "mem", 0, 0, LLONG_MAX),
    _P("maxmemory-policy", "enum", "noeviction",
       choices=("volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl",
                "allkeys-lru", "allkeys-lfu", "allkeys-random", "noeviction")),
    _P("maxmemory-samples", "int", 5, 1, INT_MAX),
    _P("maxmemory-eviction-tenacity", "int", 10, 0, 100),
    _P("active-expire-effort", "int", 1, 1, 10),
    _P("lazyfree-lazy-user-flush", "bool", False),
    _P("notify-keyspace-events", "special", "", parse=_parse_notify, render=_render_notify),
    _P("slowlog-log-slower-than", "int", 10000, -1, LLONG_MAX),
    _P("slowlog-max-len", "int", 128, 0, LLONG_MAX),
    _P("latency-monitor-threshold", "int", 0, 0, LLONG_MAX),
    _P("hash-max-listpack-entries", "int", 512, 0, LLONG_MAX),
    _P("hash-max-listpack-value", "int", 64, 0, LLONG_MAX),
    _P("list-max-listpack-size", "int", -2, -5, INT_MAX),
    _P("list-compress-depth", "int", 0, 0, INT_MAX),
    _P("set-max-intset-entries", "int", 512, 0, LLONG_MAX),
    _P("zset-max-listpack-entries", "int", 128, 0, LLONG_MAX),
    _P("zset-max-listpack-value", "int", 64, 0, LLONG_MAX),
    _P("lfu-log-factor", "int", 10, 0, INT_MAX),
    _P("lfu-decay-time", "int", 1, 0, INT_MAX),
    _P("enable-debug-command", "enum", "no", choices=("no", "yes", "local"), immutable=True),
    _P("enable-protected-configs", "enum", "no", choices=("no", "yes", "local"),
       immutable=True),
    _P("enable-module-command", "enum", "no", choices=("no", "yes", "local"), immutable=True),
    _P("protected-mode", "bool", True),
    _P("io-threads", "int", 1, 1, 128, immutable=True),
    _P("supervised", "enum", "no", choices=("upstart", "systemd", "auto", "no"),
       immutable=True),
    _P("shutdown-timeout", "int", 10, 0, INT_MAX),
    _P("busy-reply-threshold", "int", 5000, 0, LLONG_MAX),
]

# The parameters the server acts on today (the others are accepted and reported).
EFFECTIVE = {
    "port", "bind", "databases", "requirepass", "hz", "timeout", "maxclients",
    "proto-max-bulk-len", "client-query-buffer-limit", "client-output-buffer-limit",
    "loglevel", "logfile", "dir", "daemonize", "pidfile", "notify-keyspace-events",
}

ALIASES = {
    "hash-max-ziplist-entries": "hash-max-listpack-entries",
    "hash-max-ziplist-value": "hash-max-listpack-value",
    "list-max-ziplist-size": "list-max-listpack-size",
    "zset-max-ziplist-entries": "zset-max-listpack-entries",
    "zset-max-ziplist-value": "zset-max-listpack-value",
    "lua-time-limit": "busy-reply-threshold",
}

# Every other Redis 7.0 parameter, with its default as CONFIG GET prints it.  Types are
# inferred from the default (yes/no -> bool, a number -> int, else free text).
_PASSIVE = """
acl-pubsub-default=resetchannels|aclfile=|acllog-max-len=128|active-defrag-cycle-max=25
active-defrag-cycle-min=1|active-defrag-ignore-bytes=104857600|active-defrag-max-scan-fields=1000
active-defrag-threshold-lower=10|active-defrag-threshold-upper=100|activedefrag=no
activerehashing=yes|always-show-logo=no|aof-disable-auto-gc=no|aof-load-truncated=yes
aof-rewrite-incremental-fsync=yes|aof-timestamp-enabled=no|aof-use-rdb-preamble=yes
aof_rewrite_cpulist=|auto-aof-rewrite-min-size=67108864|auto-aof-rewrite-percentage=100
bgsave_cpulist=|bind-source-addr=|bio_cpulist=|cluster-allow-pubsubshard-when-down=yes
cluster-allow-reads-when-down=no|cluster-allow-replica-migration=yes|cluster-announce-bus-port=0
cluster-announce-hostname=|cluster-announce-ip=|cluster-announce-port=0
cluster-announce-tls-port=0|cluster-config-file=nodes.conf|cluster-enabled=no
cluster-link-sendbuf-limit=0|cluster-migration-barrier=1|cluster-node-timeout=15000
cluster-port=0|cluster-preferred-endpoint-type=ip|cluster-replica-no-failover=no
cluster-replica-validity-factor=10|cluster-require-full-coverage=yes|crash-log-enabled=yes
crash-memcheck-enabled=yes|disable-thp=yes|hll-sparse-max-bytes=3000|ignore-warnings=
io-threads-do-reads=no|jemalloc-bg-thread=yes|latency-tracking=yes
latency-tracking-info-percentiles=50 99 99.9|lazyfree-lazy-eviction=no|lazyfree-lazy-expire=no
lazyfree-lazy-server-del=no|lazyfree-lazy-user-del=no|masterauth=|masteruser=
maxmemory-clients=0|min-replicas-max-lag=10|min-replicas-to-write=0|no-appendfsync-on-rewrite=no
oom-score-adj=no|oom-score-adj-values=0 200 800|proc-title-template={title} {listen-addr} {server-mode}
propagation-error-behavior=ignore|rdb-del-sync-files=no|rdb-save-incremental-fsync=yes
rdbchecksum=yes|rdbcompression=yes|repl-backlog-size=1048576|repl-backlog-ttl=3600
repl-disable-tcp-nodelay=no|repl-diskless-load=disabled|repl-diskless-sync=yes
repl-diskless-sync-delay=5|repl-diskless-sync-max-replicas=0|repl-ping-replica-period=10
repl-timeout=60|replica-announce-ip=|replica-announce-port=0|replica-announced=yes
replica-ignore-disk-write-errors=no|replica-ignore-maxmemory=yes|replica-lazy-flush=no
replica-priority=100|replica-read-only=yes|replica-serve-stale-data=yes|replicaof=
sanitize-dump-payload=no|server_cpulist=|set-proc-title=yes|shutdown-on-sigint=default
shutdown-on-sigterm=default|socket-mark-id=0|stop-writes-on-bgsave-error=yes
stream-node-max-bytes=4096|stream-node-max-entries=100|syslog-enabled=no|syslog-facility=local0
syslog-ident=redis|tls-auth-clients=yes|tls-ca-cert-dir=|tls-ca-cert-file=|tls-cert-file=
tls-ciphers=|tls-ciphersuites=|tls-client-cert-file=|tls-client-key-file=
tls-client-key-file-pass=|tls-cluster=no|tls-dh-params-file=|tls-key-file=|tls-key-file-pass=
tls-port=0|tls-prefer-server-ciphers=no|tls-protocols=|tls-replication=no
tls-session-cache-size=20480|tls-session-cache-timeout=300|tls-session-caching=yes
tracking-table-max-keys=1000000|unixsocket=|unixsocketperm=0
"""
_PASSIVE_IMMUTABLE = {"aclfile", "cluster-enabled", "cluster-config-file", "cluster-port",
                      "disable-thp", "always-show-logo", "syslog-enabled", "syslog-ident",
                      "syslog-facility", "unixsocket", "unixsocketperm", "io-threads-do-reads",
                      "set-proc-title"}
for _item in _PASSIVE.replace("\n", "|").split("|"):
    if not _item:
        continue
    _name, _default = _item.split("=", 1)
    if _default in ("yes", "no"):
        PARAMS.append(_P(_name, "bool", _default == "yes", immutable=_name in _PASSIVE_IMMUTABLE))
    elif _default.lstrip("-").isdigit():
        PARAMS.append(_P(_name, "int", int(_default), -LLONG_MAX, LLONG_MAX,
                         immutable=_name in _PASSIVE_IMMUTABLE))
    else:
        PARAMS.append(_P(_name, "str", _default, immutable=_name in _PASSIVE_IMMUTABLE))
ALIASES.update({"slave-" + n[len("replica-"):]: n for n in
                [p.name for p in PARAMS if p.name.startswith("replica-")]})
ALIASES.update({"min-slaves-max-lag": "min-replicas-max-lag",
                "min-slaves-to-write": "min-replicas-to-write",
                "repl-ping-slave-period": "repl-ping-replica-period",
                "slaveof": "replicaof",
                "cluster-slave-no-failover": "cluster-replica-no-failover",
                "cluster-slave-validity-factor": "cluster-replica-validity-factor"})

BY_NAME: dict[str, Param] = {p.name: p for p in PARAMS}


def canonical(name: str) -> str | None:
    n = name.lower()
    n = ALIASES.get(n, n)
    return n if n in BY_NAME else None


def parse_value(p: Param, text: str, current=None):
    """Turn CONFIG SET / config-file text into the parameter's value, or ConfigError."""
    if p.kind == "bool":
        t = text.lower()
        if t not in ("yes", "no"):
            raise ConfigError("argument must be 'yes' or 'no'")
        return t == "yes"
    if p.kind in ("int", "mem"):
        if p.kind == "mem":
            v = parse_memory(text)
        else:
            try:
                v = int(text)
            except ValueError:
                raise ConfigError("argument couldn't be parsed into an integer") from None
        if not p.lo <= v <= p.hi:
            raise ConfigError(f"argument must be between {p.lo} and {p.hi} inclusive")
        return v
    if p.kind == "enum":
        t = text.lower()
        if t not in p.choices:
            raise ConfigError("argument(s) must be one of the following: " + ", ".join(p.choices))
        return t
    if p.kind == "special":
        if p.parse is _parse_cobl:
            return _parse_cobl(text, current)
        return p.parse(text)
    return text


def render(p: Param, value) -> str:
    if p.kind == "bool":
        return "yes" if value else "no"
    if p.kind == "special":
        return p.render(value)
    return str(value)


class Config:
    """The live configuration of one server; ``on_change`` hooks apply side effects."""

    def __init__(self):
        self.values: dict[str, Any] = {p.name: p.default for p in PARAMS}
        self.hooks: dict[str, list[Callable]] = {}

    def __getitem__(self, name: str):
        return self.values[name]

    def on_change(self, name: str, fn: Callable):
        self.hooks.setdefault(name, []).append(fn)

    def set(self, name: str, text: str, *, startup: bool = False):
        """Parse and store one value (raises ConfigError); runs its hooks."""
        p = BY_NAME[canonical(name)]
        value = parse_value(p, text, self.values[p.name])
        old = self.values[p.name]
        self.values[p.name] = value
        if not startup:
            try:
                for fn in self.hooks.get(p.name, ()):
                    fn(value)
            except ConfigError:
                self.values[p.name] = old
                raise
        return value

    def get_matching(self, pattern: str) -> dict[str, str]:
        """CONFIG GET: every parameter (and alias) whose name matches the glob."""
        out = {}
        pat = pattern.lower()
        has_glob = any(ch in pat for ch in "*?[")
        if not has_glob:
            name = canonical(pat)
            if name is not None:
                out[pat] = render(BY_NAME[name], self.values[name])
            return out
        for p in PARAMS:
            if fnmatch.fnmatchcase(p.name, pat):
                out[p.name] = render(p, self.values[p.name])
        for alias, target in ALIASES.items():
            if fnmatch.fnmatchcase(alias, pat):
                out[alias] = render(BY_NAME[target], self.values[target])
        return out
