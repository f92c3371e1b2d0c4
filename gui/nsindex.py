"""The namespace index: keys grouped into folders by a delimiter, kept exact incrementally.

``a:b:c`` lives in folder ``a`` -> ``b`` as the leaf ``c``.  Every folder knows, for the
keys in it and below, how many there are (``count``), the bytes the engine charges for
them (``bytes``) and how many have a TTL (``ttl``), so the first level of a big database
is shown without iterating keys; each add/remove/update costs O(depth).  An emptied
folder disappears.

Leaves are a dict per folder: the full key (the engine's own ``bytes`` object: no copy)
-> its packed metadata ``bytes * 2 + has_ttl`` (``pack``).  Equal metadata values share
one int object (``_intern``: most keys of a namespace cost the same), so a leaf costs
about one dict entry.  Pure Python, no Qt: the tree model (gui.keytree) reads it and
keeps its own per-folder view state on the folders (``view``), see there.
"""
from __future__ import annotations

import itertools
from typing import Callable

_ids = itertools.count(1)
PRESENT = ()          # add(): the key was already indexed, metadata unchanged (falsy)


class _Updated:
    """add(): the key was already indexed and its metadata changed (falsy too)."""
    __slots__ = ()

    def __bool__(self):
        return False

    def __repr__(self):
        return "UPDATED"


UPDATED = _Updated()
INTERN_MAX = 1 << 16      # distinct metadata values shared (beyond: plain ints)


def pack(nbytes: int | None, has_ttl: bool) -> int:
    return ((nbytes or 0) << 1) | bool(has_ttl)


class Folder:
    __slots__ = ("id", "name", "parent", "prefix", "folders", "leaves", "count", "bytes",
                 "ttl", "view")

    def __init__(self, name: bytes, parent: "Folder | None", prefix: bytes):
        self.id = next(_ids)
        self.name = name            # this folder's segment (b"" for the root)
        self.parent = parent
        self.prefix = prefix        # what every key below starts with (b"a:b:")
        self.folders: dict[bytes, Folder] = {}
        self.leaves: dict[bytes, int] = {}  # full key -> packed metadata, keys directly here
        self.count = 0              # keys in this folder and below
        self.bytes = 0              # engine-charged bytes of those keys
        self.ttl = 0                # how many of them have a TTL
        self.view = None            # the tree model's state (None: never shown)

    def __repr__(self):
        return f"<Folder {self.prefix!r} count={self.count} bytes={self.bytes} ttl={self.ttl}>"

    @property
    def size(self) -> int:
        """Direct children: sub-folders and keys."""
        return len(self.folders) + len(self.leaves)


class NamespaceIndex:
    def __init__(self, delimiter: bytes = b":", match: Callable[[bytes], bool] | None = None):
        self.delimiter = delimiter
        self.match = match          # a key filter (glob), None = every key
        self.root = Folder(b"", None, b"")
        self.by_id: dict[int, Folder] = {self.root.id: self.root}
        self._intern: dict[int, int] = {}
        self.updated_path: list[Folder] = []     # the folders of the last UPDATED

    def __len__(self):
        return self.root.count

    def __contains__(self, key: bytes) -> bool:
        f = self.folder_of(key)
        return f is not None and key in f.leaves

    def meta(self, key: bytes) -> int | None:
        """A key's packed metadata, None when not indexed."""
        f = self.folder_of(key)
        return None if f is None else f.leaves.get(key)

    def folder_of(self, key: bytes) -> Folder | None:
        """The folder holding ``key`` (None when one on its way is missing)."""
        f = self.root
        for seg in key.split(self.delimiter)[:-1]:
            f = f.folders.get(seg)
            if f is None:
                return None
        return f

    def folder_at(self, prefix: bytes) -> Folder | None:
        """The folder whose prefix is ``prefix`` (b"" is the root)."""
        if not prefix:
            return self.root
        if not prefix.endswith(self.delimiter):
            return None
        return self.folder_of(prefix + b"x")

    def add(self, key: bytes, meta: int = 0):
        """Add a key with its packed metadata.  Returns (path, created): ``path`` the
        folders root..key's folder, ``created`` the depth of the first new entry: k means
        ``path[k]`` is a new folder (its entry in ``path[k-1]`` is new); len(path) means
        only the leaf is new.  A key already there gets ``meta`` and PRESENT (unchanged)
        or UPDATED (the folders' sums moved: ``updated_path`` holds them) back; None when
        the filter rejects it."""
        if self.match is not None and not self.match(key):
            return None
        f = self.root
        path = [f]
        created = None
        delim = self.delimiter
        parts = key.split(delim)
        for seg in parts[:-1]:
            nxt = f.folders.get(seg)
            if nxt is None:
                nxt = Folder(seg, f, f.prefix + seg + delim)
                f.folders[seg] = nxt
                self.by_id[nxt.id] = nxt
                if created is None:
                    created = len(path)
            f = nxt
            path.append(f)
        cache = self._intern
        m = cache.get(meta)
        if m is None:
            if len(cache) < INTERN_MAX:
                cache[meta] = meta
        else:
            meta = m
        old = f.leaves.get(key)
        if old is not None:
            if old == meta:
                return PRESENT
            f.leaves[key] = meta
            db, dt = (meta >> 1) - (old >> 1), (meta & 1) - (old & 1)
            for p in path:
                p.bytes += db
                p.ttl += dt
            self.updated_path = path
            return UPDATED
        f.leaves[key] = meta
        if created is None:
            created = len(path)
        nb, t = meta >> 1, meta & 1
        for p in path:
            p.count += 1
            p.bytes += nb
            p.ttl += t
        return path, created

    def remove(self, key: bytes):
        """Remove a key.  Returns (path, removed): ``removed`` = k means the entry was
        removed from ``path[k]`` (the leaf when k == len(path)-1, else the emptied folder
        ``path[k+1]``, whose now-empty descendants went with it).  None when absent."""
        f = self.folder_of(key)
        if f is None:
            return None
        meta = f.leaves.pop(key, None)
        if meta is None:
            return None
        nb, t = meta >> 1, meta & 1
        path = []
        p = f
        while p is not None:
            p.count -= 1
            p.bytes -= nb
            p.ttl -= t
            path.append(p)
            p = p.parent
        path.reverse()
        removed = len(path) - 1
        # drop emptied folders bottom-up
        while removed > 0 and path[removed].count == 0:
            gone = path[removed]
            del path[removed - 1].folders[gone.name]
            self.by_id.pop(gone.id, None)
            gone.folders = {}               # no parent<->child cycle left for the GC
            removed -= 1
        return path, removed

    def keys(self, under: Folder | None = None):
        """Every indexed key (below ``under``; walks the tree: for tests, reconciliation
        and snapshots taken between changes)."""
        stack = [under or self.root]
        while stack:
            f = stack.pop()
            yield from f.leaves
            stack.extend(f.folders.values())
