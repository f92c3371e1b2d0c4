"""Export / import / copy (gui/transfer.py): a folder exported from the embedded server,
imported into a real redis-server, compared value by value and TTL by TTL through
clients; copies to db 1 and to another server; damaged files import nothing."""
from __future__ import annotations

import base64
import json
import os

import pytest
from PySide6.QtCore import QModelIndex, QPoint, Qt
from PySide6.QtTest import QTest

from gui import transfer
from gui.keytree import KeyTreePanel
from gui.keyview import KeyView
from gui.source import RemoteSource
from gui.transfer import (COPY_DB, COPY_SERVER, EXPORT_DUMP, EXPORT_JSON, TransferDialog,
                          from_readable)
from tests.conftest import REDIS_SERVER, ServerProc, free_port
from tests.gui.helpers import in_thread

needs_redis = pytest.mark.skipif(REDIS_SERVER is None, reason="redis-server is not installed")

FAR = 4_102_444_800_000             # 2100-01-01 in unix ms: an absolute expiry to compare


@pytest.fixture
def redis_server():
    srv = ServerProc("redis")
    yield srv
    srv.stop()


def fill(r):
    """Every exportable type under app:, a binary key name, TTLs; plus keys elsewhere."""
    r.set("app:str", "hello")
    r.set("app:bin", b"\x00\xff\xfe binary")
    r.set("app:num", 12345)
    r.set("app:ttl", "expiring", px=3_600_000)
    r.hset("app:hash", mapping={"f1": "v1", "f2": b"\xff\x00", "n": 3})
    r.hset("app:bighash", mapping={f"field{i}": f"value{i}" * 3 for i in range(1200)})
    r.rpush("app:list", "a", "b", "c", b"\x01\x02")
    r.rpush("app:biglist", *[f"e{i}" for i in range(1300)])
    r.sadd("app:set", "x", "y", "z")
    r.sadd("app:intset", *range(100))
    r.zadd("app:zset", {"m1": 1.5, "m2": -2, "m3": 1e300})
    r.zadd("app:bigzset", {f"m{i}": i / 7 for i in range(700)})
    r.xadd("app:stream", {"f": "v", "g": "w"}, id="1-1")
    r.xadd("app:stream", {"f": "v2"}, id="2-0")
    r.xgroup_create("app:stream", "grp", id="0")
    r.xreadgroup("grp", "consumer", {"app:stream": ">"}, count=1)
    r.pexpireat("app:hash", FAR)
    r.set(b"app:\xc3\xa9t\xc3\xa9\xff", "odd key name")
    r.pfadd("app:hll", "a", "b", "c")
    r.set("other:x", "not exported")
    r.set("lone", "not exported")


def snapshot(r, pattern="app:*") -> dict:
    """Everything observable about the keys: type, value, absolute expiry, groups."""
    out = {}
    for k in sorted(r.scan_iter(match=pattern, count=1000)):
        t = r.type(k).decode()
        if t == "string":
            v = r.get(k)
        elif t == "hash":
            v = r.hgetall(k)
        elif t == "list":
            v = r.lrange(k, 0, -1)
        elif t == "set":
            v = sorted(r.smembers(k))
        elif t == "zset":
            v = r.zrange(k, 0, -1, withscores=True)
        else:
            v = (r.xrange(k), [(g["name"], g["pending"], g["last-delivered-id"])
                              for g in r.xinfo_groups(k)])
        out[k] = (t, v, r.pexpiretime(k))
    return out


def folder_index(panel, name: str) -> QModelIndex:
    m = panel.model
    while m.canFetchMore(QModelIndex()):
        m.fetchMore(QModelIndex())
    for row in range(m.rowCount()):
        idx = m.index(row, 0)
        if idx.data() == name:
            return idx
    raise AssertionError(f"{name} not listed")


def tree(qtbot, source, n_keys: int) -> KeyTreePanel:
    panel = KeyTreePanel(source)
    qtbot.addWidget(panel)
    panel.resize(600, 700)
    panel.show()
    qtbot.waitUntil(lambda: not panel.model.building and len(panel.model.ns) == n_keys,
                    timeout=10_000)
    return panel


