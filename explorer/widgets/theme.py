"""Light and dark themes: their colours, the application palette, and a signal when they change.

The code everywhere else names colours as they look in the light theme (``"#555555"``, Okabe–Ito
``"black"``); :meth:`Theme.color` turns such a colour into the one the current theme shows.
The light theme is the identity, so light pictures (exports, screenshots) never change; the dark
theme maps greys to their mirror image, pale fills to dim tints and dark inks to lighter ones,
and keeps the Okabe–Ito curve colours except black.

Widgets follow a change in one of three ways: Qt widgets through the application palette;
style sheets and rich text set with :func:`set_style_sheet`, :func:`set_rich_text` and
:func:`set_html`, which are re-coloured here; custom-painted widgets and plots by connecting
``theme_signals().changed`` to a method that rebuilds their pens.
"""

from __future__ import annotations

import colorsys
import re
import weakref
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, QObject, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QPainter, QPalette, QPen, QPixmap
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QPlainTextEdit,
    QProxyStyle,
    QStyle,
    QStyleFactory,
    QStyleOptionSlider,
    QTextBrowser,
    QToolTip,
    QWidget,
)

#: What the View ▸ Theme menu offers; "system" follows the operating system.
THEME_CHOICES = ("system", "light", "dark")

#: Okabe–Ito colours: distinguishable with the common forms of colour blindness.
OKABE_ITO = MappingProxyType({
    "blue": "#0072B2", "orange": "#E69F00", "green": "#009E73", "vermillion": "#D55E00",
    "sky": "#56B4E9", "purple": "#CC79A7", "yellow": "#F0E442", "black": "#000000",
})

# Dynamic properties holding the light-theme text of themed style sheets and rich text.
_STYLE_PROPERTY = "nnThemeStyleSheet"
_TEXT_PROPERTY = "nnThemeRichText"
_HTML_PROPERTY = "nnThemeHtml"
# "#rgb" or "#rrggbb" in CSS or HTML, but not an entity such as "&#8722;"; group 1 is set when
# the colour is a text colour ("color: #…" in CSS, color="#…" in HTML).
_HEX = re.compile(r"((?<![-\w])color\s*[:=]\s*['\"]?)?(?<![&\w])#([0-9a-fA-F]{6}|[0-9a-fA-F]{3})"
                  r"(?![0-9a-zA-Z])", re.IGNORECASE)
# A style sheet's rules (the parts in braces), or a whole text without braces; its background.
_RULE = re.compile(r"\{[^}]*\}|^[^{}]+$")
_BACKGROUND = re.compile(r"background(?:-color)?\s*:\s*(#[0-9a-fA-F]{6}|#[0-9a-fA-F]{3})\b",
                         re.IGNORECASE)
#: WCAG AA: text needs 4.5:1 against its background; the edges of fields 3:1.
TEXT_CONTRAST = 4.5
EDGE_CONTRAST = 3.0


