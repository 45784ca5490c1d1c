"""Questions 4.3 and 5: a kernel sliding over an input — flipping, modes, 1-D and 2-D."""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np
from PySide6.QtCore import QObject, QSignalBlocker, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from explorer import assets
from explorer.model import conv
from explorer.model.checks import Check
from explorer.model.quiz import Question, convolution2d_questions, convolution_questions
from explorer.model.validation import positive_int
from explorer.panels import saved_state
from explorer.panels.base import Panel
from explorer.widgets.callout import ErrorCallout
from explorer.widgets.cell_grid import CellGridView, GridScene
from explorer.widgets.cell_row import CellRowView, RowScene
from explorer.widgets.cell_style import STEP_COLOR, subscript
from explorer.widgets.check_badge import CheckStrip
from explorer.widgets.equation import EquationView
from explorer.widgets.matrix_input import MatrixInput
from explorer.widgets.number_input import NumberInput, VectorInput, format_vector
from explorer.widgets.page import Page, WrappedLabel
from explorer.widgets.playback import PlaybackBar
from explorer.widgets.theme import set_html

# Beyond these sizes the cells get too small to read at 1280 x 800: the panel says so instead.
MAX_SIGNAL = 16
MAX_KERNEL = 8
MAX_GRID = 10
MAX_KERNEL_2D = 5
MAX_STRIDE = 5
MAX_PADDING = 4
MAX_DILATION = 4

VIEWS = ("1d", "2d")
SAMPLE_PHOTO = assets.SAMPLE_PHOTO
#: Where the photo crop sits: 8 x 8 pixels across the edge between the astronaut's hair and face.
PHOTO_CROP = (22, 62, 8)
SOURCES = {"integers": "small integers (5 × 5)", "photo": "photo crop (8 × 8 grey levels)"}

EXPLANATION = """
<h3>Questions 4.3 and 5 — sliding a kernel along an input</h3>
<p><b>Flip, then slide.</b> True convolution, (<i>x</i> ∗ <i>w</i>)<sub><i>n</i></sub> =
Σ<sub><i>j</i></sub> <i>x</i><sub><i>n</i>−<i>j</i></sub> <i>w</i><sub><i>j</i></sub>, walks the
input backwards while it walks the kernel forwards. The same thing, easier to picture: reverse the
kernel once, lay it over the input, multiply the cells it covers, add them up, move one cell on.
Leave out the reversal and you get <i>cross-correlation</i>: numpy's <code>np.correlate</code>, and
also what the “convolution” layers of a CNN compute.</p>
<p><b>Full, valid, same.</b> <i>Full</i> adds <i>k</i> − 1 zeros on both sides, so every partial
overlap produces an output (<i>d</i> + <i>k</i> − 1 of them). <i>Valid</i> only keeps windows that
lie entirely on the input (<i>d</i> − <i>k</i> + 1). <i>Same</i> keeps <i>d</i> outputs from the
middle of the full result; with an even kernel the zeros cannot be split evenly.</p>
<p><b>Question 5</b> defines its valid (∗) and full (∗̃) operations <i>without</i> flipping —
untick “flip” to see exactly those.</p>
<p><b>2-D.</b> The window now moves along rows and columns. Stride skips positions, padding puts a
border of zeros around the input, dilation spreads the kernel's taps apart. Each axis ends up with
⌊(<i>i</i> + 2<i>p</i> − <i>d</i>(<i>k</i> − 1) − 1) / <i>s</i>⌋ + 1 outputs.</p>
<p><b>Try:</b> press ▶ (or Space) and watch the sum build up; rest the mouse on an output cell;
untick “flip” and compare with the homework's answer; give “same” an even kernel such as
1, 2, 3, 4; pick the 2-D presets one after another; fill the grid from the photo and give it
the edge kernel 1 0 −1 / 2 0 −2 / 1 0 −1.</p>
"""


def _tuple(values: np.ndarray) -> tuple:
    array = np.asarray(values, dtype=np.float64)
    if array.ndim == 1:
        return tuple(float(v) for v in array)
    return tuple(tuple(float(v) for v in row) for row in array)


@dataclass(frozen=True)
class Row1d:
    """The 1-D animation: input, kernel, mode and whether the kernel is flipped."""

    x: tuple[float, ...] = _tuple(conv.SEED_SIGNAL)
    w: tuple[float, ...] = _tuple(conv.SEED_KERNEL)
    mode: str = "full"
    flip: bool = True


@dataclass(frozen=True)
class Grid2d:
    """The 2-D animation: input grid, kernel and the layer's hyperparameters."""

    x: tuple[tuple[float, ...], ...] = _tuple(conv.SEED_GRID)
    w: tuple[tuple[float, ...], ...] = _tuple(conv.SEED_KERNEL2D)
    stride: int = 1
    padding: int = 0
    dilation: int = 1
    # CNN layers slide the kernel unflipped, and so does convolve2d by default.
    flip: bool = False
    #: "integers" or "photo": what the grid was filled with (the photo is drawn in grey levels).
    source: str = "integers"


@dataclass(frozen=True)
class ConvolutionState:
    """Everything the convolution panel shows is a function of these values."""

    one: Row1d = Row1d()
    two: Grid2d = Grid2d()
    view: str = "1d"


@dataclass(frozen=True, eq=False)
class Result1d:
    """What the model says about a :class:`Row1d`."""

    steps: list
    outputs: np.ndarray
    flipped: np.ndarray
    unflipped: np.ndarray
    pads: tuple[int, int]
    scene: RowScene


