"""Sorted sets: a dict member -> score plus an ``Order`` of (score, member) pairs.

Redis orders by score, then by member bytes (memcmp, which is how Python compares
bytes), with -0.0 == 0.0.  ``Order`` is a sorted list of sorted sublists (the "sorted
list of sorted lists" layout), each sublist kept as two parallel sequences: the scores
in an ``array('d')`` (contiguous doubles: cache-friendly bisection, 8 bytes a member)
and the members in a list.  Ties on a score are broken by bisecting the members over
the equal-score run.  Insert, delete and search cost a bisection over the sublists' last
keys plus one inside a sublist (a memmove of at most 2*LOAD slots), and a Fenwick tree
over the sublist lengths turns rank into position and back in O(log n).

Redis 7.0 has two encodings: ``listpack`` while the set is small (at most
zset-max-listpack-entries members of at most zset-max-listpack-value bytes), then
``skiplist`` for good; ``ZSet.big`` is that one-way flag.  A listpack stores an integral
score as an integer, so -0.0 reads back as 0 there: ``insert``/``update`` normalise it
while the set is small, and ``scan_score`` prints what ZSCAN prints for each encoding.
"""
from __future__ import annotations

from array import array
from bisect import bisect_left, bisect_right
from itertools import chain

LOAD = 1000            # sublist size after a split; a sublist splits past 2*LOAD
_MAX = 2 * LOAD
_MIN = LOAD // 2       # a sublist shorter than this merges with a neighbour
ENTRIES = "zset-max-listpack-entries"
VALUE = "zset-max-listpack-value"


def _rev_pairs(fl, ml):
    return zip(reversed(fl), reversed(ml))


