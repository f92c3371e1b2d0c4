"""Config panel: maxmemory/policy by point-and-click, the typed editor for every parameter,
inline errors, CONFIG REWRITE."""
from __future__ import annotations

import pytest
import redis
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QStyleOptionViewItem

from gui.config_panel import ConfigPanel, check_value, split_memory
from tests.conftest import REDIS_SERVER, ServerProc
from tests.gui.helpers import in_thread, run_task
from tests.gui.panel_utils import show_panel


def make_panel(qtbot, source, model_check):
    panel = ConfigPanel(source, interval_ms=50)
    return show_panel(qtbot, panel, model_check, panel.model, panel.proxy)


def cell(panel, name: str, col: int = 1):
    return panel.model.index(panel.model.row_of(name), col)


def test_maxmemory_and_policy_by_point_and_click(qtbot, embedded, client_factory,
                                                  model_check):
    server, source = embedded
    panel = make_panel(qtbot, source, model_check)
    r = client_factory()
    assert panel.maxmemory.text() == "0" and "no limit" in panel.usage.text()
    panel.maxmemory.setText("64")
    panel.unit.setCurrentIndex(2)                             # MB
    panel.maxmemory_button.click()
    assert panel.maxmemory_error.text() == ""
    assert in_thread(qtbot, lambda: r.config_get("maxmemory")) == {"maxmemory": "67108864"}
    assert "% of the limit" in panel.usage.text()
    i = panel.policy.findText("allkeys-lru")
    panel.policy.setCurrentIndex(i)
    panel.policy.activated.emit(i)
    assert in_thread(qtbot, lambda: r.config_get("maxmemory-policy")) == \
        {"maxmemory-policy": "allkeys-lru"}
    assert "least recently used" in panel.policy_help.text()
    # changed by a client: the panel follows, in the largest exact unit
    in_thread(qtbot, lambda: r.config_set("maxmemory", "3gb"))
    qtbot.waitUntil(lambda: (panel.maxmemory.text(), panel.unit.currentText()) == ("3", "GB"),
                    timeout=5000)
    in_thread(qtbot, lambda: r.config_set("maxmemory-policy", "volatile-ttl"))
    qtbot.waitUntil(lambda: panel.policy.currentText() == "volatile-ttl", timeout=5000)
    assert "expire soonest" in panel.policy_help.text()
    row = panel.model.row_of("maxmemory")
    assert panel.model.index(row, 1).data() == str(3 * 1024 ** 3)


def test_non_numeric_maxmemory_shows_an_inline_error_and_the_server_keeps_serving(
        qtbot, embedded, client_factory, model_check):
    server, source = embedded
    panel = make_panel(qtbot, source, model_check)
    r = client_factory()
    panel.maxmemory.setText("lots")
    assert not panel.apply_maxmemory()
    assert "'lots' is not a whole number" in panel.maxmemory_error.text()
    # the typed editor sends it, and shows the server's own error
    assert not panel.model.setData(cell(panel, "maxmemory"), "lots")
    assert "'lots' is not a memory size" in cell(panel, "maxmemory", 3).data()
    assert not panel.model.setData(cell(panel, "active-defrag-cycle-min"), "500")
    msg = cell(panel, "active-defrag-cycle-min", 3).data()
    assert msg.startswith("'500' refused: ERR CONFIG SET failed (possibly related to "
                          "argument 'active-defrag-cycle-min') - argument must be between "
                          "1 and 99 inclusive"), msg
    assert "active-defrag-cycle-min" in panel.table_error.text()
    assert in_thread(qtbot, lambda: r.ping())
    assert in_thread(qtbot, lambda: r.config_get("maxmemory")) == {"maxmemory": "0"}
    assert cell(panel, "active-defrag-cycle-min").data() == "1"     # the server's value


