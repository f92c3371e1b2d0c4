"""Blocked clients (Redis's blocked.c): BLPOP & co, BZPOPMIN & co, XREAD BLOCK, ...

Generic over types: a blocked client is a ``Blocked`` record listing the keys it waits on
(per (db, key) FIFO queues), an optional deadline, a ``serve(c, key, rec)`` callback that
tries to satisfy it from ``key`` (returning the reply, or NOT_SERVED to keep waiting) and
the reply a timeout gives.

Readiness: while anybody is blocked, a write listener marks every written key somebody
waits on as ready (LPUSH, LMOVE's destination, RENAME, MOVE, RESTORE, SORT STORE ... all
end in ``Client.written``).  After each top-level command (not inside EXEC or a script)
the engine calls ``handle_ready_keys``: per ready key, waiters are tried in the order they
blocked, each against the key's current value (so a key deleted, renamed or replaced by
another type keeps its waiters blocked until a push of the right type), until the key is
gone.  A served pop is propagated in its non-blocking form (BLPOP -> LPOP, BLMOVE ->
LMOVE), as ``serve`` rewrites it.

Replies go out through ``Client.unblock_hook`` (netserver writes the reply, then runs the
commands the client pipelined meanwhile).  Hooks run after the serving loop, never inside
it, so a resumed client's commands (which may push, pop or block again) see a consistent
state; what they make ready is served in turn.

Timeouts: a heap of deadlines (ms).  The server arms one exact timer for the earliest
(``timer_hook``) and the cron calls ``Engine.blocking_timeouts`` as a safety net.
"""
from __future__ import annotations

import heapq
from collections import deque
from decimal import Decimal, InvalidOperation

from .errors import RedisError
from .parsing import to_int
from .replies import NO_REPLY, NULL_ARRAY

LLONG_MAX = 2**63 - 1
TIMEOUT_NOT_FLOAT = RedisError("ERR timeout is not a float or out of range")
TIMEOUT_NOT_INTEGER = RedisError("ERR timeout is not an integer or out of range")
TIMEOUT_NEGATIVE = RedisError("ERR timeout is negative")
UNBLOCKED = RedisError("UNBLOCKED client unblocked via CLIENT UNBLOCK")

_WS = b" \t\n\v\f\r"
_LDBL_MAX = Decimal("1.18973149535723176502e+4932")       # x87 long double range
_LDBL_TRUE_MIN = Decimal("3.64519953188247460253e-4951")
_WAKE = (-1, b"")          # a ready "key" nobody waits on: makes the engine drain hooks


class _NotServed:
    __slots__ = ()

    def __repr__(self):
        return "NOT_SERVED"


NOT_SERVED = _NotServed()


# ---------------------------------------------------------------------- timeouts
def strtold(b: bytes):
    """Redis's string2ld (strtold): a float or None.  Hex floats are accepted; values
    beyond a double but inside a long double come back as inf / 0.0, values beyond a
    long double (ERANGE) are rejected, as are NaN and surrounding spaces."""
    if not b or len(b) >= 5120 or b[0] in _WS or b[-1] in _WS or b"_" in b:
        return None
    try:
        v = float(b)
    except ValueError:
        body = b.lstrip(b"+-")
        if body[:2].lower() != b"0x":
            return None
        try:
            v = float.fromhex(b.decode("ascii"))
        except (ValueError, OverflowError, UnicodeDecodeError):
            return None
    if v != v:
        return None
    if v == 0.0 or v in (float("inf"), float("-inf")):
        if v != 0.0 and b.lstrip(b"+-").lower() in (b"inf", b"infinity"):
            return v
        try:                      # outside a double: judge by long double's range
            d = abs(Decimal(b.decode("ascii")))
        except (InvalidOperation, UnicodeDecodeError, ValueError):
            return v
        if d > _LDBL_MAX or (d != 0 and d < _LDBL_TRUE_MIN):
            return None
    return v


def parse_timeout(c, arg: bytes, seconds: bool = True) -> int:
    """getTimeoutFromObjectOrReply: 0 (wait forever) or an absolute deadline in ms.
    ``seconds``: a float number of seconds (BLPOP, BZPOPMIN...), else integer ms
    (XREAD BLOCK).  Redis truncates to whole ms, so 0.0001 means forever."""
    if seconds:
        v = strtold(arg)
        if v is None:
            raise TIMEOUT_NOT_FLOAT
        ms = v * 1000.0
        # C's (long long) cast of an out-of-range double yields LLONG_MIN on x86
        tval = int(ms) if -2.0**63 <= ms < 2.0**63 else -2**63
    else:
        tval = to_int(arg)
        if tval is None:
            raise TIMEOUT_NOT_INTEGER
    if tval < 0:
        raise TIMEOUT_NEGATIVE
    if tval == 0:
        return 0
    return min(c.engine.now_ms + tval, LLONG_MAX)    # Redis overflows: "forever" here


