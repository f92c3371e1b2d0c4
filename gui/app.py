"""``keyscope``: the desktop app.  Runs the server in-process (or attaches to a remote one)
and shows it live.

    keyscope [--port N] [--config redis.conf] [--attach redis://host:port]
             [--screenshot DIR]
"""
from __future__ import annotations

import argparse
import asyncio
import os
import sys

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (QApplication, QHBoxLayout, QLabel, QLineEdit, QMainWindow,
                               QSplitter, QTabWidget, QToolButton, QWidget)

from .console import ConsolePanel
from .keytree import KeyTreePanel
from .keyview import KeyView
from .overview import OverviewPanel
from .clients_panel import ClientsPanel
from .config_panel import ConfigPanel
from .hotkeys_panel import HotKeysPanel
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
        self.console = ConsolePanel(host, port)
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
                            ("Hotkeys", HotKeysPanel(source))):
            self.placeholders[name] = panel
            self.tabs.addTab(panel, name)
        for i in range(min(10, self.tabs.count())):     # Ctrl+1..9, 0: the tabs in order
            QShortcut(QKeySequence(f"Ctrl+{(i + 1) % 10}"), self,
                      lambda i=i: self.tabs.setCurrentIndex(i))
        split = QSplitter(Qt.Horizontal)
        split.addWidget(self.tree)
        split.addWidget(self.tabs)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        split.setSizes([480, 800])
        self.setCentralWidget(split)
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

        if server is not None:     # SHUTDOWN from a client or a signal ends the app too
            self._watch = asyncio.ensure_future(server.wait_closed())
            self._watch.add_done_callback(lambda _: self.close())

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
    ap.add_argument("--screenshot", metavar="DIR",
                    help="render each panel on a sample dataset, save PNGs in DIR, exit")
    return ap.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.screenshot and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from .qtloop import new_event_loop
    app = QApplication.instance() or QApplication([sys.argv[0]])
    app.setApplicationName("keyscope")
    loop = new_event_loop()
    asyncio.set_event_loop(loop)
    server = None
    try:
        if args.attach:
            source = RemoteSource(args.attach)
            source.databases()              # fail now if it is unreachable
        else:
            from .embedded import scratch_directives, start_embedded
            extra = ""
            if args.screenshot:      # the sample data must not meet the user's dump.rdb
                import tempfile
                extra = scratch_directives(tempfile.mkdtemp(prefix="keyscope-shots-"))
            server = loop.run_until_complete(start_embedded(args.port, args.config,
                                                            extra=extra))
            server.install_signal_handlers()
            source = EmbeddedSource(server.engine, server)
    except Exception as e:
        print(f"keyscope: {e}", file=sys.stderr)
        loop.close()
        return 1
    attached = hasattr(loop, "attach")          # qasync (Windows) runs via run_forever
    if attached:
        loop.attach()
    window = MainWindow(source, server)
    if os.environ.get("KEYSCOPE_UI_STATS"):     # UI counters for benchmarks/app_bench.py
        from .uistats import install
        install(window, os.environ["KEYSCOPE_UI_STATS"])
    if args.screenshot:
        from .screenshot import take_screenshots
        task = asyncio.ensure_future(take_screenshots(window, args.screenshot))
        task.add_done_callback(lambda _: window.close())
    window.show()
    if attached:
        rc = app.exec()
    else:                                        # pragma: no cover (Windows)
        app.lastWindowClosed.connect(loop.stop)
        loop.run_forever()
        rc = 0
    if args.screenshot and task.done() and task.exception() is not None:
        print(f"keyscope: screenshots failed: {task.exception()!r}", file=sys.stderr)
        rc = 1
    if attached:
        loop.detach()
    loop.close()
    return rc


if __name__ == "__main__":
    sys.exit(main())
