import csv
import io
import threading
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, QRect, QRectF, Qt, QUrl
from PySide6.QtGui import QColor, QDropEvent, QImage
from PySide6.QtWidgets import QApplication

from explorer import assets
from explorer.model import cnn
from explorer.model.cnn import Conv2d, MaxPool2d, ReLU
from explorer.panels import PANELS
from explorer.panels.cnn import SAMPLE_IMAGE, CnnPanel
from explorer.views.cnn import MAPS_SHOWN, ForwardJob, layer_values, run_forward
from tests.conftest import type_into

from .pixels import count_bluish, count_orangeish, count_purplish, image_array

PANEL = CnnPanel

HOMEWORK = [(32, 64, 64), (32, 32, 32), (64, 32, 32)]
#: The sample photo as the checkout has it, read without the app's lookup.
PHOTO = Path(__file__).resolve().parents[1] / "resources" / SAMPLE_IMAGE


@pytest.fixture
def panel(panel):
    panel.finish_forward()  # the maps of the first pass: tests that read the maps widget need them
    return panel


def edit_layer(qtbot, panel, index, field, text):
    type_into(qtbot, panel.layer_rows()[index].line_edit(field), text)


def table_texts(panel):
    table = panel.table
    return [[table.item(r, c).text() for c in range(table.columnCount())]
            for r in range(table.rowCount())]


# --- independent references --------------------------------------------------------------------

def ref_conv(x, w, b, stride, padding, dilation):
    """Accumulate tap by tap over strided slices (not the model's unfolded windows)."""
    c, h, wd = x.shape
    out_c, _, k, _ = w.shape
    xp = np.zeros((c, h + 2 * padding, wd + 2 * padding))
    xp[:, padding:padding + h, padding:padding + wd] = x
    span = dilation * (k - 1) + 1
    oh = (h + 2 * padding - span) // stride + 1
    ow = (wd + 2 * padding - span) // stride + 1
    y = np.zeros((out_c, oh, ow))
    for a in range(k):
        for q in range(k):
            patch = xp[:, a * dilation: a * dilation + stride * (oh - 1) + 1: stride,
                       q * dilation: q * dilation + stride * (ow - 1) + 1: stride]
            y += np.einsum("oc,chw->ohw", w[:, :, a, q], patch)
    if b is not None:
        y += b[:, None, None]
    return y


def ref_pool(x, k, s):
    c, h, w = x.shape
    oh, ow = (h - k) // s + 1, (w - k) // s + 1
    y = np.full((c, oh, ow), -np.inf)
    for a in range(k):
        for q in range(k):
            y = np.maximum(y, x[:, a: a + s * (oh - 1) + 1: s, q: q + s * (ow - 1) + 1: s])
    return y


def ref_forward(image, layers, weights):
    x, out = image, []
    for layer, entry in zip(layers, weights, strict=True):
        if isinstance(layer, Conv2d):
            w, b = entry if layer.bias else (entry, None)
            x = ref_conv(x, w, b, layer.stride, layer.padding, layer.dilation)
        elif isinstance(layer, MaxPool2d):
            x = ref_pool(x, layer.kernel_size, layer.stride or layer.kernel_size)
        else:
            x = np.maximum(x, 0)
        out.append(x)
    return out


def reference_maps(panel):
    s = panel.state
    layers = s.layers[: len(panel.shown_activations())]
    weights = cnn.default_weights(s.input_shape, layers, s.seed)
    return ref_forward(panel.network_input(), layers, weights)


# --- the homework as the default -----------------------------------------------------------------

def test_registered_after_convolution():
    ids = list(PANELS)
    assert PANELS["cnn"] is CnnPanel
    if "convolution" in ids:
        assert ids.index("cnn") == ids.index("convolution") + 1


def test_default_table_is_the_homework(panel):
    s = panel.state
    assert s.input_shape == (3, 128, 128) and s.layers == cnn.SEED_NETWORK
    rows = table_texts(panel)
    assert [r[1] for r in rows[:4]] == ["3 × 128 × 128", "32 × 64 × 64", "32 × 32 × 32",
                                        "64 × 32 × 32"]
    assert [r[2] for r in rows[1:4]] == [f"{32 * 3 * 8 * 8:,}", "0", f"{64 * 32 * 3 * 3:,}"]
    assert rows[3][2] == "18,432" and rows[3][4] == "65,536"
    assert [r[4] for r in rows[:4]] == [f"{n:,}" for n in (3 * 128**2, 32 * 64**2, 32 * 32**2,
                                                           64 * 32**2)]
    assert rows[1][5] == f"{64 * 64 * 32 * 3 * 64:,}" and rows[3][5] == f"{32 * 32 * 64 * 288:,}"
    assert rows[-1][0] == "Total" and rows[-1][2] == f"{6144 + 18432:,}"
    assert rows[-1][5] == f"{64 * 64 * 32 * 192 + 32 * 32 * 64 * 288:,}"
    text = panel.formulas.toPlainText()
    assert "⌊(128 + 2·3 − 8)/2⌋ + 1 = 64" in text
    assert "⌊(64 − 2)/2⌋ + 1 = 32" in text and "⌊(32 + 2·1 − 3)/1⌋ + 1 = 32" in text
    assert text.count("every input row and column is read") == 3
    checks = panel.checks()
    assert len(checks) == 4 and all(c.passed for c in checks)


def test_default_diagram_blocks(panel):
    texts = panel.diagram.texts()
    for shape in ("3×128×128", "32×64×64", "32×32×32", "64×32×32"):
        assert shape in texts
    assert "Conv 8×8 → 32" in texts and "MaxPool 2×2" in texts and "Conv 3×3 → 64" in texts
    faces = [panel.diagram.block_rect(i) for i in range(4)]
    # square-root scale: face side ∝ √H
    ratio = faces[0].height() / faces[1].height()
    assert ratio == pytest.approx(np.sqrt(128 / 64), rel=1e-6)
    assert faces[2].height() == pytest.approx(faces[3].height())
    # the window drawn on the input face covers 8/128 of its side
    assert panel.diagram.kernel_rect(0).width() == pytest.approx(
        max(5.0, faces[0].width() * 8 / 128))
    assert all(faces[i].right() < faces[i + 1].left() for i in range(3))


