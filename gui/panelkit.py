"""Small pieces the server panels share: an inline status line, a config field bound to
CONFIG SET, admin actions that report errors as text (never a traceback), formatting, a
table model updated by diff."""
from __future__ import annotations

import time

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import (QHBoxLayout, QLabel, QLineEdit, QMessageBox, QPushButton,
                               QWidget)

from .roles import DISPLAY, HORIZONTAL
from .source import ActionError, InspectorSource, NotAvailable

NOT_AVAILABLE = "not available"
ERROR_STYLE = "color: #d0413b;"          # readable on light and dark palettes
OK_STYLE = "color: #2e9b4f;"


def text(v) -> str:
    """A reply value or bytes for display (undecodable bytes escaped)."""
    if isinstance(v, (bytes, bytearray)):
        return bytes(v).decode("utf-8", "backslashreplace")
    if isinstance(v, (list, tuple)):
        return " ".join(text(x) for x in v)
    return "" if v is None else str(v)


def quoted_args(args) -> str:
    """A command line as redis-cli users type it: quote what needs it."""
    out = []
    for a in args:
        s = text(a)
        if not s or any(ch in s for ch in ' "\'\\') or not s.isprintable():
            s = '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'
        out.append(s)
    return " ".join(out)


def human_bytes(n: int | None) -> str:
    if n is None:
        return NOT_AVAILABLE
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if abs(n) < 1024 or unit == "TB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.2f} {unit}"
        n /= 1024
    return str(n)


def when(ts: int | float | None, now: float | None = None) -> str:
    """A unix time as local time and how long ago."""
    if not ts:
        return NOT_AVAILABLE
    now = time.time() if now is None else now
    ago = max(0, int(now - float(ts)))
    if ago < 120:
        rel = f"{ago} s ago"
    elif ago < 7200:
        rel = f"{ago // 60} min ago"
    else:
        rel = f"{ago // 3600} h {ago % 3600 // 60} min ago"
    return f"{time.strftime('%Y-%m-%d %H:%M:%S', time.localtime(float(ts)))} ({rel})"


def run_action(source: InspectorSource, *argv) -> tuple[bool, str]:
    """Run an admin action; (ok, text to show): the reply or the server's error."""
    argv = [a if isinstance(a, bytes) else str(a).encode() for a in argv]
    try:
        reply = source.admin(*argv)
    except (ActionError, NotAvailable) as e:
        return False, str(e)
    except Exception as e:                  # a dropped connection, a timeout ...
        return False, f"{type(e).__name__}: {e}"
    if isinstance(reply, int) and not isinstance(reply, bool):
        return True, str(reply)
    return True, text(reply) or "OK"


def confirm(parent: QWidget, title: str, text: str, on_yes, on_no=None) -> QMessageBox:
    """Ask before a destructive action: a window-modal box (no nested event loop, the
    server keeps serving); ``on_yes`` runs only on Yes.  Cancel is the default.  Only a
    button the user pressed (Escape presses Cancel) answers: a box closed because its
    window is going away runs nothing.  One box per panel, reused (deleting boxes while
    their window may be going away crashed PySide 6.11 here)."""
    box = getattr(parent, "_confirm_dialog", None)
    if box is None:
        box = QMessageBox(QMessageBox.Warning, "", "",
                          QMessageBox.Yes | QMessageBox.Cancel, parent)
        box.setEscapeButton(QMessageBox.Cancel)

        def answered(button):
            parent.confirm_box = None
            yes, no = box.answers
            box.answers = (None, None)
            if box.standardButton(button) == QMessageBox.Yes:
                yes()
            elif no is not None:
                no()
        box.buttonClicked.connect(answered)
        parent._confirm_dialog = box
    box.setWindowTitle(title)
    box.setText(text)
    box.setDefaultButton(QMessageBox.Cancel)
    box.answers = (on_yes, on_no)
    parent.confirm_box = box                # (tests answer it)
    box.open()
    return box


