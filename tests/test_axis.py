"""FastAxis draws exactly what pyqtgraph's AxisItem draws: ticks, labels, title, layout."""

import functools

import numpy as np
import pyqtgraph as pg
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPicture

from explorer.widgets.axis import FastAxis
from explorer.widgets.plot import make_plot


@pytest.fixture(scope="module")
def plot():
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    widget = make_plot("title", "x label", "y label")
    widget.resize(500, 400)
    widget.show()
    app.processEvents()
    yield widget
    widget.close()
    widget.deleteLater()
    app.processEvents()


def _specs(axis: pg.AxisItem, generate) -> tuple:
    """``generate(axis, painter)`` as plain numbers, and what it told the layout."""
    told = []
    axis._updateMaxTextSize = told.append
    picture = QPicture()
    painter = QPainter(picture)
    if axis.style["tickFont"]:
        painter.setFont(axis.style["tickFont"])
    try:
        specs = generate(axis, painter)
    finally:
        painter.end()
        del axis._updateMaxTextSize
    if specs is None:
        return None, told
    (pen, a, b), ticks, texts = specs
    argb = QColor.NameFormat.HexArgb
    return ((pen.color().name(argb), a.x(), a.y(), b.x(), b.y()),
            [(t.color().name(argb), t.widthF(), p.x(), p.y(), q.x(), q.y()) for t, p, q in ticks],
            [(r.x(), r.y(), r.width(), r.height(), int(flags.value), text)
             for r, flags, text in texts]), told


def _same_as_pyqtgraph(axis: pg.AxisItem) -> None:
    mine = _specs(axis, FastAxis.generateDrawSpecs)
    # pyqtgraph's own code all the way down, tick values included.
    axis.tickValues = functools.partial(pg.AxisItem.tickValues, axis)
    try:
        theirs = _specs(axis, pg.AxisItem.generateDrawSpecs)
    finally:
        del axis.tickValues
    assert mine == theirs


def _set_range(plot, side: str, low: float, high: float) -> pg.AxisItem:
    from PySide6.QtWidgets import QApplication

    if side in ("left", "right"):
        plot.setYRange(low, high, padding=0)
    else:
        plot.setXRange(low, high, padding=0)
    QApplication.instance().processEvents()
    return plot.getPlotItem().getAxis(side)


def test_plots_use_fast_axes(plot):
    item = plot.getPlotItem()
    assert all(isinstance(item.getAxis(side), FastAxis)
               for side in ("left", "bottom", "top", "right"))


spans = st.tuples(st.floats(-1e6, 1e6), st.floats(0, 1e6), st.integers(-9, 9))


@given(low=st.floats(-1e7, 1e7), width=st.floats(0, 1e7), power=st.integers(-9, 6),
       length=st.floats(1, 3000), scale=st.sampled_from([1.0, 1.0, 1e-3, 7.5, 1e6]),
       spacing=st.sampled_from([None, ((0.2, 0.0), (0.04, 0.0)), ((0.05, 0.02),)]))
@example(low=0.0, width=1.0, power=0, length=301.0, scale=1.0, spacing=None)
@example(low=-3.0, width=0.0, power=0, length=50.0, scale=1.0, spacing=None)
def test_tick_values_equal_pyqtgraphs(plot, low, width, power, length, scale, spacing):
    axis = plot.getPlotItem().getAxis("left")
    low, high = low * 10.0 ** power, (low + width) * 10.0 ** power
    axis.scale = scale
    # Fixed spacings are given as fractions of the span, so that a tick list stays short
    # (pyqtgraph's own dedupe compares every pair of ticks).
    span = abs(high - low) * scale
    axis._tickSpacing = None if spacing is None or span == 0 else \
        [(step * span, offset * span) for step, offset in spacing]
    try:
        for a, b in ((low, high), (high, low)):
            assert FastAxis.tickValues(axis, a, b, length) == \
                pg.AxisItem.tickValues(axis, a, b, length)
    finally:
        axis.scale = 1.0
        axis._tickSpacing = None


@given(side=st.sampled_from(["left", "bottom"]), low=st.floats(-1e6, 1e6),
       width=st.floats(1e-3, 1e6), power=st.integers(-9, 6))
@example(side="left", low=0.0, width=1.0, power=0)
@example(side="bottom", low=-10.0, width=20.0, power=0)
@example(side="left", low=-2.5e-9, width=3e-9, power=0)
@example(side="bottom", low=99999.0, width=3.0, power=0)
def test_draw_specs_equal_pyqtgraphs(plot, side, low, width, power):
    low, high = low * 10.0 ** power, (low + width) * 10.0 ** power
    if not high > low:
        return
    _same_as_pyqtgraph(_set_range(plot, side, low, high))


def _font_with(hinting=None, kerning=None) -> QFont:
    font = QFont()
    if hinting is not None:
        font.setHintingPreference(hinting)
    if kerning is not None:
        font.setKerning(kerning)
    return font


STYLES = [
    {"showValues": False},
    {"stopAxisAtTick": (True, True)},
    {"tickAlpha": 0.4},
    {"tickAlpha": 90},
    {"tickLength": -8},
    {"tickTextOffset": 12},
    {"maxTextLevel": 0},
    {"maxTickLevel": 1},
    {"textFillLimits": [(0, 0.1)]},
    {"tickFont": QFont("DejaVu Serif", 14)},
    # Same family and size as the default, other widths: a cache keyed on QFont.key() mixed
    # these up with the default font's labels.
    {"tickFont": _font_with(hinting=QFont.HintingPreference.PreferFullHinting)},
    {"tickFont": _font_with(kerning=False)},
    {"hideOverlappingLabels": False},
]


