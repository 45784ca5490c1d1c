import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from explorer.main_window import MainWindow
from explorer.panels import PANELS, Panel


def test_the_application_and_window_carry_the_apps_identity(qtbot, settings):
    from PySide6.QtGui import QImage

    from explorer import __version__, assets
    from explorer.main_window import application

    app = application()
    assert (app.applicationName(), app.organizationName()) == ("nn-explorer", "nn-explorer")
    assert app.applicationDisplayName() == "NN Explorer"
    assert app.applicationVersion() == __version__
    assert app.desktopFileName() == "nn-explorer"  # resources/nn-explorer.desktop
    sizes = [s.width() for s in app.windowIcon().availableSizes()]
    assert sizes == list(assets.ICON_SIZES)
    w = MainWindow(settings=settings)
    qtbot.addWidget(w)
    shown = w.windowIcon().pixmap(48, 48).toImage().convertToFormat(QImage.Format.Format_ARGB32)
    png = QImage.fromData(assets.read_bytes(assets.icon_png(48)))
    assert shown == png.convertToFormat(QImage.Format.Format_ARGB32)


def test_every_registered_panel_is_reachable(window, qtbot):
    assert list(window.panels) == list(PANELS)
    assert len(window.panels) == len(PANELS)
    for panel_id, cls in PANELS.items():
        window.show_panel(panel_id)
        panel = window.panels[panel_id]
        assert isinstance(panel, cls) and isinstance(panel, Panel)
        assert window.current_id() == panel_id
        assert window._stack.currentWidget() is panel
        checks = panel.checks()
        assert checks and all(c.passed for c in checks)
        assert window.check_summary() == f"✓ {len(checks)}/{len(checks)} checks pass"


def test_remaining_panels_are_built_after_the_first_frame(window, qtbot):
    qtbot.waitUntil(lambda: all(window.panels.is_built(i) for i in PANELS), timeout=10000)
    assert window.current_id() == next(iter(PANELS))


def test_view_shortcuts_switch_panels(window, qtbot):
    for number, panel_id in enumerate(PANELS, start=1):
        action = window.view_actions[panel_id]
        assert action.shortcut().toString() == f"Ctrl+{number}"
        action.trigger()
        assert window.current_id() == panel_id


def test_last_panel_and_geometry_are_restored(qtbot, settings):
    last = list(PANELS)[-1]
    first = MainWindow(settings=settings)
    qtbot.addWidget(first)
    first.show()
    first.resize(700, 500)
    first.show_panel(last)
    QApplication.processEvents()  # let the layout settle the window's size
    size = (first.width(), first.height())
    assert size != (1280, 800)
    first.close()
    second = MainWindow(settings=settings)
    qtbot.addWidget(second)
    assert second.current_id() == last
    assert (second.width(), second.height()) == size


def test_unknown_saved_panel_and_garbage_geometry_fall_back(qtbot, settings, capsys):
    settings.setValue("last_panel", "no-such-panel")
    settings.setValue("geometry", "garbage")
    settings.sync()
    w = MainWindow(settings=settings)
    qtbot.addWidget(w)
    assert w.current_id() == next(iter(PANELS))
    assert (w.width(), w.height()) == (1280, 800)
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and "geometry, last_panel" in lines[0] and "defaults" in lines[0]


def test_corrupt_settings_file_gives_defaults(qtbot, tmp_path, capsys):
    path = tmp_path / "broken.ini"
    path.write_bytes(b"\x00\xff[geometry\n=\x01\x02 not an ini file \xfe")
    w = MainWindow(settings=QSettings(str(path), QSettings.Format.IniFormat))
    qtbot.addWidget(w)
    assert w.current_id() == next(iter(PANELS))
    assert len(capsys.readouterr().err.strip().splitlines()) <= 1


def test_status_bar_follows_live_checks(window, qtbot):
    panel = window.panels["loss"]
    panel.y_input.set_value(0.3)
    panel.edit(panel.y_input, y=0.3)
    qtbot.waitUntil(lambda: panel.last_checks()[0].value.shape == (401,), timeout=2000)
    n = len(panel.checks())
    assert window.check_summary() == f"✓ {n}/{n} checks pass"


def test_reset_action_restores_panel(window, qtbot):
    panel = window.panels["loss"]
    panel.edit(panel.y_input, y=0.2)
    assert panel.state.y == 0.2
    window.reset_current()
    assert panel.state.y == 1.0


