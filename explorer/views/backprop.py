"""Question 5's panel, worked out from its state.

A two-layer 1-D convolution chain (valid or full): its forward pass, the Jacobian ∂a²/∂h¹, the
gradient with respect to h¹ and to w² three ways (chain rule, sliding kernel, finite
differences), the backward pass as a sliding-window scene, and the checks.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np

from explorer.model import backprop as bp
from explorer.model import conv
from explorer.model.checks import Check
from explorer.model.validation import positive_int
from explorer.views.fields import FieldError, as_tuple
from explorer.views.scenes import MatrixScene, RowScene
from explorer.views.text import format_vector, short_number, subscript

# Beyond these sizes the cells get too small to read at 1280 x 800: the panel says so instead.
MAX_D = 12
MAX_K = 5
MAX_SEED = 2**31 - 1
#: Where the upstream gradient g comes from: typed (random at first), or a - t for a target t.
UPSTREAMS = ("random", "target")
#: The checks' tolerance for normal-sized numbers (the issue asks for agreement under 1e-8).
#: Largest |entry| of x, the kernels, g and t: the chain multiplies three of them, and the
#: checks square that.
MAX_ENTRY = 1e50
TOLERANCE = 1e-8




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
    x: tuple[float, ...] = as_tuple(_SEEDED["x"])
    w1: tuple[float, ...] = as_tuple(_SEEDED["w1"])
    w2: tuple[float, ...] = as_tuple(_SEEDED["w2"])
    upstream: str = "random"
    g: tuple[float, ...] = as_tuple(_SEEDED["grad_a2"])
    t: tuple[float, ...] = as_tuple(_SEEDED["t"])

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


def _seeded(seed: int, role: str, length: int) -> tuple[float, ...]:
    return as_tuple(bp.seeded_vector(seed, role, length))


def _limits(d: int, k1: int, k2: int) -> None:
    if d > MAX_D:
        raise FieldError("x", f"d = {d}: at most {MAX_D} entries fit on screen")
    for field, name, k in (("w1", "k₁", k1), ("w2", "k₂", k2)):
        if k > MAX_K:
            raise FieldError(field, f"{name} = {k}: kernels of at most {MAX_K} taps fit on "
                                    "screen")




def _size_rule(field: str, name: str, most: int):
    """The rule of the size ``name`` (d, k₁ or k₂) of the vector ``field``."""
    def check(value: float) -> None:
        try:
            value = positive_int(value, name)
        except ValueError as exc:
            raise FieldError(field, str(exc)) from None
        if value > most:
            raise FieldError(field, f"{name} must be at most {most} here (so the cells stay "
                                    "readable)")
    return check


check_d = _size_rule("x", "d", MAX_D)
check_k1 = _size_rule("w1", "k₁", MAX_K)
check_k2 = _size_rule("w2", "k₂", MAX_K)


def check_seed(value: float) -> None:
    """The seed's rule: a whole number from 0 to :data:`MAX_SEED`."""
    try:
        value = positive_int(value, "seed", minimum=0)
    except ValueError as exc:
        raise FieldError("seed", str(exc)) from None
    if value > MAX_SEED:
        raise FieldError("seed", f"seed must be at most {MAX_SEED}")


def with_vector(state: BackpropState, name: str, values: tuple[float, ...]) -> BackpropState:
    """``state`` with x, w1 or w2 typed anew; a new length resizes the vectors that follow it."""
    sizes = {"x": state.d, "w1": state.k1, "w2": state.k2, name: len(values)}
    return replace(resized(state, sizes["x"], sizes["w1"], sizes["w2"], state.kind),
                   **{name: values})


def disagreement(*ways: np.ndarray) -> float:
    """Largest difference between any two of ``ways``."""
    return float(max(np.max(np.abs(a - b)) for i, a in enumerate(ways) for b in ways[i + 1:]))


