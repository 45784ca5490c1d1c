import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QAbstractItemView, QLineEdit

from explorer.model import equivalence as eq
from explorer.panels.equivalence import (
    LABEL,
    MAPPING_CHOICES,
    OUTPUT_COLORS,
    RIGHT_VALUE,
    RULE,
    SIGMOID_VALUE,
    TANH_VALUE,
    TICK_HALF,
    EquivalencePanel,
)
from explorer.views.equivalence import GAP_FLOOR, GRID_POINTS
from tests.conftest import type_into

PANEL = EquivalencePanel

SCALE = 2.0  # the example's weights are uniform in [-2, 2)


# Independent oracles: plain numpy, written from the homework's formulas.
def weights(D, M, K, seed):
    rng = np.random.default_rng(seed)
    return (rng.uniform(-SCALE, SCALE, (M, D)), rng.uniform(-SCALE, SCALE, M),
            rng.uniform(-SCALE, SCALE, (K, M)), rng.uniform(-SCALE, SCALE, K))


def sigmoid_net(W1, b1, W2, b2, X):
    return (1.0 / (1.0 + np.exp(-(X @ W1.T + b1)))) @ W2.T + b2


def tanh_net(W1, b1, W2, b2, X):
    return np.tanh(X @ W1.T + b1) @ W2.T + b2


def halved(W1, b1, W2, b2):
    return W1 / 2, b1 / 2, W2 / 2, b2 + W2.sum(axis=1) / 2


def grid(R=5.0):
    return np.linspace(-R, R, GRID_POINTS).reshape(-1, 1)


def tick_values(ticks):
    """The |Δ| values behind a tick item (each value is a vertical tick ±TICK_HALF decades)."""
    x, y = ticks.getData()
    np.testing.assert_array_equal(x[0::2], x[1::2])
    np.testing.assert_allclose(y[1::2] - y[0::2], 2 * TICK_HALF, atol=1e-12)
    return x[0::2], 10 ** ((y[0::2] + y[1::2]) / 2)


def visible_rows(panel):
    return [r for r in range(panel.table.rowCount()) if not panel.table.isRowHidden(r)]


def row_of(panel, label):
    return next(r for r in visible_rows(panel) if panel.table.item(r, LABEL).text() == label)


def assert_curves(panel, W, X, atol=1e-12):
    ys = sigmoid_net(*W, X)
    yt = tanh_net(*halved(*W), X)
    K = ys.shape[1]
    for k in range(K):
        x, y = panel.sigmoid_curves[k].getData()
        np.testing.assert_array_equal(x, X[:, 0])
        np.testing.assert_allclose(y, ys[:, k], rtol=0, atol=atol)
        x, y = panel.tanh_curves[k].getData()
        np.testing.assert_allclose(y, yt[:, k], rtol=0, atol=atol)
        assert panel.sigmoid_curves[k].isVisible() and panel.tanh_curves[k].isVisible()
    for k in range(K, 4):
        assert not panel.sigmoid_curves[k].isVisible()
    return ys, yt


# --- the example ------------------------------------------------------------------------------


def test_default_is_the_seeded_example(panel):
    s = panel.state
    assert (s.seed, s.radius, s.mapping, s.net) == (0, 5.0, "correct", None)
    W = weights(1, 4, 2, 0)
    for name, expected in zip(("W1", "b1", "W2", "b2"), W, strict=True):
        np.testing.assert_array_equal(getattr(panel.view.net, name), expected)
    assert [w.line_edit().text() for w in (panel.d_input, panel.m_input, panel.k_input,
                                           panel.seed_input, panel.radius_input)] == \
        ["1", "4", "2", "0", "5"]
    assert_curves(panel, W, grid())
    assert panel.outputs_stack.currentWidget() is panel.curves_plot
    checks = panel.checks()
    assert len(checks) == 3 and all(c.passed for c in checks)
    assert checks[0].max_abs_error < 1e-14
    assert len(panel.checks_strip.badges()) == 3


