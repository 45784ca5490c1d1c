"""Tests for explorer.model.equivalence: sigmoid and tanh networks computing the same function."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from explorer.model.equivalence import (
    MAPPINGS,
    RULES,
    SAMPLE_POINTS,
    SEED_HIDDEN,
    SEED_INPUTS,
    SEED_OUTPUTS,
    SEED_RADIUS,
    SEED_RANDOM_SEED,
    SEED_SCALE,
    SETTING_LIMITS,
    WRONG_MAPPINGS,
    TwoLayerNet,
    check_radius,
    check_setting,
    convert,
    flatten,
    forward,
    input_grid,
    parameter_labels,
    predicted_gap,
    random_net,
    sample_inputs,
    seed_network,
    sigmoid_to_tanh,
    sigmoid_via_tanh,
    tanh_to_sigmoid,
    ulp,
    with_parameter,
    wrong_mapping,
)

# max_examples comes from the hypothesis profile in conftest.py ("ci": 150, "fuzz": many).
FAST = settings(deadline=None)
EPS = np.finfo(np.float64).eps


@st.composite
def nets_and_inputs(draw) -> tuple[TwoLayerNet, np.ndarray]:
    """A network of random sizes and an input batch, entries uniform in [-scale, scale].

    Hypothesis picks the sizes, the scale (at most 3, so sums stay moderate) and a seed; numpy
    fills the arrays, which is much faster than drawing every entry through hypothesis.
    """
    D, M, K, N = (draw(st.integers(1, 6)) for _ in range(4))
    scale = draw(st.sampled_from([1e-3, 0.5, 1.0, 3.0]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    net = TwoLayerNet(
        W1=rng.uniform(-scale, scale, (M, D)),
        b1=rng.uniform(-scale, scale, M),
        W2=rng.uniform(-scale, scale, (K, M)),
        b2=rng.uniform(-scale, scale, K),
    )
    return net, rng.uniform(-3.0, 3.0, (N, D))


def math_sigmoid(a: float) -> float:
    return 1.0 / (1.0 + math.exp(-a)) if a >= 0 else math.exp(a) / (1.0 + math.exp(a))


def oracle_forward(net: TwoLayerNet, X: np.ndarray, act) -> np.ndarray:
    """The homework's formula term by term, with correctly rounded sums."""
    M, D = net.W1.shape
    K = net.W2.shape[0]
    Y = np.empty((X.shape[0], K))
    for n, x in enumerate(X):
        h = [
            act(math.fsum([net.W1[j, i] * x[i] for i in range(D)] + [net.b1[j]])) for j in range(M)
        ]
        for k in range(K):
            Y[n, k] = math.fsum([net.W2[k, j] * h[j] for j in range(M)] + [net.b2[k]])
    return Y


def output_scale(net: TwoLayerNet) -> np.ndarray:
    """Bound on |y_k|: sum_j |W2[k, j]| + |b2[k]| (hidden units lie in [-1, 1])."""
    return np.abs(net.W2).sum(axis=1) + np.abs(net.b2)


def assert_within(actual: np.ndarray, expected: np.ndarray, tolerance: np.ndarray) -> None:
    """Assert ``|actual - expected| <= tolerance`` elementwise (tolerance broadcasts)."""
    actual, expected = np.broadcast_arrays(actual, expected)
    error = np.abs(actual - expected)
    bad = error > tolerance
    assert not np.any(bad), (
        f"max error {error.max():.3g} exceeds tolerance;\nactual={actual}\nexpected={expected}"
    )


def assert_close_outputs(actual: np.ndarray, expected: np.ndarray, net: TwoLayerNet) -> None:
    # Absolute tolerance per output k, scaled by the largest value that output can take.
    assert_within(actual, expected, 1e-12 * np.abs(expected) + 1e-12 * (1 + output_scale(net)))


def arrays_of(net: TwoLayerNet) -> list[np.ndarray]:
    return [net.W1, net.b1, net.W2, net.b2]


# --- forward ---------------------------------------------------------------------------------