def menu_action(panel, pos: QPoint, prefix: str):
    panel.view.customContextMenuRequested.emit(pos)
    acts = [a for a in panel.menu.actions() if a.text().startswith(prefix)]
    assert acts, [a.text() for a in panel.menu.actions()]
    panel.menu.close()
    return acts[0]


def open_folder_dialog(qtbot, panel, name: str) -> TransferDialog:
    idx = folder_index(panel, name)
    pos = panel.view.visualRect(idx).center()
    menu_action(panel, pos, "Export / copy").trigger()
    dlg = panel.transfer_dialog
    assert dlg.isVisible()
    return dlg


def run(qtbot, dlg: TransferDialog, timeout=30_000) -> str:
    QTest.mouseClick(dlg.go, Qt.LeftButton)
    assert dlg.job is not None, dlg.status.text()
    qtbot.waitUntil(lambda: not dlg.job.running, timeout=timeout)
    return dlg.status.text()


def key_dialog(qtbot, source, key: bytes) -> TransferDialog:
    """The key view's Export / copy button, pressed with ``key`` shown."""
    view = KeyView(source)
    qtbot.addWidget(view)
    view.show_key(0, key)
    QTest.mouseClick(view.transfer_button, Qt.LeftButton)
    return view.transfer_dialog


def big_folder_dialog(qtbot, embedded, name: str, n: int, size: int) -> TransferDialog:
    """``n`` keys ``name:00000``.. written straight into the engine (quicker than a
    client), the tree listing them, the folder's Export / copy dialog open."""
    server, source = embedded
    d = server.engine.dbs[0]
    for i in range(n):
        d.set(b"%s:%05d" % (name.encode(), i), b"v" * size)
    return open_folder_dialog(qtbot, tree(qtbot, source, n), name)


def import_file(qtbot, source, path) -> str:
    """A dump file imported into db0 through the import dialog (on a key view)."""
    holder = KeyView(source)
    qtbot.addWidget(holder)
    dlg = TransferDialog.for_import(holder, source, 0)
    dlg.open()
    assert dlg.go.text() == "Import"
    dlg.path.setText(str(path))
    return run(qtbot, dlg)


def export_folder(qtbot, panel, name, action, path) -> str:
    dlg = open_folder_dialog(qtbot, panel, name)
    dlg.action.setCurrentIndex(action)
    dlg.path.setText(str(path))
    return run(qtbot, dlg)


# ---------------------------------------------------------------------- dump export
@needs_redis
def test_a_folder_exported_from_keyscope_imports_into_redis_server_exactly(
        qtbot, embedded, client_factory, redis_server, tmp_path):
    server, source = embedded
    r = client_factory()
    in_thread(qtbot, lambda: fill(r))
    before = in_thread(qtbot, lambda: snapshot(r))
    n = len(before)
    panel = tree(qtbot, source, n + 2)
    path = tmp_path / "app.jsonl"
    text = export_folder(qtbot, panel, "app", EXPORT_DUMP, path)
    assert text == f"Exported {n:,} keys to {path}"
    assert not os.path.exists(f"{path}.part")
    lines = path.read_bytes().splitlines()
    assert json.loads(lines[0])["format"] == "keyscope-dump"
    assert json.loads(lines[-1]) == {"end": "keyscope-dump", "keys": n}

    # imported through the app into a real redis-server (remote mode)
    remote = RemoteSource(f"redis://127.0.0.1:{redis_server.port}/0")
    try:
        assert import_file(qtbot, remote, path) == f"Imported {n:,} keys into db0"
    finally:
        remote.close()
    rr = redis_server.client()
    after = snapshot(rr)
    assert after == before                  # every value, type, group and absolute TTL
    assert after[b"app:hash"][2] == FAR and after[b"app:ttl"][2] > 0
    assert rr.dbsize() == n                 # only the folder
    assert rr.object("encoding", "app:bighash") == b"hashtable"
    # and the file alone restores with plain RESTORE ... REPLACE ABSTTL
    rr.select(3)
    for line in lines[1:-1]:
        rec = json.loads(line)
        rr.restore(base64.b64decode(rec["key"]), rec["expire_at_ms"],
                   base64.b64decode(rec["dump"]), replace=True, absttl=True)
    assert snapshot(rr) == before
    rr.close()


