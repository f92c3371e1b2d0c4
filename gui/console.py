"""The console: redis-cli in a panel.

Commands go over a real TCP connection to the server (the embedded port or the attached
remote), so they behave exactly as from redis-cli: counted in stats, visible in MONITOR and
CLIENT LIST.  Replies are rendered as redis-cli renders them (``--raw`` toggle).
"""
from __future__ import annotations

import asyncio

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QFontDatabase, QTextCursor
from PySide6.QtWidgets import (QCheckBox, QHBoxLayout, QLabel, QLineEdit, QPlainTextEdit,
                               QVBoxLayout, QWidget)

from .respcli import AsyncRedisConnection, Reply, format_reply, split_args

MAX_BLOCKS = 20000            # lines kept in the output


class ConsolePanel(QWidget):
    # the formatted text of each finished command (tests, scripting)
    replied = Signal(str)

    def __init__(self, host: str, port: int, parent=None):
        super().__init__(parent)
        self.host, self.port = host, port
        self.db = 0
        self.history: list[str] = []
        self._hist_pos = 0
        self.conn = AsyncRedisConnection(host, port, on_push=self._on_push)
        self.busy = 0
        self._last = None            # the line running now (lines run in order)
        mono = QFontDatabase.systemFont(QFontDatabase.FixedFont)
        self.output = QPlainTextEdit()
        self.output.setReadOnly(True)
        self.output.setFont(mono)
        self.output.setMaximumBlockCount(MAX_BLOCKS)
        self.prompt = QLabel()
        self.prompt.setFont(mono)
        self.input = QLineEdit()
        self.input.setFont(mono)
        self.input.setPlaceholderText("type a command, e.g. SET greeting hello   (Up/Down: history)")
        self.input.returnPressed.connect(self._submit)
        self.input.installEventFilter(self)
        self.raw = QCheckBox("--raw")
        self.raw.setToolTip("redis-cli --raw output")
        row = QHBoxLayout()
        row.addWidget(self.prompt)
        row.addWidget(self.input, 1)
        row.addWidget(self.raw)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.output, 1)
        lay.addLayout(row)
        self._update_prompt()

    # ------------------------------------------------------------------ prompt, history
    def prompt_text(self) -> str:
        db = f"[{self.db}]" if self.db else ""
        return f"{self.host}:{self.port}{db}>"

    def _update_prompt(self):
        self.prompt.setText(self.prompt_text())

    def eventFilter(self, obj, event):
        if obj is self.input and event.type() == QEvent.KeyPress:
            if event.key() == Qt.Key_Up and self.history:
                self._hist_pos = max(0, self._hist_pos - 1)
                self.input.setText(self.history[self._hist_pos])
                return True
            if event.key() == Qt.Key_Down and self.history:
                self._hist_pos = min(len(self.history), self._hist_pos + 1)
                self.input.setText(self.history[self._hist_pos]
                                   if self._hist_pos < len(self.history) else "")
                return True
        return super().eventFilter(obj, event)

    def _append(self, text: str):
        self.output.appendPlainText(text.replace("\r\n", "\n").rstrip("\n"))
        self.output.moveCursor(QTextCursor.End)

    # ------------------------------------------------------------------ running
    def _submit(self):
        line = self.input.text()
        self.input.clear()
        self.run_line(line)

    def run_line(self, line: str):
        """Run one console line as redis-cli would: lines run one after another, each
        echoed with the prompt when it starts, then its reply."""
        if not line.strip():
            return
        if not self.history or self.history[-1] != line:
            self.history.append(line)
        self._hist_pos = len(self.history)
        self.busy += 1
        prev = self._last
        self._last = asyncio.ensure_future(self._run(line, prev))

    async def _run(self, line: str, prev):
        try:
            if prev is not None and not prev.done():
                await asyncio.wait([prev])
            self._append(f"{self.prompt_text()} {line}")
            args = split_args(line)
            if args is None:
                self._done("Invalid argument(s)\n")
                return
            if not args:
                return
            name = args[0].lower()
            if name == b"clear":
                self.output.clear()
                return
            if name in (b"quit", b"exit"):
                self.conn.close()
                self._done("(connection closed; the next command reconnects)\n")
                return
            await self._execute(args)
        finally:
            self.busy -= 1

    async def _execute(self, args: list[bytes]):
        try:
            if self.conn.closed and self.db:          # reconnect into the same db
                await self.conn.execute(b"SELECT", b"%d" % self.db)
            reply = await self.conn.execute(*args)
        except (OSError, ConnectionError, asyncio.TimeoutError) as e:
            text = getattr(e, "strerror", None) or str(e) or type(e).__name__
            self._done(f"Could not connect to Redis at {self.host}:{self.port}: {text}\n")
            return
        if args[0].lower() == b"select" and reply.kind == "status" and len(args) > 1:
            try:
                self.db = int(args[1])
            except ValueError:
                pass
            self._update_prompt()
        self._done(format_reply(reply, self.raw.isChecked(), args))

    def _on_push(self, reply: Reply):
        self._append(format_reply(reply, self.raw.isChecked()))

    def _done(self, text: str):
        self._append(text)
        self.replied.emit(text)

    def close_connection(self):
        self.conn.close()
