"""The plots' axes (pyqtgraph's own) draw any range the panels set without a warning."""

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtGui import QImage, QPainter

from explorer.widgets.plot import make_plot


def _set_range(plot, side: str, low: float, high: float) -> pg.AxisItem:
    from PySide6.QtWidgets import QApplication

    if side in ("left", "right"):
        plot.setYRange(low, high, padding=0)
    else:
        plot.setXRange(low, high, padding=0)
    QApplication.instance().processEvents()
    return plot.getPlotItem().getAxis(side)


# The widest ranges the panels set (a quarter of float64's limit either way) draw without a
# warning; one too narrow to draw (1e-320 wide) makes pyqtgraph warn of an overflow, and it
# must draw all the same.
@pytest.mark.parametrize("low, high, warns", [(1e-320, 2e-320, True),
                                              (-4.49e307, 4.49e307, False),
                                              (0.0, 4.49e307, False)])
def test_a_range_too_narrow_or_wide_to_draw_draws(qtbot, monkeypatch, recwarn, low, high,
                                                  warns):
    import sys

    errors = []
    monkeypatch.setattr(sys, "excepthook", lambda *info: errors.append(info))
    widget = make_plot("title", "x", "y")
    qtbot.addWidget(widget)
    widget.resize(400, 300)
    widget.show()
    qtbot.waitExposed(widget)
    for side in ("left", "bottom"):
        # As numpy scalars, the way a panel's data gives them.
        axis = _set_range(widget, side, np.float64(low), np.float64(high))
        image = QImage(10, 10, QImage.Format.Format_RGB32)
        painter = QPainter(image)
        try:
            specs = axis.generateDrawSpecs(painter)
        finally:
            painter.end()
        assert specs is not None and len(specs[1]) >= 2  # an axis line and ticks to draw
    widget.grab()  # every axis painted, in a paint event
    assert not errors, errors[0]
    overflows = [w for w in recwarn if issubclass(w.category, RuntimeWarning)]
    assert bool(overflows) == warns
