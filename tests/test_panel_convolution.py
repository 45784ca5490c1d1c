from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QImage

from explorer import assets
from explorer.model import conv
from explorer.panels.convolution import (
    PHOTO_CROP,
    SAMPLE_PHOTO,
    ConvolutionPanel,
    ConvolutionState,
    photo_crop,
)
from explorer.views.scenes import RowScene
from explorer.views.text import short_number
from explorer.widgets.cell_style import GHOST_FILL, OUTPUT_FILL, STEP_COLOR
from explorer.widgets.images import rgb_array
from explorer.widgets.matrix_input import format_matrix, parse_matrix
from tests.conftest import type_into
from tests.pixels import on_screen, pixel

PANEL = ConvolutionPanel

SEED_GRID = np.array(conv.SEED_GRID)
#: The sample photo as the checkout has it, read without the app's lookup.
PHOTO = Path(__file__).resolve().parents[1] / "resources" / SAMPLE_PHOTO
SEED_KERNEL2D = np.array(conv.SEED_KERNEL2D)


def type_matrix(qtbot, matrix_input, text):
    edit = matrix_input.text_edit()
    edit.setFocus()
    edit.selectAll()
    edit.insertPlainText(text)
    qtbot.keyClick(edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)


def loops2d(x, w, stride=1, padding=0, dilation=1, flip=False):
    """Written from the definition, independently of the model and the panel's oracle."""
    k = w[::-1, ::-1] if flip else w
    p = np.zeros((x.shape[0] + 2 * padding, x.shape[1] + 2 * padding))
    p[padding:padding + x.shape[0], padding:padding + x.shape[1]] = x
    span = (dilation * (k.shape[0] - 1) + 1, dilation * (k.shape[1] - 1) + 1)
    rows = range(0, p.shape[0] - span[0] + 1, stride)
    cols = range(0, p.shape[1] - span[1] + 1, stride)
    return np.array([[np.sum(p[r:r + span[0]:dilation, c:c + span[1]:dilation] * k)
                      for c in cols] for r in rows])






def near(rgb, expected, tolerance=12):
    return all(abs(a - b) <= tolerance for a, b in zip(rgb, expected, strict=True))


def over_white(color: str, alpha: int) -> tuple[int, int, int]:
    c = QColor(color)
    a = alpha / 255
    return tuple(round(255 + (v - 255) * a) for v in (c.red(), c.green(), c.blue()))


def corner(rect):
    """A point inside a cell, away from its centred number and its border."""
    return QPointF(rect.left() + 0.2 * rect.width(), rect.top() + 0.2 * rect.height())


# --- the homework's example --------------------------------------------------------------------


def test_default_is_question_4_3_full_convolution(panel):
    assert panel.state == ConvolutionState()
    scene = panel.row_view.scene()
    np.testing.assert_array_equal(scene.cells, [0, 0, 1, 2, 3, 4, 0, 0])
    np.testing.assert_array_equal(scene.ghost, [1, 1, 0, 0, 0, 0, 1, 1])
    np.testing.assert_array_equal(scene.kernel, [1, 0, 2])  # flipped, as applied
    np.testing.assert_array_equal(scene.outputs, np.convolve([1, 2, 3, 4], [2, 0, 1]))
    np.testing.assert_array_equal(scene.outputs, [2, 4, 7, 10, 3, 4])
    # A new setting is shown finished: the window sits on the last output.
    assert panel.frame() == 5 and panel.playback.position() == 5
    assert panel.playback.count() == 6
    assert panel.row_view.caption() == "y₆ = 4·1 + 0·0 + 0·2 = 4"
    text = panel.comparison.toPlainText()
    assert "with flipping (convolution, np.convolve): [2, 4, 7, 10, 3, 4]" in text
    assert "without flipping (cross-correlation, np.correlate): [1, 2, 5, 8, 6, 8]" in text
    assert "homework" in text and "2 zeros on each side" in text
    checks = panel.checks()
    assert len(checks) == 3 and all(c.passed for c in checks)
    assert [b.check().name for b in panel.checks_strip.badges()] == [c.name for c in checks]


