"""A matrix drawn as coloured cells with their values, one column lit at a time: a small heatmap.

Like the other cell views it never computes a number: the caller fills a :class:`MatrixScene`
from ``explorer.model``. The cells, labels and colours are cached in a pixmap, so lighting
another column (one animation frame) repaints only the two columns and the caption.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QImage, QPainter, QStaticText, QTransform
from PySide6.QtWidgets import QWidget

from explorer.views.scenes import MatrixScene
from explorer.views.text import short_number
from explorer.widgets.cell_canvas import CellCanvas, CellGeometry, PointTooltips
from explorer.widgets.cell_style import (
    BACKGROUND,
    CELL_BORDER,
    HOVER_COLOR,
    LABEL_TEXT,
    STEP_COLOR,
    TEXT,
    cell_pen,
    fixed_pen,
    ink,
    pixel_font,
)

#: Diverging colours: negative entries blue, positive vermillion (Okabe–Ito), zero the
#: background (white in the light theme).
NEGATIVE_COLOR = "#0072B2"
POSITIVE_COLOR = "#D55E00"
#: Lines between the cells outside the band.
GRID_COLOR = "#DDDDDD"


def laid_out(text: str, font: QFont) -> QStaticText:
    """``text`` laid out in ``font``, to be drawn at every repaint without laying it out again."""
    static = QStaticText(text)
    static.setTextFormat(Qt.TextFormat.PlainText)
    static.prepare(QTransform(), font)
    return static


@dataclass
class _MatrixGeometry(CellGeometry):
    label_width: float = 0.0
    levels: float = 1.0
    #: One pixel per cell, its colour; drawn scaled up so the fills cost one call.
    image: QImage | None = None
    light_text: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=bool))
    #: Width of each column label in the bold font, plus a little air.
    label_widths: list = field(default_factory=list)
    #: Every static text as (font, pen key, top-left, laid-out text), grouped by font.
    texts: list = field(default_factory=list)
    title: str = ""
    #: Every how many columns a label is written (1: all of them).
    label_every: int = 1


class CellMatrixView(PointTooltips, CellCanvas[MatrixScene]):
    """Cells coloured by value (values written in when the cells are large enough).

    One column may be lit (the animation's step) and another shown in the hover colour.
    Resting the mouse on a cell shows the scene's tooltip for it; :attr:`hoverChanged` gives
    the column under the mouse.
    """

    MARGIN = 8
    TITLE = 20
    COL_LABELS = 18
    CAPTION = 26
    CAPTION_TEXT = 26
    CAPTION_PIXELS = 14
    CAPTION_ELIDE = Qt.TextElideMode.ElideRight
    MAX_CELL = 56
    MIN_CELL = 6
    #: Below this cell size the values are left out and only the colours remain.
    MIN_TEXT_CELL = 19
    FIRST = -1
    PENS = {
        "cell": (CELL_BORDER, 1.0),
        "ghost": (GRID_COLOR, 1.0),
        "text": (TEXT,),
        "label": (LABEL_TEXT,),
    }
    SIZE_HINT = (320, 300)
    MINIMUM_SIZE_HINT = (160, 160)
    GEOMETRY = _MatrixGeometry

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._label_font = pixel_font(12)
        self._bold_font = pixel_font(12, bold=True)
        self._cell_font = pixel_font(12)
        self._title_font = pixel_font(13)
        self._title_metrics = QFontMetrics(self._title_font)
        self._bold_metrics = QFontMetrics(self._bold_font)
        self._label_metrics = QFontMetrics(self._label_font)

    def _make_pens(self) -> None:
        super()._make_pens()
        self._pens["light_text"] = fixed_pen("#FFFFFF")  # on the strongest colours in every theme
        #: The frame of a lit column, per colour.
        self._edges = {color: cell_pen(color, 3.0) for color in (STEP_COLOR, HOVER_COLOR)}

    # -- what is shown ----------------------------------------------------------------------
    def hover_column(self) -> int:
        """The column shown in the hover colour, or -1."""
        return self._hover

    def set_hover_column(self, column: int) -> None:
        """Show ``column`` in the hover colour (-1: none), e.g. while another view is hovered."""
        if self._scene is not None and column != self._hover:
            self._show_hover(column)

    def shows_values(self) -> bool:
        """Whether the cells are large enough to carry their values."""
        return self._geometry.size >= self.MIN_TEXT_CELL

    def _item_count(self, scene: MatrixScene) -> int:
        return scene.values.shape[1]

    def _caption_of(self, item: int) -> str:
        return self._scene.captions[item]

    def _item_areas(self, old: int, new: int) -> list[QRectF]:
        return [self.column_rect(n).adjusted(-4, -4, 4, 4) for n in (old, new) if n >= 0]

    def _show_hover(self, item: int) -> None:
        old, self._hover = self._hover, item
        self._repaint(old, item)

    # -- geometry ---------------------------------------------------------------------------
    def cell_rect(self, i: int, n: int) -> QRectF:
        """Cell ``(i, n)`` in widget coordinates."""
        g = self._geometry
        return QRectF(g.x0 + n * g.size, g.y0 + i * g.size, g.size, g.size)

    def column_rect(self, n: int) -> QRectF:
        """Column ``n`` with its label."""
        return self._column_cells(n).united(self._label_rect(n))

    def _column_cells(self, n: int) -> QRectF:
        """The cells of column ``n``."""
        g = self._geometry
        return QRectF(g.x0 + n * g.size, g.y0, g.size, self._scene.values.shape[0] * g.size)

    def _label_rect(self, n: int) -> QRectF:
        """Where column ``n``'s label is drawn: over the cell, or wider if the text is wider."""
        g = self._geometry
        width = max(g.size, g.label_widths[n])
        left = g.x0 + (n + 0.5) * g.size - width / 2
        return QRectF(left, g.y0 - self.COL_LABELS, width, self.COL_LABELS - 2)

    def cell_at(self, point: QPointF) -> tuple[int, int]:
        """``(i, n)`` of the cell under ``point``, or ``(-1, -1)``."""
        if self._scene is None or self._geometry.size <= 0:
            return -1, -1
        g = self._geometry
        rows, cols = self._scene.values.shape
        n = int(np.floor((point.x() - g.x0) / g.size))
        i = int(np.floor((point.y() - g.y0) / g.size))
        if 0 <= i < rows and 0 <= n < cols:
            return i, n
        return -1, -1

    def _item_at(self, point: QPointF) -> int:
        return self.cell_at(point)[1]

    def tooltip_at(self, point: QPointF) -> str:
        """The tooltip of the cell under ``point`` ("" outside the cells)."""
        i, n = self.cell_at(point)
        return self._scene.tooltip(i, n) if i >= 0 else ""

    def _relayout(self) -> None:
        s, g = self._scene, self._geometry
        rows, cols = s.values.shape
        metrics = self._label_metrics
        g.label_width = max(metrics.horizontalAdvance(t) for t in s.row_labels) + 8
        top = self.MARGIN + self.TITLE + self.COL_LABELS
        across = (self.width() - 2 * self.MARGIN - g.label_width) / cols
        down = (self.height() - top - self.CAPTION - self.MARGIN) / rows
        # Whole pixels: lines then fall on the same pixels whether drawn on the widget or into
        # the cached background, so partial repaints never leave a seam.
        g.size = float(int(max(self.MIN_CELL, min(self.MAX_CELL, across, down))))
        used_w = g.label_width + cols * g.size
        g.x0 = float(round(self.MARGIN + g.label_width
                           + max(0.0, (self.width() - 2 * self.MARGIN - used_w) / 2)))
        used_h = rows * g.size
        spare = max(0.0, self.height() - top - self.CAPTION - self.MARGIN - used_h)
        g.y0 = float(round(top + spare / 2))
        g.caption_top = g.y0 + used_h + 2
        largest = float(np.max(np.abs(s.values)))
        g.levels = largest if largest > 0 else 1.0
        g.image, g.light_text = self._colours(s.values, s.band, g.levels)
        g.label_widths = [self._bold_metrics.horizontalAdvance(t) + 6 for t in s.col_labels]
        g.title = self._title_metrics.elidedText(
            s.title, Qt.TextElideMode.ElideRight, int(self.width() - 2 * self.MARGIN))
        cell_pixels = max(9, int(0.34 * g.size))
        if self._cell_font.pixelSize() != cell_pixels:
            self._cell_font = pixel_font(cell_pixels)
        g.texts = self._plan_texts(metrics)

    def _plan_texts(self, metrics: QFontMetrics) -> list:
        """Lay out every label and value once per scene or size; painting then only draws.

        Row and column labels thin out when the cells are smaller than the labels.
        """
        s, g = self._scene, self._geometry
        texts = []
        step = max(1, int(np.ceil(metrics.height() / g.size)))
        for i, label in enumerate(s.row_labels):
            if i % step == 0:
                static = laid_out(label, self._label_font)
                size = static.size()
                texts.append((self._label_font, "label", QPointF(
                    g.x0 - 4 - size.width(), g.y0 + (i + 0.5) * g.size - size.height() / 2),
                    static))
        widest = max(metrics.horizontalAdvance(t) for t in s.col_labels)
        every = g.label_every = max(1, int(np.ceil((widest + 4) / g.size)))
        for n, label in enumerate(s.col_labels):
            if n % every == 0:
                static = laid_out(label, self._label_font)
                size = static.size()
                texts.append((self._label_font, "label", QPointF(
                    g.x0 + (n + 0.5) * g.size - size.width() / 2, g.y0 - 2 - size.height()),
                    static))
        if g.size >= self.MIN_TEXT_CELL:
            # Only the band carries numbers: a white cell is a zero, as the colour scale says.
            for i, n in np.argwhere(s.band):
                static = laid_out(short_number(s.values[i, n]), self._cell_font)
                size = static.size()
                texts.append((self._cell_font, "light_text" if g.light_text[i, n] else "text",
                              QPointF(g.x0 + (n + 0.5) * g.size - size.width() / 2,
                                      g.y0 + (i + 0.5) * g.size - size.height() / 2), static))
        return texts

    @staticmethod
    def _colours(values: np.ndarray, band: np.ndarray, levels: float) -> tuple[QImage, np.ndarray]:
        """Cell colours as a (rows x cols) image, and where the text should be light.

        Each colour is the sign's colour laid over the background (white in the light theme)
        with an opacity growing with |value|.
        """
        strength = np.abs(values) / levels
        alpha = np.where((values != 0) & band, (30 + 200 * strength) / 255, 0.0)
        positive = np.array(QColor(POSITIVE_COLOR).getRgb()[:3], dtype=np.float64)
        negative = np.array(QColor(NEGATIVE_COLOR).getRgb()[:3], dtype=np.float64)
        base = np.where((values > 0)[..., None], positive, negative)
        under = np.array(ink(BACKGROUND).getRgb()[:3], dtype=np.float64)
        rgb = np.round(under + (base - under) * alpha[..., None]).astype(np.uint32)
        # 0xffRRGGBB: the painter's own format, so drawing needs no conversion.
        pixels = np.ascontiguousarray(
            (0xFF << 24) | (rgb[..., 0] << 16) | (rgb[..., 1] << 8) | rgb[..., 2])
        rows, cols = values.shape
        image = QImage(pixels.data, cols, rows, 4 * cols, QImage.Format.Format_RGB32).copy()
        return image, alpha > 170 / 255

    # -- painting ---------------------------------------------------------------------------
    def _paint_static(self, painter: QPainter) -> None:
        s, g = self._scene, self._geometry
        rows, cols = s.values.shape
        painter.setFont(self._title_font)
        painter.setPen(self._pens["label"])
        painter.drawText(QRectF(self.MARGIN, self.MARGIN, self.width() - 2 * self.MARGIN,
                                self.TITLE), Qt.AlignmentFlag.AlignCenter, g.title)
        painter.drawImage(QRectF(g.x0, g.y0, cols * g.size, rows * g.size), g.image)
        # A faint grid for every cell, then solid borders for the band on top.
        right, bottom = g.x0 + cols * g.size, g.y0 + rows * g.size
        grid = [QLineF(g.x0 + n * g.size, g.y0, g.x0 + n * g.size, bottom)
                for n in range(cols + 1)]
        grid += [QLineF(g.x0, g.y0 + i * g.size, right, g.y0 + i * g.size)
                 for i in range(rows + 1)]
        painter.setPen(self._pens["ghost"])
        painter.drawLines(grid)
        painter.setPen(self._pens["cell"])
        painter.drawRects([self.cell_rect(int(i), int(n)) for i, n in np.argwhere(s.band)])
        font = pen = None
        for text_font, pen_key, corner, static in g.texts:
            if text_font is not font:
                font = text_font
                painter.setFont(font)
            if pen_key != pen:
                pen = pen_key
                painter.setPen(self._pens[pen])
            painter.drawStaticText(corner, static)

    def _paint_item(self, painter: QPainter, n: int, color: str) -> None:
        """Column ``n`` lit in ``color``: a frame round it and its label in bold."""
        edge, text = self._edges[color], self._lit_text[color]
        cells = self._column_cells(n)
        # A frame, no tint: an orange wash would read as positive entries on this
        # blue / orange map, and would turn a blue cell grey.
        painter.setPen(edge)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(cells.adjusted(-1, -1, 1, 1))
        if self._geometry.label_every > 1:
            return  # labels are thinned out: a bold one would cover its neighbours
        label = self._label_rect(n)
        painter.fillRect(label, ink(BACKGROUND))
        painter.setFont(self._bold_font)
        painter.setPen(text)
        painter.drawText(label, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom,
                         self._scene.col_labels[n])