@dataclass(frozen=True)
class Theme:
    """The colours of one theme, as ``"#rrggbb"`` strings.

    Attributes
    ----------
    name : str
        "light" or "dark".
    dark : bool
        Whether text is light on a dark background.
    window, base, alternate_base, text, muted, button : str
        Window background, background of fields and plots, alternate rows, text, secondary text
        (captions, notes), buttons.
    highlight, highlighted_text, link, link_visited : str
        Selection and links.
    tooltip_base, tooltip_text, disabled_text, placeholder : str
        Tooltips, disabled controls and empty fields.
    plot_background, plot_foreground, plot_axis : str
        Plot area, plot texts (title, tick labels, axis labels) and axis lines.
    error : str
        Text of an inline error message.
    edge : str
        The edges of fields, check boxes and slider grooves (3:1 against window and base).
    curves : mapping
        Okabe–Ito name -> the colour curves of that name are drawn in.
    """

    name: str
    dark: bool
    window: str
    base: str
    alternate_base: str
    text: str
    muted: str
    button: str
    highlight: str
    highlighted_text: str
    link: str
    link_visited: str
    tooltip_base: str
    tooltip_text: str
    disabled_text: str
    placeholder: str
    plot_background: str
    plot_foreground: str
    plot_axis: str
    error: str
    edge: str
    curves: Mapping[str, str]
    _cache: dict = field(default_factory=dict, compare=False, repr=False)

    def color(self, spec: str) -> str:
        """The theme's colour for ``spec``, as ``"#rrggbb"`` (``"#aarrggbb"`` if translucent).

        Parameters
        ----------
        spec : str
            An Okabe–Ito name ("black", "blue", ...), a field of this class ("text", "muted",
            "plot_background", ...), or a colour as it looks in the light theme ("#555555").
        """
        cached = self._cache.get(spec)
        if cached is None:
            c = self.qcolor(spec)
            cached = c.name(QColor.NameFormat.HexArgb if c.alpha() < 255
                            else QColor.NameFormat.HexRgb)
            self._cache[spec] = cached
        return cached

    def qcolor(self, spec: str | QColor | Qt.GlobalColor) -> QColor:
        """:meth:`color` as a new QColor; a QColor ``spec`` keeps its alpha."""
        if isinstance(spec, str):
            if spec in self.curves:
                return QColor(self.curves[spec])
            if spec in _ROLES:
                return QColor(getattr(self, spec))
            light = QColor(spec)
        else:
            light = QColor(spec)
        if not self.dark or not light.isValid():
            return light
        key = light.rgba()
        rgb = self._cache.get(key)
        if rgb is None:
            rgb = self._cache[key] = _dark_rgb(light, self)
        out = QColor(rgb)
        out.setAlpha(light.alpha())
        return out

    def ink(self, spec: str, background: str | None = None) -> str:
        """``spec`` as a colour of text, readable on ``background`` (a light-theme colour).

        :meth:`color`, made darker (on a light theme) or lighter (on a dark one), keeping its
        hue, until it reaches :data:`TEXT_CONTRAST` against the background: the given one, or
        else both the window and the base background (where text usually sits).
        """
        key = ("ink", spec, background)
        cached = self._cache.get(key)
        if cached is None:
            grounds = ((self.color(background),) if background is not None
                       else (self.window, self.base))
            c = self.qcolor(spec)
            hue, lightness, saturation = colorsys.rgb_to_hls(c.redF(), c.greenF(), c.blueF())
            step = 0.02 if self.dark else -0.02
            while 0.0 < lightness < 1.0 and min(contrast(c, g) for g in grounds) < TEXT_CONTRAST:
                lightness = min(1.0, max(0.0, lightness + step))
                c = QColor.fromRgbF(*colorsys.hls_to_rgb(hue, lightness, saturation))
            cached = self._cache[key] = c.name()
        return cached

    def css(self, text: str) -> str:
        """``text`` (a style sheet or HTML) in this theme's colours.

        Text colours go through :meth:`ink`, against the background their rule gives if it
        gives one; the other ``#rgb``/``#rrggbb`` colours through :meth:`color`.
        """
        if "#" not in text:
            return text
        return _RULE.sub(self._css_rule, text)

    def _css_rule(self, rule: re.Match) -> str:
        body = rule.group(0)
        background = _BACKGROUND.search(body)
        ground = background.group(1) if background else None

        def mapped(match: re.Match) -> str:
            prefix, spec = match.group(1), "#" + match.group(2)
            if prefix:
                return prefix + self.ink(spec, ground)
            return self.color(spec) if self.dark else match.group(0)

        return _HEX.sub(mapped, body)

    def palette(self) -> QPalette:
        """A QPalette with this theme's colours (Fusion honours all of them)."""
        palette = QPalette()
        active = {
            QPalette.ColorRole.Window: self.window,
            QPalette.ColorRole.WindowText: self.text,
            QPalette.ColorRole.Base: self.base,
            QPalette.ColorRole.AlternateBase: self.alternate_base,
            QPalette.ColorRole.Text: self.text,
            QPalette.ColorRole.Button: self.button,
            QPalette.ColorRole.ButtonText: self.text,
            QPalette.ColorRole.BrightText: "#ffffff",
            QPalette.ColorRole.Highlight: self.highlight,
            QPalette.ColorRole.HighlightedText: self.highlighted_text,
            QPalette.ColorRole.Link: self.link,
            QPalette.ColorRole.LinkVisited: self.link_visited,
            QPalette.ColorRole.ToolTipBase: self.tooltip_base,
            QPalette.ColorRole.ToolTipText: self.tooltip_text,
            QPalette.ColorRole.PlaceholderText: self.placeholder,
            QPalette.ColorRole.Accent: self.highlight,
        }
        button = QColor(self.button)
        # Bevels: lighter and darker shades of the button colour, as Fusion derives them.
        shades = {
            QPalette.ColorRole.Light: button.lighter(150 if self.dark else 160),
            QPalette.ColorRole.Midlight: button.lighter(125 if self.dark else 115),
            QPalette.ColorRole.Mid: button.darker(130),
            QPalette.ColorRole.Dark: button.darker(160 if self.dark else 150),
            QPalette.ColorRole.Shadow: QColor("#000000" if self.dark else "#767676"),
        }
        for role, value in active.items():
            palette.setColor(role, QColor(value))
        for role, value in shades.items():
            palette.setColor(role, value)
        disabled = QPalette.ColorGroup.Disabled
        for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text,
                     QPalette.ColorRole.ButtonText):
            palette.setColor(disabled, role, QColor(self.disabled_text))
        palette.setColor(disabled, QPalette.ColorRole.Base, QColor(self.window))
        palette.setColor(disabled, QPalette.ColorRole.Highlight,
                         QColor("#4a4a4a" if self.dark else "#919191"))
        return palette