def test_stepping_moves_the_window_and_fills_the_output(panel):
    view = panel.row_view
    panel.advance()  # wraps from the last output to the first
    assert panel.frame() == 0
    assert view.caption() == "y₁ = 0·1 + 0·0 + 1·2 = 2"
    start = view.kernel_rect(0).left()
    assert start == view.cell_rect(0).left()
    panel.advance()
    assert panel.frame() == 1 and panel.playback.position() == 1
    assert view.kernel_rect(0).left() == pytest.approx(start + view.cell_rect(1).width())
    assert view.caption() == "y₂ = 0·1 + 1·0 + 2·2 = 4"
    for _ in range(2):
        panel.advance()
    assert view.caption() == "y₄ = 2·1 + 3·0 + 4·2 = 10"
    # Pixels: the current output is tinted like its window, earlier ones are filled, later empty.
    step_tint = over_white(STEP_COLOR, 55)
    assert near(pixel(view, corner(view.output_rect(3))), step_tint)
    assert near(pixel(view, corner(view.cell_rect(3))), step_tint)  # x₂ is under the window
    assert near(pixel(view, corner(view.output_rect(1))), QColor(OUTPUT_FILL).getRgb()[:3])
    assert near(pixel(view, corner(view.output_rect(4))), (255, 255, 255))
    assert near(pixel(view, corner(view.cell_rect(0))), QColor(GHOST_FILL).getRgb()[:3])
    assert near(pixel(view, corner(view.cell_rect(2))), (255, 255, 255))  # x₁: left behind
    # The output cell shows the model's number.
    assert short_number(view.scene().outputs[3]) == "10"


def test_flip_switch_gives_the_other_list(panel, qtbot):
    qtbot.mouseClick(panel.flip_1d, Qt.MouseButton.LeftButton)
    assert panel.state.one.flip is False
    scene = panel.row_view.scene()
    np.testing.assert_array_equal(scene.outputs, np.correlate([1, 2, 3, 4], [2, 0, 1], "full"))
    np.testing.assert_array_equal(scene.outputs, [1, 2, 5, 8, 6, 8])
    np.testing.assert_array_equal(scene.kernel, [2, 0, 1])
    assert panel.checks()[0].name == "1-D = np.correlate" and panel.checks()[0].passed
    html = panel.comparison.toPlainText()
    assert html.index("◀ shown") > html.index("without flipping")
    qtbot.mouseClick(panel.flip_1d, Qt.MouseButton.LeftButton)
    np.testing.assert_array_equal(panel.row_view.scene().outputs, [2, 4, 7, 10, 3, 4])


def test_symmetric_kernel_says_flipping_changes_nothing(panel, qtbot):
    type_into(qtbot, panel.w_input, "1 2 1")
    assert "flipping changes nothing" in panel.comparison.toPlainText()
    np.testing.assert_array_equal(panel.row_view.scene().outputs, np.convolve([1, 2, 3, 4],
                                                                              [1, 2, 1]))


@pytest.mark.parametrize("mode, flip, expected", [
    ("valid", True, [7, 10]), ("same", True, [4, 7, 10, 3]),
    ("valid", False, [5, 8]), ("same", False, [2, 5, 8, 6]),
])
def test_modes(panel, mode, flip, expected):
    panel.flip_1d.setChecked(flip)
    panel.mode_box.setCurrentText(mode)
    scene = panel.row_view.scene()
    reference = (np.convolve if flip else np.correlate)([1, 2, 3, 4], [2, 0, 1], mode)
    np.testing.assert_array_equal(scene.outputs, reference)
    np.testing.assert_array_equal(scene.outputs, expected)
    pads = 1 if mode == "same" else 0
    assert scene.ghost.sum() == 2 * pads and scene.cells.size == 4 + 2 * pads
    assert panel.playback.count() == len(expected)
    assert all(c.passed for c in panel.checks())


