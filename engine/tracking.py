"""Client-side caching support (CLIENT TRACKING): who read which key, and invalidation
messages when it changes.  Default mode remembers keys per reader and forgets them once
notified; BCAST mode notifies every key under the client's prefixes."""
from __future__ import annotations

from .commands import Flag
from .replies import Push

INVALIDATE_CHANNEL = b"__redis__:invalidate"


class TrackingState:
    __slots__ = ("redirect", "bcast", "prefixes", "optin", "optout", "noloop", "caching")

    def __init__(self, redirect=0, bcast=False, prefixes=(), optin=False, optout=False,
                 noloop=False):
        self.redirect = redirect
        self.bcast = bcast
        self.prefixes = list(prefixes)
        self.optin = optin
        self.optout = optout
        self.noloop = noloop
        self.caching = None      # CLIENT CACHING yes/no for the next command only


class Tracking:
    def __init__(self, engine):
        self.engine = engine
        self.table: dict[bytes, set[int]] = {}      # key -> ids of clients that read it
        self.bcast: dict[bytes, set[int]] = {}      # prefix -> ids of BCAST clients
        self.clients = 0                            # clients with tracking on

    # ------------------------------------------------------------------ switching
    def enable(self, c, state: TrackingState):
        if c.tracking is None:
            self.clients += 1
        elif c.tracking.bcast:
            self._drop_prefixes(c)
        c.tracking = state
        if state.bcast:
            for p in state.prefixes or [b""]:
                self.bcast.setdefault(p, set()).add(c.id)
        self._listen()

    def disable(self, c):
        if c.tracking is None:
            return
        if c.tracking.bcast:
            self._drop_prefixes(c)
        c.tracking = None
        self.clients -= 1
        self._listen()

    def _drop_prefixes(self, c):
        for p in c.tracking.prefixes or [b""]:
            ids = self.bcast.get(p)
            if ids is not None:
                ids.discard(c.id)
                if not ids:
                    del self.bcast[p]

    def _listen(self):
        listeners = self.engine.write_listeners
        active = self.clients > 0
        if active and self._on_write not in listeners:
            listeners.append(self._on_write)
            self.engine.expire_listeners.append(self._on_expire)
        elif not active and self._on_write in listeners:
            listeners.remove(self._on_write)
            self.engine.expire_listeners.remove(self._on_expire)
            self.table.clear()

    # ------------------------------------------------------------------ reads
    def after_command(self, c, spec, argv):
        """Remember the keys a tracking client just read (default mode)."""
        t = c.tracking
        if spec.name == "client|caching":      # applies to the command after it
            return
        caching, t.caching = t.caching, None
        if t.bcast or Flag.READONLY not in spec.flags or not spec.keys:
            return
        if (t.optin and caching is not True) or (t.optout and caching is False):
            return
        for i in spec.key_positions(argv):
            self.table.setdefault(argv[i], set()).add(c.id)

    # ------------------------------------------------------------------ invalidation
    def _on_write(self, db, key, event, kind, writer):
        self.invalidate(key, writer)

    def _on_expire(self, db, key):
        self.invalidate(key, None)

    def invalidate(self, key: bytes, writer=None):
        clients = self.engine.clients
        ids = self.table.pop(key, None)
        if ids:
            for cid in ids:
                c = clients.get(cid)
                if c is not None and c.tracking is not None and not (
                        c.tracking.noloop and c is writer):
                    self.send(c, [key])
        if self.bcast:
            for prefix, pids in self.bcast.items():
                if key.startswith(prefix):
                    for cid in pids:
                        c = clients.get(cid)
                        if c is not None and not (c.tracking.noloop and c is writer):
                            self.send(c, [key])

    def flush(self):
        """FLUSHALL/FLUSHDB: every tracking client drops its whole cache (null key list)."""
        self.table.clear()
        for c in list(self.engine.clients.values()):
            if c.tracking is not None:
                self.send(c, None)

    def send(self, c, keys):
        target = c
        redirect = c.tracking.redirect
        if redirect:
            target = self.engine.clients.get(redirect)
            if target is None:
                if c.resp == 3:
                    c.push(Push([b"tracking-redir-broken", redirect]))
                return
        if target.resp == 3:
            target.push(Push([b"invalidate", keys]))
        elif INVALIDATE_CHANNEL in (target.channels or ()):
            target.push(Push([b"message", INVALIDATE_CHANNEL, keys]))
