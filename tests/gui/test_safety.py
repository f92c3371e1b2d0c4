"""Safety: read-only mode (edits, admin actions and console writes refused and not sent,
other clients unaffected), typed-name confirmation of destructive console commands on a
remote server (Yes/Cancel on the embedded one), the environment strip, and the remote
console logging in with the URL's credentials."""
from __future__ import annotations

import pytest
import redis
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QMessageBox

from gui import safety
from gui.app import MainWindow
from gui.keyedit import run_key_command
from gui.source import ActionError, RemoteSource
from tests.conftest import REDIS_SERVER, ServerProc
from tests.gui.helpers import in_thread

needs_redis = pytest.mark.skipif(REDIS_SERVER is None, reason="redis-server is not installed")


@pytest.fixture(autouse=True)
def scratch_settings(tmp_path, monkeypatch):
    """Labels and colours go to a scratch file, never the user's settings."""
    path = str(tmp_path / "keyscope.ini")
    monkeypatch.setattr(safety, "settings", lambda: QSettings(path, QSettings.IniFormat))
    return path


@pytest.fixture
def remote(qtbot):
    """A real redis-server with a password on a free port: (port, password)."""
    srv = ServerProc("redis", ["--requirepass", "s3cret"])
    yield srv.port, "s3cret"
    srv.stop()


def _window(qtbot, source, server=None) -> MainWindow:
    w = MainWindow(source, server)
    qtbot.addWidget(w)
    w.show()
    return w


def _close(qtbot, w):
    w.close()
    qtbot.waitUntil(lambda: w._closed, timeout=5000)


def _asked(qtbot, console):
    """The console's confirmation (a TypedConfirm or a QMessageBox), once it shows."""
    qtbot.waitUntil(lambda: getattr(console, "safety_dialog", None) is not None and
                    console.safety_dialog.isVisible(), timeout=5000)
    return console.safety_dialog


def _run(qtbot, console, line) -> str:
    with qtbot.waitSignal(console.replied, timeout=10_000) as sig:
        console.run_line(line)
    return sig.args[0]


# ---------------------------------------------------------------------- read-only
def test_read_only_refuses_an_edit_and_the_key_stays_as_it_was(qtbot, embedded,
                                                               client_factory):
    server, source = embedded
    r = client_factory()
    in_thread(qtbot, lambda: r.set("user:1", "alice"))
    w = _window(qtbot, source, server)
    w.read_only_action.trigger()                        # File > Read-only mode
    assert source.read_only and "READ-ONLY" in w.env_strip.text()
    w.keyview.show_key(0, b"user:1")
    editor = w.keyview.editor
    assert not editor.isEnabled() and "Read-only mode" in editor.toolTip()
    assert not editor.value_save.isEnabled() and not editor.delete_button.isEnabled()
    # the gate, whichever path a write takes: key edits, source.call, admin actions
    ok, why = run_key_command(source, 0, b"SET", b"user:1", b"mallory")
    assert not ok and why == "read-only mode: SET writes; not sent"
    ok, why = run_key_command(source, 0, b"DEL", b"user:1")
    assert not ok and "DEL writes; not sent" in why
    with pytest.raises(ActionError, match="read-only mode: UNLINK writes; not sent"):
        source.call(0, b"UNLINK", b"user:1")
    with pytest.raises(ActionError, match="read-only mode: CONFIG SET writes"):
        source.admin(b"CONFIG", b"SET", b"maxmemory-policy", b"allkeys-lru")
    with pytest.raises(ActionError, match="EVAL writes"):
        source.call(0, b"EVAL", b"return 1", b"0")
    assert source.call(0, b"GET", b"user:1") == b"alice"           # reads still run
    assert in_thread(qtbot, lambda: r.get("user:1")) == b"alice"
    assert server.engine.config["maxmemory-policy"] == "noeviction"
    # other clients of the embedded port are not limited by the inspector's mode
    in_thread(qtbot, lambda: r.set("user:1", "bob"))
    assert in_thread(qtbot, lambda: r.get("user:1")) == b"bob"
    # off again: the editor works
    w.read_only_action.trigger()
    assert not source.read_only and editor.isEnabled()
    w.keyview.refresh()
    editor.value_edit.setPlainText("carol")
    qtbot.mouseClick(editor.value_save, Qt.LeftButton)
    assert in_thread(qtbot, lambda: r.get("user:1")) == b"carol"
    _close(qtbot, w)


