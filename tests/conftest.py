"""Test set-up: headless Qt, isolated settings, fixtures that fail on leaked widgets or timers."""

import os
import tempfile

# Before any Qt import: render offscreen and keep the user's real settings out of the tests.
os.environ["QT_QPA_PLATFORM"] = "offscreen"
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
