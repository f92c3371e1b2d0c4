"""Sorted sets: a dict member -> score plus an ``Order`` of (score, member) keys.

Redis orders by score, then by member bytes (memcmp); Python's tuple comparison of
(float, bytes) gives exactly that order, -0.0 == 0.0 included.  ``Order`` is a sorted
list of sorted sublists (the "sorted list of sorted lists" layout): insert, delete and
search cost a bisection over the sublists' last keys plus one inside a sublist (memmove of
at most 2*LOAD pointers), and a Fenwick tree over the sublist lengths turns rank into
position and back in O(log n).

Redis 7.0 has two encodings: ``listpack`` while the set is small (at most
zset-max-listpack-entries members of at most zset-max-listpack-value bytes), then
``skiplist`` for good; ``ZSet.big`` is that one-way flag.  A listpack stores an integral
score as an integer, so -0.0 reads back as 0 there: ``insert``/``update`` normalise it
while the set is small, and ``scan_score`` prints what ZSCAN prints for each encoding.
"""
from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from itertools import chain
from operator import itemgetter

LOAD = 1000            # sublist size after a split; a sublist splits past 2*LOAD
_MAX = 2 * LOAD
_MIN = LOAD // 2       # a sublist shorter than this merges with a neighbour
_member = itemgetter(1)
ENTRIES = "zset-max-listpack-entries"
VALUE = "zset-max-listpack-value"


class _Top:
    """Greater than every member: (score, TOP) sorts after every key with that score."""
    __slots__ = ()

    def __lt__(self, other):
        return False

    def __le__(self, other):
        return self is other

    def __gt__(self, other):
        return self is not other

    def __ge__(self, other):
        return True

    def __eq__(self, other):
        return self is other

    __hash__ = object.__hash__


TOP = _Top()


