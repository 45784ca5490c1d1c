"""Soak: every animated panel runs its frames (advance + repaint) without crashing or leaking.

``make test`` runs 1,500 frames a panel (the PySide6 6.12 + pyqtgraph 0.14 abort came after a
few hundred repaints); ``make soak`` runs 20,000, and is the one to run before lifting the
PySide6 upper bound.
"""

import gc
import os

import pytest
from PySide6.QtWidgets import QApplication

from explorer.panels import PANELS
from tests.conftest import show_panel

FRAMES = int(os.environ.get("NN_SOAK_FRAMES", "1500"))
WARM_UP = 500
ANIMATED = [panel_id for panel_id, cls in PANELS.items() if cls.animated]


def resident_mib() -> float:
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


@pytest.mark.skipif(not os.path.exists("/proc/self/statm"), reason="needs Linux /proc")
@pytest.mark.parametrize("panel_id", ANIMATED)
def test_soak(panel_id, qtbot):
    panel = show_panel(qtbot, PANELS[panel_id])
    app = QApplication.instance()
    for _ in range(WARM_UP):
        panel.advance()
        app.processEvents()
    gc.collect()
    before = resident_mib()
    repaints = 0
    for frame in range(FRAMES):
        panel.advance()
        app.processEvents()  # the repaint of what advance() changed happens here
        if frame % 1000 == 0:
            panel.repaint()  # and a full repaint now and then
            repaints += 1
    gc.collect()
    growth = resident_mib() - before
    assert growth < 5.0, f"resident memory grew by {growth:.1f} MiB over {FRAMES} frames"
    assert repaints == (FRAMES + 999) // 1000
    assert all(c.passed for c in panel.checks())


def test_every_animated_panel_is_soaked():
    assert {"loss", "convolution"} <= set(ANIMATED)
