"""The tree's filters besides the glob: type, TTL range, size.  Typed values are checked
here (a bad one shows a message and changes nothing); the tree gets a ``TreeFilter``."""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QLineEdit, QWidget

from .panelkit import ERROR_STYLE
from .treefilter import TYPES, parse_count, parse_size, parse_ttl

TTL_CHOICES = (("any TTL", "any"), ("no TTL", "none"), ("has a TTL", "has"),
               ("expiring within", "within"), ("TTL between", "between"))
SIZE_CHOICES = (("any size", None), ("memory >=", "bytes"), ("length >=", "length"))


class FilterBar(QWidget):
    """Emits ``changed`` when the user set a valid new combination."""
    changed = Signal()

    def __init__(self, remote: bool = False, parent=None):
        super().__init__(parent)
        self.remote = remote
        self.type_combo = QComboBox()
        self.type_combo.addItem("any type", None)
        for t in TYPES:
            self.type_combo.addItem(t, t)
        self.ttl_combo = QComboBox()
        for label, mode in TTL_CHOICES:
            self.ttl_combo.addItem(label, mode)
        self.ttl_a = QLineEdit()
        self.ttl_b = QLineEdit()
        for e, hint, tip in ((self.ttl_a, "60s", "e.g. 60 (seconds), 90s, 5m, 2h, 1d"),
                             (self.ttl_b, "e.g. 1h", "upper bound, e.g. 1h")):
            e.setPlaceholderText(hint)
            e.setToolTip(tip)
            e.setMaximumWidth(60)
        self.size_combo = QComboBox()
        for label, kind in SIZE_CHOICES:
            self.size_combo.addItem(label, kind)
        self.size_edit = QLineEdit()
        self.size_edit.setMaximumWidth(70)
        self.error = QLabel()
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)

        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        for w in (self.type_combo, self.ttl_combo, self.ttl_a, self.ttl_b,
                  self.size_combo, self.size_edit):
            lay.addWidget(w)
        lay.addStretch(1)
        self._last = self._read(quiet=True)[0]
        self._sync_visibility()
        for combo in (self.type_combo, self.ttl_combo, self.size_combo):
            combo.currentIndexChanged.connect(lambda _: self._update(quiet=True))
        for e in (self.ttl_a, self.ttl_b, self.size_edit):
            e.editingFinished.connect(self._update)

    def values(self) -> dict:
        """The current valid filter fields (TreeFilter keyword arguments)."""
        return dict(self._last)

    def _sync_visibility(self):
        mode = self.ttl_combo.currentData()
        self.ttl_a.setVisible(mode in ("within", "between"))
        self.ttl_b.setVisible(mode == "between")
        self.size_edit.setVisible(self.size_combo.currentData() is not None)
        self.size_edit.setPlaceholderText("4k" if self.size_combo.currentData() == "bytes"
                                          else "100")

    def _read(self, quiet: bool = False):
        """(fields, error): error None when valid; quiet: an empty field needed by the
        chosen mode is not an error yet (the user is about to type it)."""
        out = {"type": self.type_combo.currentData(), "ttl": ("any",),
               "min_bytes": None, "min_length": None}
        try:
            mode = self.ttl_combo.currentData()
            if mode in ("within", "between"):
                if quiet and not self.ttl_a.text().strip():
                    return None, None
                a = parse_ttl(self.ttl_a.text())
                if mode == "within":
                    out["ttl"] = ("within", a)
                else:
                    if quiet and not self.ttl_b.text().strip():
                        return None, None
                    b = parse_ttl(self.ttl_b.text())
                    if a > b:
                        raise ValueError("the TTL range's lower bound is above its upper one")
                    out["ttl"] = ("between", a, b)
            elif mode != "any":
                out["ttl"] = (mode,)
            kind = self.size_combo.currentData()
            if kind is not None:
                if quiet and not self.size_edit.text().strip():
                    return None, None
                if kind == "bytes":
                    if self.remote:
                        raise ValueError("remote mode is sampled: a memory filter would need "
                                         "MEMORY USAGE on every key, so it is not offered")
                    out["min_bytes"] = parse_size(self.size_edit.text())
                else:
                    out["min_length"] = parse_count(self.size_edit.text())
        except ValueError as e:
            return None, str(e)
        return out, None

    def _update(self, quiet: bool = False):
        self._sync_visibility()
        fields, err = self._read(quiet)
        self.error.setText(err or "")
        self.error.setVisible(bool(err))
        if fields is not None and fields != self._last:
            self._last = fields
            self.changed.emit()
