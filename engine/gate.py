"""The optional part of the dispatcher's gauntlet: maxmemory (eviction and the OOM
refusal), CLIENT PAUSE and hot-key counting.

``engine.gate_pre`` / ``engine.gate_post`` are None while nothing needs them (no
maxmemory, no pause, hot keys off), so the dispatcher pays two attribute tests per
command; each component calls ``engine.update_gate()`` when it turns on or off.

``pre`` runs after the auth check and before MULTI queueing (Redis's processCommand
order: the OOM check, then the pause, then queueing); it returns None (go on), an
error to reject with, or NO_REPLY when the command was postponed by a pause.  ``post``
runs after the command and its propagation.  Commands run by EXEC or by a script skip
``pre`` (Redis checks a transaction or script once, at its start) except for a
script's first DENYOOM command after an OOM start (scriptCall's script_oom rule).
"""
from __future__ import annotations

from .commands import Flag, lookup
from .errors import RedisError
from .eviction import EVICT_FAIL, OOM, Evictor
from .hotkeys import HotKeys
from .pause import Pause
from .replies import NO_REPLY

_SCRIPT_CMDS = frozenset({"eval", "evalsha", "eval_ro", "evalsha_ro", "fcall", "fcall_ro"})
_MULTI_OK = frozenset({"exec", "discard", "quit", "reset", "multi", "watch"})
_SUBSCRIBED_OK = frozenset({"subscribe", "psubscribe", "ssubscribe", "unsubscribe",
                            "punsubscribe", "sunsubscribe", "ping", "quit", "reset"})
_EXEC_OOM = RedisError("EXECABORT Transaction discarded because of: " + OOM.text)


def install(engine):
    """Create the engine's evictor, pause and hot-key state and its (idle) gate."""
    engine.gate = None
    engine.gate_pre = engine.gate_post = None
    engine.script_oom = False
    g = Gate(engine)
    engine.update_gate = g.update
    engine.pause = Pause(engine)
    engine.hotkeys = HotKeys(engine)
    engine.evictor = Evictor(engine)
    g.ready = True
    g.update()


class Gate:
    def __init__(self, engine):
        self.engine = engine
        self.ready = False

    def update(self):
        e = self.engine
        if not self.ready:
            return
        mm = bool(e.evictor.maxmemory)
        e.gate_pre = self.pre if e.pause.kind else self.pre_mm if mm else None
        hk = e.hotkeys.enabled
        e.gate_post = (self.post if hk else self.post_mm) if mm else \
            e.hotkeys.count if hk else None
        e.gate = self if e.gate_pre or e.gate_post else None

    # ------------------------------------------------------------------ before
    def pre_mm(self, c, spec, argv):
        """maxmemory without a pause: nothing to do while nothing grew since the last
        check found us within the limit (the common case, one comparison)."""
        e = self.engine
        if e.dirty + (len(e.clients) << 48) == e.evictor._ok_at:
            return None
        return self.pre(c, spec, argv)

    def pre(self, c, spec, argv):
        e = self.engine
        if c.is_script:
            if e.script_oom and e.evictor.maxmemory and Flag.DENYOOM in spec.flags \
                    and not _script_wrote(e):
                return OOM
            return None
        if e.exec_buffer is not None:
            return None
        pause = e.pause
        if pause.kind and pause.active() and pause.applies(c, spec) and not (
                c.resp == 2 and (c.channels or c.patterns or c.shard_channels)
                and spec.name not in _SUBSCRIBED_OK):
            pause.postpone(c, spec, argv)
            return NO_REPLY
        ev = e.evictor
        if ev.maxmemory:
            oom = ev.perform() == EVICT_FAIL   # returns at once while nothing grew
            name = spec.name
            if name in _SCRIPT_CMDS:
                e.script_oom = oom
            if oom:
                if Flag.DENYOOM in spec.flags:
                    return OOM
                if c.multi is not None:
                    if name not in _MULTI_OK:
                        return OOM
                    if name == "exec" and _queued_denyoom(c):
                        from .cmds.multi import discard_transaction
                        discard_transaction(c)
                        return _EXEC_OOM
        return None

    # ------------------------------------------------------------------ after
    def post(self, c, spec, argv, wrote: bool):
        """Hot keys and maxmemory both on."""
        self.engine.hotkeys.count(c, spec, argv)
        if wrote:
            self.post_mm(c, spec, argv, wrote)

    def post_mm(self, c, spec, argv, wrote: bool):
        """maxmemory: after a write, evict back under the limit (not inside EXEC or a
        script: after the whole of it)."""
        if wrote and not c.is_script:
            e = self.engine
            if e.exec_buffer is None:
                e.evictor.after_write(c.db, spec)


def _queued_denyoom(c) -> bool:
    for argv in c.multi:
        s = lookup(argv)
        if s is not None and Flag.DENYOOM in s.flags:
            return True
    return False


def _script_wrote(e) -> bool:
    for rt in (e.lua, e.functions.rt if e.functions else None):
        if rt is not None and getattr(rt, "running", None) is not None:
            return bool(getattr(rt, "wrote", False))
    return False
