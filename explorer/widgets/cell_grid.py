"""A grid of cells with a 2-D kernel window sliding over it and the output grid filling, reusable.

Like :mod:`explorer.widgets.cell_row`, the view only draws what a :class:`GridScene` holds; the
static part (input, kernel, empty output cells, titles) is cached in a pixmap so one animation
frame repaints just the window, the filled outputs and the caption.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QFontMetrics, QPainter
from PySide6.QtWidgets import QWidget

from explorer.views.scenes import GridScene
from explorer.views.text import short_number
from explorer.widgets.cell_canvas import CellGeometry, SlidingWindowCanvas
from explorer.widgets.cell_style import (
    BACKGROUND,
    CELL_BORDER,
    GHOST_FILL,
    KERNEL_FILL,
    cell_pen,
    draw_cell,
    grey_shades,
    ink,
    pixel_font,
    tint,
)


@dataclass
class _GridGeometry(CellGeometry):
    output_origin: QPointF = field(default_factory=QPointF)
    kernel_origin: QPointF = field(default_factory=QPointF)
    #: How far the weight tabs of a window stick out of it, to the left and below (small cells).
    tab_left: float = 0.0
    tab_below: float = 0.0


class CellGridView(SlidingWindowCanvas[GridScene]):
    """A padded input grid, the kernel window on it, and the output grid filling cell by cell.

    Frame ``i`` (row-major over the outputs) shows the window of output ``i`` and outputs
    ``0 … i`` filled. Hovering an output cell shows its window in another colour; the index
    :attr:`hoverChanged` gives is the output's row-major one.
    """

    CAPTION_TEXT = 26
    MAX_CELL = 64
    MIN_CELL = 14
    PENS = {**SlidingWindowCanvas.PENS, "frame": (CELL_BORDER, 2.0)}
    SIZE_HINT = (760, 420)
    MINIMUM_SIZE_HINT = (420, 260)
    GEOMETRY = _GridGeometry

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._input_shades: list = []

    # -- what is shown ----------------------------------------------------------------------
    def set_scene(self, scene: GridScene, frame: int | None = None) -> None:
        """Show ``scene`` at ``frame`` (default: keep the frame, clamped to the new outputs)."""
        inside = scene.cells[~scene.ghost]
        self._input_shades = grey_shades(scene.cells.clip(inside.min(), inside.max())
                                         if scene.shade and inside.size else np.zeros(0))
        self._output_shades = grey_shades(scene.outputs if scene.shade else np.zeros(0))
        super().set_scene(scene, frame)

    def _window_values(self, i: int) -> np.ndarray:
        return self._scene.cells[np.ix_(self._scene.rows[i], self._scene.cols[i])]

    def _item_areas(self, old: int, new: int) -> list[QRectF]:
        # The old and new windows and outputs; all outputs when the step changes output rows.
        area = self._window_area(old).united(self._window_area(new))
        area = area.united(self.output_rect(old)).united(self.output_rect(new))
        width = self._scene.outputs.shape[1]
        if old // width != new // width:
            area = area.united(self.output_rect(0).united(self.output_rect(self._items - 1)))
        return [area.adjusted(-3, -3, 3, 3)]

    # -- geometry ---------------------------------------------------------------------------
    def input_rect(self, r: int, c: int) -> QRectF:
        """Cell ``(r, c)`` of the padded input."""
        g = self._geometry
        return QRectF(g.x0 + c * g.size, g.y0 + r * g.size, g.size, g.size)

    def output_rect(self, n: int) -> QRectF:
        """Output cell ``n`` (row-major)."""
        g = self._geometry
        r, c = divmod(int(n), self._scene.outputs.shape[1])
        return QRectF(g.output_origin.x() + c * g.size, g.output_origin.y() + r * g.size,
                      g.size, g.size)

    def kernel_rect(self, a: int, b: int) -> QRectF:
        """Kernel cell ``(a, b)`` of the kernel drawn on its own."""
        g = self._geometry
        return QRectF(g.kernel_origin.x() + b * g.size, g.kernel_origin.y() + a * g.size,
                      g.size, g.size)

    def window_rect(self, i: int | None = None) -> QRectF:
        """Bounding box of the window of output ``i`` (default: the current one)."""
        s = self._scene
        i = self._picked if i is None else i
        top_left = self.input_rect(int(s.rows[i][0]), int(s.cols[i][0]))
        bottom_right = self.input_rect(int(s.rows[i][-1]), int(s.cols[i][-1]))
        return top_left.united(bottom_right)

    def _window_area(self, i: int) -> QRectF:
        """What the window of output ``i`` paints on the input: its cells and weight tabs."""
        g = self._geometry
        return self.window_rect(i).adjusted(-g.tab_left, 0, 0, g.tab_below)

    def _weight_label(self, a: int, b: int) -> str:
        return f"×{short_number(self._scene.kernel[a, b])}"

    def _tab_rect(self, cell: QRectF, label: str) -> QRectF:
        """The tab carrying a tap's weight, at the top right of ``cell``."""
        width = self._corner_metrics.horizontalAdvance(label)
        return QRectF(cell.right() - width - 4, cell.top() + 1, width + 3,
                      self._corner_metrics.height())

    def _relayout(self) -> None:
        s, g = self._scene, self._geometry
        rows, cols = s.cells.shape
        oh, ow = s.outputs.shape
        kh, kw = s.kernel.shape
        width = self.width() - 2 * self.MARGIN
        height = self.height() - 2 * self.MARGIN - self.CAPTION
        gap = 44.0
        size = min(
            self.MAX_CELL,
            (width - gap) / (cols + max(ow, kw)),
            (height - self.TITLE) / rows,
            (height - 2 * self.TITLE - 16) / (oh + kh),
        )
        size = max(self.MIN_CELL, size)
        g.size = size
        right_width = max(ow, kw) * size
        used_width = cols * size + gap + right_width
        left = self.MARGIN + max(0.0, (width - used_width) / 2)
        used_height = max(rows * size + self.TITLE, (oh + kh) * size + 2 * self.TITLE + 16)
        top = self.MARGIN + max(0.0, (height - used_height) / 2)
        g.x0, g.y0 = left, top + self.TITLE
        right = left + cols * size + gap
        g.output_origin = QPointF(right + (right_width - ow * size) / 2, top + self.TITLE)
        g.kernel_origin = QPointF(right + (right_width - kw * size) / 2,
                                  top + oh * size + 2 * self.TITLE + 16)
        g.caption_top = top + used_height + 6
        self._cell_font = pixel_font(0.36 * size)
        self._corner_font = pixel_font(max(9, 0.24 * size), bold=True)
        self._corner_metrics = QFontMetrics(self._corner_font)
        # A tab is right-aligned in its cell (see _tab_rect): one wider or taller than the cell
        # sticks out of the window's left column or bottom row.
        widest = max(self._corner_metrics.horizontalAdvance(self._weight_label(a, b))
                     for a in range(kh) for b in range(kw))
        g.tab_left = max(0.0, widest + 4 - size)
        g.tab_below = max(0.0, 1 + self._corner_metrics.height() - size)
        self._title_font = pixel_font(13)

    # -- painting ---------------------------------------------------------------------------
    def _paint_static(self, painter: QPainter) -> None:
        """Titles, the padded input, the kernel and the empty output cells."""
        s, g = self._scene, self._geometry
        rows, cols = s.cells.shape
        oh, ow = s.outputs.shape
        kh, kw = s.kernel.shape
        painter.setFont(self._title_font)
        painter.setPen(self._pens["label"])
        self._title(painter, g.x0, g.y0, cols * g.size, s.input_name)
        self._title(painter, g.output_origin.x(), g.output_origin.y(), ow * g.size,
                    s.output_name)
        self._title(painter, g.kernel_origin.x(), g.kernel_origin.y(), kw * g.size,
                    s.kernel_name)
        painter.setFont(self._cell_font)
        plain = QBrush(ink(BACKGROUND))
        ghost = QBrush(ink(GHOST_FILL))
        for r in range(rows):
            for c in range(cols):
                text = short_number(s.cells[r, c])
                if s.ghost[r, c]:
                    draw_cell(painter, self.input_rect(r, c), text, self._pens["ghost"], ghost,
                              self._pens["ghost_text"])
                elif s.shade:
                    fill, pen = self._input_shades[r * cols + c]
                    draw_cell(painter, self.input_rect(r, c), text, self._pens["cell"], fill, pen)
                else:
                    draw_cell(painter, self.input_rect(r, c), text, self._pens["cell"], plain,
                              self._pens["text"])
        inside = np.argwhere(~s.ghost)
        if inside.size:
            (r0, c0), (r1, c1) = inside.min(axis=0), inside.max(axis=0)
            painter.setPen(self._pens["frame"])
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(self.input_rect(r0, c0).united(self.input_rect(r1, c1)))
        kernel_fill = QBrush(ink(KERNEL_FILL))
        for a in range(kh):
            for b in range(kw):
                draw_cell(painter, self.kernel_rect(a, b), short_number(s.kernel[a, b]),
                           self._pens["cell"], kernel_fill, self._pens["text"])
        painter.setPen(self._pens["pending"])
        for n in range(oh * ow):
            painter.drawRect(self.output_rect(n))

    def _paint_item(self, painter: QPainter, i: int, color: str) -> None:
        """Window ``i`` with its weights, its link and its output cell, in ``color``."""
        s = self._scene
        fill = tint(color, 60)
        edge = cell_pen(color, 2.5)
        corner = cell_pen(color)
        rows, cols = s.rows[i], s.cols[i]
        painter.setFont(self._corner_font)
        # A pale tab under each tap's weight keeps it readable on dark (photo) cells.
        backing = tint(BACKGROUND, 215)
        for a, r in enumerate(rows):
            for b, c in enumerate(cols):
                rect = self.input_rect(int(r), int(c))
                painter.fillRect(rect, fill)
                label = self._weight_label(a, b)
                tab = self._tab_rect(rect, label)
                painter.fillRect(tab, backing)
                painter.setPen(corner)
                painter.drawText(tab, Qt.AlignmentFlag.AlignCenter, label)
        window = self.window_rect(i)
        painter.setPen(edge)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(window)
        out = self.output_rect(i)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setPen(cell_pen(color, 1.3, Qt.PenStyle.DashLine))
        painter.drawLine(QPointF(window.right(), window.center().y()),
                         QPointF(out.left(), out.center().y()))
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        painter.setFont(self._cell_font)
        draw_cell(painter, out, short_number(s.outputs.flat[i]), edge, fill, self._pens["text"])
