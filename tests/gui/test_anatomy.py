"""The key view's memory anatomy: components that add up to MEMORY USAGE as a real client
reads it, the allocations MEMORY USAGE leaves out, thresholds with their warning, the
badge when an encoding changes, and what a remote server can (not) tell."""
from __future__ import annotations

import pytest
import redis
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from gui.anatomy import WARN
from gui.keyview import KeyView
from tests.conftest import REDIS_SERVER, ServerProc
from tests.gui.helpers import in_thread
from tests.gui.panel_utils import key_view


def _view(qtbot, source, model_check) -> KeyView:
    view = key_view(qtbot, source, size=(900, 900))
    model_check(view.anatomy.parts_model)
    model_check(view.anatomy.thresholds_model)
    QTest.mouseClick(view.anatomy.toggle, Qt.LeftButton)       # expand the box
    assert view.anatomy.body.isVisible()
    return view


def _counted(view) -> list:
    return [r for r in view.anatomy.parts_model.rows if r[5]]


def _outside(view) -> dict:
    return {r[0]: r[1] for r in view.anatomy.parts_model.rows if not r[5]}


def test_components_add_up_to_memory_usage_as_the_client_reads_it(qtbot, embedded,
                                                                 client_factory,
                                                                 model_check):
    server, source = embedded
    r = client_factory()

    def write():
        r.hset("user:1", mapping={"name": "Ada", "visits": 42, "bio": "x" * 50})
        r.hset("big:hash", mapping={f"field:{i}": "v" * (i % 90) for i in range(700)})
        r.zadd("board", {f"player:{i}": i * 1.5 for i in range(300)})
        r.rpush("queue", *[f"job-{i}" for i in range(3000)])
        r.sadd("ids", *range(100))
        r.set("session", "s" * 100, ex=300)
        r.xadd("events", {"kind": "login", "user": "1"})
        return {k: r.memory_usage(k, samples=0) for k in
                ("user:1", "big:hash", "board", "queue", "ids", "session", "events")}
    usage = in_thread(qtbot, write)
    view = _view(qtbot, source, model_check)
    encodings = {}
    for key, expected in usage.items():
        view.show_key(0, key.encode())
        rows = _counted(view)
        assert sum(b for _, b, *_ in rows) == expected, key
        assert f"{expected:,} bytes" in view.anatomy.total_label.text()
        assert "exact model" in view.anatomy.summary.text()
        assert abs(sum(r[2] for r in rows) - 1.0) < 1e-9           # shares
        assert rows[0][0] == "dict entry" and rows[1][0] == "key sds"
        assert ("access metadata (LRU/LFU)", 0) in [(x[0], x[1]) for x in rows]
        assert "keyscope itself holds ~" in view.anatomy.python_label.text()
        encodings[key] = view.anatomy.anatomy.encoding
    real = in_thread(qtbot, lambda: {k: r.object("encoding", k).decode() for k in usage})
    assert encodings == real
    # the TTL'd key: its expire entry is shown, outside the MEMORY USAGE total
    view.show_key(0, b"session")
    assert _outside(view)["expire entry"] >= 32
    view.show_key(0, b"big:hash")
    assert "expire entry" not in _outside(view)
    assert _outside(view)["element dict entry rounding"] == 700 * 8


def test_reading_the_anatomy_leaves_no_trace_in_the_servers_stats(qtbot, embedded,
                                                                  client_factory,
                                                                  model_check):
    server, source = embedded
    r = client_factory()
    in_thread(qtbot, lambda: r.hset("h", mapping={f"f{i}": i for i in range(50)}))
    view = _view(qtbot, source, model_check)
    st = server.engine.stats
    before = (st.commands, st.keyspace_hits, st.keyspace_misses)
    view.show_key(0, b"h")
    view.anatomy.recompute()
    assert (st.commands, st.keyspace_hits, st.keyspace_misses) == before
    assert view.anatomy.anatomy.total > 0


def test_a_hash_pushed_over_its_threshold_gets_a_badge_naming_it(qtbot, embedded,
                                                                 client_factory,
                                                                 model_check):
    server, source = embedded
    r = client_factory()

    def near():
        # redis-server 7.0 defaults to 512; the classic 128 makes the test quick
        r.config_set("hash-max-listpack-entries", 128)
        r.hset("cart", mapping={f"item:{i}": i for i in range(120)})
        return r.object("encoding", "cart")
    assert in_thread(qtbot, near) == b"listpack"
    view = _view(qtbot, source, model_check)
    view.show_key(0, b"cart")
    a = view.anatomy
    tm = a.thresholds_model
    row = next(i for i, t in enumerate(tm.rows) if t.setting == "hash-max-listpack-entries")
    assert tm.data(tm.index(row, 2)) == "120 / 128"
    assert tm.data(tm.index(row, 3)) == "94%"
    assert tm.data(tm.index(row, 0), Qt.BackgroundRole) == WARN   # >= 90%: warning colour
    assert "hash-max-listpack-entries 94% (120/128)" in a.summary.text()
    assert not a.badge.isVisible()

    def over():
        r.hset("cart", mapping={f"extra:{i}": i for i in range(9)})
        return r.object("encoding", "cart"), r.memory_usage("cart", samples=0)
    enc, usage = in_thread(qtbot, over)
    assert enc == b"hashtable"
    qtbot.waitUntil(lambda: a.badge.isVisible(), timeout=5000)    # via the change feed
    assert a.badge.text() == ("encoding changed: listpack -> hashtable "
                              "(hash-max-listpack-entries: fields 129 > 128)")
    assert sum(x[1] for x in _counted(view)) == usage
    assert tm.data(tm.index(row, 4)) == "listpack -> hashtable (done)"
    assert tm.data(tm.index(row, 0), Qt.BackgroundRole) is None
    a.recompute()                         # stays while the same key is on screen
    assert a.badge.isVisible()
    view.show_key(0, b"elsewhere")
    view.show_key(0, b"cart")             # back to it: seen as it is now, no badge
    assert not a.badge.isVisible()


