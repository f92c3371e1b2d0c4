"""Streams: entries ordered by ID in Redis's node layout, plus consumer groups.

An ID is one Python int, ``ms << 64 | seq`` -- the 128-bit big-endian key Redis's radix
tree sorts by, so IDs compare, bisect and increment as plain ints.

Storage mirrors Redis's radix tree of listpacks closely enough to reproduce what users can
observe of it: entries live in *nodes* (``_Node``: parallel ``ids`` / ``vals`` lists, the
node's master ID and master fields), appended at the tail in O(1) and found by bisecting
the node keys, then the node's IDs (O(log n)).  A node is closed at the same point Redis
closes its listpack (``stream-node-max-entries`` live+deleted entries, or
``stream-node-max-bytes`` of listpack -- whose size is computed exactly, element by
element, from listpack's encodings), so ``MAXLEN ~``/``MINID ~`` trimming, which only
drops whole nodes, leaves the same entries as Redis, and XINFO's radix-tree-keys/-nodes
match.  XDEL and exact trimming mark entries deleted (``vals[i] = None``) inside their
node, as Redis flags them; a node whose last live entry goes is dropped.

Consumer groups: ``Group`` (last delivered ID, entries-read counter, PEL, consumers),
``Consumer`` (own PEL, seen-time) and ``Nack`` (consumer, delivery time, delivery count).
A PEL (``Pel``) is a dict ID -> Nack with a sorted ID list for range scans; deletions
leave stale IDs in the list, skipped and compacted lazily, so XACK is O(1) amortised and
the common XREADGROUP insert (a new, larger ID) is an append.  Group and consumer replies
list names in byte order, as Redis's rax iterates them.
"""
from __future__ import annotations

from bisect import bisect_left, bisect_right

from engine.memory import lp_entry, lp_int

M64 = (1 << 64) - 1
MAX_ID = (1 << 128) - 1
INVALID = -1                       # SCG_INVALID_ENTRIES_READ
LISTPACK_MAX = 1 << 30             # STREAM_LISTPACK_MAX_SIZE


def fmt_id(i: int) -> bytes:
    return b"%d-%d" % (i >> 64, i & M64)


# ---------------------------------------------------------------- listpack sizes
def _s64(v: int) -> int:
    """A uint64 difference as the int64 Redis stores (lpAppendInteger)."""
    v &= M64
    return v - (1 << 64) if v >> 63 else v


class _Node:
    """One listpack: entries with ids[i] -> vals[i] (a field/value tuple, None when
    deleted), the master ID and master fields.

    Its byte size matters only when it nears ``stream-node-max-bytes``, so it is kept
    lazily: ``nbytes`` is the exact listpack size (without the two counters, live and
    deleted, added by ``lp_bytes``) of the first ``sized`` entries, ``ub`` an upper
    bound including the rest; exact sizes are computed (``settle``) only when the bound
    reaches the limit, and before an entry loses its fields to deletion."""
    __slots__ = ("master", "ids", "vals", "fields", "live", "deleted", "nbytes", "sized",
                 "ub", "head")

    def __init__(self, master: int, fields: tuple, nbytes: int):
        self.master = master
        self.ids = []
        self.vals = []
        self.fields = fields
        self.live = 0
        self.deleted = 0
        self.nbytes = nbytes
        self.sized = 0
        self.ub = nbytes
        self.head = 0          # entries before it are all deleted (exact trimming's start)

    def settle(self):
        """Add the exact listpack size of the entries not sized yet."""
        ids, vals = self.ids, self.vals
        m = self.master
        fields = self.fields
        nbytes = self.nbytes
        for j in range(self.sized, len(ids)):
            fv = vals[j]
            i = ids[j]
            nf = len(fv) >> 1
            size = 2 + lp_int(_s64((i >> 64) - (m >> 64))) + lp_int(_s64((i & M64) - (m & M64)))
            if j == 0 or (nf == len(fields) and fv[0::2] == fields):
                for k in range(1, len(fv), 2):
                    size += lp_entry(fv[k])
                size += lp_int(nf + 3)
            else:
                for x in fv:
                    size += lp_entry(x)
                size += lp_int(nf) + lp_int(2 * nf + 4)
            nbytes += size
        self.nbytes = self.ub = nbytes
        self.sized = len(ids)

    def lp_bytes(self) -> int:
        if self.sized < len(self.ids):
            self.settle()
        return self.nbytes + lp_int(self.live) + lp_int(self.deleted)

    def copy(self) -> "_Node":
        n = _Node(self.master, self.fields, self.nbytes)
        n.ids = self.ids[:]
        n.vals = self.vals[:]
        n.live = self.live
        n.deleted = self.deleted
        n.sized = self.sized
        n.ub = self.ub
        n.head = self.head
        return n


