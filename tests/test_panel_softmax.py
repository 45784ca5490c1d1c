import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication

from explorer.panels.softmax import K_MAX, SoftmaxPanel, SoftmaxState
from tests.conftest import type_into
from tests.pixels import image_array

PANEL = SoftmaxPanel

SEED = np.array([2.0, 1.0, 0.1, -1.0])


def np_softmax(x):
    """Oracle: the textbook formula in extended precision (shifted so huge logits fit)."""
    x = np.asarray(x, dtype=np.longdouble)
    e = np.exp(x - x.max())
    return (e / e.sum()).astype(np.float64)


def np_jacobian(x):
    p = np_softmax(x)
    return np.diag(p) - np.outer(p, p)


def np_sigmoid(z):
    return 1.0 / (1.0 + np.exp(-np.asarray(z, dtype=np.float64)))


def bar_heights(bars):
    return np.asarray(bars.opts["height"], dtype=np.float64)


def table_column(panel, col):
    k = len(panel.state.logits)
    model = panel.table.model()
    assert model.rowCount() == k
    return [model.index(row, col).data() for row in range(k)]


def assert_shows(panel, x, temperature=1.0):
    """Every plot item shows what numpy says for logits ``x`` at temperature T."""
    u = np.asarray(x, dtype=np.float64) / temperature
    k = u.size
    p = np_softmax(u)
    np.testing.assert_array_equal(panel.logit_bars.opts["x"], np.arange(1, k + 1))
    np.testing.assert_array_equal(bar_heights(panel.logit_bars), x)
    np.testing.assert_allclose(bar_heights(panel.prob_bars), p, rtol=0, atol=1e-15)
    np.testing.assert_allclose(bar_heights(panel.reduced_bars),
                               np.concatenate([[0.0], u[1:] - u[0]]), rtol=0, atol=1e-15)
    np.testing.assert_allclose(panel.jac_image.image, np_jacobian(u), rtol=0, atol=1e-15)
    np.testing.assert_allclose(panel.fd_image.image, np_jacobian(u), rtol=0, atol=1e-9)
    assert panel.jac_image.image.shape == (k, k)
    labels = panel.logit_labels.labels()
    assert [(lx, ly) for lx, ly, _ in labels] == [(i + 1.0, x[i]) for i in range(k)]
    assert [t for _, _, t in labels] == [f"{v:.3g}".replace("-", "−") for v in x]
    for i in range(k):
        assert panel.handles[i].value() == pytest.approx(x[i])
        assert panel.handles[i].isVisible()
    assert not any(h.isVisible() for h in panel.handles[k:])
    assert all(c.passed for c in panel.checks())


def test_default_is_the_seed_example(panel):
    assert panel.state == SoftmaxState()
    np.testing.assert_array_equal(panel.state.logits, SEED)
    assert (panel.state.temperature, panel.state.shift) == (1.0, 0.0)
    assert_shows(panel, SEED)
    p = np_softmax(SEED)
    assert [t for _, _, t in panel.prob_labels.labels()] == [f"{v:.3g}" for v in p]
    assert panel.logits_input.line_edit().text() == "2, 1, 0.1, -1"
    assert panel.k_spin.value() == 4
    checks = panel.checks()
    assert len(checks) == 5 and all(c.passed for c in checks)
    assert [b.check().name for b in panel.checks_strip.badges()] == [c.name for c in checks]


def heatmap_texts(layer, k):
    """{(i, j): text} of the K x K cells and {i: text} of the side column, from positions."""
    cells, side = {}, {}
    for x, y, text in layer.labels():
        i = int(y - 0.5)
        if x < k:
            cells[i, int(x - 0.5)] = text
        else:
            side[i] = text
    return cells, side


def number(text):
    return float(text.replace("−", "-"))