def test_same_with_an_even_kernel_puts_the_extra_zero_on_the_left(panel, qtbot):
    panel.mode_box.setCurrentText("same")
    type_into(qtbot, panel.w_input, "1, 2, 3, 4")
    scene = panel.row_view.scene()
    np.testing.assert_array_equal(scene.ghost, [1, 1, 0, 0, 0, 0, 1])  # 2 zeros left, 1 right
    assert conv.same_padding(4, 4) == (2, 1)
    x, w = np.array([1.0, 2, 3, 4]), np.array([1.0, 2, 3, 4])
    np.testing.assert_array_equal(scene.outputs, np.convolve(x, w, "same"))
    text = panel.comparison.toPlainText()
    assert "even kernel (k = 4)" in text and "left: 2 before the input, 1 after" in text


@pytest.mark.parametrize("seed", range(4))
def test_random_vectors_match_numpy(panel, qtbot, seed):
    rng = np.random.default_rng(seed)
    x = rng.integers(-5, 6, rng.integers(3, 9)).astype(float)
    w = rng.integers(-3, 4, rng.integers(1, 4)).astype(float)
    type_into(qtbot, panel.x_input, ", ".join(f"{v:g}" for v in x))
    type_into(qtbot, panel.w_input, " ".join(f"{v:g}" for v in w))
    for mode in conv.MODES:
        panel.mode_box.setCurrentText(mode)
        np.testing.assert_allclose(panel.row_view.scene().outputs, np.convolve(x, w, mode))
        assert all(c.passed for c in panel.checks())


# --- bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize("text, message", [
    ("abc", "not a number"), ("", "empty"), ("1, nan", "entry 2: 'nan' is not a number"),
    ("1, inf", "finite"),
    (", ".join(["1"] * 17), "at most 16"),
])
def test_bad_vector_shows_message_and_keeps_state(panel, qtbot, text, message):
    before = panel.row_view.scene()
    type_into(qtbot, panel.x_input, text)
    assert message in panel.x_input.error()
    assert panel.state == ConvolutionState()
    assert panel.row_view.scene() is before
    type_into(qtbot, panel.x_input, "1 2")
    assert panel.x_input.error() == ""
    assert panel.state.one.x == (1.0, 2.0)


def test_kernel_longer_than_input_in_valid_mode(panel, qtbot):
    panel.mode_box.setCurrentText("valid")
    before = panel.row_view.scene()
    type_into(qtbot, panel.w_input, "1 2 3 4 5")
    assert "kernel (5) is longer than the input (4)" in panel.w_input.error()
    assert panel.state.one.w == (2.0, 0.0, 1.0) and panel.row_view.scene() is before
    # Full mode accepts the kernel that is still typed in the field.
    panel.mode_box.setCurrentText("full")
    assert panel.state.one.w == (1, 2, 3, 4, 5) and panel.w_input.error() == ""
    np.testing.assert_array_equal(panel.row_view.scene().outputs,
                                  np.convolve([1, 2, 3, 4], [1, 2, 3, 4, 5]))
    # Now choosing valid is what is wrong: the mode goes back and the message says why.
    panel.mode_box.setCurrentText("valid")
    assert panel.mode_box.currentText() == "full" and panel.state.one.mode == "full"
    assert "valid mode needs k ≤ d" in panel.refusal.text() and panel.refusal.isVisible()


# --- 2-D --------------------------------------------------------------------------------------


def show_2d(panel):
    panel.tabs.setCurrentIndex(1)
    assert panel.state.view == "2d" and panel.controls_stack.currentIndex() == 1


