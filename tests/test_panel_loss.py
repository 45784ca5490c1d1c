import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence

from explorer.model import losses
from explorer.model.activations import sigmoid
from explorer.panels.loss import LossPanel
from explorer.views.loss import GRID_POINTS
from tests.conftest import type_into

from .pixels import count_bluish, count_orangeish, image_array

PANEL = LossPanel


def test_default_is_the_confidently_wrong_example(panel):
    s = panel.state
    assert (s.y, s.marker, s.a_min, s.a_max) == (1.0, -6.0, -10.0, 10.0)
    x, y = panel.ce_grad_curve.getData()
    assert len(x) == GRID_POINTS and x[0] == -10 and x[-1] == 10
    np.testing.assert_allclose(y, sigmoid(x) - 1.0, atol=1e-15)
    x, y = panel.mse_grad_curve.getData()
    f = 1 / (1 + np.exp(-x))
    np.testing.assert_allclose(y, -2 * (1 - f) * f * (1 - f), atol=1e-15)
    assert all(c.passed for c in panel.checks()) and len(panel.checks()) == 3


def test_changing_y_moves_the_curves(panel, qtbot):
    type_into(qtbot, panel.y_input, "0.25")
    assert panel.state.y == 0.25
    x, y = panel.ce_curve.getData()
    f = 1 / (1 + np.exp(-x))
    np.testing.assert_allclose(y, -(0.25 * np.log(f) + 0.75 * np.log(1 - f)), rtol=1e-10)
    x, y = panel.mse_curve.getData()
    np.testing.assert_allclose(y, (0.25 - f) ** 2, atol=1e-15)
    assert all(c.passed for c in panel.checks())


@pytest.mark.parametrize("text, message", [
    ("abc", "not a number"), ("nan", "is not a number"), ("inf", "finite"), ("", "empty"),
    ("1.5", "[0, 1]"), ("-0.1", "[0, 1]"),
])
def test_bad_y_shows_message_and_keeps_state(panel, qtbot, text, message):
    before = panel.ce_curve.getData()[1].copy()
    type_into(qtbot, panel.y_input, text)
    assert message in panel.y_input.error()
    assert panel.state.y == 1.0
    np.testing.assert_array_equal(panel.ce_curve.getData()[1], before)
    type_into(qtbot, panel.y_input, "0")
    assert panel.y_input.error() == ""
    assert panel.state.y == 0.0


def test_stall_region_matches_the_model(panel, qtbot):
    a = np.linspace(-10, 10, GRID_POINTS)
    mask = losses.stall_mask(a, 1.0)
    region = panel.stall_regions[0]
    assert region.isVisible()
    assert region.getRegion() == pytest.approx((a[mask].min(), a[mask].max()))
    type_into(qtbot, panel.y_input, "0.5")
    assert not panel.stall_regions[0].isVisible()
    type_into(qtbot, panel.y_input, "0")
    mask = losses.stall_mask(a, 0.0)
    assert panel.stall_regions[1].getRegion() == pytest.approx((a[mask].min(), a[mask].max()))


def test_marker_drag_updates_readout(panel):
    panel.markers[1].setValue(2.0)
    assert panel.state.marker == 2.0
    assert panel.marker_input.value() == 2.0
    assert panel.markers[0].value() == 2.0 and panel.markers[2].value() == 2.0
    text = panel.readout_text()
    assert text["f"] == f"{float(sigmoid(2.0)):.6g}"
    assert text["gmse"] == f"{float(losses.mse_grad(2.0, 1.0)):.6g}"
    assert text["ratio"] == f"{float(losses.gradient_ratio(2.0)):.6g}"


def test_readout_context_menu_copies_the_values(panel):
    from PySide6.QtWidgets import QApplication

    panel.markers[1].setValue(2.0)
    [copy] = [a for a in panel.readout.actions() if a.text() == "Copy values"]
    copy.trigger()
    rows = dict(line.split("\t") for line in QApplication.clipboard().text().splitlines())
    assert rows["a"] == "2" and rows["y"] == "1"
    assert rows["f = σ(a)"] == f"{float(sigmoid(2.0)):.6g}"
    assert rows["∂L_MSE/∂a"] == f"{float(losses.mse_grad(2.0, 1.0)):.6g}"
    assert len(rows) == 8
    # Reachable from the mouse (right-click) and the keyboard (focus, then Ctrl+C).
    assert panel.readout.contextMenuPolicy() == Qt.ContextMenuPolicy.ActionsContextMenu
    assert panel.readout.focusPolicy() & Qt.FocusPolicy.TabFocus
    assert copy.shortcut().matches(QKeySequence(QKeySequence.StandardKey.Copy)) == \
        QKeySequence.SequenceMatch.ExactMatch


