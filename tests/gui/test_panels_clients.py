"""Clients panel: connections listed from the engine (embedded) or CLIENT LIST (remote),
merged by id; kill after confirmation closes the connection."""
from __future__ import annotations

import pytest
import redis
from PySide6.QtWidgets import QMessageBox

from gui.clients_panel import ClientsPanel
from tests.conftest import REDIS_SERVER, get_server
from tests.gui.helpers import in_thread
from tests.gui.panel_utils import show_panel


def connect(port: int, name: str) -> tuple[redis.Connection, int]:
    conn = redis.Connection(port=port, socket_timeout=10)
    conn.connect()
    conn.send_command("CLIENT", "SETNAME", name)
    conn.read_response()
    conn.send_command("CLIENT", "ID")
    return conn, int(conn.read_response())


def alive(conn: redis.Connection) -> bool:
    try:
        conn.send_command("PING")
        return conn.read_response() in (b"PONG", "PONG")
    except (redis.ConnectionError, OSError):
        return False


def make_panel(qtbot, source, model_check):
    panel = ClientsPanel(source, interval_ms=50)
    return show_panel(qtbot, panel, model_check, panel.model, panel.proxy)


def names(panel) -> list[str]:
    return [row.get("name") for row in panel.model.rows]


def test_clients_are_listed_and_killed_after_confirmation(qtbot, embedded, model_check):
    server, source = embedded
    panel = make_panel(qtbot, source, model_check)
    assert panel.cli.text() == f"redis-cli -p {server.port}"
    assert "Embedded server on 127.0.0.1" in panel.where.text()
    victim, vid = in_thread(qtbot, lambda: connect(server.port, "victim"))
    bystander, _ = in_thread(qtbot, lambda: connect(server.port, "bystander"))
    try:
        qtbot.waitUntil(lambda: sorted(names(panel)) == ["bystander", "victim"],
                        timeout=5000)
        assert panel.count.text() == "2 connected"           # the inspector is not a client
        row = next(r for r in panel.model.rows if r["name"] == "victim")
        assert row["id"] == str(vid) and row["addr"].startswith("127.0.0.1:")
        assert row["cmd"] == "client|id"
        # cancel: nothing happens
        assert panel.select_client(vid) and panel.kill_button.isEnabled()
        panel.kill_button.click()
        assert panel.confirm_box is not None and "victim" in panel.confirm_box.text()
        panel.confirm_box.button(QMessageBox.Cancel).click()
        assert panel.status.text() == "Nothing killed."
        assert in_thread(qtbot, lambda: alive(victim))
        # confirm: the connection is closed
        resets = []
        panel.model.modelReset.connect(lambda: resets.append(1))
        panel.select_client(vid)
        panel.kill_button.click()
        panel.confirm_box.button(QMessageBox.Yes).click()
        assert panel.status.text() == "Killed 1 client."
        assert names(panel) == ["bystander"] and resets == []
        assert not in_thread(qtbot, lambda: alive(victim))
        assert in_thread(qtbot, lambda: alive(bystander))
    finally:
        victim.disconnect()
        bystander.disconnect()


def test_rows_follow_clients_in_place(qtbot, embedded, model_check):
    server, source = embedded
    panel = make_panel(qtbot, source, model_check)
    conn, cid = in_thread(qtbot, lambda: connect(server.port, "mover"))
    try:
        qtbot.waitUntil(lambda: names(panel) == ["mover"], timeout=5000)

        def select_db():
            conn.send_command("SELECT", "3")
            return conn.read_response()
        in_thread(qtbot, select_db)
        qtbot.waitUntil(lambda: panel.model.rows[0]["db"] == "3", timeout=5000)
        assert panel.model.index(0, 5).data() == "3"
        panel.filter.setText("nobody")
        assert panel.proxy.rowCount() == 0
        panel.filter.setText("mover")
        assert panel.proxy.rowCount() == 1
    finally:
        conn.disconnect()
    qtbot.waitUntil(lambda: panel.model.rowCount() == 0, timeout=5000)
    assert panel.count.text() == "0 connected"


def test_killing_a_client_that_already_left_shows_the_error(qtbot, embedded, model_check):
    server, source = embedded
    panel = make_panel(qtbot, source, model_check)
    assert not panel.kill([999999])
    assert panel.status.text() == \
        "CLIENT KILL failed: id 999999: no such client (it already left)"
    assert not panel.status.ok


@pytest.mark.skipif(REDIS_SERVER is None, reason="redis-server is not installed")
def test_remote_clients_hide_the_inspector_and_kill_works(qtbot, qapp, model_check):
    from gui.source import RemoteSource
    srv = get_server("redis")
    source = RemoteSource(f"redis://127.0.0.1:{srv.port}")
    victim, vid = connect(srv.port, "remote-victim")
    try:
        source.dbsize(0)                                    # our own connection exists
        panel = make_panel(qtbot, source, model_check)
        qtbot.waitUntil(lambda: "remote-victim" in names(panel), timeout=5000)
        assert "keyscope-inspector" not in names(panel)
        assert "keyscope-inspector" in panel.where.text()
        assert panel.select_client(vid)
        panel.kill_button.click()
        panel.confirm_box.button(QMessageBox.Yes).click()
        assert panel.status.text() == "Killed 1 client."
        assert "remote-victim" not in names(panel)
        assert not alive(victim)
    finally:
        victim.disconnect()
        source.close()


def test_escape_or_a_closing_window_kills_nobody(qtbot, embedded, model_check):
    from PySide6.QtCore import QCoreApplication, QEvent
    server, source = embedded
    panel = ClientsPanel(source, interval_ms=50)      # deleted by the test itself
    model_check(panel.model)
    panel.show()
    victim, vid = in_thread(qtbot, lambda: connect(server.port, "victim"))
    try:
        qtbot.waitUntil(lambda: names(panel) == ["victim"], timeout=5000)
        panel.select_client(vid)
        panel.kill_button.click()
        # what Escape presses (QTest key events into a modal box left a dangling timer
        # receiver behind in PySide 6.11 offscreen, crashing a later test)
        assert panel.confirm_box.escapeButton() is \
            panel.confirm_box.button(QMessageBox.Cancel)
        panel.confirm_box.escapeButton().click()
        assert panel.confirm_box is None and panel.status.text() == "Nothing killed."
        panel.kill_button.click()
        box = panel.confirm_box
        assert box.isVisible()
        panel.close()                                   # the window goes, the box with it
        panel.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.DeferredDelete)
        qtbot.wait(100)
        assert in_thread(qtbot, lambda: alive(victim))
        assert in_thread(qtbot, lambda: source.clients()[0]["name"]) == "victim"
    finally:
        victim.disconnect()