def test_network_input_is_the_sample_photo(panel):
    image = panel.network_input()
    assert image.shape == (3, 128, 128) and 0 <= image.min() and image.max() <= 1
    photo = QImage(str(PHOTO))
    assert (photo.width(), photo.height()) == (128, 128)
    for x, y in ((0, 0), (17, 90), (127, 127), (64, 5)):
        colour = QColor(photo.pixel(x, y))
        np.testing.assert_allclose(image[:, y, x],
                                   np.array([colour.red(), colour.green(), colour.blue()]) / 255)


def test_feature_maps_are_the_real_forward_pass(panel):
    shown = panel.shown_activations()
    expected = reference_maps(panel)
    assert [a.shape[1:] for a in shown] == [s[1:] for s in HOMEWORK]
    for got, want in zip(shown, expected, strict=True):
        np.testing.assert_allclose(got[:MAPS_SHOWN], want[:MAPS_SHOWN], atol=1e-10)
    assert panel.maps.row_count() == 3
    assert "maps 1–8 of 64" in panel.maps.caption(2)
    # each map is scaled by its largest magnitude: that pixel is full vermillion (> 0) or blue
    image = panel.maps.image_item(0).image
    for channel in range(MAPS_SHOWN):
        one = expected[0][channel]
        r, c = np.unravel_index(np.argmax(np.abs(one)), one.shape)
        x = channel * (64 + 6) + c
        colour = (0xD5, 0x5E, 0x00, 255) if one[r, c] > 0 else (0x00, 0x72, 0xB2, 255)
        assert tuple(image[r, x]) == colour
    assert (image[:, 64:70, 3] == 0).all()  # the transparent gap between map 1 and map 2


def test_pixels_show_maps_and_window(panel):
    panel.prepare_export()
    maps = image_array(panel.maps)
    assert count_orangeish(maps) > 500 and count_bluish(maps) > 500
    diagram = image_array(panel.diagram)
    # The windows and their rays are purple; orange stays the selected pixel's field.
    assert count_purplish(diagram) > 20
    assert count_orangeish(diagram) == 0


# --- editing layers ----------------------------------------------------------------------

def test_editing_out_channels_updates_table_diagram_and_maps(panel, qtbot):
    edit_layer(qtbot, panel, 2, "out_channels", "48")
    assert panel.state.layers[2] == Conv2d(48, 3, 1, 1)
    rows = table_texts(panel)
    assert rows[3][1] == "48 × 32 × 32" and rows[3][2] == f"{48 * 32 * 9:,}"
    assert rows[3][4] == f"{48 * 32 * 32:,}"
    assert "48×32×32" in panel.diagram.texts()
    panel.finish_forward()
    assert "maps 1–8 of 48" in panel.maps.caption(2)
    shown, expected = panel.shown_activations(), reference_maps(panel)
    np.testing.assert_allclose(shown[2][:MAPS_SHOWN], expected[2][:MAPS_SHOWN], atol=1e-10)
    assert all(c.passed for c in panel.checks())


def test_bias_adds_one_per_kernel(panel, qtbot):
    panel.layer_rows()[2].bias_box().click()
    assert panel.state.layers[2].bias is True
    rows = table_texts(panel)
    assert rows[3][2] == "18,432" and rows[3][3] == "64"
    assert rows[-1][3] == "64"
    assert int(rows[3][2].replace(",", "")) + int(rows[3][3]) == 18_496
    assert all(c.passed for c in panel.checks())


def test_floor_that_drops_a_row_is_reported(panel, qtbot):
    row = panel.layer_rows()[0]
    for field, text in (("kernel_size", "3"), ("padding", "0")):
        type_into(qtbot, row.line_edit(field), text)
    assert panel.state.layers[0] == Conv2d(32, 3, 2, 0)
    # windows start at 0, 2, ..., 124 and cover rows up to 126: row 127 is never read
    starts = list(range(0, 128 - 3 + 1, 2))
    assert len(starts) == 63
    text = panel.formulas.toPlainText()
    assert "⌊(128 − 3)/2⌋ + 1 = 63" in text
    assert "the floor drops 1 row at the bottom" in text
    assert "drops 1 column at the right" in text
    assert table_texts(panel)[1][1] == "32 × 63 × 63"


def test_stride_larger_than_window_leaves_gaps(panel, qtbot):
    row = panel.layer_rows()[1]
    type_into(qtbot, row.line_edit("stride"), "3")
    assert panel.state.layers[1] == MaxPool2d(2, 3)
    # windows at 0, 3, ..., 60 read rows {0,1,3,4,...,60,61}: 62, 63 dropped, 20 gaps between
    read = {s + j for s in range(0, 63, 3) for j in range(2)}
    dropped = sum(1 for i in range(64) if i > max(read))
    gaps = sum(1 for i in range(64) if i not in read) - dropped
    text = panel.formulas.toPlainText()
    assert f"drops {dropped} rows" in text and f"{gaps} rows fall between windows" in text


def test_kernel_larger_than_padded_input_marks_the_row(panel, qtbot):
    edit_layer(qtbot, panel, 2, "kernel_size", "40")
    message = panel.layer_rows()[2].error()
    assert message.startswith("layer 3: kernel 40") and "use kernel ≤ 34" in message
    assert panel.layer_rows()[0].error() == "" and panel.layer_rows()[1].error() == ""
    rows = table_texts(panel)
    assert [r[1] for r in rows[1:3]] == ["32 × 64 × 64", "32 × 32 × 32"]
    assert rows[3][0].startswith("3") and rows[3][1] == message
    assert rows[-1][0] == "Total (layers 1–2)"
    assert panel.table.columnSpan(3, 1) == 5
    assert "✗ layer 3: see table" in panel.diagram.texts()
    panel.finish_forward()
    assert panel.maps.row_count() == 2
    assert all(c.passed for c in panel.checks())
    # the message's "<=" and ">=" survive the rich-text formula box
    assert "use kernel ≤ 34 or padding ≥ 4" in panel.formulas.toPlainText()
    edit_layer(qtbot, panel, 2, "kernel_size", "3")
    assert panel.layer_rows()[2].error() == ""
    panel.finish_forward()
    assert panel.table.columnSpan(3, 1) == 1 and panel.maps.row_count() == 3


