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


def _live_model(embedded, model_check, client_factory):
    """A tree over the (empty) database under Qt's model tester, its top level listed,
    and a client to write with."""
    server, source = embedded
    model = model_check(KeyTreeModel(source))
    _rows(model)
    return server, model, client_factory()


def test_written_keys_show_up_in_folders_with_exact_counts(qtbot, embedded, client_factory,
                                                           model_check):
    _, model, r = _live_model(embedded, model_check, client_factory)
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
    _, model, r = _live_model(embedded, model_check, client_factory)
    in_thread(qtbot, lambda: (r.set("tmp:a", 1, px=150), r.set("keep", 1)))
    qtbot.waitUntil(lambda: model.rowCount() == 2, timeout=5000)
    qtbot.waitUntil(lambda: model.rowCount() == 1, timeout=5000)
    assert _rows(model) == [("keep", "string", "")]


def test_flushdb_empties_the_tree_and_new_keys_come_back(qtbot, embedded, client_factory,
                                                         model_check):
    _, model, r = _live_model(embedded, model_check, client_factory)
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
    monkeypatch.setattr(kt.SortedPager, "CHUNK", 128)
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


def _open_folder_panel(qtbot, embedded, n: int, check=None):
    """A shown panel whose folder ``feed`` (n keys) is open, its first key current."""
    server, source = embedded
    db = server.engine.dbs[0]
    for i in range(n):
        db.set(b"feed:%05d" % i, b"x")
    panel = KeyTreePanel(source)
    if check is not None:
        check(panel.model)
    qtbot.addWidget(panel)
    panel.resize(500, 600)
    panel.show()
    qtbot.waitUntil(lambda: _settled(panel.model, source), timeout=10_000)
    assert panel.reveal(b"feed:00000")
    feed = _child(panel.model, QModelIndex(), "feed")
    return panel, feed


def _listed_keys(model, parent):
    return [model.index(r, 0, parent).data(KEY_ROLE) for r in range(model.rowCount(parent))]


def _feed_new_keys(qtbot, r, batches: int, per_batch: int):
    """New keys sorting inside the open folder's listing, one change-feed batch each."""
    def write():
        import time
        for b in range(batches):
            p = r.pipeline(transaction=False)
            for i in range(per_batch):
                p.set(f"feed:00000-{b}-{i:03d}", "y")
            p.execute()
            time.sleep(0.15)
    in_thread(qtbot, write)


def _fed_folder_stays_paged(qtbot, embedded, client_factory, page, n, batches, per_batch,
                            check=None):
    server, source = embedded
    panel, feed = _open_folder_panel(qtbot, embedded, n, check)
    model = panel.model
    listed = model.rowCount(feed)
    assert page <= listed < n
    _feed_new_keys(qtbot, client_factory(), batches, per_batch)
    qtbot.waitUntil(lambda: _settled(model, source), timeout=10_000)
    qtbot.wait(50)
    # the listing stayed within a page past what was paged in (not a page more per
    # relayout, not every inserted row), and is still the folder's sorted prefix
    rows = model.rowCount(feed)
    assert listed <= rows <= listed + page, (listed, rows)
    engine_keys = sorted(k for k in server.engine.dbs[0].data if k.startswith(b"feed:"))
    assert _listed_keys(model, feed) == engine_keys[:rows]
    assert feed.siblingAtColumn(2).data() == f"{n + batches * per_batch:,}"
    assert panel.view.currentIndex().data(KEY_ROLE) == b"feed:00000"


def test_an_open_folder_fed_new_keys_stays_paged_and_keeps_the_current_key(
        qtbot, embedded, client_factory, model_check, monkeypatch):
    import gui.keytree as kt
    monkeypatch.setattr(kt, "PAGE", 16)          # small pages: the tester is O(rows)
    _fed_folder_stays_paged(qtbot, embedded, client_factory, 16, 100, 4, 20, model_check)


def test_an_open_folder_fed_many_new_keys_stays_paged(qtbot, embedded, client_factory):
    # real pages (no tester: it is O(rows) per change)
    _fed_folder_stays_paged(qtbot, embedded, client_factory, PAGE, 2000, 6, 200)


