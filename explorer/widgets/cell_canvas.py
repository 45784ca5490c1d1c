"""The skeleton the cell views and the index plot share: a cached background, pens, hover.

Such a view paints in two layers. What stays put (cells, labels, axes) is painted once into a
pixmap the size of the widget and copied from there; what moves (a window, a lit column, the
series) is painted over it. The pixmap is dropped whenever it no longer matches: on a resize, a
theme change or a new scene.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Generic, TypeVar

import numpy as np
from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QBrush, QFontMetrics, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from explorer.views.text import short_number, sum_caption
from explorer.widgets import raster
from explorer.widgets.cell_style import (
    BACKGROUND,
    CELL_BORDER,
    GHOST_BORDER,
    GHOST_TEXT,
    HOVER_COLOR,
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
)
from explorer.widgets.theme import theme_signals


class CachedCanvas(QWidget):
    """A widget painted as a cached static picture with what changes drawn over it.

    A subclass paints the two layers (:meth:`_paint_static`, :meth:`_paint_live`), places them
    for the current size (:meth:`_relayout`) and names its pens (:attr:`PENS`); the canvas keeps
    the cached picture and the pens current.
    """

    #: Pens by name as :func:`cell_pen` takes them, ``(light-theme colour, width, style)``;
    #: made again in each theme.
    PENS: ClassVar[dict[str, tuple]] = {}
    SIZE_HINT: ClassVar[tuple[int, int]] = (320, 240)
    MINIMUM_SIZE_HINT: ClassVar[tuple[int, int]] = (160, 120)
    FOCUS_POLICY: ClassVar[Qt.FocusPolicy] = Qt.FocusPolicy.NoFocus

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._background: QPixmap | None = None
        self.setMouseTracking(True)
        self.setFocusPolicy(self.FOCUS_POLICY)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, True)
        self._make_pens()
        theme_signals().changed.connect(self._theme_changed)

    def _make_pens(self) -> None:
        self._pens = {name: cell_pen(*spec) for name, spec in self.PENS.items()}

    def _theme_changed(self, _theme: object) -> None:
        self._make_pens()
        self._background = None
        if self._has_picture():
            self._relayout()  # a layout may hold colours (the matrix's cells)
        self.update()

    def _relayout(self) -> None:
        """Place what is drawn for the current size and theme; called only with a picture."""

    def _has_picture(self) -> bool:
        """Whether there is anything to draw on the background (a cell view needs a scene)."""
        return True

    def _paint_static(self, painter: QPainter) -> None:
        """Draw what stays put; it goes into the cached background."""
        raise NotImplementedError

    def _paint_live(self, painter: QPainter) -> None:
        """Draw what changes, over the background; called on every paint, picture or not."""
        raise NotImplementedError

    def _cached(self) -> bool:
        """Whether this paint copies the static part from the cached pixmap.

        Not right after a change: then the static part is drawn straight onto the widget, and
        the cached copy is made when the picture first moves, so an edit costs one drawing, not
        two.
        """
        return cached_background(self, self._background)

    def _cache_background(self) -> None:
        """Paint the static part into the cached pixmap unless the one there is current."""
        if cached_background(self, self._background):
            return
        pixmap = blank_pixmap(self)
        if self._has_picture():
            painter = QPainter(pixmap)
            self._paint_static(painter)
            painter.end()
        self._background = pixmap

    def resizeEvent(self, event) -> None:  # noqa: D102 - Qt override
        self._background = None
        if self._has_picture():
            self._relayout()
        super().resizeEvent(event)

    def paintEvent(self, event) -> None:  # noqa: D102 - Qt override
        painter = QPainter(self)
        if self._cached():
            raster.blit(painter, event.rect(), self._background)
        else:
            painter.fillRect(self.rect(), ink(BACKGROUND))
            if self._has_picture():
                self._paint_static(painter)
        self._paint_live(painter)
        painter.end()

    def sizeHint(self) -> QSize:  # noqa: D102 - Qt override
        return QSize(*self.SIZE_HINT)

    def minimumSizeHint(self) -> QSize:  # noqa: D102 - Qt override
        return QSize(*self.MINIMUM_SIZE_HINT)


class PointTooltips:
    """Mixed into a canvas whose tooltip depends on where the mouse rests (a cell, an index).

    Only such views handle every event in Python: for the others it would cost a few
    microseconds on each paint.
    """

    def tooltip_at(self, point: QPointF) -> str:
        """The tooltip for ``point``; "" leaves the widget's own tooltip to describe the view."""
        raise NotImplementedError

    def event(self, event: QEvent) -> bool:  # noqa: D102 - Qt override
        if event.type() == QEvent.Type.ToolTip:
            text = self.tooltip_at(QPointF(event.pos()))
            if text:
                QToolTip.showText(event.globalPos(), text, self)
                return True
        return super().event(event)


@dataclass
class CellGeometry:
    """Where a cell view draws at its current size; each view adds its own places."""

    #: Side of a cell, in pixels.
    size: float = 0.0
    #: Top left corner of the (input) cells.
    x0: float = 0.0
    y0: float = 0.0
    caption_top: float = 0.0