def test_jacobian_cells_and_row_sums_show_the_matrix(panel):
    J = np_jacobian(SEED)
    cells, sums = heatmap_texts(panel.jac_labels, 4)
    assert len(cells) == 16 and len(sums) == 4
    for (i, j), text in cells.items():
        assert number(text) == pytest.approx(J[i, j], abs=5e-4)
    assert cells[0, 0] == "0.231" and cells[0, 1] == "−0.150"
    # Row sums are 0 up to rounding.
    assert all(abs(number(t)) < 1e-15 for t in sums.values())
    fd_cells, diffs = heatmap_texts(panel.fd_labels, 4)
    assert fd_cells == cells
    largest = max(number(t) for t in diffs.values())
    assert 0 < largest < 1e-8
    assert "max |Δ|" in panel.fd_plot.getPlotItem().titleLabel.text


def test_typing_logits_moves_bars_and_heatmap(panel, qtbot):
    type_into(qtbot, panel.logits_input, "0.5, -2, 3, 1, 1")
    x = np.array([0.5, -2.0, 3.0, 1.0, 1.0])
    assert panel.state.logits == tuple(x)
    assert panel.k_spin.value() == 5
    assert_shows(panel, x)
    assert panel.table.model().rowCount() == 5


def test_k_spin_truncates_or_appends_zeros(panel):
    panel.k_spin.setValue(6)
    assert panel.state.logits == (2.0, 1.0, 0.1, -1.0, 0.0, 0.0)
    assert_shows(panel, np.array(panel.state.logits))
    assert panel.logits_input.line_edit().text() == "2, 1, 0.1, -1, 0, 0"
    panel.k_spin.setValue(2)
    assert panel.state.logits == (2.0, 1.0)
    assert_shows(panel, np.array([2.0, 1.0]))


def test_two_classes_marks_z_on_the_sigmoid(panel, qtbot):
    type_into(qtbot, panel.logits_input, "0.3, 1.8")
    z = 0.3 - 1.8
    assert panel.z_line.value() == pytest.approx(z, abs=1e-15)
    xs, ys = panel.z_dots.getData()
    np.testing.assert_allclose(xs, [z, z])
    np.testing.assert_allclose(ys, [np_sigmoid(z), np_sigmoid(-z)], rtol=1e-14)
    # The bars match the sigmoid dots.
    np.testing.assert_allclose(bar_heights(panel.prob_bars), ys, rtol=1e-14)
    _, sigma_dot_y = panel.sigma_dots.getData()
    np.testing.assert_allclose(sigma_dot_y, ys, rtol=1e-14)
    grid, curve = panel.sigmoid_curve.getData()
    np.testing.assert_allclose(curve, np_sigmoid(grid), rtol=1e-14)
    assert "σ(z)" in panel.sigmoid_plot.getPlotItem().titleLabel.text
    assert panel.checks()[1].name.startswith("p = [σ(z)")


def test_more_classes_show_class_one_against_the_rest(panel):
    z = SEED[0] - np.log(np.sum(np.exp(SEED[1:])))
    assert panel.z_line.value() == pytest.approx(z, rel=1e-14)
    _, ys = panel.z_dots.getData()
    assert ys[0] == pytest.approx(np_softmax(SEED)[0], rel=1e-14)
    assert "rest" in panel.sigmoid_plot.getPlotItem().titleLabel.text


def test_shift_leaves_p_unchanged_and_breaks_the_naive_formula(panel, qtbot):
    p_before = bar_heights(panel.prob_bars).copy()
    ranges_before = [plot.viewRange() for plot in
                     (panel.logits_plot, panel.prob_plot, panel.reduced_plot, panel.jac_plot)]
    type_into(qtbot, panel.shift_input, "709")
    assert panel.state.shift == 709
    np.testing.assert_array_equal(bar_heights(panel.prob_bars), p_before)
    _, shifted_p = panel.shift_dots.getData()
    np.testing.assert_allclose(shifted_p, np_softmax(SEED), rtol=0, atol=1e-12)
    v = SEED + 709
    overflow = v > np.log(np.finfo(np.float64).max)
    assert overflow.tolist() == [True, True, False, False]
    naive = table_column(panel, 1)
    assert [t == "inf" for t in naive] == overflow.tolist()
    assert float(naive[3]) == pytest.approx(np.exp(v[3]), rel=5e-4)
    # inf / inf is NaN; a finite e^v over an infinite total is 0.
    assert table_column(panel, 3) == ["NaN", "NaN", "0", "0"]
    np.testing.assert_allclose([float(t) for t in table_column(panel, 4)], np_softmax(SEED),
                               rtol=5e-4)
    np.testing.assert_allclose([float(t) for t in table_column(panel, 2)],
                               np.exp(SEED - SEED.max()), rtol=5e-4)
    status = panel.shift_status.text()
    assert "inf" in status and "2 of 4" in status and "NaN" in status
    assert ranges_before == [plot.viewRange() for plot in
                             (panel.logits_plot, panel.prob_plot, panel.reduced_plot,
                              panel.jac_plot)]
    type_into(qtbot, panel.shift_input, "-1000")
    assert table_column(panel, 1) == ["0"] * 4
    assert "underflows" in panel.shift_status.text()
    np.testing.assert_array_equal(bar_heights(panel.prob_bars), p_before)
    assert all(c.passed for c in panel.checks())