def test_new_sub_folders_never_cut_the_folder_holding_the_current_key(
        qtbot, embedded, client_factory, model_check, monkeypatch):
    import gui.keytree as kt
    monkeypatch.setattr(kt, "PAGE", 16)
    server, source = embedded
    for i in range(60):
        server.engine.dbs[0].set(b"tree:%03d:k" % i, b"x")
    panel = KeyTreePanel(source)
    model = model_check(panel.model)
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitUntil(lambda: _settled(model, source), timeout=10_000)
    assert panel.reveal(b"tree:040:k")          # pages the folder down to row 40
    tree = _child(model, QModelIndex(), "tree")
    before = model.rowCount(tree)
    r = client_factory()
    in_thread(qtbot, lambda: [r.set(f"tree:000-{i:02d}:k", 1) for i in range(50)])
    qtbot.waitUntil(lambda: _settled(model, source), timeout=10_000)
    qtbot.wait(50)
    names = sorted({k.split(b":")[1] for k in server.engine.dbs[0].data})
    listed = [model.index(i, 0, tree).data().encode() for i in range(model.rowCount(tree))]
    assert listed == names[:len(listed)] and b"040" in listed
    assert len(listed) < before + 50            # cut back, down to the current folder
    assert panel.view.currentIndex().data(KEY_ROLE) == b"tree:040:k"
    assert tree.siblingAtColumn(2).data() == "110"


def test_scrolling_to_the_end_of_an_open_folder_lists_the_next_page(qtbot, embedded,
                                                                    model_check, monkeypatch):
    import gui.keytree as kt
    monkeypatch.setattr(kt, "PAGE", 16)
    server, source = embedded
    panel, feed = _open_folder_panel(qtbot, embedded, 100, model_check)
    model = panel.model
    listed = model.rowCount(feed)
    assert not model.canFetchMore(feed)      # the view is not told: the panel pages
    panel.view.scrollToBottom()
    qtbot.waitUntil(lambda: model.rowCount(feed) > listed, timeout=5000)
    engine_keys = sorted(k for k in server.engine.dbs[0].data if k.startswith(b"feed:"))
    assert _listed_keys(model, feed) == engine_keys[:model.rowCount(feed)]
    for _ in range(20):                      # to the end: everything, once
        panel.view.scrollToBottom()
        qtbot.wait(20)
    qtbot.waitUntil(lambda: model.rowCount(feed) == 100, timeout=5000)
    assert _listed_keys(model, feed) == engine_keys


# ---------------------------------------------------------------------- bytes and TTLs
def _engine_bytes(server, prefix: bytes, db: int = 0) -> int:
    """What the engine charges for the keys under prefix (its own accounting, exact)."""
    from engine.memory import charged, flush_dirty
    d = server.engine.dbs[db]
    flush_dirty(d)
    return sum(charged(d, k, v) for k, v in d.data.items() if k.startswith(prefix))


def _folder(model, prefix: bytes):
    return model.ns.folder_at(prefix)


def _cells(model, parent=QModelIndex()):
    """Every column of every listed row under parent (fetching all pages)."""
    while model.canFetchMore(parent):
        model.fetchMore(parent)
    return {model.index(r, 0, parent).data(): tuple(model.index(r, c, parent).data()
                                                    for c in range(5))
            for r in range(model.rowCount(parent))}


def _fill_types(r):
    r.set("app:str", "x" * 100)
    r.hset("app:h", mapping={f"f{i}": "v" * i for i in range(20)})
    r.rpush("app:l", *[f"item-{i}" for i in range(50)])
    r.sadd("app:s", *range(30))
    r.zadd("app:z", {f"m{i}": i for i in range(40)})
    r.xadd("app:x", {"a": 1, "b": "two"})
    r.set("other:1", "y")


