"""Editing a key from the key view: TTL by duration / absolute time / persist, string
edit (TTL kept), rename, delete after confirmation, hash field, zset member; bad input
shows a message inline and the server keeps serving.  Verified with a real client."""
from __future__ import annotations

import threading
import time

from PySide6.QtCore import QDateTime, Qt
from PySide6.QtTest import QTest

from gui.keyedit import parse_duration_ms, run_key_command
from gui.keyview import KeyView
from tests.gui.helpers import in_thread
from tests.gui.panel_utils import click, key_view, retype


def _view(qtbot, source, key: bytes, db: int = 0) -> KeyView:
    view = key_view(qtbot, source)
    view.show_key(db, key)
    return view


def test_ttl_is_set_by_a_duration_with_a_unit(qtbot, embedded, client_factory):
    server, source = embedded
    r = client_factory()
    in_thread(qtbot, lambda: r.set("k", "v"))
    view = _view(qtbot, source, b"k")
    ed = view.editor
    retype(ed.ttl_amount, "2")
    ed.ttl_unit.setCurrentText("h")
    click(ed.ttl_set)
    assert ed.status.ok, ed.status.text()
    pttl = in_thread(qtbot, lambda: r.pttl("k"))
    assert 7_190_000 < pttl <= 7_200_000
    assert view.ttl_text().startswith("1h 59m")     # the view follows at once
    retype(ed.ttl_amount, "1.5")
    ed.ttl_unit.setCurrentText("m")
    QTest.keyClick(ed.ttl_amount, Qt.Key_Return)
    assert 80_000 < in_thread(qtbot, lambda: r.pttl("k")) <= 90_000


def test_ttl_is_set_by_an_absolute_time_and_removed_by_persist(qtbot, embedded,
                                                               client_factory):
    server, source = embedded
    r = client_factory()
    in_thread(qtbot, lambda: r.set("k", "v"))
    view = _view(qtbot, source, b"k")
    ed = view.editor
    assert not ed.persist_button.isEnabled()        # nothing to persist yet
    at_s = int(time.time()) + 3600
    ed.ttl_at.setDateTime(QDateTime.fromSecsSinceEpoch(at_s))
    click(ed.ttl_at_set)
    assert ed.status.ok, ed.status.text()
    assert in_thread(qtbot, lambda: r.expiretime("k")) == at_s
    assert ed.persist_button.isEnabled()
    click(ed.persist_button)
    assert in_thread(qtbot, lambda: r.ttl("k")) == -1
    assert view.ttl_text() == "no expiry"
    assert not ed.persist_button.isEnabled()


def test_a_past_expire_time_deletes_the_key_only_after_confirmation(qtbot, embedded,
                                                                    client_factory):
    server, source = embedded
    r = client_factory()
    in_thread(qtbot, lambda: r.set("k", "v"))
    view = _view(qtbot, source, b"k")
    ed = view.editor
    ed.ttl_at.setDateTime(QDateTime.currentDateTime().addSecs(-60))
    click(ed.ttl_at_set)
    assert "in the past" in ed.status.text()
    assert in_thread(qtbot, lambda: r.exists("k")) == 1      # not yet
    click(ed.ttl_at_set)
    assert in_thread(qtbot, lambda: r.exists("k")) == 0
    assert "does not exist" in view.message.text()


def test_invalid_ttl_input_shows_a_message_and_sends_nothing(qtbot, embedded,
                                                             client_factory):
    server, source = embedded
    r = client_factory()
    in_thread(qtbot, lambda: r.set("k", "v", ex=500))
    view = _view(qtbot, source, b"k")
    ed = view.editor
    for bad, msg in (("", "enter a duration"), ("-5", "must be positive"),
                     ("0", "must be positive"), ("abc", "'abc' is not a number"),
                     ("nan", "is not a number")):
        retype(ed.ttl_amount, bad)
        click(ed.ttl_set)
        assert not ed.status.ok and msg in ed.status.text(), (bad, ed.status.text())
    assert 490 < in_thread(qtbot, lambda: r.ttl("k")) <= 500     # untouched
    assert in_thread(qtbot, lambda: r.ping())