def test_2d_default_grid(panel):
    show_2d(panel)
    scene = panel.grid_view.scene()
    expected = loops2d(SEED_GRID, SEED_KERNEL2D)
    np.testing.assert_array_equal(expected, [[12, 12, 17], [10, 17, 19], [9, 6, 14]])
    np.testing.assert_array_equal(scene.outputs, expected)
    assert not scene.ghost.any() and scene.cells.shape == (5, 5)
    assert panel.playback.count() == 9 and panel.frame() == 8
    panel.advance()
    assert panel.frame() == 0
    assert panel.grid_view.caption() == ("y₁,₁ = 3·0 + 3·1 + 2·2 + 0·2 + 0·2 + 1·0 + 3·0 + 1·1 "
                                         "+ 2·2 = 12")
    panel.advance()
    view = panel.grid_view
    window = view.window_rect()
    assert window == view.input_rect(0, 1).united(view.input_rect(2, 3))
    step_tint = over_white(STEP_COLOR, 60)
    assert near(pixel(view, corner(view.output_rect(1))), step_tint)
    assert near(pixel(view, corner(view.output_rect(0))), QColor(OUTPUT_FILL).getRgb()[:3])
    assert near(pixel(view, corner(view.output_rect(2))), (255, 255, 255))
    assert near(pixel(view, QPointF(view.input_rect(1, 1).left() + 4,
                                    view.input_rect(1, 1).bottom() - 4)), step_tint)
    assert "o = ⌊(5 + 2·0 − 1·(3 − 1) − 1) / 1⌋ + 1 = 3" in panel.formula_view.toolTip()
    assert all(c.passed for c in panel.checks())


@pytest.mark.parametrize("name", conv.PRESETS_2D)
def test_presets(panel, qtbot, name):
    show_2d(panel)
    qtbot.mouseClick(panel.preset_buttons[name], Qt.MouseButton.LeftButton)
    stride, padding, dilation = conv.preset2d(name, (3, 3))
    two = panel.state.two
    assert (two.stride, two.padding, two.dilation) == (stride, padding, dilation)
    assert panel.stride_input.value() == stride and panel.padding_input.value() == padding
    expected = loops2d(SEED_GRID, SEED_KERNEL2D, stride, padding, dilation)
    scene = panel.grid_view.scene()
    np.testing.assert_array_equal(scene.outputs, expected)
    assert scene.ghost.sum() == (5 + 2 * padding) ** 2 - 25
    o = expected.shape[0]
    formula = f"⌊(5 + 2·{padding} − {dilation}·(3 − 1) − 1) / {stride}⌋ + 1 = {o}"
    assert formula in panel.formula_view.toolTip()
    assert formula in panel.preset_table.toPlainText()
    assert panel.playback.count() == expected.size
    assert all(c.passed for c in panel.checks())


def test_2d_controls_and_flip(panel, qtbot):
    show_2d(panel)
    type_into(qtbot, panel.stride_input, "2")
    type_into(qtbot, panel.padding_input, "1")
    qtbot.mouseClick(panel.flip_2d, Qt.MouseButton.LeftButton)
    np.testing.assert_array_equal(panel.grid_view.scene().outputs,
                                  loops2d(SEED_GRID, SEED_KERNEL2D, 2, 1, 1, flip=True))
    np.testing.assert_array_equal(panel.grid_view.scene().kernel, SEED_KERNEL2D[::-1, ::-1])
    type_matrix(qtbot, panel.kernel_input, "1 0\n0 -1")
    assert panel.state.two.w == ((1.0, 0.0), (0.0, -1.0))
    np.testing.assert_array_equal(panel.grid_view.scene().outputs,
                                  loops2d(SEED_GRID, np.array([[1.0, 0], [0, -1]]), 2, 1, 1, True))
    # A 2 x 3 input with a 2 x 2 kernel: rows and columns get their own formula.
    type_matrix(qtbot, panel.grid_input, "1 2 3; 4 5 6")
    assert panel.formula_view_w.isVisible()
    assert "columns" in panel.formula_view_w.toolTip()
    assert all(c.passed for c in panel.checks())


