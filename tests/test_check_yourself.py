import re

import numpy as np
import pytest
from PySide6.QtCore import Qt

from explorer.main_window import MainWindow
from explorer.model import cnn
from explorer.panels import PANELS
from explorer.widgets.check_yourself import CheckYourself

DIGITS = str.maketrans("₀₁₂₃₄₅₆₇₈₉", "0123456789")


def sigmoid_ref(a):
    return 1.0 / (1.0 + np.exp(-a))


def numbers_in(prompt: str, pattern: str) -> list[int]:
    match = re.search(pattern, prompt.translate(DIGITS))
    assert match, (pattern, prompt)
    return [int(g) for g in match.groups()]


def correlate2d(x, w, stride, padding, dilation):
    x = np.pad(np.asarray(x, float), padding)
    w = np.asarray(w, float)
    span_r, span_c = dilation * (w.shape[0] - 1) + 1, dilation * (w.shape[1] - 1) + 1
    rows = (x.shape[0] - span_r) // stride + 1
    cols = (x.shape[1] - span_c) // stride + 1
    out = np.zeros((rows, cols))
    for i in range(rows):
        for j in range(cols):
            rows_i = slice(i * stride, i * stride + span_r, dilation)
            cols_j = slice(j * stride, j * stride + span_c, dilation)
            out[i, j] = (x[rows_i, cols_j] * w).sum()
    return out


def layer_shapes(input_shape, layers):
    """Output shapes by the textbook formula, layer by layer (torch's rule)."""
    c, h, w = input_shape
    shapes = []
    for layer in layers:
        if isinstance(layer, cnn.Conv2d):
            span = layer.dilation * (layer.kernel_size - 1) + 1
            h = (h + 2 * layer.padding - span) // layer.stride + 1
            w = (w + 2 * layer.padding - span) // layer.stride + 1
            c = layer.out_channels
        elif isinstance(layer, cnn.MaxPool2d):
            s = layer.stride or layer.kernel_size
            h = (h - layer.kernel_size) // s + 1
            w = (w - layer.kernel_size) // s + 1
        shapes.append((c, h, w))
    return shapes


def chain_jacobian(w2, len_h1, kind):
    """d a2 / d h1, column by column: the layer applied to each unit vector."""
    mode = "valid" if kind == "valid" else "full"
    return np.stack([np.correlate(np.eye(len_h1)[n], w2, mode) for n in range(len_h1)], axis=1)


def expected(panel, question):
    """The right answer, computed here from the panel's state, never from the question."""
    kind, prompt = question.kind, question.prompt
    if panel.id == "loss":
        a, y = panel.state.marker, panel.state.y
        f = sigmoid_ref(a)
        return {"ce_grad": f - y, "mse_grad": -2 * (y - f) * f * (1 - f),
                "ce_loss": -(y * np.log(f) + (1 - y) * np.log(1 - f)),
                "slope_ratio": 2 * f * (1 - f)}[kind]
    if panel.id == "softmax":
        u = np.array(panel.state.logits) / panel.state.temperature
        p = np.exp(u - u.max()) / np.exp(u - u.max()).sum()
        if kind == "probability":
            (i,) = numbers_in(prompt, r"p(\d+) = S")
            return p[i - 1]
        if kind == "jacobian":
            i, j = numbers_in(prompt, r"J<sub>(\d+),(\d+)</sub>")
            return p[i - 1] * ((i == j) - p[j - 1])
        return np.log(p[0] / (1 - p[0]))
    if panel.id == "equivalence":
        net = panel.view.net
        if kind == "output_bias":
            (k,) = numbers_in(prompt, r"b̃²\[(\d+)\]")
            return net.b2[k - 1] + 0.5 * net.W2[k - 1].sum()
        if kind == "halved":
            match = re.search(r"it was ([Wb])([¹²])\[(\d+)(?:,(\d+))?\]", prompt)
            name = match.group(1) + ("1" if match.group(2) == "¹" else "2")
            index = tuple(int(g) - 1 for g in match.groups()[2:] if g is not None)
            return getattr(net, name)[index] / 2
        (k,) = numbers_in(prompt, r"output (\d+)\)")
        return (net.W2 @ sigmoid_ref(net.b1) + net.b2)[k - 1]
    if panel.id == "convolution":
        one, two = panel.state.one, panel.state.two
        x, w = np.array(one.x), np.array(one.w)
        if kind in ("conv_entry", "other_flip"):
            (n,) = numbers_in(prompt, r"y(\d+) of")
            flip = "convolution (kernel flipped)" in prompt
            return (np.convolve if flip else np.correlate)(x, w, one.mode)[n - 1]
        if kind == "output_length":
            return len(np.convolve(x, w, one.mode))
        out = correlate2d(two.x, two.w, two.stride, two.padding, two.dilation)
        if kind == "conv2d_shape":
            return out.shape
        i, j = numbers_in(prompt, r"entry \((\d+), (\d+)\)")
        return out[i - 1, j - 1]
    if panel.id == "cnn":
        s = panel.state
        (k,) = numbers_in(prompt, r"layer (\d+)")
        shapes = layer_shapes(s.input_shape, s.layers)
        if kind == "output_shape":
            return shapes[k - 1]
        if kind == "activations":
            return int(np.prod(shapes[k - 1]))
        layer = s.layers[k - 1]
        c_in = (shapes[k - 2] if k > 1 else s.input_shape)[0]
        return layer.out_channels * (c_in * layer.kernel_size**2 + layer.bias)
    s = panel.state
    if kind == "len_a2":
        return s.d - s.k1 - s.k2 + 2 if s.kind == "valid" else s.d + s.k1 + s.k2 - 2
    len_h1 = s.d - s.k1 + 1 if s.kind == "valid" else s.d + s.k1 - 1
    jac = chain_jacobian(np.array(s.w2), len_h1, s.kind)
    if kind == "grad_h1":
        (n,) = numbers_in(prompt, r"entry (\d+) of")
        return (jac.T @ np.array(s.g))[n - 1]
    i, n = numbers_in(prompt, r"∂a²(\d+)/∂h¹(\d+)")
    return jac[i - 1, n - 1]


