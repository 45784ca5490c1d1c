"""explorer.model.conv against numpy and loops written straight from the homework's equations."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from explorer.model.conv import (
    PRESETS_2D,
    SEED_GRID,
    SEED_KERNEL,
    SEED_KERNEL2D,
    SEED_SIGNAL,
    Step,
    Step2d,
    conv_full,
    conv_valid,
    convolve,
    convolve2d,
    flip,
    grey_crop,
    output_length,
    output_shape2d,
    pad_widths,
    padded_input2d,
    padded_length,
    padded_signal,
    preset2d,
    same_padding,
    trace,
    trace2d,
)
from tests.budget import examples

FAST = examples(200)

values = st.floats(-5, 5, allow_nan=False, allow_infinity=False)


def vectors(max_size: int = 12) -> st.SearchStrategy[np.ndarray]:
    return st.integers(1, max_size).flatmap(lambda n: arrays(np.float64, n, elements=values))


def matrices(max_side: int) -> st.SearchStrategy[np.ndarray]:
    shapes = st.tuples(st.integers(1, max_side), st.integers(1, max_side))
    return shapes.flatmap(lambda s: arrays(np.float64, s, elements=values))


modes = st.sampled_from(["full", "valid", "same"])


def at(x: np.ndarray, i: int) -> float:
    """Q5's convention, 0-based: entries indexed out of bounds are zero."""
    return float(x[i]) if 0 <= i < x.size else 0.0


def full_by_definition(x: np.ndarray, w: np.ndarray, flip_kernel: bool) -> np.ndarray:
    """Convolution y[n] = sum_j x[n-j] w[j]; correlation c[n] = sum_m x[n+m-(k-1)] w[m]."""
    d, k = x.size, w.size
    out = np.zeros(d + k - 1)
    for n in range(d + k - 1):
        if flip_kernel:
            out[n] = sum(at(x, n - j) * w[j] for j in range(k))
        else:
            out[n] = sum(at(x, n + m - (k - 1)) * w[m] for m in range(k))
    return out


def same_by_definition(x: np.ndarray, w: np.ndarray, flip_kernel: bool) -> np.ndarray:
    """scipy.signal's "same": the d central entries of the full result, from (k - 1) // 2."""
    start = (w.size - 1) // 2
    return full_by_definition(x, w, flip_kernel)[start : start + x.size]


# --- the homework's example (question 4.3; ERRATA lists the text's wrong answers) ---------------


def test_seed_constants() -> None:
    np.testing.assert_array_equal(SEED_SIGNAL, [1, 2, 3, 4])
    np.testing.assert_array_equal(SEED_KERNEL, [2, 0, 1])


@pytest.mark.parametrize(
    ("mode", "flip_kernel", "expected"),
    [
        ("full", True, [2, 4, 7, 10, 3, 4]),
        ("valid", True, [7, 10]),
        ("same", True, [4, 7, 10, 3]),
        ("full", False, [1, 2, 5, 8, 6, 8]),
        ("valid", False, [5, 8]),
        ("same", False, [2, 5, 8, 6]),
    ],
)
def test_seed_example(mode: str, flip_kernel: bool, expected: list[float]) -> None:
    out = convolve(SEED_SIGNAL, SEED_KERNEL, mode, flip=flip_kernel)
    np.testing.assert_array_equal(out, expected)
    assert out.dtype == np.float64


def test_default_is_full_convolution() -> None:
    np.testing.assert_array_equal(convolve([1, 2, 3, 4], [2, 0, 1]), [2, 4, 7, 10, 3, 4])


def test_seed_trace_spells_out_the_first_same_output() -> None:
    step = trace(SEED_SIGNAL, SEED_KERNEL, "same")[0]
    assert step.index == 0
    np.testing.assert_array_equal(step.positions, [-1, 0, 1])
    np.testing.assert_array_equal(step.values, [0, 1, 2])
    np.testing.assert_array_equal(step.kernel, [1, 0, 2])  # flipped
    np.testing.assert_array_equal(step.products, [0, 0, 4])
    assert step.total == 4.0


