import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QFontMetrics

from explorer.model import backprop as bp
from explorer.panels.backprop import BackpropPanel
from explorer.views.backprop import BackpropState
from explorer.widgets.cell_matrix import NEGATIVE_COLOR, POSITIVE_COLOR
from explorer.widgets.cell_style import OUTPUT_FILL, STEP_COLOR
from explorer.widgets.index_plot import IndexPlot, SeriesStyle, nice_ticks
from tests.conftest import type_into
from tests.pixels import image_array, on_screen, pixel

PANEL = BackpropPanel

# --- independent oracles: numpy and loops, never explorer.model -------------------------------


def forward(x, w1, w2, kind):
    """Q5's chain with numpy's correlation (no flip), as the homework defines * and ~*."""
    a1 = np.correlate(x, w1, kind)
    h1 = np.maximum(a1, 0.0)
    return a1, h1, np.correlate(h1, w2, kind)


def jacobian_by_loops(w2, len_h1, kind):
    k2 = len(w2)
    rows = len_h1 - k2 + 1 if kind == "valid" else len_h1 + k2 - 1
    jac = np.zeros((rows, len_h1))
    for i in range(rows):
        for n in range(len_h1):
            j = n - i + (0 if kind == "valid" else k2 - 1)  # 0-based tap (5.2 / 5.5)
            if 0 <= j < k2:
                jac[i, n] = w2[j]
    return jac


def grad_h1_numpy(g, w2, kind):
    # Sliding flip(w2) without flipping is convolving with w2: np.convolve does exactly that.
    return np.convolve(g, w2, "full" if kind == "valid" else "valid")


def grad_w2_by_loops(h1, g, k2, kind):
    shift = 0 if kind == "valid" else k2 - 1
    out = np.zeros(k2)
    for j in range(k2):
        for i in range(len(g)):
            m = i + j - shift
            if 0 <= m < len(h1):
                out[j] += g[i] * h1[m]
    return out


def arrays(state):
    return (np.array(state.x), np.array(state.w1), np.array(state.w2), np.array(state.g),
            np.array(state.t))




def near(rgb, expected, tolerance=14):
    return all(abs(a - b) <= tolerance for a, b in zip(rgb, expected, strict=True))


def over(color: str, alpha: int, under=(255, 255, 255)) -> tuple[int, int, int]:
    c = QColor(color)
    a = alpha / 255
    return tuple(round(u + (v - u) * a) for v, u in zip((c.red(), c.green(), c.blue()), under,
                                                       strict=True))


def corner(rect):
    """A point inside a cell, away from its centred number and its border."""
    return QPointF(rect.left() + 0.2 * rect.width(), rect.top() + 0.2 * rect.height())


def assert_shows(panel, state):
    """Every view shows ``state``, each value recomputed here with numpy and loops."""
    x, w1, w2, g, t = arrays(state)
    kind = state.kind
    a1, h1, a2 = forward(x, w1, w2, kind)
    if state.upstream == "target":
        g = a2 - t
    jac = jacobian_by_loops(w2, h1.size, kind)
    expected = grad_h1_numpy(g, w2, kind)
    np.testing.assert_allclose(jac.T @ g, expected, atol=1e-12)
    scene = panel.row_view.scene()
    left = w2.size - 1 if kind == "valid" else 0
    np.testing.assert_array_equal(scene.cells, np.pad(g, left))
    assert scene.ghost.sum() == 2 * left
    np.testing.assert_array_equal(scene.kernel, w2[::-1])
    np.testing.assert_allclose(scene.outputs, expected, atol=1e-12)
    matrix = panel.matrix_view.scene()
    np.testing.assert_array_equal(matrix.values, jac)
    np.testing.assert_array_equal(matrix.band, jacobian_by_loops(np.ones(w2.size), h1.size,
                                                                 kind) == 1)
    for key in ("jacobian", "formula"):
        np.testing.assert_allclose(panel.grad_plot.series(key), expected, atol=1e-12)
        np.testing.assert_allclose(panel.w2_plot.series(key),
                                   grad_w2_by_loops(h1, g, w2.size, kind), atol=1e-12)
    panel.run_checks()
    np.testing.assert_allclose(panel.grad_plot.series("numeric"), expected, atol=1e-8)
    np.testing.assert_allclose(panel.w2_plot.series("numeric"),
                               grad_w2_by_loops(h1, g, w2.size, kind), atol=1e-8)
    checks = panel.last_checks()
    assert len(checks) == 5 and all(c.passed for c in checks), [c.summary() for c in checks]
    assert panel.playback.count() == h1.size
    return a1, h1, a2, g


