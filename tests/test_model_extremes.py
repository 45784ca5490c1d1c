"""Extreme inputs and invalid arguments across the model's public contract (DESIGN.md)."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from explorer.model import backprop, cnn, conv, equivalence, losses, softmax
from explorer.model.activations import sigmoid, softplus, tanh

huge = st.floats(-1e300, 1e300, allow_nan=False)


@given(st.lists(huge, min_size=1, max_size=1000))
def test_softmax_of_huge_logits_is_a_distribution(values):
    x = np.array(values)
    p = softmax.softmax(x)
    assert np.all(np.isfinite(p)) and np.all(p >= 0)
    assert p.sum() == pytest.approx(1.0, abs=1e-12)
    assert p[np.argmax(x)] == p.max()


def test_softmax_and_jacobian_for_k_1000_and_long_vectors():
    rng = np.random.default_rng(0)
    x = rng.normal(0, 1e300, 1000)
    jac = softmax.softmax_jacobian(x)
    assert jac.shape == (1000, 1000) and np.all(np.isfinite(jac))
    np.testing.assert_allclose(jac.sum(axis=1), 0, atol=1e-12)
    long = rng.normal(size=100_000)
    p = softmax.softmax(long)
    ref = np.exp(long - long.max()) / np.exp(long - long.max()).sum()
    np.testing.assert_allclose(p, ref, rtol=1e-10, atol=1e-300)


@given(st.lists(huge, min_size=1, max_size=50), st.floats(0, 1))
def test_losses_and_activations_finite_for_huge_inputs(values, y):
    a = np.array(values)
    for out in (sigmoid(a), tanh(a), softplus(a), losses.bce(a, y), losses.mse(a, y),
                losses.bce_grad(a, y), losses.mse_grad(a, y)):
        assert np.all(np.isfinite(out))


def test_losses_at_plus_minus_1e300_are_exact():
    assert losses.bce(1e300, 0.0) == 1e300
    assert losses.bce(-1e300, 1.0) == 1e300
    assert losses.bce_grad(-1e300, 1.0) == -1.0
    assert losses.mse_grad(-1e300, 1.0) == 0.0


@pytest.mark.parametrize("mode", conv.MODES)
@pytest.mark.parametrize("flipped", [True, False])
def test_convolution_of_100k_samples_matches_numpy(mode, flipped):
    rng = np.random.default_rng(1)
    x, w = rng.normal(size=100_000), rng.normal(size=37)
    ref = np.convolve(x, w, mode) if flipped else np.correlate(x, w, mode)
    np.testing.assert_allclose(conv.convolve(x, w, mode, flipped), ref, rtol=1e-9, atol=1e-9)


def test_conv_valid_full_long():
    rng = np.random.default_rng(2)
    x, w = rng.normal(size=100_000), rng.normal(size=9)
    np.testing.assert_allclose(conv.conv_valid(x, w), np.correlate(x, w, "valid"), atol=1e-9)
    np.testing.assert_allclose(conv.conv_full(x, w), np.correlate(x, w, "full"), atol=1e-9)
    # Full with a kernel longer than the input (question 5 needs it).
    np.testing.assert_allclose(conv.conv_full(w, x[:20]), np.correlate(w, x[:20], "full"),
                               atol=1e-12)


def test_convolve2d_one_row_is_the_1d_valid_convolution():
    rng = np.random.default_rng(3)
    x, w = rng.normal(size=(1, 500)), rng.normal(size=(1, 7))
    np.testing.assert_allclose(conv.convolve2d(x, w, flip=True)[0],
                               np.convolve(x[0], w[0], "valid"), atol=1e-12)
    np.testing.assert_allclose(conv.convolve2d(x, w, flip=False)[0],
                               np.correlate(x[0], w[0], "valid"), atol=1e-12)


def test_backprop_long_chain_agrees():
    rng = np.random.default_rng(4)
    for kind in backprop.KINDS:
        w2, g = rng.normal(size=5), None
        len_h1 = 2000
        shapes = backprop.chain_shapes(len_h1 + 2, 3, 5, kind)
        g = rng.normal(size=shapes["len_a2"])
        jac = backprop.jacobian_a2_h1(w2, shapes["len_a1"], kind)
        np.testing.assert_allclose(jac.T @ g, backprop.grad_h1(g, w2, kind), atol=1e-10)


def test_equivalence_overflow_is_a_value_error_not_inf():
    big = equivalence.TwoLayerNet(np.full((2, 1), 1e308), np.zeros(2), np.full((1, 2), 1e308),
                                  np.zeros(1))
    with pytest.raises(ValueError):
        equivalence.tanh_to_sigmoid(big)


BAD_VECTORS = [None, "abc", [], [np.nan], [1.0, np.inf], [[1, 2], [3]], {"a": 1}]


@pytest.mark.parametrize("bad", BAD_VECTORS, ids=repr)
@pytest.mark.parametrize("call", [
    lambda v: softmax.softmax(v),
    lambda v: softmax.softmax_jacobian(v),
    lambda v: softmax.reduce_logits(v),
    lambda v: softmax.two_class_logit(v),
    lambda v: conv.convolve(v, [1.0, 2.0]),
    lambda v: conv.convolve([1.0, 2.0, 3.0], v),
    lambda v: conv.conv_valid(v, [1.0]),
    lambda v: conv.conv_full([1.0], v),
    lambda v: conv.flip(v),
    lambda v: conv.trace(v, [1.0]),
    lambda v: conv.convolve2d(v, [[1.0]]),
    lambda v: backprop.grad_h1(v, [1.0, 2.0], "valid"),
    lambda v: backprop.forward_chain(v, [1.0], [1.0], "full"),
    lambda v: losses.bce(v, 1.0),
    lambda v: sigmoid(v),
], ids=["softmax", "jacobian", "reduce", "two_class", "convolve_x", "convolve_w", "conv_valid",
        "conv_full", "flip", "trace", "convolve2d", "grad_h1", "forward_chain", "bce", "sigmoid"])
def test_invalid_arguments_raise_value_error_with_a_message(call, bad):
    with pytest.raises(ValueError) as info:
        call(bad)
    message = str(info.value)
    assert len(message) > 10 and "\n" not in message


@pytest.mark.parametrize("call, fragment", [
    (lambda: conv.convolve([1, 2, 3, 4], [1, 2, 3, 4, 5], "valid"), "longer"),
    (lambda: conv.convolve([1, 2], [1], "middle"), "mode"),
    (lambda: conv.convolve2d(np.ones((4, 4)), np.ones((3, 3)), stride=0), "stride"),
    (lambda: conv.convolve2d(np.ones((4, 4)), np.ones((3, 3)), padding=-1), "padding"),
    (lambda: conv.convolve2d(np.ones((4, 4)), np.ones((3, 3)), dilation=0), "dilation"),
    (lambda: conv.convolve2d(np.ones((2, 2)), np.ones((3, 3))), "larger"),
    (lambda: backprop.chain_shapes(4, 3, 3, "valid"), "k₁ + k₂"),
    (lambda: backprop.chain_shapes(4, 3, 3, "sideways"), "kind"),
    (lambda: softmax.reduce_logits([1.0]), "2"),
    (lambda: cnn.infer_shapes((3, 8, 8), [cnn.Conv2d(4, 9)]), "layer 1"),
    (lambda: cnn.infer_shapes((3, 8, 8), [cnn.Conv2d(4, 3, stride=0)]), "stride"),
    (lambda: cnn.infer_shapes((3, 8, 8), [cnn.MaxPool2d(9)]), "layer 1"),
    (lambda: cnn.infer_shapes((3, 0, 8), [cnn.ReLU()]), "input"),
    (lambda: losses.bce(0.0, 1.5), "[0, 1]"),
    (lambda: equivalence.forward(equivalence.random_net(2, 3, 1), np.ones((4, 3)), "sigmoid"),
     ""),
    (lambda: equivalence.forward(equivalence.random_net(1, 3, 1), np.ones((4, 1)), "relu"),
     "activation"),
])
def test_specific_messages(call, fragment):
    with pytest.raises(ValueError, match=None) as info:
        call()
    assert fragment in str(info.value)


def test_cnn_seed_numbers():
    shapes = cnn.infer_shapes(cnn.SEED_INPUT_SHAPE, cnn.SEED_NETWORK)
    assert shapes == [(32, 64, 64), (32, 32, 32), (64, 32, 32)]
    assert np.prod(shapes[-1]) == 65_536
    assert cnn.param_counts(cnn.SEED_INPUT_SHAPE, cnn.SEED_NETWORK)[-1] == 18_432
    with_bias = [*cnn.SEED_NETWORK[:2], cnn.Conv2d(64, 3, stride=1, padding=1, bias=True)]
    assert cnn.param_counts(cnn.SEED_INPUT_SHAPE, with_bias)[-1] == 18_496


@pytest.mark.parametrize("call", [
    lambda: conv.convolve([1e308, 1e308], [10.0, 10.0]),
    lambda: conv.conv_full([1e308], [-1e308]),
    lambda: conv.trace([1e308, 1e308], [2.0, 2.0]),
    lambda: conv.convolve2d(np.full((3, 3), 1e308), np.full((2, 2), 1e308)),
    lambda: conv.trace2d(np.full((3, 3), 1e308), np.full((2, 2), 3.0)),
    lambda: backprop.grad_h1([1e308, 1e308], [1e308, 1.0], "valid"),
    lambda: backprop.forward_chain([1e308] * 6, [1e308, 1e308], [2.0], "valid"),
    lambda: cnn.forward(np.full((1, 4, 4), 1e308), [cnn.Conv2d(1, 2)],
                        [np.full((1, 1, 2, 2), 1e308)]),
], ids=["convolve", "conv_full", "trace", "convolve2d", "trace2d", "grad_h1", "forward_chain",
        "cnn_forward"])
def test_overflow_is_a_value_error_never_inf(call):
    with pytest.raises(ValueError, match="overflows"):
        call()