LIGHT = Theme(
    name="light", dark=False,
    # Fusion's own light palette, so that a light theme forced on a dark desktop looks like
    # the light theme everywhere else.
    window="#efefef", base="#ffffff", alternate_base="#f7f7f7", text="#000000",
    muted="#555555", button="#efefef", highlight="#2878b0", highlighted_text="#ffffff",
    link="#0000ff", link_visited="#a020a0", tooltip_base="#ffffdc", tooltip_text="#000000",
    disabled_text="#bebebe", placeholder="#767676",
    plot_background="#ffffff", plot_foreground="#222222", plot_axis="#222222",
    error="#c0392b", edge="#858585", curves=OKABE_ITO,
)

DARK = Theme(
    name="dark", dark=True,
    window="#2b2b2b", base="#1e1e1e", alternate_base="#262626", text="#e6e6e6",
    muted="#a4a4a4", button="#383838", highlight="#2f79b5", highlighted_text="#ffffff",
    link="#6cb4ee", link_visited="#d08fd0", tooltip_base="#3c3c3c", tooltip_text="#e6e6e6",
    disabled_text="#7a7a7a", placeholder="#8a8a8a",
    plot_background="#1e1e1e", plot_foreground="#dcdcdc", plot_axis="#9a9a9a",
    error="#f08a7e", edge="#a0a0a0",
    # Okabe–Ito black would vanish on a dark background: it becomes a light grey, and blue
    # (3.2:1 on the plot background, under 3:1 as text on the window) a lighter blue of the same
    # hue, still well apart from sky blue. The other six keep their colour (4.3:1 or more).
    curves=MappingProxyType({**OKABE_ITO, "black": "#d9d9d9", "blue": "#0083cc"}),
)

THEMES = MappingProxyType({"light": LIGHT, "dark": DARK})

# Fields of Theme that are colours (what Theme.color accepts as a role name).
_ROLES = frozenset(("window", "base", "alternate_base", "text", "muted", "button", "highlight",
                    "highlighted_text", "link", "link_visited", "tooltip_base", "tooltip_text",
                    "disabled_text", "placeholder", "plot_background", "plot_foreground",
                    "plot_axis", "error", "edge"))

# Light colours whose dark counterpart is chosen rather than computed.
_DARK_CHOICES = {
    **{QColor(v).rgb(): QColor(DARK.curves[k]).rgb() for k, v in OKABE_ITO.items()},
    QColor(LIGHT.plot_foreground).rgb(): QColor(DARK.plot_foreground).rgb(),
    QColor(LIGHT.error).rgb(): QColor(DARK.error).rgb(),
    QColor(LIGHT.window).rgb(): QColor(DARK.window).rgb(),
    QColor(LIGHT.base).rgb(): QColor(DARK.base).rgb(),
}


def _luminance(r: float, g: float, b: float) -> float:
    """WCAG relative luminance of an sRGB colour with channels in [0, 1]."""
    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b)


