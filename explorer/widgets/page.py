"""The frame every panel is laid out in: a controls column beside scrolled content, checks below.

One frame for all six panels, so the way a page shares a small screen is defined once:

- the **side column** (the explanation, the formulas and the controls) scrolls vertically and is
  exactly as wide as its widest control;
- the **content** (plots, tables, drawings, and the check badges under them) fills the rest of
  the page and scrolls when the page is smaller than the content's minimum size, instead of
  squeezing it;
- the **footer** (a playback bar) stays in view under the content.

Nothing inside a page can raise the window's minimum size: both scroll areas ask for little.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QObject, QSize, Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QTextBrowser,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from explorer.widgets.theme import set_html

#: What a scrolled area asks of the window: enough to show a little and its scroll bars.
_SCROLL_MIN = QSize(120, 90)
#: The controls column is at least this many average characters wide, so that every panel's
#: column has the same width unless its controls need more.
_SIDE_CHARACTERS = 56


class FittedScroll(QScrollArea):
    """Shows its widget at the scroll area's size, or at the widget's minimum where that is more.

    Unlike ``widgetResizable``, which lays out a widget holding word-wrapped text at its
    preferred height (and then scrolls whatever that is), the widget shrinks to its minimum
    before a scroll bar appears: plots give up height before anything scrolls out of view.
    Wrapped text in a page is a :class:`WrappedLabel`, whose minimum is the height it needs.
    """

    def __init__(self, widget: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidget(widget)
        self.setFrameShape(QFrame.Shape.NoFrame)
        # Tab goes to the controls inside, and the area scrolls to show the one with focus.
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        widget.installEventFilter(self)

    def _fit(self) -> None:
        widget = self.widget()
        least = widget.minimumSizeHint().expandedTo(widget.minimumSize())
        room = self.maximumViewportSize()  # without scroll bars
        if least.height() > room.height():  # a vertical bar takes some width
            room.setWidth(room.width() - self.verticalScrollBar().sizeHint().width())
        if least.width() > room.width():  # a horizontal bar takes some height
            room.setHeight(room.height() - self.horizontalScrollBar().sizeHint().height())
        widget.resize(room.expandedTo(least))

    def resizeEvent(self, event) -> None:  # noqa: D102 - Qt override
        super().resizeEvent(event)
        self._fit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: D102 - Qt override
        if watched is self.widget() and event.type() == QEvent.Type.LayoutRequest:
            self._fit()  # its minimum may have changed
        return super().eventFilter(watched, event)


class SideScroll(FittedScroll):
    """A vertically scrolling column that is as wide as the widest thing in it.

    Its width follows its widget's minimum width (a CNN layer row added, a formula typeset), so
    nothing in the column is ever clipped on the right, and it never scrolls sideways.
    """

    def __init__(self, column: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(column, parent)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._shown_width = self._width()

    def _fit(self) -> None:
        width = self._width()
        if width != self._shown_width:  # the splitter gives the column its new width
            self._shown_width = width
            self.updateGeometry()
        super()._fit()

    def _width(self) -> int:
        column = self.widget()
        return (max(column.minimumSizeHint().width(), column.minimumWidth())
                + 2 * self.frameWidth() + self.verticalScrollBar().sizeHint().width())

    def minimumSizeHint(self) -> QSize:  # noqa: D102 - Qt override
        return QSize(self._width(), _SCROLL_MIN.height())

    def sizeHint(self) -> QSize:  # noqa: D102 - Qt override
        return QSize(self._width(), self.widget().sizeHint().height())


class ContentScroll(FittedScroll):
    """The page's plots: they fill the room there is, and scroll when there is too little."""

    def minimumSizeHint(self) -> QSize:  # noqa: D102 - Qt override
        return _SCROLL_MIN

    def sizeHint(self) -> QSize:  # noqa: D102 - Qt override
        return self.widget().sizeHint()


def fixed_text(parent: QWidget, height: int) -> QTextBrowser:
    """A frameless read-only rich-text box of fixed height, for text that changes with the state.

    Unlike a word-wrapped QLabel, its size never depends on its text, so a new text costs no
    relayout of the panel (about 10 ms for a word-wrapped rich-text label). Text longer than
    the box scrolls.
    """
    box = QTextBrowser(parent)
    box.setFrameShape(QFrame.Shape.NoFrame)
    box.setFixedHeight(height)
    box.setOpenLinks(False)
    box.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    return box


