"""Plots whose frame is pyqtgraph's, drawn once, and whose data is painted directly: fast updates.

A :class:`PaintedPlot` keeps a real pyqtgraph plot (title, axes, legend, colour bar: everything
:func:`~explorer.widgets.plot.make_plot` builds) in a scene that is never shown. That frame is
rendered into a pixmap only when its ranges, texts, size or theme change. The data sit in light
layers — bars, markers, lines, curves, texts, labels, cells — painted straight onto the widget
above the pixmap, so changing a value costs a few QPainter calls on the plot area instead of a
QGraphicsView pass that asks every item for its bounding rectangle and replays both axes: about
a fifth of the time, and it still looks like the pyqtgraph plot it is.

Layers copy the small part of pyqtgraph's item API the panels use (``setData``, ``setOpts``,
``setValue``, ``getData``, ``opts``, ``setImage``...), and the plot copies the part of
``PlotWidget``'s (``getPlotItem``, ``setXRange``, ``viewRange``, ``mapFromScene``), so a panel
swaps one for the other without changing how it thinks. Mouse presses that miss a draggable line
go to the hidden pyqtgraph view: panning, zooming and legend clicks behave as before.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import pyqtgraph as pg
from pyqtgraph.graphicsItems.LegendItem import ItemSample
from pyqtgraph.graphicsItems.ScatterPlotItem import drawSymbol, renderSymbol
from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QObject,
    QPoint,
    QPointF,
    QRect,
    QRectF,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QBrush,
    QColor,
    QFont,
    QFontInfo,
    QFontMetricsF,
    QImage,
    QMouseEvent,
    QPaintEngine,
    QPainter,
    QPainterPath,
    QPalette,
    QPen,
    QPixmap,
    QTextDocument,
    QTransform,
)
from PySide6.QtWidgets import (
    QApplication,
    QGraphicsItem,
    QSizePolicy,
    QStyleOptionGraphicsItem,
    QToolTip,
    QWidget,
)

from explorer.widgets.plot import MIN_PLOT_SIZE, make_plot, themed_copy
from explorer.widgets.raster import blit
from explorer.widgets.theme import Theme, current_theme, theme_signals

__all__ = [
    "PaintedBars", "PaintedCells", "PaintedCurve", "PaintedLabels", "PaintedLayer", "PaintedLine",
    "PaintedPlot", "PaintedRegion", "PaintedScatter", "PaintedText",
]


# -- colours -------------------------------------------------------------------------------
@lru_cache(maxsize=512)
def _symbol_image(symbol: str, size: float, pen_key: tuple, brush_key: tuple,
                  dpr: float) -> QImage:
    """A marker drawn once, exactly as pyqtgraph's ScatterPlotItem draws it into its atlas."""
    return renderSymbol(symbol, size, _pen_from_key(pen_key), _brush_from_key(brush_key),
                        dpr=dpr)


def _pen_key(pen: QPen) -> tuple:
    return (pen.color().rgba(), pen.widthF(), int(pen.style().value), pen.isCosmetic())


def _pen_from_key(key: tuple) -> QPen:
    rgba, width, style, cosmetic = key
    pen = QPen(QColor.fromRgba(rgba), width)
    pen.setStyle(Qt.PenStyle(style))
    pen.setCosmetic(cosmetic)
    return pen


def _brush_key(brush: QBrush) -> tuple:
    return (brush.color().rgba(), int(brush.style().value))


def _brush_from_key(key: tuple) -> QBrush:
    rgba, style = key
    return QBrush(QColor.fromRgba(rgba), Qt.BrushStyle(style))


_MIN_LABEL_POINTS = 6.0  # PaintedLabels shrink no further to fit
_TEXT_MARGIN = 4.0  # around PaintedText lines: a QTextDocument's own, so both boxes look alike


# -- layers ----------------------------------------------------------------------------------
class PaintedLayer(QObject):
    """Something drawn in data coordinates on a :class:`PaintedPlot`, above its frame.

    Layers are painted in the order they were added (then by :meth:`setZValue`) and clipped to
    the plot area, like pyqtgraph items in a ViewBox. Colours are given as the light theme shows
    them; :meth:`apply_theme` shows the current theme's version.
    """

    #: Kind of legend sample ("line", "bars" or "scatter").
    sample = "line"
    #: Whether the layer is painted antialiased. As in pyqtgraph: only curves are; bars, lines
    #: along the axes and images are not, and markers and texts come pre-rendered.
    antialias = False

    def __init__(self, name: str | None = None) -> None:
        super().__init__()
        self._plot: PaintedPlot | None = None
        self._visible = True
        self._z = 0.0
        self._tooltip = ""
        self.name = name
        self.opts: dict = {"antialias": self.antialias}
        self._light: dict = {}

    # pyqtgraph-like basics
    def setVisible(self, visible: bool) -> None:  # noqa: N802 - pyqtgraph's name
        """Show or hide the layer."""
        visible = bool(visible)
        if visible != self._visible:
            self._visible = visible
            self._changed()
            if self.name and self._plot is not None:
                self._plot.legend_changed()  # its legend entry shows the crossed-out eye

    def isVisible(self) -> bool:  # noqa: N802 - pyqtgraph's name
        """Whether the layer is shown."""
        return self._visible

    def show(self) -> None:
        """Show the layer."""
        self.setVisible(True)

    def hide(self) -> None:
        """Hide the layer."""
        self.setVisible(False)

    def setZValue(self, z: float) -> None:  # noqa: N802 - pyqtgraph's name
        """Stacking order: higher values are painted later (on top)."""
        self._z = float(z)
        if self._plot is not None:
            self._plot.sort_layers()
            self._changed()

    def zValue(self) -> float:  # noqa: N802 - pyqtgraph's name
        """The stacking order."""
        return self._z

    def setToolTip(self, text: str) -> None:  # noqa: N802 - Qt's name
        """Text shown while the mouse rests on what this layer draws."""
        self._tooltip = text

    def toolTip(self) -> str:  # noqa: N802 - Qt's name
        """The layer's tooltip."""
        return self._tooltip

    def plot(self) -> PaintedPlot | None:
        """The plot this layer is on."""
        return self._plot

    # colours
    def _set_colour(self, key: str, value) -> None:
        """Keep a light-theme colour (pen, brush) and show the current theme's version."""
        self._light[key] = value
        self.opts[key] = themed_copy(value, current_theme())
        if self.name and self._plot is not None:
            self._plot.legend_changed()  # the legend draws its sample with this colour

    def apply_theme(self, theme: Theme) -> None:
        """Show ``theme``'s version of every colour this layer keeps."""
        for key, value in self._light.items():
            self.opts[key] = themed_copy(value, theme)
        self._theme_changed(theme)
        self._changed()

    def _theme_changed(self, theme: Theme) -> None:
        """Hook for layers that derive more from their colours."""

    # painting
    def _changed(self) -> None:
        if self._plot is not None:
            self._plot.layer_changed(self)


    def paint(self, painter: QPainter, plot: PaintedPlot) -> None:
        """Draw the layer; ``plot.to_widget`` maps data coordinates to the widget."""
        raise NotImplementedError

    def hit(self, pos: QPointF, plot: PaintedPlot) -> bool:
        """Whether ``pos`` (widget coordinates) is on what this layer draws (for tooltips)."""
        return False

    def thicken(self, width: float) -> None:
        """Draw thin lines ``width`` pixels wide (for an export); other layers keep their look."""


def _pen(value) -> QPen:
    return pg.mkPen(value) if not isinstance(value, QPen) else QPen(value)


def _brush(value) -> QBrush:
    return pg.mkBrush(value) if not isinstance(value, QBrush) else QBrush(value)


class PaintedBars(PaintedLayer):
    """Vertical bars from 0, like ``pg.BarGraphItem(x=, height=, width=, brush=, pen=)``."""

    sample = "bars"

    def __init__(self, x=(), height=(), width=0.8, brush=None, pen=None,
                 name: str | None = None) -> None:
        super().__init__(name)
        self._set_colour("brush", _brush(brush if brush is not None else (128, 128, 128)))
        self._set_colour("pen", _pen(pen) if pen is not None else _pen(None))
        self.opts.update(x=np.asarray(x, dtype=np.float64), height=np.asarray(
            height, dtype=np.float64), width=width)

    def setOpts(self, **opts) -> None:  # noqa: N802 - pyqtgraph's name
        """Change ``x``, ``height``, ``width``, ``brush`` or ``pen``."""
        for key in ("x", "height"):
            if key in opts:
                self.opts[key] = np.asarray(opts.pop(key), dtype=np.float64)
        for key in ("brush", "pen"):
            if key in opts:
                value = opts.pop(key)
                self._set_colour(key, _brush(value) if key == "brush" else _pen(value))
        self.opts.update(opts)
        self._changed()

    def _rects(self, plot: PaintedPlot) -> list[QRectF]:
        x, height = self.opts["x"], self.opts["height"]
        if x.size == 0:
            return []
        half = np.broadcast_to(np.asarray(self.opts["width"], dtype=np.float64), x.shape) / 2
        left, top = plot.to_widget(x - half, height)
        right, base = plot.to_widget(x + half, np.zeros_like(height))
        return [QRectF(QPointF(a, b), QPointF(c, d)).normalized()
                for a, b, c, d in zip(left.tolist(), top.tolist(), right.tolist(),
                                      base.tolist(), strict=True)]

    def paint(self, painter: QPainter, plot: PaintedPlot) -> None:  # noqa: D102
        x, height = self.opts["x"], self.opts["height"]
        if x.size == 0:
            return
        width = np.broadcast_to(np.asarray(self.opts["width"], dtype=np.float64), x.shape)
        low = np.minimum(height, 0.0)
        # In data coordinates under the plot's transform, exactly as pyqtgraph draws them (the
        # same pixels, and dashes that start where its do).
        rects = [QRectF(a, b, c, d) for a, b, c, d in zip(
            (x - width / 2).tolist(), low.tolist(), width.tolist(), np.abs(height).tolist(),
            strict=True)]
        painter.save()
        painter.setTransform(plot.data_transform(), True)
        painter.setPen(self.opts["pen"])
        painter.setBrush(self.opts["brush"])
        painter.drawRects(rects)
        painter.restore()

    def hit(self, pos: QPointF, plot: PaintedPlot) -> bool:  # noqa: D102
        return any(r.contains(pos) for r in self._rects(plot))