def test_editing_a_string_keeps_its_ttl(qtbot, embedded, client_factory):
    server, source = embedded
    r = client_factory()
    in_thread(qtbot, lambda: r.set("greeting", "hello", ex=1000))
    view = _view(qtbot, source, b"greeting")
    ed = view.editor
    assert ed.string_box.isVisibleTo(ed) and not ed.values.hash_box.isVisibleTo(ed)
    assert ed.value_edit.toPlainText() == "hello"
    ed.value_edit.setPlainText("héllo wö")         # (QTest types ASCII only)
    ed.value_edit.moveCursor(ed.value_edit.textCursor().MoveOperation.End)
    QTest.keyClicks(ed.value_edit, "rld")
    click(ed.value_save)
    assert ed.status.ok, ed.status.text()
    assert in_thread(qtbot, lambda: r.get("greeting")) == "héllo wörld".encode()
    assert 990 < in_thread(qtbot, lambda: r.ttl("greeting")) <= 1000
    assert view.text.toPlainText() == "héllo wörld"


def test_binary_strings_are_not_offered_for_text_edit(qtbot, embedded):
    server, source = embedded
    server.engine.dbs[0].set(b"bin", b"\xff\x00")
    ed = _view(qtbot, source, b"bin").editor
    assert not ed.value_save.isEnabled() and "binary" in ed.value_note.text()


def test_rename_follows_the_key_and_shows_server_errors(qtbot, embedded, client_factory):
    server, source = embedded
    r = client_factory()
    in_thread(qtbot, lambda: r.set("old", "1"))
    view = _view(qtbot, source, b"old")
    ed = view.editor
    retype(ed.rename_edit, "new")
    click(ed.rename_button)
    assert ed.status.ok, ed.status.text()
    assert in_thread(qtbot, lambda: (r.exists("old"), r.get("new"))) == (0, b"1")
    assert view.key == b"new" and view.key_label.text() == "new"
    source._timer.stop()                  # gone before the view hears of it
    try:
        in_thread(qtbot, lambda: r.delete("new"))
        retype(ed.rename_edit, "other")
        click(ed.rename_button)
    finally:
        source._timer.start()
    assert not ed.status.ok and "ERR no such key" in ed.status.text()
    assert "does not exist" in view.message.text()      # the refusal resynced the view
    assert in_thread(qtbot, lambda: r.ping())


def test_delete_needs_a_second_click(qtbot, embedded, client_factory):
    server, source = embedded
    r = client_factory()
    in_thread(qtbot, lambda: r.set("doomed", "1"))
    view = _view(qtbot, source, b"doomed")
    ed = view.editor
    click(ed.delete_button)
    assert ed.delete_button.armed and "confirm" in ed.status.text()
    assert in_thread(qtbot, lambda: r.exists("doomed")) == 1
    click(ed.delete_button)
    assert in_thread(qtbot, lambda: r.exists("doomed")) == 0
    assert "does not exist" in view.message.text()
    assert not ed.delete_button.isEnabled()


def test_selecting_another_key_disarms_a_pending_delete(qtbot, embedded, client_factory):
    server, source = embedded
    r = client_factory()
    in_thread(qtbot, lambda: r.mset({"a": "1", "b": "2"}))
    view = _view(qtbot, source, b"a")
    click(view.editor.delete_button)
    view.show_key(0, b"b")
    assert not view.editor.delete_button.armed
    click(view.editor.delete_button)                  # arms again, deletes nothing
    assert in_thread(qtbot, lambda: r.exists("a", "b")) == 2


def test_hash_field_is_set(qtbot, embedded, client_factory):
    server, source = embedded
    r = client_factory()
    in_thread(qtbot, lambda: r.hset("h", "a", "1"))
    view = _view(qtbot, source, b"h")
    ed = view.editor
    assert ed.values.hash_box.isVisibleTo(ed) and not ed.string_box.isVisibleTo(ed)
    retype(ed.values.field_name, "b")
    retype(ed.values.field_value, "2")
    click(ed.values.field_set)
    assert ed.status.ok and "added" in ed.status.text()
    assert in_thread(qtbot, lambda: r.hgetall("h")) == {b"a": b"1", b"b": b"2"}
    assert view.table_model.rowCount() == 2


