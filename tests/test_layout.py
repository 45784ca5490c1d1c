"""The window fits the screens students have: laptops at 100 % and 150 %, and big screens.

Every panel is shown at each size in both themes, grabbed, and its geometry checked: the window
keeps its size, no visible widgets overlap, no single-line text is cut, every plot keeps its
readable minimum (see tests/layout.py). Then the things the app does must not raise the window's
minimum size, and messages must not move the controls under them.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QApplication, QFileDialog, QWidget

from explorer.main_window import MainWindow, default_placement, fit_inside
from explorer.panels import PANELS
from tests.layout import MAX_MINIMUM, problems, visible_rect

#: Work areas of the laptops most students own: 1366 x 768 and 1280 x 720 under a task bar.
LAPTOPS = [(1366, 728), (1280, 680)]
ROOT = Path(__file__).resolve().parents[1]


def _window(qtbot, settings, size, theme="light"):
    window = MainWindow(settings=settings)
    qtbot.addWidget(window)
    window.set_theme(theme)
    window.resize(*size)
    window.show()
    qtbot.waitExposed(window)
    return window


def _settle(window):
    for _ in range(4):
        QApplication.processEvents()


def _visit(window, panel_id):
    window.show_panel(panel_id)
    _settle(window)
    window.current_panel().prepare_export()
    window.grab()  # what Copy panel image and the exports do
    _settle(window)


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("size", LAPTOPS)
def test_every_panel_fits_a_laptop(qtbot, settings, size, theme):
    window = _window(qtbot, settings, size, theme)
    for panel_id in PANELS:
        _visit(window, panel_id)
        assert window.size().toTuple() == size, panel_id
        assert problems(window) == [], panel_id


def test_big_screens_give_the_panels_the_room(qtbot, settings):
    """At 1920 x 1080 nothing scrolls, and every plot is larger than on a laptop."""
    from tests.layout import PLOT_TYPES

    sizes = {}
    for size in ((1366, 728), (1920, 1040)):
        window = _window(qtbot, settings, size)
        for panel_id in PANELS:
            _visit(window, panel_id)
            assert problems(window) == [], (size, panel_id)
            page = window.current_panel().page
            if size[0] == 1920:  # the plots fit whole (a long controls column may scroll)
                assert page.content.verticalScrollBar().maximum() == 0, panel_id
                assert page.content.horizontalScrollBar().maximum() == 0, panel_id
            plots = [w for w in window.current_panel().findChildren(QWidget)
                     if isinstance(w, PLOT_TYPES) and w.isVisible()]
            for number, plot in enumerate(plots):
                sizes.setdefault((panel_id, number), []).append(plot.size())
        window.close()
    grown = {key: (b.width() - a.width(), b.height() - a.height())
             for key, (a, b) in sizes.items()}
    # Larger both ways; the CNN's square input picture only taller (it has a maximum width).
    assert len(grown) >= 15
    assert all(min(growth) >= 0 and max(growth) > 0 for growth in grown.values()), grown


def test_the_window_fits_at_150_percent(tmp_path):
    """A 1920 x 1080 screen at 150 % scale is 1280 x 720 logical; the work area 1280 x 693.

    Qt reads the scale when the application starts, so this runs in a process of its own, on an
    offscreen screen of 1920 x 1040 device pixels scaled by QT_SCALE_FACTOR, as a desktop set
    to 150 % is.
    """
    screen = tmp_path / "screen.json"
    screen.write_text(json.dumps({"screens": [{
        "name": "hidpi", "x": 0, "y": 0, "width": 1920, "height": 1040, "logicalDpi": 96,
        "logicalBaseDpi": 96, "dpr": 1}]}))
    code = f"""
import json, sys
from PySide6.QtCore import QSettings
from explorer.main_window import MainWindow, application
from explorer.panels import PANELS
from tests.layout import problems
app = application()
window = MainWindow(settings=QSettings({str(tmp_path / 's.ini')!r}, QSettings.Format.IniFormat))
found = {{}}
window.show()
for theme in ("light", "dark"):
    window.set_theme(theme)
    for panel_id in PANELS:
        window.show_panel(panel_id)
        for _ in range(4):
            app.processEvents()
        window.current_panel().prepare_export()
        image = window.grab()
        found[f"{{theme}} {{panel_id}}"] = [window.frameGeometry().getRect(), window.width(),
                                             image.width(), window.devicePixelRatio(),
                                             problems(window)]
