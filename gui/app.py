"""``keyscope``: the desktop app.  Runs the server in-process (or attaches to a remote one)
and shows it live.

    keyscope [--port N] [--config redis.conf] [--attach redis://host:port]
             [--read-only] [--screenshot DIR]
"""
from __future__ import annotations

import argparse
import asyncio
import os
import sys

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QActionGroup, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (QApplication, QHBoxLayout, QLabel, QLineEdit, QMainWindow,
                               QMessageBox, QSplitter, QTabWidget, QToolButton, QVBoxLayout,
                               QWidget)

from . import safety, theme
from .connect import ConnectDialog, probe
from .console import ConsolePanel
from .keytree import KeyTreePanel
from .keyview import KeyView
from .overview import OverviewPanel
from .clients_panel import ClientsPanel
from .config_panel import ConfigPanel
from .hotkeys_panel import HotKeysPanel
from .eviction_panel import EvictionPanel
from .expiry_panel import ExpiryPanel
from .memory_panel import MemoryPanel
from .persistence_panel import PersistencePanel
from .replication_panel import ReplicationPanel
from .slowlog_panel import SlowlogPanel
from .source import EmbeddedSource, InspectorSource, RemoteSource


def cli_line(host: str, port: int) -> str:
    return f"redis-cli -p {port}" if host in ("127.0.0.1", "localhost") else \
        f"redis-cli -h {host} -p {port}"