@pytest.mark.parametrize("index, field, text, expected", [
    (0, "stride", "0", "layer 1: stride must be ≥ 1, got 0: use stride 1"),
    (1, "kernel_size", "65", "layer 2: max-pool window 65 is larger than its input 64 × 64: "
                             "use pool size ≤ 64"),
    (2, "padding", "-1", "layer 3: padding must be ≥ 0, got -1: use padding 0"),
    (0, "stride", "2.5", "layer 1: stride must be a whole number, got 2.5: use stride 2 or 3"),
])
def test_bad_settings_show_the_models_message(panel, qtbot, index, field, text, expected):
    edit_layer(qtbot, panel, index, field, text)
    assert panel.layer_rows()[index].error() == expected
    assert len(panel.shown_activations()) == index
    assert table_texts(panel)[index + 1][1] == expected


@pytest.mark.parametrize("text, message", [
    ("abc", "out: 'abc' is not a number"), ("", "out: empty"),
    ("nan", "out: 'nan' is not a number"),
    ("5000", "at most 4096"),
])
def test_text_that_is_not_a_setting_keeps_the_state(panel, qtbot, text, message):
    before = panel.state
    edit_layer(qtbot, panel, 2, "out_channels", text)
    assert message in panel.layer_rows()[2].error()
    assert panel.state == before
    assert table_texts(panel)[3][1] == "64 × 32 × 32"
    edit_layer(qtbot, panel, 2, "out_channels", "16")
    assert panel.layer_rows()[2].error() == ""
    assert table_texts(panel)[3][1] == "16 × 32 × 32"


def test_add_move_remove_and_change_kind(panel, qtbot):
    panel.add_buttons["relu"].click()
    assert panel.state.layers[-1] == ReLU() and len(panel.layer_rows()) == 4
    panel.finish_forward()
    assert panel.maps.row_count() == 4 and table_texts(panel)[4][1] == "64 × 32 × 32"
    relu_maps = panel.shown_activations()[3]
    assert relu_maps.min() >= 0
    np.testing.assert_array_equal(relu_maps, np.maximum(panel.shown_activations()[2], 0))
    # ReLU rows are drawn black to white
    image = panel.maps.image_item(3).image
    assert (image[..., 0] == image[..., 1]).all() and (image[..., 1] == image[..., 2]).all()
    up, _, _ = panel.layer_rows()[3].buttons()
    up.click()
    assert [type(layer) for layer in panel.state.layers] == [Conv2d, MaxPool2d, ReLU, Conv2d]
    assert all(c.passed for c in panel.checks())
    _, _, remove = panel.layer_rows()[2].buttons()
    remove.click()
    assert panel.state.layers == cnn.SEED_NETWORK
    panel.layer_rows()[1].kind_box().setCurrentIndex(0)  # max-pool -> conv
    assert isinstance(panel.state.layers[1], Conv2d)
    assert table_texts(panel)[2][1] == "16 × 64 × 64"
    _, down, _ = panel.layer_rows()[2].buttons()
    assert not down.isEnabled()


def test_editing_a_layer_reuses_the_outputs_above_it(panel, qtbot):
    before = panel.shown_activations()
    edit_layer(qtbot, panel, 2, "padding", "0")
    after = panel.shown_activations()
    assert after[0] is before[0] and after[1] is before[1] and after[2] is not before[2]
    assert after[2].shape == (MAPS_SHOWN, 30, 30)
    np.testing.assert_allclose(after[2], reference_maps(panel)[2][:MAPS_SHOWN], atol=1e-10)
    # from the last convolution on only the shown channels are computed; the checks use all
    full = panel.full_activations()
    assert [a.shape for a in full] == [(32, 64, 64), (32, 32, 32), (64, 30, 30)]
    edit_layer(qtbot, panel, 0, "stride", "4")
    assert panel.shown_activations()[0] is not before[0]
    assert all(c.passed for c in panel.checks())


DEEP = (Conv2d(16, 5, 1, 2), ReLU(), MaxPool2d(2), Conv2d(32, 3, 1, 1, 2, True), ReLU(),
        MaxPool2d(3, 2), Conv2d(64, 3, 2, 1), ReLU())


def test_eight_layers_stay_readable(panel):
    panel.reset()
    panel.set_state(replace(panel.state, layers=DEEP))
    panel.finish_forward()
    assert panel.maps.row_count() == 8
    assert panel.maps.minimumHeight() >= 8 * panel.maps.MIN_ROW_HEIGHT
    assert panel.table.rowCount() == 10
    # Every row shows: the page scrolls to the table, the table itself never scrolls.
    assert panel.table.verticalScrollBar().maximum() == 0
    assert panel.table.height() >= sum(panel.table.rowHeight(r) for r in range(10))
    # no two texts of the diagram overlap
    from PySide6.QtWidgets import QGraphicsSimpleTextItem
    boxes = [item.sceneBoundingRect() for item in panel.diagram.scene().items()
             if isinstance(item, QGraphicsSimpleTextItem) and item.isVisible() and item.text()]
    assert len(boxes) == 9 * 2 + 8 * 2
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert not a.intersects(b), (a, b)
    assert all(c.passed for c in panel.checks())


def test_a_removed_row_finishing_an_edit_changes_nothing(panel, qtbot):
    row = panel.layer_rows()[2]
    _, _, remove = row.buttons()
    remove.click()
    assert len(panel.state.layers) == 2 and row.isHidden()
    row.line_edit("out_channels").setText("7")
    row.commit()  # a spare row still emits: the panel ignores it
    assert panel.state.layers == cnn.SEED_NETWORK[:2]


def test_at_most_eight_layers(panel):
    for _ in range(5):
        panel.add_layer("relu")
    assert len(panel.state.layers) == 8
    assert not panel.add_buttons["relu"].isEnabled()
    panel.add_layer("relu")
    assert len(panel.state.layers) == 8 and "at most 8 layers" in panel.stack_note.text()


def test_reset_restores_the_homework(panel, qtbot, tmp_path):
    edit_layer(qtbot, panel, 0, "out_channels", "8")
    panel.add_layer("maxpool")
    type_into(qtbot, panel.height_input.line_edit(), "64")
    path = tmp_path / "flat.png"
    flat = QImage(10, 10, QImage.Format.Format_RGB888)
    flat.fill(QColor(10, 20, 30))
    assert flat.save(str(path))
    assert panel.load_image(str(path))
    panel.reset_button.click()
    assert panel.state.layers == cnn.SEED_NETWORK and panel.state.input_shape == (3, 128, 128)
    assert [r[1] for r in table_texts(panel)[1:4]] == [" × ".join(map(str, s)) for s in HOMEWORK]
    assert panel.layer_rows()[0].line_edit("out_channels").text() == "32"
    assert panel.height_input.value() == 128
    assert "astronaut" in panel.image_status.text()
    assert panel.network_input()[:, 0, 0].tolist() != [10 / 255, 20 / 255, 30 / 255]
    assert all(c.passed for c in panel.checks())