# --- against numpy and the definitions -----------------------------------------------------------


@FAST
@given(x=vectors(), w=vectors(), mode=modes, flip_kernel=st.booleans())
def test_convolve_matches_numpy_and_definition(
    x: np.ndarray, w: np.ndarray, mode: str, flip_kernel: bool
) -> None:
    d, k = x.size, w.size
    x_before, w_before = x.copy(), w.copy()
    numpy_op = np.convolve if flip_kernel else np.correlate
    if mode == "valid" and k > d:
        with pytest.raises(ValueError, match=rf"kernel \({k}\) is longer than the input \({d}\)"):
            convolve(x, w, mode, flip=flip_kernel)
        return
    out = convolve(x, w, mode, flip=flip_kernel)
    assert out.shape == (output_length(d, k, mode),)
    if mode != "same" or k <= d:
        np.testing.assert_allclose(out, numpy_op(x, w, mode), rtol=1e-12, atol=1e-12)
    if mode == "same":
        assert out.shape == (d,)
        np.testing.assert_allclose(out, same_by_definition(x, w, flip_kernel), atol=1e-12)
    if mode == "full":
        np.testing.assert_allclose(out, full_by_definition(x, w, flip_kernel), atol=1e-12)
    np.testing.assert_array_equal(x, x_before)
    np.testing.assert_array_equal(w, w_before)


def test_same_for_a_kernel_longer_than_the_input_keeps_length_d() -> None:
    x, w = np.array([1.0, 2.0]), np.array([1.0, 10.0, 100.0, 1000.0, 10000.0])
    # full convolution = [1, 12, 120, 1200, 12000, 20000]; (k - 1) // 2 = 2.
    np.testing.assert_array_equal(convolve(x, w, "same"), [120, 1200])
    # full correlation = [10000, 21000, 2100, 210, 21, 2].
    np.testing.assert_array_equal(convolve(x, w, "same", flip=False), [2100, 210])
    assert np.convolve(x, w, "same").size == 5  # what numpy would have done


@FAST
@given(x=vectors(), w=vectors(), flip_kernel=st.booleans())
def test_correlation_same_is_convolution_same_with_flipped_kernel(
    x: np.ndarray, w: np.ndarray, flip_kernel: bool
) -> None:
    np.testing.assert_allclose(
        convolve(x, w, "same", flip=not flip_kernel),
        convolve(x, w[::-1], "same", flip=flip_kernel),
        atol=1e-12,
    )


@pytest.mark.parametrize(
    ("k", "left", "right"), [(1, 0, 0), (2, 1, 0), (3, 1, 1), (4, 2, 1), (5, 2, 2), (6, 3, 2)]
)
def test_same_padding_puts_the_extra_zero_on_the_left(k: int, left: int, right: int) -> None:
    assert same_padding(4, k) == (left, right)
    assert pad_widths(4, k, "same") == (left, right)


@FAST
@given(d=st.integers(1, 30), k=st.integers(1, 30), mode=modes)
def test_lengths(d: int, k: int, mode: str) -> None:
    if mode == "valid" and k > d:
        with pytest.raises(ValueError, match="valid mode needs k ≤ d"):
            output_length(d, k, mode)
        return
    left, right = pad_widths(d, k, mode)
    assert padded_length(d, k, mode) == d + left + right
    expected = {"full": d + k - 1, "valid": d - k + 1, "same": d}[mode]
    assert output_length(d, k, mode) == expected
    padded = padded_signal(np.arange(1.0, d + 1), k, mode)
    assert padded.shape == (padded_length(d, k, mode),)
    np.testing.assert_array_equal(padded[left : left + d], np.arange(1.0, d + 1))
    assert not padded[:left].any() and not padded[left + d :].any()


