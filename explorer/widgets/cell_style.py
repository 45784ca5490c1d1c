"""Colours, pens and number formatting shared by the cell views (row and grid).

Colours are named as the light theme shows them; :func:`ink`, :func:`cell_pen`, :func:`tint` and
:func:`blank_pixmap` give the current theme's version. A view that caches pens or pixmaps
rebuilds them when ``theme_signals().changed`` fires.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QWidget

from explorer.widgets.theme import current_theme

#: Colour of the current window, its products and the output cell they fill (Okabe–Ito vermillion).
STEP_COLOR = "#D55E00"
#: Colour of the window shown while the mouse rests on an output cell (Okabe–Ito blue).
HOVER_COLOR = "#0072B2"
KERNEL_FILL = "#DCEFFA"
OUTPUT_FILL = "#DDF2EA"
GHOST_BORDER = "#A8A8A8"
GHOST_TEXT = "#9A9A9A"
GHOST_FILL = "#F3F3F3"
PENDING_BORDER = "#B5B5B5"
CELL_BORDER = "#4A4A4A"
TEXT = "#1E1E1E"
LABEL_TEXT = "#555555"
BACKGROUND = "#FFFFFF"


def ink(color: str) -> QColor:
    """The current theme's colour for the light-theme colour ``color`` (a new QColor)."""
    return current_theme().qcolor(color)


def cell_pen(color: str, width: float = 1.0, style: Qt.PenStyle = Qt.PenStyle.SolidLine) -> QPen:
    """A cosmetic pen (its width does not scale with the painter) in the theme's ``color``."""
    return fixed_pen(ink(color), width, style)


def fixed_pen(color: str | QColor, width: float = 1.0,
              style: Qt.PenStyle = Qt.PenStyle.SolidLine) -> QPen:
    """A cosmetic pen of exactly ``color`` in every theme (text on a cell's data colour)."""
    pen = QPen(QColor(color), width)
    pen.setStyle(style)
    pen.setCosmetic(True)
    return pen


def tint(color: str, alpha: int) -> QBrush:
    """A brush of the theme's ``color`` at ``alpha`` (0–255), so the cell's number shows through."""
    c = ink(color)
    c.setAlpha(alpha)
    return QBrush(c)


def pixel_font(pixels: float, bold: bool = False) -> QFont:
    """The default font at ``pixels`` pixels (at least 8)."""
    font = QFont()
    font.setPixelSize(max(8, int(pixels)))
    font.setBold(bold)
    return font


def draw_cell(painter: QPainter, rect: QRectF, text: str, border: QPen, fill: QBrush | None,
              text_pen: QPen) -> None:
    """One cell: optional fill, border, centred text."""
    if fill is not None:
        painter.fillRect(rect, fill)
    painter.setPen(border)
    painter.drawRect(rect)
    painter.setPen(text_pen)
    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)


def cached_background(widget: QWidget, pixmap: QPixmap | None) -> bool:
    """Whether ``pixmap`` still matches ``widget``'s size in device pixels."""
    ratio = widget.devicePixelRatioF()
    wanted = QSize(max(1, int(widget.width() * ratio)), max(1, int(widget.height() * ratio)))
    return pixmap is not None and pixmap.size() == wanted


def blank_pixmap(widget: QWidget) -> QPixmap:
    """A pixmap the size of ``widget`` in device pixels, filled with the plots' background."""
    ratio = widget.devicePixelRatioF()
    pixmap = QPixmap(QSize(max(1, int(widget.width() * ratio)),
                           max(1, int(widget.height() * ratio))))
    pixmap.setDevicePixelRatio(ratio)
    pixmap.fill(ink(BACKGROUND))
    return pixmap


def grey_shades(values: np.ndarray, span: tuple[float, float] | None = None
                ) -> list[tuple[QBrush, QPen]]:
    """Fill and text pen per value: a grey level from the values' own range, like an image.

    ``span`` (low, high) sets the range instead, for values that change within a known one.
    Dark cells get white text so every number stays readable.
    """
    flat = np.asarray(values, dtype=np.float64).ravel()
    low, high = (float(flat.min()), float(flat.max())) if flat.size else (0.0, 1.0)
    if span is not None:
        low, high = span
    span = high - low if high > low else 1.0
    shades = []
    # The shades are data (like an image): the same in every theme, and so is their text.
    light, dark = fixed_pen("#FFFFFF"), fixed_pen(TEXT)
    for v in flat:
        level = int(round(255 * (v - low) / span))
        shades.append((QBrush(QColor(level, level, level)), light if level < 120 else dark))
    return shades