@pytest.mark.parametrize("field, text, message", [
    ("stride_input", "0", "stride must be ≥ 1"),
    ("stride_input", "1.5", "stride must be a whole number"),
    ("padding_input", "-1", "padding must be ≥ 0"),
    ("dilation_input", "3", "(dilated to 7x7) is larger than the padded input (5x5)"),
    ("stride_input", "x", "not a number"),
])
def test_bad_2d_numbers(panel, qtbot, field, text, message):
    show_2d(panel)
    before = panel.grid_view.scene()
    type_into(qtbot, getattr(panel, field), text)
    assert message in getattr(panel, field).error()
    assert panel.state.two == ConvolutionState().two
    assert panel.grid_view.scene() is before


@pytest.mark.parametrize("field, text, message", [
    ("grid_input", "1 2; 3", "row 2 has 1 number but row 1 has 2"),
    ("grid_input", "1 x", "row 1, entry 2: 'x' is not a number"),
    ("kernel_input", "", "empty"),
    ("kernel_input", "1 1 1 1 1 1", "the kernel is 1 × 6; at most 5 × 5 fit on screen"),
])
def test_bad_matrices(panel, qtbot, field, text, message):
    show_2d(panel)
    type_matrix(qtbot, getattr(panel, field), text)
    assert message in getattr(panel, field).error()
    assert panel.state.two == ConvolutionState().two


def test_input_smaller_than_the_kernel_until_padded(panel, qtbot):
    show_2d(panel)
    type_matrix(qtbot, panel.grid_input, "1 2; 3 4")
    assert "kernel (3x3) is larger than the padded input (2x2)" in panel.grid_input.error()
    assert panel.state.two == ConvolutionState().two
    # Full padding makes room for the grid still typed in the field.
    qtbot.mouseClick(panel.preset_buttons["full padding"], Qt.MouseButton.LeftButton)
    assert panel.grid_input.error() == "" and panel.state.two.padding == 2
    x = np.array([[1.0, 2], [3, 4]])
    np.testing.assert_array_equal(panel.grid_view.scene().outputs,
                                  loops2d(x, SEED_KERNEL2D, 1, 2, 1))
    table = panel.preset_table.toPlainText()
    assert "no padding, unit stride" in table and "kernel larger than the padded input" in table
    # Choosing "no padding" now is what does not fit: the message says so, nothing changes.
    qtbot.mouseClick(panel.preset_buttons["no padding, unit stride"], Qt.MouseButton.LeftButton)
    assert "larger than the padded input" in panel.refusal.text()
    assert panel.state.two.padding == 2 and panel.padding_input.value() == 2


def test_photo_crop_as_input(panel, qtbot):
    show_2d(panel)
    panel.source_box.setCurrentIndex(1)
    assert panel.state.two.source == "photo"
    # The crop, read independently: Qt decodes the PNG, the luma weights are applied here.
    rgb = rgb_array(QImage(str(PHOTO))).astype(float)
    top, left, size = PHOTO_CROP
    expected = np.rint(rgb[top:top + size, left:left + size] @ [0.299, 0.587, 0.114])
    x = np.array(panel.state.two.x)
    np.testing.assert_array_equal(x, expected)
    assert x.shape == (8, 8) and 0 <= x.min() and x.max() <= 255
    np.testing.assert_array_equal(panel.grid_input.value(), expected)
    scene = panel.grid_view.scene()
    assert scene.shade
    np.testing.assert_array_equal(scene.outputs, loops2d(expected, SEED_KERNEL2D))
    assert all(c.passed for c in panel.checks())
    # Drawn like an image: the darkest pixel is (near) black, the brightest (near) white.
    view = panel.grid_view
    dark = np.unravel_index(np.argmin(expected), expected.shape)
    bright = np.unravel_index(np.argmax(expected), expected.shape)
    assert near(pixel(view, corner(view.input_rect(*dark))), (0, 0, 0), 20)
    assert near(pixel(view, corner(view.input_rect(*bright))), (255, 255, 255), 20)
    panel.source_box.setCurrentIndex(0)
    np.testing.assert_array_equal(np.array(panel.state.two.x), SEED_GRID)
    assert not panel.grid_view.scene().shade


