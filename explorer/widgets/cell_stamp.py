"""Input cells stamping a scaled kernel onto an output grid, one per step: a transposed convolution.

The view only draws what a :class:`~explorer.views.scenes.StampScene` holds. Frame ``i`` lights
input cell ``i`` and the cells its stamp lands on (with the products it adds); the output shows
the sums after stamps ``0 … i``. The canvas cells cut away by the padding are drawn dashed
around the output, so a stamp that falls on them is seen being dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QPainter

from explorer.views.scenes import StampScene
from explorer.views.text import short_number
from explorer.widgets.cell_canvas import CellCanvas, CellGeometry
from explorer.widgets.cell_grid import CellGridView
from explorer.widgets.cell_style import (
    BACKGROUND,
    GHOST_FILL,
    KERNEL_FILL,
    OUTPUT_FILL,
    cell_pen,
    draw_cell,
    grey_shades,
    ink,
    pixel_font,
    tint,
)


@dataclass
class _StampGeometry(CellGeometry):
    kernel_origin: QPointF = field(default_factory=QPointF)
    canvas_origin: QPointF = field(default_factory=QPointF)


class CellStampView(CellCanvas[StampScene]):
    """The input grid, the kernel, and the output filling stamp by stamp.

    The items are the input cells (row-major); hovering one shows its stamp in the hover
    colour.
    """

    MAX_CELL = 56
    MIN_CELL = 14
    GAP = 44.0
    PENS = CellGridView.PENS
    FOCUS_POLICY = CellGridView.FOCUS_POLICY
    SIZE_HINT = CellGridView.SIZE_HINT
    MINIMUM_SIZE_HINT = CellGridView.MINIMUM_SIZE_HINT
    TOOLTIP = "Rest the mouse on a cell of g to see where its stamp lands"
    GEOMETRY = _StampGeometry

    # -- what is shown ----------------------------------------------------------------------
    def _item_count(self, scene: StampScene) -> int:
        return int(scene.inputs.size)

    def _caption_of(self, item: int) -> str:
        return self._scene.captions[item]

    def _item_areas(self, old: int, new: int) -> list[QRectF]:
        # The output's sums change with every step: the input, kernel and canvas area.
        return [QRectF(self.rect())]

    # -- geometry ---------------------------------------------------------------------------
    def input_rect(self, n: int) -> QRectF:
        """Input cell ``n`` (row-major)."""
        g = self._geometry
        r, c = divmod(int(n), self._scene.inputs.shape[1])
        return QRectF(g.x0 + c * g.size, g.y0 + r * g.size, g.size, g.size)

    def kernel_rect(self, a: int, b: int) -> QRectF:
        """Kernel cell ``(a, b)``."""
        g = self._geometry
        return QRectF(g.kernel_origin.x() + b * g.size, g.kernel_origin.y() + a * g.size,
                      g.size, g.size)

    def canvas_rect(self, r: int, c: int) -> QRectF:
        """Canvas cell ``(r, c)``: the output's cells and the ones the padding cuts away."""
        g = self._geometry
        return QRectF(g.canvas_origin.x() + c * g.size, g.canvas_origin.y() + r * g.size,
                      g.size, g.size)

    def output_rect(self, r: int, c: int) -> QRectF:
        """Output cell ``(r, c)``."""
        top, left = self._scene.crop
        return self.canvas_rect(r + top, c + left)

    def _item_at(self, point: QPointF) -> int:
        if self._scene is not None:
            for n in range(self._items):
                if self.input_rect(n).contains(point):
                    return n
        return -1

    def _relayout(self) -> None:
        s, g = self._scene, self._geometry
        h, w = s.inputs.shape
        kh, kw = s.kernel.shape
        rows, cols = s.canvas
        width = self.width() - 2 * self.MARGIN
        height = self.height() - 2 * self.MARGIN - self.CAPTION
        left_cells = max(w, kw)
        size = min(self.MAX_CELL,
                   (width - self.GAP) / (left_cells + cols),
                   (height - self.TITLE) / rows,
                   (height - 2 * self.TITLE - 16) / (h + kh))
        size = g.size = max(self.MIN_CELL, size)
        used_width = left_cells * size + self.GAP + cols * size
        used_height = max(rows * size + self.TITLE, (h + kh) * size + 2 * self.TITLE + 16)
        x = self.MARGIN + max(0.0, (width - used_width) / 2)
        top = self.MARGIN + max(0.0, (height - used_height) / 2)
        g.x0, g.y0 = x + (left_cells - w) * size / 2, top + self.TITLE
        g.kernel_origin = QPointF(x + (left_cells - kw) * size / 2,
                                  top + h * size + 2 * self.TITLE + 16)
        g.canvas_origin = QPointF(x + left_cells * size + self.GAP, top + self.TITLE)
        g.caption_top = top + used_height + 6
        self._cell_font = pixel_font(0.36 * size)
        self._corner_font = pixel_font(max(9, 0.26 * size), bold=True)
        self._title_font = pixel_font(13)

    # -- painting ---------------------------------------------------------------------------
    def _paint_static(self, painter: QPainter) -> None:
        """Titles, g, the kernel, the cut-away canvas cells and the empty output."""
        s, g = self._scene, self._geometry
        h, w = s.inputs.shape
        kh, kw = s.kernel.shape
        rows, cols = s.canvas
        oh, ow = s.outputs.shape
        top, left = s.crop
        painter.setFont(self._title_font)
        painter.setPen(self._pens["label"])
        self._title(painter, g.x0, g.y0, w * g.size, s.input_name)
        self._title(painter, g.kernel_origin.x(), g.kernel_origin.y(), kw * g.size,
                    s.kernel_name)
        self._title(painter, g.canvas_origin.x(), g.canvas_origin.y(), cols * g.size,
                    s.output_name)
        painter.setFont(self._cell_font)
        plain = QBrush(ink(BACKGROUND))
        for n in range(h * w):
            draw_cell(painter, self.input_rect(n), short_number(s.inputs.flat[n]),
                      self._pens["cell"], plain, self._pens["text"])
        kernel_fill = QBrush(ink(KERNEL_FILL))
        for a in range(kh):
            for b in range(kw):
                draw_cell(painter, self.kernel_rect(a, b), short_number(s.kernel[a, b]),
                          self._pens["cell"], kernel_fill, self._pens["text"])
        ghost = QBrush(ink(GHOST_FILL))
        for r in range(rows):
            for c in range(cols):
                rect = self.canvas_rect(r, c)
                if top <= r < top + oh and left <= c < left + ow:
                    painter.setPen(self._pens["pending"])
                    painter.drawRect(rect)
                else:
                    painter.fillRect(rect, ghost)
                    painter.setPen(self._pens["ghost"])
                    painter.drawRect(rect)
        if (oh, ow) != (rows, cols):
            painter.setPen(self._pens["frame"])
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(self.output_rect(0, 0).united(self.output_rect(oh - 1, ow - 1)))

    def _paint_live(self, painter: QPainter) -> None:
        if self._scene is not None:
            self._paint_sums(painter)
        super()._paint_live(painter)

    def _paint_sums(self, painter: QPainter) -> None:
        """The output after the stamps up to the one shown."""
        s = self._scene
        partial, reached = s.partials[self._picked], s.reached[self._picked]
        if s.shade:  # more stamps, darker: the checkerboard shows at a glance
            shades = grey_shades(-partial, (-float(s.outputs.max()), 0.0))
        plain = (QBrush(ink(OUTPUT_FILL)), self._pens["text"])
        painter.setFont(self._cell_font)
        for r, c in np.argwhere(reached):
            fill, pen = shades[r * partial.shape[1] + c] if s.shade else plain
            draw_cell(painter, self.output_rect(r, c), short_number(partial[r, c]),
                      self._pens["cell"], fill, pen)

    def _paint_item(self, painter: QPainter, n: int, color: str) -> None:
        """Input cell ``n``, its stamp with the products it adds, and the link between them."""
        s = self._scene
        fill, edge = tint(color, 60), cell_pen(color, 2.5)
        cell = self.input_rect(n)
        painter.fillRect(cell, fill)
        painter.setPen(edge)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(cell)
        rows, cols = s.rows[n], s.cols[n]
        painter.setFont(self._corner_font)
        corner = cell_pen(color)
        backing = tint(BACKGROUND, 215)
        for a, r in enumerate(rows):
            for b, c in enumerate(cols):
                rect = self.canvas_rect(int(r), int(c))
                painter.fillRect(rect, fill)
                label = f"+{short_number(s.products[n, a, b])}"
                tab = QRectF(rect.left() + 1, rect.top() + 1, rect.width() - 2,
                             rect.height() * 0.32)
                painter.fillRect(tab, backing)
                painter.setPen(corner)
                painter.drawText(tab, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop,
                                 label)
        stamp = self.canvas_rect(int(rows[0]), int(cols[0])).united(
            self.canvas_rect(int(rows[-1]), int(cols[-1])))
        painter.setPen(edge)
        painter.drawRect(stamp)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setPen(cell_pen(color, 1.3, Qt.PenStyle.DashLine))
        painter.drawLine(QPointF(cell.right(), cell.center().y()),
                         QPointF(stamp.left(), stamp.center().y()))
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
