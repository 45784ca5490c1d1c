"""A QImage's pixels as a numpy array."""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QImage


def rgb_array(image: QImage) -> np.ndarray:
    """``image`` as an ``(H, W, 3)`` uint8 array of its RGB values (a copy it does not share)."""
    image = image.convertToFormat(QImage.Format.Format_RGB888)
    width, height = image.width(), image.height()
    data = np.frombuffer(image.constBits(), np.uint8, count=image.bytesPerLine() * height)
    # Copy while the QImage is alive: the buffer is its memory.
    return data.reshape(height, image.bytesPerLine())[:, : 3 * width].reshape(
        height, width, 3).copy()
