"""Question 2: the softmax — shift invariance, the sigmoid case, K − 1 parameters, the Jacobian."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, QTimer
from PySide6.QtGui import QBrush, QFont, QFontMetricsF, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSizePolicy,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from explorer.model import softmax as sm
from explorer.model.activations import sigmoid
from explorer.model.quiz import Question, softmax_questions
from explorer.panels.base import Panel
from explorer.views.softmax import (
    K_MAX,
    K_MIN,
    SHIFT_LIMIT,
    SoftmaxState,
    SoftmaxView,
    cell_text,
    check_logits,
    check_shift,
    check_temperature,
    compact,
    compute,
    jacobian_level,
    number_label,
    same,
    table_number,
)
from explorer.widgets.check_badge import CheckStrip
from explorer.widgets.equation import EquationView
from explorer.widgets.number_input import NumberInput, VectorInput
from explorer.widgets.page import Page
from explorer.widgets.painted_plot import (
    PaintedBars,
    PaintedCells,
    PaintedCurve,
    PaintedLabels,
    PaintedLine,
    PaintedPlot,
    PaintedScatter,
    PaintedText,
)
from explorer.widgets.plot import OKABE_ITO, followed_range, pen, recolor_axes
from explorer.widgets.theme import (
    Theme,
    current_theme,
    qcolor,
    set_rich_text,
    theme_signals,
)

SIGMOID_POINTS = 401
#: The z axis of the sigmoid plot starts at ±this and grows only when z leaves it.
Z_RANGE = 6.0
#: Room the style leaves around a table cell's text, in pixels.
_TABLE_CELL_MARGIN = 8
BAR_WIDTH = 0.6
#: Axes never reach past this, so a view's width (high − low) stays finite in float64.
RANGE_LIMIT = float(np.finfo(np.float64).max) / 4
LOGIT_COLOR = OKABE_ITO["sky"]
PROB_COLOR = OKABE_ITO["blue"]
REDUCED_COLOR = OKABE_ITO["green"]
SHIFT_COLOR = OKABE_ITO["vermillion"]
SIGMA_COLOR = OKABE_ITO["orange"]
BAD_COLOR = "#c0392b"
#: Diverging map for the Jacobian: negative blue, zero white (the plot background in a dark
#: theme, see :func:`jacobian_colormap`), positive vermillion.
#: Every entry of Diag(p) − ppᵀ lies in [−1/4, 1/4] (p_i p_j <= 1/4, p_i (1 − p_i) <= 1/4):
#: a fixed scale keeps colours comparable between inputs and shows a saturated softmax fading.
JACOBIAN_LEVELS = (-0.25, 0.25)
JACOBIAN_CMAP = pg.ColorMap([0.0, 0.5, 1.0],
                            [OKABE_ITO["blue"], "#ffffff", OKABE_ITO["vermillion"]])


def jacobian_colormap(theme: Theme) -> pg.ColorMap:
    """:data:`JACOBIAN_CMAP` with its zero in ``theme``'s plot background (white when light)."""
    if not theme.dark:
        return JACOBIAN_CMAP
    return pg.ColorMap([0.0, 0.5, 1.0], [OKABE_ITO["blue"], theme.plot_background,
                                         OKABE_ITO["vermillion"]])

EXPLANATION = """
<h3>Question 2 — the softmax</h3>
<p>The softmax turns <i>K</i> real scores (logits) into <i>K</i> positive numbers that add up
to 1: exponentiate every logit, then divide by the total. Drag a bar top or type the logits.</p>
<p><b>2.1 Shift.</b> Adding the same <i>c</i> to every logit multiplies every exponential by
the same factor e<sup><i>c</i></sup>, which cancels in the ratio: <b>p</b> stays put (the ◆
markers never leave the bar tops) while the exponentials change by orders of magnitude.
Written out literally, e<sup><i>x</i>+<i>c</i></sup> passes the largest float64 (about
1.8·10<sup>308</sup>) once <i>x</i> + <i>c</i> &gt; 709.8 and becomes inf, and inf/inf is NaN.
Real softmax code uses the invariance on purpose: it subtracts the largest logit first, so no
exponent is positive and nothing can overflow — see the table.</p>
<p><b>2.2 Two classes.</b> Divide top and bottom of <i>p</i><sub>1</sub> by
e<sup><i>x</i><sub>1</sub></sup>: what is left is the logistic sigmoid of
<i>z</i> = <i>x</i><sub>1</sub> − <i>x</i><sub>2</sub>. Only the gap between the two logits
matters. Set <i>K</i> = 2 and the dots on the σ curves land on the heights of the two bars.
For <i>K</i> &gt; 2 the same step shows class 1 against all the others, with
<i>z</i> = <i>x</i><sub>1</sub> − log Σ<sub><i>j</i>&gt;1</sub>
e<sup><i>x<sub>j</sub></i></sup>.</p>
<p><b>2.3 K − 1 numbers.</b> Since a shift is free, shift by −<i>x</i><sub>1</sub>: the first
logit becomes 0 and needs no storage, and
<i>y<sub>i</sub></i> = <i>x</i><sub><i>i</i>+1</sub> − <i>x</i><sub>1</sub> describe the same
distribution (▲ markers).</p>
<p><b>2.4 Jacobian.</b> The derivative of <i>p<sub>i</sub></i> by <i>x<sub>j</sub></i> is
<i>p<sub>i</sub></i>(1 − <i>p<sub>i</sub></i>) on the diagonal and
−<i>p<sub>i</sub>p<sub>j</sub></i> elsewhere. The matrix is symmetric; raising your own
logit raises your probability and lowers the others. Every row sums to 0, because raising all
logits together is a shift (2.1). The right heatmap measures the same matrix by nudging one
logit at a time.</p>
<p><b>Temperature.</b> S(<b>x</b>/<i>T</i>) flattens towards uniform for <i>T</i> &gt; 1 and
sharpens towards the largest logit for <i>T</i> &lt; 1. Facts 2.1–2.4 hold for any logits, so
with <i>T</i> ≠ 1 they are shown for <b>x</b>/<i>T</i>, the logits the softmax really sees.</p>
<p><b>Try:</b> slide <i>c</i> past 710 or below −745; set <i>K</i> = 2; make one logit much
larger than the rest and watch the whole Jacobian fade to 0 — a confident softmax has almost
no gradient to learn from.</p>
"""

