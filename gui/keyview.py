"""The key view: type, TTL (live countdown), encoding, length, memory, and a preview of
the value: text/JSON/hex for strings, a paged table for collections (cells of hashes,
lists and zsets edited in place), a stream's consumer groups under its entries.
Strings and the selected cell of a collection are also shown through the value
formatters (gui/formatters.py: MessagePack, gzip, pickle read safely, protobuf, ...),
decoded off the GUI thread (gui/decoding.py), with a tree of what they decode.

Types other helpers are still building are handled by asking the source for a page and
showing its plain refusal ("no preview for ... yet") instead of guessing.
"""
from __future__ import annotations

import time

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, QTimer
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QFormLayout, QHBoxLayout,
                               QHeaderView, QLabel, QPlainTextEdit, QPushButton,
                               QStackedWidget, QTableView, QToolButton, QTreeView,
                               QVBoxLayout, QWidget)

from . import formatters
from .decoding import DecodeWorker, StructModel
from .formatters import hexdump
from .roles import DISPLAY, DISPLAY_TOOLTIP_EDIT, EDIT, EDITABLE, HORIZONTAL
from .source import InspectorSource, NotAvailable

STRING_PREVIEW = 64 * 1024        # bytes of a string shown (big values stay cheap)
JSON_LIMIT = 1024 * 1024          # bytes parsed for the JSON view
PAGE = 200
KEEP_ROWS = 2000                  # rows re-fetched to keep the place after a refresh
DECODE_LIMIT = formatters.MAX_PARSE   # bytes of a string read for the formatters
BASIC_MODES = ("Auto", "Text", "JSON", "Hex")
# the change feed refreshes the shown key at most every FEED_MIN_MS (a trailing refresh
# catches the last write), and waits at least FEED_LOOP_SHARE times what the last refresh
# took: a refresh reads the whole key (MEMORY USAGE walks it, the table reloads) in the
# thread the server shares, and a key under load changes at the feed's 10 Hz
FEED_MIN_MS = 1000
FEED_LOOP_SHARE = 20


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

    def data(self, index, role=DISPLAY):
        if role not in DISPLAY_TOOLTIP_EDIT or not index.isValid():
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
            f |= EDITABLE
        return f

    def setData(self, index, value, role=EDIT):
        """A cell edited in the table: written through the hook (the view refreshes
        from the server afterwards); False keeps the old text."""
        if role != EDIT or not (self.flags(index) & EDITABLE):
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

    def headerData(self, section, orientation, role=DISPLAY):
        if role != DISPLAY:
            return None
        if orientation == HORIZONTAL:
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
        self.mode.addItems(list(BASIC_MODES) +
                           [n for n in formatters.names() if n not in BASIC_MODES])
        self.mode.setToolTip("how the value (or the selected cell) is decoded")
        self.mode.currentIndexChanged.connect(lambda _: self._show_value())
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.text.setFont(mono)
        # the formatters: a worker for the value, one for the selected cell, a tree
        self.decoder = DecodeWorker(self)
        self.decoder.decoded.connect(self._on_decoded)
        self.cell_decoder = DecodeWorker(self)
        self.cell_decoder.decoded.connect(self._on_cell_decoded)
        self.decoded = None                 # the formatters' reading now shown
        self.struct_model = StructModel(self)
        self.struct_view = QTreeView()
        self.struct_view.setModel(self.struct_model)
        self.struct_view.setUniformRowHeights(True)
        self.struct_view.header().setStretchLastSection(True)
        self.tree_button = QToolButton()
        self.tree_button.setText("Tree")
        self.tree_button.setCheckable(True)
        self.tree_button.setEnabled(False)
        self.tree_button.setToolTip("browse the decoded structure as a tree")
        self.tree_button.toggled.connect(self._show_tree)
        self.transfer_button = QPushButton("Export / copy…")
        self.transfer_button.setToolTip("export this key to a file, or copy it to "
                                        "another database or server")
        self.transfer_button.clicked.connect(self._transfer)
        self.transfer_button.setEnabled(False)
        self.table_model = ValueTableModel(source, self)
        self.table = QTableView()
        self.table.setModel(self.table_model)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().setDefaultSectionSize(22)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.selectionModel().currentRowChanged.connect(self._row_chosen)
        self.table.selectionModel().currentChanged.connect(self._cell_chosen)
        self.table.clicked.connect(self._row_clicked)
        self.table.itemDelegate().closeEditor.connect(self._cell_editor_closed)
        self._restoring = False
        self._refresh_after_edit = False
        self.message = QLabel()
        self.message.setAlignment(Qt.AlignCenter)
        self.message.setWordWrap(True)
        self.stack = QStackedWidget()
        for w in (self.message, self.text, self.table, self.struct_view):
            self.stack.addWidget(w)
        self.preview_note = QLabel()
        self.preview_note.setWordWrap(True)
        # the selected cell of a collection, decoded (hash value, element, member)
        self.detail_note = QLabel()
        self.detail_note.setWordWrap(True)
        self.detail = QPlainTextEdit()
        self.detail.setReadOnly(True)
        self.detail.setFont(mono)
        self.detail.setMaximumHeight(180)
        self.detail_box = QWidget()
        dl = QVBoxLayout(self.detail_box)
        dl.setContentsMargins(0, 0, 0, 0)
        dl.addWidget(self.detail_note)
        dl.addWidget(self.detail)
        self.detail_box.hide()

        bar = QHBoxLayout()
        bar.addWidget(QLabel("Value"))
        bar.addStretch(1)
        bar.addWidget(self.preview_note, 1)
        bar.addWidget(self.tree_button)
        bar.addWidget(self.mode)
        bar.addWidget(self.transfer_button)
        lay = QVBoxLayout(self)
        lay.addWidget(self.key_label)
        lay.addLayout(form)
        from .anatomy import KeyAnatomyView     # memory by component (gui/anatomy.py)
        self.anatomy = KeyAnatomyView(source, self)
        lay.addWidget(self.anatomy)
        lay.addLayout(bar)
        lay.addWidget(self.stack, 1)
        lay.addWidget(self.detail_box)
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
        self._feed_timer = QTimer(self)         # the trailing refresh of a changed key
        self._feed_timer.setSingleShot(True)
        self._feed_timer.timeout.connect(self._feed_refresh)
        self._refreshed_at = 0.0                # monotonic time of the last refresh
        self._refresh_cost = 0.0                # seconds it took
        source.keysChanged.connect(self._on_keys_changed)
        source.dbReset.connect(lambda db: db == self.db and self.refresh())
        self._show_message("Select a key in the tree")

    # ------------------------------------------------------------------ public
    def show_key(self, db: int, key: bytes):
        self.db, self.key = db, key
        self.refresh()

    def refresh(self):
        """Read the key again now (a new key, the user's own action, a db reset)."""
        self._feed_timer.stop()
        t0 = time.monotonic()
        try:
            self._refresh()
        finally:
            self._refreshed_at = time.monotonic()
            self._refresh_cost = self._refreshed_at - t0

    def _refresh(self):
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
        self.transfer_button.setEnabled(self.info is not None)
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
        self._set_decoded(None)
        self.detail_box.hide()

    def _show_groups(self, on: bool):
        self.groups.setVisible(on)
        self.groups.load(self.db, self.key if on else None)

    def _show_value(self):
        i = self.info
        if i is None:
            return
        self.mode.setEnabled(i.type != "stream")     # collections: the selected cell
        if i.type == "string":
            self.detail_box.hide()
            self.cell_decoder.cancel()
            self._show_string()
            return
        self._set_decoded(None)
        self.decoder.cancel()
        self._load_table(i.type)
        self._cell_chosen(self.table.currentIndex())
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
            limit = JSON_LIMIT if mode == "JSON" else STRING_PREVIEW if mode in BASIC_MODES \
                else DECODE_LIMIT
            data, total = self.source.string_value(self.db, self.key, limit)
        except NotAvailable as e:
            self._show_message(str(e))
            return
        note = f"first {len(data):,} of {total:,} bytes" if total > len(data) else ""
        if mode not in BASIC_MODES:         # a formatter chosen by hand: off the GUI thread
            if self._decoded_for != (self.db, self.key, mode):
                self._show_message(f"Decoding as {mode} …")
            self.decoder.submit(("value", self.db, self.key, mode), formatters.decode,
                                mode, data, total > len(data))
            return
        if mode == "JSON":
            if total > len(data):
                self._show_message(f"{total:,} bytes: too large for the JSON view (up to "
                                   f"{JSON_LIMIT:,}); choose Text or Hex")
                return
            d = formatters.decode("JSON", data)
            if not d.ok:
                why = d.text.split(": ", 1)[1]
                self._show_message(f"The value is not valid JSON: {why}. Choose Text or "
                                   f"Hex to see it.")
                return
            self._show_decoded(d, "JSON, pretty-printed", mode)
            return
        text = None
        if mode == "Text":
            text = data.decode("utf-8", "backslashreplace")
        elif mode == "Auto" and formatters.is_text(data):
            text = data.decode("utf-8")
        if mode == "Auto" and text is not None and not note and text.lstrip()[:1] in "{[" \
                and text.strip():
            d = formatters.decode("JSON", data)     # a JSON document reads better pretty
            if d.ok:
                self._show_decoded(d, "JSON, pretty-printed", mode)
                return
        fallback = (text if text is not None else hexdump(data), note)
        if mode == "Auto" and formatters.worth_detecting(data):
            # shown as text/hex now; a formatter's reading replaces it if one fits
            self._fallback = fallback
            if self._decoded_for != (self.db, self.key, mode):
                self._show_text(*fallback)
                self._set_decoded(None)
            if total > len(data):
                data, total = self.source.string_value(self.db, self.key, DECODE_LIMIT)
            self.decoder.submit(("value", self.db, self.key, mode), formatters.decode,
                                "Auto", data, total > len(data))
            return
        self.decoder.cancel()
        self._show_text(*fallback)
        self._set_decoded(None)

    # -- the formatters' readings
    _decoded_for = None                 # (db, key, mode) of the reading shown
    _fallback = ("", "")

    def _on_decoded(self, tag, d):
        _kind, db, key, mode = tag
        i = self.info
        if (db, key) != (self.db, self.key) or i is None or i.type != "string" or \
                mode != self.mode.currentText():
            return
        if mode == "Auto" and (not d.ok or d.name in ("Text", "Hex")):
            if self._decoded_for is not None:       # was decoded, is plain now
                self._show_text(*self._fallback)
                self._set_decoded(None)
            return
        if not d.ok:
            self._show_message(f"The value is {d.text}. Choose Auto, Text or Hex to see "
                               f"it.")
            return
        self._show_decoded(d, d.label, mode)

    def _show_decoded(self, d, label: str, mode: str):
        notes = " · ".join(d.notes)
        self._show_text(d.text, label + (" · " + notes if notes else ""))
        self._set_decoded(d)
        self._decoded_for = (self.db, self.key, mode)

    def _set_decoded(self, d):
        self.decoded = d
        self._decoded_for = None
        tree = d.tree if d is not None else None
        self.tree_button.setEnabled(tree is not None)
        self.struct_model.set_value(tree)
        if tree is not None and self.tree_button.isChecked():
            self.stack.setCurrentWidget(self.struct_view)
        elif self.stack.currentWidget() is self.struct_view:
            self.stack.setCurrentWidget(self.text)

    def _show_tree(self, on: bool):
        if on and self.decoded is not None and self.decoded.tree is not None:
            self.stack.setCurrentWidget(self.struct_view)
        elif self.stack.currentWidget() is self.struct_view:
            self.stack.setCurrentWidget(self.text)

    def _cell_bytes(self, index):
        """The bytes behind a table cell worth decoding, and what they are."""
        i = self.info
        if not index.isValid() or i is None or i.type in ("string", "stream"):
            return None, ""
        row = self.table_model.row(index.row())
        if row is None:
            return None, ""
        col = index.column()
        if i.type in ("list", "zset") or not isinstance(row[col], (bytes, bytearray)):
            col = 0 if i.type == "set" else 1  # the element / member, not index or score
        cols = self.table_model.columns
        return bytes(row[col]), (cols[col] if col < len(cols) else "")

    def _cell_chosen(self, index, _previous=None):
        raw, what = self._cell_bytes(index)
        if raw is None:
            self.cell_decoder.cancel()
            self.detail_box.hide()
            return
        mode = self.mode.currentText()
        self.detail_note.setText(f"selected {what}: decoding …")
        self.detail_box.show()
        self.cell_decoder.submit(("cell", self.db, self.key, index.row(), what, mode),
                                 formatters.decode, mode, raw, False)

    def _on_cell_decoded(self, tag, d):
        _kind, db, key, row, what, mode = tag
        cur = self.table.currentIndex()
        if (db, key) != (self.db, self.key) or mode != self.mode.currentText() or \
                not cur.isValid() or cur.row() != row:
            return
        notes = " · ".join(d.notes)
        self.detail_note.setText(f"selected {what}: " + (d.label if d.ok else "") +
                                 (" · " + notes if notes and d.ok else ""))
        self.detail.setPlainText(d.text)

    def _transfer(self):
        if self.key is not None:
            from .transfer import TransferDialog     # export / copy (gui/transfer.py)
            TransferDialog.for_key(self, self.source, self.db, self.key).open()

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
        if db != self.db or self.key is None or self.key not in keys:
            return
        interval = max(FEED_MIN_MS, FEED_LOOP_SHARE * self._refresh_cost * 1000)
        wait = interval - (time.monotonic() - self._refreshed_at) * 1000
        if wait <= 0:
            self._feed_refresh()
        elif not self._feed_timer.isActive():
            self._feed_timer.start(int(wait) + 1)

    def _feed_refresh(self):
        if self.table.state() == QAbstractItemView.EditingState:
            self._refresh_after_edit = True     # a reset would close the cell editor
            return
        self.refresh()

    def _cell_editor_closed(self, *_):
        if self._refresh_after_edit:
            self._refresh_after_edit = False
            QTimer.singleShot(0, self.refresh)
