"""Labelled inputs for a number or a vector that reject bad text with an inline message."""

from __future__ import annotations

import math
import re
from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import QGridLayout, QLabel, QLineEdit, QSlider, QWidget

from explorer.views.text import format_vector
from explorer.widgets.callout import ErrorCallout
from explorer.widgets.theme import set_style_sheet

_ERROR_STYLE = "QLineEdit { border: 1px solid #c0392b; background: #fff3f2; }"
_SEPARATORS = re.compile(r"[\s,;]+")


def parse_number(text: str) -> float:
    """Parse one finite number, or raise ValueError with a message a student can act on.

    Every message says what is wrong, then what to type instead (the app's one voice).
    """
    text = text.strip()
    if not text:
        raise ValueError("empty: type a number")
    shown = f"'{text[:20]}'"
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{shown} is not a number: type one such as 0.25 or -1e-3") from None
    if math.isnan(value):
        raise ValueError(f"{shown} is not a number: type a finite one such as 0.25")
    if math.isinf(value):
        if "inf" in text.lower():
            raise ValueError(f"{shown} is not finite: type a number of at most ±1.8e308")
        raise ValueError(f"{shown} is too large: numbers reach at most ±1.8e308")
    return value


def parse_vector(text: str) -> np.ndarray:
    """Parse numbers separated by commas or spaces (brackets allowed), or raise ValueError."""
    body = text.strip().strip("[]()").strip()
    if not body:
        raise ValueError("empty: type at least one number, e.g. 1, 2, 3")
    parts = [p for p in _SEPARATORS.split(body) if p]
    values = []
    for i, part in enumerate(parts, start=1):
        try:
            values.append(parse_number(part))
        except ValueError as exc:
            raise ValueError(f"entry {i}: {exc}") from None
    return np.array(values, dtype=np.float64)


class InlineError:
    """The error message every text control shows under its field; needs ``_edit``.

    The message is an :class:`~explorer.widgets.callout.ErrorCallout`: it floats under the
    field without moving the controls below. Subclasses set ``_error_style``, the style sheet
    that marks their kind of field invalid.
    """

    _error_style = _ERROR_STYLE

    def _make_callout(self) -> None:
        self._error = ErrorCallout(self._edit)

    def error(self) -> str:
        """The message showing, or "" when the text is valid."""
        return self._error.message()

    def show_error(self, message: str) -> None:
        """Mark the field invalid with ``message`` (the panel keeps its last valid state)."""
        self._refused = True
        self._error.show_message(message)
        set_style_sheet(self._edit, self._error_style)

    def _submit(self, value) -> None:
        """A value typed (or slid) that the field accepts: offer it unless it is in use."""
        self._clear_message()
        if np.shape(value) == np.shape(self._in_use) and np.array_equal(value, self._in_use):
            self._value = value
        else:
            self._offer(value)

    def _offer(self, value) -> None:
        """Make ``value`` the field's value and emit it; note whether the panel refused it.

        A panel refuses a value by calling :meth:`show_error` while it handles the signal. The
        text then stays as typed, beside the message, and stays the field's :meth:`value`: an
        edit elsewhere that makes it acceptable (a smaller kernel, another mode) applies it.
        What shows a value in use (a slider) stays on the one the panel kept.
        """
        kept, self._value = self._in_use, value
        self._refused = False
        self._in_use = value
        self._value_shown()
        self.valueChanged.emit(value.copy() if isinstance(value, np.ndarray) else value)
        if self._refused:
            self._in_use = kept
            self._value_shown()

    def _value_shown(self) -> None:
        """Called when the value in use changed; a slider follows it."""

    def clear_error(self) -> None:
        """Mark the field valid: the panel now uses the value it holds."""
        if self._clear_message():
            self._in_use = self._value
            self._value_shown()

    def _clear_message(self) -> bool:
        """Take the message and the invalid style away; whether there was a message."""
        if not self._error.message():
            return False
        self._error.clear()
        set_style_sheet(self._edit, "")
        return True