def test_a_big_folder_exports_in_slices_while_the_server_keeps_serving(
        qtbot, embedded, client_factory, tmp_path):
    dlg = big_folder_dialog(qtbot, embedded, "bulk", 20_000, 50)
    dlg.action.setCurrentIndex(EXPORT_DUMP)
    dlg.path.setText(str(tmp_path / "bulk.jsonl"))
    progress = []
    QTest.mouseClick(dlg.go, Qt.LeftButton)
    dlg.job.progress.connect(progress.append)
    r = client_factory()
    assert in_thread(qtbot, r.ping)                 # answered while the job runs
    qtbot.waitUntil(lambda: not dlg.job.running, timeout=60_000)
    assert dlg.job.ok and len(progress) >= 3        # many slices, not one long freeze
    assert dlg.status.text() == f"Exported 20,000 keys to {tmp_path / 'bulk.jsonl'}"


def test_a_stopped_export_leaves_no_file(qtbot, embedded, tmp_path):
    dlg = big_folder_dialog(qtbot, embedded, "many", 30_000, 100)
    path = tmp_path / "many.jsonl"
    dlg.path.setText(str(path))
    QTest.mouseClick(dlg.go, Qt.LeftButton)
    assert dlg.close_button.text() == "Stop"
    qtbot.waitUntil(lambda: dlg.job.done_keys > 0, timeout=10_000)
    QTest.mouseClick(dlg.close_button, Qt.LeftButton)
    assert not dlg.job.running and dlg.job.ok is False
    assert dlg.status.text().startswith("Stopped: exported ")
    assert not path.exists() and not (tmp_path / "many.jsonl.part").exists()


def test_an_existing_file_is_overwritten_only_on_a_second_click(qtbot, embedded,
                                                                client_factory, tmp_path):
    server, source = embedded
    r = client_factory()
    in_thread(qtbot, lambda: r.set("k", "v"))
    dlg = key_dialog(qtbot, source, b"k")
    path = tmp_path / "k.jsonl"
    path.write_text("precious")
    dlg.path.setText(str(path))
    QTest.mouseClick(dlg.go, Qt.LeftButton)
    assert dlg.job is None and "exists: click Export again" in dlg.status.text()
    assert path.read_text() == "precious"
    assert run(qtbot, dlg) == f"Exported 1 keys to {path}"
    assert json.loads(path.read_text().splitlines()[1])["key"] == base64.b64encode(
        b"k").decode()


# ---------------------------------------------------------------------- readable JSON
def test_readable_json_export_has_every_value(qtbot, embedded, client_factory, tmp_path):
    server, source = embedded
    r = client_factory()
    in_thread(qtbot, lambda: fill(r))
    before = in_thread(qtbot, lambda: snapshot(r))
    panel = tree(qtbot, source, len(before) + 2)
    path = tmp_path / "app.json"
    assert export_folder(qtbot, panel, "app", EXPORT_JSON, path) == \
        f"Exported {len(before):,} keys to {path}"
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["format"] == "keyscope-json" and doc["db"] == 0
    got = {from_readable(e["key"]): e for e in doc["keys"]}
    assert set(got) == set(before)
    for key, (t, v, exp) in before.items():
        e = got[key]
        assert e["type"] == t and e["expire_at_ms"] == (exp if exp > 0 else None), key
        val = e["value"]
        if t == "string":
            assert from_readable(val) == v
        elif t == "hash":
            pairs = val.items() if isinstance(val, dict) else val
            assert {from_readable(f) if isinstance(f, dict) else f.encode():
                    from_readable(x) for f, x in pairs} == v
        elif t == "list":
            assert [from_readable(x) for x in val] == v
        elif t == "set":
            assert sorted(from_readable(x) for x in val) == v
        elif t == "zset":
            assert [(from_readable(m), s) for m, s in val] == v
        else:
            assert [(e_["id"].encode(), {f.encode(): x.encode()
                                         for f, x in e_["fields"].items()})
                    for e_ in val] == v[0]
    assert got[b"app:bin"]["value"] == {"base64": base64.b64encode(
        b"\x00\xff\xfe binary").decode()}
    assert got[b"app:hash"]["value"] == {"f1": "v1", "f2": {"base64": "/wA="}, "n": "3"}
    assert got[b"app:zset"]["value"] == [["m2", -2.0], ["m1", 1.5], ["m3", 1e300]]