def test_folder_bytes_are_the_engine_charges_kept_live(qtbot, embedded, client_factory,
                                                       model_check):
    from gui.keytree import human
    server, model, r = _live_model(embedded, model_check, client_factory)
    in_thread(qtbot, lambda: _fill_types(r))
    d = server.engine.dbs[0]

    def exact():
        app, other = _folder(model, b"app:"), _folder(model, b"other:")
        return (app is not None and other is not None and
                app.bytes == _engine_bytes(server, b"app:") and
                other.bytes == _engine_bytes(server, b"other:") and
                model.ns.root.bytes == d.mem and len(model.ns) == len(d.data))
    qtbot.waitUntil(exact, timeout=5000)
    assert _folder(model, b"app:").count == 6
    cells = _cells(model)
    assert cells["app"][3] == human(_engine_bytes(server, b"app:"))
    # a key row shows its own charge; its tooltip the exact number
    app = _child(model, QModelIndex(), "app")
    rows = _cells(model, app)
    assert rows["h"][1] == "hash" and rows["x"][1] == "stream"
    from engine.memory import charged
    hidx = _child(model, app, "h").siblingAtColumn(3)
    assert hidx.data(Qt.ToolTipRole) == f"{charged(d, b'app:h', d.data[b'app:h']):,} bytes"

    # growth, shrinking, deletion and rename all move the sums
    in_thread(qtbot, lambda: (r.append("app:str", "y" * 5000),
                              r.rpush("app:l", *range(500)),
                              r.hset("app:h", "big", "z" * 300),
                              r.srem("app:s", *range(10))))
    qtbot.waitUntil(exact, timeout=5000)
    in_thread(qtbot, lambda: (r.delete("app:z"), r.rename("app:x", "other:x")))
    qtbot.waitUntil(exact, timeout=5000)
    assert _folder(model, b"app:").count == 4 and _folder(model, b"other:").count == 2


def test_expiring_share_follows_expire_persist_and_expiry(qtbot, embedded, client_factory,
                                                          model_check):
    server, model, r = _live_model(embedded, model_check, client_factory)
    in_thread(qtbot, lambda: [r.set(f"s:{i}", i) for i in range(4)])
    qtbot.waitUntil(lambda: len(model.ns) == 4, timeout=5000)

    def ttl_cell():
        return model.index(0, 4).data()
    assert ttl_cell() == ""
    in_thread(qtbot, lambda: (r.expire("s:0", 100), r.expire("s:1", 3600)))
    qtbot.waitUntil(lambda: ttl_cell() == "50% expiring", timeout=5000)
    assert model.index(0, 4).data(Qt.ToolTipRole) == "2 of 4 keys have a TTL"
    s = _child(model, QModelIndex(), "s")
    rows = _cells(model, s)
    assert rows["0"][4] in ("1m 40s", "1m 39s") and rows["1"][4] in ("1h 0m", "59m 59s")
    assert rows["2"][4] == ""
    in_thread(qtbot, lambda: r.persist("s:1"))
    qtbot.waitUntil(lambda: ttl_cell() == "25% expiring", timeout=5000)
    in_thread(qtbot, lambda: r.set("s:4", 4, px=300))
    qtbot.waitUntil(lambda: ttl_cell() == "40% expiring", timeout=5000)
    qtbot.waitUntil(lambda: ttl_cell() == "25% expiring" and len(model.ns) == 4,
                    timeout=5000)                           # s:4 expired and left
    assert _folder(model, b"s:").ttl == 1 == len(server.engine.dbs[0].expires)
    in_thread(qtbot, lambda: r.persist("s:0"))
    qtbot.waitUntil(lambda: ttl_cell() == "", timeout=5000)


# ---------------------------------------------------------------------- filters
def _shown(model):
    return sorted(model.ns.keys())


