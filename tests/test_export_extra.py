"""GIF of an animation, CSV of a panel's numbers, the panel picture on the clipboard."""

import csv
import io
import sys

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QRect
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox

from explorer import export
from explorer.panels import PANELS
from explorer.panels.backprop import BackpropPanel
from explorer.panels.convolution import ConvolutionPanel
from explorer.panels.loss import LossPanel
from tests.pixels import image_array

# The smallest sizes each animated panel lays out at, rounded up: small frames keep this fast.
SIZES = {"convolution": (840, 520), "backprop": (980, 560), "loss": (880, 420)}


def build(qtbot, cls):
    panel = cls()
    qtbot.addWidget(panel)
    return panel


def settle(panel):
    panel.playback.pause()
    panel.run_checks()  # no throttled check timer outlives the test


def gif_frames(path):
    """Every frame as an (H, W, 3) array, and every frame's duration in ms."""
    frames, durations = [], []
    with Image.open(path) as image:
        assert image.info.get("loop") == 0  # loops for ever
        for i in range(image.n_frames):
            image.seek(i)
            frames.append(np.asarray(image.convert("RGB")).astype(int))
            durations.append(image.info["duration"])
    return frames, durations


def widget_rect(panel, widget):
    top_left = widget.mapTo(panel, widget.rect().topLeft())
    return QRect(top_left, widget.size())


def inside(mask, rects):
    """Whether every True pixel of ``mask`` lies inside one of ``rects``."""
    allowed = np.zeros_like(mask)
    for r in rects:
        allowed[r.top():r.bottom() + 1, r.left():r.right() + 1] = True
    return not (mask & ~allowed).any()


# -- GIF ---------------------------------------------------------------------------------------
def test_convolution_gif_has_one_frame_per_step_at_the_size_asked(qtbot, tmp_path):
    panel = build(qtbot, ConvolutionPanel)
    size = SIZES["convolution"]
    export.lay_out(panel, size)
    panel.seek(2)
    path = export.write_gif(panel, tmp_path / "conv.gif", size)

    x, w = np.array([1.0, 2.0, 3.0, 4.0]), np.array([2.0, 0.0, 1.0])
    steps = np.convolve(x, w, "full").size  # one output per step: 6
    assert panel.animation_steps() == steps
    frames, durations = gif_frames(path)
    assert len(frames) == steps
    assert all(f.shape == (size[1], size[0], 3) for f in frames)
    # One step per frame at the panel's speed (2 steps/s), the last held so it can be read.
    assert durations[:-1] == [500] * (steps - 1) and durations[-1] == export.GIF_HOLD_MS

    # Frame i is the panel at step i: closest to a grab at step i, clearly unlike the others.
    grabs = []
    for step in range(steps):
        panel.seek(step)
        grabs.append(image_array(panel).astype(int))
    panel.seek(2)
    for i, frame in enumerate(frames):
        errors = [np.abs(frame - g).mean() for g in grabs]
        assert errors[i] < 1.0, errors
        assert min(e for j, e in enumerate(errors) if j != i) > 3 * errors[i] + 0.05

    # What moves between two steps is the sliding window (and the step counter): nothing else.
    row = widget_rect(panel, panel.row_view)
    bar = widget_rect(panel, panel.playback)
    for a, b in zip(frames, frames[1:], strict=False):
        moved = np.abs(a - b).sum(axis=2) > 30
        assert moved[row.top():row.bottom(), row.left():row.right()].sum() > 500
        assert inside(moved, [row, bar])
    settle(panel)


def test_gif_puts_the_panel_back_as_it_was(qtbot, tmp_path):
    panel = build(qtbot, ConvolutionPanel)
    size = SIZES["convolution"]
    export.lay_out(panel, size)
    panel.seek(3)
    before = image_array(panel)
    panel.playback.play()
    export.write_gif(panel, tmp_path / "conv.gif", size)
    assert panel.playback.is_playing()  # it was playing, so it plays on
    panel.playback.pause()
    assert panel.animation_step() == 3 and panel.frame() == 3
    assert panel.row_view.frame() == 3
    assert np.array_equal(image_array(panel), before)
    settle(panel)