@FAST
@given(x=vectors(), w=vectors())
def test_conv_valid_is_equation_4(x: np.ndarray, w: np.ndarray) -> None:
    d, k = x.size, w.size
    if k > d:
        with pytest.raises(ValueError, match="valid mode needs k ≤ d"):
            conv_valid(x, w)
        return
    # (x * w)_n = sum_{j=1}^k x_{n+j-1} w_j, n = 1..d-k+1 (1-based, as printed).
    expected = [
        sum(x[n + j - 1 - 1] * w[j - 1] for j in range(1, k + 1)) for n in range(1, d - k + 2)
    ]
    np.testing.assert_allclose(conv_valid(x, w), expected, atol=1e-12)


@FAST
@given(x=vectors(), w=vectors())
def test_conv_full_is_equation_5(x: np.ndarray, w: np.ndarray) -> None:
    d, k = x.size, w.size

    def x1(i: int) -> float:  # 1-based, zero out of bounds
        return float(x[i - 1]) if 1 <= i <= d else 0.0

    # (x ~* w)_n = sum_{j=1}^k x_{n+j-k} w_j, n = 1..d+k-1.
    expected = [sum(x1(n + j - k) * w[j - 1] for j in range(1, k + 1)) for n in range(1, d + k)]
    np.testing.assert_allclose(conv_full(x, w), expected, atol=1e-12)


@FAST
@given(w=vectors())
def test_flip(w: np.ndarray) -> None:
    before = w.copy()
    flipped = flip(w)
    k = w.size
    np.testing.assert_array_equal(flipped, [w[k - j] for j in range(1, k + 1)])  # w_{k-j+1}
    np.testing.assert_array_equal(w, before)
    flipped[0] = 99.0
    np.testing.assert_array_equal(w, before)


# --- traces --------------------------------------------------------------------------------------


@FAST
@given(x=vectors(), w=vectors(), mode=modes, flip_kernel=st.booleans())
def test_trace_spells_out_every_output(
    x: np.ndarray, w: np.ndarray, mode: str, flip_kernel: bool
) -> None:
    assume(not (mode == "valid" and w.size > x.size))
    out = convolve(x, w, mode, flip=flip_kernel)
    steps = trace(x, w, mode, flip=flip_kernel)
    assert len(steps) == out.size
    applied = w[::-1] if flip_kernel else w
    for n, step in enumerate(steps):
        assert isinstance(step, Step)
        assert step.index == n
        assert step.total == out[n]
        assert step.positions.shape == step.kernel.shape == step.products.shape == (w.size,)
        np.testing.assert_array_equal(np.diff(step.positions), 1)
        np.testing.assert_array_equal(step.kernel, applied)
        np.testing.assert_array_equal(step.values, [at(x, int(p)) for p in step.positions])
        np.testing.assert_array_equal(step.products, step.values * step.kernel)
        assert step.products.sum() == pytest.approx(step.total, abs=1e-12)
    first = steps[0].positions[0]
    left, _ = pad_widths(x.size, w.size, mode)
    assert first == -left


def test_steps_are_frozen() -> None:
    step = trace(SEED_SIGNAL, SEED_KERNEL)[2]
    with pytest.raises(AttributeError):
        step.total = 0.0  # type: ignore[misc]
    with pytest.raises(ValueError):
        step.products[0] = 0.0
    assert step == trace(SEED_SIGNAL, SEED_KERNEL)[2]
    assert step != trace(SEED_SIGNAL, SEED_KERNEL)[3]


# --- 2-D -----------------------------------------------------------------------------------------


def conv2d_by_loops(
    x: np.ndarray, w: np.ndarray, stride: int, padding: int, dilation: int, flip_kernel: bool
) -> np.ndarray:
    kernel = w[::-1, ::-1] if flip_kernel else w
    h, wd = x.shape
    kh, kw = kernel.shape
    out_h = (h + 2 * padding - dilation * (kh - 1) - 1) // stride + 1
    out_w = (wd + 2 * padding - dilation * (kw - 1) - 1) // stride + 1
    out = np.zeros((out_h, out_w))
    for i in range(out_h):
        for j in range(out_w):
            for a in range(kh):
                for b in range(kw):
                    r = i * stride + a * dilation - padding
                    c = j * stride + b * dilation - padding
                    if 0 <= r < h and 0 <= c < wd:
                        out[i, j] += x[r, c] * kernel[a, b]
    return out