class MainWindow(QMainWindow):
    def __init__(self, source: InspectorSource, server=None):
        super().__init__()
        self.source = source
        self.server = server
        self._closing = False
        self._closed = False
        self.setWindowTitle(f"keyscope — {source.title()}")
        self.resize(1280, 800)

        self.tree = KeyTreePanel(source)
        self.keyview = KeyView(source)
        self.overview = OverviewPanel(source)
        host, port = source.address()
        self.console = ConsolePanel(host, port, **safety.console_login(source))
        self.tabs = QTabWidget()
        self.tabs.addTab(self.keyview, "Key")
        self.tabs.addTab(self.overview, "Overview")
        self.tabs.addTab(self.console, "Console")
        self.placeholders = {}          # server panels (the screenshots render them)
        for name, panel in (("Slowlog", SlowlogPanel(source)),
                            ("Replication", ReplicationPanel(source)),
                            ("Persistence", PersistencePanel(source)),
                            ("Config", ConfigPanel(source)),
                            ("Clients", ClientsPanel(source)),
                            ("Memory", MemoryPanel(source)),
                            ("Hotkeys", HotKeysPanel(source)),
                            ("Eviction", EvictionPanel(source)), ("Expiry", ExpiryPanel(source))):
            self.placeholders[name] = panel
            self.tabs.addTab(panel, name)
        split = QSplitter(Qt.Horizontal)
        split.addWidget(self.tree)
        split.addWidget(self.tabs)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        split.setSizes([480, 800])
        # a remote that stops answering: one line above everything until it is back
        self.banner = QLabel()
        self.banner.setObjectName("connectionBanner")
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet("background: #d0413b; color: white; padding: 4px;")
        self.banner.hide()
        central = QWidget()
        col = QVBoxLayout(central)
        col.setContentsMargins(0, 0, 0, 0)
        col.setSpacing(0)
        col.addWidget(self.banner)
        col.addWidget(split, 1)
        self.setCentralWidget(central)
        source.connectionChanged.connect(self._on_connection, Qt.QueuedConnection)
        self.tree.keySelected.connect(self._on_key_selected)

        # status bar: where the server is, and the line to paste into a terminal
        self.where = QLabel(source.title())
        self.cli = QLineEdit(cli_line(host, port))
        self.cli.setReadOnly(True)
        self.cli.setMaximumWidth(260)
        self.cli.setToolTip("connect from a terminal")
        copy = QToolButton()
        copy.setText("Copy")
        copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(self.cli.text()))
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.cli)
        row.addWidget(copy)
        self.statusBar().addWidget(self.where, 1)
        self.statusBar().addPermanentWidget(box)
        self.attach_dialog = None
        self.about_box = None
        self._build_menus()
        # environment strip, read-only lock of the editing controls, console gate
        self.safety_lock = safety.install(self)
        self.env_dialog = None

        if server is not None:     # SHUTDOWN from a client or a signal ends the app too
            server.on_closed(self._server_gone)   # a plain callback: no task to leak

    def _server_gone(self):
        import shiboken6
        if shiboken6.isValid(self) and not self._closed:
            self.close()

    # ------------------------------------------------------------------ menus, keys
    def _build_menus(self):
        bar = self.menuBar()
        file = bar.addMenu("&File")
        self.attach_action = file.addAction("&Attach to remote…", self.open_attach_dialog)
        self.attach_action.setShortcut(QKeySequence("Ctrl+Shift+O"))
        self.read_only_action = file.addAction("&Read-only mode")
        self.read_only_action.setCheckable(True)
        self.read_only_action.setChecked(self.source.read_only)
        self.read_only_action.setToolTip(
            "The inspector sends no writes (other clients of the server are not limited)")
        self.read_only_action.toggled.connect(self.source.set_read_only)
        self.source.readOnlyChanged.connect(self.read_only_action.setChecked)
        file.addSeparator()
        quit_ = file.addAction("&Quit", quit_all)
        quit_.setShortcut(QKeySequence.Quit)
        quit_.setMenuRole(quit_.MenuRole.QuitRole)

        view = bar.addMenu("&View")
        self.panel_actions = []
        for i in range(self.tabs.count()):             # Ctrl+1..9, 0: the tabs in order
            a = view.addAction(self.tabs.tabText(i), lambda i=i: self.tabs.setCurrentIndex(i))
            if i < 10:
                a.setShortcut(QKeySequence(f"Ctrl+{(i + 1) % 10}"))
            self.panel_actions.append(a)
        view.addSeparator()
        self.filter_action = view.addAction("Filter keys", self.focus_filter)
        self.filter_action.setShortcut(QKeySequence("Ctrl+F"))
        self.console_action = view.addAction("Console line", self.focus_console)
        self.console_action.setShortcut(QKeySequence("Ctrl+L"))
        self.env_action = view.addAction("&Environment label and colour…",
                                         self.open_env_dialog)
        view.addSeparator()
        themes = view.addMenu("&Theme")
        group = QActionGroup(self)
        self.theme_actions = {}
        for mode, label in (("system", "&System"), ("light", "&Light"), ("dark", "&Dark")):
            a = themes.addAction(label, lambda m=mode: theme.manager().set_mode(m))
            a.setCheckable(True)
            group.addAction(a)
            self.theme_actions[mode] = a
        self.theme_actions[theme.manager().mode].setChecked(True)
        theme.manager().changed.connect(self._on_theme)

        help_ = bar.addMenu("&Help")
        about = help_.addAction("&About keyscope", self.show_about)
        about.setMenuRole(about.MenuRole.AboutRole)

    def open_env_dialog(self):
        """View > Environment label and colour…: kept per server in the settings."""
        if self.env_dialog is None:
            self.env_dialog = safety.EnvironmentDialog(self.source, self)
            self.env_dialog.saved.connect(self.env_strip.update_from)
        self.env_dialog.show()
        self.env_dialog.raise_()

    def _on_theme(self, _dark: bool):
        self.theme_actions[theme.manager().mode].setChecked(True)

    def focus_filter(self):
        self.tree.filter_edit.setFocus(Qt.ShortcutFocusReason)
        self.tree.filter_edit.selectAll()

    def focus_console(self):
        self.tabs.setCurrentWidget(self.console)
        self.console.input.setFocus(Qt.ShortcutFocusReason)

    def about_text(self) -> str:
        from engine import REDIS_VERSION, VERSION
        import PySide6
        from PySide6.QtCore import qVersion
        return (f"<h3>keyscope {VERSION}</h3>"
                f"<p>A Redis {REDIS_VERSION}-compatible server and its inspector.</p>"
                f"<p>Showing: {self.source.title()}<br>"
                f"From a terminal: <code>{self.cli.text()}</code></p>"
                f"<p>Qt {qVersion()}, PySide6 {PySide6.__version__}, Python "
                f"{sys.version.split()[0]}</p>")

    def show_about(self):
        # open(), not exec(): a nested modal loop would stall the server's callbacks
        if self.about_box is None:
            self.about_box = QMessageBox(QMessageBox.Information, "About keyscope", "",
                                         QMessageBox.Ok, self)
            self.about_box.setTextFormat(Qt.RichText)
        self.about_box.setText(self.about_text())
        self.about_box.open()

    def open_attach_dialog(self):
        """File > Attach to remote…: the remote opens in a window of its own (this one,
        and its embedded server, keep running)."""
        if self.attach_dialog is None:
            self.attach_dialog = ConnectDialog(parent=self)
            self.attach_dialog.attached.connect(open_window)
        self.attach_dialog.read_only_box.setChecked(self.source.read_only)
        self.attach_dialog.show()
        self.attach_dialog.raise_()
        self.attach_dialog.url_edit.setFocus()

    def _on_connection(self, ok: bool, why: str):
        if ok:
            self.banner.hide()
            self.where.setText(self.source.title())
            self.statusBar().showMessage("reconnected", 5000)
        else:
            self.banner.setText(f"⚠ {why}")
            self.banner.show()
            self.where.setText(why)

    def _on_key_selected(self, db: int, key: bytes):
        self.keyview.show_key(db, key)
        self.tabs.setCurrentWidget(self.keyview)

    def show_tab(self, widget: QWidget):
        self.tabs.setCurrentWidget(widget)

    def closeEvent(self, event):
        if self._closed:
            event.accept()
            return
        event.ignore()
        if not self._closing:
            self._closing = True
            asyncio.ensure_future(self.shutdown())

    async def shutdown(self):
        """Stop the embedded server cleanly (flush replies, shutdown hooks), then close."""
        self.overview.timer.stop()
        self.console.close_connection()
        if self.server is not None:
            await self.server.shutdown()
        import shiboken6
        if not shiboken6.isValid(self):     # the window went first (a test's teardown)
            return
        self.source.close()
        self._closed = True
        self.close()