def test_backprop_gif_steps_are_the_entries_of_the_gradient(qtbot, tmp_path):
    panel = build(qtbot, BackpropPanel)
    size = SIZES["backprop"]
    export.lay_out(panel, size)
    path = export.write_gif(panel, tmp_path / "bp.gif", size)
    s = panel.state
    # Valid chain: h1 has d - k1 + 1 entries, one animation step each.
    assert panel.animation_steps() == s.d - s.k1 + 1 == 6
    frames, durations = gif_frames(path)
    assert len(frames) == 6 and frames[0].shape == (size[1], size[0], 3)
    assert durations[0] == 1000  # 1 step/s
    assert panel.animation_step() == 5  # shown finished, as before
    # The Jacobian's highlighted column moves with the step.
    matrix = widget_rect(panel, panel.matrix_view)
    for a, b in zip(frames, frames[1:], strict=False):
        moved = np.abs(a - b).sum(axis=2) > 30
        assert moved[matrix.top():matrix.bottom(), matrix.left():matrix.right()].sum() > 200
    settle(panel)


def test_loss_gif_plays_every_sgd_step(qtbot, tmp_path):
    panel = build(qtbot, LossPanel)
    panel.edit(panel.steps_input, steps=12)
    size = SIZES["loss"]
    export.lay_out(panel, size)
    path = export.write_gif(panel, tmp_path / "loss.gif", size)
    # The state before the first update and after each of the 12.
    assert panel.animation_steps() == 13 == panel.lab_history("bce")["a"].size
    frames, _ = gif_frames(path)
    assert len(frames) == 13
    assert panel.lab_step() == 12
    settle(panel)


def test_gif_refusals_leave_no_file_and_the_panel_as_it_was(qtbot, tmp_path, monkeypatch):
    panel = build(qtbot, ConvolutionPanel)
    size = SIZES["convolution"]
    export.lay_out(panel, size)
    panel.seek(1)
    with pytest.raises(export.ExportError, match="cannot write to"):
        export.write_gif(panel, tmp_path / "no such folder" / "x.gif", size)
    monkeypatch.setattr(export, "GIF_PIXEL_BUDGET", size[0] * size[1] * 5)
    with pytest.raises(export.ExportError, match="6 steps at 840x520 is too large"):
        export.write_gif(panel, tmp_path / "big.gif", size)
    monkeypatch.setitem(sys.modules, "PIL", None)  # as if Pillow were not installed
    with pytest.raises(export.ExportError, match=r"needs Pillow.*nn-explorer\[gif\]") as error:
        export.write_gif(panel, tmp_path / "none.gif", size)
    assert "\n" not in str(error.value)
    assert list(tmp_path.iterdir()) == []
    assert panel.animation_step() == 1
    cnn = build(qtbot, PANELS["cnn"])
    monkeypatch.delitem(sys.modules, "PIL")
    with pytest.raises(export.ExportError, match="no animation"):
        export.write_gif(cnn, tmp_path / "cnn.gif")
    assert cnn.animation_steps() == 0
    with pytest.raises(ValueError, match="outside"):
        panel.seek(6)
    settle(panel)


# -- CSV ---------------------------------------------------------------------------------------
def read_tables(path):
    """The CSV file back as {name: (header, rows)}, every cell a string."""
    text = path.read_text(encoding="utf-8-sig")
    tables, name = {}, None
    for row in csv.reader(io.StringIO(text)):
        if not row:
            name = None
        elif row[0].startswith("# ") and len(row) == 1:
            name = row[0][2:]
        elif name is not None and name not in tables:
            tables[name] = (row, [])
        elif name is not None:
            tables[name][1].append(row)
    return tables


def vectors(table):
    """A table of named vectors (one per row) as {name: array}."""
    return {row[0]: np.array([float(v) for v in row[1:] if v != ""]) for row in table[1]}


def numbers(table, first=0):
    return np.array([[float(v) for v in row[first:]] for row in table[1]])


