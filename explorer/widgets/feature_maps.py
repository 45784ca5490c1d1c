"""Rows of small images, one row per layer: the first channels of each feature map, clickable."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Signal
from PySide6.QtGui import QBrush, QColor, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsRectItem, QWidget

from explorer.widgets.plot import OKABE_ITO, configure, recolor
from explorer.widgets.theme import Theme, current_theme, theme_signals


def _ramp(stops: Sequence[tuple[float, str]], count: int = 256) -> np.ndarray:
    """A lookup table interpolating colour ``stops`` ``[(position, "#rrggbb"), ...]``."""
    positions = np.array([p for p, _ in stops])
    colours = np.array([[int(c[i:i + 2], 16) for i in (1, 3, 5)] for _, c in stops], float)
    t = np.linspace(0.0, 1.0, count)
    return np.stack([np.interp(t, positions, colours[:, k]) for k in range(3)], axis=1).astype(
        np.uint8)


#: Negative blue, zero white, positive vermillion: for maps that take both signs.
DIVERGING = _ramp([(0.0, OKABE_ITO["blue"]), (0.5, "#ffffff"), (1.0, OKABE_ITO["vermillion"])])
#: Zero black, largest value white: for maps that are never negative (after ReLU).
GREYS = _ramp([(0.0, "#000000"), (1.0, "#ffffff")])


def tile_maps(maps: np.ndarray, gap: int) -> tuple[np.ndarray, bool]:
    """Scale each map to its own range and lay them side by side with transparent gaps.

    Parameters
    ----------
    maps : (n, H, W) array
        The channels to show.
    gap : int
        Columns of NaN (drawn transparent) between two maps.

    Returns
    -------
    mosaic : (H, n * W + (n - 1) * gap) array
        Values in [-1, 1] when some map is negative (each map divided by its largest
        magnitude), else in [0, 1] (divided by its maximum); all-zero maps stay 0.
    signed : bool
        Whether any value is negative (use :data:`DIVERGING` with levels (-1, 1)).
    """
    maps = np.asarray(maps, dtype=np.float64)
    count, height, width = maps.shape
    signed = bool(maps.min() < 0.0)
    scale = np.abs(maps).max(axis=(1, 2), keepdims=True)
    scaled = maps / np.where(scale > 0.0, scale, 1.0)
    mosaic = np.full((height, count, width + gap), np.nan)
    mosaic[:, :, :width] = scaled.transpose(1, 0, 2)
    return mosaic.reshape(height, count * (width + gap))[:, : count * (width + gap) - gap], signed


def _packed(lut: np.ndarray) -> np.ndarray:
    """``lut`` as opaque RGBA words, plus one transparent word at the end for gaps."""
    rgba = np.zeros((len(lut) + 1, 4), np.uint8)
    rgba[:-1, :3] = lut
    rgba[:-1, 3] = 255
    return rgba.view(np.uint32).ravel()


_PACKED = {True: _packed(DIVERGING), False: _packed(GREYS)}
_DARK_DIVERGING: dict[str, np.ndarray] = {}


def _table(signed: bool) -> np.ndarray:
    """The packed colour table for the current theme.

    A dark theme puts the diverging map's zero in the plot background rather than white, so
    a grid of maps does not glare; the greys (black 0, white largest) are the same everywhere.
    """
    theme = current_theme()
    if not (signed and theme.dark):
        return _PACKED[signed]
    table = _DARK_DIVERGING.get(theme.name)
    if table is None:
        table = _DARK_DIVERGING[theme.name] = _packed(_ramp([
            (0.0, theme.curves["blue"]), (0.5, theme.plot_background),
            (1.0, theme.curves["vermillion"])]))
    return table


def colour_mosaic(mosaic: np.ndarray, signed: bool) -> np.ndarray:
    """Map a :func:`tile_maps` mosaic to RGBA bytes; its NaN gaps become transparent.

    Colouring here with one table lookup, rather than in pyqtgraph with levels, a lookup table
    and a NaN mask, keeps the cost of showing a new row small.
    """
    packed = _table(signed)
    top = len(packed) - 2
    scaled = (mosaic + 1.0) * (0.5 * top) if signed else mosaic * top
    index = np.full(mosaic.shape, top + 1, np.intp)
    finite = ~np.isnan(mosaic)
    index[finite] = np.clip(scaled[finite] + 0.5, 0, top).astype(np.intp)
    return packed[index].view(np.uint8).reshape(*mosaic.shape, 4)


class _MapImage(pg.ImageItem):
    """The mosaic of one layer; reports the map pixel under a click."""

    clicked = Signal(int, float, float)

    def __init__(self, row: int) -> None:
        super().__init__(axisOrder="row-major")
        self.row = row

    def mouseClickEvent(self, event) -> None:  # noqa: D102 - pyqtgraph override
        event.accept()
        position = event.pos()
        self.clicked.emit(self.row, position.x(), position.y())


class _Ring(QGraphicsItem):
    """A square ring of fixed pixel size centred on its position (the selected map cell).

    A plain item rather than a one-point ``pg.ScatterPlotItem``: the scatter measured its
    bounds and mapped its point on every repaint of the grid, about half a millisecond each.
    """

    SIZE = 11.0
    WIDTH = 2.0

    def __init__(self, color: str) -> None:
        super().__init__()
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations, True)
        self._light = QColor(color)
        self._pen = QPen(self._light, self.WIDTH)
        half = (self.SIZE + self.WIDTH) / 2 + 1
        self._bounds = QRectF(-half, -half, 2 * half, 2 * half)

    def apply_theme(self, theme: Theme) -> None:
        """Draw in ``theme``'s version of the light colour given."""
        self._pen = QPen(theme.qcolor(self._light), self.WIDTH)
        self.update()

    def color(self) -> QColor:
        """The colour drawn now."""
        return QColor(self._pen.color())

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt override
        return self._bounds

    def paint(self, painter: QPainter, option, widget=None) -> None:  # noqa: D102 - Qt override
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)  # crisp, on whole pixels
        painter.setPen(self._pen)
        painter.setBrush(QBrush())
        half = self.SIZE / 2
        painter.drawRect(QRectF(-half, -half, self.SIZE, self.SIZE))