# ---------------------------------------------------------------------- copy
def test_copy_a_folder_to_db1_keeps_or_replaces_what_is_there(qtbot, embedded,
                                                              client_factory):
    server, source = embedded
    r = client_factory()
    in_thread(qtbot, lambda: fill(r))
    before = in_thread(qtbot, lambda: snapshot(r))
    r1 = client_factory(db=1)
    in_thread(qtbot, lambda: r1.set("app:str", "older, in db1"))
    panel = tree(qtbot, source, len(before) + 2)
    dlg = open_folder_dialog(qtbot, panel, "app")
    dlg.action.setCurrentIndex(COPY_DB)
    assert dlg.go.text() == "Copy" and dlg.target_db.value() == 1
    n = len(before)
    assert run(qtbot, dlg) == f"Copied {n - 1:,} keys to db1 (1 already there, kept)"
    after = in_thread(qtbot, lambda: snapshot(r1))
    assert after.pop(b"app:str")[1] == b"older, in db1"
    assert after == {k: v for k, v in before.items() if k != b"app:str"}
    dlg.replace.setChecked(True)
    assert run(qtbot, dlg) == f"Copied {n:,} keys to db1"
    assert in_thread(qtbot, lambda: snapshot(r1)) == before
    dlg.target_db.setValue(0)                    # onto itself: said, nothing sent
    QTest.mouseClick(dlg.go, Qt.LeftButton)
    assert "in db0 already" in dlg.status.text()


@needs_redis
def test_copy_a_key_to_another_server_from_the_key_view(qtbot, embedded, client_factory,
                                                        redis_server):
    server, source = embedded
    r = client_factory()
    in_thread(qtbot, lambda: (r.hset("cart:7", mapping={"apple": 3, "pear": 1}),
                              r.pexpireat("cart:7", FAR)))
    dlg = key_dialog(qtbot, source, b"cart:7")
    assert "key 'cart:7' of db0" in dlg.title.text()
    dlg.action.setCurrentIndex(COPY_SERVER)
    assert dlg.form.isRowVisible(3) and not dlg.form.isRowVisible(1)
    url = f"redis://127.0.0.1:{redis_server.port}/2"
    dlg.url.setText(url)
    assert run(qtbot, dlg) == f"Copied 1 keys to {url}"
    rr = redis_server.client(db=2)
    assert rr.hgetall("cart:7") == {b"apple": b"3", b"pear": b"1"}
    assert rr.pexpiretime("cart:7") == FAR
    rr.hset("cart:7", "apple", 99)
    assert run(qtbot, dlg) == f"Copied 0 keys to {url} (1 already there, kept)"
    assert rr.hget("cart:7", "apple") == b"99"
    dlg.replace.setChecked(True)
    assert run(qtbot, dlg) == f"Copied 1 keys to {url}"
    assert rr.hget("cart:7", "apple") == b"3"
    rr.close()