def test_convolution_csv_holds_the_models_numbers(qtbot, tmp_path):
    panel = build(qtbot, ConvolutionPanel)
    tables = read_tables(export.write_csv(panel, tmp_path / "conv.csv"))
    x, w = np.array([1.0, 2.0, 3.0, 4.0]), np.array([2.0, 0.0, 1.0])
    one = vectors(tables["1-D vectors"])
    assert np.array_equal(one["x"], x) and np.array_equal(one["w"], w)
    assert np.array_equal(one["y (full, flipped)"], np.convolve(x, w))  # [2, 4, 7, 10, 3, 4]
    assert np.array_equal(one["y without flipping (cross-correlation, np.correlate)"],
                          np.correlate(x, w, "full"))
    steps = numbers(tables["1-D steps (x index ≤ 0 or > d: a padding zero)"])
    assert np.array_equal(steps[:, 0], np.arange(1, 7))
    assert np.array_equal(steps[:, -1], np.convolve(x, w))
    assert np.array_equal(steps[:, 5:8].sum(axis=1), steps[:, -1])  # products add up
    grid, kernel = numbers(tables["2-D input"], 1), numbers(tables["2-D kernel (as typed)"], 1)
    windows = np.lib.stride_tricks.sliding_window_view(grid, kernel.shape)
    assert np.array_equal(numbers(tables["2-D output"], 1),
                          np.einsum("ijkl,kl->ij", windows, kernel))  # unflipped, stride 1
    settle(panel)


def test_backprop_csv_holds_the_models_numbers(qtbot, tmp_path):
    panel = build(qtbot, BackpropPanel)
    tables = read_tables(export.write_csv(panel, tmp_path / "bp.csv"))
    v = vectors(tables["vectors"])
    x, w1, w2, g = v["x"], v["w1"], v["w2"], v["g = dL/da2"]
    # Question 5's valid convolution does not flip: a correlation.
    a1 = np.correlate(x, w1, "valid")
    h1 = np.maximum(a1, 0.0)
    a2 = np.correlate(h1, w2, "valid")
    assert np.allclose(v["a1 = x * w1"], a1, atol=1e-12)
    assert np.allclose(v["h1 = ReLU(a1)"], h1, atol=1e-12)
    assert np.allclose(v["a2 = h1 * w2"], a2, atol=1e-12)
    grad_h1 = np.convolve(g, w2, "full")  # d(g·a2)/dh1
    for way in ("J^T g", "flipped-kernel convolution", "finite differences"):
        assert np.allclose(v[f"dL/dh1 ({way})"], grad_h1, atol=1e-8), way
    assert np.allclose(v["dL/dw2 (J^T g)"], np.correlate(h1, g, "valid"), atol=1e-12)
    jac = numbers(tables["Jacobian da2_i/dh1_n"], 1)
    assert jac.shape == (a2.size, h1.size)
    assert np.allclose(jac.T @ g, grad_h1, atol=1e-12)
    settle(panel)


def test_softmax_loss_cnn_and_equivalence_csv(qtbot, tmp_path):
    softmax = build(qtbot, PANELS["softmax"])
    tables = read_tables(export.write_csv(softmax, tmp_path / "softmax.csv"))
    classes = numbers(tables["classes"])
    x = classes[:, 1]
    p = np.exp(x - x.max()) / np.exp(x - x.max()).sum()
    assert np.allclose(classes[:, 3], p, atol=1e-15)
    jac = numbers(tables["Jacobian J = Diag(p) - p p^T"], 1)
    assert np.allclose(jac, np.diag(p) - np.outer(p, p), atol=1e-15)

    loss = build(qtbot, LossPanel)
    tables = read_tables(export.write_csv(loss, tmp_path / "loss.csv"))
    curves = numbers(tables["curves for y = 1"])
    a = curves[:, 0]
    assert a.size == 401 and a[0] == -10.0 and a[-1] == 10.0
    f = 1.0 / (1.0 + np.exp(-a))
    assert np.allclose(curves[:, 1], f, atol=1e-15)
    assert np.allclose(curves[:, 2], np.logaddexp(0.0, -a), atol=1e-12)  # -log f for y = 1
    assert np.allclose(curves[:, 4], f - 1.0, atol=1e-15)
    lab = numbers(tables["SGD lab (row 0: before the first update)"])
    s = loss.state
    w, b = s.w0, s.b0
    for step in range(s.steps + 1):  # plain SGD with cross-entropy, written out here
        assert np.allclose(lab[step, [1, 2]], [w, b], atol=1e-12), step
        f_step = 1.0 / (1.0 + np.exp(-(w * s.x + b)))
        w, b = w - s.lr * (f_step - s.y) * s.x, b - s.lr * (f_step - s.y)

    cnn = build(qtbot, PANELS["cnn"])
    tables = read_tables(export.write_csv(cnn, tmp_path / "cnn.csv"))
    shape = tables["shape table"]
    weights = [int(row[2]) for row in shape[1][1:-1]]
    assert weights == [3 * 32 * 8 * 8, 0, 32 * 64 * 3 * 3]  # 18,432 for question 4.2
    assert shape[1][-1][2] == str(sum(weights))
    layers = tables["layers (input 3 × 128 × 128)"][1]
    h = 128
    for row in layers:
        k, stride, padding = int(row[3]), int(row[4]), int(row[5] or 0)
        h = (h + 2 * padding - k) // stride + 1
        assert int(row[9]) == h
    assert [row[8:] for row in layers][-1] == ["64", "32", "32"]

    equivalence = build(qtbot, PANELS["equivalence"])
    tables = read_tables(export.write_csv(equivalence, tmp_path / "eq.csv"))
    net = equivalence.view.net
    outputs = numbers(tables["outputs"])
    X = outputs[:, :1]
    hidden = 1.0 / (1.0 + np.exp(-(X @ net.W1.T + net.b1)))
    y = hidden @ net.W2.T + net.b2
    assert np.allclose(outputs[:, 1:3], y, atol=1e-12)
    assert np.allclose(outputs[:, 3:5], y, atol=1e-12)  # the tanh-net computes the same
    for panel in (softmax, loss, cnn, equivalence):
        panel.run_checks()


