"""Question 1: a sigmoid output trained with cross-entropy versus squared error."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QGridLayout,
    QGroupBox,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from explorer.model import losses
from explorer.model.quiz import Question, loss_questions
from explorer.panels.base import Panel
from explorer.views.loss import LossState, LossView, compute
from explorer.widgets.check_badge import CheckStrip
from explorer.widgets.equation import EquationView
from explorer.widgets.number_input import NumberInput
from explorer.widgets.page import Page
from explorer.widgets.painted_plot import (
    PaintedCurve,
    PaintedLine,
    PaintedPlot,
    PaintedRegion,
    PaintedScatter,
    PaintedText,
)
from explorer.widgets.playback import PlaybackBar
from explorer.widgets.plot import CE_COLOR, MSE_COLOR, OKABE_ITO, pen
from explorer.widgets.theme import set_style_sheet

EXPLANATION = """
<h3>Question 1 — which loss for a sigmoid output?</h3>
<p><b>1.1–1.2.</b> For two classes the last unit squashes its pre-activation <i>a</i> with the
logistic sigmoid, <i>f</i> = σ(<i>a</i>). Its value lies strictly between 0 and 1, so we read it
as the model's probability that the label is 1.</p>
<p><b>1.3–1.4.</b> Cross-entropy is the negative log-probability the model gives the true label.
Differentiate through the sigmoid and almost everything cancels: the slope with respect to
<i>a</i> is simply <i>f</i> − <i>y</i>, the signed error itself.</p>
<p><b>1.5–1.6.</b> Squared error (<i>y</i> − <i>f</i>)² has slope −2(<i>y</i> − <i>f</i>)
<i>f</i>(1 − <i>f</i>) in <i>a</i>. The extra factor <i>f</i>(1 − <i>f</i>) is the sigmoid's own
slope, and it is tiny whenever the unit is saturated.</p>
<p><b>1.7.</b> Saturated and <i>wrong</i> is the case that matters: with <i>y</i> = 1 and
<i>a</i> far below 0, the squared-error slope all but vanishes — the shaded band marks where it is
under 1% of the cross-entropy slope — so gradient descent barely moves. The cross-entropy slope
stays close to −1 there and the unit recovers quickly. Cross-entropy is also the Bernoulli
negative log-likelihood and is convex in <i>a</i>. The ratio of the two slopes is
2<i>f</i>(1 − <i>f</i>) whatever the label, at most ½.</p>
<p>(The homework's text argues that squared error “is not bounded”; that is not the reason.
See the errata.)</p>
<p><b>Try:</b> drag the dashed marker into the shaded band; press ▶ in the SGD lab and watch
squared error stall while cross-entropy recovers; raise the learning rate.</p>
"""


class LossPanel(Panel):
    """Sigmoid output, cross-entropy vs squared error: curves, gradients and a tiny SGD lab."""

    id = "loss"
    title = "Loss functions"
    questions = "1.1–1.7"

    State = LossState
    animated = True

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._step = 0
        self._build()
        self.set_state(self.state)
        self.run_checks()

    # -- construction --------------------------------------------------------------------
    def _build(self) -> None:
        s = self.state
        self.y_input = NumberInput(
            "target &y", s.y, slider=(0.0, 1.0), decimals=3,
            tooltip="The label of the single example: 0 or 1, or a soft target in between")
        self.marker_input = NumberInput(
            "marker &a", s.marker, slider=(s.a_min, s.a_max), decimals=3,
            tooltip="The pre-activation read out below; you can also drag the dashed line")
        self.a_min_input = NumberInput("plot a from", s.a_min, tooltip="Left end of the a axis")
        self.a_max_input = NumberInput("to", s.a_max, tooltip="Right end of the a axis")
        # The readout is a grid of plain labels with fixed widths: re-laying out rich text (or a
        # growing label) on every drag step would cost more than the plots' repaint.
        self.readout = QWidget(self)
        self.readout.setToolTip("Values at the marker, computed by explorer.model.losses.\n"
                                "Right-click to copy them, or Tab here and press Ctrl+C.")
        copy = QAction("Copy values", self.readout)
        copy.setShortcut(QKeySequence(QKeySequence.StandardKey.Copy))
        copy.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        copy.triggered.connect(self.copy_readout)
        self.readout.addAction(copy)
        self.readout.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.readout.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        readout_grid = QGridLayout(self.readout)
        readout_grid.setContentsMargins(3, 4, 3, 2)  # room for the focus frame
        readout_grid.setVerticalSpacing(2)
        self.readout_values: dict[str, QLabel] = {}
        self._readout_names: dict[str, str] = {}
        rows = (("f", "f = σ(a)", None), ("ce", "L_CE", CE_COLOR), ("gce", "∂L_CE/∂a", CE_COLOR),
                ("mse", "L_MSE", MSE_COLOR), ("gmse", "∂L_MSE/∂a", MSE_COLOR),
                ("ratio", "MSE slope ÷ CE slope = 2f(1−f)", None))
        for row, (key, text, colour) in enumerate(rows):
            name = QLabel(text, self.readout)
            value = QLabel(self.readout)
            value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            value.setFixedWidth(value.fontMetrics().horizontalAdvance("−0.000000000e-000"))
            # Fixed both ways, a new value never asks the layouts (the whole scrolled column,
            # word-wrapped text included) to measure themselves again.
            # Not mouse-selectable: a selectable label lays its text out as a document and
            # repaints 4x slower; the readout's context menu copies the values instead.
            value.setFixedHeight(value.sizeHint().height())
            if colour:
                set_style_sheet(name, f"color: {colour};")
            readout_grid.addWidget(name, row, 0)
            readout_grid.addWidget(value, row, 1)
            self.readout_values[key] = value
            self._readout_names[key] = text

        self.x_input = NumberInput("input x", s.x, tooltip="The example's input (a = w·x + b)")
        self.w_input = NumberInput("start w", s.w0, tooltip="Weight before the first SGD step")
        self.b_input = NumberInput("start b", s.b0, tooltip="Bias before the first SGD step")
        self.lr_input = NumberInput("learning rate", s.lr,
                                    tooltip="Step size η of w ← w − η ∂L/∂w")
        self.steps_input = NumberInput("steps", s.steps, decimals=0,
                                       tooltip="Number of SGD updates in the lab")
        self.playback = PlaybackBar(self, speed="30 steps/s", first=0)  # frame k: after k updates
        self.playback.setToolTip("Play the SGD updates one by one")

        self.formulas = [EquationView(tex, plain, points=11, parent=self) for tex, plain in (
            (r"$L_{CE} = -[\,y\,\log f + (1-y)\log(1-f)\,],\quad f=\sigma(a)$",
             "L_CE = -(y log f + (1-y) log(1-f))"),
            (r"$\partial L_{CE}/\partial a = f - y$", "dL_CE/da = f - y"),
            (r"$L_{MSE} = (y - f)^2$", "L_MSE = (y - f)^2"),
            (r"$\partial L_{MSE}/\partial a = -2\,(y-f)\,f\,(1-f)$",
             "dL_MSE/da = -2 (y - f) f (1 - f)"),
        )]
        single = QGroupBox("One example", self)
        grid = QVBoxLayout(single)
        for w in (self.y_input, self.marker_input, self.a_min_input, self.a_max_input,
                  self.readout):
            grid.addWidget(w)
        lab = QGroupBox("SGD lab: f = σ(w·x + b)", self)
        lab_layout = QGridLayout(lab)
        for i, w in enumerate((self.x_input, self.w_input, self.b_input, self.lr_input,
                               self.steps_input)):
            lab_layout.addWidget(w, i // 2, i % 2)

        # Painted plots: pyqtgraph draws each frame (title, axes, legend) once; the curves,
        # markers and bands are painted over it, so a drag repaints a few lines, not the plots.
        self.sigmoid_plot = PaintedPlot("Output f = σ(a)", "pre-activation a", "f")
        self.loss_plot = PaintedPlot("Loss for target y", "pre-activation a", "loss",
                                     legend=True)
        self.grad_plot = PaintedPlot("Gradient ∂L/∂a", "pre-activation a", "∂L/∂a")
        self.grad_plot.getPlotItem().addLegend(offset=(-8, -8), labelTextSize="9pt")
        self.lab_loss_plot = PaintedPlot("SGD lab: loss", "SGD step", "loss", legend=True)
        self.lab_a_plot = PaintedPlot("SGD lab: pre-activation a", "SGD step", "a", legend=True)

        self.sigmoid_curve = self._curve(self.sigmoid_plot, pen(OKABE_ITO["black"]))
        self.ce_curve = self._curve(self.loss_plot, pen(CE_COLOR), "cross-entropy")
        self.mse_curve = self._curve(self.loss_plot, pen(MSE_COLOR), "squared error")
        self.ce_grad_curve = self._curve(self.grad_plot, pen(CE_COLOR), "CE: f − y")
        self.mse_grad_curve = self._curve(self.grad_plot, pen(MSE_COLOR), "MSE: −2(y−f)f(1−f)")
        self.stall_regions = []
        self.stall_labels = []
        self.markers = []
        for plot in (self.sigmoid_plot, self.loss_plot, self.grad_plot):
            # Opaque light orange (what alpha 40 over white looks like): blending a translucent
            # rectangle over the whole band costs more than drawing every curve.
            region = PaintedRegion(brush=pg.mkBrush(248, 231, 217))
            region.setZValue(-10)
            plot.addItem(region)
            self.stall_regions.append(region)
            marker = PaintedLine(angle=90, movable=True, pen=pen("#555555", 1.5, True),
                                 hoverPen=pen("#000000", 2.5))
            marker.setToolTip("Drag to move the marker")
            marker.setZValue(-5)  # behind the curves and the "MSE stalls" label it may cross
            marker.sigPositionChanged.connect(self._marker_dragged)
            plot.addItem(marker)
            self.markers.append(marker)
        for plot in (self.loss_plot, self.grad_plot):
            # On a pale box, so the marker's dashes pass behind the words. Not the band's own
            # colour: where the band is narrower than the words, that would seem to widen it.
            label = PaintedText("MSE stalls", color="#9a3d00", anchor=(0, 0),
                                fill=pg.mkBrush(255, 255, 255, 200))
            label.setZValue(-4)
            label.setToolTip("Here the squared-error slope is under 1% of the cross-entropy "
                             "slope although the prediction is on the wrong side")
            plot.addItem(label)
            self.stall_labels.append(label)
        self.sigmoid_dot = PaintedScatter(size=9, brush=pg.mkBrush(OKABE_ITO["black"]))
        self.sigmoid_plot.addItem(self.sigmoid_dot)
        self.sigmoid_plot.setYRange(-0.05, 1.05, padding=0)

        self.lab_ce_loss = self._curve(self.lab_loss_plot, pen(CE_COLOR), "cross-entropy")
        self.lab_mse_loss = self._curve(self.lab_loss_plot, pen(MSE_COLOR), "squared error")
        self.lab_ce_a = self._curve(self.lab_a_plot, pen(CE_COLOR), "trained with CE")
        self.lab_mse_a = self._curve(self.lab_a_plot, pen(MSE_COLOR), "trained with MSE")
        # The whole run, faint, under the part played so far.
        self.lab_ce_a_full = self._curve(self.lab_a_plot, pg.mkPen(CE_COLOR + "55", width=1))
        self.lab_mse_a_full = self._curve(self.lab_a_plot, pg.mkPen(MSE_COLOR + "55", width=1))
        # Each legend goes where the curves leave room; the gradient's loses its formulas
        # when the plot is too narrow for them (the tooltip and the text keep them).
        self.grad_plot.keep_legend_clear({"CE: f − y": "CE", "MSE: −2(y−f)f(1−f)": "MSE"})
        for plot in (self.loss_plot, self.lab_loss_plot):
            plot.keep_legend_clear({"cross-entropy": "CE", "squared error": "MSE"})
        self.lab_a_plot.keep_legend_clear({"trained with CE": "CE", "trained with MSE": "MSE"})
        self.lab_cursor = [PaintedLine(angle=90, pen=pen("#888888", 1)) for _ in range(2)]
        self.lab_loss_plot.addItem(self.lab_cursor[0])
        self.lab_a_plot.addItem(self.lab_cursor[1])

        self.checks_strip = CheckStrip(self)
        plots = QWidget(self)
        plot_grid = QGridLayout(plots)
        plot_grid.setContentsMargins(0, 0, 0, 0)
        plot_grid.addWidget(self.sigmoid_plot, 0, 0)
        plot_grid.addWidget(self.loss_plot, 0, 1)
        plot_grid.addWidget(self.grad_plot, 0, 2)
        plot_grid.addWidget(self.lab_loss_plot, 1, 0, 1, 1)
        plot_grid.addWidget(self.lab_a_plot, 1, 1, 1, 2)
        self.page = Page(self, explanation=EXPLANATION, side=[*self.formulas, single, lab],
                         content=plots, footer=[self.playback], checks=self.checks_strip)

        for field, control in (("y", self.y_input), ("marker", self.marker_input),
                               ("a_min", self.a_min_input), ("a_max", self.a_max_input),
                               ("x", self.x_input), ("w0", self.w_input), ("b0", self.b_input),
                               ("lr", self.lr_input), ("steps", self.steps_input)):
            self.bind(field, control)
        # Clicking the panel's background gives it the keyboard: Space, arrows, Home, End.
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.playback.advanceRequested.connect(self.advance)
        self.playback.positionChanged.connect(self._scrubbed)

    @staticmethod
    def _curve(plot: PaintedPlot, line_pen, name: str | None = None) -> PaintedCurve:
        item = PaintedCurve(pen=line_pen, name=name)
        plot.addItem(item)
        return item

    # -- control -> state ----------------------------------------------------------------
    def _marker_dragged(self, line: PaintedLine) -> None:
        if self._updating:
            return
        # A drag past the plot's edge stops the marker at the edge, where it stays in sight,
        # like a slider's handle (typed values are not limited to the plot).
        s = self.state
        value = min(max(float(line.value()), s.a_min), s.a_max)
        if value != line.value():
            self._updating = True
            try:
                line.setValue(value)
            finally:
                self._updating = False
        self.edit(self.marker_input, marker=value)

    def _scrubbed(self, position: int) -> None:
        self._step = position
        self._update_lab_cursor()

    # -- state -> model -> plot items ----------------------------------------------------
    _updating = False
    _stall_shown: tuple | None = None

    def compute(self, state: LossState, previous: LossView | None) -> LossView:
        """See :func:`explorer.views.loss.compute`."""
        return compute(state, previous)

    def show_view(self, view: LossView, previous: LossView | None) -> None:
        """Move the items that depend on the fields that changed.

        Dragging the marker touches the marker items and the readout only; a change of y
        redraws the loss curves and the lab, never the axes.
        """
        s, old = view.state, previous.state if previous is not None else None

        def changed(*names: str) -> bool:
            return old is None or any(getattr(old, n) != getattr(s, n) for n in names)

        a, curve = view.grid, view.curves
        self._updating = True
        try:
            if changed("a_min", "a_max"):
                self.sigmoid_curve.setData(a, curve["sigmoid"])
                self._set_ranges(a)
                self.marker_input.set_slider_range(s.a_min, s.a_max)
            if changed("a_min", "a_max", "y"):
                self.ce_curve.setData(a, curve["bce"])
                self.mse_curve.setData(a, curve["mse"])
                self.ce_grad_curve.setData(a, curve["bce_grad"])
                self.mse_grad_curve.setData(a, curve["mse_grad"])
                self._update_stall_region(a, curve["stall"])
                self.loss_plot.place_legend_soon()
                self.grad_plot.place_legend_soon()
            if changed("marker", "a_min", "a_max"):
                shown = min(max(s.marker, s.a_min), s.a_max)
                for marker in self.markers:
                    marker.setValue(shown)
                self.sigmoid_dot.setData([s.marker], [view.readout["f"]])
            if changed("marker", "y"):
                for key, value in view.readout.items():
                    self.readout_values[key].setText(f"{value:.6g}")
            if changed("x", "y", "w0", "b0", "lr", "steps"):
                # A new run is shown finished, its axes fitted; ▶ replays it from the start.
                self._step = s.steps
                self._update_lab(fit=changed("x", "w0", "b0", "lr", "steps") or old is None)
                self.lab_loss_plot.place_legend_soon()
                self.lab_a_plot.place_legend_soon()
        finally:
            self._updating = False

    def _set_ranges(self, a: np.ndarray) -> None:
        """Axis ranges depend on the a-range only, never on y: a y drag redraws no axis."""
        s = self.state
        for plot in (self.sigmoid_plot, self.loss_plot, self.grad_plot):
            plot.setXRange(s.a_min, s.a_max, padding=0)
        # The largest loss over every target in [0, 1] is at a hard label, at an end of the range.
        top = max(1.0, float(losses.bce(a[[0, -1]], 0.0).max()),
                  float(losses.bce(a[[0, -1]], 1.0).max()))
        self.loss_plot.setYRange(0, top * 1.05, padding=0)
        self.grad_plot.setYRange(-1.05, 1.05, padding=0)

    def _update_stall_region(self, a: np.ndarray, mask: np.ndarray) -> None:
        visible = bool(mask.any())
        low = high = None
        if visible:
            low, high = float(a[mask].min()), float(a[mask].max())
        if (visible, low, high) == self._stall_shown:
            return
        self._stall_shown = (visible, low, high)
        for region in self.stall_regions:
            region.setVisible(visible)
            if visible:
                region.setRegion((low, high))
        for label, plot in zip(self.stall_labels, (self.loss_plot, self.grad_plot), strict=True):
            label.setVisible(visible)
            if visible:
                (_, _), (y0, y1) = plot.viewRange()
                left_side = low <= self.state.a_min + 1e-9
                label.setAnchor((0, 0) if left_side else (1, 0))
                label.setPos(low if left_side else high, y1)

    def readout_text(self) -> dict[str, str]:
        """The readout's values as shown, by key (f, ce, gce, mse, gmse, ratio)."""
        return {key: label.text() for key, label in self.readout_values.items()}

    def copy_readout(self) -> None:
        """Put the readout on the clipboard, one "name<TAB>value" line per row."""
        lines = [f"a\t{self.state.marker:.6g}", f"y\t{self.state.y:.6g}"]
        lines += [f"{self._readout_names[key]}\t{text}"
                  for key, text in self.readout_text().items()]
        QApplication.clipboard().setText("\n".join(lines))

    def _update_lab(self, fit: bool) -> None:
        """Draw the lab's run; ``fit``: fit the axes to it, else only widen them to show it."""
        s = self.state
        steps = np.arange(s.steps + 1)
        ce, mse = self.view.history["bce"], self.view.history["mse"]
        self.lab_ce_a_full.setData(steps, ce["a"])
        self.lab_mse_a_full.setData(steps, mse["a"])
        top = max(float(ce["loss"].max()), float(mse["loss"].max()), 1e-3) * 1.05
        a_all = np.concatenate([ce["a"], mse["a"]])
        low, high = float(a_all.min()), float(a_all.max())
        margin = max(0.5, 0.05 * (high - low))
        low, high = low - margin, high + margin
        (_, (_, old_top)) = self.lab_loss_plot.viewRange()
        (_, (old_low, old_high)) = self.lab_a_plot.viewRange()
        if fit:
            self.lab_loss_plot.setXRange(0, s.steps, padding=0.02)
            self.lab_a_plot.setXRange(0, s.steps, padding=0.02)
            self.lab_loss_plot.setYRange(0, top, padding=0)
            self.lab_a_plot.setYRange(low, high, padding=0)
        else:
            if top > old_top:
                self.lab_loss_plot.setYRange(0, top, padding=0)
            if low < old_low or high > old_high:
                self.lab_a_plot.setYRange(min(low, old_low), max(high, old_high), padding=0)
        self.playback.set_count(s.steps + 1)
        self._update_lab_cursor()

    def _update_lab_cursor(self) -> None:
        t = self._step
        steps = np.arange(t + 1)
        ce, mse = self.view.history["bce"], self.view.history["mse"]
        self.lab_ce_loss.setData(steps, ce["loss"][: t + 1])
        self.lab_mse_loss.setData(steps, mse["loss"][: t + 1])
        self.lab_ce_a.setData(steps, ce["a"][: t + 1])
        self.lab_mse_a.setData(steps, mse["a"][: t + 1])
        for cursor in self.lab_cursor:
            cursor.setValue(t)
        self.playback.set_position(t)

    # -- Panel contract ------------------------------------------------------------------
    def advance(self) -> None:
        """One SGD step of the lab (wraps to the start after the last step)."""
        self._step = 0 if self._step >= self.state.steps else self._step + 1
        self._update_lab_cursor()

    def lab_step(self) -> int:
        """The SGD step the lab shows."""
        return self._step

    def lab_history(self, loss: str) -> dict[str, np.ndarray]:
        """The lab's trajectory for ``loss`` in {"bce", "mse"}."""
        return self.view.history[loss]

    def bench_change(self, i: int) -> None:
        """Alternate the two controls a student drags: the target y and the marker on a."""
        if i % 2:
            self.edit(self.y_input, y=round(0.5 + 0.5 * np.sin(0.1 * i), 3))
        else:
            self.markers[0].setValue(8.0 * np.sin(0.05 * i))

    def quiz(self, seed: int = 0) -> list[Question]:
        """Check-yourself questions at the marker: both slopes, and the loss or their ratio."""
        return loss_questions(self.state.marker, self.state.y, seed)