def test_type_and_size_filters_follow_writes(qtbot, embedded, client_factory, model_check):
    from gui.treefilter import TreeFilter
    server, source = embedded
    model = model_check(KeyTreeModel(source))
    r = client_factory()
    in_thread(qtbot, lambda: (r.set("k:str", "x"), r.hset("k:h", "a", 1),
                              r.rpush("k:l", 1, 2)))
    qtbot.waitUntil(lambda: len(model.ns) == 3, timeout=5000)
    model.set_filter(TreeFilter(type="hash"))
    qtbot.waitUntil(lambda: not model.building and _shown(model) == [b"k:h"], timeout=5000)
    in_thread(qtbot, lambda: (r.delete("k:str"), r.hset("k:str", "now", "a hash")))
    qtbot.waitUntil(lambda: _shown(model) == [b"k:h", b"k:str"], timeout=5000)
    assert _cells(model)["k"][2] == "2"

    model.set_filter(TreeFilter(min_length=3))
    qtbot.waitUntil(lambda: not model.building and _shown(model) == [], timeout=5000)
    in_thread(qtbot, lambda: r.rpush("k:l", 3))             # 3 elements now
    qtbot.waitUntil(lambda: _shown(model) == [b"k:l"], timeout=5000)
    in_thread(qtbot, lambda: r.lpop("k:l"))
    qtbot.waitUntil(lambda: _shown(model) == [], timeout=5000)

    model.set_filter(TreeFilter(pattern=b"k:*", min_bytes=1000))
    qtbot.waitUntil(lambda: not model.building and _shown(model) == [], timeout=5000)
    in_thread(qtbot, lambda: r.set("k:blob", "b" * 2000))
    qtbot.waitUntil(lambda: _shown(model) == [b"k:blob"], timeout=5000)
    assert _folder(model, b"k:").bytes == _engine_bytes(server, b"k:blob") > 2000
    in_thread(qtbot, lambda: r.set("k:blob", "small"))
    qtbot.waitUntil(lambda: _shown(model) == [], timeout=5000)


def test_ttl_filters_follow_writes_and_time(qtbot, embedded, client_factory, model_check):
    from gui.treefilter import TreeFilter
    server, source = embedded
    model = model_check(KeyTreeModel(source))
    r = client_factory()
    in_thread(qtbot, lambda: (r.set("t:none", 1), r.set("t:far", 1, ex=1000),
                              r.set("t:soon", 1, px=1800)))
    qtbot.waitUntil(lambda: len(model.ns) == 3, timeout=5000)
    model.set_filter(TreeFilter(ttl=("none",)))
    qtbot.waitUntil(lambda: not model.building and _shown(model) == [b"t:none"], timeout=5000)
    in_thread(qtbot, lambda: r.persist("t:far"))
    qtbot.waitUntil(lambda: _shown(model) == [b"t:far", b"t:none"], timeout=5000)
    in_thread(qtbot, lambda: r.expire("t:far", 1000))
    qtbot.waitUntil(lambda: _shown(model) == [b"t:none"], timeout=5000)

    # "expiring within 1 s": t:soon is not in yet, enters by time alone, leaves on expiry
    model.set_filter(TreeFilter(ttl=("within", 1000)))
    qtbot.waitUntil(lambda: not model.building, timeout=5000)
    if source.key_meta(0, [b"t:soon"])[b"t:soon"][2] - source.now_ms() > 1100:
        assert _shown(model) == []
    qtbot.waitUntil(lambda: _shown(model) == [b"t:soon"], timeout=3000)
    left = server.engine.dbs[0].expires[b"t:soon"] - source.now_ms()
    assert left <= 1000                                     # not a moment too early
    qtbot.waitUntil(lambda: _shown(model) == [], timeout=3000)
    in_thread(qtbot, lambda: r.pexpire("t:far", 500))        # a write brings it in
    qtbot.waitUntil(lambda: _shown(model) == [b"t:far"], timeout=3000)

    # "TTL between 1 s and 2 s": enters at 2 s left, leaves below 1 s left
    in_thread(qtbot, lambda: r.set("t:mid", 1, px=2600))
    model.set_filter(TreeFilter(ttl=("between", 1000, 2000)))
    qtbot.waitUntil(lambda: _shown(model) == [b"t:mid"], timeout=3000)
    assert server.engine.dbs[0].expires[b"t:mid"] - source.now_ms() <= 2000
    qtbot.waitUntil(lambda: _shown(model) == [], timeout=3000)
    assert b"t:mid" in server.engine.dbs[0].data            # it left before it expired
    assert in_thread(qtbot, lambda: r.exists("t:none")) == 1


