"""Editing the elements of collections from the key view: hash fields, list elements
(set, push, delete one at an index), set members, zset members and scores, stream
entries; selecting a row prefills the editor, cells are edited in place, deletes ask for
a second click, bad input and races show the server's text inline.  Every edit is
verified through a real client."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractItemView, QLineEdit

from gui.keyview import KeyView
from gui.valueedit import delete_list_element, parse_pairs
from tests.gui.helpers import in_thread
from tests.gui.panel_utils import click, key_view, retype

import pytest


def _view(qtbot, source, key: bytes, model_check, db: int = 0) -> KeyView:
    view = key_view(qtbot, source)
    model_check(view.table_model)
    view.show_key(db, key)
    return view


def _select(view, row: int, col: int = 0):
    """Click a cell of the value table, as a user selects a row."""
    idx = view.table_model.index(row, col)
    view.table.scrollTo(idx)
    QTest.mouseClick(view.table.viewport(), Qt.LeftButton,
                     pos=view.table.visualRect(idx).center())
    assert view.table.currentIndex().row() == row


def _edit_cell(qtbot, view, row: int, col: int, value: str):
    """Double-click a cell, type a new value, press Enter."""
    idx = view.table_model.index(row, col)
    view.table.scrollTo(idx)
    pos = view.table.visualRect(idx).center()
    QTest.mouseClick(view.table.viewport(), Qt.LeftButton, pos=pos)
    QTest.mouseDClick(view.table.viewport(), Qt.LeftButton, pos=pos)
    editor = view.table.viewport().findChild(QLineEdit)
    assert editor is not None and editor.isVisible(), "the cell is not editable"
    editor.selectAll()
    QTest.keyClicks(editor, value)
    QTest.keyClick(editor, Qt.Key_Return)
    # the delegate commits Enter through a queued call
    qtbot.waitUntil(lambda: view.table.state() != QAbstractItemView.EditingState,
                    timeout=3000)


def _cells(view, col: int) -> list[str]:
    m = view.table_model
    return [m.index(i, col).data() for i in range(m.rowCount())]


# ---------------------------------------------------------------------- hash
def test_hash_row_prefills_then_a_field_is_edited_and_deleted_after_confirm(
        qtbot, embedded, client_factory, model_check):
    server, source = embedded
    r = client_factory()
    in_thread(qtbot, lambda: r.hset("h", mapping={"name": "ann", "age": "30"}))
    view = _view(qtbot, source, b"h", model_check)
    ed = view.editor.values
    row = _cells(view, 0).index("age")
    _select(view, row)
    assert (ed.field_name.text(), ed.field_value.text()) == ("age", "30")
    retype(ed.field_value, "31")
    click(ed.field_set)
    assert view.editor.status.ok and "updated" in view.editor.status.text()
    assert in_thread(qtbot, lambda: r.hget("h", "age")) == b"31"
    _select(view, _cells(view, 0).index("name"))
    click(ed.field_del)
    assert ed.field_del.armed and "confirm" in view.editor.status.text()
    assert in_thread(qtbot, lambda: r.hexists("h", "name"))          # not yet
    click(ed.field_del)
    assert in_thread(qtbot, lambda: r.hgetall("h")) == {b"age": b"31"}
    assert _cells(view, 0) == ["age"]


def test_hash_value_is_edited_in_place_in_the_table(qtbot, embedded, client_factory,
                                                    model_check):
    server, source = embedded
    r = client_factory()
    in_thread(qtbot, lambda: r.hset("h", mapping={"a": "1", "bin": b"\xff\x00"}))
    view = _view(qtbot, source, b"h", model_check)
    m = view.table_model
    row = _cells(view, 0).index("a")
    assert not m.flags(m.index(row, 0)) & Qt.ItemIsEditable      # field names stay
    binrow = 1 - row                                               # escapes: not text
    assert not m.flags(m.index(binrow, 1)) & Qt.ItemIsEditable
    _edit_cell(qtbot, view, row, 1, "one")
    assert in_thread(qtbot, lambda: r.hget("h", "a")) == b"one"
    qtbot.waitUntil(lambda: "one" in _cells(view, 1), timeout=3000)
    assert in_thread(qtbot, lambda: r.hget("h", "bin")) == b"\xff\x00"


def test_a_cell_being_edited_is_not_closed_by_other_clients_writes(
        qtbot, embedded, client_factory, model_check):
    server, source = embedded
    r = client_factory()
    in_thread(qtbot, lambda: r.hset("h", "a", "1"))
    view = _view(qtbot, source, b"h", model_check)
    idx = view.table_model.index(0, 1)
    view.table.setCurrentIndex(idx)
    view.table.edit(idx)
    editor = view.table.viewport().findChild(QLineEdit)
    assert view.table.state() == QAbstractItemView.EditingState
    in_thread(qtbot, lambda: r.hset("h", "b", "2"))          # the feed reports 'h'
    qtbot.wait(300)
    assert view.table.state() == QAbstractItemView.EditingState and editor.isVisible()
    editor.selectAll()
    QTest.keyClicks(editor, "typed")
    QTest.keyClick(editor, Qt.Key_Return)
    assert in_thread(qtbot, lambda: r.hgetall("h")) == {b"a": b"typed", b"b": b"2"}
    qtbot.waitUntil(lambda: view.table_model.rowCount() == 2, timeout=3000)


# ---------------------------------------------------------------------- list
def test_list_set_at_index_and_push_head_and_tail(qtbot, embedded, client_factory,
                                                  model_check):
    server, source = embedded
    r = client_factory()
    in_thread(qtbot, lambda: r.rpush("l", "a", "b", "c"))
    view = _view(qtbot, source, b"l", model_check)
    ed = view.editor.values
    assert ed.list_box.isVisibleTo(view) and not ed.hash_box.isVisibleTo(view)
    _select(view, 1)
    assert (ed.list_index.text(), ed.list_value.text()) == ("1", "b")
    retype(ed.list_value, "B")
    click(ed.list_set)
    assert view.editor.status.ok, view.editor.status.text()
    retype(ed.list_value, "head")
    click(ed.list_lpush)
    retype(ed.list_value, "tail")
    click(ed.list_rpush)
    assert "5 elements" in view.editor.status.text()
    assert in_thread(qtbot, lambda: r.lrange("l", 0, -1)) == [b"head", b"a", b"B", b"c",
                                                              b"tail"]
    assert _cells(view, 1) == ["head", "a", "B", "c", "tail"]


def test_list_delete_removes_only_the_element_at_that_index(qtbot, embedded,
                                                            client_factory, model_check):
    server, source = embedded
    r = client_factory()
    in_thread(qtbot, lambda: r.rpush("l", "x", "a", "x", "b", "x"))
    sent = []
    server.engine.propagators.append(lambda dbid, argv: sent.append(list(argv)))
    try:
        view = _view(qtbot, source, b"l", model_check)
        ed = view.editor.values
        _select(view, 2)
        click(ed.list_del)
        assert ed.list_del.armed
        assert "Delete element 'x' at index 2?" in view.editor.status.text()
        assert in_thread(qtbot, lambda: r.llen("l")) == 5                  # not yet
        click(ed.list_del)
        assert view.editor.status.ok, view.editor.status.text()
    finally:
        server.engine.propagators.pop()
    assert in_thread(qtbot, lambda: r.lrange("l", 0, -1)) == [b"x", b"a", b"b", b"x"]
    # one transaction for replicas and the AOF: nobody sees the tombstone
    assert [a[0] for a in sent] == [b"MULTI", b"LSET", b"LREM", b"EXEC"]
    assert sent[1][3] == sent[2][3] and sent[1][3].startswith(b"keyscope:tombstone:")
    assert _cells(view, 1) == ["x", "a", "b", "x"]


def test_list_delete_is_refused_when_the_list_shifted_meanwhile(qtbot, embedded,
                                                                client_factory,
                                                                model_check):
    server, source = embedded
    r = client_factory()
    in_thread(qtbot, lambda: r.rpush("l", "a", "b", "c"))
    view = _view(qtbot, source, b"l", model_check)
    ed = view.editor.values
    _select(view, 1)
    click(ed.list_del)                                   # asks about 'b' at index 1
    in_thread(qtbot, lambda: r.lpush("l", "new"))         # index 1 now holds 'a'
    qtbot.waitUntil(lambda: view.table_model.rowCount() == 4, timeout=3000)
    assert ed.list_del.armed
    click(ed.list_del)
    assert not view.editor.status.ok
    assert "changed since it was shown" in view.editor.status.text()
    assert in_thread(qtbot, lambda: r.lrange("l", 0, -1)) == [b"new", b"a", b"b", b"c"]


def test_list_bad_index_and_out_of_range_show_inline(qtbot, embedded, client_factory,
                                                     model_check):
    server, source = embedded
    r = client_factory()
    in_thread(qtbot, lambda: r.rpush("l", "a", "b"))
    view = _view(qtbot, source, b"l", model_check)
    ed, st = view.editor.values, view.editor.status
    for idx, msg in (("", "enter an index"), ("one", "'one' is not an integer index"),
                     ("7", "ERR index out of range")):
        retype(ed.list_index, idx)
        retype(ed.list_value, "z")
        click(ed.list_set)
        assert not st.ok and msg in st.text(), (idx, st.text())
    retype(ed.list_index, "-9")
    click(ed.list_del)
    assert not ed.list_del.armed and "no element at index -9" in st.text()
    assert in_thread(qtbot, lambda: r.lrange("l", 0, -1)) == [b"a", b"b"]
    assert in_thread(qtbot, lambda: r.ping())


def test_list_element_is_edited_in_place(qtbot, embedded, client_factory, model_check):
    server, source = embedded
    r = client_factory()
    in_thread(qtbot, lambda: r.rpush("l", "a", "b", "c"))
    view = _view(qtbot, source, b"l", model_check)
    _edit_cell(qtbot, view, 2, 1, "C!")
    assert in_thread(qtbot, lambda: r.lrange("l", 0, -1)) == [b"a", b"b", b"C!"]
    m = view.table_model
    assert not m.flags(m.index(0, 0)) & Qt.ItemIsEditable        # the index column


def test_a_key_replaced_by_another_type_meanwhile_gives_wrongtype_inline(
        qtbot, embedded, client_factory, model_check):
    server, source = embedded
    r = client_factory()
    in_thread(qtbot, lambda: r.rpush("k", "a", "b"))
    view = _view(qtbot, source, b"k", model_check)
    ed, st = view.editor.values, view.editor.status
    _select(view, 0)
    source._timer.stop()                  # the view has not heard of the change yet
    try:
        in_thread(qtbot, lambda: (r.delete("k"), r.set("k", "now a string")))
        assert view.type_label.text() == "list"
        retype(ed.list_value, "c")
        click(ed.list_rpush)
        assert not st.ok and st.text().startswith("Push tail: WRONGTYPE"), st.text()
        click(ed.list_del)
        assert not ed.list_del.armed and "WRONGTYPE" in st.text()
        r2 = delete_list_element(source, 0, b"k", 0, b"a")
        assert r2[0] is False and r2[1].startswith("WRONGTYPE")
    finally:
        source._timer.start()
    assert in_thread(qtbot, lambda: r.get("k")) == b"now a string"
    assert view.type_label.text() == "string"             # the refusal resynced the view
    assert not ed.list_box.isVisibleTo(view)


# ---------------------------------------------------------------------- set
def test_set_member_added_and_removed_after_confirm_even_when_binary(
        qtbot, embedded, client_factory, model_check):
    server, source = embedded
    r = client_factory()
    in_thread(qtbot, lambda: r.sadd("s", "a", b"\x00\xff"))
    view = _view(qtbot, source, b"s", model_check)
    ed = view.editor.values
    retype(ed.set_member, "b")
    click(ed.set_add)
    assert "added" in view.editor.status.text()
    assert in_thread(qtbot, lambda: r.smembers("s")) == {b"a", b"b", b"\x00\xff"}
    row = [view.table_model.row(i)[0] for i in range(3)].index(b"\x00\xff")
    _select(view, row)
    click(ed.set_del)
    assert in_thread(qtbot, lambda: r.scard("s")) == 3
    click(ed.set_del)
    assert view.editor.status.ok and "removed" in view.editor.status.text()
    assert in_thread(qtbot, lambda: r.smembers("s")) == {b"a", b"b"}


# ---------------------------------------------------------------------- zset
def test_zset_score_changed_from_a_selected_row_and_member_removed(
        qtbot, embedded, client_factory, model_check):
    server, source = embedded
    r = client_factory()
    in_thread(qtbot, lambda: r.zadd("z", {"a": 1, "b": 2}))
    view = _view(qtbot, source, b"z", model_check)
    ed = view.editor.values
    _select(view, 1)
    assert (ed.member_name.text(), float(ed.member_score.text())) == ("b", 2.0)
    retype(ed.member_score, "-0.5")
    click(ed.member_add)
    assert "updated" in view.editor.status.text()
    assert in_thread(qtbot, lambda: r.zrange("z", 0, -1, withscores=True)) == \
        [(b"b", -0.5), (b"a", 1.0)]
    _select(view, 1)                               # 'a' now
    click(ed.member_del)
    click(ed.member_del)
    assert in_thread(qtbot, lambda: r.zrange("z", 0, -1)) == [b"b"]


def test_zset_score_edited_in_place_and_a_non_numeric_one_refused(
        qtbot, embedded, client_factory, model_check):
    server, source = embedded
    r = client_factory()
    in_thread(qtbot, lambda: r.zadd("z", {"a": 1}))
    view = _view(qtbot, source, b"z", model_check)
    _edit_cell(qtbot, view, 0, 2, "abc")
    st = view.editor.status
    assert not st.ok and "value is not a valid float" in st.text()
    assert in_thread(qtbot, lambda: r.zscore("z", "a")) == 1.0
    qtbot.waitUntil(lambda: view.table_model.index(0, 2).data() == "1.0", timeout=3000)
    _edit_cell(qtbot, view, 0, 2, "inf")
    assert st.ok, st.text()
    assert in_thread(qtbot, lambda: r.zscore("z", "a")) == float("inf")


# ---------------------------------------------------------------------- stream
def test_stream_entries_added_with_auto_and_explicit_ids_and_deleted(
        qtbot, embedded, client_factory, model_check):
    server, source = embedded
    r = client_factory()
    in_thread(qtbot, lambda: r.xadd("st", {"a": "1"}, id="5-0"))
    view = _view(qtbot, source, b"st", model_check)
    ed, st = view.editor.values, view.editor.status
    assert ed.stream_box.isVisibleTo(view)
    retype(ed.entry_id, "7-1")
    retype(ed.entry_fields, 'name "Ann Lee" n 2')
    click(ed.entry_add)
    assert st.ok and "entry 7-1 added" in st.text(), st.text()
    retype(ed.entry_id, "*")
    retype(ed.entry_fields, "k v")
    QTest.keyClick(ed.entry_fields, Qt.Key_Return)
    assert st.ok, st.text()
    entries = in_thread(qtbot, lambda: r.xrange("st"))
    assert [e[1] for e in entries] == [{b"a": b"1"}, {b"name": b"Ann Lee", b"n": b"2"},
                                       {b"k": b"v"}]
    for eid, fields, msg in (("3-0", "a b", "equal or smaller"),
                             ("bogus", "a b", "Invalid stream ID"),
                             ("*", "a", "come in pairs"), ("*", "", "at least one"),
                             ("*", '"open', "unbalanced quotes")):
        retype(ed.entry_id, eid)
        retype(ed.entry_fields, fields)
        click(ed.entry_add)
        assert not st.ok and msg in st.text(), (eid, fields, st.text())
    _select(view, 1)
    assert ed.entry_sel.text() == "7-1"
    click(ed.entry_del)
    assert in_thread(qtbot, lambda: r.xlen("st")) == 3
    click(ed.entry_del)
    assert st.ok and "deleted" in st.text()
    assert [e[0] for e in in_thread(qtbot, lambda: r.xrange("st"))] == \
        [b"5-0", entries[2][0]]


def test_selecting_another_row_disarms_a_pending_delete(qtbot, embedded, client_factory,
                                                        model_check):
    server, source = embedded
    r = client_factory()
    in_thread(qtbot, lambda: r.sadd("s", "a", "b"))
    view = _view(qtbot, source, b"s", model_check)
    ed = view.editor.values
    _select(view, 0)
    click(ed.set_del)
    assert ed.set_del.armed
    _select(view, 1)
    assert not ed.set_del.armed
    retype(ed.set_member, "a")
    click(ed.set_del)
    assert ed.set_del.armed
    QTest.keyClicks(ed.set_member, "x")                 # typing disarms too
    assert not ed.set_del.armed
    assert in_thread(qtbot, lambda: r.scard("s")) == 2


def test_pairs_parsing():
    assert parse_pairs("a 1 'b c' \"\\x00\"") == [b"a", b"1", b"b c", b"\x00"]
    for bad in ("a", "", '"x'):
        with pytest.raises(ValueError):
            parse_pairs(bad)
