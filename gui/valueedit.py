"""Editing a collection's elements: hash fields (HSET/HDEL), list elements (LSET, push
head/tail, delete one element at an index), set members (SADD/SREM), zset members and
scores (ZADD/ZREM), stream entries (XADD/XDEL).  Selecting a row in the value table
prefills the fields; the value table's editable cells commit through ``commit_cell``.

Deletes are two-step ConfirmButtons.  A list has no "delete at index" command: the
element is swapped for a unique tombstone and that one tombstone removed (LSET + LREM 1),
atomically, and only if the element there is still the one the user saw (the list may
have shifted since it was shown).
"""
from __future__ import annotations

import os

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (QGridLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton,
                               QVBoxLayout, QWidget)

from .keyedit import ConfirmButton, run_key_command
from .keyview import cell_text
from .panelkit import text
from .respcli import split_args
from .source import NotAvailable

LIST_CHANGED = "ERR the element at index {} changed since it was shown: refresh and retry"

# the remote path of list_cas: one script, so no other client's command interleaves
LIST_CAS_LUA = b"""
if redis.call('EXISTS', KEYS[1]) == 0 then return redis.error_reply('ERR no such key') end
local cur = redis.call('LINDEX', KEYS[1], ARGV[1])
if not cur then return redis.error_reply('ERR index out of range') end
if ARGV[3] == '1' and cur ~= ARGV[4] then return redis.error_reply(ARGV[6]) end
redis.call('LSET', KEYS[1], ARGV[1], ARGV[2])
if ARGV[5] == '1' then return redis.call('LREM', KEYS[1], 1, ARGV[2]) end
return redis.status_reply('OK')
"""


def list_cas(source, db: int, key: bytes, index: int, new: bytes,
             expected: bytes | None = None, remove: bool = False) -> tuple[bool, object]:
    """LSET key index new, only if the element there equals ``expected`` (None: any);
    with ``remove`` then LREM 1 new (``new`` is a tombstone).  (ok, reply or error)."""
    idx = b"%d" % index
    changed = LIST_CHANGED.format(index)
    engine = getattr(source, "engine", None)
    if engine is None:
        return run_key_command(source, db, b"EVAL", LIST_CAS_LUA, b"1", key, idx, new,
                               b"0" if expected is None else b"1", expected or b"",
                               b"1" if remove else b"0", changed.encode())
    # embedded: the server runs in this thread, nothing interleaves between these calls;
    # the writes propagate as one MULTI/EXEC, as an EXEC would
    try:
        if not source.exists(db, key):
            return False, "ERR no such key"
        cur = source.call(db, b"LINDEX", key, idx)
    except NotAvailable as e:
        return False, str(e)
    if cur is None:
        return False, "ERR index out of range"
    if expected is not None and bytes(cur) != expected:
        return False, changed
    outer = engine.exec_buffer
    engine.exec_buffer = []
    try:
        ok, reply = run_key_command(source, db, b"LSET", key, idx, new)
        if ok and remove:
            ok, reply = run_key_command(source, db, b"LREM", key, b"1", new)
    finally:
        buffered, engine.exec_buffer = engine.exec_buffer, outer
    if outer is None:
        engine.propagate_transaction(buffered)
    if engine.ready_keys:
        engine.blocking.handle_ready_keys()
    return ok, reply


def delete_list_element(source, db: int, key: bytes, index: int,
                        expected: bytes | None) -> tuple[bool, object]:
    tombstone = b"keyscope:tombstone:" + os.urandom(12).hex().encode()
    return list_cas(source, db, key, index, tombstone, expected, remove=True)


def parse_index(s: str) -> int:
    s = s.strip()
    if not s:
        raise ValueError("enter an index")
    try:
        return int(s)
    except ValueError:
        raise ValueError(f"'{s}' is not an integer index") from None


def parse_pairs(line: str) -> list[bytes]:
    """Stream fields typed as redis-cli arguments: field value [field value ...]."""
    args = split_args(line)
    if args is None:
        raise ValueError("unbalanced quotes")
    if not args:
        raise ValueError("enter at least one field and value")
    if len(args) % 2:
        raise ValueError("fields and values come in pairs (field value field value ...)")
    return args


def _short(b, n: int = 40) -> str:
    s = text(b)
    return s if len(s) <= n else s[:n - 1] + "…"