class PaintedScatter(PaintedLayer):
    """Markers of one symbol and size, like ``pg.ScatterPlotItem`` in pixel mode."""

    sample = "scatter"

    def __init__(self, x=(), y=(), size: float = 7, symbol: str = "o", pen=None, brush=None,
                 name: str | None = None) -> None:
        super().__init__(name)
        self.opts.update(size=size, symbol=symbol)
        self._set_colour("pen", _pen(pen) if pen is not None
                         else _pen(pg.getConfigOption("foreground")))
        self._set_colour("brush", _brush(brush) if brush is not None
                         else _brush((100, 100, 150)))
        self._x = np.asarray(x, dtype=np.float64)
        self._y = np.asarray(y, dtype=np.float64)
        self._light_brushes: list[QBrush] | None = None
        self._brushes: list[QBrush] | None = None

    def setData(self, x, y, brush=None) -> None:  # noqa: N802 - pyqtgraph's name
        """Move the markers; ``brush`` may give one brush per marker."""
        self._x = np.array(x, dtype=np.float64)
        self._y = np.array(y, dtype=np.float64)
        if brush is not None:
            if isinstance(brush, list | tuple):
                self._light_brushes = [_brush(b) for b in brush]
                theme = current_theme()
                self._brushes = [themed_copy(b, theme) for b in self._light_brushes]
            else:
                self._set_colour("brush", _brush(brush))
                self._light_brushes = self._brushes = None
        self._changed()

    def getData(self) -> tuple[np.ndarray, np.ndarray]:  # noqa: N802 - pyqtgraph's name
        """The markers' x and y."""
        return self._x, self._y

    def setBrush(self, brush) -> None:  # noqa: N802 - pyqtgraph's name
        """One fill for every marker."""
        self._set_colour("brush", _brush(brush))
        self._light_brushes = self._brushes = None
        self._changed()

    def setPen(self, pen) -> None:  # noqa: N802 - pyqtgraph's name
        """Outline of every marker."""
        self._set_colour("pen", _pen(pen))
        self._changed()

    def _theme_changed(self, theme: Theme) -> None:
        if self._light_brushes is not None:
            self._brushes = [themed_copy(b, theme) for b in self._light_brushes]

    def paint(self, painter: QPainter, plot: PaintedPlot) -> None:  # noqa: D102
        n = min(self._x.size, self._y.size)
        if n == 0:
            return
        xs, ys = plot.to_widget(self._x[:n], self._y[:n])
        dpr = painter.device().devicePixelRatioF()
        pen_key = _pen_key(self.opts["pen"])
        size, symbol = float(self.opts["size"]), self.opts["symbol"]
        if self._brushes is not None and len(self._brushes) >= n:
            keys = [_brush_key(brush) for brush in self._brushes[:n]]
        else:
            keys = [_brush_key(self.opts["brush"])] * n  # one brush: its key once
        for x, y, key in zip(xs.tolist(), ys.tolist(), keys, strict=True):
            if not (math.isfinite(x) and math.isfinite(y)):
                continue
            image = _symbol_image(symbol, size, pen_key, key, dpr)
            w, h = image.width() / dpr, image.height() / dpr
            painter.drawImage(QRectF(x - w / 2, y - h / 2, w, h), image)

    def hit(self, pos: QPointF, plot: PaintedPlot) -> bool:  # noqa: D102
        if self._x.size == 0:
            return False
        xs, ys = plot.to_widget(self._x, self._y)
        r = float(self.opts["size"]) / 2 + 2
        return bool(np.any((xs - pos.x()) ** 2 + (ys - pos.y()) ** 2 <= r * r))


#: Curves drawn with a pen at least this wide (pixels) are filled as an outline: see _band.
BAND_WIDTH = 3.0


def _band_outline(x: np.ndarray, y: np.ndarray, half: float,
                  cap: Qt.PenCapStyle = Qt.PenCapStyle.SquareCap) -> QPainterPath | None:
    """The outline Qt's stroker makes for a polyline (widget pixels) and a pen ``2 half`` wide.

    Joins are bevels (Qt's default, and pyqtgraph's); ``cap`` is the pen's: round (pyqtgraph's),
    square (Qt's) or flat. Each segment is widened by ``half`` along its normal; at a vertex the
    outline goes from the end of one widened segment to the start of the next (the bevel). It
    runs out along one side, round the far cap, back along the other side and round the near
    cap, and is filled with the non-zero rule, as Qt fills a stroke, so the loops of a sharp
    turn are filled once. None when there is nothing to draw or a point is not finite.
    """
    n = min(x.size, y.size)
    if n < 2:
        return None
    x, y = x[:n], y[:n]
    if not (np.isfinite(x).all() and np.isfinite(y).all()):
        return None
    dx, dy = np.diff(x), np.diff(y)
    length = np.hypot(dx, dy)
    keep = np.concatenate([[True], length > 1e-9])  # repeated points have no direction
    if not keep.all():
        x, y = x[keep], y[keep]
        if x.size < 2:
            return None
        dx, dy = np.diff(x), np.diff(y)
        length = np.hypot(dx, dy)
    tx, ty = dx / length, dy / length  # unit directions of the segments
    nx, ny = -ty, tx  # and their normals
    # Segment k runs from point k to point k + 1: its widened ends on one side, in order.
    side_x = np.column_stack([x[:-1] + half * nx, x[1:] + half * nx]).ravel()
    side_y = np.column_stack([y[:-1] + half * ny, y[1:] + half * ny]).ravel()
    back_x = np.column_stack([x[:-1] - half * nx, x[1:] - half * nx]).ravel()[::-1]
    back_y = np.column_stack([y[:-1] - half * ny, y[1:] - half * ny]).ravel()[::-1]

    def cap_points(px: float, py: float, ux: float, uy: float, vx: float, vy: float):
        """From p + half·u round to p − half·u, bulging towards v (the way out)."""
        if cap == Qt.PenCapStyle.FlatCap:
            return np.empty(0), np.empty(0)
        if cap == Qt.PenCapStyle.SquareCap:
            angles = np.array([np.pi / 4, 3 * np.pi / 4])
            reach = half * math.sqrt(2.0)
        else:
            angles = np.linspace(0.0, np.pi, max(6, int(2 * half) + 2))[1:-1]
            reach = half
        c, s = np.cos(angles), np.sin(angles)
        return px + reach * (c * ux + s * vx), py + reach * (c * uy + s * vy)

    end_x, end_y = cap_points(x[-1], y[-1], nx[-1], ny[-1], tx[-1], ty[-1])
    start_x, start_y = cap_points(x[0], y[0], -nx[0], -ny[0], -tx[0], -ty[0])
    path = pg.functions.arrayToQPath(
        np.concatenate([side_x, end_x, back_x, start_x, side_x[:1]]),
        np.concatenate([side_y, end_y, back_y, start_y, side_y[:1]]), connect="all")
    path.setFillRule(Qt.FillRule.WindingFill)
    return path


class PaintedCurve(PaintedLayer):
    """A polyline through (x, y), like ``pg.PlotCurveItem`` (and drawn the same way).

    Parameters
    ----------
    pen : QPen or colour
        Light-theme pen.
    name : str, optional
        Legend entry.
    connect : str or bool array
        As pyqtgraph's: "all", "pairs" (separate segments 0–1, 2–3, …), "finite", or one bool
        per point (False: no segment to the next point), so several curves can share a layer.
    antialias : bool
        pyqtgraph's default is on; a wide band may turn it off.
    """

    antialias = True

    def __init__(self, pen=None, name: str | None = None, connect: str | np.ndarray = "all",
                 antialias: bool = True) -> None:
        self.antialias = antialias
        super().__init__(name)
        self._set_colour("pen", _pen(pen) if pen is not None
                         else _pen(pg.getConfigOption("foreground")))
        self.connect = connect
        self.xData: np.ndarray | None = None
        self.yData: np.ndarray | None = None
        self._path: QPainterPath | None = None
        self._band_cache: tuple | None = None

    def setData(self, x, y, connect: str | np.ndarray | None = None) -> None:  # noqa: N802
        """Replace the points (and, if given, how they connect)."""
        if connect is not None:
            self.connect = connect
        self.xData = np.array(x, dtype=np.float64)
        self.yData = np.array(y, dtype=np.float64)
        n = min(self.xData.size, self.yData.size)
        # The path lives in data coordinates and is drawn under the plot's transform, as
        # pyqtgraph draws its curves: a new range costs nothing here.
        self._path = pg.functions.arrayToQPath(self.xData[:n], self.yData[:n],
                                               connect=self.connect) if n else None
        self._band_cache = None
        self._changed()

    def getData(self) -> tuple[np.ndarray | None, np.ndarray | None]:  # noqa: N802
        """The curve's x and y."""
        return self.xData, self.yData

    def setPen(self, pen) -> None:  # noqa: N802 - pyqtgraph's name
        """The curve's pen (light-theme colour)."""
        self._set_colour("pen", _pen(pen))
        self._changed()

    def thicken(self, width: float) -> None:  # noqa: D102
        pen = QPen(self._light["pen"])
        if pen.style() != Qt.PenStyle.NoPen and pen.widthF() <= 1.0:
            pen.setWidthF(width)
            self.setPen(pen)

    def paint(self, painter: QPainter, plot: PaintedPlot) -> None:  # noqa: D102
        if self._path is None:
            return
        pen = self.opts["pen"]
        if pen.widthF() >= BAND_WIDTH and painter.paintEngine().type() == \
                QPaintEngine.Type.Raster:
            band = self._band(plot, pen, painter.deviceTransform())
            if band is not None:
                painter.fillPath(band, pen.brush())
                return
        painter.save()
        painter.setTransform(plot.data_transform(), True)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(self._path)
        painter.restore()

    def _band(self, plot: PaintedPlot, pen: QPen, device: QTransform) -> QPainterPath | None:
        """A wide solid pen's stroke as one outline in widget pixels, filled instead of stroked.

        Qt strokes a wide line by building and filling an outline with a join at every vertex,
        which costs over half a millisecond for a 300-point band; :func:`_band_outline` builds
        the same outline in numpy in a fraction of that. A cosmetic pen's width is in device
        pixels, so the outline is built for the painter's device scale (2 on a high-density
        screen). Anything else — dashes, joins other than bevels, gaps, non-finite points, a
        turned or unevenly scaled painter, vectors for SVG — takes Qt's own stroke.
        """
        scale = device.m11()
        key = (plot.mapping(), pen.widthF(), pen.style(), pen.isCosmetic(), pen.capStyle(),
               pen.joinStyle(), scale, device.type())
        if self._band_cache is not None and self._band_cache[0] == key:
            return self._band_cache[1]
        band = None
        if pen.style() == Qt.PenStyle.SolidLine and pen.isCosmetic() and \
                pen.joinStyle() == Qt.PenJoinStyle.BevelJoin and \
                device.type().value <= QTransform.TransformationType.TxScale.value and \
                scale > 0 and abs(device.m22() - scale) <= 1e-9 * scale and \
                isinstance(self.connect, str) and self.connect == "all":
            band = _band_outline(*plot.to_widget(self.xData, self.yData),
                                 pen.widthF() / (2 * scale), pen.capStyle())
        self._band_cache = (key, band)
        return band


