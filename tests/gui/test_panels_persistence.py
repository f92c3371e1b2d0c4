"""Persistence panel: INFO persistence fields, SAVE/BGSAVE from the panel, save-point
gauges, appendonly/appendfsync editors, errors shown as text."""
from __future__ import annotations

import shutil

import pytest
import redis

from gui.persistence_panel import PersistencePanel, parse_save_rules
from tests.conftest import REDIS_SERVER, get_server
from tests.gui.helpers import in_thread, run_task
from tests.gui.panel_utils import type_into


def make_panel(qtbot, source):
    panel = PersistencePanel(source, interval_ms=50)
    qtbot.addWidget(panel)
    panel.show()
    return panel


def mset_many(r, n: int, prefix: str = "k"):
    for start in range(0, n, 1000):
        r.mset({f"{prefix}:{i}": i for i in range(start, min(n, start + 1000))})


def test_save_points_editor_and_gauges(qtbot, embedded, client_factory):
    server, source = embedded
    panel = make_panel(qtbot, source)
    assert panel.no_rules.isVisible() and not panel.gauges         # scratch: save ""
    assert type_into(panel.save_field, "3600 1 300 100")
    r = client_factory()
    assert in_thread(qtbot, lambda: r.config_get("save")) == {"save": "3600 1 300 100"}
    assert [(g.seconds, g.changes) for g in panel.gauges] == [(3600, 1), (300, 100)]
    in_thread(qtbot, lambda: [r.set(f"g:{i}", i) for i in range(50)])
    qtbot.waitUntil(lambda: panel.values["rdb_changes_since_last_save"].text() == "50",
                    timeout=5000)
    first, second = panel.gauges
    assert first.changes_bar.format() == "50 / 1 changes"
    assert first.state.text().startswith("saves in ")
    assert second.changes_bar.format() == "50 / 100 changes"
    assert second.changes_bar.value() == 50 and second.changes_bar.maximum() == 100
    assert second.state.text() == "waiting"
    assert not type_into(panel.save_field, "10 ten")
    assert "Invalid save parameters" in panel.save_field.error.text()
    assert in_thread(qtbot, lambda: r.config_get("save")) == {"save": "3600 1 300 100"}
    assert type_into(panel.save_field, "")
    qtbot.waitUntil(lambda: not panel.gauges and panel.no_rules.isVisible(), timeout=5000)


def test_save_and_bgsave_buttons(qtbot, embedded, client_factory, tmp_path):
    server, source = embedded
    panel = make_panel(qtbot, source)
    r = client_factory()
    in_thread(qtbot, lambda: mset_many(r, 20_000))
    panel.save_button.click()
    assert panel.status.text() == "SAVE: OK" and panel.status.ok
    assert (tmp_path / "dump.rdb").exists()
    assert panel.values["rdb_saves"].text() == "1"
    assert "s ago" in panel.values["rdb_last_save_time"].text()
    assert panel.values["rdb_changes_since_last_save"].text() == "0"
    assert panel.values["rdb_file"].text() == f"{tmp_path}/dump.rdb"
    in_thread(qtbot, lambda: r.set("more", 1))
    panel.bgsave_button.click()
    assert panel.status.text() == "BGSAVE: Background saving started"
    # the snapshot runs in slices on the loop: right after the click it is in progress,
    # and the bar is determinate (the engine reports its progress)
    assert panel.save_bar.isVisible() and panel.save_bar.maximum() == 1000
    assert panel.values["rdb_bgsave_in_progress"].text().startswith("in progress")
    qtbot.waitUntil(lambda: panel.values["rdb_saves"].text() == "2", timeout=15_000)
    qtbot.waitUntil(lambda: not panel.save_bar.isVisible(), timeout=5000)
    assert panel.values["rdb_bgsave_in_progress"].text() == "idle"
    assert panel.values["rdb_last_bgsave_status"].text() == "ok"
    assert in_thread(qtbot, lambda: r.dbsize()) == 20_001


