"""Safety (INSPECTOR.md item 9): read-only mode, typed-name confirmation of destructive
commands on a remote server, and the environment strip that says where you are.

- Read-only mode is the inspector's own restraint: every command it would send passes
  ``InspectorSource.guard`` (gui/source.py), which asks ``refuse_if_write`` here; the
  console asks ``console_gate``.  Other clients of the server (redis-cli, apps on the
  embedded port) are never limited by it.  Whether a command writes comes from its flags:
  the engine's command table (embedded) or the server's COMMAND INFO (remote, cached).
- Destructive console commands (FLUSHDB, FLUSHALL, SHUTDOWN, CONFIG SET maxmemory below
  what the server uses) ask first: on a remote server the user types the server's name
  (its environment label, else host:port); on the embedded server a Yes/Cancel box.
- The environment strip: neutral for the embedded server, blue for a remote on this
  machine, orange for any other host; a label and colour chosen per server are kept in
  QSettings.

Dialogs are opened with ``open()``, never ``exec()``: no nested event loop while the
embedded server shares the GUI thread.
"""
from __future__ import annotations

import asyncio
from dataclasses import dataclass
from urllib.parse import quote

from PySide6.QtCore import QEvent, QObject, QSettings, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QAbstractItemView, QColorDialog, QDialog, QDialogButtonBox,
                               QHBoxLayout, QLabel, QLineEdit, QMessageBox, QPushButton,
                               QVBoxLayout, QWidget)

from .panelkit import ConfigField, human_bytes
from .source import ActionError, InspectorSource, keyspace_fields

READ_ONLY_TIP = ("Read-only mode: the inspector sends no writes "
                 "(File › Read-only mode turns it off)")

# commands that change the server without the "write" flag (admin actions, scripts);
# "name" or "container|sub", lower case
ADMIN_WRITES = frozenset({
    "config|set", "config|resetstat", "config|rewrite", "save", "bgsave", "bgrewriteaof",
    "shutdown", "slowlog|reset", "latency|reset", "client|kill", "client|pause",
    "client|unpause", "debug", "replicaof", "slaveof", "failover", "sync", "psync",
    "acl|setuser", "acl|deluser", "acl|load", "acl|save", "module|load", "module|loadex",
    "module|unload", "script|flush", "script|kill", "script|load", "function|kill",
    "cluster",
    # scripts may write (Redis 7.0's COMMAND INFO gives them no write flag); the *_RO
    # forms are readonly
    "eval", "evalsha", "fcall",
})
# may_replicate, yet no data changes: a read-only replica serves them too
NOT_WRITES = frozenset({"publish", "spublish"})


def _s(v) -> str:
    return v.decode("utf-8", "replace") if isinstance(v, (bytes, bytearray)) else str(v)


def command_name(argv) -> str:
    """'SET', or 'CONFIG SET' for a subcommand (as the user would say it)."""
    from engine.commands import TABLE
    spec = TABLE.get(_s(argv[0]).lower().encode())
    if len(argv) > 1 and spec is not None and spec.subcommands:
        return f"{_s(argv[0]).upper()} {_s(argv[1]).upper()}"
    return _s(argv[0]).upper()


def writes(source: InspectorSource, argv) -> bool | None:
    """Whether the command changes the server (data, config, files, clients); None when
    neither the server nor the engine's table knows the command."""
    name = _s(argv[0]).lower()
    sub = f"{name}|{_s(argv[1]).lower()}" if len(argv) > 1 else name
    if name in NOT_WRITES:
        return False
    if sub == "config|set" and len(argv) > 2 and all(
            _s(argv[i]).lower().startswith("keyscope-") for i in range(2, len(argv), 2)):
        return False                    # the inspector's own instrumentation (hot keys)
    if name in ADMIN_WRITES or sub in ADMIN_WRITES:
        return True
    flags = source.command_flags(argv)
    if flags is None:
        return None
    if "write" in flags:
        return True
    # EVAL, FCALL ...: may write (their _RO forms are flagged readonly)
    return "may_replicate" in flags and "readonly" not in flags


def write_refusal(source: InspectorSource, argv) -> str | None:
    """What read-only mode says about this command, or None when it may be sent."""
    if not source.read_only or not argv:
        return None
    w = writes(source, argv)
    if w is False:
        return None
    name = command_name(argv)
    if w is None:
        return f"read-only mode: cannot tell whether {name} writes; not sent"
    return f"read-only mode: {name} writes; not sent"


def refuse_if_write(source: InspectorSource, argv):
    """The gate behind ``InspectorSource.guard``: raise ActionError for a write."""
    why = write_refusal(source, argv)
    if why:
        raise ActionError(why)


