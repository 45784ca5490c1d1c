"""Question 5: backpropagation through a two-layer 1-D convolution chain, valid or full."""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np
from PySide6.QtCore import QObject, QSignalBlocker, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from explorer.model import backprop as bp
from explorer.model import conv
from explorer.model.checks import Check
from explorer.model.quiz import Question, backprop_questions
from explorer.model.validation import positive_int
from explorer.panels import saved_state
from explorer.panels.base import Panel
from explorer.widgets.callout import ErrorCallout
from explorer.widgets.cell_matrix import CellMatrixView, MatrixScene
from explorer.widgets.cell_row import CellRowView, RowScene
from explorer.widgets.cell_style import short_number, subscript
from explorer.widgets.check_badge import CheckStrip
from explorer.widgets.equation import EquationView
from explorer.widgets.index_plot import IndexPlot, SeriesStyle
from explorer.widgets.number_input import NumberInput, VectorInput, format_vector
from explorer.widgets.page import Page, WrappedLabel
from explorer.widgets.playback import PlaybackBar
from explorer.widgets.plot import OKABE_ITO
from explorer.widgets.theme import set_rich_text, set_style_sheet

# Beyond these sizes the cells get too small to read at 1280 x 800: the panel says so instead.
MAX_D = 12
MAX_K = 5
MAX_SEED = 2**31 - 1

UPSTREAMS = {"random": "random (seeded, editable)", "target": "from a target t"}
#: The three ways of computing a gradient, with the colour and marker of each in the plots.
WAYS = {
    "jacobian": ("Jᵀ g (chain rule)", OKABE_ITO["blue"], "o", 14.0),
    "formula": ("sliding kernel", OKABE_ITO["vermillion"], "x", 10.0),
    "numeric": ("finite differences", OKABE_ITO["green"], "+", 12.0),
}
SYMBOLS = {"o": "○", "x": "✕", "+": "+"}
#: The checks' tolerance for normal-sized numbers (the issue asks for agreement under 1e-8).
TOLERANCE = 1e-8

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


def _tuple(values: np.ndarray) -> tuple[float, ...]:
    return tuple(float(v) for v in np.asarray(values, dtype=np.float64))


_SEEDED = bp.seeded_chain(bp.SEED_D, bp.SEED_K1, bp.SEED_K2, bp.SEED_KIND, bp.SEED)


@dataclass(frozen=True)
class BackpropState:
    """Everything the panel shows is a function of these values.

    The sizes are the vectors' lengths: ``d = len(x)``, ``k1 = len(w1)``, ``k2 = len(w2)``.
    ``g`` is the upstream gradient used when ``upstream == "random"``; ``t`` the target used
    when ``upstream == "target"``. Both have ``|a2|`` entries.
    """

    kind: str = bp.SEED_KIND
    seed: int = bp.SEED
    x: tuple[float, ...] = _tuple(_SEEDED["x"])
    w1: tuple[float, ...] = _tuple(_SEEDED["w1"])
    w2: tuple[float, ...] = _tuple(_SEEDED["w2"])
    upstream: str = "random"
    g: tuple[float, ...] = _tuple(_SEEDED["grad_a2"])
    t: tuple[float, ...] = _tuple(_SEEDED["t"])

    @property
    def d(self) -> int:
        """Input length."""
        return len(self.x)

    @property
    def k1(self) -> int:
        """First kernel's length."""
        return len(self.w1)

    @property
    def k2(self) -> int:
        """Second kernel's length."""
        return len(self.w2)


def resized(state: BackpropState, d: int, k1: int, k2: int, kind: str,
            seed: int | None = None) -> BackpropState:
    """``state`` with these sizes: a vector whose length changes is drawn again from the seed.

    A new ``seed`` draws every vector again. Raises ValueError (the model's message) for sizes
    the chain cannot have.
    """
    seed = state.seed if seed is None else seed
    _limits(d, k1, k2)
    shapes = bp.chain_shapes(d, k1, k2, kind)
    lengths = {"x": d, "w1": k1, "w2": k2, "g": shapes["len_a2"], "t": shapes["len_a2"]}
    roles = {"x": "x", "w1": "w1", "w2": "w2", "g": "grad_a2", "t": "t"}
    changes = {}
    for name, length in lengths.items():
        if seed != state.seed or len(getattr(state, name)) != length:
            changes[name] = _seeded(seed, roles[name], length)
    return replace(state, kind=kind, seed=seed, **changes)


