"""A row of cells with a kernel window sliding over it: the 1-D convolution picture, reusable.

The view draws what a :class:`RowScene` describes and never computes a number itself: the caller
(a panel) fills the scene from ``explorer.model``. Everything that stays put while the window
slides (cells, labels, outlines) is cached in a pixmap, and a step repaints only the band the
window moved through, so an animation frame costs about as much as a bare plot update.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QBrush, QFontMetrics, QPainter, QPixmap
from PySide6.QtWidgets import QSizePolicy, QWidget

from explorer.widgets import raster
from explorer.widgets.cell_style import (
    BACKGROUND,
    CELL_BORDER,
    GHOST_BORDER,
    GHOST_FILL,
    GHOST_TEXT,
    HOVER_COLOR,
    KERNEL_FILL,
    LABEL_TEXT,
    OUTPUT_FILL,
    PENDING_BORDER,
    STEP_COLOR,
    TEXT,
    blank_pixmap,
    cached_background,
    cell_pen,
    draw_cell,
    ink,
    pixel_font,
    short_number,
    sum_caption,
    tint,
)
from explorer.widgets.theme import theme_signals


@dataclass(frozen=True, eq=False)
class RowScene:
    """What a :class:`CellRowView` draws; every number comes from the caller's model.

    Attributes
    ----------
    cells : (m,) array
        The input as the kernel sees it, padding included.
    ghost : (m,) bool array
        True for padding cells (drawn as dashed "ghost" zeros).
    cell_labels : tuple of str, length m
        Index label under each cell ("" for none).
    kernel : (k,) array
        The kernel as applied (already flipped if the caller flips it).
    windows : (n, k) int array
        ``windows[i]`` are the cells under the kernel for output ``i``, in kernel order.
    products : (n, k) array
        ``products[i, t] == cells[windows[i, t]] * kernel[t]``, from the model's trace.
    outputs : (n,) array
        The outputs (``outputs[i] == products[i].sum()``, computed by the model).
    output_labels : tuple of str, length n
        Name of each output cell, also used in the caption (``"y₄"``).
    input_name, kernel_name, products_name, output_name : str
        Row titles drawn on the left.
    """

    cells: np.ndarray
    ghost: np.ndarray
    cell_labels: tuple[str, ...]
    kernel: np.ndarray
    windows: np.ndarray
    products: np.ndarray
    outputs: np.ndarray
    output_labels: tuple[str, ...]
    input_name: str = "input"
    kernel_name: str = "kernel"
    products_name: str = "products"
    output_name: str = "output"

    def __post_init__(self) -> None:
        m, (n, k) = len(self.cells), np.shape(self.windows)
        if not (len(self.ghost) == len(self.cell_labels) == m and len(self.kernel) == k
                and np.shape(self.products) == (n, k)
                and len(self.outputs) == len(self.output_labels) == n and n >= 1):
            raise ValueError("RowScene: cells, ghost, labels, kernel, windows, products and "
                             "outputs must have matching lengths")
        windows = np.asarray(self.windows)
        if windows.size and (windows.min() < 0 or windows.max() >= m):
            raise ValueError("RowScene: a window points outside the cells")


@dataclass
class _RowGeometry:
    size: float = 0.0
    x0: float = 0.0
    label_right: float = 0.0
    y_kernel: float = 0.0
    y_input: float = 0.0
    y_products: float = 0.0
    y_output: float = 0.0
    y_caption: float = 0.0
    index_height: float = 0.0
    output_x: np.ndarray = field(default_factory=lambda: np.zeros(0))


class CellRowView(QWidget):
    """Input cells (padding as ghost cells), a kernel window over them and the outputs filling.

    Frame ``i`` shows the window of output ``i``, its products, colour links from the window to
    the output cell, and outputs ``0 … i`` filled in. Hovering an output cell shows its window
    in another colour and emits :attr:`hoverChanged`.
    """

    #: Output index under the mouse, or -1 when it leaves the output cells.
    hoverChanged = Signal(int)

    LABEL_WIDTH = 118
    MARGIN = 10
    MAX_CELL = 66
    MIN_CELL = 16

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._scene: RowScene | None = None
        self._frame = 0
        self._hover = -1
        self._geometry = _RowGeometry()
        self._background: QPixmap | None = None
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, True)
        self.setToolTip("Rest the mouse on an output cell to see the window that produced it")
        self._make_pens()
        theme_signals().changed.connect(self._theme_changed)

    def _make_pens(self) -> None:
        self._pens = {
            "cell": cell_pen(CELL_BORDER, 1.0),
            "ghost": cell_pen(GHOST_BORDER, 1.0, Qt.PenStyle.DashLine),
            "pending": cell_pen(PENDING_BORDER, 1.0, Qt.PenStyle.DotLine),
            "text": cell_pen(TEXT),
            "ghost_text": cell_pen(GHOST_TEXT),
            "label": cell_pen(LABEL_TEXT),
        }

    def _theme_changed(self, _theme: object) -> None:
        self._make_pens()
        self._background = None
        self.update()

    # -- what is shown ----------------------------------------------------------------------
    def set_scene(self, scene: RowScene, frame: int | None = None) -> None:
        """Show ``scene`` at ``frame`` (default: keep the frame, clamped to the new outputs)."""
        self._scene = scene
        self._background = None
        self._hover = -1
        count = len(scene.outputs)
        self._frame = min(max(self._frame if frame is None else frame, 0), count - 1)
        self._relayout()
        self.update()

    def scene(self) -> RowScene | None:
        """The scene shown."""
        return self._scene

    def set_frame(self, frame: int) -> None:
        """Put the window on output ``frame`` (outputs up to it are filled)."""
        if self._scene is None:
            return
        frame = min(max(int(frame), 0), len(self._scene.outputs) - 1)
        if frame == self._frame:
            return
        if not cached_background(self, self._background):
            self._background = self._paint_background()
        # Repaint only the band the old and new windows span, their outputs and the caption.
        low, high = sorted((self._frame, frame))
        band = self._window_band(self._frame).united(self._window_band(frame))
        band = band.united(self.output_rect(low)).united(self.output_rect(high))
        self._frame = frame
        g = self._geometry
        self.update(band.adjusted(-3, -3, 3, 3).toAlignedRect())
        self.update(QRectF(0, g.y_caption, self.width(), 30).toAlignedRect())

    def _window_band(self, i: int) -> QRectF:
        """From the kernel row down to the output cell of window ``i``."""
        window = self._scene.windows[i]
        top = self.kernel_rect(int(np.argmin(window)), i).united(
            self.kernel_rect(int(np.argmax(window)), i))
        return top.united(self.output_rect(i))

    def frame(self) -> int:
        """The output the window is on."""
        return self._frame

    def hovered(self) -> int:
        """The output under the mouse, or -1."""
        return self._hover

    def caption(self) -> str:
        """The sum of products for the window shown (the hovered one while hovering)."""
        if self._scene is None:
            return ""
        s = self._scene
        i = self._hover if self._hover >= 0 else self._frame
        window = s.windows[i]
        return sum_caption(s.output_labels[i], s.cells[window], s.kernel, s.outputs[i])

    # -- geometry (public so tests and callers can find cells) --------------------------------
    def cell_rect(self, j: int) -> QRectF:
        """Input cell ``j`` (padding included) in widget coordinates."""
        g = self._geometry
        return QRectF(g.x0 + j * g.size, g.y_input, g.size, g.size)

    def kernel_rect(self, i: int, frame: int | None = None) -> QRectF:
        """Kernel tap ``i`` when the window is on output ``frame`` (default: the current one)."""
        g = self._geometry
        j = int(self._scene.windows[self._frame if frame is None else frame][i])
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

    def output_at(self, point: QPointF) -> int:
        """The output cell under ``point``, or -1."""
        if self._scene is None:
            return -1
        for n in range(len(self._scene.outputs)):
            if self.output_rect(n).contains(point):
                return n
        return -1

    def sizeHint(self) -> QSize:  # noqa: D102 - Qt override
        return QSize(760, 330)

    def minimumSizeHint(self) -> QSize:  # noqa: D102 - Qt override
        return QSize(420, 250)

    def _relayout(self) -> None:
        s = self._scene
        if s is None:
            return
        g = self._geometry
        m = len(s.cells)
        width, height = self.width(), self.height()
        across = (width - self.LABEL_WIDTH - 2 * self.MARGIN) / m
        # Four rows of cells, two rows of index labels (0.45 cell), the links (0.9 cell) and the
        # caption (30 px) must fit the height.
        down = (height - 2 * self.MARGIN - 30 - 3 * 6) / (4 + 2 * 0.45 + 0.9)
        size = max(self.MIN_CELL, min(self.MAX_CELL, across, down))
        g.size = size
        g.index_height = 0.45 * size
        used = 4 * size + 2 * g.index_height + 0.9 * size + 30 + 3 * 6
        top = self.MARGIN + max(0.0, (height - 2 * self.MARGIN - used) / 2)
        g.label_right = self.LABEL_WIDTH
        g.x0 = self.LABEL_WIDTH + self.MARGIN + max(
            0.0, (width - self.LABEL_WIDTH - 2 * self.MARGIN - m * size) / 2)
        g.y_kernel = top
        g.y_input = g.y_kernel + size + 6
        g.y_products = g.y_input + size + g.index_height + 6
        g.y_output = g.y_products + size + 0.9 * size
        g.y_caption = g.y_output + size + g.index_height + 6
        g.output_x = g.x0 + (np.asarray(s.windows, dtype=float).mean(axis=1) + 0.5) * size
        self._cell_font = pixel_font(0.36 * size)
        self._small_font = pixel_font(max(10, 0.26 * size))
        self._label_font = pixel_font(13)
        self._caption_font = pixel_font(17)

    def resizeEvent(self, event) -> None:  # noqa: D102 - Qt override
        self._background = None
        self._relayout()
        super().resizeEvent(event)

    # -- painting ---------------------------------------------------------------------------
    def _row_label(self, painter: QPainter, y: float, text: str) -> None:
        g = self._geometry
        rect = QRectF(4, y, g.label_right - 8, g.size)
        painter.drawText(rect, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                         | Qt.TextFlag.TextWordWrap, text)

    def _paint_background(self) -> QPixmap:
        pixmap = blank_pixmap(self)
        if self._scene is not None:
            painter = QPainter(pixmap)
            self._paint_static(painter)
            painter.end()
        return pixmap

    def _paint_static(self, painter: QPainter) -> None:
        """Row titles, input cells, index labels and empty output cells."""
        s, g = self._scene, self._geometry
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        painter.setPen(self._pens["label"])
        painter.setFont(self._label_font)
        self._row_label(painter, g.y_kernel, s.kernel_name)
        self._row_label(painter, g.y_input, s.input_name)
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

    def _paint_window(self, painter: QPainter, i: int, color: str) -> None:
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

    def paintEvent(self, event) -> None:  # noqa: D102 - Qt override
        painter = QPainter(self)
        if cached_background(self, self._background):
            raster.blit(painter, event.rect(), self._background)  # in bands: see raster
        else:
            # Right after a change the static part is drawn straight onto the widget; the cached
            # copy is made when the window first moves, so an edit costs one drawing, not two.
            painter.fillRect(self.rect(), ink(BACKGROUND))
            if self._scene is not None:
                self._paint_static(painter)
        s = self._scene
        if s is None:
            painter.end()
            return
        filled = QBrush(ink(OUTPUT_FILL))
        painter.setFont(self._cell_font)
        for n in range(self._frame):
            draw_cell(painter, self.output_rect(n), short_number(s.outputs[n]),
                       self._pens["cell"], filled, self._pens["text"])
        self._paint_window(painter, self._frame, STEP_COLOR)
        color = STEP_COLOR
        if self._hover >= 0:
            self._paint_window(painter, self._hover, HOVER_COLOR)
            color = HOVER_COLOR
        g = self._geometry
        painter.setFont(self._caption_font)
        painter.setPen(cell_pen(color))
        rect = QRectF(self.MARGIN, g.y_caption, self.width() - 2 * self.MARGIN, 28)
        text = QFontMetrics(self._caption_font).elidedText(
            self.caption(), Qt.TextElideMode.ElideMiddle, int(rect.width()))
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
        painter.end()

    # -- mouse ------------------------------------------------------------------------------
    def _set_hover(self, n: int) -> None:
        if n != self._hover:
            self._hover = n
            self.update()
            self.hoverChanged.emit(n)

    def mouseMoveEvent(self, event) -> None:  # noqa: D102 - Qt override
        self._set_hover(self.output_at(event.position()))
        super().mouseMoveEvent(event)

    def leaveEvent(self, event) -> None:  # noqa: D102 - Qt override
        self._set_hover(-1)
        super().leaveEvent(event)
