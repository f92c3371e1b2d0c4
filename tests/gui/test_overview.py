"""Server overview: samples from the source, charts updated in place, rates that add up to
the server's own counters, event markers, the sampling rate chosen in the panel."""
from __future__ import annotations

import numpy as np
import pytest
import redis
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from gui import overview
from gui.overview import EventWatch, OverviewPanel, Ring
from tests.conftest import REDIS_SERVER, ServerProc
from tests.gui.helpers import in_thread


def make_panel(qtbot, source, interval_ms=100):
    panel = OverviewPanel(source, interval_ms=interval_ms)
    qtbot.addWidget(panel)
    panel.show()
    return panel


def total(panel, name: str) -> float:
    """The integral of a per-second series over the samples: the counter's increase."""
    t, y = panel.t.view(), panel.series[name].view()
    dt, ys = np.diff(t), y[1:]
    ok = ~np.isnan(ys)
    return float(np.sum(ys[ok] * dt[ok]))


def finite(panel, name: str) -> np.ndarray:
    y = panel.series[name].view()
    return y[~np.isnan(y)]


def stats(qtbot, r) -> dict:
    return in_thread(qtbot, lambda: r.info("stats"))


def test_charts_follow_the_server_and_reuse_their_curves(qtbot, embedded, client_factory):
    server, source = embedded
    panel = make_panel(qtbot, source)
    curves = {name: dict(chart.curves) for name, chart in panel.charts.items()}
    r = client_factory()
    in_thread(qtbot, lambda: [r.set(f"k{i}", i) for i in range(300)])
    qtbot.waitUntil(lambda: panel.samples >= 4, timeout=5000)
    qtbot.waitUntil(lambda: panel.now_labels["keys"].text() == "300", timeout=5000)
    assert {n: dict(c.curves) for n, c in panel.charts.items()} == curves   # same items
    x, y = panel.charts["keys"].curve.getData()
    assert len(x) == len(y) >= 4 and y[-1] == 300
    _, ops = panel.charts["ops"].curve.getData()
    assert np.nanmax(ops) > 0                               # the 300 SETs were seen
    assert np.isnan(ops[0])                                 # no interval before the first
    assert panel.now_labels["clients"].text() == "1"
    assert "exact" in panel.note.text()
    assert set(panel.charts["net"].curves) == {"net_in", "net_out"}
    assert set(panel.charts["keyevents"].curves) == {"expired", "evicted"}


def test_hit_ratio_network_and_key_rates_add_up_to_the_servers_counters(
        qtbot, embedded, client_factory):
    server, source = embedded
    r = client_factory()
    in_thread(qtbot, lambda: r.mset({f"k{i}": i for i in range(20)}))
    panel = make_panel(qtbot, source)
    qtbot.waitUntil(lambda: panel.samples >= 2, timeout=5000)
    assert panel.now_labels["hits"].text() == "- (no lookups)"
    # only hits: every interval with lookups reads 100 %
    in_thread(qtbot, lambda: [r.get(f"k{i % 20}") for i in range(60)])
    n = panel.samples
    qtbot.waitUntil(lambda: panel.samples >= n + 2, timeout=5000)
    assert set(finite(panel, "hits")) == {100}
    # then only misses: 0 %
    in_thread(qtbot, lambda: [r.get(f"missing{i}") for i in range(60)])
    n = panel.samples
    qtbot.waitUntil(lambda: panel.samples >= n + 2, timeout=5000)
    assert 0 in finite(panel, "hits")
    # network in: a 200 kB value
    in_thread(qtbot, lambda: r.set("blob", b"x" * 200_000))
    # expired: 30 keys with a 30 ms TTL, removed by the active expire cycle
    in_thread(qtbot, lambda: [r.set(f"ttl{i}", 1, px=30) for i in range(30)])
    qtbot.waitUntil(lambda: round(total(panel, "expired")) == 30, timeout=10_000)
    # evicted: a limit just above what is used, then more data under allkeys-random
    used = in_thread(qtbot, lambda: r.info("memory")["used_memory"])
    in_thread(qtbot, lambda: r.config_set("maxmemory-policy", "allkeys-random"))
    in_thread(qtbot, lambda: r.config_set("maxmemory", used + 200_000))
    in_thread(qtbot, lambda: [r.set(f"fill{i}", b"y" * 1000) for i in range(600)])
    st = stats(qtbot, r)
    assert st["evicted_keys"] > 0
    qtbot.waitUntil(lambda: round(total(panel, "evicted")) == st["evicted_keys"],
                    timeout=10_000)
    assert round(total(panel, "expired")) == st["expired_keys"] == 30
    net_in = total(panel, "net_in") * 1024
    assert 200_000 < net_in <= st["total_net_input_bytes"]
    assert total(panel, "net_out") * 1024 <= stats(qtbot, r)["total_net_output_bytes"]
    assert panel.now_labels["evicted"].text() != "-"