class Order:
    """Unique sortable keys in ascending order, with positions (ranks)."""
    __slots__ = ("lists", "maxes", "n", "_fen")

    def __init__(self, keys=None):
        """``keys``: an optional list already sorted and without duplicates."""
        self.lists: list = []
        self.maxes: list = []      # last key of each sublist
        self.n = 0
        self._fen = None           # Fenwick tree over sublist lengths, None = stale
        if keys:
            self.lists = [keys[i:i + LOAD] for i in range(0, len(keys), LOAD)]
            self.maxes = [sub[-1] for sub in self.lists]
            self.n = len(keys)

    def __len__(self):
        return self.n

    def __iter__(self):
        return chain.from_iterable(self.lists)

    def __reversed__(self):
        return chain.from_iterable(map(reversed, reversed(self.lists)))

    def copy(self) -> "Order":
        o = Order()
        o.lists = [sub[:] for sub in self.lists]
        o.maxes = self.maxes[:]
        o.n = self.n
        return o

    def clear(self):
        self.lists = []
        self.maxes = []
        self.n = 0
        self._fen = None

    # ------------------------------------------------------------ insert / delete
    def add(self, key):
        maxes = self.maxes
        if maxes:
            pos = bisect_left(maxes, key)
            if pos == len(maxes):
                pos -= 1
                sub = self.lists[pos]
                sub.append(key)
                maxes[pos] = key
            else:
                sub = self.lists[pos]
                insort(sub, key)
            if len(sub) > _MAX:
                self._split(pos)
            elif self._fen is not None:
                self._fen_add(pos, 1)
        else:
            self.lists.append([key])
            maxes.append(key)
            self._fen = None
        self.n += 1

    def remove(self, key):
        """Remove a key that is present."""
        maxes = self.maxes
        pos = bisect_left(maxes, key)
        sub = self.lists[pos]
        i = bisect_left(sub, key)
        del sub[i]
        self.n -= 1
        if not sub:
            del self.lists[pos]
            del maxes[pos]
            self._fen = None
            return
        if i == len(sub):
            maxes[pos] = sub[-1]
        if len(sub) < _MIN and len(maxes) > 1:
            self._merge(pos)
        elif self._fen is not None:
            self._fen_add(pos, -1)

    def _split(self, pos):
        sub = self.lists[pos]
        half = len(sub) >> 1
        right = sub[half:]
        del sub[half:]
        self.lists.insert(pos + 1, right)
        self.maxes[pos] = sub[-1]
        self.maxes.insert(pos + 1, right[-1])
        self._fen = None

    def _merge(self, pos):
        """Merge sublist ``pos`` into a neighbour (then split if it grew too long)."""
        lists = self.lists
        if pos == 0:
            pos = 1
        left = lists[pos - 1]
        left.extend(lists[pos])
        del lists[pos]
        del self.maxes[pos]
        self.maxes[pos - 1] = left[-1]
        self._fen = None
        if len(left) > _MAX:
            self._split(pos - 1)

    def del_range(self, start: int, stop: int) -> list:
        """Remove and return the keys at positions [start, stop)."""
        out = self.slice(start, stop)
        k = len(out)
        if k == self.n:
            self.clear()
            return out
        if k <= 8:                      # keep the layout (and the tree) for a few keys
            for key in out:
                self.remove(key)
            return out
        lists, maxes = self.lists, self.maxes
        pos, i = self.locate(start)
        left = k
        while left:
            sub = lists[pos]
            take = min(len(sub) - i, left)
            del sub[i:i + take]
            left -= take
            if sub:
                maxes[pos] = sub[-1]
                pos += 1
            else:
                del lists[pos]
                del maxes[pos]
            i = 0
        self.n -= k
        self._fen = None
        for p in (pos, pos - 1):        # the sublists at the cut may be short now
            if 0 <= p < len(lists) and len(lists) > 1 and len(lists[p]) < _MIN:
                self._merge(p)
                break
        return out

    # ------------------------------------------------------------ positions
    def _tree(self) -> list:
        fen = self._fen
        if fen is None:
            lists = self.lists
            m = len(lists)
            fen = [0] * (m + 1)
            for i in range(1, m + 1):
                fen[i] += len(lists[i - 1])
                j = i + (i & -i)
                if j <= m:
                    fen[j] += fen[i]
            self._fen = fen
        return fen

    def _fen_add(self, pos: int, d: int):
        fen = self._fen
        m = len(fen) - 1
        i = pos + 1
        while i <= m:
            fen[i] += d
            i += i & -i

    def _before(self, pos: int) -> int:
        """How many keys the sublists before ``pos`` hold."""
        if pos == 0:
            return 0
        if pos == len(self.lists):
            return self.n
        fen = self._tree()
        s = 0
        while pos:
            s += fen[pos]
            pos &= pos - 1
        return s

    def locate(self, idx: int) -> tuple[int, int]:
        """(sublist, offset) of position ``idx`` (0 <= idx < n)."""
        lists = self.lists
        first = len(lists[0])
        if idx < first:
            return 0, idx
        tail = self.n - len(lists[-1])
        if idx >= tail:
            return len(lists) - 1, idx - tail
        fen = self._tree()
        m = len(fen) - 1
        pos = 0
        step = 1 << (m.bit_length() - 1)
        while step:
            nxt = pos + step
            if nxt <= m and fen[nxt] <= idx:
                idx -= fen[nxt]
                pos = nxt
            step >>= 1
        return pos, idx

    def __getitem__(self, idx: int):
        pos, i = self.locate(idx)
        return self.lists[pos][i]

    def rank(self, key) -> int:
        """Position of a key that is present."""
        pos = bisect_left(self.maxes, key)
        return self._before(pos) + bisect_left(self.lists[pos], key)

    def bisect_left(self, key) -> int:
        """How many keys are < key."""
        maxes = self.maxes
        pos = bisect_left(maxes, key)
        if pos == len(maxes):
            return self.n
        return self._before(pos) + bisect_left(self.lists[pos], key)

    def bisect_right(self, key) -> int:
        """How many keys are <= key."""
        maxes = self.maxes
        pos = bisect_right(maxes, key)
        if pos == len(maxes):
            return self.n
        return self._before(pos) + bisect_right(self.lists[pos], key)

    def bisect_member(self, member: bytes, right: bool) -> int:
        """Like bisect_left/right comparing members only (lex ranges assume one score)."""
        fn = bisect_right if right else bisect_left
        maxes = self.maxes
        pos = fn(maxes, member, key=_member)
        if pos == len(maxes):
            return self.n
        return self._before(pos) + fn(self.lists[pos], member, key=_member)

    def slice(self, start: int, stop: int) -> list:
        """The keys at positions [start, stop) (bounds already within 0..n)."""
        count = stop - start
        if count <= 0:
            return []
        lists = self.lists
        pos, i = self.locate(start)
        out = lists[pos][i:i + count]
        while len(out) < count:
            pos += 1
            out += lists[pos][:count - len(out)]
        return out


