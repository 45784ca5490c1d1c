"""The views: each panel's state worked out without Qt, checked against independent oracles."""

import json
import subprocess
import sys
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from explorer.model import conv
from explorer.views import backprop, cnn, convolution, equivalence, loss, softmax
from explorer.views.fields import FieldError, field_value, from_json, to_json, with_field

VIEWS = {"loss": loss, "softmax": softmax, "equivalence": equivalence,
         "convolution": convolution, "backprop": backprop, "cnn": cnn}
STATES = {"loss": loss.LossState, "softmax": softmax.SoftmaxState,
          "equivalence": equivalence.EquivalenceState,
          "convolution": convolution.ConvolutionState, "backprop": backprop.BackpropState,
          "cnn": cnn.CnnState}


def test_views_run_without_qt():
    """Importing and computing every view loads neither Qt nor pyqtgraph."""
    code = (
        "import sys\n"
        "from explorer.views import backprop, cnn, convolution, equivalence, loss, softmax\n"
        "for m, s in ((loss, loss.LossState), (softmax, softmax.SoftmaxState),\n"
        "             (equivalence, equivalence.EquivalenceState),\n"
        "             (convolution, convolution.ConvolutionState),\n"
        "             (backprop, backprop.BackpropState)):\n"
        "    assert all(c.passed for c in m.compute(s()).checks())\n"
        "cnn.compute(cnn.CnnState())\n"
        "loaded = [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6',\n"
        "                                                         'pyqtgraph')]\n"
        "assert not loaded, loaded\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("name", [n for n in VIEWS if n != "cnn"])
def test_the_homework_example_passes_its_checks(name):
    view = VIEWS[name].compute(STATES[name]())
    checks = view.checks()
    assert len(checks) >= 3 and all(c.passed for c in checks), [c.summary() for c in checks]
    tables = view.tables()
    assert tables and all(header and rows for header, rows in tables.values())


@pytest.mark.parametrize("name", list(VIEWS))
def test_states_round_trip_through_json(name):
    state = STATES[name]()
    write = cnn.state_to_json if name == "cnn" else to_json
    read = cnn.state_from_json if name == "cnn" else (lambda d: from_json(STATES[name], d))
    data = json.loads(json.dumps(write(state), allow_nan=False))
    assert read(data) == state


def test_loss_view_matches_the_formulas():
    state = loss.LossState(y=0.3, marker=-2.5)
    view = loss.compute(state)
    f = 1 / (1 + np.exp(2.5))
    assert view.readout["f"] == pytest.approx(f, rel=1e-14)
    assert view.readout["gce"] == pytest.approx(f - 0.3, rel=1e-13)
    assert view.readout["gmse"] == pytest.approx(-2 * (0.3 - f) * f * (1 - f), rel=1e-13)
    assert view.grid.shape == (loss.GRID_POINTS,) and view.grid[0] == -10.0
    assert view.history["bce"]["a"].shape == (state.steps + 1,)


def test_a_view_reuses_what_did_not_change():
    first = loss.compute(loss.LossState())
    moved = loss.compute(replace(first.state, marker=1.0), first)
    assert moved.grid is first.grid and moved.history is first.history
    assert moved.readout is not first.readout
    shifted = softmax.compute(replace(softmax.SoftmaxState(), shift=700.0),
                              softmax.compute(softmax.SoftmaxState()))
    assert shifted.state.shift == 700.0 and np.isinf(shifted.naive_exp).sum() == 0


@pytest.mark.parametrize("name, change, field", [
    ("loss", {"y": 1.5}, "y"), ("loss", {"lr": 0.0}, "lr"),
    ("loss", {"a_min": 3.0, "a_max": 2.0}, "a_min"),
    ("softmax", {"logits": (1.0,)}, "logits"), ("softmax", {"temperature": -1.0}, "temperature"),
    ("softmax", {"shift": 2000.0}, "shift"),
    ("equivalence", {"M": 0}, "M"), ("equivalence", {"radius": -1.0}, "radius"),
    ("equivalence", {"mapping": "nope"}, "mapping"),
    ("backprop", {"seed": -1}, "seed"), ("backprop", {"upstream": "oracle"}, "upstream"),
    ("cnn", {"input_shape": (0, 8, 8)}, "channels"),
])
def test_a_refused_state_names_its_field(name, change, field):
    with pytest.raises(FieldError) as refused:
        VIEWS[name].compute(replace(STATES[name](), **change))
    assert refused.value.field == field
    assert refused.value.located().startswith(f"{field}: ")


def test_nested_fields_are_read_and_written_by_path():
    state = convolution.ConvolutionState()
    assert field_value(state, "two.stride") == 1
    moved = with_field(state, "two.stride", 2)
    assert moved.two.stride == 2 and moved.one == state.one and state.two.stride == 1
    with pytest.raises(FieldError) as refused:
        convolution.compute(with_field(state, "two.stride", 9))
    assert refused.value.field == "two.stride"


@pytest.mark.parametrize("data, message", [
    ({"y": "1"}, "y must be a number"), ({"steps": 2.5}, "steps must be a whole number"),
    ({"lr": True}, "lr must be a number"), ({"x": float("nan")}, "x must be a finite"),
])
def test_reading_a_state_names_the_field_at_fault(data, message):
    good = to_json(loss.LossState())
    with pytest.raises(ValueError, match=message):
        from_json(loss.LossState, good | data)
    missing = {k: v for k, v in good.items() if k != "marker"}
    with pytest.raises(ValueError, match="marker is missing"):
        from_json(loss.LossState, missing)
    assert from_json(loss.LossState, good | {"from_a_newer_version": 1}) == loss.LossState()


finite = st.floats(-20, 20, allow_nan=False).map(lambda v: round(v, 3))


@settings(max_examples=60, deadline=None)
@given(st.lists(finite, min_size=1, max_size=convolution.MAX_SIGNAL),
       st.lists(finite, min_size=1, max_size=convolution.MAX_KERNEL),
       st.sampled_from(["full", "same"]), st.booleans())
def test_convolution_1d_matches_numpy(x, w, mode, flip):
    one = convolution.Row1d(tuple(x), tuple(w), mode, flip)
    view = convolution.compute_1d(one)
    numpy_conv = np.convolve if flip else np.correlate
    full = numpy_conv(np.array(x), np.array(w), "full")
    if mode == "full":
        expected = full
    else:  # the middle d values, as scipy's "same" keeps them
        start = (len(w) - 1) // 2
        expected = full[start:start + len(x)]
    np.testing.assert_allclose(view.outputs, expected, atol=1e-9)
    np.testing.assert_allclose(view.scene.products.sum(axis=1), view.outputs, atol=1e-9)


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 8), st.integers(1, 8), st.integers(1, 3), st.integers(1, 3),
       st.integers(1, 3), st.integers(0, 2), st.integers(1, 2), st.booleans(),
       st.integers(0, 2**16))
