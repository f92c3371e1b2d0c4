"""Config panel: maxmemory/policy by point-and-click, the typed editor for every parameter,
inline errors, CONFIG REWRITE."""
from __future__ import annotations

import redis
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QStyleOptionViewItem

from gui.config_panel import ConfigPanel, check_value, split_memory
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
