"""Light/dark theme: the application palette, the charts, the View menu, the remembered
choice (in a temporary settings file: tests never touch the user's settings)."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QSettings, Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QLineEdit

from gui import theme


@pytest.fixture
def themed(qapp, tmp_path):
    path = str(tmp_path / "keyscope.ini")
    settings = QSettings(path, QSettings.IniFormat)
    m = theme.manager()
    m.load(settings)
    yield m, path
    m.load(None)                    # back to System, nothing remembered
    assert m.mode == "system" and not m.colors.dark


def window_color(widget=None):
    p = widget.palette() if widget is not None else QApplication.palette()
    return p.color(QPalette.Window)


def test_dark_and_light_switch_the_palette_and_the_choice_is_remembered(qtbot, themed):
    m, path = themed
    edit = QLineEdit()
    qtbot.addWidget(edit)
    assert m.mode == "system" and window_color().lightness() > 128   # offscreen: light

    m.set_mode("dark")
    assert window_color().lightness() < 80
    qtbot.waitUntil(lambda: window_color(edit).lightness() < 80)     # widgets follow
    assert edit.palette().color(QPalette.Text).lightness() > 180     # light text on dark
    assert QSettings(path, QSettings.IniFormat).value(theme.SETTINGS_KEY) == "dark"

    m.set_mode("light")
    assert window_color().lightness() > 200
    qtbot.waitUntil(lambda: window_color(edit).lightness() > 200)
    assert QSettings(path, QSettings.IniFormat).value(theme.SETTINGS_KEY) == "light"
    with pytest.raises(ValueError):
        m.set_mode("sepia")


def test_a_remembered_choice_is_applied_at_start(qapp, tmp_path):
    path = str(tmp_path / "k.ini")
    s = QSettings(path, QSettings.IniFormat)
    s.setValue(theme.SETTINGS_KEY, "dark")
    s.sync()
    m = theme.manager()
    try:
        m.load(QSettings(path, QSettings.IniFormat))
        assert m.mode == "dark" and m.colors.dark and window_color().lightness() < 80
        s.setValue(theme.SETTINGS_KEY, "nonsense")
        s.sync()
        m.load(QSettings(path, QSettings.IniFormat))
        assert m.mode == "system"
    finally:
        m.load(None)


def test_system_follows_the_os_scheme_when_it_changes(qtbot, themed, monkeypatch):
    m, _ = themed
    seen = []
    m.changed.connect(seen.append)
    # offscreen has no OS colour scheme: report one, and send the signal the OS would
    monkeypatch.setattr(m, "os_scheme", lambda: Qt.ColorScheme.Dark)
    QApplication.styleHints().colorSchemeChanged.emit(Qt.ColorScheme.Dark)
    assert seen == [True] and window_color().lightness() < 80
    monkeypatch.setattr(m, "os_scheme", lambda: Qt.ColorScheme.Light)
    QApplication.styleHints().colorSchemeChanged.emit(Qt.ColorScheme.Light)
    assert seen == [True, False] and window_color().lightness() > 200
    m.set_mode("light")             # an explicit choice ignores the OS from now on
    monkeypatch.setattr(m, "os_scheme", lambda: Qt.ColorScheme.Dark)
    QApplication.styleHints().colorSchemeChanged.emit(Qt.ColorScheme.Dark)
    assert seen[-1] is False and window_color().lightness() > 200


def chart_colors(chart):
    item = chart.getPlotItem()
    return (chart.backgroundBrush().color().name(),
            item.getAxis("left").textPen().color().name(),
            item.getAxis("bottom").pen().color().name())


def test_the_charts_follow_the_theme(qtbot, embedded, themed):
    from gui.memory_panel import MemoryPanel
    from gui.overview import OverviewPanel
    _, source = embedded
    m, _ = themed
    overview = OverviewPanel(source)
    memory = MemoryPanel(source)
    for w in (overview, memory):
        qtbot.addWidget(w)
    charts = list(overview.charts.values()) + [memory.chart]
    light = (theme.LIGHT.chart_background, theme.LIGHT.chart_foreground,
             theme.LIGHT.chart_foreground)
    dark = (theme.DARK.chart_background, theme.DARK.chart_foreground,
            theme.DARK.chart_foreground)
    assert all(chart_colors(c) == light for c in charts)
    m.set_mode("dark")
    assert all(chart_colors(c) == dark for c in charts)
    title = memory.chart.getPlotItem().titleLabel
    assert title.opts["color"] == theme.DARK.chart_foreground and title.text == "memory"
    legend = memory.chart.getPlotItem().legend
    assert legend.opts["labelTextColor"].name() == theme.DARK.chart_foreground
    fresh = OverviewPanel(source)       # made while dark: dark from the start
    qtbot.addWidget(fresh)
    assert all(chart_colors(c) == dark for c in fresh.charts.values())
    m.set_mode("light")
    assert all(chart_colors(c) == light for c in charts)


def test_a_deleted_chart_leaves_the_theme_signal_alone(qtbot, embedded, themed):
    from gui.overview import Chart
    m, _ = themed
    chart = Chart("gone", "x")
    chart.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.DeferredDelete)
    m.set_mode("dark")              # pytest-qt fails the test on an exception in a slot
    m.set_mode("system")


def test_the_view_menu_chooses_the_theme(qtbot, embedded, themed):
    from gui.app import MainWindow
    server, source = embedded
    m, path = themed
    window = MainWindow(source, server)
    qtbot.addWidget(window)
    assert window.theme_actions["system"].isChecked()
    window.theme_actions["dark"].trigger()
    assert m.mode == "dark" and window_color().lightness() < 80
    assert all(c.backgroundBrush().color().name() == theme.DARK.chart_background
               for c in window.overview.charts.values())
    assert QSettings(path, QSettings.IniFormat).value(theme.SETTINGS_KEY) == "dark"
    m.set_mode("light")             # changed elsewhere (another window): the menu follows
    assert window.theme_actions["light"].isChecked()
    assert not window.theme_actions["dark"].isChecked()
    window.theme_actions["system"].trigger()
    assert m.mode == "system" and window_color().lightness() > 200