def test_reduced_logits_have_the_same_softmax(panel, qtbot):
    type_into(qtbot, panel.logits_input, "-3, 4, 0.25")
    x = np.array([-3.0, 4.0, 0.25])
    np.testing.assert_allclose(bar_heights(panel.reduced_bars), [0.0, 7.0, 3.25])
    np.testing.assert_array_equal(bar_heights(panel.original_bars), x)
    _, reduced_p = panel.reduced_dots.getData()
    np.testing.assert_allclose(reduced_p, np_softmax(x), rtol=1e-14)
    assert [t for _, _, t in panel.reduced_labels.labels()] == ["0", "7", "3.25"]


def test_temperature_divides_the_logits(panel, qtbot):
    type_into(qtbot, panel.temperature_input, "2")
    assert panel.state.temperature == 2.0
    assert_shows(panel, SEED, temperature=2.0)
    assert panel.scaled_dots.isVisible()
    _, scaled = panel.scaled_dots.getData()
    np.testing.assert_allclose(scaled, SEED / 2)
    assert "x/T" in panel.prob_plot.getPlotItem().titleLabel.text
    type_into(qtbot, panel.temperature_input, "1")
    assert not panel.scaled_dots.isVisible()
    assert "x/T" not in panel.prob_plot.getPlotItem().titleLabel.text


BAD_LOGITS = [
    ("abc", "not a number"), ("1, nan", "entry 2"), ("inf, 2", "finite"),
    ("", "type 2 to 10 logits"),
    ("3", "2 to 10"), ("1 2 3 4 5 6 7 8 9 10 11", "2 to 10"),
]


def test_bad_logits_show_a_message_and_keep_state(panel, qtbot):
    before = bar_heights(panel.prob_bars).copy()
    for text, message in BAD_LOGITS:
        type_into(qtbot, panel.logits_input, text)
        assert message in panel.logits_input.error(), text
        assert panel.state == SoftmaxState()
        np.testing.assert_array_equal(bar_heights(panel.prob_bars), before)
    type_into(qtbot, panel.logits_input, "1, 2")
    assert panel.logits_input.error() == ""
    assert panel.state.logits == (1.0, 2.0)


def test_bad_temperature_shows_a_message(panel, qtbot):
    for text, message in [("0", "> 0"), ("-1", "> 0"), ("abc", "not a number"),
                          ("nan", "is not a number")]:
        type_into(qtbot, panel.temperature_input, text)
        assert message in panel.temperature_input.error(), text
        assert panel.state.temperature == 1.0


@pytest.mark.parametrize("t, message", [("0.5", "larger T"), ("1e-300", "overflows")])
def test_too_small_temperature_for_huge_logits_is_refused(panel, qtbot, t, message):
    type_into(qtbot, panel.logits_input, "1e100, 0")
    before = panel.state
    type_into(qtbot, panel.temperature_input, t)
    assert message in panel.temperature_input.error()
    assert panel.state == before
    # The typed T waits beside its message; the slider stays on the T in use.
    assert panel.temperature_input.line_edit().text() == t
    slider = panel.temperature_input.slider()
    assert slider.value() == round(slider.maximum() * (1.0 - 0.1) / (5.0 - 0.1))
    assert all(c.passed for c in panel.checks())
    # Zero logits make the waiting T acceptable: the next edit applies it.
    type_into(qtbot, panel.logits_input, "0, 0")
    assert panel.state.temperature == float(t) and panel.temperature_input.error() == ""