def test_a_missing_photo_is_named_in_red_and_the_grid_stays(panel, qtbot, tmp_path,
                                                            monkeypatch):
    show_2d(panel)
    photo_crop.cache_clear()  # an earlier test may have read the real photo
    monkeypatch.setattr(assets, "folder", lambda: tmp_path)  # an empty place to look in
    panel.source_box.setCurrentIndex(1)
    message = panel.refusal.text()
    assert message == f"The sample photo {SAMPLE_PHOTO} is missing: looked in {tmp_path}."
    assert panel.refusal.isVisibleTo(panel)
    r, g, b = (rgb_array(panel.refusal.grab().toImage())[..., i].astype(int) for i in range(3))
    assert ((r > 120) & (r - g > 80) & (r - b > 70)).sum() > 100  # drawn in red
    # The panel keeps what it showed: the integers, and the box says so.
    assert panel.state.two.source == "integers" and panel.source_box.currentIndex() == 0
    np.testing.assert_array_equal(np.array(panel.state.two.x), SEED_GRID)
    np.testing.assert_array_equal(panel.grid_input.value(), SEED_GRID)
    # Once the photo is back, the same choice works and the message goes.
    monkeypatch.undo()
    panel.source_box.setCurrentIndex(1)
    assert panel.state.two.source == "photo" and not panel.refusal.isVisibleTo(panel)
    assert np.array(panel.state.two.x).shape == (8, 8)


# --- playback, keys, hover, reset ---------------------------------------------------------------


def test_keys_drive_playback(panel, qtbot):
    panel.setFocus()
    qtbot.keyClick(panel, Qt.Key.Key_Home)
    assert panel.frame() == 0
    qtbot.keyClick(panel, Qt.Key.Key_Right)
    qtbot.keyClick(panel, Qt.Key.Key_Right)
    assert panel.frame() == 2 and panel.row_view.frame() == 2
    qtbot.keyClick(panel, Qt.Key.Key_Left)
    assert panel.frame() == 1
    qtbot.keyClick(panel, Qt.Key.Key_End)
    assert panel.frame() == 5
    qtbot.keyClick(panel, Qt.Key.Key_Space)
    assert panel.playback.is_playing()
    qtbot.keyClick(panel, Qt.Key.Key_Space)
    assert not panel.playback.is_playing()


def test_scrubber_and_timer(panel, qtbot):
    panel.playback.go_first()
    assert panel.frame() == 0 and panel.row_view.frame() == 0
    panel.playback._speed.setCurrentText("60 steps/s")
    panel.playback.play()
    qtbot.waitUntil(lambda: panel.frame() >= 3, timeout=3000)
    panel.playback.pause()
    assert not panel.playback.timer().isActive()


def test_hover_shows_the_window_of_an_output(panel, qtbot):
    view = panel.row_view
    target = view.output_rect(2).center()
    qtbot.mouseMove(view, QPoint(int(target.x()), int(target.y())))
    qtbot.waitUntil(lambda: view.hovered() == 2, timeout=2000)
    np.testing.assert_array_equal(view.scene().windows[2], [2, 3, 4])
    assert view.caption() == "y₃ = 1·1 + 2·0 + 3·2 = 7"
    qtbot.mouseMove(view, QPoint(5, 5))
    qtbot.waitUntil(lambda: view.hovered() == -1, timeout=2000)
    assert view.caption().startswith("y₆ = ")


def test_grid_hover(panel, qtbot):
    show_2d(panel)
    view = panel.grid_view
    target = view.output_rect(4).center()
    qtbot.mouseMove(view, QPoint(int(target.x()), int(target.y())))
    qtbot.waitUntil(lambda: view.hovered() == 4, timeout=2000)
    assert view.caption().startswith("y₂,₂ = ") and view.caption().endswith("= 17")
    assert view.window_rect(4) == view.input_rect(1, 1).united(view.input_rect(3, 3))


