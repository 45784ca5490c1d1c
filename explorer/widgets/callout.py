"""An error message shown just under the control it is about, over what lies below it.

An inline message that takes a line of its own pushes every control under it down as it appears,
so the click a student was about to make lands on the message instead. A callout is not in any
layout: it floats over the page, moves nothing, and lets clicks through to what it covers.

One callout shows at a time, the latest: a second message never lands on the first. A callout
steps aside when the student moves into a control it covers, and comes back when the control
it is about has the keyboard again. Meanwhile its control keeps its red border.
"""

from __future__ import annotations

import weakref

import shiboken6
from PySide6.QtCore import QEvent, QObject, QPoint, QRect, Qt
from PySide6.QtWidgets import QAbstractScrollArea, QApplication, QLabel, QWidget

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


def _global_rect(widget: QWidget) -> QRect:
    return QRect(widget.mapToGlobal(QPoint(0, 0)), widget.size())


class _Turns(QObject):
    """Which callout shows: the latest message, or the one whose control has the keyboard."""

    def __init__(self, app: QApplication) -> None:
        super().__init__(app)
        self.shown: weakref.ref | None = None
        self.waiting: weakref.WeakSet[ErrorCallout] = weakref.WeakSet()
        app.focusChanged.connect(self._focus_changed)

    def current(self) -> ErrorCallout | None:
        callout = self.shown() if self.shown is not None else None
        return callout if callout is not None and callout.alive() else None

    def take(self, callout: ErrorCallout) -> None:
        """Show ``callout``, and put the one showing (if another) aside."""
        current = self.current()
        if current is not None and current is not callout:
            current.setVisible(False)
        self.shown = weakref.ref(callout)

    def _focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        if new is None:
            return
        for callout in list(self.waiting):
            if not callout.alive():  # its panel is gone
                self.waiting.discard(callout)
            elif callout.is_about(new):
                callout.bring_back()
                return
        current = self.current()
        if current is not None and current.isVisible() \
                and _global_rect(current).intersects(_global_rect(new)):
            current.setVisible(False)  # the student works under it: it waits


class ErrorCallout(QLabel):
    """A red message under ``anchor``; :meth:`show_message` shows it, :meth:`clear` ends it.

    The message stays while it applies (:meth:`message`), follows its control when the page
    scrolls or is laid out again, and hides with the control.
    """

    _turns: _Turns | None = None

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

    @classmethod
    def _coordinator(cls) -> _Turns:
        if cls._turns is None or cls._turns.parent() is not QApplication.instance():
            cls._turns = _Turns(QApplication.instance())
        return cls._turns

    def alive(self) -> bool:
        """Whether the callout and its control still exist (a closed panel deletes them)."""
        return shiboken6.isValid(self) and shiboken6.isValid(self._anchor)

    def message(self) -> str:
        """The message in force (shown, or waiting its turn), or ""."""
        return self._message

    def is_about(self, widget: QWidget) -> bool:
        """Whether ``widget`` is the control this message is about (or a part of it)."""
        return widget is self._anchor or self._anchor.isAncestorOf(widget)

    def show_message(self, message: str, anchor: QWidget | None = None) -> None:
        """Show ``message`` under ``anchor`` (by default the control given at construction)."""
        if anchor is not None and anchor is not self._anchor:
            self._anchor.setAccessibleDescription("")
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
        self._coordinator().waiting.add(self)
        self.bring_back()

    def bring_back(self) -> None:
        """Show the message again (its control has the keyboard, or it is the latest)."""
        self._coordinator().take(self)
        self._place()

    def clear(self) -> None:  # noqa: D102 - QLabel.clear, which also ends the message
        if self._message:
            self._anchor.setAccessibleDescription("")
        self._message = ""
        super().clear()
        self.hide()
        self._coordinator().waiting.discard(self)

    def _unwatch(self) -> None:
        for widget in self._watched:
            widget.removeEventFilter(self)
        self._watched = []

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: D102 - Qt override
        if self._message and event.type() in _MOVES and self._coordinator().current() is self:
            self._place()
        return False

    def _anchor_in_view(self, host: QWidget) -> bool:
        """Whether most of the anchor shows (a scroll area inside the host may hide it)."""
        anchor = self._anchor
        rect = QRect(anchor.mapTo(host, QPoint(0, 0)), anchor.size())
        widget = anchor.parentWidget()
        while widget is not None and widget is not host:
            rect &= QRect(widget.mapTo(host, QPoint(0, 0)), widget.size())
            widget = widget.parentWidget()
        return rect.height() * 2 >= anchor.height() and not rect.isEmpty()

    def _place(self) -> None:
        """Under the anchor's left edge, inside the host; above the anchor if there is no room."""
        host, anchor = self.parentWidget(), self._anchor
        if not self._message or host is None or not anchor.isVisibleTo(host) \
                or not self._anchor_in_view(host):
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
