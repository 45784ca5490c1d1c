"""The bench's repaint floor: it records what each change repaints and repaints just that."""

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication, QLabel, QVBoxLayout, QWidget

from explorer.bench import _repaints_of, _replay


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

    repaints = _repaints_of(app, panel, first=0, cycle=4)

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