def test_logits_too_large_to_draw_are_refused(panel, qtbot):
    type_into(qtbot, panel.logits_input, "1e308, 0")
    assert "1e+100" in panel.logits_input.error()
    assert panel.logits_input.line_edit().text() == "1e308, 0"  # the typed text stays
    assert panel.state == SoftmaxState()


def test_bad_shift_shows_a_message(panel, qtbot):
    type_into(qtbot, panel.shift_input, "2000")
    assert "1000" in panel.shift_input.error()
    assert panel.state.shift == 0.0


def test_dragging_a_handle_sets_the_logit(panel):
    ranges = panel.logits_plot.viewRange()
    panel.handles[2].setValue(1.234)
    assert panel.state.logits == (2.0, 1.0, 1.23, -1.0)
    assert panel.logits_input.line_edit().text() == "2, 1, 1.23, -1"
    assert_shows(panel, np.array([2.0, 1.0, 1.23, -1.0]))
    assert panel.logits_plot.viewRange() == ranges  # stays inside: no re-ranging
    panel.handles[0].setValue(9.0)  # beyond the top: the range grows to show it
    assert panel.logits_plot.viewRange()[1][1] > 9.0


def test_a_drag_the_model_refuses_puts_the_handle_back(panel, qtbot):
    type_into(qtbot, panel.temperature_input, "1e-99")  # x / T = 2e99, just inside the limit
    before = panel.state
    panel.handles[0].setValue(20.0)  # x / T = 2e100: too large to draw
    assert "larger T" in panel.logits_input.error()
    assert panel.state == before
    assert panel.handles[0].value() == 2.0
    panel.handles[0].setValue(1.5)
    assert panel.state.logits[0] == 1.5 and panel.logits_input.error() == ""


def test_mouse_drag_on_a_bar_top(panel):
    """A real press-move-release on the second bar's top moves that logit."""
    plot = panel.logits_plot
    view = plot.getPlotItem().getViewBox()
    viewport = plot.viewport()

    def point(x, y):
        return plot.mapFromScene(view.mapViewToScene(QPointF(x, y)))

    def send(kind, pos, button, buttons):
        event = QMouseEvent(kind, QPointF(pos), QPointF(viewport.mapToGlobal(pos)), button,
                            buttons, Qt.KeyboardModifier.NoModifier)
        QApplication.sendEvent(viewport, event)
        QApplication.processEvents()

    start, end = point(2.0, 1.0), point(2.0, 2.0)
    left = Qt.MouseButton.LeftButton
    # pyqtgraph drops mouse moves closer together than 1/rate s; a test sends them at once.
    rate = pg.getConfigOption("mouseRateLimit")
    pg.setConfigOptions(mouseRateLimit=0)
    try:
        send(QEvent.Type.MouseButtonPress, start, left, left)
        for t in range(1, 11):
            pos = QPoint(start.x(), round(start.y() + (end.y() - start.y()) * t / 10))
            send(QEvent.Type.MouseMove, pos, Qt.MouseButton.NoButton, left)
        send(QEvent.Type.MouseButtonRelease, end, left, Qt.MouseButton.NoButton)
    finally:
        pg.setConfigOptions(mouseRateLimit=rate)
    assert panel.state.logits[1] == pytest.approx(2.0, abs=0.05)
    assert panel.state.logits[0::2] == (2.0, 0.1)


def test_reset_restores_the_example(panel, qtbot):
    type_into(qtbot, panel.logits_input, "5, -5, 1, 1, 1, 1, 1")
    type_into(qtbot, panel.temperature_input, "3")
    type_into(qtbot, panel.shift_input, "900")
    panel.reset()
    assert panel.state == SoftmaxState()
    assert panel.logits_input.line_edit().text() == "2, 1, 0.1, -1"
    assert panel.temperature_input.line_edit().text() == "1"
    assert panel.shift_input.line_edit().text() == "0"
    assert panel.k_spin.value() == 4
    assert_shows(panel, SEED)


