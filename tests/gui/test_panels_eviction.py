"""Eviction lab and expiry timeline panels: the lab's next candidates and dry run are the
keys the real server then evicts (and the dry run evicts nothing); evictions counted by
namespace; the expiry histogram counts exactly the keys given a TTL; active and lazy
expirations; remote servers get a plain 'needs the embedded engine' and INFO's figures."""
from __future__ import annotations

import time

import pytest
import redis
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from engine import evictlab
from gui import expiry_panel
from gui.eviction_panel import EvictionPanel
from gui.expiry_panel import ALL, ExpiryPanel
from tests.conftest import REDIS_SERVER, ServerProc
from tests.gui.helpers import in_thread
from tests.gui.panel_utils import show_panel


def _type_target(p, value: str):
    p.target.setFocus()
    p.target.selectAll()
    QTest.keyClicks(p.target, value)
    QTest.keyClick(p.target, Qt.Key_Return)


def _models(p):
    return p.cand_model, p.dry_model, p.ev_model, p.recent_model


def test_next_candidates_and_dry_run_are_what_the_server_then_evicts(
        qtbot, embedded, client_factory, model_check):
    server, source = embedded
    r = client_factory()

    def load():
        r.config_set("maxmemory-policy", "allkeys-lru")
        r.config_set("maxmemory-samples", "10")
        r.config_set("maxmemory-eviction-tenacity", "100")     # one uninterrupted run
        for i in range(60):
            r.set(f"old:{i}", "x" * 500)
        time.sleep(2.2)                                        # the LRU clock moves on
        for i in range(20):
            r.set(f"new:{i}", "y" * 500)
        return r.dbsize()
    assert in_thread(qtbot, load) == 80
    p = EvictionPanel(source, interval_ms=200)
    show_panel(qtbot, p, model_check, *_models(p))
    qtbot.waitUntil(lambda: len(p.cand_model.rows) == 20, timeout=5000)
    rows = p.cand_model.rows
    assert all(row[2].startswith(b"old:") and row[3] == b"old" for row in rows)
    assert all(row[4] >= 2 and row[5] is None and row[6] is None for row in rows)
    assert all(row[7] > 500 for row in rows)                   # modelled bytes
    assert "allkeys-lru" in p.cand_note.text() and "next eviction run" in p.cand_note.text()
    assert "allkeys-lru" in p.figures.text()

    from engine import memory
    target = memory.used_memory(server.engine) - 8000
    first = p.last_dry                                         # the one run on show
    _type_target(p, str(target))
    qtbot.waitUntil(lambda: p.last_dry is not first, timeout=5000)
    d = p.last_dry
    predicted = [k for _db, k, _b in d.first]
    assert 8 <= d.keys == len(predicted) and d.freed >= 8000
    assert "would go" in p.dry_status.text() and "nothing evicted" in p.dry_status.text()
    assert p.dry_model.rows == [(b"old", d.keys, d.freed, 100.0)]
    candidates = [row[2] for row in p.cand_model.rows]
    assert in_thread(qtbot, r.dbsize) == 80                    # the dry run evicted nothing
    assert server.engine.stats.evicted_keys == 0

    def squeeze():
        r.config_set("maxmemory", str(target))                 # now the server evicts
        alive = r.pipeline()
        for i in range(60):
            alive.exists(f"old:{i}")
        for i in range(20):
            alive.exists(f"new:{i}")
        flags = alive.execute()
        names = [f"old:{i}".encode() for i in range(60)] + \
            [f"new:{i}".encode() for i in range(20)]
        return [k for k, f in zip(names, flags) if not f], r.info("stats")["evicted_keys"]
    evicted, info_evicted = in_thread(qtbot, squeeze)
    assert info_evicted == d.keys == len(evicted)
    assert set(evicted) == set(predicted)
    assert predicted[:20] == candidates[:len(predicted)]       # the same order, too
    # the real evictions, by namespace
    qtbot.waitUntil(lambda: bool(p.ev_model.rows) and p.ev_model.rows[0][1] == d.keys,
                    timeout=5000)
    ns, n, nbytes, last = p.ev_model.rows[0]
    assert ns == b"old" and nbytes == d.freed and time.time() - last < 60
    assert {row[2] for row in p.recent_model.rows} == set(evicted)
    assert f"INFO evicted_keys {d.keys}" in p.ev_note.text()
    p.close_lab()