def test_read_only_holds_panel_buttons_and_bulk_actions_off(qtbot, embedded, client_factory):
    server, source = embedded
    r = client_factory()
    in_thread(qtbot, lambda: r.mset({"cache:a": 1, "cache:b": 2}))
    w = _window(qtbot, source, server)
    source.set_read_only(True)
    persistence, config = w.placeholders["Persistence"], w.placeholders["Config"]
    persistence.refresh()           # its refresh enables appendonly: overruled
    config.refresh()
    for b in (persistence.bgsave_button, persistence.save_button, persistence.appendonly,
              persistence.fsync, persistence.rewrite_button, persistence.save_field.button,
              config.maxmemory_button, config.policy, config.rewrite_button):
        assert not b.isEnabled(), b
        assert b.toolTip() == safety.READ_ONLY_TIP
    from PySide6.QtWidgets import QAbstractItemView
    assert config.view.editTriggers() == QAbstractItemView.NoEditTriggers
    # the tree's bulk actions: the menu says why, the bar cannot go
    tree = w.tree
    qtbot.waitUntil(lambda: tree.model.ns.root.count == 2, timeout=5000)
    tree._context_menu(tree.view.viewport().rect().bottomRight())
    assert tree.menu is not None and all(not a.isEnabled() for a in tree.menu.actions()
                                         if not a.text().startswith("Export"))  # (a read)
    assert tree.menu.actions()[0].toolTip() == safety.READ_ONLY_TIP
    tree.menu.close()
    tree.bulk.prepare("delete", b"")
    tree.bulk.refresh()
    assert tree.bulk.count() == 2 and not tree.bulk.go.isEnabled()
    tree.bulk.confirm()                   # even if reached: the gate refuses the UNLINKs
    qtbot.waitUntil(lambda: tree.bulk.job is None or not tree.bulk.job.running, timeout=5000)
    assert in_thread(qtbot, lambda: r.dbsize()) == 2
    # off: what the panels want comes back
    source.set_read_only(False)
    assert persistence.bgsave_button.isEnabled() and persistence.appendonly.isEnabled()
    assert persistence.bgsave_button.toolTip().startswith("Save in the background")
    assert config.view.editTriggers() != QAbstractItemView.NoEditTriggers
    _close(qtbot, w)


def test_read_only_console_refuses_set_but_runs_get(qtbot, embedded, client_factory):
    server, source = embedded
    r = client_factory()
    in_thread(qtbot, lambda: r.set("greeting", "hello"))
    w = _window(qtbot, source, server)
    source.set_read_only(True)
    console = w.console
    assert _run(qtbot, console, "SET greeting bye") == \
        "(not sent) read-only mode: SET writes; not sent\n"
    assert _run(qtbot, console, "GET greeting") == '"hello"\n'
    assert _run(qtbot, console, "FLUSHALL") == \
        "(not sent) read-only mode: FLUSHALL writes; not sent\n"
    assert _run(qtbot, console, "CONFIG SET maxmemory 1mb").startswith(
        "(not sent) read-only mode: CONFIG SET writes")
    assert _run(qtbot, console, "EVAL_RO \"return redis.call('GET', KEYS[1])\" 1 greeting") \
        == '"hello"\n'
    assert _run(qtbot, console, "PUBLISH news hi") == "(integer) 0\n"   # not a data write
    assert in_thread(qtbot, lambda: r.get("greeting")) == b"hello"
    assert server.engine.config["maxmemory"] == 0
    source.set_read_only(False)
    assert _run(qtbot, console, "SET greeting bye") == "OK\n"
    assert in_thread(qtbot, lambda: r.get("greeting")) == b"bye"
    _close(qtbot, w)


