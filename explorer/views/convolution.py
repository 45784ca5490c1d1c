"""Questions 4.3 and 5's panel, worked out from its state.

A kernel sliding along a vector (1-D: every step's window and products, both with and without
flipping) and over a grid (2-D: stride, padding, dilation and the output-size formula), as the
scenes the cell views draw, with the checks against independent sums.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from explorer.model import conv
from explorer.model.checks import Check
from explorer.views import transposed
from explorer.views.fields import FieldError, as_tuple, grid_rule, whole_rule
from explorer.views.scenes import GridScene, RowScene
from explorer.views.text import matrix_table, subscript

# Beyond these sizes the cells get too small to read at 1280 x 800: the panel says so instead.
MAX_SIGNAL = 16
MAX_KERNEL = 8
MAX_GRID = 10
MAX_KERNEL_2D = 5
MAX_STRIDE = 5
MAX_PADDING = 4
MAX_DILATION = 4

VIEWS = ("1d", "2d", "transposed")
#: What the 2-D input grid can be filled with.
SOURCES = ("integers", "photo")




@dataclass(frozen=True)
class Row1d:
    """The 1-D animation: input, kernel, mode and whether the kernel is flipped."""

    x: tuple[float, ...] = as_tuple(conv.SEED_SIGNAL)
    w: tuple[float, ...] = as_tuple(conv.SEED_KERNEL)
    mode: str = "full"
    flip: bool = True


@dataclass(frozen=True)
class Grid2d:
    """The 2-D animation: input grid, kernel and the layer's hyperparameters."""

    x: tuple[tuple[float, ...], ...] = as_tuple(conv.SEED_GRID)
    w: tuple[tuple[float, ...], ...] = as_tuple(conv.SEED_KERNEL2D)
    stride: int = 1
    padding: int = 0
    dilation: int = 1
    # CNN layers slide the kernel unflipped, and so does convolve2d by default.
    flip: bool = False
    #: What the grid was filled with (one of :data:`SOURCES`; the photo is drawn in grey).
    source: str = "integers"


@dataclass(frozen=True)
class ConvolutionState:
    """Everything the convolution panel shows is a function of these values."""

    one: Row1d = Row1d()
    two: Grid2d = Grid2d()
    three: transposed.Transposed = transposed.Transposed()
    #: The animation shown: one of :data:`VIEWS`.
    view: str = "1d"


# -- each field's own rule (the fields check it as it is typed; compute checks it again) ------
def _limit(field: str, length: int, most: int, what: str) -> None:
    if length > most:
        raise FieldError(field, f"{what} has {length} entries; at most {most} fit on screen")


def check_signal(x: np.ndarray) -> None:
    """At most :data:`MAX_SIGNAL` entries."""
    _limit("one.x", np.size(x), MAX_SIGNAL, "the input x")


def check_kernel(w: np.ndarray) -> None:
    """At most :data:`MAX_KERNEL` entries."""
    _limit("one.w", np.size(w), MAX_KERNEL, "the kernel w")


check_grid = grid_rule("two.x", MAX_GRID, "the input grid")
check_kernel_2d = grid_rule("two.w", MAX_KERNEL_2D, "the kernel")
check_stride = whole_rule("two.stride", 1, MAX_STRIDE)
check_padding = whole_rule("two.padding", 0, MAX_PADDING)
check_dilation = whole_rule("two.dilation", 1, MAX_DILATION)


def numpy_same_differs(one: Row1d) -> bool:
    """Whether numpy's "same" differs from the model's: it keeps max(d, k) values, not d."""
    return one.mode == "same" and len(one.w) > len(one.x)


def numpy_names(one: Row1d) -> tuple[str, str]:
    """", np.convolve" and ", np.correlate" where numpy gives what is shown, else ""."""
    if numpy_same_differs(one):
        return "", ""
    return ", np.convolve", ", np.correlate"


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


@dataclass(frozen=True, eq=False)
class OneView:
    """What the model says about a :class:`Row1d`."""

    state: Row1d
    steps: list
    outputs: np.ndarray
    #: The outputs with and without flipping the kernel (one of them is ``outputs``).
    flipped: np.ndarray
    unflipped: np.ndarray
    #: Zeros before and after the input.
    pads: tuple[int, int]
    scene: RowScene


@dataclass(frozen=True, eq=False)
class TwoView:
    """What the model says about a :class:`Grid2d`."""

    state: Grid2d
    steps: list
    outputs: np.ndarray
    scene: GridScene

    def formulas(self, tex: bool) -> list[str]:
        """The output-size formula with the numbers in: one line, or rows and columns."""
        two = self.state
        (h, wd), (kh, kw) = np.shape(two.x), np.shape(two.w)
        oh, ow = self.outputs.shape
        args = (two.stride, two.padding, two.dilation)
        if (h, kh) == (wd, kw):
            return [size_formula(h, kh, *args, oh, tex=tex, lhs="o =")]
        rows, cols = (r"o_{\mathrm{rows}} =", r"o_{\mathrm{cols}} =") if tex else \
            ("rows: o =", "columns: o =")
        return [size_formula(h, kh, *args, oh, tex=tex, lhs=rows),
                size_formula(wd, kw, *args, ow, tex=tex, lhs=cols)]

    def presets(self) -> list[tuple[str, tuple[int, int, int], str, str]]:
        """Each preset: name, (stride, padding, dilation), its size formula and output size."""
        (h, wd), (kh, kw) = np.shape(self.state.x), np.shape(self.state.w)
        rows = []
        for name in conv.PRESETS_2D:
            settings = conv.preset2d(name, (kh, kw))
            try:
                oh, ow = conv.output_shape2d((h, wd), (kh, kw), *settings)
            except ValueError:
                formula, size = "kernel larger than the padded input", "—"
            else:
                formula = size_formula(h, kh, *settings, oh)
                if (h, kh) != (wd, kw):
                    formula += " ; " + size_formula(wd, kw, *settings, ow)
                size = f"{oh} × {ow}"
            rows.append((name, settings, formula, size))
        return rows