def may_block(c) -> bool:
    """Redis's CLIENT_DENY_BLOCKING: inside MULTI/EXEC or a script (and for a client
    nobody could wake, one without an unblock hook) a blocking command answers at once."""
    return (c.multi is None and c.engine.exec_buffer is None
            and c.unblock_hook is not None and not getattr(c, "is_script", False))


# ---------------------------------------------------------------------- records
class Blocked:
    """One blocked client: what it waits on and how to serve it."""
    __slots__ = ("client", "db", "keys", "deadline", "serve", "timeout_reply", "data")

    def __init__(self, client, db, keys, deadline, serve, timeout_reply, data):
        self.client = client
        self.db = db
        self.keys = keys
        self.deadline = deadline
        self.serve = serve
        self.timeout_reply = timeout_reply
        self.data = data


def block(c, keys, deadline: int, serve, timeout_reply=NULL_ARRAY, data=None):
    """Block ``c`` on ``keys`` (of its current db) until ``serve`` succeeds, the
    deadline (absolute ms, 0 = never) passes or CLIENT UNBLOCK.  Returns the value the
    command returns: NO_REPLY, or ``timeout_reply`` at once when the client may not
    block (MULTI, scripts)."""
    if not may_block(c):
        return timeout_reply
    c.engine.blocking.add(Blocked(c, c.db, list(dict.fromkeys(keys)), deadline, serve,
                                  timeout_reply, data))
    return NO_REPLY


def block_zset(c, keys, pop_max, count, nested, deadline):
    """BZPOPMIN/BZPOPMAX/BZMPOP: wait for a sorted set (engine.cmds.zset serves)."""
    return block(c, keys, deadline, _serve_zset, NULL_ARRAY, (pop_max, count, nested))


def _serve_zset(c, key, rec):
    from .cmds.zset import zpop
    from .types.zset import ZSet
    z = c.db.get(key)
    if z is None or z.__class__ is not ZSet or not z:
        return NOT_SERVED
    pop_max, count, nested = rec.data
    n = len(z)
    reply = zpop(c, (key,), pop_max, True, count, nested, True)
    name = b"ZPOPMAX" if pop_max else b"ZPOPMIN"
    if count == -1:
        c.rewrite(name, key)
    else:                               # replicated with the count actually popped
        c.rewrite(name, key, b"%d" % min(count, n))
    return reply


