"""Helpers for the panels' and the key view's tests: drive the widgets like a user does."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from gui.keyview import KeyView


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


def retype(edit, s: str):
    """Replace a line edit's text by keyboard: focus, select all, delete, type."""
    edit.setFocus()
    edit.selectAll()
    QTest.keyClick(edit, Qt.Key_Delete)
    if s:
        QTest.keyClicks(edit, s)


def click(button):
    QTest.mouseClick(button, Qt.LeftButton)


def key_view(qtbot, source, size=(1100, 900)):
    """A KeyView shown on screen, no key yet (check its models before showing one)."""
    view = KeyView(source)
    qtbot.addWidget(view)
    view.resize(*size)
    view.show()
    qtbot.waitExposed(view)
    return view