@dataclass
class _Row:
    label: pg.LabelItem
    view: pg.ViewBox
    image: _MapImage
    selection: QGraphicsRectItem
    marker: _Ring
    geometry: tuple[int, int, int] = (0, 0, 0)  # shown maps, H, W


class FeatureMapGrid(pg.GraphicsLayoutWidget):
    """One row of map images per layer, its caption on the left.

    :meth:`set_rows` changes the number of rows (creating items only when it grows);
    :meth:`set_maps` replaces one row's images with ``setImage``. A click on a map pixel emits
    :attr:`cellClicked` ``(row, map, pixel_row, pixel_col)``.
    """

    cellClicked = Signal(int, int, int, int)

    #: Most maps shown per row; every row's view spans this many so rows line up.
    MAPS_PER_ROW = 8
    #: Width of the caption column, in pixels.
    LABEL_WIDTH = 104
    #: Rows never get lower than this; a scroll area around the grid shows the rest.
    MIN_ROW_HEIGHT = 50

    def __init__(self, parent: QWidget | None = None) -> None:
        configure()
        super().__init__(parent)
        self.ci.layout.setContentsMargins(2, 2, 2, 2)
        self.ci.layout.setVerticalSpacing(4)
        self.ci.layout.setHorizontalSpacing(4)
        self.ci.layout.setColumnFixedWidth(0, self.LABEL_WIDTH)
        self._rows: list[_Row] = []
        self._shown = 0
        self._gap: dict[int, int] = {}
        self._selected: tuple | None = None
        theme_signals().changed.connect(self._theme_changed)
        if current_theme().dark:
            self._theme_changed(current_theme())

    def _theme_changed(self, theme: Theme) -> None:
        """Background, captions and selection marks in ``theme``'s colours (maps are data)."""
        self.setBackground(theme.plot_background)
        for row in self._rows:
            self._theme_row(row, theme)

    @staticmethod
    def _theme_row(row: _Row, theme: Theme) -> None:
        row.label.setText(row.label.text, color=theme.plot_foreground)
        recolor(row.selection, theme)
        recolor(row.marker, theme)

    # -- rows ---------------------------------------------------------------------------------
    def set_rows(self, count: int) -> None:
        """Show ``count`` rows (layout work happens only when the count changes)."""
        if count == self._shown:
            return
        while len(self._rows) < count:
            self._rows.append(self._make_row(len(self._rows)))
        for row in self._rows[: self._shown]:
            self.ci.removeItem(row.label)
            self.ci.removeItem(row.view)
        for i, row in enumerate(self._rows[:count]):
            self.ci.addItem(row.label, row=i, col=0)
            self.ci.addItem(row.view, row=i, col=1)
        self._shown = count
        self.setMinimumHeight(max(1, count) * self.MIN_ROW_HEIGHT)

    def row_count(self) -> int:
        """Rows shown."""
        return self._shown

    def _make_row(self, index: int) -> _Row:
        label = pg.LabelItem("", size="8.5pt", justify="right",
                             color=current_theme().plot_foreground)
        view = pg.ViewBox(lockAspect=True, invertY=True, enableMouse=False, enableMenu=False)
        view.setDefaultPadding(0.0)
        image = _MapImage(index)
        image.clicked.connect(self._image_clicked)
        view.addItem(image)
        pen = QPen(QColor(OKABE_ITO["black"]), 2)
        pen.setCosmetic(True)
        selection = QGraphicsRectItem()
        selection.setPen(pen)
        selection.setBrush(QBrush())
        selection.setZValue(10)
        selection.hide()
        view.addItem(selection)
        # The cell itself may be a pixel or two on screen: a fixed-size ring finds it.
        marker = _Ring(OKABE_ITO["black"])
        marker.setZValue(11)
        marker.hide()
        view.addItem(marker)
        row = _Row(label, view, image, selection, marker)
        if current_theme().dark:
            self._theme_row(row, current_theme())
        return row

    # -- content ------------------------------------------------------------------------------
    def set_maps(self, row: int, maps: np.ndarray, caption: str) -> None:
        """Show ``maps (n, H, W)`` in ``row`` (n <= MAPS_PER_ROW), each scaled to its range.

        ``caption`` may hold ``<br>`` line breaks.
        """
        target = self._rows[row]
        count, height, width = maps.shape
        gap = max(1, round(min(height, width) / 10))
        mosaic, signed = tile_maps(maps, gap)
        target.image.setImage(colour_mosaic(mosaic, signed), autoLevels=False, levels=None,
                              lut=None, autoDownsample=False)
        if caption != target.label.text:
            target.label.setText(caption)  # a new caption re-lays out the grid: only when needed
        geometry = (count, height, width)
        if geometry != target.geometry:
            target.geometry = geometry
            self._gap[row] = gap
            span = self.MAPS_PER_ROW * (width + gap) - gap
            target.view.setRange(QRectF(0, 0, span, height), padding=0.0)

    def caption(self, row: int) -> str:
        """The text above ``row``."""
        return self._rows[row].label.text

    def image_item(self, row: int) -> pg.ImageItem:
        """The image of ``row`` (tests read it)."""
        return self._rows[row].image

    def view_box(self, row: int) -> pg.ViewBox:
        """The view of ``row``."""
        return self._rows[row].view

    def cell_origin(self, row: int, map_index: int) -> tuple[int, int]:
        """Image-pixel column and row (x, y) where map ``map_index`` of ``row`` starts."""
        _, _, width = self._rows[row].geometry
        return map_index * (width + self._gap[row]), 0

    def set_selection(self, row: int | None, map_index: int = 0, pixel_row: int = 0,
                      pixel_col: int = 0) -> None:
        """Outline one map pixel (``row=None`` hides the outline)."""
        key = (row, map_index, pixel_row, pixel_col, self._shown,
               None if row is None else self._rows[row].geometry)
        if key == self._selected:
            return
        self._selected = key
        for i, r in enumerate(self._rows):
            if i != row:
                r.selection.hide()
                r.marker.hide()
        if row is None:
            return
        x0, _ = self.cell_origin(row, map_index)
        target = self._rows[row]
        target.selection.setRect(QRectF(x0 + pixel_col, pixel_row, 1.0, 1.0))
        target.selection.show()
        target.marker.setPos(x0 + pixel_col + 0.5, pixel_row + 0.5)
        target.marker.show()

    def _image_clicked(self, row: int, x: float, y: float) -> None:
        count, height, width = self._rows[row].geometry
        step = width + self._gap[row]
        map_index, col = int(x // step), int(x - (x // step) * step)
        pixel_row = int(y)
        if 0 <= map_index < count and 0 <= col < width and 0 <= pixel_row < height:
            self.cellClicked.emit(row, map_index, pixel_row, col)
