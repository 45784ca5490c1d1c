"""explorer.model.backprop (question 5) against loops, numpy and finite differences."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from explorer.model import gradcheck
from explorer.model.backprop import (
    BACKWARD_MODE,
    ROLES,
    SEED,
    SEED_D,
    SEED_K1,
    SEED_K2,
    SEED_KIND,
    chain_rule,
    chain_shapes,
    forward_chain,
    grad_a2_target,
    grad_h1,
    grad_h1_trace,
    grad_w2,
    jacobian_a2_h1,
    jacobian_a2_w2,
    jacobian_taps,
    numeric_grad_h1,
    numeric_grad_h1_target,
    numeric_grad_w2,
    numeric_grad_w2_target,
    seeded_chain,
    seeded_vector,
    target_loss,
)
from tests.budget import examples

FAST = examples(200)

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
        with pytest.raises(ValueError, match="valid chain needs k₁ ≤ d"):
            chain_shapes(d, k1, k2, kind)
    elif k1 + k2 > d + 1:
        with pytest.raises(ValueError, match=r"valid chain needs k₁ \+ k₂ ≤ d \+ 1"):
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
    np.testing.assert_array_equal(chain_rule(jacobian_a2_h1(w2, h1.size, kind), grad_a2),
                                  via_jacobian)
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
    with pytest.raises(ValueError, match=r"k₁ \+ k₂ ≤ d \+ 1"):
        forward_chain([1.0, 2.0, 3.0], [1.0, 1.0], [1.0, 1.0, 1.0], "valid")
    with pytest.raises(ValueError, match="input x contains NaN or inf"):
        forward_chain([1.0, np.nan, 3.0], [1.0], [1.0], "full")
    with pytest.raises(ValueError, match="kernel w2 is empty"):
        forward_chain([1.0, 2.0], [1.0], [], "full")
    with pytest.raises(ValueError, match="only numbers"):
        forward_chain("abc", [1.0], [1.0], "full")
    with pytest.raises(ValueError, match="d must be ≥ 1"):
        chain_shapes(0, 1, 1, "full")
    with pytest.raises(ValueError, match=r"kernel w2 \(4\) is longer than h1 \(3\)"):
        jacobian_a2_h1([1.0, 2.0, 3.0, 4.0], 3, "valid")
    with pytest.raises(ValueError, match="grad_a2 has 1 entries"):
        grad_h1([1.0], [1.0, 2.0], "full")
    with pytest.raises(ValueError, match=r"\|a2\| ≤ \|h1\|"):
        grad_w2([1.0], [1.0, 2.0], "valid")
    with pytest.raises(ValueError, match=r"\|a2\| ≥ \|h1\|"):
        grad_w2([1.0, 2.0], [1.0], "full")
    with pytest.raises(ValueError, match=r"grad_a2 must have \|a2\| = 2 entries"):
        numeric_grad_h1([1.0, 2.0, 3.0], [1.0, 1.0], [1.0], "valid")


# --- taps, the kernel's Jacobian, the traced backward pass ---------------------------------------


@FAST
@given(chain=chains())
def test_jacobian_taps_follow_the_homework_indices(chain: tuple) -> None:
    kind, x, w1, w2, _ = chain
    len_h1 = chain_shapes(x.size, w1.size, w2.size, kind)["len_a1"]
    k2 = w2.size
    taps = jacobian_taps(k2, len_h1, kind)
    for i in range(taps.shape[0]):
        for n in range(len_h1):
            # 1-based: n - i + 1 (5.2) or n - i + k2 (5.5); the same shift holds 0-based.
            one_based = (n + 1) - (i + 1) + (1 if kind == "valid" else k2)
            expected = one_based - 1 if 1 <= one_based <= k2 else -1
            assert taps[i, n] == expected
    jac = jacobian_a2_h1(w2, len_h1, kind)
    np.testing.assert_array_equal(jac[taps >= 0], w2[taps[taps >= 0]])
    assert np.all(jac[taps < 0] == 0)
    # Toeplitz: constant along every diagonal.
    np.testing.assert_array_equal(jac[1:, 1:], jac[:-1, :-1])


@FAST
@given(chain=chains())
def test_jacobian_a2_w2_by_finite_differences(chain: tuple) -> None:
    kind, x, w1, w2, grad_a2 = chain
    h1 = forward_chain(x, w1, w2, kind)["h1"]
    jac = jacobian_a2_w2(h1, w2.size, kind)
    assert jac.shape == (grad_a2.size, w2.size)
    numeric = gradcheck.jacobian(lambda v: layer_by_loop(h1, v, kind), w2)
    np.testing.assert_allclose(jac, numeric, atol=1e-8)
    assert np.max(np.abs(jac.T @ grad_a2 - grad_w2(h1, grad_a2, kind))) < 1e-12


@FAST
@given(chain=chains())
def test_grad_h1_trace_slides_the_flipped_kernel(chain: tuple) -> None:
    kind, _, _, w2, grad_a2 = chain
    steps = grad_h1_trace(grad_a2, w2, kind)
    expected = grad_h1(grad_a2, w2, kind)
    assert len(steps) == expected.size
    k2 = w2.size
    for n, step in enumerate(steps):
        assert step.index == n
        np.testing.assert_array_equal(step.kernel, w2[::-1])
        # 0-based start of the window over grad_a2: n - (k2 - 1) for the full backward
        # convolution of the valid chain, n for the valid one of the full chain.
        start = n - (k2 - 1) if kind == "valid" else n
        np.testing.assert_array_equal(step.positions, np.arange(start, start + k2))
        values = [grad_a2[p] if 0 <= p < grad_a2.size else 0.0 for p in step.positions]
        np.testing.assert_array_equal(step.values, values)
        np.testing.assert_array_equal(step.products, np.array(values) * w2[::-1])
        assert step.total == pytest.approx(expected[n], abs=1e-12)
    assert BACKWARD_MODE[kind] == ("full" if kind == "valid" else "valid")


# --- the target loss -----------------------------------------------------------------------------


@FAST
@given(chain=chains())
def test_target_loss_gradients_three_ways(chain: tuple) -> None:
    kind, x, w1, w2, t = chain  # the drawn upstream vector serves as a target of |a2| entries
    out = forward_chain(x, w1, w2, kind)
    h1, a2 = out["h1"], out["a2"]
    assert target_loss(a2, t) == pytest.approx(0.5 * np.sum((a2 - t) ** 2), rel=1e-12)
    g = grad_a2_target(a2, t)
    np.testing.assert_array_equal(g, a2 - t)
    numeric_g = gradcheck.gradient(lambda v: 0.5 * np.sum((v - t) ** 2), a2, h=1e-3)
    np.testing.assert_allclose(g, numeric_g, atol=1e-8)
    scale = 1.0 + float(np.abs(a2).max() + np.abs(t).max()) ** 2
    jac = jacobian_a2_h1(w2, h1.size, kind)
    assert np.max(np.abs(numeric_grad_h1_target(h1, w2, t, kind) - jac.T @ g)) < 1e-9 * scale
    assert np.max(np.abs(numeric_grad_w2_target(h1, w2, t, kind)
                         - grad_w2(h1, g, kind))) < 1e-9 * scale


def test_chain_rule_checks_shapes() -> None:
    np.testing.assert_array_equal(chain_rule([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], [1, 0, -1]),
                                  [-4.0, -4.0])
    with pytest.raises(ValueError, match="3 rows .* but grad_a2 has 2 entries"):
        chain_rule(np.ones((3, 2)), [1.0, 2.0])
    with pytest.raises(ValueError, match="Jacobian must be a 2-D array"):
        chain_rule([1.0, 2.0], [1.0, 2.0])


def test_target_loss_by_hand() -> None:
    assert target_loss([1.0, 2.0], [0.0, 4.0]) == 2.5
    np.testing.assert_array_equal(grad_a2_target([1.0, 2.0], [0.0, 4.0]), [1.0, -2.0])
    with pytest.raises(ValueError, match=r"target t must have \|a2\| = 2 entries, got 3"):
        target_loss([1.0, 2.0], [0.0, 1.0, 2.0])
    with pytest.raises(ValueError, match=r"target t must have \|a2\| = 4 entries"):
        numeric_grad_h1_target([1.0, 2.0, 3.0, 4.0, 5.0], [1.0, 1.0], [1.0], "valid")
    with pytest.raises(ValueError, match="target t contains NaN"):
        grad_a2_target([1.0], [np.inf])


# --- seeded example ------------------------------------------------------------------------------


@FAST
@given(seed=st.integers(0, 2**31), role=st.sampled_from(list(ROLES)), n=st.integers(1, 30))
def test_seeded_vector_is_small_integers_and_reproducible(seed: int, role: str, n: int) -> None:
    v = seeded_vector(seed, role, n)
    assert v.shape == (n,) and v.dtype == np.float64
    assert np.all(v == np.round(v)) and np.all(np.abs(v) <= ROLES[role])
    np.testing.assert_array_equal(v, seeded_vector(seed, role, n))


def test_seeded_chain_resizes_one_vector_at_a_time() -> None:
    a = seeded_chain(8, 3, 3, "valid", SEED)
    b = seeded_chain(8, 3, 4, "valid", SEED)
    assert {k: v.size for k, v in a.items()} == {"x": 8, "w1": 3, "w2": 3, "grad_a2": 4, "t": 4}
    np.testing.assert_array_equal(a["x"], b["x"])
    np.testing.assert_array_equal(a["w1"], b["w1"])
    assert b["w2"].size == 4 and b["grad_a2"].size == 3
    assert seeded_chain(8, 3, 3, "full", SEED)["grad_a2"].size == 12
    assert not np.array_equal(seeded_chain(8, 3, 3, "valid", SEED + 1)["x"], a["x"])
    with pytest.raises(ValueError, match=r"k₁ \+ k₂ ≤ d \+ 1"):
        seeded_chain(4, 3, 3, "valid", SEED)
    with pytest.raises(ValueError, match="role must be one of"):
        seeded_vector(0, "b2", 3)
    with pytest.raises(ValueError, match="seed must be ≥ 0"):
        seeded_vector(-1, "x", 3)


def test_default_example_is_readable() -> None:
    # The panel opens on this chain: the ReLU must zero something, w2's taps must be distinct
    # and non-zero (so the Jacobian's diagonals differ) and the gradient must have both signs.
    assert (SEED_D, SEED_K1, SEED_K2, SEED_KIND) == (8, 3, 3, "valid")
    c = seeded_chain(SEED_D, SEED_K1, SEED_K2, SEED_KIND, SEED)
    out = forward_chain(c["x"], c["w1"], c["w2"], SEED_KIND)
    assert np.any(out["a1"] < 0) and np.any(out["h1"] > 0)
    assert np.all(c["w2"] != 0) and len(set(c["w2"])) == SEED_K2
    assert np.any(c["grad_a2"] > 0) and np.any(c["grad_a2"] < 0)
    assert chain_shapes(SEED_D, SEED_K1, SEED_K2, SEED_KIND) == {"len_a1": 6, "len_a2": 4}
