"""The key view: type, TTL (live countdown), encoding, length, memory, and a preview of
the value: text/JSON/hex for strings, a paged table for collections (cells of hashes,
lists and zsets edited in place), a stream's consumer groups under its entries.

Types other helpers are still building are handled by asking the source for a page and
showing its plain refusal ("no preview for ... yet") instead of guessing.
"""
from __future__ import annotations

import json

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, QTimer
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QFormLayout, QHBoxLayout,
                               QHeaderView, QLabel, QPlainTextEdit, QStackedWidget,
                               QTableView, QVBoxLayout, QWidget)

from .source import InspectorSource, NotAvailable

STRING_PREVIEW = 64 * 1024        # bytes of a string shown (big values stay cheap)
JSON_LIMIT = 1024 * 1024          # bytes parsed for the JSON view
PAGE = 200
KEEP_ROWS = 2000                  # rows re-fetched to keep the place after a refresh


def pretty_json(data: bytes) -> str:
    """The value pretty-printed; ValueError saying why it is not JSON."""
    try:
        doc = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise ValueError("not valid JSON: the value is not UTF-8 text") from None
    except json.JSONDecodeError as e:
        raise ValueError(f"not valid JSON: {e.msg} at line {e.lineno} column {e.colno}") \
            from None
    return json.dumps(doc, indent=2, ensure_ascii=False)


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


