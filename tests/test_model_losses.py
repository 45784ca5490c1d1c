import re

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from explorer.model import gradcheck, losses
from explorer.model.activations import sigmoid, softplus, tanh

finite = st.floats(allow_nan=False, allow_infinity=False)
moderate = st.floats(-30, 30, allow_nan=False)
targets = st.floats(0, 1, allow_nan=False)
hard_targets = st.sampled_from([0.0, 1.0])


def sigmoid_ref(a):
    a = np.longdouble(a)
    return 1 / (1 + np.exp(-a))


def error_ref(a, y):
    """f - y in long double, subtracting from whichever of f and 1 - f is small."""
    y = np.longdouble(y)
    return sigmoid_ref(a) - y if a < 0 else (1 - y) - sigmoid_ref(-a)


#: f - y in float64 is exact for a y moved by an ulp or two, but when f is close to y that is a
#: large *relative* error of f - y (y = 0.5, a = 5e-11: f - y = 1.3e-11 with an error of 1e-16).
#: The attainable bound is absolute: a few ulps of the O(1) operands.
ERROR_ULPS = 4 * np.finfo(np.float64).eps


@given(moderate)
def test_sigmoid_matches_long_double_reference(a):
    assert float(sigmoid(a)) == pytest.approx(float(sigmoid_ref(a)), rel=1e-14, abs=1e-300)


@given(finite)
def test_sigmoid_symmetric_bounded_finite(a):
    f, g = float(sigmoid(a)), float(sigmoid(-a))
    assert 0.0 <= f <= 1.0
    assert f + g == pytest.approx(1.0, abs=1e-15)


@given(finite)
def test_softplus_is_finite_and_right(a):
    s = float(softplus(a))
    assert np.isfinite(s) and s >= 0
    if abs(a) < 30:
        ref = np.log1p(np.exp(np.longdouble(a)))
        assert s == pytest.approx(float(ref), rel=1e-14)
    elif a > 40:
        assert s == a
    # softplus(a) - softplus(-a) == a
    if abs(a) < 1e15:
        assert s - float(softplus(-a)) == pytest.approx(a, abs=1e-12 * max(1, abs(a)))


def test_tanh_matches_numpy():
    a = np.linspace(-20, 20, 101)
    np.testing.assert_array_equal(tanh(a), np.tanh(a))


@given(moderate, targets)
def test_bce_matches_definition(a, y):
    ref = -(y * np.log(sigmoid_ref(a)) + (1 - y) * np.log(sigmoid_ref(-a)))
    assert float(losses.bce(a, y)) == pytest.approx(float(ref), rel=1e-9, abs=1e-12)


@given(moderate, targets)
@example(5.0636115586217736e-11, 0.5)  # f close to y: found by hypothesis
def test_mse_matches_definition(a, y):
    error = error_ref(a, y)
    bound = float(2 * abs(error) * ERROR_ULPS + ERROR_ULPS**2)
    assert float(losses.mse(a, y)) == pytest.approx(float(error**2), rel=1e-9, abs=bound)


@given(finite, targets)
def test_losses_and_gradients_finite_everywhere(a, y):
    for fn in (losses.bce, losses.mse, losses.bce_grad, losses.mse_grad):
        assert np.isfinite(fn(a, y))
    assert losses.bce(a, y) >= 0
    assert -1 <= losses.bce_grad(a, y) <= 1


def test_bce_exact_far_out():
    assert losses.bce(1e4, 0.0) == 1e4
    assert losses.bce(-1e4, 1.0) == 1e4
    assert losses.bce(1e4, 1.0) == 0.0
    assert losses.bce(-1e4, 0.0) == 0.0
    assert losses.bce(-1e4, 0.25) == pytest.approx(0.25 * 1e4, rel=1e-15)
    assert losses.bce(0.0, 1.0) == pytest.approx(np.log(2), rel=1e-15)


@given(st.floats(-40, 40, allow_nan=False), targets)
def test_gradients_match_finite_differences(a, y):
    for loss, grad in ((losses.bce, losses.bce_grad), (losses.mse, losses.mse_grad)):
        numeric = gradcheck.derivative(lambda v, loss=loss: loss(v, y), np.array([a]))
        assert float(grad(a, y)) == pytest.approx(float(numeric[0]), abs=1e-6)


@given(moderate, targets)
@example(5.0636115586217736e-11, 0.5)
def test_gradients_match_formulas(a, y):
    f, one_minus_f = sigmoid_ref(a), sigmoid_ref(-a)
    error = error_ref(a, y)
    assert float(losses.bce_grad(a, y)) == pytest.approx(float(error), abs=1e-15)
    assert float(losses.mse_grad(a, y)) == pytest.approx(
        float(2 * error * f * one_minus_f), rel=1e-9, abs=float(2 * ERROR_ULPS * f * one_minus_f))


@given(moderate, targets)
def test_gradient_ratio_is_two_f_one_minus_f(a, y):
    ce, mse = float(losses.bce_grad(a, y)), float(losses.mse_grad(a, y))
    ratio = float(losses.gradient_ratio(a))
    assert 0 <= ratio <= 0.5
    if abs(ce) > 1e-8:
        assert mse / ce == pytest.approx(ratio, rel=1e-7)


