"""Turn widgets into numpy images so tests can assert on pixels."""

import numpy as np
from PySide6.QtCore import QPointF
from PySide6.QtGui import QImage

from explorer.widgets.images import rgb_array


def image_array(widget) -> np.ndarray:
    """The widget as it paints now, as an (H, W, 3) uint8 array."""
    return rgb_array(widget.grab().toImage())


def on_screen(widget) -> np.ndarray:
    """What the window's backing store holds for ``widget`` (partial repaints included)."""
    top = widget.mapTo(widget.window(), widget.rect().topLeft())
    shot = widget.screen().grabWindow(widget.window().winId(), top.x(), top.y(), widget.width(),
                                      widget.height())
    return rgb_array(shot.toImage())


def pixel(widget, point: QPointF) -> tuple[int, int, int]:
    """The colour the widget paints at ``point`` (its logical coordinates), as (r, g, b)."""
    image = widget.grab().toImage().convertToFormat(QImage.Format.Format_RGB888)
    ratio = image.width() / widget.width()
    color = image.pixelColor(int(point.x() * ratio), int(point.y() * ratio))
    return color.red(), color.green(), color.blue()


def count_bluish(array: np.ndarray) -> int:
    """Pixels where blue clearly dominates (Okabe-Ito blue, antialiased or not)."""
    r, g, b = (array[..., i].astype(int) for i in range(3))
    return int(((b - r > 60) & (b > 120)).sum())


def count_orangeish(array: np.ndarray) -> int:
    """Pixels where red-orange clearly dominates (Okabe-Ito vermillion / orange)."""
    r, g, b = (array[..., i].astype(int) for i in range(3))
    return int(((r - b > 80) & (r > 150) & (r - g > 40)).sum())


def count_purplish(array: np.ndarray) -> int:
    """Pixels of Okabe-Ito reddish purple, antialiased or tinted: red and blue above green."""
    r, g, b = (array[..., i].astype(int) for i in range(3))
    return int(((r - g > 40) & (b - g > 15) & (r > 150)).sum())
