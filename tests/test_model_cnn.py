"""Tests of explorer.model.cnn against brute-force references written here."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from explorer.model.cnn import (
    SEED_INPUT_SHAPE,
    SEED_NETWORK,
    Conv2d,
    MaxPool2d,
    ReLU,
    default_weights,
    forward,
    image_to_input,
    infer_shapes,
    infer_shapes_partial,
    layer_details,
    param_counts,
    receptive_field,
)
from tests.budget import examples

# ---------------------------------------------------------------------------------------------
# brute-force references


def window_starts(size, padding, kernel, dilation, stride):
    """Enumerate window start positions (padded coordinates) one by one, as a student would."""
    span = dilation * (kernel - 1) + 1
    starts = []
    t = 0
    while t + span <= size + 2 * padding:
        starts.append(t)
        t += stride
    return starts


def geometry(layer):
    """(kernel, stride, padding, dilation) of a layer, or None for ReLU."""
    if isinstance(layer, Conv2d):
        return layer.kernel_size, layer.stride, layer.padding, layer.dilation
    if isinstance(layer, MaxPool2d):
        stride = layer.kernel_size if layer.stride is None else layer.stride
        return layer.kernel_size, stride, 0, 1
    return None


def ref_shapes(input_shape, layers):
    """Shapes by enumerating windows; returns (shapes, failing index or None)."""
    c, h, w = input_shape
    shapes = []
    for i, layer in enumerate(layers):
        g = geometry(layer)
        if g is not None:
            k, s, p, d = g
            h, w = len(window_starts(h, p, k, d, s)), len(window_starts(w, p, k, d, s))
            if h == 0 or w == 0:
                return shapes, i
            if isinstance(layer, Conv2d):
                c = layer.out_channels
        shapes.append((c, h, w))
    return shapes, None


def ref_params(input_shape, layers):
    c = input_shape[0]
    counts = []
    for layer in layers:
        if isinstance(layer, Conv2d):
            n = 0
            for _ in range(layer.out_channels):
                n += c * layer.kernel_size**2 + (1 if layer.bias else 0)
            counts.append(n)
            c = layer.out_channels
        else:
            counts.append(0)
    return counts


def ref_forward(image, layers, weights):
    """Direct loops over every output cell and every tap."""
    x = np.array(image, dtype=float)
    out = []
    for layer, entry in zip(layers, weights, strict=True):
        if isinstance(layer, ReLU):
            y = x.copy()
            y[y < 0] = 0.0
        else:
            k, s, p, d = geometry(layer)
            c, h, w = x.shape
            xp = np.zeros((c, h + 2 * p, w + 2 * p))
            xp[:, p : p + h, p : p + w] = x
            rows = window_starts(h, p, k, d, s)
            cols = window_starts(w, p, k, d, s)
            if isinstance(layer, MaxPool2d):
                y = np.zeros((c, len(rows), len(cols)))
                for ch in range(c):
                    for i, r in enumerate(rows):
                        for j, q in enumerate(cols):
                            y[ch, i, j] = max(
                                xp[ch, r + u, q + v] for u in range(k) for v in range(k)
                            )
            else:
                wt, b = entry if layer.bias else (entry, None)
                y = np.zeros((layer.out_channels, len(rows), len(cols)))
                for o in range(layer.out_channels):
                    for i, r in enumerate(rows):
                        for j, q in enumerate(cols):
                            total = 0.0 if b is None else b[o]
                            for ch in range(c):
                                for u in range(k):
                                    for v in range(k):
                                        total += xp[ch, r + u * d, q + v * d] * wt[o, ch, u, v]
                            y[o, i, j] = total
        out.append(y)
        x = y
    return out


def random_weights(rng, input_shape, layers, low=-1.0, high=1.0):
    c = input_shape[0]
    weights = []
    for layer in layers:
        if isinstance(layer, Conv2d):
            w = rng.uniform(
                low, high, (layer.out_channels, c, layer.kernel_size, layer.kernel_size)
            )
            weights.append((w, rng.uniform(low, high, layer.out_channels)) if layer.bias else w)
            c = layer.out_channels
        else:
            weights.append(None)
    return weights


# ---------------------------------------------------------------------------------------------
# strategies


def layer_strategy(max_out=4, max_kernel=5, max_stride=3, max_padding=3, max_dilation=3):
    conv = st.builds(
        Conv2d,
        out_channels=st.integers(1, max_out),
        kernel_size=st.integers(1, max_kernel),
        stride=st.integers(1, max_stride),
        padding=st.integers(0, max_padding),
        dilation=st.integers(1, max_dilation),
        bias=st.booleans(),
    )
    pool = st.builds(
        MaxPool2d,
        kernel_size=st.integers(1, max_kernel),
        stride=st.none() | st.integers(1, max_stride),
    )
    return st.one_of(conv, pool, st.just(ReLU()))


shapes_strategy = st.tuples(st.integers(1, 4), st.integers(1, 40), st.integers(1, 40))


# ---------------------------------------------------------------------------------------------
# the homework (question 4)


def test_homework_shapes_and_counts():
    shapes = infer_shapes(SEED_INPUT_SHAPE, SEED_NETWORK)
    assert shapes == [(32, 64, 64), (32, 32, 32), (64, 32, 32)]
    assert np.prod(shapes[-1]) == 65_536
    assert param_counts(SEED_INPUT_SHAPE, SEED_NETWORK) == [3 * 32 * 64, 0, 18_432]
    with_bias = [*SEED_NETWORK[:2], Conv2d(64, 3, stride=1, padding=1, bias=True)]
    assert param_counts(SEED_INPUT_SHAPE, with_bias)[-1] == 18_496
    assert SEED_INPUT_SHAPE == (3, 128, 128)
    assert SEED_NETWORK[0] == Conv2d(32, 8, stride=2, padding=3)
    assert SEED_NETWORK[1] == MaxPool2d(2)


def test_homework_details():
    rows = layer_details(SEED_INPUT_SHAPE, SEED_NETWORK)
    assert [r["output_shape"] for r in rows] == [(32, 64, 64), (32, 32, 32), (64, 32, 32)]
    assert rows[0]["formula"] == "⌊(128 + 2·3 − 8)/2⌋ + 1 = 64"
    assert rows[1]["formula"] == "⌊(64 − 2)/2⌋ + 1 = 32"
    assert rows[2]["formula"] == "⌊(32 + 2·1 − 3)/1⌋ + 1 = 32"
    assert [r["weights"] for r in rows] == [6144, 0, 18_432]
    assert [r["biases"] for r in rows] == [0, 0, 0]
    assert [r["activations"] for r in rows] == [131_072, 32_768, 65_536]
    assert rows[0]["macs"] == 64 * 64 * 32 * 3 * 8 * 8
    assert rows[1]["macs"] == 0 and "no multiply-adds" in rows[1]["macs_note"]
    assert rows[2]["macs"] == 32 * 32 * 64 * 32 * 3 * 3
    assert all(r["dropped_rows"] == r["dropped_cols"] == 0 for r in rows)


def test_homework_forward_shapes_and_receptive_field():
    weights = default_weights(SEED_INPUT_SHAPE, SEED_NETWORK)
    image = np.random.default_rng(1).random(SEED_INPUT_SHAPE)
    outs = forward(image, SEED_NETWORK, weights)
    assert [o.shape for o in outs] == infer_shapes(SEED_INPUT_SHAPE, SEED_NETWORK)
    # conv3 row 0 reads pool rows 0..1 -> conv1 rows 0..3 -> input rows -3..10, clipped
    assert receptive_field(SEED_NETWORK, 2, 0, 0, SEED_INPUT_SHAPE) == (0, 11, 0, 11)
    assert receptive_field(SEED_NETWORK, 0, 10, 20, SEED_INPUT_SHAPE) == (17, 25, 37, 45)
    assert receptive_field(SEED_NETWORK, 2, 31, 31, SEED_INPUT_SHAPE) == (117, 128, 117, 128)
    # without the input shape the box is clipped at 0 only
    assert receptive_field(SEED_NETWORK, 2, 0, 0) == (0, 11, 0, 11)


# ---------------------------------------------------------------------------------------------
# shapes and counts against enumeration


@examples(200)
@given(shapes_strategy, st.lists(layer_strategy(), min_size=1, max_size=5))
def test_shapes_and_counts_match_enumeration(input_shape, layers):
    expected, failing = ref_shapes(input_shape, layers)
    check = infer_shapes_partial(input_shape, layers)
    assert check.shapes == expected
    assert check.failing_index == failing
    if failing is None:
        assert check.error is None
        assert infer_shapes(input_shape, layers) == expected
        assert param_counts(input_shape, layers) == ref_params(input_shape, layers)
        details = layer_details(input_shape, layers)
        assert [d["output_shape"] for d in details] == expected
        assert [d["params"] for d in details] == ref_params(input_shape, layers)
    else:
        assert check.error.startswith(f"layer {failing + 1}: ")
        with pytest.raises(ValueError, match=f"^layer {failing + 1}: "):
            infer_shapes(input_shape, layers)
        with pytest.raises(ValueError, match=f"^layer {failing + 1}: "):
            param_counts(input_shape, layers)


@examples(200)
@given(
    st.integers(1, 30),
    st.integers(1, 8),
    st.integers(1, 4),
    st.integers(0, 4),
    st.integers(1, 3),
    st.booleans(),
)
def test_formula_and_dropped_lines_match_enumeration(size, kernel, stride, padding, dilation, pool):
    layer = MaxPool2d(kernel, stride) if pool else Conv2d(2, kernel, stride, padding, dilation)
    k, s, p, d = geometry(layer)
    starts = window_starts(size, p, k, d, s)
    shape = (1, size, size + 1)
    if not starts:
        assert infer_shapes_partial(shape, [layer]).failing_index == 0
        return
    (row,) = layer_details(shape, [layer])
    out = len(starts)
    assert row["formula_h"].endswith(f"= {out}")
    span = d * (k - 1) + 1
    covered = {t - p for start in starts for t in range(start, start + span)}
    read = {start + j * d - p for start in starts for j in range(k)}
    dropped = sum(1 for i in range(size) if i > max(covered))
    assert row["dropped_rows"] == dropped
    assert row["unread_rows"] == sum(1 for i in range(size) if i not in read)
    pad = f" + 2·{p}" if p else ""
    assert row["formula_h"].endswith(f"⌊({size}{pad} − {span})/{s}⌋ + 1 = {out}")
    assert ("dilated kernel" in row["formula_h"]) == (d > 1 and k > 1)
    assert row["macs"] == (
        out * len(window_starts(size + 1, p, k, d, s)) * 2 * k * k if not pool else 0
    )


# ---------------------------------------------------------------------------------------------
# forward against loops


@examples(150)
@given(
    st.tuples(st.integers(1, 3), st.integers(1, 8), st.integers(1, 8)),
    st.lists(
        layer_strategy(max_out=3, max_kernel=3, max_padding=2, max_dilation=2),
        min_size=1,
        max_size=3,
    ),
    st.integers(0, 2**32 - 1),
)
def test_forward_matches_direct_loops(input_shape, layers, seed):
    if ref_shapes(input_shape, layers)[1] is not None:
        with pytest.raises(ValueError):
            forward(np.zeros(input_shape), layers, [None] * len(layers))
        return
    rng = np.random.default_rng(seed)
    image = rng.standard_normal(input_shape)
    weights = random_weights(rng, input_shape, layers)
    image_before = image.copy()
    weights_before = [
        None if w is None else np.copy(w[0] if isinstance(w, tuple) else w) for w in weights
    ]
    outs = forward(image, layers, weights)
    expected = ref_forward(image, layers, weights)
    assert [o.shape for o in outs] == infer_shapes(input_shape, layers)
    for got, want in zip(outs, expected, strict=True):
        assert got.dtype == np.float64
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-10)
    np.testing.assert_array_equal(image, image_before)
    for w, before in zip(weights, weights_before, strict=True):
        if w is not None:
            np.testing.assert_array_equal(w[0] if isinstance(w, tuple) else w, before)


def test_forward_is_cross_correlation():
    image = np.arange(9.0).reshape(1, 3, 3)
    kernel = np.array([[[[1.0, 0.0], [0.0, 0.0]]]])  # picks the top-left tap, unflipped
    (out,) = forward(image, [Conv2d(1, 2)], [kernel])
    np.testing.assert_array_equal(out[0], [[0.0, 1.0], [3.0, 4.0]])


def test_forward_accepts_integer_images():
    image = np.arange(16, dtype=np.uint8).reshape(1, 4, 4)
    (out,) = forward(image, [MaxPool2d(2)], [None])
    np.testing.assert_array_equal(out[0], [[5.0, 7.0], [13.0, 15.0]])
    assert out.dtype == np.float64


def test_forward_empty_stack():
    assert forward(np.ones((1, 2, 2)), [], []) == []
    assert infer_shapes((1, 2, 2), []) == []


# ---------------------------------------------------------------------------------------------
# messages a student can act on


@pytest.mark.parametrize(
    ("input_shape", "layers", "pattern"),
    [
        (
            (1, 8, 8),
            [Conv2d(4, 9)],
            r"^layer 1: kernel 9 is larger than the padded input 8 .*"
            r"use kernel ≤ 8 or padding ≥ 1$",
        ),
        (
            (1, 8, 8),
            [ReLU(), Conv2d(4, 3, dilation=5)],
            r"^layer 2: kernel 3 \(dilated 11\) .*kernel ≤ 2 or dilation ≤ 3 or padding ≥ 2",
        ),
        ((3, 8, 5), [Conv2d(4, 3), MaxPool2d(4)], r"^layer 2: max-pool window 4 .* 6 × 3: .*≤ 3"),
        (
            (1, 8, 8),
            [Conv2d(4, 3, stride=0)],
            r"^layer 1: stride must be ≥ 1, got 0: use stride 1",
        ),
        ((1, 8, 8), [MaxPool2d(2, stride=0)], r"^layer 1: stride must be ≥ 1"),
        ((1, 8, 8), [Conv2d(4, 3, padding=-1)], r"^layer 1: padding must be ≥ 0.*use padding 0"),
        ((1, 8, 8), [Conv2d(4, 2.5)], r"^layer 1: kernel size must be a whole number.*2 or 3"),
        ((1, 8, 8), [Conv2d(0, 3)], r"^layer 1: out channels must be ≥ 1"),
        ((1, 8, 8), [Conv2d(4, 3, dilation=0)], r"^layer 1: dilation must be ≥ 1"),
        ((1, 8, 8), [Conv2d(4, "3")], r"^layer 1: kernel size must be a whole number"),
        ((1, 8, 8), [Conv2d(4, True)], r"^layer 1: kernel size must be a whole number"),
        ((1, 8, 8), [Conv2d(4, float("nan"))], r"^layer 1: kernel size must be a whole number"),
        ((1, 8, 8), [ReLU(), "conv"], r"^layer 2: expected Conv2d, MaxPool2d or ReLU"),
        ((1, 8), [ReLU()], r"^input shape must be \(channels, height, width\)"),
        ((1, 0, 8), [ReLU()], r"^input shape: height must be ≥ 1"),
        ((1, 8, 8), Conv2d(4, 3), r"^layers must be a list"),
    ],
)
def test_impossible_stacks_raise_clear_messages(input_shape, layers, pattern):
    with pytest.raises(ValueError, match=pattern):
        infer_shapes(input_shape, layers)
    check = infer_shapes_partial(input_shape, layers)
    assert re.search(pattern, check.error)


def test_partial_keeps_rows_above_bad_layer():
    layers = [Conv2d(4, 3, padding=1), MaxPool2d(2), Conv2d(8, 9), ReLU()]
    check = infer_shapes_partial((1, 8, 8), layers)
    assert check.shapes == [(4, 8, 8), (4, 4, 4)]
    assert check.failing_index == 2
    assert check.error.startswith("layer 3: kernel 9")
    shapes, error, index = infer_shapes_partial((1, 8, 8), layers[:2])
    assert (shapes, error, index) == ([(4, 8, 8), (4, 4, 4)], None, None)


@examples(200)
@given(
    st.integers(1, 20),
    st.integers(1, 20),
    st.integers(1, 12),
    st.integers(0, 3),
    st.integers(1, 4),
)
def test_suggested_settings_are_the_nearest_valid(height, width, kernel, padding, dilation):
    layer = Conv2d(2, kernel, padding=padding, dilation=dilation)
    shape = (1, height, width)
    error = infer_shapes_partial(shape, [layer]).error
    if error is None:
        return

    def ok(**changes):
        settings_ = {"kernel_size": kernel, "padding": padding, "dilation": dilation} | changes
        return infer_shapes_partial(shape, [Conv2d(2, **settings_)]).error is None

    k_max = int(re.search(r"kernel ≤ (\d+)", error).group(1))
    assert ok(kernel_size=k_max) and not ok(kernel_size=k_max + 1)
    p_min = int(re.search(r"padding ≥ (\d+)", error).group(1))
    assert ok(padding=p_min) and not ok(padding=p_min - 1)
    found = re.search(r"dilation ≤ (\d+)", error)
    if found:
        d_max = int(found.group(1))
        assert d_max >= 1 and ok(dilation=d_max) and not ok(dilation=d_max + 1)


@examples(100)
@given(st.integers(1, 20), st.integers(1, 20), st.integers(1, 25))
def test_pool_suggestion_is_the_nearest_valid(height, width, kernel):
    shape = (2, height, width)
    error = infer_shapes_partial(shape, [MaxPool2d(kernel)]).error
    assert (error is None) == (kernel <= min(height, width))
    if error is not None:
        k_max = int(re.search(r"pool size ≤ (\d+)", error).group(1))
        assert infer_shapes_partial(shape, [MaxPool2d(k_max)]).error is None
        assert infer_shapes_partial(shape, [MaxPool2d(k_max + 1)]).error is not None


def test_forward_rejects_bad_arguments():
    layers = [Conv2d(2, 3), ReLU(), Conv2d(3, 1, bias=True)]
    image = np.ones((1, 5, 5))
    good = [np.ones((2, 1, 3, 3)), None, (np.ones((3, 2, 1, 1)), np.zeros(3))]
    assert [o.shape for o in forward(image, layers, good)] == [(2, 3, 3), (2, 3, 3), (3, 3, 3)]
    cases = [
        (np.ones((5, 5)), good, r"^image must be a \(channels, height, width\).*image\[None\]"),
        (image * np.nan, good, r"^image contains NaN or inf"),
        (image, good[:2], r"^weights has 2 entries but there are 3 layers"),
        (image, [np.ones((2, 3, 3, 3)), *good[1:]], r"^layer 1: W has shape \(2, 3, 3, 3\), exp"),
        (image, [None, *good[1:]], r"^layer 1: this convolution has no bias"),
        (image, [good[0], np.ones(1), good[2]], r"^layer 2: ReLU has no weights: give None"),
        (image, [*good[:2], np.ones((3, 2, 1, 1))], r"^layer 3: this convolution has a bias"),
        (image, [*good[:2], (np.ones((3, 2, 1, 1)), np.zeros(2))], r"^layer 3: b has shape"),
        (image, [good[0] * np.inf, *good[1:]], r"^layer 1: W contains NaN or inf"),
        (np.ones((1, 2, 2)), good, r"^layer 1: kernel 3 is larger"),
    ]
    for img, weights, pattern in cases:
        with pytest.raises(ValueError, match=pattern):
            forward(img, layers, weights)


def test_receptive_field_rejects_bad_cells():
    with pytest.raises(ValueError, match=r"^layer 3: cell \(32, 0\) is outside the output 32 × 32"):
        receptive_field(SEED_NETWORK, 2, 32, 0, SEED_INPUT_SHAPE)
    with pytest.raises(ValueError, match=r"layer index 3 is past the last layer: use 0 to 2"):
        receptive_field(SEED_NETWORK, 3, 0, 0, SEED_INPUT_SHAPE)
    with pytest.raises(ValueError, match=r"row must be ≥ 0"):
        receptive_field(SEED_NETWORK, 0, -1, 0)


# ---------------------------------------------------------------------------------------------
# receptive field against perturbation


@examples(60)
@given(
    st.tuples(st.integers(1, 2), st.integers(1, 9), st.integers(1, 9)),
    st.lists(
        layer_strategy(max_out=2, max_kernel=3, max_padding=2, max_dilation=2),
        min_size=1,
        max_size=3,
    ),
    st.integers(0, 2**32 - 1),
)
def test_receptive_field_matches_perturbation(input_shape, layers, seed):
    if ref_shapes(input_shape, layers)[1] is not None or not layers:
        return
    rng = np.random.default_rng(seed)
    # Positive image and weights: a large bump at one pixel raises every value that depends on
    # it, through max-pools and ReLUs too, so "changed" means exactly "depends on".
    image = rng.uniform(0.5, 1.0, input_shape)
    weights = random_weights(rng, input_shape, layers, low=0.5, high=1.0)
    base = forward(image, layers, weights)
    _, height, width = input_shape
    depends = [np.zeros((height, width) + o.shape[1:], dtype=bool) for o in base]
    for r in range(height):
        for c in range(width):
            bumped = image.copy()
            bumped[:, r, c] += 1e8
            for i, out in enumerate(forward(bumped, layers, weights)):
                depends[i][r, c] = np.any(np.abs(out - base[i]) > 1.0, axis=0)
    for i, dep in enumerate(depends):
        for orow in range(dep.shape[2]):
            for ocol in range(dep.shape[3]):
                box = receptive_field(layers, i, orow, ocol, input_shape)
                rows, cols = np.nonzero(dep[:, :, orow, ocol])
                if rows.size == 0:
                    assert box[0] == box[1] or box[2] == box[3]
                else:
                    assert box == (rows.min(), rows.max() + 1, cols.min(), cols.max() + 1)


# ---------------------------------------------------------------------------------------------
# default weights


def test_default_weights_shapes_and_gabor_bank():
    layers = [ReLU(), Conv2d(16, 7, stride=2, bias=True), MaxPool2d(2), Conv2d(5, 3), Conv2d(4, 1)]
    shape = (3, 32, 32)
    weights = default_weights(shape, layers)
    assert weights[0] is None and weights[2] is None
    bank, bias = weights[1]
    assert bank.shape == (16, 3, 7, 7)
    np.testing.assert_array_equal(bias, np.zeros(16))
    assert weights[3].shape == (5, 16, 3, 3)
    assert weights[4].shape == (4, 5, 1, 1)
    np.testing.assert_allclose(np.linalg.norm(bank.reshape(16, -1), axis=1), 1.0)
    np.testing.assert_allclose(bank.sum(axis=(1, 2, 3)), 0.0, atol=1e-12)
    # oriented: filter o and its 90-degree partner (o + 4 of 8 orientations) are transposes
    np.testing.assert_allclose(bank[0, 0], bank[4, 0].T, atol=1e-12)
    assert not np.allclose(bank[0], bank[2])
    # deterministic; the seed moves only the random layers
    again = default_weights(shape, layers)
    np.testing.assert_array_equal(again[1][0], bank)
    np.testing.assert_array_equal(again[3], weights[3])
    other = default_weights(shape, layers, seed=1)
    np.testing.assert_array_equal(other[1][0], bank)
    assert not np.allclose(other[3], weights[3])
    # He-like scale
    big = default_weights((64, 8, 8), [Conv2d(1, 1), Conv2d(256, 3)])[1]
    assert abs(big.std() - np.sqrt(2.0 / 9.0)) < 0.02
    # usable as is
    outs = forward(np.random.default_rng(0).random(shape), layers, weights)
    assert [o.shape for o in outs] == infer_shapes(shape, layers)


@examples(100)
@given(shapes_strategy, st.lists(layer_strategy(), max_size=4))
def test_default_weights_fit_param_counts(input_shape, layers):
    if ref_shapes(input_shape, layers)[1] is not None:
        with pytest.raises(ValueError):
            default_weights(input_shape, layers)
        return
    weights = default_weights(input_shape, layers)
    sizes = [
        0 if w is None else (w[0].size + w[1].size if isinstance(w, tuple) else w.size)
        for w in weights
    ]
    assert sizes == param_counts(input_shape, layers)
    assert all(
        np.all(np.isfinite(w[0] if isinstance(w, tuple) else w)) for w in weights if w is not None
    )


def reference_gabor(out_channels, in_channels, kernel):
    """One filter at a time, as the construction is described (no degenerate filters here)."""
    orientations = min(8, out_channels)
    centre = (kernel - 1) / 2
    sigma = max(kernel / 4, 0.5)
    bank = np.zeros((out_channels, in_channels, kernel, kernel))
    for o in range(out_channels):
        theta = np.pi * (o % orientations) / orientations
        group = o // orientations
        phase = np.pi / 2 if group % 2 == 0 else 0.0
        wavelength = max(kernel, 2) * (1.0 if (group // 2) % 2 == 0 else 0.5)
        g = np.zeros((kernel, kernel))
        for y in range(kernel):
            for x in range(kernel):
                u = (x - centre) * np.cos(theta) + (y - centre) * np.sin(theta)
                envelope = np.exp(-((x - centre) ** 2 + (y - centre) ** 2) / (2 * sigma**2))
                g[y, x] = envelope * np.cos(2 * np.pi * u / wavelength + phase)
        g -= g.mean()
        for c in range(in_channels):
            bank[o, c] = g / np.linalg.norm(g) / np.sqrt(in_channels)
    return bank


@pytest.mark.parametrize("out_channels, in_channels, kernel",
                         [(32, 3, 8), (16, 1, 5), (40, 2, 7), (3, 3, 3), (9, 4, 4)])
def test_gabor_bank_matches_filter_by_filter_construction(out_channels, in_channels, kernel):
    layers = [Conv2d(out_channels, kernel)]
    bank = default_weights((in_channels, 20, 20), layers)[0]
    np.testing.assert_allclose(bank, reference_gabor(out_channels, in_channels, kernel),
                               atol=1e-12)


@examples(100)
@given(shapes_strategy, st.lists(layer_strategy(), min_size=1, max_size=5), st.integers(0, 5))
def test_default_weights_are_prefix_stable(input_shape, layers, seed):
    """A layer's weights depend only on the layers up to it (the panel reuses outputs on this)."""
    if ref_shapes(input_shape, layers)[1] is not None:
        return
    everything = default_weights(input_shape, layers, seed)
    for cut in range(len(layers) + 1):
        prefix = default_weights(input_shape, layers[:cut], seed)
        for got, want in zip(prefix, everything[:cut], strict=True):
            if want is None:
                assert got is None
            elif isinstance(want, tuple):
                np.testing.assert_array_equal(got[0], want[0])
                np.testing.assert_array_equal(got[1], want[1])
            else:
                np.testing.assert_array_equal(got, want)