# An upper bound of an entry's listpack bytes beyond its strings' lengths: flags, two
# deltas, field count and lp-count take at most 2+10+10+10+10, each string at most
# 10 more than its length (encoding header + backlen).
_UB_FIXED = 42
_UB_PER_STRING = 10


# ---------------------------------------------------------------- consumer groups
class Nack:
    """A pending entry: who has it, when it was last delivered (ms), how many times."""
    __slots__ = ("consumer", "time", "count")

    def __init__(self, consumer, time: int, count: int = 1):
        self.consumer = consumer
        self.time = time
        self.count = count


class Pel(dict):
    """ID -> Nack, plus ``order``: IDs ascending, possibly holding stale (removed) IDs,
    ``stale`` of them; compacted once they outnumber the live ones."""
    __slots__ = ("order", "stale")

    def __init__(self):
        dict.__init__(self)
        self.order = []
        self.stale = 0

    def add(self, i: int, nack: Nack):
        if i in self:
            self[i] = nack
            return
        self[i] = nack
        o = self.order
        if not o or i > o[-1]:
            o.append(i)
            return
        j = bisect_left(o, i)
        if j < len(o) and o[j] == i:
            self.stale -= 1            # a stale slot comes back to life
        else:
            o.insert(j, i)

    def remove(self, i: int):
        if self.pop(i, None) is not None:
            self.stale += 1
            if self.stale > 64 and self.stale > len(self):
                self.order = [x for x in self.order if x in self]
                self.stale = 0

    def ids_from(self, start: int = 0, end: int = MAX_ID):
        """Live IDs in [start, end], ascending (a generator: callers stop early)."""
        o = self.order
        j = bisect_left(o, start) if start else 0
        for k in range(j, len(o)):
            i = o[k]
            if i > end:
                return
            if i in self:
                yield i

    def first(self) -> int:
        for i in self.order:
            if i in self:
                return i
        raise KeyError("empty PEL")

    def last(self) -> int:
        o = self.order
        for k in range(len(o) - 1, -1, -1):
            if o[k] in self:
                return o[k]
        raise KeyError("empty PEL")


class Consumer:
    __slots__ = ("name", "pel", "seen")

    def __init__(self, name: bytes, seen: int):
        self.name = name
        self.pel = Pel()
        self.seen = seen


class Group:
    __slots__ = ("name", "last_id", "entries_read", "pel", "consumers")

    def __init__(self, name: bytes, last_id: int, entries_read: int = INVALID):
        self.name = name
        self.last_id = last_id
        self.entries_read = entries_read
        self.pel = Pel()
        self.consumers: dict = {}

    def sorted_consumers(self) -> list:
        c = self.consumers
        return [c[k] for k in sorted(c)]

    def delete_consumer(self, consumer: Consumer) -> int:
        """streamDelConsumer: its pending entries leave the group PEL too."""
        n = len(consumer.pel)
        gp = self.pel
        for i in list(consumer.pel):
            gp.remove(i)
        del self.consumers[consumer.name]
        return n