@lru_cache(maxsize=256)
def _seeded(seed: int, role: str, length: int) -> tuple[float, ...]:
    # Drawing is deterministic; a small cache spares a generator per resize.
    return _tuple(bp.seeded_vector(seed, role, length))


def _limits(d: int, k1: int, k2: int) -> None:
    if d > MAX_D:
        raise ValueError(f"d = {d}: at most {MAX_D} entries fit on screen")
    for name, k in (("k₁", k1), ("k₂", k2)):
        if k > MAX_K:
            raise ValueError(f"{name} = {k}: kernels of at most {MAX_K} taps fit on screen")


@dataclass(frozen=True, eq=False)
class BackpropView:
    """What the model says about a :class:`BackpropState`; the panel only moves items to it."""

    shapes: dict
    forward: dict
    g: np.ndarray
    loss: float | None
    jac: np.ndarray
    taps: np.ndarray
    grad_h1: dict
    steps: list
    pads: tuple[int, int]
    jac_w2: np.ndarray
    grad_w2: dict
    row_scene: RowScene
    matrix_scene: MatrixScene


def compute(s: BackpropState) -> BackpropView:
    """Ask the model for everything the panel shows; ValueError if it rejects ``s``.

    The finite differences are left to :func:`numeric_gradients`: the panel runs them with its
    throttled checks, so dragging a slider never waits for them.
    """
    _limits(s.d, s.k1, s.k2)
    if s.upstream not in UPSTREAMS:
        raise ValueError(f"upstream must be one of {', '.join(UPSTREAMS)}")
    x, w1, w2 = np.array(s.x), np.array(s.w1), np.array(s.w2)
    shapes = bp.chain_shapes(s.d, s.k1, s.k2, s.kind)
    forward = bp.forward_chain(x, w1, w2, s.kind)
    h1, a2 = forward["h1"], forward["a2"]
    if s.upstream == "target":
        t = np.array(s.t)
        g = bp.grad_a2_target(a2, t)
        loss = bp.target_loss(a2, t)
    else:
        g = np.array(s.g)
        if g.size != a2.size:
            raise ValueError(f"g must have |a²| = {a2.size} entries, got {g.size}")
        loss = None
    jac = bp.jacobian_a2_h1(w2, h1.size, s.kind)
    taps = bp.jacobian_taps(s.k2, h1.size, s.kind)
    grad_h1 = {"jacobian": bp.chain_rule(jac, g), "formula": bp.grad_h1(g, w2, s.kind)}
    jac_w2 = bp.jacobian_a2_w2(h1, s.k2, s.kind)
    grad_w2 = {"jacobian": bp.chain_rule(jac_w2, g), "formula": bp.grad_w2(h1, g, s.kind)}
    steps = bp.grad_h1_trace(g, w2, s.kind)
    mode = bp.BACKWARD_MODE[s.kind]
    pads = conv.pad_widths(g.size, s.k2, mode)
    return BackpropView(
        shapes=shapes, forward=forward, g=g, loss=loss, jac=jac, taps=taps, grad_h1=grad_h1,
        steps=steps, pads=pads, jac_w2=jac_w2, grad_w2=grad_w2,
        row_scene=_row_scene(g, s.k2, mode, steps, pads),
        matrix_scene=_matrix_scene(jac, taps, s.kind),
    )


def numeric_gradients(s: BackpropState, v: BackpropView) -> dict[str, np.ndarray]:
    """Finite differences through the second layer (and the loss, for a target).

    Returns ``h1`` (the gradient with respect to h¹) and ``w2``; each perturbs one entry at a
    time and runs the layer again, never using the Jacobian or a flipped kernel.
    """
    h1, w2 = v.forward["h1"], np.array(s.w2)
    if s.upstream == "target":
        t = np.array(s.t)
        return {"h1": bp.numeric_grad_h1_target(h1, w2, t, s.kind),
                "w2": bp.numeric_grad_w2_target(h1, w2, t, s.kind)}
    return {"h1": bp.numeric_grad_h1(h1, w2, v.g, s.kind),
            "w2": bp.numeric_grad_w2(h1, w2, v.g, s.kind)}


