"""Question 1's panel, worked out from its state.

The loss curves over a range of a, the marker's readout and the SGD lab's two runs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from explorer.model import gradcheck, losses
from explorer.model.activations import sigmoid
from explorer.model.checks import Check
from explorer.views.fields import FieldError

#: Points on the a axis: smooth curves at any plot width.
GRID_POINTS = 401
#: The widest a range shown (wider ranges squash every curve into a step).
MAX_SPAN = 2e4
#: Narrowest a range may be: the axes cannot place ticks on a range much narrower (pyqtgraph's
#: tick arithmetic overflows on a subnormal width), and no curve changes visibly inside it.
MIN_SPAN = 1e-6
#: The most SGD steps the lab runs.
MAX_STEPS = 10_000
#: Largest |a| or loss the SGD lab plots. The model's run is finite up to 1e308, but axis
#: ranges around such values overflow to inf (the span of [-1e308, 1e308] is inf).
PLOTTABLE = 1e100


@dataclass(frozen=True)
class LossState:
    """Everything the loss panel shows is a function of these numbers."""

    y: float = losses.SEED_TARGET
    a_min: float = -10.0
    a_max: float = 10.0
    marker: float = losses.SEED_WEIGHT * losses.SEED_INPUT + losses.SEED_BIAS
    x: float = losses.SEED_INPUT
    w0: float = losses.SEED_WEIGHT
    b0: float = losses.SEED_BIAS
    lr: float = losses.SEED_LEARNING_RATE
    steps: int = losses.SEED_STEPS


@dataclass(frozen=True, eq=False)
class LossView:
    """What the panel draws for a :class:`LossState`."""

    state: LossState
    #: The a axis, and σ, both losses, both slopes and the stall mask over it.
    grid: np.ndarray
    curves: dict[str, np.ndarray]
    #: The marker's f, losses, slopes and slope ratio, by readout key.
    readout: dict[str, float]
    #: The SGD lab's run for each loss ("bce", "mse"): w, b, a, f and loss after k updates.
    history: dict[str, dict[str, np.ndarray]]

    def checks(self) -> list[Check]:
        """Both gradients against central differences on the plotted grid; CE slope is f − y."""
        y = self.state.y
        a = self.grid
        return [
            Check.compare("∂L_CE/∂a matches finite differences", losses.bce_grad(a, y),
                          gradcheck.derivative(lambda v: losses.bce(v, y), a), 1e-6),
            Check.compare("∂L_MSE/∂a matches finite differences", losses.mse_grad(a, y),
                          gradcheck.derivative(lambda v: losses.mse(v, y), a), 1e-6),
            # The reference writes σ through tanh, independently of the model's exp-based sigmoid.
            Check.compare("∂L_CE/∂a equals f − y", losses.bce_grad(a, y),
                          0.5 * np.tanh(0.5 * a) + 0.5 - y, 1e-12),
        ]

    def tables(self) -> dict[str, tuple[list[str], list[list]]]:
        """The plotted curves on their grid, the marker's readout and the SGD lab's run."""
        s, c, r = self.state, self.curves, self.readout
        curves = np.column_stack([self.grid, c["sigmoid"], c["bce"], c["mse"], c["bce_grad"],
                                  c["mse_grad"]])
        marker = [["a", s.marker], ["y", s.y], ["f = σ(a)", r["f"]], ["L_CE", r["ce"]],
                  ["dL_CE/da", r["gce"]], ["L_MSE", r["mse"]], ["dL_MSE/da", r["gmse"]],
                  ["MSE slope / CE slope = 2f(1−f)", r["ratio"]]]
        ce, mse = self.history["bce"], self.history["mse"]
        lab = np.column_stack([np.arange(s.steps + 1), ce["w"], ce["b"], ce["a"], ce["f"],
                               ce["loss"], mse["w"], mse["b"], mse["a"], mse["f"], mse["loss"]])
        return {
            f"curves for y = {s.y:g}": (
                ["a", "f = σ(a)", "L_CE", "L_MSE", "dL_CE/da", "dL_MSE/da"], curves.tolist()),
            "at the marker": (["quantity", "value"], marker),
            "SGD lab (row 0: before the first update)": (
                ["step", "w (CE)", "b (CE)", "a (CE)", "f (CE)", "loss (CE)",
                 "w (MSE)", "b (MSE)", "a (MSE)", "f (MSE)", "loss (MSE)"],
                [[int(row[0]), *row[1:]] for row in lab.tolist()]),
            "settings": (["setting", "value"], [
                ["y", s.y], ["plot a from", s.a_min], ["plot a to", s.a_max], ["input x", s.x],
                ["start w", s.w0], ["start b", s.b0], ["learning rate", s.lr],
                ["steps", s.steps]]),
        }


def check(state: LossState) -> None:
    """Refuse a state the panel cannot show, naming the field (FieldError)."""
    if not 0.0 <= state.y <= 1.0:
        raise FieldError("y", "y must lie in [0, 1] (0 or 1 for a hard label)")
    if not state.a_min < state.a_max:
        raise FieldError("a_min", f"the range needs from < to (got {state.a_min:g} … "
                                  f"{state.a_max:g})")
    if state.a_max - state.a_min > MAX_SPAN:
        raise FieldError("a_max", f"the range may span at most {MAX_SPAN:g}")
    if state.a_max - state.a_min < MIN_SPAN:
        raise FieldError("a_max", f"the range must span at least {MIN_SPAN:g} (got "
                                  f"{state.a_max - state.a_min:g})")
    if state.lr <= 0:
        raise FieldError("lr", "the learning rate must be > 0")
    if state.steps != int(state.steps) or not 1 <= state.steps <= MAX_STEPS:
        raise FieldError("steps", f"steps must be a whole number from 1 to {MAX_STEPS}")


def compute(state: LossState, previous: LossView | None = None) -> LossView:
    """The view of ``state``, reusing ``previous`` where the fields it depends on are unchanged.

    Raises
    ------
    ValueError
        If the state is refused (a FieldError names the field), or the SGD run reaches values
        too large to plot.
    """
    check(state)
    old = previous.state if previous is not None else None

    def same(*names: str) -> bool:
        return old is not None and all(getattr(old, n) == getattr(state, n) for n in names)

    if same("a_min", "a_max"):
        grid = previous.grid
    else:
        grid = np.linspace(state.a_min, state.a_max, GRID_POINTS)
    if same("a_min", "a_max", "y"):
        curves = previous.curves
    else:
        curves = losses.curves(grid, state.y, losses.STALL_FRACTION)
        curves["sigmoid"] = sigmoid(grid)
    if same("x", "y", "w0", "b0", "lr", "steps"):
        history = previous.history
    else:
        history = {name: losses.train_unit(state.x, state.y, state.w0, state.b0, state.lr,
                                           state.steps, name) for name in ("bce", "mse")}
        largest = max(float(np.max(np.abs(run[key]))) for run in history.values()
                      for key in ("a", "loss"))
        if largest > PLOTTABLE:
            raise ValueError(f"the SGD run reaches {largest:.1e}, too large to plot (at most "
                             f"{PLOTTABLE:.0e}): use a smaller x, w₀, b₀ or learning rate")
    if same("marker", "y"):
        readout = previous.readout
    else:
        a, y = state.marker, state.y
        readout = {"f": float(sigmoid(a)), "ce": float(losses.bce(a, y)),
                   "gce": float(losses.bce_grad(a, y)), "mse": float(losses.mse(a, y)),
                   "gmse": float(losses.mse_grad(a, y)),
                   "ratio": float(losses.gradient_ratio(a))}
    return LossView(state, grid, curves, readout, history)
