"""The cached-canvas views (cell row, cell grid, cell matrix, index plot) as pixels.

Every view is rendered for a catalogue of scenes, at two sizes, in both themes, moved, hovered
and left, and the pictures are compared with each other: the cached background, the partial
repaints and the theme round trip must each give exactly the picture a fresh paint gives.

Set ``NN_EXPLORER_CANVAS_PIXELS`` to a file to compare across a change: the first run writes
every picture (and caption, tooltip and hover signal) there, later runs assert that none of
them differs by a single pixel or character.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QHelpEvent, QMouseEvent
from PySide6.QtWidgets import QApplication, QToolTip

from explorer.model import backprop as bp
from explorer.widgets.cell_grid import CellGridView, GridScene
from explorer.widgets.cell_matrix import CellMatrixView, MatrixScene
from explorer.widgets.cell_row import CellRowView, RowScene
from explorer.widgets.index_plot import IndexPlot, SeriesStyle
from explorer.widgets.theme import apply_theme, current_theme
from tests.pixels import image_array, on_screen


@pytest.fixture(autouse=True)
def light_afterwards(qapp):
    """Every test ends in the light theme, so the other test files see the usual look."""
    apply_theme("light")
    yield
    apply_theme("light")


# -- scenes, built from the definitions (not from the panels, which may change) ---------------
def row_scene(x: list[float], w: list[float], left: int, right: int) -> RowScene:
    """Correlation of ``x`` with ``w`` after ``left`` and ``right`` zeros of padding."""
    x, w = np.array(x, dtype=float), np.array(w, dtype=float)
    cells = np.concatenate([np.zeros(left), x, np.zeros(right)])
    ghost = np.arange(cells.size) < left
    ghost |= np.arange(cells.size) >= left + x.size
    windows = np.arange(cells.size - w.size + 1)[:, None] + np.arange(w.size)
    products = cells[windows] * w
    return RowScene(
        cells=cells, ghost=ghost,
        cell_labels=tuple("" if g else f"x{j}" for j, g in enumerate(ghost)),
        kernel=w, windows=windows, products=products, outputs=products.sum(axis=1),
        output_labels=tuple(f"y{n}" for n in range(len(windows))),
        input_name=f"x, {left}+{right} zeros", output_name="y (a long title that wraps)")


ROWS = {
    "full": row_scene([1, 2, 3, 4], [2, 0, 1], 2, 2),
    "same": row_scene([1.5, -2, 3.25, 4, 0], [1, -1, 0.5], 1, 1),
    "valid": row_scene([0.1, 2, -3, 40000, 5, 6], [-2, 1], 0, 0),
    "long": row_scene(list(np.linspace(-3, 3, 14)), [1, 2, 3, 2, 1], 0, 0),
    "wide kernel": row_scene([7, -8], [1, 0, -1, 2], 3, 3),
}


def grid_scene(x: np.ndarray, w: np.ndarray, stride: int = 1, padding: int = 0,
               dilation: int = 1, shade: bool = False) -> GridScene:
    """2-D correlation of ``x`` with ``w``, looped over from the definition."""
    cells = np.pad(np.asarray(x, dtype=float), padding)
    ghost = np.pad(np.zeros(np.shape(x), dtype=bool), padding, constant_values=True)
    w = np.asarray(w, dtype=float)
    span = dilation * (np.array(w.shape) - 1) + 1
    starts = [range(0, cells.shape[a] - span[a] + 1, stride) for a in (0, 1)]
    rows = [r + dilation * np.arange(w.shape[0]) for r in starts[0] for _ in starts[1]]
    cols = [c + dilation * np.arange(w.shape[1]) for _ in starts[0] for c in starts[1]]
    outputs = np.array([np.sum(cells[np.ix_(r, c)] * w) for r, c in zip(rows, cols, strict=True)])
    return GridScene(
        cells=cells, ghost=ghost, kernel=w, rows=np.array(rows), cols=np.array(cols),
        outputs=outputs.reshape(len(starts[0]), len(starts[1])),
        output_labels=tuple(f"y{n}" for n in range(outputs.size)), shade=shade,
        input_name=f"input (p = {padding}, s = {stride}, d = {dilation})")


SQUARE = np.arange(25.0).reshape(5, 5) - 12
GRIDS = {
    "plain": grid_scene(SQUARE[:4, :4], [[1, 0], [0, -1]]),
    "padded": grid_scene(SQUARE, [[1, 2, 1], [0, 0, 0], [-1, -2, -1]], padding=1),
    "strided": grid_scene(SQUARE, [[0.5, 1], [1, 0.5]], stride=2, padding=1),
    "dilated": grid_scene(SQUARE, [[1, -1], [-1, 1]], dilation=2),
    "photo": grid_scene(np.linspace(0, 255, 36).reshape(6, 6).round(), np.full((3, 3), 1 / 9),
                        padding=1, shade=True),
}


def matrix_scene(w2: list[float], len_h1: int, kind: str) -> MatrixScene:
    """The backprop Jacobian d a² / d h¹ as the model gives it."""
    jac = bp.jacobian_a2_h1(np.array(w2, dtype=float), len_h1, kind)
    rows, cols = jac.shape
    return MatrixScene(
        values=jac, band=bp.jacobian_taps(len(w2), len_h1, kind) >= 0,
        row_labels=tuple(f"a{i}" for i in range(rows)),
        col_labels=tuple(f"h{n}" for n in range(cols)),
        tooltip=jacobian_tip, captions=tuple(f"column {n} lit" for n in range(cols)),
        title=f"J ({rows} × {cols}), {kind}")


def jacobian_tip(i: int, n: int) -> str:
    """A tooltip naming its cell."""
    return f"J[{i}, {n}]"


MATRICES = {
    "valid": matrix_scene([1, -2, 0.5], 6, "valid"),
    "full": matrix_scene([3, -1], 5, "full"),
    "large": matrix_scene(list(np.linspace(-1, 2, 5)), 24, "full"),
}

STYLES = {"formula": SeriesStyle("formula", "#0072B2", "o", 11),
          "kernel": SeriesStyle("sliding kernel", "#D55E00", "x", 8, line=True),
          "numeric": SeriesStyle("finite differences", "#009E73", "+", 9)}
SERIES = {
    "short": {key: np.array([1.0, -2.0, 0.5]) * (1 + k / 10) for k, key in enumerate(STYLES)},
    "long": {key: np.sin(np.arange(30.0) / 3 + k) * 40 for k, key in enumerate(STYLES)},
}

SIZES = {"row": ((760, 330), (430, 255)), "grid": ((760, 420), (430, 270)),
         "matrix": ((320, 300), (560, 420)), "plot": ((420, 260), (200, 150))}


# -- driving a view as the mouse and the panels do ----------------------------------------------
def move_mouse(view, point: QPointF) -> None:
    """The mouse moves to ``point`` (delivered now, not queued)."""
    event = QMouseEvent(QEvent.Type.MouseMove, point, view.mapToGlobal(point),
                        Qt.MouseButton.NoButton, Qt.MouseButton.NoButton,
                        Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(view, event)


def leave(view) -> None:
    """The mouse leaves ``view``."""
    QApplication.sendEvent(view, QEvent(QEvent.Type.Leave))


def tooltip_text(view, point: QPointF) -> str:
    """What the view's tooltip says at ``point``: its own text for the point, else the widget's."""
    text = view.tooltip_at(point) if hasattr(view, "tooltip_at") else ""
    return text or view.toolTip()




class Album:
    """Pictures and texts by name, and the checks that tie them together."""

    def __init__(self, qtbot, view, sizes) -> None:
        self.view, self.sizes = view, sizes
        self.shots: dict[str, np.ndarray] = {}
        self.hovers: list[int] = []
        if hasattr(view, "hoverChanged"):
            view.hoverChanged.connect(self.hovers.append)
        self.screen_differences: list[int] = []
        qtbot.addWidget(view)
        view.resize(*sizes[0])
        view.show()
        qtbot.waitExposed(view)

    def variations(self, scenes: dict):
        """``(name, scene)`` for every scene, in each size and theme (set before each)."""
        for theme in ("light", "dark"):
            apply_theme(theme)
            for size in self.sizes:
                self.view.resize(*size)
                for name, scene in scenes.items():
                    yield f"{theme} {size} {name}", scene

    def shoot(self, name: str, settle: bool = True) -> np.ndarray:
        """Grab the view as ``name``; with ``settle``, also check the screen shows the same.

        The screen holds what the partial repaints left there; the grab paints the view whole.
        """
        picture = image_array(self.view)
        self.shots[name] = picture
        caption = getattr(self.view, "caption", None)
        self.shots[f"{name} caption"] = np.array(caption() if caption else "")
        if settle:
            QApplication.processEvents()
            self.screen_differences.append(int(np.any(on_screen(self.view) != picture,
                                                      axis=2).sum()))
        return picture

    def text(self, name: str, text: str) -> None:
        """Record ``text`` as ``name``."""
        self.shots[name] = np.array(text)

    def hover(self, key: str, point: QPointF, item: int, hovered) -> None:
        """The mouse rests on ``point`` (over ``item``) and leaves: the picture comes back."""
        before = self.shots[f"{key} last"]
        move_mouse(self.view, point)
        assert hovered() == item
        self.shoot(f"{key} hovered")
        self.text(f"{key} tooltip", tooltip_text(self.view, point))
        leave(self.view)
        assert hovered() == -1
        assert np.array_equal(self.shoot(f"{key} left"), before), key


def background(picture: np.ndarray) -> tuple[int, ...]:
    """The colour of the top left pixel."""
    return tuple(int(v) for v in picture[1, 1])


def theme_background() -> tuple[int, ...]:
    """The plots' background colour of the current theme."""
    return QColor(current_theme().qcolor("#FFFFFF")).getRgb()[:3]