# --- input shape and pictures ---------------------------------------------------------------------

def test_input_height_rescales_the_picture(panel, qtbot):
    type_into(qtbot, panel.height_input.line_edit(), "64")
    assert panel.state.input_shape == (3, 64, 128)
    assert panel.network_input().shape == (3, 64, 128)
    assert table_texts(panel)[1][1] == "32 × 32 × 64"
    assert panel.input_image.image.shape == (64, 128, 3)
    assert all(c.passed for c in panel.checks())


@pytest.mark.parametrize("widget, text, message", [
    ("height_input", "0", "height must be ≥ 1"),
    ("width_input", "2000", "at most 1024"),
    ("channels_input", "1.5", "whole number"),
])
def test_bad_input_shape_keeps_state(panel, qtbot, widget, text, message):
    field = getattr(panel, widget)
    type_into(qtbot, field.line_edit(), text)
    assert message in field.error()
    assert panel.state.input_shape == (3, 128, 128)


def test_one_channel_input_is_grey(panel, qtbot):
    colour = panel.network_input()
    type_into(qtbot, panel.channels_input.line_edit(), "1")
    grey = panel.network_input()
    assert grey.shape == (1, 128, 128)
    np.testing.assert_allclose(grey[0], 0.299 * colour[0] + 0.587 * colour[1] + 0.114 * colour[2])
    assert table_texts(panel)[1][2] == f"{32 * 1 * 64:,}"
    shown = panel.input_image.image
    assert (shown[..., 0] == shown[..., 2]).all()


def two_colour_png(tmp_path):
    """40 wide, 20 high: left half red, right half blue."""
    image = QImage(40, 20, QImage.Format.Format_RGB888)
    image.fill(QColor(255, 0, 0))
    for x in range(20, 40):
        for y in range(20):
            image.setPixelColor(x, y, QColor(0, 0, 255))
    path = tmp_path / "halves.png"
    assert image.save(str(path))
    return path


def test_opened_picture_is_cropped_and_scaled(panel, tmp_path):
    assert panel.load_image(str(two_colour_png(tmp_path)))
    image = panel.network_input()
    assert image.shape == (3, 128, 128)
    # the centre 20 x 20 square is half red, half blue
    np.testing.assert_allclose(image[0, :, :56], 1.0)
    np.testing.assert_allclose(image[2, :, 72:], 1.0)
    np.testing.assert_allclose(image[1], 0.0)
    assert "halves.png" in panel.image_status.text()
    np.testing.assert_allclose(panel.shown_activations()[0][:MAPS_SHOWN],
                               reference_maps(panel)[0][:MAPS_SHOWN], atol=1e-10)


def test_unreadable_file_keeps_the_picture(panel, tmp_path):
    before = panel.network_input().copy()
    path = tmp_path / "notes.png"
    path.write_text("not an image")
    assert not panel.load_image(str(path))
    assert panel.image_status.text() == (
        "<span style='color:#c0392b'>Could not read “notes.png”: unsupported image format. "
        "Open a PNG, JPEG, BMP, GIF, WebP or TIFF picture.</span>")
    assert count_red(image_array(panel.image_status)) > 100
    np.testing.assert_array_equal(panel.network_input(), before)


@pytest.fixture(scope="module")
def camera_png(qapp, tmp_path_factory):
    """A 12000 × 9000 RGB PNG of one colour: 412 MB decoded, a third of a megabyte on disk."""
    image = QImage(12000, 9000, QImage.Format.Format_RGB888)
    image.fill(QColor(200, 60, 20))
    path = tmp_path_factory.mktemp("camera") / "camera.png"
    assert image.save(str(path), "PNG", 50)
    return path


def test_a_camera_sized_png_is_scaled_down_while_it_is_read(panel, camera_png):
    assert panel.load_image(str(camera_png))
    assert panel.image_status.text() == (
        "camera.png (12000 × 9000, read at 2048 × 1536), cropped and scaled to 128 × 128, "
        "RGB. Drop a picture on the panel to use it.")
    image = panel.network_input()
    assert image.shape == (3, 128, 128)
    for channel, value in enumerate((200, 60, 20)):
        np.testing.assert_allclose(image[channel], value / 255, atol=1 / 255)
    assert len(panel.checks()) == 4 and all(c.passed for c in panel.checks())


@pytest.mark.qt_log_ignore("QImageIOHandler: Rejecting image")
def test_a_picture_too_large_to_decode_says_how_large(panel, camera_png, monkeypatch):
    import explorer.panels.cnn as panel_module

    monkeypatch.setattr(panel_module, "MAX_READ_MB", 256)  # Qt's own default
    before = panel.network_input().copy()
    assert not panel.load_image(str(camera_png))
    # 12000 · 9000 pixels · 4 bytes = 412 MB, decoded in full before it is scaled down.
    assert panel.image_status.text() == (
        "<span style='color:#c0392b'>Could not read “camera.png”: at 12,000 × 9,000 pixels it "
        "needs 412 MB to decode, more than the 256 MB a picture may take here. Save a smaller "
        "copy, or a JPEG (it is decoded scaled down), and open that.</span>")
    np.testing.assert_array_equal(panel.network_input(), before)


