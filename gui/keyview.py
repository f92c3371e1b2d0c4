"""The key view: type, TTL (live countdown), encoding, length, memory, and a preview of
the value: text/hex for strings, a paged table for collections.

Types other helpers are still building are handled by asking the source for a page and
showing its plain refusal ("no preview for ... yet") instead of guessing.
"""
from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, QTimer
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (QComboBox, QFormLayout, QHBoxLayout, QHeaderView, QLabel,
                               QPlainTextEdit, QStackedWidget, QTableView, QVBoxLayout,
                               QWidget)

from .source import InspectorSource, NotAvailable

STRING_PREVIEW = 64 * 1024        # bytes of a string shown (big values stay cheap)
PAGE = 200


def cell_text(v) -> str:
    if isinstance(v, (bytes, bytearray)):
        try:
            s = bytes(v).decode("utf-8")
            if s.isprintable():
                return s
        except UnicodeDecodeError:
            pass
        return repr(bytes(v))[2:-1]
    if isinstance(v, float):
        return repr(v)
    return str(v)


def hexdump(data: bytes, width: int = 16) -> str:
    lines = []
    for off in range(0, len(data), width):
        chunk = data[off:off + width]
        hx = " ".join(f"{b:02x}" for b in chunk)
        asc = "".join(chr(b) if 0x20 <= b < 0x7F else "." for b in chunk)
        lines.append(f"{off:08x}  {hx:<{width * 3}} {asc}")
    return "\n".join(lines)


def format_ttl(ms: int | None) -> str:
    if ms is None:
        return "no expiry"
    s, ms_ = divmod(ms, 1000)
    d, s = divmod(s, 86400)
    h, s = divmod(s, 3600)
    m, s = divmod(s, 60)
    parts = [f"{d}d"] if d else []
    if d or h:
        parts.append(f"{h}h")
    if d or h or m:
        parts.append(f"{m}m")
    parts.append(f"{s}.{ms_ // 100}s")
    return " ".join(parts)


class ValueTableModel(QAbstractTableModel):
    """One collection value, fetched a page at a time from the source."""

    def __init__(self, source: InspectorSource, parent=None):
        super().__init__(parent)
        self.source = source
        self.db = 0
        self.key = None
        self.type = None
        self.columns: tuple = ()
        self.rows: list = []
        self.cursor = None
        self.error = None
        self._seen = None

    def load(self, db: int, key: bytes, type_: str):
        """Show a (new) value: reset, then the first page."""
        self.beginResetModel()
        self.db, self.key, self.type = db, key, type_
        self.columns, self.rows, self.cursor, self.error = (), [], None, None
        self._seen = set() if type_ in ("hash", "set") else None   # SCAN may repeat
        try:
            page = self.source.page(db, key, type_, 0, PAGE)
            self.columns = page.columns
            self._add(page.rows)
            self.cursor = page.cursor
        except NotAvailable as e:
            self.error = str(e)
        except Exception as e:          # a reply shape we did not expect: say so
            self.error = f"preview failed: {type(e).__name__}: {e}"
        self.endResetModel()

    def _add(self, rows):
        if self._seen is not None:
            fresh = []
            for r in rows:
                if r[0] not in self._seen:
                    self._seen.add(r[0])
                    fresh.append(r)
            rows = fresh
        self.rows.extend(rows)
        return len(rows)

    def rowCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else len(self.columns)

    def canFetchMore(self, parent=QModelIndex()):
        return not parent.isValid() and self.key is not None and bool(self.cursor)

    def fetchMore(self, parent=QModelIndex()):
        if parent.isValid() or not self.cursor:
            return
        try:
            page = self.source.page(self.db, self.key, self.type, self.cursor, PAGE)
        except Exception as e:
            self.error, self.cursor = str(e), None
            return
        rows = page.rows
        if self._seen is not None:
            rows = [r for r in rows if r[0] not in self._seen]
            self._seen.update(r[0] for r in rows)
        self.cursor = page.cursor
        if rows:
            first = len(self.rows)
            self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
            self.rows.extend(rows)
            self.endInsertRows()

    def data(self, index, role=Qt.DisplayRole):
        if not index.isValid() or role not in (Qt.DisplayRole, Qt.ToolTipRole):
            return None
        r, c = index.row(), index.column()
        if r >= len(self.rows) or c >= len(self.rows[r]):
            return None
        return cell_text(self.rows[r][c])

    def headerData(self, section, orientation, role=Qt.DisplayRole):
        if role != Qt.DisplayRole:
            return None
        if orientation == Qt.Horizontal:
            return self.columns[section] if 0 <= section < len(self.columns) else None
        return str(section + 1)


