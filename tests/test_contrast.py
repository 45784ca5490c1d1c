"""Every text colour the app uses reads at WCAG AA in both themes; field edges show at 3:1.

The ratios are computed from the colours the app really sets: the theme's roles, then every
style sheet, rich text and HTML of every panel and of the window, as the theme maps them, and
the texts painted on the plots. Field edges are measured in pixels.
"""

import re

import numpy as np
import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QLabel,
    QLineEdit,
    QSlider,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from explorer.main_window import MainWindow
from explorer.panels import PANELS
from explorer.widgets import theme
from explorer.widgets.painted_plot import PaintedPlot, PaintedText
from explorer.widgets.theme import (
    DARK,
    EDGE_CONTRAST,
    LIGHT,
    TEXT_CONTRAST,
    apply_theme,
    contrast,
)

THEMES = {"light": LIGHT, "dark": DARK}
# A CSS rule's colours: the text colour, and the background it sits on if the rule gives one.
_RULE = re.compile(r"[^{}]*\{([^}]*)\}|([^{}]+)$")
_COLOR = re.compile(r"(?<![-\w])color\s*[:=]\s*['\"]?(#[0-9a-fA-F]{3,8})", re.IGNORECASE)
_BACKGROUND = re.compile(r"background(?:-color)?\s*:\s*(#[0-9a-fA-F]{3,8})", re.IGNORECASE)


@pytest.fixture(autouse=True)
def _light_again(qapp):
    yield
    apply_theme("light")


@pytest.mark.parametrize("name", ["light", "dark"])
def test_the_themes_text_roles_reach_aa(name):
    t = THEMES[name]
    for text, background in (("text", "window"), ("text", "base"), ("muted", "window"),
                             ("muted", "base"), ("link", "base"), ("link_visited", "base"),
                             ("error", "window"), ("error", "base"), ("placeholder", "base"),
                             ("tooltip_text", "tooltip_base"), ("highlighted_text", "highlight"),
                             ("plot_foreground", "plot_background")):
        ratio = contrast(getattr(t, text), getattr(t, background))
        assert ratio >= TEXT_CONTRAST, (name, text, background, round(ratio, 2))
    for background in ("window", "base"):
        assert contrast(t.edge, getattr(t, background)) >= EDGE_CONTRAST, (name, background)


def _text_colours(css: str):
    """(text colour, its rule's background or None) for every text colour in ``css``."""
    for match in _RULE.finditer(css):
        body = match.group(1) if match.group(1) is not None else match.group(2)
        background = _BACKGROUND.search(body)
        for colour in _COLOR.findall(body):
            yield colour, background.group(1) if background else None


def _shown_css(widget: QWidget) -> list[str]:
    """The style sheet, rich text and HTML a widget shows now."""
    found = [widget.styleSheet()]
    if isinstance(widget, QLabel):
        found.append(widget.text())
    if isinstance(widget, QTextBrowser):
        found.append(widget.toHtml())
    return [text for text in found if text and "color" in text]


def _failures(t, widgets):
    failures = []
    for widget in widgets:
        for css in _shown_css(widget):
            for colour, background in _text_colours(css):
                # Qt's own HTML writes the default colour of a document; not an app colour.
                grounds = [background] if background else [t.window, t.base]
                ratio = min(contrast(colour, ground) for ground in grounds)
                if ratio < TEXT_CONTRAST:
                    failures.append((type(widget).__name__, colour, grounds, round(ratio, 2),
                                     css[:80]))
    return failures