# ---------------------------------------------------------------------- environment
NEUTRAL = "#5f6b7a"
LOCAL_BLUE = "#1f6feb"
REMOTE_ORANGE = "#d9640b"
SWATCHES = (("neutral", NEUTRAL), ("blue", LOCAL_BLUE), ("orange", REMOTE_ORANGE),
            ("red", "#c62828"), ("green", "#2e7d32"), ("purple", "#6a1b9a"))
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "0:0:0:0:0:0:0:1"}


def settings() -> QSettings:
    """Where labels and colours are kept (tests replace this with a scratch file)."""
    return QSettings()


@dataclass
class Environment:
    key: str                # what the label and colour are remembered under
    name: str               # host:port (what a typed confirmation asks for by default)
    label: str
    colour: str
    kind: str               # embedded, local, remote
    custom: bool = False


def server_key(source: InspectorSource) -> tuple[str, str, str]:
    """(settings key, host:port, kind) of the source's server; credentials left out."""
    host, port = source.address()
    if source.kind == "embedded":
        return "embedded", f"{host}:{port}", "embedded"
    kw = getattr(getattr(source, "pool", None), "connection_kwargs", {}) or {}
    if kw.get("path"):                              # a unix socket: this machine
        return f"unix:{kw['path']}/{kw.get('db', 0)}", kw["path"], "local"
    kind = "local" if str(host).lower() in LOCAL_HOSTS else "remote"
    return f"redis://{host}:{port}/{kw.get('db', 0) or 0}", f"{host}:{port}", kind


def environment(source: InspectorSource, store: QSettings | None = None) -> Environment:
    key, name, kind = server_key(source)
    label, colour = {"embedded": (f"embedded (local) · {name}", NEUTRAL),
                     "local": (f"remote localhost · {name}", LOCAL_BLUE),
                     "remote": (f"remote {name}", REMOTE_ORANGE)}[kind]
    store = store if store is not None else settings()
    base = "environments/" + quote(key, safe="")
    mine_label, mine_colour = store.value(base + "/label", ""), store.value(base + "/colour", "")
    custom = bool(mine_label or mine_colour)
    if mine_colour and QColor(str(mine_colour)).isValid():
        colour = str(mine_colour)
    if mine_label:
        label = str(mine_label)
    return Environment(key, name, label, colour, kind, custom)


def remember(key: str, label: str, colour: str, store: QSettings | None = None):
    """Keep a label and colour for a server (empty both: back to the defaults)."""
    store = store if store is not None else settings()
    base = "environments/" + quote(key, safe="")
    if not label and not colour:
        store.remove(base)
    else:
        store.setValue(base + "/label", label)
        store.setValue(base + "/colour", colour)
    store.sync()


def _text_colour(colour: str) -> str:
    c = QColor(colour)
    lum = 0.299 * c.red() + 0.587 * c.green() + 0.114 * c.blue()
    return "#1b1b1b" if lum > 160 else "white"


class EnvironmentStrip(QLabel):
    """A thin coloured line above the window's panels: which server, read-only or not."""

    def __init__(self, source: InspectorSource, parent=None):
        super().__init__(parent)
        self.source = source
        self.setObjectName("environmentStrip")
        self.setToolTip("Where this window is. View › Environment label and colour… "
                        "changes the label and colour for this server.")
        source.readOnlyChanged.connect(lambda _on: self.update_from())
        self.env: Environment | None = None
        self.update_from()

    def update_from(self):
        self.env = env = environment(self.source)
        text = env.label + ("  ·  READ-ONLY" if self.source.read_only else "")
        self.setText(text)
        self.setStyleSheet(f"background: {env.colour}; color: {_text_colour(env.colour)};"
                           f" padding: 2px 8px; font-weight: bold;")

    def colour(self) -> str:
        return self.env.colour