class KeyView(QWidget):
    def __init__(self, source: InspectorSource, parent=None):
        super().__init__(parent)
        self.source = source
        self.db = 0
        self.key: bytes | None = None
        self.info = None
        mono = QFontDatabase.systemFont(QFontDatabase.FixedFont)

        self.key_label = QLabel("Select a key in the tree")
        self.key_label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.key_label.setWordWrap(True)
        f = self.key_label.font()
        f.setPointSizeF(f.pointSizeF() * 1.2)
        f.setBold(True)
        self.key_label.setFont(f)
        self.type_label = QLabel("-")
        self.ttl_label = QLabel("-")
        self.encoding_label = QLabel("-")
        self.length_label = QLabel("-")
        self.memory_label = QLabel("-")
        form = QFormLayout()
        form.addRow("Type", self.type_label)
        form.addRow("TTL", self.ttl_label)
        form.addRow("Encoding", self.encoding_label)
        form.addRow("Length", self.length_label)
        form.addRow("Memory", self.memory_label)

        self.mode = QComboBox()
        self.mode.addItems(["Auto", "Text", "Hex"])
        self.mode.currentIndexChanged.connect(lambda _: self._show_value())
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.text.setFont(mono)
        self.table_model = ValueTableModel(source, self)
        self.table = QTableView()
        self.table.setModel(self.table_model)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().setDefaultSectionSize(22)
        self.message = QLabel()
        self.message.setAlignment(Qt.AlignCenter)
        self.message.setWordWrap(True)
        self.stack = QStackedWidget()
        for w in (self.message, self.text, self.table):
            self.stack.addWidget(w)
        self.preview_note = QLabel()

        bar = QHBoxLayout()
        bar.addWidget(QLabel("Value"))
        bar.addStretch(1)
        bar.addWidget(self.preview_note)
        bar.addWidget(self.mode)
        lay = QVBoxLayout(self)
        lay.addWidget(self.key_label)
        lay.addLayout(form)
        lay.addLayout(bar)
        lay.addWidget(self.stack, 1)
        from .keyedit import KeyEditor          # TTL, value, rename, delete (gui/keyedit.py)
        self.editor = KeyEditor(source, self)
        self.editor.changed.connect(self.refresh)
        self.editor.renamed.connect(self.show_key)
        lay.addWidget(self.editor)

        self._ttl_timer = QTimer(self)
        self._ttl_timer.setInterval(100)
        self._ttl_timer.timeout.connect(self._tick_ttl)
        source.keysChanged.connect(self._on_keys_changed)
        source.dbReset.connect(lambda db: db == self.db and self.refresh())
        self._show_message("Select a key in the tree")

    # ------------------------------------------------------------------ public
    def show_key(self, db: int, key: bytes):
        self.db, self.key = db, key
        self.refresh()

    def refresh(self):
        if self.key is None:
            return
        try:
            self.info = self.source.key_info(self.db, self.key)
        except Exception as e:         # remote went away, ...
            self.info = None
            self.editor.load(self.db, self.key, None)
            self._show_message(f"Cannot read the key: {e}")
            return
        self.editor.load(self.db, self.key, self.info)
        self.key_label.setText(self.key.decode("utf-8", "backslashreplace"))
        if self.info is None:
            for lbl in (self.type_label, self.encoding_label, self.length_label,
                        self.memory_label):
                lbl.setText("-")
            self.ttl_label.setText("-")
            self._ttl_timer.stop()
            self._show_message("The key does not exist (deleted or expired).")
            return
        i = self.info
        self.type_label.setText(i.type)
        self.encoding_label.setText(i.encoding or "-")
        unit = "bytes" if i.type == "string" else "elements"
        self.length_label.setText(f"{i.length:,} {unit}" if i.length is not None else "-")
        if i.memory is None:
            self.memory_label.setText("not available yet")
        else:
            self.memory_label.setText(f"{i.memory:,} bytes" + (" (estimate, sampled)"
                                                               if i.sampled else ""))
        self._tick_ttl()
        if i.expire_at_ms is not None:
            self._ttl_timer.start()
        else:
            self._ttl_timer.stop()
        self._show_value()

    def ttl_text(self) -> str:
        return self.ttl_label.text()

    # ------------------------------------------------------------------ internals
    def _tick_ttl(self):
        i = self.info
        if i is None:
            return
        ms = i.ttl_ms()
        self.ttl_label.setText(format_ttl(ms))
        if ms == 0:
            self._ttl_timer.stop()

    def _show_message(self, text: str):
        self.message.setText(text)
        self.preview_note.setText("")
        self.stack.setCurrentWidget(self.message)

    def _show_value(self):
        i = self.info
        if i is None:
            return
        self.mode.setEnabled(i.type == "string")
        if i.type == "string":
            try:
                data, total = self.source.string_value(self.db, self.key, STRING_PREVIEW)
            except NotAvailable as e:
                self._show_message(str(e))
                return
            mode = self.mode.currentText()
            text = None
            if mode != "Hex":
                try:
                    text = data.decode("utf-8")
                    if mode == "Auto" and not (text.isprintable() or
                                               all(ch.isprintable() or ch in "\r\n\t"
                                                   for ch in text)):
                        text = None
                except UnicodeDecodeError:
                    text = data.decode("utf-8", "backslashreplace") if mode == "Text" else None
            self.text.setPlainText(text if text is not None else hexdump(data))
            self.preview_note.setText(f"first {len(data):,} of {total:,} bytes"
                                      if total > len(data) else "")
            self.stack.setCurrentWidget(self.text)
            return
        self.table_model.load(self.db, self.key, i.type)
        if self.table_model.error is not None:
            self._show_message(self.table_model.error)
            return
        self.preview_note.setText("paged: scroll for more" if self.table_model.cursor else "")
        self.stack.setCurrentWidget(self.table)

    def _on_keys_changed(self, db: int, keys):
        if db == self.db and self.key is not None and self.key in keys:
            self.refresh()
