"""The app: window, status bar, clean shutdown, port choice, config, remote mode,
screenshots."""
from __future__ import annotations

import os
import socket
import subprocess
import sys

import pytest
import redis
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QKeySequence

from gui.app import MainWindow, cli_line
from gui.embedded import build_config, start_embedded
from tests.conftest import REDIS_SERVER, ROOT, free_port, get_server, wait_port
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


# ---------------------------------------------------------------------- menus, keys
def test_menus_and_panel_shortcuts(qtbot, embedded):
    server, source = embedded
    window = MainWindow(source, server)
    qtbot.addWidget(window)
    menus = {a.text().replace("&", ""): a.menu() for a in window.menuBar().actions()}
    assert list(menus) == ["File", "View", "Help"]
    file_items = [a.text().replace("&", "") for a in menus["File"].actions() if a.text()]
    assert file_items == ["Attach to remote…", "Read-only mode", "Quit"]
    shortcuts = [a.shortcut().toString() for a in window.panel_actions]
    assert shortcuts[:3] == ["Ctrl+1", "Ctrl+2", "Ctrl+3"] and shortcuts[9] == "Ctrl+0"
    assert [a.text() for a in window.panel_actions] == \
        [window.tabs.tabText(i) for i in range(window.tabs.count())]
    window.panel_actions[2].trigger()
    assert window.tabs.currentWidget() is window.console


def test_ctrl_keys_reach_the_panels_the_filter_and_the_console_line(qtbot, embedded):
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication
    server, source = embedded
    window = MainWindow(source, server)
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=3000)
    QTest.keyClick(window, Qt.Key_2, Qt.ControlModifier)
    assert window.tabs.currentWidget() is window.overview
    QTest.keyClick(window, Qt.Key_F, Qt.ControlModifier)
    qtbot.waitUntil(lambda: window.tree.filter_edit.hasFocus(), timeout=2000)
    QTest.keyClick(window, Qt.Key_L, Qt.ControlModifier)
    qtbot.waitUntil(lambda: window.console.input.hasFocus(), timeout=2000)
    assert window.tabs.currentWidget() is window.console
    QTest.keyClicks(window.console.input, "PING")
    QTest.keyClick(window.console.input, Qt.Key_Return)
    qtbot.waitUntil(lambda: "PONG" in window.console.output.toPlainText(), timeout=5000)


def test_about_names_the_version_and_the_redis_cli_line(qtbot, embedded):
    from engine import REDIS_VERSION, VERSION
    server, source = embedded
    window = MainWindow(source, server)
    qtbot.addWidget(window)
    window.show()
    help_menu = window.menuBar().actions()[2].menu()
    help_menu.actions()[0].trigger()
    qtbot.waitUntil(lambda: window.about_box is not None and window.about_box.isVisible())
    text = window.about_box.text()
    assert f"keyscope {VERSION}" in text and f"Redis {REDIS_VERSION}" in text
    assert f"redis-cli -p {server.port}" in text
    window.about_box.accept()


# ---------------------------------------------------------------------- clean shutdown
def test_closing_the_window_saves_when_save_points_are_configured(qtbot, qloop, tmp_path):
    from gui.source import EmbeddedSource
    conf = f'save 900 1\nappendonly no\ndir "{tmp_path}"\n'
    server = run_task(qtbot, start_embedded(port=0, extra=conf))
    window = MainWindow(EmbeddedSource(server.engine, server), server)
    qtbot.addWidget(window)
    window.show()
    in_thread(qtbot, lambda: redis.Redis(port=server.port).mset({"kept:a": "1", "kept:b": "2"}))
    assert not (tmp_path / "dump.rdb").exists()       # 900 s have not passed
    window.close()
    qtbot.waitUntil(lambda: server._stopped.done() and not window.isVisible(), timeout=5000)
    assert (tmp_path / "dump.rdb").stat().st_size > 0
    # the file is a real RDB: the next start loads it
    again = run_task(qtbot, start_embedded(port=0, extra=f'save ""\ndir "{tmp_path}"\n'))
    try:
        assert in_thread(qtbot, lambda: redis.Redis(port=again.port).mget("kept:a", "kept:b")) \
            == [b"1", b"2"]
    finally:
        run_task(qtbot, again.shutdown())


