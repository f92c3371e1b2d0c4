"""CLIENT PAUSE / UNPAUSE (Redis 7.0 semantics).

While a pause is in effect the commands it covers are not rejected: they wait.  The
dispatcher's gate hands such a command to ``postpone``, which blocks the client with a
keyless record in engine.blocking (so INFO blocked_clients, CLIENT LIST's ``b`` flag
and disconnects work as for BLPOP) and keeps the argv; the protocol queues whatever
the client sends meanwhile.  When the pause ends (CLIENT UNPAUSE, or its time is up:
checked by the gate and the cron) every postponed command runs again through the
whole dispatcher, in the order it arrived, after the current command; its reply goes
out through the client's unblock hook, then its queued commands run.

ALL pauses every command (CLIENT UNPAUSE included, as in Redis); WRITE pauses write
and may-replicate commands (EVAL, FCALL, PUBLISH...), an EXEC that queued one, and a
write being queued inside MULTI.  Replicas are never paused.  While any pause is in
effect keys do not expire (lazily they read as missing, but stay) and nothing is
evicted.
"""
from __future__ import annotations

from .blocking import _WAKE, Blocked
from .commands import Flag, lookup

ALL, WRITE = 2, 1
_WRITE_FLAGS = (Flag.WRITE, Flag.MAY_REPLICATE)


class _Rerun:
    """Stands in the blocking module's unblocked queue for a postponed client: its
    'unblock hook' runs the command again, then delivers the reply."""
    __slots__ = ("client", "argv")

    def __init__(self, client, argv):
        self.client = client
        self.argv = argv

    @property
    def closing(self) -> bool:
        return self.client.closing

    @property
    def unblock_hook(self):
        return self._run if self.client.unblock_hook is not None else None

    def _run(self, _reply):
        c = self.client
        reply = c.engine.execute(c, self.argv)
        if c.blocked is None and c.unblock_hook is not None:
            c.unblock_hook(reply)


def _writes(spec) -> bool:
    f = spec.flags
    return Flag.WRITE in f or Flag.MAY_REPLICATE in f


class Pause:
    """The engine's pause state (``engine.pause``)."""

    def __init__(self, engine):
        self.engine = engine
        self.kind = 0                 # 0 none, WRITE, ALL
        self.end = 0                  # absolute ms
        self.postponed: list = []     # Blocked records, in arrival order

    # ------------------------------------------------------------------ state
    def active(self) -> bool:
        """A pause is in effect now (ending it when its time is up)."""
        if not self.kind:
            return False
        if self.end < self.engine.now_ms:
            self.unpause()
            return False
        return True

    def blocks_eviction(self) -> bool:
        return bool(self.kind) and self.active()

    def pause(self, end_ms: int, kind: int):
        """pauseClients: the stronger type and the later end win."""
        self.kind = max(self.kind, kind)
        self.end = max(self.end, end_ms)
        self._hold(True)
        self.engine.update_gate()

    def unpause(self):
        self.kind = 0
        self.end = 0
        self._hold(False)
        e = self.engine
        e.update_gate()
        blocking = e.blocking
        recs, self.postponed = self.postponed, []
        for rec in recs:
            if rec.client.blocked is rec:
                blocking._remove(rec)
                blocking.unblocked.append((_Rerun(rec.client, rec.data), None))
        if recs:
            blocking.ready[_WAKE] = None       # the engine runs them after this command

    def _hold(self, on: bool):
        for db in self.engine.dbs:
            db.hold_expire = on

    # ------------------------------------------------------------------ the gate
    def applies(self, c, spec) -> bool:
        """Does the pause in effect hold this command back?"""
        if "S" in c.flags:                       # replicas are never paused
            return False
        if self.kind == ALL:
            return True
        if _writes(spec):
            return True
        if spec.name == "exec" and c.multi:
            for argv in c.multi:
                s = lookup(argv)
                if s is not None and _writes(s):
                    return True
        return False

    def postpone(self, c, spec, argv):
        c.cmd = spec                             # CLIENT LIST shows what it waits to run
        rec = Blocked(c, c.db, [], 0, None, None, argv)
        self.engine.blocking.add(rec)
        self.postponed.append(rec)

    def cron(self):
        if self.kind and not self.active():
            self.engine.blocking.handle_ready_keys()
