"""A container that paints what lies under it from a cached picture: cheap-to-update readouts."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QSize, Qt
from PySide6.QtGui import QPainter, QPalette, QPixmap, QRegion
from PySide6.QtWidgets import QWidget

from explorer.widgets.raster import blit
from explorer.widgets.theme import theme_signals


class Backdrop(QWidget):
    """Holds widgets that change often (a readout's numbers) inside a styled container.

    Before Qt paints a child that changed, it paints everything under it. Inside a Fusion group
    box that is the box's frame, drawn from a scaled pixmap: about a millisecond for a column of
    numbers, more than the numbers. This widget is opaque to Qt and copies a picture of its
    parent's own drawing (taken once per size and theme) instead, so a change repaints only the
    children that changed. It looks exactly like a plain container.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, True)
        self._picture: QPixmap | None = None
        self._taken_at: QPoint | None = None
        theme_signals().changed.connect(self.forget)

    def forget(self, *_args) -> None:
        """Take the picture again before the next paint (the parent's look changed)."""
        self._picture = None
        self.update()

    def resizeEvent(self, event) -> None:  # noqa: D102 - Qt override
        self._picture = None
        super().resizeEvent(event)

    def _take_picture(self) -> QPixmap:
        parent = self.parentWidget()
        ratio = self.devicePixelRatioF()
        picture = QPixmap(QSize(max(1, round(self.width() * ratio)),
                                max(1, round(self.height() * ratio))))
        picture.setDevicePixelRatio(ratio)
        picture.fill(Qt.GlobalColor.transparent)
        if parent is not None:
            # The parent alone (its frame and background), not its children: this widget and
            # its siblings are drawn by Qt as usual.
            parent.render(picture, QPoint(0, 0), QRegion(self.geometry()),
                          QWidget.RenderFlag.DrawWindowBackground)
        self._taken_at = self.pos()
        return picture

    def paintEvent(self, event) -> None:  # noqa: D102 - Qt override
        if self._picture is None or self._taken_at != self.pos() or \
                self._picture.size() != QSize(round(self.width() * self.devicePixelRatioF()),
                                              round(self.height() * self.devicePixelRatioF())):
            self._picture = self._take_picture()
        painter = QPainter(self)
        blit(painter, event.rect(), self._picture)
        if self.hasFocus():
            # A focusable backdrop (one whose context menu the keyboard can open) shows focus
            # the way the style's frames do: a rectangle in the highlight colour.
            painter.setPen(self.palette().color(QPalette.ColorRole.Highlight))
            painter.drawRect(self.rect().adjusted(0, 0, -1, -1))
        painter.end()

    def focusInEvent(self, event) -> None:  # noqa: D102 - Qt override
        self.update()
        super().focusInEvent(event)

    def focusOutEvent(self, event) -> None:  # noqa: D102 - Qt override
        self.update()
        super().focusOutEvent(event)