@needs_redis
def test_remote_read_only_decides_from_command_info(qtbot, qloop, remote):
    port, pw = remote
    r = redis.Redis(port=port, password=pw)
    r.set("k", "v")
    source = RemoteSource(f"redis://:{pw}@127.0.0.1:{port}")
    try:
        source.set_read_only(True)
        assert source.call(0, b"GET", b"k") == b"v"
        with pytest.raises(ActionError, match="read-only mode: SET writes; not sent"):
            source.call(0, b"SET", b"k", b"x")
        with pytest.raises(ActionError, match="CONFIG SET writes"):
            source.admin(b"CONFIG", b"SET", b"maxmemory", b"1mb")
        assert source.config_get("maxmemory") == {"maxmemory": "0"}
        assert safety.writes(source, [b"PFCOUNT", b"h"]) is False    # readonly flag
        assert safety.writes(source, [b"EVAL", b"return 1", b"0"]) is True
        assert safety.writes(source, [b"config", b"get", b"x"]) is False
        assert safety.writes(source, [b"NOSUCHCMD"]) is None
        # the server's own flags, asked once per command
        assert "set" in source._flag_cache and "config" in source._flag_cache
        assert "write" in source._flag_cache["set"][0]
        ok, why = run_key_command(source, 0, b"DEL", b"k")
        assert not ok and "DEL writes" in why
        assert r.get("k") == b"v" and r.config_get("maxmemory")["maxmemory"] == "0"
    finally:
        source.close()


# ---------------------------------------------------------------------- confirmations
@needs_redis
def test_typed_name_blocks_flushdb_on_a_remote_until_the_name_is_typed(qtbot, qloop,
                                                                      remote):
    port, pw = remote
    r = redis.Redis(port=port, password=pw)
    r.mset({"a": 1, "b": 2})
    source = RemoteSource(f"redis://:{pw}@127.0.0.1:{port}")
    w = _window(qtbot, source)
    console = w.console
    with qtbot.waitSignal(console.replied, timeout=10_000) as sig:
        console.run_line("FLUSHDB")
        dlg = _asked(qtbot, console)
        assert isinstance(dlg, safety.TypedConfirm)
        assert "deletes all 2 keys of db0" in dlg.text.text()
        assert dlg.name == f"127.0.0.1:{port}"
        assert not dlg.proceed.isEnabled()
        qtbot.wait(200)
        assert r.dbsize() == 2                          # nothing sent while it asks
        qtbot.keyClicks(dlg.edit, "127.0.0.1")          # not the whole name yet
        assert not dlg.proceed.isEnabled()
        dlg._go()                                       # a stray click: still nothing
        assert dlg.isVisible() and r.dbsize() == 2
        qtbot.keyClicks(dlg.edit, f":{port}")
        assert dlg.proceed.isEnabled()
        qtbot.mouseClick(dlg.proceed, Qt.LeftButton)
    assert sig.args[0] == "OK\n"
    assert r.dbsize() == 0
    # cancelled: not sent
    r.set("c", 3)
    with qtbot.waitSignal(console.replied, timeout=10_000) as sig:
        console.run_line("FLUSHALL")
        dlg = _asked(qtbot, console)
        assert "all 1 keys in every database" in dlg.text.text()
        qtbot.mouseClick(dlg.cancel, Qt.LeftButton)
    assert sig.args[0] == "(not sent) FLUSHALL cancelled\n"
    assert r.get("c") == b"3"
    _close(qtbot, w)