def test_export_current_writes_file(window, qtbot, tmp_path, monkeypatch):
    from PySide6.QtGui import QImage
    from PySide6.QtWidgets import QFileDialog

    target = tmp_path / "out" / "loss.png"
    target.parent.mkdir()
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda *a, **k: (str(target), "PNG image (*.png)"))
    window.export_current()
    image = QImage(str(target))
    assert not image.isNull() and image.width() > 500


@pytest.mark.parametrize("panel_id", list(PANELS))
def test_panel_fits_the_default_window(qtbot, panel_id):
    """Every panel lays out inside 1280 x 800 beside the navigation list, without growing it."""
    panel = PANELS[panel_id]()
    qtbot.addWidget(panel)
    hint = panel.minimumSizeHint()
    assert hint.width() <= 1280 - 270 and hint.height() <= 800 - 60, hint


def test_registry_entries_match_their_classes():
    for panel_id in PANELS:
        entry, cls = PANELS.entry(panel_id), PANELS[panel_id]
        assert (cls.id, cls.title, cls.questions) == (panel_id, entry.title, entry.questions)
        assert cls.__module__ == entry.module


def test_start_up_imports_only_the_panel_it_opens():
    import ast
    import subprocess
    import sys

    code = ("import os, sys; os.environ['QT_QPA_PLATFORM'] = 'offscreen'\n"
            "from explorer.main_window import MainWindow, application\n"
            "from PySide6.QtCore import QSettings\n"
            "app = application()\n"
            "w = MainWindow(settings=QSettings(sys.argv[1], QSettings.Format.IniFormat))\n"
            "print(sorted(m for m in sys.modules if m.startswith('explorer.panels.')))\n")
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        out = subprocess.run([sys.executable, "-c", code, f"{tmp}/s.ini"], capture_output=True,
                             text=True, check=True)
    panel_modules = {PANELS.entry(panel_id).module for panel_id in PANELS}
    imported = [m for m in ast.literal_eval(out.stdout) if m in panel_modules]
    assert imported == ["explorer.panels.loss"]


def test_f1_explains_the_panel_and_reset_all(window, qtbot):
    from PySide6.QtWidgets import QTextBrowser

    window.explain_current()
    dialog = window._explanation
    qtbot.waitExposed(dialog)
    text = dialog.findChild(QTextBrowser).toPlainText()
    assert "Question 1" in text and "cross-entropy" in text.lower()
    dialog.close()
    panel = window.panels["loss"]
    panel.edit(panel.y_input, y=0.4)
    window.reset_all()
    assert panel.state.y == 1.0


def test_status_bar_counts_every_check_of_every_panel(window, qtbot):
    for panel_id in PANELS:
        window.show_panel(panel_id)
        panel = window.panels[panel_id]
        panel.reset()
        panel.run_checks()
        n = len(panel.checks())
        assert window.check_summary() == f"✓ {n}/{n} checks pass"


@pytest.mark.parametrize("panel_id", list(PANELS))
def test_f1_shows_each_panels_question_text(qtbot, panel_id):
    panel = PANELS[panel_id]()
    qtbot.addWidget(panel)
    from PySide6.QtGui import QTextDocument

    document = QTextDocument()
    document.setHtml(panel.explanation())
    assert "Question" in document.toPlainText() and len(document.toPlainText()) > 500


def test_folding_the_explanation_folds_every_panels_and_is_remembered(qtbot, settings):
    from PySide6.QtCore import QPoint

    window = MainWindow(settings=settings)
    qtbot.addWidget(window)
    window.resize(1366, 728)
    window.show()
    qtbot.waitExposed(window)
    loss = window.panels["loss"]
    before = loss.y_input.mapTo(window, QPoint(0, 0)).y()
    loss.page.explanation.header.click()  # the student folds it on one panel
    QApplication.processEvents()
    assert not window.explanations_action.isChecked()
    assert all(not window.panels[i].page.explanation.is_expanded() for i in PANELS)
    assert all(window.panels[i].page.explanation.browser.isHidden() for i in PANELS)
    # The controls move up into the room the text left.
    assert loss.y_input.mapTo(window, QPoint(0, 0)).y() < before - 50
    window.close()
    again = MainWindow(settings=settings)
    qtbot.addWidget(again)
    assert not again.explanations_action.isChecked()
    assert not again.panels["softmax"].page.explanation.is_expanded()
    again.explanations_action.trigger()
    assert again.panels["softmax"].page.explanation.is_expanded()
    assert settings.value("explanations_visible") in (True, "true")


