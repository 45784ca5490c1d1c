"""One editable row of a layer stack: kind, size settings, move and remove buttons, a message."""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QToolButton,
    QWidget,
)

from explorer.widgets.callout import ErrorCallout
from explorer.widgets.number_input import parse_number
from explorer.widgets.theme import set_style_sheet

KINDS = {"conv": "Conv2d", "maxpool": "MaxPool2d", "relu": "ReLU"}

#: field name -> (short label, tooltip, kinds that have it)
FIELDS = {
    "out_channels": ("out", "Number of kernels = channels of this layer's output", ("conv",)),
    "kernel_size": ("kernel", "Side k of the square window (k × k)", ("conv", "maxpool")),
    "stride": ("stride", "Step between window positions; for a max-pool, empty means the same "
               "as the window (non-overlapping)", ("conv", "maxpool")),
    "padding": ("pad", "Rows and columns of zeros added on every border", ("conv",)),
    "dilation": ("dil", "Spacing between kernel taps (1 = a plain k × k kernel)", ("conv",)),
}

_ERROR_FRAME = "LayerRow { border: 1px solid #c0392b; border-radius: 4px; background: #fff6f5; }"
_PLAIN_FRAME = "LayerRow { border: 1px solid #c9d1d9; border-radius: 4px; }"


