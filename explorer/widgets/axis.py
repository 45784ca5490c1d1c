"""pyqtgraph's axis with the per-range work made cheap: same ticks, same labels, same layout.

When a plot's range changes, pyqtgraph's :class:`~pyqtgraph.AxisItem` works out its ticks again
in Python: a numpy closeness test between tick levels, a ``Point`` per tick end, a painter
measurement of every label (including the labels of levels it then decides not to draw) and a
rich-text re-layout of the axis title, even when the title did not change. That came to about
1.3 ms an axis, more than repainting a curve. :class:`FastAxis` produces the same draw specs,
tick values and title (tests compare them with pyqtgraph's own on random ranges, sizes and
styles) from plain float arithmetic, and measures each distinct label text once per font.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections import OrderedDict

import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen

__all__ = ["FastAxis"]

#: Label sizes by (font, resolution, text): what ``QPainter.boundingRect`` gave, 0.8 tall.
_TEXT_SIZES: OrderedDict[tuple, tuple[float, float]] = OrderedDict()
_TEXT_SIZES_MAX = 4096
_MEASURE_BOX = QRectF(0, 0, 100, 100)

_ALIGN = {
    "left": Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
    "right": Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
    "top": Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom,
    "bottom": Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
}
_TEXT_FLAGS = {side: align | Qt.TextFlag.TextDontClip for side, align in _ALIGN.items()}


def _font_key(painter: QPainter) -> tuple:
    # The font itself: QFont.key() leaves out hinting and kerning, which change widths.
    device = painter.device()
    return QFont(painter.font()), device.logicalDpiX() if device is not None else 0


def _text_size(painter: QPainter, font: tuple, text: str) -> tuple[float, float]:
    """Width and 0.8 × height of ``text`` in the painter's font, as pyqtgraph measures a label.

    ``font`` is :func:`_font_key` of the painter.
    """
    key = (font, text)
    size = _TEXT_SIZES.get(key)
    if size is None:
        box = painter.boundingRect(_MEASURE_BOX, Qt.AlignmentFlag.AlignCenter, text)
        size = (box.width(), box.height() * 0.8)
        _TEXT_SIZES[key] = size
        if len(_TEXT_SIZES) > _TEXT_SIZES_MAX:
            _TEXT_SIZES.popitem(last=False)
    return size


def _line_alpha(style_alpha, level: int, grid, length: float, count: int) -> int:
    """The tick pen's alpha for tick ``level``, by pyqtgraph's rules."""
    if style_alpha is None:
        alpha = 255 / (level + 1)
        if grid is not False:
            alpha *= grid / 255.0 * min(max(0.05 * length / (count + 1), 0.0), 1.0)
        return int(alpha)
    if isinstance(style_alpha, float):
        return int(min(255, max(0, round(style_alpha * 255))))
    if isinstance(style_alpha, int):
        if not 0 <= style_alpha <= 255:
            raise ValueError("lineAlpha should be [0..255]")
        return style_alpha
    raise TypeError("Line Alpha should be of type None, float or int")


class FastAxis(pg.AxisItem):
    """A :class:`pyqtgraph.AxisItem` whose range changes cost a fraction of the original's.

    Everything it draws and every size it asks the layout for are pyqtgraph's; only the way
    they are computed differs. Subclass hooks (``tickValues``, ``tickStrings``,
    ``tickSpacing``) are still called as pyqtgraph calls them.
    """

    def __init__(self, orientation: str, *args, **kwargs) -> None:
        self._shown_label: str | None = None
        super().__init__(orientation, *args, **kwargs)

    # -- the title -----------------------------------------------------------------------------
    def _updateLabel(self) -> None:  # noqa: N802 - pyqtgraph's name
        # A new range calls this every time; re-laying out unchanged rich text is most of the
        # cost of a range change, so the label is set only when its text changes.
        html = self.labelString()
        if html != self._shown_label:
            self.label.setHtml(html)
            self._shown_label = html
        self._adjustSize()
        self.picture = None
        self.update()

    # -- tick values ---------------------------------------------------------------------------
    def tickValues(self, minVal: float, maxVal: float, size: float):  # noqa: N802, N803
        """Ticks per level as pyqtgraph gives them, without numpy for a few dozen numbers."""
        low, high = sorted((minVal, maxVal))
        scale = self.scale
        low *= scale
        high *= scale
        ticks = []
        seen: list[float] = []  # values of the levels above, sorted
        for spacing, offset in self.tickSpacing(low, high, size):
            start = math.ceil((low - offset) / spacing) * spacing + offset
            count = int((high - start) / spacing) + 1
            tolerance = spacing / scale * 0.01
            values = []
            for k in range(max(count, 0)):
                value = (k * spacing + start) / scale
                # A value within 1 % of a spacing of a tick already placed is that tick.
                i = bisect_left(seen, value)
                if (i < len(seen) and seen[i] - value <= tolerance) or \
                        (i > 0 and value - seen[i - 1] <= tolerance):
                    continue
                values.append(value)
            for value in values:
                seen.insert(bisect_left(seen, value), value)
            ticks.append((spacing / scale, values))
        if self.logMode:
            return self.logTickValues(low, high, size, ticks)
        return ticks

    # -- draw specs ----------------------------------------------------------------------------
    def generateDrawSpecs(self, p: QPainter):  # noqa: N802 - pyqtgraph's name
        """The axis line, tick lines and placed labels: pyqtgraph's, computed with less work."""
        style = self.style
        if style["tickFont"] is not None:
            p.setFont(style["tickFont"])
        bounds = self.mapRectFromParent(self.geometry())
        view = self.linkedView()
        ticks_from = bounds if view is None or self.grid is False else \
            view.mapRectToItem(self, view.boundingRect())
        side = self.orientation
        if side == "left":
            ends = (QPointF(bounds.right() - 1, bounds.top() - 1),
                    QPointF(bounds.right() - 1, bounds.bottom() + 1))
            start, stop, direction, vertical = ticks_from.right(), bounds.right(), -1, True
        elif side == "right":
            ends = (QPointF(bounds.left() + 1, bounds.top() - 1),
                    QPointF(bounds.left() + 1, bounds.bottom() + 1))
            start, stop, direction, vertical = ticks_from.left(), bounds.left(), 1, True
        elif side == "top":
            ends = (QPointF(bounds.left() - 1, bounds.bottom() - 1),
                    QPointF(bounds.right() + 1, bounds.bottom() - 1))
            start, stop, direction, vertical = ticks_from.bottom(), bounds.bottom(), -1, False
        elif side == "bottom":
            ends = (QPointF(bounds.left() - 1, bounds.top() + 1),
                    QPointF(bounds.right() + 1, bounds.top() + 1))
            start, stop, direction, vertical = ticks_from.top(), bounds.top(), 1, False
        else:
            raise ValueError("self.orientation must be in {'left', 'right', 'top', 'bottom'}")
        a, b = self.mapToDevice(ends[0]), self.mapToDevice(ends[1])
        if a is None or b is None:
            return None
        length = math.hypot(b.x() - a.x(), b.y() - a.y())
        if length == 0:
            return None

        if self._tickLevels is None:
            levels = self.tickValues(self.range[0], self.range[1], length)
            given_strings = None
        else:
            levels = [(None, [value for value, _ in level]) for level in self._tickLevels]
            given_strings = [[text for _, text in level] for level in self._tickLevels]

        # Python floats: a range too narrow to draw (1e-320 wide) gives inf, never a numpy
        # overflow warning in the middle of a paint; it then draws no ticks, like a zero span.
        low, high = float(self.range[0]), float(self.range[1])
        span = high - low
        extent = bounds.height() if vertical else bounds.width()
        if span == 0 or not math.isfinite(extent / span) or not math.isfinite(low * extent / span):
            to_px, shift = 1, 0
        elif vertical:
            to_px = -extent / span
            shift = low * to_px - extent
        else:
            to_px = extent / span
            shift = low * to_px
        ends_px = (low * to_px - shift, high * to_px - shift)
        px_min, px_max = min(ends_px), max(ends_px)

        base_pen = self.tickPen()
        recolour = base_pen.brush().style() == Qt.BrushStyle.SolidPattern
        tick_specs = []
        positions: list[list[float | None]] = []
        for level, (_, values) in enumerate(levels):
            reach = style["tickLength"] / (level * 0.5 + 1.0)
            alpha = _line_alpha(style["tickAlpha"], level, self.grid, length, len(values))
            pen = base_pen
            if recolour:
                pen = QPen(base_pen)
                colour = QColor(pen.color())
                colour.setAlpha(alpha)
                pen.setColor(colour)
            end = stop + reach * direction if self.grid is False else stop
            placed: list[float | None] = []
            for value in values:
                x = value * to_px - shift
                if x < px_min or x > px_max:
                    placed.append(None)
                    continue
                placed.append(x)
                if vertical:
                    tick_specs.append((pen, QPointF(start, x), QPointF(end, x)))
                else:
                    tick_specs.append((pen, QPointF(x, start), QPointF(x, end)))
            positions.append(placed)

        first, last = ends
        stop_at = style["stopAxisAtTick"]
        if stop_at[0] is True:
            lowest = min(map(min, positions))
            if vertical:
                first.setY(max(first.y(), lowest))
            else:
                first.setX(max(first.x(), lowest))
        if stop_at[1] is True:
            highest = max(map(max, positions))
            if vertical:
                last.setY(min(last.y(), highest))
            else:
                last.setX(min(last.x(), highest))
        axis_spec = (self.pen(), first, last)

        text_specs: list[tuple[QRectF, Qt.AlignmentFlag, str]] = []
        if not style["showValues"]:
            return axis_spec, tick_specs, text_specs

        gap = max(0, style["tickLength"]) + style["tickTextOffset"][0 if vertical else 1]
        flags = _TEXT_FLAGS[side]
        font = _font_key(p)
        limits = self.boundingRect()
        along_total = 0.0  # summed label extent along the axis, over the levels measured
        across_max = 0.0  # widest (vertical) or tallest (horizontal) label measured
        measured = False
        last_across = 0.0
        for level in range(min(len(levels), style["maxTextLevel"] + 1)):
            if given_strings is None:
                spacing, values = levels[level]
                strings = self.tickStrings(values, self.autoSIPrefixScale * self.scale, spacing)
            else:
                strings = given_strings[level]
            if len(strings) == 0:
                continue
            placed = positions[level]
            sizes: list[tuple[float, float] | None] = []
            for j, text in enumerate(strings):
                if placed[j] is None:
                    sizes.append(None)
                    continue
                w, h = _text_size(p, font, text)
                sizes.append((w, h))
                along_total += h if vertical else w
                across = w if vertical else h
                across_max = across if not measured else max(across_max, across)
                measured = True
            if level > 0:
                # Crowded levels below the first are not labelled (pyqtgraph's fill limits).
                fill = float(along_total if measured else 0) / length
                if any(len(text_specs) >= n and fill >= limit
                       for n, limit in style["textFillLimits"]):
                    break
            last_across = across_max if measured else 0
            for j, text in enumerate(strings):
                size = sizes[j]
                if size is None:
                    continue
                x = placed[j]
                w, h = size
                if side == "left":
                    rect = QRectF(stop - gap - w, x - h / 2, w, h)
                elif side == "right":
                    rect = QRectF(stop + gap, x - h / 2, w, h)
                elif side == "top":
                    rect = QRectF(x - w / 2.0, stop - gap - h, w, h)
                else:
                    rect = QRectF(x - w / 2.0, stop + gap, w, h)
                if limits & rect != rect:  # not inside the axis (same test as pyqtgraph's)
                    continue
                text_specs.append((rect, flags, text))
        self._updateMaxTextSize(last_across)
        return axis_spec, tick_specs, text_specs
