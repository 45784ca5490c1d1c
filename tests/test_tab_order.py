"""Tab moves through every panel in reading order: the controls column, then the right side."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget

from explorer.panels import PANELS
from tests.conftest import show_panel

#: Tall enough that no scroll area of any panel scrolls: positions on screen are then the
#: reading positions, and the test can judge the order from them alone.
TALL = (1280, 1500)


def tab_chain(panel: QWidget) -> list[QWidget]:
    """The panel's widgets in the order Tab visits them (as Qt does, skipping proxied ones)."""
    chain, widget = [], panel.nextInFocusChain()
    for _ in range(2000):
        if widget is panel:
            break
        if (panel.isAncestorOf(widget) and widget.isVisible() and widget.isEnabled()
                and widget.focusPolicy() & Qt.FocusPolicy.TabFocus
                and widget.focusProxy() is None):
            chain.append(widget)
        widget = widget.nextInFocusChain()
    return chain


def _reading_position(panel, widget):
    centre = widget.mapTo(panel, widget.rect().center())
    in_column = panel.page.side.widget().isAncestorOf(widget)
    return (0 if in_column else 1), centre.y(), centre.x()


def _comes_first(a, b) -> bool:
    """Whether a reader clearly meets ``a`` before ``b`` (both reading positions)."""
    if a[0] != b[0]:
        return a[0] < b[0]
    if abs(a[1] - b[1]) < 6:  # one row
        return a[2] < b[2]
    return a[1] < b[1] - 12  # a row above


def _assert_reading_order(panel):
    chain = tab_chain(panel)
    assert len(chain) >= 5
    places = [_reading_position(panel, w) for w in chain]
    for i, later in enumerate(places):
        for j, earlier in enumerate(places[:i]):
            assert not _comes_first(later, earlier), (
                f"Tab visits {type(chain[j]).__name__} {earlier} before "
                f"{type(chain[i]).__name__} {later}")
    assert places[0][0] == 0  # the controls column comes first


def _show(qtbot, panel_id, size=TALL):
    panel = show_panel(qtbot, PANELS[panel_id], size)
    QApplication.processEvents()
    return panel


@pytest.mark.parametrize("panel_id", list(PANELS))
def test_tab_follows_reading_order(qtbot, panel_id):
    panel = _show(qtbot, panel_id)
    panel.tidy_tab_order()
    _assert_reading_order(panel)
    if panel.playback is not None:
        panel.playback.pause()


@pytest.mark.parametrize("edit", ["kind", "move", "add"])
def test_cnn_rows_that_change_fields_keep_reading_order(qtbot, edit):
    """A row that shows other fields (new kind, moved layer) or a new row rejoins Tab's order."""
    from explorer.model.cnn import Conv2d

    panel = _show(qtbot, "cnn")
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


def test_scrolled_layer_list_keeps_the_order_it_has_unscrolled(qtbot):
    """On a short screen the layer rows scroll inside their list: Tab still visits them in turn
    before the buttons under the list, whatever the list shows."""
    tall = _show(qtbot, "cnn")
    short = _show(qtbot, "cnn", (1280, 600))
    for panel in (tall, short):
        for _ in range(4):
            panel.add_buttons["conv"].click()
    qtbot.wait(20)
    assert short.layer_list.verticalScrollBar().maximum() > 0  # the rows do scroll there
    short.layer_list.verticalScrollBar().setValue(short.layer_list.verticalScrollBar().maximum())
    for panel in (tall, short):
        panel.tidy_tab_order()

    def names(panel):
        widgets = {id(w): name for name, w in vars(panel).items() if isinstance(w, QWidget)}
        rows = {id(w): f"row {i} {type(w).__name__} {n}" for i, row in enumerate(panel._rows)
                for n, w in enumerate(row.findChildren(QWidget))}
        return [widgets.get(id(w)) or rows.get(id(w)) or type(w).__name__
                for w in tab_chain(panel)]

    assert names(short) == names(tall)