def disagreement(*ways: np.ndarray) -> float:
    """Largest difference between any two of ``ways``."""
    return float(max(np.max(np.abs(a - b)) for i, a in enumerate(ways) for b in ways[i + 1:]))


def _row_scene(g: np.ndarray, k2: int, mode: str, steps: list,
               pads: tuple[int, int]) -> RowScene:
    left, right = pads
    cells = conv.padded_signal(g, k2, mode)
    ghost = np.zeros(cells.size, dtype=bool)
    ghost[:left] = True
    ghost[left + g.size:] = True
    labels = ("",) * left + _labels("g", g.size) + ("",) * right
    return RowScene(
        cells=cells, ghost=ghost, cell_labels=labels, kernel=steps[0].kernel,
        windows=np.array([step.positions + left for step in steps]),
        products=np.array([step.products for step in steps]),
        outputs=np.array([step.total for step in steps]),
        output_labels=_labels("δ", len(steps)),
        input_name="g, zero-padded" if left + right else "g = ∇a²L",
        kernel_name="flip(w²)",
        products_name="products",
        output_name="δ = ∇h¹L",
    )


@dataclass(frozen=True, eq=False)
class JacobianTooltip:
    """The text for a cell of J: which tap of w² it holds (5.2 / 5.5), or why it is 0."""

    jac: np.ndarray
    taps: np.ndarray
    kind: str

    def __call__(self, i: int, n: int) -> str:
        """Tooltip of cell ``(i, n)`` (0-based)."""
        head = f"∂a²{subscript(i + 1)}/∂h¹{subscript(n + 1)}"
        tap = int(self.taps[i, n])
        if tap >= 0:
            shift = "n−i+1" if self.kind == "valid" else "n−i+k₂"
            return (f"{head} = w²{_sub(shift)} = w²{subscript(tap + 1)} = "
                    f"{short_number(self.jac[i, n])}\n(i = {i + 1}, n = {n + 1}: tap {tap + 1} of "
                    "the kernel)")
        reads = np.flatnonzero(self.taps[i] >= 0)
        return (f"{head} = 0: outside the band.\na²{subscript(i + 1)} only reads "
                f"h¹{subscript(int(reads[0]) + 1)} … h¹{subscript(int(reads[-1]) + 1)}")


def _matrix_scene(jac: np.ndarray, taps: np.ndarray, kind: str) -> MatrixScene:
    rows, cols = jac.shape
    return MatrixScene(
        values=jac, band=taps >= 0,
        row_labels=_labels("a²", rows), col_labels=_labels("h¹", cols),
        tooltip=JacobianTooltip(jac, taps, kind),
        captions=tuple(f"δ{subscript(n + 1)} = Σᵢ gᵢ Jᵢ{subscript(n + 1)}  (column {n + 1})"
                       for n in range(cols)),
        title=f"J = ∂a²/∂h¹   ({rows} × {cols})",
    )


@lru_cache(maxsize=64)
def _labels(name: str, count: int) -> tuple[str, ...]:
    return tuple(f"{name}{subscript(i + 1)}" for i in range(count))


def _sub(text: str) -> str:
    """Subscript a short index expression such as ``n−i+1`` (letters as Unicode subscripts)."""
    table = str.maketrans("0123456789−+nik₂", "₀₁₂₃₄₅₆₇₈₉₋₊ₙᵢₖ₂")
    return text.translate(table)


def _whole(name: str, most: int):
    def check(value: float) -> None:
        value = positive_int(value, name)
        if value > most:
            raise ValueError(f"{name} must be at most {most} here (so the cells stay readable)")
    return check


def _seed_check(value: float) -> None:
    value = positive_int(value, "seed", minimum=0)
    if value > MAX_SEED:
        raise ValueError(f"seed must be at most {MAX_SEED}")


