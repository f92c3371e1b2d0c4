"""Where the panels get their data: one ``InspectorSource``, two implementations.

- ``EmbeddedSource`` reads the engine in-process: exact numbers and zero observer effect
  (it never goes through ``Engine.execute``, so nothing it reads shows in stats, slowlog or
  MONITOR).  Changes arrive from the engine's write/expire listeners and are coalesced
  into ``keysChanged`` every ~100 ms.
- ``RemoteSource`` talks RESP to any Redis/Valkey (redis-py): SCAN pages, INFO, TYPE,
  TTL, MEMORY USAGE.  What it reports is marked ``sampled``.

Panels only ever call the methods of ``InspectorSource``.
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass, field

from PySide6.QtCore import QObject, Qt, QTimer, Signal


class NotAvailable(Exception):
    """The server (or this build of keyscope) cannot provide this yet."""


class ConnectionLost(ConnectionError):
    """The remote server stopped answering; the source keeps probing it and emits
    ``connectionChanged(True, "")`` when it answers again."""


class ActionError(Exception):
    """An admin action (CONFIG SET, BGSAVE, CLIENT KILL ...) the server refused; the
    text is the server's own error reply."""


@dataclass
class SlowEntry:
    """One SLOWLOG entry."""
    id: int
    time: int                       # unix seconds
    duration_us: int
    args: list                      # bytes, as the slowlog trimmed them
    client: str                     # ip:port
    name: str


@dataclass
class KeyInfo:
    key: bytes
    type: str                       # "string", "hash", ... (TYPE's reply)
    expire_at_ms: int | None        # absolute unix ms, None = no TTL
    encoding: str | None = None     # OBJECT ENCODING
    length: int | None = None       # STRLEN / HLEN / LLEN / SCARD / ZCARD / XLEN
    memory: int | None = None       # MEMORY USAGE (bytes)
    sampled: bool = False           # an estimate (remote MEMORY USAGE samples)

    def ttl_ms(self, now_ms: int | None = None) -> int | None:
        if self.expire_at_ms is None:
            return None
        now_ms = int(time.time() * 1000) if now_ms is None else now_ms
        return max(0, self.expire_at_ms - now_ms)


@dataclass
class KeyAnatomy:
    """A key's memory by component and its encoding thresholds (gui/anatomy.py)."""
    key: bytes
    type: str
    encoding: str | None
    total: int | None               # what Redis 7.0 would use: MEMORY USAGE's bytes
    parts: list                     # engine.memory_anatomy.Part; [] when not known
    outside: list                   # Parts allocated but not counted by MEMORY USAGE
    thresholds: list                # engine.memory_anatomy.Threshold
    cause: str = ""                 # the threshold behind a converted encoding
    estimate: bool = False          # sampled / extrapolated
    python: object = None           # engine.memory_anatomy.Footprint (embedded only)
    note: str = ""                  # what this source cannot say


@dataclass
class ServerSample:
    """One reading of the server's vital signs (the overview charts)."""
    time: float
    commands: int                   # total commands processed
    clients: int
    keys: int
    rss: int | None                 # bytes
    used_memory: int | None = None
    extra: dict = field(default_factory=dict)


@dataclass
class Page:
    """One page of a collection value: ``rows`` of cells under ``columns``; ``cursor``
    continues (0 / None when done)."""
    columns: tuple
    rows: list
    cursor: object