@dataclass(frozen=True, eq=False)
class ConvolutionView:
    """The three tabs' views (only the one shown is drawn; the others keep their place)."""

    state: ConvolutionState
    one: OneView
    two: TwoView
    three: transposed.TransposedView

    def checks(self) -> list[Check]:
        """The checks of the tab shown (the 1-D and 2-D tabs share theirs).

        The transposed tab: the gradient link and its pictures. The others: both results
        against independent sums, and every traced step adding up to its output.
        """
        if self.state.view == "transposed":
            return self.three.checks()
        one, two = self.state.one, self.state.two
        r1, r2 = self.one, self.two
        x, w = np.array(one.x), np.array(one.w)
        numpy_conv = np.convolve if one.flip else np.correlate
        name = "np.convolve" if one.flip else "np.correlate"
        if not numpy_same_differs(one):
            reference = numpy_conv(x, w, one.mode)
        else:
            # numpy's "same" returns k values when k > d; scipy's centring keeps the middle d.
            start = (w.size - 1) // 2
            reference = numpy_conv(x, w, "full")[start:start + x.size]
            name = f"middle {x.size} of {name} 'full'"
        # Rounding grows with the size of the terms, not of their sum (which may cancel).
        tol_1d = 1e-12 * (1.0 + float(np.abs(r1.scene.products).sum(axis=1).max()))
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

    def tables(self) -> dict[str, tuple[list[str], list[list]]]:
        """Every tab's arrays and settings, as on screen."""
        one, two = self.state.one, self.state.two
        r1, r2 = self.one, self.two
        flipped = "flipped" if one.flip else "not flipped"
        convolve, correlate = numpy_names(one)
        vectors = [("x", one.x), ("w", one.w),
                   (f"kernel as applied ({flipped})", r1.steps[0].kernel),
                   (f"y ({one.mode}, {flipped})", r1.outputs),
                   (f"y with flipping (convolution{convolve})", r1.flipped),
                   (f"y without flipping (cross-correlation{correlate})", r1.unflipped)]
        width = max(len(values) for _, values in vectors)
        k = len(one.w)
        steps = [[step.index + 1, int(step.positions[0]) + 1, *step.values, *step.products,
                  step.total] for step in r1.steps]
        matrix = matrix_table
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
            **self.three.tables(),
        }


def compute_1d(s: Row1d) -> OneView:
    """Ask the model for everything the 1-D view shows; ValueError if it refuses ``s``."""
    x, w = np.array(s.x), np.array(s.w)
    check_signal(x)
    check_kernel(w)
    try:
        steps = conv.trace(x, w, s.mode, s.flip)
    except ValueError as exc:  # a mode the model does not know, or no window for it
        raise FieldError("one", str(exc)) from None
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
    return OneView(s, steps, outputs, flipped, unflipped, (left, right), scene)


def compute_2d(s: Grid2d) -> TwoView:
    """Ask the model for everything the 2-D view shows; ValueError if it refuses ``s``."""
    x, w = np.array(s.x), np.array(s.w)
    check_grid(x)
    check_kernel_2d(w)
    check_stride(s.stride)
    check_padding(s.padding)
    check_dilation(s.dilation)
    if s.source not in SOURCES:
        raise FieldError("two.source", f"the grid is filled from one of {', '.join(SOURCES)}")
    try:
        steps = conv.trace2d(x, w, s.stride, s.padding, s.dilation, s.flip)
    except ValueError as exc:  # a kernel larger than the padded input, say
        raise FieldError("two", str(exc)) from None
    outputs = conv.convolve2d(x, w, s.stride, s.padding, s.dilation, s.flip)
    cells = conv.padded_input2d(x, s.padding)
    ghost = np.ones(cells.shape, dtype=bool)
    p = s.padding
    ghost[p:p + x.shape[0], p:p + x.shape[1]] = False
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
    return TwoView(s, steps, outputs, scene)


def compute(state: ConvolutionState, previous: ConvolutionView | None = None
            ) -> ConvolutionView:
    """Both views of ``state``, reusing ``previous``'s where its part is unchanged."""
    if state.view not in VIEWS:
        raise FieldError("view", f"the view must be one of {', '.join(VIEWS)}")
    one = previous.one if previous is not None and previous.state.one == state.one else \
        compute_1d(state.one)
    two = previous.two if previous is not None and previous.state.two == state.two else \
        compute_2d(state.two)
    three = transposed.compute(state.three, previous.three if previous is not None else None)
    return ConvolutionView(state, one, two, three)
