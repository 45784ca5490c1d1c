"""A labelled matrix typed as rows of numbers, rejecting bad text with an inline message."""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from explorer.widgets.number_input import InlineError, parse_number

_MATRIX_ERROR_STYLE = "QPlainTextEdit { border: 1px solid #c0392b; background: #fff3f2; }"
_ROWS = re.compile(r"\s*(?:;|\n|\]\s*,?\s*\[)\s*")
_ENTRIES = re.compile(r"[\s,]+")


def parse_matrix(text: str) -> np.ndarray:
    r"""Parse rows of numbers (rows on lines or split by ``;``), or raise ValueError.

    ``"1 2; 3 4"``, ``"1, 2\n3, 4"`` and ``"[[1, 2], [3, 4]]"`` all give ``[[1, 2], [3, 4]]``.
    """
    body = text.strip().strip("[]").strip()
    if not body:
        raise ValueError("empty: type rows of numbers, e.g. 1 2; 3 4")
    rows = [row.strip("[], ") for row in _ROWS.split(body)]
    rows = [row for row in rows if row]
    values: list[list[float]] = []
    for r, row in enumerate(rows, start=1):
        entries = [e for e in _ENTRIES.split(row) if e]
        parsed = []
        for c, entry in enumerate(entries, start=1):
            try:
                parsed.append(parse_number(entry))
            except ValueError as exc:
                raise ValueError(f"row {r}, entry {c}: {exc}") from None
        if values and len(parsed) != len(values[0]):
            count = f"{len(parsed)} number" + ("" if len(parsed) == 1 else "s")
            raise ValueError(f"row {r} has {count} but row 1 has {len(values[0])}: every row "
                             "needs the same count")
        values.append(parsed)
    return np.array(values, dtype=np.float64)


def format_matrix(values: np.ndarray) -> str:
    """One line per row, numbers separated by spaces (what :func:`parse_matrix` reads back)."""
    array = np.atleast_2d(np.asarray(values, dtype=np.float64))
    return "\n".join(" ".join(f"{v:g}" for v in row) for row in array)


class _MatrixEdit(QPlainTextEdit):
    """A plain-text field that reports when the user is done: focus leaves or Ctrl+Enter."""

    committed = Signal()

    def keyPressEvent(self, event) -> None:  # noqa: D102 - Qt override
        if (event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
                and event.modifiers() & Qt.KeyboardModifier.ControlModifier):
            self.committed.emit()
            return
        super().keyPressEvent(event)

    def focusOutEvent(self, event) -> None:  # noqa: D102 - Qt override
        super().focusOutEvent(event)
        self.committed.emit()


class MatrixInput(InlineError, QWidget):
    """A labelled matrix editor; bad text shows a message and the last valid matrix stays.

    Parameters
    ----------
    label : str
        Shown above the field.
    value : (r, c) array
        Initial matrix.
    lines : int
        Height of the field in text lines.
    validate : callable, optional
        Raises ValueError with a message for a matrix that is not allowed.
    """

    _error_style = _MATRIX_ERROR_STYLE

    valueChanged = Signal(object)

    def __init__(self, label: str, value: np.ndarray, *, tooltip: str = "", lines: int = 5,
                 validate: Callable[[np.ndarray], None] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        tooltip = tooltip or "One row per line (or rows split by ;), numbers split by spaces"
        self._validate = validate
        self._label = QLabel(label, self)
        self._edit = _MatrixEdit(self)
        self._edit.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self._edit.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self._edit.setTabChangesFocus(True)
        margins = 2 * self._edit.frameWidth() + 10
        self._edit.setFixedHeight(self._edit.fontMetrics().lineSpacing() * lines + margins)
        self._edit.setToolTip(tooltip + " — Ctrl+Enter or leaving the field applies it")
        self._label.setToolTip(tooltip)
        self._label.setBuddy(self._edit)
        self._make_callout()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self._label)
        layout.addWidget(self._edit)
        self._value = np.array(value, dtype=np.float64)
        self.set_value(self._value)
        self._edit.committed.connect(self.commit)

    def text_edit(self) -> QPlainTextEdit:
        """The text field (tests type into it)."""
        return self._edit

    def value(self) -> np.ndarray:
        """The last valid matrix (a copy)."""
        return self._value.copy()

    def set_value(self, value: np.ndarray) -> None:
        """Show ``value`` without emitting."""
        self._value = self._in_use = np.array(value, dtype=np.float64)
        text = format_matrix(self._value)
        if self._edit.toPlainText() != text:
            with QSignalBlocker(self._edit):
                self._edit.setPlainText(text)
        self.clear_error()

    def commit(self) -> None:
        """Parse the text; emit :attr:`valueChanged` if it is a new valid matrix."""
        try:
            value = parse_matrix(self._edit.toPlainText())
            if self._validate is not None:
                self._validate(value)
        except ValueError as exc:
            self.show_error(str(exc))
            return
        self._submit(value)
