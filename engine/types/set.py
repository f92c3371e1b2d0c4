"""Sets: a ``set`` subclass of bytes members with Redis 7.0's encoding flag.

Redis 7.0 has two set encodings (the listpack one arrived in 7.2): ``intset`` while every
member is a canonical 64-bit integer (string2ll rules) and there are at most
``set-max-intset-entries`` of them, else ``hashtable``; the conversion is one way, except
that SPOP with a count close to the size rebuilds the remaining set (as Redis does).
Members are stored as the bytes clients sent (a canonical integer's bytes are its text),
so an intset's order (ascending numbers) is recovered by sorting on output.

Code that adds members must reset ``pool`` to None (see engine.types.hash.random_pick).
"""
from __future__ import annotations

from engine.parsing import to_int

from .hash import exact_pool, random_pick

MAX_INTSET = "set-max-intset-entries"
INTSET_HARD_LIMIT = 1 << 30          # Redis caps set-max-intset-entries here


def _int_key(m: bytes) -> int:
    return int(m)


class Set(set):
    __slots__ = ("intset", "pool", "mem", "msamp")  # mem, msamp: engine.memory's model
    TYPE_NAME = b"set"

    def __init__(self, members=(), intset: bool = True):
        set.__init__(self, members)
        self.intset = intset
        self.pool = None
        self.mem = 0
        self.msamp = None

    def encoding(self, config) -> bytes:
        return b"intset" if self.intset else b"hashtable"

    def copy(self) -> "Set":
        """COPY: same members, same encoding (Redis's setTypeDup)."""
        return Set(self, self.intset)

    def add_members(self, members, cfg: dict) -> int:
        """Redis's setTypeAdd over several members; returns how many were new."""
        n = len(self)
        if self.intset:
            for m in members:
                if to_int(m) is None:
                    self.intset = False
                    break
        if len(members) == 1:
            self.add(members[0])
        else:
            self.update(members)
        added = len(self) - n
        if added:
            self.pool = None
            if self.intset and len(self) > min(cfg[MAX_INTSET], INTSET_HARD_LIMIT):
                self.intset = False
        return added

    def ordered(self) -> list:
        """Members in Redis's iteration order where it is defined: ascending numbers
        for an intset; a hashtable's order is unspecified (ours is the set's)."""
        if self.intset:
            return sorted(self, key=_int_key)
        return list(self)

    def random_member(self, rng) -> bytes:
        return random_pick(self, rng)

    def pop_random(self, rng) -> bytes:
        """Remove and return a random member (SPOP), O(1) amortised."""
        return random_pick(self, rng, pop=True)

    def exact_pool(self) -> list:
        return exact_pool(self)

    @classmethod
    def build(cls, members, cfg: dict) -> "Set":
        """A fresh set holding ``members`` with the encoding Redis would give a set
        built by adding them one by one to an intset (SINTERSTORE, SUNIONSTORE,
        SDIFFSTORE, RESTORE, RDB loading)."""
        s = cls(members)
        s.intset = fits_intset(s, cfg)
        return s


def fits_intset(members, cfg: dict) -> bool:
    """True when ``members`` (a sized collection) could be an intset."""
    if len(members) > min(cfg[MAX_INTSET], INTSET_HARD_LIMIT):
        return False
    for m in members:
        if to_int(m) is None:
            return False
    return True


def sorted_if_intset(members, cfg: dict) -> list:
    """A result set's reply order: Redis builds SUNION/SDIFF (and SPOP/SRANDMEMBER of
    a whole set) through a fresh intset, so an integer-only result comes out sorted."""
    if fits_intset(members, cfg):
        return sorted(members, key=_int_key)
    return list(members)
