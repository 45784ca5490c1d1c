"""The Panel base every topic panel derives from, and the Check it reports."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget


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


class Panel(QWidget):
    """One topic of the homework: controls, plots and live checks.

    Subclasses set ``id``, ``title`` and ``questions``, build their plot items once, and funnel
    every change through one update path that ends by emitting :attr:`changed`.
    """

    id: ClassVar[str]
    title: ClassVar[str]
    questions: ClassVar[str]
    #: Emitted after the panel has redrawn, so the window can refresh the status bar.
    changed = Signal()

    def reset(self) -> None:
        """Go back to the homework's own example."""
        raise NotImplementedError

    def checks(self) -> list[Check]:
        """Verify what the panel shows right now against independent references."""
        raise NotImplementedError

    def bench_change(self, i: int) -> None:
        """Make the ``i``-th of a cycle of representative control changes.

        It goes through the same path a student's edit takes; ``python -m explorer.bench``
        times these.
        """
        raise NotImplementedError

    def prepare_export(self) -> None:
        """Finish any deferred rendering (typeset formulas) before the panel is grabbed."""
        from explorer.widgets.equation import EquationView

        for view in self.findChildren(EquationView):
            view.render_now()
