"""Tests for the painted plot (pyqtgraph frame, layers painted over it) and raster."""

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, QRect, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QImage,
    QMouseEvent,
    QPainter,
    QPixmap,
    QWheelEvent,
)
from PySide6.QtWidgets import QApplication, QVBoxLayout, QWidget

from explorer.widgets import raster
from explorer.widgets.painted_plot import (
    PaintedBars,
    PaintedCells,
    PaintedCurve,
    PaintedLabels,
    PaintedLine,
    PaintedPlot,
    PaintedRegion,
    PaintedScatter,
    PaintedText,
)
from explorer.widgets.plot import make_plot, pen
from explorer.widgets.theme import apply_theme
from tests.pixels import count_bluish, count_orangeish, image_array


@pytest.fixture
def plot(qtbot):
    p = PaintedPlot("Title", "x", "y")
    qtbot.addWidget(p)
    p.resize(400, 300)
    p.setXRange(0, 4, padding=0)
    p.setYRange(0, 2, padding=0)
    p.show()
    qtbot.waitExposed(p)
    return p


def colour_at(plot, x, y):
    """Colour painted at data point (x, y)."""
    image = plot.grab().toImage()
    at = plot.mapFromScene(plot.getPlotItem().getViewBox().mapViewToScene(QPointF(x, y)))
    return image.pixelColor(at)


def press(widget, kind, pos, button, buttons):
    event = QMouseEvent(kind, QPointF(pos), QPointF(widget.mapToGlobal(pos.toPoint())), button,
                        buttons, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, event)
    QApplication.processEvents()


def test_layers_keep_their_data_and_paint_where_the_view_maps_it(plot):
    bars = PaintedBars(x=[1, 3], height=[1.5, 0.5], width=0.5, brush="#0072B2")
    curve = PaintedCurve(pen=pen("#D55E00"))
    dots = PaintedScatter(size=9, brush="#009E73")
    for layer in (bars, curve, dots):
        plot.addItem(layer)
    curve.setData([0, 4], [1.9, 1.9])
    dots.setData([2.0], [1.0])
    np.testing.assert_array_equal(bars.opts["height"], [1.5, 0.5])
    x, y = dots.getData()
    assert x.tolist() == [2.0] and y.tolist() == [1.0]
    assert colour_at(plot, 1, 0.75).name() == "#0072b2"  # inside bar 1
    assert colour_at(plot, 3, 0.75).name() == "#ffffff"  # above bar 2 (height 0.5)
    assert colour_at(plot, 2, 1.0).name() == "#009e73"   # the marker
    assert colour_at(plot, 2.5, 1.9).red() > 150         # the curve
    bars.setOpts(height=[0.2, 1.5])
    assert colour_at(plot, 1, 0.75).name() == "#ffffff"
    assert colour_at(plot, 3, 0.75).name() == "#0072b2"


def test_looks_like_the_pyqtgraph_plot_it_replaces(qtbot):
    holder = QWidget()
    qtbot.addWidget(holder)
    layout = QVBoxLayout(holder)
    pg_plot, painted = make_plot("Same", "x", "y"), PaintedPlot("Same", "x", "y")
    for p in (pg_plot, painted):
        p.setFixedSize(360, 260)
        p.setXRange(0, 4, padding=0)
        p.setYRange(0, 2, padding=0)
        layout.addWidget(p)
    pg_plot.addItem(pg.BarGraphItem(x=[1, 3], height=[1.5, 0.5], width=0.5, brush="#0072B2",
                                    pen=pg.mkPen(None)))
    painted.addItem(PaintedBars(x=[1, 3], height=[1.5, 0.5], width=0.5, brush="#0072B2",
                                pen=pg.mkPen(None)))
    pg_plot.addItem(pg.InfiniteLine(pos=1.0, angle=0, pen=pen("#555555", 1, True)))
    painted.addItem(PaintedLine(pos=1.0, angle=0, pen=pen("#555555", 1, True)))
    holder.show()
    qtbot.waitExposed(holder)
    for _ in range(5):  # pyqtgraph applies a new range at its next paint
        QApplication.processEvents()
    a = image_array(pg_plot).astype(int)
    b = image_array(painted).astype(int)
    different = np.abs(a - b).max(axis=2) > 40
    # Axes, title and bars match pixel for pixel; the dashes may start a pixel apart.
    assert different.mean() < 0.005, different.sum()