# --- the default example ---------------------------------------------------------------------


def test_default_is_the_seeded_valid_chain(panel):
    state = panel.state
    assert state == BackpropState()
    assert (state.d, state.k1, state.k2, state.kind, state.seed) == (8, 3, 3, "valid", bp.SEED)
    x, w1, w2, g, _ = arrays(state)
    assert np.all(x == np.round(x)) and np.abs(x).max() <= 3 and np.abs(w2).max() <= 2
    a1, h1, a2, g = assert_shows(panel, state)
    # 5.1: |a1| = d - k1 + 1 = 6 and |a2| = d - k1 - k2 + 2 = 4.
    assert a1.size == 6 and a2.size == 4
    assert panel.matrix_view.scene().values.shape == (4, 6)
    assert "8 − 3 + 1 = 6" in panel.shape_one.toolTip()
    assert "8 − 3 − 3 + 2 = 4" in panel.shape_two.toolTip()
    assert panel.shape_two.toolTip() == "|a²| = d − k₁ − k₂ + 2 = 8 − 3 − 3 + 2 = 4"
    assert "<i>k</i><sub>2</sub>" in panel.shape_two.text()
    assert "k₁ + k₂ ≤ d + 1" in panel.shape_note.toPlainText()
    # The ReLU has something to do in the default example.
    assert np.any(a1 < 0) and np.any(h1 == 0)
    # A new setting is shown finished: the window sits on the last entry, its column lit.
    assert panel.frame() == 5 and panel.row_view.frame() == 5 and panel.matrix_view.frame() == 5
    text = panel.forward_text.text()
    assert f"h¹ = ReLU(a¹) = [{', '.join(f'{v:g}' for v in h1)}]" in text
    assert all(v.isVisible() for v in panel.kind_formulas["valid"])
    assert not any(v.isVisible() for v in panel.kind_formulas["full"])


def test_jacobian_tooltips_name_the_tap(panel):
    view = panel.matrix_view
    w2 = np.array(panel.state.w2)
    # 1-based i = 2, n = 3: tap n - i + 1 = 2.
    text = view.tooltip_at(view.cell_rect(1, 2).center())
    assert text.startswith("∂a²₂/∂h¹₃ = w²ₙ₋ᵢ₊₁ = w²₂ = ")
    assert text.splitlines()[0].endswith(f"{w2[1]:g}".replace("-", "−"))
    outside = view.tooltip_at(view.cell_rect(0, 4).center())
    assert outside.startswith("∂a²₁/∂h¹₅ = 0: outside the band")
    assert "a²₁ only reads h¹₁ … h¹₃" in outside
    assert view.tooltip_at(QPointF(1, 1)) == ""
    panel.kind_box.setCurrentText("full")
    text = view.tooltip_at(view.cell_rect(3, 2).center())
    # Full chain, 1-based i = 4, n = 3: tap n - i + k2 = 2.
    assert text.startswith("∂a²₄/∂h¹₃ = w²ₙ₋ᵢ₊ₖ₂ = w²₂ = ")