def test_readout_takes_focus_and_ctrl_c_copies(panel, qtbot):
    from PySide6.QtWidgets import QApplication

    QApplication.clipboard().clear()
    panel.readout.setFocus()
    qtbot.waitUntil(panel.readout.hasFocus)
    qtbot.keyClick(panel.readout, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    text = QApplication.clipboard().text()
    assert text.splitlines()[0] == "a\t-6"
    assert f"f = σ(a)\t{float(sigmoid(-6.0)):.6g}" in text.splitlines()


def test_range_change_and_bad_range(panel, qtbot):
    type_into(qtbot, panel.a_min_input, "-3")
    x, _ = panel.sigmoid_curve.getData()
    assert x[0] == -3 and x[-1] == 10
    assert panel.sigmoid_plot.viewRange()[0] == pytest.approx([-3, 10])
    type_into(qtbot, panel.a_max_input, "-5")
    assert "from < to" in panel.a_max_input.error()
    assert panel.state.a_max == 10.0


@pytest.mark.filterwarnings("error::RuntimeWarning")
def test_a_range_too_narrow_for_the_axes_is_refused_and_the_narrowest_draws(panel, qtbot):
    type_into(qtbot, panel.a_min_input, "0")
    type_into(qtbot, panel.a_max_input, "1e-320")
    assert "at least 1e-06" in panel.a_max_input.error() and panel.state.a_max == 10.0
    type_into(qtbot, panel.a_max_input, "1e-6")
    assert panel.state.a_max == 1e-6 and panel.a_max_input.error() == ""
    image = image_array(panel.sigmoid_plot)  # painted, ticks and all, without a warning
    assert image.shape[0] > 100 and (image.min(axis=2) < 120).sum() > 100


def test_sgd_lab_plays_and_matches_model(panel, qtbot):
    s = panel.state
    ce = losses.train_unit(s.x, s.y, s.w0, s.b0, s.lr, s.steps, "bce")
    assert panel.lab_step() == s.steps  # a new run is shown finished
    assert panel.playback.label_text() == f"step {s.steps} / {s.steps}"  # updates done
    panel.advance()
    assert panel.lab_step() == 0
    assert panel.playback.label_text() == f"step 0 / {s.steps}"  # the start, before any
    for _ in range(5):
        panel.advance()
    x, y = panel.lab_ce_a.getData()
    np.testing.assert_array_equal(x, np.arange(6))
    np.testing.assert_allclose(y, ce["a"][:6])
    assert panel.playback.position() == 5
    type_into(qtbot, panel.lr_input, "2")
    ce2 = losses.train_unit(s.x, s.y, s.w0, s.b0, 2.0, s.steps, "bce")
    np.testing.assert_allclose(panel.lab_ce_a_full.getData()[1], ce2["a"])
    type_into(qtbot, panel.lr_input, "0")
    assert "> 0" in panel.lr_input.error()


def test_playback_timer_drives_advance(panel, qtbot):
    panel.playback.play()
    qtbot.waitUntil(lambda: 0 < panel.lab_step() < panel.state.steps, timeout=3000)
    panel.playback.pause()
    assert not panel.playback.timer().isActive()


def test_reset_restores_example(panel, qtbot):
    type_into(qtbot, panel.y_input, "0.3")
    type_into(qtbot, panel.steps_input, "12")
    panel.markers[0].setValue(4.0)
    panel.reset()
    assert panel.state == type(panel.state)()
    assert panel.y_input.line_edit().text() == "1"
    assert panel.steps_input.line_edit().text() == "60"
    assert all(c.passed for c in panel.checks())


def test_pixels_show_both_curves(panel, qtbot):
    array = image_array(panel.loss_plot)
    # Each curve spans the plot: hundreds of pixels of each colour.
    assert count_bluish(array) > 200
    assert count_orangeish(array) > 200
    # The stall band is shaded on the left of the loss plot (y = 1), not on the right.
    band = np.array([248, 231, 217])  # orange at alpha 40 over white
    shaded = np.abs(array.astype(int) - band).sum(axis=2) < 12
    half = array.shape[1] // 2
    assert shaded[:, :half].mean() > 0.05
    assert shaded[:, half:].mean() < 0.001  # a few antialiased curve pixels at most


@pytest.mark.parametrize("text", ["1e308", "-1.7e308", "1e300"])
def test_huge_marker_is_shown_not_a_crash(panel, qtbot, text):
    type_into(qtbot, panel.marker_input, text)
    assert panel.state.marker == float(text)
    assert panel.marker_input.error() == ""
    slider = panel.marker_input.slider()
    assert slider.value() in (slider.minimum(), slider.maximum())
    expected = "1" if float(text) > 0 else "0"
    assert panel.readout_text()["f"] == expected


def test_keys_drive_the_sgd_lab(panel, qtbot):
    panel.setFocus()
    qtbot.keyClick(panel, Qt.Key.Key_Home)
    assert panel.lab_step() == 0 and panel.playback.position() == 0
    qtbot.keyClick(panel, Qt.Key.Key_Right)
    qtbot.keyClick(panel, Qt.Key.Key_Right)
    assert panel.lab_step() == 2
    qtbot.keyClick(panel, Qt.Key.Key_Left)
    assert panel.lab_step() == 1
    qtbot.keyClick(panel, Qt.Key.Key_End)
    assert panel.lab_step() == panel.state.steps
    qtbot.keyClick(panel, Qt.Key.Key_Space)
    assert panel.playback.is_playing()
    qtbot.keyClick(panel, Qt.Key.Key_Space)
    assert not panel.playback.is_playing()


def test_a_run_too_large_to_plot_is_refused_with_a_message(panel, qtbot):
    """b = -1e308 keeps the model's run finite, but an axis around it would span inf: refuse."""
    before = panel.lab_history("bce")["a"].copy()
    for text in ("-1e308", "1e200"):
        type_into(qtbot, panel.b_input, text)
        assert "too large to plot" in panel.b_input.error()
        np.testing.assert_array_equal(panel.lab_history("bce")["a"], before)
        (_, (low, high)) = panel.lab_a_plot.viewRange()
        assert np.isfinite(low) and np.isfinite(high)
    type_into(qtbot, panel.b_input, "1e90")  # still plottable: |a| stays below 1e100
    assert panel.b_input.error() == ""
    a = panel.lab_history("mse")["a"]
    assert 1e89 < np.max(np.abs(a)) < 1e100


def _points_under(plot, rect):
    """Curve samples and segment midpoints of ``plot`` inside ``rect`` (widget pixels)."""
    count = 0
    for layer in plot.layers():
        if getattr(layer, "xData", None) is None or not layer.isVisible():
            continue
        x, y = plot.to_widget(layer.xData, layer.yData)
        x = np.concatenate([x, (x[1:] + x[:-1]) / 2])
        y = np.concatenate([y, (y[1:] + y[:-1]) / 2])
        count += int(np.count_nonzero((x >= rect.left()) & (x <= rect.right())
                                      & (y >= rect.top()) & (y <= rect.bottom())))
    return count


@pytest.mark.parametrize("size", [(1280, 800), (1010, 720)])
@pytest.mark.parametrize("y", ["1", "0", "0.5"])
def test_legends_sit_clear_of_the_curves_and_show_their_samples(panel, qtbot, size, y):
    panel.resize(*size)
    type_into(qtbot, panel.y_input, y)
    # The legends move once the data has settled for 150 ms, and after a resize.
    qtbot.waitUntil(lambda: not any(p.legend_pending() for p in (
        panel.loss_plot, panel.grad_plot, panel.lab_loss_plot, panel.lab_a_plot)))
    qtbot.wait(10)
    short_names = {"CE", "MSE"}
    for plot in (panel.loss_plot, panel.grad_plot, panel.lab_loss_plot, panel.lab_a_plot):
        image = image_array(plot)
        legend = plot.getPlotItem().legend
        rect = legend.sceneBoundingRect()
        view = plot.view_rect()
        assert view.contains(rect), plot
        # No corner would cover fewer points with these names; the default covers none.
        corner, short = plot.legend_corner()
        covered = _points_under(plot, rect)
        for c in ((0, 0), (1, 0), (0, 1), (1, 1)):
            other = rect.translated((view.right() - 8 - rect.right()) if c[0] else
                                    (view.left() + 8 - rect.left()),
                                    (view.bottom() - 8 - rect.bottom()) if c[1] else
                                    (view.top() + 8 - rect.top()))
            assert covered <= _points_under(plot, other)
        if y == "1" and plot in (panel.loss_plot, panel.grad_plot):
            assert covered == 0
        # Right or left, top or bottom: the legend is 8 px in from that corner.
        assert abs((rect.right() if corner[0] else rect.left())
                   - (view.right() - 8 if corner[0] else view.left() + 8)) < 1.5
        names = [label.text for _, label in legend.items]
        assert (set(names) == short_names) == short
        # Both line samples are drawn: a blue and an orange stroke inside the legend.
        box = rect.toAlignedRect()
        inside = image[box.top():box.bottom(), box.left():box.left() + 40]
        assert count_bluish(inside) >= 8 and count_orangeish(inside) >= 8
    # The formulas are kept wherever they fit.
    wide = size == (1280, 800)
    assert ("CE: f − y" in [label.text for _, label in panel.grad_plot.getPlotItem().legend.items]
            ) == wide


def test_an_export_right_after_a_change_shows_the_legends_where_they_go(panel, qtbot):
    type_into(qtbot, panel.y_input, "0")  # the curves mirror: the legends change corner
    assert panel.loss_plot.legend_pending()
    panel.prepare_export()  # what the export and the copy do, then grab at once
    plots = (panel.loss_plot, panel.grad_plot, panel.lab_loss_plot, panel.lab_a_plot)
    immediate = [image_array(plot) for plot in plots]
    assert panel.loss_plot.legend_corner() == ((0, 0), False)
    qtbot.waitUntil(lambda: not panel.loss_plot.legend_pending())
    qtbot.wait(20)
    for plot, before in zip(plots, immediate, strict=True):
        assert np.array_equal(before, image_array(plot))


def test_a_hidden_panel_exported_at_another_size_places_its_legends_for_that_size(qtbot):
    from PySide6.QtWidgets import QStackedWidget, QWidget

    stack = QStackedWidget()
    qtbot.addWidget(stack)
    other, panel = QWidget(), LossPanel()
    stack.addWidget(other)
    stack.addWidget(panel)
    stack.setCurrentWidget(panel)
    stack.resize(1280, 800)
    stack.show()
    qtbot.waitExposed(stack)
    qtbot.wait(20)
    assert not panel.grad_plot.legend_corner()[1]  # wide: the formulas
    stack.setCurrentWidget(other)
    stack.resize(1010, 720)
    qtbot.wait(20)
    # As the main window exports a panel that is not showing: resize, prepare, grab.
    panel.resize(stack.size())
    panel.prepare_export()
    image = image_array(panel)
    plot = panel.grad_plot
    corner, short = plot.legend_corner()
    assert short and [label.text for _, label in plot.getPlotItem().legend.items] == \
        ["CE", "MSE"]
    rect = plot.getPlotItem().legend.sceneBoundingRect()
    assert plot.view_rect().contains(rect)
    # Its line samples are in the picture: blue and orange strokes inside the legend.
    box = rect.toAlignedRect().translated(plot.mapTo(panel, plot.rect().topLeft()))
    inside = image[box.top():box.bottom(), box.left():box.left() + 40]
    assert count_bluish(inside) >= 8 and count_orangeish(inside) >= 8


@pytest.mark.parametrize("size", [(1280, 800), (1010, 720)])
def test_the_marker_passes_behind_the_mse_stalls_label(panel, qtbot, size):
    """At the default a = −6 the dashed marker runs through the label's column."""
    panel.resize(*size)
    panel.prepare_export()
    for plot, label, marker in zip((panel.loss_plot, panel.grad_plot), panel.stall_labels,
                                   panel.markers[1:], strict=True):
        box, _ = label._box(plot, plot.devicePixelRatioF())
        x, _ = plot.to_widget(np.array([marker.value()]), np.zeros(1))
        assert box.left() < x[0] < box.right()  # the case this test is about
        image = image_array(plot).astype(int)
        inner = box.adjusted(2, 2, -2, -2).toAlignedRect()
        column = image[inner.top():inner.bottom(), round(x[0]) - 1:round(x[0]) + 2]
        # The marker's grey (#555555) does not show inside the label's box...
        grey = (np.abs(column - 0x55).max(axis=2) < 20).sum()
        assert grey == 0
        # ...but does below it, down the column.
        below = image[inner.bottom() + 6:inner.bottom() + 60, round(x[0]) - 1:round(x[0]) + 2]
        assert (np.abs(below - 0x55).max(axis=2) < 20).sum() > 10
        # And the words are drawn: dark-orange text pixels inside the box.
        text = image[inner.top():inner.bottom(), inner.left():inner.right()]
        assert count_orangeish(text) > 0 or ((text[..., 0] - text[..., 2]) > 60).sum() > 20


def test_dragging_the_marker_past_the_plot_edge_stops_it_at_the_edge(panel, qtbot):
    from PySide6.QtCore import QPoint

    plot = panel.loss_plot
    panel.prepare_export()
    plot.repaint()
    x, y = plot.to_widget(np.array([panel.state.marker]), np.array([5.0]))
    start = QPoint(round(float(x[0])), round(float(y[0])))
    qtbot.mousePress(plot, Qt.MouseButton.LeftButton, pos=start)
    for px in (start.x() - 20, 3, 1):  # out past the y axis
        qtbot.mouseMove(plot, QPoint(px, start.y()))
    qtbot.mouseRelease(plot, Qt.MouseButton.LeftButton, pos=QPoint(1, start.y()))
    s = panel.state
    assert s.marker == s.a_min == -10.0
    assert all(marker.value() == -10.0 for marker in panel.markers)
    assert panel.marker_input.value() == -10.0
    assert panel.readout_text()["f"] == f"{float(sigmoid(-10.0)):.6g}"