@needs_redis
def test_lowering_maxmemory_below_used_memory_says_what_it_evicts(qtbot, qloop, remote):
    port, pw = remote
    r = redis.Redis(port=port, password=pw)
    r.config_set("maxmemory-policy", "allkeys-lru")
    source = RemoteSource(f"redis://:{pw}@127.0.0.1:{port}")
    w = _window(qtbot, source)
    console = w.console
    assert _run(qtbot, console, "CONFIG SET maxmemory 1gb") == "OK\n"     # above: no ask
    with qtbot.waitSignal(console.replied, timeout=10_000) as sig:
        console.run_line("CONFIG SET maxmemory 100kb")
        dlg = _asked(qtbot, console)
        text = dlg.text.text()
        assert "with allkeys-lru this will evict ~" in text and "100.00 KB" in text
        dlg.reject()
    assert sig.args[0] == "(not sent) CONFIG SET maxmemory cancelled\n"
    assert r.config_get("maxmemory")["maxmemory"] == str(1024 ** 3)
    _close(qtbot, w)


@needs_redis
def test_the_config_panel_asks_for_the_typed_name_before_evicting_on_a_remote(qtbot, qloop,
                                                                           remote):
    from gui.config_panel import ConfigPanel
    port, pw = remote
    r = redis.Redis(port=port, password=pw)
    r.config_set("maxmemory-policy", "allkeys-lru")
    r.mset({f"big:{i}": "x" * 1000 for i in range(2000)})
    source = RemoteSource(f"redis://:{pw}@127.0.0.1:{port}")
    panel = ConfigPanel(source)
    qtbot.addWidget(panel)
    try:
        panel.refresh()
        panel.maxmemory.setText("1")
        panel.unit.setCurrentIndex(2)                   # 1 MB, below what is used
        assert not panel.apply_maxmemory()
        dlg = panel.safety_dialog
        assert isinstance(dlg, safety.TypedConfirm) and dlg.isVisible()
        assert "deletes keys at once" in dlg.text.text()
        qtbot.mouseClick(dlg.cancel, Qt.LeftButton)
        assert panel.maxmemory_error.text() == "Not applied: nothing changed."
        assert r.config_get("maxmemory") == {"maxmemory": "0"} and r.dbsize() == 2000
        assert not panel.apply_maxmemory()
        dlg = panel.safety_dialog
        qtbot.keyClicks(dlg.edit, f"127.0.0.1:{port}")
        qtbot.mouseClick(dlg.proceed, Qt.LeftButton)
        assert r.config_get("maxmemory") == {"maxmemory": str(1024 ** 2)}
    finally:
        source.close()


def test_embedded_flushdb_asks_yes_or_cancel(qtbot, embedded, client_factory):
    server, source = embedded
    r = client_factory()
    in_thread(qtbot, lambda: r.mset({"a": 1, "b": 2}))
    w = _window(qtbot, source, server)
    console = w.console
    for answer, expect, left in ((QMessageBox.Cancel, "(not sent) FLUSHDB cancelled\n", 2),
                                 (QMessageBox.Yes, "OK\n", 0)):
        with qtbot.waitSignal(console.replied, timeout=10_000) as sig:
            console.run_line("FLUSHDB")
            box = _asked(qtbot, console)
            assert isinstance(box, QMessageBox) and "all 2 keys of db0" in box.text()
            qtbot.mouseClick(box.button(answer), Qt.LeftButton)
        assert sig.args[0] == expect
        assert in_thread(qtbot, lambda: r.dbsize()) == left
    _close(qtbot, w)


# ---------------------------------------------------------------------- environment
def test_environment_colour_differs_for_local_and_remote(qtbot, embedded):
    server, source = embedded
    w = _window(qtbot, source, server)
    assert w.env_strip.colour() == safety.NEUTRAL
    assert w.env_strip.text() == f"embedded (local) · 127.0.0.1:{server.port}"
    assert safety.NEUTRAL in w.env_strip.styleSheet()
    # (no connection is made to build these)
    local = RemoteSource("redis://localhost:6390/2")
    far = RemoteSource("redis://:pw@cache.example.com:6379")
    try:
        assert safety.environment(local).colour == safety.LOCAL_BLUE
        assert safety.environment(local).label == "remote localhost · localhost:6390"
        assert safety.environment(far).colour == safety.REMOTE_ORANGE
        assert safety.environment(far).key == "redis://cache.example.com:6379/0"   # no pw
        assert len({safety.NEUTRAL, safety.LOCAL_BLUE, safety.REMOTE_ORANGE}) == 3
    finally:
        local.close()
        far.close()
    _close(qtbot, w)


