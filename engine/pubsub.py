"""Pub/Sub registry: channel and pattern subscriptions, PUBLISH fan-out, keyspace
notifications (notify-keyspace-events)."""
from __future__ import annotations

from .glob import glob_match
from .replies import Push

# notify-keyspace-events class letter by command group / event kind
CLASS_OF = {"generic": "g", "string": "$", "list": "l", "set": "s", "hash": "h",
            "sorted_set": "z", "stream": "t", "g": "g", "x": "x", "e": "e", "n": "n",
            "m": "m", "bitmap": "$", "hyperloglog": "$", "geo": "z", "d": "d"}


class PubSub:
    def __init__(self, engine):
        self.engine = engine
        self.channels: dict[bytes, dict] = {}        # channel -> {client: None} (ordered)
        self.patterns: dict[bytes, dict] = {}        # pattern -> {client: None}
        self.shard_channels: dict[bytes, dict] = {}
        self.notify_flags = ""
        engine.config.on_change("notify-keyspace-events", self._on_notify_config)

    # ------------------------------------------------------------------ subscriptions
    def subscribe(self, c, kind: str, name: bytes) -> bool:
        """Add c to channel/pattern/shard `name`; False when it already was there."""
        own = getattr(c, kind)
        if own is None:
            own = set()
            setattr(c, kind, own)
        if name in own:
            return False
        own.add(name)
        getattr(self, kind).setdefault(name, {})[c] = None
        return True

    def unsubscribe(self, c, kind: str, name: bytes) -> bool:
        own = getattr(c, kind)
        if not own or name not in own:
            return False
        own.discard(name)
        registry = getattr(self, kind)
        subs = registry.get(name)
        if subs is not None:
            subs.pop(c, None)
            if not subs:
                del registry[name]
        return True

    def drop_client(self, c):
        for kind in ("channels", "patterns", "shard_channels"):
            for name in list(getattr(c, kind) or ()):
                self.unsubscribe(c, kind, name)

    # ------------------------------------------------------------------ publishing
    def publish(self, channel: bytes, message: bytes, sharded: bool = False) -> int:
        """Deliver to channel subscribers then pattern subscribers; returns receivers."""
        n = 0
        if sharded:
            msg, cache = Push([b"smessage", channel, message]), {}
            for c in list(self.shard_channels.get(channel, ())):
                c.push(msg, cache)
                n += 1
            return n
        subs = self.channels.get(channel)
        if subs:
            msg, cache = Push([b"message", channel, message]), {}
            for c in list(subs):
                c.push(msg, cache)
                n += 1
        for pattern, subs in list(self.patterns.items()):
            if glob_match(pattern, channel):
                msg, cache = Push([b"pmessage", pattern, channel, message]), {}
                for c in list(subs):
                    c.push(msg, cache)
                    n += 1
        return n

    # ------------------------------------------------------------------ notifications
    def _on_notify_config(self, flags: str):
        self.notify_flags = _expand(flags)
        listeners = self.engine.write_listeners
        if self.notify_flags and self._on_write not in listeners:
            listeners.append(self._on_write)
            self.engine.expire_listeners.append(self._on_expire)
        elif not self.notify_flags and self._on_write in listeners:
            listeners.remove(self._on_write)
            self.engine.expire_listeners.remove(self._on_expire)

    def notify(self, cls: str, event: bytes, key: bytes, dbid: int):
        """Redis's notifyKeyspaceEvent: K -> __keyspace@db__:key, E -> __keyevent@db__:ev."""
        flags = self.notify_flags
        if cls not in flags:
            return
        if "K" in flags:
            self.publish(b"__keyspace@%d__:%s" % (dbid, key), event)
        if "E" in flags:
            self.publish(b"__keyevent@%d__:%s" % (dbid, event), key)

    def _on_write(self, db, key, event, kind, client):
        if event:
            self.notify(CLASS_OF.get(kind, "g"), event, key, db.id)

    def _on_expire(self, db, key):
        self.notify("x", b"expired", key, db.id)


def _expand(flags: str) -> str:
    """'A' stands for every type class; keep K/E as given."""
    if "A" in flags:
        flags = flags.replace("A", "") + "g$lshzxetd"
    return flags
