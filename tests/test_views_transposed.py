"""The transposed-convolution tab's view (explorer/views/transposed.py), without Qt.

The oracle is written here from the definition: every input entry g[i, j] adds g[i, j]·w[a, b]
at row i·s + a·d − p and column j·s + b·d − p, kept when that lands inside the output; and
the forward convolution's matrix is built from its defining sum, one entry at a time.
"""

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from explorer.model import conv
from explorer.views import convolution, transposed
from explorer.views.fields import FieldError, as_tuple
from explorer.views.transposed import PRESETS, Transposed, compute, preset


def stamps(g, w, s, p, d, op):
    """conv_transpose2d from its definition, and the number of stamps on each output cell."""
    (h, wd), (kh, kw) = g.shape, w.shape
    size = [(n - 1) * s - 2 * p + d * (k - 1) + op + 1 for n, k in ((h, kh), (wd, kw))]
    out, counts = np.zeros(size), np.zeros(size, dtype=int)
    for i in range(h):
        for j in range(wd):
            for a in range(kh):
                for b in range(kw):
                    r, c = i * s + a * d - p, j * s + b * d - p
                    if 0 <= r < size[0] and 0 <= c < size[1]:
                        out[r, c] += g[i, j] * w[a, b]
                        counts[r, c] += 1
    return out, counts


def forward_matrix(shape, w, s, p, d):
    """C with conv(X).ravel() = C @ X.ravel(): the cross-correlation's sum, entry by entry."""
    (h, wd), (kh, kw) = shape, w.shape
    oh = (h + 2 * p - d * (kh - 1) - 1) // s + 1
    ow = (wd + 2 * p - d * (kw - 1) - 1) // s + 1
    c = np.zeros((oh * ow, h * wd))
    for y in range(oh):
        for z in range(ow):
            for a in range(kh):
                for b in range(kw):
                    r, col = y * s + a * d - p, z * s + b * d - p
                    if 0 <= r < h and 0 <= col < wd:
                        c[y * ow + z, r * wd + col] += w[a, b]
    return c


def test_the_default_is_the_2d_tabs_layer_carried_back():
    view = compute(Transposed())
    # The 2-D tab's 5 x 5 input and 3 x 3 kernel give a 3 x 3 output: g has that shape and
    # the gradient the input's.
    assert np.shape(Transposed().g) == conv.convolve2d(conv.SEED_GRID, conv.SEED_KERNEL2D).shape
    assert view.outputs.shape == conv.SEED_GRID.shape and view.forward == (3, 3)
    expected, counts = stamps(np.array(conv.SEED_UPSTREAM2D), np.array(conv.SEED_KERNEL2D),
                              1, 0, 1, 0)
    np.testing.assert_array_equal(view.outputs, expected)
    np.testing.assert_array_equal(view.counts, counts)
    assert view.formulas(tex=False) == ["o = (3 − 1)·1 − 2·0 + 1·(3 − 1) + 0 + 1 = 5"]
    assert [c.passed for c in view.checks()] == [True] * 4
    assert view.frames() == 9
    assert view.scatter.captions[1] == "g₁,₂ = 2 adds 2·w to rows 1–3, columns 2–4"


whole = st.integers(-3, 3).map(float)


@st.composite
def cases(draw):
    h, wd = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    kh, kw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    s, d = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    op = draw(st.integers(0, max(s, d) - 1))
    p = draw(st.integers(0, 3))
    g = np.array(draw(st.lists(st.lists(whole, min_size=wd, max_size=wd), min_size=h,
                               max_size=h)))
    w = np.array(draw(st.lists(st.lists(whole, min_size=kw, max_size=kw), min_size=kh,
                               max_size=kh)))
    return g, w, s, p, d, op