def test_typed_editor_sets_through_config_set(qtbot, embedded, client_factory, model_check):
    server, source = embedded
    panel = make_panel(qtbot, source, model_check)
    r = client_factory()
    n = panel.proxy.rowCount()
    assert n > 150
    panel.search.setText("LISTPACK-ENTRIES")
    names = sorted(panel.proxy.index(i, 0).data() for i in range(panel.proxy.rowCount()))
    assert names == ["hash-max-listpack-entries", "zset-max-listpack-entries"]
    # numbers
    ix = panel.proxy.index(0, 1)
    assert panel.proxy.flags(ix) & Qt.ItemIsEditable
    assert panel.proxy.setData(ix, "256")
    assert in_thread(qtbot, lambda: r.config_get("hash-max-listpack-entries")) == \
        {"hash-max-listpack-entries": "256"}
    assert not panel.proxy.setData(ix, "many")
    assert panel.proxy.index(0, 3).data() == "'many' is not an integer"
    panel.search.setText("")
    # booleans are checkboxes
    lazy = cell(panel, "lazyfree-lazy-user-del")
    assert panel.model.flags(lazy) & Qt.ItemIsUserCheckable
    assert panel.model.data(lazy, Qt.CheckStateRole) == Qt.Unchecked
    assert panel.model.setData(lazy, Qt.Checked.value, Qt.CheckStateRole)
    assert in_thread(qtbot, lambda: r.config_get("lazyfree-lazy-user-del")) == \
        {"lazyfree-lazy-user-del": "yes"}
    assert panel.model.data(lazy, Qt.CheckStateRole) == Qt.Checked
    # enums are combos
    loglevel = panel.proxy.mapFromSource(cell(panel, "loglevel"))
    delegate = panel.view.itemDelegateForColumn(1)
    editor = delegate.createEditor(panel.view.viewport(), QStyleOptionViewItem(), loglevel)
    assert isinstance(editor, QComboBox)
    assert [editor.itemText(i) for i in range(editor.count())] == \
        ["debug", "verbose", "notice", "warning"]
    delegate.setEditorData(editor, loglevel)
    assert editor.currentText() == "notice"
    editor.setCurrentText("warning")
    delegate.setModelData(editor, panel.proxy, loglevel)
    assert in_thread(qtbot, lambda: r.config_get("loglevel")) == {"loglevel": "warning"}
    editor.deleteLater()
    # read-only parameters are not editable
    assert not panel.model.flags(cell(panel, "databases")) & Qt.ItemIsEditable
    assert "read-only" in cell(panel, "databases", 2).data()
    # a change from a client shows up in place (no reset)
    resets = []
    panel.model.modelReset.connect(lambda: resets.append(1))
    in_thread(qtbot, lambda: r.config_set("hz", "42"))
    qtbot.waitUntil(lambda: cell(panel, "hz").data() == "42", timeout=5000)
    assert resets == [] and panel.proxy.rowCount() == n


def test_config_rewrite_without_and_with_a_config_file(qtbot, embedded, qloop, scratch,
                                                       model_check, tmp_path):
    server, source = embedded
    panel = make_panel(qtbot, source, model_check)
    assert not panel.rewrite()
    assert panel.status.text() == \
        "CONFIG REWRITE: failed: ERR The server is running without a config file"
    from gui.embedded import start_embedded
    from gui.source import EmbeddedSource
    conf = tmp_path / "keyscope.conf"
    conf.write_text("# mine\nmaxmemory 1mb\n")
    other = run_task(qtbot, start_embedded(port=0, config_path=str(conf), extra=scratch))
    src2 = EmbeddedSource(other.engine, other)
    try:
        p2 = make_panel(qtbot, src2, model_check)
        assert (p2.maxmemory.text(), p2.unit.currentText()) == ("1", "MB")
        p2.maxmemory.setText("2")
        assert p2.apply_maxmemory()
        assert p2.rewrite() and p2.status.text() == "CONFIG REWRITE: OK"
        text = conf.read_text()
        assert "# mine" in text and "maxmemory 2mb" in text
        assert in_thread(qtbot, lambda: redis.Redis(port=other.port).config_get(
            "maxmemory")) == {"maxmemory": str(2 * 1024 * 1024)}
    finally:
        src2.close()
        run_task(qtbot, other.shutdown())


def test_local_checks_and_units():
    assert check_value("hz", "abc") == "'abc' is not an integer"
    assert check_value("hz", "10") is None
    assert check_value("maxmemory", "100mb") is None
    assert check_value("maxmemory-clients", "5%") is None
    assert check_value("appendfsync", "sometimes").startswith("'sometimes' is not one of")
    assert check_value("some-future-param", "x") is None          # the server decides
    assert split_memory(0) == ("0", 0)
    assert split_memory(3 * 1024 ** 3) == ("3", 3)
    assert split_memory(1536) == ("1536", 0) and split_memory(2048) == ("2", 1)