def _fixed_text(parent: QWidget, height: int) -> QTextBrowser:
    """A frameless read-only text box whose size never depends on its text (no relayout)."""
    box = QTextBrowser(parent)
    box.setFrameShape(QFrame.Shape.NoFrame)
    box.setFixedHeight(height)
    box.setOpenLinks(False)
    box.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    box.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    return box


def shape_formulas(s: BackpropState, shapes: dict, tex: bool) -> tuple[str, str]:
    """``|a¹|`` and ``|a²|`` with the formula and the sizes written in; lengths from the model."""
    d, k1, k2 = s.d, s.k1, s.k2
    if s.kind == "valid":
        one = ("d - k_1 + 1", f"{d} - {k1} + 1")
        two = ("d - k_1 - k_2 + 2", f"{d} - {k1} - {k2} + 2")
    else:
        one = ("d + k_1 - 1", f"{d} + {k1} - 1")
        two = ("d + k_1 + k_2 - 2", f"{d} + {k1} + {k2} - 2")
    lines = []
    for name, (formula, filled), value in (("a^1", one, shapes["len_a1"]),
                                           ("a^2", two, shapes["len_a2"])):
        if tex:
            lines.append(f"$|{name}| = {formula} = {filled} = {value}$")
        else:
            plain = f"|{name}| = {formula} = {filled} = {value}"
            lines.append(plain.replace("-", "−").replace("^", "").replace("_", ""))
    return lines[0], lines[1]