@pytest.mark.qt_log_ignore("libpng error")
def test_a_png_cut_short_says_the_file_is_damaged(panel, tmp_path):
    data = two_colour_png(tmp_path).read_bytes()
    cut = tmp_path / "cut.png"
    cut.write_bytes(data[: len(data) // 2])  # the header is whole, the pixels are not
    assert not panel.load_image(str(cut))
    assert panel.image_status.text() == (
        "<span style='color:#c0392b'>Could not read “cut.png”: unable to read image data: the "
        "file may be damaged or cut short. Save it again from the program that made it, or "
        "open another picture.</span>")


def test_a_file_that_is_gone_says_so(panel, tmp_path):
    assert not panel.load_image(str(tmp_path / "gone.jpg"))
    assert panel.image_status.text() == (
        "<span style='color:#c0392b'>Could not read “gone.jpg”: file not found. Check that it "
        "is still there.</span>")


def test_a_phone_photo_taken_upright_is_read_upright(panel, tmp_path):
    """A JPEG stored sideways with an EXIF orientation tag, as phones save portrait photos."""
    import struct

    stored = tmp_path / "stored.jpg"
    assert QImage(str(two_colour_png(tmp_path))).save(str(stored), "JPEG", 100)
    # EXIF with one tag: Orientation (0x0112) = 6, "turn 90° clockwise to show".
    tiff = (b"II*\x00" + struct.pack("<IH", 8, 1) + struct.pack("<HHIHH", 0x0112, 3, 1, 6, 0)
            + struct.pack("<I", 0))
    app1 = b"\xff\xe1" + struct.pack(">H", 2 + 6 + len(tiff)) + b"Exif\x00\x00" + tiff
    data = stored.read_bytes()
    photo = tmp_path / "portrait.jpg"
    photo.write_bytes(data[:2] + app1 + data[2:])
    assert panel.load_image(str(photo))
    # Stored 40 wide (red left, blue right); shown 20 wide, 40 high: red on top, blue below.
    image = panel.network_input()
    assert image[0, :50].min() > 0.9 and image[2, :50].max() < 0.1
    assert image[2, 78:].min() > 0.9 and image[0, 78:].max() < 0.1


def test_dropping_a_picture_loads_it(panel, tmp_path):
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(two_colour_png(tmp_path)))])
    event = QDropEvent(QPointF(300, 300), Qt.DropAction.CopyAction, mime,
                       Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier)
    panel.dropEvent(event)
    assert "halves.png" in panel.image_status.text()
    np.testing.assert_allclose(panel.network_input()[2, :, 72:], 1.0)


def count_red(array):
    """Pixels of the error red #c0392b, antialiased: red well above green and blue."""
    r, g, b = (array[..., i].astype(int) for i in range(3))
    return int(((r > 120) & (r - g > 80) & (r - b > 70)).sum())


def test_a_missing_sample_photo_is_named_in_red(qtbot, tmp_path, monkeypatch):
    monkeypatch.setattr(assets, "folder", lambda: tmp_path)  # an empty place to look in
    p = CnnPanel()
    qtbot.addWidget(p)
    p.resize(1280, 800)
    p.show()
    qtbot.waitExposed(p)
    status = p.image_status.text()
    assert f"The sample photo {SAMPLE_IMAGE} is missing: looked in {tmp_path}." in status
    assert "color:#c0392b" in status and "cropped and scaled" not in status
    assert count_red(image_array(p.image_status)) > 100
    # The network still runs, on a black picture that the status explains.
    assert p.network_input().shape == (3, 128, 128) and not p.network_input().any()
    assert all(c.passed for c in p.checks())
    # A picture of one's own replaces the message; reset looks for the photo again.
    assert p.load_image(str(two_colour_png(tmp_path)))
    assert "halves.png, cropped and scaled" in p.image_status.text()
    assert count_red(image_array(p.image_status)) == 0
    monkeypatch.undo()
    p.reset_button.click()
    assert p.image_status.text().startswith(f"{SAMPLE_IMAGE}, cropped and scaled")
    assert p.network_input().std() > 0.1


def test_an_unreadable_sample_photo_is_named_in_red(qtbot, tmp_path, monkeypatch):
    (tmp_path / SAMPLE_IMAGE).write_bytes(b"not a PNG")
    monkeypatch.setattr(assets, "folder", lambda: tmp_path)
    p = CnnPanel()
    qtbot.addWidget(p)
    assert (f"The sample photo {SAMPLE_IMAGE} is not a readable image: looked in {tmp_path}."
            in p.image_status.text())
    assert not p.network_input().any()


# --- receptive field ------------------------------------------------------------

def homework_field(r, c):
    """conv3 (k3 p1) -> pool 2 -> conv1 (k8 s2 p3): rows 4r-7 ... 4r+10, clipped to the image."""
    def axis(i):
        return max(0, 4 * i - 7), min(128, 4 * i + 11)
    return (*axis(r), *axis(c))


def test_default_selection_and_its_receptive_field(panel):
    assert panel.selection() == (2, 0, 16, 16)
    assert panel.field() == homework_field(16, 16) == (57, 75, 57, 75)
    rect = panel.field_box.rect()
    assert (rect.left(), rect.top(), rect.width(), rect.height()) == (57, 57, 18, 18)
    assert "rows 57–74 and columns 57–74" in panel.readout_text()
    assert "18 × 18" in panel.readout_text()


def test_clicking_a_map_pixel_shows_its_receptive_field(panel, qtbot):
    row, channel, r, c = 2, 3, 2, 30
    x0, _ = panel.maps.cell_origin(row, channel)
    item = panel.maps.image_item(row)
    scene_point = item.mapToScene(QPointF(x0 + c + 0.5, r + 0.5))
    point = panel.maps.mapFromScene(scene_point)
    qtbot.mouseClick(panel.maps.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(point))
    assert panel.selection() == (row, channel, r, c)
    assert panel.field() == homework_field(r, c)
    value = reference_maps(panel)[row][channel, r, c]
    assert f"{value:.4g}" in panel.readout_text()
    assert all(check.passed for check in panel.checks())


def test_selection_in_first_layer(panel):
    panel.select_cell(0, 5, 10, 20)
    # conv1: output row 10 reads input rows 2*10-3 ... 2*10+4
    assert panel.field() == (17, 25, 37, 45)
    assert all(check.passed for check in panel.checks())


# --- copying, pausing, bench ------------------------------------------------------------

def test_copy_as_markdown_and_csv(panel):
    panel.copy_markdown_button.click()
    markdown = QApplication.clipboard().text()
    lines = markdown.strip().splitlines()
    assert lines[0].startswith("| Layer | Output C × H × W | Weights")
    assert "| 3  Conv2d 64 × 3×3, stride 1, padding 1 | 64 × 32 × 32 | 18,432 | 0 | 65,536 |" \
        in markdown
    assert len(lines) == 2 + 5
    panel.copy_csv_button.click()
    rows = list(csv.reader(io.StringIO(QApplication.clipboard().text())))
    assert rows[0] == ["layer", "output_shape", "weights", "biases", "activations", "macs"]
    assert rows[4][1:] == ["64 × 32 × 32", "18432", "0", "65536", str(32 * 32 * 64 * 288)]
    assert rows[-1][0] == "Total" and rows[-1][2] == "24576"


