"""How numbers are written on screen: in cells, fields and captions. Pure Python."""

from __future__ import annotations

import numpy as np


def short_number(value: float) -> str:
    """A number as short as a cell needs, with a true minus sign: ``3``, ``−0.5``, ``1.23e+04``."""
    value = float(value)
    if value == 0:
        return "0"  # never "-0"
    if value.is_integer() and abs(value) < 1e5:
        text = str(int(value))
    else:
        text = f"{value:.3g}"
    return text.replace("-", "−", 1) if text.startswith("-") else text


def subscript(number: int) -> str:
    """``12`` -> ``"₁₂"``."""
    return str(number).translate(str.maketrans("0123456789-", "₀₁₂₃₄₅₆₇₈₉₋"))


def format_vector(values: np.ndarray) -> str:
    """A vector the way a field shows it (and reads it back): ``1, -2.5, 3``."""
    return ", ".join(f"{v:g}" for v in np.asarray(values, dtype=np.float64))
