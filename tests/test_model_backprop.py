"""explorer.model.backprop (question 5) against loops, numpy and finite differences."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from explorer.model import gradcheck
from explorer.model.backprop import (
    chain_shapes,
    forward_chain,
    grad_h1,
    grad_w2,
    jacobian_a2_h1,
    numeric_grad_h1,
    numeric_grad_w2,
)

FAST = settings(deadline=None, max_examples=200)

kinds = st.sampled_from(["valid", "full"])


@st.composite
def chains(draw: st.DrawFn) -> tuple[str, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A chain whose sizes fit its kind: (kind, x, w1, w2, grad_a2), values in [-2, 2]."""
    kind = draw(kinds)
    d = draw(st.integers(1, 12))
    if kind == "valid":
        k1 = draw(st.integers(1, d))
        k2 = draw(st.integers(1, d - k1 + 1))
        len_a2 = d - k1 - k2 + 2
    else:
        k1 = draw(st.integers(1, 8))
        k2 = draw(st.integers(1, 8))
        len_a2 = d + k1 + k2 - 2
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    return (
        kind,
        rng.uniform(-2, 2, d),
        rng.uniform(-2, 2, k1),
        rng.uniform(-2, 2, k2),
        rng.uniform(-2, 2, len_a2),
    )


def layer_by_loop(h: np.ndarray, w: np.ndarray, kind: str) -> np.ndarray:
    """Q5 eqs. (4)/(5), 0-based, out-of-bounds entries zero."""
    d, k = h.size, w.size
    if kind == "valid":
        return np.array([sum(h[n + j] * w[j] for j in range(k)) for n in range(d - k + 1)])

    def padded(i: int) -> float:
        return float(h[i]) if 0 <= i < d else 0.0

    return np.array([sum(padded(n + j - k + 1) * w[j] for j in range(k)) for n in range(d + k - 1)])


# --- shapes --------------------------------------------------------------------------------------


@FAST
@given(d=st.integers(1, 40), k1=st.integers(1, 40), k2=st.integers(1, 40), kind=kinds)
def test_chain_shapes_formulas(d: int, k1: int, k2: int, kind: str) -> None:
    if kind == "full":
        assert chain_shapes(d, k1, k2, kind) == {"len_a1": d + k1 - 1, "len_a2": d + k1 + k2 - 2}
    elif k1 > d:
        with pytest.raises(ValueError, match="valid chain needs k1 <= d"):
            chain_shapes(d, k1, k2, kind)
    elif k1 + k2 > d + 1:
        with pytest.raises(ValueError, match=r"valid chain needs k1 \+ k2 <= d \+ 1"):
            chain_shapes(d, k1, k2, kind)
    else:
        assert chain_shapes(d, k1, k2, kind) == {"len_a1": d - k1 + 1, "len_a2": d - k1 - k2 + 2}


def test_chain_shapes_errata() -> None:
    # 5.1 as printed; 5.4 is d + k1 + k2 - 2, not the text's - 1 (ERRATA).
    assert chain_shapes(10, 3, 4, "valid")["len_a2"] == 10 - 3 - 4 + 2
    assert chain_shapes(10, 3, 4, "full")["len_a2"] == 10 + 3 + 4 - 2


@FAST
@given(chain=chains())
def test_forward_chain_matches_loops_and_shapes(chain: tuple) -> None:
    kind, x, w1, w2, _ = chain
    before = [x.copy(), w1.copy(), w2.copy()]
    out = forward_chain(x, w1, w2, kind)
    assert set(out) == {"a1", "h1", "a2", "h2"}
    shapes = chain_shapes(x.size, w1.size, w2.size, kind)
    assert out["a1"].shape == out["h1"].shape == (shapes["len_a1"],)
    assert out["a2"].shape == out["h2"].shape == (shapes["len_a2"],)
    a1 = layer_by_loop(x, w1, kind)
    np.testing.assert_allclose(out["a1"], a1, atol=1e-12)
    np.testing.assert_allclose(out["a1"], np.correlate(x, w1, kind), atol=1e-12)
    np.testing.assert_array_equal(out["h1"], np.where(out["a1"] > 0, out["a1"], 0.0))
    np.testing.assert_allclose(out["a2"], layer_by_loop(out["h1"], w2, kind), atol=1e-12)
    np.testing.assert_array_equal(out["h2"], np.where(out["a2"] > 0, out["a2"], 0.0))
    for array, original in zip([x, w1, w2], before, strict=True):
        np.testing.assert_array_equal(array, original)


