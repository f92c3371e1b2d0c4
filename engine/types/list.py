"""Lists: a ``collections.deque`` subclass of bytes elements.

A deque gives O(1) pushes and pops at both ends (what LPUSH/RPOP/BLPOP need) and
C-speed iteration, ``index``, ``rotate`` and ``islice``; positional access (LINDEX,
LSET, LINSERT) walks 64-slot blocks from the nearer end, O(n) like Redis's quicklist.
Subclassing (instead of wrapping a deque) keeps a list at one object and lets the hot
commands call the C methods directly.  A ``List`` is never a reply value: commands
return plain ``list``s.

Encoding: Redis 7.0 always reports ``quicklist`` for a list (the listpack encoding of
small lists arrived in 7.2; checked against redis-server 7.0.15, whatever
``list-max-listpack-size`` says -- that setting only sizes the quicklist's nodes).
"""
from __future__ import annotations

from collections import deque
from itertools import islice


class List(deque):
    __slots__ = ("mem", "msamp")       # engine.memory's model: charged bytes, size sample
    TYPE_NAME = b"list"

    def __init__(self, *args):
        deque.__init__(self, *args)
        self.mem = 0
        self.msamp = None

    def encoding(self, config) -> bytes:
        return b"quicklist"

    def copy(self) -> "List":
        """COPY / RESTORE: an independent list with the same elements."""
        return List(self)

    def range(self, start: int, end: int) -> list:
        """Elements start..end inclusive, indexes already clamped to the list
        (0 <= start <= end < len).  Walks from the nearer end, so a range at the tail
        of a long list costs its own length, not the list's."""
        n = len(self)
        if start > n - 1 - end:          # closer to the tail
            out = list(islice(reversed(self), n - 1 - end, n - start))
            out.reverse()
            return out
        return list(islice(self, start, end + 1))

    def range_reversed(self, start: int, end: int) -> list:
        """Like range() but in tail-to-head order (RPOP with a count)."""
        out = self.range(start, end)
        out.reverse()
        return out
