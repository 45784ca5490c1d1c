"""A row of cells with a kernel window sliding over it: the 1-D convolution picture, reusable.

The view draws what a :class:`RowScene` describes and never computes a number itself: the caller
(a panel) fills the scene from ``explorer.model``. Everything that stays put while the window
slides (cells, labels, outlines) is cached in a pixmap, and a step repaints only the band the
window moved through, so an animation frame costs about as much as a bare plot update.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QPainter

from explorer.views.scenes import RowScene
from explorer.views.text import short_number
from explorer.widgets.cell_canvas import CellGeometry, SlidingWindowCanvas
from explorer.widgets.cell_style import (
    BACKGROUND,
    GHOST_FILL,
    KERNEL_FILL,
    cell_pen,
    draw_cell,
    ink,
    pixel_font,
    tint,
)


@dataclass
class _RowGeometry(CellGeometry):
    label_right: float = 0.0
    y_kernel: float = 0.0
    y_products: float = 0.0
    y_output: float = 0.0
    index_height: float = 0.0
    output_x: np.ndarray = field(default_factory=lambda: np.zeros(0))


class CellRowView(SlidingWindowCanvas[RowScene]):
    """Input cells (padding as ghost cells), a kernel window over them and the outputs filling.

    Frame ``i`` shows the window of output ``i``, its products, colour links from the window to
    the output cell, and outputs ``0 … i`` filled in. Hovering an output cell shows its window
    in another colour and emits :attr:`hoverChanged`.
    """

    LABEL_WIDTH = 118
    MAX_CELL = 66
    MIN_CELL = 16
    SIZE_HINT = (760, 330)
    MINIMUM_SIZE_HINT = (420, 250)
    GEOMETRY = _RowGeometry

    def _window_values(self, i: int) -> np.ndarray:
        return self._scene.cells[self._scene.windows[i]]

    def _item_areas(self, old: int, new: int) -> list[QRectF]:
        # The band the old and new windows span, from the kernel row down to their outputs,
        # with the outputs filled in between.
        return [self._window_band(old).united(self._window_band(new)).adjusted(-3, -3, 3, 3)]

    def _window_band(self, i: int) -> QRectF:
        """From the kernel row down to the output cell of window ``i``."""
        window = self._scene.windows[i]
        top = self.kernel_rect(int(np.argmin(window)), i).united(
            self.kernel_rect(int(np.argmax(window)), i))
        return top.united(self.output_rect(i))

    # -- geometry (public so tests and callers can find cells) --------------------------------
    def cell_rect(self, j: int) -> QRectF:
        """Input cell ``j`` (padding included) in widget coordinates."""
        g = self._geometry
        return QRectF(g.x0 + j * g.size, g.y0, g.size, g.size)

    def kernel_rect(self, i: int, frame: int | None = None) -> QRectF:
        """Kernel tap ``i`` when the window is on output ``frame`` (default: the current one)."""
        g = self._geometry
        j = int(self._scene.windows[self._picked if frame is None else frame][i])
        return QRectF(g.x0 + j * g.size, g.y_kernel, g.size, g.size)

    def product_rect(self, i: int, frame: int | None = None) -> QRectF:
        """Product of tap ``i`` when the window is on output ``frame``."""
        rect = self.kernel_rect(i, frame)
        rect.moveTop(self._geometry.y_products)
        return rect

    def output_rect(self, n: int) -> QRectF:
        """Output cell ``n``, centred under its window."""
        g = self._geometry
        return QRectF(g.output_x[n] - g.size / 2, g.y_output, g.size, g.size)

    def _relayout(self) -> None:
        s, g = self._scene, self._geometry
        m = len(s.cells)
        width, height = self.width(), self.height()
        across = (width - self.LABEL_WIDTH - 2 * self.MARGIN) / m
        # Four rows of cells, two rows of index labels (0.45 cell), the links (0.9 cell) and the
        # caption must fit the height.
        down = (height - 2 * self.MARGIN - self.CAPTION - 3 * 6) / (4 + 2 * 0.45 + 0.9)
        size = max(self.MIN_CELL, min(self.MAX_CELL, across, down))
        g.size = size
        g.index_height = 0.45 * size
        used = 4 * size + 2 * g.index_height + 0.9 * size + self.CAPTION + 3 * 6
        top = self.MARGIN + max(0.0, (height - 2 * self.MARGIN - used) / 2)
        g.label_right = self.LABEL_WIDTH
        g.x0 = self.LABEL_WIDTH + self.MARGIN + max(
            0.0, (width - self.LABEL_WIDTH - 2 * self.MARGIN - m * size) / 2)
        g.y_kernel = top
        g.y0 = g.y_kernel + size + 6
        g.y_products = g.y0 + size + g.index_height + 6
        g.y_output = g.y_products + size + 0.9 * size
        g.caption_top = g.y_output + size + g.index_height + 6
        g.output_x = g.x0 + (np.asarray(s.windows, dtype=float).mean(axis=1) + 0.5) * size
        self._cell_font = pixel_font(0.36 * size)
        self._small_font = pixel_font(max(10, 0.26 * size))
        self._label_font = pixel_font(13)

    # -- painting ---------------------------------------------------------------------------
    def _row_label(self, painter: QPainter, y: float, text: str) -> None:
        g = self._geometry
        rect = QRectF(4, y, g.label_right - 8, g.size)
        painter.drawText(rect, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                         | Qt.TextFlag.TextWordWrap, text)

    def _paint_static(self, painter: QPainter) -> None:
        """Row titles, input cells, index labels and empty output cells."""
        s, g = self._scene, self._geometry
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        painter.setPen(self._pens["label"])
        painter.setFont(self._label_font)
        self._row_label(painter, g.y_kernel, s.kernel_name)
        self._row_label(painter, g.y0, s.input_name)
        self._row_label(painter, g.y_products, s.products_name)
        self._row_label(painter, g.y_output, s.output_name)
        painter.setFont(self._cell_font)
        plain = QBrush(ink(BACKGROUND))
        ghost = QBrush(ink(GHOST_FILL))
        for j, value in enumerate(s.cells):
            rect = self.cell_rect(j)
            if s.ghost[j]:
                draw_cell(painter, rect, short_number(value), self._pens["ghost"], ghost,
                           self._pens["ghost_text"])
            else:
                draw_cell(painter, rect, short_number(value), self._pens["cell"], plain,
                           self._pens["text"])
        painter.setFont(self._small_font)
        painter.setPen(self._pens["label"])
        for j, label in enumerate(s.cell_labels):
            rect = self.cell_rect(j).translated(0, g.size)
            rect.setHeight(g.index_height)
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, label)
        for n, label in enumerate(s.output_labels):
            rect = self.output_rect(n)
            painter.setPen(self._pens["pending"])
            painter.drawRect(rect)
            painter.setPen(self._pens["label"])
            rect = rect.translated(0, g.size)
            rect.setHeight(g.index_height)
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, label)

    def _paint_item(self, painter: QPainter, i: int, color: str) -> None:
        """Window ``i``, its kernel, products and links, and its output cell, in ``color``."""
        s = self._scene
        fill = tint(color, 55)
        edge = cell_pen(color, 2.5)
        window = s.windows[i]
        for tap in range(len(window)):
            painter.fillRect(self.cell_rect(int(window[tap])), fill)
        # The kernel and the products ride along with the window.
        kernel_fill = QBrush(ink(KERNEL_FILL))
        painter.setFont(self._cell_font)
        out = self.output_rect(i)
        target = QPointF(out.center().x(), out.top())
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        link = cell_pen(color, 1.3)
        for tap in range(len(window)):
            product = self.product_rect(tap, i)
            painter.setPen(link)
            painter.drawLine(QPointF(product.center().x(), product.bottom()), target)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        for tap in range(len(window)):
            draw_cell(painter, self.kernel_rect(tap, i), short_number(s.kernel[tap]), edge,
                      kernel_fill, self._pens["text"])
            draw_cell(painter, self.product_rect(tap, i), short_number(s.products[i, tap]), edge,
                      fill, self._pens["text"])
        first, last = self.cell_rect(int(window.min())), self.cell_rect(int(window.max()))
        painter.setPen(edge)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(first.united(last))
        draw_cell(painter, out, short_number(s.outputs[i]), edge, fill, self._pens["text"])
