"""Light and dark themes: palette, plots, custom-painted views, texts and the View menu setting."""

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QColor, QGuiApplication, QImage, QPalette
from PySide6.QtWidgets import QApplication, QLabel

from explorer.widgets import theme
from explorer.widgets.plot import OKABE_ITO, make_plot, pen
from explorer.widgets.theme import DARK, LIGHT, apply_theme, contrast, current_theme


@pytest.fixture(autouse=True)
def light_afterwards(qapp):
    """Every test ends in the light theme, so the other test files see the usual look."""
    yield
    apply_theme("light")


def luminance(image: QImage) -> np.ndarray:
    """Per-pixel luma (0-255) of a grabbed image."""
    image = image.convertToFormat(QImage.Format.Format_RGB32)
    pixels = np.frombuffer(image.constBits(), np.uint8).reshape(
        image.height(), image.bytesPerLine() // 4, 4)[:, : image.width(), :3].astype(float)
    blue, green, red = pixels[..., 0], pixels[..., 1], pixels[..., 2]  # BGRA in memory
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def settled(widget) -> np.ndarray:
    """Luma of ``widget`` once its deferred layout and typesetting are done (two grabs agree)."""
    previous = None
    for _ in range(10):
        if hasattr(widget, "prepare_export"):
            widget.prepare_export()
        QApplication.processEvents()
        now = luminance(widget.grab().toImage())
        if previous is not None and np.array_equal(now, previous):
            return now
        previous = now
    raise AssertionError("the widget kept changing")


def window_lightness() -> float:
    return QApplication.palette().color(QPalette.ColorRole.Window).lightnessF()


# -- colours ---------------------------------------------------------------------------------
def test_light_theme_is_the_identity_and_dark_maps_inks_to_readable_colours():
    for light in ("#000000", "#555555", "#c0392b", "#DCEFFA", "#0072B2", "#ffffff"):
        assert LIGHT.color(light) == QColor(light).name()
    assert DARK.color("black") == DARK.color("#000000") == "#d9d9d9"
    assert DARK.color("#ffffff") == DARK.plot_background == "#1e1e1e"
    assert DARK.color("vermillion") == OKABE_ITO["vermillion"].lower()
    assert DARK.color("text") == "#e6e6e6" and LIGHT.color("muted") == "#555555"
    # Every ink used on a light background stays readable (4.5:1) on the dark one.
    for ink in ("#000000", "#1E1E1E", "#222222", "#555555", "#c0392b", "#9a3d00", "#2e6b3f",
                "#14532d", "#7f1d1d", "#3d4b59", "#444444"):
        assert contrast(ink, "#ffffff") >= 4.5
        assert contrast(DARK.color(ink), DARK.plot_background) >= 4.5, ink
    # Pale fills become dim tints: dark, and never brighter than the text on them.
    for fill in ("#DCEFFA", "#DDF2EA", "#fbe3bd", "#fde8e8", "#e3f4ea", "#F3F3F3"):
        dark = QColor(DARK.color(fill))
        assert dark.lightnessF() < 0.3, fill
        assert contrast(DARK.text, dark) >= 6
    # Okabe-Ito curves keep at least 3:1 on the dark plot background.
    for name in OKABE_ITO:
        assert contrast(DARK.color(name), DARK.plot_background) >= 3.0, name
    # Alpha survives the mapping.
    translucent = DARK.qcolor(QColor(255, 255, 255, 200))
    assert translucent.alpha() == 200 and translucent.name() == "#1e1e1e"


def test_css_maps_colours_but_not_entities():
    text = "<span style='color:#c0392b'>&#8722;1</span> &#x2212; #fff"
    assert DARK.css(text) == "<span style='color:#f08a7e'>&#8722;1</span> &#x2212; #1e1e1e"
    assert LIGHT.css(text) == text


def test_unknown_theme_is_a_value_error():
    with pytest.raises(ValueError, match="unknown theme 'purple': choose from system, light"):
        apply_theme("purple")
    assert current_theme() is LIGHT


# -- application palette ---------------------------------------------------------------------
def test_dark_sets_a_dark_palette_and_light_restores_it_exactly(qapp):
    apply_theme("light")
    before = QPalette(QApplication.palette())
    assert window_lightness() > 0.9
    assert apply_theme("dark") is DARK and current_theme() is DARK
    palette = QApplication.palette()
    assert window_lightness() < 0.2
    assert palette.color(QPalette.ColorRole.Window).name() == "#2b2b2b"
    assert palette.color(QPalette.ColorRole.Base).name() == "#1e1e1e"
    assert palette.color(QPalette.ColorRole.WindowText).lightnessF() > 0.85
    assert contrast(palette.color(QPalette.ColorRole.Text),
                    palette.color(QPalette.ColorRole.Base)) > 12
    assert QApplication.style().baseStyle().name().lower() == "fusion"
    apply_theme("light")
    after = QApplication.palette()
    for role in (QPalette.ColorRole.Window, QPalette.ColorRole.WindowText,
                 QPalette.ColorRole.Base, QPalette.ColorRole.Text, QPalette.ColorRole.Button,
                 QPalette.ColorRole.Highlight):
        assert after.color(role) == before.color(role), role


def test_theme_change_is_announced_once(qtbot):
    seen = []
    theme.theme_signals().changed.connect(seen.append)
    try:
        with qtbot.waitSignal(theme.theme_signals().changed, timeout=1000) as blocker:
            apply_theme("dark")
        assert blocker.args == [DARK]
        apply_theme("dark")  # no change, no signal
        apply_theme("light")
    finally:
        theme.theme_signals().changed.disconnect(seen.append)
    assert seen == [DARK, LIGHT]


def test_system_follows_the_operating_system(qtbot, monkeypatch):
    scheme = {"value": "light"}
    monkeypatch.setattr(theme, "system_theme_name", lambda: scheme["value"])
    assert apply_theme("system") is LIGHT
    scheme["value"] = "dark"
    QGuiApplication.styleHints().colorSchemeChanged.emit(Qt.ColorScheme.Dark)
    assert current_theme() is DARK and window_lightness() < 0.2
    apply_theme("light")  # an explicit choice no longer follows the system
    QGuiApplication.styleHints().colorSchemeChanged.emit(Qt.ColorScheme.Dark)
    assert current_theme() is LIGHT


# -- plots -----------------------------------------------------------------------------------
def test_plot_background_axes_texts_and_curves_follow_the_theme(qtbot):
    plot = make_plot("Title", "x", "y", legend=True)
    qtbot.addWidget(plot)
    item = plot.getPlotItem()
    black = plot.plot(pen=pen("black"), name="black curve")
    blue = plot.plot(pen=pen(OKABE_ITO["vermillion"]), name="vermillion curve")
    black.setData([0, 1, 2], [0, 1, 0])
    raw = pg.PlotCurveItem(pen=pen("#555555", 1, dashed=True))  # what curve() may return later
    plot.addItem(raw)
    label = pg.TextItem("note", color="#9a3d00", fill=pg.mkBrush(255, 255, 255, 200))
    plot.addItem(label)
    axis = item.getAxis("left")

    def colours():
        return (plot.backgroundBrush().color().name(), axis.pen().color().name(),
                axis.textPen().color().name(), black.opts["pen"].color().name(),
                blue.opts["pen"].color().name(), raw.opts["pen"].color().name(),
                label.color.name(), label.fill.color().name(), label.fill.color().alpha(),
                item.legend.opts["labelTextColor"])

    light = colours()
    assert light[:7] == ("#ffffff", "#222222", "#222222", "#000000", "#d55e00", "#555555",
                         "#9a3d00")
    apply_theme("dark")
    dark = colours()
    assert dark[:9] == ("#1e1e1e", "#9a9a9a", "#dcdcdc", "#d9d9d9", "#d55e00", "#a4a4a4",
                        "#ec5d00", "#1e1e1e", 200)
    assert QColor(dark[9]).name() == "#dcdcdc"
    assert "#dcdcdc" in item.titleLabel.item.toHtml()
    # The hot path is untouched: still a cosmetic 1-px pen, dashes kept.
    assert black.opts["pen"].widthF() == 1.0 and black.opts["pen"].isCosmetic()
    assert raw.opts["pen"].style() == Qt.PenStyle.DashLine
    # Data changes never bring the light colour back.
    black.setData([0, 1, 2], [1, 0, 1])
    assert black.opts["pen"].color().name() == "#d9d9d9"
    apply_theme("light")
    assert colours()[:9] == light[:9]


def test_a_plot_built_while_dark_is_dark_and_becomes_light(qtbot):
    apply_theme("dark")
    plot = make_plot("Built dark", "x", "y")
    qtbot.addWidget(plot)
    legend = plot.getPlotItem().addLegend(brush=pg.mkBrush(255, 255, 255, 200))
    line = plot.plot(pen=pen("black"), name="k")
    marker = pg.InfiniteLine(angle=90, pen=pen("#555555", 1.5, True), hoverPen=pen("#000000"))
    plot.addItem(marker)
    assert plot.backgroundBrush().color().name() == "#1e1e1e"
    assert line.opts["pen"].color().name() == "#d9d9d9"
    assert marker.pen.color().name() == "#a4a4a4" and marker.hoverPen.color().name() == "#d9d9d9"
    assert legend.opts["brush"].color().name() == "#1e1e1e"
    apply_theme("light")
    assert plot.backgroundBrush().color().name() == "#ffffff"
    assert line.opts["pen"].color().name() == "#000000"
    assert marker.pen.color().name() == "#555555"
    assert legend.opts["brush"].color() == QColor(255, 255, 255, 200)


def test_a_plot_is_drawn_dark(qtbot):
    plot = make_plot("Pixels", "x", "y")
    qtbot.addWidget(plot)
    plot.plot(pen=pen("black")).setData(np.linspace(0, 1, 50), np.linspace(0, 1, 50))
    plot.setRange(xRange=(0, 1), yRange=(0, 1))
    plot.resize(400, 300)
    plot.show()
    qtbot.waitExposed(plot)
    light = luminance(plot.grab().toImage())
    apply_theme("dark")
    QApplication.processEvents()
    dark = luminance(plot.grab().toImage())
    assert light.mean() > 220 and dark.mean() < 50
    assert (dark < 60).mean() > 0.85
    assert (dark > 180).sum() > 100  # the curve and the texts show light on dark


# -- widgets and panels ----------------------------------------------------------------------
def test_themed_style_sheets_and_rich_text_are_recoloured(qtbot):
    label = QLabel()
    qtbot.addWidget(label)
    rich = QLabel()
    qtbot.addWidget(rich)
    theme.set_style_sheet(label, "color: #c0392b;")
    theme.set_rich_text(rich, "<span style='color:#9a3d00'>note</span>")
    assert label.styleSheet() == "color: #c0392b;"
    apply_theme("dark")
    assert label.styleSheet() == "color: #f08a7e;"
    shown = QColor(rich.text().split("color:")[1][:7])
    assert "#9a3d00" not in rich.text()
    # An ink that reads on the dark window and base, of the same hue.
    assert min(contrast(shown, DARK.window), contrast(shown, DARK.base)) >= 4.5
    assert abs(shown.hslHueF() - QColor("#9a3d00").hslHueF()) < 0.02
    apply_theme("light")
    assert label.styleSheet() == "color: #c0392b;"
    assert rich.text() == "<span style='color:#9a3d00'>note</span>"


def test_error_line_of_a_number_input_is_readable_in_dark(qtbot):
    from explorer.widgets.number_input import NumberInput

    field = NumberInput("x", 1.0, tooltip="a number")
    qtbot.addWidget(field)
    apply_theme("dark")
    field.line_edit().setText("abc")
    field.line_edit().editingFinished.emit()
    assert field.error().startswith("'abc' is not a number")
    css = field._error.styleSheet()
    assert "color: #f08a7e;" in css and "background: #391b19;" in css
    assert contrast("#f08a7e", QColor("#391b19")) > 4.5


def test_cell_row_view_paints_a_dark_background(qtbot):
    from explorer.model import conv
    from explorer.views.convolution import Row1d, compute_1d
    from explorer.widgets.cell_row import CellRowView

    view = CellRowView()
    qtbot.addWidget(view)
    view.set_scene(compute_1d(Row1d(tuple(conv.SEED_SIGNAL), tuple(conv.SEED_KERNEL),
                                    "full", True)).scene)
    view.resize(700, 300)
    view.show()
    qtbot.waitExposed(view)
    view.set_frame(1)  # caches the static part
    light = luminance(view.grab().toImage())
    apply_theme("dark")
    dark = luminance(view.grab().toImage())
    apply_theme("light")
    again = luminance(view.grab().toImage())
    assert light.mean() > 200 and dark.mean() < 60
    assert np.array_equal(light, again)


def test_a_panel_is_predominantly_dark_after_switching(qtbot):
    from explorer.panels.loss import LossPanel

    panel = LossPanel()
    qtbot.addWidget(panel)
    panel.resize(1280, 800)
    panel.show()
    qtbot.waitExposed(panel)
    light = settled(panel)
    apply_theme("dark")
    dark = settled(panel)
    assert light.mean() > 200
    assert dark.mean() < 60
    assert (dark < 80).mean() > 0.85  # backgrounds: no white boxes left
    assert (dark > 160).mean() > 0.01  # texts and curves: light on dark
    # The sigmoid curve drawn in Okabe-Ito black is light grey now.
    assert panel.sigmoid_curve.opts["pen"].color().name() == "#d9d9d9"
    apply_theme("light")
    assert np.array_equal(settled(panel), light)


def test_softmax_heatmap_zero_and_labels_follow_the_theme(qtbot):
    from explorer.panels.softmax import SoftmaxPanel

    panel = SoftmaxPanel()
    qtbot.addWidget(panel)
    lut_light = panel.jac_image.lut
    apply_theme("dark")
    middle = panel.colorbar.colorMap().map(0.5, mode="qcolor")
    assert middle.name() == "#1e1e1e"
    # Weak cells carry light text now that their colour is near the dark background.
    colors = panel.jac_labels.colors()
    assert "#111111" not in colors and "#dadada" in colors
    assert panel.logit_labels.colors()[0] == "#dcdcdc"
    apply_theme("light")
    assert panel.colorbar.colorMap().map(0.5, mode="qcolor").name() == "#ffffff"
    assert "#111111" in panel.jac_labels.colors()
    assert np.array_equal(panel.jac_image.lut, lut_light)


# -- the View menu and the setting -----------------------------------------------------------
def test_theme_menu_switches_and_the_setting_round_trips(qtbot, tmp_path):
    from explorer.main_window import MainWindow

    path = str(tmp_path / "settings.ini")
    settings = QSettings(path, QSettings.Format.IniFormat)
    window = MainWindow(settings=settings)
    qtbot.addWidget(window)
    assert set(window.theme_actions) == {"system", "light", "dark"}
    assert window.theme_actions["system"].isChecked()
    assert all(a.actionGroup().isExclusive() for a in window.theme_actions.values())
    window.theme_actions["dark"].trigger()
    assert current_theme() is DARK and window_lightness() < 0.2
    assert window.theme_actions["dark"].isChecked()
    assert not window.theme_actions["system"].isChecked()
    window.close()
    settings.sync()
    assert QSettings(path, QSettings.Format.IniFormat).value("theme") == "dark"

    apply_theme("light")
    again = MainWindow(settings=QSettings(path, QSettings.Format.IniFormat))
    qtbot.addWidget(again)
    assert current_theme() is DARK
    assert again.theme_actions["dark"].isChecked()
    again.theme_actions["light"].trigger()
    assert current_theme() is LIGHT and window_lightness() > 0.9
    again.close()
    assert QSettings(path, QSettings.Format.IniFormat).value("theme") == "light"


def test_an_unreadable_theme_setting_means_system(qtbot, tmp_path, capsys):
    from explorer.main_window import MainWindow

    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    settings.setValue("theme", "purple")
    window = MainWindow(settings=settings)
    qtbot.addWidget(window)
    assert window.theme_actions["system"].isChecked()
    assert theme.theme_choice() == "system"
    assert "ignoring an unreadable theme ('purple')" in capsys.readouterr().err



_LATE_IMPORT = """
import os, sys
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QVBoxLayout, QWidget
app = QApplication([])
from explorer.widgets.theme import apply_theme, set_rich_text
window = QMainWindow()
centre = QWidget(window)
layout = QVBoxLayout(centre)
label = QLabel("text")
note = QLabel()
set_rich_text(note, "<span style='color:#c0392b'>an error</span>")
layout.addWidget(label)
layout.addWidget(note)
window.setCentralWidget(centre)
window.show()
def late_import():
    import matplotlib  # as the formulas do, lazily, inside the running event loop
def switch():
    apply_theme("dark")
def report():
    print(window.palette().window().color().name(), label.palette().windowText().color().name())
    app.quit()
QTimer.singleShot(50, late_import)
QTimer.singleShot(150, switch)
QTimer.singleShot(300, report)
app.exec()
"""


def test_windows_follow_a_switch_after_matplotlib_was_imported_in_the_event_loop():
    # With PySide6 6.11, importing matplotlib inside the running event loop stops Qt from passing
    # a new application palette on to top-level widgets; apply_theme tells them itself.
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", _LATE_IMPORT], capture_output=True, text=True,
                         check=True, timeout=60)
    assert out.stdout.split() == ["#2b2b2b", "#e6e6e6"]


def test_softmax_shift_table_text_follows_the_theme(qtbot):
    """A cell that stops being flagged drops its brush, so dark shows it in the light text."""
    from explorer.panels.softmax import ShiftTableModel

    apply_theme("dark")
    model = ShiftTableModel()
    texts = [["1", "2", "3", "4", "5"]]
    model.set_rows(texts, [[True, False, True, False, False]])
    assert model.item(0, 0).foreground().color().red() > 150
    assert model.item(0, 1).data(Qt.ItemDataRole.ForegroundRole) is None
    model.set_rows(texts, [[False] * 5])
    assert all(model.item(0, c).data(Qt.ItemDataRole.ForegroundRole) is None for c in range(5))
    assert QApplication.palette().color(QPalette.ColorRole.Text).lightnessF() > 0.7