def test_filter_bar_applies_typed_values_and_rejects_bad_ones(qtbot, embedded,
                                                              client_factory):
    from PySide6.QtTest import QTest
    server, source = embedded
    panel = KeyTreePanel(source)
    qtbot.addWidget(panel)
    panel.show()
    r = client_factory()
    in_thread(qtbot, lambda: (r.set("a:1", 1, ex=30), r.set("a:2", 2), r.hset("b", "f", 1)))
    qtbot.waitUntil(lambda: len(panel.model.ns) == 3, timeout=5000)
    bar = panel.filters
    bar.ttl_combo.setCurrentIndex(bar.ttl_combo.findData("within"))
    assert bar.ttl_a.isVisible() and panel.model.filter.ttl == ("any",)
    QTest.keyClicks(bar.ttl_a, "soon")
    QTest.keyClick(bar.ttl_a, Qt.Key_Return)
    assert bar.error.text() == "'soon' is not a duration" and bar.error.isVisible()
    assert panel.model.filter.ttl == ("any",)            # nothing applied
    bar.ttl_a.clear()
    QTest.keyClicks(bar.ttl_a, "1m")
    QTest.keyClick(bar.ttl_a, Qt.Key_Return)
    assert bar.error.text() == "" and panel.model.filter.ttl == ("within", 60_000)
    qtbot.waitUntil(lambda: not panel.model.building and _shown(panel.model) == [b"a:1"],
                    timeout=5000)
    assert "expiring within 1m" in panel.status.text()
    bar.ttl_combo.setCurrentIndex(bar.ttl_combo.findData("any"))
    bar.type_combo.setCurrentIndex(bar.type_combo.findData("hash"))
    qtbot.waitUntil(lambda: not panel.model.building and _shown(panel.model) == [b"b"],
                    timeout=5000)
    bar.size_combo.setCurrentIndex(bar.size_combo.findData("bytes"))
    QTest.keyClicks(bar.size_edit, "12 parsecs")
    QTest.keyClick(bar.size_edit, Qt.Key_Return)
    assert bar.error.text().startswith("unknown unit 'parsecs'")
    bar.size_edit.clear()
    QTest.keyClicks(bar.size_edit, "1k")
    QTest.keyClick(bar.size_edit, Qt.Key_Return)
    assert panel.model.filter.min_bytes == 1024 and panel.model.filter.type == "hash"
    qtbot.waitUntil(lambda: not panel.model.building and _shown(panel.model) == [],
                    timeout=5000)


# ---------------------------------------------------------------------- bulk actions
def _menu_action(qtbot, panel, folder_name: str, starts: str):
    """Right-click a top-level folder row like a user; the menu's action starting with
    ``starts``."""
    idx = _child(panel.model, QModelIndex(), folder_name)
    pos = panel.view.visualRect(idx).center()
    panel.view.customContextMenuRequested.emit(pos)
    assert panel.menu is not None
    for a in panel.menu.actions():
        if a.text().startswith(starts):
            return a
    raise AssertionError([a.text() for a in panel.menu.actions()])


def test_bulk_delete_by_folder_shows_the_count_first_then_deletes_in_slices(
        qtbot, embedded, client_factory, model_check, monkeypatch):
    import gui.bulk as bulk
    from PySide6.QtTest import QTest
    monkeypatch.setattr(bulk, "UNLINK_BATCH", 4)
    monkeypatch.setattr(bulk, "SLICE_S", 0.0)               # one batch per Qt turn
    server, source = embedded
    panel = KeyTreePanel(source)
    qtbot.addWidget(panel)
    # model_check(panel.model)
    panel.show()
    r = client_factory()

    def fill():
        p = r.pipeline(transaction=False)
        for i in range(60):
            p.set(f"del:{i % 5}:{i}", i)
        p.hset("del:h", "f", 1)
        for i in range(7):
            p.set(f"keep:{i}", i)
        p.execute()
    in_thread(qtbot, fill)
    qtbot.waitUntil(lambda: len(panel.model.ns) == 68, timeout=5000)
    action = _menu_action(qtbot, panel, "del", "Delete 61 keys")
    action.trigger()
    bar = panel.bulk
    assert bar.isVisible() and "Delete 61 keys under del:* of db0?" in bar.title.text()
    assert in_thread(qtbot, lambda: r.dbsize()) == 68        # a dry run: nothing yet
    in_thread(qtbot, lambda: r.set("del:late", 1))           # the count stays exact
    qtbot.waitUntil(lambda: bar.go.text() == "Delete 62 keys", timeout=5000)
    progress = []
    with qtbot.waitSignal(bar.done, timeout=20_000) as sig:
        QTest.mouseClick(bar.go, Qt.LeftButton)
        bar.job.progress.connect(lambda d, t: progress.append((d, t)))
    assert sig.args == [True, "Deleted 62 keys under del:*"]
    assert len([p for p in progress if p[1] > 0]) >= 62 // 4    # in slices
    assert in_thread(qtbot, lambda: (r.dbsize(), r.exists("del:0:0", "del:h", "del:late"),
                                     r.exists("keep:0"))) == (7, 0, 1)
    qtbot.waitUntil(lambda: len(panel.model.ns) == 7, timeout=5000)
    assert [row[0] for row in _rows(panel.model)] == ["keep"]
    assert bar.status.text() == "Deleted 62 keys under del:*"
    QTest.mouseClick(bar.cancel, Qt.LeftButton)
    assert not bar.isVisible()