@FAST
@given(nets_and_inputs())
def test_forward_matches_formula(case) -> None:
    net, X = case
    for activation, act in (("sigmoid", math_sigmoid), ("tanh", math.tanh)):
        Y = forward(net, X, activation)
        assert Y.shape == (X.shape[0], net.W2.shape[0]) and Y.dtype == np.float64
        assert_close_outputs(Y, oracle_forward(net, X, act), net)


def test_forward_small_example_by_hand() -> None:
    net = TwoLayerNet(W1=[[1.0, -1.0]], b1=[0.5], W2=[[2.0], [-4.0]], b2=[1.0, 0.0])
    X = np.array([[0.5, 1.0], [3.0, -2.0]])
    a = np.array([0.0, 5.5])
    expected_sig = np.column_stack([2.0 / (1 + np.exp(-a)) + 1.0, -4.0 / (1 + np.exp(-a))])
    np.testing.assert_allclose(forward(net, X, "sigmoid"), expected_sig, rtol=1e-15)
    np.testing.assert_allclose(
        forward(net, X, "tanh"), np.column_stack([2 * np.tanh(a) + 1, -4 * np.tanh(a)]), rtol=1e-15
    )


# --- the conversions ---------------------------------------------------------------------------


@FAST
@given(nets_and_inputs())
def test_sigmoid_to_tanh_reproduces_sigmoid_network(case) -> None:
    net, X = case
    converted = sigmoid_to_tanh(net)
    assert_close_outputs(forward(converted, X, "tanh"), forward(net, X, "sigmoid"), net)
    assert_close_outputs(forward(converted, X, "tanh"), oracle_forward(net, X, math_sigmoid), net)


@FAST
@given(nets_and_inputs())
def test_tanh_to_sigmoid_reproduces_tanh_network(case) -> None:
    net, X = case
    converted = tanh_to_sigmoid(net)
    assert_close_outputs(forward(converted, X, "sigmoid"), forward(net, X, "tanh"), converted)
    assert_close_outputs(
        forward(converted, X, "sigmoid"), oracle_forward(net, X, math.tanh), converted
    )


@FAST
@given(nets_and_inputs())
def test_sigmoid_to_tanh_parameters_follow_the_identity(case) -> None:
    # sigma(a) = tanh(a / 2) / 2 + 1 / 2, so halve W1, b1, W2 and add half of each row sum of W2.
    net, _ = case
    t = sigmoid_to_tanh(net)
    M = net.W1.shape[0]
    for name in ("W1", "b1", "W2"):
        np.testing.assert_array_equal(getattr(t, name), getattr(net, name) * 0.5)
    expected_b2 = [
        math.fsum([net.b2[k]] + [0.5 * net.W2[k, j] for j in range(M)]) for k in range(net.b2.size)
    ]
    assert_within(t.b2, expected_b2, 4 * EPS * (1 + output_scale(net)))


@FAST
@given(nets_and_inputs())
def test_round_trips_restore_the_network(case) -> None:
    net, _ = case
    for back in (tanh_to_sigmoid(sigmoid_to_tanh(net)), sigmoid_to_tanh(tanh_to_sigmoid(net))):
        # Halving and doubling are exact in binary floating point.
        np.testing.assert_array_equal(back.W1, net.W1)
        np.testing.assert_array_equal(back.b1, net.b1)
        np.testing.assert_array_equal(back.W2, net.W2)
        # b2 + s - s: one rounding of each sum, relative to the terms' size.
        scale = np.abs(net.b2) + np.abs(net.W2).sum(axis=1)
        assert_within(back.b2, net.b2, 4 * EPS * scale)


def test_homework_identity_on_one_unit() -> None:
    # y = sigma(x) becomes y = tanh(x / 2) / 2 + 1 / 2.
    net = TwoLayerNet(W1=[[1.0]], b1=[0.0], W2=[[1.0]], b2=[0.0])
    t = sigmoid_to_tanh(net)
    assert (t.W1[0, 0], t.b1[0], t.W2[0, 0], t.b2[0]) == (0.5, 0.0, 0.5, 0.5)
    X = np.linspace(-30, 30, 61).reshape(-1, 1)
    np.testing.assert_allclose(forward(t, X, "tanh"), 1 / (1 + np.exp(-X)), rtol=0, atol=1e-15)
    back = tanh_to_sigmoid(t)
    assert back == net