conv2d_cases = {
    "x": matrices(7),
    "w": matrices(4),
    "stride": st.integers(1, 3),
    "padding": st.integers(0, 2),
    "dilation": st.integers(1, 3),
    "flip_kernel": st.booleans(),
}


def fits(x: np.ndarray, w: np.ndarray, padding: int, dilation: int) -> bool:
    return all(
        dilation * (kn - 1) + 1 <= xn + 2 * padding for xn, kn in zip(x.shape, w.shape, strict=True)
    )


@FAST
@given(**conv2d_cases)
def test_convolve2d_matches_loops(
    x: np.ndarray, w: np.ndarray, stride: int, padding: int, dilation: int, flip_kernel: bool
) -> None:
    if not fits(x, w, padding, dilation):
        with pytest.raises(ValueError, match="larger than the padded input"):
            convolve2d(x, w, stride, padding, dilation, flip_kernel)
        return
    x_before = x.copy()
    out = convolve2d(x, w, stride=stride, padding=padding, dilation=dilation, flip=flip_kernel)
    expected = conv2d_by_loops(x, w, stride, padding, dilation, flip_kernel)
    assert (
        out.shape == expected.shape == output_shape2d(x.shape, w.shape, stride, padding, dilation)
    )
    np.testing.assert_allclose(out, expected, atol=1e-12)
    np.testing.assert_array_equal(x, x_before)


@FAST
@given(**conv2d_cases)
def test_trace2d_spells_out_every_output(
    x: np.ndarray, w: np.ndarray, stride: int, padding: int, dilation: int, flip_kernel: bool
) -> None:
    assume(fits(x, w, padding, dilation))
    out = convolve2d(x, w, stride, padding, dilation, flip_kernel)
    steps = trace2d(x, w, stride, padding, dilation, flip_kernel)
    assert len(steps) == out.size
    padded = np.pad(x, padding)
    kernel = w[::-1, ::-1] if flip_kernel else w
    for n, step in enumerate(steps):
        assert isinstance(step, Step2d)
        assert step.output == divmod(n, out.shape[1])
        assert step.total == out[step.output]
        np.testing.assert_array_equal(step.kernel, kernel)
        np.testing.assert_array_equal(step.values, padded[np.ix_(step.rows, step.cols)])
        np.testing.assert_array_equal(step.products, step.values * step.kernel)
        assert step.products.sum() == pytest.approx(step.total, abs=1e-12)
        i, j = step.output
        np.testing.assert_array_equal(step.rows, i * stride + dilation * np.arange(w.shape[0]))
        np.testing.assert_array_equal(step.cols, j * stride + dilation * np.arange(w.shape[1]))


def test_convolve2d_known_values() -> None:
    x = np.arange(16.0).reshape(4, 4)
    w = np.array([[1.0, 0.0], [0.0, -1.0]])
    np.testing.assert_array_equal(convolve2d(x, w), np.full((3, 3), -5.0))
    np.testing.assert_array_equal(convolve2d(x, w, flip=True), np.full((3, 3), 5.0))
    np.testing.assert_array_equal(convolve2d(x, w, stride=2), np.full((2, 2), -5.0))
    np.testing.assert_array_equal(convolve2d(x, w, dilation=3), [[-15.0]])


def test_homework_layer_one_output_size() -> None:
    # Question 4.1: 128x128, 8x8 kernel, stride 2, padding 3 -> 64x64.
    assert output_shape2d((128, 128), (8, 8), stride=2, padding=3) == (64, 64)


# --- 2-D defaults and presets --------------------------------------------------------------------