class PaintedLine(PaintedLayer):
    """A horizontal (angle 0) or vertical (angle 90) line across the view.

    Like ``pg.InfiniteLine``: a movable one can be dragged and emits the same signals.
    """

    sigPositionChanged = Signal(object)  # noqa: N815 - pyqtgraph's names
    sigDragged = Signal(object)  # noqa: N815
    sigPositionChangeFinished = Signal(object)  # noqa: N815

    def __init__(self, pos: float | None = None, angle: float = 90, pen=None, movable=False,
                 hoverPen=None, span: tuple[float, float] = (0.0, 1.0),  # noqa: N803
                 name: str | None = None) -> None:
        super().__init__(name)
        if angle not in (0, 90):
            raise ValueError(f"angle must be 0 (horizontal) or 90 (vertical), got {angle}")
        self.angle = angle
        self._value = float(pos) if pos is not None else 0.0
        self.movable = movable
        self.span = tuple(span)
        self.hovering = False
        self._set_colour("pen", _pen(pen) if pen is not None else _pen((200, 200, 100)))
        self._set_colour("hoverPen", _pen(hoverPen) if hoverPen is not None
                         else _pen((255, 0, 0)))

    @property
    def pen(self) -> QPen:
        """The pen as shown."""
        return self.opts["pen"]

    def setPen(self, pen) -> None:  # noqa: N802 - pyqtgraph's name
        """The line's pen (light-theme colour)."""
        self._set_colour("pen", _pen(pen))
        self._changed()

    def setHoverPen(self, pen) -> None:  # noqa: N802 - pyqtgraph's name
        """The pen while the mouse is over a movable line."""
        self._set_colour("hoverPen", _pen(pen))
        self._changed()

    def value(self) -> float:
        """Where the line is (y for a horizontal line, x for a vertical one)."""
        return self._value

    def setValue(self, value: float) -> None:  # noqa: N802 - pyqtgraph's name
        """Move the line; emits ``sigPositionChanged`` if it moved."""
        value = float(value)
        if value != self._value:
            self._value = value
            self._changed()
            self.sigPositionChanged.emit(self)

    setPos = setValue  # noqa: N815 - pyqtgraph's name

    def setSpan(self, low: float, high: float) -> None:  # noqa: N802 - pyqtgraph's name
        """Draw only this fraction (0…1) of the view's width (height)."""
        if (low, high) != self.span:
            self.span = (low, high)
            self._changed()

    def _ends(self, plot: PaintedPlot) -> tuple[QPointF, QPointF]:
        rect = plot.view_rect()
        low, high = self.span
        if self.angle == 0:
            _, y = plot.to_widget(np.zeros(1), np.array([self._value]))
            y = float(y[0])
            return (QPointF(rect.left() + low * rect.width(), y),
                    QPointF(rect.left() + high * rect.width(), y))
        x, _ = plot.to_widget(np.array([self._value]), np.zeros(1))
        x = float(x[0])
        return (QPointF(x, rect.bottom() - low * rect.height()),
                QPointF(x, rect.bottom() - high * rect.height()))

    def paint(self, painter: QPainter, plot: PaintedPlot) -> None:  # noqa: D102
        if not math.isfinite(self._value):
            return
        # In data coordinates under the plot's transform, as pyqtgraph draws it.
        (x0, x1), (y0, y1) = plot.view_range()
        low, high = (x0, x1) if self.angle == 0 else (y0, y1)
        left = low + (high - low) * self.span[0]
        right = low + (high - low) * self.span[1]
        painter.save()
        painter.setTransform(plot.data_transform(), True)
        painter.setPen(self.opts["hoverPen"] if self.hovering else self.opts["pen"])
        if self.angle == 0:
            painter.drawLine(QPointF(right, self._value), QPointF(left, self._value))
        else:
            # Upwards: the way that lays a dashed pen's dashes as pyqtgraph's turned line does.
            painter.drawLine(QPointF(self._value, left), QPointF(self._value, right))
        painter.restore()

    def hit(self, pos: QPointF, plot: PaintedPlot) -> bool:  # noqa: D102
        a, b = self._ends(plot)
        reach = max(self.opts["pen"].widthF(), self.opts["hoverPen"].widthF()) / 2 + 1.5
        reach = max(reach, 3.0)
        if self.angle == 0:
            return min(a.x(), b.x()) <= pos.x() <= max(a.x(), b.x()) and \
                abs(pos.y() - a.y()) <= reach
        return min(a.y(), b.y()) <= pos.y() <= max(a.y(), b.y()) and abs(pos.x() - a.x()) <= reach


class PaintedRegion(PaintedLayer):
    """A band between two x values across the view, like a fixed ``pg.LinearRegionItem``."""

    def __init__(self, values: tuple[float, float] = (0.0, 1.0), brush=None) -> None:
        super().__init__()
        self._set_colour("brush", _brush(brush) if brush is not None
                         else _brush((0, 0, 255, 50)))
        self._region = (float(values[0]), float(values[1]))

    def setRegion(self, values: tuple[float, float]) -> None:  # noqa: N802 - pyqtgraph's name
        """Move the band's edges."""
        region = (float(values[0]), float(values[1]))
        if region != self._region:
            self._region = region
            self._changed()

    def getRegion(self) -> tuple[float, float]:  # noqa: N802 - pyqtgraph's name
        """The band's edges, low first."""
        return min(self._region), max(self._region)

    def paint(self, painter: QPainter, plot: PaintedPlot) -> None:  # noqa: D102
        low, high = self.getRegion()
        (_, _), (y0, y1) = plot.view_range()
        painter.save()
        painter.setTransform(plot.data_transform(), True)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(self.opts["brush"])
        painter.drawRect(QRectF(low, y0, high - low, y1 - y0))
        painter.restore()

    def hit(self, pos: QPointF, plot: PaintedPlot) -> bool:  # noqa: D102
        x, _ = plot.to_data(pos)
        low, high = self.getRegion()
        return low <= x <= high