class EnvironmentDialog(QDialog):
    """Label and colour for this server (kept per server in the settings)."""
    saved = Signal()

    def __init__(self, source: InspectorSource, parent=None):
        super().__init__(parent)
        self.source = source
        self.setWindowTitle("Environment label and colour")
        env = environment(source)
        self.key = env.key
        self.colour = env.colour
        self.label_edit = QLineEdit(env.label if env.custom else "")
        self.label_edit.setPlaceholderText(env.label)
        self.preview = QLabel()
        swatches = QHBoxLayout()
        self.swatch_buttons = {}
        for name, colour in SWATCHES:
            b = QPushButton(name)
            b.setStyleSheet(f"background: {colour}; color: {_text_colour(colour)};")
            b.clicked.connect(lambda _=False, c=colour: self.pick(c))
            swatches.addWidget(b)
            self.swatch_buttons[name] = b
        other = QPushButton("Other…")
        other.clicked.connect(self._other)
        swatches.addWidget(other)
        self.color_dialog = None
        buttons = QDialogButtonBox(QDialogButtonBox.Save | QDialogButtonBox.Cancel |
                                   QDialogButtonBox.RestoreDefaults)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        buttons.button(QDialogButtonBox.RestoreDefaults).clicked.connect(self.reset)
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel(f"For {env.name} (remembered for this server):"))
        lay.addWidget(self.label_edit)
        lay.addLayout(swatches)
        lay.addWidget(self.preview)
        lay.addWidget(buttons)
        self.label_edit.textChanged.connect(lambda _t: self._show())
        self._show()

    def pick(self, colour: str):
        self.colour = colour
        self._show()

    def _other(self):
        if self.color_dialog is None:
            self.color_dialog = QColorDialog(QColor(self.colour), self)
            self.color_dialog.colorSelected.connect(lambda c: self.pick(c.name()))
        self.color_dialog.open()

    def _show(self):
        text = self.label_edit.text() or self.label_edit.placeholderText()
        self.preview.setText(text)
        self.preview.setStyleSheet(f"background: {self.colour}; color: "
                                   f"{_text_colour(self.colour)}; padding: 2px 8px;")

    def save(self):
        remember(self.key, self.label_edit.text().strip(), self.colour)
        self.saved.emit()
        self.accept()

    def reset(self):
        remember(self.key, "", "")
        self.saved.emit()
        self.accept()


# ---------------------------------------------------------------------- read-only lock
class ReadOnlyLock(QObject):
    """Holds editing controls disabled (tooltip says why) while the source is read-only;
    a panel that enables one of them meanwhile is overruled, and what it asked for is
    restored when read-only mode ends.  Item views lose their edit triggers."""

    def __init__(self, source: InspectorSource, parent=None):
        super().__init__(parent)
        self.source = source
        self.widgets: list = []
        self.views: list = []
        self.after_release: list = []       # refresh callbacks once read-only ends
        self._natural: dict = {}             # widget -> enabled as its panel wants it
        self._tips: dict = {}
        self._triggers: dict = {}
        self._busy = False
        self.active = False
        source.readOnlyChanged.connect(self._apply)

    def hold(self, *widgets, after_release=None):
        for w in widgets:
            if w is None:
                continue
            if isinstance(w, ConfigField):
                self.hold(w.edit, w.button)           # not its error line
                continue
            self.widgets.append(w)
            w.installEventFilter(self)
            if self.active:
                self._lock(w)
        if after_release is not None:
            self.after_release.append(after_release)

    def hold_view(self, view: QAbstractItemView | None):
        if view is None:
            return
        self.views.append(view)
        if self.active:
            self._lock_view(view)

    def _lock(self, w):
        self._natural[w] = not w.testAttribute(Qt.WA_ForceDisabled)
        self._tips[w] = w.toolTip()
        w.setToolTip(READ_ONLY_TIP)
        self._busy = True
        try:
            w.setEnabled(False)
        finally:
            self._busy = False

    def _lock_view(self, v):
        self._triggers[v] = v.editTriggers()
        v.setEditTriggers(QAbstractItemView.NoEditTriggers)
        v.setToolTip(READ_ONLY_TIP)

    def _apply(self, on: bool):
        import shiboken6
        if on == self.active:
            return
        self.active = on
        if on:
            for w in self.widgets:
                if shiboken6.isValid(w):
                    self._lock(w)
            for v in self.views:
                if shiboken6.isValid(v):
                    self._lock_view(v)
            return
        for w in self.widgets:
            if shiboken6.isValid(w):
                w.setToolTip(self._tips.pop(w, ""))
                w.setEnabled(self._natural.pop(w, True))
        for v in self.views:
            if shiboken6.isValid(v):
                v.setEditTriggers(self._triggers.pop(v, v.editTriggers()))
                v.setToolTip("")
        for fn in self.after_release:
            try:
                fn()
            except Exception:               # a panel that cannot refresh now will later
                pass

    def eventFilter(self, obj, event):
        if self.active and not self._busy and event.type() == QEvent.EnabledChange \
                and obj.isEnabled():
            # a panel enabled it (its refresh): remember that, keep it off
            self._natural[obj] = True
            self._busy = True
            try:
                obj.setEnabled(False)
            finally:
                self._busy = False
        return False