@dataclass(frozen=True, eq=False)
class Result2d:
    """What the model says about a :class:`Grid2d`."""

    steps: list
    outputs: np.ndarray
    scene: GridScene


def _numpy_same_differs(one: Row1d) -> bool:
    """Whether numpy's "same" differs from the model's: it keeps max(d, k) values, not d."""
    return one.mode == "same" and len(one.w) > len(one.x)


def _numpy_names(one: Row1d) -> tuple[str, str]:
    """", np.convolve" and ", np.correlate" where numpy gives what is shown, else ""."""
    if _numpy_same_differs(one):
        return "", ""
    return ", np.convolve", ", np.correlate"


def _limit(length: int, most: int, what: str) -> None:
    if length > most:
        raise ValueError(f"{what} has {length} entries; at most {most} fit on screen")


def compute_1d(s: Row1d) -> Result1d:
    """Ask the model for everything the 1-D view shows; ValueError if it rejects ``s``."""
    x, w = np.array(s.x), np.array(s.w)
    steps = conv.trace(x, w, s.mode, s.flip)
    _limit(x.size, MAX_SIGNAL, "the input x")
    _limit(w.size, MAX_KERNEL, "the kernel w")
    outputs = conv.convolve(x, w, s.mode, s.flip)
    flipped = outputs if s.flip else conv.convolve(x, w, s.mode, True)
    unflipped = conv.convolve(x, w, s.mode, False) if s.flip else outputs
    left, right = conv.pad_widths(x.size, w.size, s.mode)
    cells = conv.padded_signal(x, w.size, s.mode)
    ghost = np.zeros(cells.size, dtype=bool)
    ghost[:left] = True
    ghost[left + x.size:] = True
    labels = ("",) * left + tuple(f"x{subscript(i + 1)}" for i in range(x.size)) + ("",) * right
    scene = RowScene(
        cells=cells, ghost=ghost, cell_labels=labels, kernel=steps[0].kernel,
        windows=np.array([step.positions + left for step in steps]),
        products=np.array([step.products for step in steps]),
        outputs=outputs,
        output_labels=tuple(f"y{subscript(n + 1)}" for n in range(outputs.size)),
        input_name="x, zero-padded" if left + right else "x",
        kernel_name="kernel flip(w)" if s.flip else "kernel w (not flipped)",
        products_name="products",
        output_name=f"y ({s.mode})",
    )
    return Result1d(steps, outputs, flipped, unflipped, (left, right), scene)


def compute_2d(s: Grid2d) -> Result2d:
    """Ask the model for everything the 2-D view shows; ValueError if it rejects ``s``."""
    x, w = np.array(s.x), np.array(s.w)
    steps = conv.trace2d(x, w, s.stride, s.padding, s.dilation, s.flip)
    outputs = conv.convolve2d(x, w, s.stride, s.padding, s.dilation, s.flip)
    cells = conv.padded_input2d(x, s.padding)
    ghost = np.ones(cells.shape, dtype=bool)
    ghost[s.padding:s.padding + x.shape[0], s.padding:s.padding + x.shape[1]] = False
    p = s.padding
    scene = GridScene(
        cells=cells, ghost=ghost, kernel=steps[0].kernel,
        rows=np.array([step.rows for step in steps]),
        cols=np.array([step.cols for step in steps]),
        outputs=outputs,
        output_labels=tuple(f"y{subscript(i + 1)},{subscript(j + 1)}"
                            for i, j in (step.output for step in steps)),
        input_name=f"input, zero-padded (p = {p})" if p else "input (no padding)",
        kernel_name="kernel, flipped (as applied)" if s.flip else "kernel (not flipped)",
        output_name=f"output {outputs.shape[0]} × {outputs.shape[1]}",
        shade=s.source == "photo",
    )
    return Result2d(steps, outputs, scene)


@lru_cache(maxsize=1)
def photo_crop() -> np.ndarray:
    """The grey levels of :data:`PHOTO_CROP` in the sample photo.

    Raises
    ------
    assets.MissingResource
        When the photo cannot be read (not cached: the next call looks again).
    """
    image = QImage.fromData(assets.read_bytes(SAMPLE_PHOTO))
    if image.isNull():
        raise assets.MissingResource(SAMPLE_PHOTO, str(assets.folder()), "is not a readable image")
    image = image.convertToFormat(QImage.Format.Format_RGB888)
    width, height = image.width(), image.height()
    data = np.frombuffer(image.constBits(), np.uint8, count=image.bytesPerLine() * height)
    rgb = data.reshape(height, image.bytesPerLine())[:, : 3 * width].reshape(height, width, 3)
    crop = conv.grey_crop(rgb, *PHOTO_CROP)
    crop.flags.writeable = False
    return crop


def _fixed_text(parent: QWidget, height: int) -> QTextBrowser:
    """A frameless read-only rich-text box of fixed height for text that changes with the state.

    Unlike a word-wrapped QLabel, its size never depends on its text, so new text costs no
    relayout of the panel; it is opaque white, like the views above it, so it repaints alone.
    """
    box = QTextBrowser(parent)
    box.setFrameShape(QFrame.Shape.NoFrame)
    box.setFixedHeight(height)
    box.setOpenLinks(False)
    return box


def _grid_limits(x: np.ndarray, most: int, what: str) -> None:
    if max(x.shape) > most:
        raise ValueError(f"{what} is {x.shape[0]} × {x.shape[1]}; at most {most} × {most} fit "
                         "on screen")