def test_a_big_list_is_sampled_like_memory_usage_and_labelled(qtbot, embedded,
                                                             client_factory, model_check):
    server, source = embedded
    r = client_factory()

    def write():
        p = r.pipeline(transaction=False)
        for i in range(0, 12_000, 1000):
            p.rpush("log", *[f"line {j}" for j in range(i, i + 1000)])
        p.execute()
        return r.memory_usage("log")                 # MEMORY USAGE's default sample
    usage = in_thread(qtbot, write)
    view = _view(qtbot, source, model_check)
    view.show_key(0, b"log")
    assert sum(x[1] for x in _counted(view)) == usage
    assert "estimate, sampled" in view.anatomy.summary.text()
    assert any("extrapolated" in x[3] for x in _counted(view))
    assert "walked, scaled" in view.anatomy.python_label.text()


def test_a_deleted_key_says_so(qtbot, embedded, client_factory, model_check):
    server, source = embedded
    r = client_factory()
    in_thread(qtbot, lambda: r.set("gone", "soon"))
    view = _view(qtbot, source, model_check)
    view.show_key(0, b"gone")
    assert view.anatomy.parts_model.rows
    in_thread(qtbot, lambda: r.delete("gone"))
    qtbot.waitUntil(lambda: not view.anatomy.parts_model.rows, timeout=5000)
    assert view.anatomy.summary.text() == "the key does not exist"


@pytest.mark.skipif(REDIS_SERVER is None, reason="redis-server is not installed")
def test_remote_mode_shows_only_what_the_server_says(qtbot, qapp, model_check):
    from gui.source import RemoteSource
    srv = ServerProc("redis")
    try:
        r = redis.Redis(port=srv.port)
        r.hset("h", mapping={f"f{i}": "v" for i in range(470)})      # 470/512
        r.set("n", "x" * 10)
        usage = r.memory_usage("h", samples=0)
        source = RemoteSource(f"redis://127.0.0.1:{srv.port}")
        view = _view(qtbot, source, model_check)
        view.show_key(0, b"h")
        a = view.anatomy
        assert "remote: MEMORY USAGE" in a.summary.text()
        assert f"{usage:,} bytes" in a.summary.text()
        assert "not available remotely" in a.note_label.text()
        assert a.parts_model.rows == []
        assert "not applicable" in a.python_label.text()
        ts = {t.setting: t for t in a.thresholds_model.rows}
        assert (ts["hash-max-listpack-entries"].current,
                ts["hash-max-listpack-entries"].limit) == (470, 512)
        assert ts["hash-max-listpack-value"].current is None    # not measured remotely
        row = list(ts).index("hash-max-listpack-entries")
        tm = a.thresholds_model
        assert tm.data(tm.index(row, 0), Qt.BackgroundRole) == WARN
        r.hset("h", mapping={f"g{i}": "v" for i in range(50)})
        view.show_key(0, b"n")
        view.show_key(0, b"h")                       # back to it: the encoding changed
        assert a.badge.text() == ("encoding changed: listpack -> hashtable "
                                  "(hash-max-listpack-entries: fields 520 > 512)")
        r.hset("big", mapping={f"f{i}": "v" * 30 for i in range(1500)})
        view.show_key(0, b"big")                     # MEMORY USAGE's own sample
        assert "remote: MEMORY USAGE, sampled" in a.summary.text()
        assert f"{r.memory_usage('big'):,} bytes" in a.summary.text()
        view.hide()
        source.close()
    finally:
        srv.stop()


def test_a_key_written_in_a_loop_is_recomputed_at_most_twice_a_second(qtbot, embedded,
                                                                       client_factory,
                                                                       model_check):
    import time

    from gui import anatomy
    server, source = embedded
    r = client_factory()
    in_thread(qtbot, lambda: r.rpush("feed", "a"))
    view = _view(qtbot, source, model_check)
    calls = []
    real = source.key_anatomy
    source.key_anatomy = lambda db, key: calls.append(key) or real(db, key)
    view.show_key(0, b"feed")
    t0 = time.monotonic()

    def writes():
        for i in range(40):
            r.rpush("feed", i)
            time.sleep(0.03)
        return r.memory_usage("feed", samples=0)
    usage = in_thread(qtbot, writes)
    # the last write is shown (a deferred recomputation), without one walk per write
    qtbot.waitUntil(lambda: view.anatomy.anatomy.total == usage, timeout=5000)
    elapsed = time.monotonic() - t0
    assert len(calls) <= 2 + elapsed * 1000 / anatomy.MIN_INTERVAL_MS, (len(calls), elapsed)
    assert sum(x[1] for x in _counted(view)) == usage