def test_huge_stack_pauses_the_forward_pass(panel, qtbot):
    edit_layer(qtbot, panel, 0, "out_channels", "2048")
    edit_layer(qtbot, panel, 2, "out_channels", "4096")
    assert not panel.forward_pending()  # nothing runs, nothing is said to be running
    assert panel.shown_activations() is None
    macs = 2048 * 64 * 64 * 3 * 64 + 4096 * 32 * 32 * 2048 * 9
    assert "this stack needs 78,920 million multiply-adds; the panel runs up to 4,000 million" \
        in panel.readout_text() and f"{macs / 1e6:,.0f}" == "78,920"
    assert panel.maps.row_count() == 0
    assert table_texts(panel)[1][1] == "2048 × 64 × 64"
    assert panel.checks() == [] and not panel.checks_status.isVisibleTo(panel)
    edit_layer(qtbot, panel, 0, "out_channels", "32")
    edit_layer(qtbot, panel, 2, "out_channels", "64")
    panel.finish_forward()
    assert panel.maps.row_count() == 3 and len(panel.checks()) == 4


def test_a_stack_too_large_for_memory_says_so(panel, qtbot):
    type_into(qtbot, panel.height_input.line_edit(), "1024")
    type_into(qtbot, panel.width_input.line_edit(), "1024")
    # Layer 1 unfolds 3 × 8 × 8 numbers for each of its 512 × 512 outputs.
    assert "layer 1 would hold 50.3 million numbers at once (limit 32 million)" \
        in panel.readout_text()
    assert panel.shown_activations() is None and panel.checks() == []


def test_bench_change_edits_the_last_convolution(panel):
    for i, out in enumerate((48, 64, 32, 64)):
        panel.bench_change(i)
        assert panel.state.layers[2].out_channels == out
        assert table_texts(panel)[3][1].startswith(f"{out} × ")
    assert all(c.passed for c in panel.run_checks())


def _drawn_in_view(diagram) -> QRect:
    """The diagram's visible items, in viewport pixels."""
    drawn = QRectF()
    for item in diagram.scene().items():
        if item.isVisible():
            drawn = drawn.united(item.sceneBoundingRect())
    return diagram.mapFromScene(drawn).boundingRect()


def test_the_diagram_is_as_tall_as_its_drawing_so_the_maps_get_the_rest(panel, qtbot):
    heights = {}
    for size in ((1280, 800), (1010, 720), (1280, 800)):
        panel.resize(*size)
        qtbot.wait(10)
        diagram = panel.diagram
        viewport = diagram.viewport().rect()
        drawn = _drawn_in_view(diagram)
        # Everything drawn is in view, with little to spare below and above it.
        assert viewport.contains(drawn), (size, drawn, viewport)
        assert diagram.height() == diagram.needed_height()
        assert viewport.height() - drawn.height() <= 40 or diagram.height() == 130
        heights[size] = diagram.height()
        # Editing a layer leaves the height settled (it follows the width, not itself).
        for i in range(4):
            panel.bench_change(i)
            qtbot.wait(1)
            assert viewport.contains(_drawn_in_view(diagram))
        assert diagram.height() == heights[size]
    assert heights[(1010, 720)] < heights[(1280, 800)] <= 200
    # The space goes to the feature maps.
    panel.resize(1010, 720)
    qtbot.wait(10)
    assert panel.maps.height() >= 3 * panel.maps.MIN_ROW_HEIGHT


def test_selected_cell_is_ringed_at_a_fixed_pixel_size_in_the_theme_colour(panel, qtbot):
    from explorer.widgets.theme import DARK, LIGHT, apply_theme

    row, channel, r, c = 2, 3, 2, 30
    panel.select_cell(row, channel, r, c)
    x0, _ = panel.maps.cell_origin(row, channel)
    item = panel.maps.image_item(row)
    centre = panel.maps.mapFromScene(item.mapToScene(QPointF(x0 + c + 0.5, r + 0.5)))
    ringed = image_array(panel.maps).astype(int)
    ring = [child for child in panel.maps.view_box(row).addedItems
            if hasattr(child, "apply_theme") and child.isVisible()]
    assert len(ring) == 1
    ring[0].hide()
    bare = image_array(panel.maps).astype(int)
    ring[0].show()
    cx, cy = centre.x(), centre.y()
    # The ring's sides run 5.5 px from the centre (11 px across, 2 px pen): black there.
    for dx, dy in ((-6, 0), (5, 0), (0, -6), (0, 5)):
        assert ringed[cy + dy, cx + dx].max() < 70, (dx, dy)
    # Nothing changes outside it.
    changed = np.argwhere(np.abs(ringed - bare).max(axis=2) > 0)
    assert changed.size
    assert changed[:, 0].min() >= cy - 8 and changed[:, 0].max() <= cy + 8
    assert changed[:, 1].min() >= cx - 8 and changed[:, 1].max() <= cx + 8
    try:
        apply_theme("dark")
        assert ring[0].color().name() == DARK.color("black")
    finally:
        apply_theme("light")
    assert ring[0].color().name() == LIGHT.color("black")


def test_number_columns_fit_their_texts_and_leave_the_rest_to_the_layer_names(panel, qtbot):
    from PySide6.QtGui import QFont, QFontMetrics

    from explorer.views.cnn import COLUMNS

    def check():
        table = panel.table
        header = table.horizontalHeader()
        bold = QFont(table.font())
        bold.setBold(True)
        rows = table.rowCount()
        for c in range(1, len(COLUMNS)):
            for r in range(rows):
                metrics = QFontMetrics(bold if r == rows - 1 else table.font())
                assert metrics.horizontalAdvance(table.item(r, c).text()) + 8 <= \
                    header.sectionSize(c), (r, c, table.item(r, c).text())
            assert QFontMetrics(header.font()).horizontalAdvance(COLUMNS[c]) + 8 <= \
                header.sectionSize(c)
        return [header.sectionSize(c) for c in range(len(COLUMNS))]

    panel.resize(1010, 720)
    qtbot.wait(10)
    widths = check()
    # The old fixed widths (130, 80, 64, 96, 112) left the names 136 px at this size.
    assert sum(widths[1:]) < 482 - 30
    assert widths[0] >= panel.table.viewport().width() - sum(widths[1:]) - 1
    # A layer with far more multiply-adds widens MACs to fit, and narrows it back.
    edit_layer(qtbot, panel, 2, "out_channels", "4096")
    wide = check()
    assert wide[5] > widths[5]
    edit_layer(qtbot, panel, 2, "out_channels", "64")
    assert check() == widths


