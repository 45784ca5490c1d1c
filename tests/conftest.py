"""Test set-up: headless Qt, isolated settings, fixtures that fail on leaked widgets or timers."""

import json
import os
import tempfile

# Before any Qt import: render offscreen and keep the user's real settings out of the tests.
# The offscreen screen is a 1920 x 1080 desktop (its default is 800 x 600, smaller than any
# student's), so a window opens as it would there; layout tests set their sizes themselves.
_SCREEN = os.path.join(tempfile.mkdtemp(prefix="nn-explorer-test-screen-"), "screen.json")
with open(_SCREEN, "w") as _file:
    json.dump({"screens": [{"name": "desktop", "x": 0, "y": 0, "width": 1920, "height": 1080,
                            "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]}, _file)
os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={_SCREEN}"
os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="nn-explorer-test-config-")

import pytest  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402

settings.register_profile(
    "ci", max_examples=150, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "fuzz", max_examples=100_000, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(autouse=True)
def _widgets_live_until_teardown(monkeypatch):
    """Hold every widget given to ``qtbot.addWidget`` until qtbot has closed it.

    qtbot keeps only a weak reference. A panel made in the test body is then held by nothing
    but its own reference cycles once the body returns, while pytest-qt still processes the
    events of its first paint: a cycle-collector run in the middle of that paint freed the
    top-level panel, and the backing store Qt was painting into, under Qt's feet (found with
    valgrind: QPainter::drawRects reading a QImage that ~QWidget had just freed). In the app
    every panel belongs to the window, so only tests made top-level panels that could go.
    """
    from pytestqt.qtbot import QtBot

    kept = []
    add_widget = QtBot.addWidget

    def add_and_keep(self, widget, **kwargs):
        kept.append(widget)
        return add_widget(self, widget, **kwargs)

    monkeypatch.setattr(QtBot, "addWidget", add_and_keep)
    yield
    kept.clear()  # qtbot has closed them and asked Qt to delete them by now


@pytest.fixture(autouse=True)
def _no_leaked_widgets(request):
    """Fail a Qt test that leaves a top-level widget alive or a timer running."""
    if "qtbot" not in request.fixturenames and "qapp" not in request.fixturenames:
        yield
        return
    from PySide6.QtCore import QCoreApplication, QEvent, QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    before = {id(w) for w in app.topLevelWidgets()} if app else set()
    yield
    app = QApplication.instance()
    if app is None:
        return
    for _ in range(3):
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        app.processEvents()
    leaked = [w for w in app.topLevelWidgets()
              if id(w) not in before and w.parent() is None and w.isVisible()]
    for w in leaked:
        w.close()
        w.deleteLater()
    assert not leaked, f"test leaked top-level widgets: {leaked}"
    running = [t for t in app.findChildren(QTimer) if t.isActive()]
    assert not running, f"test left timers running: {running}"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    """With NN_GC_AFTER_EACH_TEST=1, delete what each test left and run the cycle collector.

    A debugging aid, off by default. Together with ``MALLOC_PERTURB_=165`` it made a rare native
    crash happen every time (``tests/test_tab_order.py``: the backprop panel freed mid-paint),
    which is how ``_widgets_live_until_teardown`` was found; it guards against that returning.
    """
    yield
    if os.environ.get("NN_GC_AFTER_EACH_TEST"):
        import gc

        from PySide6.QtCore import QCoreApplication, QEvent

        for _ in range(3):
            QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        gc.collect()


# -- shared helpers: a panel as a student sees it, and typing into its fields --------------------
def show_panel(qtbot, panel_class, size=(1280, 800)):
    """A new panel of ``panel_class``, shown at ``size`` and exposed (qtbot closes it)."""
    panel = panel_class()
    qtbot.addWidget(panel)
    panel.resize(*size)
    panel.show()
    qtbot.waitExposed(panel)
    return panel


@pytest.fixture(scope="module")
def _module_panel(request, qapp):
    """One panel of the module's ``PANEL`` class for all of the module's tests (see ``panel``)."""
    shown = request.module.PANEL()
    shown.resize(1280, 800)
    shown.show()
    yield shown
    shown.close()
    shown.deleteLater()


@pytest.fixture
def panel(_module_panel, qtbot):
    """The panel of the test module's ``PANEL`` class, at 1280 × 800, on the homework's example.

    Built once per module (building is most of a short test's time) and reset before each
    test: reset puts back the state, draws every view afresh and clears every message. A test
    that needs what reset does not restore (a panel never touched) builds its own.
    Afterwards its animation is paused and its throttled checks run, so no timer of it
    outlives the test.
    """
    shown = _module_panel
    shown.resize(1280, 800)
    shown.reset()
    qtbot.waitExposed(shown)
    yield shown
    if shown.playback is not None:
        shown.playback.pause()
    shown.run_checks()


def type_into(qtbot, field, text):
    """Type ``text`` into a field (a panel's input, or a line edit) and press Return."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QLineEdit

    edit = field if isinstance(field, QLineEdit) else field.line_edit()
    edit.setFocus()
    edit.selectAll()
    edit.clear()
    qtbot.keyClicks(edit, text)
    qtbot.keyClick(edit, Qt.Key.Key_Return)


@pytest.fixture
def settings(tmp_path):
    """Settings of their own for one test (an INI file in its temporary folder)."""
    from PySide6.QtCore import QSettings

    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def window(qtbot, settings):
    """The main window with the test's own settings, shown."""
    from explorer.main_window import MainWindow

    shown = MainWindow(settings=settings)
    qtbot.addWidget(shown)
    shown.show()
    qtbot.waitExposed(shown)
    return shown