def contrast(first: str | QColor, second: str | QColor) -> float:
    """WCAG contrast ratio of two colours (1 … 21)."""
    values = []
    for c in (QColor(first), QColor(second)):
        values.append(_luminance(c.redF(), c.greenF(), c.blueF()))
    high, low = max(values), min(values)
    return (high + 0.05) / (low + 0.05)


def _dark_rgb(light: QColor, theme: Theme) -> int:
    """The dark theme's counterpart of a light-theme colour, as 0xffRRGGBB.

    Greys are mirrored (white becomes the plot background, black a light grey); pale tints
    (fills) become dim tints of the same hue; inks too dark to read on the dark background
    are lightened until they reach 4.5:1 contrast; the rest are kept.
    """
    rgb = light.rgb()
    if rgb in _DARK_CHOICES:
        return _DARK_CHOICES[rgb]
    h, lightness, s = colorsys.rgb_to_hls(light.redF(), light.greenF(), light.blueF())
    base = QColor(theme.base)
    floor = base.lightnessF()
    if s < 0.12:
        out = colorsys.hls_to_rgb(h, floor + (1.0 - lightness) * 0.79, s)
    elif lightness >= 0.75:
        out = colorsys.hls_to_rgb(h, floor + 0.02 + (1.0 - lightness) * 0.9, min(0.4, s * 0.6))
    else:
        out = (light.redF(), light.greenF(), light.blueF())
        background = _luminance(base.redF(), base.greenF(), base.blueF())
        while lightness < 0.86 and (_luminance(*out) + 0.05) / (background + 0.05) < 4.5:
            lightness += 0.02
            out = colorsys.hls_to_rgb(h, lightness, s)
    return QColor.fromRgbF(*(min(1.0, max(0.0, c)) for c in out)).rgb()


class ThemeSignals(QObject):
    """Announces theme changes; one instance per application (see :func:`theme_signals`)."""

    #: Emitted with the new :class:`Theme` after the palette and themed texts are updated.
    changed = Signal(object)

    def _system_scheme_changed(self, _scheme: object = None) -> None:
        if _choice == "system" and not _requesting:
            apply_theme("system")


_current: Theme = LIGHT
_choice = "light"
_signals: ThemeSignals | None = None
_original: tuple[str, QPalette, QPalette] | None = None  # style, palette, tooltip palette
_requesting = False  # True while the app itself asks Qt for a colour scheme
_themed: weakref.WeakValueDictionary[int, QWidget] = weakref.WeakValueDictionary()


def theme_signals() -> ThemeSignals:
    """The application's :class:`ThemeSignals` (a child of the QApplication), made on demand."""
    global _signals
    app = QApplication.instance()
    if _signals is not None:
        try:
            if _signals.parent() is app:
                return _signals
        except RuntimeError:  # the application it belonged to is gone
            pass
    _signals = ThemeSignals(app)
    if app is not None:
        _signals.setObjectName("nn-explorer theme")
        hints = QGuiApplication.styleHints()
        if hasattr(hints, "colorSchemeChanged"):
            hints.colorSchemeChanged.connect(_signals._system_scheme_changed)
    return _signals


def current_theme() -> Theme:
    """The theme shown now (light until :func:`apply_theme` says otherwise)."""
    return _current


def theme_choice() -> str:
    """What was last asked for: "system", "light" or "dark"."""
    return _choice


def system_theme_name() -> str:
    """Return "dark" when the operating system asks for dark colours, else "light".

    With Qt >= 6.8 this is the system's answer only while the choice is "system" (otherwise Qt
    reports the scheme the app asked for).
    """
    if QGuiApplication.instance() is None:
        return "light"
    scheme = QGuiApplication.styleHints().colorScheme()
    return "dark" if scheme == Qt.ColorScheme.Dark else "light"


def color(spec: str) -> str:
    """The current theme's colour for ``spec`` (see :meth:`Theme.color`)."""
    return _current.color(spec)


def qcolor(spec: str | QColor) -> QColor:
    """The current theme's colour for ``spec`` as a new QColor."""
    return _current.qcolor(spec)