def test_a_failing_save_shows_the_error_and_the_server_keeps_serving(qtbot, qloop, tmp_path):
    from gui.embedded import scratch_directives, start_embedded
    from gui.source import EmbeddedSource
    where = tmp_path / "data"
    where.mkdir()
    server = run_task(qtbot, start_embedded(port=0, extra=scratch_directives(str(where))))
    source = EmbeddedSource(server.engine, server)
    r = redis.Redis(port=server.port, socket_timeout=10)
    try:
        panel = make_panel(qtbot, source)
        in_thread(qtbot, lambda: r.set("a", 1))
        shutil.rmtree(where)                               # the save directory is gone
        panel.save_button.click()
        assert not panel.status.ok
        assert panel.status.text() == "SAVE: failed: ERR"
        panel.bgsave_button.click()                        # fails after its reply, as Redis
        qtbot.waitUntil(lambda: panel.values["rdb_last_bgsave_status"].text() == "err",
                        timeout=5000)
        assert "Traceback" not in panel.status.text()
        assert in_thread(qtbot, lambda: r.get("a")) == b"1"
        panel.rewrite_button.click()
        text = panel.status.text()
        assert text.startswith("BGREWRITEAOF: ") and "Traceback" not in text
        if not source.implements("BGREWRITEAOF"):
            assert text == "BGREWRITEAOF: failed: BGREWRITEAOF is not implemented in " \
                           "keyscope yet"
    finally:
        r.close()
        source.close()
        run_task(qtbot, server.shutdown())


def test_appendonly_and_appendfsync_editors(qtbot, embedded, client_factory):
    server, source = embedded
    panel = make_panel(qtbot, source)
    r = client_factory()
    assert not panel.appendonly.isChecked()
    assert "not available" in panel.values["aof_current_size"].text()   # no AOF: no size
    i = panel.fsync.findText("always")
    panel.fsync.setCurrentIndex(i)
    panel.fsync.activated.emit(i)
    assert in_thread(qtbot, lambda: r.config_get("appendfsync")) == {"appendfsync": "always"}
    assert "every write" in panel.fsync_help.text()
    panel.appendonly.click()
    assert in_thread(qtbot, lambda: r.config_get("appendonly")) == {"appendonly": "yes"}
    assert panel.aof_error.text() == ""
    panel.appendonly.click()
    assert in_thread(qtbot, lambda: r.config_get("appendonly")) == {"appendonly": "no"}
    assert not panel.appendonly.isChecked()
    in_thread(qtbot, lambda: r.config_set("appendfsync", "no"))     # changed elsewhere
    qtbot.waitUntil(lambda: panel.fsync.currentText() == "no", timeout=5000)


def test_save_rules_parsing():
    assert parse_save_rules("3600 1 300 100") == [(3600, 1), (300, 100)]
    assert parse_save_rules("") == [] and parse_save_rules(None) == []


@pytest.mark.skipif(REDIS_SERVER is None, reason="redis-server is not installed")
def test_remote_mode_reads_a_real_redis(qtbot, qapp):
    from gui.source import RemoteSource
    srv = get_server("redis")
    source = RemoteSource(f"redis://127.0.0.1:{srv.port}")
    try:
        panel = make_panel(qtbot, source)
        for key in ("rdb_last_save_time", "rdb_changes_since_last_save", "rdb_saves",
                    "rdb_last_bgsave_status", "aof_last_write_status", "rdb_file"):
            assert "not available" not in panel.values[key].text(), key
        assert panel.fsync.currentText() == "everysec"
        saves = int(panel.values["rdb_saves"].text())
        panel.bgsave_button.click()
        assert panel.status.text() == "BGSAVE: Background saving started"
        qtbot.waitUntil(lambda: panel.values["rdb_saves"].text() == str(saves + 1) and
                        panel.values["rdb_bgsave_in_progress"].text() == "idle",
                        timeout=15_000)
        panel.save_button.click()
        assert panel.status.text() == "SAVE: OK"
    finally:
        source.close()