#: The type of scene a cell view shows (:class:`~explorer.widgets.cell_row.RowScene`, …).
SceneT = TypeVar("SceneT")


class CellCanvas(CachedCanvas, Generic[SceneT]):
    """A cached canvas showing a scene with one item picked and one hovered, and a caption.

    The items are what the view steps through: a row's or a grid's output cells, a matrix's
    columns. The picked one (the animation's step, drawn in :data:`STEP_COLOR`) is clamped to
    the scene; the one under the mouse is drawn over it in :data:`HOVER_COLOR`, and the caption
    speaks of the hovered item while there is one. A subclass draws an item
    (:meth:`_paint_item`), says what a change of item repaints (:meth:`_item_areas`) and
    which item is under the mouse (:meth:`_item_at`).
    """

    #: The item under the mouse, or -1 when the mouse leaves the items.
    hoverChanged = Signal(int)

    #: The lowest item that can be picked: -1 where none may be.
    FIRST: ClassVar[int] = 0
    MARGIN: ClassVar[int] = 10
    #: Height of the caption's band, and of the box its text is centred in.
    CAPTION: ClassVar[int] = 30
    CAPTION_TEXT: ClassVar[int] = 28
    CAPTION_PIXELS: ClassVar[int] = 17
    CAPTION_ELIDE: ClassVar[Qt.TextElideMode] = Qt.TextElideMode.ElideMiddle
    #: Height of the band a block's title is written in (see :meth:`_title`).
    TITLE: ClassVar[int] = 22
    #: The view's own tooltip, shown where :meth:`tooltip_at` has none.
    TOOLTIP: ClassVar[str] = ""
    #: Where the view draws: its own subclass of :class:`CellGeometry`.
    GEOMETRY: ClassVar[type[CellGeometry]] = CellGeometry

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._scene: SceneT | None = None
        self._picked = self.FIRST
        self._hover = -1
        #: How many items the scene has.
        self._items = 0
        self._geometry = self.GEOMETRY()
        self._caption_font = pixel_font(self.CAPTION_PIXELS)
        self._caption_metrics = QFontMetrics(self._caption_font)
        if self.TOOLTIP:
            self.setToolTip(self.TOOLTIP)

    def _make_pens(self) -> None:
        super()._make_pens()
        #: Plain pens in the step's and the hover's colour (captions, lit labels).
        self._lit_text = {color: cell_pen(color) for color in (STEP_COLOR, HOVER_COLOR)}

    # -- the scene and its items -----------------------------------------------------------
    def scene(self) -> SceneT | None:
        """The scene shown."""
        return self._scene

    def set_scene(self, scene: SceneT, frame: int | None = None) -> None:
        """Show ``scene`` at step ``frame`` (default: keep the step, clamped to the scene)."""
        self._show(scene, frame)

    def set_frame(self, frame: int) -> None:
        """Show step ``frame``: pick that item, repainting only what changes."""
        self._pick(frame)

    def frame(self) -> int:
        """The step shown: the picked item."""
        return self._picked

    def hovered(self) -> int:
        """The item shown as hovered, or -1."""
        return self._hover

    def caption(self) -> str:
        """The caption of the hovered item, else of the picked one ("" for none)."""
        if self._scene is None:
            return ""
        item = self._hover if self._hover >= 0 else self._picked
        return self._caption_of(item) if item >= 0 else ""

    def _item_count(self, scene: SceneT) -> int:
        """How many items ``scene`` has."""
        raise NotImplementedError

    def _caption_of(self, item: int) -> str:
        """The caption while ``item`` is shown."""
        raise NotImplementedError

    def _show(self, scene: SceneT, item: int | None) -> None:
        """Show ``scene`` with ``item`` picked (None: the one picked now), clamped to it."""
        self._scene = scene
        self._items = self._item_count(scene)
        self._background = None
        self._hover = -1
        self._picked = self._clamped(self._picked if item is None else item)
        self._relayout()
        self.update()

    def _clamped(self, item: int) -> int:
        return min(max(int(item), self.FIRST), self._items - 1)

    def _pick(self, item: int) -> None:
        """Pick ``item`` (clamped), repainting only what changes."""
        if self._scene is None:
            return
        item = self._clamped(item)
        if item == self._picked:
            return
        self._cache_background()  # from now on the static part is copied, not drawn
        old, self._picked = self._picked, item
        self._repaint(old, item)

    def _repaint(self, old: int, new: int) -> None:
        """Repaint what showing item ``new`` instead of ``old`` changes, and the caption."""
        for area in self._item_areas(old, new):
            self.update(area.toAlignedRect())
        self.update(self._caption_rect().toAlignedRect())

    def _item_areas(self, old: int, new: int) -> list[QRectF]:
        """Where items ``old`` and ``new`` (-1: none) are drawn, and what changes between."""
        raise NotImplementedError

    # -- painting ---------------------------------------------------------------------------
    def _has_picture(self) -> bool:
        return self._scene is not None

    def _paint_live(self, painter: QPainter) -> None:
        if self._scene is None:
            return
        if self._picked >= 0:
            self._paint_item(painter, self._picked, STEP_COLOR)
        color = STEP_COLOR
        if self._hover >= 0:
            self._paint_item(painter, self._hover, HOVER_COLOR)
            color = HOVER_COLOR
        painter.setFont(self._caption_font)
        painter.setPen(self._lit_text[color])
        rect = QRectF(self.MARGIN, self._geometry.caption_top, self.width() - 2 * self.MARGIN,
                      self.CAPTION_TEXT)
        text = self._caption_metrics.elidedText(self.caption(), self.CAPTION_ELIDE,
                                                int(rect.width()))
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)

    def _paint_item(self, painter: QPainter, item: int, color: str) -> None:
        """Draw ``item`` lit in ``color`` (the step's or the hover's)."""
        raise NotImplementedError

    def _title(self, painter: QPainter, x: float, y: float, width: float, text: str) -> None:
        """``text`` centred over a block of cells that starts at ``(x, y)``, ``width`` wide."""
        rect = QRectF(x - 60, y - self.TITLE, width + 120, self.TITLE - 3)
        painter.drawText(rect, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom, text)

    def _caption_rect(self) -> QRectF:
        return QRectF(0, self._geometry.caption_top, self.width(), self.CAPTION)

    # -- mouse ------------------------------------------------------------------------------
    def _item_at(self, point: QPointF) -> int:
        """The item whose cell is under ``point``, or -1."""
        raise NotImplementedError

    def _show_hover(self, item: int) -> None:
        """Show ``item`` as hovered (-1: none), repainting only what changes."""
        old, self._hover = self._hover, item
        self._repaint(old, item)

    def mouseMoveEvent(self, event) -> None:  # noqa: D102 - Qt override
        self._hover_over(self._item_at(event.position()))
        super().mouseMoveEvent(event)

    def leaveEvent(self, event) -> None:  # noqa: D102 - Qt override
        self._hover_over(-1)
        super().leaveEvent(event)

    def _hover_over(self, item: int) -> None:
        if item != self._hover:
            self._show_hover(item)
            self.hoverChanged.emit(item)