def test_identity_plot_overlays_both_sides(panel):
    a, left = panel.sigmoid_curve.getData()
    _, right = panel.via_tanh_curve.getData()
    np.testing.assert_array_equal(a, grid()[:, 0])
    np.testing.assert_allclose(left, 1 / (1 + np.exp(-a)), rtol=0, atol=1e-16)
    np.testing.assert_allclose(right, 0.5 * np.tanh(a / 2) + 0.5, rtol=0, atol=1e-16)
    np.testing.assert_allclose(left, right, rtol=0, atol=3e-16)
    np.testing.assert_allclose(panel.tanh_curve.getData()[1], np.tanh(a), atol=1e-16)


def test_gap_is_rounding_on_a_log_axis(panel):
    assert panel.gap_plot.getPlotItem().ctrl.logYCheck.isChecked()
    shown = panel.view
    for k in range(2):
        x, gap = tick_values(panel.gap_ticks[k])
        np.testing.assert_array_equal(x, grid()[:, 0])
        expected = np.maximum(np.abs(shown.y_tanh[:, k] - shown.y_sigmoid[:, k]), GAP_FLOOR)
        np.testing.assert_allclose(gap, expected, rtol=1e-12)
        assert gap.max() < 1e-14  # a few ulp of outputs of size ~2.5
    assert not panel.gap_ticks[2].getData()[0].size
    ymax = np.abs(sigmoid_net(*weights(1, 4, 2, 0), grid())).max()
    assert panel.ulp_line.value() == pytest.approx(np.log10(np.spacing(ymax)))
    note = panel.rounding_label.text()
    assert "Rounding, not a difference" in note
    largest = np.abs(shown.y_tanh - shown.y_sigmoid).max()
    spacing = np.spacing(np.abs(shown.y_sigmoid).max())
    assert f"Largest |Δ| = {largest:.1e} = {largest / spacing:.2g} ulp" in note
    assert f"1 ulp = {spacing:.1e}" in note
    (_, _), (low, high) = panel.gap_plot.viewRange()
    assert low < np.log10(GAP_FLOOR) and high >= 1.0


# --- network controls -------------------------------------------------------------------------


def test_changing_m_k_and_seed_moves_the_plots(panel, qtbot):
    type_into(qtbot, panel.m_input, "7")
    assert panel.view.net.W1.shape == (7, 1)
    assert_curves(panel, weights(1, 7, 2, 0), grid())
    type_into(qtbot, panel.k_input, "3")
    assert_curves(panel, weights(1, 7, 3, 0), grid())
    assert len(panel.curves_legend.items) == 3
    type_into(qtbot, panel.seed_input, "11")
    assert panel.state.seed == 11
    ys, _ = assert_curves(panel, weights(1, 7, 3, 11), grid())
    (_, _), (low, high) = panel.curves_plot.viewRange()
    assert low <= ys.min() and ys.max() <= high
    assert len(visible_rows(panel)) == 7 + 7 + 3 * 7 + 3
    assert all(c.passed for c in panel.checks())


def test_new_weights_button_advances_the_seed(panel, qtbot):
    qtbot.mouseClick(panel.new_button, Qt.MouseButton.LeftButton)
    assert panel.state.seed == 1 and panel.seed_input.line_edit().text() == "1"
    assert_curves(panel, weights(1, 4, 2, 1), grid())
    assert "seed 1" in panel.origin_label.text()


def test_radius_sets_the_x_range(panel, qtbot):
    type_into(qtbot, panel.radius_input, "2.5")
    assert_curves(panel, weights(1, 4, 2, 0), grid(2.5))
    assert panel.curves_plot.viewRange()[0] == pytest.approx([-2.5, 2.5])
    assert panel.sigmoid_curve.getData()[0][-1] == 2.5