def test_bulk_ttl_by_folder_with_a_filter_touches_only_matching_keys(
        qtbot, embedded, client_factory, model_check):
    from PySide6.QtTest import QTest
    from gui.treefilter import TreeFilter
    server, source = embedded
    panel = KeyTreePanel(source)
    qtbot.addWidget(panel)
    # model_check(panel.model)
    panel.show()
    r = client_factory()
    in_thread(qtbot, lambda: ([r.hset(f"u:{i}", "f", i) for i in range(20)],
                              [r.set(f"u:s{i}", i) for i in range(5)], r.set("v", 1)))
    qtbot.waitUntil(lambda: len(panel.model.ns) == 26, timeout=5000)
    panel.model.set_filter(TreeFilter(type="hash"))
    qtbot.waitUntil(lambda: not panel.model.building and len(panel.model.ns) == 20,
                    timeout=5000)
    _menu_action(qtbot, panel, "u", "Set TTL on 20 keys").trigger()
    bar = panel.bulk
    assert "Set a TTL on 20 keys under u:* of db0 (type hash)" in bar.title.text()
    QTest.keyClicks(bar.ttl_amount, "-5")
    QTest.mouseClick(bar.go, Qt.LeftButton)
    assert "must be positive" in bar.status.text() and bar.job is None
    bar.ttl_amount.clear()
    QTest.keyClicks(bar.ttl_amount, "100")
    with qtbot.waitSignal(bar.done, timeout=20_000) as sig:
        QTest.mouseClick(bar.go, Qt.LeftButton)
    assert sig.args == [True, "Set a TTL on 20 keys under u:*"]
    ttls = in_thread(qtbot, lambda: ([r.ttl(f"u:{i}") for i in range(20)],
                                     [r.ttl(f"u:s{i}") for i in range(5)], r.ttl("v")))
    assert all(95 <= t <= 100 for t in ttls[0]) and ttls[1] == [-1] * 5 and ttls[2] == -1
    qtbot.waitUntil(lambda: panel.model.index(0, 4).data() == "100% expiring",
                    timeout=5000)


def test_bulk_delete_of_everything_shown_from_the_blank_area(qtbot, embedded,
                                                             client_factory):
    from PySide6.QtCore import QPoint
    from PySide6.QtTest import QTest
    server, source = embedded
    panel = KeyTreePanel(source)
    qtbot.addWidget(panel)
    panel.resize(500, 600)
    panel.show()
    r = client_factory()
    in_thread(qtbot, lambda: (r.set("x:1", 1), r.set("x:2", 2, ex=50), r.set("y", 1)))
    qtbot.waitUntil(lambda: len(panel.model.ns) == 3, timeout=5000)
    panel.filter_edit.setText("x:*")
    QTest.keyClick(panel.filter_edit, Qt.Key_Return)
    qtbot.waitUntil(lambda: not panel.model.building and len(panel.model.ns) == 2,
                    timeout=5000)
    blank = QPoint(10, panel.view.viewport().height() - 5)
    assert not panel.view.indexAt(blank).isValid()
    panel.view.customContextMenuRequested.emit(blank)
    [a for a in panel.menu.actions() if a.text().startswith("Delete 2 keys")][0].trigger()
    assert "Delete 2 keys in the tree of db0 (matching x:*)?" in panel.bulk.title.text()
    with qtbot.waitSignal(panel.bulk.done, timeout=10_000) as sig:
        QTest.mouseClick(panel.bulk.go, Qt.LeftButton)
    assert sig.args == [True, "Deleted 2 keys in the tree"]
    assert in_thread(qtbot, lambda: r.keys("*")) == [b"y"]


