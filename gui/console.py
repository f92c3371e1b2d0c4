"""The console: redis-cli in a panel.

Commands go over a real TCP connection to the server (the embedded port or the attached
remote), so they behave exactly as from redis-cli: counted in stats, visible in MONITOR and
CLIENT LIST.  Replies are rendered as redis-cli renders them (``--raw`` toggle).

Completion and the syntax hint come from the server's own COMMAND DOCS, fetched once on a
short-lived connection when the console is first used (redis-cli 7.2 does the same): the
popup offers command and subcommand names, Tab completes as far as the name is
unambiguous, and the line under the input shows the command's arguments and summary.
"""
from __future__ import annotations

import asyncio
import os

from PySide6.QtCore import QEvent, QStringListModel, Qt, Signal
from PySide6.QtGui import QFontDatabase, QTextCursor
from PySide6.QtWidgets import (QCheckBox, QCompleter, QHBoxLayout, QLabel, QLineEdit,
                               QPlainTextEdit, QVBoxLayout, QWidget)

from .respcli import (AsyncRedisConnection, Reply, complete, doc_for, format_reply,
                      parse_docs, split_args)

MAX_BLOCKS = 20000            # lines kept in the output
DOCS_TIMEOUT_S = 10


def _why(e: BaseException) -> str:
    """A connection error as redis-cli words it ("Connection refused")."""
    if isinstance(e, OSError) and e.errno:
        return os.strerror(e.errno)
    return str(e) or type(e).__name__