def test_a_new_range_redraws_the_frame_and_moves_the_layers(plot):
    bars = PaintedBars(x=[1], height=[1.0], width=0.5, brush="#0072B2")
    plot.addItem(bars)
    assert colour_at(plot, 1, 0.9).name() == "#0072b2"
    plot.setYRange(0, 10, padding=0)
    assert plot.viewRange()[1] == [0, 10]
    assert colour_at(plot, 1, 0.9).name() == "#0072b2"
    assert colour_at(plot, 1, 1.5).name() == "#ffffff"
    assert plot.to_widget(np.array([1.0]), np.array([1.0]))[1][0] > \
        plot.to_widget(np.array([1.0]), np.array([5.0]))[1][0]  # y grows upwards


def test_named_layers_join_the_legend_and_a_click_there_hides_them(plot):
    plot.getPlotItem().addLegend()
    dots = PaintedScatter(size=8, brush="#009E73", name="dots")
    plot.addItem(dots)
    dots.setData([2.0], [1.0])
    legend = plot.getPlotItem().legend
    sample, label = legend.items[0]
    assert label.text == "dots"
    pg.setConfigOptions(mouseRateLimit=0)
    centre = sample.sceneBoundingRect().center()
    left = Qt.MouseButton.LeftButton
    press(plot, QEvent.Type.MouseButtonPress, centre, left, left)
    press(plot, QEvent.Type.MouseButtonRelease, centre, left, Qt.MouseButton.NoButton)
    assert not dots.isVisible()


