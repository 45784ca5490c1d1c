"""A screen reader can name every control: each has a name and a description to speak."""

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSlider,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTabBar,
    QWidget,
)

from explorer.main_window import MainWindow
from explorer.panels import PANELS

INTERACTIVE = (QAbstractButton, QLineEdit, QPlainTextEdit, QAbstractSlider, QComboBox,
               QAbstractSpinBox, QAbstractItemView, QTabBar)


def spoken_name(widget: QWidget, labels: list[QLabel]) -> str:
    """What Qt's accessibility hands a screen reader as the widget's name."""
    if widget.accessibleName():
        return widget.accessibleName()
    if isinstance(widget, QAbstractButton) and widget.text().replace("&", "").strip():
        return widget.text()
    for label in labels:
        if label.buddy() is widget and label.text():
            return label.text()
    return ""


def controls(window: QWidget) -> list[QWidget]:
    found = []
    for widget in window.findChildren(QWidget):
        if not isinstance(widget, INTERACTIVE) or not widget.isVisible():
            continue
        # Parts of a compound control are spoken as the control (a spin box's field, a combo
        # box's list, a scroll bar of a view).
        parent = widget.parentWidget()
        if isinstance(parent, QAbstractSpinBox | QComboBox | QAbstractItemView) \
                or type(widget).__name__ in ("QScrollBar", "QHeaderView"):
            continue
        found.append(widget)
    return found


@pytest.mark.parametrize("panel_id", list(PANELS))
def test_every_control_has_a_name_and_a_description(qtbot, tmp_path, panel_id):
    window = MainWindow(settings=QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.resize(1920, 1040)
    window.show()
    qtbot.waitExposed(window)
    window.show_panel(panel_id)
    QApplication.processEvents()
    labels = window.findChildren(QLabel)
    found = controls(window)
    assert len(found) >= 10
    unnamed = [f"{type(w).__name__} {w.toolTip()[:40]!r}" for w in found
               if not spoken_name(w, labels).replace("&", "").strip()]
    undescribed = [f"{type(w).__name__} {spoken_name(w, labels)!r}" for w in found
                   if not (w.accessibleDescription() or w.toolTip())]
    assert unnamed == []
    assert undescribed == []
