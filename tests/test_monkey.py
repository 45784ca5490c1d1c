"""Monkey test: drive every enabled control of every panel with valid values and garbage."""

import os
import random
import sys
import traceback

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSlider,
    QAbstractSpinBox,
    QApplication,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QSpinBox,
    QTableWidget,
    QTabWidget,
)

from explorer.main_window import MainWindow
from explorer.panels import PANELS

ACTIONS_PER_PANEL = int(os.environ.get("NN_MONKEY_ACTIONS", "500"))

GARBAGE = [
    "", " ", "abc", "nan", "NaN", "inf", "-inf", "1e309", "-1e309", "99999999999999999999999",
    "1e308", "-1.7e308", "1e300", "-1e-320",
    "-5", "0", "-0", "1e-300", "0.5", "3", "[1, 2", "1,,2", "1 2 3", "½", "0x10", "1e5",
    "-1", "1000000", "2.5", "[]", "()", ",", "10", "1;2;3", "—", "1e-9", "7",
]


def long_vector(rng: random.Random) -> str:
    return ", ".join(str(rng.randint(-9, 9)) for _ in range(rng.choice([50, 400, 5000])))


def random_text(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.55:
        return rng.choice(GARBAGE)
    if roll < 0.6:
        return long_vector(rng)
    if roll < 0.8:
        return str(round(rng.uniform(-20, 20), rng.choice([0, 1, 3])))
    return ", ".join(str(rng.randint(-5, 5)) for _ in range(rng.randint(1, 9)))


def controls_of(panel):
    """Every control a student can operate in the panel (whatever tab is showing)."""
    found = []
    for cls in (QLineEdit, QPlainTextEdit, QAbstractSpinBox, QAbstractSlider, QComboBox,
                QAbstractButton, QTableWidget, QTabWidget):
        found += panel.findChildren(cls)
    # Line edits that belong to spin boxes or combo boxes are driven through their owner; a
    # student can only reach what is on screen (the current tab, rows that exist).
    return [w for w in found if w.isVisible() and not (
        isinstance(w, QLineEdit) and isinstance(w.parent(), QAbstractSpinBox | QComboBox))]


def act(widget, rng: random.Random) -> None:
    if not widget.isEnabled():
        return
    if isinstance(widget, QLineEdit):
        if widget.isReadOnly():
            return
        widget.setText(random_text(rng))
        widget.editingFinished.emit()
        widget.returnPressed.emit()
    elif isinstance(widget, QPlainTextEdit):
        if widget.isReadOnly():
            return
        widget.setPlainText("\n".join(random_text(rng) for _ in range(rng.randint(1, 6))))
        # Matrix editors commit when focus leaves; emulate that through their signal if any.
        if hasattr(widget, "editingFinished"):
            widget.editingFinished.emit()
    elif isinstance(widget, QSpinBox | QDoubleSpinBox):
        if rng.random() < 0.5:
            widget.setValue(rng.uniform(widget.minimum(), widget.maximum())
                            if isinstance(widget, QDoubleSpinBox)
                            else rng.randint(widget.minimum(), widget.maximum()))
        else:
            widget.lineEdit().setText(random_text(rng))
            widget.editingFinished.emit()
    elif isinstance(widget, QAbstractSlider):
        widget.setValue(rng.randint(widget.minimum(), widget.maximum()))
    elif isinstance(widget, QComboBox):
        if widget.count():
            widget.setCurrentIndex(rng.randrange(widget.count()))
    elif isinstance(widget, QCheckBox):
        widget.click()
    elif isinstance(widget, QAbstractButton):
        if widget.isVisible():
            widget.click()
    elif isinstance(widget, QTabWidget):
        widget.setCurrentIndex(rng.randrange(widget.count()))
    elif isinstance(widget, QTableWidget):
        cells = [(r, c) for r in range(widget.rowCount()) for c in range(widget.columnCount())
                 if widget.item(r, c) is not None and widget.item(r, c).flags()
                 & widget.item(r, c).flags().ItemIsEditable and not widget.isRowHidden(r)]
        if cells:
            r, c = rng.choice(cells)
            widget.item(r, c).setText(random_text(rng))


@pytest.fixture
def quiet_dialogs(monkeypatch):
    """File dialogs answer "cancel" and message boxes close at once."""
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: ("", ""))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: ("", ""))
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: "")
    for name in ("warning", "information", "critical", "about"):
        monkeypatch.setattr(QMessageBox, name, lambda *a, **k: None)


# A numpy warning (an overflow while drawing an extreme value) is a defect too: here it is an
# exception, which a paint event hands to sys.excepthook, where the test sees it.
@pytest.mark.filterwarnings("error::RuntimeWarning")
@pytest.mark.parametrize("panel_id", list(PANELS))
def test_monkey(panel_id, qtbot, tmp_path, quiet_dialogs, monkeypatch):
    errors = []
    monkeypatch.setattr(sys, "excepthook", lambda *info: errors.append(info))
    window = MainWindow(settings=QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.show()
    window.show_panel(panel_id)
    panel = window.panels[panel_id]
    rng = random.Random(f"monkey-{panel_id}")
    controls = controls_of(panel)
    assert controls, "no controls found"
    for step in range(ACTIONS_PER_PANEL):
        if step % 10 == 0:  # tabs switch and rows come and go: look again
            controls = controls_of(panel)
        act(rng.choice(controls), rng)
        if step % 25 == 0:
            QApplication.processEvents()
        if panel.animated and step % 7 == 0:
            panel.advance()
        assert not errors, (f"unhandled exception after {step + 1} actions:\n"
                            + "".join(traceback.format_exception(*errors[0])))
    QApplication.processEvents()
    if panel.playback is not None:
        panel.playback.pause()
    assert not errors
    panel.reset()
    QApplication.processEvents()
    checks = panel.checks()
    assert checks and all(c.passed for c in checks), [c.summary() for c in checks]
