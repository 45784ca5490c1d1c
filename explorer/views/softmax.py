"""Question 2's panel, worked out from its state.

The logits as typed and as the softmax sees them (x / T), the probabilities, the shift table of
2.1, the two-class sigmoid of 2.2, the K − 1 reduced logits of 2.3, the Jacobian and its finite
differences of 2.4, and the checks that tie them together.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from explorer.model import softmax as sm
from explorer.model.activations import sigmoid
from explorer.model.checks import Check
from explorer.views.fields import FieldError

K_MIN, K_MAX = 2, 10
SHIFT_LIMIT = 1000.0
#: Largest |logit| (typed, and after dividing by T) the panel draws. The model takes any finite
#: logits, but pyqtgraph's bounding boxes overflow for bars near 1e308; 1e100 is far past where
#: every probability is already exactly 0 or 1.
LOGIT_LIMIT = 1e100
#: Ends the heatmaps' colour scale may take (see :func:`jacobian_level`).
JACOBIAN_STEPS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25)


def check_logits(values: np.ndarray) -> None:
    """Refuse a logit vector the panel cannot show (the logits field's own rule)."""
    if not K_MIN <= values.size <= K_MAX:
        raise FieldError("logits", f"type {K_MIN} to {K_MAX} logits (K = {K_MIN}…{K_MAX}), "
                                   f"got {values.size}")
    largest = float(np.max(np.abs(values)))
    if largest > LOGIT_LIMIT:
        raise FieldError("logits", f"{largest:.3g} is too large to draw: keep logits within "
                                   f"±{LOGIT_LIMIT:.0e}")


def check_temperature(value: float) -> None:
    """Refuse a temperature that is not > 0."""
    if value <= 0:
        raise FieldError("temperature", "T must be > 0 (below 1 sharpens, above 1 flattens)")


def check_shift(value: float) -> None:
    """Refuse a shift outside ±:data:`SHIFT_LIMIT`."""
    if abs(value) > SHIFT_LIMIT:
        raise FieldError("shift", f"c must lie in −{SHIFT_LIMIT:g}…{SHIFT_LIMIT:g}")


@dataclass(frozen=True)
class SoftmaxState:
    """Everything the softmax panel shows is a function of these numbers."""

    logits: tuple[float, ...] = tuple(float(v) for v in sm.SEED_LOGITS)
    temperature: float = sm.SEED_TEMPERATURE
    shift: float = sm.SEED_SHIFT

    @property
    def k(self) -> int:
        """Number of classes."""
        return len(self.logits)

    def with_k(self, k: int) -> SoftmaxState:
        """K classes: fewer drops the last logits, more appends logits equal to 0."""
        return replace(self, logits=tuple(self.logits[:k]) + (0.0,) * max(0, k - self.k))


@dataclass(frozen=True)
class SoftmaxView:
    """The model's answers for one state: what every plot item and table cell shows."""

    state: SoftmaxState
    x: np.ndarray            # (K,) logits as typed
    u: np.ndarray            # (K,) x / T, the logits the softmax sees
    p: np.ndarray            # (K,) S(u)
    shifted: np.ndarray      # (K,) u + c
    p_shifted: np.ndarray    # (K,) S(u + c), stable
    naive_exp: np.ndarray    # (K,) e^(u + c) as written (may be inf or 0)
    stable_exp: np.ndarray   # (K,) e^(u + c - max)
    naive_p: np.ndarray      # (K,) naive softmax of u + c (may be NaN)
    z: float                 # S(u)_1 = sigmoid(z)
    sigma: np.ndarray        # (2,) sigmoid(z), 1 - sigmoid(z)
    reduced: np.ndarray      # (K,) [0, y_1, ..., y_{K-1}]
    p_reduced: np.ndarray    # (K,) S(reduced)
    jac: np.ndarray          # (K, K) Diag(p) - p p^T
    jac_fd: np.ndarray       # (K, K) central differences
    row_sums: np.ndarray     # (K,) of jac

    @property
    def k(self) -> int:
        """Number of classes."""
        return int(self.x.size)

    def checks(self) -> list[Check]:
        """The four facts of question 2 on these logits, plus the zero row sums of J."""
        if self.k == 2:
            sigmoid_check = Check.compare("p = [σ(z), 1−σ(z)]", self.p, self.sigma,
                                          rounding_tolerance(self.u))
        else:
            sigmoid_check = Check.compare("p₁ = σ(z)", self.p[:1], self.sigma[:1],
                                          rounding_tolerance(self.u))
        return [
            Check.compare("S(x+c) = S(x)", self.p_shifted, self.p,
                          rounding_tolerance(self.u, self.shifted)),
            sigmoid_check,
            Check.compare("S([0,y]) = S(x)", self.p_reduced, self.p,
                          rounding_tolerance(self.u, self.reduced)),
            Check.compare("J = finite diff.", self.jac, self.jac_fd, 1e-8),
            Check.compare("J·1 = 0", self.row_sums, np.zeros(self.k), 1e-14),
        ]

    def tables(self) -> dict[str, tuple[list[str], list[list]]]:
        """Logits, probabilities, the shift table, the reduced logits and both Jacobians."""
        s, k = self.state, self.k
        classes = np.column_stack([np.arange(1, k + 1), self.x, self.u, self.p, self.reduced,
                                   self.p_reduced, self.row_sums])
        shift = np.column_stack([np.arange(1, k + 1), self.shifted, self.naive_exp,
                                 self.stable_exp, self.naive_p, self.p_shifted])

        def matrix(values: np.ndarray) -> tuple[list[str], list[list]]:
            return (["row i \\ column j", *(str(j + 1) for j in range(k))],
                    [[i + 1, *row] for i, row in enumerate(values.tolist())])

        return {
            "classes": (["class i", "logit x_i", "x_i / T", "p_i = S(x/T)_i",
                         "reduced logit (K-1 form)", "S(reduced)_i", "row sum of J"],
                        [[int(row[0]), *row[1:]] for row in classes.tolist()]),
            f"shift by c = {s.shift:g} (naive vs stable)": (
                ["class i", "v_i = x_i/T + c", "e^v_i (naive)", "e^(v_i - max v)",
                 "naive S(v)_i", "stable S(v)_i"],
                [[int(row[0]), *row[1:]] for row in shift.tolist()]),
            "Jacobian J = Diag(p) - p p^T": matrix(self.jac),
            "Jacobian by finite differences": matrix(self.jac_fd),
            "settings": (["setting", "value"], [
                ["K", k], ["temperature T", s.temperature], ["shift c", s.shift],
                ["z (S(x/T)_1 = σ(z))", self.z], ["σ(z)", float(self.sigma[0])],
                ["1 − σ(z)", float(self.sigma[1])]]),
        }


def compute(state: SoftmaxState, previous: SoftmaxView | None = None) -> SoftmaxView:
    """Ask the model everything the panel shows; raises ValueError for a state it rejects.

    Parts that depend only on x / T are taken from ``previous`` when x / T is unchanged (a
    change of c alone), so sliding c costs only the shifted quantities.
    """
    x = np.array(state.logits, dtype=np.float64)
    check_logits(x)
    check_temperature(state.temperature)
    check_shift(state.shift)
    u = sm.scale_logits(x, state.temperature)
    if np.max(np.abs(u)) > LOGIT_LIMIT:
        raise ValueError(f"x / T reaches {np.max(np.abs(u)):.3g}; the panel draws logits "
                         f"within ±{LOGIT_LIMIT:.0e}: use a larger T")
    shifted = sm.shift_logits(u, state.shift)
    shift_parts = {
        "shifted": shifted, "p_shifted": sm.softmax(shifted),
        "naive_exp": sm.naive_exponentials(shifted),
        "stable_exp": sm.stable_exponentials(shifted), "naive_p": sm.naive_softmax(shifted),
    }
    if previous is not None and same(previous.u, u):
        return replace(previous, state=state, x=x, **shift_parts)
    z = sm.two_class_logit(u) if u.size == 2 else sm.first_vs_rest_logit(u)
    # 1 - sigmoid(z) is sigmoid(-z); asking for it directly keeps its relative accuracy.
    sigma = np.array([float(sigmoid(z)), float(sigmoid(-z))])
    reduced = np.concatenate([[0.0], sm.reduce_logits(u)])
    jac = sm.softmax_jacobian(u)
    return SoftmaxView(
        state=state, x=x, u=u, p=sm.softmax(u), z=z, sigma=sigma, reduced=reduced,
        p_reduced=sm.softmax(reduced), jac=jac, jac_fd=sm.softmax_jacobian_fd(u),
        row_sums=jac.sum(axis=1), **shift_parts,
    )


def rounding_tolerance(*arrays: np.ndarray) -> float:
    """Tolerance for two softmaxes of logits that agree up to one float64 rounding.

    ``x + c`` and ``x_i - x_1`` are rounded to float64, which moves each logit by up to half an
    ulp of its size; a softmax entry moves by at most half of that (its slope is at most 1/2).
    """
    largest = max(float(np.max(np.abs(a))) for a in arrays)
    return 1e-13 + 2.0 * float(np.finfo(np.float64).eps) * largest


def number_label(value: float, digits: int = 3) -> str:
    """A short, honest label: ``digits`` significant digits, inf and NaN spelled out."""
    if np.isnan(value):
        return "NaN"
    if np.isinf(value):
        return "inf" if value > 0 else "−inf"
    return f"{value:.{digits}g}".replace("-", "−")


def jacobian_level(*matrices: np.ndarray) -> float:
    """The colour scale's end for the heatmaps, the first step that holds every finite entry.

    The steps run 0.001, 0.0025 … 0.25 (no J entry exceeds 1/4). A fixed ±0.25 left every
    cell white when one class takes nearly all the probability (all entries near 0.01); steps
    rather than the exact maximum keep the scale still while a drag moves the numbers a little.
    """
    biggest = max((float(np.max(np.abs(m[np.isfinite(m)]), initial=0.0)) for m in matrices),
                  default=0.0)
    for level in JACOBIAN_STEPS:
        if biggest <= level:
            return level
    return JACOBIAN_STEPS[-1]


def table_number(value: float, digits: int) -> str:
    """:func:`number_label` with the exponent's leading zero dropped ("6.144e−5", not "e−05").

    The 2.1 table's five columns share a narrow box; the shorter form keeps the power of ten
    in sight instead of cutting it off.
    """
    text = number_label(value, digits)
    mantissa, e, exponent = text.partition("e")
    if e and len(exponent) == 3 and exponent[1] == "0":
        text = f"{mantissa}e{exponent[0]}{exponent[2]}"
    return text


def compact(value: float) -> str:
    """Two decimals without the leading zero ("−.13", ".05"), for crowded plots.

    A nonzero value that two decimals would write as zero is "≈0" (not "−.00" or ".00").
    """
    if value == 0:
        return "0"
    text = f"{value:.2f}"
    if text.lstrip("-") == "0.00":
        return "≈0"
    if abs(value) < 1:
        text = text.replace("0.", ".", 1)
    return text.replace("-", "−")


def cell_text(value: float, k: int) -> str:
    """A Jacobian cell: 3 decimals, or compact when K > 6 leaves narrow cells.

    A nonzero value that 3 decimals would show as 0 gets one significant digit instead.
    """
    if k > 6:
        return compact(value)
    if value == 0:
        return "0"
    if abs(value) < 0.0005:
        return f"{value:.0e}".replace("-", "−")
    return f"{value:.3f}".replace("-", "−")


def same(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether two arrays hold the same numbers (and shape)."""
    return a.shape == b.shape and bool(np.array_equal(a, b))