class PaintedText(PaintedLayer):
    """A text box at a data point that keeps its pixel size, like ``pg.TextItem``.

    The text (plain or HTML) is laid out once per change into a small pixmap with its fill.
    """

    def __init__(self, text: str = "", color=None, anchor: tuple[float, float] = (0, 0),
                 fill=None, html: str | None = None) -> None:
        super().__init__()
        self._set_colour("color", QColor(pg.mkColor(color if color is not None
                                                    else pg.getConfigOption("foreground"))))
        self._set_colour("fill", _brush(fill) if fill is not None else QBrush())
        self._anchor = tuple(anchor)
        self._pos = (0.0, 0.0)
        self._text = ""
        self._is_html = False
        self._lines: tuple[tuple[str, str | None], ...] | None = None
        self._points = 0.0
        self._variants: tuple = ()  # set_lines: (lines, points), and the short form
        self._room: float | None = None
        self._chosen = -1
        self._full_width = 0.0  # of the full lines' box, when there is a short form
        self._image: QImage | None = None
        #: Boxes already laid out, by text and colours (values shown before come back often).
        self._cache: dict[tuple, QImage] = {}
        if html is not None:
            self.setHtml(html)
        else:
            self.setText(text)

    def text(self) -> str:
        """The text shown (plain, or the HTML given to :meth:`setHtml`)."""
        return self._text

    def setText(self, text: str) -> None:  # noqa: N802 - pyqtgraph's name
        """Plain text."""
        self._text, self._is_html, self._lines, self._image = text, False, None, None
        self._variants = ()
        self._changed()

    def setHtml(self, html: str) -> None:  # noqa: N802 - pyqtgraph's name
        """Rich text."""
        self._text, self._is_html, self._lines, self._image = html, True, None, None
        self._variants = ()
        self._changed()

    def set_lines(self, lines: Sequence[tuple[str, str | None]], points: float = 0.0,
                  short: Sequence[tuple[str, str | None]] | None = None,
                  short_points: float = 0.0, room: float | None = None) -> None:
        """Plain lines, each in its own light-theme colour (None: the text colour).

        What a few coloured lines of HTML would show, laid out with font metrics: about a
        tenth of the cost of a rich-text layout, for a box whose numbers change on every
        step. ``points``: font size (0: the application font's). With ``short`` and
        ``room``, the box shows the ``short`` lines (in ``short_points``) whenever the full
        ones would be wider than ``room`` times the plot area's width, as it is when painted.
        """
        variants = ((tuple((str(t), c) for t, c in lines), float(points)),)
        if short is not None and room is not None:
            variants += ((tuple((str(t), c) for t, c in short), float(short_points)),)
        if variants == self._variants and room == self._room:
            return
        self._variants, self._room, self._chosen = variants, room, -1
        if len(variants) > 1:
            lines, points = variants[0]
            metrics = QFontMetricsF(self._lines_font(points))
            self._full_width = max(metrics.horizontalAdvance(t) for t, _ in lines) + \
                2 * _TEXT_MARGIN
        self._use_variant(0)
        self._changed()

    def _use_variant(self, index: int) -> None:
        if index != self._chosen:
            self._chosen = index
            self._lines, self._points = self._variants[index]
            self._text = "\n".join(t for t, _ in self._lines)
            self._is_html, self._image = False, None

    @staticmethod
    def _lines_font(points: float) -> QFont:
        font = QFont()
        if points > 0:
            font.setPointSizeF(points)
        return font

    def _choose_variant(self, plot: PaintedPlot) -> None:
        """The full lines if they fit the room the plot area leaves now, else the short."""
        if len(self._variants) < 2:
            return
        self._use_variant(0 if self._full_width <= self._room * plot.view_rect().width() else 1)

    def toHtml(self) -> str:  # noqa: N802 - Qt's name
        """The text as set."""
        return self._text

    def setPos(self, x: float, y: float) -> None:  # noqa: N802 - pyqtgraph's name
        """Where the anchor point of the box sits, in data coordinates."""
        if (x, y) != self._pos:
            self._pos = (float(x), float(y))
            self._changed()

    def pos(self) -> QPointF:
        """The anchor's data position."""
        return QPointF(*self._pos)

    def setAnchor(self, anchor: tuple[float, float]) -> None:  # noqa: N802 - pyqtgraph's name
        """Which point of the box sits at :meth:`pos`: (0, 0) top left … (1, 1) bottom right."""
        if tuple(anchor) != self._anchor:
            self._anchor = tuple(anchor)
            self._changed()

    def setColor(self, color) -> None:  # noqa: N802 - pyqtgraph's name
        """Default text colour (light theme)."""
        self._set_colour("color", QColor(pg.mkColor(color)))
        self._image = None
        self._changed()

    def _theme_changed(self, theme: Theme) -> None:
        self._image = None

    def _blank_box(self, width: float, height: float, dpr: float) -> QImage:
        """The box's image, ``width`` × ``height`` logical pixels, filled with its fill.

        The box is the whole image: it is filled as memory (a translucent painter fill is
        handed to Qt's thread pool, which costs more than the fill on a busy machine).
        """
        image = QImage(max(1, math.ceil(width * dpr)), max(1, math.ceil(height * dpr)),
                       QImage.Format.Format_ARGB32_Premultiplied)
        image.setDevicePixelRatio(dpr)
        fill = self.opts["fill"]
        image.fill(fill.color() if fill.style() == Qt.BrushStyle.SolidPattern
                   else QColor(Qt.GlobalColor.transparent))
        return image

    def _render_lines(self, dpr: float) -> QImage:
        font = self._lines_font(self._points)
        metrics = QFontMetricsF(font)
        margin = _TEXT_MARGIN
        width = max(metrics.horizontalAdvance(text) for text, _ in self._lines) + 2 * margin
        height = len(self._lines) * metrics.lineSpacing() + 2 * margin
        image = self._blank_box(width, height, dpr)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        painter.setFont(font)
        theme = current_theme()
        for n, (text, color) in enumerate(self._lines):
            painter.setPen(self.opts["color"] if color is None else theme.qcolor(color))
            painter.drawText(QPointF(margin, margin + n * metrics.lineSpacing() + metrics.ascent()),
                             text)
        painter.end()
        return image

    def _render(self, dpr: float) -> QImage:
        if self._lines:
            return self._render_lines(dpr)
        document = QTextDocument()
        document.setDefaultFont(QFont())
        if self._is_html:
            document.setHtml(self._text)
        else:
            document.setPlainText(self._text)
        size = document.size()
        image = self._blank_box(size.width(), size.height(), dpr)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        context = QAbstractTextDocumentLayout.PaintContext()
        palette = QPalette(context.palette)
        palette.setColor(QPalette.ColorRole.Text, self.opts["color"])
        context.palette = palette
        document.documentLayout().draw(painter, context)
        painter.end()
        return image

    def _box(self, plot: PaintedPlot, dpr: float) -> tuple[QRectF, QImage]:
        self._choose_variant(plot)
        if self._image is None or self._image.devicePixelRatio() != dpr:
            shown = None if not self._lines else tuple(
                None if c is None else current_theme().qcolor(c).rgba() for _, c in self._lines)
            key = (self._text, self._is_html, shown, self._points, self.opts["color"].rgba(),
                   _brush_key(self.opts["fill"]), dpr)
            image = self._cache.get(key)
            if image is None:
                image = self._render(dpr)
                if len(self._cache) >= 64:
                    self._cache.pop(next(iter(self._cache)))
                self._cache[key] = image
            self._image = image
        w, h = self._image.width() / dpr, self._image.height() / dpr
        xs, ys = plot.to_widget(np.array([self._pos[0]]), np.array([self._pos[1]]))
        ax, ay = self._anchor
        return QRectF(float(xs[0]) - ax * w, float(ys[0]) - ay * h, w, h), self._image

    def paint(self, painter: QPainter, plot: PaintedPlot) -> None:  # noqa: D102
        if not self._text:
            return
        rect, image = self._box(plot, painter.device().devicePixelRatioF())
        painter.drawImage(rect, image)

    def hit(self, pos: QPointF, plot: PaintedPlot) -> bool:  # noqa: D102
        return bool(self._text) and self._box(plot, plot.devicePixelRatioF())[0].contains(pos)