EQUATIONS = (
    (r"$S(\mathbf{x})_i = e^{x_i} \,/\, \Sigma_{j=1}^{K}\, e^{x_j}$",
     "S(x)_i = exp(x_i) / sum_j exp(x_j)"),
    (r"$S(\mathbf{x} + c) = S(\mathbf{x})$", "S(x + c) = S(x)"),
    (r"$K = 2:\ \ S(\mathbf{x}) = [\,\sigma(z),\ 1 - \sigma(z)\,],\ \ z = x_1 - x_2$",
     "K = 2: S(x) = [sigma(z), 1 - sigma(z)], z = x1 - x2"),
    (r"$S(\mathbf{x}) = S([\,0,\ x_2 - x_1,\ \ldots,\ x_K - x_1\,])$",
     "S(x) = S([0, x2 - x1, ..., xK - x1])"),
    (r"$J = \partial\mathbf{p} / \partial\mathbf{x} = \mathrm{Diag}(\mathbf{p})"
     r" - \mathbf{p}\,\mathbf{p}^{\top}$", "J = Diag(p) - p p^T"),
)


class _Insulated(QWidget):
    """Holds one widget whose size hint changes often (a label, the check badges).

    Without a layout of its own and with a fixed height, it stops those changes here instead of
    re-laying out the whole panel on every update; the child simply fills it.
    """

    def __init__(self, child: QWidget, height: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        child.setParent(self)
        self._child = child
        self.setFixedHeight(height)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def resizeEvent(self, event) -> None:  # noqa: D102 - Qt override
        # Only a change of width may change the height (the badges wrap onto more rows).
        needed = self._child.heightForWidth(self.width()) if self._child.hasHeightForWidth() \
            else -1
        if needed > self.height():
            self.setFixedHeight(needed)
        self._child.setGeometry(self.rect())
        super().resizeEvent(event)


class ShiftTableModel(QStandardItemModel):
    """The 2.1 table: one row per class, texts and red flags set all at once.

    Qt keeps the cells, so painting the table asks no Python code (a Python model answers
    about ten questions per cell on every repaint, which cost more than the rest of the table).
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, 5, parent)
        self._texts: list[list[str]] = []
        self._bad: list[list[bool]] = []
        self._red = QBrush(qcolor(BAD_COLOR))

    def set_theme(self, theme: Theme) -> None:
        """Draw the red flags in ``theme``'s red."""
        self._red = QBrush(theme.qcolor(BAD_COLOR))
        for row, flags in enumerate(self._bad):
            for col, bad in enumerate(flags):
                if bad:
                    self.item(row, col).setForeground(self._red)

    def set_rows(self, texts: list[list[str]], bad: list[list[bool]]) -> None:
        """Show ``texts[row][col]``; ``bad`` marks the cells drawn in red."""
        if len(texts) != self.rowCount():
            self.setRowCount(len(texts))
            self.setVerticalHeaderLabels([str(row + 1) for row in range(len(texts))])
            self._texts, self._bad = [], []
        alignment = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        for row, (line, flags) in enumerate(zip(texts, bad, strict=True)):
            old_line = self._texts[row] if row < len(self._texts) else None
            old_flags = self._bad[row] if row < len(self._bad) else None
            for col, (text, flag) in enumerate(zip(line, flags, strict=True)):
                item = self.item(row, col)
                if item is None:
                    item = QStandardItem()
                    item.setTextAlignment(alignment)
                    item.setEditable(False)
                    self.setItem(row, col, item)
                if old_line is None or old_line[col] != text:
                    item.setText(text)
                if old_flags is None or old_flags[col] != flag:
                    if flag:
                        item.setForeground(self._red)
                    else:  # no brush of its own: the view's text colour, which follows the theme
                        item.setData(None, Qt.ItemDataRole.ForegroundRole)
        self._texts = [list(line) for line in texts]
        self._bad = [list(flags) for flags in bad]

    def set_headers(self, headers: list[str]) -> None:
        """Column titles."""
        self.setHorizontalHeaderLabels(list(headers))


class SoftmaxPanel(Panel):
    """Logits and probabilities with the four facts of question 2 shown live on them."""

    id = "softmax"
    title = "Softmax"
    questions = "2.1–2.4"

    State = SoftmaxState

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._updating = False
        self._dragging = False
        self._legend_left = False
        self._reduced_corner: tuple[int, int] | None = None
        self._logit_range = (0.0, 0.0)
        self._reduced_range = (0.0, 0.0)
        self._z_range = (-Z_RANGE, Z_RANGE)
        self._build()
        self.set_state(self.state)
        self.run_checks()
        theme_signals().changed.connect(self._theme_changed)
        if current_theme().dark:
            self._theme_changed(current_theme())

    def _theme_changed(self, theme: Theme) -> None:
        """Heatmaps, their labels, the colour bar and the table's red in ``theme``'s colours.

        The plots re-colour their own items; the heatmaps' zero colour and the cell labels
        drawn on data colours are chosen here.
        """
        self.colorbar.setColorMap(jacobian_colormap(theme))
        recolor_axes(self.colorbar, theme)
        self.table_model.set_theme(theme)
        if self.view is not None:
            self._update_heatmaps(self.view)
            self._update_sigmoid(self.view)

    # -- construction --------------------------------------------------------------------
    def _build(self) -> None:
        s = self.state
        self.logits_input = VectorInput(
            "logits &x", np.array(s.logits), validate=check_logits,
            tooltip=f"{K_MIN} to {K_MAX} numbers separated by commas or spaces; their count "
                    "sets K. You can also drag the bar tops in the logits plot.")
        self.k_spin = QSpinBox(self)
        self.k_spin.setRange(K_MIN, K_MAX)
        self.k_spin.setValue(len(s.logits))
        self.k_spin.setToolTip("Number of classes K: fewer drops the last logits, more appends "
                               "logits equal to 0")
        k_label = QLabel("classes &K", self)
        k_label.setBuddy(self.k_spin)
        k_label.setToolTip(self.k_spin.toolTip())
        self.temperature_input = NumberInput(
            "temperature &T", s.temperature, slider=(0.1, 5.0), decimals=2,
            validate=check_temperature,
            tooltip="p = S(x / T): T > 1 flattens the probabilities, T < 1 sharpens them")
        self.shift_input = NumberInput(
            "shift &c", s.shift, slider=(-SHIFT_LIMIT, SHIFT_LIMIT), decimals=1,
            validate=check_shift,
            tooltip="Added to every logit (question 2.1). p does not change; the naive "
                    "exponentials overflow past about 709.8 and underflow below about −745")
        self.readout = QLabel()
        self.readout.setTextFormat(Qt.TextFormat.RichText)
        self.readout.setWordWrap(True)
        self.readout.setToolTip("Computed by explorer.model.softmax")
        readout_box = _Insulated(self.readout, 2 * self.fontMetrics().lineSpacing() + 4, self)

        formulas = [EquationView(tex, plain, points=11, parent=self) for tex, plain in EQUATIONS]
        box = QGroupBox("Logits", self)
        box_layout = QVBoxLayout(box)
        box_layout.addWidget(self.logits_input)
        k_row = QHBoxLayout()
        k_row.addWidget(k_label)
        k_row.addWidget(self.k_spin)
        k_row.addStretch(1)
        box_layout.addLayout(k_row)
        box_layout.addWidget(self.temperature_input)
        box_layout.addWidget(self.shift_input)
        box_layout.addWidget(readout_box)

        self._build_bar_plots()
        self._build_sigmoid_plot()
        self._build_table()
        self._build_heatmaps()

        self.checks_strip = CheckStrip(self)
        plots = QWidget(self)
        grid = QGridLayout(plots)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(6)
        grid.addWidget(self.logits_plot, 0, 0, 1, 2)
        grid.addWidget(self.prob_plot, 0, 2, 1, 2)
        grid.addWidget(self.sigmoid_plot, 0, 4, 1, 2)
        grid.addWidget(self.shift_box, 1, 0, 1, 3)
        grid.addWidget(self.reduced_plot, 1, 3, 1, 3)
        grid.addWidget(self.jac_plot, 2, 0, 1, 3)
        grid.addWidget(self.fd_plot, 2, 3, 1, 3)
        for col in range(6):
            grid.setColumnStretch(col, 1)
        grid.setRowStretch(0, 4)
        grid.setRowStretch(1, 4)
        grid.setRowStretch(2, 5)
        self.page = Page(self, explanation=EXPLANATION, side=[*formulas, box], content=plots,
                         checks=self.checks_strip)

        self.bind("logits", self.logits_input)
        self.bind("k", self.k_spin, SoftmaxState.with_k)
        self.bind("temperature", self.temperature_input)
        self.bind("shift", self.shift_input)

    def _bar_labels(self, plot: PaintedPlot) -> PaintedLabels:
        labels = PaintedLabels()
        plot.addItem(labels)
        return labels

    def _build_bar_plots(self) -> None:
        self.logits_plot = PaintedPlot("Logits x (drag a bar)", "class i", "logit xᵢ")
        self.logit_bars = PaintedBars(x=[1], height=[0], width=BAR_WIDTH,
                                      brush=pg.mkBrush(LOGIT_COLOR), pen=pg.mkPen(None))
        self.logits_plot.addItem(self.logit_bars)
        self.logits_plot.addItem(PaintedLine(pos=0, angle=0, pen=pen("#777777", 1)))
        self.scaled_dots = PaintedScatter(size=10, symbol="t1", pen=pg.mkPen(None),
                                          brush=pg.mkBrush(OKABE_ITO["black"]))
        self.scaled_dots.setToolTip("x / T, the logits the softmax sees")
        self.logits_plot.addItem(self.scaled_dots)
        self.handles: list[PaintedLine] = []
        for i in range(K_MAX):
            handle = PaintedLine(pos=0, angle=0, movable=True, pen=pen(OKABE_ITO["black"], 3),
                                 hoverPen=pen(SHIFT_COLOR, 5))
            handle.setToolTip(f"Drag to change logit x_{i + 1}")
            handle.sigPositionChanged.connect(self._handle_dragged)
            self.logits_plot.addItem(handle)
            self.handles.append(handle)
        self.logit_labels = self._bar_labels(self.logits_plot)

        self.prob_plot = PaintedPlot("Probabilities p = S(x)", "class i", "probability")
        self.prob_bars = PaintedBars(x=[1], height=[0], width=BAR_WIDTH,
                                     brush=pg.mkBrush(PROB_COLOR), pen=pg.mkPen(None))
        self.prob_plot.addItem(self.prob_bars)
        self.prob_labels = self._bar_labels(self.prob_plot)
        legend = self.prob_plot.getPlotItem().addLegend(offset=(-4, 4), labelTextSize="8pt",
                                                        verSpacing=-6,
                                                        brush=pg.mkBrush(255, 255, 255, 200))
        self.prob_legend = legend
        self.shift_dots = PaintedScatter(size=9, symbol="d", pen=pg.mkPen("w", width=0.8),
                                         brush=pg.mkBrush(SHIFT_COLOR), name="S(x + c)")
        self.reduced_dots = PaintedScatter(size=9, symbol="t1", pen=pg.mkPen("w", width=0.8),
                                           brush=pg.mkBrush(REDUCED_COLOR), name="S([0, y])")
        self.sigma_dots = PaintedScatter(size=8, symbol="o", pen=pg.mkPen("w", width=0.8),
                                         brush=pg.mkBrush(SIGMA_COLOR), name="σ(z)")
        for dots in (self.shift_dots, self.reduced_dots, self.sigma_dots):
            self.prob_plot.addItem(dots)
        self.prob_plot.setYRange(0, 1.18, padding=0)

        self.reduced_plot = PaintedPlot("2.3  K − 1 numbers: xᵢ − x₁",
                                        "class i", "reduced logit")
        self.reduced_legend = self.reduced_plot.getPlotItem().addLegend(
            offset=(-4, 4), labelTextSize="8pt", brush=pg.mkBrush(255, 255, 255, 200))
        self.original_bars = PaintedBars(x=[1], height=[0], width=BAR_WIDTH,
                                         brush=pg.mkBrush(None),
                                         pen=pen(LOGIT_COLOR, 1.5, True), name="x")
        self.reduced_bars = PaintedBars(x=[1], height=[0], width=BAR_WIDTH * 0.7,
                                        brush=pg.mkBrush(REDUCED_COLOR), pen=pg.mkPen(None),
                                        name="x − x₁")
        # The legend's best corner depends on the plot's size too: look again after a resize.
        self.reduced_plot.resized.connect(self._reduced_plot_resized)
        self.reduced_plot.addItem(self.original_bars)
        self.reduced_plot.addItem(self.reduced_bars)
        self.reduced_plot.addItem(PaintedLine(pos=0, angle=0, pen=pen("#777777", 1)))
        self.reduced_labels = self._bar_labels(self.reduced_plot)

    def _build_sigmoid_plot(self) -> None:
        # No legend: the label beside the z marker names the curves in their colours.
        self.sigmoid_plot = PaintedPlot("2.2  Two classes: σ(z)", "z = x₁ − x₂", "probability")
        self.sigmoid_curve = PaintedCurve(pen=pen(PROB_COLOR))
        self.sigmoid_rest_curve = PaintedCurve(pen=pen(SIGMA_COLOR))
        for curve in (self.sigmoid_curve, self.sigmoid_rest_curve):
            self.sigmoid_plot.addItem(curve)
        self.p_lines = [PaintedLine(angle=0, pen=pen("#555555", 1, True)) for _ in range(2)]
        for line in self.p_lines:
            self.sigmoid_plot.addItem(line)
        self.z_line = PaintedLine(angle=90, pen=pen("#555555", 1.5, True))
        self.sigmoid_plot.addItem(self.z_line)
        self.z_dots = PaintedScatter(size=9, pen=pg.mkPen("w", width=0.8))
        self._z_brushes = [pg.mkBrush(PROB_COLOR), pg.mkBrush(SIGMA_COLOR)]
        self.sigmoid_plot.addItem(self.z_dots)
        self.z_label = PaintedText("", color="#222222", anchor=(0, 0.5),
                                   fill=pg.mkBrush(255, 255, 255, 210))
        self.sigmoid_plot.addItem(self.z_label)
        self.sigmoid_plot.setYRange(-0.03, 1.03, padding=0)

    def _build_table(self) -> None:
        self.shift_box = QGroupBox("2.1  Shift every logit by c: naive vs stable", self)
        self.shift_box.setToolTip("e^(x+c) computed as written overflows; the stable softmax "
                                  "subtracts m = max(x + c) first")
        layout = QVBoxLayout(self.shift_box)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(3)
        self.shift_status = QLabel()
        self.shift_status.setTextFormat(Qt.TextFormat.RichText)
        self.shift_status.setWordWrap(True)
        status_box = _Insulated(self.shift_status,
                                2 * self.shift_status.fontMetrics().lineSpacing() + 4,
                                self.shift_box)
        self.table_model = ShiftTableModel(self)
        self.table = QTableView(self.shift_box)
        self.table.setAccessibleName("Shift every logit by c: naive and stable")
        self.table.setModel(self.table_model)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self._table_columns: np.ndarray | None = None
        self._table_refit_pending = False
        self.table.horizontalHeader().sectionResized.connect(self._table_resized)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(19)
        font = self.table.font()
        font.setPointSizeF(max(7.5, font.pointSizeF() - 1))
        self.table.setFont(font)
        self.table.setToolTip("Row i: class i. Red = inf or NaN, what the textbook formula "
                              "gives in float64")
        layout.addWidget(status_box)
        layout.addWidget(self.table)
        layout.addStretch(1)

    def _heatmap(self, title: str) -> tuple[PaintedPlot, PaintedCells, PaintedLabels]:
        plot = PaintedPlot(title, "j  (logit xⱼ)", "i  (probability pᵢ)")
        item = plot.getPlotItem()
        item.invertY(True)
        item.showGrid(x=False, y=False)
        for side in ("left", "bottom"):
            # Ticks outside: inside, a tick beside "−0.150" in the first column reads as "−−".
            item.getAxis(side).setStyle(tickLength=5)
        image = PaintedCells()
        image.setColorMap(jacobian_colormap(current_theme()))
        plot.addItem(image)
        labels = PaintedLabels(themed=False)  # on data colours: _update_heatmaps picks them
        plot.addItem(labels)
        return plot, image, labels

    def _build_heatmaps(self) -> None:
        self.jac_plot, self.jac_image, self.jac_labels = self._heatmap("2.4  J = Diag(p) − ppᵀ")
        self.fd_plot, self.fd_image, self.fd_labels = self._heatmap("Finite differences")
        # The FD plot is narrower (it holds the colour bar): both show their values alike.
        self.jac_labels.share_fit(self.fd_labels)
        self.fd_plot.setToolTip(f"Central differences of the softmax with step h = "
                                f"{sm.JACOBIAN_FD_STEP:g}, one logit at a time; the last "
                                "column is the largest |J − J_fd| in each row")
        self.jac_plot.setToolTip("Diag(p) − ppᵀ from explorer.model.softmax; the last column "
                                 "is the sum of each row (0: a shift changes nothing)")
        self.colorbar = pg.ColorBarItem(values=JACOBIAN_LEVELS, colorMap=JACOBIAN_CMAP, width=10,
                                        interactive=False, colorMapMenu=False)
        self.colorbar.setImageItem([self.jac_image, self.fd_image],
                                   insert_in=self.fd_plot.getPlotItem())

    # -- control -> state ----------------------------------------------------------------
    def _handle_dragged(self, handle: PaintedLine) -> None:
        if self._updating:
            return
        i = self.handles.index(handle)
        logits = list(self.state.logits)
        # A drag sets logits to 0.01: finer than a hand can aim, and the labels stay readable.
        logits[i] = round(float(handle.value()), 2)
        self._dragging = True
        try:
            shown = self.edit(self.logits_input, logits=tuple(logits))
        finally:
            self._dragging = False
        if not shown:
            self._updating = True
            try:
                handle.setValue(self.state.logits[i])  # back on its bar
            finally:
                self._updating = False

    # -- ranges: fitted on discrete edits; while dragging, grown, or fitted once far too wide --
    @staticmethod
    def _span(values: np.ndarray, margin: float = 0.22) -> tuple[float, float]:
        low, high = min(0.0, float(np.min(values))), max(0.0, float(np.max(values)))
        # Logits near the float64 limit would overflow the margin (and the view's width).
        with np.errstate(over="ignore"):
            extra = max(high - low, 1.0) * margin
            return max(low - extra, -RANGE_LIMIT), min(high + extra, RANGE_LIMIT)

    # -- state -> model -> plot items ----------------------------------------------------
    def compute(self, state: SoftmaxState, previous: SoftmaxView | None) -> SoftmaxView:
        """See :func:`explorer.views.softmax.compute`."""
        return compute(state, previous)

    def show_view(self, view: SoftmaxView, previous: SoftmaxView | None) -> None:
        """Move the plot items, labels and table cells whose numbers changed.

        Sliding c, for one, leaves every plot but the probabilities alone. The ranges fit
        the logits when they are typed (or K changes); while a bar is dragged they follow it.
        """
        v, old = view, previous
        if old is None or (not self._dragging and not same(old.x, v.x)):
            self._logit_range = self._span(np.concatenate([v.x, v.u]))
            self._reduced_range = self._span(np.concatenate([v.u, v.reduced]))
            self._z_range = (-Z_RANGE, Z_RANGE)
            old = None  # every item is set again
        self._updating = True
        try:
            # Names first: the table's height depends on its (two-line) headers.
            symbol = "x" if v.state.temperature == 1.0 else "x/T"
            if old is None or symbol != ("x" if old.state.temperature == 1.0 else "x/T") \
                    or (v.k == 2) != (old.k == 2):
                self._set_names(symbol, v.k == 2)
            if old is None or v.k != old.k:
                self._set_k_geometry(v.k)
            if old is None or not (same(old.x, v.x) and same(old.u, v.u)):
                self._update_logits(v)
            if old is None or not same(old.u, v.u):
                self._update_probabilities(v)
                self._update_sigmoid(v)
                self._update_reduced(v)
                self._update_heatmaps(v)
                self._update_readout(v)
            if old is None or not (same(old.u, v.u) and same(old.shifted, v.shifted)):
                self._update_shift(v)
        finally:
            self._updating = False

    def _set_k_geometry(self, k: int) -> None:
        """Ranges, ticks, visibility and fonts that change only with K."""
        ticks = [[(i + 1, str(i + 1)) for i in range(k)]]
        for plot in (self.logits_plot, self.prob_plot, self.reduced_plot):
            plot.setXRange(0.4, k + 0.6, padding=0)
            plot.getPlotItem().getAxis("bottom").setTicks(ticks)
        width = k + 0.2
        for i, handle in enumerate(self.handles):
            handle.setVisible(i < k)
            handle.setSpan((i + 1 - BAR_WIDTH / 2 - 0.4) / width,
                           (i + 1 + BAR_WIDTH / 2 - 0.4) / width)
        small = QFont()
        small.setPointSizeF(8.0 if k <= 6 else 7.0)
        for labels in (self.logit_labels, self.prob_labels, self.reduced_labels):
            labels.set_font(small)
        # Exactly K rows tall, so no empty grid hangs under a short table.
        frame = 2 * self.table.frameWidth()
        self.table.setFixedHeight(self.table.horizontalHeader().sizeHint().height()
                                  + k * self.table.verticalHeader().defaultSectionSize() + frame)
        cell_font = QFont()
        cell_font.setPointSizeF(9.0 if k <= 4 else 8.0 if k <= 6 else 7.0)
        side_ticks = [[(j + 0.5, str(j + 1)) for j in range(k)]]
        for plot, labels, header in ((self.jac_plot, self.jac_labels, "Σ row"),
                                     (self.fd_plot, self.fd_labels, "max |Δ|")):
            plot.setXRange(0, k + 1.25, padding=0)
            plot.setYRange(0, k, padding=0)
            plot.getPlotItem().getAxis("bottom").setTicks(
                [side_ticks[0] + [(k + 0.65, header)]])
            plot.getPlotItem().getAxis("left").setTicks(side_ticks)
            labels.set_font(cell_font)
        # Label positions: the K x K cell centres row by row, then the side column.
        rows, cols = np.divmod(np.arange(k * k), k)
        self._label_x = np.concatenate([cols + 0.5, np.full(k, k + 0.65)])
        self._label_y = np.concatenate([rows + 0.5, np.arange(k) + 0.5])
        # A value stays inside its cell, clear of the axis; the side column is 1.25 wide.
        for labels in (self.jac_labels, self.fd_labels):
            labels.set_fit_width(np.concatenate([np.ones(k * k), np.full(k, 1.2)]))

    def _set_names(self, symbol: str, two_class: bool) -> None:
        """Titles and legends name x or x/T, and the two-class or one-vs-rest form of 2.2."""
        self.prob_plot.getPlotItem().setTitle(f"Probabilities p = S({symbol})", size="11pt")
        self.logits_plot.getPlotItem().setTitle(
            "Logits x (drag a bar)" if symbol == "x" else "Logits x (bars), x/T (▲)",
            size="11pt")
        for sample, label in self.prob_legend.items:
            if sample.item is self.shift_dots:
                label.setText(f"S({symbol} + c)")
        for sample, label in self.reduced_legend.items:
            if sample.item is self.original_bars:
                label.setText("x" if symbol == "x" else "u = x/T")
            elif sample.item is self.reduced_bars:
                label.setText("x − x₁" if symbol == "x" else "u − u₁")
        sub = "" if symbol == "x" else " / T"
        if two_class:
            self.sigmoid_plot.getPlotItem().setTitle("2.2  p = [σ(z), 1 − σ(z)]",
                                                     size="11pt")
            self.sigmoid_plot.getPlotItem().setLabel("bottom", f"z = (x₁ − x₂){sub}")
        else:
            self.sigmoid_plot.getPlotItem().setTitle("2.2  One vs rest: p₁",
                                                     size="11pt")
            self.sigmoid_plot.getPlotItem().setLabel(
                "bottom", "z = x₁ − log Σ<sub>j&gt;1</sub> e<sup>xⱼ</sup>" if symbol == "x" else
                "z = u₁ − log Σ<sub>j&gt;1</sub> e<sup>uⱼ</sup>,  u = x/T")
        headers = [f"v = {symbol} + c", "e^v\nnaive", "e^(v−m)\nstable", "S(v)\nnaive",
                   "S(v)\nstable"]
        self.table_model.set_headers(headers)
        self.jac_plot.getPlotItem().setLabel("bottom", f"j  (logit {symbol}ⱼ)")
        self.fd_plot.getPlotItem().setLabel("bottom", f"j  (logit {symbol}ⱼ)")

    @staticmethod
    def _place_bar_labels(labels: PaintedLabels, plot: PaintedPlot, values: np.ndarray,
                          tops: np.ndarray, short: bool = False) -> None:
        """Each value just above its bar top (below it for a negative bar)."""
        texts = [compact(v) if short else number_label(v) for v in values.tolist()]
        positions = np.arange(1, values.size + 1, dtype=np.float64)
        labels.set_labels(positions, tops, texts, "#222222", np.where(tops >= 0, -9.0, 9.0))

    def _update_logits(self, v: SoftmaxView) -> None:
        positions = np.arange(1, v.k + 1, dtype=np.float64)
        self.logit_bars.setOpts(x=positions, height=v.x, width=BAR_WIDTH)
        for handle, value in zip(self.handles, v.x, strict=False):
            handle.setValue(float(value))
        scaled = v.state.temperature != 1.0
        self.scaled_dots.setVisible(scaled)
        if scaled:
            # Just right of each bar, clear of the value label on the bar.
            self.scaled_dots.setData(positions + 0.38, v.u)
        self._logit_range = followed_range(self._logit_range,
                                           self._span(np.concatenate([v.x, v.u])))
        self.logits_plot.setYRange(*self._logit_range, padding=0)
        self._place_bar_labels(self.logit_labels, self.logits_plot, v.x, v.x)

    def _update_probabilities(self, v: SoftmaxView) -> None:
        positions = np.arange(1, v.k + 1, dtype=np.float64)
        self.prob_bars.setOpts(x=positions, height=v.p, width=BAR_WIDTH)
        self.reduced_dots.setData(positions + 0.17, v.p_reduced)
        if v.k == 2:
            self.sigma_dots.setData(positions, v.sigma)
        else:
            self.sigma_dots.setData(positions[:1], v.sigma[:1])
        # Beyond 4 bars a label like 1.67e−05 would run into its neighbours.
        self._place_bar_labels(self.prob_labels, self.prob_plot, v.p, v.p, short=v.k > 4)
        # The legend sits in the top corner away from the tallest bar (only one bar can
        # reach into the legend's band above 0.75).
        left = int(np.argmax(v.p)) >= v.k / 2
        if left != self._legend_left:
            self.prob_legend.anchor((0, 0) if left else (1, 0), (0, 0) if left else (1, 0),
                                    offset=(4, 4) if left else (-4, 4))
            self._legend_left = left

    def _update_sigmoid(self, v: SoftmaxView) -> None:
        wanted = (max(min(-Z_RANGE, v.z * 1.15), -RANGE_LIMIT),
                  min(max(Z_RANGE, v.z * 1.15), RANGE_LIMIT))
        self._z_range = followed_range(self._z_range, wanted)
        z_grid = np.linspace(self._z_range[0], self._z_range[1], SIGMOID_POINTS)
        if (self.sigmoid_curve.xData is None or self.sigmoid_curve.xData[0] != z_grid[0]
                or self.sigmoid_curve.xData[-1] != z_grid[-1]):
            self.sigmoid_curve.setData(z_grid, sigmoid(z_grid))
            self.sigmoid_rest_curve.setData(z_grid, sigmoid(-z_grid))
            self.sigmoid_plot.setXRange(*self._z_range, padding=0)
        self.z_line.setValue(v.z)
        self.z_dots.setData([v.z, v.z], v.sigma, brush=self._z_brushes)
        self.p_lines[0].setValue(float(v.p[0]))
        self.p_lines[1].setVisible(v.k == 2)
        self.p_lines[1].setValue(float(v.p[1]))
        self._update_z_label(v)
        rest = "p₂" if v.k == 2 else "Σ_(j>1) p_j"
        self.z_label.setToolTip(f"1 − σ(z) equals {rest}")

    def _update_z_label(self, v: SoftmaxView) -> None:
        """The values at z, in a box at the far edge from z, mid-height.

        The curves are near 0 and 1 there, away from the middle where they cross. The box may
        take the outer 45 % of the plot area's width: wider, it would wash out the crossing, so
        a narrow plot shows the short form of each line (chosen when painted, at the width the
        plot area has then).
        """
        low, high = self._z_range
        inset = 0.02 * (high - low)
        if v.z < 0.5 * (low + high):
            self.z_label.setAnchor((1, 0.5))
            self.z_label.setPos(high - inset, 0.5)
        else:
            self.z_label.setAnchor((0, 0.5))
            self.z_label.setPos(low + inset, 0.5)
        colors = (None, PROB_COLOR, SIGMA_COLOR, None)
        full = (f"z = {number_label(v.z, 4)}", f"σ(z) = {number_label(v.sigma[0], 4)}",
                f"1 − σ(z) = {number_label(v.sigma[1], 4)}",
                f"bars: p₁ = {number_label(v.p[0], 4)}")
        # Short names, three digits, a point smaller.
        short = (f"z = {number_label(v.z, 3)}", f"σ = {number_label(v.sigma[0], 3)}",
                 f"1−σ = {number_label(v.sigma[1], 3)}", f"p₁ = {number_label(v.p[0], 3)}")
        self.z_label.set_lines(list(zip(full, colors, strict=True)), points=8.0,
                               short=list(zip(short, colors, strict=True)), short_points=7.0,
                               room=0.45)

    def _update_shift(self, v: SoftmaxView) -> None:
        positions = np.arange(1, v.k + 1, dtype=np.float64)
        self.shift_dots.setData(positions - 0.17, v.p_shifted)
        self._table_columns = np.stack(
            [v.shifted, v.naive_exp, v.stable_exp, v.naive_p, v.p_shifted], 1)
        self._show_table()
        set_rich_text(self.shift_status, self._shift_story(v))

    def _table_texts(self, columns: np.ndarray) -> list[list[str]]:
        """The 2.1 table's texts: 7 significant digits for v, 4 for the rest.

        A column too narrow for them gets fewer (down to 2), so that no number is cut off at
        its exponent.
        """
        metrics = QFontMetricsF(self.table.font())
        out = []
        for col in range(columns.shape[1]):
            digits = 7 if col == 0 else 4
            room = self.table.columnWidth(col) - _TABLE_CELL_MARGIN
            while True:
                texts = [table_number(value, digits) for value in columns[:, col].tolist()]
                # Not laid out yet (room <= 0): the full digits; a resize fits them again.
                if room <= 0 or digits <= 2 or \
                        max(map(metrics.horizontalAdvance, texts)) <= room:
                    break
                digits -= 1
            out.append(texts)
        return [list(row) for row in zip(*out, strict=True)]

    def _table_resized(self, *_args) -> None:
        # The stretched columns take new widths one by one: fit the digits once they all have.
        if not self._table_refit_pending:
            self._table_refit_pending = True
            QTimer.singleShot(0, self, self._refit_table)

    def _refit_table(self) -> None:
        self._table_refit_pending = False
        if self._table_columns is not None:
            self._show_table()

    def _show_table(self) -> None:
        """The 2.1 table's texts at the columns' widths, with the cells shown in red.

        Red: inf and NaN, and an exponential that underflowed to 0.
        """
        columns = self._table_columns
        bad = ~np.isfinite(columns)
        bad[:, 1] |= columns[:, 1] == 0.0
        self.table_model.set_rows(self._table_texts(columns), bad.tolist())

    def _shift_story(self, v: SoftmaxView) -> str:
        """One sentence on what the shift did to the naive and the stable computation."""
        c = number_label(v.state.shift, 6)
        overflow = int(np.sum(np.isinf(v.naive_exp)))
        underflow = int(np.sum(v.naive_exp == 0.0))
        nan = bool(np.any(np.isnan(v.naive_p)))
        red = f"color:{BAD_COLOR}"
        if overflow:
            broke = (f"e^v overflows to <span style='{red}'>inf</span> for {overflow} of "
                     f"{v.k} classes")
        elif underflow == v.k:
            broke = f"every e^v underflows to <span style='{red}'>0</span>"
        elif underflow:
            broke = f"{underflow} of {v.k} exponentials underflow to 0 (harmless)"
        else:
            broke = "nothing overflows yet"
        naive = (f", so naive S is <span style='{red}'>NaN</span>" if nan else
                 ", and the naive S still works")
        return (f"<b>c = {c}</b>: {broke}{naive}. The stable S subtracts "
                f"m = max v = {number_label(float(np.max(v.shifted)), 6)} first and gives p "
                "unchanged.")

    def _update_reduced(self, v: SoftmaxView) -> None:
        positions = np.arange(1, v.k + 1, dtype=np.float64)
        self.original_bars.setOpts(x=positions, height=v.u, width=BAR_WIDTH)
        self.reduced_bars.setOpts(x=positions, height=v.reduced, width=BAR_WIDTH * 0.7)
        self._reduced_range = followed_range(self._reduced_range,
                                          self._span(np.concatenate([v.u, v.reduced])))
        self.reduced_plot.setYRange(*self._reduced_range, padding=0)
        self._place_bar_labels(self.reduced_labels, self.reduced_plot, v.reduced, v.reduced)
        self._place_reduced_legend(v)

    def _reduced_plot_resized(self) -> None:
        # After the layout pass that resized it: the view box has its new size by then.
        QTimer.singleShot(0, self, self._replace_reduced_legend)

    def _replace_reduced_legend(self) -> None:
        if self.view is not None:
            self.reduced_plot.getPlotItem().layout.activate()  # the view box at its new size
            self._place_reduced_legend(self.view)

    def _place_reduced_legend(self, v: SoftmaxView) -> None:
        """Put the 2.3 legend in the corner where it covers the least bar area.

        Bars reach up or down from 0, so some corner is usually empty (class 1's reduced bar
        is always 0); the legend moves there instead of hiding a bar.
        """
        box = self.reduced_plot.getViewBox()
        box.updateMatrix()
        (x0, x1), (y0, y1) = box.viewRange()
        px, py = box.viewPixelSize()
        size = self.reduced_legend.boundingRect()
        w, h = (size.width() + 8) * px, (size.height() + 8) * py
        positions = np.arange(1, v.k + 1, dtype=np.float64)
        left, right = positions - BAR_WIDTH / 2, positions + BAR_WIDTH / 2
        low = np.minimum(0.0, np.minimum(v.u, v.reduced))
        high = np.maximum(0.0, np.maximum(v.u, v.reduced))
        corners = {(0, 1): (x0, x0 + w, y0, y0 + h), (0, 0): (x0, x0 + w, y1 - h, y1),
                   (1, 0): (x1 - w, x1, y1 - h, y1), (1, 1): (x1 - w, x1, y0, y0 + h)}

        def covered(corner: tuple[int, int]) -> float:
            a, b, c, d = corners[corner]
            dx = np.clip(np.minimum(right, b) - np.maximum(left, a), 0.0, None)
            dy = np.clip(np.minimum(high, d) - np.maximum(low, c), 0.0, None)
            return float(np.sum(dx * dy))

        # Ties keep the legend where it is, then prefer the order above: no needless jumps.
        order = sorted(corners, key=lambda c: (covered(c), c != self._reduced_corner))
        corner = order[0]
        if corner != self._reduced_corner:
            self._reduced_corner = corner
            self.reduced_legend.anchor(corner, corner, offset=(4 if corner[0] == 0 else -4,
                                                               4 if corner[1] == 0 else -4))

    def _update_heatmaps(self, v: SoftmaxView) -> None:
        k = v.k
        rect = QRectF(0, 0, k, k)
        level = jacobian_level(v.jac, v.jac_fd)
        levels = (-level, level)
        if tuple(self.colorbar.levels()) != levels:
            self.colorbar.setLevels(levels)  # its axis is in the frame: only on a new step
        self.jac_image.setImage(v.jac, autoLevels=False, levels=levels, rect=rect)
        self.fd_image.setImage(v.jac_fd, autoLevels=False, levels=levels, rect=rect)
        diff = np.abs(v.jac - v.jac_fd)
        for matrix, side, labels in ((v.jac, v.row_sums, self.jac_labels),
                                     (v.jac_fd, diff.max(axis=1), self.fd_labels)):
            cells = matrix.ravel()
            texts = [cell_text(float(value), k) for value in cells]
            texts += [number_label(float(value), 1) for value in side]
            # Narrow cells (a small window, many classes) fall back to two decimals.
            short = [compact(float(value)) for value in cells] + texts[k * k:]
            # White text on the strongest colours, the theme's text colour elsewhere (the weak
            # colours are near the plot background).
            theme = current_theme()
            weak, side_color = theme.color("#111111"), theme.color("#222222")
            colors = ["#ffffff" if abs(value) > 0.6 * level else weak for value in cells]
            colors += [side_color] * k
            labels.set_labels(self._label_x, self._label_y, texts, colors, short=short)
        # Painted over the frame: a new number every change must not redraw the plot's frame.
        self.fd_plot.set_live_title(
            f"Finite diff.: max |Δ| = {number_label(float(np.max(diff)), 2)}")

    def _update_readout(self, v: SoftmaxView) -> None:
        self.readout.setText(
            # 12 digits: the sum is 1 up to rounding; 0.9999999999999999 would only show rounding.
            f"K = {v.k}, Σ p = {number_label(float(np.sum(v.p)), 12)}, "
            f"largest p = {number_label(float(np.max(v.p)), 4)} (class {int(np.argmax(v.p)) + 1})")

    # -- Panel contract ------------------------------------------------------------------
    def bench_change(self, i: int) -> None:
        """Slide the shift, drag a logit or move T, in turn, as a student would."""
        kind = i % 3
        if kind == 0:
            self.edit(self.shift_input, shift=round(900.0 * np.sin(0.05 * i), 1))
        elif kind == 1:
            self.handles[1].setValue(round(1.0 + 1.5 * np.sin(0.07 * i), 2))
        else:
            self.edit(self.temperature_input, temperature=round(1.0 + 0.5 * np.sin(0.03 * i), 2))

    def quiz(self, seed: int = 0) -> list[Question]:
        """Check-yourself questions on the logits shown: p_i, a Jacobian entry, and z."""
        return softmax_questions(self.view.x, self.state.temperature, seed)
