"""Hot keys panel: exact reads/writes per key over a sliding window (embedded), OBJECT
FREQ under an LFU policy (remote), and a plain 'not available' otherwise."""
from __future__ import annotations

import pytest
import redis

from gui.hotkeys_panel import HotKeysPanel
from tests.conftest import REDIS_SERVER, ServerProc
from tests.gui.helpers import in_thread
from tests.gui.panel_utils import show_panel


def test_embedded_counts_reads_and_writes_exactly(qtbot, embedded, client_factory,
                                                   model_check):
    server, source = embedded
    p = HotKeysPanel(source, interval_ms=200)
    show_panel(qtbot, p, model_check, p.model, p.view.model())
    assert "off" in p.note.text() and p.model.rows == []
    p.enable.click()                               # CONFIG SET keyscope-hotkeys yes
    assert server.engine.hotkeys.enabled and p.status.ok
    r = client_factory()

    def work():
        for _ in range(10):
            r.set("hot", "v")
        for _ in range(50):
            r.get("hot")
        for _ in range(5):
            r.get("cold")
        for _ in range(20):
            r.incr("counter")
        r.mget("cold", "counter")
    in_thread(qtbot, work)
    qtbot.waitUntil(lambda: bool(p.model.rows) and p.model.rows[0][2] == b"hot",
                    timeout=5000)
    rows = {row[2]: row[3:] for row in p.model.rows}
    assert rows[b"hot"] == (50, 10, 60)
    assert rows[b"cold"] == (6, 0, 6)
    assert rows[b"counter"] == (1, 20, 21)
    assert "exact" in p.note.text()
    # rank by writes
    p.rank.setCurrentIndex(p.rank.findText("writes"))
    p.rank.activated.emit(p.rank.currentIndex())
    assert [row[2] for row in p.model.rows[:2]] == [b"counter", b"hot"]
    # the sliding window is the server's setting
    p.window.setCurrentIndex(p.window.findData(300))
    p.window.activated.emit(p.window.currentIndex())
    assert server.engine.config["keyscope-hotkeys-window"] == 300
    assert "300 s" in p.note.text()
    # off again: the table empties, the server stops counting
    p.enable.click()
    assert not server.engine.hotkeys.enabled
    qtbot.waitUntil(lambda: p.model.rows == [], timeout=3000)


def test_embedded_without_counters_says_not_available(qtbot, embedded, model_check):
    server, source = embedded
    p = HotKeysPanel(source)
    p.hk = None
    show_panel(qtbot, p, model_check, p.model, p.view.model())
    qtbot.waitUntil(lambda: "not available" in p.note.text(), timeout=3000)
    assert not p.enable.isEnabled() and p.model.rows == []


@pytest.mark.skipif(REDIS_SERVER is None, reason="redis-server is not installed")
def test_remote_needs_an_lfu_policy_and_then_ranks_by_object_freq(qtbot, qapp, model_check):
    from gui.source import RemoteSource
    srv = ServerProc("redis")
    try:
        r = redis.Redis(port=srv.port)
        r.mset({f"k:{i}": i for i in range(200)})
        source = RemoteSource(f"redis://127.0.0.1:{srv.port}")
        p = HotKeysPanel(source)
        show_panel(qtbot, p, model_check, p.model, p.view.model())
        qtbot.waitUntil(lambda: p.passes >= 1, timeout=10_000)
        assert "'noeviction'" in p.note.text() and "LFU" in p.note.text()
        assert "not available" in p.note.text() and p.model.rows == []

        r.config_set("maxmemory-policy", "allkeys-lfu")
        r.config_set("lfu-log-factor", "0")        # counter grows by one per access
        for _ in range(40):
            r.get("k:7")
        for _ in range(20):
            r.get("k:3")
        p.resample.click()
        qtbot.waitUntil(lambda: p.passes >= 2, timeout=20_000)
        assert [row[2] for row in p.model.rows[:2]] == [b"k:7", b"k:3"]
        assert p.model.rows[0][3] == r.object("freq", "k:7")
        assert len(p.model.rows) == 20
        assert "sampled" in p.note.text() and "200 of 200 keys" in p.note.text()
        p.hide()
        source.close()
    finally:
        srv.stop()


def test_the_main_window_has_both_tabs_and_ctrl_digit_shortcuts(qtbot, embedded):
    from PySide6.QtGui import QAction, QKeySequence, QShortcut

    from gui.app import MainWindow
    from gui.memory_panel import MemoryPanel
    server, source = embedded
    w = MainWindow(source)
    qtbot.addWidget(w)
    names = [w.tabs.tabText(i) for i in range(w.tabs.count())]
    assert "Memory" in names and "Hotkeys" in names
    assert isinstance(w.placeholders["Memory"], MemoryPanel)
    keys = {s.key().toString(QKeySequence.PortableText): s.activated.emit
            for s in w.findChildren(QShortcut)}         # shortcuts or menu actions
    keys.update((k.toString(QKeySequence.PortableText), a.trigger)
                for a in w.findChildren(QAction) for k in a.shortcuts())
    assert {f"Ctrl+{d}" for d in "1234567890"} <= set(keys)
    keys["Ctrl+" + str(names.index("Memory") + 1)]()
    assert w.tabs.currentWidget() is w.placeholders["Memory"]
    w.overview.timer.stop()


def test_counts_leave_the_sliding_window(qtbot, embedded, client_factory, model_check):
    server, source = embedded
    r = client_factory()
    # from a client; the window first (engine.hotkeys sizes its slices when counting
    # starts: a window changed later takes effect after the old slice ends)
    in_thread(qtbot, lambda: r.config_set("keyscope-hotkeys-window", 1))
    in_thread(qtbot, lambda: r.config_set("keyscope-hotkeys", "yes"))
    p = HotKeysPanel(source, interval_ms=100)
    show_panel(qtbot, p, model_check, p.model, p.view.model())
    assert p.enable.isChecked() and p.window.currentText() == "1 s"
    resets = []
    p.model.modelReset.connect(lambda: resets.append(1))
    in_thread(qtbot, lambda: [r.get("brief") for _ in range(7)])
    qtbot.waitUntil(lambda: [row[2:] for row in p.model.rows] == [(b"brief", 7, 0, 7)],
                    timeout=3000)
    qtbot.waitUntil(lambda: p.model.rows == [], timeout=5000)       # a second later: gone
    assert resets == [] and "last 1 s" in p.note.text()
