"""Light and dark theme: the one place for the app's colours.

The choice is System (follow the OS: ``QStyleHints.colorScheme``), Light or Dark, kept in
QSettings.  Where the platform supplies a palette matching the scheme (macOS, Windows 11,
GNOME, KDE) System keeps it; where it does not (Fusion on a platform without dark support,
offscreen) and for an explicit choice, the palettes below are applied.  Charts are
pyqtgraph scenes that ignore the Qt palette: ``follow(plot)`` styles one and restyles it
on every ``manager().changed``.
"""
from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QObject, QSettings, Qt, Signal, Slot
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

MODES = ("system", "light", "dark")
SETTINGS_KEY = "view/theme"


@dataclass(frozen=True)
class Colors:
    dark: bool
    chart_background: str
    chart_foreground: str             # axes, ticks, tick labels, titles, legend text


LIGHT = Colors(False, "#ffffff", "#333333")
DARK = Colors(True, "#1e1f22", "#c8c8c8")


def _palette(roles: dict, disabled: dict) -> QPalette:
    p = QPalette()
    for role, color in roles.items():
        p.setColor(role, QColor(color))
    for role, color in disabled.items():
        p.setColor(QPalette.Disabled, role, QColor(color))
    return p


R = QPalette.ColorRole
DISABLED_ROLES = (R.WindowText, R.Text, R.ButtonText, R.HighlightedText)


def dark_palette() -> QPalette:
    return _palette({
        R.Window: "#2b2d30", R.WindowText: "#dfe1e5", R.Base: "#1e1f22",
        R.AlternateBase: "#26282b", R.ToolTipBase: "#3c3f41", R.ToolTipText: "#dfe1e5",
        R.PlaceholderText: "#8c8f94", R.Text: "#dfe1e5", R.Button: "#393b40",
        R.ButtonText: "#dfe1e5", R.BrightText: "#ff6b68", R.Light: "#4e5157",
        R.Midlight: "#43454a", R.Mid: "#323438", R.Dark: "#1b1c1f", R.Shadow: "#0d0d0e",
        R.Highlight: "#2f65ca", R.HighlightedText: "#ffffff", R.Link: "#589df6",
        R.LinkVisited: "#b07cd8", R.Accent: "#2f65ca",
    }, {r: "#7a7d82" for r in DISABLED_ROLES})


def light_palette() -> QPalette:
    return _palette({
        R.Window: "#efefef", R.WindowText: "#000000", R.Base: "#ffffff",
        R.AlternateBase: "#f7f7f7", R.ToolTipBase: "#ffffdc", R.ToolTipText: "#000000",
        R.PlaceholderText: "#808080", R.Text: "#000000", R.Button: "#efefef",
        R.ButtonText: "#000000", R.BrightText: "#ffffff", R.Light: "#ffffff",
        R.Midlight: "#cacaca", R.Mid: "#b8b8b8", R.Dark: "#9f9f9f", R.Shadow: "#767676",
        R.Highlight: "#308cc6", R.HighlightedText: "#ffffff", R.Link: "#0000ff",
        R.LinkVisited: "#ff00ff", R.Accent: "#308cc6",
    }, {r: "#bebebe" for r in DISABLED_ROLES})


def is_dark_palette(p: QPalette) -> bool:
    return p.color(QPalette.Window).lightness() < 128


class ThemeManager(QObject):
    """The app-wide theme.  ``changed(dark)`` after every (re)application."""
    changed = Signal(bool)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.mode = "system"
        self.settings: QSettings | None = None
        self.colors = LIGHT
        self._applying = False
        app = QApplication.instance()
        app.styleHints().colorSchemeChanged.connect(self._on_os_scheme)

    def load(self, settings: QSettings | None):
        """Take the saved choice from ``settings`` (None: nothing is remembered) and
        apply it."""
        self.settings = settings
        mode = settings.value(SETTINGS_KEY, "system") if settings is not None else "system"
        self.set_mode(mode if mode in MODES else "system", save=False)

    def set_mode(self, mode: str, save: bool = True):
        if mode not in MODES:
            raise ValueError(f"theme must be one of {', '.join(MODES)}")
        self.mode = mode
        if save and self.settings is not None:
            self.settings.setValue(SETTINGS_KEY, mode)
            self.settings.sync()
        self.apply()

    def os_scheme(self) -> Qt.ColorScheme:
        return QApplication.instance().styleHints().colorScheme()

    def apply(self):
        app = QApplication.instance()
        hints = app.styleHints()
        self._applying = True
        try:
            if self.mode == "system":
                hints.unsetColorScheme()
                app.setPalette(QPalette())          # back to the platform's palette
                dark = self.os_scheme() == Qt.ColorScheme.Dark
                if dark != is_dark_palette(app.palette()) and dark:
                    app.setPalette(dark_palette())  # the OS is dark, the style is not
                dark = is_dark_palette(app.palette())
            else:
                dark = self.mode == "dark"
                # the platform (title bars, native dialogs) where it supports the request
                hints.setColorScheme(Qt.ColorScheme.Dark if dark else Qt.ColorScheme.Light)
                app.setPalette(dark_palette() if dark else light_palette())
        finally:
            self._applying = False
        self.colors = DARK if dark else LIGHT
        import pyqtgraph as pg                      # charts created from now on
        pg.setConfigOptions(background=self.colors.chart_background,
                            foreground=self.colors.chart_foreground)
        self.changed.emit(dark)

    def _on_os_scheme(self, _scheme):
        if self.mode == "system" and not self._applying:
            self.apply()


_manager: ThemeManager | None = None


def manager() -> ThemeManager:
    """The app's one ThemeManager (created on first use; needs the QApplication)."""
    global _manager
    if _manager is None:
        _manager = ThemeManager(QApplication.instance())
    return _manager


def colors() -> Colors:
    return manager().colors


def style_plot(plot, c: Colors | None = None):
    """Chart background, axes, tick labels, title and legend text in the theme's colours
    (the curves keep their own colours: they read on both)."""
    c = c or colors()
    plot.setBackground(c.chart_background)
    item = plot.getPlotItem()
    for name in ("left", "bottom", "right", "top"):
        axis = item.getAxis(name)
        axis.setPen(c.chart_foreground)
        axis.setTextPen(c.chart_foreground)
    title = item.titleLabel
    if title.isVisible() and title.text:
        title.setText(title.text, color=c.chart_foreground)
    legend = item.legend
    if legend is not None:
        legend.setLabelTextColor(c.chart_foreground)


class _Follower(QObject):
    """A child of the chart: the connection dies with the chart."""

    def __init__(self, plot):
        super().__init__(plot)
        self.plot = plot

    @Slot(bool)
    def restyle(self, _dark: bool):
        style_plot(self.plot)


def follow(plot):
    """Style a pyqtgraph PlotWidget now and whenever the theme changes."""
    style_plot(plot)
    f = _Follower(plot)
    manager().changed.connect(f.restyle)
    plot._theme_follower = f            # keeps the Python side of the child alive
    return plot
