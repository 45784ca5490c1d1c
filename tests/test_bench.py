"""The bench: it finds every control, changes the panel through it, times and reports it,
replays repaints for the floor, and switches speed machinery off and on for an A/B."""

import dataclasses
import time

import pytest
from PySide6.QtCore import QEvent, QObject, QSettings, Qt
from PySide6.QtWidgets import QApplication, QCheckBox, QLabel, QSlider, QVBoxLayout, QWidget

from explorer import bench
from explorer.bench import (
    BUDGET_MS,
    CLICK,
    DRAG,
    DRIVES,
    _repaints_of,
    _replay,
    find_controls,
    measure_control,
    typed_text,
)
from explorer.main_window import MainWindow
from explorer.panels.base import Panel


class _Counter(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.painted: list[QWidget] = []

    def eventFilter(self, watched, event):  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.Paint:
            self.painted.append(watched)
        return False


class _TwoLabels(QWidget):
    """A stand-in panel: even changes retext the first label, odd ones the second."""

    def __init__(self) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.setSizeConstraint(QVBoxLayout.SizeConstraint.SetNoConstraint)
        self.labels = [QLabel("first 0"), QLabel("second 0")]
        for label in self.labels:
            layout.addWidget(label)
        self.changes = 0

    def bench_change(self, i: int) -> None:
        self.changes += 1
        label = self.labels[i % 2]
        label.setText(f"{label.text().split()[0]} {i + 1}")


def test_repaints_are_recorded_per_change_and_replayed_without_changing_anything(qtbot):
    panel = _TwoLabels()
    qtbot.addWidget(panel)
    panel.resize(200, 80)
    panel.show()
    qtbot.waitExposed(panel)
    app = QApplication.instance()
    app.processEvents()

    repaints = _repaints_of(app, panel.bench_change, first=0, cycle=4)

    assert panel.changes == 4
    assert len(repaints) == 4
    first, second = panel.labels
    for i, painted in enumerate(repaints):
        widgets = [widget for widget, _ in painted]
        assert (first in widgets) == (i % 2 == 0)
        assert (second in widgets) == (i % 2 == 1)
        for widget, region in painted:
            assert not region.isEmpty()
            assert region.boundingRect().width() <= widget.width()

    texts = [label.text() for label in panel.labels]
    counter = _Counter()
    app.installEventFilter(counter)
    try:
        replay = _replay(repaints)
        for i in range(4):
            counter.painted.clear()
            replay(i)
            app.processEvents()
            assert (first in counter.painted) == (i % 2 == 0)
            assert (second in counter.painted) == (i % 2 == 1)
    finally:
        app.removeEventFilter(counter)
    # Replaying repaints: the panel was not changed again.
    assert panel.changes == 4
    assert [label.text() for label in panel.labels] == texts


# -- finding and operating controls --------------------------------------------------------------
@pytest.fixture
def window(qtbot, tmp_path):
    w = MainWindow(settings=QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(w)
    w.resize(*bench.SIZE)
    w.show()
    qtbot.waitExposed(w)
    return w


def _shown(window, panel_id):
    return bench.show(QApplication.instance(), window, panel_id)


def _by_name(controls):
    return {c.name: c for c in controls}


def test_the_loss_panel_offers_its_sliders_fields_handles_and_the_check_yourself_bar(window):
    panel = _shown(window, "loss")
    controls, skipped = find_controls(panel)
    named = _by_name(controls)
    assert len(named) == len(controls)  # names are told apart
    expected = {
        "target y slider": ("slider", DRAG), "marker a slider": ("slider", DRAG),
        "target y field": ("field", CLICK), "learning rate field": ("field", CLICK),
        "steps field": ("field", CLICK), "Animation step slider": ("slider", DRAG),
        "Animation speed box": ("box", CLICK), "Play / pause button": ("button", CLICK),
        "Step forward button": ("button", CLICK), "Explanation button": ("button", CLICK),
        "Loss for target y handle": ("handle", DRAG), "Gradient ∂L/∂a handle": ("handle", DRAG),
        "Output f = σ(a) handle": ("handle", DRAG),
        "Check yourself: Your answer field": ("field", CLICK),
        "Check yourself: Another button": ("button", CLICK),
    }
    for name, (action, kind) in expected.items():
        assert (named[name].action, named[name].kind) == (action, kind), name
    assert named["marker a slider"].widget is panel.marker_input.slider()
    assert named["Loss for target y handle"].widget in panel.markers
    assert named["Loss for target y handle"].extra is panel.loss_plot
    assert named["target y slider"].budget_ms == pytest.approx(16.67, abs=0.01)
    assert named["steps field"].budget_ms == 100.0
    # Nine number fields, two sliders of their own, three marker handles: all of them.
    assert sum(c.action == "field" and panel.isAncestorOf(c.widget) for c in controls) == 9
    assert sum(c.action == "handle" for c in controls) == 3
    assert skipped == []


def test_the_softmax_panel_offers_its_k_box_and_a_handle_per_shown_logit(window):
    panel = _shown(window, "softmax")
    controls, skipped = find_controls(panel)
    named = _by_name(controls)
    assert named["classes K spin box"].widget is panel.k_spin
    assert named["classes K spin box"].kind == CLICK
    handles = [c for c in controls if c.action == "handle"]
    assert [h.widget for h in handles] == panel.handles[:4]  # K = 4 shows four bars
    assert handles[0].name == "Logits x (drag a bar): Drag to change logit x_1 handle"
    assert {c.kind for c in handles} == {DRAG}
    assert skipped == [{"name": "Shift every logit by c: corner button", "reason":
                        "a table's select-all corner: selects cells, changes nothing shown"}]


def test_cnn_rows_are_controls_and_buttons_that_leave_or_reset_are_left_out_with_a_reason(window):
    panel = _shown(window, "cnn")
    controls, skipped = find_controls(panel)
    named = _by_name(controls)
    for number, row in enumerate(panel.layer_rows(), start=1):
        assert named[f"Layer {number} kind box"].widget is row.kind_box()
        assert named[f"Layer {number} kernel field"].widget is row.line_edit("kernel_size")
    assert {"+ Conv button", "+ Pool button", "+ ReLU button", "Remove layer 2 button",
            "Move layer 2 up button", "Layer 1 bias check box"} <= set(named)
    assert sum(c.action == "item" for c in controls) == 3  # a row of maps per layer
    reasons = {s["name"]: s["reason"] for s in skipped}
    assert reasons["Open image… button"] == "opens a file dialog"
    assert reasons["Copy as CSV button"].startswith("copies to the clipboard")
    assert reasons["Reset button"].startswith("puts the whole panel back")
    assert reasons["Move layer 1 up button"] == "disabled here"
    assert reasons["Layer summary table"] == "no cell can be edited"


def test_controls_on_another_tab_are_found_on_it_and_the_tab_shown_stays(window):
    panel = _shown(window, "convolution")
    controls, _ = find_controls(panel)
    named = _by_name(controls)
    assert panel.tabs.currentIndex() == 0
    assert named["Convolution view tabs"].action == "tabs"
    stride = named["2-D: stride field"]
    assert stride.tab == (panel.tabs, 1)
    assert stride.widget is panel.stride_input.line_edit()
    assert named["2-D: kernel text"].widget is panel.kernel_input.text_edit()
    assert named["input x field"].tab is None


def _drive(panel, control, count=4):
    drive = DRIVES[control.action](control, panel, count)
    drive.begin()
    return drive


def _act(drive, i):
    drive.prepare(i)
    QApplication.processEvents()
    drive.act(i)
    QApplication.processEvents()


def test_each_change_goes_through_the_panel(window):
    panel = _shown(window, "loss")
    named = _by_name(find_controls(panel)[0])
    # A slider dragged: the target moves with it, each step.
    drive = _drive(panel, named["target y slider"])
    seen = []
    for i in range(4):
        _act(drive, i)
        seen.append(panel.state.y)
    drive.end()
    assert seen == [0.5, 0.0, 0.5, 1.0]  # from y = 1, over the range and back
    # A marker handle dragged by the mouse: the marker follows, inside the plot's range.
    drive = _drive(panel, named["Loss for target y handle"])
    seen = []
    for i in range(4):
        _act(drive, i)
        seen.append(panel.state.marker)
    drive.end()
    assert all(a != b for a, b in zip([-6.0, *seen], seen, strict=False))
    assert all(-10 < m < 10 for m in seen)
    assert all(marker.value() == seen[-1] for marker in panel.markers)
    # A field typed: a nudged value, then the value it held.
    drive = _drive(panel, named["learning rate field"])
    _act(drive, 0)
    assert panel.state.lr == pytest.approx(0.6)
    _act(drive, 1)
    assert panel.state.lr == pytest.approx(0.5)


def test_a_spin_box_click_and_a_handle_drag_change_the_softmax(window):
    panel = _shown(window, "softmax")
    named = _by_name(find_controls(panel)[0])
    drive = _drive(panel, named["classes K spin box"])
    _act(drive, 0)
    assert len(panel.state_dict()["logits"]) == 5
    drive.end()
    QApplication.processEvents()
    assert len(panel.state_dict()["logits"]) == 4
    before = panel.state_dict()["logits"]
    drive = _drive(panel, named["Logits x (drag a bar): Drag to change logit x_2 handle"])
    _act(drive, 0)
    drive.end()
    after = panel.state_dict()["logits"]
    assert after[1] != before[1] and after[:1] + after[2:] == before[:1] + before[2:]


def test_cnn_add_alternates_with_its_removal_and_other_clicks_start_from_the_same_state(window):
    panel = _shown(window, "cnn")
    named = _by_name(find_controls(panel)[0])
    saved = panel.state_dict()
    drive = _drive(panel, named["+ Pool button"])
    counts = []
    for i in range(4):
        _act(drive, i)
        counts.append(len(panel.state.layers))
    assert counts == [4, 3, 4, 3]
    assert panel.state_dict() == saved
    # Removing layer 2 twice removes the same layer each time: the panel is put back between.
    drive = _drive(panel, named["Remove layer 2 button"])
    for i in range(2):
        _act(drive, i)
        assert [layer["kind"] for layer in panel.state_dict()["layers"]] == ["conv", "conv"]
    bench._put_back(panel, saved)
    # A kind box cycles the kinds; a map clicked selects a pixel.
    drive = _drive(panel, named["Layer 2 kind box"])
    _act(drive, 0)
    assert panel.state_dict()["layers"][1]["kind"] == "relu"
    drive.end()
    assert panel.state_dict() == saved
    panel.finish_forward()
    QApplication.processEvents()
    drive = _drive(panel, named["The first channels of every layer's output, row 1: a pixel "
                                "clicked"])
    _act(drive, 0)
    assert panel.selection() is not None and panel.selection()[0] == 0


def test_a_matrix_and_a_table_cell_are_typed_and_applied(window):
    panel = _shown(window, "convolution")
    named = _by_name(find_controls(panel)[0])
    control = named["2-D: kernel text"]
    panel.tabs.setCurrentIndex(1)
    drive = _drive(panel, control)
    _act(drive, 0)
    assert panel.state_dict()["two"]["w"][0] == [1.0, 1.0, 2.0]  # its first number nudged
    _act(drive, 1)
    assert panel.state_dict()["two"]["w"][0] == [0.0, 1.0, 2.0]
    panel = _shown(window, "equivalence")
    named = _by_name(find_controls(panel)[0])
    drive = _drive(panel, named["The mapping from the σ-net to the tanh-net table"])
    _act(drive, 0)
    assert panel.state_dict()["net"] is not None  # the table now holds edited weights


def test_measuring_a_control_times_it_and_puts_the_panel_back(window, monkeypatch):
    monkeypatch.setitem(bench.PACE_S, DRAG, 0.0)
    panel = _shown(window, "loss")
    named = _by_name(find_controls(panel)[0])
    saved = panel.state_dict()
    row = measure_control(QApplication.instance(), panel, named["marker a slider"], 3)
    assert row["name"] == "marker a slider" and row["kind"] == DRAG
    assert len(row["times_ms"]) == 4  # rounded up to even: toggles end where they began
    assert 0 < row["median_ms"] <= row["p95_ms"] == max(row["times_ms"][1:] + [row["p95_ms"]])
    assert row["budget_ms"] == BUDGET_MS[DRAG]
    assert panel.state_dict() == saved


# -- the report marks what is over budget --------------------------------------------------------
class _SlowPanel(Panel):
    """A panel with a slider that takes 30 ms a step and a check box that costs nothing."""

    id, title, questions = "slow", "Slow", "-"
    State = dataclasses.make_dataclass("Nothing", [], frozen=True)

    def __init__(self) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        self.slider = QSlider(Qt.Orientation.Horizontal, self)
        self.slider.setAccessibleName("slow")
        self.slider.setRange(0, 100)
        self.slider.valueChanged.connect(self._slow)
        self.box = QCheckBox("quick", self)
        layout.addWidget(self.slider)
        layout.addWidget(self.box)
        self.steps = 0

    def _slow(self, _value: int) -> None:
        self.steps += 1
        time.sleep(0.03)  # the artificially slow control

    def bench_change(self, i: int) -> None:
        self.box.setChecked(i % 2 == 0)

    def tidy_tab_order(self) -> None:
        """Two controls, no page: Tab's order is theirs already."""


def test_a_control_over_its_budget_is_marked_in_the_report(qtbot):
    panel = _SlowPanel()
    qtbot.addWidget(panel)
    panel.resize(300, 100)
    panel.show()
    qtbot.waitExposed(panel)
    app = QApplication.instance()
    controls, _ = find_controls(panel)
    assert [(c.name, c.action) for c in controls] == [("slow slider", "slider"),
                                                       ("quick check box", "check box")]
    result = bench.bench_panel(app, panel, 4)
    slow, quick = result["controls"]
    assert panel.steps == 4 + 12  # four timed steps, twelve more to record its own floor
    assert slow["p95_ms"] >= 30 > BUDGET_MS[DRAG] and slow["over_budget"]
    assert quick["p95_ms"] < BUDGET_MS[CLICK] and not quick["over_budget"]
    assert result["worst"] == "slow slider" and result["skipped"] == []
    # Repainting what its changes repaint costs a fraction of the change itself.
    assert 0 < result["worst_floor"]["p95_ms"] < 30 and result["floor"]["p95_ms"] > 0
    assert "frames" not in result  # no animation
    result = {"slow": result}
    lines = bench.controls_table(result)
    row = next(line for line in lines if line.startswith("slow "))
    assert "slow slider" in row and " MISS " in row
    assert row.split()[1:3] == ["2", "1"]  # two controls, one miss
    assert any("slow slider" in line and "> 16.7 ms" in line for line in lines)


# -- values typed and positions dragged ------------------------------------------------------------
def test_typed_values_nudge_one_number_then_put_it_back():
    assert typed_text("2, 1, 0.1, -1", 0) == "3, 1, 0.1, -1"
    assert typed_text("2, 1, 0.1, -1", 1) == "2, 1, 0.1, -1"
    assert typed_text("2, 1, 0.1, -1", 2) == "2, 2, 0.1, -1"
    assert typed_text("2, 1, 0.1, -1", 4) == "2, 1, 0.2, -1"
    assert typed_text("2, 1, 0.1, -1", 6) == "2, 1, 0.1, 0"
    assert typed_text("1e-3", 0) == "0.0011"
    assert typed_text("0.125", 0) == "0.126"
    assert typed_text("", 0) == "1" and typed_text("", 1) == ""
    assert typed_text("0 1\n2 3", 2) == "0 2\n2 3"


def test_a_sweep_crosses_the_range_back_and_forth_without_leaving_it():
    positions = bench._sweep(500, 0, 1000, 8, whole=True)
    assert positions == [750, 1000, 750, 500, 250, 0, 250, 500]
    values = bench._sweep(-6.0, -8.0, 8.0, 30, whole=False)
    assert len(values) == 30 and min(values) >= -8.0 and max(values) <= 8.0
    assert max(values) - min(values) > 15.0
    assert all(a != b for a, b in zip(values, values[1:], strict=False))
