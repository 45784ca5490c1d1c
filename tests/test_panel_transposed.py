"""The convolution panel's transposed tab: a 2-D convolution's gradient, as a student uses it."""

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt

from explorer.model import conv
from explorer.panels.convolution import ConvolutionPanel
from explorer.views import transposed
from explorer.widgets.cell_style import BACKGROUND, OUTPUT_FILL
from tests.conftest import type_into
from tests.pixels import pixel
from tests.test_panel_convolution import type_matrix

PANEL = ConvolutionPanel


def show_transposed(panel, qtbot):
    qtbot.mouseClick(panel.tabs.tabBar(), Qt.MouseButton.LeftButton,
                     pos=panel.tabs.tabBar().tabRect(2).center())
    assert panel.state.view == "transposed"
    return panel.view.three


def rgb(color: str) -> tuple[int, int, int]:
    value = int(color[1:], 16)
    return value >> 16, (value >> 8) & 255, value & 255


def test_the_tab_opens_on_the_2d_tabs_layer_with_its_own_checks(panel, qtbot):
    view = show_transposed(panel, qtbot)
    assert panel.controls_stack.currentIndex() == 2
    assert panel.pictures.currentWidget() is panel.stamp_view
    assert panel.stamp_view.scene() is view.scatter
    np.testing.assert_array_equal(view.outputs, conv.conv_transpose2d(
        conv.SEED_UPSTREAM2D, conv.SEED_KERNEL2D))
    # Shown finished, like the other tabs: the playback is on the last of nine stamps.
    assert panel.playback.count() == 9 and panel.frame() == 8
    names = [check.name for check in panel.checks()]
    assert names[0] == "∂L/∂X by finite differences" and all(c.passed for c in panel.checks())
    assert "= 5" in panel.transposed_formula.toolTip()
    text = panel.transposed_text.toPlainText()
    assert "X (5 × 5)" in text and "Y (3 × 3)" in text and "g = ∂L/∂Y (3 × 3)" in text
    assert [q.kind for q in panel.quiz()] == ["transposed_entry", "transposed_shape"]
    assert panel.quiz()[1].answer == (5.0, 5.0)


def test_stepping_paints_the_sums_so_far(panel, qtbot):
    show_transposed(panel, qtbot)
    panel.seek(0)
    view = panel.stamp_view
    # After the first stamp, g₁,₁ = 1 has added 1·w to the top-left 3 × 3 block only.
    assert view.frame() == 0
    below_text = QPointF(view.output_rect(0, 4).width() / 3, view.output_rect(0, 4).height() / 3)
    lit = view.output_rect(1, 1).center() + below_text
    later = view.output_rect(0, 4).center() + below_text
    assert pixel(view, later) == rgb(BACKGROUND)  # not stamped yet
    assert pixel(view, lit) not in (rgb(BACKGROUND), rgb(OUTPUT_FILL))  # the stamp's tint
    panel.seek(8)
    assert pixel(view, later) == rgb(OUTPUT_FILL)  # a sum, no longer lit
    assert pixel(view, lit) == rgb(OUTPUT_FILL)
    assert view.caption() == "g₃,₃ = 2 adds 2·w to rows 3–5, columns 3–5"


@pytest.mark.parametrize("picture, widget, frames", [
    ("gather", "gather_view", 25), ("counts", "stamp_view", 9), ("matrix", "transpose_view", 9),
    ("scatter", "stamp_view", 9),
])
def test_each_picture_has_its_view_and_steps(panel, qtbot, picture, widget, frames):
    view = show_transposed(panel, qtbot)
    panel.picture_box.setCurrentIndex(panel.picture_box.findData(picture))
    assert panel.state.three.picture == picture
    assert panel.pictures.currentWidget() is getattr(panel, widget)
    assert panel.playback.count() == frames and panel.frame() == frames - 1
    expected = {"gather": "gather", "counts": "ones", "matrix": "transpose",
                "scatter": "scatter"}[picture]
    assert getattr(panel, widget).scene() is getattr(panel.view.three, expected)
    assert view.outputs is panel.view.three.outputs  # a new picture computes nothing again