def test_checks_pass_for_many_valid_inputs(panel):
    rng = np.random.default_rng(7)
    for trial in range(40):
        k = int(rng.integers(2, K_MAX + 1))
        scale = [1.0, 30.0, 1e4, 1e12, 1e90][trial % 5]
        logits = tuple(float(v) for v in rng.normal(scale=scale, size=k))
        state = SoftmaxState(logits, temperature=float(rng.uniform(0.1, 10.0)),
                             shift=float(rng.uniform(-1000.0, 1000.0)))
        panel.set_state(state)
        failed = [c.summary() for c in panel.checks() if not c.passed]
        assert not failed, (state, failed)
        np.testing.assert_allclose(bar_heights(panel.prob_bars),
                                   np_softmax(np.array(logits) / state.temperature), atol=1e-12)


def test_bench_changes_go_through_the_edit_path(panel):
    states = set()
    for i in range(1, 7):
        panel.bench_change(i)
        states.add(panel.state)
        assert all(c.passed for c in panel.checks())
    assert len(states) == 6
    assert panel.shift_input.value() == panel.state.shift
    assert panel.temperature_input.value() == panel.state.temperature


def test_pixels_heatmap_is_diverging_around_zero(panel, qtbot):
    panel.prepare_export()
    image = panel.jac_plot.grab().toImage()
    view = panel.jac_plot.getPlotItem().getViewBox()
    ratio = image.width() / panel.jac_plot.width()

    def colour(i, j):
        # Sample the cell's corner region, away from the printed value.
        at = panel.jac_plot.mapFromScene(view.mapViewToScene(QPointF(j + 0.12, i + 0.12)))
        return image.pixelColor(round(at.x() * ratio), round(at.y() * ratio))

    diagonal, off = colour(0, 0), colour(0, 1)  # J11 = +0.231 (largest), J12 = −0.150
    assert diagonal.red() > 180 and diagonal.blue() < 80       # vermillion
    assert off.blue() > off.red() + 40                          # blue
    tiny = colour(2, 3)                                          # J34 = −0.003: near white
    assert min(tiny.red(), tiny.green(), tiny.blue()) > 220
    # The value printed in the strong diagonal cell is white text on vermillion.
    centre = panel.jac_plot.mapFromScene(view.mapViewToScene(QPointF(0.5, 0.5)))
    cx, cy = round(centre.x() * ratio), round(centre.y() * ratio)
    text_pixels = [image.pixelColor(cx + dx, cy + dy) for dx in range(-15, 16)
                   for dy in range(-5, 6)]
    assert any(min(c.red(), c.green(), c.blue()) > 200 for c in text_pixels)
    # The scale is fixed at the bounds of any softmax Jacobian, |J_ij| <= 1/4.
    assert tuple(panel.jac_image.levels) == tuple(panel.fd_image.levels) == (-0.25, 0.25)


def _covered(rect, bars):
    return sum(max(0.0, r.width()) * max(0.0, r.height())
               for r in (rect.intersected(bar) for bar in bars))


@pytest.mark.parametrize("logits", ["2, 1, 0.1, -1", "-2, 1, 0.1, -3", "0, 4, -4, 2"])
@pytest.mark.parametrize("size", [(1280, 800), (1010, 720)])
def test_reduced_legend_takes_the_emptiest_corner(panel, qtbot, logits, size):
    panel.resize(*size)
    type_into(qtbot, panel.logits_input, logits)
    qtbot.wait(10)  # the deferred look after a resize
    _check_legend_corner(panel, logits, size)


def test_reduced_legend_moves_after_a_restore_and_a_resize(qtbot):
    """As the window restores saved work: into a panel not yet laid out, then resized."""
    logits = "1, -3, 2, -3, 2, -3"
    panel = SoftmaxPanel()
    qtbot.addWidget(panel)
    panel.load_state_dict({"logits": [float(t) for t in logits.split(",")],
                           "temperature": 1.0, "shift": 0.0})
    panel.resize(1400, 900)
    panel.show()
    qtbot.waitExposed(panel)
    for size in ((1010, 720), (1280, 800)):
        panel.resize(*size)
        qtbot.wait(10)  # the deferred look after a resize
        _check_legend_corner(panel, logits, size)


