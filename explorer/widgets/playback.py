"""Play / pause, step, scrub and speed controls for an animated panel."""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QSlider,
    QStyle,
    QToolButton,
    QWidget,
)

from explorer.widgets.theme import current_theme, theme_signals, tinted_icon

SPEEDS = {"0.5 steps/s": 2000, "1 step/s": 1000, "2 steps/s": 500, "4 steps/s": 250,
          "10 steps/s": 100, "30 steps/s": 33, "60 steps/s": 16}


class PlaybackBar(QWidget):
    """Controls for a sequence of ``count`` frames; owns the timer that drives ``advance``.

    The owning panel connects :attr:`advanceRequested` to its ``advance()`` and
    :attr:`positionChanged` to its frame setter. The bar never changes the panel's state itself.
    """

    advanceRequested = Signal()
    positionChanged = Signal(int)

    def __init__(self, parent: QWidget | None = None, speed: str = "2 steps/s",
                 fixed_label: bool = False, first: int = 1) -> None:
        super().__init__(parent)
        # Number the label gives the first frame: 1 for "step 1 of n", 0 when frame k is the
        # state after k steps (so the last reads "step n / n", not n + 1).
        self._first = first
        # A label whose size may change re-lays out the whole panel on every frame (about 1 ms
        # at 1280 x 800); with ``fixed_label`` its size is set once per count instead.
        self._fixed_label = fixed_label
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.advanceRequested)
        self._icons: dict[QToolButton, QStyle.StandardPixmap] = {}
        icons = QStyle.StandardPixmap
        self._play = self._button(icons.SP_MediaPlay, "Play / pause (Space)", self.toggle)
        self._home = self._button(icons.SP_MediaSkipBackward, "First step (Home)", self.go_first)
        self._back = self._button(icons.SP_MediaSeekBackward, "Step back (←)", self.step_back)
        self._forward = self._button(icons.SP_MediaSeekForward, "Step forward (→)",
                                     self.step_forward)
        self._end = self._button(icons.SP_MediaSkipForward, "Last step (End)", self.go_last)
        self._scrub = QSlider(Qt.Orientation.Horizontal, self)
        self._scrub.setToolTip("Drag to any step")
        self._scrub.setAccessibleName("Animation step")
        # Wide enough to drag through the steps, however narrow the window.
        self._scrub.setMinimumWidth(10 * self._scrub.fontMetrics().averageCharWidth())
        self._scrub.valueChanged.connect(self.positionChanged)
        self._label = QLabel(self)
        self._label.setMinimumWidth(90)
        self._speed = QComboBox(self)
        self._speed.addItems(list(SPEEDS))
        self._speed.setCurrentText(speed)
        self._speed.setToolTip("Animation speed")
        self._speed.setAccessibleName("Animation speed")
        self._speed.currentTextChanged.connect(self._speed_changed)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for w in (self._home, self._back, self._play, self._forward, self._end):
            layout.addWidget(w)
        layout.addWidget(self._scrub, 1)
        layout.addWidget(self._label)
        layout.addWidget(self._speed)
        self._speed_changed(speed)
        self.set_count(1)
        theme_signals().changed.connect(self._theme_changed)

    def _button(self, icon: QStyle.StandardPixmap, tip: str, slot) -> QToolButton:
        button = QToolButton(self)
        self._icons[button] = icon
        button.setToolTip(tip)
        button.setAccessibleName(tip.split(" (")[0])  # "Step back (←)": "Step back"
        button.setAutoRaise(False)
        button.clicked.connect(slot)
        self._paint_icon(button)
        return button

    def _set_icon(self, button: QToolButton, icon: QStyle.StandardPixmap) -> None:
        self._icons[button] = icon
        self._paint_icon(button)

    def _paint_icon(self, button: QToolButton) -> None:
        # In the theme's text colour: the style's own icons are black, lost on a dark button.
        button.setIcon(tinted_icon(self.style().standardIcon(self._icons[button]),
                                   current_theme().qcolor("text"), button.iconSize()))

    def _theme_changed(self, _theme: object) -> None:
        for button in self._icons:
            self._paint_icon(button)

    # -- state shown -----------------------------------------------------------------------
    def set_count(self, count: int) -> None:
        """Number of frames (>= 1)."""
        with QSignalBlocker(self._scrub):
            self._scrub.setRange(0, max(0, count - 1))
        if self._fixed_label:
            last = max(1, count) - 1 + self._first
            widest = f"step {last} / {last}"
            width = max(90, self._label.fontMetrics().horizontalAdvance(widest) + 8)
            if self._label.width() != width or self._label.minimumWidth() != width:
                self._label.setFixedSize(width, self._label.sizeHint().height())
        self._update_label()

    def count(self) -> int:
        """Number of frames."""
        return self._scrub.maximum() + 1

    def set_position(self, position: int) -> None:
        """Show ``position`` without emitting."""
        with QSignalBlocker(self._scrub):
            self._scrub.setValue(position)
        self._update_label()

    def position(self) -> int:
        """The frame shown."""
        return self._scrub.value()

    def _update_label(self) -> None:
        self._label.setText(f"step {self._scrub.value() + self._first} / "
                            f"{self._scrub.maximum() + self._first}")

    def label_text(self) -> str:
        """The step counter as shown."""
        return self._label.text()

    # -- actions ---------------------------------------------------------------------------
    def is_playing(self) -> bool:
        """Whether the timer runs."""
        return self._timer.isActive()

    def play(self) -> None:
        """Start the timer."""
        self._timer.start()
        self._set_icon(self._play, QStyle.StandardPixmap.SP_MediaPause)

    def pause(self) -> None:
        """Stop the timer."""
        self._timer.stop()
        self._set_icon(self._play, QStyle.StandardPixmap.SP_MediaPlay)

    def toggle(self) -> None:
        """Play or pause."""
        self.pause() if self.is_playing() else self.play()

    def _jump(self, position: int) -> None:
        position = min(max(position, 0), self._scrub.maximum())
        if position != self._scrub.value():
            self._scrub.setValue(position)  # emits positionChanged
        self._update_label()

    def step_forward(self) -> None:
        """One frame forward."""
        self._jump(self._scrub.value() + 1)

    def step_back(self) -> None:
        """One frame back."""
        self._jump(self._scrub.value() - 1)

    def go_first(self) -> None:
        """First frame."""
        self._jump(0)

    def go_last(self) -> None:
        """Last frame."""
        self._jump(self._scrub.maximum())

    def seek(self, position: int) -> None:
        """Go to frame ``position`` (clamped to the range) as dragging the slider there would.

        Emits :attr:`positionChanged` when the frame changes, so the owning panel shows it.
        """
        self._jump(int(position))

    def handle_key(self, event) -> bool:
        """Space, ←, →, Home, End as the buttons; the owning panel forwards its key presses.

        Returns whether the key was one of them (and has been acted on).
        """
        actions = {
            Qt.Key.Key_Space: self.toggle,
            Qt.Key.Key_Left: self.step_back,
            Qt.Key.Key_Right: self.step_forward,
            Qt.Key.Key_Home: self.go_first,
            Qt.Key.Key_End: self.go_last,
        }
        action = actions.get(event.key())
        if action is None or event.modifiers() not in (Qt.KeyboardModifier.NoModifier,
                                                       Qt.KeyboardModifier.KeypadModifier):
            return False
        action()
        event.accept()
        return True

    def _speed_changed(self, text: str) -> None:
        self._timer.setInterval(SPEEDS.get(text, 500))

    def timer(self) -> QTimer:
        """The timer (tests check it stops)."""
        return self._timer

    def hideEvent(self, event) -> None:  # noqa: D102 - Qt override
        # A hidden animation has nobody to show it to: stop spending frames on it.
        self.pause()
        super().hideEvent(event)