def test_mse_gradient_vanishes_when_confidently_wrong_but_ce_does_not():
    a = np.array([-6.0, -10.0, -20.0])
    assert np.all(np.abs(losses.mse_grad(a, 1.0)) < 0.01)
    assert np.all(losses.bce_grad(a, 1.0) < -0.99)


def test_stall_mask_band():
    a = np.linspace(-10, 10, 2001)
    mask = losses.stall_mask(a, 1.0, 0.01)
    # 2 f (1 - f) < 0.01 with f < 1/2: a below logit of the smaller root of 2f(1-f) = 0.01.
    f_star = (1 - np.sqrt(1 - 2 * 0.01)) / 2
    edge = np.log(f_star / (1 - f_star))
    assert np.array_equal(mask, a < edge)
    np.testing.assert_array_equal(losses.stall_mask(a, 0.0), a > -edge)
    assert not losses.stall_mask(a, 0.5).any()


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf, "x", [], None])
def test_bad_a_raises(bad):
    with pytest.raises(ValueError):
        losses.bce(bad, 1.0)
    with pytest.raises(ValueError):
        sigmoid(bad)


@pytest.mark.parametrize("y", [-0.1, 1.0001, np.nan, np.inf])
def test_bad_y_raises(y):
    for fn in (losses.bce, losses.mse, losses.bce_grad, losses.mse_grad):
        with pytest.raises(ValueError, match="y"):
            fn(0.0, y)


def test_inputs_not_mutated_and_shapes_broadcast():
    a = np.array([-1.0, 0.0, 2.0])
    y = np.array([1.0, 0.0, 0.5])
    a0, y0 = a.copy(), y.copy()
    out = losses.bce(a, y)
    assert out.shape == (3,)
    assert losses.mse(a[:, None], y[None, :]).shape == (3, 3)
    np.testing.assert_array_equal(a, a0)
    np.testing.assert_array_equal(y, y0)
    with pytest.raises(ValueError, match="broadcast"):
        losses.bce(np.zeros(3), np.zeros(2))


def test_train_unit_matches_hand_loop():
    x, y, w, b, lr = 1.5, 1.0, -4.0, 0.5, 0.3
    hist = losses.train_unit(x, y, w, b, lr, 25, "mse")
    for t in range(25):
        a = w * x + b
        f = 1 / (1 + np.exp(-a))
        g = -2 * (y - f) * f * (1 - f)
        w, b = w - lr * g * x, b - lr * g
        assert hist["w"][t + 1] == pytest.approx(w, rel=1e-12)
        assert hist["b"][t + 1] == pytest.approx(b, rel=1e-12)
    np.testing.assert_allclose(hist["a"], hist["w"] * x + hist["b"])
    np.testing.assert_allclose(hist["loss"], losses.mse(hist["a"], y))


def test_seed_lab_ce_recovers_mse_stalls():
    kw = dict(x=losses.SEED_INPUT, y=losses.SEED_TARGET, w=losses.SEED_WEIGHT,
              b=losses.SEED_BIAS, lr=losses.SEED_LEARNING_RATE, steps=losses.SEED_STEPS)
    ce = losses.train_unit(loss="bce", **kw)
    mse = losses.train_unit(loss="mse", **kw)
    assert ce["a"][0] == mse["a"][0] == -6.0
    assert ce["a"][-1] > 3.0 and ce["f"][-1] > 0.95
    assert mse["a"][-1] < -5.0 and mse["f"][-1] < 0.01


@pytest.mark.parametrize("kwargs, message", [
    (dict(lr=0.0), "learning rate"), (dict(lr=-1), "learning rate"), (dict(steps=0), "steps"),
    (dict(steps=2.5), "steps"), (dict(y=2.0), "y"), (dict(x=np.nan), "x"),
    (dict(loss="hinge"), "loss"), (dict(lr=1e306, x=1e3), "overflow"),
])
def test_train_unit_rejects(kwargs, message):
    args = dict(x=1.0, y=1.0, w=-6.0, b=0.0, lr=0.5, steps=10, loss="bce") | kwargs
    with pytest.raises(ValueError, match=message):
        losses.train_unit(**args)


@given(st.lists(finite, min_size=1, max_size=50), targets,
       st.floats(1e-6, 1.0, allow_nan=False))
@example([5.0636115586217736e-11, -800.0, 37.0, 0.0], 0.5, 0.01)
def test_curves_equal_each_function_bit_for_bit(a, y, threshold):
    got = losses.curves(a, y, threshold)
    expected = {"bce": losses.bce(a, y), "mse": losses.mse(a, y),
                "bce_grad": losses.bce_grad(a, y), "mse_grad": losses.mse_grad(a, y),
                "stall": losses.stall_mask(a, y, threshold)}
    assert set(got) == set(expected)
    for name, value in expected.items():
        assert got[name].shape == (len(a),)
        assert got[name].dtype == value.dtype
        np.testing.assert_array_equal(got[name], value, err_msg=name)


@pytest.mark.parametrize(("a", "y", "message"), [
    ([], 1.0, "a is empty"),
    ([1.0, np.nan], 1.0, "a contains NaN or inf"),
    ([1.0], 1.5, "y must lie in [0, 1]"),
    ([1.0], [0.0, 1.0], "y must be a single number here"),
    (["x"], 1.0, "a must contain only numbers"),
])
def test_curves_reject_bad_arguments(a, y, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        losses.curves(a, y)