def typed(value, question) -> str:
    """The right answer as a student would type it: rounded to what the prompt asks."""
    if question.is_list():
        return " x ".join(str(int(v)) for v in value)
    if "whole number" in question.prompt:
        return str(int(round(value)))
    decimals = int(re.search(r"to (\d+) decimals", question.prompt).group(1))
    return f"{value:.{decimals}f}"


def wrong(value, question) -> str:
    if question.is_list():
        return " x ".join(str(int(v) + 1) for v in value)
    return f"{value + 1:.6f}"


@pytest.fixture
def bar(qtbot):
    widget = CheckYourself()
    qtbot.addWidget(widget)
    widget.resize(900, 80)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def make_panel(qtbot, panel_id):
    panel = PANELS[panel_id]()
    qtbot.addWidget(panel)
    return panel


def numbers_of(text: str) -> list[float]:
    return [float(t.replace("−", "-").replace(",", ""))
            for t in re.findall(r"[−-]?\d[\d,]*\.?\d*(?:e[−-]?\d+)?", text)]


@pytest.mark.parametrize("panel_id", list(PANELS))
def test_every_question_of_every_panel_grades_the_right_answer_right(qtbot, bar, panel_id):
    panel = make_panel(qtbot, panel_id)
    bar.set_panel(panel)
    kinds = len(bar._questions)
    assert 2 <= kinds <= 4
    seen = set()
    for _ in range(kinds):
        q = bar.question()
        seen.add(q.kind)
        value = expected(panel, q)
        bar.answer_input.setText(typed(value, q))
        with qtbot.waitSignal(bar.checked) as signal:
            qtbot.keyClick(bar.answer_input, Qt.Key.Key_Return)
        assert signal.args[0].correct, (q.prompt, typed(value, q), q.answer_text())
        assert bar.verdict_text().startswith("✓ Right")
        assert not bar.working_visible()

        bar.answer_input.setText(wrong(value, q))
        verdict = bar.check()
        assert verdict.readable and not verdict.correct, q.prompt
        assert bar.verdict_text().startswith("✗ Not quite — the answer is")
        assert bar.working_visible()
        shown = numbers_of(bar.working.text())
        for v in np.atleast_1d(value):
            assert any(abs(s - v) <= max(q.tolerance, 1e-3 * abs(v)) for s in shown), \
                (v, bar.working.text())
        bar.another_button.click()
        assert bar.verdict_text() == "" and bar.answer_input.text() == ""
        assert not bar.working_visible()
    assert len(seen) == kinds  # every kind was asked once in a cycle


def test_convolution_2d_tab_asks_about_the_grid(qtbot, bar):
    panel = make_panel(qtbot, "convolution")
    bar.set_panel(panel)
    panel.tabs.setCurrentIndex(1)
    for _ in range(2):
        q = bar.question()
        assert q.kind in ("conv2d_entry", "conv2d_shape")
        bar.answer_input.setText(typed(expected(panel, q), q))
        assert bar.check().correct
        bar.another()


def set_vector(widget, text):
    widget.line_edit().setText(text)
    widget.line_edit().editingFinished.emit()


CHANGES = {
    "loss": lambda p: set_vector(p.marker_input, "-2"),
    "softmax": lambda p: set_vector(p.logits_input, "3, 0, -1.5"),
    "equivalence": lambda p: set_vector(p.seed_input, "7"),
    "convolution": lambda p: set_vector(p.x_input, "5, -1, 2, 0, 3"),
    "cnn": lambda p: set_vector(p.height_input, "96"),
    "backprop": lambda p: set_vector(p.k2_input, "2"),
}