class InspectorSource(QObject):
    # (db index, set of keys) written or expired since the last emission (~100 ms)
    keysChanged = Signal(int, object)
    # a database was replaced wholesale (FLUSHDB, FLUSHALL, SWAPDB ...): resync it
    dbReset = Signal(int)
    # (False, why) when the server stops answering, (True, "") when it answers again
    connectionChanged = Signal(bool, str)

    # read-only mode switched (gui/safety.py): the inspector's own restraint, never a
    # limit on other clients of the server
    readOnlyChanged = Signal(bool)

    kind = "abstract"
    sampled = False
    read_only = False

    def set_read_only(self, on: bool):
        if bool(on) != self.read_only:
            self.read_only = bool(on)
            self.readOnlyChanged.emit(self.read_only)

    def command_flags(self, argv) -> frozenset | None:
        """The command's flags ("write", "admin", ...; a subcommand's own), from the
        engine's command table (Redis 7.0's); None: a command it does not know."""
        from engine.commands import lookup
        spec = lookup([a if isinstance(a, bytes) else str(a).encode() for a in argv])
        return None if spec is None else frozenset(f.value for f in spec.flags)

    def guard(self, argv):
        """The one gate every command the inspector sends passes: in read-only mode one
        that writes raises ActionError and is not sent."""
        if self.read_only:
            from .safety import refuse_if_write
            refuse_if_write(self, argv)

    def title(self) -> str: ...
    def address(self) -> tuple[str, int]: ...
    def databases(self) -> int: ...
    def dbsize(self, db: int) -> int: ...

    def key_batches(self, db: int, batch: int = 2000, pattern: bytes | None = None):
        """A generator of key lists covering the database (for sliced index builds);
        ``pattern`` is a hint (the index filters anyway)."""
        raise NotImplementedError

    def live_keys(self, db: int, keys: list) -> list:
        """Those of ``keys`` that still exist (a batch may be older than the feed)."""
        return keys

    def pending_changes(self, db: int) -> int:
        """Changes seen but not yet emitted by ``keysChanged``."""
        return 0

    def key_meta(self, db: int, keys, lengths: bool = False) -> dict:
        """key -> (type, bytes or None, absolute expire ms or None, length or None) for
        those of ``keys`` that exist (the keyspace tree's per-key facts).  ``length``
        (elements; bytes of a string) only when ``lengths`` is asked for."""
        raise NotImplementedError

    def now_ms(self) -> int:
        """The server's notion of now, for TTLs (ms)."""
        return int(time.time() * 1000)

    def db_bytes(self, db: int) -> int | None:
        """The bytes charged for all keys of a database (exact sources only)."""
        return None

    def exists(self, db: int, key: bytes) -> bool: ...
    def key_type(self, db: int, key: bytes) -> str | None: ...
    def key_info(self, db: int, key: bytes) -> KeyInfo | None: ...

    def key_anatomy(self, db: int, key: bytes) -> KeyAnatomy | None:
        """The key's memory by component and thresholds (None: no such key)."""
        raise NotAvailable("no memory anatomy from this source")

    def string_value(self, db: int, key: bytes, limit: int) -> tuple[bytes, int]:
        """The first ``limit`` bytes of a string value and its full length."""
        raise NotImplementedError

    def page(self, db: int, key: bytes, type_: str, cursor, count: int) -> Page:
        """One page of a collection (hash/list/set/zset/stream); NotAvailable for a type
        this server or build cannot page through."""
        return page_by_commands(self.call, db, key, type_, cursor, count)

    def call(self, db: int, *argv: bytes):
        """Run one read command and return its reply as plain values."""
        raise NotImplementedError

    def sample(self) -> ServerSample: ...
    def info(self) -> dict[str, str]: ...

    def close(self):
        pass

    # -- server panels (slowlog, persistence, config, clients, replication)
    def info_section(self, section: str) -> dict[str, str]:
        """One INFO section's fields as the server reports them."""
        raise NotImplementedError

    def config_get(self, *patterns: str) -> dict[str, str]:
        """CONFIG GET's name -> value text."""
        raise NotImplementedError

    def admin(self, *argv: bytes):
        """Run one admin action (CONFIG SET, SAVE, SLOWLOG RESET, CLIENT KILL ...) and
        return its reply; ActionError carries the server's error text, NotAvailable
        says the command does not exist here."""
        raise NotImplementedError

    def implements(self, command: str) -> bool:
        """Whether the server has this command at all."""
        return True

    def slowlog_since(self, after_id: int) -> tuple[list, int | None]:
        """SlowEntry items newer than ``after_id`` (newest first), and the id of the
        oldest entry the server still holds (None: the slowlog is empty)."""
        raise NotImplementedError

    def latency_latest(self) -> list[tuple[str, int, int, int]]:
        """LATENCY LATEST: (event, unix time, latest ms, all-time max ms)."""
        raise NotImplementedError

    def clients(self) -> list[dict[str, str]]:
        """CLIENT LIST as dicts (the inspector's own connections left out)."""
        raise NotImplementedError

    def save_progress(self, persistence: dict | None = None) -> float | None:
        """0..1 while a BGSAVE runs when the server says how far it is, else None;
        ``persistence`` is an INFO persistence reading to derive it from."""
        return None

    def data_dir(self) -> str | None:
        """The directory RDB/AOF files are written to."""
        return self.config_get("dir").get("dir")


# ---------------------------------------------------------------------- helpers
def process_rss() -> int | None:
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


def _rows_pairs(flat) -> list:
    """[[a, b], ...] or [a, b, ...] -> [(a, b), ...]."""
    if flat and isinstance(flat[0], (list, tuple)):
        return [tuple(x) for x in flat]
    return [(flat[i], flat[i + 1]) for i in range(0, len(flat) - 1, 2)]


def _plain(v):
    """Reply values from either path as plain Python (bytes, int, float, list)."""
    if isinstance(v, dict):
        out = []
        for k, x in v.items():
            out += [_plain(k), _plain(x)]
        return out
    if isinstance(v, (list, tuple, set)):
        return [_plain(x) for x in v]
    if isinstance(v, bytes):
        return bytes(v)
    return v