# ---------------------------------------------------------------- the stream
class Stream:
    __slots__ = ("nodes", "keys", "length", "last_id", "first_id", "max_deleted",
                 "entries_added", "groups", "mem", "msamp")   # mem, msamp: engine.memory
    TYPE_NAME = b"stream"

    def __init__(self):
        self.nodes: list = []          # _Node, ascending
        self.keys: list = []           # the nodes' master IDs (the rax keys)
        self.length = 0
        self.last_id = 0
        self.first_id = 0
        self.max_deleted = 0
        self.entries_added = 0
        self.groups = None             # name -> Group, created on first use
        self.mem = 0
        self.msamp = None

    def encoding(self, config) -> bytes:
        return b"stream"

    def __len__(self):
        return self.length

    # ------------------------------------------------------------ appending
    def append(self, i: int, fv: tuple, max_bytes: int, max_entries: int):
        """streamAppendItem after the ID was checked: add entry ``i`` (fv = field,
        value, ...) to the tail node, or open a node where Redis would: when the tail
        has ``max_entries`` entries (live + deleted) or its listpack plus the new
        strings would reach ``max_bytes``."""
        nodes = self.nodes
        tot = sum(map(len, fv))
        node = None
        if nodes:
            node = nodes[-1]
            live, dead = node.live, node.deleted
            if max_entries and live + dead >= max_entries:
                node = None
            else:
                if max_bytes == 0 or max_bytes > LISTPACK_MAX:
                    max_bytes = LISTPACK_MAX
                counters = (2 if live < 128 else lp_int(live)) + \
                    (2 if dead < 128 else lp_int(dead))
                if node.ub + counters + tot >= max_bytes and \
                        node.lp_bytes() + tot >= max_bytes:
                    node = None
        if node is None:
            fields = fv[0::2]
            size = 9 + lp_int(len(fields))         # header, end, terminator
            for f in fields:
                size += lp_entry(f)
            node = _Node(i, fields, size)
            nodes.append(node)
            self.keys.append(i)
        node.ub += tot + _UB_FIXED + _UB_PER_STRING * len(fv)
        node.ids.append(i)
        node.vals.append(fv)
        node.live += 1
        self.length += 1
        self.entries_added += 1
        self.last_id = i
        if self.length == 1:
            self.first_id = i

    # ------------------------------------------------------------ lookups
    def _locate(self, i: int):
        """(node, index) of ID i (live or deleted), or (None, 0)."""
        keys = self.keys
        k = bisect_right(keys, i) - 1
        if k < 0:
            return None, 0
        node = self.nodes[k]
        ids = node.ids
        j = bisect_left(ids, i)
        if j < len(ids) and ids[j] == i:
            return node, j
        return None, 0

    def get(self, i: int):
        """The field/value tuple of live entry i, or None."""
        node, j = self._locate(i)
        return None if node is None else node.vals[j]

    def __contains__(self, i: int) -> bool:
        node, j = self._locate(i)
        return node is not None and node.vals[j] is not None

    def last_valid_id(self) -> int:
        """streamLastValidID: the greatest live ID (0 when empty)."""
        for node in reversed(self.nodes):
            vals = node.vals
            for j in range(len(vals) - 1, -1, -1):
                if vals[j] is not None:
                    return node.ids[j]
        return 0

    def first_valid_id(self) -> int:
        for node in self.nodes:
            vals = node.vals
            for j in range(node.head, len(vals)):
                if vals[j] is not None:
                    return node.ids[j]
        return 0

    def first_any_id(self):
        """streamGetEdgeID(first, with tombstones): the first ID of the first node."""
        return self.nodes[0].ids[0] if self.nodes else None

    def iter_from(self, start: int):
        """(id, fields) of live entries from ``start`` up (a generator)."""
        nodes = self.nodes
        k = bisect_right(self.keys, start) - 1
        if k < 0:
            k = 0
        first = True
        for x in range(k, len(nodes)):
            node = nodes[x]
            ids, vals = node.ids, node.vals
            j = bisect_left(ids, start) if first else 0
            first = False
            for y in range(j, len(ids)):
                v = vals[y]
                if v is not None:
                    yield ids[y], v

    def range(self, start: int, end: int, count: int = 0) -> list:
        """[[id, fields], ...] of live entries in [start, end], ascending, at most
        ``count`` (0 = all): the reply shape of XRANGE."""
        out = []
        if start > end:
            return out
        nodes = self.nodes
        k = bisect_right(self.keys, start) - 1
        if k < 0:
            k = 0
        j = -1
        for x in range(k, len(nodes)):
            node = nodes[x]
            ids, vals = node.ids, node.vals
            y = bisect_left(ids, start) if j < 0 else 0
            j = 0
            for y in range(y, len(ids)):
                i = ids[y]
                if i > end:
                    return out
                v = vals[y]
                if v is not None:
                    out.append((b"%d-%d" % (i >> 64, i & M64), v))
                    if len(out) == count:
                        return out
        return out

    def revrange(self, start: int, end: int, count: int = 0) -> list:
        """XREVRANGE: live entries in [start, end], descending."""
        out = []
        if start > end:
            return out
        nodes = self.nodes
        k = bisect_right(self.keys, end) - 1
        first = True
        for x in range(k, -1, -1):
            node = nodes[x]
            ids, vals = node.ids, node.vals
            y = bisect_right(ids, end) - 1 if first else len(ids) - 1
            first = False
            for y in range(y, -1, -1):
                i = ids[y]
                if i < start:
                    return out
                v = vals[y]
                if v is not None:
                    out.append((b"%d-%d" % (i >> 64, i & M64), v))
                    if len(out) == count:
                        return out
        return out

    # ------------------------------------------------------------ deleting
    def delete(self, i: int) -> bool:
        """XDEL one ID (streamDeleteItem); the tombstone bookkeeping is the caller's."""
        node, j = self._locate(i)
        if node is None or node.vals[j] is None:
            return False
        if node.live == 1:                   # the node's last live entry: drop it
            k = bisect_left(self.keys, node.master)
            del self.nodes[k]
            del self.keys[k]
        else:
            if node.sized <= j:
                node.settle()
            node.vals[j] = None
            node.live -= 1
            node.deleted += 1
        self.length -= 1
        return True

    def trim(self, maxlen: int | None, minid: int, approx: bool, limit: int) -> int:
        """streamTrim: MAXLEN (maxlen not None) or MINID; whole nodes first, then (exact
        only) entries of the first node are marked deleted.  Returns entries removed."""
        nodes, keys = self.nodes, self.keys
        deleted = 0
        removed_nodes = 0
        while removed_nodes < len(nodes):
            if maxlen is not None and self.length <= maxlen:
                break
            node = nodes[removed_nodes]
            entries = node.live
            if limit and deleted + entries > limit:
                break
            if maxlen is not None:
                remove = self.length - entries >= maxlen
            else:
                remove = node.ids[-1] < minid
            if remove:
                removed_nodes += 1
                self.length -= entries
                deleted += entries
                continue
            if approx:
                break
            if node.sized < len(node.ids):
                node.settle()
            ids, vals = node.ids, node.vals
            n = 0
            j = node.head                    # Redis walks from the node's start; the
            while j < len(ids):              # entries before head are deleted already
                if (self.length <= maxlen) if maxlen is not None else (ids[j] >= minid):
                    break
                if vals[j] is not None:
                    vals[j] = None
                    n += 1
                    self.length -= 1
                j += 1
            node.head = j
            node.live -= n
            node.deleted += n
            deleted += n
            break
        if removed_nodes:
            del nodes[:removed_nodes]
            del keys[:removed_nodes]
        if self.length == 0:
            self.first_id = 0
        elif deleted:
            self.first_id = self.first_valid_id()
        return deleted

    # ------------------------------------------------------------ lag bookkeeping
    def range_has_tombstones(self, start: int, end: int = MAX_ID) -> bool:
        """streamRangeHasTombstones (7.0)."""
        md = self.max_deleted
        if not self.length or not md:
            return False
        if self.first_id > md:
            return False
        return start <= md <= end

    def estimate_distance(self, i: int) -> int:
        """streamEstimateDistanceFromFirstEverEntry (7.0): the entries-read counter of
        ID i when it can be known, else INVALID."""
        if not self.entries_added:
            return 0
        if not self.length and i <= self.last_id:
            return self.entries_added
        if i == self.last_id:
            return self.entries_added
        if i > self.last_id:
            return INVALID
        md = self.max_deleted
        if not md or md < self.first_id:
            if i < self.first_id:
                return self.entries_added - self.length
            if i == self.first_id:
                return self.entries_added - self.length + 1
        return INVALID

    def lag(self, g: Group):
        """streamReplyWithCGLag (7.0): entries not yet delivered, or None."""
        if not self.entries_added:
            return 0
        if g.entries_read != INVALID and not self.range_has_tombstones(g.last_id):
            return self.entries_added - g.entries_read
        er = self.estimate_distance(g.last_id)
        return None if er == INVALID else self.entries_added - er

    # ------------------------------------------------------------ groups
    def sorted_groups(self) -> list:
        g = self.groups
        return [g[k] for k in sorted(g)] if g else []

    # ------------------------------------------------------------ introspection
    def rax_nodes(self) -> int:
        """XINFO's radix-tree-nodes: the node count of the radix tree Redis keeps these
        node keys in (16-byte keys, so every key is a leaf).  From the LCP array of the
        sorted keys: one node per distinct branching prefix (an LCP interval), one per
        leaf, one compressed node on every edge that runs more than one byte past its
        branch point, and a compressed root when all keys share a prefix."""
        keys = self.keys
        n = len(keys)
        if n < 2:
            return n + 1
        lcp = [(128 - (keys[k] ^ keys[k + 1]).bit_length()) >> 3 for k in range(n - 1)]
        total = n + (1 if min(lcp) > 0 else 0)
        for k in range(n):                   # leaves hang from the deeper neighbour
            parent = max(lcp[k - 1] if k else 0, lcp[k] if k < n - 1 else 0)
            if 16 - parent > 1:
                total += 1
        stack: list = []
        for v in lcp + [-1]:
            while stack and stack[-1] > v:
                d = stack.pop()
                if v >= 0 or stack:
                    parent = stack[-1] if stack and stack[-1] >= v else v
                    if d - parent > 1:
                        total += 1
            if v >= 0 and (not stack or stack[-1] < v):
                stack.append(v)
                total += 1
        return total

    # ------------------------------------------------------------ COPY
    def copy(self) -> "Stream":
        s = Stream()
        s.nodes = [n.copy() for n in self.nodes]
        s.keys = self.keys[:]
        s.length = self.length
        s.last_id = self.last_id
        s.first_id = self.first_id
        s.max_deleted = self.max_deleted
        s.entries_added = self.entries_added
        if self.groups:
            s.groups = {}
            for name, g in self.groups.items():
                ng = Group(name, g.last_id, g.entries_read)
                nacks = {}
                for i, nack in g.pel.items():
                    nacks[i] = Nack(None, nack.time, nack.count)
                    ng.pel.add(i, nacks[i])
                for cname, cons in g.consumers.items():
                    nc = Consumer(cname, cons.seen)
                    for i in cons.pel.ids_from():
                        nk = nacks[i]
                        nk.consumer = nc
                        nc.pel.add(i, nk)
                    ng.consumers[cname] = nc
                s.groups[name] = ng
        return s