def _check_legend_corner(panel, logits, size):
    from PySide6.QtCore import QRectF

    plot = panel.reduced_plot
    plot.repaint()  # lays the frame out for this size and range
    legend = panel.reduced_legend.sceneBoundingRect()
    assert legend.width() > 20 and legend.height() > 20
    view = plot.view_rect()
    assert view.contains(legend)
    bars = panel.original_bars._rects(plot) + panel.reduced_bars._rects(plot)
    assert len(bars) == 2 * len(logits.split(","))
    w, h = legend.width(), legend.height()
    corners = [QRectF(view.left() + 4, view.top() + 4, w, h),
               QRectF(view.right() - 4 - w, view.top() + 4, w, h),
               QRectF(view.left() + 4, view.bottom() - 4 - h, w, h),
               QRectF(view.right() - 4 - w, view.bottom() - 4 - h, w, h)]
    best = min(_covered(c, bars) for c in corners)
    assert _covered(legend, bars) <= best + 0.05 * w * h
    if size == (1280, 800) and len(bars) == 8:  # room enough: the legend hides nothing
        assert _covered(legend, bars) == 0


@pytest.mark.parametrize("size", [(1280, 800), (1010, 720)])
@pytest.mark.parametrize("logits", ["2, 1, 0.1, -1", "-0.5, 0.25, 3, -2, 1, 0"])
def test_heatmap_values_fit_inside_their_cells(panel, qtbot, size, logits):
    from PySide6.QtGui import QFontMetricsF

    panel.resize(*size)
    type_into(qtbot, panel.logits_input, logits)
    for plot, labels in ((panel.jac_plot, panel.jac_labels), (panel.fd_plot, panel.fd_labels)):
        plot.repaint()
        cell = float(np.diff(plot.to_widget(np.array([0.0, 1.0]), np.zeros(2))[0])[0])
        shown = labels.shown(plot)
        assert shown is not None
        font, texts = shown
        assert font.pointSizeF() >= 6.0
        k = len(logits.split(","))
        metrics = QFontMetricsF(font)
        rooms = [cell - 4.0] * (k * k) + [1.2 * cell - 4.0] * k  # the side column is wider
        assert all(metrics.horizontalAdvance(t) <= room
                   for t, room in zip(texts, rooms, strict=True))
        # The model's numbers, to 3 decimals where they fit and to 2 where they do not.
        matrix = (panel.jac_image if labels is panel.jac_labels else panel.fd_image).image
        decimals = 3 if texts[0] == labels.labels()[0][2] else 2
        np.testing.assert_allclose(
            [0.0 if t == "≈0" else float(t.replace("−", "-")) for t in texts[:k * k]],
            matrix.ravel(), rtol=0, atol=0.5 * 10.0 ** -decimals + 1e-12)
        assert all(t != "≈0" or 0 < abs(v) < 0.005 for t, v in zip(texts, matrix.ravel(),
                                                                    strict=False))
    # Side by side, the two heatmaps write their values alike, though the FD one is narrower.
    jac_font, jac_texts = panel.jac_labels.shown(panel.jac_plot)
    fd_font, fd_texts = panel.fd_labels.shown(panel.fd_plot)
    assert jac_font.pointSizeF() == fd_font.pointSizeF()
    assert (jac_texts[0] == panel.jac_labels.labels()[0][2]) == \
        (fd_texts[0] == panel.fd_labels.labels()[0][2])


@pytest.mark.parametrize("value, text", [
    (0.0, "0"), (0.0004, "≈0"), (-0.0003, "≈0"), (-0.00499, "≈0"), (0.0051, ".01"),
    (-0.13, "−.13"), (0.05, ".05"), (1.5, "1.50"), (-2.25, "−2.25"), (-1e-300, "≈0"),
])
def test_compact_numbers_never_write_a_nonzero_value_as_signed_zero(value, text):
    from explorer.views.softmax import compact

    assert compact(value) == text