def test_y_axis_holds_every_output_and_each_shape_keeps_its_own(panel, qtbot):
    y = sigmoid_net(*weights(1, 4, 2, 7), grid()[:, None])
    assert np.ptp(y) < np.ptp(sigmoid_net(*weights(1, 4, 2, 0), grid()[:, None])) / 2

    def y_range():
        return tuple(panel.curves_plot.viewRange()[1])

    def holds_outputs(M, seed):
        y = sigmoid_net(*weights(1, M, 2, seed), grid()[:, None])
        low, high = y_range()
        return low <= y.min() and y.max() <= high

    assert holds_outputs(4, 0)
    first = y_range()
    type_into(qtbot, panel.seed_input, "7")
    assert holds_outputs(4, 7)
    grown = y_range()
    # Seed 7's outputs span far less than seed 0's: the axis fits them again.
    assert grown[1] - grown[0] < (first[1] - first[0]) / 2
    type_into(qtbot, panel.m_input, "9")
    assert holds_outputs(9, 7)
    type_into(qtbot, panel.m_input, "4")
    assert y_range() == pytest.approx(grown)  # back to M = 4: its axis as it was
    panel.reset()
    assert y_range() == pytest.approx(first)


@pytest.mark.parametrize(("control", "text", "message"), [
    ("m_input", "40", "M must be a whole number from 1 to 32"),
    ("m_input", "2.5", "M must be a whole number from 1 to 32"),
    ("k_input", "0", "K must be a whole number from 1 to 4"),
    ("d_input", "9", "D must be a whole number from 1 to 8"),
    ("seed_input", "-3", "seed must be a whole number from 0"),
    ("radius_input", "-1", "0 < R"),
    ("radius_input", "abc", "not a number"),
])
def test_bad_setting_shows_message_and_keeps_state(panel, qtbot, control, text, message):
    before = panel.state
    curve = panel.sigmoid_curves[0].getData()[1].copy()
    widget = getattr(panel, control)
    type_into(qtbot, widget, text)
    assert message in widget.error()
    assert panel.state is before
    np.testing.assert_array_equal(panel.sigmoid_curves[0].getData()[1], curve)


# --- the mapping table ------------------------------------------------------------------------


def test_table_lists_every_parameter_with_its_rule(panel):
    W = weights(1, 4, 2, 0)
    T = halved(*W)
    rows = visible_rows(panel)
    assert len(rows) == 18
    assert panel.table.isColumnHidden(RIGHT_VALUE)
    before = np.concatenate([w.ravel() for w in W])
    after = np.concatenate([w.ravel() for w in T])
    for r in rows:
        assert float(panel.table.item(r, SIGMOID_VALUE).text()) == pytest.approx(before[r],
                                                                                  rel=1e-5)
        assert float(panel.table.item(r, TANH_VALUE).text()) == pytest.approx(after[r], rel=1e-5)
    assert panel.table.item(0, LABEL).text() == "W¹[1,1]"
    assert panel.table.item(0, RULE).text() == "W¹ ÷ 2"
    assert panel.table.item(row_of(panel, "b¹[2]"), RULE).text() == "b¹ ÷ 2"
    assert panel.table.item(row_of(panel, "W²[2,3]"), RULE).text() == "W² ÷ 2"
    assert panel.table.item(row_of(panel, "b²[1]"), RULE).text() == "b²ₖ + ½ Σⱼ W²ₖⱼ"


def test_editing_a_sigmoid_weight_updates_both_networks(panel):
    r = row_of(panel, "b²[1]")
    panel.table.item(r, SIGMOID_VALUE).setText("1.5")
    W = list(weights(1, 4, 2, 0))
    W[3] = np.array([1.5, W[3][1]])
    assert panel.view.net.b2[0] == 1.5 and panel.state.net is not None
    assert float(panel.table.item(r, TANH_VALUE).text()) == pytest.approx(
        1.5 + W[2][0].sum() / 2, rel=1e-5)
    assert_curves(panel, W, grid())
    assert "edited" in panel.origin_label.text()
    assert all(c.passed for c in panel.checks())