def page_by_commands(call, db, key, type_, cursor, count) -> Page:
    """One page of a collection through the type's read commands (HSCAN, SSCAN, ZRANGE,
    LRANGE, XRANGE): the commands are the stable interface to every type."""
    cursor = cursor or 0
    if type_ == "hash":
        nxt, flat = call(db, b"HSCAN", key, b"%d" % cursor, b"COUNT", b"%d" % count)
        return Page(("field", "value"), _rows_pairs(_plain(flat)), int(nxt))
    if type_ == "set":
        nxt, flat = call(db, b"SSCAN", key, b"%d" % cursor, b"COUNT", b"%d" % count)
        return Page(("member",), [(m,) for m in _plain(flat)], int(nxt))
    if type_ == "zset":
        flat = _plain(call(db, b"ZRANGE", key, b"%d" % cursor,
                           b"%d" % (cursor + count - 1), b"WITHSCORES"))
        rows = [(cursor + i, m, s) for i, (m, s) in enumerate(_rows_pairs(flat))]
        return Page(("#", "member", "score"), rows, cursor + count if len(rows) == count else 0)
    if type_ == "list":
        vals = _plain(call(db, b"LRANGE", key, b"%d" % cursor, b"%d" % (cursor + count - 1)))
        rows = [(cursor + i, v) for i, v in enumerate(vals)]
        return Page(("index", "element"), rows, cursor + count if len(rows) == count else 0)
    if type_ == "stream":
        start = b"-" if not cursor else b"(" + cursor
        entries = _plain(call(db, b"XRANGE", key, start, b"+", b"COUNT", b"%d" % count))
        rows = [(eid, b" ".join(b"%s=%s" % (f, v) for f, v in _rows_pairs(fields)))
                for eid, fields in entries]
        return Page(("id", "fields"), rows, rows[-1][0] if len(rows) == count else 0)
    raise NotAvailable(f"no preview for values of type '{type_}' yet")


def redact(url: str) -> str:
    """A URL as shown: no password."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        cred, host = rest.rsplit("@", 1)
        user = cred.split(":", 1)[0] if ":" in cred else ""
        return f"{scheme}://{user + ':' if user else ''}***@{host}"
    return url


# the command that gives a key's length (elements; bytes of a string), by TYPE
LENGTH_CMDS = {"string": b"STRLEN", "hash": b"HLEN", "list": b"LLEN", "set": b"SCARD",
               "zset": b"ZCARD", "stream": b"XLEN"}


def keyspace_fields(value: str) -> dict[str, str]:
    """One INFO keyspace value ("keys=3,expires=1,avg_ttl=0") as a dict."""
    return dict(p.split("=") for p in value.split(","))


def parse_info(text) -> dict[str, str]:
    """INFO's text as field -> value."""
    if isinstance(text, (bytes, bytearray)):
        text = text.decode("utf-8", "replace")
    out = {}
    for line in text.splitlines():
        if ":" in line and not line.startswith("#"):
            k, v = line.split(":", 1)
            out[k] = v
    return out


def parse_client_line(line: str) -> dict[str, str]:
    """One CLIENT LIST line: space-separated name=value (a name may hold '='... never a
    space: Redis refuses such client names)."""
    out = {}
    for part in line.split(" "):
        k, sep, v = part.partition("=")
        if sep:
            out[k] = v
    return out


INSPECTOR_NAME = "keyscope-inspector"       # CLIENT SETNAME of our own connections


# ---------------------------------------------------------------------- embedded
class _InspectorEngineView:
    """What Client.__init__ needs from an engine, minus taking a client id (so the
    inspector's private context leaves CLIENT ID / CLIENT LIST untouched)."""

    def __init__(self, engine):
        self._engine = engine

    def __getattr__(self, name):
        return getattr(self._engine, name)

    def next_client_id(self):
        return 0