def test_seed_grid_and_kernel() -> None:
    assert SEED_GRID.shape == (5, 5) and SEED_KERNEL2D.shape == (3, 3)
    assert not SEED_GRID.flags.writeable and not SEED_KERNEL2D.flags.writeable
    np.testing.assert_array_equal(SEED_GRID, np.round(SEED_GRID))
    # The guide to convolution arithmetic's worked example, computed by hand loops.
    expected = conv2d_by_loops(np.array(SEED_GRID), np.array(SEED_KERNEL2D), 1, 0, 1, False)
    np.testing.assert_array_equal(expected, [[12, 12, 17], [10, 17, 19], [9, 6, 14]])
    np.testing.assert_array_equal(convolve2d(SEED_GRID, SEED_KERNEL2D), expected)


@pytest.mark.parametrize(
    ("name", "kernel_shape", "expected", "out_shape"),
    [
        ("no padding, unit stride", (3, 3), (1, 0, 1), (3, 3)),
        ("half padding", (3, 3), (1, 1, 1), (5, 5)),
        ("full padding", (3, 3), (1, 2, 1), (7, 7)),
        ("stride 2", (3, 3), (2, 0, 1), (2, 2)),
        ("dilation 2", (3, 3), (1, 0, 2), (1, 1)),
        ("half padding", (2, 5), (1, 2, 1), (8, 5)),
        ("full padding", (4, 2), (1, 3, 1), (8, 10)),
    ],
)
def test_presets(
    name: str,
    kernel_shape: tuple[int, int],
    expected: tuple[int, int, int],
    out_shape: tuple[int, int],
) -> None:
    assert name in PRESETS_2D
    assert preset2d(name, kernel_shape) == expected
    stride, padding, dilation = expected
    assert output_shape2d((5, 5), kernel_shape, stride, padding, dilation) == out_shape


@given(k=st.integers(1, 7).filter(lambda k: k % 2 == 1), side=st.integers(7, 12))
def test_half_padding_keeps_the_size_for_odd_kernels(k: int, side: int) -> None:
    stride, padding, dilation = preset2d("half padding", (k, k))
    assert output_shape2d((side, side), (k, k), stride, padding, dilation) == (side, side)
    stride, padding, dilation = preset2d("full padding", (k, k))
    assert output_shape2d((side, side), (k, k), stride, padding, dilation) == (
        side + k - 1,
        side + k - 1,
    )


def test_bad_preset() -> None:
    with pytest.raises(ValueError, match="preset must be one of no padding"):
        preset2d("circular", (3, 3))
    with pytest.raises(ValueError, match="kernel size must be ≥ 1"):
        preset2d("half padding", (0, 3))


@FAST
@given(x=matrices(6), padding=st.integers(0, 3))
def test_padded_input2d(x: np.ndarray, padding: int) -> None:
    before = x.copy()
    padded = padded_input2d(x, padding)
    h, w = x.shape
    assert padded.shape == (h + 2 * padding, w + 2 * padding)
    np.testing.assert_array_equal(padded[padding : padding + h, padding : padding + w], x)
    border = np.ones(padded.shape, dtype=bool)
    border[padding : padding + h, padding : padding + w] = False
    assert not padded[border].any()
    padded[...] = 99.0  # a new array: the input is untouched
    np.testing.assert_array_equal(x, before)


def test_padded_input2d_rejects_bad_arguments() -> None:
    with pytest.raises(ValueError, match="padding must be ≥ 0"):
        padded_input2d(np.ones((2, 2)), -1)
    with pytest.raises(ValueError, match="NaN or inf"):
        padded_input2d(np.full((2, 2), np.nan), 1)


def test_grey_crop() -> None:
    rng = np.random.default_rng(3)
    image = rng.integers(0, 256, (12, 10, 3)).astype(float)
    crop = grey_crop(image, 2, 3, 4)
    assert crop.shape == (4, 4)
    for i in range(4):
        for j in range(4):
            r, g, b = image[2 + i, 3 + j]
            assert crop[i, j] == round(0.299 * r + 0.587 * g + 0.114 * b)
    assert grey_crop(np.full((3, 3, 3), 255.0), 0, 0, 3).max() == 255
    with pytest.raises(ValueError, match=r"a 4x4 crop at \(9, 0\) leaves the 12x10 image"):
        grey_crop(image, 9, 0, 4)
    with pytest.raises(ValueError, match="3 colour channels"):
        grey_crop(np.zeros((4, 4, 4)), 0, 0, 2)
    with pytest.raises(ValueError, match="crop top must be ≥ 0"):
        grey_crop(image, -1, 0, 2)