# --- Jacobian and gradients ----------------------------------------------------------------------


@FAST
@given(chain=chains())
def test_jacobian_band_and_finite_differences(chain: tuple) -> None:
    kind, x, w1, w2, _ = chain
    h1 = forward_chain(x, w1, w2, kind)["h1"]
    k2 = w2.size
    jac = jacobian_a2_h1(w2, h1.size, kind)
    len_a2 = chain_shapes(x.size, w1.size, k2, kind)["len_a2"]
    assert jac.shape == (len_a2, h1.size)
    for i in range(len_a2):
        for n in range(h1.size):
            # 5.2: w_{n-i+1} for n-k2+1 <= i <= n; 5.5: w_{n-i+k2} for n <= i <= n+k2-1 (1-based).
            if kind == "valid":
                expected = w2[n - i] if n - k2 + 1 <= i <= n else 0.0
            else:
                expected = w2[n - i + k2 - 1] if n <= i <= n + k2 - 1 else 0.0
            assert jac[i, n] == expected
    numeric = gradcheck.jacobian(lambda v: layer_by_loop(v, w2, kind), h1)
    np.testing.assert_allclose(jac, numeric, atol=1e-8)


@FAST
@given(chain=chains())
def test_grad_h1_is_jacobian_transpose_and_finite_differences(chain: tuple) -> None:
    kind, x, w1, w2, grad_a2 = chain
    h1 = forward_chain(x, w1, w2, kind)["h1"]
    before = [grad_a2.copy(), w2.copy()]
    analytic = grad_h1(grad_a2, w2, kind)
    assert analytic.shape == h1.shape
    via_jacobian = jacobian_a2_h1(w2, h1.size, kind).T @ grad_a2
    numeric = numeric_grad_h1(h1, w2, grad_a2, kind)
    assert np.max(np.abs(analytic - via_jacobian)) < 1e-12
    assert np.max(np.abs(analytic - numeric)) < 1e-8
    # Independent of the module: the same L through the loop layer and gradcheck.
    loop_numeric = gradcheck.gradient(lambda v: grad_a2 @ layer_by_loop(v, w2, kind), h1, h=1e-3)
    assert np.max(np.abs(analytic - loop_numeric)) < 1e-8
    np.testing.assert_array_equal(grad_a2, before[0])
    np.testing.assert_array_equal(w2, before[1])


@FAST
@given(chain=chains())
def test_grad_h1_formulas_from_the_homework(chain: tuple) -> None:
    kind, _, _, w2, grad_a2 = chain
    k2 = w2.size
    w2_flipped = w2[::-1]

    def g(i: int) -> float:
        return float(grad_a2[i]) if 0 <= i < grad_a2.size else 0.0

    if kind == "valid":
        # 5.3: (grad h1)_n = sum_t g_{n+t-k2} flip(w2)_t, 1-based -> 0-based n + t - (k2 - 1).
        len_h1 = grad_a2.size + k2 - 1
        expected = [
            sum(g(n + t - k2 + 1) * w2_flipped[t] for t in range(k2)) for n in range(len_h1)
        ]
    else:
        # 5.6: (grad h1)_n = sum_t g_{n+t-1} flip(w2)_t -> 0-based n + t.
        len_h1 = grad_a2.size - k2 + 1
        expected = [sum(g(n + t) * w2_flipped[t] for t in range(k2)) for n in range(len_h1)]
    np.testing.assert_allclose(grad_h1(grad_a2, w2, kind), expected, atol=1e-12)


@FAST
@given(chain=chains())
def test_grad_w2_matches_finite_differences(chain: tuple) -> None:
    kind, x, w1, w2, grad_a2 = chain
    h1 = forward_chain(x, w1, w2, kind)["h1"]
    analytic = grad_w2(h1, grad_a2, kind)
    assert analytic.shape == w2.shape
    numeric = numeric_grad_w2(h1, w2, grad_a2, kind)
    assert np.max(np.abs(analytic - numeric)) < 1e-8
    loop_numeric = gradcheck.gradient(lambda v: grad_a2 @ layer_by_loop(h1, v, kind), w2, h=1e-3)
    assert np.max(np.abs(analytic - loop_numeric)) < 1e-8