def test_editing_a_tanh_weight_converts_back(panel, qtbot):
    r = row_of(panel, "W²[1,1]")
    item = panel.table.item(r, TANH_VALUE)
    # The way a student edits: start the editor, type, press Return.
    panel.table.setCurrentItem(item)
    panel.table.editItem(item)
    editor = panel.table.viewport().findChild(QLineEdit)
    assert editor is not None
    editor.selectAll()
    qtbot.keyClicks(editor, "0.25")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    # The delegate commits through a queued call.
    qtbot.waitUntil(lambda: panel.table.state() == QAbstractItemView.State.NoState)
    assert panel.view.net.W2[0, 0] == 0.5  # doubled back
    W = weights(1, 4, 2, 0)
    # b2 follows so that b2' stays what it was: b2 = b2' - sum_j W2'[0, j].
    b2_tanh = W[3][0] + W[2][0].sum() / 2
    expected_b2 = b2_tanh - (0.25 + W[2][0, 1:].sum() / 2)
    assert panel.view.net.b2[0] == pytest.approx(expected_b2, abs=1e-14)
    assert float(panel.table.item(r, TANH_VALUE).text()) == 0.25
    assert all(c.passed for c in panel.checks())


@pytest.mark.parametrize(("text", "message"), [("abc", "not a number"), ("", "empty"),
                                               ("1e400", "too large")])
def test_bad_table_edit_shows_message_and_keeps_state(panel, text, message):
    before = panel.state
    item = panel.table.item(0, SIGMOID_VALUE)
    old = item.text()
    item.setText(text)
    assert panel.state is before
    assert item.text() == old
    assert not panel.refusal.isHidden()
    assert panel.refusal.text().startswith("W¹[1,1]:") and message in panel.refusal.text()
    item.setText("0.5")
    assert panel.refusal.isHidden() and panel.view.net.W1[0, 0] == 0.5


def test_edit_that_overflows_the_conversion_is_refused(panel):
    panel.table.item(row_of(panel, "W²[1,1]"), SIGMOID_VALUE).setText("1.7e308")
    assert panel.view.net.W2[0, 0] == 1.7e308
    before = panel.state
    panel.table.item(row_of(panel, "b²[1]"), SIGMOID_VALUE).setText("1.7e308")
    assert panel.state is before
    assert "overflow" in panel.refusal.text()


# --- break it ---------------------------------------------------------------------------------


def test_forgetting_the_bias_correction_shifts_each_output(panel):
    panel.mapping_combo.setCurrentIndex(1)
    assert panel.state.mapping == "no_bias_correction"
    W = weights(1, 4, 2, 0)
    X = grid()
    ys = sigmoid_net(*W, X)
    shift = -W[2].sum(axis=1) / 2
    for k in range(2):
        y = panel.tanh_curves[k].getData()[1]
        np.testing.assert_allclose(y - ys[:, k], shift[k], rtol=0, atol=1e-12)
        _, gap = tick_values(panel.gap_ticks[k])
        np.testing.assert_allclose(gap, abs(shift[k]), rtol=1e-10)
    assert not panel.table.isColumnHidden(RIGHT_VALUE)
    wrong = [r for r in visible_rows(panel)
             if panel.table.item(r, TANH_VALUE).background().color() == QColor("#fbdada")]
    assert [panel.table.item(r, LABEL).text() for r in wrong] == ["b²[1]", "b²[2]"]
    r = row_of(panel, "b²[2]")
    assert panel.table.item(r, RULE).text() == "b²ₖ (not corrected)"
    assert float(panel.table.item(r, TANH_VALUE).text()) == pytest.approx(W[3][1], rel=1e-5)
    assert float(panel.table.item(r, RIGHT_VALUE).text()) == pytest.approx(
        W[3][1] + W[2][1].sum() / 2, rel=1e-5)
    assert not panel.table.item(r, TANH_VALUE).flags() & Qt.ItemFlag.ItemIsEditable
    # The first check still holds the correct conversion to the σ-net, and says so.
    first = panel.checks()[0]
    assert first.name == "σ-net = tanh-net by the correct rule" and first.passed
    assert "different function" in panel.rounding_label.text()
    assert f"{shift[0]:.3g}" in panel.rounding_label.text()
    checks = panel.checks()
    assert len(checks) == 4 and all(c.passed for c in checks)
    panel.mapping_combo.setCurrentIndex(0)
    assert panel.checks()[0].name == "σ-net = tanh-net Θ′"


