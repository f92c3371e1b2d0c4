"""Hashes: a ``dict`` subclass (field -> value, both bytes) with Redis 7.0's encoding flag.

Redis keeps small hashes in a listpack and converts them, one way, to a hashtable once
the hash has more than ``hash-max-listpack-entries`` fields or a field or value longer
than ``hash-max-listpack-value`` bytes is written.  We store a dict in both cases (a
listpack's insertion order is the dict's order, so HGETALL on a small hash replies in
Redis's order) and the encoding is the ``lp`` flag, flipped when a threshold fires.

Subclassing dict (instead of wrapping one) keeps the per-hash cost at one object and
lets HGET/HSET call the C dict methods directly.  A ``Hash`` is never a reply value:
commands return ``dict(h)`` / ``list(h)`` (the codec only encodes exact ``dict``s).
"""
from __future__ import annotations

ENTRIES = "hash-max-listpack-entries"
VALUE = "hash-max-listpack-value"


class Hash(dict):
    # lp: listpack-encoded (else hashtable).  pool: a list of fields for O(1) random
    # picks (HRANDFIELD), a superset of the live fields; None after a field is added.
    __slots__ = ("lp", "pool", "mem", "msamp")      # mem, msamp: engine.memory's model
    TYPE_NAME = b"hash"

    def __init__(self, *args):
        dict.__init__(self, *args)
        self.lp = True
        self.pool = None
        self.mem = 0
        self.msamp = None

    def encoding(self, config) -> bytes:
        return b"listpack" if self.lp else b"hashtable"

    def copy(self) -> "Hash":
        """COPY: same fields, same encoding (Redis's hashTypeDup)."""
        h = Hash(self)
        h.lp = self.lp
        return h

    def put(self, field: bytes, value: bytes, cfg: dict) -> bool:
        """Redis's hashTypeSet: set a field; True when the field is new.  ``cfg`` is the
        config's values dict (thresholds are read at write time)."""
        if self.lp:
            limit = cfg[VALUE]
            if len(field) > limit or len(value) > limit:
                self.lp = False
        n = len(self)
        self[field] = value
        if len(self) == n:
            return False
        self.pool = None
        if self.lp and len(self) > cfg[ENTRIES]:
            self.lp = False
        return True

    @classmethod
    def from_pairs(cls, pairs, cfg: dict) -> "Hash":
        """A hash built from (field, value) pairs (RESTORE, RDB loading): listpack when
        within the thresholds, as Redis decides when it loads one."""
        h = cls(pairs)
        if len(h) > cfg[ENTRIES]:
            h.lp = False
        else:
            limit = cfg[VALUE]
            h.lp = all(len(f) <= limit and len(v) <= limit for f, v in h.items())
        return h

    def random_field(self, rng) -> bytes:
        """A uniformly random field of a non-empty hash, O(1) amortised (see ``pool``)."""
        return random_pick(self, rng)


def random_pick(coll, rng, pop: bool = False):
    """A uniformly random member of a non-empty dict/set subclass with a ``pool`` slot
    (``pop``, sets only: also remove it, SPOP).  The pool holds every live member (adds reset it to
    None) plus members removed since it was built; a stale pick is swap-removed and
    retried, so the cost is amortised over the removals.  Rebuilt when it is more than
    twice the collection."""
    pool = coll.pool
    if pool is None or len(pool) > 2 * len(coll) + 16:
        pool = coll.pool = list(coll)
    random = rng.random
    while True:
        i = int(random() * len(pool))
        m = pool[i]
        live = m in coll
        if pop or not live:
            last = pool.pop()
            if i < len(pool):
                pool[i] = last
        if live:
            if pop:
                coll.discard(m)                 # sets only (SPOP)
            return m


def exact_pool(coll) -> list:
    """The pool with exactly the live members (for sampling many at once)."""
    pool = coll.pool
    if pool is None or len(pool) != len(coll):
        pool = coll.pool = list(coll)
    return pool