def test_small_valid_example_by_hand() -> None:
    # h1 = [1, 2, 3], w2 = [1, -1] -> a2 = [-1, -1]; L = g . a2 with g = [1, 2].
    h1, w2, g = np.array([1.0, 2.0, 3.0]), np.array([1.0, -1.0]), np.array([1.0, 2.0])
    np.testing.assert_array_equal(jacobian_a2_h1(w2, 3, "valid"), [[1, -1, 0], [0, 1, -1]])
    np.testing.assert_array_equal(grad_h1(g, w2, "valid"), [1, 1, -2])
    np.testing.assert_array_equal(grad_w2(h1, g, "valid"), [5, 8])


def test_small_full_example_by_hand() -> None:
    # h1 = [1, 2], w2 = [1, -1] -> a2 = [-1, -1, 2] (full, no flip); g = [1, 2, 3].
    h1, w2, g = np.array([1.0, 2.0]), np.array([1.0, -1.0]), np.array([1.0, 2.0, 3.0])
    np.testing.assert_array_equal(jacobian_a2_h1(w2, 2, "full"), [[-1, 0], [1, -1], [0, 1]])
    np.testing.assert_array_equal(grad_h1(g, w2, "full"), [1, 1])
    # a2_i = h1[i - 1] w2[0] + h1[i] w2[1], so dL/dw2_0 = sum_i g_i h1[i - 1] = 2 + 6 = 8 and
    # dL/dw2_1 = sum_i g_i h1[i] = 1 + 4 = 5.
    np.testing.assert_array_equal(grad_w2(h1, g, "full"), [8, 5])


# --- invalid arguments ---------------------------------------------------------------------------


def test_bad_kind_everywhere() -> None:
    message = "kind must be 'valid' or 'full'"
    with pytest.raises(ValueError, match=message):
        chain_shapes(5, 2, 2, "same")
    with pytest.raises(ValueError, match=message):
        forward_chain([1.0, 2.0, 3.0], [1.0], [1.0], "same")
    with pytest.raises(ValueError, match=message):
        jacobian_a2_h1([1.0], 3, "same")
    with pytest.raises(ValueError, match=message):
        grad_h1([1.0], [1.0], "same")
    with pytest.raises(ValueError, match=message):
        grad_w2([1.0], [1.0], "same")
    with pytest.raises(ValueError, match=message):
        numeric_grad_h1([1.0], [1.0], [1.0], "same")


def test_invalid_arguments() -> None:
    with pytest.raises(ValueError, match=r"k1 \+ k2 <= d \+ 1"):
        forward_chain([1.0, 2.0, 3.0], [1.0, 1.0], [1.0, 1.0, 1.0], "valid")
    with pytest.raises(ValueError, match="input x contains NaN or inf"):
        forward_chain([1.0, np.nan, 3.0], [1.0], [1.0], "full")
    with pytest.raises(ValueError, match="kernel w2 is empty"):
        forward_chain([1.0, 2.0], [1.0], [], "full")
    with pytest.raises(ValueError, match="only numbers"):
        forward_chain("abc", [1.0], [1.0], "full")
    with pytest.raises(ValueError, match="d must be >= 1"):
        chain_shapes(0, 1, 1, "full")
    with pytest.raises(ValueError, match=r"kernel w2 \(4\) is longer than h1 \(3\)"):
        jacobian_a2_h1([1.0, 2.0, 3.0, 4.0], 3, "valid")
    with pytest.raises(ValueError, match="grad_a2 has 1 entries"):
        grad_h1([1.0], [1.0, 2.0], "full")
    with pytest.raises(ValueError, match=r"\|a2\| <= \|h1\|"):
        grad_w2([1.0], [1.0, 2.0], "valid")
    with pytest.raises(ValueError, match=r"\|a2\| >= \|h1\|"):
        grad_w2([1.0, 2.0], [1.0], "full")
    with pytest.raises(ValueError, match=r"grad_a2 must have \|a2\| = 2 entries"):
        numeric_grad_h1([1.0, 2.0, 3.0], [1.0, 1.0], [1.0], "valid")