class Order:
    """Unique (score, member) pairs in ascending order, with positions (ranks)."""
    __slots__ = ("fls", "mls", "mxs", "mxm", "n", "_fen")

    def __init__(self, pairs=None):
        """``pairs``: an optional list of (score, member), sorted, without duplicates."""
        self.fls: list = []        # per sublist: array('d') of scores
        self.mls: list = []        # per sublist: list of members
        self.mxs = array("d")      # last score of each sublist
        self.mxm: list = []        # last member of each sublist
        self.n = 0
        self._fen = None           # Fenwick tree over sublist lengths, None = stale
        if pairs:
            for i in range(0, len(pairs), LOAD):
                chunk = pairs[i:i + LOAD]
                self.fls.append(array("d", [p[0] for p in chunk]))
                self.mls.append([p[1] for p in chunk])
                self.mxs.append(chunk[-1][0])
                self.mxm.append(chunk[-1][1])
            self.n = len(pairs)

    def __len__(self):
        return self.n

    def __iter__(self):
        return chain.from_iterable(map(zip, self.fls, self.mls))

    def __reversed__(self):
        return chain.from_iterable(map(_rev_pairs, reversed(self.fls), reversed(self.mls)))

    def copy(self) -> "Order":
        o = Order()
        o.fls = [array("d", fl) for fl in self.fls]
        o.mls = [ml[:] for ml in self.mls]
        o.mxs = array("d", self.mxs)
        o.mxm = self.mxm[:]
        o.n = self.n
        return o

    def clear(self):
        self.fls = []
        self.mls = []
        self.mxs = array("d")
        self.mxm = []
        self.n = 0
        self._fen = None

    # ------------------------------------------------------------ insert / delete
    def add(self, s: float, m: bytes):
        """Insert a pair that is not present."""
        mxs = self.mxs
        k = len(mxs)
        if k > 1:
            pos = bisect_left(mxs, s)
            if pos < k and mxs[pos] == s:
                pos = bisect_left(self.mxm, m, pos, bisect_right(mxs, s, pos))
            if pos == k:                 # past every key: goes to the last sublist
                pos -= 1
        elif k:
            pos = 0
        else:
            self.fls.append(array("d", (s,)))
            self.mls.append([m])
            mxs.append(s)
            self.mxm.append(m)
            self._fen = None
            self.n = 1
            return
        fl = self.fls[pos]
        ml = self.mls[pos]
        i = bisect_left(fl, s)
        if i < len(fl) and fl[i] == s:
            i = bisect_left(ml, m, i, bisect_right(fl, s, i))
        if i == len(ml):
            fl.append(s)
            ml.append(m)
            mxs[pos] = s
            self.mxm[pos] = m
        else:
            fl.insert(i, s)
            ml.insert(i, m)
        self.n += 1
        if len(ml) > _MAX:
            self._split(pos)
        elif self._fen is not None:
            self._fen_add(pos, 1)

    def remove(self, s: float, m: bytes):
        """Remove a pair that is present."""
        mxs = self.mxs
        if len(mxs) > 1:
            pos = bisect_left(mxs, s)
            if mxs[pos] == s:
                pos = bisect_left(self.mxm, m, pos, bisect_right(mxs, s, pos))
        else:
            pos = 0
        fl = self.fls[pos]
        ml = self.mls[pos]
        i = bisect_left(fl, s)
        if ml[i] != m:
            i = bisect_left(ml, m, i, bisect_right(fl, s, i))
        self._remove_at(pos, fl, ml, i)

    def _remove_at(self, pos, fl, ml, i):
        mxs = self.mxs
        del fl[i]
        del ml[i]
        self.n -= 1
        if not ml:
            del self.fls[pos], self.mls[pos], mxs[pos], self.mxm[pos]
            self._fen = None
            return
        if i == len(ml):
            mxs[pos] = fl[-1]
            self.mxm[pos] = ml[-1]
        if len(ml) < _MIN and len(self.mls) > 1:
            self._merge(pos)
        elif self._fen is not None:
            self._fen_add(pos, -1)

    def _split(self, pos):
        fl, ml = self.fls[pos], self.mls[pos]
        half = len(ml) >> 1
        rf, rm = fl[half:], ml[half:]
        del fl[half:]
        del ml[half:]
        self.fls.insert(pos + 1, rf)
        self.mls.insert(pos + 1, rm)
        self.mxs[pos] = fl[-1]
        self.mxm[pos] = ml[-1]
        self.mxs.insert(pos + 1, rf[-1])
        self.mxm.insert(pos + 1, rm[-1])
        self._fen = None

    def _merge(self, pos):
        """Merge sublist ``pos`` into a neighbour (then split if it grew too long)."""
        if pos == 0:
            pos = 1
        fl, ml = self.fls[pos - 1], self.mls[pos - 1]
        fl.extend(self.fls[pos])
        ml.extend(self.mls[pos])
        del self.fls[pos], self.mls[pos], self.mxs[pos], self.mxm[pos]
        self.mxs[pos - 1] = fl[-1]
        self.mxm[pos - 1] = ml[-1]
        self._fen = None
        if len(ml) > _MAX:
            self._split(pos - 1)

    def del_range(self, start: int, stop: int) -> list:
        """Remove and return the pairs at positions [start, stop)."""
        out = self.slice(start, stop)
        k = len(out)
        if k == self.n:
            self.clear()
            return out
        if k <= 8:                      # keep the layout (and the tree) for a few pairs
            for s, m in out:
                self.remove(s, m)
            return out
        fls, mls, mxs, mxm = self.fls, self.mls, self.mxs, self.mxm
        pos, i = self.locate(start)
        left = k
        while left:
            fl, ml = fls[pos], mls[pos]
            take = min(len(ml) - i, left)
            del fl[i:i + take]
            del ml[i:i + take]
            left -= take
            if ml:
                mxs[pos] = fl[-1]
                mxm[pos] = ml[-1]
                pos += 1
            else:
                del fls[pos], mls[pos], mxs[pos], mxm[pos]
            i = 0
        self.n -= k
        self._fen = None
        for p in (pos, pos - 1):        # the sublists at the cut may be short now
            if 0 <= p < len(mls) and len(mls) > 1 and len(mls[p]) < _MIN:
                self._merge(p)
                break
        return out

    # ------------------------------------------------------------ positions
    def _tree(self) -> list:
        fen = self._fen
        if fen is None:
            mls = self.mls
            m = len(mls)
            fen = [0] * (m + 1)
            for i in range(1, m + 1):
                fen[i] += len(mls[i - 1])
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
        """How many pairs the sublists before ``pos`` hold."""
        if pos == 0:
            return 0
        if pos == len(self.mls):
            return self.n
        fen = self._tree()
        s = 0
        while pos:
            s += fen[pos]
            pos &= pos - 1
        return s

    def locate(self, idx: int) -> tuple[int, int]:
        """(sublist, offset) of position ``idx`` (0 <= idx < n)."""
        mls = self.mls
        first = len(mls[0])
        if idx < first:
            return 0, idx
        tail = self.n - len(mls[-1])
        if idx >= tail:
            return len(mls) - 1, idx - tail
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
        """The (score, member) pair at position idx."""
        pos, i = self.locate(idx)
        return self.fls[pos][i], self.mls[pos][i]

    def rank(self, s: float, m: bytes) -> int:
        """Position of a pair that is present."""
        mxs = self.mxs
        if len(mxs) > 1:
            pos = bisect_left(mxs, s)
            if mxs[pos] == s:
                pos = bisect_left(self.mxm, m, pos, bisect_right(mxs, s, pos))
            before = self._before(pos)
        else:
            pos = before = 0
        fl = self.fls[pos]
        ml = self.mls[pos]
        i = bisect_left(fl, s)
        if ml[i] != m:
            i = bisect_left(ml, m, i, bisect_right(fl, s, i))
        return before + i

    def bisect_score(self, s: float, right: bool) -> int:
        """How many pairs score < s (or <= s when ``right``)."""
        fn = bisect_right if right else bisect_left
        mxs = self.mxs
        pos = fn(mxs, s)
        if pos == len(mxs):
            return self.n
        return self._before(pos) + fn(self.fls[pos], s)

    def bisect_member(self, member: bytes, right: bool) -> int:
        """Like bisect_score comparing members only (lex ranges assume one score)."""
        fn = bisect_right if right else bisect_left
        mxm = self.mxm
        pos = fn(mxm, member)
        if pos == len(mxm):
            return self.n
        return self._before(pos) + fn(self.mls[pos], member)

    def slice(self, start: int, stop: int) -> list:
        """The (score, member) pairs at positions [start, stop) (within 0..n)."""
        count = stop - start
        if count <= 0:
            return []
        fls, mls = self.fls, self.mls
        pos, i = self.locate(start)
        end = i + count
        if end <= len(mls[pos]):
            return list(zip(fls[pos][i:end], mls[pos][i:end]))
        out = list(zip(fls[pos][i:], mls[pos][i:]))
        while len(out) < count:
            pos += 1
            want = count - len(out)
            out += zip(fls[pos][:want], mls[pos][:want])
        return out