# ---------------------------------------------------------------------- confirmations
class _Answer(QObject):
    """A once-only ``answered(bool)`` for a confirmation (the first answer wins: a close
    after Proceed / Yes says nothing more)."""
    sig = Signal(bool)

    def __init__(self, parent):
        super().__init__(parent)
        self._said = False

    def emit(self, yes: bool):
        if not self._said:
            self._said = True
            self.sig.emit(yes)

    def connect(self, fn):
        self.sig.connect(fn)


class TypedConfirm(QDialog):
    """'Type the name to proceed': Proceed stays disabled until the text matches."""

    def __init__(self, title: str, text: str, name: str, parent=None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setWindowModality(Qt.WindowModal)
        self.name = name
        self.text = QLabel(text)
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.ask = QLabel(f"Type <b>{_html(name)}</b> to proceed:")
        self.edit = QLineEdit()
        self.edit.setPlaceholderText(name)
        self.proceed = QPushButton("Proceed")
        self.proceed.setEnabled(False)
        self.cancel = QPushButton("Cancel")
        self.cancel.setDefault(True)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.cancel)
        row.addWidget(self.proceed)
        lay = QVBoxLayout(self)
        lay.addWidget(self.text)
        lay.addWidget(self.ask)
        lay.addWidget(self.edit)
        lay.addLayout(row)
        self.edit.textChanged.connect(lambda t: self.proceed.setEnabled(t == self.name))
        self.edit.returnPressed.connect(self._enter)
        self.proceed.clicked.connect(self._go)
        self.cancel.clicked.connect(self.reject)
        self.answered = _Answer(self)
        self.finished.connect(lambda _r: self.answered.emit(False))

    def _enter(self):
        if self.edit.text() == self.name:
            self._go()

    def _go(self):
        if self.edit.text() != self.name:       # (a click can race the typing)
            return
        self.answered.emit(True)
        self.accept()


