"""The namespace index: exact folder counts, O(depth) updates, emptied folders vanish."""
from __future__ import annotations

from gui.nsindex import PRESENT, NamespaceIndex


def test_keys_are_grouped_by_delimiter_with_exact_counts():
    ns = NamespaceIndex(b":")
    for k in (b"user:1:name", b"user:1:mail", b"user:2:name", b"top"):
        ns.add(k)
    assert len(ns) == 4
    assert set(ns.root.folders) == {b"user"}
    assert ns.root.leaves == {b"top"}
    user = ns.root.folders[b"user"]
    assert user.count == 3 and set(user.folders) == {b"1", b"2"}
    assert user.folders[b"1"].leaves == {b"user:1:name", b"user:1:mail"}


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
    assert ns.root.leaves == {b"a"} and set(ns.root.folders) == {b"a"}
    assert b"a" in ns and b"a:b" in ns and b"a:c" not in ns


def test_empty_segments_and_other_delimiters():
    ns = NamespaceIndex(b"/")
    ns.add(b"/etc/hosts")
    ns.add(b"plain:key")
    assert set(ns.root.folders) == {b""}
    assert ns.root.folders[b""].folders[b"etc"].leaves == {b"/etc/hosts"}
    assert b"plain:key" in ns.root.leaves


def test_a_filter_keeps_only_matching_keys():
    from engine.glob import compile_glob
    ns = NamespaceIndex(b":", compile_glob(b"user:*").fullmatch)
    assert ns.add(b"cache:1") is None
    assert ns.add(b"user:1") is not None
    assert list(ns.keys()) == [b"user:1"]