def css(text: str) -> str:
    """``text`` (style sheet or HTML) in the current theme's colours (see :meth:`Theme.css`)."""
    return _current.css(text)


def _remember(widget: QWidget) -> None:
    # By the wrapper's id, weakly: a widget Python no longer knows about needs no re-colouring.
    # (Walking QApplication.allWidgets() instead wraps Qt's internal widgets too, and that
    # crashed the interpreter after a main window had closed.)
    _themed[id(widget)] = widget


def set_style_sheet(widget: QWidget, style: str) -> None:
    """Give ``widget`` the style sheet ``style`` (light colours), re-coloured on theme changes."""
    widget.setProperty(_STYLE_PROPERTY, style or None)
    widget.setStyleSheet(_current.css(style))
    _remember(widget)


def set_rich_text(label: QLabel, html: str) -> None:
    """Set a label's rich text (light colours); it is re-coloured on theme changes."""
    label.setProperty(_TEXT_PROPERTY, html if "#" in html else None)
    label.setText(_current.css(html))
    _remember(label)


def set_html(browser: QTextBrowser, html: str) -> None:
    """Set a text browser's HTML (light colours); it is re-coloured on theme changes."""
    browser.setProperty(_HTML_PROPERTY, html if "#" in html else None)
    browser.setHtml(_current.css(html))
    _remember(browser)


def _live_widgets() -> list[QWidget]:
    """The remembered widgets whose C++ side still exists."""
    return [w for w in list(_themed.values()) if shiboken6.isValid(w)]


def _recolour_widgets(theme: Theme) -> None:
    for widget in _live_widgets():
        style = widget.property(_STYLE_PROPERTY)
        if style:
            widget.setStyleSheet(theme.css(style))
        text = widget.property(_TEXT_PROPERTY)
        if text and isinstance(widget, QLabel):
            widget.setText(theme.css(text))
        html = widget.property(_HTML_PROPERTY)
        if html and isinstance(widget, QTextBrowser):
            bar = widget.verticalScrollBar()
            position = bar.value()
            widget.setHtml(theme.css(html))
            bar.setValue(position)


def tinted_icon(icon: QIcon, color: QColor, size: QSize) -> QIcon:
    """``icon`` drawn in ``color`` alone, its shape kept (for a style's black icons)."""
    pixmap = icon.pixmap(size)
    tinted = QPixmap(pixmap.size())
    tinted.setDevicePixelRatio(pixmap.devicePixelRatio())
    tinted.fill(Qt.GlobalColor.transparent)
    painter = QPainter(tinted)
    painter.drawPixmap(0, 0, pixmap)
    painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceIn)
    painter.fillRect(tinted.rect(), color)
    painter.end()
    return QIcon(tinted)


class _EdgeStyle(QProxyStyle):
    """The app's style, with fields, check boxes and slider grooves edged in :attr:`Theme.edge`.

    Fusion draws those edges a shade darker than the window: about 2:1 against a light field,
    and all but invisible on a dark one, where a field then reads as a label. WCAG asks 3:1
    for what shows where a control is. Only colours change: every size stays the style's own.
    """

    def _edge(self, painter: QPainter, rect, radius: float) -> None:
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setPen(QPen(_current.qcolor("edge"), 1.0))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRoundedRect(QRectF(rect).adjusted(0.5, 0.5, -0.5, -0.5), radius, radius)
        painter.restore()

    def drawPrimitive(self, element, option, painter, widget=None) -> None:  # noqa: D102, N802
        super().drawPrimitive(element, option, painter, widget)
        focused = bool(option.state & QStyle.StateFlag.State_HasFocus)
        if element == QStyle.PrimitiveElement.PE_FrameLineEdit and not focused:
            self._edge(painter, option.rect, 2.0)
        elif element == QStyle.PrimitiveElement.PE_IndicatorCheckBox:
            self._edge(painter, option.rect, 1.0)
        elif element == QStyle.PrimitiveElement.PE_Frame and not focused \
                and isinstance(widget, QPlainTextEdit):
            self._edge(painter, option.rect, 0.0)

    def drawComplexControl(self, control, option, painter, widget=None) -> None:  # noqa: D102, N802
        complex_ = QStyle.ComplexControl
        if control == complex_.CC_Slider:
            # The groove's edge under the handle, not over it.
            parts = option.subControls
            groove = QStyleOptionSlider(option)
            groove.subControls = QStyle.SubControl.SC_SliderGroove
            super().drawComplexControl(control, groove, painter, widget)
            self._edge(painter, self.subControlRect(control, option,
                                                    QStyle.SubControl.SC_SliderGroove, widget),
                       2.0)
            rest = QStyleOptionSlider(option)
            rest.subControls = parts & ~QStyle.SubControl.SC_SliderGroove
            super().drawComplexControl(control, rest, painter, widget)
            return
        super().drawComplexControl(control, option, painter, widget)
        focused = bool(option.state & QStyle.StateFlag.State_HasFocus)
        if control in (complex_.CC_ComboBox, complex_.CC_SpinBox) and option.frame \
                and not focused:
            self._edge(painter, option.rect, 2.0)


