"""The app's embedded server under a redis-benchmark load (DESIGN.md, known pitfalls:
a Qt binding that crashed under socket load, a loop integration that starves the UI).

The real main window with every panel, a sample dataset in its tree, redis-benchmark
(another process, 127.0.0.1) on its port: the app survives, the UI keeps updating while
the load runs (the overview samples on its own timer and the numbers it shows move, the
key view follows a list the load grows, the UI counters hook writes its lines), the tree
ends exact, and the server answers afterwards."""
from __future__ import annotations

import json
import shutil
import subprocess
import time

import pytest
import redis

from gui.app import MainWindow
from gui.keyview import FEED_MIN_MS
from gui.sample import sample_commands
from gui.uistats import install
from tests.gui.helpers import in_thread

BENCH = shutil.which("redis-benchmark")
pytestmark = pytest.mark.skipif(BENCH is None, reason="redis-benchmark is not installed")

SHOWN = b"mylist"                    # redis-benchmark's LPUSH target


def _client(port):
    return redis.Redis(host="127.0.0.1", port=port, socket_timeout=30)


def _load_sample(qtbot, port):
    def load():
        c = _client(port)
        try:
            p = c.pipeline(transaction=False)
            for cmd in sample_commands():
                p.execute_command(*cmd)
            p.rpush(SHOWN, *[b"seed-%d" % i for i in range(20)])
            p.execute(raise_on_error=False)     # a type not implemented yet is skipped
            return c.dbsize()
        finally:
            c.close()
    return in_thread(qtbot, load)


def _window(qtbot, embedded):
    server, source = embedded
    window = MainWindow(source, server)
    qtbot.addWidget(window)
    window.show()
    dbsize = _load_sample(qtbot, server.port)
    model = window.tree.model
    qtbot.waitUntil(lambda: not model.building and len(model.ns) == dbsize, timeout=20_000)
    return window


def _bench(qtbot, port, tests, n, pipeline, on_tick=None):
    """Run redis-benchmark to the end while the Qt loop (and the server) runs; return its
    output and the seconds it took."""
    cmd = [BENCH, "-h", "127.0.0.1", "-p", str(port), "-c", "50", "-n", str(n),
           "-r", "10000", "-P", str(pipeline), "-t", tests, "--csv"]
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        qtbot.waitUntil(lambda: proc.poll() is not None, timeout=240_000)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    out = proc.stdout.read().decode()
    assert proc.returncode == 0, out
    return out, time.monotonic() - t0


def _answers(qtbot, port):
    def ping():
        c = _client(port)
        try:
            return c.ping(), c.dbsize(), c.llen(SHOWN)
        finally:
            c.close()
    return in_thread(qtbot, ping)


def test_the_app_survives_a_benchmark_and_the_overview_keeps_sampling(qtbot, embedded,
                                                                       tmp_path):
    server, _ = embedded
    window = _window(qtbot, embedded)
    window.tree.reveal(b"user:3:profile")       # a folder open: its rows repaint too
    window.show_tab(window.overview)
    ov = window.overview
    stats_path = tmp_path / "ui.jsonl"
    stats = install(window, str(stats_path))
    ticks = []                                   # after each overview sample: when, shown ops/s
    ov.timer.timeout.connect(
        lambda: ticks.append((time.monotonic(), ov.samples, ov.now_labels["ops"].text())))
    before = server.engine.stats.commands

    t_start, m_start = time.time(), time.monotonic()
    out, elapsed = _bench(qtbot, server.port, "set,get,incr,lpush,hset", 6_000, 1)
    t_end, m_end = time.time(), time.monotonic()
    out16, _ = _bench(qtbot, server.port, "set,lpush", 15_000, 16)
    for name in ("SET", "GET", "INCR", "LPUSH", "HSET"):
        assert f'"{name}"' in out, out
    assert '"SET"' in out16 and '"LPUSH"' in out16, out16
    assert server.engine.stats.commands - before >= 5 * 6_000 + 2 * 15_000

    # the overview sampled on its own timer all through the load, each sample taken
    during = [t for t in ticks if m_start <= t[0] <= m_end]
    interval = ov.timer.interval() / 1000
    assert len(during) >= elapsed / interval * 0.4, (len(during), elapsed, interval)
    times = [m_start] + [t[0] for t in during] + [m_end]
    gaps = [b - a for a, b in zip(times, times[1:])]
    assert max(gaps) < 2.0, max(gaps)
    assert all(b[1] == a[1] + 1 for a, b in zip(ticks, ticks[1:])), "a sample failed"
    # ... and what it showed moved with the load
    shown = [int(t[2].replace(",", "")) for t in ticks if t[2].replace(",", "").isdigit()]
    assert max(shown) > 1000, shown

    # the UI counters hook wrote its lines through the load; the charts were repainted
    stats.write()
    lines = [json.loads(x) for x in stats_path.read_text().splitlines()]
    inside = [x for x in lines if t_start <= x["t"] <= t_end]
    assert len(inside) >= 2, lines
    assert inside[-1]["overview_samples"] > inside[0]["overview_samples"]
    assert lines[-1]["paints"] > lines[0]["paints"]
    assert lines[-1]["changes"] > lines[0]["changes"]
    assert lines[-1]["tab"] == "Overview"

    pong, dbsize, llen = _answers(qtbot, server.port)
    assert pong is True and llen >= 20 + 6_000 + 15_000     # -P may overshoot -n a little
    assert window.isVisible()
    # the tree followed the whole load, exactly
    qtbot.waitUntil(lambda: len(window.tree.model.ns) == dbsize, timeout=10_000)


def test_the_key_view_follows_a_list_the_benchmark_grows(qtbot, embedded):
    server, _ = embedded
    window = _window(qtbot, embedded)
    assert window.tree.reveal(SHOWN)
    qtbot.waitUntil(lambda: window.keyview.key == SHOWN, timeout=5_000)
    assert window.tabs.currentWidget() is window.keyview
    lengths = []
    window.source.keysChanged.connect(
        lambda db, keys: SHOWN in keys and lengths.append(window.keyview.info.length))
    # the feed refreshes the shown key at most every FEED_MIN_MS: past that since the
    # key was shown, the load's first batch refreshes it at once
    qtbot.wait(FEED_MIN_MS + 100)

    _bench(qtbot, server.port, "lpush", 20_000, 16)

    pong, _, llen = _answers(qtbot, server.port)
    assert pong is True and llen >= 20 + 20_000
    # the view followed the list during the load (never backwards), and ends exact
    assert lengths and max(lengths) > 20, lengths
    assert lengths == sorted(lengths), lengths
    qtbot.waitUntil(lambda: window.keyview.info.length == llen, timeout=5_000)