# ---------------------------------------------------------------------- big databases
def test_a_big_database_builds_in_slices_with_exact_sums(qtbot, embedded):
    """200k keys put straight into the engine: the build takes many slices (the loop
    keeps turning), and the sums come out equal to the engine's own total."""
    server, source = embedded
    d = server.engine.dbs[0]
    for i in range(200_000):
        d.set(b"big:%d:%d" % (i % 100, i), b"v%d" % i)
        if i % 4 == 0:
            d.set_expire(b"big:%d:%d" % (i % 100, i), source.now_ms() + 3_600_000)
    model = KeyTreeModel(source)
    steps = []
    model.progress.connect(lambda building, done, total: steps.append(building))
    qtbot.waitUntil(lambda: _settled(model, source), timeout=120_000)
    assert steps.count(True) >= 10
    root = model.ns.root
    assert (root.count, root.bytes, root.ttl) == (200_000, d.mem, 50_000)
    assert _cells(model)["big"][4] == "25% expiring"


# ---------------------------------------------------------------------- remote mode
def test_remote_mode_shows_ttls_and_never_invents_bytes(qtbot, qapp, model_check):
    import redis
    from PySide6.QtTest import QTest
    from gui.keytree import REMOTE_MEMORY_TIP, human
    from gui.source import RemoteSource
    from tests.conftest import REDIS_SERVER, get_server
    if REDIS_SERVER is None:
        import pytest
        pytest.skip("redis-server is not installed")
    srv = get_server("redis")
    r = redis.Redis(port=srv.port, db=9)
    r.flushdb()
    r.set("r:a", "x", ex=100)
    r.set("r:b", "y")
    r.hset("r:h", mapping={"f": "v"})
    r.set("s:1", 1)
    source = RemoteSource(f"redis://127.0.0.1:{srv.port}")
    panel = None
    try:
        panel = KeyTreePanel(source)
        qtbot.addWidget(panel)
        model = model_check(panel.model)
        panel.show()
        panel.db_combo.setCurrentIndex(9)
        qtbot.waitUntil(lambda: model.db == 9 and not model.building and len(model.ns) == 4,
                        timeout=10_000)
        cells = _cells(model)
        assert cells["r"][2:] == ("3", "", "33% expiring")
        folder = _child(model, QModelIndex(), "r")
        assert folder.siblingAtColumn(3).data(Qt.ToolTipRole) == REMOTE_MEMORY_TIP
        rows = _cells(model, folder)
        assert rows["a"][1] == "string" and rows["a"][4] in ("1m 40s", "1m 39s")
        assert rows["h"][1] == "hash" and rows["h"][3] == "" and rows["b"][4] == ""
        assert "(SCAN, sampled)" in panel.status.text() and " B" not in panel.status.text()
        # a key opened in the key view (MEMORY USAGE read) shows its bytes from then on
        with qtbot.waitSignal(panel.keySelected, timeout=2000):
            assert panel.reveal(b"r:h")
        info = source.key_info(9, b"r:h")
        assert info.memory and _cells(model, folder)["h"][3] == human(info.memory)
        # the memory filter is not offered remotely: said plainly
        bar = panel.filters
        bar.size_combo.setCurrentIndex(bar.size_combo.findData("bytes"))
        QTest.keyClicks(bar.size_edit, "10")
        QTest.keyClick(bar.size_edit, Qt.Key_Return)
        assert "MEMORY USAGE on every key" in bar.error.text()
        assert panel.model.filter.min_bytes is None
        # bulk delete: the name must be typed to confirm
        _menu_action(qtbot, panel, "r", "Delete 3 keys").trigger()
        assert not panel.bulk.go.isEnabled()
        QTest.keyClicks(panel.bulk.typed, "r:")
        assert panel.bulk.go.isEnabled()
        with qtbot.waitSignal(panel.bulk.done, timeout=10_000) as sig:
            QTest.mouseClick(panel.bulk.go, Qt.LeftButton)
        assert sig.args == [True, "Deleted 3 keys under r:*"]
        assert r.keys("*") == [b"s:1"]
        qtbot.waitUntil(lambda: len(model.ns) == 1, timeout=5000)    # no feed: told
    finally:
        if panel is not None:
            panel.bulk.close_or_stop()
        source.close()
        r.flushdb()
        r.close()