@dataclass(frozen=True, eq=False)
class BackpropView:
    """What the model says about a :class:`BackpropState`; the panel only moves items to it."""

    state: BackpropState
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

    @cached_property
    def numeric(self) -> dict[str, np.ndarray]:
        """Finite differences through the second layer (and the loss, for a target).

        ``h1`` (the gradient with respect to h¹) and ``w2``; each perturbs one entry at a time
        and runs the layer again, never using the Jacobian or a flipped kernel. Worked out when
        first asked (by the checks, which run throttled), so a drag never waits for them.
        """
        s, h1, w2 = self.state, self.forward["h1"], np.array(self.state.w2)
        if s.upstream == "target":
            t = np.array(s.t)
            return {"h1": bp.numeric_grad_h1_target(h1, w2, t, s.kind),
                    "w2": bp.numeric_grad_w2_target(h1, w2, t, s.kind)}
        return {"h1": bp.numeric_grad_h1(h1, w2, self.g, s.kind),
                "w2": bp.numeric_grad_w2(h1, w2, self.g, s.kind)}

    def tolerance(self) -> float:
        """1e-8, or more when the numbers are so large that rounding alone exceeds it.

        Central differences of L carry a rounding error of about eps · |terms of L| / step
        (step 1e-3); with the panel's small integers that is far below 1e-8.
        """
        scale = 1.0 + float(np.abs(self.forward["a2"]).max() + np.abs(self.g).max()
                            + np.abs(np.array(self.state.t)).max())
        return max(TOLERANCE, 1e-12 * scale**2 * self.g.size)

    def note(self) -> str:
        """What the lengths mean for this kind of chain, forwards and backwards."""
        if self.state.kind == "valid":
            zeros = self.pads[0]
            return ("The valid chain needs k₁ ≤ d and k₁ + k₂ ≤ d + 1. Backwards, g gets "
                    f"{zeros} zero{'s' if zeros != 1 else ''} on each side (a full "
                    "convolution).")
        return (f"The homework's 5.4 says d + k₁ + k₂ − 1: one more than the "
                f"{self.shapes['len_a2']} entries of a² (see ERRATA.md). Backwards, g needs no "
                "zeros (a valid convolution).")

    def forward_text(self) -> str:
        """The chain's values, one line each, and the loss."""
        f = self.forward
        lines = [f"{name} = [{format_vector(values)}]" for name, values in (
            ("x", np.array(self.state.x)), ("a¹", f["a1"]), ("h¹ = ReLU(a¹)", f["h1"]),
            ("a²", f["a2"]), ("g = ∇a²L", self.g))]
        if self.loss is not None:
            lines.append(f"L = ½‖a² − t‖² = {self.loss:g}")
        else:
            lines.append("L: any loss whose gradient at a² is g")
        return "\n".join(lines)

    def checks(self) -> list[Check]:
        """The gradients three ways, the animation's sums, and the lengths against 5.1/5.4."""
        s = self.state
        tol = self.tolerance()
        if s.kind == "valid":
            expected = [s.d - s.k1 + 1, s.d - s.k1 - s.k2 + 2]
        else:
            expected = [s.d + s.k1 - 1, s.d + s.k1 + s.k2 - 2]
        shown = [self.shapes["len_a1"], self.shapes["len_a2"], self.forward["a1"].size,
                 self.forward["a2"].size, self.jac.shape[0], self.jac.shape[1]]
        reference = expected + expected + [expected[1], expected[0]]
        h1, w2, numeric = self.grad_h1, self.grad_w2, self.numeric
        steps = np.array([step.products.sum() for step in self.steps])
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

    def tables(self) -> dict[str, tuple[list[str], list[list]]]:
        """The chain's vectors, the gradients three ways, the Jacobian and the backward steps."""
        s, numeric, f = self.state, self.numeric, self.forward
        vectors = [("x", s.x), ("w1", s.w1), ("w2", s.w2), ("a1 = x * w1", f["a1"]),
                   ("h1 = ReLU(a1)", f["h1"]), ("a2 = h1 * w2", f["a2"])]
        if s.upstream == "target":
            vectors.append(("t (target)", s.t))
        vectors += [("g = dL/da2", self.g),
                    ("dL/dh1 (J^T g)", self.grad_h1["jacobian"]),
                    ("dL/dh1 (flipped-kernel convolution)", self.grad_h1["formula"]),
                    ("dL/dh1 (finite differences)", numeric["h1"]),
                    ("dL/dw2 (J^T g)", self.grad_w2["jacobian"]),
                    ("dL/dw2 (correlation of h1 with g)", self.grad_w2["formula"]),
                    ("dL/dw2 (finite differences)", numeric["w2"])]
        width = max(len(values) for _, values in vectors)
        steps = [[step.index + 1, int(step.positions[0]) + 1, *step.values, *step.products,
                  step.total] for step in self.steps]
        jac = self.jac
        settings = [["convolutions", s.kind], ["d", s.d], ["k1", s.k1], ["k2", s.k2],
                    ["|a1|", self.shapes["len_a1"]], ["|a2|", self.shapes["len_a2"]],
                    ["seed", s.seed], ["upstream gradient", s.upstream]]
        if self.loss is not None:
            settings.append(["L = ½‖a2 − t‖²", self.loss])
        return {
            "vectors": (["vector", *(str(i + 1) for i in range(width))],
                        [[name, *np.asarray(values, dtype=np.float64).tolist()]
                         for name, values in vectors]),
            "Jacobian da2_i/dh1_n": (["i \\ n", *(str(n + 1) for n in range(jac.shape[1]))],
                                     [[i + 1, *row] for i, row in enumerate(jac.tolist())]),
            "backward steps: flip(w2) over the zero-padded g (g index ≤ 0 or > |a2|: padding)": (
                ["entry n of dL/dh1", "g index under the first tap",
                 *(f"g under tap {j + 1}" for j in range(s.k2)),
                 *(f"product {j + 1}" for j in range(s.k2)), "dL/dh1_n = sum of products"],
                steps),
            "settings": (["setting", "value"], settings),
        }


