"""The app: window, status bar, clean shutdown, port choice, config, remote mode,
screenshots."""
from __future__ import annotations

import os
import socket
import subprocess
import sys

import pytest
import redis
from PySide6.QtGui import QImage

from gui.app import MainWindow, cli_line
from gui.embedded import build_config, start_embedded
from tests.conftest import REDIS_SERVER, ROOT, get_server
from tests.gui.helpers import in_thread, run_task


def test_status_bar_shows_the_port_and_the_redis_cli_line(qtbot, embedded):
    server, source = embedded
    window = MainWindow(source, server)
    qtbot.addWidget(window)
    assert window.cli.text() == f"redis-cli -p {server.port}"
    assert f"127.0.0.1:{server.port}" in window.where.text()
    assert cli_line("10.0.0.5", 6380) == "redis-cli -h 10.0.0.5 -p 6380"


def test_closing_the_window_shuts_the_server_down(qtbot, qloop, scratch):
    from gui.source import EmbeddedSource
    server = run_task(qtbot, start_embedded(port=0, extra=scratch))
    source = EmbeddedSource(server.engine, server)
    window = MainWindow(source, server)
    qtbot.addWidget(window)
    window.show()
    assert in_thread(qtbot, lambda: redis.Redis(port=server.port).ping())
    window.close()
    qtbot.waitUntil(lambda: server._stopped.done() and not window.isVisible(), timeout=5000)
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", server.port), timeout=1)
    assert server.engine.write_listeners == [] or source._on_write not in \
        server.engine.write_listeners


def test_shutdown_from_a_client_closes_the_window(qtbot, qloop, scratch):
    from gui.source import EmbeddedSource
    server = run_task(qtbot, start_embedded(port=0, extra=scratch))
    window = MainWindow(EmbeddedSource(server.engine, server), server)
    qtbot.addWidget(window)
    window.show()

    def shutdown():
        try:
            redis.Redis(port=server.port, socket_timeout=5).execute_command("SHUTDOWN", "NOSAVE")
        except redis.ConnectionError:
            pass
    in_thread(qtbot, shutdown)
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=5000)


def test_a_taken_port_moves_to_the_next_free_one(qtbot, qloop, scratch):
    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    holder.listen()
    taken = holder.getsockname()[1]
    try:
        server = run_task(qtbot, start_embedded(port=taken, extra=scratch))
        assert server.port > taken
        assert server.engine.config["port"] == server.port
        run_task(qtbot, server.shutdown())
    finally:
        holder.close()


def test_embedded_defaults_then_config_file(tmp_path):
    cfg = build_config()
    assert cfg["bind"] == ("127.0.0.1",)
    assert cfg["client-output-buffer-limit"]["normal"] == (256 << 20, 128 << 20, 60)
    conf = tmp_path / "redis.conf"
    conf.write_text("databases 4\nclient-output-buffer-limit normal 0 0 0\n")
    cfg = build_config(str(conf), port=7000)
    assert cfg["databases"] == 4 and cfg["port"] == 7000
    assert cfg["client-output-buffer-limit"]["normal"] == (0, 0, 0)


@pytest.mark.skipif(REDIS_SERVER is None, reason="redis-server is not installed")
def test_remote_mode_reads_a_real_redis_with_scan(qtbot, qapp):
    from gui.keytree import KeyTreeModel
    from gui.keyview import KeyView
    from gui.source import RemoteSource
    srv = get_server("redis")
    r = srv.client()
    r.flushall()
    for i in range(30):
        r.set(f"remote:{i}", i)
    r.set("ttl", "x", ex=500)
    r.rpush("list", *range(10))
    source = RemoteSource(f"redis://127.0.0.1:{srv.port}")
    try:
        assert source.sampled and source.databases() == 16
        model = KeyTreeModel(source)
        qtbot.waitUntil(lambda: not model.building, timeout=10_000)
        assert len(model.ns) == 32
        view = KeyView(source)
        qtbot.addWidget(view)
        view.show_key(0, b"ttl")
        assert view.type_label.text() == "string"
        assert view.ttl_text().startswith("8m ")
        assert "estimate" in view.memory_label.text()
        view.show_key(0, b"list")
        assert view.table_model.rowCount() == 10
        assert view.table_model.index(9, 1).data() == "9"
        s = source.sample()
        assert s.keys == 32 and s.rss > 0
        names = [c.get("name") for c in r.client_list()]
        assert "keyscope-inspector" in names
    finally:
        source.close()
        r.flushall()
        r.close()


def test_screenshot_command_writes_a_png_per_panel(tmp_path):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    p = subprocess.run([sys.executable, "-m", "gui.app", "--port", "0", "--screenshot",
                        str(tmp_path)], cwd=ROOT, env=env, capture_output=True, timeout=120)
    assert p.returncode == 0, p.stderr.decode()[-2000:]
    names = sorted(os.listdir(tmp_path))
    for panel in ("tree", "key", "overview", "console", "slowlog", "replication",
                  "persistence"):
        assert f"panel-{panel}.png" in names
    img = QImage(str(tmp_path / "keyscope-key.png"))
    assert img.width() >= 1000 and img.height() >= 600
