"""Memory panel: chart, breakdown by type/namespace, big keys, MEMORY DOCTOR; embedded
(exact, from the engine's model) and remote (sampled MEMORY USAGE, labelled)."""
from __future__ import annotations

import redis

from gui import memory_panel
from gui.memory_panel import MemoryPanel, RowsModel
from tests.conftest import REDIS_SERVER, ServerProc
from tests.gui.helpers import in_thread
from tests.gui.panel_utils import show_panel

import pytest


def _models(p):
    from PySide6.QtWidgets import QTableView
    proxies = [v.model() for v in p.views.findChildren(QTableView)]
    assert len(proxies) == 4
    return (p.type_model, p.ns_model, p.bytes_model, p.elems_model, *proxies)


def _fill(r):
    r.mset({f"user:{i}": "x" * 10 for i in range(50)})
    r.hset("big:hash", mapping={f"f{i}": "v" * 20 for i in range(600)})
    r.rpush("queue:jobs", *[f"job{i}" for i in range(1000)])
    r.set("plain", "y" * 5000)


def test_rows_model_applies_new_rows_as_a_diff(qtbot, model_check):
    m = model_check(RowsModel(("a", "b"), numeric=(1,)))
    inserted, removed, changed = [], [], []
    m.rowsInserted.connect(lambda *a: inserted.append(a[1:]))
    m.rowsRemoved.connect(lambda *a: removed.append(a[1:]))
    m.dataChanged.connect(lambda a, b, *_: changed.append((a.row(), b.row())))
    m.set_rows([("x", 1), ("y", 2)])
    m.set_rows([("x", 1), ("z", 3), ("w", 4)])
    m.set_rows([("q", 1)])
    assert inserted == [(0, 1), (2, 2)]
    assert removed == [(1, 2)]
    assert changed == [(1, 1), (0, 0)]
    assert m.rows == [("q", 1)]


def test_embedded_breakdown_big_keys_chart_and_doctor(qtbot, embedded, client_factory,
                                                     model_check):
    server, source = embedded
    r = client_factory()
    in_thread(qtbot, lambda: _fill(r))
    p = MemoryPanel(source, chart_ms=200, walk_pause_ms=200)
    show_panel(qtbot, p, model_check, *_models(p))
    qtbot.waitUntil(lambda: p.passes >= 1, timeout=10_000)
    assert p.walk_label.text()
    # big keys by bytes: the hash first (exact modelled bytes, as MEMORY USAGE SAMPLES 0)
    assert p.bytes_model.rows[0][2] == b"big:hash"
    exact = in_thread(qtbot, lambda: r.memory_usage("big:hash", samples=0))
    assert p.bytes_model.rows[0][4] > 0
    assert abs(p.bytes_model.rows[0][4] - exact) <= exact * 0.2
    # by elements: the list (1000) over the hash (600); strings are not containers
    assert [row[2] for row in p.elems_model.rows[:2]] == [b"queue:jobs", b"big:hash"]
    assert p.elems_model.rows[0][4] == 1000 and len(p.elems_model.rows) == 2
    ns = {row[0]: row[1] for row in p.ns_model.rows}
    assert ns["user"] == 50 and ns["big"] == 1 and ns["queue"] == 1
    assert ns[memory_panel.NO_NS] == 1
    types = {row[0]: row[1] for row in p.type_model.rows}
    assert types == {"string": 51, "hash": 1, "list": 1}
    assert "exact" in p.walk_label.text() and "53 keys" in p.walk_label.text()
    # the chart samples used_memory etc. while visible
    qtbot.waitUntil(lambda: len(p.chart.t) >= 3, timeout=5000)
    assert len(p.chart.curves["used_memory"].getData()[1]) >= 3
    assert "used_memory:" in p.figures.text()
    assert p.doctor.toPlainText() and "not available" not in p.doctor.toPlainText()

    # new data written by a client shows up in a later pass (by diff, no reset)
    resets = []
    p.bytes_model.modelReset.connect(lambda: resets.append(1))
    in_thread(qtbot, lambda: r.rpush("huge:list", *[b"z" * 100 for _ in range(3000)]))
    qtbot.waitUntil(lambda: p.elems_model.rows[0][2] == b"huge:list", timeout=10_000)
    qtbot.waitUntil(lambda: p.bytes_model.rows[0][2] == b"huge:list", timeout=10_000)
    assert not resets
    # a deleted key leaves the tables
    in_thread(qtbot, lambda: r.delete("huge:list", "big:hash"))
    qtbot.waitUntil(lambda: all(row[2] not in (b"huge:list", b"big:hash")
                                for row in p.bytes_model.rows), timeout=10_000)


