"""The key view through the value formatters (gui/formatters.py, gui/decoding.py): values
written by a real client, decoded off the GUI thread, shown as text and as a tree; the
selected cell of a collection decoded in the detail pane."""
from __future__ import annotations

import gzip
import json
import os
import pickle
import zlib

import msgpack
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtTest import QTest

from gui.keyview import KeyView, hexdump
from tests.gui.helpers import in_thread

DOC = {"user": {"name": "Zoë", "roles": ["admin", "dev"]}, "visits": 42}
PRETTY = json.dumps(DOC, indent=2, ensure_ascii=False)


def view_of(qtbot, source) -> KeyView:
    view = KeyView(source)
    qtbot.addWidget(view)
    return view


def test_auto_shows_gzip_json_decoded_and_browsable_as_a_tree(qtbot, embedded,
                                                               client_factory, model_check):
    server, source = embedded
    r = client_factory()
    data = gzip.compress(json.dumps(DOC).encode())
    in_thread(qtbot, lambda: r.set("doc:gz", data))
    view = view_of(qtbot, source)
    model_check(view.struct_model)
    view.show_key(0, b"doc:gz")
    assert view.text.toPlainText() == hexdump(data)        # at once, before the decode
    qtbot.waitUntil(lambda: view.text.toPlainText() == PRETTY, timeout=5000)
    assert view.preview_note.text().startswith("gzip → JSON · decompressed ")
    assert view.tree_button.isEnabled()
    QTest.mouseClick(view.tree_button, Qt.LeftButton)
    assert view.stack.currentWidget() is view.struct_view
    m = view.struct_model
    rows = {m.index(i, 0).data(): m.index(i, 1).data() for i in range(m.rowCount())}
    assert rows == {"user": "object (2)", "visits": "integer"}
    user = [m.index(i, 0) for i in range(m.rowCount()) if m.index(i, 0).data() == "user"][0]
    roles = [m.index(i, 0, user) for i in range(m.rowCount(user))
             if m.index(i, 0, user).data() == "roles"][0]
    assert [m.index(i, 2, roles).data() for i in range(m.rowCount(roles))] == \
        ['"admin"', '"dev"']
    # a write to the key follows (the feed); a plain value leaves the tree
    in_thread(qtbot, lambda: r.set("doc:gz", "plain now"))
    qtbot.waitUntil(lambda: view.text.toPlainText() == "plain now", timeout=5000)
    assert view.stack.currentWidget() is view.text and not view.tree_button.isEnabled()


def test_a_pickle_is_shown_without_being_executed(qtbot, embedded, client_factory,
                                                  monkeypatch, tmp_path):
    server, source = embedded

    class Evil:
        def __reduce__(self):
            return (os.system, (f"touch {tmp_path / 'pwned'}",))
    data = pickle.dumps({"session": {"uid": 7}, "x": Evil()}, 4)
    ran = []
    monkeypatch.setattr(os, "system", lambda *a: ran.append(a))
    r = client_factory()
    in_thread(qtbot, lambda: r.set("sess", data))
    view = view_of(qtbot, source)
    view.show_key(0, b"sess")
    qtbot.waitUntil(lambda: view.preview_note.text().startswith("pickle (not executed)"),
                    timeout=5000)
    assert '"uid": 7' in view.text.toPlainText()
    assert "<call posix.system (not executed)>" in view.text.toPlainText()
    assert not ran and not (tmp_path / "pwned").exists()


def test_a_decoder_chosen_by_hand_says_when_the_value_is_not_that(qtbot, embedded,
                                                                  client_factory):
    server, source = embedded
    r = client_factory()
    packed = msgpack.packb({"a": [1, 2]})
    in_thread(qtbot, lambda: r.mset({"t": "just text", "mp": packed,
                                     "z": zlib.compress(b"x" * 1000)}))
    view = view_of(qtbot, source)
    view.mode.setCurrentText("Protobuf")
    view.show_key(0, b"t")
    qtbot.waitUntil(lambda: "The value is not Protobuf: " in view.message.text(),
                    timeout=5000)
    view.mode.setCurrentText("MessagePack")
    view.show_key(0, b"mp")
    qtbot.waitUntil(lambda: view.stack.currentWidget() is view.text, timeout=5000)
    assert view.text.toPlainText() == '{\n  "a": [\n    1,\n    2\n  ]\n}'
    assert view.preview_note.text() == "MessagePack"
    view.mode.setCurrentText("zlib")
    view.show_key(0, b"z")
    qtbot.waitUntil(lambda: view.text.toPlainText() == "x" * 1000, timeout=5000)
    assert view.preview_note.text() == \
        f"zlib → Text · decompressed {len(zlib.compress(b'x' * 1000))} → 1,000 bytes"
    view.mode.setCurrentText("Hex")                     # the basic modes as before
    assert view.text.toPlainText() == hexdump(zlib.compress(b"x" * 1000))


def test_the_selected_cell_of_a_hash_is_decoded_in_the_detail_pane(qtbot, embedded,
                                                                   client_factory):
    server, source = embedded
    r = client_factory()
    in_thread(qtbot, lambda: r.hset("h", mapping={
        "json": json.dumps(DOC), "mp": msgpack.packb([1, "two"]), "plain": "hello"}))
    view = view_of(qtbot, source)
    view.show_key(0, b"h")
    assert view.stack.currentWidget() is view.table and view.mode.isEnabled()
    assert not view.detail_box.isVisible()
    m = view.table_model
    rows = {m.index(i, 0).data(): i for i in range(m.rowCount())}
    view.table.setCurrentIndex(m.index(rows["mp"], 1))
    qtbot.waitUntil(lambda: view.detail.toPlainText() == '[\n  1,\n  "two"\n]',
                    timeout=5000)
    assert view.detail_note.text() == "selected value: MessagePack"
    view.table.setCurrentIndex(m.index(rows["json"], 1))
    qtbot.waitUntil(lambda: view.detail.toPlainText() == PRETTY, timeout=5000)
    view.mode.setCurrentText("Hex")
    qtbot.waitUntil(lambda: view.detail.toPlainText() == hexdump(
        json.dumps(DOC).encode()), timeout=5000)
    view.mode.setCurrentText("Auto")
    view.table.setCurrentIndex(m.index(rows["plain"], 0))     # the field itself
    qtbot.waitUntil(lambda: view.detail.toPlainText() == "plain", timeout=5000)
    assert view.detail_note.text() == "selected field: Text"
    view.table.setCurrentIndex(QModelIndex())
    assert view.detail_box.isHidden()


def test_a_decompression_bomb_is_capped_and_the_server_keeps_serving(qtbot, embedded,
                                                                     client_factory):
    server, source = embedded
    r = client_factory()
    bomb = gzip.compress(b"\0" * (200 * 1024 * 1024), 9)       # 200 MB in ~200 KB
    in_thread(qtbot, lambda: r.set("bomb", bomb))
    view = view_of(qtbot, source)
    view.mode.setCurrentText("gzip")
    view.show_key(0, b"bomb")
    assert in_thread(qtbot, r.ping)
    qtbot.waitUntil(lambda: "decompression cap" in view.preview_note.text(), timeout=20_000)
    assert "output truncated at 16,777,216 bytes" in view.preview_note.text()
    assert view.decoded.extra["payload"] == b"\0" * (16 * 1024 * 1024)
