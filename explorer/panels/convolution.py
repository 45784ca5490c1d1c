"""Questions 4.3 and 5: a kernel sliding over an input — flipping, modes, 1-D and 2-D."""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache

import numpy as np
from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
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
from explorer.model.quiz import (
    Question,
    convolution2d_questions,
    convolution_questions,
    transposed_questions,
)
from explorer.panels.base import Panel
from explorer.views import transposed
from explorer.views.convolution import (
    MAX_DILATION,
    MAX_GRID,
    MAX_KERNEL,
    MAX_KERNEL_2D,
    MAX_PADDING,
    MAX_SIGNAL,
    MAX_STRIDE,
    VIEWS,
    ConvolutionState,
    ConvolutionView,
    check_dilation,
    check_grid,
    check_kernel,
    check_kernel_2d,
    check_padding,
    check_signal,
    check_stride,
    compute,
    numpy_names,
    numpy_same_differs,
)
from explorer.views.fields import to_json
from explorer.views.text import format_vector
from explorer.widgets.cell_grid import CellGridView
from explorer.widgets.cell_matrix import CellMatrixView
from explorer.widgets.cell_row import CellRowView
from explorer.widgets.cell_stamp import CellStampView
from explorer.widgets.cell_style import STEP_COLOR
from explorer.widgets.check_badge import CheckStrip
from explorer.widgets.equation import EquationView
from explorer.widgets.images import rgb_array
from explorer.widgets.matrix_input import MatrixInput
from explorer.widgets.number_input import NumberInput, VectorInput
from explorer.widgets.page import Page, WrappedLabel, fixed_text
from explorer.widgets.playback import PlaybackBar
from explorer.widgets.theme import set_html