@pytest.mark.parametrize("name", ["light", "dark"])
def test_every_text_colour_of_every_panel_reaches_aa(qtbot, tmp_path, name):
    window = MainWindow(settings=QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.set_theme(name)
    window.resize(1366, 728)
    window.show()
    qtbot.waitExposed(window)
    checked = 0
    for panel_id in PANELS:
        window.show_panel(panel_id)
        panel = window.current_panel()
        panel.prepare_export()
        QApplication.processEvents()
        widgets = [window, *window.findChildren(QWidget)]
        checked += sum(len(_shown_css(w)) for w in widgets)
        assert _failures(THEMES[name], widgets) == [], panel_id
        for plot in panel.findChildren(PaintedPlot):
            for layer in plot._layers:
                if isinstance(layer, PaintedText) and layer.isVisible() and layer.text():
                    colour = layer.opts["color"]
                    ground = layer.opts["fill"].color() if layer.opts["fill"].style() else None
                    behind = QColor(THEMES[name].plot_background)
                    if ground is not None and ground.alpha() < 255:
                        # A translucent box: what shows is between it and the plot.
                        a = ground.alphaF()
                        ground = QColor.fromRgbF(*(a * c + (1 - a) * b for c, b in zip(
                            ground.getRgbF()[:3], behind.getRgbF()[:3], strict=True)))
                    ratio = contrast(colour, ground if ground is not None else behind)
                    assert ratio >= TEXT_CONTRAST, (panel_id, layer.text(), colour.name())
    assert checked > 50  # the walk did find the app's coloured texts


def _edge_contrast(image: QImage, row: int, column: int, inside: int) -> float:
    """Contrast of the edge pixel at (row, column) with the pixel ``inside`` it and outside."""
    edge = image.pixelColor(column, row)
    within = image.pixelColor(column + inside, row)
    outside = image.pixelColor(column - 1 if inside > 0 else column + 1, row)
    return min(contrast(edge, within), contrast(edge, outside))


@pytest.mark.parametrize("name", ["light", "dark"])
def test_field_edges_show_at_three_to_one(qtbot, name):
    apply_theme(name)
    host = QWidget()
    qtbot.addWidget(host)
    layout = QVBoxLayout(host)
    line, combo, check, slider = QLineEdit("1"), QComboBox(), QCheckBox("bias"), QSlider()
    combo.addItems(["full", "same"])
    slider.setOrientation(slider.orientation().Horizontal)
    slider.setValue(0)
    for widget in (line, combo, check, slider):
        layout.addWidget(widget)
    host.resize(240, 180)
    host.show()
    qtbot.waitExposed(host)
    image = host.grab().toImage()
    scale = image.devicePixelRatio()
    for widget in (line, combo):
        top_left = widget.mapTo(host, widget.rect().topLeft())
        row = int((top_left.y() + widget.height() // 2) * scale)
        column = int(top_left.x() * scale)
        edges = [_edge_contrast(image, row, x, 2) for x in range(column, column + 2)]
        assert max(edges) >= EDGE_CONTRAST, (name, type(widget).__name__, edges)
    # The slider's groove: its edge shows on either side of the handle's far side.
    groove = slider.mapTo(host, slider.rect().center())
    column = int((groove.x() + slider.width() // 3) * scale)
    rows = [int(groove.y() * scale) + dy for dy in range(-6, 7)]
    colours = [image.pixelColor(column, r) for r in rows]
    ground = QColor(THEMES[name].window)
    assert max(contrast(c, ground) for c in colours) >= EDGE_CONTRAST, name
    # The check box's square.
    box = check.mapTo(host, check.rect().topLeft())
    row = int((box.y() + check.height() // 2) * scale)
    column = int(box.x() * scale)
    span = [image.pixelColor(x, row) for x in range(column, column + int(20 * scale))]
    assert max(contrast(c, ground) for c in span) >= EDGE_CONTRAST, name


def test_playback_icons_take_the_theme_text_colour(qtbot):
    from explorer.widgets.playback import PlaybackBar

    bar = PlaybackBar()
    qtbot.addWidget(bar)
    for name in ("light", "dark"):
        apply_theme(name)
        button = bar._play
        pixmap = button.icon().pixmap(button.iconSize())
        image = pixmap.toImage().convertToFormat(QImage.Format.Format_ARGB32)
        painted = [image.pixelColor(x, y) for x in range(image.width())
                   for y in range(image.height()) if image.pixelColor(x, y).alpha() > 200]
        assert len(painted) > 10
        text = QColor(THEMES[name].text)
        assert all(abs(c.lightnessF() - text.lightnessF()) < 0.05 for c in painted), name
        assert contrast(text, THEMES[name].button) >= TEXT_CONTRAST


def test_ink_keeps_the_hue_and_reaches_aa():
    for t in (LIGHT, DARK):
        for spec in ("#D55E00", "#0072B2", "#009E73", "#E69F00", "#9a3d00", "#c0392b",
                     "#56B4E9", "#555555", "#000000"):
            ink = QColor(t.ink(spec))
            assert min(contrast(ink, t.window), contrast(ink, t.base)) >= TEXT_CONTRAST
            source = QColor(t.color(spec))
            if source.hslSaturationF() > 0.2:
                assert abs(ink.hslHueF() - source.hslHueF()) < 0.03, (t.name, spec)
    # Already readable: left as it is.
    assert LIGHT.ink("#14532d") == "#14532d" and DARK.ink("#000000") == DARK.color("#000000")
    assert np.isclose(contrast(LIGHT.ink("#D55E00"), LIGHT.window), TEXT_CONTRAST, atol=0.35)
    assert theme.css("color: #D55E00;") == f"color: {LIGHT.ink('#D55E00')};"


@pytest.mark.parametrize("name", ["light", "dark"])
def test_every_text_field_of_every_panel_shows_its_edge(qtbot, tmp_path, name):
    """A field reads as a field: its edge stands out 3:1 from its inside (the CNN layer rows'
    kernel, stride, pad and dil fields once had none and read as labels)."""
    window = MainWindow(settings=QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.set_theme(name)
    window.resize(1920, 1040)
    window.show()
    qtbot.waitExposed(window)
    measured = 0
    for panel_id in PANELS:
        window.show_panel(panel_id)
        QApplication.processEvents()
        image = window.grab().toImage()
        scale = image.devicePixelRatio()
        for edit in window.current_panel().findChildren(QLineEdit):
            if not edit.isVisible() or edit.hasFocus() or edit.styleSheet() \
                    or type(edit.parentWidget()).__name__ in ("QSpinBox", "QComboBox"):
                continue
            top_left = edit.mapTo(window, edit.rect().topLeft())
            row = int((top_left.y() + edit.height() // 2) * scale)
            column = int(top_left.x() * scale)
            edges = [_edge_contrast(image, row, x, 3) for x in range(column, column + 2)]
            assert max(edges) >= EDGE_CONTRAST, (name, panel_id, edge_name(edit), edges)
            measured += 1
    assert measured >= 30


def edge_name(edit):
    return f"{type(edit.parentWidget()).__name__} {edit.text()!r}"


@pytest.mark.parametrize("first, then", [("light", "dark"), ("dark", "light")])
def test_check_yourself_texts_read_after_a_theme_change(qtbot, tmp_path, first, then):
    """The verdicts and the "panel changed" note in the theme shown, even when they were first
    styled in the other one (the note once kept the first theme's colour: 1.1:1)."""
    window = MainWindow(settings=QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.set_theme(first)
    window.resize(1366, 728)
    window.show()
    qtbot.waitExposed(window)
    bar = window.check_yourself
    panel = window.current_panel()
    panel.edit(panel.y_input, y=0.25)  # the question moves: the note shows
    QApplication.processEvents()
    assert bar.note_text()
    window.set_theme(then)
    QApplication.processEvents()
    t = THEMES[then]

    def text_contrast(label):
        image = label.grab().toImage()
        colours = [image.pixelColor(x, y) for x in range(image.width())
                   for y in range(image.height())]
        ground = QColor(t.window)
        return max(contrast(c, ground) for c in colours)

    assert text_contrast(bar.note) >= TEXT_CONTRAST
    for answer in (str(bar.question().values()[0]), "12345"):
        bar.answer_input.setText(answer)
        bar.check()
        QApplication.processEvents()
        assert _failures(t, [bar.verdict]) == []
        assert text_contrast(bar.verdict) >= TEXT_CONTRAST
