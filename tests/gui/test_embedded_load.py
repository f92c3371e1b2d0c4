"""The app's embedded server under a redis-benchmark load (DESIGN.md, known pitfalls:
a Qt binding that crashes under socket load, a loop integration that starves the UI)."""
from __future__ import annotations

import shutil
import subprocess
import time

import pytest
import redis
from PySide6.QtCore import QTimer

from gui.app import MainWindow
from tests.gui.helpers import in_thread

BENCH = shutil.which("redis-benchmark")


@pytest.mark.skipif(BENCH is None, reason="redis-benchmark is not installed")
def test_embedded_server_survives_a_benchmark_and_the_ui_keeps_ticking(qtbot, embedded):
    server, source = embedded
    window = MainWindow(source, server)
    qtbot.addWidget(window)
    window.show()
    ticks = []
    timer = QTimer()
    timer.setInterval(50)
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    timer.start()
    cmd = [BENCH, "-p", str(server.port), "-c", "50", "-n", "25000", "-r", "10000",
           "-t", "set,get", "-q"]
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        qtbot.waitUntil(lambda: proc.poll() is not None, timeout=240_000)
    finally:
        if proc.poll() is None:
            proc.kill()
    elapsed = time.monotonic() - t0
    timer.stop()
    out = proc.stdout.read().decode()
    assert proc.returncode == 0, out
    assert "SET" in out and "GET" in out
    assert server.engine.stats.commands >= 50_000

    during = [t for t in ticks if t <= t0 + elapsed]
    gaps = [b - a for a, b in zip(during, during[1:])]
    assert len(during) >= elapsed / 0.05 * 0.3, (len(during), elapsed)
    assert max(gaps) < 1.0, max(gaps)

    def ping():
        c = redis.Redis(port=server.port, socket_timeout=10)
        try:
            return c.ping(), c.dbsize()
        finally:
            c.close()
    pong, dbsize = in_thread(qtbot, ping)
    assert pong is True and dbsize > 0
    # the tree followed the whole load, exactly
    qtbot.waitUntil(lambda: len(window.tree.model.ns) == dbsize, timeout=10_000)