def compute(s: BackpropState, previous: BackpropView | None = None) -> BackpropView:
    """Ask the model for everything the panel shows; ValueError if it refuses ``s``.

    The finite differences wait until the checks ask for them (:attr:`BackpropView.numeric`).
    """
    _limits(s.d, s.k1, s.k2)
    check_seed(s.seed)
    for name in ("x", "w1", "w2", "g", "t"):
        values = np.abs(np.array(getattr(s, name), dtype=np.float64))
        if values.size and values.max() > MAX_ENTRY:
            raise FieldError(name, f"{name}'s entries must lie within ±{MAX_ENTRY:g} here (their "
                                   f"products and squares must stay finite), got "
                                   f"{values.max():g}")
    if s.kind not in bp.KINDS:
        raise FieldError("kind", f"the convolutions are one of {', '.join(bp.KINDS)}")
    if s.upstream not in UPSTREAMS:
        raise FieldError("upstream", f"upstream must be one of {', '.join(UPSTREAMS)}")
    x, w1, w2 = np.array(s.x), np.array(s.w1), np.array(s.w2)
    shapes = bp.chain_shapes(s.d, s.k1, s.k2, s.kind)
    for name in ("g", "t"):  # both, so switching the upstream later needs no new draw
        if len(getattr(s, name)) != shapes["len_a2"]:
            raise FieldError(name, f"{name} must have |a²| = {shapes['len_a2']} entries, "
                                   f"got {len(getattr(s, name))}")
    forward = bp.forward_chain(x, w1, w2, s.kind)
    h1, a2 = forward["h1"], forward["a2"]
    if s.upstream == "target":
        t = np.array(s.t)
        with np.errstate(over="ignore", invalid="ignore"):
            g = bp.grad_a2_target(a2, t)
            loss = bp.target_loss(a2, t)
        if not (np.isfinite(loss) and np.all(np.isfinite(g))):
            raise FieldError("t", "the loss ½‖a² − t‖² overflows float64: use a target t "
                                  "closer to a²")
    else:
        g = np.array(s.g)
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
        state=s, shapes=shapes, forward=forward, g=g, loss=loss, jac=jac, taps=taps,
        grad_h1=grad_h1, steps=steps, pads=pads, jac_w2=jac_w2, grad_w2=grad_w2,
        row_scene=_row_scene(g, s.k2, mode, steps, pads),
        matrix_scene=_matrix_scene(jac, taps, s.kind),
    )


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


def _labels(name: str, count: int) -> tuple[str, ...]:
    return tuple(f"{name}{subscript(i + 1)}" for i in range(count))


def _sub(text: str) -> str:
    """Subscript a short index expression such as ``n−i+1`` (letters as Unicode subscripts)."""
    table = str.maketrans("0123456789−+nik₂", "₀₁₂₃₄₅₆₇₈₉₋₊ₙᵢₖ₂")
    return text.translate(table)



def shape_formulas(s: BackpropState, shapes: dict, html: bool) -> tuple[str, str]:
    """``|a¹|`` and ``|a²|`` with the formula and the sizes written in; lengths from the model.

    ``html``: with italic letters and sub- and superscripts; else plain text.
    """
    d, k1, k2 = s.d, s.k1, s.k2
    sign, back = ("+", "−") if s.kind == "full" else ("−", "+")
    one = (f"d {sign} k_1 {back} 1", f"{d} {sign} {k1} {back} 1")
    two = (f"d {sign} k_1 {sign} k_2 {back} 2", f"{d} {sign} {k1} {sign} {k2} {back} 2")
    lines = []
    for name, (formula, filled), value in (("a^1", one, shapes["len_a1"]),
                                           ("a^2", two, shapes["len_a2"])):
        text = f"|{name}| = {formula} = {filled} = {value}"
        if html:
            for letter in ("a", "d", "k"):
                text = text.replace(letter, f"<i>{letter}</i>")
            for mark, tag in (("^", "sup"), ("_", "sub")):
                for digit in "12":
                    text = text.replace(f"{mark}{digit}", f"<{tag}>{digit}</{tag}>")
        else:
            text = text.replace("^1", "¹").replace("^2", "²").replace("_1", "₁").replace("_2", "₂")
        lines.append(text)
    return lines[0], lines[1]