def test_jacobian_heatmap_pixels(panel):
    view = panel.matrix_view
    jac = view.scene().values
    assert view.shows_values()
    level = np.abs(jac).max()
    lit = view.frame()
    # Colour = the sign's colour over white, more opaque the larger |J|: the strongest entry at
    # 30 + 200 = 230 of 255, the others in proportion; a zero stays white.
    for value in (jac.min(), jac.max()):
        i, n = next((i, n) for i, n in np.argwhere(jac == value) if n != lit)
        color = POSITIVE_COLOR if value > 0 else NEGATIVE_COLOR
        alpha = round(30 + 200 * abs(value) / level)
        assert near(pixel(view, corner(view.cell_rect(i, n))), over(color, alpha))
    i, n = next((i, n) for i, n in np.argwhere(~view.scene().band) if n != lit)
    assert near(pixel(view, corner(view.cell_rect(i, n))), (255, 255, 255))
    # The lit column is framed, not tinted: its cells keep the map's colours.
    blank = [i for i in range(jac.shape[0]) if jac[i, lit] == 0][0]
    assert near(pixel(view, corner(view.cell_rect(blank, lit))), (255, 255, 255))
    i = next(i for i in range(jac.shape[0]) if jac[i, lit] != 0)
    color = POSITIVE_COLOR if jac[i, lit] > 0 else NEGATIVE_COLOR
    alpha = round(30 + 200 * abs(jac[i, lit]) / level)
    assert near(pixel(view, corner(view.cell_rect(i, lit))), over(color, alpha))
    frame = view.cell_rect(0, lit)
    assert near(pixel(view, QPointF(frame.left() - 0.5, frame.center().y())),
                tuple(QColor(STEP_COLOR).getRgb()[:3]), 40)


# --- controls ----------------------------------------------------------------------------------


def test_changing_k2_reshapes_the_heatmap(panel, qtbot):
    type_into(qtbot, panel.k2_input, "4")
    state = panel.state
    assert state.k2 == 4 and len(state.g) == 3 and len(state.t) == 3
    # Only the vectors whose length changed are drawn again; x and w1 stay.
    assert state.x == BackpropState().x and state.w1 == BackpropState().w1
    assert panel.matrix_view.scene().values.shape == (3, 6)
    assert_shows(panel, state)
    assert "8 − 3 − 4 + 2 = 3" in panel.shape_two.toolTip()
    assert panel.w2_input.value().size == 4 and panel.g_input.value().size == 3
    type_into(qtbot, panel.k2_input, "1")
    assert panel.matrix_view.scene().values.shape == (6, 6)
    np.testing.assert_array_equal(panel.matrix_view.scene().values,
                                  np.eye(6) * panel.state.w2[0])


def test_full_chain(panel):
    panel.kind_box.setCurrentText("full")
    state = panel.state
    assert state.kind == "full" and len(state.g) == 12
    a1, h1, a2, g = assert_shows(panel, state)
    # 5.4: |a1| = d + k1 - 1 = 10 and |a2| = d + k1 + k2 - 2 = 12 (not the text's 13).
    assert a1.size == 10 and a2.size == 12
    assert "8 + 3 + 3 − 2 = 12" in panel.shape_two.toolTip()
    note = panel.shape_note.toPlainText()
    assert "5.4 says d + k₁ + k₂ − 1" in note and "one more than the 12 entries" in note
    assert not panel.row_view.scene().ghost.any()
    assert all(v.isVisible() for v in panel.kind_formulas["full"])
    assert not any(v.isVisible() for v in panel.kind_formulas["valid"])
    assert r"\ast \mathrm{flip}(w^2)" in panel.kind_formulas["full"][1].tex()
    # Every column of the full chain's J holds the whole flipped kernel.
    jac = panel.matrix_view.scene().values
    for n in range(jac.shape[1]):
        np.testing.assert_array_equal(jac[n:n + 3, n], np.array(state.w2)[::-1])


def test_target_upstream_gradient(panel, qtbot):
    panel.upstream_box.setCurrentIndex(1)
    state = panel.state
    assert state.upstream == "target"
    x, w1, w2, _, t = arrays(state)
    _, _, a2, g = assert_shows(panel, state)
    np.testing.assert_array_equal(panel.g_input.value(), a2 - t)
    assert not panel.g_input.isEnabled() and panel.t_input.isEnabled()
    assert f"L = ½‖a² − t‖² = {0.5 * np.sum((a2 - t) ** 2):g}" in panel.forward_text.text()
    type_into(qtbot, panel.t_input, "0 0 0 0")
    assert panel.state.t == (0.0, 0.0, 0.0, 0.0)
    assert_shows(panel, panel.state)
    np.testing.assert_array_equal(panel.g_input.value(), a2)