def test_aof_on_shows_its_size_and_rewrites_from_the_panel(qtbot, embedded, client_factory,
                                                          tmp_path):
    server, source = embedded
    panel = make_panel(qtbot, source)
    r = client_factory()
    panel.appendonly.click()                                 # CONFIG SET appendonly yes
    assert panel.appendonly.isChecked() and panel.aof_error.text() == ""
    qtbot.waitUntil(lambda: panel.values["aof_rewrite_in_progress"].text() == "idle" and
                    "not available" not in panel.values["aof_current_size"].text(),
                    timeout=10_000)
    in_thread(qtbot, lambda: [r.set(f"a:{i}", "v" * 100) for i in range(200)])
    info = in_thread(qtbot, lambda: r.info("persistence"))
    qtbot.waitUntil(lambda: panel.values["aof_current_size"].text() ==
                    panel_bytes(in_thread(qtbot, lambda: r.info("persistence"))
                                ["aof_current_size"]), timeout=5000)
    assert info["aof_enabled"] == 1
    assert panel.values["aof_file"].text() == f"{tmp_path}/appendonlydir/appendonly.aof.*"
    rewrites = int(panel.values["aof_rewrites"].text())
    panel.rewrite_button.click()
    assert panel.status.ok, panel.status.text()
    assert panel.status.text().startswith("BGREWRITEAOF: Background append only file "
                                          "rewriting")
    qtbot.waitUntil(lambda: panel.values["aof_rewrites"].text() == str(rewrites + 1) and
                    panel.values["aof_rewrite_in_progress"].text() == "idle", timeout=15_000)
    assert not panel.rewrite_bar.isVisible()
    assert panel.values["aof_last_bgrewrite_status"].text() == "ok"
    assert in_thread(qtbot, lambda: r.info("persistence"))["aof_rewrites"] == rewrites + 1


def panel_bytes(n: int) -> str:
    from gui.panelkit import human_bytes
    return human_bytes(int(n))


@pytest.mark.skipif(REDIS_SERVER is None, reason="redis-server is not installed")
def test_a_user_who_may_not_change_persistence_sees_each_refusal_inline(qtbot, qapp, tmp_path):
    from gui.source import RemoteSource
    from tests.conftest import ServerProc
    srv = ServerProc("redis", workdir=str(tmp_path))
    r = srv.client()
    r.acl_setuser("viewer", enabled=True, passwords=["+pw"], keys=["*"],
                  commands=["+@all", "-config|set", "-save", "-bgsave", "-bgrewriteaof"])
    source = RemoteSource(f"redis://viewer:pw@127.0.0.1:{srv.port}")
    refused = "this user has no permissions to run the '{}' command"
    try:
        panel = make_panel(qtbot, source)
        assert panel.fsync.currentText() == "everysec" and not panel.appendonly.isChecked()
        panel.appendonly.click()
        assert panel.aof_error.text() == "appendonly: " + refused.format("config|set")
        assert not panel.appendonly.isChecked()              # back to the server's value
        i = panel.fsync.findText("always")
        panel.fsync.setCurrentIndex(i)
        panel.fsync.activated.emit(i)
        assert panel.aof_error.text() == "appendfsync: " + refused.format("config|set")
        assert panel.fsync.currentText() == "everysec"
        assert not type_into(panel.save_field, "60 1")
        assert panel.save_field.error.text() == "'60 1' refused: " + \
            refused.format("config|set")
        for button, name in ((panel.save_button, "SAVE"), (panel.bgsave_button, "BGSAVE"),
                             (panel.rewrite_button, "BGREWRITEAOF")):
            button.click()
            assert not panel.status.ok
            assert panel.status.text() == f"{name}: failed: " + refused.format(name.lower())
        assert r.config_get("appendonly") == {"appendonly": "no"}
        assert r.config_get("appendfsync") == {"appendfsync": "everysec"}
    finally:
        source.close()
        srv.stop()
