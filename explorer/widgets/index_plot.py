"""A small plot of a few series over the indices 1 … n, painted directly: the "three ways" view.

Several computations of the same vector are drawn as different markers at the same index, so
where they agree the markers sit on top of each other. The axes, ticks and labels are cached
in a pixmap that is redrawn only when a range or the size changes; new values repaint the plot
area alone, a fraction of what a pyqtgraph plot with one item per series costs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QFontMetrics, QPainter
from PySide6.QtWidgets import QWidget

from explorer.views.text import short_number
from explorer.widgets.cell_canvas import CachedCanvas, PointTooltips
from explorer.widgets.cell_style import (
    BACKGROUND,
    LABEL_TEXT,
    TEXT,
    cell_pen,
    ink,
    pixel_font,
)
from explorer.widgets.plot import MIN_PLOT_SIZE

AXIS_COLOR = "#444444"
ZERO_COLOR = "#BBBBBB"


@dataclass(frozen=True)
class SeriesStyle:
    """How one series is drawn.

    Attributes
    ----------
    name : str
        Shown in the tooltip.
    color : str
        Marker (and line) colour.
    symbol : {"o", "x", "+"}
        Hollow circle, diagonal cross or upright cross.
    size : float
        Marker size in pixels.
    line : bool
        Also join the points with a line.
    """

    name: str
    color: str
    symbol: str = "o"
    size: float = 10.0
    line: bool = False


def nice_ticks(low: float, high: float, target: int = 5) -> np.ndarray:
    """Round tick values covering ``[low, high]``, about ``target`` of them (steps 1, 2, 5)."""
    span = high - low
    if not span > 0:
        return np.array([low])
    raw = span / target
    power = 10.0 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    first = math.ceil(low / step) * step
    ticks = np.arange(first, high + 1e-9 * span, step)
    # Rounded to the step's decimals (no 0.6000000000000001), and + 0.0 turns -0 into 0.
    return np.round(ticks, max(0, -math.floor(math.log10(step)))) + 0.0


class IndexPlot(PointTooltips, CachedCanvas):
    """Series over the indices 1 … n with stable axes, a title and a hover readout.

    Ranges follow the data without jumping: they grow when a value leaves them and shrink only
    when the data uses a small part of them (or on ``refit``).

    Parameters
    ----------
    title, x_label, y_label : str
        Texts around the plot.
    styles : dict
        Series key -> :class:`SeriesStyle`, in drawing order.
    """

    MARGIN = 6
    TITLE = 24
    LEFT = 64
    BOTTOM = 40
    SIZE_HINT = (420, 260)
    MINIMUM_SIZE_HINT = MIN_PLOT_SIZE

    def __init__(self, title: str, x_label: str, y_label: str, styles: dict[str, SeriesStyle],
                 parent: QWidget | None = None) -> None:
        self._styles = dict(styles)  # before the canvas starts: its pens are the series'
        super().__init__(parent)
        self._title = title
        self._short_title: str | None = None
        self._x_label = x_label
        self._y_label = y_label
        self._series: dict[str, np.ndarray] = {}
        self._count = 1
        self._y = (-1.0, 1.0)
        self._title_font = pixel_font(14)
        self._tick_font = pixel_font(11)
        self._label_font = pixel_font(12)

    def _make_pens(self) -> None:
        self._pens = {key: cell_pen(style.color, 1.6) for key, style in self._styles.items()}

    # -- data ---------------------------------------------------------------------------
    def set_data(self, series: dict[str, np.ndarray], refit: bool = False) -> None:
        """Replace the series named in ``series`` (others keep their values) and repaint."""
        for key, values in series.items():
            if key not in self._styles:
                raise ValueError(f"unknown series {key!r}: expected one of {list(self._styles)}")
            self._series[key] = np.asarray(values, dtype=np.float64).copy()
        count = max(len(v) for v in series.values())
        self._fit(count, np.concatenate([np.ravel(v) for v in series.values()]), refit)
        self.update(self.plot_rect().adjusted(-12, -12, 12, 12).toAlignedRect())

    def series(self, key: str) -> np.ndarray:
        """The values of series ``key`` (a copy)."""
        return self._series[key].copy()

    def series_keys(self) -> list[str]:
        """The series that have values."""
        return list(self._series)

    def set_title(self, title: str, short: str | None = None) -> None:
        """Change the title (repaints the title band only).

        ``short``: a shorter form shown when the plot is too narrow for ``title``.
        """
        if (title, short) != (self._title, self._short_title):
            self._title, self._short_title = title, short
            self.update(QRectF(0, 0, self.width(), self.MARGIN + self.TITLE).toAlignedRect())

    def title(self) -> str:
        """The title as set (its full form)."""
        return self._title

    def title_shown(self) -> str:
        """The title as drawn at this width: full, short, or elided with "…"."""
        metrics = QFontMetrics(self._title_font)
        room = int(self.width() - 2 * self.MARGIN)
        text = self._title
        if self._short_title and metrics.horizontalAdvance(text) > room:
            text = self._short_title
        return metrics.elidedText(text, Qt.TextElideMode.ElideRight, room)

    def x_range(self) -> tuple[float, float]:
        """The x axis: ``(0.5, n + 0.5)``."""
        return 0.5, self._count + 0.5

    def y_range(self) -> tuple[float, float]:
        """The y axis."""
        return self._y

    def _fit(self, count: int, values: np.ndarray, refit: bool) -> None:
        changed = False
        if refit or count > self._count or count < 0.4 * self._count:
            changed |= count != self._count
            self._count = count
        finite = values[np.isfinite(values)]
        low = min(0.0, float(finite.min())) if finite.size else -1.0
        high = max(0.0, float(finite.max())) if finite.size else 1.0
        margin = max(0.5, 0.12 * (high - low))
        low, high = low - margin, high + margin
        y0, y1 = self._y
        if refit or (high - low) < 0.25 * (y1 - y0):
            wanted = (low, high)
        elif low < y0 or high > y1:
            wanted = (min(low, y0), max(high, y1))
        else:
            wanted = self._y
        if wanted != self._y:
            self._y = wanted
            changed = True
        if changed:
            self._background = None
            self.update()

    # -- geometry ---------------------------------------------------------------------------
    def plot_rect(self) -> QRectF:
        """The data area in widget coordinates."""
        top = self.MARGIN + self.TITLE
        return QRectF(self.LEFT, top, max(10.0, self.width() - self.LEFT - self.MARGIN - 8),
                      max(10.0, self.height() - top - self.BOTTOM))

    def map(self, x: float, y: float) -> QPointF:
        """Data coordinates to widget coordinates."""
        rect = self.plot_rect()
        x0, x1 = self.x_range()
        y0, y1 = self._y
        return QPointF(rect.left() + (x - x0) / (x1 - x0) * rect.width(),
                       rect.bottom() - (y - y0) / (y1 - y0) * rect.height())

    def point(self, key: str, n: int) -> QPointF:
        """Where entry ``n`` (0-based) of series ``key`` is drawn."""
        return self.map(n + 1, float(self._series[key][n]))

    def index_at(self, point: QPointF) -> int:
        """0-based index of the column under ``point`` (-1 outside the plot area)."""
        rect = self.plot_rect()
        if not rect.contains(point):
            return -1
        x0, x1 = self.x_range()
        n = int(round(x0 + (point.x() - rect.left()) / rect.width() * (x1 - x0))) - 1
        return n if 0 <= n < self._count else -1

    def tooltip_at(self, point: QPointF) -> str:
        """Every series' value at the index under ``point`` ("" outside)."""
        n = self.index_at(point)
        if n < 0:
            return ""
        lines = [f"{self._x_label.split()[0]} = {n + 1}"]
        for key, style in self._styles.items():
            values = self._series.get(key)
            if values is not None and n < values.size:
                lines.append(f"{style.name}: {values[n]:.15g}")
        return "\n".join(lines)

    # -- painting ---------------------------------------------------------------------------
    def _paint_static(self, painter: QPainter) -> None:
        """Axes, ticks and their labels."""
        rect = self.plot_rect()
        axis = cell_pen(AXIS_COLOR)
        painter.setFont(self._tick_font)
        metrics = QFontMetrics(self._tick_font)
        y0, y1 = self._y
        for value in nice_ticks(y0, y1):
            y = self.map(1.0, value).y()
            if value == 0:
                painter.setPen(cell_pen(ZERO_COLOR))
                painter.drawLine(QPointF(rect.left(), y), QPointF(rect.right(), y))
            painter.setPen(axis)
            painter.drawLine(QPointF(rect.left() - 5, y), QPointF(rect.left(), y))
            painter.drawText(QRectF(rect.left() - 52, y - 8, 44, 16),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                             short_number(value))
        # Integer ticks, thinned so their labels never touch.
        widest = metrics.horizontalAdvance(str(self._count)) + 10
        every = max(1, math.ceil(widest / (rect.width() / self._count)))
        for n in range(1, self._count + 1, every):
            x = self.map(n, y0).x()
            painter.drawLine(QPointF(x, rect.bottom()), QPointF(x, rect.bottom() + 5))
            painter.drawText(QRectF(x - 20, rect.bottom() + 6, 40, 14),
                             Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, str(n))
        painter.drawLine(rect.bottomLeft(), rect.bottomRight())
        painter.drawLine(rect.bottomLeft(), rect.topLeft())
        painter.setFont(self._label_font)
        painter.setPen(cell_pen(LABEL_TEXT))
        painter.drawText(QRectF(rect.left(), rect.bottom() + 20, rect.width(), 18),
                         Qt.AlignmentFlag.AlignCenter, self._x_label)
        painter.save()
        painter.translate(self.MARGIN + 6, rect.center().y())
        painter.rotate(-90)
        painter.drawText(QRectF(-rect.height() / 2, -9, rect.height(), 18),
                         Qt.AlignmentFlag.AlignCenter, self._y_label)
        painter.restore()

    def _paint_live(self, painter: QPainter) -> None:
        """The title and the series."""
        painter.setFont(self._title_font)
        painter.setPen(cell_pen(TEXT))
        painter.fillRect(QRectF(0, 0, self.width(), self.MARGIN + self.TITLE), ink(BACKGROUND))
        title = QRectF(self.MARGIN, self.MARGIN, self.width() - 2 * self.MARGIN, self.TITLE)
        painter.drawText(title, Qt.AlignmentFlag.AlignCenter, self.title_shown())
        self._paint_series(painter)

    def _paint_series(self, painter: QPainter) -> None:
        rect = self.plot_rect()
        x0, x1 = self.x_range()
        y0, y1 = self._y
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setClipRect(rect.adjusted(-8, -8, 8, 8))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        for key, style in self._styles.items():
            values = self._series.get(key)
            if values is None or values.size == 0:
                continue
            xs = rect.left() + (np.arange(1, values.size + 1) - x0) / (x1 - x0) * rect.width()
            ys = rect.bottom() - (values - y0) / (y1 - y0) * rect.height()
            points = [QPointF(float(x), float(y)) for x, y in zip(xs, ys, strict=True)]
            if style.line and len(points) > 1:
                painter.setPen(cell_pen(style.color, 1.0))
                painter.drawPolyline(points)
            painter.setPen(self._pens[key])
            r = style.size / 2
            if style.symbol == "o":
                for p in points:
                    painter.drawEllipse(p, r, r)
                continue
            if style.symbol == "x":
                ends = ((-r, -r, r, r), (-r, r, r, -r))
            else:
                ends = ((-r, 0.0, r, 0.0), (0.0, -r, 0.0, r))
            painter.drawLines([QLineF(x + a, y + b, x + c, y + d)
                               for x, y in zip(xs, ys, strict=True) for a, b, c, d in ends])
        painter.setClipping(False)

    def _cached(self) -> bool:
        # The axes change only with a range or the size: cached even for the first paint.
        self._cache_background()
        return True