class EmbeddedSource(InspectorSource):
    kind = "embedded"
    sampled = False

    def __init__(self, engine, server=None, parent=None, coalesce_ms: int = 100):
        super().__init__(parent)
        self.engine = engine
        self.server = server
        ndb = len(engine.dbs)
        self._dirty: list[set] = [set() for _ in range(ndb)]
        self._data_ids = [id(db.data) for db in engine.dbs]
        self._timer = QTimer(self)
        self._timer.setInterval(coalesce_ms)
        self._timer.timeout.connect(self._flush)
        self._timer.start()
        self._ctx = None
        dirty = self._dirty

        # runs on every write: keep it to a set add
        def on_write(db, key, event, kind, client, _dirty=dirty):
            _dirty[db.id].add(key)

        def on_expire(db, key, _dirty=dirty):
            _dirty[db.id].add(key)

        self._on_write, self._on_expire = on_write, on_expire
        engine.write_listeners.append(on_write)
        engine.expire_listeners.append(on_expire)

    def close(self):
        self._timer.stop()
        for lst, fn in ((self.engine.write_listeners, self._on_write),
                        (self.engine.expire_listeners, self._on_expire)):
            if fn in lst:
                lst.remove(fn)

    def _flush(self):
        for i, db in enumerate(self.engine.dbs):
            if id(db.data) != self._data_ids[i]:        # FLUSHDB/FLUSHALL/SWAPDB
                self._data_ids[i] = id(db.data)
                self._dirty[i].clear()
                self.dbReset.emit(i)
            elif self._dirty[i]:
                # swap in a fresh set: the listeners index this same list
                keys, self._dirty[i] = self._dirty[i], set()
                self.keysChanged.emit(i, keys)

    def title(self) -> str:
        host, port = self.address()
        return f"embedded keyscope on {host}:{port}"

    def address(self):
        port = self.server.port if self.server is not None else \
            self.engine.server_info.get("port", 0)
        return "127.0.0.1", port

    def databases(self) -> int:
        return len(self.engine.dbs)

    def dbsize(self, db: int) -> int:
        return len(self.engine.dbs[db].data)

    def key_batches(self, db: int, batch: int = 5000, pattern: bytes | None = None):
        # a C-speed snapshot; a tuple of bytes, which the GC untracks after one look
        keys = tuple(self.engine.dbs[db].data)
        for i in range(0, len(keys), batch):
            yield keys[i:i + batch]

    def live_keys(self, db: int, keys: list) -> list:
        data = self.engine.dbs[db].data
        return [k for k in keys if k in data]

    def pending_changes(self, db: int) -> int:
        return len(self._dirty[db])

    def key_meta(self, db: int, keys, lengths: bool = True) -> dict:
        # exact and O(1) a key: the bytes the engine charges (engine.memory.charged),
        # after re-modelling the containers written since the last look
        from engine.memory import charged, flush_dirty
        d = self.engine.dbs[db]
        if d.mdirty:
            flush_dirty(d)
        data, expires = d.data, d.expires
        names = _TYPE_NAMES
        out = {}
        # a key past its time but not yet deleted is reported (DBSIZE and used_memory
        # still count it; its deletion comes through the feed)
        for k in keys:
            v = data.get(k)
            if v is None:
                continue
            exp = expires.get(k) if expires else None
            t = names.get(v.__class__)
            if t is None:
                t = names[v.__class__] = _type_name(v)
            out[k] = (t, charged(d, k, v), exp, len(v))
        return out

    def now_ms(self) -> int:
        return int(self.engine.clock() * 1000)

    def db_bytes(self, db: int) -> int | None:
        from engine.memory import flush_dirty
        d = self.engine.dbs[db]
        if d.mdirty:
            flush_dirty(d)
        return d.mem

    def _live(self, db: int, key: bytes):
        d = self.engine.dbs[db]
        v = d.data.get(key)
        if v is None:
            return None, None
        exp = d.expires.get(key) if d.expires else None
        if exp is not None and exp <= self.now_ms():
            return None, None                       # logically expired (not yet deleted)
        return v, exp

    def exists(self, db: int, key: bytes) -> bool:
        return self._live(db, key)[0] is not None

    def key_type(self, db: int, key: bytes) -> str | None:
        v = self.engine.dbs[db].data.get(key)
        if v is None:
            return None
        return _type_name(v)

    def key_info(self, db: int, key: bytes) -> KeyInfo | None:
        v, exp = self._live(db, key)
        if v is None:
            return None
        from engine.types import encoding_of
        try:
            enc = encoding_of(v, self.engine.config).decode()
        except Exception:                           # a type still under construction
            enc = None
        try:
            length = len(v)
        except TypeError:
            length = None
        memory, sampled = None, False
        try:
            from engine import memory as memory_model
            # exact (every element) up to a size that stays quick; MEMORY USAGE's
            # default 5-element sample beyond, marked as such
            sampled = length is not None and length > 10_000 and _type_name(v) != "string"
            memory = memory_model.usage(self.engine.dbs[db], key, v, 5 if sampled else 0)
        except Exception:                           # no memory model for this value yet
            memory, sampled = None, False
        return KeyInfo(key, _type_name(v), exp, enc, length, memory, sampled)

    def key_anatomy(self, db: int, key: bytes) -> KeyAnatomy | None:
        """Exact parts from the engine's model (MEMORY USAGE's sampling beyond 10k
        elements, as key_info), read in place: no observer effect."""
        v, _ = self._live(db, key)
        if v is None:
            return None
        from engine import memory_anatomy as ma
        d, cfg = self.engine.dbs[db], self.engine.config
        try:
            a = ma.anatomy(d, key, v, cfg)
            ts = ma.thresholds(v, cfg)
        except Exception as e:                      # a value the model does not know
            raise NotAvailable(f"no memory anatomy for this value: {e}") from None
        note = (f"elements extrapolated from MEMORY USAGE's {a.samples}-element sample"
                if a.estimate else "")
        return KeyAnatomy(key, a.type, a.encoding, a.total, a.parts, a.outside, ts,
                          ma.cause_of(ts), a.estimate, ma.python_footprint(v), note)

    def string_value(self, db: int, key: bytes, limit: int) -> tuple[bytes, int]:
        v, _ = self._live(db, key)
        if v is None:
            return b"", 0
        if v.__class__ not in (bytes, bytearray):
            raise NotAvailable("not a string")
        return bytes(v[:limit]), len(v)

    def call(self, db: int, *argv: bytes):
        """Run one read command's function directly (not through execute(): no stats,
        no slowlog, no MONITOR), in a private context that is not a registered client."""
        from engine.commands import lookup
        from engine.errors import RedisError
        if self.read_only:
            self.guard(argv)
        spec = lookup(list(argv))
        if spec is None or spec.fn is None:
            raise NotAvailable(f"{argv[0].decode()} is not implemented yet")
        if self._ctx is None:
            from engine.client import Client
            self._ctx = Client(_InspectorEngineView(self.engine))
            self._ctx.engine = self.engine
        c = self._ctx
        c.db = self.engine.dbs[db]
        c.cmd = spec
        c.argv = list(argv)
        st = self.engine.stats
        hits, misses = st.keyspace_hits, st.keyspace_misses
        args = argv[2:] if spec.container is not None else argv[1:]
        try:
            reply = spec.fn(c, *args)
        except RedisError as e:
            raise NotAvailable(str(e)) from None
        finally:
            st.keyspace_hits, st.keyspace_misses = hits, misses
        return reply

    def sample(self) -> ServerSample:
        e = self.engine
        try:
            from engine.memory import used_memory
            used = used_memory(e)
        except Exception:
            used = None
        return ServerSample(time.time(), e.stats.commands, len(e.clients),
                            sum(len(db.data) for db in e.dbs), process_rss(), used,
                            {"net_input_bytes": e.stats.net_input_bytes,
                             "net_output_bytes": e.stats.net_output_bytes,
                             "expired_keys": e.stats.expired_keys,
                             "evicted_keys": e.stats.evicted_keys,
                             "keyspace_hits": e.stats.keyspace_hits,
                             "keyspace_misses": e.stats.keyspace_misses})

    def info(self) -> dict[str, str]:
        e = self.engine
        from engine import REDIS_VERSION, VERSION
        host, port = self.address()
        return {"server": f"keyscope {VERSION} (Redis {REDIS_VERSION} compatible)",
                "mode": "embedded (exact)", "address": f"{host}:{port}",
                "pid": str(os.getpid()),
                "uptime": f"{int(time.time() - e.stats.started)} s",
                "databases": str(len(e.dbs)),
                "maxmemory": str(e.config["maxmemory"]),
                "maxmemory-policy": e.config["maxmemory-policy"]}

    # -- server panels: state read in place; admin actions run the command's function
    # on a private context (like call()), so the user's stats, commandstats, SLOWLOG and
    # MONITOR stay theirs while the action itself takes full effect.
    def info_section(self, section: str) -> dict[str, str]:
        from engine.cmds.info import SECTIONS, render_info
        if section not in SECTIONS:
            return {}
        return parse_info(render_info(self.engine, [section]))

    def config_get(self, *patterns: str) -> dict[str, str]:
        return self.engine.config.get_many(list(patterns))

    def implements(self, command: str) -> bool:
        from engine.commands import lookup
        spec = lookup(command.encode().split())
        return spec is not None and spec.fn is not None

    def admin(self, *argv: bytes):
        from engine.commands import lookup
        from engine.errors import RedisError, WrongArity
        if self.read_only:
            self.guard(argv)
        spec = lookup(list(argv))
        if spec is None or spec.fn is None:
            raise NotAvailable(f"{argv[0].decode().upper()} is not implemented in "
                               f"keyscope yet")
        n, arity = len(argv), spec.arity
        if (n != arity) if arity > 0 else (n < -arity):
            raise ActionError(WrongArity(spec.name).text)
        c = self._admin
        if c is None:
            from engine.client import Client
            c = self._admin = Client(_InspectorEngineView(self.engine))
            c.engine = self.engine
            c.name = INSPECTOR_NAME.encode()
        c.db = self.engine.dbs[0]
        c.cmd, c.argv = spec, list(argv)
        args = argv[2:] if spec.container is not None else argv[1:]
        try:
            return spec.fn(c, *args)
        except RedisError as e:
            raise ActionError(e.text) from None
        except Exception as e:              # a bug of ours: the log has the traceback
            self.engine.log_exception(f"inspector action '{spec.name}' failed")
            raise ActionError(f"ERR internal error in '{spec.name}': "
                              f"{type(e).__name__}: {e}") from None
        finally:
            c.cmd = c.argv = None

    _admin = None

    def slowlog_since(self, after_id: int) -> tuple[list, int | None]:
        entries = self.engine.slowlog.entries           # newest first
        out = []
        for e in entries:                               # stops at the first seen one
            if e[0] <= after_id:
                break
            out.append(SlowEntry(e[0], e[1], e[2], list(e[3]),
                                 e[4].decode("utf-8", "replace"),
                                 e[5].decode("utf-8", "replace")))
        return out, (entries[-1][0] if entries else None)

    def latency_latest(self) -> list[tuple[str, int, int, int]]:
        out = []
        for name, ev in list(self.engine.latency.events.items()):
            if ev["history"]:
                ts, ms = ev["history"][-1]
                out.append((name, ts, ms, ev["max"]))
        return out

    def clients(self) -> list[dict[str, str]]:
        from engine.cmds.client_cmd import client_info
        now = self.engine.now_ms
        return [parse_client_line(client_info(cl, now))
                for cl in list(self.engine.clients.values())]

    def save_progress(self, persistence: dict | None = None) -> float | None:
        return getattr(self.engine, "save_progress", None)

    def data_dir(self) -> str | None:
        # where the files really go: the embedded server does not chdir (CONFIG GET dir
        # reports the process's working directory, as Redis does after its chdir)
        return os.path.abspath(self.engine.config["dir"])


