"""Question 3's panel, worked out from its state.

The σ-network (drawn from a seed, or typed into the table), its tanh twin under the chosen
rule and under the correct one, both networks' outputs on a line of inputs (D = 1) or on random
points, the gap between them, the parameter table and the checks.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from explorer.model import equivalence
from explorer.model.activations import sigmoid
from explorer.model.checks import Check
from explorer.model.equivalence import TwoLayerNet
from explorer.views.fields import FieldError

#: Inputs along the x axis when D = 1 (and for the identity plot).
GRID_POINTS = 301
#: |Δ| is drawn on a log axis, where an exact 0 has no place: exact zeros sit on this floor line.
GAP_FLOOR = 1e-18

Matrix = tuple[tuple[float, ...], ...]


#: Smallest input range R the plots can draw (pyqtgraph's axes and lines fail on subnormal
#: widths).
MIN_RADIUS = 1e-6


@dataclass(frozen=True)
class Weights:
    """A network's parameters as plain numbers, as a state holds them."""

    W1: Matrix = ()
    b1: tuple[float, ...] = ()
    W2: Matrix = ()
    b2: tuple[float, ...] = ()

    @classmethod
    def of(cls, net: TwoLayerNet) -> Weights:
        """The weights of ``net``."""
        return cls(*(tuple(map(tuple, m.tolist())) if m.ndim == 2 else tuple(m.tolist())
                     for m in (net.W1, net.b1, net.W2, net.b2)))

    def net(self) -> TwoLayerNet:
        """These weights as a network; ValueError if their shapes do not fit together."""
        return TwoLayerNet(*(np.array(m, dtype=np.float64) for m in (self.W1, self.b1,
                                                                     self.W2, self.b2)))


@dataclass(frozen=True)
class EquivalenceState:
    """Everything the panel shows is a function of these values."""

    D: int = equivalence.SEED_INPUTS
    M: int = equivalence.SEED_HIDDEN
    K: int = equivalence.SEED_OUTPUTS
    seed: int = equivalence.SEED_RANDOM_SEED
    radius: float = equivalence.SEED_RADIUS
    #: The conversion shown: one of :data:`explorer.model.equivalence.MAPPINGS`.
    mapping: str = "correct"
    #: Weights typed into the table; None while the network is the seed's draw.
    net: Weights | None = None

    def resized(self, name: str, value: int) -> EquivalenceState:
        """A new size or seed ``name`` (D, M, K or seed), with the seed's draw of weights."""
        return replace(self, **{name: value}, net=None)


@dataclass(frozen=True, eq=False)
class EquivalenceView:
    """What one state shows: the networks, their outputs and the gap between them."""

    state: EquivalenceState
    #: The σ-network Θ, the tanh-network under the chosen rule, and under the correct one.
    net: TwoLayerNet
    tanh_net: TwoLayerNet
    right_net: TwoLayerNet
    #: The correct twin converted back: Θ again, up to rounding.
    round_trip: TwoLayerNet
    #: The inputs (N, D): a line over [−R, R] when D = 1, random points otherwise.
    X: np.ndarray
    y_sigmoid: np.ndarray
    y_tanh: np.ndarray
    y_right: np.ndarray
    #: The gap the chosen rule should leave, from its formula.
    predicted: np.ndarray
    #: The line over [−R, R] and σ on it, directly and through tanh.
    grid: np.ndarray
    identity_left: np.ndarray
    identity_right: np.ndarray

    @property
    def single(self) -> bool:
        """Whether the network has one input (its outputs are drawn against x)."""
        return self.net.input_size == 1

    def gap(self) -> np.ndarray:
        """|y_tanh − y_σ| for the log axis: exact zeros at the floor, overflow at float64's top."""
        with np.errstate(over="ignore"):
            return np.clip(np.abs(self.y_tanh - self.y_sigmoid), GAP_FLOOR,
                           np.finfo(np.float64).max)

    def parameters(self) -> list[tuple[str, float, str, float, float]]:
        """One row per parameter: name, σ-net value, rule, tanh-net value, correct value."""
        rules = equivalence.RULES[self.state.mapping]
        return [(label, b, rules[group], a, c) for (label, group), b, a, c in zip(
            equivalence.parameter_labels(self.net), equivalence.flatten(self.net).tolist(),
            equivalence.flatten(self.tanh_net).tolist(),
            equivalence.flatten(self.right_net).tolist(), strict=True)]

    def note(self) -> str:
        """What the size of the gap means, under the chosen rule."""
        s = self.state
        largest = float(np.max(np.abs(self.y_tanh - self.y_sigmoid)))
        if s.mapping == "correct":
            spacing = equivalence.ulp(self.y_sigmoid)
            size = float(np.max(np.abs(self.y_sigmoid)))
            if largest == 0.0:
                first = "Largest |Δ| = 0: both networks gave bit-identical outputs."
            else:
                first = (f"Largest |Δ| = {largest:.1e} = {largest / spacing:.2g} ulp, where 1 "
                         f"ulp = {spacing:.1e} is the float64 step near |y| = {size:.2g}.")
            return (f"{first} Rounding, not a difference: the two routes round the last "
                    "binary digit in different places but compute the same function.")
        if s.mapping == "no_bias_correction":
            offset = ", ".join(f"{v:.3g}" for v in self.predicted[0])
            return (f"Largest |Δ| = {largest:.3g}: a different function, not rounding. Output k "
                    f"is off by the constant −½ Σⱼ W²ₖⱼ = ({offset}), the same for every input.")
        where = "with x" if self.single else "from point to point"
        return (f"Largest |Δ| = {largest:.3g}: a different function, not rounding, and the "
                f"error changes {where} because the hidden units switch at the wrong inputs.")

    def origin(self) -> str:
        """Where the σ-network's weights came from."""
        scale = equivalence.SEED_SCALE
        text = f"Weights drawn uniformly from [−{scale:g}, {scale:g}) with seed {self.state.seed}"
        if self.state.net is not None:
            text += ", then edited in the table"
        return text + f": {equivalence.flatten(self.net).size} parameters."

    def checks(self) -> list[Check]:
        """The correct tanh-net against the σ-net, the round trip, and the plotted identity."""
        size = max(1.0, float(np.max(np.abs(self.y_sigmoid))))
        theta = equivalence.flatten(self.net)
        # Under a broken rule this still checks the correct conversion; say so, beside a plot
        # that shows the broken one's gap.
        broken = self.state.mapping != "correct"
        name = "σ-net = tanh-net by the correct rule" if broken else "σ-net = tanh-net Θ′"
        checks = [
            Check.compare(name, self.y_right, self.y_sigmoid, 1e-12 * size),
            Check.compare("tanh → σ restores Θ", equivalence.flatten(self.round_trip), theta,
                          1e-12 * max(1.0, float(np.max(np.abs(theta))))),
            # Two independent routes to σ: exp-based in activations, tanh-based in the identity.
            Check.compare("σ = ½tanh(a/2)+½", self.identity_right, self.identity_left, 1e-15),
        ]
        if broken:
            checks.append(Check.compare("gap as predicted", self.y_tanh - self.y_sigmoid,
                                        self.predicted, 1e-12 * size))
        return checks

    def tables(self) -> dict[str, tuple[list[str], list[list]]]:
        """The parameter table (both networks) and the inputs with both networks' outputs."""
        s, net = self.state, self.net
        D, K = net.input_size, net.output_size
        with np.errstate(over="ignore"):
            gap = np.abs(self.y_tanh - self.y_sigmoid)
        outputs = np.column_stack([self.X, self.y_sigmoid, self.y_tanh, gap])
        return {
            "parameters": (["parameter", "σ-net Θ", "rule", "tanh-net Θ′",
                            "correct tanh-net Θ′"], [list(row) for row in self.parameters()]),
            "outputs": ([*(f"x_{d + 1}" for d in range(D)),
                         *(f"σ-net y_{k + 1}" for k in range(K)),
                         *(f"tanh-net y_{k + 1}" for k in range(K)),
                         *(f"|Δ y_{k + 1}|" for k in range(K))], outputs.tolist()),
            "settings": (["setting", "value"], [
                ["D", D], ["M", net.hidden_size], ["K", K], ["seed", s.seed],
                ["input radius R", s.radius], ["mapping", s.mapping],
                ["weights typed in", s.net is not None]]),
        }