print(json.dumps(found))
"""
    env = {"QT_QPA_PLATFORM": f"offscreen:configfile={screen}", "QT_SCALE_FACTOR": "1.5",
           "PATH": "/usr/bin:/bin", "XDG_CONFIG_HOME": str(tmp_path), "HOME": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    found = json.loads(out.stdout.strip().splitlines()[-1])
    assert len(found) == 2 * len(PANELS)
    for key, (frame, width, grabbed_width, ratio, trouble) in found.items():
        assert QRect(0, 0, 1280, 693).contains(QRect(*frame)), key  # opened maximised, inside
        assert ratio == 1.5 and grabbed_width == round(1.5 * width), key
        assert trouble == [], key


def _minimum_fits(window):
    minimum = window.minimumSizeHint().expandedTo(window.minimumSize())
    return minimum.width() <= MAX_MINIMUM.width() and minimum.height() <= MAX_MINIMUM.height()


def test_nothing_the_app_does_raises_the_minimum_size(qtbot, settings, tmp_path, monkeypatch):
    size = (1280, 680)
    window = _window(qtbot, settings, size)
    steps = []

    def check(step):
        _settle(window)
        steps.append(step)
        assert window.size().toTuple() == size, steps
        assert _minimum_fits(window), (steps, window.minimumSizeHint())

    check("shown")
    for panel_id in PANELS:
        _visit(window, panel_id)
        check(f"visit {panel_id}")
        window.copy_panel_image()
        check(f"copy {panel_id}")
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(tmp_path))
    window.export_all()
    check("export all")
    for theme in ("dark", "light", "system"):
        window.set_theme(theme)
        check(f"theme {theme}")
    window.show_panel("cnn")
    cnn = window.current_panel()
    while len(cnn.state.layers) < 8:
        cnn.add_buttons["conv"].click()
    check("8 layers")
    bar = window.check_yourself
    window.set_check_yourself_visible(True)
    bar.set_working_visible(True)
    assert bar.working_visible()
    check("working shown")
    cnn.height_input.line_edit().setText("100000")
    cnn.height_input.line_edit().editingFinished.emit()
    assert cnn.height_input.error()
    check("error shown")
    assert problems(window) == []


def test_the_cnn_layer_list_keeps_its_buttons_in_reach_with_eight_layers(qtbot, settings):
    """The rows scroll in their own list; the list and the buttons under it fit the column."""
    for size in ((1366, 728), (1920, 1040)):
        window = _window(qtbot, settings, size)
        window.show_panel("cnn")
        panel = window.current_panel()
        while len(panel.state.layers) < 8:
            panel.add_buttons["conv"].click()
        _settle(window)
        side = panel.page.side
        side.ensureWidgetVisible(panel.add_buttons["conv"])
        side.ensureWidgetVisible(panel.layer_list)
        _settle(window)
        viewport = QRect(side.viewport().mapTo(window, QPoint(0, 0)), side.viewport().size())
        for button in (*panel.add_buttons.values(), panel.reset_button):
            assert viewport.contains(visible_rect(button, window)), size
            assert visible_rect(button, window).size() == button.size(), size
        assert viewport.intersects(visible_rect(panel.layer_list, window))
        # All eight rows of the summary table are there to read (the page scrolls to them).
        assert panel.table.rowCount() == 8 + 2
        table = panel.table
        rows_height = sum(table.rowHeight(r) for r in range(table.rowCount()))
        assert table.viewport().height() >= rows_height, size
        assert problems(window) == [], size
        window.close()


def _geometries(panel):
    return {id(w): (w.mapTo(panel, QPoint(0, 0)), w.size()) for w in panel.findChildren(QWidget)
            if w.isVisible() and type(w).__name__ != "ErrorCallout"}


@pytest.mark.parametrize("panel_id, field", [
    ("loss", "y_input"), ("softmax", "temperature_input"), ("equivalence", "d_input"),
    ("convolution", "x_input"), ("cnn", "height_input"), ("backprop", "k1_input")])
def test_a_message_moves_nothing(qtbot, settings, panel_id, field):
    window = _window(qtbot, settings, (1366, 728))
    window.show_panel(panel_id)
    panel = window.current_panel()
    panel.prepare_export()  # formulas typeset now, not in a moment (they change the column)
    _settle(window)
    control = getattr(panel, field)
    before = _geometries(panel)
    control.line_edit().setText("not a number, and a message long enough to wrap twice over")
    control.line_edit().editingFinished.emit()
    _settle(window)
    assert "not a number" in control.error()
    assert _geometries(panel) == before
    callout = control._error
    assert callout.isVisible()
    # Just under the field, and the field's text is still whole.
    edit = control.line_edit()
    edit_bottom = edit.mapTo(window, QPoint(0, edit.height())).y()
    assert 0 <= callout.mapTo(window, QPoint(0, 0)).y() - edit_bottom <= 2
    assert edit.width() >= edit.fontMetrics().horizontalAdvance("100000")


def test_showing_the_working_moves_no_button(qtbot, settings):
    window = _window(qtbot, settings, (1366, 728))
    bar = window.check_yourself
    watched = (bar.answer_input, bar.check_button, bar.another_button, bar.working_button)
    before = [w.mapTo(window, QPoint(0, 0)) for w in watched]
    bar.set_working_visible(True)
    _settle(window)
    assert bar.working_visible() and bar.working.height() > 10
    assert [w.mapTo(window, QPoint(0, 0)) for w in watched] == before
    bar.set_working_visible(False)
    _settle(window)
    assert [w.mapTo(window, QPoint(0, 0)) for w in watched] == before


@pytest.mark.parametrize("available, expected, maximised", [
    # Room for 1280 x 800 and its frame: that size, centred in the room the frame leaves.
    (QRect(0, 0, 1920, 1040), QRect(320, 136, 1280, 800), False),
    (QRect(0, 0, 1440, 860), QRect(80, 46, 1280, 800), False),
    # No room: maximised; restored, as much of 1280 x 800 as fits, centred.
    (QRect(0, 0, 1366, 728), QRect(43, 40, 1280, 680), True),
    (QRect(0, 0, 1280, 680), QRect(8, 40, 1264, 632), True),
    (QRect(1920, 0, 1280, 693), QRect(1928, 40, 1264, 645), True),
])
def test_the_window_opens_inside_the_screen(available, expected, maximised):
    rect, maximise = default_placement(available)
    assert (rect, maximise) == (expected, maximised)
    assert available.contains(rect)


@pytest.mark.parametrize("saved, available, expected", [
    # A window saved on a 1920 x 1080 screen, opened on a laptop: smaller, moved in.
    (QRect(500, 200, 1400, 850), QRect(0, 0, 1366, 728), QRect(8, 40, 1350, 680)),
    # Saved on a second screen that is gone: moved onto the one there is.
    (QRect(2100, 100, 900, 600), QRect(0, 0, 1366, 728), QRect(458, 100, 900, 600)),
    # Fits already: left alone.
    (QRect(100, 100, 900, 600), QRect(0, 0, 1366, 728), QRect(100, 100, 900, 600)),
])
def test_a_restored_window_is_clamped_to_the_screen(saved, available, expected):
    assert fit_inside(saved, available) == expected


def test_a_small_screen_opens_the_window_maximised(tmp_path):
    screen = tmp_path / "screen.json"
    screen.write_text(json.dumps({"screens": [{
        "name": "laptop", "x": 0, "y": 0, "width": 1366, "height": 728, "logicalDpi": 96,
        "logicalBaseDpi": 96, "dpr": 1}]}))
    code = f"""