def _whole(name: str, minimum: int, most: int):
    def check(value: float) -> None:
        value = positive_int(value, name, minimum=minimum)
        if value > most:
            raise ValueError(f"{name} must be at most {most} here, got {value}")
    return check


def size_formula(i: int, k: int, s: int, p: int, d: int, o: int, tex: bool = False,
                 lhs: str = "") -> str:
    """The output-size formula with the numbers put in; ``o`` is the model's answer.

    ``lhs`` (mathtext when ``tex``) is written in front, e.g. ``"o ="``.
    """
    lead = f"{lhs} " if lhs else ""
    if tex:
        return (rf"${lead}\lfloor\,({i} + 2\cdot{p} - {d}\cdot({k}-1) - 1)\,/\,{s}\,\rfloor"
                rf" + 1 = {o}$")
    return f"{lead}⌊({i} + 2·{p} − {d}·({k} − 1) − 1) / {s}⌋ + 1 = {o}"


def _zeros(n: int) -> str:
    return f"{n} zero" + ("" if n == 1 else "s")


def direct_conv2d(x: np.ndarray, w: np.ndarray, stride: int, padding: int, dilation: int,
                  flip: bool) -> np.ndarray:
    """Independent oracle for the live check: the defining sum, one output at a time."""
    kernel = w[::-1, ::-1] if flip else w
    h, wd = x.shape
    kh, kw = w.shape
    rows = (h + 2 * padding - dilation * (kh - 1) - 1) // stride + 1
    cols = (wd + 2 * padding - dilation * (kw - 1) - 1) // stride + 1
    out = np.zeros((rows, cols))
    for i in range(rows):
        for j in range(cols):
            total = 0.0
            for a in range(kh):
                for b in range(kw):
                    r = i * stride + a * dilation - padding
                    c = j * stride + b * dilation - padding
                    if 0 <= r < h and 0 <= c < wd:
                        total += x[r, c] * kernel[a, b]
            out[i, j] = total
    return out


