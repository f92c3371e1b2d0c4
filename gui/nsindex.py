"""The namespace index: keys grouped into folders by a delimiter, kept exact incrementally.

``a:b:c`` lives in folder ``a`` -> ``b`` as the leaf ``c``.  Every folder knows how many
keys it holds (recursively), so the first level of a big database is shown without
iterating keys; each add/remove costs O(depth).  An emptied folder disappears.

Leaves are stored as the full key (the engine's own ``bytes`` object: no copy), in a set
per folder.  Pure Python, no Qt: the tree model (gui.models.keytree) reads it and keeps
its own per-folder view state on the folders (``view``), see there.
"""
from __future__ import annotations

import itertools
from typing import Callable

_ids = itertools.count(1)
PRESENT = ()          # add(): the key was already indexed (falsy, unlike a change)


class Folder:
    __slots__ = ("id", "name", "parent", "prefix", "folders", "leaves", "count", "view")

    def __init__(self, name: bytes, parent: "Folder | None", prefix: bytes):
        self.id = next(_ids)
        self.name = name            # this folder's segment (b"" for the root)
        self.parent = parent
        self.prefix = prefix        # what every key below starts with (b"a:b:")
        self.folders: dict[bytes, Folder] = {}
        self.leaves: set[bytes] = set()    # full keys of the keys directly in here
        self.count = 0              # keys in this folder and below
        self.view = None            # the tree model's state (None: never shown)

    def __repr__(self):
        return f"<Folder {self.prefix!r} count={self.count}>"

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

    def __len__(self):
        return self.root.count

    def __contains__(self, key: bytes) -> bool:
        f = self.folder_of(key)
        return f is not None and key in f.leaves

    def folder_of(self, key: bytes, create: bool = False) -> Folder | None:
        f = self.root
        parts = key.split(self.delimiter)
        for seg in parts[:-1]:
            nxt = f.folders.get(seg)
            if nxt is None:
                if not create:
                    return None
                nxt = Folder(seg, f, f.prefix + seg + self.delimiter)
                f.folders[seg] = nxt
                self.by_id[nxt.id] = nxt
            f = nxt
        return f

    def path(self, key: bytes) -> list[Folder]:
        """The folders from the root down to the key's folder (existing ones)."""
        out = [self.root]
        f = self.root
        for seg in key.split(self.delimiter)[:-1]:
            f = f.folders.get(seg)
            if f is None:
                break
            out.append(f)
        return out

    def add(self, key: bytes):
        """Add a key.  Returns (path, created): ``path`` the folders root..key's folder,
        ``created`` the depth of the first new entry: k means ``path[k]`` is a new folder
        (its entry in ``path[k-1]`` is new); len(path) means only the leaf is new.
        PRESENT when the key was already there, None when the filter rejects it."""
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
        if key in f.leaves:
            return PRESENT
        f.leaves.add(key)
        if created is None:
            created = len(path)
        for p in path:
            p.count += 1
        return path, created

    def remove(self, key: bytes):
        """Remove a key.  Returns (path, removed): ``removed`` = k means the entry was
        removed from ``path[k]`` (the leaf when k == len(path)-1, else the emptied folder
        ``path[k+1]``, whose now-empty descendants went with it).  None when absent."""
        f = self.folder_of(key)
        if f is None or key not in f.leaves:
            return None
        f.leaves.discard(key)
        path = []
        p = f
        while p is not None:
            p.count -= 1
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

    def clear(self):
        for f in list(self.by_id.values()):
            f.view = None
        self.root = Folder(b"", None, b"")
        self.by_id = {self.root.id: self.root}

    def keys(self):
        """Every indexed key (walks the tree: for tests and reconciliation)."""
        stack = [self.root]
        while stack:
            f = stack.pop()
            yield from f.leaves
            stack.extend(f.folders.values())

    def leaf_name(self, key: bytes, folder: Folder) -> bytes:
        return key[len(folder.prefix):]
