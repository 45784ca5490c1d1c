"""A live verification of what a panel shows: a value against an independent reference.

Plain data, so it lives with the model: panels make checks, the check badges show them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Check:
    """One live verification of what a panel shows: a value against an independent reference.

    Parameters
    ----------
    name : str
        What is being checked, in a few words ("f − y matches finite differences").
    value, reference : float or array
        What the panel shows, and what an independent oracle says it should be.
    max_abs_error : float
        Largest absolute difference between the two.
    tolerance : float
        The check passes when ``max_abs_error <= tolerance``.
    """

    name: str
    value: object
    reference: object
    max_abs_error: float
    tolerance: float

    @classmethod
    def compare(cls, name: str, value: object, reference: object, tolerance: float) -> Check:
        """Build a check, measuring the largest absolute difference of value and reference."""
        v = np.asarray(value, dtype=np.float64)
        r = np.asarray(reference, dtype=np.float64)
        if v.shape != r.shape:
            error = float("inf")
        elif v.size == 0:
            error = 0.0
        else:
            error = float(np.max(np.abs(v - r)))
        return cls(name, v, r, error, tolerance)

    @property
    def passed(self) -> bool:
        """Whether the error is finite and within the tolerance."""
        return bool(np.isfinite(self.max_abs_error) and self.max_abs_error <= self.tolerance)

    def summary(self) -> str:
        """One line for a badge or tooltip."""
        verdict = "" if self.passed else f" — FAILS, tolerance {self.tolerance:.0e}"
        return f"{self.name}, max error {self.max_abs_error:.1e}{verdict}"