from PySide6.QtCore import QSettings
from explorer.main_window import MainWindow, application
app = application()
window = MainWindow(settings=QSettings({str(tmp_path / 's.ini')!r}, QSettings.Format.IniFormat))
window.show()
for _ in range(5):
    app.processEvents()
print(window.isMaximized(), *window.frameGeometry().getRect(), *window.minimumSizeHint().toTuple())
"""
    env = {"QT_QPA_PLATFORM": f"offscreen:configfile={screen}", "PATH": "/usr/bin:/bin",
           "XDG_CONFIG_HOME": str(tmp_path), "HOME": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    maximised, x, y, width, height, min_width, min_height = out.stdout.split()[-7:]
    assert maximised == "True"
    assert QRect(0, 0, 1366, 728).contains(QRect(int(x), int(y), int(width), int(height)))
    assert QSize(int(min_width), int(min_height)).boundedTo(MAX_MINIMUM) == \
        QSize(int(min_width), int(min_height))


def _commit(qtbot, field, text):
    edit = field.line_edit()
    edit.setFocus()
    edit.setText(text)
    qtbot.keyClick(edit, Qt.Key.Key_Return)


def test_one_message_shows_at_a_time_and_steps_aside(qtbot, settings):
    """Two bad fields: only the latest message shows; back in the first field, its message
    shows again; moving into a field a message covers puts that message aside."""
    window = _window(qtbot, settings, (1366, 728))
    panel = window.panels["loss"]
    _settle(window)
    _commit(qtbot, panel.y_input, "abc")
    _commit(qtbot, panel.marker_input, "")
    _settle(window)
    assert panel.y_input.error() and panel.marker_input.error()  # both still in force
    assert panel.marker_input._error.isVisible() and not panel.y_input._error.isVisible()
    panel.y_input.line_edit().setFocus()
    _settle(window)
    assert panel.y_input._error.isVisible() and not panel.marker_input._error.isVisible()
    # The y message lies over the marker row: typing there puts it aside.
    callout = panel.y_input._error
    covered = panel.marker_input.line_edit()
    assert QRect(callout.mapToGlobal(QPoint(0, 0)), callout.size()).intersects(
        QRect(covered.mapToGlobal(QPoint(0, 0)), covered.size()))
    covered.setFocus()
    _settle(window)
    assert not panel.y_input._error.isVisible() and panel.marker_input._error.isVisible()
    # Fixing the marker ends its message; the y field keeps its red border and message.
    _commit(qtbot, panel.marker_input, "-6")
    _settle(window)
    assert panel.marker_input.error() == "" and not panel.marker_input._error.isVisible()
    assert panel.y_input.error()


def test_a_layer_message_hides_while_its_row_is_scrolled_away(qtbot, settings):
    window = _window(qtbot, settings, (1280, 680))
    window.show_panel("cnn")
    panel = window.current_panel()
    while len(panel.state.layers) < 8:
        panel.add_buttons["conv"].click()
    _settle(window)
    bar = panel.layer_list.verticalScrollBar()
    assert bar.maximum() > 0
    bar.setValue(0)
    row = panel.layer_rows()[0]
    row.line_edit("kernel_size").setText("x")
    row.commit()
    _settle(window)
    assert row.error() and row._message.isVisible()
    bar.setValue(bar.maximum())  # the first row scrolls out of the list
    _settle(window)
    assert row.error() and not row._message.isVisible()
    bar.setValue(0)
    _settle(window)
    assert row._message.isVisible()


def test_switching_the_convolution_tab_leaves_the_page_where_it_is(qtbot, settings):
    window = _window(qtbot, settings, (1366, 728))
    window.show_panel("convolution")
    panel = window.current_panel()
    panel.prepare_export()
    _settle(window)
    widths = set()
    for tab in (1, 0, 1, 0):
        panel.tabs.setCurrentIndex(tab)
        _settle(window)
        widths.add((panel.page.side.width(), panel.tabs.mapTo(window, QPoint(0, 0)).x()))
    assert len(widths) == 1


def test_the_playback_slider_stays_usable_at_the_smallest_window(qtbot, settings):
    window = _window(qtbot, settings, (1366, 728))
    window.show_panel("loss")
    minimum = window.minimumSizeHint()
    window.resize(minimum)
    _settle(window)
    slider = window.current_panel().playback._scrub
    assert slider.width() >= 10 * slider.fontMetrics().averageCharWidth()
    assert problems(window) == []


def test_a_new_layer_is_scrolled_into_the_list(qtbot, settings):
    window = _window(qtbot, settings, (1280, 680))
    window.show_panel("cnn")
    panel = window.current_panel()
    for count in range(4, 9):
        panel.add_buttons["relu"].click()
        _settle(window)
        row = panel.layer_rows()[count - 1]
        viewport = panel.layer_list.viewport()
        top = row.mapTo(viewport, QPoint(0, 0)).y()
        assert 0 <= top and top + row.height() <= viewport.height(), count


def test_the_wheel_over_a_plot_is_left_to_the_page(qtbot, settings):
    """No plot zooms or pans away from the range its panel shows: a plot leaves the wheel
    unaccepted, and Qt passes it on to the page, which scrolls to what is below."""
    from PySide6.QtGui import QWheelEvent

    from tests.layout import PLOT_TYPES

    window = _window(qtbot, settings, (1280, 680))
    tried = 0
    for panel_id in PANELS:
        window.show_panel(panel_id)
        _settle(window)
        for plot in window.current_panel().findChildren(QWidget):
            if not (isinstance(plot, PLOT_TYPES) and plot.isVisible()):
                continue
            ranges = plot.viewRange() if hasattr(plot, "viewRange") else None
            # Where Qt delivers a wheel: a graphics view's viewport, or the plot itself.
            target = plot.viewport() if hasattr(plot, "viewport") else plot
            centre = target.rect().center()
            wheel = QWheelEvent(centre.toPointF(), target.mapToGlobal(centre).toPointF(),
                                QPoint(0, 0), QPoint(0, -120), Qt.MouseButton.NoButton,
                                Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase,
                                False)
            QApplication.sendEvent(target, wheel)
            assert not wheel.isAccepted(), (panel_id, type(plot).__name__)
            if ranges is not None:
                assert plot.viewRange() == ranges, (panel_id, type(plot).__name__)
            tried += 1
    assert tried >= 15


@pytest.mark.parametrize("panel_id", list(PANELS))
def test_typesetting_the_formulas_does_not_move_the_page(qtbot, panel_id):
    """Formulas show as plain text for their first frame and are typeset right after; the
    column must not widen then, or the whole page would jump sideways a moment after opening."""
    panel = PANELS[panel_id]()
    qtbot.addWidget(panel)
    panel.resize(1280, 800)
    panel.show()
    qtbot.waitExposed(panel)
    QApplication.processEvents()  # the first layout, which the first frame shows
    before = panel.page.side.minimumSizeHint().width()
    panel.prepare_export()  # typesets every formula now
    QApplication.processEvents()
    assert panel.page.side.minimumSizeHint().width() == before