class ZSet:
    """``scores``: member -> score; ``order``: the same pairs as (score, member) keys."""
    __slots__ = ("scores", "order", "big", "mem", "msamp")
    TYPE_NAME = b"zset"

    def __init__(self, big: bool = False):
        self.scores: dict = {}
        self.order = Order()
        self.big = big
        self.mem = 0            # engine.memory: the cost last charged for this value
        self.msamp = None       # engine.memory: cached (count, avg element, encoding)

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
        self.order.add(score, member)

    def update(self, member: bytes, old: float, new: float):
        """Change a present member's score (old != new)."""
        if new == 0 and not self.big:
            new = 0.0
        o = self.order
        o.remove(old, member)
        self.scores[member] = new
        o.add(new, member)

    def remove(self, member: bytes) -> bool:
        score = self.scores.pop(member, None)
        if score is None:
            return False
        self.order.remove(score, member)
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
        """Remove positions [start, stop); returns their (score, member) pairs."""
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
        ZRANGESTORE...): listpack when it fits.  ``keys``: the sorted (score, member)
        pairs if known."""
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

    @classmethod
    def from_added(cls, pairs: list, cfg, big: bool = False) -> "ZSet":
        """A new set (a listpack unless ``big``) after zsetAdd of distinct (score,
        member) ``pairs`` in this order (ZRANGESTORE): it converts to skiplist when a
        member is too long or one too many arrives, and the scores added before that
        went through the listpack (-0 became 0)."""
        entries, value = cfg[ENTRIES], cfg[VALUE]
        scores = {}
        for i, (s, m) in enumerate(pairs):
            if not big:
                if i >= entries or len(m) > value:
                    big = True
                elif s == 0:
                    s = 0.0
            scores[m] = s
        z = cls(big)
        z.scores = scores
        z.order = Order(sorted(zip(scores.values(), scores)))
        return z

    # ------------------------------------------------------------ reading
    def items(self):
        """(member, score) pairs in ascending order."""
        for s, m in self.order:
            yield m, s

    def range_by_score(self, lo: float, lo_ex: bool, hi: float, hi_ex: bool):
        """[start, stop) positions of the scores within the bounds."""
        o = self.order
        start = o.bisect_score(lo, lo_ex)
        stop = o.bisect_score(hi, not hi_ex)
        return start, max(start, stop)

    def range_by_lex(self, lo, hi, rev: bool = False):
        """[start, stop) positions of the members within lex bounds; a bound is
        (member, exclusive) or MIN/MAX.  Lex ranges assume a single score; with mixed
        scores (unspecified in Redis) this walks the members as a listpack does:
        from the head for a forward range, from the tail for a reverse one."""
        o = self.order
        n = o.n
        if not n or _lex_empty(lo, hi):
            return 0, 0
        if o.fls[0][0] == o.mxs[-1]:          # one score: the members are sorted
            if lo is MIN:
                start = 0
            else:
                start = o.bisect_member(lo[0], lo[1])
            if hi is MAX:
                stop = n
            else:
                stop = o.bisect_member(hi[0], not hi[1])
            return start, max(start, stop)
        members = [m for _, m in o]
        if not _gte_min(members[-1], lo) or not _lte_max(members[0], hi):
            return 0, 0
        if not rev:
            start = next((i for i, m in enumerate(members) if _gte_min(m, lo)), n)
            if start == n or not _lte_max(members[start], hi):
                return 0, 0
            stop = start + 1
            while stop < n and _lte_max(members[stop], hi):
                stop += 1
            return start, stop
        last = next((i for i in range(n - 1, -1, -1) if _lte_max(members[i], hi)), -1)
        if last < 0 or not _gte_min(members[last], lo):
            return 0, 0
        start = last
        while start > 0 and _gte_min(members[start - 1], lo):
            start -= 1
        return start, last + 1

    def scan_score(self, score: float) -> bytes:
        """A score as ZSCAN prints it: a listpack holds integral scores within
        +-2^62 as integers; everything else prints with %.17g."""
        if not self.big and score == score // 1 and -4611686018427387904.0 <= score \
                <= 4611686018427387904.0:
            return b"%d" % score
        return format_score(score)


MIN = "-"      # lex bound sentinels
MAX = "+"


def _gte_min(m: bytes, lo) -> bool:
    if lo is MIN:
        return True
    if lo is MAX:
        return False
    return m > lo[0] if lo[1] else m >= lo[0]


def _lte_max(m: bytes, hi) -> bool:
    if hi is MAX:
        return True
    if hi is MIN:
        return False
    return m < hi[0] if hi[1] else m <= hi[0]


def _lex_empty(lo, hi) -> bool:
    """Ranges that are always empty (zslLexIsInRange's first test; "-" and "+" count
    as exclusive)."""
    if lo is MIN:
        return hi is MIN
    if lo is MAX or hi is MIN:
        return True
    if hi is MAX:
        return False
    return lo[0] > hi[0] or (lo[0] == hi[0] and (lo[1] or hi[1]))


def format_score(d: float) -> bytes:
    """%.17g, with inf/-inf spelled as Redis does."""
    if d == _INF:
        return b"inf"
    if d == -_INF:
        return b"-inf"
    return b"%.17g" % d


_INF = float("inf")
