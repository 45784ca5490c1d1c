"""Question 5: backpropagation through a two-layer 1-D convolution chain, valid or full."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from explorer.model import backprop as bp
from explorer.model.checks import Check
from explorer.model.quiz import Question, backprop_questions
from explorer.panels.base import Panel, show_value
from explorer.views.backprop import (
    MAX_D,
    MAX_K,
    MAX_SEED,
    BackpropState,
    BackpropView,
    check_d,
    check_k1,
    check_k2,
    check_seed,
    compute,
    disagreement,
    resized,
    shape_formulas,
    with_vector,
)
from explorer.widgets.cell_matrix import CellMatrixView
from explorer.widgets.cell_row import CellRowView
from explorer.widgets.check_badge import CheckStrip
from explorer.widgets.equation import EquationView
from explorer.widgets.index_plot import IndexPlot, SeriesStyle
from explorer.widgets.number_input import NumberInput, VectorInput
from explorer.widgets.page import Page, WrappedLabel, fixed_text
from explorer.widgets.playback import PlaybackBar
from explorer.widgets.plot import OKABE_ITO
from explorer.widgets.theme import set_rich_text, set_style_sheet

UPSTREAM_NAMES = {"random": "random (seeded, editable)", "target": "from a target t"}
#: The three ways of computing a gradient, with the colour and marker of each in the plots.
WAYS = {
    "jacobian": ("Jᵀ g (chain rule)", OKABE_ITO["blue"], "o", 14.0),
    "formula": ("sliding kernel", OKABE_ITO["vermillion"], "x", 10.0),
    "numeric": ("finite differences", OKABE_ITO["green"], "+", 12.0),
}
SYMBOLS = {"o": "○", "x": "✕", "+": "+"}

EXPLANATION = """
<h3>Question 5 — backpropagation through a convolution</h3>
<p>The chain is a¹ = x ∗ w¹, h¹ = ReLU(a¹), a² = h¹ ∗ w², h² = ReLU(a²), followed by some loss
<i>L</i>. In this question neither convolution flips its kernel: the valid ∗ and the full ∗̃
both slide <b>w</b> along the input as written.</p>
<p><b>5.1 — length, valid chain.</b> A valid layer only keeps windows that lie entirely on its
input, so a kernel of length <i>k</i> costs <i>k</i> − 1 entries: |a¹| = <i>d</i> − <i>k</i>₁ + 1
and |a²| = <i>d</i> − <i>k</i>₁ − <i>k</i>₂ + 2. Something must be left, hence the condition
<i>k</i>₁ + <i>k</i>₂ ≤ <i>d</i> + 1.</p>
<p><b>5.2 — one derivative.</b> a²<sub>i</sub> = Σ<sub>j</sub> h¹<sub>i+j−1</sub> w²<sub>j</sub>
contains h¹<sub>n</sub> in one term only, the one with <i>j</i> = <i>n</i> − <i>i</i> + 1. So
∂a²<sub>i</sub>/∂h¹<sub>n</sub> = w²<sub>n−i+1</sub> when that index is a tap of the kernel
(1 … <i>k</i>₂) and 0 when it is not. Laid out as a matrix, the kernel runs down
<i>k</i>₂ diagonals and the rest is zero: a banded Toeplitz matrix. Rest the mouse on a cell.</p>
<p><b>5.3 — the backward pass is a convolution.</b> The chain rule sums over the outputs:
(∇<sub>h¹</sub>L)<sub>n</sub> = Σ<sub>i</sub> (∇<sub>a²</sub>L)<sub>i</sub>
∂a²<sub>i</sub>/∂h¹<sub>n</sub>, which is Jᵀ∇<sub>a²</sub>L — column <i>n</i> of J against the
upstream gradient. Read downwards, a column of J is the kernel backwards, flip(w²). At the two
ends the column is cut short; padding ∇<sub>a²</sub>L with zeros makes up for it, and that is a
full convolution: ∇<sub>h¹</sub>L = ∇<sub>a²</sub>L ∗̃ flip(w²). Press ▶ to watch each entry
being formed while its column of J lights up.</p>
<p><b>5.4 — length, full chain.</b> A full layer keeps every partial overlap and so adds
<i>k</i> − 1 entries: |a¹| = <i>d</i> + <i>k</i>₁ − 1, |a²| = <i>d</i> + <i>k</i>₁ +
<i>k</i>₂ − 2. The homework's answer ends in −1, one too many. Any sizes work here.</p>
<p><b>5.5.</b> Now a²<sub>i</sub> = Σ<sub>j</sub> h¹<sub>i+j−k₂</sub> w²<sub>j</sub>, so
∂a²<sub>i</sub>/∂h¹<sub>n</sub> = w²<sub>n−i+k₂</sub> for <i>n</i> ≤ <i>i</i> ≤
<i>n</i> + <i>k</i>₂ − 1: the same band, moved, in a matrix taller than wide.</p>
<p><b>5.6.</b> Every column of this J holds all of flip(w²), none is cut short, so no zeros are
needed: ∇<sub>h¹</sub>L = ∇<sub>a²</sub>L ∗ flip(w²), a <i>valid</i> convolution. (The last
line of the homework's derivation prints the full symbol ∗̃; its own steps end at the valid one.)
Valid forwards pairs with full backwards and the other way round, and either way the gradient
gets the length of h¹ back.</p>
<p><b>Beyond the homework.</b> The kernel's gradient slides too:
(∇<sub>w²</sub>L)<sub>j</sub> = Σ<sub>i</sub> (∇<sub>a²</sub>L)<sub>i</sub> h¹<sub>i+j−1</sub>,
a valid correlation of h¹ with ∇<sub>a²</sub>L in the valid chain. The lower right plot checks
it three ways as well.</p>
<p><b>Try:</b> switch to the full chain; make <i>k</i>₂ larger and watch the band widen; take
the upstream gradient from a target, so that ∇<sub>a²</sub>L = a² − t comes from a real loss;
make <i>d</i> too small for the valid chain.</p>
"""


FORMULA_HEIGHT = 27
#: The formulas that change with the chain's kind: 5.2/5.5, 5.3/5.6 and the kernel's gradient.
KIND_FORMULAS = {
    "valid": (
        (r"$\partial a^2_i/\partial h^1_n = w^2_{n-i+1}$  for $n-k_2+1 \leq i \leq n$",
         "d a2_i / d h1_n = w2_(n-i+1) for n-k2+1 <= i <= n, else 0"),
        (r"$\nabla_{h^1}L = J^{\top}\nabla_{a^2}L = "
         r"\nabla_{a^2}L\;\tilde{\ast}\;\mathrm{flip}(w^2)$",
         "grad_h1 L = J^T grad_a2 L = grad_a2 L ~* flip(w2)  (full)"),
        (r"$\nabla_{w^2}L = h^1 \ast \nabla_{a^2}L$", "grad_w2 L = h1 * grad_a2 L  (valid)"),
    ),
    "full": (
        (r"$\partial a^2_i/\partial h^1_n = w^2_{n-i+k_2}$  for $n \leq i \leq n+k_2-1$",
         "d a2_i / d h1_n = w2_(n-i+k2) for n <= i <= n+k2-1, else 0"),
        (r"$\nabla_{h^1}L = J^{\top}\nabla_{a^2}L = "
         r"\nabla_{a^2}L \ast \mathrm{flip}(w^2)$",
         "grad_h1 L = J^T grad_a2 L = grad_a2 L * flip(w2)  (valid)"),
        (r"$\nabla_{w^2}L = \mathrm{flip}(\nabla_{a^2}L \ast h^1)$",
         "grad_w2 L = flip(grad_a2 L * h1)  (valid)"),
    ),
}


class BackpropPanel(Panel):
    """The chain's Jacobian, the gradient three ways and the flipped kernel sliding backwards."""

    id = "backprop"
    title = "Backprop through convolution"
    questions = "5.1–5.6"

    State = BackpropState
    animated = True

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._frame = 0
        #: The view whose finite differences the plots show.
        self._numeric_shown: BackpropView | None = None
        self._build()
        self.set_state(self.state)
        self.run_checks()

    # -- construction --------------------------------------------------------------------
    def _build(self) -> None:
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.row_view = CellRowView(self)
        self.row_view.setToolTip("The backward pass as a sliding window: flip(w²) over the "
                                 "zero-padded upstream gradient g gives one entry of ∇h¹L per "
                                 "step. Rest the mouse on an output cell")
        self.matrix_view = CellMatrixView(self)
        # Over a cell the cell's own tooltip shows; elsewhere this one.
        self.matrix_view.setToolTip("J = ∂a²/∂h¹: row i is an entry of a², column n an entry of "
                                    "h¹; w² runs down the diagonals. Rest the mouse on a cell")
        styles = {key: SeriesStyle(name, color, symbol, size, line=key == "jacobian")
                  for key, (name, color, symbol, size) in WAYS.items()}
        self.grad_plot = IndexPlot("∇h¹L", "n  (entry of h¹)", "∂L/∂h¹ₙ", styles, self)
        self.w2_plot = IndexPlot("∇w²L", "j  (tap of w²)", "∂L/∂w²ⱼ", styles, self)
        self.grad_plot.setToolTip("Jᵀg: the Jacobian's columns against g · sliding kernel: "
                                  "g convolved with flip(w²) · finite differences: h¹ nudged "
                                  "entry by entry and the layer run again. Point at an entry "
                                  "for its three values")
        self.w2_plot.setToolTip("Jᵀg with J = ∂a²/∂w² · sliding kernel: the correlation of h¹ "
                                "with g · finite differences: w² nudged tap by tap. Point at a "
                                "tap for its three values")
        # One key for both plots, outside them: a legend inside would cover points.
        self.legend = QLabel(self)
        set_rich_text(self.legend, "the gradient three ways: " + " &nbsp; ".join(
            f"<span style='color:{color}'><b>{SYMBOLS[symbol]}</b> {name}</span>"
            for name, color, symbol, _ in WAYS.values()))
        self.legend.setToolTip("Where all three agree the markers sit on top of each other")

        # Fixed sizes: a new formula or note then costs no relayout of the panel.
        self.shape_one, self.shape_two = QLabel(self), QLabel(self)
        for view in (self.shape_one, self.shape_two):
            view.setFixedSize(330, 24)
        self.shape_note = fixed_text(self, 64)
        note_font = self.shape_note.font()
        note_font.setPixelSize(12)
        self.shape_note.setFont(note_font)
        self.shape_note.setToolTip("Lengths from explorer.model.backprop.chain_shapes")
        shapes = QWidget(self)
        shapes_layout = QGridLayout(shapes)
        shapes_layout.setContentsMargins(4, 0, 4, 0)
        shapes_layout.setVerticalSpacing(0)
        shapes_layout.addWidget(self.shape_one, 0, 0)
        shapes_layout.addWidget(self.shape_two, 1, 0)
        shapes_layout.addWidget(self.shape_note, 0, 1, 2, 1)
        shapes_layout.setColumnStretch(1, 1)

        self.playback = PlaybackBar(self, speed="1 step/s", fixed_label=True)
        self.playback.setToolTip("Slide flip(w²) one entry of ∇h¹L per step "
                                 "(Space, ←, →, Home, End)")
        self.checks_strip = CheckStrip(self)

        top = QWidget(self)
        top_layout = QHBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(self.row_view, 3)
        top_layout.addWidget(self.matrix_view, 2)
        bottom = QWidget(self)
        bottom_layout = QHBoxLayout(bottom)
        bottom_layout.setContentsMargins(0, 0, 0, 0)
        bottom_layout.addWidget(self.grad_plot, 3)
        bottom_layout.addWidget(self.w2_plot, 2)
        views = QWidget(self)
        views_layout = QVBoxLayout(views)
        views_layout.setContentsMargins(0, 0, 0, 0)
        views_layout.addWidget(shapes)
        views_layout.addWidget(top, 5)
        views_layout.addWidget(self.legend)
        views_layout.addWidget(bottom, 4)
        self.page = Page(self, explanation=EXPLANATION, side=self._build_controls(),
                         content=views, footer=[self.playback], checks=self.checks_strip)

        self.playback.advanceRequested.connect(self.advance)
        self.playback.positionChanged.connect(self._scrubbed)
        self.row_view.hoverChanged.connect(self.matrix_view.set_hover_column)

    def _build_controls(self) -> list[QWidget]:
        """The controls column under the explanation, top to bottom."""
        s = self.state
        side = []

        for tex, plain in (
                (r"$(x \ast w)_n = \sum_{j=1}^{k} x_{n+j-1} w_j$   (valid)",
                 "valid: (x * w)_n = sum_j x_(n+j-1) w_j"),
                (r"$(x\,\tilde{\ast}\,w)_n = \sum_{j=1}^{k} x_{n+j-k} w_j$   (full)",
                 "full: (x ~* w)_n = sum_j x_(n+j-k) w_j")):
            side.append(EquationView(tex, plain, points=10.5, parent=self))
        # Both kinds' formulas are built once, one set on top of the other in a fixed-size box
        # without a layout: switching the chain's kind only swaps which set is visible, with
        # no typesetting and no relayout of the column.
        self.kind_formula_box = QWidget(self)
        self.kind_formula_box.setFixedSize(340, 3 * FORMULA_HEIGHT)
        self.kind_formulas: dict[str, list[EquationView]] = {}
        for kind in bp.KINDS:
            views = []
            for row, (tex, plain) in enumerate(KIND_FORMULAS[kind]):
                view = EquationView(tex, plain, points=11, parent=self.kind_formula_box)
                view.setGeometry(0, row * FORMULA_HEIGHT, 340, FORMULA_HEIGHT)
                view.setVisible(kind == self.state.kind)
                views.append(view)
            self.kind_formulas[kind] = views
        side.append(self.kind_formula_box)

        chain = QGroupBox("Chain", self)
        grid = QGridLayout(chain)
        self.d_input = NumberInput(
            "&d", s.d, decimals=0, slider=(1, MAX_D), validate=check_d, parent=chain,
            tooltip=f"Length of the input x (1 to {MAX_D}); a longer or shorter x is drawn "
                    "from the seed")
        self.k1_input = NumberInput(
            "k&₁", s.k1, decimals=0, slider=(1, MAX_K), validate=check_k1,
            parent=chain, tooltip=f"Length of the first kernel w¹ (1 to {MAX_K})")
        self.k2_input = NumberInput(
            "k&₂", s.k2, decimals=0, slider=(1, MAX_K), validate=check_k2,
            parent=chain, tooltip=f"Length of the second kernel w² (1 to {MAX_K})")
        self.kind_box = QComboBox(chain)
        self.kind_box.addItems(list(bp.KINDS))
        self.kind_box.setCurrentText(s.kind)
        self.kind_box.setToolTip("valid: both layers keep only windows inside their input "
                                 "(5.1–5.3) · full: both keep every partial overlap (5.4–5.6)")
        kind_label = QLabel("&convolutions", chain)
        kind_label.setBuddy(self.kind_box)
        kind_label.setToolTip(self.kind_box.toolTip())
        self.seed_input = NumberInput(
            "&seed", s.seed, decimals=0, validate=check_seed, parent=chain,
            tooltip="Seed of the small random integers in x, w¹, w², g and t")
        self.draw_button = QPushButton("draw again", chain)
        self.draw_button.setToolTip("Next seed: new random x, w¹, w², g and t of the same sizes")
        rule = WrappedLabel("The valid chain needs k₁ ≤ d and k₁ + k₂ ≤ d + 1; the full chain "
                            "takes any sizes.", chain)
        set_style_sheet(rule, "color: #555555;")
        grid.addWidget(self.d_input, 0, 0, 1, 2)
        grid.addWidget(self.k1_input, 1, 0, 1, 2)
        grid.addWidget(self.k2_input, 2, 0, 1, 2)
        kind_row = QHBoxLayout()
        kind_row.addWidget(kind_label)
        kind_row.addWidget(self.kind_box, 1)
        grid.addLayout(kind_row, 3, 0, 1, 2)
        grid.addWidget(self.seed_input, 4, 0)
        grid.addWidget(self.draw_button, 4, 1)
        grid.addWidget(rule, 5, 0, 1, 2)
        side.append(chain)

        vectors = QGroupBox("Vectors (type to edit; a new length resizes)", self)
        vgrid = QVBoxLayout(vectors)
        self.x_input = VectorInput("input &x", np.array(s.x), parent=vectors,
                                   tooltip=f"The input x; its length is d (1 to {MAX_D})")
        self.w1_input = VectorInput("kernel w¹", np.array(s.w1), parent=vectors,
                                    tooltip=f"The first kernel, as written (Q5 never flips it "
                                            f"going forwards); length k₁ ≤ {MAX_K}")
        self.w2_input = VectorInput("kernel w²", np.array(s.w2), parent=vectors,
                                    tooltip=f"The second kernel, as written; length k₂ ≤ {MAX_K}")
        for widget in (self.x_input, self.w1_input, self.w2_input):
            vgrid.addWidget(widget)
        side.append(vectors)

        upstream = QGroupBox("Upstream gradient g = ∇a²L", self)
        ugrid = QVBoxLayout(upstream)
        self.upstream_box = QComboBox(upstream)
        self.upstream_box.setAccessibleName("Upstream gradient g")
        for key, label in UPSTREAM_NAMES.items():
            self.upstream_box.addItem(label, key)
        self.upstream_box.setToolTip("random: any g stands for whatever the layers above do · "
                                     "target: g = a² − t from the loss L = ½‖a² − t‖²")
        up_row = QHBoxLayout()
        up_label = QLabel("g is", upstream)
        up_label.setToolTip(self.upstream_box.toolTip())
        up_row.addWidget(up_label)
        up_row.addWidget(self.upstream_box, 1)
        ugrid.addLayout(up_row)
        self.g_input = VectorInput("g", np.array(s.g), parent=upstream,
                                   tooltip="The upstream gradient ∇a²L, |a²| numbers")
        self.t_input = VectorInput("target t", np.array(s.t), parent=upstream,
                                   tooltip="The target of L = ½‖a² − t‖², |a²| numbers")
        ugrid.addWidget(self.g_input)
        ugrid.addWidget(self.t_input)
        ugrid.addWidget(EquationView(
            r"$L = \frac{1}{2}\,\|a^2 - t\|^2 \;\Rightarrow\; \nabla_{a^2}L = a^2 - t$",
            "L = 1/2 ||a2 - t||^2, so grad_a2 L = a2 - t", points=11, parent=upstream))
        side.append(upstream)

        forward = QGroupBox("Forward pass", self)
        flayout = QVBoxLayout(forward)
        # Plain text at a fixed size: new values cost neither a layout nor a rich-text parse.
        self.forward_text = QLabel(forward)
        self.forward_text.setTextFormat(Qt.TextFormat.PlainText)
        self.forward_text.setWordWrap(True)
        self.forward_text.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.forward_text.setFixedSize(320, 170)
        self.forward_text.setToolTip("The chain's values, from explorer.model.backprop")
        flayout.addWidget(self.forward_text)
        side.append(forward)

        # A size is a vector's length: a new one draws the vectors that change length again.
        self.bind("d", self.d_input, lambda s, d: resized(s, d, s.k1, s.k2, s.kind))
        self.bind("k1", self.k1_input, lambda s, k1: resized(s, s.d, k1, s.k2, s.kind))
        self.bind("k2", self.k2_input, lambda s, k2: resized(s, s.d, s.k1, k2, s.kind))
        self.bind("kind", self.kind_box, lambda s, kind: resized(s, s.d, s.k1, s.k2, kind))
        self.bind("seed", self.seed_input,
                  lambda s, seed: resized(s, s.d, s.k1, s.k2, s.kind, seed=seed))
        for name, control in (("x", self.x_input), ("w1", self.w1_input),
                              ("w2", self.w2_input)):
            self.bind(name, control, lambda s, values, name=name: with_vector(s, name, values))
        self.bind("upstream", self.upstream_box)
        self.bind("g", self.g_input)
        self.bind("t", self.t_input)
        self.draw_button.clicked.connect(self._draw_again)
        return side

    # -- control -> state ----------------------------------------------------------------
    def _draw_again(self) -> None:
        s = self.state
        seed = 0 if s.seed >= MAX_SEED else s.seed + 1
        self._offer(resized(s, s.d, s.k1, s.k2, s.kind, seed=seed), self.draw_button)

    def sync_controls(self) -> None:
        """The state in every control; with a target, g shows the gradient a² − t it gives.

        (The target can be typed either way, ready for a switch to it.)
        """
        super().sync_controls()
        target = self.state.upstream == "target"
        if target:
            show_value(self.g_input, self.view.g)
        self.g_input.setEnabled(not target)

    # -- state -> model -> view ----------------------------------------------------------
    def compute(self, state: BackpropState, previous: BackpropView | None) -> BackpropView:
        """See :func:`explorer.views.backprop.compute`."""
        return compute(state, previous)

    def show_view(self, view: BackpropView, previous: BackpropView | None) -> None:
        """Redraw what changed.

        Editing x, for instance, leaves the Jacobian and the sliding kernel as they were (and
        the animation where it was).
        """
        s, old = view.state, previous.state if previous is not None else None
        if old is None or (s.kind, s.w2) != (old.kind, old.w2) \
                or not np.array_equal(view.g, previous.g):
            # A new backward pass is shown finished; ▶ replays it from the first entry.
            self._frame = len(view.steps) - 1
            self.row_view.set_scene(view.row_scene, self._frame)
        if old is None or (s.kind, s.w2) != (old.kind, old.w2) \
                or view.jac.shape != previous.jac.shape:
            self.matrix_view.set_scene(view.matrix_scene, self._frame)
        for grads, plot in ((view.grad_h1, self.grad_plot), (view.grad_w2, self.w2_plot)):
            shown = {key: plot.series(key) for key in ("jacobian", "formula")
                     if key in plot.series_keys()}
            new = {key: grads[key] for key in ("jacobian", "formula")}
            if old is None or any(key not in shown or not np.array_equal(shown[key], new[key])
                                  for key in new):
                plot.set_data(new, refit=old is None)
        for kind, views in self.kind_formulas.items():
            if views[0].isHidden() == (kind == s.kind):
                for equation in views:
                    equation.setVisible(kind == s.kind)
        for label, html, plain in zip((self.shape_one, self.shape_two),
                                      shape_formulas(s, view.shapes, html=True),
                                      shape_formulas(s, view.shapes, html=False), strict=True):
            label.setText(html)
            label.setToolTip(plain)
        if view.note() != self.shape_note.toPlainText():
            self.shape_note.setPlainText(view.note())
        if view.forward_text() != self.forward_text.text():
            self.forward_text.setText(view.forward_text())
        if self.playback.count() != len(view.steps):
            self.playback.set_count(len(view.steps))
        if self.playback.position() != self._frame:
            self.playback.set_position(self._frame)

    def _show_numeric(self) -> None:
        """The finite differences' markers and the plots' titles, for the view shown."""
        view = self.view
        if self._numeric_shown is view:
            return
        self._numeric_shown = view
        for grads, numeric, plot, name in (
                (view.grad_h1, view.numeric["h1"], self.grad_plot, "∇h¹L"),
                (view.grad_w2, view.numeric["w2"], self.w2_plot, "∇w²L")):
            plot.set_data({"numeric": numeric})
            gap = disagreement(grads["jacobian"], grads["formula"], numeric)
            plot.set_title(f"{name}: max disagreement {gap:.1e}", f"{name}: max |Δ| {gap:.1e}")

    def _show_frame(self, frame: int) -> None:
        self._frame = frame
        self.row_view.set_frame(frame)
        self.matrix_view.set_frame(frame)
        self.playback.set_position(frame)

    def _scrubbed(self, position: int) -> None:
        self._show_frame(position)

    # -- Panel contract ------------------------------------------------------------------
    def frame(self) -> int:
        """The entry of ∇h¹L the animation is on."""
        return self._frame

    def advance(self) -> None:
        """Slide flip(w²) to the next entry of ∇h¹L (back to the first after the last)."""
        frame = self._frame + 1
        self._show_frame(0 if frame >= len(self.view.steps) else frame)

    def bench_change(self, i: int) -> None:
        """Cycle a kernel edit, the chain kind, k₂ and an input edit, as a student would."""
        step = i % 6
        s = self.state
        if step == 0:
            w2 = s.w2[::-1] if s.k2 > 1 else (s.w2[0] + 1,)
            self.edit(self.w2_input, w2=w2)
        elif step in (1, 2):
            self.kind_box.setCurrentText("full" if step == 1 else "valid")
        elif step in (3, 4):
            self._offer(resized(s, s.d, s.k1, 4 if step == 3 else 3, s.kind), self.k2_input)
        else:
            self.edit(self.x_input, x=s.x[::-1])

    def quiz(self, seed: int = 0) -> list[Question]:
        """Check-yourself questions on the chain: |a²|, an entry of ∇h¹L, a Jacobian entry."""
        s = self.state
        return backprop_questions(s.x, s.w1, s.w2, self.view.g, s.kind, seed)

    def checks(self) -> list[Check]:
        """The view's checks; the finite differences they work out are drawn too."""
        checks = self.view.checks()
        self._show_numeric()
        return checks
