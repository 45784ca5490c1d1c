"""Copies and translucent fills in bands of rows, so Qt paints them on the GUI thread.

Qt's raster engine hands any blend (a pixmap copied onto a widget, a translucent fill) of 96 or
more rows to a pool of worker threads and waits for them. For the few hundred kilobytes of a
panel's plot that costs more than the work itself: waking the workers and waiting for them took
a third of some panels' repaint time on a two-core machine, and far more when it was busy. Cut
into bands of fewer rows, the same pixels are blended in place, in the same order, with the
same result.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QPoint, QRect, QRectF
from PySide6.QtGui import QBrush, QColor, QPainter, QPixmap, QTransform

#: Rows per band: below Qt's threshold of 96 (in device pixels).
BAND_ROWS = 64


def blit(painter: QPainter, target: QRect, pixmap: QPixmap, origin: QPoint | None = None) -> None:
    """Copy ``target`` (widget pixels) from ``pixmap``, whose top left sits at ``origin``.

    Parameters
    ----------
    painter : QPainter
        Painting on the widget, untransformed.
    target : QRect
        Where to copy to, in the widget's logical pixels.
    pixmap : QPixmap
        The picture; its device pixel ratio is honoured.
    origin : QPoint, optional
        Widget position of the pixmap's top left corner (default: the widget's).
    """
    origin = origin if origin is not None else QPoint(0, 0)
    ratio = pixmap.devicePixelRatio()
    rows = max(1, int(BAND_ROWS / ratio))
    x, y, bottom = target.x(), target.y(), target.y() + target.height()
    sx = (x - origin.x()) * ratio
    while y < bottom:
        height = min(rows, bottom - y)
        painter.drawPixmap(QRectF(x, y, target.width(), height), pixmap,
                           QRectF(sx, (y - origin.y()) * ratio, target.width() * ratio,
                                  height * ratio))
        y += height


def fill(painter: QPainter, rect: QRectF, brush: QBrush | QColor) -> None:
    """``painter.fillRect(rect, brush)`` for a translucent brush, band by band.

    Bands meet on whole pixels, so no pixel is blended twice. An opaque fill is a plain memory
    fill in Qt, and a turned or scaled painter is rare here: both go straight through.
    """
    color = brush.color() if isinstance(brush, QBrush) else QColor(brush)
    device = painter.device()
    ratio = device.devicePixelRatioF() if device is not None else 1.0
    rows = max(1, int(BAND_ROWS / ratio))
    if color.alpha() == 255 or rect.height() <= rows or \
            painter.transform().type().value > QTransform.TransformationType.TxTranslate.value:
        painter.fillRect(rect, brush)
        return
    top, bottom = rect.top(), rect.bottom()
    edge = (math.floor(top / rows) + 1) * rows
    while top < bottom:
        end = min(edge, bottom)
        painter.fillRect(QRectF(rect.left(), top, rect.width(), end - top), brush)
        top, edge = end, edge + rows
