"""Slowlog panel: entries from a real client appear by diff, the panel's own reads never
enter the slowlog, threshold/length/reset work from the panel, latency events show."""
from __future__ import annotations

import pytest
import redis
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from gui.slowlog_panel import SlowlogPanel
from tests.conftest import REDIS_SERVER, get_server
from tests.gui.helpers import in_thread
from tests.gui.panel_utils import show_panel, type_into


def make_panel(qtbot, source, model_check):
    panel = SlowlogPanel(source, interval_ms=50)
    return show_panel(qtbot, panel, model_check, panel.model, panel.proxy,
                      panel.latency_model, panel.latency_view.model())


def test_commands_appear_by_diff_and_the_panel_never_logs_itself(qtbot, embedded,
                                                                 client_factory, model_check):
    server, source = embedded
    panel = make_panel(qtbot, source, model_check)
    resets = []
    panel.model.modelReset.connect(lambda: resets.append(1))
    assert type_into(panel.threshold, "0")
    assert server.engine.config["slowlog-log-slower-than"] == 0
    r = client_factory(client_name="app")
    in_thread(qtbot, lambda: [r.set(f"k{i}", i) for i in range(5)])
    qtbot.waitUntil(lambda: sum(e.args[:1] == [b"SET"] for e in panel.model.rows) == 5,
                    timeout=5000)
    first = panel.model.rows[0]
    in_thread(qtbot, lambda: [r.get(f"k{i}") for i in range(3)])
    qtbot.waitUntil(lambda: sum(e.args[:1] == [b"GET"] for e in panel.model.rows) == 3,
                    timeout=5000)
    assert first in panel.model.rows                  # old rows kept, new ones inserted
    ids = [e.id for e in panel.model.rows]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == len(ids)
    qtbot.wait(300)                                   # a few more refreshes of the panel
    logged = [e[3][0].upper() for e in server.engine.slowlog.entries]
    assert set(logged) <= {b"SET", b"GET", b"CLIENT", b"HELLO", b"SELECT"}, logged
    assert all(e.name != "keyscope-inspector" for e in panel.model.rows)
    assert resets == []
    row = next(i for i, e in enumerate(panel.model.rows) if e.args == [b"SET", b"k4", b"4"])
    assert panel.model.index(row, 3).data() == "SET k4 4"
    assert panel.model.index(row, 5).data() == "app"
    assert panel.model.index(row, 4).data().startswith("127.0.0.1:")
    assert "Exact" in panel.note.text()


def test_filter_sort_reset_and_length(qtbot, embedded, client_factory, model_check):
    server, source = embedded
    panel = make_panel(qtbot, source, model_check)
    assert type_into(panel.threshold, "0")
    r = client_factory()
    in_thread(qtbot, lambda: [r.set("a", 1), r.get("a"), r.lpush("l", *range(50)),
                              r.lrange("l", 0, -1), r.get("a")])
    qtbot.waitUntil(lambda: sum(e.args[0] == b"GET" for e in panel.model.rows) == 2 and
                    any(e.args[0] == b"LRANGE" for e in panel.model.rows), timeout=5000)
    panel.filter.setText("get")                       # case-insensitive, all columns
    assert panel.proxy.rowCount() == 2
    assert all(panel.proxy.index(i, 3).data() == "GET a" for i in range(2))
    panel.filter.setText("")
    head = panel.view.horizontalHeader()              # the header's sort indicator
    head.setSortIndicator(2, Qt.DescendingOrder)      # (what a click on it sets): by duration
    d = [int(panel.proxy.index(i, 2).data().replace(",", ""))
         for i in range(panel.proxy.rowCount())]
    assert len(d) >= 5 and d == sorted(d, reverse=True)
    head.setSortIndicator(2, Qt.AscendingOrder)
    d = [int(panel.proxy.index(i, 2).data().replace(",", ""))
         for i in range(panel.proxy.rowCount())]
    assert d == sorted(d)
    last_id = panel.model.last_id
    n = panel.model.rowCount()
    panel.reset_button.click()                        # asks first; Cancel keeps it all
    assert f"Delete all {n} slowlog entries" in panel.confirm_box.text()
    panel.confirm_box.button(QMessageBox.Cancel).click()
    assert panel.status.text() == "Slowlog kept." and panel.model.rowCount() == n
    assert in_thread(qtbot, lambda: r.slowlog_len()) >= n
    panel.reset_button.click()
    panel.confirm_box.button(QMessageBox.Yes).click()
    assert panel.model.rowCount() == 0 and "OK" in panel.status.text()
    assert in_thread(qtbot, lambda: r.slowlog_len()) in (0, 1)   # SLOWLOG LEN logs itself
    in_thread(qtbot, lambda: r.set("b", 2))
    qtbot.waitUntil(lambda: any(e.args[:2] == [b"SET", b"b"] for e in panel.model.rows),
                    timeout=5000)
    assert min(e.id for e in panel.model.rows) > last_id
    assert type_into(panel.max_len, "3")
    assert in_thread(qtbot, lambda: r.config_get("slowlog-max-len")) == \
        {"slowlog-max-len": "3"}
    in_thread(qtbot, lambda: [r.incr("n") for _ in range(10)])
    qtbot.waitUntil(lambda: panel.model.rowCount() == 3 and
                    all(e.args[0] == b"INCRBY" for e in panel.model.rows), timeout=5000)