@pytest.mark.parametrize("tab", [0, 1])
def test_partial_repaints_match_a_full_render(panel, qtbot, tab):
    """A frame repaints only the band the window moved through; nothing stale may remain."""
    panel.tabs.setCurrentIndex(tab)
    view = panel.row_view if tab == 0 else panel.grid_view

    def stale_pixels():
        difference = np.abs(on_screen(view).astype(int) - rgb_array(view.grab().toImage()))
        return int((difference.sum(axis=2) > 30).sum())

    # The new tab's page is laid out and painted whole first (a few event-loop turns).
    qtbot.waitUntil(lambda: stale_pixels() == 0, timeout=2000)
    for _ in range(panel.playback.count() + 2):  # through the wrap back to the first output
        panel.advance()
        qtbot.wait(1)
        assert stale_pixels() == 0


def test_reset_restores_the_example(panel, qtbot):
    type_into(qtbot, panel.x_input, "5 6 7")
    panel.mode_box.setCurrentText("same")
    panel.flip_1d.setChecked(False)
    show_2d(panel)
    qtbot.mouseClick(panel.preset_buttons["stride 2"], Qt.MouseButton.LeftButton)
    panel.source_box.setCurrentIndex(1)
    panel.reset()
    assert panel.state == ConvolutionState()
    assert panel.x_input.line_edit().text() == "1, 2, 3, 4"
    assert panel.mode_box.currentText() == "full" and panel.flip_1d.isChecked()
    assert panel.stride_input.line_edit().text() == "1"
    assert panel.source_box.currentData() == "integers"
    assert panel.grid_input.text_edit().toPlainText().splitlines()[0] == "3 3 2 1 0"
    assert panel.tabs.currentIndex() == 0 and panel.controls_stack.currentIndex() == 0
    np.testing.assert_array_equal(panel.row_view.scene().outputs, [2, 4, 7, 10, 3, 4])
    assert all(c.passed for c in panel.checks())


def test_bench_changes_keep_the_checks_green(panel):
    for i in range(12):
        panel.bench_change(i)
        assert all(c.passed for c in panel.checks())
    np.testing.assert_array_equal(panel.row_view.scene().outputs, [2, 4, 7, 10, 3, 4])


# --- the reusable pieces ------------------------------------------------------------------------


def test_row_scene_rejects_mismatched_pieces():
    good = dict(cells=np.zeros(4), ghost=np.zeros(4, bool), cell_labels=("",) * 4,
                kernel=np.ones(2), windows=np.array([[0, 1], [1, 2], [2, 3]]),
                products=np.zeros((3, 2)), outputs=np.zeros(3), output_labels=("a", "b", "c"))
    RowScene(**good)
    with pytest.raises(ValueError, match="matching lengths"):
        RowScene(**dict(good, outputs=np.zeros(2)))
    with pytest.raises(ValueError, match="outside the cells"):
        RowScene(**dict(good, windows=np.array([[0, 1], [1, 2], [3, 4]])))


def test_parse_and_format_matrix():
    np.testing.assert_array_equal(parse_matrix("1 2; 3 4"), [[1, 2], [3, 4]])
    np.testing.assert_array_equal(parse_matrix("[[1, 2], [3, 4]]"), [[1, 2], [3, 4]])
    np.testing.assert_array_equal(parse_matrix("1,2\n3,4\n"), [[1, 2], [3, 4]])
    x = np.array([[0.125, -2.0], [1e-3, 7.0]])
    np.testing.assert_array_equal(parse_matrix(format_matrix(x)), x)
    with pytest.raises(ValueError, match="row 2 has 3 numbers but row 1 has 2"):
        parse_matrix("1 2; 3 4 5")


def test_preset_clears_a_rejected_stride(qtbot):
    from PySide6.QtWidgets import QPushButton

    from explorer.panels.convolution import ConvolutionPanel

    panel = ConvolutionPanel()
    qtbot.addWidget(panel)
    edit = panel.stride_input.line_edit()
    edit.setText("0")
    edit.editingFinished.emit()
    assert "stride" in panel.stride_input.error()
    button = next(b for b in panel.findChildren(QPushButton)
                  if "dilation" in str(b.property("preset")))
    button.click()
    assert panel.stride_input.error() == ""
    assert panel.stride_input.line_edit().text() == str(panel.state.two.stride)