class BackpropPanel(Panel):
    """The chain's Jacobian, the gradient three ways and the flipped kernel sliding backwards."""

    id = "backprop"
    title = "Backprop through convolution"
    questions = "5.1–5.6"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = BackpropState()
        self.result = compute(self.state)
        self._frame = self.result.grad_h1["formula"].size - 1
        self._rejected: set[QWidget] = set()
        self._shown: BackpropState | None = None
        #: What each view was last given (so unchanged views are not redrawn).
        self._shown_keys: dict[str, object] = {}
        #: Fit the plots' ranges to the data at the next update (at start-up and on reset).
        self._refit = True
        self._numeric: dict[str, np.ndarray] = {}
        self._numeric_for: BackpropView | None = None
        self._build()
        self.update_view()
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
        self.shape_one = EquationView("", "", points=10.5, parent=self)
        self.shape_two = EquationView("", "", points=10.5, parent=self)
        for view in (self.shape_one, self.shape_two):
            view.setFixedSize(330, 24)
        self.shape_note = _fixed_text(self, 64)
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
            "&d", s.d, decimals=0, slider=(1, MAX_D), validate=_whole("d", MAX_D), parent=chain,
            tooltip=f"Length of the input x (1 to {MAX_D}); a longer or shorter x is drawn "
                    "from the seed")
        self.k1_input = NumberInput(
            "k&₁", s.k1, decimals=0, slider=(1, MAX_K), validate=_whole("k₁", MAX_K),
            parent=chain, tooltip=f"Length of the first kernel w¹ (1 to {MAX_K})")
        self.k2_input = NumberInput(
            "k&₂", s.k2, decimals=0, slider=(1, MAX_K), validate=_whole("k₂", MAX_K),
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
            "&seed", s.seed, decimals=0, validate=_seed_check, parent=chain,
            tooltip="Seed of the small random integers in x, w¹, w², g and t")
        self.draw_button = QPushButton("draw again", chain)
        self.draw_button.setToolTip("Next seed: new random x, w¹, w², g and t of the same sizes")
        self.chain_error = ErrorCallout(self.kind_box)
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
        for key, label in UPSTREAMS.items():
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
        self.upstream_error = ErrorCallout(self.upstream_box)
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

        for widget in (self.d_input, self.k1_input, self.k2_input):
            widget.valueChanged.connect(self._sizes_edited)
        self.kind_box.currentTextChanged.connect(self._sizes_edited)
        self.seed_input.valueChanged.connect(self._seed_edited)
        self.draw_button.clicked.connect(self._draw_again)
        for widget in (self.x_input, self.w1_input, self.w2_input):
            widget.valueChanged.connect(self._vector_edited)
        self.g_input.valueChanged.connect(self._upstream_edited)
        self.t_input.valueChanged.connect(self._upstream_edited)
        self.upstream_box.currentIndexChanged.connect(self._upstream_chosen)
        return side

    # -- control -> state ----------------------------------------------------------------
    def _sizes_edited(self, _value: object = None) -> None:
        d, k1, k2 = (int(w.value()) for w in (self.d_input, self.k1_input, self.k2_input))
        self._try(lambda: resized(self.state, d, k1, k2, self.kind_box.currentText()),
                  self.sender())

    def _seed_edited(self, value: float) -> None:
        s = self.state
        self._try(lambda: resized(s, s.d, s.k1, s.k2, s.kind, seed=int(value)), self.sender())

    def _draw_again(self) -> None:
        s = self.state
        seed = 0 if s.seed >= MAX_SEED else s.seed + 1
        self._try(lambda: resized(s, s.d, s.k1, s.k2, s.kind, seed=seed), self.sender())

    def _vector_edited(self, _value: object = None) -> None:
        s = self.state
        x, w1, w2 = (self.x_input.value(), self.w1_input.value(), self.w2_input.value())

        def build() -> BackpropState:
            sized = resized(s, x.size, w1.size, w2.size, s.kind)
            return replace(sized, x=_tuple(x), w1=_tuple(w1), w2=_tuple(w2))

        self._try(build, self.sender())

    def _upstream_edited(self, _value: object = None) -> None:
        sender = self.sender()
        name = "g" if sender is self.g_input else "t"
        self._try(lambda: replace(self.state, **{name: _tuple(sender.value())}), sender)

    def _upstream_chosen(self, _index: int) -> None:
        self._try(lambda: replace(self.state, upstream=self.upstream_box.currentData()),
                  self.sender())

    def _try(self, build, source: QObject | None) -> bool:
        """Build a state from the controls and show it; on ValueError say why at ``source``."""
        try:
            self.set_state(build())
        except ValueError as exc:
            self._reject(str(exc), source)
            return False
        for widget in self._rejected:
            widget.clear_error()
        self._rejected.clear()
        self.chain_error.clear()
        self.upstream_error.clear()
        self._sync_controls()
        return True

    def _reject(self, message: str, source: QObject | None) -> None:
        if isinstance(source, VectorInput | NumberInput):
            source.show_error(message)
            self._rejected.add(source)
        else:
            label = self.upstream_error if source is self.upstream_box else self.chain_error
            label.show_message(message, source)
        # Controls that are not text fields go back to what the panel shows.
        self._sync_choices()

    def _sync_choices(self) -> None:
        s = self.state
        if self.kind_box.currentText() != s.kind:
            with QSignalBlocker(self.kind_box):
                self.kind_box.setCurrentText(s.kind)
        index = list(UPSTREAMS).index(s.upstream)
        if self.upstream_box.currentIndex() != index:
            with QSignalBlocker(self.upstream_box):
                self.upstream_box.setCurrentIndex(index)

    def _sync_controls(self) -> None:
        """Show the state in every control (only those that differ, so no restyling costs)."""
        s, r = self.state, self.result
        self._sync_choices()
        for widget, value in ((self.d_input, s.d), (self.k1_input, s.k1),
                              (self.k2_input, s.k2), (self.seed_input, s.seed)):
            if widget.value() != value or widget.error():
                widget.set_value(value)
        g = r.g if s.upstream == "target" else np.array(s.g)
        for widget, value in ((self.x_input, s.x), (self.w1_input, s.w1),
                              (self.w2_input, s.w2), (self.g_input, g), (self.t_input, s.t)):
            value = np.asarray(value, dtype=np.float64)
            shown = widget.value()
            if shown.shape != value.shape or not np.array_equal(shown, value) or widget.error():
                widget.set_value(value)
        target = s.upstream == "target"
        if self.g_input.isEnabled() == target:
            self.g_input.setEnabled(not target)
            self.t_input.setEnabled(target)

    def set_state(self, state: BackpropState) -> None:
        """Show ``state``; raise ValueError (and keep the current state) if the model rejects it."""
        result = compute(state)
        self.state, self.result = state, result
        self.update_view()

    # -- state -> model -> view ----------------------------------------------------------
    def update_view(self) -> None:
        """Move every view to :attr:`state` (the model's results are already computed).

        A view is redrawn only when what it shows changed: editing x, for instance, leaves
        the Jacobian and the sliding kernel as they were (and the animation where it was).
        """
        s, r = self.state, self.result
        if s != self._shown:
            row_key = (s.kind, s.w2, tuple(r.g))
            if row_key != self._shown_keys.get("row") or self._refit:
                # A new backward pass is shown finished; ▶ replays it from the first entry.
                self._frame = len(r.steps) - 1
                self.row_view.set_scene(r.row_scene, self._frame)
                self._shown_keys["row"] = row_key
            matrix_key = (s.kind, s.w2, r.jac.shape)
            if matrix_key != self._shown_keys.get("matrix") or self._refit:
                self.matrix_view.set_scene(r.matrix_scene, self._frame)
                self._shown_keys["matrix"] = matrix_key
            self._update_plots()
            self._refit = False
            self._update_formulas()
            self._update_forward()
            self._shown = s
        if self.playback.count() != len(r.steps):
            self.playback.set_count(len(r.steps))
        if self.playback.position() != self._frame:
            self.playback.set_position(self._frame)
        self.refresh_checks()
        self.changed.emit()

    def _update_plots(self) -> None:
        r = self.result
        for grads, plot in ((r.grad_h1, self.grad_plot), (r.grad_w2, self.w2_plot)):
            shown = {key: plot.series(key) for key in ("jacobian", "formula")
                     if key in plot.series_keys()}
            new = {key: grads[key] for key in ("jacobian", "formula")}
            if self._refit or any(key not in shown or not np.array_equal(shown[key], new[key])
                                  for key in new):
                plot.set_data(new, refit=self._refit)

    def _show_numeric(self) -> dict[str, np.ndarray]:
        """Finite differences for the state shown: compute once, move their markers and titles."""
        if self._numeric_for is not self.result:
            self._numeric = numeric_gradients(self.state, self.result)
            self._numeric_for = self.result
            r = self.result
            for grads, numeric, plot, name in (
                    (r.grad_h1, self._numeric["h1"], self.grad_plot, "∇h¹L"),
                    (r.grad_w2, self._numeric["w2"], self.w2_plot, "∇w²L")):
                plot.set_data({"numeric": numeric})
                gap = disagreement(grads["jacobian"], grads["formula"], numeric)
                plot.set_title(f"{name}: max disagreement {gap:.1e}", f"{name}: max |Δ| {gap:.1e}")
        return self._numeric

    def _update_formulas(self) -> None:
        s, r = self.state, self.result
        for kind, views in self.kind_formulas.items():
            if views[0].isHidden() == (kind == s.kind):
                for view in views:
                    view.setVisible(kind == s.kind)
        if s.kind == "valid":
            note = ("The valid chain needs k₁ ≤ d and k₁ + k₂ ≤ d + 1. Backwards, g gets "
                    f"{r.pads[0]} zero{'s' if r.pads[0] != 1 else ''} on each side (a full "
                    "convolution).")
        else:
            note = (f"The homework's 5.4 says d + k₁ + k₂ − 1: one more than the "
                    f"{r.shapes['len_a2']} entries of a² (see ERRATA.md). Backwards, g needs no "
                    "zeros (a valid convolution).")
        one, two = shape_formulas(s, r.shapes, tex=True)
        plain_one, plain_two = shape_formulas(s, r.shapes, tex=False)
        self.shape_one.set_tex(one, plain_one)
        self.shape_two.set_tex(two, plain_two)
        if note != self.shape_note.toPlainText():
            self.shape_note.setPlainText(note)

    def _update_forward(self) -> None:
        s, r = self.state, self.result
        f = r.forward
        lines = [f"{name} = [{format_vector(values)}]" for name, values in (
            ("x", np.array(s.x)), ("a¹", f["a1"]), ("h¹ = ReLU(a¹)", f["h1"]), ("a²", f["a2"]),
            ("g = ∇a²L", r.g))]
        if r.loss is not None:
            lines.append(f"L = ½‖a² − t‖² = {r.loss:g}")
        else:
            lines.append("L: any loss whose gradient at a² is g")
        text = "\n".join(lines)
        if text != self.forward_text.text():
            self.forward_text.setText(text)

    def _show_frame(self, frame: int) -> None:
        self._frame = frame
        self.row_view.set_frame(frame)
        self.matrix_view.set_column(frame)
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
        self._show_frame(0 if frame >= len(self.result.steps) else frame)

    def bench_change(self, i: int) -> None:
        """Cycle a kernel edit, the chain kind, k₂ and an input edit, as a student would."""
        step = i % 6
        s = self.state
        if step == 0:
            self.w2_input.set_value(np.array(s.w2)[::-1] if s.k2 > 1 else np.array(s.w2) + 1)
            self._vector_edited()
        elif step in (1, 2):
            self.kind_box.setCurrentText("full" if step == 1 else "valid")
        elif step in (3, 4):
            self.k2_input.set_value(4 if step == 3 else 3)
            self._sizes_edited()
        else:
            self.x_input.set_value(np.array(s.x)[::-1])
            self._vector_edited()

    def reset(self) -> None:
        """Back to the default chain: d = 8, k₁ = k₂ = 3, valid, seed 32, random g."""
        self.playback.pause()
        for widget in self._rejected:
            widget.clear_error()
        self._rejected.clear()
        self.chain_error.clear()
        self.upstream_error.clear()
        self._refit = True
        self.set_state(BackpropState())
        self._sync_controls()

    def state_dict(self) -> dict:
        """The chain kind, the seed, x, w¹, w², and the upstream gradient g or target t."""
        s = self.state
        return {"kind": s.kind, "seed": int(s.seed), "x": list(s.x), "w1": list(s.w1),
                "w2": list(s.w2), "upstream": s.upstream, "g": list(s.g), "t": list(s.t)}

    def load_state_dict(self, state: dict) -> None:
        """Show a saved :meth:`state_dict`; ValueError (nothing changes) if it is not valid."""
        read = saved_state
        data = read.section(state)
        candidate = BackpropState(
            kind=read.choice(data, "kind", bp.KINDS), seed=read.whole(data, "seed", 0, MAX_SEED),
            x=read.vector(data, "x", 1, MAX_D), w1=read.vector(data, "w1", 1, MAX_K),
            w2=read.vector(data, "w2", 1, MAX_K), upstream=read.choice(data, "upstream", UPSTREAMS),
            g=read.vector(data, "g"), t=read.vector(data, "t"))
        s = candidate
        length = bp.chain_shapes(s.d, s.k1, s.k2, s.kind)["len_a2"]
        for name in ("g", "t"):  # both, so switching the upstream later needs no new draw
            if len(getattr(s, name)) != length:
                raise ValueError(f"{name} must have |a²| = {length} entries, "
                                 f"got {len(getattr(s, name))}")
        refit, self._refit = self._refit, True
        try:
            self.set_state(candidate)  # asks the model before anything changes
        except ValueError:
            self._refit = refit
            raise
        for widget in self._rejected:
            widget.clear_error()
        self._rejected.clear()
        self.chain_error.clear()
        self.upstream_error.clear()
        self._sync_controls()

    def quiz(self, seed: int = 0) -> list[Question]:
        """Check-yourself questions on the chain: |a²|, an entry of ∇h¹L, a Jacobian entry."""
        s = self.state
        return backprop_questions(s.x, s.w1, s.w2, self.result.g, s.kind, seed)

    def checks(self) -> list[Check]:
        """The gradients three ways, the animation's sums, and the lengths against 5.1/5.4."""
        s, r = self.state, self.result
        tol = self.tolerance()
        if s.kind == "valid":
            expected = [s.d - s.k1 + 1, s.d - s.k1 - s.k2 + 2]
        else:
            expected = [s.d + s.k1 - 1, s.d + s.k1 + s.k2 - 2]
        shown = [r.shapes["len_a1"], r.shapes["len_a2"], r.forward["a1"].size,
                 r.forward["a2"].size, r.jac.shape[0], r.jac.shape[1]]
        reference = expected + expected + [expected[1], expected[0]]
        h1, w2 = r.grad_h1, r.grad_w2
        numeric = self._show_numeric()
        steps = np.array([step.products.sum() for step in r.steps])
        return [
            Check.compare("∇h¹L: Jᵀg = flipped-kernel convolution", h1["jacobian"],
                          h1["formula"], tol),
            Check.compare("∇h¹L = finite differences", h1["formula"], numeric["h1"], tol),
            Check.compare("∇w²L three ways agree",
                          np.concatenate([w2["jacobian"], w2["formula"]]),
                          np.concatenate([w2["formula"], numeric["w2"]]), tol),
            Check.compare("animation sums = ∇h¹L", steps, h1["formula"], tol),
            Check.compare("lengths match 5.1/5.4", shown, reference, 0.0),
        ]

    def numeric(self) -> dict[str, np.ndarray]:
        """The finite-difference gradients (``h1``, ``w2``) for the state shown."""
        return self._show_numeric()

    def tolerance(self) -> float:
        """1e-8, or more when the numbers are so large that rounding alone exceeds it.

        Central differences of L carry a rounding error of about eps · |terms of L| / step
        (step 1e-3); with the panel's small integers that is far below 1e-8.
        """
        r = self.result
        scale = 1.0 + float(np.abs(r.forward["a2"]).max() + np.abs(r.g).max()
                            + np.abs(np.array(self.state.t)).max())
        return max(TOLERANCE, 1e-12 * scale**2 * r.g.size)

    # -- data for File ▸ Export data as CSV ----------------------------------------------------
    def tables(self) -> dict[str, tuple[list[str], list[list]]]:
        """The chain's vectors, the gradients three ways, the Jacobian and the backward steps."""
        s, r = self.state, self.result
        numeric = self._show_numeric()
        f = r.forward
        vectors = [("x", s.x), ("w1", s.w1), ("w2", s.w2), ("a1 = x * w1", f["a1"]),
                   ("h1 = ReLU(a1)", f["h1"]), ("a2 = h1 * w2", f["a2"])]
        if s.upstream == "target":
            vectors.append(("t (target)", s.t))
        vectors += [("g = dL/da2", r.g),
                    ("dL/dh1 (J^T g)", r.grad_h1["jacobian"]),
                    ("dL/dh1 (flipped-kernel convolution)", r.grad_h1["formula"]),
                    ("dL/dh1 (finite differences)", numeric["h1"]),
                    ("dL/dw2 (J^T g)", r.grad_w2["jacobian"]),
                    ("dL/dw2 (correlation of h1 with g)", r.grad_w2["formula"]),
                    ("dL/dw2 (finite differences)", numeric["w2"])]
        width = max(len(values) for _, values in vectors)
        k2 = s.k2
        steps = [[step.index + 1, int(step.positions[0]) + 1, *step.values, *step.products,
                  step.total] for step in r.steps]
        jac = r.jac
        settings = [["convolutions", s.kind], ["d", s.d], ["k1", s.k1], ["k2", s.k2],
                    ["|a1|", r.shapes["len_a1"]], ["|a2|", r.shapes["len_a2"]],
                    ["seed", s.seed], ["upstream gradient", s.upstream]]
        if r.loss is not None:
            settings.append(["L = ½‖a2 − t‖²", r.loss])
        return {
            "vectors": (["vector", *(str(i + 1) for i in range(width))],
                        [[name, *np.asarray(values, dtype=np.float64).tolist()]
                         for name, values in vectors]),
            "Jacobian da2_i/dh1_n": (["i \\ n", *(str(n + 1) for n in range(jac.shape[1]))],
                                     [[i + 1, *row] for i, row in enumerate(jac.tolist())]),
            "backward steps: flip(w2) over the zero-padded g (g index ≤ 0 or > |a2|: padding)": (
                ["entry n of dL/dh1", "g index under the first tap",
                 *(f"g under tap {j + 1}" for j in range(k2)),
                 *(f"product {j + 1}" for j in range(k2)), "dL/dh1_n = sum of products"],
                steps),
            "settings": (["setting", "value"], settings),
        }