def parse_args(argv):
    ap = argparse.ArgumentParser(prog="keyscope", description="See your Redis work: an "
                                 "embedded Redis 7.0-compatible server and its inspector.")
    ap.add_argument("--port", type=int, default=6379,
                    help="embedded server port (default 6379; the next free one if taken)")
    ap.add_argument("--config", metavar="redis.conf", help="config file for the embedded server")
    ap.add_argument("--attach", metavar="redis://host:port",
                    help="inspect a running Redis/Valkey instead of the embedded server")
    ap.add_argument("--read-only", action="store_true",
                    help="the inspector sends no writes (edits, bulk actions, console "
                         "writes refused); other clients are not limited")
    ap.add_argument("--screenshot", metavar="DIR",
                    help="render each panel on a sample dataset, save PNGs in DIR, exit")
    return ap.parse_args(argv)


def quit_all():
    """Close every window (not QApplication.closeAllWindows: it stops at the first window
    that defers its close, as a main window does while its server shuts down)."""
    for w in QApplication.topLevelWidgets():
        if w.isVisible():
            w.close()


_windows: list = []          # the open windows (a window attached from the menu has no
                             # other owner)


def open_window(source: InspectorSource, server=None) -> MainWindow:
    w = MainWindow(source, server)
    w.setAttribute(Qt.WA_DeleteOnClose)
    _windows.append(w)
    w.destroyed.connect(lambda _=None, w=w: w in _windows and _windows.remove(w))
    w.show()
    return w


