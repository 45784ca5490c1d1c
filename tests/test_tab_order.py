"""Tab moves through every panel in reading order: the controls column, then the right side."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QScrollArea, QWidget

from explorer.panels import PANELS


def tab_chain(panel: QWidget) -> list[QWidget]:
    """The panel's focusable, visible widgets in the order Tab visits them."""
    chain, widget = [], panel.nextInFocusChain()
    for _ in range(2000):
        if widget is panel:
            break
        if (panel.isAncestorOf(widget) and widget.isVisible() and widget.isEnabled()
                and widget.focusPolicy() & Qt.FocusPolicy.TabFocus):
            chain.append(widget)
        widget = widget.nextInFocusChain()
    return chain


@pytest.mark.parametrize("panel_id", list(PANELS))
def test_tab_follows_reading_order(qtbot, panel_id):
    panel = PANELS[panel_id]()
    qtbot.addWidget(panel)
    panel.resize(1280, 800)
    panel.show()
    qtbot.waitExposed(panel)
    panel.tidy_tab_order()
    boundary = max(a.mapTo(panel, a.rect().topRight()).x() for a in panel.findChildren(QScrollArea)
                   if a.mapTo(panel, a.rect().topLeft()).x() < 20)
    chain = tab_chain(panel)
    assert len(chain) >= 5
    keys = []
    for widget in chain:
        centre = widget.mapTo(panel, widget.rect().center())
        keys.append((centre.x() >= boundary, centre.y() // 12, centre.x()))
    assert keys == sorted(keys)
    assert not keys[0][0]  # the controls column comes first
    if hasattr(panel, "playback"):
        panel.playback.pause()