# --- big inputs: the forward pass and its checks in the background ----------------------------

#: Eight layers at 3 × 1024 × 1024: over the 200 million multiply-adds the panel once ran
#: (then it paused, and said "✓ 0/0 checks pass"), a second or so in the background.
BIG = (Conv2d(8, 4, 2, 1), ReLU(), MaxPool2d(2), Conv2d(16, 3, 1, 1), ReLU(), MaxPool2d(2),
       Conv2d(16, 3, 1, 1), ReLU())


def show_big(panel):
    """BIG on a 3 × 1024 × 1024 input, its first pass finished."""
    layers = [{"kind": kind, **values} for kind, values in map(layer_values, BIG)]
    panel.load_state_dict({"input_shape": [3, 1024, 1024], "layers": layers,
                           "selection": None, "seed": 0})
    panel.finish_forward()
    assert panel.maps.row_count() == 8 and len(panel.checks_strip.badges()) == 4


def count_badge_green(array):
    """Pixels of a passing badge's pale green (#e3f4ea)."""
    return int((np.abs(array.astype(int) - (0xE3, 0xF4, 0xEA)).max(axis=2) <= 3).sum())


@pytest.fixture
def window(window):
    window.resize(1366, 768)
    window.show_panel("cnn")
    return window


def test_a_big_stack_shows_its_shapes_at_once_and_its_maps_when_they_arrive(window, qtbot):
    panel = window.current_panel()
    show_big(panel)
    assert window.check_summary() == "✓ 4/4 checks pass"
    assert count_badge_green(image_array(panel.checks_strip)) > 500
    old_maps = panel.shown_activations()
    edit_layer(qtbot, panel, 0, "kernel_size", "6")  # ⌊(1024 + 2 − 6)/2⌋ + 1 = 511
    # At once, before any event is processed: the shapes, and the field on the input.
    assert table_texts(panel)[1][1] == "8 × 511 × 511"
    assert "8×511×511" in panel.diagram.texts()
    assert "⌊(1024 + 2·1 − 6)/2⌋ + 1 = 511" in panel.formulas.toPlainText()
    # Row 63 of layer 8 <- rows 62–64 of layer 6 <- 124–129 of 5 <- 123–130 of 3
    # <- 246–261 of layer 1 <- input rows 2·246 − 1 = 491 to 2·261 − 1 + 5 = 526.
    assert panel.field() == (491, 527, 491, 527)
    # The maps on their way: the old ones dimmed under "Computing…", no value read off them.
    assert panel.forward_pending()
    assert panel.maps_status.isVisible()
    assert panel.maps_status.text() == "Computing the forward pass…"
    assert panel.maps.ci.opacity() == pytest.approx(0.3)
    assert "8×512×512" in panel.maps.caption(0)
    assert "layer 8, channel 1, pixel (row 63, col 63) = … (computing)" \
        in panel.readout.toPlainText()
    # The checks say they run; none is counted, none shows as passed.
    assert panel.checks_status.isVisible() and panel.checks_status.text() == "Checks running…"
    assert window.check_summary() == "checks running…"
    assert panel.last_checks() == []
    assert count_badge_green(image_array(panel.checks_strip)) == 0

    # The maps come first, undimmed, while the checks run on.
    with qtbot.waitSignal(panel.mapsChanged, timeout=120_000):
        pass
    assert panel.maps_status.isHidden() and panel.maps.ci.opacity() == 1.0
    assert panel.maps.row_count() == 8
    assert [panel.maps.caption(i).split("</b> ")[1] for i in range(8)] == [
        "8×511×511", "8×511×511", "8×255×255", "16×255×255", "16×255×255", "16×127×127",
        "16×127×127", "16×127×127"]
    assert panel.forward_pending() and panel.checks_status.isVisible()
    assert window.check_summary() == "checks running…"
    with qtbot.waitSignal(panel.forwardFinished, timeout=120_000):
        pass
    assert not panel.forward_pending()
    checks = panel.last_checks()
    assert [c.name for c in checks] == ["shapes match forward", "maps match full pass",
                                        "counts match weights", "field covers all inputs"]
    assert all(c.passed for c in checks)
    assert [b.check() for b in panel.checks_strip.badges()] == checks
    assert panel.checks_status.isHidden() and window.check_summary() == "✓ 4/4 checks pass"
    assert count_badge_green(image_array(panel.checks_strip)) > 500
    # The layers above the edit were computed again; their maps are the model's numbers.
    shown = panel.shown_activations()
    assert shown[0] is not old_maps[0] and shown[0].shape == (8, 511, 511)
    weights = cnn.default_weights((3, 1024, 1024), panel.state.layers[:1])[0]
    np.testing.assert_allclose(shown[0], ref_conv(panel.network_input(), weights, None, 2, 1, 1),
                               atol=1e-10)
    value = shown[7][0, 63, 63]
    assert f"layer 8, channel 1, pixel (row 63, col 63) = {value:.4g}" in panel.readout_text()


def test_a_newer_edit_drops_the_pass_on_its_way(panel, qtbot):
    show_big(panel)
    maps, shown = [], []
    panel.mapsChanged.connect(maps.append)
    panel.forwardFinished.connect(shown.append)
    edit_layer(qtbot, panel, 0, "kernel_size", "6")
    # The first pass is computing its layers when the second edit comes.
    qtbot.waitUntil(lambda: "layer" in panel.maps_status.text(), timeout=60_000)
    assert panel.maps_status.text().startswith("Computing the forward pass: layer ")
    edit_layer(qtbot, panel, 6, "out_channels", "12")
    assert panel.maps_status.text() == "Computing the forward pass…"
    qtbot.waitUntil(lambda: len(shown) > 0, timeout=120_000)
    # One worker, signals in order: anything the first pass sent came before this.
    assert len(shown) == 1 and maps == shown
    assert "12×127×127" in panel.maps.caption(6) and "8×511×511" in panel.maps.caption(0)
    assert panel.shown_activations()[0].shape == (8, 511, 511)
    assert all(c.passed for c in panel.checks())
    assert len(shown) == 1 and maps == shown