def test_details_report_the_window_span():
    layers = [Conv2d(2, 3, dilation=2), MaxPool2d(3, 1), ReLU(), Conv2d(1, 4)]
    rows = layer_details((1, 30, 30), layers)
    assert [r["window"] for r in rows] == [5, 3, 0, 4]


# ---------------------------------------------------------------------------------------------
# pictures as network inputs


def test_image_to_input_scales_bytes_and_orders_channels_first():
    rgb = np.zeros((2, 3, 3), np.uint8)
    rgb[0, 0] = (255, 0, 0)
    rgb[1, 2] = (0, 51, 255)
    image = image_to_input(rgb)
    assert image.shape == (3, 2, 3) and image.dtype == np.float64
    assert image[:, 0, 0].tolist() == [1.0, 0.0, 0.0]
    np.testing.assert_allclose(image[:, 1, 2], [0.0, 0.2, 1.0])
    np.testing.assert_array_equal(rgb, np.zeros_like(rgb) + rgb)  # input untouched


def test_image_to_input_grey_and_repeated_channels():
    rng = np.random.default_rng(3)
    rgb = rng.integers(0, 256, (4, 5, 3)).astype(np.uint8)
    scaled = rgb / 255.0
    grey = image_to_input(rgb, 1)
    assert grey.shape == (1, 4, 5)
    np.testing.assert_allclose(
        grey[0], 0.299 * scaled[..., 0] + 0.587 * scaled[..., 1] + 0.114 * scaled[..., 2])
    five = image_to_input(rgb, 5)
    for c in range(5):
        np.testing.assert_array_equal(five[c], scaled[..., c % 3])
    floats = image_to_input(scaled, 3)
    np.testing.assert_array_equal(floats, np.moveaxis(scaled, 2, 0))


@pytest.mark.parametrize("rgb, channels, pattern", [
    (np.zeros((4, 4), np.uint8), 3, r"\(H, W, 3\)"),
    (np.zeros((4, 4, 4), np.uint8), 3, r"\(H, W, 3\)"),
    (np.zeros((0, 4, 3), np.uint8), 3, r"\(H, W, 3\)"),
    (np.full((2, 2, 3), 1.5), 3, r"\[0, 1\]"),
    (np.full((2, 2, 3), np.nan), 3, "NaN"),
    (np.zeros((2, 2, 3), np.uint8), 0, "channels must be ≥ 1"),
    (np.zeros((2, 2, 3), np.uint8), 2.5, "channels must be a whole number"),
])
def test_image_to_input_rejects_bad_pictures(rgb, channels, pattern):
    with pytest.raises(ValueError, match=pattern):
        image_to_input(rgb, channels)


def test_model_does_not_import_qt():
    code = "import sys, explorer.model.cnn; print('PySide6' in sys.modules)"
    root = Path(__file__).resolve().parents[1]
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root
    )
    assert result.stdout.strip() == "False"
