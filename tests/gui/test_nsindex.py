"""The namespace index: exact folder counts, O(depth) updates, emptied folders vanish."""
from __future__ import annotations

from gui.nsindex import PRESENT, UPDATED, NamespaceIndex, pack


def test_keys_are_grouped_by_delimiter_with_exact_counts():
    ns = NamespaceIndex(b":")
    for k in (b"user:1:name", b"user:1:mail", b"user:2:name", b"top"):
        ns.add(k)
    assert len(ns) == 4
    assert set(ns.root.folders) == {b"user"}
    assert set(ns.root.leaves) == {b"top"}
    user = ns.root.folders[b"user"]
    assert user.count == 3 and set(user.folders) == {b"1", b"2"}
    assert set(user.folders[b"1"].leaves) == {b"user:1:name", b"user:1:mail"}


def test_add_reports_the_depth_of_the_first_new_entry():
    ns = NamespaceIndex()
    path, created = ns.add(b"a:b:c")
    assert [f.prefix for f in path] == [b"", b"a:", b"a:b:"] and created == 1
    path, created = ns.add(b"a:b:d")
    assert created == 3                      # only the leaf is new
    path, created = ns.add(b"a:x:y")
    assert created == 2
    assert ns.add(b"a:b:c") is PRESENT       # already there


def test_removing_the_last_key_drops_emptied_folders():
    ns = NamespaceIndex()
    ns.add(b"a:b:c")
    ns.add(b"a:z")
    path, removed = ns.remove(b"a:b:c")
    assert removed == 1                      # folder b went from folder a
    assert set(ns.root.folders[b"a"].folders) == set()
    assert ns.root.folders[b"a"].count == 1
    path, removed = ns.remove(b"a:z")
    assert removed == 0 and ns.root.folders == {} and len(ns) == 0
    assert ns.remove(b"a:z") is None


def test_a_key_and_a_folder_may_share_a_name():
    ns = NamespaceIndex()
    ns.add(b"a")
    ns.add(b"a:b")
    assert set(ns.root.leaves) == {b"a"} and set(ns.root.folders) == {b"a"}
    assert b"a" in ns and b"a:b" in ns and b"a:c" not in ns


def test_empty_segments_and_other_delimiters():
    ns = NamespaceIndex(b"/")
    ns.add(b"/etc/hosts")
    ns.add(b"plain:key")
    assert set(ns.root.folders) == {b""}
    assert set(ns.root.folders[b""].folders[b"etc"].leaves) == {b"/etc/hosts"}
    assert b"plain:key" in ns.root.leaves


def test_a_filter_keeps_only_matching_keys():
    from engine.glob import compile_glob
    ns = NamespaceIndex(b":", compile_glob(b"user:*").fullmatch)
    assert ns.add(b"cache:1") is None
    assert ns.add(b"user:1") is not None
    assert list(ns.keys()) == [b"user:1"]


def _sums(f):
    return f.count, f.bytes, f.ttl


def test_folders_sum_bytes_and_ttl_counts_of_every_key_below():
    ns = NamespaceIndex()
    ns.add(b"u:1:a", pack(100, False))
    ns.add(b"u:1:b", pack(50, True))
    ns.add(b"u:2", pack(7, True))
    ns.add(b"x", pack(1, False))
    u = ns.root.folders[b"u"]
    assert _sums(ns.root) == (4, 158, 2)
    assert _sums(u) == (3, 157, 2)
    assert _sums(u.folders[b"1"]) == (2, 150, 1)
    assert ns.meta(b"u:1:b") == pack(50, True) and ns.meta(b"u:9") is None


def test_a_changed_key_moves_the_sums_along_its_path_only():
    ns = NamespaceIndex()
    ns.add(b"u:1:a", pack(100, False))
    ns.add(b"v:1", pack(10, False))
    assert ns.add(b"u:1:a", pack(100, False)) is PRESENT
    assert ns.add(b"u:1:a", pack(140, True)) is UPDATED       # grew, got a TTL
    assert _sums(ns.root.folders[b"u"].folders[b"1"]) == (1, 140, 1)
    assert _sums(ns.root) == (2, 150, 1)
    assert _sums(ns.root.folders[b"v"]) == (1, 10, 0)
    assert ns.add(b"u:1:a", pack(140, False)) is UPDATED      # PERSIST
    assert _sums(ns.root) == (2, 150, 0)


def test_removing_a_key_takes_its_bytes_and_ttl_out():
    ns = NamespaceIndex()
    ns.add(b"u:1", pack(30, True))
    ns.add(b"u:2", pack(20, False))
    ns.remove(b"u:1")
    assert _sums(ns.root) == (1, 20, 0) == _sums(ns.root.folders[b"u"])
    ns.remove(b"u:2")
    assert _sums(ns.root) == (0, 0, 0) and ns.root.folders == {}


def test_equal_metadata_shares_one_int_object():
    ns = NamespaceIndex()
    big = 123456 * 2
    ns.add(b"a:1", int(str(big)))
    ns.add(b"a:2", int(str(big)))               # an equal but distinct int
    leaves = ns.root.folders[b"a"].leaves
    assert leaves[b"a:1"] is leaves[b"a:2"]


def test_folder_at_finds_a_folder_by_its_prefix():
    ns = NamespaceIndex()
    ns.add(b"a:b:c")
    assert ns.folder_at(b"") is ns.root
    assert ns.folder_at(b"a:b:").prefix == b"a:b:"
    assert ns.folder_at(b"a:x:") is None and ns.folder_at(b"a:b") is None
    assert sorted(ns.keys(ns.folder_at(b"a:"))) == [b"a:b:c"]


def test_a_million_keys_index_in_a_compact_structure():
    """1M keys in 1000 folders: every folder's sums exact; the leaves share their
    metadata ints (a few distinct costs), so a leaf is a dict entry and nothing more."""
    import sys
    ns = NamespaceIndex()
    cost = [1000 + 16 * j for j in range(4)]
    metas = [pack(cost[j], j % 2 == 0) for j in range(4)]
    for i in range(1_000_000):
        ns.add(b"s:%d:%d" % (i % 1000, i), metas[i % 4] + 0)    # a fresh int each time
    assert _sums(ns.root) == (1_000_000, sum(cost) * 250_000, 500_000)
    s7 = ns.root.folders[b"s"].folders[b"7"]
    assert _sums(s7) == (1000, sum(cost[i % 4] for i in range(7, 1_000_000, 1000)), 0)
    leaves_bytes = sum(sys.getsizeof(f.leaves) for f in ns.by_id.values())
    assert leaves_bytes < 80 * 1_000_000            # dict tables only: no int per key
    assert len({id(m) for f in ns.by_id.values() for m in f.leaves.values()}) == 4