class RowsTableModel(QAbstractTableModel):
    """A read-only table of rows (tuples or records) under fixed column names; subclasses
    give ``data``.  ``set_rows`` applies a new list as a diff by position: rows removed or
    inserted at the end, changed ones reported with dataChanged, never a reset (a view
    keeps its selection and scroll position across refreshes)."""
    columns: tuple = ()

    def __init__(self, columns=None, parent=None):
        super().__init__(parent)
        if columns is not None:
            self.columns = tuple(columns)
        self.rows: list = []

    def rowCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section, orientation, role=DISPLAY):
        if role == DISPLAY and orientation == HORIZONTAL and 0 <= section < len(self.columns):
            return self.columns[section]
        return None

    def set_rows(self, rows: list):
        old, new = len(self.rows), len(rows)
        if new < old:
            self.beginRemoveRows(QModelIndex(), new, old - 1)
            del self.rows[new:]
            self.endRemoveRows()
        changed = [i for i in range(min(old, new)) if self.rows[i] != rows[i]]
        for i in changed:
            self.rows[i] = rows[i]
        if changed:
            self.dataChanged.emit(self.index(changed[0], 0),
                                  self.index(changed[-1], len(self.columns) - 1))
        if new > old:
            self.beginInsertRows(QModelIndex(), old, new - 1)
            self.rows.extend(rows[old:])
            self.endInsertRows()


class StatusLine(QLabel):
    """One line under a control group: the last action's result or error."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.ok = True

    def show_ok(self, msg: str):
        self.ok = True
        self.setStyleSheet(OK_STYLE)
        self.setText(msg)

    def show_error(self, msg: str):
        self.ok = False
        self.setStyleSheet(ERROR_STYLE)
        self.setText(msg)

    def show_result(self, ok: bool, msg: str, what: str = ""):
        prefix = f"{what}: " if what else ""
        (self.show_ok if ok else self.show_error)(prefix + msg)

    def clear_status(self):
        self.ok = True
        self.setText("")


class ConfigField(QWidget):
    """A config parameter as a line edit: Enter or Set runs CONFIG SET; the server's
    error shows beside it and the field returns to the value the server has."""
    applied = Signal(str, str)              # name, value (after a successful SET)

    def __init__(self, source: InspectorSource, name: str, width: int = 110,
                 suffix: str = "", parent=None):
        super().__init__(parent)
        self.source, self.name = source, name
        self.value = ""
        self.edit = QLineEdit()
        self.edit.setMaximumWidth(width)
        self.edit.returnPressed.connect(self.apply)
        self.editing = False                # the user typed since the last apply
        self.edit.textEdited.connect(lambda _t: setattr(self, "editing", True))
        self.button = QPushButton("Set")
        self.button.clicked.connect(self.apply)
        self.error = StatusLine()
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.edit)
        if suffix:
            row.addWidget(QLabel(suffix))
        row.addWidget(self.button)
        row.addWidget(self.error, 1)

    def load(self, value: str | None):
        """The server's current value (left alone while the user is typing)."""
        if value is None:
            self.edit.setEnabled(False)
            self.button.setEnabled(False)
            self.edit.setText("")
            self.edit.setPlaceholderText(NOT_AVAILABLE)
            return
        self.edit.setEnabled(True)
        self.button.setEnabled(True)
        if self.edit.text() != value and not self.editing:
            self.edit.setText(value)
        self.value = value

    def apply(self):
        new = self.edit.text().strip()
        self.editing = False                # the field follows the server again
        ok, msg = run_action(self.source, b"CONFIG", b"SET", self.name, new)
        if ok:
            self.error.clear_status()
            self.value = new
            self.applied.emit(self.name, new)
            try:                            # what the server made of it (e.g. "1gb")
                got = self.source.config_get(self.name).get(self.name)
            except Exception:
                got = None
            if got is not None:
                self.value = got
                self.edit.setText(got)
        else:
            self.error.show_error(f"'{new}' refused: {msg}")
        return ok


class Poller:
    """A QTimer that calls ``fn`` while ``widget`` is visible (one call at once on show,
    so a panel brought to front is never stale)."""

    def __init__(self, widget: QWidget, fn, interval_ms: int):
        self.widget, self.fn = widget, fn
        self.timer = QTimer(widget)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.tick)
        self.timer.start()

    def tick(self):
        if self.widget.isVisible():
            self.fn()

    def set_interval(self, ms: int):
        if self.timer.interval() != ms:
            self.timer.setInterval(ms)

    def stop(self):
        self.timer.stop()
