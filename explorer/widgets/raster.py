"""Copying part of a cached picture onto a widget, in the widget's logical pixels."""

from __future__ import annotations

from PySide6.QtCore import QRect, QRectF
from PySide6.QtGui import QPainter, QPixmap


def blit(painter: QPainter, target: QRect, pixmap: QPixmap) -> None:
    """Copy ``target`` (widget pixels) from ``pixmap``, which covers the widget from its top left.

    The pixmap's device pixel ratio is honoured: on a 2x screen each logical pixel of the
    widget takes four of the pixmap's.
    """
    ratio = pixmap.devicePixelRatio()
    painter.drawPixmap(QRectF(target), pixmap,
                       QRectF(target.x() * ratio, target.y() * ratio, target.width() * ratio,
                              target.height() * ratio))
