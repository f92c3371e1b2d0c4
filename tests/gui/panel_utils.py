"""Helpers for the server panels' tests: drive a panel like a user does."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest


def type_into(field, value: str) -> bool:
    """Type ``value`` into a ConfigField and press Enter (as a user would); True when the
    server took it (no inline error)."""
    field.edit.setFocus()
    field.edit.selectAll()
    if value:
        QTest.keyClicks(field.edit, value)
    else:
        QTest.keyClick(field.edit, Qt.Key_Delete)
    QTest.keyClick(field.edit, Qt.Key_Return)
    return field.error.text() == ""


def show_panel(qtbot, panel, model_check, *models):
    qtbot.addWidget(panel)
    for m in models:
        model_check(m)
    panel.show()
    return panel