def test_writes_that_bypass_the_feed_are_reconciled_count_and_bytes(qtbot, embedded,
                                                                    model_check):
    server, source = embedded
    d = server.engine.dbs[0]
    d.set(b"n:1", b"x")
    d.set(b"n:2", b"x")
    model = model_check(KeyTreeModel(source))
    qtbot.waitUntil(lambda: _settled(model, source), timeout=5000)
    d.set(b"n:1", b"y" * 500)                   # no Client.written: the feed never hears
    assert model.ns.root.bytes != d.mem
    qtbot.waitUntil(lambda: model.ns.root.bytes == d.mem, timeout=10_000)
    assert _folder(model, b"n:").bytes == _engine_bytes(server, b"n:")
    d.set(b"n:3", b"z")
    qtbot.waitUntil(lambda: len(model.ns) == 3 and model.ns.root.bytes == d.mem,
                    timeout=10_000)


def test_evicted_keys_leave_with_their_bytes(qtbot, embedded, client_factory, model_check):
    server, model, r = _live_model(embedded, model_check, client_factory)
    d = server.engine.dbs[0]

    def fill():
        used = int(r.info("memory")["used_memory"])
        r.config_set("maxmemory-policy", "allkeys-random")
        r.config_set("maxmemory", str(used + 60_000))
        for i in range(200):
            r.set(f"ev:{i % 4}:{i}", "v" * 1000)
        return int(r.info("stats")["evicted_keys"]), r.dbsize()
    evicted, size = in_thread(qtbot, fill)
    assert evicted > 0 and size < 200
    qtbot.waitUntil(lambda: len(model.ns) == len(d.data) and model.ns.root.bytes == d.mem,
                    timeout=5000)
    assert _folder(model, b"ev:").bytes == _engine_bytes(server, b"ev:")
    in_thread(qtbot, lambda: r.config_set("maxmemory", "0"))


def test_a_bulk_job_can_be_stopped_midway(qtbot, embedded, client_factory, monkeypatch):
    import gui.bulk as bulk
    from PySide6.QtTest import QTest
    monkeypatch.setattr(bulk, "UNLINK_BATCH", 1)
    monkeypatch.setattr(bulk, "SLICE_S", 0.0)
    server, source = embedded
    panel = KeyTreePanel(source)
    qtbot.addWidget(panel)
    panel.show()
    r = client_factory()
    in_thread(qtbot, lambda: [r.set(f"q:{i}", i) for i in range(50)])
    qtbot.waitUntil(lambda: len(panel.model.ns) == 50, timeout=5000)
    _menu_action(qtbot, panel, "q", "Delete 50 keys").trigger()
    bar = panel.bulk
    QTest.mouseClick(bar.go, Qt.LeftButton)
    qtbot.waitUntil(lambda: bar.job.pos >= 5, timeout=5000)
    assert bar.cancel.text() == "Stop"
    with qtbot.waitSignal(bar.done, timeout=5000) as sig:
        QTest.mouseClick(bar.cancel, Qt.LeftButton)
    ok, text = sig.args
    deleted = bar.job.affected
    assert not ok and text == f"Stopped: deleted {deleted:,} keys under q:*"
    assert 5 <= deleted < 50
    assert in_thread(qtbot, lambda: r.dbsize()) == 50 - deleted
    qtbot.waitUntil(lambda: len(panel.model.ns) == 50 - deleted, timeout=5000)
