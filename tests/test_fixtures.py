"""The test set-up's own guarantees (tests/conftest.py)."""

import gc
import weakref

from PySide6.QtWidgets import QLabel, QWidget


def test_a_widget_given_to_qtbot_lives_until_teardown(qtbot):
    """Only a cycle holds this widget once the test drops it; it must still outlive the test.

    Without that, a cycle-collector run during pytest-qt's after-test event processing could
    delete a top-level panel in the middle of its first paint (a native crash, see conftest).
    """
    widget = QWidget()
    widget.cycle = widget  # a reference cycle, like a panel's signal connections make
    label = QLabel("painted", widget)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    alive = weakref.ref(widget)
    del widget, label
    gc.collect()
    assert alive() is not None
    assert alive().isVisible()
    alive().repaint()  # still safe to paint