def test_random_sizes_both_kinds(panel, qtbot):
    """Random d, k1, k2 through the controls; every view against numpy (or a clear refusal)."""
    rng = np.random.default_rng(7)
    shown = 0
    for _ in range(12):
        kind = str(rng.choice(["valid", "full"]))
        d, k1, k2 = int(rng.integers(1, 13)), int(rng.integers(1, 6)), int(rng.integers(1, 6))
        panel.kind_box.setCurrentText("full")  # any sizes are fine in the full chain
        for field, value in ((panel.d_input, d), (panel.k1_input, k1), (panel.k2_input, k2)):
            type_into(qtbot, field, str(value))
        panel.kind_box.setCurrentText(kind)
        fits = kind == "full" or (k1 <= d and k1 + k2 <= d + 1)
        assert panel.state.kind == (kind if fits else "full")
        assert (panel.state.d, panel.state.k1, panel.state.k2) == (d, k1, k2)
        if not fits:
            assert "valid chain needs" in panel.refusal.text()
            continue
        shown += 1
        len_h1 = d - k1 + 1 if kind == "valid" else d + k1 - 1
        len_a2 = len_h1 - k2 + 1 if kind == "valid" else len_h1 + k2 - 1
        assert panel.matrix_view.scene().values.shape == (len_a2, len_h1)
        assert_shows(panel, panel.state)
    assert shown >= 6


def test_typing_a_longer_input_resizes_the_chain(panel, qtbot):
    type_into(qtbot, panel.x_input, "1 2 3 4 5 6 7 8 9 10")
    state = panel.state
    assert state.d == 10 and panel.d_input.value() == 10
    assert state.x == tuple(float(v) for v in range(1, 11))
    assert len(state.g) == 10 - 3 - 3 + 2
    # The slider runs from 1 to 12.
    assert panel.d_input.slider().value() == round((10 - 1) / (12 - 1) * 1000)
    assert_shows(panel, state)


def test_editing_x_leaves_the_backward_pass_alone(panel, qtbot):
    """h1 feeds only the kernel's gradient: the sliding window and J stay as they are."""
    panel.advance()
    panel.advance()
    row, matrix = panel.row_view.scene(), panel.matrix_view.scene()
    type_into(qtbot, panel.x_input, "1 1 1 1 1 1 1 1")
    assert panel.row_view.scene() is row and panel.matrix_view.scene() is matrix
    assert panel.frame() == 1
    assert_shows(panel, panel.state)


def test_seed_draws_new_small_integers(panel, qtbot):
    before = panel.state
    qtbot.mouseClick(panel.draw_button, Qt.MouseButton.LeftButton)
    state = panel.state
    assert state.seed == bp.SEED + 1 and panel.seed_input.value() == bp.SEED + 1
    assert state.x != before.x and len(state.x) == 8
    for values, bound in ((state.x, 3), (state.w1, 2), (state.w2, 2), (state.g, 2)):
        v = np.array(values)
        assert np.all(v == np.round(v)) and np.abs(v).max() <= bound
    assert_shows(panel, state)
    type_into(qtbot, panel.seed_input, str(bp.SEED))
    assert panel.state == BackpropState()


# --- bad input ---------------------------------------------------------------------------------


def test_valid_chain_constraint_is_explained(panel, qtbot):
    before = panel.state
    scene = panel.matrix_view.scene()
    type_into(qtbot, panel.d_input, "4")
    assert "valid chain needs k₁ + k₂ ≤ d + 1" in panel.d_input.error()
    assert "got k₁ + k₂ = 6 and d + 1 = 5" in panel.d_input.error()
    assert panel.state == before and panel.matrix_view.scene() is scene
    type_into(qtbot, panel.d_input, "2")
    assert "valid chain needs k₁ ≤ d" in panel.d_input.error()
    # The full chain takes any sizes; then going back to valid is what is refused.
    panel.kind_box.setCurrentText("full")
    assert panel.d_input.error() == "" and panel.state.kind == "full"
    type_into(qtbot, panel.d_input, "3")
    assert panel.state.d == 3 and panel.state.kind == "full"
    assert_shows(panel, panel.state)
    panel.kind_box.setCurrentText("valid")
    assert panel.kind_box.currentText() == "full" and panel.state.kind == "full"
    assert panel.refusal.isVisible()
    assert "valid chain needs k₁ + k₂ ≤ d + 1" in panel.refusal.text()
    type_into(qtbot, panel.d_input, "8")
    assert not panel.refusal.isVisible()