# --- invalid arguments ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("x", "w", "message"),
    [
        ([], [1.0], "input is empty"),
        ([1.0], [], "kernel is empty"),
        ([1.0, np.nan], [1.0], "NaN or inf"),
        ([1.0, 2.0], [np.inf], "NaN or inf"),
        (["a", "b"], [1.0], "only numbers"),
        ("text", [1.0], "only numbers"),
        ([[1.0, 2.0]], [1.0], "must be a vector"),
    ],
)
def test_convolve_rejects_bad_vectors(x: object, w: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        convolve(x, w)
    with pytest.raises(ValueError, match=message):
        trace(x, w)


def test_valid_kernel_longer_than_input_is_an_error() -> None:
    message = r"kernel \(5\) is longer than the input \(4\): valid mode needs k ≤ d"
    with pytest.raises(ValueError, match=message):
        convolve([1, 2, 3, 4], [1, 2, 3, 4, 5], "valid")
    with pytest.raises(ValueError, match=message):
        conv_valid([1, 2, 3, 4], [1, 2, 3, 4, 5])


def test_bad_mode_and_flip() -> None:
    with pytest.raises(ValueError, match="mode must be one of full, valid, same"):
        convolve([1.0], [1.0], "circular")
    with pytest.raises(ValueError, match="flip must be True"):
        convolve([1.0], [1.0], "full", flip="yes")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"stride": 0}, "stride must be ≥ 1"),
        ({"stride": 1.5}, "stride must be a whole number"),
        ({"stride": "2"}, "stride must be a whole number"),
        ({"dilation": 0}, "dilation must be ≥ 1"),
        ({"padding": -1}, "padding must be ≥ 0"),
        ({"padding": 0.5}, "padding must be a whole number"),
    ],
)
def test_convolve2d_rejects_bad_hyperparameters(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        convolve2d(np.ones((4, 4)), np.ones((2, 2)), **kwargs)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=message):
        trace2d(np.ones((4, 4)), np.ones((2, 2)), **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("x", "w", "message"),
    [
        (
            np.ones((3, 3)),
            np.ones((4, 2)),
            r"kernel \(4x2\) is larger than the padded input \(3x3\)",
        ),
        (np.ones((0, 3)), np.ones((1, 1)), "input is empty"),
        (np.ones((3, 3)), np.full((1, 1), np.nan), "NaN or inf"),
        (np.ones(3), np.ones((1, 1)), "input must be a 2-D array"),
        (np.ones((3, 3)), np.ones(2), "kernel must be a 2-D array"),
    ],
)
def test_convolve2d_rejects_bad_arrays(x: np.ndarray, w: np.ndarray, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        convolve2d(x, w)


def test_convolve2d_names_the_dilated_kernel() -> None:
    with pytest.raises(ValueError, match=r"\(dilated to 5x5\) is larger than the padded input"):
        convolve2d(np.ones((4, 4)), np.ones((3, 3)), dilation=2)
    # Padding can make room for it.
    assert convolve2d(np.ones((4, 4)), np.ones((3, 3)), dilation=2, padding=1).shape == (2, 2)


def test_float_integer_hyperparameters_are_accepted() -> None:
    np.testing.assert_array_equal(
        convolve2d(np.ones((4, 4)), np.ones((2, 2)), stride=2.0),  # type: ignore[arg-type]
        np.full((2, 2), 4.0),
    )


def test_model_conv_does_not_import_qt() -> None:
    code = "import sys, explorer.model.conv; assert 'PySide6' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parents[1])