def test_a_superseded_pass_stops_at_its_next_layer():
    image = np.random.default_rng(0).random((3, 64, 64))
    job = ForwardJob(1, image, (3, 64, 64), DEEP, 0, ("picture",), (), None, None)
    started = []

    def progress(layer):
        started.append(layer)
        if layer == 2:
            job.cancelled.set()  # a newer edit, while layer 3 (index 2) computes

    assert run_forward(job, progress) is None
    assert started == [0, 1, 2]
    # Not cancelled, the same job runs to the end: maps, checks, and outputs to reuse.
    started.clear()
    done = run_forward(replace(job, cancelled=threading.Event()), started.append,
                       started.append)
    # Eight layers, the maps (sent without checks), then the checks.
    assert started[:8] == [*range(8)] and started[9] == 8 and len(started) == 10
    assert started[8].checks == () and len(started[8].activations) == 8
    assert all(a is b for a, b in zip(started[8].activations, done.activations, strict=True))
    weights = cnn.default_weights((3, 64, 64), DEEP)
    # From the last convolution (64 kernels) on, only the channels the maps show.
    assert [len(a) for a in done.activations] == [16, 16, 16, 32, 32, 32, MAPS_SHOWN, MAPS_SHOWN]
    for got, want in zip(done.activations, ref_forward(image, DEEP, weights), strict=True):
        np.testing.assert_allclose(got, want[: len(got)], atol=1e-10)
    assert len(done.checks) == 3 and all(c.passed for c in done.checks)
    # A pass after an edit of layer 6 starts there, with the outputs above it as they were.
    edited = (*DEEP[:5], MaxPool2d(2), *DEEP[6:])
    started.clear()
    again = run_forward(replace(job, layers=edited, cache=done.cache,
                                cancelled=threading.Event()), started.append)
    assert started == [5, 6, 7, 8]
    assert all(again.activations[i] is done.activations[i] for i in range(5))
    assert again.activations[5].shape == (32, 15, 15)  # ⌊(30 − 2)/2⌋ + 1


def test_closing_the_panel_while_a_pass_runs_stops_its_thread(panel, qtbot):
    show_big(panel)
    shown = []
    panel.forwardFinished.connect(shown.append)
    edit_layer(qtbot, panel, 0, "kernel_size", "6")
    qtbot.waitUntil(lambda: "layer" in panel.maps_status.text(), timeout=60_000)
    assert [t for t in threading.enumerate() if t.name.startswith("cnn-forward")]
    panel.close()  # waits for the layer being computed, at most
    assert not [t for t in threading.enumerate() if t.name.startswith("cnn-forward")]
    assert not panel.forward_pending() and panel.checks_status.isHidden()
    QApplication.processEvents()
    assert shown == []


def test_an_export_shows_the_finished_maps(panel, qtbot):
    show_big(panel)
    edit_layer(qtbot, panel, 0, "kernel_size", "6")
    assert panel.forward_pending() and panel.maps.ci.opacity() < 1
    panel.prepare_export()  # what File ▸ Export, copying and the command line call
    assert not panel.forward_pending() and panel.maps_status.isHidden()
    assert panel.maps.ci.opacity() == 1.0 and "8×511×511" in panel.maps.caption(0)
    assert panel.checks_status.isHidden() and len(panel.checks_strip.badges()) == 4
    assert count_badge_green(image_array(panel.checks_strip)) > 500
    maps = image_array(panel.maps)
    assert count_orangeish(maps) > 500 and count_bluish(maps) > 500


def test_selecting_a_pixel_keeps_the_maps_while_its_check_runs(panel, qtbot):
    show_big(panel)
    value = panel.shown_activations()[0][5, 10, 20]
    panel.select_cell(0, 5, 10, 20)
    # The maps are those of the stack shown: no "Computing…", the value at once.
    assert panel.maps_status.isHidden() and panel.maps.ci.opacity() == 1.0
    assert f"= {value:.4g}" in panel.readout.toPlainText()
    assert panel.field() == (19, 23, 39, 43)  # rows 2·10 − 1 … 2·10 + 2 of a 4 × 4, stride 2
    # The field check perturbs the input outside that box: it runs in the background.
    assert panel.checks_status.isVisibleTo(panel) and panel.last_checks() == []
    checks = panel.checks()
    assert checks[3].name == "field covers all inputs" and all(c.passed for c in checks)


def test_the_status_bar_never_counts_checks_that_did_not_run(window, qtbot):
    panel = window.current_panel()
    panel.finish_forward()
    assert window.check_summary() == "✓ 4/4 checks pass"
    type_into(qtbot, panel.height_input.line_edit(), "1024")
    type_into(qtbot, panel.width_input.line_edit(), "1024")
    # Question 4's first layer at 1024 × 1024 is paused (memory): nothing is checked.
    assert panel.shown_activations() is None and not panel.forward_pending()
    assert window.check_summary() == "no checks"
    assert panel.checks_strip.badges() == [] and panel.checks_status.isHidden()
    type_into(qtbot, panel.width_input.line_edit(), "128")
    assert window.check_summary() == "checks running…"
    panel.finish_forward()
    assert window.check_summary() == "✓ 4/4 checks pass"


def test_a_pass_the_model_refuses_says_why_and_claims_no_checks(panel, qtbot, monkeypatch):
    def refuse(image, layers, weights):
        raise ValueError("a convolution's output is not finite")

    monkeypatch.setattr(cnn, "forward", refuse)
    edit_layer(qtbot, panel, 2, "out_channels", "16")
    assert panel.shown_activations() is None and panel.checks() == []
    assert panel.readout_text() == ("Forward pass stopped: a convolution's output is not finite. "
                                    "Shapes and counts above are exact.")
    assert panel.maps.row_count() == 0 and panel.checks_strip.badges() == []
    assert not panel.forward_pending() and panel.checks_status.isHidden()
    assert table_texts(panel)[3][1] == "16 × 32 × 32"
    monkeypatch.undo()
    edit_layer(qtbot, panel, 2, "out_channels", "24")
    assert len(panel.checks()) == 4 and panel.maps.row_count() == 3