class ZSet:
    """``scores``: member -> score; ``order``: the same pairs as (score, member) keys."""
    __slots__ = ("scores", "order", "big")
    TYPE_NAME = b"zset"

    def __init__(self, big: bool = False):
        self.scores: dict = {}
        self.order = Order()
        self.big = big

    def encoding(self, config) -> bytes:
        return b"skiplist" if self.big else b"listpack"

    def __len__(self):
        return len(self.scores)

    def __contains__(self, member):
        return member in self.scores

    def copy(self) -> "ZSet":
        z = ZSet(self.big)
        z.scores = self.scores.copy()
        z.order = self.order.copy()
        return z

    # ------------------------------------------------------------ writes
    def insert(self, member: bytes, score: float):
        """Add a member that is not present (the caller decided the encoding)."""
        if score == 0 and not self.big:
            score = 0.0                  # a listpack keeps 0 as an integer: no -0
        self.scores[member] = score
        self.order.add((score, member))

    def update(self, member: bytes, old: float, new: float):
        """Change a present member's score (old != new)."""
        if new == 0 and not self.big:
            new = 0.0
        self.order.remove((old, member))
        self.scores[member] = new
        self.order.add((new, member))

    def remove(self, member: bytes) -> bool:
        score = self.scores.pop(member, None)
        if score is None:
            return False
        self.order.remove((score, member))
        return True

    def add(self, member: bytes, score: float, cfg) -> int:
        """zsetAdd without flags: 1 when added, 0 when updated or unchanged; converts
        to skiplist as Redis does.  ``cfg``: the engine's Config."""
        old = self.scores.get(member)
        if old is None:
            if not self.big and (len(self.scores) >= cfg[ENTRIES]
                                 or len(member) > cfg[VALUE]):
                self.big = True
            self.insert(member, score)
            return 1
        if old != score:
            self.update(member, old, score)
        return 0

    def del_range(self, start: int, stop: int) -> list:
        """Remove positions [start, stop); returns their (score, member) keys."""
        keys = self.order.del_range(start, stop)
        scores = self.scores
        for _, m in keys:
            del scores[m]
        return keys

    # ------------------------------------------------------------ building
    @classmethod
    def new_for(cls, first_member: bytes, cfg) -> "ZSet":
        """An empty set as ZADD creates it: skiplist when entries is 0 or the first
        member is already too long for a listpack."""
        return cls(cfg[ENTRIES] == 0 or len(first_member) > cfg[VALUE])

    @classmethod
    def from_scores(cls, scores: dict, cfg, keys=None) -> "ZSet":
        """A set holding ``scores`` with the encoding of a store result (ZUNIONSTORE,
        ZRANGESTORE...): listpack when it fits.  ``keys``: the sorted keys if known."""
        z = cls()
        n = len(scores)
        z.big = n > cfg[ENTRIES] or (n > 0 and max(map(len, scores)) > cfg[VALUE])
        if not z.big:
            for m, s in scores.items():
                if s == 0:
                    scores[m] = 0.0
            keys = None
        z.scores = scores
        if keys is None:
            keys = sorted(zip(scores.values(), scores))
        z.order = Order(keys)
        return z

    # ------------------------------------------------------------ reading
    def items(self):
        """(member, score) pairs in ascending order."""
        for s, m in self.order:
            yield m, s

    def range_by_score(self, lo: float, lo_ex: bool, hi: float, hi_ex: bool):
        """[start, stop) positions of the scores within the bounds."""
        o = self.order
        start = o.bisect_right((lo, TOP)) if lo_ex else o.bisect_left((lo,))
        stop = o.bisect_left((hi,)) if hi_ex else o.bisect_right((hi, TOP))
        return start, max(start, stop)

    def range_by_lex(self, lo, hi):
        """[start, stop) positions of the members within lex bounds; a bound is
        (member, exclusive) or MIN/MAX."""
        o = self.order
        if lo is MIN:
            start = 0
        elif lo is MAX:
            start = o.n
        else:
            start = o.bisect_member(lo[0], lo[1])
        if hi is MAX:
            stop = o.n
        elif hi is MIN:
            stop = 0
        else:
            stop = o.bisect_member(hi[0], not hi[1])
        return start, max(start, stop)

    def scan_score(self, score: float) -> bytes:
        """A score as ZSCAN prints it: a listpack holds integral scores within
        +-2^62 as integers; everything else prints with %.17g."""
        if not self.big and score == score // 1 and -4611686018427387904.0 <= score \
                <= 4611686018427387904.0:
            return b"%d" % score
        return format_score(score)


MIN = "-"      # lex bound sentinels
MAX = "+"


def format_score(d: float) -> bytes:
    """%.17g, with inf/-inf spelled as Redis does."""
    if d == _INF:
        return b"inf"
    if d == -_INF:
        return b"-inf"
    return b"%.17g" % d


_INF = float("inf")
