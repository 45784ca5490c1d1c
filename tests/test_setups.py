"""Setups (explorer/setups.py): saved, shared and opened whole or not at all."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PySide6.QtCore import QSettings
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication, QMessageBox

from explorer import assets, setups
from explorer.main_window import MainWindow
from explorer.widgets.images import rgb_array

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "resources" / assets.EXAMPLE_SETUP


def states(window: MainWindow) -> dict:
    """Every panel's state, animation step and picture as plain data."""
    shown = {}
    for panel_id in window.panels:
        panel = window.panels[panel_id]
        picture = getattr(panel, "picture", lambda: None)()
        shown[panel_id] = (panel.state_dict(), panel.animation_step() if panel.animated else None,
                           None if picture is None else (picture[0],
                                                         rgb_array(picture[1]).tobytes()))
    return shown


def fresh_window(qtbot, tmp_path, name: str) -> MainWindow:
    window = MainWindow(settings=QSettings(str(tmp_path / f"{name}.ini"),
                                           QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.show()
    return window


def test_a_saved_setup_opens_the_same_everywhere(qtbot, tmp_path):
    first = fresh_window(qtbot, tmp_path, "first")
    conv = first.panels["convolution"]
    conv.edit(None, one__mode="valid", three__stride=2, view="transposed")
    conv.seek(5)
    first.panels["softmax"].edit(None, logits=(0.5, -2.0, 4.0))
    picture = QImage(40, 30, QImage.Format.Format_RGB888)
    picture.fill(QColor(200, 30, 60))
    first.panels["cnn"].use_picture(("red.png", picture))
    first.show_panel("softmax")
    first.set_theme("dark")
    text = setups.dumps(first.setup_data())
    second = fresh_window(qtbot, tmp_path, "second")
    assert second.apply_setup_text(text, "a test")
    assert states(second) == states(first)
    assert second.current_id() == "softmax" and second._theme == "dark"
    assert second.panels["convolution"].frame() == 5
    assert second.panels["cnn"].picture()[0] == "red.png"
    second.set_theme("light")
    # Lists of numbers stay on one line; the file is JSON any tool reads.
    assert '"logits": [0.5, -2.0, 4.0]' in text and json.loads(text)["format"] == 1


def test_the_example_setup_opens(qtbot, tmp_path):
    window = fresh_window(qtbot, tmp_path, "example")
    assert window.open_setup_file(EXAMPLE)
    conv = window.panels["convolution"]
    assert conv.state.one.mode == "same" and conv.frame() == 3
    assert window.panels["softmax"].state.logits == (3.0, 1.0, 0.2, -1.0)
    assert window.current_id() == "convolution"
    assert window.recent_setups() == [str(EXAMPLE.resolve())]


BAD = [
    ("not json", "not JSON"),
    ('{"format": 1, "panels": {"loss": {"state": {}}}', "not JSON"),  # truncated
    ("[1, 2]", "a setup is a JSON object"),
    ('{"format": 2, "app": "9.0"}', "format 2, from a newer NN Explorer (9.0)"),
    ('{"format": "1"}', "format must be a whole number"),
    ('{"format": 1, "colour": "red"}', "unknown key 'colour'"),
    ('{"format": 1, "panel": "magic"}', "panel must be one of"),
    ('{"format": 1, "theme": "neon"}', "theme must be one of"),
    ('{"format": 1, "panels": {"magic": {}}}', "unknown panel 'magic'"),
    ('{"format": 1, "panels": {"loss": []}}', "panels.loss must be an object"),
    ('{"format": 1, "panels": {"softmax": {"state": {}, "step": 2}}}', "has no animation"),
    ('{"format": 1, "panels": {"loss": {"state": {}, "step": -1}}}', "step must be a whole"),
    ('{"format": 1, "panels": {"loss": {"state": {}, "picture": {}}}}', "only the cnn panel"),
    ('{"format": 1, "panels": {"cnn": {"state": {}, "picture": {"name": "a", "png": "!!"}}}}',
     "not base64"),
    ('{"format": 1, "panels": {"cnn": {"state": {}, "picture": {"name": "a", "png": "AAAA"}}}}',
     "not a PNG picture"),
    ('{"format": 1, "x": NaN}', "not a number a setup may hold"),
    ('{"format": 1, "panel": [1]}', "panel must be one of"),
    ('{"format": 1, "theme": {}}', "theme must be one of"),
    ('{"format": 1, "app": "\\ud800"}', "not valid Unicode"),
    ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
    ('{"format": 1, "app": "' + "x" * (setups.MAX_BYTES + 1) + '"}',
     "a setup is at most 16,777,216 bytes"),
]


@pytest.mark.parametrize("text, message", BAD, ids=[m for _, m in BAD])
def test_a_bad_setup_is_refused_with_one_line_naming_the_field(text, message):
    with pytest.raises(setups.SetupError) as refused:
        setups.parse(text)
    assert message in str(refused.value) and "\n" not in str(refused.value)


@pytest.mark.parametrize("part, message", [
    ({"softmax": {"state": {"logits": [1.0], "temperature": 1.0, "shift": 0.0}}},
     "panels.softmax.state: logits"),
    ({"loss": {"state": {"y": 7}}}, "panels.loss.state"),
    ({"convolution": {"state": json.loads(EXAMPLE.read_text())["panels"]["convolution"]
                      ["state"], "step": 99}}, "panels.convolution.step is 99; this state has "
                                               "steps 0 to 3"),
])
def test_a_setup_that_fails_a_panels_rules_changes_nothing(qtbot, tmp_path, monkeypatch, part,
                                                           message):
    window = fresh_window(qtbot, tmp_path, "window")
    window.panels["convolution"].edit(None, one__mode="valid")
    window.panels["softmax"].edit(None, logits=(1.0, 2.0, 3.0))
    before = states(window)
    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *args: warnings.append(args[2]))
    # The softmax and convolution parts come first and are valid: they are put back.
    good = {"softmax": {"state": {"logits": [9.0, 8.0], "temperature": 2.0, "shift": 0.0}},
            "convolution": {"state": window.panels["convolution"].state_dict(), "step": 0}}
    text = json.dumps({"format": 1, "panels": {**good, **part}})
    with pytest.raises(setups.SetupError) as refused:
        setups.apply(setups.parse(text), window.panels.__getitem__)
    assert message in str(refused.value)
    assert states(window) == before
    # In the window, with one part alone there is nothing to skip: a message, and no change.
    window._unsaved = False
    assert not window.apply_setup_text(json.dumps({"format": 1, "panels": part}), "a test")
    assert len(warnings) == 1 and message in warnings[0] and states(window) == before


def test_a_failing_part_may_be_skipped_with_the_rest_applied(qtbot, tmp_path, monkeypatch):
    window = fresh_window(qtbot, tmp_path, "window")
    window._unsaved = False
    asked = []

    def answer(*args):
        asked.append(args[2])
        return QMessageBox.StandardButton.Ignore

    monkeypatch.setattr(QMessageBox, "question", answer)
    text = json.dumps({"format": 1, "panels": {
        "softmax": {"state": {"logits": [9.0, 8.0], "temperature": 2.0, "shift": 0.0}},
        "loss": {"state": {"y": 7}}}})
    assert window.apply_setup_text(text, "a test")
    assert "Skip the loss panel's part" in asked[0]
    assert window.panels["softmax"].state.logits == (9.0, 8.0)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                max_size=4), max_leaves=20)