def test_keeping_the_hidden_biases_gives_an_input_dependent_gap(panel):
    panel.mapping_combo.setCurrentIndex(2)
    W1, b1, W2, b2 = weights(1, 4, 2, 0)
    X = grid()
    S = X @ W1.T
    predicted = (np.tanh(S / 2 + b1) - np.tanh((S + b1) / 2)) @ (W2 / 2).T
    ys = sigmoid_net(W1, b1, W2, b2, X)
    for k in range(2):
        y = panel.tanh_curves[k].getData()[1]
        np.testing.assert_allclose(y - ys[:, k], predicted[:, k], rtol=0, atol=1e-12)
    assert np.ptp(predicted, axis=0).min() > 0.1
    wrong = [panel.table.item(r, LABEL).text() for r in visible_rows(panel)
             if panel.table.item(r, TANH_VALUE).background().color() == QColor("#fbdada")]
    assert wrong == ["b¹[1]", "b¹[2]", "b¹[3]", "b¹[4]"]
    assert all(c.passed for c in panel.checks())
    panel.mapping_combo.setCurrentIndex(0)
    assert panel.table.isColumnHidden(RIGHT_VALUE)
    assert not any(panel.table.item(r, TANH_VALUE).background().color() == QColor("#fbdada")
                   for r in visible_rows(panel))
    assert panel.table.item(0, TANH_VALUE).flags() & Qt.ItemFlag.ItemIsEditable


# --- more inputs ------------------------------------------------------------------------------


def test_more_inputs_show_a_scatter_on_the_identity_line(panel, qtbot):
    type_into(qtbot, panel.d_input, "3")
    assert panel.outputs_stack.currentWidget() is panel.scatter_plot
    W = weights(3, 4, 2, 0)
    X = np.random.default_rng(0).uniform(-5.0, 5.0, (eq.SAMPLE_POINTS, 3))
    ys, yt = sigmoid_net(*W, X), tanh_net(*halved(*W), X)
    for k in range(2):
        x, y = panel.scatter_points[k].getData()
        np.testing.assert_allclose(x, ys[:, k], rtol=0, atol=1e-12)
        np.testing.assert_allclose(y, yt[:, k], rtol=0, atol=1e-12)
        np.testing.assert_allclose(y, x, rtol=0, atol=1e-13)  # on the identity line
        n, _ = tick_values(panel.gap_ticks[k])
        np.testing.assert_array_equal(n, np.arange(1, eq.SAMPLE_POINTS + 1))
    lx, ly = panel.identity_line.getData()
    np.testing.assert_array_equal(lx, ly)
    assert lx[0] <= ys.min() and ys.max() <= lx[1]
    assert panel.gap_plot.getPlotItem().getAxis("bottom").labelText == "random input point n"
    assert len(visible_rows(panel)) == 12 + 4 + 8 + 2
    panel.mapping_combo.setCurrentIndex(1)
    x, y = panel.scatter_points[1].getData()
    np.testing.assert_allclose(y - x, -W[2][1].sum() / 2, atol=1e-12)
    type_into(qtbot, panel.d_input, "1")
    assert panel.outputs_stack.currentWidget() is panel.curves_plot


# --- reset, bench, pixels ---------------------------------------------------------------------


