"""The convolution panel's third tab: the transposed convolution, and why it is a gradient.

A forward 2-D convolution (kernel w, stride s, padding p, dilation d) maps an input X to an
output Y. Carrying an upstream gradient g = ∂L/∂Y back to ∂L/∂X is a transposed convolution of
g with the same kernel and settings. This module works out, from the tab's state, the pictures
of that operation (every input cell stamping the kernel; zeros inserted and a plain convolution;
how many stamps overlap; the forward convolution as a matrix C, whose transpose it is) and the
checks of the gradient link. Pure numpy: no Qt.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from explorer.model import conv
from explorer.model.checks import Check
from explorer.views.fields import FieldError, as_tuple, grid_rule, whole_rule
from explorer.views.scenes import GridScene, MatrixScene, StampScene
from explorer.views.text import matrix_table, short_number, subscript

# Beyond these the cells get too small to read on a 1280 x 720 screen.
MAX_UPSTREAM = 7
MAX_KERNEL = 4
MAX_STRIDE = 4
MAX_PADDING = 4
MAX_DILATION = 3
MAX_OUTPUT = 12

#: The pictures of one transposed convolution: input cells stamping the kernel; zeros inserted,
#: then a plain convolution; how many stamps add into each output cell; the matrix Cᵀ.
PICTURES = ("scatter", "gather", "counts", "matrix")

#: conv_arithmetic's transposed cases and the checkerboard pair: (side of g, side of the
#: kernel, stride, padding, output_padding, all ones). With ones in g and in the kernel the
#: output *is* the overlap count, so the checkerboard shows in the numbers too.
PRESETS = {
    "no padding, unit stride": (2, 3, 1, 0, 0, False),
    "padding": (6, 4, 1, 2, 0, False),
    "full padding": (7, 3, 1, 2, 0, False),
    "stride 2": (2, 3, 2, 0, 0, False),
    "stride 2 with padding": (3, 3, 2, 1, 0, False),
    "odd size: output_padding": (3, 3, 2, 1, 1, False),
    "checkerboard: k 3, s 2": (3, 3, 2, 0, 0, True),
    "even: k 4, s 2": (3, 4, 2, 1, 0, True),
}


@dataclass(frozen=True)
class Transposed:
    """The transposed convolution of g (the forward output's shape) with a kernel."""

    #: The upstream gradient ∂L/∂Y: the transposed convolution's input.
    g: tuple[tuple[float, ...], ...] = as_tuple(conv.SEED_UPSTREAM2D)
    w: tuple[tuple[float, ...], ...] = as_tuple(conv.SEED_KERNEL2D)
    stride: int = 1
    padding: int = 0
    dilation: int = 1
    output_padding: int = 0
    #: The picture shown: one of :data:`PICTURES`.
    picture: str = "scatter"


def preset(name: str) -> dict[str, object]:
    """The fields of :class:`Transposed` that preset ``name`` sets (dilation goes back to 1)."""
    side, k, stride, padding, output_padding, ones = PRESETS[name]
    g = np.ones((side, side)) if ones else np.tile(conv.SEED_UPSTREAM2D, (3, 3))[:side, :side]
    w = np.ones((k, k)) if ones else np.tile(conv.SEED_KERNEL2D, (2, 2))[:k, :k]
    return {"g": as_tuple(g), "w": as_tuple(w), "stride": stride, "padding": padding,
            "dilation": 1, "output_padding": output_padding}


# -- each field's own rule -----------------------------------------------------------------------
check_upstream = grid_rule("three.g", MAX_UPSTREAM, "g")
check_kernel = grid_rule("three.w", MAX_KERNEL, "the kernel")
check_stride = whole_rule("three.stride", 1, MAX_STRIDE)
check_padding = whole_rule("three.padding", 0, MAX_PADDING)
check_dilation = whole_rule("three.dilation", 1, MAX_DILATION)
# The model says how large it may be (below max(stride, dilation)); here only its form.
check_output_padding = whole_rule("three.output_padding", 0, max(MAX_STRIDE, MAX_DILATION) - 1)


def size_formula(i: int, k: int, s: int, p: int, d: int, op: int, o: int, tex: bool = False,
                 lhs: str = "") -> str:
    """The transposed convolution's output size with the numbers put in; ``o`` is the model's."""
    lead = f"{lhs} " if lhs else ""
    if tex:
        return (rf"${lead}({i}-1)\cdot{s} - 2\cdot{p} + {d}\cdot({k}-1) + {op} + 1 = {o}$")
    return f"{lead}({i} − 1)·{s} − 2·{p} + {d}·({k} − 1) + {op} + 1 = {o}"


def _labels(name: str, shape: tuple[int, int]) -> tuple[str, ...]:
    return tuple(f"{name}{subscript(r + 1)},{subscript(c + 1)}"
                 for r in range(shape[0]) for c in range(shape[1]))


@dataclass(frozen=True, eq=False)
class TransposedView:
    """What the model says about a :class:`Transposed`."""

    state: Transposed
    #: The transposed convolution of g: ∂L/∂X, of the forward input's shape.
    outputs: np.ndarray
    #: How many kernel stamps add into each output cell.
    counts: np.ndarray
    #: The forward output's shape for an input of ``outputs``'s shape; g fills its top left
    #: (all of it unless output_padding reaches the stride).
    forward: tuple[int, int]
    #: The forward convolution as a matrix: ``C @ X.ravel() == conv(X).ravel()``.
    matrix: np.ndarray
    #: ∂L/∂X by central differences of L(X) = Σ conv(X) · g.
    differences: np.ndarray
    #: g placed in an array of the forward output's shape.
    g_forward: np.ndarray
    #: The gather picture's convolution: it must be the outputs (so must the stamps' sum).
    gathered: np.ndarray
    scatter: StampScene
    ones: StampScene
    gather: GridScene
    transpose: MatrixScene

    def formulas(self, tex: bool) -> list[str]:
        """The output-size formula with the numbers in: one line, or rows and columns."""
        t = self.state
        (h, wd), (kh, kw) = np.shape(t.g), np.shape(t.w)
        oh, ow = self.outputs.shape
        args = (t.stride, t.padding, t.dilation, t.output_padding)
        if (h, kh) == (wd, kw):
            return [size_formula(h, kh, *args, oh, tex=tex, lhs="o =")]
        rows, cols = (r"o_{\mathrm{rows}} =", r"o_{\mathrm{cols}} =") if tex else \
            ("rows: o =", "columns: o =")
        return [size_formula(h, kh, *args, oh, tex=tex, lhs=rows),
                size_formula(wd, kw, *args, ow, tex=tex, lhs=cols)]

    def frames(self) -> int:
        """How many steps the shown picture's animation has."""
        if self.state.picture == "gather":
            return int(self.outputs.size)
        if self.state.picture == "matrix":  # a column of Cᵀ per entry of the forward output
            return int(self.g_forward.size)
        return int(np.size(self.state.g))

    def even_inside(self) -> bool:
        """Whether the cells away from the edges get as many stamps each: no checkerboard."""
        return even_inside(np.shape(self.state.w), self.state.stride, self.state.dilation)

    def checks(self) -> list[Check]:
        """The gradient link against finite differences and the matrix; the pictures' sums."""
        scale = 1.0 + float(np.abs(self.scatter.products).sum())
        tol = 1e-12 * scale
        fd_tol = 1e-9 * scale  # central differences of a linear function: rounding only
        g = np.asarray(self.state.g, dtype=np.float64)
        ones = conv.conv_transpose2d(np.ones(g.shape), np.ones(np.shape(self.state.w)),
                                     *self._settings())
        return [
            Check.compare("∂L/∂X by finite differences", self.outputs,
                          self.differences, fd_tol),
            Check.compare("output = Cᵀg", self.outputs.ravel(),
                          self.matrix.T @ self.g_forward.ravel(), tol),
            Check.compare("Σ stamps = gather = output",
                          np.concatenate([self.scatter.partials[-1].ravel(),
                                          self.gathered.ravel()]),
                          np.concatenate([self.outputs.ravel(), self.outputs.ravel()]), tol),
            Check.compare("counts = stamps of ones", self.counts, ones, 0.0),
        ]

    def _settings(self) -> tuple[int, int, int, int]:
        t = self.state
        return t.stride, t.padding, t.dilation, t.output_padding

    def tables(self) -> dict[str, tuple[list[str], list[list]]]:
        """The arrays of the tab, as on screen."""
        t, matrix = self.state, matrix_table
        return {
            "transposed: g = ∂L/∂Y": matrix(t.g),
            "transposed: kernel": matrix(t.w),
            "transposed: output = ∂L/∂X": matrix(self.outputs),
            "transposed: overlap counts": matrix(self.counts),
            "transposed: gather input (zeros inserted)": matrix(self.gather.cells),
            "transposed: C (forward convolution as a matrix)": matrix(self.matrix),
            "transposed: settings": (["setting", "value"], [
                ["stride", t.stride], ["padding", t.padding], ["dilation", t.dilation],
                ["output_padding", t.output_padding], ["picture", t.picture]]),
        }


def even_inside(kernel_shape: tuple[int, ...], stride: int, dilation: int) -> bool:
    """Whether a transposed convolution's stamps cover the cells away from the edges evenly.

    Along an axis, a cell's stamps are the taps ``a`` with ``a d ≡ y + p (mod s)``; the
    counts are even when every offset modulo the stride gets as many taps (``s`` divides
    ``k`` when ``d = 1``). Otherwise they repeat unevenly: the checkerboard.
    """
    for k in kernel_shape:
        taps = np.bincount((np.arange(k) * dilation) % stride, minlength=stride)
        if taps.min() != taps.max():
            return False
    return True


def _model_error(exc: ValueError) -> FieldError:
    """A refusal of the model's, at the field it is about."""
    text = str(exc)
    field = "three.output_padding" if text.startswith("output_padding") else "three.padding"
    return FieldError(field, text)


def compute(t: Transposed, previous: TransposedView | None = None) -> TransposedView:
    """Ask the model for everything the tab shows; ValueError if it refuses ``t``.

    Another picture of ``previous``'s numbers reuses them: every picture is worked out.
    """
    if previous is not None and t.picture in PICTURES \
            and dataclasses.replace(previous.state, picture=t.picture) == t:
        return dataclasses.replace(previous, state=t)
    g, w = np.array(t.g, dtype=np.float64), np.array(t.w, dtype=np.float64)
    check_upstream(g)
    check_kernel(w)
    check_stride(t.stride)
    check_padding(t.padding)
    check_dilation(t.dilation)
    check_output_padding(t.output_padding)
    if t.picture not in PICTURES:
        raise FieldError("three.picture", f"the picture is one of {', '.join(PICTURES)}")
    settings = (t.stride, t.padding, t.dilation, t.output_padding)
    try:
        shape = conv.conv_transpose_output_shape2d(g.shape, w.shape, *settings)
    except ValueError as exc:
        raise _model_error(exc) from None
    if max(shape) > MAX_OUTPUT:
        raise FieldError("three", f"the output would be {shape[0]} × {shape[1]}; at most "
                                  f"{MAX_OUTPUT} × {MAX_OUTPUT} fit on screen")
    outputs = conv.conv_transpose2d(g, w, *settings)
    steps = conv.transpose_scatter_trace2d(g, w, *settings)
    counts = conv.overlap_counts2d(g.shape, w.shape, *settings)

    # The forward convolution of an input of the output's shape, as a matrix, and g in its
    # output's shape (output_padding ≥ stride makes that output larger than g: zeros there).
    s, p, d, _ = settings
    forward = conv.output_shape2d(shape, w.shape, s, p, d)
    g_forward = np.zeros(forward)
    g_forward[:g.shape[0], :g.shape[1]] = g
    basis = np.eye(outputs.size).reshape(outputs.size, *shape)
    matrix = np.stack([conv.convolve2d(e, w, s, p, d).ravel() for e in basis], axis=1)
    band = np.stack([conv.convolve2d(e, np.ones(w.shape), s, p, d).ravel() for e in basis],
                    axis=1) != 0

    def loss(x: np.ndarray) -> float:
        return float((conv.convolve2d(x, w, s, p, d) * g_forward).sum())

    h, start = 0.5, np.ones(shape)
    differences = np.array([(loss(start + h * e) - loss(start - h * e)) / (2 * h)
                            for e in basis]).reshape(shape)

    scatter = _stamp_scene(t, g, w, steps, outputs, shape)
    ones_steps = conv.transpose_scatter_trace2d(np.ones(g.shape), np.ones(w.shape), *settings)
    ones = _stamp_scene(t, np.ones(g.shape), np.ones(w.shape), ones_steps, counts, shape,
                        counting=True)
    gather, gathered = _gather_scene(t, g, w, outputs)
    transpose = _matrix_scene(matrix.T, band.T, g_forward, shape)
    return TransposedView(t, outputs, counts, forward, matrix, differences, g_forward,
                          gathered, scatter, ones, gather, transpose)


def _stamp_scene(t: Transposed, g: np.ndarray, w: np.ndarray, steps: list,
                 outputs: np.ndarray, shape: tuple[int, int],
                 counting: bool = False) -> StampScene:
    p = t.padding
    canvas = (shape[0] + 2 * p, shape[1] + 2 * p)  # the output before padding cut p a side
    contributions = np.array([step.contribution() for step in steps])
    reached = np.zeros(contributions.shape, dtype=bool)
    for n, step in enumerate(steps):
        rows, cols = np.nonzero(step.inside)
        reached[n, step.rows[rows], step.cols[cols]] = True
    labels = _labels("g", g.shape)
    captions = []
    for n, step in enumerate(steps):
        lost = int((~step.inside).sum())
        where = _stamp_place(step)
        if counting:
            text = f"the stamp of {labels[n]} adds 1 {where}"
        else:
            v = short_number(step.value)
            text = f"{labels[n]} = {v} adds {v}·w {where}"
        if lost:
            text += f"; {lost} of its {step.inside.size} cells fall in the padding, cut away"
        captions.append(text)
    o = f"{shape[0]} × {shape[1]}"
    return StampScene(
        inputs=g, kernel=w, canvas=canvas, crop=(p, p),
        rows=np.array([step.rows + p for step in steps]),
        cols=np.array([step.cols + p for step in steps]),
        products=np.array([step.products for step in steps]),
        partials=np.cumsum(contributions, axis=0),
        reached=np.logical_or.accumulate(reached, axis=0),
        outputs=outputs, input_labels=labels, captions=tuple(captions),
        input_name="ones, shaped like g" if counting else "g = ∂L/∂Y",
        kernel_name="kernel of ones" if counting else "kernel w (stamped as written)",
        output_name=(f"stamps per cell ({o})" if counting else
                     f"output = ∂L/∂X ({o})" + (f", padding {p} cut" if p else "")),
        shade=counting,
    )


def _stamp_place(step) -> str:
    inside_rows = step.rows[step.inside.any(axis=1)]
    inside_cols = step.cols[step.inside.any(axis=0)]
    if not inside_rows.size or not inside_cols.size:
        return "outside the output"

    def span(values: np.ndarray) -> str:
        lo, hi = int(values.min()) + 1, int(values.max()) + 1
        return str(lo) if lo == hi else f"{lo}–{hi}"

    return f"to rows {span(inside_rows)}, columns {span(inside_cols)}"


def _gather_scene(t: Transposed, g: np.ndarray, w: np.ndarray,
                  outputs: np.ndarray) -> tuple[GridScene, np.ndarray]:
    settings = (t.stride, t.padding, t.dilation, t.output_padding)
    cells = conv.transpose_gather_input2d(g, w, *settings)
    rows, cols = conv.transpose_gather_positions2d(g.shape, w.shape, *settings)
    ghost = np.ones(cells.shape, dtype=bool)
    keep_r = rows[(rows >= 0) & (rows < cells.shape[0])]
    keep_c = cols[(cols >= 0) & (cols < cells.shape[1])]
    ghost[np.ix_(keep_r, keep_c)] = False
    steps = conv.trace2d(cells, w, 1, 0, t.dilation, flip=True)
    gathered = conv.convolve2d(cells, w, 1, 0, t.dilation, flip=True)
    scene = GridScene(
        cells=cells, ghost=ghost, kernel=steps[0].kernel,
        rows=np.array([step.rows for step in steps]),
        cols=np.array([step.cols for step in steps]),
        outputs=gathered, output_labels=_labels("o", outputs.shape),
        input_name="g spread out with zeros",
        kernel_name="kernel, flipped",
        output_name=f"output = ∂L/∂X ({outputs.shape[0]} × {outputs.shape[1]})",
    )
    return scene, gathered


def zeros_described(t: Transposed, kernel_rows: int) -> str:
    """Where the gather picture's zeros go, in words: between the entries, around, at the end."""
    border = t.dilation * (kernel_rows - 1) - t.padding
    parts = [f"{t.stride - 1} between neighbouring entries"] if t.stride > 1 else []
    parts.append(f"a border of {border}" if border >= 0 else f"{-border} cut from each side")
    if t.output_padding:
        parts.append(f"{t.output_padding} more at the bottom and right")
    return ", ".join(parts)


def _matrix_scene(values: np.ndarray, band: np.ndarray, g_forward: np.ndarray,
                  shape: tuple[int, int]) -> MatrixScene:
    rows = _labels("o", shape)
    cols = _labels("g", g_forward.shape)

    def tooltip(i: int, n: int) -> str:
        return (f"Cᵀ[{rows[i]}, {cols[n]}] = {short_number(values[i, n])}: how much "
                f"{cols[n]} adds to {rows[i]}")

    return MatrixScene(
        values=values, band=band, row_labels=rows, col_labels=cols, tooltip=tooltip,
        captions=tuple(f"column {cols[n]} of Cᵀ is the stamp of {cols[n]} = "
                       f"{short_number(g_forward.flat[n])}: o = Σ columns × g"
                       for n in range(values.shape[1])),
        title=f"Cᵀ ({values.shape[0]} × {values.shape[1]}): the forward convolution's "
              f"matrix C, transposed; o = Cᵀ g",
        label_every=1 if values.shape[1] <= 16 else 2,
    )