# ---------------------------------------------------------------------- bad remote input
def start_redis(port: int, *args: str) -> subprocess.Popen:
    p = subprocess.Popen([REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1",
                          "--save", "", "--appendonly", "no", *args],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_port(port, p)
    return p


def stop(p: subprocess.Popen):
    if p.poll() is None:
        p.terminate()
        p.wait(10)


def wait_for_window(qtbot):
    from gui.app import _windows
    qtbot.waitUntil(lambda: bool(_windows), timeout=10_000)
    return _windows[-1]


def close_window(qtbot, w):
    w.close()
    qtbot.waitUntil(lambda: w._closed, timeout=5000)


def test_attach_to_nothing_shows_why_in_a_dialog_and_the_app_keeps_running(qtbot, qloop):
    from gui.app import launch, parse_args
    from gui.connect import ConnectDialog
    port = free_port()
    dialog = launch(parse_args(["--attach", f"redis://127.0.0.1:{port}"]))
    assert isinstance(dialog, ConnectDialog) and dialog.isVisible()
    text = dialog.message.text()
    assert "connection refused" in text and f"127.0.0.1:{port}" in text
    assert dialog.embedded_button is not None
    # a typo in the URL: said in the dialog, not a traceback
    dialog.url_edit.setText("redis//127.0.0.1")
    qtbot.mouseClick(dialog.connect_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: "not a Redis URL" in dialog.message.text(), timeout=5000)
    assert "redis://" in dialog.message.text() and dialog.isVisible()


@pytest.mark.skipif(REDIS_SERVER is None, reason="redis-server is not installed")
def test_a_wrong_password_is_named_and_fixed_in_the_dialog(qtbot, qloop):
    from gui.app import launch, parse_args
    from gui.source import RemoteSource
    port = free_port()
    p = start_redis(port, "--requirepass", "s3cret")
    try:
        dialog = launch(parse_args(["--attach", f"redis://:wrong@127.0.0.1:{port}"]))
        assert "refused the password" in dialog.message.text()
        assert "wrong" not in dialog.message.text()         # the password is not echoed
        dialog.url_edit.setText(f"redis://127.0.0.1:{port}")
        qtbot.mouseClick(dialog.connect_button, Qt.LeftButton)
        qtbot.waitUntil(lambda: "requires a password" in dialog.message.text(),
                        timeout=5000)
        dialog.url_edit.setText(f"redis://:s3cret@127.0.0.1:{port}")
        qtbot.mouseClick(dialog.connect_button, Qt.LeftButton)
        window = wait_for_window(qtbot)
        assert isinstance(window, MainWindow) and isinstance(window.source, RemoteSource)
        assert window.isVisible()
        assert not shiboken6.isValid(dialog) or not dialog.isVisible()   # closed
        assert f"127.0.0.1:{port}" in window.windowTitle()
        close_window(qtbot, window)
    finally:
        stop(p)


def test_start_the_embedded_server_instead(qtbot, qloop, tmp_path):
    from gui.app import launch, parse_args
    conf = tmp_path / "redis.conf"
    conf.write_text(f'save ""\nappendonly no\ndir "{tmp_path}"\n')
    dialog = launch(parse_args(["--port", "0", "--config", str(conf),
                                "--attach", f"redis://127.0.0.1:{free_port()}"]))
    qtbot.mouseClick(dialog.embedded_button, Qt.LeftButton)
    window = wait_for_window(qtbot)
    assert window.server is not None and window.source.kind == "embedded"
    assert in_thread(qtbot, lambda: redis.Redis(port=window.server.port).ping())
    server = window.server
    close_window(qtbot, window)
    assert server._stopped.done()


@pytest.mark.skipif(REDIS_SERVER is None, reason="redis-server is not installed")
def test_file_attach_with_a_bad_url_then_a_good_one_opens_a_second_window(qtbot, embedded):
    server, source = embedded
    window = MainWindow(source, server)
    qtbot.addWidget(window)
    window.show()
    window.attach_action.trigger()
    dialog = window.attach_dialog
    assert dialog.isVisible() and dialog.embedded_button is None
    port = free_port()
    dialog.url_edit.setText(f"redis://127.0.0.1:{port}")
    qtbot.mouseClick(dialog.connect_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: "connection refused" in dialog.message.text(), timeout=5000)
    assert in_thread(qtbot, lambda: redis.Redis(port=server.port).ping())   # still serving
    p = start_redis(port)
    try:
        qtbot.mouseClick(dialog.connect_button, Qt.LeftButton)
        remote = wait_for_window(qtbot)
        assert remote is not window and remote.source.kind == "remote"
        assert window.isVisible() and not server._stopped.done()
        close_window(qtbot, remote)
        assert window.isVisible() and not server._stopped.done()
    finally:
        stop(p)


@pytest.mark.skipif(REDIS_SERVER is None, reason="redis-server is not installed")
def test_a_remote_that_goes_away_shows_connection_lost_and_recovers(qtbot, qloop):
    from gui.source import RemoteSource
    port = free_port()
    p = start_redis(port, "--requirepass", "pw")
    source = RemoteSource(f"redis://:pw@127.0.0.1:{port}")
    source.PROBE_MS = 200
    try:
        r = redis.Redis(port=port, password="pw")
        r.select(3)
        r.set("where", "db3 before")
        window = MainWindow(source, None)
        qtbot.addWidget(window)
        window.show()
        assert source.call(3, b"GET", b"where") == b"db3 before"
        stop(p)
        qtbot.waitUntil(lambda: window.banner.isVisible(), timeout=5000)
        assert "connection lost" in window.banner.text() and f"127.0.0.1:{port}" in \
            window.banner.text()
        qtbot.waitUntil(lambda: "connection lost" in window.overview.note.text(),
                        timeout=5000)
        for i in range(window.tabs.count()):    # every panel polls a dead server: no
            window.tabs.setCurrentIndex(i)      # exception escapes (pytest-qt fails on one)
            qtbot.wait(250)
        window.tree.db_combo.setCurrentIndex(3)
        qtbot.wait(250)
        p = start_redis(port, "--requirepass", "pw")
        r = redis.Redis(port=port, password="pw")
        r.select(3)
        r.set("where", "db3 after")
        redis.Redis(port=port, password="pw").set("where", "db0")
        for i in range(5):
            redis.Redis(port=port, password="pw").set(f"back:{i}", i)
        qtbot.waitUntil(lambda: not window.banner.isVisible(), timeout=10_000)
        # the connection to db3 is made again into db3 (not db0, redis-py's default)
        assert source.call(3, b"GET", b"where") == b"db3 after"
        qtbot.waitUntil(lambda: "Cannot sample" not in window.overview.note.text(),
                        timeout=5000)
        # the tree was rebuilt from the server as it is now
        window.tree.db_combo.setCurrentIndex(0)
        qtbot.waitUntil(lambda: len(window.tree.model.ns) == 6, timeout=10_000)
        close_window(qtbot, window)
    finally:
        source.close()
        stop(p)


@pytest.mark.skipif(REDIS_SERVER is None, reason="redis-server is not installed")
def test_a_remote_password_is_never_shown_and_the_trees_reads_notice_a_lost_link(qtbot,
                                                                                 qloop):
    from gui.source import ConnectionLost, RemoteSource
    port = free_port()
    p = start_redis(port, "--requirepass", "pw")
    source = RemoteSource(f"redis://:pw@127.0.0.1:{port}")
    try:
        redis.Redis(port=port, password="pw").set("k", "v")
        assert "pw" not in source.title() and "***" in source.title()
        assert source.key_meta(0, [b"k"])[b"k"][0] == "string"
        stop(p)
        with pytest.raises(ConnectionLost):
            source.key_meta(0, [b"k"])
        assert source.lost is not None and f"127.0.0.1:{port}" in source.lost
    finally:
        source.close()
        stop(p)


def test_the_process_survives_a_bad_attach_without_a_traceback(tmp_path):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", HOME=str(tmp_path),
               XDG_CONFIG_HOME=str(tmp_path))
    p = subprocess.Popen([sys.executable, "-m", "gui.app", "--attach",
                          f"redis://:wrong@127.0.0.1:{free_port()}"], cwd=ROOT, env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        with pytest.raises(subprocess.TimeoutExpired):
            p.wait(4)                       # still running: the dialog waits for the user
    finally:
        p.terminate()
        out, err = p.communicate(timeout=10)
    assert b"Traceback" not in err and b"Error" not in err, err.decode()[-2000:]


@pytest.mark.skipif(REDIS_SERVER is None, reason="redis-server is not installed")
def test_quit_closes_every_window_and_shuts_the_server_down(qtbot, qloop, scratch):
    from gui.app import open_window
    from gui.source import EmbeddedSource, RemoteSource
    server = run_task(qtbot, start_embedded(port=0, extra=scratch))
    first = open_window(EmbeddedSource(server.engine, server), server)
    srv = get_server("redis")
    second = open_window(RemoteSource(f"redis://127.0.0.1:{srv.port}"))
    quit_action = [a for a in first.menuBar().actions()[0].menu().actions()
                   if a.text() == "&Quit"][0]
    assert quit_action.shortcut().matches(QKeySequence.Quit) == QKeySequence.ExactMatch
    quit_action.trigger()
    qtbot.waitUntil(lambda: first._closed and second._closed, timeout=5000)
    assert server._stopped.done()