class WrappedLabel(QLabel):
    """A word-wrapped label that asks for the height its text needs at its present width.

    A plain word-wrapped QLabel has a height-for-width, and a layout holding one reports its
    *preferred* height as the least it can take: the whole page would then scroll at its
    preferred size. This label has no height-for-width; its size hints follow its width instead.

    Parameters
    ----------
    text : str
        The text (rich text is detected as QLabel does).
    lines : int
        Never shorter than this many lines, so a text one line longer does not move the page.
    """

    def __init__(self, text: str = "", parent: QWidget | None = None, lines: int = 1) -> None:
        super().__init__(text, parent)
        self._lines = lines
        self._needed = 0
        self.setWordWrap(True)
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self._fit()

    def hasHeightForWidth(self) -> bool:  # noqa: D102 - Qt override
        return False

    def minimumSizeHint(self) -> QSize:  # noqa: D102 - Qt override
        return QSize(super().minimumSizeHint().width(), self._needed)

    def sizeHint(self) -> QSize:  # noqa: D102 - Qt override
        return QSize(super().sizeHint().width(), self._needed)

    def setText(self, text: str) -> None:  # noqa: D102 - Qt override, refits the height
        super().setText(text)
        self._fit()

    def resizeEvent(self, event) -> None:  # noqa: D102 - Qt override
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        margins = self.contentsMargins()
        needed = max(super().heightForWidth(max(1, self.width())),
                     self._lines * self.fontMetrics().lineSpacing()
                     + margins.top() + margins.bottom())
        if needed != self._needed:
            self._needed = needed
            self.updateGeometry()


class Explanation(QWidget):
    """The panel's explanation under a header that folds it away (the setting is app-wide)."""

    #: Emitted with the new state when the student folds or unfolds the explanation.
    toggled = Signal(bool)

    def __init__(self, html: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._expanded = True
        self.header = QToolButton(self)
        self.header.setText("Explanation")
        self.header.setAutoRaise(True)
        self.header.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.header.setArrowType(Qt.ArrowType.DownArrow)
        self.header.setToolTip("Fold the explanation away to give the controls more room "
                               "(F1 opens it in a window of its own)")
        self.browser = QTextBrowser(self)
        set_html(self.browser, html)
        self.browser.setOpenExternalLinks(False)
        # About six lines: enough to read a paragraph; the rest of the column's height is its.
        self.browser.setMinimumHeight(6 * self.fontMetrics().lineSpacing())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.header)
        layout.addWidget(self.browser, 1)
        self.header.clicked.connect(self._header_clicked)

    def is_expanded(self) -> bool:
        """Whether the text shows."""
        return self._expanded

    def set_expanded(self, expanded: bool) -> None:
        """Show or fold the text (without emitting :attr:`toggled`)."""
        self._expanded = expanded
        self.header.setArrowType(Qt.ArrowType.DownArrow if expanded else Qt.ArrowType.RightArrow)
        self.browser.setVisible(expanded)
        # Folded, the header alone must not take the column's spare height.
        vertical = QSizePolicy.Policy.Expanding if expanded else QSizePolicy.Policy.Fixed
        self.setSizePolicy(QSizePolicy.Policy.Preferred, vertical)

    def _header_clicked(self) -> None:
        self.set_expanded(not self._expanded)
        self.toggled.emit(self._expanded)


class Page:
    """Lays a panel out: controls column | content and checks, with a footer under them.

    Parameters
    ----------
    panel : QWidget
        The panel; the page becomes its layout.
    explanation : str
        HTML shown at the top of the column, foldable.
    side : sequence of QWidget
        The column under the explanation, top to bottom: formulas, then groups of controls.
    content : QWidget
        The plots. Its layout's minimum size is the least it is shown at; below that it scrolls.
    checks : QWidget
        The check badges, under the content and scrolled with it: on a small screen the plots
        have the room, and the status bar sums the checks up.
    footer : sequence of QWidget
        Always in view under the content (a playback bar).
    """

    def __init__(self, panel: QWidget, *, explanation: str, side: Sequence[QWidget],
                 content: QWidget, checks: QWidget, footer: Sequence[QWidget] = ()) -> None:
        column = QWidget(panel)
        column_layout = QVBoxLayout(column)
        column_layout.setContentsMargins(4, 4, 4, 4)
        column.setMinimumWidth(_SIDE_CHARACTERS * column.fontMetrics().averageCharWidth())
        self.explanation = Explanation(explanation, column)
        column_layout.addWidget(self.explanation, 1)
        for widget in side:
            column_layout.addWidget(widget)
        # Takes the spare height only while the explanation is folded (then it is Fixed).
        column_layout.addStretch(0)
        self.side = SideScroll(column, panel)

        scrolled = QWidget(panel)
        scrolled_layout = QVBoxLayout(scrolled)
        scrolled_layout.setContentsMargins(0, 0, 0, 0)
        scrolled_layout.addWidget(content, 1)
        scrolled_layout.addWidget(checks)
        self.content = ContentScroll(scrolled, panel)
        right = QWidget(panel)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.content, 1)
        for widget in footer:
            right_layout.addWidget(widget)

        self.splitter = QSplitter(Qt.Orientation.Horizontal, panel)
        self.splitter.addWidget(self.side)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.splitter)