def test_an_unreachable_or_bad_server_url_is_said_plainly(qtbot, embedded, client_factory):
    server, source = embedded
    r = client_factory()
    in_thread(qtbot, lambda: r.set("k", "v"))
    view = KeyView(source)
    qtbot.addWidget(view)
    view.show_key(0, b"k")
    dlg = TransferDialog.for_key(view, source, 0, b"k")
    dlg.action.setCurrentIndex(COPY_SERVER)
    dlg.url.setText(f"redis://:secret@127.0.0.1:{free_port()}/0")
    text = run(qtbot, dlg)
    assert text.startswith("Cannot reach redis://***@127.0.0.1:") and "secret" not in text
    dlg.url.setText("http://example")
    text = run(qtbot, dlg)
    assert text.startswith("Cannot reach http://example: not a server URL")
    assert in_thread(qtbot, r.ping)


# ---------------------------------------------------------------------- import
def export_all(qtbot, source, path, keys) -> list:
    holder = KeyView(source)
    qtbot.addWidget(holder)
    job = transfer.DumpExport(source, 0, str(path), keys, None, holder)
    job.start()
    qtbot.waitUntil(lambda: not job.running, timeout=10_000)
    assert job.ok, job.summary
    return path.read_bytes().splitlines(keepends=True)


def import_dialog(qtbot, panel) -> TransferDialog:
    blank = QPoint(10, panel.view.viewport().height() - 5)
    menu_action(panel, blank, "Import a dump file into db0").trigger()
    return panel.transfer_dialog


def test_import_keeps_or_replaces_existing_keys_and_counts_what_happened(
        qtbot, embedded, client_factory, tmp_path):
    server, source = embedded
    r = client_factory()
    in_thread(qtbot, lambda: (r.set("a", "1"), r.set("b", "2"), r.rpush("c", "x"),
                              r.set("d", "3")))
    lines = export_all(qtbot, source, tmp_path / "f.jsonl", [b"a", b"b", b"c", b"d"])
    # d's expiry set in the past in the file: not imported (and no delete of a live d)
    rec = json.loads(lines[4])
    rec["expire_at_ms"] = 1
    lines[4] = (json.dumps(rec) + "\n").encode()
    path = tmp_path / "g.jsonl"
    path.write_bytes(b"".join(lines))
    in_thread(qtbot, lambda: (r.delete("a"), r.set("b", "changed"), r.delete("c"),
                              r.set("d", "live")))
    panel = tree(qtbot, source, 2)
    dlg = import_dialog(qtbot, panel)
    assert "Import a dump file into db0" in dlg.title.text()
    assert not dlg.form.isRowVisible(0) and dlg.form.isRowVisible(4)
    dlg.path.setText(str(path))
    assert run(qtbot, dlg) == ("Imported 2 keys into db0 (1 already there, kept; "
                               "1 had expired, skipped)")
    assert in_thread(qtbot, lambda: (r.get("a"), r.get("b"), r.lrange("c", 0, -1),
                                     r.get("d"))) == (b"1", b"changed", [b"x"], b"live")
    qtbot.waitUntil(lambda: len(panel.model.ns) == 4, timeout=5000)   # the feed follows
    dlg.replace.setChecked(True)
    assert run(qtbot, dlg) == ("Imported 3 keys into db0 (3 replaced; 1 had expired, "
                               "skipped)")
    assert in_thread(qtbot, lambda: (r.get("b"), r.get("d"))) == (b"2", b"live")


