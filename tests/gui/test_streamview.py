"""A stream in the key view: entries paged, consumer groups (XINFO GROUPS) and the
consumers of a group (XINFO CONSUMERS), kept current by diff; embedded and against a real
redis-server (remote), where edits go through the same commands."""
from __future__ import annotations

import redis
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from gui.keyview import KeyView
from gui.streamview import KeyedRowsModel, format_idle, group_rows
from tests.conftest import REDIS_SERVER, ServerProc
from tests.gui.helpers import in_thread
from tests.gui.panel_utils import key_view


def _view(qtbot, source, key, model_check) -> KeyView:
    view = key_view(qtbot, source)
    for m in (view.table_model, view.groups.groups_model, view.groups.consumers_model):
        model_check(m)
    view.show_key(0, key)
    return view


def _groups(view) -> dict:
    return {r[0]: r[1:] for r in view.groups.groups_model.rows}


def _consumers(view) -> dict:
    return {r[0]: r[1:] for r in view.groups.consumers_model.rows}


def _fill(r):
    for i in range(5):
        r.xadd("orders", {"n": str(i)}, id=f"{i + 1}-0")
    r.xgroup_create("orders", "billing", id="0")
    r.xgroup_create("orders", "audit", id="$")
    r.xreadgroup("billing", "alice", {"orders": ">"}, count=2)
    r.xreadgroup("billing", "bob", {"orders": ">"}, count=1)


def test_stream_groups_and_consumers_are_shown_and_follow_acks(qtbot, embedded,
                                                               client_factory, model_check):
    server, source = embedded
    r = client_factory()
    in_thread(qtbot, lambda: _fill(r))
    view = _view(qtbot, source, b"orders", model_check)
    assert view.groups.isVisibleTo(view)
    assert [view.table_model.index(i, 0).data() for i in range(5)] == \
        [f"{i}-0" for i in range(1, 6)]
    assert _groups(view) == {b"audit": (0, 0, b"5-0", None, 0),
                             b"billing": (2, 3, b"3-0", 3, 2)}
    assert view.groups.groups_model.index(1, 3).data() == "3-0"
    assert view.groups.consumers_model.rowCount() == 0        # no group chosen yet
    assert view.groups.select_group(b"billing")
    assert set(_consumers(view)) == {b"alice", b"bob"}
    assert _consumers(view)[b"alice"][0] == 2 and _consumers(view)[b"bob"][0] == 1
    assert "Consumers of 'billing': 2" in view.groups.consumers_note.text()
    in_thread(qtbot, lambda: r.xack("orders", "billing", "1-0", "2-0"))
    qtbot.waitUntil(lambda: _consumers(view).get(b"alice", (None,))[0] == 0, timeout=3000)
    assert _groups(view)[b"billing"][1] == 1
    assert view.groups.groups_table.currentIndex().row() == 1     # still on billing
    in_thread(qtbot, lambda: r.xgroup_destroy("orders", "audit"))
    qtbot.waitUntil(lambda: list(_groups(view)) == [b"billing"], timeout=3000)
    assert view.groups.group == b"billing" and set(_consumers(view)) == {b"alice", b"bob"}


def test_idle_times_advance_without_writes(qtbot, embedded, client_factory, model_check):
    server, source = embedded
    r = client_factory()
    in_thread(qtbot, lambda: _fill(r))
    view = _view(qtbot, source, b"orders", model_check)
    view.groups.timer.setInterval(100)
    view.groups.select_group(b"billing")
    first = _consumers(view)[b"bob"][1]
    qtbot.waitUntil(lambda: _consumers(view)[b"bob"][1] >= first + 300, timeout=5000)


def test_groups_hidden_for_other_types_and_a_stream_without_groups_says_so(
        qtbot, embedded, client_factory, model_check):
    server, source = embedded
    r = client_factory()
    in_thread(qtbot, lambda: (r.xadd("s", {"a": "1"}), r.set("str", "x")))
    view = _view(qtbot, source, b"s", model_check)
    assert "none" in view.groups.note.text() and view.groups.groups_model.rowCount() == 0
    view.show_key(0, b"str")
    assert not view.groups.isVisibleTo(view)
    assert not view.groups.timer.isActive()


def test_keyed_rows_model_diffs_by_name(qtbot, model_check):
    m = model_check(KeyedRowsModel(("name", "n")))
    inserted, removed = [], []
    m.rowsInserted.connect(lambda _p, a, b: inserted.append((a, b)))
    m.rowsRemoved.connect(lambda _p, a, b: removed.append((a, b)))
    m.set_rows([(b"b", 1), (b"d", 2)])
    m.set_rows([(b"a", 0), (b"b", 5), (b"c", 1)])
    assert m.rows == [(b"a", 0), (b"b", 5), (b"c", 1)]
    assert removed == [(1, 1)] and inserted == [(0, 0), (1, 1), (0, 0), (2, 2)]


def test_reply_shapes_and_formatting():
    flat = [[b"name", b"g", b"consumers", 1, b"pending", 0, b"last-delivered-id", b"0-0",
             b"entries-read", None, b"lag", None]]
    assert group_rows(flat) == [(b"g", 1, 0, b"0-0", None, None)]
    assert format_idle(250) == "250 ms" and format_idle(1500) == "1.5 s"
    assert format_idle(600_000) == "10.0 min"


@pytest.mark.skipif(REDIS_SERVER is None, reason="redis-server is not installed")
def test_remote_stream_groups_and_edits_on_a_real_redis(qtbot, qapp, model_check):
    from gui.source import RemoteSource
    srv = ServerProc("redis")
    source = None
    try:
        r = redis.Redis(port=srv.port)
        _fill(r)
        r.rpush("l", "x", "a", "x", "b")
        source = RemoteSource(f"redis://127.0.0.1:{srv.port}")
        view = _view(qtbot, source, b"orders", model_check)
        assert _groups(view) == {b"audit": (0, 0, b"5-0", None, 0),
                                 b"billing": (2, 3, b"3-0", 3, 2)}
        view.groups.select_group(b"billing")
        assert {k: v[0] for k, v in _consumers(view).items()} == {b"alice": 2, b"bob": 1}
        ed, st = view.editor.values, view.editor.status
        ed.entry_fields.setText("k v")
        QTest.mouseClick(ed.entry_add, Qt.LeftButton)
        assert st.ok, st.text()
        assert r.xlen("orders") == 6
        assert view.table_model.rowCount() == 6            # refreshed after the edit
        assert _groups(view)[b"billing"][4] == 3           # lag follows
        # a list delete at an index runs as one script on the server
        view.show_key(0, b"l")
        view.table.setCurrentIndex(view.table_model.index(2, 0))
        QTest.mouseClick(ed.list_del, Qt.LeftButton)
        QTest.mouseClick(ed.list_del, Qt.LeftButton)
        assert st.ok, st.text()
        assert r.lrange("l", 0, -1) == [b"x", b"a", b"b"]
        ed.list_index.setText("9")
        ed.list_value.setText("z")
        QTest.mouseClick(ed.list_set, Qt.LeftButton)
        assert not st.ok and "index out of range" in st.text()
        r.delete("l")
        r.set("l", "str")                    # replaced by another type meanwhile
        ed.list_index.setText("0")
        QTest.mouseClick(ed.list_set, Qt.LeftButton)
        assert not st.ok and "WRONGTYPE" in st.text(), st.text()
        assert r.get("l") == b"str"
        view.hide()
    finally:
        if source is not None:
            source.close()
        srv.stop()