def _html(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def ask(parent: QWidget, source: InspectorSource, title: str, text: str) -> QDialog:
    """Ask before a destructive action: the typed name on a remote server, Yes/Cancel on
    the embedded one.  The returned dialog emits ``answered(bool)`` once; it is open
    (window-modal, no nested loop) and kept on the parent as ``safety_dialog``."""
    if source.kind == "embedded":
        box = QMessageBox(QMessageBox.Warning, title, text,
                          QMessageBox.Yes | QMessageBox.Cancel, parent)
        box.setDefaultButton(QMessageBox.Cancel)
        box.setEscapeButton(QMessageBox.Cancel)
        box.setWindowModality(Qt.WindowModal)
        box.answered = _Answer(box)
        box.buttonClicked.connect(
            lambda b: box.answered.emit(box.standardButton(b) == QMessageBox.Yes))
        box.finished.connect(lambda _r: box.answered.emit(False))
        dlg = box
    else:
        dlg = TypedConfirm(title, text, confirm_name(source), parent)
    # the previous one (answered, closed) goes now: never a box deleted as it closes
    old = getattr(parent, "safety_dialog", None)
    import shiboken6
    if old is not None and shiboken6.isValid(old) and not old.isVisible():
        old.deleteLater()
    parent.safety_dialog = dlg
    dlg.open()
    return dlg


def confirm_name(source: InspectorSource) -> str:
    """What a typed confirmation asks for: the label the user gave this server, else
    host:port."""
    env = environment(source)
    return env.label if env.custom else env.name


# ---------------------------------------------------------------------- destructive
DANGEROUS = frozenset({"flushdb", "flushall", "shutdown", "config"})


def danger(source: InspectorSource, args: list, db: int) -> tuple[str, str] | None:
    """(title, what it will do) for a console command that needs asking first."""
    name = _s(args[0]).lower()
    if name not in DANGEROUS:
        return None                     # (every console command passes here)
    where = environment(source).label
    if name == "flushdb":
        try:
            n = f"all {source.dbsize(db):,} keys"
        except Exception:
            n = "every key"
        return "FLUSHDB", f"FLUSHDB deletes {n} of db{db} on {where}."
    if name == "flushall":
        total = None
        try:
            total = 0
            for k, v in source.info_section("keyspace").items():
                if k.startswith("db"):
                    total += int(keyspace_fields(v)["keys"])
        except Exception:
            total = None
        n = f"all {total:,} keys" if total is not None else "every key"
        return "FLUSHALL", f"FLUSHALL deletes {n} in every database of {where}."
    if name == "shutdown":
        return "SHUTDOWN", (f"SHUTDOWN stops the server at {where}: every client is "
                            f"disconnected" + (" and this window closes." if
                                              source.kind == "embedded" else "."))
    if name == "config" and len(args) > 3 and _s(args[1]).lower() == "set":
        pairs = {_s(args[i]).lower(): _s(args[i + 1]) for i in range(2, len(args) - 1, 2)}
        if "maxmemory" not in pairs:
            return None
        from engine.config import ConfigError, parse_memory
        try:
            limit = parse_memory(pairs["maxmemory"])
        except ConfigError:
            return None                     # the server words the error
        try:
            used = int(source.info_section("memory").get("used_memory", ""))
            policy = pairs.get("maxmemory-policy") or \
                source.config_get("maxmemory-policy").get("maxmemory-policy", "")
        except Exception:
            return None
        if not limit or limit >= used:
            return None
        over = used - limit
        if policy == "noeviction":
            effect = (f"with noeviction nothing is evicted, but writes fail with OOM "
                      f"until ~{human_bytes(over)} is freed")
        elif policy.startswith("volatile-"):
            effect = (f"with {policy} this will evict ~{human_bytes(over)} of keys that "
                      f"have a TTL (writes fail with OOM if those are not enough)")
        else:
            effect = f"with {policy} this will evict ~{human_bytes(over)} of keys"
        return ("CONFIG SET maxmemory", f"The server at {where} uses {human_bytes(used)}; "
                f"a limit of {human_bytes(limit)}: {effect}.")
    return None


def console_gate(console, source: InspectorSource):
    """The console's check before each command: read-only refusals, then a confirmation
    of destructive commands.  Returns text to print instead of running, or None."""
    async def gate(args: list) -> str | None:
        why = None
        try:
            why = write_refusal(source, args)
            d = None if why else danger(source, args, console.db)
        except Exception as e:              # a server that cannot say (connection lost)
            return f"(not sent) cannot check the command: {e}"
        if why:
            return f"(not sent) {why}"
        if d is None:
            return None
        title, text = d
        loop = asyncio.get_running_loop()
        fut = loop.create_future()
        dlg = ask(console, source, title, text)
        dlg.answered.connect(lambda yes: fut.done() or fut.set_result(yes))
        if not await fut:
            return f"(not sent) {title} cancelled"
        return None
    return gate


def console_login(source: InspectorSource) -> dict:
    """The console's credentials and db from a remote URL (embedded: none)."""
    kw = getattr(getattr(source, "pool", None), "connection_kwargs", None)
    if not kw:
        return {}
    out = {}
    if kw.get("password"):
        out["password"] = kw["password"]
        if kw.get("username"):
            out["username"] = kw["username"]
    if kw.get("db"):
        out["db"] = int(kw["db"])
    return out


# ---------------------------------------------------------------------- a window
def install(window) -> ReadOnlyLock:
    """Wire a main window: the environment strip on top, its editing controls held while
    read-only, the console's gate."""
    source = window.source
    window.env_strip = EnvironmentStrip(source)
    lay = window.centralWidget().layout()
    lay.insertWidget(0, window.env_strip)
    lock = ReadOnlyLock(source, window)
    kv = window.keyview
    # the whole edit group: its children stay off whatever the editor sets on them
    lock.hold(getattr(kv, "editor", None), after_release=kv.refresh)
    lock.hold_view(getattr(kv, "table", None))
    bulk = getattr(window.tree, "bulk", None)
    if bulk is not None:
        lock.hold(bulk.go, after_release=bulk.refresh)
    panels = getattr(window, "placeholders", {})
    for name, attrs in (("Persistence", ("save_button", "bgsave_button", "save_field",
                                         "appendonly", "fsync", "rewrite_button")),
                        ("Config", ("maxmemory", "unit", "maxmemory_button", "policy",
                                    "rewrite_button")),
                        ("Slowlog", ("reset_button", "latency_reset")),
                        ("Clients", ("kill_button",))):
        p = panels.get(name)
        if p is None:
            continue
        lock.hold(*(getattr(p, a, None) for a in attrs),
                  after_release=getattr(p, "refresh", None))
        if name == "Config":
            lock.hold_view(getattr(p, "view", None))
    window.console.gate = console_gate(window.console, source)
    if source.read_only:
        lock._apply(True)
    return lock


def confirm_destructive(parent: QWidget, source: InspectorSource, title: str, text: str,
                        on_yes, on_no=None):
    """A panel's confirmation: panelkit.confirm's Yes/Cancel on the embedded server, the
    typed server name on a remote one (``parent.safety_dialog``)."""
    if source.kind == "embedded":
        from .panelkit import confirm
        return confirm(parent, title, text, on_yes, on_no)
    dlg = ask(parent, source, title, text)
    dlg.answered.connect(lambda yes: on_yes() if yes else (on_no() if on_no else None))
    return dlg