def _row_identity(type_: str, row: tuple | None):
    """What a value-table row stands for across a reload: the field, member or entry
    ID (a zset row's rank changes with scores; a list element is its index and value)."""
    if row is None:
        return None
    if type_ == "zset":
        return row[1]
    if type_ == "list":
        return row
    return row[0]


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
        self.edit_hook = None           # .editable(type, row, col), .commit_cell(...)

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
        if not index.isValid() or role not in (Qt.DisplayRole, Qt.ToolTipRole,
                                               Qt.EditRole):
            return None
        r, c = index.row(), index.column()
        if r >= len(self.rows) or c >= len(self.rows[r]):
            return None
        return cell_text(self.rows[r][c])

    def flags(self, index):
        f = super().flags(index)
        hook = self.edit_hook
        if hook is not None and index.isValid() and index.row() < len(self.rows) and \
                hook.editable(self.type, self.rows[index.row()], index.column()):
            f |= Qt.ItemIsEditable
        return f

    def setData(self, index, value, role=Qt.EditRole):
        """A cell edited in the table: written through the hook (the view refreshes
        from the server afterwards); False keeps the old text."""
        if role != Qt.EditRole or not (self.flags(index) & Qt.ItemIsEditable):
            return False
        r, c = index.row(), index.column()
        row = self.rows[r]
        if cell_text(row[c]) == str(value):
            return False
        if not self.edit_hook.commit_cell(self.type, row, c, str(value)):
            return False
        if r < len(self.rows) and self.rows[r] is row:
            self.rows[r] = row[:c] + (str(value).encode(),) + row[c + 1:]
            self.dataChanged.emit(index, index)
        return True

    def row(self, r: int) -> tuple | None:
        return self.rows[r] if 0 <= r < len(self.rows) else None

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
        self.mode.addItems(["Auto", "Text", "JSON", "Hex"])
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
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.selectionModel().currentRowChanged.connect(self._row_chosen)
        self.table.clicked.connect(self._row_clicked)
        self.table.itemDelegate().closeEditor.connect(self._cell_editor_closed)
        self._restoring = False
        self._refresh_after_edit = False
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
        from .anatomy import KeyAnatomyView     # memory by component (gui/anatomy.py)
        self.anatomy = KeyAnatomyView(source, self)
        lay.addWidget(self.anatomy)
        lay.addLayout(bar)
        lay.addWidget(self.stack, 1)
        from .streamview import StreamGroupsView    # consumer groups (gui/streamview.py)
        self.groups = StreamGroupsView(source)
        lay.addWidget(self.groups, 1)
        from .keyedit import KeyEditor          # TTL, value, rename, delete (gui/keyedit.py)
        self.editor = KeyEditor(source, self)
        self.table_model.edit_hook = self.editor.values
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
        self.anatomy.show_key(self.db, self.key)
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
        self._show_groups(False)

    def _show_groups(self, on: bool):
        self.groups.setVisible(on)
        self.groups.load(self.db, self.key if on else None)

    def _show_value(self):
        i = self.info
        if i is None:
            return
        self.mode.setEnabled(i.type == "string")
        if i.type == "string":
            self._show_string()
            return
        self._load_table(i.type)
        if self.table_model.error is not None:
            self._show_message(self.table_model.error)
            return
        self.preview_note.setText("paged: scroll for more" if self.table_model.cursor else "")
        self.stack.setCurrentWidget(self.table)
        self._show_groups(i.type == "stream")

    def _show_string(self):
        self._show_groups(False)
        mode = self.mode.currentText()
        try:
            limit = JSON_LIMIT if mode == "JSON" else STRING_PREVIEW
            data, total = self.source.string_value(self.db, self.key, limit)
        except NotAvailable as e:
            self._show_message(str(e))
            return
        note = f"first {len(data):,} of {total:,} bytes" if total > len(data) else ""
        if mode == "JSON":
            if total > len(data):
                self._show_message(f"{total:,} bytes: too large for the JSON view (up to "
                                   f"{JSON_LIMIT:,}); choose Text or Hex")
                return
            try:
                shown = pretty_json(data)
            except ValueError as e:
                self._show_message(f"The value is {e}. Choose Text or Hex to see it.")
                return
            self._show_text(shown, "JSON, pretty-printed")
            return
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
        if mode == "Auto" and text is not None and not note and text.lstrip()[:1] in "{[" \
                and text.strip():
            try:                        # a JSON document reads better pretty-printed
                self._show_text(pretty_json(data), "JSON, pretty-printed")
                return
            except ValueError:
                pass
        self._show_text(text if text is not None else hexdump(data), note)

    def _show_text(self, text: str, note: str):
        self.text.setPlainText(text)
        self.preview_note.setText(note)
        self.stack.setCurrentWidget(self.text)

    def _load_table(self, type_: str):
        """(Re)load the value table; the same key keeps its place: the rows the user had
        paged in (up to KEEP_ROWS), the current row and the scroll position."""
        m = self.table_model
        same = (m.db, m.key, m.type) == (self.db, self.key, type_)
        rows = min(m.rowCount(), KEEP_ROWS) if same else 0
        cur = self.table.currentIndex() if same else None
        ident = _row_identity(type_, m.row(cur.row())) if cur is not None and \
            cur.isValid() else None
        scroll = self.table.verticalScrollBar().value()
        self._restoring = True
        try:
            m.load(self.db, self.key, type_)
            while m.rowCount() < rows and m.canFetchMore():
                m.fetchMore()
            self.table.verticalScrollBar().setValue(scroll)
            if ident is not None:       # the same element again, wherever it is now
                for r, row in enumerate(m.rows):
                    if _row_identity(type_, row) == ident:
                        self.table.setCurrentIndex(m.index(r, cur.column()))
                        break
        finally:
            self._restoring = False
        if not same:
            self.editor.values.prefill(None)

    def _row_clicked(self, index):
        # clicking the current row again still fills the editor from it
        self.editor.values.prefill(self.table_model.row(index.row()))

    def _row_chosen(self, current, _previous):
        # a restored selection after a refresh must not overwrite what the user typed
        if not self._restoring:
            self.editor.values.prefill(self.table_model.row(current.row())
                                       if current.isValid() else None)

    def _on_keys_changed(self, db: int, keys):
        if db == self.db and self.key is not None and self.key in keys:
            if self.table.state() == QAbstractItemView.EditingState:
                self._refresh_after_edit = True     # a reset would close the cell editor
                return
            self.refresh()

    def _cell_editor_closed(self, *_):
        if self._refresh_after_edit:
            self._refresh_after_edit = False
            QTimer.singleShot(0, self.refresh)