@FAST
@given(nets_and_inputs())
def test_nothing_is_mutated(case) -> None:
    net, X = case
    before = [a.copy() for a in arrays_of(net)]
    X_before = X.copy()
    forward(net, X, "sigmoid")
    forward(net, X, "tanh")
    sigmoid_to_tanh(net)
    tanh_to_sigmoid(net)
    for kind in WRONG_MAPPINGS:
        wrong_mapping(net, kind)
    for a, b in zip(arrays_of(net), before, strict=True):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(X, X_before)


def test_network_stores_read_only_float64_copies() -> None:
    W1 = np.array([[1, 2]], dtype=np.int64)
    b1 = [0.5]
    W2 = np.array([[3.0]])
    net = TwoLayerNet(W1, b1, W2, np.array([0.0]))
    W2[0, 0] = 99.0
    assert net.W2[0, 0] == 3.0
    assert all(a.dtype == np.float64 for a in arrays_of(net))
    with pytest.raises(ValueError):
        net.W1[0, 0] = 5.0
    with pytest.raises(dataclasses.FrozenInstanceError):
        net.W1 = np.zeros((1, 2))  # type: ignore[misc]
    assert (net.input_size, net.hidden_size, net.output_size) == (2, 1, 1)
    changed = dataclasses.replace(net, b2=[1.0])
    assert changed.b2[0] == 1.0 and net.b2[0] == 0.0
    assert changed != net
    assert TwoLayerNet(W1, b1, [[3.0]], [-0.0]) == net
    assert hash(TwoLayerNet(W1, b1, [[3.0]], [-0.0])) == hash(net)


# --- wrong mappings ----------------------------------------------------------------------------


@FAST
@given(nets_and_inputs())
def test_forgetting_bias_correction_shifts_each_output_by_half_row_sum(case) -> None:
    net, X = case
    gap = forward(wrong_mapping(net, "no_bias_correction"), X, "tanh") - forward(net, X, "sigmoid")
    predicted = np.broadcast_to(-0.5 * net.W2.sum(axis=1), gap.shape)
    assert_within(gap, predicted, 1e-12 * (1 + output_scale(net)))


@FAST
@given(nets_and_inputs())
def test_weights_only_mapping_gap_matches_prediction(case) -> None:
    net, X = case
    gap = forward(wrong_mapping(net, "weights_only"), X, "tanh") - forward(net, X, "sigmoid")
    # Hidden unit j sees tanh(W1 x / 2 + b1) instead of tanh((W1 x + b1) / 2).
    predicted = np.empty_like(gap)
    for n, x in enumerate(X):
        s = [math.fsum(net.W1[j, i] * x[i] for i in range(x.size)) for j in range(net.b1.size)]
        diff = [
            math.tanh(s[j] / 2 + net.b1[j]) - math.tanh((s[j] + net.b1[j]) / 2)
            for j in range(net.b1.size)
        ]
        for k in range(net.b2.size):
            predicted[n, k] = math.fsum(0.5 * net.W2[k, j] * diff[j] for j in range(len(diff)))
    assert_within(gap, predicted, 1e-12 * (1 + output_scale(net)))


def test_weights_only_mapping_is_right_without_hidden_biases_and_wrong_with_them() -> None:
    net = random_net(3, 4, 2, seed=7, scale=2.0)
    X = random_net(3, 5, 1, seed=8, scale=2.0).W1  # (5, 3) inputs
    no_bias = dataclasses.replace(net, b1=np.zeros(4))
    np.testing.assert_allclose(
        forward(wrong_mapping(no_bias, "weights_only"), X, "tanh"),
        forward(no_bias, X, "sigmoid"),
        rtol=0,
        atol=1e-14,
    )
    gap = forward(wrong_mapping(net, "weights_only"), X, "tanh") - forward(net, X, "sigmoid")
    assert np.max(np.abs(gap)) > 1e-2
    assert np.ptp(gap, axis=0).max() > 1e-3  # varies with the input, unlike a bias error