def test_reset_restores_the_example(panel, qtbot):
    type_into(qtbot, panel.m_input, "9")
    type_into(qtbot, panel.d_input, "2")
    panel.mapping_combo.setCurrentIndex(2)
    panel.table.item(0, SIGMOID_VALUE).setText("3")
    panel.reset()
    assert panel.state == type(panel.state)()
    assert panel.m_input.line_edit().text() == "4" and panel.d_input.line_edit().text() == "1"
    assert panel.mapping_combo.currentIndex() == 0
    assert_curves(panel, weights(1, 4, 2, 0), grid())
    assert len(visible_rows(panel)) == 18 and panel.table.isColumnHidden(RIGHT_VALUE)
    assert all(c.passed for c in panel.checks()) and len(panel.checks()) == 3


def test_bench_change_cycles_through_real_changes(panel):
    states = []
    for i in range(8):
        panel.bench_change(i)
        states.append(panel.state)
        assert all(c.passed for c in panel.checks())
    assert states[4].seed == 1 and states[1].mapping == "no_bias_correction"
    assert states[2].M == 2 and states[3].radius == 3.0
    assert states[6].M == 3 and states[5].mapping == "weights_only"


def _has_colour(image, colour, tolerance=40):
    target = QColor(colour)
    for x in range(0, image.width(), 2):
        for y in range(0, image.height(), 2):
            c = image.pixelColor(x, y)
            if (abs(c.red() - target.red()) + abs(c.green() - target.green())
                    + abs(c.blue() - target.blue())) < tolerance:
                return True
    return False


def test_pixels_show_each_output(panel, qtbot):
    image = panel.curves_plot.grab().toImage()
    assert _has_colour(image, OUTPUT_COLORS[0]) and _has_colour(image, OUTPUT_COLORS[1])
    assert not _has_colour(image, OUTPUT_COLORS[2])
    type_into(qtbot, panel.k_input, "3")
    image = panel.curves_plot.grab().toImage()
    assert _has_colour(image, OUTPUT_COLORS[2])


def test_range_that_overflows_an_edited_network_is_refused(panel, qtbot):
    panel.table.item(0, SIGMOID_VALUE).setText("1e306")
    assert panel.view.net.W1[0, 0] == 1e306  # 5e306 at x = ±5 still fits in float64
    before = panel.state
    type_into(qtbot, panel.radius_input, "1000")
    assert "overflow" in panel.radius_input.error()
    assert panel.state is before  # R = 1000 waits in its field
    x, _ = panel.sigmoid_curves[0].getData()
    assert x[-1] == 5.0


@pytest.mark.parametrize("size", [(1280, 800), (1010, 720)])
def test_notes_under_the_plot_and_the_controls_show_their_whole_text(panel, qtbot, size):
    from PySide6.QtCore import QRect

    def whole_text_fits():
        for label in (panel.rounding_label, panel.origin_label, panel.mapping_note):
            text = label.fontMetrics().boundingRect(
                QRect(0, 0, label.width(), 100_000),
                int(Qt.AlignmentFlag.AlignLeft | Qt.TextFlag.TextWordWrap), label.text())
            assert text.height() <= label.height(), label.text()
            # ...without a tall empty space under it (at most its four-line minimum).
            line = label.fontMetrics().lineSpacing()
            assert label.height() <= max(text.height(), 4 * line) + 4

    panel.resize(*size)
    qtbot.wait(10)  # the heights follow the new widths once the layout has run
    panel.prepare_export()
    whole_text_fits()
    for index in (1, 2, 0):
        panel.mapping_combo.setCurrentIndex(index)
        panel.prepare_export()
        text = panel.rounding_label.fontMetrics().boundingRect(
            QRect(0, 0, panel.rounding_label.width(), 100_000),
            int(Qt.AlignmentFlag.AlignLeft | Qt.TextFlag.TextWordWrap),
            panel.rounding_label.text())
        assert text.height() <= panel.rounding_label.height()
    panel.resize(size[0] + 1, size[1])
    qtbot.wait(10)
    whole_text_fits()