class PaintedLabels(PaintedLayer):
    """Many short texts centred on data points, at a fixed pixel size (a heatmap's values).

    Parameters
    ----------
    font : QFont, optional
        Font of every label (default: the application font).
    themed : bool
        Whether the colours are light-theme colours shown in the current theme's version
        (labels on the plot background). False: used as given (labels on data colours).
    """

    def __init__(self, font: QFont | None = None, themed: bool = True) -> None:
        super().__init__()
        self._themed = themed
        self._font = QFont(font) if font is not None else QFont()
        self._x = np.empty(0)
        self._y = np.empty(0)
        self._texts: list[str] = []
        self._light_colors: list[str] = []
        self._colors: list[QColor] = []
        self._dy = np.empty(0)
        self._bounds = QRectF()
        self._fit: np.ndarray | None = None
        self._short: list[str] | None = None
        self._fitted: dict[tuple, tuple[QFont, str, list[str]] | None] = {}
        self._group: list[PaintedLabels] = [self]
        self._alone: dict[tuple[int, int], QFont | None] = {}
        #: Point size and whether the short texts were used, at the last paint (tests read it).
        self.drawn: tuple[float, bool] | None = None

    def share_fit(self, other: PaintedLabels) -> None:
        """Fit together with ``other`` and the labels it already shares with.

        All then show one font size and one kind of text (full or short): the smallest any of
        them needs on its own plot. Two heatmaps side by side show their values alike, though
        one is narrower.
        """
        if other._group is self._group:
            return
        group = self._group + [label for label in other._group if label not in self._group]
        for label in group:
            label._group = group
            label._fitted = {}
            label._changed()

    def _group_changed(self) -> None:
        """The labels, widths or font of this one changed: every member fits again."""
        self._alone = {}
        for label in self._group:
            label._fitted = {}
            if label is not self:
                label._changed()

    def set_fit_width(self, width: float | Sequence[float] | None) -> None:
        """Keep each label within ``width`` data units along x (a heatmap cell: 1), centred.

        ``width`` is one number for every label or one per label. When a label would not fit,
        with 2 px to spare each side, the labels are drawn in a smaller font, down to 6 pt;
        then the short texts, if :meth:`set_labels` was given them; below that they are left
        out rather than overlap each other and the axes. None: always the font and texts given.
        """
        self._fit = None if width is None else np.atleast_1d(np.asarray(width, np.float64))
        self._group_changed()
        self._changed()

    def set_labels(self, x: Sequence[float], y: Sequence[float], texts: Sequence[str],
                   colors: Sequence[str] | str = "#111111",
                   dy: Sequence[float] | float = 0.0,
                   bounds: QRectF | None = None,
                   short: Sequence[str] | None = None) -> None:
        """Show ``texts[n]`` centred on ``(x[n], y[n])`` in ``colors[n]`` (or one colour).

        ``dy`` moves each label that many pixels down the screen (negative: up). ``bounds`` is
        accepted and kept; the plot area clips every label. ``short``: the same labels written
        more compactly, shown when the texts do not fit (see :meth:`set_fit_width`).
        """
        x = np.asarray(x, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        if not x.shape == y.shape == (len(texts),):
            raise ValueError(f"x, y and texts differ in length ({x.size}, {y.size}, "
                             f"{len(texts)})")
        if short is not None and len(short) != len(texts):
            raise ValueError(f"short has {len(short)} texts for {len(texts)} labels")
        if isinstance(colors, str):
            colors = [colors] * len(texts)
        self._x, self._y, self._texts = x, y, list(texts)
        self._short = None if short is None else list(short)
        self._light_colors = list(colors)
        self._colors = self._resolve(current_theme())
        self._dy = np.broadcast_to(np.asarray(dy, dtype=np.float64), x.shape)
        if bounds is not None:
            self._bounds = QRectF(bounds)
        self._group_changed()
        self._changed()

    def _fitting_font(self, texts: list[str], rooms: np.ndarray) -> QFont | None:
        """The given font if each text fits in its room (pixels), a smaller one, or None."""
        def widths(font: QFont) -> np.ndarray:
            metrics = QFontMetricsF(font)
            return np.array([metrics.horizontalAdvance(t) for t in texts])

        given = widths(self._font)
        if np.all(given <= rooms):
            return self._font
        base = QFontInfo(self._font).pointSizeF()  # also for a font given in pixels
        # Widths grow about in proportion to the size; hinting may add a little: step down.
        with np.errstate(divide="ignore", invalid="ignore"):
            scale = np.min(np.where(given > 0, np.maximum(rooms, 0.0) / given, np.inf))
        size = math.floor(2.0 * base * min(scale, 1.0)) / 2.0
        while size >= _MIN_LABEL_POINTS:
            font = QFont(self._font)
            font.setPointSizeF(size)
            if np.all(widths(font) <= rooms):
                return font
            size -= 0.5
        return None

    @staticmethod
    def _unit(plot: PaintedPlot) -> float:
        """Pixels per data unit along x on ``plot`` now."""
        x, _ = plot.to_widget(np.array([0.0, 1.0]), np.zeros(2))
        return abs(float(x[1] - x[0]))

    def _fit_alone(self, unit: float, kind: int) -> QFont | None:
        """The font the full (``kind`` 0) or short (1) texts fit in, alone, at ``unit``.

        ``unit``: pixels per data unit. Remembered per scale until the texts, widths or font
        change: the labels sharing a fit ask for each other's too.
        """
        key = (int(unit * 16) if math.isfinite(unit) else -1, kind)
        if key not in self._alone:
            if len(self._alone) >= 128:
                self._alone.clear()  # a resize drag passes many scales; keep the cache small
            texts = (self._texts, self._short)[kind]
            # One width for all, one per label; a list of another length: its narrowest.
            fit = self._fit if self._fit.size in (1, len(self._texts)) else self._fit.min()
            rooms = np.broadcast_to(fit * unit - 4.0, (len(self._texts),))
            self._alone[key] = None if texts is None else self._fitting_font(texts, rooms)
        return self._alone[key]

    def _fits_anything(self, unit: float) -> bool:
        """Whether the full or else the short texts fit alone at ``unit``."""
        return self._fit_alone(unit, 0) is not None or self._fit_alone(unit, 1) is not None

    def _shown(self, plot: PaintedPlot) -> tuple[QFont, list[str]] | None:
        """Font and texts to draw at ``plot``'s current scale; None: nothing."""
        if self._fit is None or not self._texts:
            return self._font, self._texts
        # The group's members on a plot that has been laid out, with their scales.
        members = [(self, self._unit(plot))]
        for other in self._group:
            other_plot = other.plot()
            if other is self or other_plot is None or other._fit is None or not other._texts:
                continue
            # From the other plot's layout now, not from its last paint: it may not have
            # painted at its new size yet, and would not repaint this one when it does.
            unit = other_plot.laid_out_unit()
            if math.isfinite(unit) and unit > 0:
                members.append((other, unit))
        key = tuple(int(unit * 16) if math.isfinite(unit) else -1 for _, unit in members)
        if key not in self._fitted and len(self._fitted) >= 64:
            self._fitted.clear()  # a resize drag passes many scales; keep the cache small
        if key not in self._fitted:
            self._fitted[key] = None
            # A member that cannot show even its short texts draws nothing and leaves the
            # others to agree among themselves.
            others = [(label, unit) for label, unit in members[1:]
                      if label._fits_anything(unit)]
            unit = members[0][1]
            for kind, texts in enumerate((self._texts, self._short)):
                font = self._fit_alone(unit, kind)
                if font is None:
                    continue
                fonts = [font] + [label._fit_alone(u, kind) for label, u in others]
                if any(f is None for f in fonts):
                    continue  # another member needs the shorter texts: all take them
                # Every member fits this kind of text: all take the smallest size.
                smallest = min(fonts, key=lambda f: QFontInfo(f).pointSizeF())
                if QFontInfo(smallest).pointSizeF() < QFontInfo(font).pointSizeF():
                    font = QFont(font)
                    asked = smallest.pointSizeF()  # as asked, not as matched; -1: pixels
                    font.setPointSizeF(asked if asked > 0 else QFontInfo(smallest).pointSizeF())
                self._fitted[key] = font, texts
                break
            else:
                short = self._fit_alone(unit, 1)
                if short is not None:
                    # The others fit only full texts where these fit only short ones.
                    self._fitted[key] = short, self._short
        return self._fitted[key]

    def shown(self, plot: PaintedPlot) -> tuple[QFont, list[str]] | None:
        """The font and texts drawn at ``plot``'s size; None: left out (tests read it)."""
        chosen = self._shown(plot)
        return None if chosen is None else (QFont(chosen[0]), list(chosen[1]))

    def _resolve(self, theme: Theme) -> list[QColor]:
        shown = {c: theme.qcolor(c) if self._themed else QColor(c)
                 for c in set(self._light_colors)}
        return [shown[c] for c in self._light_colors]

    def _theme_changed(self, theme: Theme) -> None:
        if self._themed:
            self._colors = self._resolve(theme)

    def colors(self) -> list[str]:
        """The colour each label is drawn in, ``"#rrggbb"`` (tests read them)."""
        return [c.name() for c in self._colors]

    def labels(self) -> list[tuple[float, float, str]]:
        """``(x, y, text)`` of every label (tests read them)."""
        return [(float(a), float(b), t) for a, b, t in zip(self._x, self._y, self._texts,
                                                           strict=True)]

    def set_font(self, font: QFont) -> None:
        """Font of every label."""
        self._font = QFont(font)
        self._group_changed()
        self._changed()

    def paint(self, painter: QPainter, plot: PaintedPlot) -> None:  # noqa: D102
        if not self._texts:
            return
        chosen = self._shown(plot)
        if chosen is None:
            return
        font, texts = chosen
        self.drawn = (font.pointSizeF(), texts is self._short)  # what the last paint drew
        xs, ys = plot.to_widget(self._x, self._y)
        ys = ys + self._dy
        painter.setFont(font)
        # Centred on the font's height, as drawText(rect, AlignCenter) centres a line.
        metrics = QFontMetricsF(font)
        half_height = metrics.height() / 2
        ascent = metrics.ascent()
        last = None
        for x, y, text, color in zip(xs.tolist(), ys.tolist(), texts, self._colors,
                                     strict=True):
            if not (text and math.isfinite(x) and math.isfinite(y)):
                continue
            if color is not last:
                painter.setPen(color)
                last = color
            painter.drawText(QPointF(x - metrics.horizontalAdvance(text) / 2,
                                     y - half_height + ascent), text)


class PaintedCells(PaintedLayer):
    """A matrix drawn as coloured cells over ``rect``, like ``pg.ImageItem`` with a colour map.

    It keeps ImageItem's names (``image``, ``levels``, ``lut``, ``setColorMap``,
    ``setLevels``) so a ``pg.ColorBarItem`` can drive it.
    """

    def __init__(self) -> None:
        super().__init__()
        self.image: np.ndarray | None = None
        self.levels: np.ndarray | None = None
        self.lut: np.ndarray | None = None
        self._colorMap: pg.ColorMap | None = None  # noqa: N815 - ImageItem's name
        self._rect = QRectF(0, 0, 1, 1)
        self._colors: list[QColor] = []

    def setImage(self, image: np.ndarray, autoLevels: bool = False,  # noqa: N802, N803
                 levels: tuple[float, float] | None = None, rect: QRectF | None = None) -> None:
        """Show ``image`` (rows, cols), row 0 at ``rect``'s top edge in data coordinates."""
        self.image = np.asarray(image, dtype=np.float64)
        if levels is not None:
            self.levels = np.asarray(levels, dtype=np.float64)
        elif autoLevels or self.levels is None:
            self.levels = np.array([float(np.min(self.image)), float(np.max(self.image))])
        if rect is not None:
            self._rect = QRectF(rect)
        self._recolour()
        self._changed()

    def setLevels(self, levels, update: bool = True) -> None:  # noqa: N802 - ImageItem's name
        """Values shown in the first and last colour of the map."""
        self.levels = np.asarray(levels, dtype=np.float64)
        self._recolour()
        self._changed()

    def getLevels(self) -> np.ndarray | None:  # noqa: N802 - ImageItem's name
        """The levels."""
        return self.levels

    def setColorMap(self, colormap: pg.ColorMap) -> None:  # noqa: N802 - ImageItem's name
        """The colour map (its 256-entry table, as ImageItem uses it)."""
        self._colorMap = colormap
        self.lut = colormap.getLookupTable(nPts=256)
        self._recolour()
        self._changed()

    def getColorMap(self) -> pg.ColorMap | None:  # noqa: N802 - ImageItem's name
        """The colour map."""
        return self._colorMap

    def _recolour(self) -> None:
        if self.image is None or self.lut is None or self.levels is None:
            self._colors = []
            return
        low, high = float(self.levels[0]), float(self.levels[1])
        scale = self.lut.shape[0] / (high - low) if high != low else 0.0
        index = np.clip((self.image.ravel() - low) * scale, 0, self.lut.shape[0] - 1)
        rgb = self.lut[index.astype(np.intp)]
        self._colors = [QColor(int(c[0]), int(c[1]), int(c[2])) for c in rgb.tolist()]

    def paint(self, painter: QPainter, plot: PaintedPlot) -> None:  # noqa: D102
        if self.image is None or not self._colors:
            return
        rows, cols = self.image.shape
        r = self._rect
        xs, _ = plot.to_widget(r.left() + r.width() * np.arange(cols + 1) / cols,
                               np.zeros(cols + 1))
        _, ys = plot.to_widget(np.zeros(rows + 1), r.top() + r.height() * np.arange(rows + 1)
                               / rows)
        xs, ys = np.round(xs).tolist(), np.round(ys).tolist()
        colors = iter(self._colors)
        for i in range(rows):
            top, bottom = min(ys[i], ys[i + 1]), max(ys[i], ys[i + 1])
            for j in range(cols):
                painter.fillRect(QRectF(xs[j], top, xs[j + 1] - xs[j], bottom - top),
                                 next(colors))


class _LayerSample(ItemSample):
    """A legend entry for a layer, drawn as pyqtgraph draws one for the item it copies."""

    def paint(self, p, *args) -> None:  # noqa: D102 - pyqtgraph override
        layer: PaintedLayer = self.item
        opts = layer.opts
        if layer.antialias or layer.sample == "scatter":
            p.setRenderHint(p.RenderHint.Antialiasing)
        if not layer.isVisible():
            super().paint(p, *args)  # pyqtgraph's crossed-out eye
            return
        if layer.sample != "scatter":
            p.setPen(pg.mkPen(opts.get("pen")))
            p.drawLine(0, 11, 20, 11)
        if layer.sample == "scatter":
            p.translate(10, 10)
            drawSymbol(p, opts["symbol"], opts["size"], pg.mkPen(opts["pen"]),
                       pg.mkBrush(opts["brush"]))
        if layer.sample == "bars":
            p.setBrush(pg.mkBrush(opts["brush"]))
            p.drawRect(QRectF(2, 2, 18, 18))


# -- the plot ----------------------------------------------------------------------------------
class PaintedPlot(QWidget):
    """A plot that looks like :func:`~explorer.widgets.plot.make_plot`'s and repaints cheaply.

    Parameters
    ----------
    title, x_label, y_label : str
        As for ``make_plot``.
    parent : QWidget, optional
    legend : bool
        Add a legend (``getPlotItem().addLegend`` gives one with other options).
    """

    #: Emitted after the plot took a new size (its view box, and so its scale, moved).
    resized = Signal()

    def __init__(self, title: str, x_label: str, y_label: str, parent: QWidget | None = None,
                 legend: bool = False) -> None:
        super().__init__(parent)
        self._frame = make_plot(title, x_label, y_label, parent=self, legend=legend)
        self._frame.hide()
        # A QGraphicsView hints at its scene's size; a PlotWidget starts at a new window's
        # 640 × 480. Starting there too makes layouts share out space as they did for one.
        self._frame.resize(640, 480)
        self._frame.resizeEvent(None)
        self._item = self._frame.getPlotItem()
        self._scene = self._frame.scene()
        self._layers: list[PaintedLayer] = []
        self._background: QPixmap | None = None
        self._overlay: QPixmap | None = None
        self._transform = QTransform()
        self._map = (1.0, 0.0, 1.0, 0.0)
        self._range = ((0.0, 1.0), (0.0, 1.0))
        self._view = QRectF()
        self._hover: PaintedLine | None = None
        self._drag: tuple[PaintedLine, float] | None = None
        self._forward_press = False
        self._forwarding = False
        #: Part of the frame pixmap to render again (scene coordinates), or None.
        self._dirty: QRectF | None = None
        self._overlay_rects: list[QRect] = []
        #: pyqtgraph items of the frame drawn over the layers (see addItem).
        self._above: list[QGraphicsItem] = []
        #: Legend placement (see keep_legend_clear): on, the short names, what is shown.
        self._legend_clear = False
        self._short_names: dict[str, str] = {}
        self._legend_widths: tuple[float, float] | None = None  # (long, short) names
        self._legend_state: tuple[tuple[int, int], bool] = ((1, 0), False)  # corner, short
        self._legend_timer: QTimer | None = None
        #: A title painted over the frame (see set_live_title), its picture and where it went.
        self._title: str | None = None
        self._title_image: QImage | None = None
        self._title_rect = QRectF()
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, True)
        self.setMouseTracking(True)
        self.setMinimumSize(*MIN_PLOT_SIZE)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._scene.changed.connect(self._frame_changed)
        theme_signals().changed.connect(self._theme_changed)

    # -- PlotWidget's API ---------------------------------------------------------------------
    def getPlotItem(self) -> pg.PlotItem:  # noqa: N802 - pyqtgraph's name
        """The pyqtgraph PlotItem that draws the frame (title, axes, legend)."""
        return self._item

    def scene(self) -> pg.GraphicsScene:
        """The frame's scene; its coordinates are this widget's."""
        return self._scene

    def viewport(self) -> QWidget:
        """The widget itself: layers and frame are painted on it directly."""
        return self

    def mapFromScene(self, point: QPointF) -> QPoint:  # noqa: N802 - Qt's name
        """Scene coordinates are widget coordinates."""
        return QPointF(point).toPoint()

    def setXRange(self, low: float, high: float, padding: float | None = None) -> None:  # noqa: N802
        """As ``PlotWidget.setXRange`` (the frame is redrawn only if the range moved)."""
        before = self._item.viewRange()
        if padding == 0 and before[0] == [low, high]:
            return
        self._item.setXRange(low, high, padding=padding)
        if self._item.viewRange() != before:
            self.invalidate_frame()

    def setYRange(self, low: float, high: float, padding: float | None = None) -> None:  # noqa: N802
        """As ``PlotWidget.setYRange`` (the frame is redrawn only if the range moved)."""
        before = self._item.viewRange()
        if padding == 0 and before[1] == [low, high]:
            return
        self._item.setYRange(low, high, padding=padding)
        if self._item.viewRange() != before:
            self.invalidate_frame()

    def viewRange(self) -> list[list[float]]:  # noqa: N802 - pyqtgraph's name
        """``[[x0, x1], [y0, y1]]``."""
        return self._item.viewRange()

    def getViewBox(self) -> pg.ViewBox:  # noqa: N802 - pyqtgraph's name
        """The frame's view box (its range and scale)."""
        return self._item.getViewBox()

    def disableAutoRange(self) -> None:  # noqa: N802 - pyqtgraph's name
        """Ranges are set by the caller (they already are)."""
        self._item.disableAutoRange()

    def addItem(self, item, above: bool = False) -> None:  # noqa: N802 - pyqtgraph's name
        """Add a layer (painted over the frame) or a pyqtgraph item (part of the frame).

        A pyqtgraph item is drawn with the frame, under the layers, or with ``above`` over them
        (a labelled line that must stay readable over the data). Either way it is redrawn only
        with the frame: use it for things that change rarely.
        """
        if not isinstance(item, PaintedLayer):
            self._item.addItem(item)
            if above:
                self._above.append(item)
            self.invalidate_frame()
            return
        item._plot = self
        self._layers.append(item)
        self.sort_layers()
        legend = self._item.legend
        if item.name and legend is not None:
            legend.addItem(_LayerSample(item), item.name)
        self.layer_changed(item)

    def set_live_title(self, text: str) -> None:
        """Show ``text`` as the title without redrawing the frame.

        For a title that changes with the data ("largest |Δ| = 4.9e−12"); it looks like
        ``getPlotItem().setTitle``'s. The frame keeps its title row; pyqtgraph's title text is
        hidden and this one is painted over the row, centred as pyqtgraph centres it.
        ``getPlotItem().titleLabel.text`` reads it.
        """
        label = self._item.titleLabel
        if self._title is None:
            label.item.setVisible(False)
        label.text = text
        if text != self._title:
            old = self._title_rect
            self._title = text
            self._title_image = None
            self.update(old.toAlignedRect().adjusted(-1, -1, 1, 1))
            self.update(self._title_area())

    def _title_area(self) -> QRect:
        """Where a live title may be drawn: the title row, widened to the whole widget."""
        rect = self._item.titleLabel.sceneBoundingRect()
        return QRect(0, int(rect.top()) - 1, self.width(), int(rect.height()) + 3)

    def _title_document(self) -> QTextDocument:
        """The live title laid out as pyqtgraph's title label lays out its text."""
        label = self._item.titleLabel
        color = label.opts.get("color")
        color = pg.mkColor(color if color is not None else pg.getConfigOption("foreground"))
        style = [f"color: {color.name(QColor.NameFormat.HexArgb)}"]
        if "size" in label.opts:
            style.append(f"font-size: {label.opts['size']}")
        document = QTextDocument()
        document.setDefaultFont(label.item.font())
        document.setHtml(f"<span style='{'; '.join(style)}'>{self._title}</span>")
        return document

    def _paint_title(self, painter: QPainter, vector: bool = False) -> None:
        centre = self._item.titleLabel.sceneBoundingRect().center()
        if vector:  # SVG, print: text stays text
            document = self._title_document()
            size = document.size()
            painter.save()
            painter.translate(centre.x() - size.width() / 2, centre.y() - size.height() / 2)
            document.drawContents(painter)
            painter.restore()
            return
        ratio = painter.device().devicePixelRatioF()
        if self._title_image is None or self._title_image.devicePixelRatio() != ratio:
            document = self._title_document()
            size = document.size()
            image = QImage(max(1, math.ceil(size.width() * ratio)),
                           max(1, math.ceil(size.height() * ratio)),
                           QImage.Format.Format_ARGB32_Premultiplied)
            image.setDevicePixelRatio(ratio)
            image.fill(Qt.GlobalColor.transparent)
            text_painter = QPainter(image)
            document.drawContents(text_painter)
            text_painter.end()
            self._title_image = image
        image = self._title_image
        w, h = image.width() / ratio, image.height() / ratio
        self._title_rect = QRectF(centre.x() - w / 2, centre.y() - h / 2, w, h)
        painter.drawImage(self._title_rect, image)

    def layers(self) -> list[PaintedLayer]:
        """The layers, in painting order."""
        return list(self._layers)

    def sort_layers(self) -> None:
        """Restore painting order after a z value changed (stable: ties keep adding order)."""
        self._layers.sort(key=PaintedLayer.zValue)

    def thicken_curves(self, width: float = 2.0) -> None:
        """Draw this plot's thin curves ``width`` pixels wide (for an export)."""
        for layer in self._layers:
            layer.thicken(width)

    # -- geometry ----------------------------------------------------------------------------
    def mapping(self) -> tuple[float, float, float, float]:
        """``(sx, dx, sy, dy)``: widget x = sx·x + dx, widget y = sy·y + dy."""
        return self._map

    def to_widget(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Data coordinates to widget coordinates (arrays)."""
        sx, dx, sy, dy = self._map
        # A value near the float64 limit (a marker typed as 1e308) maps to inf: not drawn.
        with np.errstate(over="ignore", invalid="ignore"):
            return sx * np.asarray(x, dtype=np.float64) + dx, sy * np.asarray(
                y, dtype=np.float64) + dy

    def to_data(self, pos: QPointF) -> tuple[float, float]:
        """Widget coordinates to data coordinates."""
        sx, dx, sy, dy = self._map
        return (pos.x() - dx) / sx if sx else 0.0, (pos.y() - dy) / sy if sy else 0.0

    def data_transform(self) -> QTransform:
        """Data coordinates to widget coordinates, as a transform (the ViewBox's)."""
        return QTransform(self._transform)

    def laid_out_unit(self) -> float:
        """Pixels per data unit along x as the frame is laid out now (painted or not)."""
        self._item.layout.activate()
        box = self._item.getViewBox()
        (x0, x1), _ = box.viewRange()
        return box.sceneBoundingRect().width() / (x1 - x0) if x1 != x0 else math.inf

    def view_range(self) -> tuple[tuple[float, float], tuple[float, float]]:
        """``((x0, x1), (y0, y1))`` as last drawn."""
        return self._range

    def view_rect(self) -> QRectF:
        """The plot area (the ViewBox) in widget coordinates."""
        return QRectF(self._view)

    def sizeHint(self) -> QSize:  # noqa: D102 - Qt override
        return self._frame.sizeHint()

    def minimumSizeHint(self) -> QSize:  # noqa: D102 - Qt override
        hint = self._frame.minimumSizeHint()
        return QSize(max(hint.width(), int(self._item.minimumWidth())), hint.height())

    def _sync_frame(self) -> None:
        """Give the frame this widget's size and lay it out now."""
        self._frame.resize(self.size())
        # Qt holds resize events back from a hidden widget; the frame lays itself out now, and
        # its viewport matches this widget so that forwarded mouse positions map one to one.
        self._frame.viewport().setGeometry(self.rect())
        self._frame.resizeEvent(None)
        self._background = None

    def resizeEvent(self, event) -> None:  # noqa: D102 - Qt override
        self._sync_frame()
        if self._legend_clear:
            if self.isVisible():
                # After the frame's layout has run: the view box has its new size then. One
                # timer, so a drag's many resizes place the legend once.
                self._legend_after(0)
            else:
                # A hidden plot hears of its size when it is shown or grabbed, just before
                # it paints: lay the frame out and place the legend now.
                self._item.layout.activate()
                self.place_legend()
        super().resizeEvent(event)
        self.resized.emit()

    # -- legend placement --------------------------------------------------------------------
    def keep_legend_clear(self, short_names: dict[str, str] | None = None) -> None:
        """Keep the legend in the corner of the plot area its curves and texts leave emptiest.

        :meth:`place_legend` runs now and after every resize; call it after changing data.
        ``short_names`` maps entries' names to shorter ones shown when the legend with the
        full names would take more than the plot area's width less 16 px. The short names
        must differ from each other. After adding or renaming legend entries, call this again
        (the legend's widths are measured here).
        """
        if short_names and len(set(short_names.values())) != len(short_names):
            raise ValueError(f"short names must differ from each other: {short_names}")
        self._legend_clear = True
        self._short_names = dict(short_names or {})
        self._legend_widths = None
        self._legend_state = ((-1, -1), False)  # not placed yet: the next placement anchors it
        self.place_legend()

    def place_legend_soon(self) -> None:
        """:meth:`place_legend` once the data has stopped changing for 150 ms.

        A legend that hops about while the user drags a control is worse than one that moves
        once; and a drag then costs no placement per step.
        """
        self._legend_after(150)

    def _legend_after(self, milliseconds: int) -> None:
        if self._legend_timer is None:
            self._legend_timer = QTimer(self)
            self._legend_timer.setSingleShot(True)
            self._legend_timer.timeout.connect(self.place_legend)
        if not self._legend_timer.isActive() or milliseconds < self._legend_timer.interval():
            self._legend_timer.setInterval(milliseconds)
        self._legend_timer.start()

    def legend_pending(self) -> bool:
        """Whether a :meth:`place_legend_soon` has not run yet."""
        return self._legend_timer is not None and self._legend_timer.isActive()

    def flush_legend(self) -> None:
        """Place a legend kept clear now, not after a pending delay (before an export, say).

        A hidden plot gets its resize event only when shown (or grabbed): the frame takes the
        widget's size first, so the legend is placed for the size the picture will have.
        """
        if not self._legend_clear:
            return
        if self._frame.size() != self.size():
            self._sync_frame()
            self._item.layout.activate()  # the view box takes its new place now, not later
        self.place_legend()

    def legend_corner(self) -> tuple[tuple[int, int], bool]:
        """The legend's corner and whether it shows the short names (tests read it).

        ``((x, y), short)``: x is 0 for left, 1 for right; y is 0 for top, 1 for bottom.
        """
        return self._legend_state

    def _legend_labels(self, short: bool) -> None:
        legend = self._item.legend
        names = self._short_names if short else {v: k for k, v in self._short_names.items()}
        for _sample, label in legend.items:
            if label.text in names:
                label.setText(names[label.text])
        # Shrink to the layout's minimum first: a legend only ever grows to fit otherwise.
        legend.setGeometry(0, 0, 0, 0)
        legend.layout.activate()
        legend.updateSize()

    def _measure_legend(self) -> tuple[float, float]:
        """The legend's width with the full names and with the short ones."""
        if self._legend_widths is None:
            legend = self._item.legend
            short = self._legend_state[1]
            self._legend_labels(short=False)
            full = legend.boundingRect().width()
            self._legend_labels(short=True)
            brief = legend.boundingRect().width()
            self._legend_labels(short=short)
            self._legend_widths = (full, brief)
        return self._legend_widths

    def place_legend(self) -> None:
        """Move the legend to the corner covering the fewest curve points and texts.

        With short names (see :meth:`keep_legend_clear`) it also picks the names: the full
        ones unless they do not fit or cover clearly more than the short ones. Ties prefer
        the corner it is in, then top right, top left, bottom right, bottom left.
        """
        if self._legend_timer is not None:
            self._legend_timer.stop()
        legend = self._item.legend
        if legend is None or not legend.items:
            return
        self._update_mapping()
        view = self._view
        if view.width() < 2 or view.height() < 2:
            return
        corner, short = self._legend_state
        xs, ys, boxes = [], [], []
        for layer in self._layers:
            if not layer.isVisible():
                continue
            if isinstance(layer, PaintedCurve) and layer.xData is not None:
                n = min(layer.xData.size, layer.yData.size)
                x, y = self.to_widget(layer.xData[:n], layer.yData[:n])
                # Segment midpoints too: a steep stretch between two samples is covered.
                xs += [x, (x[1:] + x[:-1]) / 2]
                ys += [y, (y[1:] + y[:-1]) / 2]
            elif isinstance(layer, PaintedText) and layer.toHtml():
                boxes.append(layer._box(self, self.devicePixelRatioF())[0])
        x = np.concatenate(xs) if xs else np.empty(0)
        y = np.concatenate(ys) if ys else np.empty(0)

        def cost(c: tuple[int, int], w: float, h: float) -> float:
            left = view.left() if c[0] == 0 else view.right() - w
            top = view.top() if c[1] == 0 else view.bottom() - h
            inside = (x >= left) & (x <= left + w) & (y >= top) & (y <= top + h)
            # Texts against the legend's ink: its box has clear margins, texts theirs too.
            rect = QRectF(left, top, w, h).adjusted(10.0, 6.0, -10.0, -6.0)
            covered = sum(rect.intersected(b).width() * rect.intersected(b).height()
                          for b in boxes if rect.intersects(b))
            return float(np.count_nonzero(inside)) + covered / 4.0

        # Full names where they fit, short ones where they are needed or cover less.
        height = legend.boundingRect().height() + 8.0
        widths = {short: legend.boundingRect().width()}
        if self._short_names:
            full, brief = self._measure_legend()
            widths = {True: brief} if full > view.width() - 16.0 else {False: full, True: brief}
        order = [(1, 0), (0, 0), (1, 1), (0, 1)]
        best_for = {names: min((cost(c, w + 8.0, height), c != corner, order.index(c), c)
                               for c in order) for names, w in widths.items()}
        # The full names unless the short ones clear more than a touch (10 points, or a
        # text's corner): they say more.
        wanted = False not in best_for or (
            True in best_for and best_for[True][0] + 10.0 < best_for[False][0])
        best = best_for[wanted][3]
        resized = wanted != short
        if resized:
            self._legend_labels(short=wanted)
        if best != corner or resized:
            legend.anchor(best, best, offset=(8 if best[0] == 0 else -8,
                                              8 if best[1] == 0 else -8))
            # Now, not when the scene's change notice arrives: a grab may come first.
            self.invalidate_frame()
        self._legend_state = (best, wanted)

    # -- invalidation ------------------------------------------------------------------------
    def invalidate_frame(self) -> None:
        """The frame (ranges, texts, legend) changed: render it again before the next paint."""
        self._background = None
        self.update()

    def _frame_changed(self, regions: list[QRectF]) -> None:
        """Part of the frame changed (a title, a legend label): redraw only that part."""
        if self._background is None:
            self.update()
            return
        dirty = self._dirty if self._dirty is not None else QRectF()
        for rect in regions:
            dirty = dirty.united(rect)
        self._dirty = dirty
        self.update(dirty.toAlignedRect().adjusted(-1, -1, 1, 1))

    def legend_changed(self) -> None:
        """A layer shown in the legend changed its look or was hidden: redraw the legend.

        (An update of the legend alone does not reach the scene's change notices.)
        """
        legend = self._item.legend
        if legend is not None:
            legend.update()
            self.invalidate_frame()

    def layer_changed(self, _layer: PaintedLayer | None = None) -> None:
        """Repaint the plot area (the frame pixmap stays)."""
        if self._view.isEmpty():
            self.update()
        else:
            self.update(self._view.toAlignedRect().adjusted(-1, -1, 1, 1))

    def _theme_changed(self, theme: Theme) -> None:
        for layer in self._layers:
            layer.apply_theme(theme)
        self._title_image = None
        self.invalidate_frame()

    # -- rendering ---------------------------------------------------------------------------
    def _swallow_own_changes(self) -> None:
        """Drop the scene's change notices caused by rendering it (hiding the legend...)."""
        blocked = self._scene.blockSignals(True)
        try:
            for _ in range(3):
                QCoreApplication.sendPostedEvents(self._scene, QEvent.Type.MetaCall)
        finally:
            self._scene.blockSignals(blocked)

    def _render_frame(self) -> None:
        box = self._item.getViewBox()
        # Axes measure their tick labels while they draw and may then change width: render
        # again until the layout holds still (once or twice).
        for _ in range(3):
            self._item.layout.activate()
            before = box.sceneBoundingRect()
            self._render_once()
            self._item.layout.activate()
            if box.sceneBoundingRect() == before:
                break
        self._swallow_own_changes()
        self._update_mapping()
        self._dirty = None

    def _render_part(self, rect: QRectF) -> None:
        """Render ``rect`` of the frame again (a new title); all of it if the layout moved."""
        box = self._item.getViewBox()
        self._item.layout.activate()
        area = rect.toAlignedRect().adjusted(-1, -1, 1, 1).intersected(self.rect())
        (x0, x1), (y0, y1) = box.viewRange()
        # Inside the plot area the frame is split between the pixmap and the overlay (ticks,
        # legend, items above the data): a change there, a move or a new range redraws it all.
        if box.sceneBoundingRect() != self._view or ((x0, x1), (y0, y1)) != self._range or \
                QRectF(area).intersects(self._view):
            self._render_frame()
            return
        painter = QPainter(self._background)
        painter.setClipRect(area)
        painter.fillRect(area, self._frame.backgroundBrush().color())
        painter.setRenderHints(self._frame.renderHints())
        self._scene.render(painter, QRectF(area), QRectF(area))
        painter.end()
        self._item.layout.activate()
        self._dirty = None
        if box.sceneBoundingRect() != self._view:
            self._render_frame()
            return
        self._swallow_own_changes()

    def _render_once(self) -> None:
        ratio = self.devicePixelRatioF()
        size = QSize(max(1, round(self.width() * ratio)), max(1, round(self.height() * ratio)))
        legend = self._item.legend
        lift_legend = legend is not None and legend.isVisible() and bool(legend.items)
        box = self._item.getViewBox().sceneBoundingRect()
        # pyqtgraph stacks the axes (their ticks reach into the plot area), the legend and items
        # given ``above`` over the data. The frame pixmap is drawn without them; they are drawn
        # once into an overlay, whose parts outside the plot area are copied into the frame and
        # whose rectangles inside it are copied over the layers on each paint (blending a mostly
        # empty full-size layer would cost as much as the plot).
        axes = [(name, axis["item"]) for name, axis in self._item.axes.items()
                if axis["item"].isVisible()]
        above = [item for item in self._above if item.isVisible()]
        lifted = [item for _, item in axes] + above + ([legend] if lift_legend else [])
        for item in lifted:
            item.setOpacity(0.0)  # not hidden: a hidden item gives up its room in the layout
        background = QPixmap(size)
        background.setDevicePixelRatio(ratio)
        background.fill(self._frame.backgroundBrush().color())
        area = QRectF(0, 0, self.width(), self.height())
        painter = QPainter(background)
        painter.setRenderHints(self._frame.renderHints())
        self._scene.render(painter, area, area)
        painter.end()
        for item in lifted:
            item.setOpacity(1.0)
        overlay = QPixmap(size)
        overlay.setDevicePixelRatio(ratio)
        overlay.fill(Qt.GlobalColor.transparent)
        painter = QPainter(overlay)
        painter.setRenderHints(self._frame.renderHints())
        rects = []
        for name, item in axes:
            _paint_subtree(painter, item, QStyleOptionGraphicsItem())
            reach = abs(float(item.style.get("tickLength", 0))) + 1
            strip = {"left": QRectF(box.left(), box.top(), reach, box.height()),
                     "right": QRectF(box.right() - reach, box.top(), reach, box.height()),
                     "top": QRectF(box.left(), box.top(), box.width(), reach),
                     "bottom": QRectF(box.left(), box.bottom() - reach, box.width(), reach)}
            rects.append(strip[name].toAlignedRect())
        painter.setClipRect(box)  # like the ViewBox, which clips what it holds
        for item in above:
            _paint_subtree(painter, item, QStyleOptionGraphicsItem())
            reach = item.mapRectToScene(item.boundingRect().united(item.childrenBoundingRect()))
            rects.append(reach.intersected(box).toAlignedRect().adjusted(-1, -1, 1, 1))
        if lift_legend:
            _paint_subtree(painter, legend, QStyleOptionGraphicsItem())
            rects.append(legend.sceneBoundingRect().intersected(box).toAlignedRect().adjusted(
                -1, -1, 1, 1))
        painter.end()
        # Outside the plot area the axes are part of the frame.
        inside = box.toAlignedRect()
        w, h = self.width(), self.height()
        painter = QPainter(background)
        for part in (QRect(0, 0, w, inside.top()),
                     QRect(0, inside.bottom() + 1, w, h - inside.bottom() - 1),
                     QRect(0, inside.top(), inside.left(), inside.height()),
                     QRect(inside.right() + 1, inside.top(), w - inside.right() - 1,
                           inside.height())):
            if not part.isEmpty():
                blit(painter, part, overlay)
        painter.end()
        self._overlay = overlay
        self._overlay_rects = [r.intersected(self.rect()) for r in rects if not r.isEmpty()]
        self._background = background

    def _paint_legend(self, painter: QPainter) -> None:
        """The legend and its entries, where the frame puts them (they go over the data)."""
        legend = self._item.legend
        painter.save()
        painter.setClipRect(self._item.getViewBox().sceneBoundingRect())
        _paint_subtree(painter, legend, QStyleOptionGraphicsItem())
        painter.restore()

    def _update_mapping(self) -> None:
        box = self._item.getViewBox()
        box.updateMatrix()
        t = box.childGroup.sceneTransform()
        self._transform = t
        self._map = (t.m11(), t.m31(), t.m22(), t.m32())
        (x0, x1), (y0, y1) = box.viewRange()
        self._range = ((x0, x1), (y0, y1))
        self._view = box.sceneBoundingRect()

    def paintEvent(self, event) -> None:  # noqa: D102 - Qt override
        if self._background is None or self._background.size() != QSize(
                max(1, round(self.width() * self.devicePixelRatioF())),
                max(1, round(self.height() * self.devicePixelRatioF()))):
            self._render_frame()
        elif self._dirty is not None:
            self._render_part(self._dirty)
        painter = QPainter(self)
        if painter.paintEngine().type() != QPaintEngine.Type.Raster:
            # SVG or print: the frame as vectors too, not as the cached pixmap.
            self._paint_vectors(painter)
            painter.end()
            return
        rect = event.rect()
        blit(painter, rect, self._background)
        if self._title is not None and rect.intersects(self._title_area()):
            self._paint_title(painter)
        self._paint_layers(painter)
        if self._overlay is not None:
            for place in self._overlay_rects:
                part = rect.intersected(place)
                if not part.isEmpty():
                    blit(painter, part, self._overlay)
        painter.end()

    def _paint_layers(self, painter: QPainter) -> None:
        painter.save()
        painter.setClipRect(self._view)
        antialias = QPainter.RenderHint.Antialiasing
        for layer in self._layers:
            if layer.isVisible():
                painter.setRenderHint(antialias, layer.antialias)
                layer.paint(painter, self)
        painter.restore()

    def _paint_vectors(self, painter: QPainter) -> None:
        area = QRectF(0, 0, self.width(), self.height())
        painter.fillRect(area, self._frame.backgroundBrush())
        legend = self._item.legend
        lift_legend = legend is not None and legend.isVisible() and bool(legend.items)
        if lift_legend:
            legend.setVisible(False)
        painter.setRenderHints(self._frame.renderHints())
        self._scene.render(painter, area, area)
        if lift_legend:
            legend.setVisible(True)
        self._update_mapping()
        if self._title is not None:
            self._paint_title(painter, vector=True)
        self._paint_layers(painter)
        painter.save()
        painter.setClipRect(self._view)
        for axis in self._item.axes.values():
            if axis["item"].isVisible():
                _paint_subtree(painter, axis["item"], QStyleOptionGraphicsItem())
        painter.restore()
        if lift_legend:
            self._paint_legend(painter)
        self._swallow_own_changes()

    # -- mouse -----------------------------------------------------------------------------
    def _movable_at(self, pos: QPointF) -> PaintedLine | None:
        for layer in reversed(self._layers):
            if isinstance(layer, PaintedLine) and layer.movable and layer.isVisible() and \
                    layer.hit(pos, self):
                return layer
        return None

    def _set_hover(self, line: PaintedLine | None) -> None:
        if line is not self._hover:
            for old in (self._hover, line):
                if old is not None:
                    old.hovering = old is line
                    old._changed()
            self._hover = line

    def _forward(self, event) -> None:
        """Hand a mouse event to the hidden pyqtgraph view (pan, zoom, legend clicks)."""
        if self._forwarding:
            # The view left it, and Qt passed it up to its parent, this widget: it ends here.
            event.accept()
            return
        viewport = self._frame.viewport()
        if isinstance(event, QMouseEvent):
            copy = QMouseEvent(event.type(), event.position(), event.globalPosition(),
                               event.button(), event.buttons(), event.modifiers())
        else:
            copy = event.clone()
        self._forwarding = True
        try:
            QApplication.sendEvent(viewport, copy)
        finally:
            self._forwarding = False
        event.accept()

    def mousePressEvent(self, event) -> None:  # noqa: D102 - Qt override
        pos = event.position()
        line = self._movable_at(pos) if event.button() == Qt.MouseButton.LeftButton else None
        if line is not None:
            _, y = self.to_data(pos)
            x, _ = self.to_data(pos)
            self._drag = (line, line.value() - (y if line.angle == 0 else x))
            self._set_hover(line)
            event.accept()
            return
        self._forward_press = True
        self._forward(event)

    def mouseMoveEvent(self, event) -> None:  # noqa: D102 - Qt override
        pos = event.position()
        if self._drag is not None:
            line, offset = self._drag
            x, y = self.to_data(pos)
            line.setValue((y if line.angle == 0 else x) + offset)
            line.sigDragged.emit(line)
            event.accept()
            return
        self._set_hover(self._movable_at(pos))
        if self._forward_press or event.buttons() == Qt.MouseButton.NoButton:
            self._forward(event)

    def mouseReleaseEvent(self, event) -> None:  # noqa: D102 - Qt override
        if self._drag is not None:
            line, _ = self._drag
            self._drag = None
            line.sigPositionChangeFinished.emit(line)
            event.accept()
            return
        if self._forward_press:
            self._forward_press = False
            self._forward(event)

    def mouseDoubleClickEvent(self, event) -> None:  # noqa: D102 - Qt override
        self._forward(event)

    def wheelEvent(self, event) -> None:  # noqa: D102 - Qt override
        event.ignore()  # plots do not zoom (see make_plot): the page around scrolls

    def leaveEvent(self, event) -> None:  # noqa: D102 - Qt override
        if self._drag is None:
            self._set_hover(None)
        super().leaveEvent(event)

    def event(self, event) -> bool:  # noqa: D102 - Qt override
        if event.type() == QEvent.Type.ToolTip:
            pos = QPointF(event.pos())
            for layer in reversed(self._layers):
                if layer.toolTip() and layer.isVisible() and layer.hit(pos, self):
                    QToolTip.showText(event.globalPos(), layer.toolTip(), self)
                    return True
        return super().event(event)


def _paint_subtree(painter: QPainter, item: QGraphicsItem,
                   option: QStyleOptionGraphicsItem) -> None:
    """Paint ``item`` and its visible children with their scene transforms (a legend, axes)."""
    if not item.isVisible() or item.opacity() == 0:
        return
    if not item.flags() & QGraphicsItem.GraphicsItemFlag.ItemHasNoContents:
        # An item may leave the painter changed (an axis replays a QPicture, which resets the
        # clip): each one paints in a state of its own.
        painter.save()
        painter.setTransform(item.sceneTransform(), True)
        option.exposedRect = item.boundingRect()
        item.paint(painter, option, None)
        painter.restore()
    for child in sorted(item.childItems(), key=lambda c: c.zValue()):
        _paint_subtree(painter, child, option)
