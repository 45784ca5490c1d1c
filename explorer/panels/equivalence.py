"""Question 3: every two-layer sigmoid network is a tanh network with rescaled parameters."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from explorer.model import equivalence
from explorer.model.activations import tanh
from explorer.model.quiz import Question, equivalence_questions
from explorer.panels.base import Panel
from explorer.views.equivalence import (
    GAP_FLOOR,
    EquivalenceState,
    EquivalenceView,
    Weights,
    check_radius,
    compute,
    setting_rule,
)
from explorer.widgets.check_badge import CheckStrip
from explorer.widgets.equation import EquationView
from explorer.widgets.number_input import NumberInput, parse_number
from explorer.widgets.page import Page, WrappedLabel
from explorer.widgets.painted_plot import (
    PaintedCurve,
    PaintedLine,
    PaintedPlot,
    PaintedScatter,
    PaintedText,
)
from explorer.widgets.plot import OKABE_ITO, followed_range, pen
from explorer.widgets.theme import qcolor, theme_signals

#: Decades of the |Δ| axis below the floor: room for the floor's label, under the zeros.
GAP_MARGIN = 4.0
#: Top of the |Δ| axis (log10) unless a gap needs more: rounding (near 1e-16) and a broken
#: rule's error (near 1) share one fixed scale, so switching rules never re-ranges the axis.
GAP_TOP = 1.0
#: Half-height, in decades, of the tick drawn for each |Δ| value.
TICK_HALF = 0.25
#: Axis ranges stay inside ±this so their span is a finite float64 (pyqtgraph needs that).
AXIS_LIMIT = 4e307
OUTPUT_COLORS = (OKABE_ITO["blue"], OKABE_ITO["vermillion"], OKABE_ITO["green"],
                 OKABE_ITO["purple"])
MAX_OUTPUTS = equivalence.SETTING_LIMITS["K"][1]

MAPPING_CHOICES = {
    "correct": "Correct rule (question 3)",
    "no_bias_correction": "Break it: forget the output-bias correction",
    "weights_only": "Break it: halve the weights but not b¹",
}
MAPPING_NOTES = {
    "correct": "All four parts of the rule are applied: the tanh-net reproduces the σ-net "
               "for every input, up to rounding.",
    "no_bias_correction": "Through σ = ½ tanh + ½, each hidden unit hands output k a constant "
                          "½ W²ₖⱼ on top of its tanh part. Leave those out of b² and output k "
                          "is shifted by −½ Σⱼ W²ₖⱼ for every input: a constant offset.",
    "weights_only": "Halving W¹ but not b¹ feeds tanh(W¹x/2 + b¹) instead of "
                    "tanh((W¹x + b¹)/2): each hidden unit's step moves, so the error changes "
                    "with x.",
}

#: Columns of the mapping table.
LABEL, SIGMOID_VALUE, RULE, TANH_VALUE, RIGHT_VALUE = range(5)
COLUMNS = ("parameter", "σ-net Θ", "rule", "tanh-net Θ′", "should be")
#: The columns of numbers and their least widths; each grows to its widest text.
NUMBER_COLUMNS = {SIGMOID_VALUE: 78, TANH_VALUE: 84, RIGHT_VALUE: 76}
#: Room a table cell's style leaves around its text, in pixels.
CELL_PADDING = 14
#: Background of a table cell the broken rule gets wrong (light-theme colour).
WRONG_FILL = "#fbdada"

EXPLANATION = """
<h3>Question 3 — a sigmoid network is a tanh network in disguise</h3>
<p>The logistic sigmoid and tanh draw the same S: halve the input, halve the height and lift
the curve by ½, and tanh becomes σ exactly (top-right plot).</p>
<p>Put that into a two-layer network. Each hidden unit can swap σ for tanh if everything flowing
<i>into</i> it is halved (W¹ and b¹) and everything flowing <i>out</i> of it is halved as well
(W²). The ½ lift each unit loses is constant, so output <i>k</i> gets it back through its bias:
b²ₖ grows by ½ Σⱼ W²ₖⱼ. The new parameters Θ′ describe the very same map x ↦ y as Θ.</p>
<p>Reading the rule backwards converts a tanh network to a sigmoid one: double W̃¹, b̃¹ and W̃²,
and take Σⱼ W̃²ₖⱼ off each output bias. The live check runs that round trip.</p>
<p><b>Try:</b> change M, K or the seed; double-click a value in the table to edit a weight of
either network; pick a broken rule and see which part of the rule it drops; set D above 1 to
compare the networks on random points instead of along a line.</p>
"""

FORMULAS = (
    (r"$\sigma(a) = \dfrac{1}{1+e^{-a}} = \frac{1}{2}\tanh\left(\frac{a}{2}\right) + \frac{1}{2}$",
     "σ(a) = 1/(1+exp(−a)) = ½ tanh(a/2) + ½"),
    (r"$y(x;\Theta,\sigma) = W^{(2)}\,\sigma(W^{(1)}x + b^{(1)}) + b^{(2)}$",
     "y(x; Θ, σ) = W² σ(W¹x + b¹) + b²"),
    (r"$\tilde W^{(1)} = \frac{1}{2}W^{(1)},\ \ \tilde b^{(1)} = \frac{1}{2}b^{(1)},"
     r"\ \ \tilde W^{(2)} = \frac{1}{2}W^{(2)}$",
     "W̃¹ = W¹/2, b̃¹ = b¹/2, W̃² = W²/2"),
    (r"$\tilde b^{(2)}_k = b^{(2)}_k + \frac{1}{2}\sum_{j=1}^{M} W^{(2)}_{kj}$",
     "b̃²ₖ = b²ₖ + ½ Σⱼ W²ₖⱼ"),
    (r"$y(x;\Theta',\tanh) = \tilde W^{(2)}\tanh(\tilde W^{(1)}x + \tilde b^{(1)})"
     r" + \tilde b^{(2)}$",
     "y(x; Θ′, tanh) = W̃² tanh(W̃¹x + b̃¹) + b̃²"),
)


def _number(value: float) -> str:
    return f"{value:.6g}"


def _data_range(low: float, high: float) -> tuple[float, float]:
    """An axis range for data from ``low`` to ``high``: a margin either side, within limits."""
    # Halves first: with edited weights near 1e308 the plain difference would overflow.
    half_span = high / 2 - low / 2
    margin = 0.16 * half_span if half_span > 1e-9 else max(1e-3, 0.1 * abs(high))
    limit = AXIS_LIMIT
    return (max(low - margin, -limit), min(high + margin, limit))


def _alpha(color: str, alpha: int) -> QColor:
    c = QColor(color)
    c.setAlpha(alpha)
    return c


class EquivalencePanel(Panel):
    """A sigmoid network, its tanh twin, the rule between them and what breaks without it."""

    id = "equivalence"
    title = "Sigmoid ⇄ tanh networks"
    questions = "3"

    State = EquivalenceState

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ranges: dict[str, tuple[float, float]] = {}
        self._data_ranges: dict[tuple[str, tuple[int, int, int]], tuple[float, float]] = {}
        self._cells: list[list[QTableWidgetItem]] = []
        self._texts: list[list[str]] = []
        self._wrong: list[bool] = []
        self._visible_rows = 0
        self._tanh_editable: bool | None = None
        self._build()
        self.set_state(self.state)
        self.run_checks()
        theme_signals().changed.connect(self._theme_changed)

    def _theme_changed(self, _theme: object) -> None:
        """Table cells marked wrong take the theme's fill (plots and labels follow themselves)."""
        brush = QBrush(qcolor(WRONG_FILL))
        for cells, wrong in zip(self._cells, self._wrong, strict=False):
            if wrong:
                for col in (RULE, TANH_VALUE, RIGHT_VALUE):
                    cells[col].setBackground(brush)

    # -- construction --------------------------------------------------------------------
    def _build(self) -> None:
        s = self.state
        limits = equivalence.SETTING_LIMITS
        self.d_input = NumberInput(
            "inputs &D", s.D, slider=limits["D"], decimals=0, validate=setting_rule("D"),
            tooltip="Number of inputs. D = 1 plots y against x; D > 1 compares the networks on "
                    f"{equivalence.SAMPLE_POINTS} random points")
        self.m_input = NumberInput(
            "hidden &M", s.M, slider=limits["M"], decimals=0,
            validate=setting_rule("M"), tooltip="Number of hidden units (draws new weights)")
        self.k_input = NumberInput(
            "outputs &K", s.K, slider=limits["K"], decimals=0,
            validate=setting_rule("K"), tooltip="Number of outputs (draws new weights)")
        self.seed_input = NumberInput(
            "&seed", s.seed, decimals=0, validate=setting_rule("seed"),
            tooltip="Seed of the random weights: the same seed gives the same network")
        self.new_button = QPushButton("&New weights", self)
        self.new_button.setToolTip("Draw another random network (seed + 1)")
        self.radius_input = NumberInput(
            "input range &R", s.radius, validate=check_radius,
            tooltip="Inputs are taken from [−R, R] (in every coordinate when D > 1)")
        self.origin_label = WrappedLabel("", self, lines=2)
        self.origin_label.setToolTip("Where the σ-network's weights came from")
        self.mapping_combo = QComboBox(self)
        self.mapping_combo.setAccessibleName("Conversion to the tanh-network")
        for key, text in MAPPING_CHOICES.items():
            self.mapping_combo.addItem(text, key)
        self.mapping_combo.setToolTip("Convert with the right rule, or with a common mistake to "
                                      "see what that part of the rule is for")
        self.mapping_note = WrappedLabel("", self, lines=4)
        self.mapping_note.setToolTip("What the chosen conversion does")

        formulas = [EquationView(tex, plain, points=10.5, parent=self) for tex, plain in FORMULAS]
        network = QGroupBox("σ-network Θ: a seeded random network", self)
        grid = QVBoxLayout(network)
        for w in (self.d_input, self.m_input, self.k_input):
            grid.addWidget(w)
        seed_row = QHBoxLayout()
        seed_row.addWidget(self.seed_input, 1)
        seed_row.addWidget(self.new_button)
        grid.addLayout(seed_row)
        grid.addWidget(self.radius_input)
        grid.addWidget(self.origin_label)
        mapping = QGroupBox("Conversion to the tanh-network Θ′", self)
        mapping_layout = QVBoxLayout(mapping)
        mapping_layout.addWidget(self.mapping_combo)
        mapping_layout.addWidget(self.mapping_note)

        # The identity σ(a) = ½ tanh(a/2) + ½, with tanh itself for comparison.
        # Painted plots (pyqtgraph's frame, the data painted straight onto it): a new network
        # repaints the curves, not every axis and legend.
        self.identity_plot = PaintedPlot("σ(a) = ½ tanh(a/2) + ½", "a", "value")
        self.identity_plot.getPlotItem().addLegend(offset=(-8, -8), labelTextSize="9pt")
        self.tanh_curve = PaintedCurve(pen=pen("#999999", 1, True), name="tanh(a)")
        self.sigmoid_curve = PaintedCurve(
            pen=pg.mkPen(_alpha(OKABE_ITO["orange"], 140), width=6), antialias=False,
            name="σ(a) = 1/(1+e⁻ᵃ)")
        self.via_tanh_curve = PaintedCurve(pen=pg.mkPen(OKABE_ITO["black"], width=1),
                                           name="½ tanh(a/2) + ½")
        for curve in (self.tanh_curve, self.sigmoid_curve, self.via_tanh_curve):
            self.identity_plot.addItem(curve)
        self.identity_plot.setYRange(-1.1, 1.1, padding=0)

        # D = 1: both networks' outputs against x; wide band = σ-net, dashed = tanh-net.
        self.curves_plot = PaintedPlot("Outputs: σ-net Θ (band), tanh-net Θ′ (line)",
                                       "input x", "output y")
        self.curves_legend = self.curves_plot.getPlotItem().addLegend(
            offset=(-8, -8), labelTextSize="9pt", brush=pg.mkBrush(255, 255, 255, 200))
        self.sigmoid_curves = []
        self.tanh_curves = []
        for color in OUTPUT_COLORS:
            # Wide antialiased strokes are the costliest thing to paint here; the band keeps
            # its width but skips antialiasing, and the tanh line is 1 px (Qt's fast path).
            band = PaintedCurve(pen=pg.mkPen(_alpha(color, 100), width=6), antialias=False)
            line = PaintedCurve(pen=pg.mkPen(color, width=1))
            self.curves_plot.addItem(band)
            self.curves_plot.addItem(line)
            self.sigmoid_curves.append(band)
            self.tanh_curves.append(line)
        # D > 1: one network's outputs against the other's, on the line y = x.
        self.scatter_plot = PaintedPlot("Outputs on random inputs: tanh-net vs σ-net",
                                        "σ-net output y(x; Θ, σ)",
                                        "tanh-net output y(x; Θ′, tanh)")
        self.scatter_legend = self.scatter_plot.getPlotItem().addLegend(
            offset=(8, 8), labelTextSize="9pt", brush=pg.mkBrush(255, 255, 255, 200))
        self.identity_line = PaintedCurve(pen=pen("#777777", 1.5, True))
        self.scatter_plot.addItem(self.identity_line)
        self.scatter_points = []
        for color in OUTPUT_COLORS:
            points = PaintedScatter(size=6, pen=pg.mkPen(None), brush=pg.mkBrush(color))
            self.scatter_plot.addItem(points)
            self.scatter_points.append(points)
        for plot in (self.identity_plot, self.curves_plot, self.scatter_plot):
            # A fixed width keeps new tick labels from re-laying out (and repainting) the plot.
            plot.getPlotItem().getAxis("left").setWidth(46)
        self.outputs_stack = QStackedWidget(self)
        self.outputs_stack.addWidget(self.curves_plot)
        self.outputs_stack.addWidget(self.scatter_plot)

        # |Δ| on a log axis, with the float64 spacing of the outputs for scale.
        self.gap_plot = PaintedPlot("|Δ| = |y(x; Θ′, tanh) − y(x; Θ, σ)|", "input x",
                                    "|Δ| (log scale)")
        self.gap_plot.getPlotItem().setLogMode(y=True)
        # Powers of ten on the ticks, never a "(x1e-12)" rescaling of them.
        self.gap_plot.getPlotItem().getAxis("left").enableAutoSIPrefix(False)
        self.gap_plot.getPlotItem().getAxis("left").setWidth(52)
        # One short vertical tick per value, not a line: rounding noise hops between 0 and an
        # ulp, and a line through it would paint a solid block. Width-1 ticks are also far
        # cheaper to draw than symbols. The items take log10 values (the axis is logarithmic).
        self.gap_ticks = []
        for color in OUTPUT_COLORS:
            ticks = PaintedCurve(pen=pg.mkPen(color, width=1), connect="pairs")
            self.gap_plot.addItem(ticks)
            self.gap_ticks.append(ticks)
        label_fill = pg.mkBrush(255, 255, 255, 210)
        # The ulp line moves with the outputs: painted, so a move repaints the ticks only. The
        # floor never moves and stays in the plot's frame.
        self.ulp_line = PaintedLine(angle=0, pen=pen("#555555", 1, True))
        self.ulp_line.setZValue(20)
        self.gap_plot.addItem(self.ulp_line)
        self.floor_line = pg.InfiniteLine(np.log10(GAP_FLOOR), angle=0,
                                          pen=pen("#aaaaaa", 1, True))
        self.gap_plot.addItem(self.floor_line, above=True)
        # Their labels sit just past the ticks, which reach TICK_HALF decades either side of a
        # value: over the ulp line's ticks, and under the floor's, in the axis's bottom margin.
        # Placed in decades, not in label heights, so they clear the ticks at any plot height.
        self.ulp_label = PaintedText("1 ulp of max |y|", color="#333333", anchor=(1, 1.1),
                                     fill=label_fill)
        self.floor_label = PaintedText("|Δ| = 0 exactly", color="#555555", anchor=(1, -0.1),
                                       fill=label_fill)
        for label in (self.ulp_label, self.floor_label):
            label.setZValue(20)
            self.gap_plot.addItem(label)
        self.rounding_label = WrappedLabel("", self, lines=4)
        self.rounding_label.setToolTip("What the size of |Δ| means")

        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setAccessibleName("The mapping from the σ-net to the tanh-net")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                   | QAbstractItemView.EditTrigger.EditKeyPressed
                                   | QAbstractItemView.EditTrigger.AnyKeyPressed)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(RULE, QHeaderView.ResizeMode.Stretch)
        for col, width in ((LABEL, 66), *NUMBER_COLUMNS.items()):
            self.table.setColumnWidth(col, width)
        self.table.verticalHeader().setDefaultSectionSize(22)
        self.table.setToolTip(
            "Every parameter before (σ-net) and after (tanh-net) the conversion, and the rule "
            "that links them.\nDouble-click a σ-net value — or a tanh-net value while the rule "
            "is correct — to edit it; the other network follows.")
        self.table_title = QLabel("<b>The mapping Θ → Θ′</b> (double-click a value to edit)",
                                  self)

        self.checks_strip = CheckStrip(self)
        gap_box = QWidget(self)
        gap_layout = QVBoxLayout(gap_box)
        gap_layout.setContentsMargins(0, 0, 0, 0)
        gap_layout.addWidget(self.gap_plot, 1)
        gap_layout.addWidget(self.rounding_label)
        table_box = QWidget(self)
        table_layout = QVBoxLayout(table_box)
        table_layout.setContentsMargins(0, 0, 0, 0)
        table_layout.addWidget(self.table_title)
        table_layout.addWidget(self.table, 1)
        plots = QWidget(self)
        grid = QGridLayout(plots)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(self.outputs_stack, 0, 0)
        grid.addWidget(self.identity_plot, 0, 1)
        grid.addWidget(gap_box, 1, 0)
        grid.addWidget(table_box, 1, 1)
        grid.setColumnStretch(0, 3)
        grid.setColumnStretch(1, 2)
        grid.setRowStretch(0, 5)
        grid.setRowStretch(1, 4)
        self.page = Page(self, explanation=EXPLANATION, side=[*formulas, network, mapping],
                         content=plots, checks=self.checks_strip)

        # A new size or seed draws new weights.
        for name, control in (("D", self.d_input), ("M", self.m_input), ("K", self.k_input),
                              ("seed", self.seed_input)):
            self.bind(name, control, lambda state, value, name=name: state.resized(name, value))
        self.bind("radius", self.radius_input)
        self.bind("mapping", self.mapping_combo)
        self.new_button.clicked.connect(self._new_weights)
        self.table.itemChanged.connect(self._cell_edited)
        for label in (self.origin_label, self.mapping_note, self.rounding_label):
            label.setTextFormat(Qt.TextFormat.PlainText)

    # -- control -> state ----------------------------------------------------------------
    def _new_weights(self) -> None:
        low, high = equivalence.SETTING_LIMITS["seed"]
        seed = self.state.seed + 1 if self.state.seed < high else low
        self.edit(self.seed_input, seed=seed, net=None)

    def _cell_edited(self, item: QTableWidgetItem) -> None:
        row, col = item.row(), item.column()
        if col not in (SIGMOID_VALUE, TANH_VALUE) or row >= self._visible_rows:
            return
        try:
            value = parse_number(item.text())
            if col == SIGMOID_VALUE:
                net = equivalence.with_parameter(self.view.net, row, value)
            else:  # the correct twin's entry: the σ-net that converts to it
                twin = equivalence.with_parameter(self.view.right_net, row, value)
                net = equivalence.tanh_to_sigmoid(twin)
        except ValueError as exc:
            shown = False
            self.refusal.show_message(f"{self._texts[row][LABEL]}: {exc}", self.table)
        else:
            shown = self.edit(self.table, net=Weights.of(net))
        if not shown:
            with QSignalBlocker(self.table):
                item.setText(self._texts[row][col])

    # -- state -> model -> plot items ----------------------------------------------------
    def compute(self, state: EquivalenceState,
                previous: EquivalenceView | None) -> EquivalenceView:
        """See :func:`explorer.views.equivalence.compute`."""
        return compute(state, previous)

    def show_view(self, view: EquivalenceView, previous: EquivalenceView | None) -> None:
        """Move the plot items, the notes and the table to ``view``."""
        if previous is None:  # a new panel, a reset or a loaded state: every range afresh
            self._ranges.clear()
            self._data_ranges.clear()
        if previous is None or view.single != previous.single:
            self.outputs_stack.setCurrentIndex(0 if view.single else 1)
            self.gap_plot.getPlotItem().setLabel("bottom", "input x" if view.single else
                                   "random input point n")
        self._update_identity(view)
        K = view.net.output_size
        if previous is None or K != previous.net.output_size:
            self._update_legends(K)
        gap = view.gap()
        if view.single:
            self._update_curves(view, gap, K)
        else:
            self._update_scatter(view, gap, K)
        self._update_gap_axis(gap, view.y_sigmoid)
        self.rounding_label.setText(view.note())
        self._update_table(view)
        mapping = view.state.mapping
        if previous is None or mapping != previous.state.mapping:
            if mapping != "correct" and any(self._wrong[: self._visible_rows]):
                # Bring the rows the broken rule gets wrong into view.
                first = self._wrong.index(True)
                self.table.scrollToItem(self._cells[first][LABEL],
                                        QAbstractItemView.ScrollHint.PositionAtTop)
            else:
                self.table.scrollToTop()
        self.origin_label.setText(view.origin())
        self.mapping_note.setText(MAPPING_NOTES[mapping])

    def _set_range(self, key: str, plot: PaintedPlot, axis: str, low: float,
                   high: float) -> None:
        """Move an axis range only when it actually changes (a move redraws the axis)."""
        if self._ranges.get(key) == (low, high):
            return
        self._ranges[key] = (low, high)
        if axis == "x":
            plot.setXRange(low, high, padding=0)
        else:
            plot.setYRange(low, high, padding=0)
        # pyqtgraph defers the new view transform to the next paint, whose items then ask for a
        # second paint; applying it now lets one paint show the change.
        plot.getViewBox().updateMatrix()

    def _update_identity(self, view: EquivalenceView) -> None:
        grid = view.grid
        if self._ranges.get("identity x") == (grid[0], grid[-1]):
            return  # same grid, same curves: skip the repaint
        self.tanh_curve.setData(grid, tanh(grid))
        self.sigmoid_curve.setData(grid, view.identity_left)
        self.via_tanh_curve.setData(grid, view.identity_right)
        self._set_range("identity x", self.identity_plot, "x", grid[0], grid[-1])

    def _update_legends(self, K: int) -> None:
        """Show outputs 1 … K and their legend entries (only the entries that change)."""
        for k in range(MAX_OUTPUTS):
            for item in (self.sigmoid_curves[k], self.tanh_curves[k], self.scatter_points[k]):
                item.setVisible(k < K)
        listed = len(self.curves_legend.items)
        for k in range(K, listed):
            self.curves_legend.removeItem(self.sigmoid_curves[k])
            self.scatter_legend.removeItem(self.scatter_points[k])
        if K > listed:
            self.scatter_legend.removeItem(self.identity_line)  # it stays the last entry
            for k in range(listed, K):
                self.curves_legend.addItem(self.sigmoid_curves[k], f"output y{k + 1}")
                self.scatter_legend.addItem(self.scatter_points[k], f"output y{k + 1}")
            self.scatter_legend.addItem(self.identity_line, "tanh-net = σ-net")

    def _update_curves(self, shown: EquivalenceView, gap: np.ndarray, K: int) -> None:
        grid = shown.grid
        for k in range(K):
            self.sigmoid_curves[k].setData(grid, shown.y_sigmoid[:, k])
            self.tanh_curves[k].setData(grid, shown.y_tanh[:, k])
            self._set_ticks(k, grid, gap[:, k])
        for k in range(K, MAX_OUTPUTS):
            self.gap_ticks[k].setData([], [])
        values = np.concatenate([shown.y_sigmoid.ravel(), shown.y_tanh.ravel()])
        low, high = self._stable("curves y", float(values.min()), float(values.max()))
        self._set_range("curves x", self.curves_plot, "x", grid[0], grid[-1])
        self._set_range("curves y", self.curves_plot, "y", low, high)
        self._set_range("gap x", self.gap_plot, "x", grid[0], grid[-1])

    def _update_scatter(self, shown: EquivalenceView, gap: np.ndarray, K: int) -> None:
        index = np.arange(1, shown.X.shape[0] + 1, dtype=float)
        for k in range(K):
            self.scatter_points[k].setData(shown.y_sigmoid[:, k], shown.y_tanh[:, k])
            self._set_ticks(k, index, gap[:, k])
        for k in range(K, MAX_OUTPUTS):
            self.gap_ticks[k].setData([], [])
        values = np.concatenate([shown.y_sigmoid.ravel(), shown.y_tanh.ravel()])
        low, high = self._stable("scatter", float(values.min()), float(values.max()))
        self.identity_line.setData([low, high], [low, high])
        self._set_range("scatter x", self.scatter_plot, "x", low, high)
        self._set_range("scatter y", self.scatter_plot, "y", low, high)
        self._set_range("gap x", self.gap_plot, "x", 0.0, index[-1] + 1.0)

    def _set_ticks(self, k: int, x: np.ndarray, gap: np.ndarray) -> None:
        centre = np.log10(gap)
        self.gap_ticks[k].setData(np.repeat(x, 2),
                                  np.column_stack([centre - TICK_HALF, centre + TICK_HALF]).ravel())

    def _stable(self, key: str, low: float, high: float) -> tuple[float, float]:
        """A y range for a network shape that follows its outputs (see ``followed_range``).

        Each shape keeps its own range: going back to an M tried before shows its axis as it
        was, unless its outputs no longer fit it, so two settings can be compared by eye.
        Reset forgets them all.
        """
        shape = (self.state.D, self.state.M, self.state.K)
        chosen = followed_range(self._data_ranges.get((key, shape)), _data_range(low, high))
        self._data_ranges[(key, shape)] = chosen
        return chosen

    def _update_gap_axis(self, gap: np.ndarray, y_sigmoid: np.ndarray) -> None:
        # Log axis: positions are log10 values. The top only grows (huge edited weights).
        top = max(GAP_TOP, float(np.ceil(np.log10(gap.max()))) + 0.5)
        current = self._ranges.get("gap y")
        if current is not None:
            top = max(top, current[1])
        self._set_range("gap y", self.gap_plot, "y", np.log10(GAP_FLOOR) - GAP_MARGIN, top)
        level = float(np.log10(equivalence.ulp(y_sigmoid)))
        if level != self.ulp_line.value():
            self.ulp_line.setValue(level)
        (x0, x1), _ = self.gap_plot.viewRange()
        right = x0 + 0.97 * (x1 - x0)
        self.ulp_label.setPos(right, level + TICK_HALF)
        self.floor_label.setPos(right, np.log10(GAP_FLOOR) - TICK_HALF)

    def _update_table(self, view: EquivalenceView) -> None:
        broken = view.state.mapping != "correct"
        rows = view.parameters()
        with QSignalBlocker(self.table):
            self._ensure_rows(len(rows))
            self._set_tanh_editable(not broken)
            self.table.setColumnHidden(RIGHT_VALUE, not broken)
            new_numbers = False
            for row, (label, before, rule, after, should) in enumerate(rows):
                texts = (label, _number(before), rule, _number(after),
                         _number(should) if broken else "")
                cached = self._texts[row]
                cells = self._cells[row]
                for col, text in enumerate(texts):
                    if cached[col] != text:
                        cells[col].setText(text)
                        cached[col] = text
                        new_numbers |= col in NUMBER_COLUMNS
                wrong = after != should
                if wrong != self._wrong[row]:
                    self._wrong[row] = wrong
                    brush = QBrush(qcolor(WRONG_FILL)) if wrong else QBrush()
                    for col in (RULE, TANH_VALUE, RIGHT_VALUE):
                        cells[col].setBackground(brush)
        if new_numbers:
            self._fit_number_columns(len(rows))

    def _fit_number_columns(self, rows: int) -> None:
        """Each number column at least as wide as its widest text, so no digit is ever cut."""
        metrics = self.table.fontMetrics()
        for col, least in NUMBER_COLUMNS.items():
            widest = max(metrics.horizontalAdvance(self._texts[row][col]) for row in range(rows))
            width = max(least, widest + CELL_PADDING)
            if self.table.columnWidth(col) != width:
                self.table.setColumnWidth(col, width)

    def _ensure_rows(self, rows: int) -> None:
        """Grow the table's pool of items when needed and hide the rows not in use."""
        have = self.table.rowCount()
        if rows > have:
            self.table.setRowCount(rows)
            for row in range(have, rows):
                cells = []
                for col in range(len(COLUMNS)):
                    item = QTableWidgetItem("")
                    flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                    if col == SIGMOID_VALUE or (col == TANH_VALUE and self._tanh_editable):
                        flags |= Qt.ItemFlag.ItemIsEditable
                    item.setFlags(flags)
                    if col in (SIGMOID_VALUE, TANH_VALUE, RIGHT_VALUE):
                        item.setTextAlignment(Qt.AlignmentFlag.AlignRight
                                              | Qt.AlignmentFlag.AlignVCenter)
                    self.table.setItem(row, col, item)
                    cells.append(item)
                self._cells.append(cells)
                self._texts.append([""] * len(COLUMNS))
                self._wrong.append(False)
        for row in range(min(rows, self._visible_rows), max(rows, self._visible_rows)):
            self.table.setRowHidden(row, row >= rows)
        self._visible_rows = rows

    def _set_tanh_editable(self, editable: bool) -> None:
        if editable == self._tanh_editable:
            return
        self._tanh_editable = editable
        for cells in self._cells:
            flags = cells[TANH_VALUE].flags()
            if editable:
                flags |= Qt.ItemFlag.ItemIsEditable
            else:
                flags &= ~Qt.ItemFlag.ItemIsEditable
            cells[TANH_VALUE].setFlags(flags)

    # -- Panel contract ------------------------------------------------------------------
    def bench_change(self, i: int) -> None:
        """Cycle through a new seed, a broken rule, a new M and a new R, as a student would."""
        step, turn = i % 4, i // 4
        if step == 0:
            self.edit(self.seed_input, seed=turn % 50, net=None)
        elif step == 1:
            self.mapping_combo.setCurrentIndex((turn + 1) % len(MAPPING_CHOICES))
        elif step == 2:
            self.edit(self.m_input, M=2 + turn % 8, net=None)
        else:
            self.edit(self.radius_input, radius=float(3 + turn % 5))

    def quiz(self, seed: int = 0) -> list[Question]:
        """Check-yourself questions: parameters of the tanh twin, and an output at x = 0."""
        return equivalence_questions(self.view.net, seed)
