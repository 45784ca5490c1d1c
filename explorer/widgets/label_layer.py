"""Many short texts at plot coordinates, painted by one graphics item (e.g. heatmap cell values)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont

from explorer.widgets.theme import Theme, current_theme


class LabelLayer(pg.GraphicsObject):
    """Texts centred on data points (optionally nudged by pixels), at a fixed font size.

    One item instead of one ``pg.TextItem`` per label: a 10 × 10 matrix needs 100 labels, and
    100 TextItems cost a third of a second to build and a full text layout each to update.

    Parameters
    ----------
    font : QFont, optional
        Font of every label (default: the application font).
    themed : bool
        Whether the label colours are light-theme colours shown in the current theme's version
        (labels on the plot background). False: the colours are used as given (labels on data
        colours, whose caller picks them for the theme).
    """

    def __init__(self, font: QFont | None = None, themed: bool = True) -> None:
        super().__init__()
        self._themed = themed
        self._light: list[str] = []
        self._font = QFont(font) if font is not None else QFont()
        self._x = np.empty(0)
        self._y = np.empty(0)
        self._texts: list[str] = []
        self._colors: list[QColor] = []
        self._dy = np.empty(0)
        self._bounds = QRectF()

    def set_labels(self, x: Sequence[float], y: Sequence[float], texts: Sequence[str],
                   colors: Sequence[str] | str = "#111111",
                   dy: Sequence[float] | float = 0.0,
                   bounds: QRectF | None = None) -> None:
        """Show ``texts[n]`` centred on ``(x[n], y[n])`` in ``colors[n]`` (or one colour).

        ``dy`` moves each label that many pixels down the screen (negative: up), e.g. to sit
        just above a bar top. ``bounds`` is the data rectangle the labels may cover (default:
        half a unit around the points, right for the cells of a matrix).
        """
        x = np.asarray(x, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        if not x.shape == y.shape == (len(texts),):
            raise ValueError(f"x, y and texts differ in length ({x.size}, {y.size}, "
                             f"{len(texts)})")
        if isinstance(colors, str):
            colors = [colors] * len(texts)
        self._x, self._y, self._texts = x, y, list(texts)
        self._light = list(colors)
        self._colors = self._resolve(current_theme())
        self._dy = np.broadcast_to(np.asarray(dy, dtype=np.float64), x.shape)
        if bounds is None:
            bounds = QRectF()
            if x.size:
                bounds = QRectF(float(x.min()) - 0.5, float(y.min()) - 0.5,
                                float(x.max() - x.min()) + 1.0, float(y.max() - y.min()) + 1.0)
        if bounds != self._bounds:
            self.prepareGeometryChange()
            self._bounds = bounds
        self.update()

    def _resolve(self, theme: Theme) -> list[QColor]:
        shown = {c: theme.qcolor(c) if self._themed else QColor(c) for c in set(self._light)}
        return [shown[c] for c in self._light]

    def apply_theme(self, theme: Theme) -> None:
        """Show the labels in ``theme``'s colours (a themed plot calls this)."""
        if self._themed:
            self._colors = self._resolve(theme)
            self.update()

    def colors(self) -> list[str]:
        """The colour each label is drawn in, ``"#rrggbb"`` (tests read them)."""
        return [c.name() for c in self._colors]

    def labels(self) -> list[tuple[float, float, str]]:
        """``(x, y, text)`` of every label (tests read them)."""
        return [(float(a), float(b), t) for a, b, t in zip(self._x, self._y, self._texts,
                                                           strict=True)]

    def set_font(self, font: QFont) -> None:
        """Font of every label."""
        self._font = QFont(font)
        self.update()

    def boundingRect(self) -> QRectF:  # noqa: D102 - Qt override
        return QRectF(self._bounds)

    def paint(self, painter, option, widget=None) -> None:  # noqa: D102 - Qt override
        if not self._texts:
            return
        to_device = painter.transform()
        painter.save()
        # Text is drawn in device pixels so it keeps its size when the view is scaled.
        painter.resetTransform()
        painter.setFont(self._font)
        for x, y, dy, text, color in zip(self._x, self._y, self._dy, self._texts, self._colors,
                                         strict=True):
            centre = to_device.map(QPointF(x, y))
            painter.setPen(color)
            painter.drawText(QRectF(centre.x() - 80, centre.y() + dy - 20, 160, 40),
                             Qt.AlignmentFlag.AlignCenter, text)
        painter.restore()