@pytest.mark.parametrize("style", STYLES, ids=[f"{next(iter(s))}{i}" for i, s in enumerate(STYLES)])
@pytest.mark.parametrize("side", ["left", "bottom", "top", "right"])
def test_draw_specs_equal_pyqtgraphs_in_other_styles(plot, style, side):
    item = plot.getPlotItem()
    item.showAxis(side)
    axis = item.getAxis(side)
    # setStyle edits the offset list in place: keep a copy of the lists too.
    saved = {key: list(value) if isinstance(value, list) else value
             for key, value in axis.style.items()}
    axis.setStyle(**style)
    try:
        for low, high in ((0.0, 1.0), (-7.3, 120.0), (1e-4, 3e-4), (-1e5, 1e5), (2.0, 2.5)):
            _same_as_pyqtgraph(_set_range(plot, side, low, high))
    finally:
        axis.style = saved
        axis.picture = None
        if side in ("top", "right"):
            item.hideAxis(side)


def test_draw_specs_equal_pyqtgraphs_with_a_grid_log_mode_and_given_ticks(plot):
    item = plot.getPlotItem()
    axis = item.getAxis("bottom")
    try:
        axis.setGrid(128)
        _same_as_pyqtgraph(_set_range(plot, "bottom", -3.0, 11.0))
        axis.setGrid(False)
        axis.setTicks([[(0.0, "zero"), (2.0, "two"), (50.0, "far")], [(1.0, "one")]])
        _same_as_pyqtgraph(_set_range(plot, "bottom", -0.5, 3.5))
        axis.setTicks(None)
        axis.setLogMode(True)
        _same_as_pyqtgraph(_set_range(plot, "bottom", -1.0, 3.0))
    finally:
        axis.setGrid(False)
        axis.setTicks(None)
        axis.setLogMode(False)


def test_title_is_pyqtgraphs_and_is_laid_out_again_only_when_it_changes(plot, monkeypatch):
    axis = plot.getPlotItem().getAxis("left")
    _set_range(plot, "left", 0.0, 1.0)
    assert axis._shown_label == axis.labelString()
    assert axis.label.toPlainText().strip() == "y label"
    calls = []
    original = type(axis.label).setHtml
    monkeypatch.setattr(type(axis.label), "setHtml",
                        lambda label, html: (calls.append(html), original(label, html)))
    _set_range(plot, "left", 0.0, 2.0)
    assert calls == []  # same title: no new rich-text layout
    # Above 1e9 pyqtgraph scales the ticks and says so in the title: that is a change.
    _set_range(plot, "left", 0.0, 5e9)
    assert calls == [axis.labelString()]
    assert "x1e+09" in axis.label.toPlainText()
    _set_range(plot, "left", 0.0, 1.0)
    assert axis.label.toPlainText().strip() == "y label"
    axis.setLabel("another")
    assert axis.label.toPlainText().strip() == "another"
    axis.setLabel("y label")


@pytest.mark.parametrize("low, high", [(-10.0, 10.0), (0.0, 1.0), (-2.5e-9, 3e-9), (0.0, 5e9)])
def test_a_plot_looks_exactly_as_with_pyqtgraphs_axes(qtbot, monkeypatch, low, high):
    import numpy as np

    from explorer.widgets import plot as plot_module

    def grab(axis_type):
        monkeypatch.setattr(plot_module, "FastAxis", axis_type)
        widget = make_plot("title", "x label", "y label", legend=True)
        qtbot.addWidget(widget)
        widget.resize(420, 300)
        widget.plot(pen=plot_module.pen("blue"), name="a curve").setData(
            np.linspace(low, high, 50), np.sin(np.linspace(0.0, 6.0, 50)))
        widget.setXRange(low, high, padding=0)
        widget.setYRange(-1.2, 1.2)
        widget.show()
        qtbot.waitExposed(widget)
        item = widget.getPlotItem()
        shown = {side for side in ("left", "bottom", "top", "right")
                 if item.getAxis(side).isVisible()}
        assert shown == {"left", "bottom"}
        return widget.grab().toImage()

    fast, stock = grab(FastAxis), grab(pg.AxisItem)
    assert fast.size() == stock.size() and fast.width() == 420
    assert fast == stock


@pytest.mark.filterwarnings("error::RuntimeWarning")
# The widest ranges the panels set (a quarter of float64's limit either way) and a tiny one.
@pytest.mark.parametrize("low, high", [(1e-320, 2e-320), (-4.49e307, 4.49e307), (0.0, 4.49e307)])
def test_a_range_too_narrow_or_wide_to_draw_draws_without_a_warning(qtbot, monkeypatch, low,
                                                                       high):
    import sys

    errors = []
    monkeypatch.setattr(sys, "excepthook", lambda *info: errors.append(info))
    widget = make_plot("title", "x", "y")
    qtbot.addWidget(widget)
    widget.resize(400, 300)
    widget.show()
    qtbot.waitExposed(widget)
    for side in ("left", "bottom"):
        # As numpy scalars, the way a panel's data gives them.
        axis = _set_range(widget, side, np.float64(low), np.float64(high))
        image = QImage(10, 10, QImage.Format.Format_RGB32)
        painter = QPainter(image)
        try:
            axis.generateDrawSpecs(painter)  # raises if a warning is an error
        finally:
            painter.end()
    widget.grab()  # every axis painted, in a paint event
    assert not errors, errors[0]
