"""The application icon: drawn once as SVG, shipped as PNGs of the sizes a desktop asks for."""

from __future__ import annotations

import sys

from PySide6.QtCore import QByteArray
from PySide6.QtGui import QIcon, QImage, QPainter, QPixmap

from explorer import assets


def render(svg: bytes, size: int) -> QImage:
    """``svg`` drawn antialiased into a transparent ``size`` × ``size`` ARGB32 image."""
    from PySide6.QtSvg import QSvgRenderer  # only tools/render_icons.py and the tests draw

    renderer = QSvgRenderer(QByteArray(svg))
    if not renderer.isValid():
        raise ValueError("not a valid SVG image")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(0)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()
    return image.convertToFormat(QImage.Format.Format_ARGB32)


def application_icon() -> QIcon:
    """The icon from its PNGs; without them an empty icon, and one line on stderr.

    Needs a QGuiApplication. Not cached: a QIcon kept in a module outlives the application.
    """
    icon = QIcon()
    for size in assets.ICON_SIZES:
        try:
            data = assets.read_bytes(assets.icon_png(size))
        except assets.MissingResource as exc:
            print(f"nn-explorer: no window icon: {exc}", file=sys.stderr)
            return QIcon()
        pixmap = QPixmap()
        pixmap.loadFromData(data, "PNG")
        icon.addPixmap(pixmap)
    return icon