@pytest.mark.parametrize("damage, why", [
    ("garbage", "is not a keyscope dump file"),
    ("no_header", "is not a keyscope dump file"),
    ("bad_json", "line 3: not JSON"),
    ("bad_base64", "line 2: key or dump is not valid base64"),
    ("bad_crc", "line 3: the DUMP payload of 'b' is damaged"),
    ("cut_short", "without its end line: it was cut short"),
    ("wrong_count", "the end line counts 3 keys but the file has 2"),
    ("not_a_record", "line 2: not a key record"),
])
def test_a_damaged_import_file_imports_nothing_and_says_why(qtbot, embedded, client_factory,
                                                            tmp_path, damage, why):
    server, source = embedded
    r = client_factory()
    in_thread(qtbot, lambda: (r.set("a", "1"), r.set("b", "2"), r.set("c", "3")))
    lines = export_all(qtbot, source, tmp_path / "ok.jsonl", [b"a", b"b", b"c"])
    in_thread(qtbot, lambda: r.flushdb())
    in_thread(qtbot, lambda: r.set("keep", "me"))
    if damage == "garbage":
        data = os.urandom(3000)
    elif damage == "no_header":
        data = b"".join(lines[1:])
    elif damage == "bad_json":
        data = b"".join(lines[:2] + [lines[2][:-10] + b"\n"] + lines[3:])
    elif damage == "bad_base64":
        rec = json.loads(lines[1])
        rec["dump"] = "!!" + rec["dump"]
        data = b"".join(lines[:1] + [json.dumps(rec).encode() + b"\n"] + lines[2:])
    elif damage == "bad_crc":
        rec = json.loads(lines[2])
        payload = bytearray(base64.b64decode(rec["dump"]))
        payload[2] ^= 0x01                      # one bit of the value
        rec["dump"] = base64.b64encode(bytes(payload)).decode()
        data = b"".join(lines[:2] + [json.dumps(rec).encode() + b"\n"] + lines[3:])
    elif damage == "cut_short":
        data = b"".join(lines[:-1])
    elif damage == "wrong_count":
        data = b"".join(lines[:2] + lines[3:])
    else:
        data = b"".join(lines[:1] + [b'{"hello": "world"}\n'] + lines[2:])
    path = tmp_path / "bad.jsonl"
    path.write_bytes(data)
    panel = tree(qtbot, source, 1)
    dlg = import_dialog(qtbot, panel)
    dlg.path.setText(str(path))
    text = run(qtbot, dlg)
    assert why.lower() in text.lower() and "nothing was imported" in text, text
    assert dlg.job.ok is False
    assert in_thread(qtbot, lambda: sorted(r.keys("*"))) == [b"keep"]


def test_import_needs_a_file_and_read_only_mode_refuses_it(qtbot, embedded, tmp_path):
    server, source = embedded
    panel = tree(qtbot, source, 0)
    dlg = import_dialog(qtbot, panel)
    dlg.path.setText(str(tmp_path / "missing.jsonl"))
    QTest.mouseClick(dlg.go, Qt.LeftButton)
    assert dlg.job is None and dlg.status.text().startswith("no such file: ")
    dlg.close()
    source.set_read_only(True)
    blank = QPoint(10, panel.view.viewport().height() - 5)
    panel.view.customContextMenuRequested.emit(blank)
    imp = [a for a in panel.menu.actions() if a.text().startswith("Import")][0]
    panel.menu.close()
    assert not imp.isEnabled()
    dlg = TransferDialog.for_import(panel, source, 0, panel.model)
    path = tmp_path / "x.jsonl"
    path.write_text("x")
    dlg.path.setText(str(path))
    QTest.mouseClick(dlg.go, Qt.LeftButton)
    assert dlg.job is None and dlg.status.text().startswith("Read-only mode")


@needs_redis
def test_a_remote_folder_exports_and_imports_into_keyscope(qtbot, embedded, client_factory,
                                                           redis_server, tmp_path):
    """The other way round: redis-server is the source (remote mode, SCAN-fed tree), the
    embedded keyscope the destination."""
    server, source = embedded
    rr = redis_server.client()
    fill(rr)
    before = snapshot(rr)
    remote = RemoteSource(f"redis://127.0.0.1:{redis_server.port}/0")
    try:
        panel = tree(qtbot, remote, len(before) + 2)
        path = tmp_path / "remote.jsonl"
        assert export_folder(qtbot, panel, "app", EXPORT_DUMP, path) == \
            f"Exported {len(before):,} keys to {path}"
    finally:
        remote.close()
    assert import_file(qtbot, source, path) == f"Imported {len(before):,} keys into db0"
    r = client_factory()
    assert in_thread(qtbot, lambda: snapshot(r)) == before
    rr.close()