@pytest.mark.parametrize("field, text, message", [
    ("x_input", "1, abc", "entry 2: 'abc' is not a number"),
    ("w2_input", "1 2 3 4 5 6", "k₂ = 6: kernels of at most 5 taps fit on screen"),
    ("x_input", " ".join(["1"] * 13), "d = 13: at most 12 entries fit on screen"),
    ("g_input", "1 2 3", "g must have |a²| = 4 entries, got 3"),
    ("t_input", "1, nan", "entry 2: 'nan' is not a number"),
    ("d_input", "2.5", "must be a whole number"),
    ("k1_input", "9", "at most 5 here"),
    ("seed_input", "-1", "seed must be ≥ 0"),
])
def test_bad_input_shows_a_message_and_keeps_the_state(panel, qtbot, field, text, message):
    before = panel.state
    widget = getattr(panel, field)
    type_into(qtbot, widget, text)
    assert message in widget.error()
    assert panel.state == before
    np.testing.assert_array_equal(panel.matrix_view.scene().values,
                                  jacobian_by_loops(np.array(before.w2), 6, "valid"))


def test_a_refused_g_waits_until_it_fits_or_is_replaced(panel, qtbot):
    """g = [1, 2] is too short for |a²| = 4: it waits, with its message, while an edit that
    keeps |a²| is applied; a g of the right length replaces it."""
    type_into(qtbot, panel.g_input, "1 2")
    assert "|a²| = 4" in panel.g_input.error()
    type_into(qtbot, panel.w2_input, "1 0 -1")
    assert panel.state.w2 == (1.0, 0.0, -1.0) and panel.state.g == BackpropState().g
    assert "|a²| = 4" in panel.g_input.error() and panel.g_input.line_edit().text() == "1 2"
    # k₂ = 5 leaves |a²| = 8 - 3 - 5 + 2 = 2: the waiting g now fits and is applied with it.
    type_into(qtbot, panel.k2_input, "5")
    assert panel.state.k2 == 5 and panel.state.g == (1.0, 2.0)
    assert panel.g_input.error() == ""


# --- animation ---------------------------------------------------------------------------------


def test_stepping_fills_the_expected_gradient_entry(panel):
    x, w1, w2, g, _ = arrays(panel.state)
    expected = grad_h1_numpy(g, w2, "valid")
    view, matrix = panel.row_view, panel.matrix_view
    panel.advance()  # wraps from the last entry to the first
    assert panel.frame() == 0 and matrix.frame() == 0 and panel.playback.position() == 0
    padded = np.pad(g, 2)
    for n in range(expected.size):
        if n:
            panel.advance()
        assert panel.frame() == n and view.frame() == n and matrix.frame() == n
        window = padded[n:n + 3]
        assert view.caption().endswith(f"= {expected[n]:g}".replace("-", "−"))
        np.testing.assert_allclose(window @ w2[::-1], expected[n])
        # The window covers exactly the rows of column n that are non-zero in J.
        rows = np.flatnonzero(matrix.scene().band[:, n])
        np.testing.assert_array_equal(view.scene().windows[n] - 2, np.arange(n - 2, n + 1))
        assert set(rows) == {i for i in range(n - 2, n + 1) if 0 <= i < g.size}
    # Pixels: earlier entries are filled, the current one is tinted like its window.
    assert near(pixel(view, corner(view.output_rect(0))), QColor(OUTPUT_FILL).getRgb()[:3])
    assert near(pixel(view, corner(view.output_rect(5))), over(STEP_COLOR, 55))
    panel.advance()
    assert panel.frame() == 0
    assert near(pixel(view, corner(view.output_rect(3))), (255, 255, 255))


def test_keys_drive_playback(panel, qtbot):
    panel.setFocus()
    qtbot.keyClick(panel, Qt.Key.Key_Home)
    assert panel.frame() == 0 and panel.matrix_view.frame() == 0
    qtbot.keyClick(panel, Qt.Key.Key_Right)
    qtbot.keyClick(panel, Qt.Key.Key_Right)
    assert panel.frame() == 2 and panel.row_view.frame() == 2
    qtbot.keyClick(panel, Qt.Key.Key_Left)
    assert panel.frame() == 1 and panel.matrix_view.frame() == 1
    qtbot.keyClick(panel, Qt.Key.Key_End)
    assert panel.frame() == 5
    qtbot.keyClick(panel, Qt.Key.Key_Space)
    assert panel.playback.is_playing()
    qtbot.keyClick(panel, Qt.Key.Key_Space)
    assert not panel.playback.is_playing()