def test_convolution_2d_matches_the_defining_sum(h, w, kh, kw, stride, padding, dilation, flip,
                                                 seed):
    try:
        conv.output_shape2d((h, w), (kh, kw), stride, padding, dilation)
    except ValueError:
        return
    rng = np.random.default_rng(seed)
    x, k = rng.integers(-5, 6, (h, w)).astype(float), rng.integers(-3, 4, (kh, kw)).astype(float)
    two = convolution.Grid2d(tuple(map(tuple, x)), tuple(map(tuple, k)), stride, padding,
                             dilation, flip)
    view = convolution.compute_2d(two)
    kernel = k[::-1, ::-1] if flip else k
    padded = np.pad(x, padding)
    rows, cols = view.outputs.shape
    for i in range(rows):
        for j in range(cols):
            window = padded[i * stride: i * stride + dilation * (kh - 1) + 1: dilation,
                            j * stride: j * stride + dilation * (kw - 1) + 1: dilation]
            assert view.outputs[i, j] == pytest.approx(float((window * kernel).sum()))


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(["valid", "full"]), st.integers(1, backprop.MAX_D),
       st.integers(1, backprop.MAX_K), st.integers(1, backprop.MAX_K), st.integers(0, 1000))
def test_backprop_gradient_three_ways(kind, d, k1, k2, seed):
    try:
        state = backprop.resized(backprop.BackpropState(), d, k1, k2, kind, seed=seed)
    except ValueError:
        assert kind == "valid" and (k1 > d or k1 + k2 > d + 1)
        return
    view = backprop.compute(state)
    h1, g, w2 = view.forward["h1"], view.g, np.array(state.w2)
    # Oracle: the Jacobian column by column, by the definition of each layer.
    a2 = np.convolve(h1, w2[::-1], "valid" if kind == "valid" else "full")
    assert view.forward["a2"] == pytest.approx(a2)
    grad = np.zeros(h1.size)
    for n in range(h1.size):
        nudged = h1.copy()
        nudged[n] += 1.0  # a2 is linear in h1: a unit step is the exact derivative
        step = np.convolve(nudged, w2[::-1], "valid" if kind == "valid" else "full") - a2
        grad[n] = step @ g
    np.testing.assert_allclose(view.grad_h1["formula"], grad, atol=1e-9)
    assert all(c.passed for c in view.checks())


def test_cnn_view_counts_the_homework_network():
    view = cnn.compute(cnn.CnnState())
    assert [d["output_shape"] for d in view.details] == [(32, 64, 64), (32, 32, 32),
                                                          (64, 32, 32)]
    first, _, last = cnn.cnn.SEED_NETWORK
    assert view.rows[-1]["weights"] == (first.out_channels * 3 * first.kernel_size ** 2
                                        + last.out_channels * 32 * last.kernel_size ** 2)
    assert cnn.rows_to_csv(view.rows).splitlines()[0] == \
        "layer,output_shape,weights,biases,activations,macs"
    bad = cnn.compute(replace(cnn.CnnState(), layers=(cnn.Conv2d(4, 200),)))
    assert bad.check.failing_index == 0 and bad.valid == () and bad.selection is None