class CollectionEditor(QWidget):
    """The element editors of the shown collection; results go to the key editor's
    status line. ``changed`` after a write (and after a refusal: the view resyncs)."""
    changed = Signal()

    def __init__(self, source, status, parent=None):
        super().__init__(parent)
        self.source, self.status = source, status
        self.db, self.key, self.type = 0, None, None
        self.row: tuple | None = None           # raw cells of the selected table row
        self._in_cell = False                   # inside the table's setData
        self._list_expected = None              # (index, element) the armed delete saw

        def line(placeholder="", width=None):
            e = QLineEdit()
            e.setPlaceholderText(placeholder)
            if width:
                e.setMaximumWidth(width)
            return e

        # hash
        self.field_name, self.field_value = line("field"), line("value")
        self.field_set = QPushButton("Set field")
        self.field_set.clicked.connect(self.set_field)
        self.field_value.returnPressed.connect(self.set_field)
        self.field_del = self._confirm("Delete field", self._ask_hdel, self.del_field,
                                       self.field_name)
        self.hash_box = self._box(QLabel("Field"), self.field_name, QLabel("Value"),
                                  self.field_value, self.field_set, self.field_del)
        # list
        self.list_index, self.list_value = line("index", 80), line("element")
        self.list_set = QPushButton("Set at index")
        self.list_set.clicked.connect(self.set_element)
        self.list_lpush = QPushButton("Push head")
        self.list_lpush.clicked.connect(lambda: self.push(b"LPUSH"))
        self.list_rpush = QPushButton("Push tail")
        self.list_rpush.clicked.connect(lambda: self.push(b"RPUSH"))
        self.list_del = self._confirm("Delete at index", self._ask_ldel, self.del_element,
                                      self.list_index)
        self.list_box = self._box(QLabel("Index"), self.list_index, QLabel("Element"),
                                  self.list_value, self.list_set, self.list_lpush,
                                  self.list_rpush, self.list_del)
        # set
        self.set_member = line("member")
        self.set_add = QPushButton("Add member")
        self.set_add.clicked.connect(self.sadd)
        self.set_member.returnPressed.connect(self.sadd)
        self.set_del = self._confirm("Remove member", self._ask_srem, self.srem,
                                     self.set_member)
        self.set_box = self._box(QLabel("Member"), self.set_member, self.set_add,
                                 self.set_del)
        # zset (ZADD adds a member or changes its score)
        self.member_name, self.member_score = line("member"), line("score", 110)
        self.member_add = QPushButton("Add / set score")
        self.member_add.clicked.connect(self.add_member)
        self.member_score.returnPressed.connect(self.add_member)
        self.member_del = self._confirm("Remove member", self._ask_zrem, self.zrem,
                                        self.member_name)
        self.zset_box = self._box(QLabel("Member"), self.member_name, QLabel("Score"),
                                  self.member_score, self.member_add, self.member_del)
        # stream
        self.entry_id = line("ID", 170)
        self.entry_id.setText("*")
        self.entry_fields = line('field value [field value ...]  (quote like redis-cli)')
        self.entry_fields.returnPressed.connect(self.xadd)
        self.entry_add = QPushButton("Add entry")
        self.entry_add.clicked.connect(self.xadd)
        self.entry_sel = line("entry ID", 170)
        self.entry_del = self._confirm("Delete entry", self._ask_xdel, self.xdel,
                                       self.entry_sel)
        self.stream_box = QWidget()
        g = QGridLayout(self.stream_box)
        g.setContentsMargins(0, 0, 0, 0)
        g.addWidget(QLabel("New entry ID"), 0, 0)
        g.addWidget(self.entry_id, 0, 1)
        g.addWidget(self.entry_fields, 0, 2)
        g.addWidget(self.entry_add, 0, 3)
        g.addWidget(QLabel("Entry"), 1, 0)
        g.addWidget(self.entry_sel, 1, 1)
        g.addWidget(self.entry_del, 1, 3)

        self.boxes = {"hash": self.hash_box, "list": self.list_box, "set": self.set_box,
                      "zset": self.zset_box, "stream": self.stream_box}
        self.confirms = (self.field_del, self.list_del, self.set_del, self.member_del,
                         self.entry_del)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        for b in self.boxes.values():
            lay.addWidget(b)
        self.load(0, None, None)

    def _confirm(self, label, ask, act, *edits) -> ConfirmButton:
        b = ConfirmButton(label)
        b.requested = ask
        b.confirmed.connect(act)
        for e in edits:                 # a confirmation is for what was shown when asked
            e.textEdited.connect(lambda _t, b=b: b.disarm())
        return b

    @staticmethod
    def _box(*widgets) -> QWidget:
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        for w in widgets:
            row.addWidget(w)
        return box

    # ------------------------------------------------------------------ state
    def load(self, db: int, key: bytes | None, type_: str | None):
        if (db, key) != (self.db, self.key):
            for e in (self.field_name, self.field_value, self.list_index, self.list_value,
                      self.set_member, self.member_name, self.member_score,
                      self.entry_fields, self.entry_sel):
                e.clear()
            self.entry_id.setText("*")
            self.row = None
            self.disarm()
        self.db, self.key, self.type = db, key, type_
        for t, box in self.boxes.items():
            box.setVisible(t == type_)

    def disarm(self):
        for b in self.confirms:
            b.disarm()

    def prefill(self, row: tuple | None):
        """A value-table row was selected: its cells go into the type's fields."""
        self.row = row
        self.disarm()
        if not row:
            return
        t = self.type
        cells = [cell_text(v) for v in row]
        if t == "hash":
            self.field_name.setText(cells[0])
            self.field_value.setText(cells[1])
        elif t == "list":
            self.list_index.setText(cells[0])
            self.list_value.setText(cells[1])
        elif t == "set":
            self.set_member.setText(cells[0])
        elif t == "zset":
            self.member_name.setText(cells[1])
            self.member_score.setText(cells[2])
        elif t == "stream":
            self.entry_sel.setText(cells[0])

    def _arg(self, edit: QLineEdit, col: int) -> bytes:
        """The field's bytes: the selected row's raw cell while the field still shows
        it (a binary member survives the round trip), else the text as UTF-8."""
        t = edit.text()
        row = self.row
        if row is not None and col < len(row):
            raw = row[col]
            if isinstance(raw, (bytes, bytearray)) and cell_text(raw) == t:
                return bytes(raw)
        return t.encode()

    # ------------------------------------------------------------------ running
    def _run(self, what: str, *argv) -> tuple[bool, object]:
        if self.key is None:
            return False, "no key selected"
        ok, reply = run_key_command(self.source, self.db, *argv)
        return self._after(what, ok, reply)

    def _after(self, what: str, ok: bool, reply) -> tuple[bool, object]:
        if not ok:
            self.status.show_error(f"{what}: {reply}")
            self._changed()                 # the key may have changed under us: resync
        return ok, reply

    def _done(self, msg: str):
        self.status.show_ok(msg)
        self._changed()

    def _changed(self):
        if self._in_cell:       # the refresh resets the model: not under the delegate
            QTimer.singleShot(0, self.changed.emit)
        else:
            self.changed.emit()

    def _remove(self, what: str, cmd: bytes, edit: QLineEdit, col: int, noun: str,
                done: str):
        """HDEL / SREM / ZREM of the one element the field names."""
        x = self._arg(edit, col)
        ok, reply = self._run(what, cmd, self.key, x)
        if ok:
            self._done(f"{noun} '{_short(x)}' " + (done if reply else "was already gone"))

    def _need(self, edit: QLineEdit, what: str, name: str) -> bool:
        if edit.text():
            return True
        self.status.show_error(f"{what}: enter a {name}")
        return False

    # -- hash
    def set_field(self):
        if not self._need(self.field_name, "Set field", "field name"):
            return
        f = self._arg(self.field_name, 0)
        ok, reply = self._run("Set field", b"HSET", self.key, f,
                              self._arg(self.field_value, 1))
        if ok:
            self._done(f"field '{_short(f)}' {'added' if reply == 1 else 'updated'}")

    def _ask_hdel(self):
        if self._need(self.field_name, "Delete field", "field name"):
            self._arm(self.field_del, f"Delete field '{_short(self.field_name.text())}'?")

    def del_field(self):
        self._remove("Delete field", b"HDEL", self.field_name, 0, "field", "deleted")

    # -- list
    def _index(self, what: str) -> int | None:
        try:
            return parse_index(self.list_index.text())
        except ValueError as e:
            self.status.show_error(f"{what}: {e}")
            return None

    def _seen_at(self, index: int) -> bytes | None:
        """The element the selected row showed at ``index`` (None: not that row)."""
        row = self.row
        if self.type == "list" and row and row[0] == index:
            return bytes(row[1])
        return None

    def set_element(self):
        i = self._index("Set at index")
        if i is None:
            return
        ok, reply = self._after("Set at index", *list_cas(
            self.source, self.db, self.key, i, self._arg(self.list_value, 1),
            self._seen_at(i)))
        if ok:
            self._done(f"element {i} set")

    def push(self, cmd: bytes):
        what = "Push head" if cmd == b"LPUSH" else "Push tail"
        ok, reply = self._run(what, cmd, self.key, self._arg(self.list_value, 1))
        if ok:
            self._done(f"pushed: the list has {reply:,} elements")

    def _ask_ldel(self):
        i = self._index("Delete at index")
        if i is None:
            return
        try:                               # what is there now is what gets deleted
            cur = self.source.call(self.db, b"LINDEX", self.key, b"%d" % i)
        except Exception as e:
            self.status.show_error(f"Delete at index: {e}")
            return
        if cur is None:
            self.status.show_error(f"Delete at index: no element at index {i}")
            return
        self._list_expected = (i, bytes(cur))
        self._arm(self.list_del, f"Delete element '{_short(cur)}' at index {i}?")

    def del_element(self):
        if self._list_expected is None:
            return
        i, expected = self._list_expected
        self._list_expected = None
        ok, reply = self._after("Delete at index", *delete_list_element(
            self.source, self.db, self.key, i, expected))
        if ok:
            self._done(f"element {i} deleted")

    # -- set
    def sadd(self):
        if not self._need(self.set_member, "Add member", "member"):
            return
        m = self._arg(self.set_member, 0)
        ok, reply = self._run("Add member", b"SADD", self.key, m)
        if ok:
            self._done(f"member '{_short(m)}' " + ("added" if reply else "already there"))

    def _ask_srem(self):
        if self._need(self.set_member, "Remove member", "member"):
            self._arm(self.set_del, f"Remove member '{_short(self.set_member.text())}'?")

    def srem(self):
        self._remove("Remove member", b"SREM", self.set_member, 0, "member", "removed")

    # -- zset
    def add_member(self):
        if not self._need(self.member_name, "Add member", "member"):
            return
        m = self._arg(self.member_name, 1)
        # the score goes to the server as typed: its parser is the one that counts
        # ("inf", "-1e3", ...); its error text shows inline
        ok, reply = self._run("Add member", b"ZADD", self.key,
                              self.member_score.text().strip().encode(), m)
        if ok:
            self._done(f"member '{_short(m)}' {'added' if reply == 1 else 'updated'}")

    def _ask_zrem(self):
        if self._need(self.member_name, "Remove member", "member"):
            self._arm(self.member_del,
                      f"Remove member '{_short(self.member_name.text())}'?")

    def zrem(self):
        self._remove("Remove member", b"ZREM", self.member_name, 1, "member", "removed")

    # -- stream
    def xadd(self):
        try:
            pairs = parse_pairs(self.entry_fields.text())
        except ValueError as e:
            self.status.show_error(f"Add entry: {e}")
            return
        eid = self.entry_id.text().strip() or "*"
        ok, reply = self._run("Add entry", b"XADD", self.key, eid.encode(), *pairs)
        if ok:
            self.entry_fields.clear()
            self._done(f"entry {text(reply)} added")

    def _ask_xdel(self):
        if self._need(self.entry_sel, "Delete entry", "entry ID"):
            self._arm(self.entry_del, f"Delete entry {self.entry_sel.text().strip()}?")

    def xdel(self):
        eid = self.entry_sel.text().strip()
        ok, reply = self._run("Delete entry", b"XDEL", self.key, eid.encode())
        if ok:
            self._done(f"entry {eid} deleted" if reply else f"no entry {eid} (already gone)")

    def _arm(self, button: ConfirmButton, question: str):
        for b in self.confirms:
            if b is not button:
                b.disarm()
        button.arm("Click again")           # short: the status line says what
        self.status.show_error(f"{question} Click '{button.label}' again to confirm.")

    # ------------------------------------------------------------------ table cells
    EDITABLE = {"hash": 1, "list": 1, "zset": 2}     # the column edited in place

    def editable(self, type_: str, row: tuple, col: int) -> bool:
        if self.EDITABLE.get(type_) != col or col >= len(row):
            return False
        v = row[col]
        if isinstance(v, (bytes, bytearray)):       # text only: escapes would not survive
            try:                    # (cell_text shows printable UTF-8 as is, escapes else)
                return v.decode("utf-8").isprintable()
            except UnicodeDecodeError:
                return False
        return True

    def commit_cell(self, type_: str, row: tuple, col: int, value: str) -> bool:
        """A cell edited in the value table: one write; False leaves the cell as it was
        (the error shows inline)."""
        self._in_cell = True
        try:
            return self._commit_cell(type_, row, col, value)
        finally:
            self._in_cell = False

    def _commit_cell(self, type_: str, row: tuple, col: int, value: str) -> bool:
        new = value.encode()
        if type_ == "hash":
            ok, reply = self._run("Edit field", b"HSET", self.key, bytes(row[0]), new)
            msg = f"field '{_short(row[0])}' updated"
        elif type_ == "list":
            ok, reply = self._after("Edit element", *list_cas(
                self.source, self.db, self.key, row[0], new, bytes(row[1])))
            msg = f"element {row[0]} set"
        elif type_ == "zset":
            m = bytes(row[1])
            ok, reply = self._run("Edit score", b"ZADD", self.key, b"XX", b"CH",
                                  value.strip().encode(), m)
            if ok and reply == 0 and self._zscore(m) is None:
                ok = self._after("Edit score", False,
                                 f"member '{_short(m)}' no longer exists")[0]
            msg = f"score of '{_short(m)}' set to {value.strip()}"
        else:
            return False
        if ok:
            self._done(msg)
        return ok

    def _zscore(self, member: bytes):
        try:
            return self.source.call(self.db, b"ZSCORE", self.key, member)
        except Exception:
            return None
