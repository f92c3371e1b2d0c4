"""The keyspace tree: exact, incremental, paged; fed by writes from real clients."""
from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt

from gui.keytree import KEY_ROLE, PAGE, KeyTreeModel, KeyTreePanel
from tests.gui.helpers import in_thread


def _rows(model, parent=QModelIndex()):
    """(name, type, count) of every listed row under parent (fetching all pages)."""
    while model.canFetchMore(parent):
        model.fetchMore(parent)
    return [tuple(model.index(r, c, parent).data() for c in range(3))
            for r in range(model.rowCount(parent))]


def _child(model, parent, name):
    for r in range(model.rowCount(parent)):
        idx = model.index(r, 0, parent)
        if idx.data() == name:
            return idx
    raise AssertionError(f"{name!r} not listed")


def _settled(model, source, db=0):
    return not model.building and len(model.ns) == source.dbsize(db)


def test_written_keys_show_up_in_folders_with_exact_counts(qtbot, embedded, client_factory,
                                                           model_check):
    server, source = embedded
    model = model_check(KeyTreeModel(source))
    _rows(model)
    r = client_factory()
    in_thread(qtbot, lambda: [r.set(k, "v") for k in
                              ("user:1:name", "user:1:mail", "user:2:name", "solo")])
    qtbot.waitUntil(lambda: model.rowCount() == 2, timeout=5000)
    assert _rows(model) == [("user", "", "3"), ("solo", "string", "")]
    user = _child(model, QModelIndex(), "user")
    assert _rows(model, user) == [("1", "", "2"), ("2", "", "1")]
    one = _child(model, user, "1")
    assert _rows(model, one) == [("mail", "string", ""), ("name", "string", "")]
    assert model.index(0, 0, one).data(KEY_ROLE) == b"user:1:mail"

    in_thread(qtbot, lambda: r.delete("user:1:mail", "user:1:name"))
    qtbot.waitUntil(lambda: model.rowCount(user) == 1, timeout=5000)
    assert _rows(model, user) == [("2", "", "1")]
    assert model.index(0, 2).data() == "1"           # the user folder's count followed


def test_existing_keys_are_indexed_in_slices_then_paged(qtbot, embedded, model_check):
    server, source = embedded
    db = server.engine.dbs[0]
    n = 3 * PAGE + 17
    for i in range(n):
        db.set(b"item:%05d" % i, b"x")
    db.set(b"alone", b"x")
    model = model_check(KeyTreeModel(source))
    qtbot.waitUntil(lambda: _settled(model, source), timeout=10_000)
    assert model.rowCount() == 2                     # the top level lists as it indexes
    item = _child(model, QModelIndex(), "item")
    assert item.siblingAtColumn(2).data() == f"{n:,}"
    listed = model.rowCount(item)          # 0 until asked (the model tester asks once)
    assert model.hasChildren(item) and listed in (0, PAGE)
    model.fetchMore(item)
    assert model.rowCount(item) == listed + PAGE     # one page at a time
    assert model.index(0, 0, item).data() == "00000"
    assert len(_rows(model, item)) == n
    assert model.index(n - 1, 0, item).data() == "%05d" % (n - 1)


def test_a_new_key_lands_at_its_sorted_row(qtbot, embedded, client_factory, model_check):
    server, source = embedded
    for k in (b"b", b"d", b"f:1"):
        server.engine.dbs[0].set(k, b"x")
    model = model_check(KeyTreeModel(source))
    qtbot.waitUntil(lambda: _settled(model, source), timeout=5000)
    assert [r[0] for r in _rows(model)] == ["f", "b", "d"]   # folders first
    r = client_factory()
    in_thread(qtbot, lambda: (r.set("c", 1), r.set("a:1", 1), r.set("a", 1)))
    qtbot.waitUntil(lambda: model.rowCount() == 6, timeout=5000)
    assert [r[0] for r in _rows(model)] == ["a", "f", "a", "b", "c", "d"]
    assert [r[1] for r in _rows(model)] == ["", "", "string", "string", "string", "string"]


def test_expired_keys_leave_the_tree(qtbot, embedded, client_factory, model_check):
    server, source = embedded
    model = model_check(KeyTreeModel(source))
    _rows(model)
    r = client_factory()
    in_thread(qtbot, lambda: (r.set("tmp:a", 1, px=150), r.set("keep", 1)))
    qtbot.waitUntil(lambda: model.rowCount() == 2, timeout=5000)
    qtbot.waitUntil(lambda: model.rowCount() == 1, timeout=5000)
    assert _rows(model) == [("keep", "string", "")]


def test_flushdb_empties_the_tree_and_new_keys_come_back(qtbot, embedded, client_factory,
                                                         model_check):
    server, source = embedded
    model = model_check(KeyTreeModel(source))
    _rows(model)
    r = client_factory()
    in_thread(qtbot, lambda: [r.set(f"k:{i}", i) for i in range(10)])
    qtbot.waitUntil(lambda: model.rowCount() == 1, timeout=5000)
    in_thread(qtbot, lambda: r.flushdb())
    qtbot.waitUntil(lambda: len(model.ns) == 0 and model.rowCount() == 0, timeout=5000)
    in_thread(qtbot, lambda: r.set("again", 1))
    qtbot.waitUntil(lambda: len(model.ns) == 1, timeout=5000)
    assert _rows(model) == [("again", "string", "")]


