"""One connection's session state; also the context every command function receives."""
from __future__ import annotations

import time

from .memory import flush_dirty, refresh

# keyspace-notification class by event name, where it is not the command's own group
GENERIC_EVENTS = {b"del": "g", b"rename_from": "g", b"rename_to": "g", b"expire": "g",
                  b"persist": "g", b"copy_to": "g", b"move_from": "g", b"move_to": "g",
                  b"restore": "g", b"new": "n", b"expired": "x", b"evicted": "e",
                  b"sortstore": "list"}     # SORT (group generic) notifies in the list class


class Client:
    __slots__ = ("engine", "id", "db", "resp", "name", "authenticated", "user",
                 "addr", "laddr", "fd", "created", "last_interaction", "cmd", "last_cmd",
                 "reply_mode", "flags", "closing", "close_after_reply", "transport",
                 "multi", "propagate_argv", "propagate_also", "lib_name", "lib_ver", "kill_hook", "argv",
                 "qbuf", "obuf", "conn_type", "blocked", "unblock_hook", "multi_failed", "watching", "watch_dirty",
                 "channels", "patterns", "shard_channels", "push_hook", "tracking", "is_script",
                 "__weakref__")

    def __init__(self, engine, addr: str = "", laddr: str = "", fd: int = -1,
                 conn_type: str = "tcp"):
        self.engine = engine
        self.id = engine.next_client_id()
        self.db = engine.dbs[0]
        self.resp = 2
        self.name = b""
        self.user = b"default"
        self.authenticated = not engine.config["requirepass"]
        self.addr = addr
        self.laddr = laddr
        self.fd = fd
        self.conn_type = conn_type
        self.created = time.time()
        self.last_interaction = engine.now_ms    # ms, as netserver updates it
        self.cmd = None             # spec of the command being executed
        self.last_cmd = None
        self.argv = None
        self.reply_mode = "on"      # on | off | skip (CLIENT REPLY)
        self.flags = set()          # letters CLIENT LIST prints (N when empty)
        self.closing = False
        self.close_after_reply = False
        self.transport = None
        self.multi = None           # queued argv lists while in MULTI
        self.multi_failed = False   # a command was rejected while queueing: EXECABORT
        self.watching = None        # {(dbid, key): expired_at_watch_time} (WATCH)
        self.watch_dirty = False    # a watched key was written: EXEC fails
        self.channels = None        # pub/sub subscriptions (sets, created on first use)
        self.patterns = None
        self.shard_channels = None
        self.push_hook = None       # netserver sets: callback(value) writes a push message
        self.tracking = None        # TrackingState while CLIENT TRACKING is on
        self.is_script = False      # the fake client Lua scripts run commands as
        self.propagate_argv = None  # a deterministic rewrite of the current write
        self.propagate_also = None  # commands replicated instead of it (also_propagate)
        self.lib_name = b""
        self.lib_ver = b""
        self.kill_hook = None       # netserver sets: close this connection
        self.qbuf = 0
        self.blocked = None         # engine's record while blocked (BLPOP, XREAD BLOCK, ...)
        self.unblock_hook = None    # netserver sets: callback(reply) when unblocked
        self.obuf = 0

    # ------------------------------------------------------------------ commands' API
    @property
    def dbnum(self) -> int:
        return self.db.id

    def written(self, key: bytes, event: bytes | None = None, dirty: int = 1, db=None):
        """Every write ends here: dirty counter, WATCH, keyspace notification, change feed."""
        e = self.engine
        e.dirty += dirty
        d = db or self.db
        d.touch(key)                        # access time of a created/replaced key (LRU/LFU)
        v = d.data.get(key)
        if v is not None and v.__class__ is not bytes:
            if v.__class__ is bytearray:    # engine.memory: grown in place (cheap)
                refresh(d, key, v)
            else:                           # a container: re-modelled when asked
                md = d.mdirty
                md[key] = v
                if len(md) > 256:
                    flush_dirty(d)
        if e.watched:
            e.touch_watched(db or self.db, key)
        if e.write_listeners:
            db = db or self.db
            kind = GENERIC_EVENTS.get(event) or (self.cmd.group if self.cmd else "generic")
            for fn in e.write_listeners:
                fn(db, key, event, kind, self)

    def rewrite(self, *argv: bytes):
        """Propagate this deterministic form instead of the command as received."""
        self.propagate_argv = list(argv)

    def also_propagate(self, *argv: bytes):
        """Redis's alsoPropagate + preventCommandPropagation: replicate ``argv`` (if
        given) in place of the command itself; called with no argv it only stops the
        command's own propagation.  Several are wrapped in MULTI/EXEC by the engine."""
        if self.propagate_also is None:
            self.propagate_also = []
        if argv:
            self.propagate_also.append(list(argv))

    @property
    def deny_blocking(self) -> bool:
        """Blocking commands answer at once (inside MULTI or a script), as in Redis."""
        return self.multi is not None or self.is_script

    @property
    def subscriptions(self) -> int:
        return (len(self.channels or ()) + len(self.patterns or ())
                + len(self.shard_channels or ()))

    def push(self, value, cache=None):
        """Send an out-of-band message (pub/sub, invalidation) to this client; callers
        sending one message to many clients share ``cache`` so it is encoded once per
        RESP version."""
        if self.push_hook is not None and not self.closing:
            if cache is None:
                self.push_hook(value)
            else:
                self.push_hook(value, cache)

    def select(self, index: int):
        self.db = self.engine.dbs[index]

    def kill(self):
        self.closing = True
        if self.kill_hook is not None:
            self.kill_hook()
