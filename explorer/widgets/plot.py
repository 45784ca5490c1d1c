"""pyqtgraph set-up shared by every plot: one configuration, one palette, labelled axes."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

#: Okabe–Ito colours: distinguishable with the common forms of colour blindness.
OKABE_ITO = {
    "blue": "#0072B2", "orange": "#E69F00", "green": "#009E73", "vermillion": "#D55E00",
    "sky": "#56B4E9", "purple": "#CC79A7", "yellow": "#F0E442", "black": "#000000",
}
CE_COLOR = OKABE_ITO["blue"]
MSE_COLOR = OKABE_ITO["vermillion"]

_configured = False


class _ShrinkableTitle:
    """Stand-in for a title LabelItem's ``updateMin`` that lets the label's width shrink.

    pyqtgraph makes a plot title's minimum width the text's width, and a plot whose title is
    wider than the widget then overflows its own view: axes and data are cut off on the right.
    A title may be clipped instead; the plot never is.
    """

    def __init__(self, label: pg.LabelItem) -> None:
        self._label = label

    def __call__(self) -> None:
        label = self._label
        pg.LabelItem.updateMin(label)
        label.setMinimumWidth(0)
        height = label.minimumHeight()
        label._sizeHint[Qt.SizeHint.MinimumSize] = (0, height)
        label._sizeHint[Qt.SizeHint.PreferredSize] = (0, height)
        label.updateGeometry()


def configure() -> None:
    """Set pyqtgraph's global options once (row-major images, light theme, antialiasing)."""
    global _configured
    if not _configured:
        pg.setConfigOptions(imageAxisOrder="row-major", antialias=True, background="w",
                            foreground="#222222")
        _configured = True


def make_plot(title: str, x_label: str, y_label: str, parent: QWidget | None = None,
              legend: bool = False) -> pg.PlotWidget:
    """A PlotWidget with a title, labelled axes, a light grid and no auto-ranging.

    Auto-range is off so a change of data never re-ranges the axes (that flickers and costs a
    full axis redraw); callers set the range they want.
    """
    configure()
    # No context menus: building pyqtgraph's ViewBox menu costs ~30 ms a plot at start-up, and
    # its options (log axes, FFT, ...) would only confuse what the panels show.
    plot = pg.PlotWidget(parent=parent, enableMenu=False)
    item = plot.getPlotItem()
    item.titleLabel.updateMin = _ShrinkableTitle(item.titleLabel)
    item.setTitle(title, size="11pt")
    item.setLabel("bottom", x_label)
    item.setLabel("left", y_label)
    # No grid: pyqtgraph draws grid lines as part of the axes, so every curve change would
    # replay both axes' pictures (text included) and triple the cost of a repaint.
    item.hideButtons()
    plot.disableAutoRange()
    plot.setMinimumSize(160, 120)
    if legend:
        item.addLegend(offset=(-8, 8), labelTextSize="9pt")
    return plot


def pen(color: str, width: float = 1.0, dashed: bool = False) -> pg.QtGui.QPen:
    """A cosmetic pen of ``color``.

    Width 1 is the default on purpose: Qt strokes wider antialiased lines through its general
    path stroker, about four times slower than the one-pixel line, on every repaint.
    """
    from PySide6.QtCore import Qt

    p = pg.mkPen(color=color, width=width)
    if dashed:
        p.setStyle(Qt.PenStyle.DashLine)
    return p


def curve(plot: pg.PlotWidget, line_pen, name: str | None = None) -> pg.PlotDataItem:
    """Add a line to ``plot`` for data the model produced (always finite: no per-update check)."""
    return plot.plot(pen=line_pen, name=name, skipFiniteCheck=True)