class _ValidatedLine(InlineError, QWidget):
    """Label, line edit and an error line under it; subclasses parse the text."""

    def __init__(self, label: str, tooltip: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self._label = QLabel(label, self)
        self._edit = QLineEdit(self)
        # The height of a plain field: the error style's border would otherwise change it, and
        # move every control below.
        self._edit.setFixedHeight(self._edit.sizeHint().height())
        self._make_callout()
        self._label.setBuddy(self._edit)
        self._edit.setToolTip(tooltip)
        self._label.setToolTip(tooltip)
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setHorizontalSpacing(6)
        self._grid.setVerticalSpacing(2)
        self._grid.addWidget(self._label, 0, 0)
        self._grid.addWidget(self._edit, 0, 1)
        self._grid.setColumnStretch(1, 1)
        self._edit.editingFinished.connect(self._commit)

    def line_edit(self) -> QLineEdit:
        """The text field (tests type into it)."""
        return self._edit

    def _commit(self) -> None:
        raise NotImplementedError


class NumberInput(_ValidatedLine):
    """A labelled number with an optional slider; bad text shows a message, never a clamp.

    Parameters
    ----------
    label : str
        Shown to the left (an ``&`` marks the keyboard mnemonic).
    value : float
        Initial value.
    validate : callable, optional
        Raises ValueError with a message for a number that is not allowed (e.g. out of range).
    slider : (low, high), optional
        Adds a slider over this range; typed values outside it are accepted if ``validate``
        accepts them (the slider then rests at its end).
    """

    valueChanged = Signal(float)
    _STEPS = 1000

    def __init__(self, label: str, value: float, *, tooltip: str = "",
                 validate: Callable[[float], None] | None = None,
                 slider: tuple[float, float] | None = None, decimals: int = 3,
                 parent: QWidget | None = None) -> None:
        super().__init__(label, tooltip, parent)
        self._validate = validate
        self._decimals = decimals
        self._value = float(value)
        self._range = slider
        self._slider: QSlider | None = None
        if slider is not None:
            self._slider = QSlider(Qt.Orientation.Horizontal, self)
            self._slider.setRange(0, self._STEPS)
            self._slider.setToolTip(tooltip)
            self._slider.setAccessibleName(label.replace("&", ""))
            self._slider.valueChanged.connect(self._slider_moved)
            self._grid.addWidget(self._slider, 0, 2)
            self._grid.setColumnStretch(2, 3)
            self._edit.setMaximumWidth(90)
        self.set_value(value)

    def value(self) -> float:
        """The last valid value."""
        return self._value

    def slider(self) -> QSlider | None:
        """The slider, if any."""
        return self._slider

    def set_slider_range(self, low: float, high: float) -> None:
        """Move the slider's ends (the typed value is not touched)."""
        self._range = (low, high)
        self._sync_slider()

    def set_value(self, value: float) -> None:
        """Show ``value`` without emitting (the panel sets its own controls this way)."""
        self._value = self._in_use = float(value)
        with QSignalBlocker(self._edit):
            self._edit.setText(self._format(self._value))
        self._sync_slider()
        self.clear_error()

    def _format(self, value: float) -> str:
        if not np.isfinite(value) or abs(value) >= 1e15 or (value != 0 and abs(value) < 1e-4):
            return f"{value:g}"
        text = f"{value:.{self._decimals}f}"
        return text.rstrip("0").rstrip(".") if "." in text else text

    def _sync_slider(self) -> None:
        if self._slider is None or self._range is None:
            return
        low, high = self._range
        # Clamp the fraction, not the position: (1e308 - low) / (high - low) overflows to inf.
        with np.errstate(over="ignore", invalid="ignore"):
            fraction = (np.float64(self._in_use) - low) / (high - low)
        fraction = min(max(float(np.nan_to_num(fraction, nan=0.0)), 0.0), 1.0)
        with QSignalBlocker(self._slider):
            self._slider.setValue(round(fraction * self._STEPS))

    def _value_shown(self) -> None:
        self._sync_slider()

    def _accept(self, value: float) -> None:
        if self._validate is not None:
            try:
                self._validate(value)
            except ValueError as exc:
                self.show_error(str(exc))
                self._sync_slider()  # a dragged slider goes back to the value in use
                return
        self._submit(value)

    def _commit(self) -> None:
        try:
            value = parse_number(self._edit.text())
        except ValueError as exc:
            self.show_error(str(exc))
            return
        self._accept(value)

    def _slider_moved(self, position: int) -> None:
        low, high = self._range
        value = low + (high - low) * position / self._STEPS
        value = round(value, self._decimals)
        with QSignalBlocker(self._edit):
            self._edit.setText(self._format(value))
        self._accept(value)


class VectorInput(_ValidatedLine):
    """A labelled vector typed as numbers separated by commas or spaces."""

    valueChanged = Signal(object)

    def __init__(self, label: str, value: np.ndarray, *, tooltip: str = "",
                 validate: Callable[[np.ndarray], None] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(label, tooltip or "Numbers separated by commas or spaces", parent)
        self._validate = validate
        self._value = np.array(value, dtype=np.float64)
        self.set_value(self._value)

    def value(self) -> np.ndarray:
        """The last valid vector (a copy)."""
        return self._value.copy()

    def set_value(self, value: np.ndarray) -> None:
        """Show ``value`` without emitting."""
        self._value = self._in_use = np.array(value, dtype=np.float64)
        with QSignalBlocker(self._edit):
            self._edit.setText(format_vector(self._value))
        self.clear_error()

    def _commit(self) -> None:
        try:
            value = parse_vector(self._edit.text())
        except ValueError as exc:
            message = str(exc)
            if self._validate is not None and not self._edit.text().strip("[]() \t"):
                # Empty: the field's own rule says what to type ("type 2 to 10 logits"), as
                # it does for a vector of the wrong length.
                try:
                    self._validate(np.zeros(0))
                except ValueError as rule:
                    message = str(rule)
            self.show_error(message)
            return
        try:
            if self._validate is not None:
                self._validate(value)
        except ValueError as exc:
            self.show_error(str(exc))
            return
        self._submit(value)