# -- the albums: one per view type, every scene, size and theme --------------------------------
def sliding_album(qtbot, view, scenes: dict, sizes) -> Album:
    """Row or grid: first frame (drawn straight away), moved (cached), back, last, hovered, left."""
    album = Album(qtbot, view, sizes)
    for key, scene in album.variations(scenes):
        count = np.size(scene.outputs)
        view.set_scene(scene, 0)
        first = album.shoot(f"{key} first")
        assert background(first) == theme_background()
        view.set_frame(count // 2)
        album.shoot(f"{key} middle")
        view.set_frame(0)
        # The cached background gives the very picture drawn straight away.
        assert np.array_equal(album.shoot(f"{key} back", settle=False), first), key
        view.set_frame(count + 5)  # clamped to the last output
        assert view.frame() == count - 1
        album.shoot(f"{key} last")
        album.hover(key, view.output_rect(1).center(), 1, view.hovered)
        view.set_scene(scene)  # the frame is kept
        assert view.frame() == count - 1
    return album


def matrix_album(qtbot) -> Album:
    """The Jacobian: no column, a lit one, a linked hover, the mouse on a cell, the last."""
    view = CellMatrixView()
    album = Album(qtbot, view, SIZES["matrix"])
    view.setToolTip("the matrix")
    for key, scene in album.variations(MATRICES):
        cols = scene.values.shape[1]
        view.set_scene(scene, -1)
        none = album.shoot(f"{key} none")
        assert background(none) == theme_background()
        album.text(f"{key} shows values", str(view.shows_values()))
        view.set_frame(2)
        album.shoot(f"{key} lit")
        view.set_hover_column(cols - 1)
        assert view.hover_column() == cols - 1
        album.shoot(f"{key} linked")
        view.set_hover_column(-1)
        view.set_frame(-1)
        assert np.array_equal(album.shoot(f"{key} unlit", settle=False), none), key
        view.set_frame(cols + 3)
        assert view.frame() == cols - 1
        album.shoot(f"{key} last")
        album.text(f"{key} outside", tooltip_text(view, QPointF(1, 1)))
        album.hover(key, view.cell_rect(1, 1).center(), 1, view.hover_column)
    return album


def plot_album(qtbot) -> Album:
    """The index plot: series set and refit, changed in place, retitled, its tooltips."""
    view = IndexPlot("∇h¹L", "n  (entry of h¹)", "∂L/∂h¹ₙ", STYLES)
    album = Album(qtbot, view, SIZES["plot"])
    for key, series in album.variations(SERIES):
        view.set_title("∇h¹L")
        view.set_data(series, refit=True)
        assert background(album.shoot(f"{key} data")) == theme_background()
        view.set_data({"numeric": series["numeric"] * 1.05})
        album.shoot(f"{key} nudged")
        view.set_title("∇h¹L: max disagreement 1.2e-09", "∇h¹L: max |Δ| 1.2e-09")
        album.shoot(f"{key} titled")
        album.text(f"{key} title", view.title_shown())
        album.text(f"{key} tooltip", tooltip_text(view, view.point("kernel", 1)))
        album.text(f"{key} ranges", repr((view.x_range(), view.y_range())))
    return album


ALBUMS = {
    "row": lambda qtbot: sliding_album(qtbot, CellRowView(), ROWS, SIZES["row"]),
    "grid": lambda qtbot: sliding_album(qtbot, CellGridView(), GRIDS, SIZES["grid"]),
    "matrix": matrix_album,
    "plot": plot_album,
}


@pytest.mark.parametrize("kind", list(ALBUMS))
def test_every_picture_is_the_one_a_fresh_paint_gives(qtbot, kind):
    album = ALBUMS[kind](qtbot)
    compare_with_saved(kind, album)
    # Partial repaints (a moved window, a hover, new data) leave on screen what a whole paint
    # draws, to the pixel.
    assert album.screen_differences and max(album.screen_differences) == 0
    pictures = {k: v for k, v in album.shots.items() if v.ndim == 3}
    # Light and dark differ everywhere the background shows.
    for name, light in pictures.items():
        if name.startswith("light"):
            dark = pictures["dark" + name[len("light"):]]
            assert np.any(light != dark, axis=2).mean() > 0.5, name


def test_hover_signals_and_tooltips(qtbot):
    row = ALBUMS["row"](qtbot)
    # One hover and one leave per scene, size and theme.
    assert row.hovers == [1, -1] * (len(ROWS) * 2 * 2)
    assert str(row.shots["light (760, 330) full tooltip"]).startswith("Rest the mouse")
    matrix = ALBUMS["matrix"](qtbot)
    assert matrix.hovers == [1, -1] * (len(MATRICES) * 2 * 2)
    assert str(matrix.shots["dark (320, 300) full tooltip"]) == "J[1, 1]"
    assert str(matrix.shots["dark (320, 300) full outside"]) == "the matrix"
    assert str(matrix.shots["light (560, 420) large shows values"]) == "False"
    assert str(matrix.shots["light (560, 420) valid shows values"]) == "True"
    plot = ALBUMS["plot"](qtbot)
    assert str(plot.shots["light (420, 260) short tooltip"]) == (
        "n = 2\nformula: -2\nsliding kernel: -2.2\nfinite differences: -2.52")
    assert str(plot.shots["light (200, 150) long title"]) == "∇h¹L: max |Δ| 1.2e-09"


def compare_with_saved(kind: str, album: Album) -> None:
    """Write the album to ``$NN_EXPLORER_CANVAS_PIXELS`` the first time, compare after."""
    folder = os.environ.get("NN_EXPLORER_CANVAS_PIXELS")
    if not folder:
        return
    path = Path(folder) / f"{kind}.npz"
    hovers = np.array(album.hovers)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(path, hovers=hovers, **album.shots)
        return
    saved = np.load(path)
    assert sorted(saved.files) == sorted([*album.shots, "hovers"])
    assert np.array_equal(saved["hovers"], hovers)
    differing = {name: int(np.sum(saved[name] != shot)) for name, shot in album.shots.items()
                 if saved[name].shape != shot.shape or np.any(saved[name] != shot)}
    assert differing == {}


# Showing a tooltip raises its window, which the offscreen platform cannot do and says so.
@pytest.mark.qt_log_ignore("This plugin does not support raise")
def test_a_tooltip_event_shows_the_cell_or_the_view(qtbot):
    """The matrix and the plot answer a tooltip event for their cells; elsewhere the widget."""
    matrix, plot, row = CellMatrixView(), IndexPlot("t", "n", "y", STYLES), CellRowView()
    matrix.set_scene(MATRICES["valid"])
    plot.set_data(SERIES["short"], refit=True)
    row.set_scene(ROWS["full"])
    shown = []
    for view, size, point in ((matrix, (320, 300), lambda: matrix.cell_rect(2, 3).center()),
                              (plot, (420, 260), lambda: plot.point("formula", 0)),
                              (row, (760, 330), lambda: row.output_rect(1).center())):
        view.setToolTip("the view")
        Album(qtbot, view, [size])
        for where in (point().toPoint(), QPoint(1, 1)):
            event = QHelpEvent(QEvent.Type.ToolTip, where, view.mapToGlobal(where))
            assert QApplication.sendEvent(view, event)
            shown.append(QToolTip.text())
            QToolTip.hideText()
    assert shown == ["J[2, 3]", "the view",
                     "n = 1\nformula: 1\nsliding kernel: 1.1\nfinite differences: 1.2", "the view",
                     "the view", "the view"]


@pytest.mark.parametrize("sizes", [((420, 300), (700, 500)), ((600, 400), (600, 600))])
def test_the_matrix_labels_follow_a_resize(qtbot, sizes):
    """Row labels sit beside their rows and column labels just above the cells, at any size
    (a taller view moves the cells down without a new cell font)."""
    view = CellMatrixView()
    qtbot.addWidget(view)
    view.resize(*sizes[0])
    view.set_scene(MATRICES["valid"], 0)
    view.show()
    qtbot.waitExposed(view)
    view.resize(*sizes[1])
    QApplication.processEvents()
    g = view._geometry
    rows = [corner for _, pen, corner, static in g.texts if corner.x() < g.x0]
    cols = [(corner, static) for _, pen, corner, static in g.texts
            if pen == "label" and corner.x() >= g.x0]
    assert len(rows) == 4 and len(cols) >= 1
    for i, corner in enumerate(rows):
        centre = corner.y() + g.texts[i][3].size().height() / 2
        assert abs(centre - (g.y0 + (i + 0.5) * g.size)) < 1
    for corner, static in cols:
        assert corner.y() + static.size().height() == pytest.approx(g.y0 - 2)