def test_what_the_limit_and_policy_change_is_said_in_plain_words(
        qtbot, embedded, client_factory, model_check):
    from PySide6.QtTest import QTest
    server, source = embedded
    r = client_factory()
    in_thread(qtbot, lambda: [r.set(f"t{i}", "x" * 100, ex=600) for i in range(3)])
    panel = make_panel(qtbot, source, model_check)
    assert panel.effect.text().startswith("No memory limit") and \
        "policy has no effect" in panel.effect.text()
    # typing a limit below what is used: what would happen, before anything is applied
    panel.maxmemory.selectAll()
    QTest.keyClicks(panel.maxmemory, "1")
    panel.unit.setCurrentIndex(1)                                     # KB
    assert panel.effect.text() == (
        "Above 1.00 KB, writes that need more memory fail with an OOM error; nothing is "
        "deleted, reads and deletes keep working. The server already uses "
        f"{panel.usage.text().split(': ')[1].split(' (')[0]}: writes would fail at once.")
    assert in_thread(qtbot, lambda: r.config_get("maxmemory")) == {"maxmemory": "0"}
    i = panel.policy.findText("volatile-lru")
    panel.policy.setCurrentIndex(i)
    panel.policy.activated.emit(i)
    assert "least recently used keys among those with a TTL (now 3 keys with a TTL)" in \
        panel.effect.text() and "eviction starts at once" in panel.effect.text()
    # a sane limit, applied: no warning left
    panel.maxmemory.selectAll()
    QTest.keyClicks(panel.maxmemory, "64")
    panel.unit.setCurrentIndex(2)
    QTest.keyClick(panel.maxmemory, Qt.Key_Return)
    assert in_thread(qtbot, lambda: r.config_get("maxmemory")) == {"maxmemory": "67108864"}
    assert panel.effect.text().startswith("Above 64.00 MB, least recently used keys among")
    assert "at once" not in panel.effect.text()
    assert in_thread(qtbot, lambda: r.set("still", "serving"))


def test_explain_limit_for_each_kind_of_policy():
    from gui.config_panel import explain_limit
    assert explain_limit(None, "noeviction", 10, 0) == ""
    assert explain_limit(100, "allkeys-lfu", 10, 0).startswith(
        "Above 100 B, least frequently used keys (any key) are deleted")
    assert "soonest-to-expire keys among those with a TTL (now 1 key with a TTL)" in \
        explain_limit(1 << 20, "volatile-ttl", 10, 1)
    assert explain_limit(100, "allkeys-random", 200, 0).endswith(
        "The server already uses 200 B: eviction starts at once.")