@pytest.mark.parametrize("size, short", [((1280, 800), False), ((1010, 720), True)])
def test_values_at_z_keep_to_the_outer_part_of_the_two_class_plot(panel, qtbot, size, short):
    from explorer.model.activations import sigmoid

    panel.resize(*size)
    panel.prepare_export()
    plot, label = panel.sigmoid_plot, panel.z_label
    plot.repaint()
    box, _ = label._box(plot, plot.devicePixelRatioF())
    view = plot.view_rect()
    assert box.width() <= 0.45 * view.width()
    # On the far side from z (z = 0.567 at the default logits: the box is on the left).
    assert box.left() < view.left() + 0.05 * view.width()
    text = label.toHtml()
    z = float(panel.state.logits[0]) - float(np.log(np.sum(np.exp(panel.state.logits[1:]))))
    digits = 3 if short else 4
    assert f"{sigmoid(np.array(z)):.{digits}g}" in text
    assert f"{sigmoid(np.array(-z)):.{digits}g}" in text
    assert ("1−σ =" in text) == short and ("1 − σ(z) =" in text) == (not short)


def test_the_two_heatmaps_paint_their_values_alike_after_opening_and_resizing(qtbot):
    panel = SoftmaxPanel()
    qtbot.addWidget(panel)
    for size in ((1280, 800), (1010, 720), (1280, 800)):
        panel.resize(*size)
        panel.show()
        qtbot.waitExposed(panel)
        qtbot.wait(30)  # the event loop paints both, in its own order
        jac, fd = panel.jac_labels.drawn, panel.fd_labels.drawn
        assert jac is not None and jac == fd, size


@pytest.mark.parametrize("value, digits, text", [
    (6.144e-05, 4, "6.144e−5"), (1.7e308, 4, "1.7e+308"), (2.5e-10, 4, "2.5e−10"),
    (0.6381, 4, "0.6381"), (1.3333333, 7, "1.333333"), (float("inf"), 4, "inf"),
    (-3e+05, 4, "−3e+5"), (float("nan"), 4, "NaN"),
])
def test_table_numbers_keep_their_exponent_short(value, digits, text):
    from explorer.views.softmax import table_number

    assert table_number(value, digits) == text
    if text not in ("inf", "NaN"):
        assert float(text.replace("−", "-")) == pytest.approx(value, rel=10.0 ** (1 - digits))


@pytest.mark.parametrize("temperature", ["1", "1.5"])
def test_the_shift_table_shows_whole_numbers_in_the_default_window(panel, qtbot, temperature):
    from PySide6.QtGui import QFontMetrics

    panel.resize(1010, 720)
    type_into(qtbot, panel.logits_input, "9, 0, -3, 2, 1, 0.5, -1, 4")
    type_into(qtbot, panel.temperature_input, temperature)
    qtbot.wait(10)
    table, model = panel.table, panel.table_model
    metrics = QFontMetrics(table.font())
    texts = [[model.item(r, c).text() for c in range(model.columnCount())]
             for r in range(model.rowCount())]
    if temperature == "1":
        assert any("e−" in t for row in texts for t in row)  # the case the trial found
    # Whatever the digits, the numbers are the model's.
    v = np.array([9, 0, -3, 2, 1, 0.5, -1, 4]) / float(temperature)
    shown = np.array([[float(t.replace("−", "-")) for t in row] for row in texts])
    np.testing.assert_allclose(shown[:, 4], np_softmax(v), rtol=0.06)
    np.testing.assert_allclose(shown[:, 0], v, rtol=0.06)
    for r in range(model.rowCount()):
        for c in range(model.columnCount()):
            text = model.item(r, c).text()
            # The style's cell margins take about 6 px.
            assert metrics.horizontalAdvance(text) + 6 <= table.columnWidth(c), (text, c)
    # Wider again: the full four digits come back.
    panel.resize(1280, 800)
    qtbot.wait(10)
    from explorer.views.softmax import table_number

    assert [model.item(r, 4).text() for r in range(model.rowCount())] == \
        [table_number(p, 4) for p in np_softmax(v)]