@pytest.mark.parametrize("panel_id", list(PANELS))
def test_changing_an_input_changes_the_question(qtbot, bar, panel_id):
    panel = make_panel(qtbot, panel_id)
    bar.set_panel(panel)
    before = bar.question()
    old_value = expected(panel, before)
    bar.answer_input.setText(typed(old_value, before))
    assert bar.check().correct
    with qtbot.waitSignal(panel.changed):
        CHANGES[panel_id](panel)
    after = bar.question()
    assert after.kind == before.kind and after != before
    assert bar.note_text() == "The panel changed: new question."
    assert bar.verdict_text() == "" and bar.answer_input.text() == ""
    new_value = expected(panel, after)
    assert not np.allclose(np.atleast_1d(old_value), np.atleast_1d(new_value))
    bar.answer_input.setText(typed(old_value, after))
    assert not bar.check().correct
    assert bar.note_text() == ""
    bar.answer_input.setText(typed(new_value, after))
    assert bar.check().correct


def test_a_change_that_leaves_the_question_alone_keeps_what_is_typed(qtbot, bar):
    panel = make_panel(qtbot, "loss")
    bar.set_panel(panel)
    bar.answer_input.setText("-0.99")
    set_vector(panel.lr_input, "0.25")  # the SGD lab: not what the question is about
    assert bar.answer_input.text() == "-0.99" and bar.note_text() == ""


def test_another_cycles_through_different_questions(qtbot, bar):
    panel = make_panel(qtbot, "softmax")
    bar.set_panel(panel)
    prompts = [bar.question().prompt]
    for _ in range(5):
        bar.another()
        prompts.append(bar.question().prompt)
    assert all(a != b for a, b in zip(prompts, prompts[1:], strict=False))
    assert bar.question().kind in ("probability", "jacobian", "sigmoid_logit")


@pytest.mark.parametrize("text", ["", "abc", "1..2", "nan", "1/0", "(1, 2", "🙂"])
def test_garbage_says_what_to_type_and_does_not_grade(qtbot, bar, text):
    panel = make_panel(qtbot, "loss")
    bar.set_panel(panel)
    bar.answer_input.setText(text)
    verdict = bar.check()
    assert not verdict.readable
    assert "type a number such as 0.25" in bar.verdict_text().lower()
    assert not bar.working_visible()
    # The next good answer is graded as usual.
    q = bar.question()
    bar.answer_input.setText(typed(expected(panel, q), q))
    assert bar.check().correct


def test_shape_question_asks_for_a_shape(qtbot, bar):
    panel = make_panel(qtbot, "cnn")
    bar.set_panel(panel)
    q = bar.question()
    assert q.kind == "output_shape" and q.is_list()
    bar.answer_input.setText("64")
    assert "shape such as (8, 14, 14)" in bar.check().message
    assert bar.answer_input.placeholderText() == "e.g. 8x14x14"


def test_no_question_while_the_panel_has_none(qtbot, bar):
    panel = make_panel(qtbot, "cnn")
    bar.set_panel(panel)
    panel.quiz = lambda seed=0: []
    bar.another()
    assert bar.question() is None
    assert "inputs need fixing" in bar.prompt.text()
    assert not bar.check_button.isEnabled()
    assert bar.check() is None


def test_every_control_has_a_tooltip(bar):
    for widget in (bar, bar.prompt, bar.answer_input, bar.check_button, bar.another_button,
                   bar.verdict, bar.working_button, bar.working, bar.note):
        assert widget.toolTip(), widget


