"""Panels for what the server does not do yet.  They say so plainly; no sample data."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

PLANNED = {
    "Slowlog": "The slowlog is not available yet: the server does not record slow "
               "commands yet. This panel will list them (exact, without the inspector's "
               "own traffic) once SLOWLOG lands.",
    "Replication": "Replication is not available yet: the server does not run replication "
                   "links yet. This panel will show the backlog ring, each replica's offset "
                   "and lag, and whether a reconnect would be a partial or a full resync.",
    "Persistence": "Persistence is not available yet: the server does not save RDB or AOF "
                   "files yet. This panel will show save progress, the changes since the "
                   "last save against each save rule, and the AOF file set.",
}


class Placeholder(QWidget):
    def __init__(self, title: str, text: str | None = None, parent=None):
        super().__init__(parent)
        self.title = title
        label = QLabel(f"<h3>{title}</h3><p>{text or PLANNED[title]}</p>")
        label.setWordWrap(True)
        label.setAlignment(Qt.AlignTop | Qt.AlignLeft)
        label.setTextFormat(Qt.RichText)
        self.label = label
        lay = QVBoxLayout(self)
        lay.addWidget(label)
        lay.addStretch(1)