@pytest.mark.parametrize("size", [(1280, 800), (1010, 720), (1920, 1200)])
def test_the_ulp_and_zero_labels_cover_no_value(panel, qtbot, size):
    from PySide6.QtCore import QRectF

    panel.resize(*size)
    qtbot.wait(10)
    panel.prepare_export()
    plot = panel.gap_plot
    plot.repaint()
    ulp_box, _ = panel.ulp_label._box(plot, plot.devicePixelRatioF())
    floor_box, _ = panel.floor_label._box(plot, plot.devicePixelRatioF())
    assert ulp_box.height() > 5 and floor_box.height() > 5
    # The zero label sits under the floor line, the ulp label over the ulp line.
    _, (floor_y,) = plot.to_widget(np.zeros(1), np.array([np.log10(GAP_FLOOR)]))
    _, (ulp_y,) = plot.to_widget(np.zeros(1), np.array([panel.ulp_line.value()]))
    assert floor_box.top() >= floor_y - 1 and ulp_box.bottom() <= ulp_y
    ticks = 0
    for curve in panel.gap_ticks:
        x, y = curve.getData()
        if x is None or not len(x):
            continue
        wx, wy = plot.to_widget(x, y)
        for (x0, _), (y0, y1) in zip(wx.reshape(-1, 2), wy.reshape(-1, 2), strict=True):
            tick = QRectF(x0 - 0.5, min(y0, y1), 1.0, abs(y1 - y0))
            assert not tick.intersects(ulp_box) and not tick.intersects(floor_box)
            ticks += 1
    assert ticks == 2 * len(panel.view.X)
    # The zero ticks are clear of the x axis.
    assert plot.view_rect().bottom() - floor_y > floor_box.height()


def _data_and_view(panel, plot, values):
    low, high = float(values.min()), float(values.max())
    (x0, x1), (y0, y1) = plot.viewRange()
    return low, high, (y0, y1)


@pytest.mark.parametrize("inputs", ["1", "2"])
def test_output_axes_fit_the_outputs_again_after_a_wider_setting(panel, qtbot, inputs):
    """R = 50 spreads the outputs; back at R = 5 (or after several new weights) the axes hug the
    points again, instead of running to the widest values seen."""
    type_into(qtbot, panel.d_input, inputs)
    plot = panel.curves_plot if inputs == "1" else panel.scatter_plot
    for radius in ("50", "5"):
        type_into(qtbot, panel.radius_input, radius)
    for _ in range(4):
        panel.new_button.click()
    shown = panel.view
    values = np.concatenate([shown.y_sigmoid.ravel(), shown.y_tanh.ravel()])
    low, high, (y0, y1) = _data_and_view(panel, plot, values)
    assert y0 <= low and high <= y1  # every point in view
    assert (y1 - y0) <= 2.0 * max(high - low, 1e-3) * 1.16 + 1e-9  # and not a far wider range


@pytest.mark.parametrize("mapping", ["correct", "no_bias_correction", "weights_only"])
def test_every_number_in_the_mapping_table_fits_its_column(panel, qtbot, mapping):
    """Six significant digits and a sign ("-0.0675832") are never cut, whatever the rule."""
    from PySide6.QtGui import QFontMetrics

    panel.mapping_combo.setCurrentIndex(list(MAPPING_CHOICES).index(mapping))
    for seed in ("0", "3", "11"):
        type_into(qtbot, panel.seed_input, seed)
        table = panel.table
        metrics = QFontMetrics(table.font())
        shown = 0
        for row in range(table.rowCount()):
            if table.isRowHidden(row):
                continue
            for col in (1, 3, 4):
                if table.isColumnHidden(col):
                    continue
                text = table.item(row, col).text()
                shown += bool(text)
                # 12 px: what the item delegate leaves around a text (its size hint's margin).
                assert metrics.horizontalAdvance(text) + 12 <= table.columnWidth(col), (row, col,
                                                                                         text)
        for col in (1, 3, 4):
            if not table.isColumnHidden(col):
                assert table.sizeHintForColumn(col) <= table.columnWidth(col)
        assert shown >= 2 * 18