def _format(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class LayerRow(QFrame):
    """Edit one layer; emits plain values, the panel builds the model's layer from them.

    Signals
    -------
    edited(index, values)
        ``values`` is a dict with ``kind`` and the numbers typed (ints when whole, floats
        otherwise, ``None`` for an empty max-pool stride); text that is not a number shows a
        message here and emits nothing.
    kindChanged(index, kind), moveRequested(index, step), removeRequested(index)
    """

    edited = Signal(int, object)
    kindChanged = Signal(int, str)
    moveRequested = Signal(int, int)
    removeRequested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("LayerRow")
        set_style_sheet(self, _PLAIN_FRAME)
        self._index = 0
        self._kind = "conv"
        self._error_shown = False
        self._number = QLabel("1", self)
        self._number.setMinimumWidth(14)
        self._number.setToolTip("Position of the layer in the stack")
        self._kind_box = QComboBox(self)
        for kind, name in KINDS.items():
            self._kind_box.addItem(name, kind)
        self._kind_box.setToolTip("Kind of layer: convolution, max-pool or ReLU")
        self._bias = QCheckBox("bias", self)
        self._bias.setToolTip("Add one learned bias per output channel")
        self._edits: dict[str, QLineEdit] = {}
        self._labels: dict[str, QLabel] = {}
        for name, (short, tip, _) in FIELDS.items():
            edit = QLineEdit(self)
            edit.setFixedWidth(38)
            edit.setAlignment(Qt.AlignmentFlag.AlignRight)
            edit.setToolTip(tip)
            label = QLabel(short, self)
            label.setToolTip(tip)
            label.setBuddy(edit)
            edit.editingFinished.connect(self.commit)
            self._edits[name] = edit
            self._labels[name] = label
        self._edits["stride"].setPlaceholderText("= k")
        self._up = self._tool("▲", "Move this layer up (earlier in the stack)")
        self._down = self._tool("▼", "Move this layer down (later in the stack)")
        self._remove = self._tool("✕", "Remove this layer")
        self._message = ErrorCallout(self)

        top = QHBoxLayout()
        top.setSpacing(4)
        top.addWidget(self._number)
        top.addWidget(self._kind_box)
        top.addWidget(self._labels["out_channels"])
        top.addWidget(self._edits["out_channels"])
        top.addWidget(self._bias)
        top.addStretch(1)
        for button in (self._up, self._down, self._remove):
            top.addWidget(button)
        self._settings = QWidget(self)
        second = QHBoxLayout(self._settings)
        second.setContentsMargins(18, 0, 0, 0)
        second.setSpacing(4)
        for name in ("kernel_size", "stride", "padding", "dilation"):
            second.addWidget(self._labels[name])
            second.addWidget(self._edits[name])
            second.addSpacing(2)
        second.addStretch(1)
        grid = QGridLayout(self)
        grid.setContentsMargins(6, 4, 6, 4)
        grid.setVerticalSpacing(3)
        grid.addLayout(top, 0, 0)
        grid.addWidget(self._settings, 1, 0)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)

        self._kind_box.currentIndexChanged.connect(self._kind_picked)
        self._bias.toggled.connect(self._bias_toggled)
        self._up.clicked.connect(self._move_up)
        self._down.clicked.connect(self._move_down)
        self._remove.clicked.connect(self._remove_clicked)

    def _tool(self, text: str, tip: str) -> QToolButton:
        button = QToolButton(self)
        button.setText(text)
        button.setToolTip(tip)
        button.setAutoRaise(True)
        button.setFixedWidth(22)
        return button

    # -- panel -> row (never emits) ----------------------------------------------------------
    def set_layer(self, index: int, count: int, kind: str, values: dict[str, object]) -> None:
        """Show layer ``index`` of ``count`` with its ``values`` (field name -> number)."""
        if index != self._index or not self._kind_box.accessibleName():
            self._name_controls(index + 1)
        self._index = index
        self._number.setText(str(index + 1))
        self._up.setEnabled(index > 0)
        self._down.setEnabled(index < count - 1)
        if kind != self._kind or self._kind_box.currentData() != kind:
            self._kind = kind
            with QSignalBlocker(self._kind_box):
                self._kind_box.setCurrentIndex(list(KINDS).index(kind))
            self._show_fields()
        for name, edit in self._edits.items():
            text = _format(values.get(name))
            if edit.text() != text:
                with QSignalBlocker(edit):
                    edit.setText(text)
        # An empty max-pool stride is the window's size: say which number that is.
        self._edits["stride"].setPlaceholderText(f"= k ({_format(values.get('kernel_size'))})")
        with QSignalBlocker(self._bias):
            self._bias.setChecked(bool(values.get("bias", False)))

    def _name_controls(self, number: int) -> None:
        """Names a screen reader speaks: which layer, and what each control does to it."""
        self._kind_box.setAccessibleName(f"Layer {number} kind")
        self._bias.setAccessibleName(f"Layer {number} bias")
        for name, (short, _, _) in FIELDS.items():
            self._edits[name].setAccessibleName(f"Layer {number} {short}")
        for button, action in ((self._up, "up"), (self._down, "down")):
            button.setAccessibleName(f"Move layer {number} {action}")
        self._remove.setAccessibleName(f"Remove layer {number}")

    def _show_fields(self) -> None:
        for name, (_, _, kinds) in FIELDS.items():
            shown = self._kind in kinds
            self._edits[name].setVisible(shown)
            self._labels[name].setVisible(shown)
        self._bias.setVisible(self._kind == "conv")
        self._settings.setVisible(self._kind != "relu")

    def show_error(self, message: str) -> None:
        """Mark the row bad with ``message``."""
        if self._message.message() != message:
            self._message.show_message(message)
        if not self._error_shown:
            self._error_shown = True
            set_style_sheet(self, _ERROR_FRAME)

    def clear_error(self) -> None:
        """Mark the row fine."""
        if self._error_shown:
            self._error_shown = False
            self._message.clear()
            set_style_sheet(self, _PLAIN_FRAME)

    def error(self) -> str:
        """The message showing, or ""."""
        return self._message.message()

    # -- tests and the bench drive the row through these ------------------------------------
    def line_edit(self, name: str) -> QLineEdit:
        """The text field of ``name`` (a key of :data:`FIELDS`)."""
        return self._edits[name]

    def kind_box(self) -> QComboBox:
        """The kind selector."""
        return self._kind_box

    def bias_box(self) -> QCheckBox:
        """The bias tick box."""
        return self._bias

    def buttons(self) -> tuple[QToolButton, QToolButton, QToolButton]:
        """The up, down and remove buttons."""
        return self._up, self._down, self._remove

    # -- row -> panel ------------------------------------------------------------------------
    def values(self) -> dict[str, object]:
        """Parse the visible fields; raise ValueError naming the field that is not a number."""
        values: dict[str, object] = {"kind": self._kind}
        for name, (short, _, kinds) in FIELDS.items():
            if self._kind not in kinds:
                continue
            text = self._edits[name].text()
            if name == "stride" and self._kind == "maxpool" and not text.strip():
                values[name] = None
                continue
            try:
                number = parse_number(text)
            except ValueError as exc:
                raise ValueError(f"{short}: {exc}") from None
            values[name] = int(number) if number.is_integer() else number
        if self._kind == "conv":
            values["bias"] = self._bias.isChecked()
        return values

    def commit(self) -> None:
        """Read the fields and emit :attr:`edited` (or show why the text is not a number)."""
        try:
            values = self.values()
        except ValueError as exc:
            self.show_error(str(exc))
            return
        self.edited.emit(self._index, values)

    def _bias_toggled(self, _checked: bool) -> None:
        self.commit()

    def _kind_picked(self, _position: int) -> None:
        self._kind = self._kind_box.currentData()
        self._show_fields()
        self.kindChanged.emit(self._index, self._kind)

    def _move_up(self) -> None:
        self.moveRequested.emit(self._index, -1)

    def _move_down(self) -> None:
        self.moveRequested.emit(self._index, 1)

    def _remove_clicked(self) -> None:
        self.removeRequested.emit(self._index)