@pytest.mark.skipif(REDIS_SERVER is None, reason="redis-server is not installed")
def test_remote_config_on_a_real_redis(qtbot, qapp, model_check):
    from gui.source import RemoteSource
    srv = ServerProc("redis")
    source = RemoteSource(f"redis://127.0.0.1:{srv.port}")
    sources = [source]
    try:
        r = redis.Redis(port=srv.port)
        panel = make_panel(qtbot, source, model_check)
        assert panel.maxmemory.text() == "0" and panel.policy.currentText() == "noeviction"
        panel.maxmemory.setText("100")
        panel.unit.setCurrentIndex(2)
        assert panel.apply_maxmemory()
        i = panel.policy.findText("allkeys-lfu")
        panel.policy.setCurrentIndex(i)
        panel.policy.activated.emit(i)
        assert r.config_get("maxmemory*") == {"maxmemory": str(100 << 20),
                                              "maxmemory-policy": "allkeys-lfu",
                                              "maxmemory-samples": "5",
                                              "maxmemory-eviction-tenacity": "10",
                                              "maxmemory-clients": "0"}
        assert "least frequently used keys (any key)" in panel.effect.text()
        # redis-server's own refusal, on the row and under the table
        assert not panel.model.setData(cell(panel, "active-defrag-cycle-min"), "500")
        assert "argument must be between 1 and 99 inclusive" in \
            cell(panel, "active-defrag-cycle-min", 3).data()
        assert not panel.rewrite()
        assert panel.status.text() == \
            "CONFIG REWRITE: failed: The server is running without a config file"
        # a user that may read the configuration but not change it: every editor says so
        r.acl_setuser("viewer", enabled=True, passwords=["+pw"], keys=["*"],
                      commands=["+@all", "-config|set", "-config|rewrite"])
        viewer = RemoteSource(f"redis://viewer:pw@127.0.0.1:{srv.port}")
        sources.append(viewer)
        vp = make_panel(qtbot, viewer, model_check)
        assert (vp.maxmemory.text(), vp.unit.currentText()) == ("100", "MB")
        vp.maxmemory.setText("200")
        assert not vp.apply_maxmemory()
        refused = "this user has no permissions to run the 'config|set' command"
        assert vp.maxmemory_error.text() == f"'200mb' refused: {refused}"
        i = vp.policy.findText("noeviction")
        vp.policy.setCurrentIndex(i)
        vp.policy.activated.emit(i)
        assert vp.policy_error.text() == f"'noeviction' refused: {refused}"
        assert vp.policy.currentText() == "allkeys-lfu"          # back to the server's
        assert not vp.model.setData(cell(vp, "hz"), "20")
        assert cell(vp, "hz", 3).data() == f"'20' refused: {refused}"
        assert "Traceback" not in vp.table_error.text() and vp.table_error.text()
        assert r.config_get("maxmemory*")["maxmemory-policy"] == "allkeys-lfu"
        r.close()
    finally:
        for s in sources:
            s.close()
        srv.stop()


def test_a_limit_that_evicts_at_once_asks_first(qtbot, embedded, client_factory,
                                                 model_check):
    from PySide6.QtWidgets import QMessageBox
    server, source = embedded
    r = client_factory()
    in_thread(qtbot, lambda: r.mset({f"big:{i}": "x" * 1000 for i in range(2000)}))
    panel = make_panel(qtbot, source, model_check)
    i = panel.policy.findText("allkeys-lru")
    panel.policy.setCurrentIndex(i)
    panel.policy.activated.emit(i)                  # no limit yet: nothing to confirm
    assert panel.confirm_box is None
    panel.maxmemory.setText("1")
    panel.unit.setCurrentIndex(2)                   # 1 MB, far below what is used
    assert not panel.apply_maxmemory()
    assert "deletes keys at once" in panel.confirm_box.text()
    panel.confirm_box.button(QMessageBox.Cancel).click()
    assert panel.maxmemory_error.text() == "Not applied: nothing changed."
    assert in_thread(qtbot, lambda: r.config_get("maxmemory")) == {"maxmemory": "0"}
    assert in_thread(qtbot, lambda: r.dbsize()) == 2000
    # the policy too: over a limit, switching from noeviction to an evicting policy
    in_thread(qtbot, lambda: r.config_set("maxmemory-policy", "noeviction"))
    in_thread(qtbot, lambda: r.config_set("maxmemory", "1mb"))
    qtbot.waitUntil(lambda: panel.policy.currentText() == "noeviction" and
                    panel.effect.text().startswith("Above 1.00 MB"), timeout=5000)
    i = panel.policy.findText("allkeys-random")
    panel.policy.setCurrentIndex(i)
    panel.policy.activated.emit(i)
    assert "Switch to allkeys-random?" in panel.confirm_box.text()
    panel.confirm_box.button(QMessageBox.Cancel).click()
    assert panel.policy.currentText() == "noeviction"
    assert in_thread(qtbot, lambda: r.config_get("maxmemory-policy")) == \
        {"maxmemory-policy": "noeviction"}
    panel.policy.setCurrentIndex(i)
    panel.policy.activated.emit(i)
    panel.confirm_box.button(QMessageBox.Yes).click()
    assert in_thread(qtbot, lambda: r.config_get("maxmemory-policy")) == \
        {"maxmemory-policy": "allkeys-random"}
    in_thread(qtbot, lambda: r.set("one", "more"))   # a write makes room: keys go
    assert in_thread(qtbot, lambda: r.info("stats"))["evicted_keys"] > 0
    assert in_thread(qtbot, lambda: r.dbsize()) < 2000