def test_timer_plays_the_animation(panel, qtbot):
    panel.playback.go_first()
    panel.playback._speed.setCurrentText("60 steps/s")
    panel.playback.play()
    qtbot.waitUntil(lambda: panel.frame() >= 3, timeout=3000)
    panel.playback.pause()
    assert not panel.playback.timer().isActive()
    assert panel.matrix_view.frame() == panel.frame()


def test_hovering_an_entry_lights_its_column(panel, qtbot):
    view = panel.row_view
    target = view.output_rect(2).center()
    qtbot.mouseMove(view, QPoint(int(target.x()), int(target.y())))
    qtbot.waitUntil(lambda: view.hovered() == 2, timeout=2000)
    assert panel.matrix_view.hover_column() == 2
    assert panel.matrix_view.caption().startswith("δ₃ = Σᵢ gᵢ Jᵢ₃")
    qtbot.mouseMove(view, QPoint(5, 5))
    qtbot.waitUntil(lambda: view.hovered() == -1, timeout=2000)
    assert panel.matrix_view.hover_column() == -1




@pytest.mark.parametrize("kind", ["valid", "full"])
def test_partial_repaints_match_a_full_render(panel, qtbot, kind):
    """A frame repaints only the columns that changed; nothing stale may remain."""
    panel.kind_box.setCurrentText(kind)
    qtbot.wait(10)
    for _ in range(panel.playback.count() + 2):  # through the wrap back to the first entry
        panel.advance()
        qtbot.wait(1)
        for view in (panel.matrix_view, panel.row_view):
            difference = np.abs(on_screen(view).astype(int) - image_array(view).astype(int))
            assert int((difference.sum(axis=2) > 30).sum()) == 0


def test_partial_repaints_after_edits_match_a_full_render(panel, qtbot):
    """Edits repaint only what changed (plot areas, titles, columns); nothing stale remains."""
    for i in range(7):
        panel.bench_change(i)
        panel.run_checks()
        qtbot.wait(1)
        for view in (panel.grad_plot, panel.w2_plot, panel.matrix_view, panel.row_view):
            difference = np.abs(on_screen(view).astype(int) - image_array(view).astype(int))
            assert int((difference.sum(axis=2) > 30).sum()) == 0, (i, view)


# --- the gradient plots ------------------------------------------------------------------------


@pytest.mark.parametrize("size", [(1280, 800), (1010, 720)])
def test_gradient_titles_keep_their_number_when_narrow(panel, qtbot, size):
    panel.resize(*size)
    qtbot.wait(1)
    panel.run_checks()
    for plot, name in ((panel.grad_plot, "∇h¹L"), (panel.w2_plot, "∇w²L")):
        gap = plot.title().rsplit(" ", 1)[1]
        shown = plot.title_shown()
        # The full title where it fits, else the short one: the number is never cut.
        assert shown in (f"{name}: max disagreement {gap}", f"{name}: max |Δ| {gap}")
        metrics = QFontMetrics(plot._title_font)
        assert metrics.horizontalAdvance(shown) <= plot.width() - 2 * plot.MARGIN
        assert (shown == plot.title()) == (
            metrics.horizontalAdvance(plot.title()) <= plot.width() - 2 * plot.MARGIN)


def test_three_ways_drawn_on_top_of_each_other(panel):
    plot = panel.grad_plot
    panel.run_checks()
    assert plot.title().startswith("∇h¹L: max disagreement ")
    gap = float(plot.title().rsplit(" ", 1)[1])
    assert gap < 1e-8
    image = image_array(plot)
    expected = grad_h1_numpy(np.array(panel.state.g), np.array(panel.state.w2), "valid")
    for n, value in enumerate(expected):
        centre = plot.point("jacobian", n)
        assert abs(plot.map(n + 1, value).y() - centre.y()) < 1e-9
        x, y = int(round(centre.x())), int(round(centre.y()))
        # The circle (chain rule) is blue 7 px out; the + (finite differences) is green at the
        # centre, where the x (sliding kernel) crosses it too.
        ring = image[y - 9:y + 10, x - 9:x + 10].astype(int)
        r, gr, b = ring[..., 0], ring[..., 1], ring[..., 2]
        assert ((b - r > 60) & (b > 120)).sum() > 8
        assert ((gr - r > 50) & (gr - b > 10)).sum() > 3
        assert ((r - b > 80) & (r > 150)).sum() > 2