@settings(max_examples=150, deadline=None)
@given(cases())
def test_every_picture_and_check_agrees_with_the_definition(case):
    g, w, s, p, d, op = case
    state = Transposed(g=as_tuple(g), w=as_tuple(w), stride=s, padding=p,
                       dilation=d, output_padding=op)
    size = [(n - 1) * s - 2 * p + d * (k - 1) + op + 1
            for n, k in zip(g.shape, w.shape, strict=True)]
    if min(size) <= 0 or max(size) > transposed.MAX_OUTPUT:
        with pytest.raises(FieldError) as refused:
            compute(state)
        assert refused.value.field == ("three.padding" if min(size) <= 0 else "three")
        return
    expected, counts = stamps(g, w, s, p, d, op)
    view = compute(state)
    np.testing.assert_array_equal(view.outputs, expected)  # small integers: exact
    np.testing.assert_array_equal(view.counts, counts)
    c = forward_matrix(expected.shape, w, s, p, d)
    np.testing.assert_array_equal(view.matrix, c)
    # The adjoint: ⟨C X, g'⟩ = ⟨X, Cᵀ g'⟩, with g' = g in the forward output's shape.
    assert view.g_forward.shape == view.forward and c.shape[0] == np.prod(view.forward)
    np.testing.assert_array_equal(view.matrix.T @ view.g_forward.ravel(), expected.ravel())
    np.testing.assert_allclose(view.differences, expected, atol=1e-9)
    np.testing.assert_array_equal(view.gathered, expected)
    scene = view.scatter
    np.testing.assert_array_equal(scene.partials[-1], expected)
    assert scene.reached[-1].sum() == (counts > 0).sum()
    np.testing.assert_array_equal(view.ones.partials[-1], counts)
    # The canvas is the output plus what the padding cut: p on the top and left.
    assert scene.crop == (p, p)
    assert scene.canvas[0] - p >= expected.shape[0]
    assert view.transpose.values.shape == (expected.size, view.g_forward.size)
    assert view.frames() == (expected.size if state.picture == "gather" else g.size)
    assert all(check.passed for check in view.checks())


@pytest.mark.parametrize("name", list(PRESETS))
def test_each_preset_has_the_size_conv_arithmetic_gives(name):
    side, k, s, p, op, ones = PRESETS[name]
    view = compute(Transposed(**preset(name)))
    # conv_arithmetic names each case by its forward convolution: the transposed output is
    # the forward input, and its forward output is g's size again.
    (h, _), i = view.outputs.shape, side
    assert h == (i - 1) * s - 2 * p + (k - 1) + op + 1
    assert conv.output_shape2d(view.outputs.shape, (k, k), s, p, 1) == (side, side)
    assert all(c.passed for c in view.checks())
    if ones:
        np.testing.assert_array_equal(view.outputs, view.counts)


def test_the_checkerboard_presets_differ_in_evenness():
    uneven = compute(Transposed(**preset("checkerboard: k 3, s 2"))).counts
    even = compute(Transposed(**preset("even: k 4, s 2"))).counts
    inner = even[1:-1, 1:-1]
    assert set(np.unique(uneven)) == {1, 2, 4}
    assert inner.min() == inner.max() == 4


@settings(max_examples=80, deadline=None)
@given(st.integers(1, 5), st.integers(1, 4), st.integers(1, 3))
def test_even_inside_says_whether_the_bulk_of_the_counts_is_uniform(k, s, d):
    counts = conv.overlap_counts2d((30, 30), (k, k), s, 0, d)
    span = d * (k - 1)
    bulk = counts[span:counts.shape[0] - span, span:counts.shape[1] - span]
    assert bulk.size
    assert transposed.even_inside((k, k), s, d) == (bulk.min() == bulk.max())


def test_the_matrix_picture_steps_through_every_column_of_c_transposed():
    view = compute(Transposed(g=((1.0, 2.0), (3.0, 4.0)), w=((1.0, 1.0), (1.0, 1.0)),
                              dilation=2, output_padding=1, picture="matrix"))
    assert view.forward == (3, 3) and view.frames() == 9 == view.transpose.values.shape[1]


@pytest.mark.parametrize("change, field, words", [
    ({"output_padding": 1}, "three.output_padding", "output_padding 0"),
    ({"stride": 2, "output_padding": 2}, "three.output_padding", "0 to 1"),
    ({"padding": 3}, "three.padding", "padding ≤ 2"),
    ({"stride": 4, "g": ((1.0,) * 5,) * 5}, "three", "at most 12 × 12"),
    ({"stride": 0}, "three.stride", "stride"),
    ({"dilation": 4}, "three.dilation", "at most 3"),
    ({"w": ((1.0,) * 5,) * 5}, "three.w", "at most 4 × 4"),
    ({"picture": "sideways"}, "three.picture", "scatter"),
])
def test_a_refusal_names_the_field_and_the_valid_range(change, field, words):
    with pytest.raises(FieldError) as refused:
        compute(replace(Transposed(), **change))
    assert refused.value.field == field and words in str(refused.value)


def test_the_tab_shows_its_own_checks_and_every_tab_its_tables():
    state = replace(convolution.ConvolutionState(), view="transposed")
    view = convolution.compute(state)
    assert [c.name for c in view.checks()] == [c.name for c in view.three.checks()]
    assert "transposed: output = ∂L/∂X" in view.tables() and "2-D output" in view.tables()
    header, rows = view.tables()["transposed: output = ∂L/∂X"]
    np.testing.assert_array_equal(np.array([r[1:] for r in rows]), view.three.outputs)