def test_zset_member_is_added_and_a_bad_score_is_refused_inline(qtbot, embedded,
                                                                 client_factory):
    server, source = embedded
    r = client_factory()
    in_thread(qtbot, lambda: r.zadd("z", {"a": 1}))
    view = _view(qtbot, source, b"z")
    ed = view.editor
    assert ed.values.zset_box.isVisibleTo(ed)
    retype(ed.values.member_name, "b")
    retype(ed.values.member_score, "2.5")
    click(ed.values.member_add)
    assert ed.status.ok, ed.status.text()
    assert in_thread(qtbot, lambda: r.zscore("z", "b")) == 2.5
    for bad in ("abc", ""):
        retype(ed.values.member_score, bad)
        click(ed.values.member_add)
        assert not ed.status.ok
        assert "value is not a valid float" in ed.status.text()
    assert in_thread(qtbot, lambda: r.zcard("z")) == 2
    assert in_thread(qtbot, lambda: r.ping())


def test_edits_leave_the_users_stats_alone_but_reach_the_keyspace(qtbot, embedded,
                                                                  client_factory):
    server, source = embedded
    r = client_factory()
    in_thread(qtbot, lambda: r.set("k", "v"))
    st = server.engine.stats
    before = (st.commands, len(server.engine.clients))
    dirty = server.engine.dirty
    ed = _view(qtbot, source, b"k").editor
    retype(ed.ttl_amount, "100")
    click(ed.ttl_set)
    assert (st.commands, len(server.engine.clients)) == before
    assert server.engine.dirty == dirty + 1


def test_duration_parsing():
    assert parse_duration_ms("2", "m") == 120_000
    assert parse_duration_ms(" 0.5 ", "s") == 500
    assert parse_duration_ms("1", "d") == 86_400_000


def test_edits_go_to_the_shown_database_and_are_propagated(qtbot, embedded, client_factory):
    server, source = embedded
    r = client_factory(db=3)
    in_thread(qtbot, lambda: r.set("k", "v"))
    sent = []
    server.engine.propagators.append(lambda dbid, argv: sent.append((dbid, list(argv))))
    try:
        ed = _view(qtbot, source, b"k", db=3).editor
        retype(ed.rename_edit, "k2")
        click(ed.rename_button)
        click(ed.delete_button)
        click(ed.delete_button)
        click(ed.persist_button)                  # disabled: nothing sent
    finally:
        server.engine.propagators.pop()
    assert sent == [(3, [b"RENAME", b"k", b"k2"]), (3, [b"DEL", b"k2"])]
    assert in_thread(qtbot, lambda: r.exists("k", "k2")) == 0


def test_a_write_from_the_inspector_wakes_a_blocked_client(qtbot, embedded, client_factory):
    server, source = embedded
    blocked = client_factory()
    box = {}
    t = threading.Thread(target=lambda: box.setdefault("v", blocked.bzpopmin("q", 10)),
                         daemon=True)
    t.start()
    qtbot.waitUntil(lambda: any(c.blocked for c in server.engine.clients.values()),
                    timeout=5000)
    assert run_key_command(source, 0, b"ZADD", b"q", b"7", b"m") == (True, 1)
    qtbot.waitUntil(lambda: not t.is_alive(), timeout=5000)
    assert box["v"] == (b"q", b"m", 7.0)


def test_command_errors_come_back_as_text(qtbot, embedded):
    server, source = embedded
    assert run_key_command(source, 0, b"RENAME", b"nope", b"x") == (False, "ERR no such key")
    assert run_key_command(source, 0, b"PERSIST") == (
        False, "ERR wrong number of arguments for 'persist' command")
    server.engine.dbs[0].set(b"s", b"1")
    assert run_key_command(source, 0, b"HSET", b"s", b"f", b"v")[1].startswith("WRONGTYPE")