def test_plot_ranges_grow_and_shrink():
    styles = {"a": SeriesStyle("a", "#0072B2")}
    plot = IndexPlot("t", "n", "y", styles)
    plot.set_data({"a": np.array([1.0, -2.0, 3.0])}, refit=True)
    assert plot.x_range() == (0.5, 3.5)
    low, high = plot.y_range()
    assert low < -2 and high > 3
    plot.set_data({"a": np.array([1.0, 2.0])})
    assert plot.x_range() == (0.5, 3.5) and plot.y_range() == (low, high)  # stays put
    plot.set_data({"a": np.arange(1.0, 11.0)})
    assert plot.x_range() == (0.5, 10.5) and plot.y_range()[1] > 10
    plot.set_data({"a": np.array([0.1, 0.2])})  # a small part of the ranges: refit
    assert plot.x_range() == (0.5, 2.5) and plot.y_range()[1] < 2
    with pytest.raises(ValueError, match="unknown series"):
        plot.set_data({"b": np.zeros(2)})
    plot.deleteLater()


def test_nice_ticks():
    np.testing.assert_array_equal(nice_ticks(-4.7, 5.3), [-4, -2, 0, 2, 4])
    np.testing.assert_array_equal(nice_ticks(0, 1), [0, 0.2, 0.4, 0.6, 0.8, 1.0])
    assert nice_ticks(-1100, 120).tolist() == [-1000, -500, 0]
    assert nice_ticks(2, 2).tolist() == [2]


# --- reset and bench ---------------------------------------------------------------------------


def test_reset_restores_the_example(panel, qtbot):
    type_into(qtbot, panel.k2_input, "4")
    panel.kind_box.setCurrentText("full")
    panel.upstream_box.setCurrentIndex(1)
    type_into(qtbot, panel.x_input, "1 2 3")
    type_into(qtbot, panel.g_input, "oops")
    panel.playback.play()
    panel.reset()
    assert not panel.playback.is_playing()
    assert panel.state == BackpropState()
    assert panel.kind_box.currentText() == "valid" and panel.upstream_box.currentData() == "random"
    assert panel.d_input.value() == 8 and panel.k2_input.line_edit().text() == "3"
    assert panel.g_input.error() == "" and panel.g_input.isEnabled()
    np.testing.assert_array_equal(panel.x_input.value(), BackpropState().x)
    assert panel.frame() == 5
    assert_shows(panel, panel.state)


def test_bench_changes_keep_the_checks_green(panel):
    for i in range(12):
        panel.bench_change(i)
        assert_shows(panel, panel.state)
    assert panel.state == BackpropState()


def test_a_refused_size_leaves_the_slider_on_the_size_in_use(panel, qtbot):
    """d = 3 is refused (k1 + k2 > d + 1): the slider stays at d = 8, which the panel still
    shows; the typed 3 waits in its field, and a smaller k1 that makes it valid applies it."""
    slider = panel.d_input.slider()
    at_eight = slider.value()
    type_into(qtbot, panel.d_input, "3")
    assert panel.state.d == 8 and "d + 1" in panel.d_input.error()
    assert slider.value() == at_eight
    assert panel.d_input.line_edit().text() == "3"  # as typed, beside its message
    # Dragging the slider to 2 is refused the same way: it goes back.
    slider.setValue(slider_position(panel.d_input, 2))
    assert panel.state.d == 8 and slider.value() == at_eight
    assert "k₁ ≤ d" in panel.d_input.error()
    type_into(qtbot, panel.d_input, "3")
    type_into(qtbot, panel.k1_input, "1")  # 1 + 3 <= 3 + 1: the waiting d = 3 now fits
    assert (panel.state.d, panel.state.k1) == (3, 1)
    assert panel.d_input.error() == "" and slider.value() == slider_position(panel.d_input, 3)


def slider_position(field, value):
    low, high = field._range
    return round(field.slider().maximum() * (value - low) / (high - low))
