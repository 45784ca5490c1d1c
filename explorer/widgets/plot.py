"""pyqtgraph set-up shared by every plot: one configuration, one palette, labelled axes."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QPen
from PySide6.QtWidgets import QAbstractGraphicsShapeItem, QGraphicsLineItem, QWidget

from explorer.widgets import theme as themes
from explorer.widgets.theme import LIGHT, Theme, current_theme, theme_signals

#: Okabe–Ito colours: distinguishable with the common forms of colour blindness. Curves are
#: built with these light-theme values; plots re-colour them for the theme shown.
OKABE_ITO = dict(themes.OKABE_ITO)
CE_COLOR = OKABE_ITO["blue"]
MSE_COLOR = OKABE_ITO["vermillion"]

#: The smallest size a plot is readable at: a page's content scrolls rather than go below it.
MIN_PLOT_SIZE = (180, 150)

#: A plot's range more than this many times wider than its data is fitted to the data again.
SHRINK_FACTOR = 2.0

_configured = False


def followed_range(current: tuple[float, float] | None,
                   wanted: tuple[float, float]) -> tuple[float, float]:
    """An axis range that follows its data both ways without moving on every small change.

    ``current`` grown to hold ``wanted`` when the data leaves it; ``wanted`` itself once
    ``current`` is more than :data:`SHRINK_FACTOR` times wider; otherwise ``current`` unchanged,
    so a drag inside the range never re-ranges the plot (a re-range repaints the axes, and an
    axis that jumps is hard to drag against).
    """
    if current is None:
        return wanted
    low, high = current
    if wanted[0] < low or wanted[1] > high:
        return min(low, wanted[0]), max(high, wanted[1])
    # Halves: near the float64 limit a plain difference of the ends would overflow.
    if high / 2 - low / 2 > SHRINK_FACTOR * (wanted[1] / 2 - wanted[0] / 2):
        return wanted
    return current


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
    """Set pyqtgraph's global options once (row-major images, light colours, antialiasing)."""
    global _configured
    if not _configured:
        # pyqtgraph's defaults stay the light theme's in every theme: an item that takes the
        # default colour is re-coloured like any other light colour (see ThemedPlotItem).
        pg.setConfigOptions(imageAxisOrder="row-major", antialias=True,
                            background=LIGHT.plot_background, foreground=LIGHT.plot_foreground)
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
    plot = pg.PlotWidget(parent=parent, plotItem=ThemedPlotItem(enableMenu=False))
    item = plot.getPlotItem()
    item.titleLabel.updateMin = _ShrinkableTitle(item.titleLabel)
    item.setTitle(title, size="11pt")
    item.setLabel("bottom", x_label)
    item.setLabel("left", y_label)
    # No grid: pyqtgraph draws grid lines as part of the axes, so every curve change would
    # replay both axes' pictures (text included) and triple the cost of a repaint.
    item.hideButtons()
    plot.disableAutoRange()
    # No panning or zooming: every plot shows the range its panel sets and follows its data,
    # so a drag that misses a bar, or a wheel meant to scroll the page, never loses the view
    # with no way back. The wheel scrolls the page instead.
    plot.setMouseEnabled(False, False)
    plot.setMinimumSize(*MIN_PLOT_SIZE)
    if legend:
        item.addLegend(offset=(-8, 8), labelTextSize="9pt")
    theme = current_theme()
    if theme.dark:
        item.apply_theme(theme)
    return plot


def pen(color: str, width: float = 1.0, dashed: bool = False) -> pg.QtGui.QPen:
    """A cosmetic pen of ``color`` (an Okabe–Ito name such as "black", or a light-theme colour).

    Plots made by :func:`make_plot` show it in the current theme's colour. Width 1 is the
    default on purpose: Qt strokes wider antialiased lines through its general path stroker,
    about four times slower than the one-pixel line, on every repaint.
    """
    from PySide6.QtCore import Qt

    p = pg.mkPen(color=OKABE_ITO.get(color, color), width=width)
    if dashed:
        p.setStyle(Qt.PenStyle.DashLine)
    return p


# -- themes ---------------------------------------------------------------------------------
# Plot items are built with light-theme colours. A themed plot keeps each item's light colours
# aside the first time it re-colours the item, and shows the theme's version of them; the light
# theme gives the originals back exactly. Nothing here runs when data changes: setData and
# friends never look at the theme.

_STASH = "_nn_light_colours"


def themed_copy(value, theme: Theme):
    """``value`` (QPen, QBrush, QColor or None) in ``theme``'s colours (a new object)."""
    if isinstance(value, QPen):
        out = QPen(value)
        if value.style() != Qt.PenStyle.NoPen:
            out.setColor(theme.qcolor(value.color()))
        return out
    if isinstance(value, QBrush):
        out = QBrush(value)
        if value.style() == Qt.BrushStyle.SolidPattern:
            out.setColor(theme.qcolor(value.color()))
        return out
    if isinstance(value, QColor):
        return theme.qcolor(value)
    return value


def _swap(item, key: str, current, theme: Theme, setter) -> None:
    """Show ``theme``'s version of one colour attribute of ``item``.

    The light original is kept on the item. If the item's value is no longer what was last
    shown, code has set a new (light) colour since, and that becomes the original.
    """
    if not isinstance(current, QPen | QBrush | QColor):
        return
    stash = getattr(item, _STASH, None)
    if stash is None:
        stash = {}
        setattr(item, _STASH, stash)
    light, shown = stash.get(key, (None, None))
    if light is None or current != shown:
        light = current
    new = themed_copy(light, theme)
    stash[key] = (light, new)
    if new != current:
        setter(new)