# -- in the main window ------------------------------------------------------------------------
def test_ctrl_k_toggles_the_bar_and_is_remembered(window, qtbot, settings):
    bar = window.check_yourself
    qtbot.keyClick(window, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    assert bar.isHidden() and not window.check_yourself_action.isChecked()
    assert settings.value("check_yourself_visible") in (False, "false")
    window.close()
    again = MainWindow(settings=settings)
    qtbot.addWidget(again)
    again.show()
    qtbot.waitExposed(again)
    assert again.check_yourself.isHidden()
    assert not again.check_yourself_action.isChecked()
    again.activateWindow()  # a shortcut reaches the active window only
    qtbot.waitUntil(again.isActiveWindow)
    qtbot.keyClick(again, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    assert again.check_yourself.isVisible()
    assert again.check_yourself.answer_input.hasFocus()


def test_a_hidden_bar_catches_up_when_shown(window, qtbot):
    bar = window.check_yourself
    window.set_check_yourself_visible(False)
    panel = window.current_panel()
    set_vector(panel.marker_input, "-3")
    window.set_check_yourself_visible(True)
    assert "a = −3" in bar.question().prompt


def test_the_bar_follows_the_panel_shown_and_leaves_it_room(window, qtbot):
    """Collapsed, the bar is about two lines; each panel keeps at least 1000 x 700 (the size
    test_main_window's clipping test lays panels out at) in the default 1280 x 800 window."""
    from PySide6.QtWidgets import QApplication

    bar = window.check_yourself
    assert bar.isVisible() and window.check_yourself_action.isChecked()
    window.resize(1280, 800)
    first = {"cnn": "output_shape", "backprop": "len_a2", "loss": "ce_grad"}
    for panel_id in PANELS:
        window.show_panel(panel_id)
        QApplication.processEvents()
        panel = window.current_panel()
        assert bar.panel() is panel
        assert bar.question().kind == first.get(panel_id, bar.question().kind)
        assert window.size().toTuple() == (1280, 800), panel_id
        assert bar.height() <= 4 * bar.fontMetrics().lineSpacing(), bar.height()
        assert panel.width() >= 1000 and panel.height() >= 700, (panel_id, panel.size())
        assert bar.mapToGlobal(bar.rect().topLeft()).y() > \
            panel.mapToGlobal(panel.rect().bottomLeft()).y()


# -- issue 11: the "panel changed" note fades out, completely -----------------------------------
@pytest.fixture
def quick_bar(qtbot, monkeypatch):
    """A bar whose note holds 1.5 s instead of 4 s before it fades (the fade is unchanged)."""
    monkeypatch.setattr(CheckYourself, "NOTE_HOLD_MS", 1500)
    widget = CheckYourself()
    qtbot.addWidget(widget)
    widget.resize(900, 80)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def test_the_changed_note_fades_out_completely(qtbot, quick_bar):
    bar = quick_bar
    panel = make_panel(qtbot, "loss")
    bar.set_panel(panel)
    with qtbot.waitSignal(panel.changed):
        set_vector(panel.marker_input, "-2")
    assert bar.note_text() == "The panel changed: new question."
    qtbot.wait(1000)  # long enough to read: still there
    assert bar.note.isVisible()
    # It fades out within its hold and fade times, and ends hidden, not faint.
    qtbot.waitUntil(bar.note.isHidden, timeout=5000)
    assert bar.note_text() == "" and bar.note_opacity() == 0.0
    qtbot.wait(200)  # nothing comes back after the end of the fade
    assert bar.note.isHidden()
    # The next change shows the note at full strength again, not as a ghost.
    with qtbot.waitSignal(panel.changed):
        set_vector(panel.marker_input, "-3")
    assert bar.note.isVisible() and bar.note_opacity() == 1.0
    assert bar.note_text() == "The panel changed: new question."


def test_a_change_during_the_fade_brings_the_note_back_at_full_strength(qtbot, quick_bar):
    bar = quick_bar
    panel = make_panel(qtbot, "loss")
    bar.set_panel(panel)
    with qtbot.waitSignal(panel.changed):
        set_vector(panel.marker_input, "-2")
    qtbot.waitUntil(lambda: 0.0 < bar.note_opacity() < 1.0, timeout=4000)
    with qtbot.waitSignal(panel.changed):
        set_vector(panel.marker_input, "-3")
    assert bar.note.isVisible() and bar.note_opacity() == 1.0
    bar.answer_input.setText("0")
    bar.check()  # a Check takes the note away at once, fading or not
    assert bar.note.isHidden() and bar.note_opacity() == 0.0


# -- issue 14: fewer decimals than asked, but right so far -------------------------------------
def test_fewer_decimals_is_right_so_far_and_keeps_the_working_closed(qtbot, bar):
    panel = make_panel(qtbot, "loss")  # the homework's default: a = −6, y = 1
    bar.set_panel(panel)
    bar.another()
    q = bar.question()
    assert q.kind == "mse_grad" and "(to 5 decimals)" in q.prompt
    for text in ("-0.0049", "−4.9e-3", "-4.9×10^-3"):
        bar.answer_input.setText(text)
        with qtbot.waitSignal(bar.checked) as signal:
            qtbot.keyClick(bar.answer_input, Qt.Key.Key_Return)
        verdict = signal.args[0]
        assert bar.verdict_text() == "≈ Right so far — give 5 decimals"
        assert not bar.working_visible()
        assert verdict.readable and verdict.right_so_far, text
        assert not verdict.correct and not verdict.wrong
    bar.answer_input.setText("-0.00492")
    assert bar.check().correct
    assert bar.verdict_text() == "✓ Right: −0.00492"
    bar.answer_input.setText("-0.0048")
    assert bar.check().wrong
    assert bar.verdict_text() == "✗ Not quite — the answer is −0.00492"
    assert bar.working_visible()