def test_what_if_policies_and_bad_input(qtbot, embedded, client_factory, model_check):
    server, source = embedded
    r = client_factory()

    def load():
        for i in range(30):
            r.set(f"a:{i}", "v" * 100)
        for i in range(10):
            r.set(f"b:{i}", "v" * 100, ex=1000 + i)
    in_thread(qtbot, load)
    p = EvictionPanel(source, interval_ms=200)
    show_panel(qtbot, p, model_check, *_models(p))
    # the server's noeviction never evicts: "current" shows allkeys-lru as a what-if
    qtbot.waitUntil(lambda: "noeviction" in p.cand_note.text(), timeout=5000)
    note = p.cand_note.text()
    assert "allkeys-lru" in note and "What-if" in note and "OOM" in note
    assert len(p.cand_model.rows) == 20
    p.policy.setCurrentIndex(p.policy.findText("noeviction"))
    p.policy.activated.emit(p.policy.currentIndex())
    assert p.cand_model.rows == [] and "nothing is ever evicted" in p.cand_note.text()

    p.policy.setCurrentIndex(p.policy.findText("volatile-ttl"))
    p.policy.activated.emit(p.policy.currentIndex())
    rows = p.cand_model.rows
    # every key with a TTL, and only those (sampled: the order is approximate, as Redis's)
    assert sorted(row[2] for row in rows) == sorted(f"b:{i}".encode() for i in range(10))
    assert all(0 < row[6] <= 1_010_000 for row in rows)
    assert "What-if" in p.cand_note.text()
    assert server.engine.config["maxmemory-policy"] == "noeviction"   # untouched

    first = p.last_dry
    _type_target(p, "0")                     # everything volatile goes, then nothing left
    qtbot.waitUntil(lambda: p.last_dry is not first, timeout=5000)
    assert p.last_dry.keys == 10 and "nothing left" in p.dry_status.text()
    assert p.dry_model.rows[0][:2] == (b"b", 10)
    _type_target(p, "lots")
    assert not p.dry_status.ok and "not a memory size" in p.dry_status.text()
    _type_target(p, "1gb")
    assert p.last_dry.tofree == 0 and "it already fits" in p.dry_status.text()
    # the slider, from the keyboard: all the way down is "every key goes"
    p.policy.setCurrentIndex(p.policy.findText("allkeys-lru"))
    p.policy.activated.emit(p.policy.currentIndex())
    first = p.last_dry
    p.slider.setFocus()
    QTest.keyClick(p.slider, Qt.Key_Home)
    qtbot.waitUntil(lambda: p.last_dry is not first, timeout=5000)
    assert p.slider.value() == 0 and p.last_dry.keys == 40
    assert {row[0]: row[1] for row in p.dry_model.rows} == {b"a": 30, b"b": 10}
    assert "allkeys-lru, what-if" in p.dry_status.text()
    assert in_thread(qtbot, r.dbsize) == 40
    p.close_lab()


def test_expiry_histogram_counts_exactly_the_keys_given_a_ttl(
        qtbot, embedded, client_factory, model_check, monkeypatch):
    server, source = embedded
    monkeypatch.setattr(evictlab.ExpiryHistogram, "SLICE", 4)     # many slices ...
    monkeypatch.setattr(expiry_panel, "WALK_BUDGET_S", 0.0)       # ... one per tick
    r = client_factory()
    r1 = client_factory(db=1)

    def load():
        for i in range(12):
            r.set(f"sess:{i}", "v", ex=30)
        for i in range(7):
            r.set(f"cache:{i}", "v", ex=400)
        for i in range(5):
            r.set(f"tok:{i}", "v")
            r.expire(f"tok:{i}", 2000)
        for i in range(3):
            r.set(f"day:{i}", "v", px=20_000_000)
        for i in range(2):
            r.set(f"week:{i}", "v", ex=200_000)
        for i in range(4):
            r.set(f"plain:{i}", "v")
        r1.set("other", "v", ex=45)
    in_thread(qtbot, load)
    p = ExpiryPanel(source, telemetry_ms=200, pass_pause_ms=200)
    show_panel(qtbot, p, model_check, p.hist_model)
    qtbot.waitUntil(lambda: p.passes >= 1, timeout=10_000)
    assert p.last.slices > 5
    rows = {row[0]: row[1:] for row in p.hist_model.rows}
    assert rows[ALL] == (0, 13, 7, 5, 3, 2, 30)
    assert rows[b"sess"] == (0, 12, 0, 0, 0, 0, 12)
    assert rows[b"cache"] == (0, 0, 7, 0, 0, 0, 7)
    assert rows[b"tok"] == (0, 0, 0, 5, 0, 0, 5)
    assert rows[b"day"] == (0, 0, 0, 0, 3, 0, 3)
    assert rows[b"week"] == (0, 0, 0, 0, 0, 2, 2)
    assert rows[None] == (0, 1, 0, 0, 0, 0, 1)                 # "other" in db 1
    assert b"plain" not in rows
    assert "exact: 30 keys with a TTL" in p.pass_label.text()
    bars = p.chart.bars.opts["height"]
    assert bars[0] == 13 and bars[6] == 7 and bars[33] == 5 and bars.sum() == 25
    assert p.tele["volatile"].text() == "30"
    assert p.tele["stale"].text().startswith("0 of 30")
    # a new TTL shows in the next pass; a persisted key leaves
    in_thread(qtbot, lambda: (r.expire("plain:0", 50), r.persist("sess:0")))
    qtbot.waitUntil(lambda: {row[0]: row[1:] for row in p.hist_model.rows}[ALL] ==
                    (0, 13, 7, 5, 3, 2, 30) and
                    {row[0]: row[1:] for row in p.hist_model.rows}.get(b"plain") ==
                    (0, 1, 0, 0, 0, 0, 1), timeout=10_000)


