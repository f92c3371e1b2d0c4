"""Editing the shown key: point-and-click TTL (duration, absolute time, persist), string
value edit (SET ... KEEPTTL), rename, delete with a two-step confirmation; the elements of
collections are edited by gui/valueedit.py's CollectionEditor, embedded here.

Every action is one real command run on the inspector's private context (embedded) or its
own connection (remote): the server's own error text shows inline, never a traceback.
Confirmations are two-step buttons, not modal dialogs: no nested event loop while the
embedded server shares this thread.
"""
from __future__ import annotations

from PySide6.QtCore import QDateTime, Signal
from PySide6.QtWidgets import (QComboBox, QDateTimeEdit, QGridLayout, QGroupBox,
                               QHBoxLayout, QLabel, QLineEdit, QPlainTextEdit, QPushButton,
                               QVBoxLayout, QWidget)

from .panelkit import StatusLine, text
from .source import ActionError, InspectorSource, NotAvailable

UNITS = {"s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000}
EDIT_LIMIT = 1024 * 1024          # strings above this (or binary) are not offered for edit


def parse_duration_ms(amount: str, unit: str) -> int:
    """A TTL typed by the user as milliseconds; ValueError with the message to show."""
    s = amount.strip()
    if not s:
        raise ValueError("enter a duration")
    try:
        v = float(s)
    except ValueError:
        raise ValueError(f"'{s}' is not a number") from None
    if v != v or v in (float("inf"), float("-inf")):
        raise ValueError(f"'{s}' is not a number")
    if v <= 0:
        raise ValueError("the duration must be positive (use Delete to remove the key)")
    ms = round(v * UNITS[unit])
    if ms < 1:
        raise ValueError("the duration is below one millisecond")
    return ms


def run_key_command(source: InspectorSource, db: int, *argv) -> tuple[bool, object]:
    """Run one key command in database ``db``: (True, reply) or (False, error text)."""
    argv = [a if isinstance(a, (bytes, bytearray)) else str(a).encode() for a in argv]
    try:
        source.guard(argv)          # read-only mode (the embedded path skips source.call)
        engine = getattr(source, "engine", None)
        if engine is not None:
            return True, _run_embedded(source, engine, db, argv)
        return True, source.call(db, *argv)
    except (_Refused, NotAvailable, ActionError) as e:
        return False, str(e)
    except Exception as e:                  # a dropped connection, a bug of ours ...
        return False, f"{type(e).__name__}: {e}"


class _Refused(Exception):
    pass


def _run_embedded(source, engine, db: int, argv: list):
    """The command's function on a private context (no stats, slowlog or MONITOR, like the
    source's admin actions) with what a write must still do: propagate to AOF/replicas
    and serve clients blocked on the key."""
    from engine.commands import lookup
    from engine.errors import RedisError, WrongArity
    from .source import INSPECTOR_NAME, _InspectorEngineView
    spec = lookup(argv)
    if spec is None or spec.fn is None:
        raise NotAvailable(f"{argv[0].decode().upper()} is not implemented in keyscope yet")
    n, arity = len(argv), spec.arity
    if (n != arity) if arity > 0 else (n < -arity):
        raise _Refused(WrongArity(spec.name).text)
    c = getattr(source, "_keyedit_ctx", None)
    if c is None:
        from engine.client import Client
        c = Client(_InspectorEngineView(engine))
        c.engine = engine
        c.name = INSPECTOR_NAME.encode()
        source._keyedit_ctx = c
    c.db = engine.dbs[db]
    c.cmd, c.argv = spec, argv
    dirty = engine.dirty
    args = argv[2:] if spec.container is not None else argv[1:]
    try:
        reply = spec.fn(c, *args)
        if engine.dirty != dirty and engine.propagators:
            if c.propagate_also is None:
                engine.propagate(c.db.id, c.propagate_argv or argv)
            else:
                engine.propagate_all(c.db.id, c.propagate_also)
    except RedisError as e:
        raise _Refused(e.text) from None
    except Exception as e:
        engine.log_exception(f"inspector edit '{spec.name}' failed")
        raise _Refused(f"ERR internal error in '{spec.name}': {type(e).__name__}: {e}") \
            from None
    finally:
        c.cmd = c.argv = None
        c.propagate_argv = c.propagate_also = None
    if engine.ready_keys:
        engine.blocking.handle_ready_keys()
    return reply


class ConfirmButton(QPushButton):
    """Two clicks: the first arms it (the text asks to confirm), the second emits
    ``confirmed``; leaving it armed for another action disarms it."""
    confirmed = Signal()

    def __init__(self, label: str, parent=None):
        super().__init__(label, parent)
        self.label = label
        self.armed = False
        self.clicked.connect(self._click)

    def arm(self, question: str):
        self.armed = True
        self.setText(question)

    def disarm(self):
        self.armed = False
        self.setText(self.label)

    def _click(self):
        if self.armed:
            self.disarm()
            self.confirmed.emit()
        else:
            self.requested()

    def requested(self):                # replaced per button
        self.arm(f"Click again to confirm: {self.label}")


class KeyEditor(QGroupBox):
    """The edit controls under the key view; ``changed`` after a write (or a refusal:
    the key may have changed under us, the view resyncs), ``renamed(db, new_key)`` after
    RENAME."""
    changed = Signal()
    renamed = Signal(int, bytes)

    def __init__(self, source: InspectorSource, parent=None):
        super().__init__("Edit", parent)
        self.source = source
        self.db = 0
        self.key: bytes | None = None
        self.info = None
        self.value_edited = False

        # -- TTL
        self.ttl_amount = QLineEdit()
        self.ttl_amount.setPlaceholderText("duration")
        self.ttl_amount.setMaximumWidth(90)
        self.ttl_amount.returnPressed.connect(self.set_ttl_duration)
        self.ttl_unit = QComboBox()
        self.ttl_unit.addItems(list(UNITS))
        self.ttl_set = QPushButton("Set TTL")
        self.ttl_set.clicked.connect(self.set_ttl_duration)
        self.ttl_at = QDateTimeEdit()
        self.ttl_at.setCalendarPopup(True)
        self.ttl_at.setDisplayFormat("yyyy-MM-dd HH:mm:ss")
        self.ttl_at.setDateTime(QDateTime.currentDateTime().addSecs(3600))
        self.ttl_at_set = ConfirmButton("Expire at")
        self.ttl_at_set.requested = self.set_ttl_at
        self.ttl_at_set.confirmed.connect(lambda: self.set_ttl_at(confirmed=True))
        self.ttl_at.dateTimeChanged.connect(lambda _d: self.ttl_at_set.disarm())
        self.persist_button = QPushButton("Persist")
        self.persist_button.clicked.connect(self.persist)

        # -- rename / delete
        self.rename_edit = QLineEdit()
        self.rename_edit.setPlaceholderText("new name")
        self.rename_edit.returnPressed.connect(self.rename)
        self.rename_button = QPushButton("Rename")
        self.rename_button.clicked.connect(self.rename)
        self.delete_button = ConfirmButton("Delete key")
        self.delete_button.requested = self._ask_delete
        self.delete_button.confirmed.connect(self.delete)

        # -- string value
        self.value_edit = QPlainTextEdit()
        self.value_edit.setMaximumHeight(110)
        self.value_edit.textChanged.connect(self._value_typed)
        self.value_save = QPushButton("Save value")
        self.value_save.clicked.connect(self.save_value)
        self.value_note = QLabel()
        self.string_box = QWidget()
        sl = QVBoxLayout(self.string_box)
        sl.setContentsMargins(0, 0, 0, 0)
        sl.addWidget(self.value_edit)
        srow = QHBoxLayout()
        srow.addWidget(self.value_note, 1)
        srow.addWidget(self.value_save)
        sl.addLayout(srow)

        self.status = StatusLine()
        from .valueedit import CollectionEditor     # collection elements (gui/valueedit.py)
        self.values = CollectionEditor(source, self.status)
        self.values.changed.connect(self.changed)

        grid = QGridLayout()
        grid.addWidget(QLabel("TTL"), 0, 0)
        grid.addLayout(self._hbox(self.ttl_amount, self.ttl_unit, self.ttl_set,
                                  self.persist_button, stretch=True), 0, 1)
        grid.addWidget(QLabel("Expire at"), 1, 0)
        grid.addLayout(self._hbox(self.ttl_at, self.ttl_at_set, stretch=True), 1, 1)
        grid.addWidget(QLabel("Key"), 2, 0)
        grid.addLayout(self._hbox(self.rename_edit, self.rename_button,
                                  self.delete_button), 2, 1)
        lay = QVBoxLayout(self)
        lay.addLayout(grid)
        lay.addWidget(self.string_box)
        lay.addWidget(self.values)
        lay.addWidget(self.status)
        self.load(0, None, None)

    @staticmethod
    def _hbox(*widgets, stretch=False):
        row = QHBoxLayout()
        for w in widgets:
            row.addWidget(w)
        if stretch:
            row.addStretch(1)
        return row

    # ------------------------------------------------------------------ state
    def load(self, db: int, key: bytes | None, info):
        """The key view shows (db, key) with ``info`` (None: no such key)."""
        same = (db, key) == (self.db, self.key)
        if not same:
            self.status.clear_status()
            self.rename_edit.clear()
            self.ttl_at_set.disarm()
            self.delete_button.disarm()
        self.db, self.key, self.info = db, key, info
        exists = key is not None and info is not None
        for w in (self.ttl_amount, self.ttl_unit, self.ttl_set, self.ttl_at,
                  self.ttl_at_set, self.rename_edit, self.rename_button,
                  self.delete_button):
            w.setEnabled(exists)
        self.persist_button.setEnabled(exists and info.expire_at_ms is not None)
        t = info.type if exists else None
        self.string_box.setVisible(t == "string")
        self.values.load(db, key, t)
        if t == "string" and not (same and self.value_edited):
            self._load_value()

    def _load_value(self):
        editable, note, shown = False, "", ""
        try:
            data, total = self.source.string_value(self.db, self.key, EDIT_LIMIT)
            if total > len(data):
                note = f"{total:,} bytes: too large to edit here"
            else:
                try:
                    shown, editable = data.decode("utf-8"), True
                except UnicodeDecodeError:
                    note = "binary value: not editable as text"
        except Exception as e:
            note = f"cannot read the value: {e}"
        self.value_edit.blockSignals(True)
        self.value_edit.setPlainText(shown)
        self.value_edit.blockSignals(False)
        self.value_edit.setReadOnly(not editable)
        self.value_save.setEnabled(editable)
        self.value_note.setText(note)
        self.value_edited = False

    def _value_typed(self):
        self.value_edited = True

    # ------------------------------------------------------------------ actions
    def _run(self, what: str, *argv) -> tuple[bool, object]:
        if self.key is None:
            return False, "no key selected"
        ok, reply = run_key_command(self.source, self.db, *argv)
        if not ok:
            self.status.show_error(f"{what}: {reply}")
            self.changed.emit()             # the key may have changed under us: resync
        return ok, reply

    def _done(self, msg: str):
        self.status.show_ok(msg)
        self.changed.emit()

    def set_ttl_duration(self):
        try:
            ms = parse_duration_ms(self.ttl_amount.text(), self.ttl_unit.currentText())
        except ValueError as e:
            self.status.show_error(f"TTL: {e}")
            return
        ok, reply = self._run("TTL", b"PEXPIRE", self.key, b"%d" % ms)
        if ok:
            if reply == 1:
                self._done(f"TTL set to {self.ttl_amount.text().strip()}"
                           f"{self.ttl_unit.currentText()}")
            else:
                self.status.show_error("TTL: the key no longer exists")

    def set_ttl_at(self, confirmed: bool = False):
        at = self.ttl_at.dateTime().toMSecsSinceEpoch()
        now = QDateTime.currentMSecsSinceEpoch()
        if at <= now and not confirmed:
            self.ttl_at_set.arm("Time is past: click again to delete the key now")
            self.status.show_error("That time is in the past: Redis deletes the key "
                                   "at once. Click again to confirm.")
            return
        ok, reply = self._run("Expire at", b"PEXPIREAT", self.key, b"%d" % at)
        if ok:
            if reply != 1:
                self.status.show_error("Expire at: the key no longer exists")
            elif at <= now:
                self._done("the key was deleted (expire time in the past)")
            else:
                self._done(f"expires at {self.ttl_at.dateTime().toString('yyyy-MM-dd HH:mm:ss')}")

    def persist(self):
        ok, reply = self._run("Persist", b"PERSIST", self.key)
        if ok:
            self._done("TTL removed" if reply == 1 else "the key had no TTL")

    def save_value(self):
        data = self.value_edit.toPlainText().encode("utf-8")
        ok, _ = self._run("Save", b"SET", self.key, data, b"KEEPTTL")
        if ok:
            self.value_edited = False
            self._done(f"saved {len(data):,} bytes (TTL kept)")

    def rename(self):
        new = self.rename_edit.text()
        if not new:
            self.status.show_error("Rename: enter the new name")
            return
        new_b = new.encode("utf-8")
        ok, _ = self._run("Rename", b"RENAME", self.key, new_b)
        if ok:
            self.rename_edit.clear()
            self.status.show_ok(f"renamed to '{new}'")
            self.renamed.emit(self.db, new_b)

    def _ask_delete(self):
        name = text(self.key)
        self.delete_button.arm(f"Delete '{name[:40]}'? Click again")
        self.status.show_error(f"Delete '{name}'? Click the button again to confirm.")

    def delete(self):
        ok, reply = self._run("Delete", b"DEL", self.key)
        if ok:
            self._done("key deleted" if reply == 1 else "the key was already gone")