def launch(args, server=None):
    """The first window, with the loop attached: the main window, or (``--attach`` to a
    server that does not answer) the connect dialog, which says why and offers to fix the
    URL, retry, or start the embedded server instead.  Returns what it showed."""
    read_only = getattr(args, "read_only", False)
    if server is not None:
        source = EmbeddedSource(server.engine, server)
        source.set_read_only(read_only)
        return open_window(source, server)
    error = probe(args.attach)
    if not error:
        source = RemoteSource(args.attach)
        source.set_read_only(read_only)
        return open_window(source)
    dialog = ConnectDialog(args.attach, error, offer_embedded=True, read_only=read_only)
    dialog.setAttribute(Qt.WA_DeleteOnClose)
    dialog.attached.connect(open_window)

    async def embedded():
        from .embedded import start_embedded
        dialog.embedded_button.setEnabled(False)
        dialog.show_note("Starting the embedded server …")
        try:
            srv = await start_embedded(args.port, args.config)
        except Exception as e:              # a bad --config, no free port ...
            dialog.embedded_button.setEnabled(True)
            dialog.show_error(f"The embedded server did not start: {e}")
            return
        srv.install_signal_handlers()
        source = EmbeddedSource(srv.engine, srv)
        source.set_read_only(dialog.read_only_box.isChecked())
        open_window(source, srv)
        dialog.accept()

    dialog.embeddedRequested.connect(lambda: asyncio.ensure_future(embedded()))
    # Quit with no window open ends the app (hiding a dialog does not count as closing)
    dialog.rejected.connect(lambda: _windows or QApplication.quit())
    dialog.show()
    return dialog


def main(argv=None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.screenshot and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from .qtloop import new_event_loop
    app = QApplication.instance() or QApplication([sys.argv[0]])
    from .gcpolicy import install as gc_on_gui_thread
    gc_on_gui_thread(app)                # worker threads never free Qt objects
    app.setApplicationName("keyscope")
    app.setOrganizationName("keyscope")
    theme.manager().load(None if args.screenshot else QSettings())
    loop = new_event_loop()
    asyncio.set_event_loop(loop)
    server = None
    if not args.attach:
        try:
            from .embedded import scratch_directives, start_embedded
            extra = ""
            if args.screenshot:      # the sample data must not meet the user's dump.rdb
                import tempfile
                extra = scratch_directives(tempfile.mkdtemp(prefix="keyscope-shots-"))
            server = loop.run_until_complete(start_embedded(args.port, args.config,
                                                            extra=extra))
            server.install_signal_handlers()
        except Exception as e:      # a bad --config, no free port: a command-line error
            print(f"keyscope: {e}", file=sys.stderr)
            loop.close()
            return 1
    attached = hasattr(loop, "attach")          # qasync (Windows) runs via run_forever
    if attached:
        loop.attach()
    first = launch(args, server)
    if os.environ.get("KEYSCOPE_UI_STATS") and isinstance(first, MainWindow):
        from .uistats import install       # UI counters for benchmarks/app_bench.py
        install(first, os.environ["KEYSCOPE_UI_STATS"])
    task = None
    if args.screenshot and isinstance(first, MainWindow):
        from .screenshot import take_screenshots
        task = asyncio.ensure_future(take_screenshots(first, args.screenshot))
        task.add_done_callback(lambda _: first.close())
    if attached:
        rc = app.exec()
    else:                                        # pragma: no cover (Windows)
        app.lastWindowClosed.connect(loop.stop)
        loop.run_forever()
        rc = 0
    if task is not None and task.done() and task.exception() is not None:
        print(f"keyscope: screenshots failed: {task.exception()!r}", file=sys.stderr)
        rc = 1
    if attached:
        loop.detach()
    loop.close()
    return rc


if __name__ == "__main__":
    sys.exit(main())