class ConvolutionPanel(Panel):
    """A kernel sliding over a 1-D signal or a 2-D grid, one output per animation frame."""

    id = "convolution"
    title = "Convolution"
    questions = "4.3, 5"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = ConvolutionState()
        self._frames = {"1d": 0, "2d": 0}
        self._rejected: set[QWidget] = set()
        self._shown_one: Row1d | None = None
        self._shown_two: Grid2d | None = None
        self.result_1d = compute_1d(self.state.one)
        self.result_2d = compute_2d(self.state.two)
        self._build()
        self.update_view()
        self.run_checks()

    # -- construction --------------------------------------------------------------------
    def _build(self) -> None:
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.controls_stack = QStackedWidget(self)
        self.controls_stack.addWidget(self._build_1d_controls(self.controls_stack))
        self.controls_stack.addWidget(self._build_2d_controls(self.controls_stack))
        self._show_controls(0)

        self.tabs = QTabWidget(self)
        self.tabs.tabBar().setAccessibleName("Convolution view")
        self.tabs.tabBar().setAccessibleDescription(
            "A kernel sliding along a vector (1-D, question 4.3), or over a grid (2-D)")
        self.tabs.addTab(self._build_1d_page(), "1-D: question 4.3")
        self.tabs.addTab(self._build_2d_page(), "2-D: stride, padding, dilation")
        self.tabs.setTabToolTip(0, "A kernel sliding along a vector (questions 4.3 and 5)")
        self.tabs.setTabToolTip(1, "A kernel sliding over a grid, as in a CNN layer")
        self.playback = PlaybackBar(self, speed="2 steps/s", fixed_label=True)
        self.playback.setToolTip("Slide the window one output per step (Space, ←, →, Home, End)")
        self.checks_strip = CheckStrip(self)
        self.page = Page(self, explanation=EXPLANATION, side=[self.controls_stack],
                         content=self.tabs, footer=[self.playback], checks=self.checks_strip)

        self.tabs.currentChanged.connect(self._tab_changed)
        self.playback.advanceRequested.connect(self.advance)
        self.playback.positionChanged.connect(self._scrubbed)

    def _show_controls(self, index: int) -> None:
        # The hidden page must not reserve height (the explanation gets the room instead), but
        # it keeps its width: the column, and the page beside it, stay put when the tab changes.
        for i in range(self.controls_stack.count()):
            vertical = QSizePolicy.Policy.Minimum if i == index else QSizePolicy.Policy.Ignored
            self.controls_stack.widget(i).setSizePolicy(QSizePolicy.Policy.Preferred, vertical)
        self.controls_stack.setCurrentIndex(index)
        self.controls_stack.updateGeometry()

    def _build_1d_controls(self, parent: QWidget) -> QWidget:
        s = self.state.one
        page = QWidget(parent)
        column = QVBoxLayout(page)
        column.setContentsMargins(0, 0, 0, 0)
        for tex, plain in (
            (r"$(x * w)_n = \sum_j\ x_{n-j}\, w_j$   (flip: convolution)",
             "(x * w)_n = sum_j x_(n-j) w_j (convolution)"),
            (r"$(x \star w)_n = \sum_j\ x_{n+j}\, w_j$   (no flip: correlation)",
             "(x ⋆ w)_n = sum_j x_(n+j) w_j (cross-correlation)"),
            (r"$|y|$:  $d{+}k{-}1$ full,  $d{-}k{+}1$ valid,  $d$ same",
             "output length: d+k-1 (full), d-k+1 (valid), d (same)"),
        ):
            column.addWidget(EquationView(tex, plain, points=11, parent=page))
        group = QGroupBox("1-D input and kernel", page)
        grid = QVBoxLayout(group)
        self.x_input = VectorInput(
            "input &x", np.array(s.x), validate=self._check_signal, parent=group,
            tooltip=f"The signal, numbers separated by commas or spaces (1 to {MAX_SIGNAL})")
        self.w_input = VectorInput(
            "kernel &w", np.array(s.w), validate=self._check_kernel, parent=group,
            tooltip=f"The kernel as written, before any flipping (1 to {MAX_KERNEL} numbers)")
        self.mode_box = QComboBox(group)
        self.mode_box.addItems(list(conv.MODES))
        self.mode_box.setCurrentText(s.mode)
        self.mode_box.setToolTip("full: every overlap · valid: windows inside the input only · "
                                 "same: as many outputs as inputs")
        mode_row = QHBoxLayout()
        mode_label = QLabel("&mode", group)
        mode_label.setBuddy(self.mode_box)
        mode_label.setToolTip(self.mode_box.toolTip())
        mode_row.addWidget(mode_label)
        mode_row.addWidget(self.mode_box, 1)
        self.flip_1d = QCheckBox("&flip the kernel (true convolution)", group)
        self.flip_1d.setChecked(s.flip)
        self.flip_1d.setToolTip("On: reverse w before sliding it (np.convolve). "
                                "Off: slide w as written (cross-correlation, np.correlate)")
        self.error_1d = ErrorCallout(self.mode_box)
        for widget in (self.x_input, self.w_input):
            grid.addWidget(widget)
        grid.addLayout(mode_row)
        grid.addWidget(self.flip_1d)
        column.addWidget(group)
        column.addStretch(1)

        self.x_input.valueChanged.connect(self._one_edited)
        self.w_input.valueChanged.connect(self._one_edited)
        self.mode_box.currentTextChanged.connect(self._one_edited)
        self.flip_1d.toggled.connect(self._one_edited)
        return page

    def _build_2d_controls(self, parent: QWidget) -> QWidget:
        s = self.state.two
        page = QWidget(parent)
        column = QVBoxLayout(page)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(EquationView(
            r"$o = \lfloor\,(i + 2p - d\,(k-1) - 1)\,/\,s\,\rfloor + 1$",
            "o = floor((i + 2p - d(k-1) - 1)/s) + 1", points=11, parent=page))
        legend = WrappedLabel("<i>i</i> input size, <i>k</i> kernel size, <i>p</i> padding, "
                              "<i>d</i> dilation, <i>s</i> stride — per axis", page)
        column.addWidget(legend)
        self.formula_view = EquationView("", "", points=11, parent=page)
        self.formula_view.setToolTip("The output size for the current settings")
        self.formula_view_w = EquationView("", "", points=11, parent=page)
        column.addWidget(self.formula_view)
        column.addWidget(self.formula_view_w)

        group = QGroupBox("2-D input, kernel and layer", page)
        grid = QGridLayout(group)
        self.source_box = QComboBox(group)
        for key, label in SOURCES.items():
            self.source_box.addItem(label, key)
        self.source_box.setToolTip("Fill the input grid with small integers, or with grey levels "
                                   "(0 black … 255 white) cut from the sample photo in resources/")
        source_label = QLabel("fill with", group)
        source_label.setToolTip(self.source_box.toolTip())
        self.grid_input = MatrixInput(
            "input grid", np.array(s.x), lines=5, validate=self._check_grid, parent=group,
            tooltip=f"One row per line, numbers split by spaces (at most {MAX_GRID} × {MAX_GRID})")
        self.kernel_input = MatrixInput(
            "kernel", np.array(s.w), lines=5, validate=self._check_kernel_2d, parent=group,
            tooltip=f"The kernel as written (at most {MAX_KERNEL_2D} × {MAX_KERNEL_2D})")
        self.stride_input = NumberInput(
            "stride", s.stride, decimals=0, validate=_whole("stride", 1, MAX_STRIDE),
            tooltip=f"Step between windows, 1 to {MAX_STRIDE}", parent=group)
        self.padding_input = NumberInput(
            "padding", s.padding, decimals=0, validate=_whole("padding", 0, MAX_PADDING),
            tooltip=f"Zeros added on every border, 0 to {MAX_PADDING}", parent=group)
        self.dilation_input = NumberInput(
            "dilation", s.dilation, decimals=0, validate=_whole("dilation", 1, MAX_DILATION),
            tooltip=f"Spacing of the kernel's taps (1 = touching), 1 to {MAX_DILATION}",
            parent=group)
        self.flip_2d = QCheckBox("flip the kernel (true convolution)", group)
        self.flip_2d.setChecked(s.flip)
        self.flip_2d.setToolTip("Off (the default, like CNN layers): slide the kernel as "
                                "written. On: rotate it by 180° first")
        self.error_2d = ErrorCallout(self.source_box)
        source_row = QHBoxLayout()
        source_row.addWidget(source_label)
        source_row.addWidget(self.source_box, 1)
        grid.addLayout(source_row, 0, 0, 1, 6)
        grid.addWidget(self.grid_input, 1, 0, 1, 3)
        grid.addWidget(self.kernel_input, 1, 3, 1, 3)
        grid.addWidget(self.stride_input, 2, 0, 1, 2)
        grid.addWidget(self.padding_input, 2, 2, 1, 2)
        grid.addWidget(self.dilation_input, 2, 4, 1, 2)
        grid.addWidget(self.flip_2d, 3, 0, 1, 6)
        column.addWidget(group)

        presets = QGroupBox("Presets", page)
        preset_grid = QGridLayout(presets)
        self.preset_buttons: dict[str, QPushButton] = {}
        for n, name in enumerate(conv.PRESETS_2D):
            button = QPushButton(name, presets)
            button.setProperty("preset", name)
            button.clicked.connect(self._preset_clicked)
            preset_grid.addWidget(button, n // 2, n % 2)
            self.preset_buttons[name] = button
        column.addWidget(presets)
        column.addStretch(1)

        self.source_box.currentIndexChanged.connect(self._source_chosen)
        self.grid_input.valueChanged.connect(self._two_edited)
        self.kernel_input.valueChanged.connect(self._two_edited)
        for widget in (self.stride_input, self.padding_input, self.dilation_input):
            widget.valueChanged.connect(self._two_edited)
        self.flip_2d.toggled.connect(self._two_edited)
        return page

    def _build_1d_page(self) -> QWidget:
        page = QWidget(self)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(6, 6, 6, 6)
        self.row_view = CellRowView(page)
        # A text browser, not a label: its size never depends on its text, so a new text costs
        # no relayout of the panel (a word-wrapped rich-text label costs about 10 ms each time).
        self.comparison = _fixed_text(page, 118)
        self.comparison.setToolTip("The current input and kernel in the current mode, computed "
                                   "both ways by explorer.model.conv; where the zeros go")
        layout.addWidget(self.row_view, 1)
        layout.addWidget(self.comparison)
        return page

    def _build_2d_page(self) -> QWidget:
        page = QWidget(self)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(6, 6, 6, 6)
        self.grid_view = CellGridView(page)
        self.preset_table = _fixed_text(page, 138)
        self.preset_table.setToolTip("Each preset's output size for the current input and "
                                     "kernel (explorer.model.conv.output_shape2d)")
        layout.addWidget(self.grid_view, 1)
        layout.addWidget(self.preset_table)
        return page

    # -- per-field limits ---------------------------------------------------------------------
    @staticmethod
    def _check_signal(x: np.ndarray) -> None:
        _limit(x.size, MAX_SIGNAL, "the input x")

    @staticmethod
    def _check_kernel(w: np.ndarray) -> None:
        _limit(w.size, MAX_KERNEL, "the kernel w")

    @staticmethod
    def _check_grid(x: np.ndarray) -> None:
        _grid_limits(x, MAX_GRID, "the input grid")

    @staticmethod
    def _check_kernel_2d(w: np.ndarray) -> None:
        _grid_limits(w, MAX_KERNEL_2D, "the kernel")

    # -- control -> state ----------------------------------------------------------------
    def _one_from_controls(self) -> Row1d:
        return Row1d(x=_tuple(self.x_input.value()), w=_tuple(self.w_input.value()),
                     mode=self.mode_box.currentText(), flip=self.flip_1d.isChecked())

    def _two_from_controls(self) -> Grid2d:
        return Grid2d(x=_tuple(self.grid_input.value()), w=_tuple(self.kernel_input.value()),
                      stride=int(self.stride_input.value()),
                      padding=int(self.padding_input.value()),
                      dilation=int(self.dilation_input.value()), flip=self.flip_2d.isChecked(),
                      source=self.source_box.currentData())

    def _source_chosen(self, _index: int) -> None:
        grid = conv.SEED_GRID
        if self.source_box.currentData() == "photo":
            try:
                grid = photo_crop()
            except assets.MissingResource as exc:
                self._reject(f"The sample photo {exc}.", self.source_box)
                return
        self.grid_input.set_value(np.array(grid))
        self._two_edited()

    def _one_edited(self, _value: object = None) -> None:
        self._apply(replace(self.state, one=self._one_from_controls()), self.sender())

    def _two_edited(self, _value: object = None) -> None:
        self._apply(replace(self.state, two=self._two_from_controls()), self.sender())

    def _preset_clicked(self) -> None:
        name = self.sender().property("preset")
        two = self._two_from_controls()
        stride, padding, dilation = conv.preset2d(name, np.array(two.w).shape)
        self._apply(replace(self.state, two=replace(two, stride=stride, padding=padding,
                                                    dilation=dilation)), self.sender())

    def _tab_changed(self, index: int) -> None:
        self._apply(replace(self.state, view=VIEWS[index]), None)

    def _apply(self, state: ConvolutionState, source: QObject | None) -> bool:
        """Adopt ``state`` if the model accepts it; otherwise say why where the edit was made."""
        try:
            self.set_state(state)
        except ValueError as exc:
            self._reject(str(exc), source)
            return False
        for widget in self._rejected:
            widget.clear_error()
        self._rejected.clear()
        self.error_1d.clear()
        self.error_2d.clear()
        self._sync_choices()
        return True

    def _reject(self, message: str, source: QObject | None) -> None:
        if isinstance(source, VectorInput | NumberInput | MatrixInput):
            source.show_error(message)
            self._rejected.add(source)
        else:
            label = self.error_1d if source in (self.mode_box, self.flip_1d) else self.error_2d
            label.show_message(message, source)
        if source is self.source_box:
            self.grid_input.set_value(np.array(self.state.two.x))
        # Controls that are not text fields go back to what the panel shows.
        self._sync_choices()

    def _sync_choices(self) -> None:
        one, two = self.state.one, self.state.two
        with QSignalBlocker(self.mode_box):
            self.mode_box.setCurrentText(one.mode)
        # "valid" with a kernel longer than the input has no windows: not on offer then.
        d, k = len(one.x), len(one.w)
        valid = self.mode_box.model().item(conv.MODES.index("valid"))
        if valid.isEnabled() != (k <= d):
            valid.setEnabled(k <= d)
            valid.setToolTip("" if k <= d else
                             f"valid needs k ≤ d: the kernel ({k}) is longer than the input "
                             f"({d}), so no window lies inside it")
        with QSignalBlocker(self.flip_1d):
            self.flip_1d.setChecked(one.flip)
        with QSignalBlocker(self.flip_2d):
            self.flip_2d.setChecked(two.flip)
        with QSignalBlocker(self.source_box):
            self.source_box.setCurrentIndex(list(SOURCES).index(two.source))
        for widget, value in ((self.stride_input, two.stride), (self.padding_input, two.padding),
                              (self.dilation_input, two.dilation)):
            # A field still showing rejected text (e.g. stride 0) is put back to the value in
            # use, message cleared, once another control (a preset) has set it.
            if widget not in self._rejected and (widget.value() != value or widget.error()):
                widget.set_value(value)

    def set_state(self, state: ConvolutionState) -> None:
        """Show ``state``; raise ValueError (and keep the current state) if the model rejects it."""
        result_1d = self.result_1d if state.one == self.state.one else compute_1d(state.one)
        result_2d = self.result_2d if state.two == self.state.two else compute_2d(state.two)
        if state.view not in VIEWS:
            raise ValueError(f"view must be one of {', '.join(VIEWS)}")
        self.state, self.result_1d, self.result_2d = state, result_1d, result_2d
        self.update_view()

    # -- state -> model -> view ----------------------------------------------------------
    def update_view(self) -> None:
        """Move every view to :attr:`state` (the model results are already computed)."""
        s = self.state
        if s.one != self._shown_one:
            # A new 1-D setting is shown finished; ▶ replays it from the first output.
            self._frames["1d"] = self.result_1d.outputs.size - 1
            self.row_view.set_scene(self.result_1d.scene, self._frames["1d"])
            self._update_comparison()
            self._shown_one = s.one
        if s.two != self._shown_two:
            self._frames["2d"] = self.result_2d.outputs.size - 1
            self.grid_view.set_scene(self.result_2d.scene, self._frames["2d"])
            self._update_formulas()
            self._shown_two = s.two
        index = VIEWS.index(s.view)
        if self.tabs.currentIndex() != index:
            with QSignalBlocker(self.tabs):
                self.tabs.setCurrentIndex(index)
        if self.controls_stack.currentIndex() != index:
            self._show_controls(index)
        self.playback.set_count(self._frame_count())
        self.playback.set_position(self._frames[s.view])
        self.refresh_checks()
        self.changed.emit()

    def _update_comparison(self) -> None:
        one, r = self.state.one, self.result_1d
        if np.array_equal(r.flipped, r.unflipped):
            text = (f"The kernel reads the same backwards, so flipping changes nothing: both give "
                    f"<b>[{format_vector(r.flipped)}]</b>.")
        else:
            shown = f" <span style='color:{STEP_COLOR}'>◀ shown</span>"
            convolve, correlate = _numpy_names(one)
            text = (
                f"<b>with flipping</b> (convolution{convolve}): "
                f"<b>[{format_vector(r.flipped)}]</b>{shown if one.flip else ''}<br>"
                f"<b>without flipping</b> (cross-correlation{correlate}): "
                f"<b>[{format_vector(r.unflipped)}]</b>{'' if one.flip else shown}<br>"
                "Forgetting to reverse the kernel is the classic slip, and the homework's own "
                f"answers to 4.3 (x = [{format_vector(conv.SEED_SIGNAL)}], "
                f"w = [{format_vector(conv.SEED_KERNEL)}]) make it: they are the "
                "<i>without flipping</i> values, not the convolution the question asks for.")
        k = len(one.w)
        left, right = r.pads
        if one.mode == "same":
            left, right = conv.same_padding(len(one.x), k)
            if left != right:
                note = (f"“same” with an even kernel (k = {k}): the {left + right} zeros cannot be "
                        f"split evenly, so — as numpy and scipy do — the extra zero goes on the "
                        f"<b>left</b>: {left} before the input, {right} after.")
            else:
                note = f"“same” pads {_zeros(left)} on each side of the input."
            if _numpy_same_differs(one):
                x, w = np.array(one.x), np.array(one.w)
                note += (
                    f"<br>Shown: the middle d = {len(one.x)} values of the full result, as "
                    "scipy.signal.convolve(x, w, 'same') keeps them. numpy’s “same” keeps "
                    f"max(d, k) = {k} values when the kernel is longer than the input: "
                    f"np.convolve(x, w, 'same') = [{format_vector(np.convolve(x, w, 'same'))}], "
                    f"np.correlate(x, w, 'same') = "
                    f"[{format_vector(np.correlate(x, w, 'same'))}].")
        elif one.mode == "full":
            note = f"“full” pads {_zeros(left)} on each side, so every partial overlap counts."
        else:
            note = "“valid” adds no zeros: the kernel only visits windows inside the input."
        set_html(self.comparison, f"{text}<br>{note}")

    def _update_formulas(self) -> None:
        two = self.state.two
        (h, wd), (kh, kw) = np.array(two.x).shape, np.array(two.w).shape
        oh, ow = self.result_2d.outputs.shape
        args = (two.stride, two.padding, two.dilation)
        if (h, kh) == (wd, kw):
            self.formula_view.set_tex(size_formula(h, kh, *args, oh, tex=True, lhs="o ="),
                                      size_formula(h, kh, *args, oh, lhs="o ="))
            self.formula_view_w.hide()
        else:
            self.formula_view.set_tex(
                size_formula(h, kh, *args, oh, tex=True, lhs=r"o_{\mathrm{rows}} ="),
                size_formula(h, kh, *args, oh, lhs="rows: o ="))
            self.formula_view_w.set_tex(
                size_formula(wd, kw, *args, ow, tex=True, lhs=r"o_{\mathrm{cols}} ="),
                size_formula(wd, kw, *args, ow, lhs="columns: o ="))
            self.formula_view_w.show()
        rows = ["<tr><th align=left>preset</th><th>s</th><th>p</th><th>d</th>"
                "<th align=left>output size per axis</th><th>output</th></tr>"]
        for name in conv.PRESETS_2D:
            stride, padding, dilation = conv.preset2d(name, (kh, kw))
            current = (stride, padding, dilation) == args
            style = f" style='color:{STEP_COLOR}; font-weight:bold'" if current else ""
            try:
                oh_p, ow_p = conv.output_shape2d((h, wd), (kh, kw), stride, padding, dilation)
            except ValueError:
                formula, size = "kernel larger than the padded input", "—"
            else:
                formula = size_formula(h, kh, stride, padding, dilation, oh_p)
                if (h, kh) != (wd, kw):
                    formula += " ; " + size_formula(wd, kw, stride, padding, dilation, ow_p)
                size = f"{oh_p} × {ow_p}"
            rows.append(f"<tr{style}><td>{name}</td><td align=center>{stride}</td>"
                        f"<td align=center>{padding}</td><td align=center>{dilation}</td>"
                        f"<td>{formula}</td><td align=center>{size}</td></tr>")
        set_html(self.preset_table, "<table cellspacing=0 cellpadding=2>" + "".join(rows)
                                  + "</table>")
        for name, button in self.preset_buttons.items():
            stride, padding, dilation = conv.preset2d(name, (kh, kw))
            button.setToolTip(f"stride {stride}, padding {padding}, dilation {dilation}")

    def _frame_count(self) -> int:
        result = self.result_1d if self.state.view == "1d" else self.result_2d
        return int(result.outputs.size)

    def _show_frame(self, frame: int) -> None:
        view = self.state.view
        self._frames[view] = frame
        (self.row_view if view == "1d" else self.grid_view).set_frame(frame)
        self.playback.set_position(frame)

    def _scrubbed(self, position: int) -> None:
        self._show_frame(position)

    # -- Panel contract ------------------------------------------------------------------
    def frame(self) -> int:
        """The output the window is on in the view shown."""
        return self._frames[self.state.view]

    def advance(self) -> None:
        """Slide the window to the next output (back to the first after the last)."""
        frame = self.frame() + 1
        self._show_frame(0 if frame >= self._frame_count() else frame)

    def bench_change(self, i: int) -> None:
        """Cycle the 1-D mode, the flip switch and the kernel, as a student clicking would."""
        step = i % 6
        if step < 3:
            self.mode_box.setCurrentText(("valid", "same", "full")[step])
        elif step < 5:
            self.flip_1d.setChecked(step == 4)
        else:
            kernel = (np.array([1.0, 2.0, 0.0, -1.0]) if len(self.state.one.w) == 3
                      else conv.SEED_KERNEL)
            self.w_input.set_value(kernel)
            self._one_edited()

    def reset(self) -> None:
        """Back to x = [1, 2, 3, 4], w = [2, 0, 1], full convolution, and the 5 × 5 grid."""
        self.playback.pause()
        state = ConvolutionState()
        one, two = state.one, state.two
        self.x_input.set_value(np.array(one.x))
        self.w_input.set_value(np.array(one.w))
        self.grid_input.set_value(np.array(two.x))
        self.kernel_input.set_value(np.array(two.w))
        for widget, value in ((self.stride_input, two.stride), (self.padding_input, two.padding),
                              (self.dilation_input, two.dilation)):
            widget.set_value(value)
        self._rejected.clear()
        self.error_1d.clear()
        self.error_2d.clear()
        self.set_state(state)
        self._sync_choices()

    def state_dict(self) -> dict:
        """Both views' inputs, kernels and settings, and which view is shown."""
        one, two = self.state.one, self.state.two
        return {
            "view": self.state.view,
            "one": {"x": list(one.x), "w": list(one.w), "mode": one.mode, "flip": one.flip},
            "two": {"x": [list(row) for row in two.x], "w": [list(row) for row in two.w],
                    "stride": two.stride, "padding": two.padding, "dilation": two.dilation,
                    "flip": two.flip, "source": two.source},
        }

    def load_state_dict(self, state: dict) -> None:
        """Show a saved :meth:`state_dict`; ValueError (nothing changes) if it is not valid."""
        data = saved_state.section(state)
        view = saved_state.choice(data, "view", VIEWS)
        read = saved_state
        with read.within("one"):
            d = read.section(data, "one")
            one = Row1d(x=read.vector(d, "x", 1, MAX_SIGNAL), w=read.vector(d, "w", 1, MAX_KERNEL),
                        mode=read.choice(d, "mode", conv.MODES), flip=read.flag(d, "flip"))
        with read.within("two"):
            d = read.section(data, "two")
            two = Grid2d(x=read.matrix(d, "x", MAX_GRID), w=read.matrix(d, "w", MAX_KERNEL_2D),
                         stride=read.whole(d, "stride", 1, MAX_STRIDE),
                         padding=read.whole(d, "padding", 0, MAX_PADDING),
                         dilation=read.whole(d, "dilation", 1, MAX_DILATION),
                         flip=read.flag(d, "flip"), source=read.choice(d, "source", SOURCES))
        self.set_state(ConvolutionState(one=one, two=two, view=view))  # asks the model first
        self.x_input.set_value(np.array(one.x))
        self.w_input.set_value(np.array(one.w))
        self.grid_input.set_value(np.array(two.x))
        self.kernel_input.set_value(np.array(two.w))
        for widget, value in ((self.stride_input, two.stride), (self.padding_input, two.padding),
                              (self.dilation_input, two.dilation)):
            widget.set_value(value)
        self._rejected.clear()
        self.error_1d.clear()
        self.error_2d.clear()
        self._sync_choices()

    def quiz(self, seed: int = 0) -> list[Question]:
        """Check-yourself questions on the view shown: an output entry, the output size."""
        one, two = self.state.one, self.state.two
        if self.state.view == "1d":
            return convolution_questions(one.x, one.w, one.mode, one.flip, seed)
        return convolution2d_questions(two.x, two.w, two.stride, two.padding, two.dilation,
                                       two.flip, seed)

    def checks(self) -> list[Check]:
        """Both results against independent sums; every traced step adds up to its output."""
        one, two = self.state.one, self.state.two
        r1, r2 = self.result_1d, self.result_2d
        x, w = np.array(one.x), np.array(one.w)
        numpy_conv = np.convolve if one.flip else np.correlate
        name = "np.convolve" if one.flip else "np.correlate"
        if not _numpy_same_differs(one):
            reference = numpy_conv(x, w, one.mode)
        else:
            # numpy's "same" returns k values when k > d; scipy's centring keeps the middle d.
            start = (w.size - 1) // 2
            reference = numpy_conv(x, w, "full")[start:start + x.size]
            name = f"middle {x.size} of {name} 'full'"
        # Rounding grows with the size of the terms, not of their sum (which may cancel).
        tol_1d = 1e-12 * (1.0 + float(np.abs(self.result_1d.scene.products).sum(axis=1).max()))
        sums_1d = np.array([step.products.sum() for step in r1.steps])
        totals_1d = np.array([step.total for step in r1.steps])
        oracle = direct_conv2d(np.array(two.x), np.array(two.w), two.stride, two.padding,
                               two.dilation, two.flip)
        terms_2d = max(float(np.abs(step.products).sum()) for step in r2.steps)
        tol_2d = 1e-12 * (1.0 + terms_2d)
        sums_2d = np.array([step.products.sum() for step in r2.steps])
        totals_2d = np.array([step.total for step in r2.steps])
        tol = max(tol_1d, tol_2d)
        return [
            Check.compare(f"1-D = {name}", r1.outputs, reference, tol_1d),
            Check.compare("2-D = direct sum", r2.outputs, oracle, tol_2d),
            Check.compare("Σ step products = outputs",
                          np.concatenate([sums_1d, totals_1d, sums_2d, totals_2d]),
                          np.concatenate([r1.outputs, r1.outputs, r2.outputs.ravel(),
                                          r2.outputs.ravel()]), tol),
        ]

    # -- data for File ▸ Export data as CSV ----------------------------------------------------
    def tables(self) -> dict[str, tuple[list[str], list[list]]]:
        """The 1-D vectors and steps, and the 2-D grid, kernel and output, as on screen."""
        one, two = self.state.one, self.state.two
        r1, r2 = self.result_1d, self.result_2d
        flipped = "flipped" if one.flip else "not flipped"
        vectors = [("x", one.x), ("w", one.w), (f"kernel as applied ({flipped})",
                                                r1.steps[0].kernel),
                   (f"y ({one.mode}, {flipped})", r1.outputs),
                   (f"y with flipping (convolution{_numpy_names(one)[0]})", r1.flipped),
                   (f"y without flipping (cross-correlation{_numpy_names(one)[1]})",
                    r1.unflipped)]
        width = max(len(values) for _, values in vectors)
        k = len(one.w)
        steps = [[step.index + 1, int(step.positions[0]) + 1, *step.values, *step.products,
                  step.total] for step in r1.steps]

        def matrix(values) -> tuple[list[str], list[list]]:
            array = np.asarray(values, dtype=np.float64)
            return (["row", *(f"col {j + 1}" for j in range(array.shape[1]))],
                    [[i + 1, *row] for i, row in enumerate(array.tolist())])

        return {
            "1-D vectors": (["vector", *(str(i + 1) for i in range(width))],
                            [[name, *np.asarray(values, dtype=np.float64).tolist()]
                             for name, values in vectors]),
            "1-D steps (x index ≤ 0 or > d: a padding zero)": (
                ["output n", "x index under the first tap",
                 *(f"x under tap {j + 1}" for j in range(k)),
                 *(f"product {j + 1}" for j in range(k)), "y_n = sum of products"], steps),
            "2-D input": matrix(two.x),
            "2-D kernel (as typed)": matrix(two.w),
            "2-D kernel (as applied)": matrix(r2.steps[0].kernel),
            "2-D output": matrix(r2.outputs),
            "settings": (["setting", "value"], [
                ["1-D mode", one.mode], ["1-D flip", one.flip], ["2-D stride", two.stride],
                ["2-D padding", two.padding], ["2-D dilation", two.dilation],
                ["2-D flip", two.flip], ["view", self.state.view]]),
        }
