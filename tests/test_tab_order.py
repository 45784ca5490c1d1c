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


def _assert_reading_order(panel):
    boundary = max(a.mapTo(panel, a.rect().topRight()).x() for a in panel.findChildren(QScrollArea)
                   if a.mapTo(panel, a.rect().topLeft()).x() < 20)
    keys = [(c.x() >= boundary, c.y() // 12, c.x())
            for c in (w.mapTo(panel, w.rect().center()) for w in tab_chain(panel))]
    assert len(keys) >= 5
    assert keys == sorted(keys)


@pytest.mark.parametrize("edit", ["kind", "move", "add"])
def test_cnn_rows_that_change_fields_keep_reading_order(qtbot, edit):
    """A row that shows other fields (new kind, moved layer) or a new row rejoins Tab's order."""
    from PySide6.QtWidgets import QApplication

    from explorer.model.cnn import Conv2d

    panel = PANELS["cnn"]()
    qtbot.addWidget(panel)
    panel.resize(1280, 800)
    panel.show()
    qtbot.waitExposed(panel)
    QApplication.processEvents()
    before = panel.state.layers
    if edit == "kind":
        panel._rows[1].kind_box().setCurrentIndex(0)  # the max-pool row becomes a convolution
        assert isinstance(panel.state.layers[1], Conv2d)
    elif edit == "move":
        panel._move_layer(1, 1)
        assert panel.state.layers[2] == before[1]
    else:
        panel.add_buttons["conv"].click()
        assert len(panel.state.layers) == len(before) + 1
    qtbot.wait(20)  # the deferred re-sort
    _assert_reading_order(panel)
