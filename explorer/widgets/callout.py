"""An error message shown just under the control it is about, over what lies below it.

An inline message that takes a line of its own pushes every control under it down as it appears,
so the click a student was about to make lands on the message instead. A callout is not in any
layout: it floats over the page, moves nothing, and lets clicks through to what it covers.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPoint, Qt
from PySide6.QtWidgets import QAbstractScrollArea, QLabel, QWidget

from explorer.widgets.theme import set_style_sheet

_STYLE = ("QLabel { color: #c0392b; background: #fff3f2; border: 1px solid #c0392b;"
          " border-radius: 3px; padding: 1px 4px; }")
#: The callout is at most this many average characters wide (a short message stays one line).
_WIDTH_CHARACTERS = 52
#: Events of the anchor or its ancestors after which the callout must be placed again.
_MOVES = (QEvent.Type.Move, QEvent.Type.Resize, QEvent.Type.Show, QEvent.Type.Hide)


def _host(anchor: QWidget) -> QWidget:
    """The widget the callout floats in: the page's scrolled column or content, else the window.

    Inside the outermost scrolled widget the callout scrolls with its control; a nested scroll
    area (the CNN layer list) would clip it, so it is skipped.
    """
    host = anchor.window()
    widget = anchor
    while widget is not None and not widget.isWindow():
        parent = widget.parentWidget()
        if parent is not None and isinstance(parent.parentWidget(), QAbstractScrollArea) \
                and parent.parentWidget().viewport() is parent:
            host = widget
        widget = parent
    return host


class ErrorCallout(QLabel):
    """A red message under ``anchor``; :meth:`show_message` shows it, :meth:`clear` hides it.

    The message stays while it applies, follows its control when the page scrolls or is laid
    out again, and hides with the control.
    """

    def __init__(self, anchor: QWidget) -> None:
        super().__init__(anchor)  # re-parented to its host when first shown
        self._anchor = anchor
        self._message = ""
        self._watched: list[QWidget] = []
        self.setWordWrap(True)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        set_style_sheet(self, _STYLE)
        self.hide()

    def message(self) -> str:
        """The message showing, or ""."""
        return self._message

    def show_message(self, message: str, anchor: QWidget | None = None) -> None:
        """Show ``message`` under ``anchor`` (by default the control given at construction)."""
        if anchor is not None and anchor is not self._anchor:
            self._anchor = anchor
            self._unwatch()
        self._message = message
        self.setText(message)
        self._anchor.setAccessibleDescription(message)
        host = _host(self._anchor)
        if self.parentWidget() is not host:
            self.setParent(host)
            self._unwatch()
        if not self._watched:
            widget = self._anchor
            while widget is not None and widget is not host:
                widget.installEventFilter(self)
                self._watched.append(widget)
                widget = widget.parentWidget()
            host.installEventFilter(self)
            self._watched.append(host)
        self._place()

    def clear(self) -> None:  # noqa: D102 - QLabel.clear, which also hides the callout
        if self._message:
            self._anchor.setAccessibleDescription("")
        self._message = ""
        super().clear()
        self.hide()

    def _unwatch(self) -> None:
        for widget in self._watched:
            widget.removeEventFilter(self)
        self._watched = []

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: D102 - Qt override
        if self._message and event.type() in _MOVES:
            self._place()
        return False

    def _place(self) -> None:
        """Under the anchor's left edge, inside the host; above the anchor if there is no room."""
        host, anchor = self.parentWidget(), self._anchor
        if not self._message or host is None or not anchor.isVisibleTo(host):
            self.hide()
            return
        room = host.width() - 4
        width = min(room, _WIDTH_CHARACTERS * self.fontMetrics().averageCharWidth())
        width = max(width, min(room, anchor.width()))
        height = self.heightForWidth(width)
        below = anchor.mapTo(host, QPoint(0, anchor.height() + 1))
        x = max(2, min(below.x(), host.width() - width - 2))
        y = below.y()
        if y + height > host.height():
            y = anchor.mapTo(host, QPoint(0, 0)).y() - height - 1
        self.setGeometry(x, max(0, y), width, height)
        self.show()
        self.raise_()
