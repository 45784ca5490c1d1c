"""Transposed convolution in explorer.model.conv against loops, its adjoint and finite differences.

The oracles here are written from the definitions, not from the module: a forward convolution
with torch's conv2d semantics (cross-correlation, weight (C_out, C_in, kH, kW)), a scatter loop
over input cells, and a gather loop over output cells.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from explorer.model.conv import (
    TransposeStep2d,
    conv_transpose1d,
    conv_transpose2d,
    conv_transpose_output_shape2d,
    conv_transpose_output_size,
    convolve2d,
    overlap_counts2d,
    transpose_gather_input2d,
    transpose_gather_positions2d,
    transpose_scatter_trace2d,
)
from explorer.model.gradcheck import gradient
from tests.budget import examples

FAST = examples(200)
SLOW = examples(60)

values = st.floats(-5, 5, allow_nan=False, allow_infinity=False)


def tensors(shape: tuple[int, ...]) -> st.SearchStrategy[np.ndarray]:
    return arrays(np.float64, shape, elements=values)


def expected_size(n: int, k: int, s: int, p: int, d: int, op: int) -> int:
    return (n - 1) * s - 2 * p + d * (k - 1) + op + 1


# --- independent oracles -------------------------------------------------------------------------


def conv2d_forward(
    x: np.ndarray,
    w: np.ndarray,
    stride: tuple[int, int],
    padding: tuple[int, int],
    dilation: tuple[int, int],
) -> np.ndarray:
    """torch's conv2d for one sample: x (C_in, H, W), w (C_out, C_in, kH, kW), no flip."""
    (sh, sw), (ph, pw), (dh, dw) = stride, padding, dilation
    _, _, kh, kw = w.shape
    padded = np.pad(x, ((0, 0), (ph, ph), (pw, pw)))
    out_h = (padded.shape[1] - dh * (kh - 1) - 1) // sh + 1
    out_w = (padded.shape[2] - dw * (kw - 1) - 1) // sw + 1
    out = np.zeros((w.shape[0], out_h, out_w))
    for i in range(out_h):
        for j in range(out_w):
            patch = padded[
                :,
                i * sh : i * sh + dh * (kh - 1) + 1 : dh,
                j * sw : j * sw + dw * (kw - 1) + 1 : dw,
            ]
            out[:, i, j] = np.tensordot(w, patch, axes=([1, 2, 3], [0, 1, 2]))
    return out


def scatter_by_loops(
    x: np.ndarray,
    w: np.ndarray,
    stride: tuple[int, int],
    padding: tuple[int, int],
    dilation: tuple[int, int],
    out_shape: tuple[int, int],
) -> np.ndarray:
    """out[o, i s - p + a d, j s - p + b d] += x[c, i, j] w[c, o, a, b], cropped to out_shape."""
    (sh, sw), (ph, pw), (dh, dw) = stride, padding, dilation
    c_in, h, wd = x.shape
    _, c_out, kh, kw = w.shape
    out = np.zeros((c_out, *out_shape))
    for c in range(c_in):
        for i in range(h):
            for j in range(wd):
                for a in range(kh):
                    for b in range(kw):
                        y, z = i * sh - ph + a * dh, j * sw - pw + b * dw
                        if 0 <= y < out_shape[0] and 0 <= z < out_shape[1]:
                            out[:, y, z] += x[c, i, j] * w[c, :, a, b]
    return out


def pad_or_crop(a: np.ndarray, axis: int, before: int, after: int) -> np.ndarray:
    """Add zeros (or cut, when negative) at the two ends of one axis."""
    a = np.moveaxis(a, axis, 0)
    a = np.pad(a, [(max(before, 0), max(after, 0))] + [(0, 0)] * (a.ndim - 1))
    a = a[max(-before, 0) : a.shape[0] - max(-after, 0)]
    return np.moveaxis(a, 0, axis)


def gather_by_hand(
    x: np.ndarray,
    kernel: tuple[int, int],
    stride: tuple[int, int],
    padding: tuple[int, int],
    dilation: tuple[int, int],
    output_padding: tuple[int, int],
) -> np.ndarray:
    """Zero-insert, then border of d(k - 1) - p on each side and output_padding more at the end."""
    zeros = np.zeros(((x.shape[0] - 1) * stride[0] + 1, (x.shape[1] - 1) * stride[1] + 1))
    zeros[:: stride[0], :: stride[1]] = x
    for axis in (0, 1):
        border = dilation[axis] * (kernel[axis] - 1) - padding[axis]
        zeros = pad_or_crop(zeros, axis, border, border + output_padding[axis])
    return zeros