def test_events_mark_saves_and_config_changes_on_the_charts(qtbot, embedded, client_factory):
    server, source = embedded
    panel = make_panel(qtbot, source)
    r = client_factory()
    qtbot.waitUntil(lambda: panel.samples >= 2, timeout=5000)
    assert panel.events == [] and panel.events_label.text() == "Events: none yet"
    in_thread(qtbot, lambda: r.config_set("hz", 25))
    qtbot.waitUntil(lambda: any(e == "config hz=25" for _, e in panel.events), timeout=5000)
    in_thread(qtbot, lambda: r.mset({f"k{i}": i for i in range(1000)}))
    in_thread(qtbot, lambda: r.bgsave())
    qtbot.waitUntil(lambda: any(e == "RDB saved" for _, e in panel.events), timeout=10_000)
    assert "RDB saved" in panel.events_label.text()
    assert "config hz=25" in panel.events_label.text()
    # one dashed line per chart and event, labelled on the ops chart, moved as time passes
    assert len(panel.markers) == len(panel.events)
    when, lines = panel.markers[0]
    assert {chart for chart, _ in lines} == set(panel.charts.values())
    ops_line = next(line for chart, line in lines if chart is panel.charts["ops"])
    assert ops_line in panel.charts["ops"].getPlotItem().items
    assert ops_line.label.textItem.toPlainText() == "config hz=25"
    before = ops_line.value()
    qtbot.wait(300)
    assert ops_line.value() < before < 0                     # further into the past


def test_sampling_rate_is_chosen_in_the_panel(qtbot, embedded):
    server, source = embedded
    panel = make_panel(qtbot, source, interval_ms=500)
    assert panel.rate.currentText() == "2 Hz" and panel.timer.interval() == 500
    panel.rate.setFocus()
    QTest.keyClick(panel.rate, Qt.Key_Down)                  # 4 Hz
    assert panel.timer.interval() == 250 and "every 0.25 s" in panel.note.text()
    QTest.keyClick(panel.rate, Qt.Key_Up)
    QTest.keyClick(panel.rate, Qt.Key_Up)                    # 1 Hz
    assert panel.timer.interval() == 1000 and "every 1 s" in panel.note.text()
    assert [panel.rate.itemData(i) for i in range(panel.rate.count())] == [1000, 500, 250]


def test_a_source_that_fails_shows_the_error_and_keeps_the_history(qtbot, embedded,
                                                                   monkeypatch):
    server, source = embedded
    panel = make_panel(qtbot, source)
    qtbot.waitUntil(lambda: panel.samples >= 2, timeout=5000)

    def broken():
        raise ConnectionError("Connection refused")
    monkeypatch.setattr(source, "sample", broken)
    n = len(panel.t)
    qtbot.waitUntil(lambda: "Cannot sample the server: Connection refused"
                    in panel.note.text(), timeout=5000)
    assert len(panel.t) == n
    monkeypatch.undo()
    qtbot.waitUntil(lambda: len(panel.t) > n, timeout=5000)


def test_event_watch_reads_persistence_and_config_changes():
    w = EventWatch()
    p = {"rdb_bgsave_in_progress": "0", "rdb_saves": "0", "rdb_last_bgsave_status": "ok",
         "aof_rewrites": "0", "rdb_last_save_time": "100"}
    assert w.check(p, {"hz": "10", "save": ""}) == []
    assert w.check(dict(p, rdb_bgsave_in_progress="1"), {"hz": "10", "save": ""}) == \
        ["BGSAVE started"]
    assert w.check(dict(p, rdb_saves="1", rdb_last_save_time="105"), None) == ["RDB saved"]
    assert w.check(dict(p, rdb_saves="1", rdb_last_bgsave_status="err", aof_rewrites="1"),
                   {"hz": "20", "save": "x" * 40}) == \
        ["RDB save failed", "AOF rewritten", "config hz=20", "config save=" + "x" * 30 + "…"]
    assert w.check(None, None) == []


def test_ring_buffer_keeps_the_latest_in_order():
    ring = Ring(3)
    for v in range(5):
        ring.push(v)
    assert list(ring.view()) == [2, 3, 4] and len(ring) == 3


@pytest.mark.skipif(REDIS_SERVER is None, reason="redis-server is not installed")
def test_remote_overview_from_info(qtbot, qapp, monkeypatch):
    from gui.source import RemoteSource
    monkeypatch.setattr(overview, "REMOTE_CONFIG_EVERY_S", 0.2)
    srv = ServerProc("redis")
    source = RemoteSource(f"redis://127.0.0.1:{srv.port}")
    try:
        r = redis.Redis(port=srv.port, socket_timeout=10)
        r.set("a", 1)
        panel = make_panel(qtbot, source)
        assert "from INFO" in panel.note.text()
        qtbot.waitUntil(lambda: panel.samples >= 4, timeout=5000)
        # idle: the inspector's own INFO / CONFIG GET are not counted as traffic
        assert set(finite(panel, "ops")) == {0}
        for _ in range(30):
            r.get("a")
        qtbot.waitUntil(lambda: 100 in finite(panel, "hits"), timeout=5000)
        qtbot.waitUntil(lambda: round(total(panel, "ops")) == 30, timeout=5000)
        r.config_set("hz", 30)
        qtbot.waitUntil(lambda: any(e == "config hz=30" for _, e in panel.events),
                        timeout=5000)
        r.save()
        qtbot.waitUntil(lambda: any(e == "RDB saved" for _, e in panel.events), timeout=5000)
        assert panel.now_labels["keys"].text() == "1"
        assert panel.fact_labels["redis_version"].text().startswith("7.")
        r.close()
    finally:
        source.close()
        srv.stop()