SAMPLE_PHOTO = assets.SAMPLE_PHOTO
#: Where the photo crop sits: 8 x 8 pixels across the edge between the astronaut's hair and face.
PHOTO_CROP = (22, 62, 8)
SOURCES = {"integers": "small integers (5 × 5)", "photo": "photo crop (8 × 8 grey levels)"}
PICTURES = {"scatter": "scatter: each entry stamps the kernel",
            "gather": "gather: zeros in, then convolve",
            "counts": "overlap counts (checkerboard)",
            "matrix": "matrix Cᵀ"}

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
<p><b>Transposed: the gradient.</b> Going backwards through a 2-D convolution, the gradient
g = ∂L/∂Y has the output's shape and ∂L/∂X the input's. Every entry of g sends its value back
to the inputs its window covered, weighted by the kernel: the kernel, scaled by that entry,
<i>stamped</i> onto ∂L/∂X, stamps <i>s</i> cells apart and overlapping stamps adding up. That
operation is the transposed convolution (ConvTranspose2d, the upsampling layer of decoders).
The same numbers come from a plain convolution: spread g out with <i>s</i> − 1 zeros between its
entries, add a border of <i>d</i>(<i>k</i> − 1) − <i>p</i> zeros, and slide the flipped kernel
over it. Written as matrices, the forward convolution is <i>Y</i> = <i>C X</i> and the gradient is
<i>C</i><sup>T</sup><i>g</i>, hence the name. Along each axis the output has
(<i>i</i> − 1)<i>s</i> − 2<i>p</i> + <i>d</i>(<i>k</i> − 1) + output_padding + 1 cells.
When the stride does not divide the kernel size, some cells get more stamps than their
neighbours: the checkerboard pattern of generated images. Question 5 is the 1-D case with
stride 1 and no padding: there ∇<sub>h¹</sub>L is the full convolution of ∇<sub>a²</sub>L with
the flipped kernel, which is exactly the gather picture.</p>
<p><b>Try:</b> press ▶ (or Space) and watch the sum build up; rest the mouse on an output cell;
untick “flip” and compare with the homework's answer; give “same” an even kernel such as
1, 2, 3, 4; pick the 2-D presets one after another; fill the grid from the photo and give it
the edge kernel 1 0 −1 / 2 0 −2 / 1 0 −1; in the transposed tab, compare the
“checkerboard” and “even” presets in the overlap counts.</p>
"""


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
    crop = conv.grey_crop(rgb_array(image), *PHOTO_CROP)
    crop.flags.writeable = False
    return crop


def _filled(state: ConvolutionState, source: str) -> ConvolutionState:
    """``state`` with its 2-D grid filled from ``source`` (small integers or the photo)."""
    grid = conv.SEED_GRID
    if source == "photo":
        try:
            grid = photo_crop()
        except assets.MissingResource as exc:
            raise ValueError(f"The sample photo {exc}.") from None
    x = tuple(tuple(float(v) for v in row) for row in np.asarray(grid))
    return replace(state, two=replace(state.two, source=source, x=x))


def _zeros(n: int) -> str:
    return f"{n} zero" + ("" if n == 1 else "s")


class ConvolutionPanel(Panel):
    """A kernel sliding over a 1-D signal or a 2-D grid, one output per animation frame."""

    id = "convolution"
    title = "Convolution"
    questions = "4.3, 5"

    State = ConvolutionState
    animated = True

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._frames = dict.fromkeys(VIEWS, 0)
        self._build()
        self.set_state(self.state)
        self.run_checks()

    # -- construction --------------------------------------------------------------------
    def _build(self) -> None:
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.controls_stack = QStackedWidget(self)
        self.controls_stack.addWidget(self._build_1d_controls(self.controls_stack))
        self.controls_stack.addWidget(self._build_2d_controls(self.controls_stack))
        self.controls_stack.addWidget(self._build_transposed_controls(self.controls_stack))
        self._show_controls(0)

        self.tabs = QTabWidget(self)
        self.tabs.tabBar().setAccessibleName("Convolution view")
        self.tabs.tabBar().setAccessibleDescription(
            "A kernel sliding along a vector (1-D, question 4.3), or over a grid (2-D)")
        self.row_view = CellRowView()
        page, self.comparison = self._tab_page(
            self.row_view, 118, "The current input and kernel in the current mode, computed "
                                "both ways by explorer.model.conv; where the zeros go")
        self.tabs.addTab(page, "1-D: question 4.3")
        self.grid_view = CellGridView()
        page, self.preset_table = self._tab_page(
            self.grid_view, 138, "Each preset's output size for the current input and kernel "
                                 "(explorer.model.conv.output_shape2d)")
        self.tabs.addTab(page, "2-D: stride, padding, dilation")
        self.pictures = QStackedWidget()
        self.stamp_view, self.gather_view, self.transpose_view = \
            CellStampView(), CellGridView(), CellMatrixView()
        for widget in (self.stamp_view, self.gather_view, self.transpose_view):
            self.pictures.addWidget(widget)
        page, self.transposed_text = self._tab_page(
            self.pictures, 118, "The forward convolution and its gradient, side by side "
                                "(explorer.model.conv)")
        self.tabs.addTab(page, "Transposed: the gradient")
        self.tabs.setTabToolTip(0, "A kernel sliding along a vector (questions 4.3 and 5)")
        self.tabs.setTabToolTip(1, "A kernel sliding over a grid, as in a CNN layer")
        self.tabs.setTabToolTip(2, "The gradient of a 2-D convolution with respect to its "
                                   "input: a transposed convolution (question 5 in 2-D)")
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
            "input &x", np.array(s.x), validate=check_signal, parent=group,
            tooltip=f"The signal, numbers separated by commas or spaces (1 to {MAX_SIGNAL})")
        self.w_input = VectorInput(
            "kernel &w", np.array(s.w), validate=check_kernel, parent=group,
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
        for widget in (self.x_input, self.w_input):
            grid.addWidget(widget)
        grid.addLayout(mode_row)
        grid.addWidget(self.flip_1d)
        column.addWidget(group)
        column.addStretch(1)

        for field, control in (("one.x", self.x_input), ("one.w", self.w_input),
                               ("one.mode", self.mode_box), ("one.flip", self.flip_1d)):
            self.bind(field, control)
        return page

    @staticmethod
    def _size_formulas(parent: QWidget, tex: str, plain: str, legend: str
                       ) -> tuple[QWidget, QVBoxLayout, EquationView, EquationView]:
        """A controls page that opens with a size formula, its legend and its numbers.

        Returns the page, its column and the two lines for the numbers (rows, and columns
        when they differ).
        """
        page = QWidget(parent)
        column = QVBoxLayout(page)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(EquationView(tex, plain, points=11, parent=page))
        column.addWidget(WrappedLabel(legend, page))
        lines = EquationView("", "", points=11, parent=page), \
            EquationView("", "", points=11, parent=page)
        lines[0].setToolTip("The output size for the current settings")
        for line in lines:
            column.addWidget(line)
        return page, column, *lines

    def _build_2d_controls(self, parent: QWidget) -> QWidget:
        s = self.state.two
        page, column, self.formula_view, self.formula_view_w = self._size_formulas(
            parent, r"$o = \lfloor\,(i + 2p - d\,(k-1) - 1)\,/\,s\,\rfloor + 1$",
            "o = floor((i + 2p - d(k-1) - 1)/s) + 1",
            "<i>i</i> input size, <i>k</i> kernel size, <i>p</i> padding, <i>d</i> dilation, "
            "<i>s</i> stride — per axis")

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
            "input grid", np.array(s.x), lines=5, validate=check_grid, parent=group,
            tooltip=f"One row per line, numbers split by spaces (at most {MAX_GRID} × {MAX_GRID})")
        self.kernel_input = MatrixInput(
            "kernel", np.array(s.w), lines=5, validate=check_kernel_2d, parent=group,
            tooltip=f"The kernel as written (at most {MAX_KERNEL_2D} × {MAX_KERNEL_2D})")
        self.stride_input = NumberInput(
            "stride", s.stride, decimals=0, validate=check_stride,
            tooltip=f"Step between windows, 1 to {MAX_STRIDE}", parent=group)
        self.padding_input = NumberInput(
            "padding", s.padding, decimals=0, validate=check_padding,
            tooltip=f"Zeros added on every border, 0 to {MAX_PADDING}", parent=group)
        self.dilation_input = NumberInput(
            "dilation", s.dilation, decimals=0, validate=check_dilation,
            tooltip=f"Spacing of the kernel's taps (1 = touching), 1 to {MAX_DILATION}",
            parent=group)
        self.flip_2d = QCheckBox("flip the kernel (true convolution)", group)
        self.flip_2d.setChecked(s.flip)
        self.flip_2d.setToolTip("Off (the default, like CNN layers): slide the kernel as "
                                "written. On: rotate it by 180° first")
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

        self.bind("two.source", self.source_box, _filled)
        for field, control in (("two.x", self.grid_input), ("two.w", self.kernel_input),
                               ("two.stride", self.stride_input),
                               ("two.padding", self.padding_input),
                               ("two.dilation", self.dilation_input),
                               ("two.flip", self.flip_2d)):
            self.bind(field, control)
        return page

    def _build_transposed_controls(self, parent: QWidget) -> QWidget:
        t = self.state.three
        page, column, self.transposed_formula, self.transposed_formula_w = self._size_formulas(
            parent, r"$o = (i-1)\,s - 2p + d\,(k-1) + \mathrm{op} + 1$",
            "o = (i-1)s - 2p + d(k-1) + op + 1",
            "<i>i</i> size of g, op output_padding (0 ≤ op &lt; max(<i>s</i>, <i>d</i>)); the "
            "forward convolution has the same <i>k</i>, <i>s</i>, <i>p</i>, <i>d</i>")

        group = QGroupBox("g, kernel and layer", page)
        grid = QGridLayout(group)
        most, most_k = transposed.MAX_UPSTREAM, transposed.MAX_KERNEL
        self.upstream_input = MatrixInput(
            "g = ∂L/∂Y", np.array(t.g), lines=5, validate=transposed.check_upstream,
            parent=group, tooltip=f"The upstream gradient: the forward output's shape, one row "
                                  f"per line (at most {most} × {most})")
        self.transposed_kernel = MatrixInput(
            "kernel w", np.array(t.w), lines=4, validate=transposed.check_kernel, parent=group,
            tooltip=f"The forward convolution's kernel (at most {most_k} × {most_k})")
        self.transposed_numbers = {}
        for n, (name, rule, tip) in enumerate((
                ("stride", transposed.check_stride,
                 f"Cells between stamps (the forward step), 1 to {transposed.MAX_STRIDE}"),
                ("padding", transposed.check_padding,
                 f"Cells cut from every side (the forward padding), 0 to "
                 f"{transposed.MAX_PADDING}"),
                ("dilation", transposed.check_dilation,
                 f"Spacing of the kernel's taps, 1 to {transposed.MAX_DILATION}"),
                ("output_padding", transposed.check_output_padding,
                 "Cells added at the bottom and right, 0 to max(stride, dilation) − 1: which "
                 "of the input sizes a strided convolution sends to g's size"))):
            control = NumberInput(name, getattr(t, name), decimals=0, validate=rule,
                                  tooltip=tip, parent=group)
            self.transposed_numbers[name] = control
            grid.addWidget(control, 1 + n // 2, 3 * (n % 2), 1, 3)
        self.picture_box = QComboBox(group)
        for key, label in PICTURES.items():
            self.picture_box.addItem(label, key)
        self.picture_box.setToolTip("Four ways to see the same transposed convolution")
        picture_label = QLabel("&picture", group)
        picture_label.setBuddy(self.picture_box)
        picture_label.setToolTip(self.picture_box.toolTip())
        picture_row = QHBoxLayout()
        picture_row.addWidget(picture_label)
        picture_row.addWidget(self.picture_box, 1)
        grid.addWidget(self.upstream_input, 0, 0, 1, 3)
        grid.addWidget(self.transposed_kernel, 0, 3, 1, 3)
        grid.addLayout(picture_row, 3, 0, 1, 6)
        column.addWidget(group)

        presets = QGroupBox("Presets", page)
        preset_grid = QGridLayout(presets)
        self.transposed_presets: dict[str, QPushButton] = {}
        for n, name in enumerate(transposed.PRESETS):
            button = QPushButton(name, presets)
            button.setProperty("preset", name)
            fields = transposed.preset(name)
            button.setToolTip(f"g {len(fields['g'])} × {len(fields['g'])}, kernel "
                              f"{len(fields['w'])} × {len(fields['w'])}, stride "
                              f"{fields['stride']}, padding {fields['padding']}, "
                              f"output_padding {fields['output_padding']}")
            button.clicked.connect(self._transposed_preset_clicked)
            preset_grid.addWidget(button, n // 2, n % 2)
            self.transposed_presets[name] = button
        column.addWidget(presets)
        column.addStretch(1)

        self.bind("three.g", self.upstream_input)
        self.bind("three.w", self.transposed_kernel)
        for name, control in self.transposed_numbers.items():
            self.bind(f"three.{name}", control)
        self.bind("three.picture", self.picture_box)
        return page

    def _tab_page(self, picture: QWidget, text_height: int,
                  tooltip: str) -> tuple[QWidget, QTextBrowser]:
        """A tab's page: ``picture`` over a text of a fixed height; the page and the text."""
        page = QWidget(self)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(6, 6, 6, 6)
        # A text browser, not a label: its size never depends on its text, so a new text costs
        # no relayout of the panel (a word-wrapped rich-text label costs about 10 ms each time).
        text = fixed_text(page, text_height)
        text.setToolTip(tooltip)
        layout.addWidget(picture, 1)
        layout.addWidget(text)
        return page, text

    # -- control -> state ----------------------------------------------------------------
    def _preset_clicked(self) -> None:
        button = self.sender()
        stride, padding, dilation = conv.preset2d(button.property("preset"),
                                                  np.shape(self.state.two.w))
        self.edit(button, two__stride=stride, two__padding=padding, two__dilation=dilation)

    def _transposed_preset_clicked(self) -> None:
        fields = transposed.preset(self.sender().property("preset"))
        self.edit(self.sender(), **{f"three__{name}": value for name, value in fields.items()})

    def _tab_changed(self, index: int) -> None:
        self.edit(self.tabs, view=VIEWS[index])

    # -- state -> model -> view ----------------------------------------------------------
    def compute(self, state: ConvolutionState,
                previous: ConvolutionView | None) -> ConvolutionView:
        """See :func:`explorer.views.convolution.compute`."""
        return compute(state, previous)

    def show_view(self, view: ConvolutionView, previous: ConvolutionView | None) -> None:
        """Show the animation of the view chosen, redrawing the parts whose state changed."""
        one, two = view.state.one, view.state.two
        if previous is None or previous.state.one != one:
            # A new 1-D setting is shown finished; ▶ replays it from the first output.
            self._frames["1d"] = view.one.outputs.size - 1
            self.row_view.set_scene(view.one.scene, self._frames["1d"])
            self._update_comparison(view)
            # "valid" with a kernel longer than the input has no windows: not on offer then.
            d, k = len(one.x), len(one.w)
            valid = self.mode_box.model().item(conv.MODES.index("valid"))
            valid.setEnabled(k <= d)
            valid.setToolTip("" if k <= d else
                             f"valid needs k ≤ d: the kernel ({k}) is longer than the input "
                             f"({d}), so no window lies inside it")
        if previous is None or previous.state.two != two:
            self._frames["2d"] = view.two.outputs.size - 1
            self.grid_view.set_scene(view.two.scene, self._frames["2d"])
            self._update_formulas(view)
        if previous is None or previous.state.three != view.state.three:
            self._frames["transposed"] = view.three.frames() - 1
            self._show_picture(view.three, self._frames["transposed"])
            self._update_transposed_text(view.three)
        index = VIEWS.index(view.state.view)
        if self.tabs.currentIndex() != index:
            with QSignalBlocker(self.tabs):
                self.tabs.setCurrentIndex(index)
        if self.controls_stack.currentIndex() != index:
            self._show_controls(index)
        self.playback.set_count(self._frame_count())
        self.playback.set_position(self._frames[view.state.view])

    def _update_comparison(self, view: ConvolutionView) -> None:
        one, r = view.state.one, view.one
        if np.array_equal(r.flipped, r.unflipped):
            text = (f"The kernel reads the same backwards, so flipping changes nothing: both give "
                    f"<b>[{format_vector(r.flipped)}]</b>.")
        else:
            shown = f" <span style='color:{STEP_COLOR}'>◀ shown</span>"
            convolve, correlate = numpy_names(one)
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
            if numpy_same_differs(one):
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

    def _update_formulas(self, view: ConvolutionView) -> None:
        two = view.two
        tex, plain = two.formulas(tex=True), two.formulas(tex=False)
        self.formula_view.set_tex(tex[0], plain[0])
        self.formula_view_w.setVisible(len(tex) == 2)
        if len(tex) == 2:
            self.formula_view_w.set_tex(tex[1], plain[1])
        current = (two.state.stride, two.state.padding, two.state.dilation)
        rows = ["<tr><th align=left>preset</th><th>s</th><th>p</th><th>d</th>"
                "<th align=left>output size per axis</th><th>output</th></tr>"]
        for name, (stride, padding, dilation), formula, size in two.presets():
            style = (f" style='color:{STEP_COLOR}; font-weight:bold'"
                     if (stride, padding, dilation) == current else "")
            rows.append(f"<tr{style}><td>{name}</td><td align=center>{stride}</td>"
                        f"<td align=center>{padding}</td><td align=center>{dilation}</td>"
                        f"<td>{formula}</td><td align=center>{size}</td></tr>")
            self.preset_buttons[name].setToolTip(
                f"stride {stride}, padding {padding}, dilation {dilation}")
        set_html(self.preset_table, "<table cellspacing=0 cellpadding=2>" + "".join(rows)
                                  + "</table>")

    def _show_picture(self, view: transposed.TransposedView, frame: int) -> None:
        picture = view.state.picture
        if picture == "matrix":
            self.transpose_view.set_scene(view.transpose, frame)
        elif picture == "gather":
            self.gather_view.set_scene(view.gather, frame)
        else:
            self.stamp_view.set_scene(view.scatter if picture == "scatter" else view.ones, frame)
        self.pictures.setCurrentWidget(self._picture_widget())

    def _picture_widget(self) -> QWidget:
        picture = self.state.three.picture
        return {"matrix": self.transpose_view, "gather": self.gather_view}.get(
            picture, self.stamp_view)

    def _update_transposed_text(self, view: transposed.TransposedView) -> None:
        t = view.state
        (gh, gw), (kh, kw), (oh, ow) = np.shape(t.g), np.shape(t.w), view.outputs.shape
        tex, plain = view.formulas(tex=True), view.formulas(tex=False)
        self.transposed_formula.set_tex(tex[0], plain[0])
        self.transposed_formula_w.setVisible(len(tex) == 2)
        if len(tex) == 2:
            self.transposed_formula_w.set_tex(tex[1], plain[1])
        layer = (f"{kh} × {kw} kernel, stride {t.stride}, padding {t.padding}, dilation "
                 f"{t.dilation}")
        lines = [f"<b>Forward:</b> X ({oh} × {ow}) → convolution ({layer}) → Y "
                 f"({view.forward[0]} × {view.forward[1]}).",
                 f"<b>Backward:</b> g = ∂L/∂Y ({gh} × {gw}) → transposed convolution (the same "
                 f"kernel and settings, output_padding {t.output_padding}) → ∂L/∂X "
                 f"({oh} × {ow})."]
        if view.forward != (gh, gw):
            lines.append(f"output_padding {t.output_padding} reaches the stride, so Y would be "
                         f"{view.forward[0]} × {view.forward[1]}: g fills its top left and the "
                         "rest of ∂L/∂Y is 0.")
        if t.picture == "scatter":
            lines.append("Each entry of g adds itself times the kernel, as written, onto the "
                         f"output; the stamps start {t.stride} apart and overlaps add up.")
        elif t.picture == "gather":
            lines.append("The same output from a plain convolution: the flipped kernel slides, "
                         "stride 1, over g spread out with zeros (dashed): "
                         f"{transposed.zeros_described(t, kh)}.")
        elif t.picture == "counts":
            counts = view.counts
            lines.append(f"Stamps per cell go from {counts.min()} to {counts.max()}. " + (
                "Away from the edges every cell gets as many: no checkerboard." if
                view.even_inside() else
                "Away from the edges they still alternate, since the kernel's taps do not "
                "spread evenly over the stride's offsets: the checkerboard pattern."))
        else:
            rows, cols = view.transpose.values.shape
            lines.append(f"C turns X into Y as a {cols} × {rows} matrix; Cᵀ ({rows} × {cols}) "
                         "turns g into ∂L/∂X. Column n of Cᵀ is the stamp of g's entry n.")
        set_html(self.transposed_text, "<br>".join(lines))

    def _frame_count(self) -> int:
        if self.state.view == "transposed":
            return self.view.three.frames()
        result = self.view.one if self.state.view == "1d" else self.view.two
        return int(result.outputs.size)

    def _show_frame(self, frame: int) -> None:
        view = self.state.view
        self._frames[view] = frame
        widget = {"1d": self.row_view, "2d": self.grid_view}.get(view) or self._picture_widget()
        widget.set_frame(frame)
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
            kernel = (1.0, 2.0, 0.0, -1.0) if len(self.state.one.w) == 3 else \
                tuple(float(v) for v in conv.SEED_KERNEL)
            self.edit(self.w_input, one__w=kernel)

    def load_state_dict(self, data: dict) -> None:
        """As :meth:`Panel.load_state_dict`, and a state from before the transposed tab opens.

        Saved without ``three``, it gets that tab's default and keeps the other tabs' inputs.
        """
        if isinstance(data, dict) and "three" not in data:
            data = {**data, "three": to_json(transposed.Transposed())}
        super().load_state_dict(data)

    def quiz(self, seed: int = 0) -> list[Question]:
        """Check-yourself questions on the view shown: an output entry, the output size."""
        one, two, three = self.state.one, self.state.two, self.state.three
        if self.state.view == "transposed":
            return transposed_questions(three.g, three.w, three.stride, three.padding,
                                        three.dilation, three.output_padding, seed)
        if self.state.view == "1d":
            return convolution_questions(one.x, one.w, one.mode, one.flip, seed)
        return convolution2d_questions(two.x, two.w, two.stride, two.padding, two.dilation,
                                       two.flip, seed)