@settings(max_examples=200, deadline=None)
@given(st.one_of(json_values.map(json.dumps), st.text(max_size=50), st.binary(max_size=50)))
def test_any_text_is_refused_or_read_never_a_crash(text):
    try:
        setup = setups.parse(text)
    except setups.SetupError as exc:
        assert str(exc) and "\n" not in str(exc)
    else:
        assert setup.panel in setups.PANELS


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(panel_id=st.sampled_from(["loss", "softmax", "convolution", "backprop", "equivalence"]),
       key=st.text(max_size=6), value=json_values)
def test_any_panel_part_applies_whole_or_changes_nothing(window, panel_id, key, value):
    panel = window.panels[panel_id]
    good = panel.state_dict()
    before = states(window)
    broken = {**good, key: value} if key else {**good, next(iter(good)): value}
    text = json.dumps({"format": 1, "panels": {panel_id: {"state": broken}}})
    try:
        setups.apply(setups.parse(text), window.panels.__getitem__)
    except setups.SetupError:
        assert states(window) == before
    else:
        assert panel.state_dict() == setups.parse(json.dumps(
            {"format": 1, "panels": {panel_id: {"state": panel.state_dict()}}})).parts[
            panel_id].state
    panel.load_state_dict(good)


def run_app(*args):
    return subprocess.run([sys.executable, str(ROOT / "app.py"), *args], capture_output=True,
                          text=True, timeout=300)


def test_export_shows_what_the_setup_holds(tmp_path):
    done = run_app("--export", str(tmp_path / "with"), "--setup", str(EXAMPLE), "--panel",
                   "convolution", "--panel", "softmax", "--size", "1024x640", "--theme", "dark")
    assert done.returncode == 0, done.stderr
    plain = run_app("--export", str(tmp_path / "without"), "--panel", "convolution",
                    "--size", "1024x640")
    assert plain.returncode == 0, plain.stderr
    shown = rgb_array(QImage(str(tmp_path / "with" / "convolution.png")))
    default = rgb_array(QImage(str(tmp_path / "without" / "convolution.png")))
    assert shown.shape == default.shape == (640, 1024, 3)
    assert shown.mean() < default.mean() - 60  # dark
    assert (tmp_path / "with" / "softmax.png").exists()


def test_a_bad_setup_exits_2_before_writing_anything(tmp_path):
    bad = tmp_path / "bad.nnx.json"
    bad.write_text('{"format": 1, "panels": {"loss": {"state": {"y": 7}}}}')
    done = run_app("--export", str(tmp_path / "out"), "--setup", str(bad))
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "panels.loss.state" in done.stderr
    assert not (tmp_path / "out").exists()
    done = run_app("--setup", str(bad))
    assert done.returncode == 2 and "--setup needs --export DIR" in done.stderr