# ---------------------------------------------------------------------- the registry
class Blocking:
    """The engine's table of blocked clients (``engine.blocking``)."""

    def __init__(self, engine):
        self.engine = engine
        self.waiting: dict = {}       # (dbid, key) -> {Blocked: None}, in blocking order
        self.ready: dict = {}         # (dbid, key) -> None: keys written since last served
        self.heap: list = []          # (deadline, seq, Blocked); stale once unblocked
        self.unblocked = deque()      # (client, reply) whose hook is still to run
        self.count = 0                # blocked clients (INFO blocked_clients)
        self.timed = 0                # ... of them with a deadline (clients_in_timeout_table)
        self.timer_hook = None        # netserver: arm(deadline_ms) an exact timer
        self._seq = 0
        self._serving = False
        self._draining = False
        self._listening = False

    # ------------------------------------------------------------------ registration
    def add(self, rec: Blocked):
        c = rec.client
        dbid = rec.db.id
        waiting = self.waiting
        for key in rec.keys:
            w = waiting.get((dbid, key))
            if w is None:
                w = waiting[(dbid, key)] = {}
            w[rec] = None
        c.blocked = rec
        self.count += 1
        if rec.deadline:
            self.timed += 1
            self._seq += 1
            heapq.heappush(self.heap, (rec.deadline, self._seq, rec))
            if len(self.heap) > 2 * self.count + 64:        # drop stale entries
                self.heap = [e for e in self.heap if e[2].client.blocked is e[2]]
                heapq.heapify(self.heap)
            if self.timer_hook is not None:
                self.timer_hook(rec.deadline)
        if not self._listening:
            self.engine.write_listeners.append(self._on_write)
            self._listening = True

    def _remove(self, rec: Blocked):
        rec.client.blocked = None
        self.count -= 1
        if rec.deadline:
            self.timed -= 1
        dbid = rec.db.id
        waiting = self.waiting
        for key in rec.keys:
            w = waiting.get((dbid, key))
            if w is not None:
                w.pop(rec, None)
                if not w:
                    del waiting[(dbid, key)]
        if not waiting and self._listening:
            self.engine.write_listeners.remove(self._on_write)
            self._listening = False

    def drop(self, c):
        """A blocked client disconnected: forget it, no reply."""
        rec = c.blocked
        if rec is not None:
            self._remove(rec)

    def unblock(self, c, reply) -> bool:
        """CLIENT UNBLOCK: end the wait with ``reply`` (its timeout reply, or an error).
        The reply goes out after the current command."""
        rec = c.blocked
        if rec is None:
            return False
        self._remove(rec)
        self.unblocked.append((c, rec.timeout_reply if reply is None else reply))
        self.ready[_WAKE] = None
        return True

    # ------------------------------------------------------------------ readiness
    def _on_write(self, db, key, event, kind, client):
        k = (db.id, key)
        if k in self.waiting:
            self.ready[k] = None

    def signal_key_as_ready(self, db, key: bytes):
        k = (db.id, key)
        if k in self.waiting:
            self.ready[k] = None

    def signal_db(self, db):
        """Every waited-on key of ``db`` that exists is ready (SWAPDB, FLUSHALL undo)."""
        for dbid, key in self.waiting:
            if dbid == db.id and key in db.data:
                self.ready[(dbid, key)] = None

    def handle_ready_keys(self):
        """Serve the clients blocked on keys made ready (Redis's
        handleClientsBlockedOnKeys), then run their hooks.  Called after each top-level
        command; a no-op inside EXEC or a script (served after it, as Redis does)."""
        if self._serving or self.engine.exec_buffer is not None:
            return
        ready = self.ready
        while ready or self.unblocked:
            if ready:
                self._serving = True
                try:
                    while ready:
                        batch = list(ready)
                        ready.clear()
                        for k in batch:
                            if k in self.waiting:
                                self._serve_key(k)
                finally:
                    self._serving = False
            if self._draining:
                return                  # an outer call is running hooks: it continues
            self._drain()

    def _serve_key(self, k):
        dbid, key = k
        data = self.engine.dbs[dbid].data
        for rec in list(self.waiting[k]):
            if rec.client.blocked is not rec:
                continue
            reply = self._attempt(rec, key)
            if reply is not NOT_SERVED:
                self._remove(rec)
                self.unblocked.append((rec.client, reply))
            if key not in data:         # popped empty (or never there): nobody else can be
                break

    def _attempt(self, rec: Blocked, key: bytes):
        """Run ``rec.serve`` as the blocked client; propagate what it rewrote."""
        c = rec.client
        e = self.engine
        dirty = e.dirty
        c.propagate_argv = None
        try:
            if e.snapshot_guard is not None:    # a BGSAVE keeps the pre-write values
                e.rdb.guard_blocked(c)
            reply = rec.serve(c, key, rec)
        except RedisError as err:          # e.g. BLMOVE's destination has another type
            e.stats.errors += 1
            reply = err
        except Exception:
            e.stats.errors += 1
            e.log_exception("serving a blocked client failed")
            reply = RedisError("ERR internal error while serving a blocked client")
        if e.dirty != dirty and c.propagate_argv is not None:
            e.propagate(c.db.id, c.propagate_argv)
        c.propagate_argv = None
        return reply

    def _drain(self):
        """Deliver the replies of unblocked clients (their hooks may run commands)."""
        self._draining = True
        try:
            unblocked = self.unblocked
            while unblocked:
                c, reply = unblocked.popleft()
                hook = c.unblock_hook
                if hook is None or c.closing:
                    continue
                try:
                    hook(reply)
                except Exception:
                    self.engine.log_exception("unblocking a client failed")
        finally:
            self._draining = False

    # ------------------------------------------------------------------ timeouts
    def timeouts(self, now_ms: int) -> int:
        """Time out every client whose deadline has passed; returns how many."""
        heap = self.heap
        n = 0
        while heap and heap[0][0] <= now_ms:
            rec = heapq.heappop(heap)[2]
            if rec.client.blocked is rec:
                self._remove(rec)
                self.unblocked.append((rec.client, rec.timeout_reply))
                n += 1
        if n:
            self.handle_ready_keys()
        return n

    def next_deadline(self):
        """The earliest pending deadline (ms) or None."""
        heap = self.heap
        while heap and heap[0][2].client.blocked is not heap[0][2]:
            heapq.heappop(heap)
        return heap[0][0] if heap else None