@pytest.mark.parametrize("kind", ["", "no_bias", None, "weights"])
def test_wrong_mapping_rejects_unknown_kind(kind: object) -> None:
    with pytest.raises(ValueError, match="kind"):
        wrong_mapping(random_net(1, 1, 1), kind)  # type: ignore[arg-type]


# --- random networks ---------------------------------------------------------------------------


@FAST
@given(st.integers(1, 8), st.integers(1, 8), st.integers(1, 8), st.integers(0, 2**32))
def test_random_net_shapes_bounds_and_seed(D: int, M: int, K: int, seed: int) -> None:
    net = random_net(D, M, K, seed, scale=3.0)
    assert [a.shape for a in arrays_of(net)] == [(M, D), (M,), (K, M), (K,)]
    assert all(np.all(np.abs(a) <= 3.0) for a in arrays_of(net))
    assert random_net(D, M, K, seed, scale=3.0) == net
    assert random_net(D, M, K, seed + 1, scale=3.0) != net


@pytest.mark.parametrize(
    ("args", "kwargs", "words"),
    [
        ((0, 1, 1), {}, "D"),
        ((1, -2, 1), {}, "M"),
        ((1, 1, 2.5), {}, "K"),
        ((1, 1, "3"), {}, "K"),
        ((1, 1, True), {}, "K"),
        ((1, 1, 1, -1), {}, "seed"),
        ((1, 1, 1), {"scale": 0.0}, "scale"),
        ((1, 1, 1), {"scale": float("nan")}, "scale"),
        ((1, 1, 1), {"scale": "big"}, "scale"),
    ],
)
def test_random_net_rejects_bad_arguments(args: tuple, kwargs: dict, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        random_net(*args, **kwargs)


# --- validation --------------------------------------------------------------------------------


GOOD = {"W1": np.ones((3, 2)), "b1": np.zeros(3), "W2": np.ones((4, 3)), "b2": np.zeros(4)}


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"W1": np.ones(3)}, "W1 must be a 2-D array"),
        ({"W1": np.ones((0, 2))}, "W1 is empty"),
        ({"b1": np.zeros(2)}, "b1 has 2 entries but W1 has 3 rows"),
        ({"b1": [[0.0, 0.0, 0.0]]}, "b1 must be a vector"),
        ({"W2": np.ones((4, 2))}, r"W2 must have shape \(K, 3\)"),
        ({"b2": np.zeros(3)}, "b2 has 3 entries but W2 has 4 rows"),
        ({"b2": [0.0, np.nan, 0.0, 0.0]}, "b2 contains NaN or inf"),
        ({"W2": np.full((4, 3), np.inf)}, "W2 contains NaN or inf"),
        ({"W1": [["a", "b"], ["c", "d"], ["e", "f"]]}, "W1 must contain only numbers"),
        ({"b1": []}, "b1"),
    ],
)
def test_network_rejects_invalid_arrays(changes: dict, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        TwoLayerNet(**{**GOOD, **changes})


@pytest.mark.parametrize(
    ("X", "activation", "words"),
    [
        (np.ones((5, 3)), "sigmoid", r"X must have shape \(N, 2\)"),
        (np.ones(2), "sigmoid", "X must be a 2-D array"),
        (np.ones((0, 2)), "sigmoid", "X is empty"),
        ([[1.0, np.nan]], "tanh", "X contains NaN or inf"),
        ([["1", "x"]], "tanh", "X must contain only numbers"),
        (np.ones((1, 2)), "relu", "activation must be 'sigmoid' or 'tanh'"),
        (np.ones((1, 2)), None, "activation"),
    ],
)
def test_forward_rejects_invalid_arguments(X: object, activation: object, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        forward(TwoLayerNet(**GOOD), X, activation)  # type: ignore[arg-type]


@pytest.mark.parametrize("fn", [sigmoid_to_tanh, tanh_to_sigmoid])
def test_conversions_reject_non_networks(fn) -> None:
    with pytest.raises(ValueError, match="TwoLayerNet"):
        fn(GOOD)
    with pytest.raises(ValueError, match="TwoLayerNet"):
        forward(GOOD, np.ones((1, 2)), "tanh")  # type: ignore[arg-type]


def test_overflow_is_a_value_error_not_inf() -> None:
    big = TwoLayerNet(W1=[[1e308]], b1=[0.0], W2=[[1.5e308]], b2=[1.5e308])
    with pytest.raises(ValueError, match="overflow"):
        tanh_to_sigmoid(big)
    with pytest.raises(ValueError, match="overflow"):
        forward(big, [[10.0]], "sigmoid")  # pre-activation 1e309
    with pytest.raises(ValueError, match="overflow"):
        forward(big, [[1.0]], "sigmoid")  # output 1.5e308 * 1 + 1.5e308
    wide = TwoLayerNet(W1=[[1.0, 1.0]], b1=[0.0], W2=[[1.0]], b2=[0.0])
    with pytest.raises(ValueError, match="overflow"):
        forward(wide, [[1e308, 1e308]], "tanh")
    # 1e308 + 1e308 / 2 still fits in float64, so this large network converts...
    t = sigmoid_to_tanh(TwoLayerNet(W1=[[1e308]], b1=[1e308], W2=[[1e308]], b2=[1e308]))
    assert t.b2[0] == 1.5e308 and t.W2[0, 0] == 5e307
    # ...but a corrected bias beyond the float64 range is refused.
    with pytest.raises(ValueError, match="overflow"):
        sigmoid_to_tanh(
            TwoLayerNet(W1=[[1.0], [1.0]], b1=[0.0, 0.0], W2=[[1.7e308, 1.7e308]], b2=[1.7e308])
        )


# --- what the panel uses -----------------------------------------------------------------------


def test_seed_network_is_the_documented_example() -> None:
    net = seed_network()
    assert (SEED_INPUTS, SEED_HIDDEN, SEED_OUTPUTS, SEED_RANDOM_SEED) == (1, 4, 2, 0)
    assert (net.input_size, net.hidden_size, net.output_size) == (1, 4, 2)
    assert net == random_net(1, 4, 2, 0, scale=SEED_SCALE)
    assert all(np.all(np.abs(a) <= SEED_SCALE) for a in arrays_of(net))
    assert SEED_RADIUS > 0 and SAMPLE_POINTS >= 10


def test_sigmoid_via_tanh_is_the_logistic_function() -> None:
    a = np.linspace(-40, 40, 801)
    expected = np.array([math_sigmoid(v) for v in a])
    # Within one rounding of the values near 1 (the spacing there is 2.2e-16).
    np.testing.assert_allclose(sigmoid_via_tanh(a), expected, rtol=0, atol=2.3e-16)
    assert sigmoid_via_tanh(0.0) == 0.5
    with pytest.raises(ValueError, match="NaN or inf"):
        sigmoid_via_tanh([0.0, np.inf])


@FAST
@given(nets_and_inputs())
def test_convert_dispatches_and_predicted_gap_matches(case) -> None:
    net, X = case
    assert convert(net, "correct") == sigmoid_to_tanh(net)
    for kind in WRONG_MAPPINGS:
        assert convert(net, kind) == wrong_mapping(net, kind)
    for mapping in MAPPINGS:
        gap = forward(convert(net, mapping), X, "tanh") - forward(net, X, "sigmoid")
        predicted = predicted_gap(net, X, mapping)
        assert predicted.shape == gap.shape
        assert_within(predicted, gap, 1e-12 * (1 + output_scale(net)))
    np.testing.assert_array_equal(predicted_gap(net, X, "correct"), 0.0)
    np.testing.assert_array_equal(
        predicted_gap(net, X, "no_bias_correction")[0], -0.5 * net.W2.sum(axis=1)
    )


@pytest.mark.parametrize("fn", [convert, lambda n, m: predicted_gap(n, [[0.0]], m)])
def test_unknown_mapping_is_refused(fn) -> None:
    with pytest.raises(ValueError, match="mapping must be one of"):
        fn(random_net(1, 2, 1), "halve_everything")


def test_rules_cover_every_mapping_and_group() -> None:
    assert set(RULES) == set(MAPPINGS)
    for rules in RULES.values():
        assert set(rules) == {"W1", "b1", "W2", "b2"}
    assert RULES["correct"]["b2"] != RULES["no_bias_correction"]["b2"]
    assert RULES["correct"]["b1"] != RULES["weights_only"]["b1"]


def test_flatten_labels_and_with_parameter_agree() -> None:
    net = random_net(2, 3, 2, seed=4)
    theta = flatten(net)
    labels = parameter_labels(net)
    assert theta.shape == (2 * 3 + 3 + 2 * 3 + 2,) and len(labels) == theta.size
    expected = np.concatenate([net.W1.ravel(), net.b1, net.W2.ravel(), net.b2])
    np.testing.assert_array_equal(theta, expected)
    assert labels[0] == ("W¹[1,1]", "W1") and labels[1] == ("W¹[1,2]", "W1")
    assert labels[6] == ("b¹[1]", "b1") and labels[9] == ("W²[1,1]", "W2")
    assert labels[-1] == ("b²[2]", "b2")
    for index in range(theta.size):
        changed = with_parameter(net, index, 7.5)
        new_theta = flatten(changed)
        assert new_theta[index] == 7.5
        np.testing.assert_array_equal(np.delete(new_theta, index), np.delete(theta, index))
    assert with_parameter(net, 10, 7.5).W2[0, 1] == 7.5
    np.testing.assert_array_equal(flatten(net), theta)  # not mutated


@pytest.mark.parametrize(
    ("index", "value", "words"),
    [(17, 1.0, "index must be below 17"), (-1, 1.0, "index"), (0, np.nan, "finite"),
     (0, "x", "must be a number"), (0, [1.0, 2.0], "must be a number")],
)
def test_with_parameter_rejects_bad_arguments(index, value, words) -> None:
    with pytest.raises(ValueError, match=words):
        with_parameter(random_net(2, 3, 2), index, value)


def test_check_setting_names_the_valid_range() -> None:
    assert check_setting("M", 32) == 32 and check_setting("K", 1.0) == 1
    assert check_setting("seed", 0) == 0 and SETTING_LIMITS["D"][0] == 1
    for name, value in (("M", 33), ("M", 0), ("K", 2.5), ("D", 9), ("seed", -1), ("K", "2")):
        low, high = SETTING_LIMITS[name]
        with pytest.raises(ValueError, match=f"{name} must be a whole number from {low} to {high}"):
            check_setting(name, value)
    with pytest.raises(ValueError, match="unknown setting"):
        check_setting("N", 3)


def test_check_radius_and_inputs() -> None:
    assert check_radius(5) == 5.0
    for bad in (0.0, -1.0, np.inf, np.nan, 1e6, "wide"):
        with pytest.raises(ValueError, match="0 < R"):
            check_radius(bad)
    X = input_grid(3.0, 7)
    np.testing.assert_array_equal(X[:, 0], np.linspace(-3, 3, 7))
    assert X.shape == (7, 1)
    S = sample_inputs(3, 50, 2.0, seed=5)
    assert S.shape == (50, 3) and np.all(np.abs(S) <= 2.0)
    np.testing.assert_array_equal(S, np.random.default_rng(5).uniform(-2.0, 2.0, (50, 3)))
    with pytest.raises(ValueError, match="0 < R"):
        sample_inputs(2, 5, -1.0)


def test_ulp_is_the_float_spacing_at_the_largest_value() -> None:
    assert ulp([0.5, -1.0]) == EPS
    assert ulp([3.0]) == 2 * EPS
    assert ulp([-1024.0, 1.0]) == 1024 * EPS
    with pytest.raises(ValueError):
        ulp([])