@pytest.mark.parametrize("values, level", [
    ([[0.231, -0.15], [0.0, 0.18]], 0.25), ([[0.008, -0.004]], 0.01), ([[0.01]], 0.01),
    ([[0.0]], 0.001), ([[np.nan, 0.03]], 0.05), ([[0.3]], 0.25),
])
def test_the_heatmap_scale_is_the_first_step_holding_every_entry(values, level):
    from explorer.views.softmax import jacobian_level

    assert jacobian_level(np.array(values), np.zeros((1, 1))) == level


def test_a_dominant_class_still_gets_coloured_heatmap_cells(panel, qtbot):
    type_into(qtbot, panel.logits_input, "9, 0, -3, 2, 1, 0.5, -1, 4")
    v = np.array([9, 0, -3, 2, 1, 0.5, -1, 4.0])
    p = np_softmax(v)
    jac = np.diag(p) - np.outer(p, p)
    assert 0.005 < np.abs(jac).max() <= 0.01
    assert tuple(panel.colorbar.levels()) == (-0.01, 0.01)
    np.testing.assert_array_equal(panel.jac_image.levels, [-0.01, 0.01])
    # The strongest cell is a strong colour, not the white it was at ±0.25.
    panel.jac_plot.repaint()
    i, j = np.unravel_index(np.argmax(np.abs(jac)), jac.shape)
    x, y = panel.jac_plot.to_widget(np.array([j + 0.15]), np.array([i + 0.15]))
    r, g, b = image_array(panel.jac_plot)[round(float(y[0])), round(float(x[0]))].astype(int)
    assert max(r, g, b) - min(r, g, b) > 80
    # Back to the homework's logits: the scale is ±0.25 again.
    type_into(qtbot, panel.logits_input, "2, 1, 0.1, -1")
    assert tuple(panel.colorbar.levels()) == (-0.25, 0.25)


def test_a_change_then_a_repaint_of_an_exported_panel_paints_cleanly(qtbot):
    """The shared heatmap fit once updated the other plot from inside a paint, and Qt then
    repainted recursively ("Recursive repaint detected", an exception in paintEvent)."""
    from explorer.export import lay_out

    panel = SoftmaxPanel()
    qtbot.addWidget(panel)
    lay_out(panel, (1280, 800))
    for logits in (np.array([9, 0, -3, 2, 1, 0.5, -1, 4.0]), np.array([2, 1, 0.1, -1.0])):
        panel.edit(panel.logits_input, logits=tuple(logits.tolist()))
        panel.prepare_export()
        for _ in range(3):
            QApplication.processEvents()
        assert panel.jac_labels.drawn == panel.fd_labels.drawn
    # (Qt warnings fail the test: see tests/conftest.py.)


@pytest.mark.parametrize("temperature", ["0.001", "0.05"])
def test_ranges_come_back_when_the_temperature_does(panel, qtbot, temperature):
    """T = 0.001 makes x / T a thousand times larger and the ranges grow to show it; back at
    T = 1 they shrink to the logits again, instead of leaving the bars as flat lines."""
    def spans():
        return {name: np.diff(getattr(panel, name).viewRange()[axis])[0]
                for name, axis in (("logits_plot", 1), ("sigmoid_plot", 0),
                                   ("reduced_plot", 1))}

    before = spans()
    type_into(qtbot, panel.temperature_input, temperature)
    grown = spans()
    assert grown["logits_plot"] > 10 * before["logits_plot"]
    type_into(qtbot, panel.temperature_input, "1")
    assert spans() == pytest.approx(before, rel=1e-9)


def test_small_drags_do_not_move_the_ranges(panel):
    """Inside the range, and shrinking by less than the range holds, nothing re-ranges."""
    ranges = [plot.viewRange() for plot in (panel.logits_plot, panel.reduced_plot)]
    for value in (1.5, 1.2, 0.8, 0.4, 0.9):
        panel.handles[1].setValue(value)
        assert [plot.viewRange() for plot in (panel.logits_plot, panel.reduced_plot)] == ranges