def test_a_bad_threshold_shows_the_server_error_and_the_server_keeps_serving(
        qtbot, embedded, client_factory, model_check):
    server, source = embedded
    panel = make_panel(qtbot, source, model_check)
    before = server.engine.config["slowlog-log-slower-than"]
    assert not type_into(panel.threshold, "fast")
    assert "CONFIG SET failed" in panel.threshold.error.text()
    assert "Traceback" not in panel.threshold.error.text()
    assert server.engine.config["slowlog-log-slower-than"] == before
    assert "'fast' refused" in panel.threshold.error.text()
    qtbot.wait(120)                                   # a refresh restores the field
    assert panel.threshold.edit.text() == str(before)
    assert not type_into(panel.latency_threshold, "-3")
    assert panel.latency_threshold.error.text().startswith("'-3' refused: ERR CONFIG SET "
                                                           "failed")
    assert not type_into(panel.max_len, "1e3")
    assert panel.max_len.error.text().startswith("'1e3' refused: ERR CONFIG SET failed")
    assert in_thread(qtbot, lambda: client_factory().ping())


def test_latency_events_and_their_threshold(qtbot, embedded, client_factory, model_check):
    server, source = embedded
    panel = make_panel(qtbot, source, model_check)
    qtbot.waitUntil(lambda: "off" in panel.latency_note.text(), timeout=5000)
    r = client_factory()
    in_thread(qtbot, lambda: r.rpush("big", *range(50_000)))
    assert type_into(panel.latency_threshold, "1")
    assert in_thread(qtbot, lambda: r.config_get("latency-monitor-threshold")) == \
        {"latency-monitor-threshold": "1"}
    in_thread(qtbot, lambda: r.sort("big", desc=True, start=0, num=1))     # a slow command
    qtbot.waitUntil(lambda: panel.latency_model.rowCount() == 1, timeout=5000)
    assert panel.latency_model.index(0, 0).data() == "command"
    assert int(panel.latency_model.index(0, 3).data()) >= 1
    assert panel.latency_note.text() == ""
    panel.latency_reset.click()
    panel.confirm_box.button(QMessageBox.Cancel).click()
    assert panel.latency_model.rowCount() == 1
    panel.latency_reset.click()
    assert "LATENCY RESET" in panel.confirm_box.text()
    panel.confirm_box.button(QMessageBox.Yes).click()
    assert panel.latency_model.rowCount() == 0
    assert in_thread(qtbot, lambda: r.execute_command("LATENCY", "LATEST")) == []


@pytest.mark.skipif(REDIS_SERVER is None, reason="redis-server is not installed")
def test_remote_slowlog_hides_the_inspectors_own_commands(qtbot, qapp, model_check):
    from gui.source import RemoteSource
    srv = get_server("redis")
    r = redis.Redis(port=srv.port, client_name="app", socket_timeout=10)
    old = r.config_get("slowlog-log-slower-than")["slowlog-log-slower-than"]
    source = RemoteSource(f"redis://127.0.0.1:{srv.port}")
    try:
        r.slowlog_reset()
        panel = make_panel(qtbot, source, model_check)
        assert type_into(panel.threshold, "0")
        for i in range(4):
            r.set(f"remote-slow:{i}", i)
        qtbot.waitUntil(lambda: sum(e.args[:1] == [b"SET"] for e in panel.model.rows) == 4,
                        timeout=5000)
        qtbot.wait(200)
        names = {e.get("client_name") for e in r.slowlog_get(256)}
        names = {n.decode() if isinstance(n, bytes) else n for n in names}
        assert "keyscope-inspector" in names          # the server logged our reads ...
        assert {e.name for e in panel.model.rows} <= {"app"}    # ... the panel hides them
        assert "SLOWLOG GET" in panel.note.text()
        assert not type_into(panel.max_len, "-5")
        assert "CONFIG SET failed" in panel.max_len.error.text()
    finally:
        r.config_set("slowlog-log-slower-than", old)
        source.close()
        r.delete(*(f"remote-slow:{i}" for i in range(4)))
        r.close()
