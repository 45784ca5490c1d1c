"""Geometry checks of a laid-out window: overlaps, squeezed widgets, cut labels, small plots.

`problems(window)` lists what is wrong with the window as it is shown now, in words a failing test
can print. It also runs in a subprocess at another scale factor (``tests/test_layout.py``).
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QRect, QSize
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QLabel,
    QSizePolicy,
    QWidget,
)

from explorer.widgets.callout import ErrorCallout
from explorer.widgets.equation import EquationView
from explorer.widgets.index_plot import IndexPlot
from explorer.widgets.painted_plot import PaintedPlot
from explorer.widgets.plot import MIN_PLOT_SIZE

#: What the issue calls a plot: each must keep MIN_PLOT_SIZE.
PLOT_TYPES = (PaintedPlot, pg.PlotWidget, IndexPlot)
#: The window's largest allowed minimum size (logical pixels).
MAX_MINIMUM = QSize(1024, 600)


def _name(widget: QWidget) -> str:
    text = ""
    if isinstance(widget, QLabel) and not isinstance(widget, EquationView):
        text = " " + repr(widget.text()[:40])
    elif hasattr(widget, "text") and callable(widget.text):
        try:
            text = " " + repr(str(widget.text())[:40])
        except TypeError:
            text = ""
    return f"{type(widget).__name__}{text}"


def _scrolled(widget: QWidget) -> bool:
    """Whether ``widget`` is the viewport of a scroll area (its children may lie outside it)."""
    parent = widget.parentWidget()
    return isinstance(parent, QAbstractScrollArea) and parent.viewport() is widget


def visible_rect(widget: QWidget, window: QWidget) -> QRect:
    """The part of ``widget`` inside every ancestor up to ``window``, in window coordinates."""
    rect = QRect(widget.mapTo(window, widget.rect().topLeft()), widget.size())
    parent = widget.parentWidget()
    while parent is not None and parent is not window:
        rect = rect.intersected(QRect(parent.mapTo(window, parent.rect().topLeft()),
                                      parent.size()))
        parent = parent.parentWidget()
    return rect


def _smart_minimum(widget: QWidget) -> QSize:
    """The least size a layout gives ``widget`` (Qt's qSmartMinSize, for a widget item)."""
    hint, minimum, explicit = widget.sizeHint(), widget.minimumSizeHint(), widget.minimumSize()
    policy = widget.sizePolicy()
    result = []
    for size_hint, min_hint, set_min, pol in (
            (hint.width(), minimum.width(), explicit.width(), policy.horizontalPolicy()),
            (hint.height(), minimum.height(), explicit.height(), policy.verticalPolicy())):
        if set_min > 0:
            result.append(set_min)
        elif pol == QSizePolicy.Policy.Ignored:
            result.append(0)
        elif pol.value & QSizePolicy.PolicyFlag.ShrinkFlag.value:
            result.append(max(min_hint, 0))
        else:
            result.append(max(size_hint, 0))
    return QSize(*result)


def _wrapped_height(label: QLabel) -> int:
    """The height ``label``'s text needs at its width, asked of a plain QLabel like it.

    Not of the label itself: QLabel never reports less than its minimum size.
    """
    probe = QLabel()
    probe.setFont(label.font())
    probe.setTextFormat(label.textFormat())
    probe.setWordWrap(True)
    probe.setContentsMargins(label.contentsMargins())
    probe.setMargin(label.margin())
    probe.setIndent(label.indent())
    probe.setText(label.text())
    needed = probe.heightForWidth(label.width())
    probe.deleteLater()
    return needed


def _shown_widgets(window: QWidget) -> list[QWidget]:
    """Visible widgets, but not error callouts: they float over the page on purpose."""
    return [w for w in window.findChildren(QWidget)
            if w.isVisible() and not w.isWindow() and w.width() > 0 and w.height() > 0
            and not isinstance(w, ErrorCallout) and not visible_rect(w, window).isEmpty()]


def problems(window: QWidget) -> list[str]:
    """Everything wrong with the layout of ``window`` as shown now (empty: all is well)."""
    found = []
    minimum = window.minimumSizeHint().expandedTo(window.minimumSize())
    if minimum.width() > MAX_MINIMUM.width() or minimum.height() > MAX_MINIMUM.height():
        found.append(f"window minimum {minimum.width()} x {minimum.height()} exceeds "
                     f"{MAX_MINIMUM.width()} x {MAX_MINIMUM.height()}")
    shown = _shown_widgets(window)
    for widget in shown:
        # Squeezed below what its layout promises it (text cut, a control unusable).
        need = _smart_minimum(widget)
        parent = widget.parentWidget()
        if (parent is not None and parent.layout() is not None
                and parent.layout().indexOf(widget) >= 0
                and (widget.width() < need.width() or widget.height() < need.height())):
            found.append(f"{_name(widget)} is {widget.width()} x {widget.height()}, "
                         f"less than its minimum {need.width()} x {need.height()}")
        if isinstance(widget, QLabel) and widget.text():
            if widget.wordWrap():
                needed = _wrapped_height(widget)
                if widget.height() < needed:
                    found.append(f"{_name(widget)} is cut: {widget.height()} px tall for "
                                 f"{needed} px of wrapped text")
            else:
                hint = widget.sizeHint()
                if widget.width() < hint.width() or widget.height() < hint.height():
                    found.append(f"{_name(widget)} is cut: {widget.width()} x "
                                 f"{widget.height()} for text of {hint.width()} x "
                                 f"{hint.height()}")
        if isinstance(widget, PLOT_TYPES) and (widget.width() < MIN_PLOT_SIZE[0]
                                               or widget.height() < MIN_PLOT_SIZE[1]):
            found.append(f"plot {_name(widget)} is {widget.width()} x {widget.height()}, "
                         f"under {MIN_PLOT_SIZE[0]} x {MIN_PLOT_SIZE[1]}")
        # A widget may only reach past its parent inside a scroll area's viewport.
        if parent is not None and not _scrolled(parent) and not parent.isWindow():
            inside = QRect(0, 0, parent.width(), parent.height())
            if not inside.contains(widget.geometry()):
                found.append(f"{_name(widget)} at {widget.geometry().getRect()} reaches out of "
                             f"its {_name(parent)} ({parent.width()} x {parent.height()})")
    # A pyqtgraph plot whose items need more room than its widget overflows its own view.
    for view in window.findChildren(pg.GraphicsView):
        if view.isVisible() and view.centralWidget is not None \
                and view.centralWidget.minimumWidth() > view.width() + 1:
            found.append(f"{type(view.centralWidget).__name__} needs "
                         f"{view.centralWidget.minimumWidth()} px in a view of {view.width()}")
    # Leaves (no visible children) must not overlap each other.
    leaves = [w for w in shown
              if not any(c.isVisible() and not c.isWindow() for c in w.findChildren(QWidget))]
    rects = [(w, visible_rect(w, window)) for w in leaves]
    for i, (a, ra) in enumerate(rects):
        for b, rb in rects[i + 1:]:
            overlap = ra.intersected(rb)
            if not overlap.isEmpty():
                found.append(f"{_name(a)} {ra.getRect()} overlaps {_name(b)} {rb.getRect()}")
    return found