def test_the_walk_is_sliced_and_stops_while_hidden(qtbot, embedded, client_factory,
                                                   model_check, monkeypatch):
    server, source = embedded
    r = client_factory()

    def fill():
        for j in range(4):
            r.mset({f"ns{j}:{i}": i for i in range(5000)})
    in_thread(qtbot, fill)
    monkeypatch.setattr(memory_panel, "WALK_BUDGET_S", 0.0)   # one 500-key chunk a tick
    p = MemoryPanel(source, walk_pause_ms=60_000)
    steps = []
    orig = memory_panel.EmbeddedWalk.step

    def counting(self, deadline):
        steps.append(self.result.keys)
        return orig(self, deadline)
    monkeypatch.setattr(memory_panel.EmbeddedWalk, "step", counting)
    show_panel(qtbot, p, model_check, *_models(p))
    qtbot.waitUntil(lambda: p.passes == 1, timeout=20_000)
    assert len(steps) >= 40                  # 20000 keys, 500 per tick
    assert max(b - a for a, b in zip(steps, steps[1:])) <= 500
    assert {row[0]: row[1] for row in p.ns_model.rows} == {f"ns{j}": 5000 for j in range(4)}
    p.hide()
    p.rescan()
    n = len(steps)
    qtbot.wait(200)
    assert len(steps) == n                   # hidden: no work


def test_a_bad_source_says_not_available(qtbot, embedded, model_check, monkeypatch):
    server, source = embedded
    monkeypatch.setattr(memory_panel.EmbeddedWalk, "available",
                        staticmethod(lambda s: "no model here"))
    p = MemoryPanel(source)
    show_panel(qtbot, p, model_check, *_models(p))
    qtbot.waitUntil(lambda: "not available" in p.walk_label.text(), timeout=5000)
    assert p.bytes_model.rows == []


@pytest.mark.skipif(REDIS_SERVER is None, reason="redis-server is not installed")
def test_remote_breakdown_is_sampled_and_labelled(qtbot, qapp, model_check):
    from gui.source import RemoteSource
    srv = ServerProc("redis")
    try:
        r = redis.Redis(port=srv.port)
        _fill(r)
        r2 = redis.Redis(port=srv.port, db=2)
        r2.set("other:db", "z" * 300)
        source = RemoteSource(f"redis://127.0.0.1:{srv.port}")
        p = MemoryPanel(source, chart_ms=200, walk_pause_ms=60_000)
        show_panel(qtbot, p, model_check, *_models(p))
        qtbot.waitUntil(lambda: p.passes >= 1, timeout=20_000)
        assert p.bytes_model.rows[0][2] == b"big:hash", p.walk_label.text()
        assert p.bytes_model.rows[0][4] == r.memory_usage("big:hash")
        assert (2, b"other:db") in {(row[1], row[2]) for row in p.bytes_model.rows}
        assert p.elems_model.rows[0][2] == b"queue:jobs"
        assert "sampled" in p.walk_label.text() and "54 of 54 keys" in p.walk_label.text()
        qtbot.waitUntil(lambda: len(p.chart.t) >= 2, timeout=5000)
        assert "RSS:" in p.figures.text() and "not available" not in p.figures.text()
        assert "Sam" in p.doctor.toPlainText()          # redis-server's doctor
        p.hide()
        source.close()
    finally:
        srv.stop()


@pytest.mark.skipif(REDIS_SERVER is None, reason="redis-server is not installed")
def test_remote_sample_is_capped(qtbot, qapp, model_check, monkeypatch):
    from gui.source import RemoteSource
    srv = ServerProc("redis")
    try:
        r = redis.Redis(port=srv.port)
        r.mset({f"k:{i}": i for i in range(3000)})
        monkeypatch.setattr(memory_panel, "REMOTE_SAMPLE", 500)
        source = RemoteSource(f"redis://127.0.0.1:{srv.port}")
        p = MemoryPanel(source, walk_pause_ms=60_000)
        p.walk_cls = lambda s, d: memory_panel.RemoteWalk(s, d, limit=500)
        p.walk_cls.available = memory_panel.RemoteWalk.available
        show_panel(qtbot, p, model_check, *_models(p))
        qtbot.waitUntil(lambda: p.passes >= 1, timeout=20_000)
        assert "500 of 3,000 keys" in p.walk_label.text()
        assert p.ns_model.rows == [("k", 500, p.ns_model.rows[0][2])]
        p.hide()
        source.close()
    finally:
        srv.stop()


def test_the_namespace_delimiter_is_typed_in_the_panel(qtbot, embedded, client_factory,
                                                      model_check):
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    server, source = embedded
    r = client_factory()
    in_thread(qtbot, lambda: r.mset({"app/users/1": 1, "app/users/2": 2, "cache/x": 3,
                                     "a:b": 4}))
    p = MemoryPanel(source, walk_pause_ms=60_000)
    show_panel(qtbot, p, model_check, *_models(p))
    qtbot.waitUntil(lambda: p.passes == 1, timeout=10_000)
    assert {row[0] for row in p.ns_model.rows} == {"a", memory_panel.NO_NS}
    p.delimiter.selectAll()
    QTest.keyClicks(p.delimiter, "/")
    QTest.keyClick(p.delimiter, Qt.Key_Return)
    qtbot.waitUntil(lambda: p.passes == 2, timeout=10_000)
    assert {row[0]: row[1] for row in p.ns_model.rows} == \
        {"app": 2, "cache": 1, memory_panel.NO_NS: 1}
    p.delimiter.selectAll()
    QTest.keyClick(p.delimiter, Qt.Key_Delete)
    QTest.keyClick(p.delimiter, Qt.Key_Return)
    assert p.delimiter.text() == ":" and "empty delimiter" in p.delimiter_error.text()
    qtbot.waitUntil(lambda: p.passes == 3, timeout=10_000)
    assert {row[0] for row in p.ns_model.rows} == {"a", memory_panel.NO_NS}
    p.hide()