def test_filter_and_database_selector(qtbot, embedded, client_factory, model_check):
    server, source = embedded
    model = model_check(KeyTreeModel(source))
    r = client_factory()
    r2 = client_factory(db=2)
    in_thread(qtbot, lambda: ([r.set(k, 1) for k in ("user:1", "user:2", "cache:1")],
                              r2.set("other:db", 1)))
    qtbot.waitUntil(lambda: len(model.ns) == 3, timeout=5000)
    model.set_pattern(b"user:*")
    qtbot.waitUntil(lambda: not model.building, timeout=5000)
    assert [r[0] for r in _rows(model)] == ["user"] and len(model.ns) == 2
    in_thread(qtbot, lambda: (r.set("user:3", 1), r.set("cache:2", 1)))
    qtbot.waitUntil(lambda: len(model.ns) == 3, timeout=5000)
    assert model.index(0, 2).data() == "3"
    model.set_pattern(None)
    model.set_db(2)
    qtbot.waitUntil(lambda: _settled(model, source, 2), timeout=5000)
    assert [r[0] for r in _rows(model)] == ["other"]


def _storm(qtbot, r, n):
    def run():
        p = r.pipeline(transaction=False)
        for i in range(n):
            p.set(f"s:{i % 7}:{i}", i)
            if i % 3 == 0:
                p.delete(f"s:{(i - 3) % 7}:{i - 3}")
        p.execute()
    in_thread(qtbot, run)


def _listed_matches_engine(model, server):
    """Every listed row, fetched to the end, equals the engine's keys in tree order."""
    keys = set(server.engine.dbs[0].data)
    s = _child(model, QModelIndex(), "s")
    total = 0
    for row in _rows(model, s):
        sub = _child(model, s, row[0])
        listed = [model.index(i, 0, sub).data(KEY_ROLE) for i in range(len(_rows(model, sub)))]
        want = sorted(k for k in keys if k.startswith(b"s:%s:" % row[0].encode()))
        assert listed == want
        assert int(row[2].replace(",", "")) == len(want)
        total += len(want)
    return total == len(keys)


def test_tree_stays_consistent_under_writes_and_deletes(qtbot, embedded, client_factory,
                                                        model_check):
    server, source = embedded
    model = model_check(KeyTreeModel(source))     # Qt's tester re-checks on every change
    _rows(model)
    _storm(qtbot, client_factory(), 300)
    qtbot.waitUntil(lambda: len(model.ns) == source.dbsize(0), timeout=20_000)
    assert _listed_matches_engine(model, server)


def test_tree_stays_exact_under_a_write_storm(qtbot, embedded, client_factory):
    server, source = embedded
    model = KeyTreeModel(source)                  # (no tester: it is O(rows) per change)
    _rows(model)
    _storm(qtbot, client_factory(), 5000)
    qtbot.waitUntil(lambda: len(model.ns) == source.dbsize(0), timeout=20_000)
    assert _listed_matches_engine(model, server)


def test_panel_selecting_a_key_emits_it(qtbot, embedded):
    server, source = embedded
    server.engine.dbs[0].set(b"a:b:c", b"1")
    panel = KeyTreePanel(source)
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitUntil(lambda: _settled(panel.model, source), timeout=5000)
    with qtbot.waitSignal(panel.keySelected, timeout=2000) as sig:
        assert panel.reveal(b"a:b:c")
    assert sig.args == [0, b"a:b:c"]
    assert "1 keys in db0" in panel.status.text()
    assert panel.view.currentIndex().data(Qt.ToolTipRole) == "a:b:c"


def test_big_folders_page_from_a_sliced_sort_and_see_later_writes(qtbot, embedded,
                                                                  client_factory, model_check,
                                                                  monkeypatch):
    import gui.keytree as kt
    monkeypatch.setattr(kt, "BIG_FOLDER", 500)
    monkeypatch.setattr(kt._SortedPager, "CHUNK", 128)
    server, source = embedded
    db = server.engine.dbs[0]
    for i in range(0, 3000, 2):                       # even numbers now, odd ones later
        db.set(b"big:%05d" % i, b"x")
    model = model_check(KeyTreeModel(source))
    qtbot.waitUntil(lambda: _settled(model, source), timeout=10_000)
    big = _child(model, QModelIndex(), "big")
    model.fetchMore(big)
    qtbot.waitUntil(lambda: model.rowCount(big) >= PAGE, timeout=5000)   # sorted in slices
    assert model.index(0, 0, big).data() == "00000"
    r = client_factory()
    in_thread(qtbot, lambda: (r.set("big:00001", 1),        # lands inside the listed rows
                              r.set("big:02999", 1),        # beyond them: merged in later
                              r.delete("big:02998")))
    qtbot.waitUntil(lambda: model.index(1, 0, big).data() == "00001", timeout=5000)
    names = [row[0] for row in _rows(model, big)]
    expected = sorted([f"{i:05d}" for i in range(0, 3000, 2) if i != 2998] + ["00001", "02999"])
    assert names == expected