def recolor(item, theme: Theme) -> None:
    """Re-colour a graphics item (and its children) for ``theme`` from its light colours.

    Handles pyqtgraph's data, curve, scatter, bar, line, region and text items, Qt shape and line
    items, and any item with an ``apply_theme(theme)`` method of its own. Images keep their
    colour maps: they show data.
    """
    apply = getattr(item, "apply_theme", None)
    if callable(apply):
        apply(theme)
        return
    if isinstance(item, pg.PlotDataItem):
        opts = item.opts
        _swap(item, "pen", opts.get("pen"), theme, item.setPen)
        _swap(item, "shadowPen", opts.get("shadowPen"), theme, item.setShadowPen)
        _swap(item, "fillBrush", opts.get("fillBrush"), theme, item.setFillBrush)
        _swap(item, "symbolPen", opts.get("symbolPen"), theme, item.setSymbolPen)
        _swap(item, "symbolBrush", opts.get("symbolBrush"), theme, item.setSymbolBrush)
        return  # its children are the curve and the scatter it drives
    if isinstance(item, pg.ImageItem):
        return
    if isinstance(item, pg.PlotCurveItem):
        opts = item.opts
        _swap(item, "pen", opts.get("pen"), theme, item.setPen)
        _swap(item, "shadowPen", opts.get("shadowPen"), theme, item.setShadowPen)
        _swap(item, "brush", opts.get("brush"), theme, item.setBrush)
    elif isinstance(item, pg.ScatterPlotItem):
        _swap(item, "pen", item.opts.get("pen"), theme, item.setPen)
        _swap(item, "brush", item.opts.get("brush"), theme, item.setBrush)
    elif isinstance(item, pg.BarGraphItem):
        opts = item.opts
        _swap(item, "pen", pg.mkPen(opts["pen"]) if opts.get("pen") is not None else None,
              theme, lambda p: item.setOpts(pen=p))
        _swap(item, "brush", pg.mkBrush(opts["brush"]) if opts.get("brush") is not None
              else None, theme, lambda b: item.setOpts(brush=b))
    elif isinstance(item, pg.InfiniteLine):
        _swap(item, "pen", item.pen, theme, item.setPen)
        _swap(item, "hoverPen", item.hoverPen, theme, item.setHoverPen)
    elif isinstance(item, pg.LinearRegionItem):
        _swap(item, "brush", item.brush, theme, item.setBrush)
        _swap(item, "hoverBrush", item.hoverBrush, theme, item.setHoverBrush)
        item.update()
    elif isinstance(item, pg.TextItem):
        _swap(item, "color", item.color, theme, item.setColor)
        _swap(item, "fill", item.fill, theme, lambda b: setattr(item, "fill", b))
        _swap(item, "border", item.border, theme, lambda p: setattr(item, "border", p))
        item.update()
    elif isinstance(item, QAbstractGraphicsShapeItem):
        _swap(item, "pen", item.pen(), theme, item.setPen)
        _swap(item, "brush", item.brush(), theme, item.setBrush)
    elif isinstance(item, QGraphicsLineItem):
        _swap(item, "pen", item.pen(), theme, item.setPen)
    for child in item.childItems():
        recolor(child, theme)


def recolor_legend(legend: pg.LegendItem, theme: Theme) -> None:
    """Frame, fill and label colour of a legend for ``theme`` (samples follow their curves)."""
    _swap(legend, "pen", legend.opts.get("pen"), theme, legend.setPen)
    _swap(legend, "brush", legend.opts.get("brush"), theme, legend.setBrush)
    text = QColor(theme.plot_foreground)
    legend.opts["labelTextColor"] = text
    for _, label in legend.items:
        label.setAttr("color", text)
        label.setText(label.text)


def recolor_axes(item: pg.PlotItem, theme: Theme) -> None:
    """Axis lines, ticks, tick labels and axis titles of a PlotItem in ``theme``'s colours."""
    for axis in item.axes.values():
        axis["item"].setPen(theme.plot_axis)
        axis["item"].setTextPen(theme.plot_foreground)


class ThemedPlotItem(pg.PlotItem):
    """A PlotItem that follows the theme: its frame, texts and every item added to it.

    :func:`make_plot` uses it. An item added while the dark theme shows is re-coloured as it
    arrives; a theme change re-colours everything already there.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        theme_signals().changed.connect(self.apply_theme)

    def addItem(self, item, *args, **kwargs) -> None:  # noqa: D102 - pyqtgraph override
        super().addItem(item, *args, **kwargs)
        theme = current_theme()
        if theme.dark:
            recolor(item, theme)

    def addLegend(self, *args, **kwargs) -> pg.LegendItem:  # noqa: D102 - pyqtgraph override
        legend = super().addLegend(*args, **kwargs)
        theme = current_theme()
        if theme.dark:
            recolor_legend(legend, theme)
        return legend

    def apply_theme(self, theme: Theme) -> None:
        """Show ``theme``'s colours: background, axes, tick labels, title, legend and items."""
        scene = self.scene()
        if scene is not None:
            for view in scene.views():
                if isinstance(view, pg.GraphicsView):
                    view.setBackground(theme.plot_background)
        recolor_axes(self, theme)
        title = self.titleLabel
        if title.text:
            title.setText(title.text, color=theme.plot_foreground)
        if self.legend is not None:
            recolor_legend(self.legend, theme)
        for item in self.items:
            recolor(item, theme)
