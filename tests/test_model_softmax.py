"""Tests for explorer.model.softmax against math, longdouble and finite-difference oracles."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, arrays

from explorer.model.gradcheck import jacobian
from explorer.model.softmax import (
    JACOBIAN_FD_STEP,
    SEED_LOGITS,
    SEED_SHIFT,
    SEED_TEMPERATURE,
    first_vs_rest_logit,
    naive_exponentials,
    naive_softmax,
    reduce_logits,
    scale_logits,
    shift_logits,
    softmax,
    softmax_jacobian,
    softmax_jacobian_fd,
    stable_exponentials,
    two_class_logit,
)

# max_examples comes from the hypothesis profile in conftest.py ("ci": 150, "fuzz": many).
FAST = settings(deadline=None)


def logits(low: float = -50.0, high: float = 50.0, min_size: int = 1, max_size: int = 12):
    return arrays(
        np.float64,
        st.integers(min_size, max_size),
        elements=st.floats(low, high, allow_nan=False, allow_infinity=False),
    )


def math_softmax(x: np.ndarray) -> np.ndarray:
    """Textbook formula with correctly rounded sums; only safe for moderate logits."""
    e = [math.exp(v) for v in x]
    total = math.fsum(e)
    return np.array([v / total for v in e])


def longdouble_softmax(x: np.ndarray) -> np.ndarray:
    """Textbook formula in extended precision, without subtracting the maximum."""
    e = np.exp(np.asarray(x, dtype=np.longdouble))
    return (e / e.sum()).astype(np.float64)


def math_sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))


def assert_probabilities(p: np.ndarray, axis: int = -1) -> None:
    assert np.all(np.isfinite(p))
    assert np.all(p >= 0.0) and np.all(p <= 1.0)
    np.testing.assert_allclose(p.sum(axis=axis), 1.0, rtol=0, atol=1e-14)


# --- softmax ---------------------------------------------------------------------------------


def test_softmax_of_homework_style_example() -> None:
    p = softmax([1.0, 2.0, 3.0])
    e = np.exp([1.0, 2.0, 3.0])
    np.testing.assert_allclose(p, e / e.sum(), rtol=1e-15)
    np.testing.assert_allclose(p, [0.09003057317038046, 0.24472847105479767, 0.6652409557748219])


@FAST
@given(logits())
def test_softmax_matches_math_oracle(x: np.ndarray) -> None:
    p = softmax(x)
    assert p.shape == x.shape and p.dtype == np.float64
    np.testing.assert_allclose(p, math_softmax(x), rtol=1e-13, atol=1e-300)
    assert_probabilities(p)


@FAST
@given(logits(-500.0, 500.0))
def test_softmax_matches_longdouble_oracle(x: np.ndarray) -> None:
    np.testing.assert_allclose(softmax(x), longdouble_softmax(x), rtol=1e-12, atol=1e-300)


@FAST
@given(logits(-30.0, 30.0), st.floats(-1e6, 1e6))
def test_softmax_is_translation_invariant(x: np.ndarray, c: float) -> None:
    shifted = softmax(x + c)
    assert_probabilities(shifted)
    # x + c rounds each logit by up to ulp(c) ~ 2.2e-16 |c|, which moves p by about that much.
    np.testing.assert_allclose(shifted, softmax(x), rtol=0, atol=1e-14 + 1e-15 * abs(c))


@pytest.mark.parametrize("shift", [1e6, -1e6, 1e4, -1e4])
def test_softmax_shifted_by_large_constant_is_unchanged(shift: float) -> None:
    x = np.array([0.5, -1.25, 2.0, 3.0])
    np.testing.assert_allclose(softmax(x + shift), math_softmax(x), rtol=0, atol=1e-9)


@FAST
@given(logits(-1e4, 1e4))
def test_softmax_stable_for_logits_of_size_1e4(x: np.ndarray) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        p = softmax(x)
    assert_probabilities(p)
    assert p[np.argmax(x)] == np.max(p)


@FAST
@given(logits(-1e300, 1e300, min_size=2))
def test_softmax_stable_for_logits_of_size_1e300(x: np.ndarray) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        p = softmax(x)
    assert_probabilities(p)
    winners = x == np.max(x)
    # Logits this far apart leave all the mass, shared equally, on the largest ones (unless the
    # gap is tiny, which hypothesis may also produce; then the oracle on the gaps decides).
    gaps = x - np.max(x)
    if np.all((gaps == 0) | (gaps < -800)):
        np.testing.assert_array_equal(p, winners / winners.sum())


@pytest.mark.parametrize(
    ("x", "expected"),
    [
        ([1e308, -1e308], [1.0, 0.0]),
        ([-1.7e308, 1.7e308, 0.0], [0.0, 1.0, 0.0]),
        ([np.finfo(float).max, -np.finfo(float).max], [1.0, 0.0]),
        ([1e300, 1e300], [0.5, 0.5]),
        ([-1e300, -1e300, -1e300, -1e300], [0.25, 0.25, 0.25, 0.25]),
        ([1e300 + 1e6, 1e300], [0.5, 0.5]),  # 1e6 is below ulp(1e300): the logits are equal
        ([1000.0, 0.0], [1.0, 0.0]),
    ],
)
def test_softmax_extreme_logits_exact(x: list[float], expected: list[float]) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_array_equal(softmax(x), expected)


def test_softmax_along_each_axis_of_a_batch() -> None:
    rng = np.random.default_rng(3)
    X = rng.normal(scale=5.0, size=(4, 6))
    rows = softmax(X)  # axis=-1
    cols = softmax(X, axis=0)
    for i in range(4):
        np.testing.assert_allclose(rows[i], math_softmax(X[i]), rtol=1e-13)
    for j in range(6):
        np.testing.assert_allclose(cols[:, j], math_softmax(X[:, j]), rtol=1e-13)
    np.testing.assert_allclose(softmax(X, axis=1), rows, rtol=0, atol=0)
    np.testing.assert_allclose(softmax(X, axis=-2), cols, rtol=0, atol=0)


def test_softmax_does_not_mutate_input() -> None:
    x = np.array([3.0, -1.0, 1e300])
    before = x.copy()
    softmax(x)
    softmax_jacobian(x)
    reduce_logits(x)
    naive_softmax(x)
    np.testing.assert_array_equal(x, before)


@pytest.mark.parametrize(
    ("x", "words"),
    [
        ([], "empty"),
        (np.zeros((0, 3)), "empty"),
        ([1.0, np.nan], "NaN"),
        ([np.inf, 1.0], "inf"),
        ([-np.inf], "inf"),
        ("abc", "numbers"),
        (["a", 1.0], "numbers"),
        (3.0, "single number"),
    ],
)
def test_softmax_rejects_invalid_input(x: object, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        softmax(x)


@pytest.mark.parametrize("axis", [1, -2, 1.0, "0", None])
def test_softmax_rejects_bad_axis(axis: object) -> None:
    with pytest.raises(ValueError, match="axis"):
        softmax([1.0, 2.0], axis=axis)


# --- Jacobian --------------------------------------------------------------------------------


@FAST
@given(logits(-5.0, 5.0, max_size=8))
def test_jacobian_matches_finite_differences(x: np.ndarray) -> None:
    J = softmax_jacobian(x)
    assert J.shape == (x.size, x.size)
    np.testing.assert_allclose(J, jacobian(softmax, x, h=1e-5), rtol=0, atol=1e-9)


@FAST
@given(logits(-50.0, 50.0))
def test_jacobian_matches_diag_minus_outer_of_oracle(x: np.ndarray) -> None:
    p = math_softmax(x)
    np.testing.assert_allclose(softmax_jacobian(x), np.diag(p) - np.outer(p, p), rtol=0, atol=1e-15)


@FAST
@given(logits(-1e300, 1e300))
def test_jacobian_symmetric_rows_sum_to_zero(x: np.ndarray) -> None:
    J = softmax_jacobian(x)
    assert np.all(np.isfinite(J))
    np.testing.assert_array_equal(J, J.T)
    np.testing.assert_allclose(J.sum(axis=1), 0.0, rtol=0, atol=1e-15)
    assert np.all(np.diag(J) >= 0.0)
    assert np.all(J[~np.eye(x.size, dtype=bool)] <= 0.0)


def test_jacobian_diagonal_keeps_relative_accuracy_when_saturated() -> None:
    # p = [1/(1+e^-40), e^-40/(1+e^-40)]: p(1-p) = e^-40/(1+e^-40)^2, which p - p**2 would round
    # to 0 or garbage.
    J = softmax_jacobian([40.0, 0.0])
    exact = math.exp(-40.0) / (1.0 + math.exp(-40.0)) ** 2
    np.testing.assert_allclose(np.diag(J), [exact, exact], rtol=1e-14)
    np.testing.assert_allclose(J[0, 1], -exact, rtol=1e-14)


def test_jacobian_of_single_logit_is_zero() -> None:
    np.testing.assert_array_equal(softmax_jacobian([7.0]), [[0.0]])


@pytest.mark.parametrize("x", [[], [[1.0, 2.0]], [np.nan, 0.0], "x", 2.0])
def test_jacobian_rejects_invalid_input(x: object) -> None:
    with pytest.raises(ValueError, match="x"):
        softmax_jacobian(x)


# --- K - 1 parameters and the 2-class logit ----------------------------------------------------


@FAST
@given(logits(-1e3, 1e3, min_size=2))
def test_reduce_logits_keeps_softmax(x: np.ndarray) -> None:
    y = reduce_logits(x)
    assert y.shape == (x.size - 1,)
    np.testing.assert_array_equal(y, x[1:] - x[0])
    np.testing.assert_allclose(softmax(np.concatenate([[0.0], y])), softmax(x), rtol=0, atol=1e-12)
    np.testing.assert_allclose(
        softmax(np.concatenate([[0.0], y])), longdouble_softmax(x), rtol=0, atol=1e-12
    )


@FAST
@given(logits(-1e308, 1e308, min_size=2))
def test_reduce_logits_finite_for_any_finite_logits(x: np.ndarray) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = reduce_logits(x)
    assert np.all(np.isfinite(y))
    # Extended precision does not overflow at 2e308; float64 clamps there.
    wide = np.asarray(x[1:], dtype=np.longdouble) - np.longdouble(x[0])
    big = float(np.finfo(np.float64).max)
    expected = np.clip(wide, -big, big).astype(np.float64)
    np.testing.assert_allclose(y, expected, rtol=1e-15, atol=0)
    assert_probabilities(softmax(np.concatenate([[0.0], y])))


def test_reduce_logits_clamps_overflowing_difference() -> None:
    y = reduce_logits([-1e308, 1e308, -1e308])
    np.testing.assert_array_equal(y, [np.finfo(float).max, 0.0])
    np.testing.assert_array_equal(softmax(np.concatenate([[0.0], y])), [0.0, 1.0, 0.0])


@pytest.mark.parametrize(("x", "words"), [([1.0], "K ≥ 2"), ([], "empty"), ([0.0, np.inf], "inf")])
def test_reduce_logits_rejects_invalid_input(x: object, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        reduce_logits(x)


@FAST
@given(st.floats(-700, 700), st.floats(-700, 700))
def test_two_class_logit_gives_sigmoid_form(x0: float, x1: float) -> None:
    z = two_class_logit([x0, x1])
    assert isinstance(z, float)
    assert z == x0 - x1
    expected = [math_sigmoid(z), 1.0 - math_sigmoid(z)]
    np.testing.assert_allclose(softmax([x0, x1]), expected, rtol=0, atol=1e-15)


def test_two_class_logit_known_values() -> None:
    assert two_class_logit([3.0, 1.0]) == 2.0
    assert two_class_logit([0.0, 0.0]) == 0.0
    assert two_class_logit([1e308, -1e308]) == np.finfo(float).max
    assert two_class_logit([-1e308, 1e308]) == -np.finfo(float).max


@pytest.mark.parametrize(
    ("x", "words"),
    [
        ([1.0], "exactly 2"),
        ([1.0, 2.0, 3.0], "exactly 2"),
        ([np.nan, 1.0], "NaN"),
        ("ab", "numbers"),
    ],
)
def test_two_class_logit_rejects_invalid_input(x: object, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        two_class_logit(x)


# --- the deliberately naive versions -----------------------------------------------------------


def test_naive_exponentials_overflow_to_inf_silently() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        e = naive_exponentials([1.0, 709.0, 710.0, 1e300])
    assert e[0] == math.exp(1.0) and e[1] == math.exp(709.0)
    assert np.isinf(e[2]) and np.isinf(e[3])


def test_naive_softmax_breaks_where_stable_softmax_does_not() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        naive = naive_softmax([1000.0, 0.0])
        naive_under = naive_softmax([-1000.0, -1001.0])
    assert np.isnan(naive[0])
    assert np.all(np.isnan(naive_under))
    np.testing.assert_array_equal(softmax([1000.0, 0.0]), [1.0, 0.0])
    np.testing.assert_allclose(softmax([-1000.0, -1001.0]), math_softmax([0.0, -1.0]), rtol=1e-15)


@FAST
@given(logits(-50.0, 50.0))
def test_naive_softmax_agrees_for_moderate_logits(x: np.ndarray) -> None:
    np.testing.assert_allclose(naive_softmax(x), softmax(x), rtol=1e-13, atol=1e-300)


@pytest.mark.parametrize("fn", [naive_exponentials, naive_softmax])
def test_naive_versions_reject_non_finite_input(fn) -> None:
    with pytest.raises(ValueError, match="NaN or inf"):
        fn([np.inf])


@FAST
@given(
    arrays(
        np.float64, array_shapes(min_dims=1, max_dims=3, max_side=5), elements=st.floats(-100, 100)
    ),
    st.data(),
)
def test_softmax_any_shape_any_axis(x: np.ndarray, data: st.DataObject) -> None:
    axis = data.draw(st.integers(-x.ndim, x.ndim - 1))
    p = softmax(x, axis=axis)
    assert p.shape == x.shape
    assert_probabilities(p, axis=axis)
    moved = np.moveaxis(x, axis, -1).reshape(-1, x.shape[axis])
    expected = np.array([math_softmax(row) for row in moved])
    np.testing.assert_allclose(np.moveaxis(p, axis, -1).reshape(moved.shape), expected, rtol=1e-13)


# --- the panel's defaults and helpers -------------------------------------------------------------


def test_seed_logits_are_a_read_only_k4_example() -> None:
    np.testing.assert_array_equal(SEED_LOGITS, [2.0, 1.0, 0.1, -1.0])
    assert not SEED_LOGITS.flags.writeable
    assert (SEED_TEMPERATURE, SEED_SHIFT) == (1.0, 0.0)
    np.testing.assert_allclose(softmax(SEED_LOGITS), math_softmax(SEED_LOGITS), rtol=1e-15)


@FAST
@given(logits(-1e6, 1e6), st.floats(1e-3, 1e3))
def test_scale_logits_divides_by_temperature(x: np.ndarray, t: float) -> None:
    u = scale_logits(x, t)
    np.testing.assert_array_equal(u, x / t)
    # T -> large flattens, T = 1 is the identity.
    np.testing.assert_array_equal(scale_logits(x, 1.0), x)


@pytest.mark.parametrize(
    ("x", "t", "words"),
    [
        ([1.0, 2.0], 0.0, "> 0"),
        ([1.0, 2.0], -1.0, "> 0"),
        ([1.0, 2.0], np.nan, "finite"),
        ([1.0, 2.0], np.inf, "finite"),
        ([1.0, 2.0], "warm", "number"),
        ([1e308, 0.0], 1e-3, "overflows"),
        ([], 1.0, "empty"),
        ([np.nan], 1.0, "NaN"),
    ],
)
def test_scale_logits_rejects_invalid_input(x: object, t: object, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        scale_logits(x, t)


def test_shift_logits_adds_and_rejects_overflow() -> None:
    np.testing.assert_array_equal(shift_logits([1.0, -2.0], 1000.0), [1001.0, 998.0])
    with pytest.raises(ValueError, match="overflows"):
        shift_logits([1.7e308, 0.0], 1.7e308)
    with pytest.raises(ValueError, match="finite"):
        shift_logits([1.0], np.inf)
    with pytest.raises(ValueError, match="number"):
        shift_logits([1.0], None)


@FAST
@given(logits(-1e4, 1e4))
def test_stable_exponentials_normalise_to_softmax(x: np.ndarray) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        e = stable_exponentials(x)
    assert np.all((e >= 0) & (e <= 1)) and e[np.argmax(x)] == 1.0
    np.testing.assert_allclose(e / e.sum(), softmax(x), rtol=1e-15, atol=1e-300)


def test_stable_exponentials_finite_where_naive_overflow() -> None:
    x = [1000.0, 999.0, 0.0]
    assert np.all(np.isinf(naive_exponentials(x)[:2]))
    np.testing.assert_allclose(stable_exponentials(x), [1.0, math.exp(-1.0), math.exp(-1000.0)])
    np.testing.assert_array_equal(stable_exponentials([1e308, -1e308]), [1.0, 0.0])


@FAST
@given(logits(-300.0, 300.0, min_size=2))
def test_first_vs_rest_logit_gives_first_probability(x: np.ndarray) -> None:
    z = first_vs_rest_logit(x)
    # Oracle: extended-precision log-sum-exp of the other logits.
    rest = np.asarray(x[1:], dtype=np.longdouble)
    expected = float(np.longdouble(x[0]) - np.log(np.sum(np.exp(rest))))
    np.testing.assert_allclose(z, expected, rtol=1e-13, atol=1e-12)
    np.testing.assert_allclose(math_sigmoid(z), softmax(x)[0], rtol=1e-12, atol=1e-300)


@FAST
@given(st.floats(-1e300, 1e300), st.floats(-1e300, 1e300))
def test_first_vs_rest_logit_is_two_class_logit_for_k2(x0: float, x1: float) -> None:
    assert first_vs_rest_logit([x0, x1]) == two_class_logit([x0, x1])


def test_first_vs_rest_logit_known_values_and_errors() -> None:
    assert first_vs_rest_logit([0.0, 0.0, 0.0]) == pytest.approx(-math.log(2.0), rel=1e-15)
    assert first_vs_rest_logit([-1e308, 1e308, 0.0]) == -np.finfo(float).max
    with pytest.raises(ValueError, match="K ≥ 2"):
        first_vs_rest_logit([1.0])
    with pytest.raises(ValueError, match="inf"):
        first_vs_rest_logit([1.0, np.inf])


@FAST
@given(logits(-1e4, 1e4, max_size=10))
def test_jacobian_fd_matches_analytic_for_any_logits(x: np.ndarray) -> None:
    J_fd = softmax_jacobian_fd(x)
    assert J_fd.shape == (x.size, x.size)
    np.testing.assert_allclose(J_fd, softmax_jacobian(x), rtol=0, atol=1e-9)


@pytest.mark.parametrize("offset", [0.0, 1e6, -1e6, 1e12, 1e300])
def test_jacobian_fd_accurate_far_from_zero(offset: float) -> None:
    # A plain step of 1e-5 at 1e12 would be lost to rounding; centring on the max keeps it exact.
    x = np.array([0.5, -1.25, 2.0, 3.0]) + offset
    J_fd = softmax_jacobian_fd(x)
    np.testing.assert_allclose(J_fd, softmax_jacobian(x), rtol=0, atol=1e-9)
    if offset == 0.0:
        np.testing.assert_allclose(J_fd, jacobian(softmax, x, h=JACOBIAN_FD_STEP), atol=1e-15)


@pytest.mark.parametrize(("h", "words"), [(0.0, "> 0"), (-1e-5, "> 0"), (np.nan, "finite")])
def test_jacobian_fd_rejects_bad_step(h: float, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        softmax_jacobian_fd([1.0, 2.0], h)
