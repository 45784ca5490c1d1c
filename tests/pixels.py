"""Turn widgets into numpy images so tests can assert on pixels."""

import numpy as np
from PySide6.QtGui import QImage


def image_array(widget) -> np.ndarray:
    """The widget as it paints now, as an (H, W, 3) uint8 array."""
    image = widget.grab().toImage().convertToFormat(QImage.Format.Format_RGB888)
    width, height = image.width(), image.height()
    data = np.frombuffer(image.constBits(), np.uint8, count=image.bytesPerLine() * height)
    # Copy while the QImage is alive: the buffer is its memory.
    rows = data.reshape(height, image.bytesPerLine())[:, : 3 * width]
    return rows.reshape(height, width, 3).copy()


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