def _install_palette(app: QApplication, theme: Theme) -> None:
    """Style and palette for ``theme``; the light theme is the app's own look, untouched."""
    global _original
    if _original is None:
        style = app.style()
        name = (style.baseStyle() if isinstance(style, QProxyStyle) else style).name()
        _original = (name, QPalette(app.palette()), QPalette(QToolTip.palette()))
    style_name, palette, tooltip = _original
    original_is_light = palette.color(QPalette.ColorRole.Window).lightnessF() >= 0.5
    if theme.dark or not original_is_light:
        # Fusion draws every control from the palette on every platform; native styles
        # (Windows, macOS) would keep some of their own light colours.
        wanted, palette, tooltip = "fusion", theme.palette(), theme.palette()
    else:
        wanted = style_name
    style = app.style()
    if not isinstance(style, _EdgeStyle) or style.baseStyle().name().lower() != wanted.lower():
        app.setStyle(_EdgeStyle(QStyleFactory.create(wanted)))
    app.setPalette(palette)
    QToolTip.setPalette(tooltip)
    # Qt passes a new application palette on to top-level widgets through their windows' event
    # queue; once matplotlib has been imported inside the running event loop (the formulas do)
    # that step never arrives (PySide6 6.11, xcb and offscreen alike) and the widgets keep the
    # old palette. Telling the app's windows directly re-resolves their palettes and their
    # children's at once. The windows are found through the widgets themed here (every panel
    # has some), not QApplication.topLevelWidgets(), which would wrap Qt's internal popups.
    change = QEvent(QEvent.Type.ApplicationPaletteChange)
    windows = {id(w.window()): w.window() for w in _live_widgets()}
    for window in windows.values():
        QCoreApplication.sendEvent(window, change)


def _request_scheme(choice: str) -> None:
    """Tell Qt (>= 6.8) which scheme the app wants, so native title bars and dialogs match."""
    global _requesting
    hints = QGuiApplication.styleHints()
    if not hasattr(hints, "setColorScheme"):
        return
    _requesting = True
    try:
        if choice == "system":
            hints.unsetColorScheme()
        else:
            hints.setColorScheme(Qt.ColorScheme.Dark if choice == "dark"
                                 else Qt.ColorScheme.Light)
    finally:
        _requesting = False


def apply_theme(name: str) -> Theme:
    """Switch the whole application to theme ``name`` ("system", "light" or "dark").

    Sets the QApplication palette (with the Fusion style for dark), re-colours themed style
    sheets and rich text, and emits ``theme_signals().changed`` when the theme shown changes.
    "system" follows the operating system now and whenever it switches. Needs a QApplication.

    Raises
    ------
    ValueError
        If ``name`` is not one of :data:`THEME_CHOICES`.
    """
    global _current, _choice
    if name not in THEME_CHOICES:
        raise ValueError(f"unknown theme '{name}': choose from {', '.join(THEME_CHOICES)}")
    app = QApplication.instance()
    if app is None:
        raise RuntimeError("apply_theme needs a QApplication")
    signals = theme_signals()
    if name != _choice:
        _choice = name
        _request_scheme(name)
    theme = THEMES[system_theme_name() if name == "system" else name]
    if theme is _current and _original is not None:
        return theme
    _current = theme
    _install_palette(app, theme)
    _recolour_widgets(theme)
    signals.changed.emit(theme)
    return theme