def test_the_clipboard_carries_a_setup(window):
    window.panels["loss"].edit(None, y=0.25)
    window.copy_setup()
    text = QApplication.clipboard().text()
    window.panels["loss"].reset()
    window._unsaved = False
    window.paste_setup()
    assert window.panels["loss"].state.y == 0.25
    assert np.isclose(json.loads(text)["panels"]["loss"]["state"]["y"], 0.25)


def test_the_readme_example_opens(window):
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    example = text.split("```json\n", 1)[1].split("```", 1)[0]
    window._unsaved = False
    assert window.apply_setup_text(example, "the README")
    assert window.panels["softmax"].state.logits == (3.0, 1.0, 0.2, -1.0)
    assert window.current_id() == "softmax"


def test_dropping_a_setup_on_the_window_opens_it(window):
    from PySide6.QtCore import QMimeData, QUrl

    class Drop:
        def __init__(self, path):
            self.data = QMimeData()
            self.data.setUrls([QUrl.fromLocalFile(str(path))])
            self.accepted = False

        def mimeData(self):  # noqa: N802 - Qt's name
            return self.data

        def acceptProposedAction(self):  # noqa: N802 - Qt's name
            self.accepted = True

    window._unsaved = False
    drop = Drop(EXAMPLE)
    window.dragEnterEvent(drop)
    assert drop.accepted
    window.dropEvent(drop)
    assert window.panels["convolution"].state.one.mode == "same"
    picture = Drop(ROOT / "resources" / assets.SAMPLE_PHOTO)
    window.dragEnterEvent(picture)
    assert not picture.accepted  # a picture is the CNN panel's to take


def test_save_setup_writes_the_file_the_window_opens(window, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    target = tmp_path / "lecture"
    asked = []

    def dialog(parent, caption, start, filters):
        asked.append((caption, start, filters))
        return str(target), filters

    monkeypatch.setattr(QFileDialog, "getSaveFileName", dialog)
    box = window.panels["backprop"].kind_box
    box.setCurrentText("full")
    window.save_setup()
    saved = tmp_path / "lecture.nnx.json"
    assert not window._unsaved and window.recent_setups()[0] == str(saved.resolve())
    data = json.loads(saved.read_text(encoding="utf-8"))
    assert data["panels"]["backprop"]["state"]["kind"] == "full"
    assert data["app"] and data["format"] == 1 and set(data["panels"]) == set(setups.PANELS)
    assert asked[0][0] == "Save setup" and asked[0][1].endswith(".nnx.json")
    # The dialog opens where the last setup went, the next time too.
    window.save_setup()
    assert asked[1][1].startswith(str(tmp_path))
    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        lambda *args: (str(saved), setups.FILTER))
    window.panels["backprop"].reset()
    window._unsaved = False
    window.open_setup()
    assert window.panels["backprop"].state.kind == "full"


def test_a_byte_order_mark_is_read_as_utf8():
    text = json.dumps({"format": 1, "panel": "cnn"})
    assert setups.parse(b"\xef\xbb\xbf" + text.encode()).panel == "cnn"
    assert setups.parse("\ufeff" + text).panel == "cnn"


def test_a_refused_setup_puts_back_a_picture_named_like_the_sample(qtbot, tmp_path):
    window = fresh_window(qtbot, tmp_path, "window")
    cnn = window.panels["cnn"]
    assert cnn.picture() is None  # the sample photo
    red = QImage(40, 30, QImage.Format.Format_RGB888)
    red.fill(QColor(200, 30, 60))
    part = {"state": cnn.state_dict(),
            "picture": {"name": assets.SAMPLE_PHOTO, "png": setups.picture_png(red)}}
    before = states(window)
    text = json.dumps({"format": 1, "panels": {"cnn": part,
                                                  "softmax": {"state": {"logits": "x"}}}})
    window._unsaved = False
    with pytest.raises(setups.SetupError):
        setups.apply(setups.parse(text), window.panels.__getitem__)
    assert states(window) == before and cnn.picture() is None
    # A student's own picture under the sample's name is theirs, and travels in a setup.
    cnn.use_picture((assets.SAMPLE_PHOTO, red))
    assert cnn.picture()[0] == assets.SAMPLE_PHOTO
    assert "picture" in window.setup_data()["panels"]["cnn"]


def test_a_refused_setup_leaves_nothing_unsaved(window, monkeypatch):
    monkeypatch.setattr(QMessageBox, "warning", lambda *args: None)
    window._unsaved = False
    bad = json.dumps({"format": 1, "panels": {"softmax": {"state": {"logits": "x"}}}})
    assert not window.apply_setup_text(bad, "a test")
    assert not window._unsaved  # the next setup opens without asking


def test_a_failed_save_leaves_the_old_file_whole(tmp_path):
    from explorer import export

    path = tmp_path / "old.nnx.json"
    path.write_text("old", encoding="utf-8")
    with pytest.raises(export.ExportError):
        export.write_text_file(path, "new \ud800")
    assert path.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["old.nnx.json"]  # no temporary left