class ConsolePanel(QWidget):
    # the formatted text of each finished command (tests, scripting)
    replied = Signal(str)
    docsLoaded = Signal(bool)           # COMMAND DOCS fetched (True) or refused (False)

    def __init__(self, host: str, port: int, parent=None, *, username: str | None = None,
                 password: str | None = None, db: int = 0):
        super().__init__(parent)
        self.host, self.port = host, port
        self.db = db
        # an async callable(args) -> refusal text or None, run before each command
        # (gui/safety.py: read-only mode, confirmations of destructive commands)
        self.gate = None
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
        self.input.setPlaceholderText("type a command, e.g. SET greeting hello   "
                                      "(Up/Down: history, Tab: complete)")
        self.input.returnPressed.connect(self._submit)
        self.input.installEventFilter(self)
        self.raw = QCheckBox("--raw")
        self.raw.setToolTip("redis-cli --raw output")
        # completion: names from COMMAND DOCS, loaded on first use
        self.docs: dict = {}
        self.docs_state = "idle"            # idle, loading, ready, failed
        # the last AUTH that succeeded (for the docs and reconnects); first the URL's
        self._auth: tuple | None = None if not password else \
            (b"AUTH", *([username.encode()] if username else []), password.encode())
        self._docs_auth = None              # the AUTH the last docs attempt used
        self.names_model = QStringListModel(self)
        self.completer = QCompleter(self.names_model, self)
        self.completer.setCaseSensitivity(Qt.CaseInsensitive)
        self.completer.setModelSorting(QCompleter.CaseInsensitivelySortedModel)
        self.completer.setCompletionMode(QCompleter.PopupCompletion)
        self.completer.setMaxVisibleItems(12)
        self.input.setCompleter(self.completer)
        self.input.textChanged.connect(self._update_hint)
        self.input.textEdited.connect(lambda _t: self.load_docs())
        self.hint = QLabel()
        self.hint.setFont(mono)
        self.hint.setWordWrap(True)
        self.hint.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.hint.setStyleSheet("color: #808080;")
        row = QHBoxLayout()
        row.addWidget(self.prompt)
        row.addWidget(self.input, 1)
        row.addWidget(self.raw)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.output, 1)
        lay.addLayout(row)
        lay.addWidget(self.hint)
        self._update_prompt()

    # ------------------------------------------------------------------ prompt, history
    def prompt_text(self) -> str:
        db = f"[{self.db}]" if self.db else ""
        return f"{self.host}:{self.port}{db}>"

    def _update_prompt(self):
        self.prompt.setText(self.prompt_text())

    def eventFilter(self, obj, event):
        if obj is self.input and event.type() == QEvent.FocusIn:
            self.load_docs()
        if obj is self.input and event.type() == QEvent.KeyPress:
            if event.key() == Qt.Key_Tab:
                self.tab_complete()
                return True                 # Tab completes, it never leaves the input
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

    # ------------------------------------------------------------------ completion
    def load_docs(self):
        """Fetch COMMAND DOCS once (again after a failure only when a new AUTH
        succeeded since: a server that wants a password refuses it before)."""
        if self.docs_state in ("loading", "ready") or \
                (self.docs_state == "failed" and self._auth == self._docs_auth):
            return
        self.docs_state = "loading"
        self._docs_auth = self._auth
        self.hint.setText("loading COMMAND DOCS for completion…")
        asyncio.ensure_future(self._fetch_docs(self._auth))

    async def _fetch_docs(self, auth):
        conn = AsyncRedisConnection(self.host, self.port)
        try:
            if auth:
                r = await asyncio.wait_for(conn.execute(*auth), DOCS_TIMEOUT_S)
                if r.kind == "error":
                    return self._docs_failed(r.value.decode("utf-8", "replace"))
            reply = await asyncio.wait_for(conn.execute(b"COMMAND", b"DOCS"),
                                           DOCS_TIMEOUT_S)
        except (OSError, ConnectionError, asyncio.TimeoutError) as e:
            return self._docs_failed(_why(e))
        finally:
            conn.close()
        if reply.kind == "error":
            return self._docs_failed(reply.value.decode("utf-8", "replace"))
        try:
            docs = parse_docs(reply.to_python())
        except Exception as e:              # a server with a stranger reply shape
            return self._docs_failed(f"unreadable COMMAND DOCS reply ({e})")
        self.docs = docs
        self.docs_state = "ready"
        self.names_model.setStringList(sorted(docs))
        self._update_hint(self.input.text())
        self.docsLoaded.emit(True)

    def _docs_failed(self, why: str):
        self.docs_state = "failed"
        self.hint.setText(f"completion not available: COMMAND DOCS failed: {why}")
        self.docsLoaded.emit(False)

    def _update_hint(self, text: str):
        if self.docs_state != "ready":
            return
        d = doc_for(text, self.docs)
        self.hint.setText(d.hint() if d is not None else "")

    def tab_complete(self) -> list[str]:
        """Complete the command name under the cursor as far as it is unambiguous; with
        several candidates, show them.  Returns the candidates."""
        self.load_docs()
        if self.docs_state != "ready":
            return []
        text = self.input.text()
        done, cands = complete(text, self.docs)
        if done is None:
            return []
        if done != text:
            self.input.setText(done)
        if len(cands) > 1:
            self.completer.setCompletionPrefix(done.strip())
            self.completer.complete()
        return cands

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
            if self.gate is not None:
                refusal = await self.gate(args)
                if refusal:
                    self._done(refusal + "\n")
                    return
            await self._execute(args)
        finally:
            self.busy -= 1

    async def _execute(self, args: list[bytes]):
        try:
            if self.conn.closed:                      # (re)connect: credentials, db
                if self._auth:
                    r = await self.conn.execute(*self._auth)
                    if r.kind == "error":
                        self._append(f"AUTH failed: {r.value.decode('utf-8', 'replace')}")
                if self.db:
                    await self.conn.execute(b"SELECT", b"%d" % self.db)
            reply = await self.conn.execute(*args)
        except (OSError, ConnectionError, asyncio.TimeoutError) as e:
            text = _why(e)
            self._done(f"Could not connect to Redis at {self.host}:{self.port}: {text}\n")
            return
        name = args[0].lower()
        if reply.kind != "error" and (name == b"auth" or (
                name == b"hello" and any(a.lower() == b"auth" for a in args))):
            self._auth = tuple(args) if name == b"auth" else \
                (b"AUTH", *args[[a.lower() for a in args].index(b"auth") + 1:][:2])
            if self.docs_state == "failed":
                self.load_docs()
        if name == b"select" and reply.kind == "status" and len(args) > 1:
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