def correlate_dilated(g: np.ndarray, k: np.ndarray, dilation: tuple[int, int]) -> np.ndarray:
    """Stride-1, unpadded sliding sum of g under the (already flipped) kernel k, dilated."""
    (dh, dw), (kh, kw) = dilation, k.shape
    out_h, out_w = g.shape[0] - dh * (kh - 1), g.shape[1] - dw * (kw - 1)
    out = np.zeros((out_h, out_w))
    for y in range(out_h):
        for z in range(out_w):
            out[y, z] = np.sum(
                g[y : y + dh * (kh - 1) + 1 : dh, z : z + dw * (kw - 1) + 1 : dw] * k
            )
    return out


# --- random cases --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """A valid transposed convolution: x (C_in, H, W), w (C_in, C_out, kH, kW) and its settings.

    The settings are what the call receives: an int when ``square`` (both axes alike), else a
    (height, width) pair; the ``*_hw`` fields are always pairs.
    """

    x: np.ndarray
    w: np.ndarray
    stride_hw: tuple[int, int]
    padding_hw: tuple[int, int]
    dilation_hw: tuple[int, int]
    output_padding_hw: tuple[int, int]
    square: bool

    def settings(self) -> dict[str, object]:
        names = ("stride", "padding", "dilation", "output_padding")
        pairs = (self.stride_hw, self.padding_hw, self.dilation_hw, self.output_padding_hw)
        return {n: (p[0] if self.square else p) for n, p in zip(names, pairs, strict=True)}

    def hw(self) -> dict[str, tuple[int, int]]:
        return {
            "stride": self.stride_hw,
            "padding": self.padding_hw,
            "dilation": self.dilation_hw,
            "output_padding": self.output_padding_hw,
        }

    def out_shape(self) -> tuple[int, int]:
        return tuple(  # type: ignore[return-value]
            expected_size(n, k, s, p, d, op)
            for n, k, s, p, d, op in zip(
                self.x.shape[1:],
                self.w.shape[2:],
                self.stride_hw,
                self.padding_hw,
                self.dilation_hw,
                self.output_padding_hw,
                strict=True,
            )
        )


@st.composite
def cases(draw: st.DrawFn, max_side: int = 6, max_kernel: int = 4, max_channels: int = 3) -> Case:
    """Random valid settings; padding ranges over every value that keeps the output >= 1.

    That includes padding > dilation (k - 1), where the gather picture's border is a crop.
    """
    square = draw(st.booleans())
    sizes = (draw(st.integers(1, max_side)), draw(st.integers(1, max_side)))
    kernel = (draw(st.integers(1, max_kernel)), draw(st.integers(1, max_kernel)))
    axes = 1 if square else 2

    def per_axis(strategy: st.SearchStrategy[int]) -> tuple[int, int]:
        drawn = [draw(strategy) for _ in range(axes)]
        return (drawn[0], drawn[-1])

    stride = per_axis(st.integers(1, 3))
    dilation = per_axis(st.integers(1, 3))
    widest = [max(s, d) for s, d in zip(stride, dilation, strict=True)]
    if square:
        output_padding = (draw(st.integers(0, widest[0] - 1)),) * 2
    else:
        output_padding = (draw(st.integers(0, widest[0] - 1)), draw(st.integers(0, widest[1] - 1)))
    room = [
        ((n - 1) * s + d * (k - 1) + op) // 2
        for n, k, s, d, op in zip(sizes, kernel, stride, dilation, output_padding, strict=True)
    ]
    if square:
        padding = (draw(st.integers(0, min(room))),) * 2
    else:
        padding = (draw(st.integers(0, room[0])), draw(st.integers(0, room[1])))
    c_in, c_out = draw(st.integers(1, max_channels)), draw(st.integers(1, max_channels))
    x = draw(tensors((c_in, *sizes)))
    w = draw(tensors((c_in, c_out, *kernel)))
    return Case(x, w, stride, padding, dilation, output_padding, square)


def single_channel(case: Case) -> tuple[np.ndarray, np.ndarray]:
    return case.x[0], case.w[0, 0]


@dataclass(frozen=True)
class Forward:
    """A forward convolution and the transposed call that maps its output shape back."""

    x: np.ndarray  # (C_in_fwd, N_h, N_w)
    w: np.ndarray  # (C_out_fwd, C_in_fwd, kH, kW)
    g: np.ndarray  # (C_out_fwd, M_h, M_w): an upstream gradient
    stride: tuple[int, int]
    padding: tuple[int, int]
    dilation: tuple[int, int]
    output_padding: tuple[int, int]  # the rows/cols the forward floor drops


@st.composite
def forward_cases(
    draw: st.DrawFn, max_out: int = 4, max_kernel: int = 4, max_step: int = 3, max_channels: int = 3
) -> Forward:
    settings: list[tuple[int, int, int, int, int, int]] = []
    for _ in range(2):
        s, d = draw(st.integers(1, max_step)), draw(st.integers(1, max_step))
        k, m = draw(st.integers(1, max_kernel)), draw(st.integers(1, max_out))
        dropped = draw(st.integers(0, s - 1))
        # The forward input N = (m - 1) s + dropped + d (k - 1) + 1 - 2p must stay >= 1.
        p = draw(st.integers(0, ((m - 1) * s + dropped + d * (k - 1)) // 2))
        n = (m - 1) * s + dropped + d * (k - 1) + 1 - 2 * p
        settings.append((n, m, k, s, p, d, dropped))  # type: ignore[arg-type]
    (nh, mh, kh, sh, ph, dh, oh), (nw, mw, kw, sw, pw, dw, ow) = settings  # type: ignore[misc]
    c_in, c_out = draw(st.integers(1, max_channels)), draw(st.integers(1, max_channels))
    return Forward(
        x=draw(tensors((c_in, nh, nw))),
        w=draw(tensors((c_out, c_in, kh, kw))),
        g=draw(tensors((c_out, mh, mw))),
        stride=(sh, sw),
        padding=(ph, pw),
        dilation=(dh, dw),
        output_padding=(oh, ow),
    )


# --- the transposed convolution itself -----------------------------------------------------------


@FAST
@given(case=cases())
def test_matches_the_scatter_definition(case: Case) -> None:
    x_before, w_before = case.x.copy(), case.w.copy()
    out = conv_transpose2d(case.x, case.w, **case.settings())
    expected = scatter_by_loops(
        case.x, case.w, case.stride_hw, case.padding_hw, case.dilation_hw, case.out_shape()
    )
    assert out.shape == (case.w.shape[1], *case.out_shape())
    assert out.dtype == np.float64
    np.testing.assert_allclose(out, expected, rtol=1e-12, atol=1e-10)
    np.testing.assert_array_equal(case.x, x_before)
    np.testing.assert_array_equal(case.w, w_before)
    assert not np.shares_memory(out, case.x) and not np.shares_memory(out, case.w)


@FAST
@given(f=forward_cases())
def test_adjoint_of_the_forward_convolution(f: Forward) -> None:
    # torch's conv_transpose2d weight (C_in_T, C_out_T, ...) is the forward's (C_out, C_in, ...).
    forward = conv2d_forward(f.x, f.w, f.stride, f.padding, f.dilation)
    assert forward.shape == f.g.shape
    back = conv_transpose2d(f.g, f.w, f.stride, f.padding, f.dilation, f.output_padding)
    assert back.shape == f.x.shape
    left, right = np.vdot(forward, f.g), np.vdot(f.x, back)
    scale = np.abs(f.x).sum() * np.abs(f.w).sum() * np.abs(f.g).max() + 1.0
    assert abs(left - right) <= 1e-12 * scale


@SLOW
@given(f=forward_cases(max_out=3, max_kernel=3, max_step=2, max_channels=2))
def test_input_gradient_is_the_transposed_convolution(f: Forward) -> None:
    def loss(flat: np.ndarray) -> float:
        forward = conv2d_forward(flat.reshape(f.x.shape), f.w, f.stride, f.padding, f.dilation)
        return float(np.vdot(forward, f.g))

    numeric = gradient(loss, f.x.ravel()).reshape(f.x.shape)
    exact = conv_transpose2d(f.g, f.w, f.stride, f.padding, f.dilation, f.output_padding)
    np.testing.assert_allclose(exact, numeric, rtol=1e-6, atol=1e-5)


@FAST
@given(case=cases(), data=st.data())
def test_ints_and_pairs_agree(case: Case, data: st.DataObject) -> None:
    # Any setting equal on both axes may be given as an int or as a pair, independently.
    out = conv_transpose2d(case.x, case.w, **case.hw())
    mixed = {
        name: (pair[0] if pair[0] == pair[1] and data.draw(st.booleans()) else pair)
        for name, pair in case.hw().items()
    }
    np.testing.assert_array_equal(conv_transpose2d(case.x, case.w, **mixed), out)
    arrays_too = {name: np.array(pair) for name, pair in case.hw().items()}
    np.testing.assert_array_equal(conv_transpose2d(case.x, case.w, **arrays_too), out)


@FAST
@given(case=cases())
def test_one_channel_convenience_is_the_multichannel_call(case: Case) -> None:
    x, w = single_channel(case)
    out = conv_transpose2d(x, w, **case.settings())
    assert out.shape == case.out_shape()
    np.testing.assert_array_equal(
        out, conv_transpose2d(x[None], w[None, None], **case.settings())[0]
    )


@FAST
@given(case=cases())
def test_linear_in_the_input_and_sums_over_input_channels(case: Case) -> None:
    settings = case.settings()
    total = conv_transpose2d(case.x, case.w, **settings)
    per_channel = sum(
        conv_transpose2d(case.x[c : c + 1], case.w[c : c + 1], **settings)
        for c in range(case.x.shape[0])
    )
    np.testing.assert_allclose(total, per_channel, atol=1e-10)
    np.testing.assert_allclose(
        conv_transpose2d(2.5 * case.x, case.w, **settings), 2.5 * total, rtol=1e-12, atol=1e-10
    )


def test_known_values() -> None:
    # Every input cell stamps its value times an all-ones 3x3 kernel every 2 cells.
    x = np.array([[1.0, 2.0], [3.0, 4.0]])
    expected = [
        [1, 1, 3, 2, 2],
        [1, 1, 3, 2, 2],
        [4, 4, 10, 6, 6],
        [3, 3, 7, 4, 4],
        [3, 3, 7, 4, 4],
    ]
    np.testing.assert_array_equal(conv_transpose2d(x, np.ones((3, 3)), stride=2), expected)
    # padding 1 crops one row and column from every border of that.
    np.testing.assert_array_equal(
        conv_transpose2d(x, np.ones((3, 3)), stride=2, padding=1),
        [[1, 3, 2], [4, 10, 6], [3, 7, 4]],
    )
    # output_padding 1 adds a zero row and column at the end (padding 0 crops nothing there).
    padded = conv_transpose2d(x, np.ones((3, 3)), stride=2, output_padding=1)
    assert padded.shape == (6, 6)
    np.testing.assert_array_equal(padded[:5, :5], expected)
    assert not padded[5].any() and not padded[:, 5].any()
    # Two input channels, two output channels: out[o] = sum_c x[c] * w[c, o] (1x1 kernel).
    x2 = np.stack([x, 10 * x])
    w2 = np.array([[1.0, 2.0], [3.0, 4.0]]).reshape(2, 2, 1, 1)
    np.testing.assert_array_equal(conv_transpose2d(x2, w2), [31 * x, 42 * x])


def test_1d_known_values() -> None:
    # Stamps [1, 0, -1], [2, 0, -2] and [3, 0, -3] two apart, then one output_padding zero.
    np.testing.assert_array_equal(
        conv_transpose1d([1.0, 2.0, 3.0], [1.0, 0.0, -1.0], stride=2, output_padding=1),
        [1, 0, 1, 0, 1, 0, -3, 0],
    )


# --- output sizes --------------------------------------------------------------------------------


@FAST
@given(
    n=st.integers(1, 40),
    k=st.integers(1, 9),
    s=st.integers(1, 5),
    p=st.integers(0, 30),
    d=st.integers(1, 5),
    data=st.data(),
)
def test_output_size_formula(n: int, k: int, s: int, p: int, d: int, data: st.DataObject) -> None:
    op = data.draw(st.integers(0, max(s, d) - 1))
    size = expected_size(n, k, s, p, d, op)
    if size <= 0:
        with pytest.raises(ValueError, match=rf"would be .* = {size}, not positive"):
            conv_transpose_output_size(n, k, s, p, d, op)
        return
    assert conv_transpose_output_size(n, k, s, p, d, op) == size
    assert conv_transpose_output_shape2d((n, 1), (k, 1), (s, 1), (p, 0), (d, 1), (op, 0)) == (
        size,
        1,
    )
    assert conv_transpose_output_shape2d((n, n), (k, k), s, p, d, op) == (size, size)


@FAST
@given(case=cases())
def test_output_shape2d_is_the_shape_of_the_result(case: Case) -> None:
    shape = conv_transpose_output_shape2d(case.x.shape[1:], case.w.shape[2:], **case.settings())
    assert shape == case.out_shape()
    assert conv_transpose2d(case.x, case.w, **case.settings()).shape[1:] == shape


def test_output_size_undoes_the_forward_size() -> None:
    # The homework's first layer: 128 -> 64 with k 8, s 2, p 3; output_padding picks 128 or 129.
    assert conv_transpose_output_size(64, 8, 2, 3) == 128
    assert conv_transpose_output_size(64, 8, 2, 3, output_padding=1) == 129
    assert (129 + 2 * 3 - 8) // 2 + 1 == 64


# --- 1-D -----------------------------------------------------------------------------------------


def scatter_1d_by_loops(
    x: np.ndarray, w: np.ndarray, s: int, p: int, d: int, length: int
) -> np.ndarray:
    out = np.zeros((w.shape[1], length))
    for c in range(x.shape[0]):
        for i in range(x.shape[1]):
            for a in range(w.shape[2]):
                if 0 <= i * s - p + a * d < length:
                    out[:, i * s - p + a * d] += x[c, i] * w[c, :, a]
    return out


@FAST
@given(case=cases(), as_tuple=st.booleans())
def test_1d_is_2d_on_one_row(case: Case, as_tuple: bool) -> None:
    # Use the width axis of a random case: x (C_in, L), w (C_in, C_out, k).
    x, w = case.x[:, 0, :], case.w[:, :, 0, :]
    s, p, d, op = (v[1] for v in case.hw().values())
    args = ((s,), (p,), (d,), (op,)) if as_tuple else (s, p, d, op)
    out = conv_transpose1d(x, w, *args)
    length = expected_size(x.shape[1], w.shape[2], s, p, d, op)
    assert out.shape == (w.shape[1], length)
    np.testing.assert_allclose(out, scatter_1d_by_loops(x, w, s, p, d, length), atol=1e-10)
    row = conv_transpose2d(x[:, None, :], w[:, :, None, :], (1, s), (0, p), (1, d), (0, op))
    np.testing.assert_allclose(out, row[:, 0, :], atol=1e-12)
    np.testing.assert_array_equal(
        conv_transpose1d(x[0], w[0, 0], *args), conv_transpose1d(x[:1], w[:1, :1], *args)[0]
    )
    assert conv_transpose1d(x[0], w[0, 0], *args).shape == (length,)


# --- the scatter picture -------------------------------------------------------------------------


@FAST
@given(case=cases())
def test_scatter_trace_adds_up_to_the_output(case: Case) -> None:
    x, w = single_channel(case)
    x_before = x.copy()
    (sh, sw), (ph, pw), (dh, dw) = case.stride_hw, case.padding_hw, case.dilation_hw
    out = conv_transpose2d(x, w, **case.settings())
    steps = transpose_scatter_trace2d(x, w, **case.settings())
    assert len(steps) == x.size
    total = np.zeros(out.shape)
    by_contribution = np.zeros(out.shape)
    for n, step in enumerate(steps):
        assert isinstance(step, TransposeStep2d)
        i, j = step.input
        assert (i, j) == divmod(n, x.shape[1])
        assert step.value == x[i, j]
        assert step.output_shape == out.shape
        np.testing.assert_array_equal(step.rows, i * sh - ph + dh * np.arange(w.shape[0]))
        np.testing.assert_array_equal(step.cols, j * sw - pw + dw * np.arange(w.shape[1]))
        np.testing.assert_array_equal(step.kernel, w)
        np.testing.assert_array_equal(step.products, x[i, j] * w)
        rows_in = (step.rows >= 0) & (step.rows < out.shape[0])
        cols_in = (step.cols >= 0) & (step.cols < out.shape[1])
        np.testing.assert_array_equal(step.inside, rows_in[:, None] & cols_in[None, :])
        for a, b in zip(*np.nonzero(step.inside), strict=True):
            total[step.rows[a], step.cols[b]] += step.products[a, b]
        contribution = step.contribution()
        assert contribution.shape == out.shape
        assert np.count_nonzero(contribution) <= np.count_nonzero(step.inside)
        by_contribution += contribution
    np.testing.assert_allclose(total, out, atol=1e-10)
    np.testing.assert_allclose(by_contribution, out, atol=1e-10)
    np.testing.assert_array_equal(x, x_before)


def test_scatter_steps_are_frozen() -> None:
    steps = transpose_scatter_trace2d([[1.0, 2.0]], [[1.0, -1.0]], stride=2)
    step = steps[1]
    with pytest.raises(AttributeError):
        step.value = 0.0  # type: ignore[misc]
    for array in (step.rows, step.cols, step.inside, step.kernel, step.products):
        with pytest.raises(ValueError):
            array.flat[0] = 0
    assert step == transpose_scatter_trace2d([[1.0, 2.0]], [[1.0, -1.0]], stride=2)[1]
    assert step != steps[0]
    np.testing.assert_array_equal(step.cols, [2, 3])
    np.testing.assert_array_equal(step.contribution(), [[0, 0, 2, -2]])


# --- the gather picture --------------------------------------------------------------------------


@FAST
@given(case=cases())
def test_gather_input_convolved_with_the_flipped_kernel_is_the_output(case: Case) -> None:
    x, w = single_channel(case)
    hw = case.hw()
    out = conv_transpose2d(x, w, **case.settings())
    gather = transpose_gather_input2d(x, w, **case.settings())
    expected = gather_by_hand(x, w.shape, **hw)
    assert gather.shape == expected.shape
    np.testing.assert_array_equal(gather, expected)
    spans = [d * (k - 1) for d, k in zip(case.dilation_hw, w.shape, strict=True)]
    assert gather.shape == (out.shape[0] + spans[0], out.shape[1] + spans[1])
    np.testing.assert_allclose(
        correlate_dilated(gather, w[::-1, ::-1], case.dilation_hw), out, atol=1e-10
    )
    if case.dilation_hw[0] == case.dilation_hw[1]:
        # What the docstring promises: the existing 2-D convolution, flipped, draws this picture.
        np.testing.assert_allclose(
            convolve2d(gather, w, dilation=case.dilation_hw[0], flip=True), out, atol=1e-10
        )


@FAST
@given(case=cases())
def test_gather_positions_say_where_the_input_cells_are(case: Case) -> None:
    x, w = single_channel(case)
    gather = transpose_gather_input2d(x, w, **case.settings())
    rows, cols = transpose_gather_positions2d(x.shape, w.shape, **case.settings())
    (sh, sw), (ph, pw), (dh, dw) = case.stride_hw, case.padding_hw, case.dilation_hw
    np.testing.assert_array_equal(rows, np.arange(x.shape[0]) * sh + dh * (w.shape[0] - 1) - ph)
    np.testing.assert_array_equal(cols, np.arange(x.shape[1]) * sw + dw * (w.shape[1] - 1) - pw)
    marked = np.zeros(gather.shape, dtype=bool)
    for i, r in enumerate(rows):
        for j, c in enumerate(cols):
            if 0 <= r < gather.shape[0] and 0 <= c < gather.shape[1]:
                assert gather[r, c] == x[i, j]
                marked[r, c] = True
    assert not gather[~marked].any()


def test_gather_with_padding_beyond_the_kernel_crops() -> None:
    # padding 3 > d (k - 1) = 2: the border is -1, so the first and last input columns go.
    x = np.array([[1.0, 2.0, 3.0, 4.0]])
    gather = transpose_gather_input2d(x, np.ones((1, 3)), stride=(1, 2), padding=(0, 3))
    np.testing.assert_array_equal(gather, [[0, 2, 0, 3, 0]])
    rows, cols = transpose_gather_positions2d((1, 4), (1, 3), stride=(1, 2), padding=(0, 3))
    np.testing.assert_array_equal(cols, [-1, 1, 3, 5])
    np.testing.assert_array_equal(rows, [0])
    # output_padding 1 restores one cropped column at the end instead of a zero.
    gather = transpose_gather_input2d(
        x, np.ones((1, 3)), stride=(1, 2), padding=(0, 3), output_padding=(0, 1)
    )
    np.testing.assert_array_equal(gather, [[0, 2, 0, 3, 0, 4]])


# --- overlap counts ------------------------------------------------------------------------------


@FAST
@given(case=cases())
def test_overlap_counts_are_the_stamps_counted(case: Case) -> None:
    x, w = single_channel(case)
    counts = overlap_counts2d(x.shape, w.shape, **case.settings())
    assert counts.shape == case.out_shape()
    assert counts.dtype.kind == "i"
    stamps = np.zeros(counts.shape, dtype=int)
    for step in transpose_scatter_trace2d(x, w, **case.settings()):
        for a, b in zip(*np.nonzero(step.inside), strict=True):
            stamps[step.rows[a], step.cols[b]] += 1
    np.testing.assert_array_equal(counts, stamps)
    np.testing.assert_array_equal(
        counts, conv_transpose2d(np.ones(x.shape), np.ones(w.shape), **case.settings())
    )


def test_stride_2_kernel_3_is_a_checkerboard() -> None:
    counts = overlap_counts2d((3, 3), (3, 3), stride=2, padding=1)
    np.testing.assert_array_equal(
        counts,
        [[1, 2, 1, 2, 1], [2, 4, 2, 4, 2], [1, 2, 1, 2, 1], [2, 4, 2, 4, 2], [1, 2, 1, 2, 1]],
    )
    # A kernel the stride divides covers every cell evenly (away from the border).
    np.testing.assert_array_equal(
        overlap_counts2d((3, 3), (4, 4), stride=2, padding=1)[1:-1, 1:-1], 4
    )


# --- invalid arguments ---------------------------------------------------------------------------

X2, W2 = np.ones((2, 3, 3)), np.ones((2, 1, 2, 2))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"stride": 0}, r"stride must be ≥ 1, got 0"),
        ({"stride": (1, 0)}, r"stride \(width\) must be ≥ 1, got 0"),
        ({"stride": 1.5}, r"stride must be a whole number ≥ 1"),
        ({"stride": "2"}, r"stride must be a whole number ≥ 1"),
        (
            {"stride": (1, 2, 3)},
            r"stride must be a whole number ≥ 1 or a pair \(height, width\), got \(1, 2, 3\)",
        ),
        ({"stride": None}, r"stride must be a whole number ≥ 1 or a pair"),
        ({"dilation": 0}, r"dilation must be ≥ 1"),
        ({"dilation": (0, 1)}, r"dilation \(height\) must be ≥ 1"),
        ({"padding": -1}, r"padding must be ≥ 0, got -1"),
        ({"padding": (0, -2)}, r"padding \(width\) must be ≥ 0"),
        ({"padding": True}, r"padding must be a whole number ≥ 0"),
        ({"output_padding": -1}, r"output_padding must be ≥ 0"),
        (
            {"output_padding": 1},
            r"output_padding \(1\) must be smaller than max\(stride, dilation\) = 1 for the "
            r"height: use output_padding 0$",
        ),
        (
            {"stride": 2, "output_padding": 2},
            r"output_padding \(2\) must be smaller than max\(stride, dilation\) = 2 .*"
            r"use output_padding 0 to 1",
        ),
        (
            {"stride": (2, 1), "output_padding": (1, 1)},
            r"= 1 for the width: use output_padding 0$",
        ),
        (
            {"padding": 3},
            r"the output height would be \(3 - 1\)·1 - 2·3 \+ 1·\(2 - 1\) \+ 0 \+ 1 = -2, "
            r"not positive: use padding ≤ 1 for the height",
        ),
        ({"padding": (0, 4)}, r"output width would be .* use padding ≤ 1 for the width"),
    ],
)
def test_bad_settings(kwargs: dict[str, object], message: str) -> None:
    calls = [
        lambda: conv_transpose2d(X2, W2, **kwargs),
        lambda: conv_transpose2d(X2[0], W2[0, 0], **kwargs),
        lambda: transpose_scatter_trace2d(X2[0], W2[0, 0], **kwargs),
        lambda: transpose_gather_input2d(X2[0], W2[0, 0], **kwargs),
        lambda: transpose_gather_positions2d((3, 3), (2, 2), **kwargs),
        lambda: overlap_counts2d((3, 3), (2, 2), **kwargs),
        lambda: conv_transpose_output_shape2d((3, 3), (2, 2), **kwargs),
    ]
    for call in calls:
        with pytest.raises(ValueError, match=message):
            call()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"stride": 0}, r"stride must be ≥ 1"),
        (
            {"stride": (1, 1)},
            r"stride must be a whole number ≥ 1 \(or a 1-tuple of one, like torch\), got \(1, 1\)",
        ),
        ({"padding": -1}, r"padding must be ≥ 0"),
        ({"dilation": 0}, r"dilation must be ≥ 1"),
        (
            {"output_padding": 1},
            r"output_padding \(1\) must be smaller than max\(stride, dilation\)",
        ),
        ({"padding": 3}, r"the output length would be .* = -2, not positive: use padding ≤ 1$"),
    ],
)
def test_bad_settings_1d(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        conv_transpose1d(np.ones((2, 3)), np.ones((2, 1, 2)), **kwargs)
    with pytest.raises(ValueError, match=message):
        conv_transpose1d(np.ones(3), np.ones(2), **kwargs)
    if "stride" not in kwargs or isinstance(kwargs["stride"], int):
        with pytest.raises(ValueError, match=message):
            conv_transpose_output_size(3, 2, **kwargs)  # type: ignore[arg-type]


@FAST
@given(case=cases(), axis=st.integers(0, 1), extra=st.integers(0, 3))
def test_output_padding_at_or_above_the_limit_is_rejected(
    case: Case, axis: int, extra: int
) -> None:
    hw = case.hw()
    limit = max(case.stride_hw[axis], case.dilation_hw[axis])
    op = list(case.output_padding_hw)
    op[axis] = limit + extra
    hw["output_padding"] = tuple(op)  # type: ignore[assignment]
    name = ("height", "width")[axis]
    with pytest.raises(
        ValueError,
        match=rf"output_padding \({limit + extra}\) must be smaller than max\(stride, dilation\) "
        rf"= {limit} for the {name}",
    ):
        conv_transpose2d(case.x, case.w, **hw)


@FAST
@given(case=cases(), axis=st.integers(0, 1), extra=st.integers(1, 5))
def test_padding_that_leaves_no_output_is_rejected(case: Case, axis: int, extra: int) -> None:
    hw = case.hw()
    n, k = case.x.shape[1 + axis], case.w.shape[2 + axis]
    s, d, op = case.stride_hw[axis], case.dilation_hw[axis], case.output_padding_hw[axis]
    room = ((n - 1) * s + d * (k - 1) + op) // 2  # the largest padding with an output
    padding = list(case.padding_hw)
    padding[axis] = room + extra
    hw["padding"] = tuple(padding)  # type: ignore[assignment]
    size = expected_size(n, k, s, room + extra, d, op)
    assert size <= 0
    name = ("height", "width")[axis]
    with pytest.raises(
        ValueError,
        match=rf"output {name} would be .* = {size}, not positive: use padding ≤ {room}",
    ):
        conv_transpose2d(case.x, case.w, **hw)
    # The suggested padding works.
    padding[axis] = room
    hw["padding"] = tuple(padding)  # type: ignore[assignment]
    assert conv_transpose2d(case.x, case.w, **hw).shape[1 + axis] >= 1


@pytest.mark.parametrize(
    ("x", "w", "message"),
    [
        (np.ones((2, 0, 3)), np.ones((2, 1, 2, 2)), r"input is empty"),
        (np.ones((2, 3, 3)), np.ones((2, 0, 2, 2)), r"weight is empty"),
        (np.ones((3, 3)), np.ones((0, 2)), r"kernel is empty"),
        ([[1.0, np.nan]], [[1.0]], r"input contains NaN or inf"),
        ([[1.0, 2.0]], [[np.inf]], r"kernel contains NaN or inf"),
        (np.ones((1, 2, 2)), np.full((1, 1, 1, 1), -np.inf), r"weight contains NaN or inf"),
        ([["a"]], [[1.0]], r"input must contain only numbers"),
        (
            np.ones(3),
            np.ones(2),
            r"input must be \(C_in, H, W\), or \(H, W\) for one channel, got "
            r"shape \(3,\)",
        ),
        (
            np.ones((1, 1, 3, 3)),
            np.ones((1, 1, 2, 2)),
            r"input must be \(C_in, H, W\).*\(1, 1, 3, 3\)",
        ),
        (np.ones((3, 3)), np.ones((1, 1, 2, 2)), r"kernel must be \(kH, kW\) for a \(H, W\) input"),
        (
            np.ones((1, 3, 3)),
            np.ones((2, 2)),
            r"weight must be \(C_in, C_out, kH, kW\) for a "
            r"\(C_in, H, W\) input, got shape \(2, 2\)",
        ),
        (
            np.ones((3, 4, 4)),
            np.ones((2, 5, 2, 2)),
            r"the input has 3 channels but the weight has 2 "
            r"\(its shape is \(C_in, C_out, kH, kW\) = \(2, 5, 2, 2\)\): give them the same C_in",
        ),
    ],
)
def test_bad_arrays(x: object, w: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        conv_transpose2d(x, w)


@pytest.mark.parametrize(
    ("x", "w", "message"),
    [
        (np.ones((2, 0)), np.ones((2, 1, 2)), r"input is empty"),
        ([1.0, np.nan], [1.0], r"input contains NaN or inf"),
        (
            np.ones((2, 3)),
            np.ones((3, 1, 2)),
            r"the input has 2 channels but the weight has 3 "
            r"\(its shape is \(C_in, C_out, k\)",
        ),
        (np.ones((2, 2, 3)), np.ones((2, 1, 2)), r"input must be \(C_in, L\), or \(L\) for one"),
        (np.ones(3), np.ones((1, 1, 2)), r"kernel must be \(k\) for a \(L\) input"),
        (np.ones((1, 3)), np.ones(2), r"weight must be \(C_in, C_out, k\) for a \(C_in, L\) input"),
    ],
)
def test_bad_arrays_1d(x: object, w: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        conv_transpose1d(x, w)


@FAST
@given(case=cases(), data=st.data())
def test_any_non_finite_entry_is_rejected(case: Case, data: st.DataObject) -> None:
    bad = data.draw(st.sampled_from([np.nan, np.inf, -np.inf]))
    which = data.draw(st.sampled_from(["input", "weight"]))
    x, w = case.x.copy(), case.w.copy()
    target = x if which == "input" else w
    target.flat[data.draw(st.integers(0, target.size - 1))] = bad
    with pytest.raises(ValueError, match=rf"{which} contains NaN or inf"):
        conv_transpose2d(x, w, **case.settings())


@FAST
@given(case=cases(), data=st.data())
def test_channel_mismatch_is_rejected(case: Case, data: st.DataObject) -> None:
    c_in = case.x.shape[0]
    other = data.draw(st.integers(1, 4).filter(lambda c: c != c_in))
    w = np.ones((other, *case.w.shape[1:]))
    with pytest.raises(ValueError, match=rf"input has {c_in} channels but the weight has {other}"):
        conv_transpose2d(case.x, w, **case.settings())


def test_single_channel_pictures_need_one_channel() -> None:
    for call in (transpose_scatter_trace2d, transpose_gather_input2d):
        with pytest.raises(ValueError, match=r"input must be a 2-D array \(H, W\) \(one channel"):
            call(X2, W2)
        with pytest.raises(ValueError, match=r"kernel must be \(kH, kW\)"):
            call(X2[0], W2)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: conv_transpose_output_size(0, 2), r"input size must be ≥ 1"),
        (lambda: conv_transpose_output_size(3, 0), r"kernel size must be ≥ 1"),
        (
            lambda: conv_transpose_output_shape2d((3, 0), (2, 2)),
            r"input size \(width\) must be ≥ 1",
        ),
        (lambda: conv_transpose_output_shape2d((3, 3, 3), (2, 2)), r"input size must be .* pair"),
        (lambda: overlap_counts2d((3, 3), (2, -1)), r"kernel size \(width\) must be ≥ 1"),
    ],
)
def test_bad_shapes(call: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()  # type: ignore[operator]


def test_overflow_is_an_error_not_inf() -> None:
    big = np.full((2, 2), 1e308)
    with pytest.raises(ValueError, match="overflows float64"):
        conv_transpose2d(big, np.full((2, 2), 10.0))
    with pytest.raises(ValueError, match="overflows float64"):
        conv_transpose2d(big, np.ones((2, 2)))  # each product fits, the overlapping sum does not
    with pytest.raises(ValueError, match="overflows float64"):
        conv_transpose1d([1e308, 1e308], [1.0, 1.0])
    with pytest.raises(ValueError, match="overflows float64"):
        transpose_scatter_trace2d(big, np.full((1, 1), 10.0))
    # The same numbers without overlap (stride 2, 2x2 kernel) stay finite.
    out = conv_transpose2d(big, np.ones((2, 2)), stride=2)
    assert np.all(np.isfinite(out)) and out.max() == 1e308