def _named_results(text: str) -> dict[str, list[float]]:
    """Every "np.convolve … [a, b, c]" or "np.correlate … [a, b, c]" claim in a text."""
    import re

    found = {}
    for name, values in re.findall(r"(np\.convolve|np\.correlate)[^\[\n]*\[([-\d., ]+)\]", text):
        found.setdefault(name, []).append([float(v) for v in values.split(",")])
    return found


@pytest.mark.parametrize("x, w", [("1, 2, 3", "1, 2, 3, 4"), ("1, 2", "3, 1, 4, 1, 5"),
                                  ("1, 2, 3, 4", "2, 0, 1"), ("5", "1, 2")])
@pytest.mark.parametrize("mode", ["full", "same", "valid"])
def test_what_names_numpy_shows_numpys_result(panel, qtbot, x, w, mode):
    """A label or badge that names np.convolve or np.correlate shows exactly what it returns:
    numpy's "same" has max(d, k) values, the panel's keeps d (centred like scipy)."""
    xs, ws = (np.array([float(v) for v in s.split(",")]) for s in (x, w))
    if mode == "valid" and ws.size > xs.size:
        return
    panel.mode_box.setCurrentText("full")
    type_into(qtbot, panel.x_input, x)
    type_into(qtbot, panel.w_input, w)
    panel.mode_box.setCurrentText(mode)
    assert panel.state.one.mode == mode
    library = {"np.convolve": np.convolve(xs, ws, mode), "np.correlate": np.correlate(xs, ws, mode)}
    claims = _named_results(panel.comparison.toPlainText())
    for name, shown in claims.items():
        for values in shown:
            np.testing.assert_array_equal(values, library[name])
    for check in panel.checks():
        for name in library:
            if check.name.endswith(f"= {name}"):
                np.testing.assert_array_equal(check.reference, library[name])
                assert check.passed
    labelled = 0
    for _, rows in panel.tables().values():
        for row in rows:
            for lib in library:
                if isinstance(row[0], str) and row[0].endswith(f"{lib})"):
                    labelled += 1
                    values = [v for v in row[1:] if v != ""]
                    np.testing.assert_array_equal(values, library[lib])
    assert labelled == (0 if mode == "same" and ws.size > xs.size else 2)
    if mode == "same" and ws.size > xs.size:
        text = panel.comparison.toPlainText()
        assert "max(d, k)" in text and "middle" in text  # which convention, and numpy's
        assert len(panel.state.one.x) == len(panel.view.one.outputs)


def test_valid_is_not_on_offer_while_the_kernel_is_longer(panel, qtbot):
    """With k > d the keyboard walks full → same → full, never onto the refused "valid"."""
    type_into(qtbot, panel.w_input, "1, 2, 3, 4, 5")  # k = 5 > d = 4, in full mode
    valid = panel.mode_box.model().item(list(panel.mode_box.itemText(i)
                                             for i in range(3)).index("valid"))
    assert not valid.isEnabled() and "k ≤ d" in valid.toolTip()
    panel.mode_box.setFocus()
    seen = []
    for _ in range(4):
        qtbot.keyClick(panel.mode_box, Qt.Key.Key_Down)
        seen.append(panel.state.one.mode)
        qtbot.keyClick(panel.mode_box, Qt.Key.Key_Up)
        seen.append(panel.state.one.mode)
    assert "valid" not in seen and "same" in seen
    assert panel.refusal.message() == ""  # nothing was refused
    type_into(qtbot, panel.w_input, "1, 2")  # k ≤ d again: valid is back
    assert valid.isEnabled() and valid.toolTip() == ""
    qtbot.keyClick(panel.mode_box, Qt.Key.Key_End)
    assert panel.state.one.mode == panel.mode_box.itemText(2)