class SlidingWindowCanvas(CellCanvas[SceneT]):
    """A cell canvas of a kernel window sliding over input cells, filling output cells.

    The items are the output cells, in the order the window visits them. Frame ``i`` shows the
    window of output ``i`` and outputs ``0 … i`` filled in; hovering an output cell shows its
    window in the hover colour. The scene has ``outputs``, ``output_labels`` and ``kernel``;
    a subclass places the output cells (:meth:`output_rect`) and gives the values under each
    window (:meth:`_window_values`).
    """

    PENS: ClassVar[dict[str, tuple]] = {
        "cell": (CELL_BORDER, 1.0),
        "ghost": (GHOST_BORDER, 1.0, Qt.PenStyle.DashLine),
        "pending": (PENDING_BORDER, 1.0, Qt.PenStyle.DotLine),
        "text": (TEXT,),
        "ghost_text": (GHOST_TEXT,),
        "label": (LABEL_TEXT,),
    }
    FOCUS_POLICY = Qt.FocusPolicy.ClickFocus
    TOOLTIP = "Rest the mouse on an output cell to see the window that produced it"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        #: Fill and text pen of each filled output cell; empty for the usual ones.
        self._output_shades: list[tuple[QBrush, QPen]] = []

    def output_rect(self, n: int) -> QRectF:
        """Output cell ``n``."""
        raise NotImplementedError

    def output_at(self, point: QPointF) -> int:
        """The output cell under ``point``, or -1."""
        if self._scene is not None:
            for n in range(self._items):
                if self.output_rect(n).contains(point):
                    return n
        return -1

    def _item_at(self, point: QPointF) -> int:
        return self.output_at(point)

    def _item_count(self, scene: SceneT) -> int:
        return scene.outputs.size

    def _window_values(self, i: int) -> np.ndarray:
        """The input values under the window of output ``i``, in the kernel's shape."""
        raise NotImplementedError

    def _caption_of(self, item: int) -> str:
        """The sum of products for the window of output ``item``."""
        s = self._scene
        return sum_caption(s.output_labels[item], self._window_values(item), s.kernel,
                           s.outputs.flat[item])

    def _paint_live(self, painter: QPainter) -> None:
        if self._scene is not None:
            self._paint_filled(painter)
        super()._paint_live(painter)

    def _paint_filled(self, painter: QPainter) -> None:
        """The outputs before the window's, filled in."""
        s = self._scene
        plain = (QBrush(ink(OUTPUT_FILL)), self._pens["text"])
        painter.setFont(self._cell_font)
        for n in range(self._picked):
            fill, pen = self._output_shades[n] if self._output_shades else plain
            draw_cell(painter, self.output_rect(n), short_number(s.outputs.flat[n]),
                      self._pens["cell"], fill, pen)

    def _show_hover(self, item: int) -> None:
        # The hovered window, its links and its tabs may lie anywhere over the picked one.
        self._hover = item
        self.update()