_TYPE_NAMES = {bytes: "string", bytearray: "string"}


def _type_name(v) -> str:
    if v.__class__ is bytes or v.__class__ is bytearray:
        return "string"
    name = getattr(v, "TYPE_NAME", None)
    return name.decode() if isinstance(name, bytes) else type(v).__name__.lower()


# ---------------------------------------------------------------------- remote
class RemoteSource(InspectorSource):
    """Any Redis/Valkey over RESP.  Blocking redis-py calls on short, bounded commands
    (SCAN COUNT pages); numbers are what the server reports, keyspace views are built
    from SCAN and labelled sampled."""
    kind = "remote"
    sampled = True

    def __init__(self, url: str, parent=None):
        super().__init__(parent)
        import redis
        self.url = url
        self.pool = redis.ConnectionPool.from_url(url, socket_timeout=5,
                                                  client_name="keyscope-inspector")
        self._db_conns: dict = {}
        self._ndb = None
        self._own_commands = 0      # ours, subtracted from the ops/s the charts show
        self._seen_memory: dict = {}   # (db, key) -> MEMORY USAGE read by key_info

    # -- losing the server and getting it back: while lost, calls fail at once with
    # ConnectionLost (no blocking connect per panel refresh); a thread probes the URL
    # every PROBE_MS and a reply brings the source back (dbReset: data may differ now).
    PROBE_MS = 2000
    lost: str | None = None
    _probed = Signal(str)                   # from the probe thread: "" = it answers
    _probing = None

    def _lose(self, e: Exception):
        for c in self._db_conns.values():
            c.disconnect()
        self._db_conns.clear()
        if self.lost is None:
            host, port = self.address()
            self.lost = f"connection lost to {host}:{port} ({e}); retrying"
            self._probed.connect(self._on_probed, Qt.QueuedConnection)
            self._probing = QTimer(self)
            self._probing.setSingleShot(True)
            self._probing.timeout.connect(self._probe)
            self._probing.start(self.PROBE_MS)
            self.connectionChanged.emit(False, self.lost)
        raise ConnectionLost(self.lost) from None

    def _probe(self):
        import threading

        from .connect import probe

        def work(url=self.url):
            err = probe(url)                # "" when it answers
            try:
                self._probed.emit(err)
            except RuntimeError:            # the source was deleted meanwhile
                pass
        threading.Thread(target=work, name="keyscope-probe", daemon=True).start()

    def _on_probed(self, err: str):
        if self._probing is None:           # closed
            return
        if err:
            self._probing.start(self.PROBE_MS)
            return
        self._probed.disconnect(self._on_probed)
        self._probing.deleteLater()
        self._probing = None
        self.lost = None
        self.connectionChanged.emit(True, "")
        for db in range(self.databases()):
            self.dbReset.emit(db)

    def _conn(self, db: int):
        if self.lost is not None:
            raise ConnectionLost(self.lost)
        c = self._db_conns.get(db)
        if c is not None and getattr(c, "_sock", c) is None:
            c = None                        # dropped (redis-py reconnects into db 0)
        if c is None:
            c = self.pool.make_connection()
            c.connect()
            c.send_command("SELECT", db)
            c.read_response()
            self._db_conns[db] = c
        return c

    def call(self, db: int, *argv: bytes):
        import redis
        if self.read_only:
            self.guard(argv)
        self._own_commands += 1
        try:
            c = self._conn(db)
            c.send_command(*argv)
            return c.read_response()
        except redis.ResponseError as e:
            raise NotAvailable(str(e)) from None
        except (redis.ConnectionError, redis.TimeoutError) as e:
            self._lose(e)

    def close(self):
        if self._probing is not None:
            self._probing.stop()
            self._probing = None
        for c in self._db_conns.values():
            c.disconnect()
        self._db_conns.clear()

    def title(self) -> str:             # shown in the window and written into exports
        return f"remote {redact(self.url)} (sampled)"

    def address(self):
        kw = self.pool.connection_kwargs
        return kw.get("host", "127.0.0.1"), int(kw.get("port", 6379))

    def databases(self) -> int:
        if self._ndb is None:
            try:
                self._ndb = int(_plain(self.call(0, b"CONFIG", b"GET", b"databases"))[1])
            except Exception:
                self._ndb = 16
        return self._ndb

    def dbsize(self, db: int) -> int:
        return int(self.call(db, b"DBSIZE"))

    def key_batches(self, db: int, batch: int = 1000, pattern: bytes | None = None):
        cursor = b"0"
        match = (b"MATCH", pattern) if pattern else ()
        while True:
            cursor, keys = self.call(db, b"SCAN", cursor, *match, b"COUNT", b"%d" % batch)
            yield list(keys)
            if cursor in (b"0", 0):
                return

    def exists(self, db: int, key: bytes) -> bool:
        return bool(self.call(db, b"EXISTS", key))

    def key_type(self, db: int, key: bytes) -> str | None:
        t = self.call(db, b"TYPE", key)
        t = t.decode() if isinstance(t, bytes) else str(t)
        return None if t == "none" else t

    _LENGTH_CMDS = LENGTH_CMDS

    def key_info(self, db: int, key: bytes) -> KeyInfo | None:
        t = self.key_type(db, key)
        if t is None:
            return None
        pttl = int(self.call(db, b"PTTL", key))
        exp = self.now_ms() + pttl if pttl >= 0 else None
        try:
            enc = self.call(db, b"OBJECT", b"ENCODING", key).decode()
        except Exception:
            enc = None
        length_cmd = self._LENGTH_CMDS.get(t)
        length = int(self.call(db, length_cmd, key)) if length_cmd else None
        try:
            memory = self.call(db, b"MEMORY", b"USAGE", key)
            memory = int(memory) if memory is not None else None
        except Exception:
            memory = None
        if memory is not None:                      # the tree shows bytes of keys seen
            self._seen_memory[(db, key)] = memory
        return KeyInfo(key, t, exp, enc, length, memory, True)

    ANATOMY_EXACT = 1000        # elements up to which MEMORY USAGE counts every one

    def key_anatomy(self, db: int, key: bytes) -> KeyAnatomy | None:
        """Only what a remote says: MEMORY USAGE's total, OBJECT ENCODING, counts
        against the thresholds from CONFIG GET; no components."""
        from engine.memory_anatomy import cause_of, thresholds_from_counts
        i = self.key_info(db, key)
        if i is None:
            return None
        exact = i.type == "string" or (i.length or 0) <= self.ANATOMY_EXACT
        note = "components not available remotely: the server reports only a total"
        total = i.memory                            # MEMORY USAGE's default sample
        if exact:
            try:
                total = self.call(db, b"MEMORY", b"USAGE", key, b"SAMPLES", b"0")
                total = int(total) if total is not None else None
            except NotAvailable as e:
                total, note = None, f"MEMORY USAGE refused: {e}"
        elif total is None:
            note = "MEMORY USAGE refused or unknown on this server"
        cfg = {}
        try:
            for k, v in self.config_get("*-max-*").items():
                if v.lstrip("-").isdigit():
                    cfg[k] = int(v)
        except Exception as e:                      # ACL-blocked CONFIG ...
            note += f"; thresholds unknown (CONFIG GET refused: {e})"
        ts = thresholds_from_counts(i.type, i.encoding, i.length, cfg)
        return KeyAnatomy(key, i.type, i.encoding, total, [], [], ts, cause_of(ts),
                          not exact, None, note)

    def key_meta(self, db: int, keys, lengths: bool = False) -> dict:
        """TYPE and PTTL pipelined (lengths: a second pipeline); bytes only for keys
        whose MEMORY USAGE the key view already read (never a per-key MEMORY USAGE)."""
        import redis
        keys = list(keys)
        if not keys:
            return {}
        try:
            return self._key_meta(db, keys, lengths)
        except (redis.ConnectionError, redis.TimeoutError) as e:
            self._lose(e)                   # the tree's reads raise the banner too

    def _key_meta(self, db: int, keys: list, lengths: bool) -> dict:
        import redis
        c = self._conn(db)
        self._own_commands += 2 * len(keys)
        c.send_packed_command(c.pack_commands(
            [(b"TYPE", k) for k in keys] + [(b"PTTL", k) for k in keys]))
        replies, err = [], None
        for _ in range(2 * len(keys)):          # read every reply: the link stays in step
            try:
                replies.append(c.read_response())
            except redis.ResponseError as e:
                replies.append(None)
                err = err or e
        if err is not None:
            raise NotAvailable(str(err))
        now = self.now_ms()
        n = len(keys)
        out = {}
        for i, k in enumerate(keys):
            t = _s(replies[i])
            if t == "none":
                continue
            pttl = int(replies[n + i])
            out[k] = (t, self._seen_memory.get((db, k)), now + pttl if pttl >= 0 else None,
                      None)
        if lengths and out:
            ks = [k for k in out if out[k][0] in self._LENGTH_CMDS]
            self._own_commands += len(ks)
            c.send_packed_command(c.pack_commands(
                [(self._LENGTH_CMDS[out[k][0]], k) for k in ks]))
            for k in ks:
                try:
                    n_ = int(c.read_response())
                except redis.ResponseError:
                    continue
                out[k] = out[k][:3] + (n_,)
        return out

    def string_value(self, db: int, key: bytes, limit: int) -> tuple[bytes, int]:
        total = int(self.call(db, b"STRLEN", key))
        v = self.call(db, b"GETRANGE", key, b"0", b"%d" % (max(limit, 1) - 1)) if total else b""
        return bytes(v or b"")[:limit], total

    def info(self) -> dict[str, str]:
        return parse_info(self.call(0, b"INFO", b"all"))

    def sample(self) -> ServerSample:
        i = self.info()
        keys = 0
        for k, v in i.items():
            if k.startswith("db") and k[2:].isdigit():
                keys += int(keyspace_fields(v)["keys"])
        return ServerSample(time.time(), int(i.get("total_commands_processed", 0)) -
                            self._own_commands, int(i.get("connected_clients", 0)), keys,
                            int(i["used_memory_rss"]) if "used_memory_rss" in i else None,
                            int(i["used_memory"]) if "used_memory" in i else None, i)

    # -- server panels: INFO, CONFIG, SLOWLOG, LATENCY, CLIENT LIST over RESP; our own
    # connections (CLIENT SETNAME keyscope-inspector) are filtered out of what is shown.
    SLOWLOG_PAGE = 256              # newest entries read per refresh

    def info_section(self, section: str) -> dict[str, str]:
        return parse_info(self.call(0, b"INFO", section.encode()))

    def config_get(self, *patterns: str) -> dict[str, str]:
        flat = _plain(self.call(0, b"CONFIG", b"GET", *(p.encode() for p in patterns)))
        return {_s(flat[i]): _s(flat[i + 1]) for i in range(0, len(flat) - 1, 2)}

    _flag_cache: dict | None = None

    def command_flags(self, argv) -> frozenset | None:
        """The server's own flags from COMMAND INFO (cached per command; a container's
        reply carries its subcommands' in 7.0+); the engine's table when the server
        will not say (ACL, an old server)."""
        import redis
        name = _s(argv[0]).lower()
        cache = self._flag_cache
        if cache is None:
            cache = self._flag_cache = {}
        entry = cache.get(name)
        if entry is None:
            try:
                c = self._conn(0)
                self._own_commands += 1
                c.send_command("COMMAND", "INFO", name)
                reply = _plain(c.read_response())
            except redis.ResponseError:
                reply = None
            except (redis.ConnectionError, redis.TimeoutError) as e:
                self._lose(e)
            if reply is None:               # refused (ACL ...): the engine's table
                entry = ("table", {})
            elif not reply or not reply[0]:     # the server has no such command
                entry = (None, {})
            else:
                info = reply[0]
                subs = {_s(sc[0]).lower().partition("|")[2]:
                        frozenset(_s(f) for f in sc[2])
                        for sc in (info[9] if len(info) > 9 and info[9] else [])}
                entry = (frozenset(_s(f) for f in info[2]), subs)
            cache[name] = entry
        flags, subs = entry
        if flags == "table":
            return super().command_flags(argv)
        if subs and len(argv) > 1:
            return subs.get(_s(argv[1]).lower(), flags)
        return flags

    def implements(self, command: str) -> bool:
        try:
            info = _plain(self.call(0, b"COMMAND", b"INFO", command.encode()))
        except Exception:
            return True
        return bool(info) and info[0] is not None

    def admin(self, *argv: bytes):
        import redis
        self._own_commands += 1
        try:
            if self.read_only:
                self.guard(argv)
            c = self._conn(0)
            c.send_command(*argv)
            return c.read_response()
        except redis.ResponseError as e:
            text = str(e)
            if text.lower().startswith("unknown command"):
                raise NotAvailable(f"the server has no {argv[0].decode().upper()} "
                                   f"command") from None
            raise ActionError(text) from None
        except ConnectionLost as e:
            raise ActionError(str(e)) from None
        except (redis.ConnectionError, redis.TimeoutError) as e:
            try:
                self._lose(e)
            except ConnectionLost as lost:
                raise ActionError(str(lost)) from None
        except redis.RedisError as e:
            self._db_conns.pop(0, None)
            raise ActionError(f"connection: {e}") from None

    def slowlog_since(self, after_id: int) -> tuple[list, int | None]:
        raw = _plain(self.call(0, b"SLOWLOG", b"GET", b"%d" % self.SLOWLOG_PAGE))
        out = []
        for e in raw:
            if int(e[0]) <= after_id:
                break
            name = _s(e[5]) if len(e) > 5 else ""
            if name == INSPECTOR_NAME:
                continue
            out.append(SlowEntry(int(e[0]), int(e[1]), int(e[2]), list(e[3]),
                                 _s(e[4]) if len(e) > 4 else "", name))
        return out, (int(raw[-1][0]) if raw else None)

    def latency_latest(self) -> list[tuple[str, int, int, int]]:
        return [(_s(e[0]), int(e[1]), int(e[2]), int(e[3]))
                for e in _plain(self.call(0, b"LATENCY", b"LATEST"))]

    def clients(self) -> list[dict[str, str]]:
        text = _s(self.call(0, b"CLIENT", b"LIST"))
        rows = [parse_client_line(line) for line in text.splitlines() if line]
        return [r for r in rows if r.get("name") != INSPECTOR_NAME]

    def save_progress(self, persistence: dict | None = None) -> float | None:
        i = persistence if persistence is not None else self.info_section("persistence")
        if i.get("rdb_bgsave_in_progress") != "1" or "current_fork_perc" not in i:
            return None
        try:
            return float(i["current_fork_perc"]) / 100.0
        except ValueError:
            return None


def _s(v) -> str:
    return v.decode("utf-8", "replace") if isinstance(v, (bytes, bytearray)) else str(v)