def test_dragging_a_movable_line_moves_it_and_nothing_else_moves_the_view(plot):
    line = PaintedLine(pos=1.0, angle=0, movable=True, pen=pen("#000000", 3))
    plot.addItem(line)
    seen = []
    line.sigPositionChanged.connect(lambda item: seen.append(item.value()))
    box = plot.getPlotItem().getViewBox()

    def at(x, y):
        return QPointF(plot.mapFromScene(box.mapViewToScene(QPointF(x, y))))

    left = Qt.MouseButton.LeftButton
    press(plot, QEvent.Type.MouseButtonPress, at(2, 1.0), left, left)
    press(plot, QEvent.Type.MouseMove, at(2, 1.5), Qt.MouseButton.NoButton, left)
    press(plot, QEvent.Type.MouseButtonRelease, at(2, 1.5), left, Qt.MouseButton.NoButton)
    assert line.value() == pytest.approx(1.5, abs=0.02) and seen
    # Away from the line a drag (a missed handle) leaves the view where the panel put it.
    pg.setConfigOptions(mouseRateLimit=0)
    before = plot.viewRange()
    press(plot, QEvent.Type.MouseButtonPress, at(2, 0.3), left, left)
    for k in range(1, 5):
        press(plot, QEvent.Type.MouseMove, at(2 - 0.1 * k, 0.3), Qt.MouseButton.NoButton, left)
    press(plot, QEvent.Type.MouseButtonRelease, at(1.6, 0.3), left, Qt.MouseButton.NoButton)
    assert plot.viewRange() == before
    # The wheel does not zoom: the plot passes it on, for the page to scroll.
    wheel = QWheelEvent(at(2, 1), QPointF(plot.mapToGlobal(QPoint(200, 150))), QPoint(0, 0),
                        QPoint(0, 120), Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
                        Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(plot, wheel)
    assert plot.viewRange() == before and not wheel.isAccepted()


def test_texts_labels_cells_and_regions(plot):
    region = PaintedRegion((0.5, 1.5), brush=(248, 231, 217))
    cells = PaintedCells()
    cells.setColorMap(pg.ColorMap([0.0, 1.0], ["#0000ff", "#ff0000"]))
    cells.setImage(np.array([[0.0, 1.0]]), levels=(0, 1), rect=QRectF(2, 1, 2, 1))
    labels = PaintedLabels()
    text = PaintedText("note", color="#222222", anchor=(0, 0))
    for layer in (region, cells, labels, text):
        plot.addItem(layer)
    labels.set_labels([1.0], [0.5], ["7"], "#111111")
    text.setPos(0.1, 1.9)
    assert region.getRegion() == (0.5, 1.5)
    assert colour_at(plot, 1.0, 1.8).name() == "#f8e7d9"
    assert colour_at(plot, 2.2, 1.8).blue() > 200   # cell 0: the map's low end
    assert colour_at(plot, 3.8, 1.8).red() > 200    # cell 1: its high end
    assert cells.lut.shape == (256, 3) and tuple(cells.levels) == (0, 1)
    assert labels.labels() == [(1.0, 0.5, "7")]
    with pytest.raises(ValueError, match="differ in length"):
        labels.set_labels([1.0, 2.0], [0.5], ["a"])
    assert text.toHtml() == "note"


def _columns_drawn(plot, draw):
    """Widget x of every column of the view whose pixels ``draw()`` changes."""
    before = image_array(plot)
    draw()
    after = image_array(plot)
    view = plot.view_rect().toAlignedRect()
    changed = (before != after).any(axis=2)[:, view.left():view.right() + 1]
    return np.flatnonzero(changed.any(axis=0)) + view.left()


@pytest.mark.parametrize("width, fits", [(400, True), (230, True), (90, False)])
def test_labels_shrink_to_stay_inside_their_cells_or_are_left_out(plot, width, fits):
    texts = ["−0.1500", "0.1800", "−0.0220", "−1e−17"]
    labels = PaintedLabels()
    labels.set_fit_width(1.0)
    plot.addItem(labels)
    if not fits:  # cells of ~17 px: the plot at its least width, showing eight of them
        plot.setXRange(0, 8, padding=0)
    plot.resize(width, 300)
    QApplication.processEvents()
    columns = _columns_drawn(plot, lambda: labels.set_labels(
        [0.5, 1.5, 2.5, 3.5], [1.0] * 4, texts, "#000000"))
    cell = float(np.diff(plot.to_widget(np.array([0.0, 1.0]), np.zeros(2))[0])[0])
    shown = labels.shown(plot)
    if not fits:
        assert cell < 30 and shown is None
        assert columns.size == 0  # nothing drawn rather than texts over each other
        return
    font, drawn = shown
    assert drawn == texts
    given = QFont().pointSizeF()
    assert 6.0 <= font.pointSizeF() <= given
    assert (font.pointSizeF() == given) == (width == 400)
    widest = max(QFontMetricsF(font).horizontalAdvance(t) for t in texts)
    assert widest <= cell - 4.0
    # Every pixel drawn lies inside the cell of its text, clear of the cell's edges.
    x0 = plot.to_widget(np.zeros(1), np.zeros(1))[0][0]
    cells = np.floor((columns - x0) / cell)
    offsets = columns - (x0 + cells * cell)
    assert columns.size > 20 and set(cells.tolist()) == {0.0, 1.0, 2.0, 3.0}
    assert offsets.min() >= 1.0 and offsets.max() <= cell - 1.0


def test_labels_fall_back_to_their_short_texts_then_shrink(plot):
    labels = PaintedLabels()
    labels.set_fit_width(1.0)
    plot.addItem(labels)
    long, short = ["−0.150000", "0.180000"], ["−.15", ".18"]
    labels.set_labels([0.5, 1.5], [1.0, 1.0], long, short=short)
    with pytest.raises(ValueError, match="short has 1 texts for 2 labels"):
        labels.set_labels([0.5, 1.5], [1.0, 1.0], long, short=short[:1])
    assert labels.labels() == [(0.5, 1.0, long[0]), (1.5, 1.0, long[1])]  # kept as they were
    given = QFont().pointSizeF()
    seen = []
    for width in (1000, 300, 190, 160):
        plot.resize(width, 300)
        QApplication.processEvents()
        cell = float(np.diff(plot.to_widget(np.array([0.0, 1.0]), np.zeros(2))[0])[0])
        shown = labels.shown(plot)
        assert shown is not None
        font, texts = shown
        assert max(QFontMetricsF(font).horizontalAdvance(t) for t in texts) <= cell - 4.0
        seen.append((texts == short, font.pointSizeF() < given))
    # Wide: the long texts as given; then smaller; then the short ones.
    assert seen[0] == (False, False) and (False, True) in seen and seen[-1][0]


@pytest.mark.parametrize("narrow_width", [260, 150])
def test_labels_that_share_a_fit_take_the_narrower_plots_font_and_text_kind(plot, qtbot,
                                                                            narrow_width):
    narrow = PaintedPlot("Narrow", "x", "y")
    qtbot.addWidget(narrow)
    narrow.setXRange(0, 4, padding=0)
    narrow.setYRange(0, 2, padding=0)
    narrow.show()
    qtbot.waitExposed(narrow)
    plot.resize(1000, 300)
    narrow.resize(narrow_width, 300)
    long, short = ["−0.150000", "0.180000"], ["−.15", ".18"]
    pairs = [(plot, PaintedLabels()), (narrow, PaintedLabels())]
    for target, labels in pairs:
        labels.set_fit_width(1.0)
        target.addItem(labels)
        labels.set_labels([0.5, 1.5], [1.0, 1.0], long, short=short)
    (_, wide_labels), (_, narrow_labels) = pairs

    def shown():
        QApplication.processEvents()
        return [(labels.shown(target)[0].pointSizeF(), labels.shown(target)[1] == short)
                for target, labels in pairs]

    given = QFont().pointSizeF()
    alone = shown()
    assert alone[0] == (given, False)  # wide: the given font and texts
    assert alone[1] != alone[0]  # narrow: a smaller font, or the short texts
    wide_labels.share_fit(narrow_labels)
    wide_labels.share_fit(narrow_labels)  # sharing again changes nothing
    together = shown()
    assert together[0] == together[1] == alone[1]
    # What is drawn fits each one's own cells.
    for target, labels in pairs:
        cell = float(np.diff(target.to_widget(np.array([0.0, 1.0]), np.zeros(2))[0])[0])
        font, texts = labels.shown(target)
        assert max(QFontMetricsF(font).horizontalAdvance(t) for t in texts) <= cell - 4.0
    # New texts on one side are fitted again on both.
    narrow_labels.set_labels([0.5, 1.5], [1.0, 1.0], ["1", "2"], short=["1", "2"])
    assert shown()[0] == (given, False)
    narrow_labels.set_labels([0.5, 1.5], [1.0, 1.0], long, short=short)
    assert shown() == together
    # Too narrow for even the short texts: that plot draws nothing, the other as if alone.
    narrow.setXRange(0, 40, padding=0)  # cells a tenth as wide
    QApplication.processEvents()
    narrow.repaint()
    assert narrow_labels.shown(narrow) is None
    font, texts = wide_labels.shown(plot)
    assert (font.pointSizeF(), texts) == (given, long)


def test_legend_keeps_clear_of_the_curves_and_shortens_its_names_when_narrow(qtbot):
    plot = PaintedPlot("Title", "x", "y", legend=True)
    qtbot.addWidget(plot)
    plot.resize(500, 300)
    plot.setXRange(0, 10, padding=0)
    plot.setYRange(0, 10, padding=0)
    rising = PaintedCurve(pen=pen("blue"), name="a rising line, named at length")
    flat = PaintedCurve(pen=pen("#D55E00"), name="a flat line")
    plot.addItem(rising)
    plot.addItem(flat)
    x = np.linspace(0, 10, 201)
    rising.setData(x, x)          # through the top right and the bottom left
    flat.setData(x, np.full_like(x, 1.0))
    plot.show()
    qtbot.waitExposed(plot)
    with pytest.raises(ValueError, match="short names must differ"):
        plot.keep_legend_clear({"a rising line, named at length": "line", "a flat line": "line"})
    plot.keep_legend_clear({"a rising line, named at length": "rising", "a flat line": "flat"})
    legend = plot.getPlotItem().legend
    assert plot.legend_corner() == ((0, 0), False)  # top left: the empty corner
    rect, view = legend.sceneBoundingRect(), plot.view_rect()
    assert abs(rect.left() - (view.left() + 8)) < 1.5 and abs(rect.top() - (view.top() + 8)) < 1.5
    wide = rect.width()
    # The data moves: after the delay the legend goes to the corner left empty.
    rising.setData(x, 10 - x)     # now through the top left and the bottom right
    plot.place_legend_soon()
    assert plot.legend_pending() and plot.legend_corner()[0] == (0, 0)
    qtbot.waitUntil(lambda: not plot.legend_pending())
    assert plot.legend_corner() == ((1, 0), False)
    # Too narrow for the full names: the short ones, and a narrower legend.
    plot.resize(200, 300)
    qtbot.waitUntil(lambda: plot.legend_corner()[1])
    names = [label.text for _, label in legend.items]
    assert names == ["rising", "flat"] and legend.sceneBoundingRect().width() < wide - 40
    assert plot.view_rect().contains(legend.sceneBoundingRect())
    plot.resize(500, 300)
    qtbot.waitUntil(lambda: not plot.legend_corner()[1])
    assert [label.text for _, label in legend.items] == ["a rising line, named at length",
                                                        "a flat line"]
    assert abs(legend.sceneBoundingRect().width() - wide) < 1.0


def test_live_title_changes_without_a_frame_render(plot, monkeypatch):
    plot.set_live_title("Largest |Δ| = 1e−12")
    plot.grab()
    renders = []
    monkeypatch.setattr(plot, "_render_frame", lambda: renders.append(1))
    plot.set_live_title("Largest |Δ| = 3e−12")
    image = image_array(plot)
    assert not renders
    assert plot.getPlotItem().titleLabel.text == "Largest |Δ| = 3e−12"
    title = plot.getPlotItem().titleLabel.sceneBoundingRect().toAlignedRect()
    band = image[title.top():title.bottom(), :]
    assert (band.min(axis=2) < 100).sum() > 30  # the new title's dark text is there


def test_theme_recolours_layers_and_back(plot):
    curve = PaintedCurve(pen=pen("black"))
    plot.addItem(curve)
    try:
        apply_theme("dark")
        assert curve.opts["pen"].color().name() != "#000000"
    finally:
        apply_theme("light")
    assert curve.opts["pen"].color().name() == "#000000"


def test_export_thickens_thin_curves_only(plot):
    thin, wide = PaintedCurve(pen=pen("#0072B2")), PaintedCurve(pen=pg.mkPen("#0072B2", width=6))
    for c in (thin, wide):
        plot.addItem(c)
    plot.thicken_curves(2.0)
    assert thin.opts["pen"].widthF() == 2.0 and wide.opts["pen"].widthF() == 6.0


def test_vector_painting_draws_the_frame_too(plot):
    from PySide6.QtGui import QPicture

    plot.addItem(PaintedBars(x=[1], height=[1.0], width=0.5, brush="#0072B2"))
    picture = QPicture()
    plot.render(picture)
    assert picture.size() > 1000  # axes, title and the bar as drawing commands, no pixmaps
    image = QImage(plot.size(), QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    picture.play(painter)
    painter.end()
    box = plot.getPlotItem().getViewBox()
    at = plot.mapFromScene(box.mapViewToScene(QPointF(1.0, 0.5)))
    assert image.pixelColor(at).name() == "#0072b2"


@pytest.mark.parametrize("ratio", [1.0, 2.0])
def test_blit_copies_the_same_pixels_at_any_density(qtbot, ratio):
    source = QPixmap(int(120 * ratio), int(300 * ratio))
    source.setDevicePixelRatio(ratio)
    source.fill(QColor("white"))
    painter = QPainter(source)
    painter.fillRect(QRectF(60, 10, 20, 30), QColor(30, 140, 200))
    painter.end()
    target = QImage(int(120 * ratio), int(300 * ratio), QImage.Format.Format_ARGB32_Premultiplied)
    target.setDevicePixelRatio(ratio)
    target.fill(QColor("black"))
    painter = QPainter(target)
    raster.blit(painter, QRect(50, 0, 40, 50), source)
    painter.end()
    assert target.pixelColor(int(70 * ratio), int(20 * ratio)).name() == "#1e8cc8"
    assert target.pixelColor(int(55 * ratio), int(5 * ratio)).name() == "#ffffff"
    assert target.pixelColor(int(95 * ratio), int(20 * ratio)).name() == "#000000"  # not copied


def _mask(draw, size=(400, 300)):
    image = QImage(*size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(QColor("white"))
    painter = QPainter(image)
    draw(painter)
    painter.end()
    image = image.convertToFormat(QImage.Format.Format_RGB888)
    rows = np.frombuffer(image.constBits(), np.uint8, count=image.bytesPerLine() * size[1])
    rows = rows.reshape(size[1], image.bytesPerLine())[:, : 3 * size[0]]
    return rows.reshape(size[1], size[0], 3).min(axis=2) < 250


_rng = np.random.default_rng(7)
_BAND_CASES = {
    "smooth": (np.linspace(10, 390, 301), 150 + 100 * np.tanh(np.linspace(-3, 3, 301))),
    "wave": (np.linspace(10, 390, 301), 150 + 80 * np.sin(np.linspace(0, 12, 301))),
    "zigzag": (np.linspace(10, 390, 41), 150 + 60.0 * (-1) ** np.arange(41)),
    "noise": (np.linspace(10, 390, 301), 150 + 30 * _rng.standard_normal(301)),
    "turns back": (np.array([20.0, 300, 40, 380, 20]), np.array([50.0, 60, 200, 210, 120])),
    "repeated points": (np.array([10.0, 10, 200, 200, 200, 390]),
                        np.array([20.0, 20, 250, 250, 250, 40])),
    "two points": (np.array([30.0, 370]), np.array([280.0, 20])),
}


@pytest.mark.parametrize("case", list(_BAND_CASES))
@pytest.mark.parametrize("width", [3, 6, 11])
@pytest.mark.parametrize("cap", [Qt.PenCapStyle.RoundCap, Qt.PenCapStyle.SquareCap,
                                 Qt.PenCapStyle.FlatCap])
def test_band_outline_fills_what_qt_strokes(qtbot, case, width, cap):
    from explorer.widgets.painted_plot import _band_outline

    x, y = _BAND_CASES[case]
    line = pg.mkPen(QColor(0, 100, 200, 100), width=width)
    line.setCapStyle(cap)

    def stroke(painter):
        painter.setPen(line)
        painter.drawPath(pg.functions.arrayToQPath(x, y))

    def fill(painter):
        painter.fillPath(_band_outline(x, y, width / 2, cap), line.brush())

    stroked, filled = _mask(stroke), _mask(fill)
    assert stroked.sum() > 100
    # Same pixels up to rounding at the edges: every pixel that differs touches both a stroked
    # and an unstroked pixel, and they are a few percent of the stroke at most.
    differ = stroked ^ filled
    assert differ.sum() <= 0.03 * stroked.sum()
    padded_in, padded_out = np.pad(stroked, 1), np.pad(~stroked, 1, constant_values=True)
    near_in = np.zeros_like(stroked)
    near_out = np.zeros_like(stroked)
    h, w = stroked.shape
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            near_in |= padded_in[1 + dy:1 + dy + h, 1 + dx:1 + dx + w]
            near_out |= padded_out[1 + dy:1 + dy + h, 1 + dx:1 + dx + w]
    assert not (differ & ~(near_in & near_out)).any()


def test_band_outline_refuses_what_it_cannot_draw():
    from explorer.widgets.painted_plot import _band_outline

    assert _band_outline(np.array([1.0]), np.array([2.0]), 3) is None
    assert _band_outline(np.array([1.0, 1.0]), np.array([2.0, 2.0]), 3) is None
    assert _band_outline(np.array([1.0, np.nan, 3]), np.array([2.0, 2, 2]), 3) is None
    assert _band_outline(np.array([1.0, np.inf]), np.array([2.0, 2]), 3) is None


def _rendered(widget, ratio: float) -> np.ndarray:
    """The widget painted into an image of ``ratio`` device pixels per pixel, as (H, W, 3)."""
    image = QImage(round(widget.width() * ratio), round(widget.height() * ratio),
                   QImage.Format.Format_RGB888)
    image.setDevicePixelRatio(ratio)
    image.fill(QColor("white"))
    widget.render(image)
    rows = np.frombuffer(image.constBits(), np.uint8, count=image.bytesPerLine() * image.height())
    rows = rows.reshape(image.height(), image.bytesPerLine())[:, : 3 * image.width()]
    return rows.reshape(image.height(), image.width(), 3).astype(int)


@pytest.mark.parametrize("ratio", [1.0, 2.0])
def test_wide_curves_paint_like_qt_strokes_them_on_the_plot(plot, ratio):
    """A wide solid band takes the filled outline, at any device pixel ratio; dashes, other
    joins and thin lines keep Qt's stroke."""
    x = np.linspace(0, 4, 301)
    y = 1 + 0.8 * np.sin(3 * x)
    images = {}
    for filled in (True, False):
        band = PaintedCurve(pen=pg.mkPen(QColor(0, 114, 178, 100), width=6), antialias=False)
        dashed = PaintedCurve(pen=pg.mkPen("#D55E00", width=4, style=Qt.PenStyle.DashLine))
        mitred_pen = pg.mkPen("#009E73", width=5)
        mitred_pen.setJoinStyle(Qt.PenJoinStyle.MiterJoin)
        mitred = PaintedCurve(pen=mitred_pen)
        band.setData(x, y)
        dashed.setData(x, 2 - y)
        mitred.setData(x, 1 + 0.3 * np.cos(5 * x))
        if not filled:
            band._band = lambda *_args: None  # Qt's own stroke
        for layer in (band, dashed, mitred):
            plot.addItem(layer)
        images[filled] = _rendered(plot, ratio)
        if filled:
            assert band._band_cache[0][6] == ratio  # built for the device scale
            assert band._band_cache[1] is not None  # the outline was filled
        assert dashed._band_cache[1] is None and mitred._band_cache[1] is None  # stroked
        for layer in (band, dashed, mitred):
            layer.hide()
    painted = (images[False].min(axis=2) < 250).sum()
    differing = (np.abs(images[True] - images[False]).max(axis=2) > 0).sum()
    assert painted > 5000 * ratio**2
    assert differing <= 0.01 * painted


def test_labels_paint_their_digits_the_same_each_time(plot):
    labels = PaintedLabels()
    plot.addItem(labels)
    texts = [f"{v:.4f}".replace("-", "−") for v in (-0.31415, 0.27182, -0.14142, 0.17320)]
    labels.set_labels([0.5, 1.5, 2.5, 3.5], [1.0, 0.5, 1.5, 1.0], texts, "#000000")
    first = image_array(plot)
    second = image_array(plot)
    assert (first != second).sum() == 0
    assert (first.max(axis=2) < 100).sum() > 50  # the digits are drawn


def test_text_lines_are_drawn_each_in_its_colour_in_a_box_sized_by_the_font(plot):
    from explorer.widgets.theme import DARK, apply_theme

    text = PaintedText(color="#222222", anchor=(0, 0), fill=pg.mkBrush(255, 255, 255))
    plot.addItem(text)
    text.setPos(0.2, 1.9)
    lines = [("z = 0.567", None), ("σ = 0.638", "#0072B2"), ("1−σ = 0.362", "#D55E00")]
    text.set_lines(lines, points=9)
    assert text.toHtml() == "z = 0.567\nσ = 0.638\n1−σ = 0.362"
    font = QFont()
    font.setPointSizeF(9)
    metrics = QFontMetricsF(font)
    box, image = text._box(plot, plot.devicePixelRatioF())
    assert box.width() == pytest.approx(metrics.horizontalAdvance("1−σ = 0.362") + 8, abs=1)
    assert box.height() == pytest.approx(3 * metrics.lineSpacing() + 8, abs=1)
    shot = image_array(plot).astype(int)
    rows = [shot[round(box.top() + 4 + n * metrics.lineSpacing()):
                 round(box.top() + 4 + (n + 1) * metrics.lineSpacing()),
                 round(box.left()):round(box.right())] for n in range(3)]
    assert count_bluish(rows[1]) > 10 and count_bluish(rows[0]) == count_bluish(rows[2]) == 0
    assert count_orangeish(rows[2]) > 10 and count_orangeish(rows[1]) == 0
    assert (rows[0].max(axis=2) < 80).sum() > 10  # the first line in the text colour
    # The same lines again change nothing; in the dark theme the colours are the dark ones.
    text.set_lines(lines, points=9)
    assert text._box(plot, plot.devicePixelRatioF())[1] is image
    try:
        apply_theme("dark")
        dark = text._box(plot, plot.devicePixelRatioF())[1]
        assert dark is not image
        assert DARK.qcolor("#222222") == text.opts["color"]
    finally:
        apply_theme("light")