def test_expire_cycle_telemetry_splits_active_and_lazy(qtbot, embedded, client_factory):
    server, source = embedded
    r = client_factory()
    p = ExpiryPanel(source, telemetry_ms=100, pass_pause_ms=500)
    qtbot.addWidget(p)
    p.show()

    def lazy_round():
        r.config_set("hz", "1")              # the active cycle rarely runs meanwhile
        for attempt in range(10):
            for i in range(5):
                r.set(f"lazy:{attempt}:{i}", "v", px=30)
            time.sleep(0.05)
            got = [r.get(f"lazy:{attempt}:{i}") for i in range(5)]
            assert got == [None] * 5
            if server.engine.stats.expired_active < r.info("stats")["expired_keys"]:
                return
        raise AssertionError("no lazy expiration in 10 rounds")
    in_thread(qtbot, lazy_round)

    def active_round():
        r.config_set("hz", "10")
        before = r.info("stats")["expired_keys"]
        for i in range(6):
            r.set(f"gone:{i}", "v", px=20)
        deadline = time.time() + 10
        while r.info("stats")["expired_keys"] < before + 6 and time.time() < deadline:
            time.sleep(0.05)
        return r.info("stats")["expired_keys"]
    total = in_thread(qtbot, active_round)
    qtbot.waitUntil(lambda: p.counters.get("expired") == total, timeout=5000)
    n = p.counters
    assert n["active"] >= 6 and n["lazy"] >= 1 and n["active"] + n["lazy"] == total
    assert p.tele["expired"].text().startswith(f"{total:,}")
    assert p.tele["active"].text().startswith(f"{n['active']:,}")
    assert p.tele["lazy"].text().startswith(f"{n['lazy']:,}")
    assert p.tele["time_cap"].text() == str(n["time_cap"])


@pytest.mark.skipif(REDIS_SERVER is None, reason="redis-server is not installed")
def test_remote_says_it_needs_the_embedded_engine_and_shows_info(qtbot, qapp, model_check):
    from gui.source import RemoteSource
    srv = ServerProc("redis")
    try:
        r = redis.Redis(port=srv.port)
        for i in range(400):
            r.set(f"k:{i}", "v" * 1000, px=100 if i < 5 else None)
        r.config_set("maxmemory-policy", "allkeys-random")
        used = r.info("memory")["used_memory"]
        r.config_set("maxmemory", str(used - 20_000))
        r.set("trigger", "x")
        r.config_set("maxmemory", "0")         # our own connections must not evict more
        time.sleep(0.3)
        r.get("k:1")
        stats = r.info("stats")
        assert stats["evicted_keys"] > 0 and r.dbsize() > 100
        source = RemoteSource(f"redis://127.0.0.1:{srv.port}")
        ev = EvictionPanel(source)
        ex = ExpiryPanel(source)
        show_panel(qtbot, ev, model_check, *_models(ev))
        show_panel(qtbot, ex, model_check, ex.hist_model)
        qtbot.waitUntil(lambda: "evicted_keys" in ev.figures.text(), timeout=5000)
        assert "embedded engine" in ev.note.text() and "not available" in ev.note.text()
        assert f"evicted_keys {r.info('stats')['evicted_keys']}" in ev.figures.text()
        assert "allkeys-random" in ev.figures.text()
        assert not ev.dry_button.isEnabled() and ev.cand_model.rows == []
        ev.start_dry_run()
        assert ev.last_dry is None
        assert "embedded engine" in ex.note.text()
        qtbot.waitUntil(lambda: ex.tele["expired"].text() ==
                        str(r.info("stats")["expired_keys"]), timeout=5000)
        assert ex.tele["active"].text() == "not available"
        assert "db0:" in ex.pass_label.text() and ex.hist_model.rows == []
        ev.hide()
        ex.hide()
        source.close()
    finally:
        srv.stop()


def test_the_main_window_has_the_eviction_and_expiry_tabs(qtbot, embedded):
    from gui.app import MainWindow
    server, source = embedded
    w = MainWindow(source)
    qtbot.addWidget(w)
    names = [w.tabs.tabText(i) for i in range(w.tabs.count())]
    assert "Eviction" in names and "Expiry" in names
    assert isinstance(w.placeholders["Eviction"], EvictionPanel)
    assert isinstance(w.placeholders["Expiry"], ExpiryPanel)
    w.overview.timer.stop()
    w.placeholders["Eviction"].close_lab()