@needs_redis
def test_a_chosen_label_and_colour_are_remembered_per_server(qtbot, qloop, remote,
                                                             scratch_settings):
    port, pw = remote
    source = RemoteSource(f"redis://:{pw}@127.0.0.1:{port}")
    w = _window(qtbot, source)
    assert w.env_strip.colour() == safety.LOCAL_BLUE
    w.env_action.trigger()
    dlg = w.env_dialog
    dlg.label_edit.setText("staging cache")
    qtbot.mouseClick(dlg.swatch_buttons["red"], Qt.LeftButton)
    dlg.save()
    assert w.env_strip.text() == "staging cache" and w.env_strip.colour() == "#c62828"
    stored = QSettings(scratch_settings, QSettings.IniFormat)
    assert "staging cache" in [stored.value(k) for k in stored.allKeys()]
    assert pw not in " ".join(stored.allKeys())         # no credentials in the key
    # another window on the same server finds it; the typed name is the label now
    again = RemoteSource(f"redis://:{pw}@127.0.0.1:{port}")
    assert safety.environment(again).label == "staging cache"
    assert safety.confirm_name(again) == "staging cache"
    again.close()
    _close(qtbot, w)


# ---------------------------------------------------------------------- remote console
@needs_redis
def test_the_remote_console_logs_in_with_the_urls_credentials(qtbot, qloop, remote):
    port, pw = remote
    r = redis.Redis(port=port, password=pw)
    r.execute_command("ACL", "SETUSER", "alice", "on", ">alicepw", "~*", "&*", "+@all")
    source = RemoteSource(f"redis://:{pw}@127.0.0.1:{port}/2")
    w = _window(qtbot, source)
    console = w.console
    assert console.prompt.text() == f"127.0.0.1:{port}[2]>"
    assert _run(qtbot, console, "SET from-console 1") == "OK\n"
    assert redis.Redis(port=port, password=pw, db=2).get("from-console") == b"1"
    # again after QUIT: the next command reconnects and logs in again
    _run(qtbot, console, "QUIT")
    assert _run(qtbot, console, "GET from-console") == '"1"\n'
    _close(qtbot, w)
    # a username in the URL
    source = RemoteSource(f"redis://alice:alicepw@127.0.0.1:{port}")
    w = _window(qtbot, source)
    assert _run(qtbot, w.console, "ACL WHOAMI") == '"alice"\n'
    _close(qtbot, w)


# ---------------------------------------------------------------------- how it starts
def test_read_only_from_the_command_line(qtbot, embedded):
    from gui.app import launch, parse_args
    server, _ = embedded
    args = parse_args(["--read-only"])
    assert args.read_only
    w = launch(args, server)
    qtbot.addWidget(w)
    assert w.source.read_only and w.read_only_action.isChecked()
    assert not w.keyview.editor.isEnabled()
    assert "READ-ONLY" in w.env_strip.text()
    w.source.close()


@needs_redis
def test_the_connect_dialogs_read_only_box(qtbot, qloop, remote):
    from gui.connect import ConnectDialog
    port, pw = remote
    dialog = ConnectDialog(f"redis://:{pw}@127.0.0.1:{port}", read_only=True)
    qtbot.addWidget(dialog)
    assert dialog.read_only_box.isChecked()
    with qtbot.waitSignal(dialog.attached, timeout=10_000) as sig:
        qtbot.mouseClick(dialog.connect_button, Qt.LeftButton)
    source = sig.args[0]
    try:
        assert source.read_only
        with pytest.raises(ActionError, match="read-only mode"):
            source.call(0, b"SET", b"x", b"1")
    finally:
        source.close()
