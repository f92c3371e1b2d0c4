"""Helpers of the keyspace tree for big databases: sorted pages over a huge folder
without one long sort on the UI thread, and no full GC passes while an index builds."""
from __future__ import annotations

import gc
import heapq
import time
from bisect import insort


class GcHold:
    """No full (generation 2) GC passes while an index build allocates many objects:
    each pass walks every tracked object in the process, a pause the embedded server's
    clients would feel.  Young generations still run; thresholds come back after."""
    holders = 0
    saved = None

    @classmethod
    def acquire(cls):
        if cls.holders == 0:
            cls.saved = gc.get_threshold()
            gc.set_threshold(cls.saved[0], cls.saved[1], 1_000_000)
        cls.holders += 1

    @classmethod
    def release(cls):
        cls.holders -= 1
        if cls.holders == 0 and cls.saved is not None:
            gc.set_threshold(*cls.saved)


class SortedPager:
    """Sorted pages over a big folder without one long sort on the UI thread: a snapshot
    is sorted in chunks across Qt turns, then pages come from a lazy k-way merge.  Entries
    added after the snapshot go to ``late`` (merged in); removed ones are skipped."""
    CHUNK = 16384

    def __init__(self, items: tuple):
        self.todo = items
        self.pos = 0
        self.chunks: list[list] = []
        self.merged = None
        self.head = None
        self.late: list = []

    @property
    def ready(self) -> bool:
        return self.merged is not None

    def step(self, deadline: float) -> bool:
        """Sort chunks until the deadline; True once pages can be taken."""
        while self.pos < len(self.todo):
            # tuples of bytes: the GC untracks them after one look (big lists it re-walks)
            self.chunks.append(tuple(sorted(self.todo[self.pos:self.pos + self.CHUNK])))
            self.pos += self.CHUNK
            if time.perf_counter() > deadline:
                return False
        self.todo = None
        self.merged = heapq.merge(*self.chunks)
        return True

    def add_late(self, item):
        insort(self.late, item)

    def take(self, k: int, after, alive) -> list:
        out = []
        last = after
        while len(out) < k:
            if self.head is None:
                self.head = next(self.merged, None)
            h = self.head
            late = self.late[0] if self.late else None
            if h is None and late is None:
                break
            if late is not None and (h is None or late < h):
                x = self.late.pop(0)
            else:
                x, self.head = h, None
            if (last is not None and x <= last) or x not in alive:
                continue                          # listed already, or gone since
            out.append(x)
            last = x
        return out


def next_sorted(items, after, k: int) -> list:
    """The k smallest of ``items`` greater than ``after`` (None: from the start)."""
    cand = [x for x in items if x > after] if after is not None else list(items)
    if len(cand) <= 4 * k:
        cand.sort()
        return cand[:k]
    return heapq.nsmallest(k, cand)
