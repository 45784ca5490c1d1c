"""A block diagram of a CNN: each tensor a box (face H × W, depth by channels), arrows per layer."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainter, QPen, QPolygonF
from PySide6.QtWidgets import (
    QFrame,
    QGraphicsLineItem,
    QGraphicsPolygonItem,
    QGraphicsRectItem,
    QGraphicsScene,
    QGraphicsSimpleTextItem,
    QGraphicsView,
    QWidget,
)

from explorer.widgets.theme import Theme, current_theme, theme_signals

#: Fill of a block by the kind of layer that produced it (Okabe–Ito hues, lightened).
FILLS = {"input": "#dfe7ef", "conv": "#cde6f5", "maxpool": "#fbe3bd", "relu": "#cdeee1"}
EDGE = "#3d4b59"
#: The window a layer slides, and its rays: a deep Okabe–Ito reddish purple, because the panel
#: keeps orange for the selected pixel's field on the picture, a different thing.
KERNEL = "#A8457E"
ERROR = "#c0392b"
# Colours are named as the light theme shows them; _cosmetic, _text and _brush give the current
# theme's version, and the diagram sets them all again when the theme changes.
TEXT = "#222222"
CAPTION = "#555555"
ARROW = "#333333"
ERROR_FILL = "#fdecea"
KERNEL_FILL = QColor(204, 121, 167, 90)

# Layout, in pixels at scale 1 (text keeps its size; the boxes shrink to fit the width).
_MARGIN = 14
_MAX_FACE = 150.0
_MAX_DEPTH = 64.0
_MIN_GAP = 84.0
_REFERENCE_HEIGHT = 200  # the height the boxes are sized for; the view may end up shorter
_MIN_HEIGHT = 130
_REFERENCE_SIDE = math.sqrt(128)
_REFERENCE_DEPTH = math.sqrt(64)
_DEPTH_DX, _DEPTH_DY = 0.62, 0.48  # direction of the depth axis (up and to the right)


@dataclass(frozen=True)
class Block:
    """One tensor of the stack.

    Attributes
    ----------
    shape : (C, H, W)
        Channels, height and width.
    caption : str
        Written above the block ("input", "layer 1", ...).
    kind : str
        "input", "conv", "maxpool" or "relu": the layer that produced it (sets the colour).
    """

    shape: tuple[int, int, int]
    caption: str
    kind: str


@dataclass(frozen=True)
class Arrow:
    """One layer, drawn as an arrow from its input block to its output block.

    Attributes
    ----------
    lines : (str, str)
        Two short lines written at the arrow ("Conv2d 8×8 → 32", "stride 2 · pad 3").
    window : int or None
        Side of the window the layer slides over its input, in input pixels (the dilated kernel
        span, or the pool size); None for an elementwise layer. Drawn on the input block's face.
    """

    lines: tuple[str, str]
    window: int | None


@dataclass
class _BlockItems:
    front: QGraphicsRectItem
    top: QGraphicsPolygonItem
    side: QGraphicsPolygonItem
    shape: QGraphicsSimpleTextItem
    caption: QGraphicsSimpleTextItem


@dataclass
class _ArrowItems:
    line: QGraphicsLineItem
    head: QGraphicsPolygonItem
    text: tuple[QGraphicsSimpleTextItem, QGraphicsSimpleTextItem]
    kernel: QGraphicsRectItem
    rays: tuple[QGraphicsLineItem, QGraphicsLineItem]


def _font(bold: bool = False, points: float = 9.0) -> QFont:
    font = QFont()
    font.setPointSizeF(points)
    font.setBold(bold)
    return font


def _brush(color: str | QColor) -> QBrush:
    return QBrush(current_theme().qcolor(color))


def _text(scene: QGraphicsScene, bold: bool = False, points: float = 9.0,
          color: str = TEXT) -> QGraphicsSimpleTextItem:
    item = scene.addSimpleText("")
    item.setFont(_font(bold, points))
    item.setBrush(_brush(color))
    item.setData(0, color)  # its light colour, for a change of theme
    item.setZValue(5)
    return item


def _shape_label(shape: tuple[int, int, int]) -> str:
    return "×".join(map(str, shape))


def _cosmetic(color: str, width: float = 1.0, style: Qt.PenStyle = Qt.PenStyle.SolidLine) -> QPen:
    pen = QPen(current_theme().qcolor(color), width)
    pen.setCosmetic(True)
    pen.setStyle(style)
    pen.setJoinStyle(Qt.PenJoinStyle.MiterJoin)
    return pen


class TensorDiagram(QGraphicsView):
    """The stack as boxes and arrows; :meth:`set_stack` moves the existing items.

    Items are created only when the number of blocks grows; a change of shapes or labels moves
    and re-labels them. Sides and depths are drawn on a square-root scale so that a 3-channel
    image and a 512-channel map are both readable; the shape is written under each block.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        self.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setBackgroundBrush(_brush("#ffffff"))
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        #: The height the drawing needs at the current width (see sizeHint).
        self._needed_height = _REFERENCE_HEIGHT
        self._blocks: list[_BlockItems] = []
        self._arrows: list[_ArrowItems] = []
        self._stack: tuple[tuple[Block, ...], tuple[Arrow, ...], str | None] = ((), (), None)
        self._laid_out_for: tuple | None = None
        self._label_font = _font()
        self._shape_font = _font(bold=True)
        scene = self.scene()
        self._error_box = scene.addRect(QRectF())
        self._error_text = _text(scene, bold=True, color=ERROR)
        self._error_arrow = scene.addLine(0, 0, 0, 0)
        self._error_head = scene.addPolygon(QPolygonF())
        self._style_error()
        self._empty_text = _text(scene, color=CAPTION, points=10)
        theme_signals().changed.connect(self._theme_changed)

    # -- colours ------------------------------------------------------------------------------
    def _style_error(self) -> None:
        self._error_box.setPen(_cosmetic(ERROR, 1.5, Qt.PenStyle.DashLine))
        self._error_box.setBrush(_brush(ERROR_FILL))
        self._error_arrow.setPen(_cosmetic(ERROR, 1.5))
        self._error_head.setPen(_cosmetic(ERROR))
        self._error_head.setBrush(_brush(ERROR))

    @staticmethod
    def _style_block(items: _BlockItems) -> None:
        edge = _cosmetic(EDGE)
        for item in (items.front, items.top, items.side):
            item.setPen(edge)

    @staticmethod
    def _style_arrow(items: _ArrowItems) -> None:
        items.line.setPen(_cosmetic(ARROW, 1.2))
        items.head.setPen(_cosmetic(ARROW))
        items.head.setBrush(_brush(ARROW))
        items.kernel.setPen(_cosmetic(KERNEL, 1.5))
        items.kernel.setBrush(_brush(KERNEL_FILL))
        for ray in items.rays:
            ray.setPen(_cosmetic(KERNEL, 1, Qt.PenStyle.DashLine))

    def _theme_changed(self, theme: Theme) -> None:
        self.setBackgroundBrush(_brush("#ffffff"))
        self._style_error()
        for items in self._blocks:
            self._style_block(items)
        for items in self._arrows:
            self._style_arrow(items)
        for item in self.scene().items():
            if isinstance(item, QGraphicsSimpleTextItem) and item.data(0):
                item.setBrush(_brush(item.data(0)))
        self._laid_out_for = None  # block fills are set while laying out
        self._lay_out()

    def sizeHint(self) -> QSize:
        """As tall as the drawing at this width: narrow, the boxes shrink and so does the view.

        The boxes are sized from the width alone (and a fixed reference height), so a new
        height never changes the drawing and this hint never feeds back on itself.
        """
        return QSize(640, self._needed_height)

    def minimumSizeHint(self) -> QSize:
        """Never shorter than the drawing: a shorter view would cut the shapes under the boxes."""
        return QSize(super().minimumSizeHint().width(), self._needed_height)

    def needed_height(self) -> int:
        """The view height the drawing needs at the current width (tests read it)."""
        return self._needed_height

    # -- public -------------------------------------------------------------------------------
    def set_stack(self, blocks: Sequence[Block], arrows: Sequence[Arrow],
                  error: str | None = None) -> None:
        """Show ``blocks`` joined by ``arrows`` (one fewer), and a red box for a bad layer.

        Parameters
        ----------
        blocks : sequence of Block
            The input first, then the output of every valid layer.
        arrows : sequence of Arrow
            ``len(blocks) - 1`` arrows.
        error : str, optional
            Caption of a red dashed box after the last block (the first layer that failed).
        """
        if len(arrows) != max(0, len(blocks) - 1):
            raise ValueError("need one arrow between each pair of blocks")
        stack = (tuple(blocks), tuple(arrows), error)
        if stack == self._stack:
            return
        self._stack = stack
        self._ensure_items(len(blocks))
        self._laid_out_for = None
        self._lay_out()

    def block_rect(self, index: int) -> QRectF:
        """Scene rectangle of block ``index``'s front face (tests measure it)."""
        return self._blocks[index].front.rect()

    def kernel_rect(self, index: int) -> QRectF:
        """Scene rectangle of the window drawn for arrow ``index``."""
        return self._arrows[index].kernel.rect()

    def texts(self) -> list[str]:
        """Every visible text in the diagram, left to right (tests read them)."""
        items = [i for i in self.scene().items() if isinstance(i, QGraphicsSimpleTextItem)
                 and i.isVisible() and i.text()]
        items.sort(key=lambda i: (round(i.sceneBoundingRect().center().x()),
                                  i.sceneBoundingRect().top()))
        return [i.text() for i in items]

    # -- items --------------------------------------------------------------------------------
    def _ensure_items(self, count: int) -> None:
        scene = self.scene()
        while len(self._blocks) < count:
            block = _BlockItems(
                front=scene.addRect(QRectF()),
                top=scene.addPolygon(QPolygonF()),
                side=scene.addPolygon(QPolygonF()),
                shape=_text(scene, bold=True),
                caption=_text(scene, color=CAPTION, points=8.5),
            )
            self._style_block(block)
            self._blocks.append(block)
        while len(self._arrows) < count - 1:
            line = scene.addLine(0, 0, 0, 0)
            head = scene.addPolygon(QPolygonF())
            kernel = scene.addRect(QRectF())
            kernel.setZValue(3)
            rays = tuple(scene.addLine(0, 0, 0, 0) for _ in range(2))
            for ray in rays:
                ray.setZValue(3)
            arrow = _ArrowItems(line, head, (_text(scene), _text(scene)), kernel,
                                rays)  # type: ignore[arg-type]
            self._style_arrow(arrow)
            self._arrows.append(arrow)

    def resizeEvent(self, event) -> None:  # noqa: D102 - Qt override
        super().resizeEvent(event)
        self._lay_out()

    def _lay_out(self) -> None:
        blocks, arrows, error = self._stack
        size = (self.viewport().width(), self.viewport().height())
        key = (size, self._stack)
        if key == self._laid_out_for:
            return
        self._laid_out_for = key
        for i, items in enumerate(self._blocks):
            visible = i < len(blocks)
            for item in (items.front, items.top, items.side, items.shape, items.caption):
                item.setVisible(visible)
        for i, items in enumerate(self._arrows):
            visible = i < len(arrows)
            for item in (items.line, items.head, *items.text, items.kernel, *items.rays):
                item.setVisible(visible)
        for item in (self._error_box, self._error_text, self._error_arrow, self._error_head):
            item.setVisible(error is not None)
        self._empty_text.setVisible(not blocks)
        if not blocks:
            self._empty_text.setText("no input shape")
            self.scene().setSceneRect(self._empty_text.sceneBoundingRect())
            return

        width, height = max(size[0], 200), max(size[1], 120)
        reference = max(height, _REFERENCE_HEIGHT)  # sizes follow the width, not the height
        label_metrics = QFontMetricsF(self._label_font)
        gaps = [max(_MIN_GAP, max(map(label_metrics.horizontalAdvance, arrow.lines)) + 16)
                for arrow in arrows]
        shape_metrics = QFontMetricsF(self._shape_font)
        # Each block sits in a slot at least as wide as the shape written under it, so texts
        # of neighbouring blocks and arrows never overlap however small the boxes get.
        text_widths = [shape_metrics.horizontalAdvance(_shape_label(b.shape)) + 8
                       for b in blocks]
        error_width = 0.0
        if error is not None:
            self._error_text.setText(error)
            error_width = _MIN_GAP * 0.6 + self._error_text.boundingRect().width() + 16
        # Square-root scales, shrunk together until the row fits the width (not below 35 %).
        sides = [(math.sqrt(b.shape[1]), math.sqrt(b.shape[2])) for b in blocks]
        depths = [math.sqrt(b.shape[0]) for b in blocks]
        face_room = min(_MAX_FACE, reference - 2 * _MARGIN - 58)
        # Scales are fixed for tensors up to 128 pixels and 64 channels, so an edit moves only
        # the blocks it changes (and repaints only them); bigger tensors shrink the scale.
        biggest_side = max(_REFERENCE_SIDE, max(max(h, w) for h, w in sides))
        face_scale = max(face_room, 30.0) / biggest_side
        depth_scale = min(_MAX_DEPTH, 0.45 * face_room) / max(_REFERENCE_DEPTH, max(depths))
        fixed = sum(gaps) + error_width + 2 * _MARGIN

        def extents(factor: float) -> list[tuple[float, float, float, float]]:
            """Face width, face height and depth of each block at ``factor``, and its slot."""
            out = []
            for (h, w), d, text in zip(sides, depths, text_widths, strict=True):
                face_w = max(4.0, factor * face_scale * w)
                face_h = max(4.0, factor * face_scale * h)
                depth = max(2.0, factor * depth_scale * d)
                out.append((face_w, face_h, depth, max(face_w + _DEPTH_DX * depth, text)))
            return out

        def fits(factor: float, scale: float) -> bool:
            return (fixed + sum(e[3] for e in extents(factor))) * scale <= width

        # Shrink the boxes first (to 60 %), then the whole drawing (text too, to 80 %), then
        # the boxes again (to 35 %); past that the view scrolls.
        factor, scale = 1.0, 1.0
        while factor > 0.6 and not fits(factor, 1.0):
            factor *= 0.95
        if not fits(factor, 1.0):
            scale = max(0.8, width / (fixed + sum(e[3] for e in extents(factor))))
            while factor > 0.35 and not fits(factor, scale):
                factor *= 0.95
        if scale != self.transform().m11():
            self.resetTransform()
            self.scale(scale, scale)
        x = _MARGIN
        fronts: list[QRectF] = []
        rights: list[float] = []  # right end of each block, side face included
        for i, (block, (face_w, face_h, depth, slot)) in enumerate(
                zip(blocks, extents(factor), strict=True)):
            dx, dy = _DEPTH_DX * depth, -_DEPTH_DY * depth
            left = x + (slot - face_w - dx) / 2
            front = QRectF(left, -face_h / 2, face_w, face_h)
            fronts.append(front)
            rights.append(front.right() + dx)
            self._draw_block(self._blocks[i], block, front, dx, dy)
            x += slot + (gaps[i] if i < len(gaps) else 0.0)
        for i, arrow in enumerate(arrows):
            self._draw_arrow(self._arrows[i], arrow, blocks[i], fronts[i], rights[i],
                             fronts[i + 1])
        if error is not None:
            self._draw_error(fronts[-1], rights[-1])
        # The scene fills the view and keeps its rectangle while the row fits: the view then
        # never re-centres, and an edit repaints only what moved. Blocks start at the left.
        view_w, view_h = width / scale, height / scale
        planned = QRectF(0, -view_h / 2 - 10, max(view_w, x + error_width + _MARGIN), view_h)
        drawn = QRectF()
        for item in self.scene().items():  # spare (hidden) items keep stale positions
            if item.isVisible():
                drawn = drawn.united(item.sceneBoundingRect())
        scene_rect = planned.united(drawn)
        self.scene().setSceneRect(scene_rect)
        # The view's rectangle is centred 10 px above the blocks' middle: the height that
        # holds everything drawn, 6 px clear, at this scale, and a scroll bar if one shows.
        reach = max(-drawn.top() - 10.0, drawn.bottom() + 10.0) + 6.0
        needed = math.ceil(2.0 * reach * scale)
        if scene_rect.width() * scale > self.width():
            needed += self.horizontalScrollBar().sizeHint().height()
        needed = min(_REFERENCE_HEIGHT, max(_MIN_HEIGHT, needed))
        if needed != self._needed_height:
            self._needed_height = needed
            self.updateGeometry()

    def _draw_block(self, items: _BlockItems, block: Block, front: QRectF, dx: float,
                    dy: float) -> None:
        fill = current_theme().qcolor(FILLS.get(block.kind, FILLS["input"]))
        items.front.setRect(front)
        items.front.setBrush(QBrush(fill))
        tl, tr, br = front.topLeft(), front.topRight(), front.bottomRight()
        shift = QPointF(dx, dy)
        items.top.setPolygon(QPolygonF([tl, tr, tr + shift, tl + shift]))
        items.top.setBrush(QBrush(fill.lighter(108)))
        items.side.setPolygon(QPolygonF([tr, br, br + shift, tr + shift]))
        items.side.setBrush(QBrush(fill.darker(118)))
        items.shape.setText(_shape_label(block.shape))
        box = items.shape.boundingRect()
        items.shape.setPos(front.center().x() + dx / 2 - box.width() / 2, front.bottom() + 4)
        items.caption.setText(block.caption)
        box = items.caption.boundingRect()
        items.caption.setPos(front.center().x() + dx / 2 - box.width() / 2,
                             front.top() + dy - box.height() - 2)

    def _draw_arrow(self, items: _ArrowItems, arrow: Arrow, source: Block, front: QRectF,
                    right: float, target: QRectF) -> None:
        # The arrow runs below the middle so the window's rays can cross above it; it starts
        # right of the block's side face and ends at the next front face.
        y = front.center().y() + 0.22 * min(front.height(), target.height())
        start_x = right + 6
        end_x = target.left() - 6
        items.line.setLine(start_x, y, end_x - 7, y)
        items.head.setPolygon(QPolygonF([QPointF(end_x, y), QPointF(end_x - 9, y - 4.5),
                                         QPointF(end_x - 9, y + 4.5)]))
        middle = (start_x + end_x) / 2
        for text_item, line, offset in zip(items.text, arrow.lines, (0, 1), strict=True):
            text_item.setText(line)
            box = text_item.boundingRect()
            text_item.setPos(middle - box.width() / 2, y + 4 + offset * box.height())
        has_window = arrow.window is not None
        for item in (items.kernel, *items.rays):
            item.setVisible(has_window)
        if not has_window:
            return
        _, h, w = source.shape
        side_h = max(5.0, min(1.0, arrow.window / h) * front.height())
        side_w = max(5.0, min(1.0, arrow.window / w) * front.width())
        # The window sits in the face's upper left quarter, where it would start sliding.
        left = front.left() + 0.18 * (front.width() - side_w)
        top = front.top() + 0.18 * (front.height() - side_h)
        items.kernel.setRect(QRectF(left, top, side_w, side_h))
        spot = QPointF(target.left() + 0.18 * target.width() + 1.5,
                       target.top() + 0.18 * target.height() + 1.5)
        items.rays[0].setLine(left + side_w, top, spot.x(), spot.y())
        items.rays[1].setLine(left + side_w, top + side_h, spot.x(), spot.y())

    def _draw_error(self, front: QRectF, right: float) -> None:
        y = front.center().y()
        start = right + 6
        end = start + _MIN_GAP * 0.6
        self._error_arrow.setLine(start, y, end - 7, y)
        self._error_head.setPolygon(QPolygonF([QPointF(end, y), QPointF(end - 9, y - 4.5),
                                               QPointF(end - 9, y + 4.5)]))
        box = self._error_text.boundingRect()
        rect = QRectF(end + 4, y - box.height() / 2 - 6, box.width() + 12, box.height() + 12)
        self._error_box.setRect(rect)
        self._error_text.setPos(rect.left() + 6, rect.top() + 6)