# -- the window's menu entries -----------------------------------------------------------------
@pytest.fixture
def window(window):
    w = window
    yield w
    for panel_id in ("convolution", "loss", "backprop"):
        if w.panels.is_built(panel_id):
            w.panels[panel_id].playback.pause()


def test_menu_copies_the_panel_and_exports_its_data_and_animation(window, qtbot, tmp_path,
                                                                  monkeypatch):
    window.show_panel("convolution")
    panel = window.current_panel()
    ratio = panel.devicePixelRatioF()
    size = (round(panel.width() * ratio), round(panel.height() * ratio))

    # Edit ▸ Copy panel image
    QApplication.clipboard().clear()
    window.copy_panel_image()
    image = QApplication.clipboard().image()
    assert (image.width(), image.height()) == size
    grey = np.array([[image.pixelColor(x, y).lightness() for x in range(0, image.width(), 7)]
                     for y in range(0, image.height(), 7)])
    assert grey.std() > 20  # a picture, not a blank
    assert "Copied the Convolution panel" in window.statusBar().currentMessage()

    # File ▸ Export data as CSV… (".csv" is added to a name typed without it)
    answer = {"name": str(tmp_path / "data"), "filter": "CSV table (*.csv)"}
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda *a, **k: (answer["name"], answer["filter"]))
    window.export_csv_current()
    tables = read_tables(tmp_path / "data.csv")
    assert np.array_equal(vectors(tables["1-D vectors"])["y (full, flipped)"],
                          [2, 4, 7, 10, 3, 4])
    assert "data.csv" in window.statusBar().currentMessage()

    # File ▸ Export animation as GIF…: offered for animated panels only
    window.show_panel("cnn")
    assert not window.gif_action.isEnabled()
    window.show_panel("convolution")
    assert window.gif_action.isEnabled()
    assert window.gif_action.toolTip() and window.gif_action.statusTip()
    panel.seek(1)
    answer.update(name=str(tmp_path / "anim"), filter="GIF animation (*.gif)")
    window.export_gif_current()
    with Image.open(tmp_path / "anim.gif") as gif:
        assert gif.n_frames == panel.animation_steps() == 6
        assert gif.size == size
    assert panel.animation_step() == 1
    assert "6 steps" in window.statusBar().currentMessage()
    assert not list(tmp_path.glob(".*.tmp"))  # written atomically: no temporary left over


def test_gif_action_without_pillow_explains_how_to_enable_it(window, qtbot, monkeypatch):
    window.show_panel("backprop")
    shown = []
    monkeypatch.setattr(QMessageBox, "information", lambda *a: shown.append(a[2]))
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda *a, **k: pytest.fail("no file dialog without Pillow"))
    monkeypatch.setitem(sys.modules, "PIL", None)
    assert window.gif_action.isEnabled()  # still offered: it says how to get it
    window.gif_action.trigger()
    assert len(shown) == 1 and "pip install 'nn-explorer[gif]'" in shown[0]