def test_a_bad_output_padding_is_refused_at_its_field_and_waits(panel, qtbot):
    show_transposed(panel, qtbot)
    before = panel.view.three.outputs.copy()
    field = panel.transposed_numbers["output_padding"]
    type_into(qtbot, field, "1")
    assert "output_padding 0" in field.error() and "max(stride, dilation) = 1" in field.error()
    assert panel.state.three.output_padding == 0
    np.testing.assert_array_equal(panel.view.three.outputs, before)
    assert panel.transposed_numbers["stride"].error() == ""
    # A stride of 2 makes it valid: the waiting 1 applies with it (an odd output size).
    type_into(qtbot, panel.transposed_numbers["stride"], "2")
    assert (panel.state.three.stride, panel.state.three.output_padding) == (2, 1)
    assert field.error() == "" and panel.view.three.outputs.shape == (8, 8)


def test_too_much_padding_names_the_largest_that_works(panel, qtbot):
    show_transposed(panel, qtbot)
    field = panel.transposed_numbers["padding"]
    type_into(qtbot, field, "3")
    assert "use padding ≤ 2" in field.error() and panel.state.three.padding == 0
    type_matrix(qtbot, panel.upstream_input, "1 1 1 1 1 1 1 1")
    assert "at most 7 × 7" in panel.upstream_input.error()
    assert panel.state.three.g == transposed.Transposed().g


@pytest.mark.parametrize("name", list(transposed.PRESETS))
def test_presets_set_every_field_and_the_formula(panel, qtbot, name):
    show_transposed(panel, qtbot)
    panel.edit(None, three__dilation=2)
    qtbot.mouseClick(panel.transposed_presets[name], Qt.MouseButton.LeftButton)
    fields = transposed.preset(name)
    t = panel.state.three
    assert (t.g, t.w, t.stride, t.padding, t.dilation, t.output_padding) == tuple(
        fields[k] for k in ("g", "w", "stride", "padding", "dilation", "output_padding"))
    oh = panel.view.three.outputs.shape[0]
    assert panel.transposed_formula.toolTip().endswith(f"= {oh}")
    assert panel.transposed_numbers["stride"].value() == t.stride
    assert all(c.passed for c in panel.checks())


def test_the_tab_is_saved_and_restored(panel, qtbot):
    show_transposed(panel, qtbot)
    panel.edit(None, **{f"three__{k}": v for k, v in transposed.preset("stride 2").items()})
    panel.edit(None, three__picture="gather")
    saved = panel.state_dict()
    panel.reset()
    assert panel.state.view == "1d"
    panel.load_state_dict(saved)
    assert panel.state.three.stride == 2 and panel.state.view == "transposed"
    assert panel.pictures.currentWidget() is panel.gather_view
    assert panel.tabs.currentIndex() == 2


def test_the_gif_of_the_tab_has_a_frame_per_stamp_each_its_own(panel, qtbot, tmp_path):
    from explorer import export
    from tests.test_export_extra import gif_frames

    show_transposed(panel, qtbot)
    panel.edit(None, **{f"three__{k}": v for k, v in transposed.preset("stride 2").items()})
    path = export.write_gif(panel, tmp_path / "t.gif", (panel.width(), panel.height()))
    frames, _ = gif_frames(path)
    assert len(frames) == panel.animation_steps() == 4  # g is 2 × 2: four stamps
    stamp = panel.stamp_view.geometry()
    top_left = panel.stamp_view.mapTo(panel, stamp.topLeft() - stamp.topLeft())
    x, y = top_left.x(), top_left.y()
    crops = [f[y:y + stamp.height(), x:x + stamp.width()].astype(int) for f in frames]
    for a, b in zip(crops, crops[1:], strict=False):
        assert (np.abs(a - b).sum(axis=2) > 30).sum() > 200  # the stamp moved
    assert panel.frame() == 3  # put back where it was


def test_a_preset_replaces_a_refused_value_waiting_in_its_field(panel, qtbot):
    show_transposed(panel, qtbot)
    field = panel.transposed_numbers["output_padding"]
    type_into(qtbot, field, "2")
    assert field.error()
    qtbot.mouseClick(panel.transposed_presets["checkerboard: k 3, s 2"], Qt.MouseButton.LeftButton)
    assert panel.state.three.stride == 2 and panel.state.three.output_padding == 0
    assert field.error() == "" and field.line_edit().text() == "0"