@pytest.mark.parametrize("answer, reset", [("Reset", True), ("Cancel", False)])
def test_reset_all_asks_first(window, qtbot, monkeypatch, answer, reset):
    from PySide6.QtWidgets import QMessageBox

    asked = []

    def question(*args, **kwargs):
        asked.append(args[2])
        return getattr(QMessageBox.StandardButton, answer)

    monkeypatch.setattr(QMessageBox, "question", question)
    panel = window.panels["loss"]
    panel.edit(panel.y_input, y=0.4)
    next(a for a in window.findChildren(type(window.explanations_action))
         if a.shortcut().toString() == "Ctrl+Shift+R").trigger()
    assert len(asked) == 1 and "every panel" in asked[0]
    assert panel.state.y == (1.0 if reset else 0.4)


def test_file_dialogs_open_in_the_folder_last_used_for_their_kind(qtbot, settings, tmp_path,
                                                                  monkeypatch):
    from PySide6.QtCore import QDir
    from PySide6.QtWidgets import QFileDialog

    from explorer.widgets import file_dialogs

    for kind in file_dialogs.KINDS:  # nothing remembered from other tests
        file_dialogs._settings().remove(f"folders/{kind}")
    offered = []
    answers = iter([tmp_path / "pictures" / "loss.png", tmp_path / "data" / "loss.csv",
                    tmp_path / "pictures" / "again.png", tmp_path / "data" / "b.csv"])

    def save(parent, caption, start, filters):
        offered.append(start)
        answer = next(answers)
        answer.parent.mkdir(exist_ok=True)
        return str(answer), filters.split(";;")[0]

    monkeypatch.setattr(QFileDialog, "getSaveFileName", save)
    first = MainWindow(settings=settings)
    qtbot.addWidget(first)
    first.export_current()
    first.export_csv_current()
    first.close()
    # A new run: each kind opens where it was last saved, not in the working directory.
    second = MainWindow(settings=settings)
    qtbot.addWidget(second)
    second.export_current()
    second.export_csv_current()
    home = QDir.homePath()
    assert offered == [f"{home}/loss.png", f"{home}/loss.csv",
                       str(tmp_path / "pictures" / "loss.png"),
                       str(tmp_path / "data" / "loss.csv")]
    # A folder that has gone since falls back to the home folder.
    (tmp_path / "data" / "loss.csv").unlink()
    (tmp_path / "data" / "b.csv").unlink()
    (tmp_path / "data").rmdir()
    assert file_dialogs.last_folder("csv") == home
    with pytest.raises(ValueError, match="choose from images, exports, csv, gif"):
        file_dialogs.last_folder("music")


@pytest.mark.parametrize("text, message", [
    ("", "empty: type a number"),
    ("abc", "'abc' is not a number: type one such as 0.25 or -1e-3"),
    ("nan", "'nan' is not a number: type a finite one such as 0.25"),
    ("inf", "'inf' is not finite: type a number of at most ±1.8e308"),
    ("-inf", "'-inf' is not finite: type a number of at most ±1.8e308"),
    ("1e309", "'1e309' is too large: numbers reach at most ±1.8e308"),
])
def test_number_messages_say_what_is_wrong_then_what_to_type(text, message):
    from explorer.widgets.number_input import parse_number

    with pytest.raises(ValueError) as caught:
        parse_number(text)
    assert str(caught.value) == message


def test_an_empty_field_states_its_own_rule(qtbot):
    """Empty logits give the rule a single logit gives, not a generic 'type a number'."""
    from explorer.panels.softmax import SoftmaxPanel

    panel = SoftmaxPanel()
    qtbot.addWidget(panel)
    for text in ("", "3"):
        panel.logits_input.line_edit().setText(text)
        panel.logits_input.line_edit().editingFinished.emit()
        assert panel.logits_input.error().startswith("type 2 to 10 logits"), text


def test_no_message_in_the_app_writes_ascii_comparisons():
    """Messages write ≤ and ≥, as the app's formulas and labels do."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[1] / "explorer"
    found, messages = [], 0
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if not (isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call)
                    and getattr(node.exc.func, "id", "") == "ValueError"):
                continue
            messages += 1
            for part in ast.walk(node.exc):
                if isinstance(part, ast.Constant) and isinstance(part.value, str) \
                        and ("<=" in part.value or ">=" in part.value):
                    found.append(f"{path.name}:{part.lineno}: {part.value}")
    assert messages > 100 and found == []