def setting_rule(name: str):
    """The rule of the size or seed ``name`` (D, M, K or seed): raises a FieldError."""
    def check(value: float) -> None:
        try:
            equivalence.check_setting(name, value)
        except ValueError as exc:
            raise FieldError(name, str(exc)) from None
    return check


def check_radius(value: float) -> None:
    """The rule of R: raises a FieldError."""
    try:
        radius = equivalence.check_radius(value)
    except ValueError as exc:
        raise FieldError("radius", str(exc)) from None
    if radius < MIN_RADIUS:
        raise FieldError("radius", f"R must be at least {MIN_RADIUS:g} here: the plots cannot "
                                   f"draw a narrower range, got {radius:g}")


def network(state: EquivalenceState) -> TwoLayerNet:
    """The state's σ-network, its sizes and seed checked; FieldError names the field at fault."""
    for name in ("D", "M", "K", "seed"):
        setting_rule(name)(getattr(state, name))
    if state.net is None:
        return equivalence.random_net(state.D, state.M, state.K, state.seed,
                                      scale=equivalence.SEED_SCALE)
    try:
        net = state.net.net()
    except ValueError as exc:
        raise FieldError("net", str(exc)) from None
    sizes = (net.input_size, net.hidden_size, net.output_size)
    if sizes != (state.D, state.M, state.K):
        raise FieldError("net", f"the weights have D, M, K = {sizes}, not "
                                f"{(state.D, state.M, state.K)}")
    return net


def compute(state: EquivalenceState, previous: EquivalenceView | None = None
            ) -> EquivalenceView:
    """The view of ``state``; ValueError (a FieldError names the field) if it is refused.

    Outputs that overflow float64 (edited weights, a large R) are refused by the model.
    """
    net = network(state)
    check_radius(state.radius)
    if state.mapping not in equivalence.MAPPINGS:
        raise FieldError("mapping", f"the rule must be one of {', '.join(equivalence.MAPPINGS)}")
    right_net = equivalence.sigmoid_to_tanh(net)
    tanh_net = right_net if state.mapping == "correct" else equivalence.convert(net,
                                                                                state.mapping)
    grid = equivalence.input_grid(state.radius, GRID_POINTS)
    if net.input_size == 1:
        X = grid
    else:
        X = equivalence.sample_inputs(net.input_size, equivalence.SAMPLE_POINTS, state.radius,
                                      state.seed)
    grid = grid[:, 0]
    y_sigmoid = equivalence.forward(net, X, "sigmoid")
    y_tanh = equivalence.forward(tanh_net, X, "tanh")
    y_right = y_tanh if tanh_net is right_net else equivalence.forward(right_net, X, "tanh")
    return EquivalenceView(
        state=state, net=net, tanh_net=tanh_net, right_net=right_net,
        round_trip=equivalence.tanh_to_sigmoid(right_net), X=X, y_sigmoid=y_sigmoid,
        y_tanh=y_tanh, y_right=y_right, predicted=equivalence.predicted_gap(net, X,
                                                                              state.mapping),
        grid=grid, identity_left=sigmoid(grid),
        identity_right=equivalence.sigmoid_via_tanh(grid))
